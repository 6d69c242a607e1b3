/*
 * nutsec - sockproto.c: the driver socket codec. Parsing is a table of
 * verbs with their arity, then a per-verb step that picks the fields and
 * validates names, numbers (strtol, whole word, in range) and tracking
 * ids. Formatting builds each line in a bounded local array, escaping with
 * proto_escape and quoting every value, then appends it with a single
 * buf_put, so a line is either written whole or not at all. Names that are
 * not plain words are quoted too, so no name can split a line into more
 * words or start a comment on the other side.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "proto.h"
#include "sockproto.h"
#include "vartree.h"

#define SP_TRACKING_MAX 64	/* longest tracking id accepted */
#define SP_LINE_MAX 2048	/* longer than any valid line */

struct sp_verbdef {
	const char *name;
	int minargs, maxargs;	/* argc, the verb included */
};

/* Indexed by enum sp_verb. */
static const struct sp_verbdef sp_verbs[SP__COUNT] = {
	[SP_SETINFO] = { "SETINFO", 3, 3 },
	[SP_DELINFO] = { "DELINFO", 2, 2 },
	[SP_ADDENUM] = { "ADDENUM", 3, 3 },
	[SP_DELENUM] = { "DELENUM", 3, 3 },
	[SP_ADDRANGE] = { "ADDRANGE", 4, 4 },
	[SP_DELRANGE] = { "DELRANGE", 4, 4 },
	[SP_SETAUX] = { "SETAUX", 3, 3 },
	[SP_SETFLAGS] = { "SETFLAGS", 2, 32 },
	[SP_ADDCMD] = { "ADDCMD", 2, 2 },
	[SP_DELCMD] = { "DELCMD", 2, 2 },
	[SP_DATAOK] = { "DATAOK", 1, 1 },
	[SP_DATASTALE] = { "DATASTALE", 1, 1 },
	[SP_DUMPDONE] = { "DUMPDONE", 1, 1 },
	[SP_PONG] = { "PONG", 1, 1 },
	[SP_PID] = { "PID", 2, 2 },
	[SP_TRACKING] = { "TRACKING", 3, 3 },
	[SP_OK] = { "OK", 1, 2 },
	[SP_DUMPALL] = { "DUMPALL", 1, 1 },
	[SP_DUMPVALUE] = { "DUMPVALUE", 2, 2 },
	[SP_DUMPSTATUS] = { "DUMPSTATUS", 1, 1 },
	[SP_PING] = { "PING", 1, 1 },
	[SP_GETPID] = { "GETPID", 1, 1 },
	[SP_NOBROADCAST] = { "NOBROADCAST", 1, 1 },
	[SP_BROADCAST] = { "BROADCAST", 1, 2 },
	[SP_LOGOUT] = { "LOGOUT", 1, 1 },
	[SP_INSTCMD] = { "INSTCMD", 2, 5 },
	[SP_SET] = { "SET", 3, 5 },
};

const char *
sp_verb_name(enum sp_verb v)
{
	if ((unsigned)v >= SP__COUNT)
		return "?";
	return sp_verbs[v].name;
}

/* ------------------------------------------------------------- parsing */

/* Variable and command names: 1..VT_NAME_MAX bytes of 0x21..0x7e. */
static int
sp_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= VT_NAME_MAX || (unsigned char)s[i] < 0x21 ||
		    (unsigned char)s[i] > 0x7e)
			return 0;
	return i > 0;
}

static int
sp_value_ok(const char *s)
{
	return strnlen(s, VT_VALUE_MAX + 1) <= VT_VALUE_MAX;
}

/* Tracking ids: 1..SP_TRACKING_MAX of [A-Za-z0-9._-] (NUT sends UUIDs). */
static int
sp_tracking_ok(const char *s)
{
	size_t i;
	unsigned char c;

	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (i >= SP_TRACKING_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return i > 0;
}

/* A whole word in base 10 within [lo, hi]. */
static int
sp_number(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (*s == '\0' || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
		return -1;	/* strtol would skip leading blanks */
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
sp_lookup(const char *word)
{
	static size_t lens[SP__COUNT];
	size_t len = strlen(word);
	int i;

	if (lens[0] == 0)
		for (i = 0; i < SP__COUNT; i++)
			lens[i] = strlen(sp_verbs[i].name);
	/* Length and first letter first: most lines cost one strcasecmp. */
	for (i = 0; i < SP__COUNT; i++)
		if (lens[i] == len && (word[0] | 0x20) == (sp_verbs[i].name[0] | 0x20) &&
		    strcasecmp(word, sp_verbs[i].name) == 0)
			return i;
	return -1;
}

/* INSTCMD cmd [param] [TRACKING id]; SET var value [TRACKING id]. */
static int
sp_parse_request(int argc, char **argv, struct sp_msg *m, const char **err)
{
	int has_param;

	m->name = argv[1];
	if (m->verb == SP_SET) {
		if (argc == 4) {
			*err = "wrong number of arguments";
			return -1;
		}
		m->value = argv[2];
	}
	has_param = m->verb == SP_SET || argc == 3 || argc == 5;
	if (m->verb == SP_INSTCMD && has_param)
		m->value = argv[2];
	if (argc >= 4) {
		int k = has_param ? 3 : 2;
		if (argc != k + 2 || strcasecmp(argv[k], "TRACKING") != 0) {
			*err = "malformed tracking clause";
			return -1;
		}
		if (!sp_tracking_ok(argv[k + 1])) {
			*err = "bad tracking id";
			return -1;
		}
		m->tracking = argv[k + 1];
	}
	if (m->value != NULL && !sp_value_ok(m->value)) {
		*err = "value too long";
		return -1;
	}
	return 0;
}

static unsigned
sp_flag_word(const char *w)
{
	if (strcasecmp(w, "RW") == 0)
		return VT_RW;
	if (strcasecmp(w, "STRING") == 0)
		return VT_STRING;
	if (strcasecmp(w, "NUMBER") == 0)
		return VT_NUMBER;
	return 0;
}

int
sp_parse(int argc, char **argv, struct sp_msg *m, const char **err)
{
	const char *dummy;
	int v, i;

	if (err == NULL)
		err = &dummy;
	*err = NULL;
	memset(m, 0, sizeof(*m));
	m->name = m->value = m->tracking = NULL;
	if (argc < 1 || argv == NULL || argv[0] == NULL) {
		*err = "empty line";
		return -1;
	}
	for (i = 0; i < argc; i++)
		if (argv[i] == NULL) {
			*err = "missing argument";
			return -1;
		}
	if ((v = sp_lookup(argv[0])) < 0) {
		*err = "unknown command";
		return -1;
	}
	m->verb = (enum sp_verb)v;
	if (argc < sp_verbs[v].minargs || argc > sp_verbs[v].maxargs) {
		*err = "wrong number of arguments";
		return -1;
	}

	switch (m->verb) {
	case SP_SETINFO:
	case SP_ADDENUM:
	case SP_DELENUM:
		m->value = argv[2];
		if (!sp_value_ok(m->value)) {
			*err = "value too long";
			return -1;
		}
		/* FALLTHROUGH */
	case SP_DELINFO:
	case SP_ADDCMD:
	case SP_DELCMD:
	case SP_DUMPVALUE:
		m->name = argv[1];
		break;
	case SP_ADDRANGE:
	case SP_DELRANGE:
		m->name = argv[1];
		if (sp_number(argv[2], LONG_MIN, LONG_MAX, &m->min) != 0 ||
		    sp_number(argv[3], LONG_MIN, LONG_MAX, &m->max) != 0) {
			*err = "bad number";
			return -1;
		}
		if (m->min > m->max) {
			*err = "range minimum above maximum";
			return -1;
		}
		break;
	case SP_SETAUX:
		m->name = argv[1];
		if (sp_number(argv[2], LONG_MIN, LONG_MAX, &m->num) != 0) {
			*err = "bad number";
			return -1;
		}
		break;
	case SP_SETFLAGS:
		m->name = argv[1];
		for (i = 2; i < argc; i++)
			m->flags |= sp_flag_word(argv[i]);
		break;
	case SP_PID:
		if (sp_number(argv[1], 1, INT_MAX, &m->num) != 0) {
			*err = "bad number";
			return -1;
		}
		break;
	case SP_TRACKING:
		if (!sp_tracking_ok(argv[1])) {
			*err = "bad tracking id";
			return -1;
		}
		m->tracking = argv[1];
		if (sp_number(argv[2], INT_MIN, INT_MAX, &m->num) != 0) {
			*err = "bad number";
			return -1;
		}
		break;
	case SP_BROADCAST:
		m->num = 1;
		if (argc == 2 && sp_number(argv[1], INT_MIN, INT_MAX, &m->num) != 0) {
			*err = "bad number";
			return -1;
		}
		break;
	case SP_INSTCMD:
	case SP_SET:
		if (sp_parse_request(argc, argv, m, err) != 0)
			return -1;
		break;
	default:
		break;	/* bare verbs; OK may carry one word ("Goodbye") */
	}
	if (m->name != NULL && !sp_name_ok(m->name)) {
		*err = "bad name";
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------- formatting */

/* One line under construction; err latches any overflow or bad input. */
struct sp_line {
	char s[SP_LINE_MAX];
	size_t n;
	int err;
};

static void
sp_raw(struct sp_line *l, const char *s, size_t len)
{
	if (l->err || len > sizeof(l->s) - l->n) {
		l->err = 1;
		return;
	}
	memcpy(l->s + l->n, s, len);
	l->n += len;
}

static void
sp_quoted(struct sp_line *l, const char *value)
{
	int n;

	if (l->err || value == NULL || sizeof(l->s) - l->n < 3) {
		l->err = 1;
		return;
	}
	l->s[l->n++] = ' ';
	l->s[l->n++] = '"';
	n = proto_escape(value, l->s + l->n, sizeof(l->s) - l->n);
	if (n < 0) {
		l->err = 1;
		return;
	}
	l->n += (size_t)n;
	sp_raw(l, "\"", 1);
}

/* A name or id: bare if a plain word, else quoted so it stays one word. */
static void
sp_word(struct sp_line *l, const char *w)
{
	size_t i;
	int quote = 0;
	unsigned char c;

	if (w == NULL) {
		l->err = 1;
		return;
	}
	/* One pass: the vartree name rules, and whether it needs quotes. */
	for (i = 0; (c = (unsigned char)w[i]) != '\0'; i++) {
		if (i >= VT_NAME_MAX || c < 0x21 || c > 0x7e) {
			l->err = 1;
			return;
		}
		if (c == '"' || c == '\\' || c == '#' || c == '=')
			quote = 1;
	}
	if (i == 0) {
		l->err = 1;
		return;
	}
	if (quote) {
		sp_quoted(l, w);
		return;
	}
	if (l->err || i + 1 > sizeof(l->s) - l->n) {
		l->err = 1;
		return;
	}
	l->s[l->n++] = ' ';
	memcpy(l->s + l->n, w, i);
	l->n += i;
}

static void
sp_num(struct sp_line *l, long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), " %ld", v);

	sp_raw(l, tmp, (size_t)n);
}

static void
sp_begin(struct sp_line *l, enum sp_verb v)
{
	l->n = 0;
	l->err = 0;
	sp_raw(l, sp_verbs[v].name, strlen(sp_verbs[v].name));
}

static int
sp_end(struct sp_line *l, struct buf *b)
{
	sp_raw(l, "\n", 1);
	if (l->err)
		return -1;
	return buf_put(b, l->s, l->n);
}

static void
sp_value(struct sp_line *l, const char *value)
{
	if (value == NULL || !sp_value_ok(value)) {
		l->err = 1;
		return;
	}
	sp_quoted(l, value);
}

int
sp_put_setinfo(struct buf *b, const char *var, const char *value)
{
	struct sp_line l;

	sp_begin(&l, SP_SETINFO);
	sp_word(&l, var);
	sp_value(&l, value);
	return sp_end(&l, b);
}

int
sp_put_delinfo(struct buf *b, const char *var)
{
	struct sp_line l;

	sp_begin(&l, SP_DELINFO);
	sp_word(&l, var);
	return sp_end(&l, b);
}

int
sp_put_enum(struct buf *b, int add, const char *var, const char *value)
{
	struct sp_line l;

	sp_begin(&l, add ? SP_ADDENUM : SP_DELENUM);
	sp_word(&l, var);
	sp_value(&l, value);
	return sp_end(&l, b);
}

int
sp_put_range(struct buf *b, int add, const char *var, long min, long max)
{
	struct sp_line l;

	sp_begin(&l, add ? SP_ADDRANGE : SP_DELRANGE);
	sp_word(&l, var);
	sp_num(&l, min);
	sp_num(&l, max);
	return sp_end(&l, b);
}

int
sp_put_setaux(struct buf *b, const char *var, long aux)
{
	struct sp_line l;

	sp_begin(&l, SP_SETAUX);
	sp_word(&l, var);
	sp_num(&l, aux);
	return sp_end(&l, b);
}

int
sp_put_setflags(struct buf *b, const char *var, unsigned flags)
{
	struct sp_line l;

	sp_begin(&l, SP_SETFLAGS);
	sp_word(&l, var);
	if (flags & VT_RW)
		sp_raw(&l, " RW", 3);
	if (flags & VT_STRING)
		sp_raw(&l, " STRING", 7);
	if (flags & VT_NUMBER)
		sp_raw(&l, " NUMBER", 7);
	return sp_end(&l, b);
}

int
sp_put_cmd(struct buf *b, int add, const char *cmd)
{
	struct sp_line l;

	sp_begin(&l, add ? SP_ADDCMD : SP_DELCMD);
	sp_word(&l, cmd);
	return sp_end(&l, b);
}

int
sp_put_tracking(struct buf *b, const char *id, int status)
{
	struct sp_line l;

	if (id == NULL || !sp_tracking_ok(id))
		return -1;
	sp_begin(&l, SP_TRACKING);
	sp_word(&l, id);
	sp_num(&l, status);
	return sp_end(&l, b);
}

int
sp_put_verb(struct buf *b, enum sp_verb v)
{
	struct sp_line l;

	if ((unsigned)v >= SP__COUNT)
		return -1;
	sp_begin(&l, v);
	if (v == SP_OK)
		sp_raw(&l, " Goodbye", 8);
	return sp_end(&l, b);
}

/* The optional " TRACKING id" tail of INSTCMD and SET. */
static void
sp_tracking_tail(struct sp_line *l, const char *tracking)
{
	if (tracking == NULL)
		return;
	if (!sp_tracking_ok(tracking)) {
		l->err = 1;
		return;
	}
	sp_raw(l, " TRACKING ", 10);
	sp_raw(l, tracking, strlen(tracking));
}

int
sp_put_instcmd(struct buf *b, const char *cmd, const char *param, const char *tracking)
{
	struct sp_line l;

	sp_begin(&l, SP_INSTCMD);
	sp_word(&l, cmd);
	if (param != NULL)
		sp_value(&l, param);
	sp_tracking_tail(&l, tracking);
	return sp_end(&l, b);
}

int
sp_put_set(struct buf *b, const char *var, const char *value, const char *tracking)
{
	struct sp_line l;

	sp_begin(&l, SP_SET);
	sp_word(&l, var);
	sp_value(&l, value);
	sp_tracking_tail(&l, tracking);
	return sp_end(&l, b);
}

/* One variable with its enums, ranges, aux and flags, in NUT's order. */
static int
sp_put_var(struct buf *b, const struct vt_var *v)
{
	const char *name = vt_name(v);
	unsigned wflags = vt_flags(v) & (VT_RW | VT_STRING | VT_NUMBER);
	size_t i, n;
	long min, max;

	if (sp_put_setinfo(b, name, vt_value(v)) != 0)
		return -1;
	n = vt_enum_count(v);
	for (i = 0; i < n; i++)
		if (sp_put_enum(b, 1, name, vt_enum_at(v, i)) != 0)
			return -1;
	n = vt_range_count(v);
	for (i = 0; i < n; i++) {
		vt_range_at(v, i, &min, &max);
		if (sp_put_range(b, 1, name, min, max) != 0)
			return -1;
	}
	if (vt_aux(v) != 0 && sp_put_setaux(b, name, vt_aux(v)) != 0)
		return -1;
	if (wflags != 0 && sp_put_setflags(b, name, wflags) != 0)
		return -1;
	return 0;
}

int
sp_put_dump(struct buf *b, const struct vt *t)
{
	size_t i, n;

	n = vt_count(t);
	for (i = 0; i < n; i++)
		if (sp_put_var(b, vt_at(t, i)) != 0)
			return -1;
	n = vt_cmd_count(t);
	for (i = 0; i < n; i++)
		if (sp_put_cmd(b, 1, vt_cmd_at(t, i)) != 0)
			return -1;
	return 0;
}
