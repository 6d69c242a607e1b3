/*
 * nutsec - main.c: upsmon's command line and start-up, in the steps of
 * docs/architecture.md §2: options (-c signals a running upsmon, -X starts
 * one of the children the parent spawns), the configuration (-t and -K
 * stop there), detaching, the PID file, then the three processes
 * (parent.c) or one (-p, single.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "paths.h"
#include "pidfile.h"
#include "sandbox.h"
#include "xmalloc.h"

#include "loop.h"

#define UPSMON_PROG "upsmon"	/* what a PID file must name before a signal */

struct cli {
	struct upsmon_args a;
	const char *signal_cmd;		/* -c */
	long signal_pid;		/* -P */
	const char *child;		/* -X net|notify */
	int background, single, killpower, check;
};

enum { OPT_SANDBOX = 256 };
static const struct option long_opts[] = {
	{ "sandbox", required_argument, NULL, OPT_SANDBOX },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: upsmon [options]\n"
	    "  -c fsd|stop|reload  signal the running upsmon (prefixes work: -c f)\n"
	    "  -P <pid>        with -c: signal this PID instead of reading upsmon.pid\n"
	    "  -f <file>       the configuration (default $NUT_CONFPATH/upsmon.conf)\n"
	    "  -D              more debugging (repeat up to 3 times; implies -F)\n"
	    "  -F              stay in the foreground\n"
	    "  -B              go to the background even with -D\n"
	    "  -u <user>       the user of the unprivileged processes (default %s)\n"
	    "  -p              one process, as started (no privilege separation)\n"
	    "  -K              exit 0 if POWERDOWNFLAG says a shutdown is under way\n"
	    "  -4, -6          reach upsd over IPv4 only, or IPv6 only\n"
	    "  -t              check the configuration and exit\n"
	    "  --sandbox=kill|trap|log|off\n"
	    "                  seccomp filter action (overrides SANDBOX in upsmon.conf)\n"
	    "  -V              print the version and exit\n"
	    "  -h              this help\n", RUN_AS_USER);
}

static void
parse_args(int argc, char **argv, struct cli *cli)
{
	enum sandbox_action act;
	const char *env;
	char *end;
	int ch;

	memset(cli, 0, sizeof(*cli));
	cli->a.sandbox = -1;
	if ((env = getenv("NUT_DEBUG_LEVEL")) != NULL && env[0] >= '0' && env[0] <= '9')
		cli->a.debug = atoi(env);
	while ((ch = getopt_long(argc, argv, "46BDFJ:KP:VX:c:f:hj:ptu:", long_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_SANDBOX:
			if (sandbox_parse_action(optarg, &act) != 0) {
				fprintf(stderr, "upsmon: --sandbox: '%s' is not kill, trap, log "
				    "or off\n", optarg);
				exit(EXIT_FAILURE);
			}
			cli->a.sandbox = (int)act;
			break;
		case '4': cli->a.family = NET_FAMILY_V4; break;
		case '6': cli->a.family = NET_FAMILY_V6; break;
		case 'B': cli->background = 1; break;
		case 'D': cli->a.debug++; break;
		case 'F': cli->a.foreground = 1; break;
		case 'J': cli->a.jail = optarg; break;
		case 'K': cli->killpower = 1; break;
		case 'P':
			cli->signal_pid = strtol(optarg, &end, 10);
			if (*end != '\0' || cli->signal_pid < 2) {
				fprintf(stderr, "upsmon: -P needs a PID\n");
				exit(EXIT_FAILURE);
			}
			break;
		case 'V':
			printf("Network UPS Tools upsmon %s - nutsec\n", PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		case 'X': cli->child = optarg; break;
		case 'c': cli->signal_cmd = optarg; break;
		case 'f': cli->a.conf = optarg; break;
		case 'h': usage(stdout); exit(EXIT_SUCCESS);
		case 'j':
			if (sscanf(optarg, "%llu:%llu", &cli->a.jail_dev, &cli->a.jail_ino) != 2) {
				fprintf(stderr, "upsmon: -j needs dev:ino\n");
				exit(EXIT_FAILURE);
			}
			break;
		case 'p': cli->single = 1; break;
		case 't': cli->check = 1; break;
		case 'u': cli->a.user = optarg; break;
		default: usage(stderr); exit(EXIT_FAILURE);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(EXIT_FAILURE);
	}
	if (cli->a.debug > 0 && !cli->background)
		cli->a.foreground = 1;
}

/*
 * Where upsmon.pid lives: NUT_PIDPATH (NUT's place for it), else
 * NUT_ALTPIDPATH (so a test or a second instance can move it with the
 * other PID files), else the built-in PIDPATH.
 */
static const char *
pid_dir(void)
{
	if (getenv("NUT_PIDPATH") == NULL && getenv("NUT_ALTPIDPATH") != NULL)
		return paths_altpidpath();
	return paths_pidpath();
}

/* -c fsd|stop|reload, NUT's words, prefixes accepted. */
static int
signal_running(const struct cli *cli, const char *pidpath)
{
	static const struct { const char *word; int sig; } cmds[] = {
		{ "fsd", SIGUSR1 }, { "stop", SIGTERM }, { "reload", SIGHUP },
	};
	size_t i, len = strlen(cli->signal_cmd);
	int sig = 0;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]) && len > 0; i++)
		if (strncmp(cli->signal_cmd, cmds[i].word, len) == 0)
			sig = cmds[i].sig;
	if (sig == 0) {
		log_warnx("-c: unknown command '%s' (fsd, stop or reload)", cli->signal_cmd);
		return EXIT_FAILURE;
	}
	/* Whatever names the PID, only an upsmon is signalled (pidfile.c). */
	if (cli->signal_pid > 0)
		return proc_signal((pid_t)cli->signal_pid, UPSMON_PROG, sig, "-P", NULL) == 0 ?
		    EXIT_SUCCESS : EXIT_FAILURE;
	return pidfile_signal(pidpath, UPSMON_PROG, sig) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Refuses to run twice: the PID file names a live upsmon (a zombie left
   where init does not reap orphans does not count). */
static int
check_running(const char *pidpath)
{
	pid_t pid = pidfile_running(pidpath, UPSMON_PROG);

	if (pid == 0)
		return 0;
	log_warnx("upsmon is already running (PID %ld in %s)", (long)pid, pidpath);
	return -1;
}

int
main(int argc, char **argv)
{
	static char confpath[4096], self[4096], pidpath[4096];
	struct upsmon_conf *cf;
	struct cli cli;
	ssize_t n;
	int errs;

	/* 1. Options. */
	parse_args(argc, argv, &cli);
	log_init(cli.child == NULL ? "upsmon" : strcmp(cli.child, "net") == 0 ?
	    "upsmon-net" : "upsmon-notify", cli.a.debug > 3 ? 3 : cli.a.debug,
	    LOG_TO_STDERR | (cli.a.foreground || cli.check || cli.killpower ? 0 : LOG_TO_SYSLOG));
	(void)signal(SIGPIPE, SIG_IGN);
	if (paths_join(pidpath, sizeof(pidpath), pid_dir(), "upsmon.pid") != 0)
		fatalx("PID file path too long");
	if (cli.signal_cmd != NULL)
		return signal_running(&cli, pidpath);
	if (cli.a.conf == NULL) {
		if (paths_join(confpath, sizeof(confpath), paths_confpath(), "upsmon.conf") != 0)
			fatalx("configuration path too long");
		cli.a.conf = confpath;
	}
	if (cli.child != NULL) {
		if (strcmp(cli.child, "net") == 0)
			return netchild_main(&cli.a);
		if (strcmp(cli.child, "notify") == 0)
			return notifychild_main(&cli.a);
		fatalx("-X: unknown role '%s'", cli.child);
	}

	/* 2. Configuration. */
	cf = upsmon_conf_new();
	errs = upsmon_conf_load(cf, cli.a.conf);
	if (cli.check) {
		fprintf(errs == 0 ? stdout : stderr, "%s\n", errs == 0 ? "configuration OK" :
		    "configuration has errors");
		upsmon_conf_free(cf);
		return errs == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	if (cli.killpower) {
		errs = upsmon_pdflag_check(cf);
		upsmon_conf_free(cf);
		return errs;
	}
	if (errs != 0) {
		log_warnx("fatal: configuration errors (see above)");
		return EXIT_FAILURE;
	}
	if (cf->debug_min > cli.a.debug)
		log_set_level(cf->debug_min > 3 ? 3 : (int)cf->debug_min);

	/* 3. The run-as user must exist (and not be root) before anything starts. */
	if (geteuid() == 0 && !cli.single) {
		struct sandbox_opts sb;
		char err[256];
		uid_t uid;
		gid_t gid;

		memset(&sb, 0, sizeof(sb));
		sb.user = upsmon_user(&cli.a, cf);
		if (sandbox_resolve(&sb, &uid, &gid, err, sizeof(err)) != 0) {
			log_warnx("fatal: %s", err);
			return EXIT_FAILURE;
		}
	}

	/* 4. Our own program, for the children; an old POWERDOWNFLAG of ours. */
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		fatal("cannot find our own program (/proc/self/exe)");
	self[n] = '\0';
	cli.a.self = self;
	(void)upsmon_pdflag_clear(cf);

	/* 5. Detach, then the PID file. */
	if (check_running(pidpath) != 0)
		return EXIT_FAILURE;
	if (!cli.a.foreground && daemon_background() != 0)
		return EXIT_FAILURE;
	if (pidfile_write(pidpath) != 0)
		return EXIT_FAILURE;
	cli.a.pidfile = pidpath;

	/* 6. The processes. */
	return cli.single ? single_main(&cli.a, cf) : parent_main(&cli.a, cf);
}
