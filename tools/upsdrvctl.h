/*
 * nutsec - upsdrvctl.h: upsdrvctl's private header: its options, and the
 * prototypes of the start/stop/shutdown runner and the status table.
 */
#ifndef NUTSEC_UPSDRVCTL_H
#define NUTSEC_UPSDRVCTL_H

#include <stddef.h>

struct upsconf;
struct upsconf_ups;

struct ctl {
	int testmode;		/* -t: print what would run */
	int debug;		/* -D: our own verbosity */
	int drv_debug;		/* -d: -D count passed to drivers */
	int foreground;		/* 0, 1 (-F), 2 (-FF), -1 (-B) */
	const char *user;	/* -u */
	const char *chroot;	/* -r */
	const char *command;	/* -c */
	int nowait;		/* ups.conf nowait, unless NUT_IGNORE_NOWAIT */
	struct upsconf *uc;
	char driverpath[4096];
	const char *statepath;
	char statebuf[4096];	/* the state path inside a -r/chroot= jail */
};

/* upsdrvctl_run.c: each returns the number of UPSes that failed. */
int ctl_start(struct ctl *c, struct upsconf_ups *u);
/* Waits for the drivers started in the foreground (-F/-FF). */
int ctl_wait_children(void);
int ctl_stop(struct ctl *c, struct upsconf_ups *u);
/* Every UPS (one == NULL) by sdorder, or just one. */
int ctl_shutdown(struct ctl *c, struct upsconf_ups *one);
int ctl_command(struct ctl *c, struct upsconf_ups *u);
/* "<driverpath>/<driver>", checked; 0 or -1 (logged). */
int ctl_driver_path(const struct ctl *c, const struct upsconf_ups *u, char *out, size_t len);

/* upsdrvctl_status.c */
void ctl_status_header(void);
/* 1 if the UPS's driver answers PING on its socket. */
int ctl_alive(struct ctl *c, struct upsconf_ups *u);
/* Prints one row; returns 0 if the driver answered, else 1. */
int ctl_status(struct ctl *c, struct upsconf_ups *u);

#endif
