/*
 * nutsec - vartree.h: the state of one UPS as variables and commands,
 * kept by drivers (the source of truth) and mirrored by upsd.
 *
 * Variables are held sorted case-insensitively (the LIST VAR order) with
 * binary search; names compare case-insensitively, as NUT does. Values are
 * stored raw (unescaped) and escaped only on output. Each variable has
 * flags, an aux number (max length of STRING variables), an enum list
 * (insertion order) and a range list (insertion order). Commands are a
 * sorted case-insensitive set. Sizes are bounded (VT_MAX_*) so a driver
 * cannot grow upsd without limit.
 */
#ifndef NUTSEC_VARTREE_H
#define NUTSEC_VARTREE_H

#include <stddef.h>

#define VT_NAME_MAX   128	/* longest variable/command name */
#define VT_VALUE_MAX  255	/* longest raw value */
#define VT_MAX_VARS   4096
#define VT_MAX_CMDS   1024
#define VT_MAX_ENUMS  256	/* per variable */
#define VT_MAX_RANGES 64	/* per variable */

#define VT_RW        0x01
#define VT_STRING    0x02
#define VT_NUMBER    0x04
#define VT_IMMUTABLE 0x08	/* override.*: drivers refuse to change or delete it */

struct vt;
struct vt_var;

struct vt *vt_new(void);
void vt_free(struct vt *t);
/* Removes every variable and command. */
void vt_clear(struct vt *t);

/* Case-insensitive lookup; NULL if absent. */
struct vt_var *vt_get(const struct vt *t, const char *name);
/*
 * Creates or updates name with value. Returns the variable, or NULL if the
 * name is empty/too long/holds bytes outside 0x21..0x7e, the value is too
 * long, or the tree is full. *changed (if not NULL) is set to 1 when the
 * variable was created or its value changed (byte comparison).
 */
struct vt_var *vt_set(struct vt *t, const char *name, const char *value, int *changed);
/* Deletes a variable. Returns 0, or -1 if absent. */
int vt_del(struct vt *t, const char *name);
size_t vt_count(const struct vt *t);
/* Sorted iteration: i in [0, vt_count). */
struct vt_var *vt_at(const struct vt *t, size_t i);
/* The index of the first variable sorting after name (a resumable walk). */
size_t vt_after(const struct vt *t, const char *name);

const char *vt_name(const struct vt_var *v);
const char *vt_value(const struct vt_var *v);
unsigned vt_flags(const struct vt_var *v);
void vt_set_flags(struct vt_var *v, unsigned flags);
long vt_aux(const struct vt_var *v);
void vt_set_aux(struct vt_var *v, long aux);

/* Enum values, insertion order; add ignores duplicates. 0 or -1 (full/too long/absent). */
int vt_enum_add(struct vt_var *v, const char *value);
int vt_enum_del(struct vt_var *v, const char *value);
size_t vt_enum_count(const struct vt_var *v);
const char *vt_enum_at(const struct vt_var *v, size_t i);

/* Integer ranges, insertion order; min <= max; exact duplicates ignored. 0 or -1. */
int vt_range_add(struct vt_var *v, long min, long max);
int vt_range_del(struct vt_var *v, long min, long max);
size_t vt_range_count(const struct vt_var *v);
void vt_range_at(const struct vt_var *v, size_t i, long *min, long *max);

/* Commands: a sorted case-insensitive set. 0 or -1 (bad name, full, absent). */
int vt_cmd_add(struct vt *t, const char *name);
int vt_cmd_del(struct vt *t, const char *name);
int vt_cmd_has(const struct vt *t, const char *name);
size_t vt_cmd_count(const struct vt *t);
const char *vt_cmd_at(const struct vt *t, size_t i);

#endif
