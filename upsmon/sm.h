/*
 * nutsec - sm.h: upsmon's decisions, without any I/O. It is fed what the
 * polls found (a status string and alarm text, or a failure) with the time
 * in milliseconds, and says through a callback which notifications are
 * due, and through sm_recalc() whether this machine must shut down (the
 * critical-UPS rules, DEADTIME promotion, MINSUPPLIES). The unit test
 * drives it with strings and a clock of its own.
 */
#ifndef NUTSEC_UPSMON_SM_H
#define NUTSEC_UPSMON_SM_H

#include <stdint.h>

#include "upsmon.h"

/* Status flags (ups.status tokens). */
#define ST_OL      0x0001
#define ST_OB      0x0002
#define ST_LB      0x0004
#define ST_RB      0x0008
#define ST_CAL     0x0010
#define ST_OFF     0x0020
#define ST_BYPASS  0x0040
#define ST_ALARM   0x0080
#define ST_OVER    0x0100
#define ST_TRIM    0x0200
#define ST_BOOST   0x0400
#define ST_FSD     0x0800
#define ST_ECO     0x1000

/* Timing and policy, taken from upsmon.conf (sm_params_from_conf). */
struct sm_params {
	uint64_t hostsync_ms, deadtime_ms, nocommwarn_ms, rbwarn_ms;
	int64_t offduration_ms, overduration_ms, oblbduration_ms;	/* < 0: never */
	int alarmcritical;
	long minsupplies;
};

struct sm_ups {
	const char *sys;	/* borrowed: the MONITOR name */
	unsigned power;
	int primary;
	/* what is known */
	unsigned flags;		/* ST_* of the last good poll (LB also by promotion) */
	int commstate;		/* -1 never polled, 0 lost, 1 good */
	int linestate;		/* 1 on line (assumed at start), 0 on battery */
	char alarm[UPSMON_TEXT_MAX];
	char other[UPSMON_TEXT_MAX];
	uint64_t last_ok;	/* time of the last good poll (start time before) */
	uint64_t last_nocomm;	/* last NOCOMM, 0 = none yet */
	uint64_t last_rb;	/* last REPLBATT */
	uint64_t off_since, over_since, oblb_since;	/* 0 = not in that state */
	int fsd_notified;
	int promoted;		/* LB set by DEADTIME */
};

typedef void (*sm_notify_fn)(void *arg, enum nt type, const struct sm_ups *u,
    const char *extra);

struct sm {
	struct sm_params p;
	struct sm_ups *ups;
	size_t nups;
	int alert;		/* poll at POLLFREQALERT */
	sm_notify_fn notify;
	void *arg;
};

void sm_params_from_conf(struct sm_params *p, const struct upsmon_conf *cf);
/* Sets up one UPS at time now. */
void sm_ups_init(struct sm_ups *u, const char *sys, unsigned power, int primary, uint64_t now);

/* A good poll: status as the server sent it, alarm text (or NULL). An empty
 * status is handled as a failure. */
void sm_status(struct sm *s, struct sm_ups *u, const char *status, const char *alarm,
    uint64_t now);
/* A failed poll (connect, login or GET). */
void sm_fail(struct sm *s, struct sm_ups *u, uint64_t now);
/* After all polls: 1 if the machine must shut down now. */
int sm_recalc(struct sm *s, uint64_t now);
/* 1 if u counts as critical now (the rules in docs/upsmon.md). */
int sm_critical(const struct sm *s, const struct sm_ups *u, uint64_t now);
/* Parses one status string into ST_* flags; unknown tokens into other. */
unsigned sm_parse(const char *status, char *other, size_t otherlen);

#endif
