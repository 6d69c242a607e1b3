/*
 * nutsec - hist.c: the latency histogram of nutbench. Values below
 * HIST_SUB are counted exactly; above that each power of two is cut into
 * HIST_SUB equal buckets (the idea of HdrHistogram), so any nanosecond
 * value from 1 ns to centuries lands in a fixed array with a relative
 * error under 1/HIST_SUB. Percentiles walk the array; nothing allocates.
 */
#include "config.h"

#include <string.h>

#include "bench.h"

static unsigned
hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - HIST_SUB_BITS;
	return shift * HIST_SUB + (unsigned)(v >> shift);
}

/* The middle of bucket i, the value reported for anything counted there. */
static uint64_t
hist_value(unsigned i)
{
	unsigned shift;
	uint64_t mant;

	if (i < 2 * HIST_SUB)
		return i;
	shift = i / HIST_SUB - 1;
	mant = i - shift * HIST_SUB;
	return (mant << shift) + (((uint64_t)1 << shift) - 1) / 2;
}

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

void
hist_add(struct hist *h, uint64_t ns)
{
	if (h->count == 0 || ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
	h->count++;
	h->sum += (long double)ns;
	h->bucket[hist_index(ns)]++;
}

uint64_t
hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned i;

	if (h->count == 0)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	/* The smallest value that at least p % of the samples do not exceed. */
	rank = (uint64_t)((p / 100.0) * (double)h->count + 0.9999999);
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			break;
	}
	if (i == HIST_BUCKETS)
		return h->max;
	v = hist_value(i);
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

double
hist_mean(const struct hist *h)
{
	if (h->count == 0)
		return 0;
	return (double)(h->sum / (long double)h->count);
}
