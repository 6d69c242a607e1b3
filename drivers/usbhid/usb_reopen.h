/*
 * nutsec - usb_reopen.h: usbhid-ups's reopen helper. The sandboxed driver
 * cannot open /dev/bus/usb, so before it confines itself it forks a small
 * process that keeps only what finding the UPS again takes: the section's
 * matching expressions (compiled before the fork, never sent later), a
 * directory fd on /dev/bus/usb and one on /sys/bus/usb/devices. The
 * helper stays uid 0 with every capability dropped (the device nodes are
 * root's, mode 0664), confined by its own sandbox role usb-reopen, and dies
 * with the driver (PR_SET_PDEATHSIG, its parent's pid checked, end of file
 * on the channel).
 *
 * The channel is a SOCK_SEQPACKET socketpair carrying common/msg.h
 * messages. The driver sends "reopen" (no payload: it can name no path
 * and no device); the helper walks sysfs for the first HID device the
 * section matches, opens its node, checks that the node's device
 * descriptor is the one sysfs described, and answers "device" (bus and
 * device number) with the fd, or "fail" with an errno. Any malformed
 * message makes the helper log why and exit.
 */
#ifndef NUTSEC_USB_REOPEN_H
#define NUTSEC_USB_REOPEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "msg.h"
#include "usb_match.h"

enum {
	USBR_REOPEN = 1,	/* driver -> helper: no payload */
	USBR_DEVICE = 2,	/* helper -> driver: struct usbr_device, with the fd */
	USBR_FAIL = 3,		/* helper -> driver: int32_t errno */
};

struct usbr_device {
	uint32_t busnum, devnum;
};

/* What each end accepts. */
extern const struct msg_type usbr_helper_types[];
extern const size_t usbr_nhelper_types;
extern const struct msg_type usbr_driver_types[];
extern const size_t usbr_ndriver_types;

/*
 * Forks the helper (call before the driver's sandbox, as root). m is the
 * section's matcher, action the sandbox action word for the helper's own
 * filter. The driver's end of the channel (its peer id is the helper's
 * pid, in *pid), or NULL with err filled.
 */
struct msg_chan *usbr_start(const struct usb_matcher *m, const char *action, pid_t *pid,
    char *err, size_t errlen);

/*
 * The first HID device in sysdir (a /sys/bus/usb/devices fd) that m
 * matches, opened read-write beneath devdir (a /dev/bus/usb fd) and checked
 * against its sysfs descriptor: the fd, with *info filled, or -errno
 * (ENODEV: none matches) with err filled.
 */
int usbr_find(const struct usb_matcher *m, int devdir, int sysdir, struct usb_devinfo *info,
    char *err, size_t errlen);

/*
 * The helper's loop on channel fd (owned from now on) until the driver is
 * gone (0) or sends anything malformed (1, logged). parent is the pid the
 * requests must come from and whose death ends the loop (0: any).
 */
int usbr_serve(int fd, const struct usb_matcher *m, int devdir, int sysdir, pid_t parent);

#endif
