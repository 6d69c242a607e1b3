/*
 * nutsec - driver.h: the contract between the driver core (libdrvcore.a)
 * and each driver program.
 *
 * A driver exports one const struct driver_ops and its main() is a single
 * call to drv_main(). The core owns everything that is not about the
 * device: ups.conf and the command line, the variable tree, the Unix
 * socket that upsd reads, the shared instant commands, the event loop,
 * privilege dropping, PID file and signals. The driver sees the core only
 * through an opaque struct drv handle and the drv_* calls below; there are
 * no extern globals.
 */
#ifndef NUTSEC_DRIVER_H
#define NUTSEC_DRIVER_H

#include <stddef.h>

#include "sockproto.h"	/* enum sp_status: the results of instcmd/setvar */
#include "vartree.h"	/* VT_* flags */

struct drv;

/* One extra ups.conf variable a driver accepts (besides the core's). */
#define DRV_VAR_VALUE      0x00	/* "name = value" */
#define DRV_VAR_FLAG       0x01	/* a bare word */
#define DRV_VAR_RELOADABLE 0x02	/* a changed value may be applied on reload */
#define DRV_VAR_SENSITIVE  0x04	/* never published as driver.parameter.* */

struct drv_vardef {
	const char *name;
	unsigned flags;		/* DRV_VAR_* */
	const char *help;	/* one line, shown by -h */
};

struct driver_ops {
	const char *name;		/* program name; ups.conf driver= must match */
	const char *version;		/* published as driver.version.internal */
	const struct drv_vardef *vartable;	/* extra ups.conf variables */
	size_t nvartable;
	/*
	 * Opens the device and publishes the initial variables (runs as
	 * root, before the privilege drop). 0, or -1 after logging why:
	 * the driver then exits with status 1.
	 */
	int (*init)(struct drv *d);
	/*
	 * One update cycle, every pollinterval. 0 when the device answered
	 * (the core marks the data OK), -1 when it did not (data stale).
	 */
	int (*update)(struct drv *d);
	/* Powers the load off (-k, shutdown.default). 0 or -1. NULL = unsupported. */
	int (*shutdown)(struct drv *d);
	/* An instant command; returns an enum sp_status. NULL = none. */
	int (*instcmd)(struct drv *d, const char *cmd, const char *param);
	/* A SET; returns an enum sp_status. NULL = the driver has no SET. */
	int (*setvar)(struct drv *d, const char *var, const char *value);
	/* Releases the device before exit. May be NULL. */
	void (*cleanup)(struct drv *d);
};

/* The whole program: returns the exit status for main(). */
int drv_main(int argc, char **argv, const struct driver_ops *ops);

/* --- configuration, for the driver's init --- */

/* The UPS (section) name. */
const char *drv_upsname(const struct drv *d);
/* The value of a vartable (or core) variable, or NULL if not set. */
const char *drv_getval(const struct drv *d, const char *name);
/* 1 if a vartable flag or variable was given. */
int drv_testvar(const struct drv *d, const char *name);
/* The port (device path) from ups.conf or -x port=. Never NULL after start. */
const char *drv_port(const struct drv *d);
/* The working directory the program was started in (paths like ./x.dev). */
const char *drv_startdir(const struct drv *d);
/*
 * From init: the sandbox role this driver needs once serving, by name
 * ("driver" by default, "driver-net" for a network client, "driver-usb").
 * 0, or -1 for an unknown name.
 */
int drv_sandbox_role(struct drv *d, const char *role);
/* Seconds between update cycles. */
long drv_pollinterval(const struct drv *d);
/* Asks for the next update cycle in ms instead of pollinterval (once). */
void drv_next_update(struct drv *d, unsigned long ms);

/* --- the state, published to every socket client --- */

/*
 * Creates or updates a variable (printf-style value). Variables flagged
 * immutable by override.* are left alone (returns 0). -1 on a bad name or
 * an over-long value (logged).
 */
int drv_setinfo(struct drv *d, const char *var, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The current value, or NULL. */
const char *drv_getinfo(const struct drv *d, const char *var);
/* Deletes a variable (not an immutable one). 0, or -1 if absent/immutable. */
int drv_delinfo(struct drv *d, const char *var);
/* Replaces the VT_RW/VT_STRING/VT_NUMBER flags (keeps VT_IMMUTABLE). */
int drv_setflags(struct drv *d, const char *var, unsigned flags);
int drv_setaux(struct drv *d, const char *var, long aux);
int drv_addenum(struct drv *d, const char *var, const char *value);
int drv_delenum(struct drv *d, const char *var, const char *value);
int drv_addrange(struct drv *d, const char *var, long min, long max);
int drv_delrange(struct drv *d, const char *var, long min, long max);
int drv_addcmd(struct drv *d, const char *cmd);
int drv_delcmd(struct drv *d, const char *cmd);
/* 1 if the variable exists and is immutable (override.*). */
int drv_immutable(const struct drv *d, const char *var);

/*
 * ups.status and ups.alarm, built per cycle: status_init, any number of
 * status_set (duplicates dropped), status_commit publishes. Alarms the
 * same way; when any alarm is set, ups.status starts with "ALARM".
 */
void drv_status_init(struct drv *d);
void drv_status_set(struct drv *d, const char *token);
void drv_status_commit(struct drv *d);
void drv_alarm_init(struct drv *d);
void drv_alarm_set(struct drv *d, const char *text);
void drv_alarm_commit(struct drv *d);

#endif
