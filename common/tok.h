/*
 * nutsec - tok.h: the one tokenizer, compatible with NUT's grammar, used
 * for every config file, the client protocol and the driver socket.
 *
 * Rules (NUT parseconf, with its silent truncations made errors):
 *  - whitespace (space, TAB, CR, ...) separates words outside quotes;
 *  - '#' outside quotes ends the word and starts a comment to end of line;
 *    '#' inside quotes is an error for that line;
 *  - "..." is one word that may hold spaces and '='; "" is an empty word;
 *    a newline inside quotes is dropped and the word continues on the next
 *    line;
 *  - backslash makes the next character literal, inside or outside quotes;
 *    backslash-newline joins lines with nothing inserted;
 *  - '=' outside quotes is always a word of its own (a=b -> a, =, b);
 *  - bytes < 0x20 and >= 0x80 are dropped from word contents (DEL is
 *    kept); outside a word they are ignored and do not start one;
 *  - limits: at most max_args words per line and max_word bytes per word;
 *    going over either is an error for that line (NUT silently truncated);
 *  - a final line without a newline is processed (NUT bug 13 is not kept).
 * An error consumes input up to the end of the offending line, so the next
 * line starts clean.
 */
#ifndef NUTSEC_TOK_H
#define NUTSEC_TOK_H

#include <stddef.h>

#define TOK_DEFAULT_MAX_ARGS 32
#define TOK_DEFAULT_MAX_WORD 512

struct tok;

enum tok_status {
	TOK_MORE = 0,	/* all input consumed, no complete line yet */
	TOK_LINE = 1,	/* a complete line: read tok_argc/tok_argv (argc may be 0
			   for an empty or comment-only line) */
	TOK_ERROR = -1	/* the line was bad: read tok_error; input up to its end consumed */
};

/* A tokenizer with the given limits (0 = the defaults). */
struct tok *tok_new(size_t max_args, size_t max_word);
void tok_free(struct tok *t);
/* Forgets any partial line. */
void tok_reset(struct tok *t);

/*
 * Feeds up to len bytes. Stops after the first complete line or error and
 * stores how many bytes it used in *used; call again with the rest.
 * The argv of a TOK_LINE stays valid until the next tok_feed/tok_finish/
 * tok_reset.
 */
enum tok_status tok_feed(struct tok *t, const char *data, size_t len, size_t *used);
/* End of input: completes a pending last line (TOK_LINE), or TOK_MORE if
 * nothing was pending, or TOK_ERROR (e.g. an unterminated quote). */
enum tok_status tok_finish(struct tok *t);

size_t tok_argc(const struct tok *t);
/* After TOK_LINE: how many bytes >= 0x80 the filter took out of its words
 * (a configuration reader says so; the protocol drops them silently). */
size_t tok_dropped(const struct tok *t);
/* NUL-terminated words; argv[argc] is NULL. */
char **tok_argv(const struct tok *t);
/* After TOK_ERROR: a short message ("unbalanced quotes", ...). */
const char *tok_error(const struct tok *t);
/* Number of LF characters consumed so far (for file:line messages). */
unsigned long tok_lines(const struct tok *t);
/*
 * The 1-based number of the physical line on which the line (or error) last
 * returned began; a line continued with backslash-newline or a newline in
 * quotes is reported where it started.
 */
unsigned long tok_line_no(const struct tok *t);

/*
 * Convenience: tokenizes one string holding exactly one line (a trailing LF
 * is optional; an empty string is a line with argc 0). Forgets any partial
 * line first. Returns TOK_LINE, or TOK_ERROR. Extra lines are an error.
 */
enum tok_status tok_split(struct tok *t, const char *line, size_t len);

#endif
