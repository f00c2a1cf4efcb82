# libnpu: the userspace library and its tools.

# ONNX import decodes models with protobuf-c: protoc-c compiles the
# onnx.proto that python3-onnx installs into the build directory (it is
# generated, never committed).
ONNX_PROTO := /usr/lib/python3/dist-packages/onnx/onnx.proto
ONNX_GEN := $(BUILD)/gen
ONNX_PB_C := $(ONNX_GEN)/onnx.pb-c.c
ONNX_PB_H := $(ONNX_GEN)/onnx.pb-c.h

$(ONNX_PB_C) $(ONNX_PB_H) &: $(ONNX_PROTO)
	@mkdir -p $(ONNX_GEN)
	@echo "  PROTOC-C $<"
	$(Q)protoc-c --c_out=$(ONNX_GEN) -I$(dir $<) $<

LIBNPU_SRC := $(wildcard libnpu/src/*.c libnpu/src/*/*.c) $(ONNX_PB_C)
TOOLS := $(BUILD)/rel/bin/npu

# The drm backend talks to the driver through libdrm (package libdrm-dev).
# Everything that links libnpu.a links libdrm, so both go into the host
# flags the top-level Makefile set before including this file.
LIBDRM_CFLAGS := $(shell pkg-config --cflags libdrm 2>/dev/null)
LIBDRM_LIBS := $(shell pkg-config --libs libdrm 2>/dev/null || echo -ldrm)
HOST_CFLAGS += $(LIBDRM_CFLAGS) -Iuapi -I$(ONNX_GEN)
HOST_LIBS += $(LIBDRM_LIBS) -lprotobuf-c -lz

# Every libnpu object may include the generated header (through graph/).
$(foreach v,$(VARIANTS),$(patsubst %.c,$(BUILD)/$(v)/%.o,$(filter libnpu/src/graph/%,$(LIBNPU_SRC)))): $(ONNX_PB_H)

# The tool: one file per subcommand group, on the public API only.
TOOL_OBJS := $(patsubst %.c,$(BUILD)/rel/%.o,$(wildcard libnpu/tools/*.c))

$(BUILD)/rel/bin/npu: $(TOOL_OBJS) $(BUILD)/rel/libnpu.a $(BUILD)/rel/libnpucore.a
	@mkdir -p $(dir $@)
	@echo "  LD [rel] $@"
	$(Q)$(CC) $^ $(HOST_LIBS) -o $@
