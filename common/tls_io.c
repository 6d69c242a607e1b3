/*
 * nutsec - tls_io.c: what a tls_read/tls_write status means to code written
 * for sockets (see tls_io_result in tls.h). upsd's TLS transport and the
 * client library both move bytes through it, so a closed session, a
 * session that must wait and a failed one read the same everywhere.
 */
#include "config.h"

#include <errno.h>

#include "tls.h"

ssize_t
tls_io_result(size_t n, enum tls_status st)
{
	if (n > 0)
		return (ssize_t)n;
	switch (st) {
	case TLS_CLOSED:
		return 0;
	case TLS_FAILED:
		errno = EPROTO;
		return -1;
	case TLS_OK:
	case TLS_WANT_READ:
	case TLS_WANT_WRITE:
		break;
	}
	errno = EAGAIN;
	return -1;
}
