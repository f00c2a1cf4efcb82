# The device core: plain C, no QEMU headers; linked into the QEMU glue
# and into libnpu's sim backend.
HW_SRC := $(wildcard hw/*.c)
CORE_SRC := $(wildcard qemu-device/core/*.c)
