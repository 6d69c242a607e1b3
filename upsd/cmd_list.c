/*
 * nutsec - cmd_list.c: the LIST family. Every list is framed by
 * "BEGIN LIST ..." and "END LIST ..." echoing the query; errors are found
 * before the BEGIN line so a client sees either one ERR or a whole list.
 * LIST CLIENT shows the addresses logged in to a UPS: to anyone, as in
 * NUT, unless LIST_CLIENT_ACCESS asks for credentials.
 * A list is built in the output buffer and leaves in one write, except
 * LIST VAR and LIST RW, which may be megabytes (4096 variables of 255
 * bytes, escaped): they are sent as the client reads, by a cursor that
 * resumes after the last variable name sent.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "vartree.h"
#include "xmalloc.h"

#include "upsd.h"

/* "<word> <sub> <ups>[ <var>]" as the query spelled them. */
static void
list_words(struct client *c, const char *word, const char *sub, const char *ups,
    const char *var)
{
	reply_str(c, word);
	reply_raw(c, " ", 1);
	reply_str(c, sub);
	if (ups != NULL) {
		reply_raw(c, " ", 1);
		reply_arg(c, ups);
	}
	if (var != NULL) {
		reply_raw(c, " ", 1);
		reply_arg(c, var);
	}
	reply_raw(c, "\n", 1);
}

/* Item prefix "<ITEM> <ups> ". */
static void
item_head(struct client *c, const char *item, const char *ups)
{
	reply_str(c, item);
	reply_raw(c, " ", 1);
	reply_arg(c, ups);
	reply_raw(c, " ", 1);
}

int
cmd_list_ups(struct client *c, int argc, char **argv)
{
	struct ups *u;

	list_words(c, "BEGIN LIST", "UPS", NULL, NULL);
	for (u = ups_first(); u != NULL; u = u->next) {
		reply_str(c, "UPS ");
		reply_arg(c, u->name);
		reply_raw(c, " ", 1);
		reply_quoted(c, u->desc != NULL ? u->desc : "Description unavailable");
		reply_raw(c, "\n", 1);
	}
	list_words(c, "END LIST", "UPS", NULL, NULL);
	return 0;
}

static struct ups *
list_avail(struct client *c, const char *name)
{
	struct ups *u = ups_lookup(c, name);

	if (u == NULL || ups_check_avail(c, u) != 0)
		return NULL;
	return u;
}

struct list_cursor {
	struct ups *u;
	unsigned gen;			/* u->drv.gen when the listing began */
	int rw_only;
	char *echo;			/* the UPS name as the query spelled it */
	char last[VT_NAME_MAX + 1];	/* the last variable sent ("" none yet) */
	/* the last variable when the listing began ("" none): names a driver
	   adds after it meanwhile are not chased, or the list need not end */
	char end[VT_NAME_MAX + 1];
};

static struct log_ratelimit abandon_rl = LOG_RATELIMIT_INIT(60, 5);

void
list_cursor_free(struct client *c)
{
	if (c->cursor == NULL)
		return;
	free(c->cursor->echo);
	free(c->cursor);
	c->cursor = NULL;
}

struct ups *
list_cursor_ups(const struct client *c)
{
	return c->cursor != NULL ? c->cursor->u : NULL;
}

int
list_fill(struct client *c)
{
	struct list_cursor *k = c->cursor;
	const char *sub = k->rw_only ? "RW" : "VAR";
	char fsd[VT_VALUE_MAX + 8];
	size_t i, n;

	if (k->u->drv.gen != k->gen) {
		if (log_ratelimit(&abandon_rl))
			log_info("%s: LIST %s %s abandoned: the driver's data was dropped "
			    "meanwhile", c->peer, sub, k->u->name);
		list_cursor_free(c);
		c->want_close = 1;
		return 0;
	}
	n = k->end[0] != '\0' ? vt_after(k->u->tree, k->end) : 0;
	for (i = vt_after(k->u->tree, k->last); i < n; i++) {
		struct vt_var *v = vt_at(k->u->tree, i);

		if (buf_len(c->out) + c->kernel_queued >= UPSD_OUT_HIGH || c->overflow)
			return 1;
		(void)str_copy(k->last, vt_name(v), sizeof(k->last));
		if (k->rw_only && !(vt_flags(v) & VT_RW))
			continue;
		item_head(c, sub, k->echo);
		/* a driver's name may hold '"', '\\', '#' or '=': quoted then */
		reply_arg(c, vt_name(v));
		reply_raw(c, " ", 1);
		/* The FSD latch shows in LIST VAR but not in LIST RW (NUT). */
		reply_quoted(c, k->rw_only ? vt_value(v) : ups_var_value(k->u, v, fsd,
		    sizeof(fsd)));
		reply_raw(c, "\n", 1);
	}
	list_words(c, "END LIST", sub, k->echo, NULL);
	list_cursor_free(c);
	return 0;
}

static int
list_vars(struct client *c, const char *upsname, const char *sub, int rw_only)
{
	struct ups *u = list_avail(c, upsname);
	struct list_cursor *k;
	size_t n;

	if (u == NULL)
		return -1;
	list_words(c, "BEGIN LIST", sub, upsname, NULL);
	k = XNEW(struct list_cursor);
	k->u = u;
	k->gen = u->drv.gen;
	k->rw_only = rw_only;
	k->echo = xstrdup(upsname);
	n = vt_count(u->tree);
	if (n > 0)
		(void)str_copy(k->end, vt_name(vt_at(u->tree, n - 1)), sizeof(k->end));
	c->cursor = k;
	(void)list_fill(c);
	return 0;
}

int
cmd_list_var(struct client *c, int argc, char **argv)
{
	return list_vars(c, argv[0], "VAR", 0);
}

int
cmd_list_rw(struct client *c, int argc, char **argv)
{
	return list_vars(c, argv[0], "RW", 1);
}

int
cmd_list_cmd(struct client *c, int argc, char **argv)
{
	struct ups *u = list_avail(c, argv[0]);
	size_t i, n;

	if (u == NULL)
		return -1;
	list_words(c, "BEGIN LIST", "CMD", argv[0], NULL);
	n = vt_cmd_count(u->tree);
	for (i = 0; i < n; i++) {
		item_head(c, "CMD", argv[0]);
		reply_arg(c, vt_cmd_at(u->tree, i));
		reply_raw(c, "\n", 1);
	}
	list_words(c, "END LIST", "CMD", argv[0], NULL);
	return 0;
}

/* The variable for ENUM/RANGE after NUT's checks; NULL after an ERR. */
static struct vt_var *
list_var_checked(struct client *c, char **argv)
{
	struct ups *u = list_avail(c, argv[0]);
	struct vt_var *v;

	if (u == NULL)
		return NULL;
	if ((v = vt_get(u->tree, argv[1])) == NULL)
		reply_err(c, PERR_VAR_NOT_SUPPORTED);
	return v;
}

int
cmd_list_enum(struct client *c, int argc, char **argv)
{
	struct vt_var *v = list_var_checked(c, argv);
	size_t i, n;

	if (v == NULL)
		return -1;
	list_words(c, "BEGIN LIST", "ENUM", argv[0], argv[1]);
	n = vt_enum_count(v);
	for (i = 0; i < n; i++) {
		item_head(c, "ENUM", argv[0]);
		reply_arg(c, argv[1]);
		reply_raw(c, " ", 1);
		reply_quoted(c, vt_enum_at(v, i));
		reply_raw(c, "\n", 1);
	}
	list_words(c, "END LIST", "ENUM", argv[0], argv[1]);
	return 0;
}

int
cmd_list_range(struct client *c, int argc, char **argv)
{
	struct vt_var *v = list_var_checked(c, argv);
	size_t i, n;

	if (v == NULL)
		return -1;
	list_words(c, "BEGIN LIST", "RANGE", argv[0], argv[1]);
	n = vt_range_count(v);
	for (i = 0; i < n; i++) {
		long min, max;

		vt_range_at(v, i, &min, &max);
		item_head(c, "RANGE", argv[0]);
		reply_arg(c, argv[1]);
		reply_printf(c, " \"%ld\" \"%ld\"\n", min, max);
	}
	list_words(c, "END LIST", "RANGE", argv[0], argv[1]);
	return 0;
}

/* LIST_CLIENT_ACCESS: 0, or -1 after an error reply. */
static int
list_client_allowed(struct client *c, const struct ups *u)
{
	int need = state_conf()->list_client;

	if (need == LIST_CLIENT_ANYONE)
		return 0;
	if (c->username == NULL || c->password == NULL) {
		reply_err(c, c->username == NULL ? PERR_USERNAME_REQUIRED :
		    PERR_PASSWORD_REQUIRED);
		return -1;
	}
	return auth_user(c, "LIST CLIENT", u->name, need == LIST_CLIENT_PRIMARY ?
	    ACT_PRIMARY | ACT_MASTER : 0, NULL) != NULL ? 0 : -1;
}

int
cmd_list_client(struct client *c, int argc, char **argv)
{
	struct ups *u = ups_lookup(c, argv[0]);
	struct client *k;

	if (u == NULL || list_client_allowed(c, u) != 0)
		return -1;
	list_words(c, "BEGIN LIST", "CLIENT", argv[0], NULL);
	for (k = client_first(); k != NULL; k = k->next) {
		if (k->login_ups != u)
			continue;
		reply_str(c, "CLIENT ");
		reply_arg(c, u->name);
		reply_raw(c, " ", 1);
		reply_str(c, k->peer);
		reply_raw(c, "\n", 1);
	}
	list_words(c, "END LIST", "CLIENT", argv[0], NULL);
	return 0;
}
