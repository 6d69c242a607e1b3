/*
 * nutsec - usb_reopen.c: the reopen helper of usbhid-ups (usb_reopen.h).
 *
 * Finding the device again reads sysfs only: for each entry of
 * /sys/bus/usb/devices that is a device (no ':' in its name) the binary
 * "descriptors" attribute gives the ids and tells whether interface 0 is
 * HID (as the first open's enumeration decides), the text attributes give
 * the strings, busnum and devnum; the kernel read the strings from the
 * device when it enumerated it, so no transfer is made here. The node
 * BBB/DDD is then opened beneath the kept /dev/bus/usb fd, and its first
 * 18 bytes (usbfs serves the device descriptor there) must be the device
 * descriptor sysfs showed: a node number reused by another device between
 * the walk and the open is refused.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"
#include "sandbox.h"
#include "usb_reopen.h"

#define SYS_USB_DEVICES	"/sys/bus/usb/devices"
#define SYS_DEVICES	"/sys/devices"	/* where those entries' links lead */
#define DEV_BUS_USB	"/dev/bus/usb"
#define DESC_MAX	4096
#define DEVDESC_LEN	18
#define FD_SWEEP_MAX	4096	/* descriptors closed in the helper at start */
#define ANSWER_GAP_MS	200	/* at most five sysfs walks and opens a second */

const struct msg_type usbr_helper_types[] = {
	{ USBR_REOPEN, "reopen", MSG_EXACT, 0, 0 },
};
const size_t usbr_nhelper_types = sizeof(usbr_helper_types) / sizeof(usbr_helper_types[0]);

const struct msg_type usbr_driver_types[] = {
	{ USBR_DEVICE, "device", MSG_EXACT, sizeof(struct usbr_device), 1 },
	{ USBR_FAIL, "fail", MSG_EXACT, sizeof(int32_t), 0 },
};
const size_t usbr_ndriver_types = sizeof(usbr_driver_types) / sizeof(usbr_driver_types[0]);

/* Reads name/attr beneath sysdir into buf (at most cap - 1 bytes, NUL added). Bytes or -1. */
static ssize_t
sys_read(int sysdir, const char *name, const char *attr, void *buf, size_t cap)
{
	char rel[320];
	ssize_t n;
	int fd;

	if (snprintf(rel, sizeof(rel), "%s/%s", name, attr) >= (int)sizeof(rel))
		return -1;
	if ((fd = openat(sysdir, rel, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	(void)close(fd);
	if (n >= 0)
		((char *)buf)[n] = '\0';
	return n;
}

/* A text attribute without its newline ("" when absent). */
static void
sys_text(int sysdir, const char *name, const char *attr, char *buf, size_t cap)
{
	if (sys_read(sysdir, name, attr, buf, cap) < 0)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* 1 if interface 0, alternate setting 0, of the configuration descriptors is HID. */
static int
iface0_is_hid(const uint8_t *d, size_t len)
{
	for (size_t i = DEVDESC_LEN; i + 1 < len && d[i] >= 2; i += d[i]) {
		if (i + d[i] > len)
			break;
		if (d[i + 1] == 4 && d[i] >= 9 && d[i + 2] == 0 && d[i + 3] == 0)
			return d[i + 5] == 3;
	}
	return 0;
}

/* One sysfs device: 1 and info/devdesc if it is a HID device, else 0. */
static int
read_device(int sysdir, const char *name, struct usb_devinfo *info, uint8_t devdesc[DEVDESC_LEN])
{
	uint8_t d[DESC_MAX + 1];
	char num[16];
	ssize_t n = sys_read(sysdir, name, "descriptors", d, sizeof(d));
	long v;

	if (n < DEVDESC_LEN || d[1] != 1 || !iface0_is_hid(d, (size_t)n))
		return 0;
	memset(info, 0, sizeof(*info));
	memcpy(devdesc, d, DEVDESC_LEN);
	info->vendorid = (unsigned)(d[8] | d[9] << 8);
	info->productid = (unsigned)(d[10] | d[11] << 8);
	info->bcddevice = (unsigned)(d[12] | d[13] << 8);
	sys_text(sysdir, name, "manufacturer", info->vendor, sizeof(info->vendor));
	sys_text(sysdir, name, "product", info->product, sizeof(info->product));
	sys_text(sysdir, name, "serial", info->serial, sizeof(info->serial));
	sys_text(sysdir, name, "busnum", num, sizeof(num));
	if ((v = strtol(num, NULL, 10)) <= 0 || v > 999)
		return 0;
	snprintf(info->bus, sizeof(info->bus), "%03ld", v);
	sys_text(sysdir, name, "devnum", num, sizeof(num));
	if ((v = strtol(num, NULL, 10)) <= 0 || v > 999)
		return 0;
	snprintf(info->device, sizeof(info->device), "%03ld", v);
	return 1;
}

int
usbr_find(const struct usb_matcher *m, int devdir, int sysdir, struct usb_devinfo *info,
    char *err, size_t errlen)
{
	uint8_t want[DEVDESC_LEN], got[DEVDESC_LEN];
	struct dirent *e;
	char rel[40];
	DIR *dir;
	int dfd, fd, found = 0;

	if ((dfd = openat(sysdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (dir = fdopendir(dfd)) == NULL) {
		int saved = errno;

		if (dfd >= 0)
			(void)close(dfd);
		snprintf(err, errlen, "%s: %s", SYS_USB_DEVICES, strerror(saved));
		return -saved;
	}
	while (!found && (e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.' || strchr(e->d_name, ':') != NULL)
			continue;
		found = read_device(sysdir, e->d_name, info, want) && usbm_match(m, info);
	}
	(void)closedir(dir);
	if (!found) {
		snprintf(err, errlen, "no USB HID device matches this section");
		return -ENODEV;
	}
	snprintf(rel, sizeof(rel), "%s/%s", info->bus, info->device);
	if ((fd = openat(devdir, rel, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		int saved = errno;

		snprintf(err, errlen, "%s/%s: %s", DEV_BUS_USB, rel, strerror(saved));
		return -saved;
	}
	if (pread(fd, got, sizeof(got), 0) != (ssize_t)sizeof(got) ||
	    memcmp(got, want, sizeof(got)) != 0) {
		(void)close(fd);
		snprintf(err, errlen, "%s/%s: not the device sysfs describes (replugged meanwhile?)",
		    DEV_BUS_USB, rel);
		return -EAGAIN;
	}
	return fd;
}

/* Sends what is queued, waiting while the socket is full. 0 or -1. */
static int
flush_all(struct msg_chan *c)
{
	int r;

	while ((r = msg_flush(c)) == 0) {
		struct pollfd p = { msg_chan_fd(c), POLLOUT, 0 };

		if (poll(&p, 1, 5000) <= 0 && errno != EINTR)
			return -1;
	}
	return r == 1 ? 0 : -1;
}

/* However fast a (compromised) driver asks, the helper walks and opens at a bounded rate. */
static void
pace(void)
{
	static struct timespec last;
	struct timespec now;
	long gap_ms;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	gap_ms = (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000;
	if (last.tv_sec != 0 && gap_ms >= 0 && gap_ms < ANSWER_GAP_MS) {
		struct timespec wait = { 0, (ANSWER_GAP_MS - gap_ms) * 1000000L };

		(void)nanosleep(&wait, NULL);
		(void)clock_gettime(CLOCK_MONOTONIC, &now);
	}
	last = now;
}

static int
answer(struct msg_chan *c, const struct usb_matcher *m, int devdir, int sysdir)
{
	struct usb_devinfo info;
	char err[256];
	int fd;

	pace();
	fd = usbr_find(m, devdir, sysdir, &info, err, sizeof(err));

	if (fd >= 0) {
		struct usbr_device dev = {
			(uint32_t)strtoul(info.bus, NULL, 10), (uint32_t)strtoul(info.device, NULL, 10)
		};

		log_info("usb-reopen: passing %s/%s/%s (%04x:%04x) to the driver", DEV_BUS_USB,
		    info.bus, info.device, info.vendorid, info.productid);
		if (msg_send(c, USBR_DEVICE, &dev, sizeof(dev), fd) != 0)
			return -1;
	} else {
		int32_t code = -fd;

		log_debug("usb-reopen: %s", err);
		if (msg_send(c, USBR_FAIL, &code, sizeof(code), -1) != 0)
			return -1;
	}
	return flush_all(c);
}

int
usbr_serve(int fd, const struct usb_matcher *m, int devdir, int sysdir, pid_t parent)
{
	struct msg_chan *c = msg_chan_new(fd, usbr_helper_types, usbr_nhelper_types,
	    (uint32_t)getpid(), "usbhid-ups");
	int rc = -1;

	if (c == NULL) {
		(void)close(fd);
		return 1;
	}
	if (parent > 0)
		msg_expect_peer(c, (uint32_t)parent);
	while (rc < 0) {
		struct pollfd p = { fd, POLLIN, 0 };
		struct msg msg;
		ssize_t n;
		int r;

		if (parent > 0 && getppid() != parent) {
			rc = 0;
			break;
		}
		if (poll(&p, 1, -1) < 0 && errno != EINTR) {
			log_warn("usb-reopen: poll");
			rc = 1;
			break;
		}
		if ((n = msg_read(c)) == 0) {
			rc = 0;		/* the driver is gone */
			break;
		}
		if (n < 0 && errno == EAGAIN && msg_error(c)[0] == '\0')
			continue;
		while ((r = msg_get(c, &msg)) == 1)
			if (answer(c, m, devdir, sysdir) != 0) {
				r = -1;
				break;
			}
		if (r < 0 || n < 0) {
			log_warnx("usb-reopen: refusing the driver's channel: %s; exiting",
			    msg_error(c)[0] != '\0' ? msg_error(c) : "cannot answer");
			rc = 1;
		}
	}
	msg_chan_free(c);
	return rc;
}

/* Everything but stdio and the channel goes: the driver's device, sockets, pipes. */
static int
close_others(int keep)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > FD_SWEEP_MAX)
		max = FD_SWEEP_MAX;
	for (int fd = STDERR_FILENO + 1; fd < max; fd++)
		if (fd != keep)
			(void)close(fd);
	return 0;
}

/* The child: confine, then serve. Its exit status. */
static int
helper_main(int ch, const struct usb_matcher *m, const char *action, pid_t parent)
{
	struct sandbox_opts so;
	int devdir, sysdir;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent)
		return 0;
	(void)signal(SIGINT, SIG_IGN);	/* the driver decides; its end ends us */
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);
	daemon_detach_stdio();
	(void)close_others(ch);
	memset(&so, 0, sizeof(so));
	so.flags = SB_F_SYSLOG;
	if (sandbox_parse_action(action, &so.action) != 0)
		so.action = SB_ACTION_KILL;
	if ((devdir = openat(AT_FDCWD, DEV_BUS_USB, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (sysdir = openat(AT_FDCWD, SYS_USB_DEVICES, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_warn("usb-reopen: %s", devdir < 0 ? DEV_BUS_USB : SYS_USB_DEVICES);
		return 1;
	}
	if (sandbox_allow_rw_fd(&so, devdir) != 0 ||
	    sandbox_allow_read_fd(&so, sysdir) != 0 ||
	    sandbox_allow_read(&so, SYS_DEVICES) != 0) {
		log_warn("usb-reopen: landlock paths");
		return 1;
	}
	if (sandbox_confine(SB_ROLE_USB_REOPEN, &so, "usb-reopen: ") != 0)
		return 1;
	return usbr_serve(ch, m, devdir, sysdir, parent);
}

struct msg_chan *
usbr_start(const struct usb_matcher *m, const char *action, pid_t *pid, char *err,
    size_t errlen)
{
	pid_t parent = getpid();
	struct msg_chan *c;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(err, errlen, "reopen helper: socketpair: %s", strerror(errno));
		return NULL;
	}
	fflush(NULL);
	if ((*pid = fork()) < 0) {
		snprintf(err, errlen, "reopen helper: fork: %s", strerror(errno));
		(void)close(sv[0]);
		(void)close(sv[1]);
		return NULL;
	}
	if (*pid == 0) {
		(void)close(sv[0]);
		_exit(helper_main(sv[1], m, action, parent));
	}
	(void)close(sv[1]);
	if ((c = msg_chan_new(sv[0], usbr_driver_types, usbr_ndriver_types, (uint32_t)parent,
	    "usb-reopen")) == NULL) {
		snprintf(err, errlen, "reopen helper: bad message table");
		(void)close(sv[0]);
		return NULL;
	}
	msg_expect_peer(c, (uint32_t)*pid);
	return c;
}
