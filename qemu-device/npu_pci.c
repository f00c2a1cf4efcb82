/*
 * NPU PCI device: the QEMU glue around the NPU device core
 *
 * The device core (npu_core.h, plain C, no QEMU dependency) does
 * everything the device does.  This file only puts it on a PCI bus:
 *
 *  - BAR0 (NPU_BAR0_SIZE) is the register file; its handlers call
 *    npu_core_mmio_read/write and, when the core reports work, wake
 *    the worker thread.  They never run the core themselves.
 *  - The worker thread runs npu_core_run(), which executes the command
 *    processor and the engines and calls back into the bus: DMA through
 *    pci_dma_read/write, interrupts through a bottom half that calls
 *    msix_notify (or pulses INTx) under the BQL.
 *  - A 1 ms timer on the virtual clock lets device time pass while the
 *    command processor sleeps (it drives the firmware heartbeat).
 *  - Properties set the hardware parameters; the inject-* properties
 *    arm the core's fault injection, at start-up or with qom-set.
 *
 * Copyright (c) 2025 The NPU stack authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/rcu.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "hw/misc/trace.h"

#include "npu_core.h"

#define TYPE_NPU "npu"
OBJECT_DECLARE_SIMPLE_TYPE(NpuState, NPU)

/* Command processor instructions per npu_core_run() call. */
#define NPU_RUN_BUDGET      (1u << 16)
/* Period of the device clock tick, in virtual nanoseconds. */
#define NPU_TICK_NS         SCALE_MS

struct NpuState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    struct npu_core *core;
    /* Hardware parameters, from the properties. */
    struct npu_core_config cfg;
    /* Last value set through each inject-* property. */
    uint32_t inject[NPU_CORE_FAULT_COUNT];

    /*
     * The worker thread.  @lock protects @kicked and @stopping; it is
     * never held while the core runs.
     */
    QemuThread thread;
    QemuMutex lock;
    QemuCond cond;
    bool kicked;
    bool stopping;

    /* NPU_VEC_* bits raised by the core, delivered by @irq_bh. */
    uint32_t irq_pending;
    QEMUBH *irq_bh;

    QEMUTimer *tick_timer;
};

/* Report a guest error: a trace event and a LOG_GUEST_ERROR line. */
#define NPU_GUEST_ERR(trace, fmt, ...) \
    do { \
        (trace_##trace)(__VA_ARGS__); \
        qemu_log_mask(LOG_GUEST_ERROR, "npu: " #trace ": " fmt "\n", \
                      __VA_ARGS__); \
    } while (0)

/* ------------------------------------------------------------------ */
/* Worker thread                                                       */
/* ------------------------------------------------------------------ */

static void npu_worker_kick(NpuState *s)
{
    qemu_mutex_lock(&s->lock);
    s->kicked = true;
    qemu_cond_signal(&s->cond);
    qemu_mutex_unlock(&s->lock);
}

static void *npu_worker(void *opaque)
{
    NpuState *s = opaque;
    bool more;

    /* The core's DMA goes through the memory API, which uses RCU. */
    rcu_register_thread();
    qemu_mutex_lock(&s->lock);
    while (!s->stopping) {
        if (!s->kicked) {
            qemu_cond_wait(&s->cond, &s->lock);
            continue;
        }
        s->kicked = false;
        qemu_mutex_unlock(&s->lock);
        do {
            more = npu_core_run(s->core, NPU_RUN_BUDGET);
        } while (more && !qatomic_read(&s->stopping));
        qemu_mutex_lock(&s->lock);
    }
    qemu_mutex_unlock(&s->lock);
    rcu_unregister_thread();
    return NULL;
}

static void npu_worker_start(NpuState *s)
{
    qemu_mutex_init(&s->lock);
    qemu_cond_init(&s->cond);
    s->kicked = false;
    s->stopping = false;
    qemu_thread_create(&s->thread, "npu-worker", npu_worker, s,
                       QEMU_THREAD_JOINABLE);
}

static void npu_worker_stop(NpuState *s)
{
    qemu_mutex_lock(&s->lock);
    qatomic_set(&s->stopping, true);
    qemu_cond_signal(&s->cond);
    qemu_mutex_unlock(&s->lock);
    qemu_thread_join(&s->thread);
    qemu_cond_destroy(&s->cond);
    qemu_mutex_destroy(&s->lock);
}

/* ------------------------------------------------------------------ */
/* The core's bus: DMA and interrupts                                  */
/* ------------------------------------------------------------------ */

/*
 * Whether every byte of [addr, addr + len) is guest RAM (or ROM, for a
 * read) in the device's view of the bus.  The worker may only reach
 * memory that needs no BQL: an access to MMIO or to nothing at all
 * would take the BQL, and the main thread holds it while it joins the
 * worker (unplug), so the two would wait for each other forever.  The
 * map can change between this check and the access; that window is
 * as short as the guest's own remapping of the range.
 */
static bool npu_dma_is_ram(NpuState *s, uint64_t addr, size_t len,
                           bool is_write)
{
    AddressSpace *as = pci_get_address_space(PCI_DEVICE(s));

    RCU_READ_LOCK_GUARD();
    while (len) {
        hwaddr xlat, chunk = len;
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &chunk,
                                                   is_write,
                                                   MEMTXATTRS_UNSPECIFIED);

        if (!memory_access_is_direct(mr, is_write)) {
            return false;
        }
        addr += chunk;
        len -= chunk;
    }
    return true;
}

/*
 * Refuse a transfer that wraps around the address space, touches one
 * of this device's own BARs, or reaches anything but RAM.  Called on
 * the worker thread: a BAR can move meanwhile, which at worst lets one
 * transfer through that races with the guest reprogramming the BAR.
 */
static bool npu_dma_allowed(NpuState *s, uint64_t addr, size_t len,
                            bool is_write)
{
    const char *op = is_write ? "write" : "read";
    PCIDevice *pdev = PCI_DEVICE(s);
    uint64_t last = addr + len - 1;
    int i;

    if (!len) {
        return true;
    }
    if (last < addr) {
        NPU_GUEST_ERR(npu_err_dma_wrap, "%s of %zu bytes at 0x%" PRIx64
                      " wraps around", op, len, addr);
        return false;
    }
    for (i = 0; i < PCI_NUM_REGIONS; i++) {
        pcibus_t base = pci_get_bar_addr(pdev, i);
        pcibus_t size = pdev->io_regions[i].size;

        if (!size || base == PCI_BAR_UNMAPPED) {
            continue;
        }
        if (addr <= base + size - 1 && base <= last) {
            NPU_GUEST_ERR(npu_err_dma_bar, "%s of %zu bytes at 0x%" PRIx64
                          " hits BAR %d", op, len, addr, i);
            return false;
        }
    }
    if (!npu_dma_is_ram(s, addr, len, is_write)) {
        NPU_GUEST_ERR(npu_err_dma_target, "%s of %zu bytes at 0x%" PRIx64
                      " reaches beyond guest RAM (or bus mastering is off)",
                      op, len, addr);
        return false;
    }
    return true;
}

static int npu_bus_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
    NpuState *s = opaque;
    MemTxResult res;

    if (!npu_dma_allowed(s, addr, len, false)) {
        return -1;
    }
    res = pci_dma_read(PCI_DEVICE(s), addr, buf, len);
    if (res != MEMTX_OK) {
        trace_npu_dma_fail(false, addr, len, res);
        return -1;
    }
    return 0;
}

static int npu_bus_write(void *opaque, uint64_t addr, const void *buf,
                         size_t len)
{
    NpuState *s = opaque;
    MemTxResult res;

    if (!npu_dma_allowed(s, addr, len, true)) {
        return -1;
    }
    res = pci_dma_write(PCI_DEVICE(s), addr, buf, len);
    if (res != MEMTX_OK) {
        trace_npu_dma_fail(true, addr, len, res);
        return -1;
    }
    return 0;
}

/*
 * Called by the core from any thread with its lock held: only record
 * the vector and defer the delivery to the bottom half.
 */
static void npu_bus_irq(void *opaque, unsigned int vector)
{
    NpuState *s = opaque;

    if (vector >= NPU_MSIX_VECTORS) {
        return;
    }
    qatomic_or(&s->irq_pending, 1u << vector);
    qemu_bh_schedule(s->irq_bh);
}

/* Deliver the recorded vectors; runs in the main loop with the BQL. */
static void npu_irq_bh(void *opaque)
{
    NpuState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);
    uint32_t pending = qatomic_xchg(&s->irq_pending, 0);
    bool msix = msix_enabled(pdev);
    unsigned int vector;

    for (vector = 0; vector < NPU_MSIX_VECTORS; vector++) {
        if (!(pending & (1u << vector))) {
            continue;
        }
        trace_npu_irq(vector, msix);
        if (msix) {
            msix_notify(pdev, vector);
        } else {
            pci_irq_pulse(pdev);
        }
    }
}

/* ------------------------------------------------------------------ */
/* BAR0                                                                */
/* ------------------------------------------------------------------ */

/* Registers take aligned 32-bit accesses only. */
static bool npu_mmio_valid(hwaddr addr, unsigned size)
{
    return size == 4 && !(addr & 3);
}

static uint64_t npu_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    NpuState *s = opaque;
    uint32_t val;

    if (!npu_mmio_valid(addr, size)) {
        NPU_GUEST_ERR(npu_err_mmio_access, "%s of %u bytes at 0x%" HWADDR_PRIx
                      ": registers take aligned 32-bit accesses", "read",
                      size, addr);
        return 0;
    }
    if (!npu_core_mmio_read(s->core, addr, &val)) {
        NPU_GUEST_ERR(npu_err_mmio_read, "no readable register at 0x%"
                      HWADDR_PRIx, addr);
    }
    trace_npu_mmio_read(addr, val);
    return val;
}

static void npu_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    NpuState *s = opaque;
    bool work;

    if (!npu_mmio_valid(addr, size)) {
        NPU_GUEST_ERR(npu_err_mmio_access, "%s of %u bytes at 0x%" HWADDR_PRIx
                      ": registers take aligned 32-bit accesses", "write",
                      size, addr);
        return;
    }
    trace_npu_mmio_write(addr, val);
    if (!npu_core_mmio_write(s->core, addr, val, &work)) {
        NPU_GUEST_ERR(npu_err_mmio_write, "write of 0x%" PRIx64
                      " to 0x%" HWADDR_PRIx " refused (read-only register,"
                      " no register or reserved bits)", val, addr);
    }
    if (work) {
        npu_worker_kick(s);
    }
}

/*
 * Every access reaches the handlers, which check it themselves so that
 * a bad one is reported like any other guest error.
 */
static const MemoryRegionOps npu_mmio_ops = {
    .read = npu_mmio_read,
    .write = npu_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

/* ------------------------------------------------------------------ */
/* Device clock                                                        */
/* ------------------------------------------------------------------ */

static void npu_tick(void *opaque)
{
    NpuState *s = opaque;

    if (npu_core_tick(s->core, (uint64_t)s->cfg.clock_mhz * 1000)) {
        npu_worker_kick(s);
    }
    timer_mod(s->tick_timer,
              qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + NPU_TICK_NS);
}

/* ------------------------------------------------------------------ */
/* Fault injection properties                                          */
/* ------------------------------------------------------------------ */

typedef struct NpuInjectProp {
    const char *name;
    enum npu_core_fault fault;
    const char *desc;
} NpuInjectProp;

static const NpuInjectProp npu_inject_props[] = {
    { "inject-hang", NPU_CORE_FAULT_HANG,
      "the next N engine commands never finish" },
    { "inject-dma-error", NPU_CORE_FAULT_DMA_ERROR,
      "the next N DMA engine transfers fail" },
    { "inject-lost-irq", NPU_CORE_FAULT_LOST_IRQ,
      "the next N interrupts are not delivered" },
    { "inject-fw-crash", NPU_CORE_FAULT_FW_CRASH,
      "the command processor traps at its next instruction" },
    { "inject-corrupt", NPU_CORE_FAULT_CORRUPT,
      "the next N engine outputs have a flipped bit" },
    { "inject-heartbeat", NPU_CORE_FAULT_HEARTBEAT,
      "non-zero: the heartbeat register stops counting" },
};

static void npu_get_inject(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    NpuState *s = NPU(obj);
    const NpuInjectProp *prop = opaque;
    uint32_t value = s->inject[prop->fault];

    visit_type_uint32(v, name, &value, errp);
}

static void npu_set_inject(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    NpuState *s = NPU(obj);
    const NpuInjectProp *prop = opaque;
    uint32_t value;

    if (!visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    trace_npu_inject(prop->name, value);
    s->inject[prop->fault] = value;
    /* Before realize, the value is applied when the core is created. */
    if (s->core) {
        npu_core_inject(s->core, prop->fault, value);
    }
}

/* ------------------------------------------------------------------ */
/* Device lifecycle                                                    */
/* ------------------------------------------------------------------ */

/*
 * Say which parameter is out of range.  npu_core_create() decides; the
 * ranges here only explain its refusal (npu_core.h documents them).
 */
static void npu_config_error(NpuState *s, Error **errp)
{
    const struct {
        const char *name;
        uint32_t value, min, max;
    } params[] = {
        { "mac-rows", s->cfg.mac_rows, 1, 256 },
        { "mac-cols", s->cfg.mac_cols, 1, 256 },
        { "sram-size", s->cfg.sram_size, 64 * KiB, 16 * MiB },
        { "clock-mhz", s->cfg.clock_mhz, 100, 4000 },
        { "dram-bw", s->cfg.dram_bw_mbps, 100, 1000000 },
        { "watchdog", s->cfg.watchdog_insns, 1024, UINT32_MAX },
    };
    int i;

    for (i = 0; i < ARRAY_SIZE(params); i++) {
        if (params[i].value < params[i].min ||
            params[i].value > params[i].max) {
            error_setg(errp, "NPU parameter %s=%" PRIu32 " is out of range"
                       " (%" PRIu32 "..%" PRIu32 ")", params[i].name,
                       params[i].value, params[i].min, params[i].max);
            return;
        }
    }
    if (s->cfg.sram_size % (4 * KiB)) {
        error_setg(errp, "NPU parameter sram-size=%" PRIu32 " is not a"
                   " multiple of 4 KiB", s->cfg.sram_size);
        return;
    }
    error_setg(errp, "the NPU device core could not be created"
               " (out of memory?)");
}

static void npu_realize(PCIDevice *pdev, Error **errp)
{
    NpuState *s = NPU(pdev);
    const struct npu_core_bus bus = {
        .opaque = s,
        .read = npu_bus_read,
        .write = npu_bus_write,
        .irq = npu_bus_irq,
    };
    int i;

    if (npu_core_create(&s->cfg, &bus, &s->core)) {
        npu_config_error(s, errp);
        return;
    }
    for (i = 0; i < NPU_CORE_FAULT_COUNT; i++) {
        npu_core_inject(s->core, i, s->inject[i]);
    }

    pci_config_set_interrupt_pin(pdev->config, 1);
    memory_region_init_io(&s->mmio, OBJECT(s), &npu_mmio_ops, s, "npu-mmio",
                          NPU_BAR0_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
    if (msix_init_exclusive_bar(pdev, NPU_MSIX_VECTORS, NPU_MSIX_BAR,
                                errp)) {
        npu_core_destroy(s->core);
        s->core = NULL;
        return;
    }
    for (i = 0; i < NPU_MSIX_VECTORS; i++) {
        msix_vector_use(pdev, i);
    }

    qatomic_set(&s->irq_pending, 0);
    s->irq_bh = qemu_bh_new_guarded(npu_irq_bh, s,
                                    &DEVICE(pdev)->mem_reentrancy_guard);
    npu_worker_start(s);
    s->tick_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, npu_tick, s);
    timer_mod(s->tick_timer,
              qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + NPU_TICK_NS);
}

/* The mirror of npu_realize(), step by step in reverse. */
static void npu_exit(PCIDevice *pdev)
{
    NpuState *s = NPU(pdev);
    int i;

    timer_free(s->tick_timer);
    s->tick_timer = NULL;
    npu_worker_stop(s);
    qemu_bh_delete(s->irq_bh);
    s->irq_bh = NULL;

    for (i = 0; i < NPU_MSIX_VECTORS; i++) {
        msix_vector_unuse(pdev, i);
    }
    msix_uninit_exclusive_bar(pdev);

    npu_core_destroy(s->core);
    s->core = NULL;
}

/*
 * Device reset: the core cancels in-flight work at its next check, so
 * wake the worker to let it see the reset.  Interrupts not delivered
 * yet belong to the state before the reset.
 */
static void npu_reset(DeviceState *dev)
{
    NpuState *s = NPU(dev);
    bool work;

    trace_npu_reset();
    qatomic_set(&s->irq_pending, 0);
    npu_core_mmio_write(s->core, NPU_REG_CTRL, NPU_CTRL_RESET, &work);
    npu_worker_kick(s);
}

static void npu_instance_init(Object *obj)
{
    int i;

    for (i = 0; i < ARRAY_SIZE(npu_inject_props); i++) {
        const NpuInjectProp *prop = &npu_inject_props[i];

        object_property_add(obj, prop->name, "uint32", npu_get_inject,
                            npu_set_inject, NULL, (void *)prop);
        object_property_set_description(obj, prop->name, prop->desc);
    }
}

static Property npu_properties[] = {
    DEFINE_PROP_UINT32("mac-rows", NpuState, cfg.mac_rows,
                       NPU_CORE_DEFAULT_MAC_ROWS),
    DEFINE_PROP_UINT32("mac-cols", NpuState, cfg.mac_cols,
                       NPU_CORE_DEFAULT_MAC_COLS),
    DEFINE_PROP_UINT32("sram-size", NpuState, cfg.sram_size,
                       NPU_CORE_DEFAULT_SRAM),
    DEFINE_PROP_UINT32("clock-mhz", NpuState, cfg.clock_mhz,
                       NPU_CORE_DEFAULT_CLOCK_MHZ),
    DEFINE_PROP_UINT32("dram-bw", NpuState, cfg.dram_bw_mbps,
                       NPU_CORE_DEFAULT_DRAM_BW),
    DEFINE_PROP_UINT32("watchdog", NpuState, cfg.watchdog_insns,
                       NPU_CORE_DEFAULT_WATCHDOG),
    DEFINE_PROP_END_OF_LIST(),
};

/* The core's state is opaque to QEMU: no migration. */
static const VMStateDescription npu_vmstate = {
    .name = TYPE_NPU,
    .unmigratable = 1,
};

static void npu_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = npu_realize;
    k->exit = npu_exit;
    k->vendor_id = NPU_PCI_VENDOR_ID;
    k->device_id = NPU_PCI_DEVICE_ID;
    k->revision = NPU_PCI_REVISION;
    k->class_id = NPU_PCI_CLASS;
    dc->desc = "Emulated int8 neural processing unit";
    dc->reset = npu_reset;
    dc->vmsd = &npu_vmstate;
    device_class_set_props(dc, npu_properties);
    object_class_property_set_description(klass, "mac-rows",
                                          "MAC array rows (1..256)");
    object_class_property_set_description(klass, "mac-cols",
                                          "MAC array columns (1..256)");
    object_class_property_set_description(klass, "sram-size",
        "on-chip SRAM bytes (64 KiB..16 MiB, multiple of 4 KiB)");
    object_class_property_set_description(klass, "clock-mhz",
                                          "core clock in MHz (100..4000)");
    object_class_property_set_description(klass, "dram-bw",
                                          "DRAM bandwidth in MB/s"
                                          " (100..1000000)");
    object_class_property_set_description(klass, "watchdog",
        "CP instructions allowed between watchdog kicks (>= 1024)");
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo npu_info = {
    .name = TYPE_NPU,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(NpuState),
    .instance_init = npu_instance_init,
    .class_init = npu_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void npu_register_types(void)
{
    type_register_static(&npu_info);
}

type_init(npu_register_types)
