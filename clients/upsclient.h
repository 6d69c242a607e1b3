/*
 * nutsec - upsclient.h: the client library (libupsclient.a) that upsc,
 * upscmd, upsrw, upsmon and dummy-ups' repeater mode use to talk to an
 * upsd over TCP, protocol 1.3. A connection is an opaque handle. Every
 * reply line and every whole operation has a deadline, and every reply
 * line a length cap, so a hostile or broken server can make a call fail
 * but never crash or hang the caller. Replies
 * are tokenized with common/tok (the server's own grammar), and the checks
 * stock NUT clients make (reply echoes the query, BEGIN/END LIST framing,
 * "ERR <CODE>" mapping) are made here once. Each connection tries STARTTLS
 * first, like NUT's clients, and applies the TLS policy (CERTPATH,
 * CERTIDENT, CERTVERIFY, FORCESSL, CERTHOST; docs/tls-clients.md): a
 * connection whose policy requires TLS never goes on in plaintext, and a
 * failed handshake or verification never falls back to it.
 *
 * Functions return 0 on success and -1 on failure unless said otherwise;
 * after a failure upscli_error()/upscli_strerror() tell why. Strings and
 * argv arrays handed out stay owned by the handle and valid until the next
 * call on it.
 */
#ifndef NUTSEC_UPSCLIENT_H
#define NUTSEC_UPSCLIENT_H

#include <stddef.h>

#include "conf.h"

struct upscli;

/* Defaults (milliseconds / items). */
#define UPSCLI_CONNECT_TIMEOUT_MS 10000
#define UPSCLI_READ_TIMEOUT_MS 5000	/* per reply line, as NUT's 5 s read */
#define UPSCLI_OP_TIMEOUT_MS 30000	/* per operation, see op_timeout_ms */
#define UPSCLI_MAX_LINE 4096		/* longest reply line accepted */
#define UPSCLI_MAX_LIST 100000		/* most items accepted in one LIST */

/* A CERTHOST entry: per-server TLS policy (upsmon.conf / nutauth). */
struct upscli_certhost {
	const char *host;	/* matched case-insensitively with the host we dial */
	unsigned port;		/* 0 = any port */
	const char *certname;	/* expected certificate name, or NULL */
	int certverify;		/* 0/1, or -1 = inherit the global value */
	int forcessl;		/* 0/1, or -1 = inherit the global value */
};

/* Connection options. Pointers are borrowed: they must outlive the handle. */
struct upscli_opts {
	int family;			/* NET_FAMILY_ANY / _V4 / _V6 (common/net.h) */
	int connect_timeout_ms;		/* > 0 */
	int read_timeout_ms;		/* > 0: deadline for each reply line */
	/*
	 * > 0: deadline for a whole operation, however the server paces it:
	 * STARTTLS with its handshake and PROTVER (after the TCP connect,
	 * which has connect_timeout_ms), or a request and its whole reply,
	 * for LIST up to END LIST, counted from the request going out.
	 */
	int op_timeout_ms;
	size_t max_list;		/* most items per LIST before failing */
	/* TLS policy (docs/tls-clients.md). */
	const char *certpath;		/* NSS database directory, or NULL */
	const char *certident_name;	/* client certificate nickname, or NULL */
	const char *certident_pass;	/* its key password: a secret the caller holds */
	int certverify;			/* verify the server certificate */
	int forcessl;			/* refuse to talk without TLS */
	const struct upscli_certhost *certhosts;
	size_t ncerthosts;
};

/*
 * Fills o with the defaults: any family, the timeouts above, no TLS
 * requirement. Every wait ends at the sooner of the line's and the
 * operation's deadline, so a server sending one list item every few
 * seconds fails the call after op_timeout_ms instead of holding it for
 * hours. The connect timeout honours NUT_DEFAULT_CONNECT_TIMEOUT
 * (seconds) when it holds a positive integer.
 */
void upscli_opts_init(struct upscli_opts *o);

/* What went wrong in the last failing call. */
enum upscli_err {
	UPSCLI_ERR_NONE = 0,
	UPSCLI_ERR_SERVER,	/* the server answered ERR: see upscli_server_error() */
	UPSCLI_ERR_NOSUCHHOST,	/* the name did not resolve */
	UPSCLI_ERR_CONNECT,	/* connect failed or timed out (errno kept) */
	UPSCLI_ERR_WRITE,	/* sending failed (errno kept) */
	UPSCLI_ERR_READ,	/* receiving failed (errno kept) */
	UPSCLI_ERR_TIMEOUT,	/* a reply line or the operation over its deadline */
	UPSCLI_ERR_DISCONNECTED,/* the server closed the connection */
	UPSCLI_ERR_INVRESP,	/* a reply that does not answer the request */
	UPSCLI_ERR_TOOLONG,	/* a reply line over UPSCLI_MAX_LINE, or a list over max_list */
	UPSCLI_ERR_PARSE,	/* a reply line the tokenizer rejected */
	UPSCLI_ERR_TLS_REQUIRED,/* policy requires TLS, and the server refused STARTTLS */
	UPSCLI_ERR_TLS,		/* TLS set-up, handshake, verification or session failed */
	UPSCLI_ERR_NOTCONN,	/* the handle is not connected */
	UPSCLI_ERR_ARG		/* bad arguments from the caller (e.g. too long) */
};

/* A new, unconnected handle with a copy of *opts (NULL = defaults). */
struct upscli *upscli_new(const struct upscli_opts *opts);
/* Disconnects (see upscli_disconnect) and frees; c may be NULL. */
void upscli_close(struct upscli *c);

/*
 * Connects to host:port (host as a name or an IPv4/IPv6 literal, without
 * brackets), then applies the TLS policy: sends STARTTLS; on ERR continues
 * in plaintext unless the effective forcessl/certverify (CERTHOST entry
 * for host/port first, else the global options) require TLS
 * (UPSCLI_ERR_TLS_REQUIRED). On OK STARTTLS runs the handshake (verifying
 * the server when certverify) and then PROTVER inside TLS; any failure
 * there is UPSCLI_ERR_TLS, never plaintext. certverify without certpath is
 * refused before connecting. A session without verification logs a
 * warning. A handle may be connected again after upscli_disconnect().
 */
int upscli_connect(struct upscli *c, const char *host, unsigned port);
/*
 * Resolves host now and connects to those addresses, without resolving
 * again, whenever upscli_connect is given the same host and port: for a
 * caller about to enter a sandbox where name resolution cannot work (no
 * /etc/hosts or resolver files in the jail, no uname or datagram sockets
 * in the filter). 0, or -1 (NOSUCHHOST) with nothing kept.
 */
int upscli_preresolve(struct upscli *c, const char *host, unsigned port);
/* Sends LOGOUT (best effort, no wait) and closes the socket. */
void upscli_disconnect(struct upscli *c);

/*
 * Opens the TLS library now, with o's CERTPATH and key password, instead
 * of at the first "OK STARTTLS". A daemon calls it before chroot and its
 * sandbox, since opening NSS reads the database and loads modules. Once
 * per process (NSS holds one database): a later call or connection with
 * another CERTPATH is refused. Returns 0, or -1 with the reason in err.
 */
int upscli_tls_preinit(const struct upscli_opts *o, char *err, size_t errlen);

/* The socket (-1 if not connected), for poll() in an event loop. */
int upscli_fd(const struct upscli *c);
/* 1 if the session runs over TLS. */
int upscli_tls_active(const struct upscli *c);
/* The host and port last passed to upscli_connect (NULL/0 before). */
const char *upscli_host(const struct upscli *c);
unsigned upscli_port(const struct upscli *c);

/* Error reporting for the last failed call. */
enum upscli_err upscli_error(const struct upscli *c);
/* The server's ERR code as an enum proto_err (common/proto.h), or -1 if
 * the last error was not an ERR reply or its code is unknown to us. */
int upscli_server_error(const struct upscli *c);
/* The code word of the last ERR reply ("ACCESS-DENIED", even one we do
 * not know), or NULL when the last error was not an ERR reply. */
const char *upscli_server_code(const struct upscli *c);
/* The message NUT's clients print for the last error, e.g. "Unknown UPS",
 * "Connection failure: Connection refused". Valid until the next call. */
const char *upscli_strerror(struct upscli *c);

/*
 * Sends one request line: argv[0] is the verb, sent bare; other words are
 * quoted and escaped when they need it (proto_put_arg). USERNAME and
 * PASSWORD arguments that are plain words are sent raw, byte for byte as
 * NUT sends them (so a backslash means to upsd what it means with NUT).
 * The line is built in memory that is cleared after sending. A request
 * starts a new operation (op_timeout_ms). Credentials about to go out on
 * a session without TLS (the server refused STARTTLS and the policy let
 * it) are warned about once per connection, naming FORCESSL.
 */
int upscli_send(struct upscli *c, size_t argc, const char *const *argv);

/*
 * Reads one reply line and tokenizes it. An "ERR <CODE> ..." reply returns
 * -1 with UPSCLI_ERR_SERVER. Otherwise returns 0 with *argc >= 1 words.
 */
int upscli_reply(struct upscli *c, size_t *argc, char ***argv);

/*
 * upscli_send, then upscli_reply, and requires the reply to start with "OK"
 * (else UPSCLI_ERR_INVRESP). argc/argv may be NULL when the caller does not
 * need the reply words (e.g. to read "OK TRACKING <id>").
 */
int upscli_cmd(struct upscli *c, size_t argc, const char *const *argv,
    size_t *rargc, char ***rargv);

/*
 * GET <query...>: sends "GET q0 q1 ...", reads one reply and checks that
 * its first nq words equal the query (case-insensitively; NUT's rule).
 * Returns 0 with the whole reply in *argc and *argv (the value is
 * (*argv)[nq] for VAR/TYPE/DESC/...).
 */
int upscli_get(struct upscli *c, size_t nq, const char *const *query,
    size_t *argc, char ***argv);

/*
 * LIST <query...>: upscli_list_start sends the request and reads the
 * "BEGIN LIST <query>" line. upscli_list_next then returns 1 with one item
 * whose first nq words echo the query, 0 at "END LIST <query>" (the list
 * is then finished), or -1. More than max_list items is an error.
 */
int upscli_list_start(struct upscli *c, size_t nq, const char *const *query);
int upscli_list_next(struct upscli *c, size_t nq, const char *const *query,
    size_t *argc, char ***argv);

/*
 * Authenticates: USERNAME then PASSWORD, each must be answered OK. Then,
 * if ups is not NULL, LOGIN <ups> (also OK). pass is only read; keep it in
 * secret memory (common/secret.h).
 */
int upscli_login(struct upscli *c, const char *user, const char *pass,
    const char *ups);

/*
 * Protocol 1.3 tracking. upscli_tracking_on sends SET TRACKING ON.
 * upscli_tracking_wait polls "GET TRACKING <id>" once per second until the
 * answer is not PENDING or timeout_s seconds have passed. Returns 0 when
 * the server said SUCCESS; -1 otherwise: UPSCLI_ERR_SERVER for an ERR
 * result (UNKNOWN, FAILED, INVALID-ARGUMENT, ...) and UPSCLI_ERR_TIMEOUT
 * when it was still PENDING at the end.
 */
int upscli_tracking_on(struct upscli *c);
int upscli_tracking_wait(struct upscli *c, const char *id, unsigned timeout_s);

/*
 * The one address parser (upscli_split.c), for command lines, ups.conf
 * (dummy-ups repeater) and the CERTHOST lines of settings files.
 * upscli_splitaddr splits "host", "host:port", "[v6]", "[v6]:port", or a
 * bare IPv6 literal (several colons, no brackets: taken whole, no port);
 * a missing port is def_port (0 for "any port", as CERTHOST wants). On
 * success *host is an xmalloc'd string for the caller to free. Returns -1
 * with NUT's message in err (errlen bytes) when malformed: empty string,
 * empty host, unbalanced '[', text after ']', empty or non-numeric port,
 * port outside 1..65535.
 */
int upscli_splitaddr(const char *in, unsigned def_port, char **host,
    unsigned *port, char *err, size_t errlen);
/*
 * The same for "ups[@host[:port]]": the UPS name must not be empty, a
 * missing host is "localhost". *ups and *host are the caller's to free.
 */
int upscli_splitname(const char *in, unsigned def_port, char **ups,
    char **host, unsigned *port, char *err, size_t errlen);

/*
 * ---- Client TLS settings (upscli_tlsconf.c) ----
 *
 * The directives CERTPATH, CERTIDENT, CERTHOST, CERTVERIFY and FORCESSL
 * (upsmon.conf's, and nutauth.conf's), plus nutauth.conf's own
 * CERTIDENT_NAME, CERTIDENT_PASS and CERTFILE, read into a struct
 * upscli_tlsconf by one table on common/conf. Nothing here exits: every
 * problem is reported as "file:line: message" (logged by common/conf, the
 * first one also kept in err) and the caller decides.
 */
#define UPSCLI_TLSCONF_KEYS 8	/* entries in upscli_tlsconf_keys */
#define UPSCLI_TLSCONF_MAX_HOSTS 256	/* CERTHOST lines accepted */

struct upscli_tlsconf {
	char *certpath;			/* NSS database directory, or NULL */
	char *ident_name;		/* CERTIDENT nickname, or NULL */
	char *ident_pass;		/* its key password, in secret memory */
	int certverify;			/* -1 not given (NUT's "inherit": off), 0, 1 */
	int forcessl;			/* likewise */
	struct upscli_certhost *hosts;	/* CERTHOST lines, in file order */
	size_t nhosts;
	int nutauth;			/* nutauth.conf's own keys are accepted */
	char err[384];			/* the first problem kept, "" if none */
	/* upscli_tlsconf.c's own bookkeeping. */
	char **strs;			/* the hosts' strings, for freeing */
	size_t nstrs;
	unsigned long seen[UPSCLI_TLSCONF_KEYS];	/* line a key was given on */
};

/*
 * The directive table, sorted case-insensitively. Its handlers take the
 * object being filled as a struct upscli_tlsconf *, so it can serve as
 * the table of a conf_spec whose object is one (nutauth.conf is read
 * that way through upscli_tlsconf_line). A reader for a file that mixes
 * these keys with its own (upsmon.conf) calls upscli_tlsconf_line from
 * its conf_spec's unknown hook with the upscli_tlsconf inside its object:
 *     r = upscli_tlsconf_line(cx, &cf->tls, name, argc, argv);
 *     return r == 0 ? 0 : -1;    (1 = not ours: "unknown directive")
 */
extern const struct conf_directive upscli_tlsconf_keys[UPSCLI_TLSCONF_KEYS];

/* Empty settings; nutauth: also accept CERTIDENT_NAME and CERTIDENT_PASS. */
void upscli_tlsconf_init(struct upscli_tlsconf *t, int nutauth);
/* Frees everything (the password is cleared) and leaves t as init made it. */
void upscli_tlsconf_free(struct upscli_tlsconf *t);

/*
 * One directive line (the words after the name, "=" already dropped by
 * common/conf): looks name up in upscli_tlsconf_keys (case-insensitive),
 * checks the number of values and that a key other than CERTHOST comes
 * once, and stores it. Returns 0; -1 after conf_error (the first one also
 * in t->err); or 1, with nothing reported, when name is not a TLS key.
 */
int upscli_tlsconf_line(struct conf_ctx *cx, struct upscli_tlsconf *t,
    const char *name, int argc, char **argv);

/*
 * Reads a file of these keys alone (nutauth.conf's shape: [sections] are
 * skipped with a warning) into t. A file readable by others is warned
 * about (it may hold the key password). Returns 0; 1 when the file does
 * not exist and must_exist is 0; -1 with a message in err: "cannot read
 * <path>: <reason>", or the first problem as "<path>:<line>: <message>"
 * (with the count when there were more).
 */
int upscli_tlsconf_load(struct upscli_tlsconf *t, const char *path,
    int must_exist, char *err, size_t errlen);

/*
 * What upsc, upscmd and upsrw read: file if not NULL (-A; must exist),
 * else $NUT_AUTHCONF_FILE (must exist), else the first existing of
 * $HOME/.config/nut/nutauth.conf and $NUT_CONFPATH/nutauth.conf; then
 * NUT_CERTPATH, NUT_CERTVERIFY and NUT_FORCESSL (0 or 1) override it.
 * 0, or -1 with a message in err.
 */
int upscli_tlsconf_clients(struct upscli_tlsconf *t, const char *file,
    char *err, size_t errlen);

/* Points o's TLS fields at t's settings (t must outlive o's handles). */
void upscli_tlsconf_opts(const struct upscli_tlsconf *t, struct upscli_opts *o);

/*
 * The TLS directives whose settings differ between a and b, as their
 * names ("CERTPATH, FORCESSL"; CERTIDENT for the nickname or the
 * password, CERTHOST for any line) in out (len > 0; cut short if it is
 * too small); returns how many, 0 if none, -1 if len is 0.
 * For a reload that cannot apply them (upsmon opens NSS once).
 */
int upscli_opts_tls_changed(const struct upscli_opts *a, const struct upscli_opts *b,
    char *out, size_t len);

#endif
