/*
 * nutsec - dummy_ups.c: the simulation driver. It publishes the variables
 * of a data file: a .dev file read once and re-read when its modification
 * time changes (dummy-once), or a .seq file played line by line with
 * TIMER pauses and started over at its end (dummy-loop). With
 * port = ups@host[:port] it is instead a repeater that copies another
 * upsd's UPS (dummy_repeater.c). SET changes a value in memory; load.off
 * is advertised and does nothing, as in NUT.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "devfile.h"
#include "driver.h"
#include "dummy.h"
#include "ev.h"
#include "log.h"
#include "paths.h"
#include "xmalloc.h"

#define DUMMY_VERSION "0.20"
#define DUMMY_MAX_ALARMS 16

enum dummy_mode { MODE_ONCE, MODE_LOOP, MODE_REPEATER };

static const char *const mode_names[] = { "dummy-once", "dummy-loop", "repeater" };

/* The one simulated device of this process. */
static struct {
	enum dummy_mode mode;
	char path[4096];
	struct devfile *df;		/* dummy-loop: where the sequence is */
	int at_end;			/* dummy-loop: the pass is over */
	struct timespec mtime;		/* dummy-once: of the last parse */
	int stat_failed;		/* logged once until it works again */
	uint64_t resume_at;		/* dummy-loop: end of the current TIMER */
	char alarm[DUMMY_MAX_ALARMS][VT_VALUE_MAX + 1];	/* from ALARM lines */
	size_t nalarms;
} dummy;

static const struct drv_vardef dummy_vars[] = {
	{ "mode", DRV_VAR_VALUE, "dummy-once, dummy-loop (or dummy), repeater" },
	{ "repeater_disable_strict_start", DRV_VAR_FLAG,
	  "repeater: keep running when the upstream upsd is down at start" },
};

static void
set_meta(struct drv *d, const char *name)
{
	const struct dummy_meta *m = dummy_meta_find(name);

	(void)drv_setflags(d, name, m->flags);
	if (m->aux != 0)
		(void)drv_setaux(d, name, m->aux);
}

int
dummy_apply(struct drv *d, const char *name, const char *value)
{
	if (drv_immutable(d, name)) {
		log_debug("%s is fixed by override.%s; not changed", name, name);
		return -1;
	}
	if (strcasecmp(name, "ups.status") == 0) {
		drv_status_init(d);
		drv_status_set(d, value);
		drv_status_commit(d);
		set_meta(d, "ups.status");
		return 0;
	}
	if (*value == '\0') {
		(void)drv_delinfo(d, name);
		return 0;
	}
	if (drv_setinfo(d, name, "%s", value) < 0)
		return -1;
	set_meta(d, name);
	return 0;
}

static void
alarm_add(const char *text)
{
	size_t i;

	for (i = 0; i < dummy.nalarms; i++)
		if (strcmp(dummy.alarm[i], text) == 0)
			return;
	if (dummy.nalarms >= DUMMY_MAX_ALARMS) {
		log_warnx("more than %d alarms; \"%s\" dropped", DUMMY_MAX_ALARMS, text);
		return;
	}
	(void)str_copy(dummy.alarm[dummy.nalarms++], text, sizeof(dummy.alarm[0]));
}

static void
alarm_publish(struct drv *d)
{
	size_t i;

	drv_alarm_init(d);
	for (i = 0; i < dummy.nalarms; i++)
		drv_alarm_set(d, dummy.alarm[i]);
	drv_alarm_commit(d);
	if (drv_getinfo(d, "ups.alarm") != NULL)
		set_meta(d, "ups.alarm");
}

/*
 * Applies entries until EOF, or until a TIMER when stop_at_timer.
 * Returns the TIMER's seconds, or -1 at EOF.
 */
static long
play(struct drv *d, struct devfile *df, int stop_at_timer)
{
	struct dev_entry e;
	long timer = -1;

	for (;;) {
		enum dev_kind k = devfile_next(df, &e);

		if (k == DEV_EOF)
			break;
		if (k == DEV_ERROR) {
			log_warnx("%s", e.error);
			continue;
		}
		if (k == DEV_TIMER) {
			if (!stop_at_timer)
				continue;
			timer = e.timer;
			break;
		}
		if (k == DEV_ALARM) {
			if (e.value[0] == '\0')
				dummy.nalarms = 0;
			else
				alarm_add(e.value);
			continue;
		}
		if (dummy_apply(d, e.name, e.value) < 0)
			log_warnx("%s:%lu: %s not set", dummy.path, e.line, e.name);
	}
	alarm_publish(d);
	return timer;
}

/* dummy-once: parse the whole file; remember its mtime. */
static int
parse_once(struct drv *d)
{
	char err[4200];
	struct devfile *df;
	struct stat st;

	if (conf_stat(dummy.path, &st) == 0)
		dummy.mtime = st.st_mtim;
	df = devfile_open(dummy.path, err, sizeof(err));
	if (df == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	dummy.nalarms = 0;
	(void)play(d, df, 0);
	devfile_free(df);
	return 0;
}

static int
update_once(struct drv *d)
{
	struct stat st;

	if (conf_stat(dummy.path, &st) < 0) {
		if (!dummy.stat_failed)
			log_warn("cannot check %s; keeping the values read", dummy.path);
		dummy.stat_failed = 1;
		return 0;
	}
	dummy.stat_failed = 0;
	if (st.st_mtim.tv_sec == dummy.mtime.tv_sec && st.st_mtim.tv_nsec == dummy.mtime.tv_nsec)
		return 0;
	log_info("%s changed; reading it again", dummy.path);
	return parse_once(d) < 0 ? -1 : 0;
}

/* dummy-loop: play up to the next TIMER; at the end, start over next cycle. */
static int
update_loop(struct drv *d)
{
	uint64_t now = ev_clock();
	char err[4200];
	long timer;

	if (now < dummy.resume_at) {
		drv_next_update(d, (unsigned long)(dummy.resume_at - now));
		return 0;
	}
	if (dummy.df == NULL || dummy.at_end) {
		/* Each pass reads the file again (it may have changed); if it cannot
		 * be read (e.g. outside a chroot), the last copy plays again. */
		struct devfile *df = devfile_open(dummy.path, err, sizeof(err));

		if (df != NULL) {
			devfile_free(dummy.df);
			dummy.df = df;
		} else if (dummy.df != NULL) {
			log_debug("%s; playing the copy read before", err);
			devfile_rewind(dummy.df);
		} else {
			log_warnx("%s", err);
			return -1;
		}
		dummy.at_end = 0;
		dummy.nalarms = 0;
	}
	timer = play(d, dummy.df, 1);
	if (timer >= 0) {
		dummy.resume_at = now + (uint64_t)timer * 1000;
		drv_next_update(d, timer > 0 ? (unsigned long)timer * 1000 : 1);
	} else
		dummy.at_end = 1;
	return 0;
}

static int
pick_mode(struct drv *d, const char *port)
{
	const char *m = drv_getval(d, "mode");
	size_t n = strlen(port);

	if (m != NULL) {
		if (strcmp(m, "dummy-once") == 0)
			dummy.mode = MODE_ONCE;
		else if (strcmp(m, "dummy-loop") == 0 || strcmp(m, "dummy") == 0)
			dummy.mode = MODE_LOOP;
		else if (strcmp(m, "repeater") == 0)
			dummy.mode = MODE_REPEATER;
		else {
			log_warnx("mode = %s: expected dummy-once, dummy-loop, dummy or repeater", m);
			return -1;
		}
	} else if (strchr(port, '@') != NULL)
		dummy.mode = MODE_REPEATER;
	else if (n > 4 && strcmp(port + n - 4, ".dev") == 0)
		dummy.mode = MODE_ONCE;
	else
		dummy.mode = MODE_LOOP;	/* .seq, and NUT's legacy "dummy" */
	return 0;
}

/* Absolute as is; "./x" relative to the start directory; else the conf dir. */
static int
resolve_path(struct drv *d, const char *port)
{
	const char *base;

	if (port[0] == '/')
		return str_copy(dummy.path, port, sizeof(dummy.path));
	base = port[0] == '.' ? drv_startdir(d) : paths_confpath();
	if (base[0] == '\0') {
		log_warnx("cannot tell where %s is (no working directory)", port);
		return -1;
	}
	if (paths_join(dummy.path, sizeof(dummy.path), base, port) < 0) {
		log_warnx("path %s/%s is too long", base, port);
		return -1;
	}
	return 0;
}

/* The data file's directory stays open: re-reads work inside the jail. */
static int
keep_data_dir(void)
{
	char dir[sizeof(dummy.path)];
	char *slash;

	(void)str_copy(dir, dummy.path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (conf_keep_dir(dir) < 0) {
		log_warn("cannot open %s", dir);
		return -1;
	}
	return 0;
}

static int
dummy_init(struct drv *d)
{
	const char *port = drv_port(d);

	if (pick_mode(d, port) < 0)
		return -1;
	(void)drv_setinfo(d, "driver.parameter.mode", "%s", mode_names[dummy.mode]);
	if (dummy.mode == MODE_REPEATER) {
		/* A network client of another upsd: the driver-net filter. */
		(void)drv_sandbox_role(d, "driver-net");
		return repeater_init(d, port, !drv_testvar(d, "repeater_disable_strict_start"));
	}
	if (resolve_path(d, port) < 0 || keep_data_dir() < 0)
		return -1;

	/* What NUT's dummy-ups shows before the file is read. */
	(void)dummy_apply(d, "ups.mfr", "Dummy Manufacturer");
	(void)dummy_apply(d, "ups.model", "Dummy UPS");
	(void)dummy_apply(d, "ups.status", "OL");
	(void)drv_addcmd(d, "load.off");
	if (dummy.mode == MODE_ONCE)
		return parse_once(d);
	/* dummy-loop: the first update plays up to the first TIMER. Fail early
	 * on a missing file rather than at the first cycle. */
	if (access(dummy.path, R_OK) < 0) {
		log_warn("cannot read %s", dummy.path);
		return -1;
	}
	return 0;
}

static int
dummy_update(struct drv *d)
{
	switch (dummy.mode) {
	case MODE_ONCE:
		return update_once(d);
	case MODE_LOOP:
		return update_loop(d);
	case MODE_REPEATER:
		return repeater_update(d);
	}
	return -1;
}

static int
dummy_shutdown(struct drv *d)
{
	log_notice("UPS [%s]: simulated shutdown (dummy-ups drives no device)",
	    drv_upsname(d));
	return 0;
}

static int
dummy_instcmd(struct drv *d, const char *cmd, const char *param)
{
	/* load.off is advertised but, as in NUT, does nothing. */
	log_info("UPS [%s]: instant command %s is not implemented by dummy-ups",
	    drv_upsname(d), cmd);
	return SP_STATUS_UNKNOWN;
}

static int
dummy_setvar(struct drv *d, const char *var, const char *value)
{
	if (dummy.mode == MODE_REPEATER)
		return -1;	/* SET is not forwarded upstream (as in NUT) */
	return dummy_apply(d, var, value) == 0 ? SP_STATUS_HANDLED : SP_STATUS_INVALID;
}

static void
dummy_cleanup(struct drv *d)
{
	devfile_free(dummy.df);
	dummy.df = NULL;
	if (dummy.mode == MODE_REPEATER)
		repeater_cleanup();
}

static const struct driver_ops dummy_ops = {
	.name = "dummy-ups",
	.version = DUMMY_VERSION,
	.vartable = dummy_vars,
	.nvartable = sizeof(dummy_vars) / sizeof(dummy_vars[0]),
	.init = dummy_init,
	.update = dummy_update,
	.shutdown = dummy_shutdown,
	.instcmd = dummy_instcmd,
	.setvar = dummy_setvar,
	.cleanup = dummy_cleanup,
};

int
main(int argc, char **argv)
{
	return drv_main(argc, argv, &dummy_ops);
}
