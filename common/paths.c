/*
 * nutsec - paths.c: where things live (the NUT environment variables
 * first, then the paths chosen at configure time), and backgrounding that
 * reports readiness to the parent through a pipe so the parent's exit
 * status tells whether start-up succeeded. PID files are in pidfile.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
