/*
 * nutsec - drvcore.h: the driver core's private header. It holds struct
 * drv (the one object a running driver is) and the prototypes of the core
 * modules, grouped by file. Drivers include driver.h only.
 */
#ifndef NUTSEC_DRVCORE_H
#define NUTSEC_DRVCORE_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"
#include "sandbox.h"
#include "ev.h"

struct buf;
struct upsconf;
struct upsconf_ups;
struct sockserv;
struct sockclient;
struct sp_msg;

#define DRV_STATUS_MAX 256	/* ups.status / ups.alarm text */
#define DRV_MAX_X 64		/* -x options */

/* The command line (drv_cli.c). */
struct drv_opts {
	const char *upsname;	/* -a or -s */
	int standalone;		/* -s */
	int killpower;		/* -k */
	int debug;		/* count of -D */
	int foreground;		/* -1 default, 0 -B, 1 -F, 2 -FF */
	const char *user, *group, *chroot;	/* -u -g -r */
	int sandbox;		/* --sandbox: enum sandbox_action, -1 = ups.conf */
	const char *dump_filter;	/* --dump-filter[=role]: role name */
	long pollinterval;	/* -i, or -1 */
	const char *command;	/* -c */
	int dump_after;		/* -d n, or 0 */
	int list_vars;		/* -L */
	const char *x[DRV_MAX_X];	/* -x var=val, as given */
	int nx;
};

/* A descriptor the driver watches (drv_events.c). */
struct drv_watch {
	int fd;
	unsigned events;	/* DRV_WATCH_READ|DRV_WATCH_WRITE */
	drv_watch_cb cb;
	void *arg;
};

/* A driver timer (drv_events.c); the id is gen << 32 | slot. */
struct drv_timer {
	struct drv *d;
	drv_timer_cb cb;	/* NULL: free slot */
	void *arg;
	unsigned long period;	/* ms, 0 = one-shot */
	uint64_t due;		/* ev_now() time of the current run */
	ev_timer_id ev;		/* the pending loop timer */
	uint32_t gen;		/* bumped when the slot is freed */
};

/* Data state as last published. */
enum drv_data { DRV_DATA_NONE, DRV_DATA_OK, DRV_DATA_STALE };

struct drv {
	const struct driver_ops *ops;
	struct drv_opts opts;
	char *upsname;
	struct upsconf *uc;
	struct upsconf_ups *ups;	/* our section (owned by uc) */

	/* effective settings */
	long pollinterval;
	int debug_cfg;			/* level from -D and debug_min */
	int debug_proto;		/* SET driver.debug, -1 = none */
	const char *statepath;
	char statebuf[4096];		/* the state path inside a -r/chroot= jail */
	char sockpath[108];
	char pidpath[4096];
	char startdir[4096];		/* cwd at start ("" if unknown) */
	int sb_role;			/* enum sandbox_role; the driver's init may widen it */
	struct sandbox_opts sb;		/* settled by privdrop_resolve */
	int pidfile_written;

	/* state */
	struct vt *tree;
	enum drv_data data;
	int started;			/* the socket is up: broadcast changes */
	char status_work[DRV_STATUS_MAX];	/* being built by status_set */
	char status[DRV_STATUS_MAX];		/* committed, without ALARM */
	int status_committed;
	char alarm_work[DRV_STATUS_MAX];	/* being built by alarm_set */
	int alarm_active;			/* ups.alarm is published */

	/* loop */
	struct sockserv *ss;
	ev_timer_id update_timer;
	unsigned long next_update_ms;	/* one-shot override, 0 = none */
	unsigned long cycles;
	int exit_status;
	int lb_warned;			/* ignorelb without thresholds was logged */

	/* the driver's own events */
	struct drv_watch watches[DRV_MAX_WATCHES];
	size_t nwatches;		/* slots in use at the front (packed) */
	struct drv_timer timers[DRV_MAX_TIMERS];
};

/* drv_cli.c */
/* Parses argv into o. Returns 0, 1 if the program should exit 0 (-V/-h
 * or --dump-filter done), or -1 (usage printed) for status 1. */
int cli_parse(int argc, char **argv, const struct driver_ops *ops, struct drv_opts *o);
void cli_usage(const struct driver_ops *ops);
/* Sends -c <command> to the running instance. Returns the exit status. */
int cli_command(struct drv *d);

/* drv_params.c */
/* Loads ups.conf (or builds a standalone section) and applies -x. 0 or -1. */
int params_load(struct drv *d);
/* Publishes driver.* and applies default.* / override.*. 0 or -1. */
int params_publish(struct drv *d);
/*
 * Re-reads ups.conf on reload. Applies what can change live and returns
 * the number of changed settings that need a restart (0 = all applied),
 * or -1 if the file is now broken (nothing applied).
 */
int params_reload(struct drv *d);
/* The effective debug level (max of CLI/config, or the protocol's). */
void params_apply_debug(struct drv *d);

/* drv_dstate.c */
void dstate_init(struct drv *d);
void dstate_fini(struct drv *d);
void dstate_dataok(struct drv *d);
void dstate_datastale(struct drv *d);
/* Appends the full dump (DATASTALE?, variables, commands, DATAOK?, DUMPDONE). */
int dstate_dump(struct drv *d, struct buf *b);
/* The same for one variable (DUMPVALUE). */
int dstate_dump_one(struct drv *d, struct buf *b, const char *var);
/* Core-only setters that may touch immutable variables (override.*). */
int dstate_force(struct drv *d, const char *var, const char *value, unsigned flags);

/* drv_sockserv.c */
typedef void (*sockserv_cb)(void *arg, struct sockclient *c, const struct sp_msg *m);
/* Listens at path (mode 0660, group gid if not -1). NULL on error (logged). */
struct sockserv *sockserv_new(const char *path, long gid, sockserv_cb cb, void *arg);
/* Stops listening, closes every client, unlinks the socket. */
void sockserv_free(struct sockserv *ss);
/* Sends bytes to every client that has broadcasts on. */
void sockserv_broadcast(struct sockserv *ss, const char *data, size_t len);
/* Tries to write pending output of every client (before sleeping). */
void sockserv_flush(struct sockserv *ss);
size_t sockserv_count(const struct sockserv *ss);
/* The client's output buffer (a reply that does not fit drops the client). */
struct buf *sockclient_out(struct sockclient *c);
/* Marks the client's output as overflowed: it is dropped. */
void sockclient_overflow(struct sockclient *c);
void sockclient_set_broadcast(struct sockclient *c, int on);
/* Closes the client once its output is written. */
void sockclient_close_after_flush(struct sockclient *c);
const char *sockclient_name(const struct sockclient *c);

/* drv_dispatch.c */
/* Handles one message from a socket client. */
void dispatch_msg(void *arg, struct sockclient *c, const struct sp_msg *m);
/* Runs an instant command (shared ones first). Returns an enum sp_status. */
int dispatch_instcmd(struct drv *d, const char *cmd, const char *param);

/* drv_shared.c */
/* Publishes the shared commands and variables. */
void shared_publish(struct drv *d);
/*
 * Tries the shared instant commands / variables. Returns an sp_status,
 * or -1 if the name is not a shared one.
 */
int shared_instcmd(struct drv *d, const char *cmd, const char *param);
int shared_setvar(struct drv *d, const char *var, const char *value);
/* Runs sdcommands, or the driver's shutdown. 0 or -1. */
int shared_killpower(struct drv *d);
/* Sets driver.state (logged at debug level). */
void shared_state(struct drv *d, const char *state);

/* drv_loop.c */
/* Runs the first update cycle (before the socket exists). */
void loop_first_update(struct drv *d);
/* Installs the signal handlers (a pipe and sigaction: before the sandbox). 0 or -1. */
int loop_signals(struct drv *d);
/* Runs the event loop until exit. Returns the exit status. */
int loop_run(struct drv *d);
/* Asks the loop to stop with a status. */
void loop_exit(struct drv *d, int status);
/* Re-reads the configuration; mode 0 = reload, 1 = or-exit, 2 = or-error. */
int loop_reload(struct drv *d, int mode);
/*
 * What the driver learnt (update's or a callback's DRV_EV_* result): for
 * OK and STALE the device.* copies, ignorelb and the data state follow.
 */
void loop_device_result(struct drv *d, int rc);

/* drv_events.c */
/* Drops every watch and timer the driver left (before its cleanup). */
void events_clear(struct drv *d);

/* privdrop.c */
/*
 * Settles who the driver will be (before it opens anything): -u/-g, ups.conf
 * user/group (default RUN_AS_USER when root), the jail (-r, ups.conf chroot,
 * else the state path) and the filter action (--sandbox, ups.conf sandbox,
 * else kill); *gid gets the socket group (-1 = keep). 0 or -1 (logged).
 */
int privdrop_resolve(struct drv *d, long *gid);
/*
 * Keeps the directories reload reads (ups.conf's), then sandbox_enter with
 * the driver's role, and logs what the process holds. 0 or -1 (logged).
 */
int privdrop_enter(struct drv *d);

#endif
