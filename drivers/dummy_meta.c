/*
 * nutsec - dummy_meta.c: the type metadata dummy-ups gives the standard
 * variable names it knows, so a simulated device shows clients the same
 * RW/STRING flags and maximum lengths as NUT's dummy-ups. Any name not
 * listed is a writable string of at most 32 characters.
 */
#include "config.h"

#include <stdlib.h>
#include <strings.h>

#include "dummy.h"
#include "vartree.h"

#define S (VT_STRING | VT_RW)
#define N VT_RW		/* numbers: writable, no NUMBER flag (as NUT) */

/* Sorted case-insensitively for bsearch. */
static const struct dummy_meta meta[] = {
	{ "battery.charge", N, 0 },
	{ "battery.charge.low", N, 0 },
	{ "battery.charge.restart", N, 0 },
	{ "battery.current", N, 0 },
	{ "battery.runtime", N, 0 },
	{ "battery.runtime.low", N, 0 },
	{ "battery.temperature", N, 0 },
	{ "battery.voltage", N, 0 },
	{ "battery.voltage.nominal", N, 0 },
	{ "input.frequency", N, 0 },
	{ "input.quality", S, 6 },
	{ "input.sensitivity", S, 1 },
	{ "input.transfer.boost.high", N, 0 },
	{ "input.transfer.boost.low", N, 0 },
	{ "input.transfer.high", N, 0 },
	{ "input.transfer.low", N, 0 },
	{ "input.transfer.reason", S, 1 },
	{ "input.transfer.trim.high", N, 0 },
	{ "input.transfer.trim.low", N, 0 },
	{ "input.voltage", N, 0 },
	{ "input.voltage.maximum", N, 0 },
	{ "input.voltage.minimum", N, 0 },
	{ "input.voltage.nominal", N, 0 },
	{ "output.current", N, 0 },
	{ "output.frequency", N, 0 },
	{ "output.voltage", N, 0 },
	{ "ups.alarm", S, 32 },
	{ "ups.date", S, 16 },
	{ "ups.delay.reboot", N, 0 },
	{ "ups.delay.shutdown", N, 0 },
	{ "ups.delay.start", N, 0 },
	{ "ups.firmware", S, 16 },
	{ "ups.firmware.aux", S, 16 },
	{ "ups.id", S, 16 },
	{ "ups.load", N, 0 },
	{ "ups.mfr", S, 32 },
	{ "ups.mfr.date", S, 16 },
	{ "ups.model", S, 32 },
	{ "ups.serial", S, 32 },
	{ "ups.status", S, 32 },
	{ "ups.temperature", N, 0 },
	{ "ups.test.interval", N, 0 },
	{ "ups.test.result", S, 16 },
	{ "ups.time", S, 16 },
};

static const struct dummy_meta fallback = { NULL, S, 32 };

static int
cmp(const void *key, const void *elem)
{
	return strcasecmp(key, ((const struct dummy_meta *)elem)->name);
}

const struct dummy_meta *
dummy_meta_find(const char *name)
{
	const struct dummy_meta *m;

	m = bsearch(name, meta, sizeof(meta) / sizeof(meta[0]), sizeof(meta[0]), cmp);
	return m != NULL ? m : &fallback;
}

int
dummy_meta_sorted(void)
{
	size_t i;

	for (i = 1; i < sizeof(meta) / sizeof(meta[0]); i++)
		if (strcasecmp(meta[i - 1].name, meta[i].name) >= 0)
			return 0;
	return 1;
}
