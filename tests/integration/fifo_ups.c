/*
 * nutsec tests - fifo_ups.c: fifo-ups, a test driver that is not polled
 * for its data. Its port is a FIFO it watches with drv_watch_add; each line
 * written there is published at once:
 *   NAME VALUE...   sets variable NAME
 *   status W...     ups.status (through drv_status_*)
 *   stale           reports the device as failed (data stale)
 * A periodic timer counts test.ticks every 200 ms, a one-shot timer sets
 * test.oneshot once, and update only counts test.updates, so a test can
 * see that data went to upsd without an update cycle. Built for
 * 072-driver-events.sh; never installed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "log.h"

#define LINE_MAX_LEN 512

static int fifo = -1;
static char pending[LINE_MAX_LEN];	/* a line not yet ended */
static size_t npending;
static unsigned long ticks, updates;

/* One complete line. Returns a DRV_EV_* result. */
static int
fifo_line(struct drv *d, char *line)
{
	char *value = strchr(line, ' '), *save = NULL, *w;

	if (strcmp(line, "stale") == 0)
		return DRV_EV_STALE;
	if (value == NULL) {
		log_warnx("fifo-ups: line \"%s\" has no value; ignored", line);
		return DRV_EV_NONE;
	}
	*value++ = '\0';
	if (strcmp(line, "status") != 0)
		return drv_setinfo(d, line, "%s", value) == 0 ? DRV_EV_OK : DRV_EV_NONE;
	drv_status_init(d);
	for (w = strtok_r(value, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save))
		drv_status_set(d, w);
	drv_status_commit(d);
	return DRV_EV_OK;
}

static int
fifo_readable(struct drv *d, int fd, unsigned events, void *arg)
{
	char buf[LINE_MAX_LEN];
	int rc = DRV_EV_NONE, one;
	ssize_t n, i;

	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? DRV_EV_NONE : DRV_EV_STALE;
	for (i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (npending < sizeof(pending) - 1)
				pending[npending++] = buf[i];
			continue;
		}
		pending[npending] = '\0';
		npending = 0;
		one = fifo_line(d, pending);
		/* The last line that said something about the device counts. */
		if (one != DRV_EV_NONE)
			rc = one;
	}
	return rc;
}

static int
tick(struct drv *d, void *arg)
{
	(void)drv_setinfo(d, "test.ticks", "%lu", ++ticks);
	return DRV_EV_NONE;
}

static int
oneshot(struct drv *d, void *arg)
{
	(void)drv_setinfo(d, "test.oneshot", "fired");
	return DRV_EV_NONE;
}

static int
fifo_init(struct drv *d)
{
	/* Read-write: the FIFO never reports EOF when a writer goes away. */
	fifo = open(drv_port(d), O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0) {
		log_warn("fifo-ups: %s", drv_port(d));
		return -1;
	}
	if (drv_watch_add(d, fifo, DRV_WATCH_READ, fifo_readable, NULL) < 0 ||
	    drv_timer_add(d, 200, 200, tick, NULL) == 0 ||
	    drv_timer_add(d, 300, 0, oneshot, NULL) == 0)
		return -1;
	(void)drv_setinfo(d, "ups.mfr", "nutsec tests");
	(void)drv_setinfo(d, "ups.model", "fifo-ups");
	drv_status_init(d);
	drv_status_set(d, "OL");
	drv_status_commit(d);
	return 0;
}

static int
fifo_update(struct drv *d)
{
	(void)drv_setinfo(d, "test.updates", "%lu", ++updates);
	return 0;
}

static void
fifo_cleanup(struct drv *d)
{
	if (fifo >= 0)
		close(fifo);
	fifo = -1;
}

static const struct driver_ops fifo_ops = {
	.name = "fifo-ups", .version = "1",
	.init = fifo_init, .update = fifo_update, .cleanup = fifo_cleanup,
};

int
main(int argc, char **argv)
{
	return drv_main(argc, argv, &fifo_ops);
}
