/*
 * nutsec - caps.c: capabilities with libcap-ng. A process that starts as
 * root clears every capability set (effective, permitted, inheritable,
 * ambient) in libcap-ng's state, locks the securebits (no root
 * privileges on exec, no set*id capability fix-ups; this also sets
 * no_new_privs) while it still holds CAP_SETPCAP, then lets
 * capng_change_id switch gid/uid with the supplementary groups dropped and
 * the bounding set cleared. Without CAP_SETPCAP (a container that took it
 * away) the ids are switched with plain set*id calls and only the
 * bounding set stays as it was. A process that starts unprivileged only
 * clears what it has. This is the only file that includes libcap-ng.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

#include <cap-ng.h>

#include "internal.h"

/* libcap-ng's distinct failure codes of capng_change_id, in words. */
static const char *
change_id_error(int rc)
{
	switch (rc) {
	case -2:
		return "PR_SET_KEEPCAPS failed";
	case -3:
		return "applying capabilities failed (CAP_SETPCAP missing?)";
	case -4:
		return "setresgid failed";
	case -5:
		return "setgroups/initgroups failed";
	case -6:
		return "setresuid failed";
	case -7:
		return "clearing PR_SET_KEEPCAPS failed";
	case -8:
		return "clearing the bounding set failed";
	case -9:
		return "dropping CAP_SETPCAP failed";
	case -10:
		return "clearing ambient capabilities failed";
	default:
		return "libcap-ng not initialised";
	}
}

int
sb_caps_drop(uid_t uid, gid_t gid, int change_ids, char *err, size_t errlen)
{
	int setpcap, rc, ret = -1;

	if (capng_get_caps_process() != 0) {
		sb_errf(err, errlen, "reading the capabilities: %s", strerror(errno));
		goto out;
	}
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	capng_clear(CAPNG_SELECT_ALL);
	if (change_ids && setpcap) {
		if (capng_lock() != 0) {
			sb_errf(err, errlen, "locking the securebits: %s", strerror(errno));
			goto out;
		}
		rc = capng_change_id((int)uid, (int)gid,
		    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING | CAPNG_CLEAR_AMBIENT);
		if (rc != 0) {
			sb_errf(err, errlen, "switching to uid %ld gid %ld: %s", (long)uid,
			    (long)gid, change_id_error(rc));
			/* libcap-ng may leave KEEPCAPS on after a failure. */
			(void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
			goto out;
		}
	} else {
		if (change_ids && sb_setids(uid, gid, err, errlen) != 0)
			goto out;
		if (capng_apply(setpcap ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS) != 0) {
			sb_errf(err, errlen, "dropping the capabilities: %s", strerror(errno));
			goto out;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		sb_errf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		goto out;
	}
	if (capng_get_caps_process() != 0 ||
	    capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		sb_errf(err, errlen, "capabilities are still held after dropping them");
		goto out;
	}
	ret = 0;
out:
	return ret;
}
