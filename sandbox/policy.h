/*
 * nutsec - policy.h: the data behind the seccomp filters, shared by
 * policy.c (which holds every role's allow-list side by side) and seccomp.c
 * (which compiles them). A rule names a syscall, the roles that may make it,
 * the SB_F_* flag that enables it (0 = always) and up to two argument
 * constraints; an argument constraint is either "the argument, masked, is
 * one of these named values" or "these bits of the argument are clear".
 * The soft list refuses a few harmless clean-up calls with an errno.
 * The deny list names syscalls that no role may ever make; they stay fatal
 * even when the filter only logs (SB_ACTION_LOG).
 */
#ifndef NUTSEC_SANDBOX_POLICY_H
#define NUTSEC_SANDBOX_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

/* Role bits of a rule: which columns of the side-by-side table hold it. */
#define SB_R_UPSD   (1u << SB_ROLE_UPSD)
#define SB_R_DRV    (1u << SB_ROLE_DRIVER)
#define SB_R_NET    (1u << SB_ROLE_DRIVER_NET)
#define SB_R_USB    (1u << SB_ROLE_DRIVER_USB)
#define SB_R_DRIVERS (SB_R_DRV | SB_R_NET | SB_R_USB)
#define SB_R_ALL    (SB_R_UPSD | SB_R_DRIVERS)

/* One named value of an argument allow-list, e.g. { AF_UNIX, "AF_UNIX" }. */
struct sb_value {
	uint64_t value;
	const char *name;
};

/* A named argument allow-list: the list's name, its values and their count. */
struct sb_valset {
	const char *name;
	const struct sb_value *v;
	size_t n;
};

enum sb_cond_kind {
	SB_C_NONE = 0,	/* no constraint */
	SB_C_IN,	/* (arg & mask) equals one of set's values */
	SB_C_CLEAR	/* (arg & mask) == 0: none of these bits set */
};

struct sb_cond {
	enum sb_cond_kind kind;
	unsigned arg;			/* argument index, 0..5 */
	uint64_t mask;			/* bits compared; 0xffffffff for an int */
	const struct sb_valset *set;	/* SB_C_IN only */
};

struct sb_rule {
	const char *syscall;	/* libseccomp name; absent on this arch = skipped */
	unsigned roles;		/* SB_R_* bits */
	unsigned flag;		/* SB_F_* that enables it, 0 = always */
	struct sb_cond c[2];	/* both must hold */
	const char *why;	/* one-line reason, shown by the dump tool */
};

/* A syscall refused with an errno rather than the role's action. */
struct sb_soft {
	const char *syscall;
	unsigned roles;
	int err;
	const char *why;
};

struct sb_deny {
	const char *syscall;
	const char *why;
};

extern const struct sb_rule sb_rules[];
extern const size_t sb_nrules;
extern const struct sb_soft sb_soft[];
extern const size_t sb_nsoft;
extern const struct sb_deny sb_denied[];
extern const size_t sb_ndenied;

#endif
