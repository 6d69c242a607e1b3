/*
 * nutsec - upssched_conf.c: upssched.conf on the common/conf engine.
 * Directives as NUT spells them (case-sensitive): CMDSCRIPT, PIPEFN,
 * LOCKFN, and AT <notifytype> <ups|*> START-TIMER <name> <seconds> |
 * CANCEL-TIMER <name> [<command>] | EXECUTE <command>. NUT requires the
 * three file names before the first AT and so do we. Every AT line is
 * checked in full when the file is read (arity, interval, names), so a
 * mistake is a file:line error at the first event instead of a line the
 * timer process would refuse later.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "upssched.h"
#include "xmalloc.h"

#define US_MAX_AT 1024	/* AT lines accepted */

static int
conf_cmdscript(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct us_conf *c = obj;

	(void)argc;
	if (argv[0][0] == '\0') {
		conf_error(cx, "CMDSCRIPT is empty");
		return -1;
	}
	free(c->cmdscript);
	c->cmdscript = xstrdup(argv[0]);
	return 0;
}

static int
check_name(struct conf_ctx *cx, const char *what, const char *s)
{
	if (us_name_ok(s))
		return 0;
	conf_error(cx, "%s '%s': 1 to %d printable characters", what, s, US_NAME_MAX);
	return -1;
}

static int
conf_at(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct us_conf *c = obj;
	struct us_at a;
	long secs = 0;

	if (c->cmdscript == NULL || c->pipefn == NULL || c->lockfn == NULL) {
		conf_error(cx, "CMDSCRIPT, PIPEFN and LOCKFN must be set before any AT");
		return -1;
	}
	if (c->nat >= US_MAX_AT) {
		conf_error(cx, "more than %d AT lines", US_MAX_AT);
		return -1;
	}
	memset(&a, 0, sizeof(a));
	if (strcmp(argv[2], "START-TIMER") == 0) {
		if (argc != 5) {
			conf_error(cx, "START-TIMER takes a timer name and an interval in seconds");
			return -1;
		}
		if (check_name(cx, "timer name", argv[3]) != 0 ||
		    conf_parse_long(cx, argv[4], 0, US_MAX_SECS, &secs) != 0)
			return -1;
		a.cmd = US_START;
	} else if (strcmp(argv[2], "CANCEL-TIMER") == 0) {
		if (check_name(cx, "timer name", argv[3]) != 0 ||
		    (argc == 5 && check_name(cx, "command", argv[4]) != 0))
			return -1;
		a.cmd = US_CANCEL;
	} else if (strcmp(argv[2], "EXECUTE") == 0) {
		if (argc != 4) {
			conf_error(cx, "EXECUTE takes one command");
			return -1;
		}
		if (check_name(cx, "command", argv[3]) != 0)
			return -1;
		a.cmd = US_EXECUTE;
	} else {
		conf_error(cx, "unknown AT command '%s' (START-TIMER, CANCEL-TIMER or EXECUTE)",
		    argv[2]);
		return -1;
	}
	if (argv[0][0] == '\0' || argv[1][0] == '\0') {
		conf_error(cx, "AT needs a notify type and a UPS name (or *)");
		return -1;
	}
	a.event = xstrdup(argv[0]);
	a.ups = xstrdup(argv[1]);
	a.arg = xstrdup(argv[3]);
	a.arg2 = (a.cmd == US_CANCEL && argc == 5) ? xstrdup(argv[4]) : NULL;
	a.secs = secs;
	a.line = conf_line(cx);
	c->at = xreallocarray(c->at, c->nat + 1, sizeof(*c->at));
	c->at[c->nat++] = a;
	return 0;
}

/* sandbox.h's enum sandbox_action, in its order. */
static const char *const sandbox_names[] = { "kill", "trap", "log", "off", NULL };

/* Sorted with strcmp (NUT's names are case-sensitive). */
static const struct conf_directive us_directives[] = {
	{ "AT", CONF_CUSTOM, 0, 4, 5, 0, 0, NULL, CONF_F_REPEATABLE, conf_at,
	    "AT <notifytype> <ups|*> START-TIMER|CANCEL-TIMER|EXECUTE <args>" },
	{ "CMDSCRIPT", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, conf_cmdscript,
	    "the program run with a timer's name when it fires" },
	{ "LOCKFN", CONF_PATH, offsetof(struct us_conf, lockfn), 1, 1, 0, 0, NULL, 0, NULL,
	    "the lock file against two starters racing" },
	{ "PIPEFN", CONF_PATH, offsetof(struct us_conf, pipefn), 1, 1, 0, 0, NULL, 0, NULL,
	    "the timer process's socket" },
	{ "SANDBOX", CONF_ENUM, offsetof(struct us_conf, sandbox), 1, 1, 0, 0, sandbox_names,
	    0, NULL, "the seccomp filter's action: kill (default), trap, log or off" },
};

static const struct conf_spec us_spec = {
	"upssched.conf", us_directives, sizeof(us_directives) / sizeof(us_directives[0]),
	NULL, 0, 0, NULL, NULL, 0
};

int
us_conf_load(struct us_conf *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	conf_check_table(us_spec.what, us_directives,
	    sizeof(us_directives) / sizeof(us_directives[0]), 0);
	return conf_load(path, &us_spec, c);
}

void
us_conf_free(struct us_conf *c)
{
	size_t i;

	for (i = 0; i < c->nat; i++) {
		free(c->at[i].event);
		free(c->at[i].ups);
		free(c->at[i].arg);
		free(c->at[i].arg2);
	}
	free(c->at);
	free(c->cmdscript);
	free(c->pipefn);
	free(c->lockfn);
	memset(c, 0, sizeof(*c));
}

int
us_at_matches(const struct us_at *a, const char *ups, const char *event)
{
	if (strcmp(a->ups, "*") != 0 && strcmp(a->ups, ups) != 0)
		return 0;
	return strcasecmp(a->event, event) == 0;
}
