/*
 * nutsec - policy.c: every role's seccomp policy, side by side. First the
 * roles themselves (sb_roles[]: how each is filtered and why), then the
 * allow-lists, one { syscall, roles, flag, argument constraints, reason }
 * entry per line, grouped by what the process is doing (event loop, memory,
 * time, logging, sockets, files for reload, TLS/NSS, driver I/O, the
 * parent channel, exit). The role columns are U (upsd), D (driver), N
 * (driver-net), B (driver-usb, libusB), M (upsmon-net), L (upslog,
 * which is upsmon-net's network half plus appending to its log files) and
 * R (usb-reopen, usbhid-ups's helper that Reopens the device); a
 * flag column
 * other than 0 means the entry only exists when the process asked for that
 * feature (SB_F_TLS, SB_F_RELOAD, SB_F_SYSLOG). Argument allow-lists are
 * the named arrays at the top. The lists were taken from strace of upsd and
 * dummy-ups through the integration suite, keeping only what happens after
 * the sandbox point (the event loop, reload, exit); each entry says which
 * code makes the call. Anything not listed is refused with the role's
 * action (kill by default). The roles that run programs (upsmon-parent,
 * upsmon-notify, upssched) have no allow-list: the filter is inherited by
 * the program they exec, which no list of ours could describe, so for them
 * only the deny list at the end applies. The deny list says per role what
 * must never be allowed and stays fatal even in log mode; exec and fork
 * stay on it for every role that has no reason to run a program. seccomp.c
 * turns these tables into a filter; nothing else here knows about
 * libseccomp.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <linux/usbdevice_fs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "policy.h"

/* Sanitizer builds (configure --enable-sanitizers) need a few more calls. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SB_SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SB_SANITIZER_BUILD 1
#endif
#endif

#define U SB_R_UPSD
#define D SB_R_DRV
#define N SB_R_NET
#define B SB_R_USB
#define M SB_R_MNET
#define L SB_R_LOG
#define R SB_R_UREO
#define DRV SB_R_DRIVERS
/* In the allow-lists: every role that has one (the exec roles have none). */
#define ALL SB_R_ALLOWLIST

#define TLS SB_F_TLS
#define RELOAD SB_F_RELOAD
#define SYSLOG SB_F_SYSLOG

#define NV(x) { (uint64_t)(x), #x }
#define VALSET(var, ...) \
	static const struct sb_value var##_v[] = { __VA_ARGS__ }; \
	static const struct sb_valset var = { #var, var##_v, \
	    sizeof(var##_v) / sizeof(var##_v[0]) }

#define INT32 0xffffffffu
/* Constraints: an int argument in a named set, or some bits clear. */
#define IN(arg, set) { SB_C_IN, (arg), INT32, &(set) }
#define IN_MASKED(arg, mask, set) { SB_C_IN, (arg), (mask), &(set) }
#define CLEAR(arg, bits) { SB_C_CLEAR, (arg), (uint64_t)(bits), NULL }
#define ANY { SB_C_NONE, 0, 0, NULL }

/* ---- named argument allow-lists ---- */

/* socket(): domains, and the type without SOCK_NONBLOCK/SOCK_CLOEXEC. */
VALSET(socket_unix, NV(AF_UNIX));
VALSET(socket_inet, NV(AF_INET), NV(AF_INET6));
VALSET(socket_stream, NV(SOCK_STREAM));
VALSET(socket_dgram, NV(SOCK_DGRAM));
#define SOCK_TYPE_MASK (INT32 & ~(uint64_t)(SOCK_NONBLOCK | SOCK_CLOEXEC))

/* fcntl(): flag and close-on-exec handling; sqlite's non-blocking record locks. */
VALSET(fcntl_flags, NV(F_GETFL), NV(F_SETFL), NV(F_GETFD), NV(F_SETFD));
VALSET(fcntl_locks, NV(F_GETLK), NV(F_SETLK));
VALSET(fcntl_dup, NV(F_DUPFD_CLOEXEC));

/* setsockopt(): levels and the options each may set. */
VALSET(sol_socket, NV(SOL_SOCKET));
VALSET(sol_tcp, NV(IPPROTO_TCP));
VALSET(upsd_socket_opts, NV(SO_SNDBUF), NV(SO_LINGER));
VALSET(tcp_opts, NV(TCP_NODELAY));
VALSET(getsockopt_opts, NV(SO_ERROR));

/* madvise(): giving memory back, nothing else. */
VALSET(madvise_advice, NV(MADV_DONTNEED), NV(MADV_FREE));

/* prctl(): reading back the process's own state (sandbox_describe). */
VALSET(prctl_get, NV(PR_GET_NO_NEW_PRIVS), NV(PR_GET_SECCOMP), NV(PR_CAPBSET_READ));

/* ioctl() on a client socket: the bytes the kernel has not sent yet. */
VALSET(upsd_ioctls, NV(SIOCOUTQ));

/*
 * ioctl() on an open usbdevfs fd: the transfers libusb makes once the device
 * is claimed, and what libusb_wrap_sys_device and claiming make on the fd
 * the usb-reopen helper passes after an unplug or a reset (the device is
 * then set up again inside the sandbox; the first time it is before).
 */
VALSET(usbdevfs_ioctls,
    NV(USBDEVFS_SUBMITURB),		/* every control/interrupt transfer */
    NV(USBDEVFS_REAPURBNDELAY),		/* collecting a finished transfer */
    NV(USBDEVFS_DISCARDURB),		/* cancelling a timed-out transfer */
    NV(USBDEVFS_CLEAR_HALT),		/* recovering a stalled interrupt endpoint */
    NV(USBDEVFS_RELEASEINTERFACE),	/* libusb_release_interface at exit and before a reopen */
    NV(USBDEVFS_CONNECTINFO),		/* wrapping a passed fd: its device address */
    NV(USBDEVFS_GET_SPEED),		/* wrapping: the speed, with no sysfs to read it from */
    NV(USBDEVFS_CONTROL),		/* wrapping: GET_CONFIGURATION, the active configuration */
    NV(USBDEVFS_GET_CAPABILITIES),	/* wrapping: what this usbfs supports */
    NV(USBDEVFS_CLAIMINTERFACE),	/* claiming interface 0 of the reopened device */
    NV(USBDEVFS_DISCONNECT_CLAIM),	/* claiming it from the kernel's HID driver (auto-detach) */
    NV(USBDEVFS_GETDRIVER),		/* auto-detach on kernels without DISCONNECT_CLAIM */
    NV(USBDEVFS_IOCTL));		/* its USBDEVFS_DISCONNECT of the kernel's driver */

/*
 * openat() of usb-reopen: relative to one of its kept directories (a small
 * fd, never AT_FDCWD), never creating, truncating or appending; Landlock
 * holds it to /dev/bus/usb (read-write) and sysfs (read-only).
 */
#define UREO_DIRFD_HIGH (INT32 & ~(uint64_t)0x3ff)
#define UREO_OPEN_BITS (O_CREAT | O_TRUNC | O_APPEND | (O_TMPFILE & ~O_DIRECTORY) | O_PATH)

/* open()/openat() flags that would write or create: all must be clear. */
#define OPEN_WRITE_BITS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | \
	(O_TMPFILE & ~O_DIRECTORY))

/*
 * openat() for upslog's reopen (clients/upslog_file.c): relative to a
 * directory descriptor (a small fd, never AT_FDCWD, which is negative),
 * with exactly the access bits write-only + append + create + no-follow:
 * never reading, truncating, a directory or a tmpfile.
 */
#define UPSLOG_DIRFD_HIGH (INT32 & ~(uint64_t)0x3ff)
#define UPSLOG_OPEN_MASK ((uint64_t)(O_ACCMODE | O_APPEND | O_CREAT | O_TRUNC | O_EXCL | \
	O_NOFOLLOW | O_DIRECTORY | O_TMPFILE | O_PATH))
VALSET(upslog_open, NV(O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW));

/* ---- the roles ---- */

const struct sb_roledef sb_roles[SB_ROLE__COUNT] = {
[SB_ROLE_UPSD] = { "upsd", SB_MODEL_ALLOW, 0,
    "network server: accepts clients, reads driver sockets" },
[SB_ROLE_DRIVER] = { "driver", SB_MODEL_ALLOW, 0,
    "a driver whose device I/O is files (dummy-ups)" },
[SB_ROLE_DRIVER_NET] = { "driver-net", SB_MODEL_ALLOW, 0,
    "the dummy-ups repeater: a TCP client of another upsd" },
[SB_ROLE_DRIVER_USB] = { "driver-usb", SB_MODEL_ALLOW, 0,
    "libusb transfers on a device claimed before the sandbox" },
[SB_ROLE_UPSMON_NET] = { "upsmon-net", SB_MODEL_ALLOW, 0,
    "upsmon's network child: NUT protocol and TLS to upsd, messages to its parent" },
[SB_ROLE_UPSMON_PARENT] = { "upsmon-parent", SB_MODEL_DENY, 1,
    "upsmon's parent: stays root to run SHUTDOWNCMD, reads a message channel" },
[SB_ROLE_UPSMON_NOTIFY] = { "upsmon-notify", SB_MODEL_DENY, 0,
    "upsmon's notifier: forks and execs NOTIFYCMD as the run-as user" },
[SB_ROLE_UPSSCHED] = { "upssched", SB_MODEL_DENY, 0,
    "upssched's timer process: execs CMDSCRIPT when a timer fires" },
[SB_ROLE_UPSLOG] = { "upslog", SB_MODEL_ALLOW, 0,
    "upslog: NUT protocol and TLS to upsd, appends to log files it reopens on SIGHUP" },
[SB_ROLE_USB_REOPEN] = { "usb-reopen", SB_MODEL_ALLOW, SB_ROOT_NOCAPS,
    "usbhid-ups's helper: uid 0 without capabilities (the device nodes' owner "
    "bits), finds the matched UPS again and passes its fd" },
};

/* ---- the allow-lists ---- */

const struct sb_rule sb_rules[] = {
/*	syscall		roles	flag	constraints		reason */

/* event loop (common/ev.c on epoll, signals through a self-pipe) */
{ "epoll_wait",	ALL, 0, { ANY, ANY },		"ev_run waits for events and timers" },
{ "epoll_pwait", ALL, 0, { ANY, ANY },		"epoll_wait on arches without it (aarch64)" },
{ "epoll_ctl",	ALL, 0, { ANY, ANY },		"ev_fd_add/mod/del as clients come and go" },
{ "read",	ALL, 0, { ANY, ANY },		"sockets, the signal self-pipe, re-read files" },
{ "write",	ALL, 0, { ANY, ANY },		"the signal self-pipe, the stderr log" },
{ "writev",	ALL, 0, { ANY, ANY },		"glibc's fatal messages (fortify, malloc checks)" },
{ "close",	ALL, 0, { ANY, ANY },		"dropping clients and finished files" },
{ "rt_sigreturn", ALL, 0, { ANY, ANY },		"returning from the ev.c signal handler" },
{ "rt_sigprocmask", ALL, 0, { ANY, ANY },	"glibc and NSPR mask their own signals briefly" },
{ "restart_syscall", ALL, 0, { ANY, ANY },	"a syscall interrupted by SIGHUP resumes" },
{ "getpid",	ALL, 0, { ANY, ANY },		"log lines and syslog's LOG_PID" },
{ "futex",	ALL, 0, { ANY, ANY },		"glibc/NSPR locks when contended; own memory only" },
{ "getrandom",	ALL, 0, { ANY, ANY },		"rand.c (upsd tracking ids), glibc malloc/arc4random" },

/* memory: the heap, never executable */
{ "brk",	ALL, 0, { ANY, ANY },		"malloc grows and shrinks the heap" },
{ "mmap",	ALL, 0, { CLEAR(2, PROT_EXEC), ANY },	"malloc of large blocks; no executable mappings" },
{ "mprotect",	ALL, 0, { CLEAR(2, PROT_EXEC), ANY },	"malloc arena setup; never PROT_EXEC" },
{ "munmap",	ALL, 0, { ANY, ANY },		"free of large blocks" },
{ "mremap",	ALL, 0, { ANY, ANY },		"realloc of large blocks (buffers, var tree)" },
{ "madvise",	ALL, 0, { IN(2, madvise_advice), ANY },	"malloc gives pages back" },

/* time (vDSO normally, real syscalls as fallback) */
{ "clock_gettime", ALL, 0, { ANY, ANY },	"ev.c timers, log.c, client deadlines" },
{ "clock_gettime64", ALL, 0, { ANY, ANY },	"the same on 32-bit arches (glibc >= 2.31)" },
{ "gettimeofday", ALL, 0, { ANY, ANY },		"time stamps when the vDSO is unavailable" },
{ "time",	ALL, 0, { ANY, ANY },		"time(2) fallback without vDSO" },
{ "nanosleep",	ALL, 0, { ANY, ANY },		"short back-off sleeps (upscli)" },
{ "clock_nanosleep", ALL, 0, { ANY, ANY },	"glibc's nanosleep/usleep" },
{ "clock_nanosleep_time64", ALL, 0, { ANY, ANY }, "the same on 32-bit arches" },

/* introspection: sandbox_describe reads back what the process holds */
{ "capget",	ALL, 0, { ANY, ANY },		"CapEff for the start-up log line" },
{ "prctl",	ALL, 0, { IN(0, prctl_get), ANY },	"NoNewPrivs, Seccomp, CapBnd for that line" },
{ "getuid",	ALL, 0, { ANY, ANY },		"the ids for that line" },
{ "getgid",	ALL, 0, { ANY, ANY },		"the ids for that line" },
{ "geteuid",	ALL, 0, { ANY, ANY },		"the ids for that line" },
{ "getegid",	ALL, 0, { ANY, ANY },		"the ids for that line" },

/* logging */
{ "socket",	ALL, SYSLOG, { IN(0, socket_unix), IN_MASKED(1, SOCK_TYPE_MASK, socket_dgram) },
						"glibc syslog() reconnects /dev/log" },
{ "connect",	ALL, SYSLOG, { ANY, ANY },	"glibc syslog() reconnects /dev/log" },
{ "sendto",	ALL, SYSLOG, { ANY, ANY },	"glibc syslog() sends a datagram" },

/* sockets: servers on listeners opened before the sandbox point */
{ "accept4",	U|DRV, 0, { ANY, ANY },		"upsd clients (TCP), driver socket clients (Unix)" },
{ "recvfrom",	ALL, 0, { ANY, ANY },		"recv() on client sockets" },
{ "sendto",	ALL, 0, { ANY, ANY },		"send(MSG_NOSIGNAL) to clients" },
{ "getsockopt",	ALL, 0, { IN(1, sol_socket), IN(2, getsockopt_opts) },
						"SO_ERROR after a non-blocking connect" },
{ "setsockopt",	U, 0, { IN(1, sol_socket), IN(2, upsd_socket_opts) },
						"upsd: 32 KiB SO_SNDBUF per client, SO_LINGER 0 reset" },
{ "setsockopt",	U|N|M|L, 0, { IN(1, sol_tcp), IN(2, tcp_opts) },
						"TCP_NODELAY on a new connection" },
{ "fcntl",	ALL, 0, { IN(1, fcntl_flags), ANY },	"net_set_nonblock, close-on-exec" },
{ "ioctl",	U, 0, { IN_MASKED(1, INT32, upsd_ioctls), ANY },
						"upsd: SIOCOUTQ, unsent bytes of a client that does not read" },

/* sockets: upsd, a client of the drivers' Unix sockets (reconnects) */
{ "socket",	U, 0, { IN(0, socket_unix), IN_MASKED(1, SOCK_TYPE_MASK, socket_stream) },
						"upsd reconnects to a driver socket" },
{ "connect",	U, 0, { ANY, ANY },		"upsd reconnects to a driver socket (chroot bounds the path)" },

/* sockets: TCP clients of a upsd (the dummy-ups repeater, upsmon) */
{ "socket",	N|M|L, 0, { IN(0, socket_inet), IN_MASKED(1, SOCK_TYPE_MASK, socket_stream) },
						"reconnecting to a upsd (addresses resolved before)" },
{ "connect",	N|M|L, 0, { ANY, ANY },		"reconnecting to a upsd" },
{ "shutdown",	N|M|L, 0, { ANY, ANY },		"upscli_drop ends a failed connection" },
{ "poll",	N|B|M|L|R, 0, { ANY, ANY },	"upscli waits for a blocking call; libusb events; usb-reopen waits for a request" },
{ "ppoll",	N|B|M|L|R, 0, { ANY, ANY },	"poll on arches without it (aarch64)" },

/* the channel to a privileged parent (common/msg.c), or usbhid-ups's to its helper */
{ "sendmsg",	M|B|R, 0, { ANY, ANY },		"msg_send: a message, perhaps with one fd (usb-reopen: the device's)" },
{ "recvmsg",	M|B|R, 0, { ANY, ANY },		"msg_read: a message and the fd it carries (driver-usb: the reopened device)" },

/* upslog's log files: SIGHUP opens them again in their kept directory */
{ "openat",	L, 0, { CLEAR(0, UPSLOG_DIRFD_HIGH), IN_MASKED(2, UPSLOG_OPEN_MASK, upslog_open) },
						"upslog reopens a log file: append-only, no symlink, on its kept directory fd" },
{ "uname",	L, 0, { ANY, ANY },		"upslog's %HOST% (gethostname)" },

/* files: read-only re-reads (data file, configuration, hosts.allow) */
#ifdef HAVE_LIBWRAP
{ "openat",	U, 0, { CLEAR(2, OPEN_WRITE_BITS), ANY },	"libwrap reads hosts.allow/deny per accept" },
{ "open",	U, 0, { CLEAR(1, OPEN_WRITE_BITS), ANY },	"the same on arches with open(2)" },
{ "newfstatat",	U, 0, { ANY, ANY },		"stdio (fopen in libwrap) fstat()s the file" },
{ "fstat",	U, 0, { ANY, ANY },		"the same with an older glibc" },
{ "lseek",	U, 0, { ANY, ANY },		"stdio rewinds/positions" },
#endif
{ "openat",	DRV, 0, { CLEAR(2, OPEN_WRITE_BITS), ANY },	"dummy-ups re-reads its data file" },
{ "open",	DRV, 0, { CLEAR(1, OPEN_WRITE_BITS), ANY },	"the same on arches with open(2)" },
{ "newfstatat",	DRV, 0, { ANY, ANY },		"dummy-ups checks the data file's mtime" },
{ "fstat",	DRV, 0, { ANY, ANY },		"the same with an older glibc" },
{ "statx",	DRV, 0, { ANY, ANY },		"stat() on arches where glibc uses statx" },
{ "lseek",	DRV, 0, { ANY, ANY },		"stdio and the sequence reader reposition" },
{ "openat",	ALL, RELOAD, { CLEAR(2, OPEN_WRITE_BITS), ANY },	"SIGHUP re-reads the configuration" },
{ "open",	ALL, RELOAD, { CLEAR(1, OPEN_WRITE_BITS), ANY },	"the same on arches with open(2)" },
{ "newfstatat",	ALL, RELOAD, { ANY, ANY },	"conf.c checks files (permissions, type)" },
{ "fstat",	ALL, RELOAD, { ANY, ANY },	"the same with an older glibc" },
{ "statx",	ALL, RELOAD, { ANY, ANY },	"stat() on arches where glibc uses statx" },
{ "lseek",	ALL, RELOAD, { ANY, ANY },	"stdio positions in a configuration file" },

/* TLS/NSS: handshakes after NSS_Initialize (read-only sql: cert DB, fds
 * opened before the sandbox point); from strace of selfserv/tstclnt */
{ "getpeername", ALL, TLS, { ANY, ANY },	"NSPR asks for the peer of an imported socket" },
{ "getsockname", ALL, TLS, { ANY, ANY },	"NSPR asks for the local address" },
{ "shutdown",	ALL, TLS, { ANY, ANY },		"NSS shuts the socket down after a fatal alert" },
{ "pread64",	ALL, TLS, { ANY, ANY },		"sqlite reads cert9.db/key4.db (chain, client certs)" },
{ "fcntl",	ALL, TLS, { IN(1, fcntl_locks), ANY },	"sqlite read-locks the DB around each query" },
{ "newfstatat",	ALL, TLS, { ANY, ANY },		"sqlite fstat()s the DB, probes -journal/-wal" },
{ "fstat",	ALL, TLS, { ANY, ANY },		"the same with an older glibc" },
{ "sched_yield", ALL, TLS, { ANY, ANY },	"NSS yields between the records of a write over 16 kB" },
{ "fcntl",	ALL, TLS, { IN(1, fcntl_dup), ANY },	"a spare for NSPR to close when NSS lets a socket go that stays open" },

/* driver I/O: libusb on a device opened and claimed before the sandbox */
{ "ioctl",	B, 0, { IN_MASKED(1, INT32, usbdevfs_ioctls), ANY }, "USB transfers (list above)" },
{ "timerfd_settime", B, 0, { ANY, ANY },	"libusb arms its transfer timeout timer" },

/* usb-reopen: a walk of /sys/bus/usb/devices, then one open under /dev/bus/usb */
{ "openat",	R, 0, { CLEAR(0, UREO_DIRFD_HIGH), CLEAR(2, UREO_OPEN_BITS) },
						"sysfs attributes and the device node, on a kept directory fd" },
{ "getdents64",	R, 0, { ANY, ANY },		"readdir of /sys/bus/usb/devices" },
{ "pread64",	R, 0, { ANY, ANY },		"the opened node's device descriptor, checked against sysfs" },
{ "newfstatat",	R, 0, { ANY, ANY },		"fdopendir checks the directory fd" },
{ "fstat",	R, 0, { ANY, ANY },		"the same with an older glibc" },
{ "getppid",	R, 0, { ANY, ANY },		"the helper ends when the driver that forked it is gone" },

#ifdef SB_SANITIZER_BUILD
/* sanitizer runtime (--enable-sanitizers builds only) */
{ "sigaltstack", ALL, 0, { ANY, ANY },		"ASan/UBSan swap their signal stack at exit" },
{ "madvise",	ALL, 0, { ANY, ANY },		"ASan's allocator advises its shadow memory" },
#endif

/* exit */
{ "exit_group",	ALL, 0, { ANY, ANY },		"exit() and _exit()" },
{ "exit",	ALL, 0, { ANY, ANY },		"the last thread ends" },
};
const size_t sb_nrules = sizeof(sb_rules) / sizeof(sb_rules[0]);

/*
 * Refused softly with an errno instead of the role's action: calls that
 * clean-up code makes at exit and whose failure is harmless. The sandboxed
 * process may not delete files (the next start removes stale pid files and
 * sockets while it is still privileged).
 */
const struct sb_soft sb_soft[] = {
{ "unlink",	ALL, EACCES,	"pid file and socket removal at exit" },
{ "unlinkat",	ALL, EACCES,	"the same via unlinkat" },
{ "readlink",	B, EACCES,	"libusb_wrap_sys_device asks /proc/self/fd for the bus; falls back to CONNECTINFO" },
{ "readlinkat",	B, EACCES,	"the same on arches without readlink" },
};
const size_t sb_nsoft = sizeof(sb_soft) / sizeof(sb_soft[0]);

/*
 * Never allowed to the roles named; these kill the process even in log mode
 * (trap mode reports them like any other refusal). EVERY is every role,
 * NOEXEC the roles that never run a program, UNPRIV every role that does
 * not stay root (the upsmon parent does, to run SHUTDOWNCMD, which may
 * change ids itself).
 */
#define EVERY SB_R_ALL
#define NOEXEC SB_R_ALLOWLIST
#define UNPRIV (SB_R_ALL & ~SB_R_MPAR)
const struct sb_deny sb_denied[] = {
/*	syscall		roles	reason */
{ "execve",	NOEXEC,	"running a program: the first step of most exploits" },
{ "execveat",	NOEXEC,	"the same via a directory fd" },
{ "fork",	NOEXEC,	"no such role creates processes after the sandbox point" },
{ "vfork",	NOEXEC,	"the same" },
{ "clone",	NOEXEC,	"no threads or processes after the sandbox point" },
{ "clone3",	NOEXEC,	"the same (glibc >= 2.34 pthread_create)" },
{ "ptrace",	EVERY,	"inspecting or steering another process" },
{ "process_vm_readv", EVERY, "reading another process's memory" },
{ "process_vm_writev", EVERY, "writing another process's memory" },
{ "bind",	NOEXEC,	"listeners are all opened before the sandbox point" },
{ "listen",	NOEXEC,	"the same" },
{ "chroot",	UNPRIV,	"the jail is set once, before the filter (upsmon's parent "
			"restarts its network child, which chroots itself)" },
{ "pivot_root",	EVERY,	"leaving the jail" },
{ "mount",	EVERY,	"changing the file system view" },
{ "umount2",	EVERY,	"the same" },
{ "unshare",	EVERY,	"new namespaces" },
{ "setns",	EVERY,	"joining namespaces" },
{ "setuid",	UNPRIV,	"ids are dropped for good" },
{ "setgid",	UNPRIV,	"the same" },
{ "setreuid",	UNPRIV,	"the same" },
{ "setregid",	UNPRIV,	"the same" },
{ "setresuid",	UNPRIV,	"the same" },
{ "setresgid",	UNPRIV,	"the same" },
{ "setgroups",	UNPRIV,	"the same" },
{ "setfsuid",	UNPRIV,	"the same" },
{ "setfsgid",	UNPRIV,	"the same" },
{ "capset",	UNPRIV,	"capabilities are dropped for good" },
{ "personality", EVERY,	"changing the execution domain (READ_IMPLIES_EXEC)" },
{ "kexec_load",	EVERY,	"replacing the kernel" },
{ "kexec_file_load", EVERY, "the same" },
{ "init_module", EVERY,	"loading kernel code" },
{ "finit_module", EVERY, "the same" },
{ "delete_module", EVERY, "unloading kernel code" },
{ "bpf",	EVERY,	"a large kernel attack surface" },
{ "perf_event_open", EVERY, "profiling other processes, kernel attack surface" },
{ "keyctl",	EVERY,	"the kernel keyring" },
{ "add_key",	EVERY,	"the same" },
{ "request_key", EVERY,	"the same" },
{ "userfaultfd", EVERY,	"a favourite of kernel exploits" },
{ "io_uring_setup", EVERY, "bypasses seccomp for the operations it queues" },
{ "io_uring_enter", EVERY, "the same" },
{ "io_uring_register", EVERY, "the same" },
{ "pkey_mprotect", NOEXEC, "mprotect with protection keys, could map executable" },
{ "memfd_create", NOEXEC, "anonymous files that could be mapped executable" },
};
const size_t sb_ndenied = sizeof(sb_denied) / sizeof(sb_denied[0]);
