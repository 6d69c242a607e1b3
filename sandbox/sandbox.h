/*
 * nutsec - sandbox.h: the one entry point to confine a process after it has
 * opened what it needs. sandbox_confine() runs, in this order: chroot (and
 * chdir "/"), drop supplementary groups and switch gid/uid (with libcap-ng,
 * clearing the bounding set and every capability), PR_SET_NO_NEW_PRIVS,
 * Landlock where the kernel has it (read only what sandbox_allow_read
 * named; landlock.h), load the seccomp filter of the process's role (native
 * architecture only), keep the event loop's signal handlers, and log one
 * line saying what the process holds. Every role's policy lives side by
 * side in policy.c with a reason per entry: most roles are allow-lists
 * (anything else kills the process unless the action says otherwise); the
 * roles that run programs are deny lists. Only sandbox/ includes libseccomp
 * and libcap-ng.
 */
#ifndef NUTSEC_SANDBOX_H
#define NUTSEC_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

enum sandbox_role {
	SB_ROLE_UPSD,		/* network server: accept, read/write, driver sockets */
	SB_ROLE_DRIVER,		/* a driver without device I/O beyond files (dummy-ups) */
	SB_ROLE_DRIVER_NET,	/* dummy-ups repeater: also outgoing TCP to another upsd */
	SB_ROLE_DRIVER_USB,	/* usbhid-ups: libusb ioctls on an already open device */
	SB_ROLE_UPSMON_NET,	/* upsmon's network child: NUT protocol + TLS, no exec */
	SB_ROLE_UPSMON_PARENT,	/* upsmon's root parent: reads a channel, runs SHUTDOWNCMD */
	SB_ROLE_UPSMON_NOTIFY,	/* upsmon's notifier: runs NOTIFYCMD */
	SB_ROLE_UPSSCHED,	/* upssched's timer process: runs CMDSCRIPT */
	SB_ROLE_UPSLOG,		/* upslog: NUT protocol + TLS, appends to its log files */
	SB_ROLE_USB_REOPEN,	/* usbhid-ups's helper: reopens the matched device, passes the fd */
	SB_ROLE__COUNT
};

/* What to do with a syscall the role does not allow. */
enum sandbox_action {
	SB_ACTION_KILL = 0,	/* kill the process (default) */
	SB_ACTION_TRAP,		/* SIGSYS: log the syscall by name, then exit */
	SB_ACTION_LOG,		/* allow, but have the kernel log it */
	SB_ACTION_OFF		/* no filter at all (debugging only) */
};

/* Role features that widen a policy, each with a reason in policy.c. */
#define SB_F_TLS     0x01	/* NSS runs handshakes in this process */
#define SB_F_RELOAD  0x02	/* re-reads its configuration (openat, read-only) */
#define SB_F_SYSLOG  0x04	/* logs to syslog (connect/sendto on /dev/log) */

struct sandbox_opts {
	const char *chroot_dir;	/* NULL or "" = no chroot */
	const char *user;	/* NULL = keep the current ids (must not be root then) */
	const char *group;	/* NULL = the user's primary group */
	enum sandbox_action action;	/* SB_ACTION_OFF also leaves Landlock out */
	unsigned flags;		/* SB_F_* */
	/* Landlock: O_PATH descriptors of what stays readable (sandbox_allow_read). */
#define SB_MAX_READABLE 16
	int readable[SB_MAX_READABLE];
	unsigned char writable[SB_MAX_READABLE];	/* 1: sandbox_allow_rw (files and ioctls) */
	char readable_name[SB_MAX_READABLE][96];	/* its path, for messages */
	size_t nreadable;
};

/* "kill"/"trap"/"log"/"off" <-> enum. parse returns 0 or -1. */
int sandbox_parse_action(const char *word, enum sandbox_action *out);
const char *sandbox_action_name(enum sandbox_action a);
/* "upsd", "driver", "driver-net", "driver-usb", "upsmon-net", "upsmon-parent",
 * "upsmon-notify", "upssched", "upslog", "usb-reopen" <-> enum. lookup returns -1 if unknown. */
const char *sandbox_role_name(enum sandbox_role r);
int sandbox_role_lookup(const char *name);

/*
 * Resolves user and group to ids while the password database is still
 * reachable (before chroot). Returns 0, or -1 with a message in err.
 */
int sandbox_resolve(const struct sandbox_opts *o, uid_t *uid, gid_t *gid, char *err,
    size_t errlen);

/*
 * Confines the calling process for good: resolve ids, chroot, ids and
 * capabilities, no_new_privs, Landlock, filter, signal handlers kept
 * (ev_keep_signals), then logs "<tag>sandbox: <sandbox_describe line>"
 * (log_notice). tag is a prefix such as "UPS [dummy]: ", or NULL. Must be
 * called from the process's last thread-free point, after listeners,
 * devices, sockets and NSS are set up. Running as root with no user is
 * refused, except for a role that stays root (upsmon-parent: ids and
 * capabilities kept, only the filter; usb-reopen: uid 0 kept for the device
 * nodes' owner bits, every capability dropped). Returns 0, or -1 after logging
 * "<tag>fatal: sandbox <role>: <reason>" (the caller exits: a half-confined
 * process must not serve).
 */
int sandbox_confine(enum sandbox_role role, const struct sandbox_opts *o, const char *tag);

/*
 * One line stating what the process holds now, read back from the kernel
 * (/proc/self/status and the root directory), e.g.
 * "user nut (uid 103, gid 110), root /run/nut, CapEff 0, CapBnd 0,
 *  NoNewPrivs 1, landlock ABI 6: fs read-only beneath 3 paths, abstract
 *  unix sockets and signals scoped, seccomp filter upsd (kill)". Returns 0
 * or -1.
 */
int sandbox_describe(enum sandbox_role role, const struct sandbox_opts *o, char *out,
    size_t outlen);

/* Writes the role's compiled policy (libseccomp PFC text) to fd, for review. */
int sandbox_dump_filter(enum sandbox_role role, unsigned flags, int fd);

/*
 * Loads only the seccomp filter (no chroot, no id change), with
 * PR_SET_NO_NEW_PRIVS. For tests and for sandbox_confine. Returns 0 or -1.
 */
int sandbox_load_filter(enum sandbox_role role, unsigned flags, enum sandbox_action action);

/* sandbox_allow_read and the rest of the Landlock half. */
#include "landlock.h"

#endif
