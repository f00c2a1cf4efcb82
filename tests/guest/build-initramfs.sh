#!/bin/sh
# Build the guest test initramfs (a gzip'ed newc cpio):
#   build-initramfs.sh -o OUT.cpio.gz [-k npu.ko] [-f npu-fw.bin] [-d SRC:DEST]... PROGRAM...
# It holds busybox-static and its applet links, tests/guest/init as
# /init, the kernel modules the driver needs (drm, drm_kms_helper,
# drm_shmem_helper, gpu-sched and whatever npu.ko depends on, with their
# dependencies, decompressed from the linux-image package that
# fetch-kernel.sh unpacked), npu.ko as extra/npu.ko, a modules.dep from
# depmod and the load order (/etc/npu/modules.load), the firmware as
# /lib/firmware/npu/npu-fw.bin, and the programs in /usr/bin (with their
# shared libraries and the loader when they are not static), the demo
# script as /usr/bin/npu-demo, and each -d file SRC at DEST (models, data
# sets).
# Without -k the image boots without the driver (to test the boot path).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out='' ko='' fw='' data=''
while getopts o:k:f:d: opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) ko=$OPTARG ;;
	f) fw=$OPTARG ;;
	d) data="$data$OPTARG
" ;;
	*) echo "usage: $0 -o OUT [-k npu.ko] [-f firmware] [-d SRC:DEST]... PROGRAM..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$out" ] || { echo "build-initramfs: -o OUT is required" >&2; exit 2; }

kdir=$("$here/fetch-kernel.sh")
release=${kdir##*/linux-image-}
kmod=$kdir/lib/modules/$release
busybox=$(command -v busybox || echo /bin/busybox)
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	echo "build-initramfs: $busybox is not a static busybox (busybox-static)" >&2
	exit 1
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/npu-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/etc/npu" "$root/proc" \
	"$root/sys" "$root/dev" "$root/tmp" "$root/root" "$root/lib/modules/$release/extra" \
	"$root/lib/firmware/npu"
# The kernel opens /dev/console before /init mounts devtmpfs.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
install -m 755 "$here/init" "$root/init"
install -m 755 "$here/demo.sh" "$root/usr/bin/npu-demo"

# Modules: the base set plus npu.ko's own dependencies, each with its
# dependency closure, as modprobe resolves it on the package's tree.
wanted="drm drm_kms_helper drm_shmem_helper gpu-sched"
if [ -n "$ko" ]; then
	[ -r "$ko" ] || { echo "build-initramfs: no module $ko" >&2; exit 1; }
	wanted="$wanted $(modinfo -F depends "$ko" | tr ',' ' ')"
	cp "$ko" "$root/lib/modules/$release/extra/npu.ko"
	echo "/lib/modules/$release/extra/npu.ko" >"$root/etc/npu/npu-ko"
fi
for name in $wanted; do
	modprobe -d "$kdir" -S "$release" --show-depends "$name" |
		awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r path; do
	rel=${path#"$kmod"/}
	mkdir -p "$root/lib/modules/$release/$(dirname "$rel")"
	case $path in
	*.ko.xz) xz -dc "$path" >"$root/lib/modules/$release/${rel%.xz}" ;;
	*.ko.zst) zstd -qdc "$path" >"$root/lib/modules/$release/${rel%.zst}" ;;
	*.ko.gz) gzip -dc "$path" >"$root/lib/modules/$release/${rel%.gz}" ;;
	*) cp "$path" "$root/lib/modules/$release/$rel" ;;
	esac
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -r "$kmod/$f" ] && cp "$kmod/$f" "$root/lib/modules/$release/"
done
depmod -b "$root" "$release"
# Load order: the dependency closure, dependencies first, npu.ko last.
order=$wanted
[ -n "$ko" ] && order="$order npu"
for name in $order; do
	modprobe -d "$root" -S "$release" --show-depends "$name" |
		awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | sed "s|^$root||" >"$root/etc/npu/modules.load"
# npu.ko is loaded by /init itself, after the others.
grep -v '/extra/npu.ko$' "$root/etc/npu/modules.load" >"$root/etc/npu/modules.base" || true

if [ -n "$fw" ]; then
	cp "$fw" "$root/lib/firmware/npu/npu-fw.bin"
fi

# One SRC:DEST a line.
echo "$data" | while IFS= read -r spec; do
	[ -n "$spec" ] || continue
	src=${spec%%:*} dest=${spec#*:}
	[ -r "$src" ] || { echo "build-initramfs: no data file $src" >&2; exit 1; }
	mkdir -p "$root$(dirname "$dest")"
	cp "$src" "$root$dest"
done

# Programs, and for dynamic ones their libraries and the loader.
for prog in "$@"; do
	cp "$prog" "$root/usr/bin/"
	if ldd "$prog" >/dev/null 2>&1; then
		ldd "$prog" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' |
		while read -r lib; do
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	fi
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -6 >"$out.tmp"
mv "$out.tmp" "$out"
echo "  INITRAMFS $out ($(du -k "$out" | cut -f1) KiB, kernel $release," \
	"$(wc -l <"$root/etc/npu/modules.load") modules)"
