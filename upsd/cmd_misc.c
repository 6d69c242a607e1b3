/*
 * nutsec - cmd_misc.c: the commands that need no UPS and no user: VER,
 * NETVER/PROTVER, HELP, STARTTLS and LOGOUT.
 */
#include "config.h"

#include "log.h"

#include "upsd.h"

int
cmd_ver(struct client *c, int argc, char **argv)
{
	reply_str(c, "Network UPS Tools upsd " PACKAGE_VERSION " - nutsec\n");
	return 0;
}

int
cmd_netver(struct client *c, int argc, char **argv)
{
	reply_str(c, NUT_NETPROTO_VERSION "\n");
	return 0;
}

int
cmd_help(struct client *c, int argc, char **argv)
{
	/* NUT's list; PRIMARY, MASTER, FSD and NETVER are left out on purpose. */
	reply_str(c, "Commands: HELP VER PROTVER GET LIST SET INSTCMD LOGIN LOGOUT "
	    "USERNAME PASSWORD STARTTLS\n");
	return 0;
}

/*
 * OK STARTTLS, then the switch: plaintext already received behind this
 * line is discarded (and logged), never executed inside the session; the
 * handshake starts once the OK has left (client_tls.c). Stock clients go
 * on in plaintext after an ERR.
 */
int
cmd_starttls(struct client *c, int argc, char **argv)
{
	if (c->tls != NULL || c->next_io != NULL) {
		reply_err(c, PERR_ALREADY_SSL_MODE);
		return -1;
	}
	if (!upsd_tls_enabled()) {
		reply_err(c, PERR_FEATURE_NOT_CONFIGURED);
		return -1;
	}
	reply_str(c, "OK STARTTLS\n");
	client_switch_io(c, &client_tls_io);
	return 0;
}

int
cmd_logout(struct client *c, int argc, char **argv)
{
	reply_str(c, "OK Goodbye\n");
	c->want_close = 1;
	return 0;
}
