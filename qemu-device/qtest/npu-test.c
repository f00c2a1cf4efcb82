/*
 * QTest for the NPU PCI device
 *
 * Drives the device the way the kernel driver does, through guest
 * memory and BAR0: load and boot the firmware (NPU_FW_IMAGE), the HELLO
 * handshake, page tables, the job ring, the fence, interrupts, faults
 * and reset.
 *
 * Copyright (c) 2025 The NPU stack authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "libqos/libqos-malloc.h"
#include "libqos/malloc-pc.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "qapi/qmp/qdict.h"
#include "hw/misc/npu/npu_hw.h"

/* Real time allowed for the device to answer. */
#define NPU_TIMEOUT_US      (20 * G_USEC_PER_SEC)
#define NPU_RING_ENTRIES    16u
#define NPU_CTX             1u

/* The job's device VAs: all under level-1 entry 1. */
#define VA_CMD              0x00400000u
#define VA_SRC              0x00402000u     /* two pages */
#define VA_DST              0x00408000u     /* two pages */
#define VA_UNMAPPED         0x00800000u     /* level-1 entry 2: invalid */
#define COPY_RUN            256u
#define COPY_RUNS           32u             /* 8 KiB: two pages */
#define COPY_BYTES          (COPY_RUN * COPY_RUNS)

#define MSI_DATA            0x4e505530u
/* One millisecond of virtual time, in ns. */
#define NPU_MS              (1000 * 1000)

typedef struct Npu {
    QTestState *qts;
    QGuestAllocator alloc;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;

    /* Queue and MMU state, as a driver keeps it. */
    uint64_t ring, done, fence, l1, l2;
    uint32_t tail;
    uint32_t next_seqno;
} Npu;

/* ------------------------------------------------------------------ */
/* Set-up                                                              */
/* ------------------------------------------------------------------ */

static void npu_save_dev(QPCIDevice *dev, int devfn, void *data)
{
    QPCIDevice **found = data;

    g_assert_null(*found);
    *found = dev;
}

static void npu_map(Npu *n)
{
    uint64_t size;

    qpci_device_enable(n->dev);
    n->bar = qpci_iomap(n->dev, 0, &size);
    g_assert_cmpuint(size, ==, NPU_BAR0_SIZE);
}

static void npu_start(Npu *n, const char *machine, const char *props)
{
    memset(n, 0, sizeof(*n));
    n->qts = qtest_initf("-machine %s -m 256M -device npu,id=npu0%s%s",
                         machine, props ? "," : "", props ? props : "");
    pc_alloc_init(&n->alloc, n->qts, ALLOC_NO_FLAGS);
    n->bus = qpci_new_pc(n->qts, &n->alloc);
    qpci_device_foreach(n->bus, NPU_PCI_VENDOR_ID, NPU_PCI_DEVICE_ID,
                        npu_save_dev, &n->dev);
    g_assert_nonnull(n->dev);
    npu_map(n);
}

static void npu_stop(Npu *n)
{
    qpci_iounmap(n->dev, n->bar);
    g_free(n->dev);
    qpci_free_pc(n->bus);
    alloc_destroy(&n->alloc);
    qtest_quit(n->qts);
}

static uint32_t rd(Npu *n, uint32_t reg)
{
    return qpci_io_readl(n->dev, n->bar, reg);
}

static void wr(Npu *n, uint32_t reg, uint32_t value)
{
    qpci_io_writel(n->dev, n->bar, reg, value);
}

static void wr64(Npu *n, uint32_t lo_reg, uint64_t value)
{
    wr(n, lo_reg, (uint32_t)value);
    wr(n, lo_reg + 4, (uint32_t)(value >> 32));
}

/* Zeroed, page-aligned guest memory. */
static uint64_t npu_alloc(Npu *n, size_t size)
{
    uint64_t addr = guest_alloc(&n->alloc, size);

    g_assert_cmpuint(addr, !=, 0);
    g_assert_cmpuint(addr & (NPU_PAGE_SIZE - 1), ==, 0);
    qtest_memset(n->qts, addr, 0, size);
    return addr;
}

/* Poll register @reg until (value & @mask) == @want; returns the value. */
static uint32_t npu_poll_reg(Npu *n, uint32_t reg, uint32_t mask,
                             uint32_t want)
{
    gint64 deadline = g_get_monotonic_time() + NPU_TIMEOUT_US;
    uint32_t v;

    for (;;) {
        v = rd(n, reg);
        if ((v & mask) == want) {
            return v;
        }
        if (g_get_monotonic_time() > deadline) {
            g_test_message("register 0x%x = 0x%x, want 0x%x under mask 0x%x",
                           reg, v, want, mask);
            g_assert_not_reached();
        }
        g_usleep(200);
    }
}

/* ------------------------------------------------------------------ */
/* Firmware                                                            */
/* ------------------------------------------------------------------ */

static bool npu_boot_done(uint32_t boot)
{
    return boot == NPU_BOOT_READY || boot >= NPU_BOOT_ERR_DMA;
}

/* Load the image into guest RAM, boot it, and do the HELLO handshake. */
static void npu_boot(Npu *n)
{
    const char *path = getenv("NPU_FW_IMAGE");
    g_autoptr(GError) err = NULL;
    g_autofree gchar *image = NULL;
    gint64 deadline;
    uint32_t boot, reply, seq;
    uint64_t addr;
    gsize len;

    if (!path) {
        g_test_message("NPU_FW_IMAGE is not set: no firmware to boot");
        g_assert_not_reached();
    }
    if (!g_file_get_contents(path, &image, &len, &err)) {
        g_test_message("cannot read %s: %s", path, err->message);
        g_assert_not_reached();
    }
    g_assert_cmpuint(len, >, sizeof(struct npu_fw_header));
    addr = npu_alloc(n, len);
    qtest_memwrite(n->qts, addr, image, len);

    wr(n, NPU_REG_IRQ_MASK, NPU_IRQ_ALL);
    wr64(n, NPU_REG_FW_ADDR_LO, addr);
    wr(n, NPU_REG_FW_SIZE, len);
    wr(n, NPU_REG_CTRL, NPU_CTRL_BOOT);

    deadline = g_get_monotonic_time() + NPU_TIMEOUT_US;
    while (!npu_boot_done(boot = rd(n, NPU_REG_BOOT_STATUS))) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(200);
    }
    if (boot != NPU_BOOT_READY) {
        g_test_message("boot status 0x%x, trap cause %u pc 0x%x", boot,
                       rd(n, NPU_REG_CP_TRAP_CAUSE),
                       rd(n, NPU_REG_CP_TRAP_PC));
    }
    g_assert_cmphex(boot, ==, NPU_BOOT_READY);
    g_assert_cmphex(rd(n, NPU_REG_STATUS) & NPU_STATUS_FW_READY, ==,
                    NPU_STATUS_FW_READY);
    guest_free(&n->alloc, addr);

    seq = rd(n, NPU_REG_MBOX_F2H_SEQ) + 1;
    wr(n, NPU_REG_MBOX_H2F_CMD, NPU_MBOX_HELLO);
    wr(n, NPU_REG_MBOX_H2F_ARG0, NPU_FW_API_VERSION);
    wr(n, NPU_REG_MBOX_H2F_ARG1, 0);
    wr(n, NPU_REG_MBOX_H2F_SEQ, seq);
    npu_poll_reg(n, NPU_REG_MBOX_F2H_SEQ, ~0u, seq);
    reply = rd(n, NPU_REG_MBOX_F2H_CMD);
    g_assert_cmpuint(NPU_MBOX_REPLY_CMD(reply), ==, NPU_MBOX_HELLO);
    g_assert_cmpuint(NPU_MBOX_REPLY_STATUS(reply), ==, NPU_MBOX_OK);
    g_assert_cmphex(NPU_FW_API_MAJOR(rd(n, NPU_REG_MBOX_F2H_ARG1)), ==,
                    NPU_FW_API_MAJOR(NPU_FW_API_VERSION));
    g_assert_cmphex(rd(n, NPU_REG_MBOX_F2H_ARG0), ==,
                    rd(n, NPU_REG_FW_VERSION));
    g_assert_cmphex(rd(n, NPU_REG_IRQ_STATUS) & NPU_IRQ_MBOX, ==,
                    NPU_IRQ_MBOX);
    wr(n, NPU_REG_IRQ_ACK, NPU_IRQ_MBOX);
}

/* ------------------------------------------------------------------ */
/* Page tables, ring, jobs                                             */
/* ------------------------------------------------------------------ */

/* Map one page at @va (under level-1 entry 1) to @pa. */
static void npu_map_page(Npu *n, uint32_t va, uint64_t pa, uint64_t perms)
{
    g_assert_cmpuint(NPU_VA_L1_INDEX(va), ==, 1);
    qtest_writeq(n->qts, n->l2 + 8ull * NPU_VA_L2_INDEX(va),
                 pa | NPU_PTE_VALID | perms);
}

/* Ring, fence, completion records and context NPU_CTX's tables. */
static void npu_setup_queue(Npu *n)
{
    n->ring = npu_alloc(n, NPU_RING_ENTRIES * sizeof(struct npu_job_desc));
    n->done = npu_alloc(n, NPU_RING_ENTRIES * sizeof(struct npu_job_done));
    n->fence = npu_alloc(n, NPU_PAGE_SIZE);
    n->l1 = npu_alloc(n, NPU_PT_BYTES);
    n->l2 = npu_alloc(n, NPU_PT_BYTES);
    n->tail = 0;
    n->next_seqno = 1;
    qtest_writeq(n->qts, n->l1 + 8ull * 1, n->l2 | NPU_PTE_VALID);

    wr64(n, NPU_REG_RING_BASE_LO, n->ring);
    wr(n, NPU_REG_RING_SIZE, NPU_RING_ENTRIES);
    wr64(n, NPU_REG_FENCE_ADDR_LO, n->fence);
    wr(n, NPU_REG_MMU_ROOT_HI(NPU_CTX), (uint32_t)(n->l1 >> 32));
    wr(n, NPU_REG_MMU_ROOT_LO(NPU_CTX), (uint32_t)n->l1 | NPU_MMU_ROOT_ENABLE);
}

/* Queue a job running @size bytes of commands at @va; returns its seqno. */
static uint32_t npu_submit(Npu *n, uint32_t va, uint32_t size)
{
    uint32_t slot = n->tail & (NPU_RING_ENTRIES - 1);
    struct npu_job_desc desc = {
        .seqno = n->next_seqno++,
        .ctx = NPU_CTX,
        .cmd_addr = va,
        .cmd_size = size,
        .done_addr = n->done + slot * sizeof(struct npu_job_done),
    };

    qtest_memwrite(n->qts, n->ring + slot * sizeof(desc), &desc,
                   sizeof(desc));
    n->tail++;
    wr(n, NPU_REG_RING_TAIL, n->tail);
    wr(n, NPU_REG_RING_DOORBELL, 1);
    return desc.seqno;
}

static void npu_wait_fence(Npu *n, uint32_t seqno)
{
    gint64 deadline = g_get_monotonic_time() + NPU_TIMEOUT_US;

    while ((int32_t)(qtest_readl(n->qts, n->fence) - seqno) < 0) {
        if (g_get_monotonic_time() > deadline) {
            g_test_message("fence 0x%x, want 0x%x; status 0x%x head %u",
                           qtest_readl(n->qts, n->fence), seqno,
                           rd(n, NPU_REG_STATUS), rd(n, NPU_REG_RING_HEAD));
            g_assert_not_reached();
        }
        g_usleep(200);
    }
}

static void npu_read_done(Npu *n, uint32_t seqno, struct npu_job_done *done)
{
    uint32_t slot = (seqno - 1) & (NPU_RING_ENTRIES - 1);

    qtest_memread(n->qts, n->done + slot * sizeof(*done), done,
                  sizeof(*done));
    g_assert_cmpuint(done->seqno, ==, seqno);
}

static void npu_dma_cmd(struct npu_cmd_dma *c, uint8_t op, uint32_t dram)
{
    memset(c, 0, sizeof(*c));
    c->hdr = NPU_CMD_HDR(op, sizeof(*c) / 4);
    c->dram_addr = dram;
    c->sram_addr = 0;
    c->size[0] = COPY_RUN;
    c->size[1] = COPY_RUNS;
    c->size[2] = 1;
    c->size[3] = 1;
    c->dram_stride[0] = COPY_RUN;
    c->sram_stride[0] = COPY_RUN;
}

/* The stream: DMA_LOAD from @src, SYNC, DMA_STORE to @dst. */
struct npu_copy_stream {
    struct npu_cmd_dma load;
    struct npu_cmd_sync sync;
    struct npu_cmd_dma store;
};
/* No padding between the commands: the layout is the stream. */
QEMU_BUILD_BUG_ON(sizeof(struct npu_copy_stream) !=
                  2 * sizeof(struct npu_cmd_dma) + sizeof(struct npu_cmd_sync));

/*
 * Map the command page and the source and destination buffers (each
 * page at a separate, non-adjacent guest page), fill the source with a
 * pattern and write the copy stream.  Returns the stream size.
 */
static uint32_t npu_setup_copy(Npu *n, uint32_t src_va, uint64_t *dst_pa)
{
    struct npu_copy_stream s;
    uint8_t pattern[NPU_PAGE_SIZE];
    uint64_t cmd_pa, pa;
    int page, i;

    cmd_pa = npu_alloc(n, NPU_PAGE_SIZE);
    npu_map_page(n, VA_CMD, cmd_pa, NPU_PTE_READ);
    for (page = 0; page < 2; page++) {
        pa = npu_alloc(n, 2 * NPU_PAGE_SIZE);   /* a gap after each page */
        for (i = 0; i < NPU_PAGE_SIZE; i++) {
            pattern[i] = (uint8_t)(i * 7 + page * 13 + 1);
        }
        qtest_memwrite(n->qts, pa, pattern, sizeof(pattern));
        npu_map_page(n, VA_SRC + page * NPU_PAGE_SIZE, pa, NPU_PTE_READ);

        dst_pa[page] = npu_alloc(n, 2 * NPU_PAGE_SIZE);
        npu_map_page(n, VA_DST + page * NPU_PAGE_SIZE, dst_pa[page],
                     NPU_PTE_READ | NPU_PTE_WRITE);
    }

    npu_dma_cmd(&s.load, NPU_OP_DMA_LOAD, src_va);
    s.sync.hdr = NPU_CMD_HDR(NPU_OP_SYNC, sizeof(s.sync) / 4);
    s.sync.engines = NPU_ENGINE_BIT(NPU_ENGINE_DMA);
    npu_dma_cmd(&s.store, NPU_OP_DMA_STORE, VA_DST);
    qtest_memwrite(n->qts, cmd_pa, &s, sizeof(s));
    /* The device caches translations: tables changed. */
    wr(n, NPU_REG_MMU_FLUSH, 1u << NPU_CTX);
    return sizeof(s);
}

static void npu_check_copy(Npu *n, const uint64_t *dst_pa)
{
    uint8_t got[NPU_PAGE_SIZE];
    int page, i;

    for (page = 0; page < 2; page++) {
        qtest_memread(n->qts, dst_pa[page], got, sizeof(got));
        for (i = 0; i < NPU_PAGE_SIZE; i++) {
            g_assert_cmpuint(got[i], ==, (uint8_t)(i * 7 + page * 13 + 1));
        }
    }
}

/* Boot, set up and run one good copy job; checks everything it can. */
static void npu_run_copy_job(Npu *n)
{
    struct npu_job_done done;
    uint64_t dst_pa[2];
    uint32_t size, seqno;

    size = npu_setup_copy(n, VA_SRC, dst_pa);
    seqno = npu_submit(n, VA_CMD, size);
    npu_wait_fence(n, seqno);
    npu_read_done(n, seqno, &done);
    g_assert_cmpuint(done.status, ==, NPU_OK);
    g_assert_cmpuint(done.fault_addr, ==, 0);
    g_assert_cmpuint(done.counters[NPU_PERF_DMA_RD_BYTES], ==, COPY_BYTES);
    g_assert_cmpuint(done.counters[NPU_PERF_DMA_WR_BYTES], ==, COPY_BYTES);
    g_assert_cmpuint(done.counters[NPU_PERF_COMMANDS], ==, 3);
    g_assert_cmpuint(done.counters[NPU_PERF_CYCLES], >, 0);
    npu_check_copy(n, dst_pa);
    g_assert_cmpuint(rd(n, NPU_REG_LAST_SEQNO), ==, seqno);
    g_assert_cmpuint(rd(n, NPU_REG_RING_HEAD), ==, n->tail);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static void npu_check_identity(Npu *n, uint32_t rows, uint32_t cols,
                               uint32_t sram, uint32_t mhz, uint32_t bw)
{
    uint32_t mac = rd(n, NPU_REG_CAP_MAC);
    uint32_t queues = rd(n, NPU_REG_CAP_QUEUES);

    g_assert_cmphex(qpci_config_readw(n->dev, PCI_VENDOR_ID), ==,
                    NPU_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(n->dev, PCI_DEVICE_ID), ==,
                    NPU_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readw(n->dev, PCI_CLASS_DEVICE), ==,
                    NPU_PCI_CLASS);
    g_assert_cmphex(qpci_config_readb(n->dev, PCI_REVISION_ID), ==,
                    NPU_PCI_REVISION);
    g_assert_cmpuint(qpci_msix_table_size(n->dev), ==, NPU_MSIX_VECTORS);

    g_assert_cmphex(rd(n, NPU_REG_ID), ==, NPU_ID_MAGIC);
    g_assert_cmphex(rd(n, NPU_REG_HW_VERSION), ==, NPU_HW_VERSION);
    g_assert_cmpuint(NPU_CAP_MAC_ROWS(mac), ==, rows);
    g_assert_cmpuint(NPU_CAP_MAC_COLS(mac), ==, cols);
    g_assert_cmpuint(rd(n, NPU_REG_CAP_SRAM), ==, sram);
    g_assert_cmpuint(rd(n, NPU_REG_CAP_CLOCK), ==, mhz);
    g_assert_cmpuint(rd(n, NPU_REG_CAP_DRAM_BW), ==, bw);
    g_assert_cmpuint(NPU_CAP_QUEUES_RINGS(queues), >=, 1);
    g_assert_cmpuint(NPU_CAP_QUEUES_CTXS(queues), ==, NPU_MAX_CONTEXTS);
    g_assert_cmphex(rd(n, NPU_REG_CAP_OPS) & NPU_CAP_OP_DMA, ==,
                    NPU_CAP_OP_DMA);
    g_assert_cmphex(rd(n, NPU_REG_CAP_CP_MEM), ==,
                    (NPU_CP_IMEM_SIZE >> 10) | (NPU_CP_DMEM_SIZE >> 10) << 16);
    g_assert_cmphex(rd(n, NPU_REG_BOOT_STATUS), ==, NPU_BOOT_OFF);
    g_assert_cmphex(rd(n, NPU_REG_STATUS), ==, 0);
}

static void test_identity_default(void)
{
    Npu n;

    npu_start(&n, "q35", NULL);
    npu_check_identity(&n, 32, 32, 1 * MiB, 1000, 8000);
    npu_stop(&n);
}

static void test_identity_props(void)
{
    Npu n;

    npu_start(&n, "q35", "mac-rows=16,mac-cols=64,sram-size=2097152,"
              "clock-mhz=500,dram-bw=12000,watchdog=100000");
    npu_check_identity(&n, 16, 64, 2 * MiB, 500, 12000);
    npu_stop(&n);
}

/* Bad accesses are ignored: reads give 0, writes change nothing. */
static void test_bad_access(void)
{
    Npu n;

    npu_start(&n, "q35", NULL);
    g_assert_cmphex(qpci_io_readb(n.dev, n.bar, NPU_REG_ID), ==, 0);
    g_assert_cmphex(qpci_io_readw(n.dev, n.bar, NPU_REG_ID), ==, 0);
    g_assert_cmphex(qpci_io_readl(n.dev, n.bar, NPU_REG_ID + 1), ==, 0);
    g_assert_cmphex(qpci_io_readl(n.dev, n.bar, 0xffc), ==, 0);
    qpci_io_writeb(n.dev, n.bar, NPU_REG_IRQ_MASK, 0xff);
    qpci_io_writel(n.dev, n.bar, NPU_REG_IRQ_MASK + 2, 0xffffffff);
    g_assert_cmphex(rd(&n, NPU_REG_IRQ_MASK), ==, 0);
    wr(&n, NPU_REG_ID, 0);
    g_assert_cmphex(rd(&n, NPU_REG_ID), ==, NPU_ID_MAGIC);
    npu_stop(&n);
}

static void test_boot(void)
{
    Npu n;

    npu_start(&n, "q35", NULL);
    npu_boot(&n);
    g_assert_cmphex(rd(&n, NPU_REG_STATUS) &
                    (NPU_STATUS_CP_RUNNING | NPU_STATUS_CP_HALTED |
                     NPU_STATUS_HUNG), ==, NPU_STATUS_CP_RUNNING);
    npu_stop(&n);
}

/* Virtual time passes: the firmware's heartbeat counts, unless stopped. */
static void test_heartbeat(void)
{
    uint32_t hb;
    Npu n;
    int i;

    npu_start(&n, "q35", NULL);
    npu_boot(&n);
    hb = rd(&n, NPU_REG_HEARTBEAT);
    for (i = 0; i < 200 && rd(&n, NPU_REG_HEARTBEAT) == hb; i++) {
        qtest_clock_step(n.qts, 10 * NPU_MS);
        g_usleep(1000);
    }
    g_assert_cmpuint(rd(&n, NPU_REG_HEARTBEAT), !=, hb);

    qtest_qmp_assert_success(n.qts, "{'execute': 'qom-set', 'arguments':"
                             " {'path': '/machine/peripheral/npu0',"
                             " 'property': 'inject-heartbeat', 'value': 1}}");
    /* Let a beat that was on its way land, then it must stand still. */
    qtest_clock_step(n.qts, 100 * NPU_MS);
    g_usleep(100 * 1000);
    hb = rd(&n, NPU_REG_HEARTBEAT);
    for (i = 0; i < 20; i++) {
        qtest_clock_step(n.qts, 10 * NPU_MS);
        g_usleep(1000);
    }
    g_assert_cmpuint(rd(&n, NPU_REG_HEARTBEAT), ==, hb);
    npu_stop(&n);
}

static void test_job(void)
{
    Npu n;

    npu_start(&n, "q35", NULL);
    npu_boot(&n);
    npu_setup_queue(&n);
    npu_run_copy_job(&n);
    g_assert_cmphex(rd(&n, NPU_REG_IRQ_STATUS) & NPU_IRQ_JOB_DONE, ==,
                    NPU_IRQ_JOB_DONE);
    wr(&n, NPU_REG_IRQ_ACK, NPU_IRQ_JOB_DONE);
    /* A second job through the same ring. */
    npu_run_copy_job(&n);
    g_assert_cmpuint(rd(&n, NPU_REG_PERF_LO(NPU_PERF_JOBS)), ==, 2);
    g_assert_cmpuint(rd(&n, NPU_REG_FAULT_STATUS), ==, 0);
    npu_stop(&n);
}

/* Program MSI-X table entry @entry to write MSI_DATA + @entry to @addr. */
static void npu_msix_entry(Npu *n, uint16_t entry, uint64_t addr, bool mask)
{
    uint64_t off = n->dev->msix_table_off + entry * PCI_MSIX_ENTRY_SIZE;

    qpci_io_writel(n->dev, n->dev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)addr);
    qpci_io_writel(n->dev, n->dev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_UPPER_ADDR, addr >> 32);
    qpci_io_writel(n->dev, n->dev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_DATA, MSI_DATA + entry);
    qpci_io_writel(n->dev, n->dev->msix_table_bar,
                   off + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   mask ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
}

static void npu_wait_mem(Npu *n, uint64_t addr, uint32_t want)
{
    gint64 deadline = g_get_monotonic_time() + NPU_TIMEOUT_US;

    while (qtest_readl(n->qts, addr) != want) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(200);
    }
}

/* The interrupt follows the fence: it may take a moment to arrive. */
static void npu_wait_pending(Npu *n, uint16_t vector)
{
    gint64 deadline = g_get_monotonic_time() + NPU_TIMEOUT_US;

    while (!qpci_msix_pending(n->dev, vector)) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(200);
    }
}

static void test_msix(void)
{
    uint64_t msg;
    Npu n;

    npu_start(&n, "q35", NULL);
    qpci_msix_enable(n.dev);
    msg = npu_alloc(&n, NPU_PAGE_SIZE);
    /* MBOX and JOB masked: they become pending in the PBA. */
    npu_msix_entry(&n, NPU_VEC_JOB, msg, true);
    npu_msix_entry(&n, NPU_VEC_MBOX, msg + 4, true);
    npu_msix_entry(&n, NPU_VEC_ERROR, msg + 8, true);
    npu_boot(&n);
    npu_wait_pending(&n, NPU_VEC_MBOX);
    g_assert_false(qpci_msix_pending(n.dev, NPU_VEC_ERROR));

    npu_setup_queue(&n);
    npu_run_copy_job(&n);
    npu_wait_pending(&n, NPU_VEC_JOB);
    g_assert_cmpuint(qtest_readl(n.qts, msg), ==, 0);

    /* Unmasking delivers the pending message... */
    npu_msix_entry(&n, NPU_VEC_JOB, msg, false);
    npu_wait_mem(&n, msg, MSI_DATA + NPU_VEC_JOB);
    g_assert_false(qpci_msix_pending(n.dev, NPU_VEC_JOB));
    /* ...and the next job's interrupt writes it again. */
    qtest_writel(n.qts, msg, 0);
    wr(&n, NPU_REG_IRQ_ACK, NPU_IRQ_JOB_DONE);
    npu_run_copy_job(&n);
    npu_wait_mem(&n, msg, MSI_DATA + NPU_VEC_JOB);
    g_assert_cmpuint(qtest_readl(n.qts, msg + 4), ==, 0);
    g_assert_cmpuint(qtest_readl(n.qts, msg + 8), ==, 0);

    /* A source masked in IRQ_MASK raises nothing. */
    qtest_writel(n.qts, msg, 0);
    wr(&n, NPU_REG_IRQ_ACK, NPU_IRQ_JOB_DONE);
    wr(&n, NPU_REG_IRQ_MASK, NPU_IRQ_ALL & ~NPU_IRQ_JOB_DONE);
    npu_run_copy_job(&n);
    g_usleep(50 * 1000);
    g_assert_cmpuint(qtest_readl(n.qts, msg), ==, 0);
    /* Enabling the pending source delivers it. */
    wr(&n, NPU_REG_IRQ_MASK, NPU_IRQ_ALL);
    npu_wait_mem(&n, msg, MSI_DATA + NPU_VEC_JOB);
    npu_stop(&n);
}

/* A job reading an unmapped VA fails with an MMU fault, reported. */
static void test_dma_fault(void)
{
    struct npu_job_done done;
    uint64_t dst_pa[2];
    uint32_t size, seqno, fault;
    Npu n;

    npu_start(&n, "q35", NULL);
    npu_boot(&n);
    npu_setup_queue(&n);
    size = npu_setup_copy(&n, VA_UNMAPPED, dst_pa);
    seqno = npu_submit(&n, VA_CMD, size);
    npu_wait_fence(&n, seqno);
    npu_read_done(&n, seqno, &done);
    g_assert_cmpuint(done.status, ==, NPU_ERR_MMU);
    g_assert_cmphex(done.fault_addr, ==, VA_UNMAPPED);
    g_assert_cmpuint(done.fault_offset, ==, 0);

    fault = rd(&n, NPU_REG_FAULT_STATUS);
    g_assert_cmphex(fault & NPU_FAULT_VALID, ==, NPU_FAULT_VALID);
    g_assert_cmpuint(NPU_FAULT_TYPE(fault), ==, NPU_MMU_FAULT_L1);
    g_assert_cmpuint(NPU_FAULT_ENGINE(fault), ==, NPU_ENGINE_DMA);
    g_assert_cmpuint(NPU_FAULT_CTX(fault), ==, NPU_CTX);
    g_assert_cmphex(rd(&n, NPU_REG_FAULT_ADDR), ==, VA_UNMAPPED);
    g_assert_cmpuint(rd(&n, NPU_REG_FAULT_SEQNO), ==, seqno);
    g_assert_cmphex(rd(&n, NPU_REG_IRQ_STATUS) &
                    (NPU_IRQ_JOB_FAULT | NPU_IRQ_MMU_FAULT), ==,
                    NPU_IRQ_JOB_FAULT | NPU_IRQ_MMU_FAULT);

    /* Cleared by the host; the next job runs. */
    wr(&n, NPU_REG_FAULT_STATUS, 0);
    g_assert_cmphex(rd(&n, NPU_REG_FAULT_STATUS), ==, 0);
    wr(&n, NPU_REG_IRQ_ACK, NPU_IRQ_ALL);
    npu_run_copy_job(&n);
    npu_stop(&n);
}

/* A DMA aimed at the device's own BAR0 is refused: a bus error. */
static void test_dma_own_bar(void)
{
    struct npu_job_done done;
    uint64_t dst_pa[2], bar0;
    uint32_t size, seqno;
    Npu n;

    npu_start(&n, "q35", NULL);
    npu_boot(&n);
    npu_setup_queue(&n);
    size = npu_setup_copy(&n, VA_SRC, dst_pa);
    bar0 = qpci_config_readl(n.dev, PCI_BASE_ADDRESS_0) &
           PCI_BASE_ADDRESS_MEM_MASK;
    g_assert_cmpuint(bar0, !=, 0);
    npu_map_page(&n, VA_SRC, bar0, NPU_PTE_READ);
    wr(&n, NPU_REG_MMU_FLUSH, 1u << NPU_CTX);
    seqno = npu_submit(&n, VA_CMD, size);
    npu_wait_fence(&n, seqno);
    npu_read_done(&n, seqno, &done);
    g_assert_cmpuint(done.status, ==, NPU_ERR_DMA);
    g_assert_cmpuint(NPU_FAULT_TYPE(rd(&n, NPU_REG_FAULT_STATUS)), ==,
                     NPU_MMU_FAULT_BUS);
    npu_stop(&n);
}

static void npu_qom_set(Npu *n, const char *prop, uint32_t value)
{
    qtest_qmp_assert_success(n->qts, "{'execute': 'qom-set', 'arguments':"
                             " {'path': '/machine/peripheral/npu0',"
                             " 'property': %s, 'value': %u}}", prop, value);
}

static uint32_t npu_qom_get(Npu *n, const char *prop)
{
    QDict *rsp = qtest_qmp(n->qts, "{'execute': 'qom-get', 'arguments':"
                           " {'path': '/machine/peripheral/npu0',"
                           " 'property': %s}}", prop);
    uint32_t value;

    g_assert_true(qdict_haskey(rsp, "return"));
    value = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return value;
}

/* Hang an engine, see STATUS.HUNG, then reset with @reset and recover. */
static void npu_hang_and_recover(void (*reset)(Npu *n))
{
    uint64_t dst_pa[2];
    uint32_t size, seqno;
    Npu n;

    npu_start(&n, "q35", NULL);
    npu_boot(&n);
    npu_setup_queue(&n);
    npu_qom_set(&n, "inject-hang", 1);
    g_assert_cmpuint(npu_qom_get(&n, "inject-hang"), ==, 1);
    size = npu_setup_copy(&n, VA_SRC, dst_pa);
    seqno = npu_submit(&n, VA_CMD, size);
    npu_poll_reg(&n, NPU_REG_STATUS, NPU_STATUS_HUNG, NPU_STATUS_HUNG);
    g_usleep(50 * 1000);
    g_assert_cmpuint(qtest_readl(n.qts, n.fence), !=, seqno);

    reset(&n);
    g_assert_cmphex(rd(&n, NPU_REG_ID), ==, NPU_ID_MAGIC);
    g_assert_cmphex(rd(&n, NPU_REG_STATUS), ==, 0);
    g_assert_cmphex(rd(&n, NPU_REG_BOOT_STATUS), ==, NPU_BOOT_OFF);
    g_assert_cmphex(rd(&n, NPU_REG_RING_HEAD), ==, 0);

    npu_boot(&n);
    npu_setup_queue(&n);
    npu_run_copy_job(&n);
    npu_stop(&n);
}

static void npu_reset_ctrl(Npu *n)
{
    wr(n, NPU_REG_CTRL, NPU_CTRL_RESET);
}

static void npu_reset_system(Npu *n)
{
    qtest_qmp_assert_success(n->qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(n->qts, "RESET");
    /* PCI reset too: BARs and bus mastering are off again. */
    qpci_iounmap(n->dev, n->bar);
    npu_map(n);
}

static void test_reset_ctrl(void)
{
    npu_hang_and_recover(npu_reset_ctrl);
}

static void test_reset_system(void)
{
    npu_hang_and_recover(npu_reset_system);
}

/* Fault injection armed on the command line: the first job's DMA fails. */
static void test_inject_startup(void)
{
    struct npu_job_done done;
    uint64_t dst_pa[2];
    uint32_t size, seqno;
    Npu n;

    npu_start(&n, "q35", "inject-dma-error=1");
    g_assert_cmpuint(npu_qom_get(&n, "inject-dma-error"), ==, 1);
    npu_boot(&n);
    npu_setup_queue(&n);
    size = npu_setup_copy(&n, VA_SRC, dst_pa);
    seqno = npu_submit(&n, VA_CMD, size);
    npu_wait_fence(&n, seqno);
    npu_read_done(&n, seqno, &done);
    g_assert_cmpuint(done.status, ==, NPU_ERR_DMA);
    wr(&n, NPU_REG_FAULT_STATUS, 0);
    npu_run_copy_job(&n);
    npu_stop(&n);
}

/* Bad parameters fail realize with a message naming the parameter. */
static void test_bad_props(void)
{
    QTestState *qts = qtest_init("-machine pc");
    QDict *rsp;
    const char *desc;

    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'npu', 'id': 'bad', 'mac-rows': 0}}");
    g_assert_true(qdict_haskey(rsp, "error"));
    desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
    g_test_message("device_add npu,mac-rows=0: %s", desc);
    g_assert_nonnull(strstr(desc, "mac-rows=0"));
    qobject_unref(rsp);

    rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments':"
                    " {'driver': 'npu', 'id': 'bad', 'sram-size': 65537}}");
    g_assert_true(qdict_haskey(rsp, "error"));
    desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
    g_assert_nonnull(strstr(desc, "sram-size"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

/* Hot-plug, use, hot-unplug, and again: realize and exit mirror. */
static void test_hotplug(void)
{
    QTestState *qts = qtest_init("-machine pc");
    QGuestAllocator alloc;
    QPCIBus *bus;
    int round;

    pc_alloc_init(&alloc, qts, ALLOC_NO_FLAGS);
    bus = qpci_new_pc(qts, &alloc);
    for (round = 0; round < 2; round++) {
        QPCIDevice *dev;
        QPCIBar bar;

        qtest_qmp_device_add(qts, "npu", "hp", "{'addr': '0x6'}");
        dev = qpci_device_find(bus, QPCI_DEVFN(6, 0));
        g_assert_nonnull(dev);
        qpci_device_enable(dev);
        bar = qpci_iomap(dev, 0, NULL);
        g_assert_cmphex(qpci_io_readl(dev, bar, NPU_REG_ID), ==,
                        NPU_ID_MAGIC);
        /*
         * Keep the worker busy with a boot whose image lies where there
         * is no RAM: refused on the bus, it never waits for the BQL
         * that unplug holds while it stops the worker.  The second
         * round unplugs at once, while the worker may still run.
         */
        qpci_io_writel(dev, bar, NPU_REG_FW_ADDR_LO, 0xfff00000);
        qpci_io_writel(dev, bar, NPU_REG_FW_SIZE, 4096);
        qpci_io_writel(dev, bar, NPU_REG_CTRL, NPU_CTRL_BOOT);
        if (round == 0) {
            gint64 deadline = g_get_monotonic_time() + NPU_TIMEOUT_US;

            while (qpci_io_readl(dev, bar, NPU_REG_BOOT_STATUS) !=
                   NPU_BOOT_ERR_DMA) {
                g_assert_cmpint(g_get_monotonic_time(), <, deadline);
                g_usleep(200);
            }
        }
        qpci_iounmap(dev, bar);
        g_free(dev);
        qpci_unplug_acpi_device_test(qts, "hp", 6);
        g_assert_null(qpci_device_find(bus, QPCI_DEVFN(6, 0)));
    }
    qpci_free_pc(bus);
    alloc_destroy(&alloc);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/npu/identity/default", test_identity_default);
    qtest_add_func("/npu/identity/props", test_identity_props);
    qtest_add_func("/npu/mmio/bad-access", test_bad_access);
    qtest_add_func("/npu/props/bad", test_bad_props);
    qtest_add_func("/npu/fw/boot", test_boot);
    qtest_add_func("/npu/fw/heartbeat", test_heartbeat);
    qtest_add_func("/npu/job/copy", test_job);
    qtest_add_func("/npu/irq/msix", test_msix);
    qtest_add_func("/npu/fault/mmu", test_dma_fault);
    qtest_add_func("/npu/fault/own-bar", test_dma_own_bar);
    qtest_add_func("/npu/fault/inject-startup", test_inject_startup);
    qtest_add_func("/npu/reset/ctrl", test_reset_ctrl);
    qtest_add_func("/npu/reset/system", test_reset_system);
    qtest_add_func("/npu/hotplug", test_hotplug);

    return g_test_run();
}
