/*
 * nutsec - upsd_conf.c: the upsd.conf directive table. Directive names are
 * case-sensitive upper case as in NUT (DEBUG_MIN is also accepted in lower
 * case); every value is checked here, once, and kept in struct upsd_conf.
 * The TLS directives are validated now so that a configuration that will
 * not work is refused at start-up rather than on the first STARTTLS.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "conf.h"
#include "log.h"
#include "paths.h"
#include "secret.h"
#include "xmalloc.h"

#include "upsd.h"

static const char *const certrequest_names[] = { "NO", "REQUEST", "REQUIRE", NULL };
/* In the order of enum list_client_access. */
static const char *const list_client_names[] = { "anyone", "user", "primary", NULL };
/* In the order of enum sandbox_action (sandbox/sandbox.h). */
static const char *const sandbox_names[] = { "kill", "trap", "log", "off", NULL };

static int
conf_listen(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsd_conf *cf = obj;
	struct listen_addr *la;
	long port = NUT_PORT;

	if (argv[0][0] == '\0') {
		conf_error(cx, "LISTEN: empty address");
		return -1;
	}
	if (argc > 1 && conf_parse_long(cx, argv[1], 1, 65535, &port) != 0)
		return -1;
	if (cf->nlisten >= 64) {
		conf_error(cx, "LISTEN: too many addresses (64 at most)");
		return -1;
	}
	cf->listen = xreallocarray(cf->listen, cf->nlisten + 1, sizeof(*cf->listen));
	la = &cf->listen[cf->nlisten++];
	la->host = xstrdup(argv[0]);
	la->port = (unsigned)port;
	return 0;
}

/* CERTPATH names the NSS database directory, optionally "sql:"-prefixed. */
static int
conf_certpath(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsd_conf *cf = obj;
	const char *dir = argv[0];
	struct stat st;

	if (strncmp(dir, "sql:", 4) == 0 || strncmp(dir, "dbm:", 4) == 0)
		dir += 4;
	/* At reload the path is outside the jail: state.c compares it with
	 * the one in force instead. */
	if (cf->reloading) {
		free(cf->certpath);
		cf->certpath = xstrdup(argv[0]);
		return 0;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		conf_error(cx, "CERTPATH '%s' is not an existing directory", argv[0]);
		return -1;
	}
	if (st.st_mode & S_IROTH)
		conf_warn(cx, "CERTPATH '%s' is readable by others: chmod o-rwx it", dir);
	free(cf->certpath);
	cf->certpath = xstrdup(argv[0]);
	return 0;
}

static int
conf_certident(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsd_conf *cf = obj;

	if (argc < 1 || argv[0][0] == '\0') {
		conf_error(cx, "CERTIDENT: empty certificate name (CERTIDENT \"nickname\" "
		    "[\"key database password\"], or the password in CERTPASSWORDFILE)");
		return -1;
	}
	if (argc > 2) {
		conf_error(cx, "CERTIDENT takes the certificate nickname and the key database "
		    "password, not %d words (quote a nickname with spaces)", argc);
		return -1;
	}
	free(cf->certident_name);
	secret_strfree(cf->certident_pass);
	cf->certident_name = xstrdup(argv[0]);
	cf->certident_pass = argc > 1 ? secret_strdup(argv[1]) : NULL;
	return 0;
}

/* CERTPASSWORDFILE: the key database password in a file only root reads. */
static int
conf_certpasswordfile(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsd_conf *cf = obj;

	if (argv[0][0] != '/') {
		conf_error(cx, "CERTPASSWORDFILE '%s' must be an absolute path", argv[0]);
		return -1;
	}
	free(cf->certpasswordfile);
	cf->certpasswordfile = xstrdup(argv[0]);
	return 0;
}

static int
conf_certfile(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	conf_error(cx, "CERTFILE is for OpenSSL builds of NUT; nutsec uses NSS: "
	    "set CERTPATH to the certificate database and CERTIDENT to the "
	    "certificate name and key password");
	return -1;
}

/* Accepted so that old files load; the engine warns and skips them. */
static int
conf_obsolete(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return 0;
}

#define OFF(f) offsetof(struct upsd_conf, f)
/* Sorted by strcmp: conf_check_table() verifies it at start-up. */
static const struct conf_directive upsd_directives[] = {
	{ "ACCEPT", CONF_CUSTOM, 0, 0, 32, 0, 0, NULL,
	    CONF_F_OBSOLETE | CONF_F_REPEATABLE, conf_obsolete,
	    "obsolete access control; use LISTEN and tcp-wrappers" },
	{ "ACL", CONF_CUSTOM, 0, 0, 32, 0, 0, NULL,
	    CONF_F_OBSOLETE | CONF_F_REPEATABLE, conf_obsolete,
	    "obsolete access control; use LISTEN and tcp-wrappers" },
	{ "ALLOW_NOT_ALL_LISTENERS", CONF_BOOL, OFF(allow_not_all_listeners), 0, 0, 0, 0,
	    NULL, CONF_F_RELOADABLE, NULL, "start if at least one LISTEN works" },
	{ "ALLOW_NO_DEVICE", CONF_BOOL, OFF(allow_no_device), 0, 0, 0, 0, NULL,
	    CONF_F_RELOADABLE, NULL, "start with no UPS in ups.conf" },
	{ "CERTFILE", CONF_CUSTOM, 0, 0, 32, 0, 0, NULL, 0, conf_certfile,
	    "OpenSSL only: refused" },
	{ "CERTIDENT", CONF_CUSTOM, 0, 0, 8, 0, 0, NULL, CONF_F_MASK, conf_certident,
	    "server certificate name [and key database password]" },
	{ "CERTPASSWORDFILE", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, conf_certpasswordfile,
	    "file (root only) holding the key database password" },
	{ "CERTPATH", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, conf_certpath,
	    "NSS certificate database directory" },
	{ "CERTREQUEST", CONF_ENUM, OFF(certrequest), 0, 0, 0, 0, certrequest_names, 0,
	    NULL, "client certificates: NO, REQUEST or REQUIRE" },
	{ "DATAPATH", CONF_PATH, OFF(datapath), 0, 0, 0, 0, NULL, 0, NULL,
	    "directory holding cmdvartab" },
	{ "DEBUG_MIN", CONF_INT, OFF(debug_min), 0, 0, 0, 9, NULL, CONF_F_RELOADABLE,
	    NULL, "minimum debug level" },
	{ "DISABLE_WEAK_SSL", CONF_BOOL, OFF(disable_weak_ssl), 0, 0, 0, 0, NULL, 0, NULL,
	    "accepted: TLS older than 1.2 is never offered" },
	{ "LISTEN", CONF_CUSTOM, 0, 1, 2, 0, 0, NULL, CONF_F_REPEATABLE, conf_listen,
	    "address [port] to listen on" },
	{ "LIST_CLIENT_ACCESS", CONF_ENUM, OFF(list_client), 0, 0, 0, 0, list_client_names,
	    CONF_F_RELOADABLE, NULL, "who may LIST CLIENT: anyone, user or primary" },
	{ "MAXAGE", CONF_INT, OFF(maxage), 0, 0, 1, 86400, NULL, CONF_F_RELOADABLE, NULL,
	    "seconds without driver news before its data is stale" },
	{ "MAXCONN", CONF_INT, OFF(maxconn), 0, 0, 1, 1048576, NULL, CONF_F_RELOADABLE,
	    NULL, "most client connections at once (default 1024)" },
	{ "MAXCONN_PER_ADDRESS", CONF_INT, OFF(maxconn_per_address), 0, 0, 0, 1048576, NULL,
	    CONF_F_RELOADABLE, NULL, "most connections from one address (0: no limit)" },
	{ "MAXCONN_PER_LOOPBACK", CONF_INT, OFF(maxconn_per_loopback), 0, 0, 0, 1048576,
	    NULL, CONF_F_RELOADABLE, NULL,
	    "the same for a loopback address (0: no limit)" },
	{ "REJECT", CONF_CUSTOM, 0, 0, 32, 0, 0, NULL,
	    CONF_F_OBSOLETE | CONF_F_REPEATABLE, conf_obsolete,
	    "obsolete access control; use LISTEN and tcp-wrappers" },
	{ "REQUIRE_TLS", CONF_BOOL, OFF(require_tls), 0, 0, 0, 0, NULL, CONF_F_RELOADABLE,
	    NULL, "every command but STARTTLS, VER, NETVER, PROTVER, HELP and LOGOUT "
	    "only inside TLS" },
	{ "REQUIRE_TLS_FOR_LOGIN", CONF_BOOL, OFF(require_tls_for_login), 0, 0, 0, 0, NULL,
	    CONF_F_RELOADABLE, NULL, "refuse USERNAME and PASSWORD outside TLS" },
	{ "SANDBOX", CONF_ENUM, OFF(sandbox), 0, 0, 0, 0, sandbox_names, 0, NULL,
	    "seccomp filter action: kill (default), trap, log or off" },
	{ "STATEPATH", CONF_PATH, OFF(statepath), 0, 0, 0, 0, NULL, 0, NULL,
	    "directory of the driver sockets" },
	{ "STRICT_MODES", CONF_BOOL, OFF(strict_modes), 0, 0, 0, 0, NULL, CONF_F_RELOADABLE,
	    NULL, "refuse secret files that others may read" },
	{ "TRACKINGDELAY", CONF_INT, OFF(trackingdelay), 0, 0, 1, 604800, NULL,
	    CONF_F_RELOADABLE, NULL, "seconds a tracking result is kept" },
};
#undef OFF
#define NDIRECTIVES (sizeof(upsd_directives) / sizeof(upsd_directives[0]))

/* NUT compares DEBUG_MIN case-insensitively; the rest stay exact. */
static int
conf_unknown(struct conf_ctx *cx, void *obj, int in_section, const char *name, int argc,
    char **argv)
{
	struct upsd_conf *cf = obj;

	if (strcasecmp(name, "DEBUG_MIN") != 0)
		return -1;
	if (argc != 1) {
		conf_error(cx, "'%s' takes 1 value", name);
		return -1;
	}
	return conf_parse_long(cx, argv[0], 0, 9, &cf->debug_min);
}

static const struct conf_spec upsd_spec = {
	"upsd.conf", upsd_directives, NDIRECTIVES, NULL, 0, 0, NULL, conf_unknown, 0
};

struct upsd_conf *
upsd_conf_new(void)
{
	struct upsd_conf *cf = XNEW(struct upsd_conf);

	cf->maxage = 15;
	cf->maxconn_per_address = UPSD_PER_ADDRESS;
	cf->maxconn_per_loopback = UPSD_PER_ADDRESS;
	cf->trackingdelay = 3600;
	cf->debug_min = 0;
	return cf;
}

void
upsd_conf_free(struct upsd_conf *cf)
{
	size_t i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nlisten; i++)
		free(cf->listen[i].host);
	free(cf->listen);
	free(cf->statepath);
	free(cf->datapath);
	free(cf->certpath);
	free(cf->certident_name);
	secret_strfree(cf->certident_pass);
	free(cf->certpasswordfile);
	free(cf);
}

int
upsd_conf_load(struct upsd_conf *cf, const char *path)
{
	int n;

	conf_check_table("upsd.conf", upsd_directives, NDIRECTIVES, 0);
	n = conf_load(path, &upsd_spec, cf);
	if (n < 0) {
		log_warn("cannot read %s", path);
		return -1;
	}
	if (n == 0 && cf->certpath != NULL && cf->certident_name == NULL) {
		log_warnx("%s: CERTPATH is set but CERTIDENT is missing", path);
		n++;
	}
	if (n == 0 && cf->certident_name != NULL && cf->certpath == NULL) {
		log_warnx("%s: CERTIDENT is set but CERTPATH is missing", path);
		n++;
	}
	if (n == 0 && cf->certident_pass != NULL && cf->certpasswordfile != NULL) {
		log_warnx("%s: the key database password is given twice (CERTIDENT's "
		    "second word and CERTPASSWORDFILE): keep only CERTPASSWORDFILE", path);
		n++;
	}
	if (n == 0 && cf->require_tls && cf->certpath == NULL) {
		log_warnx("%s: REQUIRE_TLS needs TLS (CERTPATH and CERTIDENT): no command "
		    "could be served", path);
		n++;
	}
	if (n == 0 && cf->require_tls_for_login && cf->certpath == NULL) {
		log_warnx("%s: REQUIRE_TLS_FOR_LOGIN needs TLS (CERTPATH and CERTIDENT): "
		    "no user could log in", path);
		n++;
	}
	return n;
}

/* A boolean environment override, as NUT reads ALLOW_* (leading digit too). */
static void
env_bool(const char *name, int *out)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		return;
	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
	    strcasecmp(v, "on") == 0 || (v[0] >= '1' && v[0] <= '9'))
		*out = 1;
	else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
	    strcasecmp(v, "off") == 0 || v[0] == '0')
		*out = 0;
	else
		log_warnx("environment %s=%s is not a boolean; ignored", name, v);
}

void
upsd_conf_env(struct upsd_conf *cf)
{
	const char *sp = getenv("NUT_STATEPATH");

	if (sp != NULL && *sp != '\0') {
		free(cf->statepath);
		cf->statepath = xstrdup(sp);
	}
	env_bool("ALLOW_NO_DEVICE", &cf->allow_no_device);
	env_bool("ALLOW_NOT_ALL_LISTENERS", &cf->allow_not_all_listeners);
}

const char *
upsd_conf_statepath(const struct upsd_conf *cf)
{
	return cf->statepath != NULL ? cf->statepath : paths_statepath();
}

const char *
upsd_conf_datapath(const struct upsd_conf *cf)
{
	return cf->datapath != NULL ? cf->datapath : paths_datapath();
}

void
upsd_conf_dump(FILE *fp, const struct upsd_conf *cf)
{
	size_t i;

	if (cf->nlisten == 0)
		fprintf(fp, "# LISTEN (default) 127.0.0.1 %u and ::1 %u\n", NUT_PORT, NUT_PORT);
	for (i = 0; i < cf->nlisten; i++)
		fprintf(fp, "LISTEN %s %u\n", cf->listen[i].host, cf->listen[i].port);
	conf_dump(fp, upsd_directives, NDIRECTIVES, cf);
	if (cf->certpath != NULL)
		fprintf(fp, "CERTPATH %s\n", cf->certpath);
	if (cf->certident_name != NULL)
		fprintf(fp, "CERTIDENT \"%s\"%s\n", cf->certident_name,
		    cf->certident_pass != NULL ? " \"********\"" : "");
	if (cf->certpasswordfile != NULL)
		fprintf(fp, "CERTPASSWORDFILE %s\n", cf->certpasswordfile);
	if (cf->maxconn == 0)
		fprintf(fp, "# MAXCONN (default) %d, or what the open-file limit allows\n",
		    UPSD_MAXCONN);

	if (cf->statepath == NULL)
		fprintf(fp, "# STATEPATH (default) %s\n", paths_statepath());
	if (cf->datapath == NULL)
		fprintf(fp, "# DATAPATH (default) %s\n", paths_datapath());
}
