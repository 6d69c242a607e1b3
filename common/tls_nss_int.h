/*
 * nutsec - tls_nss_int.h: the inside of the TLS layer, shared by its two
 * files only: tls_nss.c (process set-up, server side, the I/O calls) and
 * tls_nss_client.c (tls_client_new and the client's NSS hooks). Nothing
 * else includes it; callers use tls.h.
 *
 * One rule keeps the error texts precise: whoever first learns why a
 * connection failed writes c->err (a hook that checked the server's
 * certificate knows more than an NSS error code), and the shared calls
 * (tls_handshake, tls_read, tls_write) only fill c->err when it is still
 * empty. tls_error() returns c->err.
 *
 * Both constructors allocate a struct tls_conn with XNEW (zeroed) and
 * tls_free() releases it with free() after PR_Close(ssl) (which closes fd),
 * or after tls_rec_free for a session tls_rec.c took over from NSS.
 */
#ifndef NUTSEC_TLS_NSS_INT_H
#define NUTSEC_TLS_NSS_INT_H

#include <certt.h>
#include <keythi.h>
#include <prio.h>
#include <secmodt.h>

#include "tls.h"

#define TLS_ERR_MAX 256

struct tls_conn {
	PRFileDesc *ssl;	/* the SSL layer; owns the imported fd */
	int fd;			/* the OS socket underneath, for poll */
	int is_client;		/* made by tls_client_new */
	int done;		/* handshake finished */
	int failed;		/* unusable: every call returns TLS_FAILED */
	char err[TLS_ERR_MAX];	/* tls_error()'s text, "" until a failure */
	char version[8];	/* "TLSv1.3" once done */
	const char *cipher;	/* cipher suite name once done (NSS's, static) */
	char *subject;		/* peer certificate subject (malloc), NULL if none */
	int wblocked;		/* a send in the last call was short or would
				   block: NSS holds output (tls_nss.c's watch layer) */

	/* Server side only (tls_nss.c). */
	enum tls_certrequest req;	/* CERTREQUEST in force */
	PRUint16 suite;			/* cipher suite, once done */
	PK11SymKey *sec_read;		/* TLS 1.3 application traffic secrets as */
	PK11SymKey *sec_write;		/* NSS installs them (secret callback) */
	int detaching;			/* NSS is let go: the watch layer drops its writes */
	struct tls_rec *rec;		/* after tls_rec_detach: our record layer; ssl is NULL */
	CERTCertificate *peer;		/* then: the client's certificate, or NULL */

	/* Client side only (tls_nss_client.c); zero on server connections. */
	int certverify;		/* chain and name are checked */
	int cert_asked;		/* the server asked for a client certificate */
	int cert_sent;		/* and we presented one */
	char *expect;		/* name the server certificate must match (malloc) */
	char *certident;	/* nickname of our certificate (malloc), NULL if none */
};

/* Sets c->subject to a copy of s ("" or NULL: none), freeing the one before. */
void tls_conn_subject(struct tls_conn *c, const char *s);
/* Frees a connection's own memory (not its sockets, keys or certificate). */
void tls_conn_release(struct tls_conn *c);

/*
 * Sets c->err to the formatted text unless it already holds one (the first
 * explanation wins). Defined in tls_nss.c; usable from both files.
 */
void tls_conn_seterr(struct tls_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- tls_nss.c helpers for both sides ---- */

/* The key database password given to tls_init, or NULL. */
const char *tls_nss_password(void);

/*
 * The policy every socket shares, applied to fd (an SSL socket or a model):
 * TLS 1.2..1.3 only, no renegotiation, and only forward-secret suites of 128
 * bits or more (no RC4, 3DES, DES, NULL, MD5, static RSA or finite-field
 * DHE). 0, or -1 with the NSS error set. tls_init also makes it the default.
 */
int tls_nss_harden(PRFileDesc *fd);

/*
 * Wraps a connected fd: imports it into NSPR (non-blocking in NSPR's eyes
 * if the fd is O_NONBLOCK), pushes the watch layer that sets c->wblocked,
 * then SSL_ImportFD(model) on top (model NULL: NSS defaults, hardened).
 * Returns a zeroed connection with ssl and fd set, or NULL with a message
 * in err; the fd is then left open and still the caller's.
 */
struct tls_conn *tls_nss_wrap(int fd, PRFileDesc *model, char *err, size_t errlen);

/*
 * Closes an NSPR stack (SSL layer, watch layer, NSPR's socket) but not the
 * fd under it, which stays the caller's: NSPR closes a duplicate instead.
 * (Told the fd is -1, NSPR's close fails and never frees its two socket
 * descriptors: some 100 bytes for every connection, for good.)
 */
void tls_nss_close_keep_fd(PRFileDesc *top);

/* Marks c failed and explains NSS error code e (first explanation wins). */
void tls_nss_fail(struct tls_conn *c, PRErrorCode e);

/* The operator's words for NSS error code e, seen from the client or server side. */
void tls_nss_errtext(PRErrorCode e, int is_client, char *buf, size_t len);

/*
 * A new reference to the peer's certificate (from NSS, or kept at the
 * detach), or NULL. CERT_DestroyCertificate it.
 */
CERTCertificate *tls_nss_peer_cert(const struct tls_conn *c);

/* ---- tls_rec.c: the record layer of an established TLS 1.3 server session ---- */

/*
 * Takes an established TLS 1.3 server session over from NSS: one AEAD per
 * direction from the secrets NSS installed, the peer's certificate kept,
 * the NSS socket closed silently (the fd stays open). 0, or -1 when the
 * session is not one to take over (TLS 1.2, NSS still holds data, ...):
 * NSS then keeps it, unchanged.
 */
int tls_rec_detach(struct tls_conn *c);
/* tls_read, tls_write and tls_pending of a taken-over session. */
size_t tls_rec_read(struct tls_conn *c, void *buf, size_t len, enum tls_status *st);
size_t tls_rec_write(struct tls_conn *c, const void *buf, size_t len, enum tls_status *st);
size_t tls_rec_pending(const struct tls_conn *c);
/* tls_rest of a taken-over session: both AEADs go, rebuilt on demand. */
void tls_rec_rest(struct tls_conn *c);
/* tls_buffered for a session taken over. */
size_t tls_rec_buffered(const struct tls_conn *c);
/* Sends close_notify if it can, closes the fd, frees the record layer. */
void tls_rec_free(struct tls_conn *c);

/* ---- tls_nss_cert.c ---- */

/*
 * The certificate nickname means for a server (see tls_nss_cert.c for the
 * rule) and its key; *ncandidates counts the certificates under the name.
 * 0, or -1 when none is usable (nothing returned).
 */
int tls_nss_pick_cert(const char *nickname, CERTCertificate **certp,
    SECKEYPrivateKey **keyp, int *ncandidates);
/* Subject, serial, end of validity, key type and size of cert. */
void tls_nss_describe(CERTCertificate *cert, struct tls_certinfo *ci);
/* Hands every CRL in the database to NSS's cache again. Count, or -1 + err. */
int tls_crl_refresh(char *err, size_t errlen);
/* Takes back what tls_crl_refresh handed over (before NSS_Shutdown). */
void tls_crl_forget(void);

/* cert's end (or start, not_before = 1) of validity as "YYYY-MM-DD HH:MM UTC". */
void tls_nss_certtime(const CERTCertificate *cert, int not_before, char *buf, size_t len);

#endif
