/*
 * nutsec - test_hidparse.c: the HID descriptor parser and report decoder
 * (drivers/usbhid/hid_parse.c) on every recorded device in tests/data/hid:
 * each item NUT decoded must exist with the same path, type, report id,
 * offset and size, and decode to the same printed value from the recorded
 * report bytes; each report read is as long as the descriptor says. Then
 * malformed descriptors: truncated items, deep nesting, huge counts,
 * unbalanced collections, Push/Pop abuse; each must be a clear error.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hid_parse.h"
#include "hid_usage.h"
#include "recording.h"
#include "test.h"

#define DATA TOP_SRCDIR "/tests/data/hid"

static const struct hid_field *
find(const struct hid_desc *d, const struct hid_usage_name *names, const char *path,
    const char *type, unsigned id)
{
	/* A path can be in several reports (the same usage read two ways): the
	 * recorded item names its report. */
	char buf[512];

	for (size_t i = 0; i < d->nfields; i++) {
		const struct hid_field *f = &d->fields[i];

		if (strcmp(hid_type_name(f->type), type) != 0 || f->report_id != id)
			continue;
		if (hid_path_string(names, f, buf, sizeof(buf)) == 0 && strcmp(buf, path) == 0)
			return f;
	}
	return NULL;
}

/* Checks reports.txt item by item; returns the number of items checked. */
static unsigned
check_items(const char *dir, const struct hid_desc *d, const struct hid_usage_name *names)
{
	char path[4200], line[8192];
	struct rec_raw raw = { 0 };
	int have_raw = 0;
	unsigned lineno = 0, items = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/reports.txt", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char ipath[512], type[16], value[64], got[64];
		unsigned id, off, size;
		const struct hid_field *f;
		int64_t l;
		int rc;

		lineno++;
		if ((rc = rec_parse_raw(line, &raw)) != 0) {
			if (!CHECK(rc == 1))
				printf("# %s:%u: bad RAW\n", path, lineno);
			have_raw = rc == 1;
			continue;
		}
		if (sscanf(line, "%511s %15s %x %u %u %63s", ipath, type, &id, &off, &size, value) != 6)
			continue;
		items++;
		f = find(d, names, ipath, type, id);
		if (!CHECK(f != NULL)) {
			printf("# %s:%u: no field %s %s\n", path, lineno, ipath, type);
			continue;
		}
		CHECK_INT(f->report_id, id);
		CHECK_INT(f->offset, off);
		CHECK_INT(f->size, size);
		if (!CHECK(have_raw && raw.id == id))
			continue;
		if (!CHECK(raw.len == 1 + hid_report_len(d, f->type, f->report_id)))
			printf("# %s:%u: RAW of %u bytes, report 0x%02x is %zu+1\n", path, lineno,
			    raw.len, id, hid_report_len(d, f->type, f->report_id));
		if (!CHECK(hid_get_logical(f, raw.bytes, raw.len, &l) == 0))
			continue;
		snprintf(got, sizeof(got), "%g", hid_to_value(f, l));
		if (strcmp(got, value) != 0) {
			printf("# %s:%u: %s: got %s, want %s\n", path, lineno, ipath, got, value);
			test_case_failed = 1;
		}
	}
	fclose(fp);
	return items;
}

static void
test_recordings(void)
{
	DIR *dp = opendir(DATA);
	struct dirent *de;
	unsigned devices = 0;

	TEST_CASE("the recordings directory is there");
	if (!CHECK(dp != NULL))
		return;
	/* test.h keeps the case name until the next case: one buffer each */
	static char case_names[32][300];

	while ((de = readdir(dp)) != NULL && devices < 32) {
		char dir[2048], err[256], *name = case_names[devices];
		struct recording *rec;
		struct hid_desc *d = NULL;
		const struct hid_usage_name *names;

		if (de->d_name[0] == '.' || strchr(de->d_name, '.') != NULL)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", DATA, de->d_name);
		snprintf(name, sizeof(case_names[0]), "recording %s: parsed and decoded as NUT did", de->d_name);
		TEST_CASE(name);
		devices++;
		rec = calloc(1, sizeof(*rec));
		if (!CHECK(rec != NULL))
			continue;
		if (!CHECK(rec_load(rec, dir, err, sizeof(err)) == 0)) {
			printf("# %s\n", err);
			free(rec);
			continue;
		}
		names = hid_names_for_vendor(rec->vendorid);
		if (!CHECK(hid_parse(rec->desc, rec->desc_len, &d, err, sizeof(err)) == 0)) {
			printf("# %s: %s\n", dir, err);
		} else {
			unsigned n = check_items(dir, d, names);

			printf("# %s: %zu bytes, %zu fields, %u recorded items checked\n",
			    de->d_name, rec->desc_len, d->nfields, n);
			CHECK(d->nfields > 0);
			CHECK((n > 0) == (rec->nraws > 0));
		}
		hid_desc_free(d);
		rec_free(rec);
		free(rec);
	}
	closedir(dp);
	TEST_CASE("every recorded device was tried");
	CHECK(devices >= 8);
}

/* One value the recordings left out because the source had rounded it. */
static void
check_value(const char *dev, const char *path, unsigned id, const char *raw, const char *want)
{
	char dir[512], err[256], line[256], got[64];
	struct recording *rec = calloc(1, sizeof(*rec));
	struct hid_desc *d = NULL;
	const struct hid_field *f;
	struct rec_raw r;
	int64_t l;

	snprintf(dir, sizeof(dir), "%s/%s", DATA, dev);
	snprintf(line, sizeof(line), "RAW 0x%02x %s", id, raw);
	if (!CHECK(rec != NULL && rec_load(rec, dir, err, sizeof(err)) == 0 &&
	    hid_parse(rec->desc, rec->desc_len, &d, err, sizeof(err)) == 0))
		goto out;
	f = find(d, hid_names_for_vendor(rec->vendorid), path, "Feature", id);
	if (f == NULL)
		f = find(d, hid_names_for_vendor(rec->vendorid), path, "Input", id);
	if (CHECK(f != NULL) && CHECK(rec_parse_raw(line, &r) == 1) &&
	    CHECK(hid_get_logical(f, r.bytes, r.len, &l) == 0)) {
		snprintf(got, sizeof(got), "%g", hid_to_value(f, l));
		CHECK_STR(got, want);
	}
out:
	hid_desc_free(d);
	if (rec != NULL)
		rec_free(rec);
	free(rec);
}

static void
test_rounded(void)
{
	TEST_CASE("volt units: 10^(UnitExp-7), values the recordings left out");
	check_value("apc-back-ups-es-850g2", "UPS.PowerSummary.Voltage", 0x09, "09 3f 05", "13.43");
	check_value("goldenmate-smart-battery", "UPS.PowerSummary.Voltage", 0x02,
	    "02 83 64 70 e8 01 00 28 05", "13.2");
}

/* The parse of a literal descriptor; its error in err. */
static int
parse(const uint8_t *b, size_t n, char *err, size_t errlen, struct hid_desc **out)
{
	struct hid_desc *d = NULL;
	int rc = hid_parse(b, n, &d, err, errlen);

	if (out != NULL)
		*out = d;
	else
		hid_desc_free(d);
	return rc;
}

#define EXPECT_ERROR(bytes, what) do { \
	char err_[256] = ""; \
	CHECK(parse(bytes, sizeof(bytes), err_, sizeof(err_), NULL) == -1); \
	if (!CHECK(strstr(err_, what) != NULL)) printf("# error was: %s\n", err_); \
} while (0)

/* UPS application collection, PowerSummary physical, then body and two End Collections. */
static const uint8_t small[] = {
	0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x09, 0x24, 0xa1, 0x00,
	0x85, 0x0c, 0x05, 0x85, 0x09, 0x66, 0x75, 0x08, 0x95, 0x01,
	0x15, 0x00, 0x26, 0xff, 0x00, 0x81, 0x02,
	0xc0, 0xc0,
};

static void
test_small(void)
{
	char err[256], path[256];
	struct hid_desc *d;
	int64_t l;
	uint8_t rep[2] = { 0x0c, 0x57 };

	TEST_CASE("a small descriptor: one field, its path, its value");
	if (!CHECK(parse(small, sizeof(small), err, sizeof(err), &d) == 0))
		return;
	CHECK_INT(d->nfields, 1);
	CHECK(hid_path_string(hid_names_none, &d->fields[0], path, sizeof(path)) == 0);
	CHECK_STR(path, "UPS.PowerSummary.RemainingCapacity");
	CHECK_INT(hid_report_len(d, HID_INPUT, 0x0c), 1);
	CHECK(hid_get_logical(&d->fields[0], rep, sizeof(rep), &l) == 0);
	CHECK_INT(l, 0x57);
	CHECK(hid_get_logical(&d->fields[0], rep, 1, &l) == -1);	/* short buffer */
	hid_desc_free(d);
}

static void
test_defects(void)
{
	/* LogMin 0, LogMax 26 ff ff (-1 signed): unsigned 65535 as NUT reads it */
	static const uint8_t logmax[] = {
		0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x85, 0x01, 0x09, 0x30, 0x75, 0x10,
		0x95, 0x01, 0x15, 0x00, 0x26, 0xff, 0xff, 0xb1, 0x02, 0xc0,
	};
	/* LogMin -1, LogMax 0, 32 bits: ff ff ff ff is -1 */
	static const uint8_t neg[] = {
		0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x85, 0x01, 0x09, 0x55, 0x75, 0x20,
		0x95, 0x01, 0x17, 0xff, 0xff, 0xff, 0xff, 0x25, 0x00, 0xb1, 0x02, 0xc0,
	};
	/* 4 usages, count 6: the last two slots are padding; UnitExp 0x0e is -2 */
	static const uint8_t pad[] = {
		0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x85, 0x02, 0x55, 0x0e, 0x75, 0x08,
		0x95, 0x06, 0x09, 0x30, 0x09, 0x31, 0x09, 0x32, 0x09, 0x33, 0x81, 0x02, 0xc0,
	};
	char err[256];
	struct hid_desc *d;
	int64_t l;
	uint8_t r1[] = { 1, 0xff, 0xff }, r2[] = { 1, 0xff, 0xff, 0xff, 0xff };

	TEST_CASE("a negative-looking Logical Maximum over a positive minimum is unsigned");
	if (CHECK(parse(logmax, sizeof(logmax), err, sizeof(err), &d) == 0)) {
		CHECK_INT(d->fields[0].logmax, 65535);
		CHECK(hid_get_logical(&d->fields[0], r1, sizeof(r1), &l) == 0);
		CHECK_INT(l, 65535);
		hid_desc_free(d);
	}
	TEST_CASE("LogMin -1 LogMax 0 sign-extends");
	if (CHECK(parse(neg, sizeof(neg), err, sizeof(err), &d) == 0)) {
		CHECK(hid_get_logical(&d->fields[0], r2, sizeof(r2), &l) == 0);
		CHECK_INT(l, -1);
		hid_desc_free(d);
	}
	TEST_CASE("slots past the usages are padding; 4-bit negative unit exponents");
	if (CHECK(parse(pad, sizeof(pad), err, sizeof(err), &d) == 0)) {
		CHECK_INT(d->nfields, 4);
		CHECK_INT(hid_report_len(d, HID_INPUT, 2), 6);
		CHECK_INT(d->fields[3].offset, 24);
		CHECK_INT(d->fields[0].unit_exp, -2);
		hid_desc_free(d);
	}
}

static void
test_malformed(void)
{
	static const uint8_t truncated[] = { 0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x27, 0xff, 0xff };
	static const uint8_t long_item[] = { 0x05, 0x84, 0xfe, 0x20, 0x00, 0x01 };
	static const uint8_t huge_count[] = {
		0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x09, 0x30, 0x75, 0x08,
		0x97, 0xff, 0xff, 0xff, 0x7f, 0x81, 0x02, 0xc0,
	};
	static const uint8_t long_report[] = {
		0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x09, 0x30, 0x75, 0xff,
		0x96, 0x00, 0x01, 0x81, 0x02, 0xc0,
	};
	static const uint8_t extra_end[] = { 0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0xc0, 0xc0 };
	static const uint8_t pop[] = { 0x05, 0x84, 0xb4 };
	static const uint8_t report_id[] = { 0x86, 0x00, 0x01 };
	static const uint8_t empty[] = { 0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0xc0 };
	uint8_t deep[2 + 2 * 40];
	uint8_t pushes[1 + HID_STACK_MAX + 1];
	uint8_t many[8 + 6 * (HID_FIELDS_MAX + 1)];
	size_t n = 0;
	char err[256];

	TEST_CASE("malformed: an item cut short");
	EXPECT_ERROR(truncated, "byte 6: item 0x27 needs 4 data bytes, 2 left");
	TEST_CASE("malformed: a long item past the end");
	EXPECT_ERROR(long_item, "long item");
	TEST_CASE("malformed: a huge Report Count");
	EXPECT_ERROR(huge_count, "Report Count");
	TEST_CASE("malformed: a report longer than the limit");
	EXPECT_ERROR(long_report, "longer than");
	TEST_CASE("malformed: End Collection without a Collection");
	EXPECT_ERROR(extra_end, "End Collection without");
	TEST_CASE("malformed: Pop without Push");
	EXPECT_ERROR(pop, "Pop without");
	TEST_CASE("malformed: a Report ID over 255");
	EXPECT_ERROR(report_id, "Report ID");
	TEST_CASE("a descriptor with no data fields is refused");
	EXPECT_ERROR(empty, "no data fields");

	TEST_CASE("malformed: collections nested beyond the limit");
	deep[n++] = 0x05;
	deep[n++] = 0x84;
	for (int i = 0; i < 40; i++) {
		deep[n++] = 0xa1;
		deep[n++] = 0x00;
	}
	EXPECT_ERROR(deep, "nested deeper");

	TEST_CASE("malformed: Push beyond the limit");
	n = 0;
	pushes[n++] = 0xa4;
	for (int i = 0; i < HID_STACK_MAX; i++)
		pushes[n++] = 0xa4;
	EXPECT_ERROR(pushes, "Push nested");

	TEST_CASE("malformed: more fields than the limit");
	n = 0;
	many[n++] = 0x05; many[n++] = 0x84; many[n++] = 0x75; many[n++] = 0x00;
	many[n++] = 0x95; many[n++] = 0x01; many[n++] = 0x85; many[n++] = 0x01;
	for (int i = 0; i <= HID_FIELDS_MAX; i++) {
		many[n++] = 0x0a; many[n++] = 0x30; many[n++] = 0x00;	/* 2-byte Usage */
		many[n++] = 0xb1; many[n++] = 0x02;
		many[n++] = 0x00;	/* a main item with no tag: skipped */
	}
	EXPECT_ERROR(many, "more than");

	TEST_CASE("a descriptor over 64 KiB is refused before parsing");
	{
		static uint8_t big[HID_DESC_MAX + 1];

		CHECK(parse(big, sizeof(big), err, sizeof(err), NULL) == -1);
		CHECK(strstr(err, "more than") != NULL);
	}
}

int
main(void)
{
	test_recordings();
	test_rounded();
	test_small();
	test_defects();
	test_malformed();
	return test_done();
}
