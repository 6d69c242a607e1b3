/*
 * nutsec - msg.h: typed messages between a privileged parent and its
 * sandboxed children, in the spirit of OpenBSD's imsg. Each message is a
 * fixed header (payload length, type, flags, the sender's id) and a payload
 * whose size the receiver checks against a table given by the program
 * (exactly N bytes, or at most N). A message may carry one descriptor
 * (SCM_RIGHTS), and only if its type allows one. Any malformed input
 * (unknown type, wrong size, an unexpected or missing descriptor, more than
 * one descriptor, a truncated datagram, unknown flags, the wrong sender id)
 * breaks the channel for good with a message saying what was wrong; a
 * privileged receiver treats that as fatal. Descriptors nobody claims are
 * closed. Works on a SOCK_STREAM or SOCK_SEQPACKET Unix socket, buffered
 * through common/buf, and driven by common/ev or by hand (msg_read/msg_get,
 * msg_flush).
 */
#ifndef NUTSEC_MSG_H
#define NUTSEC_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The wire header, in host byte order (both ends are on this machine). */
struct msg_hdr {
	uint32_t len;		/* payload bytes after the header */
	uint16_t type;
	uint16_t flags;		/* MSG_F_* */
	uint32_t peerid;	/* the sender's id (its pid, or 0) */
};
#define MSG_HDR_SIZE ((size_t)sizeof(struct msg_hdr))
#define MSG_F_FD 0x0001		/* a descriptor travels with this message */
#define MSG_MAX_PAYLOAD 16384u	/* no type may allow more */

/* How a type's payload size is checked. */
enum msg_size { MSG_EXACT = 0, MSG_MAX };

/* One row of a program's message table. */
struct msg_type {
	uint16_t type;
	const char *name;	/* for errors and logs */
	enum msg_size kind;	/* the payload is exactly / at most `size` bytes */
	size_t size;
	int fd;			/* 1: a descriptor may come with it (at most one) */
};

/* A received message; data is valid until the next msg_get/msg_read. */
struct msg {
	uint16_t type;
	const char *name;	/* the table's name for the type */
	uint32_t peerid;
	const void *data;
	size_t len;
	int fd;			/* the descriptor that came with it, or -1: the caller owns it */
};

struct msg_chan;

/*
 * Parses one message at the front of data[0..len): 1 with *m (data points
 * into the input; m->fd is -1) and *used set, 0 if more bytes are needed,
 * -1 with a reason in err if the message is malformed. Checks the header
 * (flags, type, size) before any payload is needed, so an oversized length
 * is refused at once. Pure: no descriptors, no allocation (the fuzz target).
 */
int msg_parse(const struct msg_type *types, size_t ntypes, const void *data, size_t len,
    struct msg *m, size_t *used, char *err, size_t errlen);

/*
 * A channel on the connected socket fd (made non-blocking here), which it
 * owns from now on. types (not copied) is the table of what may be
 * received; self_id goes into every header sent; name names the peer in
 * errors, e.g. "upsmon-net". NULL, with fd left alone, only if a table
 * entry is bad (a size over MSG_MAX_PAYLOAD, a duplicate type); fatal on
 * no memory.
 */
struct msg_chan *msg_chan_new(int fd, const struct msg_type *types, size_t ntypes,
    uint32_t self_id, const char *name);
/* Stops watching, closes the socket and every descriptor still held. NULL ok. */
void msg_chan_free(struct msg_chan *c);
/* The socket. */
int msg_chan_fd(const struct msg_chan *c);
/* Messages whose header names another sender id are malformed (0: any). */
void msg_expect_peer(struct msg_chan *c, uint32_t peerid);
/* Why the channel broke ("" while it works). */
const char *msg_error(const struct msg_chan *c);

/*
 * Queues one message of type with len payload bytes and, if fd >= 0, the
 * descriptor, which the channel owns from now on (closed once sent, or on
 * any failure). The type's row in the peer's table decides what it
 * accepts; here only the header limits apply (len <= MSG_MAX_PAYLOAD).
 * Returns 0, or -1 with errno (ENOBUFS: the output queue is full; EPIPE:
 * the channel is broken). A watched channel writes from the event loop.
 */
int msg_send(struct msg_chan *c, uint16_t type, const void *payload, size_t len, int fd);
/*
 * Writes what is queued without blocking: 1 if all went, 0 if some is
 * left (EAGAIN), -1 if the channel broke (see msg_error).
 */
int msg_flush(struct msg_chan *c);
/* Bytes still queued for sending. */
size_t msg_pending(const struct msg_chan *c);

/*
 * Reads what the socket has (one recvmsg; take the messages with msg_get
 * until it returns 0 before reading again): bytes read, 0 on end of file,
 * -1 with errno EAGAIN if nothing is there, or -1 with the channel broken
 * (msg_error says why: a descriptor too many, a truncated datagram, the
 * input buffer full, a socket error).
 */
ssize_t msg_read(struct msg_chan *c);
/*
 * The next complete message: 1 with *m (m->fd, if not -1, is the caller's
 * now), 0 if none is complete yet, -1 if the channel is broken.
 */
int msg_get(struct msg_chan *c, struct msg *m);

/*
 * Drives the channel from the event loop: on_msg for every message (it may
 * send, but must not free c), on_close once when the peer hangs up (why is
 * "end of file") or the channel breaks (why is msg_error); on_close may free
 * c. Returns 0 or -1.
 */
typedef void (*msg_cb)(struct msg_chan *c, const struct msg *m, void *arg);
typedef void (*msg_close_cb)(struct msg_chan *c, const char *why, void *arg);
int msg_chan_watch(struct msg_chan *c, msg_cb on_msg, msg_close_cb on_close, void *arg);

#endif
