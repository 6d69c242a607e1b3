/*
 * nutsec - buf.h: bounded byte buffers for network input and output.
 *
 * A buf grows on demand up to its own max_size (and never past the global
 * BUF_HARD_MAX), so memory per connection is bounded by construction. An
 * empty buf holds no heap memory, which keeps idle connections cheap.
 * Every call that changes a buf checks all of its invariants, and every
 * accessor the ones its answer depends on; a broken one aborts.
 * buf_free clears the contents before releasing them.
 */
#ifndef NUTSEC_BUF_H
#define NUTSEC_BUF_H

#include <stddef.h>
#include <sys/types.h>

#define BUF_HARD_MAX (64u * 1024 * 1024)

struct buf;

/* A new empty buffer that may hold at most max_size bytes (0 or more than
 * BUF_HARD_MAX: BUF_HARD_MAX). */
struct buf *buf_new(size_t max_size);
/* Clears and frees; b may be NULL. */
void buf_free(struct buf *b);
/* Drops the contents (cleared) and releases the heap memory. */
void buf_reset(struct buf *b);

size_t buf_len(const struct buf *b);
size_t buf_max(const struct buf *b);
/* Pointer to the first unconsumed byte (valid until the next change). */
const char *buf_peek(const struct buf *b);

/* Appends len bytes. Returns 0, or -1 (nothing appended) if over max_size. */
int buf_put(struct buf *b, const void *data, size_t len);
/* Appends a formatted string. Returns 0, or -1 (nothing appended) on overflow. */
int buf_putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Zero-copy append, for formatters that know an upper bound: buf_space
 * returns room for n bytes after the data (valid until the next change to
 * b), or NULL if len + n would exceed max_size; buf_commit(b, k) then
 * appends the first k <= n of them. Nothing is appended without a commit.
 */
char *buf_space(struct buf *b, size_t n);
void buf_commit(struct buf *b, size_t k);
/* Removes n bytes from the front (n <= buf_len). */
void buf_consume(struct buf *b, size_t n);

/*
 * Finds a complete LF-terminated line at the front of b.
 * Returns 1 and sets *len to the line's length including the LF;
 * 0 if no LF yet and buf_len(b) <= maxline; -1 if no LF within maxline bytes
 * (the peer is over the limit: disconnect, do not truncate).
 */
int buf_line(const struct buf *b, size_t maxline, size_t *len);

/*
 * Reads at most `want` bytes from fd (non-blocking) into the buffer.
 * Returns bytes read, 0 on EOF, -1 with errno (EAGAIN included), or -1 with
 * errno = ENOBUFS when the buffer is full.
 */
ssize_t buf_read_fd(struct buf *b, int fd, size_t want);
/*
 * Writes as much as the fd takes and consumes it. Returns bytes written
 * (possibly 0 on EAGAIN), or -1 with errno on a real error.
 */
ssize_t buf_write_fd(struct buf *b, int fd);

#endif
