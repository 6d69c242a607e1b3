/*
 * nutsec - msg.c: the parent/child message channel of msg.h. Output is a
 * buf of whole messages; a message with a descriptor starts a new sendmsg
 * so that its SCM_RIGHTS travels with its first byte. Input is a buf fed by
 * recvmsg; every descriptor received is remembered with the stream range
 * of the read that brought it, and the kernel delivers a descriptor with
 * the first byte of the sendmsg that carried it, so a message flagged
 * MSG_F_FD claims the descriptor whose read range holds its first byte. A
 * descriptor whose range has been consumed without a message claiming it,
 * a flagged message with none, more than one descriptor in a read, and
 * truncated control data all break the channel; unclaimed descriptors are
 * closed. Stream offsets are absolute byte counts, so nothing needs
 * renumbering as the buffers move.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "buf.h"
#include "ev.h"
#include "log.h"
#include "msg.h"
#include "xmalloc.h"

#define MSG_FDQ 4		/* descriptors queued each way */
#define MSG_IN_MAX (4 * (MSG_HDR_SIZE + MSG_MAX_PAYLOAD))
#define MSG_OUT_MAX (256u * 1024)
#define MSG_READ_CHUNK (MSG_HDR_SIZE + MSG_MAX_PAYLOAD)
#define MSG_CMSG_FDS 4		/* room to see (and close) a peer's extra descriptors */

struct rfd {
	int fd;
	uint64_t start, end;	/* the stream bytes of the read that brought it */
};

struct sfd {
	int fd;
	uint64_t off;		/* the stream offset of its message's first byte */
};

struct msg_chan {
	int fd;
	const struct msg_type *types;
	size_t ntypes;
	uint32_t self_id, expect_peer;
	char name[64];
	struct buf *in, *out;
	uint64_t in_base;	/* stream offset of the first byte in `in` */
	uint64_t out_base;	/* stream offset of the first byte in `out` */
	size_t consume;		/* bytes of the message msg_get returned last */
	struct rfd rfds[MSG_FDQ];
	size_t nrfds;
	struct sfd sfds[MSG_FDQ];
	size_t nsfds;
	int broken, eof;
	char err[256];
	/* msg_chan_watch */
	int watched;
	msg_cb on_msg;
	msg_close_cb on_close;
	void *arg;
};

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const struct msg_type *
find_type(const struct msg_type *types, size_t ntypes, uint16_t type)
{
	size_t i;

	for (i = 0; i < ntypes; i++)
		if (types[i].type == type)
			return &types[i];
	return NULL;
}

int
msg_parse(const struct msg_type *types, size_t ntypes, const void *data, size_t len,
    struct msg *m, size_t *used, char *err, size_t errlen)
{
	const struct msg_type *t;
	struct msg_hdr h;

	if (len < MSG_HDR_SIZE)
		return 0;
	memcpy(&h, data, MSG_HDR_SIZE);
	if ((h.flags & ~MSG_F_FD) != 0) {
		set_err(err, errlen, "message type %u: unknown flags 0x%x", h.type, h.flags);
		return -1;
	}
	if ((t = find_type(types, ntypes, h.type)) == NULL) {
		set_err(err, errlen, "unknown message type %u (%lu payload bytes)", h.type,
		    (unsigned long)h.len);
		return -1;
	}
	if (t->kind == MSG_EXACT && h.len != t->size) {
		set_err(err, errlen, "message %s (type %u): payload %lu bytes, want exactly %zu",
		    t->name, h.type, (unsigned long)h.len, t->size);
		return -1;
	}
	if (t->kind == MSG_MAX && h.len > t->size) {
		set_err(err, errlen, "message %s (type %u): payload %lu bytes, want at most %zu",
		    t->name, h.type, (unsigned long)h.len, t->size);
		return -1;
	}
	if ((h.flags & MSG_F_FD) && !t->fd) {
		set_err(err, errlen, "message %s (type %u) carries a descriptor it may not",
		    t->name, h.type);
		return -1;
	}
	if (len - MSG_HDR_SIZE < h.len)
		return 0;
	memset(m, 0, sizeof(*m));
	m->type = h.type;
	m->name = t->name;
	m->peerid = h.peerid;
	m->data = (const char *)data + MSG_HDR_SIZE;
	m->len = h.len;
	m->fd = -1;
	*used = MSG_HDR_SIZE + h.len;
	return 1;
}

struct msg_chan *
msg_chan_new(int fd, const struct msg_type *types, size_t ntypes, uint32_t self_id,
    const char *name)
{
	struct msg_chan *c;
	size_t i;
	int fl;

	for (i = 0; i < ntypes; i++) {
		if (types[i].size > MSG_MAX_PAYLOAD || types[i].name == NULL ||
		    find_type(types, i, types[i].type) != NULL) {
			log_warnx("message table: bad entry for type %u", types[i].type);
			return NULL;
		}
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->types = types;
	c->ntypes = ntypes;
	c->self_id = self_id;
	(void)snprintf(c->name, sizeof(c->name), "%s", name != NULL ? name : "peer");
	c->in = buf_new(MSG_IN_MAX);
	c->out = buf_new(MSG_OUT_MAX);
	if ((fl = fcntl(fd, F_GETFL)) >= 0 && !(fl & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	return c;
}

static void
close_rfds(struct msg_chan *c)
{
	size_t i;

	for (i = 0; i < c->nrfds; i++)
		close(c->rfds[i].fd);
	c->nrfds = 0;
}

void
msg_chan_free(struct msg_chan *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->watched)
		ev_fd_del(c->fd);
	close_rfds(c);
	for (i = 0; i < c->nsfds; i++)
		close(c->sfds[i].fd);
	if (c->fd >= 0)
		close(c->fd);
	buf_free(c->in);
	buf_free(c->out);
	free(c);
}

int
msg_chan_fd(const struct msg_chan *c)
{
	return c->fd;
}

void
msg_expect_peer(struct msg_chan *c, uint32_t peerid)
{
	c->expect_peer = peerid;
}

const char *
msg_error(const struct msg_chan *c)
{
	return c->err;
}

/* Breaks the channel for good: "name: reason". Unclaimed descriptors go. */
static int
chan_break(struct msg_chan *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
chan_break(struct msg_chan *c, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!c->broken)
		set_err(c->err, sizeof(c->err), "%s: %s", c->name, why);
	c->broken = 1;
	close_rfds(c);
	return -1;
}

int
msg_send(struct msg_chan *c, uint16_t type, const void *payload, size_t len, int fd)
{
	struct msg_hdr h;
	char *p;

	if (c->broken) {
		errno = EPIPE;
		goto fail;
	}
	if (len > MSG_MAX_PAYLOAD || (fd >= 0 && c->nsfds == MSG_FDQ)) {
		errno = ENOBUFS;
		goto fail;
	}
	if ((p = buf_space(c->out, MSG_HDR_SIZE + len)) == NULL) {
		errno = ENOBUFS;
		goto fail;
	}
	memset(&h, 0, sizeof(h));
	h.len = (uint32_t)len;
	h.type = type;
	h.flags = fd >= 0 ? MSG_F_FD : 0;
	h.peerid = c->self_id;
	memcpy(p, &h, MSG_HDR_SIZE);
	if (len > 0)
		memcpy(p + MSG_HDR_SIZE, payload, len);
	if (fd >= 0) {
		c->sfds[c->nsfds].fd = fd;
		c->sfds[c->nsfds].off = c->out_base + buf_len(c->out);
		c->nsfds++;
	}
	buf_commit(c->out, MSG_HDR_SIZE + len);
	if (c->watched)
		(void)ev_fd_set(c->fd, EV_READ | EV_WRITE);
	return 0;
fail:
	if (fd >= 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}

size_t
msg_pending(const struct msg_chan *c)
{
	return buf_len(c->out);
}

int
msg_flush(struct msg_chan *c)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;
	size_t limit;
	ssize_t n;
	int with_fd;

	if (c->broken)
		return -1;
	while (buf_len(c->out) > 0) {
		with_fd = c->nsfds > 0 && c->sfds[0].off == c->out_base;
		/*
		 * A descriptor rides on its own message's first byte: stop before
		 * the next one. No more than the peer reads at once, so that a
		 * SOCK_SEQPACKET record is never truncated.
		 */
		limit = buf_len(c->out);
		if (c->nsfds > (size_t)with_fd)
			limit = (size_t)(c->sfds[with_fd].off - c->out_base);
		if (limit > MSG_READ_CHUNK)
			limit = MSG_READ_CHUNK;
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = (void *)buf_peek(c->out);
		iov.iov_len = limit;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if (with_fd) {
			memset(cbuf, 0, sizeof(cbuf));
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof(cbuf);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &c->sfds[0].fd, sizeof(int));
		}
		n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return chan_break(c, "sending: %s", n < 0 ? strerror(errno) : "nothing written");
		if (with_fd) {
			/* The kernel holds its own reference now. */
			close(c->sfds[0].fd);
			memmove(&c->sfds[0], &c->sfds[1], (c->nsfds - 1) * sizeof(c->sfds[0]));
			c->nsfds--;
		}
		buf_consume(c->out, (size_t)n);
		c->out_base += (uint64_t)n;
	}
	return 1;
}

/* Takes the descriptors of one read's control data; -1 if the channel broke. */
static int
take_fds(struct msg_chan *c, struct msghdr *mh, uint64_t start, uint64_t end)
{
	struct cmsghdr *cm;
	int fds[MSG_CMSG_FDS], fd, other = 0;
	size_t nfds = 0, total = 0, i, k;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
			other = 1;
			continue;
		}
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++, total++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (nfds < MSG_CMSG_FDS)
				fds[nfds++] = fd;
			else
				close(fd);
		}
	}
	if (other || total > 1 || (mh->msg_flags & MSG_CTRUNC)) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		if (mh->msg_flags & MSG_CTRUNC)
			return chan_break(c, "control data truncated (too many descriptors)");
		if (other)
			return chan_break(c, "control data other than a descriptor");
		return chan_break(c, "%zu descriptors in one read (at most one per message)", total);
	}
	if (nfds == 0)
		return 0;
	if (c->nrfds == MSG_FDQ) {
		close(fds[0]);
		return chan_break(c, "descriptors arrive faster than messages claim them");
	}
	c->rfds[c->nrfds].fd = fds[0];
	c->rfds[c->nrfds].start = start;
	c->rfds[c->nrfds].end = end;
	c->nrfds++;
	return 0;
}

/* Drops the bytes of the message msg_get returned last. */
static void
consume_last(struct msg_chan *c)
{
	if (c->consume == 0)
		return;
	buf_consume(c->in, c->consume);
	c->in_base += c->consume;
	c->consume = 0;
}

ssize_t
msg_read(struct msg_chan *c)
{
	char cbuf[CMSG_SPACE(MSG_CMSG_FDS * sizeof(int))];
	struct msghdr mh;
	struct iovec iov;
	size_t room;
	ssize_t n;
	uint64_t start;
	char *p;

	if (c->broken)
		return -1;
	consume_last(c);
	room = buf_max(c->in) - buf_len(c->in);
	if (room > MSG_READ_CHUNK)
		room = MSG_READ_CHUNK;
	if (room == 0 || (p = buf_space(c->in, room)) == NULL)
		return chan_break(c, "input buffer full");
	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = p;
	iov.iov_len = room;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	do
		n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -1;
		return chan_break(c, "receiving: %s", strerror(errno));
	}
	start = c->in_base + buf_len(c->in);
	buf_commit(c->in, (size_t)n);
	if (take_fds(c, &mh, start, start + (uint64_t)n) != 0)
		return -1;
	if (mh.msg_flags & MSG_TRUNC)
		return chan_break(c, "a datagram longer than %zu bytes was truncated", room);
	if (n == 0)
		c->eof = 1;
	return n;
}

int
msg_get(struct msg_chan *c, struct msg *m)
{
	struct msg_hdr h;
	char why[200];
	size_t used;
	int rc;

	if (c->broken)
		return -1;
	consume_last(c);
	/* A read wholly consumed without a message taking its descriptor. */
	if (c->nrfds > 0 && c->rfds[0].end <= c->in_base)
		return chan_break(c, "a descriptor came with no message that takes one");
	rc = msg_parse(c->types, c->ntypes, buf_peek(c->in), buf_len(c->in), m, &used, why,
	    sizeof(why));
	if (rc < 0)
		return chan_break(c, "%s", why);
	if (rc == 0 && c->eof && buf_len(c->in) > 0)
		return chan_break(c, "end of file inside a message (%zu bytes left)", buf_len(c->in));
	if (rc == 0)
		return 0;
	memcpy(&h, buf_peek(c->in), MSG_HDR_SIZE);
	if (c->expect_peer != 0 && m->peerid != c->expect_peer)
		return chan_break(c, "message %s from id %lu, expected %lu", m->name,
		    (unsigned long)m->peerid, (unsigned long)c->expect_peer);
	if (h.flags & MSG_F_FD) {
		/* Its descriptor came with the read that brought its first byte. */
		if (c->nrfds == 0 || c->rfds[0].start > c->in_base ||
		    c->rfds[0].end <= c->in_base)
			return chan_break(c, "message %s lacks the descriptor its header announces",
			    m->name);
		m->fd = c->rfds[0].fd;
		memmove(&c->rfds[0], &c->rfds[1], (c->nrfds - 1) * sizeof(c->rfds[0]));
		c->nrfds--;
	}
	c->consume = used;
	return 1;
}

/* The event loop's side: read and deliver, or write what is queued. */
static void
on_event(int fd, unsigned events, void *arg)
{
	struct msg_chan *c = arg;
	struct msg m;
	ssize_t n;

	(void)fd;
	if ((events & EV_WRITE) && msg_flush(c) == 1)
		(void)ev_fd_set(c->fd, EV_READ);
	if (!c->broken && (events & (EV_READ | EV_ERROR))) {
		do {
			n = msg_read(c);
			while (n >= 0 && msg_get(c, &m) == 1)
				c->on_msg(c, &m, c->arg);
		} while (n > 0 && !c->broken);
		if (n < 0 && !c->broken && errno != EAGAIN && errno != EWOULDBLOCK)
			(void)chan_break(c, "receiving: %s", strerror(errno));
	}
	if (c->broken || c->eof) {
		ev_fd_del(c->fd);
		c->watched = 0;
		c->on_close(c, c->broken ? c->err : "end of file", c->arg);
	}
}

int
msg_chan_watch(struct msg_chan *c, msg_cb on_msg, msg_close_cb on_close, void *arg)
{
	c->on_msg = on_msg;
	c->on_close = on_close;
	c->arg = arg;
	if (ev_fd_add(c->fd, EV_READ | (buf_len(c->out) > 0 ? EV_WRITE : 0), on_event, c) != 0)
		return -1;
	c->watched = 1;
	return 0;
}
