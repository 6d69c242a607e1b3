/*
 * nutsec - test_sandbox.c: the sandbox proven from the outside. The policy
 * tables are checked for consistency (no denied syscall is ever allowed,
 * every entry has a reason, the dump works for every role and flag). Then,
 * for every role, a forked child loads the role's filter in kill mode and
 * either makes an allowed call and exits 0, or makes one forbidden call and
 * must die of SIGSYS (one child per call). Trap mode must name the syscall
 * and exit 159; log mode must let an unlisted call through but still kill
 * on the deny list. As root, a child enters the full sandbox as user nut in
 * a temporary jail and the parent reads /proc/PID of that child: no
 * capability in CapEff or CapBnd, NoNewPrivs 1, Seccomp 2, the ids of nut,
 * its root the jail; without a chroot, uid nut cannot read /etc/shadow or
 * write where root owns the directory; the upsmon parent stays root under its
 * filter and still runs a program. Filter tests are skipped when the
 * kernel has no seccomp; the sandbox_confine tests when not root (as root, a
 * missing nut user is created as the daemons expect it).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/securebits.h>
#include <linux/usbdevice_fs.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "policy.h"
#include "sandbox.h"
#include "test.h"

#define EXIT_LOADFAIL 77	/* the child could not load its filter */

/* ---- forking helpers ---- */

struct call {
	const char *name;
	int (*fn)(void);	/* returns 0 when the call behaved as allowed */
};

/*
 * Runs fn in a child after loading role/flags/action; returns the raw wait
 * status. stderr of the child goes to errfd when errfd >= 0.
 */
static int
in_child(enum sandbox_role role, unsigned flags, enum sandbox_action action,
    int (*fn)(void), int errfd)
{
	pid_t pid;
	int st = -1;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if (errfd >= 0)
			(void)dup2(errfd, STDERR_FILENO);
		if (sandbox_load_filter(role, flags, action) != 0)
			_exit(EXIT_LOADFAIL);
		_exit(fn() == 0 ? 0 : 1);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

static int
killed_by_sigsys(int st)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
}

static int
exited(int st, int code)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static const char *
describe_status(int st, char *buf, size_t len)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(st));
	else if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else
		snprintf(buf, len, "status 0x%x", st);
	return buf;
}

/* Expects the call to kill a child of role/flags with SIGSYS. */
static void
expect_killed(enum sandbox_role role, unsigned flags, const struct call *c)
{
	char what[160], how[64];
	int st = in_child(role, flags, SB_ACTION_KILL, c->fn, -1);

	snprintf(what, sizeof(what), "%s%s%s%s: %s is killed with SIGSYS",
	    sandbox_role_name(role), (flags & SB_F_TLS) ? "+tls" : "",
	    (flags & SB_F_RELOAD) ? "+reload" : "", (flags & SB_F_SYSLOG) ? "+syslog" : "",
	    c->name);
	TEST_CASE(what);
	if (!CHECK(killed_by_sigsys(st)))
		printf("# child: %s\n", describe_status(st, how, sizeof(how)));
	test_case_end();	/* prints the name while the buffer still lives */
}

/* Expects the call to work in a child of role/flags. */
static void
expect_allowed(enum sandbox_role role, unsigned flags, const struct call *c)
{
	char what[160], how[64];
	int st = in_child(role, flags, SB_ACTION_KILL, c->fn, -1);

	snprintf(what, sizeof(what), "%s%s%s%s: %s works",
	    sandbox_role_name(role), (flags & SB_F_TLS) ? "+tls" : "",
	    (flags & SB_F_RELOAD) ? "+reload" : "", (flags & SB_F_SYSLOG) ? "+syslog" : "",
	    c->name);
	TEST_CASE(what);
	if (!CHECK(exited(st, 0)))
		printf("# child: %s\n", describe_status(st, how, sizeof(how)));
	test_case_end();
}

/* ---- calls every role may make ---- */

static int pipefd[2] = { -1, -1 };
static int chanfd[2] = { -1, -1 };	/* a socketpair, the parent channel */
static int rofd = -1;			/* tmpfile_ro, opened read-only before any filter */
static int epfd = -1;
static char tmpdir[] = "/tmp/nutsec-sbx.XXXXXX";
static char tmpfile_ro[64];

static int
call_event_loop(void)
{
	struct epoll_event ev;
	struct timespec ts;
	char c = 0;
	void *p;

	if (getpid() <= 0 || clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return -1;
	if (write(pipefd[1], "x", 1) != 1 || read(pipefd[0], &c, 1) != 1 || c != 'x')
		return -1;
	if (epoll_wait(epfd, &ev, 1, 0) != 0)
		return -1;
	/* A large block comes from mmap, a small one from brk. */
	if ((p = malloc(1 << 20)) == NULL)
		return -1;
	memset(p, 1, 1 << 20);
	free(p);
	if ((p = malloc(100)) == NULL)
		return -1;
	free(p);
	if (fcntl(pipefd[0], F_GETFL) < 0)
		return -1;
	return 0;
}

static int
call_unlink_soft(void)
{
	/* Refused with EACCES, not fatal: exit-time clean-up. */
	return unlink(tmpfile_ro) == -1 && errno == EACCES ? 0 : -1;
}

static int
call_unix_stream(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	return fd >= 0 && close(fd) == 0 ? 0 : -1;
}

static int
call_unix_dgram(void)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	return fd >= 0 && close(fd) == 0 ? 0 : -1;
}

static int
call_inet_stream(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	return fd >= 0 && close(fd) == 0 ? 0 : -1;
}

static int
call_open_ro(void)
{
	int fd = open(tmpfile_ro, O_RDONLY | O_CLOEXEC);

	return fd >= 0 && close(fd) == 0 ? 0 : -1;
}

static int
call_sndbuf(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), v = 65536;

	return fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0 ? 0 : -1;
}

static int
call_fcntl_lock(void)
{
	struct flock fl;

	/* On a file opened before the filter, like NSS's database. */
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(rofd, F_SETLK, &fl) == 0 ? 0 : -1;
}

static int
call_usb_ioctl(void)
{
	/* The filter lets the request through; the pipe is not a USB device. */
	return ioctl(pipefd[0], USBDEVFS_DISCARDURB, NULL) == -1 && errno == ENOTTY ? 0 : -1;
}

static int
call_describe(void)
{
	struct sandbox_opts o;
	char line[512];

	memset(&o, 0, sizeof(o));
	return sandbox_describe(SB_ROLE_DRIVER, &o, line, sizeof(line)) == 0 &&
	    strstr(line, "NoNewPrivs 1") != NULL &&
	    strstr(line, "seccomp filter driver (kill)") != NULL ? 0 : -1;
}

/* Forks, execs /bin/true with an empty environment and waits: 0 if it ran. */
static int
call_run_program(void)
{
	char *argv[] = { (char *)"true", NULL }, *envp[] = { NULL };
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ---- calls no allow-list role may make ---- */

static int
call_execve(void)
{
	char *argv[] = { (char *)"true", NULL }, *envp[] = { NULL };

	execve("/bin/true", argv, envp);
	return -1;
}

static int
call_ptrace(void)
{
	return (int)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

static int
call_process_vm_readv(void)
{
	char a[8], b[8] = "abc";
	struct iovec l = { a, sizeof(a) }, r = { b, sizeof(b) };

	return (int)process_vm_readv(getppid(), &l, 1, &r, 1, 0);
}

static int
call_packet_socket(void)
{
	return socket(AF_PACKET, SOCK_RAW, 0);
}

static int
call_netlink_socket(void)
{
	return socket(AF_NETLINK, SOCK_RAW, 0);
}

static int
call_raw_inet_socket(void)
{
	return socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
}

static int
call_inet_dgram(void)
{
	return socket(AF_INET, SOCK_DGRAM, 0);
}

static int
call_inet_listen(void)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		return -1;
	return listen(fd, 5);
}

static int
call_unix_listen(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	return fd < 0 ? -1 : listen(fd, 5);
}

static int
call_mmap_exec(void)
{
	return mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	    MAP_FAILED ? -1 : 0;
}

static int
call_mprotect_exec(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	return mprotect(p, 4096, PROT_READ | PROT_EXEC);
}

static int
call_open_wronly(void)
{
	return open(tmpfile_ro, O_WRONLY);
}

static int
call_open_rdwr(void)
{
	return open(tmpfile_ro, O_RDWR);
}

static int
call_open_creat(void)
{
	char p[96];

	snprintf(p, sizeof(p), "%s/new", tmpdir);
	return open(p, O_RDONLY | O_CREAT, 0600);
}

static int
call_open_trunc(void)
{
	return open(tmpfile_ro, O_RDONLY | O_TRUNC);
}

static int
call_chroot(void)
{
	return chroot("/");
}

static int
call_setuid(void)
{
	return setuid(0);
}

static int
call_mount(void)
{
	return mount("none", "/nonexistent-nutsec", "tmpfs", 0, NULL);
}

static int
call_personality(void)
{
	return personality(READ_IMPLIES_EXEC);
}

static int
call_fork(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	return -1;
}

static int
call_unshare(void)
{
	return (int)syscall(SYS_unshare, 0x20000000 /* CLONE_NEWUTS */);
}

static int
call_bpf(void)
{
	return (int)syscall(SYS_bpf, 0, NULL, 0);
}

static int
call_perf_event_open(void)
{
	return (int)syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
}

static int
call_keyctl(void)
{
	return (int)syscall(SYS_keyctl, 0, 0, 0, 0, 0);
}

static int
call_add_key(void)
{
	return (int)syscall(SYS_add_key, "user", "x", "y", 1, 0);
}

static int
call_userfaultfd(void)
{
	return (int)syscall(SYS_userfaultfd, 0);
}

static int
call_kexec_load(void)
{
	/* Invalid flags: even unfiltered this changes nothing. */
	return (int)syscall(SYS_kexec_load, 0, 0, NULL, ~0ul);
}

static int
call_reuseaddr(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), v = 1;

	return fd < 0 ? -1 : setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
}

static int
call_fcntl_dupfd(void)
{
	return fcntl(pipefd[0], F_DUPFD, 100);
}

static int
call_tiocsti(void)
{
	char c = 'x';

	return ioctl(pipefd[0], TIOCSTI, &c);
}

#if defined(__x86_64__)
static int
call_x32_getpid(void)
{
	/* The same kernel entry as x86_64 with the x32 bit: another ABI. */
	return (int)syscall(0x40000000 | SYS_getpid);
}
#endif

/* upslog's SIGHUP reopen: openat on a directory fd kept from before. */
static int log_dirfd = -1;
#define UPSLOG_FLAGS (O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC)

static int
call_upslog_reopen(void)
{
	int fd = openat(log_dirfd, "upslog.log", UPSLOG_FLAGS, 0600);

	return fd >= 0 && write(fd, "x\n", 2) == 2 ? 0 : -1;
}

static int
call_upslog_trunc(void)
{
	return openat(log_dirfd, "upslog.log", UPSLOG_FLAGS | O_TRUNC, 0600);
}

static int
call_upslog_follow(void)
{
	return openat(log_dirfd, "upslog.log", O_WRONLY | O_APPEND | O_CREAT, 0600);
}

static int
call_upslog_cwd(void)
{
	return openat(AT_FDCWD, "upslog.log", UPSLOG_FLAGS, 0600);
}

/* usb-reopen: its sysfs walk and device open on a kept directory fd. */
static int
call_reopen_dir(void)
{
	int fd = openat(log_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd >= 0 && close(fd) == 0 ? 0 : -1;
}

static int
call_reopen_cwd(void)
{
	return openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int
call_reopen_create(void)
{
	return openat(log_dirfd, "new", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

static const struct call always_denied[] = {
	{ "execve", call_execve },
	{ "ptrace(PTRACE_TRACEME)", call_ptrace },
	{ "process_vm_readv", call_process_vm_readv },
	{ "socket(AF_PACKET)", call_packet_socket },
	{ "socket(AF_NETLINK)", call_netlink_socket },
	{ "socket(AF_INET, SOCK_RAW)", call_raw_inet_socket },
	{ "socket(AF_INET, SOCK_DGRAM)", call_inet_dgram },
	{ "socket(AF_INET)+bind+listen", call_inet_listen },
	{ "listen on a Unix socket", call_unix_listen },
	{ "mmap(PROT_EXEC)", call_mmap_exec },
	{ "mprotect(PROT_EXEC)", call_mprotect_exec },
	{ "open(O_WRONLY)", call_open_wronly },
	{ "open(O_RDWR)", call_open_rdwr },
	{ "open(O_CREAT)", call_open_creat },
	{ "open(O_TRUNC)", call_open_trunc },
	{ "chroot", call_chroot },
	{ "setuid(0)", call_setuid },
	{ "mount", call_mount },
	{ "personality(READ_IMPLIES_EXEC)", call_personality },
	{ "fork (clone)", call_fork },
	{ "unshare(CLONE_NEWUTS)", call_unshare },
	{ "bpf", call_bpf },
	{ "perf_event_open", call_perf_event_open },
	{ "keyctl", call_keyctl },
	{ "add_key", call_add_key },
	{ "userfaultfd", call_userfaultfd },
	{ "kexec_load", call_kexec_load },
	{ "setsockopt(SO_REUSEADDR)", call_reuseaddr },
	{ "fcntl(F_DUPFD)", call_fcntl_dupfd },
	{ "ioctl(TIOCSTI)", call_tiocsti },
#if defined(__x86_64__)
	{ "an x32 syscall", call_x32_getpid },
#endif
};

/* What the roles that run programs may still never do. */
static const struct call exec_role_denied[] = {
	{ "ptrace(PTRACE_TRACEME)", call_ptrace },
	{ "process_vm_readv", call_process_vm_readv },
	{ "chroot", call_chroot },
	{ "mount", call_mount },
	{ "personality(READ_IMPLIES_EXEC)", call_personality },
	{ "unshare(CLONE_NEWUTS)", call_unshare },
	{ "bpf", call_bpf },
	{ "perf_event_open", call_perf_event_open },
	{ "keyctl", call_keyctl },
	{ "add_key", call_add_key },
	{ "userfaultfd", call_userfaultfd },
	{ "kexec_load", call_kexec_load },
#if defined(__x86_64__)
	{ "an x32 syscall", call_x32_getpid },
#endif
};

/* 1 if role is filtered by a deny list (it runs programs). */
static int
exec_role(int r)
{
	return (SB_R_EXEC & (1u << r)) != 0;
}

/* ---- policy tables ---- */

static void
test_names(void)
{
	enum sandbox_action a;
	int i;

	TEST_CASE("action and role names round-trip");
	for (i = SB_ACTION_KILL; i <= SB_ACTION_OFF; i++) {
		CHECK(sandbox_parse_action(sandbox_action_name((enum sandbox_action)i), &a) == 0);
		CHECK_INT(a, i);
	}
	CHECK(sandbox_parse_action("TRAP", &a) == 0 && a == SB_ACTION_TRAP);
	CHECK(sandbox_parse_action("kil", &a) == -1);
	CHECK(sandbox_parse_action("", &a) == -1);
	for (i = 0; i < SB_ROLE__COUNT; i++)
		CHECK_INT(sandbox_role_lookup(sandbox_role_name((enum sandbox_role)i)), i);
	CHECK_STR(sandbox_role_name(SB_ROLE_DRIVER_NET), "driver-net");
	CHECK_INT(sandbox_role_lookup("upsmon-parent"), SB_ROLE_UPSMON_PARENT);
	CHECK_INT(sandbox_role_lookup("upssched"), SB_ROLE_UPSSCHED);
	CHECK(sandbox_role_lookup("upsmon") == -1);
	CHECK(sandbox_role_lookup(NULL) == -1);
}

static void
test_tables(void)
{
	size_t i, j;
	int r;

	static const char *const exec_calls[] = { "execve", "execveat", "fork", "vfork",
	    "clone", "clone3" };

	TEST_CASE("every role has a name, a model and a reason");
	for (r = 0; r < SB_ROLE__COUNT; r++) {
		CHECK(sb_roles[r].name != NULL && sb_roles[r].why != NULL &&
		    strlen(sb_roles[r].why) > 5);
		/* The deny-list model is for the roles that run programs, and only them. */
		CHECK((sb_roles[r].model == SB_MODEL_DENY) == exec_role(r));
		CHECK(!sb_roles[r].may_stay_root || r == SB_ROLE_UPSMON_PARENT ||
		    (r == SB_ROLE_USB_REOPEN && sb_roles[r].may_stay_root == SB_ROOT_NOCAPS));
	}
	TEST_CASE("every allow entry names a real syscall, roles and a reason");
	for (i = 0; i < sb_nrules; i++) {
		const struct sb_rule *p = &sb_rules[i];

		if (!CHECK(seccomp_syscall_resolve_name(p->syscall) != __NR_SCMP_ERROR))
			printf("# unknown syscall %s\n", p->syscall);
		/* The exec roles have no allow-list: an entry for them is a mistake. */
		CHECK(p->roles != 0 && (p->roles & ~SB_R_ALLOWLIST) == 0);
		CHECK(p->why != NULL && strlen(p->why) > 5);
		CHECK(p->flag == 0 || p->flag == SB_F_TLS || p->flag == SB_F_RELOAD ||
		    p->flag == SB_F_SYSLOG);
		for (j = 0; j < 2; j++)
			CHECK(p->c[j].kind != SB_C_IN || (p->c[j].set != NULL &&
			    p->c[j].set->n > 0 && p->c[j].arg < 6));
	}
	TEST_CASE("no denied syscall is allowed to a role it is denied to");
	for (i = 0; i < sb_ndenied; i++) {
		CHECK(seccomp_syscall_resolve_name(sb_denied[i].syscall) != __NR_SCMP_ERROR);
		CHECK(sb_denied[i].roles != 0 && (sb_denied[i].roles & ~SB_R_ALL) == 0);
		CHECK(sb_denied[i].why != NULL && strlen(sb_denied[i].why) >= 4);
		for (j = 0; j < sb_nrules; j++)
			if (!CHECK(strcmp(sb_denied[i].syscall, sb_rules[j].syscall) != 0 ||
			    (sb_denied[i].roles & sb_rules[j].roles) == 0))
				printf("# %s is both denied and allowed\n", sb_denied[i].syscall);
		for (j = 0; j < sb_nsoft; j++)
			CHECK(strcmp(sb_denied[i].syscall, sb_soft[j].syscall) != 0 ||
			    (sb_denied[i].roles & sb_soft[j].roles) == 0);
	}
	TEST_CASE("exec and fork stay denied to every role that runs no program");
	for (j = 0; j < sizeof(exec_calls) / sizeof(exec_calls[0]); j++) {
		unsigned denied_to = 0;

		for (i = 0; i < sb_ndenied; i++)
			if (strcmp(sb_denied[i].syscall, exec_calls[j]) == 0)
				denied_to |= sb_denied[i].roles;
		if (!CHECK((denied_to & SB_R_ALLOWLIST) == SB_R_ALLOWLIST &&
		    (denied_to & SB_R_EXEC) == 0))
			printf("# %s is denied to roles 0x%x\n", exec_calls[j], denied_to);
	}
	TEST_CASE("every allow-list role can exit and wait in its event loop");
	for (r = 0; r < SB_ROLE__COUNT; r++) {
		int has_exit = 0, has_wait = 0;

		if (exec_role(r))
			continue;
		for (j = 0; j < sb_nrules; j++) {
			if (!(sb_rules[j].roles & (1u << r)) || sb_rules[j].flag != 0)
				continue;
			has_exit |= strcmp(sb_rules[j].syscall, "exit_group") == 0;
			has_wait |= strcmp(sb_rules[j].syscall, "epoll_wait") == 0;
		}
		CHECK(has_exit && has_wait);
	}
}

static void
test_dump(void)
{
	char path[96], buf[65536];
	unsigned flags;
	ssize_t n;
	int r, fd;

	TEST_CASE("sandbox_dump_filter: every role and flag set compiles and prints");
	snprintf(path, sizeof(path), "%s/dump", tmpdir);
	for (r = 0; r < SB_ROLE__COUNT; r++) {
		for (flags = 0; flags < 8; flags++) {
			fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
			if (!CHECK(fd >= 0))
				return;
			CHECK(sandbox_dump_filter((enum sandbox_role)r, flags, fd) == 0);
			n = pread(fd, buf, sizeof(buf) - 1, 0);
			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			CHECK(strstr(buf, sandbox_role_name((enum sandbox_role)r)) != NULL);
			CHECK(strstr(buf, "action ALLOW") != NULL);
			CHECK(strstr(buf, "KILL_PROCESS") != NULL);
			CHECK(strstr(buf, "never allowed") != NULL);
			CHECK(strstr(buf, "ptrace") != NULL);
			if (exec_role(r)) {
				CHECK(strstr(buf, "deny-list role") != NULL);
				CHECK(strstr(buf, "execve") == NULL);
				continue;
			}
			CHECK(strstr(buf, "exit_group") != NULL);
			CHECK(strstr(buf, "execve") != NULL);
			/* usb-reopen preads a device descriptor; the others only under NSS */
			CHECK(r == SB_ROLE_USB_REOPEN ||
			    ((flags & SB_F_TLS) != 0) == (strstr(buf, "pread64") != NULL));
		}
	}
	TEST_CASE("sandbox_dump_filter: an unknown role fails");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(sandbox_dump_filter(SB_ROLE__COUNT, 0, fd) == -1);
	close(fd);
}

/* ---- filters in kill, trap, log and off mode ---- */

static int
call_uname(void)
{
	/* Not on any list: log mode (and a deny-list role) lets it through. */
	return syscall(SYS_uname, NULL) == -1 && errno == EFAULT ? 0 : -1;
}

/* A message with a descriptor over a socketpair made before the filter. */
static int
call_channel(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c = 'm';
	struct iovec iov = { &c, 1 };
	struct msghdr mh;
	struct cmsghdr *cm;
	int fd;

	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pipefd[0], sizeof(int));
	if (sendmsg(chanfd[0], &mh, 0) != 1)
		return -1;
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_controllen = sizeof(cbuf);
	if (recvmsg(chanfd[1], &mh, MSG_CMSG_CLOEXEC) != 1 || (cm = CMSG_FIRSTHDR(&mh)) == NULL ||
	    cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd >= 0 && close(fd) == 0 ? 0 : -1;
}

static void
test_roles(void)
{
	static const struct call loop = { "the event loop (pipe, epoll, malloc, clock)",
	    call_event_loop };
	static const struct call soft = { "unlink (refused with EACCES)", call_unlink_soft };
	static const struct call ustream = { "socket(AF_UNIX, SOCK_STREAM)", call_unix_stream };
	static const struct call udgram = { "socket(AF_UNIX, SOCK_DGRAM)", call_unix_dgram };
	static const struct call istream = { "socket(AF_INET6, SOCK_STREAM)", call_inet_stream };
	static const struct call openro = { "open(O_RDONLY)", call_open_ro };
	static const struct call sndbuf = { "setsockopt(SO_SNDBUF)", call_sndbuf };
	static const struct call lock = { "fcntl(F_SETLK)", call_fcntl_lock };
	static const struct call usb = { "ioctl(USBDEVFS_DISCARDURB)", call_usb_ioctl };
	static const struct call desc = { "sandbox_describe under the filter", call_describe };
	static const struct call chan = { "sendmsg/recvmsg with an fd (parent channel)",
	    call_channel };
	static const struct call run = { "fork+execve /bin/true (a NOTIFYCMD)", call_run_program };
	static const struct call uname = { "uname (on no list)", call_uname };
	static const struct call setuid0 = { "setuid(0)", call_setuid };
	size_t i;
	int r;

	for (r = 0; r < SB_ROLE__COUNT; r++) {
		if (exec_role(r)) {
			/* Deny-list roles: anything but the list, a program above all. */
			expect_allowed((enum sandbox_role)r, 0, &loop);
			expect_allowed((enum sandbox_role)r, 0, &run);
			expect_allowed((enum sandbox_role)r, 0, &uname);
			for (i = 0; i < sizeof(exec_role_denied) / sizeof(exec_role_denied[0]); i++) {
				/* upsmon's root parent restarts its chrooting network child */
				if (r == SB_ROLE_UPSMON_PARENT &&
				    strcmp(exec_role_denied[i].name, "chroot") == 0)
					continue;
				expect_killed((enum sandbox_role)r, 0, &exec_role_denied[i]);
			}
			if (r != SB_ROLE_UPSMON_PARENT)
				expect_killed((enum sandbox_role)r, 0, &setuid0);
			continue;
		}
		expect_killed((enum sandbox_role)r, SB_F_RELOAD | SB_F_TLS | SB_F_SYSLOG, &run);
		expect_allowed((enum sandbox_role)r, 0, &loop);
		expect_allowed((enum sandbox_role)r, 0, &soft);
		for (i = 0; i < sizeof(always_denied) / sizeof(always_denied[0]); i++) {
			/* With reload, the widest file policy: still read-only. */
			expect_killed((enum sandbox_role)r, SB_F_RELOAD, &always_denied[i]);
		}
		expect_allowed((enum sandbox_role)r, SB_F_SYSLOG, &udgram);
		expect_allowed((enum sandbox_role)r, SB_F_RELOAD, &openro);
		expect_allowed((enum sandbox_role)r, SB_F_TLS, &lock);
		expect_killed((enum sandbox_role)r, 0, &(struct call){ "fcntl(F_SETLK) without tls",
		    call_fcntl_lock });
		expect_killed((enum sandbox_role)r, SB_F_RELOAD | SB_F_TLS,
		    &(struct call){ "socket(AF_UNIX, SOCK_DGRAM) without syslog", call_unix_dgram });
	}
	/* What sets the roles apart. */
	expect_allowed(SB_ROLE_UPSD, 0, &ustream);
	expect_allowed(SB_ROLE_UPSD, 0, &sndbuf);
	expect_killed(SB_ROLE_UPSD, 0, &istream);
	expect_killed(SB_ROLE_UPSD, 0, &usb);
	expect_allowed(SB_ROLE_DRIVER, 0, &openro);
	expect_killed(SB_ROLE_DRIVER, 0, &ustream);
	expect_killed(SB_ROLE_DRIVER, 0, &istream);
	expect_killed(SB_ROLE_DRIVER, 0, &sndbuf);
	expect_allowed(SB_ROLE_DRIVER, 0, &desc);
	expect_allowed(SB_ROLE_DRIVER_NET, 0, &istream);
	expect_killed(SB_ROLE_DRIVER_NET, 0, &ustream);
	expect_killed(SB_ROLE_DRIVER_NET, 0, &usb);
	expect_allowed(SB_ROLE_DRIVER_USB, 0, &usb);
	expect_killed(SB_ROLE_DRIVER_USB, 0, &istream);
	expect_killed(SB_ROLE_DRIVER_USB, 0, &ustream);
	expect_allowed(SB_ROLE_UPSMON_NET, 0, &istream);
	expect_allowed(SB_ROLE_UPSMON_NET, 0, &chan);
	expect_killed(SB_ROLE_UPSMON_NET, 0, &ustream);
	expect_killed(SB_ROLE_UPSMON_NET, 0, &openro);
	expect_killed(SB_ROLE_UPSMON_NET, 0, &usb);
	expect_killed(SB_ROLE_UPSD, 0, &chan);
	expect_killed(SB_ROLE_DRIVER, 0, &chan);
	expect_allowed(SB_ROLE_UPSLOG, 0, &istream);
	expect_killed(SB_ROLE_UPSLOG, 0, &ustream);
	expect_killed(SB_ROLE_UPSLOG, 0, &openro);
	expect_killed(SB_ROLE_UPSLOG, 0, &chan);
	log_dirfd = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(log_dirfd >= 0);
	expect_allowed(SB_ROLE_UPSLOG, 0, &(struct call){ "openat(dirfd, append-only) (log reopen)",
	    call_upslog_reopen });
	expect_killed(SB_ROLE_UPSLOG, 0, &(struct call){ "openat(dirfd, O_TRUNC)",
	    call_upslog_trunc });
	expect_killed(SB_ROLE_UPSLOG, 0, &(struct call){ "openat(dirfd) following a symlink",
	    call_upslog_follow });
	expect_killed(SB_ROLE_UPSLOG, 0, &(struct call){ "openat(AT_FDCWD, append-only)",
	    call_upslog_cwd });
	expect_killed(SB_ROLE_UPSMON_NET, 0, &(struct call){ "openat(dirfd, append-only)",
	    call_upslog_reopen });
	/* usbhid-ups and its reopen helper: the channel, the helper's opens */
	expect_allowed(SB_ROLE_DRIVER_USB, 0, &chan);
	expect_allowed(SB_ROLE_USB_REOPEN, 0, &chan);
	expect_killed(SB_ROLE_USB_REOPEN, 0, &usb);
	expect_killed(SB_ROLE_USB_REOPEN, 0, &istream);
	expect_killed(SB_ROLE_USB_REOPEN, 0, &ustream);
	expect_allowed(SB_ROLE_USB_REOPEN, 0, &(struct call){ "openat(dirfd, \".\") (sysfs walk)",
	    call_reopen_dir });
	expect_killed(SB_ROLE_USB_REOPEN, 0, &(struct call){ "openat(AT_FDCWD, \"/\")",
	    call_reopen_cwd });
	expect_killed(SB_ROLE_USB_REOPEN, 0, &(struct call){ "openat(dirfd, O_CREAT)",
	    call_reopen_create });
	close(log_dirfd);
}

static int
call_off_state(void)
{
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 &&
	    prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0 ? 0 : -1;
}

static void
test_actions(void)
{
	char buf[512] = "", how[64];
	ssize_t n;
	int p[2], st;

	TEST_CASE("trap: execve is reported by name and the process exits 159");
	if (!CHECK(pipe(p) == 0))
		return;
	st = in_child(SB_ROLE_UPSD, 0, SB_ACTION_TRAP, call_execve, p[1]);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	if (!CHECK(exited(st, 159)))
		printf("# child: %s\n", describe_status(st, how, sizeof(how)));
	CHECK(strstr(buf, "syscall execve (nr ") != NULL);
	CHECK(strstr(buf, "sandbox upsd") != NULL);
	CHECK(strstr(buf, "trap mode") != NULL);
	printf("# trap report: %s", buf);

	TEST_CASE("trap: socket(AF_PACKET) in a driver is reported by name");
	if (!CHECK(pipe(p) == 0))
		return;
	st = in_child(SB_ROLE_DRIVER, 0, SB_ACTION_TRAP, call_packet_socket, p[1]);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(exited(st, 159));
	CHECK(strstr(buf, "syscall socket (nr ") != NULL);

	TEST_CASE("trap: allowed calls are not reported");
	st = in_child(SB_ROLE_UPSD, 0, SB_ACTION_TRAP, call_event_loop, -1);
	CHECK(exited(st, 0));

	TEST_CASE("log: an unlisted call goes through");
	st = in_child(SB_ROLE_UPSD, 0, SB_ACTION_LOG, call_uname, -1);
	CHECK(exited(st, 0));
	TEST_CASE("log: kill: the same call is fatal");
	st = in_child(SB_ROLE_UPSD, 0, SB_ACTION_KILL, call_uname, -1);
	CHECK(killed_by_sigsys(st));
	TEST_CASE("log: the deny list still kills (execve, ptrace)");
	CHECK(killed_by_sigsys(in_child(SB_ROLE_UPSD, 0, SB_ACTION_LOG, call_execve, -1)));
	CHECK(killed_by_sigsys(in_child(SB_ROLE_DRIVER, 0, SB_ACTION_LOG, call_ptrace, -1)));
	CHECK(killed_by_sigsys(in_child(SB_ROLE_UPSMON_NOTIFY, 0, SB_ACTION_LOG, call_ptrace,
	    -1)));

	TEST_CASE("trap: a deny-list role reports a denied call by name");
	if (!CHECK(pipe(p) == 0))
		return;
	st = in_child(SB_ROLE_UPSSCHED, 0, SB_ACTION_TRAP, call_ptrace, p[1]);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(exited(st, 159));
	CHECK(strstr(buf, "sandbox upssched: syscall ptrace (nr ") != NULL);
	TEST_CASE("trap: a deny-list role still runs a program");
	CHECK(exited(in_child(SB_ROLE_UPSMON_NOTIFY, 0, SB_ACTION_TRAP, call_run_program, -1),
	    0));

	TEST_CASE("off: no filter, but no_new_privs");
	st = in_child(SB_ROLE_UPSD, 0, SB_ACTION_OFF, call_off_state, -1);
	CHECK(exited(st, 0));
}

/* ---- the full sandbox as user nut (root only) ---- */

/* The value after "Key:" in /proc/PID/status, or "" if absent. */
static void
proc_field(pid_t pid, const char *key, char *out, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			char *v = line + klen + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(out, len, "%s", v);
			break;
		}
	}
	fclose(f);
}

struct entered {
	pid_t pid;
	int go;			/* write end: lets the child continue */
	char line[600];		/* what the child logged in sandbox_confine */
};

/*
 * Forks a child that confines itself with o, its log (stderr) going to a
 * pipe: its one line ("sandbox: ..." or "fatal: sandbox ROLE: reason")
 * lands in e->line; the child then waits until finish_child() lets it run
 * after() and exit with its result.
 */
static int
enter_child(enum sandbox_role role, const struct sandbox_opts *o, int (*after)(void),
    struct entered *e)
{
	int rep[2], go[2];
	ssize_t n;

	if (pipe(rep) != 0 || pipe(go) != 0)
		return -1;
	fflush(stdout);
	if ((e->pid = fork()) < 0)
		return -1;
	if (e->pid == 0) {
		char c;

		close(rep[0]);
		close(go[1]);
		if (dup2(rep[1], STDERR_FILENO) < 0)
			_exit(3);
		close(rep[1]);
		if (sandbox_confine(role, o, "T: ") != 0)
			_exit(2);
		if (read(go[0], &c, 1) != 1)
			_exit(4);
		_exit(after() == 0 ? 0 : 1);
	}
	close(rep[1]);
	close(go[0]);
	e->go = go[1];
	n = read(rep[0], e->line, sizeof(e->line) - 1);
	e->line[n > 0 ? n : 0] = '\0';
	close(rep[0]);
	return 0;
}

static int
finish_child(struct entered *e)
{
	int st = -1;

	(void)!write(e->go, "g", 1);
	close(e->go);
	while (waitpid(e->pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

static int
call_write_outside(void)
{
	/* In the jail "/" is root's 0755 directory and all there is. */
	int fd = open("/nutsec-sbx-escape", O_WRONLY | O_CREAT, 0600);

	return fd < 0 && errno == EACCES ? 0 : -1;
}

static int
call_shadow_unreadable(void)
{
	int fd = open("/etc/shadow", O_RDONLY);

	if (fd >= 0)
		return -1;
	return errno == EACCES || errno == ENOENT ? 0 : -1;
}

static int
call_shadow_eacces(void)
{
	return open("/etc/shadow", O_RDONLY) < 0 && errno == EACCES ? 0 : -1;
}

static int
call_write_rootdir(void)
{
	char p[96];

	/* tmpdir is root's 0755: uid nut may read but not create. */
	snprintf(p, sizeof(p), "%s/by-nut", tmpdir);
	return open(p, O_WRONLY | O_CREAT, 0600) < 0 && errno == EACCES &&
	    setuid(0) != 0 && setgid(0) != 0 ? 0 : -1;
}

static int
call_securebits(void)
{
	int want = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
	    SECBIT_NO_SETUID_FIXUP_LOCKED;
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);

	return bits >= 0 && (bits & want) == want && call_off_state() == 0 ? 0 : -1;
}

static void
test_enter(void)
{
	struct sandbox_opts o;
	struct entered e;
	struct passwd *pw;
	char jail[128], v[256], want[64], rootlink[256], path[64];
	ssize_t n;
	uid_t uid;
	gid_t gid;
	int st;

	/* As root, make the unprivileged user the daemons run as if it is missing. */
	if (geteuid() == 0 && getpwnam("nut") == NULL) {
		fflush(stdout);
		if (system("useradd --system --user-group --no-create-home "
		    "--shell /usr/sbin/nologin nut >/dev/null 2>&1") != 0)
			printf("# useradd nut failed\n");
	}
	pw = getpwnam("nut");
	if (geteuid() != 0 || pw == NULL) {
		printf("ok %d # SKIP sandbox_confine needs root and a nut user\n", ++test_n);
		return;
	}
	TEST_CASE("sandbox_resolve: nut, unknown users and groups, root");
	memset(&o, 0, sizeof(o));
	o.user = "nut";
	CHECK(sandbox_resolve(&o, &uid, &gid, v, sizeof(v)) == 0);
	CHECK(uid == pw->pw_uid && gid == pw->pw_gid);
	o.user = "no-such-user-nutsec";
	CHECK(sandbox_resolve(&o, &uid, &gid, v, sizeof(v)) == -1);
	CHECK(strstr(v, "no-such-user-nutsec") != NULL);
	o.user = "nut";
	o.group = "no-such-group-nutsec";
	CHECK(sandbox_resolve(&o, &uid, &gid, v, sizeof(v)) == -1);
	o.group = "root";
	CHECK(sandbox_resolve(&o, &uid, &gid, v, sizeof(v)) == -1);
	CHECK(strstr(v, "group root") != NULL);
	o.user = "root";
	o.group = NULL;
	CHECK(sandbox_resolve(&o, &uid, &gid, v, sizeof(v)) == -1);

	TEST_CASE("sandbox_confine: refuses to stay root");
	memset(&o, 0, sizeof(o));
	e.pid = -1;
	if (CHECK(enter_child(SB_ROLE_DRIVER, &o, call_event_loop, &e) == 0)) {
		CHECK(strstr(e.line, "T: fatal: sandbox driver: no user to run as") != NULL);
		CHECK(exited(finish_child(&e), 2));
	}

	/* A jail the nut user can enter but not write. */
	snprintf(jail, sizeof(jail), "%s/jail", tmpdir);
	if (mkdir(jail, 0755) != 0 && errno != EEXIST) {
		TEST_CASE("jail");
		CHECK(0);
		return;
	}
	TEST_CASE("sandbox_confine: a jail that is missing or not a directory is refused");
	memset(&o, 0, sizeof(o));
	o.user = "nut";
	snprintf(v, sizeof(v), "%s/no-such-jail", tmpdir);
	o.chroot_dir = v;
	if (CHECK(enter_child(SB_ROLE_DRIVER, &o, call_event_loop, &e) == 0)) {
		CHECK(strstr(e.line, "T: fatal: sandbox driver: chroot ") != NULL);
		CHECK(exited(finish_child(&e), 2));
	}
	o.chroot_dir = tmpfile_ro;
	if (CHECK(enter_child(SB_ROLE_DRIVER, &o, call_event_loop, &e) == 0)) {
		CHECK(strstr(e.line, "not a directory") != NULL);
		CHECK(exited(finish_child(&e), 2));
	}

	memset(&o, 0, sizeof(o));
	o.chroot_dir = jail;
	o.user = "nut";
	o.action = SB_ACTION_KILL;
	TEST_CASE("sandbox_confine upsd as nut in a jail: /proc/PID agrees");
	if (!CHECK(enter_child(SB_ROLE_UPSD, &o, call_event_loop, &e) == 0))
		return;
	printf("# %s", e.line);
	CHECK(strstr(e.line, "T: sandbox: user nut (uid ") != NULL);
	CHECK(strstr(e.line, "CapEff 0, CapBnd 0, NoNewPrivs 1, seccomp filter upsd (kill)") !=
	    NULL);
	CHECK(strstr(e.line, jail) != NULL);
	proc_field(e.pid, "CapEff", v, sizeof(v));
	CHECK_STR(v, "0000000000000000");
	proc_field(e.pid, "CapPrm", v, sizeof(v));
	CHECK_STR(v, "0000000000000000");
	proc_field(e.pid, "CapBnd", v, sizeof(v));
	CHECK_STR(v, "0000000000000000");
	proc_field(e.pid, "CapAmb", v, sizeof(v));
	CHECK_STR(v, "0000000000000000");
	proc_field(e.pid, "NoNewPrivs", v, sizeof(v));
	CHECK_STR(v, "1");
	proc_field(e.pid, "Seccomp", v, sizeof(v));
	CHECK_STR(v, "2");
	snprintf(want, sizeof(want), "%ld\t%ld\t%ld\t%ld", (long)pw->pw_uid, (long)pw->pw_uid,
	    (long)pw->pw_uid, (long)pw->pw_uid);
	proc_field(e.pid, "Uid", v, sizeof(v));
	CHECK_STR(v, want);
	snprintf(want, sizeof(want), "%ld\t%ld\t%ld\t%ld", (long)pw->pw_gid, (long)pw->pw_gid,
	    (long)pw->pw_gid, (long)pw->pw_gid);
	proc_field(e.pid, "Gid", v, sizeof(v));
	CHECK_STR(v, want);
	proc_field(e.pid, "Groups", v, sizeof(v));
	CHECK_STR(v, "");
	snprintf(path, sizeof(path), "/proc/%ld/root", (long)e.pid);
	n = readlink(path, rootlink, sizeof(rootlink) - 1);
	rootlink[n > 0 ? n : 0] = '\0';
	CHECK_STR(rootlink, jail);
	st = finish_child(&e);
	TEST_CASE("sandbox_confine upsd: the event loop still works");
	CHECK(exited(st, 0));

	TEST_CASE("sandbox_confine upsd: writing in the jail's root is killed");
	if (CHECK(enter_child(SB_ROLE_UPSD, &o, call_open_creat, &e) == 0))
		CHECK(killed_by_sigsys(finish_child(&e)));
	TEST_CASE("sandbox_confine driver: a new listener is killed");
	if (CHECK(enter_child(SB_ROLE_DRIVER, &o, call_unix_listen, &e) == 0))
		CHECK(killed_by_sigsys(finish_child(&e)));

	/* Without the filter, only the jail and the ids stand in the way. */
	o.action = SB_ACTION_OFF;
	TEST_CASE("jail without filter: cannot write outside, /etc/shadow is not there");
	if (CHECK(enter_child(SB_ROLE_DRIVER, &o, call_write_outside, &e) == 0))
		CHECK(exited(finish_child(&e), 0));
	if (CHECK(enter_child(SB_ROLE_DRIVER, &o, call_shadow_unreadable, &e) == 0))
		CHECK(exited(finish_child(&e), 0));
	o.chroot_dir = NULL;
	TEST_CASE("uid nut without chroot: /etc/shadow unreadable, root's dirs unwritable");
	if (CHECK(enter_child(SB_ROLE_DRIVER, &o, call_shadow_eacces, &e) == 0))
		CHECK(exited(finish_child(&e), 0));
	if (CHECK(enter_child(SB_ROLE_DRIVER, &o, call_write_rootdir, &e) == 0))
		CHECK(exited(finish_child(&e), 0));
	TEST_CASE("sandbox_confine without chroot: securebits locked, describe reads /proc (off)");
	if (CHECK(enter_child(SB_ROLE_DRIVER, &o, call_securebits, &e) == 0)) {
		printf("# %s", e.line);
		CHECK(strstr(e.line, "root /, CapEff 0, CapBnd 0, NoNewPrivs 1, seccomp off") != NULL);
		CHECK(exited(finish_child(&e), 0));
	}

	/* The roles that run programs. */
	memset(&o, 0, sizeof(o));
	o.action = SB_ACTION_KILL;
	TEST_CASE("sandbox_confine upsmon-parent: stays root with its capabilities, filtered");
	if (CHECK(enter_child(SB_ROLE_UPSMON_PARENT, &o, call_run_program, &e) == 0)) {
		printf("# %s", e.line);
		CHECK(strstr(e.line, "T: sandbox: uid 0, gid 0, root /, CapEff ") != NULL);
		CHECK(strstr(e.line, "NoNewPrivs 1, seccomp filter upsmon-parent (kill)") != NULL);
		CHECK(strstr(e.line, "CapEff 0,") == NULL);
		proc_field(e.pid, "Uid", v, sizeof(v));
		CHECK_STR(v, "0\t0\t0\t0");
		proc_field(e.pid, "Seccomp", v, sizeof(v));
		CHECK_STR(v, "2");
		TEST_CASE("sandbox_confine upsmon-parent: runs a program (SHUTDOWNCMD)");
		CHECK(exited(finish_child(&e), 0));
	}
	TEST_CASE("sandbox_confine upsmon-parent: ptrace is still killed");
	if (CHECK(enter_child(SB_ROLE_UPSMON_PARENT, &o, call_ptrace, &e) == 0))
		CHECK(killed_by_sigsys(finish_child(&e)));
	TEST_CASE("sandbox_confine upsmon-notify as root without a user is refused");
	if (CHECK(enter_child(SB_ROLE_UPSMON_NOTIFY, &o, call_run_program, &e) == 0)) {
		CHECK(strstr(e.line, "T: fatal: sandbox upsmon-notify: no user") != NULL);
		CHECK(exited(finish_child(&e), 2));
	}
	o.user = "nut";
	TEST_CASE("sandbox_confine upsmon-notify as nut: no capabilities, runs a program");
	if (CHECK(enter_child(SB_ROLE_UPSMON_NOTIFY, &o, call_run_program, &e) == 0)) {
		printf("# %s", e.line);
		CHECK(strstr(e.line, "CapEff 0, CapBnd 0, NoNewPrivs 1, seccomp filter "
		    "upsmon-notify (kill)") != NULL);
		CHECK(exited(finish_child(&e), 0));
	}
	TEST_CASE("sandbox_confine upssched as nut: setuid(0) is killed");
	if (CHECK(enter_child(SB_ROLE_UPSSCHED, &o, call_setuid, &e) == 0))
		CHECK(killed_by_sigsys(finish_child(&e)));
	TEST_CASE("sandbox_confine upsmon-net as nut: a program is killed");
	if (CHECK(enter_child(SB_ROLE_UPSMON_NET, &o, call_run_program, &e) == 0))
		CHECK(killed_by_sigsys(finish_child(&e)));
}

/*
 * Whether this kernel filters at all: a child tries to load a filter. Only
 * a failed load means "skip"; any other outcome runs the tests, which then
 * say what is wrong.
 */
static int
seccomp_works(void)
{
	return !exited(in_child(SB_ROLE_UPSD, 0, SB_ACTION_KILL, call_off_state, -1),
	    EXIT_LOADFAIL);
}

int
main(void)
{
	char hold[96];
	int fd;

	/* A child that failed early has closed its end of the go pipe. */
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpdir) == NULL || chmod(tmpdir, 0755) != 0) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(tmpfile_ro, sizeof(tmpfile_ro), "%s/ro", tmpdir);
	if ((fd = open(tmpfile_ro, O_WRONLY | O_CREAT, 0644)) < 0 || write(fd, "x\n", 2) != 2) {
		perror(tmpfile_ro);
		return 1;
	}
	close(fd);
	if ((rofd = open(tmpfile_ro, O_RDONLY | O_CLOEXEC)) < 0) {
		perror(tmpfile_ro);
		return 1;
	}
	if (pipe(pipefd) != 0 || (epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chanfd) != 0) {
		perror("pipe/epoll");
		return 1;
	}
	test_names();
	test_tables();
	test_dump();
	if (seccomp_works()) {
		test_roles();
		test_actions();
		test_enter();
	} else {
		printf("ok %d # SKIP seccomp filters are not available here\n", ++test_n);
	}
	snprintf(hold, sizeof(hold), "%s/dump", tmpdir);
	(void)unlink(hold);
	snprintf(hold, sizeof(hold), "%s/jail", tmpdir);
	(void)rmdir(hold);
	(void)unlink(tmpfile_ro);
	{
		char lp[96];

		snprintf(lp, sizeof(lp), "%s/upslog.log", tmpdir);
		(void)unlink(lp);
	}
	(void)rmdir(tmpdir);
	return test_done();
}
