/*
 * nutsec - cli_tls.c: the TLS settings of upsc, upscmd and upsrw, read
 * from a client file in NUT 2.8.6's nutauth.conf shape (CERTPATH,
 * CERTIDENT_NAME, CERTIDENT_PASS, CERTVERIFY, FORCESSL, plus upsmon.conf's
 * CERTIDENT and CERTHOST lines) with common/conf, then overridden by the
 * environment (NUT_CERTPATH, NUT_CERTVERIFY, NUT_FORCESSL). The file is
 * the one given with -A, else NUT_AUTHCONF_FILE, else the first of
 * $HOME/.config/nut/nutauth.conf and $NUT_CONFPATH/nutauth.conf that
 * exists. It may hold the key password, so a file readable by others is
 * warned about; the password lives in secret memory and is cleared at exit.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "log.h"
#include "paths.h"
#include "perm.h"
#include "secret.h"
#include "upsclient.h"
#include "xmalloc.h"

#define CLI_TLS_MAX_HOSTS 256	/* CERTHOST lines accepted */

struct tlsconf {
	char *certpath;
	char *ident_name;
	char *ident_pass;	/* secret */
	long certverify;	/* -1 (unset, NUT's "inherit") / 0 / 1 */
	long forcessl;
	struct upscli_certhost *hosts;
	char **owned;		/* the hosts' strings, for freeing */
	size_t nhosts, nowned;
};

static struct tlsconf tc = { NULL, NULL, NULL, -1, -1, NULL, NULL, 0, 0 };

/* Keeps s (xmalloc'd or NULL) for cli_tls_free and returns it. */
static char *
own(struct tlsconf *t, char *s)
{
	t->owned = xreallocarray(t->owned, t->nowned + 1, sizeof(*t->owned));
	t->owned[t->nowned++] = s;
	return s;
}

/* "0"/"1"/"-1" (-1: inherit, as NUT's nutauth.conf allows). */
static int
flag_word(struct conf_ctx *cx, const char *what, const char *w, int *out)
{
	long v;

	if (conf_parse_long(cx, w, -1, 1, &v) < 0) {
		conf_error(cx, "CERTHOST %s must be 0, 1 or -1", what);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/*
 * Splits a CERTHOST host word: "host", "host:port", "[v6]" or "[v6]:port";
 * a word with several colons and no brackets is a bare IPv6 address.
 */
static int
split_host(struct conf_ctx *cx, const char *w, char **host, unsigned *port)
{
	const char *colon = NULL, *end;
	size_t hlen;
	long v;

	if (w[0] == '[') {
		end = strchr(w, ']');
		if (end == NULL || end == w + 1 || (end[1] != '\0' && end[1] != ':'))
			goto bad;
		*host = xstrndup(w + 1, (size_t)(end - w - 1));
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strchr(w, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL;	/* bare IPv6 */
		hlen = colon != NULL ? (size_t)(colon - w) : strlen(w);
		if (hlen == 0)
			goto bad;
		*host = xstrndup(w, hlen);
	}
	*port = 0;
	if (colon != NULL) {
		if (conf_parse_long(cx, colon + 1, 1, 65535, &v) < 0) {
			free(*host);
			*host = NULL;
			return -1;
		}
		*port = (unsigned)v;
	}
	return 0;
bad:
	conf_error(cx, "CERTHOST: bad host '%s' (host, host:port or [v6]:port)", w);
	return -1;
}

/* CERTHOST "host[:port]" "certificate name" certverify forcessl */
static int
d_certhost(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct tlsconf *t = obj;
	struct upscli_certhost h;
	char *host = NULL;

	memset(&h, 0, sizeof(h));
	if (argc != 4) {
		conf_error(cx, "CERTHOST needs: host certificate-name certverify forcessl");
		return -1;
	}
	if (t->nhosts >= CLI_TLS_MAX_HOSTS) {
		conf_error(cx, "more than %d CERTHOST lines", CLI_TLS_MAX_HOSTS);
		return -1;
	}
	if (flag_word(cx, "certverify", argv[2], &h.certverify) < 0 ||
	    flag_word(cx, "forcessl", argv[3], &h.forcessl) < 0 ||
	    split_host(cx, argv[0], &host, &h.port) < 0)
		return -1;
	h.host = own(t, host);
	h.certname = argv[1][0] != '\0' ? own(t, xstrdup(argv[1])) : NULL;
	t->hosts = xreallocarray(t->hosts, t->nhosts + 1, sizeof(*t->hosts));
	t->hosts[t->nhosts++] = h;
	return 0;
}

/* CERTIDENT "name" "password" (upsmon.conf's form of the two keys) */
static int
d_certident(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct tlsconf *t = obj;

	if (argc != 2) {
		conf_error(cx, "CERTIDENT needs: certificate-name password");
		return -1;
	}
	free(t->ident_name);
	secret_strfree(t->ident_pass);
	t->ident_name = xstrdup(argv[0]);
	t->ident_pass = secret_strdup(argv[1]);
	return 0;
}

/* CERTFILE is OpenSSL's: an NSS build has no use for it (NUT says so too). */
static int
d_certfile(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	(void)obj;
	(void)argc;
	(void)argv;
	conf_warn(cx, "CERTFILE is for OpenSSL builds and is ignored: use "
	    "CERTPATH (an NSS database) and CERTIDENT_NAME");
	return 0;
}

/* Per-user sections of nutauth.conf carry USER/PASS, which we do not take
 * from files: skip them with a note. */
static void *
section_begin(struct conf_ctx *cx, void *obj, const char *name)
{
	(void)obj;
	conf_warn(cx, "section [%s] ignored: per-server settings go in CERTHOST "
	    "lines, credentials on the command line", name);
	return NULL;
}

#define TC(f) offsetof(struct tlsconf, f)
static const struct conf_directive tls_dirs[] = {
	{ "CERTFILE", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, d_certfile,
	  "OpenSSL only: ignored" },
	{ "CERTHOST", CONF_CUSTOM, 0, 4, 4, 0, 0, NULL, CONF_F_REPEATABLE,
	  d_certhost, "host[:port] certificate-name certverify forcessl" },
	{ "CERTIDENT", CONF_CUSTOM, 0, 2, 2, 0, 0, NULL, CONF_F_MASK,
	  d_certident, "client certificate nickname and key database password" },
	{ "CERTIDENT_NAME", CONF_STR, TC(ident_name), 1, 1, 0, 0, NULL, 0,
	  NULL, "client certificate nickname" },
	{ "CERTIDENT_PASS", CONF_SECRET, TC(ident_pass), 1, 1, 0, 0, NULL,
	  CONF_F_MASK, NULL, "key database password" },
	{ "CERTPATH", CONF_STR, TC(certpath), 1, 1, 0, 0, NULL, 0, NULL,
	  "NSS database directory (sql: prefix optional)" },
	{ "CERTVERIFY", CONF_INT, TC(certverify), 1, 1, -1, 1, NULL, 0, NULL,
	  "verify the server certificate (1), or not (0)" },
	{ "FORCESSL", CONF_INT, TC(forcessl), 1, 1, -1, 1, NULL, 0, NULL,
	  "refuse servers without TLS (1), or not (0)" },
};

static const struct conf_spec tls_spec = {
	"nutauth.conf", tls_dirs, sizeof(tls_dirs) / sizeof(tls_dirs[0]),
	NULL, 0, 1, section_begin, NULL, 0
};

/* An environment override of a 0/1 setting; dies on anything else. */
static void
env_flag(const char *name, long *out)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		return;
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		cli_die("Error: %s must be 0 or 1", name);
	*out = v[0] - '0';
}

/* Loads path; 0, or -1 when it does not exist and may be skipped. */
static int
load(const char *path, int must_exist)
{
	int r;

	r = conf_load(path, &tls_spec, &tc);
	if (r < 0 && errno == ENOENT && !must_exist)
		return -1;
	if (r < 0)
		cli_die("Error: cannot read %s: %s", path, strerror(errno));
	if (r > 0)
		cli_die("Error: %s: %d error%s (see above)", path, r, r == 1 ? "" : "s");
	(void)perm_check_secret_file(path, 0);
	log_debug("TLS settings from %s", path);
	return 0;
}

void
cli_tls_load(const char *file, struct upscli_opts *o)
{
	const char *home, *env;
	char path[4096];

	conf_check_table("nutauth.conf", tls_dirs,
	    sizeof(tls_dirs) / sizeof(tls_dirs[0]), 1);
	env = getenv("NUT_AUTHCONF_FILE");
	if (file != NULL)
		(void)load(file, 1);
	else if (env != NULL && *env != '\0')
		(void)load(env, 1);
	else {
		home = getenv("HOME");
		if (home == NULL || *home == '\0' ||
		    str_printf(path, sizeof(path), "%s/.config/nut/nutauth.conf",
		    home) < 0 || load(path, 0) < 0) {
			if (paths_join(path, sizeof(path), paths_confpath(),
			    "nutauth.conf") == 0)
				(void)load(path, 0);
		}
	}
	env = getenv("NUT_CERTPATH");
	if (env != NULL && *env != '\0') {
		free(tc.certpath);
		tc.certpath = xstrdup(env);
	}
	env_flag("NUT_CERTVERIFY", &tc.certverify);
	env_flag("NUT_FORCESSL", &tc.forcessl);

	o->certpath = tc.certpath;
	o->certident_name = tc.ident_name;
	o->certident_pass = tc.ident_pass;
	o->certverify = tc.certverify > 0;
	o->forcessl = tc.forcessl > 0;
	o->certhosts = tc.hosts;
	o->ncerthosts = tc.nhosts;
}

void
cli_tls_free(void)
{
	size_t i;

	for (i = 0; i < tc.nowned; i++)
		free(tc.owned[i]);
	free(tc.owned);
	free(tc.hosts);
	free(tc.certpath);
	free(tc.ident_name);
	secret_strfree(tc.ident_pass);
	memset(&tc, 0, sizeof(tc));
	tc.certverify = tc.forcessl = -1;
}
