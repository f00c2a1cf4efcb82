/* SPDX-License-Identifier: MIT */
/*
 * npu/sim.h - what only the in-process simulator can do: inject device
 * faults, write raw page-table entries, read registers and the
 * firmware log, let device time pass.  For tests and fault studies.
 */
#ifndef NPU_SIM_H
#define NPU_SIM_H

#include "npu/device.h"
#include "npu_core.h"

/* Arm a device fault for its next `count` occurrences. */
int npu_sim_inject(struct npu_device *dev, enum npu_core_fault fault, uint32_t count);

/* Overwrite the level-2 (or, with npu_sim_set_l1, level-1) entry of `va`. */
int npu_sim_set_pte(struct npu_device *dev, uint32_t va, uint64_t entry);
int npu_sim_set_l1(struct npu_device *dev, uint32_t va, uint64_t entry);

/* Read or write a BAR0 register; safe from another thread. */
int npu_sim_read_reg(struct npu_device *dev, uint32_t offset, uint32_t *value);
int npu_sim_write_reg(struct npu_device *dev, uint32_t offset, uint32_t value);

/* Let `cycles` of idle device time pass and run what becomes due. */
int npu_sim_idle(struct npu_device *dev, uint64_t cycles);

/* Copy the firmware log into buf (NUL-terminated); returns its length. */
size_t npu_sim_fw_log(struct npu_device *dev, char *buf, size_t len);

/* Interrupts delivered so far on MSI-X vector `vector`. */
uint64_t npu_sim_irq_count(struct npu_device *dev, unsigned int vector);

#endif /* NPU_SIM_H */
