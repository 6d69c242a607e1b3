/*
 * nutsec - usbhid_usb.h: the libusb-1.0 transport (transport_libusb.c),
 * the only code that includes libusb's header.
 */
#ifndef NUTSEC_USBHID_USB_H
#define NUTSEC_USBHID_USB_H

#include <stddef.h>

#include "usb_match.h"
#include "usb_transport.h"

/*
 * Finds the first HID device that matches (port "auto", or any port: as in
 * NUT it is not a path), opens it, detaches the kernel's HID driver from
 * its interface 0 and claims it. Enumeration runs in a libusb context of
 * its own that is closed again, so the transport left holds one device
 * file and no hotplug thread: libusb then runs without device discovery
 * on that file (libusb_wrap_sys_device). Must run before the sandbox.
 * NULL with err filled when no device matches or it cannot be opened.
 */
struct usb_transport *usbt_usb_open(const char *port, const struct usb_matcher *m,
    char *err, size_t errlen);

/*
 * The device went away: closes its handle and drops its fd (transfers
 * report nothing more); the libusb context stays for usbt_usb_reopen.
 */
void usbt_usb_release(struct usb_transport *t);
/*
 * Takes fd (a usbdevfs node the reopen helper opened; owned from now on,
 * closed on failure), wraps it in the kept context, claims interface 0 and
 * restarts the interrupt transfer. Works inside the driver-usb sandbox.
 * 0, or -1 with err filled.
 */
int usbt_usb_reopen(struct usb_transport *t, int fd, char *err, size_t errlen);

#endif
