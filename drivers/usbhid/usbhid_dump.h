/*
 * nutsec - usbhid_dump.h: `usbhid-ups --dump`: what the driver reads from a
 * device, for bug reports. Every readable field as one line
 * "<Path> <Type> <ReportID> <Offset> <Size> <Value>" in NUT's names, then
 * the variables the driver would publish, "name: value", sorted.
 */
#ifndef NUTSEC_USBHID_DUMP_H
#define NUTSEC_USBHID_DUMP_H

#include <stdio.h>

#include "hid_map.h"
#include "usb_transport.h"

/* 0, or -1 after printing why to stderr. */
int usbhid_dump(struct usb_transport *t, const struct subdriver *sd, FILE *out);

#endif
