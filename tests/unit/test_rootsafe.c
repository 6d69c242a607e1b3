/*
 * nutsec - test_rootsafe.c: root never acts through a name user nut can
 * replace (issue 13). The attacks are made deterministic instead of raced:
 * this program is linked with --wrap=bind, so right after the real bind of
 * a listener the test swaps the fresh socket for a symlink to a target file,
 * exactly what user nut could do in the state path; the target's mode and
 * group must not change. Also: root does not connect through a symlink or a
 * hard link; PID files that are symlinks, hard links, FIFOs or someone
 * else's are refused and left untouched; a PID naming another program (a
 * sleep) is not signalled, the right one is, through a pidfd; without the
 * right to read /proc/PID/exe the command name decides.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "pidfile.h"
#include "test.h"

#define OTHER_GID 4242
#define OTHER_UID 65534

static char tmpdir[] = "/tmp/nutsec-test-rootsafe-XXXXXX";
static char swap_path[256], swap_target[256];

int __real_bind(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_bind(int fd, const struct sockaddr *sa, socklen_t len);

/* bind, then (when armed) what user nut would do: the new name becomes a symlink. */
int
__wrap_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	char tmp[300];
	int rc = __real_bind(fd, sa, len);

	if (rc == 0 && swap_path[0] != '\0' && sa->sa_family == AF_UNIX &&
	    strcmp(sun->sun_path, swap_path) == 0) {
		snprintf(tmp, sizeof(tmp), "%s.swap", swap_path);
		if (symlink(swap_target, tmp) != 0 || rename(tmp, swap_path) != 0)
			printf("# swap failed: %s\n", strerror(errno));
	}
	return rc;
}

static void
make_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		printf("# cannot write %s\n", path);
	if (fd >= 0)
		close(fd);
	(void)chmod(path, mode);
}

static int
file_is(const char *path, const char *text, mode_t mode, gid_t gid)
{
	char buf[256];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return stat(path, &st) == 0 && (st.st_mode & 07777) == mode && st.st_gid == gid &&
	    strcmp(buf, text) == 0;
}

static void
test_socket_birth(void)
{
	char path[256], probe[256];
	struct stat st;
	mode_t um;
	int fd;

	TEST_CASE("a driver socket is born with mode 0660 and its group");
	snprintf(path, sizeof(path), "%s/dummy-ups-a", tmpdir);
	um = umask(022);
	fd = net_listen_unix(path, 0660, OTHER_GID, 16);
	CHECK(fd >= 0);
	CHECK(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0660);
	CHECK_INT(st.st_gid, OTHER_GID);
	/* the umask and the filesystem group are ours again */
	CHECK_INT(umask(um), 022);
	snprintf(probe, sizeof(probe), "%s/probe", tmpdir);
	make_file(probe, "x", 0600);
	CHECK(stat(probe, &st) == 0 && st.st_gid == getegid());
	unlink(probe);
	close(fd);
	unlink(path);

	TEST_CASE("the socket swapped for a symlink right after bind: target untouched");
	snprintf(swap_target, sizeof(swap_target), "%s/shadow", tmpdir);
	make_file(swap_target, "secret\n", 0600);
	snprintf(swap_path, sizeof(swap_path), "%s/dummy-ups-b", tmpdir);
	fd = net_listen_unix(swap_path, 0660, OTHER_GID, 16);
	CHECK(lstat(swap_path, &st) == 0 && S_ISLNK(st.st_mode));	/* the swap happened */
	CHECK(file_is(swap_target, "secret\n", 0600, getegid()));
	if (fd >= 0)
		close(fd);
	unlink(swap_path);

	TEST_CASE("the same with no group to give: the mode is not applied by name either");
	fd = net_listen_unix(swap_path, 0666, -1, 16);
	CHECK(lstat(swap_path, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(file_is(swap_target, "secret\n", 0600, getegid()));
	if (fd >= 0)
		close(fd);
	unlink(swap_path);
	swap_path[0] = '\0';

	TEST_CASE("unprivileged, a supplementary group: the socket still gets it");
	{
		pid_t child;
		int status;

		CHECK(chmod(tmpdir, 0777) == 0);
		fflush(stdout);
		child = fork();
		if (child == 0) {
			gid_t g = OTHER_GID;
			int lfd;

			if (setgroups(1, &g) != 0 || setgid(OTHER_UID) != 0 ||
			    setuid(OTHER_UID) != 0)
				_exit(3);
			lfd = net_listen_unix(path, 0660, OTHER_GID, 16);
			_exit(lfd >= 0 && lstat(path, &st) == 0 && st.st_gid == OTHER_GID &&
			    (st.st_mode & 0777) == 0660 ? 0 : 1);
		}
		CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0);
		CHECK(lstat(path, &st) == 0 && st.st_gid == OTHER_GID);
		unlink(path);
		CHECK(chmod(tmpdir, 0700) == 0);
	}
}

static void
test_connect(void)
{
	char real[256], link_[256], hard[256];
	int lfd, cfd;

	snprintf(real, sizeof(real), "%s/real.sock", tmpdir);
	snprintf(link_, sizeof(link_), "%s/dummy-ups-c", tmpdir);
	snprintf(hard, sizeof(hard), "%s/dummy-ups-d", tmpdir);
	lfd = net_listen_unix(real, 0600, -1, 16);
	CHECK(lfd >= 0);

	TEST_CASE("root does not connect through a symlink planted at a socket's name");
	CHECK(symlink(real, link_) == 0);
	errno = 0;
	cfd = net_connect_unix(link_, 0);
	CHECK_INT(cfd, -1);
	CHECK_INT(errno, ELOOP);
	if (cfd >= 0)
		close(cfd);

	TEST_CASE("root does not connect through a hard link to a socket elsewhere");
	CHECK(link(real, hard) == 0);
	cfd = net_connect_unix(hard, 0);
	CHECK_INT(cfd, -1);
	if (cfd >= 0)
		close(cfd);

	TEST_CASE("a socket with one link is reached, and a listener there is not replaced");
	unlink(hard);
	cfd = net_connect_unix(real, 0);
	CHECK(cfd >= 0);
	if (cfd >= 0)
		close(cfd);
	errno = 0;
	CHECK_INT(net_listen_unix(real, 0600, -1, 16), -1);
	CHECK_INT(errno, EADDRINUSE);
	unlink(link_);
	close(lfd);
	unlink(real);
}

static void
test_pidfile_refusals(void)
{
	char path[256], target[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/upsd.pid", tmpdir);
	snprintf(target, sizeof(target), "%s/target", tmpdir);
	make_file(target, "precious\n", 0600);

	TEST_CASE("a PID file that is a symlink is refused; the target untouched");
	CHECK(symlink(target, path) == 0);
	CHECK_INT(pidfile_write(path), -1);
	CHECK(file_is(target, "precious\n", 0600, getegid()));
	unlink(path);

	TEST_CASE("a PID file that is a hard link is refused; the target untouched");
	CHECK(link(target, path) == 0);
	CHECK_INT(pidfile_write(path), -1);
	CHECK(file_is(target, "precious\n", 0600, getegid()));
	unlink(path);

	TEST_CASE("a PID file that is a FIFO is refused, and neither call hangs");
	CHECK(mkfifo(path, 0600) == 0);
	alarm(5);
	CHECK_INT(pidfile_write(path), -1);
	CHECK_INT(pidfile_read(path), -1);
	alarm(0);
	unlink(path);

	if (geteuid() == 0) {
		TEST_CASE("a PID file of another user is refused and left as it is");
		make_file(path, "1234\n", 0644);
		CHECK(chown(path, OTHER_UID, (gid_t)-1) == 0);
		CHECK_INT(pidfile_write(path), -1);
		CHECK(file_is(path, "1234\n", 0644, getegid()));
		unlink(path);
	}

	TEST_CASE("a stale PID file of ours is rewritten, 0644; removed only if ours");
	make_file(path, "99999\n0123456789\n", 0666);
	CHECK_INT(pidfile_write(path), 0);
	CHECK_INT(pidfile_read(path), getpid());
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644 && st.st_size < 12);
	pidfile_remove(path);
	CHECK(access(path, F_OK) != 0);
	make_file(path, "4242\n", 0644);
	pidfile_remove(path);
	CHECK(access(path, F_OK) == 0);
	unlink(path);
	unlink(target);
}

static pid_t
start_sleep(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	usleep(100000);	/* until the exec has happened */
	return pid;
}

static void
test_signals(void)
{
	char path[256], line[32], what[256];
	struct pollfd p;
	pid_t pid, w;
	int status, pfd = -1;

	snprintf(path, sizeof(path), "%s/dummy-ups-x.pid", tmpdir);
	pid = start_sleep();

	TEST_CASE("a PID file naming a sleep: not signalled as a driver, the sleep lives");
	snprintf(line, sizeof(line), "%ld\n", (long)pid);
	make_file(path, line, 0644);
	CHECK_INT(pidfile_signal(path, "dummy-ups", SIGTERM), -1);
	usleep(50000);
	CHECK_INT(waitpid(pid, &status, WNOHANG), 0);
	CHECK(proc_runs(pid, "dummy-ups", what, sizeof(what)) != 0 && strstr(what, "sleep"));

	TEST_CASE("-P style: a PID given directly is checked the same way");
	CHECK_INT(proc_signal(pid, "upsd", SIGTERM, "-P", NULL), -1);
	CHECK_INT(waitpid(pid, &status, WNOHANG), 0);

	if (geteuid() == 0) {
		pid_t child;

		TEST_CASE("unprivileged, /proc/PID/exe unreadable: the command name decides");
		fflush(stdout);
		child = fork();
		if (child == 0) {
			if (setgid(OTHER_UID) != 0 || setuid(OTHER_UID) != 0)
				_exit(3);
			_exit(proc_runs(pid, "sleep", what, sizeof(what)) == 0 &&
			    proc_runs(pid, "upsd", what, sizeof(what)) != 0 ? 0 : 1);
		}
		CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0);
	}

	TEST_CASE("the program the PID file claims is signalled, through a pidfd");
	CHECK_INT(proc_signal(pid, "sleep", SIGTERM, "test", &pfd), 0);
	if (pfd >= 0) {
		p.fd = pfd;
		p.events = POLLIN;
		CHECK_INT(poll(&p, 1, 5000), 1);
		close(pfd);
	} else
		printf("# no pidfd on this kernel: signalled by kill()\n");
	w = waitpid(pid, &status, 0);
	CHECK(w == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);

	TEST_CASE("a PID file naming a process that is gone: a clear refusal");
	CHECK_INT(pidfile_signal(path, "sleep", SIGTERM), -1);
	CHECK(proc_runs(pid, "sleep", what, sizeof(what)) != 0 && errno == ESRCH);
	unlink(path);
}

int
main(void)
{
	alarm(60);
	log_init("test_rootsafe", 0, LOG_TO_STDERR);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (geteuid() == 0) {
		test_socket_birth();
		test_connect();
	} else
		printf("# not root: the socket and connect cases need root; skipped\n");
	test_pidfile_refusals();
	test_signals();
	rmdir(tmpdir);
	return test_done();
}
