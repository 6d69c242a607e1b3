/*
 * nutsec - certtool/cmd_revoke.c: revoke (mark in the index, make the CRL)
 * and crl (make the CRL, install it into each --install database with
 * crlutil). A CRL is valid --days (default 30): run `crl --install`
 * again before that, e.g. from cron.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nutcert.h"
#include "secret.h"
#include "xmalloc.h"

#define CRL_DAYS_DEFAULT 30
#define CRL_DAYS_MAX 366

/* Makes DIR/crl.der (and crl.pem) from the index; the CA must be open. */
static int
make_crl(const char *pki, const struct nc_index *ix, int days, char **path)
{
	char *nick = nc_ca_name(pki), *numpath = nc_pki_path(pki, "crlnumber");
	char *pem = NULL, *pempath = NULL;
	unsigned char *der = NULL, *numtxt;
	unsigned long num = 1;
	size_t len;
	int rc;

	*path = NULL;
	if (nick == NULL) {
		nc_err("no CA in %s", pki);
		free(numpath);
		return NC_DB;
	}
	numtxt = nc_read_file(numpath, &len);
	if (numtxt != NULL) {
		num = strtoul((char *)numtxt, NULL, 10) + 1;
		free(numtxt);
	}
	rc = nc_ca_crl(nick, ix, days, cli.backdate_days, num, &der, &len);
	if (rc == NC_OK) {
		char line[64];

		*path = nc_pki_path(pki, "crl.der");
		pempath = nc_pki_path(pki, "crl.pem");
		pem = nc_pem(der, len, "X509 CRL");
		/* the number, and when this CRL's next update is due (expiring) */
		snprintf(line, sizeof(line), "%lu %lld\n", num,
		    (long long)time(NULL) + ((long long)days - cli.backdate_days) * 86400);
		if (nc_write_file(*path, der, len, 0644) != 0 ||
		    nc_write_file(pempath, pem, strlen(pem), 0644) != 0 ||
		    nc_write_file(numpath, line, strlen(line), 0600) != 0)
			rc = NC_DB;
	}
	free(der);
	free(pem);
	free(pempath);
	free(nick);
	free(numpath);
	return rc;
}

static int
crl_days(int *days)
{
	if (cli.backdate_days < 0) {
		nc_err("--backdate-days must not be negative");
		return NC_USAGE;
	}
	*days = cli.days > 0 ? cli.days : CRL_DAYS_DEFAULT;
	if (cli.days == 0 || cli.days < -1 || *days > CRL_DAYS_MAX) {
		nc_err("--days: 1 to %d for a CRL", CRL_DAYS_MAX);
		return NC_USAGE;
	}
	return NC_OK;
}

int
cmd_revoke(void)
{
	const char *pki = nc_opt.pki, *name = cli.pos[0];
	struct nc_index ix = { NULL, 0 };
	struct nc_entry *e;
	char *capw = NULL, *crl = NULL;
	int reason = 0, rc, days;
	size_t i;

	if (cli.reason != NULL && (reason = nc_reason_code(cli.reason)) < 0) {
		nc_err("--reason: unspecified, keyCompromise, caCompromise, "
		    "affiliationChanged, superseded or cessationOfOperation");
		return NC_USAGE;
	}
	if ((rc = crl_days(&days)) != NC_OK)
		return rc;
	if ((capw = nc_read_password(cli.ca_pw_file, "CA password file", &rc)) == NULL)
		return rc;
	if ((rc = nc_pki_lock(pki)) != NC_OK || (rc = nc_index_load(pki, &ix)) != NC_OK)
		goto out;
	e = nc_index_find(&ix, name);
	if (e == NULL) {
		for (i = 0; i < ix.n; i++)
			if (strcmp(ix.e[i].name, name) == 0)
				break;
		if (i < ix.n) {
			nc_note("'%s' is revoked already: unchanged", name);
			if (nc_opt.json)
				printf("{\"status\":\"unchanged\",\"name\":\"%s\"}\n", name);
			rc = NC_OK;
		} else {
			nc_err("no certificate named '%s' in %s (nutcert --pki %s list)",
			    name, pki, pki);
			rc = NC_NOTFOUND;
		}
		goto out;
	}
	if (e->kind == NC_KIND_CA) {
		nc_err("refused: '%s' is the CA itself (replace it with init --force)", name);
		rc = NC_REFUSED;
		goto out;
	}
	if ((rc = nc_ca_open(pki, capw, 0)) != NC_OK)
		goto out;
	e->status = 'R';
	e->revoked_at = time(NULL);
	e->reason = reason;
	if ((rc = make_crl(pki, &ix, days, &crl)) != NC_OK)
		goto out;
	if ((rc = nc_index_save(pki, &ix)) != NC_OK)
		goto out;
	if (nc_opt.json) {
		printf("{\"status\":\"revoked\",\"name\":");
		nc_json_str(name);
		printf(",\"serial\":\"%s\",\"reason\":\"%s\",\"crl\":", e->serial,
		    nc_reason_str(reason));
		nc_json_str(crl);
		printf("}\n");
	} else {
		nc_note("revoked '%s' (serial %s, %s); the CRL is %s", name, e->serial,
		    nc_reason_str(reason), crl);
		nc_note("install it where certificates are checked (upsd's database),\n"
		    "then have a running upsd read it:\n"
		    "  nutcert --pki %s crl --install DBDIR --ca-password-file F "
		    "--db-password-file F\n  upsd -c reload", pki);
	}
out:
	nc_ca_close();
	nc_index_free(&ix);
	if (capw)
		secret_strfree(capw);
	free(crl);
	return rc;
}

int
cmd_crl(void)
{
	const char *pki = nc_opt.pki;
	struct nc_index ix = { NULL, 0 };
	char *capw = NULL, *dbpw = NULL, *crl = NULL;
	int rc, days, i, nrev = 0;
	size_t k;

	if ((rc = crl_days(&days)) != NC_OK)
		return rc;
	if ((capw = nc_read_password(cli.ca_pw_file, "CA password file", &rc)) == NULL)
		return rc;
	if (cli.ninstalls > 0 && !cli.empty_db_pw &&
	    (dbpw = nc_read_password(cli.db_pw_file, "database password file", &rc)) == NULL)
		goto out;
	if ((rc = nc_pki_lock(pki)) != NC_OK || (rc = nc_index_load(pki, &ix)) != NC_OK)
		goto out;
	if ((rc = nc_ca_open(pki, capw, 0)) != NC_OK)
		goto out;
	if ((rc = make_crl(pki, &ix, days, &crl)) != NC_OK)
		goto out;
	nc_ca_close();
	for (k = 0; k < ix.n; k++)
		nrev += ix.e[k].status == 'R';
	nc_note("CRL %s: %d revoked certificate(s), valid %d days", crl, nrev, days);
	for (i = 0; i < cli.ninstalls; i++) {
		struct nc_db db;

		if ((rc = nc_db_open(&db, cli.installs[i], dbpw, 0)) == NC_OK &&
		    (rc = nc_db_import_crl(&db, crl)) == NC_OK)
			rc = nc_db_fix_modes(cli.installs[i], cli.group);
		nc_db_close(&db);
		if (rc != NC_OK)
			goto out;
		nc_note("installed into %s", cli.installs[i]);
	}
	if (nc_opt.json) {
		printf("{\"status\":\"ok\",\"crl\":");
		nc_json_str(crl);
		printf(",\"revoked\":%d,\"installed\":[", nrev);
		for (i = 0; i < cli.ninstalls; i++) {
			if (i)
				putchar(',');
			nc_json_str(cli.installs[i]);
		}
		printf("]}\n");
	}
	if (cli.ninstalls > 0)
		nc_note("a running upsd reads it at: upsd -c reload (it closes the "
		    "sessions of revoked certificates)");
	rc = NC_OK;
out:
	nc_ca_close();
	nc_index_free(&ix);
	if (capw)
		secret_strfree(capw);
	if (dbpw)
		secret_strfree(dbpw);
	free(crl);
	return rc;
}
