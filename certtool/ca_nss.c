/*
 * nutsec - certtool/ca_nss.c: the CA's database, opened with NSS in this
 * process (the password given once, never on a retry), names as NSS writes
 * them, key identifiers, and verification against the CA. The certificates
 * themselves are made in ca_issue.c, the CRL in ca_crl.c.
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
#include "secret.h"
#include "xmalloc.h"


static char *ca_pw;		/* secret, for the password callback */
static int ca_open;

const char *
nc_nss_err(void)
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
		nc_err("cannot open the CA database %s: %s", dir, nc_nss_err());
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
			nc_err("cannot set the CA database password: %s", nc_nss_err());
			PK11_FreeSlot(slot);
			goto out;
		}
	}
	if (pw != NULL && PK11_Authenticate(slot, PR_TRUE, NULL) != SECSuccess) {
		if (PR_GetError() == SEC_ERROR_BAD_PASSWORD)
			nc_err("wrong password for the CA database %s "
			    "(--ca-password-file)", dir);
		else
			nc_err("cannot unlock the CA database %s: %s", dir, nc_nss_err());
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
			nc_err("warning: NSS shutdown: %s", nc_nss_err());
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

/* SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
int
nc_key_id(CERTSubjectPublicKeyInfo *spki, unsigned char out[NC_SKID_LEN])
{
	SECItem bits = spki->subjectPublicKey;

	DER_ConvertBitString(&bits);
	return PK11_HashBuf(SEC_OID_SHA1, out, bits.data, (PRInt32)bits.len) ==
	    SECSuccess ? 0 : -1;
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
		snprintf(why, whylen, "cannot read the certificate: %s", nc_nss_err());
		return NC_DB;
	}
	if (CERT_VerifyCertificateNow(CERT_GetDefaultCertDB(), c, PR_TRUE, u, NULL,
	    NULL) != SECSuccess) {
		snprintf(why, whylen, "%s", nc_nss_err());
		rc = NC_VERIFY;
	} else if (host != NULL && CERT_VerifyCertName(c, host) != SECSuccess) {
		snprintf(why, whylen, "its names (subjectAltName) do not include "
		    "'%s'", host);
		rc = NC_VERIFY;
	}
	CERT_DestroyCertificate(c);
	return rc;
}
