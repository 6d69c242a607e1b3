/*
 * nutsec - certtool/cmd_sign.c: sign-csr, a certificate for a key made
 * elsewhere: the request's signature checked, its extensions refused
 * unless --copy-extensions (CA:TRUE always), the profile deciding the rest.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nutcert.h"
#include "secret.h"
#include "xmalloc.h"


int
cmd_sign_csr(void)
{
	const char *pki = nc_opt.pki, *name = cli.pos[0];
	char *capw = NULL, *nick = NULL, *sans = NULL, *p = NULL, *pem = NULL;
	struct nc_index ix = { NULL, 0 };
	struct nc_issue is;
	struct nc_cert_out out;
	unsigned char *csr = NULL;
	size_t csrlen, i;
	int rc;

	memset(&is, 0, sizeof(is));
	memset(&out, 0, sizeof(out));
	if (!nc_check_name("NAME", name))
		return NC_USAGE;
	if (cli.csr == NULL || cli.profile == NULL) {
		nc_err("sign-csr needs --csr FILE and --profile server|client");
		return NC_USAGE;
	}
	if (strcmp(cli.profile, "server") == 0)
		is.kind = NC_KIND_SERVER;
	else if (strcmp(cli.profile, "client") == 0)
		is.kind = NC_KIND_CLIENT;
	else {
		nc_err("--profile is server or client");
		return NC_USAGE;
	}
	is.allow_csr_ext = cli.copy_ext;
	if ((rc = nc_days_choice(NC_LEAF_DAYS_DEFAULT, NC_LEAF_DAYS_MAX, &is.days)) != NC_OK ||
	    (rc = nc_collect_sans(&is, &sans)) != NC_OK)
		goto out;
	if ((csr = nc_read_file(cli.csr, &csrlen)) == NULL) {
		nc_err("%s: %s", cli.csr, strerror(errno));
		rc = NC_USAGE;
		goto out;
	}
	if ((capw = nc_read_password(cli.ca_pw_file, "CA password file", &rc)) == NULL)
		goto out;
	if ((rc = nc_pki_begin(pki, &ix, &nick)) != NC_OK)
		goto out;
	if (strcmp(nick, name) == 0 || (nc_index_find(&ix, name) != NULL && !nc_opt.force)) {
		nc_err("'%s' was already issued (or is the CA); --force issues "
		    "another and revokes the old one", name);
		rc = NC_CONFLICT;
		goto out;
	}
	if ((rc = nc_ca_open(pki, capw, 0)) != NC_OK)
		goto out;
	if ((rc = nc_ca_sign(nick, csr, csrlen, &is, &ix, &out)) != NC_OK)
		goto out;
	{
		const struct nc_entry *other = is.kind != NC_KIND_CLIENT ? NULL :
		    nc_index_subject_taken(&ix, name, out.subject);

		if (other != NULL) {
			nc_err("refused: the request's subject '%s' is the subject of '%s' "
			    "(%s, serial %s): upsd would take one for the other", out.subject,
			    other->name, nc_kind_str(other->kind), other->serial);
			rc = NC_REFUSED;
			goto out;
		}
	}
	if (is.kind == NC_KIND_SERVER && is.nsans == 0) {
		nc_err("a server certificate needs names: --host/--ip, or "
		    "--copy-extensions to take the request's subjectAltName");
		rc = NC_USAGE;
		goto out;
	}
	if (sans != NULL && strcmp(sans, "-") == 0 && is.nsans > 0) {
		/* names taken from the request */
		char buf[4096] = "";

		for (i = 0; i < is.nsans; i++) {
			size_t l = strlen(buf);

			snprintf(buf + l, sizeof(buf) - l, "%s%s", l ? "," : "", is.sans[i]);
		}
		free(sans);
		sans = xstrdup(buf);
	}
	if ((rc = nc_record_issue(pki, &ix, is.kind, name, sans, &out)) != NC_OK)
		goto out;
	pem = nc_pem(out.der, out.len, "CERTIFICATE");
	if (cli.cert_out != NULL) {
		if (nc_write_file(cli.cert_out, pem, strlen(pem), 0644) != 0) {
			rc = NC_DB;
			goto out;
		}
	} else if (!nc_opt.json) {
		fputs(pem, stdout);
	}
	if (nc_opt.json) {
		/* one object: the certificate in it unless it went to a file */
		printf("{\"status\":\"created\",\"name\":");
		nc_json_str(name);
		printf(",\"kind\":\"%s\",\"subject\":", nc_kind_str(is.kind));
		nc_json_str(out.subject);
		printf(",\"serial\":\"%s\",\"not_after\":%lld,\"%s\":", out.serial,
		    (long long)out.not_after, cli.cert_out != NULL ? "cert_out" : "pem");
		nc_json_str(cli.cert_out != NULL ? cli.cert_out : pem);
		printf("}\n");
	}
	nc_print_summary(is.kind == NC_KIND_SERVER ? "server" : "client", name, &out);
	rc = NC_OK;
out:
	nc_ca_close();
	nc_index_free(&ix);
	nc_cert_out_free(&out);
	nc_issue_free(&is);
	if (capw)
		secret_strfree(capw);
	free(nick);
	free(sans);
	free(p);
	free(pem);
	free(csr);
	return rc;
}
