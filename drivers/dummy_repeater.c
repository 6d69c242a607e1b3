/*
 * nutsec - dummy_repeater.c: dummy-ups' repeater mode. The driver is a
 * network client of another upsd (port = ups@host[:port]) and copies
 * LIST VAR of that UPS every cycle, driver.* excepted, with the same
 * metadata rules as a data file. A failure drops the connection and marks
 * the data stale; the next cycle reconnects. Calls are blocking with
 * short deadlines (the client library's): each line within
 * REPEATER_TIMEOUT_MS and each whole operation (connect with STARTTLS, a
 * LIST to its END) within REPEATER_OP_TIMEOUT_MS, so a dead or dribbling
 * upstream delays a cycle by seconds and never hangs the driver.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "driver.h"
#include "dummy.h"
#include "log.h"
#include "upsclient.h"
#include "xmalloc.h"

#define REPEATER_DEFAULT_PORT 3493
#define REPEATER_TIMEOUT_MS 3000
#define REPEATER_OP_TIMEOUT_MS (3 * REPEATER_TIMEOUT_MS)

static struct {
	struct upscli *c;
	char *ups, *host;
	unsigned port;
	int connected;
	int failing;		/* a failure was logged; log the recovery */
} rep;

static void
lost(const char *what)
{
	if (!rep.failing)
		log_warnx("repeater: %s %s@%s:%u: %s", what, rep.ups, rep.host, rep.port,
		    upscli_strerror(rep.c));
	rep.failing = 1;
	if (rep.connected)
		upscli_disconnect(rep.c);
	rep.connected = 0;
}

static int
copy_vars(struct drv *d)
{
	const char *q[2] = { "VAR", rep.ups };
	int saw_alarm = 0, r;
	size_t argc;
	char **argv;

	if (upscli_list_start(rep.c, 2, q) < 0)
		return -1;
	while ((r = upscli_list_next(rep.c, 2, q, &argc, &argv)) == 1) {
		if (argc < 4 || strncasecmp(argv[2], "driver.", 7) == 0)
			continue;
		/* ups.alarm goes through the alarm builder so ALARM stays in ups.status. */
		if (strcasecmp(argv[2], "ups.alarm") == 0) {
			drv_alarm_init(d);
			drv_alarm_set(d, argv[3]);
			drv_alarm_commit(d);
			saw_alarm = 1;
			continue;
		}
		if (dummy_apply(d, argv[2], argv[3]) < 0)
			log_debug("repeater: %s not copied", argv[2]);
	}
	if (r < 0)
		return -1;
	if (!saw_alarm) {
		drv_alarm_init(d);
		drv_alarm_commit(d);
	}
	return 0;
}

int
repeater_update(struct drv *d)
{
	if (!rep.connected) {
		if (upscli_connect(rep.c, rep.host, rep.port) < 0) {
			lost("cannot connect to");
			return -1;
		}
		rep.connected = 1;
	}
	if (copy_vars(d) < 0) {
		lost("lost");
		return -1;
	}
	if (rep.failing)
		log_notice("repeater: %s@%s:%u answers again", rep.ups, rep.host, rep.port);
	rep.failing = 0;
	return 0;
}

int
repeater_init(struct drv *d, const char *target, int strict)
{
	struct upscli_opts o;
	char err[256];

	if (upscli_splitname(target, REPEATER_DEFAULT_PORT, &rep.ups, &rep.host, &rep.port,
	    err, sizeof(err)) < 0) {
		log_warnx("port = %s: %s (expected ups@host[:port])", target, err);
		return -1;
	}
	upscli_opts_init(&o);
	o.connect_timeout_ms = REPEATER_TIMEOUT_MS;
	o.read_timeout_ms = REPEATER_TIMEOUT_MS;
	o.op_timeout_ms = REPEATER_OP_TIMEOUT_MS;
	/* NSS reads its database and loads modules when it opens: now,
	 * before the chroot and the sandbox, not at the first STARTTLS. */
	if (upscli_tls_preinit(&o, err, sizeof(err)) < 0) {
		log_warnx("repeater: TLS: %s", err);
		return -1;
	}
	rep.c = upscli_new(&o);
	/* Reconnects happen inside the jail, where names cannot be resolved:
	 * resolve the upstream host now and keep its addresses. */
	if (upscli_preresolve(rep.c, rep.host, rep.port) < 0) {
		log_warnx("repeater: %s: %s", rep.host, upscli_strerror(rep.c));
		return -1;
	}
	if (repeater_update(d) < 0 && strict) {
		log_warnx("repeater: %s is not reachable at start (set "
		    "repeater_disable_strict_start to start anyway)", target);
		return -1;
	}
	return 0;
}

void
repeater_cleanup(void)
{
	upscli_close(rep.c);
	rep.c = NULL;
	free(rep.ups);
	free(rep.host);
	rep.ups = rep.host = NULL;
	rep.connected = 0;
}
