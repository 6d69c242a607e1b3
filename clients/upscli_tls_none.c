/*
 * nutsec - upscli_tls_none.c: the client library's TLS backend for builds
 * without TLS. It says TLS is not available, so upscli_connect refuses any
 * connection whose policy requires TLS (FORCESSL, CERTVERIFY, a CERTHOST
 * entry) and sends no STARTTLS otherwise. The NSS backend replaces this
 * file with the same five functions.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>

#include "upscli_int.h"

int
upscli_tls_available(void)
{
	return 0;
}

int
upscli_tls_start(struct upscli *c, int certverify, const char *certname)
{
	(void)certverify;
	(void)certname;
	return upscli_fail(c, UPSCLI_ERR_TLS, 0, "TLS support is not built in");
}

long
upscli_tls_read(struct upscli *c, void *p, size_t len)
{
	(void)c;
	(void)p;
	(void)len;
	errno = ENOTCONN;
	return -1;
}

long
upscli_tls_write(struct upscli *c, const void *p, size_t len)
{
	(void)c;
	(void)p;
	(void)len;
	errno = ENOTCONN;
	return -1;
}

void
upscli_tls_end(struct upscli *c)
{
	c->tls_state = NULL;
}
