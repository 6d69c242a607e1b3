/*
 * nutsec - test_usbhid_libusb.c: usbhid-ups's libusb transport
 * (drivers/usbhid/transport_libusb.c) on an emulated USB device. umockdev
 * fakes sysfs and the usbdevfs node of a HID UPS; this program answers the
 * device's side of every URB libusb submits from a recorded device in
 * tests/data/hid (descriptor, GET_REPORT from the first RAW read of each
 * id, string descriptors, SET_REPORT kept, interrupt reports on endpoint
 * 0x81 when the test sends one). Then it runs the driver's own stack over
 * it: matching, descriptor read, variables, a command, an interrupt report.
 * It re-executes itself under umockdev-wrapper (the preload library).
 * Also the reopen helper (usb_reopen.c) on that device, and the driver
 * surviving an unplug and replug in the same sandboxed process.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <umockdev.h>

#include "hid_dev.h"
#include "hid_map.h"
#include "hid_vars.h"
#include "recording.h"
#include "log.h"
#include "msg.h"
#include "usb_match.h"
#include "usb_reopen.h"
#include "usbhid_usb.h"
#include "test.h"

#define REC TOP_SRCDIR "/tests/data/hid/cyberpower-cp1500pfclcd"
#define DEVNODE "/dev/bus/usb/001/002"
#define SYSPATH "/sys/devices/pci0000:00/usb1/1-1"

static UMockdevTestbed *tb;

/* The emulated device: its recording, URBs done, the interrupt URB waiting. */
static struct {
	pthread_mutex_t lock;
	struct recording rec;
	const struct rec_raw *report[256];
	GList *done;			/* UMockdevIoctlData of completed URBs */
	UMockdevIoctlData *intr;	/* the interrupt IN URB in flight */
	uint8_t pending[64];		/* an interrupt report to deliver */
	int pending_len;
	char sets[16][128];		/* SET_REPORTs seen, as hex */
	int nsets;
	int unplugged;			/* every transfer fails with ENODEV */
} dev = { .lock = PTHREAD_MUTEX_INITIALIZER };

static const char *const strings[] = { NULL, "CPS", "CP1500PFCLCD", "CXXNT2000123" };

/* A string descriptor: UTF-16LE of ASCII. */
static int
string_desc(unsigned index, uint8_t *out, size_t cap)
{
	const char *s;
	size_t n;

	if (index == 0) {	/* the language ids: en-US */
		out[0] = 4; out[1] = 3; out[2] = 0x09; out[3] = 0x04;
		return 4;
	}
	if (index >= sizeof(strings) / sizeof(strings[0]))
		return -1;
	s = strings[index];
	n = strlen(s);
	if (2 + 2 * n > cap)
		return -1;
	out[0] = (uint8_t)(2 + 2 * n);
	out[1] = 3;
	for (size_t i = 0; i < n; i++) {
		out[2 + 2 * i] = (uint8_t)s[i];
		out[3 + 2 * i] = 0;
	}
	return (int)(2 + 2 * n);
}

/* The device's answer to a control transfer: bytes into data, or -EPIPE (stall). */
static int
control(const uint8_t *setup, uint8_t *data, size_t cap)
{
	unsigned type = setup[0], req = setup[1];
	unsigned value = setup[2] | setup[3] << 8, len = setup[6] | setup[7] << 8;
	int n = -EPIPE;

	if (len < cap)
		cap = len;
	if (type == 0x80 && req == 6 && (value >> 8) == 3) {			/* string */
		uint8_t buf[256];

		if ((n = string_desc(value & 0xff, buf, sizeof(buf))) > 0)
			memcpy(data, buf, (size_t)n < cap ? (size_t)n : cap);
		n = n < 0 ? -EPIPE : ((size_t)n < cap ? n : (int)cap);
	} else if (type == 0x81 && req == 6 && (value >> 8) == 0x22) {	/* report descriptor */
		n = dev.rec.desc_len < cap ? (int)dev.rec.desc_len : (int)cap;
		memcpy(data, dev.rec.desc, (size_t)n);
	} else if (type == 0xa1 && req == 1) {				/* GET_REPORT */
		const struct rec_raw *r = dev.report[value & 0xff];

		if (r != NULL) {
			n = r->len < cap ? r->len : (int)cap;
			memcpy(data, r->bytes, (size_t)n);
		}
	} else if (type == 0x21 && req == 9) {				/* SET_REPORT */
		if (dev.nsets < 16) {
			size_t at = 0;

			for (unsigned i = 0; i < len && at + 4 < sizeof(dev.sets[0]); i++)
				at += (size_t)snprintf(dev.sets[dev.nsets] + at,
				    sizeof(dev.sets[0]) - at, "%s%02x", i ? " " : "", data[i]);
			dev.nsets++;
		}
		n = (int)len;
	} else if (type == 0x21 && req == 0x0a) {			/* SET_IDLE */
		n = 0;
	}
	return n;
}

/* Completes the interrupt URB if a report waits for it. Locked. */
static void
deliver_interrupt(void)
{
	struct usbdevfs_urb *urb;

	if (dev.intr == NULL || dev.pending_len == 0)
		return;
	urb = (struct usbdevfs_urb *)dev.intr->data;
	{
		UMockdevIoctlData *buf = umockdev_ioctl_data_resolve(dev.intr,
		    G_STRUCT_OFFSET(struct usbdevfs_urb, buffer), (gsize)urb->buffer_length, NULL);

		memcpy(buf->data, dev.pending, (size_t)dev.pending_len);
		g_object_unref(buf);
	}
	urb->actual_length = dev.pending_len;
	urb->status = 0;
	dev.done = g_list_append(dev.done, dev.intr);
	dev.intr = NULL;
	dev.pending_len = 0;
}

static gboolean
handle_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer unused)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	gulong request = umockdev_ioctl_client_get_request(client);

	(void)base;
	(void)unused;
	pthread_mutex_lock(&dev.lock);
	switch (request) {
	case USBDEVFS_GET_CAPABILITIES: {
		UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);

		*(guint32 *)d->data = USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_ZERO_PACKET;
		g_object_unref(d);
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_CONNECTINFO: {
		UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0,
		    sizeof(struct usbdevfs_connectinfo), NULL);
		struct usbdevfs_connectinfo *ci = (struct usbdevfs_connectinfo *)d->data;

		ci->devnum = 2;
		ci->slow = 0;
		g_object_unref(d);
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_GET_SPEED:
		umockdev_ioctl_client_complete(client, 2 /* full speed */, 0);
		break;
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE:
	case USBDEVFS_DISCONNECT_CLAIM:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_SETINTERFACE:
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_IOCTL:	/* the kernel driver question: there is none to detach */
		umockdev_ioctl_client_complete(client, -1, ENODATA);
		break;
	case USBDEVFS_GETDRIVER:
		umockdev_ioctl_client_complete(client, -1, ENODATA);
		break;
	case USBDEVFS_SUBMITURB: {
		UMockdevIoctlData *u;
		struct usbdevfs_urb *urb;

		if (dev.unplugged) {
			umockdev_ioctl_client_complete(client, -1, ENODEV);
			break;
		}
		u = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
		urb = (struct usbdevfs_urb *)u->data;

		if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
			UMockdevIoctlData *b = umockdev_ioctl_data_resolve(u,
			    G_STRUCT_OFFSET(struct usbdevfs_urb, buffer), (gsize)urb->buffer_length, NULL);
			int n = control(b->data, b->data + 8, (size_t)urb->buffer_length - 8);

			urb->status = n < 0 ? n : 0;
			urb->actual_length = n < 0 ? 0 : n;
			g_object_unref(b);
			dev.done = g_list_append(dev.done, u);
		} else if (urb->type == USBDEVFS_URB_TYPE_INTERRUPT && urb->endpoint == 0x81) {
			dev.intr = u;
			deliver_interrupt();
		} else {
			g_object_unref(u);
			umockdev_ioctl_client_complete(client, -1, EINVAL);
			break;
		}
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY: {
		UMockdevIoctlData *ptr;
		UMockdevIoctlData *u;

		deliver_interrupt();
		if (dev.unplugged && dev.intr != NULL) {
			/* the kernel ends a pending URB of a vanished device so */
			((struct usbdevfs_urb *)dev.intr->data)->status = -ENODEV;
			dev.done = g_list_append(dev.done, dev.intr);
			dev.intr = NULL;
		}
		if (dev.done == NULL) {
			umockdev_ioctl_client_complete(client, -1, EAGAIN);
			break;
		}
		u = dev.done->data;
		dev.done = g_list_delete_link(dev.done, dev.done);
		ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
		umockdev_ioctl_data_set_ptr(ptr, 0, u);
		g_object_unref(ptr);
		g_object_unref(u);
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_DISCARDURB:
		if (dev.intr != NULL) {
			struct usbdevfs_urb *urb = (struct usbdevfs_urb *)dev.intr->data;

			urb->status = -ENOENT;
			urb->actual_length = 0;
			dev.done = g_list_append(dev.done, dev.intr);
			dev.intr = NULL;
			umockdev_ioctl_client_complete(client, 0, 0);
		} else {
			umockdev_ioctl_client_complete(client, -1, EINVAL);
		}
		break;
	default:
		pthread_mutex_unlock(&dev.lock);
		return FALSE;
	}
	pthread_mutex_unlock(&dev.lock);
	return TRUE;
}

/* The device, configuration, interface, HID and endpoint descriptors. */
static const char descriptors[] =
	"120100020000000864070105010001020301"	/* device 0764:0501, strings 1 2 3 */
	"09022200010100a032"			/* configuration, 34 bytes */
	"090400000103000000"			/* interface 0: HID */
	"09211001000122b701"			/* HID: a 439-byte report descriptor */
	"0705810308000a";			/* endpoint 0x81: interrupt IN, 8 bytes */

/* read() of the device node: the descriptors, as usbdevfs gives them. */
static gboolean
handle_read(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer unused)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	size_t n = strlen(descriptors) / 2;
	uint8_t bin[64];

	(void)base;
	(void)unused;
	for (size_t i = 0; i < n; i++)
		sscanf(descriptors + 2 * i, "%2hhx", &bin[i]);
	if ((size_t)arg->data_len < n)
		n = (size_t)arg->data_len;
	memcpy(arg->data, bin, n);
	umockdev_ioctl_client_complete(client, (glong)n, 0);
	return TRUE;
}

/*
 * The device in sysfs as number devnum on bus 1; its node's contents are
 * the descriptors, as a read of a usbdevfs node gives them (the reopen
 * helper compares them with sysfs).
 */
static void
add_device(unsigned devnum)
{
	char *dev_text, hex[sizeof(descriptors)];

	for (size_t i = 0; i < sizeof(descriptors); i++)
		hex[i] = (char)toupper((unsigned char)descriptors[i]);
	dev_text = g_strdup_printf(
	    "P: /devices/pci0000:00/usb1/1-1\n"
	    "N: bus/usb/001/%03u=%s\n"
	    "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
	    "E: BUSNUM=001\nE: DEVNUM=%03u\nE: DEVNAME=/dev/bus/usb/001/%03u\n"
	    "A: busnum=1\\n\nA: devnum=%u\\n\nA: bConfigurationValue=1\\n\nA: speed=12\\n\n"
	    "A: idVendor=0764\\n\nA: idProduct=0501\\n\n"
	    "A: manufacturer=CPS\\n\nA: product=CP1500PFCLCD\\n\nA: serial=CXXNT2000123\\n\n"
	    "H: descriptors=%s\n", devnum, hex, devnum, devnum, devnum, descriptors);
	CHECK(umockdev_testbed_add_from_string(tb, dev_text, NULL));
	g_free(dev_text);
}

/* The root hub the UPS hangs off: as in real sysfs, /sys/bus/usb/devices
 * then never goes away when the UPS is unplugged. Not HID: never matched. */
static const char roothub[] =
	"P: /devices/pci0000:00/usb1\n"
	"E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
	"E: BUSNUM=001\nE: DEVNUM=001\n"
	"A: busnum=1\\n\nA: devnum=1\\n\nA: bConfigurationValue=1\\n\nA: speed=480\\n\n"
	"A: idVendor=1d6b\\n\nA: idProduct=0002\\n\n"
	"H: descriptors=12010002090001406b1d020000010302010109021900010100e0000904000001090000000705810304000c\n";

static void
setup_testbed(UMockdevIoctlBase *handler)
{
	CHECK(umockdev_testbed_add_from_string(tb, roothub, NULL));
	CHECK(umockdev_testbed_attach_ioctl(tb, DEVNODE, handler, NULL));
	add_device(2);
}

static char status[128], charge[16];

static void
sink_set(void *ctx, const char *name, const char *value, int rw)
{
	(void)ctx;
	(void)rw;
	if (strcmp(name, "battery.charge") == 0)
		snprintf(charge, sizeof(charge), "%s", value);
}

static void
sink_status(void *ctx, const char *const *tok, size_t n, const char *const *al, size_t na)
{
	size_t at = 0;

	(void)ctx;
	(void)al;
	(void)na;
	status[0] = '\0';
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(status + at, sizeof(status) - at, "%s%s", i ? " " : "", tok[i]);
}

static void
run(void)
{
	const struct hv_sink sink = { NULL, sink_set, sink_status };
	const char *vals[UM_N] = { 0 };
	struct usb_matcher m;
	struct usb_transport *t;
	struct hdev h;
	struct hvars *v;
	char err[256];
	uint8_t buf[64];
	int n = 0;

	TEST_CASE("libusb: a vendorid/serial that matches nothing is refused");
	vals[UM_VENDORID] = "051d";
	CHECK(usbm_init(&m, vals, err, sizeof(err)) == 0);
	CHECK(usbt_usb_open("auto", &m, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no USB HID device matches") != NULL);
	usbm_free(&m);

	TEST_CASE("libusb: the emulated CyberPower is found by its ids and strings");
	vals[UM_VENDORID] = "0764";
	vals[UM_SERIAL] = "cxxnt.*";
	CHECK(usbm_init(&m, vals, err, sizeof(err)) == 0);
	t = usbt_usb_open("auto", &m, err, sizeof(err));
	usbm_free(&m);
	if (!CHECK(t != NULL)) {
		printf("# %s\n", err);
		return;
	}
	CHECK_STR(t->info.product, "CP1500PFCLCD");
	CHECK_STR(t->info.bus, "001");
	CHECK_STR(t->info.device, "002");

	TEST_CASE("libusb: descriptor by control transfer, reports by GET_REPORT");
	if (!CHECK(hdev_open(&h, t, hid_names_none, err, sizeof(err)) == 0)) {
		printf("# %s\n", err);
		t->ops->close(t);
		return;
	}
	CHECK_INT(h.desc->nfields, 53);
	v = hv_new(&h, subdriver_for(t->info.vendorid), 60, 120);
	CHECK(v != NULL && hv_update(v, &sink, 0) == 0);
	CHECK_STR(charge, "100");
	CHECK_STR(status, "OL");

	TEST_CASE("libusb: an instant command is a SET_REPORT");
	CHECK_INT(hv_instcmd(v, "test.battery.start.quick", NULL), 0);
	pthread_mutex_lock(&dev.lock);
	CHECK(dev.nsets >= 1 && strcmp(dev.sets[dev.nsets - 1], "14 01") == 0);
	pthread_mutex_unlock(&dev.lock);

	TEST_CASE("libusb: an interrupt report on endpoint 0x81 reaches ups.status");
	CHECK(t->ops->pollfds(t, (struct usbt_pollfd[4]){ { 0, 0 } }, 4) >= 1);
	pthread_mutex_lock(&dev.lock);
	dev.pending[0] = 0x0b;
	dev.pending[1] = 0x04;	/* AC lost, discharging */
	dev.pending_len = 2;
	pthread_mutex_unlock(&dev.lock);
	for (int i = 0; i < 100 && (n = t->ops->interrupt_read(t, buf, sizeof(buf))) == 0; i++)
		usleep(10000);
	CHECK_INT(n, 2);
	if (n > 0)
		hv_interrupt(v, &sink, hdev_interrupt(&h, buf, (size_t)n));
	CHECK_STR(status, "OB DISCHRG");

	hv_free(v);
	hdev_close(&h);
	t->ops->close(t);
}

/* A reopen helper (unconfined: the daemon test confines it) on one end of a
 * socketpair in a child whose log goes to logpath; the other end in *end. */
static pid_t
helper_child(int *end, const char *logpath)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		const char *vals[UM_N] = { [UM_VENDORID] = "0764" };
		struct usb_matcher m;
		char err[256];
		int devdir = openat(AT_FDCWD, "/dev/bus/usb", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int sysdir = openat(AT_FDCWD, "/sys/bus/usb/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (freopen(logpath, "w", stderr) == NULL || usbm_init(&m, vals, err, sizeof(err)) != 0)
			_exit(127);
		log_init("usb-reopen-test", 0, LOG_TO_STDERR);
		close(sv[0]);
		_exit(usbr_serve(sv[1], &m, devdir, sysdir, 0));
	}
	close(sv[1]);
	*end = sv[0];
	return pid;
}

/* The helper's exit status once end is closed or it exits by itself. */
static int
helper_exit(pid_t pid, struct msg_chan *c, int close_first)
{
	int st = -1;

	if (close_first) {
		msg_chan_free(c);
		c = NULL;
	}
	for (int i = 0; i < 50 && waitpid(pid, &st, WNOHANG) != pid; i++)
		usleep(100000);
	msg_chan_free(c);
	if (st == -1 && waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const char *sh(const char *cmd);

/* The reopen helper's search and its channel, on the emulated device. */
static void
run_helper(void)
{
	const char *vals[UM_N] = { 0 };
	char err[256], logpath[] = "/tmp/nutsec-reopen.XXXXXX", cmd[300];
	struct usb_devinfo info;
	struct usb_matcher m;
	struct msg_chan *c;
	struct msg msg;
	int devdir, sysdir, fd, end, logfd, got = 0;
	pid_t pid;

	TEST_CASE("reopen helper: finds the matched device in sysfs and opens its node");
	devdir = openat(AT_FDCWD, "/dev/bus/usb", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	sysdir = openat(AT_FDCWD, "/sys/bus/usb/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!CHECK(devdir >= 0 && sysdir >= 0))
		return;
	vals[UM_VENDORID] = "0764";
	vals[UM_SERIAL] = "cxxnt.*";
	CHECK(usbm_init(&m, vals, err, sizeof(err)) == 0);
	fd = usbr_find(&m, devdir, sysdir, &info, err, sizeof(err));
	if (!CHECK(fd >= 0))
		printf("# %s\n", err);
	else
		close(fd);
	CHECK_STR(info.bus, "001");
	CHECK_STR(info.device, "002");
	CHECK_STR(info.product, "CP1500PFCLCD");
	CHECK_INT((int)info.vendorid, 0x0764);
	usbm_free(&m);
	TEST_CASE("reopen helper: another section's device is not found");
	vals[UM_SERIAL] = "other";
	CHECK(usbm_init(&m, vals, err, sizeof(err)) == 0);
	CHECK_INT(usbr_find(&m, devdir, sysdir, &info, err, sizeof(err)), -ENODEV);
	CHECK(strstr(err, "no USB HID device matches") != NULL);
	usbm_free(&m);
	close(devdir);
	close(sysdir);

	if ((logfd = mkstemp(logpath)) < 0)
		return;
	close(logfd);
	TEST_CASE("reopen helper: a reopen request is answered with the device's fd");
	if (!CHECK((pid = helper_child(&end, logpath)) > 0))
		return;
	c = msg_chan_new(end, usbr_driver_types, usbr_ndriver_types, (uint32_t)getpid(), "helper");
	CHECK(msg_send(c, USBR_REOPEN, NULL, 0, -1) == 0 && msg_flush(c) == 1);
	for (int i = 0; i < 50 && !got; i++) {
		if (msg_read(c) > 0 && msg_get(c, &msg) == 1)
			got = 1;
		else
			usleep(100000);
	}
	if (CHECK(got) && CHECK(msg.type == USBR_DEVICE) && CHECK(msg.fd >= 0)) {
		struct usbr_device where;

		memcpy(&where, msg.data, sizeof(where));
		CHECK_INT((int)where.busnum, 1);
		CHECK_INT((int)where.devnum, 2);
		close(msg.fd);
	}
	TEST_CASE("reopen helper: a message of another type ends it, logged");
	CHECK(msg_send(c, 7, NULL, 0, -1) == 0 && msg_flush(c) == 1);
	CHECK_INT(helper_exit(pid, c, 0), 1);
	snprintf(cmd, sizeof(cmd), "cat %s", logpath);
	if (!CHECK(strstr(sh(cmd), "refusing the driver's channel") != NULL))
		printf("# %s\n", sh(cmd));

	TEST_CASE("reopen helper: a reopen request with a payload ends it, logged");
	if (!CHECK((pid = helper_child(&end, logpath)) > 0))
		return;
	c = msg_chan_new(end, usbr_driver_types, usbr_ndriver_types, (uint32_t)getpid(), "helper");
	CHECK(msg_send(c, USBR_REOPEN, "/etc", 4, -1) == 0 && msg_flush(c) == 1);
	CHECK_INT(helper_exit(pid, c, 0), 1);
	CHECK(strstr(sh(cmd), "refusing the driver's channel") != NULL);

	TEST_CASE("reopen helper: the driver's end closing ends it quietly");
	if (!CHECK((pid = helper_child(&end, logpath)) > 0))
		return;
	c = msg_chan_new(end, usbr_driver_types, usbr_ndriver_types, (uint32_t)getpid(), "helper");
	CHECK_INT(helper_exit(pid, c, 1), 0);
	unlink(logpath);
}

/* The driver binary itself on the emulated device: --dump in a child process. */
static void
run_binary(void)
{
	char cmd[1024], line[512];
	int got_charge = 0, field = 0, status_ok = 0, model = 0;
	FILE *p;

	TEST_CASE("usbhid-ups --dump on the emulated device, in its own process");
	snprintf(cmd, sizeof(cmd), "%s/drivers/usbhid/usbhid-ups --dump -x vendorid=0764 "
	    "-x 'product=cp1500.*' 2>&1", TOP_BUILDDIR);
	if (!CHECK((p = popen(cmd, "r")) != NULL))
		return;
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		got_charge |= strcmp(line, "battery.charge: 100") == 0;
		field |= strcmp(line, "UPS.PowerSummary.RemainingCapacity Input 0x08 0 8 100") == 0;
		status_ok |= strcmp(line, "ups.status: OL") == 0;
		model |= strcmp(line, "device.model: CP1500PFCLCD") == 0;
	}
	CHECK_INT(pclose(p), 0);
	CHECK(got_charge);
	CHECK(field);
	CHECK(status_ok);
	CHECK(model);
}

/* Runs a shell command, returns its output (static buffer). */
static const char *
sh(const char *cmd)
{
	static char out[16384];
	size_t n = 0;
	FILE *p = popen(cmd, "r");

	out[0] = '\0';
	if (p == NULL)
		return out;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

/* The driver daemon, sandboxed, on the emulated device; its socket read
 * with tests/integration/drvclient.py as upsd would. */
static void
run_daemon(void)
{
	char dir[] = "/tmp/nutsec-umock.XXXXXX", cmd[2048], sock[256], proc[64], cmd_dump[600];
	const char *out;
	pid_t pid, helper = -1;
	int up = 0, seen = 0;

	/* SANDBOX_ACTION=trap (as the integration suite's check-sandbox-trap sets
	 * it) names any refused syscall of the driver or its helper in the log */
	TEST_CASE("usbhid-ups serving, sandboxed, on the emulated device");
	if (getuid() != 0) {
		printf("# not root: the driver cannot drop to nut; skipped\n");
		return;
	}
	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(cmd, sizeof(cmd),
	    "cd %s && chmod 0755 . && mkdir etc state && chown root:nut etc state && "
	    "chmod 0750 etc && chmod 0770 state && "
	    "printf '[cp]\\n\\tdriver = usbhid-ups\\n\\tport = auto\\n\\tvendorid = 0764\\n"
	    "\\tpollinterval = 30\\n\\tsandbox = %s\\n' > etc/ups.conf && chown root:nut etc/ups.conf && "
	    "chmod 0640 etc/ups.conf", dir,
	    getenv("SANDBOX_ACTION") != NULL ? getenv("SANDBOX_ACTION") : "kill");
	CHECK(system(cmd) == 0);
	snprintf(sock, sizeof(sock), "%s/state/usbhid-ups-cp", dir);
	snprintf(cmd_dump, sizeof(cmd_dump), "python3 %s/tests/integration/drvclient.py %s DUMPALL",
	    TOP_SRCDIR, sock);
	fflush(stdout);	/* the child must not repeat the TAP lines buffered so far */
	if ((pid = fork()) == 0) {
		char conf[128], state[128], log[160];

		snprintf(conf, sizeof(conf), "%s/etc", dir);
		snprintf(state, sizeof(state), "%s/state", dir);
		snprintf(log, sizeof(log), "%s/driver.log", dir);
		setenv("NUT_CONFPATH", conf, 1);
		setenv("NUT_STATEPATH", state, 1);
		setenv("NUT_ALTPIDPATH", state, 1);
		setenv("NUT_PIDPATH", state, 1);
		/* the reopened device's fd gets umockdev's ioctls (usbfd_twin.c) */
		snprintf(cmd, sizeof(cmd), "%s/tests/unit/usbfd_twin.so %s", TOP_BUILDDIR,
		    getenv("LD_PRELOAD"));
		setenv("LD_PRELOAD", cmd, 1);
		setenv("USBFD_TWIN", DEVNODE, 1);
		if (freopen(log, "w", stdout) == NULL || dup2(fileno(stdout), 2) == -1)
			_exit(127);
		snprintf(cmd, sizeof(cmd), "%s/drivers/usbhid/usbhid-ups", TOP_BUILDDIR);
		execl(cmd, "usbhid-ups", "-a", "cp", "-F", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && !up; i++) {
		up = access(sock, F_OK) == 0;
		if (!up)
			usleep(100000);
	}
	if (!CHECK(up)) {
		snprintf(cmd, sizeof(cmd), "cat %s/driver.log", dir);
		printf("# %s\n", sh(cmd));
		goto out;
	}
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/integration/drvclient.py %s DUMPALL",
	    TOP_SRCDIR, sock);
	out = sh(cmd);
	CHECK(strstr(out, "SETINFO battery.charge \"100\"") != NULL);
	CHECK(strstr(out, "SETINFO ups.status \"OL\"") != NULL);
	CHECK(strstr(out, "SETINFO driver.version.usb \"libusb-1.0.") != NULL);
	snprintf(proc, sizeof(proc), "/proc/%d/status", (int)pid);
	snprintf(cmd, sizeof(cmd), "grep -E '^(Seccomp|NoNewPrivs|CapEff|Uid):' %s", proc);
	out = sh(cmd);
	CHECK(strstr(out, "Seccomp:\t2") != NULL);
	CHECK(strstr(out, "NoNewPrivs:\t1") != NULL);
	CHECK(strstr(out, "CapEff:\t0000000000000000") != NULL);
	CHECK(strstr(out, "Uid:\t0") == NULL);

	/* a command through the socket reaches the device */
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/integration/drvclient.py %s "
	    "'INSTCMD beeper.disable'", TOP_SRCDIR, sock);
	(void)sh(cmd);
	for (int i = 0; i < 50 && !seen; i++) {
		pthread_mutex_lock(&dev.lock);
		seen = dev.nsets > 0 && strcmp(dev.sets[dev.nsets - 1], "0c 01") == 0;
		pthread_mutex_unlock(&dev.lock);
		if (!seen)
			usleep(100000);
	}
	CHECK(seen);

	/* an interrupt report changes ups.status before any poll */
	pthread_mutex_lock(&dev.lock);
	dev.pending[0] = 0x0b;
	dev.pending[1] = 0x0c;	/* on battery, below the capacity limit */
	dev.pending_len = 2;
	pthread_mutex_unlock(&dev.lock);
	seen = 0;
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/integration/drvclient.py %s DUMPALL",
	    TOP_SRCDIR, sock);
	for (int i = 0; i < 50 && !seen; i++) {
		seen = strstr(sh(cmd), "SETINFO ups.status \"OB DISCHRG LB\"") != NULL;
		if (!seen)
			usleep(100000);
	}
	if (!CHECK(seen)) {
		printf("# %s\n", sh(cmd));
		snprintf(cmd, sizeof(cmd), "cat %s/driver.log", dir);
		printf("# %s\n", sh(cmd));
	}
	snprintf(cmd, sizeof(cmd), "grep -c 'is not allowed' %s/driver.log", dir);
	CHECK(strncmp(sh(cmd), "0", 1) == 0);	/* no syscall refused */

	TEST_CASE("the reopen helper: uid 0 without capabilities, no_new_privs, its own filter");
	snprintf(cmd, sizeof(cmd), "cat /proc/%d/task/%d/children", (int)pid, (int)pid);
	helper = (pid_t)atoi(sh(cmd));
	if (CHECK(helper > 0)) {
		snprintf(cmd, sizeof(cmd),
		    "grep -E '^(Seccomp|NoNewPrivs|CapEff|CapBnd|CapPrm|Uid):' /proc/%d/status",
		    (int)helper);
		out = sh(cmd);
		CHECK(strstr(out, "Uid:\t0\t0\t0\t0") != NULL);
		CHECK(strstr(out, "CapEff:\t0000000000000000") != NULL);
		CHECK(strstr(out, "CapPrm:\t0000000000000000") != NULL);
		CHECK(strstr(out, "CapBnd:\t0000000000000000") != NULL);
		CHECK(strstr(out, "NoNewPrivs:\t1") != NULL);
		CHECK(strstr(out, "Seccomp:\t2") != NULL);
		snprintf(cmd, sizeof(cmd), "grep -c 'usb-reopen: sandbox: .*seccomp filter "
		    "usb-reopen' %s/driver.log", dir);
		CHECK(strncmp(sh(cmd), "1", 1) == 0);
	}

	TEST_CASE("unplugged: the same process marks the data stale and asks the helper");
	pthread_mutex_lock(&dev.lock);
	dev.unplugged = 1;
	pthread_mutex_unlock(&dev.lock);
	umockdev_testbed_remove_device(tb, SYSPATH);
	snprintf(cmd, sizeof(cmd), "grep -c 'not back yet' %s/driver.log", dir);
	for (int i = 0; i < 100 && strncmp(sh(cmd), "0", 1) == 0; i++)
		usleep(100000);
	CHECK(strncmp(sh(cmd), "0", 1) != 0);
	CHECK(waitpid(pid, NULL, WNOHANG) == 0);	/* still running */
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/integration/drvclient.py %s DUMPALL",
	    TOP_SRCDIR, sock);
	CHECK(strstr(sh(cmd), "DATASTALE") != NULL);
	snprintf(cmd, sizeof(cmd), "grep -c 'the UPS is gone' %s/driver.log", dir);
	CHECK(strncmp(sh(cmd), "0", 1) != 0);

	TEST_CASE("replugged as device 003: the same sandboxed process serves again");
	pthread_mutex_lock(&dev.lock);
	dev.unplugged = 0;
	dev.pending_len = 0;
	pthread_mutex_unlock(&dev.lock);
	add_device(3);
	snprintf(cmd, sizeof(cmd), "python3 %s/tests/integration/drvclient.py %s DUMPALL",
	    TOP_SRCDIR, sock);
	seen = 0;
	for (int i = 0; i < 100 && !seen; i++) {
		out = sh(cmd);
		seen = strstr(out, "DATAOK") != NULL &&
		    strstr(out, "SETINFO battery.charge \"100\"") != NULL;
		if (!seen)
			usleep(100000);
	}
	if (!CHECK(seen)) {
		snprintf(cmd, sizeof(cmd), "cat %s/driver.log", dir);
		printf("# %s\n", sh(cmd));
	}
	CHECK(waitpid(pid, NULL, WNOHANG) == 0);
	snprintf(cmd, sizeof(cmd), "grep -c 'the UPS is back on bus 001 device 003' %s/driver.log",
	    dir);
	CHECK(strncmp(sh(cmd), "1", 1) == 0);
	snprintf(cmd, sizeof(cmd), "grep -E '^(Seccomp|NoNewPrivs|CapEff|Uid):' %s", proc);
	out = sh(cmd);
	CHECK(strstr(out, "Seccomp:\t2") != NULL);
	CHECK(strstr(out, "NoNewPrivs:\t1") != NULL);
	CHECK(strstr(out, "CapEff:\t0000000000000000") != NULL);
	CHECK(strstr(out, "Uid:\t0") == NULL);

	/* the interrupt transfer runs again on the reopened device */
	pthread_mutex_lock(&dev.lock);
	dev.pending[0] = 0x0b;
	dev.pending[1] = 0x04;	/* on battery, discharging */
	dev.pending_len = 2;
	pthread_mutex_unlock(&dev.lock);
	seen = 0;
	for (int i = 0; i < 50 && !seen; i++) {
		seen = strstr(sh(cmd_dump), "SETINFO ups.status \"OB DISCHRG\"") != NULL;
		if (!seen)
			usleep(100000);
	}
	CHECK(seen);
	snprintf(cmd, sizeof(cmd), "grep -c 'is not allowed' %s/driver.log", dir);
	CHECK(strncmp(sh(cmd), "0", 1) == 0);	/* no syscall refused */

	TEST_CASE("the helper ends with the driver");
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	pid = -1;
	seen = 0;
	for (int i = 0; i < 50 && !seen; i++) {
		seen = helper > 0 && kill(helper, 0) == -1 && errno == ESRCH;
		if (!seen)
			usleep(100000);
	}
	CHECK(seen);
out:
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)system(cmd);
}

int
main(int argc, char **argv)
{
	UMockdevIoctlBase *handler;
	char err[256];

	(void)argc;
	/* umockdev_in_mock_environment() is only true once a testbed exists */
	if (getenv("LD_PRELOAD") == NULL || strstr(getenv("LD_PRELOAD"), "umockdev-preload") == NULL) {
		execvp("umockdev-wrapper", (char *[]){ "umockdev-wrapper", argv[0], NULL });
		printf("1..0 # SKIP umockdev-wrapper: %s\n", strerror(errno));
		return 0;
	}
	if (rec_load(&dev.rec, REC, err, sizeof(err)) == -1) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	for (size_t i = dev.rec.nraws; i-- > 0;)
		dev.report[dev.rec.raws[i].id] = &dev.rec.raws[i];
	tb = umockdev_testbed_new();
	handler = umockdev_ioctl_base_new();
	g_signal_connect(handler, "handle-ioctl", G_CALLBACK(handle_ioctl), NULL);
	g_signal_connect(handler, "handle-read", G_CALLBACK(handle_read), NULL);
	TEST_CASE("umockdev: the emulated HID UPS is in place");
	setup_testbed(handler);
	run();
	run_helper();
	run_binary();
	run_daemon();
	g_object_unref(handler);
	g_object_unref(tb);
	rec_free(&dev.rec);
	return test_done();
}
