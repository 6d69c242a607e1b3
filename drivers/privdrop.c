/*
 * nutsec - privdrop.c: giving up root once the device and the socket are
 * open. Names are resolved first (the chroot has no passwd file), then
 * chroot, then the supplementary groups, the group and the user, in that
 * order, and the drop is verified. The sandbox work hardens this later
 * (capabilities, no_new_privs, seccomp); this file keeps the order.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

#include "drvcore.h"
#include "log.h"

int
privdrop_resolve(const char *user, const char *group, long *uid, long *gid)
{
	struct passwd *pw;
	struct group *gr;

	*uid = -1;
	*gid = -1;
	if (user != NULL) {
		errno = 0;
		pw = getpwnam(user);
		if (pw == NULL) {
			log_warnx("user %s does not exist", user);
			return -1;
		}
		if (pw->pw_uid == 0)
			log_warnx("running as root (user %s): the driver keeps every privilege",
			    user);
		*uid = (long)pw->pw_uid;
		*gid = (long)pw->pw_gid;
	}
	if (group != NULL) {
		gr = getgrnam(group);
		if (gr == NULL) {
			log_warnx("group %s does not exist", group);
			return -1;
		}
		*gid = (long)gr->gr_gid;
	}
	return 0;
}

int
privdrop_enter(const char *dir, long uid, long gid)
{
	gid_t g;

	/* 1. chroot, while still root; the cwd must be inside it. */
	if (dir != NULL) {
		if (chdir(dir) < 0 || chroot(dir) < 0 || chdir("/") < 0) {
			log_warn("cannot chroot to %s", dir);
			return -1;
		}
		log_info("chrooted to %s", dir);
	}
	if (uid < 0)
		return 0;
	g = (gid_t)gid;
	/* 2. supplementary groups: only the one group, nothing inherited from root. */
	if (setgroups(1, &g) < 0) {
		log_warn("setgroups");
		return -1;
	}
	/* 3. the group, then 4. the user (after which setgid would fail). */
	if (setresgid(g, g, g) < 0) {
		log_warn("setresgid(%ld)", gid);
		return -1;
	}
	if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0) {
		log_warn("setresuid(%ld)", uid);
		return -1;
	}
	/* 5. verify: getting root back must fail. */
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		log_warnx("privileges could be regained after the drop; refusing to run");
		return -1;
	}
	log_info("running as uid %ld gid %ld", uid, gid);
	return 0;
}
