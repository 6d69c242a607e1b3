/*
 * nutsec - perm.c: the file permission policy for files that hold secrets
 * (upsd.users, upsmon.conf: root:nut, 0640) and for the state path
 * (root:nut, 0770). Every complaint names the file and gives the command
 * that fixes it.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "conf.h"
#include "log.h"
#include "perm.h"

int
perm_check_secret_file(const char *path, int strict)
{
	struct stat st;
	const char *what;

	/* conf_stat: after a chroot the file is reached through its kept directory */
	if (conf_stat(path, &st) != 0) {
		log_warn("cannot check permissions of %s", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("%s is not a regular file", path);
		return -1;
	}
	if ((st.st_mode & (S_IROTH | S_IWOTH)) == 0) {
		if (st.st_mode & S_IWGRP)
			log_warnx("%s is writable by its group; run: chmod 640 %s",
			    path, path);
		return 0;
	}
	if ((st.st_mode & S_IROTH) && (st.st_mode & S_IWOTH))
		what = "readable and writable";
	else if (st.st_mode & S_IROTH)
		what = "readable";
	else
		what = "writable";
	log_warnx("%s is %s by others; run: chmod 640 %s && chown root:%s %s%s",
	    path, what, path, RUN_AS_GROUP, path,
	    strict ? " (strict modes: refusing to use it)" : "");
	return strict ? -1 : 0;
}

int
perm_check_statepath(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			log_warnx("state path %s does not exist; run: mkdir -m 0770 %s && "
			    "chown root:%s %s", path, path, RUN_AS_GROUP, path);
		else
			log_warn("cannot check state path %s", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_warnx("state path %s is not a directory", path);
		return -1;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH))
		log_warnx("state path %s is %s by others; run: chmod 0770 %s && chown root:%s %s",
		    path, (st.st_mode & S_IWOTH) ? "writable" : "readable", path,
		    RUN_AS_GROUP, path);
	return 0;
}
