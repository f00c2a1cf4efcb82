#!/bin/sh
# Unpack the guest kernel package (never installed on the host) into
#   ${NPU_CACHE:-/var/cache/npu-stack}/linux-image-<release>/
# once per release, with a modules.dep made by depmod, and print that
# folder.  The release is tests/kernel-version.sh's; the package is
# linux-image-<release> (signed), else linux-image-<release>-unsigned,
# whichever the archive offers; apt's own cache is used when it already
# holds the .deb.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
release=${1:-$("$here/../kernel-version.sh")}
cache=${NPU_CACHE:-/var/cache/npu-stack}
dir=$cache/linux-image-$release

if [ -e "$dir/.unpacked" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$cache"
# One unpacker at a time; the second finds the work done.
exec 9>"$cache/.linux-image.lock"
flock 9
if [ -e "$dir/.unpacked" ]; then
	echo "$dir"
	exit 0
fi

pkg='' version=''
for name in "linux-image-$release" "linux-image-$release-unsigned"; do
	version=$(apt-cache policy "$name" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [ -n "$version" ] && [ "$version" != "(none)" ]; then
		pkg=$name
		break
	fi
done
if [ -z "$pkg" ]; then
	echo "fetch-kernel: neither linux-image-$release nor its -unsigned package is in" \
		"the archive (apt-get update?)" >&2
	exit 1
fi

tmp=$(mktemp -d "$cache/.linux-image.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt writes versions with an epoch colon as %3a in file names.
deb=/var/cache/apt/archives/${pkg}_$(echo "$version" | sed 's/:/%3a/')_amd64.deb
if [ ! -r "$deb" ]; then
	echo "fetch-kernel: downloading $pkg $version" >&2
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$version" >&2)
	deb=$(ls "$tmp"/*.deb)
fi
echo "fetch-kernel: unpacking $deb into $dir" >&2
dpkg-deb -x "$deb" "$tmp/root"
[ -r "$tmp/root/boot/vmlinuz-$release" ] ||
	{ echo "fetch-kernel: $deb has no boot/vmlinuz-$release" >&2; exit 1; }
# The package leaves modules.dep to its postinst; make it here.
depmod -b "$tmp/root" "$release"
rm -rf "$dir"
mv "$tmp/root" "$dir"
touch "$dir/.unpacked"
echo "$dir"
