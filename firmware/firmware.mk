# The command processor's firmware: rv32im, built with clang/lld into a
# flat binary and wrapped into an image by npu-fwpack.  job.c and mbox.c
# are target-independent and also built for the host unit tests.

# The one place the firmware version is set: the image header and the
# version the firmware reports both come from it.
FW_VERSION := 1.0.0
# major << 16 | minor << 8 | patch; npu-fwpack rejects parts over 255.
FW_IMAGE_VERSION := $(shell printf '0x%02x%02x%02x' $(subst ., ,$(FW_VERSION)))

FW_IMAGE := $(BUILD)/fw/npu-fw.bin
FW_HOST_SRC := firmware/job.c firmware/mbox.c
FWPACK := $(BUILD)/rel/bin/npu-fwpack

FW_CC := clang
FW_OBJCOPY := llvm-objcopy
# -mno-relax: crt0 sets no gp, so no gp-relative linker relaxation.
FW_CFLAGS := --target=riscv32 -march=rv32im -mabi=ilp32 -mno-relax \
	-ffreestanding -nostdlib -fno-builtin -O2 -Wall -Wextra -Werror \
	-fno-strict-aliasing -ffunction-sections -fdata-sections \
	-Ihw -Ifirmware -DFW_IMAGE_VERSION=$(FW_IMAGE_VERSION)
# No libc or libgcc: a helper call the compiler emits (64-bit division,
# say) stays undefined and fails the link.
FW_LDFLAGS := -fuse-ld=lld -static -Wl,--gc-sections -Wl,--no-undefined

# crt0.S must come first in IMEM; link.ld.S places its section first.
FW_SRC := firmware/crt0.S firmware/main.c $(FW_HOST_SRC) firmware/libc.c \
	hw/npu_cmd.c
FW_OBJS := $(addprefix $(BUILD)/fw/,$(addsuffix .o,$(basename $(FW_SRC))))

$(BUILD)/fw/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [fw] $<"
	$(Q)$(FW_CC) $(FW_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fw/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS [fw] $<"
	$(Q)$(FW_CC) $(FW_CFLAGS) -MMD -MP -c $< -o $@

# The version is compiled into main.o.
$(BUILD)/fw/firmware/main.o: firmware/firmware.mk

# ld cannot parse C's unsigned suffixes (0x10000u): strip them.
$(BUILD)/fw/link.ld: firmware/link.ld.S hw/npu_hw.h
	@mkdir -p $(dir $@)
	@echo "  CPP [fw] $<"
	$(Q)$(FW_CC) -E -P -x c -Ihw -imacros npu_hw.h $< | \
		sed -E 's/\b(0[xX][0-9a-fA-F]+|[0-9]+)[uU]\b/\1/g' >$@.tmp && \
		mv $@.tmp $@

$(BUILD)/fw/npu-fw.elf: $(FW_OBJS) $(BUILD)/fw/link.ld
	@echo "  LD [fw] $@"
	$(Q)$(FW_CC) $(FW_CFLAGS) $(FW_LDFLAGS) -T $(BUILD)/fw/link.ld \
		$(FW_OBJS) -o $@

$(BUILD)/fw/npu-fw.flat: $(BUILD)/fw/npu-fw.elf
	@echo "  OBJCOPY [fw] $@"
	$(Q)$(FW_OBJCOPY) -O binary $< $@

$(FW_IMAGE): $(BUILD)/fw/npu-fw.flat $(FWPACK) firmware/firmware.mk
	@echo "  PACK [fw] $@"
	$(Q)$(FWPACK) --version $(FW_VERSION) --entry 0 -o $@ $<

# The packer needs only the image checks, not all of libnpucore.
$(FWPACK): $(BUILD)/rel/firmware/tools/npu-fwpack.o $(BUILD)/rel/hw/npu_fw_image.o
	@mkdir -p $(dir $@)
	@echo "  LD [rel] $@"
	$(Q)$(CC) $^ -o $@

-include $(wildcard $(BUILD)/fw/*.d $(BUILD)/fw/*/*.d)
