/*
 * nutsec - test_ev.c: unit tests of the event loop: fd readiness on pipes,
 * hang-up reporting, changing interest, timers firing in order with
 * cancellation (many of them, against a reference), callbacks that delete
 * other fds and timers in the same batch (including an fd number reused
 * at once), signal delivery through the self-pipe, and the before-sleep
 * hook. alarm() guards every test against a hang.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "test.h"

static char trace[256];
static size_t trace_len;

static void
trace_add(char c)
{
	if (trace_len + 1 < sizeof(trace)) {
		trace[trace_len++] = c;
		trace[trace_len] = '\0';
	}
}

static void
trace_reset(void)
{
	trace_len = 0;
	trace[0] = '\0';
}

static void
stop_cb(void *arg)
{
	ev_stop();
}

/* ------------------------------------------------------------ fd tests */

static unsigned last_events;
static int reads;

static void
read_cb(int fd, unsigned events, void *arg)
{
	char c;

	last_events = events;
	reads++;
	if (read(fd, &c, 1) == 1)
		trace_add(c);
	else
		ev_fd_del(fd);
	if (arg != NULL)
		ev_stop();
}

static void
test_fd_events(void)
{
	int p[2];

	TEST_CASE("fd: readable pipe calls back with EV_READ");
	if (!CHECK(pipe(p) == 0))
		return;
	trace_reset();
	reads = 0;
	CHECK_INT(ev_fd_add(p[0], EV_READ, read_cb, &reads), 0);
	CHECK_INT(write(p[1], "a", 1), 1);
	CHECK_INT(ev_run(), 0);
	CHECK_STR(trace, "a");
	CHECK_INT(last_events, EV_READ);

	TEST_CASE("fd: interest 0 silences, restoring it delivers");
	CHECK_INT(ev_fd_set(p[0], 0), 0);
	CHECK_INT(write(p[1], "b", 1), 1);
	reads = 0;
	ev_timer_add(30, stop_cb, NULL);
	CHECK_INT(ev_run(), 0);
	CHECK_INT(reads, 0);
	CHECK_INT(ev_fd_set(p[0], EV_READ), 0);
	CHECK_INT(ev_run(), 0);
	CHECK_STR(trace, "ab");

	TEST_CASE("fd: hang-up is EV_ERROR plus the watched direction");
	close(p[1]);
	reads = 0;
	CHECK_INT(ev_run(), 0);
	CHECK_INT(reads, 1);
	CHECK(last_events & EV_ERROR);
	CHECK(last_events & EV_READ);
	ev_fd_del(p[0]);
	close(p[0]);

	TEST_CASE("fd: bad arguments are refused");
	CHECK_INT(ev_fd_add(-1, EV_READ, read_cb, NULL), -1);
	CHECK_INT(ev_fd_add(0, EV_READ, NULL, NULL), -1);
	CHECK_INT(ev_fd_add(0, 0x100, read_cb, NULL), -1);
	CHECK_INT(ev_fd_set(999, EV_READ), -1);
	ev_fd_del(999);		/* unknown: ignored */
	ev_fd_del(-5);
}

static void
write_cb(int fd, unsigned events, void *arg)
{
	int *n = arg;

	if (events & EV_WRITE)
		(*n)++;
	ev_fd_set(fd, 0);
	ev_stop();
}

static void
test_fd_write(void)
{
	int p[2], n = 0;

	TEST_CASE("fd: writable pipe calls back with EV_WRITE");
	if (!CHECK(pipe(p) == 0))
		return;
	CHECK_INT(ev_fd_add(p[1], EV_WRITE, write_cb, &n), 0);
	CHECK_INT(ev_run(), 0);
	CHECK_INT(n, 1);
	ev_fd_del(p[1]);
	close(p[0]);
	close(p[1]);
}

static void
other_cb(int fd, unsigned events, void *arg)
{
	char c;

	(void)!read(fd, &c, 1);
	trace_add('O');
	ev_stop();
}

static void
test_fd_replace(void)
{
	int p[2], q[2], fd;
	FILE *f;

	TEST_CASE("fd: adding an active fd again replaces its callback");
	if (!CHECK(pipe(p) == 0))
		return;
	trace_reset();
	CHECK_INT(ev_fd_add(p[0], EV_READ, read_cb, &reads), 0);
	CHECK_INT(ev_fd_add(p[0], EV_READ, other_cb, NULL), 0);
	CHECK_INT(write(p[1], "a", 1), 1);
	CHECK_INT(ev_run(), 0);
	CHECK_STR(trace, "O");

	TEST_CASE("fd: closed without ev_fd_del, reused, added again");
	fd = p[0];
	close(p[0]);
	close(p[1]);
	if (!CHECK(pipe(q) == 0))
		return;
	CHECK_INT(q[0], fd);
	trace_reset();
	CHECK_INT(ev_fd_add(q[0], EV_READ, other_cb, NULL), 0);
	CHECK_INT(write(q[1], "b", 1), 1);
	CHECK_INT(ev_run(), 0);
	CHECK_STR(trace, "O");
	ev_fd_del(q[0]);
	close(q[0]);
	close(q[1]);

	TEST_CASE("fd: a regular file cannot be watched and is left unwatched");
	f = tmpfile();
	if (!CHECK(f != NULL))
		return;
	CHECK_INT(ev_fd_add(fileno(f), EV_READ, other_cb, NULL), -1);
	CHECK_INT(ev_fd_set(fileno(f), EV_READ), -1);	/* not watched */
	fclose(f);
}

/* Two pipes ready in one batch: whichever runs first kills the other. */
static int pa[2], pb[2], pc[2];
static int fired_a, fired_b, fired_c;

static void
c_cb(int fd, unsigned events, void *arg)
{
	char c;

	fired_c++;
	if (read(fd, &c, 1) != 1)
		fired_c += 100;	/* a stale event would find no data */
	ev_stop();
}

static void
kill_other(int self, int other_r, int other_w)
{
	char c;

	(void)read(self, &c, 1);
	ev_fd_del(other_r);
	close(other_r);
	close(other_w);
	/* pipe() takes the lowest numbers: the closed fd is reused at once. */
	if (pipe(pc) == 0)
		(void)ev_fd_add(pc[0], EV_READ, c_cb, NULL);
	ev_timer_add(20, stop_cb, NULL);
}

static void
a_cb(int fd, unsigned events, void *arg)
{
	fired_a++;
	if (fired_b == 0)
		kill_other(fd, pb[0], pb[1]);
}

static void
b_cb(int fd, unsigned events, void *arg)
{
	fired_b++;
	if (fired_a == 0)
		kill_other(fd, pa[0], pa[1]);
}

static void
test_fd_stale(void)
{
	int reused;

	TEST_CASE("fd: deleted and re-added in one batch gets no stale event");
	if (!CHECK(pipe(pa) == 0 && pipe(pb) == 0))
		return;
	fired_a = fired_b = fired_c = 0;
	CHECK_INT(ev_fd_add(pa[0], EV_READ, a_cb, NULL), 0);
	CHECK_INT(ev_fd_add(pb[0], EV_READ, b_cb, NULL), 0);
	CHECK_INT(write(pa[1], "x", 1), 1);
	CHECK_INT(write(pb[1], "y", 1), 1);
	CHECK_INT(ev_run(), 0);
	CHECK_INT(fired_a + fired_b, 1);
	CHECK_INT(fired_c, 0);
	reused = fired_a ? pb[0] : pa[0];
	CHECK_INT(pc[0], reused);
	CHECK_INT(write(pc[1], "z", 1), 1);
	CHECK_INT(ev_run(), 0);
	CHECK_INT(fired_c, 1);
	ev_fd_del(pc[0]);
	close(pc[0]);
	close(pc[1]);
	if (fired_a) {
		ev_fd_del(pa[0]);
		close(pa[0]);
		close(pa[1]);
	} else {
		ev_fd_del(pb[0]);
		close(pb[0]);
		close(pb[1]);
	}
}

/* --------------------------------------------------------- timer tests */

static void
mark_cb(void *arg)
{
	trace_add(*(const char *)arg);
}

static ev_timer_id victim;

static void
cancel_cb(void *arg)
{
	trace_add('K');
	ev_timer_del(victim);
}

static ev_timer_id self_id;

static void
self_cb(void *arg)
{
	trace_add('S');
	ev_timer_del(self_id);	/* already fired: ignored */
}

static void
test_timers(void)
{
	static const char A = 'A', B = 'B', C = 'C', D = 'D', E = 'E';
	ev_timer_id id;
	uint64_t t0;

	TEST_CASE("timers fire in deadline order, ties in insertion order");
	trace_reset();
	ev_timer_add(30, mark_cb, (void *)&C);
	ev_timer_add(10, mark_cb, (void *)&A);
	ev_timer_add(20, mark_cb, (void *)&B);
	ev_timer_add(10, mark_cb, (void *)&E);
	id = ev_timer_add(15, mark_cb, (void *)&D);
	CHECK(id != 0);
	ev_timer_del(id);
	ev_timer_del(id);	/* twice: ignored */
	ev_timer_del(0);
	ev_timer_del(12345678901ULL);
	ev_timer_add(40, stop_cb, NULL);
	t0 = ev_clock();
	CHECK_INT(ev_run(), 0);
	CHECK_STR(trace, "AEBC");
	CHECK(ev_clock() - t0 >= 40);
	CHECK(ev_now() >= t0 + 40);

	TEST_CASE("a timer callback cancels another and itself");
	trace_reset();
	ev_timer_add(5, cancel_cb, NULL);
	victim = ev_timer_add(10, mark_cb, (void *)&A);
	self_id = ev_timer_add(1, self_cb, NULL);
	ev_timer_add(25, stop_cb, NULL);
	CHECK_INT(ev_run(), 0);
	CHECK_STR(trace, "SK");

	TEST_CASE("timer ids of fired timers are not reused as live ids");
	trace_reset();
	id = ev_timer_add(0, mark_cb, (void *)&A);
	ev_timer_add(5, stop_cb, NULL);
	CHECK_INT(ev_run(), 0);
	victim = ev_timer_add(10, mark_cb, (void *)&B);	/* likely the same slot */
	ev_timer_del(id);				/* stale id: must not cancel B */
	ev_timer_add(20, stop_cb, NULL);
	CHECK_INT(ev_run(), 0);
	CHECK_STR(trace, "AB");
}

/* Many timers with random cancels, against a reference of what is due. */
#define NT 2000
static uint64_t fire_when[NT];
static int fired[NT], cancelled[NT];
static uint64_t due[NT];
static int order_ok;
static uint64_t last_due;
static int nfired;

static void
many_cb(void *arg)
{
	int i = (int)(intptr_t)arg;

	fired[i]++;
	nfired++;
	if (due[i] < last_due)
		order_ok = 0;
	last_due = due[i];
	fire_when[i] = ev_now();
	if (ev_now() < due[i])
		order_ok = 0;
}

/* Runs inside the loop, so every deadline is from the same cached now. */
static void
add_many_cb(void *arg)
{
	static ev_timer_id ids[NT];
	int *want = arg;
	uint32_t rng = 12345;
	uint64_t base = ev_now();
	int i;

	for (i = 0; i < NT; i++) {
		uint64_t ms;
		rng = rng * 1664525u + 1013904223u;
		ms = (rng >> 8) % 60;
		ids[i] = ev_timer_add(ms, many_cb, (void *)(intptr_t)i);
		due[i] = base + ms;
	}
	for (i = 0; i < NT; i++) {
		rng = rng * 1664525u + 1013904223u;
		cancelled[i] = (rng >> 8) % 3 == 0;
		if (cancelled[i])
			ev_timer_del(ids[i]);
		else
			(*want)++;
	}
	ev_timer_add(100, stop_cb, NULL);
}

static void
test_many_timers(void)
{
	int i, ok = 1, want = 0;

	TEST_CASE("2000 timers with cancels: none early, order kept, cancelled silent");
	order_ok = 1;
	last_due = 0;
	nfired = 0;
	ev_timer_add(0, add_many_cb, &want);
	CHECK_INT(ev_run(), 0);
	for (i = 0; i < NT; i++)
		if (fired[i] != (cancelled[i] ? 0 : 1))
			ok = 0;
	CHECK(ok);
	CHECK(order_ok);
	CHECK_INT(nfired, want);
	CHECK(want > NT / 2);
}

/* Cancelling most timers compacts the heap; the survivors still fire in order. */
static void
test_timer_compaction(void)
{
	static ev_timer_id ids[1000];
	int i, ok = 1;

	TEST_CASE("timers: cancelling 90% compacts the heap, survivors fire in order");
	order_ok = 1;
	last_due = 0;
	nfired = 0;
	memset(fired, 0, sizeof(fired));
	for (i = 0; i < 1000; i++) {
		uint64_t ms = (uint64_t)((i * 37) % 50);
		ids[i] = ev_timer_add(ms, many_cb, (void *)(intptr_t)i);
		due[i] = ms;	/* relative: only the order is compared */
	}
	for (i = 0; i < 1000; i++)
		if (i % 10 != 0)
			ev_timer_del(ids[i]);
	ev_timer_add(80, stop_cb, NULL);
	CHECK_INT(ev_run(), 0);
	for (i = 0; i < 1000; i++)
		if (fired[i] != (i % 10 == 0))
			ok = 0;
	CHECK(ok);
	CHECK_INT(nfired, 100);
	CHECK(order_ok);
}

/* A callback that makes the fd table grow while a batch is dispatched. */
static int big_fd = -1, big_hits;

static void
big_cb(int fd, unsigned events, void *arg)
{
	char c;

	big_hits++;
	(void)!read(fd, &c, 1);
	ev_stop();
}

static void
grow_cb(int fd, unsigned events, void *arg)
{
	int *p = arg;
	char c;

	(void)!read(fd, &c, 1);
	big_fd = dup2(p[0], 3000);
	if (big_fd >= 0)
		(void)ev_fd_add(big_fd, EV_READ, big_cb, NULL);
	(void)!write(p[1], "w", 1);
}

static void
test_fd_table_growth(void)
{
	int p[2], q[2];

	TEST_CASE("fd: adding fd 3000 from a callback grows the table safely");
	if (!CHECK(pipe(p) == 0 && pipe(q) == 0))
		return;
	big_hits = 0;
	CHECK_INT(ev_fd_add(q[0], EV_READ, grow_cb, p), 0);
	CHECK_INT(write(q[1], "g", 1), 1);
	CHECK_INT(ev_run(), 0);
	CHECK(big_fd == 3000);
	CHECK_INT(big_hits, 1);
	ev_fd_del(q[0]);
	ev_fd_del(big_fd);
	close(big_fd);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* -------------------------------------------------------- signals, hook */

static int sig_count;

static void
sig_cb(void *arg)
{
	sig_count++;
	ev_stop();
}

static void
raise_cb(void *arg)
{
	kill(getpid(), SIGUSR1);
}

static int hook_calls;

static void
hook_cb(void *arg)
{
	hook_calls++;
}

static void
test_signals(void)
{
	TEST_CASE("a signal runs its callback inside the loop");
	sig_count = 0;
	CHECK_INT(ev_signal(SIGUSR1, sig_cb, NULL), 0);
	ev_timer_add(5, raise_cb, NULL);
	CHECK_INT(ev_run(), 0);
	CHECK_INT(sig_count, 1);

	TEST_CASE("a signal before the loop is delivered once it runs");
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);	/* coalesced, as signals are */
	CHECK_INT(ev_run(), 0);
	CHECK_INT(sig_count, 2);
	CHECK_INT(ev_signal(0, sig_cb, NULL), -1);
	CHECK_INT(ev_signal(SIGUSR2, NULL, NULL), -1);

	TEST_CASE("before-sleep hook runs every iteration");
	hook_calls = 0;
	ev_before_sleep(hook_cb, NULL);
	ev_timer_add(1, raise_cb, NULL);
	CHECK_INT(ev_run(), 0);
	CHECK(hook_calls >= 2);
	ev_before_sleep(NULL, NULL);
}

int
main(void)
{
	alarm(20);
	if (ev_init() != 0) {
		printf("not ok 1 - ev_init\n1..1\n");
		return 1;
	}
	test_fd_events();
	test_fd_write();
	test_fd_replace();
	test_fd_stale();
	test_timers();
	test_many_timers();
	test_timer_compaction();
	test_fd_table_growth();
	test_signals();
	ev_fini();

	TEST_CASE("ev_init again after ev_fini");
	CHECK_INT(ev_init(), 0);
	ev_timer_add(1, stop_cb, NULL);
	CHECK_INT(ev_run(), 0);
	ev_fini();
	return test_done();
}
