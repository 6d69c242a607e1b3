/*
 * nutsec - ev.c: the event loop on epoll. Watched fds live in a table
 * indexed by fd; each slot carries a generation number that is part of the
 * epoll cookie, so an event queued for an fd that a callback deleted (and
 * perhaps re-added) in the same batch is recognised as stale and dropped.
 * Timers are a binary min-heap keyed by (monotonic ms, sequence); a timer
 * id names a slot in a slab plus that slot's generation, so cancelling is
 * O(1) and the heap entry is skipped lazily when it surfaces (the heap is
 * rebuilt when dead entries outnumber live ones). Signals go through a
 * self-pipe: the handler sets a flag and writes one byte, and the loop runs
 * the callbacks. An fd that is hung up or in error is reported with
 * EV_ERROR plus the directions it watches, so a reader sees the EOF.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "xmalloc.h"

#define EV_BATCH 256		/* epoll events taken per wait */
#define EV_MAX_WAIT_MS 60000	/* sleep at most this long without timers */

/* 24 bytes: 10,000 clients cost about 400 KB of table with the doubling. */
struct ev_fdslot {
	ev_fd_cb cb;
	void *arg;
	uint32_t gen;		/* bumped on every add and delete */
	unsigned char events;	/* EV_READ|EV_WRITE wanted */
	unsigned char active;	/* the caller watches this fd */
	unsigned char in_epoll;	/* registered with the kernel */
};

struct ev_timer {
	ev_cb cb;		/* NULL: free or cancelled */
	void *arg;
	uint32_t gen;
	uint32_t next_free;	/* free list link (index + 1, 0 = end) */
};

struct ev_heapent {
	uint64_t when;
	uint64_t seq;
	uint32_t slot;
	uint32_t gen;
};

struct ev_sig {
	ev_cb cb;
	void *arg;
	struct sigaction old;
	int installed;
};

static struct {
	int epfd;
	int sigpipe[2];
	int stop;
	int running;
	uint64_t now;

	struct ev_fdslot *fds;
	size_t nfds;

	struct ev_timer *timers;
	uint32_t ntimers, timercap;
	uint32_t free_head;	/* index + 1 of the first free timer slot */
	struct ev_heapent *heap;
	size_t heaplen, heapcap;
	size_t live_timers;
	uint64_t seq;

	struct ev_sig sigs[NSIG];
	ev_cb before_cb;
	void *before_arg;
} loop = { .epfd = -1, .sigpipe = { -1, -1 } };

static volatile sig_atomic_t sig_pending[NSIG];
static int sig_wfd = -1;

uint64_t
ev_clock(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		abort();	/* cannot happen with CLOCK_MONOTONIC */
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
ev_now(void)
{
	if (loop.now == 0)
		loop.now = ev_clock();
	return loop.now;
}

/* ---------------------------------------------------------------- fds */

static uint64_t
ev_cookie(int fd, uint32_t gen)
{
	return ((uint64_t)gen << 32) | (uint32_t)fd;
}

static int
ev_fd_grow(int fd)
{
	size_t n;

	if ((size_t)fd < loop.nfds)
		return 0;
	n = loop.nfds ? loop.nfds : 64;
	while (n <= (size_t)fd)
		n *= 2;
	loop.fds = xreallocarray(loop.fds, n, sizeof(*loop.fds));
	memset(loop.fds + loop.nfds, 0, (n - loop.nfds) * sizeof(*loop.fds));
	loop.nfds = n;
	return 0;
}

static uint32_t
ev_epoll_mask(unsigned events)
{
	uint32_t m = 0;

	if (events & EV_READ)
		m |= EPOLLIN;
	if (events & EV_WRITE)
		m |= EPOLLOUT;
	return m;
}

/* Brings the kernel's view of fd in line with its slot. */
static int
ev_fd_sync(int fd)
{
	struct ev_fdslot *s = &loop.fds[fd];
	struct epoll_event ee;

	memset(&ee, 0, sizeof(ee));
	if (s->events == 0) {
		/* Nothing wanted: leave epoll so hang-ups cannot spin the loop. */
		if (s->in_epoll)
			(void)epoll_ctl(loop.epfd, EPOLL_CTL_DEL, fd, &ee);
		s->in_epoll = 0;
		return 0;
	}
	ee.events = ev_epoll_mask(s->events);
	ee.data.u64 = ev_cookie(fd, s->gen);
	if (s->in_epoll) {
		if (epoll_ctl(loop.epfd, EPOLL_CTL_MOD, fd, &ee) == 0)
			return 0;
		if (errno != ENOENT)
			return -1;
		/* The fd was closed and reopened behind our back. */
	}
	if (epoll_ctl(loop.epfd, EPOLL_CTL_ADD, fd, &ee) != 0) {
		if (errno != EEXIST ||
		    epoll_ctl(loop.epfd, EPOLL_CTL_MOD, fd, &ee) != 0)
			return -1;
	}
	s->in_epoll = 1;
	return 0;
}

int
ev_fd_add(int fd, unsigned events, ev_fd_cb cb, void *arg)
{
	struct ev_fdslot *s;

	if (loop.epfd < 0 || fd < 0 || cb == NULL ||
	    (events & ~(unsigned)(EV_READ | EV_WRITE)) != 0) {
		errno = EINVAL;
		return -1;
	}
	ev_fd_grow(fd);
	s = &loop.fds[fd];
	s->cb = cb;
	s->arg = arg;
	s->events = (unsigned char)events;
	s->gen++;
	s->active = 1;
	if (ev_fd_sync(fd) != 0) {
		int e = errno;
		/* On failure the fd is not watched at all, whatever it was before. */
		ev_fd_del(fd);
		errno = e;
		return -1;
	}
	return 0;
}

int
ev_fd_set(int fd, unsigned events)
{
	struct ev_fdslot *s;

	if (fd < 0 || (size_t)fd >= loop.nfds || !loop.fds[fd].active ||
	    (events & ~(unsigned)(EV_READ | EV_WRITE)) != 0) {
		errno = EINVAL;
		return -1;
	}
	s = &loop.fds[fd];
	if (s->events == events && (events == 0) == !s->in_epoll)
		return 0;
	s->events = (unsigned char)events;
	return ev_fd_sync(fd);
}

void
ev_fd_del(int fd)
{
	struct ev_fdslot *s;
	struct epoll_event ee;

	if (fd < 0 || (size_t)fd >= loop.nfds || !loop.fds[fd].active)
		return;
	s = &loop.fds[fd];
	if (s->in_epoll) {
		memset(&ee, 0, sizeof(ee));
		(void)epoll_ctl(loop.epfd, EPOLL_CTL_DEL, fd, &ee);
	}
	s->in_epoll = 0;
	s->active = 0;
	s->events = 0;
	s->cb = NULL;
	s->arg = NULL;
	s->gen++;
}

int
ev_fd_active(int fd)
{
	return fd >= 0 && (size_t)fd < loop.nfds && loop.fds[fd].active;
}

/* ------------------------------------------------------------- timers */

static int
ev_heap_less(const struct ev_heapent *a, const struct ev_heapent *b)
{
	if (a->when != b->when)
		return a->when < b->when;
	return a->seq < b->seq;
}

static void
ev_heap_up(size_t i)
{
	struct ev_heapent e = loop.heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!ev_heap_less(&e, &loop.heap[p]))
			break;
		loop.heap[i] = loop.heap[p];
		i = p;
	}
	loop.heap[i] = e;
}

static void
ev_heap_down(size_t i)
{
	struct ev_heapent e = loop.heap[i];
	size_t n = loop.heaplen;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && ev_heap_less(&loop.heap[c + 1], &loop.heap[c]))
			c++;
		if (!ev_heap_less(&loop.heap[c], &e))
			break;
		loop.heap[i] = loop.heap[c];
		i = c;
	}
	loop.heap[i] = e;
}

static void
ev_heap_pop(void)
{
	loop.heaplen--;
	if (loop.heaplen > 0) {
		loop.heap[0] = loop.heap[loop.heaplen];
		ev_heap_down(0);
	}
}

static int
ev_heapent_live(const struct ev_heapent *e)
{
	const struct ev_timer *t = &loop.timers[e->slot];

	return t->cb != NULL && t->gen == e->gen;
}

/* Drops cancelled entries and re-heapifies, when they dominate the heap. */
static void
ev_heap_compact(void)
{
	size_t i, j;

	if (loop.heaplen < 64 || loop.heaplen - loop.live_timers <= loop.live_timers)
		return;
	for (i = j = 0; i < loop.heaplen; i++)
		if (ev_heapent_live(&loop.heap[i]))
			loop.heap[j++] = loop.heap[i];
	loop.heaplen = j;
	for (i = loop.heaplen / 2; i-- > 0;)
		ev_heap_down(i);
}

/* Removes cancelled entries from the top; returns the live top or NULL. */
static struct ev_heapent *
ev_heap_top(void)
{
	while (loop.heaplen > 0 && !ev_heapent_live(&loop.heap[0]))
		ev_heap_pop();
	return loop.heaplen > 0 ? &loop.heap[0] : NULL;
}

static void
ev_timer_free_slot(uint32_t slot)
{
	struct ev_timer *t = &loop.timers[slot];

	t->cb = NULL;
	t->arg = NULL;
	t->gen++;
	t->next_free = loop.free_head;
	loop.free_head = slot + 1;
	loop.live_timers--;
}

ev_timer_id
ev_timer_add(uint64_t ms, ev_cb cb, void *arg)
{
	uint32_t slot;
	struct ev_timer *t;
	struct ev_heapent *e;

	if (cb == NULL)
		return 0;
	if (loop.free_head != 0) {
		slot = loop.free_head - 1;
		loop.free_head = loop.timers[slot].next_free;
	} else {
		if (loop.ntimers >= UINT32_MAX / 4)
			return 0;
		if (loop.ntimers == loop.timercap) {
			loop.timercap = loop.timercap ? loop.timercap * 2 : 64;
			loop.timers = xreallocarray(loop.timers, loop.timercap,
			    sizeof(*loop.timers));
		}
		slot = loop.ntimers++;
		memset(&loop.timers[slot], 0, sizeof(loop.timers[slot]));
	}
	t = &loop.timers[slot];
	t->cb = cb;
	t->arg = arg;
	t->next_free = 0;
	/* gen 0 would make the id of slot 0 zero, which is never valid. */
	if (t->gen == 0)
		t->gen = 1;
	loop.live_timers++;

	if (loop.heaplen == loop.heapcap) {
		loop.heapcap = loop.heapcap ? loop.heapcap * 2 : 64;
		loop.heap = xreallocarray(loop.heap, loop.heapcap, sizeof(*loop.heap));
	}
	e = &loop.heap[loop.heaplen];
	/* Outside ev_run the cached time may be old: read the clock. */
	e->when = (loop.running ? ev_now() : ev_clock()) + (ms > UINT64_MAX / 2 ? UINT64_MAX / 2 : ms);
	e->seq = ++loop.seq;
	e->slot = slot;
	e->gen = t->gen;
	ev_heap_up(loop.heaplen++);
	return ((uint64_t)t->gen << 32) | slot;
}

void
ev_timer_del(ev_timer_id id)
{
	uint32_t slot = (uint32_t)id, gen = (uint32_t)(id >> 32);

	if (id == 0 || slot >= loop.ntimers)
		return;
	if (loop.timers[slot].cb == NULL || loop.timers[slot].gen != gen)
		return;
	ev_timer_free_slot(slot);
	ev_heap_compact();
}

/* Fires every timer due now that existed when the pass began. */
static void
ev_run_timers(void)
{
	uint64_t last = loop.seq;
	struct ev_heapent *e;

	while (!loop.stop && (e = ev_heap_top()) != NULL && e->when <= loop.now &&
	    e->seq <= last) {
		uint32_t slot = e->slot;
		ev_cb cb = loop.timers[slot].cb;
		void *arg = loop.timers[slot].arg;

		ev_heap_pop();
		ev_timer_free_slot(slot);
		cb(arg);
	}
}

/* ------------------------------------------------------------ signals */

static void
ev_sig_handler(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (sig > 0 && sig < NSIG)
		sig_pending[sig] = 1;
	if (sig_wfd >= 0)
		(void)!write(sig_wfd, &c, 1);
	errno = saved;
}

static void
ev_sig_read(int fd, unsigned events, void *arg)
{
	unsigned char drain[64];
	int sig;

	while (read(fd, drain, sizeof(drain)) > 0)
		;
	for (sig = 1; sig < NSIG; sig++) {
		if (!sig_pending[sig])
			continue;
		sig_pending[sig] = 0;
		if (loop.sigs[sig].cb != NULL)
			loop.sigs[sig].cb(loop.sigs[sig].arg);
	}
}

int
ev_signal(int sig, ev_cb cb, void *arg)
{
	struct sigaction sa;
	struct ev_sig *s;

	if (loop.epfd < 0 || sig <= 0 || sig >= NSIG || cb == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (loop.sigpipe[0] < 0) {
		if (pipe2(loop.sigpipe, O_NONBLOCK | O_CLOEXEC) != 0)
			return -1;
		if (ev_fd_add(loop.sigpipe[0], EV_READ, ev_sig_read, NULL) != 0) {
			int e = errno;
			close(loop.sigpipe[0]);
			close(loop.sigpipe[1]);
			loop.sigpipe[0] = loop.sigpipe[1] = -1;
			errno = e;
			return -1;
		}
		sig_wfd = loop.sigpipe[1];
	}
	s = &loop.sigs[sig];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ev_sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(sig, &sa, s->installed ? NULL : &s->old) != 0)
		return -1;
	s->installed = 1;
	s->cb = cb;
	s->arg = arg;
	return 0;
}

void
ev_before_sleep(ev_cb cb, void *arg)
{
	loop.before_cb = cb;
	loop.before_arg = arg;
}

/* --------------------------------------------------------------- loop */

int
ev_init(void)
{
	if (loop.epfd >= 0)
		return 0;
	loop.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop.epfd < 0)
		return -1;
	loop.stop = 0;
	loop.now = ev_clock();
	return 0;
}

static int keep_signals;

void
ev_keep_signals(void)
{
	keep_signals = 1;
}

void
ev_fini(void)
{
	int sig;

	for (sig = 1; sig < NSIG && !keep_signals; sig++) {
		if (loop.sigs[sig].installed)
			(void)sigaction(sig, &loop.sigs[sig].old, NULL);
	}
	memset(loop.sigs, 0, sizeof(loop.sigs));
	sig_wfd = -1;
	for (sig = 1; sig < NSIG; sig++)
		sig_pending[sig] = 0;
	if (loop.sigpipe[0] >= 0) {
		close(loop.sigpipe[0]);
		close(loop.sigpipe[1]);
	}
	if (loop.epfd >= 0)
		close(loop.epfd);
	free(loop.fds);
	free(loop.timers);
	free(loop.heap);
	memset(&loop, 0, sizeof(loop));
	loop.epfd = -1;
	loop.sigpipe[0] = loop.sigpipe[1] = -1;
}

void
ev_stop(void)
{
	loop.stop = 1;
}

static int
ev_timeout(void)
{
	struct ev_heapent *e = ev_heap_top();
	uint64_t now;

	if (e == NULL)
		return EV_MAX_WAIT_MS;
	now = ev_clock();
	if (e->when <= now)
		return 0;
	if (e->when - now > EV_MAX_WAIT_MS)
		return EV_MAX_WAIT_MS;
	return (int)(e->when - now);
}

static void
ev_dispatch(const struct epoll_event *ee)
{
	int fd = (int)(uint32_t)ee->data.u64;
	uint32_t gen = (uint32_t)(ee->data.u64 >> 32);
	struct ev_fdslot *s;
	unsigned ev = 0;

	if (fd < 0 || (size_t)fd >= loop.nfds)
		return;
	s = &loop.fds[fd];
	if (!s->active || s->gen != gen || s->cb == NULL)
		return;	/* deleted (or replaced) earlier in this batch */
	if (ee->events & EPOLLIN)
		ev |= EV_READ;
	if (ee->events & EPOLLOUT)
		ev |= EV_WRITE;
	if (ee->events & (EPOLLERR | EPOLLHUP))
		ev |= EV_ERROR | (s->events & (EV_READ | EV_WRITE));
	ev &= s->events | EV_ERROR;
	if (ev == 0)
		return;	/* interest changed earlier in this batch */
	s->cb(fd, ev, s->arg);
}

int
ev_run(void)
{
	struct epoll_event evs[EV_BATCH];
	int i, n;

	if (loop.epfd < 0) {
		errno = EINVAL;
		return -1;
	}
	loop.stop = 0;
	loop.running = 1;
	loop.now = ev_clock();
	while (!loop.stop) {
		if (loop.before_cb != NULL)
			loop.before_cb(loop.before_arg);
		if (loop.stop)
			break;
		n = epoll_wait(loop.epfd, evs, EV_BATCH, ev_timeout());
		loop.now = ev_clock();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			loop.running = 0;
			return -1;
		}
		for (i = 0; i < n && !loop.stop; i++)
			ev_dispatch(&evs[i]);
		ev_run_timers();
	}
	loop.running = 0;
	return 0;
}
