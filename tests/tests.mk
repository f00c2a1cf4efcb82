# Host unit suites: every tests/unit/test_*.c is one binary, built in
# both variants; `make test-unit` runs the sanitized ones.

TEST_LIB_SRC := $(wildcard tests/unit/lib/*.c)
# onnxtest.c builds models with the generated ONNX structs.
$(foreach v,$(VARIANTS),$(BUILD)/$(v)/tests/unit/lib/onnxtest.o $(patsubst %.c,$(BUILD)/$(v)/%.o,$(wildcard tests/unit/test_onnx*.c))): $(ONNX_PB_H)
UNIT_TEST_NAMES := $(notdir $(basename $(wildcard tests/unit/test_*.c)))
UNIT_TESTS_rel := $(addprefix $(BUILD)/rel/bin/,$(UNIT_TEST_NAMES))
UNIT_TESTS_san := $(addprefix $(BUILD)/san/bin/,$(UNIT_TEST_NAMES))
BENCH_BIN := $(BUILD)/rel/bin/bench_core
BENCH_COMPILER_BIN := $(BUILD)/rel/bin/bench_compiler

# Spelled out: $(rel_LINK) is defined after this file is read.
BENCH_LINK := $(BUILD)/rel/libnpu.a $(BUILD)/rel/libnpufw.a $(BUILD)/rel/libnpucore.a

$(BUILD)/rel/bin/bench_%: $(BUILD)/rel/tests/bench/bench_%.o $(BENCH_LINK)
	@mkdir -p $(dir $@)
	@echo "  LD [rel] $@"
	$(Q)$(CC) $< $(BENCH_LINK) $(HOST_LIBS) -o $@

# ONNX conformance: the node tests of libonnx-testdata, through the
# public API, sanitized like the unit suites.
CONFORMANCE_BIN := $(BUILD)/san/bin/conformance

$(CONFORMANCE_BIN): $(BUILD)/san/tests/conformance/conformance.o $(BUILD)/san/libnpu.a \
		$(BUILD)/san/libnpucore.a
	@mkdir -p $(dir $@)
	@echo "  LD [san] $@"
	$(Q)$(CC) $(san_LDFLAGS) $^ $(HOST_LIBS) -o $@

all: $(CONFORMANCE_BIN) $(BENCH_BIN) $(BENCH_COMPILER_BIN)

# The table of every test first, then run-suite.sh's counts.
.PHONY: test-conformance
test-conformance: $(CONFORMANCE_BIN)
	$(Q)mkdir -p $(BUILD)/results; rc=0; \
	tests/run-suite.sh $(BUILD)/results conformance $(CONFORMANCE_BIN) \
		>$(BUILD)/results/conformance.out || rc=1; \
	cat $(BUILD)/results/conformance-conformance.log $(BUILD)/results/conformance.out; \
	exit $$rc

.PHONY: test-unit
test-unit: $(UNIT_TESTS_san) $(FW_IMAGE)
	$(Q)NPU_FW_IMAGE=$(FW_IMAGE) tests/run-suite.sh $(BUILD)/results unit $(UNIT_TESTS_san)

# The npu tool's commands end to end on the sim backend (a shell suite).
.PHONY: test-cli
test-cli: $(TOOLS) $(FW_IMAGE)
	$(Q)NPU=$(BUILD)/rel/bin/npu NPU_FIRMWARE=$(FW_IMAGE) \
		tests/run-suite.sh $(BUILD)/results cli tests/cli/test_cli.sh

# The reference models quantized by the npu tool, for the guest's models
# suite and the demo (lenet_qat comes quantized from training).
FMNIST_DIR ?= /usr/share/datasets/fashion-mnist
MODELS_PTQ := $(patsubst %,$(BUILD)/models/%.q.onnx,lenet mobilenet resnet mobilenet_bn)

$(BUILD)/models/%.q.onnx: tests/models/%.onnx $(BUILD)/rel/bin/npu
	@mkdir -p $(dir $@)
	@echo "  QUANTIZE $@"
	$(Q)$(BUILD)/rel/bin/npu quantize $< -o $@ --calib $(FMNIST_DIR)/train-images-idx3-ubyte.gz \
		--calib-count 200 --per-channel >$@.log 2>&1 || { cat $@.log; exit 1; }

# Everything, then one summary line over every suite.  A suite that
# fails to build or run still leaves the others to run; summary.sh
# counts a suite without results as a failure.
TEST_SUITES := unit conformance cli qtest kunit guest

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)rm -rf $(BUILD)/results
	$(Q)for suite in $(TEST_SUITES); do \
		$(MAKE) --no-print-directory test-$$suite || true; \
	done
	$(Q)tests/summary.sh $(BUILD)/results $(TEST_SUITES)

# The reference models the compiler benchmark quantizes and compiles.
BENCH_MODELS := $(addprefix tests/models/,lenet.onnx mobilenet.onnx resnet.onnx)

bench: $(BENCH_BIN) $(BENCH_COMPILER_BIN) $(FW_IMAGE)
	$(Q)NPU_FIRMWARE=$(FW_IMAGE) $(BENCH_BIN)
	$(Q)NPU_FIRMWARE=$(FW_IMAGE) $(BENCH_COMPILER_BIN) $(BENCH_MODELS)

# The quantized LeNet compiled and evaluated through the driver, in the
# guest (tests/guest/run-demo.sh, demo.sh).
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory guest-initramfs
	$(Q)QEMU_BIN=$(QEMU_BIN) GUEST_INITRD=$(GUEST_INITRD) tests/guest/run-demo.sh \
		$(BUILD)/demo.log
