/*
 * nutsec - upssched.c: upsmon's NOTIFYCMD that turns events into timers.
 * It takes UPSNAME and NOTIFYTYPE from the environment as upsmon passes
 * them, reads upssched.conf (file:line errors, nothing acted on when the
 * file is wrong), confines itself (upssched role: no capabilities,
 * no_new_privs, the deny-list filter that still lets it run CMDSCRIPT; as
 * root it first becomes RUN_AS_USER), and acts on every matching AT line
 * in order: EXECUTE runs CMDSCRIPT at once and waits for it, as NUT's
 * system() did; START-TIMER and CANCEL-TIMER go to the timer process
 * through PIPEFN, started under LOCKFN's lock when none answers (a stale
 * socket left by a killed one is removed first). A CANCEL-TIMER when no
 * timer process runs cancels nothing; with a command it runs that command
 * here, which is what NUT's freshly started timer process would have done.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"
#include "sandbox.h"
#include "spawn.h"
#include "upssched.h"
#include "xmalloc.h"

#define US_LOCK_WAIT_MS 10000	/* longest wait for another starter */
#define US_REPLY_WAIT_MS 5000	/* longest wait for the timer process's answer */
#define US_TRIES 3

/* Runs CMDSCRIPT with arg here and waits for it. */
static int
run_here(const struct us_conf *c, const char *arg)
{
	int status;
	pid_t pid = us_run(c->cmdscript, arg, 1);

	if (pid < 0 || spawn_reap(pid, -1, &status) != 1)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_info("CMDSCRIPT %s %s exited with status %d", c->cmdscript, arg,
		    WEXITSTATUS(status));
	return 0;
}

/* Sends one line on fd (connected to pipefn) and waits for "OK". 0, or -1
 * (logged, naming pipefn). */
static int
exchange(int fd, const char *line, const char *pipefn)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[64];
	ssize_t n;
	size_t len = strlen(line);

	if (send(fd, line, len, MSG_NOSIGNAL) != (ssize_t)len) {
		log_warn("PIPEFN %s: sending to the timer process", pipefn);
		return -1;
	}
	if (poll(&pfd, 1, US_REPLY_WAIT_MS) != 1 ||
	    (n = read(fd, buf, sizeof(buf) - 1)) <= 0) {
		log_warnx("PIPEFN %s: no answer from the timer process within %d s", pipefn,
		    US_REPLY_WAIT_MS / 1000);
		return -1;
	}
	buf[n] = '\0';
	if (strncmp(buf, "OK", 2) == 0)
		return 0;
	buf[strcspn(buf, "\r\n")] = '\0';
	log_warnx("PIPEFN %s: the timer process refused %.*s: %s", pipefn,
	    (int)strcspn(line, "\n"), line, buf);
	errno = EINVAL;
	return -1;
}

/* START or CANCEL through the timer process. 0, or -1 (logged). */
static int
send_req(const struct us_conf *c, const struct us_req *r)
{
	char line[US_LINE_MAX + 1], err[512];
	int tries, lock, fd, rc = -1;

	if (us_req_format(r, line, sizeof(line)) < 0) {
		log_warnx("request for timer %s does not fit", r->name);
		return -1;
	}
	for (tries = 0; tries < US_TRIES && rc != 0; tries++) {
		if ((lock = us_lock(c->lockfn, US_LOCK_WAIT_MS, err, sizeof(err))) < 0) {
			log_warnx("%s", err);
			return -1;
		}
		fd = us_connect(c->pipefn, err, sizeof(err));
		if (fd < 0 && errno != ENOENT && errno != ECONNREFUSED) {
			log_warnx("%s", err);
			close(lock);
			return -1;
		}
		if (fd < 0 && r->cmd == US_CANCEL) {
			/* No timer process: no timer to cancel. */
			close(lock);
			return r->arg2[0] != '\0' ? run_here(c, r->arg2) : 0;
		}
		if (fd < 0) {
			if (us_remove_stale(c->pipefn, err, sizeof(err)) != 0 ||
			    us_timer_start(c, lock, err, sizeof(err)) != 0 ||
			    (fd = us_connect(c->pipefn, err, sizeof(err))) < 0) {
				log_warnx("%s", err);
				close(lock);
				return -1;
			}
		}
		rc = exchange(fd, line, c->pipefn);
		close(fd);
		close(lock);
		if (rc != 0 && errno == EINVAL)
			break;	/* refused: trying again would not help */
	}
	return rc;
}

static int
act(const struct us_conf *c, const struct us_at *a)
{
	struct us_req r;

	if (a->cmd == US_EXECUTE)
		return run_here(c, a->arg);
	memset(&r, 0, sizeof(r));
	r.cmd = a->cmd;
	(void)str_copy(r.name, a->arg, sizeof(r.name));
	if (a->arg2 != NULL)
		(void)str_copy(r.arg2, a->arg2, sizeof(r.arg2));
	r.secs = a->secs;
	return send_req(c, &r);
}

/*
 * 1 when we were started already confined, as a confined upsmon's notifier
 * runs its NOTIFYCMD: no_new_privs, a seccomp filter, and no capability in
 * any set (read back from /proc/self/status).
 */
static int
already_confined(void)
{
	char line[256];
	FILE *fp;
	int caps = 0, zero = 0;

	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 ||
	    prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2 ||
	    (fp = fopen("/proc/self/status", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "CapInh:", 7) != 0 && strncmp(line, "CapPrm:", 7) != 0 &&
		    strncmp(line, "CapEff:", 7) != 0 && strncmp(line, "CapAmb:", 7) != 0)
			continue;
		caps++;
		zero += strtoull(line + 7, NULL, 16) == 0;
	}
	fclose(fp);
	return caps == 4 && zero == 4;
}

static void
confine(const struct us_conf *c)
{
	struct sandbox_opts o;
	char held[512];

	memset(&o, 0, sizeof(o));
	o.action = c->sandbox;
	if (geteuid() == 0)
		o.user = RUN_AS_USER;
	/*
	 * Under a confined upsmon there is nothing left to drop, and the
	 * notifier's filter refuses capset, which sandbox_confine would make:
	 * our role's filter is stacked on the one we inherited instead.
	 */
	if (geteuid() != 0 && already_confined()) {
		if (sandbox_load_filter(SB_ROLE_UPSSCHED, 0, o.action) != 0)
			exit(EXIT_FAILURE);
		if (sandbox_describe(SB_ROLE_UPSSCHED, &o, held, sizeof(held)) == 0)
			log_notice("sandbox (inherited, filter added): %s", held);
		return;
	}
	if (sandbox_confine(SB_ROLE_UPSSCHED, &o, NULL) != 0)
		exit(EXIT_FAILURE);
}

int
main(int argc, char **argv)
{
	const char *ups = getenv("UPSNAME"), *event = getenv("NOTIFYTYPE");
	const char *dbg = getenv("NUT_DEBUG_SYSLOG");
	char path[4096];
	struct us_conf c;
	size_t i;
	int n, failed = 0, dest = LOG_TO_SYSLOG;

	if (argc > 1 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Network UPS Tools upssched %s (nutsec)\n", PACKAGE_VERSION);
		printf("Run by upsmon as NOTIFYCMD, with UPSNAME and NOTIFYTYPE set; "
		    "configured by upssched.conf.\n");
		return 0;
	}
	if ((dbg != NULL && strcmp(dbg, "stderr") == 0) || isatty(2))
		dest |= LOG_TO_STDERR;
	log_init("upssched", 0, dest);
	if (ups == NULL || event == NULL) {
		printf("Error: UPSNAME and NOTIFYTYPE must be set.\n");
		printf("This program should only be run from upsmon.\n");
		return EXIT_FAILURE;
	}
	if (paths_join(path, sizeof(path), paths_confpath(), "upssched.conf") != 0)
		fatalx("configuration path too long");
	n = us_conf_load(&c, path);
	if (n < 0)
		fatal("cannot read %s", path);
	if (n > 0)
		fatalx("%s: %d error%s, nothing done", path, n, n == 1 ? "" : "s");
	confine(&c);
	for (i = 0; i < c.nat; i++) {
		if (!us_at_matches(&c.at[i], ups, event))
			continue;
		log_debug("%s:%lu: %s on %s", path, c.at[i].line, event, ups);
		if (act(&c, &c.at[i]) != 0)
			failed = 1;
	}
	us_conf_free(&c);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
