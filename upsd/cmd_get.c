/*
 * nutsec - cmd_get.c: the GET family. Each reply echoes the query's words
 * (NUT's clients check that), values are quoted and escaped, and the check
 * order of each form is NUT's: unknown UPS, then availability, then the
 * variable.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

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

int
cmd_get_var(struct client *c, int argc, char **argv)
{
	char fsd[VT_VALUE_MAX + 8];
	struct ups *u;
	struct vt_var *v;

	if (strncasecmp(argv[1], "server.", 7) == 0)
		return get_server_var(c, argv[0], argv[1]);
	if ((v = get_checked_var(c, argv[0], argv[1], &u)) == NULL)
		return -1;
	reply_head(c, "VAR", argv[0], argv[1]);
	reply_raw(c, " ", 1);
	reply_quoted(c, ups_var_value(u, v, fsd, sizeof(fsd)));
	reply_raw(c, "\n", 1);
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
