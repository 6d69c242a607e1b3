/*
 * nutsec - tls.h: TLS for upsd and the clients, small and non-blocking,
 * implemented with Mozilla NSS in tls_nss.c (process set-up, server side,
 * I/O), tls_nss_client.c (client side) and tls_rec.c (the record layer of
 * an established TLS 1.3 server session, after NSS's handshake), plus
 * tls_io.c (what a status means as errno). No other file includes NSS
 * headers.
 *
 * Policy that holds for every connection: TLS 1.2 minimum, 1.3 preferred,
 * never SSL 3 or weak suites; a failed verification is an error, never a
 * silent downgrade. Each struct tls_conn wraps one already-connected TCP
 * fd and owns it from tls_*_new on: tls_free closes it.
 *
 * Non-blocking use: tls_handshake/tls_read/tls_write return TLS_WANT_READ or
 * TLS_WANT_WRITE when they need the fd to become readable or writable; the
 * caller waits for that (event loop or poll) and calls again. A server
 * drives the handshake from its event loop with a deadline.
 */
#ifndef NUTSEC_TLS_H
#define NUTSEC_TLS_H

#include <stddef.h>
#include <sys/types.h>

struct tls_conn;

enum tls_status {
	TLS_OK = 0,
	TLS_WANT_READ = 1,
	TLS_WANT_WRITE = 2,
	TLS_CLOSED = 3,		/* the peer closed the TLS session cleanly */
	TLS_FAILED = -1		/* see tls_error(); the connection is unusable */
};

/* Client-certificate policy of a server (upsd.conf CERTREQUEST). */
enum tls_certrequest {
	TLS_CERT_NO = 0,	/* no client certificate asked for */
	TLS_CERT_REQUEST = 1,	/* one must be presented (validity not checked) */
	TLS_CERT_REQUIRE = 2	/* it must chain to a trusted CA, be valid now,
				   and allow clientAuth */
};

/*
 * Process set-up, once, after the last fork and before chroot: opens the NSS
 * database in directory certpath read-only ("sql:" is prepended unless a
 * "sql:"/"dbm:" prefix is given), or initialises NSS without a database when
 * certpath is NULL (a client that verifies nothing). password, if not NULL,
 * unlocks the key database (CERTIDENT's second word); it is copied and
 * cleared on tls_fini. Returns 0, or -1 with a message naming the problem
 * (missing directory, bad database, ...) in err.
 */
int tls_init(const char *certpath, const char *password, char *err, size_t errlen);
/* Releases everything NSS holds; safe to call when tls_init failed or never ran. */
void tls_fini(void);
/* 1 after a successful tls_init. */
int tls_ready(void);

/*
 * Server set-up after tls_init: finds the certificate `nickname` (among
 * those valid now, usable for serverAuth and with their private key, the
 * one that expires last; tls_nss_cert.c) and its key, and prepares the
 * model socket with the version range and the certrequest policy. Fails (-1
 * with a message: no such nickname, wrong password, expired, no key, ...)
 * so that upsd refuses to start with a broken TLS configuration.
 */
int tls_server_setup(const char *nickname, enum tls_certrequest req, char *err, size_t errlen);

/* The server certificate in use, in words for the log. */
struct tls_certinfo {
	char nickname[128];	/* CERTIDENT's name */
	char subject[256];
	char serial[80];	/* "0x0064" */
	char not_after[32];	/* "2027-01-01 12:00 UTC" */
	long long expires;	/* not_after in seconds since the epoch */
	char key[40];		/* "EC 256 bits", "RSA 2048 bits" */
	int candidates;		/* certificates the nickname names */
};
/* Fills ci with the certificate served now. 0, or -1 if the server is not set up. */
int tls_server_certinfo(struct tls_certinfo *ci);

/*
 * At reload, without a restart: re-reads the CRLs in the database (*ncrl:
 * how many) and picks the certificate under nickname again by the same
 * rule as tls_server_setup. Returns 1 when another certificate (a renewal)
 * is served to new connections from now on, 0 when it is the same one, -1
 * with err when no usable certificate is found (the one in force is kept)
 * or the CRLs cannot be read.
 */
int tls_server_refresh(const char *nickname, int *ncrl, char *err, size_t errlen);

/*
 * 1 when the client certificate of an established server session with
 * CERTREQUEST REQUIRE no longer passes (revoked by a CRL now known, expired,
 * issuer no longer trusted), with the reason in why; else 0.
 */
int tls_peer_recheck(struct tls_conn *c, char *why, size_t len);

/*
 * Wraps an accepted, connected, non-blocking fd for the server side of a
 * handshake (call after "OK STARTTLS" has been written). Returns NULL with a
 * message in err; the fd is then still the caller's.
 */
struct tls_conn *tls_server_new(int fd, char *err, size_t errlen);

/* What a client checks and presents. */
struct tls_client_opts {
	int certverify;		/* verify the chain against the database and the name */
	const char *expect_name;	/* host name or CERTHOST certificate name to match */
	const char *certident;	/* nickname of our client certificate, or NULL */
};

/* Wraps a connected fd (blocking or not) for the client side. NULL + err. */
struct tls_conn *tls_client_new(int fd, const struct tls_client_opts *o, char *err,
    size_t errlen);

/* Advances the handshake. TLS_OK when done. */
enum tls_status tls_handshake(struct tls_conn *c);

/*
 * Reads up to len bytes of application data. Returns the count (> 0), or 0
 * with *st set to TLS_WANT_READ/TLS_WANT_WRITE/TLS_CLOSED/TLS_FAILED.
 */
size_t tls_read(struct tls_conn *c, void *buf, size_t len, enum tls_status *st);
/*
 * Writes up to len bytes. Returns the count accepted (maybe 0) and *st as
 * above. TLS_WANT_WRITE with a count > 0 means the bytes were taken but part
 * of them still waits inside the TLS layer for the socket: wait until the
 * fd is writable and call tls_write(c, NULL, 0, &st) to push them on
 * (TLS_OK once nothing is left).
 */
size_t tls_write(struct tls_conn *c, const void *buf, size_t len, enum tls_status *st);
/*
 * The socket-like form of a tls_read or tls_write result, one rule for upsd
 * and the clients: a count n > 0 as it is; 0 for TLS_CLOSED (the peer's
 * clean close, read(2)'s end of file); otherwise -1 with errno EAGAIN for
 * TLS_WANT_READ, TLS_WANT_WRITE or TLS_OK with nothing moved (wait for the
 * socket, call again), or EPROTO for TLS_FAILED (tls_error() says why).
 * In tls_io.c: no NSS in it.
 */
ssize_t tls_io_result(size_t n, enum tls_status st);

/* Bytes already decrypted and waiting inside the TLS layer (read them before polling). */
size_t tls_pending(const struct tls_conn *c);
/*
 * Memory the session's own record layer holds for its peer now (a record
 * being received, opened data not yet read, a sealed record not yet on
 * the socket), for the server's buffer budget; 0 for a session NSS runs.
 */
size_t tls_buffered(const struct tls_conn *c);

/*
 * Why the last operation failed, in words an operator can act on: "the
 * server's certificate is not trusted (unknown CA)", "certificate name does
 * not match 'host'", "certificate has expired", "the server requires a client
 * certificate", "peer does not support TLS 1.2 or later", ...
 */
const char *tls_error(const struct tls_conn *c);
/* After the handshake: "TLSv1.3", the cipher suite name, the peer's subject (or NULL). */
const char *tls_version(const struct tls_conn *c);
const char *tls_cipher(const struct tls_conn *c);
const char *tls_peer_subject(const struct tls_conn *c);
/*
 * 1 if the handshake is done and the peer's certificate has the subject
 * subject ("CN=mon,O=Example") and, unless issuer is NULL, was issued by
 * issuer: it names that issuer and is signed by the key of a CA
 * certificate in the database with that name (so the CA that signs client
 * certificates directly, an intermediate too, must be in the database).
 * Distinguished names are compared as names (RFC 4514 text parsed, then
 * attribute by attribute), not as strings; else 0.
 */
int tls_peer_cert_is(const struct tls_conn *c, const char *subject, const char *issuer);
/* The peer certificate's issuer as text (malloc'd), or NULL. */
char *tls_peer_issuer(const struct tls_conn *c);
/* 1 if NSS reads dn as a distinguished name (RFC 4514 text). */
int tls_dn_valid(const char *dn);
/*
 * The session has been quiet: let go of what its next record can rebuild.
 * A TLS 1.3 server session (taken over from NSS after its handshake, see
 * tls_rec.c) then holds its two traffic secrets and a few counters, under
 * 1 kB, instead of two AEAD contexts and their PKCS #11 key objects (about
 * 20 kB); the next record makes them again from the secrets (tens of µs).
 * Other sessions are left as they are.
 */
void tls_rest(struct tls_conn *c);
/* 1 if tls_rest would let go of something now (a TLS 1.3 session of ours). */
int tls_can_rest(const struct tls_conn *c);
/*
 * Freed PKCS #11 keys libnss3 keeps for reuse (fixed in NSS for its own
 * softoken), which tls_server_setup fills once at start-up (tls_nss.c).
 */
#define TLS_KEYLIST_FILL 800
/* The fd underneath (for the event loop). */
int tls_fd(const struct tls_conn *c);
/* Sends close_notify if possible, closes the fd, frees. c may be NULL. */
void tls_free(struct tls_conn *c);

#endif
