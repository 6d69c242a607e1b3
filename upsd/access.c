/*
 * nutsec - access.c: TCP-wrappers rules (hosts.allow / hosts.deny) for the
 * commands that act with a user's authority, as in NUT: the daemon name is
 * "upsd", the client is the NUT user name at the peer's address, so a rule
 * such as "upsd : admin@127.0.0.1/32" allows one user from one network.
 * Without libwrap every user is allowed here (upsd.users still decides).
 * libwrap reads the rule files on every check, so they must be reachable
 * from inside upsd's jail; access_rules_outside() tells main() when not.
 */
#include "config.h"

#include "upsd.h"

#ifdef HAVE_LIBWRAP
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <tcpd.h>

#include "xmalloc.h"

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

/* 1 if the file holds at least one rule (a line that is not blank or #). */
static int
has_rules(const char *path)
{
	char line[1024];
	FILE *fp = fopen(path, "re");
	int found = 0;

	if (fp == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		const char *p = line + strspn(line, " \t\r\n");

		found = *p != '\0' && *p != '#';
	}
	fclose(fp);
	return found;
}

/* 1 if path exists under jail (the same path seen from inside). */
static int
in_jail(const char *jail, const char *path)
{
	char full[4096];
	FILE *fp;

	if (str_printf(full, sizeof(full), "%s%s", jail, path) < 0 ||
	    (fp = fopen(full, "re")) == NULL)
		return 0;
	fclose(fp);
	return 1;
}

const char *
access_rule_file(size_t i)
{
	return i == 0 ? hosts_allow_table : i == 1 ? hosts_deny_table : NULL;
}

const char *
access_rules_outside(const char *jail)
{
	if (has_rules(hosts_allow_table) && !in_jail(jail, hosts_allow_table))
		return hosts_allow_table;
	if (has_rules(hosts_deny_table) && !in_jail(jail, hosts_deny_table))
		return hosts_deny_table;
	return NULL;
}
#else
int
access_allowed(const char *user, const char *peer)
{
	return 1;
}

const char *
access_rules_outside(const char *jail)
{
	return NULL;
}

const char *
access_rule_file(size_t i)
{
	return NULL;
}
#endif
