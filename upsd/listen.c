/*
 * nutsec - listen.c: the TCP listeners. Every LISTEN line is bound (as
 * root, before privileges are dropped); the default is 127.0.0.1 and ::1
 * on port 3493, narrowed by -4/-6. As in NUT, start-up fails unless every
 * LISTEN binds, except for a loopback spelling that resolves to a socket
 * already bound, or when ALLOW_NOT_ALL_LISTENERS is set. One spare fd is
 * kept so that, when the process runs out of descriptors, a pending
 * connection can still be accepted and closed instead of spinning. The
 * spare is an unconnected Unix socket, which the jail (no /dev/null) and
 * the seccomp filter (upsd makes such sockets for its drivers) both let us
 * make again. If it cannot be made, accepting pauses for a second: a
 * listener that stays readable must never turn the loop into a busy one.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "net.h"

#include "upsd.h"

#define LISTEN_MAX	64
#define LISTEN_BACKLOG	1024
#define ACCEPT_BATCH	64
#define ACCEPT_PAUSE_MS	1000	/* out of descriptors and no spare: wait */

static struct net_listener listeners[LISTEN_MAX];
static int nlisteners;
static int spare_fd = -1;
static ev_timer_id pause_timer;
static struct log_ratelimit emfile_rl = LOG_RATELIMIT_INIT(60, 3);

static int
is_loopback_name(const char *h)
{
	return strcasecmp(h, "localhost") == 0 || strcasecmp(h, "localhost6") == 0 ||
	    strcasecmp(h, "ip6-localhost") == 0 || strcmp(h, "::1") == 0 ||
	    strncmp(h, "127.", 4) == 0;
}

/* Is a loopback socket already bound on port (a second spelling of it)? */
static int
have_loopback(unsigned port)
{
	int i;

	for (i = 0; i < nlisteners; i++)
		if (listeners[i].port == port &&
		    (strcmp(listeners[i].addr, "::1") == 0 ||
		    strncmp(listeners[i].addr, "127.", 4) == 0))
			return 1;
	return 0;
}

/* Binds one address; returns 0, or -1 with the reason logged. */
static int
listen_one(const char *host, unsigned port, int family)
{
	char err[256];
	int n;

	n = net_listen_tcp(host, port, family, LISTEN_BACKLOG, listeners + nlisteners,
	    LISTEN_MAX - nlisteners, err, sizeof(err));
	if (n < 0) {
		if (is_loopback_name(host) && have_loopback(port)) {
			log_info("LISTEN %s %u: %s (another loopback spelling is bound)",
			    host, port, err);
			return 0;
		}
		log_warnx("LISTEN %s %u: %s", host, port, err);
		return -1;
	}
	for (; n > 0; n--, nlisteners++)
		log_info("listening on %s port %u", listeners[nlisteners].addr,
		    listeners[nlisteners].port);
	return 0;
}

int
listen_open(const struct upsd_conf *cf, int family)
{
	int failed = 0, tried = 0;
	size_t i;

	if (cf->nlisten == 0) {
		/* The defaults: loopback only. */
		if (family != NET_FAMILY_V6) {
			tried++;
			failed += listen_one("127.0.0.1", NUT_PORT, NET_FAMILY_V4) != 0;
		}
		if (family != NET_FAMILY_V4) {
			tried++;
			failed += listen_one("::1", NUT_PORT, NET_FAMILY_V6) != 0;
		}
		/* A host without IPv6 still gets its IPv4 loopback. */
		if (failed > 0 && failed < tried)
			failed = 0;
	}
	for (i = 0; i < cf->nlisten; i++) {
		tried++;
		failed += listen_one(cf->listen[i].host, cf->listen[i].port, family) != 0;
	}
	if (nlisteners == 0) {
		log_warnx("no listening socket could be opened");
		return -1;
	}
	if (failed > 0 && !cf->allow_not_all_listeners) {
		log_warnx("%d of %d LISTEN address(es) failed; set "
		    "ALLOW_NOT_ALL_LISTENERS to start anyway", failed, tried);
		return -1;
	}
	spare_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return 0;
}

int
listen_count(void)
{
	return nlisteners;
}

/* Watches (events EV_READ) or ignores (0) every listener. */
static void
listen_watch(unsigned events)
{
	int i;

	for (i = 0; i < nlisteners; i++)
		if (ev_fd_set(listeners[i].fd, events) != 0)
			log_warn("cannot %s listener %s", events ? "resume" : "pause",
			    listeners[i].addr);
}

static void
listen_unpause(void *arg)
{
	pause_timer = 0;
	listen_watch(EV_READ);
}

/*
 * Out of descriptors: the spare makes room to take the pending connection
 * off the queue and close it. Without a spare, accepting pauses.
 */
static void
listen_shed(int lfd)
{
	char peer[NET_ADDRSTRLEN];
	unsigned port;
	int fd;

	if (log_ratelimit(&emfile_rl))
		log_warnx("out of file descriptors: closing new connections");
	if (spare_fd >= 0) {
		close(spare_fd);
		fd = net_accept(lfd, peer, &port);
		if (fd >= 0)
			close(fd);
		spare_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (spare_fd >= 0)
			return;
	}
	if (pause_timer == 0) {
		log_debug("no spare descriptor: accepting paused for %u ms", ACCEPT_PAUSE_MS);
		listen_watch(0);
		pause_timer = ev_timer_add(ACCEPT_PAUSE_MS, listen_unpause, NULL);
	}
}

static void
listen_cb(int lfd, unsigned events, void *arg)
{
	char peer[NET_ADDRSTRLEN];
	unsigned port;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		fd = net_accept(lfd, peer, &port);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				listen_shed(lfd);
			else if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		client_accept(fd, peer, port);
	}
}

int
listen_start(void)
{
	int i;

	for (i = 0; i < nlisteners; i++)
		if (ev_fd_add(listeners[i].fd, EV_READ, listen_cb, NULL) != 0) {
			log_warn("cannot watch listener %s", listeners[i].addr);
			return -1;
		}
	return 0;
}

void
listen_close(void)
{
	int i;

	if (pause_timer != 0)
		ev_timer_del(pause_timer);
	pause_timer = 0;
	for (i = 0; i < nlisteners; i++) {
		ev_fd_del(listeners[i].fd);
		close(listeners[i].fd);
	}
	nlisteners = 0;
	if (spare_fd >= 0)
		close(spare_fd);
	spare_fd = -1;
}
