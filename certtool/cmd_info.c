/*
 * nutsec - certtool/cmd_info.c: list, show, verify and expiring, from the
 * CA's index and the copies of the issued certificates (DIR/issued), so
 * they need no password.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nutcert.h"
#include "xmalloc.h"

#define EXPIRING_DAYS_DEFAULT 30

/* The newest entry named name (valid before revoked), or NULL. */
static struct nc_entry *
newest(struct nc_index *ix, const char *name)
{
	struct nc_entry *e = nc_index_find(ix, name);
	size_t i;

	if (e != NULL)
		return e;
	for (i = ix->n; i-- > 0;)
		if (strcmp(ix->e[i].name, name) == 0)
			return &ix->e[i];
	return NULL;
}

static unsigned char *
issued_der(const char *pki, const struct nc_entry *e, size_t *len)
{
	char *p = e->kind == NC_KIND_CA ? nc_pki_path(pki, "ca.der") :
	    xasprintf("%s/issued/%s.der", pki, e->serial);
	unsigned char *der = nc_read_file(p, len);

	if (der == NULL)
		nc_err("%s: %s", p, strerror(errno));
	free(p);
	return der;
}

static const char *
state_of(const struct nc_entry *e, time_t now)
{
	if (e->status == 'R')
		return "revoked";
	if (e->not_after <= now)
		return "expired";
	return "valid";
}

static int
load(struct nc_index *ix)
{
	char *nick = nc_ca_name(nc_opt.pki);
	int rc;

	if (nick == NULL) {
		nc_err("no CA in %s (make one with: nutcert --pki %s init)",
		    nc_opt.pki, nc_opt.pki);
		return NC_DB;
	}
	free(nick);
	rc = nc_index_load(nc_opt.pki, ix);
	return rc;
}

int
cmd_list(void)
{
	struct nc_index ix = { NULL, 0 };
	time_t now = time(NULL);
	size_t i;
	int rc;

	if ((rc = load(&ix)) != NC_OK)
		return rc;
	if (nc_opt.json)
		putchar('[');
	else
		printf("%-8s %-7s %-20s %-32s %-10s %s\n", "STATE", "KIND", "NAME",
		    "SERIAL", "EXPIRES", "SUBJECT");
	for (i = 0; i < ix.n; i++) {
		const struct nc_entry *e = &ix.e[i];
		char na[40];
		struct tm tm;

		gmtime_r(&e->not_after, &tm);
		strftime(na, sizeof(na), "%Y-%m-%d", &tm);
		if (nc_opt.json) {
			printf("%s{\"name\":", i ? "," : "");
			nc_json_str(e->name);
			printf(",\"kind\":\"%s\",\"state\":\"%s\",\"serial\":\"%s\","
			    "\"not_before\":%lld,\"not_after\":%lld,\"names\":",
			    nc_kind_str(e->kind), state_of(e, now), e->serial,
			    (long long)e->not_before, (long long)e->not_after);
			nc_json_str(strcmp(e->sans, "-") ? e->sans : "");
			printf(",\"subject\":");
			nc_json_str(e->subject);
			putchar('}');
		} else {
			char *subj = nc_text_str(e->subject);

			printf("%-8s %-7s %-20s %-32s %-10s %s\n", state_of(e, now),
			    nc_kind_str(e->kind), e->name, e->serial, na, subj);
			free(subj);
		}
	}
	if (nc_opt.json)
		printf("]\n");
	nc_index_free(&ix);
	return NC_OK;
}

int
cmd_show(void)
{
	struct nc_index ix = { NULL, 0 };
	struct nc_entry *e;
	struct nc_certinfo ci;
	unsigned char *der;
	size_t len;
	int rc;
	char nb[40], na[40];

	if ((rc = load(&ix)) != NC_OK)
		return rc;
	e = newest(&ix, cli.pos[0]);
	if (e == NULL) {
		nc_err("no certificate named '%s' in %s", cli.pos[0], nc_opt.pki);
		nc_index_free(&ix);
		return NC_NOTFOUND;
	}
	der = issued_der(nc_opt.pki, e, &len);
	if (der == NULL || nc_certinfo(der, len, &ci) != 0) {
		if (der != NULL)
			nc_err("%s: the stored certificate cannot be read", e->name);
		free(der);
		nc_index_free(&ix);
		return NC_DB;
	}
	nc_time_str(ci.not_before, nb, sizeof(nb));
	nc_time_str(ci.not_after, na, sizeof(na));
	if (nc_opt.json) {
		printf("{\"name\":");
		nc_json_str(e->name);
		printf(",\"kind\":\"%s\",\"state\":\"%s\",\"subject\":",
		    nc_kind_str(e->kind), state_of(e, time(NULL)));
		nc_json_str(ci.subject);
		printf(",\"issuer\":");
		nc_json_str(ci.issuer);
		printf(",\"serial\":\"%s\",\"not_before\":%lld,\"not_after\":%lld,"
		    "\"names\":", ci.serial, (long long)ci.not_before, (long long)ci.not_after);
		nc_json_str(ci.sans);
		printf(",\"usages\":\"%s\",\"sha256\":\"%s\"}\n", ci.usages, ci.sha256);
	} else {
		char *subj = nc_text_str(ci.subject), *iss = nc_text_str(ci.issuer);
		char *sans = nc_text_str(ci.sans[0] ? ci.sans : "(none)");

		printf("name:        %s (%s, %s)\n", e->name, nc_kind_str(e->kind),
		    state_of(e, time(NULL)));
		printf("subject:     %s\nissuer:      %s\n", subj, iss);
		printf("names:       %s\n", sans);
		free(subj);
		free(iss);
		free(sans);
		printf("usages:      %s%s\n", ci.usages, ci.is_ca ? " (a CA)" : "");
		printf("valid:       %s to %s\n", nb, na);
		printf("serial:      %s\nSHA-256:     %s\n", ci.serial, ci.sha256);
		if (e->status == 'R') {
			char ra[40];

			nc_time_str(e->revoked_at, ra, sizeof(ra));
			printf("revoked:     %s (%s)\n", ra, nc_reason_str(e->reason));
		}
	}
	free(der);
	nc_index_free(&ix);
	return NC_OK;
}

int
cmd_verify(void)
{
	struct nc_index ix = { NULL, 0 };
	struct nc_entry *e;
	enum nc_kind usage;
	unsigned char *der = NULL;
	const char *host = cli.nhosts > 0 ? cli.hosts[0] : NULL;
	char why[512];
	size_t len;
	int rc;

	if ((rc = load(&ix)) != NC_OK)
		return rc;
	e = newest(&ix, cli.pos[0]);
	if (e == NULL) {
		nc_err("no certificate named '%s' in %s", cli.pos[0], nc_opt.pki);
		rc = NC_NOTFOUND;
		goto out;
	}
	usage = e->kind;
	if (cli.usage != NULL) {
		if (strcmp(cli.usage, "server") == 0)
			usage = NC_KIND_SERVER;
		else if (strcmp(cli.usage, "client") == 0)
			usage = NC_KIND_CLIENT;
		else {
			nc_err("--usage is server or client");
			rc = NC_USAGE;
			goto out;
		}
	}
	if (e->status == 'R') {
		snprintf(why, sizeof(why), "revoked (%s)", nc_reason_str(e->reason));
		rc = NC_VERIFY;
	} else if ((der = issued_der(nc_opt.pki, e, &len)) == NULL) {
		rc = NC_DB;
		goto out;
	} else if ((rc = nc_ca_open(nc_opt.pki, NULL, 0)) == NC_OK) {
		rc = nc_ca_verify(der, len, usage, host, why, sizeof(why));
		nc_ca_close();
	} else {
		goto out;
	}
	if (nc_opt.json) {
		printf("{\"name\":");
		nc_json_str(e->name);
		printf(",\"usage\":\"%s\",\"valid\":%s,\"reason\":", nc_kind_str(usage),
		    rc == NC_OK ? "true" : "false");
		nc_json_str(why);
		printf("}\n");
	} else if (rc == NC_OK) {
		printf("%s: valid for TLS %s use%s%s\n", e->name,
		    usage == NC_KIND_CLIENT ? "client" : usage == NC_KIND_SERVER ?
		    "server" : "CA", host ? " with the name " : "", host ? host : "");
	} else {
		printf("%s: NOT valid for TLS %s use: %s\n", e->name,
		    usage == NC_KIND_CLIENT ? "client" : usage == NC_KIND_SERVER ?
		    "server" : "CA", why);
	}
out:
	free(der);
	nc_index_free(&ix);
	return rc;
}

int
cmd_expiring(void)
{
	struct nc_index ix = { NULL, 0 };
	time_t now = time(NULL), limit;
	int days = cli.days > 0 ? cli.days : EXPIRING_DAYS_DEFAULT;
	int rc, worst = NC_OK, n = 0;
	size_t i;

	if (cli.days == 0 || cli.days < -1) {
		nc_err("--days must be 1 or more");
		return NC_USAGE;
	}
	if ((rc = load(&ix)) != NC_OK)
		return rc;
	limit = now + (time_t)days * 86400;
	if (nc_opt.json)
		putchar('[');
	for (i = 0; i < ix.n; i++) {
		const struct nc_entry *e = &ix.e[i];
		const char *what;
		char na[40];

		if (e->status != 'V' || e->not_after > limit)
			continue;
		/* a name renewed since has a newer valid entry */
		if (nc_index_find(&ix, e->name) != e)
			continue;
		if (e->not_after <= now) {
			what = "expired";
			worst = NC_EXPIRED;
		} else {
			what = "expiring";
			if (worst == NC_OK)
				worst = NC_EXPIRING;
		}
		nc_time_str(e->not_after, na, sizeof(na));
		if (nc_opt.json) {
			printf("%s{\"name\":", n ? "," : "");
			nc_json_str(e->name);
			printf(",\"kind\":\"%s\",\"state\":\"%s\",\"serial\":\"%s\","
			    "\"not_after\":%lld}", nc_kind_str(e->kind), what, e->serial,
			    (long long)e->not_after);
		} else {
			printf("%s %s '%s' (serial %s): %s %s\n", what,
			    nc_kind_str(e->kind), e->name, e->serial,
			    e->not_after <= now ? "expired on" : "expires on", na);
		}
		n++;
	}
	/* the CRL: its next update (DIR/crlnumber: "NUMBER NEXT-UPDATE") */
	{
		char *p = nc_pki_path(nc_opt.pki, "crlnumber"), *sp;
		size_t len;
		unsigned char *txt = nc_read_file(p, &len);
		time_t next = 0;

		free(p);
		if (txt != NULL && (sp = strchr((char *)txt, ' ')) != NULL)
			next = (time_t)strtoll(sp + 1, NULL, 10);
		free(txt);
		if (next > 0 && next <= limit) {
			const char *what = next <= now ? "expired" : "expiring";
			char na[40];

			if (next <= now)
				worst = NC_EXPIRED;
			else if (worst == NC_OK)
				worst = NC_EXPIRING;
			nc_time_str(next, na, sizeof(na));
			if (nc_opt.json)
				printf("%s{\"name\":\"crl\",\"kind\":\"crl\",\"state\":\"%s\","
				    "\"not_after\":%lld}", n ? "," : "", what, (long long)next);
			else
				printf("%s crl: the CRL %s %s (run: nutcert --pki %s crl "
				    "--install DBDIR ...)\n", what, next <= now ?
				    "was due for its next update on" : "is due for its next update on",
				    na, nc_opt.pki);
			n++;
		}
	}
	if (nc_opt.json)
		printf("]\n");
	else if (n == 0)
		printf("nothing expires within %d days\n", days);
	nc_index_free(&ix);
	return worst;
}
