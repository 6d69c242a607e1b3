/*
 * nutsec - tok.c: the one tokenizer. A byte-at-a-time state machine that
 * follows NUT's parseconf grammar (quotes, backslash escapes, '=' as a word
 * of its own, '#' comments, control bytes dropped) so that config files and
 * both wire protocols split exactly as NUT splits them, but with its silent
 * truncations turned into per-line errors and memory bounded by the limits
 * given at creation. Input may arrive split at any byte.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tok.h"
#include "xmalloc.h"

enum tok_state {
	ST_IDLE,	/* between words */
	ST_IDLE_ESC,	/* backslash seen between words */
	ST_WORD,	/* inside an unquoted word */
	ST_WORD_ESC,	/* backslash seen inside an unquoted word */
	ST_QUOTE,	/* inside "..." */
	ST_QUOTE_ESC,	/* backslash seen inside "..." */
	ST_COMMENT,	/* after '#', up to LF */
	ST_SKIP		/* after an error, up to LF */
};

struct tok {
	size_t max_args, max_word;
	enum tok_state st;
	char *store;		/* the line's words, each NUL-terminated */
	size_t len, cap;
	size_t *off;		/* start of each word in store */
	size_t offcap;
	char **argv;		/* built from off when a line completes */
	size_t argvcap;
	size_t argc;
	size_t word_start, wlen;
	int done;		/* the last call returned a line or an error */
	size_t dropped;		/* bytes >= 0x80 the filter took out of this line's words */
	unsigned long lines, line_no;
	char err[96];
};

struct tok *
tok_new(size_t max_args, size_t max_word)
{
	struct tok *t = XNEW(struct tok);

	t->max_args = max_args != 0 ? max_args : TOK_DEFAULT_MAX_ARGS;
	t->max_word = max_word != 0 ? max_word : TOK_DEFAULT_MAX_WORD;
	t->st = ST_IDLE;
	t->line_no = 1;
	return t;
}

void
tok_free(struct tok *t)
{
	if (t == NULL)
		return;
	/* lines may carry passwords: clear them */
	if (t->store != NULL)
		memset(t->store, 0, t->cap);
	free(t->store);
	free(t->off);
	free(t->argv);
	free(t);
}

/* Forgets the words of the current line (keeps the line counter). */
static void
tok_clear_line(struct tok *t)
{
	if (t->store != NULL && t->len > 0)
		memset(t->store, 0, t->len);
	t->len = 0;
	t->argc = 0;
	t->wlen = 0;
	t->done = 0;
	t->dropped = 0;
	t->err[0] = '\0';
}

void
tok_reset(struct tok *t)
{
	tok_clear_line(t);
	t->st = ST_IDLE;
	t->line_no = t->lines + 1;
}

static int
tok_fail(struct tok *t, const char *msg)
{
	(void)snprintf(t->err, sizeof(t->err), "%s", msg);
	t->st = ST_SKIP;
	return -1;
}

/* Makes room for n more bytes in store, within the line's bound. */
static void
tok_reserve(struct tok *t, size_t n)
{
	size_t want = t->len + n, ncap;

	if (want <= t->cap)
		return;
	ncap = t->cap != 0 ? t->cap : 64;
	while (ncap < want)
		ncap *= 2;
	t->store = xreallocarray(t->store, ncap, 1);
	t->cap = ncap;
}

static int
tok_word_begin(struct tok *t)
{
	if (t->argc >= t->max_args) {
		char msg[64];

		(void)snprintf(msg, sizeof(msg), "too many words (limit %zu)", t->max_args);
		return tok_fail(t, msg);
	}
	if (t->argc >= t->offcap) {
		size_t ncap = t->offcap != 0 ? t->offcap * 2 : 8;

		if (ncap > t->max_args)
			ncap = t->max_args;
		t->off = xreallocarray(t->off, ncap, sizeof(*t->off));
		t->offcap = ncap;
	}
	t->word_start = t->len;
	t->wlen = 0;
	return 0;
}

static int
tok_word_add(struct tok *t, unsigned char c)
{
	/* the CVE-2012-2944 filter: only printable ASCII (and DEL) is kept */
	if (c < 0x20 || c >= 0x80) {
		t->dropped += c >= 0x80;
		return 0;
	}
	if (t->wlen >= t->max_word) {
		char msg[64];

		(void)snprintf(msg, sizeof(msg), "word too long (limit %zu bytes)", t->max_word);
		return tok_fail(t, msg);
	}
	tok_reserve(t, 2);
	t->store[t->len++] = (char)c;
	t->wlen++;
	return 0;
}

static void
tok_word_end(struct tok *t)
{
	tok_reserve(t, 1);
	t->store[t->len++] = '\0';
	t->off[t->argc++] = t->word_start;
}

/* Builds argv from the offsets; store no longer moves until the next call. */
static void
tok_build_argv(struct tok *t)
{
	size_t i;

	if (t->argc + 1 > t->argvcap) {
		t->argv = xreallocarray(t->argv, t->argc + 1, sizeof(*t->argv));
		t->argvcap = t->argc + 1;
	}
	for (i = 0; i < t->argc; i++)
		t->argv[i] = t->store + t->off[i];
	t->argv[t->argc] = NULL;
}

static int
tok_isspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* An '=' outside quotes: a one-character word of its own. */
static int
tok_equals(struct tok *t)
{
	if (tok_word_begin(t) != 0 || tok_word_add(t, '=') != 0)
		return -1;
	tok_word_end(t);
	return 0;
}

/*
 * Processes one byte (not LF-terminating a line). Returns 1 if a line is
 * complete, 0 to go on, -1 on an error.
 */
static int
tok_byte(struct tok *t, unsigned char c)
{
	switch (t->st) {
	case ST_IDLE:
		if (c == '\n')
			return 1;
		if (c == '#')
			t->st = ST_COMMENT;
		else if (tok_isspace(c) || c < 0x20 || c >= 0x80)
			;	/* a dropped byte does not start an empty word */
		else if (c == '\\')
			t->st = ST_IDLE_ESC;
		else if (c == '"') {
			if (tok_word_begin(t) != 0)
				return -1;
			t->st = ST_QUOTE;
		} else if (c == '=') {
			if (tok_equals(t) != 0)
				return -1;
		} else {
			if (tok_word_begin(t) != 0 || tok_word_add(t, c) != 0)
				return -1;
			t->st = ST_WORD;
		}
		return 0;
	case ST_IDLE_ESC:
		/* backslash-newline between words joins the lines */
		if (c == '\n' || c < 0x20 || c >= 0x80) {
			t->st = ST_IDLE;
			return 0;
		}
		if (tok_word_begin(t) != 0 || tok_word_add(t, c) != 0)
			return -1;
		t->st = ST_WORD;
		return 0;
	case ST_WORD:
		if (c == '\n') {
			tok_word_end(t);
			return 1;
		}
		if (c == '#') {
			tok_word_end(t);
			t->st = ST_COMMENT;
		} else if (tok_isspace(c)) {
			tok_word_end(t);
			t->st = ST_IDLE;
		} else if (c == '=') {
			tok_word_end(t);
			t->st = ST_IDLE;
			if (tok_equals(t) != 0)
				return -1;
		} else if (c == '\\') {
			t->st = ST_WORD_ESC;
		} else if (tok_word_add(t, c) != 0) {
			/* a '"' inside an unquoted word is kept, as in NUT */
			return -1;
		}
		return 0;
	case ST_WORD_ESC:
		t->st = ST_WORD;
		if (c == '\n')
			return 0;
		return tok_word_add(t, c);
	case ST_QUOTE:
		if (c == '#')
			return tok_fail(t, "unescaped '#' inside quotes");
		if (c == '"') {
			tok_word_end(t);
			t->st = ST_IDLE;
		} else if (c == '\\') {
			t->st = ST_QUOTE_ESC;
		} else {
			/* a newline here is dropped by the filter: the word goes on */
			return tok_word_add(t, c);
		}
		return 0;
	case ST_QUOTE_ESC:
		t->st = ST_QUOTE;
		if (c == '\n')
			return 0;
		return tok_word_add(t, c);
	case ST_COMMENT:
		return c == '\n' ? 1 : 0;
	case ST_SKIP:
		if (c == '\n') {
			tok_clear_line(t);
			t->st = ST_IDLE;
			t->line_no = t->lines + 1;
		}
		return 0;
	}
	return 0;
}

/*
 * Length of the run at data[0..len) of bytes that state st would simply
 * append to the current word (no separator, escape, quote, comment, LF or
 * dropped byte). Lets tok_feed copy plain text in bulk.
 */
static size_t
tok_plain_run(enum tok_state st, const char *data, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++) {
		unsigned char c = (unsigned char)data[k];

		if (c < 0x20 || c >= 0x80 || c == '\\' || c == '#')
			break;
		if (st == ST_WORD ? (c == ' ' || c == '=') : c == '"')
			break;
	}
	return k;
}

enum tok_status
tok_feed(struct tok *t, const char *data, size_t len, size_t *used)
{
	size_t i;

	if (t->done) {
		tok_clear_line(t);
		t->line_no = t->lines + 1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		int r;

		if (t->st == ST_WORD || t->st == ST_QUOTE) {
			/* fast path: copy a run of plain bytes at once */
			size_t k = tok_plain_run(t->st, data + i, len - i);

			if (k > 1 && t->wlen + k <= t->max_word) {
				tok_reserve(t, k + 1);
				memcpy(t->store + t->len, data + i, k);
				t->len += k;
				t->wlen += k;
				i += k - 1;
				continue;
			}
		}
		if (c == '\n')
			t->lines++;
		if (t->st == ST_SKIP) {
			(void)tok_byte(t, c);
			continue;
		}
		r = tok_byte(t, c);
		if (r == 1) {
			t->st = ST_IDLE;
			tok_build_argv(t);
			t->done = 1;
			*used = i + 1;
			return TOK_LINE;
		}
		if (r < 0) {
			/* consume the rest of the offending line if we have it */
			for (i++; i < len; i++) {
				if (data[i] == '\n') {
					t->lines++;
					t->st = ST_IDLE;
					i++;
					break;
				}
			}
			t->argc = 0;
			tok_build_argv(t);
			t->done = 1;
			*used = i;
			return TOK_ERROR;
		}
	}
	*used = len;
	return TOK_MORE;
}

enum tok_status
tok_finish(struct tok *t)
{
	enum tok_status ret = TOK_MORE;

	if (t->done) {
		tok_clear_line(t);
		t->line_no = t->lines + 1;
	}
	switch (t->st) {
	case ST_SKIP:
		tok_clear_line(t);
		break;
	case ST_QUOTE:
	case ST_QUOTE_ESC:
		(void)tok_fail(t, "unbalanced quotes (no closing '\"')");
		t->argc = 0;
		ret = TOK_ERROR;
		break;
	case ST_WORD:
	case ST_WORD_ESC:
		tok_word_end(t);
		ret = TOK_LINE;
		break;
	case ST_IDLE:
	case ST_IDLE_ESC:
	case ST_COMMENT:
		if (t->argc > 0)
			ret = TOK_LINE;
		break;
	}
	t->st = ST_IDLE;
	if (ret != TOK_MORE) {
		tok_build_argv(t);
		t->done = 1;
	} else {
		tok_clear_line(t);
	}
	return ret;
}

size_t
tok_dropped(const struct tok *t)
{
	return t->dropped;
}

size_t
tok_argc(const struct tok *t)
{
	return t->argc;
}

char **
tok_argv(const struct tok *t)
{
	static char *empty[1] = { NULL };

	return t->argv != NULL ? t->argv : empty;
}

const char *
tok_error(const struct tok *t)
{
	return t->err[0] != '\0' ? t->err : "no error";
}

unsigned long
tok_lines(const struct tok *t)
{
	return t->lines;
}

unsigned long
tok_line_no(const struct tok *t)
{
	return t->line_no;
}

/*
 * Byte classes of the plain-line path: a byte either joins a word, separates
 * words, or is something the grammar treats specially (quotes, backslash,
 * '#', '=', LF, other control bytes, DEL and non-ASCII), which sends the
 * whole line to the state machine.
 */
enum { TC_WORD = 0, TC_SEP = 1, TC_SPECIAL = 2 };

#define TC_16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
static const unsigned char tok_class[256] = {
	/* 0x00-0x0f: TAB, VT, FF and CR separate; LF and the rest are special */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 1, 1, 1, 2, 2,
	TC_16(2),		/* 0x10-0x1f */
	/* 0x20-0x2f: ' ' separates; '"' and '#' are special */
	1, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x30-0x3f: '=' is special */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0,
	TC_16(0),		/* 0x40-0x4f */
	/* 0x50-0x5f: '\\' is special */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
	TC_16(0),		/* 0x60-0x6f */
	/* 0x70-0x7f: DEL is special */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	TC_16(2), TC_16(2), TC_16(2), TC_16(2),	/* 0x80-0xbf */
	TC_16(2), TC_16(2), TC_16(2), TC_16(2)	/* 0xc0-0xff */
};
#undef TC_16

/* Makes sure off[] and argv[] can hold max_args words (once per tokenizer). */
static void
tok_reserve_words(struct tok *t)
{
	if (t->offcap < t->max_args) {
		t->off = xreallocarray(t->off, t->max_args, sizeof(*t->off));
		t->offcap = t->max_args;
	}
	if (t->argvcap < t->max_args + 1) {
		t->argv = xreallocarray(t->argv, t->max_args + 1, sizeof(*t->argv));
		t->argvcap = t->max_args + 1;
	}
}

/*
 * Most request lines on the wire are a few plain words. Such a line is split
 * here in one pass, giving exactly what the state machine gives; a line with
 * anything the grammar treats specially (quotes, backslash, '#', '=',
 * control, DEL or non-ASCII bytes, an inner LF) or at a limit is left to the
 * state machine. The line state must be reset except for the store, whose
 * t->len bytes may still hold the previous line. Returns 1 if it handled
 * the line, 0 (nothing kept, the store cleared) if not.
 */
static int
tok_split_plain(struct tok *t, const char *line, size_t len)
{
	size_t argc = 0, max_args = t->max_args, max_word = t->max_word, old = t->len;
	unsigned char *store, *q, *e, *start;
	int lf = len > 0 && line[len - 1] == '\n';

	if (lf)
		len--;
	/*
	 * The line is copied whole over the previous one (whose longer tail
	 * is then cleared) and split in place: each word ends where a
	 * separator is overwritten with its NUL. The NUL after the copy stops
	 * every scan (its class is special), so the loops test no bounds.
	 * Only argv is filled; off[] is for the state machine's lines.
	 */
	t->len = 0;
	tok_reserve(t, len + 1);
	tok_reserve_words(t);
	store = (unsigned char *)t->store;
	memcpy(store, line, len);
	e = store + len;
	*e = '\0';
	if (old > len + 1)
		memset(e + 1, 0, old - (len + 1));
	t->len = len + 1;
	for (q = store;;) {
		while (tok_class[*q] == TC_SEP)
			q++;
		if (q == e)
			break;
		if (tok_class[*q] != TC_WORD || argc >= max_args)
			goto slow;
		start = q;
		while (tok_class[*++q] == TC_WORD)
			;
		if ((size_t)(q - start) > max_word)
			goto slow;
		t->argv[argc++] = (char *)start;
		if (q == e)
			break;
		if (tok_class[*q] != TC_SEP)
			goto slow;
		*q++ = '\0';
	}
	t->argv[argc] = NULL;
	t->argc = argc;
	if (lf)
		t->lines++;
	t->done = 1;
	return 1;
slow:
	tok_reset(t);	/* clears the copy */
	return 0;
}

enum tok_status
tok_split(struct tok *t, const char *line, size_t len)
{
	enum tok_status st;
	size_t used = 0;

	/* tok_reset, except that the plain path clears what it does not overwrite */
	t->argc = 0;
	t->wlen = 0;
	t->done = 0;
	t->dropped = 0;
	t->err[0] = '\0';
	t->st = ST_IDLE;
	t->line_no = t->lines + 1;
	if (tok_split_plain(t, line, len))
		return TOK_LINE;
	st = tok_feed(t, line, len, &used);
	if (st == TOK_MORE) {
		st = tok_finish(t);
		if (st == TOK_MORE) {
			/* nothing but blanks or a comment: an empty line */
			tok_build_argv(t);
			t->done = 1;
			st = TOK_LINE;
		}
		return st;
	}
	if (st == TOK_ERROR)
		return TOK_ERROR;
	if (used < len) {
		/* keep argv/err coherent: the whole input is rejected */
		(void)tok_fail(t, "more than one line");
		t->st = ST_IDLE;
		t->argc = 0;
		tok_build_argv(t);
		return TOK_ERROR;
	}
	return TOK_LINE;
}
