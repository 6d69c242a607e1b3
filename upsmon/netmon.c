/*
 * nutsec - netmon.c: the poll cycle over every MONITOR line (monitor.c)
 * feeding the state machine (sm.c), and the shutdown sequence when it
 * says so: FSD on each UPS this system is primary for, waiting up to
 * HOSTSYNC for the secondaries to log out (GET NUMLOGINS every 250 ms),
 * SHUTDOWN, FINALDELAY, then the request for SHUTDOWNCMD. The same code
 * runs in the network child and in one-process mode (-p); only the ops
 * differ.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "xmalloc.h"

#include "monitor.h"

uint64_t
netmon_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sm_notify(void *arg, enum nt type, const struct sm_ups *u, const char *extra)
{
	struct netmon *nm = arg;

	nm->ops.notify(nm->ops.arg, type, u->sys, extra);
}

void
netmon_init(struct netmon *nm, const struct upsmon_conf *cf, const struct netmon_ops *ops,
    int family, uint64_t now)
{
	size_t i;

	memset(nm, 0, sizeof(*nm));
	nm->cf = cf;
	nm->ops = *ops;
	upscli_opts_init(&nm->opts);
	nm->opts.family = family;
	upscli_tlsconf_opts(&cf->tls, &nm->opts);
	for (i = 0; i < cf->nmon; i++) {
		mon_init(&nm->mons[i], &cf->mon[i], &nm->opts, cf->pollfail_throttle);
		sm_ups_init(&nm->ups[i], cf->mon[i].sys, cf->mon[i].power, cf->mon[i].primary,
		    now);
	}
	nm->n = cf->nmon;
	sm_params_from_conf(&nm->sm.p, cf);
	nm->sm.ups = nm->ups;
	nm->sm.nups = nm->n;
	nm->sm.notify = sm_notify;
	nm->sm.arg = nm;
}

void
netmon_reload(struct netmon *nm, const struct upsmon_conf *cf, uint64_t now)
{
	struct mon *oldm = XNEWARRAY(struct mon, UPSMON_MAX_MONITORS);
	struct sm_ups *oldu = XNEWARRAY(struct sm_ups, UPSMON_MAX_MONITORS);
	struct upscli_opts wanted = nm->opts;
	char changed[64];
	size_t i, j, oldn = nm->n;

	memcpy(oldm, nm->mons, sizeof(nm->mons));
	memcpy(oldu, nm->ups, sizeof(nm->ups));
	/*
	 * nm->opts keeps pointing at the first configuration's TLS settings,
	 * which the caller keeps: NSS is opened once per process, and the
	 * handles kept below borrow those strings. A change to them is said,
	 * never taken silently (FORCESSL 1 added here would not be in force).
	 */
	upscli_tlsconf_opts(&cf->tls, &wanted);
	if (upscli_opts_tls_changed(&nm->opts, &wanted, changed, sizeof(changed)) > 0)
		log_warnx("reload: %s changed: TLS settings are read at start only, and "
		    "the ones upsmon started with stay in force: restart upsmon for the change",
		    changed);
	for (i = 0; i < cf->nmon; i++) {
		for (j = 0; j < oldn; j++)
			if (oldm[j].e != NULL && strcmp(oldu[j].sys, cf->mon[i].sys) == 0)
				break;
		if (j < oldn) {
			nm->mons[i] = oldm[j];
			nm->mons[i].e = &cf->mon[i];
			nm->ups[i] = oldu[j];
			oldm[j].e = NULL;	/* taken over */
		} else {
			mon_init(&nm->mons[i], &cf->mon[i], &nm->opts, cf->pollfail_throttle);
			sm_ups_init(&nm->ups[i], cf->mon[i].sys, 0, 0, now);
		}
		nm->mons[i].throttle = cf->pollfail_throttle;
		nm->ups[i].sys = cf->mon[i].sys;
		nm->ups[i].power = cf->mon[i].power;
		nm->ups[i].primary = cf->mon[i].primary;
	}
	for (j = 0; j < oldn; j++)
		if (oldm[j].e != NULL) {
			log_notice("UPS %s: no longer monitored", oldu[j].sys);
			mon_drop(&oldm[j]);
			mon_free(&oldm[j]);
		}
	nm->n = cf->nmon;
	nm->cf = cf;
	sm_params_from_conf(&nm->sm.p, cf);
	nm->sm.nups = nm->n;
	free(oldm);
	free(oldu);
}

void
netmon_free(struct netmon *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++) {
		mon_drop(&nm->mons[i]);
		mon_free(&nm->mons[i]);
	}
	nm->n = 0;
}

int
netmon_preresolve(struct netmon *nm)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < nm->n; i++)
		if (mon_preresolve(&nm->mons[i]) != 0)
			bad++;
	return bad;
}

unsigned
netmon_interval(const struct netmon *nm)
{
	if (nm->shutdown_done)
		return 1000;
	return (unsigned)(nm->sm.alert ? nm->cf->pollfreqalert : nm->cf->pollfreq) * 1000u;
}

/* After the request went out: keep the sessions (SHUTDOWNEXIT no/<n>). */
static void
linger(struct netmon *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (nm->mons[i].up)
			(void)mon_numlogins(&nm->mons[i]);
}

void
netmon_cycle(struct netmon *nm, uint64_t now)
{
	char status[UPSMON_TEXT_MAX], alarm[UPSMON_TEXT_MAX];
	size_t i;

	if (nm->shutdown_done) {
		linger(nm);
		return;
	}
	for (i = 0; i < nm->n; i++) {
		if (mon_poll(&nm->mons[i], status, sizeof(status), alarm, sizeof(alarm)) == 0) {
			log_debug("UPS %s: status [%s]", nm->ups[i].sys, status);
			sm_status(&nm->sm, &nm->ups[i], status, alarm, netmon_now());
		} else {
			sm_fail(&nm->sm, &nm->ups[i], netmon_now());
		}
	}
	(void)now;
	if (sm_recalc(&nm->sm, netmon_now()))
		netmon_forceshutdown(nm);
}

/* The secondaries of our primaries: until one login is left or HOSTSYNC. */
static void
wait_secondaries(struct netmon *nm)
{
	uint64_t start = netmon_now();
	int told = 0;
	size_t i;

	for (;;) {
		long max = 0, n;
		const char *who = "";

		for (i = 0; i < nm->n; i++) {
			if (!nm->mons[i].e->primary)
				continue;
			n = mon_numlogins(&nm->mons[i]);
			if (n > max) {
				max = n;
				who = nm->ups[i].sys;
			}
		}
		if (max <= 1) {
			log_notice("secondaries have logged out");
			return;
		}
		if (!told) {
			nm->ops.notify(nm->ops.arg, NT_SHUTDOWN_HOSTSYNC, who, NULL);
			told = 1;
		}
		if (netmon_now() - start >= (uint64_t)nm->cf->hostsync * 1000) {
			log_warnx("%ld login(s) still on UPS %s after HOSTSYNC (%ld s): shutting "
			    "down anyway", max - 1, who, nm->cf->hostsync);
			return;
		}
		nm->ops.sleep(nm->ops.arg, 250);
	}
}

void
netmon_forceshutdown(struct netmon *nm)
{
	int primary = 0;
	size_t i;

	if (nm->shutdown_done)
		return;
	log_warnx("critical power situation: shutting this system down");
	for (i = 0; i < nm->n; i++) {
		if (!nm->mons[i].e->primary)
			continue;
		primary = 1;
		if (mon_fsd(&nm->mons[i]) == 0 && !nm->ups[i].fsd_notified) {
			nm->ops.notify(nm->ops.arg, NT_FSD, nm->ups[i].sys, NULL);
			nm->ups[i].fsd_notified = 1;
		}
	}
	if (primary)
		wait_secondaries(nm);
	nm->ops.notify(nm->ops.arg, NT_SHUTDOWN, "", NULL);
	if (nm->cf->finaldelay > 0)
		nm->ops.sleep(nm->ops.arg, (unsigned)nm->cf->finaldelay * 1000u);
	if (nm->ops.shutdown(nm->ops.arg) != 0)
		log_warnx("the shutdown request did not go out");
	nm->shutdown_done = 1;
}
