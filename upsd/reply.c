/*
 * nutsec - reply.c: building replies in a client's output buffer. Every
 * helper appends to c->out; when the buffer refuses (the client's unsent
 * output passed its cap) the client is flagged and dropped after the
 * current request instead of receiving a truncated reply.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "proto.h"

#include "upsd.h"

void
reply_raw(struct client *c, const char *s, size_t n)
{
	if (!c->overflow && buf_put(c->out, s, n) != 0)
		c->overflow = 1;
}

void
reply_str(struct client *c, const char *s)
{
	reply_raw(c, s, strlen(s));
}

void
reply_printf(struct client *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Callers format bounded pieces; a longer line is a bug, not truncation. */
	if (n < 0 || (size_t)n >= sizeof(line)) {
		c->overflow = 1;
		return;
	}
	reply_raw(c, line, (size_t)n);
}

void
reply_err(struct client *c, enum proto_err e)
{
	const char *name = proto_err_name(e);

	reply_raw(c, "ERR ", 4);
	reply_str(c, name);
	reply_raw(c, "\n", 1);
}

void
reply_quoted(struct client *c, const char *s)
{
	if (!c->overflow && proto_put_quoted(c->out, s) != 0)
		c->overflow = 1;
}

void
reply_arg(struct client *c, const char *s)
{
	if (!c->overflow && proto_put_arg(c->out, s) != 0)
		c->overflow = 1;
}
