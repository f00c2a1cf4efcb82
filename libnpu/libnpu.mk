# libnpu: the userspace library and its tools.
LIBNPU_SRC := $(wildcard libnpu/src/*.c libnpu/src/*/*.c)
TOOLS := $(BUILD)/rel/bin/npu

# The drm backend talks to the driver through libdrm (package libdrm-dev).
# Everything that links libnpu.a links libdrm, so both go into the host
# flags the top-level Makefile set before including this file.
LIBDRM_CFLAGS := $(shell pkg-config --cflags libdrm 2>/dev/null)
LIBDRM_LIBS := $(shell pkg-config --libs libdrm 2>/dev/null || echo -ldrm)
HOST_CFLAGS += $(LIBDRM_CFLAGS) -Iuapi
HOST_LIBS += $(LIBDRM_LIBS)

$(BUILD)/rel/bin/npu: $(BUILD)/rel/libnpu/tools/npu.o $(BUILD)/rel/libnpu.a $(BUILD)/rel/libnpucore.a
	@mkdir -p $(dir $@)
	@echo "  LD [rel] $@"
	$(Q)$(CC) $^ $(HOST_LIBS) -o $@
