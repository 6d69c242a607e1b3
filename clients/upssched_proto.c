/*
 * nutsec - upssched_proto.c: the line format on the PIPEFN socket, the
 * one NUT's upssched speaks (START "name" "seconds", CANCEL "name"
 * ["command"], one request per line, answered "OK" or "ERR <reason>"),
 * with what NUT left open closed: a verb other than the two, a wrong
 * number of words, a name that is empty, too long or not printable, an
 * interval that is not a decimal number of seconds within US_MAX_SECS
 * are all refused instead of being half-understood.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "upssched.h"
#include "xmalloc.h"

int
us_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		unsigned char ch = (unsigned char)s[n];

		if (ch < 0x20 || ch > 0x7e || n >= US_NAME_MAX)
			return 0;
	}
	return n > 0;
}

/* Appends " \"word\"" with '"', '\' and '#' escaped (a bare '#' inside
 * quotes is an error for common/tok). 0 or -1 (no room). */
static int
put_word(char *out, size_t len, size_t *off, const char *w)
{
	const char *p;

	if (*off + 2 >= len)
		return -1;
	out[(*off)++] = ' ';
	out[(*off)++] = '"';
	for (p = w; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\' || *p == '#') {
			if (*off + 1 >= len)
				return -1;
			out[(*off)++] = '\\';
		}
		if (*off + 1 >= len)
			return -1;
		out[(*off)++] = *p;
	}
	if (*off + 1 >= len)
		return -1;
	out[(*off)++] = '"';
	return 0;
}

int
us_req_format(const struct us_req *r, char *out, size_t len)
{
	const char *verb = r->cmd == US_START ? "START" : "CANCEL";
	char secs[24];
	size_t off;

	if ((r->cmd != US_START && r->cmd != US_CANCEL) || !us_name_ok(r->name) ||
	    (r->cmd == US_CANCEL && r->arg2[0] != '\0' && !us_name_ok(r->arg2)) ||
	    (r->cmd == US_START && (r->secs < 0 || r->secs > US_MAX_SECS)))
		return -1;
	off = strlen(verb);
	if (off >= len)
		return -1;
	memcpy(out, verb, off);
	if (put_word(out, len, &off, r->name) != 0)
		return -1;
	if (r->cmd == US_START) {
		(void)str_printf(secs, sizeof(secs), "%ld", r->secs);
		if (put_word(out, len, &off, secs) != 0)
			return -1;
	} else if (r->arg2[0] != '\0' && put_word(out, len, &off, r->arg2) != 0) {
		return -1;
	}
	if (off + 2 > len || off + 1 > US_LINE_MAX)
		return -1;
	out[off++] = '\n';
	out[off] = '\0';
	return (int)off;
}

static int
parse_secs(const char *s, long *out)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9' || strlen(s) > 9)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > US_MAX_SECS)
		return -1;
	*out = v;
	return 0;
}

int
us_req_parse(size_t argc, char *const *argv, struct us_req *r, const char **why)
{
	memset(r, 0, sizeof(*r));
	if (argc == 0) {
		*why = "UNKNOWN-COMMAND";
		return -1;
	}
	if (strcmp(argv[0], "START") == 0) {
		r->cmd = US_START;
		if (argc != 3) {
			*why = "INVALID-ARGUMENT";
			return -1;
		}
	} else if (strcmp(argv[0], "CANCEL") == 0) {
		r->cmd = US_CANCEL;
		if (argc != 2 && argc != 3) {
			*why = "INVALID-ARGUMENT";
			return -1;
		}
	} else {
		*why = "UNKNOWN-COMMAND";
		return -1;
	}
	if (strlen(argv[1]) > US_NAME_MAX || (argc == 3 && strlen(argv[2]) > US_NAME_MAX)) {
		*why = "TOO-LONG";
		return -1;
	}
	if (!us_name_ok(argv[1])) {
		*why = "INVALID-ARGUMENT";
		return -1;
	}
	(void)str_copy(r->name, argv[1], sizeof(r->name));
	if (r->cmd == US_START) {
		if (parse_secs(argv[2], &r->secs) != 0) {
			*why = "INVALID-ARGUMENT";
			return -1;
		}
	} else if (argc == 3) {
		if (!us_name_ok(argv[2])) {
			*why = "INVALID-ARGUMENT";
			return -1;
		}
		(void)str_copy(r->arg2, argv[2], sizeof(r->arg2));
	}
	return 0;
}
