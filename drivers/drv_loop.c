/*
 * nutsec - drv_loop.c: the driver's life once it runs: the update cycle on a
 * timer (pollinterval, or the driver's one-shot request), what follows
 * each result the driver reports (update or drv_events.c), the device.*
 * copies of ups.*, the ignorelb rule, signals (SIGTERM/SIGINT/SIGQUIT
 * exit, SIGHUP reloads, SIGUSR1 reloads or exits), output flushing before
 * each sleep, reloads and the -d dump.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drvcore.h"
#include "ev.h"
#include "log.h"
#include "upsconf.h"
#include "vartree.h"
#include "xmalloc.h"

/* ups.X -> device.X, kept in step while nobody else writes device.X. */
static const char *const id_names[] = { "mfr", "model", "serial" };
static char *id_copied[3];

static void
sync_device_ids(struct drv *d)
{
	char from[32], to[32];
	const char *src, *dst;
	size_t i;

	if (drv_getinfo(d, "device.type") == NULL)
		(void)drv_setinfo(d, "device.type", "ups");
	for (i = 0; i < 3; i++) {
		(void)str_printf(from, sizeof(from), "ups.%s", id_names[i]);
		(void)str_printf(to, sizeof(to), "device.%s", id_names[i]);
		src = drv_getinfo(d, from);
		dst = drv_getinfo(d, to);
		if (src == NULL)
			continue;
		/* device.X set by the driver itself (not our copy) wins. */
		if (dst != NULL && (id_copied[i] == NULL || strcmp(dst, id_copied[i]) != 0))
			continue;
		if (dst != NULL && strcmp(dst, src) == 0)
			continue;
		if (drv_setinfo(d, to, "%s", src) == 0) {
			free(id_copied[i]);
			id_copied[i] = xstrdup(src);
		}
	}
}

static int
below(struct drv *d, const char *var, const char *low)
{
	const char *a = drv_getinfo(d, var), *b = drv_getinfo(d, low);
	char *e1, *e2;
	double x, y;

	if (a == NULL || b == NULL)
		return -1;
	x = strtod(a, &e1);
	y = strtod(b, &e2);
	if (e1 == a || e2 == b)
		return -1;
	return x < y;
}

/* ignorelb: LB comes from the thresholds, not from the device. */
static void
apply_ignorelb(struct drv *d)
{
	char st[DRV_STATUS_MAX], *save = NULL, *w;
	int c = below(d, "battery.charge", "battery.charge.low");
	int r = below(d, "battery.runtime", "battery.runtime.low");

	if (!d->ups->ignorelb || !d->status_committed)
		return;
	if (c < 0 && r < 0) {
		/* Once per outage of the values: events may come many a second. */
		if (!d->lb_warned)
			log_warnx("ignorelb: neither battery.charge/.low nor battery.runtime/.low "
			    "is known; LB is taken from the device");
		d->lb_warned = 1;
		return;
	}
	d->lb_warned = 0;
	memcpy(st, d->status, sizeof(st));
	drv_status_init(d);
	for (w = strtok_r(st, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save))
		if (strcmp(w, "LB") != 0)
			drv_status_set(d, w);
	if (c == 1 || r == 1)
		drv_status_set(d, "LB");
	drv_status_commit(d);
}

static void
dump_and_exit(struct drv *d)
{
	size_t i;

	for (i = 0; i < vt_count(d->tree); i++) {
		struct vt_var *v = vt_at(d->tree, i);

		printf("%s: %s\n", vt_name(v), vt_value(v));
	}
	fflush(stdout);
	loop_exit(d, 0);
}

void
loop_device_result(struct drv *d, int rc)
{
	if (rc == DRV_EV_NONE)
		return;
	sync_device_ids(d);
	apply_ignorelb(d);
	if (rc == DRV_EV_OK)
		dstate_dataok(d);
	else
		dstate_datastale(d);
}

static void
run_update(struct drv *d)
{
	int rc;

	shared_state(d, "updateinfo");
	rc = d->ops->update(d);
	loop_device_result(d, rc == 0 ? DRV_EV_OK : DRV_EV_STALE);
	shared_state(d, "quiet");
	d->cycles++;
	if (d->opts.dump_after > 0 && d->cycles >= (unsigned long)d->opts.dump_after)
		dump_and_exit(d);
}

static void update_cb(void *arg);

static void
schedule(struct drv *d)
{
	unsigned long ms = d->next_update_ms != 0 ? d->next_update_ms :
	    (unsigned long)d->pollinterval * 1000;

	d->next_update_ms = 0;
	if (d->update_timer != 0)
		ev_timer_del(d->update_timer);
	d->update_timer = ev_timer_add(ms, update_cb, d);
}

static void
update_cb(void *arg)
{
	struct drv *d = arg;

	d->update_timer = 0;
	run_update(d);
	schedule(d);
}

void
drv_next_update(struct drv *d, unsigned long ms)
{
	d->next_update_ms = ms > 0 ? ms : 1;
}

void
loop_exit(struct drv *d, int status)
{
	d->exit_status = status;
	ev_stop();
}

void
drv_exit(struct drv *d, int status)
{
	loop_exit(d, status);
}

int
loop_reload(struct drv *d, int mode)
{
	long old_poll = d->pollinterval;
	int n;

	log_notice("UPS [%s]: reloading %s", d->upsname, d->uc->file);
	shared_state(d, "reloading");
	n = params_reload(d);
	if (n >= 0)
		shared_publish(d);
	shared_state(d, "quiet");
	if (n > 0 && mode == 1) {
		log_notice("UPS [%s]: settings changed that need a restart; exiting",
		    d->upsname);
		loop_exit(d, 0);
	}
	if (d->pollinterval != old_poll && d->update_timer != 0)
		schedule(d);
	return n;
}

static void
on_term(void *arg)
{
	struct drv *d = arg;

	log_notice("UPS [%s]: signal received; exiting", d->upsname);
	loop_exit(d, 0);
}

static void
on_hup(void *arg)
{
	(void)loop_reload(arg, 0);
}

static void
on_usr1(void *arg)
{
	(void)loop_reload(arg, 1);
}

static void
before_sleep(void *arg)
{
	struct drv *d = arg;

	if (d->ss != NULL)
		sockserv_flush(d->ss);
}

void
loop_first_update(struct drv *d)
{
	run_update(d);
}

int
loop_signals(struct drv *d)
{
	if (ev_signal(SIGTERM, on_term, d) < 0 || ev_signal(SIGINT, on_term, d) < 0 ||
	    ev_signal(SIGQUIT, on_term, d) < 0 || ev_signal(SIGHUP, on_hup, d) < 0 ||
	    ev_signal(SIGUSR1, on_usr1, d) < 0) {
		log_warn("cannot set up signal handling");
		return -1;
	}
	return 0;
}

int
loop_run(struct drv *d)
{
	ev_before_sleep(before_sleep, d);
	if (d->opts.dump_after > 0 && d->cycles >= (unsigned long)d->opts.dump_after)
		return d->exit_status;
	schedule(d);
	if (ev_run() < 0) {
		log_warnx("event loop failed");
		return 1;
	}
	if (d->ss != NULL)
		sockserv_flush(d->ss);
	return d->exit_status;
}
