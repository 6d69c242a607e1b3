/*
 * nutsec tests - tlsrec.h: a TLS 1.3 client record layer of its own
 * (RFC 8446 section 5, KeyUpdate 4.6.3, alerts 6) for tlsrec, the
 * adversarial test of upsd's record layer. NSS does the handshake and
 * hands over the traffic secrets; every record after it is built, sealed,
 * opened and checked here, on the bare socket, so that the test can send
 * what a well-behaved TLS library never would.
 */
#ifndef NUTSEC_TLSREC_H
#define NUTSEC_TLSREC_H

#include <stddef.h>
#include <stdint.h>

#include <nss.h>
#include <pk11pub.h>
#include <ssl.h>
#include <sslexp.h>

/* RFC 8446 5.1, 5.2, 5.4 */
#define TR_PLAIN_MAX	16384u			/* 2^14: content of one record */
#define TR_INNER_MAX	(TR_PLAIN_MAX + 1)	/* TLSInnerPlaintext with padding */
#define TR_CIPHER_MAX	(TR_PLAIN_MAX + 256)	/* TLSCiphertext.length */
#define TR_TAG		16			/* every TLS 1.3 AEAD suite */
#define TR_HDR		5
/* room for deliberately oversized records */
#define TR_REC_BUF	(TR_HDR + TR_PLAIN_MAX + 2048)

enum tr_ct { TR_CT_CCS = 20, TR_CT_ALERT = 21, TR_CT_HS = 22, TR_CT_APP = 23 };
enum tr_hs { TR_HS_CLIENT_HELLO = 1, TR_HS_NST = 4, TR_HS_FINISHED = 20, TR_HS_KEY_UPDATE = 24 };
enum tr_alert {
	TR_AL_CLOSE_NOTIFY = 0, TR_AL_UNEXPECTED_MESSAGE = 10, TR_AL_BAD_RECORD_MAC = 20,
	TR_AL_RECORD_OVERFLOW = 22, TR_AL_ILLEGAL_PARAMETER = 47, TR_AL_DECODE_ERROR = 50, TR_AL_PROTOCOL_VERSION = 70,
	TR_AL_INTERNAL_ERROR = 80, TR_AL_USER_CANCELED = 90
};

/* what tr_read_record found */
enum tr_ev {
	TR_EV_BAD = -3,		/* the server broke the protocol: t->err says how */
	TR_EV_TIMEOUT = -2,
	TR_EV_RESET = -1,	/* ECONNRESET (or another socket error: t->err) */
	TR_EV_EOF = 0,
	TR_EV_APP = 1,		/* application data (maybe empty) appended to t->app */
	TR_EV_HS = 2,		/* a handshake record (a KeyUpdate, or part of one) */
	TR_EV_ALERT = 3		/* t->alert_level, t->alert_desc */
};

struct tr {
	int fd;				/* the OS socket */
	void *ssl;			/* NSS's PRFileDesc: open, unused after the handshake */
	uint16_t version, suite;
	char suite_name[64];
	/* TLS 1.3 application traffic keys, per direction */
	PK11SymKey *rsec, *wsec;
	SSLAeadContext *rctx, *wctx;
	uint64_t rseq, wseq;
	unsigned rgen, wgen;		/* KeyUpdates applied */
	unsigned secrets_seen;		/* epoch-3 secrets given by NSS (want 2) */
	/* input: raw bytes not yet a whole record; application data not yet read */
	unsigned char raw[TR_REC_BUF];
	size_t rawlen;
	unsigned char *app;
	size_t applen, appcap;
	unsigned char hs[64];		/* a server handshake message in pieces */
	size_t hslen;
	/* what the server did */
	int alert_level, alert_desc;	/* the last alert, -1 none */
	unsigned n_in;			/* records received */
	unsigned n_ku_in;		/* KeyUpdates received */
	unsigned n_app_in;		/* application-data records received */
	int ku_owed;			/* the server asked us for a KeyUpdate */
	size_t max_inner_in;		/* largest TLSInnerPlaintext received */
	/* slow reading: at most rd_chunk bytes per recv, then sleep rd_sleep_ms */
	size_t rd_chunk;
	unsigned rd_sleep_ms;
	char err[512];
};

/* one record to seal: content type, content, zero padding; outer type and
 * legacy version when not 0 (else 23 and 0x0303) */
struct tr_rec {
	int type;
	const void *data;
	size_t len;
	size_t pad;
	int outer;
	unsigned ver;
};

const char *tr_alert_name(int desc);
void tr_sleep_ms(unsigned ms);
int tr_connect(struct tr *t, const char *host, int port, int rcvbuf);
int tr_starttls(struct tr *t);
int tr_handshake(struct tr *t, int tls12, const char *suite);
int tr_quiet(struct tr *t, int ms);
size_t tr_seal(struct tr *t, const struct tr_rec *r, unsigned char *out, size_t cap);
int tr_send(struct tr *t, const void *buf, size_t len);
int tr_send_rec(struct tr *t, int type, const void *data, size_t len, size_t pad);
int tr_wkey_update(struct tr *t);
int tr_read_record(struct tr *t, int timeout_ms);
int tr_nss_write(struct tr *t, const char *s);
int tr_nss_read(struct tr *t, int timeout_ms);

#endif
