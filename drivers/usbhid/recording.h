/*
 * nutsec - recording.h: a recorded HID device in a directory, as users
 * send them in bug reports and as tests/data/hid/ holds them:
 *   descriptor.hex  the report descriptor, hex bytes separated by blanks;
 *   reports.txt     "RAW <id> <bytes, report id first>" lines (other lines,
 *                   such as NUT's decoded items, are skipped here);
 *   info.txt        optional "Key: value" lines: VendorID, ProductID,
 *                   Manufacturer, Product, Serial, and "String N: text"
 *                   for the device's string descriptor N.
 * The replay transport serves these; the parser tests check against them.
 */
#ifndef NUTSEC_RECORDING_H
#define NUTSEC_RECORDING_H

#include <stddef.h>
#include <stdint.h>

#include "hid_parse.h"

#define REC_RAW_MAX	4096	/* RAW lines kept */
#define REC_STR_MAX	128
#define REC_STRINGS	32	/* "String N:" lines kept */

struct rec_raw {
	uint8_t id;
	uint16_t len;			/* bytes, report id included */
	uint8_t bytes[HID_REPORT_MAX + 1];
	unsigned line;			/* in reports.txt */
};

struct recording {
	uint8_t desc[HID_DESC_MAX];
	size_t desc_len;
	unsigned vendorid, productid;
	char manufacturer[REC_STR_MAX], product[REC_STR_MAX], serial[REC_STR_MAX];
	struct { unsigned index; char text[REC_STR_MAX]; } strings[REC_STRINGS];
	size_t nstrings;
	struct rec_raw *raws;
	size_t nraws;
};

/* Reads DIR. 0, or -1 with "file:line: what" in err. reports.txt may be absent. */
int rec_load(struct recording *rec, const char *dir, char *err, size_t errlen);
void rec_free(struct recording *rec);
/*
 * Parses "RAW 0x06 06 00 00 08" (also used by the interrupt script of the
 * replay transport). 1 when it is a RAW line, 0 when not, -1 when malformed.
 */
int rec_parse_raw(const char *line, struct rec_raw *raw);
/* Hex bytes separated by blanks into buf. The count, or -1 on a bad token or overflow. */
long rec_parse_hex(const char *text, uint8_t *buf, size_t cap);

#endif
