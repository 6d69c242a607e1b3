/*
 * nutsec - proto.c: what the network protocol and the driver socket share:
 * escaping values the way NUT's pconf_encode does (a backslash before '"',
 * '\' and '#'), quoting, client-side argument quoting, and the table of
 * protocol error codes with their wire names and the messages NUT's
 * libupsclient shows for them.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proto.h"

static int
proto_needs_escape(char c)
{
	return c == '"' || c == '\\' || c == '#';
}

/* Length of the escaped form of in (without NUL). */
static size_t
proto_escaped_len(const char *in)
{
	size_t n = 0;

	for (; *in != '\0'; in++)
		n += proto_needs_escape(*in) ? 2 : 1;
	return n;
}

/* Writes the escaped form into out, which has room for it; no NUL. */
static size_t
proto_escape_into(const char *in, char *out)
{
	size_t o = 0;

	for (; *in != '\0'; in++) {
		if (proto_needs_escape(*in))
			out[o++] = '\\';
		out[o++] = *in;
	}
	return o;
}

int
proto_escape(const char *in, char *out, size_t outlen)
{
	size_t need = proto_escaped_len(in);

	if (outlen == 0 || need >= outlen || need > (size_t)INT_MAX) {
		if (outlen > 0)
			out[0] = '\0';
		return -1;
	}
	proto_escape_into(in, out);
	out[need] = '\0';
	return (int)need;
}

/* Appends in (escaped, optionally in quotes) in one buf_put: all or nothing. */
static int
proto_put(struct buf *b, const char *in, int quoted)
{
	size_t need = proto_escaped_len(in) + (quoted ? 2 : 0), o = 0;
	char *dst;

	if (need == 0)
		return 0;
	/* Written straight into the buffer: all of it, or nothing. */
	if ((dst = buf_space(b, need)) == NULL)
		return -1;
	if (quoted)
		dst[o++] = '"';
	o += proto_escape_into(in, dst + o);
	if (quoted)
		dst[o++] = '"';
	buf_commit(b, o);
	return 0;
}

int
proto_put_escaped(struct buf *b, const char *in)
{
	return proto_put(b, in, 0);
}

int
proto_put_quoted(struct buf *b, const char *in)
{
	return proto_put(b, in, 1);
}

int
proto_put_arg(struct buf *b, const char *in)
{
	const unsigned char *p;
	int plain = in[0] != '\0';

	for (p = (const unsigned char *)in; *p != '\0'; p++) {
		if (*p <= ' ' || *p == 0x7f || *p == '=' || proto_needs_escape((char)*p))
			plain = 0;
	}
	if (plain)
		return buf_put(b, in, strlen(in)) == 0 ? 0 : -1;
	return proto_put(b, in, 1);
}

/*
 * The wire names are NUT's. The messages are those NUT's libupsclient
 * prints for each code (upsc shows "Error: <message>"); for codes that
 * libupsclient does not map (it prints "Unknown error" for them) a plain
 * description is given instead.
 */
static const struct {
	const char *name;
	const char *message;
} proto_errs[PERR__COUNT] = {
	[PERR_ACCESS_DENIED] = { "ACCESS-DENIED", "Access denied" },
	[PERR_UNKNOWN_UPS] = { "UNKNOWN-UPS", "Unknown UPS" },
	[PERR_VAR_NOT_SUPPORTED] = { "VAR-NOT-SUPPORTED", "Variable not supported by UPS" },
	[PERR_CMD_NOT_SUPPORTED] = { "CMD-NOT-SUPPORTED", "Instant command not supported" },
	[PERR_INVALID_ARGUMENT] = { "INVALID-ARGUMENT", "Invalid argument" },
	[PERR_INSTCMD_FAILED] = { "INSTCMD-FAILED", "Instant command failed" },
	[PERR_SET_FAILED] = { "SET-FAILED", "Set command failed" },
	[PERR_READONLY] = { "READONLY", "Read-only variable" },
	[PERR_TOO_LONG] = { "TOO-LONG", "New value is too long" },
	[PERR_INVALID_VALUE] = { "INVALID-VALUE", "Invalid value for variable" },
	[PERR_FEATURE_NOT_SUPPORTED] = { "FEATURE-NOT-SUPPORTED", "Feature not supported by server" },
	[PERR_FEATURE_NOT_CONFIGURED] = { "FEATURE-NOT-CONFIGURED", "Feature not configured by server" },
	[PERR_ALREADY_SSL_MODE] = { "ALREADY-SSL-MODE", "Already in SSL mode" },
	[PERR_DRIVER_NOT_CONNECTED] = { "DRIVER-NOT-CONNECTED", "Driver not connected" },
	[PERR_DATA_STALE] = { "DATA-STALE", "Data stale" },
	[PERR_ALREADY_LOGGED_IN] = { "ALREADY-LOGGED-IN", "Already logged in" },
	[PERR_ALREADY_SET_PASSWORD] = { "ALREADY-SET-PASSWORD", "Already set password" },
	[PERR_ALREADY_SET_USERNAME] = { "ALREADY-SET-USERNAME", "Already set username" },
	[PERR_USERNAME_REQUIRED] = { "USERNAME-REQUIRED", "Username required" },
	[PERR_PASSWORD_REQUIRED] = { "PASSWORD-REQUIRED", "Password required" },
	[PERR_UNKNOWN_COMMAND] = { "UNKNOWN-COMMAND", "Unknown command" },
	[PERR_INVALID_PASSWORD] = { "INVALID-PASSWORD", "Invalid password" },
	[PERR_INVALID_USERNAME] = { "INVALID-USERNAME", "Invalid username" },
	[PERR_VAR_UNKNOWN] = { "VAR-UNKNOWN", "Variable unknown" },
	[PERR_UNKNOWN_TYPE] = { "UNKNOWN-TYPE", "Unknown variable type" },
	[PERR_UNKNOWN_INSTCMD] = { "UNKNOWN-INSTCMD", "Unknown instant command" },
	[PERR_MISSING_ARGUMENT] = { "MISSING-ARGUMENT", "Missing argument" },
	[PERR_UNKNOWN] = { "UNKNOWN", "Unknown error" },
	[PERR_FAILED] = { "FAILED", "Command failed" },
	[PERR_MAX_CONNECTIONS] = { "MAX-CONNECTIONS", "Too many connections" },
	[PERR_LINE_TOO_LONG] = { "LINE-TOO-LONG", "Request line too long" },
};

const char *
proto_err_name(enum proto_err e)
{
	if ((unsigned)e >= PERR__COUNT)
		return "UNKNOWN";
	return proto_errs[e].name;
}

const char *
proto_err_message(enum proto_err e)
{
	if ((unsigned)e >= PERR__COUNT)
		return "Unknown error";
	return proto_errs[e].message;
}

int
proto_err_lookup(const char *name)
{
	int i;

	for (i = 0; i < PERR__COUNT; i++)
		if (strcmp(name, proto_errs[i].name) == 0)
			return i;
	return -1;
}
