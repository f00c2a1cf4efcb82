#!/bin/sh
# Print the Debian 6.12 kernel release the project builds and boots
# (e.g. 6.12.117+deb12-amd64): the one the installed
# linux-headers-6.12-amd64 meta package points at, else the archive's.
set -eu
deps=$(dpkg-query -W -f='${Depends}' linux-headers-6.12-amd64 2>/dev/null ||
	apt-cache depends linux-headers-6.12-amd64 2>/dev/null | sed -n 's/.*Depends: //p')
release=$(echo "$deps" | tr ', ' '\n\n' | sed -n 's/^linux-headers-\(6\.12\.[0-9]*+deb12-amd64\)$/\1/p' | head -n 1)
[ -n "$release" ] || { echo "kernel-version: no linux-headers-6.12-amd64 found" >&2; exit 1; }
echo "$release"
