// SPDX-License-Identifier: MIT
/*
 * Command validation: the rules of docs/hw-spec.md ("Command stream"),
 * in one place.
 */
#include "npu_cmd.h"

#define U32_LIMIT	0x100000000ull

uint32_t npu_cmd_words(uint32_t opcode)
{
	switch (opcode) {
	case NPU_OP_NOP:
		return 1;
	case NPU_OP_SYNC:
		return sizeof(struct npu_cmd_sync) / 4;
	case NPU_OP_DMA_LOAD:
	case NPU_OP_DMA_STORE:
		return sizeof(struct npu_cmd_dma) / 4;
	case NPU_OP_CONV:
		return sizeof(struct npu_cmd_conv) / 4;
	case NPU_OP_MATMUL:
		return sizeof(struct npu_cmd_matmul) / 4;
	case NPU_OP_POOL:
		return sizeof(struct npu_cmd_pool) / 4;
	case NPU_OP_ELTWISE:
		return sizeof(struct npu_cmd_eltwise) / 4;
	case NPU_OP_LUT:
		return sizeof(struct npu_cmd_lut) / 4;
	default:
		return 0;
	}
}

int npu_quant_valid(const struct npu_quant *q)
{
	return q->multiplier >= 0 && q->shift >= -31 && q->shift <= 30;
}

/* Zero point and clamp bounds must lie in the range of their type. */
static int npu_zp_valid(int32_t zp, int is_u8)
{
	return is_u8 ? (zp >= 0 && zp <= 255) : (zp >= -128 && zp <= 127);
}

static int npu_clamp_valid(int32_t lo, int32_t hi, int is_u8)
{
	return lo <= hi && npu_zp_valid(lo, is_u8) && npu_zp_valid(hi, is_u8);
}

/*
 * Record an SRAM operand of `len` bytes at `addr`.  The 64-bit length
 * comes from multiplying 16/32-bit fields, so it is checked before use.
 */
static enum npu_err npu_range(struct npu_sram_range *r, uint32_t addr,
			      uint64_t len, uint32_t sram_size)
{
	if (len >= U32_LIMIT || (uint64_t)addr + len > U32_LIMIT)
		return NPU_ERR_OVERFLOW;
	if ((uint64_t)addr + len > sram_size)
		return NPU_ERR_SRAM_RANGE;
	r->addr = addr;
	r->len = (uint32_t)len;
	return NPU_OK;
}

static int npu_ranges_overlap(const struct npu_sram_range *a,
			      const struct npu_sram_range *b)
{
	return a->len && b->len &&
	       (uint64_t)a->addr < (uint64_t)b->addr + b->len &&
	       (uint64_t)b->addr < (uint64_t)a->addr + a->len;
}

/* The output may alias an input exactly (elementwise ops) or not at all. */
static int npu_alias_ok(const struct npu_sram_range *out,
			const struct npu_sram_range *in, int exact_ok)
{
	if (!npu_ranges_overlap(out, in))
		return 1;
	return exact_ok && out->addr == in->addr && out->len == in->len;
}

/* Bytes from the first to one past the last byte of a strided box. */
static enum npu_err npu_box_extent(const uint32_t count[3], const uint32_t stride[3],
				   uint32_t run, uint64_t *extent)
{
	uint64_t end = run;
	int i;

	for (i = 0; i < 3; i++) {
		uint64_t span = (uint64_t)(count[i] - 1) * stride[i];

		if (span >= U32_LIMIT)
			return NPU_ERR_OVERFLOW;
		end += span;
	}
	/* Like every length, an extent must fit in 32 bits. */
	if (end >= U32_LIMIT)
		return NPU_ERR_OVERFLOW;
	*extent = end;
	return NPU_OK;
}

static enum npu_err npu_check_sync(const struct npu_cmd_sync *c)
{
	if (!c->engines || (c->engines & ~NPU_ENGINE_ALL))
		return NPU_ERR_FIELD;
	return NPU_OK;
}

static enum npu_err npu_check_dma(const struct npu_cmd_dma *c, uint32_t sram_size,
				  struct npu_cmd_info *info)
{
	int load = NPU_CMD_OPCODE(c->hdr) == NPU_OP_DMA_LOAD;
	uint32_t dram_count[3], sram_count[3];
	uint64_t dram_extent, sram_extent, total;
	struct npu_sram_range r;
	enum npu_err err;
	int i;

	for (i = 0; i < 4; i++)
		if (!c->size[i])
			return NPU_ERR_FIELD;
	if (c->fill & ~0xffu)
		return NPU_ERR_FIELD;
	if (!load && (c->pad_top || c->pad_bottom || c->pad_left ||
		      c->pad_right || c->fill))
		return NPU_ERR_FIELD;

	dram_count[0] = c->size[1];
	dram_count[1] = c->size[2];
	dram_count[2] = c->size[3];
	sram_count[0] = c->size[1] + c->pad_left + c->pad_right;
	sram_count[1] = c->size[2] + c->pad_top + c->pad_bottom;
	sram_count[2] = c->size[3];
	if (sram_count[0] < c->size[1] || sram_count[1] < c->size[2])
		return NPU_ERR_OVERFLOW;

	total = (uint64_t)c->size[0] * sram_count[0];
	if (total >= U32_LIMIT)
		return NPU_ERR_OVERFLOW;
	total *= sram_count[1];
	if (total >= U32_LIMIT)
		return NPU_ERR_OVERFLOW;
	total *= sram_count[2];
	if (total >= U32_LIMIT)
		return NPU_ERR_OVERFLOW;

	err = npu_box_extent(dram_count, c->dram_stride, c->size[0], &dram_extent);
	if (err)
		return err;
	if ((uint64_t)c->dram_addr + dram_extent > U32_LIMIT)
		return NPU_ERR_OVERFLOW;
	err = npu_box_extent(sram_count, c->sram_stride, c->size[0], &sram_extent);
	if (err)
		return err;
	err = npu_range(&r, c->sram_addr, sram_extent, sram_size);
	if (err)
		return err;

	info->engine = NPU_ENGINE_DMA;
	info->dram_addr = c->dram_addr;
	info->dram_len = (uint32_t)dram_extent;
	if (load)
		info->write = r;
	else
		info->reads[0] = r;
	return NPU_OK;
}

/* The operands CONV and MATMUL share: input, weights, tables, output. */
struct npu_mac_operands {
	uint32_t flags;
	int32_t in_zp, out_zp, act_min, act_max;
	const struct npu_quant *quant;
	uint32_t in_addr, wt_addr, bias_addr, quant_addr, out_addr;
	uint64_t in_len, wt_len, out_len;
	uint32_t channels;	/* output channels: bias and quant entries */
};

/* The output stage's fields and every operand's range and aliasing. */
static enum npu_err npu_check_mac_operands(const struct npu_mac_operands *o,
					   uint32_t sram_size, struct npu_cmd_info *info)
{
	const uint32_t known = NPU_F_IN_U8 | NPU_F_OUT_U8 | NPU_F_PER_CHANNEL | NPU_F_BIAS;
	struct npu_sram_range in, wt, bias = { 0, 0 }, quant = { 0, 0 }, out;
	enum npu_err err;

	if (o->flags & ~known)
		return NPU_ERR_FIELD;
	if (!npu_zp_valid(o->in_zp, o->flags & NPU_F_IN_U8) ||
	    !npu_zp_valid(o->out_zp, o->flags & NPU_F_OUT_U8) ||
	    !npu_clamp_valid(o->act_min, o->act_max, o->flags & NPU_F_OUT_U8))
		return NPU_ERR_FIELD;
	if (o->flags & NPU_F_PER_CHANNEL) {
		if (o->quant->multiplier || o->quant->shift || (o->quant_addr & 3))
			return NPU_ERR_FIELD;
	} else if (o->quant_addr || !npu_quant_valid(o->quant)) {
		return NPU_ERR_FIELD;
	}
	if (o->flags & NPU_F_BIAS ? (o->bias_addr & 3) : o->bias_addr)
		return NPU_ERR_FIELD;

	err = npu_range(&in, o->in_addr, o->in_len, sram_size);
	if (!err)
		err = npu_range(&wt, o->wt_addr, o->wt_len, sram_size);
	if (!err && (o->flags & NPU_F_BIAS))
		err = npu_range(&bias, o->bias_addr, (uint64_t)o->channels * 4, sram_size);
	if (!err && (o->flags & NPU_F_PER_CHANNEL))
		err = npu_range(&quant, o->quant_addr,
				(uint64_t)o->channels * sizeof(struct npu_quant), sram_size);
	if (!err)
		err = npu_range(&out, o->out_addr, o->out_len, sram_size);
	if (err)
		return err;
	if (!npu_alias_ok(&out, &in, 0) || !npu_alias_ok(&out, &wt, 0) ||
	    !npu_alias_ok(&out, &bias, 0) || !npu_alias_ok(&out, &quant, 0))
		return NPU_ERR_FIELD;

	info->engine = NPU_ENGINE_MAC;
	info->reads[0] = in;
	info->reads[1] = wt;
	info->reads[2] = bias;
	info->reads[3] = quant;
	info->write = out;
	return NPU_OK;
}

static enum npu_err npu_check_conv(const struct npu_cmd_conv *c, uint32_t sram_size,
				   struct npu_cmd_info *info)
{
	uint32_t eff_h, eff_w, padded_h, padded_w, ic_per_group;
	struct npu_mac_operands ops;

	if (c->reserved || c->reserved2[0] || c->reserved2[1])
		return NPU_ERR_FIELD;
	if (!c->in_h || !c->in_w || !c->in_c || !c->out_c || !c->groups ||
	    !c->out_h || !c->out_w)
		return NPU_ERR_FIELD;
	if (c->in_c % c->groups || c->out_c % c->groups)
		return NPU_ERR_FIELD;
	if (!c->kernel_h || c->kernel_h > NPU_CONV_MAX_KERNEL ||
	    !c->kernel_w || c->kernel_w > NPU_CONV_MAX_KERNEL ||
	    !c->stride_h || c->stride_h > NPU_CONV_MAX_STRIDE ||
	    !c->stride_w || c->stride_w > NPU_CONV_MAX_STRIDE ||
	    !c->dilation_h || c->dilation_h > NPU_CONV_MAX_DILATION ||
	    !c->dilation_w || c->dilation_w > NPU_CONV_MAX_DILATION)
		return NPU_ERR_FIELD;
	if (c->pad_top > NPU_CONV_MAX_PAD || c->pad_bottom > NPU_CONV_MAX_PAD ||
	    c->pad_left > NPU_CONV_MAX_PAD || c->pad_right > NPU_CONV_MAX_PAD)
		return NPU_ERR_FIELD;

	eff_h = (uint32_t)c->dilation_h * (c->kernel_h - 1u) + 1u;
	eff_w = (uint32_t)c->dilation_w * (c->kernel_w - 1u) + 1u;
	padded_h = (uint32_t)c->in_h + c->pad_top + c->pad_bottom;
	padded_w = (uint32_t)c->in_w + c->pad_left + c->pad_right;
	if (padded_h < eff_h || padded_w < eff_w)
		return NPU_ERR_FIELD;
	if (c->out_h != (padded_h - eff_h) / c->stride_h + 1 ||
	    c->out_w != (padded_w - eff_w) / c->stride_w + 1)
		return NPU_ERR_FIELD;

	ic_per_group = c->in_c / c->groups;
	if ((uint32_t)c->kernel_h * c->kernel_w * ic_per_group > NPU_MAX_ACC_DEPTH)
		return NPU_ERR_FIELD;
	ops.flags = c->flags;
	ops.in_zp = c->in_zp;
	ops.out_zp = c->out_zp;
	ops.act_min = c->act_min;
	ops.act_max = c->act_max;
	ops.quant = &c->quant;
	ops.in_addr = c->in_addr;
	ops.wt_addr = c->wt_addr;
	ops.bias_addr = c->bias_addr;
	ops.quant_addr = c->quant_addr;
	ops.out_addr = c->out_addr;
	ops.in_len = (uint64_t)c->in_h * c->in_w * c->in_c;
	ops.wt_len = (uint64_t)c->out_c * c->kernel_h * c->kernel_w * ic_per_group;
	ops.out_len = (uint64_t)c->out_h * c->out_w * c->out_c;
	ops.channels = c->out_c;
	return npu_check_mac_operands(&ops, sram_size, info);
}

static enum npu_err npu_check_matmul(const struct npu_cmd_matmul *c, uint32_t sram_size,
				     struct npu_cmd_info *info)
{
	struct npu_mac_operands ops;

	if (!c->m || c->m > NPU_MATMUL_MAX_DIM || !c->k || c->k > NPU_MATMUL_MAX_DIM ||
	    !c->n || c->n > NPU_MATMUL_MAX_DIM)
		return NPU_ERR_FIELD;
	ops.flags = c->flags;
	ops.in_zp = c->in_zp;
	ops.out_zp = c->out_zp;
	ops.act_min = c->act_min;
	ops.act_max = c->act_max;
	ops.quant = &c->quant;
	ops.in_addr = c->in_addr;
	ops.wt_addr = c->wt_addr;
	ops.bias_addr = c->bias_addr;
	ops.quant_addr = c->quant_addr;
	ops.out_addr = c->out_addr;
	ops.in_len = (uint64_t)c->m * c->k;
	ops.wt_len = (uint64_t)c->n * c->k;
	ops.out_len = (uint64_t)c->m * c->n;
	ops.channels = c->n;
	return npu_check_mac_operands(&ops, sram_size, info);
}

static enum npu_err npu_check_pool(const struct npu_cmd_pool *c, uint32_t sram_size,
				   struct npu_cmd_info *info)
{
	uint32_t known = NPU_F_IN_U8 | NPU_F_OUT_U8;
	struct npu_sram_range in, out;
	enum npu_err err;

	if (c->mode == NPU_POOL_AVG)
		known |= NPU_F_COUNT_PAD;
	if (c->flags & ~known || c->reserved)
		return NPU_ERR_FIELD;
	if (!c->in_h || !c->in_w || !c->channels)
		return NPU_ERR_FIELD;

	if (c->mode == NPU_POOL_GLOBAL_AVG) {
		if (c->kernel_h || c->kernel_w || c->stride_h || c->stride_w ||
		    c->pad_top || c->pad_bottom || c->pad_left || c->pad_right)
			return NPU_ERR_FIELD;
		if (c->out_h != 1 || c->out_w != 1)
			return NPU_ERR_FIELD;
		if ((uint32_t)c->in_h * c->in_w > NPU_POOL_MAX_AREA)
			return NPU_ERR_FIELD;
	} else if (c->mode == NPU_POOL_MAX || c->mode == NPU_POOL_AVG) {
		uint32_t padded_h = (uint32_t)c->in_h + c->pad_top + c->pad_bottom;
		uint32_t padded_w = (uint32_t)c->in_w + c->pad_left + c->pad_right;

		if (!c->kernel_h || c->kernel_h > NPU_POOL_MAX_KERNEL ||
		    !c->kernel_w || c->kernel_w > NPU_POOL_MAX_KERNEL ||
		    !c->stride_h || c->stride_h > NPU_POOL_MAX_STRIDE ||
		    !c->stride_w || c->stride_w > NPU_POOL_MAX_STRIDE)
			return NPU_ERR_FIELD;
		/* Every window keeps at least one real tap. */
		if (c->pad_top >= c->kernel_h || c->pad_bottom >= c->kernel_h ||
		    c->pad_left >= c->kernel_w || c->pad_right >= c->kernel_w)
			return NPU_ERR_FIELD;
		if (padded_h < c->kernel_h || padded_w < c->kernel_w)
			return NPU_ERR_FIELD;
		if (c->out_h != (padded_h - c->kernel_h) / c->stride_h + 1 ||
		    c->out_w != (padded_w - c->kernel_w) / c->stride_w + 1)
			return NPU_ERR_FIELD;
	} else {
		return NPU_ERR_FIELD;
	}
	if (!npu_zp_valid(c->in_zp, c->flags & NPU_F_IN_U8) ||
	    !npu_zp_valid(c->out_zp, c->flags & NPU_F_OUT_U8) ||
	    !npu_clamp_valid(c->act_min, c->act_max, c->flags & NPU_F_OUT_U8) ||
	    !npu_quant_valid(&c->quant))
		return NPU_ERR_FIELD;

	err = npu_range(&in, c->in_addr, (uint64_t)c->in_h * c->in_w * c->channels,
			sram_size);
	if (!err)
		err = npu_range(&out, c->out_addr,
				(uint64_t)c->out_h * c->out_w * c->channels, sram_size);
	if (err)
		return err;
	if (!npu_alias_ok(&out, &in, 0))
		return NPU_ERR_FIELD;

	info->engine = NPU_ENGINE_PPU;
	info->reads[0] = in;
	info->write = out;
	return NPU_OK;
}

static enum npu_err npu_check_eltwise(const struct npu_cmd_eltwise *c, uint32_t sram_size,
				      struct npu_cmd_info *info)
{
	const uint32_t known = NPU_F_IN_U8 | NPU_F_B_U8 | NPU_F_OUT_U8 | NPU_F_B_BROADCAST;
	int broadcast = !!(c->flags & NPU_F_B_BROADCAST);
	struct npu_sram_range a, b, out;
	enum npu_err err;

	if (c->flags & ~known || c->reserved)
		return NPU_ERR_FIELD;
	if (!c->count)
		return NPU_ERR_FIELD;
	if (broadcast ? (!c->channels || c->count % c->channels) : c->channels)
		return NPU_ERR_FIELD;
	if (c->op == NPU_ELTWISE_ADD) {
		if (c->left_shift < 0 || c->left_shift > NPU_ELTWISE_MAX_LSHIFT ||
		    !npu_quant_valid(&c->a_quant) || !npu_quant_valid(&c->b_quant))
			return NPU_ERR_FIELD;
	} else if (c->op == NPU_ELTWISE_MUL) {
		if (c->left_shift || c->a_quant.multiplier || c->a_quant.shift ||
		    c->b_quant.multiplier || c->b_quant.shift)
			return NPU_ERR_FIELD;
	} else {
		return NPU_ERR_FIELD;
	}
	if (!npu_zp_valid(c->a_zp, c->flags & NPU_F_IN_U8) ||
	    !npu_zp_valid(c->b_zp, c->flags & NPU_F_B_U8) ||
	    !npu_zp_valid(c->out_zp, c->flags & NPU_F_OUT_U8) ||
	    !npu_clamp_valid(c->act_min, c->act_max, c->flags & NPU_F_OUT_U8) ||
	    !npu_quant_valid(&c->out_quant))
		return NPU_ERR_FIELD;

	err = npu_range(&a, c->a_addr, c->count, sram_size);
	if (!err)
		err = npu_range(&b, c->b_addr, broadcast ? c->channels : c->count, sram_size);
	if (!err)
		err = npu_range(&out, c->out_addr, c->count, sram_size);
	if (err)
		return err;
	if (!npu_alias_ok(&out, &a, 1) || !npu_alias_ok(&out, &b, !broadcast))
		return NPU_ERR_FIELD;

	info->engine = NPU_ENGINE_PPU;
	info->reads[0] = a;
	info->reads[1] = b;
	info->write = out;
	return NPU_OK;
}

static enum npu_err npu_check_lut(const struct npu_cmd_lut *c, uint32_t sram_size,
				  struct npu_cmd_info *info)
{
	struct npu_sram_range in, table, out;
	enum npu_err err;

	if (c->flags & ~NPU_F_IN_U8 || !c->count)
		return NPU_ERR_FIELD;
	err = npu_range(&in, c->in_addr, c->count, sram_size);
	if (!err)
		err = npu_range(&table, c->table_addr, 256, sram_size);
	if (!err)
		err = npu_range(&out, c->out_addr, c->count, sram_size);
	if (err)
		return err;
	if (!npu_alias_ok(&out, &in, 1) || !npu_alias_ok(&out, &table, 0))
		return NPU_ERR_FIELD;

	info->engine = NPU_ENGINE_PPU;
	info->reads[0] = in;
	info->reads[1] = table;
	info->write = out;
	return NPU_OK;
}

enum npu_err npu_cmd_check(const uint32_t *cmd, uint32_t avail_words,
			   uint32_t sram_size, struct npu_cmd_info *info)
{
	uint32_t hdr, opcode, words;
	int i;

	if (!avail_words)
		return NPU_ERR_LENGTH;
	hdr = cmd[0];
	opcode = NPU_CMD_OPCODE(hdr);
	words = npu_cmd_words(opcode);
	if (!words)
		return NPU_ERR_OPCODE;
	if (NPU_CMD_RSVD(hdr))
		return NPU_ERR_FIELD;
	if (NPU_CMD_WORDS(hdr) != words || words > avail_words)
		return NPU_ERR_LENGTH;

	info->opcode = opcode;
	info->words = words;
	info->engine = -1;
	for (i = 0; i < NPU_CMD_MAX_READS; i++)
		info->reads[i].addr = info->reads[i].len = 0;
	info->write.addr = info->write.len = 0;
	info->dram_addr = info->dram_len = 0;

	switch (opcode) {
	case NPU_OP_NOP:
		return NPU_OK;
	case NPU_OP_SYNC:
		return npu_check_sync((const struct npu_cmd_sync *)cmd);
	case NPU_OP_DMA_LOAD:
	case NPU_OP_DMA_STORE:
		return npu_check_dma((const struct npu_cmd_dma *)cmd, sram_size, info);
	case NPU_OP_CONV:
		return npu_check_conv((const struct npu_cmd_conv *)cmd, sram_size, info);
	case NPU_OP_MATMUL:
		return npu_check_matmul((const struct npu_cmd_matmul *)cmd, sram_size, info);
	case NPU_OP_POOL:
		return npu_check_pool((const struct npu_cmd_pool *)cmd, sram_size, info);
	case NPU_OP_ELTWISE:
		return npu_check_eltwise((const struct npu_cmd_eltwise *)cmd, sram_size, info);
	default:
		return npu_check_lut((const struct npu_cmd_lut *)cmd, sram_size, info);
	}
}
