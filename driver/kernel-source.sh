#!/bin/sh
# Print the folder of Debian's linux-source-6.12 tree, extracting
#   /usr/src/linux-source-6.12.tar.xz
# once into ${NPU_CACHE:-/var/cache/npu-stack}/linux-source-<package version>/
# (outside the checkout).  Used for KUnit (driver/run-kunit.sh) and
# checkpatch.  Callers that change the tree hold <cache>/.kunit.lock.
set -eu
cache=${NPU_CACHE:-/var/cache/npu-stack}
tarball=/usr/src/linux-source-6.12.tar.xz
[ -r "$tarball" ] || {
	echo "kernel-source: $tarball is missing (make deps installs linux-source-6.12)" >&2
	exit 1
}
version=$(dpkg-query -W -f='${Version}' linux-source-6.12 | tr '~+:' '___')
src=$cache/linux-source-$version
if [ ! -e "$src/.npu-extracted" ]; then
	mkdir -p "$cache"
	exec 8>"$cache/.linux-source.lock"
	flock 8
	if [ ! -e "$src/.npu-extracted" ]; then
		echo "kernel-source: extracting $tarball into $src" >&2
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
		mv "$src.tmp" "$src"
		touch "$src/.npu-extracted"
	fi
fi
echo "$src"
