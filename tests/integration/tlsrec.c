/*
 * nutsec tests - tlsrec: an adversarial TLS 1.3 peer for upsd's record
 * layer (RFC 8446 section 5, KeyUpdate 4.6.3, alerts 6).
 *
 *   tlsrec -p PORT [-H 127.0.0.1] [-u UPS] [-c aes128|aes256|chacha20]
 *          [-n VARS] [-s] SCENARIO
 *
 * It connects, sends STARTTLS in plaintext, lets NSS make a TLS 1.3 client
 * handshake and takes the application traffic secrets from it; from there
 * its own record layer (tlsrec_rec.c) speaks on the socket. Each scenario
 * either runs real requests in unusual record shapes and checks the
 * replies, or commits one violation of the record layer and checks that
 * upsd ends the connection (with the alert RFC 8446 names, when it sends
 * one). `tlsrec -l` lists the scenarios.
 *
 * -c picks the TLS 1.3 suite (the key schedule of AES-256 uses SHA-384);
 * -n N: every LIST VAR must hold big.var0000 .. big.var<N-1>, each with
 * the value "value-NNNN-..." (the big UPS of 259-tls13-records.sh).
 *
 * An RFC "terminate the connection with an X alert" means: if an alert is
 * sent, it is X (6.2); sending none is allowed. -s (strict) also demands
 * the alert, and otherwise a close_notify before the server closes its
 * side (6.1): what upsd's own record layer must do.
 *
 * Output: what happened, then "PASS <scenario>: ..." (exit 0) or
 * "FAIL <scenario>: ..." (exit 1); 2 when the session could not be set up.
 * Error scenarios print "CLOSE <scenario>: <how the server closed>".
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tlsrec.h"

#define REPLY_MS 10000		/* a reply comes within (a loaded machine) */
#ifndef CLOSE_MS
#define CLOSE_MS 10000		/* the server closes within, after a violation */
#endif
#define SILENT_MS 300		/* nothing from the server right after the handshake */

static struct tr T;
static const char *host = "127.0.0.1", *suite;	/* -H, -c */
static int port;				/* -p */
static const char *ups = "dummy";
static const char *scen = "?";
static int strict;		/* -s */
static int tls12;		/* the "tls12" scenario: NSS does the records */
static long want_vars = -1;	/* -n: big.var0000 .. big.var<N-1> in every LIST VAR */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", scen);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" [records out %llu (key %u), in %u (key %u)]\n",
	    (unsigned long long)T.wseq, T.wgen, T.n_in, T.rgen);
	fflush(stdout);
	exit(1);
}

static void
say(const char *fmt, ...)
{
	va_list ap;

	printf("  ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void
ok(int r)
{
	if (r != 0)
		die("%s", T.err);
}

/* ---- requests and replies -------------------------------------------- */

static void
send_app(const void *p, size_t n, size_t pad)
{
	if (tls12) {
		char b[8192];

		if (n >= sizeof(b))
			die("request too long for TLS 1.2");
		memcpy(b, p, n);
		b[n] = '\0';
		ok(tr_nss_write(&T, b));
		return;
	}
	if (T.ku_owed) {		/* the server asked: answer before data (4.6.3) */
		static const unsigned char ku[] = { TR_HS_KEY_UPDATE, 0, 0, 1, 0 };

		ok(tr_send_rec(&T, TR_CT_HS, ku, sizeof(ku), 0));
		ok(tr_wkey_update(&T));
		T.ku_owed = 0;
	}
	ok(tr_send_rec(&T, TR_CT_APP, p, n, pad));
}

static void
send_line(const char *s)
{
	char b[512];
	int n = snprintf(b, sizeof(b), "%s\n", s);

	if (n < 0 || (size_t)n >= sizeof(b))
		die("request too long");
	send_app(b, (size_t)n, 0);
}

static const char *
ev_text(int ev)
{
	static char b[96];

	switch (ev) {
	case TR_EV_EOF: return "the server closed the connection (EOF)";
	case TR_EV_RESET: return "the connection was reset";
	case TR_EV_TIMEOUT: return "nothing came in time";
	case TR_EV_ALERT:
		snprintf(b, sizeof(b), "the server sent the alert %s (%d, level %d)",
		    tr_alert_name(T.alert_desc), T.alert_desc, T.alert_level);
		return b;
	default: return T.err;
	}
}

/* One record (or, at TLS 1.2, a piece of data) from the server. */
static int
read_any(int ms)
{
	return tls12 ? tr_nss_read(&T, ms) : tr_read_record(&T, ms);
}

/* The next line of application data, without its LF. ku_before: the
 * server's KeyUpdate count must exceed it when application data comes. */
static char *
get_line_ku(long ku_before)
{
	static char line[8192];

	for (;;) {
		unsigned char *nl = memchr(T.app, '\n', T.applen);
		size_t apps = T.n_app_in;
		int ev;

		if (nl != NULL) {
			size_t n = (size_t)(nl - T.app);

			if (n >= sizeof(line))
				die("a reply line of %zu bytes", n);
			memcpy(line, T.app, n);
			line[n] = '\0';
			memmove(T.app, nl + 1, T.applen - n - 1);
			T.applen -= n + 1;
			return line;
		}
		ev = read_any(REPLY_MS);
		if (ev == TR_EV_HS)
			continue;
		if (ev != TR_EV_APP && !(tls12 && ev == 1))
			die("waiting for a reply: %s", ev_text(ev));
		if (ku_before >= 0 && T.n_app_in > apps && (long)T.n_ku_in <= ku_before)
			die("the server sent application data before its KeyUpdate "
			    "(RFC 8446 4.6.3: update_requested is answered first)");
	}
}

static char *
get_line(void)
{
	return get_line_ku(-1);
}

static void
expect(const char *got, const char *want, const char *req)
{
	if (strcmp(got, want) != 0)
		die("'%s' answered '%s', wanted '%s'", req, got, want);
}

static void
expect_reply(const char *req, const char *want)
{
	send_line(req);
	expect(get_line(), want, req);
}

/* the reply to GET VAR <ups> ups.status, already requested */
static void
check_status_reply(const char *l)
{
	char pre[128];
	size_t n;

	snprintf(pre, sizeof(pre), "VAR %s ups.status \"", ups);
	n = strlen(l);
	if (strncmp(l, pre, strlen(pre)) != 0 || n <= strlen(pre) || l[n - 1] != '"')
		die("GET VAR %s ups.status answered '%s'", ups, l);
}

static const char *
status_req(void)
{
	static char b[128];

	snprintf(b, sizeof(b), "GET VAR %s ups.status\n", ups);
	return b;
}

static void
expect_status(void)
{
	send_app(status_req(), strlen(status_req()), 0);
	check_status_reply(get_line());
}

/* -n N: the UPS has big.var0000 .. big.var<N-1>, each "value-NNNN-..." */
#define BIG_MAX 10000

static void
check_big_var(const char *l, unsigned char *seen)
{
	char name[32], num[8];
	long i;

	if (strncmp(l, "big.var", 7) != 0)
		return;		/* the driver's own variables */
	i = strtol(l + 7, NULL, 10);
	if (i < 0 || i >= want_vars || i >= BIG_MAX)
		die("LIST VAR: an unexpected variable: '%s'", l);
	snprintf(name, sizeof(name), "big.var%04ld \"value-", i);
	snprintf(num, sizeof(num), "%04ld-", i);
	if (strncmp(l, name, strlen(name)) != 0 || strncmp(l + strlen(name), num, strlen(num)) != 0)
		die("LIST VAR: '%s' is not the value it was given", l);
	if (seen[i]++)
		die("LIST VAR: big.var%04ld twice", i);
}

/* LIST VAR <ups>, already requested: its VAR lines (bytes in *bytes) */
static long
read_list_var(size_t *bytes)
{
	char begin[128], end[128], var[128];
	static unsigned char seen[BIG_MAX];
	long n = 0, i;
	const char *l;

	snprintf(begin, sizeof(begin), "BEGIN LIST VAR %s", ups);
	snprintf(end, sizeof(end), "END LIST VAR %s", ups);
	snprintf(var, sizeof(var), "VAR %s ", ups);
	expect(get_line(), begin, "LIST VAR");
	if (bytes != NULL)
		*bytes = strlen(begin) + 1;
	memset(seen, 0, sizeof(seen));
	for (;;) {
		l = get_line();
		if (bytes != NULL)
			*bytes += strlen(l) + 1;
		if (strcmp(l, end) == 0) {
			for (i = 0; i < want_vars; i++)
				if (!seen[i])
					die("LIST VAR %s: big.var%04ld is missing", ups, i);
			return n;
		}
		if (strncmp(l, var, strlen(var)) != 0)
			die("LIST VAR: line %ld is '%s'", n + 1, l);
		if (want_vars >= 0)
			check_big_var(l + strlen(var), seen);
		n++;
	}
}

static long
expect_list_var(void)
{
	char req[128];
	long n;

	snprintf(req, sizeof(req), "LIST VAR %s", ups);
	send_line(req);
	n = read_list_var(NULL);
	if (n < 1)
		die("LIST VAR %s: an empty list", ups);
	return n;
}

/* the session works: PROTVER and the status */
static void
session_ok(void)
{
	expect_reply("PROTVER", "1.3");
	expect_status();
}

/* ---- how the server ends a connection -------------------------------- */

#define RFC_ANY	(-1)	/* no alert named: a close_notify or an error alert (6.1) */
#define RFC_NONE (-2)	/* no alert needed (we sent a fatal one) */

/*
 * Reads until the server closes. want: the alerts acceptable (RFC 8446),
 * terminated by -1; rfc: the one the RFC names, or RFC_ANY, RFC_NONE; lax: another alert
 * NSS sends instead, accepted (and said) only without -s. Application data
 * means the server accepted what it should have refused. Prints "CLOSE".
 */
static int pending_ev, pending_set;	/* an event expect_close_lax takes first */

static void
expect_close_lax(const char *what, const int *want, int rfc, int lax)
{
	int alert = -1, level = -1, ev, i;

	for (;;) {
		if (pending_set) {
			ev = pending_ev;
			pending_set = 0;
		} else
			ev = tr_read_record(&T, CLOSE_MS);
		if (ev == TR_EV_APP) {
			if (T.applen == 0)
				continue;	/* an empty record is no answer */
			die("after %s the server went on and sent '%.*s': it accepted it", what,
			    (int)(T.applen < 60 ? T.applen : 60), (const char *)T.app);
		}
		if (ev == TR_EV_HS)
			continue;
		if (ev == TR_EV_ALERT) {
			if (alert >= 0)
				die("after %s the server sent a second alert (%s) after %s", what,
				    tr_alert_name(T.alert_desc), tr_alert_name(alert));
			alert = T.alert_desc;
			level = T.alert_level;
			continue;
		}
		if (ev == TR_EV_TIMEOUT)
			die("after %s the server did not close the connection within %d ms%s%s%s",
			    what, CLOSE_MS, alert >= 0 ? " (after its alert " : "",
			    alert >= 0 ? tr_alert_name(alert) : "", alert >= 0 ? ")" : "");
		if (ev == TR_EV_BAD)
			die("after %s: %s", what, T.err);
		break;			/* EOF or reset */
	}
	if (alert < 0) {
		printf("CLOSE %s: %s without an alert\n", scen, ev == TR_EV_EOF ? "EOF" : "reset");
		if (rfc >= 0 && strict)
			die("after %s the server sent no alert; RFC 8446 names %s (strict)", what,
			    tr_alert_name(rfc));
		if (rfc >= 0)
			say("lax: RFC 8446 names %s for this (6.2: SHOULD send it)", tr_alert_name(rfc));
		else if (rfc == RFC_ANY && strict)
			die("after %s the server closed without any alert (RFC 8446 6.1: a "
			    "close_notify at least; strict)", what);
		else if (rfc == RFC_ANY)
			say("lax: no alert at all (RFC 8446 6.1: a close_notify before closing)");
		return;
	}
	printf("CLOSE %s: alert %s (level %d), then %s\n", scen, tr_alert_name(alert), level,
	    ev == TR_EV_EOF ? "EOF" : "reset");
	for (i = 0; want[i] >= 0; i++)
		if (want[i] == alert)
			break;
	if (want[i] < 0 && alert == lax && lax >= 0 && !strict)
		say("lax: %s instead of the %s RFC 8446 names", tr_alert_name(lax),
		    tr_alert_name(rfc));
	else if (want[i] < 0)
		die("after %s the server sent the alert %s; RFC 8446 wants %s", what,
		    tr_alert_name(alert), rfc >= 0 ? tr_alert_name(rfc) : "none of that kind");
	if (alert != TR_AL_CLOSE_NOTIFY && level != 2)
		die("the alert %s came with level %d (RFC 8446 6.2: error alerts are fatal, 2)",
		    tr_alert_name(alert), level);
}

static void
expect_close(const char *what, const int *want, int rfc)
{
	expect_close_lax(what, want, rfc, -1);
}

/* The server closes in order: a close_notify (6.1 MUST; -s demands it)
 * or only EOF, nothing else. */
static void
expect_orderly_close(const char *what)
{
	static const int cn[] = { TR_AL_CLOSE_NOTIFY, -1 };

	expect_close(what, cn, RFC_ANY);
	if (T.alert_desc != TR_AL_CLOSE_NOTIFY) {
		if (strict)
			die("the server closed without a close_notify (RFC 8446 6.1: MUST; strict)");
		say("lax: no close_notify before the server closed (RFC 8446 6.1: MUST send one)");
	}
}

/* the request (accepted or not) and the state after it: a reply, or the
 * first event of the close */
static int
answered(const char *what)
{
	int ev;

	while ((ev = tr_read_record(&T, CLOSE_MS)) == TR_EV_HS ||
	    (ev == TR_EV_APP && memchr(T.app, '\n', T.applen) == NULL))
		;
	if (ev == TR_EV_APP) {
		expect(get_line(), "1.3", what);
		return 1;
	}
	pending_ev = ev;
	pending_set = 1;
	return 0;
}

/* one violating record, after a good request; then the close */
static void
violate(const char *what, int type, const void *data, size_t len, size_t pad, int rfc,
    const int *want)
{
	session_ok();
	say("sending %s", what);
	ok(tr_send_rec(&T, type, data, len, pad));
	expect_close(what, want, rfc);
}

static const int want_bad_mac[] = { TR_AL_BAD_RECORD_MAC, -1 };
static const int want_overflow[] = { TR_AL_RECORD_OVERFLOW, -1 };
static const int want_unexpected[] = { TR_AL_UNEXPECTED_MESSAGE, -1 };
static const int want_decode[] = { TR_AL_DECODE_ERROR, -1 };
static const int want_illegal[] = { TR_AL_ILLEGAL_PARAMETER, -1 };
/* a server that checks the record version anyway, as most do */
static const int want_version[] = { TR_AL_BAD_RECORD_MAC, TR_AL_PROTOCOL_VERSION,
	TR_AL_DECODE_ERROR, TR_AL_ILLEGAL_PARAMETER, -1 };
static const int want_close_notify[] = { TR_AL_CLOSE_NOTIFY, -1 };
static const int want_hs_empty[] = { TR_AL_UNEXPECTED_MESSAGE, TR_AL_DECODE_ERROR, -1 };
/* a truncated stream: an orderly close, or decode_error */
static const int want_truncated[] = { TR_AL_CLOSE_NOTIFY, TR_AL_DECODE_ERROR, -1 };

/* ---- normal scenarios ------------------------------------------------ */

static void
sc_plain(void)
{
	char req[128], begin[128];
	static const unsigned char cn[] = { 1, TR_AL_CLOSE_NOTIFY };
	const char *l;
	int found = 0;

	expect_reply("PROTVER", "1.3");
	expect_reply("NETVER", "1.3");
	send_line("VER");
	l = get_line();
	if (strncmp(l, "Network UPS Tools upsd ", 23) != 0)
		die("VER answered '%s'", l);
	expect_status();
	say("LIST VAR %s: %ld variables", ups, expect_list_var());
	send_line("LIST UPS");
	expect(get_line(), "BEGIN LIST UPS", "LIST UPS");
	snprintf(begin, sizeof(begin), "UPS %s ", ups);
	while (strcmp(l = get_line(), "END LIST UPS") != 0) {
		if (strncmp(l, "UPS ", 4) != 0)
			die("LIST UPS: '%s'", l);
		found |= strncmp(l, begin, strlen(begin)) == 0;
	}
	if (!found)
		die("LIST UPS does not name %s", ups);
	snprintf(req, sizeof(req), "GET VAR %s no.such.var", ups);
	expect_reply(req, "ERR VAR-NOT-SUPPORTED");
	expect_reply("STARTTLS", "ERR ALREADY-SSL-MODE");
	say("%llu requests, one record each; %u records back", (unsigned long long)T.wseq, T.n_in);
	say("sending close_notify");
	ok(tr_send_rec(&T, TR_CT_ALERT, cn, sizeof(cn), 0));
	expect_orderly_close("our close_notify");
}

static void
sc_logout(void)
{
	session_ok();
	expect_reply("LOGOUT", "OK Goodbye");
	expect_orderly_close("LOGOUT");
}

static void
sc_padding(void)
{
	static const size_t pads[] = { 0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 64, 100, 127, 128,
	    200, 255, 256, 257, 300, 400, 499, 500 };
	size_t i;

	for (i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
		send_app(status_req(), strlen(status_req()), pads[i]);
		check_status_reply(get_line());
		send_app("PROTVER\n", 8, pads[i]);
		expect(get_line(), "1.3", "PROTVER (padded)");
	}
	say("%zu paddings from 0 to 500 bytes", i);
	/* the largest inner plaintext there is: content + type + padding = 2^14 + 1 */
	send_app("PROTVER\n", 8, TR_PLAIN_MAX - 8);
	expect(get_line(), "1.3", "PROTVER padded to 2^14 + 1");
	say("padding up to the limit (TLSInnerPlaintext of 2^14 + 1 bytes)");
}

/* the bytes of line in records of size n */
static void
send_pieces(const char *line, size_t n)
{
	size_t len = strlen(line), i;

	for (i = 0; i < len; i += n)
		ok(tr_send_rec(&T, TR_CT_APP, line + i, len - i < n ? len - i : n, 0));
}

static void
sc_fragmented(void)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 7, 11 };
	static unsigned char rec[TR_REC_BUF];
	struct tr_rec r = { TR_CT_APP, NULL, 0, 0, 0, 0 };
	size_t i, n;
	int ev;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		send_pieces(status_req(), sizes[i]);
		check_status_reply(get_line());
	}
	say("a request in records of 1, 2, 3, 5, 7 and 11 bytes");
	/* half a line: no reply yet */
	ok(tr_send_rec(&T, TR_CT_APP, "PROT", 4, 0));
	if ((ev = tr_read_record(&T, 300)) != TR_EV_TIMEOUT)
		die("half a request line: %s", ev == TR_EV_APP ? "the server answered it" : ev_text(ev));
	ok(tr_send_rec(&T, TR_CT_APP, "VER\n", 4, 0));
	expect(get_line(), "1.3", "PROT|VER");
	/* one record, one byte per write */
	r.data = status_req();
	r.len = strlen(status_req());
	r.pad = 20;
	if ((n = tr_seal(&T, &r, rec, sizeof(rec))) == 0)
		die("%s", T.err);
	for (i = 0; i < n; i++) {
		ok(tr_send(&T, rec + i, 1));
		tr_sleep_ms(3);
	}
	check_status_reply(get_line());
	say("a record of %zu bytes written one byte at a time", n);
	/* cut inside the header, and right after it */
	r.data = "PROTVER\n";
	r.len = 8;
	r.pad = 0;
	if ((n = tr_seal(&T, &r, rec, sizeof(rec))) == 0)
		die("%s", T.err);
	ok(tr_send(&T, rec, 2));
	tr_sleep_ms(50);
	ok(tr_send(&T, rec + 2, n - 2));
	expect(get_line(), "1.3", "PROTVER cut in the header");
	if ((n = tr_seal(&T, &r, rec, sizeof(rec))) == 0)
		die("%s", T.err);
	ok(tr_send(&T, rec, TR_HDR));
	tr_sleep_ms(50);
	ok(tr_send(&T, rec + TR_HDR, n - TR_HDR));
	expect(get_line(), "1.3", "PROTVER cut after the header");
	say("records cut inside and after the header");
}

static void
sc_coalesced(void)
{
	static unsigned char buf[64 * 1024];
	static char big[TR_PLAIN_MAX + 1];
	struct tr_rec r = { TR_CT_APP, NULL, 0, 0, 0, 0 };
	size_t n = 0, len = 0, k;
	int i;

	/* 40 requests in one record */
	for (i = 0; i < 20; i++) {
		len += (size_t)snprintf(big + len, sizeof(big) - len, "PROTVER\n%s", status_req());
	}
	send_app(big, len, 0);
	for (i = 0; i < 20; i++) {
		expect(get_line(), "1.3", "PROTVER (coalesced)");
		check_status_reply(get_line());
	}
	say("40 requests in one record");
	/* a full record: 2^14 bytes of content, 2048 requests */
	for (len = 0; len + 8 <= TR_PLAIN_MAX; len += 8)
		memcpy(big + len, "PROTVER\n", 8);
	send_app(big, len, 0);
	for (i = 0; i < 2048; i++)
		expect(get_line(), "1.3", "PROTVER (record of 2^14 bytes)");
	say("2048 requests in one record of 2^14 bytes");
	/* 40 records in one write */
	for (i = 0; i < 40; i++) {
		r.data = i % 2 ? status_req() : "PROTVER\n";
		r.len = strlen(r.data);
		r.pad = (size_t)i;
		if ((k = tr_seal(&T, &r, buf + n, sizeof(buf) - n)) == 0)
			die("%s", T.err);
		n += k;
	}
	ok(tr_send(&T, buf, n));
	for (i = 0; i < 40; i++) {
		if (i % 2)
			check_status_reply(get_line());
		else
			expect(get_line(), "1.3", "PROTVER (40 records in one write)");
	}
	say("40 records in one write of %zu bytes", n);
	/* a request split over records that travel in one write */
	n = 0;
	for (i = 0; i < 3; i++) {
		static const char *const part[] = { "PRO", "TV", "ER\n" };

		r.data = part[i];
		r.len = strlen(part[i]);
		r.pad = 0;
		if ((k = tr_seal(&T, &r, buf + n, sizeof(buf) - n)) == 0)
			die("%s", T.err);
		n += k;
	}
	ok(tr_send(&T, buf, n));
	expect(get_line(), "1.3", "PRO|TV|ER in one write");
	say("a request over 3 records in one write");
}

static void
sc_zerolen(void)
{
	int i;

	for (i = 0; i < 10; i++)
		ok(tr_send_rec(&T, TR_CT_APP, "", 0, 0));
	session_ok();
	ok(tr_send_rec(&T, TR_CT_APP, "", 0, 100));
	expect_status();
	ok(tr_send_rec(&T, TR_CT_APP, "PROT", 4, 0));
	ok(tr_send_rec(&T, TR_CT_APP, "", 0, 0));
	ok(tr_send_rec(&T, TR_CT_APP, "", 0, 7));
	ok(tr_send_rec(&T, TR_CT_APP, "VER\n", 4, 0));
	expect(get_line(), "1.3", "PROT|(empty)|(empty)|VER");
	say("zero-length application-data records before, between and inside requests");
}

static const unsigned char ku_no[] = { TR_HS_KEY_UPDATE, 0, 0, 1, 0 };
static const unsigned char ku_req[] = { TR_HS_KEY_UPDATE, 0, 0, 1, 1 };

static void
send_ku(const unsigned char *ku)
{
	ok(tr_send_rec(&T, TR_CT_HS, ku, 5, 0));
	ok(tr_wkey_update(&T));
}

static void
sc_keyupdate(void)
{
	static unsigned char buf[100 * 64];
	struct tr_rec r = { TR_CT_HS, ku_no, 5, 0, 0, 0 };
	size_t n = 0, k;
	int i;

	session_ok();
	send_ku(ku_no);
	session_ok();
	say("KeyUpdate(update_not_requested), then requests under the new key");
	/* 100 in a row, in one write */
	for (i = 0; i < 100; i++) {
		if ((k = tr_seal(&T, &r, buf + n, sizeof(buf) - n)) == 0)
			die("%s", T.err);
		n += k;
		ok(tr_wkey_update(&T));
	}
	ok(tr_send(&T, buf, n));
	session_ok();
	/* 20 more, one write each */
	for (i = 0; i < 20; i++)
		send_ku(ku_no);
	expect_list_var();
	say("100 KeyUpdates in one write, then 20 one by one: key generation %u", T.wgen);
	/* split over two records (same key), then the change */
	ok(tr_send_rec(&T, TR_CT_HS, ku_no, 2, 0));
	ok(tr_send_rec(&T, TR_CT_HS, ku_no + 2, 3, 0));
	ok(tr_wkey_update(&T));
	session_ok();
	/* over five records of one byte, padded */
	for (i = 0; i < 5; i++)
		ok(tr_send_rec(&T, TR_CT_HS, ku_no + i, 1, (size_t)i * 10));
	ok(tr_wkey_update(&T));
	session_ok();
	say("KeyUpdate split over 2 records and over 5 records");
	say("the server updated its own key %u time(s) (not asked to)", T.n_ku_in);
}

static void
sc_keyupdate_request(void)
{
	static unsigned char buf[256], many[100 * 64];
	struct tr_rec r = { TR_CT_HS, ku_req, 5, 0, 0, 0 };
	size_t n, k;
	unsigned before;
	int i;

	session_ok();
	for (i = 0; i < 3; i++) {
		before = T.n_ku_in;
		send_ku(ku_req);
		send_line("PROTVER");
		expect(get_line_ku(before), "1.3", "PROTVER after KeyUpdate(update_requested)");
		if (T.n_ku_in == before)
			die("no KeyUpdate back");
		expect_status();
	}
	say("3 rounds of KeyUpdate(update_requested): each answered by a KeyUpdate "
	    "before the reply; server key generation %u", T.rgen);
	/* two requests while the server is silent: one answer is enough (4.6.3) */
	before = T.n_ku_in;
	send_ku(ku_req);
	send_ku(ku_req);
	send_line("PROTVER");
	expect(get_line_ku(before), "1.3", "PROTVER after 2 KeyUpdate(update_requested)");
	say("2 requests in a row: %u KeyUpdate(s) back", T.n_ku_in - before);
	if (T.n_ku_in == before)
		die("no KeyUpdate back");
	/* 100 requests in one write: at least one answer, before the reply */
	before = T.n_ku_in;
	n = 0;
	r.data = ku_req;
	r.len = 5;
	for (i = 0; i < 100; i++) {
		if ((k = tr_seal(&T, &r, many + n, sizeof(many) - n)) == 0)
			die("%s", T.err);
		n += k;
		ok(tr_wkey_update(&T));
	}
	ok(tr_send(&T, many, n));
	send_line("PROTVER");
	expect(get_line_ku(before), "1.3", "PROTVER after 100 KeyUpdate(update_requested)");
	say("100 requests in one write: %u KeyUpdate(s) back", T.n_ku_in - before);
	/* the request split over two records, and the request line in the same write */
	before = T.n_ku_in;
	n = 0;
	r.len = 2;
	r.data = ku_req;
	if ((k = tr_seal(&T, &r, buf, sizeof(buf))) == 0)
		die("%s", T.err);
	n += k;
	r.len = 3;
	r.data = ku_req + 2;
	if ((k = tr_seal(&T, &r, buf + n, sizeof(buf) - n)) == 0)
		die("%s", T.err);
	n += k;
	ok(tr_wkey_update(&T));
	r.type = TR_CT_APP;
	r.data = status_req();
	r.len = strlen(status_req());
	if ((k = tr_seal(&T, &r, buf + n, sizeof(buf) - n)) == 0)
		die("%s", T.err);
	n += k;
	ok(tr_send(&T, buf, n));
	check_status_reply(get_line_ku(before));
	session_ok();
	say("a split KeyUpdate(update_requested) and a request in one write: answered in order");
}

/* a reply of many records, read in small pieces with pauses */
static void
read_big(int ku_midway)
{
	char req[128];
	size_t bytes = 0;
	unsigned rec0 = T.n_in, ku0 = T.n_ku_in;
	long n;

	snprintf(req, sizeof(req), "LIST VAR %s\nPROTVER\n", ups);
	T.rd_chunk = 512;
	T.rd_sleep_ms = 2;
	send_app(req, strlen(req), 0);
	if (ku_midway) {
		/* read some of it, then ask for a KeyUpdate while the rest is queued */
		while (T.applen < 4096) {
			int ev = tr_read_record(&T, REPLY_MS);

			if (ev != TR_EV_APP && ev != TR_EV_HS)
				die("reading the list: %s", ev_text(ev));
		}
		send_ku(ku_req);
		say("KeyUpdate(update_requested) after %zu bytes of the list", T.applen);
	}
	n = read_list_var(&bytes);
	expect(get_line(), "1.3", "PROTVER behind the list");
	T.rd_chunk = 0;
	T.rd_sleep_ms = 0;
	say("LIST VAR %s: %ld variables, %zu bytes, in %u records (largest inner plaintext "
	    "%zu bytes)", ups, n, bytes, T.n_in - rec0, T.max_inner_in);
	if (bytes <= TR_PLAIN_MAX)
		die("the list is only %zu bytes: the test needs a UPS with more variables", bytes);
	if (ku_midway) {
		/* what was queued may still come under the old key; a reply to a
		 * request sent now comes after the server's KeyUpdate */
		send_line("PROTVER");
		expect(get_line_ku(ku0), "1.3", "PROTVER after the list");
	}
}

static void
sc_biglist(void)
{
	session_ok();
	read_big(0);
	read_big(1);
	session_ok();
}

/* A long reply and LOGOUT in one record, read late and slowly: the whole
 * list, the goodbye and a close_notify arrive (upsd must not close while
 * the last record is still half in its hands). */
static void
sc_logout_big(void)
{
	char req[128];
	size_t bytes = 0;
	long n;

	session_ok();
	snprintf(req, sizeof(req), "LIST VAR %s\nLOGOUT\n", ups);
	send_app(req, strlen(req), 0);
	tr_sleep_ms(1000);	/* upsd fills the socket, then meets LOGOUT */
	T.rd_chunk = 512;
	T.rd_sleep_ms = 2;
	n = read_list_var(&bytes);
	expect(get_line(), "OK Goodbye", "LOGOUT behind the list");
	T.rd_chunk = 0;
	T.rd_sleep_ms = 0;
	say("LIST VAR %s: %ld variables, %zu bytes, then the goodbye", ups, n, bytes);
	expect_orderly_close("LOGOUT after a long reply");
}

/* TLS 1.2: NSS on both sides, ordinary requests */
static void
sc_tls12(void)
{
	session_ok();
	say("LIST VAR %s: %ld variables", ups, expect_list_var());
	expect_reply("LOGOUT", "OK Goodbye");
}

/* ---- violations ------------------------------------------------------ */

static const char pv[] = "PROTVER\n";	/* in every bad record: an answer = accepted */

/* a good record changed by fix(rec, len) before it goes */
static void
violate_raw(const char *what, void (*fix)(unsigned char *, size_t *), int rfc, const int *want)
{
	static unsigned char rec[TR_REC_BUF];
	struct tr_rec r = { TR_CT_APP, pv, 8, 0, 0, 0 };
	size_t n;

	session_ok();
	if ((n = tr_seal(&T, &r, rec, sizeof(rec))) == 0)
		die("%s", T.err);
	fix(rec, &n);
	say("sending %s", what);
	ok(tr_send(&T, rec, n));
	expect_close(what, want, rfc);
}

static void
fix_tag(unsigned char *rec, size_t *n)
{
	rec[*n - 1] ^= 0x01;
}

static void
fix_body(unsigned char *rec, size_t *n)
{
	rec[TR_HDR] ^= 0x80;
}

static void
fix_aad(unsigned char *rec, size_t *n)
{
	rec[2] = 0x01;		/* the header is the AAD: 0x0301 breaks the tag */
}

static void
sc_bad_tag(void)
{
	violate_raw("a record with its tag changed", fix_tag, TR_AL_BAD_RECORD_MAC, want_bad_mac);
}

static void
sc_bad_body(void)
{
	violate_raw("a record with a ciphertext byte changed", fix_body, TR_AL_BAD_RECORD_MAC,
	    want_bad_mac);
}

static void
sc_bad_aad(void)
{
	violate_raw("a record whose header (the AAD) was changed after sealing", fix_aad,
	    TR_AL_BAD_RECORD_MAC, want_bad_mac);
}

static void
sc_replay(void)
{
	static unsigned char rec[TR_REC_BUF];
	struct tr_rec r = { TR_CT_APP, pv, 8, 0, 0, 0 };
	size_t n;

	session_ok();
	if ((n = tr_seal(&T, &r, rec, sizeof(rec))) == 0)
		die("%s", T.err);
	ok(tr_send(&T, rec, n));
	expect(get_line(), "1.3", "PROTVER");
	say("sending the same record again");
	ok(tr_send(&T, rec, n));
	expect_close("a replayed record", want_bad_mac, TR_AL_BAD_RECORD_MAC);
}

static void
sc_skip_seq(void)
{
	session_ok();
	T.wseq++;
	say("sending a record sealed with the next sequence number but one");
	ok(tr_send_rec(&T, TR_CT_APP, pv, 8, 0));
	expect_close("a skipped sequence number", want_bad_mac, TR_AL_BAD_RECORD_MAC);
}

static void
sc_old_key(void)
{
	static unsigned char buf[256];
	struct tr_rec ku = { TR_CT_HS, ku_no, 5, 0, 0, 0 };
	struct tr_rec app = { TR_CT_APP, pv, 8, 0, 0, 0 };
	size_t n, k;

	session_ok();
	/* both sealed under the current key; the second goes after the KeyUpdate */
	if ((n = tr_seal(&T, &ku, buf, sizeof(buf))) == 0 ||
	    (k = tr_seal(&T, &app, buf + n, sizeof(buf) - n)) == 0)
		die("%s", T.err);
	ok(tr_wkey_update(&T));
	say("sending a KeyUpdate, then a record under the old key");
	ok(tr_send(&T, buf, n + k));
	expect_close("a record under the key before the KeyUpdate", want_bad_mac,
	    TR_AL_BAD_RECORD_MAC);
}

/* legacy_record_version "MUST be ignored for all purposes" (5.1): a record
 * sealed with 0x0301 in its header (and so in its AAD) is a good record */
static void
sc_version(void)
{
	static unsigned char rec[TR_REC_BUF];
	struct tr_rec r = { TR_CT_APP, pv, 8, 0, 0, 0x0301 };
	size_t n;

	session_ok();
	if ((n = tr_seal(&T, &r, rec, sizeof(rec))) == 0)
		die("%s", T.err);
	say("sending a request in a record with legacy_record_version 0x0301");
	ok(tr_send(&T, rec, n));
	if (answered("PROTVER in a record of version 0x0301")) {
		session_ok();
		say("accepted: the record version is ignored (RFC 8446 5.1)");
		return;
	}
	if (strict)
		die("a record of version 0x0301 refused (%s); RFC 8446 5.1: the field MUST be "
		    "ignored (strict)", ev_text(pending_ev));
	say("lax: refused; RFC 8446 5.1 says the field MUST be ignored");
	expect_close("a record of version 0x0301", want_version, RFC_ANY);
}

static void
sc_overflow_cipher(void)
{
	static char big[TR_PLAIN_MAX];
	size_t i;

	for (i = 0; i + 8 <= sizeof(big); i += 8)
		memcpy(big + i, pv, 8);
	/* 2^14 + 1 + 240 + 16 = 2^14 + 257 bytes of ciphertext */
	violate("a record of 2^14 + 257 bytes of ciphertext", TR_CT_APP, big, sizeof(big), 240,
	    TR_AL_RECORD_OVERFLOW, want_overflow);
}

static void
sc_overflow_header(void)
{
	unsigned char b[TR_HDR + 100] = { TR_CT_APP, 3, 3, 0xff, 0xff };

	session_ok();
	say("sending a header announcing 65535 bytes, and 100 bytes");
	ok(tr_send(&T, b, sizeof(b)));
	expect_close("a header of length 65535 (> 2^14 + 256)", want_overflow,
	    TR_AL_RECORD_OVERFLOW);
}

static void
sc_overflow_inner(void)
{
	static char big[TR_PLAIN_MAX + 1];
	size_t i;

	for (i = 0; i + 8 <= TR_PLAIN_MAX; i += 8)
		memcpy(big + i, pv, 8);
	big[TR_PLAIN_MAX] = '\n';
	violate("a record with 2^14 + 1 bytes of content", TR_CT_APP, big, sizeof(big), 0,
	    TR_AL_RECORD_OVERFLOW, want_overflow);
}

static void
sc_overflow_padded(void)
{
	/* 8 + 1 + 16377 = 2^14 + 2: the padding takes it over (5.4) */
	violate("a record padded to an inner plaintext of 2^14 + 2 bytes", TR_CT_APP, pv, 8,
	    TR_PLAIN_MAX - 6, TR_AL_RECORD_OVERFLOW, want_overflow);
}

/* a record of outer type `outer` in plaintext */
static void
violate_plain(const char *what, int outer, const unsigned char *body, size_t len, int rfc,
    const int *want)
{
	unsigned char b[64];

	b[0] = (unsigned char)outer;
	b[1] = 3;
	b[2] = 3;
	b[3] = 0;
	b[4] = (unsigned char)len;
	memcpy(b + TR_HDR, body, len);
	session_ok();
	say("sending %s", what);
	ok(tr_send(&T, b, TR_HDR + len));
	expect_close(what, want, rfc);
}

static void
sc_plain_handshake(void)
{
	violate_plain("a plaintext handshake record (a KeyUpdate)", TR_CT_HS, ku_no, 5,
	    TR_AL_UNEXPECTED_MESSAGE, want_unexpected);
}

static void
sc_plain_ccs(void)
{
	static const unsigned char one[] = { 1 };

	violate_plain("a change_cipher_spec record after the handshake", TR_CT_CCS, one, 1,
	    TR_AL_UNEXPECTED_MESSAGE, want_unexpected);
}

static void
sc_plain_alert(void)
{
	static const unsigned char al[] = { 2, TR_AL_INTERNAL_ERROR };

	/* after the handshake every record is protected: an unexpected record
	 * type (5), even though the server ends the connection either way */
	violate_plain("a plaintext alert record", TR_CT_ALERT, al, 2, TR_AL_UNEXPECTED_MESSAGE,
	    want_unexpected);
}

static void
sc_outer_type(void)
{
	static unsigned char rec[TR_REC_BUF];
	struct tr_rec r = { TR_CT_APP, pv, 8, 0, 24, 0 };
	size_t n;

	session_ok();
	if ((n = tr_seal(&T, &r, rec, sizeof(rec))) == 0)
		die("%s", T.err);
	say("sending a protected record with outer type 24");
	ok(tr_send(&T, rec, n));
	expect_close("a record of outer type 24", want_unexpected, TR_AL_UNEXPECTED_MESSAGE);
}

static void
sc_outer_handshake(void)
{
	static unsigned char rec[TR_REC_BUF];
	struct tr_rec r = { TR_CT_HS, ku_no, 5, 0, TR_CT_HS, 0 };
	size_t n;

	session_ok();
	if ((n = tr_seal(&T, &r, rec, sizeof(rec))) == 0)
		die("%s", T.err);
	say("sending a protected KeyUpdate with outer type 22");
	ok(tr_send(&T, rec, n));
	expect_close("a protected record of outer type 22", want_unexpected,
	    TR_AL_UNEXPECTED_MESSAGE);
}

static void
sc_inner_zeros(void)
{
	violate("an inner plaintext of 16 zero bytes (no content type)", 0, NULL, 0, 15,
	    TR_AL_UNEXPECTED_MESSAGE, want_unexpected);
}

static void
sc_inner_type(void)
{
	violate("a record of inner type 99", 99, pv, 8, 0, TR_AL_UNEXPECTED_MESSAGE,
	    want_unexpected);
}

static void
sc_inner_ccs(void)
{
	static const unsigned char one[] = { 1 };

	violate("a protected change_cipher_spec record", TR_CT_CCS, one, 1, 0,
	    TR_AL_UNEXPECTED_MESSAGE, want_unexpected);
}

static void
sc_hs_client_hello(void)
{
	unsigned char ch[4 + 43];

	/* legacy_version, random, no session id, one suite, null compression,
	 * no extensions: 43 bytes of body */
	memset(ch, 0, sizeof(ch));
	ch[0] = TR_HS_CLIENT_HELLO;
	ch[3] = 43;
	ch[4] = 3;
	ch[5] = 3;
	memset(ch + 6, 0x5a, 32);
	ch[40] = 2;		/* ch[38]: session id length 0; ch[39..40]: suites length */
	ch[41] = 0x13;
	ch[42] = 0x01;
	ch[43] = 1;		/* compression methods: one, null (ch[44]) */
				/* ch[45..46]: extensions length 0 */
	violate("a ClientHello after the handshake", TR_CT_HS, ch, sizeof(ch), 0,
	    TR_AL_UNEXPECTED_MESSAGE, want_unexpected);
}

static void
sc_hs_finished(void)
{
	unsigned char fin[4 + 32];

	memset(fin, 0x33, sizeof(fin));
	fin[0] = TR_HS_FINISHED;
	fin[1] = 0;
	fin[2] = 0;
	fin[3] = 32;
	violate("a Finished after the handshake", TR_CT_HS, fin, sizeof(fin), 0,
	    TR_AL_UNEXPECTED_MESSAGE, want_unexpected);
}

static void
sc_hs_ticket(void)
{
	/* lifetime, age_add, nonce <1>, ticket <2>, extensions <2> */
	static const unsigned char nst[] = { TR_HS_NST, 0, 0, 15, 0, 0, 0, 60, 1, 2, 3, 4,
	    1, 9, 0, 1, 7, 0, 0 };

	violate("a NewSessionTicket from the client", TR_CT_HS, nst, sizeof(nst), 0,
	    TR_AL_UNEXPECTED_MESSAGE, want_unexpected);
}

static void
sc_ku_short(void)
{
	static const unsigned char ku[] = { TR_HS_KEY_UPDATE, 0, 0, 0 };

	violate("a KeyUpdate of length 0", TR_CT_HS, ku, sizeof(ku), 0, TR_AL_DECODE_ERROR,
	    want_decode);
}

static void
sc_ku_long(void)
{
	static const unsigned char ku[] = { TR_HS_KEY_UPDATE, 0, 0, 2, 0, 0 };

	violate("a KeyUpdate of length 2", TR_CT_HS, ku, sizeof(ku), 0, TR_AL_DECODE_ERROR,
	    want_decode);
}

static void
sc_ku_value(void)
{
	static const unsigned char ku[] = { TR_HS_KEY_UPDATE, 0, 0, 1, 2 };

	session_ok();
	say("sending a KeyUpdate with request_update 2");
	ok(tr_send_rec(&T, TR_CT_HS, ku, sizeof(ku), 0));
	/* 4.6.3: illegal_parameter; NSS says decode_error */
	expect_close_lax("a KeyUpdate with request_update 2", want_illegal,
	    TR_AL_ILLEGAL_PARAMETER, TR_AL_DECODE_ERROR);
}

static void
sc_ku_trailing(void)
{
	static const unsigned char ku[] = { TR_HS_KEY_UPDATE, 0, 0, 1, 0,
	    TR_HS_KEY_UPDATE, 0, 0, 1, 0 };

	violate("two KeyUpdates in one record", TR_CT_HS, ku, sizeof(ku), 0,
	    TR_AL_UNEXPECTED_MESSAGE, want_unexpected);
}

static void
sc_ku_partial(void)
{
	static const unsigned char ku[] = { TR_HS_KEY_UPDATE, 0, 0, 1, 0, TR_HS_KEY_UPDATE, 0 };

	violate("a KeyUpdate and the start of another message in one record", TR_CT_HS, ku,
	    sizeof(ku), 0, TR_AL_UNEXPECTED_MESSAGE, want_unexpected);
}

static void
sc_ku_interleaved(void)
{
	session_ok();
	say("sending half a KeyUpdate, an application-data record, the rest");
	ok(tr_send_rec(&T, TR_CT_HS, ku_no, 2, 0));
	ok(tr_send_rec(&T, TR_CT_APP, pv, 8, 0));
	ok(tr_send_rec(&T, TR_CT_HS, ku_no + 2, 3, 0));
	ok(tr_wkey_update(&T));
	/* 5.1: handshake messages MUST NOT be interleaved with other record
	 * types; the rule binds the sender and names nothing for the receiver:
	 * refusing (unexpected_message) or going on are both allowed */
	if (answered("PROTVER inside a split KeyUpdate")) {
		session_ok();
		say("accepted: the request answered, the KeyUpdate completed after it");
		return;
	}
	expect_close("application data inside a split KeyUpdate", want_unexpected, RFC_ANY);
}

static void
sc_hs_empty(void)
{
	session_ok();
	say("sending a zero-length handshake record, then a request");
	ok(tr_send_rec(&T, TR_CT_HS, "", 0, 0));
	ok(tr_send_rec(&T, TR_CT_APP, pv, 8, 0));
	/* 5.1 forbids sending one and names nothing for the receiver: ignoring
	 * it, or unexpected_message / decode_error */
	if (answered("PROTVER after an empty handshake record")) {
		say("ignored");
		return;
	}
	expect_close("a zero-length handshake record", want_hs_empty, RFC_ANY);
}

/* 6: an alert of 6.2 is an error whatever its level, and so is an unknown one */
static void
sc_alert_warning(void)
{
	static const unsigned char al[] = { 1, TR_AL_DECODE_ERROR };

	violate("decode_error with level warning", TR_CT_ALERT, al, sizeof(al), 0, RFC_NONE,
	    want_close_notify);
}

static void
sc_alert_unknown(void)
{
	static const unsigned char al[] = { 1, 255 };

	violate("an unknown alert (255, level warning)", TR_CT_ALERT, al, sizeof(al), 0, RFC_NONE,
	    want_close_notify);
}

static void
sc_alert_fatal(void)
{
	static const unsigned char al[] = { 2, TR_AL_INTERNAL_ERROR };

	/* the connection ends (6.2); a close_notify on the way out is allowed (6.1) */
	violate("a fatal alert (internal_error)", TR_CT_ALERT, al, sizeof(al), 0, RFC_NONE,
	    want_close_notify);
}

static void
sc_alert_long(void)
{
	static const unsigned char al[] = { 1, TR_AL_CLOSE_NOTIFY, 0 };

	violate("an alert record of 3 bytes", TR_CT_ALERT, al, sizeof(al), 0, TR_AL_DECODE_ERROR,
	    want_decode);
}

static void
sc_close_then_data(void)
{
	static unsigned char buf[256];
	static const unsigned char cn[] = { 1, TR_AL_CLOSE_NOTIFY };
	struct tr_rec a = { TR_CT_ALERT, cn, 2, 0, 0, 0 };
	struct tr_rec d = { TR_CT_APP, pv, 8, 0, 0, 0 };
	size_t n, k;

	session_ok();
	if ((n = tr_seal(&T, &a, buf, sizeof(buf))) == 0 ||
	    (k = tr_seal(&T, &d, buf + n, sizeof(buf) - n)) == 0)
		die("%s", T.err);
	say("sending close_notify and a request in one write");
	ok(tr_send(&T, buf, n + k));
	/* 6.1: data after a closure alert is ignored */
	expect_orderly_close("close_notify followed by a request");
}

/* half of a record (or of its header), then our FIN */
static void
fin_after(size_t cut, const char *what)
{
	static unsigned char rec[TR_REC_BUF];
	struct tr_rec r = { TR_CT_APP, pv, 8, 50, 0, 0 };
	size_t n;

	session_ok();
	if ((n = tr_seal(&T, &r, rec, sizeof(rec))) == 0)
		die("%s", T.err);
	say("sending %zu of %zu bytes of a record, then FIN", cut, n);
	ok(tr_send(&T, rec, cut));
	tr_sleep_ms(50);
	if (shutdown(T.fd, SHUT_WR) != 0)
		die("shutdown: %s", strerror(errno));
	expect_close(what, want_truncated, RFC_ANY);
}

static void
sc_fin_mid_record(void)
{
	fin_after(TR_HDR + 20, "FIN in the middle of a record");
}

static void
sc_fin_mid_header(void)
{
	fin_after(3, "FIN in the middle of a record header");
}

static void
sc_reset_mid_record(void)
{
	static unsigned char rec[TR_REC_BUF];
	struct tr_rec r = { TR_CT_APP, pv, 8, 50, 0, 0 };
	struct linger lg = { 1, 0 };
	size_t n;

	session_ok();
	if ((n = tr_seal(&T, &r, rec, sizeof(rec))) == 0)
		die("%s", T.err);
	say("sending half a record, then a reset");
	ok(tr_send(&T, rec, n / 2));
	tr_sleep_ms(50);
	if (setsockopt(T.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) != 0)
		die("SO_LINGER: %s", strerror(errno));
	close(T.fd);		/* the NSS socket above it is never used again */
	printf("CLOSE %s: we reset the connection\n", scen);
}

/* ---- records without data, many at once ------------------------------ */

/* n records of no data in buf (empty ones, KeyUpdates, user_canceled warnings,
 * in turn by kinds: "e", "k", "c" or a mix), the key updated after each KeyUpdate */
static size_t
seal_idle(unsigned char *buf, size_t cap, unsigned n, const char *kinds)
{
	static const unsigned char cancel[] = { 1, TR_AL_USER_CANCELED };
	size_t len = 0, k;
	unsigned i;

	for (i = 0; i < n; i++) {
		char kind = kinds[i % strlen(kinds)];
		struct tr_rec r = { TR_CT_APP, "", 0, 0, 0, 0 };

		if (kind == 'k') {
			r.type = TR_CT_HS;
			r.data = ku_no;
			r.len = 5;
		} else if (kind == 'c') {
			r.type = TR_CT_ALERT;
			r.data = cancel;
			r.len = 2;
		}
		if ((k = tr_seal(&T, &r, buf + len, cap - len)) == 0)
			die("%s", T.err);
		len += k;
		if (kind == 'k')
			ok(tr_wkey_update(&T));
	}
	return len;
}

/* 256 records without data and a request, all in one write: the server
 * takes them a few dozen at a time (others get their turn) and answers */
static void
sc_burst(void)
{
	static unsigned char buf[300 * 64];
	struct tr_rec r = { TR_CT_APP, "PROTVER\n", 8, 0, 0, 0 };
	size_t n, k;

	session_ok();
	n = seal_idle(buf, sizeof(buf), 256, "eeeeeeeeekkc");
	if ((k = tr_seal(&T, &r, buf + n, sizeof(buf) - n)) == 0)
		die("%s", T.err);
	ok(tr_send(&T, buf, n + k));
	expect(get_line(), "1.3", "PROTVER after 256 records without data in one write");
	session_ok();
	say("256 empty records, KeyUpdates and user_canceled warnings, then a request");
}

/* 257 in a row: the server ends the session (a policy the RFC leaves open) */
static void
idle_flood(const char *kinds, const char *what)
{
	static unsigned char buf[300 * 64];

	session_ok();
	say("sending 257 %s in one write", what);
	ok(tr_send(&T, buf, seal_idle(buf, sizeof(buf), 257, kinds)));
	expect_close(what, want_unexpected, RFC_ANY);
}

static void
sc_empty_flood(void)
{
	idle_flood("e", "empty records");
}

static void
sc_ku_flood(void)
{
	idle_flood("k", "KeyUpdates");
}

static void
sc_cancel_flood(void)
{
	idle_flood("c", "user_canceled warnings");
}

/*
 * More sessions than upsd keeps awake (UPSD_AWAKE_MAX, 256, in upsd.h): upsd
 * rests the least recently woken beyond that, so taking them in turn, every
 * request finds its session rested (its AEADs gone) and wakes it, resting
 * another. Three rounds: a request; a KeyUpdate(update_requested), which a
 * rested session must answer with a new write key before its reply, then a
 * request; a request. Every reply is checked.
 */
#define MANY 300

static void
sc_many(void)
{
	struct tr *s = calloc(MANY, sizeof(*s));
	unsigned before;
	int i, round;

	if (s == NULL)
		die("out of memory");
	session_ok();
	s[0] = T;
	for (i = 1; i < MANY; i++)
		if (tr_connect(&s[i], host, port, 0) != 0 || tr_starttls(&s[i]) != 0 ||
		    tr_handshake(&s[i], 0, suite) != 0)
			die("session %d of %d: set-up: %s", i + 1, MANY, s[i].err);
	for (round = 0; round < 3; round++)
		for (i = 0; i < MANY; i++) {
			T = s[i];
			before = T.n_ku_in;
			if (round == 1) {
				send_ku(ku_req);
				send_line("PROTVER");
				expect(get_line_ku(before), "1.3",
				    "PROTVER after KeyUpdate(update_requested)");
				if (T.n_ku_in == before)
					die("session %d: no KeyUpdate back", i + 1);
			}
			expect_status();
			s[i] = T;
		}
	say("%d sessions, 3 rounds in turn: every reply right, every KeyUpdate answered", MANY);
	for (i = 1; i < MANY; i++)
		(void)close(s[i].fd);
	T = s[0];
	free(s);
}

/* ---- the table ------------------------------------------------------- */

struct scenario {
	const char *name;
	void (*run)(void);
	const char *what;
};

static const struct scenario scenarios[] = {
	{ "plain", sc_plain, "requests one record each, then our close_notify" },
	{ "logout", sc_logout, "LOGOUT: the server closes in order" },
	{ "padding", sc_padding, "padding 0..500 bytes, and up to 2^14 + 1" },
	{ "fragmented", sc_fragmented, "a request over records; a record byte by byte" },
	{ "coalesced", sc_coalesced, "requests in one record; records in one write" },
	{ "zero-length", sc_zerolen, "empty application-data records" },
	{ "keyupdate", sc_keyupdate, "KeyUpdate(update_not_requested), 120 of them, split ones" },
	{ "keyupdate-request", sc_keyupdate_request, "KeyUpdate(update_requested) is answered" },
	{ "biglist", sc_biglist, "a reply of many records read slowly, a KeyUpdate midway" },
	{ "tls12", sc_tls12, "a TLS 1.2 session (NSS records)" },
	{ "logout-big", sc_logout_big, "a long reply and LOGOUT, read late and slowly: all of it" },
	{ "bad-tag", sc_bad_tag, "a changed tag: bad_record_mac" },
	{ "bad-body", sc_bad_body, "a changed ciphertext byte: bad_record_mac" },
	{ "bad-aad", sc_bad_aad, "a changed header: bad_record_mac" },
	{ "replay", sc_replay, "a record sent twice: bad_record_mac" },
	{ "skip-seq", sc_skip_seq, "a sequence number skipped: bad_record_mac" },
	{ "old-key", sc_old_key, "the old key after a KeyUpdate: bad_record_mac" },
	{ "version-0301", sc_version, "legacy_record_version 0x0301 is ignored (or refused)" },
	{ "overflow-cipher", sc_overflow_cipher, "2^14 + 257 bytes of ciphertext: record_overflow" },
	{ "overflow-header", sc_overflow_header, "a header of length 65535: record_overflow" },
	{ "overflow-inner", sc_overflow_inner, "2^14 + 1 bytes of content: record_overflow" },
	{ "overflow-padded", sc_overflow_padded, "padding past 2^14 + 1: record_overflow" },
	{ "plain-handshake", sc_plain_handshake, "a plaintext handshake record: unexpected_message" },
	{ "plain-ccs", sc_plain_ccs, "change_cipher_spec after the handshake: unexpected_message" },
	{ "plain-alert", sc_plain_alert, "a plaintext alert: the server closes" },
	{ "outer-type", sc_outer_type, "outer type 24: unexpected_message" },
	{ "outer-handshake", sc_outer_handshake, "a protected record of outer type 22: unexpected_message" },
	{ "inner-zeros", sc_inner_zeros, "an all-zero inner plaintext: unexpected_message" },
	{ "inner-type", sc_inner_type, "inner type 99: unexpected_message" },
	{ "inner-ccs", sc_inner_ccs, "a protected change_cipher_spec: unexpected_message" },
	{ "hs-client-hello", sc_hs_client_hello, "a ClientHello after the handshake: unexpected_message" },
	{ "hs-finished", sc_hs_finished, "a Finished after the handshake: unexpected_message" },
	{ "hs-ticket", sc_hs_ticket, "a NewSessionTicket from the client: unexpected_message" },
	{ "ku-short", sc_ku_short, "a KeyUpdate of length 0: decode_error" },
	{ "ku-long", sc_ku_long, "a KeyUpdate of length 2: decode_error" },
	{ "ku-value", sc_ku_value, "request_update 2: illegal_parameter" },
	{ "ku-trailing", sc_ku_trailing, "a KeyUpdate not ending its record: unexpected_message" },
	{ "ku-partial", sc_ku_partial, "a KeyUpdate and part of a message: unexpected_message" },
	{ "ku-interleaved", sc_ku_interleaved, "application data inside a split KeyUpdate: accepted or unexpected_message" },
	{ "hs-empty", sc_hs_empty, "a zero-length handshake record: ignored or unexpected_message" },
	{ "alert-warning", sc_alert_warning, "decode_error at level warning: the server closes" },
	{ "alert-unknown", sc_alert_unknown, "an unknown alert at level warning: the server closes" },
	{ "alert-fatal", sc_alert_fatal, "our fatal alert: the server closes" },
	{ "alert-long", sc_alert_long, "an alert record of 3 bytes: decode_error" },
	{ "close-then-data", sc_close_then_data, "data after our close_notify is not answered" },
	{ "fin-mid-record", sc_fin_mid_record, "FIN inside a record: the server closes" },
	{ "fin-mid-header", sc_fin_mid_header, "FIN inside a record header: the server closes" },
	{ "reset-mid-record", sc_reset_mid_record, "a reset inside a record" },
	{ "burst", sc_burst, "256 records without data and a request in one write: answered" },
	{ "empty-flood", sc_empty_flood, "257 empty records in a row: unexpected_message" },
	{ "ku-flood", sc_ku_flood, "257 KeyUpdates in a row: unexpected_message" },
	{ "many", sc_many, "300 sessions taken in turn: each request wakes a rested one" },
	{ "cancel-flood", sc_cancel_flood, "257 user_canceled warnings in a row: unexpected_message" },
};

static void
usage(void)
{
	fprintf(stderr, "usage: tlsrec -p PORT [-H HOST] [-u UPS] [-c aes128|aes256|chacha20] "
	    "[-n VARS] [-s] SCENARIO\n       tlsrec -l\n");
	exit(2);
}

static void
on_alarm(int sig)
{
	static const char m[] = "FAIL: tlsrec ran for more than 120 s\n";

	(void)sig;
	if (write(STDOUT_FILENO, m, sizeof(m) - 1) < 0)
		_exit(1);
	_exit(1);
}

int
main(int argc, char **argv)
{
	const struct scenario *s = NULL;
	int c, rcvbuf = 0;
	size_t i;

	while ((c = getopt(argc, argv, "H:p:u:c:n:sl")) != -1) {
		switch (c) {
		case 'H': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'u': ups = optarg; break;
		case 'c': suite = optarg; break;
		case 'n': want_vars = atol(optarg); break;
		case 's': strict = 1; break;
		case 'l':
			for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
				printf("%-18s %s\n", scenarios[i].name, scenarios[i].what);
			return 0;
		default: usage();
		}
	}
	if (optind != argc - 1 || port <= 0)
		usage();
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (strcmp(argv[optind], scenarios[i].name) == 0)
			s = &scenarios[i];
	if (s == NULL) {
		fprintf(stderr, "tlsrec: no scenario '%s' (tlsrec -l lists them)\n", argv[optind]);
		return 2;
	}
	scen = s->name;
	tls12 = strcmp(scen, "tls12") == 0;
	if (strcmp(scen, "biglist") == 0 || strcmp(scen, "logout-big") == 0)
		rcvbuf = 4096;
	signal(SIGALRM, on_alarm);
	alarm(120);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (tr_connect(&T, host, port, rcvbuf) != 0 || tr_starttls(&T) != 0 ||
	    tr_handshake(&T, tls12, suite) != 0) {
		printf("FAIL %s: set-up: %s\n", scen, T.err);
		return 2;
	}
	printf("HANDSHAKE %s %s\n", tls12 ? "TLSv1.2" : "TLSv1.3", T.suite_name);
	if (!tls12 && tr_quiet(&T, SILENT_MS) != 0)
		die("%s", T.err);
	s->run();
	printf("PASS %s: %s\n", scen, s->what);
	return 0;
}
