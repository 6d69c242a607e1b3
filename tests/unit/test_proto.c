/*
 * nutsec - test_proto.c: unit tests of the protocol helpers: escaping and
 * its size checks, quoted and client-argument forms that must come back
 * unchanged through the tokenizer (NUT's own round trip), all-or-nothing
 * appends to a full buffer, and the error table's wire names and messages.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "rand.h"
#include "test.h"
#include "tok.h"

/* The buffer's contents as a NUL-terminated string (static storage). */
static const char *
buf_str(const struct buf *b)
{
	static char s[4096];
	size_t n = buf_len(b) < sizeof(s) - 1 ? buf_len(b) : sizeof(s) - 1;

	memcpy(s, buf_peek(b), n);
	s[n] = '\0';
	return s;
}

static void
test_escape(void)
{
	char out[16];

	TEST_CASE("proto_escape: a backslash before '\"', '\\' and '#' only");
	CHECK_INT(proto_escape("plain", out, sizeof(out)), 5);
	CHECK_STR(out, "plain");
	CHECK_INT(proto_escape("a\"b\\c#d", out, sizeof(out)), 10);
	CHECK_STR(out, "a\\\"b\\\\c\\#d");
	CHECK_INT(proto_escape("sp ace=x'", out, sizeof(out)), 9);
	CHECK_STR(out, "sp ace=x'");
	CHECK_INT(proto_escape("", out, sizeof(out)), 0);
	CHECK_STR(out, "");

	TEST_CASE("proto_escape: -1 when it does not fit, never a partial escape");
	CHECK_INT(proto_escape("123456789012345", out, sizeof(out)), 15);
	CHECK_INT(proto_escape("1234567890123456", out, sizeof(out)), -1);
	CHECK_STR(out, "");
	CHECK_INT(proto_escape("12345678901234#", out, sizeof(out)), -1);
	CHECK_INT(proto_escape("x", out, 0), -1);
	CHECK_INT(proto_escape("", out, 1), 0);
}

static void
test_put(void)
{
	struct buf *b = buf_new(64);

	TEST_CASE("proto_put_escaped and proto_put_quoted append the wire forms");
	CHECK_INT(proto_put_escaped(b, "a \"b\""), 0);
	CHECK_STR(buf_str(b), "a \\\"b\\\"");
	buf_consume(b, buf_len(b));
	CHECK_INT(proto_put_quoted(b, "x#y"), 0);
	CHECK_STR(buf_str(b), "\"x\\#y\"");
	buf_consume(b, buf_len(b));
	CHECK_INT(proto_put_quoted(b, ""), 0);
	CHECK_STR(buf_str(b), "\"\"");
	buf_consume(b, buf_len(b));

	TEST_CASE("proto_put_arg: bare when plain, quoted otherwise");
	CHECK_INT(proto_put_arg(b, "ups.status"), 0);
	CHECK_STR(buf_str(b), "ups.status");
	buf_consume(b, buf_len(b));
	CHECK_INT(proto_put_arg(b, ""), 0);
	CHECK_STR(buf_str(b), "\"\"");
	buf_consume(b, buf_len(b));
	CHECK_INT(proto_put_arg(b, "a b"), 0);
	CHECK_STR(buf_str(b), "\"a b\"");
	buf_consume(b, buf_len(b));
	CHECK_INT(proto_put_arg(b, "a=b"), 0);
	CHECK_STR(buf_str(b), "\"a=b\"");
	buf_consume(b, buf_len(b));
	CHECK_INT(proto_put_arg(b, "p\\w"), 0);
	CHECK_STR(buf_str(b), "\"p\\\\w\"");
	buf_consume(b, buf_len(b));
	CHECK_INT(proto_put_arg(b, "tab\there"), 0);
	CHECK_STR(buf_str(b), "\"tab\there\"");
	buf_free(b);

	TEST_CASE("a full buffer takes nothing: appends are all or nothing");
	b = buf_new(8);
	CHECK_INT(proto_put_quoted(b, "abcdefg"), -1);
	CHECK_INT(buf_len(b), 0);
	CHECK_INT(proto_put_escaped(b, "1234#678"), -1);
	CHECK_INT(buf_len(b), 0);
	CHECK_INT(proto_put_arg(b, "123456789"), -1);
	CHECK_INT(buf_len(b), 0);
	CHECK_INT(proto_put_quoted(b, "abc#e"), 0);
	CHECK_INT(buf_len(b), 8);
	CHECK_INT(proto_put_arg(b, "x"), -1);
	buf_free(b);
}

/* Sends value the way fn writes it inside a line, then tokenizes it back. */
static int
round_trip(int (*fn)(struct buf *, const char *), const char *value)
{
	struct buf *b = buf_new(4096);
	struct tok *t = tok_new(0, 0);
	int ok;

	ok = buf_put(b, "VAR ups x ", 10) == 0 && fn(b, value) == 0 &&
	    buf_put(b, "\n", 1) == 0 &&
	    tok_split(t, buf_peek(b), buf_len(b)) == TOK_LINE &&
	    tok_argc(t) == 4 && strcmp(tok_argv(t)[3], value) == 0;
	if (!ok)
		printf("# round trip failed for \"%s\" as [%s]\n", value, buf_str(b));
	tok_free(t);
	buf_free(b);
	return ok;
}

static void
test_round_trip(void)
{
	static const char *const values[] = {
		"", " ", "plain", "two words", "a\"b", "\\", "\\\\\"", "#", "# not a comment",
		"=", "a=b", "'single'", "trailing\\", "\"\"", "x #y \"z\" \\w =v",
		"~!@$%^&*()_+{}|:<>?`-[];',./", "\x7f",
	};
	char v[64];
	size_t i, j;
	int bad = 0;

	TEST_CASE("quoted values come back unchanged through the tokenizer");
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		CHECK(round_trip(proto_put_quoted, values[i]));

	TEST_CASE("client arguments come back unchanged through the tokenizer");
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		CHECK(round_trip(proto_put_arg, values[i]));

	TEST_CASE("random printable values round-trip both ways");
	for (i = 0; i < 2000; i++) {
		size_t len = rand_uniform(sizeof(v));

		for (j = 0; j < len; j++)
			v[j] = (char)(0x20 + rand_uniform(0x60));	/* 0x20..0x7f */
		v[len] = '\0';
		if (!round_trip(proto_put_quoted, v) || !round_trip(proto_put_arg, v))
			bad++;
	}
	CHECK_INT(bad, 0);
}

static void
test_errors(void)
{
	static const struct {
		enum proto_err e;
		const char *name, *message;
	} want[] = {
		{ PERR_ACCESS_DENIED, "ACCESS-DENIED", "Access denied" },
		{ PERR_UNKNOWN_UPS, "UNKNOWN-UPS", "Unknown UPS" },
		{ PERR_VAR_NOT_SUPPORTED, "VAR-NOT-SUPPORTED", "Variable not supported by UPS" },
		{ PERR_CMD_NOT_SUPPORTED, "CMD-NOT-SUPPORTED", "Instant command not supported" },
		{ PERR_INVALID_ARGUMENT, "INVALID-ARGUMENT", "Invalid argument" },
		{ PERR_INSTCMD_FAILED, "INSTCMD-FAILED", "Instant command failed" },
		{ PERR_SET_FAILED, "SET-FAILED", "Set command failed" },
		{ PERR_READONLY, "READONLY", "Read-only variable" },
		{ PERR_TOO_LONG, "TOO-LONG", "New value is too long" },
		{ PERR_INVALID_VALUE, "INVALID-VALUE", "Invalid value for variable" },
		{ PERR_DRIVER_NOT_CONNECTED, "DRIVER-NOT-CONNECTED", "Driver not connected" },
		{ PERR_DATA_STALE, "DATA-STALE", "Data stale" },
		{ PERR_ALREADY_LOGGED_IN, "ALREADY-LOGGED-IN", "Already logged in" },
		{ PERR_ALREADY_SET_PASSWORD, "ALREADY-SET-PASSWORD", "Already set password" },
		{ PERR_ALREADY_SET_USERNAME, "ALREADY-SET-USERNAME", "Already set username" },
		{ PERR_USERNAME_REQUIRED, "USERNAME-REQUIRED", "Username required" },
		{ PERR_PASSWORD_REQUIRED, "PASSWORD-REQUIRED", "Password required" },
		{ PERR_UNKNOWN_COMMAND, "UNKNOWN-COMMAND", "Unknown command" },
		{ PERR_INVALID_PASSWORD, "INVALID-PASSWORD", "Invalid password" },
		{ PERR_INVALID_USERNAME, "INVALID-USERNAME", "Invalid username" },
		{ PERR_VAR_UNKNOWN, "VAR-UNKNOWN", "Variable unknown" },
		{ PERR_UNKNOWN_TYPE, "UNKNOWN-TYPE", "Unknown variable type" },
		{ PERR_UNKNOWN_INSTCMD, "UNKNOWN-INSTCMD", "Unknown instant command" },
		{ PERR_MISSING_ARGUMENT, "MISSING-ARGUMENT", "Missing argument" },
		{ PERR_FEATURE_NOT_SUPPORTED, "FEATURE-NOT-SUPPORTED", NULL },
		{ PERR_FEATURE_NOT_CONFIGURED, "FEATURE-NOT-CONFIGURED", NULL },
		{ PERR_ALREADY_SSL_MODE, "ALREADY-SSL-MODE", NULL },
		{ PERR_UNKNOWN, "UNKNOWN", NULL },
		{ PERR_FAILED, "FAILED", NULL },
		{ PERR_MAX_CONNECTIONS, "MAX-CONNECTIONS", NULL },
		{ PERR_LINE_TOO_LONG, "LINE-TOO-LONG", NULL },
	};
	size_t i;
	int e, f;

	TEST_CASE("error table: NUT's wire names and libupsclient's messages");
	CHECK_INT(sizeof(want) / sizeof(want[0]), PERR__COUNT);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_STR(proto_err_name(want[i].e), want[i].name);
		if (want[i].message != NULL)
			CHECK_STR(proto_err_message(want[i].e), want[i].message);
	}

	TEST_CASE("error table: names unique, without spaces, messages set");
	for (e = 0; e < PERR__COUNT; e++) {
		const char *n = proto_err_name((enum proto_err)e);
		const char *m = proto_err_message((enum proto_err)e);

		CHECK(n != NULL && n[0] != '\0' && strchr(n, ' ') == NULL);
		CHECK(m != NULL && m[0] != '\0');
		for (f = e + 1; f < PERR__COUNT; f++)
			CHECK(strcmp(n, proto_err_name((enum proto_err)f)) != 0);
	}

	TEST_CASE("proto_err_lookup: exact, case-sensitive, -1 when unknown");
	for (e = 0; e < PERR__COUNT; e++)
		CHECK_INT(proto_err_lookup(proto_err_name((enum proto_err)e)), e);
	CHECK_INT(proto_err_lookup("access-denied"), -1);
	CHECK_INT(proto_err_lookup("ACCESS-DENIED "), -1);
	CHECK_INT(proto_err_lookup("ACCESS"), -1);
	CHECK_INT(proto_err_lookup(""), -1);
	CHECK_INT(proto_err_lookup("PASSWORD-INCORRECT"), -1);

	TEST_CASE("out-of-range codes do not crash");
	CHECK_STR(proto_err_name(PERR__COUNT), "UNKNOWN");
	CHECK_STR(proto_err_message((enum proto_err)-1), "Unknown error");
}

int
main(void)
{
	test_escape();
	test_put();
	test_round_trip();
	test_errors();
	return test_done();
}
