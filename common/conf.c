/*
 * nutsec - conf.c: the one configuration engine. It runs a file through
 * tok, recognises [section] headers, accepts both "KEY value" and
 * "key = value", finds each directive by bsearch in the caller's sorted
 * table, checks arity, bounds and repeats, stores typed values through
 * offsets into the caller's struct, and reports every problem as
 * "file:line: message" without ever exiting.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "secret.h"
#include "tok.h"
#include "xmalloc.h"

struct conf_ctx {
	const char *file;
	const struct conf_spec *spec;
	struct tok *tok;
	unsigned long line;
	int errors;
	void *global_obj;
	void *section_obj;
	char *section;			/* current section name, NULL if global */
	int skip_section;		/* section_begin refused: ignore its lines */
	unsigned long *seen_global;	/* line of first use, 0 = not yet */
	unsigned long *seen_section;
};

const char *
conf_file(const struct conf_ctx *cx)
{
	return cx->file;
}

unsigned long
conf_line(const struct conf_ctx *cx)
{
	return cx->line;
}

const char *
conf_section(const struct conf_ctx *cx)
{
	return cx->section;
}

static void conf_vreport(struct conf_ctx *cx, int is_error, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
conf_vreport(struct conf_ctx *cx, int is_error, const char *fmt, va_list ap)
{
	char msg[768];

	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		(void)snprintf(msg, sizeof(msg), "(unformattable message)");
	if (is_error)
		log_warnx("%s:%lu: %s", cx->file, cx->line, msg);
	else
		log_warnx("%s:%lu: warning: %s", cx->file, cx->line, msg);
}

void
conf_error(struct conf_ctx *cx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vreport(cx, 1, fmt, ap);
	va_end(ap);
	cx->errors++;
}

void
conf_warn(struct conf_ctx *cx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vreport(cx, 0, fmt, ap);
	va_end(ap);
}

int
conf_parse_bool(struct conf_ctx *cx, const char *word, int *out)
{
	static const char *const yes[] = { "true", "on", "yes", "1" };
	static const char *const no[] = { "false", "off", "no", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(word, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(word, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	conf_error(cx, "'%s' is not a boolean (use yes/no, on/off, true/false or 1/0)", word);
	return -1;
}

/* Parses a whole decimal word; 0 or -1 (no message). */
static int
conf_strtol(const char *word, long *out)
{
	const char *p = word;
	char *end = NULL;
	long v;

	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtol(word, &end, 10);
	if (errno != 0 || end == word || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
conf_parse_long(struct conf_ctx *cx, const char *word, long min, long max, long *out)
{
	long v;

	if (conf_strtol(word, &v) != 0) {
		conf_error(cx, "'%s' is not a decimal number", word);
		return -1;
	}
	if (v < min || v > max) {
		conf_error(cx, "%ld is out of range (%ld to %ld)", v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
conf_cmp(const char *a, const char *b, int nocase)
{
	return nocase ? strcasecmp(a, b) : strcmp(a, b);
}

static const struct conf_directive *
conf_find(const struct conf_directive *t, size_t n, int nocase, const char *name)
{
	size_t lo = 0, hi = n;

	/* a hand-written bsearch: the comparison needs the nocase flag */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = conf_cmp(name, t[mid].name, nocase);

		if (c == 0)
			return &t[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The arity a directive accepts, with the type defaults filled in. */
static void
conf_arity(const struct conf_directive *d, int *min, int *max)
{
	*min = d->min_args;
	*max = d->max_args;
	if (*min != 0 || *max != 0)
		return;
	switch (d->type) {
	case CONF_FLAG:
		break;
	case CONF_CUSTOM:
		*max = INT_MAX;
		break;
	default:
		*min = *max = 1;
		break;
	}
}

void
conf_check_table(const char *what, const struct conf_directive *t, size_t n, int nocase)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct conf_directive *d = &t[i];
		int min, max;

		if (d->name == NULL || d->name[0] == '\0')
			fatalx("%s: directive %zu has no name", what, i);
		if (i > 0 && conf_cmp(t[i - 1].name, d->name, nocase) >= 0)
			fatalx("%s: table not sorted at '%s' (after '%s')", what,
			    d->name, t[i - 1].name);
		conf_arity(d, &min, &max);
		if (min < 0 || min > max)
			fatalx("%s: '%s' has a bad arity %d..%d", what, d->name, min, max);
		switch (d->type) {
		case CONF_CUSTOM:
			if (d->fn == NULL)
				fatalx("%s: custom directive '%s' has no handler", what, d->name);
			break;
		case CONF_ENUM:
			if (d->enum_names == NULL || d->enum_names[0] == NULL)
				fatalx("%s: enum directive '%s' has no names", what, d->name);
			/* FALLTHROUGH */
		case CONF_BOOL:
			if (max > 1)
				fatalx("%s: '%s' takes at most one value", what, d->name);
			break;
		case CONF_INT:
			if (d->min > d->max)
				fatalx("%s: '%s' has bounds %ld > %ld", what, d->name,
				    d->min, d->max);
			/* FALLTHROUGH */
		case CONF_STR:
		case CONF_SECRET:
		case CONF_PATH:
			if (min != 1 || max != 1)
				fatalx("%s: '%s' takes exactly one value", what, d->name);
			break;
		case CONF_FLAG:
			if (max != 0)
				fatalx("%s: flag '%s' takes no value", what, d->name);
			break;
		}
	}
}

static int
conf_store_enum(struct conf_ctx *cx, const struct conf_directive *d, const char *word,
    int *out)
{
	long idx;
	int n;

	for (n = 0; d->enum_names[n] != NULL; n++) {
		if (strcasecmp(word, d->enum_names[n]) == 0) {
			*out = n;
			return 0;
		}
	}
	if (conf_strtol(word, &idx) == 0 && idx >= 0 && idx < n) {
		*out = (int)idx;
		return 0;
	}
	conf_error(cx, "'%s': '%s' is not one of the accepted values", d->name, word);
	return -1;
}

/* Stores one directive's value into obj. */
static void
conf_apply(struct conf_ctx *cx, const struct conf_directive *d, void *obj, int argc,
    char **argv)
{
	char *base = obj;
	int before = cx->errors;

	if (d->type == CONF_CUSTOM) {
		if (d->fn(cx, obj, argc, argv) != 0 && cx->errors == before)
			conf_error(cx, "'%s': invalid value", d->name);
		return;
	}
	if (obj == NULL) {
		conf_error(cx, "'%s' has nowhere to go here", d->name);
		return;
	}
	switch (d->type) {
	case CONF_BOOL: {
		int v = 1;

		if (argc > 0 && conf_parse_bool(cx, argv[0], &v) != 0)
			return;
		*(int *)(void *)(base + d->offset) = v;
		break;
	}
	case CONF_INT: {
		long v, min = d->min, max = d->max;

		if (min == 0 && max == 0) {
			min = LONG_MIN;
			max = LONG_MAX;
		}
		if (conf_parse_long(cx, argv[0], min, max, &v) != 0)
			return;
		*(long *)(void *)(base + d->offset) = v;
		break;
	}
	case CONF_PATH:
		if (argv[0][0] != '/') {
			conf_error(cx, "'%s' must be an absolute path, not '%s'", d->name, argv[0]);
			return;
		}
		/* FALLTHROUGH */
	case CONF_STR: {
		char **slot = (char **)(void *)(base + d->offset);

		if (d->flags & CONF_F_MASK)
			secret_strfree(*slot);
		else
			free(*slot);
		*slot = (d->flags & CONF_F_MASK) ? secret_strdup(argv[0]) : xstrdup(argv[0]);
		break;
	}
	case CONF_SECRET: {
		char **slot = (char **)(void *)(base + d->offset);

		secret_strfree(*slot);
		*slot = secret_strdup(argv[0]);
		break;
	}
	case CONF_ENUM: {
		int v;

		if (conf_store_enum(cx, d, argv[0], &v) != 0)
			return;
		*(int *)(void *)(base + d->offset) = v;
		break;
	}
	case CONF_FLAG:
		*(int *)(void *)(base + d->offset) = 1;
		break;
	case CONF_CUSTOM:
		break;
	}
}

static void
conf_section_header(struct conf_ctx *cx, int argc, char **argv)
{
	const struct conf_spec *spec = cx->spec;
	const char *w = argv[0];
	size_t len = strlen(w);
	char *name;

	if (argc != 1 || len < 2 || w[len - 1] != ']') {
		conf_error(cx, "bad section header (expected a single [name])");
		/* its lines would land in the wrong place: skip them */
		free(cx->section);
		cx->section = xstrdup("?");
		cx->section_obj = NULL;
		cx->skip_section = 1;
		return;
	}
	name = xstrndup(w + 1, len - 2);
	free(cx->section);
	cx->section = name;
	cx->section_obj = NULL;
	cx->skip_section = 1;
	if (spec->section_begin == NULL) {
		conf_error(cx, "%s has no [sections]", spec->what);
		return;
	}
	if (name[0] == '\0') {
		conf_error(cx, "empty section name []");
		return;
	}
	if (spec->nsection > 0)
		memset(cx->seen_section, 0, spec->nsection * sizeof(*cx->seen_section));
	cx->section_obj = spec->section_begin(cx, cx->global_obj, name);
	cx->skip_section = cx->section_obj == NULL;
}

static void
conf_directive_line(struct conf_ctx *cx, int argc, char **argv)
{
	const struct conf_spec *spec = cx->spec;
	const struct conf_directive *table, *d;
	unsigned long *seen;
	size_t n;
	int in_section = cx->section != NULL;
	const char *name = argv[0];
	void *obj;
	int min, max;

	argc--;
	argv++;
	/* "key = value": the '=' is only punctuation */
	if (argc > 0 && strcmp(argv[0], "=") == 0) {
		argc--;
		argv++;
	}
	if (in_section) {
		if (cx->skip_section)
			return;
		table = spec->section;
		n = spec->nsection;
		seen = cx->seen_section;
		obj = cx->section_obj;
	} else {
		if (spec->no_global) {
			conf_error(cx, "'%s' appears before any [section]", name);
			return;
		}
		table = spec->global;
		n = spec->nglobal;
		seen = cx->seen_global;
		obj = cx->global_obj;
	}
	d = table != NULL ? conf_find(table, n, spec->nocase, name) : NULL;
	if (d == NULL) {
		if (spec->unknown != NULL) {
			int before = cx->errors;

			if (spec->unknown(cx, obj, in_section, name, argc, argv) != 0 &&
			    cx->errors == before)
				conf_error(cx, "unknown directive '%s'", name);
			return;
		}
		conf_error(cx, "unknown directive '%s'%s", name,
		    in_section ? " in a section" : "");
		return;
	}
	if (d->flags & CONF_F_OBSOLETE) {
		conf_warn(cx, "'%s' is obsolete and ignored", d->name);
		return;
	}
	conf_arity(d, &min, &max);
	if (argc < min || argc > max) {
		if (max == 0)
			conf_error(cx, "'%s' takes no value", d->name);
		else if (min == max)
			conf_error(cx, "'%s' takes %d value%s, not %d", d->name, min,
			    min == 1 ? "" : "s", argc);
		else if (argc < min)
			conf_error(cx, "'%s' needs at least %d value%s", d->name, min,
			    min == 1 ? "" : "s");
		else
			conf_error(cx, "'%s' takes at most %d value%s", d->name, max,
			    max == 1 ? "" : "s");
		return;
	}
	/* a line with the wrong arity is not a use: the repeat check follows it */
	if (!(d->flags & CONF_F_REPEATABLE)) {
		size_t idx = (size_t)(d - table);

		if (seen[idx] != 0) {
			conf_error(cx, "'%s' given more than once (first on line %lu)",
			    d->name, seen[idx]);
			return;
		}
		seen[idx] = cx->line;
	}
	conf_apply(cx, d, obj, argc, argv);
}

static void
conf_line_done(struct conf_ctx *cx)
{
	size_t argc = tok_argc(cx->tok);
	char **argv = tok_argv(cx->tok);

	cx->line = tok_line_no(cx->tok);
	if (argc == 0)
		return;
	if (tok_dropped(cx->tok) > 0)
		conf_warn(cx, "%zu byte(s) outside ASCII dropped from the values (only printable "
		    "ASCII is kept; in a certificate name write such a character as RFC 4514 hex, "
		    "its backslashes doubled inside quotes: \"CN=Z\\\\C3\\\\BCrich\")",
		    tok_dropped(cx->tok));
	if (argv[0][0] == '[')
		conf_section_header(cx, (int)argc, argv);
	else
		conf_directive_line(cx, (int)argc, argv);
}

static void
conf_status(struct conf_ctx *cx, enum tok_status st)
{
	if (st == TOK_LINE) {
		conf_line_done(cx);
	} else if (st == TOK_ERROR) {
		cx->line = tok_line_no(cx->tok);
		conf_error(cx, "%s", tok_error(cx->tok));
	}
}

/* Feeds a chunk, handling every line it completes. */
static void
conf_feed(struct conf_ctx *cx, const char *data, size_t len)
{
	while (len > 0) {
		size_t used = 0;
		enum tok_status st = tok_feed(cx->tok, data, len, &used);

		conf_status(cx, st);
		data += used;
		len -= used;
	}
}

static void
conf_ctx_init(struct conf_ctx *cx, const char *name, const struct conf_spec *spec,
    void *global_obj)
{
	memset(cx, 0, sizeof(*cx));
	cx->file = name;
	cx->spec = spec;
	cx->global_obj = global_obj;
	cx->tok = tok_new(0, 0);
	cx->seen_global = XNEWARRAY(unsigned long, spec->nglobal + 1);
	cx->seen_section = XNEWARRAY(unsigned long, spec->nsection + 1);
}

static int
conf_ctx_done(struct conf_ctx *cx)
{
	conf_status(cx, tok_finish(cx->tok));
	tok_free(cx->tok);
	free(cx->seen_global);
	free(cx->seen_section);
	free(cx->section);
	return cx->errors;
}

/*
 * Directories kept open before a chroot (conf_keep_dir), so that reload can
 * still reach the files in them from inside the jail.
 */
#define CONF_MAXDIRS 8
static struct {
	int fd;
	char *path;
	size_t len;
} kept[CONF_MAXDIRS];
static size_t nkept;

int
conf_keep_dir(const char *dir)
{
	size_t i, len = strlen(dir);
	int fd;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (dir[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < nkept; i++)
		if (kept[i].len == len && strncmp(kept[i].path, dir, len) == 0)
			return 0;
	if (nkept == CONF_MAXDIRS) {
		errno = ENFILE;
		return -1;
	}
	if ((fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	kept[nkept].fd = fd;
	kept[nkept].path = xstrndup(dir, len);
	kept[nkept].len = len;
	nkept++;
	return 0;
}

void
conf_forget_dirs(void)
{
	size_t i;

	for (i = 0; i < nkept; i++) {
		(void)close(kept[i].fd);
		free(kept[i].path);
	}
	nkept = 0;
}

int
conf_kept_fd(size_t i)
{
	return i < nkept ? kept[i].fd : -1;
}

/* The kept directory path is directly in, and path's last name in *rel; or -1. */
static int
kept_dir_of(const char *path, const char **rel)
{
	size_t i, best = 0;
	int fd = -1;

	for (i = 0; i < nkept; i++) {
		size_t l = kept[i].len;

		if (l == 1)
			l = 0;	/* "/" kept: every absolute path is beneath it */
		if (strncmp(path, kept[i].path, l) != 0 || path[l] != '/' ||
		    path[l + 1] == '\0' || strchr(path + l + 1, '/') != NULL ||
		    (fd >= 0 && l < best))
			continue;
		fd = kept[i].fd;
		best = l;
		*rel = path + l + 1;
	}
	return fd;
}

int
conf_open(const char *path)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	const char *rel = NULL;
	int dfd = kept_dir_of(path, &rel);

	if (dfd < 0)
		return open(path, flags);
	/*
	 * One name looked up in the kept directory and nothing else: no path
	 * walk, no "..", and O_NOFOLLOW refuses a symlink, so the open cannot
	 * land outside the directory (the same guarantee as openat2's
	 * RESOLVE_BENEATH for a direct child, with a call the filters can check
	 * for read-only flags).
	 */
	if (strcmp(rel, "..") == 0 || strcmp(rel, ".") == 0) {
		errno = EXDEV;
		return -1;
	}
	return openat(dfd, rel, flags | O_NOFOLLOW);
}

int
conf_stat(const char *path, struct stat *st)
{
	int fd = conf_open(path), rc = -1;

	if (fd < 0)
		return -1;
	rc = fstat(fd, st);
	(void)close(fd);
	return rc;
}

int
conf_load_fd(int fd, const char *name, const struct conf_spec *spec, void *global_obj)
{
	struct conf_ctx cx;
	struct stat st;
	char chunk[4096];

	memset(&st, 0, sizeof(st));
	errno = 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (errno == 0)
			errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	conf_ctx_init(&cx, name, spec, global_obj);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			cx.line = tok_lines(cx.tok) + 1;
			conf_error(&cx, "read error: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		conf_feed(&cx, chunk, (size_t)n);
	}
	/* chunks may hold secrets from upsd.users */
	memset(chunk, 0, sizeof(chunk));
	return conf_ctx_done(&cx);
}

int
conf_load(const char *path, const struct conf_spec *spec, void *global_obj)
{
	int fd, rc, err;

	/* O_NONBLOCK: a FIFO planted as a config file must not hang us */
	if ((fd = conf_open(path)) < 0)
		return -1;
	rc = conf_load_fd(fd, path, spec, global_obj);
	err = errno;
	(void)close(fd);
	errno = err;
	return rc;
}

int
conf_load_string(const char *name, const char *text, const struct conf_spec *spec,
    void *global_obj)
{
	struct conf_ctx cx;

	conf_ctx_init(&cx, name, spec, global_obj);
	conf_feed(&cx, text, strlen(text));
	return conf_ctx_done(&cx);
}

/* Writes a value as a config word: bare if plain, else quoted and escaped. */
static void
conf_dump_word(FILE *fp, const char *s)
{
	const char *p;
	int plain = s[0] != '\0';

	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == '=' || c == '#' || c == '"' || c == '\\' || c >= 0x7f)
			plain = 0;
	}
	if (plain) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\' || *p == '#')
			fputc('\\', fp);
		fputc(*p, fp);
	}
	fputc('"', fp);
}

void
conf_dump(FILE *fp, const struct conf_directive *t, size_t n, const void *obj)
{
	const char *base = obj;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct conf_directive *d = &t[i];
		const void *slot = base + d->offset;
		int masked = (d->flags & CONF_F_MASK) || d->type == CONF_SECRET;

		if (d->flags & CONF_F_OBSOLETE)
			continue;
		if (masked && d->type != CONF_CUSTOM) {
			/* print only that a value is set, never the value */
			int set = 1;

			if (d->type == CONF_STR || d->type == CONF_SECRET || d->type == CONF_PATH)
				set = *(char *const *)slot != NULL;
			else if (d->type == CONF_FLAG)
				set = *(const int *)slot != 0;
			if (set)
				fprintf(fp, "%s ********\n", d->name);
			continue;
		}
		switch (d->type) {
		case CONF_BOOL:
			fprintf(fp, "%s %s\n", d->name, *(const int *)slot ? "yes" : "no");
			break;
		case CONF_INT:
			fprintf(fp, "%s %ld\n", d->name, *(const long *)slot);
			break;
		case CONF_STR:
		case CONF_SECRET:
		case CONF_PATH: {
			const char *v = *(char *const *)slot;

			if (v == NULL)
				break;
			fprintf(fp, "%s ", d->name);
			conf_dump_word(fp, v);
			fputc('\n', fp);
			break;
		}
		case CONF_ENUM: {
			int v = *(const int *)slot, k;

			for (k = 0; d->enum_names[k] != NULL && k < v; k++)
				;
			if (v >= 0 && d->enum_names[k] != NULL)
				fprintf(fp, "%s %s\n", d->name, d->enum_names[k]);
			else
				fprintf(fp, "%s %d\n", d->name, v);
			break;
		}
		case CONF_FLAG:
			if (*(const int *)slot)
				fprintf(fp, "%s\n", d->name);
			break;
		case CONF_CUSTOM:
			/* the owner of a custom directive prints it */
			break;
		}
	}
}
