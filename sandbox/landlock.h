/*
 * nutsec - landlock.h: the Landlock half of the sandbox (landlock.c). A
 * process names, before its jail, what it may still read afterwards: the
 * directories its reload re-reads (the kept configuration directories),
 * its state path, NSS's certificate directory, a few single files. Where
 * the kernel has Landlock, sandbox_confine then refuses every other open,
 * even one that walks up with ".." from a descriptor kept outside the
 * jail; with ABI 6 (Linux 6.12) abstract UNIX sockets and signals are
 * also scoped to the process. sandbox.h includes this at its end.
 */
#ifndef NUTSEC_SANDBOX_LANDLOCK_H
#define NUTSEC_SANDBOX_LANDLOCK_H

#include <stddef.h>

#include "sandbox.h"

/*
 * Adds a path (a directory: read beneath it; a file: read it) to what the
 * process may read once sandboxed. Opens it now (O_PATH, close-on-exec,
 * kept above stderr), so call it before the chroot. The _fd form adds the
 * object of an open descriptor (it is duplicated: the caller's stays its
 * own). sandbox_confine consumes (closes) the descriptors. Returns 0, or -1
 * with errno (ENFILE when SB_MAX_READABLE are already held).
 */
int sandbox_allow_read(struct sandbox_opts *o, const char *path);
int sandbox_allow_read_fd(struct sandbox_opts *o, int fd);
/*
 * The _fd form with writing files and device ioctls beneath the directory too
 * (usb-reopen's /dev/bus/usb: a device file opened there keeps working for
 * the process it is passed to, whose own Landlock domain never names it).
 */
int sandbox_allow_rw_fd(struct sandbox_opts *o, int fd);

/* The kernel's Landlock ABI version (>= 1), or -errno (ENOSYS, EOPNOTSUPP). */
int sandbox_landlock_abi(void);

/*
 * Applies Landlock alone, as sandbox_confine does just before the seccomp
 * filter: every file-system right the kernel's ABI knows is handled, only
 * reading what sandbox_allow_read* named is granted, and from ABI 6 the
 * abstract UNIX socket and signal scopes are set. Nothing is done with the
 * action off (the debugging setting turns both walls off) or for a role
 * landlock.c does not list (upsd and the driver roles are listed); a
 * kernel without Landlock is noted for sandbox_describe and is not an
 * error. Sets no_new_privs if not set yet. Returns 0, or -1 with a message
 * in err.
 */
int sandbox_load_landlock(enum sandbox_role role, const struct sandbox_opts *o, char *err,
    size_t errlen);

#endif
