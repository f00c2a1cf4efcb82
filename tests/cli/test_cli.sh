#!/bin/sh
# The npu tool end to end on the sim backend: eval against the int8 CPU
# path, the placement report, run's .npy output, profile's table and
# trace, compile/.npub, and errors that must exit non-zero and write
# nothing.  Prints "ok - NAME" or "FAIL - NAME" with indented details,
# then "N passed, N failed" (the format tests/run-suite.sh reads).
#
# Environment: NPU (the tool), NPU_FIRMWARE (the sim firmware image),
# DATA (Fashion-MNIST IDX files), ONNX_DATA (libonnx-testdata's node tests).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
NPU=${NPU:-$top/build/rel/bin/npu}
NPU_FIRMWARE=${NPU_FIRMWARE:-$top/build/fw/npu-fw.bin}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
ONNX_DATA=${ONNX_DATA:-/usr/share/libonnx-testdata/data/node}
export NPU_FIRMWARE
PY=/usr/bin/python3

IMAGES=$DATA/t10k-images-idx3-ubyte.gz
LABELS=$DATA/t10k-labels-idx1-ubyte.gz
MODEL=$top/tests/models/lenet_qat.onnx		# QDQ, with a symbolic batch dim
FLOAT=$top/tests/models/lenet.onnx
QMODEL=			# set up below: lenet quantized by `npu quantize`, static shape
RELU=$ONNX_DATA/test_relu
COUNT=40

tmp=$(mktemp -d /tmp/npu-test-cli-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0 failed=0 case_failed=0

# A case is a function; fail() records why, and the case goes on.
fail() {
	case_failed=1
	echo "    $*"
}

run_case() {
	case_failed=0
	"$1"
	if [ "$case_failed" -eq 0 ]; then
		echo "ok - $1"
		passed=$((passed + 1))
	else
		echo "FAIL - $1"
		failed=$((failed + 1))
	fi
}

# npu ARGS... with stdout in $tmp/out, stderr in $tmp/err, status in $rc.
npu() {
	"$NPU" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# The value of top-level key $2 of the JSON object in file $1 ("" if none or not JSON).
json_get() {
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d[sys.argv[2]] if sys.argv[2] in d else "")' "$1" "$2" 2>/dev/null
}

expect_rc0() {
	[ "$rc" -eq 0 ] || fail "exit status $rc: $(head -c 400 "$tmp/err")"
}

# An error case: non-zero status, a message naming the problem ($1), file $2 not written.
expect_error() {
	[ "$rc" -ne 0 ] || fail "exit status 0, expected an error"
	grep -qi -- "$1" "$tmp/err" || fail "no message matching '$1' on stderr: $(head -c 300 "$tmp/err")"
	if [ -n "${2:-}" ] && ls "$2"* >/dev/null 2>&1; then
		fail "$2 was written: $(ls "$2"*)"
	fi
}

# A [1, 1, 28, 28] float32 .npy of test image $1, scaled to [0, 1] like eval's input.
make_image_npy() {
	"$PY" - "$IMAGES" "$1" "$2" <<'EOF'
import array, gzip, struct, sys
raw = gzip.open(sys.argv[1]).read()
i = int(sys.argv[2])
pixels = array.array('f', [b / 255.0 for b in raw[16 + 784 * i:16 + 784 * (i + 1)]])
head = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 28, 28), }"
head += ' ' * (128 - 10 - len(head) - 1) + '\n'
with open(sys.argv[3], 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(head)) + head.encode())
    f.write(pixels.tobytes())
EOF
}

# ------------------------------------------------------------------ eval

eval_cpu_json() {
	npu eval "$MODEL" --images "$IMAGES" --labels "$LABELS" --count $COUNT --json
	expect_rc0
	cp "$tmp/out" "$tmp/cpu.json"
	[ "$(json_get "$tmp/cpu.json" count)" = $COUNT ] || fail "count: $(cat "$tmp/out")"
	[ "$(json_get "$tmp/cpu.json" backend)" = cpu ] || fail "backend: $(cat "$tmp/out")"
	[ -n "$(json_get "$tmp/cpu.json" top1)" ] || fail "no top1: $(cat "$tmp/out")"
}

# The NPU's outputs are the int8 CPU path's, bit for bit; stdout is one JSON object.
eval_sim_compare_cpu() {
	npu eval "$MODEL" --images "$IMAGES" --labels "$LABELS" --count $COUNT --backend sim \
		--compare cpu --json
	expect_rc0
	[ "$(json_get "$tmp/out" max_diff)" = 0 ] || fail "max_diff is not 0: $(cat "$tmp/out")"
	[ "$(json_get "$tmp/out" top1_agree)" = $COUNT ] || fail "top-1 disagrees: $(cat "$tmp/out")"
	top1=$(json_get "$tmp/out" top1)
	[ -n "$top1" ] && [ "$top1" = "$(json_get "$tmp/out" cpu_top1)" ] ||
		fail "top1 $top1 != cpu_top1: $(cat "$tmp/out")"
	[ "$top1" = "$(json_get "$tmp/cpu.json" top1)" ] ||
		fail "top1 $top1 on sim, $(json_get "$tmp/cpu.json" top1) with --backend cpu"
	[ "$(json_get "$tmp/out" backend)" = sim ] || fail "backend: $(cat "$tmp/out")"
	grep -q '^NPU ops = ' "$tmp/err" || fail "--json: no placement report on stderr"
}

# The report's lines agree with its summary: NPU and CPU counts and the share, one decimal.
placement_report() {
	npu eval "$MODEL" --images "$IMAGES" --labels "$LABELS" --count 4 --backend sim
	expect_rc0
	summary=$(grep '^NPU ops = ' "$tmp/out")
	echo "$summary" | grep -Eq '^NPU ops = [0-9]+ \([0-9]+\.[0-9]%\), CPU ops = [0-9]+$' ||
		fail "summary line: '$summary'"
	npu_lines=$(grep -Ec '^ *[0-9]+  .* NPU +[0-9]+ +[0-9]+$' "$tmp/out")
	cpu_lines=$(grep -Ec '^ *[0-9]+  .* CPU +- +-  [^ ]' "$tmp/out")
	want=$(awk -v n="$npu_lines" -v c="$cpu_lines" \
		'BEGIN { printf "NPU ops = %d (%.1f%%), CPU ops = %d", n, 100 * n / (n + c), c }')
	[ "$summary" = "$want" ] || fail "'$summary' but the lines say '$want'"
	[ "$npu_lines" -gt 0 ] || fail "no operation on the NPU"
	grep -q 'CPU .*reshape\|CPU .*no integer form' "$tmp/out" || fail "CPU ops without a reason"
	grep -q '^top-1: ' "$tmp/out" || fail "no result line after the report"
	npu eval "$MODEL" --images "$IMAGES" --labels "$LABELS" --count 4 --backend sim --quiet
	expect_rc0
	! grep -q '^NPU ops' "$tmp/out" || fail "--quiet still printed the report"
}

# ------------------------------------------------------------------- run

# A TensorProto input; the .npy output holds exactly the test's expected bytes,
# and reads back as an input (Relu of a Relu is the same Relu).
run_pb_and_npy() {
	npu run "$RELU/model.onnx" --input "$RELU/test_data_set_0/input_0.pb" \
		--output "$tmp/relu.npy"
	expect_rc0
	grep -q "float32 \[3, 4, 5\]" "$tmp/out" || fail "output shape: $(cat "$tmp/out")"
	"$PY" -c 'import sys
a = open(sys.argv[1], "rb").read()
b = open(sys.argv[2], "rb").read()
sys.exit(not (a[:6] == b"\x93NUMPY" and len(a) == 128 + 240 and a[128:] in b))' \
		"$tmp/relu.npy" "$RELU/test_data_set_0/output_0.pb" ||
		fail "relu.npy does not hold output_0.pb's 60 floats"
	npu run "$RELU/model.onnx" --input "$tmp/relu.npy" --output "$tmp/relu2.npy"
	expect_rc0
	cmp -s "$tmp/relu.npy" "$tmp/relu2.npy" || fail "Relu(Relu(x)) written differently"
}

# One image on the CPU and on the device: the same bytes, and a top-5.
run_cpu_equals_sim() {
	make_image_npy 0 "$tmp/img0.npy" || { fail "cannot make the input"; return; }
	npu run "$MODEL" --input "$tmp/img0.npy" --output "$tmp/cpu.npy"
	expect_rc0
	[ "$(grep -c '^  class ' "$tmp/out")" -eq 5 ] || fail "no top-5: $(cat "$tmp/out")"
	grep -q 'softmax of the output' "$tmp/out" || fail "does not say it took the softmax"
	npu run "$MODEL" --input "$tmp/img0.npy" --output "$tmp/sim.npy" --backend sim
	expect_rc0
	grep -q '^NPU ops = ' "$tmp/out" || fail "no placement report"
	cmp -s "$tmp/cpu.npy" "$tmp/sim.npy" || fail "sim output differs from the CPU's"
	[ "$(wc -c <"$tmp/sim.npy")" -eq $((128 + 40)) ] || fail "not 10 floats after a header"
}

# --------------------------------------------------------------- profile

profile_table_and_trace() {
	npu profile "$QMODEL" --images "$IMAGES" --count 2 --trace "$tmp/trace.json"
	expect_rc0
	grep -q 'cycles *MAC util *MAC busy *DMA busy *DRAM bytes *min bytes *DRAM/min *host us' "$tmp/out" ||
		fail "no table header: $(head -c 300 "$tmp/out")"
	# As many table rows as the placement report has operations.
	ops=$(awk '/ where +seg +tiles/ { on = 1; next } /^NPU ops = / { on = 0 } on' \
		"$tmp/out" | grep -c .)
	rows=$(awk '/ cycles +MAC util/ { on = 1; next } /^total: / { on = 0 } on' \
		"$tmp/out" | grep -c .)
	[ "$rows" -eq "$ops" ] && [ "$rows" -gt 0 ] || fail "$rows table rows for $ops operations"
	grep -Eq '^ *[0-9]+  .* NPU +[1-9][0-9]* ' "$tmp/out" || fail "no NPU row with cycles"
	grep -q '^total: [1-9][0-9]* device cycles' "$tmp/out" || fail "no totals line"
	"$PY" -c 'import json, sys
t = json.load(open(sys.argv[1]))
ev = t["traceEvents"]
x = [e for e in ev if e["ph"] == "X"]
m = [e for e in ev if e["ph"] == "M" and e["name"] == "thread_name"]
assert x and len(m) >= 2
assert all(isinstance(e["ts"], (int, float)) and e["dur"] >= 0 for e in x)
assert {e["tid"] for e in x} <= {e["tid"] for e in m}
assert any(e["cat"] == "device" and e["args"]["cycles"] > 0 for e in x)' "$tmp/trace.json" ||
		fail "the trace is not a valid trace-event file"
	npu profile "$QMODEL" --quiet
	expect_rc0
	grep -q '^total: ' "$tmp/out" || fail "no run on zeros without --images"
	npu profile "$MODEL" --quiet --input-shape 1,1,28,28
	expect_rc0
	npu profile "$MODEL" --quiet
	expect_error "input-shape"
}

# ------------------------------------------------------ compile and .npub

compile_and_npub() {
	npu compile "$MODEL" -o "$tmp/lenet.npub" --input-shape 1,1,28,28
	expect_rc0
	grep -q '^NPU ops = ' "$tmp/out" || fail "no placement report"
	[ -s "$tmp/lenet.npub" ] || { fail "no .npub written"; return; }
	size=$(wc -c <"$tmp/lenet.npub")
	grep -q "wrote $tmp/lenet.npub: $size bytes" "$tmp/out" || fail "size not reported as $size"
	npu eval "$tmp/lenet.npub" --images "$IMAGES" --labels "$LABELS" --count $COUNT \
		--backend sim --compare cpu --json --quiet
	expect_rc0
	[ "$(json_get "$tmp/out" max_diff)" = 0 ] || fail ".npub max_diff: $(cat "$tmp/out")"
	[ "$(json_get "$tmp/out" top1)" = "$(json_get "$tmp/cpu.json" top1)" ] ||
		fail ".npub top1 differs from the ONNX model's: $(cat "$tmp/out")"
	make_image_npy 0 "$tmp/img0.npy"
	npu run "$tmp/lenet.npub" --input "$tmp/img0.npy" --output "$tmp/npub.npy" \
		--backend sim --quiet
	expect_rc0
	npu run "$MODEL" --input "$tmp/img0.npy" --output "$tmp/onnx.npy"
	cmp -s "$tmp/npub.npy" "$tmp/onnx.npy" || fail ".npub run differs from the ONNX model's"
	# A model compiled for batches of 8 runs one image too (padded).
	npu compile "$MODEL" -o "$tmp/lenet8.npub" --input-shape 1,1,28,28 --batch 8 --quiet
	expect_rc0
	npu run "$tmp/lenet8.npub" --input "$tmp/img0.npy" --output "$tmp/npub8.npy" \
		--backend sim --quiet
	expect_rc0
	cmp -s "$tmp/npub8.npy" "$tmp/onnx.npy" || fail "the batch-8 .npub runs one image differently"
	npu profile "$tmp/lenet8.npub" --images "$IMAGES" --count 3 --quiet
	expect_rc0
	grep -q 'totals over 3 images (the device ran 8: whole batches)' "$tmp/out" ||
		fail "profile of a batch-8 .npub: $(head -c 300 "$tmp/out")"
	npu profile "$tmp/lenet.npub" --quiet
	expect_rc0
	head -c $((size / 2)) "$tmp/lenet.npub" >"$tmp/half.npub"
	npu run "$tmp/half.npub" --input "$tmp/img0.npy" --output "$tmp/half.npy" --backend sim
	expect_error "compiled model" "$tmp/half.npy"
}

# ----------------------------------------------------------------- errors

errors_eval() {
	npu eval "$tmp/missing.onnx" --images "$IMAGES" --labels "$LABELS"
	expect_error "missing.onnx"
	npu eval "$MODEL" --images "$IMAGES" --labels "$DATA/train-labels-idx1-ubyte.gz"
	expect_error "labels"
	npu eval "$MODEL" --images "$IMAGES" --labels "$LABELS" --count 20000
	expect_error "has only"
	npu eval "$MODEL" --images "$IMAGES" --labels "$LABELS" --backend tpu
	expect_error "unknown backend"
	npu eval "$FLOAT" --images "$IMAGES" --labels "$LABELS" --backend sim
	expect_error "npu quantize"
	npu eval "$RELU/model.onnx" --images "$IMAGES" --labels "$LABELS" --count 2
	expect_error "input"
}

errors_compile() {
	npu compile "$FLOAT" -o "$tmp/float.npub"
	expect_error "npu quantize" "$tmp/float.npub"
	npu compile "$QMODEL" -o "$tmp/no-such-dir/x.npub"
	expect_error "no-such-dir" "$tmp/no-such-dir"
	npu compile "$QMODEL" -o "$tmp/x.onnx"
	expect_error "npub" "$tmp/x.onnx"
	npu compile "$QMODEL" -o "$tmp/x.npub" --backend cpu
	expect_error "sim" "$tmp/x.npub"
	npu compile "$MODEL" -o "$tmp/x.npub"
	expect_error "input-shape" "$tmp/x.npub"
	npu compile "$QMODEL" -o "$tmp/x.npub" --input-shape 1,1,28,27
	expect_error "shape" "$tmp/x.npub"
}

errors_run() {
	npu run "$QMODEL" --input "$RELU/test_data_set_0/input_0.pb" --output "$tmp/e1.npy"
	expect_error "shape" "$tmp/e1.npy"
	npu run "$MODEL" --input "$RELU/test_data_set_0/input_0.pb" --output "$tmp/e1.npy"
	expect_error "rank" "$tmp/e1.npy"
	npu run "$MODEL" --input "$tmp/none.npy" --output "$tmp/e2.npy"
	expect_error "none.npy" "$tmp/e2.npy"
	printf 'not an array' >"$tmp/junk.npy"
	npu run "$MODEL" --input "$tmp/junk.npy" --output "$tmp/e3.npy"
	expect_error "input" "$tmp/e3.npy"
	printf 'NPUB-garbage' >"$tmp/corrupt.npub"
	npu run "$tmp/corrupt.npub" --input "$RELU/test_data_set_0/input_0.pb" \
		--output "$tmp/e4.npy" --backend sim
	expect_error "compiled model" "$tmp/e4.npy"
	npu run "$tmp/corrupt.npub" --input "$RELU/test_data_set_0/input_0.pb" \
		--output "$tmp/e5.npy"
	expect_error "NPU backend" "$tmp/e5.npy"
	npu run "$RELU/model.onnx" --input "$RELU/test_data_set_0/input_0.pb" \
		--output "$tmp/no-such-dir/e6.npy"
	expect_error "no-such-dir" "$tmp/no-such-dir"
}

errors_profile() {
	npu profile "$QMODEL" --quiet --trace "$tmp/no-such-dir/t.json"
	expect_error "no-such-dir" "$tmp/no-such-dir"
	npu profile "$QMODEL" --backend cpu --trace "$tmp/t.json"
	expect_error "NPU backend" "$tmp/t.json"
	npu profile "$FLOAT" --trace "$tmp/t.json"
	expect_error "npu quantize" "$tmp/t.json"
}

for f in "$NPU" "$NPU_FIRMWARE" "$IMAGES" "$LABELS" "$RELU/model.onnx" "$PY"; do
	if [ ! -r "$f" ]; then
		echo "FAIL - setup: $f is missing"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
QMODEL=$tmp/lenet-int8.onnx
if ! "$NPU" quantize "$FLOAT" -o "$QMODEL" --calib "$DATA/train-images-idx3-ubyte.gz" \
		--calib-count 50 --per-channel >"$tmp/err" 2>&1; then
	echo "FAIL - setup: npu quantize: $(cat "$tmp/err")"
	echo "0 passed, 1 failed"
	exit 1
fi
run_case eval_cpu_json
run_case eval_sim_compare_cpu
run_case placement_report
run_case run_pb_and_npy
run_case run_cpu_equals_sim
run_case profile_table_and_trace
run_case compile_and_npub
run_case errors_eval
run_case errors_compile
run_case errors_run
run_case errors_profile
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
