/*
 * nutsec - monitor.h: one MONITOR line's connection to its upsd
 * (monitor.c) and the poll cycle over all of them (netmon.c).
 */
#ifndef NUTSEC_UPSMON_MONITOR_H
#define NUTSEC_UPSMON_MONITOR_H

#include <stdint.h>

#include "log.h"
#include "sm.h"
#include "upsmon.h"

struct mon {
	const struct mon_entry *e;
	struct upscli *c;
	int up;				/* connected and logged in */
	long throttle;			/* POLLFAIL_LOG_THROTTLE_MAX */
	unsigned long nfail;		/* failures in a row */
	int family;			/* -4/-6: NET_FAMILY_* of the options */
};

void mon_init(struct mon *m, const struct mon_entry *e, const struct upscli_opts *o,
    long throttle);
void mon_free(struct mon *m);
void mon_drop(struct mon *m);
/* Resolves the host now (before the jail); 0 or -1 (logged). */
int mon_preresolve(struct mon *m);
/* Connects if needed, reads ups.status (and ups.alarm). 0 or -1. */
int mon_poll(struct mon *m, char *status, size_t slen, char *alarm, size_t alen);
/* FSD <ups>: 0 on OK. */
int mon_fsd(struct mon *m);
/* GET NUMLOGINS; a failure counts as 0. */
long mon_numlogins(struct mon *m);

/* What the poll cycle does with its findings: notify, and shut down. */
struct netmon_ops {
	void (*notify)(void *arg, enum nt type, const char *sys, const char *extra);
	/* Asks for SHUTDOWNCMD; 0 if the request went out. */
	int (*shutdown)(void *arg);
	/* Sleeps ms milliseconds while keeping channels alive. */
	void (*sleep)(void *arg, unsigned ms);
	void *arg;
};

struct netmon {
	const struct upsmon_conf *cf;
	struct upscli_opts opts;
	struct mon mons[UPSMON_MAX_MONITORS];
	struct sm_ups ups[UPSMON_MAX_MONITORS];
	size_t n;
	struct sm sm;
	struct netmon_ops ops;
	int shutdown_done;		/* the request went out: only linger now */
};

/* Sets up from cf (which must outlive nm) at time now; family (-4/-6:
 * NET_FAMILY_*) restricts the addresses upsd is reached at. */
void netmon_init(struct netmon *nm, const struct upsmon_conf *cf, const struct netmon_ops *ops,
    int family, uint64_t now);
/*
 * A reloaded configuration: keeps the state of MONITOR lines still there.
 * The TLS settings stay those of the configuration netmon_init was given,
 * which the caller must keep as long as nm lives.
 */
void netmon_reload(struct netmon *nm, const struct upsmon_conf *cf, uint64_t now);
void netmon_free(struct netmon *nm);
/* Resolves every host (before the jail). Returns the failures. */
int netmon_preresolve(struct netmon *nm);
/* One poll of every UPS, then the decision; may call forceshutdown. */
void netmon_cycle(struct netmon *nm, uint64_t now);
/* Milliseconds until the next cycle (POLLFREQ or POLLFREQALERT). */
unsigned netmon_interval(const struct netmon *nm);
/* FSD on our primaries, wait for secondaries, then shut down (-c fsd too). */
void netmon_forceshutdown(struct netmon *nm);
/* Monotonic milliseconds. */
uint64_t netmon_now(void);

#endif
