/*
 * nutsec - certtool/ca_nss.c: the CA, with NSS in this process. certutil
 * can only ask for basic constraints and key identifiers at a prompt, takes
 * a 32-bit serial, and copies every extension a request carries into the
 * certificate; so the CA's key, every certificate and the CRL are made
 * here: the profile (CA / server / client) decides every extension, a
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

#include "nutcert.h"
#include "rand.h"
#include "secret.h"
#include "xmalloc.h"

#define SKID_LEN 20

static char *ca_pw;		/* secret, for the password callback */
static int ca_open;

static const char *
nss_err(void)
{
	PRErrorCode e = PR_GetError();
	const char *name = PR_ErrorToName(e);
	const char *text = PR_ErrorToString(e, PR_LANGUAGE_I_DEFAULT);
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s (%s)", text ? text : "unknown error",
	    name ? name : "?");
	return buf;
}

/* The key database asks: the password once, never on a retry. */
static char *
pw_cb(PK11SlotInfo *slot, PRBool retry, void *arg)
{
	(void)slot;
	(void)arg;
	if (retry || ca_pw == NULL)
		return NULL;
	return PORT_Strdup(ca_pw);
}

int
nc_ca_open(const char *pki, const char *pw, int create)
{
	char *dir = nc_pki_path(pki, "ca"), *db, *cfg;
	PK11SlotInfo *slot;
	struct stat st;
	int rc = NC_DB;

	db = xasprintf("%s/cert9.db", dir);
	if (create) {
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			nc_err("cannot create %s: %s", dir, strerror(errno));
			goto out;
		}
	} else if (stat(db, &st) != 0) {
		nc_err("no CA in %s (%s: %s); make one with: nutcert --pki %s init",
		    pki, db, strerror(errno), pki);
		goto out;
	}
	cfg = xasprintf("sql:%s", dir);
	if (NSS_Initialize(cfg, "", "", SECMOD_DB,
	    (create ? 0 : NSS_INIT_READONLY) | NSS_INIT_NOROOTINIT) != SECSuccess) {
		nc_err("cannot open the CA database %s: %s", dir, nss_err());
		free(cfg);
		goto out;
	}
	free(cfg);
	ca_open = 1;
	PK11_SetPasswordFunc(pw_cb);
	if (pw != NULL)
		ca_pw = secret_strdup(pw);
	slot = PK11_GetInternalKeySlot();
	if (create && PK11_NeedUserInit(slot)) {
		if (PK11_InitPin(slot, "", pw) != SECSuccess) {
			nc_err("cannot set the CA database password: %s", nss_err());
			PK11_FreeSlot(slot);
			goto out;
		}
	}
	if (pw != NULL && PK11_Authenticate(slot, PR_TRUE, NULL) != SECSuccess) {
		if (PR_GetError() == SEC_ERROR_BAD_PASSWORD)
			nc_err("wrong password for the CA database %s "
			    "(--ca-password-file)", dir);
		else
			nc_err("cannot unlock the CA database %s: %s", dir, nss_err());
		PK11_FreeSlot(slot);
		goto out;
	}
	PK11_FreeSlot(slot);
	rc = NC_OK;
out:
	free(db);
	free(dir);
	return rc;
}

char *
nc_dn_normal(const char *dn)
{
	CERTName *n = CERT_AsciiToName(dn);
	char *a, *r;

	if (n == NULL)
		return NULL;
	a = CERT_NameToAscii(n);
	CERT_DestroyName(n);
	if (a == NULL)
		return NULL;
	r = xstrdup(a);
	PORT_Free(a);
	return r;
}

void
nc_ca_close(void)
{
	if (ca_pw != NULL)
		secret_strfree(ca_pw);
	ca_pw = NULL;
	if (ca_open) {
		if (NSS_Shutdown() != SECSuccess)
			nc_err("warning: NSS shutdown: %s", nss_err());
		ca_open = 0;
	}
}

void
nc_cert_out_free(struct nc_cert_out *o)
{
	free(o->der);
	free(o->subject);
	memset(o, 0, sizeof(*o));
}

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

/* SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
static int
key_id(CERTSubjectPublicKeyInfo *spki, unsigned char out[SKID_LEN])
{
	SECItem bits = spki->subjectPublicKey;

	DER_ConvertBitString(&bits);
	return PK11_HashBuf(SEC_OID_SHA1, out, bits.data, (PRInt32)bits.len) ==
	    SECSuccess ? 0 : -1;
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
    const unsigned char skid[SKID_LEN], const unsigned char akid[SKID_LEN],
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
	der_tlv(&d, 0x04, skid, SKID_LEN);
	rc |= add_ext(h, SEC_OID_X509_SUBJECT_KEY_ID, &d, 0);
	der_init(&d);
	m = d.len;
	der_tlv(&d, 0x80, akid, SKID_LEN);
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
	unsigned char ser[NC_SERIAL_LEN], skid[SKID_LEN], akid[SKID_LEN];
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
		nc_err("cannot read the public key of the request: %s", nss_err());
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

	if (key_id(&req->subjectPublicKeyInfo, skid) != 0)
		goto nss_fail;
	if (issuer == NULL) {
		memcpy(akid, skid, SKID_LEN);
	} else {
		SECItem ik = { siBuffer, NULL, 0 };

		if (CERT_FindSubjectKeyIDExtension(issuer, &ik) != SECSuccess ||
		    ik.len != SKID_LEN) {
			if (key_id(&issuer->subjectPublicKeyInfo, akid) != 0)
				goto nss_fail;
		} else {
			memcpy(akid, ik.data, SKID_LEN);
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
	nc_err("cannot make the certificate: %s", nss_err());
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
		nc_err("cannot make the CA key: %s", nss_err());
		goto out;
	}
	PK11_SetPrivateKeyNickname(priv, nick);
	spki = SECKEY_CreateSubjectPublicKeyInfo(pub);
	if (spki == NULL || (req = CERT_CreateCertificateRequest(name, spki, NULL)) == NULL) {
		nc_err("cannot prepare the CA certificate: %s", nss_err());
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
		nc_err("cannot store the CA certificate: %s", nss_err());
		goto out;
	}
	dbc = PK11_FindCertFromNickname(nick, NULL);
	if (dbc == NULL || CERT_DecodeTrustString(&trust, "CT,C,C") != SECSuccess ||
	    CERT_ChangeCertTrust(CERT_GetDefaultCertDB(), dbc, &trust) != SECSuccess) {
		nc_err("cannot set the CA's trust: %s", nss_err());
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
						nc_err("refused: the request's DNS name '%s' is "
						    "not a host name", s + 4);
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
		    nss_err());
		goto out;
	}
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
		nc_err("the CA's private key cannot be used: %s", nss_err());
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
    unsigned long crlnumber, unsigned char **derout, size_t *lenout)
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
	unsigned char akid[SKID_LEN];
	time_t now = time(NULL);
	size_t i, m, m2, m3, nrev = 0;
	int rc = NC_DB;

	ca = PK11_FindCertFromNickname(nick, NULL);
	if (ca == NULL || (key = PK11_FindKeyByAnyCert(ca, NULL)) == NULL) {
		nc_err("the CA certificate or key '%s' cannot be used: %s", nick,
		    nss_err());
		goto out;
	}
	alg = SEC_GetSignatureAlgorithmOidTag(key->keyType, SEC_OID_SHA256);
	memset(&algid, 0, sizeof(algid));
	if (arena == NULL ||
	    SECOID_SetAlgorithmID(arena, &algid, alg, NULL) != SECSuccess ||
	    SEC_ASN1EncodeItem(arena, &algder, &algid,
	    SEC_ASN1_GET(SECOID_AlgorithmIDTemplate)) == NULL)
		goto nss_fail;
	if (CERT_FindSubjectKeyIDExtension(ca, &ik) == SECSuccess && ik.len == SKID_LEN)
		memcpy(akid, ik.data, SKID_LEN);
	else if (key_id(&ca->subjectPublicKeyInfo, akid) != 0)
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
	der_tlv(d, 0x80, akid, SKID_LEN);
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
	nc_err("cannot make the CRL: %s", nss_err());
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

/* ---------------------------------------------------------------- verify */

int
nc_ca_verify(const unsigned char *der, size_t len, enum nc_kind usage,
    const char *host, char *why, size_t whylen)
{
	SECItem it = { siBuffer, (unsigned char *)der, (unsigned)len };
	CERTCertificate *c;
	SECCertificateUsage u = usage == NC_KIND_SERVER ?
	    certificateUsageSSLServer : usage == NC_KIND_CLIENT ?
	    certificateUsageSSLClient : certificateUsageSSLCA;
	int rc = NC_OK;

	why[0] = '\0';
	c = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &it, NULL, PR_FALSE,
	    PR_TRUE);
	if (c == NULL) {
		snprintf(why, whylen, "cannot read the certificate: %s", nss_err());
		return NC_DB;
	}
	if (CERT_VerifyCertificateNow(CERT_GetDefaultCertDB(), c, PR_TRUE, u, NULL,
	    NULL) != SECSuccess) {
		snprintf(why, whylen, "%s", nss_err());
		rc = NC_VERIFY;
	} else if (host != NULL && CERT_VerifyCertName(c, host) != SECSuccess) {
		snprintf(why, whylen, "its names (subjectAltName) do not include "
		    "'%s'", host);
		rc = NC_VERIFY;
	}
	CERT_DestroyCertificate(c);
	return rc;
}
