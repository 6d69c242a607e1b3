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

static struct addrcount **
conncount_slot(const char *key)
{
	unsigned h = 2166136261u;
	const char *s;
	struct addrcount **pp;

	for (s = key; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (pp = &buckets[h & (CONNCOUNT_BUCKETS - 1)]; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0)
			break;
	return pp;
}

unsigned
conncount_get(const char *peer)
{
	char key[NET_ADDRSTRLEN];
	struct addrcount *a;

	peer_key(peer, key);
	a = *conncount_slot(key);
	return a != NULL ? a->n : 0;
}

void
conncount_add(const char *peer)
{
	char key[NET_ADDRSTRLEN];
	struct addrcount **pp, *a;

	peer_key(peer, key);
	pp = conncount_slot(key);
	if ((a = *pp) == NULL) {
		a = XNEW(struct addrcount);
		(void)str_copy(a->key, key, sizeof(a->key));
		*pp = a;
	}
	a->n++;
}

void
conncount_del(const char *peer)
{
	char key[NET_ADDRSTRLEN];
	struct addrcount **pp, *a;

	peer_key(peer, key);
	pp = conncount_slot(key);
	if ((a = *pp) == NULL)
		return;
	if (--a->n == 0) {
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
