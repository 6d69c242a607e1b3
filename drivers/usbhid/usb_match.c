/*
 * nutsec - usb_match.c: device matching by regular expressions (usb_match.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "usb_match.h"

const char *const usbm_names[UM_N] = {
	"vendorid", "productid", "vendor", "product", "serial", "bus", "device"
};

int
usbm_init(struct usb_matcher *m, const char *const values[UM_N], char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < UM_N; i++) {
		char anchored[512];
		int rc;

		if (values[i] == NULL)
			continue;
		/* the whole value must match, as NUT's matcher checks */
		if (snprintf(anchored, sizeof(anchored), "^(%s)$", values[i]) >= (int)sizeof(anchored)) {
			snprintf(err, errlen, "%s: expression too long", usbm_names[i]);
			usbm_free(m);
			return -1;
		}
		if ((rc = regcomp(&m->re[i], anchored, REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
			char msg[128];

			regerror(rc, &m->re[i], msg, sizeof(msg));
			snprintf(err, errlen, "%s = %s: %s", usbm_names[i], values[i], msg);
			usbm_free(m);
			return -1;
		}
		m->set[i] = 1;
	}
	return 0;
}

void
usbm_free(struct usb_matcher *m)
{
	for (int i = 0; i < UM_N; i++)
		if (m->set[i])
			regfree(&m->re[i]);
	memset(m, 0, sizeof(*m));
}

int
usbm_match(const struct usb_matcher *m, const struct usb_devinfo *dev)
{
	char vid[8], pid[8];
	const char *values[UM_N];

	snprintf(vid, sizeof(vid), "%04x", dev->vendorid & 0xffff);
	snprintf(pid, sizeof(pid), "%04x", dev->productid & 0xffff);
	values[UM_VENDORID] = vid;
	values[UM_PRODUCTID] = pid;
	values[UM_VENDOR] = dev->vendor;
	values[UM_PRODUCT] = dev->product;
	values[UM_SERIAL] = dev->serial;
	values[UM_BUS] = dev->bus;
	values[UM_DEVICE] = dev->device;
	for (int i = 0; i < UM_N; i++)
		if (m->set[i] && regexec(&m->re[i], values[i], 0, NULL, 0) != 0)
			return 0;
	return 1;
}
