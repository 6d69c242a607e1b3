/*
 * nutsec - single.c: upsmon -p, everything in one process as it was
 * started (normally root): the same poll cycle and state machine, the
 * notifications run directly, SHUTDOWNCMD run directly. Under the
 * upsmon-parent filter, since it must still run programs.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "paths.h"
#include "pidfile.h"
#include "sandbox.h"

#include "loop.h"

struct single {
	const struct upsmon_args *a;
	struct upsmon_conf *cf, *first;	/* now, and as started */
	struct notifier *n;
	struct netmon nm;
};

static void
s_notify(void *arg, enum nt type, const char *sys, const char *extra)
{
	struct single *s = arg;

	(void)notifier_do(s->n, type, sys != NULL ? sys : "", extra);
}

static int
s_shutdown(void *arg)
{
	struct single *s = arg;

	return upsmon_do_shutdown(s->cf);
}

static void
s_sleep(void *arg, unsigned ms)
{
	struct single *s = arg;
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	notifier_reap(s->n);
}

static void
s_reload(void *arg)
{
	struct single *s = arg;
	struct upsmon_conf *cf = upsmon_conf_new();

	if (upsmon_conf_load(cf, s->a->conf) != 0) {
		log_warnx("reload: %s has errors: the old configuration stays", s->a->conf);
		upsmon_conf_free(cf);
		return;
	}
	netmon_reload(&s->nm, cf, netmon_now());
	notifier_set_conf(s->n, cf);
	if (s->cf != s->first)
		upsmon_conf_free(s->cf);	/* the first one holds the TLS settings in use */
	s->cf = cf;
	log_notice("reloaded %s", s->a->conf);
}

static void
s_child(void *arg)
{
	notifier_reap(((struct single *)arg)->n);
}

int
single_main(const struct upsmon_args *a, struct upsmon_conf *cf)
{
	struct single s;
	struct netmon_ops ops = { s_notify, s_shutdown, s_sleep, NULL };
	struct monloop loop;
	struct sandbox_opts sb;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(&loop, 0, sizeof(loop));
	s.a = a;
	s.cf = s.first = cf;
	ops.arg = &s;
	s.n = notifier_new(cf);
	netmon_init(&s.nm, cf, &ops, a->family, netmon_now());
	loop.nm = &s.nm;
	loop.reload = s_reload;
	loop.arg = &s;
	if (monloop_setup(&loop) != 0 || ev_signal(SIGCHLD, s_child, &s) != 0)
		fatal("event loop");
	(void)signal(SIGUSR2, SIG_IGN);
	memset(&sb, 0, sizeof(sb));
	sb.action = (enum sandbox_action)upsmon_sandbox_action(a, cf);
	sb.flags = SB_F_RELOAD | (a->foreground ? 0 : SB_F_SYSLOG);
	if (geteuid() == 0 && sandbox_confine(SB_ROLE_UPSMON_PARENT, &sb, NULL) != 0)
		return EXIT_FAILURE;
	daemon_ready();
	if (!a->foreground)
		log_set_dest(LOG_TO_SYSLOG);
	log_notice("monitoring %zu UPS in one process (-p)", s.nm.n);
	rc = monloop_run(&loop);
	netmon_free(&s.nm);
	notifier_free(s.n);
	if (a->pidfile != NULL)
		pidfile_remove(a->pidfile);
	if (s.cf != s.first)
		upsmon_conf_free(s.cf);
	upsmon_conf_free(s.first);
	ev_fini();
	return rc;
}
