/*
 * nutsec - cmd_auth.c: credentials and the commands that act with a user's
 * authority on a whole UPS: USERNAME, PASSWORD, LOGIN, PRIMARY/MASTER and
 * FSD. The user and password are checked together, in constant time, with
 * the permission the command needs; a wrong password and a missing
 * permission both get ERR ACCESS-DENIED, and every verdict (success too)
 * is held for the delay backoff.c gives the address, fixed before the
 * password is looked at, so its timing tells nothing (without blocking
 * other clients). A locked-out address is refused unchecked. Beyond
 * NUT: a user with a certsubject acts only inside a TLS session whose
 * verified client certificate has that subject (and, with certissuer, that
 * issuer), and REQUIRE_TLS_FOR_LOGIN
 * refuses credentials outside TLS before they are stored. Such a session,
 * naming the user its certificate is bound to, is neither delayed nor
 * locked out by its address: it has proved the user's key, and a
 * neighbour on the same address (another local account on 127.0.0.1)
 * guessing passwords must not keep that upsmon from logging in.
 */
#include "config.h"

#include <stdlib.h>

#include "log.h"
#include "secret.h"
#include "xmalloc.h"

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
	c->creds_in_clear |= !client_tls_up(c);
	reply_str(c, "OK\n");
	return 0;
}

int
cmd_password(struct client *c, int argc, char **argv)
{
	if (refuse_plain(c, "PASSWORD") != 0)
		return -1;
	c->password = secret_strdup(argv[0]);
	c->creds_in_clear |= !client_tls_up(c);
	reply_str(c, "OK\n");
	return 0;
}

/* Why a session is not the certificate b binds its user to, for the log. */
static const char *
not_bound_cert(const struct client *c, const struct cert_binding *b)
{
	static char why[1280];
	char want[600], got[600];
	const char *subj = client_tls_subject(c);
	char *iss = NULL;

	if (b->issuer != NULL)
		(void)str_printf(want, sizeof(want), "'%s' issued by '%s'", b->subject, b->issuer);
	else
		(void)str_printf(want, sizeof(want), "'%s'", b->subject);
	if (!client_tls_up(c))
		(void)str_printf(got, sizeof(got), "no TLS");
	else if (subj == NULL)
		(void)str_printf(got, sizeof(got), "no certificate");
	else if (b->issuer != NULL && (iss = client_tls_issuer(c)) != NULL)
		(void)str_printf(got, sizeof(got), "certificate '%s' issued by '%s'", subj, iss);
	else
		(void)str_printf(got, sizeof(got), "certificate '%s'", subj);
	free(iss);
	(void)str_printf(why, sizeof(why), "must use the certificate %s (this connection: %s)",
	    want, got);
	return why;
}

/* Why u may not do it (a missing permission), or NULL. */
static const char *
auth_refusal(const struct client *c, const struct user *u, unsigned mask,
    const char *instcmd)
{
	struct cert_binding bound = user_binding(u);

	/* A bound user without its certificate fails like a wrong password. */
	if (bound.subject != NULL && !client_tls_cert_is(c, &bound))
		return not_bound_cert(c, &bound);
	if (mask != 0 && !user_may(u, mask))
		return "lacks the permission";
	if (instcmd != NULL && !user_may_instcmd(u, instcmd))
		return "may not run this command";
	return NULL;
}

/*
 * 1 when the session's verified client certificate is the one the named
 * user is bound to (certsubject needs CERTREQUEST REQUIRE, state.c). It
 * tells nothing to anyone without that certificate's key.
 */
static int
cert_proves_user(const struct client *c)
{
	struct cert_binding bound = users_binding_of(state_users(), c->username);

	return bound.subject != NULL && client_tls_cert_is(c, &bound);
}

const struct user *
auth_user(struct client *c, const char *what, const char *upsname, unsigned mask,
    const char *instcmd)
{
	const struct user *u;
	const char *why;
	int locked;

	/* The delay is fixed before anything is checked; the reply waits for it. */
	if (cert_proves_user(c))
		locked = 0;
	else
		client_hold(c, backoff_check(c->peer, &locked));
	if (locked) {
		reply_err(c, PERR_ACCESS_DENIED);
		return NULL;
	}
	u = users_auth(state_users(), c->username, c->password);
	why = u == NULL ? "wrong password or unknown user" : auth_refusal(c, u, mask, instcmd);
	if (why == NULL)
		return u;
	if (backoff_fail(c->peer) && log_ratelimit(&authfail_rl))
		log_warnx("%s from %s: refused for user '%s'%s%s%s: %s (further failures "
		    "from this address are summarized)", what, c->peer, c->username,
		    upsname ? " on UPS [" : "", upsname ? upsname : "", upsname ? "]" : "",
		    why);
	reply_err(c, PERR_ACCESS_DENIED);
	return NULL;
}

int
cmd_login(struct client *c, int argc, char **argv)
{
	struct ups *ups = ups_lookup(c, argv[0]);

	if (ups == NULL || auth_user(c, "LOGIN", ups->name, ACT_LOGIN, NULL) == NULL)
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

	if (ups == NULL || auth_user(c, "PRIMARY", ups->name, ACT_PRIMARY | ACT_MASTER,
	    NULL) == NULL)
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

	if (ups == NULL || auth_user(c, "FSD", ups->name, ACT_FSD, NULL) == NULL)
		return -1;
	if (!ups->fsd)
		log_notice("Client %s@%s set FSD on UPS [%s]", c->username, c->peer,
		    ups->name);
	ups->fsd = 1;
	reply_str(c, "OK FSD-SET\n");
	return 0;
}
