/*
 * nutsec - tls_nss.c: TLS with Mozilla NSS for the whole process (database,
 * key password, policy), the server side of a connection (CERTIDENT and
 * CERTREQUEST), and the non-blocking I/O calls both sides share. NSS does
 * not tell a non-blocking caller whether it waits to read or to write, so
 * a thin NSPR layer under SSL watches the sends: a short or blocked send
 * means "wait until writable", anything else "wait until readable".
 * Client certificates are checked by our own hook: REQUEST only insists
 * that one is presented (proof of its key is TLS's job), REQUIRE also
 * wants it valid now, chained to a CA trusted in the database, and marked
 * for clientAuth. Error texts name the problem in an operator's words.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cert.h>
#include <certdb.h>
#include <keyhi.h>
#include <nspr.h>
#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>
#include <private/pprio.h>
#include <secerr.h>
#include <secmod.h>
#include <ssl.h>
#include <sslexp.h>
#include <sslerr.h>
#include <sslproto.h>

#include "secret.h"
#include "xmalloc.h"

#include "tls.h"
#include "tls_nss_int.h"

static int nss_up;			/* tls_init succeeded */
static char *db_password;		/* CERTIDENT's second word (secret) */
static char db_dir[PATH_MAX];		/* for messages */
static CERTCertificate *srv_cert;
static SECKEYPrivateKey *srv_key;
static PRFileDesc *srv_model;		/* options every server socket copies */
static enum tls_certrequest model_req;	/* CERTREQUEST of srv_model */
static char srv_nick[128];		/* CERTIDENT's name, for the log */
static int srv_candidates;		/* certificates under that name */
static int sid_cache;			/* server session cache configured */
static PRDescIdentity watch_id = PR_INVALID_IO_LAYER;
static PRIOMethods watch_methods;

/* ---- errors ---------------------------------------------------------- */

void
tls_conn_seterr(struct tls_conn *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->err[0] != '\0')
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	if (n < 0)
		(void)str_copy(c->err, "TLS error", sizeof(c->err));
}

/* NSS's own words for e, for the cases we have nothing better to say. */
static void
nss_words(PRErrorCode e, char *buf, size_t len)
{
	const char *name = PR_ErrorToName(e), *text = PR_ErrorToString(e, PR_LANGUAGE_I_DEFAULT);

	if (snprintf(buf, len, "%s (%s)", text ? text : "unknown NSS error",
	    name ? name : "?") < 0 && len > 0)
		buf[0] = '\0';
}

void
tls_nss_errtext(PRErrorCode e, int is_client, char *buf, size_t len)
{
	const char *peer = is_client ? "server" : "client";
	const char *t = NULL;
	char tmp[TLS_ERR_MAX];

	switch (e) {
	case SSL_ERROR_NO_CERTIFICATE:
		t = is_client ? "no client certificate to present (CERTIDENT)" :
		    "the client presented no certificate (CERTREQUEST asks for one)";
		break;
	case SEC_ERROR_UNKNOWN_ISSUER:
	case SEC_ERROR_UNTRUSTED_ISSUER:
	case SEC_ERROR_UNTRUSTED_CERT:
	case SEC_ERROR_CA_CERT_INVALID:
	case SEC_ERROR_BAD_SIGNATURE:
		t = is_client ? "the server's certificate is not trusted (unknown CA)" :
		    "the client's certificate is not trusted (unknown CA)";
		break;
	case SEC_ERROR_EXPIRED_CERTIFICATE:
		t = is_client ? "the server's certificate has expired or is not yet valid" :
		    "the client's certificate has expired or is not yet valid";
		break;
	case SEC_ERROR_EXPIRED_ISSUER_CERTIFICATE:
		t = "the certificate's CA has expired";
		break;
	case SEC_ERROR_INADEQUATE_KEY_USAGE:
	case SEC_ERROR_INADEQUATE_CERT_TYPE:
		t = is_client ? "the server's certificate is not for TLS servers (no serverAuth usage)" :
		    "the client's certificate is not for TLS clients (no clientAuth usage)";
		break;
	case SEC_ERROR_REVOKED_CERTIFICATE:
		t = "the certificate has been revoked";
		break;
	case SSL_ERROR_BAD_CERT_DOMAIN:
		t = "the server's certificate name does not match";
		break;
	case SSL_ERROR_UNSUPPORTED_VERSION:
	case SSL_ERROR_PROTOCOL_VERSION_ALERT:
		t = "the peer does not support TLS 1.2 or later";
		break;
	case SSL_ERROR_NO_CYPHER_OVERLAP:
		t = "no cipher suite in common with the peer (weak suites are refused)";
		break;
	case PR_END_OF_FILE_ERROR:
	case PR_CONNECT_RESET_ERROR:
	case SSL_ERROR_CLOSE_NOTIFY_ALERT:
		t = "the connection was closed during the TLS handshake";
		break;
	case SSL_ERROR_RX_RECORD_TOO_LONG:
	case SSL_ERROR_RX_UNKNOWN_RECORD_TYPE:
	case SSL_ERROR_RX_MALFORMED_CLIENT_HELLO:
	case SSL_ERROR_RX_MALFORMED_HANDSHAKE:
	case SSL_ERROR_RX_MALFORMED_SERVER_HELLO:
	case SSL_ERROR_RX_UNEXPECTED_APPLICATION_DATA:
	case SSL_ERROR_RX_UNEXPECTED_CLIENT_HELLO:
	case SSL_ERROR_BAD_CLIENT:
	case SSL_ERROR_BAD_SERVER:
		if (snprintf(tmp, sizeof(tmp), "the %s did not speak TLS (not a TLS handshake)",
		    peer) >= 0)
			t = tmp;
		break;
	case SSL_ERROR_UNKNOWN_CA_ALERT:
		if (snprintf(tmp, sizeof(tmp), "the %s does not trust our certificate (unknown CA)",
		    peer) >= 0)
			t = tmp;
		break;
	case SSL_ERROR_EXPIRED_CERT_ALERT:
		if (snprintf(tmp, sizeof(tmp), "the %s says our certificate has expired", peer) >= 0)
			t = tmp;
		break;
	case SSL_ERROR_BAD_CERT_ALERT:
	case SSL_ERROR_UNSUPPORTED_CERT_ALERT:
	case SSL_ERROR_CERTIFICATE_UNKNOWN_ALERT:
	case SSL_ERROR_REVOKED_CERT_ALERT:
		t = is_client ? "the server refused our client certificate" :
		    "the client refused our certificate";
		break;
	case SSL_ERROR_RX_CERTIFICATE_REQUIRED_ALERT:
		t = "the server requires a client certificate";
		break;
	case SSL_ERROR_HANDSHAKE_FAILURE_ALERT:
		t = is_client ? "the server refused the handshake (it may require a client "
		    "certificate, or a TLS version or cipher we do not offer)" :
		    "the client refused the handshake (TLS version or cipher suite)";
		break;
	case SEC_ERROR_BAD_PASSWORD:
		t = "wrong password for the key database";
		break;
	default:
		break;
	}
	if (t != NULL) {
		if (snprintf(buf, len, "%s", t) < 0 && len > 0)
			buf[0] = '\0';
	} else
		nss_words(e, buf, len);
}

void
tls_nss_fail(struct tls_conn *c, PRErrorCode e)
{
	char text[TLS_ERR_MAX];

	c->failed = 1;
	if (c->err[0] != '\0')
		return;
	tls_nss_errtext(e, c->is_client, text, sizeof(text));
	tls_conn_seterr(c, "%s", text);
}

void
tls_nss_certtime(const CERTCertificate *cert, int not_before, char *buf, size_t len)
{
	PRTime nb, na;
	time_t t;
	struct tm tm;

	if (len > 0)
		buf[0] = '\0';
	if (CERT_GetCertTimes((CERTCertificate *)cert, &nb, &na) != SECSuccess)
		return;
	t = (time_t)((not_before ? nb : na) / PR_USEC_PER_SEC);
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0) {
		if (len > 0)
			buf[0] = '\0';
	}
}

/* ---- process set-up -------------------------------------------------- */

/* The key database asks: give CERTIDENT's password once, never on a retry. */
static char *
password_cb(PK11SlotInfo *slot, PRBool retry, void *arg)
{
	if (retry || db_password == NULL)
		return NULL;
	return PORT_Strdup(db_password);
}

const char *
tls_nss_password(void)
{
	return db_password;
}

static int
set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes the message; always returns -1 so callers can `return set_err(...)`. */
static int
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return -1;
	va_start(ap, fmt);
	if (vsnprintf(err, errlen, fmt, ap) < 0)
		err[0] = '\0';
	va_end(ap);
	return -1;
}

/*
 * Is suite weak? Mozilla's "intermediate" profile: forward secrecy (ECDHE,
 * or TLS 1.3) and an AEAD cipher (AES-GCM, ChaCha20-Poly1305) of at least
 * 128 bits. The CBC suites with their SHA-1/SHA-2 MACs are refused.
 */
static int
suite_weak(PRUint16 suite)
{
	SSLCipherSuiteInfo ci;

	if (SSL_GetCipherSuiteInfo(suite, &ci, sizeof(ci)) != SECSuccess)
		return 1;
	if (ci.effectiveKeyBits < 128 || ci.isExportable)
		return 1;
	if (ci.symCipher != ssl_calg_aes_gcm && ci.symCipher != ssl_calg_chacha20)
		return 1;	/* CBC, NULL, RC4, 3DES, Camellia, SEED, ... */
	if (ci.macAlgorithm != ssl_mac_aead)
		return 1;
	/* TLS 1.3 suites carry no key exchange of their own (ssl_kea_tls13_any). */
	if (ci.keaType != ssl_kea_ecdh && ci.keaType != ssl_kea_tls13_any)
		return 1;	/* static RSA, finite-field DHE, ... */
	return 0;
}

void
tls_nss_close_keep_fd(PRFileDesc *top)
{
	PRFileDesc *bottom = PR_GetIdentitiesLayer(top, PR_NSPR_IO_LAYER);
	int spare;

	if (bottom != NULL) {
		/* Out of descriptors: NSPR's ~100 bytes are lost, never the fd. */
		spare = fcntl((int)PR_FileDesc2NativeHandle(bottom), F_DUPFD_CLOEXEC, 0);
		PR_ChangeFileDescNativeHandle(bottom, spare);
	}
	(void)PR_Close(top);
}

int
tls_nss_harden(PRFileDesc *fd)
{
	SSLVersionRange vr = { SSL_LIBRARY_VERSION_TLS_1_2, SSL_LIBRARY_VERSION_TLS_1_3 };
	PRUint16 i;

	if (fd != NULL) {
		if (SSL_VersionRangeSet(fd, &vr) != SECSuccess ||
		    SSL_OptionSet(fd, SSL_ENABLE_RENEGOTIATION, SSL_RENEGOTIATE_NEVER) != SECSuccess ||
		    SSL_OptionSet(fd, SSL_REQUIRE_SAFE_NEGOTIATION, PR_TRUE) != SECSuccess ||
		    SSL_OptionSet(fd, SSL_ENABLE_SSL2, PR_FALSE) != SECSuccess ||
		    SSL_OptionSet(fd, SSL_V2_COMPATIBLE_HELLO, PR_FALSE) != SECSuccess)
			return -1;
	} else {
		if (SSL_VersionRangeSetDefault(ssl_variant_stream, &vr) != SECSuccess ||
		    SSL_OptionSetDefault(SSL_ENABLE_RENEGOTIATION, SSL_RENEGOTIATE_NEVER) !=
		    SECSuccess ||
		    SSL_OptionSetDefault(SSL_REQUIRE_SAFE_NEGOTIATION, PR_TRUE) != SECSuccess)
			return -1;
	}
	for (i = 0; i < SSL_NumImplementedCiphers; i++) {
		PRUint16 s = SSL_ImplementedCiphers[i];

		if (!suite_weak(s))
			continue;
		if ((fd != NULL ? SSL_CipherPrefSet(fd, s, PR_FALSE) :
		    SSL_CipherPrefSetDefault(s, PR_FALSE)) != SECSuccess)
			return -1;
	}
	return 0;
}

/* The database file cannot be read (errno set by access): say why and what to do. */
static int
dbfile_err(const char *dir, const char *file, char *err, size_t errlen)
{
	int e = errno;

	if (e == ENOENT)
		return set_err(err, errlen, "CERTPATH %s: no certificate database (%s is "
		    "missing); create one with: certutil -N -d sql:%s", dir, file, dir);
	if (e == EACCES || e == EPERM)
		return set_err(err, errlen, "CERTPATH %s: the certificate database %s exists "
		    "but user id %ld may not read it (check the owner and mode of the "
		    "directory and its files)", dir, file, (long)geteuid());
	return set_err(err, errlen, "CERTPATH %s: cannot read the certificate database %s: %s",
	    dir, file, strerror(e));
}

/* Checks certpath before NSS does, so the message can say what is wrong. */
static int
check_dbdir(const char *dir, int sql, char *err, size_t errlen)
{
	char file[PATH_MAX];
	struct stat st;

	if (stat(dir, &st) != 0)
		return set_err(err, errlen, "CERTPATH %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return set_err(err, errlen, "CERTPATH %s is not a directory", dir);
	if (str_printf(file, sizeof(file), "%s/%s", dir, sql ? "cert9.db" : "cert8.db") != 0)
		return set_err(err, errlen, "CERTPATH %s: path too long", dir);
	if (access(file, R_OK) != 0)
		return dbfile_err(dir, file, err, errlen);
	return 0;
}

int
tls_init(const char *certpath, const char *password, char *err, size_t errlen)
{
	char spec[PATH_MAX + 8];
	const char *dir = certpath;
	int sql = 1, rc = -1;
	SECStatus s;

	if (nss_up)
		return set_err(err, errlen, "TLS is already initialised");
	/* No file-system probing by the sqlite backend (seccomp, chroot). */
	if (setenv("NSS_SDB_USE_CACHE", "no", 1) != 0)
		return set_err(err, errlen, "setenv: %s", strerror(errno));
	if (certpath != NULL) {
		if (strncmp(certpath, "sql:", 4) == 0)
			dir = certpath + 4;
		else if (strncmp(certpath, "dbm:", 4) == 0) {
			dir = certpath + 4;
			sql = 0;
		}
		if (check_dbdir(dir, sql, err, errlen) != 0)
			goto out;
		if (str_printf(spec, sizeof(spec), "%s%s", sql ? "sql:" : "dbm:", dir) != 0 ||
		    str_copy(db_dir, dir, sizeof(db_dir)) != 0) {
			set_err(err, errlen, "CERTPATH %s: path too long", dir);
			goto out;
		}
		/* OPTIMIZESPACE: the softoken frees its key objects (5.4 kB
		   each) instead of keeping 800 of them, scattered over the
		   heap, after a burst of handshakes; docs/bench.md measures
		   it: RSS after 1,000 sessions close +45 % instead of +83 %,
		   9 instead of 14 kB per idle session, handshake CPU within
		   the noise (1-3 %). upsd's sessions are few and long. */
		s = NSS_Initialize(spec, "", "", SECMOD_DB,
		    NSS_INIT_READONLY | NSS_INIT_OPTIMIZESPACE);
	} else {
		(void)str_copy(db_dir, "(no database)", sizeof(db_dir));
		s = NSS_NoDB_Init(NULL);
	}
	if (s != SECSuccess) {
		char words[TLS_ERR_MAX];

		nss_words(PR_GetError(), words, sizeof(words));
		set_err(err, errlen, "cannot open the NSS database %s: %s", db_dir, words);
		goto out;
	}
	nss_up = 1;
	if (NSS_SetDomesticPolicy() != SECSuccess || tls_nss_harden(NULL) != 0) {
		char words[TLS_ERR_MAX];

		nss_words(PR_GetError(), words, sizeof(words));
		set_err(err, errlen, "cannot set the TLS policy: %s", words);
		goto out;
	}
	if (password != NULL)
		db_password = secret_strdup(password);
	PK11_SetPasswordFunc(password_cb);
	rc = 0;
out:
	if (rc != 0)
		tls_fini();
	return rc;
}

void
tls_fini(void)
{
	if (srv_model != NULL) {
		PR_Close(srv_model);
		srv_model = NULL;
	}
	if (srv_key != NULL) {
		SECKEY_DestroyPrivateKey(srv_key);
		srv_key = NULL;
	}
	if (srv_cert != NULL) {
		CERT_DestroyCertificate(srv_cert);
		srv_cert = NULL;
	}
	if (sid_cache) {
		(void)SSL_ShutdownServerSessionIDCache();
		sid_cache = 0;
	}
	if (nss_up) {
		tls_crl_forget();
		SSL_ClearSessionCache();
		(void)NSS_Shutdown();
		nss_up = 0;
	}
	secret_strfree(db_password);
	db_password = NULL;
}

int
tls_ready(void)
{
	return nss_up;
}

/* ---- the server's certificate ---------------------------------------- */

/* Logs in to the key database if it has a password. 0 or -1 + err. */
static int
unlock_keys(char *err, size_t errlen)
{
	PK11SlotInfo *slot = PK11_GetInternalKeySlot();
	int rc = -1;

	if (slot == NULL)
		return set_err(err, errlen, "NSS has no key database slot");
	if (!PK11_NeedLogin(slot) || PK11_IsLoggedIn(slot, NULL))
		rc = 0;
	else if (db_password == NULL)
		set_err(err, errlen, "the key database in %s has a password: put it in a "
		    "file only root reads and name it with CERTPASSWORDFILE", db_dir);
	else if (PK11_Authenticate(slot, PR_TRUE, NULL) != SECSuccess)
		set_err(err, errlen, "wrong password for the key database in %s "
		    "(CERTPASSWORDFILE or CERTIDENT's second word)", db_dir);
	else
		rc = 0;
	PK11_FreeSlot(slot);
	return rc;
}

/* The certificate under nickname could not be used: say why. */
static int
explain_cert(const char *nickname, char *err, size_t errlen)
{
	CERTCertificate *any = PK11_FindCertFromNickname(nickname, NULL);
	SECKEYPrivateKey *key;
	char when[64];
	int rc;

	if (any == NULL)
		return set_err(err, errlen, "no certificate named '%s' in %s (list them with: "
		    "certutil -L -d sql:%s)", nickname, db_dir, db_dir);
	switch (CERT_CheckCertValidTimes(any, PR_Now(), PR_FALSE)) {
	case secCertTimeExpired:
		tls_nss_certtime(any, 0, when, sizeof(when));
		rc = set_err(err, errlen, "certificate '%s' expired on %s", nickname, when);
		goto out;
	case secCertTimeNotValidYet:
		tls_nss_certtime(any, 1, when, sizeof(when));
		rc = set_err(err, errlen, "certificate '%s' is not valid before %s", nickname,
		    when);
		goto out;
	default:
		break;
	}
	key = PK11_FindKeyByAnyCert(any, NULL);
	if (key == NULL)
		rc = set_err(err, errlen, "certificate '%s' has no private key in %s", nickname,
		    db_dir);
	else {
		SECKEY_DestroyPrivateKey(key);
		rc = set_err(err, errlen, "certificate '%s' may not be used by a TLS server "
		    "(it lacks the serverAuth usage)", nickname);
	}
out:
	CERT_DestroyCertificate(any);
	return rc;
}

/* Closing the model: nothing underneath to close, only the stub to free. */
static PRStatus PR_CALLBACK
model_stub_close(PRFileDesc *fd)
{
	fd->dtor(fd);
	return PR_SUCCESS;
}

/* The model is never connected (SSL_ImportFD asks). */
static PRStatus PR_CALLBACK
model_stub_noaddr(PRFileDesc *fd, PRNetAddr *addr)
{
	PR_SetError(PR_NOT_CONNECTED_ERROR, 0);
	return PR_FAILURE;
}

static PRStatus PR_CALLBACK
model_stub_noopt(PRFileDesc *fd, PRSocketOptionData *data)
{
	PR_SetError(PR_NOT_SOCKET_ERROR, 0);
	return PR_FAILURE;
}

static PRStatus PR_CALLBACK
model_stub_nosetopt(PRFileDesc *fd, const PRSocketOptionData *data)
{
	PR_SetError(PR_NOT_SOCKET_ERROR, 0);
	return PR_FAILURE;
}

/*
 * What a model socket sits on: an NSPR stub with no OS socket, since a
 * model only carries options and is never connected. A real socket would
 * need socket(2), which the sandbox refuses when a reload makes a new model.
 */
static PRFileDesc *
model_stub(void)
{
	static PRDescIdentity id = PR_INVALID_IO_LAYER;
	static PRIOMethods methods;

	if (id == PR_INVALID_IO_LAYER) {
		if ((id = PR_GetUniqueIdentity("nutsec-tls-model")) == PR_INVALID_IO_LAYER)
			return NULL;
		methods = *PR_GetDefaultIOMethods();
		methods.close = model_stub_close;
		methods.getpeername = model_stub_noaddr;
		methods.getsockname = model_stub_noaddr;
		methods.getsocketoption = model_stub_noopt;
		methods.setsocketoption = model_stub_nosetopt;
	}
	return PR_CreateIOLayerStub(id, &methods);
}

/*
 * A model socket every server connection copies: the certrequest policy,
 * the shared hardening, and cert with key. NULL with err on failure.
 */
static PRFileDesc *
server_model(CERTCertificate *cert, SECKEYPrivateKey *key, enum tls_certrequest req,
    const char *nickname, char *err, size_t errlen)
{
	PRFileDesc *stub, *model = NULL;

	if ((stub = model_stub()) == NULL || (model = SSL_ImportFD(NULL, stub)) == NULL) {
		if (stub != NULL)
			stub->dtor(stub);
		set_err(err, errlen, "cannot create the TLS model socket");
		return NULL;
	}
	if (SSL_OptionSet(model, SSL_SECURITY, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(model, SSL_HANDSHAKE_AS_SERVER, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(model, SSL_HANDSHAKE_AS_CLIENT, PR_FALSE) != SECSuccess ||
	    SSL_OptionSet(model, SSL_NO_CACHE, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(model, SSL_ENABLE_SESSION_TICKETS, PR_FALSE) != SECSuccess ||
	    SSL_OptionSet(model, SSL_REQUEST_CERTIFICATE, req != TLS_CERT_NO) != SECSuccess ||
	    SSL_OptionSet(model, SSL_REQUIRE_CERTIFICATE,
	    req != TLS_CERT_NO ? SSL_REQUIRE_ALWAYS : SSL_REQUIRE_NEVER) != SECSuccess ||
	    tls_nss_harden(model) != 0 ||
	    SSL_ConfigServerCert(model, cert, key, NULL, 0) != SECSuccess) {
		char words[TLS_ERR_MAX];

		nss_words(PR_GetError(), words, sizeof(words));
		set_err(err, errlen, "cannot configure the TLS server with '%s': %s", nickname,
		    words);
		PR_Close(model);
		return NULL;
	}
	return model;
}

/*
 * libnss3 keeps, per slot, up to 800 freed PK11SymKeys, each with its own
 * open PKCS #11 session, and hands them out again (the number is fixed in
 * NSS; the list is emptied only when the slot goes away). Left to fill
 * during a burst of handshakes, those 800 small blocks land among the
 * burst's other allocations and, once the burst is over, keep some 800
 * heap pages resident: RSS stayed 45 % above where it was after 1,000 TLS
 * sessions closed (docs/bench.md). Filled once here, before any session,
 * the list takes about 100 pages in one piece, and every later handshake
 * borrows its keys from it and gives them back. Each entry is one more
 * handle on a single key object, so the filling makes no key material: a
 * handle and a session each, nothing more.
 */
static void
keylist_fill(void)
{
	static PK11SymKey *held[TLS_KEYLIST_FILL];
	PK11SlotInfo *slot = PK11_GetInternalSlot();
	PK11SymKey *key = NULL;
	int i, n = 0;

	if (slot != NULL)
		key = PK11_KeyGen(slot, CKM_AES_KEY_GEN, NULL, 16, NULL);
	if (key != NULL)
		for (; n < TLS_KEYLIST_FILL; n++)
			if ((held[n] = PK11_SymKeyFromHandle(slot, NULL, PK11_OriginGenerated,
			    CKM_AES_KEY_GEN, PK11_GetSymKeyHandle(key), PR_FALSE, NULL)) == NULL)
				break;
	for (i = 0; i < n; i++) {
		PK11_FreeSymKey(held[i]);
		held[i] = NULL;
	}
	if (key != NULL)
		PK11_FreeSymKey(key);
	if (slot != NULL)
		PK11_FreeSlot(slot);
}

int
tls_server_setup(const char *nickname, enum tls_certrequest req, char *err, size_t errlen)
{
	if (!nss_up)
		return set_err(err, errlen, "TLS is not initialised");
	if (srv_model != NULL)
		return set_err(err, errlen, "the TLS server is already set up");
	if (nickname == NULL || nickname[0] == '\0')
		return set_err(err, errlen, "CERTIDENT names no certificate");
	if (unlock_keys(err, errlen) != 0)
		return -1;
	/* A renewal may have left expired certificates under the same nickname:
	   tls_nss_cert.c picks one by a fixed rule. */
	if (tls_nss_pick_cert(nickname, &srv_cert, &srv_key, &srv_candidates) != 0)
		return explain_cert(nickname, err, errlen);
	if ((srv_model = server_model(srv_cert, srv_key, req, nickname, err, errlen)) == NULL)
		goto fail;
	/*
	 * No session is ever resumed (SSL_NO_CACHE, no tickets in
	 * server_model): a resumed session skips the client-certificate
	 * checks, so an expired or revoked certificate would keep working for
	 * the cache's lifetime (24 h in NSS). upsd's clients hold long
	 * connections; a full handshake each time costs them nothing
	 * noticeable. NSS still wants the cache configured; its lifetimes are
	 * the shortest it allows, and its sizes the smallest: by default it
	 * would map 5 MB for 10,000 sessions it never stores.
	 */
	if (!sid_cache) {
		if (SSL_ConfigServerSessionIDCacheWithOpt(1, 1, NULL, 1, 1, 1, PR_FALSE) !=
		    SECSuccess) {
			set_err(err, errlen, "cannot create the TLS session cache");
			goto fail;
		}
		sid_cache = 1;
	}
	model_req = req;
	keylist_fill();
	(void)str_copy(srv_nick, nickname, sizeof(srv_nick));
	return 0;
fail:
	if (srv_model != NULL) {
		PR_Close(srv_model);
		srv_model = NULL;
	}
	if (srv_key != NULL) {
		SECKEY_DestroyPrivateKey(srv_key);
		srv_key = NULL;
	}
	CERT_DestroyCertificate(srv_cert);
	srv_cert = NULL;
	return -1;
}

int
tls_server_certinfo(struct tls_certinfo *ci)
{
	if (srv_cert == NULL)
		return -1;
	tls_nss_describe(srv_cert, ci);
	(void)str_copy(ci->nickname, srv_nick, sizeof(ci->nickname));
	ci->candidates = srv_candidates;
	return 0;
}

int
tls_server_refresh(const char *nickname, int *ncrl, char *err, size_t errlen)
{
	CERTCertificate *cert;
	SECKEYPrivateKey *key;
	PRFileDesc *model;
	int n;

	*ncrl = 0;
	if (srv_model == NULL)
		return set_err(err, errlen, "the TLS server is not set up");
	if ((*ncrl = tls_crl_refresh(err, errlen)) < 0)
		return -1;
	if (tls_nss_pick_cert(nickname, &cert, &key, &n) != 0)
		return explain_cert(nickname, err, errlen);
	if (SECITEM_ItemsAreEqual(&cert->derCert, &srv_cert->derCert)) {
		CERT_DestroyCertificate(cert);
		SECKEY_DestroyPrivateKey(key);
		srv_candidates = n;
		return 0;
	}
	/* Connections made so far keep their own reference to the old one. */
	if ((model = server_model(cert, key, model_req, nickname, err, errlen)) == NULL) {
		CERT_DestroyCertificate(cert);
		SECKEY_DestroyPrivateKey(key);
		return -1;
	}
	PR_Close(srv_model);
	SECKEY_DestroyPrivateKey(srv_key);
	CERT_DestroyCertificate(srv_cert);
	srv_model = model;
	srv_cert = cert;
	srv_key = key;
	srv_candidates = n;
	return 1;
}

/* ---- the watch layer: which way NSS is blocked ------------------------ */

static PRInt32 PR_CALLBACK
watch_send(PRFileDesc *fd, const void *buf, PRInt32 amount, PRIntn flags,
    PRIntervalTime timeout)
{
	struct tls_conn *c = (struct tls_conn *)(void *)fd->secret;
	PRInt32 n;

	if (c->detaching)
		return amount;	/* tls_rec_detach: NSS's last words stay unsaid */
	n = fd->lower->methods->send(fd->lower, buf, amount, flags, timeout);

	if ((n < 0 && PR_GetError() == PR_WOULD_BLOCK_ERROR) || (n >= 0 && n < amount))
		c->wblocked = 1;
	return n;
}

static PRInt32 PR_CALLBACK
watch_write(PRFileDesc *fd, const void *buf, PRInt32 amount)
{
	return watch_send(fd, buf, amount, 0, PR_INTERVAL_NO_WAIT);
}

/*
 * NSS shuts the socket down itself when it refuses a client that sent no
 * certificate (SSL_REQUIRE_ALWAYS). The handshake then fails and the
 * connection is closed at once by its owner, so the shutdown(2) is not
 * needed, and a sandboxed upsd need not allow it: report success.
 */
static PRStatus PR_CALLBACK
watch_shutdown(PRFileDesc *fd, PRIntn how)
{
	return PR_SUCCESS;
}

static PRStatus PR_CALLBACK
watch_close(PRFileDesc *fd)
{
	fd->secret = NULL;
	return PR_GetDefaultIOMethods()->close(fd);
}

static int
watch_setup(void)
{
	if (watch_id != PR_INVALID_IO_LAYER)
		return 0;
	watch_id = PR_GetUniqueIdentity("nutsec-tls-watch");
	if (watch_id == PR_INVALID_IO_LAYER)
		return -1;
	watch_methods = *PR_GetDefaultIOMethods();
	watch_methods.send = watch_send;
	watch_methods.write = watch_write;
	watch_methods.close = watch_close;
	watch_methods.shutdown = watch_shutdown;
	return 0;
}

struct tls_conn *
tls_nss_wrap(int fd, PRFileDesc *model, char *err, size_t errlen)
{
	PRSocketOptionData nb;
	PRFileDesc *tcp = NULL, *watch = NULL, *ssl;
	struct tls_conn *c;
	int fl;

	if (!nss_up) {
		set_err(err, errlen, "TLS is not initialised");
		return NULL;
	}
	if ((fl = fcntl(fd, F_GETFL)) < 0) {
		set_err(err, errlen, "fd %d: %s", fd, strerror(errno));
		return NULL;
	}
	if (watch_setup() != 0 || (tcp = PR_ImportTCPSocket(fd)) == NULL) {
		set_err(err, errlen, "cannot hand the socket to NSPR");
		return NULL;
	}
	c = XNEW(struct tls_conn);
	c->fd = fd;
	nb.option = PR_SockOpt_Nonblocking;
	nb.value.non_blocking = (fl & O_NONBLOCK) ? PR_TRUE : PR_FALSE;
	if (PR_SetSocketOption(tcp, &nb) != PR_SUCCESS ||
	    (watch = PR_CreateIOLayerStub(watch_id, &watch_methods)) == NULL)
		goto fail;
	watch->secret = (PRFilePrivate *)(void *)c;
	if (PR_PushIOLayer(tcp, PR_TOP_IO_LAYER, watch) != PR_SUCCESS) {
		watch->dtor(watch);
		goto fail;
	}
	/* From here tcp is the top of the stack: watch over the socket. */
	if ((ssl = SSL_ImportFD(model, tcp)) == NULL)
		goto fail;
	if (model == NULL && tls_nss_harden(ssl) != 0) {
		/* The SSL layer is on the stack now: closing it closes the fd. */
		tls_nss_close_keep_fd(ssl);
		tcp = NULL;
		goto fail;
	}
	c->ssl = ssl;
	return c;
fail:
	{
		char words[TLS_ERR_MAX];

		nss_words(PR_GetError(), words, sizeof(words));
		set_err(err, errlen, "cannot start TLS on the socket: %s", words);
	}
	if (tcp != NULL) {
		/* Free NSPR's descriptors but leave the fd open: it is the caller's. */
		tls_nss_close_keep_fd(tcp);
	}
	tls_conn_release(c);
	return NULL;
}

/* ---- the server side of a connection --------------------------------- */

/* 1 if cert's extended key usage names clientAuth. */
static int
cert_has_clientauth(CERTCertificate *cert)
{
	SECItem ext = { siBuffer, NULL, 0 };
	CERTOidSequence *seq;
	int found = 0;
	SECItem **oid;

	if (CERT_FindCertExtension(cert, SEC_OID_X509_EXT_KEY_USAGE, &ext) != SECSuccess)
		return 0;
	seq = CERT_DecodeOidSequence(&ext);
	if (seq != NULL) {
		for (oid = seq->oids; oid != NULL && *oid != NULL && !found; oid++)
			found = SECOID_FindOIDTag(*oid) == SEC_OID_EXT_KEY_USAGE_CLIENT_AUTH;
		CERT_DestroyOidSequence(seq);
	}
	SECITEM_FreeItem(&ext, PR_FALSE);
	return found;
}

/*
 * NSS hands us the client's certificate. REQUEST: any certificate will do
 * (the handshake still proves the client holds its key). REQUIRE: valid
 * now, issued by a CA the database trusts for clients, and for clientAuth.
 */
static SECStatus
server_auth_cb(void *arg, PRFileDesc *fd, PRBool checksig, PRBool isserver)
{
	struct tls_conn *c = arg;
	CERTCertificate *cert = SSL_PeerCertificate(fd);
	SECStatus rc = SECFailure;
	const char *who;
	char when[64];

	if (cert == NULL) {
		PORT_SetError(SSL_ERROR_NO_CERTIFICATE);
		return SECFailure;
	}
	tls_conn_subject(c, cert->subjectName);
	who = c->subject != NULL ? c->subject : "";
	if (c->req != TLS_CERT_REQUIRE) {
		rc = SECSuccess;
		goto out;
	}
	switch (CERT_CheckCertValidTimes(cert, PR_Now(), PR_FALSE)) {
	case secCertTimeExpired:
		tls_nss_certtime(cert, 0, when, sizeof(when));
		tls_conn_seterr(c, "the client's certificate '%s' expired on %s", who, when);
		PORT_SetError(SEC_ERROR_EXPIRED_CERTIFICATE);
		goto out;
	case secCertTimeNotValidYet:
		tls_nss_certtime(cert, 1, when, sizeof(when));
		tls_conn_seterr(c, "the client's certificate '%s' is not valid before %s",
		    who, when);
		PORT_SetError(SEC_ERROR_EXPIRED_CERTIFICATE);
		goto out;
	default:
		break;
	}
	if (!cert_has_clientauth(cert)) {
		tls_conn_seterr(c, "the client's certificate '%s' is not for TLS clients "
		    "(no clientAuth extended key usage)", who);
		/* NSS answers its usage errors with the vague certificate_unknown
		   alert; the one code it answers with unsupported_certificate
		   (RFC 8446: "of an unsupported type") lets the client say why. */
		PORT_SetError(SEC_ERROR_LIBRARY_FAILURE);
		goto out;
	}
	if (CERT_VerifyCertificateNow(CERT_GetDefaultCertDB(), cert, checksig,
	    certificateUsageSSLClient, NULL, NULL) != SECSuccess) {
		PRErrorCode e = PR_GetError();
		char text[TLS_ERR_MAX];

		tls_nss_errtext(e, 0, text, sizeof(text));
		tls_conn_seterr(c, "%s: '%s'", text, who);
		PORT_SetError(e);
		goto out;
	}
	rc = SECSuccess;
out:
	CERT_DestroyCertificate(cert);
	return rc;
}

/*
 * NSS installs a traffic secret: keep the latest TLS 1.3 application
 * secrets (epoch 3 and up) for tls_rec_detach.
 */
static void
secret_cb(PRFileDesc *fd, PRUint16 epoch, SSLSecretDirection dir, PK11SymKey *secret,
    void *arg)
{
	struct tls_conn *c = arg;
	PK11SymKey **slot = dir == ssl_secret_read ? &c->sec_read : &c->sec_write;

	(void)fd;
	if (epoch < 3 || secret == NULL)
		return;
	if (*slot != NULL)
		PK11_FreeSymKey(*slot);
	*slot = PK11_ReferenceSymKey(secret);
}

struct tls_conn *
tls_server_new(int fd, char *err, size_t errlen)
{
	struct tls_conn *c;

	if (srv_model == NULL) {
		set_err(err, errlen, "the TLS server is not set up");
		return NULL;
	}
	if ((c = tls_nss_wrap(fd, srv_model, err, errlen)) == NULL)
		return NULL;
	c->req = model_req;
	if (SSL_AuthCertificateHook(c->ssl, server_auth_cb, c) != SECSuccess ||
	    SSL_BadCertHook(c->ssl, NULL, NULL) != SECSuccess ||
	    SSL_SecretCallback(c->ssl, secret_cb, c) != SECSuccess ||
	    SSL_ResetHandshake(c->ssl, PR_TRUE) != SECSuccess) {
		char words[TLS_ERR_MAX];

		nss_words(PR_GetError(), words, sizeof(words));
		set_err(err, errlen, "cannot start the TLS handshake: %s", words);
		/* Give the fd back to the caller: NSPR must not close it. */
		tls_nss_close_keep_fd(c->ssl);
		tls_conn_release(c);
		return NULL;
	}
	return c;
}

/* ---- both sides: handshake and I/O ------------------------------------ */

/* Version, suite and peer subject, once the handshake is done. */
static void
conn_finish(struct tls_conn *c)
{
	SSLChannelInfo ch;
	SSLCipherSuiteInfo cs;
	CERTCertificate *peer;

	c->done = 1;
	if (SSL_GetChannelInfo(c->ssl, &ch, sizeof(ch)) == SECSuccess) {
		switch (ch.protocolVersion) {
		case SSL_LIBRARY_VERSION_TLS_1_2:
			(void)str_copy(c->version, "TLSv1.2", sizeof(c->version));
			break;
		case SSL_LIBRARY_VERSION_TLS_1_3:
			(void)str_copy(c->version, "TLSv1.3", sizeof(c->version));
			break;
		default:
			(void)str_printf(c->version, sizeof(c->version), "0x%04x",
			    (unsigned)ch.protocolVersion);
			break;
		}
		c->suite = ch.cipherSuite;
		/* A name from NSS's static table of suites. */
		if (SSL_GetCipherSuiteInfo(ch.cipherSuite, &cs, sizeof(cs)) == SECSuccess)
			c->cipher = cs.cipherSuiteName;
	}
	if (c->subject == NULL && (peer = SSL_PeerCertificate(c->ssl)) != NULL) {
		tls_conn_subject(c, peer->subjectName);
		CERT_DestroyCertificate(peer);
	}
}

/*
 * After a failed NSS call: wait, or fail for good. Each call below clears
 * the error first: NSS sometimes fails without setting one (a TLS record
 * with an unexpected version), and a stale "would block" would then keep
 * a dead session open until the idle timeout.
 */
static enum tls_status
conn_blocked_or_fail(struct tls_conn *c)
{
	PRErrorCode e = PR_GetError();

	if (e == 0) {
		tls_conn_seterr(c, "the peer sent TLS data NSS refused (no reason given)");
		c->failed = 1;
		return TLS_FAILED;
	}
	if (e == PR_WOULD_BLOCK_ERROR)
		return c->wblocked ? TLS_WANT_WRITE : TLS_WANT_READ;
	tls_nss_fail(c, e);
	return TLS_FAILED;
}

enum tls_status
tls_handshake(struct tls_conn *c)
{
	if (c->failed)
		return TLS_FAILED;
	if (c->done)
		return TLS_OK;
	c->wblocked = 0;
	PR_SetError(0, 0);
	if (SSL_ForceHandshake(c->ssl) == SECSuccess) {
		/* NSS may still hold the end of our last flight. */
		if (c->wblocked)
			return TLS_WANT_WRITE;
		conn_finish(c);
		/* TLS 1.3 on the server: our record layer from here (tls_rec.c);
		   a session it does not take stays with NSS, as it was. */
		if (!c->is_client)
			(void)tls_rec_detach(c);
		return TLS_OK;
	}
	return conn_blocked_or_fail(c);
}

static PRInt32
clamp(size_t len)
{
	return len > INT_MAX ? INT_MAX : (PRInt32)len;
}

size_t
tls_read(struct tls_conn *c, void *buf, size_t len, enum tls_status *st)
{
	PRInt32 n;

	if (c->failed) {
		*st = TLS_FAILED;
		return 0;
	}
	if (c->rec != NULL)
		return tls_rec_read(c, buf, len, st);
	c->wblocked = 0;
	PR_SetError(0, 0);
	n = PR_Recv(c->ssl, buf, clamp(len), 0, PR_INTERVAL_NO_WAIT);
	if (n > 0) {
		*st = TLS_OK;
		return (size_t)n;
	}
	if (n == 0 && len > 0) {
		*st = TLS_CLOSED;
		return 0;
	}
	if (n == 0) {
		*st = TLS_OK;
		return 0;
	}
	*st = conn_blocked_or_fail(c);
	return 0;
}

size_t
tls_write(struct tls_conn *c, const void *buf, size_t len, enum tls_status *st)
{
	PRInt32 n;

	if (c->failed) {
		*st = TLS_FAILED;
		return 0;
	}
	if (c->rec != NULL)
		return tls_rec_write(c, buf, len, st);
	c->wblocked = 0;
	PR_SetError(0, 0);
	n = PR_Send(c->ssl, buf, clamp(len), 0, PR_INTERVAL_NO_WAIT);
	if (n >= 0) {
		/* Accepted, but part of it may wait inside NSS for the socket. */
		*st = c->wblocked ? TLS_WANT_WRITE : TLS_OK;
		return (size_t)n;
	}
	*st = conn_blocked_or_fail(c);
	return 0;
}

size_t
tls_pending(const struct tls_conn *c)
{
	int n;

	if (c->failed)
		return 0;
	if (c->rec != NULL)
		return tls_rec_pending(c);
	n = SSL_DataPending(c->ssl);
	return n > 0 ? (size_t)n : 0;
}

size_t
tls_buffered(const struct tls_conn *c)
{
	return c->rec != NULL ? tls_rec_buffered(c) : 0;
}

const char *
tls_error(const struct tls_conn *c)
{
	return c->err[0] != '\0' ? c->err : "no error";
}

const char *
tls_version(const struct tls_conn *c)
{
	return c->done ? c->version : "";
}

const char *
tls_cipher(const struct tls_conn *c)
{
	return c->done && c->cipher != NULL ? c->cipher : "";
}

const char *
tls_peer_subject(const struct tls_conn *c)
{
	return c->subject;
}

void
tls_conn_subject(struct tls_conn *c, const char *s)
{
	free(c->subject);
	c->subject = s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

void
tls_conn_release(struct tls_conn *c)
{
	if (c == NULL)
		return;
	free(c->subject);
	free(c->expect);
	free(c->certident);
	free(c);
}

/* 1 when name is the distinguished name dn (compared as names, not text). */
static int
name_is(const CERTName *name, const char *dn)
{
	CERTName *want = CERT_AsciiToName(dn);
	int same;

	if (want == NULL)
		return 0;
	same = CERT_CompareName(name, want) == SECEqual;
	CERT_DestroyName(want);
	return same;
}

int
tls_dn_valid(const char *dn)
{
	CERTName *n = CERT_AsciiToName(dn);

	if (n == NULL)
		return 0;
	CERT_DestroyName(n);
	return 1;
}

/*
 * 1 when a CA certificate of upsd's own database with cert's issuer name
 * signed cert. A name alone proves little: any CA trusted for clients may
 * sign an intermediate carrying another CA's name, which the client then
 * sends along; such a certificate is only in memory (not isperm), and its
 * key is not the database CA's.
 */
static int
signed_by_db_ca(CERTCertificate *cert)
{
	CERTCertList *list = CERT_CreateSubjectCertList(NULL, CERT_GetDefaultCertDB(),
	    &cert->derIssuer, PR_Now(), PR_FALSE);
	CERTCertListNode *n;
	int ok = 0;

	if (list == NULL)
		return 0;
	for (n = CERT_LIST_HEAD(list); !CERT_LIST_END(n, list) && !ok; n = CERT_LIST_NEXT(n))
		ok = n->cert->isperm && CERT_VerifySignedData(&cert->signatureWrap, n->cert,
		    PR_Now(), NULL) == SECSuccess;
	CERT_DestroyCertList(list);
	return ok;
}

int
tls_peer_cert_is(const struct tls_conn *c, const char *subject, const char *issuer)
{
	CERTCertificate *peer;
	int same = 0;

	if (!c->done || c->failed || subject == NULL)
		return 0;
	if ((peer = tls_nss_peer_cert(c)) != NULL) {
		same = name_is(&peer->subject, subject) && (issuer == NULL ||
		    (name_is(&peer->issuer, issuer) && signed_by_db_ca(peer)));
		CERT_DestroyCertificate(peer);
	}
	return same;
}

char *
tls_peer_issuer(const struct tls_conn *c)
{
	CERTCertificate *peer;
	char *s, *out = NULL;

	if (!c->done || c->failed || (peer = tls_nss_peer_cert(c)) == NULL)
		return NULL;
	if ((s = CERT_NameToAscii(&peer->issuer)) != NULL) {
		out = xstrdup(s);
		PORT_Free(s);
	}
	CERT_DestroyCertificate(peer);
	return out;
}

int
tls_can_rest(const struct tls_conn *c)
{
	return c != NULL && c->rec != NULL && !c->failed;
}

void
tls_rest(struct tls_conn *c)
{
	if (c != NULL && c->rec != NULL && !c->failed)
		tls_rec_rest(c);
}

CERTCertificate *
tls_nss_peer_cert(const struct tls_conn *c)
{
	if (c->rec != NULL)
		return c->peer != NULL ? CERT_DupCertificate(c->peer) : NULL;
	return c->ssl != NULL ? SSL_PeerCertificate(c->ssl) : NULL;
}

int
tls_fd(const struct tls_conn *c)
{
	return c->fd;
}

void
tls_free(struct tls_conn *c)
{
	if (c == NULL)
		return;
	/* Sends close_notify after a finished handshake (best effort), closes the fd. */
	if (c->rec != NULL)
		tls_rec_free(c);
	else
		PR_Close(c->ssl);
	if (c->sec_read != NULL)
		PK11_FreeSymKey(c->sec_read);
	if (c->sec_write != NULL)
		PK11_FreeSymKey(c->sec_write);
	if (c->peer != NULL)
		CERT_DestroyCertificate(c->peer);
	tls_conn_release(c);
}
