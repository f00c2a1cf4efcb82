#!/bin/sh
# Run test binaries of one suite; each ends with "N passed, N failed".
# Writes RESULTS/SUITE.sum ("passed failed") and each binary's log, and
# exits non-zero if anything failed.  A binary that dies before its
# summary line counts as one failure.
set -u
results=$1 suite=$2
shift 2
mkdir -p "$results"
total_p=0 total_f=0
for bin in "$@"; do
	name=$(basename "$bin")
	log="$results/$suite-$name.log"
	"$bin" >"$log" 2>&1
	rc=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*, }; f=${f%% failed*}
	else
		p=0 f=0
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "$name: exited with status $rc before its summary" >>"$log"
	fi
	grep -E '^(FAIL|    )' "$log" | sed "s/^/  $name: /"
	[ "$f" -ne 0 ] && tail -n 20 "$log" | sed "s/^/  $name| /"
	printf '  %-24s %4d passed, %d failed\n' "$name" "$p" "$f"
	total_p=$((total_p + p))
	total_f=$((total_f + f))
done
echo "$total_p $total_f" >"$results/$suite.sum"
echo "$suite: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
