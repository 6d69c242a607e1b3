/*
 * nutsec - drv_sockserv.c: the driver's Unix socket server. Any number of
 * clients (upsd, upsdrvctl, tools) connect; each has a bounded input
 * buffer, a tokenizer and a bounded output buffer. Nothing here blocks:
 * output is written when the socket is writable, and a client whose
 * output would pass its cap (one that does not read) is dropped instead
 * of stalling the driver (NUT blocked or switched to synchronous writes).
 * Complete lines are parsed by sockproto and handed to one callback.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "drvcore.h"
#include "ev.h"
#include "log.h"
#include "net.h"
#include "sockproto.h"
#include "tok.h"
#include "xmalloc.h"

#define SOCK_BACKLOG  16
#define SOCK_IN_MAX   16384			/* input buffered per client */
#define SOCK_LINE_MAX 8192			/* longest request line accepted */
#define SOCK_OUT_MAX  (4u * 1024 * 1024)	/* output queued per client */
#define SOCK_READ_MAX 4096
#define SOCK_MAX_CLIENTS 256

struct sockclient {
	struct sockserv *ss;
	struct sockclient *next;
	int fd;
	struct buf *in, *out;
	struct tok *tok;
	int broadcast;		/* receives live updates */
	int closing;		/* close once out is empty */
	int dead;		/* to be freed at the next flush */
	unsigned events;	/* currently watched */
	char name[32];
};

struct sockserv {
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sockclient *clients;
	size_t nclients;
	unsigned long serial;
	sockserv_cb cb;
	void *arg;
};

static struct log_ratelimit bad_msg_rl = LOG_RATELIMIT_INIT(60, 10);

static void
client_kill(struct sockclient *c, const char *why)
{
	if (c->dead)
		return;
	log_debug("%s: disconnected (%s)", c->name, why);
	c->dead = 1;
	ev_fd_del(c->fd);
}

static void
client_free(struct sockclient *c)
{
	close(c->fd);
	buf_free(c->in);
	buf_free(c->out);
	tok_free(c->tok);
	free(c);
}

/* Watches for writability only while output is pending. */
static void
client_watch(struct sockclient *c)
{
	unsigned ev = EV_READ | (buf_len(c->out) > 0 ? EV_WRITE : 0);

	if (c->dead || ev == c->events)
		return;
	if (ev_fd_set(c->fd, ev) == 0)
		c->events = ev;
}

static void
client_write(struct sockclient *c)
{
	if (c->dead)
		return;
	if (buf_len(c->out) > 0 && buf_write_fd(c->out, c->fd) < 0) {
		client_kill(c, strerror(errno));
		return;
	}
	if (c->closing && buf_len(c->out) == 0) {
		client_kill(c, "logout");
		return;
	}
	client_watch(c);
}

static void
client_line(struct sockclient *c, const char *line, size_t len)
{
	struct sp_msg m;
	const char *err = NULL;

	if (tok_split(c->tok, line, len) != TOK_LINE) {
		if (log_ratelimit(&bad_msg_rl))
			log_warnx("%s: unparsable line: %s", c->name, tok_error(c->tok));
		return;
	}
	if (tok_argc(c->tok) == 0)
		return;
	if (sp_parse((int)tok_argc(c->tok), tok_argv(c->tok), &m, &err) < 0) {
		if (log_ratelimit(&bad_msg_rl))
			log_warnx("%s: ignored %.32s: %s", c->name, tok_argv(c->tok)[0], err);
		return;
	}
	c->ss->cb(c->ss->arg, c, &m);
}

static void
client_read(struct sockclient *c)
{
	ssize_t n;
	size_t len;
	int r;

	n = buf_read_fd(c->in, c->fd, SOCK_READ_MAX);
	if (n == 0) {
		client_kill(c, "end of file");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			client_kill(c, errno == ENOBUFS ? "input over the limit" : strerror(errno));
		return;
	}
	while (!c->dead && !c->closing) {
		r = buf_line(c->in, SOCK_LINE_MAX, &len);
		if (r == 0)
			break;
		if (r < 0) {
			log_warnx("%s: line longer than %d bytes; disconnecting", c->name,
			    SOCK_LINE_MAX);
			client_kill(c, "line too long");
			return;
		}
		client_line(c, buf_peek(c->in), len);
		if (!c->dead)
			buf_consume(c->in, len);
	}
}

static void
client_event(int fd, unsigned events, void *arg)
{
	struct sockclient *c = arg;

	if (c->dead)
		return;
	if (events & EV_READ)
		client_read(c);
	if (!c->dead && (events & EV_WRITE))
		client_write(c);
	if (!c->dead && (events & EV_ERROR) && !(events & EV_READ))
		client_kill(c, "hang-up");
}

static void
accept_event(int fd, unsigned events, void *arg)
{
	struct sockserv *ss = arg;
	struct sockclient *c;
	char peer[NET_ADDRSTRLEN];
	unsigned port;
	int cfd;

	for (;;) {
		cfd = net_accept(fd, peer, &port);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("accept on %s", ss->path);
			return;
		}
		if (ss->nclients >= SOCK_MAX_CLIENTS) {
			log_warnx("%s: %d clients connected; refusing another", ss->path,
			    SOCK_MAX_CLIENTS);
			close(cfd);
			continue;
		}
		c = XNEW(struct sockclient);
		c->ss = ss;
		c->fd = cfd;
		c->in = buf_new(SOCK_IN_MAX);
		c->out = buf_new(SOCK_OUT_MAX);
		c->tok = tok_new(0, 0);
		c->broadcast = 1;
		c->events = EV_READ;
		(void)str_printf(c->name, sizeof(c->name), "socket client %lu", ++ss->serial);
		if (ev_fd_add(cfd, EV_READ, client_event, c) < 0) {
			log_warn("cannot watch %s", c->name);
			client_free(c);
			continue;
		}
		c->next = ss->clients;
		ss->clients = c;
		ss->nclients++;
		log_debug("%s: connected", c->name);
	}
}

struct sockserv *
sockserv_new(const char *path, long gid, sockserv_cb cb, void *arg)
{
	struct sockserv *ss;
	int fd;

	ss = XNEW(struct sockserv);
	if (str_copy(ss->path, path, sizeof(ss->path)) < 0) {
		log_warnx("socket path %s is longer than %zu bytes; use a shorter state path",
		    path, sizeof(ss->path) - 1);
		goto fail;
	}
	/*
	 * upsd runs as the unprivileged group: it must be able to connect. The
	 * socket is created with that group (never chown'd by name afterwards:
	 * user nut can replace names in the state path).
	 */
	fd = net_listen_unix(path, 0660, gid, SOCK_BACKLOG);
	if (fd < 0) {
		if (errno == EPERM && gid >= 0)
			log_warnx("cannot create %s with group %ld: the kernel refused that "
			    "group (not root, and not one of our groups?)", path, gid);
		else
			log_warn("cannot listen on %s", path);
		goto fail;
	}
	ss->lfd = fd;
	if (ev_fd_add(fd, EV_READ, accept_event, ss) < 0) {
		log_warn("cannot watch %s", path);
		close(fd);
		(void)unlink(path);
		goto fail;
	}
	ss->cb = cb;
	ss->arg = arg;
	return ss;
fail:
	free(ss);
	return NULL;
}

void
sockserv_free(struct sockserv *ss)
{
	struct sockclient *c, *next;

	if (ss == NULL)
		return;
	for (c = ss->clients; c != NULL; c = next) {
		next = c->next;
		if (!c->dead)
			ev_fd_del(c->fd);
		client_free(c);
	}
	ev_fd_del(ss->lfd);
	close(ss->lfd);
	/*
	 * A sandboxed driver may not delete files (the filter answers EACCES):
	 * the socket stays, and the next start replaces it once nobody answers
	 * on it. Not worth a warning at every exit.
	 */
	if (unlink(ss->path) < 0 && errno != ENOENT)
		log_debug("socket %s left in place: %s", ss->path, strerror(errno));
	free(ss);
}

void
sockserv_broadcast(struct sockserv *ss, const char *data, size_t len)
{
	struct sockclient *c;

	for (c = ss->clients; c != NULL; c = c->next) {
		if (c->dead || !c->broadcast || c->closing)
			continue;
		if (buf_put(c->out, data, len) < 0)
			sockclient_overflow(c);
	}
}

void
sockserv_flush(struct sockserv *ss)
{
	struct sockclient **pp = &ss->clients, *c;

	while ((c = *pp) != NULL) {
		if (!c->dead && buf_len(c->out) > 0)
			client_write(c);
		else if (!c->dead && c->closing)
			client_write(c);
		if (c->dead) {
			*pp = c->next;
			ss->nclients--;
			client_free(c);
			continue;
		}
		pp = &c->next;
	}
}

size_t
sockserv_count(const struct sockserv *ss)
{
	return ss->nclients;
}

struct buf *
sockclient_out(struct sockclient *c)
{
	return c->out;
}

void
sockclient_overflow(struct sockclient *c)
{
	log_warnx("%s: does not read its output (over %u bytes queued); disconnecting",
	    c->name, SOCK_OUT_MAX);
	client_kill(c, "output over the limit");
}

void
sockclient_set_broadcast(struct sockclient *c, int on)
{
	c->broadcast = on;
}

void
sockclient_close_after_flush(struct sockclient *c)
{
	c->closing = 1;
}

const char *
sockclient_name(const struct sockclient *c)
{
	return c->name;
}
