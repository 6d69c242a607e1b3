/*
 * nutsec - upsconf.c: the part of ups.conf that upsd needs. Each [name]
 * section is a UPS with its driver, port and desc; the global statepath is
 * kept; every other key belongs to the drivers and is ignored here (the
 * conf engine's unknown hook). NUT takes the first word of a value and
 * ignores the rest; so do we, with a warning.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "xmalloc.h"

#include "upsd.h"

#define UPS_NAME_MAX 64

static struct upsconf_ent *
upsconf_find(const struct upsconf *uc, const char *name)
{
	struct upsconf_ent *e;

	for (e = uc->head; e != NULL; e = e->next)
		if (strcasecmp(e->name, name) == 0)
			return e;
	return NULL;
}

static void *
upsconf_section(struct conf_ctx *cx, void *global_obj, const char *name)
{
	struct upsconf *uc = global_obj;
	struct upsconf_ent *e, **tail;
	const char *p;

	if (name[0] == '\0' || strlen(name) >= UPS_NAME_MAX) {
		conf_error(cx, "invalid UPS name in section header");
		return NULL;
	}
	for (p = name; *p != '\0'; p++)
		if (*p == '/' || *p == ' ') {
			conf_error(cx, "UPS name [%s] may not contain '%c'", name, *p);
			return NULL;
		}
	if (upsconf_find(uc, name) != NULL) {
		conf_error(cx, "UPS [%s] is defined twice; this section is ignored", name);
		return NULL;
	}
	e = XNEW(struct upsconf_ent);
	e->name = xstrdup(name);
	for (tail = &uc->head; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = e;
	uc->n++;
	return e;
}

/* driver, port and desc: the first word, as NUT takes it. */
static int
upsconf_value(struct conf_ctx *cx, char **slot, const char *name, int argc, char **argv)
{
	if (argc > 1)
		conf_warn(cx, "'%s': only the first word is used: quote the value", name);
	free(*slot);
	*slot = xstrdup(argv[0]);
	return 0;
}

static int
upsconf_driver(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsconf_ent *e = obj;

	if (argv[0][0] == '\0' || strchr(argv[0], '/') != NULL) {
		conf_error(cx, "driver '%s' must be a plain program name", argv[0]);
		return -1;
	}
	return upsconf_value(cx, &e->driver, "driver", argc, argv);
}

static int
upsconf_port(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsconf_ent *e = obj;

	return upsconf_value(cx, &e->port, "port", argc, argv);
}

static int
upsconf_desc(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsconf_ent *e = obj;

	return upsconf_value(cx, &e->desc, "desc", argc, argv);
}

static const struct conf_directive upsconf_section_dirs[] = {
	{ "desc", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL, CONF_F_REPEATABLE, upsconf_desc,
	    "description shown by LIST UPS" },
	{ "driver", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL, CONF_F_REPEATABLE, upsconf_driver,
	    "driver program name" },
	{ "port", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL, CONF_F_REPEATABLE, upsconf_port,
	    "device" },
};
#define NSECTION_DIRS (sizeof(upsconf_section_dirs) / sizeof(upsconf_section_dirs[0]))

/* The global statepath (case-insensitive, as NUT); everything else is the drivers'. */
static int
upsconf_unknown(struct conf_ctx *cx, void *obj, int in_section, const char *name, int argc,
    char **argv)
{
	struct upsconf *uc = obj;

	if (in_section || strcasecmp(name, "statepath") != 0)
		return 0;
	if (argc < 1 || argv[0][0] != '/') {
		conf_error(cx, "statepath needs an absolute directory");
		return -1;
	}
	free(uc->statepath);
	uc->statepath = xstrdup(argv[0]);
	return 0;
}

static const struct conf_spec upsconf_spec = {
	"ups.conf", NULL, 0, upsconf_section_dirs, NSECTION_DIRS, 0,
	upsconf_section, upsconf_unknown, 0
};

static void
upsconf_ent_free(struct upsconf_ent *e)
{
	free(e->name);
	free(e->driver);
	free(e->port);
	free(e->desc);
	free(e);
}

/* Drops sections upsd cannot use (NUT ignores them too), with a warning. */
static void
upsconf_prune(struct upsconf *uc, const char *path)
{
	struct upsconf_ent **pe = &uc->head, *e;

	while ((e = *pe) != NULL) {
		const char *missing = e->driver == NULL ? "driver" :
		    e->port == NULL ? "port" : NULL;

		if (missing == NULL && strlen(e->driver) + 1 + strlen(e->name) >=
		    UPS_SOCKNAME_MAX)
			missing = "a socket name that fits (driver + name too long)";
		if (missing == NULL) {
			pe = &e->next;
			continue;
		}
		log_warnx("%s: UPS [%s] has no %s and is ignored", path, e->name, missing);
		*pe = e->next;
		uc->n--;
		upsconf_ent_free(e);
	}
}

struct upsconf *
upsconf_load(const char *path, int *nerr)
{
	struct upsconf *uc = XNEW(struct upsconf);
	int n;

	conf_check_table("ups.conf", upsconf_section_dirs, NSECTION_DIRS, 0);
	n = conf_load(path, &upsconf_spec, uc);
	if (n < 0) {
		log_warn("cannot read %s", path);
		*nerr = -1;
		upsconf_free(uc);
		return NULL;
	}
	*nerr = n;
	if (n > 0) {
		upsconf_free(uc);
		return NULL;
	}
	upsconf_prune(uc, path);
	return uc;
}

void
upsconf_free(struct upsconf *uc)
{
	struct upsconf_ent *e, *next;

	if (uc == NULL)
		return;
	for (e = uc->head; e != NULL; e = next) {
		next = e->next;
		upsconf_ent_free(e);
	}
	free(uc->statepath);
	free(uc);
}
