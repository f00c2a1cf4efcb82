#!/bin/sh
# Install the Debian packages the project needs; a no-op when they are
# all present, so a warm machine never touches the network.
#
# Packages: the list below plus every part's deps.list (one name per
# line, # comments).  QEMU's source comes from `apt-get source`, which
# needs a deb-src entry: it is derived from this machine's own Debian
# sources (same URIs and suites, Types: deb-src), never written by hand.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
pkgs="make gcc libc6-dev clang lld llvm"
for list in "$top"/*/deps.list "$top"/*/*/deps.list; do
	[ -r "$list" ] && pkgs="$pkgs $(sed 's/#.*//' "$list" | tr '\n' ' ')"
done

srcfile=/etc/apt/sources.list.d/npu-deb-src.sources
need_src=0
if ! apt-cache showsrc qemu 2>/dev/null | grep -q '^Package: qemu'; then
	need_src=1
	if [ ! -e "$srcfile" ]; then
		# Every Debian deb822 stanza, as deb-src.
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
		     /Types:[^\n]*deb/ && /debian-archive-keyring/ {
			sub(/Types:[^\n]*/, "Types: deb-src"); print }' \
			/etc/apt/sources.list.d/*.sources >"$srcfile.tmp" 2>/dev/null || true
		if [ -s "$srcfile.tmp" ]; then
			mv "$srcfile.tmp" "$srcfile"
		else
			rm -f "$srcfile.tmp"
			echo "deps: no Debian deb822 source found to derive deb-src from" >&2
		fi
	fi
fi

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && [ "$need_src" -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
[ -z "$missing" ] && exit 0
echo "installing:$missing"
apt-get install -y -q --no-install-recommends $missing
