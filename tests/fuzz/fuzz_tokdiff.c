/*
 * nutsec - fuzz_tokdiff.c: common/tok's two ways of splitting a line must
 * agree. tok_split tries its one-pass plain-line path first and falls back
 * to the state machine; here every line also goes through the state
 * machine alone, one byte per tok_feed (so its bulk copy of plain runs is
 * never taken either), and the status, the words and the line count must
 * be the same. The split tokenizer is reused from line to line, as upsd
 * reuses its own, so a line shorter than the last one is also checked for
 * leftovers.
 *
 * Input: byte 0 picks the word limit, byte 1 the line limit (word count),
 * byte 2 whether lines end at LF (kept, as the readers hand them over) or
 * at NUL (so a line may hold inner LFs); the rest is the lines.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tok.h"

static const size_t word_limits[] = { 1, 2, 3, 4, 7, 8, 16, 63, 64, 255, 256, 511, 512 };
static const size_t arg_limits[] = { 1, 2, 3, 4, 5, 8, 31, 32 };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The state machine alone on one line, with tok_split's rules for the end. */
static enum tok_status
slow_split(struct tok *t, const char *line, size_t len)
{
	enum tok_status st = TOK_MORE;
	size_t i, used;

	tok_reset(t);
	for (i = 0; i < len; i++) {
		st = tok_feed(t, line + i, 1, &used);
		if (used != 1)
			abort();
		if (st != TOK_MORE)
			break;
	}
	if (st == TOK_ERROR)
		return TOK_ERROR;
	if (st == TOK_LINE)
		return i + 1 == len ? TOK_LINE : TOK_ERROR;	/* a second line */
	st = tok_finish(t);
	return st == TOK_MORE ? TOK_LINE : st;	/* blanks only: an empty line */
}

static void
compare(struct tok *fast, struct tok *slow, const char *line, size_t len)
{
	unsigned long before = tok_lines(fast);
	enum tok_status a = tok_split(fast, line, len);
	enum tok_status b = slow_split(slow, line, len);
	size_t i, n;

	if (a != b)
		abort();
	if (a != TOK_LINE)
		return;
	n = tok_argc(fast);
	if (n != tok_argc(slow) || tok_argv(fast)[n] != NULL)
		abort();
	/* (after a blank line the state machine alone has built no argv) */
	if (n > 0 && tok_argv(slow)[n] != NULL)
		abort();
	for (i = 0; i < n; i++)
		if (strcmp(tok_argv(fast)[i], tok_argv(slow)[i]) != 0)
			abort();
	/* A line that ends in LF counts one; the fast path must count it too. */
	if (len > 0 && line[len - 1] == '\n' && memchr(line, '\n', len - 1) == NULL &&
	    tok_lines(fast) != before + 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tok *fast, *slow;
	const char *p, *end, *nl;
	char sep;

	if (size < 3)
		return 0;
	fast = tok_new(arg_limits[data[1] % COUNT(arg_limits)],
	    word_limits[data[0] % COUNT(word_limits)]);
	slow = tok_new(arg_limits[data[1] % COUNT(arg_limits)],
	    word_limits[data[0] % COUNT(word_limits)]);
	sep = (data[2] & 1) ? '\0' : '\n';
	p = (const char *)data + 3;
	end = (const char *)data + size;
	while (p < end) {
		nl = memchr(p, sep, (size_t)(end - p));
		if (sep == '\n') {
			/* the LF stays with its line */
			size_t len = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);

			compare(fast, slow, p, len);
			p += len;
		} else {
			size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

			compare(fast, slow, p, len);
			p += len + (nl != NULL);
		}
	}
	tok_free(slow);
	tok_free(fast);
	return 0;
}
