/*
 * nutsec - loadgen.c: the epoll engine of nutbench. It opens pools of
 * non-blocking TCP connections to a NUT-protocol server, proves each one
 * accepted with a first request, and then drives them closed-loop: every
 * connection keeps a fixed number of identical requests in flight and
 * sends one more for each reply, until the phase's time is up. A reply is
 * one line, or a BEGIN LIST .. END LIST block; the time from the write of
 * a request to the end of its reply is its latency. Everything is bounded:
 * a phase stops at its deadline plus a grace period whatever the server
 * does, a reply line may not exceed LINE_MAX_BYTES, and unsent output may
 * not exceed OUT_MAX bytes per connection.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define LINE_MAX_BYTES	1024	/* longest reply line we accept */
#define OUT_MAX		4096	/* unsent request bytes per connection */
#define READ_CHUNK	65536
#define EV_BATCH	1024
#define TICK_MS		50	/* longest single epoll wait */
#define STALL_MS	5000	/* opening gives up after this long idle */

enum cstate { C_DEAD, C_CONNECTING, C_PROBING, C_READY, C_REFUSED };

struct conn {
	int fd;
	enum cstate state;
	struct lg_pool *owner;
	unsigned inflight;		/* requests sent, reply not complete */
	unsigned head;			/* ring index of the oldest request */
	uint64_t sent[LG_MAX_DEPTH];	/* send time of each one in flight */
	uint64_t t0;			/* churn: when the connect started */
	int in_list;			/* inside BEGIN LIST .. END LIST */
	unsigned list_lines;
	int want_out;			/* EPOLLOUT armed */
	size_t carrylen;
	char carry[LINE_MAX_BYTES];	/* partial reply line */
	size_t outlen;
	char out[OUT_MAX];		/* request bytes the socket refused */
};

struct lg_pool {
	const struct lg_target *target;
	struct conn *c;
	unsigned n;
	unsigned alive;
};

enum mode { M_PROBE, M_RUN, M_CHURN };

/* What the event handlers need to know about the phase in progress. */
struct ctx {
	enum mode mode;
	const char *req;
	size_t reqlen;
	unsigned depth;
	uint64_t deadline;		/* end of the counting window */
	uint64_t max_done;		/* or this many replies, if sooner */
	int sending;			/* still issuing new requests */
	uint64_t inflight;		/* over all connections */
	unsigned unproven;		/* probe: connects not answered yet */
	unsigned proven;
	struct lg_pool *pool;
	struct lg_result *res;
};

static int epfd = -1;
static char rbuf[LINE_MAX_BYTES + READ_CHUNK];

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
ep(void)
{
	if (epfd < 0)
		epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd;
}

static void
conn_events(struct conn *c, int op, int out)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (out ? EPOLLOUT : 0);
	ev.data.ptr = c;
	c->want_out = out;
	(void)epoll_ctl(ep(), op, c->fd, &ev);
}

static void
conn_kill(struct conn *c)
{
	if (c->state == C_DEAD)
		return;
	close(c->fd);	/* also drops it from the epoll set */
	c->fd = -1;
	c->state = C_DEAD;
	c->inflight = c->head = 0;
	c->in_list = 0;
	c->carrylen = c->outlen = 0;
	if (c->owner->alive > 0)
		c->owner->alive--;
}

/* Binds fd to the next of n loopback sources, port left to connect(). */
static void
bind_source(int fd, unsigned n)
{
	static unsigned next;
	struct sockaddr_in sin;
	int one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000002u + next++ % n);
#ifdef IP_BIND_ADDRESS_NO_PORT
	(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
	    sizeof(one));
#endif
	(void)bind(fd, (struct sockaddr *)&sin, sizeof(sin));
}

/* Starts a non-blocking connect. Returns 0, or -1 with errno. */
static int
conn_start(struct conn *c, struct lg_pool *p, int churn)
{
	const struct lg_target *t = p->target;
	int one = 1, fd;

	fd = socket(t->addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (churn && t->churn_sources > 0 && t->addr.ss_family == AF_INET)
		bind_source(fd, t->churn_sources);
	if (connect(fd, (const struct sockaddr *)&p->target->addr,
	    p->target->addrlen) < 0 && errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->owner = p;
	c->state = C_CONNECTING;
	c->t0 = now_ns();
	p->alive++;
	conn_events(c, EPOLL_CTL_ADD, 1);
	return 0;
}

/* Queues or writes bytes. Returns 0, or -1 if the connection is lost. */
static int
conn_send(struct conn *c, const char *data, size_t len)
{
	ssize_t w;

	if (c->outlen == 0) {
		w = send(c->fd, data, len, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return -1;
		if (w > 0) {
			data += w;
			len -= (size_t)w;
		}
	}
	if (len == 0)
		return 0;
	if (len > sizeof(c->out) - c->outlen)
		return -1;	/* the server stopped reading: give up on it */
	memcpy(c->out + c->outlen, data, len);
	c->outlen += len;
	if (!c->want_out)
		conn_events(c, EPOLL_CTL_MOD, 1);
	return 0;
}

static int
conn_flush(struct conn *c)
{
	ssize_t w;

	if (c->outlen > 0) {
		w = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
		if (w < 0)
			return (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR) ? 0 : -1;
		memmove(c->out, c->out + w, c->outlen - (size_t)w);
		c->outlen -= (size_t)w;
	}
	if (c->outlen == 0 && c->want_out)
		conn_events(c, EPOLL_CTL_MOD, 0);
	return 0;
}

/* Sends k copies of the request in one write and stamps each. */
static int
conn_issue(struct conn *c, struct ctx *x, unsigned k)
{
	char batch[LG_MAX_DEPTH * 256];
	uint64_t t = now_ns();
	unsigned i;

	if (k == 0)
		return 0;
	if (k > LG_MAX_DEPTH - c->inflight || x->reqlen * k > sizeof(batch))
		return -1;
	for (i = 0; i < k; i++) {
		memcpy(batch + i * x->reqlen, x->req, x->reqlen);
		c->sent[(c->head + c->inflight + i) % LG_MAX_DEPTH] = t;
	}
	c->inflight += k;
	x->inflight += k;
	return conn_send(c, batch, x->reqlen * k);
}

/*
 * Feeds one reply line. Returns 1 when it completes a reply; sets *err
 * for an ERR reply.
 */
static int
conn_line(struct conn *c, const char *l, size_t n, int *err)
{
	*err = 0;
	if (c->in_list) {
		if (n >= 8 && memcmp(l, "END LIST", 8) == 0) {
			c->in_list = 0;
			return 1;
		}
		c->list_lines++;
		return 0;
	}
	if (n >= 10 && memcmp(l, "BEGIN LIST", 10) == 0) {
		c->in_list = 1;
		c->list_lines = 0;
		return 0;
	}
	*err = n >= 3 && memcmp(l, "ERR", 3) == 0;
	return 1;
}

/* One reply finished on c: account for it as the phase requires. */
static void
conn_reply(struct conn *c, struct ctx *x, uint64_t t, int err)
{
	uint64_t sent;

	if (x->mode == M_CHURN)
		sent = c->t0;
	else
		sent = c->sent[c->head];
	if (c->inflight > 0) {
		c->head = (c->head + 1) % LG_MAX_DEPTH;
		c->inflight--;
		x->inflight--;
	}
	switch (x->mode) {
	case M_PROBE:
		if (c->state == C_PROBING) {
			/* An ERR (say, "too many connections") is no accept. */
			c->state = err ? C_REFUSED : C_READY;
			x->unproven--;
			x->proven += !err;
		}
		return;
	case M_RUN:
	case M_CHURN:
		hist_add(&x->res->lat, t - sent);
		if (t <= x->deadline && ++x->res->done >= x->max_done) {
			/* Count reached: the window closes here. */
			x->sending = 0;
			x->deadline = t;
		}
		if (err)
			x->res->errors++;
		x->res->last_lines = c->list_lines;
		return;
	}
}

/*
 * Reads what is there and handles every complete line. Returns the
 * number of replies completed, or -1 when the connection is lost.
 */
static int
conn_input(struct conn *c, struct ctx *x)
{
	size_t have, start, i;
	ssize_t r;
	int replies = 0, err;
	uint64_t t;

	memcpy(rbuf, c->carry, c->carrylen);
	r = recv(c->fd, rbuf + c->carrylen, READ_CHUNK, 0);
	if (r == 0)
		return -1;
	if (r < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR) ? 0 : -1;
	t = now_ns();
	have = c->carrylen + (size_t)r;
	start = 0;
	for (i = c->carrylen; i < have; i++) {
		if (rbuf[i] != '\n')
			continue;
		if (conn_line(c, rbuf + start, i - start, &err)) {
			if (c->inflight == 0 && x->mode != M_CHURN)
				return -1;	/* a reply nobody asked for */
			conn_reply(c, x, t, err);
			replies++;
		}
		start = i + 1;
	}
	if (have - start > sizeof(c->carry))
		return -1;	/* a line longer than any legal reply */
	memmove(c->carry, rbuf + start, have - start);
	c->carrylen = have - start;
	return replies;
}

/* The connect on c finished (writable): check it and send the first request. */
static int
conn_connected(struct conn *c, struct ctx *x)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 ||
	    soerr != 0)
		return -1;
	c->state = x->mode == M_PROBE ? C_PROBING : C_READY;
	conn_events(c, EPOLL_CTL_MOD, 0);
	if (x->mode == M_CHURN) {
		/* The latency clock started at connect (c->t0), not now. */
		c->inflight = 1;
		x->inflight++;
		return conn_send(c, x->req, x->reqlen);
	}
	return conn_issue(c, x, 1);
}

static void
lost(struct conn *c, struct ctx *x)
{
	x->inflight -= c->inflight;
	if (c->state == C_PROBING || c->state == C_CONNECTING) {
		if (x->mode == M_PROBE)
			x->unproven--;
	}
	if (x->res != NULL && c->owner == x->pool)
		x->res->dropped++;
	conn_kill(c);
}

static void churn_next(struct conn *c, struct ctx *x);

/* c failed: a churn slot counts an error and starts over; others are lost. */
static void
fail(struct conn *c, struct ctx *x)
{
	if (x->mode != M_CHURN) {
		lost(c, x);
		return;
	}
	x->res->errors++;
	x->inflight -= c->inflight;
	conn_kill(c);
	churn_next(c, x);
}

static void
handle(struct conn *c, uint32_t events, struct ctx *x)
{
	int n;

	if (c->state == C_DEAD)
		return;
	if (c->owner != x->pool) {
		/* An idle connection: anything readable means it went away. */
		if (conn_input(c, x) < 0) {
			if (x->res != NULL)
				x->res->dropped++;
			conn_kill(c);
		}
		return;
	}
	if (c->state == C_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (conn_connected(c, x) < 0)
			fail(c, x);
		return;
	}
	if ((events & EPOLLOUT) && conn_flush(c) < 0) {
		fail(c, x);
		return;
	}
	if (!(events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		return;
	if ((n = conn_input(c, x)) < 0) {
		fail(c, x);
		return;
	}
	if (x->mode == M_CHURN) {
		if (n > 0) {
			conn_kill(c);
			churn_next(c, x);
		}
		return;
	}
	if (x->mode == M_RUN && x->sending && n > 0 &&
	    conn_issue(c, x, (unsigned)n) < 0)
		lost(c, x);
}

/* One epoll round of at most wait_ms. */
static void
poll_once(struct ctx *x, int wait_ms)
{
	static struct epoll_event evs[EV_BATCH];
	int n, i;

	if (wait_ms < 0)
		wait_ms = 0;
	if (wait_ms > TICK_MS)
		wait_ms = TICK_MS;
	n = epoll_wait(ep(), evs, EV_BATCH, wait_ms);
	for (i = 0; i < n; i++)
		handle(evs[i].data.ptr, evs[i].events, x);
}

static int
ms_until(uint64_t t)
{
	uint64_t now = now_ns();

	return t > now ? (int)((t - now) / 1000000u) + 1 : 0;
}

struct lg_pool *
lg_pool_open(const struct lg_target *t, unsigned n, unsigned window,
    const char *probe, unsigned timeout_ms, unsigned *accepted)
{
	struct lg_pool *p;
	struct ctx x;
	uint64_t end, last;
	unsigned next = 0, i, last_proven = 0;

	*accepted = 0;
	if (ep() < 0 || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->c = calloc(n ? n : 1, sizeof(*p->c))) == NULL) {
		free(p);
		return NULL;
	}
	p->target = t;
	p->n = n;
	for (i = 0; i < n; i++) {
		p->c[i].fd = -1;
		p->c[i].owner = p;
	}
	memset(&x, 0, sizeof(x));
	x.mode = M_PROBE;
	x.req = probe;
	x.reqlen = strlen(probe);
	x.pool = p;
	last = now_ns();
	end = last + (uint64_t)timeout_ms * 1000000u;
	while ((next < n || x.unproven > 0) && now_ns() < end) {
		/* A server that stopped accepting will not start again soon. */
		if (x.proven != last_proven) {
			last_proven = x.proven;
			last = now_ns();
		} else if (now_ns() - last > (uint64_t)STALL_MS * 1000000u)
			break;
		while (next < n && x.unproven < window) {
			if (conn_start(&p->c[next], p, 0) < 0) {
				/* Out of fds or ports: no more will connect. */
				if (errno == EMFILE || errno == ENFILE ||
				    errno == EADDRNOTAVAIL || errno == ENOBUFS)
					next = n;
				else
					next++;
				continue;
			}
			next++;
			x.unproven++;
		}
		poll_once(&x, ms_until(end));
	}
	/* Whatever is still unproven at the deadline does not count. */
	for (i = 0; i < n; i++) {
		if (p->c[i].state != C_READY)
			conn_kill(&p->c[i]);
	}
	*accepted = x.proven;
	return p;
}

unsigned
lg_pool_alive(const struct lg_pool *p)
{
	return p != NULL ? p->alive : 0;
}

void
lg_pool_close(struct lg_pool *p)
{
	unsigned i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		conn_kill(&p->c[i]);
	free(p->c);
	free(p);
}

void
lg_run(struct lg_pool *pool, struct lg_pool *idle, const char *req,
    unsigned depth, const struct lg_limits *lim, struct lg_result *res)
{
	struct ctx x;
	uint64_t start, end;
	unsigned i;

	(void)idle;	/* its connections stay in the epoll set and are seen */
	memset(res, 0, sizeof(*res));
	memset(&x, 0, sizeof(x));
	x.mode = M_RUN;
	x.req = req;
	x.reqlen = strlen(req);
	x.depth = depth;
	x.pool = pool;
	x.res = res;
	x.sending = 1;
	start = now_ns();
	x.deadline = start + (uint64_t)lim->duration_ms * 1000000u;
	x.max_done = lim->max_done;
	end = x.deadline + (uint64_t)lim->grace_ms * 1000000u;
	for (i = 0; i < pool->n; i++) {
		struct conn *c = &pool->c[i];

		if (c->state == C_READY && conn_issue(c, &x, depth) < 0)
			lost(c, &x);
	}
	while (now_ns() < end) {
		if (x.sending && now_ns() >= x.deadline)
			x.sending = 0;
		if (!x.sending && x.inflight == 0)
			break;
		poll_once(&x, ms_until(x.sending ? x.deadline : end));
	}
	res->window_ns = x.deadline - start;
	/* Replies still owed after the grace period: those conns are spent. */
	for (i = 0; i < pool->n; i++) {
		if (pool->c[i].inflight > 0)
			conn_kill(&pool->c[i]);
	}
}

/* Restarts a churn slot with a fresh connection while the phase lasts. */
static void
churn_next(struct conn *c, struct ctx *x)
{
	struct lg_pool *p = x->pool;

	while (x->sending && now_ns() < x->deadline) {
		if (conn_start(c, p, 1) == 0)
			return;
		x->res->errors++;
		if (errno == EMFILE || errno == ENFILE ||
		    errno == EADDRNOTAVAIL)
			return;	/* no resources left: let the slot rest */
	}
}

void
lg_churn(const struct lg_target *t, const char *req, unsigned parallel,
    const struct lg_limits *lim, struct lg_result *res)
{
	struct lg_pool pool;
	struct ctx x;
	uint64_t start, end;
	unsigned i;

	memset(res, 0, sizeof(*res));
	memset(&pool, 0, sizeof(pool));
	if (ep() < 0 || (pool.c = calloc(parallel, sizeof(*pool.c))) == NULL)
		return;
	pool.target = t;
	pool.n = parallel;
	for (i = 0; i < parallel; i++) {
		pool.c[i].fd = -1;
		pool.c[i].owner = &pool;
	}
	memset(&x, 0, sizeof(x));
	x.mode = M_CHURN;
	x.req = req;
	x.reqlen = strlen(req);
	x.pool = &pool;
	x.res = res;
	x.sending = 1;
	start = now_ns();
	x.deadline = start + (uint64_t)lim->duration_ms * 1000000u;
	x.max_done = lim->max_done;
	end = x.deadline + (uint64_t)lim->grace_ms * 1000000u;
	for (i = 0; i < parallel; i++)
		churn_next(&pool.c[i], &x);
	while (now_ns() < end && pool.alive > 0) {
		if (x.sending && now_ns() >= x.deadline)
			x.sending = 0;
		poll_once(&x, ms_until(x.sending ? x.deadline : end));
	}
	res->window_ns = x.deadline - start;
	for (i = 0; i < parallel; i++)
		conn_kill(&pool.c[i]);
	free(pool.c);
}
