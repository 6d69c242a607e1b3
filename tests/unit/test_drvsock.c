/*
 * nutsec - test_drvsock.c: the driver core's socket side in one process:
 * a fake driver, the real state (dstate), socket server and dispatcher on
 * a temporary Unix socket, and plain clients. Covers every message of the
 * driver socket protocol (dumps, PING, GETPID, broadcasts on and off,
 * LOGOUT, INSTCMD and SET with TRACKING), the shared commands and
 * variables, escaping of live updates, and the limits: an over-long line
 * and a client that never reads are dropped while others are served.
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

static int fake_setvar_calls, fake_shutdown_calls;

static int
fake_init(struct drv *d)
{
	return 0;
}

static int
fake_update(struct drv *d)
{
	return 0;
}

static int
fake_shutdown(struct drv *d)
{
	fake_shutdown_calls++;
	return 0;
}

static int
fake_instcmd(struct drv *d, const char *cmd, const char *param)
{
	if (strcmp(cmd, "test.echo") == 0 && param != NULL && strcmp(param, "a b") == 0)
		return SP_STATUS_HANDLED;
	return SP_STATUS_UNKNOWN;
}

static int
fake_setvar(struct drv *d, const char *var, const char *value)
{
	fake_setvar_calls++;
	return drv_setinfo(d, var, "%s", value) == 0 ? SP_STATUS_HANDLED : SP_STATUS_INVALID;
}

static const struct driver_ops fake_ops = {
	.name = "fake", .version = "1",
	.init = fake_init, .update = fake_update, .shutdown = fake_shutdown,
	.instcmd = fake_instcmd, .setvar = fake_setvar,
};

static struct drv d;

static void
stop_cb(void *arg)
{
	ev_stop();
}

/* Lets the driver's loop run for ms milliseconds. */
static void
spin(unsigned ms)
{
	ev_timer_add(ms, stop_cb, NULL);
	(void)ev_run();
	sockserv_flush(d.ss);
}

static int
client(const char *path)
{
	int fd = net_connect_unix(path, 0);

	if (fd >= 0)
		(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* Sends text, lets the driver work, returns what came back (static). */
static const char *
ask(int fd, const char *text)
{
	static char out[1 << 16];
	size_t got = 0;
	ssize_t n;

	if (text != NULL && write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return "(write failed)";
	spin(60);
	while (got < sizeof(out) - 1 && (n = read(fd, out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	if (got == 0 && n == 0)
		return "(EOF)";
	return out;
}

static void
before_sleep(void *arg)
{
	sockserv_flush(d.ss);
}

static int
setup(const char *path)
{
	memset(&d, 0, sizeof(d));
	d.ops = &fake_ops;
	d.opts.standalone = 1;
	d.debug_proto = -1;
	d.upsname = (char *)"t";
	d.pollinterval = 2;
	d.uc = upsconf_load_string("test", "", &(int){0});
	d.ups = upsconf_add(d.uc, "t");
	if (ev_init() < 0)
		return -1;
	dstate_init(&d);
	shared_publish(&d);
	(void)drv_setinfo(&d, "ups.status", "OL");
	(void)drv_setflags(&d, "ups.status", VT_STRING | VT_RW);
	(void)drv_setaux(&d, "ups.status", 32);
	(void)drv_setinfo(&d, "ups.mfr", "Q\"uote\\d");
	(void)drv_addenum(&d, "ups.status", "OL");
	(void)drv_addrange(&d, "ups.status", 1, 5);
	(void)drv_addcmd(&d, "test.echo");
	dstate_dataok(&d);
	d.ss = sockserv_new(path, -1, dispatch_msg, &d);
	if (d.ss == NULL)
		return -1;
	d.started = 1;
	ev_before_sleep(before_sleep, NULL);
	return 0;
}

static void
test_dumps(int fd)
{
	const char *r;

	TEST_CASE("DUMPALL: variables with enum/range/aux/flags, commands, DATAOK, DUMPDONE");
	r = ask(fd, "DUMPALL\n");
	CHECK(strstr(r, "SETINFO ups.mfr \"Q\\\"uote\\\\d\"\n") != NULL);
	CHECK(strstr(r, "SETINFO ups.status \"OL\"\nADDENUM ups.status \"OL\"\n"
	    "ADDRANGE ups.status 1 5\nSETAUX ups.status 32\nSETFLAGS ups.status RW STRING\n") != NULL);
	CHECK(strstr(r, "ADDCMD driver.killpower\n") != NULL);
	CHECK(strstr(r, "ADDCMD test.echo\n") != NULL);
	CHECK(strstr(r, "SETFLAGS driver.debug RW NUMBER\n") != NULL);
	CHECK(strlen(r) > 20 && strcmp(r + strlen(r) - 16, "DATAOK\nDUMPDONE\n") == 0);

	TEST_CASE("DUMPVALUE / DUMPSTATUS: one variable; an unknown one is just the end");
	r = ask(fd, "DUMPSTATUS\n");
	CHECK(strncmp(r, "SETINFO ups.status \"OL\"\n", 24) == 0);
	CHECK(strstr(r, "DATAOK\nDUMPDONE\n") != NULL);
	CHECK_STR(ask(fd, "DUMPVALUE no.such\n"), "DATAOK\nDUMPDONE\n");

	TEST_CASE("a stale driver dumps DATASTALE first and no DATAOK");
	dstate_datastale(&d);
	r = ask(fd, "DUMPVALUE ups.mfr\n");
	CHECK(strncmp(r, "DATASTALE\n", 10) == 0);	/* the live broadcast */
	CHECK(strstr(r, "DATASTALE\nSETINFO ups.mfr") != NULL);
	CHECK(strstr(r, "DATAOK") == NULL);
	dstate_dataok(&d);
	CHECK_STR(ask(fd, NULL), "DATAOK\n");

	TEST_CASE("PING, GETPID; malformed and unknown lines are ignored");
	CHECK_STR(ask(fd, "PING\n"), "PONG\n");
	{
		char want[64];

		snprintf(want, sizeof(want), "PID %ld\n", (long)getpid());
		CHECK_STR(ask(fd, "GETPID\n"), want);
	}
	CHECK_STR(ask(fd, "FOO\nINSTCMD\nSET x\n\"open\nDUMPVALUE\nPING\n"), "PONG\n");
}

static void
test_commands(int fd)
{
	TEST_CASE("INSTCMD with TRACKING: the driver's result; a quoted parameter arrives whole");
	CHECK_STR(ask(fd, "INSTCMD test.echo \"a b\" TRACKING id-1\n"), "TRACKING id-1 0\n");
	CHECK_STR(ask(fd, "INSTCMD load.off TRACKING id-2\n"), "TRACKING id-2 1\n");
	CHECK_STR(ask(fd, "INSTCMD load.off\n"), "");

	TEST_CASE("driver.killpower is refused unless allow_killpower is 1");
	CHECK_STR(ask(fd, "INSTCMD driver.killpower TRACKING k1\n"), "TRACKING k1 2\n");
	CHECK_INT(fake_shutdown_calls, 0);
	CHECK(strstr(ask(fd, "SET driver.flag.allow_killpower yes TRACKING k2\n"),
	    "TRACKING k2 0\n") != NULL);
	CHECK_STR(drv_getinfo(&d, "driver.flag.allow_killpower"), "1");
	CHECK(strstr(ask(fd, "INSTCMD driver.killpower TRACKING k3\n"), "TRACKING k3 0\n") != NULL);
	CHECK_INT(fake_shutdown_calls, 1);
	CHECK(strstr(ask(fd, "SET driver.flag.allow_killpower maybe TRACKING k4\n"),
	    "TRACKING k4 2\n") != NULL);
	CHECK(strstr(ask(fd, "INSTCMD shutdown.default TRACKING k5\n"), "TRACKING k5 0\n") != NULL);
	CHECK_INT(fake_shutdown_calls, 2);

	TEST_CASE("SET: driver.debug is shared; other variables go to the driver");
	CHECK(strstr(ask(fd, "SET driver.debug 2 TRACKING s1\n"), "TRACKING s1 0\n") != NULL);
	CHECK_STR(drv_getinfo(&d, "driver.debug"), "2");
	CHECK(strstr(ask(fd, "SET driver.debug -1 TRACKING s2\n"), "TRACKING s2 0\n") != NULL);
	CHECK_STR(drv_getinfo(&d, "driver.debug"), "0");
	CHECK(strstr(ask(fd, "SET driver.debug x TRACKING s3\n"), "TRACKING s3 2\n") != NULL);
	CHECK(strstr(ask(fd, "SET ups.mfr \"new\" TRACKING s4\n"), "TRACKING s4 0\n") != NULL);
	CHECK_INT(fake_setvar_calls, 1);
	CHECK_STR(drv_getinfo(&d, "ups.mfr"), "new");

	TEST_CASE("override.* (immutable) variables refuse SET and driver changes");
	(void)dstate_force(&d, "ups.model", "Fixed", VT_IMMUTABLE);
	(void)drv_setinfo(&d, "ups.model", "Other");
	CHECK_STR(drv_getinfo(&d, "ups.model"), "Fixed");
	CHECK(drv_delinfo(&d, "ups.model") < 0);
	CHECK(strstr(ask(fd, "SET ups.model x TRACKING s5\n"), "TRACKING s5 2\n") != NULL);
	CHECK_INT(fake_setvar_calls, 1);

	TEST_CASE("driver.reload answers (standalone: nothing to re-read)");
	CHECK(strstr(ask(fd, "INSTCMD driver.reload-or-error TRACKING r1\n"), "TRACKING r1 0\n")
	    != NULL);
}

static void
test_broadcasts(const char *path, int fd)
{
	int fd2 = client(path);
	const char *r;

	TEST_CASE("every change is broadcast, escaped, to each listening client");
	(void)ask(fd2, NULL);
	(void)ask(fd, NULL);
	(void)drv_setinfo(&d, "ups.load", "a\"b\\c");
	(void)drv_setinfo(&d, "ups.load", "a\"b\\c");	/* unchanged: no second line */
	r = ask(fd2, NULL);
	CHECK_STR(r, "SETINFO ups.load \"a\\\"b\\\\c\"\n");
	CHECK_STR(ask(fd, NULL), "SETINFO ups.load \"a\\\"b\\\\c\"\n");
	(void)drv_delinfo(&d, "ups.load");
	CHECK_STR(ask(fd2, NULL), "DELINFO ups.load\n");
	(void)drv_addcmd(&d, "beeper.mute");
	CHECK_STR(ask(fd2, NULL), "ADDCMD beeper.mute\n");

	TEST_CASE("NOBROADCAST stops live updates for that client only; BROADCAST 1 resumes");
	(void)ask(fd2, "NOBROADCAST\n");
	(void)ask(fd, NULL);
	(void)drv_setinfo(&d, "ups.load", "5");
	CHECK_STR(ask(fd2, NULL), "");
	CHECK_STR(ask(fd, NULL), "SETINFO ups.load \"5\"\n");
	(void)ask(fd2, "BROADCAST 1\n");
	(void)drv_setinfo(&d, "ups.load", "6");
	CHECK_STR(ask(fd2, NULL), "SETINFO ups.load \"6\"\n");
	(void)ask(fd, NULL);

	TEST_CASE("LOGOUT: OK Goodbye, then the connection closes");
	CHECK_STR(ask(fd2, "LOGOUT\nPING\n"), "OK Goodbye\n");
	CHECK_STR(ask(fd2, NULL), "(EOF)");
	close(fd2);
}

static void
test_limits(const char *path, int fd)
{
	char big[9000];
	int slow, fd3;
	size_t i, sent = 0;

	TEST_CASE("a line over 8 KiB drops its client; others are served");
	fd3 = client(path);
	memset(big, 'A', sizeof(big));
	if (write(fd3, big, sizeof(big)) != (ssize_t)sizeof(big))
		CHECK(0);
	(void)ask(fd3, NULL);
	CHECK_STR(ask(fd3, NULL), "(EOF)");
	close(fd3);
	CHECK_STR(ask(fd, "PING\n"), "PONG\n");

	TEST_CASE("a client that never reads is dropped past 4 MiB; others are served");
	(void)ask(fd, "NOBROADCAST\n");
	for (i = 0; i < 2000; i++) {
		char name[32];

		snprintf(name, sizeof(name), "x.var%zu", i);
		(void)drv_setinfo(&d, name, "%0200zu", i);
	}
	slow = client(path);
	spin(10);
	CHECK_INT(sockserv_count(d.ss), 2);	/* fd and slow */
	/* Each dump is ~460 KiB: 20 of them pass the 4 MiB cap. */
	for (i = 0; i < 20; i++) {
		if (write(slow, "DUMPALL\n", 8) == 8)
			sent++;
		spin(5);
	}
	CHECK(sent > 0);
	spin(50);
	CHECK_INT(sockserv_count(d.ss), 1);
	CHECK_STR(ask(fd, "PING\n"), "PONG\n");
	close(slow);
}

int
main(void)
{
	char dir[] = "/tmp/test_drvsock.XXXXXX", path[128];
	int fd;

	log_init("test_drvsock", 0, LOG_TO_STDERR);
	/* Writes to a client the server dropped must fail, not kill the test. */
	(void)signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/fake-t", dir);
	TEST_CASE("the socket server starts");
	if (!CHECK(setup(path) == 0))
		return test_done();
	fd = client(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		test_dumps(fd);
		test_commands(fd);
		test_broadcasts(path, fd);
		test_limits(path, fd);
		close(fd);
	}
	TEST_CASE("freeing the server removes the socket file");
	spin(10);
	sockserv_free(d.ss);
	d.ss = NULL;
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	dstate_fini(&d);
	ev_fini();
	upsconf_free(d.uc);
	rmdir(dir);
	return test_done();
}
