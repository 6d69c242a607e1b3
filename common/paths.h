/*
 * nutsec - paths.h: where things are (environment first, then the built-in
 * defaults), and detaching from the terminal.
 */
#ifndef NUTSEC_PATHS_H
#define NUTSEC_PATHS_H

#include <stddef.h>
#include <sys/types.h>

const char *paths_confpath(void);	/* NUT_CONFPATH or CONFPATH */
const char *paths_statepath(void);	/* NUT_STATEPATH or STATEPATH */
const char *paths_altpidpath(void);	/* NUT_ALTPIDPATH, else NUT_STATEPATH, else ALTPIDPATH */
const char *paths_pidpath(void);	/* NUT_PIDPATH or PIDPATH */
const char *paths_datapath(void);	/* NUT_DATAPATH or DATAPATH */

/* Joins dir and name into out. Returns 0, or -1 if it did not fit. */
int paths_join(char *out, size_t outlen, const char *dir, const char *name);
/*
 * A directory as seen from the host once a process chroots to jail: path
 * itself when it is already under jail, else jail + path (NUT's chroot
 * recipe: the state path copied to the same place inside the jail).
 * 0, or -1 if it does not fit.
 */
int paths_in_jail(char *out, size_t outlen, const char *jail, const char *path);

/*
 * Detaches from the terminal (fork, setsid, chdir /); the parent exits 0
 * once the child calls daemon_ready() or 1 if the child exits first.
 * Returns 0 in the child, or -1 (logged) if it could not fork.
 */
int daemon_background(void);
/*
 * Tells the waiting parent that start-up succeeded, and only now points
 * stdio at /dev/null (so start-up errors still reach the terminal). A no-op
 * when not backgrounded.
 */
void daemon_ready(void);
/*
 * The /dev/null part of daemon_ready, done early: for a process about to
 * enter its sandbox (no /dev/null in the jail, no dup2 or sigaction under
 * the filter). SIGPIPE is ignored from here on, so the later daemon_ready
 * only writes to the parent. A no-op when not backgrounded.
 */
void daemon_detach_stdio(void);

#endif
