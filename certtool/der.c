/*
 * nutsec - certtool/der.c: a tiny DER writer for the few structures
 * nutcert encodes itself (certificate extensions, the CRL's to-be-signed
 * part). Bounded buffer: an overflow is remembered and checked once.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nutcert.h"

void
der_init(struct der *d)
{
	d->len = 0;
	d->overflow = 0;
}

void
der_raw(struct der *d, const void *p, size_t n)
{
	if (d->overflow || n > sizeof(d->buf) - d->len) {
		d->overflow = 1;
		return;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

static size_t
len_bytes(size_t n, unsigned char *out)
{
	if (n < 0x80) {
		out[0] = (unsigned char)n;
		return 1;
	}
	if (n < 0x100) {
		out[0] = 0x81;
		out[1] = (unsigned char)n;
		return 2;
	}
	out[0] = 0x82;
	out[1] = (unsigned char)(n >> 8);
	out[2] = (unsigned char)n;
	return 3;
}

void
der_tlv(struct der *d, unsigned char tag, const void *p, size_t n)
{
	unsigned char hdr[4];
	size_t h;

	if (n > 0xffff) {
		d->overflow = 1;
		return;
	}
	hdr[0] = tag;
	h = 1 + len_bytes(n, hdr + 1);
	der_raw(d, hdr, h);
	der_raw(d, p, n);
}

void
der_wrap(struct der *d, size_t mark, unsigned char tag)
{
	unsigned char hdr[4];
	size_t h, n;

	if (d->overflow || mark > d->len)
		return;
	n = d->len - mark;
	hdr[0] = tag;
	h = 1 + len_bytes(n, hdr + 1);
	if (h > sizeof(d->buf) - d->len) {
		d->overflow = 1;
		return;
	}
	memmove(d->buf + mark + h, d->buf + mark, n);
	memcpy(d->buf + mark, hdr, h);
	d->len += h;
}

/* A non-negative INTEGER from big-endian magnitude bytes. */
void
der_int_bytes(struct der *d, const unsigned char *p, size_t n)
{
	size_t mark;

	while (n > 1 && p[0] == 0)
		p++, n--;
	mark = d->len;
	if (n == 0 || (p[0] & 0x80))
		der_raw(d, "\0", 1);
	der_raw(d, p, n);
	der_wrap(d, mark, 0x02);
}

void
der_small_int(struct der *d, unsigned v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
		(unsigned char)(v >> 8), (unsigned char)v };

	der_int_bytes(d, b, 4);
}

/* UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
void
der_time(struct der *d, time_t t)
{
	struct tm tm;
	char s[64];

	gmtime_r(&t, &tm);
	if (tm.tm_year + 1900 < 2050) {
		snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		der_tlv(d, 0x17, s, strlen(s));
	} else {
		strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm);
		der_tlv(d, 0x18, s, strlen(s));
	}
}

/* A BIT STRING of named bits (bit 0 = the most significant bit of the first
 * byte), trailing zero bits removed as DER wants; bits < 16. */
void
der_bitstring_bits(struct der *d, unsigned bits)
{
	unsigned char b[3];
	int last = -1, i;
	size_t nbytes;

	for (i = 0; i < 16; i++)
		if (bits & (1u << i))
			last = i;
	if (last < 0) {
		der_tlv(d, 0x03, "\0", 1);
		return;
	}
	nbytes = (size_t)last / 8 + 1;
	b[1] = b[2] = 0;
	for (i = 0; i <= last; i++)
		if (bits & (1u << i))
			b[1 + i / 8] |= (unsigned char)(0x80 >> (i % 8));
	b[0] = (unsigned char)(7 - last % 8);
	der_tlv(d, 0x03, b, nbytes + 1);
}
