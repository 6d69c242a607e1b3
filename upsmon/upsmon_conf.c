/*
 * nutsec - upsmon_conf.c: upsmon.conf, every directive in one table on
 * common/conf (errors as file:line), the client TLS keys (CERTPATH,
 * CERTIDENT, CERTHOST, CERTVERIFY, FORCESSL) through libupsclient's
 * reader, and the checks on the file as a whole. SHUTDOWNCMD and NOTIFYCMD
 * are split into argument vectors here, once: they are never given to a
 * shell (docs/upsmon.md, "Commands").
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "secret.h"
#include "tok.h"
#include "xmalloc.h"

#include "upsmon.h"

/* In the order of enum sandbox_action (sandbox/sandbox.h). */
static const char *const sandbox_names[] = { "kill", "trap", "log", "off", NULL };

static void
argv_free(char **v)
{
	size_t i;

	for (i = 0; v[i] != NULL; i++) {
		free(v[i]);
		v[i] = NULL;
	}
}

/* Words a shell would give a meaning that our argv never will. */
static int
shellish(const char *w)
{
	return strpbrk(w, ";|&`<>") != NULL || strstr(w, "$(") != NULL;
}

int
upsmon_conf_split_cmd(const char *what, int argc, char **argv, char **out, char *err,
    size_t errlen)
{
	struct tok *t = tok_new(UPSMON_MAX_ARGS, 0);
	size_t n = 0, i, wc;
	char **w;
	int k;

	if (tok_split(t, argv[0], strlen(argv[0])) != TOK_LINE) {
		(void)str_printf(err, errlen, "%s: %s", what, tok_error(t));
		tok_free(t);
		return -1;
	}
	wc = tok_argc(t);
	w = tok_argv(t);
	if (wc == 0) {
		(void)str_printf(err, errlen, "%s: empty command", what);
		tok_free(t);
		return -1;
	}
	if (wc + (size_t)(argc - 1) > UPSMON_MAX_ARGS) {
		(void)str_printf(err, errlen, "%s: more than %d words", what, UPSMON_MAX_ARGS);
		tok_free(t);
		return -1;
	}
	for (i = 0; i < wc; i++)
		out[n++] = xstrdup(w[i]);
	tok_free(t);
	for (k = 1; k < argc; k++)
		out[n++] = xstrdup(argv[k]);
	out[n] = NULL;
	if (strchr(out[0], '/') == NULL || out[0][0] != '/') {
		(void)str_printf(err, errlen, "%s: '%s' must be an absolute path (it is run "
		    "without a shell or PATH search)", what, out[0]);
		argv_free(out);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (shellish(out[i])) {
			(void)str_printf(err, errlen, "%s: '%s' means something only to a shell, "
			    "and the command is run without one: put the pipeline in a script",
			    what, out[i]);
			argv_free(out);
			return -1;
		}
	}
	return 0;
}

static int
conf_cmd(struct conf_ctx *cx, int argc, char **argv, char **out, const char *what)
{
	char err[256];

	if (out[0] != NULL) {
		conf_error(cx, "%s given more than once", what);
		return -1;
	}
	if (upsmon_conf_split_cmd(what, argc, argv, out, err, sizeof(err)) != 0) {
		conf_error(cx, "%s", err);
		return -1;
	}
	return 0;
}

static int
conf_shutdowncmd(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return conf_cmd(cx, argc, argv, ((struct upsmon_conf *)obj)->shutdowncmd, "SHUTDOWNCMD");
}

static int
conf_notifycmd(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return conf_cmd(cx, argc, argv, ((struct upsmon_conf *)obj)->notifycmd, "NOTIFYCMD");
}

/* MONITOR <ups>[@<host>[:<port>]] <powervalue> <user> <password> <type> */
static int
conf_monitor(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsmon_conf *cf = obj;
	struct mon_entry *m;
	char err[256], *ups, *host;
	unsigned port;
	long power;
	size_t i;

	if (argc == 4) {
		conf_error(cx, "MONITOR: the old form without a user name is not supported: "
		    "MONITOR <ups>@<host> <power> <user> <password> primary|secondary");
		return -1;
	}
	if (argc != 5) {
		conf_error(cx, "MONITOR takes 5 values: <ups>[@<host>[:<port>]] <power> <user> "
		    "<password> primary|secondary");
		return -1;
	}
	if (strlen(argv[0]) >= UPSMON_SYS_MAX) {
		conf_error(cx, "MONITOR: '%s' is too long", argv[0]);
		return -1;
	}
	if (conf_parse_long(cx, argv[1], 0, INT_MAX, &power) != 0)
		return -1;
	if (argv[2][0] == '\0') {
		conf_error(cx, "MONITOR: empty user name");
		return -1;
	}
	for (i = 0; i < cf->nmon; i++) {
		if (strcmp(cf->mon[i].sys, argv[0]) == 0) {
			conf_warn(cx, "MONITOR %s already given on line %lu: ignored", argv[0],
			    cf->mon[i].line);
			return 0;
		}
	}
	if (cf->nmon >= UPSMON_MAX_MONITORS) {
		conf_error(cx, "MONITOR: %d at most", UPSMON_MAX_MONITORS);
		return -1;
	}
	if (upscli_splitname(argv[0], 3493, &ups, &host, &port, err, sizeof(err)) != 0) {
		conf_error(cx, "MONITOR %s: %s", argv[0], err);
		return -1;
	}
	m = &cf->mon[cf->nmon++];
	m->sys = xstrdup(argv[0]);
	m->upsname = ups;
	m->host = host;
	m->port = port;
	m->power = (unsigned)power;
	m->user = xstrdup(argv[2]);
	m->pass = secret_strdup(argv[3]);
	m->primary = strcasecmp(argv[4], "primary") == 0 || strcasecmp(argv[4], "master") == 0;
	if (!m->primary && strcasecmp(argv[4], "secondary") != 0 &&
	    strcasecmp(argv[4], "slave") != 0)
		conf_warn(cx, "MONITOR %s: type '%s' taken as secondary", argv[0], argv[4]);
	m->line = conf_line(cx);
	return 0;
}

static int
conf_minsupplies(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsmon_conf *cf = obj;

	cf->minsupplies_set = 1;
	return conf_parse_long(cx, argv[0], 0, INT_MAX, &cf->minsupplies);
}

static int
conf_notifymsg(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsmon_conf *cf = obj;
	char err[128];
	int t = nt_lookup(argv[0]);

	if (t < 0) {
		conf_error(cx, "NOTIFYMSG: unknown notification type '%s'", argv[0]);
		return -1;
	}
	if (nt_check_format(argv[1], nt_nargs((enum nt)t), err, sizeof(err)) != 0) {
		conf_error(cx, "NOTIFYMSG %s: %s", nt_name((enum nt)t), err);
		return -1;
	}
	free(cf->notifymsg[t]);
	cf->notifymsg[t] = xstrdup(argv[1]);
	return 0;
}

static int
conf_notifyflag(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsmon_conf *cf = obj;
	char buf[128], *p, *save = NULL;
	unsigned flags = 0;
	int t = nt_lookup(argv[0]);

	if (t < 0) {
		conf_error(cx, "NOTIFYFLAG: unknown notification type '%s'", argv[0]);
		return -1;
	}
	if (str_copy(buf, argv[1], sizeof(buf)) != 0) {
		conf_error(cx, "NOTIFYFLAG: flags too long");
		return -1;
	}
	for (p = strtok_r(buf, "+", &save); p != NULL; p = strtok_r(NULL, "+", &save)) {
		if (strcmp(p, "SYSLOG") == 0)
			flags |= NF_SYSLOG;
		else if (strcmp(p, "WALL") == 0)
			flags |= NF_WALL;
		else if (strcmp(p, "EXEC") == 0)
			flags |= NF_EXEC;
		else if (strcmp(p, "IGNORE") == 0)
			flags |= NF_IGNORE;
		else {
			conf_error(cx, "NOTIFYFLAG %s: unknown flag '%s' (SYSLOG, WALL, EXEC, "
			    "IGNORE, joined by +)", nt_name((enum nt)t), p);
			return -1;
		}
	}
	if (flags == 0) {
		conf_error(cx, "NOTIFYFLAG %s: no flag given", nt_name((enum nt)t));
		return -1;
	}
	cf->notifyflag[t] = flags & NF_IGNORE ? NF_IGNORE : flags;
	return 0;
}

/* SHUTDOWNEXIT yes|no|<seconds>; negative seconds = never. */
static int
conf_shutdownexit(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsmon_conf *cf = obj;
	int b;

	if (strcasecmp(argv[0], "yes") == 0 || strcasecmp(argv[0], "true") == 0 ||
	    strcasecmp(argv[0], "on") == 0) {
		b = 1;
	} else if (strcasecmp(argv[0], "no") == 0 || strcasecmp(argv[0], "false") == 0 ||
	    strcasecmp(argv[0], "off") == 0) {
		b = 0;
	} else {
		return conf_parse_long(cx, argv[0], -1, 86400 * 365, &cf->shutdownexit);
	}
	cf->shutdownexit = b ? 0 : -1;
	return 0;
}

#define OFF(f) offsetof(struct upsmon_conf, f)
#define SECS(name, f, lo, help) \
	{ name, CONF_INT, OFF(f), 0, 0, lo, 86400L * 365, NULL, CONF_F_RELOADABLE, NULL, help }
/* Sorted by strcmp: conf_check_table() verifies it. */
static const struct conf_directive upsmon_directives[] = {
	{ "ALARMCRITICAL", CONF_BOOL, OFF(alarmcritical), 0, 0, 0, 0, NULL,
	    CONF_F_RELOADABLE, NULL, "ALARM with communication lost is critical" },
	SECS("DEADTIME", deadtime, 1, "seconds without news before an OB UPS counts as LB"),
	SECS("FINALDELAY", finaldelay, 0, "seconds between SHUTDOWN and SHUTDOWNCMD"),
	SECS("HOSTSYNC", hostsync, 1, "seconds a primary waits for its secondaries"),
	{ "MINSUPPLIES", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, CONF_F_RELOADABLE,
	    conf_minsupplies, "power supplies needed to keep running" },
	{ "MONITOR", CONF_CUSTOM, 0, 0, 32, 0, 0, NULL,
	    CONF_F_REPEATABLE | CONF_F_RELOADABLE | CONF_F_MASK, conf_monitor,
	    "<ups>[@<host>[:<port>]] <power> <user> <password> primary|secondary" },
	SECS("NOCOMMWARNTIME", nocommwarntime, 1, "seconds between NOCOMM warnings"),
	{ "NOTIFYCMD", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL, 0, conf_notifycmd,
	    "program (and arguments) run for EXEC notifications" },
	{ "NOTIFYFLAG", CONF_CUSTOM, 0, 2, 2, 0, 0, NULL,
	    CONF_F_REPEATABLE | CONF_F_RELOADABLE, conf_notifyflag,
	    "<TYPE> SYSLOG+WALL+EXEC or IGNORE" },
	{ "NOTIFYMSG", CONF_CUSTOM, 0, 2, 2, 0, 0, NULL,
	    CONF_F_REPEATABLE | CONF_F_RELOADABLE, conf_notifymsg, "<TYPE> \"text with %s\"" },
	{ "OBLBDURATION", CONF_INT, OFF(oblbduration), 0, 0, -1, 86400L * 365, NULL,
	    CONF_F_RELOADABLE, NULL, "seconds OB+LB must last before it counts (0: at once)" },
	{ "OFFDURATION", CONF_INT, OFF(offduration), 0, 0, -1, 86400L * 365, NULL,
	    CONF_F_RELOADABLE, NULL, "seconds OFF must last before it counts (<0: never)" },
	{ "OVERDURATION", CONF_INT, OFF(overduration), 0, 0, -1, 86400L * 365, NULL,
	    CONF_F_RELOADABLE, NULL, "seconds of OVER without news before it counts (<0: never)" },
	{ "POLLFAIL_LOG_THROTTLE_MAX", CONF_INT, OFF(pollfail_throttle), 0, 0, -1, INT_MAX,
	    NULL, CONF_F_RELOADABLE, NULL, "log every Nth repeated poll failure (-1: all)" },
	SECS("POLLFREQ", pollfreq, 1, "seconds between polls"),
	SECS("POLLFREQALERT", pollfreqalert, 1, "seconds between polls while on battery"),
	{ "POWERDOWNFLAG", CONF_PATH, OFF(powerdownflag), 0, 0, 0, 0, NULL, 0, NULL,
	    "file created when shutting down (upsmon -K)" },
	SECS("RBWARNTIME", rbwarntime, 1, "seconds between REPLBATT warnings"),
	{ "RUN_AS_USER", CONF_STR, OFF(run_as_user), 0, 0, 0, 0, NULL, 0, NULL,
	    "user of the unprivileged processes" },
	{ "SANDBOX", CONF_ENUM, OFF(sandbox), 0, 0, 0, 0, sandbox_names, 0, NULL,
	    "seccomp filter action: kill (default), trap, log or off" },
	{ "SHUTDOWNCMD", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL, 0, conf_shutdowncmd,
	    "program (and arguments) that shuts the machine down" },
	{ "SHUTDOWNEXIT", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, CONF_F_RELOADABLE,
	    conf_shutdownexit, "yes, no, or seconds to linger after shutdown" },
};
#undef SECS
#undef OFF
#define NDIRECTIVES (sizeof(upsmon_directives) / sizeof(upsmon_directives[0]))

/* DEBUG_MIN in any case (as NUT), then the client TLS keys. */
static int
conf_unknown(struct conf_ctx *cx, void *obj, int in_section, const char *name, int argc,
    char **argv)
{
	struct upsmon_conf *cf = obj;
	int r;

	if (strcasecmp(name, "DEBUG_MIN") == 0) {
		if (argc != 1) {
			conf_error(cx, "'%s' takes 1 value", name);
			return -1;
		}
		return conf_parse_long(cx, argv[0], 0, 9, &cf->debug_min);
	}
	r = upscli_tlsconf_line(cx, &cf->tls, name, argc, argv);
	return r == 0 ? 0 : -1;
}

static const struct conf_spec upsmon_spec = {
	"upsmon.conf", upsmon_directives, NDIRECTIVES, NULL, 0, 0, NULL, conf_unknown, 0
};

struct upsmon_conf *
upsmon_conf_new(void)
{
	struct upsmon_conf *cf = XNEW(struct upsmon_conf);
	int i;

	cf->minsupplies = 1;
	cf->pollfreq = 5;
	cf->pollfreqalert = 5;
	cf->hostsync = 15;
	cf->deadtime = 15;
	cf->finaldelay = 5;
	cf->nocommwarntime = 300;
	cf->rbwarntime = 43200;
	cf->offduration = 30;
	cf->overduration = -1;
	cf->oblbduration = 0;
	cf->alarmcritical = 1;
	cf->shutdownexit = 0;
	cf->pollfail_throttle = -1;
	for (i = 0; i < NT__COUNT; i++)
		cf->notifyflag[i] = NF_SYSLOG | NF_WALL;
	upscli_tlsconf_init(&cf->tls, 0);
	return cf;
}

void
upsmon_conf_free(struct upsmon_conf *cf)
{
	size_t i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nmon; i++) {
		free(cf->mon[i].sys);
		free(cf->mon[i].upsname);
		free(cf->mon[i].host);
		free(cf->mon[i].user);
		secret_strfree(cf->mon[i].pass);
	}
	argv_free(cf->shutdowncmd);
	argv_free(cf->notifycmd);
	for (i = 0; i < NT__COUNT; i++)
		free(cf->notifymsg[i]);
	free(cf->powerdownflag);
	free(cf->run_as_user);
	free(cf->path);
	upscli_tlsconf_free(&cf->tls);
	free(cf);
}

int
upsmon_conf_load(struct upsmon_conf *cf, const char *path)
{
	unsigned long total = 0;
	size_t i;
	int n;

	conf_check_table("upsmon.conf", upsmon_directives, NDIRECTIVES, 0);
	free(cf->path);
	cf->path = xstrdup(path);
	n = conf_load(path, &upsmon_spec, cf);
	if (n < 0) {
		log_warn("cannot read %s", path);
		return -1;
	}
	for (i = 0; i < cf->nmon; i++)
		total += cf->mon[i].power;
	if (cf->nmon == 0) {
		log_warnx("%s: no MONITOR line: nothing to monitor", path);
		n++;
	} else if (total < (unsigned long)cf->minsupplies) {
		log_warnx("%s: MINSUPPLIES %ld is more than the power values of all MONITOR "
		    "lines together (%lu): the machine could never run", path,
		    cf->minsupplies, total);
		n++;
	}
	if (cf->tls.certverify == 1 && cf->tls.certpath == NULL) {
		log_warnx("%s: CERTVERIFY 1 needs CERTPATH: no server could be verified", path);
		n++;
	}
	if (cf->shutdowncmd[0] == NULL)
		log_warnx("%s: no SHUTDOWNCMD: upsmon cannot shut this machine down", path);
	if (cf->powerdownflag == NULL)
		log_info("%s: no POWERDOWNFLAG: upsmon -K will always answer no", path);
	return n;
}

const char *
upsmon_conf_msg(const struct upsmon_conf *cf, enum nt t)
{
	if ((unsigned)t < NT__COUNT && cf->notifymsg[t] != NULL)
		return cf->notifymsg[t];
	return nt_default_msg(t);
}

const struct mon_entry *
upsmon_conf_find(const struct upsmon_conf *cf, const char *sys)
{
	size_t i;

	for (i = 0; i < cf->nmon; i++)
		if (strcmp(cf->mon[i].sys, sys) == 0)
			return &cf->mon[i];
	return NULL;
}
