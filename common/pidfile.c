/*
 * nutsec - pidfile.c: PID files and the signals sent through them. The PID
 * file lives in a directory user nut may write (the state path by
 * default), so everything root does there goes through a descriptor it
 * has checked: the file is opened without following a symlink and written
 * only if fstat says it is a regular file of ours with one link; it is read
 * the same way. A PID read from it is only a claim: before a signal, the
 * process is pinned with a pidfd (where the kernel has pidfd_open) and its
 * executable compared with the program we mean to signal.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"
#include "xmalloc.h"

/* Why fd (just opened at path) must not be written: NULL if it may. */
static const char *
pidfile_unsafe(int fd, char *why, size_t whylen)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return strerror(errno);
	if (!S_ISREG(st.st_mode))
		return "it is not a regular file";
	if (st.st_nlink != 1) {
		(void)str_printf(why, whylen, "it has %lu links (a hard link to another "
		    "file?)", (unsigned long)st.st_nlink);
		return why;
	}
	if (st.st_uid != geteuid()) {
		(void)str_printf(why, whylen, "it belongs to uid %ld, not to us (uid %ld)",
		    (long)st.st_uid, (long)geteuid());
		return why;
	}
	return NULL;
}

int
pidfile_write(const char *path)
{
	char line[32], why[96];
	const char *bad;
	int fd, ret = -1;
	ssize_t n;
	size_t len;

	if (str_printf(line, sizeof(line), "%ld\n", (long)getpid()) != 0)
		return -1;
	len = strlen(line);
	/* no O_TRUNC: nothing changes before fstat has said the file is ours */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0) {
		if (errno == ELOOP)
			log_warnx("PID file %s is a symbolic link: not written through it "
			    "(remove it)", path);
		else if (errno == ENXIO)
			log_warnx("PID file %s is a FIFO, not a regular file (remove it)", path);
		else
			log_warn("cannot write PID file %s", path);
		return -1;
	}
	if ((bad = pidfile_unsafe(fd, why, sizeof(why))) != NULL) {
		log_warnx("PID file %s not written: %s (remove it)", path, bad);
		goto out;
	}
	if (ftruncate(fd, 0) != 0 || fchmod(fd, 0644) != 0) {
		log_warn("cannot write PID file %s", path);
		goto out;
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
	struct stat st;
	ssize_t n;
	size_t i = 0;
	long pid = 0;
	int fd;

	/* O_NONBLOCK: a FIFO planted there must not hang us */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		(void)close(fd);
		errno = 0;
		return -1;
	}
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

void
pidfile_remove(const char *path)
{
	int e = errno;

	/* unlink acts on the name only; the check keeps another daemon's file */
	if (pidfile_read(path) == getpid() && unlink(path) != 0)
		log_debug("PID file %s not removed: %s", path, strerror(errno));
	errno = e;
}

/* The base name of a /proc/PID/exe target, without " (deleted)". */
static const char *
exe_base(char *exe)
{
	static const char del[] = " (deleted)";
	size_t len = strlen(exe);
	const char *slash;

	if (len > sizeof(del) - 1 && strcmp(exe + len - (sizeof(del) - 1), del) == 0)
		exe[len - (sizeof(del) - 1)] = '\0';
	slash = strrchr(exe, '/');
	return slash != NULL ? slash + 1 : exe;
}

/* proc_runs by the command name, for a process whose exe we may not read. */
static int
comm_is(pid_t pid, const char *prog, char *what, size_t whatlen)
{
	char path[64], comm[32];
	ssize_t n;
	size_t plen = strlen(prog);
	int fd;

	(void)str_printf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		(void)str_printf(what, whatlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, comm, sizeof(comm) - 1);
	(void)close(fd);
	if (n <= 0) {
		(void)str_printf(what, whatlen, "%s unreadable", path);
		errno = EPERM;
		return -1;
	}
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	/* the kernel keeps 15 characters of the name */
	if (plen > 15)
		plen = 15;
	if (strlen(comm) == plen && strncmp(comm, prog, plen) == 0)
		return 0;
	(void)str_printf(what, whatlen, "command %s", comm);
	errno = EPERM;
	return -1;
}

int
proc_runs(pid_t pid, const char *prog, char *what, size_t whatlen)
{
	char path[64], exe[4096];
	ssize_t n;

	if (access("/proc/self/exe", F_OK) != 0) {
		(void)str_printf(what, whatlen, "/proc is not mounted: cannot tell");
		errno = EPERM;
		return -1;
	}
	(void)str_printf(path, sizeof(path), "/proc/%ld/exe", (long)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n < 0 && (errno == EACCES || errno == EPERM))
		return comm_is(pid, prog, what, whatlen);
	if (n < 0) {
		(void)str_printf(path, sizeof(path), "/proc/%ld", (long)pid);
		if (access(path, F_OK) == 0) {
			/* a kernel thread or a zombie: no executable */
			(void)str_printf(what, whatlen, "no program");
			errno = EPERM;
		} else {
			(void)str_printf(what, whatlen, "no such process");
			errno = ESRCH;
		}
		return -1;
	}
	exe[n] = '\0';
	if (strcmp(exe_base(exe), prog) == 0)
		return 0;
	(void)str_printf(what, whatlen, "%s", exe);
	errno = EPERM;
	return -1;
}

pid_t
pidfile_running(const char *path, const char *prog)
{
	char what[256];
	pid_t pid = pidfile_read(path);

	if (pid < 0 || pid == getpid() || proc_runs(pid, prog, what, sizeof(what)) != 0)
		return 0;
	return pid;
}

/* pidfd_open: -1 (ENOSYS) where the kernel or the headers lack it. */
static int
pin_pid(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static int
send_sig(int pfd, pid_t pid, int sig)
{
#ifdef SYS_pidfd_send_signal
	if (pfd >= 0)
		return (int)syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
#endif
	return kill(pid, sig);
}

int
proc_signal(pid_t pid, const char *prog, int sig, const char *from, int *pidfdp)
{
	char what[4096];
	int pfd, rc = -1;

	if (pidfdp != NULL)
		*pidfdp = -1;
	pfd = pin_pid(pid);
	if (pfd < 0 && errno == ESRCH) {
		log_warnx("no process %ld (stale %s?)", (long)pid, from);
		return -1;
	}
	/* Checked while pinned: a PID reused after this is not the pidfd's. */
	if (proc_runs(pid, prog, what, sizeof(what)) != 0) {
		if (errno == ESRCH)
			log_warnx("no process %ld (stale %s?)", (long)pid, from);
		else
			log_warnx("process %ld (from %s) is not %s (%s): not signalled",
			    (long)pid, from, prog, what);
		goto out;
	}
	if (send_sig(pfd, pid, sig) != 0) {
		if (errno == ESRCH)
			log_warnx("no process %ld (stale %s?)", (long)pid, from);
		else
			log_warn("cannot signal process %ld (from %s)", (long)pid, from);
		goto out;
	}
	rc = 0;
	if (pidfdp != NULL) {
		*pidfdp = pfd;
		pfd = -1;
	}
out:
	if (pfd >= 0)
		(void)close(pfd);
	return rc;
}

int
pidfile_signal(const char *path, const char *prog, int sig)
{
	char from[4200];
	pid_t pid;

	errno = 0;
	pid = pidfile_read(path);
	if (pid < 0) {
		if (errno == ENOENT)
			log_warnx("no PID file %s: is %s running?", path, prog);
		else if (errno != 0)
			log_warn("cannot read PID file %s", path);
		else
			log_warnx("PID file %s does not hold a valid PID", path);
		return -1;
	}
	(void)str_printf(from, sizeof(from), "PID file %s", path);
	return proc_signal(pid, prog, sig, from, NULL);
}
