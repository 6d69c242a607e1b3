/*
 * nutsec - drv_shared.c: the instant commands and variables every driver
 * has, handled by the core before the driver's own handlers:
 * shutdown.default, driver.killpower (only with allow_killpower),
 * driver.reload, driver.reload-or-exit, driver.reload-or-error, the
 * unadvertised driver.exit, and the RW variables driver.debug and
 * driver.flag.allow_killpower. Also driver.state.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "drvcore.h"
#include "log.h"
#include "upsconf.h"
#include "xmalloc.h"

#define SDCOMMANDS_MAX 1024

void
shared_state(struct drv *d, const char *state)
{
	log_debug3("driver.state: %s", state);
	(void)drv_setinfo(d, "driver.state", "%s", state);
}

void
shared_publish(struct drv *d)
{
	static const char *const cmds[] = {
		"driver.killpower", "driver.reload", "driver.reload-or-error",
		"driver.reload-or-exit", "shutdown.default"
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		(void)drv_addcmd(d, cmds[i]);
	(void)drv_setinfo(d, "driver.flag.allow_killpower", "%d", d->ups->allow_killpower ? 1 : 0);
	(void)drv_setflags(d, "driver.flag.allow_killpower", VT_RW | VT_NUMBER);
	(void)drv_setinfo(d, "driver.debug", "%d",
	    d->debug_proto >= 0 ? d->debug_proto : d->debug_cfg);
	(void)drv_setflags(d, "driver.debug", VT_RW | VT_NUMBER);
}

static int
run_shutdown(struct drv *d)
{
	if (d->ops->shutdown == NULL) {
		log_warnx("UPS [%s]: driver %s cannot shut the load down", d->upsname,
		    d->ops->name);
		return -1;
	}
	return d->ops->shutdown(d);
}

int
shared_killpower(struct drv *d)
{
	char list[SDCOMMANDS_MAX];
	char *save = NULL, *cmd;
	int rc;

	if (d->ups->sdcommands == NULL)
		return run_shutdown(d);
	if (str_copy(list, d->ups->sdcommands, sizeof(list)) < 0) {
		log_warnx("sdcommands is too long");
		return -1;
	}
	/* The first command the device accepts ends the sequence. */
	for (cmd = strtok_r(list, ",", &save); cmd != NULL; cmd = strtok_r(NULL, ",", &save)) {
		while (*cmd == ' ')
			cmd++;
		if (*cmd == '\0' || strcmp(cmd, "driver.killpower") == 0)
			continue;
		if (strcmp(cmd, "shutdown.default") == 0)
			rc = run_shutdown(d) == 0 ? SP_STATUS_HANDLED : SP_STATUS_FAILED;
		else
			rc = dispatch_instcmd(d, cmd, NULL);
		if (rc == SP_STATUS_HANDLED) {
			log_notice("UPS [%s]: shutdown done with %s", d->upsname, cmd);
			return 0;
		}
		log_warnx("UPS [%s]: shutdown command %s failed", d->upsname, cmd);
	}
	return -1;
}

int
shared_instcmd(struct drv *d, const char *cmd, const char *param)
{
	int rc;

	if (strcasecmp(cmd, "shutdown.default") == 0)
		return run_shutdown(d) == 0 ? SP_STATUS_HANDLED : SP_STATUS_FAILED;
	if (strcasecmp(cmd, "driver.killpower") == 0) {
		const char *allow = drv_getinfo(d, "driver.flag.allow_killpower");

		if (allow == NULL || strcmp(allow, "1") != 0) {
			log_warnx("UPS [%s]: driver.killpower refused: "
			    "driver.flag.allow_killpower is not 1", d->upsname);
			return SP_STATUS_INVALID;
		}
		log_warnx("UPS [%s]: powering the load off (driver.killpower)", d->upsname);
		shared_state(d, "fsd.killpower");
		rc = shared_killpower(d);
		shared_state(d, "quiet");
		return rc == 0 ? SP_STATUS_HANDLED : SP_STATUS_FAILED;
	}
	if (strcasecmp(cmd, "driver.reload") == 0)
		return loop_reload(d, 0) < 0 ? SP_STATUS_FAILED : SP_STATUS_HANDLED;
	if (strcasecmp(cmd, "driver.reload-or-exit") == 0)
		return loop_reload(d, 1) < 0 ? SP_STATUS_FAILED : SP_STATUS_HANDLED;
	if (strcasecmp(cmd, "driver.reload-or-error") == 0)
		return loop_reload(d, 2) != 0 ? SP_STATUS_FAILED : SP_STATUS_HANDLED;
	if (strcasecmp(cmd, "driver.exit") == 0) {
		log_notice("UPS [%s]: exiting on request (driver.exit)", d->upsname);
		loop_exit(d, 0);
		return SP_STATUS_HANDLED;
	}
	return -1;
}

/* NUT's spellings for allow_killpower: 0/1, enable..., true, yes, on. */
static int
parse_onoff(const char *v, int *out)
{
	static const char *const on[] = { "1", "true", "yes", "on", NULL };
	static const char *const off[] = { "0", "false", "no", "off", NULL };
	int i;

	if (strncasecmp(v, "enable", 6) == 0) {
		*out = 1;
		return 0;
	}
	if (strncasecmp(v, "disable", 7) == 0) {
		*out = 0;
		return 0;
	}
	for (i = 0; on[i] != NULL; i++)
		if (strcasecmp(v, on[i]) == 0) {
			*out = 1;
			return 0;
		}
	for (i = 0; off[i] != NULL; i++)
		if (strcasecmp(v, off[i]) == 0) {
			*out = 0;
			return 0;
		}
	return -1;
}

int
shared_setvar(struct drv *d, const char *var, const char *value)
{
	if (strcasecmp(var, "driver.debug") == 0) {
		char *end;
		long n;

		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || n > 10 || n < -1000)
			return SP_STATUS_INVALID;
		/* Negative: back to the level from -D / debug_min. */
		d->debug_proto = n < 0 ? -1 : (int)n;
		params_apply_debug(d);
		(void)drv_setinfo(d, "driver.debug", "%d",
		    d->debug_proto >= 0 ? d->debug_proto : d->debug_cfg);
		log_notice("debug level set to %d", log_get_level());
		return SP_STATUS_HANDLED;
	}
	if (strcasecmp(var, "driver.flag.allow_killpower") == 0) {
		int on;

		if (parse_onoff(value, &on) < 0)
			return SP_STATUS_INVALID;
		(void)drv_setinfo(d, "driver.flag.allow_killpower", "%d", on);
		log_notice("UPS [%s]: driver.killpower %s", d->upsname,
		    on ? "allowed" : "not allowed");
		return SP_STATUS_HANDLED;
	}
	return -1;
}
