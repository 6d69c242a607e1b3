/*
 * nutsec - monitor.c: the conversation with upsd about one MONITOR line,
 * through libupsclient: connect (STARTTLS as the CERT* settings say), log
 * in, claim PRIMARY (MASTER for old servers), GET the status (and the
 * alarm text while ALARM is set), send FSD, count the logins. A failure
 * that leaves the connection in doubt drops it; the next poll reconnects.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "net.h"
#include "xmalloc.h"

#include "monitor.h"

void
mon_init(struct mon *m, const struct mon_entry *e, const struct upscli_opts *o,
    long throttle)
{
	memset(m, 0, sizeof(*m));
	m->e = e;
	m->c = upscli_new(o);
	m->throttle = throttle;
	m->family = o != NULL ? o->family : NET_FAMILY_ANY;
}

/* What a name that did not resolve was asked for, under -4 or -6. */
static const char *
family_note(const struct mon *m)
{
	if (upscli_error(m->c) != UPSCLI_ERR_NOSUCHHOST)
		return "";
	return m->family == NET_FAMILY_V4 ? " (-4: IPv4 only)" :
	    m->family == NET_FAMILY_V6 ? " (-6: IPv6 only)" : "";
}

void
mon_free(struct mon *m)
{
	if (m->c != NULL) {
		upscli_close(m->c);
		m->c = NULL;
	}
	m->up = 0;
}

void
mon_drop(struct mon *m)
{
	if (m->up)
		upscli_disconnect(m->c);
	m->up = 0;
}

int
mon_preresolve(struct mon *m)
{
	if (upscli_preresolve(m->c, m->e->host, m->e->port) != 0) {
		log_warnx("UPS %s: cannot resolve %s now: %s%s", m->e->sys, m->e->host,
		    upscli_strerror(m->c), family_note(m));
		return -1;
	}
	return 0;
}

/*
 * After a failed call: log it as POLLFAIL_LOG_THROTTLE_MAX says (< 0 every
 * time, 0 only the first of a series, N the first and every Nth), then
 * drop the connection unless the server answered.
 */
static void
failed(struct mon *m, const char *what)
{
	m->nfail++;
	if (m->throttle < 0 || m->nfail == 1 || (m->throttle > 0 && m->nfail % m->throttle == 0))
		log_warnx("UPS %s: %s: %s%s (failure %lu in a row)", m->e->sys, what,
		    upscli_strerror(m->c), family_note(m), m->nfail);
	if (upscli_error(m->c) != UPSCLI_ERR_SERVER)
		mon_drop(m);
}

static int
claim_primary(struct mon *m)
{
	const char *pri[2] = { "PRIMARY", m->e->upsname };
	const char *mas[2] = { "MASTER", m->e->upsname };

	if (upscli_cmd(m->c, 2, pri, NULL, NULL) == 0)
		return 0;
	if (upscli_error(m->c) != UPSCLI_ERR_SERVER)
		return -1;
	return upscli_cmd(m->c, 2, mas, NULL, NULL);
}

static int
connect_login(struct mon *m)
{
	if (upscli_connect(m->c, m->e->host, m->e->port) != 0) {
		failed(m, "connect");
		return -1;
	}
	m->up = 1;
	if (upscli_login(m->c, m->e->user, m->e->pass, m->e->upsname) != 0) {
		failed(m, "login");
		mon_drop(m);
		return -1;
	}
	if (m->e->primary) {
		if (claim_primary(m) != 0) {
			log_warnx("UPS %s: PRIMARY refused (%s): is user %s 'upsmon primary' "
			    "in upsd.users?", m->e->sys, upscli_strerror(m->c), m->e->user);
			mon_drop(m);
			return -1;
		}
		log_notice("UPS %s: logged in as primary", m->e->sys);
	} else {
		log_notice("UPS %s: logged in as secondary", m->e->sys);
	}
	return 0;
}

static int
get_var(struct mon *m, const char *var, char *out, size_t outlen)
{
	const char *q[3] = { "VAR", m->e->upsname, var };
	size_t argc;
	char **argv;

	if (upscli_get(m->c, 3, q, &argc, &argv) != 0)
		return -1;
	if (argc < 4) {
		out[0] = '\0';
		return 0;
	}
	(void)str_copy(out, argv[3], outlen);
	return 0;
}

int
mon_poll(struct mon *m, char *status, size_t slen, char *alarm, size_t alen)
{
	alarm[0] = '\0';
	if (!m->up && connect_login(m) != 0)
		return -1;
	if (get_var(m, "ups.status", status, slen) != 0) {
		failed(m, "GET ups.status");
		return -1;
	}
	if (m->nfail > 0)
		log_notice("UPS %s: polled again after %lu failure(s)", m->e->sys, m->nfail);
	m->nfail = 0;
	if (strcasestr(status, "ALARM") != NULL && get_var(m, "ups.alarm", alarm, alen) != 0) {
		alarm[0] = '\0';
		if (upscli_error(m->c) != UPSCLI_ERR_SERVER) {
			failed(m, "GET ups.alarm");
			return -1;
		}
	}
	return 0;
}

int
mon_fsd(struct mon *m)
{
	const char *fsd[2] = { "FSD", m->e->upsname };

	if (!m->up && connect_login(m) != 0)
		return -1;
	if (upscli_cmd(m->c, 2, fsd, NULL, NULL) != 0) {
		failed(m, "FSD");
		return -1;
	}
	log_notice("UPS %s: FSD set", m->e->sys);
	return 0;
}

long
mon_numlogins(struct mon *m)
{
	const char *q[2] = { "NUMLOGINS", m->e->upsname };
	size_t argc;
	char **argv;
	long n;
	char *end;

	if (!m->up)
		return 0;
	if (upscli_get(m->c, 2, q, &argc, &argv) != 0 || argc < 3) {
		/* NUT reads a failure (DATA-STALE...) as "nobody is left" */
		failed(m, "GET NUMLOGINS");
		return 0;
	}
	n = strtol(argv[2], &end, 10);
	return *end == '\0' && n >= 0 ? n : 0;
}
