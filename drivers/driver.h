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
 * no extern globals. A driver is polled (update, every pollinterval) and
 * may also have the loop watch its own descriptors and run its own timers
 * (drv_watch_*, drv_timer_*), for a device that reports by itself.
 */
#ifndef NUTSEC_DRIVER_H
#define NUTSEC_DRIVER_H

#include <stddef.h>
#include <stdint.h>

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
/*
 * The filter action the driver's sandbox will use ("kill", "trap", "log",
 * "off"), for a helper process the driver confines itself.
 */
const char *drv_sandbox_action(const struct drv *d);
/* Seconds between update cycles. */
long drv_pollinterval(const struct drv *d);
/* Asks for the next update cycle in ms instead of pollinterval (once). */
void drv_next_update(struct drv *d, unsigned long ms);
/*
 * Ends the event loop once the current callback returns; the program then
 * cleans up and exits with status (for a device that is gone for good: a
 * service manager restarting the driver reopens it with the privileges
 * that takes).
 */
void drv_exit(struct drv *d, int status);

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

/* --- events: a device that reports by itself --- */

/*
 * Besides the update cycle, a driver may have the event loop watch its own
 * descriptors (a serial line, libusb's pollfds) and run its own timers
 * (libusb's next timeout, a keep-alive). Callbacks run in the loop, one at
 * a time and never inside another driver call; they use the drv_* calls
 * above, and what they change reaches the socket clients (upsd) as it
 * happens, not at the next update cycle. Watches and timers may be added,
 * changed and removed from init, update, instcmd, setvar and any callback
 * (including a callback's own); the core drops what is left before the
 * driver's cleanup runs.
 *
 * A callback returns what it learnt about the device, as update does:
 */
#define DRV_EV_OK	0	/* the device answered: data OK (device.*, ignorelb as after update) */
#define DRV_EV_STALE	(-1)	/* the device failed: data stale (any other value too) */
#define DRV_EV_NONE	1	/* nothing new about the device: the data state stays */

/* Readiness of a watched descriptor. */
#define DRV_WATCH_READ	0x1
#define DRV_WATCH_WRITE	0x2
#define DRV_WATCH_ERROR	0x4	/* reported only: hang-up or error (with the watched directions) */

#define DRV_MAX_WATCHES	16	/* descriptors one driver may watch */
#define DRV_MAX_TIMERS	16	/* timers one driver may have pending */

typedef int (*drv_watch_cb)(struct drv *d, int fd, unsigned events, void *arg);
typedef int (*drv_timer_cb)(struct drv *d, void *arg);
typedef uint64_t drv_timer_id;	/* 0 is never a valid id */

/*
 * Calls cb when fd is ready for events (DRV_WATCH_READ|DRV_WATCH_WRITE; 0
 * keeps the watch but silences it). Adding an fd the driver already
 * watches replaces its events, callback and arg. The driver keeps owning
 * fd: it must drv_watch_del it before closing it. 0, or -1 (logged) on a
 * bad fd or events, an fd the core itself watches, or a full table.
 */
int drv_watch_add(struct drv *d, int fd, unsigned events, drv_watch_cb cb, void *arg);
/* Changes the events of a watched fd. 0, or -1 if fd is not watched. */
int drv_watch_set(struct drv *d, int fd, unsigned events);
/* Stops watching fd (does not close it). Unknown fds are ignored. */
void drv_watch_del(struct drv *d, int fd);

/*
 * Calls cb after ms milliseconds, then every period_ms if that is not 0
 * (on the schedule of the first run; runs missed while the loop was busy
 * are skipped, not queued). Returns the timer's id, or 0 (logged) when the
 * table is full or cb is NULL. A one-shot timer's id is dead once it fires.
 */
drv_timer_id drv_timer_add(struct drv *d, unsigned long ms, unsigned long period_ms,
    drv_timer_cb cb, void *arg);
/* Cancels a timer; 0, fired one-shot or unknown ids are ignored. */
void drv_timer_del(struct drv *d, drv_timer_id id);

#endif
