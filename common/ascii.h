/*
 * nutsec - ascii.h: case-insensitive ASCII on the hot paths (UPS, variable
 * and verb names are matched ignoring case, as NUT does with strcasecmp in
 * the C locale), without the locale and with a fast loop for the usual case
 * of a client spelling a name exactly as it was defined.
 */
#ifndef NUTSEC_ASCII_H
#define NUTSEC_ASCII_H

/* ASCII lower case of one byte, without a branch or the locale. */
static inline unsigned
ascii_lower(unsigned char c)
{
	return c + ((unsigned)((unsigned)c - 'A' < 26u) << 5);
}

/* 1 if a and b are equal ignoring ASCII case; same-case bytes go fast. */
static inline int
ascii_caseeq(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	for (; *p == *q; p++, q++)
		if (*p == '\0')
			return 1;
	for (; ascii_lower(*p) == ascii_lower(*q); p++, q++)
		if (*p == '\0')
			return 1;
	return 0;
}

#endif
