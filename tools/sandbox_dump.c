/*
 * nutsec - sandbox_dump.c: nutsec-sandbox-dump, a reviewer's tool. It prints a
 * role's allow-list with the reason of every entry, then the filter that
 * libseccomp compiles from it (PFC text), so a policy change can be
 * reviewed as a diff of two outputs. It loads nothing and needs no
 * privileges.
 *
 *   nutsec-sandbox-dump ROLE [tls] [reload] [syslog]
 *   nutsec-sandbox-dump -l          (the role names)
 *   nutsec-sandbox-dump --landlock  (the Landlock ABI this kernel offers)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: nutsec-sandbox-dump ROLE [tls] [reload] [syslog]\n"
	    "       nutsec-sandbox-dump -l | --landlock\n"
	    "Prints ROLE's seccomp allow-list with reasons and its compiled filter;\n"
	    "-l the roles, --landlock the Landlock ABI of the running kernel.\n");
}

int
main(int argc, char **argv)
{
	unsigned flags = 0;
	int role, i;

	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		for (i = 0; i < SB_ROLE__COUNT; i++)
			printf("%s\n", sandbox_role_name((enum sandbox_role)i));
		return EXIT_SUCCESS;
	}
	if (argc == 2 && strcmp(argv[1], "--landlock") == 0) {
		int abi = sandbox_landlock_abi();

		if (abi > 0)
			printf("landlock ABI %d\n", abi);
		else
			printf("landlock unavailable (%s)\n", strerror(-abi));
		return EXIT_SUCCESS;
	}
	if (argc < 2 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	if ((role = sandbox_role_lookup(argv[1])) < 0) {
		fprintf(stderr, "nutsec-sandbox-dump: unknown role '%s' (try -l)\n", argv[1]);
		return EXIT_FAILURE;
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "tls") == 0)
			flags |= SB_F_TLS;
		else if (strcmp(argv[i], "reload") == 0)
			flags |= SB_F_RELOAD;
		else if (strcmp(argv[i], "syslog") == 0)
			flags |= SB_F_SYSLOG;
		else {
			fprintf(stderr, "nutsec-sandbox-dump: unknown flag '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	fflush(stdout);
	return sandbox_dump_filter((enum sandbox_role)role, flags, STDOUT_FILENO) == 0 ?
	    EXIT_SUCCESS : EXIT_FAILURE;
}
