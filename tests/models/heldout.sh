#!/bin/sh
# Top-1 on held-out training images, to choose quantizer defaults
# without looking at the test set: images and labels 55,000 to 59,999
# of Fashion-MNIST's training set (calibration uses the first 1,000).
#   tests/models/heldout.sh MODEL 'OPTIONS' ['OPTIONS' ...]   (after `make all`)
# prints, per set of `npu quantize` options, the int8 top-1 and the
# float model's.  Environment: NPU (the npu tool), DATA (the IDX folder).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
npu=${NPU:-build/rel/bin/npu}
data=${DATA:-/usr/share/datasets/fashion-mnist}
model=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# IDX files of items 55000..59999: the header with the count changed, then the items.
python3 - "$data" "$work" <<'PY'
import gzip, struct, sys
data, work = sys.argv[1], sys.argv[2]
first, count = 55000, 5000
for name, item in (("train-images-idx3-ubyte.gz", 784), ("train-labels-idx1-ubyte.gz", 1)):
    raw = gzip.open("%s/%s" % (data, name)).read()
    ndim = raw[3]
    head = bytearray(raw[:4 + 4 * ndim])
    struct.pack_into(">I", head, 4, count)
    body = raw[len(head) + first * item:len(head) + (first + count) * item]
    with gzip.open("%s/%s" % (work, name.replace("train", "heldout")), "wb") as f:
        f.write(bytes(head) + body)
PY
images=$work/heldout-images-idx3-ubyte.gz
labels=$work/heldout-labels-idx1-ubyte.gz
top1() {
	"$npu" eval "$1" --images "$images" --labels "$labels" --json |
		sed -n 's/.*"top1": *\([0-9.]*\).*/\1/p'
}
echo "$model float: $(top1 "$here/$model.onnx")"
for opts in "$@"; do
	# shellcheck disable=SC2086 # the options are words
	"$npu" quantize "$here/$model.onnx" -o "$work/q.onnx" $opts \
		--calib "$data/train-images-idx3-ubyte.gz" --calib-count 1000 >/dev/null
	echo "$model $opts: $(top1 "$work/q.onnx")"
done
