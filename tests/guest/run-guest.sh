#!/bin/sh
# Boot the guest test initramfs under QEMU (TCG) once per NPU device
# configuration and count its GUEST-RESULT lines:
#   run-guest.sh RESULTS_DIR
# Environment: qemu-guest.sh's (QEMU_BIN required, GUEST_INITRD,
# QEMU_DATA_DIRS, GUEST_MEM, GUEST_CPUS), NPU_FW_VERSION (the firmware
# version the query suite expects, 0x010000 style; unchecked when unset),
# GUEST_CONFIGS (names of the configurations to boot, default "a b"),
# GUEST_SUITES (npuguest.suites, default all), GUEST_DEVICE (0: boot
# without -device npu, to test the boot path alone), GUEST_TIMEOUT
# (seconds per boot, default 1800), GUEST_STALL (seconds without console
# output before QEMU is killed, default 300; 30 once the kernel reported
# a bug), HOSTCTL_BIN (build/guest/npu-hostctl).
#
# QEMU gets a QMP socket and a second serial port (ttyS1 in the guest)
# on a unix socket, and npu-hostctl, started beside it, joins the two:
# the guest suites send QMP commands on ttyS1 (fault injection with
# qom-set on the device, id npu0; device_del/device_add).  The device's
# properties reach the guest as npuguest.npu_props, for device_add.
#
# Each boot's console goes to RESULTS_DIR/guest-<config>.log, what
# npu-hostctl saw to RESULTS_DIR/hostctl-<config>.log.  A boot
# fails when it hangs, ends without GUEST-DONE, or its log has a line
# with Oops, WARNING:, BUG: or KASAN (printed with context).  Writes
# "<passed> <failed>" to RESULTS_DIR/guest.sum, prints
# "guest: N passed, N failed" and exits non-zero on any failure.
set -u
results=${1:?usage: run-guest.sh RESULTS_DIR}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/guest/qemu-guest.sh
. "$here/qemu-guest.sh"
configs=${GUEST_CONFIGS:-a b}
suites=${GUEST_SUITES:-all}
with_device=${GUEST_DEVICE:-1}
limit=${GUEST_TIMEOUT:-1800}
stall=${GUEST_STALL:-300}
# After a kernel bug report the guest gets this long without output.
bug_stall=30
hostctl=${HOSTCTL_BIN:-build/guest/npu-hostctl}

# mac-rows=16,... -> mac_rows=16,...
props_expect() {
	echo "$1" | sed 's/mac-rows/mac_rows/; s/mac-cols/mac_cols/; s/sram-size/sram_size/;
		s/clock-mhz/clock_mhz/; s/dram-bw/dram_bw/'
}

guest_setup || exit 1
[ -x "$hostctl" ] || { echo "run-guest: no npu-hostctl at $hostctl" >&2; exit 1; }
mkdir -p "$results"
# Unix socket paths must be short: not under RESULTS_DIR.
sockets=$(mktemp -d "${TMPDIR:-/tmp}/npu-guest.XXXXXX") || exit 1
trap 'rm -rf "$sockets"' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

total_p=0 total_f=0
for cfg in $configs; do
	props=$(config_props "$cfg") || { echo "run-guest: unknown configuration $cfg" >&2; exit 2; }
	expect=$(props_expect "$props")
	[ -n "${NPU_FW_VERSION:-}" ] && expect="$expect,fw_version=$NPU_FW_VERSION"
	log=$results/guest-$cfg.log
	device=
	[ "$with_device" = 1 ] && device="-device npu,id=npu0,$props"
	append="npuguest.suites=$suites npuguest.expect=$expect npuguest.npu_props=$props"
	qmp=$sockets/qmp-$cfg
	serial=$sockets/ttyS1-$cfg
	hostctl_log=$results/hostctl-$cfg.log
	cpus=$(config_cpus "$cfg")
	echo "guest [$cfg]: booting $release on $cpus CPU(s)${device:+ with $device}"

	start=$(now_ms)
	# shellcheck disable=SC2086 # device is a word list
	guest_qemu "$cpus" "$append" $device \
		-qmp "unix:$qmp,server=on,wait=off" \
		-chardev "socket,id=hostctl,path=$serial,server=on,wait=off" \
		-serial mon:stdio -serial chardev:hostctl \
		</dev/null >"$log" 2>&1 &
	pid=$!
	"$hostctl" -p "$pid" "$qmp" "$serial" </dev/null >"$hostctl_log" 2>&1 &
	hostctl_pid=$!
	done_ms='' hung='' bug='' last_size=-1 last_change=$start
	while kill -0 "$pid" 2>/dev/null; do
		now=$(now_ms)
		if [ -z "$done_ms" ] && grep -q 'GUEST-DONE' "$log"; then
			done_ms=$((now - start))
		fi
		size=$(wc -c <"$log")
		if [ "$size" != "$last_size" ]; then
			last_size=$size
			last_change=$now
			[ -z "$bug" ] && grep -q -E 'Oops|BUG:|KASAN' "$log" && bug=1
		fi
		if [ -n "$done_ms" ] && [ $((now - start - done_ms)) -gt 20000 ]; then
			hung="the guest did not power off after GUEST-DONE"
		elif [ $((now - start)) -gt $((limit * 1000)) ]; then
			hung="no GUEST-DONE after $limit s"
		elif [ $((now - last_change)) -gt $((stall * 1000)) ]; then
			hung="the console was silent for $stall s"
		elif [ -n "$bug" ] && [ $((now - last_change)) -gt $((bug_stall * 1000)) ]; then
			hung="the console was silent for $bug_stall s after a kernel bug report"
		fi
		if [ -n "$hung" ]; then
			kill "$pid" 2>/dev/null
			sleep 2
			kill -9 "$pid" 2>/dev/null
			break
		fi
		sleep 0.5
	done
	wait "$pid"
	rc=$?
	elapsed=$(($(now_ms) - start))
	# It ends with QEMU's sockets; a stuck one is not waited for.
	n=0
	while kill -0 "$hostctl_pid" 2>/dev/null && [ "$n" -lt 10 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	kill "$hostctl_pid" 2>/dev/null
	wait "$hostctl_pid"
	hostctl_rc=$?
	[ -z "$done_ms" ] && grep -q 'GUEST-DONE' "$log" && done_ms=$elapsed

	clean=$(tr -d '\r' <"$log")
	results_lines=$(echo "$clean" | grep -o 'GUEST-RESULT [^ ]* \(ok\|FAIL.*\)$')
	p=$(echo "$results_lines" | grep -c ' ok$')
	f=$(echo "$results_lines" | grep -c ' FAIL')

	# What the make output should show: module load and firmware version.
	echo "$clean" | grep -E 'GUEST-INFO module npu loaded|GUEST-KMSG-NPU' |
		sed "s/^/  [$cfg] /"
	echo "$results_lines" | grep ' FAIL' | sed "s/^/  [$cfg] /"

	if [ -n "$hung" ] || [ -z "$done_ms" ]; then
		f=$((f + 1))
		echo "guest [$cfg]: FAIL: ${hung:-QEMU exited (status $rc) without GUEST-DONE}; console log ($log):"
		lines=$(echo "$clean" | wc -l)
		[ "$lines" -gt 400 ] && echo "  ... (last 400 of $lines lines)"
		echo "$clean" | tail -n 400 | sed "s/^/  [$cfg]| /"
	fi
	if [ "$hostctl_rc" != 0 ]; then
		echo "guest [$cfg]: npu-hostctl exited with status $hostctl_rc ($hostctl_log):"
		tail -n 20 "$hostctl_log" | sed "s/^/  [$cfg]| /"
	fi
	bugs=$(echo "$clean" | grep -c -E 'Oops|WARNING:|BUG:|KASAN')
	if [ "$bugs" -gt 0 ]; then
		f=$((f + 1))
		echo "guest [$cfg]: FAIL: the kernel reported a bug ($bugs lines):"
		echo "$clean" | grep -n -E -B 5 -A 30 -m 3 'Oops|WARNING:|BUG:|KASAN' |
			sed "s/^/  [$cfg]| /"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "guest [$cfg]: FAIL: no GUEST-RESULT lines"
	fi

	uptime=$(echo "$clean" | sed -n 's/.*GUEST-DONE uptime \([0-9.]*\) s.*/\1/p' | head -n 1)
	suite_times=$(echo "$clean" | awk '
		/GUEST-INFO suite [a-z]* starts at/ {
			t = $6 + 0
			if (name != "") out = out sprintf(" %s %.1f,", name, t - last)
			name = $3; last = t
		}
		/GUEST-DONE uptime/ {
			if (name != "") out = out sprintf(" %s %.1f,", name, $3 - last)
		}
		END { sub(/,$/, "", out); print out }')
	took=never
	[ -n "$done_ms" ] && took="$(secs "$done_ms") s"
	echo "guest [$cfg]: $p passed, $f failed; boot to GUEST-DONE $took" \
		"(guest uptime ${uptime:-?} s, QEMU ran $(secs "$elapsed") s)"
	[ -n "$suite_times" ] && echo "guest [$cfg]: suite seconds:$suite_times"
	total_p=$((total_p + p))
	total_f=$((total_f + f))
done

echo "$total_p $total_f" >"$results/guest.sum"
echo "guest: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
