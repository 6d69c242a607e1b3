/*
 * nutsec - rand.c: random bytes from the kernel CSPRNG via getrandom(2),
 * uniform integers without modulo bias, and uppercase UUIDv4 strings used
 * as tracking identifiers.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/random.h>

#include "log.h"
#include "rand.h"

void
rand_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		p += n;
		len -= (size_t)n;
	}
}

unsigned
rand_uniform(unsigned upper)
{
	unsigned r, min;

	if (upper < 2)
		return 0;
	/* values below min would make the low residues more likely */
	min = (0U - upper) % upper;
	for (;;) {
		rand_bytes(&r, sizeof(r));
		if (r >= min)
			return r % upper;
	}
}

void
rand_uuid4(char out[RAND_UUID_LEN + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char b[16];
	size_t i, o = 0;

	rand_bytes(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	for (i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
}
