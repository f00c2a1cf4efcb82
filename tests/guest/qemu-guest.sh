# shellcheck shell=sh
# Sourced by run-guest.sh and run-demo.sh (which set `here` to this
# folder): the NPU device configurations and the QEMU command line that
# boots the guest.  Environment: QEMU_BIN (required), GUEST_INITRD
# (build/guest/initramfs.cpio.gz), QEMU_DATA_DIRS (-L paths), GUEST_MEM
# (guest MiB, default 1024: the hostile-input campaign's BO memory
# peaked past 400 MiB of shmem in a 512 MiB guest and woke the OOM
# killer; the memory all comes back when it ends), GUEST_CPUS (guest
# CPUs for every configuration instead of its own).

# The two device configurations: QEMU properties (what the query suite
# must read back) and guest CPUs.  a: the device defaults, spelled out,
# one CPU; b: a small, slow device with rows != cols, so a swap shows,
# and two CPUs, so submit, interrupt thread and waiters really overlap.
config_props() {
	case $1 in
	a) echo "mac-rows=32,mac-cols=32,sram-size=1048576,clock-mhz=1000,dram-bw=8000" ;;
	b) echo "mac-rows=16,mac-cols=64,sram-size=262144,clock-mhz=400,dram-bw=3200" ;;
	*) return 1 ;;
	esac
}
config_cpus() {
	if [ -n "${GUEST_CPUS:-}" ]; then
		echo "$GUEST_CPUS"
	elif [ "$1" = b ]; then
		echo 2
	else
		echo 1
	fi
}

# Check QEMU and the initramfs, unpack the kernel once: sets initrd,
# release and kernel; prints why not and fails otherwise.
guest_setup() {
	initrd=${GUEST_INITRD:-build/guest/initramfs.cpio.gz}
	[ -n "${QEMU_BIN:-}" ] ||
		{ echo "$0: QEMU_BIN must name the qemu-system-x86_64 with the NPU device" >&2; return 1; }
	[ -x "$QEMU_BIN" ] || { echo "$0: no QEMU at $QEMU_BIN" >&2; return 1; }
	[ -r "$initrd" ] || { echo "$0: no initramfs at $initrd" >&2; return 1; }
	# shellcheck disable=SC2154 # here: the caller's folder, this one
	kdir=$("$here/fetch-kernel.sh") || return 1
	release=${kdir##*/linux-image-}
	kernel=$kdir/boot/vmlinuz-$release
}

# guest_qemu CPUS APPEND [QEMU OPTION]...: boot the guest under TCG
# with kernel command line APPEND (after the console settings).  It
# execs QEMU, so that a caller running it with & gets QEMU's pid: call
# it in the background or in a subshell.
guest_qemu() {
	cpus=$1 append=$2
	shift 2
	data_dirs=${QEMU_DATA_DIRS:--L /usr/share/qemu -L /usr/share/seabios -L /usr/lib/ipxe/qemu}
	# shellcheck disable=SC2086 # data_dirs is a word list
	exec "$QEMU_BIN" -accel tcg -cpu max -m "${GUEST_MEM:-1024}" -nographic -no-reboot \
		-nic none -smp "$cpus" $data_dirs -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=5 $append" "$@"
}
