/*
 * nutsec - policy.h: the data behind the seccomp filters, shared by
 * policy.c (which holds every role's allow-list side by side) and seccomp.c
 * (which compiles them). A rule names a syscall, the roles that may make it,
 * the SB_F_* flag that enables it (0 = always) and up to two argument
 * constraints; an argument constraint is either "the argument, masked, is
 * one of these named values" or "these bits of the argument are clear".
 * The soft list refuses a few harmless clean-up calls with an errno.
 * The deny list names, per role, syscalls the role may never make; they stay
 * fatal even when the filter only logs (SB_ACTION_LOG). A role is filtered
 * one of two ways (sb_roles[]): by its allow-list (everything else refused),
 * or, for a role that runs programs, by its deny list alone, since a filter
 * is inherited across execve and an allow-list would kill the program.
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
#define SB_R_MNET   (1u << SB_ROLE_UPSMON_NET)
#define SB_R_MPAR   (1u << SB_ROLE_UPSMON_PARENT)
#define SB_R_MNOT   (1u << SB_ROLE_UPSMON_NOTIFY)
#define SB_R_SCHED  (1u << SB_ROLE_UPSSCHED)
#define SB_R_LOG    (1u << SB_ROLE_UPSLOG)
#define SB_R_UREO   (1u << SB_ROLE_USB_REOPEN)
#define SB_R_DRIVERS (SB_R_DRV | SB_R_NET | SB_R_USB)
/* Roles filtered by an allow-list: they never run a program. */
#define SB_R_ALLOWLIST (SB_R_UPSD | SB_R_DRIVERS | SB_R_MNET | SB_R_LOG | SB_R_UREO)
/* Roles filtered by a deny list: they fork and exec a configured program. */
#define SB_R_EXEC   (SB_R_MPAR | SB_R_MNOT | SB_R_SCHED)
#define SB_R_ALL    (SB_R_ALLOWLIST | SB_R_EXEC)

/* How a role's filter is built. */
enum sb_model {
	SB_MODEL_ALLOW = 0,	/* default: the role's action; sb_rules[] allow */
	SB_MODEL_DENY		/* default: allow; the role's sb_denied[] entries refuse */
};

/* A role that may stay uid 0: keeping its capabilities, or with none left. */
#define SB_STAY_ROOT	1
#define SB_ROOT_NOCAPS	2

/* One role: its name, how it is filtered, whether it may stay root, why. */
struct sb_roledef {
	const char *name;
	enum sb_model model;
	int may_stay_root;	/* SB_STAY_ROOT, SB_ROOT_NOCAPS, or 0: must switch user */
	const char *why;
};

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

/* A syscall the roles may never make (fatal even in log mode). */
struct sb_deny {
	const char *syscall;
	unsigned roles;
	const char *why;
};

extern const struct sb_roledef sb_roles[SB_ROLE__COUNT];

extern const struct sb_rule sb_rules[];
extern const size_t sb_nrules;
extern const struct sb_soft sb_soft[];
extern const size_t sb_nsoft;
extern const struct sb_deny sb_denied[];
extern const size_t sb_ndenied;

#endif
