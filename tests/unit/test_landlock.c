/*
 * nutsec - test_landlock.c: the two doors of issue 13 (finding 4), tried
 * from inside the real sandbox. (a) A directory kept open (O_PATH) outside
 * the jail for reload, walked up with openat(kept, "../../../etc/passwd"):
 * every role must now get EACCES, while the file it keeps the directory for
 * still opens. (b) A connect to an abstract UNIX socket the host listens on,
 * and a signal to a process outside: refused where the kernel scopes them
 * (Landlock ABI 6). Each attack is first run as a control with seccomp
 * loaded but no Landlock, where it must work, so the test can tell the
 * walls apart. Needs root and the nut user (created if missing, as the
 * daemons expect it); parts that need a newer kernel say why they skip.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "test.h"

static char tmpdir[] = "/tmp/nutsec-ll.XXXXXX";
static char confdir[64], jail[64], allowed[64], other[64];
static int abi;
static pid_t victim = -1;
static char abstract_name[64];

/* What a child saw after entering the sandbox (errno of each try, 0 = worked). */
struct seen {
	int entered;		/* 1 once sandbox_confine (and the filter) succeeded */
	int passwd;		/* openat(kept, "../../../etc/passwd") */
	int conffile;		/* openat(kept, "upsd.conf"): reload still works */
	int parent;		/* openat(kept, "..", O_DIRECTORY) */
	int file_rule;		/* a single file allowed by name, via "../allowed" */
	int not_allowed;	/* its neighbour, not allowed */
	int abstract;		/* connect to the host's abstract socket */
	int signal;		/* kill(victim, 0) */
	char line[600];		/* sandbox_describe, or the failure */
};

enum how {
	WITH_LANDLOCK,		/* sandbox_confine as the daemons do */
	SECCOMP_ONLY,		/* the control: jail, ids, filter, no Landlock */
	LANDLOCK_ONLY		/* Landlock without the filter (kill() is not in any role) */
};

/* errno of an open attempt, 0 when it opened. */
static int
try_openat(int dfd, const char *path, int flags)
{
	int fd = openat(dfd, path, flags | O_CLOEXEC);

	if (fd < 0)
		return errno;
	(void)close(fd);
	return 0;
}

static int
try_abstract(void)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd, rc;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, abstract_name, strlen(abstract_name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(abstract_name));
	rc = connect(fd, (struct sockaddr *)&sa, len) == 0 ? 0 : errno;
	(void)close(fd);
	return rc;
}

/* The child's side: confine as asked, then try every door. */
static void
attack(enum sandbox_role role, enum how how, int kept, struct seen *s)
{
	struct sandbox_opts o;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.user = how == LANDLOCK_ONLY ? NULL : "nut";
	o.chroot_dir = how == LANDLOCK_ONLY ? NULL : jail;
	o.action = how == SECCOMP_ONLY ? SB_ACTION_OFF : SB_ACTION_KILL;
	o.flags = SB_F_RELOAD;
	if (sandbox_allow_read_fd(&o, kept) != 0 || sandbox_allow_read(&o, jail) != 0 ||
	    sandbox_allow_read(&o, allowed) != 0) {
		snprintf(s->line, sizeof(s->line), "FAIL: sandbox_allow_read: %s",
		    strerror(errno));
		return;
	}
	if (how == LANDLOCK_ONLY) {
		if (sandbox_load_landlock(role, &o, err, sizeof(err)) != 0) {
			snprintf(s->line, sizeof(s->line), "FAIL: %s", err);
			return;
		}
	} else if (sandbox_confine(role, &o, "T: ") != 0) {
		snprintf(s->line, sizeof(s->line), "FAIL: sandbox_confine (its reason is logged)");
		return;
	}
	if (how == SECCOMP_ONLY && sandbox_load_filter(role, SB_F_RELOAD, SB_ACTION_KILL) != 0) {
		snprintf(s->line, sizeof(s->line), "FAIL: the filter did not load");
		return;
	}
	s->entered = 1;
	s->passwd = try_openat(kept, "../../../etc/passwd", O_RDONLY);
	s->conffile = try_openat(kept, "upsd.conf", O_RDONLY);
	s->parent = try_openat(kept, "..", O_RDONLY | O_DIRECTORY);
	s->file_rule = try_openat(kept, "../allowed", O_RDONLY);
	s->not_allowed = try_openat(kept, "../other", O_RDONLY);
	if (role == SB_ROLE_UPSD)	/* the role that may make AF_UNIX stream sockets */
		s->abstract = try_abstract();
	if (how == LANDLOCK_ONLY)
		s->signal = kill(victim, 0) == 0 ? 0 : errno;
	if (sandbox_describe(role, &o, s->line, sizeof(s->line)) != 0)
		snprintf(s->line, sizeof(s->line), "(describe failed)");
}

/* Forks the attacker; fills s from what it reports. Returns its wait status. */
static int
run_attack(enum sandbox_role role, enum how how, struct seen *s)
{
	int rep[2], st = -1, kept;
	pid_t pid;

	memset(s, 0, sizeof(*s));
	if (pipe(rep) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		struct seen mine;

		(void)close(rep[0]);
		memset(&mine, 0, sizeof(mine));
		/* The reload handle: outside the jail, as conf_keep_dir keeps it. */
		kept = open(confdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (kept < 0)
			snprintf(mine.line, sizeof(mine.line), "FAIL: %s: %s", confdir,
			    strerror(errno));
		else
			attack(role, how, kept, &mine);
		(void)!write(rep[1], &mine, sizeof(mine));
		_exit(0);
	}
	(void)close(rep[1]);
	if (read(rep[0], s, sizeof(*s)) != (ssize_t)sizeof(*s))
		snprintf(s->line, sizeof(s->line), "(the child reported nothing)");
	s->line[sizeof(s->line) - 1] = '\0';
	(void)close(rep[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* run_attack for a test case: the child must have confined itself and exited 0. */
static void
run_checked(enum sandbox_role role, enum how how, struct seen *s)
{
	int st = run_attack(role, how, s);

	if (!CHECK(s->entered))
		printf("# %s\n", s->line);
	CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static const char *
role_case(enum sandbox_role role, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "%s: %s", sandbox_role_name(role), what);
	return buf;
}

/* (a) for one role: the control lets the walk out through, Landlock does not. */
static void
test_kept_dir(enum sandbox_role role)
{
	struct seen s;
	char name[160], want[64];

	TEST_CASE(role_case(role, "control, seccomp without Landlock: "
	    "openat(kept, \"../../../etc/passwd\") reads the host file", name, sizeof(name)));
	run_checked(role, SECCOMP_ONLY, &s);
	CHECK_INT(s.passwd, 0);
	CHECK_INT(s.parent, 0);
	CHECK_INT(s.not_allowed, 0);
	test_case_end();

	if (abi <= 0) {
		printf("ok %d # SKIP %s: this kernel has no Landlock (%s): the walk above "
		    "stays open\n", ++test_n, sandbox_role_name(role), strerror(-abi));
		return;
	}
	TEST_CASE(role_case(role, "sandbox_confine: openat(kept, \"../../../etc/passwd\") "
	    "is refused with EACCES", name, sizeof(name)));
	run_checked(role, WITH_LANDLOCK, &s);
	CHECK_INT(s.passwd, EACCES);
	CHECK_INT(s.parent, EACCES);
	test_case_end();

	TEST_CASE(role_case(role, "sandbox_confine: the kept directory's own file still "
	    "opens (reload), a file allowed by name too, its neighbour not", name,
	    sizeof(name)));
	CHECK_INT(s.conffile, 0);
	CHECK_INT(s.file_rule, 0);
	CHECK_INT(s.not_allowed, EACCES);
	test_case_end();

	TEST_CASE(role_case(role, "the start-up line names the Landlock ABI", name,
	    sizeof(name)));
	snprintf(want, sizeof(want), "landlock ABI %d: fs read-only beneath 3 paths", abi);
	printf("# %s\n", s.line);
	CHECK(strstr(s.line, want) != NULL);
	test_case_end();
}

/* A listener on an abstract name, as a host service would have one. */
static int
abstract_listener(void)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd;

	snprintf(abstract_name, sizeof(abstract_name), "nutsec-ll-test-%ld", (long)getpid());
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, abstract_name, strlen(abstract_name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(abstract_name));
	if (bind(fd, (struct sockaddr *)&sa, len) != 0 || listen(fd, 8) != 0) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* (b): abstract sockets and signals, scoped from ABI 6. */
static void
test_scopes(void)
{
	struct seen s;
	int lfd, st;

	TEST_CASE("abstract socket listener and a victim process outside the sandbox");
	lfd = abstract_listener();
	CHECK(lfd >= 0);
	fflush(stdout);
	if ((victim = fork()) == 0) {
		pause();
		_exit(0);
	}
	CHECK(victim > 0);
	test_case_end();
	if (lfd < 0 || victim <= 0)
		return;

	TEST_CASE("upsd control, seccomp without Landlock: connect to the host's "
	    "abstract socket works");
	run_checked(SB_ROLE_UPSD, SECCOMP_ONLY, &s);
	CHECK_INT(s.abstract, 0);
	test_case_end();

	if (abi < 6) {
		printf("ok %d # SKIP Landlock ABI %d < 6 (needs Linux 6.12): abstract "
		    "sockets and signals are not scoped here\n", ++test_n, abi > 0 ? abi : 0);
	} else {
		TEST_CASE("upsd sandbox_confine: connect to the host's abstract socket is "
		    "refused (EPERM)");
		run_checked(SB_ROLE_UPSD, WITH_LANDLOCK, &s);
		CHECK_INT(s.abstract, EPERM);
		CHECK(strstr(s.line, "abstract unix sockets and signals scoped") != NULL);
		test_case_end();

		TEST_CASE("Landlock alone: a signal to a process outside is refused (EPERM)");
		run_checked(SB_ROLE_UPSD, LANDLOCK_ONLY, &s);
		CHECK_INT(s.signal, EPERM);
		CHECK_INT(s.passwd, EACCES);
		test_case_end();
	}
	(void)kill(victim, SIGKILL);
	while (waitpid(victim, &st, 0) < 0 && errno == EINTR)
		;
	(void)close(lfd);
}

/* SANDBOX off: no seccomp filter and no Landlock either, and the line says so. */
static void
test_off(void)
{
	struct seen s;

	TEST_CASE("action off: no Landlock, and the start-up line says \"landlock off\"");
	(void)run_attack(SB_ROLE_DRIVER, SECCOMP_ONLY, &s);
	if (!CHECK(strstr(s.line, "landlock off") != NULL))
		printf("# %s\n", s.line);
	test_case_end();

	TEST_CASE("a role landlock.c does not list gets none (it may need to run programs)");
	{
		struct sandbox_opts o;
		char err[128], line[600];

		memset(&o, 0, sizeof(o));
		o.action = SB_ACTION_KILL;
		CHECK(sandbox_load_landlock(SB_ROLE__COUNT, &o, err, sizeof(err)) == 0);
		CHECK(sandbox_describe(SB_ROLE_DRIVER, &o, line, sizeof(line)) == 0);
		if (!CHECK(strstr(line, "no landlock for this role") != NULL))
			printf("# %s\n", line);
		CHECK(access("/etc/passwd", R_OK) == 0);
	}

	TEST_CASE("sandbox_allow_read: a missing path fails with ENOENT, the table is bounded");
	{
		struct sandbox_opts o;
		size_t i;
		int ok = 1;

		memset(&o, 0, sizeof(o));
		CHECK(sandbox_allow_read(&o, "/nonexistent-nutsec-path") == -1 &&
		    errno == ENOENT);
		for (i = 0; i < SB_MAX_READABLE; i++)
			ok &= sandbox_allow_read(&o, "/") == 0;
		CHECK(ok);
		CHECK(sandbox_allow_read(&o, "/") == -1 && errno == ENFILE);
		for (i = 0; i < o.nreadable; i++) {
			CHECK(o.readable[i] > STDERR_FILENO);
			(void)close(o.readable[i]);
		}
	}
}

/* A rule Landlock refuses names what it was about, not a descriptor number. */
static void
test_rule_error(void)
{
	struct sandbox_opts o;
	char err[256];
	int p[2];
	pid_t pid;
	int st;

	TEST_CASE("a refused rule is named by its path in the error");
	if (abi <= 0) {
		printf("# skipped: no Landlock on this kernel\n");
		test_case_end();
		return;
	}
	if (!CHECK(pipe(p) == 0))
		return;
	memset(&o, 0, sizeof(o));
	o.action = SB_ACTION_KILL;
	CHECK(sandbox_allow_read(&o, "/") == 0);
	CHECK(sandbox_allow_read_fd(&o, p[0]) == 0);	/* a pipe: no file, no rule */
	CHECK(strcmp(o.readable_name[0], "/") == 0);
	CHECK(strncmp(o.readable_name[1], "pipe:[", 6) == 0);
	/* In a child: a ruleset that did load would confine this process. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int failed = sandbox_load_landlock(SB_ROLE_DRIVER, &o, err, sizeof(err)) != 0;

		printf("# %s\n", failed ? err : "(loaded)");
		fflush(stdout);
		_exit(failed && strstr(err, "rule 2 (pipe:[") != NULL &&
		    strstr(err, "read-only") != NULL ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	(void)close(p[0]);
	(void)close(p[1]);
	test_case_end();
}

/* usb-reopen's kind of rule: writing beneath one directory, reading another. */
static void
test_rw(void)
{
	int rep[2], st = -1;
	pid_t pid;
	struct {
		int wrote, wrote_beside, wrote_readonly, read_readonly;
		char line[600];
	} r;

	TEST_CASE("sandbox_allow_rw_fd: files beneath it open for writing, nothing beside it");
	memset(&r, 0, sizeof(r));
	if (abi <= 0) {
		printf("# no Landlock here: skipped\n");
		return;
	}
	if (!CHECK(pipe(rep) == 0))
		return;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct sandbox_opts o;
		char err[256], path[96];
		int dir = open(confdir, O_PATH | O_DIRECTORY | O_CLOEXEC);

		memset(&o, 0, sizeof(o));
		o.action = SB_ACTION_KILL;
		if (dir < 0 || sandbox_allow_rw_fd(&o, dir) != 0 || sandbox_allow_read(&o, allowed) != 0 ||
		    sandbox_load_landlock(SB_ROLE_USB_REOPEN, &o, err, sizeof(err)) != 0) {
			snprintf(r.line, sizeof(r.line), "FAIL: %s", dir < 0 ? strerror(errno) : err);
		} else {
			snprintf(path, sizeof(path), "%s/upsd.conf", confdir);
			r.wrote = try_openat(AT_FDCWD, path, O_WRONLY);
			r.wrote_beside = try_openat(AT_FDCWD, other, O_WRONLY);
			r.wrote_readonly = try_openat(AT_FDCWD, allowed, O_WRONLY);
			r.read_readonly = try_openat(AT_FDCWD, allowed, O_RDONLY);
			if (sandbox_describe(SB_ROLE_USB_REOPEN, &o, r.line, sizeof(r.line)) != 0)
				snprintf(r.line, sizeof(r.line), "(describe failed)");
		}
		(void)!write(rep[1], &r, sizeof(r));
		_exit(0);
	}
	(void)close(rep[1]);
	if (!CHECK(read(rep[0], &r, sizeof(r)) == (ssize_t)sizeof(r)))
		r.line[0] = '\0';
	(void)close(rep[0]);
	(void)waitpid(pid, &st, 0);
	r.line[sizeof(r.line) - 1] = '\0';
	CHECK_INT(r.wrote, 0);
	CHECK_INT(r.wrote_beside, EACCES);
	CHECK_INT(r.wrote_readonly, EACCES);
	CHECK_INT(r.read_readonly, 0);
	if (!CHECK(strstr(r.line, "read-write beneath 1") != NULL))
		printf("# %s\n", r.line);
}

static int
make_file(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return -1;
	if (write(fd, "x\n", 2) != 2) {
		(void)close(fd);
		return -1;
	}
	return close(fd);
}

static int
setup(void)
{
	char path[96];

	if (mkdtemp(tmpdir) == NULL || chmod(tmpdir, 0755) != 0)
		return -1;
	snprintf(confdir, sizeof(confdir), "%s/conf", tmpdir);
	snprintf(jail, sizeof(jail), "%s/jail", tmpdir);
	snprintf(allowed, sizeof(allowed), "%s/allowed", tmpdir);
	snprintf(other, sizeof(other), "%s/other", tmpdir);
	snprintf(path, sizeof(path), "%s/upsd.conf", confdir);
	if (mkdir(confdir, 0755) != 0 || mkdir(jail, 0755) != 0 || make_file(path, 0644) != 0 ||
	    make_file(allowed, 0644) != 0 || make_file(other, 0644) != 0)
		return -1;
	return 0;
}

static void
teardown(void)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/upsd.conf", confdir);
	(void)unlink(path);
	(void)unlink(allowed);
	(void)unlink(other);
	(void)rmdir(confdir);
	(void)rmdir(jail);
	(void)rmdir(tmpdir);
}

int
main(void)
{
	static const enum sandbox_role roles[] = {
		SB_ROLE_UPSD, SB_ROLE_DRIVER, SB_ROLE_DRIVER_NET, SB_ROLE_DRIVER_USB
	};
	size_t i;

	abi = sandbox_landlock_abi();
	printf("# kernel Landlock ABI: %d%s%s\n", abi > 0 ? abi : 0, abi > 0 ? "" : ", ",
	    abi > 0 ? "" : strerror(-abi));
	if (geteuid() == 0 && getpwnam("nut") == NULL) {
		fflush(stdout);
		if (system("useradd --system --user-group --no-create-home "
		    "--shell /usr/sbin/nologin nut >/dev/null 2>&1") != 0)
			printf("# useradd nut failed\n");
	}
	if (geteuid() != 0 || getpwnam("nut") == NULL) {
		printf("ok 1 # SKIP the attacks need root (chroot) and a nut user\n1..1\n");
		return 0;
	}
	TEST_CASE("a kept directory outside a jail, files beside it");
	if (!CHECK(setup() == 0)) {
		perror(tmpdir);
		return test_done();
	}
	test_case_end();
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		test_kept_dir(roles[i]);
	test_scopes();
	test_off();
	test_rule_error();
	test_rw();
	teardown();
	return test_done();
}
