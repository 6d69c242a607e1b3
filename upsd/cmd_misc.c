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
 * TLS is not configured in this build of upsd. When it is, this handler
 * replies OK STARTTLS and calls client_switch_io() with the TLS layer:
 * plaintext already received behind the request is discarded, never
 * executed inside the session. Stock clients continue in plaintext after
 * ERR.
 */
int
cmd_starttls(struct client *c, int argc, char **argv)
{
	reply_err(c, PERR_FEATURE_NOT_CONFIGURED);
	return -1;
}

int
cmd_logout(struct client *c, int argc, char **argv)
{
	reply_str(c, "OK Goodbye\n");
	c->want_close = 1;
	return 0;
}
