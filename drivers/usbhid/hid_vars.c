/*
 * nutsec - hid_vars.c: a subdriver table on a device (hid_vars.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hid_vars.h"

#define HV_MAX 512	/* resolved entries; the tables have fewer */

struct active {
	const struct hid_map *m;
	const struct hid_field *f;	/* where it is read (or written) */
	const struct hid_field *fi;	/* the Input field of the same path, for interrupts */
	int value;			/* status: the last bit read, -1 unknown */
};

struct hvars {
	struct hdev *h;
	const struct subdriver *sd;
	struct active a[HV_MAX];
	size_t n;
	int first_done;
	long offdelay, ondelay;
	int deep_test;			/* the last test started was a deep one: CAL while it runs */
	int test_running;
	int onlinedischarge;
	const char *cmds[HV_MAX];
	size_t ncmds;
};

static int
denied(const struct subdriver *sd, const char *path)
{
	for (const struct hid_map *m = sd->map; m->path != NULL; m++)
		if (m->kind == M_DENY && strcmp(m->path, path) == 0)
			return 1;
	return 0;
}

static int
has_name(const struct hvars *v, int kind, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->a[i].m->kind == kind && strcmp(v->a[i].m->name, name) == 0)
			return 1;
	return 0;
}

static void
resolve(struct hvars *v, const struct hid_map *table)
{
	for (const struct hid_map *m = table; m->path != NULL && v->n < HV_MAX; m++) {
		const struct hid_field *f;

		if (m->kind == M_DENY || denied(v->sd, m->path))
			continue;
		if (m->kind != M_STATUS && has_name(v, m->kind, m->name))
			continue;	/* an earlier entry won */
		f = hdev_find(v->h, m->path, m->kind == M_CMD);
		if (f == NULL)
			continue;
		v->a[v->n].m = m;
		v->a[v->n].f = f;
		v->a[v->n].fi = NULL;
		v->a[v->n].value = -1;
		for (size_t i = 0; i < v->h->desc->nfields; i++)
			if (v->h->desc->fields[i].type == HID_INPUT &&
			    strcmp(hdev_path(v->h, i), m->path) == 0)
				v->a[v->n].fi = &v->h->desc->fields[i];
		if (m->kind == M_CMD)
			v->cmds[v->ncmds++] = m->name;
		v->n++;
	}
}

struct hvars *
hv_new(struct hdev *h, const struct subdriver *sd, long offdelay, long ondelay)
{
	struct hvars *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->h = h;
	v->sd = sd;
	v->offdelay = offdelay;
	v->ondelay = ondelay;
	resolve(v, sd->map);
	if (sd->map != hid_map_generic)
		resolve(v, hid_map_generic);
	/* composites NUT offers when their parts exist */
	if (has_name(v, M_CMD, "load.off.delay")) {
		if (!has_name(v, M_CMD, "shutdown.return") && has_name(v, M_CMD, "load.on.delay"))
			v->cmds[v->ncmds++] = "shutdown.return";
		if (!has_name(v, M_CMD, "shutdown.stayoff"))
			v->cmds[v->ncmds++] = "shutdown.stayoff";
	}
	return v;
}

void
hv_free(struct hvars *v)
{
	free(v);
}

void
hv_set_onlinedischarge(struct hvars *v, int on)
{
	v->onlinedischarge = on;
}

const char *
hv_cmd_name(const struct hvars *v, size_t i)
{
	return i < v->ncmds ? v->cmds[i] : NULL;
}

int
hv_is_ups(const struct hvars *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->a[i].m->kind == M_STATUS || (v->a[i].m->kind == M_VAR &&
		    strcmp(v->a[i].m->name, "battery.charge") == 0))
			return 1;
	return 0;
}

static const char *
lookup(const char *const *names, size_t n, long v)
{
	return v >= 0 && (size_t)v < n ? names[v] : NULL;
}

/* The text of a variable's value; NULL to leave it out. */
static const char *
format(struct hvars *v, const struct hid_map *m, double x, char *buf, size_t len)
{
	static const char *const beeper[] = { NULL, "disabled", "enabled", "muted" };
	static const char *const pcm_beeper[] = { NULL, "enabled", "disabled" };
	static const char *const test[] = { NULL, "Done and passed", "Done and warning",
	    "Done and error", "Aborted", "In progress", "No test initiated", "Test scheduled" };
	static const char *const apc_sens[] = { "low", "medium", "high" };
	static const char *const cps_sens[] = { "low", "normal", "high" };
	static const char *const yesno[] = { "no", "yes" };
	static const char *const onoff[] = { "off", "on" };
	long l = (long)x;
	unsigned u = (unsigned)l;

	switch ((enum map_conv)m->conv) {
	case C_NUM: {
		/* the tables' formats are all "%.Nf": N decimals */
		int dec = m->fmt != NULL && strlen(m->fmt) == 4 ? m->fmt[2] - '0' : 0;

		snprintf(buf, len, "%.*f", dec >= 0 && dec <= 3 ? dec : 0, x);
		return buf;
	}
	case C_CLAMP100:
		snprintf(buf, len, "%.0f", x < 100.0 ? x : 100.0);
		return buf;
	case C_DATE:
		snprintf(buf, len, "%04u/%02u/%02u", 1980 + (u >> 9), (u >> 5) & 0x0f, u & 0x1f);
		return buf;
	case C_APCDATE: {
		unsigned y = (u & 0xf) + 10 * ((u >> 4) & 0xf);

		if (u == 0)
			return "not set";
		snprintf(buf, len, "%04u/%02u/%02u", y >= 70 ? 1900 + y : 2000 + y,
		    ((u >> 16) & 0xf) + 10 * ((u >> 20) & 0xf), ((u >> 8) & 0xf) + 10 * ((u >> 12) & 0xf));
		return buf;
	}
	case C_KELVIN:
		snprintf(buf, len, "%.1f", x - 273.15);
		return buf;
	case C_STRING: {
		struct usb_transport *t = v->h->t;

		if (l <= 0 || t->ops->get_string(t, (unsigned)l, buf, len) != 0 || buf[0] == '\0')
			return NULL;
		return buf;
	}
	case C_BEEPER: return lookup(beeper, 4, l);
	case C_PCM_BEEPER: return lookup(pcm_beeper, 3, l);
	case C_TEST: return lookup(test, 8, l);
	case C_APC_SENS: return lookup(apc_sens, 3, l);
	case C_CPS_SENS: return lookup(cps_sens, 3, l);
	case C_YESNO: return lookup(yesno, 2, l);
	case C_ONOFF: return lookup(onoff, 2, l);
	case C_PCM_START:
		snprintf(buf, len, "%u", 60 * (((u & 0xff) << 8) + ((u >> 8) & 0xff)));
		return buf;
	case C_PCM_SHUT:
		snprintf(buf, len, "%u", 60 * (u & 0xff) + ((u >> 8) & 0xff));
		return buf;
	case C_PCM_STAYOFF:
	case C_APC_STATUS:
		return NULL;
	}
	return NULL;
}

/* The number a command or SET writes, in the field's units. -1 if the text is bad. */
static int
encode(const struct hid_map *m, long seconds, double *out)
{
	unsigned s = (unsigned)(seconds < 0 ? 0 : seconds);

	switch ((enum map_conv)m->conv) {
	case C_PCM_START: {
		unsigned mins = s / 60;

		*out = (double)(((mins << 8) + (mins >> 8)) & 0xffff);
		return 0;
	}
	case C_PCM_SHUT:
	case C_PCM_STAYOFF:
		if (s == 0)
			s = 1;	/* 0 would be the longest delay */
		*out = (double)((((s % 60) << 8) + s / 60) |
		    (m->conv == C_PCM_SHUT ? 0x4000u : 0x8000u));
		return 0;
	default:
		*out = (double)seconds;
		return 0;
	}
}

static void
apply_status(struct active *a, double x)
{
	long l = (long)x;

	if (a->m->conv == C_APC_STATUS) {
		/* 8 and 16 mean running; 0 means off; other values say nothing */
		a->value = l == 0 ? 1 : (l == 8 || l == 16) ? 0 : a->value;
		return;
	}
	a->value = (a->m->flags & MF_INVERT) ? l == 0 : l != 0;
}

static void
emit_status(struct hvars *v, const struct hv_sink *s)
{
	const char *tok[16], *alarm[8];
	size_t nt = 0, na = 0;
	unsigned st = 0, known = 0;

	for (size_t i = 0; i < v->n; i++) {
		if (v->a[i].m->kind != M_STATUS || v->a[i].value == -1)
			continue;
		known |= v->a[i].m->status;
		if (v->a[i].value == 1)
			st |= v->a[i].m->status;
	}
	if (v->test_running && v->deep_test)
		st |= ST_CAL;
	if (v->onlinedischarge && (st & ST_DISCHRG))
		st &= ~ST_ONLINE;
	/* no AC-present bit anywhere: on line unless discharging */
	if ((known & ST_ONLINE) ? (st & ST_ONLINE) : !(st & ST_DISCHRG))
		tok[nt++] = "OL";
	else
		tok[nt++] = "OB";
	if ((st & ST_DISCHRG) && !(st & ST_DEPLETED))
		tok[nt++] = "DISCHRG";
	if ((st & ST_CHRG) && !(st & ST_FULLYCHARGED))
		tok[nt++] = "CHRG";
	if (st & (ST_LOWBATT | ST_TIMELIMITEXP | ST_SHUTDOWNIMM))
		tok[nt++] = "LB";
	if (st & ST_OVERLOAD)
		tok[nt++] = "OVER";
	if (st & ST_REPLACEBATT)
		tok[nt++] = "RB";
	if (st & ST_TRIM)
		tok[nt++] = "TRIM";
	if (st & ST_BOOST)
		tok[nt++] = "BOOST";
	if (st & ST_BYPASS)
		tok[nt++] = "BYPASS";
	if (st & ST_CAL)
		tok[nt++] = "CAL";
	if (st & ST_OFF)
		tok[nt++] = "OFF";
	if (st & ST_COMMFAULT)
		alarm[na++] = "Communication with the UPS lost";
	if (st & ST_NOBATTERY)
		alarm[na++] = "No battery installed";
	if (st & ST_OVERHEAT)
		alarm[na++] = "Temperature too high";
	if (st & ST_INTERNALFAULT)
		alarm[na++] = "Internal UPS fault";
	if (st & ST_VRANGE)
		alarm[na++] = "Input voltage out of range";
	if (st & ST_AWAITPOWER)
		alarm[na++] = "Awaiting power";
	s->status(s->ctx, tok, nt, alarm, na);
}

static void
emit_var(struct hvars *v, const struct hv_sink *s, struct active *a, double x)
{
	char buf[128];
	const char *text;

	if (a->m->conv == C_TEST)
		v->test_running = (long)x == 5;	/* "In progress" */
	text = format(v, a->m, x, buf, sizeof(buf));
	if (text != NULL)
		s->set(s->ctx, a->m->name, text, (a->m->flags & MF_RW) != 0);
}

int
hv_update(struct hvars *v, const struct hv_sink *s, int quick)
{
	int gone = 0, ok = 0, tried = 0;

	hdev_new_cycle(v->h);
	for (size_t i = 0; i < v->n; i++) {
		struct active *a = &v->a[i];
		double x;
		int rc;

		if (a->m->kind == M_CMD || (v->first_done && (a->m->flags & MF_STATIC)) ||
		    (quick && a->m->kind != M_STATUS))
			continue;
		if (a->m->flags & MF_ABSENT) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%ld", strcmp(a->m->name, "ups.delay.start") == 0 ?
			    v->ondelay : v->offdelay);
			s->set(s->ctx, a->m->name, buf, 1);
			continue;
		}
		rc = hdev_read(v->h, a->f, &x);
		if (rc == USBT_ERR && a->fi != NULL && a->fi != a->f)
			rc = hdev_read(v->h, a->fi, &x);	/* no Feature report: the Input one */
		tried++;
		if (rc == USBT_GONE)
			gone = 1;
		if (rc != 0)
			continue;
		ok++;
		if (a->m->kind == M_STATUS)
			apply_status(a, x);
		else
			emit_var(v, s, a, x);
	}
	if (gone)
		return USBT_GONE;
	if (tried > 0 && ok == 0)
		return USBT_ERR;
	v->first_done = 1;
	emit_status(v, s);
	return 0;
}

void
hv_interrupt(struct hvars *v, const struct hv_sink *s, int report_id)
{
	int any = 0;

	for (size_t i = 0; i < v->n; i++) {
		struct active *a = &v->a[i];
		int64_t l;

		if (a->fi == NULL || a->fi->report_id != report_id || a->m->kind == M_CMD ||
		    (a->m->flags & MF_ABSENT))
			continue;
		if (hdev_read_logical(v->h, a->fi, &l) != 0)
			continue;
		if (a->m->kind == M_STATUS)
			apply_status(a, hid_to_value(a->fi, l));
		else
			emit_var(v, s, a, hid_to_value(a->fi, l));
		any = 1;	/* a test result can change CAL too */
	}
	if (any)
		emit_status(v, s);
}

static struct active *
find_active(struct hvars *v, int kind, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->a[i].m->kind == kind && strcmp(v->a[i].m->name, name) == 0)
			return &v->a[i];
	return NULL;
}

static int
parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' ? 0 : -1;
}

static int
write_value(struct hvars *v, const struct active *a, double x)
{
	return hdev_write_logical(v->h, a->f, hid_from_value(a->f, x)) == 0 ? 0 : -2;
}

static int
run_cmd(struct hvars *v, const char *cmd, const char *param)
{
	struct active *a = find_active(v, M_CMD, cmd);
	long n;
	double x;

	if (a == NULL)
		return -1;
	if (a->m->flags & (MF_OFFDELAY | MF_ONDELAY)) {
		n = (a->m->flags & MF_OFFDELAY) ? v->offdelay : v->ondelay;
		if (param != NULL && *param != '\0' && (parse_long(param, &n) == -1 || n < 0))
			return -3;
	} else if (parse_long(a->m->fmt, &n) == -1) {
		return -3;
	}
	if (encode(a->m, n, &x) == -1)
		return -3;
	if (strncmp(cmd, "test.battery.start", 18) == 0)
		v->deep_test = strcmp(cmd, "test.battery.start.deep") == 0;
	return write_value(v, a, x);
}

int
hv_instcmd(struct hvars *v, const char *cmd, const char *param)
{
	int rc;

	if (find_active(v, M_CMD, cmd) != NULL)
		return run_cmd(v, cmd, param);
	if (strcmp(cmd, "shutdown.return") == 0) {
		/* restart when power comes back: the start delay first, then the stop */
		if ((rc = run_cmd(v, "load.on.delay", NULL)) != 0)
			return rc;
		return run_cmd(v, "load.off.delay", param);
	}
	if (strcmp(cmd, "shutdown.stayoff") == 0) {
		/* no restart: abort any pending start, then the stop */
		rc = run_cmd(v, "load.on.abort", NULL);
		if (rc == -2)
			return rc;
		return run_cmd(v, "load.off.delay", param);
	}
	return -1;
}

int
hv_setvar(struct hvars *v, const struct hv_sink *s, const char *var, const char *value)
{
	struct active *a = find_active(v, M_VAR, var);
	static const char *const apc_sens[] = { "low", "medium", "high" };
	static const char *const cps_sens[] = { "low", "normal", "high" };
	long n = -1;
	double x;

	if (a == NULL || !(a->m->flags & MF_RW))
		return -1;
	if (a->m->conv == C_APC_SENS || a->m->conv == C_CPS_SENS) {
		const char *const *names = a->m->conv == C_APC_SENS ? apc_sens : cps_sens;

		for (long i = 0; i < 3; i++)
			if (strcmp(value, names[i]) == 0)
				n = i;
		if (n == -1)
			return -3;
	} else if (parse_long(value, &n) == -1 || n < 0) {
		return -3;
	}
	if (a->m->flags & MF_ABSENT) {
		/* the driver's own delays, used by the load commands */
		if (strcmp(var, "ups.delay.start") == 0)
			v->ondelay = n;
		else
			v->offdelay = n;
		s->set(s->ctx, var, value, 1);
		return 0;
	}
	if (encode(a->m, n, &x) == -1)
		return -3;
	return write_value(v, a, x);
}

int
hv_killpower(struct hvars *v)
{
	if (hv_instcmd(v, "shutdown.return", NULL) == 0)
		return 0;
	if (hv_instcmd(v, "shutdown.stayoff", NULL) == 0)
		return 0;
	return hv_instcmd(v, "load.off.delay", NULL) == 0 ? 0 : -1;
}
