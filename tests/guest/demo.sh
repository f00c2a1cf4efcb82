#!/bin/sh
# The demo, in the guest (`make demo`: run-demo.sh boots it with
# npuguest.demo=1): the quantized LeNet-style reference model, compiled
# for the NPU through the driver, evaluated on 1,000 Fashion-MNIST test
# images against the CPU's int8 path, and its per-layer profile.  Each
# step shows its command and time; the first failing one ends the demo
# with its status.
model=/models/lenet.q.onnx
npub=/tmp/lenet.npub
images=/data/fashion-mnist/t10k-images-idx3-ubyte.gz
labels=/data/fashion-mnist/t10k-labels-idx1-ubyte.gz

uptime_s() { cut -d' ' -f1 /proc/uptime; }

step() {
	echo
	echo "\$ $*"
	start=$(uptime_s)
	"$@"
	rc=$?
	if [ "$rc" != 0 ]; then
		echo "demo: '$*' failed with status $rc"
		exit "$rc"
	fi
	awk -v a="$start" -v b="$(uptime_s)" 'BEGIN { printf "(%.1f s)\n", b - a }'
}

step npu info --backend drm
step npu compile "$model" -o "$npub" --backend drm --batch 8
step npu eval "$npub" --images "$images" --labels "$labels" --count 1000 --backend drm \
	--compare cpu --quiet
# Profiling compiles its own way: a job per layer, for per-layer counters.
step npu profile "$model" --backend drm --images "$images" --count 16 --quiet
