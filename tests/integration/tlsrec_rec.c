/*
 * nutsec tests - tlsrec_rec.c: tlsrec's own TLS 1.3 record layer, written
 * from RFC 8446 alone (it shares nothing with upsd). NSS makes the
 * handshake on the socket and gives its epoch-3 traffic secrets through
 * SSL_SecretCallback; from then on the NSS socket stays open but unused
 * (closing it would make NSS send a close_notify), and records go over the
 * bare socket:
 *   TLSCiphertext = 0x17 0x03 0x03 length(2) AEAD(inner), AAD = the header
 *   inner = content || type || zero padding                     (5.2, 5.4)
 *   nonce = iv XOR the 64-bit sequence number of that direction   (5.3)
 *   KeyUpdate: secret' = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length),
 *   new key and iv, the sequence number back to 0              (7.2, 4.6.3)
 * Everything the server sends is checked against the same rules: outer
 * type and version, the length limits, a non-zero content type, alerts of
 * exactly two bytes, a KeyUpdate ending its record.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cert.h>
#include <nspr.h>
#include <private/pprio.h>
#include <prerror.h>
#include <sslproto.h>

#include "tlsrec.h"

static int
seterr(struct tr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets t->err (the first message wins); returns -1. */
static int
seterr(struct tr *t, const char *fmt, ...)
{
	va_list ap;

	if (t->err[0] != '\0')
		return -1;
	va_start(ap, fmt);
	if (vsnprintf(t->err, sizeof(t->err), fmt, ap) < 0)
		t->err[0] = '\0';
	va_end(ap);
	return -1;
}

static const char *
nss_err(void)
{
	PRErrorCode e = PR_GetError();
	const char *n = PR_ErrorToName(e);

	return n != NULL ? n : "unknown NSS error";
}

const char *
tr_alert_name(int desc)
{
	switch (desc) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 22: return "record_overflow";
	case 40: return "handshake_failure";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 49: return "access_denied";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 86: return "inappropriate_fallback";
	case 90: return "user_canceled";
	case 109: return "missing_extension";
	case 110: return "unsupported_extension";
	case 116: return "certificate_required";
	default: return "unknown alert";
	}
}

void
tr_sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- plaintext part: TCP and STARTTLS ------------------------------- */

int
tr_connect(struct tr *t, const char *host, int port, int rcvbuf)
{
	struct sockaddr_in sa;
	int one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return seterr(t, "%s: not an IPv4 address", host);
	if ((t->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return seterr(t, "socket: %s", strerror(errno));
	/* a small receive window makes the server wait for us (backpressure) */
	if (rcvbuf > 0 && setsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0)
		return seterr(t, "SO_RCVBUF: %s", strerror(errno));
	/* every write of ours leaves at once: records cut in pieces stay cut */
	if (setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		return seterr(t, "TCP_NODELAY: %s", strerror(errno));
	if (connect(t->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return seterr(t, "connect %s:%d: %s", host, port, strerror(errno));
	t->alert_level = t->alert_desc = -1;
	return 0;
}

int
tr_starttls(struct tr *t)
{
	char line[128];
	size_t n = 0;

	if (tr_send(t, "STARTTLS\n", 9) != 0)
		return -1;
	/* one byte at a time: nothing of the handshake may be read here */
	while (n < sizeof(line) - 1) {
		ssize_t k = recv(t->fd, line + n, 1, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return seterr(t, "STARTTLS: connection closed before the reply");
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	if (strcmp(line, "OK STARTTLS") != 0)
		return seterr(t, "STARTTLS answered '%s', not 'OK STARTTLS'", line);
	return 0;
}

/* ---- the handshake, by NSS ------------------------------------------- */

static void
secret_cb(PRFileDesc *fd, PRUint16 epoch, SSLSecretDirection dir, PK11SymKey *secret,
    void *arg)
{
	struct tr *t = arg;
	PK11SymKey **slot = dir == ssl_secret_read ? &t->rsec : &t->wsec;

	if (epoch != 3)
		return;		/* handshake keys: NSS's business */
	if (*slot != NULL)
		PK11_FreeSymKey(*slot);
	*slot = PK11_ReferenceSymKey(secret);
	t->secrets_seen++;
}

static SECStatus
accept_any_cert(void *arg, PRFileDesc *fd, PRBool checksig, PRBool isserver)
{
	return SECSuccess;	/* the test is about records, not about trust */
}

/* only the TLS 1.3 suite named (aes128, aes256, chacha20), if one is */
static int
pick_suite(struct tr *t, PRFileDesc *fd, const char *name)
{
	static const struct { const char *name; PRUint16 id; } s13[] = {
		{ "aes128", TLS_AES_128_GCM_SHA256 },
		{ "aes256", TLS_AES_256_GCM_SHA384 },
		{ "chacha20", TLS_CHACHA20_POLY1305_SHA256 },
	};
	size_t i;
	int found = 0;

	if (name == NULL)
		return 0;
	for (i = 0; i < sizeof(s13) / sizeof(s13[0]); i++)
		found |= strcmp(name, s13[i].name) == 0;
	if (!found)
		return seterr(t, "unknown suite '%s' (aes128, aes256, chacha20)", name);
	for (i = 0; i < sizeof(s13) / sizeof(s13[0]); i++)
		if (SSL_CipherPrefSet(fd, s13[i].id, strcmp(name, s13[i].name) == 0) != SECSuccess)
			return seterr(t, "SSL_CipherPrefSet: %s", nss_err());
	return 0;
}

int
tr_handshake(struct tr *t, int tls12, const char *suite)
{
	SSLVersionRange vr = { SSL_LIBRARY_VERSION_TLS_1_3, SSL_LIBRARY_VERSION_TLS_1_3 };
	SSLChannelInfo ci;
	SSLCipherSuiteInfo si;
	PRFileDesc *tcp, *ssl;

	if (tls12)
		vr.min = vr.max = SSL_LIBRARY_VERSION_TLS_1_2;
	if (NSS_NoDB_Init(NULL) != SECSuccess || NSS_SetDomesticPolicy() != SECSuccess)
		return seterr(t, "NSS_NoDB_Init: %s", nss_err());
	if ((tcp = PR_ImportTCPSocket(t->fd)) == NULL)
		return seterr(t, "PR_ImportTCPSocket: %s", nss_err());
	if ((ssl = SSL_ImportFD(NULL, tcp)) == NULL)
		return seterr(t, "SSL_ImportFD: %s", nss_err());
	t->ssl = ssl;
	if (SSL_OptionSet(ssl, SSL_SECURITY, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(ssl, SSL_HANDSHAKE_AS_CLIENT, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(ssl, SSL_NO_CACHE, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(ssl, SSL_ENABLE_SESSION_TICKETS, PR_FALSE) != SECSuccess ||
	    SSL_VersionRangeSet(ssl, &vr) != SECSuccess ||
	    SSL_AuthCertificateHook(ssl, accept_any_cert, NULL) != SECSuccess ||
	    SSL_SetURL(ssl, "localhost") != SECSuccess ||
	    SSL_SecretCallback(ssl, secret_cb, t) != SECSuccess ||
	    pick_suite(t, ssl, suite) != 0 ||
	    SSL_ResetHandshake(ssl, PR_FALSE) != SECSuccess)
		return seterr(t, "NSS client set-up: %s", nss_err());
	if (SSL_ForceHandshakeWithTimeout(ssl, PR_SecondsToInterval(10)) != SECSuccess)
		return seterr(t, "handshake failed: %s", nss_err());
	if (SSL_GetChannelInfo(ssl, &ci, sizeof(ci)) != SECSuccess ||
	    SSL_GetCipherSuiteInfo(ci.cipherSuite, &si, sizeof(si)) != SECSuccess)
		return seterr(t, "SSL_GetChannelInfo: %s", nss_err());
	t->version = ci.protocolVersion;
	t->suite = ci.cipherSuite;
	snprintf(t->suite_name, sizeof(t->suite_name), "%s", si.cipherSuiteName);
	if (t->version != vr.max)
		return seterr(t, "negotiated version 0x%04x, wanted 0x%04x", t->version, vr.max);
	if (PR_FileDesc2NativeHandle(ssl) != t->fd)
		return seterr(t, "NSS's socket is not ours (fd %d, NSS %d)", t->fd,
		    (int)PR_FileDesc2NativeHandle(ssl));
	if (tls12)
		return 0;
	/* NSS read nothing past the handshake (it reads record by record) */
	if (SSL_DataPending(ssl) != 0)
		return seterr(t, "NSS holds %d byte(s) of application data after the handshake",
		    SSL_DataPending(ssl));
	if (t->rsec == NULL || t->wsec == NULL || t->secrets_seen != 2)
		return seterr(t, "NSS gave %u application secret(s), wanted a read and a write one",
		    t->secrets_seen);
	if (SSL_MakeAead(SSL_LIBRARY_VERSION_TLS_1_3, t->suite, t->rsec, "", 0, &t->rctx) !=
	    SECSuccess ||
	    SSL_MakeAead(SSL_LIBRARY_VERSION_TLS_1_3, t->suite, t->wsec, "", 0, &t->wctx) !=
	    SECSuccess)
		return seterr(t, "SSL_MakeAead: %s", nss_err());
	return 0;
}

/* Nothing arrives from the server within ms (a NewSessionTicket or any
 * other record right after the handshake would shift our read sequence). */
int
tr_quiet(struct tr *t, int ms)
{
	struct pollfd p = { t->fd, POLLIN, 0 };
	unsigned char b[TR_HDR];
	ssize_t k;

	if (poll(&p, 1, ms) == 0)
		return 0;
	k = recv(t->fd, b, sizeof(b), MSG_PEEK | MSG_DONTWAIT);
	if (k <= 0)
		return seterr(t, "the server closed the connection right after the handshake");
	return seterr(t, "the server sent something right after the handshake "
	    "(record type %u, %zd byte(s) seen): upsd must send no NewSessionTicket",
	    b[0], k);
}

/* ---- keys ---------------------------------------------------------- */

/* secret' = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length);
 * a new key and iv from it, the sequence number back to 0 */
static int
next_key(struct tr *t, PK11SymKey **sec, SSLAeadContext **ctx, uint64_t *seq)
{
	PK11SymKey *next = NULL;
	SSLAeadContext *nctx = NULL;

	if (SSL_HkdfExpandLabel(SSL_LIBRARY_VERSION_TLS_1_3, t->suite, *sec, NULL, 0,
	    "traffic upd", 11, &next) != SECSuccess)
		return seterr(t, "SSL_HkdfExpandLabel: %s", nss_err());
	if (SSL_MakeAead(SSL_LIBRARY_VERSION_TLS_1_3, t->suite, next, "", 0, &nctx) !=
	    SECSuccess) {
		PK11_FreeSymKey(next);
		return seterr(t, "SSL_MakeAead: %s", nss_err());
	}
	SSL_DestroyAead(*ctx);
	PK11_FreeSymKey(*sec);
	*sec = next;
	*ctx = nctx;
	*seq = 0;
	return 0;
}

int
tr_wkey_update(struct tr *t)
{
	if (next_key(t, &t->wsec, &t->wctx, &t->wseq) != 0)
		return -1;
	t->wgen++;
	return 0;
}

/* ---- sending --------------------------------------------------------- */

size_t
tr_seal(struct tr *t, const struct tr_rec *r, unsigned char *out, size_t cap)
{
	static unsigned char inner[TR_PLAIN_MAX + 2048];
	size_t ilen = r->len + 1 + r->pad;
	unsigned olen = 0;

	if (ilen > sizeof(inner) || cap < TR_HDR + ilen + TR_TAG) {
		seterr(t, "record of %zu byte(s) too big for the test's buffers", ilen);
		return 0;
	}
	if (r->len > 0)
		memcpy(inner, r->data, r->len);
	inner[r->len] = (unsigned char)r->type;
	memset(inner + r->len + 1, 0, r->pad);
	out[0] = (unsigned char)(r->outer != 0 ? r->outer : TR_CT_APP);
	out[1] = (unsigned char)((r->ver != 0 ? r->ver : 0x0303) >> 8);
	out[2] = (unsigned char)((r->ver != 0 ? r->ver : 0x0303) & 0xff);
	out[3] = (unsigned char)((ilen + TR_TAG) >> 8);
	out[4] = (unsigned char)((ilen + TR_TAG) & 0xff);
	if (SSL_AeadEncrypt(t->wctx, t->wseq, out, TR_HDR, inner, (unsigned)ilen,
	    out + TR_HDR, &olen, (unsigned)(cap - TR_HDR)) != SECSuccess) {
		seterr(t, "SSL_AeadEncrypt: %s", nss_err());
		return 0;
	}
	if (olen != ilen + TR_TAG) {
		seterr(t, "SSL_AeadEncrypt gave %u byte(s) for %zu", olen, ilen);
		return 0;
	}
	t->wseq++;
	return TR_HDR + olen;
}

int
tr_send(struct tr *t, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t k = send(t->fd, p, len, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			struct pollfd pf = { t->fd, POLLOUT, 0 };

			if (poll(&pf, 1, 10000) <= 0)
				return seterr(t, "send: the server took nothing for 10 s");
			continue;
		}
		if (k < 0)
			return seterr(t, "send: %s", strerror(errno));
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

int
tr_send_rec(struct tr *t, int type, const void *data, size_t len, size_t pad)
{
	static unsigned char rec[TR_REC_BUF];
	struct tr_rec r = { type, data, len, pad, 0, 0 };
	size_t n = tr_seal(t, &r, rec, sizeof(rec));

	return n == 0 ? -1 : tr_send(t, rec, n);
}

/* ---- receiving ------------------------------------------------------- */

/* t->raw holds at least n bytes: 1, 0 on EOF, or a TR_EV_ error */
static int
fill(struct tr *t, size_t n, long long deadline)
{
	while (t->rawlen < n) {
		struct pollfd p = { t->fd, POLLIN, 0 };
		long long left = deadline - now_ms();
		size_t want = sizeof(t->raw) - t->rawlen;
		ssize_t k;
		int r;

		if (left <= 0)
			return TR_EV_TIMEOUT;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return seterr(t, "poll: %s", strerror(errno)), TR_EV_RESET;
		if (r == 0)
			return TR_EV_TIMEOUT;
		if (t->rd_chunk > 0 && want > t->rd_chunk)
			want = t->rd_chunk;
		k = recv(t->fd, t->raw + t->rawlen, want, MSG_DONTWAIT);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0) {
			if (errno != ECONNRESET)
				seterr(t, "recv: %s", strerror(errno));
			return TR_EV_RESET;
		}
		if (k == 0)
			return 0;
		t->rawlen += (size_t)k;
		if (t->rd_sleep_ms > 0)
			tr_sleep_ms(t->rd_sleep_ms);
	}
	return 1;
}

static int
app_append(struct tr *t, const unsigned char *p, size_t n)
{
	if (t->applen + n > t->appcap) {
		size_t cap = (t->applen + n) * 2 + 4096;
		unsigned char *np = realloc(t->app, cap);

		if (np == NULL)
			return seterr(t, "out of memory");
		t->app = np;
		t->appcap = cap;
	}
	memcpy(t->app + t->applen, p, n);
	t->applen += n;
	return 0;
}

/* The server's handshake bytes of one record (rest: bytes of that record
 * after this fragment, always 0 here: one content type per record).
 * Only KeyUpdate may come: upsd sends no tickets and asks for no
 * post-handshake authentication. */
static int
server_handshake(struct tr *t, const unsigned char *p, size_t n)
{
	if (n == 0)
		return seterr(t, "the server sent a zero-length handshake record (RFC 8446 5.1: MUST NOT)");
	if (t->hslen + n > sizeof(t->hs))
		return seterr(t, "the server sent a handshake message of more than %zu bytes",
		    sizeof(t->hs));
	memcpy(t->hs + t->hslen, p, n);
	t->hslen += n;
	while (t->hslen >= 4) {
		size_t mlen = (size_t)t->hs[1] << 16 | (size_t)t->hs[2] << 8 | t->hs[3];

		if (t->hs[0] != TR_HS_KEY_UPDATE)
			return seterr(t, "the server sent handshake message type %u after the "
			    "handshake%s", t->hs[0], t->hs[0] == TR_HS_NST ?
			    " (a NewSessionTicket: upsd disables tickets)" : "");
		if (mlen != 1)
			return seterr(t, "the server sent a KeyUpdate of length %zu", mlen);
		if (t->hslen < 5)
			break;
		if (t->hs[4] > 1)
			return seterr(t, "the server sent a KeyUpdate with request_update %u", t->hs[4]);
		if (t->hslen > 5)
			return seterr(t, "the server's KeyUpdate does not end its record "
			    "(RFC 8446 5.1: it must align with a record boundary)");
		if (t->hs[4] == 1)
			t->ku_owed = 1;
		t->hslen = 0;
		t->n_ku_in++;
		if (next_key(t, &t->rsec, &t->rctx, &t->rseq) != 0)
			return -1;
		t->rgen++;
	}
	return 0;
}

int
tr_read_record(struct tr *t, int timeout_ms)
{
	static unsigned char plain[TR_CIPHER_MAX];
	long long deadline = now_ms() + timeout_ms;
	unsigned olen = 0;
	size_t len, i;
	int r;

	if ((r = fill(t, TR_HDR, deadline)) != 1) {
		if (r == 0 && t->rawlen > 0)
			return seterr(t, "the server closed in the middle of a record header"), TR_EV_BAD;
		return r;
	}
	len = (size_t)t->raw[3] << 8 | t->raw[4];
	if (t->raw[0] != TR_CT_APP)
		return seterr(t, "the server sent a record of outer type %u (protected records "
		    "are 23)%s", t->raw[0], t->raw[0] == TR_CT_ALERT ? ": a plaintext alert" : ""),
		    TR_EV_BAD;
	if (t->raw[1] != 3 || t->raw[2] != 3)
		return seterr(t, "the server's record version is 0x%02x%02x, not 0x0303",
		    t->raw[1], t->raw[2]), TR_EV_BAD;
	if (len > TR_CIPHER_MAX)
		return seterr(t, "the server sent a record of %zu bytes (> 2^14 + 256)", len),
		    TR_EV_BAD;
	if (len < TR_TAG + 1)
		return seterr(t, "the server sent a record of %zu bytes (too short)", len), TR_EV_BAD;
	if ((r = fill(t, TR_HDR + len, deadline)) != 1) {
		if (r == 0)
			return seterr(t, "the server closed in the middle of a record"), TR_EV_BAD;
		return r;
	}
	if (SSL_AeadDecrypt(t->rctx, t->rseq, t->raw, TR_HDR, t->raw + TR_HDR, (unsigned)len,
	    plain, &olen, sizeof(plain)) != SECSuccess)
		return seterr(t, "record %u of the server (sequence %llu, key generation %u) "
		    "does not decrypt: %s", t->n_in, (unsigned long long)t->rseq, t->rgen,
		    nss_err()), TR_EV_BAD;
	t->rseq++;
	t->n_in++;
	memmove(t->raw, t->raw + TR_HDR + len, t->rawlen - TR_HDR - len);
	t->rawlen -= TR_HDR + len;
	if (olen > t->max_inner_in)
		t->max_inner_in = olen;
	if (olen > TR_INNER_MAX)
		return seterr(t, "the server's inner plaintext is %u bytes (> 2^14 + 1)", olen),
		    TR_EV_BAD;
	for (i = olen; i > 0 && plain[i - 1] == 0; i--)
		;
	if (i == 0)
		return seterr(t, "the server sent a record with no content type (all zeros)"),
		    TR_EV_BAD;
	i--;			/* plain[i]: the type; plain[0..i): the content */
	if (t->hslen > 0 && plain[i] != TR_CT_HS)
		return seterr(t, "the server interleaved a record of type %u with a split "
		    "handshake message", plain[i]), TR_EV_BAD;
	switch (plain[i]) {
	case TR_CT_APP:
		t->n_app_in++;
		return app_append(t, plain, i) != 0 ? TR_EV_BAD : TR_EV_APP;
	case TR_CT_HS:
		return server_handshake(t, plain, i) != 0 ? TR_EV_BAD : TR_EV_HS;
	case TR_CT_ALERT:
		if (i != 2)
			return seterr(t, "the server sent an alert record of %zu bytes", i), TR_EV_BAD;
		t->alert_level = plain[0];
		t->alert_desc = plain[1];
		return TR_EV_ALERT;
	default:
		return seterr(t, "the server sent a record of inner type %u", plain[i]), TR_EV_BAD;
	}
}

/* ---- TLS 1.2: NSS does the records --------------------------------- */

int
tr_nss_write(struct tr *t, const char *s)
{
	size_t n = strlen(s);

	if (PR_Write(t->ssl, s, (PRInt32)n) != (PRInt32)n)
		return seterr(t, "PR_Write: %s", nss_err());
	return 0;
}

/* a piece of application data into t->app: 1, 0 on EOF, TR_EV_ error */
int
tr_nss_read(struct tr *t, int timeout_ms)
{
	unsigned char b[4096];
	PRInt32 k = PR_Recv(t->ssl, b, sizeof(b), 0, PR_MillisecondsToInterval(timeout_ms));

	if (k < 0) {
		if (PR_GetError() == PR_IO_TIMEOUT_ERROR)
			return TR_EV_TIMEOUT;
		return seterr(t, "PR_Recv: %s", nss_err()), TR_EV_RESET;
	}
	if (k == 0)
		return 0;
	return app_append(t, b, (size_t)k) != 0 ? TR_EV_BAD : 1;
}
