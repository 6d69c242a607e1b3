/*
 * nutsec - secret.c: clearing and comparing secrets. Memory is wiped with
 * explicit_bzero before release, and comparisons take time that depends
 * only on the candidate's length, so neither the position of the first
 * differing byte nor the stored secret's length leaks through timing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "xmalloc.h"

void
secret_clear(void *p, size_t len)
{
	if (p == NULL || len == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, len);
#else
	{
		/* a volatile pointer keeps the stores from being elided */
		volatile unsigned char *vp = p;
		while (len-- > 0)
			*vp++ = 0;
	}
#endif
}

void
secret_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	secret_clear(p, len);
	free(p);
}

void
secret_strfree(char *s)
{
	if (s == NULL)
		return;
	secret_free(s, strlen(s));
}

char *
secret_strdup(const char *s)
{
	return xstrdup(s);
}

int
secret_eq(const void *a, size_t alen, const void *b, size_t blen)
{
	static const unsigned char none = 0;
	const volatile unsigned char *pa = alen > 0 ? a : &none;
	const volatile unsigned char *pb = b;
	size_t amax = alen > 0 ? alen : 1;
	unsigned char diff = 0;
	size_t i;

	/*
	 * Walk the candidate's length only. Past the end of the stored value
	 * the candidate is compared with itself (always equal), selected by
	 * a mask rather than a branch, so the work per byte is the same
	 * wherever the values differ and whatever the stored length is. The
	 * length mismatch is folded in at the end.
	 */
	for (i = 0; i < blen; i++) {
		size_t in = (size_t)0 - (size_t)(i < amax);
		unsigned char m = (unsigned char)in;
		unsigned char x = pa[i & in];
		unsigned char y = pb[i];

		diff |= (unsigned char)(((x & m) | (y & (unsigned char)~m)) ^ y);
	}
	diff |= (unsigned char)(alen != blen);
	return diff == 0;
}

int
secret_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return 0;
	return secret_eq(a, strlen(a), b, strlen(b));
}
