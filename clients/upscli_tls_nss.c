/*
 * nutsec - upscli_tls_nss.c: the client library's TLS backend, on
 * common/tls.h (NSS). NSS is set up once per process, at the first
 * "OK STARTTLS", with the connection's CERTPATH (the trust store and the
 * CERTIDENT certificate) and key password; a later connection asking for
 * another CERTPATH is refused, since NSS holds one database per process.
 * The handshake and every read and write keep the caller's deadline: a
 * server that stalls mid-handshake or stops reading fails the call in
 * bounded time. A TLS failure leaves its explanation in c->tls_err.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "tls.h"
#include "upscli_int.h"
#include "xmalloc.h"

static char nss_dir[PATH_MAX];	/* CERTPATH NSS was opened with, "" = none */
static int nss_ours;		/* we called tls_init (and registered tls_fini) */

int
upscli_tls_available(void)
{
	return 1;
}

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

static int
tls_setup(struct upscli *c)
{
	char err[256];

	if (nss_open(c->opts.certpath, c->opts.certident_pass, err,
	    sizeof(err)) < 0)
		return upscli_fail(c, UPSCLI_ERR_TLS, 0, err);
	return 0;
}

/* Keeps the TLS layer's explanation for the connection layer. */
static void
keep_error(struct upscli *c, const char *why)
{
	(void)str_copy(c->tls_err, why, sizeof(c->tls_err));
}

int
upscli_tls_start(struct upscli *c, int certverify, const char *certname)
{
	struct tls_client_opts o;
	struct tls_conn *t;
	enum tls_status st;
	long long deadline;
	char err[256];
	int r;

	if (tls_setup(c) < 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.certverify = certverify;
	o.expect_name = certname != NULL ? certname : c->host;
	o.certident = c->opts.certident_name;
	t = tls_client_new(c->fd, &o, err, sizeof(err));
	if (t == NULL)
		return upscli_fail(c, UPSCLI_ERR_TLS, 0, err);
	/* The session owns the socket from here: upscli_tls_end closes it. */
	c->tls_state = t;
	deadline = upscli_now_ms() + c->opts.read_timeout_ms;
	for (;;) {
		st = tls_handshake(t);
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
		    tls_error(t));
	}
	c->tls = 1;
	c->tls_err[0] = '\0';
	return 0;
}

long
upscli_tls_read(struct upscli *c, void *p, size_t len)
{
	enum tls_status st;
	size_t n;

	n = tls_read(c->tls_state, p, len, &st);
	if (n > 0)
		return (long)n;
	switch (st) {
	case TLS_OK:
	case TLS_WANT_READ:
	case TLS_WANT_WRITE:
		errno = EAGAIN;
		return -1;
	case TLS_CLOSED:
		return 0;
	case TLS_FAILED:
		break;
	}
	keep_error(c, tls_error(c->tls_state));
	errno = EPROTO;
	return -1;
}

long
upscli_tls_write(struct upscli *c, const void *p, size_t len)
{
	long long deadline = upscli_now_ms() + c->opts.read_timeout_ms;
	enum tls_status st;
	size_t n;
	int r;

	n = tls_write(c->tls_state, p, len, &st);
	/* Bytes NSS took but still holds must reach the server before we
	 * wait for its reply, so they are pushed out here. */
	while (n > 0 && st == TLS_WANT_WRITE) {
		r = upscli_wait_fd(c->fd, POLLOUT, deadline);
		if (r <= 0) {
			errno = r == 0 ? ETIMEDOUT : errno;
			return -1;
		}
		(void)tls_write(c->tls_state, NULL, 0, &st);
	}
	if (n > 0 && st != TLS_FAILED)
		return (long)n;
	if (st == TLS_WANT_READ || st == TLS_WANT_WRITE || st == TLS_OK) {
		errno = EAGAIN;
		return -1;
	}
	if (st == TLS_CLOSED) {
		errno = EPIPE;
		return -1;
	}
	keep_error(c, tls_error(c->tls_state));
	errno = EPROTO;
	return -1;
}

void
upscli_tls_end(struct upscli *c)
{
	tls_free(c->tls_state);
	c->tls_state = NULL;
	c->tls = 0;
	c->fd = -1;	/* tls_free closed it */
}
