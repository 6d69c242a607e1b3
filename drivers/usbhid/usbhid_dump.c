/*
 * nutsec - usbhid_dump.c: the diagnostic dump (usbhid_dump.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hid_dev.h"
#include "hid_vars.h"
#include "usbhid_dump.h"

#define DUMP_VARS_MAX 256

struct dump_vars {
	char line[DUMP_VARS_MAX][200];
	size_t n;
};

static void
add(struct dump_vars *dv, const char *name, const char *value)
{
	for (size_t i = 0; i < dv->n; i++) {
		size_t k = strlen(name);

		if (strncmp(dv->line[i], name, k) == 0 && dv->line[i][k] == ':') {
			snprintf(dv->line[i], sizeof(dv->line[i]), "%s: %s", name, value);
			return;
		}
	}
	if (dv->n < DUMP_VARS_MAX)
		snprintf(dv->line[dv->n++], sizeof(dv->line[0]), "%s: %s", name, value);
}

static void
sink_set(void *ctx, const char *name, const char *value, int rw)
{
	(void)rw;
	add(ctx, name, value);
}

static void
sink_status(void *ctx, const char *const *tokens, size_t n, const char *const *alarms, size_t na)
{
	char buf[200] = "";
	size_t at = 0;

	if (na > 0) {
		char al[200] = "";
		size_t aat = 0;

		for (size_t i = 0; i < na && aat < sizeof(al); i++)
			aat += (size_t)snprintf(al + aat, sizeof(al) - aat, "%s%s", i ? " " : "", alarms[i]);
		add(ctx, "ups.alarm", al);
		at = (size_t)snprintf(buf, sizeof(buf), "ALARM");
	}
	for (size_t i = 0; i < n && at < sizeof(buf); i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s", at ? " " : "", tokens[i]);
	add(ctx, "ups.status", buf);
}

/* By name: "battery.charge" before "battery.charge.low", as upsc lists them. */
static int
cmp_line(const void *a, const void *b)
{
	const char *x = a, *y = b;
	size_t nx = strcspn(x, ":"), ny = strcspn(y, ":");
	int c = strncmp(x, y, nx < ny ? nx : ny);

	return c != 0 ? c : (nx > ny) - (nx < ny);
}

int
usbhid_dump(struct usb_transport *t, const struct subdriver *sd, FILE *out)
{
	struct hdev h;
	struct hvars *v;
	struct dump_vars *dv;
	struct hv_sink sink;
	struct sd_strings ss;
	char err[256], buf[32];

	if (hdev_open(&h, t, sd->names, err, sizeof(err)) == -1) {
		fprintf(stderr, "usbhid-ups: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < h.desc->nfields; i++) {
		const struct hid_field *f = &h.desc->fields[i];
		double x;

		if (f->type == HID_OUTPUT || hdev_read(&h, f, &x) != 0)
			continue;	/* output reports cannot be read back */
		fprintf(out, "%s %s 0x%02x %u %u %g\n", hdev_path(&h, i), hid_type_name(f->type),
		    f->report_id, f->offset, f->size, x);
	}
	if ((dv = calloc(1, sizeof(*dv))) == NULL ||
	    (v = hv_new(&h, sd, sd->offdelay ? sd->offdelay : 20,
	    sd->ondelay ? sd->ondelay : 30)) == NULL) {
		free(dv);
		hdev_close(&h);
		fprintf(stderr, "usbhid-ups: out of memory\n");
		return -1;
	}
	sink.ctx = dv;
	sink.set = sink_set;
	sink.status = sink_status;
	if (hv_is_ups(v))
		(void)hv_update(v, &sink, 0);
	add(dv, "device.type", "ups");
	add(dv, "driver.name", "usbhid-ups");
	add(dv, "driver.version.data", sd->name);
	snprintf(buf, sizeof(buf), "%04x", t->info.vendorid);
	add(dv, "ups.vendorid", buf);
	snprintf(buf, sizeof(buf), "%04x", t->info.productid);
	add(dv, "ups.productid", buf);
	subdriver_strings(sd, &t->info, &ss);
	if (ss.mfr[0] != '\0')
		add(dv, "device.mfr", ss.mfr);
	if (ss.model[0] != '\0')
		add(dv, "device.model", ss.model);
	if (ss.serial[0] != '\0')
		add(dv, "device.serial", ss.serial);
	if (ss.firmware[0] != '\0')
		add(dv, "ups.firmware", ss.firmware);
	if (ss.firmware_aux[0] != '\0')
		add(dv, "ups.firmware.aux", ss.firmware_aux);
	qsort(dv->line, dv->n, sizeof(dv->line[0]), cmp_line);
	for (size_t i = 0; i < dv->n; i++)
		fprintf(out, "%s\n", dv->line[i]);
	if (!hv_is_ups(v))
		fprintf(stderr, "usbhid-ups: no Power Device usages: not a UPS interface\n");
	hv_free(v);
	free(dv);
	hdev_close(&h);
	return 0;
}
