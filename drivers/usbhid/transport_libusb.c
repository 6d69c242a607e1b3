/*
 * nutsec - transport_libusb.c: a real USB HID device through libusb-1.0
 * (usbhid_usb.h, usb_transport.h).
 *
 * Opening: a first libusb context enumerates the bus, reads each HID
 * device's ids and strings and picks the first that matches; it is then
 * closed (with it libusb's netlink hotplug thread). The chosen device's
 * file under /dev/bus/usb is opened by path and handed to a second context
 * created with LIBUSB_OPTION_NO_DEVICE_DISCOVERY through
 * libusb_wrap_sys_device: from there on libusb needs no sysfs, no netlink
 * and no new opens, which is what the driver-usb sandbox role allows.
 *
 * Transfers: reports by control transfers on endpoint 0 (HID class
 * GET_REPORT/SET_REPORT, descriptor by GET_DESCRIPTOR); interrupt reports
 * by one asynchronous transfer kept submitted on the interrupt IN
 * endpoint, completed from the driver's event loop through libusb's
 * pollfds.
 *
 * Reopening (usbt_usb_release, usbt_usb_reopen): once the device is gone
 * its handle is closed and its fd dropped, the second context stays; the
 * fd the reopen helper passes (usb_reopen.h) is wrapped in that context
 * and claimed the same way, from inside the sandbox.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "usbhid_usb.h"

#define CTRL_TIMEOUT_MS	5000
#define HID_GET_REPORT	0x01
#define HID_SET_REPORT	0x09
#define HID_DT_REPORT	0x22
#define INTR_QUEUE	8
#define USBFS_CTRL_MAX	4096	/* usbfs refuses longer control transfers */

struct usbdev {
	libusb_context *ctx;
	libusb_device_handle *h;
	int fd;
	int iface;
	unsigned char ep_in;		/* interrupt IN endpoint, 0 if none */
	uint16_t ep_size;
	uint16_t desc_len;		/* report descriptor length, from the HID descriptor */
	struct libusb_transfer *xfer;
	unsigned char xbuf[HID_REPORT_MAX + 1];
	int gone;
	/* interrupt reports completed but not yet read */
	unsigned char q[INTR_QUEUE][HID_REPORT_MAX + 1];
	int qlen[INTR_QUEUE];
	unsigned qhead, qcount;
};

static struct usbdev *
ud(struct usb_transport *t)
{
	return t->priv;
}

static int
rc_of(int rc)
{
	return rc == LIBUSB_ERROR_NO_DEVICE || rc == LIBUSB_ERROR_IO ? USBT_GONE : USBT_ERR;
}

static int
usb_get_descriptor(struct usb_transport *t, uint8_t *buf, size_t cap)
{
	struct usbdev *u = ud(t);
	/* the length the HID descriptor states, as the device expects to be asked */
	size_t len = u->desc_len > 0 ? u->desc_len : USBFS_CTRL_MAX;
	int n;

	if (len > cap)
		len = cap;
	if (len > USBFS_CTRL_MAX)
		len = USBFS_CTRL_MAX;
	n = libusb_control_transfer(u->h, LIBUSB_ENDPOINT_IN | LIBUSB_RECIPIENT_INTERFACE,
	    LIBUSB_REQUEST_GET_DESCRIPTOR, HID_DT_REPORT << 8, (uint16_t)u->iface, buf,
	    (uint16_t)len, CTRL_TIMEOUT_MS);
	return n < 0 ? rc_of(n) : n;
}

static int
usb_get_report(struct usb_transport *t, enum hid_type type, uint8_t id, uint8_t *buf, size_t cap)
{
	struct usbdev *u = ud(t);
	int n = libusb_control_transfer(u->h,
	    LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
	    HID_GET_REPORT, (uint16_t)(((type + 1) << 8) | id), (uint16_t)u->iface, buf,
	    (uint16_t)(cap > 0xffff ? 0xffff : cap), CTRL_TIMEOUT_MS);

	return n < 0 ? rc_of(n) : n;
}

static int
usb_set_report(struct usb_transport *t, enum hid_type type, const uint8_t *buf, size_t len)
{
	struct usbdev *u = ud(t);
	unsigned char copy[HID_REPORT_MAX + 1];
	int n;

	if (len == 0 || len > sizeof(copy))
		return USBT_ERR;
	memcpy(copy, buf, len);
	n = libusb_control_transfer(u->h,
	    LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
	    HID_SET_REPORT, (uint16_t)(((type + 1) << 8) | copy[0]), (uint16_t)u->iface, copy,
	    (uint16_t)len, CTRL_TIMEOUT_MS);
	return n < 0 ? rc_of(n) : 0;
}

static void LIBUSB_CALL
intr_done(struct libusb_transfer *x)
{
	struct usbdev *u = x->user_data;

	if (x->status == LIBUSB_TRANSFER_NO_DEVICE) {
		u->gone = 1;
		return;
	}
	if (x->status == LIBUSB_TRANSFER_COMPLETED && x->actual_length > 0 &&
	    u->qcount < INTR_QUEUE) {
		unsigned slot = (u->qhead + u->qcount) % INTR_QUEUE;

		memcpy(u->q[slot], x->buffer, (size_t)x->actual_length);
		u->qlen[slot] = x->actual_length;
		u->qcount++;
	}
	if (x->status != LIBUSB_TRANSFER_CANCELLED && libusb_submit_transfer(x) != 0)
		u->gone = 1;
}

static int
usb_interrupt_read(struct usb_transport *t, uint8_t *buf, size_t cap)
{
	struct usbdev *u = ud(t);
	struct timeval zero = { 0, 0 };
	int n;

	if (u->xfer == NULL)
		return 0;
	if (u->qcount == 0)
		(void)libusb_handle_events_timeout_completed(u->ctx, &zero, NULL);
	if (u->qcount == 0)
		return u->gone ? USBT_GONE : 0;
	n = u->qlen[u->qhead];
	if ((size_t)n > cap)
		n = (int)cap;
	memcpy(buf, u->q[u->qhead], (size_t)n);
	u->qhead = (u->qhead + 1) % INTR_QUEUE;
	u->qcount--;
	return n;
}

static int
usb_get_string(struct usb_transport *t, unsigned index, char *buf, size_t cap)
{
	int n;

	if (index == 0 || index > 255 || cap < 2)
		return USBT_ERR;
	n = libusb_get_string_descriptor_ascii(ud(t)->h, (uint8_t)index, (unsigned char *)buf,
	    (int)(cap > 255 ? 255 : cap));
	if (n < 0)
		return rc_of(n);
	buf[n < (int)cap ? n : (int)cap - 1] = '\0';
	return 0;
}

static int
usb_pollfds(struct usb_transport *t, struct usbt_pollfd *fds, size_t max)
{
	const struct libusb_pollfd **p;
	size_t n = 0;

	if (ud(t)->xfer == NULL || (p = libusb_get_pollfds(ud(t)->ctx)) == NULL)
		return 0;
	for (; p[n] != NULL && n < max; n++) {
		fds[n].fd = p[n]->fd;
		fds[n].events = p[n]->events;	/* POLLOUT for the usbdevfs fd */
	}
	libusb_free_pollfds(p);
	return (int)n;
}

/* Drops the device (transfer, handle, fd); the context stays. */
static void
drop_device(struct usbdev *u)
{
	if (u->xfer != NULL) {
		struct timeval tv = { 0, 100000 };

		if (libusb_cancel_transfer(u->xfer) == 0)
			(void)libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
		libusb_free_transfer(u->xfer);
		u->xfer = NULL;
	}
	if (u->h != NULL) {
		(void)libusb_release_interface(u->h, u->iface);
		libusb_close(u->h);
		u->h = NULL;
	}
	if (u->fd != -1)
		close(u->fd);
	u->fd = -1;
	u->gone = 0;
	u->qhead = u->qcount = 0;
}

static void
usb_close(struct usb_transport *t)
{
	struct usbdev *u = ud(t);

	drop_device(u);
	if (u->ctx != NULL)
		libusb_exit(u->ctx);
	free(u);
	free(t);
}

static const struct usb_transport_ops usb_ops = {
	.name = "libusb",
	.get_descriptor = usb_get_descriptor,
	.get_report = usb_get_report,
	.set_report = usb_set_report,
	.interrupt_read = usb_interrupt_read,
	.get_string = usb_get_string,
	.pollfds = usb_pollfds,
	.close = usb_close,
};

/* The report descriptor length in a HID class descriptor (0x21) among extra bytes. */
static uint16_t
report_desc_len(const unsigned char *extra, int len)
{
	for (int i = 0; i + 1 < len && extra[i] >= 2; i += extra[i]) {
		const unsigned char *d = extra + i;

		if (i + d[0] > len)
			break;
		if (d[1] != 0x21 || d[0] < 9)
			continue;
		/* bNumDescriptors entries of (type, length) from byte 6 */
		for (int k = 0; k < d[5] && 6 + 3 * k + 2 < d[0]; k++)
			if (d[6 + 3 * k] == HID_DT_REPORT)
				return (uint16_t)(d[7 + 3 * k] | d[8 + 3 * k] << 8);
	}
	return 0;
}

/* Interface 0 of a HID device: its interrupt IN endpoint, if any, and the
 * report descriptor length. 1 if HID. */
static int
hid_interface(libusb_device *dev, unsigned char *ep, uint16_t *size, uint16_t *desc_len)
{
	struct libusb_config_descriptor *cfg;
	const struct libusb_interface_descriptor *alt;
	int hid = 0;

	*ep = 0;
	*desc_len = 0;
	if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
	    libusb_get_config_descriptor(dev, 0, &cfg) != 0)
		return 0;
	if (cfg->bNumInterfaces > 0 && cfg->interface[0].num_altsetting > 0) {
		alt = &cfg->interface[0].altsetting[0];
		hid = alt->bInterfaceClass == LIBUSB_CLASS_HID;
		*desc_len = report_desc_len(alt->extra, alt->extra_length);
		for (int i = 0; i < alt->bNumEndpoints; i++) {
			const struct libusb_endpoint_descriptor *e = &alt->endpoint[i];

			if ((e->bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
			    (e->bmAttributes & 3) == LIBUSB_TRANSFER_TYPE_INTERRUPT) {
				*ep = e->bEndpointAddress;
				*size = e->wMaxPacketSize;
				break;
			}
		}
	}
	libusb_free_config_descriptor(cfg);
	return hid;
}

static void
read_string(libusb_device_handle *h, uint8_t index, char *buf, size_t cap)
{
	int n;

	buf[0] = '\0';
	if (index == 0)
		return;
	n = libusb_get_string_descriptor_ascii(h, index, (unsigned char *)buf, (int)cap);
	buf[n > 0 ? (n < (int)cap ? n : (int)cap - 1) : 0] = '\0';
}

/* Wraps u->fd in u->ctx, claims interface 0 and starts the interrupt transfer. 0 or -1. */
static int
wrap_fd(struct usbdev *u, const char *what, char *err, size_t errlen)
{
	int rc;

	if ((rc = libusb_wrap_sys_device(u->ctx, (intptr_t)u->fd, &u->h)) != 0) {
		snprintf(err, errlen, "%s: libusb: %s", what, libusb_strerror(rc));
		return -1;
	}
	(void)libusb_set_auto_detach_kernel_driver(u->h, 1);
	if ((rc = libusb_claim_interface(u->h, 0)) != 0) {
		snprintf(err, errlen, "%s: cannot claim interface 0: %s", what, libusb_strerror(rc));
		return -1;
	}
	(void)hid_interface(libusb_get_device(u->h), &u->ep_in, &u->ep_size, &u->desc_len);
	if (u->ep_in != 0 && (u->xfer = libusb_alloc_transfer(0)) != NULL) {
		size_t len = u->ep_size > 0 && u->ep_size <= sizeof(u->xbuf) ? u->ep_size : 64;

		libusb_fill_interrupt_transfer(u->xfer, u->h, u->ep_in, u->xbuf, (int)len,
		    intr_done, u, 0);
		if (libusb_submit_transfer(u->xfer) != 0) {
			libusb_free_transfer(u->xfer);
			u->xfer = NULL;	/* polling only */
		}
	}
	return 0;
}

/* Enumerates with discovery on; fills info and the device path of the match. */
static int
find_device(const struct usb_matcher *m, struct usb_devinfo *info, char *path, size_t plen,
    char *err, size_t errlen)
{
	libusb_context *ctx;
	libusb_device **list;
	ssize_t n;
	int found = 0, rc;

	if ((rc = libusb_init(&ctx)) != 0) {
		snprintf(err, errlen, "libusb: %s", libusb_strerror(rc));
		return -1;
	}
	if ((n = libusb_get_device_list(ctx, &list)) < 0) {
		snprintf(err, errlen, "libusb: cannot list devices: %s", libusb_strerror((int)n));
		libusb_exit(ctx);
		return -1;
	}
	for (ssize_t i = 0; i < n && !found; i++) {
		struct libusb_device_descriptor dd;
		libusb_device_handle *h;
		unsigned char ep;
		uint16_t size, dlen;

		if (libusb_get_device_descriptor(list[i], &dd) != 0 ||
		    !hid_interface(list[i], &ep, &size, &dlen))
			continue;
		memset(info, 0, sizeof(*info));
		info->vendorid = dd.idVendor;
		info->productid = dd.idProduct;
		info->bcddevice = dd.bcdDevice;
		snprintf(info->bus, sizeof(info->bus), "%03u", libusb_get_bus_number(list[i]));
		snprintf(info->device, sizeof(info->device), "%03u",
		    libusb_get_device_address(list[i]));
		if (libusb_open(list[i], &h) != 0)
			continue;
		read_string(h, dd.iManufacturer, info->vendor, sizeof(info->vendor));
		read_string(h, dd.iProduct, info->product, sizeof(info->product));
		read_string(h, dd.iSerialNumber, info->serial, sizeof(info->serial));
		libusb_close(h);
		if (usbm_match(m, info)) {
			found = 1;
			snprintf(path, plen, "/dev/bus/usb/%s/%s", info->bus, info->device);
		}
	}
	libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	if (!found)
		snprintf(err, errlen, "no USB HID device matches this section");
	return found ? 0 : -1;
}

struct usb_transport *
usbt_usb_open(const char *port, const struct usb_matcher *m, char *err, size_t errlen)
{
	struct usb_transport *t = calloc(1, sizeof(*t));
	struct usbdev *u = calloc(1, sizeof(*u));
	char path[64];
	int rc;

	(void)port;	/* NUT's usbhid-ups ignores it too ("auto" by convention) */
	if (t == NULL || u == NULL) {
		free(t);
		free(u);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	u->fd = -1;
	t->ops = &usb_ops;
	t->priv = u;
	{
		const struct libusb_version *lv = libusb_get_version();

		snprintf(t->version, sizeof(t->version), "libusb-%u.%u.%u (API: 0x%x)",
		    lv->major, lv->minor, lv->micro, (unsigned)LIBUSB_API_VERSION);
	}
	if (find_device(m, &t->info, path, sizeof(path), err, errlen) == -1)
		goto fail;
	if ((u->fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	(void)libusb_set_option(NULL, LIBUSB_OPTION_NO_DEVICE_DISCOVERY);
	if ((rc = libusb_init(&u->ctx)) != 0) {
		snprintf(err, errlen, "%s: libusb: %s", path, libusb_strerror(rc));
		goto fail;
	}
	if (wrap_fd(u, path, err, errlen) != 0)
		goto fail;
	return t;
fail:
	usb_close(t);
	return NULL;
}

void
usbt_usb_release(struct usb_transport *t)
{
	drop_device(ud(t));
}

int
usbt_usb_reopen(struct usb_transport *t, int fd, char *err, size_t errlen)
{
	struct usbdev *u = ud(t);

	drop_device(u);
	u->fd = fd;
	if (wrap_fd(u, "the reopened device", err, errlen) != 0) {
		drop_device(u);
		return -1;
	}
	return 0;
}
