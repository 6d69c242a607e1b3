/*
 * nutsec - test_spawn.c: common/spawn against real programs (/bin/sh and
 * coreutils). The child sees exactly the argv and environment given, none
 * of our descriptors above 2 (even ones without close-on-exec), default
 * signal dispositions and an empty mask although we ignore and block some,
 * stdin and stdout redirected to a pipe or /dev/null (also when the two
 * descriptors given are 1 and 0), and a new session on request. A missing
 * program, a bare name and a non-executable file fail in the caller with
 * the exec's errno. spawn_reap waits, times out and polls; spawn_env keeps
 * only the names and prefixes asked for.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"
#include "test.h"

#define SH "/bin/sh"

/* Runs `sh -c script` with env, stdin in_fd and stderr as asked, its stdout into out. */
static int
run_sh_err(const char *script, char *const *env, int in_fd, int new_session, int stderr_fd,
    char *out, size_t outlen)
{
	char *argv[] = { (char *)SH, (char *)"-c", (char *)script, NULL };
	struct spawn_opts o;
	ssize_t n, got = 0;
	int p[2], st = -1;
	pid_t pid;

	if (pipe(p) != 0)
		return -1;
	spawn_opts_init(&o, argv);
	o.envp = env;
	o.stdin_fd = in_fd;
	o.stdout_fd = p[1];
	o.stderr_fd = stderr_fd;
	o.new_session = new_session;
	pid = spawn(&o);
	close(p[1]);
	while (pid > 0 && got < (ssize_t)outlen - 1 &&
	    (n = read(p[0], out + got, outlen - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	if (pid < 0 || spawn_reap(pid, 10000, &st) != 1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The same with stderr inherited. */
static int
run_sh(const char *script, char *const *env, int in_fd, int new_session, char *out,
    size_t outlen)
{
	return run_sh_err(script, env, in_fd, new_session, SPAWN_KEEP, out, outlen);
}

static void
test_stderr(void)
{
	char out[256];
	char *argv[] = { (char *)SH, NULL };
	struct spawn_opts o;

	TEST_CASE("stderr with stdout (SPAWN_STDOUT): both streams in the pipe, in order");
	CHECK_INT(run_sh_err("echo one; echo two >&2; echo three", NULL, SPAWN_NULL, 0,
	    SPAWN_STDOUT, out, sizeof(out)), 0);
	CHECK_STR(out, "one\ntwo\nthree\n");

	TEST_CASE("stderr to /dev/null (SPAWN_NULL): only stdout arrives");
	CHECK_INT(run_sh_err("echo one; echo two >&2", NULL, SPAWN_NULL, 0, SPAWN_NULL, out,
	    sizeof(out)), 0);
	CHECK_STR(out, "one\n");

	TEST_CASE("an arbitrary descriptor for stderr is refused (EINVAL)");
	spawn_opts_init(&o, argv);
	o.stderr_fd = 7;
	errno = 0;
	CHECK_INT(spawn(&o), -1);
	CHECK_INT(errno, EINVAL);
}

static void
test_find(void)
{
	char out[256];
	const char *old = getenv("PATH");
	char *saved = old != NULL ? strdup(old) : NULL;

	TEST_CASE("spawn_find: a path is taken as it is, a name found in PATH, a missing one refused");
	CHECK_INT(spawn_find("/no/such/prog", out, sizeof(out)), 0);
	CHECK_STR(out, "/no/such/prog");
	setenv("PATH", "/nonexistent:/bin", 1);
	CHECK_INT(spawn_find("sh", out, sizeof(out)), 0);
	CHECK_STR(out, "/bin/sh");
	CHECK_INT(spawn_find("no-such-program-here", out, sizeof(out)), -1);
	CHECK_INT(spawn_find("sh", out, 4), -1);	/* "/bin/sh" does not fit */
	if (saved != NULL) {
		setenv("PATH", saved, 1);
		free(saved);
	}
}

static void
test_basics(void)
{
	char *env[] = { (char *)"A=1", (char *)"B=two words", NULL };
	char out[4096];

	TEST_CASE("argv and exactly the environment given");
	CHECK_INT(run_sh("printf '%s|' \"$0\" \"$A\" \"$B\"; env | grep -v '^PWD=\\|^SHLVL=\\|^_=' "
	    "| sort | tr '\\n' ,", env, SPAWN_KEEP, 0, out, sizeof(out)), 0);
	CHECK_STR(out, "/bin/sh|1|two words|A=1,B=two words,");

	TEST_CASE("no environment at all by default");
	CHECK_INT(run_sh("env | grep -v '^PWD=\\|^SHLVL=\\|^_=' | wc -l", NULL, SPAWN_KEEP, 0,
	    out, sizeof(out)), 0);
	CHECK(atoi(out) == 0);

	TEST_CASE("the exit status comes back through spawn_reap");
	CHECK_INT(run_sh("exit 7", NULL, SPAWN_KEEP, 0, out, sizeof(out)), 7);
}

static void
test_fds(void)
{
	char out[4096], want[64];
	int leak, leak2, p[2];

	TEST_CASE("no descriptor above 2 reaches the program, close-on-exec or not");
	leak = open("/dev/null", O_RDONLY);		/* no O_CLOEXEC on purpose */
	leak2 = fcntl(leak, F_DUPFD, 200);		/* a high one too */
	CHECK(leak >= 3 && leak2 >= 200);
	CHECK_INT(run_sh("ls /proc/self/fd | sort -n | tr '\\n' ,", NULL, SPAWN_KEEP, 0, out,
	    sizeof(out)), 0);
	/* 0, 1, 2 and ls's own directory descriptor (3). */
	CHECK_STR(out, "0,1,2,3,");
	close(leak);
	close(leak2);

	TEST_CASE("stdin from a pipe, stdout to a pipe");
	if (CHECK(pipe(p) == 0)) {
		CHECK(write(p[1], "hello\n", 6) == 6);
		close(p[1]);
		CHECK_INT(run_sh("read x; echo \"got $x\"", NULL, p[0], 0, out, sizeof(out)), 0);
		CHECK_STR(out, "got hello\n");
		close(p[0]);
	}

	TEST_CASE("stdin from /dev/null");
	CHECK_INT(run_sh("cat; echo end", NULL, SPAWN_NULL, 0, out, sizeof(out)), 0);
	CHECK_STR(out, "end\n");

	TEST_CASE("stdin and stdout swapped (descriptors 1 and 0 given)");
	{
		char *argv[] = { (char *)SH, (char *)"-c", (char *)"read x; echo \"$x!\"", NULL };
		struct spawn_opts o;
		int in[2], outp[2], st, s0, s1;
		ssize_t n;
		pid_t pid;

		/* Park our stdin/stdout, put the pipes on 0 and 1 the wrong way round. */
		s0 = dup(0);
		s1 = dup(1);
		fflush(stdout);
		if (CHECK(pipe(in) == 0 && pipe(outp) == 0)) {
			CHECK(dup2(outp[1], 0) == 0 && dup2(in[0], 1) == 1);
			spawn_opts_init(&o, argv);
			o.stdin_fd = 1;		/* the read end of `in` */
			o.stdout_fd = 0;	/* the write end of `outp` */
			pid = spawn(&o);
			dup2(s0, 0);
			dup2(s1, 1);
			close(outp[1]);
			close(in[0]);
			CHECK(write(in[1], "swap\n", 5) == 5);
			close(in[1]);
			n = read(outp[0], out, sizeof(out) - 1);
			out[n > 0 ? n : 0] = '\0';
			close(outp[0]);
			CHECK(pid > 0 && spawn_reap(pid, 10000, &st) == 1);
			CHECK_STR(out, "swap!\n");
		}
		close(s0);
		close(s1);
	}

	TEST_CASE("a new session on request, ours otherwise");
	snprintf(want, sizeof(want), "%ld\n", (long)getsid(0));
	CHECK_INT(run_sh("read p c s pp pg sid r < /proc/$$/stat; echo $sid", NULL, SPAWN_KEEP,
	    0, out, sizeof(out)), 0);
	CHECK_STR(out, want);
	CHECK_INT(run_sh("read p c s pp pg sid r < /proc/$$/stat; echo $sid; echo $$", NULL,
	    SPAWN_KEEP, 1, out, sizeof(out)), 0);
	{
		char *nl = strchr(out, '\n');

		/* The shell leads its own session: its sid is its pid. */
		CHECK(nl != NULL && strncmp(out, nl + 1, (size_t)(nl - out)) == 0);
	}
}

static void
test_signals(void)
{
	char out[4096];
	sigset_t set, old;

	TEST_CASE("signals: default dispositions and an empty mask in the program");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	CHECK_INT(run_sh("grep -E '^Sig(Blk|Ign):' /proc/self/status | tr -d '\\t\\n'", NULL,
	    SPAWN_KEEP, 0, out, sizeof(out)), 0);
	CHECK(strncmp(out, "SigBlk:0000000000000000SigIgn:", 30) == 0);
	/* glibc keeps signals 32 and 33 to itself: sigaction cannot reset them. */
	if (!CHECK((strtoull(out + 30, NULL, 16) & ~(3ull << 31)) == 0))
		printf("# %s\n", out);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGHUP, SIG_DFL);
}

static void
test_failures(void)
{
	char *missing[] = { (char *)"/nonexistent/nutsec-prog", NULL };
	char *bare[] = { (char *)"sh", NULL };
	char *noexec[] = { NULL, NULL };
	char path[] = "/tmp/nutsec-spawn.XXXXXX";
	struct spawn_opts o;
	int fd;

	TEST_CASE("a missing program fails in the caller with ENOENT");
	spawn_opts_init(&o, missing);
	errno = 0;
	CHECK(spawn(&o) == -1 && errno == ENOENT);
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);	/* reaped */

	TEST_CASE("a bare name is refused (no PATH search)");
	spawn_opts_init(&o, bare);
	CHECK(spawn(&o) == -1 && errno == EINVAL);

	TEST_CASE("a file without execute permission fails with EACCES");
	if (CHECK((fd = mkstemp(path)) >= 0)) {
		CHECK(write(fd, "#!/bin/sh\n", 10) == 10);
		close(fd);
		chmod(path, 0600);
		noexec[0] = path;
		spawn_opts_init(&o, noexec);
		CHECK(spawn(&o) == -1 && errno == EACCES);
		unlink(path);
	}
}

static void
test_reap(void)
{
	char *sleeper[] = { (char *)"/bin/sleep", (char *)"5", NULL };
	struct spawn_opts o;
	int st = 0;
	pid_t pid;

	TEST_CASE("spawn_reap: polls, times out, then reaps the killed child");
	spawn_opts_init(&o, sleeper);
	o.stdin_fd = SPAWN_NULL;
	o.stdout_fd = SPAWN_NULL;
	if (!CHECK((pid = spawn(&o)) > 0))
		return;
	CHECK(spawn_reap(pid, 0, &st) == 0);
	CHECK(spawn_reap(pid, 50, &st) == 0);
	kill(pid, SIGKILL);
	CHECK(spawn_reap(pid, -1, &st) == 1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK(spawn_reap(pid, 0, &st) == -1 && errno == ECHILD);
}

static void
test_env(void)
{
	static const char *const names[] = { "NUT_*", "TZ", NULL };
	char *out[8];
	size_t n;

	TEST_CASE("spawn_env keeps the names and prefixes asked for, bounded");
	setenv("NUT_STATEPATH", "/x", 1);
	setenv("NUT_CONFPATH", "/y", 1);
	setenv("TZ", "UTC", 1);
	setenv("TZX", "no", 1);
	setenv("NUTX", "no", 1);
	setenv("SECRET", "no", 1);
	n = spawn_env(out, 8, names);
	CHECK(n >= 3 && out[n] == NULL);
	while (n-- > 0)
		CHECK(strncmp(out[n], "NUT_", 4) == 0 || strcmp(out[n], "TZ=UTC") == 0);
	CHECK(spawn_env(out, 2, names) == 1 && out[1] == NULL);
}

int
main(void)
{
	alarm(60);
	test_basics();
	test_fds();
	test_signals();
	test_failures();
	test_reap();
	test_env();
	test_stderr();
	test_find();
	return test_done();
}
