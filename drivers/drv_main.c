/*
 * nutsec - drv_main.c: drv_main, the start-up and shut-down order of every
 * driver, written as numbered steps: options and ups.conf, user lookup,
 * background, state, device (init + first update), socket, PID file, the
 * sandbox (chroot, user, no capabilities, no_new_privs, the role's seccomp
 * filter), event loop, clean-up in reverse. Also -k.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drvcore.h"
#include "ev.h"
#include "log.h"
#include "net.h"
#include "paths.h"
#include "perm.h"
#include "pidfile.h"
#include "upsconf.h"
#include "xmalloc.h"

const char *
drv_startdir(const struct drv *d)
{
	return d->startdir;
}

int
drv_sandbox_role(struct drv *d, const char *role)
{
	int r = sandbox_role_lookup(role);

	if (r < 0 || r == SB_ROLE_UPSD)
		return -1;
	d->sb_role = r;
	/* The repeater's upstream may answer OK STARTTLS: NSS handshakes. */
	if (r == SB_ROLE_DRIVER_NET)
		d->sb.flags |= SB_F_TLS;
	return 0;
}

const char *
drv_sandbox_action(const struct drv *d)
{
	return sandbox_action_name(d->sb.action);
}

static int
build_paths(struct drv *d)
{
	char name[512];

	if (str_printf(name, sizeof(name), "%s-%s", d->ops->name, d->upsname) < 0 ||
	    paths_join(d->sockpath, sizeof(d->sockpath), d->statepath, name) < 0) {
		log_warnx("socket path %s/%s-%s is too long for a Unix socket; use a shorter "
		    "state path", d->statepath, d->ops->name, d->upsname);
		return -1;
	}
	if (str_printf(name, sizeof(name), "%s-%s.pid", d->ops->name, d->upsname) < 0 ||
	    paths_join(d->pidpath, sizeof(d->pidpath), paths_altpidpath(), name) < 0) {
		log_warnx("PID file path too long");
		return -1;
	}
	return 0;
}

/* -k: open the device, power the load off, exit. No socket, no loop. */
static int
killpower(struct drv *d)
{
	int rc = 1;

	log_notice("UPS [%s]: initiating shutdown (-k)", d->upsname);
	if (d->ops->init(d) < 0)
		goto out;
	rc = shared_killpower(d) == 0 ? 0 : 1;
	events_clear(d);
	if (d->ops->cleanup != NULL)
		d->ops->cleanup(d);
out:
	return rc;
}

/* Another instance answering on our socket must be stopped first. */
static int
check_running(struct drv *d)
{
	int fd = net_connect_unix(d->sockpath, 0);

	if (fd < 0)
		return 0;
	close(fd);
	log_warnx("another %s for [%s] is running (its socket %s answers); stop it "
	    "first (upsdrvctl stop %s)", d->ops->name, d->upsname, d->sockpath, d->upsname);
	return -1;
}

static void
cleanup(struct drv *d)
{
	shared_state(d, "cleanup.exit");
	sockserv_free(d->ss);
	d->ss = NULL;
	/* The driver's watches and timers go before it closes what they use. */
	events_clear(d);
	if (d->ops->cleanup != NULL)
		d->ops->cleanup(d);
	if (d->pidfile_written)
		pidfile_remove(d->pidpath);
	dstate_fini(d);
	ev_fini();
}

static int
run(struct drv *d)
{
	long gid;
	int bg = d->opts.foreground == -1 || d->opts.foreground == 0;

	/* 2. Resolve the user, group, jail and filter action now: the chroot has
	 * no passwd file. */
	if (privdrop_resolve(d, &gid) < 0 || check_running(d) < 0)
		return 1;

	/* 3. Detach; the parent exits 0 only once we are serving (step 9). */
	if (bg) {
		if (daemon_background() < 0)
			return 1;
		/* stderr stays until step 9, so start-up errors reach the terminal. */
	}

	/* 4. The loop and the state, with driver.* published before init. */
	if (ev_init() < 0) {
		log_warn("cannot create the event loop");
		return 1;
	}
	dstate_init(d);
	shared_state(d, "init.starting");
	(void)params_publish(d);
	shared_publish(d);

	/* 5. Open the device and read it once, so the first DUMPALL is whole. */
	shared_state(d, "init.device");
	if (d->ops->init(d) < 0) {
		log_warnx("UPS [%s]: cannot initialise %s", d->upsname, d->ups->port);
		goto fail;
	}
	loop_first_update(d);
	if (d->opts.dump_after == 1) {
		/* -d 1: the dump is printed; no socket, no loop. */
		cleanup(d);
		return d->exit_status;
	}

	/* 6. The socket, group-owned so upsd (the unprivileged group) connects. */
	if (perm_check_statepath(d->statepath) < 0)
		goto fail;
	d->ss = sockserv_new(d->sockpath, gid, dispatch_msg, d);
	if (d->ss == NULL)
		goto fail;
	d->started = 1;

	/* 7. The PID file, while we may still write the directory. */
	if (bg || d->opts.foreground == 2) {
		if (pidfile_write(d->pidpath) < 0)
			goto fail;
		d->pidfile_written = 1;
	}

	/* 8. Signal handlers (a pipe, sigaction), then the sandbox: chroot, user and group only, no capabilities,
	 * no_new_privs, the role's seccomp filter; nothing privileged after this. */
	if (loop_signals(d) < 0)
		goto fail;
	if (bg)
		daemon_detach_stdio();	/* no /dev/null in the jail */
	if (privdrop_enter(d) < 0)
		goto fail;

	/* 9. Serving: let upsdrvctl (our parent's parent) go on. */
	log_notice("UPS [%s]: %s serving on %s", d->upsname, d->ops->name, d->sockpath);
	if (bg) {
		log_set_dest(LOG_TO_SYSLOG);
		daemon_ready();
	}

	/* 10. The event loop until a signal or driver.exit: update cycles, socket
	 * I/O, and the driver's own watches and timers (drv_events.c). */
	d->exit_status = loop_run(d);
	cleanup(d);
	return d->exit_status;
fail:
	cleanup(d);
	return 1;
}

int
drv_main(int argc, char **argv, const struct driver_ops *ops)
{
	struct drv d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.ops = ops;
	d.debug_proto = -1;
	d.sb_role = SB_ROLE_DRIVER;
	/* Relative data paths are relative to where we were started. */
	if (getcwd(d.startdir, sizeof(d.startdir)) == NULL)
		d.startdir[0] = '\0';
	log_init(ops->name, 0, LOG_TO_STDERR | LOG_TO_SYSLOG);

	/* 1. Options and ups.conf: every problem is reported before anything opens. */
	rc = cli_parse(argc, argv, ops, &d.opts);
	if (rc != 0)
		return rc > 0 ? 0 : 1;
	d.upsname = xstrdup(d.opts.upsname);
	if (params_load(&d) < 0 || build_paths(&d) < 0) {
		rc = 1;
		goto out;
	}
	if (d.opts.command != NULL) {
		rc = cli_command(&d);
		goto out;
	}
	/* Writes to a socket whose client left must not kill the driver. */
	(void)signal(SIGPIPE, SIG_IGN);
	if (d.opts.killpower) {
		if (ev_init() < 0) {
			rc = 1;
			goto out;
		}
		dstate_init(&d);
		rc = killpower(&d);
		dstate_fini(&d);
		ev_fini();
		goto out;
	}
	rc = run(&d);
out:
	upsconf_free(d.uc);
	free(d.upsname);
	return rc;
}
