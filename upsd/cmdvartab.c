/*
 * nutsec - cmdvartab.c: one-line descriptions of variables and instant
 * commands for GET DESC / GET CMDDESC, read from DATAPATH/cmdvartab
 * (lines `VARDESC name "text"` and `CMDDESC name "text"`). The file is
 * optional; the last definition of a name wins; lookups ignore case.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "paths.h"
#include "xmalloc.h"

#include "upsd.h"

#define CMDVARTAB_MAX 4096

struct desc {
	char *name, *text;
};

struct desctab {
	struct desc *v;
	size_t n;
};

static struct desctab vars, cmds;

static void
desctab_free(struct desctab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].text);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static int
desctab_add(struct conf_ctx *cx, struct desctab *t, char **argv)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcasecmp(t->v[i].name, argv[0]) == 0) {
			free(t->v[i].text);
			t->v[i].text = xstrdup(argv[1]);
			return 0;
		}
	if (t->n >= CMDVARTAB_MAX) {
		conf_error(cx, "too many descriptions");
		return -1;
	}
	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	t->v[t->n].name = xstrdup(argv[0]);
	t->v[t->n].text = xstrdup(argv[1]);
	t->n++;
	return 0;
}

struct cvt_load {
	struct desctab vars, cmds;
};

static int
cvt_vardesc(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return desctab_add(cx, &((struct cvt_load *)obj)->vars, argv);
}

static int
cvt_cmddesc(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return desctab_add(cx, &((struct cvt_load *)obj)->cmds, argv);
}

static const struct conf_directive cvt_directives[] = {
	{ "CMDDESC", CONF_CUSTOM, 0, 2, 2, 0, 0, NULL, CONF_F_REPEATABLE, cvt_cmddesc,
	    "name \"description of an instant command\"" },
	{ "VARDESC", CONF_CUSTOM, 0, 2, 2, 0, 0, NULL, CONF_F_REPEATABLE, cvt_vardesc,
	    "name \"description of a variable\"" },
};

static const struct conf_spec cvt_spec = {
	"cmdvartab", cvt_directives, 2, NULL, 0, 0, NULL, NULL, 0
};

static int
desc_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct desc *)a)->name, ((const struct desc *)b)->name);
}

int
cmdvartab_load(const char *dir)
{
	struct cvt_load ld;
	char path[4096];
	int n;

	memset(&ld, 0, sizeof(ld));
	if (paths_join(path, sizeof(path), dir, "cmdvartab") != 0) {
		log_warnx("cmdvartab: path too long under %s", dir);
		return -1;
	}
	n = conf_load(path, &cvt_spec, &ld);
	if (n < 0) {
		if (errno == ENOENT) {
			log_info("%s not found: descriptions unavailable", path);
			return 0;
		}
		log_warn("cannot read %s", path);
		return -1;
	}
	if (n > 0)
		log_warnx("%s: %d error(s); the valid lines are used", path, n);
	qsort(ld.vars.v, ld.vars.n, sizeof(struct desc), desc_cmp);
	qsort(ld.cmds.v, ld.cmds.n, sizeof(struct desc), desc_cmp);
	cmdvartab_free();
	vars = ld.vars;
	cmds = ld.cmds;
	log_debug("%s: %zu variable and %zu command descriptions", path, vars.n, cmds.n);
	return 0;
}

void
cmdvartab_free(void)
{
	desctab_free(&vars);
	desctab_free(&cmds);
}

static const char *
desctab_find(const struct desctab *t, const char *name)
{
	struct desc key, *d;

	if (strncasecmp(name, "upstream.", 9) == 0)
		name += 9;
	key.name = (char *)(uintptr_t)name;
	key.text = NULL;
	d = t->n > 0 ? bsearch(&key, t->v, t->n, sizeof(*d), desc_cmp) : NULL;
	return d != NULL ? d->text : NULL;
}

const char *
cmdvartab_var(const char *name)
{
	return desctab_find(&vars, name);
}

const char *
cmdvartab_cmd(const char *name)
{
	return desctab_find(&cmds, name);
}
