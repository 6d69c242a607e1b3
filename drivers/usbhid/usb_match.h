/*
 * nutsec - usb_match.h: which USB device a ups.conf section means, as in
 * NUT: vendorid, productid, vendor, product, serial, bus and device are
 * each an extended regular expression, case-insensitive, that must match
 * the whole value (ids as 4 lowercase hex digits). Unset ones match all.
 */
#ifndef NUTSEC_USB_MATCH_H
#define NUTSEC_USB_MATCH_H

#include <regex.h>
#include <stddef.h>

#include "usb_transport.h"

enum { UM_VENDORID, UM_PRODUCTID, UM_VENDOR, UM_PRODUCT, UM_SERIAL, UM_BUS, UM_DEVICE, UM_N };

struct usb_matcher {
	regex_t re[UM_N];
	unsigned char set[UM_N];
};

/* The ups.conf names, in UM_* order. */
extern const char *const usbm_names[UM_N];

/* Compiles the given expressions (values[i] NULL = unset). 0, or -1 with err. */
int usbm_init(struct usb_matcher *m, const char *const values[UM_N], char *err, size_t errlen);
void usbm_free(struct usb_matcher *m);
/* 1 if the device matches every set expression. */
int usbm_match(const struct usb_matcher *m, const struct usb_devinfo *dev);

#endif
