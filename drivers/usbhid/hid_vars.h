/*
 * nutsec - hid_vars.h: a subdriver table applied to a device: which
 * variables, status bits and commands it has, their values each cycle,
 * interrupt reports applied as they come, SET and instant commands turned
 * into reports. The results go to a sink: the driver core when serving,
 * stdout for --dump.
 */
#ifndef NUTSEC_HID_VARS_H
#define NUTSEC_HID_VARS_H

#include "hid_dev.h"
#include "hid_map.h"

struct hv_sink {
	void *ctx;
	/* a variable's value; rw when SET may change it */
	void (*set)(void *ctx, const char *name, const char *value, int rw);
	/* ups.status tokens of this cycle ("OL", "CHRG", ...), then alarms */
	void (*status)(void *ctx, const char *const *tokens, size_t n,
	    const char *const *alarms, size_t nalarms);
};

struct hvars;

/* Resolves the table against the device. NULL when out of memory. */
struct hvars *hv_new(struct hdev *h, const struct subdriver *sd, long offdelay, long ondelay);
void hv_free(struct hvars *v);
/* onlinedischarge: OL with DISCHRG is reported as OB, as NUT's flag does. */
void hv_set_onlinedischarge(struct hvars *v, int on);
/* The commands the device supports, one at a time: NULL after the last. */
const char *hv_cmd_name(const struct hvars *v, size_t i);
/* 1 if the device has a source for ups.status (a UPS, not some other HID device). */
int hv_is_ups(const struct hvars *v);
/*
 * Reads every variable and status bit (static ones the first time only)
 * into the sink; quick: the status bits only. 0, USBT_GONE when the device
 * went away, USBT_ERR when no read at all succeeded; a read that fails
 * alone only leaves its variable out.
 */
int hv_update(struct hvars *v, const struct hv_sink *s, int quick);
/* Applies the Input report id that just came by interrupt (already in the device's cache). */
void hv_interrupt(struct hvars *v, const struct hv_sink *s, int report_id);
/* An instant command: 0 done, -1 unknown, -2 the device refused, -3 bad parameter. */
int hv_instcmd(struct hvars *v, const char *cmd, const char *param);
/* A SET: 0 done, -1 unknown or read-only, -2 the device refused, -3 bad value. */
int hv_setvar(struct hvars *v, const struct hv_sink *s, const char *var, const char *value);
/* The shutdown of -k: shutdown.return, else shutdown.stayoff, else load.off.delay. 0 or -1. */
int hv_killpower(struct hvars *v);

#endif
