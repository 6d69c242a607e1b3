/*
 * nutsec - upsdrvctl.c: starts, stops, shuts down and queries the drivers
 * of ups.conf. Options and commands as in NUT's upsdrvctl; drivers are run
 * with an argv (never a shell), from ups.conf's driverpath.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"
#include "upsconf.h"
#include "upsdrvctl.h"
#include "xmalloc.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: upsdrvctl [OPTIONS] (start | stop | shutdown | status | list) [<ups>]\n"
	    "       upsdrvctl [OPTIONS] -c <command> [<ups>]\n"
	    "  -t             test mode: print what would run, run nothing\n"
	    "  -D             more debugging output from upsdrvctl (repeatable)\n"
	    "  -d             pass -D to the drivers (repeatable)\n"
	    "  -F / -FF / -B  run drivers in the foreground (-FF: with PID files) / background\n"
	    "  -u <user>      drivers run as <user>\n"
	    "  -r <dir>       drivers chroot to <dir>\n"
	    "  -l             the same as the list command\n"
	    "  -c <command>   tell running drivers: reload, reload-or-exit, reload-or-error,\n"
	    "                 exit\n"
	    "  -h             this help\n");
}

enum verb { V_NONE, V_START, V_STOP, V_SHUTDOWN, V_STATUS, V_LIST, V_COMMAND };

static enum verb
parse_verb(const char *s)
{
	static const struct { const char *name; enum verb v; } verbs[] = {
		{ "start", V_START }, { "stop", V_STOP }, { "shutdown", V_SHUTDOWN },
		{ "status", V_STATUS }, { "list", V_LIST },
	};
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(s, verbs[i].name) == 0)
			return verbs[i].v;
	return V_NONE;
}

static int
parse_args(int argc, char **argv, struct ctl *c, enum verb *v, const char **ups)
{
	int ch, nf = 0, nb = 0, list = 0;

	opterr = 0;
	while ((ch = getopt(argc, argv, "+tDdFBu:r:lc:h")) != -1) {
		switch (ch) {
		case 't': c->testmode = 1; break;
		case 'D': c->debug++; break;
		case 'd': c->drv_debug++; break;
		case 'F': nf++; break;
		case 'B': nb++; break;
		case 'u': c->user = optarg; break;
		case 'r': c->chroot = optarg; break;
		case 'l': list = 1; break;
		case 'c': c->command = optarg; break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			fprintf(stderr, "upsdrvctl: unknown option -%c or missing argument\n", optopt);
			usage(stderr);
			return -1;
		}
	}
	if (nf > 0 && nb > 0) {
		fprintf(stderr, "upsdrvctl: -F and -B contradict each other\n");
		return -1;
	}
	c->foreground = nf > 1 ? 2 : nf == 1 ? 1 : nb > 0 ? -1 : 0;
	argc -= optind;
	argv += optind;
	if (c->command != NULL || list) {
		*v = c->command != NULL ? V_COMMAND : V_LIST;
	} else {
		if (argc < 1) {
			usage(stderr);
			return -1;
		}
		*v = parse_verb(argv[0]);
		if (*v == V_NONE) {
			fprintf(stderr, "upsdrvctl: unknown command \"%s\"\n", argv[0]);
			usage(stderr);
			return -1;
		}
		argc--;
		argv++;
	}
	if (argc > 1) {
		fprintf(stderr, "upsdrvctl: too many arguments\n");
		return -1;
	}
	*ups = argc == 1 ? argv[0] : NULL;
	return 0;
}

static int
load_conf(struct ctl *c)
{
	char path[4096];
	int errors = 0;
	const char *ign, *jail;

	if (paths_join(path, sizeof(path), paths_confpath(), "ups.conf") < 0) {
		log_warnx("configuration path too long");
		return -1;
	}
	c->uc = upsconf_load(path, &errors);
	if (c->uc == NULL)
		return -1;
	if (errors > 0) {
		log_warnx("%s: %d error%s", path, errors, errors == 1 ? "" : "s");
		return -1;
	}
	if (c->uc->nups == 0) {
		log_warnx("%s defines no UPS", path);
		return -1;
	}
	if (str_copy(c->driverpath, c->uc->driverpath ? c->uc->driverpath : DRVPATH,
	    sizeof(c->driverpath)) < 0)
		return -1;
	c->statepath = getenv("NUT_STATEPATH") == NULL && c->uc->statepath != NULL ?
	    c->uc->statepath : paths_statepath();
	/* The drivers' sockets are inside their jail (-r or chroot=). */
	jail = c->chroot != NULL ? c->chroot : c->uc->chroot;
	if (jail != NULL && geteuid() == 0 &&
	    paths_in_jail(c->statebuf, sizeof(c->statebuf), jail, c->statepath) == 0)
		c->statepath = c->statebuf;
	ign = getenv("NUT_IGNORE_NOWAIT");
	c->nowait = c->uc->nowait && !(ign != NULL && strcmp(ign, "true") == 0);
	return 0;
}

static int
run_one(struct ctl *c, enum verb v, struct upsconf_ups *u)
{
	switch (v) {
	case V_START:
		return ctl_start(c, u);
	case V_STOP:
		return ctl_stop(c, u);
	case V_STATUS:
		return ctl_status(c, u);
	case V_LIST:
		printf("%s\n", u->name);
		return 0;
	case V_COMMAND:
		return ctl_command(c, u);
	default:
		return 1;
	}
}

static int
run(struct ctl *c, enum verb v, const char *name)
{
	struct upsconf_ups *one = NULL;
	int failed = 0;
	size_t i;

	if (name != NULL && (one = upsconf_find(c->uc, name)) == NULL) {
		log_warnx("UPS %s is not in %s", name, c->uc->file);
		return 1;
	}
	if (v == V_SHUTDOWN)
		return ctl_shutdown(c, one) == 0 ? 0 : 1;
	if (v == V_STATUS)
		ctl_status_header();
	for (i = 0; i < c->uc->nups; i++)
		if (one == NULL || c->uc->ups[i] == one)
			failed += run_one(c, v, c->uc->ups[i]);
	if (v == V_START && c->foreground > 0 && !c->testmode)
		failed += ctl_wait_children();
	return failed == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct ctl c;
	enum verb v = V_NONE;
	const char *ups = NULL;
	int rc;

	memset(&c, 0, sizeof(c));
	log_init("upsdrvctl", 0, LOG_TO_STDERR);
	rc = parse_args(argc, argv, &c, &v, &ups);
	if (rc != 0)
		return rc > 0 ? 0 : 1;
	log_set_level(c.debug > 3 ? 3 : c.debug);
	if (load_conf(&c) < 0) {
		upsconf_free(c.uc);
		return 1;
	}
	rc = run(&c, v, ups);
	upsconf_free(c.uc);
	return rc;
}
