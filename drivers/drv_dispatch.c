/*
 * nutsec - drv_dispatch.c: what the driver does with each message a socket
 * client sends (NUT's dstate protocol, server -> driver side): dumps,
 * PING, GETPID, broadcast switches, LOGOUT, and INSTCMD / SET with their
 * TRACKING replies. sockproto has already checked the arity; replies go
 * to the client's bounded output buffer and overflowing it drops the
 * client.
 */
#include "config.h"

#include <unistd.h>

#include "buf.h"
#include "drvcore.h"
#include "log.h"
#include "sockproto.h"

int
dispatch_instcmd(struct drv *d, const char *cmd, const char *param)
{
	int rc = shared_instcmd(d, cmd, param);

	if (rc >= 0)
		return rc;
	if (d->ops->instcmd == NULL)
		return SP_STATUS_UNKNOWN;
	return d->ops->instcmd(d, cmd, param);
}

static void
do_instcmd(struct drv *d, struct sockclient *c, const struct sp_msg *m)
{
	int rc;

	log_notice("UPS [%s]: instant command %s%s%s from %s", d->upsname, m->name,
	    m->value != NULL ? " " : "", m->value != NULL ? m->value : "", sockclient_name(c));
	rc = dispatch_instcmd(d, m->name, m->value);
	log_debug("instant command %s: result %d", m->name, rc);
	if (m->tracking != NULL && sp_put_tracking(sockclient_out(c), m->tracking, rc) < 0)
		sockclient_overflow(c);
}

static void
do_set(struct drv *d, struct sockclient *c, const struct sp_msg *m)
{
	int rc = shared_setvar(d, m->name, m->value);

	if (rc < 0 && drv_immutable(d, m->name))
		rc = SP_STATUS_INVALID;
	if (rc < 0 && d->ops->setvar != NULL)
		rc = d->ops->setvar(d, m->name, m->value);
	if (rc < 0) {
		/* As in NUT: a driver without SET logs and does not answer. */
		log_notice("UPS [%s]: SET %s from %s ignored: the driver has no SET",
		    d->upsname, m->name, sockclient_name(c));
		return;
	}
	log_notice("UPS [%s]: SET %s \"%s\" from %s: result %d", d->upsname, m->name,
	    m->value, sockclient_name(c), rc);
	if (m->tracking != NULL && sp_put_tracking(sockclient_out(c), m->tracking, rc) < 0)
		sockclient_overflow(c);
}

void
dispatch_msg(void *arg, struct sockclient *c, const struct sp_msg *m)
{
	struct drv *d = arg;
	struct buf *out = sockclient_out(c);
	int rc = 0;

	log_debug2("%s: %s", sockclient_name(c), sp_verb_name(m->verb));
	switch (m->verb) {
	case SP_DUMPALL:
		rc = dstate_dump(d, out);
		break;
	case SP_DUMPVALUE:
		rc = dstate_dump_one(d, out, m->name);
		break;
	case SP_DUMPSTATUS:
		rc = dstate_dump_one(d, out, "ups.status");
		break;
	case SP_PING:
		rc = sp_put_verb(out, SP_PONG);
		break;
	case SP_GETPID:
		rc = buf_putf(out, "PID %ld\n", (long)getpid());
		break;
	case SP_NOBROADCAST:
		sockclient_set_broadcast(c, 0);
		break;
	case SP_BROADCAST:
		sockclient_set_broadcast(c, m->num > 0);
		break;
	case SP_LOGOUT:
		rc = buf_putf(out, "OK Goodbye\n");
		sockclient_close_after_flush(c);
		break;
	case SP_INSTCMD:
		do_instcmd(d, c, m);
		break;
	case SP_SET:
		do_set(d, c, m);
		break;
	default:
		/* Driver-to-server messages make no sense here; NUT ignores them too. */
		log_debug("%s: ignored %s", sockclient_name(c), sp_verb_name(m->verb));
		break;
	}
	if (rc < 0)
		sockclient_overflow(c);
}
