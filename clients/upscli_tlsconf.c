/*
 * nutsec - upscli_tlsconf.c: the client TLS settings, one directive table
 * for every file that holds them (upsmon.conf, nutauth.conf) on
 * common/conf, and the reader of the file upsc, upscmd and upsrw use.
 * Nothing here ends the program: each problem is reported as
 * "file:line: message" through common/conf, the first one is kept in the
 * settings for the caller to show, and the reader returns -1. CERTHOST
 * host words go through the library's one address parser
 * (upscli_splitaddr, port 0 = any). The key password lives in secret
 * memory and is cleared by upscli_tlsconf_free.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "paths.h"
#include "perm.h"
#include "secret.h"
#include "upsclient.h"
#include "xmalloc.h"

static void tc_error(struct conf_ctx *cx, struct upscli_tlsconf *t,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reports a problem through common/conf and keeps the first one in t->err. */
static void
tc_error(struct conf_ctx *cx, struct upscli_tlsconf *t, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		(void)str_copy(msg, "unreadable value", sizeof(msg));
	va_end(ap);
	if (t->err[0] == '\0' && str_printf(t->err, sizeof(t->err), "%s:%lu: %s",
	    conf_file(cx), conf_line(cx), msg) < 0)
		(void)str_copy(t->err, msg, sizeof(t->err));
	conf_error(cx, "%s", msg);
}

/* "1", "0" or "-1" (-1: inherit, as NUT's files allow) into *out. */
static int
flag_word(struct conf_ctx *cx, struct upscli_tlsconf *t, const char *what,
    const char *w, int *out)
{
	if (strcmp(w, "1") == 0 || strcmp(w, "0") == 0 || strcmp(w, "-1") == 0) {
		*out = atoi(w);
		return 0;
	}
	tc_error(cx, t, "%s must be 1, 0 or -1, not '%s'", what, w);
	return -1;
}

/* Keeps s (xmalloc'd) for upscli_tlsconf_free and returns it. */
static char *
own(struct upscli_tlsconf *t, char *s)
{
	t->strs = xreallocarray(t->strs, t->nstrs + 1, sizeof(*t->strs));
	t->strs[t->nstrs++] = s;
	return s;
}

/* Replaces a string setting. */
static void
set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

/* Replaces the key password (secret memory). */
static void
set_secret(char **slot, const char *v)
{
	secret_strfree(*slot);
	*slot = secret_strdup(v);
}

/* CERTFILE is OpenSSL's: an NSS build has no use for it (NUT says so too). */
static int
d_certfile(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	(void)obj;
	(void)argc;
	(void)argv;
	conf_warn(cx, "CERTFILE is for OpenSSL builds and is ignored: use "
	    "CERTPATH (an NSS database) and CERTIDENT");
	return 0;
}

/* CERTHOST "host[:port]" "certificate name" certverify forcessl */
static int
d_certhost(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upscli_tlsconf *t = obj;
	struct upscli_certhost h;
	char *host = NULL, why[128];

	(void)argc;
	memset(&h, 0, sizeof(h));
	if (t->nhosts >= UPSCLI_TLSCONF_MAX_HOSTS) {
		tc_error(cx, t, "more than %d CERTHOST lines", UPSCLI_TLSCONF_MAX_HOSTS);
		return -1;
	}
	if (flag_word(cx, t, "CERTHOST certverify", argv[2], &h.certverify) < 0 ||
	    flag_word(cx, t, "CERTHOST forcessl", argv[3], &h.forcessl) < 0)
		return -1;
	if (upscli_splitaddr(argv[0], 0, &host, &h.port, why, sizeof(why)) < 0) {
		tc_error(cx, t, "CERTHOST: bad host '%s' (host, host:port or "
		    "[v6]:port): %s", argv[0], why);
		return -1;
	}
	h.host = own(t, host);
	h.certname = argv[1][0] != '\0' ? own(t, xstrdup(argv[1])) : NULL;
	t->hosts = xreallocarray(t->hosts, t->nhosts + 1, sizeof(*t->hosts));
	t->hosts[t->nhosts++] = h;
	return 0;
}

/* CERTIDENT "name" "password" */
static int
d_certident(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upscli_tlsconf *t = obj;

	(void)cx;
	(void)argc;
	set_str(&t->ident_name, argv[0]);
	set_secret(&t->ident_pass, argv[1]);
	return 0;
}

/* nutauth.conf's CERTIDENT_NAME / CERTIDENT_PASS, stored with set; not
 * upsmon.conf keys. */
static int
nutauth_only(struct conf_ctx *cx, struct upscli_tlsconf *t, const char *key,
    char **slot, const char *v, void (*set)(char **, const char *))
{
	if (!t->nutauth) {
		tc_error(cx, t, "%s belongs to nutauth.conf; here it is "
		    "CERTIDENT \"name\" \"password\"", key);
		return -1;
	}
	set(slot, v);
	return 0;
}

static int
d_ident_name(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upscli_tlsconf *t = obj;

	(void)argc;
	return nutauth_only(cx, t, "CERTIDENT_NAME", &t->ident_name, argv[0], set_str);
}

static int
d_ident_pass(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upscli_tlsconf *t = obj;

	(void)argc;
	return nutauth_only(cx, t, "CERTIDENT_PASS", &t->ident_pass, argv[0],
	    set_secret);
}

static int
d_certpath(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upscli_tlsconf *t = obj;

	(void)cx;
	(void)argc;
	set_str(&t->certpath, argv[0]);
	return 0;
}

static int
d_certverify(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upscli_tlsconf *t = obj;

	(void)argc;
	return flag_word(cx, t, "CERTVERIFY", argv[0], &t->certverify);
}

static int
d_forcessl(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upscli_tlsconf *t = obj;

	(void)argc;
	return flag_word(cx, t, "FORCESSL", argv[0], &t->forcessl);
}

const struct conf_directive upscli_tlsconf_keys[UPSCLI_TLSCONF_KEYS] = {
	{ "CERTFILE", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, d_certfile,
	  "OpenSSL only: ignored" },
	{ "CERTHOST", CONF_CUSTOM, 0, 4, 4, 0, 0, NULL, CONF_F_REPEATABLE,
	  d_certhost, "host[:port] certificate-name certverify forcessl" },
	{ "CERTIDENT", CONF_CUSTOM, 0, 2, 2, 0, 0, NULL, CONF_F_MASK,
	  d_certident, "client certificate nickname and key database password" },
	{ "CERTIDENT_NAME", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, d_ident_name,
	  "nutauth.conf: client certificate nickname" },
	{ "CERTIDENT_PASS", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, CONF_F_MASK,
	  d_ident_pass, "nutauth.conf: key database password" },
	{ "CERTPATH", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, d_certpath,
	  "NSS database directory (sql: prefix optional)" },
	{ "CERTVERIFY", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, d_certverify,
	  "verify the server certificate (1), or not (0)" },
	{ "FORCESSL", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, d_forcessl,
	  "refuse servers without TLS (1), or not (0)" },
};

void
upscli_tlsconf_init(struct upscli_tlsconf *t, int nutauth)
{
	memset(t, 0, sizeof(*t));
	t->certverify = t->forcessl = -1;
	t->nutauth = nutauth;
}

void
upscli_tlsconf_free(struct upscli_tlsconf *t)
{
	int nutauth = t->nutauth;
	size_t i;

	for (i = 0; i < t->nstrs; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->hosts);
	free(t->certpath);
	free(t->ident_name);
	secret_strfree(t->ident_pass);
	upscli_tlsconf_init(t, nutauth);
}

int
upscli_tlsconf_line(struct conf_ctx *cx, struct upscli_tlsconf *t,
    const char *name, int argc, char **argv)
{
	const struct conf_directive *d = NULL;
	size_t i;

	for (i = 0; i < UPSCLI_TLSCONF_KEYS && d == NULL; i++) {
		if (strcasecmp(name, upscli_tlsconf_keys[i].name) == 0)
			d = &upscli_tlsconf_keys[i];
	}
	if (d == NULL)
		return 1;
	i = (size_t)(d - upscli_tlsconf_keys);
	/* The same words as common/conf's own checks. */
	if (argc != d->min_args) {
		tc_error(cx, t, "'%s' takes %d value%s, not %d", d->name,
		    d->min_args, d->min_args == 1 ? "" : "s", argc);
		return -1;
	}
	if (!(d->flags & CONF_F_REPEATABLE)) {
		if (t->seen[i] != 0) {
			tc_error(cx, t, "'%s' given more than once (first on line %lu)",
			    d->name, t->seen[i]);
			return -1;
		}
		t->seen[i] = conf_line(cx);
	}
	return d->fn(cx, t, argc, argv) == 0 ? 0 : -1;
}

/* nutauth.conf: the keys alone, through the same path as any reader. */
static int
nutauth_key(struct conf_ctx *cx, void *obj, int in_section, const char *name,
    int argc, char **argv)
{
	struct upscli_tlsconf *t = obj;
	int r;

	(void)in_section;	/* sections are skipped: never here */
	r = upscli_tlsconf_line(cx, t, name, argc, argv);
	if (r == 1) {
		tc_error(cx, t, "unknown directive '%s'", name);
		return -1;
	}
	return r;
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

static const struct conf_spec nutauth_spec = {
	"nutauth.conf", NULL, 0, NULL, 0, 1, section_begin, nutauth_key, 0
};

int
upscli_tlsconf_load(struct upscli_tlsconf *t, const char *path, int must_exist,
    char *err, size_t errlen)
{
	int r;

	conf_check_table("client TLS settings", upscli_tlsconf_keys,
	    UPSCLI_TLSCONF_KEYS, 1);
	t->err[0] = '\0';
	memset(t->seen, 0, sizeof(t->seen));
	r = conf_load(path, &nutauth_spec, t);
	if (r < 0 && errno == ENOENT && !must_exist)
		return 1;
	if (r < 0) {
		(void)str_printf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (r > 0) {
		if (t->err[0] == '\0')
			(void)str_printf(err, errlen, "%s: %d error%s (see above)",
			    path, r, r == 1 ? "" : "s");
		else if (r == 1)
			(void)str_copy(err, t->err, errlen);
		else
			(void)str_printf(err, errlen, "%s (and %d more, see above)",
			    t->err, r - 1);
		return -1;
	}
	(void)perm_check_secret_file(path, 0);
	log_debug("TLS settings from %s", path);
	return 0;
}

/* An environment override of a 0/1 setting. 0, or -1 with err. */
static int
env_flag(const char *name, int *out, char *err, size_t errlen)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		return 0;
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
		(void)str_printf(err, errlen, "%s must be 0 or 1", name);
		return -1;
	}
	*out = v[0] - '0';
	return 0;
}

int
upscli_tlsconf_clients(struct upscli_tlsconf *t, const char *file, char *err,
    size_t errlen)
{
	const char *home, *env;
	char path[4096];
	int r = 1;

	env = getenv("NUT_AUTHCONF_FILE");
	if (file != NULL)
		r = upscli_tlsconf_load(t, file, 1, err, errlen);
	else if (env != NULL && *env != '\0')
		r = upscli_tlsconf_load(t, env, 1, err, errlen);
	else {
		home = getenv("HOME");
		if (home != NULL && *home != '\0' && str_printf(path, sizeof(path),
		    "%s/.config/nut/nutauth.conf", home) == 0)
			r = upscli_tlsconf_load(t, path, 0, err, errlen);
		if (r == 1 && paths_join(path, sizeof(path), paths_confpath(),
		    "nutauth.conf") == 0)
			r = upscli_tlsconf_load(t, path, 0, err, errlen);
	}
	if (r < 0)
		return -1;
	env = getenv("NUT_CERTPATH");
	if (env != NULL && *env != '\0')
		set_str(&t->certpath, env);
	if (env_flag("NUT_CERTVERIFY", &t->certverify, err, errlen) < 0 ||
	    env_flag("NUT_FORCESSL", &t->forcessl, err, errlen) < 0)
		return -1;
	return 0;
}

void
upscli_tlsconf_opts(const struct upscli_tlsconf *t, struct upscli_opts *o)
{
	o->certpath = t->certpath;
	o->certident_name = t->ident_name;
	o->certident_pass = t->ident_pass;
	o->certverify = t->certverify > 0;
	o->forcessl = t->forcessl > 0;
	o->certhosts = t->hosts;
	o->ncerthosts = t->nhosts;
}

/* A database directory as NSS opens it: "sql:" is what no prefix means. */
static int
dbdir_differ(const char *a, const char *b)
{
	if (a != NULL && strncmp(a, "sql:", 4) == 0)
		a += 4;
	if (b != NULL && strncmp(b, "sql:", 4) == 0)
		b += 4;
	return str_differ(a, b);
}

/* A CERTHOST flag as it applies: -1 takes the global setting. */
static int
host_flag(int v, int global)
{
	return v < 0 ? global != 0 : v != 0;
}

/* Host names match case-insensitively (upscli_tls.c), so differ so too. */
static int
hosts_differ(const struct upscli_opts *a, const struct upscli_opts *b)
{
	size_t i;

	if (a->ncerthosts != b->ncerthosts)
		return 1;
	for (i = 0; i < a->ncerthosts; i++) {
		const struct upscli_certhost *x = &a->certhosts[i], *y = &b->certhosts[i];

		if (x->host == NULL || y->host == NULL ? x->host != y->host :
		    strcasecmp(x->host, y->host) != 0)
			return 1;
		if (x->port != y->port || str_differ(x->certname, y->certname) ||
		    host_flag(x->certverify, a->certverify) !=
		    host_flag(y->certverify, b->certverify) ||
		    host_flag(x->forcessl, a->forcessl) != host_flag(y->forcessl, b->forcessl))
			return 1;
	}
	return 0;
}

int
upscli_opts_tls_changed(const struct upscli_opts *a, const struct upscli_opts *b,
    char *out, size_t len)
{
	const struct {
		const char *name;
		int differ;
	} keys[] = {
		{ "CERTPATH", dbdir_differ(a->certpath, b->certpath) },
		{ "CERTIDENT", str_differ(a->certident_name, b->certident_name) ||
		    str_differ(a->certident_pass, b->certident_pass) },
		{ "CERTVERIFY", !a->certverify != !b->certverify },
		{ "FORCESSL", !a->forcessl != !b->forcessl },
		{ "CERTHOST", hosts_differ(a, b) },
	};
	size_t i;
	int n = 0;

	if (len == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].differ) {
			size_t used = strlen(out);	/* len > 0: out was set above */

			(void)str_printf(out + used, len - used, "%s%s", n > 0 ? ", " : "",
			    keys[i].name);
			n++;
		}
	return n;
}
