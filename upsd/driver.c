/*
 * nutsec - driver.c: upsd's connection to each driver's Unix socket
 * (<statepath>/<driver>-<ups>, reached relative to the state path, which
 * is upsd's working directory). On connect upsd asks for DUMPALL and shows
 * ups.status "WAIT" until data arrives; it pings when the driver has been
 * quiet for MAXAGE/3 seconds; staleness follows NUT (silent for more than
 * MAXAGE+1 s, or DATASTALE after the dump); a disconnect drops the whole
 * tree and a reconnect is tried every tick, with failures logged rarely.
 * The driver is trusted no more than a client: every line is parsed by
 * sockproto and bounded by vartree's limits.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ev.h"
#include "log.h"
#include "sockproto.h"
#include "tok.h"
#include "vartree.h"
#include "xmalloc.h"

#include "upsd.h"

#define DRV_LINE_MAX	4096		/* longest driver line */
#define DRV_IN_CAP	(256u * 1024)
#define DRV_OUT_CAP	(64u * 1024)
#define DRV_FAIL_LOG_MS	300000u		/* connect failures: one log per 5 min */
#define DRV_RESYNC_MS	5000u		/* lost live updates: one DUMPALL per 5 s */
#define DRV_BYTES_MAX	(1024u * 1024)	/* a driver's mirror: names, values, lists */
#define DRV_ITEM_COST	32u		/* bookkeeping counted per name, value, item */

enum { REP_UNKNOWN, REP_OK, REP_STALE };

static struct tok *dtok;

static void driver_cb(int fd, unsigned events, void *arg);
static void driver_close(struct ups *u);
static void driver_resync_now(struct ups *u);

void
driver_init(struct ups *u)
{
	static const struct log_ratelimit bad = LOG_RATELIMIT_INIT(60, 10),
	    bytes = LOG_RATELIMIT_INIT(60, 5), conn = LOG_RATELIMIT_INIT(60, 10);

	u->drv.fd = -1;
	u->drv.in = buf_new(DRV_IN_CAP);
	u->drv.out = buf_new(DRV_OUT_CAP);
	u->drv.bad_rl = bad;
	u->drv.bytes_rl = bytes;
	u->drv.conn_rl = conn;
}

void
driver_fini(struct ups *u)
{
	if (u->drv.fd >= 0)
		driver_close(u);
	buf_free(u->drv.in);
	buf_free(u->drv.out);
	u->drv.in = u->drv.out = NULL;
}

void
driver_global_fini(void)
{
	tok_free(dtok);
	dtok = NULL;
}

int
driver_connected(const struct ups *u)
{
	return u->drv.fd >= 0;
}

int
driver_stale(const struct ups *u)
{
	uint64_t elapsed = ev_now() - u->drv.last_heard;
	uint64_t maxage_ms = (uint64_t)state_conf()->maxage * 1000;

	if (u->drv.fd < 0)
		return 1;
	if (elapsed > maxage_ms + 1000)
		return 1;
	return u->drv.dumpdone && u->drv.datastale;
}

/* Closes the connection and drops the mirror, without a word. */
static void
driver_close(struct ups *u)
{
	ev_fd_del(u->drv.fd);
	close(u->drv.fd);
	u->drv.fd = -1;
	buf_reset(u->drv.in);
	buf_reset(u->drv.out);
	/* The mirror is only as good as the connection: drop it. */
	vt_clear(u->tree);
	u->drv.gen++;
	u->drv.bytes = 0;
	u->drv.dumpdone = u->drv.datastale = 0;
	u->drv.reported = REP_UNKNOWN;
	u->drv.last_fail_log = 0;
	u->drv.resync = 0;
}

void
driver_disconnect(struct ups *u, const char *why)
{
	if (u->drv.fd < 0)
		return;
	/* A driver that connects and drops in a loop: not two lines a second. */
	if (log_ratelimit(&u->drv.conn_rl))
		log_warnx("UPS [%s]: driver connection lost (%s)", u->name, why);
	driver_close(u);
}

/* Sends what is queued. 0, or -1 after disconnecting. */
static int
driver_flush(struct ups *u)
{
	if (buf_write_fd(u->drv.out, u->drv.fd) < 0) {
		driver_disconnect(u, strerror(errno));
		return -1;
	}
	if (ev_fd_set(u->drv.fd, EV_READ | (buf_len(u->drv.out) > 0 ? EV_WRITE : 0)) != 0) {
		driver_disconnect(u, "event loop error");
		return -1;
	}
	return 0;
}

/* "" until a chroot moves the state path away from the working directory. */
static char sockdir[4096];

void
driver_set_sockdir(const char *dir)
{
	if (dir == NULL || strcmp(dir, "/") == 0 || str_printf(sockdir, sizeof(sockdir),
	    "%s", dir) < 0)
		sockdir[0] = '\0';
}

static void
driver_connect(struct ups *u)
{
	char path[4096 + 256];
	uint64_t now = ev_now();
	int fd;

	if (sockdir[0] == '\0' || str_printf(path, sizeof(path), "%s/%s", sockdir,
	    u->sockname) < 0)
		(void)str_printf(path, sizeof(path), "%s", u->sockname);
	fd = net_connect_unix(path, 1);
	if (fd < 0) {
		if (!u->drv.failing || now - u->drv.last_fail_log >= DRV_FAIL_LOG_MS) {
			log_warn("UPS [%s]: cannot connect to driver socket %s/%s",
			    u->name, state_statepath(), u->sockname);
			u->drv.last_fail_log = now;
		}
		u->drv.failing = 1;
		return;
	}
	if (ev_fd_add(fd, EV_READ, driver_cb, u) != 0) {
		log_warn("UPS [%s]: cannot watch the driver socket", u->name);
		close(fd);
		return;
	}
	u->drv.fd = fd;
	u->drv.failing = 0;
	u->drv.dumpdone = u->drv.datastale = 0;
	u->drv.last_heard = u->drv.last_ping = now;
	u->drv.reported = REP_UNKNOWN;
	vt_clear(u->tree);
	u->drv.gen++;
	u->drv.bytes = 0;
	(void)vt_set(u->tree, "ups.status", "WAIT", NULL);
	if (log_ratelimit(&u->drv.conn_rl))
		log_notice("UPS [%s]: connected to driver socket %s", u->name, u->sockname);
	if (sp_put_verb(u->drv.out, SP_DUMPALL) != 0)
		driver_disconnect(u, "output buffer full");
	else
		(void)driver_flush(u);
}

/* Logs the stale/ok transition once, as NUT does. */
static void
driver_report(struct ups *u)
{
	int now_state = driver_stale(u) ? REP_STALE : REP_OK;

	if (now_state == u->drv.reported)
		return;
	if (now_state == REP_STALE)
		log_warnx("Data for UPS [%s] is stale - check driver", u->name);
	else if (u->drv.reported == REP_STALE)
		log_notice("UPS [%s] data is no longer stale", u->name);
	u->drv.reported = now_state;
}

void
driver_tick(struct ups *u)
{
	uint64_t now = ev_now();
	uint64_t third = (uint64_t)(state_conf()->maxage / 3) * 1000;

	if (u->drv.fd < 0) {
		driver_connect(u);
		return;
	}
	if (now - u->drv.last_heard > third && now - u->drv.last_ping > third) {
		u->drv.last_ping = now;
		if (sp_put_verb(u->drv.out, SP_PING) != 0) {
			driver_disconnect(u, "output buffer full");
			return;
		}
		if (driver_flush(u) != 0)
			return;
	}
	driver_resync_now(u);
	if (u->drv.fd >= 0)
		driver_report(u);
}

/* What a variable costs in the mirror (NULL: nothing). */
static size_t
var_bytes(const struct vt_var *v)
{
	size_t n, i;

	if (v == NULL)
		return 0;
	n = strlen(vt_name(v)) + strlen(vt_value(v)) + 2 * DRV_ITEM_COST +
	    vt_range_count(v) * DRV_ITEM_COST;
	for (i = 0; i < vt_enum_count(v); i++)
		n += strlen(vt_enum_at(v, i)) + DRV_ITEM_COST;
	return n;
}

/* The most m can add to the mirror. */
static size_t
msg_growth(const struct ups *u, const struct sp_msg *m)
{
	const struct vt_var *v;

	switch (m->verb) {
	case SP_SETINFO:
		v = vt_get(u->tree, m->name);
		return strlen(m->value) + (v != NULL ? 0 : strlen(m->name) + 2 * DRV_ITEM_COST);
	case SP_ADDENUM:
		return strlen(m->value) + DRV_ITEM_COST;
	case SP_ADDRANGE:
		return DRV_ITEM_COST;
	case SP_ADDCMD:
		return strlen(m->name) + DRV_ITEM_COST;
	default:
		return 0;
	}
}

/*
 * The mirror of one driver is bounded as a whole (vartree bounds each part:
 * 4096 variables, 256 enum values each, ... which would allow hundreds of
 * MB). 1 if m would take it past DRV_BYTES_MAX (logged).
 */
static int
driver_over_limit(struct ups *u, const struct sp_msg *m)
{
	size_t grow = msg_growth(u, m);

	if (grow == 0 || u->drv.bytes + grow <= DRV_BYTES_MAX)
		return 0;
	if (log_ratelimit(&u->drv.bytes_rl))
		log_warnx("UPS [%s]: the driver's data would exceed %u bytes (names, values, "
		    "enum and range lists): %s %s refused", u->name, DRV_BYTES_MAX,
		    sp_verb_name(m->verb), m->name ? m->name : "");
	return 1;
}

/* Keeps u->drv.bytes in step: the size of what m touched, before and after. */
static size_t
msg_touched(const struct ups *u, const struct sp_msg *m)
{
	if (m->verb == SP_ADDCMD || m->verb == SP_DELCMD)
		return vt_cmd_count(u->tree) * (strlen(m->name) + DRV_ITEM_COST);
	return m->name != NULL ? var_bytes(vt_get(u->tree, m->name)) : 0;
}

/* Applies one message; returns 1 if it counts as hearing from the driver. */
static int
driver_apply(struct ups *u, const struct sp_msg *m)
{
	struct vt_var *v = NULL;
	int rc = 0;

	switch (m->verb) {
	case SP_SETINFO:
		if (vt_set(u->tree, m->name, m->value, NULL) == NULL)
			rc = -1;
		break;
	case SP_DELINFO:
		(void)vt_del(u->tree, m->name);
		break;
	case SP_ADDENUM:
	case SP_DELENUM:
	case SP_ADDRANGE:
	case SP_DELRANGE:
	case SP_SETAUX:
	case SP_SETFLAGS:
		if ((v = vt_get(u->tree, m->name)) == NULL) {
			rc = -1;
			break;
		}
		if (m->verb == SP_ADDENUM)
			rc = vt_enum_add(v, m->value);
		else if (m->verb == SP_DELENUM)
			(void)vt_enum_del(v, m->value);
		else if (m->verb == SP_ADDRANGE)
			rc = vt_range_add(v, m->min, m->max);
		else if (m->verb == SP_DELRANGE)
			(void)vt_range_del(v, m->min, m->max);
		else if (m->verb == SP_SETAUX)
			vt_set_aux(v, m->num);
		else
			vt_set_flags(v, m->flags);
		break;
	case SP_ADDCMD:
		rc = vt_cmd_add(u->tree, m->name);
		break;
	case SP_DELCMD:
		(void)vt_cmd_del(u->tree, m->name);
		break;
	case SP_DATAOK:
		u->drv.datastale = 0;
		break;
	case SP_DATASTALE:
		u->drv.datastale = 1;
		break;
	case SP_DUMPDONE:
		if (!u->drv.dumpdone)
			log_debug("UPS [%s]: driver dump complete", u->name);
		u->drv.dumpdone = 1;
		break;
	case SP_PONG:
		break;
	case SP_TRACKING:
		tracking_result(u, m->tracking, (int)m->num);
		break;
	default:
		return 0;	/* PID, OK Goodbye, requests: nothing for upsd */
	}
	if (rc != 0 && log_ratelimit(&u->drv.bad_rl))
		log_warnx("UPS [%s]: driver sent %s %s that could not be applied "
		    "(unknown variable or a limit reached)", u->name,
		    sp_verb_name(m->verb), m->name ? m->name : "");
	return 1;
}

/*
 * NUT's drivers send live SETINFO/ADDENUM/DELENUM values unescaped inside
 * quotes (NUT bug 5), so a value holding a quote or a backslash arrives as
 * a line that does not parse. The driver is then asked for a full dump,
 * which it escapes properly (NUT 2.8.0 drivers know no DUMPVALUE), at most
 * once per DRV_RESYNC_MS. Returns 0 if the line was such an update.
 */
static int
driver_resync(struct ups *u, const char *line, size_t len)
{
	static const char *const verbs[] = { "SETINFO ", "ADDENUM ", "DELENUM " };
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (len > strlen(verbs[i]) && strncmp(line, verbs[i], strlen(verbs[i])) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return -1;
	if (!u->drv.resync)
		log_debug("UPS [%s]: unparsable live update; the driver will dump again",
		    u->name);
	u->drv.resync = 1;
	return 0;
}

/* Sends the DUMPALL a lost update asked for, when the interval allows. */
static void
driver_resync_now(struct ups *u)
{
	uint64_t now = ev_now();

	if (!u->drv.resync || (u->drv.last_resync != 0 &&
	    now - u->drv.last_resync < DRV_RESYNC_MS))
		return;
	u->drv.resync = 0;
	u->drv.last_resync = now;
	if (sp_put_verb(u->drv.out, SP_DUMPALL) != 0)
		driver_disconnect(u, "output buffer full");
	else
		(void)driver_flush(u);
}

static void
driver_line(struct ups *u, const char *line, size_t len)
{
	struct sp_msg m;
	const char *err = NULL;
	size_t before, after;
	int heard;

	if (tok_split(dtok, line, len) != TOK_LINE) {
		if (driver_resync(u, line, len) != 0 && log_ratelimit(&u->drv.bad_rl))
			log_warnx("UPS [%s]: bad line from driver: %s", u->name,
			    tok_error(dtok));
		return;
	}
	if (tok_argc(dtok) == 0)
		return;
	if (sp_parse((int)tok_argc(dtok), tok_argv(dtok), &m, &err) != 0) {
		if (driver_resync(u, line, len) != 0 && log_ratelimit(&u->drv.bad_rl))
			log_warnx("UPS [%s]: driver sent '%s': %s", u->name,
			    tok_argv(dtok)[0], err);
		return;
	}
	if (driver_over_limit(u, &m)) {
		u->drv.last_heard = ev_now();
		return;
	}
	before = msg_touched(u, &m);
	heard = driver_apply(u, &m);
	after = msg_touched(u, &m);
	u->drv.bytes = after >= before ? u->drv.bytes + (after - before) :
	    u->drv.bytes > before - after ? u->drv.bytes - (before - after) : 0;
	if (heard)
		u->drv.last_heard = ev_now();
}

static void
driver_read(struct ups *u)
{
	size_t len;
	ssize_t n;
	int r;

	n = buf_read_fd(u->drv.in, u->drv.fd, 16384);
	if (n == 0) {
		driver_disconnect(u, "driver closed the socket");
		return;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		driver_disconnect(u, strerror(errno));
		return;
	}
	if (dtok == NULL)
		dtok = tok_new(TOK_DEFAULT_MAX_ARGS, TOK_DEFAULT_MAX_WORD);
	while ((r = buf_line(u->drv.in, DRV_LINE_MAX, &len)) == 1) {
		driver_line(u, buf_peek(u->drv.in), len);
		if (u->drv.fd < 0)
			return;		/* a write to the driver failed: all dropped */
		buf_consume(u->drv.in, len);
	}
	if (r < 0) {
		driver_disconnect(u, "line too long");
		return;
	}
	driver_resync_now(u);
}

static void
driver_cb(int fd, unsigned events, void *arg)
{
	struct ups *u = arg;

	if ((events & EV_WRITE) && driver_flush(u) != 0)
		return;
	if (events & (EV_READ | EV_ERROR))
		driver_read(u);
	if (u->drv.fd >= 0)
		driver_report(u);
}

int
driver_send_set(struct ups *u, const char *var, const char *value, const char *tracking)
{
	if (u->drv.fd < 0 || sp_put_set(u->drv.out, var, value, tracking) != 0)
		return -1;
	return driver_flush(u);
}

int
driver_send_instcmd(struct ups *u, const char *cmd, const char *param,
    const char *tracking)
{
	if (u->drv.fd < 0 || sp_put_instcmd(u->drv.out, cmd, param, tracking) != 0)
		return -1;
	return driver_flush(u);
}
