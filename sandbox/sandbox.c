/*
 * nutsec - sandbox.c: the entry point. sandbox_confine() runs the steps of
 * the other files in the one order that works, written out as a numbered
 * list in that one function: resolve the ids (the password database is
 * outside the jail), prepare the trap report (syscall names, /dev/log),
 * chroot, switch ids and drop every capability, read the ids back and make
 * sure root cannot be regained, apply Landlock (the kernel's path and scope
 * rules; seccomp cannot see paths), load the role's filter, keep the signal
 * handlers the caller installed, and log the one line saying what the
 * process holds. Also the names of roles and actions, and the message
 * helper the other files share.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ev.h"
#include "internal.h"
#include "log.h"
#include "policy.h"
#include "sandbox.h"

static const char *const action_names[] = {
	[SB_ACTION_KILL] = "kill",
	[SB_ACTION_TRAP] = "trap",
	[SB_ACTION_LOG] = "log",
	[SB_ACTION_OFF] = "off",
};

void
sb_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
sandbox_parse_action(const char *word, enum sandbox_action *out)
{
	size_t i;

	for (i = 0; word != NULL && i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (strcasecmp(word, action_names[i]) == 0) {
			*out = (enum sandbox_action)i;
			return 0;
		}
	}
	return -1;
}

const char *
sandbox_action_name(enum sandbox_action a)
{
	if ((unsigned)a >= sizeof(action_names) / sizeof(action_names[0]))
		return "?";
	return action_names[a];
}

const char *
sandbox_role_name(enum sandbox_role r)
{
	if ((unsigned)r >= SB_ROLE__COUNT)
		return "?";
	return sb_roles[r].name;
}

int
sandbox_role_lookup(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < SB_ROLE__COUNT; i++)
		if (strcmp(name, sb_roles[i].name) == 0)
			return i;
	return -1;
}

int
sandbox_confine(enum sandbox_role role, const struct sandbox_opts *o, const char *tag)
{
	char err[512] = "", held[512];
	int change_ids, ret = -1;
	uid_t uid;
	gid_t gid;

	if (tag == NULL)
		tag = "";
	if ((unsigned)role >= SB_ROLE__COUNT) {
		sb_errf(err, sizeof(err), "unknown sandbox role %d", (int)role);
		goto out;
	}
	/* 1. Names to numbers while /etc/passwd is still reachable. */
	if (sandbox_resolve(o, &uid, &gid, err, sizeof(err)) != 0)
		goto out;
	if (uid == 0 && !sb_roles[role].may_stay_root) {
		sb_errf(err, sizeof(err), "no user to run as: refusing to run sandboxed as root");
		goto out;
	}
	change_ids = uid != getuid() || uid != geteuid() || gid != getgid() ||
	    gid != getegid();
	/* 2. The trap report's names and syslog socket, from outside the jail. */
	if (sb_trap_prepare(role, o->flags, o->action, err, sizeof(err)) != 0)
		goto out;
	/* 3. The jail. */
	if (o->chroot_dir != NULL && o->chroot_dir[0] != '\0' &&
	    sb_chroot(o->chroot_dir, err, sizeof(err)) != 0)
		goto out;
	/* 4. Ids, groups, capabilities, bounding set, securebits, no_new_privs
	 * (a role that stays root keeps its ids, and its capabilities unless it
	 * is SB_ROOT_NOCAPS). */
	if ((uid != 0 || sb_roles[role].may_stay_root == SB_ROOT_NOCAPS) &&
	    sb_caps_drop(uid, gid, change_ids, err, sizeof(err)) != 0)
		goto out;
	/* 5. No way back. */
	if (uid != 0 && sb_verify_ids(uid, gid, err, sizeof(err)) != 0)
		goto out;
	/* 6. Landlock: read only what was named, before the filter forbids its calls. */
	if (sandbox_load_landlock(role, o, err, sizeof(err)) != 0)
		goto out;
	/* 7. The role's syscall filter (and no_new_privs). */
	if (sb_load_filter(role, o->flags, o->action, err, sizeof(err)) != 0)
		goto out;
	/* 8. The signal handlers stay: sigaction is not in the filters. */
	ev_keep_signals();
	/* 9. One line with what we hold, as the kernel says. */
	if (sandbox_describe(role, o, held, sizeof(held)) == 0)
		log_notice("%ssandbox: %s", tag, held);
	else
		log_warnx("%ssandbox entered, but its state cannot be read back", tag);
	ret = 0;
out:
	if (ret != 0)
		log_warnx("%sfatal: sandbox %s: %s", tag, sandbox_role_name(role), err);
	return ret;
}
