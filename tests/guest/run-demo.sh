#!/bin/sh
# `make demo`'s last step: boot the guest in device configuration a
# with npuguest.demo=1, show the demo's output (tests/guest/demo.sh) as
# it runs, and fail when the demo failed, did not finish, or the kernel
# reported a bug:
#   run-demo.sh LOG
# Environment: qemu-guest.sh's (QEMU_BIN required), DEMO_TIMEOUT
# (seconds for the whole boot, default 900).
set -u
log=${1:?usage: run-demo.sh LOG}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/guest/qemu-guest.sh
. "$here/qemu-guest.sh"
limit=${DEMO_TIMEOUT:-900}

guest_setup || exit 1
props=$(config_props a)
mkdir -p "$(dirname "$log")"
: >"$log"
echo "demo: booting Linux $release under QEMU (TCG) with -device npu,$props"
start=$(date +%s)
guest_qemu "$(config_cpus a)" npuguest.demo=1 -device "npu,id=npu0,$props" \
	-serial mon:stdio </dev/null >"$log" 2>&1 &
pid=$!
# The lines between the markers, as they come: sed -u, so that a pipe
# (make's output into tee) still gets them line by line.
timeout "$limit" tail -n +1 -f --pid="$pid" "$log" |
	sed -n -u 's/\r$//; /^GUEST-DEMO-BEGIN/,/^GUEST-DEMO-END/{ /^GUEST-DEMO-/!p; }'
hung=
if kill -0 "$pid" 2>/dev/null; then
	hung=1
	kill "$pid"
fi
wait "$pid"
took=$(($(date +%s) - start))

clean=$(tr -d '\r' <"$log")
rc=$(echo "$clean" | sed -n 's/^GUEST-DEMO-END \([0-9]*\)$/\1/p' | head -n 1)
fail=0
echo "$clean" | grep 'GUEST-RESULT .* FAIL' | sed 's/^/demo: /'
if [ -n "$hung" ] || [ -z "$rc" ]; then
	fail=1
	echo "demo: FAIL: ${hung:+no end after $limit s; }the guest did not finish the demo;" \
		"the end of its console ($log):"
	echo "$clean" | tail -n 40 | sed 's/^/  | /'
elif [ "$rc" != 0 ]; then
	fail=1
	echo "demo: FAIL: the demo exited with status $rc"
fi
if echo "$clean" | grep -q -E 'Oops|WARNING:|BUG:|KASAN'; then
	fail=1
	echo "demo: FAIL: the kernel reported a bug ($log):"
	echo "$clean" | grep -E -B 5 -A 30 -m 1 'Oops|WARNING:|BUG:|KASAN' | sed 's/^/  | /'
fi
[ "$fail" = 0 ] && echo "demo: done in $took s (boot, demo, power-off); console log in $log"
exit "$fail"
