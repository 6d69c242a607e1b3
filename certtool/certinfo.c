/*
 * nutsec - certtool/certinfo.c: what a certificate says (subject, names,
 * usages, validity, serial, SHA-256 fingerprint), read with NSS without a
 * database, and the PEM form of a DER certificate.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cert.h>
#include <certdb.h>
#include <nss.h>
#include <pk11pub.h>
#include <secitem.h>

#include "nutcert.h"
#include "xmalloc.h"

char *
nc_pem(const unsigned char *der, size_t len, const char *label)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t cap = len * 4 / 3 + len / 48 + 128 + 2 * strlen(label), o = 0, i;
	char *s = xmalloc(cap);
	int col = 0;

	o += (size_t)snprintf(s, cap, "-----BEGIN %s-----\n", label);
	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned)der[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)der[i + 1] << 8;
		if (i + 2 < len)
			v |= der[i + 2];
		s[o++] = b64[(v >> 18) & 63];
		s[o++] = b64[(v >> 12) & 63];
		s[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		s[o++] = i + 2 < len ? b64[v & 63] : '=';
		col += 4;
		if (col == 64) {
			s[o++] = '\n';
			col = 0;
		}
	}
	if (col != 0)
		s[o++] = '\n';
	snprintf(s + o, cap - o, "-----END %s-----\n", label);
	return s;
}

static void
append(char *buf, size_t cap, const char *sep, const char *s)
{
	size_t l = strlen(buf);

	snprintf(buf + l, cap - l, "%s%s", l ? sep : "", s);
}

char *
nc_cert_issuer(const unsigned char *der, size_t len)
{
	CERTCertificate *c;
	char *s, *out = NULL;

	if (!NSS_IsInitialized() && NSS_NoDB_Init(NULL) != SECSuccess)
		return NULL;
	if ((c = CERT_DecodeCertFromPackage((char *)der, (int)len)) == NULL)
		return NULL;
	if ((s = CERT_NameToAscii(&c->issuer)) != NULL)
		out = xstrdup(s);
	PORT_Free(s);
	CERT_DestroyCertificate(c);
	return out;
}

int
nc_certinfo(const unsigned char *der, size_t len, struct nc_certinfo *ci)
{
	CERTCertificate *c;
	PRTime nb, na;
	SECItem ext = { siBuffer, NULL, 0 };
	unsigned char fp[32];
	char *s;

	memset(ci, 0, sizeof(*ci));
	if (!NSS_IsInitialized() && NSS_NoDB_Init(NULL) != SECSuccess)
		return -1;
	c = CERT_DecodeCertFromPackage((char *)der, (int)len);
	if (c == NULL)
		return -1;
	s = CERT_NameToAscii(&c->subject);
	snprintf(ci->subject, sizeof(ci->subject), "%s", s ? s : "");
	PORT_Free(s);
	s = CERT_NameToAscii(&c->issuer);
	snprintf(ci->issuer, sizeof(ci->issuer), "%s", s ? s : "");
	PORT_Free(s);
	if (c->serialNumber.len <= NC_SERIAL_LEN + 2)
		nc_hex(c->serialNumber.data, c->serialNumber.len, ci->serial, 0);
	if (CERT_GetCertTimes(c, &nb, &na) == SECSuccess) {
		ci->not_before = (time_t)(nb / PR_USEC_PER_SEC);
		ci->not_after = (time_t)(na / PR_USEC_PER_SEC);
	}
	if (PK11_HashBuf(SEC_OID_SHA256, fp, c->derCert.data,
	    (PRInt32)c->derCert.len) == SECSuccess)
		nc_hex(fp, sizeof(fp), ci->sha256, 1);
	ci->is_ca = CERT_IsCACert(c, NULL) ? 1 : 0;
	if (CERT_FindCertExtension(c, SEC_OID_X509_SUBJECT_ALT_NAME, &ext) == SECSuccess) {
		PLArenaPool *arena = PORT_NewArena(1024);
		CERTGeneralName *gn = arena ? CERT_DecodeAltNameExtension(arena, &ext) : NULL, *g;

		if ((g = gn) != NULL) {
			do {
				char tmp[300], ip[64];

				if (g->type == certDNSName) {
					snprintf(tmp, sizeof(tmp), "dns:%.*s",
					    (int)g->name.other.len, (const char *)g->name.other.data);
					append(ci->sans, sizeof(ci->sans), ",", tmp);
				} else if (g->type == certIPAddress &&
				    nc_ip_format(g->name.other.data, g->name.other.len, ip,
				    sizeof(ip)) == 0) {
					snprintf(tmp, sizeof(tmp), "ip:%s", ip);
					append(ci->sans, sizeof(ci->sans), ",", tmp);
				}
				g = CERT_GetNextGeneralName(g);
			} while (g != gn);
		}
		if (arena)
			PORT_FreeArena(arena, PR_FALSE);
		SECITEM_FreeItem(&ext, PR_FALSE);
	}
	if (c->keyUsage & KU_DIGITAL_SIGNATURE)
		append(ci->usages, sizeof(ci->usages), ",", "digitalSignature");
	if (c->keyUsage & KU_KEY_ENCIPHERMENT)
		append(ci->usages, sizeof(ci->usages), ",", "keyEncipherment");
	if (c->keyUsage & KU_KEY_CERT_SIGN)
		append(ci->usages, sizeof(ci->usages), ",", "keyCertSign");
	if (c->keyUsage & KU_CRL_SIGN)
		append(ci->usages, sizeof(ci->usages), ",", "cRLSign");
	if (CERT_FindCertExtension(c, SEC_OID_X509_EXT_KEY_USAGE, &ext) == SECSuccess) {
		CERTOidSequence *os = CERT_DecodeOidSequence(&ext);
		SECItem **o;

		for (o = os ? os->oids : NULL; o != NULL && *o != NULL; o++) {
			SECOidTag t = SECOID_FindOIDTag(*o);

			if (t == SEC_OID_EXT_KEY_USAGE_SERVER_AUTH)
				append(ci->usages, sizeof(ci->usages), ",", "serverAuth");
			else if (t == SEC_OID_EXT_KEY_USAGE_CLIENT_AUTH)
				append(ci->usages, sizeof(ci->usages), ",", "clientAuth");
			else
				append(ci->usages, sizeof(ci->usages), ",", "otherEKU");
		}
		if (os)
			CERT_DestroyOidSequence(os);
		SECITEM_FreeItem(&ext, PR_FALSE);
	}
	CERT_DestroyCertificate(c);
	return 0;
}
