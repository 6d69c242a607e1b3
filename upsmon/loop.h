/*
 * nutsec - loop.h: the monitoring loop (loop.c), the processes' entry
 * points (netchild.c, notifychild.c, parent.c, single.c) and what they
 * are started with.
 */
#ifndef NUTSEC_UPSMON_LOOP_H
#define NUTSEC_UPSMON_LOOP_H

#include <sys/types.h>

#include "ev.h"
#include "monitor.h"

struct monloop {
	struct netmon *nm;
	void (*reload)(void *arg);	/* SIGHUP */
	void *arg;
	ev_timer_id timer;
	int fsd;			/* SIGUSR1 seen */
	uint64_t linger_since;
	int exit_code;
};

/* ev_init and the signals (before the sandbox: sigaction is not allowed after). */
int monloop_setup(struct monloop *l);
/* Runs until SIGTERM or SHUTDOWNEXIT; returns the exit code. */
int monloop_run(struct monloop *l);
void monloop_tick(void *arg);

/* How a process was started (main.c's options). */
struct upsmon_args {
	const char *conf;		/* upsmon.conf */
	const char *self;		/* our program's path, for the children */
	int debug;
	int foreground;			/* logs to stderr, no detaching */
	int sandbox;			/* --sandbox: enum sandbox_action, -1 = upsmon.conf */
	int family;			/* -4/-6: NET_FAMILY_* for the connections to upsd */
	const char *user;		/* -u, else RUN_AS_USER, else the built-in user */
	const char *jail;		/* network child: its chroot */
	unsigned long long jail_dev, jail_ino;
	const char *pidfile;
};

/* The sandbox action: --sandbox, else upsmon.conf SANDBOX. */
int upsmon_sandbox_action(const struct upsmon_args *a, const struct upsmon_conf *cf);
/* The run-as user: -u, else RUN_AS_USER, else the configured default. */
const char *upsmon_user(const struct upsmon_args *a, const struct upsmon_conf *cf);

int netchild_main(const struct upsmon_args *a);
int notifychild_main(const struct upsmon_args *a);
int parent_main(const struct upsmon_args *a, struct upsmon_conf *cf);
int single_main(const struct upsmon_args *a, struct upsmon_conf *cf);

/* parent.c, for the unit test: reads what the network child sent. */
struct msg_chan;
struct msg_chan *parent_chan_new(int fd, pid_t peer);
/*
 * Takes every complete message: 1 when the (first) shutdown order arrived,
 * 0 when nothing more is there, 2 at end of file, -1 on anything else
 * (logged: wrong type, size, sender or magic; the caller must die).
 * *latched is set on the first order; repeats are ignored.
 */
int parent_drain(struct msg_chan *c, int *latched);

#endif
