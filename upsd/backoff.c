/*
 * nutsec - backoff.c: the delay before answering a failed authentication,
 * per peer address: 250 ms after the first failure, doubling with each
 * further one up to 4 s, forgotten after 5 minutes without failures. IPv6
 * peers count per /64 (one host usually holds a whole /64). The
 * table is a fixed array (a newcomer takes the oldest slot), so a flood
 * of addresses costs no memory. The delay is served by an event-loop
 * timer on that connection alone; nothing else waits.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "ev.h"
#include "xmalloc.h"

#include "upsd.h"

#define BACKOFF_SLOTS	1024
#define BACKOFF_WAYS	4		/* slots probed per address */
#define BACKOFF_BASE_MS	250u
#define BACKOFF_MAX_MS	4000u	/* under the 5 s read timeout of stock clients */
#define BACKOFF_FORGET_MS (5u * 60 * 1000)

struct backoff {
	char peer[NET_ADDRSTRLEN];
	unsigned failures;
	uint64_t last;			/* ev_now() of the last failure */
};

static struct backoff slots[BACKOFF_SLOTS];

static unsigned
backoff_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The key a peer is counted under: its address, or its /64 for IPv6. */
static void
backoff_key(const char *peer, char key[NET_ADDRSTRLEN])
{
	unsigned char a[16];

	if (strchr(peer, ':') != NULL && inet_pton(AF_INET6, peer, a) == 1) {
		memset(a + 8, 0, 8);
		if (inet_ntop(AF_INET6, a, key, NET_ADDRSTRLEN) != NULL)
			return;
	}
	(void)str_copy(key, peer, NET_ADDRSTRLEN);
}

unsigned
backoff_fail(const char *addr)
{
	char peer[NET_ADDRSTRLEN];
	uint64_t now = ev_now();
	unsigned h, i, ms;
	struct backoff *b = NULL, *empty = NULL, *oldest = NULL;

	backoff_key(addr, peer);
	h = backoff_hash(peer);
	for (i = 0; i < BACKOFF_WAYS; i++) {
		struct backoff *s = &slots[(h + i) % BACKOFF_SLOTS];

		if (s->failures == 0) {
			if (empty == NULL)
				empty = s;
			continue;
		}
		if (strcmp(s->peer, peer) == 0) {
			b = s;
			break;
		}
		if (oldest == NULL || s->last < oldest->last)
			oldest = s;
	}
	if (b == NULL) {
		b = empty != NULL ? empty : oldest;
		(void)str_copy(b->peer, peer, sizeof(b->peer));
		b->failures = 0;
	} else if (now - b->last >= BACKOFF_FORGET_MS)
		b->failures = 0;
	b->failures++;
	b->last = now;
	ms = BACKOFF_BASE_MS;
	for (i = 1; i < b->failures && ms < BACKOFF_MAX_MS; i++)
		ms *= 2;
	return ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
}
