/*
 * nutsec - landlock.c: the second wall beside seccomp. A seccomp filter
 * sees syscall numbers and integer arguments, never a path or a socket
 * address, so it cannot stop openat(kept_dir_fd, "../../etc/passwd") or a
 * connect to an abstract UNIX socket of the host. The Landlock LSM can:
 * the process lists the directories (or single files) it may still read,
 * hands the list to the kernel, and from then on every other file open is
 * refused with EACCES, whatever descriptor or chroot the path starts from.
 * Where the kernel's ABI is 6 or more, abstract UNIX sockets and signals
 * are also scoped to the process's own Landlock domain.
 *
 * Best effort by the ABI the running kernel offers (queried with
 * LANDLOCK_CREATE_RULESET_VERSION): no Landlock at all is reported, not an
 * error; a kernel that has it but refuses the ruleset is an error. The
 * syscalls are made raw; the constants newer than the installed
 * <linux/landlock.h> (Debian 12's stops at ABI 2) are defined here, and the
 * ruleset attribute is our own struct with the fields of ABI 6, passed
 * with the size the kernel's ABI knows.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_LINUX_LANDLOCK_H
#include <linux/landlock.h>
#endif

#include "internal.h"
#include "landlock.h"
#include "sandbox.h"

/* Syscall numbers: one table for every architecture since Linux 5.1 (alpha aside). */
#ifndef SYS_landlock_create_ruleset
#if defined(__alpha__)
#error "landlock syscall numbers unknown on alpha: a newer kernel header is needed"
#endif
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_RULE_PATH_BENEATH
#define LANDLOCK_RULE_PATH_BENEATH 1
#endif

/* File-system rights, by the ABI that introduced them. */
#define LL_FS_EXECUTE		(1ULL << 0)	/* ABI 1: bits 0..12 */
#define LL_FS_WRITE_FILE	(1ULL << 1)
#define LL_FS_READ_FILE		(1ULL << 2)
#define LL_FS_READ_DIR		(1ULL << 3)
#define LL_FS_ABI1		((1ULL << 13) - 1)
#define LL_FS_REFER		(1ULL << 13)	/* ABI 2 */
#define LL_FS_TRUNCATE		(1ULL << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV		(1ULL << 15)	/* ABI 5 */
/* Scopes (ABI 6). */
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)
#define LL_SCOPE_SIGNAL		(1ULL << 1)
/* The newest ABI whose rights this file knows. */
#define LL_ABI_KNOWN		6

/* struct landlock_ruleset_attr as of ABI 6; older kernels get a prefix. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;	/* ABI 1 */
	uint64_t handled_access_net;	/* ABI 4 (left 0: no role's TCP is narrowed) */
	uint64_t scoped;		/* ABI 6 */
};

/* struct landlock_path_beneath_attr (packed: 12 bytes). */
struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

/* What this process did, for sandbox_describe. */
static struct {
	enum { LL_NOT_TRIED, LL_NOT_ROLE, LL_OFF, LL_UNAVAILABLE, LL_APPLIED } state;
	int abi;
	size_t nrules, nrw;
	char why[64];
} done;

int
sandbox_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? -errno : (int)abi;
}

/* Words for a negative sandbox_landlock_abi(). */
static const char *
unavailable_reason(int neg_errno)
{
	switch (-neg_errno) {
	case ENOSYS:
		return "kernel built without Landlock";
	case EOPNOTSUPP:
		return "Landlock not enabled at boot (lsm=)";
	default:
		return strerror(-neg_errno);
	}
}

/* A descriptor number that daemon_detach_stdio cannot take over (>= 3). */
static int
high_fd(int fd)
{
	int hi, saved;

	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	hi = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	saved = errno;
	(void)close(fd);
	errno = saved;
	return hi;
}

/* What rule i is about, for messages: the path it was given, or the one
 * /proc says the descriptor was opened as (before any chroot), or "fd N". */
static void
name_rule(struct sandbox_opts *o, size_t i, const char *path, int fd)
{
	char link[32];
	ssize_t n;

	if (path != NULL) {
		(void)snprintf(o->readable_name[i], sizeof(o->readable_name[i]), "%s", path);
		return;
	}
	(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, o->readable_name[i], sizeof(o->readable_name[i]) - 1);
	if (n > 0)
		o->readable_name[i][n] = '\0';
	else
		(void)snprintf(o->readable_name[i], sizeof(o->readable_name[i]), "fd %d", fd);
}

int
sandbox_allow_read_fd(struct sandbox_opts *o, int fd)
{
	int dup;

	if (o->nreadable == SB_MAX_READABLE) {
		errno = ENFILE;
		return -1;
	}
	if ((dup = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1)) < 0)
		return -1;
	name_rule(o, o->nreadable, NULL, fd);
	o->writable[o->nreadable] = 0;
	o->readable[o->nreadable++] = dup;
	return 0;
}

int
sandbox_allow_read(struct sandbox_opts *o, const char *path)
{
	int fd;

	if (o->nreadable == SB_MAX_READABLE) {
		errno = ENFILE;
		return -1;
	}
	if ((fd = high_fd(open(path, O_PATH | O_CLOEXEC))) < 0)
		return -1;
	name_rule(o, o->nreadable, path, fd);
	o->writable[o->nreadable] = 0;
	o->readable[o->nreadable++] = fd;
	return 0;
}

int
sandbox_allow_rw_fd(struct sandbox_opts *o, int fd)
{
	if (sandbox_allow_read_fd(o, fd) != 0)
		return -1;
	o->writable[o->nreadable - 1] = 1;
	return 0;
}

/* The rights of one rule: read the file, or read beneath the directory;
 * with rw also write files and (ABI 5) ioctl devices there. */
static uint64_t
rule_rights(int fd, int rw, int abi)
{
	struct stat st;
	uint64_t r;

	if (fstat(fd, &st) != 0)
		return 0;
	r = S_ISDIR(st.st_mode) ? LL_FS_READ_FILE | LL_FS_READ_DIR : LL_FS_READ_FILE;
	if (rw)
		r |= LL_FS_WRITE_FILE | (abi >= 5 ? LL_FS_IOCTL_DEV : 0);
	return r;
}

/* Every file-system right the kernel of this ABI can refuse. */
static uint64_t
handled_fs(int abi)
{
	uint64_t fs = LL_FS_ABI1;

	if (abi >= 2)
		fs |= LL_FS_REFER;
	if (abi >= 3)
		fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LL_FS_IOCTL_DEV;
	return fs;
}

/* The descriptors are spent once the rules are built (or failed). */
static void
close_readable(const struct sandbox_opts *o)
{
	size_t i;

	for (i = 0; i < o->nreadable; i++)
		(void)close(o->readable[i]);
}

/*
 * The roles whose every later read is named by their caller. A role added
 * later (one that runs programs, say) gets no Landlock until it is listed:
 * an empty rule set would refuse it every file, executables included.
 */
static int
role_wants_landlock(enum sandbox_role role)
{
	switch (role) {
	case SB_ROLE_UPSD:
	case SB_ROLE_DRIVER:
	case SB_ROLE_DRIVER_NET:
	case SB_ROLE_DRIVER_USB:
	case SB_ROLE_USB_REOPEN:
		return 1;
	default:
		return 0;
	}
}

int
sandbox_load_landlock(enum sandbox_role role, const struct sandbox_opts *o, char *err,
    size_t errlen)
{
	struct ll_ruleset_attr attr;
	struct ll_path_beneath_attr rule;
	size_t i, attrlen;
	int abi, rs = -1, ret = -1;

	if (!role_wants_landlock(role) || o->action == SB_ACTION_OFF) {
		done.state = role_wants_landlock(role) ? LL_OFF : LL_NOT_ROLE;
		close_readable(o);
		return 0;
	}
	abi = sandbox_landlock_abi();
	if (abi <= 0) {
		done.state = LL_UNAVAILABLE;
		(void)snprintf(done.why, sizeof(done.why), "%s", unavailable_reason(abi));
		close_readable(o);
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = handled_fs(abi);
	attrlen = sizeof(attr.handled_access_fs);
	if (abi >= LL_ABI_KNOWN) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		attrlen = sizeof(attr);
	}
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attrlen, 0U);
	if (rs < 0) {
		sb_errf(err, errlen, "landlock ABI %d: creating the ruleset: %s", abi,
		    strerror(errno));
		goto out;
	}
	for (i = 0; i < o->nreadable; i++) {
		memset(&rule, 0, sizeof(rule));
		rule.parent_fd = o->readable[i];
		rule.allowed_access = rule_rights(o->readable[i], o->writable[i], abi);
		if (rule.allowed_access == 0 ||
		    syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &rule,
		    0U) != 0) {
			sb_errf(err, errlen, "landlock: rule %zu (%s, %s): %s", i + 1,
			    o->readable_name[i], o->writable[i] ? "read-write" : "read-only",
			    rule.allowed_access == 0 ? "no right applies to it" : strerror(errno));
			goto out;
		}
	}
	/* Landlock wants no_new_privs (or CAP_SYS_ADMIN); caps.c has set it. */
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		sb_errf(err, errlen, "landlock: no_new_privs: %s", strerror(errno));
		goto out;
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0U) != 0) {
		sb_errf(err, errlen, "landlock ABI %d: restricting the process: %s", abi,
		    strerror(errno));
		goto out;
	}
	done.state = LL_APPLIED;
	done.abi = abi;
	done.nrules = o->nreadable;
	for (done.nrw = 0, i = 0; i < o->nreadable; i++)
		done.nrw += o->writable[i];
	ret = 0;
out:
	if (rs >= 0)
		(void)close(rs);
	close_readable(o);
	return ret;
}

int
sb_landlock_describe(char *out, size_t outlen)
{
	int n;

	switch (done.state) {
	case LL_APPLIED: {
		char rw[48] = "";

		if (done.nrw > 0)
			(void)snprintf(rw, sizeof(rw), ", read-write beneath %zu", done.nrw);
		n = snprintf(out, outlen, "landlock ABI %d: fs read-only beneath %zu path%s%s%s",
		    done.abi, done.nrules - done.nrw, done.nrules - done.nrw == 1 ? "" : "s", rw,
		    done.abi >= LL_ABI_KNOWN ? ", abstract unix sockets and signals scoped" :
		    "");
		break;
	}
	case LL_UNAVAILABLE:
		n = snprintf(out, outlen, "landlock unavailable (%s)", done.why);
		break;
	case LL_OFF:
		n = snprintf(out, outlen, "landlock off");
		break;
	case LL_NOT_ROLE:
		n = snprintf(out, outlen, "no landlock for this role");
		break;
	default:
		n = snprintf(out, outlen, "no landlock");
		break;
	}
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
