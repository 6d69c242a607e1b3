/*
 * nutsec - rand.h: random bytes from the kernel CSPRNG (getrandom), and
 * the tracking identifiers built from them.
 */
#ifndef NUTSEC_RAND_H
#define NUTSEC_RAND_H

#include <stddef.h>

/* Fills buf with len random bytes; fatal if the kernel cannot provide them. */
void rand_bytes(void *buf, size_t len);
/* A random number in [0, upper) without modulo bias. upper > 0. */
unsigned rand_uniform(unsigned upper);

#define RAND_UUID_LEN 36
/* Writes an uppercase UUIDv4 (8-4-4-4-12 hex) and NUL into out[37]. */
void rand_uuid4(char out[RAND_UUID_LEN + 1]);

#endif
