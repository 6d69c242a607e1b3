/*
 * nutsec - drv_events.c: a driver's own descriptors and timers on the
 * core's event loop (common/ev), for devices that report by themselves:
 * libusb's pollfds and next timeout, a serial line that speaks first.
 *
 * Watches are a packed table searched by fd (a driver watches a handful);
 * the loop calls back with the struct drv and the fd, so a watch deleted
 * or replaced inside a batch is looked up afresh, never used stale. Timers
 * are slots of a fixed table; an id is the slot's generation and index, so
 * an old id never cancels a newer timer. A periodic timer is re-armed on
 * the schedule of its first run after its callback, unless the callback
 * removed it. Times are ev_clock() milliseconds. Every callback's DRV_EV_* result goes to loop_device_result,
 * exactly as update's return value does.
 */
#include "config.h"

#include "drvcore.h"
#include "ev.h"
#include "log.h"

_Static_assert(DRV_WATCH_READ == EV_READ && DRV_WATCH_WRITE == EV_WRITE &&
    DRV_WATCH_ERROR == EV_ERROR, "driver watch flags are the loop's");

#define WATCH_EVENTS (DRV_WATCH_READ | DRV_WATCH_WRITE)

/* --- descriptors --- */

static struct drv_watch *
watch_find(struct drv *d, int fd)
{
	size_t i;

	for (i = 0; i < d->nwatches; i++)
		if (d->watches[i].fd == fd)
			return &d->watches[i];
	return NULL;
}

static void
watch_fire(int fd, unsigned events, void *arg)
{
	struct drv *d = arg;
	struct drv_watch *w = watch_find(d, fd);
	drv_watch_cb cb;
	void *cb_arg;

	if (w == NULL || w->cb == NULL)
		return;
	/* The callback may delete or replace its own watch: copy first. */
	cb = w->cb;
	cb_arg = w->arg;
	loop_device_result(d, cb(d, fd, events, cb_arg));
}

int
drv_watch_add(struct drv *d, int fd, unsigned events, drv_watch_cb cb, void *arg)
{
	struct drv_watch *w;

	if (fd < 0 || cb == NULL || (events & ~(unsigned)WATCH_EVENTS) != 0) {
		log_warnx("UPS [%s]: drv_watch_add: bad fd %d, events 0x%x or no callback",
		    d->upsname, fd, events);
		return -1;
	}
	w = watch_find(d, fd);
	if (w == NULL) {
		if (ev_fd_active(fd)) {
			log_warnx("UPS [%s]: drv_watch_add: fd %d is the driver core's; not "
			    "watched", d->upsname, fd);
			return -1;
		}
		if (d->nwatches >= DRV_MAX_WATCHES) {
			log_warnx("UPS [%s]: drv_watch_add: already %d descriptors watched; "
			    "fd %d is not", d->upsname, DRV_MAX_WATCHES, fd);
			return -1;
		}
		w = &d->watches[d->nwatches];
	}
	if (ev_fd_add(fd, events, watch_fire, d) < 0) {
		log_warn("UPS [%s]: cannot watch fd %d", d->upsname, fd);
		/* ev_fd_add unwatched it: forget a replaced entry too. */
		drv_watch_del(d, fd);
		return -1;
	}
	if (w == &d->watches[d->nwatches])
		d->nwatches++;
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	log_debug3("UPS [%s]: watching fd %d for 0x%x", d->upsname, fd, events);
	return 0;
}

int
drv_watch_set(struct drv *d, int fd, unsigned events)
{
	struct drv_watch *w = watch_find(d, fd);

	if (w == NULL || (events & ~(unsigned)WATCH_EVENTS) != 0) {
		log_warnx("UPS [%s]: drv_watch_set: fd %d is not watched or events 0x%x "
		    "are bad", d->upsname, fd, events);
		return -1;
	}
	if (ev_fd_set(fd, events) < 0) {
		log_warn("UPS [%s]: cannot change the events of fd %d", d->upsname, fd);
		return -1;
	}
	w->events = events;
	return 0;
}

void
drv_watch_del(struct drv *d, int fd)
{
	struct drv_watch *w = watch_find(d, fd);

	if (w == NULL)
		return;
	ev_fd_del(fd);
	*w = d->watches[--d->nwatches];
	log_debug3("UPS [%s]: fd %d no longer watched", d->upsname, fd);
}

/* --- timers --- */

static drv_timer_id
timer_id(const struct drv *d, const struct drv_timer *t)
{
	return ((uint64_t)t->gen << 32) | (uint32_t)(t - d->timers);
}

static void
timer_free(struct drv_timer *t)
{
	t->cb = NULL;
	t->arg = NULL;
	t->ev = 0;
	/* 0 would make slot 0's id 0, which is never valid. */
	if (++t->gen == 0)
		t->gen = 1;
}

static void timer_fire(void *arg);

/* Schedules the slot's next run at t->due. 0, or -1 (logged, slot freed). */
static int
timer_arm(struct drv_timer *t)
{
	uint64_t now = ev_clock();

	t->ev = ev_timer_add(t->due > now ? t->due - now : 0, timer_fire, t);
	if (t->ev == 0) {
		log_warnx("UPS [%s]: the event loop refused a timer", t->d->upsname);
		timer_free(t);
		return -1;
	}
	return 0;
}

static void
timer_fire(void *arg)
{
	struct drv_timer *t = arg;
	struct drv *d = t->d;
	drv_timer_cb cb = t->cb;
	void *cb_arg = t->arg;
	uint32_t gen = t->gen;
	uint64_t now;
	int rc;

	t->ev = 0;
	if (t->period == 0)
		timer_free(t);	/* before the call: its id is dead, its slot reusable */
	rc = cb(d, cb_arg);
	if (t->period != 0 && t->cb != NULL && t->gen == gen) {
		/* Still there (not deleted by its callback): the next run. */
		now = ev_clock();
		t->due += t->period;
		if (t->due <= now)
			t->due = now + t->period;	/* the loop was late: skip, do not queue */
		(void)timer_arm(t);
	}
	loop_device_result(d, rc);
}

drv_timer_id
drv_timer_add(struct drv *d, unsigned long ms, unsigned long period_ms,
    drv_timer_cb cb, void *arg)
{
	struct drv_timer *t = NULL;
	size_t i;

	if (cb == NULL) {
		log_warnx("UPS [%s]: drv_timer_add without a callback", d->upsname);
		return 0;
	}
	for (i = 0; i < DRV_MAX_TIMERS && t == NULL; i++)
		if (d->timers[i].cb == NULL)
			t = &d->timers[i];
	if (t == NULL) {
		log_warnx("UPS [%s]: drv_timer_add: already %d timers pending", d->upsname,
		    DRV_MAX_TIMERS);
		return 0;
	}
	if (t->gen == 0)
		t->gen = 1;
	t->d = d;
	t->cb = cb;
	t->arg = arg;
	t->period = period_ms;
	t->due = ev_clock() + ms;
	if (timer_arm(t) < 0)
		return 0;
	return timer_id(d, t);
}

void
drv_timer_del(struct drv *d, drv_timer_id id)
{
	uint32_t slot = (uint32_t)id, gen = (uint32_t)(id >> 32);
	struct drv_timer *t;

	if (id == 0 || slot >= DRV_MAX_TIMERS)
		return;
	t = &d->timers[slot];
	if (t->cb == NULL || t->gen != gen)
		return;
	ev_timer_del(t->ev);
	timer_free(t);
}

void
events_clear(struct drv *d)
{
	size_t i;

	while (d->nwatches > 0)
		drv_watch_del(d, d->watches[0].fd);
	for (i = 0; i < DRV_MAX_TIMERS; i++)
		if (d->timers[i].cb != NULL)
			drv_timer_del(d, timer_id(d, &d->timers[i]));
}
