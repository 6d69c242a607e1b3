/*
 * nutsec - usbfd_twin.c: an LD_PRELOAD shim for test_usbhid_libusb, put in
 * front of umockdev's preload library in the driver it starts.
 *
 * umockdev emulates a device node's ioctls only on a descriptor its own
 * open() returned in the same process: the fd usbhid-ups's reopen helper
 * opens and passes (SCM_RIGHTS) arrives in the driver as a plain file of the
 * testbed, whose ioctls would go to the kernel. So this shim, while the
 * driver is still root and unconfined (a constructor), opens "twins" of the
 * device node through umockdev when USBFD_TWIN names it; each descriptor
 * received later by recvmsg() whose first 18 bytes (the device descriptor,
 * as usbfs serves it) equal the twin's is closed and a twin's number put in
 * its place. What the helper found, opened and passed is thereby still
 * checked; only the ioctl path is umockdev's.
 *
 * Also, umockdev's openat() asks getcwd() for a relative path, with every
 * signal blocked; the reopen helper's filter has no getcwd (nothing of it
 * needs one), so a refusal there would kill it without a word. A relative
 * openat() on a directory fd needs no redirection (the fd already points
 * into the testbed), so in a process under a filter it goes straight to
 * the kernel; so does readlink() of /proc (libusb_wrap_sys_device asks
 * /proc/self/fd for the device's path; umockdev would first access() a
 * file of its own, which no filter of ours allows; the kernel's answer is
 * the driver-usb filter's EACCES, as outside the test). Nothing here
 * runs outside that test (USBFD_TWIN unset: the shim does nothing).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TWINS 4
#define DEVDESC 18

static int twin[TWINS] = { -1, -1, -1, -1 };
static unsigned char twin_desc[DEVDESC];
static int ntwins, next_twin, active;

__attribute__((constructor)) static void
twins_open(void)
{
	const char *node = getenv("USBFD_TWIN");

	if (node == NULL)
		return;
	active = 1;
	for (ntwins = 0; ntwins < TWINS; ntwins++)
		if ((twin[ntwins] = open(node, O_RDWR | O_CLOEXEC)) < 0)
			break;
	/* umockdev answers a read of the node with the descriptors */
	if (ntwins > 0 && read(twin[0], twin_desc, sizeof(twin_desc)) != (ssize_t)sizeof(twin_desc))
		ntwins = 0;
}

static void
swap_in_twin(int *fd)
{
	unsigned char got[DEVDESC];

	if (next_twin >= ntwins ||
	    read(*fd, got, sizeof(got)) != (ssize_t)sizeof(got) ||
	    memcmp(got, twin_desc, sizeof(got)) != 0)
		return;
	(void)close(*fd);
	*fd = twin[next_twin++];
}

ssize_t
recvmsg(int sock, struct msghdr *mh, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);
	struct cmsghdr *c;
	ssize_t n;

	if (real == NULL)
		real = (ssize_t (*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
	n = real(sock, mh, flags);
	if (n <= 0 || ntwins == 0)
		return n;
	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			swap_in_twin(&fd);
			memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof(fd));
		}
	}
	return n;
}

static int
openat_common(const char *name, int dirfd, const char *path, int flags, mode_t mode)
{
	int (*real)(int, const char *, int, ...);

	/* only in a confined process: the helper (the driver starts unconfined) */
	if (active && dirfd != AT_FDCWD && path[0] != '/' && prctl(PR_GET_SECCOMP) == 2)
		return (int)syscall(SYS_openat, dirfd, path, flags, mode);
	real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, name);
	return real(dirfd, path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return openat_common("openat", dirfd, path, flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return openat_common("openat64", dirfd, path, flags, mode);
}

ssize_t
readlink(const char *path, char *buf, size_t cap)
{
	ssize_t (*real)(const char *, char *, size_t);

	if (active && strncmp(path, "/proc/", 6) == 0 && prctl(PR_GET_SECCOMP) == 2)
		return (ssize_t)syscall(SYS_readlink, path, buf, cap);
	real = (ssize_t (*)(const char *, char *, size_t))dlsym(RTLD_NEXT, "readlink");
	return real(path, buf, cap);
}
