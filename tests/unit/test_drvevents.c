/*
 * nutsec - test_drvevents.c: a driver that is not only polled. A test
 * driver watches the read end of a pipe and runs timers through the driver
 * core's drv_watch_* / drv_timer_* calls; the core's real loop (loop_run),
 * state (dstate) and socket server run in this process, and a plain client
 * on the driver socket plays upsd. What the driver reads from the pipe must
 * be in the state and on the socket while the update cycle (an hour away)
 * has never run. Also: periodic and one-shot timers, cancelling (from
 * outside and from the timer's own callback), silencing a watch, the data
 * state a callback reports, EOF, the refusals and the clean-up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drvcore.h"
#include "ev.h"
#include "log.h"
#include "net.h"
#include "test.h"
#include "upsconf.h"

static struct drv d;
static int pipefd[2] = { -1, -1 };

/* What the test driver saw. */
static int updates, reads, ticks, once_runs, selfstop_runs, eof_seen;
static drv_timer_id tick_id, once_id;

/* "name value\n" lines from the pipe become variables. */
static int
on_pipe(struct drv *dp, int fd, unsigned events, void *arg)
{
	char buf[512], *line, *save = NULL, *sp;
	ssize_t n;

	reads++;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n == 0 || (n < 0 && errno != EAGAIN)) {
		eof_seen = 1;
		drv_watch_del(dp, fd);
		return DRV_EV_STALE;
	}
	if (n < 0)
		return DRV_EV_NONE;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		sp = strchr(line, ' ');
		if (sp == NULL)
			return DRV_EV_STALE;	/* a line the device never sends */
		*sp = '\0';
		if (strcmp(line, "none") == 0)
			return DRV_EV_NONE;
		(void)drv_setinfo(dp, line, "%s", sp + 1);
	}
	return DRV_EV_OK;
}

static int
on_tick(struct drv *dp, void *arg)
{
	ticks++;
	(void)drv_setinfo(dp, "test.ticks", "%d", ticks);
	return DRV_EV_NONE;
}

static int
on_once(struct drv *dp, void *arg)
{
	once_runs++;
	(void)drv_setinfo(dp, "test.once", "%d", once_runs);
	return DRV_EV_NONE;
}

/* A periodic timer that removes itself on its third run. */
static int
on_selfstop(struct drv *dp, void *arg)
{
	drv_timer_id *id = arg;

	if (++selfstop_runs == 3)
		drv_timer_del(dp, *id);
	return DRV_EV_NONE;
}

static int
ev_init_driver(struct drv *dp)
{
	if (pipe2(pipefd, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	if (drv_watch_add(dp, pipefd[0], DRV_WATCH_READ, on_pipe, NULL) < 0)
		return -1;
	tick_id = drv_timer_add(dp, 20, 20, on_tick, NULL);
	once_id = drv_timer_add(dp, 10, 0, on_once, NULL);
	return tick_id != 0 && once_id != 0 ? 0 : -1;
}

static int
ev_update(struct drv *dp)
{
	updates++;
	return 0;
}

static const struct driver_ops ev_ops = {
	.name = "evtest", .version = "1", .init = ev_init_driver, .update = ev_update,
};

static int
stop_loop(struct drv *dp, void *arg)
{
	loop_exit(dp, 0);
	return DRV_EV_NONE;
}

/* Runs the driver's real loop for ms milliseconds. */
static void
run_for(unsigned long ms)
{
	drv_timer_id stop = drv_timer_add(&d, ms, 0, stop_loop, NULL);

	(void)loop_run(&d);
	drv_timer_del(&d, stop);
}

/* What upsd would have received on the driver socket since last time. */
static const char *
socket_news(int fd)
{
	static char out[8192];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(out) - 1 && (n = read(fd, out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	return out;
}

static int
put(const char *text)
{
	return write(pipefd[1], text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
}

static int
setup(const char *path)
{
	memset(&d, 0, sizeof(d));
	d.ops = &ev_ops;
	d.opts.standalone = 1;
	d.debug_proto = -1;
	d.upsname = (char *)"ev";
	d.pollinterval = 3600;	/* the update cycle never comes during the test */
	d.uc = upsconf_load_string("test", "", &(int){0});
	d.ups = upsconf_add(d.uc, "ev");
	if (ev_init() < 0)
		return -1;
	dstate_init(&d);
	if (d.ops->init(&d) < 0)
		return -1;
	d.ss = sockserv_new(path, -1, dispatch_msg, &d);
	if (d.ss == NULL)
		return -1;
	d.started = 1;
	return 0;
}

static void
test_watch(int c)
{
	const char *r;

	TEST_CASE("pipe data reaches dstate and the socket client at once, no update cycle");
	CHECK(write(c, "DUMPALL\n", 8) == 8);
	run_for(30);
	r = socket_news(c);
	CHECK(strstr(r, "DUMPDONE\n") != NULL);
	CHECK(d.data == DRV_DATA_NONE);	/* nobody said anything about the device yet */
	CHECK(put("ups.load 42\nups.status OL\n") == 0);
	run_for(30);
	CHECK_STR(drv_getinfo(&d, "ups.load"), "42");
	r = socket_news(c);
	CHECK(strstr(r, "SETINFO ups.load \"42\"\n") != NULL);
	CHECK(strstr(r, "SETINFO ups.status \"OL\"\n") != NULL);
	CHECK(strstr(r, "DATAOK\n") != NULL);	/* the callback said DRV_EV_OK */
	CHECK_STR(drv_getinfo(&d, "device.type"), "ups");	/* as after an update */
	CHECK_INT(updates, 0);
	CHECK_INT(d.cycles, 0);

	TEST_CASE("a silenced watch (events 0) is not called; DRV_WATCH_READ again is");
	CHECK(drv_watch_set(&d, pipefd[0], 0) == 0);
	CHECK(put("ups.load 43\n") == 0);
	reads = 0;
	run_for(30);
	CHECK_INT(reads, 0);
	CHECK_STR(drv_getinfo(&d, "ups.load"), "42");
	CHECK(drv_watch_set(&d, pipefd[0], DRV_WATCH_READ) == 0);
	run_for(30);
	CHECK_STR(drv_getinfo(&d, "ups.load"), "43");
	CHECK(strstr(socket_news(c), "SETINFO ups.load \"43\"\n") != NULL);

	TEST_CASE("DRV_EV_STALE from a callback marks the data stale; NONE leaves it");
	CHECK(put("garbage\n") == 0);
	run_for(30);
	CHECK(strstr(socket_news(c), "DATASTALE\n") != NULL);
	CHECK(put("none x\n") == 0);
	run_for(30);
	r = socket_news(c);
	CHECK(strstr(r, "DATAOK") == NULL && strstr(r, "DATASTALE") == NULL);
	CHECK(put("ups.load 44\n") == 0);
	run_for(30);
	CHECK(strstr(socket_news(c), "SETINFO ups.load \"44\"\nDATAOK\n") != NULL);
	CHECK_INT(updates, 0);
}

static void
test_timers(int c)
{
	drv_timer_id late, selfstop;
	uint64_t t0;
	const char *r;
	int before;

	TEST_CASE("a periodic timer keeps running; its changes are broadcast");
	before = ticks;
	t0 = ev_clock();
	run_for(130);
	/* At most one per 20 ms that passed (late runs are skipped, not queued). */
	CHECK(ticks - before >= 3);
	CHECK(ticks - before <= (int)((ev_clock() - t0) / 20) + 1);
	r = socket_news(c);
	CHECK(strstr(r, "SETINFO test.ticks \"") != NULL);

	TEST_CASE("a one-shot timer ran once; its dead id cancels nothing");
	CHECK_INT(once_runs, 1);
	CHECK_STR(drv_getinfo(&d, "test.once"), "1");
	late = drv_timer_add(&d, 40, 0, on_once, NULL);	/* may reuse the slot */
	CHECK(late != 0 && late != once_id);
	drv_timer_del(&d, once_id);
	run_for(80);
	CHECK_INT(once_runs, 2);

	TEST_CASE("drv_timer_del cancels a pending one-shot and a periodic timer");
	late = drv_timer_add(&d, 30, 0, on_once, NULL);
	drv_timer_del(&d, late);
	drv_timer_del(&d, tick_id);
	before = ticks;
	run_for(80);
	CHECK_INT(once_runs, 2);
	CHECK_INT(ticks, before);
	drv_timer_del(&d, 0);	/* never valid: ignored */

	TEST_CASE("a periodic timer may remove itself from its own callback");
	selfstop = drv_timer_add(&d, 5, 10, on_selfstop, &selfstop);
	CHECK(selfstop != 0);
	run_for(120);
	CHECK_INT(selfstop_runs, 3);
	CHECK_INT(updates, 0);
}

static void
dummy_cb(int fd, unsigned events, void *arg)
{
}

static void
test_refusals(void)
{
	int extra[DRV_MAX_WATCHES + 1][2], other[2], i, n = 0, ok = 1;
	drv_timer_id ids[DRV_MAX_TIMERS + 1];

	TEST_CASE("refused: a bad fd or events, no callback, an fd the core watches");
	CHECK(drv_watch_add(&d, -1, DRV_WATCH_READ, on_pipe, NULL) < 0);
	CHECK(drv_watch_add(&d, pipefd[1], DRV_WATCH_ERROR, on_pipe, NULL) < 0);
	CHECK(drv_watch_add(&d, pipefd[1], DRV_WATCH_WRITE, NULL, NULL) < 0);
	CHECK(drv_watch_set(&d, pipefd[1], DRV_WATCH_READ) < 0);	/* not watched */
	CHECK(drv_timer_add(&d, 1, 0, NULL, NULL) == 0);
	if (CHECK(pipe2(other, O_CLOEXEC) == 0)) {
		CHECK(ev_fd_add(other[0], EV_READ, dummy_cb, NULL) == 0);
		CHECK(drv_watch_add(&d, other[0], DRV_WATCH_READ, on_pipe, NULL) < 0);
		CHECK(ev_fd_active(other[0]));	/* the core's watch is intact */
		ev_fd_del(other[0]);
		close(other[0]);
		close(other[1]);
	}

	TEST_CASE("the tables are bounded: one watch and one timer too many are refused");
	for (i = 0; i <= DRV_MAX_WATCHES && ok; i++) {
		ok = pipe2(extra[i], O_CLOEXEC) == 0;
		if (!ok)
			extra[i][0] = extra[i][1] = -1;
		if (ok && drv_watch_add(&d, extra[i][0], DRV_WATCH_READ, on_pipe, NULL) == 0)
			n++;
	}
	CHECK(ok);
	CHECK_INT(n, DRV_MAX_WATCHES - 1);	/* the test pipe holds one slot */
	CHECK_INT(d.nwatches, DRV_MAX_WATCHES);
	for (; i-- > 0;) {
		drv_watch_del(&d, extra[i][0]);
		close(extra[i][0]);
		close(extra[i][1]);
	}
	CHECK_INT(d.nwatches, 1);
	for (i = n = 0; i <= DRV_MAX_TIMERS; i++)
		if ((ids[i] = drv_timer_add(&d, 100000, 0, on_once, NULL)) != 0)
			n++;
	CHECK_INT(n, DRV_MAX_TIMERS);
	for (i = 0; i <= DRV_MAX_TIMERS; i++)
		drv_timer_del(&d, ids[i]);
}

static void
test_eof_and_clear(int c)
{
	TEST_CASE("EOF: the callback sees it, drops its watch and reports stale");
	close(pipefd[1]);
	pipefd[1] = -1;
	run_for(30);
	CHECK(eof_seen);
	CHECK_INT(d.nwatches, 0);
	CHECK(strstr(socket_news(c), "DATASTALE\n") != NULL);
	CHECK(!ev_fd_active(pipefd[0]));

	TEST_CASE("events_clear drops every watch and timer the driver left");
	CHECK(pipe2(pipefd, O_NONBLOCK | O_CLOEXEC) == 0);
	CHECK(drv_watch_add(&d, pipefd[0], DRV_WATCH_READ, on_pipe, NULL) == 0);
	tick_id = drv_timer_add(&d, 5, 5, on_tick, NULL);
	events_clear(&d);
	CHECK_INT(d.nwatches, 0);
	CHECK(!ev_fd_active(pipefd[0]));
	CHECK(put("ups.load 99\n") == 0);
	{
		int before = ticks;

		run_for(50);
		CHECK_INT(ticks, before);
	}
	CHECK_STR(drv_getinfo(&d, "ups.load"), "44");
	CHECK_INT(updates, 0);
}

int
main(void)
{
	char dir[] = "/tmp/test_drvevents.XXXXXX", path[128];
	int c;

	log_init("test_drvevents", 0, LOG_TO_STDERR);
	(void)signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/evtest-ev", dir);
	TEST_CASE("the test driver's init watches a pipe and starts two timers");
	if (!CHECK(setup(path) == 0))
		return test_done();
	CHECK_INT(d.nwatches, 1);
	c = net_connect_unix(path, 0);
	if (CHECK(c >= 0)) {
		(void)fcntl(c, F_SETFL, O_NONBLOCK);
		test_watch(c);
		test_timers(c);
		test_refusals();
		test_eof_and_clear(c);
		close(c);
	}
	sockserv_free(d.ss);
	dstate_fini(&d);
	ev_fini();
	upsconf_free(d.uc);
	close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	rmdir(dir);
	return test_done();
}
