/*
 * nutsec - test_tok.c: unit tests of the tokenizer. Every rule in tok.h is
 * checked against a transcript of what the tokenizer produced (lines,
 * words, errors), fed whole and byte by byte; the limits, line numbers and
 * error recovery are checked; and mutants of realistic inputs (upsd.conf,
 * ups.conf, wire lines) must tokenize within the limits and identically
 * whatever way the input is split.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mutate.h"
#include "test.h"
#include "tok.h"

#define TRANSCRIPT_MAX 65536

struct transcript {
	char text[TRANSCRIPT_MAX];
	size_t len;
	int overflow;
	int limits_broken;	/* a word or argc over the tokenizer's limits */
};

static void
tr_add(struct transcript *tr, const char *s, size_t n)
{
	if (tr->len + n + 1 > sizeof(tr->text)) {
		tr->overflow = 1;
		return;
	}
	memcpy(tr->text + tr->len, s, n);
	tr->len += n;
	tr->text[tr->len] = '\0';
}

/* Records one result: "L<w1><w2>\n", or "E\n" for an error. */
static void
tr_record(struct transcript *tr, struct tok *t, enum tok_status st, size_t max_args,
    size_t max_word)
{
	size_t i;

	if (st == TOK_ERROR) {
		tr_add(tr, "E\n", 2);
		return;
	}
	if (st != TOK_LINE)
		return;
	if (tok_argc(t) > max_args || tok_argv(t)[tok_argc(t)] != NULL)
		tr->limits_broken = 1;
	tr_add(tr, "L", 1);
	for (i = 0; i < tok_argc(t); i++) {
		const char *w = tok_argv(t)[i];

		if (strlen(w) > max_word)
			tr->limits_broken = 1;
		tr_add(tr, "<", 1);
		tr_add(tr, w, strlen(w));
		tr_add(tr, ">", 1);
	}
	tr_add(tr, "\n", 1);
}

/* Tokenizes data fed in chunks of `chunk` bytes (0 = all at once). */
static void
run(struct transcript *tr, const char *data, size_t len, size_t chunk, size_t max_args,
    size_t max_word)
{
	struct tok *t = tok_new(max_args, max_word);
	size_t off = 0;

	memset(tr, 0, sizeof(*tr));
	if (max_args == 0)
		max_args = TOK_DEFAULT_MAX_ARGS;
	if (max_word == 0)
		max_word = TOK_DEFAULT_MAX_WORD;
	while (off < len) {
		size_t n = chunk == 0 || chunk > len - off ? len - off : chunk;
		size_t done = 0;

		while (done < n) {
			size_t used = 0;
			enum tok_status st = tok_feed(t, data + off + done, n - done, &used);

			if (used > n - done || (used == 0 && st == TOK_MORE)) {
				tr->limits_broken = 1;	/* would loop forever */
				break;
			}
			tr_record(tr, t, st, max_args, max_word);
			done += used;
			if (used == 0)
				break;
		}
		off += n;
	}
	tr_record(tr, t, tok_finish(t), max_args, max_word);
	tok_free(t);
}

static struct transcript tr_a, tr_b;

/* Checks the transcript of s, fed whole and byte by byte. */
#define EXPECT(s, want) expect_tok((s), sizeof(s) - 1, (want), __LINE__)

static void
expect_tok(const char *s, size_t len, const char *want, int line)
{
	run(&tr_a, s, len, 0, 0, 0);
	run(&tr_b, s, len, 1, 0, 0);
	if (strcmp(tr_a.text, want) != 0) {
		printf("# line %d: whole: got \"%s\", want \"%s\"\n", line, tr_a.text, want);
		test_case_failed = 1;
	}
	if (strcmp(tr_b.text, want) != 0) {
		printf("# line %d: bytewise: got \"%s\", want \"%s\"\n", line, tr_b.text, want);
		test_case_failed = 1;
	}
}

static void
test_whitespace_comments(void)
{
	TEST_CASE("whitespace separates words; CR is whitespace");
	EXPECT("a b\n", "L<a><b>\n");
	EXPECT("  a\t\tb  \n", "L<a><b>\n");
	EXPECT("a\r\nb\r\n", "L<a>\nL<b>\n");
	EXPECT("a\rb\n", "L<a><b>\n");
	EXPECT("a\v\fb\n", "L<a><b>\n");
	EXPECT("\n", "L\n");
	EXPECT("\n\n", "L\nL\n");

	TEST_CASE("'#' outside quotes ends the word and starts a comment");
	EXPECT("a # comment \"x\n", "L<a>\n");
	EXPECT("abc#x y\n", "L<abc>\n");
	EXPECT("# only a comment\n", "L\n");
	EXPECT("#\"unbalanced in a comment\nnext\n", "L\nL<next>\n");
}

static void
test_quotes(void)
{
	TEST_CASE("quoted words keep spaces and '='; \"\" is an empty word");
	EXPECT("\"a b\" c\n", "L<a b><c>\n");
	EXPECT("\"\"\n", "L<>\n");
	EXPECT("x \"\" y\n", "L<x><><y>\n");
	EXPECT("\"a=b\"\n", "L<a=b>\n");
	EXPECT("\"=\"\n", "L<=>\n");

	TEST_CASE("a closing quote ends the word; a quote inside a bare word is kept");
	EXPECT("\"ab\"cd\n", "L<ab><cd>\n");
	EXPECT("ab\"cd\n", "L<ab\"cd>\n");
	EXPECT("\"a\"\"b\"\n", "L<a><b>\n");
	EXPECT("\"\"\"\"\n", "L<><>\n");
	EXPECT("\"a\"=\"b\"\n", "L<a><=><b>\n");

	TEST_CASE("'#' inside quotes is an error for that line only");
	EXPECT("\"a#b\" c\nnext\n", "E\nL<next>\n");
	EXPECT("ok\n\"#\"\nok2\n", "L<ok>\nE\nL<ok2>\n");
	EXPECT("\"a\\#b\"\n", "L<a#b>\n");

	TEST_CASE("a newline inside quotes is dropped and the word continues");
	EXPECT("\"ab\ncd\" e\n", "L<abcd><e>\n");
	EXPECT("x \"a\n\nb\"\n", "L<x><ab>\n");
}

static void
test_escapes(void)
{
	TEST_CASE("backslash makes the next character literal");
	EXPECT("a\\\"b\n", "L<a\"b>\n");
	EXPECT("\"a\\\\b\"\n", "L<a\\b>\n");
	EXPECT("\\#x\n", "L<#x>\n");
	EXPECT("a\\ b\n", "L<a b>\n");
	EXPECT("a\\=b\n", "L<a=b>\n");
	EXPECT("\"x\\\"y\"\n", "L<x\"y>\n");
	EXPECT("\\\\\n", "L<\\>\n");

	TEST_CASE("backslash-newline joins lines with nothing inserted");
	EXPECT("ab\\\ncd\n", "L<abcd>\n");
	EXPECT("a \\\nb\n", "L<a><b>\n");
	EXPECT("\"ab\\\ncd\"\n", "L<abcd>\n");
	EXPECT("a\\\n\n", "L<a>\n");
}

static void
test_equals(void)
{
	TEST_CASE("'=' outside quotes is always a word of its own");
	EXPECT("a=b\n", "L<a><=><b>\n");
	EXPECT("a =b\n", "L<a><=><b>\n");
	EXPECT("a= b\n", "L<a><=><b>\n");
	EXPECT("a = b\n", "L<a><=><b>\n");
	EXPECT("==\n", "L<=><=>\n");
	EXPECT("a==b\n", "L<a><=><=><b>\n");
	EXPECT("port = \"/dev/ttyS0\"\n", "L<port><=></dev/ttyS0>\n");
}

static void
test_control_bytes(void)
{
	TEST_CASE("bytes < 0x20 and >= 0x80 are dropped; DEL is kept");
	EXPECT("a\x01" "b\n", "L<ab>\n");
	EXPECT("\"a\tb\"\n", "L<ab>\n");
	EXPECT("a\x80\xff" "b\n", "L<ab>\n");
	EXPECT("a\x7f" "b\n", "L<a\x7f" "b>\n");
	EXPECT("\x01 foo\n", "L<foo>\n");
	EXPECT("foo \x01\x02 bar\n", "L<foo><bar>\n");
	EXPECT("\xc3\xa9t\xc3\xa9\n", "L<t>\n");
	{
		struct tok *t = tok_new(0, 0);

		CHECK_INT(tok_split(t, "a\x01\xc3\xa9 b\x80", 8), TOK_LINE);
		CHECK_INT(tok_dropped(t), 3);	/* >= 0x80 only */
		CHECK_INT(tok_split(t, "plain", 5), TOK_LINE);
		CHECK_INT(tok_dropped(t), 0);
		tok_free(t);
	}
	expect_tok("a\0b\n", 4, "L<ab>\n", __LINE__);
}

static void
test_final_line(void)
{
	TEST_CASE("a final line without LF is processed (NUT bug 13 fixed)");
	EXPECT("abc", "L<abc>\n");
	EXPECT("a b", "L<a><b>\n");
	EXPECT("\"\"", "L<>\n");
	EXPECT("a\\", "L<a>\n");
	EXPECT("x=", "L<x><=>\n");
	EXPECT("a # c", "L<a>\n");
	EXPECT("# c", "");
	EXPECT("   ", "");
	EXPECT("", "");

	TEST_CASE("an unterminated quote at the end is an error");
	EXPECT("\"abc", "E\n");
	EXPECT("x \"unterminated\n", "E\n");
	EXPECT("\"a\\", "E\n");
}

static void
test_limits(void)
{
	struct transcript *tr = &tr_a;

	TEST_CASE("at most max_args words per line, else an error for that line");
	run(tr, "a b c\n", 6, 0, 3, 4);
	CHECK_STR(tr->text, "L<a><b><c>\n");
	run(tr, "a b c d\nx\n", 10, 0, 3, 4);
	CHECK_STR(tr->text, "E\nL<x>\n");
	run(tr, "a b c d\nx\n", 10, 1, 3, 4);
	CHECK_STR(tr->text, "E\nL<x>\n");
	run(tr, "a b=c\n", 6, 0, 3, 4);
	CHECK_STR(tr->text, "E\n");
	run(tr, "a b \"\"\n", 7, 0, 3, 4);
	CHECK_STR(tr->text, "L<a><b><>\n");

	TEST_CASE("at most max_word bytes per word, else an error for that line");
	run(tr, "abcd\n", 5, 0, 3, 4);
	CHECK_STR(tr->text, "L<abcd>\n");
	run(tr, "abcde\nok\n", 9, 0, 3, 4);
	CHECK_STR(tr->text, "E\nL<ok>\n");
	run(tr, "\"ab cd\" x\nok\n", 13, 1, 3, 4);
	CHECK_STR(tr->text, "E\nL<ok>\n");
	/* dropped bytes do not count against the limit */
	run(tr, "ab\x01\x02\x03" "cd\n", 8, 0, 3, 4);
	CHECK_STR(tr->text, "L<abcd>\n");

	TEST_CASE("the default limits are NUT's: 32 words of 512 bytes");
	{
		char line[40 * 3 + 2];
		char word[TOK_DEFAULT_MAX_WORD + 3];
		size_t i;

		for (i = 0; i < 32; i++)
			memcpy(line + 2 * i, "w ", 2);
		line[64] = '\n';
		run(tr, line, 65, 0, 0, 0);
		CHECK(strncmp(tr->text, "L<w>", 4) == 0);
		memcpy(line + 64, "w\n", 2);
		run(tr, line, 66, 0, 0, 0);
		CHECK_STR(tr->text, "E\n");
		memset(word, 'x', TOK_DEFAULT_MAX_WORD);
		word[TOK_DEFAULT_MAX_WORD] = '\n';
		run(tr, word, TOK_DEFAULT_MAX_WORD + 1, 0, 0, 0);
		CHECK(tr->text[0] == 'L' && tr->len == TOK_DEFAULT_MAX_WORD + 4);
		memset(word, 'x', TOK_DEFAULT_MAX_WORD + 1);
		word[TOK_DEFAULT_MAX_WORD + 1] = '\n';
		run(tr, word, TOK_DEFAULT_MAX_WORD + 2, 0, 0, 0);
		CHECK_STR(tr->text, "E\n");
	}
}

static void
test_errors_and_lines(void)
{
	struct tok *t = tok_new(0, 0);
	size_t used = 0;

	TEST_CASE("an error consumes its line even when it arrives in pieces");
	CHECK_INT(tok_feed(t, "\"a#b c", 6, &used), TOK_ERROR);
	CHECK_INT(used, 6);
	CHECK(strstr(tok_error(t), "#") != NULL);
	CHECK_INT(tok_argc(t), 0);
	CHECK(tok_argv(t)[0] == NULL);
	CHECK_INT(tok_feed(t, " \"d\n", 4, &used), TOK_MORE);
	CHECK_INT(used, 4);
	CHECK_INT(tok_feed(t, "x\n", 2, &used), TOK_LINE);
	CHECK_INT(tok_argc(t), 1);
	CHECK_STR(tok_argv(t)[0], "x");

	TEST_CASE("an error still being skipped at the end is not reported twice");
	CHECK_INT(tok_feed(t, "a b \"#", 6, &used), TOK_ERROR);
	CHECK_INT(tok_finish(t), TOK_MORE);
	CHECK_INT(tok_feed(t, "ok\n", 3, &used), TOK_LINE);
	CHECK_STR(tok_argv(t)[0], "ok");

	TEST_CASE("an error stops at the end of its line, not before");
	CHECK_INT(tok_feed(t, "\"#\" y\nz\n", 8, &used), TOK_ERROR);
	CHECK_INT(used, 6);
	CHECK_INT(tok_feed(t, "z\n", 2, &used), TOK_LINE);
	CHECK_STR(tok_argv(t)[0], "z");

	TEST_CASE("tok_feed stops after each line and says how much it used");
	CHECK_INT(tok_feed(t, "a\nbb\n", 5, &used), TOK_LINE);
	CHECK_INT(used, 2);
	CHECK_STR(tok_argv(t)[0], "a");
	CHECK_INT(tok_feed(t, "bb\n", 3, &used), TOK_LINE);
	CHECK_INT(used, 3);
	CHECK_STR(tok_argv(t)[0], "bb");
	CHECK(tok_argv(t)[1] == NULL);
	tok_free(t);

	TEST_CASE("tok_lines counts LFs; tok_line_no is where a line began");
	t = tok_new(0, 0);
	CHECK_INT(tok_lines(t), 0);
	CHECK_INT(tok_feed(t, "a\n", 2, &used), TOK_LINE);
	CHECK_INT(tok_line_no(t), 1);
	CHECK_INT(tok_lines(t), 1);
	CHECK_INT(tok_feed(t, "b \"x\ny\" \\\nc\n", 12, &used), TOK_LINE);
	CHECK_INT(tok_line_no(t), 2);
	CHECK_INT(tok_lines(t), 4);
	CHECK_INT(tok_argc(t), 3);
	CHECK_INT(tok_feed(t, "\n\"#\n", 4, &used), TOK_LINE);
	CHECK_INT(tok_line_no(t), 5);
	CHECK_INT(tok_feed(t, "\"#\n", 3, &used), TOK_ERROR);
	CHECK_INT(tok_line_no(t), 6);
	CHECK_INT(tok_lines(t), 6);
	CHECK_INT(tok_feed(t, "last", 4, &used), TOK_MORE);
	CHECK_INT(tok_finish(t), TOK_LINE);
	CHECK_INT(tok_line_no(t), 7);
	CHECK_STR(tok_argv(t)[0], "last");
	CHECK_INT(tok_finish(t), TOK_MORE);

	TEST_CASE("tok_reset forgets a partial line");
	CHECK_INT(tok_feed(t, "abc \"de", 7, &used), TOK_MORE);
	tok_reset(t);
	CHECK_INT(tok_feed(t, "f\n", 2, &used), TOK_LINE);
	CHECK_INT(tok_argc(t), 1);
	CHECK_STR(tok_argv(t)[0], "f");
	tok_free(t);
	tok_free(NULL);
}

static void
test_split(void)
{
	struct tok *t = tok_new(0, 0);
	static const char set[] = "SET VAR ups ups.id \"a \\\"b\\\" \\\\ \\# c\"\n";

	TEST_CASE("tok_split: one line, trailing LF optional");
	CHECK_INT(tok_split(t, "GET VAR ups ups.status", 22), TOK_LINE);
	CHECK_INT(tok_argc(t), 4);
	CHECK_STR(tok_argv(t)[3], "ups.status");
	CHECK_INT(tok_split(t, set, sizeof(set) - 1), TOK_LINE);
	CHECK_INT(tok_argc(t), 5);
	CHECK_STR(tok_argv(t)[4], "a \"b\" \\ # c");
	CHECK_INT(tok_split(t, "", 0), TOK_LINE);
	CHECK_INT(tok_argc(t), 0);
	CHECK(tok_argv(t)[0] == NULL);

	TEST_CASE("tok_split: extra lines, bad quotes are errors");
	CHECK_INT(tok_split(t, "a\nb", 3), TOK_ERROR);
	CHECK_INT(tok_argc(t), 0);
	CHECK_INT(tok_split(t, "a \"b", 4), TOK_ERROR);
	CHECK_INT(tok_split(t, "\"#\"", 3), TOK_ERROR);
	/* a partial line left behind does not leak into the next split */
	CHECK_INT(tok_split(t, "ok", 2), TOK_LINE);
	CHECK_INT(tok_argc(t), 1);
	CHECK_STR(tok_argv(t)[0], "ok");
	tok_free(t);
}

/* A large input mixing every rule: any split must give the same result. */
static const char mixed[] =
    "# upsd.conf\nLISTEN 127.0.0.1 3493\nMAXAGE=15\n"
    "[ups]\n\tdriver = dummy-ups\n\tport = \"/tmp/a b.dev\"\n"
    "\tdesc = \"say \\\"hi\\\" \\# not a comment\"\n"
    "SET VAR ups ups.id \"x\"\r\n\"bad # here\" tail\n"
    "joined\\\nword \"multi\nline\" \x01\x80 = end\nlast \"\"";

static void
test_split_anywhere(void)
{
	size_t chunk;
	struct transcript *whole = malloc(sizeof(*whole));

	TEST_CASE("feeding in any chunk size equals feeding the whole buffer");
	run(whole, mixed, sizeof(mixed) - 1, 0, 0, 0);
	CHECK(whole->text[0] == 'L');
	CHECK(strstr(whole->text, "L<desc><=><say \"hi\" # not a comment>\n") != NULL);
	CHECK(strstr(whole->text, "\nE\n") != NULL);
	CHECK(strstr(whole->text, "L<joinedword><multiline><=><end>\n") != NULL);
	CHECK(strstr(whole->text, "L<last><>\n") != NULL);
	for (chunk = 1; chunk < sizeof(mixed); chunk++) {
		run(&tr_b, mixed, sizeof(mixed) - 1, chunk, 0, 0);
		if (!CHECK_STR(tr_b.text, whole->text)) {
			printf("# chunk size %zu\n", chunk);
			break;
		}
	}
	free(whole);
}

struct mutate_state {
	size_t max_args, max_word;
	unsigned long bad;
	struct transcript *a, *b;
};

static void
mutant(const char *data, size_t len, void *arg)
{
	struct mutate_state *ms = arg;

	run(ms->a, data, len, 0, ms->max_args, ms->max_word);
	run(ms->b, data, len, 1, ms->max_args, ms->max_word);
	if (ms->a->limits_broken || ms->b->limits_broken || ms->a->overflow ||
	    strcmp(ms->a->text, ms->b->text) != 0)
		ms->bad++;
}

static void
test_mutants(void)
{
	static const char upsd_conf[] =
	    "# upsd.conf\nLISTEN 0.0.0.0 3493\nLISTEN ::1\nMAXAGE 15\n"
	    "STATEPATH /run/nut\nCERTFILE \"/etc/nut/cert file.pem\"\nMAXCONN 1024\n";
	static const char ups_conf[] =
	    "maxretry = 3\n[myups]\n\tdriver = usbhid-ups\n\tport = auto\n"
	    "\tdesc = \"Rack \\\"A\\\" UPS\"\n\tpollinterval=2\n[dummy]\n"
	    "  driver=dummy-ups\n  port=\"/etc/nut/d.dev\"\n";
	static const char wire[] =
	    "USERNAME monuser\nPASSWORD \"p a\\\"ss\"\nLOGIN myups\n"
	    "SET VAR myups ups.id \"new \\\\ id\"\nINSTCMD myups test.battery.start\n";
	struct mutate_state ms;
	unsigned long n;

	ms.a = malloc(sizeof(*ms.a));
	ms.b = malloc(sizeof(*ms.b));

	TEST_CASE("mutants of upsd.conf tokenize within limits, split or whole");
	ms.max_args = 0;
	ms.max_word = 0;
	ms.bad = 0;
	n = mutate_all(upsd_conf, sizeof(upsd_conf) - 1, 2000, mutant, &ms);
	CHECK(n > 1000);
	CHECK_INT(ms.bad, 0);

	TEST_CASE("mutants of ups.conf tokenize within tight limits");
	ms.max_args = 3;
	ms.max_word = 8;
	ms.bad = 0;
	n = mutate_all(ups_conf, sizeof(ups_conf) - 1, 2000, mutant, &ms);
	CHECK(n > 1000);
	CHECK_INT(ms.bad, 0);

	TEST_CASE("mutants of wire lines tokenize within limits");
	ms.max_args = 4;
	ms.max_word = 0;
	ms.bad = 0;
	n = mutate_all(wire, sizeof(wire) - 1, 2000, mutant, &ms);
	CHECK(n > 1000);
	CHECK_INT(ms.bad, 0);
	free(ms.a);
	free(ms.b);
}

/*
 * tok_split takes a one-pass path for plain lines; it must agree with the
 * byte-at-a-time state machine (tok_feed + tok_finish) on every line,
 * plain or not, at and around the limits, and on mutants of both.
 */
struct split_cmp { struct tok *a, *b; unsigned long bad, n; };

static int
split_same(struct tok *a, struct tok *b, const char *line, size_t len)
{
	enum tok_status sa, sb;
	size_t used = 0, i;

	sa = tok_split(a, line, len);
	tok_reset(b);
	sb = tok_feed(b, line, len, &used);
	if (sb == TOK_MORE) {
		sb = tok_finish(b);
		if (sb == TOK_MORE)
			sb = TOK_LINE;	/* blank line: tok_split calls it an empty line */
	} else if (sb == TOK_LINE && used < len) {
		sb = TOK_ERROR;		/* more than one line */
	}
	if (sa != sb)
		return 0;
	if (sa != TOK_LINE)
		return 1;
	if (tok_argc(a) != (sb == TOK_LINE ? tok_argc(b) : 0))
		return 0;
	for (i = 0; i < tok_argc(a); i++)
		if (strcmp(tok_argv(a)[i], tok_argv(b)[i]) != 0)
			return 0;
	return tok_argv(a)[tok_argc(a)] == NULL;
}

static void
split_cmp_cb(const char *data, size_t len, void *arg)
{
	struct split_cmp *sc = arg;

	sc->n++;
	if (!split_same(sc->a, sc->b, data, len))
		sc->bad++;
}

static void
test_split_fast_path(void)
{
	static const char *lines[] = {
		"GET VAR ups ups.status\n", "LIST VAR ups", "  GET   VAR\tups\r\n",
		"", "\n", "   \r\n", "USERNAME admin\n", "a b=c\n", "SET VAR u v \"x y\"\n",
		"x#y z\n", "p\\ q\n", "caf\xc3\xa9 x\n", "del\x7f x\n", "a\nb\n", "a\x01b\n",
	};
	struct split_cmp sc = { tok_new(4, 8), tok_new(4, 8), 0, 0 };
	char buf[64];
	size_t i;

	TEST_CASE("tok_split's plain-line path agrees with the state machine");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		CHECK(split_same(sc.a, sc.b, lines[i], strlen(lines[i])));
	/* at and past the limits of 4 words of 8 bytes */
	CHECK(split_same(sc.a, sc.b, "a b c d\n", 8));
	CHECK(split_same(sc.a, sc.b, "a b c d e\n", 10));
	CHECK(split_same(sc.a, sc.b, "12345678 x\n", 11));
	CHECK(split_same(sc.a, sc.b, "123456789 x\n", 12));
	CHECK(tok_split(sc.a, "a b c d e\n", 10) == TOK_ERROR);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "%s", lines[i]);
		mutate_all(buf, strlen(buf), 200, split_cmp_cb, &sc);
	}
	CHECK(sc.n > 1000);
	CHECK_INT(sc.bad, 0);
	tok_free(sc.a);
	tok_free(sc.b);
}

int
main(void)
{
	test_whitespace_comments();
	test_quotes();
	test_escapes();
	test_equals();
	test_control_bytes();
	test_final_line();
	test_limits();
	test_errors_and_lines();
	test_split();
	test_split_anywhere();
	test_split_fast_path();
	test_mutants();
	return test_done();
}
