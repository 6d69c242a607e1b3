/*
 * nutsec - test_hidvars.c: the usbhid-ups subdriver tables applied to
 * recorded devices (drivers/usbhid/hid_vars.c) through the replay
 * transport: vendor encodings of commands as the exact SET_REPORT bytes,
 * status bits NUT derives (OFF from APC's flag, CAL during a deep test,
 * onlinedischarge), SET refusals, a non-UPS interface, and the device
 * matching expressions (usb_match.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hid_dev.h"
#include "hid_map.h"
#include "hid_vars.h"
#include "usb_match.h"
#include "test.h"

#define DATA TOP_SRCDIR "/tests/data/hid"

/* What the sink received. */
static char status[128], test_result[64], last_var[128];

static void
sink_set(void *ctx, const char *name, const char *value, int rw)
{
	(void)ctx;
	(void)rw;
	if (strcmp(name, "ups.test.result") == 0)
		snprintf(test_result, sizeof(test_result), "%s", value);
	snprintf(last_var, sizeof(last_var), "%s=%s", name, value);
}

static void
sink_status(void *ctx, const char *const *tok, size_t n, const char *const *al, size_t na)
{
	size_t at = 0;

	(void)ctx;
	(void)al;
	(void)na;
	status[0] = '\0';
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(status + at, sizeof(status) - at, "%s%s", i ? " " : "", tok[i]);
}

static const struct hv_sink sink = { NULL, sink_set, sink_status };

struct fixture {
	struct usb_transport *t;
	struct hdev h;
	struct hvars *v;
	char logpath[64];
	int logfd;
};

static int
fx_open(struct fixture *fx, const char *dev)
{
	char dir[512], err[256];
	const struct subdriver *sd;

	snprintf(dir, sizeof(dir), "%s/%s", DATA, dev);
	snprintf(fx->logpath, sizeof(fx->logpath), "/tmp/test_hidvars.XXXXXX");
	if ((fx->logfd = mkstemp(fx->logpath)) == -1)
		return -1;
	if ((fx->t = usbt_replay_open(dir, fx->logfd, err, sizeof(err))) == NULL) {
		printf("# %s\n", err);
		return -1;
	}
	sd = subdriver_for(fx->t->info.vendorid);
	if (hdev_open(&fx->h, fx->t, sd->names, err, sizeof(err)) == -1) {
		printf("# %s\n", err);
		return -1;
	}
	fx->v = hv_new(&fx->h, sd, sd->offdelay ? sd->offdelay : 20, sd->ondelay ? sd->ondelay : 30);
	return fx->v != NULL && hv_update(fx->v, &sink, 0) == 0 ? 0 : -1;
}

static void
fx_close(struct fixture *fx)
{
	hv_free(fx->v);
	hdev_close(&fx->h);
	fx->t->ops->close(fx->t);
	close(fx->logfd);
	unlink(fx->logpath);
}

/* The last SET_REPORT line written. */
static const char *
last_set(struct fixture *fx)
{
	static char line[256];
	FILE *fp = fopen(fx->logpath, "r");

	line[0] = '\0';
	if (fp == NULL)
		return line;
	while (fgets(line, sizeof(line), fp) != NULL)
		;
	fclose(fp);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* An interrupt report, as bytes written in hex, applied. */
static void
interrupt(struct fixture *fx, const uint8_t *b, size_t n)
{
	int id = hdev_interrupt(&fx->h, b, n);

	CHECK(id >= 0);
	hv_interrupt(fx->v, &sink, id);
}

static void
test_powercom(void)
{
	struct fixture fx;

	TEST_CASE("Powercom: delays in its own encoding (minutes, seconds, restart bit)");
	if (!CHECK(fx_open(&fx, "powercom-bnt-800ap") == 0))
		return;
	CHECK_INT(hv_instcmd(fx.v, "shutdown.return", NULL), 0);
	/* 20 s: seconds 20 in the high byte, 0 minutes, 0x4000 "restart" */
	CHECK_STR(last_set(&fx), "SET Feature 0x0f 0f 00 54");
	CHECK_INT(hv_instcmd(fx.v, "shutdown.stayoff", "90"), 0);
	/* 90 s: 30 s and 1 minute, 0x8000 "stay off" */
	CHECK_STR(last_set(&fx), "SET Feature 0x0f 0f 01 9e");
	CHECK_INT(hv_instcmd(fx.v, "load.on.delay", "120"), 0);
	/* 2 minutes, bytes swapped, in a 32-bit field */
	CHECK_STR(last_set(&fx), "SET Feature 0x10 10 00 02 00 00");
	CHECK_INT(hv_instcmd(fx.v, "beeper.disable", NULL), 0);
	CHECK_STR(last_set(&fx), "SET Feature 0x13 13 00");
	CHECK_INT(hv_instcmd(fx.v, "load.on.delay", "soon"), -3);
	CHECK_INT(hv_instcmd(fx.v, "bypass.start", NULL), -1);
	fx_close(&fx);
}

static void
test_apc(void)
{
	struct fixture fx;
	static const uint8_t off[] = { 0x06, 0x00, 0x00, 0x00 };
	static const uint8_t on[] = { 0x06, 0x00, 0x00, 0x08 };
	static const uint8_t running[] = { 0x21, 0x05 };
	static const uint8_t passed[] = { 0x21, 0x01 };

	TEST_CASE("APC: status flag 0 is OFF, 8 is running");
	if (!CHECK(fx_open(&fx, "apc-back-ups-es-850g2") == 0))
		return;
	CHECK_STR(status, "OL");
	interrupt(&fx, off, sizeof(off));
	CHECK(strstr(status, "OFF") != NULL);
	interrupt(&fx, on, sizeof(on));
	CHECK(strstr(status, "OFF") == NULL);

	TEST_CASE("APC: a deep test in progress is CAL, until it is done");
	CHECK_INT(hv_instcmd(fx.v, "test.battery.start.deep", NULL), 0);
	CHECK_STR(last_set(&fx), "SET Feature 0x21 21 02");
	interrupt(&fx, running, sizeof(running));
	CHECK_STR(test_result, "In progress");
	CHECK(strstr(status, "CAL") != NULL);
	interrupt(&fx, passed, sizeof(passed));
	CHECK_STR(test_result, "Done and passed");
	CHECK(strstr(status, "CAL") == NULL);

	TEST_CASE("APC: SET refusals and a writable threshold");
	CHECK_INT(hv_setvar(fx.v, &sink, "ups.nosuch", "1"), -1);
	CHECK_INT(hv_setvar(fx.v, &sink, "battery.charge", "50"), -1);	/* read-only */
	CHECK_INT(hv_setvar(fx.v, &sink, "battery.charge.low", "ten"), -3);
	CHECK_INT(hv_setvar(fx.v, &sink, "input.sensitivity", "extreme"), -3);
	CHECK_INT(hv_setvar(fx.v, &sink, "input.sensitivity", "high"), 0);
	CHECK(strstr(last_set(&fx), "SET Feature ") == last_set(&fx));
	CHECK_INT(hv_setvar(fx.v, &sink, "ups.delay.shutdown", "45"), 0);
	CHECK_STR(last_var, "ups.delay.shutdown=45");
	fx_close(&fx);
}

static void
test_cyberpower(void)
{
	struct fixture fx;
	static const uint8_t ol_dischrg[] = { 0x0b, 0x05 };

	TEST_CASE("CyberPower: on line and discharging; onlinedischarge makes it OB");
	if (!CHECK(fx_open(&fx, "cyberpower-cp1500pfclcd") == 0))
		return;
	CHECK_STR(status, "OL");
	interrupt(&fx, ol_dischrg, sizeof(ol_dischrg));
	CHECK_STR(status, "OL DISCHRG");
	hv_set_onlinedischarge(fx.v, 1);
	interrupt(&fx, ol_dischrg, sizeof(ol_dischrg));
	CHECK_STR(status, "OB DISCHRG");
	CHECK_INT(hv_killpower(fx.v), 0);
	CHECK_STR(last_set(&fx), "SET Feature 0x15 15 01 00");
	fx_close(&fx);
}

static void
test_not_ups(void)
{
	char dir[512], err[256];
	struct usb_transport *t;
	struct hdev h;
	struct hvars *v;

	TEST_CASE("a vendor-only HID interface is not a UPS");
	snprintf(dir, sizeof(dir), "%s/liebert-psa5-iface0", DATA);
	if (!CHECK((t = usbt_replay_open(dir, -1, err, sizeof(err))) != NULL))
		return;
	if (CHECK(hdev_open(&h, t, hid_names_none, err, sizeof(err)) == 0)) {
		v = hv_new(&h, subdriver_for(t->info.vendorid), 20, 30);
		CHECK(v != NULL && !hv_is_ups(v));
		hv_free(v);
		hdev_close(&h);
	}
	t->ops->close(t);
}

static void
test_match(void)
{
	struct usb_devinfo dev = { .vendorid = 0x051d, .productid = 0x0002,
	    .vendor = "American Power Conversion", .product = "Back-UPS ES 850G2 FW:938.a2",
	    .serial = "5B2109T81980", .bus = "001", .device = "004" };
	struct usb_matcher m;
	char err[256];
	const char *vals[UM_N] = { 0 };

	TEST_CASE("matching: anchored, case-insensitive regular expressions");
	CHECK(usbm_init(&m, vals, err, sizeof(err)) == 0 && usbm_match(&m, &dev));
	usbm_free(&m);
	vals[UM_VENDORID] = "051D";
	vals[UM_PRODUCT] = "back-ups.*";
	vals[UM_BUS] = "00[1-3]";
	CHECK(usbm_init(&m, vals, err, sizeof(err)) == 0 && usbm_match(&m, &dev));
	usbm_free(&m);
	vals[UM_VENDORID] = "05";	/* a prefix is not a match */
	CHECK(usbm_init(&m, vals, err, sizeof(err)) == 0 && !usbm_match(&m, &dev));
	usbm_free(&m);
	vals[UM_VENDORID] = NULL;
	vals[UM_SERIAL] = "5B21";
	CHECK(usbm_init(&m, vals, err, sizeof(err)) == 0 && !usbm_match(&m, &dev));
	usbm_free(&m);
	vals[UM_SERIAL] = "(";
	CHECK(usbm_init(&m, vals, err, sizeof(err)) == -1);
	CHECK(strstr(err, "serial = (") != NULL);
}

int
main(void)
{
	test_powercom();
	test_apc();
	test_cyberpower();
	test_not_ups();
	test_match();
	return test_done();
}
