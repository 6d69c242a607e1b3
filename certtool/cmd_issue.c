/*
 * nutsec - certtool/cmd_issue.c: init (the CA), server and client (a key
 * made in the target database by certutil, signed here, installed with the
 * CA under the right trust), and the configuration lines they print.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nutcert.h"
#include "secret.h"
#include "xmalloc.h"

#define DEFAULT_CA_NAME "nutcert-ca"
#define CA_DAYS_DEFAULT 3650
#define CA_DAYS_MAX 7300
#define RSA_BITS_DEFAULT 3072

char *
nc_ca_name(const char *pki)
{
	char *path = nc_pki_path(pki, "ca.name");
	size_t len;
	unsigned char *s = nc_read_file(path, &len);

	free(path);
	if (s == NULL)
		return NULL;
	s[strcspn((char *)s, "\r\n")] = '\0';
	if (!nc_valid_name((char *)s)) {
		free(s);
		return NULL;
	}
	return (char *)s;
}

/* key type and size from --key/--bits; refuses weak keys */
int
nc_key_choice(enum nc_keytype *kt, int *bits)
{
	if (cli.key == NULL || strcmp(cli.key, "ec") == 0) {
		*kt = NC_KEY_EC;
		if (cli.bits != 0 && cli.bits != 256) {
			nc_err("refused: EC keys are P-256 (--bits 256 or none)");
			return NC_REFUSED;
		}
		*bits = 256;
		return NC_OK;
	}
	if (strcmp(cli.key, "rsa") != 0) {
		nc_err("--key is ec or rsa");
		return NC_USAGE;
	}
	*kt = NC_KEY_RSA;
	*bits = cli.bits != 0 ? cli.bits : RSA_BITS_DEFAULT;
	if (*bits < 2048) {
		nc_err("refused: an RSA key of %d bits is weak (at least 2048)", *bits);
		return NC_REFUSED;
	}
	if (*bits > 8192 || *bits % 8 != 0) {
		nc_err("--bits: 2048 to 8192, a multiple of 8");
		return NC_USAGE;
	}
	return NC_OK;
}

int
nc_days_choice(int def, int max, int *days)
{
	*days = cli.days > 0 ? cli.days : def;
	if (cli.days == 0 || cli.days < -1) {
		nc_err("--days must be 1 or more");
		return NC_USAGE;
	}
	if (*days > max) {
		nc_err("refused: %d days is longer than %d", *days, max);
		return NC_REFUSED;
	}
	return NC_OK;
}

void
nc_print_summary(const char *what, const char *name, const struct nc_cert_out *o)
{
	struct nc_certinfo ci;
	char na[40], *subj;

	if (nc_opt.quiet || nc_opt.json)
		return;
	nc_time_str(o->not_after, na, sizeof(na));
	nc_certinfo(o->der, o->len, &ci);
	subj = nc_text_str(o->subject);
	fprintf(stderr, "%s '%s': %s\n  serial %s, valid until %s\n  SHA-256 %s\n",
	    what, name, subj, o->serial, na, ci.sha256);
	free(subj);
}

static int
ensure_pki_dir(const char *pki)
{
	struct stat st;

	if (mkdir(pki, 0700) != 0 && errno != EEXIST) {
		nc_err("cannot create %s: %s", pki, strerror(errno));
		return NC_DB;
	}
	if (stat(pki, &st) != 0 || !S_ISDIR(st.st_mode)) {
		nc_err("%s is not a directory", pki);
		return NC_DB;
	}
	if (st.st_mode & 077) {
		nc_err("refused: %s has mode %04o; the CA's directory must be "
		    "private (chmod 700 %s)", pki, (unsigned)(st.st_mode & 07777), pki);
		return NC_REFUSED;
	}
	return NC_OK;
}

/* Locks DIR, reads its index and the CA's nickname. */
int
nc_pki_begin(const char *pki, struct nc_index *ix, char **nick)
{
	int rc;

	if ((rc = nc_pki_lock(pki)) != NC_OK || (rc = nc_index_load(pki, ix)) != NC_OK)
		return rc;
	if ((*nick = nc_ca_name(pki)) == NULL) {
		nc_err("no CA in %s (make one with: nutcert --pki %s init)", pki, pki);
		return NC_DB;
	}
	return NC_OK;
}

/* The record of a new certificate: DIR/issued/SERIAL.der, the index entry,
 * and the name's previous certificate marked revoked (superseded). */
int
nc_record_issue(const char *pki, struct nc_index *ix, enum nc_kind kind,
    const char *name, const char *sans, const struct nc_cert_out *out)
{
	char *p = xasprintf("%s/issued/%s.der", pki, out->serial);
	struct nc_entry *e;
	int w = nc_write_file(p, out->der, out->len, 0600);

	free(p);
	if (w != 0)
		return NC_DB;
	e = nc_index_find(ix, name);
	if (e != NULL) {
		e->status = 'R';
		e->revoked_at = time(NULL);
		e->reason = 4;	/* superseded */
		nc_note("the previous certificate of '%s' (serial %s) is revoked; "
		    "install the new CRL: nutcert --pki %s crl --install DBDIR ...",
		    name, e->serial, pki);
	}
	e = nc_index_add(ix);
	e->status = 'V';
	strcpy(e->serial, out->serial);
	e->not_before = out->not_before;
	e->not_after = out->not_after;
	e->kind = kind;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->sans = xstrdup(sans);
	e->subject = xstrdup(out->subject);
	return nc_index_save(pki, ix);
}

/* ---------------------------------------------------------------- init */

int
cmd_init(void)
{
	const char *pki = nc_opt.pki;
	char *capw = NULL, *nick = NULL, *p = NULL, *subject = NULL, *pem = NULL;
	struct nc_issue is;
	struct nc_cert_out out;
	struct nc_index ix = { NULL, 0 };
	struct nc_entry *e;
	enum nc_keytype kt;
	int bits, rc;
	struct stat st;

	memset(&out, 0, sizeof(out));
	memset(&is, 0, sizeof(is));
	if ((rc = nc_key_choice(&kt, &bits)) != NC_OK ||
	    (rc = nc_days_choice(CA_DAYS_DEFAULT, CA_DAYS_MAX, &is.days)) != NC_OK)
		return rc;
	if (cli.ca_name != NULL && !nc_check_name("--ca-name", cli.ca_name))
		return NC_USAGE;
	if ((capw = nc_read_password(cli.ca_pw_file, "CA password file", &rc)) == NULL)
		return rc;
	if ((rc = ensure_pki_dir(pki)) != NC_OK || (rc = nc_pki_lock(pki)) != NC_OK)
		goto out;
	p = nc_pki_path(pki, "ca/cert9.db");
	if (stat(p, &st) == 0) {
		/* a CA is there: harmless when nothing different was asked */
		nick = nc_ca_name(pki);
		rc = nc_ca_open(pki, capw, 0);
		if (rc != NC_OK)
			goto out;
		if ((rc = nc_index_load(pki, &ix)) != NC_OK)
			goto out;
		e = nick ? nc_index_find(&ix, nick) : NULL;
		if (cli.subject != NULL)
			subject = nc_dn_normal(cli.subject);
		if (e != NULL && (cli.subject == NULL ||
		    (subject != NULL && strcmp(subject, e->subject) == 0)) &&
		    (cli.ca_name == NULL || strcmp(cli.ca_name, nick) == 0) &&
		    cli.key == NULL && cli.bits == 0 && cli.days < 0) {
			nc_note("the CA '%s' exists already in %s: unchanged", nick, pki);
			if (nc_opt.json) {
				printf("{\"status\":\"unchanged\",\"ca\":");
				nc_json_str(nick);
				printf(",\"serial\":\"%s\"}\n", e->serial);
			}
			rc = NC_OK;
			goto out;
		}
		if (!nc_opt.force) {
			nc_err("a CA exists already in %s (%s); --force replaces it "
			    "(every certificate it issued stops being trusted)", pki,
			    e ? e->subject : "unreadable index");
			rc = NC_CONFLICT;
			goto out;
		}
		nc_ca_close();
		nc_index_free(&ix);
		{
			char *old = nc_pki_path(pki, "ca"), *to;

			to = xasprintf("%s/ca.replaced-%lld", pki, (long long)time(NULL));
			if (rename(old, to) != 0) {
				nc_err("cannot move %s aside: %s", old, strerror(errno));
				free(old);
				free(to);
				rc = NC_DB;
				goto out;
			}
			nc_note("the old CA was moved to %s", to);
			free(old);
			free(to);
			/* the record of the old CA goes with it */
			{
				static const char *const aside[] = { "index", "crl.der",
					"crl.pem", "crlnumber", NULL };
				int k;

				for (k = 0; aside[k] != NULL; k++) {
					old = nc_pki_path(pki, aside[k]);
					to = xasprintf("%s/%s.replaced-%lld", pki, aside[k],
					    (long long)time(NULL));
					if (rename(old, to) != 0 && errno != ENOENT)
						nc_err("warning: cannot move %s aside: %s", old,
						    strerror(errno));
					free(old);
					free(to);
				}
			}
		}
		free(nick);
		nick = NULL;
		free(subject);
		subject = NULL;
	}
	nick = xstrdup(cli.ca_name ? cli.ca_name : DEFAULT_CA_NAME);
	if (cli.subject != NULL) {
		subject = xstrdup(cli.subject);
	} else {
		char host[HOST_NAME_MAX + 1] = "localhost";
		char day[16];
		time_t now = time(NULL);
		struct tm tm;

		gethostname(host, sizeof(host) - 1);
		gmtime_r(&now, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		subject = xasprintf("CN=NUT CA %s %s,O=nutcert", host, day);
	}
	is.kind = NC_KIND_CA;
	is.subject = subject;
	if ((rc = nc_ca_open(pki, capw, 1)) != NC_OK)
		goto out;
	if ((rc = nc_ca_create(nick, kt, bits, &is, &out)) != NC_OK)
		goto out;
	/* the files of the PKI */
	free(p);
	p = nc_pki_path(pki, "ca.der");
	if (nc_write_file(p, out.der, out.len, 0644) != 0)
		goto fail_db;
	free(p);
	p = nc_pki_path(pki, "ca.crt");
	pem = nc_pem(out.der, out.len, "CERTIFICATE");
	if (nc_write_file(p, pem, strlen(pem), 0644) != 0)
		goto fail_db;
	free(p);
	p = nc_pki_path(pki, "issued");
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		goto fail_db;
	free(p);
	p = nc_pki_path(pki, "ca.name");
	{
		char *line = xasprintf("%s\n", nick);
		int w = nc_write_file(p, line, strlen(line), 0600);

		free(line);
		if (w != 0)
			goto fail_db;
	}
	ix.e = NULL;
	ix.n = 0;
	if ((rc = nc_record_issue(pki, &ix, NC_KIND_CA, nick, "-", &out)) != NC_OK)
		goto out;
	nc_print_summary("CA", nick, &out);
	if (nc_opt.json) {
		printf("{\"status\":\"created\",\"ca\":");
		nc_json_str(nick);
		printf(",\"subject\":");
		nc_json_str(out.subject);
		printf(",\"serial\":\"%s\",\"not_after\":%lld}\n", out.serial,
		    (long long)out.not_after);
	} else if (!nc_opt.quiet) {
		fprintf(stderr, "next: nutcert --pki %s server NAME --host HOST --out DBDIR ...\n",
		    pki);
	}
	rc = NC_OK;
	goto out;
fail_db:
	rc = NC_DB;
out:
	nc_ca_close();
	nc_index_free(&ix);
	nc_cert_out_free(&out);
	if (capw)
		secret_strfree(capw);
	free(nick);
	free(p);
	free(subject);
	free(pem);
	return rc;
}

/* ---------------------------------------------------------------- issue */

/* hosts and IPs (comma lists allowed) into "dns:x"/"ip:x" */
void
nc_issue_free(struct nc_issue *is)
{
	size_t i;

	for (i = 0; i < is->nsans; i++)
		free((char *)is->sans[i]);
	is->nsans = 0;
}

int
nc_collect_sans(struct nc_issue *is, char **joined)
{
	char buf[4096] = "";
	int i, k;

	for (k = 0; k < 2; k++) {
		const char **list = k == 0 ? cli.hosts : cli.ips;
		int n = k == 0 ? cli.nhosts : cli.nips;

		for (i = 0; i < n; i++) {
			char *copy = xstrdup(list[i]), *tok, *save = NULL;

			for (tok = strtok_r(copy, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				unsigned char ip[16];
				size_t l;

				if (k == 0 && !nc_valid_dns(tok)) {
					nc_err("--host '%s' is not a DNS name (IP addresses "
					    "go with --ip)", tok);
					free(copy);
					return NC_USAGE;
				}
				if (k == 1 && nc_ip_parse(tok, ip) == 0) {
					nc_err("--ip '%s' is not an IP address", tok);
					free(copy);
					return NC_USAGE;
				}
				if (is->nsans >= NC_MAX_SANS) {
					nc_err("at most %d names", NC_MAX_SANS);
					free(copy);
					return NC_USAGE;
				}
				is->sans[is->nsans++] = xasprintf("%s:%s", k ? "ip" : "dns", tok);
				l = strlen(buf);
				snprintf(buf + l, sizeof(buf) - l, "%s%s",
				    l ? "," : "", is->sans[is->nsans - 1]);
			}
			free(copy);
		}
	}
	*joined = xstrdup(buf[0] ? buf : "-");
	return NC_OK;
}

/* A DN for upsd.users, quoted and in ASCII; NULL stays NULL. xmalloc'd. */
static char *
conf_dn(const char *dn)
{
	char *a, *q;

	if (dn == NULL)
		return NULL;
	a = nc_dn_ascii(dn);
	q = nc_conf_quote(a);
	free(a);
	return q;
}

static void
print_lines(enum nc_kind kind, const char *name, const char *dbabs,
    const char *pw, const struct nc_cert_out *o, const char *status)
{
	char *qn = nc_conf_quote(name), *qp = nc_conf_quote(pw ? pw : "");
	/* the CA's name as the certificate carries it, for certissuer */
	char *issuer = nc_cert_issuer(o->der, o->len);
	char *qs = conf_dn(o->subject), *qi = conf_dn(issuer);
	/* a path with blanks or quotes is quoted, as the config reader wants */
	char *qd = strpbrk(dbabs, " \t\"\\#") ? nc_conf_quote(dbabs) : xstrdup(dbabs);

	if (issuer == NULL)
		nc_err("warning: cannot read the issuer of '%s': no certissuer line", name);
	if (nc_opt.json) {
		printf("{\"status\":\"%s\",\"name\":", status);
		nc_json_str(name);
		printf(",\"kind\":\"%s\",\"db\":", nc_kind_str(kind));
		nc_json_str(dbabs);
		printf(",\"subject\":");
		nc_json_str(o->subject);
		printf(",\"issuer\":");
		nc_json_str(issuer != NULL ? issuer : "");
		printf(",\"serial\":\"%s\",\"not_after\":%lld}\n", o->serial,
		    (long long)o->not_after);
	} else if (kind == NC_KIND_SERVER) {
		printf("# upsd.conf\nCERTPATH %s\nCERTIDENT %s %s\n"
		    "# to require client certificates from this CA:\nCERTREQUEST REQUIRE\n",
		    qd, qn, qp);
	} else {
		printf("# upsmon.conf\nCERTPATH %s\nCERTIDENT %s %s\n"
		    "CERTVERIFY 1\nFORCESSL 1\n", qd, qn, qp);
		printf("# nutauth.conf (upsc, upscmd, upsrw)\nCERTPATH %s\n"
		    "CERTIDENT_NAME %s\nCERTIDENT_PASS %s\nCERTVERIFY 1\nFORCESSL 1\n",
		    qd, qn, qp);
		printf("# upsd.users, in the section of the user this client logs in as\n"
		    "\tcertsubject = %s\n", qs);
		if (qi != NULL)
			printf("\tcertissuer = %s\n", qi);
	}
	secret_strfree(qp);
	free(qn);
	free(qs);
	free(qi);
	free(issuer);
	free(qd);
}

int
nc_issue_leaf(enum nc_kind kind)
{
	const char *pki = nc_opt.pki, *name = cli.pos[0];
	const char *trust_ca = kind == NC_KIND_SERVER ? "CT,," : "C,,";
	char *capw = NULL, *dbpw = NULL, *nick = NULL, *sans = NULL;
	char *subject = NULL, *csr = NULL, *crt = NULL, *cader = NULL, *p = NULL;
	char dbabs[PATH_MAX];
	struct nc_index ix = { NULL, 0 };
	struct nc_entry *old;
	struct nc_issue is;
	struct nc_cert_out out;
	struct nc_db db;
	enum nc_keytype kt;
	unsigned char *csrbuf = NULL;
	size_t csrlen, i;
	int bits, rc, dbopen = 0;

	memset(&is, 0, sizeof(is));
	memset(&out, 0, sizeof(out));
	memset(&db, 0, sizeof(db));
	if (!nc_check_name("NAME", name))
		return NC_USAGE;
	if (cli.out == NULL) {
		nc_err("--out DBDIR is needed (the database to install into)");
		return NC_USAGE;
	}
	if (kind == NC_KIND_SERVER && cli.nhosts == 0) {
		nc_err("a server certificate needs --host DNSNAME (the name clients use)");
		return NC_USAGE;
	}
	if ((rc = nc_key_choice(&kt, &bits)) != NC_OK ||
	    (rc = nc_days_choice(NC_LEAF_DAYS_DEFAULT, NC_LEAF_DAYS_MAX, &is.days)) != NC_OK ||
	    (rc = nc_collect_sans(&is, &sans)) != NC_OK)
		goto out;
	if (cli.backdate_days < 0) {
		nc_err("--backdate-days must not be negative");
		rc = NC_USAGE;
		goto out;
	}
	is.kind = kind;
	is.backdate_days = cli.backdate_days;
	if (cli.subject != NULL)
		subject = xstrdup(cli.subject);
	else if (kind == NC_KIND_SERVER)
		subject = xasprintf("CN=%s", is.sans[0] + 4);
	else
		subject = xasprintf("CN=%s", name);
	if (strpbrk(subject, "\t\n\r") != NULL) {
		nc_err("--subject: no control characters");
		rc = NC_USAGE;
		goto out;
	}
	if ((capw = nc_read_password(cli.ca_pw_file, "CA password file", &rc)) == NULL)
		goto out;
	if (cli.empty_db_pw) {
		if (cli.db_pw_file != NULL) {
			nc_err("--empty-db-password and --db-password-file exclude each other");
			rc = NC_USAGE;
			goto out;
		}
	} else if ((dbpw = nc_read_password(cli.db_pw_file, "database password file",
	    &rc)) == NULL) {
		goto out;
	}
	if ((rc = nc_pki_begin(pki, &ix, &nick)) != NC_OK)
		goto out;
	if (strcmp(nick, name) == 0) {
		nc_err("NAME '%s' is the CA's nickname; choose another", name);
		rc = NC_USAGE;
		goto out;
	}
	if ((rc = nc_ca_open(pki, capw, 0)) != NC_OK)
		goto out;
	{
		char *norm = nc_dn_normal(subject);

		if (norm == NULL) {
			nc_err("--subject '%s' is not a distinguished name (e.g. "
			    "\"CN=upsmon-host1,O=Example\")", subject);
			rc = NC_USAGE;
			goto out;
		}
		free(subject);
		subject = norm;
	}

	{
		const struct nc_entry *other = kind != NC_KIND_CLIENT ? NULL :
		    nc_index_subject_taken(&ix, name, subject);

		if (other != NULL) {
			nc_err("refused: the subject '%s' is the subject of '%s' (%s, serial "
			    "%s): upsd would take one for the other", subject, other->name,
			    nc_kind_str(other->kind), other->serial);
			rc = NC_REFUSED;
			goto out;
		}
	}
	old = nc_index_find(&ix, name);
	if (old != NULL && old->kind == kind && strcmp(old->sans, sans) == 0 &&
	    strcmp(old->subject, subject) == 0 && !nc_opt.force &&
	    old->not_after > time(NULL)) {
		/* the same request again: harmless if the database has it */
		unsigned char *der;
		size_t len;

		p = xasprintf("%s/issued/%s.der", pki, old->serial);
		der = nc_read_file(p, &len);
		if (der != NULL && (rc = nc_db_open(&db, cli.out, dbpw, 0)) != NC_OK &&
		    access(cli.out, F_OK) == 0) {
			free(der);
			nc_db_close(&db);
			goto out;
		}
		if (der != NULL && rc == NC_OK && nc_db_holds(&db, name, der, len)) {
			out.der = der;
			out.len = len;
			snprintf(out.serial, sizeof(out.serial), "%s", old->serial);
			out.not_after = old->not_after;
			out.subject = xstrdup(old->subject);
			if (realpath(cli.out, dbabs) == NULL)
				snprintf(dbabs, sizeof(dbabs), "%s", cli.out);
			nc_note("'%s' is already issued and installed in %s: unchanged",
			    name, cli.out);
			print_lines(kind, name, dbabs, dbpw, &out, "unchanged");
			nc_db_close(&db);
			rc = NC_OK;
			goto out;
		}
		free(der);
		nc_db_close(&db);
	}
	if (old != NULL && !nc_opt.force) {
		char *subj = nc_text_str(old->subject);

		nc_err("'%s' was already issued (%s, serial %s, %s); --force replaces "
		    "it (and revokes the old one)", name, nc_kind_str(old->kind),
		    old->serial, subj);
		free(subj);
		rc = NC_CONFLICT;
		goto out;
	}

	/* the database, the CA in it */
	if ((rc = nc_db_open(&db, cli.out, dbpw, 1)) != NC_OK)
		goto out;
	dbopen = 1;
	if (realpath(cli.out, dbabs) == NULL)
		snprintf(dbabs, sizeof(dbabs), "%s", cli.out);
	if (nc_db_has(&db, name)) {
		if (!nc_opt.force) {
			nc_err("%s already has a certificate named '%s'; --force "
			    "replaces it", cli.out, name);
			rc = NC_CONFLICT;
			goto out;
		}
		for (i = 0; i < 8 && nc_db_has(&db, name); i++)
			if ((rc = nc_db_delete(&db, name, 1)) != NC_OK)
				goto out;
	}
	cader = nc_pki_path(pki, "ca.der");
	if (nc_db_has(&db, nick))
		rc = nc_db_trust(&db, nick, trust_ca);
	else
		rc = nc_db_import(&db, nick, trust_ca, cader);
	if (rc != NC_OK)
		goto out;

	/* key and request in the database, signed here */
	csr = nc_tmpfile("req.der");
	if ((rc = nc_db_request(&db, subject, kt, bits, csr)) != NC_OK)
		goto out;
	if ((csrbuf = nc_read_file(csr, &csrlen)) == NULL) {
		nc_err("%s: %s", csr, strerror(errno));
		rc = NC_TOOL;
		goto out;
	}
	if ((rc = nc_ca_sign(nick, csrbuf, csrlen, &is, &ix, &out)) != NC_OK)
		goto out;
	crt = nc_tmpfile("cert.der");
	if (nc_write_file(crt, out.der, out.len, 0600) != 0) {
		rc = NC_DB;
		goto out;
	}
	if ((rc = nc_db_import(&db, name, ",,", crt)) != NC_OK)
		goto out;

	if ((rc = nc_record_issue(pki, &ix, kind, name, sans, &out)) != NC_OK)
		goto out;
	db.created = 0;		/* issued: the database stays, whatever follows */
	if ((rc = nc_db_fix_modes(cli.out, cli.group)) != NC_OK)
		goto out;
	/* sanity: the CA accepts it for its use; upsd's database does too
	 * (a client's database trusts the CA for servers only: "C,,") */
	{
		char why[512];

		rc = out.not_after <= time(NULL) ? NC_OK :	/* --backdate-days */
		    nc_ca_verify(out.der, out.len, kind, NULL, why, sizeof(why));
		if (rc != NC_OK) {
			nc_err("the new certificate '%s' does not verify: %s", name, why);
			goto out;
		}
	}
	if (kind == NC_KIND_SERVER && out.not_after > time(NULL) &&
	    (rc = nc_db_verify(&db, name, kind)) != NC_OK)
		goto out;
	nc_print_summary(kind == NC_KIND_SERVER ? "server" : "client", name, &out);
	if (nc_installed_set(pki, name, dbabs) != NC_OK)
		nc_err("warning: cannot record where '%s' is installed", name);
	print_lines(kind, name, dbabs, dbpw, &out, "created");
	rc = NC_OK;
out:
	nc_ca_close();
	if (dbopen && rc != NC_OK)
		nc_db_discard(&db);
	if (dbopen)
		nc_db_close(&db);
	nc_index_free(&ix);
	nc_cert_out_free(&out);
	nc_issue_free(&is);
	if (capw)
		secret_strfree(capw);
	if (dbpw)
		secret_strfree(dbpw);
	free(nick);
	free(sans);
	free(subject);
	free(csr);
	free(crt);
	free(cader);
	free(csrbuf);
	free(p);
	return rc;
}

int
cmd_server(void)
{
	return nc_issue_leaf(NC_KIND_SERVER);
}

int
cmd_client(void)
{
	return nc_issue_leaf(NC_KIND_CLIENT);
}
