/*
 * nutsec - test_upsclient.c: unit tests of the client library against a
 * scripted fake upsd, a forked child on loopback (ports 17600-17699). Each
 * script says which request lines must arrive and what to answer, so the
 * tests check both directions: quoting of requests, raw credentials, the
 * echo and BEGIN/END LIST checks, ERR mapping, tracking, and that silent,
 * dripping, flooding, vanishing and slowly pacing servers make calls fail
 * in bounded time (each line, and each whole operation), and that
 * credentials sent without TLS are warned about.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "mutate.h"
#include "proto.h"
#include "test.h"
#include "upscli_int.h"
#include "upsclient.h"

#define PORT_LO 17600
#define PORT_HI 17699

static unsigned srv_port;
static pid_t srv_pid = -1;

/* Reads one LF-terminated line (without the LF) into buf. -1 at EOF. */
static int
srv_readline(int fd, char *buf, size_t len)
{
	size_t n = 0;
	char ch;

	while (n + 1 < len) {
		if (read(fd, &ch, 1) != 1)
			return -1;
		if (ch == '\n')
			break;
		buf[n++] = ch;
	}
	buf[n] = '\0';
	return 0;
}

static void
srv_write(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n <= 0)
			_exit(3);
		s += n;
		len -= (size_t)n;
	}
}

/*
 * Runs a script on one connection. Steps: "<line" the next request must
 * be exactly line; ">text" send text and a LF; "=text" send text raw;
 * "S<ms>" sleep; "D<text>" drip text one byte per 50 ms, no LF;
 * "F<n>" send n bytes without a LF; "C" close; "W" wait for the client
 * to close; "E" the client must close without sending another byte;
 * "R" read once whatever the client sent (a ClientHello).
 * Every client opens with STARTTLS: unless the script starts with
 * "<STARTTLS" itself, it is answered as by a upsd without TLS (ERR
 * FEATURE-NOT-CONFIGURED), as the client's first request.
 * Exit status 0 when every expectation held.
 */
static void
srv_run(int lfd, const char *const *script)
{
	char line[8192];
	int fd;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		_exit(2);
	if (script[0] == NULL || strcmp(script[0], "<STARTTLS") != 0) {
		if (srv_readline(fd, line, sizeof(line)) < 0 ||
		    strcmp(line, "STARTTLS") != 0) {
			fprintf(stderr, "# server: wanted STARTTLS first\n");
			_exit(1);
		}
		srv_write(fd, "ERR FEATURE-NOT-CONFIGURED\n");
	}
	for (; *script != NULL; script++) {
		const char *s = *script;

		switch (s[0]) {
		case '<':
			if (srv_readline(fd, line, sizeof(line)) < 0) {
				fprintf(stderr, "# server: EOF, wanted \"%s\"\n", s + 1);
				_exit(1);
			}
			if (strcmp(line, s + 1) != 0) {
				fprintf(stderr, "# server: got \"%s\", wanted \"%s\"\n",
				    line, s + 1);
				_exit(1);
			}
			break;
		case '>':
			srv_write(fd, s + 1);
			srv_write(fd, "\n");
			break;
		case '=':
			srv_write(fd, s + 1);
			break;
		case 'S':
			usleep((useconds_t)atoi(s + 1) * 1000);
			break;
		case 'D':
			for (s++; *s != '\0'; s++) {
				if (write(fd, s, 1) != 1)
					_exit(0);
				usleep(50000);
			}
			break;
		case 'F': {
			int n = atoi(s + 1);
			memset(line, 'x', sizeof(line));
			while (n > 0) {
				int k = n > (int)sizeof(line) ? (int)sizeof(line) : n;
				if (write(fd, line, (size_t)k) != k)
					_exit(0);
				n -= k;
			}
			break;
		}
		case 'C':
			close(fd);
			_exit(0);
		case 'W':
			while (read(fd, line, sizeof(line)) > 0)
				;
			break;
		case 'R':
			if (read(fd, line, sizeof(line)) <= 0)
				_exit(1);
			break;
		case 'E':
			if (read(fd, line, sizeof(line)) != 0) {
				fprintf(stderr, "# server: the client went on\n");
				_exit(1);
			}
			break;
		}
	}
	close(fd);
	_exit(0);
}

/* Starts the fake server with a script; sets srv_port. */
static int
srv_start(const char *const *script)
{
	struct sockaddr_in sin;
	unsigned p;
	int lfd, one = 1;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		return -1;
	(void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	for (p = PORT_LO; p <= PORT_HI; p++) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)p);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
			break;
	}
	if (p > PORT_HI || listen(lfd, 1) < 0) {
		close(lfd);
		return -1;
	}
	srv_port = p;
	srv_pid = fork();
	if (srv_pid == 0)
		srv_run(lfd, script);
	close(lfd);
	return srv_pid > 0 ? 0 : -1;
}

/* Waits for the server; returns its exit status (0 = script held). */
static int
srv_wait(void)
{
	int st = 0;

	if (srv_pid <= 0)
		return -1;
	if (waitpid(srv_pid, &st, 0) < 0)
		return -1;
	srv_pid = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* A connected client with the given line and operation timeouts (0: the
 * library's default). */
static struct upscli *
client_op(int read_ms, int op_ms)
{
	struct upscli_opts o;
	struct upscli *c;

	upscli_opts_init(&o);
	o.read_timeout_ms = read_ms;
	o.op_timeout_ms = op_ms;
	o.connect_timeout_ms = 2000;
	c = upscli_new(&o);
	if (upscli_connect(c, "127.0.0.1", srv_port) < 0) {
		printf("# connect: %s\n", upscli_strerror(c));
		upscli_close(c);
		return NULL;
	}
	return c;
}

/* A connected client with short line timeouts. */
static struct upscli *
client(int read_ms)
{
	return client_op(read_ms, 0);
}

static long long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_splitname(void)
{
	char *ups = NULL, *host = NULL, err[128];
	unsigned port = 0;

	TEST_CASE("splitname: defaults, host, port, [v6], bare v6");
	CHECK_INT(upscli_splitname("myups", 3493, &ups, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(ups, "myups");
	CHECK_STR(host, "localhost");
	CHECK_INT(port, 3493);
	free(ups);
	free(host);
	CHECK_INT(upscli_splitname("u@h.example:1234", 3493, &ups, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(ups, "u");
	CHECK_STR(host, "h.example");
	CHECK_INT(port, 1234);
	free(ups);
	free(host);
	CHECK_INT(upscli_splitname("u@[::1]:17493", 3493, &ups, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(host, "::1");
	CHECK_INT(port, 17493);
	free(ups);
	free(host);
	CHECK_INT(upscli_splitname("u@[fe80::1]", 3493, &ups, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(host, "fe80::1");
	CHECK_INT(port, 3493);
	free(ups);
	free(host);
	CHECK_INT(upscli_splitname("u@2001:db8::5", 3493, &ups, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(host, "2001:db8::5");
	CHECK_INT(port, 3493);
	free(ups);
	free(host);

	TEST_CASE("splitname: malformed input is refused with NUT's messages");
	CHECK_INT(upscli_splitname(NULL, 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "");
	CHECK_INT(upscli_splitname("", 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_INT(upscli_splitname("u@", 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: can't parse empty string");
	CHECK_INT(upscli_splitname("u@h:", 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: no port specified after ':' separator");
	CHECK_INT(upscli_splitname("u@[::1", 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: missing closing bracket in [domain literal]");
	CHECK_INT(upscli_splitname("@h", 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_INT(upscli_splitname("u@h:12x", 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_INT(upscli_splitname("u@h:0", 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_INT(upscli_splitname("u@h:65536", 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_INT(upscli_splitname("u@h:3493:", 3493, &ups, &host, &port, err, sizeof(err)), 0);
	/* "h:3493:" has two colons: a bare v6-looking literal, taken whole */
	CHECK_STR(host, "h:3493:");
	free(ups);
	free(host);
	CHECK_INT(upscli_splitname("u@[::1]x", 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_INT(upscli_splitname("u@:17", 3493, &ups, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: empty host name");

	TEST_CASE("splitaddr: host[:port]");
	CHECK_INT(upscli_splitaddr("localhost", 3493, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(host, "localhost");
	CHECK_INT(port, 3493);
	free(host);
	CHECK_INT(upscli_splitaddr("127.0.0.1:17493", 3493, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(host, "127.0.0.1");
	CHECK_INT(port, 17493);
	free(host);

	TEST_CASE("splitaddr: [v6]:port, [v6], bare v6; port 0 = any (CERTHOST)");
	CHECK_INT(upscli_splitaddr("[::1]:3493", 0, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(host, "::1");
	CHECK_INT(port, 3493);
	free(host);
	CHECK_INT(upscli_splitaddr("[fe80::1%eth0]", 0, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(host, "fe80::1%eth0");
	CHECK_INT(port, 0);
	free(host);
	CHECK_INT(upscli_splitaddr("2001:db8::5", 0, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(host, "2001:db8::5");
	CHECK_INT(port, 0);
	free(host);
	CHECK_INT(upscli_splitaddr("ups1.example:65535", 0, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(host, "ups1.example");
	CHECK_INT(port, 65535);
	free(host);

	TEST_CASE("splitaddr: each malformed form is refused with its message");
	host = NULL;
	CHECK_INT(upscli_splitaddr("", 0, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: can't parse empty string");
	CHECK_INT(upscli_splitaddr("[]", 0, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: empty host name");
	CHECK_INT(upscli_splitaddr("[]:3493", 0, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: empty host name");
	CHECK_INT(upscli_splitaddr("[::1]3493", 0, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: unexpected text after [domain literal]");
	CHECK_INT(upscli_splitaddr("[::1]:", 0, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: no port specified after ':' separator");
	CHECK_INT(upscli_splitaddr("h:65536", 0, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: invalid port number (1-65535)");
	CHECK_INT(upscli_splitaddr("h:-1", 0, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: invalid port number (1-65535)");
	CHECK_INT(upscli_splitaddr("h: 1", 0, &host, &port, err, sizeof(err)), -1);
	CHECK_INT(upscli_splitaddr("[::1:3493", 0, &host, &port, err, sizeof(err)), -1);
	CHECK_STR(err, "upscli_splitaddr: missing closing bracket in [domain literal]");
	CHECK(host == NULL);	/* nothing allocated on any refusal */

	TEST_CASE("splitname: ups@[v6]:port and ups@host:port");
	CHECK_INT(upscli_splitname("ups@[::1]:3493", 0, &ups, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(ups, "ups");
	CHECK_STR(host, "::1");
	CHECK_INT(port, 3493);
	free(ups);
	free(host);
	CHECK_INT(upscli_splitname("a.b@h:1", 3493, &ups, &host, &port, err, sizeof(err)), 0);
	CHECK_STR(ups, "a.b");
	CHECK_STR(host, "h");
	CHECK_INT(port, 1);
	free(ups);
	free(host);
}

static void
test_get_and_errors(void)
{
	static const char *const script[] = {
		"<GET VAR ups ups.status", ">VAR ups ups.status \"OL CHRG\"",
		"<GET VAR ups x.y", ">var UPS X.Y \"case\"",
		"<GET VAR ups a.b", ">VAR ups other.var \"1\"",
		"<GET VAR nope a.b", ">ERR UNKNOWN-UPS",
		"<GET VAR ups a.b", ">ERR SOMETHING-NEW extra words",
		"<GET DESC ups \"a b\"", ">DESC ups \"a b\" \"q\\\"uote\"",
		"W", NULL
	};
	const char *q1[] = { "VAR", "ups", "ups.status" };
	const char *q2[] = { "VAR", "ups", "x.y" };
	const char *q3[] = { "VAR", "ups", "a.b" };
	const char *q4[] = { "VAR", "nope", "a.b" };
	const char *q5[] = { "DESC", "ups", "a b" };
	struct upscli *c;
	char **a = NULL;
	size_t n = 0;

	TEST_CASE("get: value, case-insensitive echo, echo mismatch, ERR mapping");
	if (!CHECK(srv_start(script) == 0))
		return;
	c = client(2000);
	if (!CHECK(c != NULL))
		return;
	if (CHECK(upscli_get(c, 3, q1, &n, &a) == 0 && n == 4))
		CHECK_STR(a[3], "OL CHRG");
	if (CHECK(upscli_get(c, 3, q2, &n, &a) == 0 && n == 4))
		CHECK_STR(a[3], "case");
	CHECK_INT(upscli_get(c, 3, q3, &n, &a), -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_INVRESP);
	CHECK_INT(upscli_get(c, 3, q4, &n, &a), -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_SERVER);
	CHECK_INT(upscli_server_error(c), PERR_UNKNOWN_UPS);
	CHECK_STR(upscli_strerror(c), "Unknown UPS");
	CHECK_STR(upscli_server_code(c), "UNKNOWN-UPS");
	CHECK_INT(upscli_get(c, 3, q3, &n, &a), -1);
	CHECK_INT(upscli_server_error(c), -1);
	CHECK_STR(upscli_strerror(c), "Unknown error");
	CHECK_STR(upscli_server_code(c), "SOMETHING-NEW");
	if (CHECK(upscli_get(c, 3, q5, &n, &a) == 0 && n == 4))
		CHECK_STR(a[3], "q\"uote");
	upscli_close(c);
	CHECK_INT(srv_wait(), 0);
}

static void
test_lists(void)
{
	static const char *const script[] = {
		"<LIST VAR ups",
		">BEGIN LIST VAR ups",
		">VAR ups a.b \"1\"",
		">VAR ups c.d \"two words\"",
		">END LIST VAR ups",
		"<LIST UPS",
		">BEGIN LIST UPS",
		">UPS a \"x\"",
		">end list UPS",
		"<LIST VAR nope",
		">ERR UNKNOWN-UPS",
		"<LIST CMD ups",
		">BEGIN LIST VAR ups",
		"<LIST RW ups",
		">BEGIN LIST RW ups",
		">RW ups a \"1\"", ">RW ups b \"1\"", ">RW ups c \"1\"",
		">END LIST RW ups",
		"W", NULL
	};
	const char *qv[] = { "VAR", "ups" };
	const char *qu[] = { "UPS" };
	const char *qn[] = { "VAR", "nope" };
	const char *qc[] = { "CMD", "ups" };
	const char *qr[] = { "RW", "ups" };
	struct upscli_opts o;
	struct upscli *c;
	char **a = NULL;
	size_t n = 0;

	TEST_CASE("list: framing, items, case-sensitive END LIST, ERR, wrong BEGIN, item cap");
	if (!CHECK(srv_start(script) == 0))
		return;
	upscli_opts_init(&o);
	o.read_timeout_ms = 2000;
	o.max_list = 2;
	c = upscli_new(&o);
	if (!CHECK(upscli_connect(c, "127.0.0.1", srv_port) == 0)) {
		upscli_close(c);
		return;
	}
	CHECK_INT(upscli_list_start(c, 2, qv), 0);
	if (CHECK(upscli_list_next(c, 2, qv, &n, &a) == 1 && n == 4))
		CHECK_STR(a[2], "a.b");
	if (CHECK(upscli_list_next(c, 2, qv, &n, &a) == 1 && n == 4))
		CHECK_STR(a[3], "two words");
	CHECK_INT(upscli_list_next(c, 2, qv, &n, &a), 0);
	CHECK_INT(upscli_list_start(c, 1, qu), 0);
	CHECK_INT(upscli_list_next(c, 1, qu, &n, &a), 1);
	/* "end list" is not the end marker, and does not echo "UPS" */
	CHECK_INT(upscli_list_next(c, 1, qu, &n, &a), -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_INVRESP);
	CHECK_INT(upscli_list_start(c, 2, qn), -1);
	CHECK_STR(upscli_strerror(c), "Unknown UPS");
	CHECK_INT(upscli_list_start(c, 2, qc), -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_INVRESP);
	CHECK_INT(upscli_list_start(c, 2, qr), 0);
	CHECK_INT(upscli_list_next(c, 2, qr, &n, &a), 1);
	CHECK_INT(upscli_list_next(c, 2, qr, &n, &a), 1);
	CHECK_INT(upscli_list_next(c, 2, qr, &n, &a), -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_TOOLONG);
	CHECK_INT(upscli_fd(c), -1);
	upscli_close(c);
	CHECK_INT(srv_wait(), 0);
}

static void
test_requests(void)
{
	static const char *const script[] = {
		"<USERNAME admin",
		">OK",
		"<PASSWORD a\\b",
		">OK",
		"<LOGIN ups",
		">OK",
		"<SET VAR ups ups.id \"a b=c \\\"q\\\" \\\\ \\#\"",
		">OK",
		"<PASSWORD \"x y=z\"",
		">ERR ALREADY-SET-PASSWORD",
		"<SET TRACKING ON",
		">OK",
		"<INSTCMD ups test.start \"\"",
		">OK TRACKING 0C8D2D26-0BA4-4A8B-9CA4-4C7B6A1E3F55",
		"<GET TRACKING 0C8D2D26-0BA4-4A8B-9CA4-4C7B6A1E3F55",
		">PENDING",
		"<GET TRACKING 0C8D2D26-0BA4-4A8B-9CA4-4C7B6A1E3F55",
		">SUCCESS",
		"<GET TRACKING 1",
		">ERR FAILED",
		"<GET TRACKING 2",
		">PENDING",
		"W", NULL
	};
	const char *set[] = { "SET", "VAR", "ups", "ups.id", "a b=c \"q\" \\ #" };
	const char *pw[] = { "PASSWORD", "x y=z" };
	const char *inj[] = { "GET", "VAR", "ups", "x\nINSTCMD ups load.off" };
	const char *ic[] = { "INSTCMD", "ups", "test.start", "" };
	struct upscli *c;
	char **a = NULL;
	size_t n = 0;
	long long t0;

	TEST_CASE("requests: raw credentials, quoting, no injection, tracking");
	if (!CHECK(srv_start(script) == 0))
		return;
	c = client(3000);
	if (!CHECK(c != NULL))
		return;
	CHECK_INT(upscli_login(c, "admin", "a\\b", "ups"), 0);
	CHECK_INT(upscli_cmd(c, 5, set, NULL, NULL), 0);
	CHECK_INT(upscli_cmd(c, 2, pw, NULL, NULL), -1);
	CHECK_INT(upscli_server_error(c), PERR_ALREADY_SET_PASSWORD);
	CHECK_INT(upscli_send(c, 4, inj), -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_ARG);
	CHECK_INT(upscli_tracking_on(c), 0);
	if (CHECK(upscli_cmd(c, 4, ic, &n, &a) == 0 && n == 3))
		CHECK_STR(a[1], "TRACKING");
	t0 = ms_now();
	CHECK_INT(upscli_tracking_wait(c, "0C8D2D26-0BA4-4A8B-9CA4-4C7B6A1E3F55", 10), 0);
	CHECK(ms_now() - t0 >= 900);	/* one PENDING: one second's pause */
	CHECK_INT(upscli_tracking_wait(c, "1", 10), -1);
	CHECK_INT(upscli_server_error(c), PERR_FAILED);
	t0 = ms_now();
	CHECK_INT(upscli_tracking_wait(c, "2", 1), -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_TIMEOUT);
	CHECK(ms_now() - t0 < 3000);
	upscli_close(c);
	CHECK_INT(srv_wait(), 0);
}

/* A server misbehaving in one way; the call must fail with want in time. */
static void
hostile(const char *name, const char *const *script, enum upscli_err want,
    int read_ms, long long max_ms)
{
	const char *q[] = { "VAR", "ups", "a.b" };
	struct upscli *c;
	long long t0;
	char **a = NULL;
	size_t n = 0;

	TEST_CASE(name);
	if (!CHECK(srv_start(script) == 0))
		return;
	c = client(read_ms);
	if (!CHECK(c != NULL)) {
		kill(srv_pid, SIGKILL);
		srv_wait();
		return;
	}
	t0 = ms_now();
	CHECK_INT(upscli_get(c, 3, q, &n, &a), -1);
	CHECK_INT(upscli_error(c), want);
	CHECK(ms_now() - t0 <= max_ms);
	CHECK_INT(upscli_fd(c), -1);
	upscli_close(c);
	kill(srv_pid, SIGKILL);
	srv_wait();
}

static void
test_hostile(void)
{
	static const char *const silent[] = { "<GET VAR ups a.b", "S3000", NULL };
	static const char *const drip[] = {
		"<GET VAR ups a.b", "DVAR ups a.b \"drip drip drip drip drip\"", NULL
	};
	static const char *const flood[] = { "<GET VAR ups a.b", "F20000", "S2000", NULL };
	static const char *const gone[] = { "<GET VAR ups a.b", "C", NULL };
	static const char *const partial[] = { "<GET VAR ups a.b", "=VAR ups", "C", NULL };

	hostile("hostile: a silent server times out", silent,
	    UPSCLI_ERR_TIMEOUT, 300, 1500);
	hostile("hostile: a dripping server cannot extend the deadline", drip,
	    UPSCLI_ERR_TIMEOUT, 500, 1500);
	hostile("hostile: an endless line is refused", flood,
	    UPSCLI_ERR_TOOLONG, 2000, 1500);
	hostile("hostile: a vanished server is reported", gone,
	    UPSCLI_ERR_DISCONNECTED, 2000, 1500);
	hostile("hostile: a half line then EOF is reported", partial,
	    UPSCLI_ERR_DISCONNECTED, 2000, 1500);
}

/* Reads LIST VAR ups to its end; returns list_next's last result. */
static int
read_list(struct upscli *c, size_t *items)
{
	const char *q[] = { "VAR", "ups" };
	char **a;
	size_t n;
	int r;

	*items = 0;
	if (upscli_list_start(c, 2, q) < 0)
		return -1;
	while ((r = upscli_list_next(c, 2, q, &n, &a)) == 1)
		(*items)++;
	return r;
}

static void
test_deadlines(void)
{
	/* One item every 400 ms: each line well inside the 1 s line timeout. */
	static const char *const slow_list[] = {
		"<LIST VAR ups", ">BEGIN LIST VAR ups",
		">VAR ups v.1 \"1\"", "S400", ">VAR ups v.2 \"2\"", "S400",
		">VAR ups v.3 \"3\"", "S400", ">VAR ups v.4 \"4\"", "S400",
		">VAR ups v.5 \"5\"", "S400", ">VAR ups v.6 \"6\"", "S400",
		">VAR ups v.7 \"7\"", "S400", ">VAR ups v.8 \"8\"", "S400",
		">END LIST VAR ups", "W", NULL
	};
	static const char *const late_starttls[] = {
		"<STARTTLS", "S900", ">ERR FEATURE-NOT-CONFIGURED", "W", NULL
	};
	struct upscli *c;
	long long t0, ms;
	size_t items;

	TEST_CASE("deadline: a LIST paced under the line timeout ends at the operation's deadline");
	if (!CHECK(srv_start(slow_list) == 0))
		return;
	c = client_op(1000, 1500);
	if (CHECK(c != NULL)) {
		t0 = ms_now();
		CHECK_INT(read_list(c, &items), -1);
		ms = ms_now() - t0;
		printf("# %zu items in %lld ms\n", items, ms);
		CHECK_INT(upscli_error(c), UPSCLI_ERR_TIMEOUT);
		CHECK_STR(upscli_strerror(c), "Server timed out");
		CHECK(ms >= 1400 && ms < 2300);
		CHECK(items >= 2 && items < 8);
		CHECK_INT(upscli_fd(c), -1);
		upscli_close(c);
	}
	kill(srv_pid, SIGKILL);
	srv_wait();

	TEST_CASE("deadline: the same pace inside the operation's deadline is read whole");
	if (!CHECK(srv_start(slow_list) == 0))
		return;
	c = client_op(1000, 10000);
	if (CHECK(c != NULL)) {
		CHECK_INT(read_list(c, &items), 0);
		CHECK_INT(items, 8);
		upscli_close(c);
	}
	CHECK_INT(srv_wait(), 0);

	TEST_CASE("deadline: STARTTLS answered inside the line timeout but after the connect operation's end");
	if (!CHECK(srv_start(late_starttls) == 0))
		return;
	t0 = ms_now();
	c = client_op(1000, 500);
	ms = ms_now() - t0;
	CHECK(c == NULL);
	CHECK(ms < 900);
	kill(srv_pid, SIGKILL);
	srv_wait();
}

/* Points stderr at a new temporary file; returns the saved stderr fd. */
static int
stderr_to_file(char *path, size_t len)
{
	int fd, saved;

	(void)snprintf(path, len, "/tmp/nutsec-upsclient-err.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	fflush(stderr);
	saved = dup(2);
	(void)dup2(fd, 2);
	close(fd);
	return saved;
}

/* Puts stderr back and returns what was written (static, truncated). */
static const char *
stderr_back(int saved, const char *path)
{
	static char text[2048];
	FILE *f;
	size_t n = 0;

	fflush(stderr);
	(void)dup2(saved, 2);
	close(saved);
	f = fopen(path, "r");
	if (f != NULL) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[n] = '\0';
	(void)unlink(path);
	return text;
}

/* How many times needle occurs in hay. */
static int
count_of(const char *hay, const char *needle)
{
	int k = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		k++;
		hay += strlen(needle);
	}
	return k;
}

/*
 * Runs one plaintext session against script with stderr caught: login
 * (when asked) and GET VAR ups a.b. Returns what the library printed, or
 * NULL when the session could not be set up.
 */
static const char *
session_stderr(const char *const *script, int login)
{
	const char *q[] = { "VAR", "ups", "a.b" };
	const char *out;
	struct upscli *c;
	char path[64];
	char **a;
	size_t n;
	int saved;

	if (!CHECK(srv_start(script) == 0))
		return NULL;
	saved = stderr_to_file(path, sizeof(path));
	if (!CHECK(saved >= 0))
		return NULL;
	c = client(2000);
	if (c != NULL) {
		if (login)
			CHECK_INT(upscli_login(c, "u", "p", NULL), 0);
		CHECK_INT(upscli_get(c, 3, q, &n, &a), 0);
		upscli_close(c);
	}
	out = stderr_back(saved, path);
	CHECK(c != NULL);
	CHECK_INT(srv_wait(), 0);
	return out;
}

static void
test_clear_credentials(void)
{
	static const char *const login[] = {
		"<USERNAME u", ">OK", "<PASSWORD p", ">OK",
		"<GET VAR ups a.b", ">VAR ups a.b \"1\"", "W", NULL
	};
	static const char *const get[] = {
		"<GET VAR ups a.b", ">VAR ups a.b \"1\"", "W", NULL
	};
	const char *out;
	char where[64];

	TEST_CASE("clear credentials: after an ERR to STARTTLS, one warning naming FORCESSL");
	out = session_stderr(login, 1);
	if (out != NULL) {
		CHECK_INT(count_of(out, "in clear"), 1);
		CHECK_INT(count_of(out, "FORCESSL"), 1);
		(void)snprintf(where, sizeof(where), "127.0.0.1:%u:", srv_port);
		CHECK_INT(count_of(out, where), 1);
		if (out[0] != '\0' && out[strlen(out) - 1] == '\n')
			printf("# %s", out);
	}

	TEST_CASE("clear credentials: no warning when none are sent");
	out = session_stderr(get, 0);
	if (out != NULL)
		CHECK_STR(out, "");
}

/* Connects with o to the scripted server; returns the handle (maybe failed). */
static struct upscli *
tls_try(struct upscli_opts *o, const char *const *script, int *rc, long long *ms)
{
	struct upscli *c;
	long long t0;

	*rc = -2;
	if (srv_start(script) < 0)
		return NULL;
	o->connect_timeout_ms = 2000;
	c = upscli_new(o);
	t0 = ms_now();
	*rc = upscli_connect(c, "127.0.0.1", srv_port);
	*ms = ms_now() - t0;
	if (*rc < 0)
		printf("# connect: %s\n", upscli_strerror(c));
	return c;
}

#define CHECK_SUB(hay, needle) CHECK(strstr((hay), (needle)) != NULL)

static void
test_tls_policy(void)
{
	static const char *const refuse[] = {
		"<STARTTLS", ">ERR FEATURE-NOT-CONFIGURED", "E", NULL
	};
	static const char *const plain[] = {
		"<GET VAR ups a.b", ">VAR ups a.b \"1\"", "W", NULL
	};
	struct upscli_certhost ch[2];
	struct upscli_opts o;
	struct upscli *c;
	long long ms;
	char **a;
	size_t n;
	int rc;
	const char *q[] = { "VAR", "ups", "a.b" };

	TEST_CASE("tls: FORCESSL and an ERR to STARTTLS: refused, nothing more is sent");
	upscli_opts_init(&o);
	o.forcessl = 1;
	c = tls_try(&o, refuse, &rc, &ms);
	CHECK_INT(rc, -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_TLS_REQUIRED);
	CHECK_STR(upscli_strerror(c), "TLS required but not available: the server "
	    "refused STARTTLS (ERR FEATURE-NOT-CONFIGURED)");
	CHECK_INT(upscli_fd(c), -1);
	upscli_close(c);
	CHECK_INT(srv_wait(), 0);

	TEST_CASE("tls: CERTVERIFY never downgrades to plaintext on ERR");
	upscli_opts_init(&o);
	o.certverify = 1;
	o.certpath = "/nonexistent/nss-db";	/* not opened on this path */
	c = tls_try(&o, refuse, &rc, &ms);
	CHECK_INT(rc, -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_TLS_REQUIRED);
	upscli_close(c);
	CHECK_INT(srv_wait(), 0);

	/* Port 17999 has nothing listening in these tests: a refusal with
	 * TLS (not CONNECT) proves that no connection was tried. */
	TEST_CASE("tls: CERTVERIFY without CERTPATH is refused before connecting");
	upscli_opts_init(&o);
	o.certverify = 1;
	c = upscli_new(&o);
	CHECK_INT(upscli_connect(c, "127.0.0.1", 17999), -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_TLS);
	CHECK_STR(upscli_strerror(c), "SSL error: CERTVERIFY is on but no CERTPATH "
	    "is set: nothing to verify the server against");
	upscli_close(c);

	TEST_CASE("tls: CERTHOST matches host (any case) and port; -1 inherits");
	upscli_opts_init(&o);
	memset(ch, 0, sizeof(ch));
	ch[0].host = "127.0.0.1";
	ch[0].port = 1;		/* another port: does not apply */
	ch[0].certverify = -1;
	ch[0].forcessl = 1;
	o.certhosts = ch;
	o.ncerthosts = 1;
	c = tls_try(&o, plain, &rc, &ms);
	CHECK_INT(rc, 0);	/* plain policy: ERR -> plaintext, as NUT */
	CHECK_INT(upscli_tls_active(c), 0);
	CHECK_INT(upscli_get(c, 3, q, &n, &a), 0);
	upscli_close(c);
	CHECK_INT(srv_wait(), 0);
	ch[0].host = "LOCALHOST";
	ch[0].port = 0;
	ch[0].forcessl = -1;
	o.forcessl = 1;		/* inherited by the entry */
	c = upscli_new(&o);
	CHECK_INT(srv_start(refuse), 0);
	CHECK_INT(upscli_connect(c, "localhost", srv_port), -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_TLS_REQUIRED);
	upscli_close(c);
	CHECK_INT(srv_wait(), 0);
	ch[0].forcessl = 0;	/* the entry overrides the global FORCESSL */
	c = upscli_new(&o);
	CHECK_INT(srv_start(plain), 0);
	CHECK_INT(upscli_connect(c, "localhost", srv_port), 0);
	CHECK_INT(upscli_get(c, 3, q, &n, &a), 0);
	upscli_close(c);
	CHECK_INT(srv_wait(), 0);

	TEST_CASE("connect: unknown host is 'No such host'");
	c = upscli_new(NULL);
	CHECK_INT(upscli_connect(c, "host.invalid", 17999), -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_NOSUCHHOST);
	CHECK_STR(upscli_strerror(c), "No such host");
	upscli_close(c);
}

/* A server that says OK STARTTLS and then misbehaves: the client fails in
 * bounded time with a TLS error, never goes on in plaintext. */
static void
tls_hostile(const char *name, const char *const *script, const char *certident,
    const char *want)
{
	struct upscli_opts o;
	struct upscli *c;
	long long ms;
	int rc;

	TEST_CASE(name);
	upscli_opts_init(&o);
	o.read_timeout_ms = 300;
	o.certident_name = certident;
	c = tls_try(&o, script, &rc, &ms);
	CHECK_INT(rc, -1);
	CHECK_INT(upscli_error(c), UPSCLI_ERR_TLS);
	CHECK_SUB(upscli_strerror(c), want);
	CHECK_INT(upscli_fd(c), -1);
	CHECK(ms < 1500);
	upscli_close(c);
	(void)srv_wait();
}

static void
test_tls_hostile(void)
{
	static const char *const garbage[] = {
		"<STARTTLS", ">OK STARTTLS", "R", "=HTTP/1.0 400 Bad Request\r\n\r\n",
		"S1000", NULL
	};
	static const char *const silent[] = { "<STARTTLS", ">OK STARTTLS", "S2000", NULL };
	static const char *const gone[] = { "<STARTTLS", ">OK STARTTLS", "C", NULL };
	static const char *const inject[] = {
		"<STARTTLS", "=OK STARTTLS\nVAR ups a.b \"1\"\n", "S1000", NULL
	};

	tls_hostile("tls: garbage instead of a ServerHello fails the handshake",
	    garbage, NULL, "SSL error: the server did not speak TLS");
	tls_hostile("tls: a server silent after OK STARTTLS times out", silent, NULL,
	    "SSL error: the server did not complete the TLS handshake in time");
	tls_hostile("tls: a server that hangs up after OK STARTTLS", gone, NULL,
	    "SSL error: the connection was closed during the TLS handshake");
	tls_hostile("tls: plaintext behind OK STARTTLS is refused", inject, NULL,
	    "SSL error: plaintext data after OK STARTTLS");
	tls_hostile("tls: a CERTIDENT that is not in CERTPATH is named", silent,
	    "no-such-cert", "SSL error: client certificate 'no-such-cert' "
	    "(CERTIDENT) not found in CERTPATH");
}

struct mut_state {
	struct upscli *c;
	unsigned long mutants, items, bad_echo, hung, exact;
};

/* Runs LIST VAR ups over a socketpair whose far end holds data and EOF. */
static void
mut_one(const char *data, size_t len, void *arg)
{
	struct mut_state *m = arg;
	const char *q[] = { "VAR", "ups" };
	long long t0 = ms_now();
	char **a;
	size_t n, items = 0;
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	if (len > 0 && write(sv[1], data, len) != (ssize_t)len) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	(void)shutdown(sv[1], SHUT_WR);
	upscli_adopt_fd(m->c, sv[0]);
	m->mutants++;
	if (upscli_list_start(m->c, 2, q) == 0) {
		while ((r = upscli_list_next(m->c, 2, q, &n, &a)) == 1) {
			items++;
			if (n < 2 || strcasecmp(a[0], "VAR") != 0 ||
			    strcasecmp(a[1], "ups") != 0)
				m->bad_echo++;
		}
		if (r == 0 && items == 2)
			m->exact++;
	}
	m->items += items;
	if (ms_now() - t0 > 1000)
		m->hung++;
	upscli_disconnect(m->c);
	close(sv[1]);
}

static void
test_mutated_replies(void)
{
	static const char seed[] =
	    "BEGIN LIST VAR ups\n"
	    "VAR ups battery.charge \"100\"\n"
	    "VAR ups ups.id \"a \\\"q\\\" \\\\ b\"\n"
	    "END LIST VAR ups\n";
	struct upscli_opts o;
	struct mut_state m;

	TEST_CASE("mutated replies: every mutant of a LIST reply ends in a result or an error, never a bad echo");
	memset(&m, 0, sizeof(m));
	upscli_opts_init(&o);
	o.read_timeout_ms = 200;
	m.c = upscli_new(&o);
	mut_one(seed, sizeof(seed) - 1, &m);
	CHECK_INT(m.exact, 1);	/* the seed itself is read exactly */
	mutate_all(seed, sizeof(seed) - 1, 2000, mut_one, &m);
	printf("# %lu mutants, %lu items accepted\n", m.mutants, m.items);
	CHECK(m.mutants > 3000);
	CHECK_INT(m.bad_echo, 0);
	CHECK_INT(m.hung, 0);
	upscli_close(m.c);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_splitname();
	test_get_and_errors();
	test_lists();
	test_requests();
	test_hostile();
	test_deadlines();
	test_clear_credentials();
	test_tls_policy();
	test_tls_hostile();
	test_mutated_replies();
	return test_done();
}
