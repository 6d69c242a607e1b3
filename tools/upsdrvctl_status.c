/*
 * nutsec - upsdrvctl_status.c: "upsdrvctl status": for each UPS, the PID
 * file and whether that process lives, then PING, GETPID and DUMPSTATUS
 * over the driver's socket, printed as one TAB-separated row. Replies are
 * read with a deadline and a line cap, so a wedged driver shows up as
 * unresponsive instead of hanging the command.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "ev.h"
#include "log.h"
#include "net.h"
#include "paths.h"
#include "pidfile.h"
#include "sockproto.h"
#include "tok.h"
#include "upsconf.h"
#include "upsdrvctl.h"
#include "xmalloc.h"

#define STATUS_WAIT_MS 3000
#define STATUS_LINE_MAX 8192

struct answer {
	int pong;
	long pid;
	char status[256];
	int done;
};

void
ctl_status_header(void)
{
	printf("UPSNAME\tUPSDRV\tRUNNING\tPF_PID\tS_RESPONSIVE\tS_PID\tS_STATUS\n");
}

static void
take_line(struct tok *t, const char *line, size_t len, struct answer *a)
{
	struct sp_msg m;
	const char *err;

	if (tok_split(t, line, len) != TOK_LINE || tok_argc(t) == 0 ||
	    sp_parse((int)tok_argc(t), tok_argv(t), &m, &err) < 0)
		return;
	if (m.verb == SP_PONG)
		a->pong = 1;
	else if (m.verb == SP_PID)
		a->pid = m.num;
	else if (m.verb == SP_SETINFO && strcasecmp(m.name, "ups.status") == 0)
		(void)str_copy(a->status, m.value, sizeof(a->status));
	else if (m.verb == SP_DUMPDONE)
		a->done = 1;
}

static void
ask(const char *path, struct answer *a)
{
	/* DUMPALL after DUMPSTATUS: drivers before NUT 2.8.1 ignore DUMPSTATUS
	 * (and GETPID); their status then comes from the full dump. */
	static const char q[] = "PING\nGETPID\nDUMPSTATUS\nDUMPALL\n";
	struct buf *in = buf_new(STATUS_LINE_MAX * 2);
	struct tok *t = tok_new(0, 0);
	uint64_t deadline = ev_clock() + STATUS_WAIT_MS;
	struct pollfd pfd;
	size_t len;
	ssize_t n;
	int fd;

	fd = net_connect_unix(path, 1);
	if (fd < 0)
		goto out;
	if (write(fd, q, sizeof(q) - 1) != (ssize_t)(sizeof(q) - 1))
		goto out;
	while (!a->done) {
		uint64_t now = ev_clock();

		if (now >= deadline)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(deadline - now)) <= 0)
			continue;
		n = buf_read_fd(in, fd, 4096);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
		while (!a->done && buf_line(in, STATUS_LINE_MAX, &len) == 1) {
			take_line(t, buf_peek(in), len, a);
			buf_consume(in, len);
		}
		if (buf_line(in, STATUS_LINE_MAX, &len) < 0)
			break;
	}
out:
	if (fd >= 0)
		close(fd);
	tok_free(t);
	buf_free(in);
}

static int
sock_path(const struct ctl *c, const struct upsconf_ups *u, char *out, size_t len)
{
	char name[512];

	if (str_printf(name, sizeof(name), "%s-%s", u->driver != NULL ? u->driver : "",
	    u->name) < 0 || paths_join(out, len, c->statepath, name) < 0) {
		log_warnx("[%s]: socket path too long", u->name);
		return -1;
	}
	return 0;
}

int
ctl_alive(struct ctl *c, struct upsconf_ups *u)
{
	struct answer a;
	char sock[4096];

	memset(&a, 0, sizeof(a));
	if (sock_path(c, u, sock, sizeof(sock)) < 0)
		return 0;
	ask(sock, &a);
	return a.pong;
}

int
ctl_status(struct ctl *c, struct upsconf_ups *u)
{
	struct answer a;
	char name[512], sock[4096], pidf[4096];
	const char *drv = u->driver != NULL ? u->driver : "", *prog;
	char what[256];
	pid_t pid;
	int running;

	memset(&a, 0, sizeof(a));
	a.pid = -1;
	if (sock_path(c, u, sock, sizeof(sock)) < 0 ||
	    str_printf(name, sizeof(name), "%s-%s.pid", drv, u->name) < 0 ||
	    paths_join(pidf, sizeof(pidf), paths_altpidpath(), name) < 0) {
		log_warnx("[%s]: paths too long", u->name);
		return 1;
	}
	pid = pidfile_read(pidf);
	/* RUNNING only if that PID is the driver: the file may be stale or planted */
	prog = strrchr(drv, '/') != NULL ? strrchr(drv, '/') + 1 : drv;
	running = pid > 0 && proc_runs(pid, prog, what, sizeof(what)) == 0;
	ask(sock, &a);
	printf("%s\t%s\t%s\t%ld\t%s\t%ld\t%s\n", u->name, drv,
	    running ? "RUNNING" : "STOPPED", pid > 0 ? (long)pid : -1L,
	    a.pong ? "RESPONSIVE" : "NOT_RESPONSIVE", a.pid,
	    a.status[0] != '\0' ? a.status : "(none)");
	return a.pong ? 0 : 1;
}
