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
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "secret.h"
#include "tls.h"
#include "xmalloc.h"

#include "upsd.h"

static int tls_on;			/* set up at start-up */
static int tls_req = -1;		/* CERTREQUEST in force */
static ev_timer_id trim_timer;		/* malloc_trim pending (below) */
static struct log_ratelimit hsfail_rl = LOG_RATELIMIT_INIT(60, 10);
static struct log_ratelimit hstime_rl = LOG_RATELIMIT_INIT(60, 10);
static struct log_ratelimit session_rl = LOG_RATELIMIT_INIT(60, 10);
/* Anyone can make handshakes: past the burst they are logged at debug level. */
static struct log_ratelimit established_rl = LOG_RATELIMIT_INIT(60, 20);

/* ---- process set-up ------------------------------------------------------ */

#define EXPIRY_WARN_S (30L * 86400L)	/* warn when the certificate ends within */
#define EXPIRY_REPEAT_S 86400L		/* and say it again once a day */

static time_t expiry_warned;		/* when we last warned, 0 never */
static struct tls_certinfo served;	/* the certificate served, for the tick */

/*
 * CERTPASSWORDFILE: the key database password, read as root before the
 * jail from a regular file that only its owner (root, or the user upsd was
 * started as) may read. The first line, without its end. 0 or -1 (logged).
 */
static int
read_password_file(const char *path, char *pw, size_t len)
{
	struct stat st;
	ssize_t n;
	size_t end;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0) {
		log_warn("fatal: TLS: CERTPASSWORDFILE %s", path);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		log_warnx("fatal: TLS: CERTPASSWORDFILE %s is not a regular file", path);
		close(fd);
		return -1;
	}
	if ((st.st_mode & 077) != 0 || (st.st_uid != 0 && st.st_uid != geteuid())) {
		log_warnx("fatal: TLS: CERTPASSWORDFILE %s may be read by others than root "
		    "(owner %ld, mode %04o): run chown root %s; chmod 600 %s", path,
		    (long)st.st_uid, (unsigned)(st.st_mode & 07777), path, path);
		close(fd);
		return -1;
	}
	n = read(fd, pw, len - 1);
	close(fd);
	if (n < 0) {
		log_warn("fatal: TLS: CERTPASSWORDFILE %s", path);
		return -1;
	}
	pw[n] = '\0';
	end = strcspn(pw, "\r\n");
	if (end == (size_t)n && (size_t)n == len - 1) {
		log_warnx("fatal: TLS: CERTPASSWORDFILE %s: the first line is too long", path);
		secret_clear(pw, len);
		return -1;
	}
	secret_clear(pw + end, len - end);
	return 0;
}

/* The certificate served, in one line; a warning if it ends within 30 days. */
static void
log_server_cert(const char *how)
{
	struct tls_certinfo ci;
	time_t now = time(NULL);

	if (tls_server_certinfo(&ci) != 0)
		return;
	served = ci;
	log_notice("TLS: %s certificate '%s' (%d under that name; the rule: valid now, "
	    "for TLS servers, with its key, latest expiry): subject %s, serial %s, valid "
	    "until %s, %s", how, ci.nickname, ci.candidates, ci.subject, ci.serial,
	    ci.not_after, ci.key);
	if (ci.expires - (long long)now < EXPIRY_WARN_S) {
		log_warnx("TLS: certificate '%s' (serial %s) expires on %s, in %lld day(s): "
		    "renew it (docs/tls.md, rotating the server certificate)", ci.nickname,
		    ci.serial, ci.not_after, (ci.expires - (long long)now) / 86400);
		expiry_warned = now;
	}
}

int
upsd_tls_start(const struct upsd_conf *cf)
{
	char err[512], pw[1024];
	const char *pass = cf->certident_pass;

	if (cf->certpath == NULL)
		return 0;
	if (cf->certpasswordfile != NULL) {
		if (read_password_file(cf->certpasswordfile, pw, sizeof(pw)) != 0)
			return -1;
		pass = pw;
	}
	if (tls_init(cf->certpath, pass, err, sizeof(err)) != 0 ||
	    tls_server_setup(cf->certident_name, (enum tls_certrequest)cf->certrequest, err,
	    sizeof(err)) != 0) {
		secret_clear(pw, sizeof(pw));
		log_warnx("fatal: TLS: %s", err);
		tls_fini();
		return -1;
	}
	secret_clear(pw, sizeof(pw));
	tls_on = 1;
	tls_req = cf->certrequest;
	log_info("TLS ready: certificate '%s' from %s, CERTREQUEST %s, TLS 1.2 to 1.3%s",
	    cf->certident_name, cf->certpath, cf->certrequest == 2 ? "REQUIRE" :
	    cf->certrequest == 1 ? "REQUEST" : "NO", cf->require_tls ?
	    ", REQUIRE_TLS (commands only inside TLS)" : "");
	log_server_cert("using");
	return 0;
}

void
upsd_tls_stop(void)
{
	tls_fini();
	if (trim_timer != 0) {
		ev_timer_del(trim_timer);
		trim_timer = 0;
	}
	tls_on = 0;
	tls_req = -1;
	memset(&served, 0, sizeof(served));
	expiry_warned = 0;
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

/* Swaps a changed string setting back to the one in force. */
static void
keep_str(char **neww, char **old)
{
	char *t = *neww;

	*neww = *old;
	*old = t;
}

/*
 * TLS settings are read at start only (NSS is opened once, before the
 * jail): a change is noted and the ones in force are put back into cf, so
 * that what upsd reports and checks is what it does.
 */
static void
reload_settings(struct upsd_conf *old, struct upsd_conf *cf, struct reload_report *r)
{
	char changed[160] = "";
	int pass_differs = (old->certident_pass == NULL) != (cf->certident_pass == NULL) ||
	    (old->certident_pass != NULL && !secret_streq(old->certident_pass,
	    cf->certident_pass));

	if (str_differ(old->certpath, cf->certpath))
		(void)str_printf(changed + strlen(changed), sizeof(changed) - strlen(changed),
		    " CERTPATH");
	if (str_differ(old->certident_name, cf->certident_name) || pass_differs)
		(void)str_printf(changed + strlen(changed), sizeof(changed) - strlen(changed),
		    " CERTIDENT");
	if (str_differ(old->certpasswordfile, cf->certpasswordfile))
		(void)str_printf(changed + strlen(changed), sizeof(changed) - strlen(changed),
		    " CERTPASSWORDFILE");
	if (old->certrequest != cf->certrequest)
		(void)str_printf(changed + strlen(changed), sizeof(changed) - strlen(changed),
		    " CERTREQUEST");
	if (changed[0] == '\0')
		return;
	reload_note(r, RELOAD_RESTART, "TLS:%s changed: takes effect only at restart (the "
	    "NSS database is opened once, before the jail); the settings in force are kept",
	    changed);
	keep_str(&cf->certpath, &old->certpath);
	keep_str(&cf->certident_name, &old->certident_name);
	keep_str(&cf->certident_pass, &old->certident_pass);
	keep_str(&cf->certpasswordfile, &old->certpasswordfile);
	cf->certrequest = old->certrequest;
	if (cf->require_tls && cf->certpath == NULL) {
		reload_note(r, RELOAD_RESTART, "REQUIRE_TLS needs TLS, which is not on until a "
		    "restart: not in force");
		cf->require_tls = 0;
	}
	if (cf->require_tls_for_login && cf->certpath == NULL) {
		reload_note(r, RELOAD_RESTART, "REQUIRE_TLS_FOR_LOGIN needs TLS, which is not on "
		    "until a restart: not in force");
		cf->require_tls_for_login = 0;
	}
}

/*
 * Reloads that re-read the CRLs and the server certificate so far. A
 * handshake that started before one was judged by the old CRLs (its
 * client certificate may arrive before the reload and its Finished after):
 * hs_step checks it again when it completes.
 */
static unsigned tls_epoch;

/* The client certificate's subject for a log line, "?" without one. */
static const char *
peer_name(const struct client *c)
{
	const char *s = tls_peer_subject(c->tls);

	return s != NULL ? s : "?";
}

/* Closes the sessions whose client certificate no longer passes. */
static unsigned
recheck_sessions(void)
{
	struct client *c, *next;
	char why[256];
	unsigned closed = 0;

	for (c = client_first(); c != NULL; c = next) {
		next = c->next;
		if (!client_tls_up(c) || !tls_peer_recheck(c->tls, why, sizeof(why)))
			continue;
		log_notice("%s: closing the TLS session of '%s'%s%s: %s", c->peer,
		    peer_name(c), c->username ? ", user " : "", c->username ? c->username : "", why);
		client_close(c, "client certificate no longer valid");
		closed++;
	}
	return closed;
}

/*
 * REQUIRE_TLS_FOR_LOGIN or REQUIRE_TLS in force after a reload: sessions
 * whose credentials came outside TLS (before it, or before their STARTTLS)
 * are closed, with their login. Those credentials could have been read or
 * injected on the way, which is what the setting is there to prevent, and
 * a login keeps counting in upsmon's shutdown sequence (NUMLOGINS) for as
 * long as its session lives.
 */
static unsigned
close_clear_logins(const struct upsd_conf *cf)
{
	struct client *c, *next;
	unsigned closed = 0;

	if (!tls_on || (!cf->require_tls_for_login && !cf->require_tls))
		return 0;
	for (c = client_first(); c != NULL; c = next) {
		next = c->next;
		if (!c->creds_in_clear)
			continue;
		log_notice("%s: closing a session whose credentials came outside TLS%s%s%s%s%s: "
		    "%s is now in force",
		    c->peer, c->username != NULL ? " of user " : "",
		    c->username != NULL ? c->username : "",
		    c->login_ups != NULL ? ", logged in to UPS [" : "",
		    c->login_ups != NULL ? c->login_ups->name : "", c->login_ups != NULL ? "]" : "",
		    cf->require_tls ? "REQUIRE_TLS" : "REQUIRE_TLS_FOR_LOGIN");
		client_close(c, "credentials given outside TLS");
		closed++;
	}
	return closed;
}

void
upsd_tls_reload(struct upsd_conf *old, struct upsd_conf *cf, struct reload_report *r)
{
	char err[512];
	unsigned closed;
	int ncrl, rc;

	reload_settings(old, cf, r);
	closed = close_clear_logins(cf);
	if (closed > 0)
		log_notice("%u session(s) closed: their credentials came outside TLS", closed);
	if (!tls_on)
		return;
	rc = tls_server_refresh(cf->certident_name, &ncrl, err, sizeof(err));
	if (rc < 0)
		reload_note(r, RELOAD_FAILED, "TLS: %s; the certificate in force is kept", err);
	else if (rc > 0)
		log_server_cert("now serving the renewed");
	if (rc >= 0)
		log_info("TLS: %d CRL(s) read from %s", ncrl, cf->certpath);
	tls_epoch++;
	closed = recheck_sessions();
	if (closed > 0)
		log_notice("TLS: %u session(s) closed: their client certificate no longer "
		    "passes", closed);
}

void
upsd_tls_tick(void)
{
	const struct tls_certinfo *ci = &served;
	time_t now;

	if (!tls_on || ci->expires == 0)
		return;
	now = time(NULL);
	if (ci->expires - (long long)now >= EXPIRY_WARN_S ||
	    (expiry_warned != 0 && now - expiry_warned < EXPIRY_REPEAT_S))
		return;
	expiry_warned = now;
	if (ci->expires <= (long long)now)
		log_warnx("TLS: certificate '%s' (serial %s) expired on %s: new clients "
		    "cannot connect; renew it and reload", ci->nickname, ci->serial,
		    ci->not_after);
	else
		log_warnx("TLS: certificate '%s' (serial %s) expires on %s, in %lld day(s): "
		    "renew it (docs/tls.md, rotating the server certificate)", ci->nickname,
		    ci->serial, ci->not_after, (ci->expires - (long long)now) / 86400);
}

/* ---- memory -------------------------------------------------------------- */

/*
 * A handshake allocates and frees a few dozen kB of NSS state around what
 * a session keeps, and a closed session frees its own: glibc keeps those
 * freed pages inside the heap (fragmented, below live data, so its own
 * top-of-heap trimming cannot return them). After a handshake or a close,
 * at most once every TRIM_DELAY_MS, malloc_trim hands every free page back
 * (madvise MADV_DONTNEED, brk; both in the upsd seccomp role). Measured in
 * docs/bench.md ("TLS cost").
 */
#define TRIM_DELAY_MS 1000

static void
trim_now(void *arg)
{
	trim_timer = 0;
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

static void
trim_soon(void)
{
	if (trim_timer == 0)
		trim_timer = ev_timer_add(TRIM_DELAY_MS, trim_now, NULL);
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
	c->tls_epoch = tls_epoch;
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
	char why[256];

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
	if (c->tls_epoch != tls_epoch && tls_peer_recheck(c->tls, why, sizeof(why))) {
		/* A reload came during the handshake: what it re-read counts. */
		log_notice("%s: TLS handshake of '%s' refused after it ended: %s (reloaded "
		    "while it ran)", c->peer, peer_name(c), why);
		errno = EPROTO;
		return -1;
	}
	c->tls_up = 1;
	client_wake(c);
	trim_soon();
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
	if (c->rested)
		client_wake(c);	/* the record layer makes its keys again */
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
	if (c->rested)
		client_wake(c);
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

static int
tls_io_unsent(const struct client *c)
{
	return c->tls_up && c->tls_wpending;
}

static size_t
tls_io_held(const struct client *c)
{
	return c->tls_up ? tls_buffered(c->tls) : 0;
}

static size_t
tls_io_pending(const struct client *c)
{
	return c->tls_up ? tls_pending(c->tls) : 0;
}

/*
 * Bytes the peer sent that we never read make close(2) send a reset, and a
 * reset can destroy, unread on the peer's side, the alert NSS has just sent
 * to say why its certificate was refused: the peer would only learn
 * "connection reset". After a failed handshake, read them away first
 * (bounded: a flooding peer is not waited for).
 */
static void
drain_unread(int fd)
{
	char buf[4096];
	int i;

	for (i = 0; i < 16; i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
}

static void
tls_io_close(struct client *c)
{
	if (c->tls_timer != 0) {
		ev_timer_del(c->tls_timer);
		c->tls_timer = 0;
	}
	if (!c->tls_up && c->fd >= 0)
		drain_unread(c->fd);
	/* tls_server_new failed: the fd is still ours. */
	if (c->tls == NULL && c->fd >= 0)
		(void)close(c->fd);
	/* Sends close_notify if it can and closes the fd (exactly once). */
	tls_free(c->tls);
	c->tls = NULL;
	c->fd = -1;
	trim_soon();
}

/* Two record keys per awake session, and room for the handshakes under way
   (about 10 keys each), within the key list NSS reuses (client.c). */
_Static_assert(2 * UPSD_AWAKE_MAX + 256 <= TLS_KEYLIST_FILL,
    "the awake sessions' keys must leave room in NSS's reusable key list");

/* Only a TLS 1.3 session upsd's record layer runs has anything to shed. */
static int
tls_io_can_rest(const struct client *c)
{
	return c->tls_up && tls_can_rest(c->tls);
}

/* Quiet session: its AEAD contexts go until the next record (tls_rest). */
static void
tls_io_rest(struct client *c)
{
	if (!c->tls_up)
		return;
	tls_rest(c->tls);
	trim_soon();
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
	.rest = tls_io_rest,
	.can_rest = tls_io_can_rest,
	.unsent = tls_io_unsent,
	.held = tls_io_held,
};

/* ---- what upsd asks about a connection ----------------------------------- */

int
client_tls_up(const struct client *c)
{
	return c->tls != NULL && c->tls_up;
}

int
client_tls_cert_is(const struct client *c, const struct cert_binding *b)
{
	return client_tls_up(c) && tls_peer_cert_is(c->tls, b->subject, b->issuer);
}

char *
client_tls_issuer(const struct client *c)
{
	return client_tls_up(c) ? tls_peer_issuer(c->tls) : NULL;
}

const char *
client_tls_subject(const struct client *c)
{
	return client_tls_up(c) ? tls_peer_subject(c->tls) : NULL;
}
