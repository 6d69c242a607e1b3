/*
 * nutsec - reloadstat.c: how `upsd -c reload` learns what a reload did.
 * The daemon opens upsd.reload next to its PID file while still root and
 * keeps the descriptor; after each reload it rewrites the file in place
 * (lseek and one write of a fixed-size record: no open, rename or truncate
 * is needed inside the sandbox). The record is
 *
 *     <pid> <sequence> <ok|restart|failed>\n<what happened>\n
 *
 * padded with spaces to a fixed size. `upsd -c reload` reads the sequence,
 * sends SIGHUP, waits for the sequence to move on and exits 0 (all in
 * force), 2 (reloaded, but changes that need a restart are not in force)
 * or 1 (refused or failed: the configuration in force was kept, or no
 * answer came).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"
#include "pidfile.h"
#include "xmalloc.h"

#include "upsd.h"

#define RECORD_SIZE 640		/* bytes of every record, padding included */
#define WAIT_MS 20000u		/* how long -c reload waits for the answer */

static const char *const result_names[] = { "ok", "restart", "failed" };

static int stat_fd = -1;
static char stat_name[4096];	/* its path, for messages */
static unsigned long stat_seq;

void
reload_note(struct reload_report *r, enum reload_result res, const char *fmt, ...)
{
	char line[256];
	size_t used = strlen(r->msg);
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (res == RELOAD_FAILED)
		log_warnx("%s", line);
	else
		log_notice("%s", line);
	if (res > r->result)
		r->result = res;
	if (used < sizeof(r->msg) - 1)
		(void)snprintf(r->msg + used, sizeof(r->msg) - used, "%s%s", used ? "; " : "",
		    line);
}

static int
stat_path(const char *pidpath, char *out, size_t len)
{
	const char *slash = strrchr(pidpath, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - pidpath) : 0;

	if (str_printf(out, len, "%.*s%supsd.reload", (int)dirlen, pidpath,
	    slash != NULL ? "/" : "") != 0) {
		log_warnx("reload status file path too long (next to %s)", pidpath);
		return -1;
	}
	return 0;
}

static void
stat_put(enum reload_result res, const char *msg)
{
	char rec[RECORD_SIZE];
	int n;

	if (stat_fd < 0)
		return;
	memset(rec, ' ', sizeof(rec));
	n = snprintf(rec, sizeof(rec) - 1, "%ld %lu %s\n%s\n", (long)getpid(), stat_seq,
	    result_names[res], msg);
	if (n < 0)
		return;
	if (n >= (int)sizeof(rec) - 1) {
		n = (int)sizeof(rec) - 2;
		rec[n++] = '\n';
	} else
		rec[n] = ' ';
	rec[sizeof(rec) - 1] = '\n';
	if (lseek(stat_fd, 0, SEEK_SET) != 0 || write(stat_fd, rec, sizeof(rec)) !=
	    (ssize_t)sizeof(rec))
		log_warn("cannot write the reload status file %s", stat_name);
}

int
reloadstat_open(const char *pidpath)
{
	char path[4096];
	int fd;

	if (stat_path(pidpath, path, sizeof(path)) != 0)
		return -1;
	(void)unlink(path);	/* never write through a link left there */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		log_warn("cannot create the reload status file %s", path);
		return -1;
	}
	stat_fd = fd;
	(void)str_copy(stat_name, path, sizeof(stat_name));
	stat_seq = 0;
	stat_put(RELOAD_OK, "started");
	return 0;
}

void
reloadstat_write(const struct reload_report *r)
{
	stat_seq++;
	stat_put(r->result, r->msg[0] != '\0' ? r->msg : "configuration reloaded");
}

void
reloadstat_close(const char *pidpath)
{
	char path[4096];

	if (stat_fd < 0)
		return;
	close(stat_fd);
	stat_fd = -1;
	/* The sandbox refuses unlink softly; the next start replaces the file. */
	if (stat_path(pidpath, path, sizeof(path)) == 0)
		(void)unlink(path);
}

/* Reads the record: pid, sequence, result and message. 0 or -1. */
static int
stat_read(const char *path, long *pid, unsigned long *seq, int *res, char *msg,
    size_t msglen)
{
	char rec[RECORD_SIZE + 1], word[16];
	struct stat st;
	char *nl, *end;
	ssize_t n;
	int fd, i;

	/* In a directory user nut may write: no link followed, no FIFO waited
	   on, nothing but a regular file read. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	n = read(fd, rec, RECORD_SIZE);
	close(fd);
	if (n < (ssize_t)RECORD_SIZE)
		return -1;	/* absent, or caught half written: read again */
	rec[n] = '\0';
	if (sscanf(rec, "%ld %lu %15s", pid, seq, word) != 3 || (nl = strchr(rec, '\n')) == NULL)
		return -1;
	*res = -1;
	for (i = 0; i < 3; i++)
		if (strcmp(word, result_names[i]) == 0)
			*res = i;
	if (*res < 0)
		return -1;
	nl++;
	for (end = nl + strlen(nl); end > nl && (end[-1] == ' ' || end[-1] == '\n'); end--)
		;
	*end = '\0';
	(void)str_copy(msg, nl, msglen);
	return 0;
}

int
reloadstat_signal(const char *pidpath)
{
	char path[4096], msg[RECORD_SIZE];
	unsigned long seq0 = 0, seq;
	long spid = -1, spid2;
	pid_t pid;
	unsigned waited;
	int res, known;
	struct timespec ts = { 0, 100 * 1000000L };

	if (stat_path(pidpath, path, sizeof(path)) != 0)
		return 1;
	pid = pidfile_read(pidpath);
	known = pid > 0 && stat_read(path, &spid, &seq0, &res, msg, sizeof(msg)) == 0 &&
	    spid == (long)pid;
	if (pidfile_signal(pidpath, UPSD_PROG, SIGHUP) != 0)
		return 1;
	if (!known) {
		log_warnx("reload signalled to upsd (PID %ld), but %s does not say how it "
		    "went (an older upsd?): see upsd's log", (long)pid, path);
		return 0;
	}
	for (waited = 0; waited < WAIT_MS; waited += 100) {
		(void)nanosleep(&ts, NULL);
		if (stat_read(path, &spid2, &seq, &res, msg, sizeof(msg)) != 0 ||
		    spid2 != spid || seq == seq0)
			continue;
		switch (res) {
		case RELOAD_OK:
			log_info("upsd reloaded: %s", msg);
			return 0;
		case RELOAD_RESTART:
			log_warnx("upsd reloaded, but not everything is in force: %s", msg);
			return 2;
		default:
			log_warnx("upsd reload failed: %s", msg);
			return 1;
		}
	}
	log_warnx("upsd (PID %ld) did not report the reload within %u s: see its log",
	    (long)pid, WAIT_MS / 1000);
	return 1;
}
