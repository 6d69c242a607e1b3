/*
 * nutsec - fuzz_hid.c: the usbhid-ups report-descriptor parser and report
 * decoder on arbitrary input. The input is a 2-byte little-endian
 * descriptor length, the descriptor, then one report (report id first).
 * Every field the parser returns must lie inside its report, have a
 * printable path, and decode (or be refused) within the buffer given.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hid_parse.h"
#include "hid_usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hid_desc *d = NULL;
	char err[256], path[HID_DEPTH_MAX * 40];
	size_t n, rlen;
	const uint8_t *rep;

	if (size < 2)
		return 0;
	n = (size_t)data[0] | (size_t)data[1] << 8;
	if (n > size - 2)
		n = size - 2;
	rep = data + 2 + n;
	rlen = size - 2 - n;
	if (hid_parse(data + 2, n, &d, err, sizeof(err)) == -1) {
		if (d != NULL || err[0] == '\0')
			abort();	/* an error says why and leaves nothing */
		return 0;
	}
	for (size_t i = 0; i < d->nfields; i++) {
		const struct hid_field *f = &d->fields[i];
		uint8_t buf[HID_REPORT_MAX + 1];
		size_t len = 1 + hid_report_len(d, f->type, f->report_id);
		int64_t l;

		if (f->depth == 0 || f->depth > HID_DEPTH_MAX || f->type > HID_FEATURE)
			abort();
		if ((uint64_t)f->offset + f->size > d->report_bits[f->type][f->report_id])
			abort();
		if (len > sizeof(buf))
			abort();
		if (hid_path_string(hid_names_mge, f, path, sizeof(path)) == -1)
			abort();
		memset(buf, 0, sizeof(buf));
		memcpy(buf, rep, rlen < len ? rlen : len);
		if (hid_get_logical(f, buf, len, &l) == 0) {
			int64_t back;

			(void)hid_to_value(f, l);
			if (hid_set_logical(f, buf, len, l) == -1 ||
			    hid_get_logical(f, buf, len, &back) == -1 || back != l)
				abort();	/* what was read writes back the same */
			(void)hid_from_value(f, hid_to_value(f, l));
		} else if (f->size <= HID_VALUE_BITS) {
			abort();	/* a narrow field inside its report always decodes */
		}
		/* the raw input too, however short */
		(void)hid_get_logical(f, rep, rlen, &l);
	}
	hid_desc_free(d);
	return 0;
}
