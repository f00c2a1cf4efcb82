# Guest test harness: test programs built with the host compiler against
# libnpu, an initramfs around them (busybox, DRM modules from the Debian
# linux-image package, npu.ko, firmware), and `make test-guest`, which
# boots it under QEMU with the NPU device in two configurations, with
# npu-hostctl beside QEMU: the guest's line to the QEMU monitor.
#
# Include after qemu-device/qemu.mk and driver/driver.mk: QEMU_BIN and
# NPU_KO come from there.

HOSTCTL_SRC := tests/guest/hostctl.c
GUEST_SRC := $(filter-out $(HOSTCTL_SRC),$(wildcard tests/guest/*.c))
GUEST_OBJS := $(patsubst %.c,$(BUILD)/rel/%.o,$(GUEST_SRC))
GUEST_DIR := $(BUILD)/guest
GUEST_TEST := $(GUEST_DIR)/npu-guest-test
GUEST_NPU := $(GUEST_DIR)/npu
GUEST_PROGRAMS := $(GUEST_TEST) $(GUEST_NPU)
GUEST_INITRD := $(GUEST_DIR)/initramfs.cpio.gz
# Runs on the host, not in the guest.
GUEST_HOSTCTL := $(GUEST_DIR)/npu-hostctl
GUEST_LINK := $(BUILD)/rel/libnpu.a $(BUILD)/rel/libnpufw.a $(BUILD)/rel/libnpucore.a
# Static programs when libdrm.a exists; otherwise build-initramfs.sh
# copies their shared libraries and the loader.
GUEST_STATIC := $(if $(wildcard $(shell pkg-config --variable=libdir libdrm 2>/dev/null)/libdrm.a),-static)

$(GUEST_TEST): $(GUEST_OBJS) $(GUEST_LINK)
	@mkdir -p $(dir $@)
	@echo "  LD [guest] $@"
	$(Q)$(CC) $(GUEST_STATIC) $(GUEST_OBJS) $(GUEST_LINK) $(HOST_LIBS) -o $@

$(GUEST_NPU): $(TOOL_OBJS) $(GUEST_LINK)
	@mkdir -p $(dir $@)
	@echo "  LD [guest] $@"
	$(Q)$(CC) $(GUEST_STATIC) $(TOOL_OBJS) $(GUEST_LINK) $(HOST_LIBS) -o $@

$(GUEST_HOSTCTL): $(patsubst %.c,$(BUILD)/rel/%.o,$(HOSTCTL_SRC))
	@mkdir -p $(dir $@)
	@echo "  LD [host] $@"
	$(Q)$(CC) $< -o $@

.PHONY: guest-programs guest-initramfs test-guest
guest-programs: $(GUEST_PROGRAMS) $(GUEST_HOSTCTL)
all: guest-programs

# The models suite's and the demo's files: the quantized models
# (tests/tests.mk) and the Fashion-MNIST test set.
GUEST_DATA := $(MODELS_PTQ) tests/models/lenet_qat.onnx \
	$(FMNIST_DIR)/t10k-images-idx3-ubyte.gz $(FMNIST_DIR)/t10k-labels-idx1-ubyte.gz
GUEST_DATA_ARGS := $(foreach f,$(filter %.onnx,$(GUEST_DATA)),-d $(f):/models/$(notdir $(f))) \
	$(foreach f,$(filter %.gz,$(GUEST_DATA)),-d $(f):/data/fashion-mnist/$(notdir $(f)))

# Rebuilt every time (a few seconds): its inputs come from other parts.
guest-initramfs: module $(FW_IMAGE) guest-programs $(MODELS_PTQ)
	$(Q)tests/guest/build-initramfs.sh -o $(GUEST_INITRD) -k $(NPU_KO) -f $(FW_IMAGE) \
		$(GUEST_DATA_ARGS) $(GUEST_PROGRAMS)

test-guest: qemu module $(FW_IMAGE) guest-programs
	$(Q)$(MAKE) --no-print-directory guest-initramfs
	$(Q)QEMU_BIN=$(QEMU_BIN) GUEST_INITRD=$(GUEST_INITRD) NPU_FW_VERSION=$(FW_IMAGE_VERSION) \
		HOSTCTL_BIN=$(GUEST_HOSTCTL) tests/guest/run-guest.sh $(BUILD)/results
