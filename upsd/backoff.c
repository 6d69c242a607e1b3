/*
 * nutsec - backoff.c: failed authentications per peer address (per /64 for
 * IPv6, which one host usually holds whole).
 *
 * Every authentication verdict (LOGIN, PRIMARY, FSD, SET, INSTCMD, and a
 * restricted LIST CLIENT) from an address is answered after the same
 * delay, fixed before the password is looked at: 0 for an address with no
 * recent failure, then 250 ms doubling up to 4 s with each failure not yet
 * recovered. A refusal for a missing permission counts as a failure, like
 * a wrong password: the two must not be told apart, by the reply, by its
 * delay, or by the delays that follow. One failure is recovered every
 * 6 minutes. With 10 failures outstanding the address is locked out: its
 * attempts are refused without being checked (and cost nothing), so at
 * most 10 passwords an hour can be tried from one address.
 *
 * The log gets the details of an address's first failure, one line when
 * it is locked out, and then a summary per address every minute, never a
 * line per attempt. The table is a fixed array (a newcomer takes the
 * least recently used of the slots it may use), so a flood of addresses
 * costs no memory.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "ev.h"
#include "log.h"
#include "xmalloc.h"

#include "upsd.h"

#define BACKOFF_SLOTS	1024
#define BACKOFF_WAYS	4		/* slots probed per address */
#define BACKOFF_BASE_MS	250u
#define BACKOFF_MAX_MS	4000u	/* under the 5 s read timeout of stock clients */
#define BACKOFF_RECOVER_MS (6u * 60 * 1000)	/* one failure forgiven */
#define BACKOFF_LOCK_AT	10u	/* failures outstanding: locked out */
#define BACKOFF_REPORT_MS 60000u	/* summary period */

struct backoff {
	char peer[NET_ADDRSTRLEN];	/* "" = free */
	uint64_t debt;			/* ms of recovery left (RECOVER_MS per failure) */
	uint64_t last;			/* ev_now() when debt was last brought up to date */
	unsigned failed, refused;	/* since the last summary */
	int locked;			/* the lockout was logged */
};

static struct backoff slots[BACKOFF_SLOTS];
static uint64_t last_report;
static struct log_ratelimit lock_rl = LOG_RATELIMIT_INIT(60, 10);
static struct log_ratelimit summary_rl = LOG_RATELIMIT_INIT(60, 20);

unsigned
peer_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void
peer_key(const char *peer, char key[NET_ADDRSTRLEN])
{
	unsigned char a[16];

	if (strchr(peer, ':') != NULL && inet_pton(AF_INET6, peer, a) == 1) {
		memset(a + 8, 0, 8);
		if (inet_ntop(AF_INET6, a, key, NET_ADDRSTRLEN) != NULL)
			return;
	}
	(void)str_copy(key, peer, NET_ADDRSTRLEN);
}

static unsigned
outstanding(const struct backoff *b)
{
	return (unsigned)((b->debt + BACKOFF_RECOVER_MS - 1) / BACKOFF_RECOVER_MS);
}

/* Brings b's debt up to now. */
static void
recover(struct backoff *b, uint64_t now)
{
	uint64_t d = now - b->last;

	b->debt = b->debt > d ? b->debt - d : 0;
	b->last = now;
	if (outstanding(b) < BACKOFF_LOCK_AT)
		b->locked = 0;
}

/* peer's slot, or NULL; with make, a slot is taken for it. */
static struct backoff *
backoff_find(const char *addr, int make)
{
	char peer[NET_ADDRSTRLEN];
	uint64_t now = ev_now();
	unsigned h, i;
	struct backoff *victim = NULL;

	peer_key(addr, peer);
	h = peer_hash(peer);
	for (i = 0; i < BACKOFF_WAYS; i++) {
		struct backoff *s = &slots[(h + i) % BACKOFF_SLOTS];

		if (s->peer[0] != '\0' && strcmp(s->peer, peer) == 0) {
			recover(s, now);
			return s;
		}
		if (victim == NULL || (victim->peer[0] != '\0' &&
		    (s->peer[0] == '\0' || s->last < victim->last)))
			victim = s;
	}
	if (!make)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	(void)str_copy(victim->peer, peer, sizeof(victim->peer));
	victim->last = now;
	return victim;
}

unsigned
backoff_check(const char *peer, int *locked)
{
	struct backoff *b = backoff_find(peer, 0);
	unsigned n, ms;

	*locked = 0;
	if (b == NULL || (n = outstanding(b)) == 0)
		return 0;
	if (n >= BACKOFF_LOCK_AT) {
		*locked = 1;
		b->refused++;
		return BACKOFF_MAX_MS;
	}
	for (ms = BACKOFF_BASE_MS; n > 1 && ms < BACKOFF_MAX_MS; n--)
		ms *= 2;
	return ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
}

int
backoff_fail(const char *peer)
{
	struct backoff *b = backoff_find(peer, 1);
	int first = b->debt == 0;

	b->debt += BACKOFF_RECOVER_MS;
	if (!first)
		b->failed++;	/* the first is logged in detail by the caller */
	if (!b->locked && outstanding(b) >= BACKOFF_LOCK_AT) {
		b->locked = 1;
		if (log_ratelimit(&lock_rl))
			log_warnx("%s: %u failed authentications: locked out, its attempts "
			    "are refused unchecked until one is forgiven (one every %u "
			    "minutes)", b->peer, BACKOFF_LOCK_AT, BACKOFF_RECOVER_MS / 60000);
	}
	return first;
}

void
backoff_tick(void)
{
	uint64_t now = ev_now();
	size_t i;

	if (now - last_report < BACKOFF_REPORT_MS)
		return;
	last_report = now;
	for (i = 0; i < BACKOFF_SLOTS; i++) {
		struct backoff *b = &slots[i];

		if (b->failed == 0 && b->refused == 0)
			continue;
		if (log_ratelimit(&summary_rl))
			log_warnx("%s: %u failed authentication(s), %u refused unchecked "
			    "(locked out), in the last minute", b->peer, b->failed,
			    b->refused);
		b->failed = b->refused = 0;
	}
}
