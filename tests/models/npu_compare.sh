#!/bin/sh
# The NPU against the int8 CPU path on every reference model: each is
# quantized (`npu quantize --per-channel`, 1,000 calibration images,
# lenet_qat keeps its own scales), then `npu eval --backend B --compare
# cpu` runs the full 10,000-image Fashion-MNIST test set on the device
# and on the CPU kernels.  Prints a markdown table: top-1 both ways, the
# images whose top-1 class agrees, and the largest output difference
# (0 means bit-identical).
#   tests/models/npu_compare.sh [sim|drm]      (after `make all`)
# Environment: NPU (the npu tool), DATA (Fashion-MNIST IDX folder),
# MODELS, COUNT (images, default all), BATCH (images per job, default 8).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
backend=${1:-sim}
npu=${NPU:-build/rel/bin/npu}
data=${DATA:-/usr/share/datasets/fashion-mnist}
models=${MODELS:-lenet mobilenet resnet mobilenet_bn lenet_qat}
batch=${BATCH:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$npu" ] || { echo "npu_compare: no npu tool at $npu (make all)" >&2; exit 1; }
count=${COUNT:+--count $COUNT}
echo "| model | NPU top-1 | CPU top-1 | top-1 agrees | largest difference | images/s ($backend) |"
echo "|---|---|---|---|---|---|"
for m in $models; do
	q=$work/$m.onnx
	if [ "$m" = lenet_qat ]; then
		cp "$here/$m.onnx" "$q"
	else
		"$npu" quantize "$here/$m.onnx" -o "$q" --per-channel \
			--calib "$data/train-images-idx3-ubyte.gz" --calib-count 1000 >/dev/null
	fi
	# shellcheck disable=SC2086 # $count is two words or none
	"$npu" eval "$q" --images "$data/t10k-images-idx3-ubyte.gz" \
		--labels "$data/t10k-labels-idx1-ubyte.gz" $count --backend "$backend" \
		--batch "$batch" --compare cpu --json --quiet >"$work/$m.json"
	python3 - "$m" "$work/$m.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
print("| %s | %.2f | %.2f | %d of %d | %g | %.0f |" % (sys.argv[1], r["top1"], r["cpu_top1"],
      r["top1_agree"], r["count"], r["max_diff"], r["images_per_s"]))
PY
done
