/*
 * nutsec - usb_transport.h: how usbhid-ups talks to a HID device, behind a
 * small interface so that the driver runs the same on a real device
 * (transport_libusb.c) and on a recording (transport_replay.c).
 *
 * Report buffers always start with the report id byte (0 for a device that
 * uses no report ids), as the decoder expects. Calls return a byte count
 * or 0, or USBT_ERR (transient: the next poll retries) or USBT_GONE (the
 * device went away: close and reopen).
 */
#ifndef NUTSEC_USB_TRANSPORT_H
#define NUTSEC_USB_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "hid_parse.h"

#define USBT_ERR	(-1)
#define USBT_GONE	(-2)
#define USBT_STR_MAX	128

/* What identifies a device for matching and for device.* variables. */
struct usb_devinfo {
	unsigned vendorid, productid, bcddevice;
	char vendor[USBT_STR_MAX], product[USBT_STR_MAX], serial[USBT_STR_MAX];
	char bus[16], device[16];	/* "001", "004" as NUT prints them */
};

struct usb_transport;

struct usbt_pollfd {
	int fd;
	short events;	/* POLLIN, POLLOUT */
};

struct usb_transport_ops {
	const char *name;
	/* The report descriptor. Its length, or USBT_ERR/USBT_GONE. */
	int (*get_descriptor)(struct usb_transport *t, uint8_t *buf, size_t cap);
	/* GET_REPORT: the report's bytes (id first). Its length or an error. */
	int (*get_report)(struct usb_transport *t, enum hid_type type, uint8_t id,
	    uint8_t *buf, size_t cap);
	/* SET_REPORT of len bytes (id first). 0 or an error. */
	int (*set_report)(struct usb_transport *t, enum hid_type type,
	    const uint8_t *buf, size_t len);
	/* One interrupt-IN report if one is waiting (never blocks): its length, 0 if none. */
	int (*interrupt_read)(struct usb_transport *t, uint8_t *buf, size_t cap);
	/* A string descriptor by index, into buf. 0 or an error. */
	int (*get_string)(struct usb_transport *t, unsigned index, char *buf, size_t cap);
	/*
	 * Descriptors to watch so interrupt reports are read when they come
	 * (interrupt_read is then called), with the poll(2) events to watch
	 * for (usbdevfs signals a finished transfer as POLLOUT). The count
	 * (0: poll only), at most max.
	 */
	int (*pollfds)(struct usb_transport *t, struct usbt_pollfd *fds, size_t max);
	void (*close)(struct usb_transport *t);
};

struct usb_transport {
	const struct usb_transport_ops *ops;
	struct usb_devinfo info;
	char version[64];	/* driver.version.usb: the library behind it */
	void *priv;
};

/*
 * The replay transport over a recording directory (recording.h). GET_REPORT
 * answers with the first RAW read recorded for that report id; if the
 * directory has a FIFO or file named "interrupt", its "RAW ..." lines are
 * the interrupt reports (and also become the answer to later GET_REPORTs
 * of their id, as a device's state would). Every SET_REPORT is appended
 * as "SET <Type> <id> <bytes>" to setlog_fd when it is not -1.
 * NULL with err filled on failure.
 */
struct usb_transport *usbt_replay_open(const char *dir, int setlog_fd, char *err, size_t errlen);

#endif
