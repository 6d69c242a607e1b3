/*
 * nutsec - certtool/ca_nss_int.h: what the NSS files of nutcert (ca_nss.c,
 * ca_issue.c, ca_crl.c) share. Only certtool/ and common/tls_nss*.c include
 * NSS headers.
 */
#ifndef NUTSEC_CA_NSS_INT_H
#define NUTSEC_CA_NSS_INT_H

#include <cert.h>

#define NC_SKID_LEN 20		/* SHA-1 key identifiers */

/* NSS's last error as "text (NAME)", in a static buffer. */
const char *nc_nss_err(void);
/* SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
int nc_key_id(CERTSubjectPublicKeyInfo *spki, unsigned char out[NC_SKID_LEN]);

#endif
