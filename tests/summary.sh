#!/bin/sh
# Sum the results of the named suites into the one closing line.
# A suite that left no results counts as one failure.
set -u
results=$1
shift
p=0 f=0
for suite in "$@"; do
	if [ -r "$results/$suite.sum" ]; then
		read sp sf <"$results/$suite.sum"
	else
		echo "suite $suite produced no results"
		sp=0 sf=1
	fi
	p=$((p + sp))
	f=$((f + sf))
done
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
