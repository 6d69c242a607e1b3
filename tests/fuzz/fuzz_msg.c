/*
 * nutsec - fuzz_msg.c: the parent/child message channel under arbitrary
 * bytes from a peer. The input is parsed directly (every message that
 * parses must encode back to the bytes it came from, and a refusal must
 * say why), then sent through a real socketpair into a channel, split into
 * writes whose sizes the first input byte chooses; the channel must
 * deliver the same messages and stop where the parser stopped (a message
 * announcing a descriptor stops it too: none is ever sent), and hold no
 * descriptor afterwards. The table is the kind upsmon uses: exact sizes,
 * one bounded type, one type that carries a descriptor.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "msg.h"

static const struct msg_type types[] = {
	{ 1, "HELLO", MSG_EXACT, 4, 0 },
	{ 2, "SHUTDOWN", MSG_EXACT, 0, 0 },
	{ 3, "NOTIFY", MSG_EXACT, 68, 0 },
	{ 4, "PASSFD", MSG_EXACT, 0, 1 },
	{ 5, "BLOB", MSG_MAX, 1000, 0 },
};
#define NTYPES (sizeof(types) / sizeof(types[0]))
#define MAX_INPUT 65536

/* Parses data as far as it goes: the count of messages, and where it stopped. */
static size_t
parse_all(const uint8_t *data, size_t size, size_t *stop, int *refused)
{
	struct msg_hdr h;
	struct msg m;
	char err[256];
	size_t off = 0, used, n = 0;
	int rc;

	*refused = 0;
	while ((rc = msg_parse(types, NTYPES, data + off, size - off, &m, &used, err,
	    sizeof(err))) == 1) {
		memcpy(&h, data + off, MSG_HDR_SIZE);
		if (used != MSG_HDR_SIZE + m.len || h.type != m.type || h.len != m.len ||
		    h.peerid != m.peerid || m.data != data + off + MSG_HDR_SIZE || m.fd != -1)
			abort();
		if (h.flags & MSG_F_FD) {
			/* No descriptor is ever sent: the channel must refuse this one. */
			rc = -1;
			err[0] = '-';
			break;
		}
		off += used;
		n++;
	}
	if (rc < 0) {
		if (err[0] == '\0')
			abort();
		*refused = 1;
	}
	*stop = off;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_chan *c;
	struct msg m;
	size_t want, stop, off = 0, step, got = 0;
	int sv[2], refused, rc = 0;
	ssize_t n;

	if (size > MAX_INPUT)
		return 0;
	want = parse_all(data, size, &stop, &refused);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 0;
	c = msg_chan_new(sv[1], types, NTYPES, 0, "fuzz");
	step = size > 0 ? (size_t)data[0] * 7 + 1 : 1;
	/* Write in steps, reading and taking messages as the channel would. */
	while (rc >= 0) {
		if (off < size) {
			size_t k = size - off < step ? size - off : step;

			if (write(sv[0], data + off, k) != (ssize_t)k)
				abort();
			off += k;
		}
		if (off == size)
			shutdown(sv[0], SHUT_WR);	/* again is harmless */
		n = msg_read(c);
		while ((rc = msg_get(c, &m)) == 1) {
			if (m.fd != -1)
				abort();	/* no descriptor was ever sent */
			got++;
		}
		if (n == 0)
			break;
	}
	/* Messages in the same order: as many as the parser found, no more. */
	if (got != want)
		abort();
	/* A refusal, or bytes left at the end, breaks the channel with a reason. */
	rc = msg_get(c, &m);
	if ((rc == -1) != (refused || stop < size) || (rc == -1 && msg_error(c)[0] == '\0'))
		abort();
	msg_chan_free(c);
	close(sv[0]);
	return 0;
}
