/*
 * nutsec - upsdrvctl_run.c: running drivers. Each driver is started by
 * common/spawn of "<driverpath>/<driver>" with an argv built here (no
 * shell, no PATH search), only the environment variables a driver reads
 * (NUT_*, TZ, locale, sanitizer options) and no descriptor but 0-2;
 * upsdrvctl waits for the driver's launcher to
 * exit (it does once the driver serves) up to maxstartdelay, retrying
 * maxretry times retrydelay apart. stop signals through PID files, once
 * the process is checked to be the driver (pidfile.c, proc_signal);
 * shutdown runs "-k" in sdorder groups.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"
#include "pidfile.h"
#include "spawn.h"
#include "upsconf.h"
#include "upsdrvctl.h"
#include "xmalloc.h"

#define MAX_ARGV 24
#define STOP_WAIT_MS 5000
#define POLL_MS 50
#define MAX_CHILDREN 256

static pid_t children[MAX_CHILDREN];
static size_t nchildren;

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
ctl_driver_path(const struct ctl *c, const struct upsconf_ups *u, char *out, size_t len)
{
	if (u->driver == NULL) {
		log_warnx("%s:%lu: [%s] has no driver setting", c->uc->file, u->line, u->name);
		return -1;
	}
	/* A name, not a path: driver = ../../bin/sh must not run anything. */
	if (u->driver[0] == '\0' || u->driver[0] == '.' || strchr(u->driver, '/') != NULL) {
		log_warnx("%s:%lu: driver \"%s\" is not a plain program name", c->uc->file,
		    u->line, u->driver);
		return -1;
	}
	if (paths_join(out, len, c->driverpath, u->driver) < 0) {
		log_warnx("driver path %s/%s is too long", c->driverpath, u->driver);
		return -1;
	}
	if (!c->testmode && access(out, X_OK) < 0) {
		log_warn("cannot run %s", out);
		return -1;
	}
	return 0;
}

/* argv for "<driver> [-D..] [-F|-FF|-B] -a <ups> [-r dir] [-u user] [extra...]". */
static int
build_argv(const struct ctl *c, const struct upsconf_ups *u, char *prog, const char *extra1,
    const char *extra2, char **argv)
{
	int n = 0, i;

	argv[n++] = prog;
	for (i = 0; i < c->drv_debug && i < 5; i++)
		argv[n++] = (char *)"-D";
	if (c->foreground == 1)
		argv[n++] = (char *)"-F";
	else if (c->foreground == 2)
		argv[n++] = (char *)"-FF";
	else if (c->foreground < 0)
		argv[n++] = (char *)"-B";
	argv[n++] = (char *)"-a";
	argv[n++] = u->name;
	if (c->chroot != NULL) {
		argv[n++] = (char *)"-r";
		argv[n++] = (char *)c->chroot;
	}
	if (c->user != NULL) {
		argv[n++] = (char *)"-u";
		argv[n++] = (char *)c->user;
	}
	if (extra1 != NULL)
		argv[n++] = (char *)extra1;
	if (extra2 != NULL)
		argv[n++] = (char *)extra2;
	argv[n] = NULL;
	return n;
}

static void
print_argv(char **argv)
{
	int i;

	printf("exec:");
	for (i = 0; argv[i] != NULL; i++)
		printf(" %s", argv[i]);
	printf("\n");
}

/* What of our environment a driver may see: the variables it reads. */
static const char *const driver_env[] = {
	"NUT_*", "TZ", "LANG", "LC_*", "PATH",
	"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", NULL
};

static pid_t
start_driver(char **argv)
{
	char *envp[64];
	struct spawn_opts o;
	pid_t pid;

	(void)spawn_env(envp, sizeof(envp) / sizeof(envp[0]), driver_env);
	spawn_opts_init(&o, argv);
	o.envp = envp;
	fflush(NULL);
	if ((pid = spawn(&o)) < 0) {
		log_warn("cannot execute %s", argv[0]);
		return -1;
	}
	log_debug("started %s (pid %ld)", argv[0], (long)pid);
	return pid;
}

/* The child's exit status, -2 if killed by a signal, or -1 on timeout. */
static int
wait_pid(pid_t pid, long timeout_s)
{
	int st, rc = spawn_reap(pid, timeout_s * 1000, &st);

	if (rc == 0)
		return -1;
	return rc == 1 && WIFEXITED(st) ? WEXITSTATUS(st) : -2;
}

int
ctl_start(struct ctl *c, struct upsconf_ups *u)
{
	char prog[4096], *argv[MAX_ARGV];
	long tries = upsconf_get(c->uc, u, UPSCONF_MAXRETRY, 1);
	long delay = upsconf_get(c->uc, u, UPSCONF_RETRYDELAY, 5);
	long maxwait = upsconf_get(c->uc, u, UPSCONF_MAXSTARTDELAY, 75);
	long i;
	pid_t pid;
	int st;

	if (ctl_driver_path(c, u, prog, sizeof(prog)) < 0)
		return 1;
	build_argv(c, u, prog, NULL, NULL, argv);
	if (c->testmode) {
		print_argv(argv);
		return 0;
	}
	/* A driver already serving this UPS is left alone (it would refuse). */
	if (ctl_alive(c, u)) {
		log_notice("[%s]: %s is already running", u->name, u->driver);
		return 0;
	}
	for (i = 1; i <= tries; i++) {
		if ((pid = start_driver(argv)) < 0)
			return 1;
		if (c->foreground > 0) {
			/* The driver stays our child; we wait for all of them at the end. */
			if (nchildren < MAX_CHILDREN)
				children[nchildren++] = pid;
			return 0;
		}
		if (c->nowait)
			return 0;
		st = wait_pid(pid, maxwait);
		if (st == 0)
			return 0;
		if (st == -1) {
			log_warnx("%s for [%s] did not finish starting within %ld s "
			    "(maxstartdelay); going on", u->driver, u->name, maxwait);
			return 1;
		}
		log_warnx("%s for [%s] failed to start (%s %d)%s", u->driver, u->name,
		    st == -2 ? "signal or error" : "exit status", st,
		    i < tries ? "; retrying" : "");
		if (i < tries)
			sleep_ms(delay * 1000);
	}
	return 1;
}

int
ctl_wait_children(void)
{
	size_t i;
	int st, failed = 0;

	for (i = 0; i < nchildren; i++)
		if (spawn_reap(children[i], -1, &st) != 1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			failed++;
	return failed;
}

static int
pid_path(const struct upsconf_ups *u, char *out, size_t len)
{
	char name[512];

	if (str_printf(name, sizeof(name), "%s-%s.pid", u->driver ? u->driver : "",
	    u->name) < 0 || paths_join(out, len, paths_altpidpath(), name) < 0) {
		log_warnx("PID file path for [%s] too long", u->name);
		return -1;
	}
	return 0;
}

/* Waits up to STOP_WAIT_MS for pid to exit; on its pidfd when there is one. 0 if it did. */
static int
wait_gone(pid_t pid, int pfd)
{
	struct pollfd p;
	long waited = 0;
	int n;

	if (pfd >= 0) {
		p.fd = pfd;
		p.events = POLLIN;
		do
			n = poll(&p, 1, STOP_WAIT_MS);
		while (n < 0 && errno == EINTR);
		if (n != 0)
			return 0;	/* exited (or the pidfd cannot tell: do not hang) */
		return -1;
	}
	while (waited < STOP_WAIT_MS) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return 0;
		sleep_ms(POLL_MS);
		waited += POLL_MS;
	}
	return -1;
}

int
ctl_stop(struct ctl *c, struct upsconf_ups *u)
{
	char path[4096], from[4200];
	const char *prog = u->driver != NULL ? strrchr(u->driver, '/') : NULL;
	pid_t pid;
	int pfd, rc;

	prog = prog != NULL ? prog + 1 : u->driver;
	if (pid_path(u, path, sizeof(path)) < 0)
		return 1;
	if (c->testmode) {
		printf("stop: kill -TERM $(cat %s)\n", path);
		return 0;
	}
	pid = pidfile_read(path);
	if (pid <= 0 || prog == NULL) {
		log_warnx("[%s]: no usable PID file %s; is %s running?", u->name, path,
		    u->driver ? u->driver : "the driver");
		return 1;
	}
	/* The PID file is in a directory user nut writes: check before signalling. */
	(void)str_printf(from, sizeof(from), "[%s]'s PID file %s", u->name, path);
	if (proc_signal(pid, prog, SIGTERM, from, &pfd) != 0)
		return 1;
	rc = wait_gone(pid, pfd);
	if (pfd >= 0)
		close(pfd);
	if (rc == 0)
		return 0;
	log_warnx("[%s]: pid %ld is still running %d s after SIGTERM", u->name, (long)pid,
	    STOP_WAIT_MS / 1000);
	return 1;
}

/* Runs "<driver> -a ups <a1> <a2>" and waits for it. 0 or 1. */
static int
run_and_wait(struct ctl *c, struct upsconf_ups *u, const char *a1, const char *a2,
    pid_t *pidp)
{
	char prog[4096], *argv[MAX_ARGV];
	int fg = c->foreground;

	if (ctl_driver_path(c, u, prog, sizeof(prog)) < 0)
		return 1;
	c->foreground = 0;	/* one-shot runs never background */
	build_argv(c, u, prog, a1, a2, argv);
	c->foreground = fg;
	if (c->testmode) {
		print_argv(argv);
		*pidp = 0;
		return 0;
	}
	*pidp = start_driver(argv);
	return *pidp < 0 ? 1 : 0;
}

static int
finish(struct ctl *c, struct upsconf_ups *u, pid_t pid)
{
	int st;

	if (pid <= 0)
		return 0;
	st = wait_pid(pid, upsconf_get(c->uc, u, UPSCONF_MAXSTARTDELAY, 75));
	if (st == 0)
		return 0;
	log_warnx("[%s]: %s %s", u->name, u->driver,
	    st == -1 ? "did not finish in time" : "failed");
	return 1;
}

int
ctl_shutdown(struct ctl *c, struct upsconf_ups *one)
{
	pid_t pids[MAX_CHILDREN];
	long order, maxorder = 0;
	size_t i, n;
	int failed = 0;

	if (one != NULL) {
		pid_t pid;

		if (run_and_wait(c, one, "-k", NULL, &pid) != 0)
			return 1;
		return finish(c, one, pid);
	}
	for (i = 0; i < c->uc->nups; i++)
		if (c->uc->ups[i]->sdorder > maxorder)
			maxorder = c->uc->ups[i]->sdorder;
	/* Group 0 first, then 1, ...; a group runs in parallel; -1 never runs. */
	for (order = 0; order <= maxorder; order++) {
		n = 0;
		for (i = 0; i < c->uc->nups && n < MAX_CHILDREN; i++) {
			struct upsconf_ups *u = c->uc->ups[i];

			if (u->sdorder != order)
				continue;
			if (run_and_wait(c, u, "-k", NULL, &pids[n]) != 0) {
				failed++;
				pids[n] = -1;
			}
			n++;
		}
		for (i = 0, n = 0; i < c->uc->nups && n < MAX_CHILDREN; i++) {
			if (c->uc->ups[i]->sdorder != order)
				continue;
			failed += finish(c, c->uc->ups[i], pids[n++]);
		}
	}
	return failed;
}

int
ctl_command(struct ctl *c, struct upsconf_ups *u)
{
	pid_t pid;

	if (run_and_wait(c, u, "-c", c->command, &pid) != 0)
		return 1;
	return finish(c, u, pid);
}
