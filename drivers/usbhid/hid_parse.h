/*
 * nutsec - hid_parse.h: the HID report-descriptor parser and the report
 * decoder of usbhid-ups.
 *
 * A descriptor is turned into a flat list of fields, one per data item a
 * main item (Input, Output, Feature) declares: its usage path (collection
 * usages from the top, then the field's own usage), report type and id,
 * bit offset and size inside the report, logical and physical range, unit
 * and unit exponent. The path follows NUT's conventions so that names and
 * dumps match what NUT users know: a collection whose type is 0x80 or more
 * adds an index node [type & 0x7f] after its usage, a field with no usage
 * left is not a field (padding, or the rest of a count).
 *
 * The parser is bounded: a descriptor longer than HID_DESC_MAX, more than
 * HID_FIELDS_MAX fields, collections nested deeper than HID_DEPTH_MAX,
 * more than HID_USAGES_MAX local usages, a report longer than
 * HID_REPORT_MAX bytes or an item cut short are errors with the byte
 * offset of the item that caused them. Nothing here does I/O.
 */
#ifndef NUTSEC_HID_PARSE_H
#define NUTSEC_HID_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define HID_DESC_MAX	65535	/* wDescriptorLength is 16 bits */
#define HID_FIELDS_MAX	4096
#define HID_DEPTH_MAX	16	/* nodes in a path, index nodes included */
#define HID_USAGES_MAX	256	/* local usages before one main item */
#define HID_REPORT_MAX	1024	/* bytes of one report, without its id */
#define HID_STACK_MAX	8	/* Push nesting */
#define HID_VALUE_BITS	32	/* the widest field whose value is decoded */

/* The node NUT uses for an indexed collection: 0x00ff0000 | index. */
#define HID_INDEX_NODE(i)	(0x00ff0000u | (uint32_t)(i))
#define HID_IS_INDEX_NODE(n)	(((n) & 0xffff0000u) == 0x00ff0000u)

enum hid_type { HID_INPUT = 0, HID_OUTPUT = 1, HID_FEATURE = 2 };

struct hid_field {
	uint32_t path[HID_DEPTH_MAX];	/* (page << 16) | usage, per node */
	uint8_t depth;			/* nodes used in path */
	uint8_t type;			/* enum hid_type */
	uint8_t report_id;		/* 0 when the device uses none */
	uint8_t flags;			/* the main item's data byte (bit 0: constant) */
	uint32_t offset;		/* bit offset after the report id byte */
	uint32_t size;			/* bits */
	int64_t logmin, logmax;
	int64_t phymin, phymax;
	uint8_t have_phymin, have_phymax;
	uint32_t unit;
	int8_t unit_exp;
};

struct hid_desc {
	struct hid_field *fields;
	size_t nfields;
	int uses_ids;			/* a Report ID item was seen */
	/* bits per (type, report id): the report's length is (bits + 7) / 8 */
	uint32_t report_bits[3][256];
};

/*
 * Parses len bytes. 0 and *out (free with hid_desc_free), or -1 with a
 * message in err ("byte N: what").
 */
int hid_parse(const uint8_t *buf, size_t len, struct hid_desc **out,
    char *err, size_t errlen);
void hid_desc_free(struct hid_desc *desc);

/* The byte length of a report, report id byte not included. */
size_t hid_report_len(const struct hid_desc *desc, enum hid_type type, uint8_t id);
/* "Input", "Output", "Feature". */
const char *hid_type_name(enum hid_type type);

/*
 * The logical value of a field from a report buffer whose first byte is
 * the report id (as the device sends it; 0 when it uses none): the bits
 * little-endian, masked to the logical range, sign-extended when LogMin
 * is negative, not clamped (as NUT). -1 when the
 * buffer is too short or the field too wide.
 */
int hid_get_logical(const struct hid_field *f, const uint8_t *buf, size_t len,
    int64_t *out);
/* The logical value mapped to the physical range, then the unit exponent applied. */
double hid_to_value(const struct hid_field *f, int64_t logical);
/* The inverse: a value to the logical integer to write (rounded, clamped). */
int64_t hid_from_value(const struct hid_field *f, double value);
/* Writes a logical value into a report buffer (report id first). -1 if too short. */
int hid_set_logical(const struct hid_field *f, uint8_t *buf, size_t len, int64_t v);

#endif
