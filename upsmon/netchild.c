/*
 * nutsec - netchild.c: the network child. Started by the root parent with
 * its channel to the parent on fd 0 and its channel to the notifier on
 * fd 1, it reads upsmon.conf, resolves the upsd hosts and opens NSS, then
 * confines itself for good (chroot to the empty directory the parent made,
 * the run-as user, no capabilities, the upsmon-net filter: no exec, no
 * fork, no files but the kept configuration directory) and monitors. What
 * it can tell the parent is one fixed message, "shut down now"; what it
 * tells the notifier is a notification record the notifier checks again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "ev.h"
#include "log.h"
#include "msg.h"
#include "paths.h"
#include "sandbox.h"
#include "xmalloc.h"

#include "loop.h"

#define NOPARENT_EVERY_MS 120000u
#define ACK_WAIT_MS 30000u

struct netchild {
	const struct upsmon_args *a;
	struct upsmon_conf *cf, *first;	/* now, and as started */
	struct netmon nm;
	struct monloop loop;
	struct msg_chan *parent, *notify;
	int parent_gone;
	int acked;			/* the parent closed the channel after SHUTDOWNCMD */
	uint64_t last_noparent;
};

/* Nothing may come from the parent or the notifier: an empty table. */
static const struct msg_type no_types[1] = { { 0xffff, "none", MSG_EXACT, 0, 0 } };

/* The notifier's channel broke: no more notifications (the parent restarts us both). */
static void
notify_lost(struct netchild *nc)
{
	log_warnx("notifier unreachable: %s", msg_error(nc->notify));
	ev_fd_del(msg_chan_fd(nc->notify));
	msg_chan_free(nc->notify);
	nc->notify = NULL;
}

static void
nc_notify(void *arg, enum nt type, const char *sys, const char *extra)
{
	struct netchild *nc = arg;
	struct upsmon_msg_notify m;

	if (nc->notify == NULL)
		return;
	memset(&m, 0, sizeof(m));
	m.type = (uint32_t)type;
	(void)str_copy(m.sys, sys != NULL ? sys : "", sizeof(m.sys));
	(void)str_copy(m.extra, extra != NULL ? extra : "", sizeof(m.extra));
	if (msg_send(nc->notify, UPSMON_MSG_NOTIFY, &m, sizeof(m), -1) != 0) {
		if (errno == ENOBUFS) {
			log_warnx("notifier busy: %s not delivered", nt_name(type));
			return;
		}
		notify_lost(nc);
		return;
	}
	if (msg_flush(nc->notify) < 0)
		notify_lost(nc);
}

/*
 * The parent closes the channel once SHUTDOWNCMD has run: only then do we
 * go on (and log out of upsd, which is what a primary waits for), so a
 * secondary's machine is on its way down before its primary's. Bounded.
 */
static int
wait_ack(struct netchild *nc)
{
	struct pollfd pfd = { msg_chan_fd(nc->parent), POLLIN, 0 };
	uint64_t end = netmon_now() + ACK_WAIT_MS;
	ssize_t n;

	while (netmon_now() < end) {
		if (poll(&pfd, 1, (int)(end - netmon_now())) < 0 && errno != EINTR)
			break;
		n = msg_read(nc->parent);
		if (n == 0 || (n < 0 && errno != EAGAIN) || msg_error(nc->parent)[0] != '\0') {
			nc->acked = 1;
			log_info("the parent has run SHUTDOWNCMD");
			return 0;
		}
	}
	log_warnx("SHUTDOWNCMD still running after %u s: going on", ACK_WAIT_MS / 1000);
	return 0;
}

static int
nc_shutdown(void *arg)
{
	struct netchild *nc = arg;
	struct upsmon_msg_shutdown m = { UPSMON_SHUTDOWN_MAGIC };

	if (nc->parent_gone) {
		log_warnx("the parent is gone: nobody can shut this machine down");
		return -1;
	}
	if (msg_send(nc->parent, UPSMON_MSG_SHUTDOWN, &m, sizeof(m), -1) != 0 ||
	    msg_flush(nc->parent) != 1)
		return -1;
	return wait_ack(nc);
}

static void
nc_sleep(void *arg, unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	(void)arg;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
nc_reload(void *arg)
{
	struct netchild *nc = arg;
	struct upsmon_conf *cf = upsmon_conf_new();

	if (upsmon_conf_load(cf, nc->a->conf) != 0) {
		log_warnx("reload: %s has errors: the old configuration stays", nc->a->conf);
		upsmon_conf_free(cf);
		return;
	}
	netmon_reload(&nc->nm, cf, netmon_now());
	if (nc->cf != nc->first)
		upsmon_conf_free(nc->cf);	/* the first one holds the TLS settings in use */
	nc->cf = cf;
	log_notice("reloaded %s", nc->a->conf);
}

/* The parent's end closed: NOPARENT now and every two minutes. */
static void
parent_check(int fd, unsigned events, void *arg)
{
	struct netchild *nc = arg;
	ssize_t n = msg_read(nc->parent);
	struct msg m;

	if (n < 0 && errno == EAGAIN && msg_error(nc->parent)[0] == '\0')
		return;
	if (n > 0 && msg_get(nc->parent, &m) == 0)
		return;
	ev_fd_del(fd);
	if (nc->acked || nc->nm.shutdown_done)
		return;		/* it closed after running SHUTDOWNCMD */
	nc->parent_gone = 1;
	log_warnx("the parent process is gone (%s): shutdown impossible",
	    n == 0 ? "end of file" : msg_error(nc->parent));
}

static void
noparent_timer(void *arg)
{
	struct netchild *nc = arg;

	if (nc->parent_gone && (nc->last_noparent == 0 ||
	    netmon_now() - nc->last_noparent >= NOPARENT_EVERY_MS)) {
		nc_notify(nc, NT_NOPARENT, "", NULL);
		nc->last_noparent = netmon_now();
	}
	if (ev_timer_add(1000, noparent_timer, nc) == 0)
		fatalx("cannot arm the parent check");
}

static void
notify_closed(int fd, unsigned events, void *arg)
{
	struct netchild *nc = arg;
	ssize_t n = msg_read(nc->notify);

	if (n < 0 && errno == EAGAIN && msg_error(nc->notify)[0] == '\0')
		return;
	log_warnx("the notifier is gone: stopping (the parent restarts us)");
	ev_fd_del(fd);
	ev_stop();
}

/* fd 0 and 1 are the channels: move them up, /dev/null in their place. */
static int
take_fd(int fd)
{
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3), null;

	if (nfd < 0)
		fatal("channel on fd %d", fd);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || dup2(null, fd) < 0)
		fatal("/dev/null");
	close(null);
	return nfd;
}

/* After the chroot: "/" must be the directory the parent made for us. */
static int
jail_check(const struct upsmon_args *a)
{
	struct stat st;

	if (a->jail == NULL)
		return 0;
	if (stat("/", &st) != 0 || (unsigned long long)st.st_dev != a->jail_dev ||
	    (unsigned long long)st.st_ino != a->jail_ino || st.st_uid != 0 ||
	    (st.st_mode & 022) != 0) {
		log_warnx("fatal: the jail %s is not the directory the parent made", a->jail);
		return -1;
	}
	return 0;
}

int
netchild_main(const struct upsmon_args *a)
{
	struct netchild nc;
	struct netmon_ops ops = { nc_notify, nc_shutdown, nc_sleep, NULL };
	struct sandbox_opts sb;
	char dir[4096], err[512];
	int pfd, nfd, root = geteuid() == 0;

	memset(&nc, 0, sizeof(nc));
	nc.a = a;
	ops.arg = &nc;
	pfd = take_fd(0);
	nfd = take_fd(1);

	/* 1. Configuration, and its directory kept for reload in the jail. */
	nc.cf = nc.first = upsmon_conf_new();
	if (upsmon_conf_load(nc.cf, a->conf) != 0)
		return EXIT_FAILURE;
	(void)str_copy(dir, a->conf, sizeof(dir));
	if (conf_keep_dir(dirname(dir)) != 0)
		log_warn("cannot keep %s open: reload will not work", dir);

	/* 2. The channels. */
	nc.parent = msg_chan_new(pfd, no_types, 1, (uint32_t)getpid(), "upsmon parent");
	nc.notify = msg_chan_new(nfd, no_types, 1, (uint32_t)getpid(), "upsmon notifier");
	if (nc.parent == NULL || nc.notify == NULL)
		fatalx("channels");

	/* 3. What needs the host: names, NSS. */
	netmon_init(&nc.nm, nc.cf, &ops, a->family, netmon_now());
	if (netmon_preresolve(&nc.nm) != 0)
		log_warnx("some hosts did not resolve: they count as unreachable");
	if (nc.cf->tls.certpath != NULL &&
	    upscli_tls_preinit(&nc.nm.opts, err, sizeof(err)) != 0) {
		log_warnx("fatal: TLS: %s", err);
		return EXIT_FAILURE;
	}

	/* 4. Signals and the loop's watches (sigaction is not in the filter). */
	nc.loop.nm = &nc.nm;
	nc.loop.reload = nc_reload;
	nc.loop.arg = &nc;
	if (monloop_setup(&nc.loop) != 0)
		fatal("event loop");
	if (ev_fd_add(msg_chan_fd(nc.parent), EV_READ, parent_check, &nc) != 0 ||
	    ev_fd_add(msg_chan_fd(nc.notify), EV_READ, notify_closed, &nc) != 0)
		fatal("event loop");
	noparent_timer(&nc);

	/* 5. The sandbox. */
	memset(&sb, 0, sizeof(sb));
	sb.chroot_dir = root ? a->jail : NULL;
	sb.user = root ? upsmon_user(a, nc.cf) : NULL;
	sb.action = (enum sandbox_action)upsmon_sandbox_action(a, nc.cf);
	sb.flags = SB_F_RELOAD | (nc.cf->tls.certpath != NULL ? SB_F_TLS : 0) |
	    (a->foreground ? 0 : SB_F_SYSLOG);
	if (sandbox_confine(SB_ROLE_UPSMON_NET, &sb, NULL) != 0)
		return EXIT_FAILURE;
	if (root && jail_check(a) != 0)
		return EXIT_FAILURE;

	/* 6. Monitor. */
	log_notice("monitoring %zu UPS", nc.nm.n);
	nc.loop.exit_code = monloop_run(&nc.loop);
	netmon_free(&nc.nm);
	msg_chan_free(nc.parent);
	msg_chan_free(nc.notify);	/* NULL ok */
	if (nc.cf != nc.first)
		upsmon_conf_free(nc.cf);
	upsmon_conf_free(nc.first);
	return nc.loop.exit_code;
}
