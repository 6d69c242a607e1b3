/*
 * nutsec - dummy.h: dummy-ups' private header: the metadata table of
 * standard names (dummy_meta.c) and the repeater mode (dummy_repeater.c).
 */
#ifndef NUTSEC_DUMMY_H
#define NUTSEC_DUMMY_H

struct drv;

struct dummy_meta {
	const char *name;
	unsigned flags;		/* VT_* */
	long aux;		/* maximum length of a STRING, else 0 */
};

/* dummy_meta.c */
/* The metadata for a name; unknown names get STRING|RW, 32. Never NULL. */
const struct dummy_meta *dummy_meta_find(const char *name);
/* 1 if the table is sorted (checked by the unit test). */
int dummy_meta_sorted(void);

/* dummy_ups.c: sets a variable as a file line or a SET would. 0 or -1. */
int dummy_apply(struct drv *d, const char *name, const char *value);

/* dummy_repeater.c */
/* Parses "ups@host[:port]" and connects. 0, or -1 (logged). */
int repeater_init(struct drv *d, const char *target, int strict);
/* Copies LIST VAR of the remote UPS; reconnects after failures. 0 or -1. */
int repeater_update(struct drv *d);
void repeater_cleanup(void);

#endif
