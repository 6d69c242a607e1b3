/*
 * nutsec - certtool/ca_issue.c: certificates, made with NSS in this process.
 * certutil can only ask for basic constraints and key identifiers at a
 * prompt, takes a 32-bit serial, and copies every extension a request
 * carries into the certificate; so the CA's key and every certificate are
 * made here: the profile (CA / server / client) decides every extension, a
 * request's own extensions are refused unless explicitly allowed (and
 * CA:TRUE always), serials are 16 random bytes, signatures SHA-256.
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
#include "rand.h"
#include "xmalloc.h"

/* ---------------------------------------------------------------- extensions */

static const unsigned char OID_SERVERAUTH[] = { 0x2b, 6, 1, 5, 5, 7, 3, 1 };
static const unsigned char OID_CLIENTAUTH[] = { 0x2b, 6, 1, 5, 5, 7, 3, 2 };

/* key usage bits (RFC 5280 4.2.1.3) */
#define KU_DIGSIG	(1u << 0)
#define KU_KEYENC	(1u << 2)
#define KU_CERTSIGN	(1u << 5)
#define KU_CRLSIGN	(1u << 6)

static int
add_ext(void *h, int tag, struct der *d, int critical)
{
	SECItem it;

	if (d->overflow)
		return -1;
	it.type = siBuffer;
	it.data = d->buf;
	it.len = (unsigned)d->len;
	return CERT_AddExtension(h, tag, &it, critical ? PR_TRUE : PR_FALSE,
	    PR_TRUE) == SECSuccess ? 0 : -1;
}

/* "dns:name" / "ip:addr" into a GeneralNames SEQUENCE. */
static int
encode_sans(struct der *d, const struct nc_issue *is)
{
	size_t i;

	der_init(d);
	for (i = 0; i < is->nsans; i++) {
		const char *s = is->sans[i];
		unsigned char ip[16];

		if (strncmp(s, "dns:", 4) == 0) {
			der_tlv(d, 0x82, s + 4, strlen(s + 4));
		} else if (strncmp(s, "ip:", 3) == 0) {
			int n = nc_ip_parse(s + 3, ip);

			if (n == 0)
				return -1;
			der_tlv(d, 0x87, ip, (size_t)n);
		} else {
			return -1;
		}
	}
	der_wrap(d, 0, 0x30);
	return d->overflow ? -1 : 0;
}

static int
add_extensions(CERTCertificate *c, const struct nc_issue *is,
    const unsigned char skid[NC_SKID_LEN], const unsigned char akid[NC_SKID_LEN],
    KeyType subject_key)
{
	struct der d;
	void *h = CERT_StartCertExtensions(c);
	unsigned ku;
	size_t m;
	int rc = 0;

	if (h == NULL)
		return -1;
	/* basicConstraints, critical: CA:TRUE pathlen 0, or CA:FALSE */
	der_init(&d);
	if (is->kind == NC_KIND_CA) {
		der_raw(&d, "\x01\x01\xff", 3);
		der_small_int(&d, 0);
	}
	der_wrap(&d, 0, 0x30);
	rc |= add_ext(h, SEC_OID_X509_BASIC_CONSTRAINTS, &d, 1);
	/* keyUsage, critical */
	if (is->kind == NC_KIND_CA)
		ku = KU_CERTSIGN | KU_CRLSIGN;
	else if (is->kind == NC_KIND_SERVER && subject_key == rsaKey)
		ku = KU_DIGSIG | KU_KEYENC;
	else
		ku = KU_DIGSIG;
	der_init(&d);
	der_bitstring_bits(&d, ku);
	rc |= add_ext(h, SEC_OID_X509_KEY_USAGE, &d, 1);
	/* extendedKeyUsage */
	if (is->kind != NC_KIND_CA) {
		der_init(&d);
		if (is->kind == NC_KIND_SERVER)
			der_tlv(&d, 0x06, OID_SERVERAUTH, sizeof(OID_SERVERAUTH));
		else
			der_tlv(&d, 0x06, OID_CLIENTAUTH, sizeof(OID_CLIENTAUTH));
		der_wrap(&d, 0, 0x30);
		rc |= add_ext(h, SEC_OID_X509_EXT_KEY_USAGE, &d, 0);
	}
	/* subjectAltName */
	if (is->nsans > 0) {
		if (encode_sans(&d, is) != 0)
			rc = -1;
		else
			rc |= add_ext(h, SEC_OID_X509_SUBJECT_ALT_NAME, &d, 0);
	}
	/* subjectKeyIdentifier, authorityKeyIdentifier */
	der_init(&d);
	der_tlv(&d, 0x04, skid, NC_SKID_LEN);
	rc |= add_ext(h, SEC_OID_X509_SUBJECT_KEY_ID, &d, 0);
	der_init(&d);
	m = d.len;
	der_tlv(&d, 0x80, akid, NC_SKID_LEN);
	der_wrap(&d, m, 0x30);
	rc |= add_ext(h, SEC_OID_X509_AUTH_KEY_ID, &d, 0);
	if (CERT_FinishExtensions(h) != SECSuccess)
		rc = -1;
	return rc;
}

/* ---------------------------------------------------------------- issuing */

static int
serial_taken(const struct nc_index *ix, const char *hex)
{
	size_t i;

	for (i = 0; ix != NULL && i < ix->n; i++)
		if (strcmp(ix->e[i].serial, hex) == 0)
			return 1;
	return 0;
}

/* Builds and signs the certificate for req; issuer NULL: self-signed. */
static int
build_cert(CERTCertificate *issuer, CERTCertificateRequest *req,
    SECKEYPrivateKey *signer, struct nc_issue *is,
    const struct nc_index *ix, struct nc_cert_out *out)
{
	unsigned char ser[NC_SERIAL_LEN], skid[NC_SKID_LEN], akid[NC_SKID_LEN];
	time_t now = time(NULL), nb, na;
	CERTValidity *v;
	CERTCertificate *c = NULL;
	SECKEYPublicKey *pub;
	SECItem tbs = { siBuffer, NULL, 0 }, sig = { siBuffer, NULL, 0 };
	SECOidTag alg;
	PLArenaPool *arena;
	KeyType kt;
	char *subj;
	int rc = NC_REFUSED;

	pub = SECKEY_ExtractPublicKey(&req->subjectPublicKeyInfo);
	if (pub == NULL) {
		nc_err("cannot read the public key of the request: %s", nc_nss_err());
		return NC_REFUSED;
	}
	kt = pub->keyType;
	if (kt == rsaKey && SECKEY_PublicKeyStrengthInBits(pub) < 2048) {
		nc_err("refused: an RSA key of %u bits (at least 2048 needed)",
		    SECKEY_PublicKeyStrengthInBits(pub));
		SECKEY_DestroyPublicKey(pub);
		return NC_REFUSED;
	}
	if (kt == ecKey && SECKEY_PublicKeyStrengthInBits(pub) < 256) {
		nc_err("refused: an EC key of %u bits (P-256 or larger needed)",
		    SECKEY_PublicKeyStrengthInBits(pub));
		SECKEY_DestroyPublicKey(pub);
		return NC_REFUSED;
	}
	SECKEY_DestroyPublicKey(pub);
	if (kt != rsaKey && kt != ecKey) {
		nc_err("refused: only RSA (>= 2048 bits) and EC keys are accepted");
		return NC_REFUSED;
	}

	nb = now - 300 - (time_t)is->backdate_days * 86400;
	na = nb + 300 + (time_t)is->days * 86400;
	v = CERT_CreateValidity((PRTime)nb * PR_USEC_PER_SEC,
	    (PRTime)na * PR_USEC_PER_SEC);
	if (v == NULL)
		goto nss_fail;
	c = CERT_CreateCertificate(1, issuer ? &issuer->subject : &req->subject,
	    v, req);
	CERT_DestroyValidity(v);
	if (c == NULL)
		goto nss_fail;
	arena = c->arena;

	/* 16 random bytes, positive, no leading zero byte, unused so far */
	do {
		rand_bytes(ser, sizeof(ser));
		ser[0] = (unsigned char)((ser[0] & 0x7f) | 0x40);
		nc_hex(ser, sizeof(ser), out->serial, 0);
	} while (serial_taken(ix, out->serial));
	c->serialNumber.data = PORT_ArenaAlloc(arena, sizeof(ser));
	if (c->serialNumber.data == NULL)
		goto nss_fail;
	memcpy(c->serialNumber.data, ser, sizeof(ser));
	c->serialNumber.len = sizeof(ser);
	if (SEC_ASN1EncodeInteger(arena, &c->version, SEC_CERTIFICATE_VERSION_3) == NULL)
		goto nss_fail;

	if (nc_key_id(&req->subjectPublicKeyInfo, skid) != 0)
		goto nss_fail;
	if (issuer == NULL) {
		memcpy(akid, skid, NC_SKID_LEN);
	} else {
		SECItem ik = { siBuffer, NULL, 0 };

		if (CERT_FindSubjectKeyIDExtension(issuer, &ik) != SECSuccess ||
		    ik.len != NC_SKID_LEN) {
			if (nc_key_id(&issuer->subjectPublicKeyInfo, akid) != 0)
				goto nss_fail;
		} else {
			memcpy(akid, ik.data, NC_SKID_LEN);
		}
		SECITEM_FreeItem(&ik, PR_FALSE);
	}
	if (add_extensions(c, is, skid, akid, kt) != 0) {
		nc_err("cannot encode the extensions (a name too long?)");
		goto fail;
	}

	alg = SEC_GetSignatureAlgorithmOidTag(signer->keyType, SEC_OID_SHA256);
	if (alg == SEC_OID_UNKNOWN ||
	    SECOID_SetAlgorithmID(arena, &c->signature, alg, NULL) != SECSuccess)
		goto nss_fail;
	if (SEC_ASN1EncodeItem(arena, &tbs, c,
	    SEC_ASN1_GET(CERT_CertificateTemplate)) == NULL)
		goto nss_fail;
	if (SEC_DerSignData(arena, &sig, tbs.data, (int)tbs.len, signer, alg) !=
	    SECSuccess)
		goto nss_fail;
	out->der = xmalloc(sig.len);
	memcpy(out->der, sig.data, sig.len);
	out->len = sig.len;
	out->not_before = nb;
	out->not_after = na;
	subj = CERT_NameToAscii(&c->subject);
	out->subject = xstrdup(subj ? subj : "");
	PORT_Free(subj);
	CERT_DestroyCertificate(c);
	return NC_OK;
nss_fail:
	nc_err("cannot make the certificate: %s", nc_nss_err());
	rc = NC_DB;
fail:
	if (c != NULL)
		CERT_DestroyCertificate(c);
	return rc;
}

int
nc_ca_create(const char *nick, enum nc_keytype kt, int bits,
    struct nc_issue *is, struct nc_cert_out *out)
{
	static const unsigned char p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
		0x3d, 0x03, 0x01, 0x07 };
	PK11SlotInfo *slot = PK11_GetInternalKeySlot();
	SECKEYPublicKey *pub = NULL;
	SECKEYPrivateKey *priv = NULL;
	CERTSubjectPublicKeyInfo *spki = NULL;
	CERTName *name = NULL;
	CERTCertificateRequest *req = NULL;
	CERTCertificate *tmp = NULL, *dbc = NULL;
	CERTCertTrust trust;
	int rc = NC_DB;

	name = CERT_AsciiToName(is->subject);
	if (name == NULL) {
		nc_err("--subject '%s' is not a distinguished name (e.g. "
		    "\"CN=UPS CA,O=Example\")", is->subject);
		rc = NC_USAGE;
		goto out;
	}
	if (kt == NC_KEY_EC) {
		SECItem params = { siBuffer, (unsigned char *)p256, sizeof(p256) };

		priv = PK11_GenerateKeyPair(slot, CKM_EC_KEY_PAIR_GEN, &params,
		    &pub, PR_TRUE, PR_TRUE, NULL);
	} else {
		PK11RSAGenParams rp;

		rp.keySizeInBits = bits;
		rp.pe = 65537;
		priv = PK11_GenerateKeyPair(slot, CKM_RSA_PKCS_KEY_PAIR_GEN, &rp,
		    &pub, PR_TRUE, PR_TRUE, NULL);
	}
	if (priv == NULL) {
		nc_err("cannot make the CA key: %s", nc_nss_err());
		goto out;
	}
	PK11_SetPrivateKeyNickname(priv, nick);
	spki = SECKEY_CreateSubjectPublicKeyInfo(pub);
	if (spki == NULL || (req = CERT_CreateCertificateRequest(name, spki, NULL)) == NULL) {
		nc_err("cannot prepare the CA certificate: %s", nc_nss_err());
		goto out;
	}
	rc = build_cert(NULL, req, priv, is, NULL, out);
	if (rc != NC_OK)
		goto out;
	rc = NC_DB;
	{
		SECItem der = { siBuffer, out->der, (unsigned)out->len };

		tmp = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &der, NULL,
		    PR_FALSE, PR_TRUE);
	}
	if (tmp == NULL || PK11_ImportCert(slot, tmp, CK_INVALID_HANDLE, nick,
	    PR_FALSE) != SECSuccess) {
		nc_err("cannot store the CA certificate: %s", nc_nss_err());
		goto out;
	}
	dbc = PK11_FindCertFromNickname(nick, NULL);
	if (dbc == NULL || CERT_DecodeTrustString(&trust, "CT,C,C") != SECSuccess ||
	    CERT_ChangeCertTrust(CERT_GetDefaultCertDB(), dbc, &trust) != SECSuccess) {
		nc_err("cannot set the CA's trust: %s", nc_nss_err());
		goto out;
	}
	rc = NC_OK;
out:
	if (dbc)
		CERT_DestroyCertificate(dbc);
	if (tmp)
		CERT_DestroyCertificate(tmp);
	if (req)
		CERT_DestroyCertificateRequest(req);
	if (spki)
		SECKEY_DestroySubjectPublicKeyInfo(spki);
	if (name)
		CERT_DestroyName(name);
	if (pub)
		SECKEY_DestroyPublicKey(pub);
	if (priv)
		SECKEY_DestroyPrivateKey(priv);
	PK11_FreeSlot(slot);
	return rc;
}

/* PEM or DER request into DER (arena). */
static int
csr_der(PLArenaPool *arena, const unsigned char *in, size_t len, SECItem *der)
{
	const char *b = (const char *)in, *s, *e;

	if (len > 0 && in[0] == 0x30) {
		der->type = siBuffer;
		der->data = (unsigned char *)in;
		der->len = (unsigned)len;
		return 0;
	}
	s = strstr(b, "-----BEGIN");
	if (s == NULL || (s = strchr(s, '\n')) == NULL ||
	    (e = strstr(s, "-----END")) == NULL)
		return -1;
	{
		/* base64, line breaks skipped */
		unsigned char *o = PORT_ArenaAlloc(arena, (size_t)(e - s));
		unsigned v = 0;
		int nb = 0;

		if (o == NULL)
			return -1;
		der->type = siBuffer;
		der->data = o;
		der->len = 0;
		for (; s < e && *s != '='; s++) {
			const char *q;
			static const char tab[] =
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

			if (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t')
				continue;
			q = strchr(tab, *s);
			if (q == NULL || *s == '\0')
				return -1;
			v = (v << 6) | (unsigned)(q - tab);
			nb += 6;
			if (nb >= 8) {
				nb -= 8;
				o[der->len++] = (unsigned char)(v >> nb);
			}
		}
		return der->len > 0 ? 0 : -1;
	}
}

/* The request's extensions: CA:TRUE is always refused, the others unless
 * allowed (then subjectAltName is taken when no name was given). */
static int
csr_policy(CERTCertificateRequest *req, struct nc_issue *is, PLArenaPool *arena)
{
	CERTCertExtension **exts = NULL, **x;
	int rc = NC_OK;

	if (req->attributes == NULL || req->attributes[0] == NULL)
		return NC_OK;
	if (CERT_GetCertificateRequestExtensions(req, &exts) != SECSuccess) {
		nc_err("refused: the request carries attributes nutcert cannot read");
		return NC_REFUSED;
	}
	for (x = exts; x != NULL && *x != NULL; x++) {
		SECOidTag t = SECOID_FindOIDTag(&(*x)->id);
		SECOidData *od = SECOID_FindOID(&(*x)->id);
		const char *nm = od ? od->desc : "an unknown extension";

		if (t == SEC_OID_X509_BASIC_CONSTRAINTS) {
			CERTBasicConstraints bc;

			if (CERT_DecodeBasicConstraintValue(&bc, &(*x)->value) != SECSuccess ||
			    bc.isCA) {
				nc_err("refused: the request asks to be a CA "
				    "(basicConstraints CA:TRUE); nutcert never signs that");
				rc = NC_REFUSED;
				break;
			}
		}
		if (!is->allow_csr_ext) {
			nc_err("refused: the request carries the extension '%s'; "
			    "the profile decides extensions (--copy-extensions takes "
			    "the request's subjectAltName)", nm);
			rc = NC_REFUSED;
			continue;
		}
		if (t == SEC_OID_X509_SUBJECT_ALT_NAME && is->nsans == 0) {
			CERTGeneralName *gn = CERT_DecodeAltNameExtension(arena, &(*x)->value), *g;

			if (gn == NULL) {
				nc_err("refused: the request's subjectAltName cannot be read");
				rc = NC_REFUSED;
				continue;
			}
			g = gn;
			do {
				char ipbuf[64];

				if (is->nsans >= NC_MAX_SANS)
					break;
				if (g->type == certDNSName) {
					char *s = xasprintf("dns:%.*s", (int)g->name.other.len,
					    (const char *)g->name.other.data);
					if (!nc_valid_dns(s + 4)) {
						char *shown = nc_text_str(s + 4);

						nc_err("refused: the request's DNS name '%s' is "
						    "not a host name", shown);
						free(shown);
						free(s);
						rc = NC_REFUSED;
					} else {
						is->sans[is->nsans++] = s;
					}
				} else if (g->type == certIPAddress &&
				    nc_ip_format(g->name.other.data, g->name.other.len,
				    ipbuf, sizeof(ipbuf)) == 0) {
					is->sans[is->nsans++] = xasprintf("ip:%s", ipbuf);
				} else {
					nc_err("refused: the request's subjectAltName has a "
					    "name that is neither DNS nor IP");
					rc = NC_REFUSED;
				}
				g = CERT_GetNextGeneralName(g);
			} while (g != gn);
		} else if (t != SEC_OID_X509_SUBJECT_ALT_NAME) {
			nc_note("note: the request's extension '%s' is ignored "
			    "(the profile decides it)", nm);
		}
	}
	return rc;
}

/* The request's own signature: SHA-256 or better; SHA-1, MD5 and the like
 * are refused (a tool that still makes them is set up wrongly). */
static int
csr_hash_policy(const CERTSignedData *sd, PLArenaPool *arena)
{
	SECOidTag t = SECOID_GetAlgorithmTag(&sd->signatureAlgorithm);
	SECOidTag h = SEC_OID_UNKNOWN;
	const char *desc;

	switch (t) {
	case SEC_OID_PKCS1_SHA256_WITH_RSA_ENCRYPTION:
	case SEC_OID_ANSIX962_ECDSA_SHA256_SIGNATURE:
		h = SEC_OID_SHA256;
		break;
	case SEC_OID_PKCS1_SHA384_WITH_RSA_ENCRYPTION:
	case SEC_OID_ANSIX962_ECDSA_SHA384_SIGNATURE:
		h = SEC_OID_SHA384;
		break;
	case SEC_OID_PKCS1_SHA512_WITH_RSA_ENCRYPTION:
	case SEC_OID_ANSIX962_ECDSA_SHA512_SIGNATURE:
		h = SEC_OID_SHA512;
		break;
	case SEC_OID_PKCS1_RSA_PSS_SIGNATURE: {
		/* the hash is in the parameters; absent, it is SHA-1 */
		SECKEYRSAPSSParams pss;
		SECItem params = sd->signatureAlgorithm.parameters;

		memset(&pss, 0, sizeof(pss));
		h = SEC_OID_SHA1;
		if (params.len > 0 && SEC_QuickDERDecodeItem(arena, &pss,
		    SEC_ASN1_GET(SECKEY_RSAPSSParamsTemplate), &params) == SECSuccess &&
		    pss.hashAlg != NULL)
			h = SECOID_GetAlgorithmTag(pss.hashAlg);
		break;
	}
	default:
		break;
	}
	if (h == SEC_OID_SHA256 || h == SEC_OID_SHA384 || h == SEC_OID_SHA512)
		return NC_OK;
	desc = SECOID_FindOIDTagDescription(h != SEC_OID_UNKNOWN ? h : t);
	nc_err("refused: the request is signed with %s; nutcert takes SHA-256 or "
	    "better (e.g. openssl req -sha256)", desc ? desc : "an unknown algorithm");
	return NC_REFUSED;
}

int
nc_ca_sign(const char *nick, const unsigned char *csr, size_t csrlen,
    struct nc_issue *is, const struct nc_index *ix, struct nc_cert_out *out)
{
	PLArenaPool *arena = PORT_NewArena(4096);
	CERTSignedData sd;
	CERTCertificateRequest *req;
	CERTCertificate *ca = NULL;
	SECKEYPrivateKey *key = NULL;
	SECItem der;
	int rc = NC_REFUSED;

	if (arena == NULL)
		return NC_DB;
	memset(&sd, 0, sizeof(sd));
	req = PORT_ArenaZNew(arena, CERTCertificateRequest);
	if (req == NULL || csr_der(arena, csr, csrlen, &der) != 0 ||
	    SEC_QuickDERDecodeItem(arena, &sd, SEC_ASN1_GET(CERT_SignedDataTemplate),
	    &der) != SECSuccess ||
	    SEC_QuickDERDecodeItem(arena, req,
	    SEC_ASN1_GET(CERT_CertificateRequestTemplate), &sd.data) != SECSuccess) {
		nc_err("refused: not a PKCS#10 certificate request");
		goto out;
	}
	req->arena = arena;
	if (CERT_VerifySignedDataWithPublicKeyInfo(&sd, &req->subjectPublicKeyInfo,
	    NULL) != SECSuccess) {
		nc_err("refused: the request's signature does not match its key: %s",
		    nc_nss_err());
		goto out;
	}
	rc = csr_hash_policy(&sd, arena);
	if (rc == NC_OK)
		rc = csr_policy(req, is, arena);
	if (rc != NC_OK)
		goto out;
	rc = NC_DB;
	ca = PK11_FindCertFromNickname(nick, NULL);
	if (ca == NULL) {
		nc_err("the CA certificate '%s' is missing from the CA database", nick);
		goto out;
	}
	key = PK11_FindKeyByAnyCert(ca, NULL);
	if (key == NULL) {
		nc_err("the CA's private key cannot be used: %s", nc_nss_err());
		goto out;
	}
	rc = build_cert(ca, req, key, is, ix, out);
out:
	if (key)
		SECKEY_DestroyPrivateKey(key);
	if (ca)
		CERT_DestroyCertificate(ca);
	PORT_FreeArena(arena, PR_FALSE);
	return rc;
}
