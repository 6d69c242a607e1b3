/*
 * nutsec - upssched_run.c: running CMDSCRIPT. NUT glues "CMDSCRIPT name"
 * into one string for system(), so a timer name or command reaches a
 * shell; here the script gets the name as its one argument (argv, no
 * shell), stdin from /dev/null and a short environment, through
 * common/spawn. A CMDSCRIPT given without a '/' is looked up in PATH, the
 * way NUT's shell found it.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"
#include "upssched.h"
#include "xmalloc.h"

/* What CMDSCRIPT sees of our environment. */
static const char *const script_env[] = {
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_*", "TZ", "NUT_*", NULL
};
static const char *const event_env[] = { "UPSNAME", "NOTIFYTYPE", NULL };

pid_t
us_run(const char *cmdscript, const char *arg, int with_event)
{
	char path[PATH_MAX], *argv[3], *envp[48];
	struct spawn_opts o;
	size_t n;
	pid_t pid;

	if (spawn_find(cmdscript, path, sizeof(path)) != 0) {
		log_warnx("CMDSCRIPT %s: %s", cmdscript, strchr(cmdscript, '/') != NULL ?
		    "path too long" : "not found in PATH");
		return -1;
	}
	argv[0] = path;
	argv[1] = (char *)(uintptr_t)arg;
	argv[2] = NULL;
	n = spawn_env(envp, sizeof(envp) / sizeof(envp[0]) - 2, script_env);
	if (with_event)
		n += spawn_env(envp + n, sizeof(envp) / sizeof(envp[0]) - n, event_env);
	envp[n] = NULL;
	spawn_opts_init(&o, argv);
	o.envp = envp;
	o.stdin_fd = SPAWN_NULL;
	pid = spawn(&o);
	if (pid < 0)
		log_warn("cannot run CMDSCRIPT %s %s", path, arg);
	else
		log_info("running %s %s (pid %ld)", path, arg, (long)pid);
	return pid;
}
