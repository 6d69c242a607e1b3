/*
 * nutsec - main.c: upsd's start-up, written as the numbered steps of
 * docs/architecture.md §2: options, configuration, names and users, listeners and
 * sockets, then sandbox_confine (chroot to the state path or -r, the run-as
 * user without groups or capabilities, no_new_privs, the upsd seccomp
 * filter), event loop, and the clean exit. The work itself lives in the
 * other files of this directory.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "ev.h"
#include "log.h"
#include "paths.h"
#include "perm.h"
#include "pidfile.h"
#include "sandbox.h"
#include "xmalloc.h"

#include "upsd.h"

/* The program -c signals: the base name of upsd's executable. */

struct cli {
	const char *signal_cmd;		/* -c reload|stop */
	long signal_pid;		/* -P pid */
	int foreground;			/* -F count */
	int background;			/* -B */
	int debug;			/* -D count */
	int family;			/* -4 / -6 */
	const char *user;		/* -u */
	const char *chroot_dir;		/* -r */
	int check;			/* -t */
	int dump;			/* -T */
	int sandbox;			/* --sandbox: enum sandbox_action, -1 = upsd.conf */
	int dump_filter;		/* --dump-filter */
};

enum { OPT_SANDBOX = 256, OPT_DUMP_FILTER };
static const struct option long_opts[] = {
	{ "sandbox", required_argument, NULL, OPT_SANDBOX },
	{ "dump-filter", no_argument, NULL, OPT_DUMP_FILTER },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: upsd [options]\n"
	    "  -c reload|stop  signal the running upsd\n"
	    "  -P <pid>        with -c: signal this PID instead of reading upsd.pid\n"
	    "  -F              stay in the foreground (-FF: and write the PID file)\n"
	    "  -B              go to the background even with -D\n"
	    "  -D              more debugging (repeat up to 3 times; implies -F)\n"
	    "  -u <user>       run as this user (default %s)\n"
	    "  -r <dir>        chroot to dir (default: the state path)\n"
	    "  --sandbox=kill|trap|log|off\n"
	    "                  seccomp filter action (overrides SANDBOX in upsd.conf)\n"
	    "  --dump-filter   print upsd's compiled seccomp policy and exit\n"
	    "  -4 / -6         listen on IPv4 / IPv6 only\n"
	    "  -t              check the configuration and exit\n"
	    "  -T              print the effective configuration (secrets masked)\n"
	    "  -V              print the version and exit\n"
	    "  -h              this help\n", RUN_AS_USER);
}

static void
parse_args(int argc, char **argv, struct cli *cli)
{
	const char *env;
	int ch;

	memset(cli, 0, sizeof(*cli));
	cli->sandbox = -1;
	if ((env = getenv("NUT_DEBUG_LEVEL")) != NULL && env[0] >= '0' && env[0] <= '9')
		cli->debug = atoi(env);
	while ((ch = getopt_long(argc, argv, "46BDFP:TVc:hi:p:qr:tu:", long_opts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_SANDBOX: {
			enum sandbox_action a;

			if (sandbox_parse_action(optarg, &a) != 0) {
				fprintf(stderr, "upsd: --sandbox: '%s' is not kill, trap, log "
				    "or off\n", optarg);
				exit(EXIT_FAILURE);
			}
			cli->sandbox = (int)a;
			break;
		}
		case OPT_DUMP_FILTER: cli->dump_filter = 1; break;
		case '4': cli->family = NET_FAMILY_V4; break;
		case '6': cli->family = NET_FAMILY_V6; break;
		case 'B': cli->background = 1; break;
		case 'D': cli->debug++; break;
		case 'F': cli->foreground++; break;
		case 'P':
			cli->signal_pid = strtol(optarg, NULL, 10);
			if (cli->signal_pid < 2) {
				fprintf(stderr, "upsd: -P needs a PID\n");
				exit(EXIT_FAILURE);
			}
			break;
		case 'T': cli->dump = 1; break;
		case 'V':
			printf("Network UPS Tools upsd %s - nutsec\n", PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		case 'c': cli->signal_cmd = optarg; break;
		case 'h': usage(stdout); exit(EXIT_SUCCESS);
		case 'i':
		case 'p':
			fprintf(stderr, "upsd: -%c is obsolete: use LISTEN in upsd.conf\n", ch);
			exit(EXIT_FAILURE);
		case 'q': break;
		case 'r': cli->chroot_dir = optarg; break;
		case 't': cli->check = 1; break;
		case 'u': cli->user = optarg; break;
		default: usage(stderr); exit(EXIT_FAILURE);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(EXIT_FAILURE);
	}
}

/* -c reload|stop: signal the running upsd and exit. */
static int
signal_running(const struct cli *cli)
{
	char path[4096];
	int sig;

	if (strcmp(cli->signal_cmd, "reload") == 0)
		sig = SIGHUP;
	else if (strcmp(cli->signal_cmd, "stop") == 0)
		sig = SIGTERM;
	else {
		log_warnx("-c: unknown command '%s' (reload or stop)", cli->signal_cmd);
		return EXIT_FAILURE;
	}
	/* Whatever names the PID, only an upsd is signalled (pidfile.c). */
	if (cli->signal_pid > 0)
		return proc_signal((pid_t)cli->signal_pid, UPSD_PROG, sig, "-P", NULL) == 0 ?
		    EXIT_SUCCESS : EXIT_FAILURE;
	if (paths_join(path, sizeof(path), paths_altpidpath(), "upsd.pid") != 0)
		return EXIT_FAILURE;
	/* A reload waits for upsd's answer: its exit status says how it went. */
	if (sig == SIGHUP)
		return reloadstat_signal(path);
	return pidfile_signal(path, UPSD_PROG, sig) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Refuses to run twice: the PID file names a live upsd. */
static int
check_running(const char *pidpath)
{
	pid_t pid = pidfile_running(pidpath, UPSD_PROG);

	if (pid == 0)
		return 0;
	log_warnx("upsd is already running (PID %ld in %s)", (long)pid, pidpath);
	return -1;
}

/*
 * tcp-wrappers rules that the jail has no copy of would silently vanish
 * after the chroot and let every user in: refuse, naming both ways out.
 */
static int
check_rules_in_jail(const char *jail)
{
	const char *rules;

	if (jail == NULL || (rules = access_rules_outside(jail)) == NULL)
		return 0;
	log_warnx("fatal: tcp-wrappers rules in %s are not inside the jail %s, where upsd "
	    "could not read them: copy them in (mkdir -p %s/etc && cp /etc/hosts.allow "
	    "/etc/hosts.deny %s/etc/) or turn the chroot off explicitly (-r /)", rules, jail,
	    jail, jail);
	return -1;
}

static void
on_stop(void *arg)
{
	log_notice("signal received: shutting down");
	ev_stop();
}

static void
on_reload(void *arg)
{
	struct reload_report r;

	memset(&r, 0, sizeof(r));
	state_reload(&r);
	reloadstat_write(&r);
}

static void
on_tick(void *arg)
{
	struct ups *u;

	for (u = ups_first(); u != NULL; u = u->next)
		driver_tick(u);
	tracking_expire(state_conf()->trackingdelay);
	client_tick();
	upsd_tls_tick();
	if (ev_timer_add(UPSD_TICK_MS, on_tick, NULL) == 0)
		fatalx("cannot arm the housekeeping timer");
}

/* Signals, listeners, the first driver connections and the tick. 0 or -1. */
static int
loop_setup(void)
{
	if (ev_init() != 0) {
		log_warn("event loop");
		return -1;
	}
	if (ev_signal(SIGTERM, on_stop, NULL) != 0 || ev_signal(SIGINT, on_stop, NULL) != 0 ||
	    ev_signal(SIGQUIT, on_stop, NULL) != 0 || ev_signal(SIGHUP, on_reload, NULL) != 0) {
		log_warn("signal handlers");
		return -1;
	}
	if (listen_start() != 0) {
		log_warnx("cannot start the listeners");
		return -1;
	}
	on_tick(NULL);
	return 0;
}

/* What widens upsd's filter: reload always, TLS and syslog when used. */
static unsigned
sandbox_flags(int foreground)
{
	return SB_F_RELOAD | (state_conf()->certpath != NULL ? SB_F_TLS : 0) |
	    (foreground ? 0 : SB_F_SYSLOG);
}

/*
 * -t, -T and --dump-filter: answer from the loaded configuration and exit.
 * -t also loads the TLS set-up, since a broken one would stop the daemon.
 */
static int
run_query(const struct cli *cli)
{
	if (cli->check) {
		if (upsd_tls_start(state_conf()) != 0) {
			fprintf(stderr, "configuration has errors\n");
			return EXIT_FAILURE;
		}
		upsd_tls_stop();
		printf("configuration OK\n");
		return EXIT_SUCCESS;
	}
	if (cli->dump) {
		state_dump(stdout);
		return EXIT_SUCCESS;
	}
	fflush(stdout);
	return sandbox_dump_filter(SB_ROLE_UPSD, sandbox_flags(0), STDOUT_FILENO) == 0 ?
	    EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * What upsd reads once sandboxed, for the Landlock rules (opened now, before
 * the chroot): the directories reload re-reads (kept for it), the state path
 * (the driver sockets), NSS's database directory and, with libwrap, the
 * hosts.allow/deny files read on each accept. Nothing else is readable
 * afterwards, however a path is started. Returns 0 or -1 (logged).
 */
static int
landlock_paths(struct sandbox_opts *sb, const char *statehost, const char *jail)
{
	const char *certpath = state_conf()->certpath, *rules;
	char injail[4096];
	size_t i;
	int fd;

	for (i = 0; (fd = conf_kept_fd(i)) >= 0; i++)
		if (sandbox_allow_read_fd(sb, fd) != 0) {
			log_warn("landlock: kept directory %zu", i + 1);
			return -1;
		}
	if (sandbox_allow_read(sb, statehost) != 0) {
		log_warn("landlock: %s", statehost);
		return -1;
	}
	if (certpath != NULL) {
		if (strncmp(certpath, "sql:", 4) == 0 || strncmp(certpath, "dbm:", 4) == 0)
			certpath += 4;
		if (sandbox_allow_read(sb, certpath) != 0) {
			log_warn("landlock: CERTPATH %s", certpath);
			return -1;
		}
	}
	/*
	 * The copy in the jail and, for when confine() keeps no jail because
	 * the rules are only outside it, the host's. A rules file missing now
	 * stays unreadable (create an empty one before starting upsd).
	 */
	for (i = 0; (rules = access_rule_file(i)) != NULL; i++) {
		if (sandbox_allow_read(sb, rules) != 0 && errno != ENOENT) {
			log_warn("landlock: %s", rules);
			return -1;
		}
		if (jail != NULL && str_printf(injail, sizeof(injail), "%s%s", jail, rules) >= 0 &&
		    sandbox_allow_read(sb, injail) != 0 && errno != ENOENT) {
			log_warn("landlock: %s", injail);
			return -1;
		}
	}
	return 0;
}

/*
 * Steps 10 and 11: the sandbox. chroot (jail, if not NULL), the run-as user with
 * its group only, no capabilities (bounding set cleared), no_new_privs, the
 * upsd seccomp filter; then one line with what we hold, as the kernel says.
 * A half-confined upsd must not serve: -1 means exit.
 */
static int
confine(struct sandbox_opts *sb, const char *jail, int foreground, const char *stateinside)
{

	sb->chroot_dir = jail;
	if (!foreground)
		daemon_detach_stdio();	/* no /dev/null in the jail */
	if (sandbox_confine(SB_ROLE_UPSD, sb, NULL) != 0)
		return -1;
	if (sb->chroot_dir != NULL)
		driver_set_sockdir(stateinside);
	return 0;
}

/*
 * Step 13, and the one way out of a failed start-up: clients, TLS, drivers,
 * listeners, then the PID file (if ours). Each part is a no-op if start-up
 * never got to it.
 */
static void
shutdown_all(const char *pidpath)
{
	client_close_all();
	upsd_tls_stop();
	ups_free_all();
	listen_close();
	driver_global_fini();
	dispatch_fini();
	state_free();
	ev_fini();
	if (pidpath != NULL) {
		reloadstat_close(pidpath);
		pidfile_remove(pidpath);
	}
	conf_forget_dirs();
}

int
main(int argc, char **argv)
{
	struct upsd_opts opts;
	struct sandbox_opts sb;
	struct cli cli;
	char pidpath[4096] = "", statehost[4096], stateinside[4096], err[512];
	const char *jail;
	uid_t uid;
	gid_t gid;
	int foreground, pidfile = 0, rc = EXIT_FAILURE, root = getuid() == 0 || geteuid() == 0;

	/* 1. Options; -c only signals the running daemon. */
	parse_args(argc, argv, &cli);
	foreground = cli.check || cli.dump || cli.dump_filter || cli.foreground > 0 ||
	    (cli.debug > 0 && !cli.background);
	log_init("upsd", cli.debug > 3 ? 3 : cli.debug, LOG_TO_STDERR |
	    (foreground ? 0 : LOG_TO_SYSLOG));
	if (cli.signal_cmd != NULL)
		return signal_running(&cli);
	(void)signal(SIGPIPE, SIG_IGN);

	/* 2. Configuration: upsd.conf, ups.conf, upsd.users, cmdvartab. */
	memset(&opts, 0, sizeof(opts));
	opts.family = cli.family;
	opts.cli_debug = cli.debug;
	if (state_load(&opts, cli.check || cli.dump || cli.dump_filter) != 0) {
		if (cli.check)
			fprintf(stderr, "configuration has errors\n");
		else
			log_warnx("fatal: configuration errors (see above)");
		return EXIT_FAILURE;
	}
	if (cli.check || cli.dump || cli.dump_filter)
		return run_query(&cli);

	/*
	 * 3. Names and users: the run-as user, resolved before any chroot, and
	 * the jail (-r, else the state path), which must hold any tcp-wrappers
	 * rules.
	 */
	memset(&sb, 0, sizeof(sb));
	sb.action = cli.sandbox >= 0 ? (enum sandbox_action)cli.sandbox :
	    (enum sandbox_action)state_conf()->sandbox;
	sb.flags = sandbox_flags(foreground);
	if (root)
		sb.user = cli.user != NULL ? cli.user : RUN_AS_USER;
	else if (cli.user != NULL || cli.chroot_dir != NULL)
		log_warnx("not started as root: -u/-r ignored; no chroot, ids kept");
	if (sandbox_resolve(&sb, &uid, &gid, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		goto out;
	}
	if (privs_jail(cli.chroot_dir, state_statepath(), statehost, sizeof(statehost),
	    stateinside, sizeof(stateinside)) != 0)
		goto out;
	jail = root ? (cli.chroot_dir != NULL ? cli.chroot_dir : statehost) : NULL;
	if (check_rules_in_jail(jail) != 0)
		goto out;

	/* 4. Resource limits while still privileged: room for MAXCONN clients. */
	if (state_apply_limits(1) != 0)
		goto out;

	/* 5. Detach (the parent waits until we are ready or dead). */
	if (paths_join(pidpath, sizeof(pidpath), paths_altpidpath(), "upsd.pid") != 0) {
		log_warnx("PID file path too long");
		goto out;
	}
	if (check_running(pidpath) != 0)
		goto out;
	if (!foreground && daemon_background() != 0)
		goto out;

	/*
	 * 6. Open everything: listeners (as root), the state path (the jail by
	 * default, where the driver sockets are), and the directories reload
	 * reads from inside the jail.
	 */
	if (listen_open(state_conf(), cli.family) != 0 || perm_check_statepath(statehost) != 0)
		goto out;
	if (chdir(statehost) != 0) {
		log_warn("chdir %s", statehost);
		goto out;
	}
	if (conf_keep_dir(paths_confpath()) != 0) {
		log_warn("cannot open %s (kept for reload)", paths_confpath());
		goto out;
	}
	if (conf_keep_dir(upsd_conf_datapath(state_conf())) != 0)
		log_debug("%s not kept open: cmdvartab will not be re-read",
		    upsd_conf_datapath(state_conf()));
	jail = root ? (cli.chroot_dir != NULL ? cli.chroot_dir : statehost) : NULL;
	if (landlock_paths(&sb, statehost, jail) != 0)
		return EXIT_FAILURE;

	/* 7. PID file, while we may still write where it lives. */
	if (!foreground || cli.foreground > 1) {
		if (pidfile_write(pidpath) != 0 || reloadstat_open(pidpath) != 0)
			goto out;
		pidfile = 1;
	}

	/*
	 * 8. TLS: open the NSS database, unlock the key and load CERTIDENT's
	 * certificate now, after the last fork (NSS state must not cross one)
	 * and before the chroot (NSS loads its modules from the host). A
	 * broken set-up stops upsd: no silent start without TLS.
	 */
	if (upsd_tls_start(state_conf()) != 0)
		goto out;

	/* 9. Signals, listeners, the first driver connections and the tick:
	 * the pipe and sigaction they need are not in the filter. */
	if (loop_setup() != 0)
		goto out;

	/*
	 * 10. The sandbox: chroot (-r, else the state path), the run-as user
	 * with its group only, no capabilities, no_new_privs, the upsd seccomp
	 * filter. 11. One line with what we hold.
	 */
	if (confine(&sb, jail, foreground, stateinside) != 0)
		goto out;

	/* 12. The event loop. */
	log_notice("upsd %s ready: %zu UPS, %zu user(s), MAXCONN %ld", PACKAGE_VERSION,
	    ups_count(), users_count(state_users()), state_maxconn());
	daemon_ready();
	if (!foreground)
		log_set_dest(LOG_TO_SYSLOG);
	if (ev_run() != 0)
		log_warnx("event loop failed");

	rc = EXIT_SUCCESS;

	/*
	 * 13. Clean exit, and the way out of every failed step above: clients,
	 * TLS, drivers, listeners, PID file; nothing left behind naming us.
	 */
out:
	shutdown_all(pidfile ? pidpath : NULL);
	if (rc == EXIT_SUCCESS)
		log_notice("upsd stopped");
	return rc;
}
