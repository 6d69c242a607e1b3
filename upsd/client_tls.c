/*
 * nutsec - client_tls.c: TLS in upsd. At start-up (after the last fork,
 * before the chroot) it opens the NSS database, unlocks the key and loads
 * CERTIDENT's certificate, or stops upsd saying what is wrong. After
 * "OK STARTTLS" it is a client transport (struct client_io): the handshake
 * is driven by the event loop's readiness, never by waiting, under a
 * deadline, so a peer that stalls or sends garbage only ever costs its own
 * connection. Then it moves the bytes of the session, and it answers the
 * questions upsd asks about a connection: is it TLS, whose certificate.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ev.h"
#include "log.h"
#include "tls.h"

#include "upsd.h"

static int tls_on;			/* set up at start-up */
static int tls_req = -1;		/* CERTREQUEST in force */
static struct log_ratelimit hsfail_rl = LOG_RATELIMIT_INIT(60, 10);
static struct log_ratelimit hstime_rl = LOG_RATELIMIT_INIT(60, 10);
static struct log_ratelimit session_rl = LOG_RATELIMIT_INIT(60, 10);
/* Anyone can make handshakes: past the burst they are logged at debug level. */
static struct log_ratelimit established_rl = LOG_RATELIMIT_INIT(60, 20);

/* ---- process set-up ------------------------------------------------------ */

int
upsd_tls_start(const struct upsd_conf *cf)
{
	char err[512];

	if (cf->certpath == NULL)
		return 0;
	if (tls_init(cf->certpath, cf->certident_pass, err, sizeof(err)) != 0 ||
	    tls_server_setup(cf->certident_name, (enum tls_certrequest)cf->certrequest, err,
	    sizeof(err)) != 0) {
		log_warnx("fatal: TLS: %s", err);
		tls_fini();
		return -1;
	}
	tls_on = 1;
	tls_req = cf->certrequest;
	log_info("TLS ready: certificate '%s' from %s, CERTREQUEST %s, TLS 1.2 to 1.3",
	    cf->certident_name, cf->certpath, cf->certrequest == 2 ? "REQUIRE" :
	    cf->certrequest == 1 ? "REQUEST" : "NO");
	return 0;
}

void
upsd_tls_stop(void)
{
	tls_fini();
	tls_on = 0;
	tls_req = -1;
}

int
upsd_tls_enabled(void)
{
	return tls_on;
}

int
upsd_tls_verifies_clients(void)
{
	return tls_on && tls_req == 2;
}

void
upsd_tls_reload_check(const struct upsd_conf *old, const struct upsd_conf *cf)
{
	int same = (old->certpath == NULL) == (cf->certpath == NULL) &&
	    (old->certpath == NULL || strcmp(old->certpath, cf->certpath) == 0) &&
	    (old->certident_name == NULL) == (cf->certident_name == NULL) &&
	    (old->certident_name == NULL ||
	    strcmp(old->certident_name, cf->certident_name) == 0) &&
	    old->certrequest == cf->certrequest;

	if (!same)
		log_notice("CERTPATH, CERTIDENT and CERTREQUEST changes take effect only "
		    "at restart (NSS cannot be reopened inside the jail)");
}

/* ---- the transport ------------------------------------------------------- */

static void
hs_deadline(void *arg)
{
	struct client *c = arg;

	c->tls_timer = 0;
	if (log_ratelimit(&hstime_rl))
		log_warnx("TLS handshake with %s not finished after %u s; closing", c->peer,
		    UPSD_TLS_HANDSHAKE_MS / 1000);
	client_close(c, "TLS handshake timeout");
}

static int
tls_start(struct client *c)
{
	char err[512];

	if (c->fd < 0 || (c->tls = tls_server_new(c->fd, err, sizeof(err))) == NULL) {
		log_warnx("%s: cannot start TLS: %s", c->peer, c->fd < 0 ? "no socket" : err);
		return -1;
	}
	c->tls_last = TLS_WANT_READ;
	c->tls_timer = ev_timer_add(UPSD_TLS_HANDSHAKE_MS, hs_deadline, c);
	if (c->tls_timer == 0) {
		log_warnx("%s: cannot arm the TLS handshake deadline", c->peer);
		return -1;
	}
	log_debug("%s: TLS handshake started", c->peer);
	return 0;
}

/* One step of the handshake. 1 done, 0 in progress, -1 failed (errno EPROTO). */
static int
hs_step(struct client *c)
{
	enum tls_status st;
	const char *subj;

	if (c->tls_up)
		return 1;
	st = tls_handshake(c->tls);
	c->tls_last = st;
	if (st == TLS_WANT_READ || st == TLS_WANT_WRITE)
		return 0;
	if (st != TLS_OK) {
		if (log_ratelimit(&hsfail_rl))
			log_warnx("TLS handshake with %s failed: %s", c->peer,
			    st == TLS_CLOSED ? "the peer closed the connection" :
			    tls_error(c->tls));
		errno = EPROTO;
		return -1;
	}
	c->tls_up = 1;
	if (c->tls_timer != 0) {
		ev_timer_del(c->tls_timer);
		c->tls_timer = 0;
	}
	subj = tls_peer_subject(c->tls);
	(log_ratelimit(&established_rl) ? log_info : log_debug)("%s: TLS established "
	    "(%s, %s)%s%s", c->peer, tls_version(c->tls), tls_cipher(c->tls),
	    subj ? ", client certificate " : "", subj ? subj : "");
	return 1;
}

/* The socket-like result of an I/O call (tls_io_result); a failed session
 * is logged here, with the peer. */
static ssize_t
io_result(struct client *c, size_t n, enum tls_status st)
{
	ssize_t r = tls_io_result(n, st);

	if (r < 0 && errno == EPROTO) {
		if (log_ratelimit(&session_rl))
			log_info("%s: TLS session failed: %s", c->peer, tls_error(c->tls));
		errno = EPROTO;	/* logging may have changed it */
	}
	return r;
}

static ssize_t
tls_io_read(struct client *c, void *p, size_t n)
{
	enum tls_status st;
	size_t got;
	int hs = hs_step(c);

	if (hs <= 0) {
		if (hs == 0)
			errno = EAGAIN;
		return -1;
	}
	got = tls_read(c->tls, p, n, &st);
	if (got == 0 && st == TLS_WANT_WRITE)
		c->tls_wpending = 1;
	return io_result(c, got, st);
}

static ssize_t
tls_io_write(struct client *c, const void *p, size_t n)
{
	enum tls_status st;
	size_t put;
	int hs = hs_step(c);

	if (hs <= 0) {
		if (hs == 0)
			errno = EAGAIN;
		return -1;
	}
	put = tls_write(c->tls, p, n, &st);
	/* Taken, but part of it may still sit inside NSS waiting for the socket. */
	c->tls_wpending = st == TLS_WANT_WRITE;
	return io_result(c, put, st);
}

/* Writable with nothing of ours to send: advance the handshake, or push
 * what NSS still holds. */
static int
tls_io_flush(struct client *c)
{
	enum tls_status st;
	int hs = hs_step(c);

	if (hs < 0)
		return -1;
	if (hs == 0 || !c->tls_wpending)
		return 0;
	(void)tls_write(c->tls, NULL, 0, &st);
	if (st == TLS_FAILED) {
		if (log_ratelimit(&session_rl))
			log_info("%s: TLS session failed: %s", c->peer, tls_error(c->tls));
		return -1;
	}
	c->tls_wpending = st == TLS_WANT_WRITE;
	return 0;
}

static unsigned
tls_io_want(const struct client *c)
{
	if (!c->tls_up)
		return c->tls_last == TLS_WANT_WRITE ? EV_WRITE : EV_READ;
	return c->tls_wpending ? EV_WRITE : 0;
}

static size_t
tls_io_pending(const struct client *c)
{
	return c->tls_up ? tls_pending(c->tls) : 0;
}

static void
tls_io_close(struct client *c)
{
	if (c->tls_timer != 0) {
		ev_timer_del(c->tls_timer);
		c->tls_timer = 0;
	}
	/* Sends close_notify if it can and closes the fd (exactly once). */
	tls_free(c->tls);
	c->tls = NULL;
	c->fd = -1;
}

const struct client_io client_tls_io = {
	.name = "TLS",
	.read = tls_io_read,
	.write = tls_io_write,
	.start = tls_start,
	.flush = tls_io_flush,
	.want = tls_io_want,
	.pending = tls_io_pending,
	.close = tls_io_close,
};

/* ---- what upsd asks about a connection ----------------------------------- */

int
client_tls_up(const struct client *c)
{
	return c->tls != NULL && c->tls_up;
}

int
client_tls_subject_is(const struct client *c, const char *dn)
{
	return client_tls_up(c) && tls_peer_subject_is(c->tls, dn);
}

const char *
client_tls_subject(const struct client *c)
{
	return client_tls_up(c) ? tls_peer_subject(c->tls) : NULL;
}
