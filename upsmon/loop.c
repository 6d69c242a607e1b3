/*
 * nutsec - loop.c: the monitoring loop of the network child and of -p:
 * a poll cycle every POLLFREQ (POLLFREQALERT while on battery), SIGUSR1
 * (upsmon -c fsd) forcing the shutdown sequence, SIGHUP reloading, SIGTERM
 * stopping, and SHUTDOWNEXIT once the shutdown request went out.
 */
#include "config.h"

#include <signal.h>

#include "ev.h"
#include "log.h"

#include "loop.h"

static void
arm(struct monloop *l, unsigned ms)
{
	if (l->timer != 0)
		ev_timer_del(l->timer);
	if ((l->timer = ev_timer_add(ms, monloop_tick, l)) == 0)
		fatalx("cannot arm the poll timer");
}

void
monloop_tick(void *arg)
{
	struct monloop *l = arg;
	struct netmon *nm = l->nm;

	l->timer = 0;
	if (l->fsd) {
		l->fsd = 0;
		log_warnx("forced shutdown requested (upsmon -c fsd)");
		netmon_forceshutdown(nm);
	} else {
		netmon_cycle(nm, netmon_now());
	}
	if (nm->shutdown_done) {
		if (l->linger_since == 0)
			l->linger_since = netmon_now();
		if (nm->cf->shutdownexit == 0 || (nm->cf->shutdownexit > 0 &&
		    netmon_now() - l->linger_since >= (uint64_t)nm->cf->shutdownexit * 1000)) {
			log_notice("shutdown requested: exiting (SHUTDOWNEXIT)");
			l->exit_code = 0;
			ev_stop();
			return;
		}
	}
	arm(l, netmon_interval(nm));
}

static void
on_stop(void *arg)
{
	log_notice("signal received: stopping");
	ev_stop();
}

static void
on_fsd(void *arg)
{
	struct monloop *l = arg;

	l->fsd = 1;
	arm(l, 0);
}

static void
on_reload(void *arg)
{
	struct monloop *l = arg;

	if (l->reload != NULL)
		l->reload(l->arg);
}

int
monloop_setup(struct monloop *l)
{
	if (ev_init() != 0)
		return -1;
	if (ev_signal(SIGTERM, on_stop, l) != 0 || ev_signal(SIGINT, on_stop, l) != 0 ||
	    ev_signal(SIGQUIT, on_stop, l) != 0 || ev_signal(SIGUSR1, on_fsd, l) != 0 ||
	    ev_signal(SIGHUP, on_reload, l) != 0)
		return -1;
	return 0;
}

int
monloop_run(struct monloop *l)
{
	l->exit_code = 0;
	arm(l, 0);
	if (ev_run() != 0) {
		log_warnx("event loop failed");
		return 1;
	}
	return l->exit_code;
}
