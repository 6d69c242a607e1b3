/*
 * nutsec - spawn.c: fork and exec with nothing inherited by accident. In
 * the child, only async-signal-safe calls run between fork and execve:
 * signals are reset (an ignored SIGPIPE or a blocked SIGCHLD would
 * otherwise survive the exec), stdin/stdout are redirected, a new session
 * is started if asked, and every descriptor above 2 is closed with
 * close_range(2), or, on kernels without it, by listing /proc/self/fd with
 * getdents64, or else one by one up to the descriptor limit. The child
 * reports a failure through a close-on-exec pipe as its errno: the parent
 * sees end of file when the exec worked.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"
#include "xmalloc.h"

extern char **environ;

#define REAP_POLL_MS 10

void
spawn_opts_init(struct spawn_opts *o, char *const *argv)
{
	memset(o, 0, sizeof(*o));
	o->argv = argv;
	o->stdin_fd = SPAWN_KEEP;
	o->stdout_fd = SPAWN_KEEP;
	o->stderr_fd = SPAWN_KEEP;
}

/* Closes every descriptor >= 3 except keep (>= 3), without allocating. */
static void
close_from_3(int keep)
{
	char dbuf[4096];
	long n, off;
	int dfd, fd, maxfd;

#ifdef SYS_close_range
	/* Two ranges around the error pipe, which stays until the exec. */
	if (keep > 3 && syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) != 0)
		goto slow;
	if (syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0)
		return;
slow:
#endif
	if ((dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		/* Closing while listing is fine: the kernel walks the table by number. */
		while ((n = syscall(SYS_getdents64, dfd, dbuf, sizeof(dbuf))) > 0) {
			for (off = 0; off < n; ) {
				struct dirent64 *d = (struct dirent64 *)(void *)(dbuf + off);
				const char *p = d->d_name;

				off += d->d_reclen;
				for (fd = 0; *p >= '0' && *p <= '9'; p++)
					fd = fd * 10 + (*p - '0');
				if (*p == '\0' && d->d_name[0] != '\0' && fd > 2 && fd != keep &&
				    fd != dfd)
					(void)close(fd);
			}
		}
		(void)close(dfd);
		if (n == 0)
			return;
	}
	maxfd = (int)sysconf(_SC_OPEN_MAX);
	for (fd = 3; fd < (maxfd > 0 ? maxfd : 1024); fd++)
		if (fd != keep)
			(void)close(fd);
}

/* Makes fd the descriptor target (0, 1 or 2); SPAWN_NULL opens /dev/null. */
static int
redirect(int fd, int target)
{
	int nfd;

	if (fd == SPAWN_KEEP)
		return 0;
	if (fd == SPAWN_NULL) {
		if ((nfd = open("/dev/null", target == 0 ? O_RDONLY : O_WRONLY)) < 0)
			return -1;
		if (nfd != target && (dup2(nfd, target) < 0 || close(nfd) != 0))
			return -1;
		return 0;
	}
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);	/* keep it across the exec */
	return dup2(fd, target) < 0 ? -1 : 0;
}

/* The child's part: never returns. */
static void __attribute__((noreturn))
child(const struct spawn_opts *o, int errfd)
{
	static char *const empty[] = { NULL };
	struct sigaction sa;
	sigset_t none;
	int sig, e, in = o->stdin_fd, out = o->stdout_fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		goto fail;
	/* The error pipe must survive the redirections (a caller without stdio). */
	if (errfd < 3 && (errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3)) < 0)
		_exit(127);
	if (o->new_session && setsid() < 0)
		goto fail;
	/* stdout's descriptor may be 0: move it out of the way first. */
	if (out == 0 && in != SPAWN_KEEP && (out = fcntl(out, F_DUPFD_CLOEXEC, 3)) < 0)
		goto fail;
	if (redirect(in, 0) != 0 || redirect(out, 1) != 0)
		goto fail;
	if (o->stderr_fd == SPAWN_STDOUT ? dup2(1, 2) < 0 :
	    o->stderr_fd == SPAWN_NULL ? redirect(SPAWN_NULL, 2) != 0 : 0)
		goto fail;
	close_from_3(errfd);
	execve(o->argv[0], o->argv, o->envp != NULL ? o->envp : empty);
fail:
	e = errno;
	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

pid_t
spawn(const struct spawn_opts *o)
{
	int p[2], e = 0, st;
	ssize_t n;
	pid_t pid;

	if (o->argv == NULL || o->argv[0] == NULL || strchr(o->argv[0], '/') == NULL) {
		errno = EINVAL;		/* a path, never a name looked up in PATH */
		return -1;
	}
	if (o->stderr_fd != SPAWN_KEEP && o->stderr_fd != SPAWN_NULL &&
	    o->stderr_fd != SPAWN_STDOUT) {
		errno = EINVAL;
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child(o, p[1]);
	}
	close(p[1]);
	do
		n = read(p[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n == 0)
		return pid;	/* the exec closed the pipe: the program runs */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	errno = n == (ssize_t)sizeof(e) && e != 0 ? e : ECHILD;
	return -1;
}

int
spawn_reap(pid_t pid, long timeout_ms, int *status)
{
	struct timespec ts = { 0, REAP_POLL_MS * 1000000L };
	long waited = 0;
	pid_t r;
	int st;

	for (;;) {
		r = waitpid(pid, &st, timeout_ms < 0 ? 0 : WNOHANG);
		if (r == pid) {
			if (status != NULL)
				*status = st;
			return 1;
		}
		if (r < 0 && errno != EINTR)
			return -1;
		if (r < 0)
			continue;
		if (waited >= timeout_ms)
			return 0;
		(void)nanosleep(&ts, NULL);
		waited += REAP_POLL_MS;
	}
}

size_t
spawn_env(char **out, size_t max, const char *const *names)
{
	size_t n = 0, i, len;
	char **e;

	for (e = environ; e != NULL && *e != NULL && n + 1 < max; e++) {
		const char *eq = strchr(*e, '=');

		if (eq == NULL)
			continue;
		for (i = 0; names[i] != NULL; i++) {
			len = strlen(names[i]);
			if (len > 0 && names[i][len - 1] == '*' ?
			    strncmp(*e, names[i], len - 1) == 0 :
			    (size_t)(eq - *e) == len && strncmp(*e, names[i], len) == 0) {
				out[n++] = *e;
				break;
			}
		}
	}
	if (max > 0)
		out[n] = NULL;
	return n;
}

int
spawn_find(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *colon;

	if (strchr(name, '/') != NULL)
		return str_copy(out, name, len) == 0 ? 0 : -1;
	if (path == NULL || path[0] == '\0')
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (p = path; ; p = colon + 1) {
		size_t n;

		colon = strchr(p, ':');
		n = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if (n > 0 && n < len && str_printf(out, len, "%.*s/%s", (int)n, p, name) == 0 &&
		    access(out, X_OK) == 0)
			return 0;
		if (colon == NULL)
			return -1;
	}
}
