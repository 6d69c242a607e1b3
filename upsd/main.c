/*
 * nutsec - main.c: upsd's start-up, written as the numbered steps of
 * design.md §3: options, configuration, names and users, listeners and
 * sockets, chroot, privilege drop, (sandbox), event loop, and the clean
 * exit. The work itself lives in the other files of this directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "paths.h"
#include "perm.h"
#include "xmalloc.h"

#include "upsd.h"

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
	    "  -r <dir>        chroot to dir after opening the sockets\n"
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
	if ((env = getenv("NUT_DEBUG_LEVEL")) != NULL && env[0] >= '0' && env[0] <= '9')
		cli->debug = atoi(env);
	while ((ch = getopt(argc, argv, "46BDFP:TVc:hi:p:qr:tu:")) != -1) {
		switch (ch) {
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
	if (cli->signal_pid > 0) {
		if (kill((pid_t)cli->signal_pid, sig) != 0) {
			log_warn("cannot signal process %ld", cli->signal_pid);
			return EXIT_FAILURE;
		}
		return EXIT_SUCCESS;
	}
	if (paths_join(path, sizeof(path), paths_altpidpath(), "upsd.pid") != 0)
		return EXIT_FAILURE;
	return pidfile_signal(path, sig) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Refuses to run twice: the PID file names a live upsd. */
static int
check_running(const char *pidpath)
{
	char proc[64], comm[32] = "";
	pid_t pid = pidfile_read(pidpath);
	ssize_t n;
	int fd;

	if (pid < 0 || pid == getpid() || kill(pid, 0) != 0)
		return 0;
	(void)str_printf(proc, sizeof(proc), "/proc/%ld/comm", (long)pid);
	if ((fd = open(proc, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0 || strncmp(comm, "upsd\n", 5) != 0)
		return 0;
	log_warnx("upsd is already running (PID %ld in %s)", (long)pid, pidpath);
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
	state_reload();
}

static void
on_tick(void *arg)
{
	struct ups *u;

	for (u = ups_first(); u != NULL; u = u->next)
		driver_tick(u);
	tracking_expire(state_conf()->trackingdelay);
	client_tick();
	if (ev_timer_add(UPSD_TICK_MS, on_tick, NULL) == 0)
		fatalx("cannot arm the housekeeping timer");
}

/* Signals, listeners, the first driver connections and the tick. */
static void
loop_setup(void)
{
	if (ev_init() != 0)
		fatal("event loop");
	if (ev_signal(SIGTERM, on_stop, NULL) != 0 || ev_signal(SIGINT, on_stop, NULL) != 0 ||
	    ev_signal(SIGQUIT, on_stop, NULL) != 0 || ev_signal(SIGHUP, on_reload, NULL) != 0)
		fatal("signal handlers");
	if (listen_start() != 0)
		fatalx("cannot start the listeners");
	on_tick(NULL);
}

int
main(int argc, char **argv)
{
	struct upsd_opts opts;
	struct privs privs;
	struct cli cli;
	char pidpath[4096];
	int foreground, pidfile = 0;

	/* 1. Options; -c only signals the running daemon. */
	parse_args(argc, argv, &cli);
	foreground = cli.check || cli.dump || cli.foreground > 0 ||
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
	if (state_load(&opts, cli.check || cli.dump) != 0) {
		if (cli.check)
			fprintf(stderr, "configuration has errors\n");
		else
			log_warnx("fatal: configuration errors (see above)");
		return EXIT_FAILURE;
	}
	if (cli.check) {
		printf("configuration OK\n");
		return EXIT_SUCCESS;
	}
	if (cli.dump) {
		state_dump(stdout);
		return EXIT_SUCCESS;
	}

	/* 3. Names and users: resolve the run-as user before any chroot. */
	if (getuid() == 0 || geteuid() == 0) {
		if (privs_resolve(&privs, cli.user ? cli.user : RUN_AS_USER) != 0)
			return EXIT_FAILURE;
	} else {
		if (cli.user != NULL)
			log_warnx("not started as root: -u %s ignored", cli.user);
		(void)privs_resolve(&privs, NULL);
	}

	/* 4. Resource limits while still privileged: room for MAXCONN clients. */
	if (state_apply_limits(1) != 0)
		return EXIT_FAILURE;

	/* 5. Detach (the parent waits until we are ready or dead). */
	if (paths_join(pidpath, sizeof(pidpath), paths_altpidpath(), "upsd.pid") != 0)
		fatalx("PID file path too long");
	if (check_running(pidpath) != 0)
		return EXIT_FAILURE;
	if (!foreground && daemon_background() != 0)
		return EXIT_FAILURE;

	/* 6. Open everything: listeners (as root), then the state path. */
	if (listen_open(state_conf(), cli.family) != 0)
		return EXIT_FAILURE;
	if (perm_check_statepath(state_statepath()) != 0)
		return EXIT_FAILURE;
	if (chdir(state_statepath()) != 0)
		fatal("chdir %s", state_statepath());

	/* 7. PID file, while we may still write where it lives. */
	if (!foreground || cli.foreground > 1) {
		if (pidfile_write(pidpath) != 0)
			return EXIT_FAILURE;
		pidfile = 1;
	}

	/* 8. TLS: NSS database and keys are loaded here (TLS issue). */

	/* 9. chroot (-r), keeping the state path as working directory. */
	if (cli.chroot_dir != NULL && privs_chroot(cli.chroot_dir, state_statepath()) != 0)
		return EXIT_FAILURE;

	/* 10. Drop to the run-as user and its group. */
	if (privs_drop(&privs) != 0)
		return EXIT_FAILURE;

	/* 11. no_new_privs and the seccomp filter go here (sandbox issue). */

	/* 12. Event loop: signals, listeners, drivers, housekeeping. */
	loop_setup();
	log_notice("upsd %s ready: %zu UPS, %zu user(s), MAXCONN %ld, running as %s%s%s",
	    PACKAGE_VERSION, ups_count(), users_count(state_users()), state_maxconn(),
	    privs.resolved ? privs.user : "the invoking user",
	    cli.chroot_dir ? ", root " : "", cli.chroot_dir ? cli.chroot_dir : "");
	daemon_ready();
	if (!foreground)
		log_set_dest(LOG_TO_SYSLOG);
	if (ev_run() != 0)
		log_warnx("event loop failed");

	/* 13. Clean exit: clients, drivers, listeners, PID file. */
	client_close_all();
	ups_free_all();
	listen_close();
	driver_global_fini();
	dispatch_fini();
	state_free();
	ev_fini();
	if (pidfile && unlink(pidpath) != 0 && errno != ENOENT)
		log_debug("PID file %s not removed: %s", pidpath, strerror(errno));
	free(privs.user);
	log_notice("upsd stopped");
	return EXIT_SUCCESS;
}
