/*
 * nutsec - fuzz_upsd.h: the upsd set-up the targets that link upsd's
 * objects share (fuzz_dispatch, fuzz_drvside): a configuration in a
 * temporary directory, loaded as upsd loads it, with the event loop ready.
 */
#ifndef NUTSEC_FUZZ_UPSD_H
#define NUTSEC_FUZZ_UPSD_H

/*
 * Once per process: writes upsd.conf (MAXAGE 15), ups.conf (UPSes "ups1"
 * and "down", driver "fake") and upsd.users ("admin" with SET, FSD and
 * every command, "mon" a secondary; passwords "pw") into a fresh
 * /tmp/<prog>.XXXXXX, points NUT_CONFPATH/STATEPATH/DATAPATH there, loads
 * it and returns the directory. Removed at exit. Aborts on any failure.
 */
const char *fuzz_upsd_setup(const char *prog);

#endif
