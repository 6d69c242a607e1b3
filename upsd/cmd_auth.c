/*
 * nutsec - cmd_auth.c: credentials and the commands that act with a user's
 * authority on a whole UPS: USERNAME, PASSWORD, LOGIN, PRIMARY/MASTER and
 * FSD. The user and password are checked together, in constant time, and
 * every failure is answered ERR ACCESS-DENIED after a per-peer delay that
 * grows with repeated failures (without blocking other clients). Beyond
 * NUT: a user with a certsubject acts only inside a TLS session whose
 * verified client certificate has that subject, and REQUIRE_TLS_FOR_LOGIN
 * refuses credentials outside TLS before they are stored.
 */
#include "config.h"

#include "log.h"
#include "secret.h"

#include "upsd.h"

static struct log_ratelimit authfail_rl = LOG_RATELIMIT_INIT(60, 10);
static struct log_ratelimit plain_rl = LOG_RATELIMIT_INIT(60, 10);

/* REQUIRE_TLS_FOR_LOGIN: refuses what without storing it. -1 when refused. */
static int
refuse_plain(struct client *c, const char *what)
{
	if (!state_conf()->require_tls_for_login || client_tls_up(c))
		return 0;
	if (log_ratelimit(&plain_rl))
		log_warnx("%s from %s refused outside TLS (REQUIRE_TLS_FOR_LOGIN): the "
		    "client must send STARTTLS first", what, c->peer);
	reply_err(c, PERR_ACCESS_DENIED);
	return -1;
}

int
cmd_username(struct client *c, int argc, char **argv)
{
	if (refuse_plain(c, "USERNAME") != 0)
		return -1;
	c->username = secret_strdup(argv[0]);
	reply_str(c, "OK\n");
	return 0;
}

int
cmd_password(struct client *c, int argc, char **argv)
{
	if (refuse_plain(c, "PASSWORD") != 0)
		return -1;
	c->password = secret_strdup(argv[0]);
	reply_str(c, "OK\n");
	return 0;
}

const struct user *
auth_user(struct client *c, const char *what, const char *upsname)
{
	const struct user *u = users_auth(state_users(), c->username, c->password);
	const char *bound = u != NULL ? user_certsubject(u) : NULL;

	/* A bound user without its certificate fails like a wrong password. */
	if (bound != NULL && !client_tls_subject_is(c, bound)) {
		const char *have = client_tls_subject(c);

		if (log_ratelimit(&authfail_rl))
			log_warnx("%s from %s: user '%s' must use the certificate '%s' "
			    "(this connection: %s%s%s)", what, c->peer, c->username, bound,
			    !client_tls_up(c) ? "no TLS" : have ? "certificate '" :
			    "no certificate", have ? have : "", have ? "'" : "");
		client_delay_err(c, PERR_ACCESS_DENIED, backoff_fail(c->peer));
		return NULL;
	}
	if (u == NULL) {
		unsigned ms = backoff_fail(c->peer);

		if (log_ratelimit(&authfail_rl))
			log_warnx("%s from %s: authentication failed for user '%s'%s%s%s "
			    "(reply delayed %u ms)", what, c->peer, c->username,
			    upsname ? " on UPS [" : "", upsname ? upsname : "",
			    upsname ? "]" : "", ms);
		client_delay_err(c, PERR_ACCESS_DENIED, ms);
	}
	return u;
}

/* Checks credentials and one permission; replies ACCESS-DENIED if refused. */
static const struct user *
auth_action(struct client *c, const char *what, const struct ups *ups, unsigned mask)
{
	const struct user *u = auth_user(c, what, ups->name);

	if (u == NULL)
		return NULL;
	if (!user_may(u, mask)) {
		log_info("%s from %s: user '%s' may not %s UPS [%s]", what, c->peer,
		    c->username, what, ups->name);
		reply_err(c, PERR_ACCESS_DENIED);
		return NULL;
	}
	return u;
}

int
cmd_login(struct client *c, int argc, char **argv)
{
	struct ups *ups = ups_lookup(c, argv[0]);

	if (ups == NULL || auth_action(c, "LOGIN", ups, ACT_LOGIN) == NULL)
		return -1;
	c->login_ups = ups;
	ups->numlogins++;
	log_notice("Client %s@%s logged in to UPS [%s]%s%s%s", c->username, c->peer, ups->name,
	    client_tls_up(c) ? " (SSL)" : "", client_tls_subject(c) ? " with certificate " : "",
	    client_tls_subject(c) ? client_tls_subject(c) : "");
	reply_str(c, "OK\n");
	return 0;
}

static int
cmd_primary_as(struct client *c, const char *upsname, const char *granted)
{
	struct ups *ups = ups_lookup(c, upsname);

	if (ups == NULL || auth_action(c, "PRIMARY", ups, ACT_PRIMARY | ACT_MASTER) == NULL)
		return -1;
	reply_str(c, granted);
	return 0;
}

int
cmd_primary(struct client *c, int argc, char **argv)
{
	return cmd_primary_as(c, argv[0], "OK PRIMARY-GRANTED\n");
}

int
cmd_master(struct client *c, int argc, char **argv)
{
	return cmd_primary_as(c, argv[0], "OK MASTER-GRANTED\n");
}

int
cmd_fsd(struct client *c, int argc, char **argv)
{
	struct ups *ups = ups_lookup(c, argv[0]);

	if (ups == NULL || auth_action(c, "FSD", ups, ACT_FSD) == NULL)
		return -1;
	if (!ups->fsd)
		log_notice("Client %s@%s set FSD on UPS [%s]", c->username, c->peer,
		    ups->name);
	ups->fsd = 1;
	reply_str(c, "OK FSD-SET\n");
	return 0;
}
