/*
 * nutsec - test_upssched.c: unit tests of upssched's pieces that need no
 * process: the socket line format (NUT's request lines round-trip through
 * the tokenizer; every malformed line is refused with its reason) and
 * upssched.conf (NUT's sample lines accepted; each mistake a file:line
 * error; AT matching by UPS name or '*' and case-insensitive type).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "tok.h"
#include "upssched.h"

static struct tok *tk;

/* Tokenizes line and parses it; returns 0 or -1 with *why. */
static int
parse(const char *line, struct us_req *r, const char **why)
{
	*why = "";
	if (tok_split(tk, line, strlen(line)) != TOK_LINE) {
		*why = "TOKENIZER";
		return -1;
	}
	return us_req_parse(tok_argc(tk), tok_argv(tk), r, why);
}

static void
test_format_roundtrip(void)
{
	struct us_req r, back;
	char line[US_LINE_MAX + 1];
	const char *why;

	TEST_CASE("us_req_format: NUT's START line, and back through tok");
	memset(&r, 0, sizeof(r));
	r.cmd = US_START;
	strcpy(r.name, "onbatt");
	r.secs = 300;
	CHECK(us_req_format(&r, line, sizeof(line)) > 0);
	CHECK_STR(line, "START \"onbatt\" \"300\"\n");
	CHECK(parse(line, &back, &why) == 0);
	CHECK_STR(back.name, "onbatt");
	CHECK_INT(back.secs, 300);

	TEST_CASE("us_req_format: CANCEL with a word holding quotes, spaces and '#'");
	memset(&r, 0, sizeof(r));
	r.cmd = US_CANCEL;
	strcpy(r.name, "a \"b\" \\c #d");
	strcpy(r.arg2, "run me; now");
	CHECK(us_req_format(&r, line, sizeof(line)) > 0);
	CHECK(parse(line, &back, &why) == 0);
	CHECK_INT(back.cmd, US_CANCEL);
	CHECK_STR(back.name, "a \"b\" \\c #d");
	CHECK_STR(back.arg2, "run me; now");

	TEST_CASE("us_req_format: refuses what the timer process would refuse");
	memset(&r, 0, sizeof(r));
	r.cmd = US_START;
	CHECK(us_req_format(&r, line, sizeof(line)) == -1);	/* empty name */
	strcpy(r.name, "x");
	r.secs = -1;
	CHECK(us_req_format(&r, line, sizeof(line)) == -1);
	r.secs = 1;
	CHECK(us_req_format(&r, line, 8) == -1);		/* no room */
}

static void
test_parse_refusals(void)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "EXEC \"/bin/sh\"", "UNKNOWN-COMMAND" },
		{ "start \"x\" \"1\"", "UNKNOWN-COMMAND" },
		{ "START \"x\"", "INVALID-ARGUMENT" },
		{ "START \"x\" \"1\" \"2\"", "INVALID-ARGUMENT" },
		{ "START \"x\" \"-1\"", "INVALID-ARGUMENT" },
		{ "START \"x\" \"1e3\"", "INVALID-ARGUMENT" },
		{ "START \"x\" \"\"", "INVALID-ARGUMENT" },
		{ "START \"x\" \"31622401\"", "INVALID-ARGUMENT" },
		{ "START \"x\" \"99999999999999999999\"", "INVALID-ARGUMENT" },
		{ "START \"\" \"1\"", "INVALID-ARGUMENT" },
		{ "CANCEL", "INVALID-ARGUMENT" },
		{ "CANCEL \"a\" \"b\" \"c\"", "INVALID-ARGUMENT" },
		{ "CANCEL \"\x7f\"", "INVALID-ARGUMENT" },
		{ "CANCEL \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
		    "TOO-LONG" },
	};
	struct us_req r;
	const char *why;
	char name[96];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "us_req_parse refuses line %zu with %s", i, bad[i].why);
		TEST_CASE(name);
		CHECK(parse(bad[i].line, &r, &why) == -1);
		CHECK_STR(why, bad[i].why);
	}
	TEST_CASE("us_req_parse: the longest name and interval are accepted");
	CHECK(parse("START \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" "
	    "\"31622400\"", &r, &why) == 0);
	CHECK_INT(strlen(r.name), US_NAME_MAX);
	CHECK_INT(r.secs, US_MAX_SECS);
	CHECK(parse("CANCEL x", &r, &why) == 0);	/* NUT quotes, but bare words are words */
	CHECK_STR(r.arg2, "");
}

/* Writes text to a temporary upssched.conf and loads it. */
static int
load(const char *text, struct us_conf *c)
{
	char path[] = "/tmp/nutsec-usconf.XXXXXX";
	int fd = mkstemp(path), n;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -99;
	close(fd);
	n = us_conf_load(c, path);
	unlink(path);
	return n;
}

static void
test_conf(void)
{
	struct us_conf c;

	TEST_CASE("upssched.conf: NUT's directives and the three AT commands");
	CHECK_INT(load("CMDSCRIPT /usr/bin/upssched-cmd\n"
	    "PIPEFN /run/nut/upssched.pipe\nLOCKFN /run/nut/upssched.lock\n"
	    "AT ONBATT * START-TIMER onbatt 30\n"
	    "AT ONLINE ups1@localhost CANCEL-TIMER onbatt online\n"
	    "AT COMMOK * CANCEL-TIMER commbad\n"
	    "AT LOWBATT * EXECUTE \"low battery\"\n", &c), 0);
	CHECK_INT(c.nat, 4);
	CHECK_STR(c.cmdscript, "/usr/bin/upssched-cmd");
	CHECK_INT(c.at[0].cmd, US_START);
	CHECK_INT(c.at[0].secs, 30);
	CHECK_STR(c.at[1].arg2, "online");
	CHECK(c.at[2].arg2 == NULL);
	CHECK_STR(c.at[3].arg, "low battery");
	CHECK_INT(c.at[3].line, 7);

	TEST_CASE("upssched.conf: AT matching by name or '*', type case-insensitively");
	CHECK(us_at_matches(&c.at[0], "anything@host", "onbatt"));
	CHECK(us_at_matches(&c.at[1], "ups1@localhost", "ONLINE"));
	CHECK(!us_at_matches(&c.at[1], "ups1", "ONLINE"));
	CHECK(!us_at_matches(&c.at[0], "ups1", "ONLINE"));
	us_conf_free(&c);

	TEST_CASE("upssched.conf: AT before CMDSCRIPT/PIPEFN/LOCKFN is an error");
	CHECK_INT(load("CMDSCRIPT /x\nAT ONBATT * START-TIMER a 1\n", &c), 1);
	us_conf_free(&c);

	TEST_CASE("upssched.conf: every malformed AT is an error");
	CHECK_INT(load("CMDSCRIPT /x\nPIPEFN /p\nLOCKFN /l\n"
	    "AT ONBATT * START-TIMER a\n"
	    "AT ONBATT * START-TIMER a -1\n"
	    "AT ONBATT * START-TIMER a 1 2\n"
	    "AT ONBATT * EXECUTE\n"
	    "AT ONBATT * REBOOT now\n"
	    "AT ONBATT *\n"
	    "AT ONBATT * CANCEL-TIMER aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    &c), 7);
	us_conf_free(&c);

	TEST_CASE("upssched.conf: relative PIPEFN, unknown directive, lower-case name");
	CHECK_INT(load("PIPEFN run/p\nFOO bar\ncmdscript /x\n", &c), 3);
	us_conf_free(&c);

	TEST_CASE("upssched.conf: SANDBOX takes kill/trap/log/off");
	CHECK_INT(load("SANDBOX trap\n", &c), 0);
	CHECK_INT(c.sandbox, 1);
	us_conf_free(&c);
	CHECK_INT(load("SANDBOX maybe\n", &c), 1);
	us_conf_free(&c);
}

static void
test_names(void)
{
	TEST_CASE("us_name_ok: printable ASCII, 1 to 64 bytes");
	CHECK(us_name_ok("a"));
	CHECK(us_name_ok("a b;c|d"));
	CHECK(!us_name_ok(""));
	CHECK(!us_name_ok("a\tb"));
	CHECK(!us_name_ok("caf\xc3\xa9"));
	CHECK(!us_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

int
main(void)
{
	tk = tok_new(8, US_LINE_MAX);
	test_format_roundtrip();
	test_parse_refusals();
	test_conf();
	test_names();
	tok_free(tk);
	return test_done();
}
