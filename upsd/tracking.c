/*
 * nutsec - tracking.c: results of SET/INSTCMD requests forwarded with a
 * tracking id. Ids are UUIDv4 from the kernel CSPRNG (NUT used an unseeded
 * rand()). An entry belongs to the connection that made the request: only
 * it can read the result, and the entry goes when the connection does.
 * Entries expire after TRACKINGDELAY; each connection and the whole table
 * are capped, the oldest entries making room for new ones.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ev.h"
#include "log.h"
#include "rand.h"
#include "sockproto.h"
#include "xmalloc.h"

#include "upsd.h"

#define TRACKING_BUCKETS 1024
#define TRACKING_MAX	65536
#define TRACKING_PENDING (-1)

struct tracking {
	char id[TRACKING_ID_SIZE];
	int status;			/* TRACKING_PENDING or the driver's code */
	uint64_t created;		/* ev_now() */
	struct client *owner;
	const struct ups *ups;		/* whose driver was asked (compared, not used) */
	struct tracking *hnext;		/* hash chain */
	struct tracking *gprev, *gnext;	/* every entry, oldest first */
	struct tracking *oprev, *onext;	/* the owner's entries */
};

static struct tracking *buckets[TRACKING_BUCKETS];
static struct tracking *ghead, *gtail;
static size_t nentries;

static unsigned
tracking_hash(const char *id)
{
	unsigned h = 2166136261u;

	for (; *id != '\0'; id++) {
		unsigned char ch = (unsigned char)*id;

		if (ch >= 'a' && ch <= 'z')
			ch = (unsigned char)(ch - 'a' + 'A');
		h = (h ^ ch) * 16777619u;
	}
	return h % TRACKING_BUCKETS;
}

static struct tracking *
tracking_find(const char *id)
{
	struct tracking *t;

	for (t = buckets[tracking_hash(id)]; t != NULL; t = t->hnext)
		if (strcasecmp(t->id, id) == 0)
			return t;
	return NULL;
}

static void
tracking_remove(struct tracking *t)
{
	struct tracking **pp = &buckets[tracking_hash(t->id)];

	while (*pp != t)
		pp = &(*pp)->hnext;
	*pp = t->hnext;
	if (t->gprev != NULL)
		t->gprev->gnext = t->gnext;
	else
		ghead = t->gnext;
	if (t->gnext != NULL)
		t->gnext->gprev = t->gprev;
	else
		gtail = t->gprev;
	if (t->oprev != NULL)
		t->oprev->onext = t->onext;
	else
		t->owner->tracks = t->onext;
	if (t->onext != NULL)
		t->onext->oprev = t->oprev;
	t->owner->ntracks--;
	nentries--;
	free(t);
}

int
tracking_new(struct client *c, const struct ups *u, char id[TRACKING_ID_SIZE])
{
	struct tracking *t, *old;
	unsigned h;

	if (c->ntracks >= TRACKING_PER_CLIENT) {
		for (old = ghead; old != NULL && old->owner != c; old = old->gnext)
			;
		if (old != NULL)
			tracking_remove(old);
	}
	if (nentries >= TRACKING_MAX && ghead != NULL)
		tracking_remove(ghead);
	t = XNEW(struct tracking);
	do
		rand_uuid4(t->id);
	while (tracking_find(t->id) != NULL);
	t->status = TRACKING_PENDING;
	t->created = ev_now();
	t->owner = c;
	t->ups = u;
	h = tracking_hash(t->id);
	t->hnext = buckets[h];
	buckets[h] = t;
	t->gprev = gtail;
	if (gtail != NULL)
		gtail->gnext = t;
	else
		ghead = t;
	gtail = t;
	t->onext = c->tracks;
	if (c->tracks != NULL)
		c->tracks->oprev = t;
	c->tracks = t;
	c->ntracks++;
	nentries++;
	memcpy(id, t->id, TRACKING_ID_SIZE);
	return 0;
}

void
tracking_cancel(struct client *c, const char *id)
{
	struct tracking *t = tracking_find(id);

	if (t != NULL && t->owner == c)
		tracking_remove(t);
}

void
tracking_result(const struct ups *u, const char *id, int status)
{
	struct tracking *t = tracking_find(id);

	/* Another driver's request, or a result already in: not this one's
	   to set (or to change). */
	if (t == NULL || t->ups != u || t->status != TRACKING_PENDING) {
		log_debug("tracking result for an unknown, expired, answered or other "
		    "UPS's id %s", id);
		return;
	}
	t->status = status;
}

const char *
tracking_get(const struct client *c, const char *id)
{
	const struct tracking *t = tracking_find(id);

	/* Another connection's entry does not exist for this one. */
	if (t == NULL || t->owner != c)
		return "ERR UNKNOWN";
	switch (t->status) {
	case TRACKING_PENDING:
		return "PENDING";
	case SP_STATUS_HANDLED:
		return "SUCCESS";
	case SP_STATUS_UNKNOWN:
		return "ERR UNKNOWN";
	case SP_STATUS_INVALID:
	case SP_STATUS_CONVERSION_FAILED:
		return "ERR INVALID-ARGUMENT";
	default:
		return "ERR FAILED";
	}
}

void
tracking_drop_client(struct client *c)
{
	while (c->tracks != NULL)
		tracking_remove(c->tracks);
}

void
tracking_expire(long delay_s)
{
	uint64_t now = ev_now(), life = (uint64_t)delay_s * 1000;

	while (ghead != NULL && now - ghead->created >= life)
		tracking_remove(ghead);
}

size_t
tracking_count(void)
{
	return nentries;
}
