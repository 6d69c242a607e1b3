/*
 * nutsec - hid_parse.c: the HID report-descriptor parser and the report
 * decoder (see hid_parse.h for what a field is and the limits).
 *
 * Device defects handled as NUT handles them, so that values agree:
 * - a Logical Maximum that reads negative while the Logical Minimum is 0
 *   or more is taken as unsigned (26 ff ff means 65535, not -1);
 * - a value outside its logical range keeps only the bits the range needs
 *   and is not clamped: fields often inherit the range of the field before
 *   them (a CyberPower output voltage carries the 136..142 of the transfer
 *   point declared just before it, and reads 121);
 * - a Unit Exponent of 8..15 is the 4-bit two's complement -8..-1;
 * - physical ranges that are absent, both 0, or empty leave the logical
 *   value as it is.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hid_parse.h"

/* The item prefix: tag (high nibble), type (bits 2-3), size code (bits 0-1). */
#define ITEM_TAG_MASK	0xfc
#define ITEM_LONG	0xfe

enum {
	/* main */
	T_INPUT = 0x80, T_OUTPUT = 0x90, T_FEATURE = 0xb0,
	T_COLLECTION = 0xa0, T_END_COLLECTION = 0xc0,
	/* global */
	T_PAGE = 0x04, T_LOGMIN = 0x14, T_LOGMAX = 0x24, T_PHYMIN = 0x34,
	T_PHYMAX = 0x44, T_UNIT_EXP = 0x54, T_UNIT = 0x64, T_REP_SIZE = 0x74,
	T_REP_ID = 0x84, T_REP_COUNT = 0x94, T_PUSH = 0xa4, T_POP = 0xb4,
	/* local */
	T_USAGE = 0x08, T_USAGE_MIN = 0x18, T_USAGE_MAX = 0x28,
};

/* The global item state, saved and restored by Push and Pop. */
struct globals {
	uint16_t page;
	int64_t logmin;
	uint32_t logmax_raw;
	unsigned logmax_len;	/* bytes of the Logical Maximum item */
	int64_t phymin, phymax;
	uint8_t have_phymin, have_phymax;
	int8_t unit_exp;
	uint32_t unit;
	uint32_t rep_size;
	uint32_t rep_count;
	uint8_t rep_id;
};

struct parser {
	struct hid_desc *desc;
	struct globals g;
	struct globals stack[HID_STACK_MAX];
	unsigned nstack;
	uint32_t path[HID_DEPTH_MAX];
	unsigned depth;
	unsigned levels;	/* open collections */
	uint8_t index_node[HID_DEPTH_MAX];	/* level added an index node */
	uint32_t usages[HID_USAGES_MAX];
	unsigned nusages;
	uint32_t usage_min;
	int have_usage_min;
	size_t cap;
	size_t pos;		/* offset of the current item, for errors */
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "byte %zu: ", p->pos);

	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The item data as a signed number of its own width. */
static int64_t
signed_value(uint32_t v, unsigned len)
{
	switch (len) {
	case 1: return (int8_t)v;
	case 2: return (int16_t)v;
	case 4: return (int32_t)v;
	default: return 0;
	}
}

static void
add_usage(struct parser *p, uint32_t usage)
{
	/* Beyond the limit a usage could only name a slot past any count
	 * the limits allow to be named; it is dropped. */
	if (p->nusages < HID_USAGES_MAX)
		p->usages[p->nusages++] = usage;
}

static uint32_t
full_usage(const struct parser *p, uint32_t v, unsigned len)
{
	return len == 4 ? v : ((uint32_t)p->g.page << 16) | (v & 0xffff);
}

static void
reset_local(struct parser *p)
{
	p->nusages = 0;
	p->have_usage_min = 0;
}

static int
main_data(struct parser *p, uint8_t tag, uint32_t v)
{
	enum hid_type type = tag == T_INPUT ? HID_INPUT : tag == T_OUTPUT ? HID_OUTPUT : HID_FEATURE;
	uint32_t *bits = &p->desc->report_bits[type][p->g.rep_id];
	int64_t logmax = signed_value(p->g.logmax_raw, p->g.logmax_len);

	if (p->g.logmin >= 0 && logmax < 0)
		logmax = p->g.logmax_raw;
	if (p->g.rep_count > (uint32_t)HID_REPORT_MAX * 8)
		return fail(p, "Report Count %u is more than a report can hold", p->g.rep_count);
	if ((uint64_t)p->g.rep_size * p->g.rep_count + *bits > (uint64_t)HID_REPORT_MAX * 8)
		return fail(p, "report 0x%02x (%s) longer than %d bytes", p->g.rep_id,
		    hid_type_name(type), HID_REPORT_MAX);
	/* Only the slots with a usage are fields (at most nusages of them); the
	 * rest is padding, added to the report length below in one step. */
	for (uint32_t i = 0; i < p->g.rep_count && i < p->nusages; i++) {
		uint32_t usage = p->usages[i];
		struct hid_field *f;

		if (usage != 0) {
			if (p->desc->nfields == HID_FIELDS_MAX)
				return fail(p, "more than %d fields", HID_FIELDS_MAX);
			if (p->desc->nfields == p->cap) {
				size_t cap = p->cap ? p->cap * 2 : 64;
				struct hid_field *nf = realloc(p->desc->fields, cap * sizeof(*nf));

				if (nf == NULL)
					return fail(p, "out of memory");
				p->desc->fields = nf;
				p->cap = cap;
			}
			f = &p->desc->fields[p->desc->nfields++];
			memset(f, 0, sizeof(*f));
			memcpy(f->path, p->path, p->depth * sizeof(p->path[0]));
			f->path[p->depth] = usage;
			f->depth = (uint8_t)(p->depth + 1);
			f->type = (uint8_t)type;
			f->report_id = p->g.rep_id;
			f->flags = (uint8_t)v;
			f->offset = *bits + i * p->g.rep_size;
			f->size = p->g.rep_size;
			f->logmin = p->g.logmin;
			f->logmax = logmax;
			f->phymin = p->g.phymin;
			f->phymax = p->g.phymax;
			f->have_phymin = p->g.have_phymin;
			f->have_phymax = p->g.have_phymax;
			f->unit = p->g.unit;
			f->unit_exp = p->g.unit_exp;
		}
	}
	*bits += p->g.rep_size * p->g.rep_count;
	reset_local(p);
	return 0;
}

static int
collection(struct parser *p, uint32_t v)
{
	int indexed = (v & 0xff) >= 0x80;

	if (p->depth + 1 + (unsigned)indexed >= HID_DEPTH_MAX)
		return fail(p, "collections nested deeper than %d path nodes", HID_DEPTH_MAX - 1);
	p->path[p->depth++] = p->nusages > 0 ? p->usages[0] : 0;
	if (indexed)
		p->path[p->depth++] = HID_INDEX_NODE(v & 0x7f);
	p->index_node[p->levels++] = (uint8_t)indexed;
	reset_local(p);
	return 0;
}

static int
end_collection(struct parser *p)
{
	if (p->levels == 0)
		return fail(p, "End Collection without a Collection");
	p->levels--;
	p->depth -= 1u + p->index_node[p->levels];
	reset_local(p);
	return 0;
}

static int
global_item(struct parser *p, uint8_t tag, uint32_t v, unsigned len)
{
	switch (tag) {
	case T_PAGE: p->g.page = (uint16_t)v; break;
	case T_LOGMIN: p->g.logmin = signed_value(v, len); break;
	case T_LOGMAX: p->g.logmax_raw = v; p->g.logmax_len = len; break;
	case T_PHYMIN: p->g.phymin = signed_value(v, len); p->g.have_phymin = 1; break;
	case T_PHYMAX: p->g.phymax = signed_value(v, len); p->g.have_phymax = 1; break;
	case T_UNIT_EXP: {
		int8_t e = (int8_t)v;

		p->g.unit_exp = e > 7 ? (int8_t)(e | (int8_t)0xf0) : e;
		break;
	}
	case T_UNIT: p->g.unit = v; break;
	case T_REP_SIZE:
		if (v > 255)
			return fail(p, "Report Size %u over 255 bits", v);
		p->g.rep_size = v;
		break;
	case T_REP_ID:
		if (v > 255)
			return fail(p, "Report ID %u over 255", v);
		p->g.rep_id = (uint8_t)v;
		p->desc->uses_ids = 1;
		break;
	case T_REP_COUNT: p->g.rep_count = v; break;
	case T_PUSH:
		if (p->nstack == HID_STACK_MAX)
			return fail(p, "Push nested deeper than %d", HID_STACK_MAX);
		p->stack[p->nstack++] = p->g;
		break;
	case T_POP:
		if (p->nstack == 0)
			return fail(p, "Pop without a Push");
		p->g = p->stack[--p->nstack];
		break;
	default:
		break;	/* reserved global tags carry nothing we use */
	}
	return 0;
}

static void
local_item(struct parser *p, uint8_t tag, uint32_t v, unsigned len)
{
	uint32_t u = full_usage(p, v, len);

	switch (tag) {
	case T_USAGE:
		add_usage(p, u);
		break;
	case T_USAGE_MIN:
		p->usage_min = u;
		p->have_usage_min = 1;
		break;
	case T_USAGE_MAX:
		if (!p->have_usage_min || u < p->usage_min)
			break;
		for (uint32_t x = p->usage_min; p->nusages < HID_USAGES_MAX; x++) {
			add_usage(p, x);
			if (x == u)
				break;
		}
		p->have_usage_min = 0;
		break;
	default:
		break;	/* designators, strings, delimiters: not used by power devices */
	}
}

static int
parse_items(struct parser *p, const uint8_t *buf, size_t len)
{
	static const unsigned sizes[4] = { 0, 1, 2, 4 };
	size_t i = 0;

	while (i < len) {
		uint8_t prefix = buf[i];
		unsigned dlen;
		uint32_t v = 0;
		int rc = 0;

		p->pos = i;
		if (prefix == ITEM_LONG) {
			if (len - i < 3)
				return fail(p, "long item cut short");
			if ((size_t)buf[i + 1] > len - i - 3)
				return fail(p, "long item data (%u bytes) past the end", buf[i + 1]);
			i += 3u + buf[i + 1];
			continue;
		}
		dlen = sizes[prefix & 3];
		if (dlen > len - i - 1)
			return fail(p, "item 0x%02x needs %u data bytes, %zu left", prefix, dlen,
			    len - i - 1);
		for (unsigned k = 0; k < dlen; k++)
			v |= (uint32_t)buf[i + 1 + k] << (8 * k);
		i += 1 + dlen;
		switch ((prefix >> 2) & 3) {
		case 0:
			switch (prefix & ITEM_TAG_MASK) {
			case T_INPUT: case T_OUTPUT: case T_FEATURE:
				rc = main_data(p, prefix & ITEM_TAG_MASK, v);
				break;
			case T_COLLECTION: rc = collection(p, v); break;
			case T_END_COLLECTION: rc = end_collection(p); break;
			default: reset_local(p); break;
			}
			break;
		case 1: rc = global_item(p, prefix & ITEM_TAG_MASK, v, dlen); break;
		case 2: local_item(p, prefix & ITEM_TAG_MASK, v, dlen); break;
		default: return fail(p, "reserved item type in 0x%02x", prefix);
		}
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
hid_parse(const uint8_t *buf, size_t len, struct hid_desc **out, char *err, size_t errlen)
{
	struct parser *p;
	int rc;

	*out = NULL;
	if (len > HID_DESC_MAX) {
		snprintf(err, errlen, "descriptor of %zu bytes, more than %d", len, HID_DESC_MAX);
		return -1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->desc = calloc(1, sizeof(*p->desc))) == NULL) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->err = err;
	p->errlen = errlen;
	rc = parse_items(p, buf, len);
	if (rc == 0 && p->desc->nfields == 0) {
		p->pos = len;
		rc = fail(p, "no data fields in the descriptor");
	}
	if (rc == -1)
		hid_desc_free(p->desc);
	else
		*out = p->desc;
	free(p);
	return rc;
}

void
hid_desc_free(struct hid_desc *desc)
{
	if (desc == NULL)
		return;
	free(desc->fields);
	free(desc);
}

size_t
hid_report_len(const struct hid_desc *desc, enum hid_type type, uint8_t id)
{
	return (desc->report_bits[type][id] + 7) / 8;
}

const char *
hid_type_name(enum hid_type type)
{
	static const char *const names[] = { "Input", "Output", "Feature" };

	return (unsigned)type < 3 ? names[type] : "?";
}

/* 1 + the position of the highest set bit, 0 for 0. */
static unsigned
hibit(uint64_t x)
{
	unsigned n = 0;

	while (x) {
		x >>= 1;
		n++;
	}
	return n;
}

int
hid_get_logical(const struct hid_field *f, const uint8_t *buf, size_t len, int64_t *out)
{
	uint64_t raw = 0, mag_max, mag_min, sign, mask;

	if (f->size > HID_VALUE_BITS || (f->offset + f->size + 7) / 8 + 1 > len)
		return -1;
	for (uint32_t b = 0; b < f->size; b++) {
		uint32_t bit = f->offset + 8 + b;	/* byte 0 is the report id */

		if (buf[bit / 8] & (1u << (bit % 8)))
			raw |= (uint64_t)1 << b;
	}
	if (f->logmax < f->logmin) {	/* an empty range tells nothing: the bits as they are */
		*out = (int64_t)raw;
		return 0;
	}
	mag_max = (uint64_t)(f->logmax >= 0 ? f->logmax : -(f->logmax + 1));
	mag_min = (uint64_t)(f->logmin >= 0 ? f->logmin : -(f->logmin + 1));
	sign = (uint64_t)1 << hibit(mag_max > mag_min ? mag_max : mag_min);
	mask = (sign - 1) | (f->logmin < 0 ? sign : 0);
	raw &= mask;
	if (f->logmin < 0 && (raw & sign))
		raw |= ~mask;
	*out = (int64_t)raw;
	return 0;
}

int
hid_set_logical(const struct hid_field *f, uint8_t *buf, size_t len, int64_t v)
{
	if (f->size > HID_VALUE_BITS || (f->offset + f->size + 7) / 8 + 1 > len)
		return -1;
	for (uint32_t b = 0; b < f->size; b++) {
		uint32_t bit = f->offset + 8 + b;

		if (((uint64_t)v >> b) & 1)
			buf[bit / 8] |= (uint8_t)(1u << (bit % 8));
		else
			buf[bit / 8] &= (uint8_t)~(1u << (bit % 8));
	}
	return 0;
}

/* The exponent already contained in a unit NUT knows (volts and VA/W use 10^7 in SI). */
static int
unit_exp(const struct hid_field *f)
{
	if (f->unit == 0x00f0d121 || f->unit == 0x0000d121)
		return f->unit_exp - 7;
	return f->unit_exp;
}

/* 10 to a small power, without libm. */
static double
pow10i(int e)
{
	double r = 1.0;

	for (; e > 0; e--)
		r *= 10.0;
	for (; e < 0; e++)
		r /= 10.0;
	return r;
}

static int
phys_usable(const struct hid_field *f)
{
	return f->have_phymin && f->have_phymax && !(f->phymin == 0 && f->phymax == 0) &&
	    f->phymax > f->phymin && f->logmax > f->logmin;
}

double
hid_to_value(const struct hid_field *f, int64_t logical)
{
	double v = (double)logical;

	if (phys_usable(f)) {
		double factor = (double)(f->phymax - f->phymin) / (double)(f->logmax - f->logmin);

		v = (double)(logical - f->logmin) * factor + (double)f->phymin;
		if (v > (double)f->phymax)
			v = (double)f->phymax;
		if (v < (double)f->phymin)
			v = (double)f->phymin;
	}
	return v * pow10i(unit_exp(f));
}

int64_t
hid_from_value(const struct hid_field *f, double value)
{
	double v = value / pow10i(unit_exp(f));
	int64_t l;

	if (phys_usable(f)) {
		double factor = (double)(f->logmax - f->logmin) / (double)(f->phymax - f->phymin);

		v = (v - (double)f->phymin) * factor + (double)f->logmin;
	}
	if (!(v >= -9.2e18 && v <= 9.2e18))	/* also NaN */
		return f->logmin;
	l = (int64_t)(v < 0 ? v - 0.5 : v + 0.5);
	if (f->logmax >= f->logmin) {
		if (l < f->logmin)
			l = f->logmin;
		if (l > f->logmax)
			l = f->logmax;
	}
	return l;
}
