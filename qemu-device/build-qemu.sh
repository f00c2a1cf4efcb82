#!/bin/sh
# Build qemu-system-x86_64 with the NPU device in it, from Debian's QEMU
# source package, in a cache outside the checkout:
#
#   ${NPU_CACHE:-/var/cache/npu-stack}/qemu-<debian source version>/src
#
# The first run fetches the source (apt-get source: Debian's patches are
# needed) and configures it; every run copies the device sources and the
# qtest into the tree (only files whose content changed, so ninja stays
# incremental), patches the build files idempotently and runs ninja.
# qemu-current in the cache points at the version built last (qemu.mk's
# QEMU_BIN).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${NPU_CACHE:-/var/cache/npu-stack}

say() { echo "build-qemu: $*"; }
die() { echo "build-qemu: error: $*" >&2; exit 1; }

for tool in apt-get dpkg-source ninja meson python3 pkg-config cc flock; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "$tool is missing: run 'make deps' (qemu-device/deps.list)"
done
mkdir -p "$cache" || die "cannot create the cache folder $cache"
exec 9>"$cache/.qemu.lock"
flock 9 || die "cannot lock $cache/.qemu.lock"

# --- which QEMU ------------------------------------------------------
# The version apt-get source would fetch, without epoch (the name of the
# .dsc file), e.g. 7.2+dfsg-7+deb12u18.
ver=$(apt-get source --print-uris qemu 2>/dev/null |
	sed -n "s/^'[^']*' qemu_\([^ ]*\)\.dsc .*/\1/p" | head -n 1) || true
if [ -z "$ver" ]; then
	# No deb-src entry now: a tree built before is still good.
	last=$(ls -d "$cache"/qemu-*/src 2>/dev/null | sort -V | tail -n 1)
	[ -n "$last" ] || die "apt cannot tell QEMU's source version: no deb-src" \
		"entry for qemu (run 'make deps' or tests/deps.sh first)"
	ver=$(basename "$(dirname "$last")")
	ver=${ver#qemu-}
	say "no deb-src entry; using the cached QEMU $ver"
fi
dir=$cache/qemu-$ver
src=$dir/src
build=$src/build

# --- fetch and unpack, once -------------------------------------------
if [ ! -x "$src/configure" ]; then
	say "fetching QEMU source $ver into $dir"
	rm -rf "$dir.tmp" "$dir"
	mkdir -p "$dir.tmp"
	(cd "$dir.tmp" &&
		apt-get -q -o APT::Sandbox::User=root source --download-only qemu) ||
		die "apt-get source qemu failed (needs dpkg-dev and a deb-src entry:" \
			"run 'make deps')"
	[ -r "$dir.tmp/qemu_$ver.dsc" ] ||
		die "apt-get source fetched no qemu_$ver.dsc (the archive changed" \
			"meanwhile?): run again"
	# dpkg-source applies Debian's patches; the bare tarball does not build.
	(cd "$dir.tmp" && dpkg-source -q -x "qemu_$ver.dsc" src) ||
		die "dpkg-source could not unpack qemu_$ver.dsc"
	rm -f "$dir.tmp"/qemu_*
	mv "$dir.tmp" "$dir" || die "cannot move $dir.tmp to $dir"
fi

# --- sources into the tree ----------------------------------------------
# Copy $1 to $2 unless $2 already has the same content.
sync_file() {
	cmp -s "$1" "$2" || cp "$1" "$2" || die "cannot copy $1 to $2"
}

# Replace the block between "$marker begin" and "$marker end" in file $1
# by the contents of file $2 (appended when there is none yet); the file
# is rewritten only when its content changes.
set_block() {
	awk -v m="$marker" '
		$0 == m " begin" { skip = 1; next }
		$0 == m " end" { skip = 0; next }
		!skip { print }' "$1" >"$1.npu.tmp" || die "cannot read $1"
	{ echo "$marker begin"; cat "$2"; echo "$marker end"; } >>"$1.npu.tmp"
	if cmp -s "$1" "$1.npu.tmp"; then
		rm -f "$1.npu.tmp"
	else
		mv "$1.npu.tmp" "$1" || die "cannot update $1"
		say "patched ${1#"$src"/}"
	fi
}

npu=$src/hw/misc/npu
mkdir -p "$npu" || die "cannot create $npu"
files=
for f in "$top"/qemu-device/npu_pci.c "$top"/qemu-device/core/*.[ch] \
	"$top"/hw/*.[ch]; do
	[ -r "$f" ] || die "missing source $f"
	sync_file "$f" "$npu/${f##*/}"
	files="$files ${f##*/}"
done
# Drop what the checkout no longer has.
for f in "$npu"/*; do
	case " $files " in
	*" ${f##*/} "*) ;;
	*) rm -f "$f" ;;
	esac
done
sync_file "$top/qemu-device/qtest/npu-test.c" "$src/tests/qtest/npu-test.c"

tmp=$(mktemp) || die "mktemp failed"
trap 'rm -f "$tmp"' EXIT

marker="# npu"
{
	echo "softmmu_ss.add(when: 'CONFIG_NPU', if_true: files("
	for f in $files; do
		case $f in *.c) echo "  'npu/$f'," ;; esac
	done
	echo "))"
} >"$tmp"
set_block "$src/hw/misc/meson.build" "$tmp"

cat >"$tmp" <<'EOF'
config NPU
    bool
    default y if PCI_DEVICES
    depends on PCI && MSI_NONBROKEN
EOF
set_block "$src/hw/misc/Kconfig" "$tmp"

cp "$top/qemu-device/trace-events" "$tmp" ||
	die "cannot read qemu-device/trace-events"
set_block "$src/hw/misc/trace-events" "$tmp"

# The qtest: one more x86_64 qtest (every qtest links libqos), right
# after the line that defines the x86_64 list.
qmeson=$src/tests/qtest/meson.build
grep -q '^qtests_x86_64 = ' "$qmeson" ||
	die "tests/qtest/meson.build has no qtests_x86_64 list to extend"
cat >"$tmp" <<'EOF'
qtests_x86_64 += config_all_devices.has_key('CONFIG_NPU') ? ['npu-test'] : []
slow_qtests += {'npu-test': 120}
EOF
awk -v m="$marker" -v blk="$tmp" '
	$0 == m " begin" { skip = 1; next }
	$0 == m " end" { skip = 0; next }
	skip { next }
	{ print }
	/^qtests_x86_64 = / {
		print m " begin"
		while ((getline l < blk) > 0) print l
		print m " end"
	}' "$qmeson" >"$qmeson.npu.tmp" || die "cannot read $qmeson"
if cmp -s "$qmeson" "$qmeson.npu.tmp"; then
	rm -f "$qmeson.npu.tmp"
else
	mv "$qmeson.npu.tmp" "$qmeson" || die "cannot update $qmeson"
	say "patched tests/qtest/meson.build"
fi

# --- configure, once ----------------------------------------------------
if [ ! -f "$build/build.ninja" ]; then
	say "configuring $src"
	rm -rf "$build"
	mkdir -p "$build"
	(cd "$build" && ../configure --target-list=x86_64-softmmu \
		--without-default-features --enable-kvm --enable-tcg \
		--disable-docs --disable-werror --disable-install-blobs) ||
		{ rm -f "$build/build.ninja"; die "QEMU configure failed (see above)"; }
fi

# --- build ----------------------------------------------------------------
ninja -C "$build" qemu-system-x86_64 || die "ninja qemu-system-x86_64 failed"
[ -x "$build/qemu-system-x86_64" ] || die "no binary at $build/qemu-system-x86_64"
ln -sfn "qemu-$ver" "$cache/qemu-current" ||
	die "cannot point $cache/qemu-current at qemu-$ver"
say "QEMU with the NPU device: $build/qemu-system-x86_64"
