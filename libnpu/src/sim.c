// SPDX-License-Identifier: MIT
/*
 * The sim backend: the device core in-process, with emulated DRAM as
 * its bus, driven the way the kernel driver drives the PCI device:
 * firmware loaded through FW_ADDR and booted by the boot ROM, the HELLO
 * handshake, page tables built here, jobs through the ring and the
 * fence.  One open device is one MMU context.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device_priv.h"
#include "diag.h"
#include "npu/error.h"
#include "npu/sim.h"
#include "npu_fw_image.h"

#define SIM_DEFAULT_MEMORY	(64u << 20)
#define SIM_RING_ENTRIES	64u
#define SIM_CONTEXT		1u
/* The first VA handed out; page 0 stays unmapped to catch null addresses. */
#define SIM_VA_BASE		0x00010000u
/* CP instructions per npu_core_run call while waiting. */
#define SIM_RUN_BUDGET		(1u << 20)
/* Device cycles that pass per idle step while nothing runs. */
#define SIM_IDLE_STEP		1000000u
#define SIM_BOOT_TIMEOUT_MS	5000u

/* First-fit allocator of page runs over a bitmap. */
struct sim_pages {
	uint8_t *used;
	uint32_t count;
};

struct sim_device {
	struct npu_device base;
	struct npu_core *core;
	uint8_t *mem;
	size_t mem_size;
	struct sim_pages phys;
	struct sim_pages virt;
	uint64_t l1;			/* bus address of the level-1 table */
	uint64_t l2[NPU_PT_ENTRIES];	/* bus address of each level-2 table, 0 = none */
	uint64_t ring, done, fence;
	uint32_t tail;
	uint32_t next_seqno;
	uint64_t irqs[NPU_MSIX_VECTORS];
};

struct sim_bo {
	struct npu_bo base;
	uint64_t pa;
	uint32_t pages;
};

static struct sim_device *to_sim(struct npu_device *dev)
{
	return (struct sim_device *)dev;
}

static int sim_pages_init(struct sim_pages *p, uint32_t count)
{
	p->count = count;
	p->used = calloc(count, 1);
	return p->used ? 0 : -1;
}

/* Returns the first page of a free run of `n`, or -1. */
static int64_t sim_pages_alloc(struct sim_pages *p, uint32_t n)
{
	uint32_t start = 0, run = 0, i;

	for (i = 0; i < p->count; i++) {
		if (p->used[i]) {
			run = 0;
			continue;
		}
		if (!run)
			start = i;
		if (++run == n) {
			memset(p->used + start, 1, n);
			return start;
		}
	}
	return -1;
}

static void sim_pages_free(struct sim_pages *p, uint32_t first, uint32_t n)
{
	memset(p->used + first, 0, n);
}

/* Bus memory for the device's own structures, zeroed. */
static uint64_t sim_alloc_bus(struct sim_device *sim, size_t bytes)
{
	uint32_t n = (uint32_t)((bytes + NPU_PAGE_SIZE - 1) / NPU_PAGE_SIZE);
	int64_t page = sim_pages_alloc(&sim->phys, n);

	if (page < 0)
		return 0;
	memset(sim->mem + (uint64_t)page * NPU_PAGE_SIZE, 0, (size_t)n * NPU_PAGE_SIZE);
	return (uint64_t)page * NPU_PAGE_SIZE;
}

static int sim_bus_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	struct sim_device *sim = opaque;

	if (addr > sim->mem_size || len > sim->mem_size - addr)
		return -1;
	memcpy(buf, sim->mem + addr, len);
	return 0;
}

static int sim_bus_write(void *opaque, uint64_t addr, const void *buf, size_t len)
{
	struct sim_device *sim = opaque;

	if (addr > sim->mem_size || len > sim->mem_size - addr)
		return -1;
	memcpy(sim->mem + addr, buf, len);
	return 0;
}

static void sim_irq(void *opaque, unsigned int vector)
{
	struct sim_device *sim = opaque;

	if (vector < NPU_MSIX_VECTORS)
		sim->irqs[vector]++;
}

static uint32_t sim_reg(struct sim_device *sim, uint32_t offset)
{
	uint32_t v;

	npu_core_mmio_read(sim->core, offset, &v);
	return v;
}

static void sim_reg_write(struct sim_device *sim, uint32_t offset, uint32_t value)
{
	bool work;

	npu_core_mmio_write(sim->core, offset, value, &work);
}

static void sim_write64(struct sim_device *sim, uint64_t addr, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		sim->mem[addr + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t sim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int sim_trap_error(struct sim_device *sim, int status)
{
	return npu_fail(status, "firmware stopped: trap cause %u at pc 0x%x (value 0x%x)",
			sim_reg(sim, NPU_REG_CP_TRAP_CAUSE), sim_reg(sim, NPU_REG_CP_TRAP_PC),
			sim_reg(sim, NPU_REG_CP_TRAP_VALUE));
}

/*
 * Run the device until `done(sim)` holds, the device stops, or the
 * deadline passes.  Idle device time passes while the CP sleeps, so its
 * timers fire as they would in real time.
 */
static int sim_run_until(struct sim_device *sim, bool (*done)(struct sim_device *, uint64_t),
			 uint64_t arg, uint32_t timeout_ms)
{
	uint64_t deadline = sim_now_ms() + timeout_ms;
	uint32_t status;

	for (;;) {
		/* The interrupt handler's part: acknowledge what we poll for. */
		sim_reg_write(sim, NPU_REG_IRQ_ACK, NPU_IRQ_JOB_DONE | NPU_IRQ_JOB_FAULT |
			      NPU_IRQ_MBOX);
		if (done(sim, arg))
			return 0;
		status = sim_reg(sim, NPU_REG_STATUS);
		if (status & (NPU_STATUS_CP_HALTED | NPU_STATUS_HUNG))
			break;
		if (!npu_core_run(sim->core, SIM_RUN_BUDGET))
			npu_core_tick(sim->core, SIM_IDLE_STEP);
		if (sim_now_ms() > deadline)
			return npu_fail(NPU_E_TIMEOUT, "device did not finish in %u ms", timeout_ms);
	}
	if (status & NPU_STATUS_HUNG)
		return npu_fail(NPU_E_HANG, "device hung: an engine stopped answering");
	return sim_trap_error(sim, NPU_E_DEVICE);
}

static bool sim_booted(struct sim_device *sim, uint64_t unused)
{
	uint32_t boot = sim_reg(sim, NPU_REG_BOOT_STATUS);

	(void)unused;
	return boot == NPU_BOOT_READY || boot >= NPU_BOOT_ERR_DMA;
}

static bool sim_mbox_answered(struct sim_device *sim, uint64_t seq)
{
	return sim_reg(sim, NPU_REG_MBOX_F2H_SEQ) == (uint32_t)seq;
}

static int sim_read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	if (!f)
		return npu_fail(NPU_E_IO, "cannot open firmware %s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto io;
	/* Anything larger cannot be an image; do not read it whole. */
	if ((size_t)size > sizeof(struct npu_fw_header) + NPU_CP_IMEM_SIZE) {
		fclose(f);
		return npu_fail(NPU_E_FORMAT, "firmware %s: %ld bytes is too large", path, size);
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf) {
		fclose(f);
		return NPU_E_NOMEM;
	}
	if (fread(buf, 1, (size_t)size, f) != (size_t)size)
		goto io;
	fclose(f);
	*data = buf;
	*len = (size_t)size;
	return 0;
io:
	free(buf);
	fclose(f);
	return npu_fail(NPU_E_IO, "cannot read firmware %s", path);
}

/* Load, boot and handshake, as the driver's probe does. */
static int sim_boot(struct sim_device *sim, const struct npu_sim_options *opts)
{
	const char *path = opts->firmware ? opts->firmware : getenv("NPU_FIRMWARE");
	struct npu_fw_header hdr;
	uint8_t *image = NULL;
	uint64_t staging;
	uint32_t boot, reply;
	size_t len = 0;
	int ret;

	if (!path)
		return npu_fail(NPU_E_INVALID, "no firmware image: set NPU_FIRMWARE");
	ret = sim_read_file(path, &image, &len);
	if (ret)
		return ret;
	if (!opts->unchecked_firmware) {
		boot = npu_fw_image_check(image, len, NPU_FW_API_VERSION, &hdr);
		if (boot != NPU_BOOT_RUNNING) {
			free(image);
			return npu_fail(NPU_E_FIRMWARE, "firmware %s rejected: %s", path,
					npu_boot_status_str(boot));
		}
	}
	staging = sim_alloc_bus(sim, len);
	if (!staging) {
		free(image);
		return npu_fail(NPU_E_NOMEM, "no device memory for the firmware image");
	}
	memcpy(sim->mem + staging, image, len);
	free(image);

	sim_reg_write(sim, NPU_REG_IRQ_MASK, NPU_IRQ_ALL);
	sim_reg_write(sim, NPU_REG_FW_ADDR_LO, (uint32_t)staging);
	sim_reg_write(sim, NPU_REG_FW_ADDR_HI, (uint32_t)(staging >> 32));
	sim_reg_write(sim, NPU_REG_FW_SIZE, (uint32_t)len);
	sim_reg_write(sim, NPU_REG_CTRL, NPU_CTRL_BOOT);
	ret = sim_run_until(sim, sim_booted, 0, SIM_BOOT_TIMEOUT_MS);
	sim_pages_free(&sim->phys, (uint32_t)(staging / NPU_PAGE_SIZE),
		       (uint32_t)((len + NPU_PAGE_SIZE - 1) / NPU_PAGE_SIZE));
	if (ret)
		return npu_fail(NPU_E_FIRMWARE, "firmware boot: %s", npu_last_error());
	boot = sim_reg(sim, NPU_REG_BOOT_STATUS);
	if (boot == NPU_BOOT_ERR_CP)
		return sim_trap_error(sim, NPU_E_FIRMWARE);
	if (boot != NPU_BOOT_READY)
		return npu_fail(NPU_E_FIRMWARE, "firmware boot failed: %s",
				npu_boot_status_str(boot));

	sim_reg_write(sim, NPU_REG_MBOX_H2F_CMD, NPU_MBOX_HELLO);
	sim_reg_write(sim, NPU_REG_MBOX_H2F_ARG0, NPU_FW_API_VERSION);
	sim_reg_write(sim, NPU_REG_MBOX_H2F_ARG1, 0);
	sim_reg_write(sim, NPU_REG_MBOX_H2F_SEQ, 1);
	ret = sim_run_until(sim, sim_mbox_answered, 1, SIM_BOOT_TIMEOUT_MS);
	if (ret)
		return npu_fail(NPU_E_FIRMWARE, "firmware handshake: %s", npu_last_error());
	reply = sim_reg(sim, NPU_REG_MBOX_F2H_CMD);
	if (NPU_MBOX_REPLY_CMD(reply) != NPU_MBOX_HELLO ||
	    NPU_MBOX_REPLY_STATUS(reply) != NPU_MBOX_OK)
		return npu_fail(NPU_E_FIRMWARE, "firmware refused the handshake (status %u, API %#x)",
				NPU_MBOX_REPLY_STATUS(reply), sim_reg(sim, NPU_REG_MBOX_F2H_ARG1));
	sim->base.info.fw_version = sim_reg(sim, NPU_REG_MBOX_F2H_ARG0);
	sim->base.info.fw_api_version = sim_reg(sim, NPU_REG_MBOX_F2H_ARG1);
	return 0;
}

static void sim_close(struct npu_device *dev)
{
	struct sim_device *sim = to_sim(dev);

	npu_core_destroy(sim->core);
	free(sim->phys.used);
	free(sim->virt.used);
	free(sim->mem);
	free(sim);
}

/* The level-2 table covering `va`, created on first use; 0 when out of memory. */
static uint64_t sim_l2_table(struct sim_device *sim, uint32_t va)
{
	uint32_t idx = NPU_VA_L1_INDEX(va);

	if (!sim->l2[idx]) {
		sim->l2[idx] = sim_alloc_bus(sim, NPU_PT_BYTES);
		if (!sim->l2[idx])
			return 0;
		sim_write64(sim, sim->l1 + 8ull * idx, sim->l2[idx] | NPU_PTE_VALID);
	}
	return sim->l2[idx];
}

static void sim_bo_destroy(struct npu_bo *base)
{
	struct sim_bo *bo = (struct sim_bo *)base;
	struct sim_device *sim = to_sim(base->dev);
	uint32_t i;
	bool work;

	for (i = 0; i < bo->pages; i++) {
		uint32_t va = base->va + i * NPU_PAGE_SIZE;

		sim_write64(sim, sim->l2[NPU_VA_L1_INDEX(va)] + 8ull * NPU_VA_L2_INDEX(va), 0);
	}
	npu_core_mmio_write(sim->core, NPU_REG_MMU_FLUSH, 1u << SIM_CONTEXT, &work);
	sim_pages_free(&sim->virt, base->va / NPU_PAGE_SIZE, bo->pages);
	sim_pages_free(&sim->phys, (uint32_t)(bo->pa / NPU_PAGE_SIZE), bo->pages);
	free(bo);
}

static int sim_bo_create(struct npu_device *dev, size_t size, uint32_t flags,
			 struct npu_bo **out)
{
	struct sim_device *sim = to_sim(dev);
	uint64_t perms = NPU_PTE_VALID | NPU_PTE_READ |
			 (flags & NPU_BO_DEVICE_READONLY ? 0 : NPU_PTE_WRITE);
	struct sim_bo *bo;
	int64_t vpage, ppage;
	uint32_t pages, i;

	if (size > sim->mem_size)
		return npu_fail(NPU_E_NOMEM, "buffer of %zu bytes exceeds device memory", size);
	pages = (uint32_t)((size + NPU_PAGE_SIZE - 1) / NPU_PAGE_SIZE);
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return NPU_E_NOMEM;
	vpage = sim_pages_alloc(&sim->virt, pages);
	ppage = sim_pages_alloc(&sim->phys, pages);
	if (vpage < 0 || ppage < 0) {
		if (vpage >= 0)
			sim_pages_free(&sim->virt, (uint32_t)vpage, pages);
		if (ppage >= 0)
			sim_pages_free(&sim->phys, (uint32_t)ppage, pages);
		free(bo);
		return npu_fail(NPU_E_NOMEM, "no device memory for %zu bytes", size);
	}
	bo->base.dev = dev;
	bo->base.size = size;
	bo->base.va = (uint32_t)vpage * NPU_PAGE_SIZE;
	bo->base.map = sim->mem + (uint64_t)ppage * NPU_PAGE_SIZE;
	bo->pa = (uint64_t)ppage * NPU_PAGE_SIZE;
	bo->pages = pages;
	memset(bo->base.map, 0, (size_t)pages * NPU_PAGE_SIZE);

	for (i = 0; i < pages; i++) {
		uint32_t va = bo->base.va + i * NPU_PAGE_SIZE;
		uint64_t l2 = sim_l2_table(sim, va);

		if (!l2) {
			bo->pages = i;	/* unmap what was mapped */
			sim_pages_free(&sim->virt, (uint32_t)vpage + i, pages - i);
			sim_pages_free(&sim->phys, (uint32_t)ppage + i, pages - i);
			sim_bo_destroy(&bo->base);
			return npu_fail(NPU_E_NOMEM, "no device memory for page tables");
		}
		sim_write64(sim, l2 + 8ull * NPU_VA_L2_INDEX(va),
			    (bo->pa + (uint64_t)i * NPU_PAGE_SIZE) | perms);
	}
	*out = &bo->base;
	return 0;
}

static int sim_submit(struct npu_device *dev, const struct npu_job *job, uint64_t *id)
{
	struct sim_device *sim = to_sim(dev);
	uint32_t head = sim_reg(sim, NPU_REG_RING_HEAD);
	uint32_t slot = sim->tail & (SIM_RING_ENTRIES - 1);
	struct npu_job_desc desc = { 0 };

	if (sim->tail - head >= SIM_RING_ENTRIES)
		return npu_fail(NPU_E_BUSY, "job ring full");
	desc.seqno = sim->next_seqno++;
	desc.ctx = SIM_CONTEXT;
	desc.cmd_addr = job->cmd->va + job->offset;
	desc.cmd_size = job->size;
	desc.done_addr = sim->done + (uint64_t)slot * sizeof(struct npu_job_done);
	memcpy(sim->mem + sim->ring + (uint64_t)slot * sizeof(desc), &desc, sizeof(desc));
	sim->tail++;
	sim_reg_write(sim, NPU_REG_RING_TAIL, sim->tail);
	sim_reg_write(sim, NPU_REG_RING_DOORBELL, 1);
	*id = desc.seqno;
	return 0;
}

static bool sim_fence_reached(struct sim_device *sim, uint64_t id)
{
	uint32_t fence;

	memcpy(&fence, sim->mem + sim->fence, sizeof(fence));
	return (int32_t)(fence - (uint32_t)id) >= 0;
}

static int sim_wait(struct npu_device *dev, uint64_t id, uint32_t timeout_ms,
		    struct npu_job_result *result)
{
	struct sim_device *sim = to_sim(dev);
	uint32_t slot = ((uint32_t)id - 1) & (SIM_RING_ENTRIES - 1);
	struct npu_job_done done;
	int ret;

	if (id == 0 || id >= sim->next_seqno)
		return npu_fail(NPU_E_NOENT, "no job %llu", (unsigned long long)id);
	ret = sim_run_until(sim, sim_fence_reached, id, timeout_ms);
	if (ret)
		return ret;
	memcpy(&done, sim->mem + sim->done + (uint64_t)slot * sizeof(done), sizeof(done));
	if (done.seqno != (uint32_t)id)
		return npu_fail(NPU_E_NOENT, "result of job %llu was overwritten by later jobs",
				(unsigned long long)id);
	result->status = done.status;
	result->fault_offset = done.fault_offset;
	result->fault_addr = done.fault_addr;
	memcpy(result->counters, done.counters, sizeof(result->counters));
	if (done.status != NPU_OK)
		return npu_fail(NPU_E_JOB, "job %llu failed: %s at command offset %u",
				(unsigned long long)id, npu_job_status_str(done.status),
				done.fault_offset);
	return 0;
}

static const struct npu_backend_ops sim_ops = {
	.close = sim_close,
	.bo_create = sim_bo_create,
	.bo_destroy = sim_bo_destroy,
	.submit = sim_submit,
	.wait = sim_wait,
};

static void sim_fill_info(struct sim_device *sim)
{
	struct npu_device_info *info = &sim->base.info;
	uint32_t mac = sim_reg(sim, NPU_REG_CAP_MAC);

	info->backend = "sim";
	info->hw_version = sim_reg(sim, NPU_REG_HW_VERSION);
	info->mac_rows = NPU_CAP_MAC_ROWS(mac);
	info->mac_cols = NPU_CAP_MAC_COLS(mac);
	info->sram_size = sim_reg(sim, NPU_REG_CAP_SRAM);
	info->clock_mhz = sim_reg(sim, NPU_REG_CAP_CLOCK);
	info->dram_bw_mbps = sim_reg(sim, NPU_REG_CAP_DRAM_BW);
	info->contexts = NPU_CAP_QUEUES_CTXS(sim_reg(sim, NPU_REG_CAP_QUEUES));
	info->ops = sim_reg(sim, NPU_REG_CAP_OPS);
}

/* Ring, fence, completion records and this context's page tables. */
static int sim_setup_queues(struct sim_device *sim)
{
	sim->ring = sim_alloc_bus(sim, SIM_RING_ENTRIES * sizeof(struct npu_job_desc));
	sim->done = sim_alloc_bus(sim, SIM_RING_ENTRIES * sizeof(struct npu_job_done));
	sim->fence = sim_alloc_bus(sim, sizeof(uint32_t));
	sim->l1 = sim_alloc_bus(sim, NPU_PT_BYTES);
	if (!sim->ring || !sim->done || !sim->fence || !sim->l1)
		return npu_fail(NPU_E_NOMEM, "no device memory for the job queue");
	sim->next_seqno = 1;
	sim_reg_write(sim, NPU_REG_RING_BASE_LO, (uint32_t)sim->ring);
	sim_reg_write(sim, NPU_REG_RING_BASE_HI, (uint32_t)(sim->ring >> 32));
	sim_reg_write(sim, NPU_REG_RING_SIZE, SIM_RING_ENTRIES);
	sim_reg_write(sim, NPU_REG_FENCE_ADDR_LO, (uint32_t)sim->fence);
	sim_reg_write(sim, NPU_REG_FENCE_ADDR_HI, (uint32_t)(sim->fence >> 32));
	sim_reg_write(sim, NPU_REG_MMU_ROOT_LO(SIM_CONTEXT),
		      (uint32_t)sim->l1 | NPU_MMU_ROOT_ENABLE);
	sim_reg_write(sim, NPU_REG_MMU_ROOT_HI(SIM_CONTEXT), (uint32_t)(sim->l1 >> 32));
	return 0;
}

int npu_device_open_sim(const struct npu_sim_options *opts, struct npu_device **out)
{
	static const struct npu_sim_options defaults;
	struct npu_core_config cfg;
	struct npu_core_bus bus;
	struct sim_device *sim;
	int ret;

	if (!out)
		return NPU_E_INVALID;
	*out = NULL;
	if (!opts)
		opts = &defaults;
	npu_core_config_default(&cfg);
	if (opts->mac_rows)
		cfg.mac_rows = opts->mac_rows;
	if (opts->mac_cols)
		cfg.mac_cols = opts->mac_cols;
	if (opts->sram_size)
		cfg.sram_size = opts->sram_size;
	if (opts->clock_mhz)
		cfg.clock_mhz = opts->clock_mhz;
	if (opts->dram_bw_mbps)
		cfg.dram_bw_mbps = opts->dram_bw_mbps;
	if (opts->watchdog_insns)
		cfg.watchdog_insns = opts->watchdog_insns;

	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NPU_E_NOMEM;
	sim->base.ops = &sim_ops;
	sim->mem_size = opts->memory_size ? opts->memory_size : SIM_DEFAULT_MEMORY;
	sim->mem_size &= ~(size_t)(NPU_PAGE_SIZE - 1);
	if (sim->mem_size < (1u << 20) || sim->mem_size > (1ull << 32)) {
		free(sim);
		return npu_fail(NPU_E_INVALID, "sim memory must be 1 MiB to 4 GiB");
	}
	sim->mem = calloc(1, sim->mem_size);
	if (!sim->mem || sim_pages_init(&sim->phys, (uint32_t)(sim->mem_size / NPU_PAGE_SIZE)) ||
	    sim_pages_init(&sim->virt, (uint32_t)((1ull << 32) / NPU_PAGE_SIZE))) {
		sim_close(&sim->base);
		return NPU_E_NOMEM;
	}
	/* Bus address 0 and the low VAs are never handed out. */
	sim->phys.used[0] = 1;
	memset(sim->virt.used, 1, SIM_VA_BASE / NPU_PAGE_SIZE);

	bus.opaque = sim;
	bus.read = sim_bus_read;
	bus.write = sim_bus_write;
	bus.irq = sim_irq;
	if (npu_core_create(&cfg, &bus, &sim->core)) {
		sim_close(&sim->base);
		return npu_fail(NPU_E_INVALID, "device parameters out of range");
	}
	sim_fill_info(sim);
	ret = sim_setup_queues(sim);
	if (!ret)
		ret = sim_boot(sim, opts);
	if (ret) {
		sim_close(&sim->base);
		return ret;
	}
	*out = &sim->base;
	return 0;
}

/* --- npu/sim.h ---------------------------------------------------- */

static bool sim_is(struct npu_device *dev)
{
	return dev && dev->ops == &sim_ops;
}

int npu_sim_inject(struct npu_device *dev, enum npu_core_fault fault, uint32_t count)
{
	if (!sim_is(dev) || (unsigned int)fault >= NPU_CORE_FAULT_COUNT)
		return NPU_E_INVALID;
	npu_core_inject(to_sim(dev)->core, fault, count);
	return 0;
}

int npu_sim_set_pte(struct npu_device *dev, uint32_t va, uint64_t entry)
{
	struct sim_device *sim = to_sim(dev);
	uint64_t l2;

	if (!sim_is(dev))
		return NPU_E_INVALID;
	l2 = sim_l2_table(sim, va);
	if (!l2)
		return NPU_E_NOMEM;
	sim_write64(sim, l2 + 8ull * NPU_VA_L2_INDEX(va), entry);
	return 0;
}

int npu_sim_set_l1(struct npu_device *dev, uint32_t va, uint64_t entry)
{
	struct sim_device *sim = to_sim(dev);

	if (!sim_is(dev))
		return NPU_E_INVALID;
	sim_write64(sim, sim->l1 + 8ull * NPU_VA_L1_INDEX(va), entry);
	return 0;
}

int npu_sim_read_reg(struct npu_device *dev, uint32_t offset, uint32_t *value)
{
	if (!sim_is(dev) || !value)
		return NPU_E_INVALID;
	return npu_core_mmio_read(to_sim(dev)->core, offset, value) ? 0 : NPU_E_INVALID;
}

int npu_sim_write_reg(struct npu_device *dev, uint32_t offset, uint32_t value)
{
	bool work;

	if (!sim_is(dev))
		return NPU_E_INVALID;
	return npu_core_mmio_write(to_sim(dev)->core, offset, value, &work) ? 0 : NPU_E_INVALID;
}

int npu_sim_idle(struct npu_device *dev, uint64_t cycles)
{
	struct sim_device *sim = to_sim(dev);

	if (!sim_is(dev))
		return NPU_E_INVALID;
	while (cycles) {
		uint64_t step = cycles < SIM_IDLE_STEP ? cycles : SIM_IDLE_STEP;

		cycles -= step;
		/* Bounded: a firmware that never sleeps is the watchdog's to catch. */
		if (npu_core_tick(sim->core, step))
			for (int i = 0; i < 64 && npu_core_run(sim->core, SIM_RUN_BUDGET); i++)
				;
	}
	return 0;
}

size_t npu_sim_fw_log(struct npu_device *dev, char *buf, size_t len)
{
	size_t n;

	if (!sim_is(dev) || !len)
		return 0;
	n = npu_core_fw_log(to_sim(dev)->core, buf, len - 1);
	buf[n] = '\0';
	return n;
}

uint64_t npu_sim_irq_count(struct npu_device *dev, unsigned int vector)
{
	if (!sim_is(dev) || vector >= NPU_MSIX_VECTORS)
		return 0;
	return to_sim(dev)->irqs[vector];
}
