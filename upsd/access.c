/*
 * nutsec - access.c: TCP-wrappers rules (hosts.allow / hosts.deny) for the
 * commands that act with a user's authority, as in NUT: the daemon name is
 * "upsd", the client is the NUT user name at the peer's address, so a rule
 * such as "upsd : admin@127.0.0.1/32" allows one user from one network.
 * Without libwrap every user is allowed here (upsd.users still decides).
 */
#include "config.h"

#include "upsd.h"

#ifdef HAVE_LIBWRAP
#include <syslog.h>
#include <tcpd.h>

/* libwrap reads these two from the program that links it. */
int allow_severity = LOG_INFO;
int deny_severity = LOG_WARNING;

int
access_allowed(const char *user, const char *peer)
{
	struct request_info req;

	request_init(&req, RQ_DAEMON, "upsd", RQ_USER, user, RQ_CLIENT_ADDR, peer, 0);
	return hosts_access(&req) != 0;
}
#else
int
access_allowed(const char *user, const char *peer)
{
	return 1;
}
#endif
