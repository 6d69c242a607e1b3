/*
 * nutsec - certtool/ca_crl.c: the CRL (v2, with authority key identifier,
 * CRL number and reason codes), encoded here and signed with the CA's key.
 * crlutil -G would need a script with the serials written as numbers;
 * encoding here keeps the 16-byte serials exact and needs no script.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cert.h>
#include <certdb.h>
#include <cryptohi.h>
#include <keyhi.h>
#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secasn1.h>
#include <secder.h>
#include <secerr.h>
#include <secitem.h>
#include <secoid.h>

#include "ca_nss_int.h"
#include "nutcert.h"
#include "xmalloc.h"

/* ---------------------------------------------------------------- CRL */

static int
hex_to_bytes(const char *hex, unsigned char *out, size_t max, size_t *n)
{
	size_t l = strlen(hex), i;

	if (l % 2 || l / 2 > max)
		return -1;
	for (i = 0; i < l / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	*n = l / 2;
	return 0;
}

int
nc_ca_crl(const char *nick, const struct nc_index *ix, int days,
    int backdate_days, unsigned long crlnumber, unsigned char **derout,
    size_t *lenout)
{
	static const unsigned char OID_REASON[] = { 0x55, 0x1d, 0x15 };
	static const unsigned char OID_AKI[] = { 0x55, 0x1d, 0x23 };
	static const unsigned char OID_CRLNUM[] = { 0x55, 0x1d, 0x14 };
	struct der *d = xmalloc(sizeof(*d));
	CERTCertificate *ca = NULL;
	SECKEYPrivateKey *key = NULL;
	PLArenaPool *arena = PORT_NewArena(4096);
	SECAlgorithmID algid;
	SECItem algder = { siBuffer, NULL, 0 }, ik = { siBuffer, NULL, 0 };
	SECItem sig = { siBuffer, NULL, 0 };
	SECOidTag alg;
	unsigned char akid[NC_SKID_LEN];
	time_t now = time(NULL) - (time_t)backdate_days * 86400;
	size_t i, m, m2, m3, nrev = 0;
	int rc = NC_DB;

	ca = PK11_FindCertFromNickname(nick, NULL);
	if (ca == NULL || (key = PK11_FindKeyByAnyCert(ca, NULL)) == NULL) {
		nc_err("the CA certificate or key '%s' cannot be used: %s", nick,
		    nc_nss_err());
		goto out;
	}
	alg = SEC_GetSignatureAlgorithmOidTag(key->keyType, SEC_OID_SHA256);
	memset(&algid, 0, sizeof(algid));
	if (arena == NULL ||
	    SECOID_SetAlgorithmID(arena, &algid, alg, NULL) != SECSuccess ||
	    SEC_ASN1EncodeItem(arena, &algder, &algid,
	    SEC_ASN1_GET(SECOID_AlgorithmIDTemplate)) == NULL)
		goto nss_fail;
	if (CERT_FindSubjectKeyIDExtension(ca, &ik) == SECSuccess && ik.len == NC_SKID_LEN)
		memcpy(akid, ik.data, NC_SKID_LEN);
	else if (nc_key_id(&ca->subjectPublicKeyInfo, akid) != 0)
		goto nss_fail;
	SECITEM_FreeItem(&ik, PR_FALSE);

	der_init(d);
	der_small_int(d, 1);			/* v2 */
	der_raw(d, algder.data, algder.len);
	der_raw(d, ca->derSubject.data, ca->derSubject.len);
	der_time(d, now - 60);
	der_time(d, now + (time_t)days * 86400);
	m = d->len;
	for (i = 0; i < ix->n; i++) {
		const struct nc_entry *e = &ix->e[i];
		unsigned char ser[NC_SERIAL_LEN + 4];
		size_t sn;

		if (e->status != 'R')
			continue;
		if (hex_to_bytes(e->serial, ser, sizeof(ser), &sn) != 0) {
			nc_err("index: bad serial '%s'", e->serial);
			rc = NC_DB;
			goto out;
		}
		m2 = d->len;
		der_int_bytes(d, ser, sn);
		der_time(d, e->revoked_at);
		if (e->reason > 0) {
			unsigned char en[3] = { 0x0a, 0x01, (unsigned char)e->reason };

			m3 = d->len;
			der_tlv(d, 0x06, OID_REASON, sizeof(OID_REASON));
			der_tlv(d, 0x04, en, sizeof(en));
			der_wrap(d, m3, 0x30);
			der_wrap(d, m3, 0x30);
		}
		der_wrap(d, m2, 0x30);
		nrev++;
	}
	if (nrev > 0)
		der_wrap(d, m, 0x30);
	/* crlExtensions [0]: authorityKeyIdentifier, cRLNumber */
	m = d->len;
	m2 = d->len;
	der_tlv(d, 0x06, OID_AKI, sizeof(OID_AKI));
	m3 = d->len;
	der_tlv(d, 0x80, akid, NC_SKID_LEN);
	der_wrap(d, m3, 0x30);
	der_wrap(d, m3, 0x04);
	der_wrap(d, m2, 0x30);
	m2 = d->len;
	der_tlv(d, 0x06, OID_CRLNUM, sizeof(OID_CRLNUM));
	m3 = d->len;
	der_small_int(d, (unsigned)crlnumber);
	der_wrap(d, m3, 0x04);
	der_wrap(d, m2, 0x30);
	der_wrap(d, m, 0x30);
	der_wrap(d, m, 0xa0);
	der_wrap(d, 0, 0x30);
	if (d->overflow) {
		nc_err("the CRL is too large for nutcert (too many revoked certificates)");
		goto out;
	}
	if (SEC_DerSignData(arena, &sig, d->buf, (int)d->len, key, alg) != SECSuccess)
		goto nss_fail;
	*derout = xmalloc(sig.len);
	memcpy(*derout, sig.data, sig.len);
	*lenout = sig.len;
	rc = NC_OK;
	goto out;
nss_fail:
	nc_err("cannot make the CRL: %s", nc_nss_err());
out:
	if (key)
		SECKEY_DestroyPrivateKey(key);
	if (ca)
		CERT_DestroyCertificate(ca);
	if (arena)
		PORT_FreeArena(arena, PR_FALSE);
	free(d);
	return rc;
}
