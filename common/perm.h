/*
 * nutsec - perm.h: the file permission policy of the seed ("chown root:nut,
 * chmod 640" for configuration files; "chown root:nut, chmod 0770" for the
 * state path), checked before files holding secrets are read.
 */
#ifndef NUTSEC_PERM_H
#define NUTSEC_PERM_H

/*
 * Checks a file that may hold secrets. A file readable or writable by
 * others gets a warning naming the file and the fix; in strict mode it is
 * refused. Returns 0 if acceptable, -1 if refused or not stat-able (logged).
 */
int perm_check_secret_file(const char *path, int strict);
/*
 * Checks the state path: a directory, not writable or readable by others.
 * Returns 0, or -1 (logged) if missing or not a directory; a loose mode is a
 * warning naming the fix.
 */
int perm_check_statepath(const char *path);

#endif
