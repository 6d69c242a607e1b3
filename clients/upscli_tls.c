/*
 * nutsec - upscli_tls.c: everything TLS in the client library, on one
 * struct tls_conn from common/tls.h. It works out the policy of one
 * connection (the CERTHOST entry for the host and port, else the global
 * CERTVERIFY/FORCESSL), sends STARTTLS and acts on the answer: plaintext
 * only when the policy allows it, otherwise a handshake under the read
 * deadline and a PROTVER check inside the session, never a fall back to
 * plaintext after a failed attempt. It opens NSS once per process (at the
 * first "OK STARTTLS", or earlier through upscli_tls_preinit) and moves
 * the session's bytes for the connection layer with socket semantics
 * (tls_io_result). Settings files are read in upscli_tlsconf.c.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "log.h"
#include "tls.h"
#include "tok.h"
#include "upscli_int.h"
#include "xmalloc.h"

static char nss_dir[PATH_MAX];	/* CERTPATH NSS was opened with, "" = none */
static int nss_ours;		/* we called tls_init (and registered tls_fini) */

/* Opens NSS for this process, or checks it was opened with the same path.
 * 0, or -1 with the reason in err. */
static int
nss_open(const char *certpath, const char *pass, char *err, size_t errlen)
{
	const char *want = certpath != NULL ? certpath : "";

	if (tls_ready()) {
		if (nss_ours && strcmp(nss_dir, want) != 0) {
			(void)str_copy(err, "one CERTPATH per process: NSS is "
			    "already open with another one", errlen);
			return -1;
		}
		return 0;
	}
	if (str_copy(nss_dir, want, sizeof(nss_dir)) < 0) {
		(void)str_copy(err, "CERTPATH too long", errlen);
		return -1;
	}
	if (tls_init(certpath, pass, err, errlen) < 0)
		return -1;
	if (!nss_ours)
		(void)atexit(tls_fini);
	nss_ours = 1;
	return 0;
}

int
upscli_tls_preinit(const struct upscli_opts *o, char *err, size_t errlen)
{
	return nss_open(o->certpath, o->certident_pass, err, errlen);
}

int
upscli_tls_policy(struct upscli *c, const char *host, unsigned port,
    struct upscli_tlspol *p)
{
	const struct upscli_certhost *ch = NULL;
	size_t i;

	for (i = 0; i < c->opts.ncerthosts && ch == NULL; i++) {
		const struct upscli_certhost *h = &c->opts.certhosts[i];

		if (h->host != NULL && strcasecmp(h->host, host) == 0 &&
		    (h->port == 0 || h->port == port))
			ch = h;
	}
	p->certverify = ch != NULL && ch->certverify >= 0 ? ch->certverify :
	    c->opts.certverify;
	p->forcessl = ch != NULL && ch->forcessl >= 0 ? ch->forcessl :
	    c->opts.forcessl;
	p->certname = ch != NULL ? ch->certname : NULL;
	/* Verifying needs trust anchors, and they live in CERTPATH. */
	if (p->certverify && (c->opts.certpath == NULL || *c->opts.certpath == '\0'))
		return upscli_fail(c, UPSCLI_ERR_TLS, 0, "CERTVERIFY is on but no "
		    "CERTPATH is set: nothing to verify the server against");
	return 0;
}

/*
 * The client handshake on c->fd after "OK STARTTLS", within the read
 * timeout (and the connect operation's deadline). The session owns the socket from tls_client_new on: on failure
 * the caller's upscli_drop releases both.
 */
static int
handshake(struct upscli *c, const struct upscli_tlspol *p)
{
	struct tls_client_opts o;
	enum tls_status st;
	long long deadline;
	char err[256];
	int r;

	if (nss_open(c->opts.certpath, c->opts.certident_pass, err, sizeof(err)) < 0)
		return upscli_fail(c, UPSCLI_ERR_TLS, 0, err);
	memset(&o, 0, sizeof(o));
	o.certverify = p->certverify;
	o.expect_name = p->certname != NULL ? p->certname : c->host;
	o.certident = c->opts.certident_name;
	c->tls = tls_client_new(c->fd, &o, err, sizeof(err));
	if (c->tls == NULL)
		return upscli_fail(c, UPSCLI_ERR_TLS, 0, err);
	deadline = upscli_deadline(c);
	for (;;) {
		st = tls_handshake(c->tls);
		if (st == TLS_OK)
			break;
		if (st == TLS_WANT_READ || st == TLS_WANT_WRITE) {
			r = upscli_wait_fd(c->fd, st == TLS_WANT_READ ? POLLIN :
			    POLLOUT, deadline);
			if (r > 0)
				continue;
			return upscli_fail(c, UPSCLI_ERR_TLS, 0, r == 0 ?
			    "the server did not complete the TLS handshake in time" :
			    strerror(errno));
		}
		return upscli_fail(c, UPSCLI_ERR_TLS, 0, st == TLS_CLOSED ?
		    "the server closed the connection during the TLS handshake" :
		    tls_error(c->tls));
	}
	c->tls_up = 1;
	c->tls_err[0] = '\0';
	return 0;
}

/* 1 if s is a protocol version a 1.3 client can talk to: 1.0 to 1.3. */
static int
protver_ok(const char *s)
{
	return strlen(s) == 3 && s[0] == '1' && s[1] == '.' && s[2] >= '0' &&
	    s[2] <= '3';
}

/*
 * First request inside TLS: PROTVER (NETVER for a server that does not know
 * it), answered by 1.0-1.3. A server that refused our certificate after
 * a TLS 1.3 handshake (its check comes after ours) fails here, at once,
 * rather than at the caller's first query.
 */
static int
protver_check(struct upscli *c)
{
	static const char *const req[] = { "PROTVER\n", "NETVER\n" };
	char **argv;
	size_t i, argc;

	for (i = 0; i < 2; i++) {
		if (upscli_write_all(c, req[i], strlen(req[i])) < 0 ||
		    upscli_read_tokens(c) < 0)
			goto io;
		argc = tok_argc(c->tok);
		argv = tok_argv(c->tok);
		if (i == 0 && argc >= 2 && strcmp(argv[0], "ERR") == 0 &&
		    strcmp(argv[1], "UNKNOWN-COMMAND") == 0)
			continue;
		if (argc == 1 && protver_ok(argv[0]))
			return 0;
		break;
	}
	upscli_drop(c);
	return upscli_fail(c, UPSCLI_ERR_TLS, 0, "the server's answer to "
	    "PROTVER is not a protocol version from 1.0 to 1.3");
io:
	upscli_drop(c);
	/* The TLS layer's own explanation (an alert) is the best one. */
	if (c->err == UPSCLI_ERR_TLS)
		return -1;
	return upscli_fail(c, UPSCLI_ERR_TLS, 0, c->err == UPSCLI_ERR_TIMEOUT ?
	    "the server did not answer PROTVER inside TLS" :
	    "the server ended the TLS session right after the handshake "
	    "(it may have refused our certificate)");
}

int
upscli_starttls(struct upscli *c, const struct upscli_tlspol *p)
{
	static const char req[] = "STARTTLS\n";
	char **argv;

	if (upscli_write_all(c, req, sizeof(req) - 1) < 0)
		return -1;
	if (upscli_read_tokens(c) < 0)
		return -1;
	argv = tok_argv(c->tok);
	if (tok_argc(c->tok) >= 2 && strcmp(argv[0], "OK") == 0 &&
	    strcmp(argv[1], "STARTTLS") == 0) {
		/* Anything already buffered came before the handshake: a
		 * server that pipelines plaintext behind OK is not trusted. */
		if (buf_len(c->in) != 0) {
			upscli_drop(c);
			return upscli_fail(c, UPSCLI_ERR_TLS, 0,
			    "plaintext data after OK STARTTLS");
		}
		if (handshake(c, p) < 0) {
			upscli_drop(c);
			return -1;
		}
		if (protver_check(c) < 0)
			return -1;
		if (!p->certverify)
			log_warnx("%s:%u: TLS is up but certificate verification "
			    "is disabled: the server is not authenticated "
			    "(CERTVERIFY)", c->host, c->port);
		return 0;
	}
	if (p->certverify || p->forcessl) {
		char why[128];

		if (str_printf(why, sizeof(why), "the server refused STARTTLS "
		    "(%s%s%s)", argv[0], tok_argc(c->tok) >= 2 ? " " : "",
		    tok_argc(c->tok) >= 2 ? argv[1] : "") < 0)
			(void)str_copy(why, "the server refused STARTTLS", sizeof(why));
		upscli_drop(c);
		return upscli_fail(c, UPSCLI_ERR_TLS_REQUIRED, 0, why);
	}
	return 0;
}

/* A failed session keeps its explanation for the connection layer. */
static long
session_result(struct upscli *c, size_t n, enum tls_status st)
{
	ssize_t r = tls_io_result(n, st);

	if (r < 0 && errno == EPROTO) {
		(void)str_copy(c->tls_err, tls_error(c->tls), sizeof(c->tls_err));
		errno = EPROTO;
	}
	return (long)r;
}

long
upscli_tls_read(struct upscli *c, void *p, size_t len)
{
	enum tls_status st;
	size_t n;

	n = tls_read(c->tls, p, len, &st);
	return session_result(c, n, st);
}

long
upscli_tls_write(struct upscli *c, const void *p, size_t len, long long deadline)
{
	enum tls_status st;
	size_t n;
	int r;

	n = tls_write(c->tls, p, len, &st);
	/* Bytes NSS took but still holds must reach the server before we
	 * wait for its reply, so they are pushed out here. */
	while (n > 0 && st == TLS_WANT_WRITE) {
		r = upscli_wait_fd(c->fd, POLLOUT, deadline);
		if (r <= 0) {
			errno = r == 0 ? ETIMEDOUT : errno;
			return -1;
		}
		(void)tls_write(c->tls, NULL, 0, &st);
	}
	/* Taken but not delivered is not written: a session that failed
	 * while pushing fails the write. */
	return session_result(c, st == TLS_FAILED ? 0 : n, st);
}

void
upscli_tls_end(struct upscli *c)
{
	tls_free(c->tls);
	c->tls = NULL;
	c->tls_up = 0;
	c->fd = -1;	/* tls_free closed it */
}
