/*
 * nutsec - upsd.h: upsd's private declarations, grouped by the file that
 * implements them. upsd is one event loop (common/ev) over non-blocking
 * sockets: clients on TCP (client.c, dispatch.c, cmd_*.c) and one Unix
 * socket per driver (driver.c), with the UPS state mirrored in ups.c.
 * Configuration is read into fresh objects and swapped in whole, so a
 * failed reload never leaves half-applied state.
 */
#ifndef NUTSEC_UPSD_H
#define NUTSEC_UPSD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>
#include <sys/types.h>

#include "ev.h"
#include "log.h"
#include "net.h"
#include "proto.h"

/* Limits of one client connection. */
#define UPSD_PROG	"upsd"		/* the program a PID file must name before a signal */
#define UPSD_LINE_MAX	4096		/* longest request line, LF included */
#define UPSD_IN_CAP	(64u * 1024)	/* unprocessed input held per client */
#define UPSD_OUT_HIGH	(64u * 1024)	/* stop executing requests above this */
#define UPSD_OUT_CAP	(1024u * 1024)	/* unsent output: drop the client past it */
#define UPSD_IDLE_MS	60000u		/* no completed request line for this long: close */
#define UPSD_STALL_MS	30000u		/* replies pending and none taken this long: drop */
#define UPSD_REST_MS	2000u		/* no line for this long: the transport sheds its state */
#define UPSD_AWAKE_MAX	256u		/* TLS sessions holding that state at once (client.c) */
#define UPSD_BUDGET	(64u * 1024 * 1024)	/* bytes buffered for all clients */
#define UPSD_SNDBUF	(32 * 1024)	/* kernel send buffer per client (the kernel doubles it) */
#define UPSD_MAXCONN	1024		/* MAXCONN by default */
#define UPSD_PER_ADDRESS 32		/* MAXCONN_PER_ADDRESS by default */
#define UPSD_TICK_MS	1000u		/* housekeeping period */
#define UPSD_FD_RESERVE	32		/* fds kept for listeners, drivers, logs */
#define UPSD_TLS_HANDSHAKE_MS 10000u	/* STARTTLS to finished handshake, at most */

struct buf;
struct vt;
struct client;
struct ups;
struct user;

/* ---- upsd_conf.c: upsd.conf ---------------------------------------- */

struct listen_addr {
	char *host;
	unsigned port;
};

struct upsd_conf {
	struct listen_addr *listen;	/* LISTEN lines in file order */
	size_t nlisten;
	long maxage;			/* seconds; default 15 */
	long maxconn;			/* 0 = UPSD_MAXCONN (or what the fd limit allows) */
	long maxconn_per_address;	/* 0 = no limit; default UPSD_PER_ADDRESS */
	long maxconn_per_loopback;	/* the same for loopback addresses */
	long trackingdelay;		/* seconds; default 3600 */
	long debug_min;			/* lowest debug level; default 0 */
	char *statepath;		/* NULL = paths_statepath() */
	char *datapath;			/* NULL = paths_datapath() */
	int allow_no_device;
	int allow_not_all_listeners;
	char *certpath;			/* NSS database directory */
	char *certident_name;
	char *certident_pass;		/* secret */
	char *certpasswordfile;		/* key DB password in a root-only file */
	int certrequest;		/* 0 NO, 1 REQUEST, 2 REQUIRE */
	int disable_weak_ssl;		/* accepted; TLS < 1.2 is never offered */
	int require_tls_for_login;	/* USERNAME/PASSWORD only inside TLS */
	int list_client;		/* enum list_client_access; default anyone */
	int require_tls;		/* every command but the pre-TLS few inside TLS */
	int sandbox;			/* enum sandbox_action; default kill */
	int strict_modes;		/* refuse secret files others may read */
	int reloading;			/* set before a reload's parse: paths are
					   compared with the ones in force, not
					   looked up (they are outside the jail) */
};

/* LIST_CLIENT_ACCESS: who may see the addresses logged in to a UPS. */
enum list_client_access {
	LIST_CLIENT_ANYONE,		/* as NUT */
	LIST_CLIENT_USER,		/* any user of upsd.users (right password) */
	LIST_CLIENT_PRIMARY		/* users with "upsmon primary" (or master) */
};

struct upsd_conf *upsd_conf_new(void);
void upsd_conf_free(struct upsd_conf *cf);
/* Parses path into cf. Returns the error count, or -1 if unreadable (logged). */
int upsd_conf_load(struct upsd_conf *cf, const char *path);
/* Applies the environment overrides (NUT_STATEPATH, ALLOW_*). */
void upsd_conf_env(struct upsd_conf *cf);
/* The effective state and data paths. */
const char *upsd_conf_statepath(const struct upsd_conf *cf);
const char *upsd_conf_datapath(const struct upsd_conf *cf);
/* Prints the effective configuration, secrets masked (-T). */
void upsd_conf_dump(FILE *fp, const struct upsd_conf *cf);

/* ---- users.c: upsd.users ------------------------------------------- */

#define ACT_LOGIN	0x01
#define ACT_MASTER	0x02
#define ACT_PRIMARY	0x04
#define ACT_FSD		0x08
#define ACT_SET		0x10

struct users;

/* Parses path. Returns the set, or NULL after logging why (*nerr = errors,
 * or -1 if unreadable). */
struct users *users_load(const char *path, int *nerr);
void users_free(struct users *us);
size_t users_count(const struct users *us);
/*
 * Checks a user name and password in constant time with respect to the
 * stored password. Returns the user, or NULL (unknown user, no password
 * configured, or wrong password).
 */
const struct user *users_auth(const struct users *us, const char *name, const char *pass);
/* 1 if the user holds any of the ACT_* bits in mask. */
int user_may(const struct user *u, unsigned mask);
/* 1 if the user may run instant command cmd (case-insensitive, or ALL). */
int user_may_instcmd(const struct user *u, const char *cmd);
/* The user's name. */
const char *user_name(const struct user *u);
/* The client certificate a user must log in with (upsd.users). */
struct cert_binding {
	const char *subject;		/* certsubject; NULL: the user is not bound */
	const char *issuer;		/* certissuer; NULL: any issuer upsd trusts */
};
struct cert_binding user_binding(const struct user *u);
/* The binding of the user called name (unbound: no such user, or none). */
struct cert_binding users_binding_of(const struct users *us, const char *name);
/* The first user bound to a certificate (certsubject), or NULL. */
const struct user *users_first_bound(const struct users *us);
/* Prints the users with passwords masked (-T). */
void users_dump(FILE *fp, const struct users *us);

/* ---- cmdvartab.c: descriptions of variables and commands ------------ */

/* Loads <dir>/cmdvartab; a missing file is not an error. 0 or -1. */
int cmdvartab_load(const char *dir);
void cmdvartab_free(void);
/* The description, or NULL. A leading "upstream." is ignored. */
const char *cmdvartab_var(const char *name);
const char *cmdvartab_cmd(const char *name);

/* ---- state.c: the configuration in force, and reload ----------------- */

struct upsd_opts {
	int family;			/* NET_FAMILY_* from -4/-6 */
	int cli_debug;			/* -D count (or NUT_DEBUG_LEVEL) */
};

/*
 * Reads upsd.conf, ups.conf, upsd.users and cmdvartab from the configuration
 * directory. With check set, every problem is reported and nothing is kept.
 * Returns 0, or -1 if anything was wrong (logged).
 */
int state_load(const struct upsd_opts *o, int check);
/* What a reload did, for the log and `upsd -c reload` (reloadstat.c). */
enum reload_result {
	RELOAD_OK = 0,		/* everything read is in force */
	RELOAD_RESTART = 1,	/* in force, except changes that need a restart */
	RELOAD_FAILED = 2	/* a file was refused: its part in force was kept */
};
struct reload_report {
	enum reload_result result;	/* the worst note so far */
	char msg[512];			/* the notes, "; "-separated */
};
/*
 * Re-reads everything (SIGHUP, -c reload); keeps the old parts on errors.
 * r (zeroed by the caller) says what was not taken.
 */
void state_reload(struct reload_report *r);
void state_free(void);
const struct upsd_conf *state_conf(void);
const struct users *state_users(void);
/* The statepath in force (env > upsd.conf > ups.conf > built in). */
const char *state_statepath(void);
/* Prints the effective configuration (-T). */
void state_dump(FILE *fp);
/* The connection limit in force. */
long state_maxconn(void);
/* Sets the fd limit and the derived MAXCONN. 0 or -1 (logged). */
int state_apply_limits(int initial);

/* ---- reloadstat.c: the result of a reload, for `upsd -c reload` ------ */

/* Logs one line (warning if res is RELOAD_FAILED) and adds it to r. */
void reload_note(struct reload_report *r, enum reload_result res, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Creates upsd.reload next to the PID file, before the sandbox. 0 or -1 (logged). */
int reloadstat_open(const char *pidpath);
/* Publishes a reload's result (a fixed-size record rewritten in place). */
void reloadstat_write(const struct reload_report *r);
void reloadstat_close(const char *pidpath);
/*
 * upsd -c reload: SIGHUP to the PID in pidpath, then waits for the result.
 * Exit status: 0 in force, 2 some changes need a restart, 1 refused,
 * failed or no answer (each said on stderr).
 */
int reloadstat_signal(const char *pidpath);

/* ---- listen.c: TCP listeners ------------------------------------------ */

/* Binds every LISTEN (or the defaults). 0, or -1 after logging. */
int listen_open(const struct upsd_conf *cf, int family);
/* Starts accepting in the event loop. */
int listen_start(void);
/* How many listening sockets are open. */
int listen_count(void);
void listen_close(void);

/* ---- client.c: one client connection ---------------------------------- */

/*
 * How a connection moves bytes: plain TCP, or TLS after STARTTLS
 * (client_tls.c). read/write behave like recv/send (-1 with EAGAIN: try
 * again when the fd is ready). The optional hooks serve a layer with state
 * of its own: start runs once the switch happens (-1: close), flush runs
 * when the fd is writable and none of our output is left (-1: close), want
 * names events the layer needs whatever the buffers say, pending counts
 * bytes readable without the fd becoming readable, close releases the
 * layer and the fd.
 */
struct client_io {
	const char *name;
	ssize_t (*read)(struct client *c, void *p, size_t n);
	ssize_t (*write)(struct client *c, const void *p, size_t n);
	int (*start)(struct client *c);
	int (*flush)(struct client *c);
	unsigned (*want)(const struct client *c);
	size_t (*pending)(const struct client *c);
	void (*close)(struct client *c);
	void (*rest)(struct client *c);	/* quiet for UPSD_REST_MS: shed what can be rebuilt */
	int (*can_rest)(const struct client *c);	/* 0: rest would shed nothing now */
	/* 1 while bytes the transport took are not all on the socket yet
	   (a TLS record half sent): closing now would cut them off */
	int (*unsent)(const struct client *c);
	/* memory the transport holds for this client (the buffer budget) */
	size_t (*held)(const struct client *c);
};

struct tracking;

struct client {
	int fd;				/* -1 for a detached client (tests) */
	char peer[NET_ADDRSTRLEN];
	unsigned port;
	struct buf *in;			/* unprocessed request bytes */
	struct buf *out;		/* replies not yet sent */
	const struct client_io *io;
	const struct client_io *next_io;	/* after the pending output is sent */
	char *username;			/* secret_strdup; cleared on close */
	char *password;			/* secret_strdup; cleared on close */
	int creds_in_clear;		/* USERNAME or PASSWORD came outside TLS */
	struct ups *login_ups;		/* after LOGIN */
	unsigned once;			/* CMD_ONCE rows that succeeded */
	int tracking;			/* SET TRACKING ON */
	int want_close;			/* close once the output is sent */
	int overflow;			/* output cap exceeded: drop */
	size_t kernel_queued;		/* unsent bytes in the kernel (SIOCOUTQ) while output waits */
	uint64_t stalled_since;		/* ev_now() since replies wait and none were taken; 0 */
	int eof;			/* peer closed its side */
	int paused;			/* output and requests held (client_hold) */
	ev_timer_id delay_timer;
	uint64_t last_active;		/* ev_now() of the last completed line */
	int rested;			/* io->rest ran since the last line */
	int awake;			/* on the awake list (client_wake) */
	TAILQ_ENTRY(client) awake_link;	/* the awake list: least recently woken first */
	unsigned events;		/* events currently watched */
	struct tracking *tracks;	/* this connection's tracking entries */
	unsigned ntracks;
	size_t accounted;		/* its share of the global buffer budget */
	struct list_cursor *cursor;	/* a LIST VAR/RW being sent (cmd_list.c) */
	struct tls_conn *tls;		/* after STARTTLS (client_tls.c) */
	int tls_up;			/* handshake finished */
	int tls_last;			/* last handshake status (enum tls_status) */
	int tls_wpending;		/* NSS holds output for the socket */
	ev_timer_id tls_timer;		/* handshake deadline */
	unsigned tls_epoch;		/* reloads of the TLS settings when it started */
	struct client *prev, *next;	/* least recently active first */
};

/* Accepts fd as a new client (refused with ERR MAX-CONNECTIONS over MAXCONN). */
void client_accept(int fd, const char *peer, unsigned port);
/* A client with no socket, for tests: output stays in c->out. */
struct client *client_new_detached(const char *peer);
/* Closes and frees c (never from inside its own dispatch). */
void client_close(struct client *c, const char *why);
/* Feeds request bytes as if read from the socket; then flushes. */
void client_input(struct client *c, const char *data, size_t len);
/*
 * Switches c to another transport (the TLS layer after "OK STARTTLS"): no
 * further plaintext request is executed, whatever was already received is
 * discarded (and logged), the replies queued so far still go out through
 * the old transport, and then c->io becomes io.
 */
void client_switch_io(struct client *c, const struct client_io *io);
/*
 * c's transport holds again what io->rest sheds (a TLS session ready for
 * records): c goes to the end of the awake list, and the session at its
 * head rests if there are more than UPSD_AWAKE_MAX.
 */
void client_wake(struct client *c);
/* Runs the complete lines in c->in (used after a pause ends). */
void client_resume(struct client *c);
/*
 * Holds c's output (what is queued and what comes) and its further requests
 * for ms (0: nothing happens); the connection is still read, and closed at
 * once if the peer hangs up meanwhile.
 */
void client_hold(struct client *c, unsigned ms);
/* Idle timeouts, and the failed-authentication summaries (backoff_tick). */
void client_tick(void);
/* Closes every client logged in to u (the UPS is being removed). */
void client_kick_ups(struct ups *u);
void client_close_all(void);
size_t client_count(void);
/* First client in activity order; walk with ->next. */
struct client *client_first(void);

/* ---- client_tls.c: TLS set-up and the STARTTLS transport --------------- */

/*
 * Opens CERTPATH, unlocks the key with CERTIDENT's password and loads its
 * certificate with the CERTREQUEST policy (nothing without CERTPATH). After
 * the last fork, before the chroot. 0, or -1 after logging what is wrong.
 */
int upsd_tls_start(const struct upsd_conf *cf);
void upsd_tls_stop(void);
/* 1 when STARTTLS can be offered. */
int upsd_tls_enabled(void);
/* 1 when client certificates are verified (CERTREQUEST REQUIRE in force). */
int upsd_tls_verifies_clients(void);
/*
 * On reload: notes changed TLS settings that wait for a restart, and
 * re-reads what NSS can take without one (CRLs, a renewed certificate
 * under the same CERTIDENT), closing sessions whose client certificate is
 * now revoked or expired.
 */
void upsd_tls_reload(struct upsd_conf *old, struct upsd_conf *cf, struct reload_report *r);
/* Daily warning while the server certificate expires within 30 days. */
void upsd_tls_tick(void);
/* The transport client_switch_io() gets after "OK STARTTLS". */
extern const struct client_io client_tls_io;
/* 1 if c's TLS handshake is done. */
int client_tls_up(const struct client *c);
/* 1 if c is in TLS with the client certificate b names (subject, issuer). */
int client_tls_cert_is(const struct client *c, const struct cert_binding *b);
/* The client certificate's subject, or NULL. */
const char *client_tls_subject(const struct client *c);
/* The issuer of c's client certificate (malloc'd), or NULL. */
char *client_tls_issuer(const struct client *c);

/* ---- reply.c: building replies in the client's output ------------------ */

void reply_raw(struct client *c, const char *s, size_t n);
void reply_str(struct client *c, const char *s);
void reply_printf(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_err(struct client *c, enum proto_err e);
/* A value in quotes, escaped. */
void reply_quoted(struct client *c, const char *s);
/* An echoed argument: bare if it is a plain word, else quoted. */
void reply_arg(struct client *c, const char *s);

/* ---- dispatch.c: the command table ------------------------------------- */

#define CMD_USER	0x01	/* USERNAME and PASSWORD must have been sent */
#define CMD_SECRET	0x02	/* arguments are never logged */
#define CMD_ONCE	0x04	/* succeeds at most once per connection */
#define CMD_PRETLS	0x08	/* served outside TLS under REQUIRE_TLS (what
				   clients send before STARTTLS) */
#define CMD_ANY		(-1)	/* max_args: extra words are ignored (as NUT) */

typedef int (*cmd_fn)(struct client *c, int argc, char **argv);

struct cmd {
	const char *verb;
	const char *sub;		/* NULL: the verb takes no sub-command */
	int min_args, max_args;		/* words after verb (and sub) */
	unsigned flags;
	enum proto_err once_err;	/* reply for a repeated CMD_ONCE */
	cmd_fn fn;			/* 0, or -1 when it replied an error */
};

/* Tokenizes and executes one request line (without or with its LF). */
void dispatch_line(struct client *c, const char *line, size_t len);
/* The table, for tests. */
const struct cmd *dispatch_table(size_t *n);
void dispatch_fini(void);

/* ---- cmd_*.c: handlers -------------------------------------------------- */

int cmd_ver(struct client *c, int argc, char **argv);
int cmd_netver(struct client *c, int argc, char **argv);
int cmd_help(struct client *c, int argc, char **argv);
int cmd_starttls(struct client *c, int argc, char **argv);
int cmd_logout(struct client *c, int argc, char **argv);
int cmd_username(struct client *c, int argc, char **argv);
int cmd_password(struct client *c, int argc, char **argv);
int cmd_login(struct client *c, int argc, char **argv);
int cmd_primary(struct client *c, int argc, char **argv);
int cmd_master(struct client *c, int argc, char **argv);
int cmd_fsd(struct client *c, int argc, char **argv);
int cmd_get_tracking(struct client *c, int argc, char **argv);
int cmd_get_numlogins(struct client *c, int argc, char **argv);
int cmd_get_upsdesc(struct client *c, int argc, char **argv);
int cmd_get_var(struct client *c, int argc, char **argv);
int cmd_get_type(struct client *c, int argc, char **argv);
int cmd_get_desc(struct client *c, int argc, char **argv);
int cmd_get_cmddesc(struct client *c, int argc, char **argv);
int cmd_list_ups(struct client *c, int argc, char **argv);
int cmd_list_var(struct client *c, int argc, char **argv);
int cmd_list_rw(struct client *c, int argc, char **argv);
int cmd_list_cmd(struct client *c, int argc, char **argv);
int cmd_list_enum(struct client *c, int argc, char **argv);
int cmd_list_range(struct client *c, int argc, char **argv);
int cmd_list_client(struct client *c, int argc, char **argv);
/*
 * A LIST VAR/RW goes out as the client reads it: items are added while the
 * client's unsent output is under UPSD_OUT_HIGH, and list_fill() adds more
 * when it drains (the walk resumes after the last name sent). Returns 1
 * while more is to come, 0 when the END line went out or the listing was
 * abandoned (the driver's data was dropped meanwhile: the client is closed
 * after what was sent, with no END line).
 */
int list_fill(struct client *c);
void list_cursor_free(struct client *c);
/* The UPS c is listing, or NULL. */
struct ups *list_cursor_ups(const struct client *c);
int cmd_set_var(struct client *c, int argc, char **argv);
int cmd_set_tracking(struct client *c, int argc, char **argv);
int cmd_instcmd(struct client *c, int argc, char **argv);

/*
 * cmd_auth.c: the credential check shared by the privileged commands: the
 * password, the certificate binding, any of the ACT_* bits of mask (0:
 * none needed) and, when set, the instant command instcmd. The reply that
 * follows is held for the address's backoff delay, whatever the verdict.
 * Returns the user, or NULL after ERR ACCESS-DENIED.
 */
const struct user *auth_user(struct client *c, const char *what, const char *upsname,
    unsigned mask, const char *instcmd);

/* ---- ups.c: the UPS table ---------------------------------------------- */

#define UPS_SOCKNAME_MAX 108	/* = UPSCONF_SOCKNAME_MAX: the reader checks the fit */

struct drvconn {
	int fd;				/* -1: not connected */
	struct buf *in, *out;
	uint64_t last_heard;		/* ev_now() of the last recognised line */
	uint64_t last_ping;
	uint64_t last_fail_log;		/* connect failures are logged rarely */
	int dumpdone;			/* DUMPDONE seen since connect */
	int datastale;			/* last of DATAOK/DATASTALE was DATASTALE */
	int reported;			/* 0 unknown, 1 ok, 2 stale, 3 down (logged) */
	int failing;			/* connect attempts are failing */
	int resync;			/* a live update was lost: dump again */
	uint64_t last_resync;		/* ev_now() of the last such DUMPALL */
	unsigned gen;			/* bumped whenever the mirror is dropped */
	size_t bytes;			/* the mirror's footprint (names, values, lists) */
	/* its own log budgets: one driver's noise hides none of another's */
	struct log_ratelimit bad_rl, bytes_rl, conn_rl;
};

struct ups {
	char *name, *driver, *port, *desc;
	char sockname[UPS_SOCKNAME_MAX];	/* "<driver>-<name>", relative */
	struct vt *tree;
	int fsd;			/* latched by the FSD command */
	unsigned numlogins;
	struct drvconn drv;
	int seen;			/* reload bookkeeping */
	struct ups *next;		/* ups.conf order */
};

/* Case-insensitive lookup; NULL if unknown. */
struct ups *ups_find(const char *name);
struct ups *ups_first(void);
size_t ups_count(void);
struct upsconf;		/* common/upsconf.h: ups.conf as read */
/* Adds, changes and removes UPSes to match ups.conf (quietly when initial). 0 or -1. */
int ups_apply(const struct upsconf *uc, int initial);
void ups_free_all(void);
/*
 * The availability check: replies ERR DRIVER-NOT-CONNECTED or
 * ERR DATA-STALE and returns -1, or returns 0.
 */
int ups_check_avail(struct client *c, struct ups *u);
/* Looks name up; replies ERR UNKNOWN-UPS and returns NULL if unknown. */
struct ups *ups_lookup(struct client *c, const char *name);
struct vt_var;
/* A variable's value as clients see it: ups.status gets "FSD " while latched
 * (built in out, outlen >= VT_VALUE_MAX + 5). */
const char *ups_var_value(const struct ups *u, const struct vt_var *v, char *out,
    size_t outlen);

/* ---- driver.c: connections to the drivers ------------------------------ */

void driver_init(struct ups *u);
/* Disconnects (tree dropped) and frees the connection state. */
void driver_fini(struct ups *u);
void driver_disconnect(struct ups *u, const char *why);
/* Frees what all driver connections share (at exit). */
void driver_global_fini(void);
/* After a chroot: the directory (inside the jail) the socket names are under. */
void driver_set_sockdir(const char *dir);
/* Reconnect, ping and staleness bookkeeping; called every tick. */
void driver_tick(struct ups *u);
int driver_connected(const struct ups *u);
int driver_stale(const struct ups *u);
/* Forwards requests. 0, or -1 if the driver is gone or its buffer is full. */
int driver_send_set(struct ups *u, const char *var, const char *value, const char *tracking);
int driver_send_instcmd(struct ups *u, const char *cmd, const char *param, const char *tracking);

/* ---- tracking.c: results of forwarded SET/INSTCMD ---------------------- */

#define TRACKING_PER_CLIENT 256		/* oldest entries dropped past this */
#define TRACKING_ID_SIZE 37		/* UUID text and its NUL */

/* A new PENDING entry owned by c, for a request to u's driver; writes its
 * id. 0 or -1. */
int tracking_new(struct client *c, const struct ups *u, char id[TRACKING_ID_SIZE]);
/* Drops one entry (a failed forward). */
void tracking_cancel(struct client *c, const char *id);
/* Records u's driver's result for id: only its own requests', only once. */
void tracking_result(const struct ups *u, const char *id, int status);
/* The reply text for id as seen by c ("PENDING", "SUCCESS", "ERR ..."). */
const char *tracking_get(const struct client *c, const char *id);
/* Drops every entry owned by c. */
void tracking_drop_client(struct client *c);
/* Expires entries older than delay_s seconds. */
void tracking_expire(long delay_s);
size_t tracking_count(void);

/* ---- access.c: tcp-wrappers ---------------------------------------------- */

/* 1 if hosts.allow/hosts.deny let user talk to upsd from peer (or no libwrap). */
int access_allowed(const char *user, const char *peer);
/*
 * The tcp-wrappers rule file (hosts.allow/deny) that holds rules but would
 * not be reachable from inside jail, or NULL (also without libwrap).
 */
const char *access_rules_outside(const char *jail);
/* The i-th rule file libwrap reads (from 0), or NULL past the last (or without libwrap). */
const char *access_rule_file(size_t i);

/* ---- conncount.c: connections per address --------------------------------- */

/* Connections held by peer's address (its /64 for IPv6). */
unsigned conncount_get(const char *peer);
void conncount_add(const char *peer);
void conncount_del(const char *peer);
/* 1 if peer is a loopback address (MAXCONN_PER_LOOPBACK applies). */
int peer_is_loopback(const char *peer);

/* ---- backoff.c: failed authentications per address ------------------------ */

/* The key an address is counted under: itself, or its /64 for IPv6. */
void peer_key(const char *peer, char key[NET_ADDRSTRLEN]);
/* FNV-1a of a key (table slots). */
unsigned peer_hash(const char *key);
/*
 * Before an authentication verdict: the delay in ms for its reply, whatever
 * the verdict, and *locked = 1 if peer is locked out (refuse unchecked).
 */
unsigned backoff_check(const char *peer, int *locked);
/* Records a refused authentication. 1 if it is peer's first outstanding
 * one (the caller logs it in detail; the rest are summarized). */
int backoff_fail(const char *peer);
/* The per-address summaries (called every tick). */
void backoff_tick(void);

/* ---- privs.c: the jail and the open-file limit ---------------------------- */

/*
 * Where upsd's root goes and where the driver sockets are seen from inside
 * it. Without dir, the jail is the state path itself (inside "/"). With dir
 * (-r), a state path under dir is used as it is (inside = the rest), else it
 * is taken as NUT does, inside the jail (dir + statepath on the host, which
 * must exist). host gets the state path as seen before the chroot. 0 or -1
 * (logged).
 */
int privs_jail(const char *dir, const char *statepath, char *host, size_t hostlen,
    char *inside, size_t insidelen);
/* Raises RLIMIT_NOFILE to at least want (up to the hard limit). Returns the soft limit. */
long privs_raise_nofile(long want);

#endif
