/*
 * nutsec - upssched.h: what the files of upssched share. upssched is
 * upsmon's NOTIFYCMD that turns events into timers (docs/upssched.md):
 * upssched.c reads UPSNAME and NOTIFYTYPE and acts on the matching AT
 * lines, upssched_conf.c reads upssched.conf, upssched_proto.c is the
 * line format on the PIPEFN socket, upssched_path.c makes PIPEFN and
 * LOCKFN safe to use, upssched_run.c runs CMDSCRIPT (an argv, never a
 * shell) and upssched_timer.c is the timer process.
 */
#ifndef NUTSEC_UPSSCHED_H
#define NUTSEC_UPSSCHED_H

#include <stddef.h>
#include <sys/types.h>

/* Limits of the socket protocol and the timer process. */
#define US_NAME_MAX	64	/* bytes in a timer name or a command word */
#define US_LINE_MAX	256	/* bytes in one request line, newline included */
#define US_MAX_SECS	31622400L	/* longest timer: 366 days */
#define US_MAX_TIMERS	256	/* timers held at once */
#define US_MAX_CONNS	16	/* connections served at once */
#define US_MAX_LINES	4	/* requests on one connection */
#define US_CONN_TIMEOUT_MS 5000	/* a connection's whole life */
#define US_IDLE_EXIT_MS	15000	/* no timer and no client this long: exit (NUT: 15 s) */

/* ---- upssched.conf (upssched_conf.c) ---- */

enum us_cmd { US_START, US_CANCEL, US_EXECUTE };

struct us_at {
	char *event;		/* NOTIFYTYPE, matched case-insensitively */
	char *ups;		/* UPSNAME, matched exactly, or "*" */
	enum us_cmd cmd;
	char *arg;		/* timer name (START/CANCEL) or command (EXECUTE) */
	char *arg2;		/* CANCEL's command, or NULL */
	long secs;		/* START's interval */
	unsigned long line;	/* where it was written */
};

struct us_conf {
	char *cmdscript;
	char *pipefn;
	char *lockfn;
	int sandbox;		/* enum sandbox_action (SANDBOX, ours; default kill) */
	struct us_at *at;
	size_t nat;
};

/*
 * Reads path into c (zeroed first). Returns the number of errors, each
 * logged as "file:line: message" (0 = clean); -1 when the file cannot be
 * opened (errno set, nothing logged). Missing CMDSCRIPT, PIPEFN or LOCKFN
 * count as errors when there is an AT line that needs them.
 */
int us_conf_load(struct us_conf *c, const char *path);
void us_conf_free(struct us_conf *c);
/* 1 if the AT line applies to this UPS name and notify type. */
int us_at_matches(const struct us_at *a, const char *ups, const char *event);

/* ---- the socket line format (upssched_proto.c) ---- */

/*
 * A word that may be a timer name or a command: 1..US_NAME_MAX bytes of
 * printable ASCII (space included). 1 or 0.
 */
int us_name_ok(const char *s);

struct us_req {
	enum us_cmd cmd;	/* US_START or US_CANCEL */
	char name[US_NAME_MAX + 1];
	char arg2[US_NAME_MAX + 1];	/* CANCEL's command ("" = none) */
	long secs;			/* START's interval */
};

/*
 * Builds the request line NUT's upssched sends: START "name" "secs" or
 * CANCEL "name" ["cmd"], newline-terminated. Returns its length, or -1
 * when it does not fit in len (or a word is not a valid name).
 */
int us_req_format(const struct us_req *r, char *out, size_t len);

/*
 * Parses the words of one line (tokenized with common/tok) into r.
 * Returns 0, or -1 with the reason in why (one of the ERR words the timer
 * process answers: UNKNOWN-COMMAND, INVALID-ARGUMENT, TOO-LONG).
 */
int us_req_parse(size_t argc, char *const *argv, struct us_req *r, const char **why);

/* ---- PIPEFN and LOCKFN (upssched_path.c) ---- */

/*
 * Refuses a file whose directory others could tamper with: the directory
 * must be owned by us or root, and writable by nobody else unless it is
 * sticky (like /tmp) or group-writable for a group we are in. 0, or -1
 * with a message in err.
 */
int us_check_dir(const char *file, char *err, size_t errlen);

/*
 * Opens LOCKFN (created 0600, never through a symlink, must be a regular
 * file owned by us) and takes the exclusive flock, waiting up to
 * timeout_ms. Returns the descriptor (close it to unlock), or -1 with a
 * message in err.
 */
int us_lock(const char *lockfn, long timeout_ms, char *err, size_t errlen);

/*
 * Connects to the timer process at PIPEFN and checks that the process
 * listening runs as us or root (SO_PEERCRED). Returns the socket; -1 with
 * errno ENOENT or ECONNREFUSED when nobody listens (a missing or stale
 * socket); -1 with a message in err for anything else.
 */
int us_connect(const char *pipefn, char *err, size_t errlen);

/*
 * Removes a stale socket at PIPEFN (call it holding the lock, after
 * us_connect found nobody listening): only a socket owned by us (or, as
 * root, by anyone) is removed; anything else is refused. 0 or -1 (err).
 */
int us_remove_stale(const char *pipefn, char *err, size_t errlen);

/*
 * Binds and listens at PIPEFN with access for the owner only (the socket
 * is created under umask 077, so it is never reachable by others, even
 * for an instant). Records the socket's inode in *ino. Returns the
 * listener (non-blocking, close-on-exec), or -1 with a message in err.
 */
int us_listen(const char *pipefn, ino_t *ino, char *err, size_t errlen);

/* 1 if uid may talk to a timer process running as us: ourselves or root. */
int us_peer_ok(uid_t uid);

/* ---- CMDSCRIPT (upssched_run.c) ---- */

/*
 * Starts CMDSCRIPT with one argument: an argv (never a shell), stdin from
 * /dev/null, an environment of PATH, HOME, locale, TZ and NUT_* variables
 * (and UPSNAME and NOTIFYTYPE when with_event). A CMDSCRIPT without a '/'
 * is looked up in PATH, as NUT's shell would. Returns the pid, or -1
 * (logged).
 */
pid_t us_run(const char *cmdscript, const char *arg, int with_event);

/* ---- the timer process (upssched_timer.c) ---- */

/*
 * Starts the timer process; call it holding the lock (lockfd, which the
 * child closes), after removing any stale socket. Forks; the child listens
 * on PIPEFN and serves until no timer is left (it inherits the caller's
 * sandbox). Returns 0 in the parent once the child listens, or -1 with a
 * message in err.
 */
int us_timer_start(const struct us_conf *c, int lockfd, char *err, size_t errlen);

#endif
