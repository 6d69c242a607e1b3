/*
 * nutsec - privs.c: the steps that give privileges away: the open-file
 * limit (raised while still root), chroot (-r) with the working directory
 * kept at the state path so the relative driver socket names still work,
 * and the switch to the run-as user with its group only. The sandbox issue
 * hardens this further (capabilities, no_new_privs, seccomp); main() keeps
 * the order as commented steps so those slot in.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

#include "upsd.h"

int
privs_resolve(struct privs *p, const char *user)
{
	struct passwd *pw;

	memset(p, 0, sizeof(*p));
	if (user == NULL || *user == '\0')
		return 0;
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		if (errno != 0)
			log_warn("cannot look user %s up", user);
		else
			log_warnx("user %s does not exist (create it, or use -u)", user);
		return -1;
	}
	p->user = xstrdup(user);
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	p->resolved = 1;
	return 0;
}

int
privs_chroot(const char *dir, const char *statepath)
{
	size_t dlen = strlen(dir);
	const char *inside;

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	/* The driver sockets must stay reachable from inside the new root. */
	if (strncmp(statepath, dir, dlen) != 0 ||
	    (statepath[dlen] != '/' && statepath[dlen] != '\0')) {
		log_warnx("chroot %s: the state path %s is outside it", dir, statepath);
		return -1;
	}
	inside = statepath[dlen] == '\0' ? "/" : statepath + dlen;
	if (chroot(dir) != 0) {
		log_warn("chroot %s", dir);
		return -1;
	}
	if (chdir(inside) != 0) {
		log_warn("chdir %s inside the chroot", inside);
		return -1;
	}
	log_info("chrooted to %s", dir);
	return 0;
}

int
privs_drop(const struct privs *p)
{
	gid_t gid;

	if (!p->resolved)
		return 0;
	if (getuid() != 0 && geteuid() != 0) {
		if (geteuid() != (uid_t)p->uid)
			log_warnx("not root: cannot become %s; staying uid %u", p->user,
			    (unsigned)geteuid());
		return 0;
	}
	if (p->uid == 0) {
		log_warnx("running as root (-u %s): privileges are not dropped", p->user);
		return 0;
	}
	gid = (gid_t)p->gid;
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid((uid_t)p->uid, (uid_t)p->uid, (uid_t)p->uid) != 0) {
		log_warn("cannot switch to user %s", p->user);
		return -1;
	}
	/* Paranoia: root must be gone for good. */
	if (setuid(0) == 0 || seteuid(0) == 0) {
		log_warnx("could regain root after dropping privileges");
		return -1;
	}
	log_info("running as user %s (uid %u, gid %u)", p->user, p->uid, p->gid);
	return 0;
}

long
privs_raise_nofile(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		return 1024;
	}
	if (want > 0 && (rlim_t)want > rl.rlim_cur) {
		rlim_t target = (rlim_t)want;

		if (rl.rlim_max != RLIM_INFINITY && target > rl.rlim_max)
			target = rl.rlim_max;
		rl.rlim_cur = target;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("setrlimit(RLIMIT_NOFILE, %lu)", (unsigned long)target);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)1 << 24)
		return 1L << 24;
	return (long)rl.rlim_cur;
}
