/*
 * nutsec - spawn.h: starting a program, in one place. spawn() forks and
 * execs argv[0] (a path: no PATH search, no shell) with an environment the
 * caller lists in full, every descriptor but 0-2 closed, the signal mask
 * emptied and every signal back to its default, optionally stdin/stdout
 * redirected and a new session. A failed exec is reported to the caller
 * (errno) rather than by the child. spawn_reap() waits for a child, with a
 * timeout. spawn_env() builds an environment from named variables of ours.
 */
#ifndef NUTSEC_SPAWN_H
#define NUTSEC_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#define SPAWN_KEEP (-1)		/* stdin/stdout: inherit ours */
#define SPAWN_NULL (-2)		/* stdin/stdout/stderr: /dev/null */
#define SPAWN_STDOUT (-3)	/* stderr only: wherever stdout goes (2>&1) */

struct spawn_opts {
	char *const *argv;	/* argv[0] is the program's path (has a '/'); NULL-terminated */
	char *const *envp;	/* the whole environment; NULL = empty */
	int stdin_fd;		/* SPAWN_KEEP, SPAWN_NULL, or a descriptor to use */
	int stdout_fd;		/* the same for stdout */
	int stderr_fd;		/* SPAWN_KEEP (default), SPAWN_NULL or SPAWN_STDOUT */
	int new_session;	/* 1: setsid() in the child (no controlling tty) */
};

/* Options with stdin/stdout/stderr kept, no environment, no new session. */
void spawn_opts_init(struct spawn_opts *o, char *const *argv);

/*
 * Starts the program. Returns the child's pid, or -1 with errno: from fork,
 * from the child's set-up or from execve itself (the child is reaped then).
 * The caller's descriptors given as stdin_fd/stdout_fd stay open in the
 * caller.
 */
pid_t spawn(const struct spawn_opts *o);

/*
 * Waits for pid: timeout_ms < 0 waits as long as it takes, 0 only looks.
 * Returns 1 with *status (waitpid's) when the child was reaped, 0 if it is
 * still running when the time is up, -1 with errno (ECHILD: not our child).
 */
int spawn_reap(pid_t pid, long timeout_ms, int *status);

/*
 * Copies into out[0..max-1] (NULL-terminated) the entries of our
 * environment whose names are in names: a name ending in '*' matches a
 * prefix ("NUT_*"). Returns the count; entries beyond max-1 are left out.
 * The strings are our environment's own (valid until it changes).
 */
size_t spawn_env(char **out, size_t max, const char *const *names);

/*
 * For programs a user names (a CMDSCRIPT, certutil): name itself when it
 * holds a '/', else the first executable name in $PATH (a usual system
 * list when PATH is unset or empty), into out. 0, or -1 (not found, or too
 * long). spawn() itself never searches.
 */
int spawn_find(const char *name, char *out, size_t len);

#endif
