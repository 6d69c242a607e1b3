/*
 * nutsec - buf.c: bounded byte buffers. The unconsumed bytes live at
 * data[off .. off+len); consuming only moves off, and the bytes are moved
 * to the front only when an append needs the room (compaction by offset).
 * Capacity grows geometrically and never past the buffer's own max_size.
 * A buffer that becomes empty clears and releases its block, so an idle
 * connection costs only the struct. Every entry point checks the
 * invariants and aborts on corruption, as OpenSSH's sshbuf does.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"

/*
 * First block; smaller requests round up. A batch of 16 pipelined replies
 * fits, so a busy connection does not grow its block three times per
 * batch (an empty buffer gives its block back, so idle ones cost nothing).
 */
#define BUF_MIN_ALLOC 1024

/*
 * 32 bytes: every count fits 32 bits because max <= BUF_HARD_MAX, and
 * idle connections are mostly this struct.
 */
struct buf {
	char *data;	/* NULL exactly when cap == 0 */
	uint32_t off;	/* first unconsumed byte */
	uint32_t len;	/* unconsumed bytes */
	uint32_t cap;	/* allocated bytes */
	uint32_t dirty;	/* bytes [0, dirty) may hold data: what a clear must wipe */
	uint32_t max;	/* the most this buffer may hold */
	uint32_t reserved;	/* bytes handed out by buf_space, not committed */
};

_Static_assert(BUF_HARD_MAX <= UINT32_MAX / 2, "buf counts are 32-bit");

static void buf_broken(const char *what) __attribute__((noreturn, noinline, cold));

static void
buf_broken(const char *what)
{
	fprintf(stderr, "nutsec: buf: %s\n", what);
	abort();
}

/*
 * The invariants, checked by every entry point: off + len + reserved <=
 * cap <= max <= BUF_HARD_MAX, max > 0, the live bytes lie below dirty <=
 * cap, and data is NULL exactly when cap is 0. Written as one test of ORed
 * comparisons (no branch per clause), so it costs a few instructions.
 */
static inline void
buf_check(const struct buf *b)
{
	if (b == NULL)
		buf_broken("internal invariant broken");
	if (((uint64_t)b->off + b->len + b->reserved > b->cap) | (b->cap > b->max) |
	    (b->max - 1u >= BUF_HARD_MAX) | (b->dirty > b->cap) |
	    ((b->len != 0) & (b->off + b->len > b->dirty)) |
	    ((b->data == NULL) != (b->cap == 0)))
		buf_broken("internal invariant broken");
}

/* Clears and releases the block; the buffer becomes empty. */
static void
buf_release(struct buf *b)
{
	if (b->data != NULL) {
		explicit_bzero(b->data, b->dirty);
		free(b->data);
	}
	b->data = NULL;
	b->off = b->len = b->cap = b->dirty = b->reserved = 0;
}

struct buf *
buf_new(size_t max_size)
{
	struct buf *b;

	if (max_size == 0 || max_size > BUF_HARD_MAX)
		max_size = BUF_HARD_MAX;
	b = xcalloc(1, sizeof(*b));
	b->max = (uint32_t)max_size;
	return b;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	buf_check(b);
	buf_release(b);
	free(b);
}

void
buf_reset(struct buf *b)
{
	buf_check(b);
	buf_release(b);
}

/*
 * The accessors run several times per request, so they check only what
 * their answer depends on; every mutator checks all the invariants.
 */
size_t
buf_len(const struct buf *b)
{
	if (b == NULL || b->len > b->cap)
		buf_broken("internal invariant broken");
	return b->len;
}

size_t
buf_max(const struct buf *b)
{
	if (b == NULL || b->max - 1u >= BUF_HARD_MAX)
		buf_broken("internal invariant broken");
	return b->max;
}

const char *
buf_peek(const struct buf *b)
{
	if (b == NULL || (uint64_t)b->off + b->len > b->cap)
		buf_broken("internal invariant broken");
	if (b->data == NULL)
		return "";
	return b->data + b->off;
}

/* The slow part of buf_reserve: compacts if that is enough, else grows. */
static char *
buf_make_room(struct buf *b, size_t need)
{
	size_t want, ncap;
	char *nd;

	want = b->len + need;
	if (want <= b->cap) {
		/* Enough room once the consumed front is dropped. */
		memmove(b->data, b->data + b->off, b->len);
		explicit_bzero(b->data + b->len, b->dirty - b->len);
		b->dirty = b->len;
		b->off = 0;
		return b->data + b->len;
	}
	ncap = b->cap ? b->cap : BUF_MIN_ALLOC;
	while (ncap < want && ncap < b->max)
		ncap = ncap > b->max / 2 ? b->max : ncap * 2;
	if (ncap > b->max)
		ncap = b->max;
	/* Fresh block rather than realloc, so the old one can be cleared. */
	nd = xmalloc(ncap);
	if (b->len > 0)
		memcpy(nd, b->data + b->off, b->len);
	if (b->data != NULL) {
		explicit_bzero(b->data, b->dirty);
		free(b->data);
	}
	b->data = nd;
	b->cap = (uint32_t)ncap;
	b->dirty = b->len;
	b->off = 0;
	buf_check(b);
	return b->data + b->len;
}

/*
 * Makes room for need more bytes after the data: in place when the tail has
 * it (the common case, inlined), else by compacting or growing (doubling,
 * capped at max). Returns a pointer to the free tail, or NULL if len + need
 * would exceed max.
 */
static inline char *
buf_reserve(struct buf *b, size_t need)
{
	buf_check(b);
	b->reserved = 0;	/* any change voids an earlier buf_space */
	if (need > b->max - b->len)
		return NULL;
	if (need <= b->cap - b->off - b->len)
		return b->data + b->off + b->len;
	return buf_make_room(b, need);
}

/* Records that bytes up to end (capped at cap) were written. */
static inline void
buf_touch(struct buf *b, size_t end)
{
	if (end > b->cap)
		end = b->cap;
	if (end > b->dirty)
		b->dirty = end;
}

int
buf_put(struct buf *b, const void *data, size_t len)
{
	char *p;

	if (len == 0) {
		buf_check(b);
		return 0;
	}
	if ((p = buf_reserve(b, len)) == NULL)
		return -1;
	memcpy(p, data, len);
	b->len += len;
	buf_touch(b, b->off + b->len);
	return 0;
}

int
buf_putf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	char *p;
	int n;

	buf_check(b);
	b->reserved = 0;
	room = b->cap - b->off - b->len;
	p = b->data ? b->data + b->off + b->len : NULL;
	va_start(ap, fmt);
	n = vsnprintf(p, room, fmt, ap);
	va_end(ap);
	if (room > 0)
		buf_touch(b, b->cap);	/* the attempt may have filled the tail */
	if (n < 0)
		return -1;
	if ((size_t)n >= room) {
		if ((size_t)n > b->max - b->len)
			return -1;
		if ((size_t)n < b->max - b->len) {
			/* Reserve room for the text and vsnprintf's NUL; format again. */
			int again;

			p = buf_reserve(b, (size_t)n + 1);
			va_start(ap, fmt);
			again = vsnprintf(p, (size_t)n + 1, fmt, ap);
			va_end(ap);
			buf_touch(b, b->off + b->len + (size_t)n + 1);
			if (again != n)
				return -1;
		} else {
			/* Fills the buffer exactly: no room for the NUL, go via a copy. */
			char *tmp = xmalloc((size_t)n + 1);
			int rc;

			va_start(ap, fmt);
			rc = vsnprintf(tmp, (size_t)n + 1, fmt, ap);
			va_end(ap);
			if (rc == n)
				rc = buf_put(b, tmp, (size_t)n);
			else
				rc = -1;
			explicit_bzero(tmp, (size_t)n + 1);
			free(tmp);
			return rc;
		}
	}
	b->len += (size_t)n;
	buf_touch(b, b->off + b->len + 1);
	return 0;
}

char *
buf_space(struct buf *b, size_t n)
{
	char *p;

	if ((p = buf_reserve(b, n)) == NULL)
		return NULL;
	/* The caller may write anywhere in the space: a clear must cover it. */
	buf_touch(b, b->off + b->len + n);
	b->reserved = (uint32_t)n;
	return p;
}

void
buf_commit(struct buf *b, size_t k)
{
	buf_check(b);
	if (k > b->reserved)
		buf_broken("commit past the space reserved");
	b->len += (uint32_t)k;
	b->reserved = 0;
}

void
buf_consume(struct buf *b, size_t n)
{
	buf_check(b);
	if (n > b->len)
		buf_broken("consume past the end");
	b->reserved = 0;
	if (n == b->len) {
		buf_release(b);
		return;
	}
	b->off += n;
	b->len -= n;
}

int
buf_line(const struct buf *b, size_t maxline, size_t *len)
{
	const char *p, *lf;
	size_t scan;

	buf_check(b);
	if (b->len == 0)
		return 0;
	p = b->data + b->off;
	/* A line of maxline bytes may end in its LF at index maxline - 1. */
	scan = b->len < maxline ? b->len : maxline;
	lf = memchr(p, '\n', scan);
	if (lf != NULL) {
		*len = (size_t)(lf - p) + 1;
		return 1;
	}
	return b->len < maxline ? 0 : -1;
}

ssize_t
buf_read_fd(struct buf *b, int fd, size_t want)
{
	ssize_t n;
	char *p;

	buf_check(b);
	if (b->len >= b->max) {
		errno = ENOBUFS;
		return -1;
	}
	if (want == 0 || want > b->max - b->len)
		want = b->max - b->len;
	if ((p = buf_reserve(b, want)) == NULL) {
		errno = ENOBUFS;
		return -1;
	}
	do
		n = read(fd, p, want);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		b->len += (size_t)n;
		buf_touch(b, b->off + b->len);
	}
	else if (b->len == 0) {
		/* Nothing came: do not keep the block an idle peer made us take. */
		int saved = errno;
		buf_release(b);
		errno = saved;
	}
	return n;
}

ssize_t
buf_write_fd(struct buf *b, int fd)
{
	ssize_t n;

	buf_check(b);
	if (b->len == 0)
		return 0;
	for (;;) {
		n = send(fd, b->data + b->off, b->len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, b->data + b->off, b->len);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -1;
	}
	buf_consume(b, (size_t)n);
	return n;
}
