/*
 * nutsec - internal.h: what the files of sandbox/ share with each other and
 * with nobody else. sandbox.c orchestrates sandbox_enter() from these steps;
 * each returns 0, or -1 with a message in err.
 */
#ifndef NUTSEC_SANDBOX_INTERNAL_H
#define NUTSEC_SANDBOX_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "sandbox.h"

/* sandbox.c: formats a message into err (never NULL-terminated-less). */
void sb_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * seccomp.c: work that must happen before chroot for the trap action:
 * resolve every syscall name of this architecture into a static table and,
 * with SB_F_SYSLOG, open a datagram socket to /dev/log for the report.
 * Harmless (and skipped) for the other actions.
 */
int sb_trap_prepare(enum sandbox_role role, unsigned flags, enum sandbox_action action,
    char *err, size_t errlen);
/* seccomp.c: sandbox_load_filter with the reason of a failure in err. */
int sb_load_filter(enum sandbox_role role, unsigned flags, enum sandbox_action action,
    char *err, size_t errlen);
/* seccomp.c: 1 and the filter's parameters if this process loaded one, else 0. */
int sb_filter_loaded(enum sandbox_role *role, unsigned *flags, enum sandbox_action *action);

/* landlock.c: what sandbox_load_landlock did, in words ("landlock ABI 6: ..."). */
int sb_landlock_describe(char *out, size_t outlen);

/* privdrop.c: chroot(dir) then chdir("/"). */
int sb_chroot(const char *dir, char *err, size_t errlen);
/* privdrop.c: setgroups(0)/setresgid/setresuid without libcap-ng. */
int sb_setids(uid_t uid, gid_t gid, char *err, size_t errlen);
/* privdrop.c: the real/effective/saved ids are uid/gid, no supplementary
 * group but gid, and neither setuid(0) nor setgid(0) works any more. */
int sb_verify_ids(uid_t uid, gid_t gid, char *err, size_t errlen);

/*
 * caps.c: become uid/gid with no capability left in any set and an empty
 * bounding set, securebits locked and no_new_privs set. change_ids 0 means
 * the ids are already right (a non-root start): only capabilities go.
 */
int sb_caps_drop(uid_t uid, gid_t gid, int change_ids, char *err, size_t errlen);

#endif
