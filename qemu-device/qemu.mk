# QEMU with the NPU device, built from Debian's source package in a
# cache outside the checkout (qemu-device/build-qemu.sh), and its qtest.
# `make test` runs deps first; `make qemu` assumes they are there.

# build-qemu.sh points qemu-current at the QEMU version it built last.
QEMU_BIN := $(NPU_CACHE)/qemu-current/src/build/qemu-system-x86_64
# Firmware and option ROMs the self-built binary needs on its command line.
QEMU_DATA_DIRS := -L /usr/share/qemu -L /usr/share/seabios -L /usr/lib/ipxe/qemu
# For the guest harness and any other recipe that starts the device.
export QEMU_BIN QEMU_DATA_DIRS

.PHONY: qemu test-qtest

qemu:
	$(Q)qemu-device/build-qemu.sh

test-qtest: qemu $(FW_IMAGE)
	$(Q)NPU_FW_IMAGE=$(FW_IMAGE) \
		qemu-device/run-qtest.sh $(BUILD)/results
