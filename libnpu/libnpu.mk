# libnpu: the userspace library and its tools.
LIBNPU_SRC := $(wildcard libnpu/src/*.c libnpu/src/*/*.c)
TOOLS := $(BUILD)/rel/bin/npu

$(BUILD)/rel/bin/npu: $(BUILD)/rel/libnpu/tools/npu.o $(BUILD)/rel/libnpu.a $(BUILD)/rel/libnpucore.a
	@mkdir -p $(dir $@)
	@echo "  LD [rel] $@"
	$(Q)$(CC) $^ $(HOST_LIBS) -o $@
