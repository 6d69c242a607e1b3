/*
 * nutsec - certtool/cmd_p12.c: export (a certificate with its key from a
 * database into a PKCS#12 file) and import (a PKCS#12 file into a
 * database, which is made if missing, with this CA trusted), through
 * pk12util; both passwords from files, given to pk12util with -k and -w.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nutcert.h"
#include "secret.h"
#include "xmalloc.h"

/* the database password (or none with --empty-db-password) and the
 * PKCS#12 password, read and copied for the tools */
static int
passwords(char **dbpw, char **p12pw, char **p12file)
{
	int rc;

	*dbpw = *p12pw = *p12file = NULL;
	if (!cli.empty_db_pw &&
	    (*dbpw = nc_read_password(cli.db_pw_file, "database password file", &rc)) == NULL)
		return rc;
	if ((*p12pw = nc_read_password(cli.p12_pw_file, "PKCS#12 password file", &rc)) == NULL)
		return rc;
	if ((*p12file = nc_pwfile_for_tool(*p12pw)) == NULL)
		return NC_DB;
	return NC_OK;
}

static void
free_passwords(char *dbpw, char *p12pw, char *p12file)
{
	if (dbpw)
		secret_strfree(dbpw);
	if (p12pw)
		secret_strfree(p12pw);
	free(p12file);
}

int
cmd_export(void)
{
	const char *name = cli.pos[0];
	char *dbpw, *p12pw, *p12file;
	struct nc_db db;
	struct stat st;
	int rc;

	if (cli.db_dir == NULL || cli.in == NULL) {
		nc_err("export needs --db DBDIR and --p12 FILE");
		return NC_USAGE;
	}
	if (lstat(cli.in, &st) == 0 && !nc_opt.force) {
		nc_err("%s exists already; --force overwrites it", cli.in);
		return NC_CONFLICT;
	}
	if ((rc = passwords(&dbpw, &p12pw, &p12file)) != NC_OK)
		goto out;
	if ((rc = nc_db_open(&db, cli.db_dir, dbpw, 0)) == NC_OK) {
		if (!nc_db_has(&db, name)) {
			nc_err("%s holds no certificate named '%s'", cli.db_dir, name);
			rc = NC_NOTFOUND;
		} else {
			unlink(cli.in);
			rc = nc_db_export_p12(&db, name, cli.in, p12file);
		}
	}
	nc_db_close(&db);
	if (rc == NC_OK) {
		if (chmod(cli.in, 0600) != 0)
			nc_err("warning: chmod 600 %s: %s", cli.in, strerror(errno));
		if (nc_opt.json) {
			printf("{\"status\":\"exported\",\"name\":");
			nc_json_str(name);
			printf(",\"file\":");
			nc_json_str(cli.in);
			printf("}\n");
		} else {
			nc_note("exported '%s' with its key to %s (mode 0600)", name, cli.in);
		}
	}
out:
	free_passwords(dbpw, p12pw, p12file);
	return rc;
}

int
cmd_import(void)
{
	char *dbpw, *p12pw, *p12file, *nick = NULL, *cader = NULL;
	char listing[4096];
	const char *trust = "C,,";
	struct nc_db db;
	int rc;

	if (cli.out == NULL || cli.in == NULL) {
		nc_err("import needs --p12 FILE and --out DBDIR");
		return NC_USAGE;
	}
	if (cli.profile != NULL) {
		if (strcmp(cli.profile, "server") == 0)
			trust = "CT,,";
		else if (strcmp(cli.profile, "client") != 0) {
			nc_err("--profile is server or client");
			return NC_USAGE;
		}
	}
	if (access(cli.in, R_OK) != 0) {
		nc_err("%s: %s", cli.in, strerror(errno));
		return NC_USAGE;
	}
	if ((rc = passwords(&dbpw, &p12pw, &p12file)) != NC_OK)
		goto out;
	if ((nick = nc_ca_name(nc_opt.pki)) == NULL) {
		nc_err("no CA in %s", nc_opt.pki);
		rc = NC_DB;
		goto out;
	}
	cader = nc_pki_path(nc_opt.pki, "ca.der");
	if ((rc = nc_db_open(&db, cli.out, dbpw, 1)) == NC_OK &&
	    (rc = nc_db_import_p12(&db, cli.in, p12file)) == NC_OK) {
		/* the CA under its nickname with the trust of the profile */
		if (nc_db_has(&db, nick))
			rc = nc_db_trust(&db, nick, trust);
		else
			rc = nc_db_import(&db, nick, trust, cader);
		if (rc == NC_OK)
			rc = nc_db_fix_modes(cli.out, cli.group);
		if (rc == NC_OK && nc_db_list(&db, listing, sizeof(listing)) == NC_OK &&
		    !nc_opt.json)
			fputs(listing, stdout);
	}
	if (rc != NC_OK)
		nc_db_discard(&db);
	nc_db_close(&db);
	if (rc == NC_OK && nc_opt.json) {
		printf("{\"status\":\"imported\",\"db\":");
		nc_json_str(cli.out);
		printf("}\n");
	}
out:
	free_passwords(dbpw, p12pw, p12file);
	free(nick);
	free(cader);
	return rc;
}
