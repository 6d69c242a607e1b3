/*
 * nutsec - conncount.c: client connections per peer address (per /64 for
 * IPv6, as backoff.c counts), for MAXCONN_PER_ADDRESS. A chained hash
 * table of the addresses that hold connections now: an entry is made by
 * the first connection of an address and freed with its last, so memory
 * follows the connections (which MAXCONN bounds).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#include "upsd.h"

#define CONNCOUNT_BUCKETS 1024	/* a power of 2 */

struct addrcount {
	char key[NET_ADDRSTRLEN];
	unsigned n;
	struct addrcount *next;
};

static struct addrcount *buckets[CONNCOUNT_BUCKETS];

/* The link that holds (or would hold) peer's entry; its key in key. */
static struct addrcount **
conncount_slot(const char *peer, char key[NET_ADDRSTRLEN])
{
	struct addrcount **pp;

	peer_key(peer, key);
	for (pp = &buckets[peer_hash(key) & (CONNCOUNT_BUCKETS - 1)]; *pp != NULL;
	    pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0)
			break;
	return pp;
}

unsigned
conncount_get(const char *peer)
{
	char key[NET_ADDRSTRLEN];
	const struct addrcount *a = *conncount_slot(peer, key);

	return a != NULL ? a->n : 0;
}

void
conncount_add(const char *peer)
{
	char key[NET_ADDRSTRLEN];
	struct addrcount **pp = conncount_slot(peer, key);

	if (*pp == NULL) {
		*pp = XNEW(struct addrcount);
		(void)str_copy((*pp)->key, key, sizeof((*pp)->key));
	}
	(*pp)->n++;
}

void
conncount_del(const char *peer)
{
	char key[NET_ADDRSTRLEN];
	struct addrcount **pp = conncount_slot(peer, key), *a = *pp;

	if (a != NULL && --a->n == 0) {
		*pp = a->next;
		free(a);
	}
}

int
peer_is_loopback(const char *peer)
{
	return strncmp(peer, "127.", 4) == 0 || strcmp(peer, "::1") == 0 ||
	    strncmp(peer, "::ffff:127.", 11) == 0;
}
