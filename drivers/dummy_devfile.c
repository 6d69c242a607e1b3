/*
 * nutsec - dummy_devfile.c: walks a dummy-ups data file entry by entry. The
 * grammar follows NUT's dummy-ups (token 1 is the name up to its first
 * ':'; the value is the remaining words joined by one space; TIMER and
 * ALARM lines), with its silent cases made explicit: a line with no ':'
 * after the name is an error instead of a guess, text glued to the colon
 * ("ups.status:OL") is the first value word instead of being lost, and a
 * value over VT_VALUE_MAX bytes is an error instead of being cut at 127.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "devfile.h"
#include "tok.h"
#include "xmalloc.h"

struct devfile {
	char *name;
	char *text;
	size_t len, pos;
	struct tok *tok;
	int finished;		/* tok_finish has run */
};

struct devfile *
devfile_new(const char *name, const char *text, size_t len)
{
	struct devfile *df = XNEW(struct devfile);

	df->name = xstrdup(name);
	df->text = xmalloc(len + 1);
	memcpy(df->text, text, len);
	df->text[len] = '\0';
	df->len = len;
	df->tok = tok_new(0, 0);
	return df;
}

struct devfile *
devfile_open(const char *path, char *err, size_t errlen)
{
	struct devfile *df = NULL;
	struct stat st;
	char *text = NULL;
	size_t got = 0;
	ssize_t n;
	int fd;

	/* conf_open: inside a jail, through the directory kept open before it */
	fd = conf_open(path);
	if (fd < 0) {
		(void)str_printf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		(void)str_printf(err, errlen, "%s is not a regular file", path);
		goto out;
	}
	if (st.st_size > DEVFILE_MAX) {
		(void)str_printf(err, errlen, "%s is larger than %d bytes", path, DEVFILE_MAX);
		goto out;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			(void)str_printf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;	/* shrank while we read: take what is there */
		got += (size_t)n;
	}
	df = devfile_new(path, text, got);
out:
	free(text);
	close(fd);
	return df;
}

void
devfile_free(struct devfile *df)
{
	if (df == NULL)
		return;
	tok_free(df->tok);
	free(df->text);
	free(df->name);
	free(df);
}

void
devfile_rewind(struct devfile *df)
{
	tok_free(df->tok);
	df->tok = tok_new(0, 0);
	df->pos = 0;
	df->finished = 0;
}

static enum dev_kind
fail(struct devfile *df, struct dev_entry *e, const char *msg, const char *arg)
{
	e->kind = DEV_ERROR;
	if (str_printf(e->error, sizeof(e->error), "%s:%lu: %s%s%s", df->name, e->line, msg,
	    arg != NULL ? ": " : "", arg != NULL ? arg : "") < 0)
		(void)str_printf(e->error, sizeof(e->error), "%s:%lu: bad line", df->name,
		    e->line);
	return DEV_ERROR;
}

/* Joins words (first may be NULL) with single spaces into e->value. */
static int
join_value(struct dev_entry *e, const char *first, char **words, size_t n)
{
	size_t len = 0, i, wl;
	const char *w;

	e->value[0] = '\0';
	for (i = 0; i <= n; i++) {
		w = i == 0 ? first : words[i - 1];
		if (w == NULL)
			continue;
		wl = strlen(w);
		if (len + (len > 0) + wl > VT_VALUE_MAX)
			return -1;
		if (len > 0)
			e->value[len++] = ' ';
		memcpy(e->value + len, w, wl + 1);
		len += wl;
	}
	return 0;
}

static int
name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* One tokenized line -> an entry; 1 when the line is to be skipped. */
static int
classify(struct devfile *df, struct dev_entry *e, size_t argc, char **argv)
{
	char *colon, *end;
	const char *glued = NULL;

	if (strncmp(argv[0], "TIMER", 5) == 0) {
		if (argc != 2) {
			fail(df, e, "TIMER takes one number of seconds", NULL);
			return 0;
		}
		errno = 0;
		e->timer = strtol(argv[1], &end, 10);
		if (errno != 0 || end == argv[1] || *end != '\0' || e->timer < 0 ||
		    e->timer > DEVFILE_TIMER_MAX) {
			fail(df, e, "TIMER needs 0..86400 seconds, not", argv[1]);
			return 0;
		}
		e->kind = DEV_TIMER;
		return 0;
	}
	if (strcmp(argv[0], "ALARM") == 0) {
		if (join_value(e, NULL, argv + 1, argc - 1) < 0) {
			fail(df, e, "alarm text too long", NULL);
			return 0;
		}
		e->kind = DEV_ALARM;
		return 0;
	}
	colon = strchr(argv[0], ':');
	if (colon == NULL) {
		fail(df, e, "expected \"name: value\"", argv[0]);
		return 0;
	}
	*colon = '\0';
	if (colon[1] != '\0')
		glued = colon + 1;
	if (!name_ok(argv[0]) || strlen(argv[0]) > VT_NAME_MAX) {
		fail(df, e, "bad variable name", argv[0][0] != '\0' ? argv[0] : "(empty)");
		return 0;
	}
	/* The core publishes driver.*; the file does not get to change it. */
	if (strncasecmp(argv[0], "driver.", 7) == 0)
		return 1;
	memcpy(e->name, argv[0], strlen(argv[0]) + 1);
	if (join_value(e, glued, argv + 1, argc - 1) < 0) {
		fail(df, e, "value longer than 255 bytes for", e->name);
		return 0;
	}
	e->kind = DEV_VAR;
	return 0;
}

enum dev_kind
devfile_next(struct devfile *df, struct dev_entry *e)
{
	enum tok_status st;
	size_t used;

	for (;;) {
		memset(e, 0, sizeof(*e));
		if (df->pos < df->len) {
			used = 0;
			st = tok_feed(df->tok, df->text + df->pos, df->len - df->pos, &used);
			df->pos += used;
			if (st == TOK_MORE)
				continue;
		} else if (!df->finished) {
			df->finished = 1;
			st = tok_finish(df->tok);
			if (st == TOK_MORE) {
				e->kind = DEV_EOF;
				return DEV_EOF;
			}
		} else {
			e->kind = DEV_EOF;
			return DEV_EOF;
		}
		e->line = tok_line_no(df->tok);
		if (st == TOK_ERROR)
			return fail(df, e, tok_error(df->tok), NULL);
		if (tok_argc(df->tok) == 0)
			continue;
		if (classify(df, e, tok_argc(df->tok), tok_argv(df->tok)) == 0)
			return e->kind;
	}
}
