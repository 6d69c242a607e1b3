/*
 * nutsec - pidfile.h: PID files in a directory user nut may write, and
 * signals sent to the process one names. Root never writes through a name
 * nut could have replaced, and never signals a PID before it has checked
 * that the process runs the program it expects (docs/sandbox.md, "Names
 * user nut can replace").
 */
#ifndef NUTSEC_PIDFILE_H
#define NUTSEC_PIDFILE_H

#include <sys/types.h>

/*
 * Writes our PID to path (0644) through one descriptor: created if absent,
 * never through a symlink, and refused unless it is a regular file of ours
 * with a single link (a hard link would be written through to its other
 * name). 0, or -1 with the reason logged; a refused file is left untouched.
 */
int pidfile_write(const char *path);
/* Reads a PID (not following a symlink); returns it, or -1 if missing/garbage. */
pid_t pidfile_read(const char *path);
/* Removes path if it still holds our PID; quiet. */
void pidfile_remove(const char *path);
/*
 * Sends sig to the PID in path once that process is checked to run prog
 * (proc_signal). 0, or -1 with a logged reason.
 */
int pidfile_signal(const char *path, const char *prog, int sig);

/*
 * 0 if process pid runs the program prog: the base name of its executable
 * (/proc/PID/exe), or, when that cannot be read (not ours, not root), its
 * command name (/proc/PID/comm, 15 characters). -1 otherwise, with what it
 * runs instead (or why it could not be told) in what.
 */
int proc_runs(pid_t pid, const char *prog, char *what, size_t whatlen);
/*
 * Start-up's "already running?": the PID in path if it names a live prog
 * other than us (a zombie or a reused PID running something else does not
 * count), else 0.
 */
pid_t pidfile_running(const char *path, const char *prog);
/*
 * Sends sig to pid if it runs prog. The process is pinned first with a
 * pidfd where the kernel has one, so a PID reused between the check and
 * the signal is not hit. If pidfdp is not NULL it receives that pidfd (or
 * -1), readable once the process exits; the caller closes it. 0, or -1
 * with the reason logged (from is the PID's origin, e.g. the PID file).
 */
int proc_signal(pid_t pid, const char *prog, int sig, const char *from, int *pidfdp);

#endif
