/*
 * nutsec - dispatch.c: the one command table of the network protocol and
 * the generic checks made before any handler runs: tokenizing, verb and
 * sub-command lookup, the "needs user" checks in NUT's order (username,
 * password, tcp-wrappers), arity, once-per-connection commands, and debug
 * logging with the arguments of CMD_SECRET rows never written anywhere.
 * Handlers only do the semantic work.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "log.h"
#include "tok.h"

#include "upsd.h"

/*
 * Rows of one verb are adjacent. CMD_USER is a property of the verb (NUT
 * checks it before looking at the sub-command), so every row of a verb
 * carries the same CMD_USER bit; dispatch_check_table() verifies that.
 */
static const struct cmd cmd_table[] = {
	{ "VER", NULL, 0, 0, CMD_PRETLS, 0, cmd_ver },
	{ "NETVER", NULL, 0, 0, CMD_PRETLS, 0, cmd_netver },
	{ "PROTVER", NULL, 0, 0, CMD_PRETLS, 0, cmd_netver },
	{ "HELP", NULL, 0, 0, CMD_PRETLS, 0, cmd_help },
	{ "STARTTLS", NULL, 0, CMD_ANY, CMD_PRETLS, 0, cmd_starttls },
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
	{ "LOGOUT", NULL, 0, 0, CMD_PRETLS, 0, cmd_logout },
	{ "PRIMARY", NULL, 1, 1, CMD_USER, 0, cmd_primary },
	{ "MASTER", NULL, 1, 1, CMD_USER, 0, cmd_master },
	{ "FSD", NULL, 1, 1, CMD_USER, 0, cmd_fsd },
	{ "SET", "VAR", 3, CMD_ANY, CMD_USER, 0, cmd_set_var },
	{ "SET", "TRACKING", 1, CMD_ANY, CMD_USER, 0, cmd_set_tracking },
	{ "INSTCMD", NULL, 2, CMD_ANY, CMD_USER, 0, cmd_instcmd },
};
#define NCMDS (sizeof(cmd_table) / sizeof(cmd_table[0]))

static struct tok *tk;	/* one tokenizer for every request: lines are complete */

/*
 * Verb and sub-command lookup without string compares: a word of at most
 * 8 bytes, lower-cased (ASCII) and packed into 64 bits, is its own key, so
 * one integer compare decides a match ignoring case. Verbs sit in an
 * open-addressing table of row numbers (+1; 0 is empty); each verb's first
 * row knows how many adjacent rows it has. Built with the table check.
 */
#define VERB_SLOTS	64	/* a power of 2, more than twice the rows */
#define KEY_MAXLEN	8	/* bytes a key holds; every verb fits (checked) */
static unsigned char verb_slot[VERB_SLOTS];
static unsigned char verb_rows[sizeof(cmd_table) / sizeof(cmd_table[0])];
static uint64_t verb_key[sizeof(cmd_table) / sizeof(cmd_table[0])];
static uint64_t sub_key[sizeof(cmd_table) / sizeof(cmd_table[0])];
static unsigned char verb_len[sizeof(cmd_table) / sizeof(cmd_table[0])];
static unsigned char sub_len[sizeof(cmd_table) / sizeof(cmd_table[0])];

static struct log_ratelimit parse_rl = LOG_RATELIMIT_INIT(60, 10);
static struct log_ratelimit wrap_rl = LOG_RATELIMIT_INIT(60, 10);
static struct log_ratelimit plain_rl = LOG_RATELIMIT_INIT(60, 10);

const struct cmd *
dispatch_table(size_t *n)
{
	*n = NCMDS;
	return cmd_table;
}

/*
 * The key of word w: its first KEY_MAXLEN bytes with bit 0x20 set, packed,
 * and its length (KEY_MAXLEN + 1 for anything longer, which has no key).
 * Verbs and sub-commands are letters only (checked), and a byte whose
 * 0x20 form is a lower-case letter is that letter in either case, so equal
 * keys and lengths mean words equal ignoring ASCII case.
 */
static uint64_t
word_key(const char *w, size_t *plen)
{
	const unsigned char *p = (const unsigned char *)w;
	uint64_t k = 0;
	size_t n;

	for (n = 0; p[n] != '\0'; n++) {
		if (n == KEY_MAXLEN) {
			*plen = KEY_MAXLEN + 1;
			return k;
		}
		k |= (uint64_t)(p[n] | 0x20u) << (8 * n);
	}
	*plen = n;
	return k;
}

/* 1 if s is one or more ASCII letters. */
static int
all_letters(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (ascii_lower((unsigned char)*s) < 'a' || ascii_lower((unsigned char)*s) > 'z')
			return 0;
	return 1;
}

static unsigned
verb_slot_of(uint64_t key)
{
	return (unsigned)((key * 0x9e3779b97f4a7c15ull) >> 58) & (VERB_SLOTS - 1);
}

/* Fills the lookup tables from the (checked) table. */
static void
dispatch_index_verbs(void)
{
	size_t i, k, len;
	unsigned h;

	memset(verb_slot, 0, sizeof(verb_slot));
	for (i = 0; i < NCMDS; i++) {
		if (!all_letters(cmd_table[i].verb) ||
		    (cmd_table[i].sub != NULL && !all_letters(cmd_table[i].sub)))
			fatalx("dispatch: row %zu: verb and sub-command must be letters", i);
		verb_key[i] = word_key(cmd_table[i].verb, &len);
		if (len > KEY_MAXLEN)
			fatalx("dispatch: verb %s is over %d bytes", cmd_table[i].verb,
			    KEY_MAXLEN);
		verb_len[i] = (unsigned char)len;
		if (cmd_table[i].sub != NULL) {
			sub_key[i] = word_key(cmd_table[i].sub, &len);
			sub_len[i] = (unsigned char)len;
		}
	}
	for (i = 0; i < NCMDS; i = k) {
		for (k = i + 1; k < NCMDS && strcasecmp(cmd_table[k].verb, cmd_table[i].verb) == 0; k++)
			;
		verb_rows[i] = (unsigned char)(k - i);
		for (h = verb_slot_of(verb_key[i]); verb_slot[h] != 0; h = (h + 1) & (VERB_SLOTS - 1))
			;
		verb_slot[h] = (unsigned char)(i + 1);
	}
}

/* The table's invariants; a violation is a bug, caught at the first request. */
static void
dispatch_check_table(void)
{
	size_t i, j;

	if (NCMDS * 2 > VERB_SLOTS || NCMDS > 255)
		fatalx("dispatch: %zu rows do not fit the verb index", NCMDS);

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

/* The first row of verb, or NULL. */
static const struct cmd *
dispatch_find_verb(const char *verb)
{
	size_t len;
	uint64_t key = word_key(verb, &len);
	unsigned h, r;

	if (len > KEY_MAXLEN)
		return NULL;
	for (h = verb_slot_of(key); (r = verb_slot[h]) != 0; h = (h + 1) & (VERB_SLOTS - 1))
		if (verb_key[r - 1] == key && verb_len[r - 1] == len)
			return &cmd_table[r - 1];
	return NULL;
}

/* The row of first's verb whose sub-command is sub, or NULL. */
static const struct cmd *
dispatch_find_sub(const struct cmd *first, const char *sub)
{
	size_t i = (size_t)(first - cmd_table), end = i + verb_rows[i], len;
	uint64_t key = word_key(sub, &len);

	for (; i < end; i++) {
		if (len <= KEY_MAXLEN ? sub_key[i] == key && sub_len[i] == len :
		    sub_len[i] > KEY_MAXLEN && ascii_caseeq(cmd_table[i].sub, sub))
			return &cmd_table[i];
	}
	return NULL;
}

/* Any row of the verb marked secret hides the arguments of all its forms. */
static int
dispatch_verb_secret(const struct cmd *first)
{
	const struct cmd *r, *end = first + verb_rows[first - cmd_table];

	for (r = first; r < end; r++)
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

/*
 * REQUIRE_TLS: outside TLS only what a client sends before STARTTLS is
 * served; the rest gets NUT's ACCESS-DENIED. 1 when refused (answered).
 */
static int
dispatch_needs_tls(struct client *c)
{
	const struct upsd_conf *cf = state_conf();

	if (cf == NULL || !cf->require_tls || client_tls_up(c))
		return 0;
	if (log_ratelimit(&plain_rl))
		log_notice("%s: command refused outside TLS (REQUIRE_TLS): the client must "
		    "send STARTTLS first", c->peer);
	reply_err(c, PERR_ACCESS_DENIED);
	return 1;
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
		dispatch_index_verbs();
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
	if (!(first->flags & CMD_PRETLS) && dispatch_needs_tls(c))
		return;
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
		if ((row = dispatch_find_sub(first, argv[0])) == NULL) {
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
