/*
 * nutsec - vartree.c: one UPS's variables and commands. Variables are a
 * sorted array of pointers (so a struct vt_var stays put while others come
 * and go), which gives the LIST order and insertion points by bisection,
 * plus a hash index (open addressing, linear probing, case-insensitive
 * hash) that answers lookups by name in O(1). Names compare ASCII
 * case-insensitively, independent of the locale. Each variable owns its
 * value, enum list and range list; every size is capped by the VT_MAX_*
 * limits so a misbehaving driver cannot make upsd grow without bound.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "vartree.h"
#include "xmalloc.h"

struct vt_range {
	long min, max;
};

struct vt_var {
	char *name;
	uint32_t hash;		/* vt_hash(name) */
	uint32_t namelen;	/* strlen(name) */
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
	struct vt_var **vars;	/* sorted by name */
	size_t nvars, varcap;
	struct vt_var **index;	/* hash index of vars: NULL or a power of 2 slots */
	size_t indexcap;	/* 0, or at least 2 * nvars */
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

/*
 * A hash of name that ignores ASCII case, and its length: 8 bytes at a time
 * with bit 0x20 set on every byte, so names equal ignoring case hash alike
 * (a few other pairs, such as '@' and '`', do too, which only costs a
 * compare). Mixing as in splitmix64's finalizer.
 */
static uint32_t
vt_hash(const char *name, size_t *plen)
{
	const uint64_t fold = 0x2020202020202020ull;
	size_t len = strlen(name), i, k;
	uint64_t h = (uint64_t)len * 0x9e3779b97f4a7c15ull, w;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, name + i, 8);
		h = (h ^ (w | fold)) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	if (i < len) {
		for (w = 0, k = 0; i + k < len; k++)
			w |= (uint64_t)(unsigned char)name[i + k] << (8 * k);
		h = (h ^ (w | fold)) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	h = (h ^ (h >> 29)) * 0x94d049bb133111ebull;
	*plen = len;
	return (uint32_t)(h ^ (h >> 32));
}

/* The variable named name (any case), or NULL; h and len from vt_hash. */
static struct vt_var *
vt_index_find(const struct vt *t, const char *name, uint32_t h, size_t len)
{
	size_t mask = t->indexcap - 1, i;
	struct vt_var *v;

	if (t->indexcap == 0)
		return NULL;
	for (i = h & mask; (v = t->index[i]) != NULL; i = (i + 1) & mask)
		if (v->hash == h && v->namelen == len &&
		    (memcmp(v->name, name, len) == 0 || ascii_caseeq(v->name, name)))
			return v;
	return NULL;
}

/* Puts v in the first free slot of its probe sequence (room is known). */
static void
vt_index_put(struct vt *t, struct vt_var *v)
{
	size_t mask = t->indexcap - 1, i;

	for (i = v->hash & mask; t->index[i] != NULL; i = (i + 1) & mask)
		;
	t->index[i] = v;
}

/* Keeps the index at most half full before one more variable is added. */
static void
vt_index_grow(struct vt *t)
{
	size_t ncap, i;

	if (2 * (t->nvars + 1) <= t->indexcap)
		return;
	ncap = t->indexcap != 0 ? t->indexcap * 2 : 16;
	while (ncap < 2 * (t->nvars + 1))
		ncap *= 2;
	free(t->index);
	t->index = xcalloc(ncap, sizeof(*t->index));
	t->indexcap = ncap;
	for (i = 0; i < t->nvars; i++)
		vt_index_put(t, t->vars[i]);
}

/*
 * Removes v, then moves later members of the probe run back into the hole
 * (deletion without tombstones), so every lookup still finds its variable.
 */
static void
vt_index_remove(struct vt *t, const struct vt_var *v)
{
	size_t mask = t->indexcap - 1, i, j, home;

	for (i = v->hash & mask; t->index[i] != v; i = (i + 1) & mask)
		;
	for (j = (i + 1) & mask; t->index[j] != NULL; j = (j + 1) & mask) {
		home = t->index[j]->hash & mask;
		/* Skip entries whose home lies cyclically in (i, j]: they stay. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->index[i] = t->index[j];
		i = j;
	}
	t->index[i] = NULL;
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
	free(t->index);
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
	size_t len;
	uint32_t h;

	if (name == NULL)
		return NULL;
	h = vt_hash(name, &len);
	return vt_index_find(t, name, h, len);
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
	size_t pos, len, nlen;
	uint32_t h;

	if (changed != NULL)
		*changed = 0;
	if (!vt_name_ok(name) || !vt_value_ok(value))
		return NULL;
	h = vt_hash(name, &nlen);
	len = strlen(value);
	if ((v = vt_index_find(t, name, h, nlen)) != NULL) {
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
	vt_index_grow(t);
	(void)vt_find_var(t, name, &pos);	/* absent: where it goes */
	v = xcalloc(1, sizeof(*v));
	v->name = xstrdup(name);
	v->hash = h;
	v->namelen = (uint32_t)nlen;
	vt_store_value(v, value, len);
	memmove(&t->vars[pos + 1], &t->vars[pos], (t->nvars - pos) * sizeof(*t->vars));
	t->vars[pos] = v;
	t->nvars++;
	vt_index_put(t, v);
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
	vt_index_remove(t, t->vars[pos]);
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

size_t
vt_after(const struct vt *t, const char *name)
{
	size_t pos;

	return vt_find_var(t, name, &pos) ? pos + 1 : pos;
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
