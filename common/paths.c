/*
 * nutsec - paths.c: where things live (the NUT environment variables
 * first, then the paths chosen at configure time), PID files written and
 * read without following symlinks, signalling a daemon through its PID
 * file, and backgrounding that reports readiness to the parent through a
 * pipe so the parent's exit status tells whether start-up succeeded.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"
#include "xmalloc.h"

/* An environment value, or NULL if unset or empty. */
static const char *
paths_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

const char *
paths_confpath(void)
{
	const char *v = paths_env("NUT_CONFPATH");

	return v != NULL ? v : CONFPATH;
}

const char *
paths_statepath(void)
{
	const char *v = paths_env("NUT_STATEPATH");

	return v != NULL ? v : STATEPATH;
}

const char *
paths_altpidpath(void)
{
	const char *v = paths_env("NUT_ALTPIDPATH");

	if (v == NULL)
		v = paths_env("NUT_STATEPATH");
	return v != NULL ? v : ALTPIDPATH;
}

const char *
paths_pidpath(void)
{
	const char *v = paths_env("NUT_PIDPATH");

	return v != NULL ? v : PIDPATH;
}

const char *
paths_datapath(void)
{
	const char *v = paths_env("NUT_DATAPATH");

	return v != NULL ? v : DATAPATH;
}

int
paths_in_jail(char *out, size_t outlen, const char *jail, const char *path)
{
	size_t jlen = strlen(jail);

	while (jlen > 0 && jail[jlen - 1] == '/')
		jlen--;
	if (jlen == 0 || (strncmp(path, jail, jlen) == 0 &&
	    (path[jlen] == '/' || path[jlen] == '\0')))
		return str_printf(out, outlen, "%s", path) < 0 ? -1 : 0;
	return str_printf(out, outlen, "%.*s%s", (int)jlen, jail, path) < 0 ? -1 : 0;
}

int
paths_join(char *out, size_t outlen, const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	const char *sep = dl > 0 && dir[dl - 1] == '/' ? "" : "/";

	return str_printf(out, outlen, "%s%s%s", dir, sep, name);
}

int
pidfile_write(const char *path)
{
	char line[32];
	int fd, ret = -1;
	ssize_t n;
	size_t len;

	if (str_printf(line, sizeof(line), "%ld\n", (long)getpid()) != 0)
		return -1;
	len = strlen(line);
	/* O_NOFOLLOW: a planted symlink must not redirect our write */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		log_warn("cannot write PID file %s", path);
		return -1;
	}
	do {
		n = write(fd, line, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		log_warn("cannot write PID file %s", path);
		goto out;
	}
	ret = 0;
out:
	if (close(fd) != 0 && ret == 0) {
		log_warn("cannot write PID file %s", path);
		ret = -1;
	}
	return ret;
}

pid_t
pidfile_read(const char *path)
{
	char line[32];
	ssize_t n;
	size_t i = 0;
	long pid = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	do {
		n = read(fd, line, sizeof(line) - 1);
	} while (n < 0 && errno == EINTR);
	(void)close(fd);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	while (line[i] == ' ' || line[i] == '\t')
		i++;
	if (line[i] < '0' || line[i] > '9')
		return -1;
	for (; line[i] >= '0' && line[i] <= '9'; i++) {
		pid = pid * 10 + (line[i] - '0');
		if (pid > 0x7fffffffL)
			return -1;
	}
	while (line[i] == ' ' || line[i] == '\t' || line[i] == '\n' || line[i] == '\r')
		i++;
	/* pid 0 and 1 would signal a process group or init */
	if (line[i] != '\0' || pid < 2)
		return -1;
	return (pid_t)pid;
}

int
pidfile_signal(const char *path, int sig)
{
	pid_t pid;

	errno = 0;
	pid = pidfile_read(path);
	if (pid < 0) {
		if (errno == ENOENT)
			log_warnx("no PID file %s: is the daemon running?", path);
		else if (errno != 0)
			log_warn("cannot read PID file %s", path);
		else
			log_warnx("PID file %s does not hold a valid PID", path);
		return -1;
	}
	if (kill(pid, sig) != 0) {
		if (errno == ESRCH)
			log_warnx("no process %ld (stale PID file %s?)", (long)pid, path);
		else
			log_warn("cannot signal process %ld from %s", (long)pid, path);
		return -1;
	}
	return 0;
}

static int daemon_ready_fd = -1;

int
daemon_background(void)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		log_warn("pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		log_warn("fork");
		(void)close(pfd[0]);
		(void)close(pfd[1]);
		return -1;
	}
	if (pid > 0) {
		/* parent: wait until the child is ready or gone */
		char c;
		ssize_t n;

		(void)close(pfd[1]);
		do {
			n = read(pfd[0], &c, 1);
		} while (n < 0 && errno == EINTR);
		_exit(n == 1 ? 0 : 1);
	}
	(void)close(pfd[0]);
	daemon_ready_fd = pfd[1];
	if (setsid() < 0)
		log_warn("setsid");
	if (chdir("/") != 0)
		log_warn("chdir /");
	return 0;
}

static int stdio_detached;

static void
null_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			(void)close(fd);
	}
}

void
daemon_detach_stdio(void)
{
	if (daemon_ready_fd < 0 || stdio_detached)
		return;
	null_stdio();
	(void)signal(SIGPIPE, SIG_IGN);
	stdio_detached = 1;
}

void
daemon_ready(void)
{
	struct sigaction ign, old;
	int restore = 0;
	ssize_t n;

	if (daemon_ready_fd < 0)
		return;
	if (!stdio_detached) {
		/* detach stdio only now so start-up errors still reach the terminal */
		null_stdio();
		/* a parent killed meanwhile must not take us down with SIGPIPE */
		memset(&ign, 0, sizeof(ign));
		ign.sa_handler = SIG_IGN;
		sigemptyset(&ign.sa_mask);
		if (sigaction(SIGPIPE, &ign, &old) != 0)
			return;
		restore = 1;
	}
	do {
		n = write(daemon_ready_fd, "R", 1);
	} while (n < 0 && errno == EINTR);
	if (restore)
		(void)sigaction(SIGPIPE, &old, NULL);
	(void)close(daemon_ready_fd);
	daemon_ready_fd = -1;
}
