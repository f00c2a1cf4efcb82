# Top-level build: `make` builds everything, `make test` runs every suite.
# Each part contributes a fragment (*.mk) that sets variables used here.

BUILD ?= build
CC ?= gcc
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

# Host C: one set of warnings everywhere; two variants, release and
# sanitized (ASan + UBSan), so every suite runs under the sanitizers.
HOST_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g \
	-fno-strict-aliasing -Ihw -Iqemu-device/core -Ilibnpu/include \
	-Ilibnpu/src -Ifirmware -Itests/unit/lib
rel_CFLAGS := -O2
san_CFLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
rel_LDFLAGS :=
san_LDFLAGS := -fsanitize=address,undefined
HOST_LIBS := -lm -lpthread

VARIANTS := rel san

# Long builds (QEMU, the KUnit kernel, the unpacked guest kernel) live
# here, outside the checkout, keyed by version.
NPU_CACHE ?= /var/cache/npu-stack
export NPU_CACHE

.PHONY: all deps test test-unit bench demo clean
# Objects of test binaries are not intermediates to delete.
.SECONDARY:
all:

include firmware/firmware.mk
include qemu-device/core/core.mk
include qemu-device/qemu.mk
include driver/driver.mk
include libnpu/libnpu.mk
include tests/tests.mk
include tests/guest/guest.mk

# $(call host_objs,variant,sources)
host_objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

define host_variant
$(BUILD)/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  CC [$(1)] $$<"
	$(Q)$$(CC) $$(HOST_CFLAGS) $$($(1)_CFLAGS) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/libnpucore.a: $(call host_objs,$(1),$(HW_SRC) $(CORE_SRC))
	@echo "  AR [$(1)] $$@"
	$(Q)rm -f $$@ && ar rcs $$@ $$^

$(BUILD)/$(1)/libnpu.a: $(call host_objs,$(1),$(LIBNPU_SRC))
	@echo "  AR [$(1)] $$@"
	$(Q)rm -f $$@ && ar rcs $$@ $$^

$(BUILD)/$(1)/libnpufw.a: $(call host_objs,$(1),$(FW_HOST_SRC))
	@echo "  AR [$(1)] $$@"
	$(Q)rm -f $$@ && ar rcs $$@ $$^

$(BUILD)/$(1)/libnputest.a: $(call host_objs,$(1),$(TEST_LIB_SRC))
	@echo "  AR [$(1)] $$@"
	$(Q)rm -f $$@ && ar rcs $$@ $$^

# Link order: tests and tools first, then libnpu over the core.
$(1)_LINK := $(BUILD)/$(1)/libnputest.a $(BUILD)/$(1)/libnpu.a \
	$(BUILD)/$(1)/libnpufw.a $(BUILD)/$(1)/libnpucore.a

$(BUILD)/$(1)/bin/%: $(BUILD)/$(1)/tests/unit/%.o $$($(1)_LINK)
	@mkdir -p $$(dir $$@)
	@echo "  LD [$(1)] $$@"
	$(Q)$$(CC) $$($(1)_LDFLAGS) $$< $$($(1)_LINK) $(HOST_LIBS) -o $$@

-include $(shell find $(BUILD)/$(1) -name '*.d' 2>/dev/null)
endef
$(foreach v,$(VARIANTS),$(eval $(call host_variant,$(v))))

all: $(FW_IMAGE) $(BUILD)/rel/libnpu.a $(BUILD)/rel/libnpucore.a $(TOOLS) \
	$(foreach v,$(VARIANTS),$(UNIT_TESTS_$(v))) qemu module

# Debian packages every part needs; installs only what is missing.
deps:
	$(Q)tests/deps.sh

clean:
	rm -rf $(BUILD)
