/*
 * nutsec - usbhid-ups.c: the driver for UPSes that speak the USB HID Power
 * Device Class. It reads the device's report descriptor, picks the
 * subdriver table for its vendor (or subdriver =), publishes what the table
 * maps, follows interrupt reports as they come and polls the rest every
 * pollinterval (status only) and pollfreq (everything).
 *
 *   usbhid-ups -a NAME                 as NUT: the ups.conf section NAME
 *   usbhid-ups --replay DIR --dump     a recorded device, printed (bug reports)
 *   usbhid-ups --dump -x vendorid=...  a live device, printed
 *
 * replay = DIR in ups.conf serves a recorded device instead of USB (tests).
 *
 * On USB, a reopen helper (usb_reopen.h) is forked before the sandbox.
 * When the device goes away (unplug, reset) the data goes stale and the
 * driver asks the helper for the device again, every second at first and
 * backing off to every 30 s, then wraps the fd it gets, reads the
 * descriptor again and resumes, in the same sandboxed process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"
#include "hid_dev.h"
#include "hid_map.h"
#include "hid_vars.h"
#include "log.h"
#include "msg.h"
#include "usb_match.h"
#include "usb_reopen.h"
#include "usb_transport.h"
#include "usbhid_dump.h"
#include "usbhid_usb.h"

#define USBHID_VERSION "0.1"
#define DEFAULT_OFFDELAY 20
#define DEFAULT_ONDELAY 30
#define DEFAULT_POLLFREQ 30
#define REOPEN_FIRST_MS 1000UL
#define REOPEN_MAX_MS 30000UL

static struct {
	struct usb_transport *t;
	struct hdev h;
	int have_dev;
	struct hvars *v;
	const struct subdriver *sd;
	long offdelay, ondelay, pollfreq;
	int pollonly;
	time_t last_full;
	int setlog_fd;
	struct usbt_pollfd fds[4];
	int nfds;
	drv_timer_id intr_timer;	/* when an fd cannot be watched */
	struct drv *d;
	/* the reopen helper: its channel, the next try, the back-off */
	struct msg_chan *reopen;
	pid_t reopen_pid;
	drv_timer_id reopen_timer;
	unsigned long reopen_ms;
	int reopen_asked, reopen_tries;
} U = { .setlog_fd = -1 };

static const struct drv_vardef usbhid_vars[] = {
	{ "vendorid", DRV_VAR_VALUE, "regular expression matching the USB vendor id" },
	{ "productid", DRV_VAR_VALUE, "regular expression matching the USB product id" },
	{ "vendor", DRV_VAR_VALUE, "regular expression matching the vendor string" },
	{ "product", DRV_VAR_VALUE, "regular expression matching the product string" },
	{ "serial", DRV_VAR_VALUE, "regular expression matching the serial number" },
	{ "bus", DRV_VAR_VALUE, "regular expression matching the USB bus" },
	{ "device", DRV_VAR_VALUE, "regular expression matching the device number on its bus" },
	{ "subdriver", DRV_VAR_VALUE, "APC, CyberPower, MGE (Eaton), TrippLite, PowerCOM, generic" },
	{ "offdelay", DRV_VAR_VALUE, "seconds before the load goes off (ups.delay.shutdown, 20)" },
	{ "ondelay", DRV_VAR_VALUE, "seconds before the load returns (ups.delay.start, 30)" },
	{ "pollfreq", DRV_VAR_VALUE, "seconds between full reads (30); status every pollinterval" },
	{ "pollonly", DRV_VAR_FLAG, "ignore interrupt reports, poll only" },
	{ "onlinedischarge", DRV_VAR_FLAG, "on line but discharging counts as on battery (OB)" },
	/* NUT's tuning knobs: accepted so existing sections start, without effect here */
	{ "interruptonly", DRV_VAR_FLAG, "NUT compatibility, no effect: status is still polled" },
	{ "interruptsize", DRV_VAR_VALUE, "NUT compatibility, no effect: reports are sized by the descriptor" },
	{ "explore", DRV_VAR_FLAG, "NUT compatibility, no effect: every device gets the generic table" },
	{ "maxreport", DRV_VAR_FLAG, "NUT compatibility, no effect: reports are read one by one" },
	{ "notification", DRV_VAR_VALUE, "NUT compatibility, no effect" },
	{ "disable_fix_report_desc", DRV_VAR_FLAG, "NUT compatibility, no effect: no descriptor is patched" },
	{ "allow_duplicates", DRV_VAR_FLAG, "NUT compatibility, no effect" },
	{ "waitbeforereconnect", DRV_VAR_VALUE, "NUT compatibility, no effect" },
	{ "lbrb_log_delay_sec", DRV_VAR_VALUE, "NUT compatibility, no effect" },
	{ "interrupt_pipe_no_events_tolerance", DRV_VAR_VALUE, "NUT compatibility, no effect" },
	{ "replay", DRV_VAR_VALUE, "serve a recorded device directory instead of USB" },
	{ "replay_log", DRV_VAR_VALUE, "with replay: append every SET_REPORT to this file" },
};

static void
sink_set(void *ctx, const char *name, const char *value, int rw)
{
	struct drv *d = ctx;

	if (drv_setinfo(d, name, "%s", value) == 0 && rw)
		(void)drv_setflags(d, name, VT_RW | VT_STRING);
	if (rw)
		(void)drv_setaux(d, name, 10);
}

static void
sink_status(void *ctx, const char *const *tokens, size_t n, const char *const *alarms, size_t na)
{
	struct drv *d = ctx;

	drv_alarm_init(d);
	for (size_t i = 0; i < na; i++)
		drv_alarm_set(d, alarms[i]);
	drv_alarm_commit(d);
	drv_status_init(d);
	for (size_t i = 0; i < n; i++)
		drv_status_set(d, tokens[i]);
	drv_status_commit(d);
}

static struct hv_sink
sink_for(struct drv *d)
{
	return (struct hv_sink){ .ctx = d, .set = sink_set, .status = sink_status };
}

static int
parse_seconds(struct drv *d, const char *name, long def, long *out)
{
	const char *s = drv_getval(d, name);
	char *end;

	*out = def;
	if (s == NULL)
		return 0;
	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *out < 0 || *out > 86400) {
		log_warnx("%s = %s: expected seconds (0..86400)", name, s);
		return -1;
	}
	return 0;
}

static int
read_matcher(struct drv *d, struct usb_matcher *m)
{
	const char *values[UM_N];
	char err[256];

	for (int i = 0; i < UM_N; i++)
		values[i] = drv_getval(d, usbm_names[i]);
	if (usbm_init(m, values, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

/* Opens the transport: the recording, or the USB device the section matches. */
static struct usb_transport *
open_transport(struct drv *d, const struct usb_matcher *m)
{
	const char *replay = drv_getval(d, "replay");
	struct usb_transport *t;
	char err[256];

	if (replay == NULL) {
		if ((t = usbt_usb_open(drv_port(d), m, err, sizeof(err))) == NULL)
			log_warnx("%s", err);
		return t;
	}
	if ((t = usbt_replay_open(replay, U.setlog_fd, err, sizeof(err))) == NULL) {
		log_warnx("replay: %s", err);
		return NULL;
	}
	if (!usbm_match(m, &t->info)) {
		log_warnx("replay %s: the recorded device %04x:%04x does not match this section",
		    replay, t->info.vendorid, t->info.productid);
		t->ops->close(t);
		return NULL;
	}
	return t;
}

static int on_interrupt(struct drv *d, int fd, unsigned events, void *arg);

static int
on_interrupt_timer(struct drv *d, void *arg)
{
	return on_interrupt(d, -1, 0, arg);
}

static void
watch_interrupts(struct drv *d)
{
	int failed = 0;

	U.nfds = U.pollonly ? 0 : U.t->ops->pollfds(U.t, U.fds, sizeof(U.fds) / sizeof(U.fds[0]));
	for (int i = 0; i < U.nfds; i++) {
		unsigned ev = ((U.fds[i].events & POLLIN) ? DRV_WATCH_READ : 0) |
		    ((U.fds[i].events & POLLOUT) ? DRV_WATCH_WRITE : 0);

		if (drv_watch_add(d, U.fds[i].fd, ev, on_interrupt, NULL) == -1)
			failed = 1;
	}
	/* an fd the event loop cannot watch (not a device or pipe): look often */
	if (failed && (U.intr_timer = drv_timer_add(d, 250, 250, on_interrupt_timer, NULL)) != 0)
		log_info("interrupt reports: checked every 250 ms");
}

static void
unwatch_interrupts(struct drv *d)
{
	for (int i = 0; i < U.nfds; i++)
		drv_watch_del(d, U.fds[i].fd);
	U.nfds = 0;
	drv_timer_del(d, U.intr_timer);
	U.intr_timer = 0;
}

static void drop_device(struct drv *d);
static void reopen_schedule(struct drv *d);

/* The device went away: the data is stale until the reopen helper finds it again. */
static int
device_gone(struct drv *d)
{
	if (U.reopen == NULL) {
		log_warnx("the UPS is gone (unplugged or reset) and there is no reopen helper: "
		    "exiting with status 1, so that the service manager starts the driver again");
		drv_exit(d, 1);
		return DRV_EV_STALE;
	}
	log_warnx("the UPS is gone (unplugged or reset): data stale, asking the reopen helper "
	    "for it again");
	drop_device(d);
	U.reopen_ms = REOPEN_FIRST_MS;
	U.reopen_tries = 0;
	reopen_schedule(d);
	return DRV_EV_STALE;
}

static int
on_interrupt(struct drv *d, int fd, unsigned events, void *arg)
{
	uint8_t buf[HID_REPORT_MAX + 1];
	struct hv_sink s = sink_for(d);
	int n, got = 0;

	(void)fd;
	(void)events;
	(void)arg;
	if (!U.have_dev)
		return DRV_EV_NONE;
	/* everything waiting, a bounded number per wake-up */
	for (int i = 0; i < 64 && (n = U.t->ops->interrupt_read(U.t, buf, sizeof(buf))) != 0; i++) {
		int id;

		if (n == USBT_GONE)
			return device_gone(d);
		if (n < 0)
			break;
		if ((id = hdev_interrupt(&U.h, buf, (size_t)n)) >= 0) {
			log_debug("interrupt report 0x%02x, %d bytes", id, n);
			hv_interrupt(U.v, &s, id);
			got = 1;
		}
	}
	return got ? DRV_EV_OK : DRV_EV_NONE;
}

static void
publish_device(struct drv *d)
{
	const struct usb_devinfo *di = &U.t->info;

	(void)drv_setinfo(d, "device.type", "ups");
	struct sd_strings ss;

	subdriver_strings(U.sd, di, &ss);
	(void)drv_setinfo(d, "driver.version.data", "%s", U.sd->name);
	(void)drv_setinfo(d, "driver.version.usb", "%s", U.t->version);
	(void)drv_setinfo(d, "ups.vendorid", "%04x", di->vendorid);
	(void)drv_setinfo(d, "ups.productid", "%04x", di->productid);
	/* NUT publishes both names of each */
	if (ss.mfr[0] != '\0') {
		(void)drv_setinfo(d, "device.mfr", "%s", ss.mfr);
		(void)drv_setinfo(d, "ups.mfr", "%s", ss.mfr);
	}
	if (ss.model[0] != '\0') {
		(void)drv_setinfo(d, "device.model", "%s", ss.model);
		(void)drv_setinfo(d, "ups.model", "%s", ss.model);
	}
	if (ss.serial[0] != '\0') {
		(void)drv_setinfo(d, "device.serial", "%s", ss.serial);
		(void)drv_setinfo(d, "ups.serial", "%s", ss.serial);
	}
	if (ss.firmware[0] != '\0')
		(void)drv_setinfo(d, "ups.firmware", "%s", ss.firmware);
	if (ss.firmware_aux[0] != '\0')
		(void)drv_setinfo(d, "ups.firmware.aux", "%s", ss.firmware_aux);
	(void)drv_setinfo(d, "driver.parameter.pollfreq", "%ld", U.pollfreq);
}

static int attach_tables(struct drv *d);

/* Device, descriptor, tables: 0, or -1 (logged). */
static int
attach(struct drv *d, const struct usb_matcher *m)
{
	const char *want = drv_getval(d, "subdriver");

	if ((U.t = open_transport(d, m)) == NULL)
		return -1;
	if (want != NULL) {
		if ((U.sd = subdriver_by_name(want)) == NULL) {
			log_warnx("subdriver = %s: none by that name", want);
			return -1;
		}
	} else {
		U.sd = subdriver_for(U.t->info.vendorid);
	}
	if (parse_seconds(d, "offdelay", U.sd->offdelay ? U.sd->offdelay : DEFAULT_OFFDELAY,
	    &U.offdelay) == -1 ||
	    parse_seconds(d, "ondelay", U.sd->ondelay ? U.sd->ondelay : DEFAULT_ONDELAY,
	    &U.ondelay) == -1)
		return -1;
	if (U.ondelay <= U.offdelay && U.ondelay != 0)
		log_warnx("ondelay (%ld) should be greater than offdelay (%ld), as NUT asks",
		    U.ondelay, U.offdelay);
	return attach_tables(d);
}

/* The descriptor and the tables over the open transport: 0, or -1 (logged). */
static int
attach_tables(struct drv *d)
{
	char err[256];

	if (hdev_open(&U.h, U.t, U.sd->names, err, sizeof(err)) == -1) {
		log_warnx("%04x:%04x: %s", U.t->info.vendorid, U.t->info.productid, err);
		return -1;
	}
	U.have_dev = 1;
	if ((U.v = hv_new(&U.h, U.sd, U.offdelay, U.ondelay)) == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	hv_set_onlinedischarge(U.v, drv_testvar(d, "onlinedischarge"));
	if (!hv_is_ups(U.v)) {
		log_warnx("%04x:%04x: the descriptor has no Power Device usages: not a UPS interface",
		    U.t->info.vendorid, U.t->info.productid);
		return -1;
	}
	log_info("%04x:%04x %s: subdriver %s, %zu fields", U.t->info.vendorid,
	    U.t->info.productid, U.t->info.product, U.sd->name, U.h.desc->nfields);
	return 0;
}

/* Forgets the device: watches, tables, descriptor, the USB handle and fd. */
static void
drop_device(struct drv *d)
{
	unwatch_interrupts(d);
	hv_free(U.v);
	U.v = NULL;
	if (U.have_dev)
		hdev_close(&U.h);
	U.have_dev = 0;
	usbt_usb_release(U.t);
}

static int
on_reopen_timer(struct drv *d, void *arg)
{
	(void)arg;
	U.reopen_timer = 0;
	if (U.have_dev || U.reopen_asked)
		return DRV_EV_NONE;
	if (msg_send(U.reopen, USBR_REOPEN, NULL, 0, -1) != 0 || msg_flush(U.reopen) == -1) {
		log_warnx("reopen helper: cannot ask it: %s: exiting with status 1",
		    msg_error(U.reopen)[0] != '\0' ? msg_error(U.reopen) : strerror(errno));
		drv_exit(d, 1);
		return DRV_EV_STALE;
	}
	U.reopen_asked = 1;
	U.reopen_tries++;
	return DRV_EV_NONE;
}

/* The next question to the helper, after the back-off (doubling up to 30 s). */
static void
reopen_schedule(struct drv *d)
{
	drv_timer_del(d, U.reopen_timer);
	U.reopen_timer = drv_timer_add(d, U.reopen_ms, 0, on_reopen_timer, NULL);
	U.reopen_ms = U.reopen_ms * 2 > REOPEN_MAX_MS ? REOPEN_MAX_MS : U.reopen_ms * 2;
}

/* The fd the helper passed: wrap it, read the descriptor again, resume. */
static int
reattach(struct drv *d, int fd, const struct usbr_device *where)
{
	struct hv_sink s = sink_for(d);
	char err[256];

	if (usbt_usb_reopen(U.t, fd, err, sizeof(err)) != 0) {
		log_warnx("reopen: %s", err);
		return -1;
	}
	snprintf(U.t->info.bus, sizeof(U.t->info.bus), "%03u", (unsigned)(where->busnum % 1000));
	snprintf(U.t->info.device, sizeof(U.t->info.device), "%03u",
	    (unsigned)(where->devnum % 1000));
	if (attach_tables(d) != 0 || hv_update(U.v, &s, 0) != 0) {
		drop_device(d);
		return -1;
	}
	U.last_full = time(NULL);
	watch_interrupts(d);
	log_notice("the UPS is back on bus %s device %s after %d request%s: serving again",
	    U.t->info.bus, U.t->info.device, U.reopen_tries, U.reopen_tries == 1 ? "" : "s");
	return 0;
}

/* A reply (or the end) on the helper's channel. */
static int
on_reopen_reply(struct drv *d, int fd, unsigned events, void *arg)
{
	struct msg m;
	ssize_t n;
	int r, rc = DRV_EV_NONE;

	(void)fd;
	(void)events;
	(void)arg;
	n = msg_read(U.reopen);
	if (n < 0 && errno == EAGAIN && msg_error(U.reopen)[0] == '\0')
		return DRV_EV_NONE;
	while (n > 0 && (r = msg_get(U.reopen, &m)) == 1) {
		U.reopen_asked = 0;
		if (m.type == USBR_DEVICE && !U.have_dev) {
			struct usbr_device where;

			memcpy(&where, m.data, sizeof(where));	/* the table fixed its size */
			if (reattach(d, m.fd, &where) == 0) {
				rc = DRV_EV_OK;
				continue;
			}
		} else if (m.type == USBR_DEVICE) {
			close(m.fd);	/* an answer we no longer wait for */
			continue;
		} else {
			int32_t code;

			memcpy(&code, m.data, sizeof(code));
			if (U.reopen_tries == 1 || log_get_level() > 0)
				log_info("reopen: the UPS is not back yet (%s); asking again, "
				    "backing off to every %lu s", strerror(code), REOPEN_MAX_MS / 1000);
		}
		if (!U.have_dev)
			reopen_schedule(d);
		rc = DRV_EV_STALE;
	}
	if (n <= 0 || msg_error(U.reopen)[0] != '\0') {
		const char *why = n == 0 ? "it is gone" : msg_error(U.reopen);

		drv_watch_del(d, msg_chan_fd(U.reopen));
		if (U.have_dev) {
			log_warnx("reopen helper: %s: the driver serves on, but will exit with "
			    "status 1 if the UPS goes away", why);
			msg_chan_free(U.reopen);
			U.reopen = NULL;
			return DRV_EV_NONE;
		}
		log_warnx("reopen helper: %s: exiting with status 1", why);
		drv_exit(d, 1);
		return DRV_EV_STALE;
	}
	return rc;
}

/* The helper, forked while we are still root, and its channel watched. 0 or -1. */
static int
start_reopen_helper(struct drv *d, const struct usb_matcher *m)
{
	char err[256];

	if ((U.reopen = usbr_start(m, drv_sandbox_action(d), &U.reopen_pid, err,
	    sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	if (drv_watch_add(d, msg_chan_fd(U.reopen), DRV_WATCH_READ, on_reopen_reply, NULL) != 0)
		return -1;
	log_info("reopen helper started (pid %ld)", (long)U.reopen_pid);
	return 0;
}

static int
usbhid_init(struct drv *d)
{
	struct usb_matcher m;
	const char *logpath = drv_getval(d, "replay_log");
	struct hv_sink s = sink_for(d);
	int rc;

	U.d = d;
	if (parse_seconds(d, "pollfreq", DEFAULT_POLLFREQ, &U.pollfreq) == -1)
		return -1;
	U.pollonly = drv_testvar(d, "pollonly");
	if (logpath != NULL && (U.setlog_fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0600)) == -1) {
		log_warn("replay_log %s", logpath);
		return -1;
	}
	if (read_matcher(d, &m) == -1)
		return -1;
	rc = attach(d, &m);
	if (rc == 0 && drv_getval(d, "replay") == NULL)
		rc = start_reopen_helper(d, &m);
	usbm_free(&m);
	if (rc == -1)
		return -1;
	if (drv_getval(d, "replay") == NULL)
		(void)drv_sandbox_role(d, "driver-usb");
	publish_device(d);
	for (size_t i = 0; hv_cmd_name(U.v, i) != NULL; i++)
		(void)drv_addcmd(d, hv_cmd_name(U.v, i));
	if (hv_update(U.v, &s, 0) != 0)
		return -1;
	U.last_full = time(NULL);
	watch_interrupts(d);
	return 0;
}

static int
usbhid_update(struct drv *d)
{
	struct hv_sink s = sink_for(d);
	time_t now = time(NULL);
	int quick = now - U.last_full < U.pollfreq;

	if (!U.have_dev)
		return -1;
	switch (hv_update(U.v, &s, quick)) {
	case 0:
		break;
	case USBT_GONE:
		return device_gone(d);
	default:
		log_warnx("the device does not answer");
		return -1;
	}
	/* interrupt reports that completed while the poll's transfers ran */
	(void)on_interrupt(d, -1, 0, NULL);
	if (!U.have_dev)
		return -1;	/* gone meanwhile: the helper is being asked */
	if (!quick)
		U.last_full = now;
	return 0;
}

static int
status_of(int rc)
{
	switch (rc) {
	case 0: return SP_STATUS_HANDLED;
	case -1: return SP_STATUS_UNKNOWN;
	case -3: return SP_STATUS_INVALID;
	default: return SP_STATUS_FAILED;
	}
}

static int
usbhid_instcmd(struct drv *d, const char *cmd, const char *param)
{
	int rc;

	(void)d;
	if (!U.have_dev) {
		log_warnx("instant command %s: the UPS is gone (waiting for it to come back)", cmd);
		return SP_STATUS_FAILED;
	}
	rc = hv_instcmd(U.v, cmd, param);
	if (rc == 0)
		log_info("instant command %s%s%s done", cmd, param ? " " : "", param ? param : "");
	else if (rc != -1)
		log_warnx("instant command %s failed", cmd);
	return status_of(rc);
}

static int
usbhid_setvar(struct drv *d, const char *var, const char *value)
{
	struct hv_sink s = sink_for(d);

	if (!U.have_dev)
		return SP_STATUS_FAILED;
	return status_of(hv_setvar(U.v, &s, var, value));
}

static int
usbhid_shutdown(struct drv *d)
{
	(void)d;
	if (!U.have_dev || hv_killpower(U.v) == -1) {
		log_warnx("shutdown: the UPS took none of shutdown.return, shutdown.stayoff, load.off.delay");
		return -1;
	}
	log_info("shutdown: the load goes off in %ld seconds", U.offdelay);
	return 0;
}

static void
usbhid_cleanup(struct drv *d)
{
	if (U.reopen != NULL) {
		drv_watch_del(d, msg_chan_fd(U.reopen));
		msg_chan_free(U.reopen);	/* the helper sees the end and exits */
		U.reopen = NULL;
	}
	drv_timer_del(d, U.reopen_timer);
	U.reopen_timer = 0;
	if (U.t != NULL)
		unwatch_interrupts(d);
	hv_free(U.v);
	U.v = NULL;
	if (U.have_dev)
		hdev_close(&U.h);
	U.have_dev = 0;
	if (U.t != NULL)
		U.t->ops->close(U.t);
	U.t = NULL;
	if (U.setlog_fd != -1)
		close(U.setlog_fd);
	U.setlog_fd = -1;
}

static const struct driver_ops usbhid_ops = {
	.name = "usbhid-ups",
	.version = USBHID_VERSION,
	.vartable = usbhid_vars,
	.nvartable = sizeof(usbhid_vars) / sizeof(usbhid_vars[0]),
	.init = usbhid_init,
	.update = usbhid_update,
	.shutdown = usbhid_shutdown,
	.instcmd = usbhid_instcmd,
	.setvar = usbhid_setvar,
	.cleanup = usbhid_cleanup,
};

/* --dump: no daemon, no ups.conf; -x name=value for matching and subdriver. */
static int
dump_main(int argc, char **argv)
{
	const char *replay = NULL, *values[UM_N] = { 0 }, *subdriver = NULL;
	const struct subdriver *sd;
	struct usb_transport *t;
	struct usb_matcher m;
	char err[256];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dump") == 0)
			continue;
		if (strcmp(argv[i], "--replay") == 0 && i + 1 < argc) {
			replay = argv[++i];
		} else if (strcmp(argv[i], "-x") == 0 && i + 1 < argc) {
			const char *x = argv[++i];
			int k;

			for (k = 0; k < UM_N; k++) {
				size_t n = strlen(usbm_names[k]);

				if (strncmp(x, usbm_names[k], n) == 0 && x[n] == '=') {
					values[k] = x + n + 1;
					break;
				}
			}
			if (k == UM_N && strncmp(x, "subdriver=", 10) == 0)
				subdriver = x + 10;
			else if (k == UM_N) {
				fprintf(stderr, "usbhid-ups --dump: -x %s: unknown\n", x);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: usbhid-ups [--replay DIR] --dump [-x name=value]...\n");
			return 2;
		}
	}
	if (usbm_init(&m, values, err, sizeof(err)) == -1) {
		fprintf(stderr, "usbhid-ups: %s\n", err);
		return 1;
	}
	t = replay != NULL ? usbt_replay_open(replay, -1, err, sizeof(err)) :
	    usbt_usb_open("auto", &m, err, sizeof(err));
	usbm_free(&m);
	if (t == NULL) {
		fprintf(stderr, "usbhid-ups: %s\n", err);
		return 1;
	}
	sd = subdriver != NULL ? subdriver_by_name(subdriver) : subdriver_for(t->info.vendorid);
	if (sd == NULL) {
		fprintf(stderr, "usbhid-ups: subdriver %s: none by that name\n", subdriver);
		t->ops->close(t);
		return 1;
	}
	rc = usbhid_dump(t, sd, stdout);
	t->ops->close(t);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--dump") == 0)
			return dump_main(argc, argv);
	return drv_main(argc, argv, &usbhid_ops);
}
