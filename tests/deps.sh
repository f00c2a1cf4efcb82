#!/bin/sh
# Install the Debian packages the project needs; a no-op when they are
# all present, so a warm machine never touches the network.
set -eu
pkgs="make gcc libc6-dev clang lld llvm"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
