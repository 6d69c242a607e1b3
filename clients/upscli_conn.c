/*
 * nutsec - upscli_conn.c: the client library's connection layer. It opens
 * the TCP connection (resolving the name itself so that "No such host" and
 * "Connection failure: <errno>" can be told apart as NUT's clients do),
 * hands the new connection to upscli_tls.c for STARTTLS, and moves bytes
 * (through the TLS session once there is one) with a deadline on every
 * read and write: a reply line must be complete within the read timeout
 * and at most UPSCLI_MAX_LINE long, and a whole operation (connect's
 * STARTTLS part, a request and its whole reply) within op_timeout_ms,
 * whatever its pace, so a silent, slow or flooding server
 * fails the call instead of hanging or bloating the client. It also keeps
 * the last error and turns it into NUT's client messages.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "net.h"
#include "proto.h"
#include "tok.h"
#include "upscli_int.h"
#include "xmalloc.h"

#define READ_CHUNK 1024

void
upscli_opts_init(struct upscli_opts *o)
{
	const char *env;
	char *end;
	long v;

	memset(o, 0, sizeof(*o));
	o->family = NET_FAMILY_ANY;
	o->connect_timeout_ms = UPSCLI_CONNECT_TIMEOUT_MS;
	o->read_timeout_ms = UPSCLI_READ_TIMEOUT_MS;
	o->op_timeout_ms = UPSCLI_OP_TIMEOUT_MS;
	o->max_list = UPSCLI_MAX_LIST;
	env = getenv("NUT_DEFAULT_CONNECT_TIMEOUT");
	if (env != NULL && *env != '\0') {
		errno = 0;
		v = strtol(env, &end, 10);
		if (errno == 0 && *end == '\0' && v > 0 && v <= 86400)
			o->connect_timeout_ms = (int)(v * 1000);
	}
}

struct upscli *
upscli_new(const struct upscli_opts *opts)
{
	struct upscli *c = XNEW(struct upscli);

	if (opts != NULL)
		c->opts = *opts;
	else
		upscli_opts_init(&c->opts);
	if (c->opts.connect_timeout_ms <= 0)
		c->opts.connect_timeout_ms = UPSCLI_CONNECT_TIMEOUT_MS;
	if (c->opts.read_timeout_ms <= 0)
		c->opts.read_timeout_ms = UPSCLI_READ_TIMEOUT_MS;
	if (c->opts.op_timeout_ms <= 0)
		c->opts.op_timeout_ms = UPSCLI_OP_TIMEOUT_MS;
	if (c->opts.max_list == 0)
		c->opts.max_list = UPSCLI_MAX_LIST;
	c->fd = -1;
	c->server_err = -1;
	/* Two lines' worth: one being read plus the start of the next. */
	c->in = buf_new(2 * UPSCLI_MAX_LINE + READ_CHUNK);
	c->tok = tok_new(0, 0);
	return c;
}

int
upscli_fail(struct upscli *c, enum upscli_err e, int sys_errno,
    const char *detail)
{
	c->err = e;
	c->sys_errno = sys_errno;
	c->server_err = -1;
	if (detail != NULL)
		(void)str_copy(c->detail, detail, sizeof(c->detail));
	else
		c->detail[0] = '\0';
	return -1;
}

void
upscli_drop(struct upscli *c)
{
	if (c->tls != NULL)
		upscli_tls_end(c);
	if (c->fd >= 0)
		(void)close(c->fd);
	c->fd = -1;
	buf_reset(c->in);
	tok_reset(c->tok);
	c->list_items = 0;
}

void
upscli_adopt_fd(struct upscli *c, int fd)
{
	int fl;

	upscli_drop(c);
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	c->fd = fd;
	c->err = UPSCLI_ERR_NONE;
	c->op_deadline = 0;
	c->warned_clear = 0;
}

void
upscli_disconnect(struct upscli *c)
{
	static const char logout[] = "LOGOUT\n";

	if (c == NULL || c->fd < 0)
		return;
	/* Best effort and bounded: a peer that does not read us is dropped. */
	if (c->tls_up)
		(void)upscli_tls_write(c, logout, sizeof(logout) - 1,
		    upscli_now_ms() + c->opts.read_timeout_ms);
	else
		(void)send(c->fd, logout, sizeof(logout) - 1,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)shutdown(c->fd, SHUT_RDWR);
	upscli_drop(c);
}

void
upscli_close(struct upscli *c)
{
	if (c == NULL)
		return;
	upscli_disconnect(c);
	buf_free(c->in);
	tok_free(c->tok);
	free(c->host);
	if (c->pre_res != NULL)
		freeaddrinfo(c->pre_res);
	free(c->pre_host);
	free(c);
}

int
upscli_fd(const struct upscli *c)
{
	return c != NULL ? c->fd : -1;
}

int
upscli_tls_active(const struct upscli *c)
{
	return c != NULL && c->tls_up;
}

const char *
upscli_host(const struct upscli *c)
{
	return c->host;
}

unsigned
upscli_port(const struct upscli *c)
{
	return c->port;
}

enum upscli_err
upscli_error(const struct upscli *c)
{
	return c->err;
}

int
upscli_server_error(const struct upscli *c)
{
	return c->err == UPSCLI_ERR_SERVER ? c->server_err : -1;
}

const char *
upscli_strerror(struct upscli *c)
{
	const char *fixed = NULL;

	switch (c->err) {
	case UPSCLI_ERR_NONE:
		fixed = "No error";
		break;
	case UPSCLI_ERR_SERVER:
		/* NUT's libupsclient says "Unknown error" for codes it lacks. */
		fixed = c->server_err >= 0 ?
		    proto_err_message((enum proto_err)c->server_err) :
		    "Unknown error";
		break;
	case UPSCLI_ERR_NOSUCHHOST:
		fixed = "No such host";
		break;
	case UPSCLI_ERR_CONNECT:
		(void)str_printf(c->msg, sizeof(c->msg), "Connection failure: %s",
		    strerror(c->sys_errno));
		break;
	case UPSCLI_ERR_WRITE:
		(void)str_printf(c->msg, sizeof(c->msg), "Write error: %s",
		    strerror(c->sys_errno));
		break;
	case UPSCLI_ERR_READ:
		(void)str_printf(c->msg, sizeof(c->msg), "Read error: %s",
		    strerror(c->sys_errno));
		break;
	case UPSCLI_ERR_TIMEOUT:
		fixed = "Server timed out";
		break;
	case UPSCLI_ERR_DISCONNECTED:
		fixed = "Server disconnected";
		break;
	case UPSCLI_ERR_INVRESP:
		fixed = "Protocol error";
		break;
	case UPSCLI_ERR_TOOLONG:
		fixed = c->detail[0] != '\0' ? c->detail : "Reply too long";
		break;
	case UPSCLI_ERR_PARSE:
		(void)str_printf(c->msg, sizeof(c->msg), "Parse error: %s",
		    c->detail);
		break;
	case UPSCLI_ERR_TLS_REQUIRED:
		if (c->detail[0] == '\0')
			fixed = "TLS required but not available";
		else
			(void)str_printf(c->msg, sizeof(c->msg), "TLS required but "
			    "not available: %s", c->detail);
		break;
	case UPSCLI_ERR_TLS:
		(void)str_printf(c->msg, sizeof(c->msg), "SSL error: %s",
		    c->detail[0] != '\0' ? c->detail : "handshake failed");
		break;
	case UPSCLI_ERR_NOTCONN:
		fixed = "Not connected";
		break;
	case UPSCLI_ERR_ARG:
		fixed = "Invalid argument";
		break;
	}
	/* A formatted message cut short is still the best we can say. */
	return fixed != NULL ? fixed : c->msg;
}

long long
upscli_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
upscli_op_begin(struct upscli *c)
{
	c->op_deadline = upscli_now_ms() + c->opts.op_timeout_ms;
}

long long
upscli_deadline(const struct upscli *c)
{
	long long d = upscli_now_ms() + c->opts.read_timeout_ms;

	return c->op_deadline > 0 && c->op_deadline < d ? c->op_deadline : d;
}

int
upscli_wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int r;

	for (;;) {
		left = deadline - upscli_now_ms();
		if (left <= 0)
			return 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* One non-blocking connect attempt to ai with the deadline. fd or -1. */
static int
connect_one(const struct addrinfo *ai, long long deadline, int *err)
{
	socklen_t len;
	int fd, so_err = 0, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		*err = errno;
		goto fail;
	}
	r = upscli_wait_fd(fd, POLLOUT, deadline);
	if (r <= 0) {
		*err = r == 0 ? ETIMEDOUT : errno;
		goto fail;
	}
	len = sizeof(so_err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_err, &len) < 0)
		so_err = errno;
	if (so_err == 0)
		return fd;
	*err = so_err;
fail:
	(void)close(fd);
	return -1;
}

/* getaddrinfo for host and port, with our hints. 0 or -1 (recorded). */
static int
resolve(struct upscli *c, const char *host, unsigned port, struct addrinfo **res)
{
	struct addrinfo hints;
	char portstr[16];
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = c->opts.family == NET_FAMILY_V4 ? AF_INET :
	    c->opts.family == NET_FAMILY_V6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	if (str_printf(portstr, sizeof(portstr), "%u", port) < 0)
		return upscli_fail(c, UPSCLI_ERR_ARG, 0, NULL);
	r = getaddrinfo(host, portstr, &hints, res);
	if (r != 0) {
		if (r == EAI_SYSTEM)
			return upscli_fail(c, UPSCLI_ERR_CONNECT, errno, NULL);
		return upscli_fail(c, UPSCLI_ERR_NOSUCHHOST, 0, gai_strerror(r));
	}
	return 0;
}

int
upscli_preresolve(struct upscli *c, const char *host, unsigned port)
{
	struct addrinfo *res = NULL;

	if (host == NULL || *host == '\0' || port == 0 || port > 65535)
		return upscli_fail(c, UPSCLI_ERR_ARG, 0, NULL);
	if (resolve(c, host, port, &res) != 0)
		return -1;
	if (c->pre_res != NULL)
		freeaddrinfo(c->pre_res);
	free(c->pre_host);
	c->pre_res = res;
	c->pre_host = xstrdup(host);
	c->pre_port = port;
	return 0;
}

/* Resolves host (or takes the preresolved addresses) and connects to the
 * first address that answers. */
static int
tcp_connect(struct upscli *c, const char *host, unsigned port)
{
	struct addrinfo *res = NULL, *ai;
	long long deadline;
	int fd = -1, e = ECONNREFUSED;
	int kept = c->pre_res != NULL && port == c->pre_port &&
	    strcmp(host, c->pre_host) == 0;

	if (kept)
		res = c->pre_res;
	else if (resolve(c, host, port, &res) != 0)
		return -1;
	/* One deadline for all addresses: a name with many dead addresses
	 * must not multiply the wait. */
	deadline = upscli_now_ms() + c->opts.connect_timeout_ms;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = connect_one(ai, deadline, &e);
	if (!kept)
		freeaddrinfo(res);
	if (fd < 0)
		return upscli_fail(c, UPSCLI_ERR_CONNECT, e, NULL);
	c->fd = fd;
	return 0;
}

/*
 * A read or write failed with sys_errno: drops the connection and records
 * kind, or the TLS layer's explanation when the session failed (EPROTO)
 * or our pushing of buffered TLS output timed out (ETIMEDOUT).
 */
static int
io_failed(struct upscli *c, int sys_errno, enum upscli_err kind)
{
	char why[sizeof(c->tls_err)];
	int tls = c->tls_up;

	(void)str_copy(why, c->tls_err, sizeof(why));
	upscli_drop(c);
	if (tls && sys_errno == EPROTO)
		return upscli_fail(c, UPSCLI_ERR_TLS, 0, why);
	if (tls && sys_errno == ETIMEDOUT)
		return upscli_fail(c, UPSCLI_ERR_TIMEOUT, 0, NULL);
	return upscli_fail(c, kind, sys_errno, NULL);
}

int
upscli_write_all(struct upscli *c, const char *line, size_t len)
{
	long long deadline = upscli_deadline(c);
	size_t off = 0;
	long n;
	int r;

	if (c->fd < 0)
		return upscli_fail(c, UPSCLI_ERR_NOTCONN, 0, NULL);
	while (off < len) {
		if (c->tls_up)
			n = upscli_tls_write(c, line + off, len - off, deadline);
		else
			n = (long)send(c->fd, line + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			r = upscli_wait_fd(c->fd, POLLOUT, deadline);
			if (r > 0)
				continue;
			upscli_drop(c);
			return upscli_fail(c, r == 0 ? UPSCLI_ERR_TIMEOUT :
			    UPSCLI_ERR_WRITE, errno, NULL);
		}
		r = n < 0 ? errno : EPIPE;
		return io_failed(c, r, UPSCLI_ERR_WRITE);
	}
	return 0;
}

/* Appends what the socket has to c->in. 1 got bytes, 0 EOF, -1 errno. */
static int
fill(struct upscli *c)
{
	char chunk[READ_CHUNK];
	long n;

	if (c->tls_up)
		n = upscli_tls_read(c, chunk, sizeof(chunk));
	else
		n = (long)recv(c->fd, chunk, sizeof(chunk), 0);
	if (n <= 0)
		return (int)n;
	if (buf_put(c->in, chunk, (size_t)n) < 0) {
		errno = ENOBUFS;
		n = -1;
	}
	explicit_bzero(chunk, sizeof(chunk));
	return n < 0 ? -1 : 1;
}

int
upscli_read_tokens(struct upscli *c)
{
	long long deadline = upscli_deadline(c);
	size_t len = 0;
	int r;

	if (c->fd < 0)
		return upscli_fail(c, UPSCLI_ERR_NOTCONN, 0, NULL);
	for (;;) {
		r = buf_line(c->in, UPSCLI_MAX_LINE, &len);
		if (r == 1)
			break;
		if (r < 0) {
			upscli_drop(c);
			return upscli_fail(c, UPSCLI_ERR_TOOLONG, 0,
			    "Reply line too long");
		}
		r = fill(c);
		if (r > 0)
			continue;
		if (r == 0) {
			upscli_drop(c);
			return upscli_fail(c, UPSCLI_ERR_DISCONNECTED, 0, NULL);
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return io_failed(c, errno, UPSCLI_ERR_READ);
		r = upscli_wait_fd(c->fd, POLLIN, deadline);
		if (r <= 0) {
			int e = errno;

			upscli_drop(c);
			return upscli_fail(c, r == 0 ? UPSCLI_ERR_TIMEOUT :
			    UPSCLI_ERR_READ, e, NULL);
		}
	}
	r = tok_split(c->tok, buf_peek(c->in), len) == TOK_LINE ? 0 : -1;
	buf_consume(c->in, len);
	if (r < 0)
		return upscli_fail(c, UPSCLI_ERR_PARSE, 0, tok_error(c->tok));
	if (tok_argc(c->tok) == 0)
		return upscli_fail(c, UPSCLI_ERR_INVRESP, 0, "empty reply");
	return 0;
}

int
upscli_connect(struct upscli *c, const char *host, unsigned port)
{
	struct upscli_tlspol pol;

	if (c->fd >= 0)
		upscli_disconnect(c);
	if (host == NULL || *host == '\0' || port == 0 || port > 65535)
		return upscli_fail(c, UPSCLI_ERR_ARG, 0, NULL);
	free(c->host);
	c->host = xstrdup(host);
	c->port = port;
	c->err = UPSCLI_ERR_NONE;
	c->op_deadline = 0;
	c->warned_clear = 0;

	/* Settled before any byte goes out: a policy that requires TLS must
	 * never be met by a plaintext session. */
	if (upscli_tls_policy(c, host, port, &pol) < 0)
		return -1;
	if (tcp_connect(c, host, port) < 0)
		return -1;
	/* STARTTLS, the handshake and PROTVER: one operation, one deadline. */
	upscli_op_begin(c);
	return upscli_starttls(c, &pol);
}
