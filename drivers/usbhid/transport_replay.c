/*
 * nutsec - transport_replay.c: a recorded HID device served as if it were
 * plugged in (usb_transport.h). Used by `usbhid-ups --replay DIR`, by the
 * integration tests and by users checking what the driver makes of a
 * recording sent in a bug report.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recording.h"
#include "usb_transport.h"

struct replay {
	struct recording rec;
	struct rec_raw *current[256];	/* what GET_REPORT answers, per id */
	struct rec_raw updates[256];	/* interrupt reports received, per id */
	int intr_fd;			/* the "interrupt" FIFO or file, or -1 */
	char line[4096];		/* a partial line read from it */
	size_t linelen;
	int setlog_fd;
};

static struct replay *
rp(struct usb_transport *t)
{
	return t->priv;
}

static int
replay_get_descriptor(struct usb_transport *t, uint8_t *buf, size_t cap)
{
	struct replay *r = rp(t);

	if (r->rec.desc_len > cap)
		return USBT_ERR;
	memcpy(buf, r->rec.desc, r->rec.desc_len);
	return (int)r->rec.desc_len;
}

static int
replay_get_report(struct usb_transport *t, enum hid_type type, uint8_t id, uint8_t *buf,
    size_t cap)
{
	struct rec_raw *raw = rp(t)->current[id];

	(void)type;	/* recordings keep one buffer per id, read either way */
	if (raw == NULL || raw->len > cap)
		return USBT_ERR;	/* the device would stall: no such report */
	memcpy(buf, raw->bytes, raw->len);
	return raw->len;
}

static int
replay_set_report(struct usb_transport *t, enum hid_type type, const uint8_t *buf, size_t len)
{
	struct replay *r = rp(t);
	char line[3 * (HID_REPORT_MAX + 1) + 32];
	size_t at;

	if (len == 0 || len > HID_REPORT_MAX + 1)
		return USBT_ERR;
	if (r->setlog_fd == -1)
		return 0;
	at = (size_t)snprintf(line, sizeof(line), "SET %s 0x%02x", hid_type_name(type), buf[0]);
	for (size_t i = 0; i < len; i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at, " %02x", buf[i]);
	line[at++] = '\n';
	if (write(r->setlog_fd, line, at) != (ssize_t)at)
		return USBT_ERR;
	return 0;
}

/* Takes one complete "RAW" line from the interrupt source, if there is one. */
static int
next_line(struct replay *r, char *out, size_t cap)
{
	for (;;) {
		char *nl = memchr(r->line, '\n', r->linelen);
		ssize_t n;

		if (nl != NULL) {
			size_t len = (size_t)(nl - r->line);

			if (len >= cap)
				len = cap - 1;
			memcpy(out, r->line, len);
			out[len] = '\0';
			r->linelen -= (size_t)(nl + 1 - r->line);
			memmove(r->line, nl + 1, r->linelen);
			return 1;
		}
		if (r->linelen == sizeof(r->line))
			r->linelen = 0;	/* an over-long line: dropped */
		n = read(r->intr_fd, r->line + r->linelen, sizeof(r->line) - r->linelen);
		if (n <= 0)
			return n == 0 || errno == EAGAIN ? 0 : -1;
		r->linelen += (size_t)n;
	}
}

static int
replay_interrupt_read(struct usb_transport *t, uint8_t *buf, size_t cap)
{
	struct replay *r = rp(t);
	char line[4096];

	if (r->intr_fd == -1)
		return 0;
	for (;;) {
		struct rec_raw raw;
		int rc = next_line(r, line, sizeof(line));

		if (rc <= 0)
			return rc == 0 ? 0 : USBT_ERR;
		if (rec_parse_raw(line, &raw) != 1 || raw.len > cap)
			continue;	/* comments, blank or bad lines */
		r->updates[raw.id] = raw;
		r->current[raw.id] = &r->updates[raw.id];
		memcpy(buf, raw.bytes, raw.len);
		return raw.len;
	}
}

static int
replay_get_string(struct usb_transport *t, unsigned index, char *buf, size_t cap)
{
	const struct recording *rec = &rp(t)->rec;

	for (size_t i = 0; i < rec->nstrings; i++) {
		if (rec->strings[i].index == index) {
			snprintf(buf, cap, "%s", rec->strings[i].text);
			return 0;
		}
	}
	return USBT_ERR;	/* the device would stall */
}

static int
replay_pollfds(struct usb_transport *t, struct usbt_pollfd *fds, size_t max)
{
	struct replay *r = rp(t);

	if (r->intr_fd == -1 || max == 0)
		return 0;
	fds[0].fd = r->intr_fd;
	fds[0].events = POLLIN;
	return 1;
}

static void
replay_close(struct usb_transport *t)
{
	struct replay *r = rp(t);

	if (r->intr_fd != -1)
		close(r->intr_fd);
	rec_free(&r->rec);
	free(r);
	free(t);
}

static const struct usb_transport_ops replay_ops = {
	.name = "replay",
	.get_descriptor = replay_get_descriptor,
	.get_report = replay_get_report,
	.set_report = replay_set_report,
	.interrupt_read = replay_interrupt_read,
	.get_string = replay_get_string,
	.pollfds = replay_pollfds,
	.close = replay_close,
};

struct usb_transport *
usbt_replay_open(const char *dir, int setlog_fd, char *err, size_t errlen)
{
	struct usb_transport *t = calloc(1, sizeof(*t));
	struct replay *r = calloc(1, sizeof(*r));
	char path[4096];

	if (t == NULL || r == NULL) {
		free(t);
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->intr_fd = -1;
	r->setlog_fd = setlog_fd;
	if (rec_load(&r->rec, dir, err, errlen) == -1) {
		free(t);
		free(r);
		return NULL;
	}
	for (size_t i = r->rec.nraws; i-- > 0;)
		r->current[r->rec.raws[i].id] = &r->rec.raws[i];	/* the first of each id */
	if (snprintf(path, sizeof(path), "%s/interrupt", dir) < (int)sizeof(path)) {
		/* O_RDWR on a FIFO: never blocks, never sees end of file when writers come and go */
		struct stat st;

		if (stat(path, &st) == 0)
			r->intr_fd = open(path, (S_ISFIFO(st.st_mode) ? O_RDWR : O_RDONLY) |
			    O_NONBLOCK | O_CLOEXEC);
	}
	t->ops = &replay_ops;
	t->priv = r;
	t->info.vendorid = r->rec.vendorid;
	t->info.productid = r->rec.productid;
	snprintf(t->info.vendor, sizeof(t->info.vendor), "%s", r->rec.manufacturer);
	snprintf(t->info.product, sizeof(t->info.product), "%s", r->rec.product);
	snprintf(t->info.serial, sizeof(t->info.serial), "%s", r->rec.serial);
	snprintf(t->version, sizeof(t->version), "replay of %s", dir);
	snprintf(t->info.bus, sizeof(t->info.bus), "replay");
	snprintf(t->info.device, sizeof(t->info.device), "000");
	return t;
}
