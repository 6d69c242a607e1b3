/*
 * nutsec - describe.c: the one log line that says what a process holds,
 * read back from the kernel rather than from what we meant to do. Before
 * the filter (or when the role may open files) CapEff, CapBnd, NoNewPrivs
 * and Seccomp come from /proc/self/status and the root from the
 * /proc/self/root link; inside a jail without /proc, or under a filter that
 * forbids opening files, the same facts come from capget(2) and prctl(2),
 * and the root is the configured jail. Landlock cannot be read back from
 * the kernel; landlock.c says what it applied and on which ABI.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "sandbox.h"

struct held {
	unsigned long long capeff, capbnd;
	int nnp, seccomp;
	char root[256];
};

/* The value of "Key:" in a /proc status text, parsed in base. */
static int
status_field(const char *text, const char *key, int base, unsigned long long *v)
{
	const char *p = text;
	size_t klen = strlen(key);
	char *end;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			errno = 0;
			*v = strtoull(p + klen + 1, &end, base);
			return errno == 0 && end != p + klen + 1 ? 0 : -1;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

/* Reads /proc/self/status and /proc/self/root. Returns 0 or -1. */
static int
held_from_proc(struct held *h)
{
	char text[4096];
	unsigned long long v;
	ssize_t n, got = 0;
	int fd, ret = -1;

	if ((fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while (got < (ssize_t)sizeof(text) - 1 &&
	    (n = read(fd, text + got, sizeof(text) - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	text[got] = '\0';
	if (status_field(text, "CapEff", 16, &h->capeff) != 0 ||
	    status_field(text, "CapBnd", 16, &h->capbnd) != 0 ||
	    status_field(text, "NoNewPrivs", 10, &v) != 0)
		goto out;
	h->nnp = (int)v;
	if (status_field(text, "Seccomp", 10, &v) != 0)
		goto out;
	h->seccomp = (int)v;
	n = readlink("/proc/self/root", h->root, sizeof(h->root) - 1);
	if (n < 0)
		goto out;
	h->root[n] = '\0';
	ret = 0;
out:
	return ret;
}

/* The same facts through capget/prctl, for a process that cannot open. */
static int
held_from_syscalls(struct held *h, const char *jail)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	unsigned cap;
	int r;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0)
		return -1;
	h->capeff = (unsigned long long)data[0].effective |
	    (unsigned long long)data[1].effective << 32;
	h->capbnd = 0;
	for (cap = 0; cap < 64; cap++) {
		r = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);
		if (r < 0)
			break;		/* past the kernel's last capability */
		if (r == 1)
			h->capbnd |= 1ull << cap;
	}
	if ((h->nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)) < 0 ||
	    (h->seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0)) < 0)
		return -1;
	(void)snprintf(h->root, sizeof(h->root), "%s (configured)",
	    jail != NULL && jail[0] != '\0' ? jail : "/");
	return 0;
}

/*
 * Whether /proc may be read: not under a filter that refuses with kill or
 * trap, since no role allows readlink and only some allow openat.
 */
static int
may_open_files(void)
{
	enum sandbox_role role;
	enum sandbox_action action;
	unsigned flags;

	return !sb_filter_loaded(&role, &flags, &action) || action == SB_ACTION_OFF ||
	    action == SB_ACTION_LOG;
}

int
sandbox_describe(enum sandbox_role role, const struct sandbox_opts *o, char *out,
    size_t outlen)
{
	struct held h;
	char who[128], filter[96], ll[128];
	enum sandbox_role frole;
	enum sandbox_action faction;
	unsigned fflags;
	int n;

	memset(&h, 0, sizeof(h));
	if (!may_open_files() || held_from_proc(&h) != 0) {
		memset(&h, 0, sizeof(h));
		if (held_from_syscalls(&h, o != NULL ? o->chroot_dir : NULL) != 0) {
			sb_errf(out, outlen, "sandbox state unreadable: %s", strerror(errno));
			return -1;
		}
	}
	if (o != NULL && o->user != NULL && o->user[0] != '\0')
		(void)snprintf(who, sizeof(who), "user %s (uid %ld, gid %ld)", o->user,
		    (long)getuid(), (long)getgid());
	else
		(void)snprintf(who, sizeof(who), "uid %ld, gid %ld", (long)getuid(),
		    (long)getgid());
	if (h.seccomp == 2 && sb_filter_loaded(&frole, &fflags, &faction))
		(void)snprintf(filter, sizeof(filter), "seccomp filter %s%s%s%s (%s)",
		    sandbox_role_name(frole), (fflags & SB_F_TLS) ? "+tls" : "",
		    (fflags & SB_F_RELOAD) ? "+reload" : "",
		    (fflags & SB_F_SYSLOG) ? "+syslog" : "", sandbox_action_name(faction));
	else if (h.seccomp == 2)
		(void)snprintf(filter, sizeof(filter), "seccomp filter (not %s's)",
		    sandbox_role_name(role));
	else if (sb_filter_loaded(&frole, &fflags, &faction))
		(void)snprintf(filter, sizeof(filter), "seccomp off");
	else
		(void)snprintf(filter, sizeof(filter), "no seccomp filter");
	if (sb_landlock_describe(ll, sizeof(ll)) != 0)
		(void)snprintf(ll, sizeof(ll), "landlock state unknown");
	n = snprintf(out, outlen, "%s, root %s, CapEff %llx, CapBnd %llx, NoNewPrivs %d, %s, %s",
	    who, h.root, h.capeff, h.capbnd, h.nnp, filter, ll);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
