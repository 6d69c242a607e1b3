/*
 * nutsec - dispatch.c: the one command table of the network protocol and
 * the generic checks made before any handler runs: tokenizing, verb and
 * sub-command lookup, the "needs user" checks in NUT's order (username,
 * password, tcp-wrappers), arity, once-per-connection commands, and debug
 * logging with the arguments of CMD_SECRET rows never written anywhere.
 * Handlers only do the semantic work.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "log.h"
#include "tok.h"

#include "upsd.h"

/*
 * Rows of one verb are adjacent. CMD_USER is a property of the verb (NUT
 * checks it before looking at the sub-command), so every row of a verb
 * carries the same CMD_USER bit; dispatch_check_table() verifies that.
 */
static const struct cmd cmd_table[] = {
	{ "VER", NULL, 0, 0, 0, 0, cmd_ver },
	{ "NETVER", NULL, 0, 0, 0, 0, cmd_netver },
	{ "PROTVER", NULL, 0, 0, 0, 0, cmd_netver },
	{ "HELP", NULL, 0, 0, 0, 0, cmd_help },
	{ "STARTTLS", NULL, 0, CMD_ANY, 0, 0, cmd_starttls },
	{ "GET", "VAR", 2, CMD_ANY, 0, 0, cmd_get_var },
	{ "GET", "TYPE", 2, CMD_ANY, 0, 0, cmd_get_type },
	{ "GET", "DESC", 2, CMD_ANY, 0, 0, cmd_get_desc },
	{ "GET", "CMDDESC", 2, CMD_ANY, 0, 0, cmd_get_cmddesc },
	{ "GET", "UPSDESC", 1, CMD_ANY, 0, 0, cmd_get_upsdesc },
	{ "GET", "NUMLOGINS", 1, CMD_ANY, 0, 0, cmd_get_numlogins },
	{ "GET", "TRACKING", 0, CMD_ANY, 0, 0, cmd_get_tracking },
	{ "LIST", "VAR", 1, CMD_ANY, 0, 0, cmd_list_var },
	{ "LIST", "UPS", 0, CMD_ANY, 0, 0, cmd_list_ups },
	{ "LIST", "RW", 1, CMD_ANY, 0, 0, cmd_list_rw },
	{ "LIST", "CMD", 1, CMD_ANY, 0, 0, cmd_list_cmd },
	{ "LIST", "ENUM", 2, CMD_ANY, 0, 0, cmd_list_enum },
	{ "LIST", "RANGE", 2, CMD_ANY, 0, 0, cmd_list_range },
	{ "LIST", "CLIENT", 1, CMD_ANY, 0, 0, cmd_list_client },
	{ "USERNAME", NULL, 1, 1, CMD_ONCE, PERR_ALREADY_SET_USERNAME, cmd_username },
	{ "PASSWORD", NULL, 1, 1, CMD_ONCE | CMD_SECRET, PERR_ALREADY_SET_PASSWORD,
	    cmd_password },
	{ "LOGIN", NULL, 1, 1, CMD_USER | CMD_ONCE, PERR_ALREADY_LOGGED_IN, cmd_login },
	{ "LOGOUT", NULL, 0, 0, 0, 0, cmd_logout },
	{ "PRIMARY", NULL, 1, 1, CMD_USER, 0, cmd_primary },
	{ "MASTER", NULL, 1, 1, CMD_USER, 0, cmd_master },
	{ "FSD", NULL, 1, 1, CMD_USER, 0, cmd_fsd },
	{ "SET", "VAR", 3, CMD_ANY, CMD_USER, 0, cmd_set_var },
	{ "SET", "TRACKING", 1, CMD_ANY, CMD_USER, 0, cmd_set_tracking },
	{ "INSTCMD", NULL, 2, CMD_ANY, CMD_USER, 0, cmd_instcmd },
};
#define NCMDS (sizeof(cmd_table) / sizeof(cmd_table[0]))

static struct tok *tk;	/* one tokenizer for every request: lines are complete */
static struct log_ratelimit parse_rl = LOG_RATELIMIT_INIT(60, 10);
static struct log_ratelimit wrap_rl = LOG_RATELIMIT_INIT(60, 10);

const struct cmd *
dispatch_table(size_t *n)
{
	*n = NCMDS;
	return cmd_table;
}

/* The table's invariants; a violation is a bug, caught at the first request. */
static void
dispatch_check_table(void)
{
	size_t i, j;

	for (i = 0; i < NCMDS; i++) {
		const struct cmd *r = &cmd_table[i];

		if ((r->flags & CMD_ONCE) && i >= 32)
			fatalx("dispatch: CMD_ONCE row %zu has no bit", i);
		if (r->max_args != CMD_ANY && r->max_args < r->min_args)
			fatalx("dispatch: row %s %s: bad arity", r->verb, r->sub ? r->sub : "");
		for (j = 0; j < i; j++) {
			const struct cmd *q = &cmd_table[j];

			if (strcasecmp(q->verb, r->verb) != 0)
				continue;
			if (j + 1 != i && strcasecmp(cmd_table[i - 1].verb, r->verb) != 0)
				fatalx("dispatch: rows of %s are not adjacent", r->verb);
			if ((q->flags & CMD_USER) != (r->flags & CMD_USER) ||
			    (q->sub == NULL) != (r->sub == NULL))
				fatalx("dispatch: rows of %s disagree", r->verb);
			if (q->sub != NULL && strcasecmp(q->sub, r->sub) == 0)
				fatalx("dispatch: %s %s twice", r->verb, r->sub);
		}
	}
}

/* A cheap pre-test: 1 if two bytes differ by more than ASCII case. */
#define DIFFER_IGNCASE(a, b) ((((unsigned char)(a)) ^ ((unsigned char)(b))) & 0xdf)

static const struct cmd *
dispatch_find_verb(const char *verb)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!DIFFER_IGNCASE(cmd_table[i].verb[0], verb[0]) &&
		    strcasecmp(cmd_table[i].verb, verb) == 0)
			return &cmd_table[i];
	return NULL;
}

/* Any row of the verb marked secret hides the arguments of all its forms. */
static int
dispatch_verb_secret(const struct cmd *first)
{
	const struct cmd *r;

	for (r = first; r < cmd_table + NCMDS && strcasecmp(r->verb, first->verb) == 0; r++)
		if (r->flags & CMD_SECRET)
			return 1;
	return 0;
}

/* Logs a request at debug level 2; secret arguments are replaced, not cut. */
static void
dispatch_log(const struct client *c, const struct cmd *first, int argc, char **argv)
{
	char line[512];
	size_t off = 0;
	int i;

	if (log_get_level() < 2)
		return;
	if (dispatch_verb_secret(first)) {
		log_debug2("%s: %s [%d argument(s) redacted]", c->peer, argv[0], argc - 1);
		return;
	}
	line[0] = '\0';
	for (i = 0; i < argc && off < sizeof(line) - 1; i++) {
		size_t w = strlen(argv[i]);

		if (i > 0)
			line[off++] = ' ';
		if (w > sizeof(line) - 1 - off)
			w = sizeof(line) - 1 - off;
		memcpy(line + off, argv[i], w);
		off += w;
		line[off] = '\0';
	}
	log_debug2("%s: %s", c->peer, line);
}

/* NUT's checks for the commands that act with a user's authority. */
static int
dispatch_user_checks(struct client *c)
{
	if (c->username == NULL) {
		reply_err(c, PERR_USERNAME_REQUIRED);
		return -1;
	}
	if (c->password == NULL) {
		reply_err(c, PERR_PASSWORD_REQUIRED);
		return -1;
	}
	if (!access_allowed(c->username, c->peer)) {
		if (log_ratelimit(&wrap_rl))
			log_notice("tcp-wrappers denied user %s from %s", c->username,
			    c->peer);
		reply_err(c, PERR_ACCESS_DENIED);
		return -1;
	}
	return 0;
}

/* Tokenizes a request. 0, or -1 after replying to a parse error. */
static int
dispatch_split(struct client *c, const char *line, size_t len, int *argc, char ***argv)
{
	/* tok_split splits plain lines in one pass: no second tokenizer here */
	if (tok_split(tk, line, len) != TOK_LINE) {
		/* NUT stays silent and drops the rest of the read; we answer. */
		if (log_ratelimit(&parse_rl))
			log_debug("%s: request not parsed: %s", c->peer, tok_error(tk));
		reply_err(c, PERR_INVALID_ARGUMENT);
		return -1;
	}
	*argc = (int)tok_argc(tk);
	*argv = tok_argv(tk);
	return 0;
}

/* Forgets a request that held a secret: tok clears its copy of the line. */
static void
dispatch_forget(void)
{
	tok_reset(tk);
}

void
dispatch_line(struct client *c, const char *line, size_t len)
{
	const struct cmd *row, *first;
	char **argv;
	int argc, nargs;

	if (tk == NULL) {
		dispatch_check_table();
		tk = tok_new(TOK_DEFAULT_MAX_ARGS, TOK_DEFAULT_MAX_WORD);
	}
	if (dispatch_split(c, line, len, &argc, &argv) != 0)
		return;
	if (argc == 0) {
		reply_err(c, PERR_UNKNOWN_COMMAND);
		return;
	}
	if ((first = dispatch_find_verb(argv[0])) == NULL) {
		log_debug("%s: unknown command '%s'", c->peer, argv[0]);
		reply_err(c, PERR_UNKNOWN_COMMAND);
		return;
	}
	dispatch_log(c, first, argc, argv);
	if ((first->flags & CMD_USER) && dispatch_user_checks(c) != 0)
		return;
	row = first;
	nargs = argc - 1;
	argv++;
	if (first->sub != NULL) {
		if (nargs < 1) {
			reply_err(c, PERR_INVALID_ARGUMENT);
			return;
		}
		for (; row < cmd_table + NCMDS && strcasecmp(row->verb, first->verb) == 0; row++)
			if (!DIFFER_IGNCASE(row->sub[0], argv[0][0]) &&
			    strcasecmp(row->sub, argv[0]) == 0)
				break;
		if (row == cmd_table + NCMDS || strcasecmp(row->verb, first->verb) != 0) {
			reply_err(c, PERR_INVALID_ARGUMENT);
			return;
		}
		nargs--;
		argv++;
	}
	if (nargs < row->min_args || (row->max_args != CMD_ANY && nargs > row->max_args)) {
		reply_err(c, PERR_INVALID_ARGUMENT);
		return;
	}
	if (row->flags & CMD_ONCE) {
		unsigned bit = 1u << (unsigned)(row - cmd_table);

		if (c->once & bit) {
			reply_err(c, row->once_err);
			return;
		}
		if (row->fn(c, nargs, argv) == 0)
			c->once |= bit;
	} else
		(void)row->fn(c, nargs, argv);
	/* The tokenizer's copy of a secret does not outlive the request. */
	if (row->flags & CMD_SECRET)
		dispatch_forget();
}

void
dispatch_fini(void)
{
	tok_free(tk);
	tk = NULL;
}
