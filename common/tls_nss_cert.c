/*
 * nutsec - tls_nss_cert.c: which server certificate a nickname means, what
 * it is (for the log), and what a running server re-reads without a
 * restart: the CRLs in its database and the validity of the client
 * certificates of open sessions.
 *
 * The rule for a nickname that names several certificates (a renewal
 * leaves the old one under the same name, since NSS gives every
 * certificate of one subject the same nickname): among those valid now,
 * usable by a TLS server and with their private key in the database, the
 * one that expires last; on a tie, the one issued last.
 *
 * CRLs: NSS fetches the CRLs of an issuer from the database once and then
 * keeps them in its cache, so one imported later (crlutil -I) is not seen.
 * tls_crl_refresh reads every CRL in the database again and hands them to
 * NSS's cache (CERT_CacheCRL), replacing the ones it handed over at the
 * previous refresh. Verification picks the newest CRL of each issuer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cert.h>
#include <certdb.h>
#include <keyhi.h>
#include <nspr.h>
#include <pk11pub.h>
#include <secerr.h>
#include <ssl.h>

#include "secret.h"
#include "xmalloc.h"

#include "tls.h"
#include "tls_nss_int.h"

static SECItem **crl_cached;		/* our copies, handed to CERT_CacheCRL */
static size_t crl_ncached;

/* ---- choosing and describing the server certificate -------------------- */

/* 1 if a is a better choice than b (later notAfter, then later notBefore). */
static int
cert_better(CERTCertificate *a, CERTCertificate *b)
{
	PRTime anb, ana, bnb, bna;

	if (b == NULL)
		return 1;
	if (CERT_GetCertTimes(a, &anb, &ana) != SECSuccess ||
	    CERT_GetCertTimes(b, &bnb, &bna) != SECSuccess)
		return 0;
	return ana > bna || (ana == bna && anb > bnb);
}

int
tls_nss_pick_cert(const char *nickname, CERTCertificate **certp, SECKEYPrivateKey **keyp,
    int *ncandidates)
{
	CERTCertList *list;
	CERTCertListNode *n;
	CERTCertificate *best = NULL;
	SECKEYPrivateKey *key;

	*certp = NULL;
	*keyp = NULL;
	*ncandidates = 0;
	if ((list = PK11_FindCertsFromNickname(nickname, NULL)) == NULL)
		return -1;
	for (n = CERT_LIST_HEAD(list); !CERT_LIST_END(n, list); n = CERT_LIST_NEXT(n))
		(*ncandidates)++;
	/* Keeps the ones whose key usage and extended key usage allow a server. */
	if (CERT_FilterCertListByUsage(list, certUsageSSLServer, PR_FALSE) != SECSuccess) {
		CERT_DestroyCertList(list);
		return -1;
	}
	for (n = CERT_LIST_HEAD(list); !CERT_LIST_END(n, list); n = CERT_LIST_NEXT(n)) {
		if (CERT_CheckCertValidTimes(n->cert, PR_Now(), PR_FALSE) != secCertTimeValid)
			continue;
		if (!cert_better(n->cert, best))
			continue;
		if ((key = PK11_FindKeyByAnyCert(n->cert, NULL)) == NULL)
			continue;
		if (*keyp != NULL)
			SECKEY_DestroyPrivateKey(*keyp);
		*keyp = key;
		best = n->cert;
	}
	if (best != NULL)
		*certp = CERT_DupCertificate(best);
	CERT_DestroyCertList(list);
	return best != NULL ? 0 : -1;
}

void
tls_nss_describe(CERTCertificate *cert, struct tls_certinfo *ci)
{
	SECKEYPublicKey *pub;
	char *hex;
	unsigned bits;

	memset(ci, 0, sizeof(*ci));
	(void)str_copy(ci->subject, cert->subjectName ? cert->subjectName : "?",
	    sizeof(ci->subject));
	if ((hex = CERT_Hexify(&cert->serialNumber, 0)) != NULL) {
		(void)str_printf(ci->serial, sizeof(ci->serial), "0x%s", hex);
		PORT_Free(hex);
	}
	tls_nss_certtime(cert, 0, ci->not_after, sizeof(ci->not_after));
	{
		PRTime nb, na;

		if (CERT_GetCertTimes(cert, &nb, &na) == SECSuccess)
			ci->expires = (long long)(na / PR_USEC_PER_SEC);
	}
	(void)str_copy(ci->key, "unknown key", sizeof(ci->key));
	if ((pub = CERT_ExtractPublicKey(cert)) == NULL)
		return;
	bits = SECKEY_PublicKeyStrengthInBits(pub);
	switch (SECKEY_GetPublicKeyType(pub)) {
	case rsaKey:
	case rsaPssKey:
		(void)str_printf(ci->key, sizeof(ci->key), "RSA %u bits", bits);
		break;
	case ecKey:
		(void)str_printf(ci->key, sizeof(ci->key), "EC %u bits", bits);
		break;
	default:
		(void)str_printf(ci->key, sizeof(ci->key), "key type %d, %u bits",
		    (int)SECKEY_GetPublicKeyType(pub), bits);
		break;
	}
	SECKEY_DestroyPublicKey(pub);
}

/* ---- CRLs ------------------------------------------------------------- */

static void
crl_uncache_all(void)
{
	size_t i;

	for (i = 0; i < crl_ncached; i++) {
		(void)CERT_UncacheCRL(CERT_GetDefaultCertDB(), crl_cached[i]);
		SECITEM_FreeItem(crl_cached[i], PR_TRUE);
	}
	free(crl_cached);
	crl_cached = NULL;
	crl_ncached = 0;
}

int
tls_crl_refresh(char *err, size_t errlen)
{
	CERTCrlHeadNode *head = NULL;
	CERTCrlNode *n;
	size_t count = 0, i = 0;
	SECItem *copy;

	if (!tls_ready()) {
		(void)str_copy(err, "TLS is not initialised", errlen);
		return -1;
	}
	/* The CRLs in force stay until the new list is read: a failed read
	   must not let revoked certificates in. */
	if (SEC_LookupCrls(CERT_GetDefaultCertDB(), &head, SEC_CRL_TYPE) != SECSuccess) {
		(void)str_printf(err, errlen, "cannot read the CRLs in the database (those "
		    "read before stay in force): %s",
		    PR_ErrorToName(PR_GetError()) ? PR_ErrorToName(PR_GetError()) : "?");
		return -1;
	}
	crl_uncache_all();
	if (head == NULL)
		return 0;
	for (n = head->first; n != NULL; n = n->next)
		count++;
	crl_cached = xreallocarray(NULL, count > 0 ? count : 1, sizeof(*crl_cached));
	for (n = head->first; n != NULL; n = n->next) {
		if (n->crl == NULL || n->crl->derCrl == NULL ||
		    (copy = SECITEM_DupItem(n->crl->derCrl)) == NULL)
			continue;
		/* NSS keeps a pointer to copy until CERT_UncacheCRL: ours to hold. */
		if (CERT_CacheCRL(CERT_GetDefaultCertDB(), copy) != SECSuccess) {
			SECITEM_FreeItem(copy, PR_TRUE);
			continue;
		}
		crl_cached[i++] = copy;
	}
	crl_ncached = i;
	PORT_FreeArena(head->arena, PR_FALSE);
	return (int)crl_ncached;
}

void
tls_crl_forget(void)
{
	crl_uncache_all();
}

/* ---- open sessions ---------------------------------------------------- */

int
tls_peer_recheck(struct tls_conn *c, char *why, size_t len)
{
	CERTCertificate *cert;
	char when[64];
	int bad = 0;

	/* Below REQUIRE a client certificate is not checked at the handshake
	 * either: nothing to re-check. */
	if (!c->done || c->failed || c->is_client || c->req != TLS_CERT_REQUIRE ||
	    (cert = tls_nss_peer_cert(c)) == NULL)
		return 0;
	if (CERT_CheckCertValidTimes(cert, PR_Now(), PR_FALSE) == secCertTimeExpired) {
		tls_nss_certtime(cert, 0, when, sizeof(when));
		(void)str_printf(why, len, "its client certificate expired on %s", when);
		bad = 1;
	} else if (CERT_VerifyCertificateNow(CERT_GetDefaultCertDB(), cert, PR_TRUE,
	    certificateUsageSSLClient, NULL, NULL) != SECSuccess) {
		PRErrorCode e = PR_GetError();

		if (e == SEC_ERROR_REVOKED_CERTIFICATE)
			(void)str_copy(why, "its client certificate has been revoked", len);
		else {
			char text[TLS_ERR_MAX];

			tls_nss_errtext(e, 0, text, sizeof(text));
			(void)str_printf(why, len, "its client certificate no longer passes: %s",
			    text);
		}
		bad = 1;
	}
	CERT_DestroyCertificate(cert);
	return bad;
}
