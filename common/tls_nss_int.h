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
 * tls_free() releases it with free() after PR_Close(ssl) (which closes fd).
 */
#ifndef NUTSEC_TLS_NSS_INT_H
#define NUTSEC_TLS_NSS_INT_H

#include <prio.h>

#include "tls.h"

#define TLS_ERR_MAX 256

struct tls_conn {
	PRFileDesc *ssl;	/* the SSL layer; owns the imported fd */
	int fd;			/* the OS socket underneath, for poll */
	int is_client;		/* made by tls_client_new */
	int done;		/* handshake finished */
	int failed;		/* unusable: every call returns TLS_FAILED */
	char err[TLS_ERR_MAX];	/* tls_error()'s text, "" until a failure */
	char version[16];	/* "TLSv1.3" once done */
	char cipher[96];	/* cipher suite name once done */
	char subject[512];	/* peer certificate subject, "" if none */

	/* Client side only (tls_nss_client.c); zero on server connections. */
	int certverify;		/* chain and name are checked */
	int cert_asked;		/* the server asked for a client certificate */
	int cert_sent;		/* and we presented one */
	char expect[256];	/* name the server certificate must match */
	char certident[256];	/* nickname of our certificate, "" if none */
};

/*
 * Sets c->err to the formatted text unless it already holds one (the first
 * explanation wins). Defined in tls_nss_client.c; usable from both files.
 */
void tls_conn_seterr(struct tls_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
