/*
 * nutsec - tls_nss_client.c: the client side of TLS with NSS. tls_client_new
 * wraps a connected socket for a client handshake limited to TLS 1.2-1.3,
 * with no session cache (every connection is verified afresh) and three
 * hooks: the certificate check (with certverify, the server's chain must
 * be trusted by the database for serverAuth and the certificate must carry
 * the expected name; without it anything is accepted, and the caller warns),
 * the client certificate (the CERTIDENT nickname's certificate and key,
 * looked up before the handshake so a wrong nickname or password is named
 * at once), and received alerts, so a server that refuses us says why in
 * our words: no client certificate, an untrusted or expired one, no common
 * protocol version. The explanation goes to c->err, which the shared I/O
 * calls then keep (tls_nss_int.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cert.h>
#include <keyhi.h>
#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>
#include <prio.h>
#include <private/pprio.h>
#include <secerr.h>
#include <ssl.h>
#include <sslerr.h>

#include "log.h"
#include "tls_nss_int.h"
#include "xmalloc.h"

/* TLS alert descriptions (RFC 8446 section 6) a server sends us. */
#define ALERT_HANDSHAKE_FAILURE 40
#define ALERT_BAD_CERTIFICATE 42
#define ALERT_UNSUPPORTED_CERTIFICATE 43
#define ALERT_CERTIFICATE_REVOKED 44
#define ALERT_CERTIFICATE_EXPIRED 45
#define ALERT_CERTIFICATE_UNKNOWN 46
#define ALERT_UNKNOWN_CA 48
#define ALERT_ACCESS_DENIED 49
#define ALERT_PROTOCOL_VERSION 70
#define ALERT_INSUFFICIENT_SECURITY 71
#define ALERT_CERTIFICATE_REQUIRED 116
#define ALERT_LEVEL_FATAL 2
/* The longest server or certificate name (CERTHOST, CERTIDENT) accepted. */
#define CLIENT_NAME_MAX 256

/* The name NSS gives an error code, for texts that pass it on. */
static const char *
err_name(PRErrorCode e)
{
	const char *s = PR_ErrorToName(e);

	return s != NULL ? s : "unknown error";
}

/* 1 if the certificate's subject CN is exactly name (case ignored). */
static int
cn_is(const CERTCertificate *cert, const char *name)
{
	char *cn = CERT_GetCommonName(&cert->subject);
	int r;

	if (cn == NULL)
		return 0;
	r = strcasecmp(cn, name) == 0;
	PORT_Free(cn);
	return r;
}

/* Why CERT_VerifyCertificateNow refused the server's certificate. */
static void
explain_chain(struct tls_conn *c, const CERTCertificate *cert, PRErrorCode e)
{
	switch (e) {
	case SEC_ERROR_UNKNOWN_ISSUER:
	case SEC_ERROR_UNTRUSTED_ISSUER:
	case SEC_ERROR_CA_CERT_INVALID:
	case SEC_ERROR_UNKNOWN_CERT:
		tls_conn_seterr(c, "the server's certificate is not trusted "
		    "(unknown CA: its issuer is not trusted in CERTPATH)");
		break;
	case SEC_ERROR_UNTRUSTED_CERT:
		tls_conn_seterr(c, "the server's certificate is marked as not "
		    "trusted in CERTPATH");
		break;
	case SEC_ERROR_EXPIRED_CERTIFICATE:
		if (CERT_CheckCertValidTimes(cert, PR_Now(), PR_FALSE) ==
		    secCertTimeNotValidYet)
			tls_conn_seterr(c, "the server's certificate is not valid yet");
		else
			tls_conn_seterr(c, "the server's certificate has expired");
		break;
	case SEC_ERROR_EXPIRED_ISSUER_CERTIFICATE:
		tls_conn_seterr(c, "the CA certificate of the server's "
		    "certificate has expired");
		break;
	case SEC_ERROR_INADEQUATE_KEY_USAGE:
	case SEC_ERROR_INADEQUATE_CERT_TYPE:
		tls_conn_seterr(c, "the server's certificate is not meant for "
		    "a TLS server (key usage)");
		break;
	case SEC_ERROR_REVOKED_CERTIFICATE:
		tls_conn_seterr(c, "the server's certificate has been revoked");
		break;
	default:
		tls_conn_seterr(c, "the server's certificate failed verification "
		    "(%s)", err_name(e));
		break;
	}
}

/*
 * The certificate hook. With certverify: the chain must be trusted for
 * serverAuth and valid now, and the certificate must carry c->expect as a
 * SAN DNS name or IP address (the CN when there is no SAN, as NSS checks
 * names) or as its exact CN (a CERTHOST certificate name such as "My nut
 * server", the seed's example). Without certverify nothing is checked.
 */
static SECStatus
auth_cert(void *arg, PRFileDesc *fd, PRBool checksig, PRBool isserver)
{
	struct tls_conn *c = arg;
	CERTCertificate *cert;
	PRErrorCode e = 0;
	SECStatus rv = SECFailure;

	(void)checksig;
	(void)isserver;
	if (!c->certverify)
		return SECSuccess;
	cert = SSL_PeerCertificate(fd);
	if (cert == NULL) {
		tls_conn_seterr(c, "the server sent no certificate");
		PORT_SetError(SSL_ERROR_NO_CERTIFICATE);
		return SECFailure;
	}
	if (CERT_VerifyCertificateNow(CERT_GetDefaultCertDB(), cert, PR_TRUE,
	    certificateUsageSSLServer, NULL, NULL) != SECSuccess) {
		e = PORT_GetError();
		explain_chain(c, cert, e);
		goto out;
	}
	if (CERT_VerifyCertName(cert, c->expect) != SECSuccess &&
	    !cn_is(cert, c->expect)) {
		e = SSL_ERROR_BAD_CERT_DOMAIN;
		tls_conn_seterr(c, "the server's certificate name does not "
		    "match '%s'", c->expect);
		goto out;
	}
	rv = SECSuccess;
out:
	CERT_DestroyCertificate(cert);
	if (rv != SECSuccess)
		PORT_SetError(e != 0 ? e : SEC_ERROR_BAD_DER);
	return rv;
}

/*
 * Finds our certificate and its key; 0, or -1 with the reason in err.
 * A currently valid clientAuth certificate under the nickname is preferred
 * (a renewal may leave the old one beside it); failing that, the one the
 * nickname names is still presented, with a warning, since whether an
 * expired or wrongly marked certificate is good enough is the server's
 * call (CERTREQUEST REQUEST accepts it, REQUIRE does not).
 */
static int
find_ident(const char *nick, CERTCertificate **pcert, SECKEYPrivateKey **pkey,
    int warn, char *err, size_t errlen)
{
	CERTCertificate *cert;
	SECKEYPrivateKey *key;

	cert = CERT_FindUserCertByUsage(CERT_GetDefaultCertDB(), nick,
	    certUsageSSLClient, PR_TRUE, NULL);
	if (cert == NULL) {
		cert = PK11_FindCertFromNickname(nick, NULL);
		if (cert == NULL) {
			(void)str_printf(err, errlen, "client certificate '%s' "
			    "(CERTIDENT) not found in CERTPATH", nick);
			return -1;
		}
		if (warn)
			log_warnx("client certificate '%s' (CERTIDENT) is expired, "
			    "not yet valid or not meant for TLS clients: a server "
			    "with CERTREQUEST REQUIRE will refuse it", nick);
	}
	key = PK11_FindKeyByAnyCert(cert, NULL);
	if (key == NULL) {
		(void)str_printf(err, errlen, "no private key for client "
		    "certificate '%s' (wrong CERTIDENT password?)", nick);
		CERT_DestroyCertificate(cert);
		return -1;
	}
	*pcert = cert;
	*pkey = key;
	return 0;
}

/* The client-certificate hook: the CERTIDENT certificate, or none. */
static SECStatus
client_auth(void *arg, PRFileDesc *fd, CERTDistNames *cas,
    CERTCertificate **pcert, SECKEYPrivateKey **pkey)
{
	struct tls_conn *c = arg;
	char err[TLS_ERR_MAX];

	(void)fd;
	(void)cas;
	c->cert_asked = 1;
	if (c->certident == NULL)
		return SECFailure;	/* NSS then sends no certificate */
	if (find_ident(c->certident, pcert, pkey, 0, err, sizeof(err)) < 0) {
		tls_conn_seterr(c, "%s", err);
		return SECFailure;
	}
	c->cert_sent = 1;
	return SECSuccess;
}

/* What a fatal alert from the server means for us. */
static void
alert_received(const PRFileDesc *fd, void *arg, const SSLAlert *a)
{
	struct tls_conn *c = arg;
	const char *what = "our certificate";

	(void)fd;
	if (a->level != ALERT_LEVEL_FATAL)
		return;
	if (!c->cert_sent && (a->description == ALERT_CERTIFICATE_REQUIRED ||
	    (c->cert_asked && (a->description == ALERT_HANDSHAKE_FAILURE ||
	    a->description == ALERT_BAD_CERTIFICATE)))) {
		tls_conn_seterr(c, "the server requires a client certificate "
		    "(%s)", c->certident != NULL ?
		    "ours could not be presented" : "set CERTIDENT");
		return;
	}
	switch (a->description) {
	case ALERT_PROTOCOL_VERSION:
		tls_conn_seterr(c, "the server does not support TLS 1.2 or later");
		return;
	case ALERT_HANDSHAKE_FAILURE:
	case ALERT_INSUFFICIENT_SECURITY:
		tls_conn_seterr(c, "the server refused the handshake (no common "
		    "protocol version or cipher suite)");
		return;
	default:
		break;
	}
	if (!c->cert_sent) {
		tls_conn_seterr(c, "the server ended the TLS session (alert %u)",
		    (unsigned)a->description);
		return;
	}
	switch (a->description) {
	case ALERT_UNKNOWN_CA:
		tls_conn_seterr(c, "the server does not trust %s (unknown CA)", what);
		break;
	case ALERT_CERTIFICATE_EXPIRED:
		tls_conn_seterr(c, "the server refused %s as expired or not yet "
		    "valid", what);
		break;
	case ALERT_CERTIFICATE_REVOKED:
		tls_conn_seterr(c, "the server refused %s as revoked", what);
		break;
	case ALERT_UNSUPPORTED_CERTIFICATE:
		tls_conn_seterr(c, "the server refused %s (not meant for TLS "
		    "clients: key usage)", what);
		break;
	case ALERT_BAD_CERTIFICATE:
	case ALERT_CERTIFICATE_UNKNOWN:
	case ALERT_ACCESS_DENIED:
		tls_conn_seterr(c, "the server refused %s (%s)", what,
		    a->description == ALERT_ACCESS_DENIED ? "access denied" :
		    "bad certificate: untrusted, expired or wrong usage");
		break;
	default:
		tls_conn_seterr(c, "the server ended the TLS session (alert %u)",
		    (unsigned)a->description);
		break;
	}
}

/* 1 if name can go into SNI (a host name or an address, not a free text). */
static int
sni_ok(const char *name)
{
	const char *p;

	if (*name == '\0')
		return 0;
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == ':' || *p == '_'))
			return 0;
	}
	return 1;
}

/* Sets up the SSL layer on c->ssl; 0, or -1 with the failing step in err. */
static int
configure(struct tls_conn *c, char *err, size_t errlen)
{
	PRFileDesc *s = c->ssl;
	const char *step;

	step = "options";
	if (SSL_OptionSet(s, SSL_SECURITY, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(s, SSL_HANDSHAKE_AS_CLIENT, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(s, SSL_HANDSHAKE_AS_SERVER, PR_FALSE) != SECSuccess ||
	    SSL_OptionSet(s, SSL_NO_CACHE, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(s, SSL_ENABLE_FALSE_START, PR_FALSE) != SECSuccess)
		goto fail;
	step = "hooks";
	if (SSL_AuthCertificateHook(s, auth_cert, c) != SECSuccess ||
	    SSL_GetClientAuthDataHook(s, client_auth, c) != SECSuccess ||
	    SSL_AlertReceivedCallback(s, alert_received, c) != SECSuccess)
		goto fail;
	step = "server name";
	if (sni_ok(c->expect) && SSL_SetURL(s, c->expect) != SECSuccess)
		goto fail;
	step = "reset";
	if (SSL_ResetHandshake(s, PR_FALSE) != SECSuccess)
		goto fail;
	return 0;
fail:
	(void)str_printf(err, errlen, "TLS client set-up failed (%s): %s", step,
	    err_name(PR_GetError()));
	return -1;
}

struct tls_conn *
tls_client_new(int fd, const struct tls_client_opts *o, char *err, size_t errlen)
{
	struct tls_conn *c = NULL;
	CERTCertificate *cert = NULL;
	SECKEYPrivateKey *key = NULL;

	if (errlen > 0)
		err[0] = '\0';
	if (fd < 0 || o == NULL || o->expect_name == NULL) {
		(void)str_copy(err, "bad arguments to tls_client_new", errlen);
		goto out;
	}
	if (strlen(o->expect_name) >= CLIENT_NAME_MAX ||
	    (o->certident != NULL && strlen(o->certident) >= CLIENT_NAME_MAX)) {
		(void)str_copy(err, "server or certificate name too long", errlen);
		goto out;
	}
	if (!tls_ready()) {
		(void)str_copy(err, "TLS is not initialised", errlen);
		goto out;
	}
	/* A wrong nickname or password is a set-up error: say so now rather
	 * than after a server that asks for the certificate hangs up. */
	if (o->certident != NULL && o->certident[0] != '\0') {
		if (find_ident(o->certident, &cert, &key, 1, err, errlen) < 0)
			goto out;
		CERT_DestroyCertificate(cert);
		SECKEY_DestroyPrivateKey(key);
	}
	c = tls_nss_wrap(fd, NULL, err, errlen);
	if (c == NULL)
		goto out;
	c->is_client = 1;
	c->certverify = o->certverify != 0;
	c->expect = xstrdup(o->expect_name);
	if (o->certident != NULL && o->certident[0] != '\0')
		c->certident = xstrdup(o->certident);
	if (configure(c, err, errlen) < 0) {
		/* The fd stays the caller's: detach it before NSPR closes it. */
		tls_nss_close_keep_fd(c->ssl);
		tls_conn_release(c);
		c = NULL;
	}
out:
	return c;
}
