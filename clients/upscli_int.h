/*
 * nutsec - upscli_int.h: the inside of the client library, shared by its
 * files only (upscli_conn.c: socket, deadlines, reply lines, errors;
 * upscli_proto.c: requests and the NUT client rules; upscli_tls.c: the
 * TLS policy and session, on common/tls.h). Callers use upsclient.h.
 */
#ifndef NUTSEC_UPSCLI_INT_H
#define NUTSEC_UPSCLI_INT_H

#include <stddef.h>

#include "upsclient.h"

struct buf;
struct tok;
struct tls_conn;

struct upscli {
	struct upscli_opts opts;
	int fd;			/* -1 when not connected */
	char *host;		/* as passed to upscli_connect */
	unsigned port;
	struct tls_conn *tls;	/* the session from STARTTLS on (it owns fd), or NULL */
	int tls_up;		/* 1 once its handshake is done */
	char tls_err[256];	/* why the session failed (upscli_tls.c sets it) */
	struct buf *in;		/* received bytes not yet made into lines */
	struct tok *tok;	/* tokenizes one reply line at a time */
	enum upscli_err err;
	int sys_errno;		/* for CONNECT/READ/WRITE */
	int server_err;		/* enum proto_err of an ERR reply, or -1 */
	char detail[256];	/* extra text for PARSE/TLS/INVRESP messages */
	char msg[320];		/* upscli_strerror's result */
	size_t list_items;	/* items read in the current LIST */
	long long op_deadline;	/* end of the current operation, 0 = none */
	int warned_clear;	/* the credentials-in-clear warning was given */
	struct addrinfo *pre_res;	/* upscli_preresolve's addresses, or NULL */
	char *pre_host;		/* ... for this host and port */
	unsigned pre_port;
};

/* Records an error (and errno for the I/O kinds). Always returns -1. */
int upscli_fail(struct upscli *c, enum upscli_err e, int sys_errno,
    const char *detail);

/*
 * Writes all of line (len bytes) by upscli_deadline(), through TLS when
 * it is up. Returns 0 or -1 (WRITE/TIMEOUT, connection closed).
 */
int upscli_write_all(struct upscli *c, const char *line, size_t len);

/*
 * Reads one reply line (deadline: upscli_deadline(); cap:
 * UPSCLI_MAX_LINE) and tokenizes it into c->tok. Does not interpret ERR.
 * Returns 0 with at least one word, or -1 (connection closed on I/O errors).
 */
int upscli_read_tokens(struct upscli *c);

/*
 * Takes over an already connected stream socket (made non-blocking here)
 * as if upscli_connect had opened it, without STARTTLS. For tests that
 * drive the library over a socketpair.
 */
void upscli_adopt_fd(struct upscli *c, int fd);

/* Closes the socket and drops buffered input and TLS state, no LOGOUT. */
void upscli_drop(struct upscli *c);

/* Milliseconds on the monotonic clock. */
long long upscli_now_ms(void);
/* Starts an operation: its deadline is op_timeout_ms from now. */
void upscli_op_begin(struct upscli *c);
/* The deadline of the next wait: the read timeout from now, or the end
 * of the operation when that is sooner. */
long long upscli_deadline(const struct upscli *c);
/* Waits for events on fd until deadline (upscli_now_ms() time).
 * 1 ready, 0 timed out, -1 with errno. */
int upscli_wait_fd(int fd, short events, long long deadline);

/* ---- upscli_tls.c: TLS on one struct tls_conn (common/tls.h) ---- */

/* The TLS policy in force for one connection. */
struct upscli_tlspol {
	int certverify;		/* verify the server's certificate */
	int forcessl;		/* refuse to go on without TLS */
	const char *certname;	/* CERTHOST certificate name, or NULL: the host */
};

/*
 * Works out the policy for host/port: the first CERTHOST entry for them
 * (host case-insensitive, port 0 = any), else the global options; -1 in
 * an entry inherits. 0, or -1 (UPSCLI_ERR_TLS) when it asks to verify
 * without a CERTPATH to verify against: refused before connecting.
 */
int upscli_tls_policy(struct upscli *c, const char *host, unsigned port,
    struct upscli_tlspol *p);
/*
 * Sends STARTTLS on the fresh connection and applies p: on "OK STARTTLS"
 * the handshake (within the read timeout; NSS opened at the first one)
 * and the PROTVER check; on anything else plaintext if p allows it, else
 * UPSCLI_ERR_TLS_REQUIRED. Every failure drops the connection.
 */
int upscli_starttls(struct upscli *c, const struct upscli_tlspol *p);
/*
 * Moves bytes through the session: like read(2)/write(2), errno set
 * (EAGAIN: wait for the socket). A TLS failure is -1 with errno EPROTO
 * and its explanation in c->tls_err. A write pushes what the session
 * still holds before returning, until deadline (ETIMEDOUT after it).
 */
long upscli_tls_read(struct upscli *c, void *p, size_t len);
long upscli_tls_write(struct upscli *c, const void *p, size_t len,
    long long deadline);
/* Ends the session (close_notify, best effort), frees it and closes the
 * socket (c->fd becomes -1). */
void upscli_tls_end(struct upscli *c);

#endif
