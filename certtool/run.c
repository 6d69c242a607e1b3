/*
 * nutsec - certtool/run.c: running certutil, crlutil and pk12util. Always
 * an argv array through fork/exec (never a shell), stdin from /dev/null so
 * a tool that would prompt reads end-of-file instead of waiting, and its
 * output collected for the error message. A tool can be replaced for tests
 * or odd installs by $NUTCERT_CERTUTIL, $NUTCERT_CRLUTIL, $NUTCERT_PK12UTIL.
 *
 * The child is started by common/spawn (the project's one fork/exec): the
 * tool is looked up in PATH with spawn_find, and it gets only the
 * environment variables it can use.
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
#include "spawn.h"
#include "xmalloc.h"

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
	static const char *const keep[] = { "PATH", "HOME", "TMPDIR", "TZ", "LANG", "LC_*",
		"NSS_*", "NSPR_*", NULL };
	char path[4096], *env[64], **args;
	struct spawn_opts o;
	int pfd[2], status, e;
	size_t got = 0, n;
	pid_t pid;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (spawn_find(tool_path(argv[0]), path, sizeof(path)) != 0) {
		if (out != NULL && outlen > 0)
			snprintf(out, outlen, "cannot run %s: not found in PATH", tool_path(argv[0]));
		return 127;
	}
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		nc_err("pipe: %s", strerror(errno));
		return 127;
	}
	for (n = 0; argv[n] != NULL; n++)
		;
	args = xcalloc(n + 1, sizeof(*args));
	memcpy(args, argv, n * sizeof(*args));
	args[0] = path;
	(void)spawn_env(env, sizeof(env) / sizeof(env[0]), keep);
	spawn_opts_init(&o, args);
	o.envp = env;
	o.stdin_fd = SPAWN_NULL;	/* a prompt reads end-of-file, never waits */
	o.stdout_fd = pfd[1];
	o.stderr_fd = SPAWN_STDOUT;	/* its complaints, for our message */
	fflush(NULL);
	pid = spawn(&o);
	e = errno;
	free(args);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		if (out != NULL && outlen > 0)
			snprintf(out, outlen, "cannot run %s: %s", path, strerror(e));
		return 127;
	}
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
	if (spawn_reap(pid, -1, &status) != 1)
		return 127;
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
