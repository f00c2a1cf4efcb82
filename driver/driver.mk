# The kernel driver: npu.ko built out of tree (top-level Kbuild) against
# the Debian 6.12 headers, its KUnit suites under UML, and checkpatch.
# `make test` runs deps first; these targets assume they are there.

KREL := $(shell tests/kernel-version.sh 2>/dev/null)
KDIR := /lib/modules/$(KREL)/build
# Where the guest harness picks the module up.
NPU_KO := $(BUILD)/npu.ko
export NPU_KO

DRIVER_SRC := Kbuild $(wildcard driver/*.c driver/*.h) hw/npu_hw.h hw/npu_fw_image.h \
	hw/npu_fw_image.c uapi/npu_accel.h
DRIVER_CHECKPATCH := $(wildcard driver/*.c driver/*.h)

.PHONY: module test-kunit checkpatch
module: $(NPU_KO)

# Kbuild gets a clean make environment: our command-line variables
# (CC=..., say) are not its business.
$(NPU_KO): $(DRIVER_SRC)
	@test -n "$(KREL)" -a -d "$(KDIR)" || \
		{ echo "module: no headers for kernel '$(KREL)' (make deps)" >&2; exit 1; }
	@echo "  KBUILD  npu.ko for $(KREL)"
	$(Q)env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(filter 1,$(V)),V=1) modules
	@mkdir -p $(dir $@)
	$(Q)cp npu.ko $@

test-kunit:
	$(Q)driver/run-kunit.sh $(BUILD)/results

# checkpatch from the kernel tree KUnit uses; fails on errors only.
checkpatch:
	$(Q)src=$$(driver/kernel-source.sh) && \
	out=$$($$src/scripts/checkpatch.pl --strict --no-tree --show-types -f \
		$(DRIVER_CHECKPATCH) 2>&1); \
	echo "$$out" | grep -E '^(ERROR|WARNING|CHECK)|^#|^\+' ; \
	e=$$(echo "$$out" | sed -n 's/^total: \([0-9]*\) errors.*/\1/p' | \
		awk '{ s += $$1 } END { print s + 0 }'); \
	w=$$(echo "$$out" | sed -n 's/^total: [0-9]* errors, \([0-9]*\) warnings.*/\1/p' | \
		awk '{ s += $$1 } END { print s + 0 }'); \
	c=$$(echo "$$out" | sed -n 's/^total: .* warnings, \([0-9]*\) checks.*/\1/p' | \
		awk '{ s += $$1 } END { print s + 0 }'); \
	echo "checkpatch: $$e errors, $$w warnings, $$c checks in $(words $(DRIVER_CHECKPATCH)) files"; \
	test "$$e" -eq 0 && echo "$$out" | grep -q '^total:'

# Kbuild writes next to the sources; `make clean` removes that too.
.PHONY: module-clean
clean: module-clean
module-clean:
	$(Q)rm -f npu.ko npu.o npu.mod npu.mod.c npu.mod.o .module-common.o Module.symvers \
		modules.order .*.cmd driver/*.o driver/.*.cmd hw/*.o hw/.*.cmd
