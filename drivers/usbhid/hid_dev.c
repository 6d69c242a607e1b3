/*
 * nutsec - hid_dev.c: a HID device with its descriptor and report cache
 * (hid_dev.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hid_dev.h"

int
hdev_open(struct hdev *h, struct usb_transport *t, const struct hid_usage_name *names,
    char *err, size_t errlen)
{
	uint8_t *raw = malloc(HID_DESC_MAX);
	char perr[200];
	int n;

	memset(h, 0, sizeof(*h));
	h->t = t;
	h->names = names;
	if (raw == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = t->ops->get_descriptor(t, raw, HID_DESC_MAX);
	if (n < 0) {
		snprintf(err, errlen, "%s: cannot read the report descriptor", t->ops->name);
		free(raw);
		return -1;
	}
	if (hid_parse(raw, (size_t)n, &h->desc, perr, sizeof(perr)) == -1) {
		snprintf(err, errlen, "report descriptor (%d bytes): %s", n, perr);
		free(raw);
		return -1;
	}
	free(raw);
	h->paths = calloc(h->desc->nfields, sizeof(*h->paths));
	h->buf = calloc(3, sizeof(*h->buf));
	if (h->paths == NULL || h->buf == NULL) {
		snprintf(err, errlen, "out of memory");
		hdev_close(h);
		return -1;
	}
	for (size_t i = 0; i < h->desc->nfields; i++)
		if (hid_path_string(names, &h->desc->fields[i], h->paths[i], HDEV_PATH_MAX) == -1)
			h->paths[i][0] = '\0';	/* too long to name: never matched */
	return 0;
}

void
hdev_close(struct hdev *h)
{
	hid_desc_free(h->desc);
	free(h->paths);
	free(h->buf);
	h->desc = NULL;
	h->paths = NULL;
	h->buf = NULL;
}

void
hdev_new_cycle(struct hdev *h)
{
	memset(h->len, 0, sizeof(h->len));
	memset(h->failed, 0, sizeof(h->failed));
}

const char *
hdev_path(const struct hdev *h, size_t i)
{
	return h->paths[i];
}

static const struct hid_field *
find_type(const struct hdev *h, const char *path, enum hid_type type)
{
	for (size_t i = 0; i < h->desc->nfields; i++)
		if (h->desc->fields[i].type == type && strcmp(h->paths[i], path) == 0)
			return &h->desc->fields[i];
	return NULL;
}

const struct hid_field *
hdev_find(const struct hdev *h, const char *path, int for_write)
{
	const struct hid_field *f = find_type(h, path, HID_FEATURE);

	if (f == NULL)
		f = find_type(h, path, for_write ? HID_OUTPUT : HID_INPUT);
	return f;
}

/* The report holding f, read once per cycle. Its length, or an error. */
static int
fetch(struct hdev *h, const struct hid_field *f)
{
	uint8_t *b = h->buf[f->type][f->report_id];
	int n;

	if (h->len[f->type][f->report_id] > 0)
		return h->len[f->type][f->report_id];
	if (h->failed[f->type][f->report_id])
		return USBT_ERR;
	n = h->t->ops->get_report(h->t, (enum hid_type)f->type, f->report_id, b, HID_REPORT_MAX + 1);
	if (n <= 0) {
		h->failed[f->type][f->report_id] = 1;
		return n == 0 ? USBT_ERR : n;
	}
	if (!h->desc->uses_ids) {
		/* a device without ids sends the data alone: the decoder wants an id byte */
		if (n > HID_REPORT_MAX)
			n = HID_REPORT_MAX;
		memmove(b + 1, b, (size_t)n);
		b[0] = 0;
		n++;
	}
	h->len[f->type][f->report_id] = (uint16_t)n;
	return n;
}

int
hdev_read_logical(struct hdev *h, const struct hid_field *f, int64_t *value)
{
	int n = fetch(h, f);

	if (n < 0)
		return n;
	if (hid_get_logical(f, h->buf[f->type][f->report_id], (size_t)n, value) == -1)
		return USBT_ERR;	/* the device sent a short report */
	return 0;
}

int
hdev_read(struct hdev *h, const struct hid_field *f, double *value)
{
	int64_t l;
	int rc = hdev_read_logical(h, f, &l);

	if (rc == 0)
		*value = hid_to_value(f, l);
	return rc;
}

int
hdev_write_logical(struct hdev *h, const struct hid_field *f, int64_t v)
{
	size_t len = 1 + hid_report_len(h->desc, (enum hid_type)f->type, f->report_id);
	uint8_t *b = h->buf[f->type][f->report_id];
	int rc;

	/* Other fields of the report keep what the device has now. */
	h->len[f->type][f->report_id] = 0;
	h->failed[f->type][f->report_id] = 0;
	if (f->type == HID_OUTPUT || fetch(h, f) < 0) {
		memset(b, 0, len);
		b[0] = f->report_id;
	}
	if (hid_set_logical(f, b, len, v) == -1)
		return USBT_ERR;
	rc = h->t->ops->set_report(h->t, (enum hid_type)f->type,
	    h->desc->uses_ids ? b : b + 1, h->desc->uses_ids ? len : len - 1);
	h->len[f->type][f->report_id] = 0;	/* read back what the device made of it */
	return rc;
}

int
hdev_interrupt(struct hdev *h, const uint8_t *buf, size_t len)
{
	uint8_t id = h->desc->uses_ids ? buf[0] : 0;
	size_t want = 1 + hid_report_len(h->desc, HID_INPUT, id);
	uint8_t *b = h->buf[HID_INPUT][id];

	if (len == 0 || hid_report_len(h->desc, HID_INPUT, id) == 0)
		return -1;
	memset(b, 0, HID_REPORT_MAX + 1);
	if (h->desc->uses_ids) {
		memcpy(b, buf, len < want ? len : want);
	} else {
		b[0] = 0;
		memcpy(b + 1, buf, len < want - 1 ? len : want - 1);
	}
	h->len[HID_INPUT][id] = (uint16_t)want;
	h->failed[HID_INPUT][id] = 0;
	return id;
}
