/*
 * nutsec - certtool/run.c: running certutil, crlutil and pk12util. Always
 * an argv array through fork/exec (never a shell), stdin from /dev/null so
 * a tool that would prompt reads end-of-file instead of waiting, and its
 * output collected for the error message. A tool can be replaced for tests
 * or odd installs by $NUTCERT_CERTUTIL, $NUTCERT_CRLUTIL, $NUTCERT_PK12UTIL.
 *
 * A project-wide spawn helper (common/spawn.c) is being written on another
 * branch; this file's nc_run is the one to switch to it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nutcert.h"

/* $NUTCERT_CERTUTIL for "certutil", etc. */
static const char *
tool_path(const char *name)
{
	char var[64];
	const char *v;
	size_t i;

	snprintf(var, sizeof(var), "NUTCERT_%s", name);
	for (i = 8; var[i]; i++)
		if (var[i] >= 'a' && var[i] <= 'z')
			var[i] = (char)(var[i] - 'a' + 'A');
	v = getenv(var);
	return (v != NULL && v[0] != '\0') ? v : name;
}

int
nc_run(char *const argv[], char *out, size_t outlen)
{
	int pfd[2], status;
	size_t got = 0;
	pid_t pid;
	const char *prog = tool_path(argv[0]);

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		nc_err("pipe: %s", strerror(errno));
		return 127;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		nc_err("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return 127;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul < 0 || dup2(nul, 0) < 0 || dup2(pfd[1], 1) < 0 ||
		    dup2(pfd[1], 2) < 0)
			_exit(127);
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execvp(prog, argv);
		dprintf(2, "cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		char sink[512];
		ssize_t r;

		if (out != NULL && got + 1 < outlen)
			r = read(pfd[0], out + got, outlen - 1 - got);
		else
			r = read(pfd[0], sink, sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out != NULL && got + 1 < outlen)
			got += (size_t)r;
	}
	if (out != NULL && outlen > 0)
		out[got] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 127;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -1;
}

int
nc_tool_failed(const char *what, int status, const char *out)
{
	const char *p = out ? out : "";
	int lines = 0;

	if (status == 127)
		nc_err("%s: the tool could not be run (install libnss3-tools / "
		    "nss-tools)%s%s", what, *p ? ": " : "", p);
	else
		nc_err("%s failed (exit %d)%s", what, status, *p ? ":" : "");
	if (status != 127) {
		while (*p && lines < 6) {
			size_t n = strcspn(p, "\n");

			if (n > 0) {
				fprintf(stderr, "    %.*s\n", (int)n, p);
				lines++;
			}
			p += n;
			if (*p == '\n')
				p++;
		}
	}
	return NC_TOOL;
}
