/*
 * nutsec - sm.c: upsmon's state machine (sm.h). Status tokens are matched
 * as whole words, case-insensitively; NUT's substring test for clearing
 * LB and the like is not kept (docs/compat.md). Every rule is in
 * docs/upsmon.md, "Behaviour".
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "log.h"
#include "xmalloc.h"

#include "sm.h"

static const struct {
	const char *tok;
	unsigned flag;
} tokens[] = {
	{ "OL", ST_OL }, { "OB", ST_OB }, { "LB", ST_LB }, { "RB", ST_RB },
	{ "CAL", ST_CAL }, { "OFF", ST_OFF }, { "BYPASS", ST_BYPASS },
	{ "ALARM", ST_ALARM }, { "OVER", ST_OVER }, { "TRIM", ST_TRIM },
	{ "BOOST", ST_BOOST }, { "FSD", ST_FSD }, { "ECO", ST_ECO },
	/* known, no effect */
	{ "HB", 0 }, { "CHRG", 0 }, { "DISCHRG", 0 },
};

/* Transitions with a notification each way (set, cleared). */
static const struct {
	unsigned flag;
	enum nt on, off;
} pairs[] = {
	{ ST_CAL, NT_CAL, NT_NOTCAL }, { ST_OFF, NT_OFF, NT_NOTOFF },
	{ ST_BYPASS, NT_BYPASS, NT_NOTBYPASS }, { ST_OVER, NT_OVER, NT_NOTOVER },
	{ ST_TRIM, NT_TRIM, NT_NOTTRIM }, { ST_BOOST, NT_BOOST, NT_NOTBOOST },
	{ ST_ECO, NT_ECO, NT_NOTECO },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define SEC_MS(x) ((x) < 0 ? (int64_t)-1 : (int64_t)(x) * 1000)

void
sm_params_from_conf(struct sm_params *p, const struct upsmon_conf *cf)
{
	p->hostsync_ms = (uint64_t)cf->hostsync * 1000;
	p->deadtime_ms = (uint64_t)cf->deadtime * 1000;
	p->nocommwarn_ms = (uint64_t)cf->nocommwarntime * 1000;
	p->rbwarn_ms = (uint64_t)cf->rbwarntime * 1000;
	p->offduration_ms = SEC_MS(cf->offduration);
	p->overduration_ms = SEC_MS(cf->overduration);
	p->oblbduration_ms = SEC_MS(cf->oblbduration);
	p->alarmcritical = cf->alarmcritical;
	p->minsupplies = cf->minsupplies;
}

void
sm_ups_init(struct sm_ups *u, const char *sys, unsigned power, int primary, uint64_t now)
{
	memset(u, 0, sizeof(*u));
	u->sys = sys;
	u->power = power;
	u->primary = primary;
	u->commstate = -1;
	u->linestate = 1;
	u->last_ok = now;
}

static void
notify(struct sm *s, enum nt type, const struct sm_ups *u, const char *extra)
{
	if (s->notify != NULL)
		s->notify(s->arg, type, u, extra);
}

/* Appends word to a space-separated list in out (truncating). */
static void
list_add(char *out, size_t outlen, const char *word)
{
	size_t len = strlen(out);

	if (len > 0 && len + 1 < outlen)
		out[len++] = ' ';
	(void)str_copy(out + len, word, outlen - len);
}

unsigned
sm_parse(const char *status, char *other, size_t otherlen)
{
	char buf[UPSMON_TEXT_MAX * 2], *w, *save = NULL;
	unsigned flags = 0;
	size_t i;

	if (otherlen > 0)
		other[0] = '\0';
	(void)str_copy(buf, status, sizeof(buf));
	for (w = strtok_r(buf, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		for (i = 0; i < NELEM(tokens); i++)
			if (strcasecmp(w, tokens[i].tok) == 0)
				break;
		if (i < NELEM(tokens))
			flags |= tokens[i].flag;
		else if (otherlen > 0)
			list_add(other, otherlen, w);
	}
	return flags;
}

static void
comm_good(struct sm *s, struct sm_ups *u, uint64_t now)
{
	if (u->commstate == 0)
		notify(s, NT_COMMOK, u, NULL);
	u->commstate = 1;
	u->last_ok = now;
	u->last_nocomm = 0;
}

void
sm_status(struct sm *s, struct sm_ups *u, const char *status, const char *alarm,
    uint64_t now)
{
	char other[UPSMON_TEXT_MAX];
	unsigned f, old;
	size_t i;

	if (status == NULL || strspn(status, " \t") == strlen(status)) {
		sm_fail(s, u, now);
		return;
	}
	f = sm_parse(status, other, sizeof(other));
	comm_good(s, u, now);
	old = u->flags;
	u->promoted = 0;

	if (f & ST_OB) {
		if (u->linestate != 0)
			notify(s, NT_ONBATT, u, NULL);
		u->linestate = 0;
	} else if (f & ST_OL) {
		if (u->linestate == 0)
			notify(s, NT_ONLINE, u, NULL);
		u->linestate = 1;
	}
	if ((f & ST_LB) && !(old & ST_LB))
		notify(s, NT_LOWBATT, u, NULL);
	if (f & ST_RB) {
		if (!(old & ST_RB) || u->last_rb == 0 || now - u->last_rb >= s->p.rbwarn_ms) {
			notify(s, NT_REPLBATT, u, NULL);
			u->last_rb = now;
		}
	} else {
		u->last_rb = 0;
	}
	for (i = 0; i < NELEM(pairs); i++) {
		if ((f & pairs[i].flag) && !(old & pairs[i].flag))
			notify(s, pairs[i].on, u, NULL);
		else if (!(f & pairs[i].flag) && (old & pairs[i].flag))
			notify(s, pairs[i].off, u, NULL);
	}
	if (f & ST_ALARM) {
		const char *text = alarm != NULL && alarm[0] != '\0' ? alarm : "n/a";

		if (!(old & ST_ALARM) || strcmp(text, u->alarm) != 0) {
			(void)str_copy(u->alarm, text, sizeof(u->alarm));
			notify(s, NT_ALARM, u, u->alarm);
		}
	} else if (old & ST_ALARM) {
		u->alarm[0] = '\0';
		notify(s, NT_NOTALARM, u, NULL);
	}
	if (f & ST_FSD) {
		if (!u->fsd_notified)
			notify(s, NT_FSD, u, NULL);
		u->fsd_notified = 1;
	} else {
		u->fsd_notified = 0;
	}
	if (strcmp(other, u->other) != 0) {
		(void)str_copy(u->other, other, sizeof(u->other));
		notify(s, other[0] != '\0' ? NT_OTHER : NT_NOTOTHER, u, u->other);
	}

	/* durations of the states that only count after a while */
	if (!(f & ST_OFF))
		u->off_since = 0;
	else if (u->off_since == 0)
		u->off_since = now;
	if (!(f & ST_OVER))
		u->over_since = 0;
	else if (u->over_since == 0)
		u->over_since = now;
	if ((f & (ST_OB | ST_LB)) != (ST_OB | ST_LB))
		u->oblb_since = 0;
	else if (u->oblb_since == 0)
		u->oblb_since = now;
	u->flags = f;
}

void
sm_fail(struct sm *s, struct sm_ups *u, uint64_t now)
{
	uint64_t since = u->last_ok;

	if (u->commstate != 0)
		notify(s, NT_COMMBAD, u, NULL);
	u->commstate = 0;
	if (now - since >= s->p.nocommwarn_ms &&
	    (u->last_nocomm == 0 || now - u->last_nocomm >= s->p.nocommwarn_ms)) {
		notify(s, NT_NOCOMM, u, NULL);
		u->last_nocomm = now;
	}
}

static int
elapsed(uint64_t since, int64_t dur_ms, uint64_t now)
{
	return since != 0 && dur_ms >= 0 && now - since >= (uint64_t)dur_ms;
}

int
sm_critical(const struct sm *s, const struct sm_ups *u, uint64_t now)
{
	unsigned f = u->flags;

	if (f & ST_FSD)
		return 1;
	if (u->commstate == 0) {
		if ((f & ST_ALARM) && s->p.alarmcritical)
			return 1;
		if (f & (ST_CAL | ST_BYPASS))
			return 1;
		if ((f & ST_OFF) && s->p.offduration_ms >= 0)
			return 1;
		if ((f & ST_OVER) && elapsed(u->over_since, s->p.overduration_ms, now))
			return 1;
	}
	if ((f & ST_OFF) && elapsed(u->off_since, s->p.offduration_ms, now))
		return 1;
	if ((f & (ST_OB | ST_LB)) == (ST_OB | ST_LB) && !(f & ST_CAL)) {
		if (s->p.oblbduration_ms > 0 &&
		    !elapsed(u->oblb_since, s->p.oblbduration_ms, now))
			return 0;
		if (u->primary)
			return 1;
		/* a secondary gives the primary HOSTSYNC to raise FSD */
		return u->oblb_since != 0 && now - u->oblb_since > s->p.hostsync_ms;
	}
	return 0;
}

int
sm_recalc(struct sm *s, uint64_t now)
{
	unsigned long val_ol = 0;
	unsigned any = 0;
	size_t i;

	for (i = 0; i < s->nups; i++) {
		struct sm_ups *u = &s->ups[i];

		/* DEADTIME: silent too long while on battery counts as LB */
		if (u->commstate == 0 && (u->flags & ST_OB) && !(u->flags & ST_LB) &&
		    now - u->last_ok > s->p.deadtime_ms) {
			log_warnx("UPS %s: no news for more than DEADTIME while on battery: "
			    "taken as low battery", u->sys);
			u->flags |= ST_LB;
			u->promoted = 1;
			if (u->oblb_since == 0)
				u->oblb_since = u->last_ok != 0 ? u->last_ok : now;
		}
		if (sm_critical(s, u, now))
			log_debug("UPS %s is critical", u->sys);
		else
			val_ol += u->power;
		any |= u->flags;
	}
	/* POLLFREQALERT: on entering these states, back only once none of the wider set */
	if (any & (ST_OB | ST_OFF | ST_BYPASS | ST_ALARM | ST_OVER))
		s->alert = 1;
	else if (!(any & (ST_CAL | ST_TRIM | ST_BOOST)))
		s->alert = 0;
	if ((long)val_ol < s->p.minsupplies) {
		log_warnx("power supplies left %lu, MINSUPPLIES %ld: shutting down", val_ol,
		    s->p.minsupplies);
		return 1;
	}
	return 0;
}
