/*
 * nutsec - proto.h: what the network protocol and the driver socket share:
 * value escaping and quoting, and the table of protocol error codes with
 * the messages clients show for them.
 */
#ifndef NUTSEC_PROTO_H
#define NUTSEC_PROTO_H

#include <stddef.h>

struct buf;

/*
 * Escapes a value for the wire: a backslash before each '"', '\' and '#'.
 * Writes into out (size outlen, NUL-terminated). Returns the length, or -1
 * if it did not fit.
 */
int proto_escape(const char *in, char *out, size_t outlen);
/* Appends the escaped value to b. Returns 0 or -1 (buffer full). */
int proto_put_escaped(struct buf *b, const char *in);
/* Appends "value" (quoted and escaped). Returns 0 or -1. */
int proto_put_quoted(struct buf *b, const char *in);
/*
 * Appends an argument as a client sends it: bare if it is a plain word, else
 * quoted and escaped (empty, or holding space, '=', '#', '"', '\' or a
 * control byte). Returns 0 or -1.
 */
int proto_put_arg(struct buf *b, const char *in);

/* Protocol error codes, in the order of the table in proto.c. */
enum proto_err {
	PERR_ACCESS_DENIED,
	PERR_UNKNOWN_UPS,
	PERR_VAR_NOT_SUPPORTED,
	PERR_CMD_NOT_SUPPORTED,
	PERR_INVALID_ARGUMENT,
	PERR_INSTCMD_FAILED,
	PERR_SET_FAILED,
	PERR_READONLY,
	PERR_TOO_LONG,
	PERR_INVALID_VALUE,
	PERR_FEATURE_NOT_SUPPORTED,
	PERR_FEATURE_NOT_CONFIGURED,
	PERR_ALREADY_SSL_MODE,
	PERR_DRIVER_NOT_CONNECTED,
	PERR_DATA_STALE,
	PERR_ALREADY_LOGGED_IN,
	PERR_ALREADY_SET_PASSWORD,
	PERR_ALREADY_SET_USERNAME,
	PERR_USERNAME_REQUIRED,
	PERR_PASSWORD_REQUIRED,
	PERR_UNKNOWN_COMMAND,
	PERR_INVALID_PASSWORD,
	PERR_INVALID_USERNAME,
	PERR_VAR_UNKNOWN,
	PERR_UNKNOWN_TYPE,
	PERR_UNKNOWN_INSTCMD,
	PERR_MISSING_ARGUMENT,
	PERR_UNKNOWN,		/* tracking result */
	PERR_FAILED,		/* tracking result */
	PERR_MAX_CONNECTIONS,	/* nutsec: refused because MAXCONN is reached */
	PERR_LINE_TOO_LONG,	/* nutsec: request line over the limit */
	PERR__COUNT
};

/* The wire token, e.g. "ACCESS-DENIED". */
const char *proto_err_name(enum proto_err e);
/* The message a client shows, e.g. "Access denied". */
const char *proto_err_message(enum proto_err e);
/* Looks a wire token up (case-sensitive). Returns -1 if unknown. */
int proto_err_lookup(const char *name);

#endif
