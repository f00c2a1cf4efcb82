// SPDX-License-Identifier: MIT
/*
 * The compiled model file (.npub): a header, then the plan's tables and
 * blobs, each section 8-byte aligned, all little-endian:
 *
 *   header      struct npub_header (magic, version, sizes, CRC-32 of
 *               every byte after the header)
 *   operations  n_ops x struct npub_op
 *   segments    n_segments x struct npu_segment
 *   copies      n_xfers x struct npu_xfer
 *   graph       the quantized graph, ONNX bytes
 *   weights     the weights region
 *   streams     the command streams, DMA addresses in model space
 *
 * Loading checks everything before it is used: the header and CRC, the
 * section sizes against the file, every table index against the graph
 * the file carries (re-lowered, so the CPU operations need nothing
 * else), and every command's DMA range against the model's buffers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile_priv.h"
#include "diag.h"
#include "file.h"
#include "npu/error.h"
#include "npu_fw_image.h"

#define NPUB_MAGIC	"NPUB"
#define NPUB_VERSION	1u
#define NPUB_MAX_BYTES	(1u << 30)

struct npub_header {
	char magic[4];
	uint32_t version;
	uint32_t header_size;
	uint32_t crc;			/* CRC-32 of the bytes after the header */
	uint64_t file_size;
	uint32_t sram_size, mac_rows, mac_cols, ops;
	uint32_t batch, per_op_jobs, single_buffer;
	uint32_t n_ops, n_segments, n_xfers;
	uint32_t graph_size, weights_size, act_size, streams_size;
};

struct npub_op {
	uint32_t first, count, placement, segment, tiles, stream_bytes;
	uint64_t macs, min_dram_bytes;
	char op[32];
	char reason[96];
};

_Static_assert(sizeof(struct npub_header) == 80, "npub header layout");
_Static_assert(sizeof(struct npub_op) == 168, "npub op layout");
_Static_assert(sizeof(struct npu_segment) == 36, "npub segment layout");
_Static_assert(sizeof(struct npu_xfer) == 24, "npub copy layout");

#define PAD8(x)	(((x) + 7u) & ~(uint64_t)7u)

struct section {
	void *data;
	uint64_t size;
};

static void sections(const struct npu_plan *plan, struct npub_op *ops, struct section s[6])
{
	s[0] = (struct section){ ops, (uint64_t)plan->n_cops * sizeof(*ops) };
	s[1] = (struct section){ plan->segments, (uint64_t)plan->n_segments *
						 sizeof(*plan->segments) };
	s[2] = (struct section){ plan->xfers, (uint64_t)plan->n_xfers * sizeof(*plan->xfers) };
	s[3] = (struct section){ plan->graph, plan->graph_size };
	s[4] = (struct section){ plan->weights, plan->weights_size };
	s[5] = (struct section){ plan->streams, plan->streams_size };
}

int npu_compiled_save(const struct npu_compiled_model *model, const char *path)
{
	static const uint8_t zeros[8];
	const struct npu_plan *plan;
	struct npub_header h;
	struct npub_op *ops;
	struct section s[6];
	uint64_t size = sizeof(h);
	uint8_t *buf, *at;
	struct npu_file_part part;
	int ret;

	if (!model || !path)
		return npu_fail(NPU_E_INVALID, "save: NULL argument");
	plan = npu_compiled_plan(model);
	ops = calloc(plan->n_cops + 1, sizeof(*ops));
	if (!ops)
		return npu_fail(NPU_E_NOMEM, "out of memory");
	for (uint32_t i = 0; i < plan->n_cops; i++) {
		const struct npu_cop *c = &plan->cops[i];

		ops[i] = (struct npub_op){ c->first, c->count, c->placement, c->segment, c->tiles,
					   c->stream_bytes, c->macs, c->min_dram_bytes, "", "" };
		memcpy(ops[i].op, c->op, sizeof(ops[i].op));
		memcpy(ops[i].reason, c->reason, sizeof(ops[i].reason));
	}
	sections(plan, ops, s);
	for (int i = 0; i < 6; i++)
		size += PAD8(s[i].size);
	buf = calloc(1, size);
	if (!buf) {
		free(ops);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	at = buf + sizeof(h);
	for (int i = 0; i < 6; i++) {
		if (s[i].size)
			memcpy(at, s[i].data, s[i].size);
		memcpy(at + s[i].size, zeros, PAD8(s[i].size) - s[i].size);
		at += PAD8(s[i].size);
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, NPUB_MAGIC, 4);
	h.version = NPUB_VERSION;
	h.header_size = sizeof(h);
	h.crc = npu_crc32(0, buf + sizeof(h), size - sizeof(h));
	h.file_size = size;
	h.sram_size = plan->sram_size;
	h.mac_rows = plan->mac_rows;
	h.mac_cols = plan->mac_cols;
	h.ops = plan->ops;
	h.batch = plan->batch;
	h.per_op_jobs = plan->per_op_jobs;
	h.single_buffer = plan->single_buffer;
	h.n_ops = plan->n_cops;
	h.n_segments = plan->n_segments;
	h.n_xfers = plan->n_xfers;
	h.graph_size = (uint32_t)plan->graph_size;
	h.weights_size = plan->weights_size;
	h.act_size = plan->act_size;
	h.streams_size = plan->streams_size;
	memcpy(buf, &h, sizeof(h));
	part = (struct npu_file_part){ buf, size };
	ret = npu_write_file(path, &part, 1);
	free(buf);
	free(ops);
	return ret;
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long len;
	int ret = 0;

	if (!f)
		return npu_fail(NPU_E_IO, "%s: cannot open", path);
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return npu_fail(NPU_E_IO, "%s: cannot read", path);
	}
	if ((unsigned long)len > NPUB_MAX_BYTES) {
		fclose(f);
		return npu_fail(NPU_E_FORMAT, "%s: %ld bytes is too large for a model", path, len);
	}
	*data = malloc((size_t)len + 1);
	if (!*data)
		ret = npu_fail(NPU_E_NOMEM, "out of memory");
	else if (fread(*data, 1, (size_t)len, f) != (size_t)len)
		ret = npu_fail(NPU_E_IO, "%s: cannot read", path);
	fclose(f);
	if (ret) {
		free(*data);
		*data = NULL;
		return ret;
	}
	*size = (size_t)len;
	return 0;
}

/* A copy of `size` bytes at *at, moving *at past the section and its padding. */
static void *take(const uint8_t **at, uint64_t size)
{
	void *p = malloc(size ? size : 1);

	if (p && size)
		memcpy(p, *at, size);
	*at += PAD8(size);
	return p;
}

static int parse(const char *path, const uint8_t *buf, size_t size, struct npu_plan *plan)
{
	struct npub_header h;
	struct npub_op *ops;
	const uint8_t *at = buf + sizeof(h);
	uint64_t need;

	if (size < sizeof(h) || memcmp(buf, NPUB_MAGIC, 4))
		return npu_fail(NPU_E_FORMAT, "%s: not a compiled model (.npub)", path);
	memcpy(&h, buf, sizeof(h));
	if (h.version != NPUB_VERSION)
		return npu_fail(NPU_E_FORMAT, "%s: .npub version %u; this libnpu reads version %u "
				"(compile the model again)", path, h.version, NPUB_VERSION);
	if (h.header_size != sizeof(h) || h.file_size != size)
		return npu_fail(NPU_E_FORMAT, "%s: truncated or padded: header says %llu bytes, "
				"the file has %zu", path, (unsigned long long)h.file_size, size);
	if (npu_crc32(0, buf + sizeof(h), size - sizeof(h)) != h.crc)
		return npu_fail(NPU_E_FORMAT, "%s: checksum mismatch: the file is corrupt", path);
	need = sizeof(h) + PAD8((uint64_t)h.n_ops * sizeof(struct npub_op)) +
	       PAD8((uint64_t)h.n_segments * sizeof(struct npu_segment)) +
	       PAD8((uint64_t)h.n_xfers * sizeof(struct npu_xfer)) + PAD8(h.graph_size) +
	       PAD8(h.weights_size) + PAD8(h.streams_size);
	if (need != size || h.batch < 1 || h.batch > 4096 || h.act_size >= NPU_MODEL_ACT_BASE ||
	    h.weights_size >= NPU_MODEL_ACT_BASE || !h.graph_size)
		return npu_fail(NPU_E_FORMAT, "%s: section sizes do not add up to the file", path);
	memset(plan, 0, sizeof(*plan));
	plan->sram_size = h.sram_size;
	plan->mac_rows = h.mac_rows;
	plan->mac_cols = h.mac_cols;
	plan->ops = h.ops;
	plan->batch = h.batch;
	plan->per_op_jobs = !!h.per_op_jobs;
	plan->single_buffer = !!h.single_buffer;
	plan->n_cops = h.n_ops;
	plan->n_segments = h.n_segments;
	plan->n_xfers = h.n_xfers;
	plan->graph_size = h.graph_size;
	plan->weights_size = h.weights_size;
	plan->act_base = NPU_MODEL_ACT_BASE;
	plan->act_size = h.act_size;
	plan->streams_size = h.streams_size;
	ops = take(&at, (uint64_t)h.n_ops * sizeof(*ops));
	plan->segments = take(&at, (uint64_t)h.n_segments * sizeof(*plan->segments));
	plan->xfers = take(&at, (uint64_t)h.n_xfers * sizeof(*plan->xfers));
	plan->graph = take(&at, h.graph_size);
	plan->weights = take(&at, h.weights_size);
	plan->streams = take(&at, h.streams_size);
	plan->cops = calloc(h.n_ops + 1, sizeof(*plan->cops));
	if (!ops || !plan->segments || !plan->xfers || !plan->graph || !plan->weights ||
	    !plan->streams || !plan->cops) {
		free(ops);
		npu_plan_free(plan);
		return npu_fail(NPU_E_NOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < h.n_ops; i++) {
		struct npu_cop *c = &plan->cops[i];

		c->first = ops[i].first;
		c->count = ops[i].count;
		c->placement = ops[i].placement;
		c->segment = ops[i].segment;
		c->tiles = ops[i].tiles;
		c->stream_bytes = ops[i].stream_bytes;
		c->macs = ops[i].macs;
		c->min_dram_bytes = ops[i].min_dram_bytes;
		memcpy(c->op, ops[i].op, sizeof(c->op));
		memcpy(c->reason, ops[i].reason, sizeof(c->reason));
		c->op[sizeof(c->op) - 1] = 0;
		c->reason[sizeof(c->reason) - 1] = 0;
		if (ops[i].placement > NPU_PLACE_CPU) {
			const uint32_t placement = ops[i].placement;

			free(ops);
			npu_plan_free(plan);
			return npu_fail(NPU_E_FORMAT, "%s: operation %u has placement %u", path, i,
					placement);
		}
	}
	free(ops);
	return 0;
}

int npu_compiled_probe(const char *path)
{
	char magic[4];
	FILE *f = path ? fopen(path, "rb") : NULL;
	int is = f && fread(magic, 1, 4, f) == 4 && !memcmp(magic, NPUB_MAGIC, 4);

	if (f)
		fclose(f);
	return is;
}

int npu_compiled_load(const char *path, struct npu_device *dev,
		      struct npu_compiled_model **model)
{
	struct npu_plan plan;
	uint8_t *buf = NULL;
	size_t size = 0;
	int ret;

	if (!path || !dev || !model)
		return npu_fail(NPU_E_INVALID, "load: NULL argument");
	*model = NULL;
	memset(&plan, 0, sizeof(plan));
	ret = read_file(path, &buf, &size);
	if (!ret)
		ret = parse(path, buf, size, &plan);
	free(buf);
	if (!ret)
		ret = npu_plan_rebase(&plan, NULL, 0, 0);
	if (ret) {
		npu_plan_free(&plan);
		return ret;
	}
	return npu_model_from_plan(&plan, dev, 0, model);
}
