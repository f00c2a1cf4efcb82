#!/bin/sh
# Build docs/accuracy.md: for each reference model, float top-1 and the
# int8 top-1 of libnpu's quantizer under each method, on the full
# 10,000-image Fashion-MNIST test set, next to PyTorch's own
# post-training quantization of the same float model
# (tests/models/torch_ptq.json, from torch_ptq.py), and float vs int8
# sizes.
#   tests/models/accuracy.sh [OUT.md]      (after `make all`)
# Environment: NPU (the npu tool, default build/rel/bin/npu), DATA (the
# Fashion-MNIST IDX folder, default Debian's dataset-fashion-mnist),
# MODELS (default "lenet mobilenet resnet mobilenet_bn").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-docs/accuracy.md}
npu=${NPU:-build/rel/bin/npu}
data=${DATA:-/usr/share/datasets/fashion-mnist}
models=${MODELS:-lenet mobilenet resnet mobilenet_bn}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$npu" ] || { echo "accuracy: no npu tool at $npu (make all)" >&2; exit 1; }
[ -r "$data/t10k-images-idx3-ubyte.gz" ] ||
	{ echo "accuracy: no Fashion-MNIST in $data (make deps)" >&2; exit 1; }
train=$data/train-images-idx3-ubyte.gz
test_images=$data/t10k-images-idx3-ubyte.gz
test_labels=$data/t10k-labels-idx1-ubyte.gz

# The quantizer configurations: column title, then npu quantize options.
configs='per-tensor minmax|--per-tensor --method minmax
per-channel minmax|--per-channel --method minmax
per-tensor + CLE + bias corr.|--per-tensor --method minmax --cle --bias-correction
percentile 99.99|--per-channel --method percentile
entropy (KL)|--per-channel --method entropy
MSE|--per-channel --method mse
power-of-two scales|--per-channel --method minmax --pow2'

# A failed run shows as "failed" in its cell (the tool said why on stderr).
top1() {
	t=$(nice -n 10 "$npu" eval "$1" --images "$test_images" --labels "$test_labels" --json |
		sed -n 's/.*"top1": *\([0-9.]*\).*/\1/p')
	if [ -n "$t" ]; then printf '%.2f' "$t"; else printf 'failed'; fi
}

# int8 bytes of a model: weights as int8 plus int32 biases, from npu inspect.
int8_bytes() {
	"$npu" inspect "$1" | sed -n 's/.*bytes as float32, \([0-9]*\) bytes as int8.*/\1/p'
}
float_bytes() {
	"$npu" inspect "$1" | sed -n 's/.*memory \([0-9]*\) bytes as float32.*/\1/p'
}

# PyTorch's numbers for a model: "float top-1 | config top-1, ..." (percent).
torch_ptq() {
	python3 - "$here/torch_ptq.json" "$1" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))["models"].get(sys.argv[2])
if not m:
    print("- | -")
    sys.exit(0)
int8 = ", ".join("%s %.2f" % (c, 100 * v["top1"]) for c, v in sorted(m["int8"].items()))
print("%.2f | %s" % (100 * m["float_top1"], int8))
EOF
}

{
	echo "# Accuracy of the int8 models"
	echo
	echo "Top-1 on the full 10,000-image Fashion-MNIST test set. Each int8 model"
	echo "is made by \`npu quantize\` with 1,000 calibration images (the first"
	echo "1,000 training images), and evaluated by \`npu eval\` on libnpu's int8"
	echo "CPU kernels. These kernels compute exactly what the NPU computes. The"
	echo "PyTorch column is PyTorch's own eager-mode post-training static"
	echo "quantization of the same float model. It uses the same 1,000"
	echo "calibration images, and each engine that Debian's torch supports"
	echo "(\`tests/models/torch_ptq.py\`, numbers in \`tests/models/torch_ptq.json\`)."
	echo
	echo "Reproduce: \`make all && tests/models/accuracy.sh\` ($(date -u +%Y-%m-%d),"
	echo "$(nproc) cores)."
	echo
	printf '| model | float |'
	echo "$configs" | while IFS='|' read -r title _; do printf ' %s |' "$title"; done
	echo ' PyTorch float | PyTorch int8 PTQ | float bytes | int8 bytes |'
	printf '|---|---|'
	echo "$configs" | while IFS='|' read -r _ _; do printf -- '---|'; done
	echo '---|---|---|---|'
	for m in $models; do
		model=$here/$m.onnx
		echo "accuracy: $m" >&2
		float=$(top1 "$model")
		row="| $m | $float |"
		cells=$(echo "$configs" | while IFS='|' read -r title opts; do
			q=$work/$m-$(echo "$title" | tr -c 'a-z0-9' '_').onnx
			# shellcheck disable=SC2086 # opts is a word list
			if nice -n 10 "$npu" quantize "$model" -o "$q" --calib "$train" \
				--calib-count 1000 $opts >/dev/null; then
				printf ' %s |' "$(top1 "$q")"
			else
				printf ' failed |'
			fi
		done)
		q=$work/$m-per_channel_minmax_.onnx
		# mobilenet_bn is mobilenet exported with its BatchNorm nodes kept.
		echo "$row$cells $(torch_ptq "${m%_bn}") | $(float_bytes "$model") | $(int8_bytes "$q") |"
	done
	if [ -r "$here/lenet_qat.onnx" ]; then
		echo
		echo "lenet_qat.onnx was trained with PyTorch's quantization-aware training"
		echo "and exported as QDQ. libnpu keeps its scales (\`npu quantize\` leaves it"
		echo "unchanged). Its top-1 on the int8 kernels: $(top1 "$here/lenet_qat.onnx")."
	fi
} >"$work/accuracy.md"
mv "$work/accuracy.md" "$out"
echo "accuracy: wrote $out" >&2
