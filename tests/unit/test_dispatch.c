/*
 * nutsec - test_dispatch.c: upsd's command table and handlers, driven
 * through detached clients (no socket: replies stay in the output buffer)
 * with a real configuration in a temporary directory and a UPS whose
 * "driver" is one end of a socketpair, so forwarded requests can be read
 * back. Every table row is checked for arity errors, unknown forms, the
 * needs-user checks and CMD_ONCE; then NUT's replies and check orders, the
 * authentication replies held alike whatever the verdict, tracking ownership, secret redaction in debug
 * logs, and mutated request streams.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "ev.h"
#include "log.h"
#include "vartree.h"

#include "upsd.h"

#include "mutate.h"
#include "test.h"

static char tmpdir[] = "/tmp/test_dispatch.XXXXXX";
static int drv_peer = -1;		/* the test's end of the fake driver socket */
static char outcopy[1 << 16];

static void
write_file(const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0) {
		perror(path);
		exit(99);
	}
	chmod(path, 0640);
}

/* Feeds input to c; returns everything it answered (and clears it). */
static const char *
run(struct client *c, const char *input)
{
	size_t n;

	client_input(c, input, strlen(input));
	/* Held output (client_hold) has not been sent yet. */
	n = c->paused ? 0 : buf_len(c->out);
	if (n >= sizeof(outcopy))
		n = sizeof(outcopy) - 1;
	memcpy(outcopy, buf_peek(c->out), n);
	outcopy[n] = '\0';
	buf_consume(c->out, n);
	return outcopy;
}

/* What the fake driver received since the last call. */
static const char *
driver_got(void)
{
	static char got[4096];
	ssize_t n = recv(drv_peer, got, sizeof(got) - 1, MSG_DONTWAIT);

	got[n > 0 ? n : 0] = '\0';
	return got;
}

static void
stop_cb(void *arg)
{
	ev_stop();
}

/* Runs the event loop for ms milliseconds (delayed replies fire). */
static void
spin(unsigned ms)
{
	(void)ev_timer_add(ms, stop_cb, NULL);
	(void)ev_run();
}

static struct client *
logged(const char *user, const char *pass, const char *peer)
{
	struct client *c = client_new_detached(peer);
	char line[256];

	snprintf(line, sizeof(line), "USERNAME %s\nPASSWORD %s\n", user, pass);
	(void)run(c, line);
	return c;
}

static void
ignore_fd(int fd, unsigned events, void *arg)
{
}

static void
setup(void)
{
	struct upsd_opts o;
	struct ups *u;
	struct vt_var *v;
	int sp[2];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	write_file("upsd.conf", "MAXAGE 15\n");
	write_file("ups.conf", "[ups1]\n driver = fake\n port = none\n desc = \"First \\\"one\\\"\"\n"
	    "[down]\n driver = fake\n port = none\n");
	write_file("upsd.users",
	    "[admin]\n password = \"s3cret\"\n actions = SET FSD\n instcmds = ALL\n upsmon primary\n"
	    "[mon]\n password = monpw\n upsmon secondary\n"
	    "[cmd]\n password = cmdpw\n instcmds = load.on\n");
	write_file("cmdvartab", "VARDESC ups.status \"Status of the UPS\"\n"
	    "CMDDESC load.on \"Load on\"\n");
	setenv("NUT_CONFPATH", tmpdir, 1);
	setenv("NUT_STATEPATH", tmpdir, 1);
	setenv("NUT_DATAPATH", tmpdir, 1);
	log_init("test_dispatch", 0, LOG_TO_STDERR);
	if (ev_init() != 0) {
		perror("ev_init");
		exit(99);
	}
	memset(&o, 0, sizeof(o));
	if (state_load(&o, 0) != 0 || state_apply_limits(1) != 0) {
		fprintf(stderr, "state_load failed\n");
		exit(99);
	}
	/* ups1: "connected" to a socketpair, with a small tree. */
	u = ups_find("ups1");
	if (u == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0)
		exit(99);
	u->drv.fd = sp[0];
	drv_peer = sp[1];
	(void)ev_fd_add(sp[0], 0, ignore_fd, NULL);
	u->drv.last_heard = ev_now();
	u->drv.dumpdone = 1;
	(void)vt_set(u->tree, "ups.status", "OL", NULL);
	(void)vt_set(u->tree, "battery.charge", "100", NULL);
	v = vt_set(u->tree, "ups.id", "a \"q\" b", NULL);
	vt_set_flags(v, VT_RW | VT_STRING);
	vt_set_aux(v, 8);
	v = vt_set(u->tree, "input.sensitivity", "M", NULL);
	vt_set_flags(v, VT_RW);
	(void)vt_enum_add(v, "L");
	(void)vt_enum_add(v, "M");
	v = vt_set(u->tree, "input.transfer.low", "180", NULL);
	vt_set_flags(v, VT_RW | VT_NUMBER);
	(void)vt_range_add(v, 160, 190);
	(void)vt_cmd_add(u->tree, "load.on");
	(void)vt_cmd_add(u->tree, "load.off");
}

/* Builds "VERB [SUB] a1 a2 ..." with n arguments. */
static void
row_line(char *out, size_t outlen, const struct cmd *r, int n)
{
	int i;

	snprintf(out, outlen, "%s%s%s", r->verb, r->sub ? " " : "", r->sub ? r->sub : "");
	for (i = 0; i < n; i++)
		strncat(out, " ups1", outlen - strlen(out) - 1);
	strncat(out, "\n", outlen - strlen(out) - 1);
}

static void
test_table_rows(void)
{
	const struct cmd *t;
	size_t n, i;
	char line[256], want[64];

	t = dispatch_table(&n);
	TEST_CASE("every row: too few arguments is INVALID-ARGUMENT");
	for (i = 0; i < n; i++) {
		struct client *c = logged("admin", "s3cret", "192.0.2.1");

		if (t[i].min_args == 0)
			continue;
		row_line(line, sizeof(line), &t[i], t[i].min_args - 1);
		if (!CHECK_STR(run(c, line), "ERR INVALID-ARGUMENT\n"))
			printf("# row %s %s\n", t[i].verb, t[i].sub ? t[i].sub : "");
		client_close(c, "test");
	}
	TEST_CASE("every bounded row: too many arguments is INVALID-ARGUMENT");
	for (i = 0; i < n; i++) {
		struct client *c = logged("admin", "s3cret", "192.0.2.1");

		if (t[i].max_args == CMD_ANY)
			continue;
		row_line(line, sizeof(line), &t[i], t[i].max_args + 1);
		if (!CHECK_STR(run(c, line), "ERR INVALID-ARGUMENT\n"))
			printf("# row %s %s\n", t[i].verb, t[i].sub ? t[i].sub : "");
		client_close(c, "test");
	}
	TEST_CASE("every CMD_USER row: USERNAME-REQUIRED, then PASSWORD-REQUIRED");
	for (i = 0; i < n; i++) {
		struct client *c;

		if (!(t[i].flags & CMD_USER))
			continue;
		c = client_new_detached("192.0.2.2");
		/* Checked before arity and sub-command, as NUT does. */
		row_line(line, sizeof(line), &t[i], 0);
		CHECK_STR(run(c, line), "ERR USERNAME-REQUIRED\n");
		CHECK_STR(run(c, "USERNAME x\n"), "OK\n");
		CHECK_STR(run(c, line), "ERR PASSWORD-REQUIRED\n");
		client_close(c, "test");
	}
	TEST_CASE("rows without CMD_USER need no credentials");
	for (i = 0; i < n; i++) {
		struct client *c;
		const char *r;

		if (t[i].flags & CMD_USER)
			continue;
		c = client_new_detached("192.0.2.3");
		row_line(line, sizeof(line), &t[i], t[i].min_args);
		r = run(c, line);
		CHECK(strstr(r, "REQUIRED") == NULL);
		client_close(c, "test");
	}
	TEST_CASE("every CMD_ONCE row answers its own error the second time");
	for (i = 0; i < n; i++) {
		struct client *c;

		if (!(t[i].flags & CMD_ONCE))
			continue;
		c = logged("admin", "s3cret", "192.0.2.4");
		if (strcmp(t[i].verb, "LOGIN") == 0)
			CHECK_STR(run(c, "LOGIN ups1\n"), "OK\n");
		snprintf(line, sizeof(line), "%s ups1\n", t[i].verb);
		snprintf(want, sizeof(want), "ERR %s\n", proto_err_name(t[i].once_err));
		CHECK_STR(run(c, line), want);
		client_close(c, "test");
	}
	TEST_CASE("every row with a sub-command: an unknown one is INVALID-ARGUMENT");
	for (i = 0; i < n; i++) {
		struct client *c;

		if (t[i].sub == NULL)
			continue;
		c = logged("admin", "s3cret", "192.0.2.5");
		snprintf(line, sizeof(line), "%s NOSUCHSUB a b c\n", t[i].verb);
		CHECK_STR(run(c, line), "ERR INVALID-ARGUMENT\n");
		snprintf(line, sizeof(line), "%s\n", t[i].verb);
		CHECK_STR(run(c, line), "ERR INVALID-ARGUMENT\n");
		client_close(c, "test");
	}
}

static void
test_basics(void)
{
	struct client *c = client_new_detached("127.0.0.1");

	TEST_CASE("unknown verbs and empty lines");
	CHECK_STR(run(c, "FROB\n"), "ERR UNKNOWN-COMMAND\n");
	CHECK_STR(run(c, "\n"), "ERR UNKNOWN-COMMAND\n");
	CHECK_STR(run(c, "# just a comment\r\n"), "ERR UNKNOWN-COMMAND\n");
	CHECK_STR(run(c, "LIST CLIENTS ups1\n"), "ERR INVALID-ARGUMENT\n");

	TEST_CASE("VER, NETVER, PROTVER, HELP");
	CHECK_STR(run(c, "ver\n"), "Network UPS Tools upsd " PACKAGE_VERSION " - nutsec\n");
	CHECK_STR(run(c, "NETVER\nPROTVER\n"), "1.3\n1.3\n");
	CHECK(strncmp(run(c, "HELP\n"), "Commands: HELP VER", 18) == 0);
	CHECK_STR(run(c, "STARTTLS\n"), "ERR FEATURE-NOT-CONFIGURED\n");

	TEST_CASE("parse errors answer INVALID-ARGUMENT and the connection goes on");
	CHECK_STR(run(c, "GET VAR ups1 \"a#b\"\nNETVER\n"), "ERR INVALID-ARGUMENT\n1.3\n");
	CHECK_STR(run(c, "GET VAR ups1 \"open\nNETVER\n"), "ERR INVALID-ARGUMENT\n1.3\n");

	TEST_CASE("GET VAR and its check order");
	CHECK_STR(run(c, "GET VAR ups1 ups.status\n"), "VAR ups1 ups.status \"OL\"\n");
	CHECK_STR(run(c, "get var UPS1 UPS.STATUS\n"), "VAR UPS1 UPS.STATUS \"OL\"\n");
	CHECK_STR(run(c, "GET VAR ups1 ups.id\n"), "VAR ups1 ups.id \"a \\\"q\\\" b\"\n");
	CHECK_STR(run(c, "GET VAR \"ups1\" ups.status\n"), "VAR ups1 ups.status \"OL\"\n");
	CHECK_STR(run(c, "GET VAR nope ups.status\n"), "ERR UNKNOWN-UPS\n");
	CHECK_STR(run(c, "GET VAR down ups.status\n"), "ERR DRIVER-NOT-CONNECTED\n");
	CHECK_STR(run(c, "GET VAR ups1 no.such\n"), "ERR VAR-NOT-SUPPORTED\n");
	CHECK_STR(run(c, "GET VAR whatever server.version\n"),
	    "VAR whatever server.version \"" PACKAGE_VERSION "\"\n");
	CHECK_STR(run(c, "GET VAR x server.other\n"), "ERR VAR-NOT-SUPPORTED\n");

	TEST_CASE("verb and sub-command lookup: any case, whole words, letters only");
	CHECK_STR(run(c, "gEt VaR ups1 ups.status\n"), "VAR ups1 ups.status \"OL\"\n");
	CHECK_STR(run(c, "GET numlogins ups1\n"), "NUMLOGINS ups1 0\n");	/* 9 bytes */
	CHECK_STR(run(c, "GET NUMLOGIN ups1\n"), "ERR INVALID-ARGUMENT\n");
	CHECK_STR(run(c, "GET NUMLOGINSS ups1\n"), "ERR INVALID-ARGUMENT\n");
	CHECK_STR(run(c, "GET VARS ups1 ups.status\n"), "ERR INVALID-ARGUMENT\n");
	CHECK_STR(run(c, "GET VA ups1 ups.status\n"), "ERR INVALID-ARGUMENT\n");
	/* '@' and '`' differ from letters only in bit 0x20 and 0x40 */
	CHECK_STR(run(c, "GET V@R ups1 ups.status\n"), "ERR INVALID-ARGUMENT\n");
	CHECK_STR(run(c, "G`T VAR ups1 ups.status\n"), "ERR UNKNOWN-COMMAND\n");
	CHECK_STR(run(c, "GE VAR ups1 ups.status\n"), "ERR UNKNOWN-COMMAND\n");
	CHECK_STR(run(c, "GETT VAR ups1 ups.status\n"), "ERR UNKNOWN-COMMAND\n");
	CHECK_STR(run(c, "STARTTLSX\n"), "ERR UNKNOWN-COMMAND\n");
	CHECK_STR(run(c, "STARTTLS1\n"), "ERR UNKNOWN-COMMAND\n");
	CHECK_STR(run(c, "Netver\nnetVER\n"), "1.3\n1.3\n");
	CHECK_STR(run(c, "NET\n"), "ERR UNKNOWN-COMMAND\n");

	TEST_CASE("GET TYPE, DESC, CMDDESC, UPSDESC, NUMLOGINS");
	CHECK_STR(run(c, "GET TYPE ups1 ups.id\n"), "TYPE ups1 ups.id RW STRING:8\n");
	CHECK_STR(run(c, "GET TYPE ups1 input.sensitivity\n"),
	    "TYPE ups1 input.sensitivity RW ENUM NUMBER\n");
	CHECK_STR(run(c, "GET TYPE ups1 input.transfer.low\n"),
	    "TYPE ups1 input.transfer.low RW RANGE NUMBER\n");
	CHECK_STR(run(c, "GET TYPE ups1 battery.charge\n"), "TYPE ups1 battery.charge NUMBER\n");
	CHECK_STR(run(c, "GET DESC ups1 ups.status\n"),
	    "DESC ups1 ups.status \"Status of the UPS\"\n");
	CHECK_STR(run(c, "GET DESC ups1 upstream.ups.status\n"),
	    "DESC ups1 upstream.ups.status \"Status of the UPS\"\n");
	CHECK_STR(run(c, "GET DESC ups1 no.such\n"),
	    "DESC ups1 no.such \"Description unavailable\"\n");
	CHECK_STR(run(c, "GET CMDDESC ups1 LOAD.ON\n"), "CMDDESC ups1 LOAD.ON \"Load on\"\n");
	CHECK_STR(run(c, "GET UPSDESC ups1\n"), "UPSDESC ups1 \"First \\\"one\\\"\"\n");
	CHECK_STR(run(c, "GET UPSDESC down\n"), "UPSDESC down \"Unavailable\"\n");
	CHECK_STR(run(c, "GET NUMLOGINS ups1\n"), "NUMLOGINS ups1 0\n");
	CHECK_STR(run(c, "GET NUMLOGINS down\n"), "ERR DRIVER-NOT-CONNECTED\n");

	TEST_CASE("LIST framing, order and errors");
	CHECK_STR(run(c, "LIST UPS\n"), "BEGIN LIST UPS\nUPS ups1 \"First \\\"one\\\"\"\n"
	    "UPS down \"Description unavailable\"\nEND LIST UPS\n");
	CHECK_STR(run(c, "LIST VAR ups1\n"), "BEGIN LIST VAR ups1\n"
	    "VAR ups1 battery.charge \"100\"\nVAR ups1 input.sensitivity \"M\"\n"
	    "VAR ups1 input.transfer.low \"180\"\nVAR ups1 ups.id \"a \\\"q\\\" b\"\n"
	    "VAR ups1 ups.status \"OL\"\nEND LIST VAR ups1\n");
	CHECK_STR(run(c, "LIST CMD ups1\n"),
	    "BEGIN LIST CMD ups1\nCMD ups1 load.off\nCMD ups1 load.on\nEND LIST CMD ups1\n");
	CHECK_STR(run(c, "LIST ENUM ups1 input.sensitivity\n"),
	    "BEGIN LIST ENUM ups1 input.sensitivity\nENUM ups1 input.sensitivity \"L\"\n"
	    "ENUM ups1 input.sensitivity \"M\"\nEND LIST ENUM ups1 input.sensitivity\n");
	CHECK_STR(run(c, "LIST RANGE ups1 input.transfer.low\n"),
	    "BEGIN LIST RANGE ups1 input.transfer.low\n"
	    "RANGE ups1 input.transfer.low \"160\" \"190\"\n"
	    "END LIST RANGE ups1 input.transfer.low\n");
	CHECK_STR(run(c, "LIST ENUM ups1 no.such\n"), "ERR VAR-NOT-SUPPORTED\n");
	CHECK_STR(run(c, "LIST VAR down\n"), "ERR DRIVER-NOT-CONNECTED\n");
	CHECK_STR(run(c, "LIST CLIENT down\n"), "BEGIN LIST CLIENT down\nEND LIST CLIENT down\n");

	TEST_CASE("LIST VAR, RW and CMD quote a driver's name with tokenizer characters");
	{
		struct ups *u = ups_find("ups1");
		struct vt_var *v = vt_set(u->tree, "x\\y#z", "1", NULL);

		CHECK(v != NULL && vt_cmd_add(u->tree, "a=b") == 0);
		vt_set_flags(v, VT_RW);
		CHECK_STR(run(c, "LIST RW ups1\n"), "BEGIN LIST RW ups1\n"
		    "RW ups1 input.sensitivity \"M\"\nRW ups1 input.transfer.low \"180\"\n"
		    "RW ups1 ups.id \"a \\\"q\\\" b\"\nRW ups1 \"x\\\\y\\#z\" \"1\"\n"
		    "END LIST RW ups1\n");
		CHECK_STR(run(c, "LIST CMD ups1\n"), "BEGIN LIST CMD ups1\nCMD ups1 \"a=b\"\n"
		    "CMD ups1 load.off\nCMD ups1 load.on\nEND LIST CMD ups1\n");
		(void)vt_del(u->tree, "x\\y#z");
		(void)vt_cmd_del(u->tree, "a=b");
	}

	TEST_CASE("pipelined requests are answered in order");
	CHECK_STR(run(c, "NETVER\nGET VAR ups1 ups.status\nFROB\nNETVER\n"),
	    "1.3\nVAR ups1 ups.status \"OL\"\nERR UNKNOWN-COMMAND\n1.3\n");

	TEST_CASE("a line over 4096 bytes: LINE-TOO-LONG and close");
	{
		static char big[5000];

		memset(big, 'A', sizeof(big) - 1);
		CHECK_STR(run(c, big), "ERR LINE-TOO-LONG\n");
		CHECK(c->want_close);
	}
	client_close(c, "test");

	TEST_CASE("LOGOUT answers and closes, ignoring what follows");
	c = client_new_detached("127.0.0.1");
	CHECK_STR(run(c, "LOGOUT\nNETVER\n"), "OK Goodbye\n");
	CHECK(c->want_close);
	client_close(c, "test");
}

/* A word as a request carries it: bare if plain, else quoted with escapes. */
static void
req_word(char *out, size_t outlen, const char *w)
{
	size_t o = 0;
	int plain = w[0] != '\0' && strpbrk(w, " =#\"\\") == NULL;

	if (plain) {
		snprintf(out, outlen, "%s", w);
		return;
	}
	out[o++] = '"';
	for (; *w != '\0' && o + 3 < outlen; w++) {
		if (*w == '"' || *w == '\\' || *w == '#')
			out[o++] = '\\';
		out[o++] = *w;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/*
 * GET VAR builds its reply in one append; the oracle is the same line made
 * with the piecewise helpers (reply_arg, reply_quoted) on another client.
 */
static void
test_get_var_reply(void)
{
	static const char *names[] = { "ups.status", "x", "a=b", "q\"uote", "back\\slash",
	    "h#sh", "UPPER.Case", "sp@cial`chars{}[]~!$%^&*()", "=", "\"" };
	static const char *values[] = { "", "OL", "a \"q\" b", "\\\\", "###", "=",
	    "with spaces and \ttab", "\"\"\"\"" };
	static const char *upsnames[] = { "ups1", "UPS1", "\"ups1\"" };
	struct client *c = client_new_detached("127.0.0.1");
	struct client *o = client_new_detached("127.0.0.1");
	struct ups *u = ups_find("ups1");
	char req[2048], wn[600], want[4096], big[VT_VALUE_MAX + 1];
	size_t i, j, k, bad = 0, n = 0;

	TEST_CASE("GET VAR's one-append reply equals the piecewise reply");
	memset(big, '"', VT_VALUE_MAX);	/* the most a value can expand */
	big[VT_VALUE_MAX] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (j = 0; j <= sizeof(values) / sizeof(values[0]); j++) {
			const char *val = j < sizeof(values) / sizeof(values[0]) ? values[j] : big;

			if (vt_set(u->tree, names[i], val, NULL) == NULL) {
				bad++;
				continue;
			}
			for (k = 0; k < sizeof(upsnames) / sizeof(upsnames[0]); k++) {
				const char *r;

				req_word(wn, sizeof(wn), names[i]);
				snprintf(req, sizeof(req), "GET VAR %s %s\n", upsnames[k], wn);
				r = run(c, req);
				reply_str(o, "VAR ");
				reply_arg(o, k == 1 ? "UPS1" : "ups1");
				reply_raw(o, " ", 1);
				reply_arg(o, names[i]);
				reply_raw(o, " ", 1);
				reply_quoted(o, val);
				reply_raw(o, "\n", 1);
				snprintf(want, sizeof(want), "%.*s", (int)buf_len(o->out),
				    buf_peek(o->out));
				buf_consume(o->out, buf_len(o->out));
				n++;
				if (strcmp(r, want) != 0) {
					bad++;
					printf("# %s# got  %s# want %s", req, r, want);
				}
			}
		}
		if (strcmp(names[i], "ups.status") != 0)
			(void)vt_del(u->tree, names[i]);
	}
	(void)vt_set(u->tree, "ups.status", "OL", NULL);
	CHECK_INT(bad, 0);
	CHECK(n > 250);
	CHECK_STR(run(c, "GET VAR ups1 ups.status\n"), "VAR ups1 ups.status \"OL\"\n");
	client_close(c, "test");
	client_close(o, "test");
}

/* mon from 10.1.0.3 sends line: nothing for early ms, then want. */
static void
held_reply(const char *line, unsigned early, unsigned late, const char *want)
{
	struct client *c = logged("mon", "monpw", "10.1.0.3");

	CHECK_STR(run(c, line), "");
	CHECK(c->paused);
	spin(early);
	CHECK_STR(run(c, ""), "");
	spin(late);
	CHECK_STR(run(c, ""), want);
	client_close(c, "test");
}

static void
test_auth(void)
{
	struct client *c, *d;
	struct ups *u = ups_find("ups1");

	TEST_CASE("LOGIN: order, count, LIST CLIENT, logout drops the count");
	c = logged("mon", "monpw", "10.1.0.1");
	CHECK_STR(run(c, "LOGIN nope\n"), "ERR UNKNOWN-UPS\n");
	CHECK_STR(run(c, "LOGIN ups1\n"), "OK\n");
	CHECK_STR(run(c, "LOGIN ups1\n"), "ERR ALREADY-LOGGED-IN\n");
	CHECK_INT(u->numlogins, 1);
	CHECK_STR(run(c, "LIST CLIENT UPS1\n"),
	    "BEGIN LIST CLIENT UPS1\nCLIENT ups1 10.1.0.1\nEND LIST CLIENT UPS1\n");
	/* A missing permission counts as a failure: the next verdict is held. */
	CHECK_STR(run(c, "PRIMARY ups1\n"), "ERR ACCESS-DENIED\n");
	CHECK_STR(run(c, "FSD ups1\n"), "");
	spin(400);
	CHECK_STR(run(c, ""), "ERR ACCESS-DENIED\n");
	client_close(c, "test");
	CHECK_INT(u->numlogins, 0);

	TEST_CASE("PRIMARY/MASTER/FSD for a primary; FSD latch shows in VAR not RW");
	c = logged("admin", "s3cret", "10.1.0.2");
	CHECK_STR(run(c, "PRIMARY ups1\n"), "OK PRIMARY-GRANTED\n");
	CHECK_STR(run(c, "MASTER ups1\n"), "OK MASTER-GRANTED\n");
	CHECK_STR(run(c, "FSD ups1\n"), "OK FSD-SET\n");
	CHECK_STR(run(c, "GET VAR ups1 ups.status\n"), "VAR ups1 ups.status \"FSD OL\"\n");
	CHECK(strstr(run(c, "LIST VAR ups1\n"), "VAR ups1 ups.status \"FSD OL\"\n") != NULL);
	u->fsd = 0;
	client_close(c, "test");

	TEST_CASE("after a failure, every verdict from the address is held alike");
	c = logged("admin", "wrong", "10.1.0.3");
	CHECK_STR(run(c, "LOGIN ups1\n"), "ERR ACCESS-DENIED\n");
	client_close(c, "test");
	c = logged("admin", "wrong", "10.1.0.3");
	CHECK_STR(run(c, "LOGIN ups1\nNETVER\n"), "");
	CHECK(c->paused);
	spin(400);
	CHECK_STR(run(c, ""), "ERR ACCESS-DENIED\n1.3\n");
	CHECK(!c->paused);
	client_close(c, "test");
	/* the right password, without the permission: the same reply, held;
	   and a success is held as long (three failures: 1 s) */
	held_reply("PRIMARY ups1\n", 400, 700, "ERR ACCESS-DENIED\n");
	held_reply("LOGIN ups1\n", 700, 500, "OK\n");
	c = logged("nosuchuser", "x", "10.1.0.4");
	CHECK_STR(run(c, "FSD ups1\n"), "ERR ACCESS-DENIED\n");
	client_close(c, "test");

	TEST_CASE("SET VAR: checks in NUT's order, forwarded quoted");
	c = logged("admin", "s3cret", "10.1.0.5");
	CHECK_STR(run(c, "SET VAR nope ups.id x\n"), "ERR UNKNOWN-UPS\n");
	CHECK_STR(run(c, "SET VAR down ups.id x\n"), "ERR DRIVER-NOT-CONNECTED\n");
	CHECK_STR(run(c, "SET VAR ups1 no.such x\n"), "ERR VAR-NOT-SUPPORTED\n");
	CHECK_STR(run(c, "SET VAR ups1 battery.charge 5\n"), "ERR READONLY\n");
	CHECK_STR(run(c, "SET VAR ups1 ups.id 123456789\n"), "ERR TOO-LONG\n");
	CHECK_STR(run(c, "SET VAR ups1 input.sensitivity H\n"), "ERR INVALID-VALUE\n");
	CHECK_STR(run(c, "SET VAR ups1 input.transfer.low 200\n"), "ERR INVALID-VALUE\n");
	CHECK_STR(run(c, "SET VAR ups1 input.transfer.low 17x\n"), "ERR INVALID-VALUE\n");
	(void)driver_got();
	CHECK_STR(run(c, "SET VAR ups1 ups.id \"a b\"\n"), "OK\n");
	CHECK_STR(driver_got(), "SET ups.id \"a b\"\n");
	CHECK_STR(run(c, "SET VAR ups1 input.transfer.low 170 ignored\n"), "OK\n");
	CHECK_STR(driver_got(), "SET input.transfer.low \"170\"\n");
	client_close(c, "test");
	c = logged("mon", "monpw", "10.1.0.6");
	CHECK_STR(run(c, "SET VAR ups1 ups.id x\n"), "ERR ACCESS-DENIED\n");
	client_close(c, "test");

	TEST_CASE("INSTCMD: existence before permission, parameter only with 3 words");
	c = logged("cmd", "cmdpw", "10.1.0.7");
	CHECK_STR(run(c, "INSTCMD ups1 no.such\n"), "ERR CMD-NOT-SUPPORTED\n");
	CHECK_STR(run(c, "INSTCMD ups1 LOAD.ON\n"), "OK\n");
	CHECK_STR(driver_got(), "INSTCMD LOAD.ON\n");
	CHECK_STR(run(c, "INSTCMD ups1 load.on \"10 s\"\n"), "OK\n");
	CHECK_STR(driver_got(), "INSTCMD load.on \"10 s\"\n");
	CHECK_STR(run(c, "INSTCMD ups1 load.on 1 2\n"), "OK\n");
	CHECK_STR(driver_got(), "INSTCMD load.on\n");
	CHECK_STR(run(c, "INSTCMD ups1 load.off\n"), "ERR ACCESS-DENIED\n");
	CHECK_STR(driver_got(), "");
	client_close(c, "test");

	TEST_CASE("tracking: ids, results (from that UPS's driver, once), visible only to their connection");
	c = logged("admin", "s3cret", "10.1.0.8");
	d = logged("admin", "s3cret", "10.1.0.9");
	CHECK_STR(run(c, "GET TRACKING\n"), "OFF\n");
	CHECK_STR(run(c, "GET TRACKING 0\n"), "ERR FEATURE-NOT-CONFIGURED\n");
	CHECK_STR(run(c, "SET TRACKING maybe\n"), "ERR INVALID-ARGUMENT\n");
	CHECK_STR(run(c, "SET TRACKING on\n"), "OK\n");
	CHECK_STR(run(d, "SET TRACKING ON\n"), "OK\n");
	{
		char id[64], q[128];
		const char *r = run(c, "INSTCMD ups1 load.on\n");

		CHECK(strncmp(r, "OK TRACKING ", 12) == 0 && strlen(r) == 12 + 36 + 1);
		snprintf(id, sizeof(id), "%.36s", r + 12);
		CHECK(strstr(driver_got(), id) != NULL);
		snprintf(q, sizeof(q), "GET TRACKING %s\n", id);
		CHECK_STR(run(c, q), "PENDING\n");
		CHECK_STR(run(d, q), "ERR UNKNOWN\n");
		/* another UPS's driver cannot answer it */
		tracking_result(NULL, id, 3);
		CHECK_STR(run(c, q), "PENDING\n");
		tracking_result(ups_find("ups1"), id, 0);
		CHECK_STR(run(c, q), "SUCCESS\n");
		/* the first result stands */
		tracking_result(ups_find("ups1"), id, 3);
		CHECK_STR(run(c, q), "SUCCESS\n");
		r = run(c, "INSTCMD ups1 load.on\n");
		snprintf(id, sizeof(id), "%.36s", r + 12);
		snprintf(q, sizeof(q), "GET TRACKING %s\n", id);
		tracking_result(ups_find("ups1"), id, 3);
		CHECK_STR(run(c, q), "ERR FAILED\n");
		r = run(c, "INSTCMD ups1 load.on\n");
		snprintf(id, sizeof(id), "%.36s", r + 12);
		snprintf(q, sizeof(q), "GET TRACKING %s\n", id);
		tracking_result(ups_find("ups1"), id, 4);
		CHECK_STR(run(c, q), "ERR INVALID-ARGUMENT\n");
		client_close(c, "test");
		CHECK_INT(tracking_count(), 0);
	}
	client_close(d, "test");
	c = client_new_detached("10.1.0.10");
	CHECK_STR(run(c, "SET TRACKING ON\n"), "ERR USERNAME-REQUIRED\n");
	client_close(c, "test");
}

/* Debug logs at the highest level never carry a PASSWORD argument. */
static void
test_redaction(void)
{
	char logpath[512], text[65536];
	struct client *c;
	int fd, saved;
	ssize_t n;

	TEST_CASE("secret arguments are redacted from debug logs");
	snprintf(logpath, sizeof(logpath), "%s/log", tmpdir);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	(void)dup2(fd, STDERR_FILENO);
	log_set_level(3);
	c = client_new_detached("10.2.0.1");
	(void)run(c, "USERNAME admin\nPASSWORD hunter2secret\nPASSWORD \"hunter2 quoted\"\n"
	    "FROB hunter2unknown\nLOGIN ups1\n");
	client_close(c, "test");
	log_set_level(0);
	fflush(stderr);
	(void)dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	fd = open(logpath, O_RDONLY);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	CHECK(strstr(text, "USERNAME admin") != NULL);
	CHECK(strstr(text, "redacted") != NULL);
	CHECK(strstr(text, "hunter2") == NULL);
}

static void
mutant(const char *data, size_t len, void *arg)
{
	struct client *c = client_new_detached("10.3.0.1");
	size_t n;

	client_input(c, data, len);
	n = buf_len(c->out);
	/* Whatever came in, only whole reply lines go out. */
	if (n > 0 && buf_peek(c->out)[n - 1] != '\n')
		(*(int *)arg)++;
	client_close(c, "test");
}

static void
test_backoff(void)
{
	static const unsigned want[] = { 0, 250, 500, 1000, 2000, 4000, 4000, 4000, 4000, 4000 };
	int locked, i;

	TEST_CASE("authentication delay: grows per address, capped, lockout, IPv6 per /64");
	for (i = 0; i < 10; i++) {
		CHECK_INT(backoff_check("198.51.100.1", &locked), want[i]);
		CHECK_INT(locked, 0);
		CHECK_INT(backoff_fail("198.51.100.1"), i == 0);
	}
	CHECK_INT(backoff_check("198.51.100.1", &locked), 4000);
	CHECK_INT(locked, 1);
	CHECK_INT(backoff_check("198.51.100.2", &locked), 0);
	CHECK_INT(locked, 0);
	CHECK_INT(backoff_fail("2001:db8:0:1::1"), 1);
	CHECK_INT(backoff_check("2001:db8:0:1:ffff::2", &locked), 250);
	CHECK_INT(backoff_check("2001:db8:0:2::1", &locked), 0);
}

static ssize_t
fake_read(struct client *c, void *p, size_t n)
{
	return 0;
}

static ssize_t
fake_write(struct client *c, const void *p, size_t n)
{
	return (ssize_t)n;
}

static const struct client_io fake_io = { .name = "fake", .read = fake_read,
    .write = fake_write };

static void
test_switch_io(void)
{
	struct client *c = client_new_detached("10.4.0.1");
	const struct client_io *plain = c->io;

	TEST_CASE("a transport switch discards plaintext sent behind it");
	CHECK_STR(run(c, "NETVER\nNET"), "1.3\n");
	client_switch_io(c, &fake_io);
	/* Queued replies leave through the old transport first. */
	CHECK(c->io == plain);
	CHECK_STR(run(c, "VER\nGET VAR ups1 ups.status\n"), "");
	CHECK(c->io == &fake_io);
	CHECK_INT(buf_len(c->in), 0);
	CHECK_STR(run(c, "NETVER\n"), "1.3\n");
	client_close(c, "test");
}

static unsigned rests;

static void
count_rest(struct client *c)
{
	(void)c;
	rests++;
}

static const struct client_io resting_io = { .name = "resting", .read = fake_read,
    .write = fake_write, .rest = count_rest };

static int
never(const struct client *c)
{
	(void)c;
	return 0;
}

/* a transport that has nothing to shed now (a TLS 1.2 session) */
static const struct client_io kept_io = { .name = "kept", .read = fake_read,
    .write = fake_write, .rest = count_rest, .can_rest = never };

static void
test_awake(void)
{
	enum { N = UPSD_AWAKE_MAX + 3 };
	static struct client *cs[N];
	struct client *plain = client_new_detached("10.5.1.1");
	int i;

	TEST_CASE("at most UPSD_AWAKE_MAX sessions keep what their transport can shed");
	for (i = 0; i < N; i++) {
		cs[i] = client_new_detached("10.5.0.1");
		cs[i]->io = &resting_io;
		CHECK_STR(run(cs[i], "NETVER\n"), "1.3\n");
	}
	/* the three least recently woken rested, the others not */
	CHECK_INT(rests, 3);
	for (i = 0; i < N; i++)
		CHECK_INT(cs[i]->rested, i < 3);
	/* a rested one speaks: it wakes, and the least recent awake one rests */
	CHECK_STR(run(cs[0], "NETVER\n"), "1.3\n");
	CHECK_INT(rests, 4);
	CHECK_INT(cs[0]->rested, 0);
	CHECK_INT(cs[3]->rested, 1);
	CHECK_INT(cs[4]->rested, 0);
	/* an awake one speaking only moves to the end */
	CHECK_STR(run(cs[10], "NETVER\n"), "1.3\n");
	CHECK_INT(rests, 4);
	/* a connection whose transport sheds nothing is not counted */
	for (i = 0; i < 5; i++)
		CHECK_STR(run(plain, "NETVER\n"), "1.3\n");
	plain->io = &kept_io;
	CHECK_STR(run(plain, "NETVER\n"), "1.3\n");
	CHECK_INT(rests, 4);
	/* closing an awake session frees its place */
	client_close(cs[5], "test");
	cs[5] = NULL;
	client_wake(cs[1]);
	CHECK_INT(rests, 4);
	CHECK_INT(cs[1]->rested, 0);
	client_wake(cs[2]);
	CHECK_INT(rests, 5);
	CHECK_INT(cs[4]->rested, 1);
	CHECK_INT(cs[10]->rested, 0);
	for (i = 0; i < N; i++)
		if (cs[i] != NULL)
			client_close(cs[i], "test");
	client_close(plain, "test");
}

static void
test_mutants(void)
{
	static const char seed[] =
	    "USERNAME mon\nPASSWORD monpw\nGET VAR ups1 ups.status\n"
	    "LIST VAR ups1\nGET TYPE ups1 ups.id\nLIST ENUM ups1 input.sensitivity\n"
	    "SET VAR ups1 ups.id \"x\"\nGET TRACKING\nLIST UPS\n";
	int bad = 0;
	unsigned long n;

	TEST_CASE("mutated request streams: no crash, whole reply lines only");
	n = mutate_all(seed, sizeof(seed) - 1, 2000, mutant, &bad);
	CHECK(n > 1000);
	CHECK_INT(bad, 0);
	(void)driver_got();
}

int
main(void)
{
	char cmd[600];

	setup();
	test_table_rows();
	test_basics();
	test_get_var_reply();
	test_auth();
	test_redaction();
	test_switch_io();
	test_awake();
	test_backoff();
	test_mutants();
	client_close_all();
	ups_free_all();
	dispatch_fini();
	state_free();
	ev_fini();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return test_done();
}
