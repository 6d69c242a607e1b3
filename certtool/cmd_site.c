/*
 * nutsec - certtool/cmd_site.c: renew (a certificate again, with the names
 * and subject it had, a new key) and site (the common case in one command:
 * the CA, upsd's database and one database per client, in one directory).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nutcert.h"
#include "xmalloc.h"

int
cmd_renew(void)
{
	struct nc_index ix = { NULL, 0 };
	struct nc_entry *e;
	enum nc_kind kind;
	char *sans = NULL, *subject = NULL, *tok, *save = NULL, *installed = NULL;
	int rc;

	if ((rc = nc_index_load(nc_opt.pki, &ix)) != NC_OK)
		return rc;
	e = nc_index_find(&ix, cli.pos[0]);
	if (e == NULL) {
		nc_err("no valid certificate named '%s' in %s (nutcert --pki %s list)",
		    cli.pos[0], nc_opt.pki, nc_opt.pki);
		nc_index_free(&ix);
		return NC_NOTFOUND;
	}
	if (e->kind == NC_KIND_CA) {
		nc_err("refused: '%s' is the CA (a new CA: init --force)", e->name);
		nc_index_free(&ix);
		return NC_REFUSED;
	}
	kind = e->kind;
	sans = xstrdup(e->sans);
	subject = xstrdup(e->subject);
	nc_index_free(&ix);
	/* the same names and subject as before */
	for (tok = strtok_r(sans, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "dns:", 4) == 0 && cli.nhosts < NC_MAX_LIST)
			cli.hosts[cli.nhosts++] = tok + 4;
		else if (strncmp(tok, "ip:", 3) == 0 && cli.nips < NC_MAX_LIST)
			cli.ips[cli.nips++] = tok + 3;
	}
	cli.subject = subject;
	nc_opt.force = 1;
	/* by default into the database it was installed into */
	if (cli.out == NULL && (installed = nc_installed_get(nc_opt.pki, cli.pos[0])) != NULL) {
		cli.out = installed;
		nc_note("renewing '%s' in %s", cli.pos[0], installed);
	}
	if (cli.out == NULL) {
		nc_err("where is '%s' installed? give --out DBDIR", cli.pos[0]);
		rc = NC_USAGE;
	} else {
		rc = nc_issue_leaf(kind);
	}
	if (rc == NC_OK && kind == NC_KIND_SERVER)
		nc_note("a running upsd serves the new certificate after: upsd -c reload");
	free(installed);
	free(sans);
	free(subject);
	return rc;
}

int
cmd_site(void)
{
	const char *site = cli.out;
	char *dir = NULL;
	int rc, i;
	const char *saved_subject = cli.subject;

	if (site == NULL || cli.nhosts == 0) {
		nc_err("site needs --out SITEDIR and --host DNSNAME (upsd's name)");
		return NC_USAGE;
	}
	if (mkdir(site, 0750) != 0 && errno != EEXIST) {
		nc_err("cannot create %s: %s", site, strerror(errno));
		return NC_DB;
	}
	/* the daemons' group passes through to the databases */
	if ((rc = nc_db_fix_modes(site, cli.group)) != NC_OK)
		return rc;
	/* the CA (harmless when it exists); --days, --key and --bits are for
	 * the new certificates, and for a new CA only the key options */
	{
		char *nick = nc_ca_name(nc_opt.pki);
		const char *key = cli.key;
		int bits = cli.bits, days = cli.days;

		cli.subject = NULL;
		cli.days = -1;
		if (nick != NULL)
			cli.key = NULL, cli.bits = 0;
		free(nick);
		rc = cmd_init();
		cli.key = key;
		cli.bits = bits;
		cli.days = days;
		if (rc != NC_OK)
			return rc;
	}
	cli.subject = saved_subject;
	/* upsd */
	dir = xasprintf("%s/upsd", site);
	cli.pos[0] = "upsd";
	cli.npos = 1;
	cli.out = dir;
	if (!nc_opt.json)
		printf("## upsd: %s\n", dir);
	rc = nc_issue_leaf(NC_KIND_SERVER);
	free(dir);
	if (rc != NC_OK)
		return rc;
	/* the clients: no names, subject CN=NAME */
	cli.nhosts = cli.nips = 0;
	cli.subject = NULL;
	for (i = 0; i < cli.nclients; i++) {
		dir = xasprintf("%s/%s", site, cli.clients[i]);
		cli.pos[0] = cli.clients[i];
		cli.out = dir;
		if (!nc_check_name("--client", cli.clients[i])) {
			free(dir);
			return NC_USAGE;
		}
		if (!nc_opt.json)
			printf("## client %s: %s\n", cli.clients[i], dir);
		rc = nc_issue_leaf(NC_KIND_CLIENT);
		free(dir);
		if (rc != NC_OK)
			return rc;
	}
	{
		char *ca = nc_pki_path(nc_opt.pki, "ca.crt");

		nc_note("site ready in %s; the CA certificate for other tools: %s",
		    site, ca);
		free(ca);
	}
	return NC_OK;
}
