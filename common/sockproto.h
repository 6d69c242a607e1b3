/*
 * nutsec - sockproto.h: the driver <-> upsd Unix-socket protocol codec
 * (NUT's dstate protocol). Parsing turns a tokenized line into a typed
 * message with its arity checked; formatting writes lines with values
 * always quoted and escaped, live updates and dumps alike (NUT sent live
 * values raw: bug 5 is not kept), and INSTCMD parameters quoted (bug 6).
 */
#ifndef NUTSEC_SOCKPROTO_H
#define NUTSEC_SOCKPROTO_H

#include <stddef.h>

struct buf;
struct vt;

enum sp_verb {
	/* driver -> server */
	SP_SETINFO, SP_DELINFO, SP_ADDENUM, SP_DELENUM, SP_ADDRANGE, SP_DELRANGE,
	SP_SETAUX, SP_SETFLAGS, SP_ADDCMD, SP_DELCMD, SP_DATAOK, SP_DATASTALE,
	SP_DUMPDONE, SP_PONG, SP_PID, SP_TRACKING, SP_OK,
	/* server (or any client) -> driver */
	SP_DUMPALL, SP_DUMPVALUE, SP_DUMPSTATUS, SP_PING, SP_GETPID,
	SP_NOBROADCAST, SP_BROADCAST, SP_LOGOUT, SP_INSTCMD, SP_SET,
	SP__COUNT
};

/* A parsed message. Pointers refer into the argv given to sp_parse. */
struct sp_msg {
	enum sp_verb verb;
	const char *name;	/* var or cmd name, or NULL */
	const char *value;	/* SETINFO/ADDENUM/DELENUM/SET value, INSTCMD param, or NULL */
	long min, max;		/* ADDRANGE/DELRANGE */
	long num;		/* SETAUX aux, PID pid, TRACKING status, BROADCAST n */
	const char *tracking;	/* tracking id (INSTCMD/SET ... TRACKING id, TRACKING id n) */
	unsigned flags;		/* SETFLAGS, as VT_* bits */
};

/*
 * Parses one tokenized line. Returns 0, or -1 with *err set to a static
 * message ("unknown command", "wrong number of arguments", "bad number",
 * "bad tracking id", ...). Unknown SETFLAGS words are ignored.
 */
int sp_parse(int argc, char **argv, struct sp_msg *m, const char **err);
/* The verb's wire name. */
const char *sp_verb_name(enum sp_verb v);

/*
 * Formatters; each appends one full line or nothing. Return 0, or -1 if b
 * is full or an argument is invalid (name outside the vartree rules, value
 * over VT_VALUE_MAX, tracking id not 1..64 of [A-Za-z0-9._-]).
 */
int sp_put_setinfo(struct buf *b, const char *var, const char *value);
int sp_put_delinfo(struct buf *b, const char *var);
int sp_put_enum(struct buf *b, int add, const char *var, const char *value);
int sp_put_range(struct buf *b, int add, const char *var, long min, long max);
int sp_put_setaux(struct buf *b, const char *var, long aux);
int sp_put_setflags(struct buf *b, const char *var, unsigned flags);
int sp_put_cmd(struct buf *b, int add, const char *cmd);
int sp_put_tracking(struct buf *b, const char *id, int status);
/* A bare verb line (DATAOK, DATASTALE, DUMPDONE, PING, PONG, DUMPALL, ...). */
int sp_put_verb(struct buf *b, enum sp_verb v);
int sp_put_instcmd(struct buf *b, const char *cmd, const char *param, const char *tracking);
int sp_put_set(struct buf *b, const char *var, const char *value, const char *tracking);
/* The whole dump of a tree in NUT's order (without DATAOK/DATASTALE/DUMPDONE).
 * On -1 part of the dump may have been appended: drop the connection. */
int sp_put_dump(struct buf *b, const struct vt *t);

/* Tracking result codes (NUT's STAT_* values on the socket). */
enum sp_status {
	SP_STATUS_HANDLED = 0,		/* -> SUCCESS */
	SP_STATUS_UNKNOWN = 1,		/* -> ERR UNKNOWN */
	SP_STATUS_INVALID = 2,		/* -> ERR INVALID-ARGUMENT */
	SP_STATUS_FAILED = 3,		/* -> ERR FAILED */
	SP_STATUS_CONVERSION_FAILED = 4	/* -> ERR INVALID-ARGUMENT */
};

#endif
