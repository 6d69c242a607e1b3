/*
 * nutsec - cmd_set.c: requests forwarded to a driver (SET VAR, INSTCMD) and
 * SET TRACKING. The checks run in NUT's order; the value checks compare the
 * raw value (NUT compared the escaped form) and ranges accept only whole
 * decimal numbers (NUT's atoi turned garbage into 0). "OK" means the
 * request was forwarded; with tracking on, the result comes later through
 * GET TRACKING on this connection.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "vartree.h"

#include "upsd.h"

int
cmd_set_tracking(struct client *c, int argc, char **argv)
{
	if (strcasecmp(argv[0], "ON") == 0)
		c->tracking = 1;
	else if (strcasecmp(argv[0], "OFF") == 0)
		c->tracking = 0;
	else {
		reply_err(c, PERR_INVALID_ARGUMENT);
		return -1;
	}
	reply_str(c, "OK\n");
	return 0;
}

/* Is value one of the variable's ranges? Only a whole decimal number can be. */
static int
set_in_range(const struct vt_var *v, const char *value)
{
	size_t i, n = vt_range_count(v);
	char *end;
	long x;

	errno = 0;
	x = strtol(value, &end, 10);
	if (end == value || *end != '\0' || errno != 0)
		return 0;
	for (i = 0; i < n; i++) {
		long min, max;

		vt_range_at(v, i, &min, &max);
		if (x >= min && x <= max)
			return 1;
	}
	return 0;
}

static int
set_in_enum(const struct vt_var *v, const char *value)
{
	size_t i, n = vt_enum_count(v);

	for (i = 0; i < n; i++)
		if (strcmp(vt_enum_at(v, i), value) == 0)
			return 1;
	return 0;
}

/* The value checks of SET VAR (steps 4-8 of NUT's order). */
static enum proto_err
set_check_value(struct ups *u, const char *var, const char *value)
{
	struct vt_var *v = vt_get(u->tree, var);
	unsigned fl;

	if (v == NULL)
		return PERR_VAR_NOT_SUPPORTED;
	fl = vt_flags(v);
	if (!(fl & VT_RW))
		return PERR_READONLY;
	if (fl & VT_STRING) {
		if (vt_aux(v) < 1)
			return PERR_SET_FAILED;
		if ((long)strlen(value) > vt_aux(v))
			return PERR_TOO_LONG;
	}
	if (strlen(value) > VT_VALUE_MAX)
		return PERR_TOO_LONG;
	if (vt_enum_count(v) > 0 && !set_in_enum(v, value))
		return PERR_INVALID_VALUE;
	if (vt_range_count(v) > 0 && !set_in_range(v, value))
		return PERR_INVALID_VALUE;
	return PERR__COUNT;
}

/* "OK" or "OK TRACKING <id>" after a successful forward. */
static void
reply_forwarded(struct client *c, const char *id)
{
	if (id[0] != '\0') {
		reply_str(c, "OK TRACKING ");
		reply_str(c, id);
		reply_raw(c, "\n", 1);
	} else
		reply_str(c, "OK\n");
}

int
cmd_set_var(struct client *c, int argc, char **argv)
{
	const char *var = argv[1], *value = argv[2];
	char id[TRACKING_ID_SIZE] = "";
	struct ups *u = ups_lookup(c, argv[0]);
	enum proto_err e;

	if (u == NULL || ups_check_avail(c, u) != 0)
		return -1;
	if (auth_user(c, "SET", u->name, ACT_SET, NULL) == NULL)
		return -1;
	if ((e = set_check_value(u, var, value)) != PERR__COUNT) {
		reply_err(c, e);
		return -1;
	}
	if (c->tracking && tracking_new(c, u, id) != 0)
		id[0] = '\0';
	if (driver_send_set(u, var, value, id[0] ? id : NULL) != 0) {
		if (id[0] != '\0')
			tracking_cancel(c, id);
		reply_err(c, PERR_SET_FAILED);
		return -1;
	}
	log_info("Client %s@%s set %s on UPS [%s]", c->username, c->peer, var, u->name);
	reply_forwarded(c, id);
	return 0;
}

int
cmd_instcmd(struct client *c, int argc, char **argv)
{
	const char *cmd = argv[1];
	/* NUT uses the parameter only when exactly three words came. */
	const char *param = argc == 3 ? argv[2] : NULL;
	char id[TRACKING_ID_SIZE] = "";
	struct ups *u = ups_lookup(c, argv[0]);

	if (u == NULL || ups_check_avail(c, u) != 0)
		return -1;
	if (!vt_cmd_has(u->tree, cmd)) {
		reply_err(c, PERR_CMD_NOT_SUPPORTED);
		return -1;
	}
	if (auth_user(c, "INSTCMD", u->name, 0, cmd) == NULL)
		return -1;
	if (c->tracking && tracking_new(c, u, id) != 0)
		id[0] = '\0';
	if (driver_send_instcmd(u, cmd, param, id[0] ? id : NULL) != 0) {
		if (id[0] != '\0')
			tracking_cancel(c, id);
		reply_err(c, PERR_INSTCMD_FAILED);
		return -1;
	}
	log_info("Client %s@%s ran %s%s%s on UPS [%s]", c->username, c->peer, cmd,
	    param ? " " : "", param ? param : "", u->name);
	reply_forwarded(c, id);
	return 0;
}
