/*
 * nutsec - upslog_file.c: upslog's log files. A file is opened for
 * appending before the sandbox, and its directory is kept open (O_PATH):
 * SIGHUP (logrotate) then opens the same name again with openat() on that
 * descriptor, which needs no path walk from the root and works the same
 * after the process dropped root and entered its filter. The new file is
 * created, when logrotate did not create it, with the run-as user's
 * rights, so the directory must let that user create files there, or
 * logrotate must create it ("create" or "copytruncate"), as with NUT. A
 * reopen that fails keeps the old descriptor and says so, where NUT's
 * upslog exited. The last name component is never followed if it is a
 * symlink. Standard output ("-") is never reopened.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "upslog.h"
#include "xmalloc.h"

/* O_NONBLOCK: a FIFO planted as the log file fails (ENXIO) or opens at once,
 * instead of blocking root's open until someone reads it. */
#define UL_OPEN_FLAGS (O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | \
	O_NONBLOCK)

struct ul_file {
	char *path;	/* as given */
	char *base;	/* its last component */
	int dirfd;	/* O_PATH on its directory; -1 for stdout */
	int fd;
};

/*
 * Opens f->base in the kept directory: a regular file with one link, or
 * -1 with a message naming path. The directory may be writable by the
 * run-as user (rotation needs that), who could plant a FIFO there or a hard
 * link to a file root may write: neither is written to.
 */
static int
open_log(const struct ul_file *f, const char *verb, char *err, size_t errlen)
{
	struct stat st;
	int fd, fl;

	fd = openat(f->dirfd, f->base, UL_OPEN_FLAGS, 0666);
	if (fd < 0) {
		str_printf(err, errlen, "could not %s logfile %s: %s", verb, f->path,
		    errno == ENXIO ? "it is a FIFO, not a regular file" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		str_printf(err, errlen, "could not %s logfile %s: %s", verb, f->path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		if (!S_ISREG(st.st_mode))
			str_printf(err, errlen, "could not %s logfile %s: not a regular file "
			    "(mode %o)", verb, f->path, (unsigned)st.st_mode & S_IFMT);
		else
			str_printf(err, errlen, "could not %s logfile %s: it has %lu links (a "
			    "hard link to another file?)", verb, f->path,
			    (unsigned long)st.st_nlink);
		close(fd);
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

struct ul_file *
ul_file_open(const char *path, char *err, size_t errlen)
{
	struct ul_file *f = xcalloc(1, sizeof(*f));
	const char *slash;
	char *dir;

	f->path = xstrdup(path);
	f->dirfd = -1;
	if (strcmp(path, "-") == 0) {
		f->fd = STDOUT_FILENO;
		return f;
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	f->base = xstrdup(slash != NULL ? slash + 1 : path);
	if (f->base[0] == '\0' || strcmp(f->base, ".") == 0 || strcmp(f->base, "..") == 0) {
		str_printf(err, errlen, "%s: not a file name", path);
		free(dir);
		ul_file_close(f);
		return NULL;
	}
	f->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0) {
		str_printf(err, errlen, "could not open log directory %s: %s", dir,
		    strerror(errno));
		free(dir);
		ul_file_close(f);
		return NULL;
	}
	free(dir);
	f->fd = open_log(f, "open", err, errlen);
	if (f->fd < 0) {
		ul_file_close(f);
		return NULL;
	}
	return f;
}

int
ul_file_write(struct ul_file *f, const char *line)
{
	char buf[UL_LINE_MAX + 1];
	size_t len, off = 0;

	len = strlen(line);
	if (len > UL_LINE_MAX - 1)
		len = UL_LINE_MAX - 1;
	memcpy(buf, line, len);
	buf[len++] = '\n';
	while (off < len) {
		ssize_t n = write(f->fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

int
ul_file_reopen(struct ul_file *f, char *err, size_t errlen)
{
	int fd;

	if (f->dirfd < 0)
		return 0;
	fd = open_log(f, "reopen", err, errlen);
	if (fd < 0) {
		size_t used = strlen(err);

		if (used < errlen)
			(void)str_printf(err + used, errlen - used, " (still writing to the "
			    "old one)");
		return -1;
	}
	close(f->fd);
	f->fd = fd;
	return 0;
}

const char *
ul_file_name(const struct ul_file *f)
{
	return f->path;
}

int
ul_file_is_stdout(const struct ul_file *f)
{
	return f->dirfd < 0 && f->fd == STDOUT_FILENO;
}

void
ul_file_close(struct ul_file *f)
{
	if (f == NULL)
		return;
	if (f->dirfd >= 0) {
		if (f->fd > STDERR_FILENO)
			close(f->fd);
		close(f->dirfd);
	}
	free(f->path);
	free(f->base);
	free(f);
}
