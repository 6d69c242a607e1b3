/*
 * nutsec - drv_dstate.c: the driver's state. Every drv_set..., drv_del... and drv_add...
 * call changes the vartree (the one source of truth) and, once the socket
 * is up, broadcasts exactly the change to connected clients, always
 * quoted and escaped by sockproto. Also the ups.status / ups.alarm
 * builders and the dumps answered to DUMPALL and DUMPVALUE.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "drvcore.h"
#include "log.h"
#include "sockproto.h"
#include "vartree.h"
#include "xmalloc.h"

#define LINE_BUF_MAX 4096	/* one formatted socket line, with room to spare */
#define TYPE_FLAGS (VT_RW | VT_STRING | VT_NUMBER)

static struct buf *line_buf;

void
dstate_init(struct drv *d)
{
	d->tree = vt_new();
	d->data = DRV_DATA_NONE;
	line_buf = buf_new(LINE_BUF_MAX);
}

void
dstate_fini(struct drv *d)
{
	vt_free(d->tree);
	d->tree = NULL;
	buf_free(line_buf);
	line_buf = NULL;
}

/* Sends what the formatter left in line_buf to every listening client. */
static void
send_line(struct drv *d)
{
	if (d->started && d->ss != NULL && buf_len(line_buf) > 0)
		sockserv_broadcast(d->ss, buf_peek(line_buf), buf_len(line_buf));
	buf_reset(line_buf);
}

/* A formatter failed: the line cannot exceed LINE_BUF_MAX by construction. */
static void
lost_line(const char *what, const char *name)
{
	log_warnx("cannot format %s for %s", what, name);
	buf_reset(line_buf);
}

static int
set_value(struct drv *d, const char *var, const char *value, int force)
{
	struct vt_var *v = vt_get(d->tree, var);
	int changed = 0;

	if (v != NULL && (vt_flags(v) & VT_IMMUTABLE) && !force) {
		log_debug3("%s is immutable (override.%s); not changed", var, var);
		return 0;
	}
	v = vt_set(d->tree, var, value, &changed);
	if (v == NULL) {
		log_warnx("cannot set %s: bad name, value of %zu bytes, or too many variables",
		    var, strlen(value));
		return -1;
	}
	if (!changed)
		return 0;
	log_debug2("SETINFO %s \"%s\"", var, value);
	if (sp_put_setinfo(line_buf, vt_name(v), value) < 0)
		lost_line("SETINFO", var);
	send_line(d);
	return 0;
}

int
drv_setinfo(struct drv *d, const char *var, const char *fmt, ...)
{
	char value[VT_VALUE_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(value)) {
		log_warnx("value for %s is longer than %d bytes; not set", var, VT_VALUE_MAX);
		return -1;
	}
	return set_value(d, var, value, 0);
}

int
dstate_force(struct drv *d, const char *var, const char *value, unsigned flags)
{
	struct vt_var *v;

	if (set_value(d, var, value, 1) < 0)
		return -1;
	v = vt_get(d->tree, var);
	if (v == NULL)
		return -1;
	if (vt_flags(v) != flags) {
		vt_set_flags(v, flags);
		if (sp_put_setflags(line_buf, vt_name(v), flags) < 0)
			lost_line("SETFLAGS", var);
		send_line(d);
	}
	return 0;
}

const char *
drv_getinfo(const struct drv *d, const char *var)
{
	struct vt_var *v = vt_get(d->tree, var);

	return v != NULL ? vt_value(v) : NULL;
}

int
drv_immutable(const struct drv *d, const char *var)
{
	struct vt_var *v = vt_get(d->tree, var);

	return v != NULL && (vt_flags(v) & VT_IMMUTABLE) != 0;
}

int
drv_delinfo(struct drv *d, const char *var)
{
	struct vt_var *v = vt_get(d->tree, var);
	char name[VT_NAME_MAX + 1];

	if (v == NULL)
		return -1;
	if (vt_flags(v) & VT_IMMUTABLE) {
		log_debug3("%s is immutable; not deleted", var);
		return -1;
	}
	if (str_copy(name, vt_name(v), sizeof(name)) < 0 || vt_del(d->tree, name) < 0)
		return -1;
	log_debug2("DELINFO %s", name);
	if (sp_put_delinfo(line_buf, name) < 0)
		lost_line("DELINFO", name);
	send_line(d);
	return 0;
}

/* The variable, if it exists and may be changed. */
static struct vt_var *
mutable_var(struct drv *d, const char *var)
{
	struct vt_var *v = vt_get(d->tree, var);

	if (v == NULL) {
		log_debug3("%s: no such variable", var);
		return NULL;
	}
	if (vt_flags(v) & VT_IMMUTABLE) {
		log_debug3("%s is immutable; metadata not changed", var);
		return NULL;
	}
	return v;
}

int
drv_setflags(struct drv *d, const char *var, unsigned flags)
{
	struct vt_var *v = mutable_var(d, var);
	unsigned nf;

	if (v == NULL)
		return -1;
	nf = (flags & TYPE_FLAGS) | (vt_flags(v) & VT_IMMUTABLE);
	if (nf == vt_flags(v))
		return 0;
	vt_set_flags(v, nf);
	if (sp_put_setflags(line_buf, vt_name(v), nf) < 0)
		lost_line("SETFLAGS", var);
	send_line(d);
	return 0;
}

int
drv_setaux(struct drv *d, const char *var, long aux)
{
	struct vt_var *v = mutable_var(d, var);

	if (v == NULL)
		return -1;
	if (vt_aux(v) == aux)
		return 0;
	vt_set_aux(v, aux);
	if (sp_put_setaux(line_buf, vt_name(v), aux) < 0)
		lost_line("SETAUX", var);
	send_line(d);
	return 0;
}

static int
change_enum(struct drv *d, int add, const char *var, const char *value)
{
	struct vt_var *v = mutable_var(d, var);
	size_t before;

	if (v == NULL)
		return -1;
	before = vt_enum_count(v);
	if (add ? vt_enum_add(v, value) < 0 : vt_enum_del(v, value) < 0)
		return -1;
	if (vt_enum_count(v) == before)
		return 0;
	if (sp_put_enum(line_buf, add, vt_name(v), value) < 0)
		lost_line("ENUM", var);
	send_line(d);
	return 0;
}

int
drv_addenum(struct drv *d, const char *var, const char *value)
{
	return change_enum(d, 1, var, value);
}

int
drv_delenum(struct drv *d, const char *var, const char *value)
{
	return change_enum(d, 0, var, value);
}

static int
change_range(struct drv *d, int add, const char *var, long min, long max)
{
	struct vt_var *v = mutable_var(d, var);
	size_t before;

	if (v == NULL || min > max)
		return -1;
	before = vt_range_count(v);
	if (add ? vt_range_add(v, min, max) < 0 : vt_range_del(v, min, max) < 0)
		return -1;
	if (vt_range_count(v) == before)
		return 0;
	if (sp_put_range(line_buf, add, vt_name(v), min, max) < 0)
		lost_line("RANGE", var);
	send_line(d);
	return 0;
}

int
drv_addrange(struct drv *d, const char *var, long min, long max)
{
	return change_range(d, 1, var, min, max);
}

int
drv_delrange(struct drv *d, const char *var, long min, long max)
{
	return change_range(d, 0, var, min, max);
}

int
drv_addcmd(struct drv *d, const char *cmd)
{
	if (vt_cmd_has(d->tree, cmd))
		return 0;
	if (vt_cmd_add(d->tree, cmd) < 0) {
		log_warnx("cannot add command %s", cmd);
		return -1;
	}
	if (sp_put_cmd(line_buf, 1, cmd) < 0)
		lost_line("ADDCMD", cmd);
	send_line(d);
	return 0;
}

int
drv_delcmd(struct drv *d, const char *cmd)
{
	if (vt_cmd_del(d->tree, cmd) < 0)
		return -1;
	if (sp_put_cmd(line_buf, 0, cmd) < 0)
		lost_line("DELCMD", cmd);
	send_line(d);
	return 0;
}

static void
set_data(struct drv *d, enum drv_data state)
{
	if (d->data == state)
		return;
	if (state == DRV_DATA_STALE)
		log_warnx("UPS [%s]: data is stale", d->upsname);
	else if (d->data == DRV_DATA_STALE)
		log_notice("UPS [%s]: communication restored", d->upsname);
	d->data = state;
	if (sp_put_verb(line_buf, state == DRV_DATA_OK ? SP_DATAOK : SP_DATASTALE) < 0)
		lost_line("DATAOK", d->upsname);
	send_line(d);
}

void
dstate_dataok(struct drv *d)
{
	set_data(d, DRV_DATA_OK);
}

void
dstate_datastale(struct drv *d)
{
	set_data(d, DRV_DATA_STALE);
}

/* --- ups.status and ups.alarm --- */

static int
has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = list;

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len == n && strncmp(p, tok, n) == 0)
			return 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static void
append_word(char *dst, size_t size, const char *word, const char *what)
{
	size_t len = strlen(dst), n = strlen(word);

	if (len + n + (len > 0) + 1 > size) {
		log_warnx("%s too long; \"%s\" dropped", what, word);
		return;
	}
	if (len > 0)
		dst[len++] = ' ';
	memcpy(dst + len, word, n + 1);
}

void
drv_status_init(struct drv *d)
{
	d->status_work[0] = '\0';
}

void
drv_status_set(struct drv *d, const char *token)
{
	char one[DRV_STATUS_MAX];
	char *save = NULL, *w;

	/* A caller may pass several tokens at once ("OL CHRG"). */
	if (str_copy(one, token, sizeof(one)) < 0) {
		log_warnx("status token too long; dropped");
		return;
	}
	for (w = strtok_r(one, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		/* ALARM is derived from the alarm list, never kept as a token. */
		if (strcmp(w, "ALARM") == 0 || has_token(d->status_work, w))
			continue;
		append_word(d->status_work, sizeof(d->status_work), w, "ups.status");
	}
}

static void
publish_status(struct drv *d)
{
	char out[DRV_STATUS_MAX + 8];

	if (!d->status_committed)
		return;
	if (str_printf(out, sizeof(out), "%s%s%s", d->alarm_active ? "ALARM" : "",
	    d->alarm_active && d->status[0] != '\0' ? " " : "", d->status) < 0)
		return;
	drv_setinfo(d, "ups.status", "%s", out);
}

void
drv_status_commit(struct drv *d)
{
	memcpy(d->status, d->status_work, sizeof(d->status));
	d->status_committed = 1;
	publish_status(d);
}

void
drv_alarm_init(struct drv *d)
{
	d->alarm_work[0] = '\0';
}

void
drv_alarm_set(struct drv *d, const char *text)
{
	if (*text == '\0')
		return;
	append_word(d->alarm_work, sizeof(d->alarm_work), text, "ups.alarm");
}

void
drv_alarm_commit(struct drv *d)
{
	int was = d->alarm_active;

	if (d->alarm_work[0] != '\0') {
		drv_setinfo(d, "ups.alarm", "%s", d->alarm_work);
		d->alarm_active = 1;
	} else {
		if (drv_getinfo(d, "ups.alarm") != NULL)
			drv_delinfo(d, "ups.alarm");
		d->alarm_active = 0;
	}
	if (was != d->alarm_active)
		publish_status(d);
}

/* --- dumps --- */

static int
dump_var(struct buf *b, const struct vt_var *v)
{
	size_t i;
	long min, max;

	if (sp_put_setinfo(b, vt_name(v), vt_value(v)) < 0)
		return -1;
	for (i = 0; i < vt_enum_count(v); i++)
		if (sp_put_enum(b, 1, vt_name(v), vt_enum_at(v, i)) < 0)
			return -1;
	for (i = 0; i < vt_range_count(v); i++) {
		vt_range_at(v, i, &min, &max);
		if (sp_put_range(b, 1, vt_name(v), min, max) < 0)
			return -1;
	}
	if (vt_aux(v) != 0 && sp_put_setaux(b, vt_name(v), vt_aux(v)) < 0)
		return -1;
	if (vt_flags(v) != 0 && sp_put_setflags(b, vt_name(v), vt_flags(v)) < 0)
		return -1;
	return 0;
}

static int
dump_head(struct drv *d, struct buf *b)
{
	if (d->data != DRV_DATA_OK)
		return sp_put_verb(b, SP_DATASTALE);
	return 0;
}

static int
dump_tail(struct drv *d, struct buf *b)
{
	if (d->data == DRV_DATA_OK && sp_put_verb(b, SP_DATAOK) < 0)
		return -1;
	return sp_put_verb(b, SP_DUMPDONE);
}

int
dstate_dump(struct drv *d, struct buf *b)
{
	if (dump_head(d, b) < 0 || sp_put_dump(b, d->tree) < 0)
		return -1;
	return dump_tail(d, b);
}

int
dstate_dump_one(struct drv *d, struct buf *b, const char *var)
{
	struct vt_var *v = vt_get(d->tree, var);

	if (dump_head(d, b) < 0)
		return -1;
	if (v != NULL && dump_var(b, v) < 0)
		return -1;
	return dump_tail(d, b);
}
