/*
 * nutsec - test_sockproto.c: unit tests of the driver socket codec. Every
 * verb is parsed in its valid shapes and rejected with the wrong arity;
 * numbers and tracking ids are checked at their edges; every formatter's
 * line is tokenized and parsed back, with values holding '"', '\', '#',
 * '=' and spaces; the dump order is compared with NUT's; and a mutation
 * test feeds damaged dumps through the tokenizer into sp_parse, which must
 * answer 0 or -1 (with a message) every time.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mutate.h"
#include "sockproto.h"
#include "test.h"
#include "tok.h"
#include "vartree.h"

static struct tok *tk;

/* Tokenizes one line and parses it. Returns sp_parse's result, or -2. */
static int
parse(const char *line, struct sp_msg *m, const char **err)
{
	*err = NULL;
	if (tok_split(tk, line, strlen(line)) != TOK_LINE)
		return -2;
	return sp_parse((int)tok_argc(tk), tok_argv(tk), m, err);
}

static int
parse_ok(const char *line, struct sp_msg *m)
{
	const char *err;
	int rc = parse(line, m, &err);

	if (rc != 0)
		printf("# \"%s\": %d (%s)\n", line, rc, err ? err : "?");
	return rc == 0 && err == NULL;
}

static int
parse_fails(const char *line, const char *want_err)
{
	struct sp_msg m;
	const char *err;
	int rc = parse(line, &m, &err);

	if (rc != -1 || err == NULL) {
		printf("# \"%s\": rc %d, expected a parse error\n", line, rc);
		return 0;
	}
	if (want_err != NULL && strcmp(err, want_err) != 0) {
		printf("# \"%s\": error \"%s\", expected \"%s\"\n", line, err, want_err);
		return 0;
	}
	return 1;
}

static void
test_parse_verbs(void)
{
	struct sp_msg m;

	TEST_CASE("parse: variable verbs");
	CHECK(parse_ok("SETINFO ups.status \"OL CHRG\"", &m));
	CHECK_INT(m.verb, SP_SETINFO);
	CHECK_STR(m.name, "ups.status");
	CHECK_STR(m.value, "OL CHRG");
	CHECK(m.tracking == NULL);
	CHECK(parse_ok("setinfo ups.id \"a \\\"b\\\" \\\\ \\#\"", &m));
	CHECK_STR(m.value, "a \"b\" \\ #");
	CHECK(parse_ok("SETINFO ups.id \"\"", &m));
	CHECK_STR(m.value, "");
	CHECK(parse_ok("DELINFO ups.id", &m));
	CHECK_INT(m.verb, SP_DELINFO);
	CHECK_STR(m.name, "ups.id");
	CHECK(m.value == NULL);
	CHECK(parse_ok("ADDENUM input.transfer.low \"90\"", &m));
	CHECK_INT(m.verb, SP_ADDENUM);
	CHECK_STR(m.value, "90");
	CHECK(parse_ok("DELENUM input.transfer.low 90", &m));
	CHECK_INT(m.verb, SP_DELENUM);
	CHECK(parse_ok("ADDRANGE input.transfer.low -10 20", &m));
	CHECK_INT(m.verb, SP_ADDRANGE);
	CHECK_INT(m.min, -10);
	CHECK_INT(m.max, 20);
	CHECK(parse_ok("DELRANGE x 5 5", &m));
	CHECK_INT(m.verb, SP_DELRANGE);
	CHECK(parse_ok("SETAUX ups.id 32", &m));
	CHECK_INT(m.verb, SP_SETAUX);
	CHECK_INT(m.num, 32);
	CHECK(parse_ok("SETFLAGS ups.id RW STRING", &m));
	CHECK_INT(m.verb, SP_SETFLAGS);
	CHECK_INT(m.flags, VT_RW | VT_STRING);
	CHECK(parse_ok("SETFLAGS ups.id NUMBER FUTURE rw", &m));
	CHECK_INT(m.flags, VT_NUMBER | VT_RW);
	CHECK(parse_ok("SETFLAGS ups.id", &m));
	CHECK_INT(m.flags, 0);
	CHECK(parse_ok("ADDCMD load.off", &m));
	CHECK_INT(m.verb, SP_ADDCMD);
	CHECK_STR(m.name, "load.off");
	CHECK(parse_ok("DELCMD load.off", &m));
	CHECK_INT(m.verb, SP_DELCMD);

	TEST_CASE("parse: bare verbs, PID, TRACKING, OK, BROADCAST");
	CHECK(parse_ok("DATAOK", &m) && m.verb == SP_DATAOK);
	CHECK(parse_ok("DATASTALE", &m) && m.verb == SP_DATASTALE);
	CHECK(parse_ok("DUMPDONE", &m) && m.verb == SP_DUMPDONE);
	CHECK(parse_ok("PONG", &m) && m.verb == SP_PONG);
	CHECK(parse_ok("DUMPALL", &m) && m.verb == SP_DUMPALL);
	CHECK(parse_ok("DUMPSTATUS", &m) && m.verb == SP_DUMPSTATUS);
	CHECK(parse_ok("PING", &m) && m.verb == SP_PING);
	CHECK(parse_ok("GETPID", &m) && m.verb == SP_GETPID);
	CHECK(parse_ok("NOBROADCAST", &m) && m.verb == SP_NOBROADCAST);
	CHECK(parse_ok("LOGOUT", &m) && m.verb == SP_LOGOUT);
	CHECK(parse_ok("DUMPVALUE ups.status", &m) && m.verb == SP_DUMPVALUE);
	CHECK_STR(m.name, "ups.status");
	CHECK(parse_ok("OK Goodbye", &m) && m.verb == SP_OK);
	CHECK(parse_ok("OK", &m) && m.verb == SP_OK);
	CHECK(parse_ok("PID 1234", &m) && m.verb == SP_PID);
	CHECK_INT(m.num, 1234);
	CHECK(parse_ok("TRACKING 0a1b2c3d-aaaa-4bbb-8ccc-0123456789ab 3", &m));
	CHECK_INT(m.verb, SP_TRACKING);
	CHECK_STR(m.tracking, "0a1b2c3d-aaaa-4bbb-8ccc-0123456789ab");
	CHECK_INT(m.num, 3);
	CHECK(parse_ok("BROADCAST", &m) && m.verb == SP_BROADCAST);
	CHECK_INT(m.num, 1);
	CHECK(parse_ok("BROADCAST 0", &m));
	CHECK_INT(m.num, 0);
	CHECK(parse_ok("BROADCAST -1", &m));
	CHECK_INT(m.num, -1);

	TEST_CASE("parse: INSTCMD in its four shapes");
	CHECK(parse_ok("INSTCMD load.off", &m) && m.verb == SP_INSTCMD);
	CHECK_STR(m.name, "load.off");
	CHECK(m.value == NULL && m.tracking == NULL);
	CHECK(parse_ok("INSTCMD load.off.delay \"12 s\"", &m));
	CHECK_STR(m.value, "12 s");
	CHECK(m.tracking == NULL);
	CHECK(parse_ok("INSTCMD load.off TRACKING abc-123", &m));
	CHECK(m.value == NULL);
	CHECK_STR(m.tracking, "abc-123");
	CHECK(parse_ok("INSTCMD load.off 5 tracking abc-123", &m));
	CHECK_STR(m.value, "5");
	CHECK_STR(m.tracking, "abc-123");
	CHECK(parse_ok("INSTCMD x TRACKING", &m));	/* a parameter spelled TRACKING */
	CHECK_STR(m.value, "TRACKING");
	CHECK(parse_fails("INSTCMD x param other", "malformed tracking clause"));
	CHECK(parse_fails("INSTCMD x p FOO id", "malformed tracking clause"));
	CHECK(parse_fails("INSTCMD x p TRACKING id extra", "wrong number of arguments"));
	CHECK(parse_fails("INSTCMD", "wrong number of arguments"));
	CHECK(parse_fails("INSTCMD x TRACKING \"bad id\"", "bad tracking id"));

	TEST_CASE("parse: SET with and without tracking");
	CHECK(parse_ok("SET ups.id \"my ups\"", &m) && m.verb == SP_SET);
	CHECK_STR(m.name, "ups.id");
	CHECK_STR(m.value, "my ups");
	CHECK(m.tracking == NULL);
	CHECK(parse_ok("SET ups.id v TRACKING T1", &m));
	CHECK_STR(m.value, "v");
	CHECK_STR(m.tracking, "T1");
	CHECK(parse_fails("SET ups.id", "wrong number of arguments"));
	CHECK(parse_fails("SET ups.id v TRACKING", "wrong number of arguments"));
	CHECK(parse_fails("SET ups.id v NOTTRACK T1", "malformed tracking clause"));
	CHECK(parse_fails("SET ups.id v TRACKING T1 x", "wrong number of arguments"));
}

static void
test_parse_errors(void)
{
	static const char *arity[] = {
		"SETINFO", "SETINFO x", "SETINFO x y z", "DELINFO", "DELINFO x y",
		"ADDENUM x", "ADDENUM x y z", "DELENUM x", "ADDRANGE x 1",
		"ADDRANGE x 1 2 3", "DELRANGE x", "SETAUX x", "SETAUX x 1 2",
		"SETFLAGS", "ADDCMD", "ADDCMD a b", "DELCMD", "DATAOK x",
		"DATASTALE x", "DUMPDONE x", "PONG x", "PID", "PID 1 2", "TRACKING a",
		"TRACKING a 1 2", "OK a b", "DUMPALL x", "DUMPVALUE", "DUMPVALUE a b",
		"DUMPSTATUS x", "PING x", "GETPID x", "NOBROADCAST 1", "BROADCAST 1 2",
		"LOGOUT now", "SET",
	};
	static const char *numbers[] = {
		"ADDRANGE x a 1", "ADDRANGE x 1 b", "ADDRANGE x 1.5 2", "ADDRANGE x 0x10 20",
		"ADDRANGE x 1e3 2000", "ADDRANGE x \"\" 1", "ADDRANGE x - 1", "ADDRANGE x + 1",
		"ADDRANGE x 99999999999999999999 1", "ADDRANGE x 1 -99999999999999999999",
		"ADDRANGE x \" 1\" 2", "ADDRANGE x \"1 \" 2", "DELRANGE x 1 2z",
		"SETAUX x abc", "SETAUX x 12abc", "SETAUX x \"\"", "PID 0", "PID -5",
		"PID 99999999999", "PID x", "TRACKING id x", "TRACKING id 99999999999",
		"TRACKING id 1.0", "BROADCAST yes", "BROADCAST 99999999999",
	};
	char line[600];
	size_t i;
	int ok = 1;
	struct sp_msg m;
	const char *err;

	TEST_CASE("parse: every verb with the wrong number of arguments");
	for (i = 0; i < sizeof(arity) / sizeof(arity[0]); i++)
		ok &= parse_fails(arity[i], "wrong number of arguments");
	CHECK(ok);

	TEST_CASE("parse: bad numbers");
	ok = 1;
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		ok &= parse_fails(numbers[i], "bad number");
	CHECK(ok);
	CHECK(parse_fails("ADDRANGE x 5 4", NULL));
	CHECK(parse_ok("ADDRANGE x -9223372036854775808 9223372036854775807", &m));
	CHECK(m.min == LONG_MIN && m.max == LONG_MAX);
	CHECK(parse_ok("SETAUX x +7", &m));
	CHECK_INT(m.num, 7);
	CHECK(parse_ok("TRACKING id -1", &m));
	CHECK_INT(m.num, -1);

	TEST_CASE("parse: unknown verbs, names, tracking ids, long values");
	CHECK(parse_fails("FOO bar", "unknown command"));
	CHECK(parse_fails("SETINFOX a b", "unknown command"));
	CHECK(parse_fails("\"\" a", "unknown command"));
	CHECK(parse_fails("SETINFO \"bad name\" v", "bad name"));
	CHECK(parse_fails("SETINFO \"\" v", "bad name"));
	CHECK(parse_fails("DELCMD \"x y\"", "bad name"));
	CHECK(parse_fails("TRACKING \"a b\" 1", "bad tracking id"));
	CHECK(parse_fails("TRACKING a/b 1", "bad tracking id"));
	memset(line, 0, sizeof(line));
	strcpy(line, "TRACKING ");
	memset(line + strlen(line), 'a', 65);
	strcat(line, " 1");
	CHECK(parse_fails(line, "bad tracking id"));
	line[9 + 64] = ' ';
	line[9 + 65] = '1';
	line[9 + 66] = '\0';
	CHECK(parse_ok(line, &m));
	strcpy(line, "SETINFO x \"");
	memset(line + strlen(line), 'v', 256);
	strcat(line, "\"");
	CHECK(parse_fails(line, "value too long"));
	strcpy(line, "SETINFO ");
	memset(line + strlen(line), 'n', 129);
	strcat(line, " v");
	CHECK(parse_fails(line, "bad name"));

	TEST_CASE("parse: argc 0 and NULL words are errors, not crashes");
	{
		char *argv0[] = { NULL };
		char w0[] = "SETINFO", w1[] = "x";
		char *argv1[] = { w0, w1, NULL, NULL };
		CHECK_INT(sp_parse(0, argv0, &m, &err), -1);
		CHECK(err != NULL);
		CHECK_INT(sp_parse(3, argv1, &m, &err), -1);
		CHECK(err != NULL);
		CHECK_INT(sp_parse(1, NULL, &m, &err), -1);
	}
	CHECK_STR(sp_verb_name(SP_INSTCMD), "INSTCMD");
	CHECK_STR(sp_verb_name(SP_OK), "OK");
	CHECK_STR(sp_verb_name(SP__COUNT), "?");
}

/* Takes the single line in b, checks it ends in LF, parses it. */
static int
reparse(struct buf *b, struct sp_msg *m, const char *want)
{
	const char *err = NULL;
	size_t len = buf_len(b);
	int rc;

	if (len == 0 || buf_peek(b)[len - 1] != '\n' ||
	    memchr(buf_peek(b), '\n', len - 1) != NULL) {
		printf("# not exactly one line\n");
		return 0;
	}
	if (want != NULL && (strlen(want) != len || memcmp(buf_peek(b), want, len) != 0)) {
		printf("# got \"%.*s\", want \"%s\"\n", (int)len - 1, buf_peek(b), want);
		return 0;
	}
	if (tok_split(tk, buf_peek(b), len) != TOK_LINE) {
		printf("# tokenizer refused \"%.*s\"\n", (int)len - 1, buf_peek(b));
		return 0;
	}
	rc = sp_parse((int)tok_argc(tk), tok_argv(tk), m, &err);
	buf_reset(b);
	if (rc != 0)
		printf("# reparse failed: %s\n", err);
	return rc == 0;
}

static void
test_format(void)
{
	static const char *values[] = {
		"OL", "", "a \"quoted\" word", "back\\slash", "hash # here", "#", "\\",
		"\"", "a=b", "  leading and trailing  ", "\\\"#\\#\"", "x\\",
		"TRACKING", "many   spaces\tand tab",
	};
	struct buf *b = buf_new(4096);
	struct sp_msg m;
	size_t i;
	int ok = 1, bare;

	TEST_CASE("format: exact lines");
	CHECK(sp_put_setinfo(b, "ups.status", "OL") == 0 &&
	    reparse(b, &m, "SETINFO ups.status \"OL\"\n"));
	CHECK(sp_put_setinfo(b, "ups.id", "a\"b\\c#d") == 0 &&
	    reparse(b, &m, "SETINFO ups.id \"a\\\"b\\\\c\\#d\"\n"));
	CHECK(sp_put_delinfo(b, "ups.id") == 0 && reparse(b, &m, "DELINFO ups.id\n"));
	CHECK(sp_put_enum(b, 1, "x", "1 2") == 0 && reparse(b, &m, "ADDENUM x \"1 2\"\n"));
	CHECK(sp_put_enum(b, 0, "x", "1") == 0 && reparse(b, &m, "DELENUM x \"1\"\n"));
	CHECK(sp_put_range(b, 1, "x", -1, 5) == 0 && reparse(b, &m, "ADDRANGE x -1 5\n"));
	CHECK(sp_put_range(b, 0, "x", 1, 5) == 0 && reparse(b, &m, "DELRANGE x 1 5\n"));
	CHECK(sp_put_setaux(b, "x", 32) == 0 && reparse(b, &m, "SETAUX x 32\n"));
	CHECK(sp_put_setflags(b, "x", VT_RW | VT_STRING | VT_IMMUTABLE) == 0 &&
	    reparse(b, &m, "SETFLAGS x RW STRING\n"));
	CHECK_INT(m.flags, VT_RW | VT_STRING);
	CHECK(sp_put_setflags(b, "x", VT_NUMBER) == 0 &&
	    reparse(b, &m, "SETFLAGS x NUMBER\n"));
	CHECK(sp_put_cmd(b, 1, "load.off") == 0 && reparse(b, &m, "ADDCMD load.off\n"));
	CHECK(sp_put_cmd(b, 0, "load.off") == 0 && reparse(b, &m, "DELCMD load.off\n"));
	CHECK(sp_put_tracking(b, "abc-1", 2) == 0 && reparse(b, &m, "TRACKING abc-1 2\n"));
	CHECK(sp_put_instcmd(b, "load.off", NULL, NULL) == 0 &&
	    reparse(b, &m, "INSTCMD load.off\n"));
	CHECK(sp_put_instcmd(b, "load.off", "10 s", "T9") == 0 &&
	    reparse(b, &m, "INSTCMD load.off \"10 s\" TRACKING T9\n"));
	CHECK(sp_put_instcmd(b, "load.off", NULL, "T9") == 0 &&
	    reparse(b, &m, "INSTCMD load.off TRACKING T9\n"));
	CHECK(sp_put_set(b, "ups.id", "x y", NULL) == 0 &&
	    reparse(b, &m, "SET ups.id \"x y\"\n"));
	CHECK(sp_put_set(b, "ups.id", "x", "T1") == 0 &&
	    reparse(b, &m, "SET ups.id \"x\" TRACKING T1\n"));
	CHECK(sp_put_verb(b, SP_DUMPDONE) == 0 && reparse(b, &m, "DUMPDONE\n"));
	CHECK(sp_put_verb(b, SP_OK) == 0 && reparse(b, &m, "OK Goodbye\n"));
	CHECK(sp_put_setinfo(b, "odd=name#x", "v") == 0 &&
	    reparse(b, &m, "SETINFO \"odd=name\\#x\" \"v\"\n"));
	CHECK_STR(m.name, "odd=name#x");

	TEST_CASE("format: every bare verb parses back as itself");
	ok = 1;
	for (i = 0; i < SP__COUNT; i++) {
		bare = i == SP_DATAOK || i == SP_DATASTALE || i == SP_DUMPDONE ||
		    i == SP_PONG || i == SP_OK || i == SP_DUMPALL || i == SP_DUMPSTATUS ||
		    i == SP_PING || i == SP_GETPID || i == SP_NOBROADCAST ||
		    i == SP_BROADCAST || i == SP_LOGOUT;
		if (!bare)
			continue;
		if (sp_put_verb(b, (enum sp_verb)i) != 0 || !reparse(b, &m, NULL) ||
		    m.verb != (enum sp_verb)i)
			ok = 0;
	}
	CHECK(ok);

	TEST_CASE("format -> tokenize -> parse round trips awkward values");
	ok = 1;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		const char *want = values[i];
		char expect[64];

		/* The tokenizer drops control bytes such as TAB. */
		if (strchr(want, '\t') != NULL) {
			size_t k, o = 0;
			for (k = 0; want[k] != '\0'; k++)
				if (want[k] != '\t')
					expect[o++] = want[k];
			expect[o] = '\0';
			want = expect;
		}
		if (sp_put_setinfo(b, "ups.test", values[i]) != 0 || !reparse(b, &m, NULL) ||
		    m.verb != SP_SETINFO || strcmp(m.value, want) != 0)
			ok = 0, printf("# setinfo [%s]\n", values[i]);
		if (sp_put_enum(b, 1, "ups.test", values[i]) != 0 || !reparse(b, &m, NULL) ||
		    m.verb != SP_ADDENUM || strcmp(m.value, want) != 0)
			ok = 0, printf("# addenum [%s]\n", values[i]);
		if (sp_put_set(b, "ups.test", values[i], "id-7") != 0 ||
		    !reparse(b, &m, NULL) || m.verb != SP_SET ||
		    strcmp(m.value, want) != 0 || strcmp(m.tracking, "id-7") != 0)
			ok = 0, printf("# set [%s]\n", values[i]);
		if (sp_put_instcmd(b, "cmd.x", values[i], NULL) != 0 ||
		    !reparse(b, &m, NULL) || m.verb != SP_INSTCMD ||
		    strcmp(m.value, want) != 0 || m.tracking != NULL)
			ok = 0, printf("# instcmd [%s]\n", values[i]);
		if (sp_put_instcmd(b, "cmd.x", values[i], "t") != 0 ||
		    !reparse(b, &m, NULL) || strcmp(m.value, want) != 0 ||
		    m.tracking == NULL || strcmp(m.tracking, "t") != 0)
			ok = 0, printf("# instcmd+tracking [%s]\n", values[i]);
	}
	CHECK(ok);

	TEST_CASE("format: invalid names, ids and values write nothing");
	CHECK_INT(sp_put_setinfo(b, "bad name", "v"), -1);
	CHECK_INT(sp_put_setinfo(b, "", "v"), -1);
	CHECK_INT(sp_put_setinfo(b, NULL, "v"), -1);
	CHECK_INT(sp_put_setinfo(b, "x", NULL), -1);
	CHECK_INT(sp_put_cmd(b, 1, "a\nb"), -1);
	CHECK_INT(sp_put_tracking(b, "a b", 0), -1);
	CHECK_INT(sp_put_instcmd(b, "x", NULL, "a\"b"), -1);
	CHECK_INT(sp_put_set(b, "x", "v", ""), -1);
	CHECK_INT(sp_put_verb(b, SP__COUNT), -1);
	{
		char big[VT_VALUE_MAX + 2];
		memset(big, 'q', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK_INT(sp_put_setinfo(b, "x", big), -1);
		big[VT_VALUE_MAX] = '\0';
		CHECK_INT(sp_put_setinfo(b, "x", big), 0);
		buf_reset(b);
		memset(big, '"', VT_VALUE_MAX);	/* escapes to twice the length */
		CHECK_INT(sp_put_setinfo(b, "x", big), 0);
		CHECK(reparse(b, &m, NULL));
		CHECK_INT(strlen(m.value), VT_VALUE_MAX);
	}
	CHECK_INT(buf_len(b), 0);
	buf_free(b);

	TEST_CASE("format: a full buffer takes no partial line");
	b = buf_new(20);
	CHECK_INT(sp_put_setinfo(b, "ups.status", "OL"), -1);	/* 24 bytes: no */
	CHECK_INT(buf_len(b), 0);
	CHECK_INT(sp_put_delinfo(b, "ups.status"), 0);		/* 19 bytes */
	CHECK_INT(buf_len(b), 19);
	CHECK_INT(sp_put_verb(b, SP_PING), -1);
	CHECK_INT(buf_len(b), 19);
	buf_free(b);
}

static const char dump_want[] =
    "SETINFO ambient.temperature \"25\"\n"
    "SETINFO battery.charge \"100\"\n"
    "SETAUX battery.charge 3\n"
    "SETINFO input.transfer.low \"90\"\n"
    "ADDENUM input.transfer.low \"90\"\n"
    "ADDENUM input.transfer.low \"80\"\n"
    "ADDRANGE input.transfer.low 70 95\n"
    "ADDRANGE input.transfer.low 60 65\n"
    "SETFLAGS input.transfer.low RW NUMBER\n"
    "SETINFO UPS.id \"my \\\"ups\\\" \\#1\"\n"
    "SETAUX UPS.id 32\n"
    "SETFLAGS UPS.id RW STRING\n"
    "SETINFO ups.status \"OL\"\n"
    "ADDCMD beeper.toggle\n"
    "ADDCMD Load.off\n"
    "ADDCMD test.battery.start\n";

static struct vt *
dump_tree(void)
{
	struct vt *t = vt_new();
	struct vt_var *v;

	vt_set(t, "ups.status", "OL", NULL);
	v = vt_set(t, "UPS.id", "my \"ups\" #1", NULL);
	vt_set_flags(v, VT_RW | VT_STRING);
	vt_set_aux(v, 32);
	v = vt_set(t, "input.transfer.low", "90", NULL);
	vt_enum_add(v, "90");
	vt_enum_add(v, "80");
	vt_range_add(v, 70, 95);
	vt_range_add(v, 60, 65);
	vt_set_flags(v, VT_RW | VT_NUMBER);
	v = vt_set(t, "battery.charge", "100", NULL);
	vt_set_aux(v, 3);
	v = vt_set(t, "ambient.temperature", "25", NULL);
	vt_set_flags(v, VT_IMMUTABLE);	/* not a wire flag: no SETFLAGS */
	vt_cmd_add(t, "test.battery.start");
	vt_cmd_add(t, "Load.off");
	vt_cmd_add(t, "beeper.toggle");
	return t;
}

static void
test_dump(void)
{
	struct vt *t = dump_tree(), *t2;
	struct buf *b = buf_new(65536);
	size_t used, off = 0;
	int ok = 1;

	TEST_CASE("dump: NUT's order, values escaped");
	CHECK_INT(sp_put_dump(b, t), 0);
	CHECK_INT(buf_len(b), strlen(dump_want));
	CHECK(buf_len(b) == strlen(dump_want) &&
	    memcmp(buf_peek(b), dump_want, buf_len(b)) == 0);

	TEST_CASE("dump: replaying it rebuilds an equal tree");
	t2 = vt_new();
	tok_reset(tk);
	while (off < buf_len(b)) {
		struct sp_msg m;
		const char *err;
		enum tok_status st = tok_feed(tk, buf_peek(b) + off, buf_len(b) - off, &used);

		off += used;
		if (st != TOK_LINE) {
			ok = 0;
			break;
		}
		if (sp_parse((int)tok_argc(tk), tok_argv(tk), &m, &err) != 0) {
			ok = 0;
			break;
		}
		switch (m.verb) {
		case SP_SETINFO:
			ok &= vt_set(t2, m.name, m.value, NULL) != NULL;
			break;
		case SP_ADDENUM:
			ok &= vt_enum_add(vt_get(t2, m.name), m.value) == 0;
			break;
		case SP_ADDRANGE:
			ok &= vt_range_add(vt_get(t2, m.name), m.min, m.max) == 0;
			break;
		case SP_SETAUX:
			vt_set_aux(vt_get(t2, m.name), m.num);
			break;
		case SP_SETFLAGS:
			vt_set_flags(vt_get(t2, m.name), m.flags);
			break;
		case SP_ADDCMD:
			ok &= vt_cmd_add(t2, m.name) == 0;
			break;
		default:
			ok = 0;
		}
	}
	CHECK(ok);
	buf_reset(b);
	CHECK_INT(sp_put_dump(b, t2), 0);
	CHECK(buf_len(b) == strlen(dump_want) &&
	    memcmp(buf_peek(b), dump_want, buf_len(b)) == 0);
	vt_free(t2);

	TEST_CASE("dump: an empty tree writes nothing; a small buffer fails");
	buf_reset(b);
	t2 = vt_new();
	CHECK_INT(sp_put_dump(b, t2), 0);
	CHECK_INT(buf_len(b), 0);
	vt_free(t2);
	buf_free(b);
	b = buf_new(100);
	CHECK_INT(sp_put_dump(b, t), -1);
	buf_free(b);
	vt_free(t);
}

struct mut_stats {
	unsigned long lines, parsed, rejected, bad;
};

static void
mut_check(const char *data, size_t len, void *arg)
{
	struct mut_stats *st = arg;
	size_t off = 0, used;
	int guard = 0;

	tok_reset(tk);
	for (;;) {
		enum tok_status s;
		struct sp_msg m;
		const char *err = NULL;
		int rc;

		if (off < len) {
			s = tok_feed(tk, data + off, len - off, &used);
			off += used;
			if (used == 0 && ++guard > 4) {
				st->bad++;	/* the tokenizer made no progress */
				return;
			}
		} else {
			s = tok_finish(tk);
			if (s != TOK_LINE)
				return;
		}
		if (s == TOK_MORE)
			continue;
		if (s == TOK_ERROR)
			continue;
		st->lines++;
		rc = sp_parse((int)tok_argc(tk), tok_argv(tk), &m, &err);
		if (rc == 0) {
			st->parsed++;
			if (err != NULL || (unsigned)m.verb >= SP__COUNT)
				st->bad++;
			if ((m.verb == SP_SETINFO || m.verb == SP_SET) &&
			    (m.name == NULL || m.value == NULL))
				st->bad++;
			if (m.name != NULL && (strlen(m.name) == 0 || strchr(m.name, ' ')))
				st->bad++;
			if ((m.verb == SP_ADDRANGE || m.verb == SP_DELRANGE) && m.min > m.max)
				st->bad++;
		} else if (rc == -1) {
			st->rejected++;
			if (err == NULL)
				st->bad++;
		} else {
			st->bad++;
		}
		if (off >= len)
			return;
	}
}

static void
test_mutation(void)
{
	static const char *seeds[] = {
		dump_want,
		"INSTCMD load.off \"10 s\" TRACKING 0a1b2c3d-aaaa-4bbb-8ccc-0123456789ab\n"
		"SET ups.id \"a \\\"b\\\"\" TRACKING T1\nTRACKING T1 0\nPID 42\n"
		"BROADCAST 1\nDUMPVALUE ups.status\nOK Goodbye\nDATAOK\nDUMPDONE\n",
	};
	struct mut_stats st;
	unsigned long n = 0;
	size_t i;

	TEST_CASE("mutation: every mutant line parses or fails cleanly");
	memset(&st, 0, sizeof(st));
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		n += mutate_all(seeds[i], strlen(seeds[i]), 2000, mut_check, &st);
	printf("# %lu mutants, %lu lines: %lu parsed, %lu rejected\n", n, st.lines,
	    st.parsed, st.rejected);
	CHECK(n > 10000);
	CHECK_INT(st.bad, 0);
	CHECK(st.parsed > 0 && st.rejected > 0);
}

int
main(void)
{
	tk = tok_new(0, 0);
	test_parse_verbs();
	test_parse_errors();
	test_format();
	test_dump();
	test_mutation();
	tok_free(tk);
	return test_done();
}
