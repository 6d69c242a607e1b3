/*
 * nutsec - privdrop.c: the file-system and id half of the sandbox. The user
 * and group are resolved to numbers while the password database is still
 * reachable; the process is jailed with chroot + chdir("/"), and "/" is
 * checked to be the jail with ".." leading nowhere; ids are switched with
 * setgroups/setresgid/setresuid where libcap-ng is not doing it (see
 * caps.c); afterwards the ids are read back and a way back to root is
 * tried and must fail.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "sandbox.h"

int
sandbox_resolve(const struct sandbox_opts *o, uid_t *uid, gid_t *gid, char *err,
    size_t errlen)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[4096];
	int rc;

	if (o->user == NULL || o->user[0] == '\0') {
		*uid = getuid();
		*gid = getgid();
		if (o->group == NULL || o->group[0] == '\0')
			return 0;
	} else {
		rc = getpwnam_r(o->user, &pw, buf, sizeof(buf), &pwp);
		if (pwp == NULL) {
			sb_errf(err, errlen, "user %s: %s", o->user,
			    rc != 0 ? strerror(rc) : "no such user");
			return -1;
		}
		*uid = pwp->pw_uid;
		*gid = pwp->pw_gid;
	}
	if (o->group != NULL && o->group[0] != '\0') {
		rc = getgrnam_r(o->group, &gr, buf, sizeof(buf), &grp);
		if (grp == NULL) {
			sb_errf(err, errlen, "group %s: %s", o->group,
			    rc != 0 ? strerror(rc) : "no such group");
			return -1;
		}
		*gid = grp->gr_gid;
	}
	if (*uid == 0 && o->user != NULL && o->user[0] != '\0') {
		sb_errf(err, errlen, "user %s is root: refusing to run sandboxed as root",
		    o->user);
		return -1;
	}
	if (*gid == 0 && *uid != 0) {
		sb_errf(err, errlen, "group %s is root: refusing to run sandboxed in group root",
		    o->group != NULL && o->group[0] != '\0' ? o->group : "(primary)");
		return -1;
	}
	return 0;
}

int
sb_chroot(const char *dir, char *err, size_t errlen)
{
	struct stat want, root, up;

	if (stat(dir, &want) != 0) {
		sb_errf(err, errlen, "chroot %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(want.st_mode)) {
		sb_errf(err, errlen, "chroot %s: not a directory", dir);
		return -1;
	}
	if (chroot(dir) != 0) {
		sb_errf(err, errlen, "chroot %s: %s", dir, strerror(errno));
		return -1;
	}
	if (chdir("/") != 0) {
		sb_errf(err, errlen, "chdir / in %s: %s", dir, strerror(errno));
		return -1;
	}
	/* The new "/" is the directory we meant, and ".." leads nowhere. */
	if (stat("/", &root) != 0 || stat("/..", &up) != 0 ||
	    root.st_dev != want.st_dev || root.st_ino != want.st_ino ||
	    up.st_dev != root.st_dev || up.st_ino != root.st_ino) {
		sb_errf(err, errlen, "chroot %s: the root directory is not the jail", dir);
		return -1;
	}
	return 0;
}

int
sb_setids(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (setgroups(0, NULL) != 0) {
		sb_errf(err, errlen, "dropping supplementary groups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(gid, gid, gid) != 0) {
		sb_errf(err, errlen, "setresgid %ld: %s", (long)gid, strerror(errno));
		return -1;
	}
	if (setresuid(uid, uid, uid) != 0) {
		sb_errf(err, errlen, "setresuid %ld: %s", (long)uid, strerror(errno));
		return -1;
	}
	return 0;
}

int
sb_verify_ids(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg, groups[2];
	int n;

	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0) {
		sb_errf(err, errlen, "reading the ids back: %s", strerror(errno));
		return -1;
	}
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
		sb_errf(err, errlen, "ids are uid %ld/%ld/%ld gid %ld/%ld/%ld, wanted %ld/%ld",
		    (long)ru, (long)eu, (long)su, (long)rg, (long)eg, (long)sg, (long)uid,
		    (long)gid);
		return -1;
	}
	n = getgroups(2, groups);
	if (n < 0 || n > 1 || (n == 1 && groups[0] != gid)) {
		sb_errf(err, errlen, "supplementary groups are still held");
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		sb_errf(err, errlen, "the process could become root again");
		return -1;
	}
	if (gid != 0 && (setgid(0) == 0 || setegid(0) == 0)) {
		sb_errf(err, errlen, "the process could take group root again");
		return -1;
	}
	return 0;
}
