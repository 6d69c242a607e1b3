/*
 * nutsec - upssched_path.c: PIPEFN and LOCKFN made safe to use. NUT
 * creates both wherever the configuration says, follows symlinks, leaves
 * its socket group-accessible, takes the lock with O_EXCL (a crash leaves
 * it behind and the next starter deletes it while another may hold it) and
 * talks to whatever listens at PIPEFN. Here the directory is checked
 * first (us_check_dir), the lock is an flock on a file that stays (never
 * unlinked, so two processes can never hold "the" lock on two different
 * files), the socket is born owner-only, a stale socket is removed only
 * under the lock and only when it is ours, and both ends check the other's
 * uid with SO_PEERCRED.
 */
#define _GNU_SOURCE 1	/* struct ucred */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "upssched.h"
#include "xmalloc.h"

int
us_peer_ok(uid_t uid)
{
	return uid == geteuid() || uid == 0;
}

static int
in_group(gid_t g)
{
	gid_t groups[NGROUPS_MAX];
	int n, i;

	if (g == getegid())
		return 1;
	n = getgroups(NGROUPS_MAX, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == g)
			return 1;
	return 0;
}

int
us_check_dir(const char *file, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	struct stat st;

	if (slash == NULL || (size_t)(slash - file) >= sizeof(dir)) {
		str_printf(err, errlen, "%s: not an absolute path", file);
		return -1;
	}
	if (slash == file)
		(void)str_copy(dir, "/", sizeof(dir));
	else {
		memcpy(dir, file, (size_t)(slash - file));
		dir[slash - file] = '\0';
	}
	if (stat(dir, &st) != 0) {
		str_printf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		str_printf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	if (!us_peer_ok(st.st_uid)) {
		str_printf(err, errlen, "%s: owned by uid %lu, not by us or root (others "
		    "could replace %s)", dir, (unsigned long)st.st_uid, slash + 1);
		return -1;
	}
	if (st.st_mode & S_ISVTX)
		return 0;
	if (st.st_mode & S_IWOTH) {
		str_printf(err, errlen, "%s: writable by everyone and not sticky (others "
		    "could replace %s)", dir, slash + 1);
		return -1;
	}
	if ((st.st_mode & S_IWGRP) && !in_group(st.st_gid)) {
		str_printf(err, errlen, "%s: writable by group %lu, which we are not in",
		    dir, (unsigned long)st.st_gid);
		return -1;
	}
	return 0;
}

int
us_lock(const char *lockfn, long timeout_ms, char *err, size_t errlen)
{
	struct stat st;
	long waited = 0;
	int fd;

	if (us_check_dir(lockfn, err, errlen) != 0)
		return -1;
	fd = open(lockfn, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0) {
		str_printf(err, errlen, "LOCKFN %s: %s", lockfn, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		str_printf(err, errlen, "LOCKFN %s: not a regular file of ours", lockfn);
		close(fd);
		return -1;
	}
	for (;;) {
		struct timespec ts = { 0, 20 * 1000000L };

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			str_printf(err, errlen, "LOCKFN %s: flock: %s", lockfn, strerror(errno));
			break;
		}
		if (waited >= timeout_ms) {
			str_printf(err, errlen, "LOCKFN %s: still held by another upssched "
			    "after %ld ms", lockfn, timeout_ms);
			break;
		}
		(void)nanosleep(&ts, NULL);
		waited += 20;
	}
	close(fd);
	return -1;
}

int
us_connect(const char *pipefn, char *err, size_t errlen)
{
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	struct stat st;
	int fd;

	if (lstat(pipefn, &st) == 0 && (!S_ISSOCK(st.st_mode) || !us_peer_ok(st.st_uid))) {
		str_printf(err, errlen, "PIPEFN %s: not a socket of ours (uid %lu, mode %o); "
		    "refusing to use it", pipefn, (unsigned long)st.st_uid,
		    (unsigned)st.st_mode & 07777u);
		errno = EPERM;
		return -1;
	}
	fd = net_connect_unix(pipefn, 0);
	if (fd < 0) {
		int e = errno;

		str_printf(err, errlen, "PIPEFN %s: %s", pipefn, strerror(e));
		errno = e;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) != 0 ||
	    !us_peer_ok(cr.uid)) {
		str_printf(err, errlen, "PIPEFN %s: the process listening is not ours", pipefn);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int
us_remove_stale(const char *pipefn, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(pipefn, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		str_printf(err, errlen, "PIPEFN %s: %s", pipefn, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode) || !us_peer_ok(st.st_uid)) {
		str_printf(err, errlen, "PIPEFN %s: not a socket of ours; not removing it",
		    pipefn);
		return -1;
	}
	if (unlink(pipefn) != 0 && errno != ENOENT) {
		str_printf(err, errlen, "PIPEFN %s: removing the stale socket: %s", pipefn,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
us_listen(const char *pipefn, ino_t *ino, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (us_check_dir(pipefn, err, errlen) != 0)
		return -1;
	fd = net_listen_unix(pipefn, 0600, -1, 16);
	if (fd < 0) {
		str_printf(err, errlen, "PIPEFN %s: %s", pipefn, strerror(errno));
		return -1;
	}
	if (lstat(pipefn, &st) != 0) {
		str_printf(err, errlen, "PIPEFN %s: %s", pipefn, strerror(errno));
		close(fd);
		return -1;
	}
	*ino = st.st_ino;
	return fd;
}
