/*
 * nutsec - pki.h: the certificates of the TLS unit tests. They use the set
 * of tests/integration/tlslib.sh (tls_pki: made on first use under the build
 * tree, then shared by every TLS test of the run, unit, integration and
 * interop alike). Needs TOP_SRCDIR and TOP_BUILDDIR defined by the Makefile.
 */
#ifndef NUTSEC_TEST_PKI_H
#define NUTSEC_TEST_PKI_H

#include <stdio.h>
#include <string.h>

/*
 * Finds or makes the set, plus the PEM copies of the identities named in
 * pems (space-separated, may be empty): its directory into dir, the password
 * of its databases into pw. 0, or -1 (tlslib.sh's reasons on stderr).
 */
static inline int
test_pki(const char *pems, char *dir, size_t dirlen, char *pw, size_t pwlen)
{
	char cmd[1024];
	FILE *fp;
	int ok;

	if ((size_t)snprintf(cmd, sizeof(cmd), "top_srcdir='%s' top_builddir='%s'; "
	    "tap_bail() { echo \"# $*\" >&2; exit 1; }; "
	    ". \"$top_srcdir/tests/integration/tlslib.sh\" && tls_pki >&2 && "
	    "for n in %s; do tls_pem $n || exit 1; done && echo \"$PKI\"",
	    TOP_SRCDIR, TOP_BUILDDIR, pems) >= sizeof(cmd))
		return -1;
	if ((fp = popen(cmd, "r")) == NULL)
		return -1;
	ok = fgets(dir, (int)dirlen, fp) != NULL;
	if (pclose(fp) != 0 || !ok)
		return -1;
	dir[strcspn(dir, "\n")] = '\0';
	if ((size_t)snprintf(cmd, sizeof(cmd), "%s/pw", dir) >= sizeof(cmd) ||
	    (fp = fopen(cmd, "r")) == NULL)
		return -1;
	ok = fgets(pw, (int)pwlen, fp) != NULL;
	fclose(fp);
	if (!ok)
		return -1;
	pw[strcspn(pw, "\n")] = '\0';
	return 0;
}

#endif
