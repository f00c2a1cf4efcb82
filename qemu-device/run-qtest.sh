#!/bin/sh
# Build the NPU qtest in the cached QEMU tree and run it against the
# QEMU built there, one test path per process (an assertion aborts the
# whole binary; this way it costs only its own test).
#
# Usage: run-qtest.sh RESULTS
#   env NPU_FW_IMAGE  the firmware image (required)
#   env NPU_CACHE     the cache build-qemu.sh used (/var/cache/npu-stack)
#   env QEMU_BIN      the binary (default: the one in the cache)
# Writes RESULTS/qtest.sum ("passed failed") and RESULTS/qtest.log and
# exits non-zero on any failure or when no test ran.
set -u
results=${1:?usage: run-qtest.sh RESULTS}
cache=${NPU_CACHE:-/var/cache/npu-stack}
qemu=${QEMU_BIN:-$cache/qemu-current/src/build/qemu-system-x86_64}
build=$(dirname "$qemu")
log=$results/qtest.log
# Firmware and option ROMs the self-built binary needs.
data_dirs="-L /usr/share/qemu -L /usr/share/seabios -L /usr/lib/ipxe/qemu"

mkdir -p "$results"
: >"$log"

# Something kept the tests from running: one failure.
broken() {
	echo "qtest: $*" >&2
	echo "0 1" >"$results/qtest.sum"
	echo "qtest: 0 passed, 1 failed"
	exit 1
}

[ -x "$qemu" ] || broken "no QEMU at $qemu (run 'make qemu')"
[ -f "$build/build.ninja" ] || broken "no QEMU build tree at $build"
[ -n "${NPU_FW_IMAGE:-}" ] || broken "NPU_FW_IMAGE is not set"
[ -r "$NPU_FW_IMAGE" ] || broken "cannot read firmware $NPU_FW_IMAGE"
NPU_FW_IMAGE=$(realpath "$NPU_FW_IMAGE")
export NPU_FW_IMAGE
# libqtest takes the target from what follows the last '-' of
# QTEST_QEMU_BINARY, so the -L options cannot follow the binary there:
# a wrapper with the binary's name adds them.
wrapper=$build/npu-qtest/qemu-system-x86_64
mkdir -p "${wrapper%/*}" || broken "cannot create ${wrapper%/*}"
printf '#!/bin/sh\nexec %s %s "$@"\n' "$qemu" "$data_dirs" >"$wrapper" &&
	chmod +x "$wrapper" || broken "cannot write $wrapper"
export QTEST_QEMU_BINARY="$wrapper"

if ! ninja -C "$build" tests/qtest/npu-test >>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	broken "cannot build tests/qtest/npu-test (see $log)"
fi
test=$build/tests/qtest/npu-test
paths=$("$test" -l 2>>"$log" | grep '^/') || true
[ -n "$paths" ] || broken "npu-test lists no tests (see $log)"

passed=0 failed=0 skipped=0
for path in $paths; do
	out=$(timeout 300 "$test" --tap -p "$path" 2>&1)
	rc=$?
	printf '%s\n' "== $path (exit $rc)" "$out" >>"$log"
	if [ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q "^ok .*# SKIP"; then
		skipped=$((skipped + 1))
		echo "  skip  $path"
	elif [ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q "^ok "; then
		passed=$((passed + 1))
		echo "  ok    $path"
	else
		failed=$((failed + 1))
		echo "  FAIL  $path (exit $rc)"
		printf '%s\n' "$out" | tail -n 15 | sed 's/^/    | /'
	fi
done

echo "$passed $failed" >"$results/qtest.sum"
[ "$skipped" -eq 0 ] || echo "qtest: $skipped skipped"
echo "qtest: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
