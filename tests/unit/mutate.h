/*
 * nutsec - mutate.h: deterministic mutation of parser inputs for the unit
 * tests (bit flips, byte replacements, truncations), in the spirit of
 * OpenSSH's test_helper/fuzz.c. A parser under test must return an error or
 * a result for every mutant, and never crash (ASan/valgrind runs catch
 * memory errors).
 */
#ifndef NUTSEC_MUTATE_H
#define NUTSEC_MUTATE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Calls fn(data, len, arg) for: every truncation of seed; every single-bit
 * flip; every byte replaced by each of a set of interesting bytes; and
 * `rounds` pseudo-random multi-byte mutations (fixed seed). Returns the
 * number of mutants tried.
 */
typedef void (*mutate_fn)(const char *data, size_t len, void *arg);

static inline unsigned long mutate_all(const char *seed, size_t len, unsigned rounds,
    mutate_fn fn, void *arg)
{
	static const unsigned char special[] = { 0, '\n', '\r', '"', '\\', '#', '=', ' ',
	    '\t', 0x7f, 0x80, 0xff, '[', ']', ':' };
	char work[4096];
	unsigned long n = 0;
	uint32_t rng = 0x9e3779b9u;
	size_t i, j;

	if (len > sizeof(work))
		len = sizeof(work);
	for (i = 0; i <= len; i++, n++)
		fn(seed, i, arg);
	for (i = 0; i < len; i++)
		for (j = 0; j < 8; j++, n++) {
			memcpy(work, seed, len);
			work[i] ^= (char)(1u << j);
			fn(work, len, arg);
		}
	for (i = 0; i < len; i++)
		for (j = 0; j < sizeof(special); j++, n++) {
			memcpy(work, seed, len);
			work[i] = (char)special[j];
			fn(work, len, arg);
		}
	for (i = 0; i < rounds; i++, n++) {
		size_t k, cnt;
		memcpy(work, seed, len);
		rng = rng * 1664525u + 1013904223u;
		cnt = 1 + (rng >> 28);
		for (k = 0; k < cnt && len > 0; k++) {
			rng = rng * 1664525u + 1013904223u;
			work[(rng >> 8) % len] = (char)(rng >> 24);
		}
		fn(work, len, arg);
	}
	return n;
}

#endif
