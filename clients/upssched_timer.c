/*
 * nutsec - upssched_timer.c: the timer process. Forked by the first
 * upssched that needs it, it listens on PIPEFN (owner-only), takes START
 * and CANCEL requests from upssched processes of our own uid (or root),
 * keeps at most US_MAX_TIMERS timers on the monotonic clock (NUT counts
 * wall-clock seconds, so a clock step fired or delayed its timers), runs
 * CMDSCRIPT with a timer's name when it fires, and exits once no timer and
 * no client has been left for US_IDLE_EXIT_MS (NUT's 15 s). Every request
 * line is bounded and validated (upssched_proto.c); a bad one is answered
 * "ERR <reason>", logged (rate-limited) and never acted on; a connection
 * gets a few lines and a few seconds. To exit it takes LOCKFN's lock, so a
 * starter holding the lock is never left talking to a process on its way
 * out; it removes PIPEFN only if the socket there is still its own.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "tok.h"
#include "upssched.h"
#include "xmalloc.h"

struct us_timer {
	int used;
	char name[US_NAME_MAX + 1];
	unsigned long seq;	/* start order: CANCEL takes the oldest, as NUT's */
	ev_timer_id id;
};

struct us_conn {
	int fd;			/* -1: slot free */
	char line[US_LINE_MAX];
	size_t len;
	unsigned lines;
	ev_timer_id deadline;
};

static const struct us_conf *cf;
static struct us_timer timers[US_MAX_TIMERS];
static struct us_conn conns[US_MAX_CONNS];
static size_t ntimers, nconns;
static unsigned long seq;
static int lfd = -1, lockfd = -1;
static ino_t sock_ino;
static ev_timer_id idle_id;
static struct tok *tk;
static struct log_ratelimit refuse_rl = LOG_RATELIMIT_INIT(10, 10);

static void idle_check(void);

static void
conn_close(struct us_conn *c)
{
	ev_fd_del(c->fd);
	ev_timer_del(c->deadline);
	close(c->fd);
	c->fd = -1;
	nconns--;
	idle_check();
}

static void
reply(struct us_conn *c, const char *s)
{
	(void)send(c->fd, s, strlen(s), MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void
refuse(struct us_conn *c, const char *why, int close_it)
{
	char buf[64];

	if (log_ratelimit(&refuse_rl))
		log_warnx("PIPEFN %s: refused a request: %s", cf->pipefn, why);
	(void)str_printf(buf, sizeof(buf), "ERR %s\n", why);
	reply(c, buf);
	if (close_it)
		conn_close(c);
}

static void
fire(void *arg)
{
	struct us_timer *t = arg;

	log_info("timer %s fired", t->name);
	t->used = 0;
	ntimers--;
	(void)us_run(cf->cmdscript, t->name, 0);
	idle_check();
}

static const char *
start_timer(const struct us_req *r)
{
	size_t i;

	for (i = 0; i < US_MAX_TIMERS && timers[i].used; i++)
		continue;
	if (i == US_MAX_TIMERS)
		return "FULL";
	timers[i].used = 1;
	(void)str_copy(timers[i].name, r->name, sizeof(timers[i].name));
	timers[i].seq = ++seq;
	timers[i].id = ev_timer_add((uint64_t)r->secs * 1000u, fire, &timers[i]);
	ntimers++;
	log_info("new timer %s (%ld seconds)", r->name, r->secs);
	return NULL;
}

static void
cancel_timer(const struct us_req *r)
{
	struct us_timer *oldest = NULL;
	size_t i;

	for (i = 0; i < US_MAX_TIMERS; i++)
		if (timers[i].used && strcmp(timers[i].name, r->name) == 0 &&
		    (oldest == NULL || timers[i].seq < oldest->seq))
			oldest = &timers[i];
	if (oldest != NULL) {
		log_info("cancelling timer %s", r->name);
		ev_timer_del(oldest->id);
		oldest->used = 0;
		ntimers--;
	} else if (r->arg2[0] != '\0') {
		log_info("cancel %s: no such timer, running %s", r->name, r->arg2);
		(void)us_run(cf->cmdscript, r->arg2, 0);
	}
}

/* One complete line. Returns 0 to go on, -1 when c was closed. */
static int
handle_line(struct us_conn *c)
{
	struct us_req r;
	const char *why;

	if (++c->lines > US_MAX_LINES) {
		refuse(c, "FLOOD", 1);
		return -1;
	}
	if (tok_split(tk, c->line, c->len) != TOK_LINE) {
		refuse(c, "INVALID-ARGUMENT", 0);
		return 0;
	}
	if (tok_argc(tk) == 0)
		return 0;
	if (us_req_parse(tok_argc(tk), tok_argv(tk), &r, &why) != 0) {
		refuse(c, why, 0);
		return 0;
	}
	if (r.cmd == US_START) {
		if ((why = start_timer(&r)) != NULL) {
			refuse(c, why, 0);
			return 0;
		}
	} else {
		cancel_timer(&r);
	}
	reply(c, "OK\n");
	return 0;
}

static void
conn_read(int fd, unsigned events, void *arg)
{
	struct us_conn *c = arg;
	char buf[512];
	ssize_t n, i;

	(void)fd;
	(void)events;
	n = read(c->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	for (i = 0; i < n; i++) {
		if (c->len >= sizeof(c->line)) {
			refuse(c, "TOO-LONG", 1);
			return;
		}
		c->line[c->len++] = buf[i];
		if (buf[i] != '\n')
			continue;
		if (handle_line(c) != 0)
			return;
		c->len = 0;
	}
}

static void
conn_expire(void *arg)
{
	struct us_conn *c = arg;

	c->deadline = 0;
	refuse(c, "TIMEOUT", 1);
}

static void
accept_one(int fd, unsigned events, void *arg)
{
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	size_t i;
	int cfd;

	(void)fd;
	(void)events;
	(void)arg;
	cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) != 0) {
		if (log_ratelimit(&refuse_rl))
			log_warn("PIPEFN %s: refused a connection whose uid cannot be read",
			    cf->pipefn);
		close(cfd);
		return;
	}
	if (!us_peer_ok(cr.uid)) {
		if (log_ratelimit(&refuse_rl))
			log_warnx("PIPEFN %s: refused a connection from uid %ld", cf->pipefn,
			    (long)cr.uid);
		close(cfd);
		return;
	}
	for (i = 0; i < US_MAX_CONNS && conns[i].fd >= 0; i++)
		continue;
	if (i == US_MAX_CONNS) {
		if (log_ratelimit(&refuse_rl))
			log_warnx("PIPEFN %s: %d connections open, refusing another",
			    cf->pipefn, US_MAX_CONNS);
		(void)send(cfd, "ERR FLOOD\n", 10, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(cfd);
		return;
	}
	conns[i].fd = cfd;
	conns[i].len = 0;
	conns[i].lines = 0;
	if (ev_fd_add(cfd, EV_READ, conn_read, &conns[i]) != 0) {
		close(cfd);
		conns[i].fd = -1;
		return;
	}
	conns[i].deadline = ev_timer_add(US_CONN_TIMEOUT_MS, conn_expire, &conns[i]);
	nconns++;
	if (idle_id != 0) {
		ev_timer_del(idle_id);
		idle_id = 0;
	}
}

static void
idle_exit(void *arg)
{
	struct stat st;

	(void)arg;
	idle_id = 0;
	if (ntimers > 0 || nconns > 0)
		return;
	/* A starter holds the lock: it may be about to talk to us. */
	if (flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
		idle_id = ev_timer_add(1000, idle_exit, NULL);
		return;
	}
	log_info("timer queue empty, exiting");
	if (lstat(cf->pipefn, &st) == 0 && st.st_ino == sock_ino && unlink(cf->pipefn) != 0)
		log_warn("cannot remove %s", cf->pipefn);
	ev_fd_del(lfd);
	close(lfd);
	lfd = -1;
	ev_stop();
}

static void
idle_check(void)
{
	if (ntimers == 0 && nconns == 0 && idle_id == 0 && lfd >= 0)
		idle_id = ev_timer_add(US_IDLE_EXIT_MS, idle_exit, NULL);
}

static void
on_child(void *arg)
{
	int status;
	pid_t pid;

	(void)arg;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			log_info("CMDSCRIPT (pid %ld) exited with status %d", (long)pid,
			    WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			log_warnx("CMDSCRIPT (pid %ld) killed by signal %d", (long)pid,
			    WTERMSIG(status));
	}
}

static void
on_term(void *arg)
{
	struct stat st;

	(void)arg;
	log_notice("timer process stopping on a signal, %zu timers dropped", ntimers);
	if (lstat(cf->pipefn, &st) == 0 && st.st_ino == sock_ino)
		(void)unlink(cf->pipefn);
	ev_stop();
}

/* The child's whole life. Never returns. */
static void
timer_main(const struct us_conf *c, int inherited_lock, int ready)
{
	struct stat st, held;
	char err[512];
	size_t i;
	int fd;

	cf = c;
	(void)setsid();
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		(void)dup2(fd, 0);
		(void)dup2(fd, 1);
		if (getenv("NUT_DEBUG_SYSLOG") == NULL ||
		    strcmp(getenv("NUT_DEBUG_SYSLOG"), "stderr") != 0)
			(void)dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	/*
	 * Our own open of LOCKFN: a separate lock from the starter's, but on
	 * the same file. Whoever may write LOCKFN's directory could have put
	 * another file at the name since the starter locked it: then our lock
	 * and the starters' would exclude nothing.
	 */
	lockfd = open(c->lockfn, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (lockfd < 0) {
		log_warn("timer process: LOCKFN %s", c->lockfn);
		_exit(1);
	}
	if (fstat(lockfd, &st) != 0 || fstat(inherited_lock, &held) != 0 ||
	    st.st_dev != held.st_dev || st.st_ino != held.st_ino) {
		log_warnx("timer process: LOCKFN %s is no longer the file the starting "
		    "upssched locked (replaced in between?): not starting", c->lockfn);
		_exit(1);
	}
	close(inherited_lock);
	if ((lfd = us_listen(c->pipefn, &sock_ino, err, sizeof(err))) < 0) {
		log_warnx("timer process: %s", err);
		_exit(1);
	}
	for (i = 0; i < US_MAX_CONNS; i++)
		conns[i].fd = -1;
	tk = tok_new(8, US_LINE_MAX);
	if (ev_init() != 0 || ev_fd_add(lfd, EV_READ, accept_one, NULL) != 0 ||
	    ev_signal(SIGCHLD, on_child, NULL) != 0 || ev_signal(SIGTERM, on_term, NULL) != 0 ||
	    ev_signal(SIGINT, on_term, NULL) != 0) {
		log_warn("timer process: event loop");
		(void)unlink(c->pipefn);
		_exit(1);
	}
	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	log_info("timer process started on %s", c->pipefn);
	(void)write(ready, "R", 1);
	close(ready);
	idle_check();
	(void)ev_run();
	on_child(NULL);
	_exit(0);
}

int
us_timer_start(const struct us_conf *c, int lockfd_held, char *err, size_t errlen)
{
	struct pollfd pfd;
	int p[2], status;
	char ch;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0) {
		str_printf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		str_printf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		timer_main(c, lockfd_held, p[1]);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 10000) != 1 || read(p[0], &ch, 1) != 1) {
		close(p[0]);
		if (waitpid(pid, &status, WNOHANG) == pid)
			str_printf(err, errlen, "the timer process could not start (see the log)");
		else
			str_printf(err, errlen, "the timer process did not start in time");
		return -1;
	}
	close(p[0]);
	return 0;
}
