/*
 * nutsec - upscli_split.c: parsing "ups[@host[:port]]" and "host[:port]"
 * as written on client command lines, in ups.conf (dummy-ups repeater) and
 * upsmon.conf. IPv6 literals go in brackets when a port follows; a bare
 * literal with several colons is taken whole. Unlike NUT's parser, junk
 * after the port, empty names and ports out of 1..65535 are refused.
 * Messages name the failing step the way NUT's library prints them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "upsclient.h"
#include "xmalloc.h"

/* Writes msg to err (if any) and returns -1. */
static int
split_err(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		(void)str_copy(err, msg, errlen);
	return -1;
}

/* Parses a decimal port in 1..65535 from the whole of s. */
static int
parse_port(const char *s, unsigned *port)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -1;
	}
	if (v == 0)
		return -1;
	*port = (unsigned)v;
	return 0;
}

int
upscli_splitaddr(const char *in, unsigned def_port, char **host,
    unsigned *port, char *err, size_t errlen)
{
	const char *end, *colon, *portstr = NULL;
	size_t hlen;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (in == NULL)
		return -1;
	if (*in == '\0')
		return split_err(err, errlen,
		    "upscli_splitaddr: can't parse empty string");
	if (*in == '[') {
		end = strchr(in, ']');
		if (end == NULL)
			return split_err(err, errlen, "upscli_splitaddr: "
			    "missing closing bracket in [domain literal]");
		in++;
		hlen = (size_t)(end - in);
		if (end[1] == ':')
			portstr = end + 2;
		else if (end[1] != '\0')
			return split_err(err, errlen, "upscli_splitaddr: "
			    "unexpected text after [domain literal]");
	} else {
		colon = strchr(in, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			hlen = (size_t)(colon - in);
			portstr = colon + 1;
		} else {
			/* no colon, or a bare IPv6 literal */
			hlen = strlen(in);
		}
	}
	if (hlen == 0)
		return split_err(err, errlen, "upscli_splitaddr: empty host name");
	if (portstr == NULL) {
		*port = def_port;
	} else if (*portstr == '\0') {
		return split_err(err, errlen, "upscli_splitaddr: "
		    "no port specified after ':' separator");
	} else if (parse_port(portstr, port) < 0) {
		return split_err(err, errlen, "upscli_splitaddr: "
		    "invalid port number (1-65535)");
	}
	*host = xstrndup(in, hlen);
	return 0;
}

int
upscli_splitname(const char *in, unsigned def_port, char **ups,
    char **host, unsigned *port, char *err, size_t errlen)
{
	const char *at;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (in == NULL)
		return -1;
	if (*in == '\0')
		return split_err(err, errlen,
		    "upscli_splitname: can't parse empty string");
	at = strchr(in, '@');
	if (at == in)
		return split_err(err, errlen, "upscli_splitname: empty UPS name");
	if (at == NULL) {
		*ups = xstrdup(in);
		*host = xstrdup("localhost");
		*port = def_port;
		return 0;
	}
	if (upscli_splitaddr(at + 1, def_port, host, port, err, errlen) < 0)
		return -1;
	*ups = xstrndup(in, (size_t)(at - in));
	return 0;
}
