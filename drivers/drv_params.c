/*
 * nutsec - drv_params.c: the driver's settings. Loads ups.conf (or builds a
 * section from the command line with -s), applies -x, checks every
 * driver variable against the driver's table (an unknown one is an error
 * naming file:line and the driver exits 1; NUT exited 0), publishes the
 * driver.* variables and the default.* / override.* values, and re-reads
 * the file on reload, applying only what can change live.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "drvcore.h"
#include "log.h"
#include "paths.h"
#include "upsconf.h"
#include "vartree.h"
#include "xmalloc.h"

#define DEFAULT_POLLINTERVAL 2

static const struct drv_vardef *
vardef_find(const struct driver_ops *ops, const char *name)
{
	size_t i;

	for (i = 0; i < ops->nvartable; i++)
		if (strcasecmp(ops->vartable[i].name, name) == 0)
			return &ops->vartable[i];
	return NULL;
}

/* "file:line" or "-x" for a variable's origin, for messages. */
static const char *
origin(const struct drv *d, unsigned long line, char *out, size_t outlen)
{
	if (line == 0 || d->opts.standalone)
		(void)str_copy(out, "command line (-x)", outlen);
	else if (str_printf(out, outlen, "%s:%lu", d->uc->file, line) < 0)
		(void)str_copy(out, d->uc->file, outlen);
	return out;
}

/* Checks one variable line against the driver's table. 0 or -1 (logged). */
static int
check_var(const struct drv *d, const struct upsconf_var *v)
{
	const struct drv_vardef *def;
	char where[4200];

	origin(d, v->line, where, sizeof(where));
	if (strncasecmp(v->name, "default.", 8) == 0 || strncasecmp(v->name, "override.", 9) == 0) {
		const char *var = strchr(v->name, '.') + 1;

		if (v->value == NULL) {
			log_warnx("%s: %s needs a value", where, v->name);
			return -1;
		}
		if (*var == '\0' || strlen(var) > VT_NAME_MAX) {
			log_warnx("%s: %s does not name a variable", where, v->name);
			return -1;
		}
		return 0;
	}
	def = vardef_find(d->ops, v->name);
	if (def == NULL) {
		log_warnx("%s: \"%s\" is not a valid variable or flag for driver %s "
		    "(\"%s -h\" lists them)", where, v->name, d->ops->name, d->ops->name);
		return -1;
	}
	if ((def->flags & DRV_VAR_FLAG) && v->value != NULL) {
		log_warnx("%s: %s is a flag and takes no value", where, v->name);
		return -1;
	}
	if (!(def->flags & DRV_VAR_FLAG) && v->value == NULL) {
		log_warnx("%s: %s needs a value (%s = ...)", where, v->name, v->name);
		return -1;
	}
	return 0;
}

static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void
replace(char **slot, const char *value)
{
	free(*slot);
	*slot = value != NULL ? xstrdup(value) : NULL;
}

/* One -x name[=value]. Core settings are applied directly; the rest are
 * kept as variables and checked like ups.conf lines. */
static int
apply_x(struct drv *d, const char *arg)
{
	struct upsconf_ups *u = d->ups;
	char name[VT_NAME_MAX + 16];
	const char *eq = strchr(arg, '='), *value = NULL;
	size_t n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	long num;

	if (n == 0 || n >= sizeof(name)) {
		log_warnx("-x %s: expected name=value or a flag name", arg);
		return -1;
	}
	memcpy(name, arg, n);
	name[n] = '\0';
	if (eq != NULL)
		value = eq + 1;

	if (strcmp(name, "port") == 0 && value != NULL)
		replace(&u->port, value);
	else if (strcmp(name, "desc") == 0 && value != NULL)
		replace(&u->desc, value);
	else if (strcmp(name, "sdcommands") == 0 && value != NULL)
		replace(&u->sdcommands, value);
	else if (strcmp(name, "user") == 0 && value != NULL)
		replace(&u->user, value);
	else if (strcmp(name, "group") == 0 && value != NULL)
		replace(&u->group, value);
	else if (strcmp(name, "pollinterval") == 0 && value != NULL) {
		if (parse_long(value, 1, 86400, &num) < 0) {
			log_warnx("-x pollinterval: expected 1..86400 seconds");
			return -1;
		}
		u->pollinterval = num;
	} else if (strcmp(name, "synchronous") == 0 && value != NULL) {
		if ((u->synchronous = upsconf_parse_sync(value)) < 0) {
			log_warnx("-x synchronous: expected yes, no or auto");
			return -1;
		}
	} else if (strcmp(name, "allow_killpower") == 0 && value == NULL)
		u->allow_killpower = 1;
	else if (strcmp(name, "nolock") == 0 && value == NULL)
		u->nolock = 1;
	else if (strcmp(name, "ignorelb") == 0 && value == NULL)
		u->ignorelb = 1;
	else
		upsconf_add_var(u, name, value, 0);
	return 0;
}

static int
load_file(struct drv *d)
{
	char path[4096];
	int errors = 0;

	if (paths_join(path, sizeof(path), paths_confpath(), "ups.conf") < 0) {
		log_warnx("configuration path too long");
		return -1;
	}
	d->uc = upsconf_load(path, &errors);
	if (d->uc == NULL)
		return -1;
	if (errors > 0) {
		log_warnx("%s: %d error%s; not starting", path, errors, errors == 1 ? "" : "s");
		return -1;
	}
	d->ups = upsconf_find(d->uc, d->upsname);
	if (d->ups == NULL) {
		log_warnx("%s: no section [%s]", path, d->upsname);
		return -1;
	}
	/* Any case finds the section; its own spelling names the socket (upsd's). */
	free(d->upsname);
	d->upsname = xstrdup(d->ups->name);
	if (strcmp(d->ups->driver, d->ops->name) != 0) {
		log_warnx("%s:%lu: [%s] is for driver %s, not %s", path, d->ups->line,
		    d->upsname, d->ups->driver, d->ops->name);
		return -1;
	}
	return 0;
}

static void
settle(struct drv *d)
{
	const char *jail;
	long dmin;

	d->pollinterval = d->opts.pollinterval > 0 ? d->opts.pollinterval :
	    upsconf_get(d->uc, d->ups, UPSCONF_POLLINTERVAL, DEFAULT_POLLINTERVAL);
	dmin = upsconf_get(d->uc, d->ups, UPSCONF_DEBUG_MIN, 0);
	d->debug_cfg = d->opts.debug > dmin ? d->opts.debug : (int)dmin;
	/* NUT_STATEPATH wins over ups.conf, which wins over the built-in. */
	if (getenv("NUT_STATEPATH") == NULL && d->uc->statepath != NULL)
		d->statepath = d->uc->statepath;
	else
		d->statepath = paths_statepath();
	/* With -r or chroot=, the state path is the one inside the jail (NUT). */
	jail = d->opts.chroot != NULL ? d->opts.chroot : d->uc->chroot;
	if (jail != NULL && geteuid() == 0 &&
	    paths_in_jail(d->statebuf, sizeof(d->statebuf), jail, d->statepath) == 0)
		d->statepath = d->statebuf;
}

int
params_load(struct drv *d)
{
	size_t i;
	int bad = 0;

	if (d->opts.standalone) {
		int errors;

		d->uc = upsconf_load_string("command line", "", &errors);
		d->ups = upsconf_add(d->uc, d->upsname);
		d->ups->driver = xstrdup(d->ops->name);
	} else if (load_file(d) < 0)
		return -1;

	for (i = 0; i < (size_t)d->opts.nx; i++)
		if (apply_x(d, d->opts.x[i]) < 0)
			bad++;
	for (i = 0; i < d->ups->nvars; i++)
		if (check_var(d, &d->ups->vars[i]) < 0)
			bad++;
	if (d->ups->port == NULL) {
		/* only with -s: the ups.conf reader refuses a section without one */
		log_warnx("no port: give -x port=...");
		bad++;
	}
	if (bad > 0)
		return -1;
	settle(d);
	params_apply_debug(d);
	return 0;
}

void
params_apply_debug(struct drv *d)
{
	int level = d->debug_proto >= 0 ? d->debug_proto : d->debug_cfg;

	log_set_level(level > 3 ? 3 : level);
}

/* The last value given for a driver variable (later lines win, as in NUT). */
static const struct upsconf_var *
last_var(const struct upsconf_ups *u, const char *name)
{
	size_t i;

	for (i = u->nvars; i-- > 0;)
		if (strcasecmp(u->vars[i].name, name) == 0)
			return &u->vars[i];
	return NULL;
}

const char *
drv_getval(const struct drv *d, const char *name)
{
	const struct upsconf_var *v;

	if (strcmp(name, "port") == 0)
		return d->ups->port;
	if (strcmp(name, "sdcommands") == 0)
		return d->ups->sdcommands;
	if (strcmp(name, "desc") == 0)
		return d->ups->desc;
	v = last_var(d->ups, name);
	return v != NULL ? v->value : NULL;
}

int
drv_testvar(const struct drv *d, const char *name)
{
	if (strcmp(name, "nolock") == 0)
		return d->ups->nolock;
	if (strcmp(name, "ignorelb") == 0)
		return d->ups->ignorelb;
	if (strcmp(name, "allow_killpower") == 0)
		return d->ups->allow_killpower;
	return last_var(d->ups, name) != NULL || drv_getval(d, name) != NULL;
}

const char *
drv_port(const struct drv *d)
{
	return d->ups->port;
}

long
drv_pollinterval(const struct drv *d)
{
	return d->pollinterval;
}

const char *
drv_upsname(const struct drv *d)
{
	return d->upsname;
}

static void
publish_param(struct drv *d, const char *name, const char *value)
{
	char var[VT_NAME_MAX + 1];

	if (value != NULL) {
		if (str_printf(var, sizeof(var), "driver.parameter.%s", name) == 0)
			(void)drv_setinfo(d, var, "%s", value);
	} else if (str_printf(var, sizeof(var), "driver.flag.%s", name) == 0)
		(void)drv_setinfo(d, var, "enabled");
}

/* default.* and override.* values, and the driver.parameter.* copies. */
static void
publish_vars(struct drv *d)
{
	size_t i;

	for (i = 0; i < d->ups->nvars; i++) {
		const struct upsconf_var *v = &d->ups->vars[i];
		const struct drv_vardef *def;

		if (strncasecmp(v->name, "override.", 9) == 0) {
			(void)dstate_force(d, v->name + 9, v->value, VT_IMMUTABLE);
			publish_param(d, v->name, v->value);
		} else if (strncasecmp(v->name, "default.", 8) == 0) {
			if (!drv_immutable(d, v->name + 8))
				(void)drv_setinfo(d, v->name + 8, "%s", v->value);
			publish_param(d, v->name, v->value);
		} else {
			def = vardef_find(d->ops, v->name);
			/* Secrets (SNMP communities, passwords) are never published. */
			if (def != NULL && !(def->flags & DRV_VAR_SENSITIVE))
				publish_param(d, def->name, v->value);
		}
	}
}

int
params_publish(struct drv *d)
{
	long sync = upsconf_get(d->uc, d->ups, UPSCONF_SYNCHRONOUS, UPSCONF_SYNC_AUTO);

	(void)drv_setinfo(d, "driver.name", "%s", d->ops->name);
	(void)drv_setinfo(d, "driver.version", "%s", PACKAGE_VERSION);
	(void)drv_setinfo(d, "driver.version.internal", "%s", d->ops->version);
	publish_param(d, "port", d->ups->port);
	(void)drv_setinfo(d, "driver.parameter.pollinterval", "%ld", d->pollinterval);
	publish_param(d, "synchronous", upsconf_sync_name((int)sync));
	if (d->ups->sdcommands != NULL)
		publish_param(d, "sdcommands", d->ups->sdcommands);
	if (d->ups->nolock)
		publish_param(d, "nolock", NULL);
	if (d->ups->ignorelb)
		publish_param(d, "ignorelb", NULL);
	publish_vars(d);
	return 0;
}

/* Counts settings that changed and cannot be applied without a restart. */
static int
count_fixed_changes(const struct drv *d, const struct upsconf *nuc,
    const struct upsconf_ups *nu)
{
	const struct upsconf_ups *u = d->ups;
	int n = 0;
	size_t i;

	if (str_differ(u->driver, nu->driver) || str_differ(u->port, nu->port) ||
	    str_differ(upsconf_user(d->uc, u), upsconf_user(nuc, nu)) ||
	    str_differ(upsconf_group(d->uc, u), upsconf_group(nuc, nu)) ||
	    str_differ(d->uc->chroot, nuc->chroot) || u->nolock != nu->nolock ||
	    upsconf_get(d->uc, u, UPSCONF_SYNCHRONOUS, 0) !=
	    upsconf_get(nuc, nu, UPSCONF_SYNCHRONOUS, 0))
		n++;
	/* Driver variables that are not reloadable must not change. */
	for (i = 0; i < d->ops->nvartable; i++) {
		const struct drv_vardef *def = &d->ops->vartable[i];
		const struct upsconf_var *a = last_var(u, def->name), *b = last_var(nu, def->name);

		if (def->flags & DRV_VAR_RELOADABLE)
			continue;
		if ((a == NULL) != (b == NULL) || (a != NULL && str_differ(a->value, b->value))) {
			log_notice("reload: %s changed; it takes effect after a restart",
			    def->name);
			n++;
		}
	}
	return n;
}

/*
 * Removes the variables a reload replaces (default.*, override.* and the
 * reloadable ones from the file); fixed ones and -x ones stay.
 */
static void
drop_reloadable(const struct drv *d, struct upsconf_ups *u)
{
	size_t i, keep = 0;

	for (i = 0; i < u->nvars; i++) {
		const struct drv_vardef *def = vardef_find(d->ops, u->vars[i].name);

		if (u->vars[i].line == 0 || (def != NULL && !(def->flags & DRV_VAR_RELOADABLE))) {
			u->vars[keep++] = u->vars[i];
			continue;
		}
		free(u->vars[i].name);
		free(u->vars[i].value);
	}
	u->nvars = keep;
}

int
params_reload(struct drv *d)
{
	struct upsconf *nuc;
	struct upsconf_ups *nu, *u = d->ups;
	int errors = 0, fixed;
	size_t i;

	if (d->opts.standalone)
		return 0;
	nuc = upsconf_load(d->uc->file, &errors);
	if (nuc == NULL)
		return -1;
	nu = upsconf_find(nuc, d->upsname);
	if (errors > 0 || nu == NULL) {
		log_warnx("reload: %s is not usable (%s); keeping the running settings",
		    nuc->file, nu == NULL ? "our section is gone" : "errors");
		upsconf_free(nuc);
		return -1;
	}
	for (i = 0; i < nu->nvars; i++)
		if (check_var(d, &nu->vars[i]) < 0)
			errors++;
	if (errors > 0) {
		upsconf_free(nuc);
		return -1;
	}
	fixed = count_fixed_changes(d, nuc, nu);

	/* Apply what can change live: move the values into the running config. */
	u->pollinterval = nu->pollinterval;
	d->uc->pollinterval = nuc->pollinterval;
	u->debug_min = nu->debug_min;
	d->uc->debug_min = nuc->debug_min;
	u->allow_killpower = nu->allow_killpower;
	replace(&u->sdcommands, nu->sdcommands);
	replace(&u->desc, nu->desc);
	drop_reloadable(d, u);
	for (i = 0; i < nu->nvars; i++) {
		const struct upsconf_var *v = &nu->vars[i];
		const struct drv_vardef *def = vardef_find(d->ops, v->name);

		if (def == NULL || (def->flags & DRV_VAR_RELOADABLE))
			upsconf_add_var(u, v->name, v->value, v->line);
	}
	upsconf_free(nuc);
	settle(d);
	params_apply_debug(d);
	(void)params_publish(d);
	return fixed;
}
