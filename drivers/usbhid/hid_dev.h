/*
 * nutsec - hid_dev.h: one HID device as the driver sees it: its transport,
 * its parsed descriptor with a NUT path per field, and the reports read in
 * the current cycle (each report is fetched once per cycle however many
 * fields it holds).
 */
#ifndef NUTSEC_HID_DEV_H
#define NUTSEC_HID_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "hid_parse.h"
#include "hid_usage.h"
#include "usb_transport.h"

#define HDEV_PATH_MAX 256

struct hdev {
	struct usb_transport *t;
	struct hid_desc *desc;
	const struct hid_usage_name *names;
	char (*paths)[HDEV_PATH_MAX];	/* per field */
	/* the reports of this cycle, per type and id: len 0 = not read yet */
	uint16_t len[3][256];
	uint8_t failed[3][256];		/* GET_REPORT failed this cycle */
	uint8_t (*buf)[256][HID_REPORT_MAX + 1];
};

/* Reads and parses the descriptor. 0, or -1 with err filled. */
int hdev_open(struct hdev *h, struct usb_transport *t, const struct hid_usage_name *names,
    char *err, size_t errlen);
void hdev_close(struct hdev *h);

/* Forgets the reports read: the next reads fetch them again. */
void hdev_new_cycle(struct hdev *h);
/* The field at path: a Feature, else an Input (or, for writing, an Output). */
const struct hid_field *hdev_find(const struct hdev *h, const char *path, int for_write);
/* The decoded value of a field; 0, or a USBT_* error. */
int hdev_read(struct hdev *h, const struct hid_field *f, double *value);
/* The same, as the logical integer. */
int hdev_read_logical(struct hdev *h, const struct hid_field *f, int64_t *value);
/* Writes a logical value: the report is read fresh, the field changed, sent back. */
int hdev_write_logical(struct hdev *h, const struct hid_field *f, int64_t v);
/*
 * An interrupt report arrived (id first): it becomes this cycle's copy of
 * its Input report. Returns its id, or -1 if the descriptor has no such report.
 */
int hdev_interrupt(struct hdev *h, const uint8_t *buf, size_t len);
/* The path of field i. */
const char *hdev_path(const struct hdev *h, size_t i);

#endif
