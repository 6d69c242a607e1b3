/*
 * nutsec - notifychild.c: the notifier. Started by the root parent with
 * the channel from the network child on fd 0, it reads upsmon.conf
 * itself (NOTIFYCMD, NOTIFYMSG, NOTIFYFLAG, the MONITOR names) and runs as
 * the run-as user without capabilities under the upsmon-notify filter.
 * Each record is checked (exact size, a known type, NUL-terminated
 * strings, a configured UPS name) before notify.c acts on it. At end of
 * file it lets running notify programs finish (a bounded wait) and exits.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "msg.h"
#include "sandbox.h"
#include "spawn.h"
#include "xmalloc.h"

#include "loop.h"

#define DRAIN_WAIT_MS 4000	/* below the parent's 5 s before SIGKILL */

static const struct msg_type notify_types[] = {
	{ UPSMON_MSG_NOTIFY, "notify", MSG_EXACT, sizeof(struct upsmon_msg_notify), 0 },
};

struct notifychild {
	const struct upsmon_args *a;
	struct upsmon_conf *cf;
	struct notifier *n;
	struct msg_chan *in;
};

static void
on_msg(struct msg_chan *c, const struct msg *m, void *arg)
{
	struct notifychild *nc = arg;
	struct upsmon_msg_notify rec;

	memcpy(&rec, m->data, sizeof(rec));
	if (memchr(rec.sys, '\0', sizeof(rec.sys)) == NULL ||
	    memchr(rec.extra, '\0', sizeof(rec.extra)) == NULL) {
		log_warnx("notification with unterminated strings refused");
		return;
	}
	(void)notifier_do(nc->n, (enum nt)rec.type, rec.sys, rec.extra);
}

static void
on_close(struct msg_chan *c, const char *why, void *arg)
{
	struct notifychild *nc = arg;

	if (strcmp(why, "end of file") != 0)
		log_warnx("channel from the network child broke: %s", why);
	msg_chan_free(nc->in);
	nc->in = NULL;
	ev_stop();
}

static void
on_child(void *arg)
{
	notifier_reap(((struct notifychild *)arg)->n);
}

static void
on_stop(void *arg)
{
	ev_stop();
}

static void
on_reload(void *arg)
{
	struct notifychild *nc = arg;
	struct upsmon_conf *cf = upsmon_conf_new();

	if (upsmon_conf_load(cf, nc->a->conf) != 0) {
		log_warnx("reload: %s has errors: the old configuration stays", nc->a->conf);
		upsmon_conf_free(cf);
		return;
	}
	notifier_set_conf(nc->n, cf);
	upsmon_conf_free(nc->cf);
	nc->cf = cf;
}

int
notifychild_main(const struct upsmon_args *a)
{
	struct notifychild nc;
	struct sandbox_opts sb;
	uint64_t end;
	int fd, null, root = geteuid() == 0;

	memset(&nc, 0, sizeof(nc));
	nc.a = a;
	if ((fd = fcntl(0, F_DUPFD_CLOEXEC, 3)) < 0)
		fatal("channel");
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 || dup2(null, 0) < 0)
		fatal("/dev/null");
	close(null);
	nc.cf = upsmon_conf_new();
	if (upsmon_conf_load(nc.cf, a->conf) != 0)
		return EXIT_FAILURE;
	nc.n = notifier_new(nc.cf);
	if ((nc.in = msg_chan_new(fd, notify_types, 1, 0, "upsmon-net")) == NULL)
		fatalx("channel");
	if (ev_init() != 0 || ev_signal(SIGTERM, on_stop, &nc) != 0 ||
	    ev_signal(SIGINT, on_stop, &nc) != 0 || ev_signal(SIGHUP, on_reload, &nc) != 0 ||
	    ev_signal(SIGCHLD, on_child, &nc) != 0 ||
	    msg_chan_watch(nc.in, on_msg, on_close, &nc) != 0)
		fatal("event loop");
	(void)signal(SIGUSR1, SIG_IGN);

	memset(&sb, 0, sizeof(sb));
	sb.user = root ? upsmon_user(a, nc.cf) : NULL;
	sb.action = (enum sandbox_action)upsmon_sandbox_action(a, nc.cf);
	sb.flags = SB_F_RELOAD | (a->foreground ? 0 : SB_F_SYSLOG);
	if (sandbox_confine(SB_ROLE_UPSMON_NOTIFY, &sb, NULL) != 0)
		return EXIT_FAILURE;

	if (ev_run() != 0)
		log_warnx("event loop failed");
	/* let the last notifications (SHUTDOWN) run to their end, bounded */
	end = ev_clock() + DRAIN_WAIT_MS;
	while (notifier_running(nc.n) > 0 && ev_clock() < end) {
		struct timespec ts = { 0, 100000000L };

		nanosleep(&ts, NULL);
		notifier_reap(nc.n);
	}
	notifier_free(nc.n);
	if (nc.in != NULL)
		msg_chan_free(nc.in);
	upsmon_conf_free(nc.cf);
	return EXIT_SUCCESS;
}
