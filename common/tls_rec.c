/*
 * nutsec - tls_rec.c: the TLS 1.3 record layer of an established server
 * session, after NSS has done the handshake.
 *
 * Why: NSS keeps its whole socket (about 22 kB) and the handshake's key
 * schedule (about 32 kB of PKCS #11 objects) for as long as a session
 * lives, and an idle upsmon session lives for weeks. Once a TLS 1.3
 * handshake is complete, all a session needs is the two application
 * traffic secrets, the cipher suite and two sequence numbers (RFC 8446,
 * section 5). tls_nss.c collects the secrets as NSS installs them
 * (SSL_SecretCallback); tls_rec_detach builds one AEAD per direction with
 * NSS's own primitive (SSL_MakeAead: the "key" and "iv" of the RFC's key
 * schedule, and its nonce construction), closes the NSS socket, and from
 * then on this file protects and checks the records. The cryptography is
 * still NSS's; what is ours is the framing, the sequence numbers, the
 * KeyUpdate message and the alerts, each checked as the RFC says.
 *
 * Receiving: only application_data records (outer type 23) of at most
 * 2^14 + 256 bytes; the inner plaintext is unpadded and typed; data
 * (type 23), a KeyUpdate (type 22, possibly in fragments, ending its
 * record) or an alert (type 21, two bytes, one per record). Anything else
 * ends the session with the RFC's alert. Sending: records of at most 2^14
 * bytes of data, no padding; the KeyUpdate the peer asked for goes out
 * before our next data, and our own before 2^23 records under one key.
 *
 * Buffers exist only while needed: an idle session holds none. upsd is
 * one thread, so the sealing area is static.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cert.h>
#include <nspr.h>
#include <pk11pub.h>
#include <private/pprio.h>
#include <ssl.h>
#include <sslexp.h>
#include <sslproto.h>

#include "secret.h"
#include "xmalloc.h"

#include "tls.h"
#include "tls_nss_int.h"

#define REC_HDR		5
#define REC_MAX_DATA	16384u			/* 2^14: largest inner content */
#define REC_MAX_CT	(REC_MAX_DATA + 256u)	/* largest protected part */
#define REC_TAG		16u			/* every suite we take over */
#define REC_REKEY_AT	(1ull << 23)		/* our records per write key */
#define REC_READ_LIMIT	(1ull << 48)		/* the peer's, before we give up */
/*
 * Records that bring no application data (empty ones, KeyUpdates, a
 * user_canceled warning): at most REC_TURN of them are opened in one call,
 * so that a peer sending nothing else cannot keep upsd's one loop to itself
 * (the caller is woken again for the rest); and at most REC_IDLE_RUN in a
 * row, so that it cannot make upsd derive keys for nothing for long (a
 * KeyUpdate costs some 15 us). The RFC sets no number; BoringSSL allows
 * 32 of each kind, we are laxer with the run so that a client may send a
 * hundred KeyUpdates at once.
 */
#define REC_TURN	32u
#define REC_IDLE_RUN	256u
_Static_assert(REC_IDLE_RUN == 256u, "open_record's message names the limit");

enum { CT_ALERT = 21, CT_HANDSHAKE = 22, CT_DATA = 23 };
enum { HS_KEY_UPDATE = 24 };
enum {
	AL_CLOSE_NOTIFY = 0, AL_UNEXPECTED_MESSAGE = 10, AL_BAD_RECORD_MAC = 20,
	AL_RECORD_OVERFLOW = 22, AL_ILLEGAL_PARAMETER = 47, AL_DECODE_ERROR = 50,
	AL_INTERNAL_ERROR = 80, AL_USER_CANCELED = 90
};

/*
 * A traffic secret as bytes (at most SHA-384's 48): a PKCS #11 key object
 * costs the softoken about 5 kB, and it is needed only at a KeyUpdate.
 */
struct rec_secret {
	unsigned char b[48];
	unsigned len;
};

struct tls_rec {
	SSLAeadContext *rd, *wr;	/* one per direction */
	struct rec_secret rsec, wsec;	/* their traffic secrets, for KeyUpdate */
	PRUint16 suite;
	PRUint64 rseq, wseq;		/* next record number, per direction */
	unsigned char *in;		/* received, not yet opened: REC_HDR + REC_MAX_CT */
	size_t in_off, in_len;
	unsigned char *pt;		/* opened data the caller had no room for */
	size_t pt_off, pt_len;
	unsigned char *out;		/* sealed, not yet taken by the socket */
	size_t out_off, out_len;
	unsigned char hs[5];		/* a KeyUpdate arriving in fragments */
	size_t hs_len;
	int answer_update;		/* the peer asked for our KeyUpdate */
	unsigned idle_run;		/* records without data since the last with */
	int peer_closed;		/* its close_notify arrived */
	int sent_close;			/* ours went out (or must not) */
};

/* Sealing area: header, content, inner type, tag. */
static unsigned char seal_ct[REC_HDR + REC_MAX_DATA + 1 + REC_TAG];
static unsigned char seal_pt[REC_MAX_DATA + 1];

static const char *
alert_name(unsigned d)
{
	switch (d) {
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
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 80: return "internal_error";
	case 90: return "user_canceled";
	case 109: return "missing_extension";
	case 110: return "unsupported_extension";
	default: return "unknown alert";
	}
}

/* ---- keys ------------------------------------------------------------- */

static int
suite_known(PRUint16 suite)
{
	return suite == TLS_AES_128_GCM_SHA256 || suite == TLS_AES_256_GCM_SHA384 ||
	    suite == TLS_CHACHA20_POLY1305_SHA256;
}

static SSLAeadContext *
aead_for(PRUint16 suite, PK11SymKey *secret)
{
	SSLAeadContext *a = NULL;

	/* An empty prefix: HKDF-Expand-Label(secret, "key" / "iv", "", len). */
	if (SSL_MakeAead(SSL_LIBRARY_VERSION_TLS_1_3, suite, secret, "", 0, &a) != SECSuccess)
		return NULL;
	return a;
}

/* The bytes of a secret NSS made; 0, or -1 (a key NSS will not show, as in
 * FIPS mode: the session then stays with NSS). */
static int
secret_save(PK11SymKey *key, struct rec_secret *out)
{
	SECItem *v;

	if (PK11_ExtractKeyValue(key) != SECSuccess || (v = PK11_GetKeyData(key)) == NULL ||
	    v->len == 0 || v->len > sizeof(out->b))
		return -1;
	memcpy(out->b, v->data, v->len);
	out->len = v->len;
	return 0;
}

/* A saved secret as a key NSS can derive from again, or NULL. */
static PK11SymKey *
secret_key(const struct rec_secret *secret)
{
	SECItem item = { siBuffer, (unsigned char *)secret->b, secret->len };
	PK11SlotInfo *slot = PK11_GetInternalSlot();
	PK11SymKey *key;

	if (slot == NULL)
		return NULL;
	key = PK11_ImportSymKey(slot, CKM_HKDF_DERIVE, PK11_OriginUnwrap, CKA_DERIVE, &item, NULL);
	PK11_FreeSlot(slot);
	return key;
}

/* RFC 8446 7.2: the next traffic secret and its AEAD; a sequence restarts. */
static int
next_key(PRUint16 suite, struct rec_secret *secret, SSLAeadContext **aead)
{
	static const char label[] = "traffic upd";
	PK11SymKey *cur = secret_key(secret), *next = NULL;
	SSLAeadContext *a = NULL;
	struct rec_secret ns;
	int rc = -1;

	if (cur == NULL || SSL_HkdfExpandLabel(SSL_LIBRARY_VERSION_TLS_1_3, suite, cur, NULL, 0,
	    label, sizeof(label) - 1, &next) != SECSuccess ||
	    secret_save(next, &ns) != 0 || (a = aead_for(suite, next)) == NULL)
		goto out;
	SSL_DestroyAead(*aead);
	*aead = a;
	*secret = ns;
	rc = 0;
out:
	secret_clear(&ns, sizeof(ns));
	if (next != NULL)
		PK11_FreeSymKey(next);
	if (cur != NULL)
		PK11_FreeSymKey(cur);
	return rc;
}

/* ---- sending ---------------------------------------------------------- */

/*
 * The AEAD of a direction, made again from the secret's bytes after
 * tls_rec_rest let it go. 0, or -1.
 */
static int
aead_ready(PRUint16 suite, const struct rec_secret *secret, SSLAeadContext **aead)
{
	PK11SymKey *key;

	if (*aead != NULL)
		return 0;
	if ((key = secret_key(secret)) == NULL)
		return -1;
	*aead = aead_for(suite, key);
	PK11_FreeSymKey(key);
	return *aead != NULL ? 0 : -1;
}

/* Seals one record of inner type `type` into seal_ct; its length, or 0. */
static size_t
seal(struct tls_rec *r, unsigned type, const void *data, size_t len)
{
	size_t inner = len + 1, total = REC_HDR + inner + REC_TAG;
	unsigned int outlen = 0;

	if (aead_ready(r->suite, &r->wsec, &r->wr) != 0)
		return 0;

	seal_ct[0] = CT_DATA;
	seal_ct[1] = 0x03;
	seal_ct[2] = 0x03;
	seal_ct[3] = (unsigned char)((inner + REC_TAG) >> 8);
	seal_ct[4] = (unsigned char)(inner + REC_TAG);
	if (len > 0)
		memcpy(seal_pt, data, len);
	seal_pt[len] = (unsigned char)type;
	if (SSL_AeadEncrypt(r->wr, r->wseq, seal_ct, REC_HDR, seal_pt, (unsigned)inner,
	    seal_ct + REC_HDR, &outlen, (unsigned)(sizeof(seal_ct) - REC_HDR)) != SECSuccess ||
	    outlen != inner + REC_TAG) {
		secret_clear(seal_pt, inner);
		return 0;
	}
	secret_clear(seal_pt, inner);
	r->wseq++;
	return total;
}

/*
 * Sends p[0..len) until done or the socket is full: the count sent, or -1
 * (an error, in c->err).
 */
static ssize_t
push(struct tls_conn *c, const unsigned char *p, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(c->fd, p + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			tls_conn_seterr(c, "cannot send to the peer: %s",
			    n < 0 ? strerror(errno) : "no progress");
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Pushes queued bytes. 1 all gone, 0 some left (socket full), -1 error. */
static int
flush_out(struct tls_conn *c, struct tls_rec *r)
{
	ssize_t n = push(c, r->out + r->out_off, r->out_len - r->out_off);

	if (n < 0)
		return -1;
	r->out_off += (size_t)n;
	if (r->out_off < r->out_len)
		return 0;
	free(r->out);
	r->out = NULL;
	r->out_off = r->out_len = 0;
	return 1;
}

/* Sends seal_ct[0..len) now, queueing what the socket does not take. 1 all
 * sent, 0 queued (wait for writable), -1 error. Nothing may be queued. */
static int
send_sealed(struct tls_conn *c, struct tls_rec *r, size_t len)
{
	ssize_t n = push(c, seal_ct, len);

	if (n < 0)
		return -1;
	if ((size_t)n == len)
		return 1;
	r->out = xmalloc(len - (size_t)n);
	memcpy(r->out, seal_ct + n, len - (size_t)n);
	r->out_off = 0;
	r->out_len = len - (size_t)n;
	return 0;
}

/* Best effort, once: an alert record, when nothing else waits to go out. */
static void
send_alert(struct tls_conn *c, struct tls_rec *r, unsigned level, unsigned desc)
{
	unsigned char a[2];
	size_t len;

	if (r->sent_close || r->out != NULL)
		return;
	r->sent_close = 1;
	a[0] = (unsigned char)level;
	a[1] = (unsigned char)desc;
	if ((len = seal(r, CT_ALERT, a, sizeof(a))) > 0)
		(void)send(c->fd, seal_ct, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Ends the session: the peer learns why (a fatal alert), the log too. */
static void
fail(struct tls_conn *c, struct tls_rec *r, unsigned desc, const char *why)
{
	tls_conn_seterr(c, "%s (%s)", why, alert_name(desc));
	send_alert(c, r, 2, desc);
	c->failed = 1;
}

/* Our KeyUpdate (update_not_requested), then the next write key. */
static int
send_key_update(struct tls_conn *c, struct tls_rec *r)
{
	static const unsigned char ku[5] = { HS_KEY_UPDATE, 0, 0, 1, 0 };
	size_t len = seal(r, CT_HANDSHAKE, ku, sizeof(ku));
	int sent;

	if (len == 0 || next_key(r->suite, &r->wsec, &r->wr) != 0) {
		fail(c, r, AL_INTERNAL_ERROR, "cannot update our TLS key");
		return -1;
	}
	r->wseq = 0;
	r->answer_update = 0;
	if ((sent = send_sealed(c, r, len)) < 0)
		c->failed = 1;
	return sent;
}

size_t
tls_rec_write(struct tls_conn *c, const void *buf, size_t len, enum tls_status *st)
{
	struct tls_rec *r = c->rec;
	const unsigned char *p = buf;
	size_t taken = 0;
	int f;

	if (r->out != NULL && (f = flush_out(c, r)) <= 0) {
		if (f < 0)
			c->failed = 1;
		*st = f < 0 ? TLS_FAILED : TLS_WANT_WRITE;
		return 0;
	}
	while (taken < len) {
		size_t n = len - taken < REC_MAX_DATA ? len - taken : REC_MAX_DATA, rec;

		if ((r->answer_update || r->wseq >= REC_REKEY_AT) &&
		    (f = send_key_update(c, r)) <= 0) {
			*st = f < 0 ? TLS_FAILED : TLS_WANT_WRITE;
			return taken;
		}
		if ((rec = seal(r, CT_DATA, p + taken, n)) == 0) {
			fail(c, r, AL_INTERNAL_ERROR, "cannot protect a TLS record");
			*st = TLS_FAILED;
			return taken;
		}
		taken += n;
		if ((f = send_sealed(c, r, rec)) <= 0) {
			if (f < 0)
				c->failed = 1;
			*st = f < 0 ? TLS_FAILED : TLS_WANT_WRITE;
			return taken;
		}
	}
	*st = TLS_OK;
	return taken;
}

/* ---- receiving -------------------------------------------------------- */

/* The protected length of the record at in_off, once its header is here. */
static size_t
rec_len(const struct tls_rec *r)
{
	const unsigned char *h = r->in + r->in_off;

	return ((size_t)h[3] << 8) | h[4];
}

/* 1 when a whole record waits in r->in. */
static int
have_record(const struct tls_rec *r)
{
	size_t avail = r->in_len - r->in_off;

	return r->in != NULL && avail >= REC_HDR && avail >= REC_HDR + rec_len(r);
}

/*
 * The n handshake bytes of one record (a message may come in fragments);
 * only KeyUpdate may come after the handshake, and it must end its record.
 */
static int
take_handshake(struct tls_conn *c, struct tls_rec *r, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		r->hs[r->hs_len++] = p[i];
		if (r->hs_len == 1 && r->hs[0] != HS_KEY_UPDATE) {
			fail(c, r, AL_UNEXPECTED_MESSAGE,
			    "the client sent a handshake message after the handshake");
			return -1;
		}
		if (r->hs_len == 4 && (r->hs[1] != 0 || r->hs[2] != 0 || r->hs[3] != 1)) {
			fail(c, r, AL_DECODE_ERROR, "the client sent a malformed KeyUpdate");
			return -1;
		}
		if (r->hs_len < 5)
			continue;
		if (r->hs[4] > 1) {
			fail(c, r, AL_ILLEGAL_PARAMETER, "the client sent a KeyUpdate "
			    "with an unknown request");
			return -1;
		}
		if (i + 1 != n) {
			/* RFC 8446 5.1: a key change ends its record. */
			fail(c, r, AL_UNEXPECTED_MESSAGE,
			    "the client sent more after a KeyUpdate in the same record");
			return -1;
		}
		if (next_key(r->suite, &r->rsec, &r->rd) != 0) {
			fail(c, r, AL_INTERNAL_ERROR, "cannot update the client's TLS key");
			return -1;
		}
		r->rseq = 0;
		r->hs_len = 0;
		if (r->hs[4] == 1)
			r->answer_update = 1;
	}
	return 0;
}

static int
take_alert(struct tls_conn *c, struct tls_rec *r, const unsigned char *p, size_t n)
{
	if (n != 2) {
		fail(c, r, AL_DECODE_ERROR, "the client sent a malformed alert");
		return -1;
	}
	if (p[1] == AL_CLOSE_NOTIFY) {
		r->peer_closed = 1;
		return 0;
	}
	if (p[1] == AL_USER_CANCELED)
		return 0;	/* a close_notify should follow */
	tls_conn_seterr(c, "the client ended the session with the alert %s (%u)",
	    alert_name(p[1]), (unsigned)p[1]);
	r->sent_close = 1;	/* no alert back to a failed peer */
	c->failed = 1;
	return -1;
}

/*
 * Opens the record at in_off into dst (room: cap) and acts on it. Returns
 * the count of application bytes left in dst, or -1 (the session failed).
 */
static ssize_t
open_record(struct tls_conn *c, struct tls_rec *r, unsigned char *dst, size_t cap)
{
	const unsigned char *h = r->in + r->in_off;
	size_t clen = rec_len(r);
	unsigned int plen = 0;
	unsigned type;

	if (aead_ready(r->suite, &r->rsec, &r->rd) != 0) {
		fail(c, r, AL_INTERNAL_ERROR, "cannot rebuild the client's TLS key");
		return -1;
	}
	if (SSL_AeadDecrypt(r->rd, r->rseq, h, REC_HDR, h + REC_HDR, (unsigned)clen,
	    dst, &plen, (unsigned)cap) != SECSuccess) {
		fail(c, r, AL_BAD_RECORD_MAC, "a TLS record from the client failed its "
		    "integrity check");
		return -1;
	}
	r->in_off += REC_HDR + clen;
	if (++r->rseq >= REC_READ_LIMIT) {
		fail(c, r, AL_INTERNAL_ERROR, "the client sent too many records under one key");
		return -1;
	}
	if (plen > REC_MAX_DATA + 1) {
		/* RFC 8446 5.4: padding included, at most 2^14 + 1 bytes. */
		fail(c, r, AL_RECORD_OVERFLOW, "the client sent a TLS record over 16 kB");
		return -1;
	}
	while (plen > 0 && dst[plen - 1] == 0)
		plen--;
	if (plen == 0) {
		fail(c, r, AL_UNEXPECTED_MESSAGE, "the client sent a TLS record without a "
		    "content type");
		return -1;
	}
	type = dst[--plen];
	if (r->hs_len > 0 && type != CT_HANDSHAKE) {
		fail(c, r, AL_UNEXPECTED_MESSAGE, "the client interleaved a record with an "
		    "unfinished KeyUpdate");
		return -1;
	}
	if (type == CT_DATA && plen > 0)
		r->idle_run = 0;
	else if (++r->idle_run > REC_IDLE_RUN) {
		fail(c, r, AL_UNEXPECTED_MESSAGE, "the client sent over 256 TLS records in a "
		    "row without data (empty records, KeyUpdates or warnings)");
		return -1;
	}
	switch (type) {
	case CT_DATA:
		return (ssize_t)plen;
	case CT_HANDSHAKE:
		if (plen == 0) {
			fail(c, r, AL_UNEXPECTED_MESSAGE, "the client sent an empty "
			    "handshake record");
			return -1;
		}
		return take_handshake(c, r, dst, plen) < 0 ? -1 : 0;
	case CT_ALERT:
		return take_alert(c, r, dst, plen) < 0 ? -1 : 0;
	default:
		fail(c, r, AL_UNEXPECTED_MESSAGE, "the client sent a TLS record of an "
		    "unknown type");
		return -1;
	}
}

/* Checks the header of the record at in_off as soon as it is here. */
static int
check_header(struct tls_conn *c, struct tls_rec *r)
{
	const unsigned char *h = r->in + r->in_off;

	if (h[0] != CT_DATA) {
		fail(c, r, AL_UNEXPECTED_MESSAGE, h[0] == 20 ?
		    "the client sent change_cipher_spec after the handshake" :
		    "the client sent an unprotected TLS record after the handshake");
		return -1;
	}
	if (rec_len(r) > REC_MAX_CT) {
		fail(c, r, AL_RECORD_OVERFLOW, "the client sent a TLS record over the "
		    "size limit");
		return -1;
	}
	if (rec_len(r) < 1 + REC_TAG) {
		fail(c, r, AL_BAD_RECORD_MAC, "the client sent a TLS record too short to "
		    "be protected");
		return -1;
	}
	return 0;
}

/*
 * The receive area of a session exists while it holds bytes of a record;
 * one spare is kept for the next session that reads, so that a busy server
 * does not allocate and free 16 kB per request (glibc would hand the top
 * of its heap back and take it again each time).
 */
static unsigned char *in_spare;

static unsigned char *
in_get(void)
{
	unsigned char *p = in_spare;

	in_spare = NULL;
	return p != NULL ? p : xmalloc(REC_HDR + REC_MAX_CT);
}

static void
drop_in_if_empty(struct tls_rec *r)
{
	if (r->in == NULL || r->in_off != r->in_len)
		return;
	if (in_spare == NULL)
		in_spare = r->in;
	else
		free(r->in);
	r->in = NULL;
	r->in_off = r->in_len = 0;
}

/* Reads what the socket has. 1 got bytes, 0 would block, -1 end or error
 * (*st set). */
static int
fill_in(struct tls_conn *c, struct tls_rec *r, enum tls_status *st)
{
	const size_t cap = REC_HDR + REC_MAX_CT;
	ssize_t n;

	if (r->in == NULL) {
		r->in = in_get();
		r->in_off = r->in_len = 0;
	} else if (r->in_off > 0) {
		memmove(r->in, r->in + r->in_off, r->in_len - r->in_off);
		r->in_len -= r->in_off;
		r->in_off = 0;
	}
	do
		n = recv(c->fd, r->in + r->in_len, cap - r->in_len, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		r->in_len += (size_t)n;
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		drop_in_if_empty(r);	/* an idle session holds no buffer */
		*st = TLS_WANT_READ;
		return 0;
	}
	if (n == 0 && r->in_len == 0 && r->hs_len == 0) {
		/* The peer closed without close_notify, between records. */
		r->peer_closed = 1;
		r->sent_close = 1;
		*st = TLS_CLOSED;
		return -1;
	}
	if (n == 0) {
		fail(c, r, AL_DECODE_ERROR, "the client closed the connection in the middle "
		    "of a TLS record");
	} else {
		tls_conn_seterr(c, "cannot read from the client: %s", strerror(errno));
		r->sent_close = 1;
		c->failed = 1;
	}
	*st = TLS_FAILED;
	return -1;
}

/* Hands out opened data the caller had no room for. */
static size_t
give_pt(struct tls_rec *r, unsigned char *buf, size_t len)
{
	size_t n = r->pt_len < len ? r->pt_len : len;

	memcpy(buf, r->pt + r->pt_off, n);
	secret_clear(r->pt + r->pt_off, n);
	r->pt_off += n;
	r->pt_len -= n;
	if (r->pt_len == 0) {
		free(r->pt);
		r->pt = NULL;
		r->pt_off = 0;
	}
	return n;
}

size_t
tls_rec_read(struct tls_conn *c, void *buf, size_t len, enum tls_status *st)
{
	struct tls_rec *r = c->rec;
	unsigned char *dst = buf;
	unsigned turn = 0;

	if (r->pt_len > 0) {
		*st = TLS_OK;
		return give_pt(r, dst, len);
	}
	if (len == 0) {
		*st = TLS_OK;
		return 0;
	}
	while (!r->peer_closed) {
		size_t clen;
		ssize_t got;

		/* A header is judged as soon as it is here, whole record or not. */
		if (r->in != NULL && r->in_len - r->in_off >= REC_HDR && check_header(c, r) != 0) {
			*st = TLS_FAILED;
			return 0;
		}
		if (!have_record(r)) {
			if (fill_in(c, r, st) <= 0)
				return 0;
			continue;
		}
		clen = rec_len(r);
		if (turn++ == REC_TURN) {
			/* Others' turn; pending or the socket wakes us for the rest. */
			*st = TLS_WANT_READ;
			return 0;
		}
		if (len >= clen - REC_TAG) {
			got = open_record(c, r, dst, len);
			/* A record refused after opening: its plaintext goes. */
			if (got < 0)
				secret_clear(dst, clen - REC_TAG);
		} else {
			r->pt = xmalloc(clen - REC_TAG);
			r->pt_off = 0;
			got = open_record(c, r, r->pt, clen - REC_TAG);
			if (got > 0)
				r->pt_len = (size_t)got;
			else {
				secret_clear(r->pt, clen - REC_TAG);
				free(r->pt);
				r->pt = NULL;
			}
		}
		drop_in_if_empty(r);
		if (got < 0) {
			*st = TLS_FAILED;
			return 0;
		}
		if (r->pt_len > 0) {
			*st = TLS_OK;
			return give_pt(r, dst, len);
		}
		if (got > 0) {
			*st = TLS_OK;
			return (size_t)got;
		}
	}
	*st = TLS_CLOSED;
	return 0;
}

size_t
tls_rec_pending(const struct tls_conn *c)
{
	const struct tls_rec *r = c->rec;

	if (r->pt_len > 0)
		return r->pt_len;
	/* A whole record waits: reading makes progress without the socket. */
	return have_record(r) ? r->in_len - r->in_off : 0;
}

/* ---- taking over, letting go ------------------------------------------ */

int
tls_rec_detach(struct tls_conn *c)
{
	struct tls_rec *r;
	PRUint16 rep = 0, wep = 0;

	if (c->is_client || c->ssl == NULL || !c->done || c->failed || c->wblocked ||
	    c->sec_read == NULL || c->sec_write == NULL || !suite_known(c->suite) ||
	    SSL_DataPending(c->ssl) != 0 ||
	    SSL_GetCurrentEpoch(c->ssl, &rep, &wep) != SECSuccess || rep != 3 || wep != 3)
		return -1;
	r = XNEW(struct tls_rec);
	if (secret_save(c->sec_read, &r->rsec) != 0 || secret_save(c->sec_write, &r->wsec) != 0 ||
	    (r->rd = aead_for(c->suite, c->sec_read)) == NULL ||
	    (r->wr = aead_for(c->suite, c->sec_write)) == NULL) {
		SSL_DestroyAead(r->rd);
		secret_clear(r, sizeof(*r));
		free(r);
		return -1;
	}
	PK11_FreeSymKey(c->sec_read);
	PK11_FreeSymKey(c->sec_write);
	c->sec_read = c->sec_write = NULL;
	r->suite = c->suite;
	c->peer = SSL_PeerCertificate(c->ssl);
	/* Let NSS go without a word on the wire (its close_notify would end
	   the session) and without closing the fd, which stays ours. */
	c->detaching = 1;
	tls_nss_close_keep_fd(c->ssl);
	c->ssl = NULL;
	c->rec = r;
	return 0;
}

size_t
tls_rec_buffered(const struct tls_conn *c)
{
	const struct tls_rec *r = c->rec;

	return (r->in != NULL ? REC_HDR + REC_MAX_CT : 0) +
	    (r->pt != NULL ? r->pt_off + r->pt_len : 0) + r->out_len;
}

void
tls_rec_rest(struct tls_conn *c)
{
	struct tls_rec *r = c->rec;

	SSL_DestroyAead(r->rd);
	SSL_DestroyAead(r->wr);
	r->rd = r->wr = NULL;
}

void
tls_rec_free(struct tls_conn *c)
{
	struct tls_rec *r = c->rec;

	if (!c->failed && r->out == NULL)
		send_alert(c, r, 1, AL_CLOSE_NOTIFY);
	(void)close(c->fd);
	c->fd = -1;
	SSL_DestroyAead(r->rd);
	SSL_DestroyAead(r->wr);
	r->in_off = r->in_len;
	drop_in_if_empty(r);
	if (r->pt != NULL) {
		secret_clear(r->pt + r->pt_off, r->pt_len);
		free(r->pt);
	}
	free(r->out);
	secret_clear(r, sizeof(*r));
	free(r);
	c->rec = NULL;
}
