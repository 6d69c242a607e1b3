/*
 * nutsec - privdrop.c: how a driver gives up root once its device and
 * socket are open. privdrop_resolve settles, before anything opens, who the
 * driver will be (-u/-g, ups.conf user/group, RUN_AS_USER when started as
 * root), where its jail is (-r, ups.conf chroot, else the state path) and
 * what its seccomp filter does (--sandbox, ups.conf sandbox, else kill).
 * privdrop_enter keeps the directories a reload reads open, names them and
 * the state path as all the driver may still read (Landlock), then hands
 * everything to sandbox_enter and logs what the process holds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "drvcore.h"
#include "ev.h"
#include "log.h"
#include "upsconf.h"
#include "xmalloc.h"

int
privdrop_resolve(struct drv *d, long *gid)
{
	struct sandbox_opts *sb = &d->sb;
	const char *user = d->opts.user ? d->opts.user : upsconf_user(d->uc, d->ups);
	const char *group = d->opts.group ? d->opts.group : upsconf_group(d->uc, d->ups);
	long action = d->opts.sandbox >= 0 ? d->opts.sandbox :
	    upsconf_get(d->uc, d->ups, UPSCONF_SANDBOX, SB_ACTION_KILL);
	char err[512];
	uid_t u;
	gid_t g;

	memset(sb, 0, sizeof(*sb));
	sb->action = (enum sandbox_action)action;
	sb->flags = SB_F_RELOAD | SB_F_SYSLOG;
	sb->group = group;
	if (geteuid() == 0) {
		sb->user = user != NULL ? user : RUN_AS_USER;
		sb->chroot_dir = d->opts.chroot ? d->opts.chroot :
		    d->uc->chroot ? d->uc->chroot : d->statepath;
	} else if (user != NULL || d->opts.chroot != NULL || d->uc->chroot != NULL)
		log_warnx("not started as root: user and chroot are ignored (ids kept)");
	*gid = -1;
	if ((sb->user != NULL || group != NULL) &&
	    sandbox_resolve(sb, &u, &g, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return -1;
	}
	if (sb->user != NULL || group != NULL)
		*gid = (long)g;
	return 0;
}

/* "dir/file" -> keeps "dir" open for reload inside the jail. */
static int
keep_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc;

	if (path[0] != '/' || slash == NULL)
		return 0;
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	rc = conf_keep_dir(dir);
	if (rc != 0)
		log_warn("cannot keep %s open for reload", dir);
	free(dir);
	return rc;
}

/*
 * What the driver reads once sandboxed, for the Landlock rules: the kept
 * directories (ups.conf's for reload, dummy-ups's data file's) and the
 * state path (its socket). A device is opened before and needs no rule.
 */
static int
landlock_paths(struct drv *d)
{
	size_t i;
	int fd;

	for (i = 0; (fd = conf_kept_fd(i)) >= 0; i++)
		if (sandbox_allow_read_fd(&d->sb, fd) != 0) {
			log_warn("UPS [%s]: landlock: kept directory %zu", d->upsname, i + 1);
			return -1;
		}
	if (sandbox_allow_read(&d->sb, d->statepath) != 0) {
		log_warn("UPS [%s]: landlock: %s", d->upsname, d->statepath);
		return -1;
	}
	return 0;
}

int
privdrop_enter(struct drv *d)
{
	char err[512], held[512];

	if (d->uc->file != NULL && keep_dir_of(d->uc->file) != 0)
		return -1;
	if (landlock_paths(d) != 0)
		return -1;
	if (sandbox_enter((enum sandbox_role)d->sb_role, &d->sb, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return -1;
	}
	ev_keep_signals();
	if (sandbox_describe((enum sandbox_role)d->sb_role, &d->sb, held, sizeof(held)) == 0)
		log_notice("UPS [%s]: sandbox: %s", d->upsname, held);
	else
		log_warnx("UPS [%s]: sandbox entered, but its state cannot be read back",
		    d->upsname);
	return 0;
}
