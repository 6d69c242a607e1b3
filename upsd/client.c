/*
 * nutsec - client.c: one client connection. Bytes are read into a shared
 * array and complete lines are executed straight from it; only a partial
 * line (or input held back while a reply is delayed) is copied into the
 * client's own buffer. Replies accumulate in the client's output buffer
 * and go out in one write per batch, never one write per line. Requests
 * stop being executed while too much output is unsent (the client is not
 * reading), so a slow reader only ever stalls itself; past a hard cap it is
 * dropped, and so is one that has taken none of its pending replies for
 * 30 s. The kernel's unsent bytes (SIOCOUTQ) count with ours once the
 * kernel buffer is full. A connection with no completed request line for
 * 60 s is closed (blank lines do not count). Each address may hold
 * MAXCONN_PER_ADDRESS connections (MAXCONN_PER_LOOPBACK for loopback).
 * The read/write calls go through c->io: plain TCP, or TLS after STARTTLS
 * (client_tls.c), whose handshake runs inside those calls and whose hooks
 * say which events it needs and what it has decrypted but not yet handed
 * over (that data never makes the fd readable).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "buf.h"
#include "ev.h"
#include "log.h"
#include "secret.h"
#include "xmalloc.h"

#include "upsd.h"

static struct client *lru_head, *lru_tail;	/* least recently active first */
/*
 * Sessions whose transport holds state it can shed and make again (a TLS
 * session's record keys), least recently woken first; at most
 * UPSD_AWAKE_MAX. Besides bounding that state, the cap keeps NSS's keys
 * where they can be reused: libnss3 keeps up to 800 freed keys for reuse
 * (tls_nss.c fills that list at start-up, in one piece), and a burst that
 * needs more makes new ones, which then stay scattered over the heap,
 * keeping its pages resident after the burst (docs/bench.md). A session
 * rested early makes its keys again at its next record.
 */
static TAILQ_HEAD(, client) awake = TAILQ_HEAD_INITIALIZER(awake);
static unsigned nawake;
static struct log_ratelimit awake_rl = LOG_RATELIMIT_INIT(3600, 1);
static size_t nclients;
static char rbuf[UPSD_IN_CAP];			/* shared read area */
static struct log_ratelimit maxconn_rl = LOG_RATELIMIT_INIT(60, 3);
static struct log_ratelimit peraddr_rl = LOG_RATELIMIT_INIT(60, 5);
static struct log_ratelimit stall_rl = LOG_RATELIMIT_INIT(60, 5);
static struct log_ratelimit overflow_rl = LOG_RATELIMIT_INIT(60, 5);
static struct log_ratelimit longline_rl = LOG_RATELIMIT_INIT(60, 5);
static struct log_ratelimit budget_rl = LOG_RATELIMIT_INIT(60, 5);
static struct log_ratelimit discard_rl = LOG_RATELIMIT_INIT(60, 10);
static size_t buffered;				/* bytes in all clients' buffers */

/* Updates c's share of the bytes buffered for all clients. */
static void
client_account(struct client *c, size_t now)
{
	buffered = buffered - c->accounted + now;
	c->accounted = now;
}

static ssize_t
plain_read(struct client *c, void *p, size_t n)
{
	ssize_t r;

	do
		r = recv(c->fd, p, n, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

static ssize_t
plain_write(struct client *c, const void *p, size_t n)
{
	ssize_t r;

	do
		r = send(c->fd, p, n, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r;
}

static const struct client_io plain_io = {
	.name = "plain",
	.read = plain_read,
	.write = plain_write,
};

/* Input the transport decrypted but we have not read yet. */
static size_t
client_io_pending(const struct client *c)
{
	return c->io->pending != NULL ? c->io->pending(c) : 0;
}

static void
lru_unlink(struct client *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		lru_head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		lru_tail = c->prev;
	c->prev = c->next = NULL;
}

static void
lru_append(struct client *c)
{
	c->prev = lru_tail;
	c->next = NULL;
	if (lru_tail != NULL)
		lru_tail->next = c;
	else
		lru_head = c;
	lru_tail = c;
}

static void
awake_unlink(struct client *c)
{
	if (!c->awake)
		return;
	TAILQ_REMOVE(&awake, c, awake_link);
	c->awake = 0;
	nawake--;
}

/* The transport sheds what it can make again. */
static void
client_rest(struct client *c)
{
	if (c->io->rest != NULL)
		c->io->rest(c);
	c->rested = 1;
	awake_unlink(c);
}

void
client_wake(struct client *c)
{
	c->rested = 0;
	if (c->io->rest == NULL || (c->io->can_rest != NULL && !c->io->can_rest(c)))
		return;
	awake_unlink(c);
	TAILQ_INSERT_TAIL(&awake, c, awake_link);
	c->awake = 1;
	nawake++;
	if (nawake > UPSD_AWAKE_MAX && log_ratelimit(&awake_rl))
		log_info("more than %u TLS sessions active at once: the least recently "
		    "active rest early (each makes its record keys again when it next "
		    "speaks, some 30 us; logged at most hourly)", UPSD_AWAKE_MAX);
	while (nawake > UPSD_AWAKE_MAX)
		client_rest(TAILQ_FIRST(&awake));
}

/* A completed line: the connection is active again. */
static void
client_touch(struct client *c)
{
	c->last_active = ev_now();
	if (c != lru_tail) {
		lru_unlink(c);
		lru_append(c);
	}
	client_wake(c);
}

static struct client *
client_alloc(int fd, const char *peer, unsigned port)
{
	struct client *c = XNEW(struct client);

	c->fd = fd;
	(void)str_copy(c->peer, peer, sizeof(c->peer));
	c->port = port;
	c->in = buf_new(UPSD_IN_CAP);
	c->out = buf_new(UPSD_OUT_CAP);
	c->io = &plain_io;
	c->last_active = ev_now();
	lru_append(c);
	nclients++;
	conncount_add(peer);
	return c;
}

static void client_cb(int fd, unsigned events, void *arg);

/*
 * A fixed kernel send buffer instead of autotuning (which grows to MBs):
 * a peer that does not read then holds at most this plus UPSD_OUT_CAP, and
 * the replies it can make us compute before backpressure are bounded.
 * common/net has no helper for this yet.
 */
static void
client_limit_sndbuf(int fd)
{
	int size = UPSD_SNDBUF;

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

/* Says why instead of leaving the peer to starve (NUT), and closes. */
static void
client_refuse(int fd)
{
	static const char refuse[] = "ERR MAX-CONNECTIONS\n";

	(void)send(fd, refuse, sizeof(refuse) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

void
client_accept(int fd, const char *peer, unsigned port)
{
	const struct upsd_conf *cf = state_conf();
	long per = peer_is_loopback(peer) ? cf->maxconn_per_loopback : cf->maxconn_per_address;
	struct client *c;

	if ((long)nclients >= state_maxconn()) {
		client_refuse(fd);
		if (log_ratelimit(&maxconn_rl))
			log_warnx("MAXCONN (%ld) reached: refused a connection from %s",
			    state_maxconn(), peer);
		return;
	}
	if (per > 0 && (long)conncount_get(peer) >= per) {
		client_refuse(fd);
		if (log_ratelimit(&peraddr_rl))
			log_warnx("%s already holds %ld connections (%s): refused another",
			    peer, per, peer_is_loopback(peer) ? "MAXCONN_PER_LOOPBACK" :
			    "MAXCONN_PER_ADDRESS");
		return;
	}
	net_set_nodelay(fd);
	client_limit_sndbuf(fd);
	c = client_alloc(fd, peer, port);
	if (ev_fd_add(fd, EV_READ, client_cb, c) != 0) {
		log_warn("cannot watch the connection from %s", peer);
		client_close(c, "event loop error");
		return;
	}
	c->events = EV_READ;
	log_debug("connection from %s port %u", peer, port);
}

struct client *
client_new_detached(const char *peer)
{
	return client_alloc(-1, peer, 0);
}

/*
 * Replies that will never be sent: reset the connection rather than leave
 * them, and the kernel's copy, queued behind a peer that does not read (a
 * FIN would wait behind them). common/net has no helper for this yet.
 */
static void
client_abort_socket(int fd)
{
	struct linger lg = { 1, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

void
client_close(struct client *c, const char *why)
{
	if (c->login_ups != NULL) {
		log_info("Client %s@%s logged out of UPS [%s] (%s)",
		    c->username ? c->username : "?", c->peer, c->login_ups->name, why);
		if (c->login_ups->numlogins > 0)
			c->login_ups->numlogins--;
		c->login_ups = NULL;
	} else
		log_debug("%s: connection closed (%s)", c->peer, why);
	if (c->delay_timer != 0)
		ev_timer_del(c->delay_timer);
	tracking_drop_client(c);
	list_cursor_free(c);
	if (c->fd >= 0) {
		if (buf_len(c->out) > 0)
			client_abort_socket(c->fd);
		ev_fd_del(c->fd);
		if (c->io->close != NULL)
			c->io->close(c);	/* the transport owns the fd */
		else
			close(c->fd);
	}
	client_account(c, 0);
	conncount_del(c->peer);
	secret_strfree(c->username);
	secret_strfree(c->password);
	buf_free(c->in);
	buf_free(c->out);
	lru_unlink(c);
	awake_unlink(c);
	nclients--;
	free(c);
}

/* May another request line run now? */
static int
client_can_run(const struct client *c)
{
	return !c->paused && !c->want_close && !c->overflow && c->next_io == NULL &&
	    c->cursor == NULL && buf_len(c->out) + c->kernel_queued < UPSD_OUT_HIGH;
}

static int
line_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

/*
 * Executes the complete lines at p[0..len) while the client may run.
 * Returns how many bytes were used.
 */
static size_t
client_run_lines(struct client *c, const char *p, size_t len)
{
	size_t used = 0, ran = 0;

	while (used < len && client_can_run(c)) {
		size_t rest = len - used, scan = rest < UPSD_LINE_MAX ? rest : UPSD_LINE_MAX;
		const char *lf = memchr(p + used, '\n', scan);
		size_t n;

		if (lf == NULL) {
			if (rest < UPSD_LINE_MAX)
				break;
			if (log_ratelimit(&longline_rl))
				log_info("%s: request line over %u bytes; closing", c->peer,
				    UPSD_LINE_MAX);
			reply_err(c, PERR_LINE_TOO_LONG);
			c->want_close = 1;
			return len;
		}
		n = (size_t)(lf - (p + used)) + 1;
		dispatch_line(c, p + used, n);
		/* A blank line is answered but does not keep the connection alive. */
		if (!line_blank(p + used, n))
			ran++;
		used += n;
	}
	if (ran > 0)
		client_touch(c);
	return used;
}

/* Adds to a listing being sent, while the output is under the mark. */
static void
client_fill(struct client *c)
{
	if (c->cursor != NULL && !c->paused &&
	    buf_len(c->out) + c->kernel_queued < UPSD_OUT_HIGH)
		(void)list_fill(c);
}

/* Goes on with a listing, then runs what is buffered in c->in. */
static void
client_run(struct client *c)
{
	size_t used;

	client_fill(c);
	if (buf_len(c->in) == 0)
		return;
	used = client_run_lines(c, buf_peek(c->in), buf_len(c->in));
	if (used > 0)
		buf_consume(c->in, used);
}

/* Drops plaintext received behind a transport switch (STARTTLS injection). */
static void
client_discard_plain(struct client *c, size_t more)
{
	size_t n = buf_len(c->in) + more;

	if (n > 0 && log_ratelimit(&discard_rl))
		log_info("%s: %zu byte(s) sent before the transport switch discarded",
		    c->peer, n);
	buf_reset(c->in);
}

static void
client_feed(struct client *c, const char *data, size_t len)
{
	size_t used;

	if (buf_len(c->in) == 0) {
		used = client_run_lines(c, data, len);
		data += used;
		len -= used;
	}
	if (c->next_io != NULL) {
		client_discard_plain(c, len);
		return;
	}
	if (len > 0 && !c->want_close && buf_put(c->in, data, len) != 0) {
		/* Cannot happen: reads are sized to the room left. */
		log_warnx("%s: input buffer full; closing", c->peer);
		c->overflow = 1;
		return;
	}
	if (len > 0)
		client_run(c);
}

/*
 * After a flush: with replies still waiting (the kernel buffer is full),
 * what the kernel holds unsent counts with them, and the time since the
 * peer last took any is kept.
 */
static void
client_note_backlog(struct client *c, int progress)
{
	int q = 0;

	if (buf_len(c->out) == 0) {
		c->kernel_queued = 0;
		c->stalled_since = 0;
		return;
	}
	if (progress || c->stalled_since == 0)
		c->stalled_since = ev_now();
	c->kernel_queued = ioctl(c->fd, SIOCOUTQ, &q) == 0 && q > 0 ? (size_t)q : 0;
}

/*
 * Sends what the socket takes now. While held, c->out stays, but what the
 * transport took before (TLS records NSS holds) still goes, or a writable
 * socket would wake us in vain. 0, or -1 on a write error.
 */
static int
client_flush(struct client *c)
{
	size_t before = c->paused ? 0 : buf_len(c->out);
	int rc = 0;

	while (!c->paused && buf_len(c->out) > 0) {
		ssize_t n = c->io->write(c, buf_peek(c->out), buf_len(c->out));

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			break;
		}
		if (n == 0)
			break;
		buf_consume(c->out, (size_t)n);
	}
	if ((c->paused || buf_len(c->out) == 0) && c->io->flush != NULL)
		rc = c->io->flush(c);
	if (before > 0)
		client_note_backlog(c, buf_len(c->out) < before);
	return rc;
}

static int
client_has_line(const struct client *c)
{
	return buf_len(c->in) > 0 && memchr(buf_peek(c->in), '\n', buf_len(c->in)) != NULL;
}

/*
 * After any activity: drops an overflowing client, sends output, closes a
 * finished one, and watches the events the state calls for. Returns -1 if
 * c was closed.
 */
static int
client_after(struct client *c)
{
	unsigned want = 0;

	if (c->overflow || buf_len(c->out) + c->kernel_queued > UPSD_OUT_CAP) {
		if (log_ratelimit(&overflow_rl))
			log_warnx("%s: more than %u bytes of replies unsent; dropping the "
			    "client", c->peer, UPSD_OUT_CAP);
		client_close(c, "output limit");
		return -1;
	}
	client_fill(c);
	if (c->fd >= 0 && client_flush(c) != 0) {
		client_close(c, errno == EPIPE || errno == ECONNRESET ?
		    "connection reset" : "write error");
		return -1;
	}
	/* The switch happens once the old transport has sent its replies. */
	if (c->next_io != NULL && buf_len(c->in) > 0)
		client_discard_plain(c, 0);
	if (c->next_io != NULL && buf_len(c->out) == 0) {
		c->io = c->next_io;
		c->next_io = NULL;
		log_debug("%s: transport is now %s", c->peer, c->io->name);
		if (c->io->start != NULL && c->io->start(c) != 0) {
			client_close(c, "transport start failed");
			return -1;
		}
	}
	if (c->fd < 0)
		return 0;
	/*
	 * Many clients that never read could each hold their caps; past the
	 * global budget, a client holding a large share is dropped.
	 */
	client_account(c, buf_len(c->in) + buf_len(c->out) + c->kernel_queued +
	    (c->io->held != NULL ? c->io->held(c) : 0));
	if (buffered > UPSD_BUDGET && c->accounted >= UPSD_OUT_HIGH / 2) {
		if (log_ratelimit(&budget_rl))
			log_warnx("%s: buffers of all clients over %u bytes; dropping this "
			    "client (%zu bytes pending)", c->peer, UPSD_BUDGET, c->accounted);
		client_close(c, "buffer budget");
		return -1;
	}
	/* A held reply nobody will read: free the slot now, not after the delay. */
	if (c->eof && c->paused) {
		client_close(c, "peer closed while its reply was held");
		return -1;
	}
	if (c->eof && (!client_has_line(c) || c->want_close))
		c->want_close = 1;
	/* The last reply goes out whole (a TLS record may still be half in
	   the transport); a peer that never takes it meets the idle timeout. */
	if (c->want_close && buf_len(c->out) == 0 &&
	    (c->io->unsent == NULL || !c->io->unsent(c))) {
		client_close(c, c->eof ? "peer closed" : "logout");
		return -1;
	}
	/* Held: still read (into c->in, bounded) to see the peer hang up. */
	if (!c->want_close && !c->eof && c->next_io == NULL &&
	    (c->paused || buf_len(c->out) < UPSD_OUT_HIGH) && buf_len(c->in) < UPSD_IN_CAP)
		want |= EV_READ;
	/*
	 * Output to send, or held-back requests that may run now (the output
	 * drained): a writable socket wakes us at once in the second case.
	 */
	if (!c->paused && (buf_len(c->out) > 0 || c->cursor != NULL ||
	    (client_can_run(c) && client_has_line(c))))
		want |= EV_WRITE;
	if (c->io->want != NULL)
		want |= c->io->want(c);
	/* Decrypted input the fd will not announce: be woken at once to read it. */
	if ((want & EV_READ) && client_io_pending(c) > 0)
		want |= EV_WRITE;
	if (want != c->events) {
		if (ev_fd_set(c->fd, want) != 0) {
			client_close(c, "event loop error");
			return -1;
		}
		c->events = want;
	}
	return 0;
}

/*
 * Reads what the transport has. TLS may hold more decrypted bytes than one
 * read takes: keep reading them while the client may take input.
 */
static int
client_read(struct client *c)
{
	do {
		size_t room = UPSD_IN_CAP - buf_len(c->in);
		ssize_t n;

		if (room == 0)
			return 0;
		n = c->io->read(c, rbuf, room < sizeof(rbuf) ? room : sizeof(rbuf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			client_close(c, errno == ECONNRESET ? "connection reset" :
			    errno == EPROTO ? "TLS error" : "read error");
			return -1;
		}
		if (n == 0) {
			c->eof = 1;
			return 0;
		}
		client_feed(c, rbuf, (size_t)n);
		/* The shared read area may have held a password. */
		secret_clear(rbuf, (size_t)n);
	} while (client_io_pending(c) > 0 && !c->paused && buf_len(c->out) < UPSD_OUT_HIGH);
	return 0;
}

static void
client_cb(int fd, unsigned events, void *arg)
{
	struct client *c = arg;

	if (events & EV_WRITE) {
		if (client_flush(c) != 0) {
			client_close(c, "write error");
			return;
		}
		/* Output drained below the mark: run what was held back. */
		if (buf_len(c->out) < UPSD_OUT_HIGH)
			client_run(c);
	}
	if (((events & (EV_READ | EV_ERROR)) || client_io_pending(c) > 0) && !c->eof &&
	    client_read(c) != 0)
		return;
	(void)client_after(c);
}

void
client_input(struct client *c, const char *data, size_t len)
{
	if (len > UPSD_IN_CAP - buf_len(c->in))
		len = UPSD_IN_CAP - buf_len(c->in);
	client_feed(c, data, len);
	(void)client_after(c);
}

void
client_switch_io(struct client *c, const struct client_io *io)
{
	c->next_io = io;
}

void
client_resume(struct client *c)
{
	client_run(c);
	(void)client_after(c);
}

static void
client_hold_cb(void *arg)
{
	struct client *c = arg;

	c->delay_timer = 0;
	c->paused = 0;
	client_resume(c);
}

void
client_hold(struct client *c, unsigned ms)
{
	if (ms == 0 || c->paused)
		return;
	c->paused = 1;
	c->delay_timer = ev_timer_add(ms, client_hold_cb, c);
}

void
client_tick(void)
{
	uint64_t now = ev_now();
	struct client *c, *next;

	while (lru_head != NULL && lru_head->fd >= 0 &&
	    now - lru_head->last_active >= UPSD_IDLE_MS)
		client_close(lru_head, "idle timeout");
	/* Quiet for a while (least recently active first): a TLS session lets
	   go of about 20 kB it can make again (tls_rest). */
	for (c = lru_head; c != NULL && now - c->last_active >= UPSD_REST_MS; c = c->next)
		if (!c->rested && c->fd >= 0 && c->io->rest != NULL)
			client_rest(c);
	for (c = lru_head; c != NULL; c = next) {
		next = c->next;
		if (c->stalled_since == 0 || now - c->stalled_since < UPSD_STALL_MS)
			continue;
		if (log_ratelimit(&stall_rl))
			log_warnx("%s: took none of its replies for %u s (%zu bytes waiting); "
			    "dropping the client", c->peer, UPSD_STALL_MS / 1000,
			    buf_len(c->out) + c->kernel_queued);
		client_close(c, "not reading its replies");
	}
	backoff_tick();
}

void
client_kick_ups(struct ups *u)
{
	struct client *c, *next;

	for (c = lru_head; c != NULL; c = next) {
		next = c->next;
		if (c->login_ups == u || list_cursor_ups(c) == u)
			client_close(c, "UPS removed from ups.conf");
	}
}

void
client_close_all(void)
{
	while (lru_head != NULL)
		client_close(lru_head, "shutting down");
}

size_t
client_count(void)
{
	return nclients;
}

struct client *
client_first(void)
{
	return lru_head;
}
