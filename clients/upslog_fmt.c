/*
 * nutsec - upslog_fmt.c: NUT's upslog format escapes. The format is
 * compiled once into a list of items (literal text, or an escape with its
 * argument) and rendered per line into a bounded buffer. The escapes
 * behave as NUT's do, oddities included, so existing log parsers keep
 * working: names match by prefix and case-insensitively ("%hostname%" is
 * %HOST%), %VAR% needs a dotted name ("INVALID" otherwise), a failed
 * query prints "NA", '@' in %TIME% stands for '%'. Where NUT crashed
 * (%TIME% without a format) we print nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "upslog.h"
#include "xmalloc.h"

enum ul_kind { UL_LIT, UL_HOST, UL_UPSHOST, UL_PID, UL_TIME, UL_VAR, UL_ETIME };

/* NUT's table, in NUT's order (the first prefix match wins). */
static const struct {
	const char *name;
	enum ul_kind kind;
} escapes[] = {
	{ "HOST", UL_HOST }, { "UPSHOST", UL_UPSHOST }, { "PID", UL_PID },
	{ "TIME", UL_TIME }, { "VAR", UL_VAR }, { "ETIME", UL_ETIME },
};

struct ul_item {
	enum ul_kind kind;
	char *arg;		/* literal text, or the escape's argument (may be NULL) */
};

struct ul_fmt {
	struct ul_item *items;
	size_t n;
};

static void
add(struct ul_fmt *f, enum ul_kind kind, const char *arg, size_t len)
{
	/* Literal text next to literal text is one item. */
	if (kind == UL_LIT && f->n > 0 && f->items[f->n - 1].kind == UL_LIT) {
		struct ul_item *it = &f->items[f->n - 1];
		size_t old = strlen(it->arg);

		it->arg = xreallocarray(it->arg, old + len + 1, 1);
		memcpy(it->arg + old, arg, len);
		it->arg[old + len] = '\0';
		return;
	}
	f->items = xreallocarray(f->items, f->n + 1, sizeof(*f->items));
	f->items[f->n].kind = kind;
	f->items[f->n].arg = arg != NULL ? xstrndup(arg, len) : NULL;
	f->n++;
}

struct ul_fmt *
ul_fmt_compile(const char *format)
{
	struct ul_fmt *f = xcalloc(1, sizeof(*f));
	size_t i = 0, len = strlen(format);

	while (i < len) {
		const char *cmd, *end, *sp;
		size_t j, clen;

		if (format[i] != '%') {
			add(f, UL_LIT, &format[i], 1);
			i++;
			continue;
		}
		if (format[i + 1] == '%') {
			add(f, UL_LIT, "%", 1);
			i += 2;
			continue;
		}
		cmd = &format[i + 1];
		end = strchr(cmd, '%');
		if (end == NULL) {
			/* NUT: "INVALID", and the rest is read as text. */
			add(f, UL_LIT, "INVALID", 7);
			i++;
			continue;
		}
		clen = (size_t)(end - cmd);
		sp = memchr(cmd, ' ', clen);
		for (j = 0; j < sizeof(escapes) / sizeof(escapes[0]); j++)
			if (strncasecmp(cmd, escapes[j].name, strlen(escapes[j].name)) == 0)
				break;
		if (j == sizeof(escapes) / sizeof(escapes[0]))
			add(f, UL_LIT, "INVALID", 7);
		else if (sp != NULL)
			add(f, escapes[j].kind, sp + 1, (size_t)(end - sp - 1));
		else
			add(f, escapes[j].kind, NULL, 0);
		i += clen + 2;
	}
	return f;
}

void
ul_fmt_free(struct ul_fmt *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		free(f->items[i].arg);
	free(f->items);
	free(f);
}

/* Appends s to out (len bytes, NUL-terminated), truncating. */
static void
cat(char *out, size_t len, size_t *off, const char *s)
{
	size_t n = strlen(s);

	if (*off + 1 >= len)
		return;
	if (n > len - 1 - *off)
		n = len - 1 - *off;
	memcpy(out + *off, s, n);
	*off += n;
	out[*off] = '\0';
}

static void
render_time(const char *arg, char *buf, size_t len)
{
	char fmt[512];
	struct tm tm;
	time_t now = time(NULL);
	size_t i;

	buf[0] = '\0';
	if (arg == NULL || str_copy(fmt, arg, sizeof(fmt)) != 0)
		return;
	for (i = 0; fmt[i] != '\0'; i++)
		if (fmt[i] == '@')
			fmt[i] = '%';
	if (localtime_r(&now, &tm) == NULL)
		return;
	/* The format is the operator's, from the command line, as in NUT. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (strftime(buf, len, fmt, &tm) == 0)
		buf[0] = '\0';
#pragma GCC diagnostic pop
}

void
ul_fmt_render(const struct ul_fmt *f, const struct ul_ctx *cx, char *out, size_t len)
{
	char buf[UL_LINE_MAX];
	size_t i, off = 0;

	out[0] = '\0';
	for (i = 0; i < f->n; i++) {
		const struct ul_item *it = &f->items[i];

		buf[0] = '\0';
		switch (it->kind) {
		case UL_LIT:
			cat(out, len, &off, it->arg);
			continue;
		case UL_HOST:
			if (gethostname(buf, sizeof(buf)) != 0)
				buf[0] = '\0';
			buf[sizeof(buf) - 1] = '\0';
			break;
		case UL_UPSHOST:
			(void)str_copy(buf, cx->upshost, sizeof(buf));
			break;
		case UL_PID:
			(void)str_printf(buf, sizeof(buf), "%ld", (long)getpid());
			break;
		case UL_ETIME:
			(void)str_printf(buf, sizeof(buf), "%ld", (long)time(NULL));
			break;
		case UL_TIME:
			render_time(it->arg, buf, 512);
			break;
		case UL_VAR:
			if (it->arg == NULL || it->arg[0] == '\0' || strchr(it->arg, '.') == NULL)
				(void)str_copy(buf, "INVALID", sizeof(buf));
			else if (cx->getvar(cx->arg, it->arg, buf, sizeof(buf)) != 0)
				(void)str_copy(buf, "NA", sizeof(buf));
			break;
		}
		cat(out, len, &off, buf);
	}
}
