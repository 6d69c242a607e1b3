/*
 * nutsec - state.c: the configuration in force and its reload. Each file is
 * read into a fresh object; only a file that parsed without errors
 * replaces the one in force, so a bad edit never leaves upsd half
 * configured (a bad upsd.users keeps the old users, with the errors
 * logged). The files holding secrets are checked for loose permissions
 * before they are read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "paths.h"
#include "perm.h"
#include "upsconf.h"
#include "xmalloc.h"

#include "upsd.h"

static struct upsd_conf *cur_conf;
static struct users *cur_users;
static char *cur_statepath;
static long cur_maxconn = 1;
static long cur_soft;			/* the open-file limit set at start-up */
static struct upsd_opts cur_opts;

static int
confpath_file(char *out, size_t outlen, const char *name)
{
	if (paths_join(out, outlen, paths_confpath(), name) != 0) {
		log_warnx("configuration path too long for %s", name);
		return -1;
	}
	return 0;
}

/* Through conf_stat: inside the jail, files are reached by the kept directory. */
static int
exists(const char *path)
{
	struct stat st;

	return conf_stat(path, &st) == 0;
}

/* The key database others may read (upsd_conf.c warns; STRICT_MODES refuses). */
static int
certdb_open_to_others(const char *certpath)
{
	struct stat st;

	if (certpath == NULL)
		return 0;
	if (strncmp(certpath, "sql:", 4) == 0 || strncmp(certpath, "dbm:", 4) == 0)
		certpath += 4;
	return stat(certpath, &st) == 0 && (st.st_mode & (S_IROTH | S_IWOTH)) != 0;
}

/*
 * Reads upsd.conf; NULL if unreadable, wrong or refused (logged). At a
 * reload, paths outside the jail (CERTPATH) are taken as written and
 * compared with the ones in force afterwards.
 */
static struct upsd_conf *
load_upsd_conf(int reloading)
{
	char path[4096];
	struct upsd_conf *cf;
	int n;

	if (confpath_file(path, sizeof(path), "upsd.conf") != 0)
		return NULL;
	cf = upsd_conf_new();
	cf->reloading = reloading;
	if ((n = upsd_conf_load(cf, path)) != 0) {
		if (n > 0)
			log_warnx("%s: %d error(s)", path, n);
		upsd_conf_free(cf);
		return NULL;
	}
	/* Checked once parsed: the file itself says whether STRICT_MODES holds. */
	if (exists(path) && perm_check_secret_file(path, cf->strict_modes) != 0) {
		upsd_conf_free(cf);
		return NULL;
	}
	if (cf->strict_modes && certdb_open_to_others(cf->certpath)) {
		log_warnx("%s: CERTPATH %s is readable by others (strict modes: refusing "
		    "to use it); run: chmod o-rwx %s", path, cf->certpath, cf->certpath);
		upsd_conf_free(cf);
		return NULL;
	}
	upsd_conf_env(cf);
	return cf;
}

static struct upsconf *
load_ups_conf(void)
{
	char path[4096];
	struct upsconf *uc;
	int n;

	if (confpath_file(path, sizeof(path), "ups.conf") != 0)
		return NULL;
	/* The drivers and upsdrvctl read it with the same reader: a file one
	 * of them refuses, upsd refuses too. */
	if ((uc = upsconf_load(path, &n)) != NULL && n > 0) {
		log_warnx("%s: %d error(s)", path, n);
		upsconf_free(uc);
		uc = NULL;
	}
	return uc;
}

static struct users *
load_users(int strict)
{
	char path[4096];
	struct users *us;
	int n;

	if (confpath_file(path, sizeof(path), "upsd.users") != 0)
		return NULL;
	if (exists(path) && perm_check_secret_file(path, strict) != 0)
		return NULL;
	if ((us = users_load(path, &n)) == NULL && n > 0)
		log_warnx("%s: %d error(s)", path, n);
	return us;
}

/*
 * A certsubject only means something when the certificate was verified:
 * under CERTREQUEST REQUEST anyone can make one with any subject. 0 or -1
 * (logged).
 */
static int
bound_needs_require(const struct users *us, int verified)
{
	const struct user *b = users_first_bound(us);

	if (b == NULL || verified)
		return 0;
	log_warnx("upsd.users: user [%s] has a certsubject, which needs CERTPATH, "
	    "CERTIDENT and CERTREQUEST REQUIRE in upsd.conf (only a verified "
	    "certificate proves its subject)", user_name(b));
	return -1;
}

static void
apply_debug(void)
{
	int lvl = cur_opts.cli_debug;

	if (cur_conf->debug_min > lvl)
		lvl = (int)cur_conf->debug_min;
	log_set_level(lvl > 3 ? 3 : lvl);
}

int
state_load(const struct upsd_opts *o, int check)
{
	struct upsd_conf *cf;
	struct upsconf *uc;
	struct users *us;
	int errors = 0;

	cur_opts = *o;
	cf = load_upsd_conf(0);
	uc = load_ups_conf();
	us = load_users(cf != NULL && cf->strict_modes);
	if (cf == NULL || uc == NULL || us == NULL)
		errors++;
	if (cf != NULL && us != NULL && bound_needs_require(us, cf->certrequest == 2) != 0)
		errors++;
	if (cf != NULL && uc != NULL && uc->nups == 0 && !cf->allow_no_device) {
		log_warnx("no UPS is defined in ups.conf (set ALLOW_NO_DEVICE to start "
		    "without one)");
		errors++;
	}
	if (cf != NULL && cmdvartab_load(upsd_conf_datapath(cf)) != 0)
		errors++;
	if (errors > 0) {
		upsd_conf_free(cf);
		upsconf_free(uc);
		users_free(us);
		return -1;
	}
	/* Environment, then upsd.conf, then ups.conf's global statepath. */
	cur_statepath = xstrdup(cf->statepath != NULL ? cf->statepath :
	    uc->statepath != NULL ? uc->statepath : paths_statepath());
	cur_conf = cf;
	cur_users = us;
	(void)ups_apply(uc, 1);
	upsconf_free(uc);
	if (!check)
		apply_debug();
	return 0;
}

void
state_reload(struct reload_report *r)
{
	struct upsd_conf *cf;
	struct upsconf *uc;
	struct users *us;

	log_notice("reloading configuration");
	/* Without a valid upsd.conf nothing else is trusted either (NUT). */
	if ((cf = load_upsd_conf(1)) == NULL) {
		reload_note(r, RELOAD_FAILED, "reload aborted: upsd.conf is unreadable or "
		    "wrong; the configuration in force is kept");
		return;
	}
	if (cf->nlisten != cur_conf->nlisten)
		reload_note(r, RELOAD_RESTART, "LISTEN changes take effect only at restart");
	if (strcmp(upsd_conf_statepath(cf), cur_statepath) != 0 && cf->statepath != NULL)
		reload_note(r, RELOAD_RESTART, "STATEPATH changes take effect only at restart");
	upsd_tls_reload(cur_conf, cf, r);
	upsd_conf_free(cur_conf);
	cur_conf = cf;
	apply_debug();
	(void)state_apply_limits(0);

	if ((uc = load_ups_conf()) != NULL) {
		if (uc->nups == 0 && !cf->allow_no_device)
			reload_note(r, RELOAD_FAILED, "ups.conf defines no UPS; the old UPS "
			    "list is kept");
		else if (ups_apply(uc, 0) != 0)
			reload_note(r, RELOAD_FAILED, "ups.conf not fully applied (see above)");
		upsconf_free(uc);
	} else
		reload_note(r, RELOAD_FAILED, "ups.conf not reloaded; the old UPS list is kept");

	if ((us = load_users(cf->strict_modes)) != NULL &&
	    bound_needs_require(us, upsd_tls_verifies_clients()) != 0) {
		users_free(us);
		us = NULL;
	}
	if (us != NULL) {
		users_free(cur_users);
		cur_users = us;
	} else
		reload_note(r, RELOAD_FAILED, "upsd.users not reloaded; the old users are kept");

	if (cmdvartab_load(upsd_conf_datapath(cf)) != 0)
		reload_note(r, RELOAD_FAILED, "cmdvartab not reloaded");
	log_notice("configuration reloaded: %zu UPS, %zu user(s)", ups_count(),
	    users_count(cur_users));
}

/*
 * Descriptors that are not clients: the fixed reserve (stdio, the loop,
 * logs, NSS), one per driver and one per listener. Before the listeners
 * are open, each LISTEN counts as two (a name may give IPv4 and IPv6).
 */
static long
fd_reserve(void)
{
	long nl = listen_count();

	if (nl == 0)
		nl = cur_conf->nlisten > 0 ? 2 * (long)cur_conf->nlisten : 2;
	return UPSD_FD_RESERVE + (long)ups_count() + nl;
}

int
state_apply_limits(int initial)
{
	long want, soft, avail, reserve = fd_reserve();

	want = (cur_conf->maxconn > 0 ? cur_conf->maxconn : UPSD_MAXCONN) + reserve;
	/* Raised once while privileged; a reload (in the sandbox) works within it. */
	if (initial || cur_soft == 0)
		cur_soft = privs_raise_nofile(want);
	soft = cur_soft;
	avail = soft - reserve;
	if (avail < 1)
		avail = 1;
	if (cur_conf->maxconn > 0 && cur_conf->maxconn > avail) {
		if (initial) {
			log_warnx("MAXCONN %ld is above what the open-file limit allows "
			    "(%ld); raise the hard limit (ulimit -Hn) or lower MAXCONN",
			    cur_conf->maxconn, avail);
			return -1;
		}
		log_warnx("MAXCONN %ld lowered to %ld (open-file limit)", cur_conf->maxconn,
		    avail);
		cur_maxconn = avail;
		return 0;
	}
	cur_maxconn = cur_conf->maxconn > 0 ? cur_conf->maxconn :
	    avail < UPSD_MAXCONN ? avail : UPSD_MAXCONN;
	log_debug("MAXCONN %ld (open-file limit %ld)", cur_maxconn, soft);
	return 0;
}

void
state_free(void)
{
	upsd_conf_free(cur_conf);
	users_free(cur_users);
	free(cur_statepath);
	cmdvartab_free();
	cur_conf = NULL;
	cur_users = NULL;
	cur_statepath = NULL;
}

const struct upsd_conf *
state_conf(void)
{
	return cur_conf;
}

const struct users *
state_users(void)
{
	return cur_users;
}

const char *
state_statepath(void)
{
	return cur_statepath;
}

long
state_maxconn(void)
{
	return cur_maxconn;
}

void
state_dump(FILE *fp)
{
	struct ups *u;

	fprintf(fp, "# upsd.conf (%s)\n", paths_confpath());
	upsd_conf_dump(fp, cur_conf);
	fprintf(fp, "# effective state path: %s\n", cur_statepath);
	fprintf(fp, "\n# ups.conf: %zu UPS\n", ups_count());
	for (u = ups_first(); u != NULL; u = u->next)
		fprintf(fp, "[%s]\n\tdriver = %s\n\tport = %s\n%s%s%s", u->name, u->driver,
		    u->port, u->desc ? "\tdesc = \"" : "", u->desc ? u->desc : "",
		    u->desc ? "\"\n" : "");
	fprintf(fp, "\n# upsd.users: %zu user(s)\n", users_count(cur_users));
	users_dump(fp, cur_users);
}
