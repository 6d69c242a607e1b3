/*
 * nutsec - parent.c: the root parent. It reads upsmon.conf, makes the
 * network child's empty jail, starts the network child and the notifier
 * (fork and exec of this program, two socketpairs), enters its own filter
 * and then only waits: for the one message it accepts from the network
 * child ("shut down now", exact size, the child's pid as sender, the magic
 * word), for its children's deaths, and for signals. On the order it
 * creates POWERDOWNFLAG and runs SHUTDOWNCMD from its own configuration,
 * once. Anything else on the channel is an attack or a bug: logged, the
 * children stopped, exit 1. A child that dies is restarted (with the
 * other, fresh channels for both) at most UPSMON_MAX_RESTARTS times in a
 * row; then the parent logs that monitoring is lost and exits 1 so the
 * service manager sees it (docs/upsmon.md, "When a process dies").
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "net.h"
#include "msg.h"
#include "paths.h"
#include "pidfile.h"
#include "sandbox.h"
#include "spawn.h"
#include "xmalloc.h"

#include "loop.h"

#define UPSMON_MAX_RESTARTS 5
#define UPSMON_STABLE_MS 600000u	/* children up this long: the count starts again */
#define STOP_WAIT_MS 5000
#define SUPERVISE_MS 2000

static const struct msg_type parent_types[] = {
	{ UPSMON_MSG_SHUTDOWN, "shutdown", MSG_EXACT, sizeof(struct upsmon_msg_shutdown), 0 },
};

struct parent {
	const struct upsmon_args *a;
	struct upsmon_conf *cf;
	char jail[4096];
	unsigned long long jail_dev, jail_ino;
	pid_t net, notify;
	struct msg_chan *chan;
	int latched;			/* the order came: no restarts from now on */
	unsigned restarts;
	uint64_t started;
	ev_timer_id restart_timer;
	int exit_code;
};

struct msg_chan *
parent_chan_new(int fd, pid_t peer)
{
	struct msg_chan *c = msg_chan_new(fd, parent_types, 1, 0, "upsmon-net");

	if (c != NULL && peer > 0)
		msg_expect_peer(c, (uint32_t)peer);
	return c;
}

int
parent_drain(struct msg_chan *c, int *latched)
{
	const struct upsmon_msg_shutdown *s;
	struct msg m;
	ssize_t n;
	int r, got = 0;

	for (;;) {
		while ((r = msg_get(c, &m)) == 1) {
			if (m.fd >= 0)
				close(m.fd);
			s = m.data;
			if (m.type != UPSMON_MSG_SHUTDOWN || m.len != sizeof(*s) ||
			    s->magic != UPSMON_SHUTDOWN_MAGIC) {
				log_warnx("fatal: upsmon-net sent a malformed order");
				return -1;
			}
			if (*latched) {
				log_debug("shutdown order repeated: ignored");
				continue;
			}
			*latched = 1;
			got = 1;
		}
		if (r < 0) {
			log_warnx("fatal: bad message from upsmon-net: %s", msg_error(c));
			return -1;
		}
		if (got)
			return 1;
		n = msg_read(c);
		if (n == 0)
			return 2;
		if (n < 0) {
			if (errno == EAGAIN && msg_error(c)[0] == '\0')
				return 0;
			log_warnx("fatal: channel from upsmon-net: %s",
			    msg_error(c)[0] != '\0' ? msg_error(c) : strerror(errno));
			return -1;
		}
	}
}

/* SIGTERM, a bounded wait, SIGKILL: every child reaped. */
static void
stop_child(pid_t *pid, const char *name)
{
	int st;

	if (*pid <= 0)
		return;
	/* Its sibling may have gone first because this one died: say so. */
	if (spawn_reap(*pid, 100, &st) == 1) {
		log_warnx("%s exited (status %d)", name, st);
		*pid = 0;
		return;
	}
	if (kill(*pid, SIGTERM) != 0 && errno != ESRCH)
		log_warn("%s (pid %ld): cannot send SIGTERM", name, (long)*pid);
	if (spawn_reap(*pid, STOP_WAIT_MS, &st) == 0) {
		log_warnx("%s (pid %ld) did not stop: killed", name, (long)*pid);
		/* Never an endless wait: a kill refused (a parent without
		   CAP_KILL facing a child of another uid) is logged and the
		   child left behind, rather than hanging the parent. */
		if (kill(*pid, SIGKILL) != 0 && errno != ESRCH)
			log_warn("%s (pid %ld): cannot send SIGKILL", name, (long)*pid);
		if (spawn_reap(*pid, STOP_WAIT_MS, &st) == 0)
			log_warnx("%s (pid %ld) is still running; left behind", name,
			    (long)*pid);
	}
	*pid = 0;
}

static void
stop_children(struct parent *p)
{
	if (p->chan != NULL) {
		ev_fd_del(msg_chan_fd(p->chan));
		msg_chan_free(p->chan);
		p->chan = NULL;
	}
	stop_child(&p->net, "upsmon-net");
	stop_child(&p->notify, "upsmon-notify");
}

/* Dies: children stopped first, so nothing monitors without a parent. */
static void
die(struct parent *p)
{
	stop_children(p);
	p->exit_code = EXIT_FAILURE;
	ev_stop();
}

static void on_chan(int fd, unsigned events, void *arg);

static pid_t
start_one(const struct parent *p, const char *role, int in, int out)
{
	static const char *const names[] = { "PATH", "TZ", "LANG", "LC_*", "NUT_*", NULL };
	char *argv[20], *envp[64], dbg[8] = "-D", jdev[64], sbx[32];
	struct spawn_opts o;
	size_t n = 0;
	int i;

	argv[n++] = (char *)p->a->self;
	argv[n++] = (char *)"-X";
	argv[n++] = (char *)role;
	argv[n++] = (char *)"-f";
	argv[n++] = (char *)p->a->conf;
	for (i = 1; i < p->a->debug && i < 4; i++)
		dbg[i + 1] = 'D';
	if (p->a->debug > 0)
		argv[n++] = dbg;
	if (p->a->foreground)
		argv[n++] = (char *)"-F";
	if (p->a->user != NULL) {
		argv[n++] = (char *)"-u";
		argv[n++] = (char *)p->a->user;
	}
	if (p->a->sandbox >= 0) {
		(void)str_printf(sbx, sizeof(sbx), "--sandbox=%s",
		    sandbox_action_name((enum sandbox_action)p->a->sandbox));
		argv[n++] = sbx;
	}
	if (strcmp(role, "net") == 0 && p->a->family != NET_FAMILY_ANY)
		argv[n++] = (char *)(p->a->family == NET_FAMILY_V4 ? "-4" : "-6");
	if (strcmp(role, "net") == 0 && p->jail[0] != '\0') {
		(void)str_printf(jdev, sizeof(jdev), "%llu:%llu", p->jail_dev, p->jail_ino);
		argv[n++] = (char *)"-J";
		argv[n++] = (char *)p->jail;
		argv[n++] = (char *)"-j";
		argv[n++] = jdev;
	}
	argv[n] = NULL;
	(void)spawn_env(envp, sizeof(envp) / sizeof(envp[0]), names);
	spawn_opts_init(&o, argv);
	o.envp = envp;
	o.stdin_fd = in;
	o.stdout_fd = out;
	return spawn(&o);
}

static int
start_children(struct parent *p)
{
	int pc[2], nc[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pc) != 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, nc) != 0) {
		close(pc[0]);
		close(pc[1]);
		return -1;
	}
	p->notify = start_one(p, "notify", nc[1], SPAWN_NULL);
	p->net = p->notify > 0 ? start_one(p, "net", pc[1], nc[0]) : -1;
	close(pc[1]);
	close(nc[0]);
	close(nc[1]);
	if (p->notify <= 0 || p->net <= 0) {
		log_warn("cannot start the children");
		close(pc[0]);
		if (p->notify > 0)
			stop_child(&p->notify, "upsmon-notify");
		p->net = p->notify = 0;
		return -1;
	}
	if ((p->chan = parent_chan_new(pc[0], p->net)) == NULL ||
	    ev_fd_add(pc[0], EV_READ, on_chan, p) != 0)
		fatalx("channel");
	p->started = ev_clock();
	log_info("started upsmon-net (pid %ld) and upsmon-notify (pid %ld)", (long)p->net,
	    (long)p->notify);
	return 0;
}

/* Runs SHUTDOWNCMD, then closes the channel: the network child waits for that. */
static void
order(struct parent *p)
{
	log_warnx("upsmon-net orders the shutdown: running SHUTDOWNCMD");
	(void)upsmon_do_shutdown(p->cf);
	if (p->chan != NULL) {
		ev_fd_del(msg_chan_fd(p->chan));
		msg_chan_free(p->chan);
		p->chan = NULL;
	}
}

static void
on_chan(int fd, unsigned events, void *arg)
{
	struct parent *p = arg;
	int r = parent_drain(p->chan, &p->latched);

	if (r < 0) {
		die(p);
	} else if (r == 1) {
		order(p);
	} else if (r == 2) {
		ev_fd_del(fd);	/* the child is going: its exit is handled on SIGCHLD */
	}
}

static void
restart(void *arg)
{
	struct parent *p = arg;

	p->restart_timer = 0;
	if (start_children(p) != 0) {
		log_warnx("fatal: monitoring lost: the children cannot be started");
		die(p);
	}
}

static void
on_child(void *arg)
{
	struct parent *p = arg;
	int st, netdied = 0, notedied = 0, r;
	unsigned delay;

	/* first what the network child said before it went */
	if (p->chan != NULL && (r = parent_drain(p->chan, &p->latched)) != 0) {
		if (r < 0) {
			die(p);
			return;
		}
		if (r == 1)
			order(p);
	}
	if (p->net > 0 && spawn_reap(p->net, 0, &st) == 1) {
		netdied = 1;
		p->net = 0;
		if (!p->latched || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			log_warnx("upsmon-net exited (status %d)", st);
	}
	if (p->notify > 0 && spawn_reap(p->notify, 0, &st) == 1) {
		notedied = 1;
		p->notify = 0;
		if (!p->latched)
			log_warnx("upsmon-notify exited (status %d)", st);
	}
	if (!netdied && !notedied)
		return;
	if (p->latched) {
		/* the shutdown runs: when the network child is done, so are we */
		if (p->net == 0) {
			stop_children(p);
			log_notice("shutdown handed over: exiting");
			p->exit_code = EXIT_SUCCESS;
			ev_stop();
		}
		return;
	}
	stop_children(p);
	if (ev_clock() - p->started >= UPSMON_STABLE_MS)
		p->restarts = 0;
	if (++p->restarts > UPSMON_MAX_RESTARTS) {
		log_warnx("fatal: monitoring lost: the children died %d times in a row; "
		    "exiting so the service manager sees it", UPSMON_MAX_RESTARTS);
		p->exit_code = EXIT_FAILURE;
		ev_stop();
		return;
	}
	delay = 1000u << (p->restarts - 1);
	log_warnx("restarting the monitoring processes in %u s (restart %u of %d)",
	    delay / 1000, p->restarts, UPSMON_MAX_RESTARTS);
	if ((p->restart_timer = ev_timer_add(delay, restart, p)) == 0)
		fatalx("timer");
}

/*
 * SIGCHLD can come before the child is reapable (a traced child is handed
 * back by its tracer later), so the children are also checked every
 * SUPERVISE_MS.
 */
static void
supervise(void *arg)
{
	on_child(arg);
	if (ev_timer_add(SUPERVISE_MS, supervise, arg) == 0)
		fatalx("timer");
}

static void
on_stop(void *arg)
{
	struct parent *p = arg;

	log_notice("signal received: stopping");
	stop_children(p);
	p->exit_code = EXIT_SUCCESS;
	ev_stop();
}

static void
on_fsd(void *arg)
{
	struct parent *p = arg;

	if (p->net > 0)
		(void)kill(p->net, SIGUSR1);
}

static void
on_reload(void *arg)
{
	struct parent *p = arg;
	struct upsmon_conf *cf = upsmon_conf_new();

	if (upsmon_conf_load(cf, p->a->conf) != 0) {
		log_warnx("reload: %s has errors: the old configuration stays", p->a->conf);
		upsmon_conf_free(cf);
		return;
	}
	upsmon_conf_free(p->cf);
	p->cf = cf;
	log_notice("reloaded %s", p->a->conf);
	if (p->net > 0)
		(void)kill(p->net, SIGHUP);
	if (p->notify > 0)
		(void)kill(p->notify, SIGHUP);
}

/*
 * Jails left by an upsmon that was killed: only empty directories go
 * (rmdir), and only ours by name; the PID file check made sure no other
 * upsmon uses this state path.
 */
static void
clean_jails(void)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(paths_statepath());

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "upsmon-jail.", 12) != 0)
			continue;
		if (paths_join(path, sizeof(path), paths_statepath(), de->d_name) == 0 &&
		    rmdir(path) == 0)
			log_info("removed the stale jail %s", path);
	}
	closedir(d);
}

/* An empty root-owned directory in the state path for the network child. */
static int
make_jail(struct parent *p)
{
	struct stat st;

	clean_jails();
	if (paths_join(p->jail, sizeof(p->jail), paths_statepath(), "upsmon-jail.XXXXXX") != 0)
		return -1;
	if (mkdtemp(p->jail) == NULL) {
		log_warn("cannot make the jail %s", p->jail);
		return -1;
	}
	if (chmod(p->jail, 0555) != 0 || lstat(p->jail, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_warn("jail %s", p->jail);
		(void)rmdir(p->jail);
		return -1;
	}
	p->jail_dev = (unsigned long long)st.st_dev;
	p->jail_ino = (unsigned long long)st.st_ino;
	return 0;
}

int
parent_main(const struct upsmon_args *a, struct upsmon_conf *cf)
{
	struct parent p;
	struct sandbox_opts sb;
	int root = geteuid() == 0;

	memset(&p, 0, sizeof(p));
	p.a = a;
	p.cf = cf;
	if (root && make_jail(&p) != 0)
		return EXIT_FAILURE;
	if (ev_init() != 0 || ev_signal(SIGTERM, on_stop, &p) != 0 ||
	    ev_signal(SIGINT, on_stop, &p) != 0 || ev_signal(SIGQUIT, on_stop, &p) != 0 ||
	    ev_signal(SIGHUP, on_reload, &p) != 0 || ev_signal(SIGUSR1, on_fsd, &p) != 0 ||
	    ev_signal(SIGCHLD, on_child, &p) != 0)
		fatal("event loop");
	(void)signal(SIGUSR2, SIG_IGN);
	if (start_children(&p) != 0) {
		if (p.jail[0] != '\0')
			(void)rmdir(p.jail);
		return EXIT_FAILURE;
	}

	/* The parent's own filter: it stays root to run SHUTDOWNCMD. */
	memset(&sb, 0, sizeof(sb));
	sb.action = (enum sandbox_action)upsmon_sandbox_action(a, cf);
	sb.flags = a->foreground ? 0 : SB_F_SYSLOG;
	if (!root)
		sb.user = NULL;
	if (sandbox_confine(SB_ROLE_UPSMON_PARENT, &sb, NULL) != 0) {
		stop_children(&p);
		return EXIT_FAILURE;
	}
	daemon_ready();
	if (!a->foreground)
		log_set_dest(LOG_TO_SYSLOG);
	supervise(&p);
	p.exit_code = EXIT_SUCCESS;
	if (ev_run() != 0) {
		log_warnx("event loop failed");
		p.exit_code = EXIT_FAILURE;
	}
	stop_children(&p);
	if (p.jail[0] != '\0' && rmdir(p.jail) != 0)
		log_warn("cannot remove %s", p.jail);
	if (a->pidfile != NULL)
		pidfile_remove(a->pidfile);
	upsmon_conf_free(p.cf);
	ev_fini();
	return p.exit_code;
}
