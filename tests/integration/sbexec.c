/*
 * nutsec tests - sbexec.c: runs a program under a sandbox role's seccomp
 * filter (with no_new_privs), the way a confined parent's child inherits
 * it across execve. Used by 410-upssched.sh to run upssched as a confined
 * upsmon's notifier runs its NOTIFYCMD.
 *
 *   sbexec ROLE ACTION PROGRAM [ARG...]
 *
 * Exit status: the program's (it replaces sbexec), or 2 when the role or
 * action is unknown, the filter cannot be loaded or the exec fails.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"

int
main(int argc, char **argv)
{
	enum sandbox_action action;
	int role;

	if (argc < 4 || (role = sandbox_role_lookup(argv[1])) < 0 ||
	    sandbox_parse_action(argv[2], &action) != 0) {
		fprintf(stderr, "usage: sbexec ROLE kill|trap|log|off PROGRAM [ARG...]\n");
		return 2;
	}
	if (sandbox_load_filter((enum sandbox_role)role, 0, action) != 0) {
		fprintf(stderr, "sbexec: cannot load the %s filter\n", argv[1]);
		return 2;
	}
	execv(argv[3], argv + 3);
	fprintf(stderr, "sbexec: %s: %s\n", argv[3], strerror(errno));
	return 2;
}
