/*
 * nutsec - seccomp.c: compiles a role's tables from policy.c into a
 * libseccomp filter for the native architecture only (a syscall from any
 * other ABI kills the process) and loads it after PR_SET_NO_NEW_PRIVS. The
 * default action comes from sandbox_action: kill the process, trap, log,
 * or no filter at all. In trap mode a SIGSYS handler reports the refused
 * syscall by name, using only write(2) on stderr (and on a datagram socket
 * to /dev/log opened before chroot) and _exit(159); the names were resolved
 * into a static table beforehand, so the handler neither allocates nor
 * calls into libseccomp. This is the only file that includes libseccomp.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <seccomp.h>

#include "internal.h"
#include "policy.h"
#include "sandbox.h"

#define SB_TRAP_EXIT 159	/* exit status after a trapped syscall */
#define SB_NAMES_MAX 1024	/* syscall numbers named in the trap table */
#define SB_NAME_LEN 32

static struct {
	int prepared;
	char names[SB_NAMES_MAX][SB_NAME_LEN];
	char prefix[96];	/* "upsd[123]: sandbox upsd: " */
	int logfd;		/* /dev/log datagram socket or -1 */
} trap = { .logfd = -1 };

static struct {
	int loaded;
	enum sandbox_role role;
	unsigned flags;
	enum sandbox_action action;
} state;

static uint32_t
default_action(enum sandbox_action a)
{
	switch (a) {
	case SB_ACTION_TRAP:
		return SCMP_ACT_TRAP;
	case SB_ACTION_LOG:
		return SCMP_ACT_LOG;
	default:
		return SCMP_ACT_KILL_PROCESS;
	}
}

/* Appends s to buf at *off, truncating at len (signal-safe). */
static void
put_str(char *buf, size_t len, size_t *off, const char *s)
{
	while (*s != '\0' && *off + 1 < len)
		buf[(*off)++] = *s++;
	buf[*off] = '\0';
}

/* Appends the decimal (or hex) digits of v (signal-safe). */
static void
put_num(char *buf, size_t len, size_t *off, unsigned long v, unsigned base)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0 && n < sizeof(tmp));
	while (n > 0 && *off + 1 < len)
		buf[(*off)++] = tmp[--n];
	buf[*off] = '\0';
}

static void
sigsys_handler(int sig, siginfo_t *si, void *uc)
{
	char msg[256];
	size_t off = 0, head;
	int nr = si->si_syscall;
	int e = errno;

	(void)sig;
	(void)uc;
	/* "<26>" is LOG_DAEMON|LOG_CRIT, only for the syslog copy. */
	put_str(msg, sizeof(msg), &off, "<26>");
	head = off;
	put_str(msg, sizeof(msg), &off, trap.prefix);
	put_str(msg, sizeof(msg), &off, "syscall ");
	if (nr >= 0 && nr < SB_NAMES_MAX && trap.names[nr][0] != '\0')
		put_str(msg, sizeof(msg), &off, trap.names[nr]);
	else
		put_str(msg, sizeof(msg), &off, "?");
	put_str(msg, sizeof(msg), &off, " (nr ");
	put_num(msg, sizeof(msg), &off, (unsigned long)(unsigned)nr, 10);
	put_str(msg, sizeof(msg), &off, ", arch 0x");
	put_num(msg, sizeof(msg), &off, (unsigned long)si->si_arch, 16);
	put_str(msg, sizeof(msg), &off, ") is not allowed, exiting (trap mode)\n");
	if (trap.logfd >= 0)
		(void)!write(trap.logfd, msg, off - 1);
	(void)!write(STDERR_FILENO, msg + head, off - head);
	errno = e;
	_exit(SB_TRAP_EXIT);
}

/* Opens a datagram socket connected to /dev/log, or leaves logfd at -1. */
static void
open_syslog_socket(void)
{
	struct sockaddr_un sun;
	int fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, "/dev/log", sizeof("/dev/log"));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return;
	}
	trap.logfd = fd;
}

int
sb_trap_prepare(enum sandbox_role role, unsigned flags, enum sandbox_action action,
    char *err, size_t errlen)
{
	size_t off = 0;
	int nr;

	if (action != SB_ACTION_TRAP || trap.prepared)
		return 0;
	for (nr = 0; nr < SB_NAMES_MAX; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		if (name != NULL) {
			(void)snprintf(trap.names[nr], SB_NAME_LEN, "%s", name);
			free(name);
		}
	}
	put_str(trap.prefix, sizeof(trap.prefix), &off, program_invocation_short_name);
	put_str(trap.prefix, sizeof(trap.prefix), &off, "[");
	put_num(trap.prefix, sizeof(trap.prefix), &off, (unsigned long)getpid(), 10);
	put_str(trap.prefix, sizeof(trap.prefix), &off, "]: sandbox ");
	put_str(trap.prefix, sizeof(trap.prefix), &off, sandbox_role_name(role));
	put_str(trap.prefix, sizeof(trap.prefix), &off, ": ");
	if (flags & SB_F_SYSLOG)
		open_syslog_socket();
	if (errlen > 0)
		err[0] = '\0';
	trap.prepared = 1;
	return 0;
}

/* Installs the SIGSYS handler and makes sure SIGSYS is not blocked. */
static int
install_trap(char *err, size_t errlen)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0) {
		sb_errf(err, errlen, "sigaction(SIGSYS): %s", strerror(errno));
		return -1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) != 0) {
		sb_errf(err, errlen, "sigprocmask: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Adds one allow rule, expanding SB_C_IN constraints into one libseccomp
 * rule per value (both constraints: every pair). Returns 0 or -errno.
 */
static int
add_rule(scmp_filter_ctx ctx, int nr, const struct sb_rule *r)
{
	struct scmp_arg_cmp cmp[2];
	size_t n0, n1, i, j;
	unsigned k, ncmp;
	int rc;

	n0 = r->c[0].kind == SB_C_IN ? r->c[0].set->n : 1;
	n1 = r->c[1].kind == SB_C_IN ? r->c[1].set->n : 1;
	for (i = 0; i < n0; i++) {
		for (j = 0; j < n1; j++) {
			ncmp = 0;
			for (k = 0; k < 2; k++) {
				const struct sb_cond *c = &r->c[k];
				uint64_t datum = 0;

				if (c->kind == SB_C_NONE)
					continue;
				if (c->kind == SB_C_IN)
					datum = c->set->v[k == 0 ? i : j].value & c->mask;
				cmp[ncmp].arg = c->arg;
				cmp[ncmp].op = SCMP_CMP_MASKED_EQ;
				cmp[ncmp].datum_a = c->mask;
				cmp[ncmp].datum_b = datum;
				ncmp++;
			}
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, ncmp, cmp);
			if (rc != 0 && rc != -EEXIST)
				return rc;
		}
	}
	return 0;
}

/* The native number of a policy name, or -1 if this arch lacks the syscall. */
static int
resolve(const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, name);

	return nr < 0 ? -1 : nr;
}

/* Adds `action` for every syscall of the list that names role (bit). */
static int
add_denied(scmp_filter_ctx ctx, unsigned bit, uint32_t action, char *err, size_t errlen)
{
	size_t i;
	int nr, rc;

	for (i = 0; i < sb_ndenied; i++) {
		if (!(sb_denied[i].roles & bit) || (nr = resolve(sb_denied[i].syscall)) < 0)
			continue;
		if ((rc = seccomp_rule_add(ctx, action, nr, 0)) != 0) {
			sb_errf(err, errlen, "seccomp rule for %s: %s", sb_denied[i].syscall,
			    strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/*
 * Builds (does not load) the filter of role+flags with action's default.
 * An allow-list role: the action by default, the role's rules allowed, the
 * soft list refused with its errno, and in log mode the deny list killed.
 * A deny-list role: allowed by default, its deny list refused with the
 * action (killed in log mode), the soft list as above.
 */
static scmp_filter_ctx
build(enum sandbox_role role, unsigned flags, enum sandbox_action action, char *err,
    size_t errlen)
{
	scmp_filter_ctx ctx = NULL, ret = NULL;
	unsigned bit = 1u << role;
	int deny_model;
	uint32_t deny_action;
	size_t i;
	int nr, rc;

	if ((unsigned)role >= SB_ROLE__COUNT) {
		sb_errf(err, errlen, "unknown sandbox role %d", (int)role);
		goto out;
	}
	deny_model = sb_roles[role].model == SB_MODEL_DENY;
	deny_action = action == SB_ACTION_LOG ? SCMP_ACT_KILL_PROCESS : default_action(action);
	ctx = seccomp_init(deny_model ? SCMP_ACT_ALLOW : default_action(action));
	if (ctx == NULL) {
		sb_errf(err, errlen, "seccomp_init failed");
		goto out;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc != 0) {
		sb_errf(err, errlen, "seccomp bad-arch action: %s", strerror(-rc));
		goto out;
	}
	for (i = 0; !deny_model && i < sb_nrules; i++) {
		const struct sb_rule *r = &sb_rules[i];

		if (!(r->roles & bit) || (r->flag != 0 && !(flags & r->flag)))
			continue;
		if ((nr = resolve(r->syscall)) < 0)
			continue;
		if ((rc = add_rule(ctx, nr, r)) != 0) {
			sb_errf(err, errlen, "seccomp rule for %s: %s", r->syscall, strerror(-rc));
			goto out;
		}
	}
	for (i = 0; i < sb_nsoft; i++) {
		if (!(sb_soft[i].roles & bit) || (nr = resolve(sb_soft[i].syscall)) < 0)
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint16_t)sb_soft[i].err), nr, 0);
		if (rc != 0) {
			sb_errf(err, errlen, "seccomp rule for %s: %s", sb_soft[i].syscall,
			    strerror(-rc));
			goto out;
		}
	}
	/*
	 * The deny list: a deny-list role's whole filter; for an allow-list
	 * role it only matters in log mode, which lets everything else through.
	 */
	if ((deny_model || action == SB_ACTION_LOG) &&
	    add_denied(ctx, bit, deny_action, err, errlen) != 0)
		goto out;
	ret = ctx;
	ctx = NULL;
out:
	if (ctx != NULL)
		seccomp_release(ctx);
	return ret;
}

int
sandbox_load_filter(enum sandbox_role role, unsigned flags, enum sandbox_action action)
{
	return sb_load_filter(role, flags, action, NULL, 0);
}

int
sb_load_filter(enum sandbox_role role, unsigned flags, enum sandbox_action action,
    char *err, size_t errlen)
{
	scmp_filter_ctx ctx = NULL;
	char buf[256];
	int rc, ret = -1;

	if (err == NULL) {
		err = buf;
		errlen = sizeof(buf);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		sb_errf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		goto out;
	}
	if (action == SB_ACTION_OFF) {
		ret = 0;
		goto out;
	}
	if (action == SB_ACTION_TRAP &&
	    (sb_trap_prepare(role, flags, action, err, errlen) != 0 ||
	    install_trap(err, errlen) != 0))
		goto out;
	if ((ctx = build(role, flags, action, err, errlen)) == NULL)
		goto out;
	if ((rc = seccomp_load(ctx)) != 0) {
		sb_errf(err, errlen, "loading the seccomp filter: %s", strerror(-rc));
		goto out;
	}
	ret = 0;
out:
	if (ctx != NULL)
		seccomp_release(ctx);
	if (ret == 0) {
		state.loaded = 1;
		state.role = role;
		state.flags = flags;
		state.action = action;
	}
	return ret;
}

int
sb_filter_loaded(enum sandbox_role *role, unsigned *flags, enum sandbox_action *action)
{
	if (!state.loaded)
		return 0;
	*role = state.role;
	*flags = state.flags;
	*action = state.action;
	return 1;
}

/* "#   openat  (RELOAD)  reason" lines: the table behind the compiled filter. */
static void
dump_table(enum sandbox_role role, unsigned flags, int fd)
{
	unsigned bit = 1u << role;
	int deny_model = sb_roles[role].model == SB_MODEL_DENY;
	size_t i;

	dprintf(fd, "# nutsec sandbox role %s (%s), flags%s%s%s%s\n",
	    sandbox_role_name(role), sb_roles[role].why, flags == 0 ? " none" : "",
	    (flags & SB_F_TLS) ? " tls" : "", (flags & SB_F_RELOAD) ? " reload" : "",
	    (flags & SB_F_SYSLOG) ? " syslog" : "");
	dprintf(fd, "# %s%s\n", deny_model ?
	    "deny-list role: every syscall not denied below is allowed (it runs programs)" :
	    "allow-list role: allowed syscalls", sb_roles[role].may_stay_root ?
	    "; may stay root" : "");
	for (i = 0; !deny_model && i < sb_nrules; i++) {
		const struct sb_rule *r = &sb_rules[i];
		unsigned k;

		if (!(r->roles & bit) || (r->flag != 0 && !(flags & r->flag)))
			continue;
		dprintf(fd, "#   %-16s %s", r->syscall, resolve(r->syscall) < 0 ?
		    "(not on this arch) " : "");
		for (k = 0; k < 2; k++) {
			const struct sb_cond *c = &r->c[k];

			if (c->kind == SB_C_IN)
				dprintf(fd, "arg%u in %s ", c->arg, c->set->name);
			else if (c->kind == SB_C_CLEAR)
				dprintf(fd, "arg%u & 0x%llx == 0 ", c->arg,
				    (unsigned long long)c->mask);
		}
		dprintf(fd, "- %s\n", r->why);
	}
	for (i = 0; i < sb_nsoft; i++)
		if (sb_soft[i].roles & bit)
			dprintf(fd, "#   %-16s refused with %s - %s\n", sb_soft[i].syscall,
			    strerror(sb_soft[i].err), sb_soft[i].why);
	dprintf(fd, "# never allowed (fatal even in log mode):\n");
	for (i = 0; i < sb_ndenied; i++)
		if (sb_denied[i].roles & bit)
			dprintf(fd, "#   %-16s %s- %s\n", sb_denied[i].syscall,
			    resolve(sb_denied[i].syscall) < 0 ? "(not on this arch) " : "",
			    sb_denied[i].why);
}

int
sandbox_dump_filter(enum sandbox_role role, unsigned flags, int fd)
{
	scmp_filter_ctx ctx;
	char err[256];
	int rc;

	if ((ctx = build(role, flags, SB_ACTION_KILL, err, sizeof(err))) == NULL) {
		dprintf(fd, "# %s\n", err);
		return -1;
	}
	dump_table(role, flags, fd);
	rc = seccomp_export_pfc(ctx, fd);
	seccomp_release(ctx);
	return rc == 0 ? 0 : -1;
}
