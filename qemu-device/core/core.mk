# The device core: plain C, no QEMU headers; linked into the QEMU glue
# and into libnpu's sim backend.
HW_SRC := $(wildcard hw/*.c)
CORE_SRC := $(wildcard qemu-device/core/*.c)

# The engines' inner loops are written for the vectoriser; -O3 turns it on fully.
$(BUILD)/rel/qemu-device/core/npu_mac.o $(BUILD)/rel/qemu-device/core/npu_ppu.o: rel_CFLAGS := -O3
