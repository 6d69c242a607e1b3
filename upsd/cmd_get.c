/*
 * nutsec - cmd_get.c: the GET family. Each reply echoes the query's words
 * (NUT's clients check that), values are quoted and escaped, and the check
 * order of each form is NUT's: unknown UPS, then availability, then the
 * variable.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "vartree.h"

#include "upsd.h"

/* "<WORD> <ups> <name> " with the client's own spelling echoed. */
static void
reply_head(struct client *c, const char *word, const char *ups, const char *name)
{
	reply_str(c, word);
	reply_raw(c, " ", 1);
	reply_arg(c, ups);
	if (name != NULL) {
		reply_raw(c, " ", 1);
		reply_arg(c, name);
	}
}

int
cmd_get_tracking(struct client *c, int argc, char **argv)
{
	if (argc == 0) {
		reply_str(c, c->tracking ? "ON\n" : "OFF\n");
		return 0;
	}
	if (!c->tracking) {
		reply_err(c, PERR_FEATURE_NOT_CONFIGURED);
		return -1;
	}
	reply_str(c, tracking_get(c, argv[0]));
	reply_raw(c, "\n", 1);
	return 0;
}

int
cmd_get_numlogins(struct client *c, int argc, char **argv)
{
	struct ups *u = ups_lookup(c, argv[0]);

	if (u == NULL || ups_check_avail(c, u) != 0)
		return -1;
	reply_head(c, "NUMLOGINS", argv[0], NULL);
	reply_printf(c, " %u\n", u->numlogins);
	return 0;
}

int
cmd_get_upsdesc(struct client *c, int argc, char **argv)
{
	struct ups *u = ups_lookup(c, argv[0]);

	if (u == NULL)
		return -1;
	reply_head(c, "UPSDESC", argv[0], NULL);
	reply_raw(c, " ", 1);
	reply_quoted(c, u->desc != NULL ? u->desc : "Unavailable");
	reply_raw(c, "\n", 1);
	return 0;
}

/* server.* is answered by upsd itself, whatever the UPS name. */
static int
get_server_var(struct client *c, const char *ups, const char *var)
{
	const char *val;

	if (strcasecmp(var, "server.info") == 0)
		val = "Network UPS Tools upsd " PACKAGE_VERSION " - nutsec";
	else if (strcasecmp(var, "server.version") == 0)
		val = PACKAGE_VERSION;
	else {
		reply_err(c, PERR_VAR_NOT_SUPPORTED);
		return -1;
	}
	reply_head(c, "VAR", ups, var);
	reply_raw(c, " ", 1);
	reply_quoted(c, val);
	reply_raw(c, "\n", 1);
	return 0;
}

/* The variable after the UPS and availability checks; NULL after an ERR. */
static struct vt_var *
get_checked_var(struct client *c, const char *upsname, const char *var, struct ups **pu)
{
	struct ups *u = ups_lookup(c, upsname);
	struct vt_var *v;

	if (u == NULL || ups_check_avail(c, u) != 0)
		return NULL;
	if ((v = vt_get(u->tree, var)) == NULL) {
		reply_err(c, PERR_VAR_NOT_SUPPORTED);
		return NULL;
	}
	*pu = u;
	return v;
}

/*
 * The GET VAR reply is built with one bounded buf_space/buf_commit rather
 * than seven appends. The encoders below write exactly what reply_arg and
 * reply_quoted (common/proto) write; test_dispatch compares the two.
 */

/* 1 if b must be escaped inside quotes (proto's rule). */
static inline int
get_escaped(unsigned char b)
{
	return b == '"' || b == '\\' || b == '#';
}

/* Bytes that make an echoed argument quoted: <= ' ', DEL, '=', '"', '\\', '#'. */
#define Q16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char get_quote[256] = {
	Q16, Q16,
	/* 0x20-0x2f: ' ', '"', '#' */
	1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x30-0x3f: '=' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x50-0x5f: '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x70-0x7f: DEL */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	/* 0x80-0xff: bare, as proto_put_arg sends them */
};
#undef Q16

/* Writes s in quotes, escaped; returns the bytes written (<= 2 * len + 2). */
static size_t
get_put_quoted(char *d, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *o = d;

	*o++ = '"';
	for (; *p != '\0'; p++) {
		if (get_escaped(*p))
			*o++ = '\\';
		*o++ = (char)*p;
	}
	*o++ = '"';
	return (size_t)(o - d);
}

/*
 * Writes an echoed argument: bare if it is a plain word (non-empty, no byte
 * <= ' ', DEL, '=', '"', '\\' or '#'), else quoted. Returns the bytes
 * written (<= 2 * len + 2).
 */
static size_t
get_put_arg(char *d, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *o = d;

	/* NUL is in the table too: the loop stops at the end or a special byte. */
	while (!get_quote[*p])
		*o++ = (char)*p++;
	if (*p != '\0' || o == d)
		return get_put_quoted(d, s);
	return (size_t)(o - d);
}

/* "VAR <ups> <var> \"<value>\"\n" in one append. */
static void
get_var_reply(struct client *c, const char *ups, const char *var, const char *val)
{
	size_t lu = strlen(ups), lv = strlen(var), ll = strlen(val), o = 0;
	/* "VAR " + 2 quoted-or-bare words + 2 spaces + quoted value + LF */
	size_t bound = 4 + (2 * lu + 2) + 1 + (2 * lv + 2) + 1 + (2 * ll + 2) + 1;
	char *d;

	if (c->overflow)
		return;
	if ((d = buf_space(c->out, bound)) == NULL) {
		/* Near the cap: the appends decide exactly what fits. */
		reply_head(c, "VAR", ups, var);
		reply_raw(c, " ", 1);
		reply_quoted(c, val);
		reply_raw(c, "\n", 1);
		return;
	}
	memcpy(d, "VAR ", 4);
	o = 4;
	o += get_put_arg(d + o, ups);
	d[o++] = ' ';
	o += get_put_arg(d + o, var);
	d[o++] = ' ';
	o += get_put_quoted(d + o, val);
	d[o++] = '\n';
	buf_commit(c->out, o);
}

int
cmd_get_var(struct client *c, int argc, char **argv)
{
	char fsd[VT_VALUE_MAX + 8];
	struct ups *u;
	struct vt_var *v;

	/* A first-byte test keeps strncasecmp off the common path. */
	if ((argv[1][0] | 0x20) == 's' && strncasecmp(argv[1], "server.", 7) == 0)
		return get_server_var(c, argv[0], argv[1]);
	if ((v = get_checked_var(c, argv[0], argv[1], &u)) == NULL)
		return -1;
	get_var_reply(c, argv[0], argv[1], ups_var_value(u, v, fsd, sizeof(fsd)));
	return 0;
}

int
cmd_get_type(struct client *c, int argc, char **argv)
{
	struct ups *u;
	struct vt_var *v;
	unsigned fl;

	if ((v = get_checked_var(c, argv[0], argv[1], &u)) == NULL)
		return -1;
	fl = vt_flags(v);
	reply_head(c, "TYPE", argv[0], argv[1]);
	if (fl & VT_RW)
		reply_str(c, " RW");
	if (vt_enum_count(v) > 0)
		reply_str(c, " ENUM");
	if (vt_range_count(v) > 0)
		reply_str(c, " RANGE");
	if (fl & VT_STRING)
		reply_printf(c, " STRING:%ld\n", vt_aux(v));
	else
		reply_str(c, " NUMBER\n");
	return 0;
}

static int
get_desc(struct client *c, const char *word, char **argv, const char *text)
{
	struct ups *u = ups_lookup(c, argv[0]);

	if (u == NULL || ups_check_avail(c, u) != 0)
		return -1;
	reply_head(c, word, argv[0], argv[1]);
	reply_raw(c, " ", 1);
	reply_quoted(c, text != NULL ? text : "Description unavailable");
	reply_raw(c, "\n", 1);
	return 0;
}

int
cmd_get_desc(struct client *c, int argc, char **argv)
{
	return get_desc(c, "DESC", argv, cmdvartab_var(argv[1]));
}

int
cmd_get_cmddesc(struct client *c, int argc, char **argv)
{
	return get_desc(c, "CMDDESC", argv, cmdvartab_cmd(argv[1]));
}
