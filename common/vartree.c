/*
 * nutsec - vartree.c: one UPS's variables and commands. Variables are a
 * sorted array of pointers (so a struct vt_var stays put while others come
 * and go) searched by bisection with an ASCII case-insensitive comparison
 * that does not depend on the locale. Each variable owns its value, enum
 * list and range list; every size is capped by the VT_MAX_* limits so a
 * misbehaving driver cannot make upsd grow without bound.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vartree.h"
#include "xmalloc.h"

struct vt_range {
	long min, max;
};

struct vt_var {
	char *name;
	char *value;
	size_t valcap;		/* bytes allocated for value, NUL included */
	unsigned flags;
	long aux;
	char **enums;
	size_t nenum, enumcap;
	struct vt_range *ranges;
	size_t nrange, rangecap;
};

struct vt {
	struct vt_var **vars;
	size_t nvars, varcap;
	char **cmds;
	size_t ncmds, cmdcap;
};

/* strcasecmp for ASCII names, immune to the locale. */
static int
vt_casecmp(const char *a, const char *b)
{
	unsigned char ca, cb;

	for (;; a++, b++) {
		ca = (unsigned char)*a;
		cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca = (unsigned char)(ca + ('a' - 'A'));
		if (cb >= 'A' && cb <= 'Z')
			cb = (unsigned char)(cb + ('a' - 'A'));
		if (ca != cb || ca == '\0')
			return (int)ca - (int)cb;
	}
}

/* A name is 1..VT_NAME_MAX bytes, each printable ASCII other than space. */
static int
vt_name_ok(const char *name)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= VT_NAME_MAX)
			return 0;
		if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e)
			return 0;
	}
	return i > 0;
}

static int
vt_value_ok(const char *value)
{
	return value != NULL && strnlen(value, VT_VALUE_MAX + 1) <= VT_VALUE_MAX;
}

/*
 * Bisection over the sorted variables (and, below, commands). Returns 1
 * and the index if found, else 0 and the index to insert at.
 */
static int
vt_find_var(const struct vt *t, const char *name, size_t *pos)
{
	size_t lo = 0, hi = t->nvars, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = vt_casecmp(name, t->vars[mid]->name);
		if (c == 0) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*pos = lo;
	return 0;
}

static int
vt_find_cmd(const struct vt *t, const char *name, size_t *pos)
{
	size_t lo = 0, hi = t->ncmds, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = vt_casecmp(name, t->cmds[mid]);
		if (c == 0) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*pos = lo;
	return 0;
}

static void
vt_var_free(struct vt_var *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nenum; i++)
		free(v->enums[i]);
	free(v->enums);
	free(v->ranges);
	free(v->value);
	free(v->name);
	free(v);
}

struct vt *
vt_new(void)
{
	return xcalloc(1, sizeof(struct vt));
}

void
vt_clear(struct vt *t)
{
	size_t i;

	for (i = 0; i < t->nvars; i++)
		vt_var_free(t->vars[i]);
	for (i = 0; i < t->ncmds; i++)
		free(t->cmds[i]);
	free(t->vars);
	free(t->cmds);
	memset(t, 0, sizeof(*t));
}

void
vt_free(struct vt *t)
{
	if (t == NULL)
		return;
	vt_clear(t);
	free(t);
}

struct vt_var *
vt_get(const struct vt *t, const char *name)
{
	size_t pos;

	if (name == NULL || !vt_find_var(t, name, &pos))
		return NULL;
	return t->vars[pos];
}

/* Stores value in v, reusing the block when it is big enough. */
static void
vt_store_value(struct vt_var *v, const char *value, size_t len)
{
	if (len + 1 > v->valcap) {
		free(v->value);
		v->valcap = len + 1;
		v->value = xmalloc(v->valcap);
	}
	memcpy(v->value, value, len + 1);
}

struct vt_var *
vt_set(struct vt *t, const char *name, const char *value, int *changed)
{
	struct vt_var *v;
	size_t pos, len;

	if (changed != NULL)
		*changed = 0;
	if (!vt_name_ok(name) || !vt_value_ok(value))
		return NULL;
	len = strlen(value);
	if (vt_find_var(t, name, &pos)) {
		v = t->vars[pos];
		if (strcmp(v->value, value) == 0)
			return v;
		vt_store_value(v, value, len);
		if (changed != NULL)
			*changed = 1;
		return v;
	}
	if (t->nvars >= VT_MAX_VARS)
		return NULL;
	if (t->nvars == t->varcap) {
		t->varcap = t->varcap ? t->varcap * 2 : 16;
		if (t->varcap > VT_MAX_VARS)
			t->varcap = VT_MAX_VARS;
		t->vars = xreallocarray(t->vars, t->varcap, sizeof(*t->vars));
	}
	v = xcalloc(1, sizeof(*v));
	v->name = xstrdup(name);
	vt_store_value(v, value, len);
	memmove(&t->vars[pos + 1], &t->vars[pos], (t->nvars - pos) * sizeof(*t->vars));
	t->vars[pos] = v;
	t->nvars++;
	if (changed != NULL)
		*changed = 1;
	return v;
}

int
vt_del(struct vt *t, const char *name)
{
	size_t pos;

	if (name == NULL || !vt_find_var(t, name, &pos))
		return -1;
	vt_var_free(t->vars[pos]);
	t->nvars--;
	memmove(&t->vars[pos], &t->vars[pos + 1], (t->nvars - pos) * sizeof(*t->vars));
	return 0;
}

size_t
vt_count(const struct vt *t)
{
	return t->nvars;
}

struct vt_var *
vt_at(const struct vt *t, size_t i)
{
	return i < t->nvars ? t->vars[i] : NULL;
}

const char *
vt_name(const struct vt_var *v)
{
	return v->name;
}

const char *
vt_value(const struct vt_var *v)
{
	return v->value;
}

unsigned
vt_flags(const struct vt_var *v)
{
	return v->flags;
}

void
vt_set_flags(struct vt_var *v, unsigned flags)
{
	v->flags = flags;
}

long
vt_aux(const struct vt_var *v)
{
	return v->aux;
}

void
vt_set_aux(struct vt_var *v, long aux)
{
	v->aux = aux;
}

/* ---------------------------------------------------------------- enums */

int
vt_enum_add(struct vt_var *v, const char *value)
{
	size_t i;

	if (v == NULL || !vt_value_ok(value))
		return -1;
	for (i = 0; i < v->nenum; i++)
		if (strcmp(v->enums[i], value) == 0)
			return 0;
	if (v->nenum >= VT_MAX_ENUMS)
		return -1;
	if (v->nenum == v->enumcap) {
		v->enumcap = v->enumcap ? v->enumcap * 2 : 4;
		v->enums = xreallocarray(v->enums, v->enumcap, sizeof(*v->enums));
	}
	v->enums[v->nenum++] = xstrdup(value);
	return 0;
}

int
vt_enum_del(struct vt_var *v, const char *value)
{
	size_t i;

	if (v == NULL || value == NULL)
		return -1;
	for (i = 0; i < v->nenum; i++) {
		if (strcmp(v->enums[i], value) != 0)
			continue;
		free(v->enums[i]);
		v->nenum--;
		memmove(&v->enums[i], &v->enums[i + 1], (v->nenum - i) * sizeof(*v->enums));
		return 0;
	}
	return -1;
}

size_t
vt_enum_count(const struct vt_var *v)
{
	return v->nenum;
}

const char *
vt_enum_at(const struct vt_var *v, size_t i)
{
	return i < v->nenum ? v->enums[i] : NULL;
}

/* --------------------------------------------------------------- ranges */

int
vt_range_add(struct vt_var *v, long min, long max)
{
	size_t i;

	if (v == NULL || min > max)
		return -1;
	for (i = 0; i < v->nrange; i++)
		if (v->ranges[i].min == min && v->ranges[i].max == max)
			return 0;
	if (v->nrange >= VT_MAX_RANGES)
		return -1;
	if (v->nrange == v->rangecap) {
		v->rangecap = v->rangecap ? v->rangecap * 2 : 2;
		v->ranges = xreallocarray(v->ranges, v->rangecap, sizeof(*v->ranges));
	}
	v->ranges[v->nrange].min = min;
	v->ranges[v->nrange].max = max;
	v->nrange++;
	return 0;
}

int
vt_range_del(struct vt_var *v, long min, long max)
{
	size_t i;

	if (v == NULL)
		return -1;
	for (i = 0; i < v->nrange; i++) {
		if (v->ranges[i].min != min || v->ranges[i].max != max)
			continue;
		v->nrange--;
		memmove(&v->ranges[i], &v->ranges[i + 1],
		    (v->nrange - i) * sizeof(*v->ranges));
		return 0;
	}
	return -1;
}

size_t
vt_range_count(const struct vt_var *v)
{
	return v->nrange;
}

void
vt_range_at(const struct vt_var *v, size_t i, long *min, long *max)
{
	if (i >= v->nrange) {
		*min = *max = 0;
		return;
	}
	*min = v->ranges[i].min;
	*max = v->ranges[i].max;
}

/* ------------------------------------------------------------- commands */

int
vt_cmd_add(struct vt *t, const char *name)
{
	size_t pos;

	if (!vt_name_ok(name))
		return -1;
	if (vt_find_cmd(t, name, &pos))
		return 0;
	if (t->ncmds >= VT_MAX_CMDS)
		return -1;
	if (t->ncmds == t->cmdcap) {
		t->cmdcap = t->cmdcap ? t->cmdcap * 2 : 16;
		t->cmds = xreallocarray(t->cmds, t->cmdcap, sizeof(*t->cmds));
	}
	memmove(&t->cmds[pos + 1], &t->cmds[pos], (t->ncmds - pos) * sizeof(*t->cmds));
	t->cmds[pos] = xstrdup(name);
	t->ncmds++;
	return 0;
}

int
vt_cmd_del(struct vt *t, const char *name)
{
	size_t pos;

	if (name == NULL || !vt_find_cmd(t, name, &pos))
		return -1;
	free(t->cmds[pos]);
	t->ncmds--;
	memmove(&t->cmds[pos], &t->cmds[pos + 1], (t->ncmds - pos) * sizeof(*t->cmds));
	return 0;
}

int
vt_cmd_has(const struct vt *t, const char *name)
{
	size_t pos;

	return name != NULL && vt_find_cmd(t, name, &pos);
}

size_t
vt_cmd_count(const struct vt *t)
{
	return t->ncmds;
}

const char *
vt_cmd_at(const struct vt *t, size_t i)
{
	return i < t->ncmds ? t->cmds[i] : NULL;
}
