/*
 * nutsec - xmalloc.c: allocation wrappers that never return NULL (they
 * call fatalx on exhaustion, the one place library code may exit), and
 * bounded string helpers whose truncation is reported to the caller.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

void *
xmalloc(size_t size)
{
	void *p;

	if (size == 0)
		size = 1;
	p = malloc(size);
	if (p == NULL)
		fatalx("out of memory allocating %zu bytes", size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (SIZE_MAX / nmemb < size)
		fatalx("xcalloc: %zu * %zu overflows", nmemb, size);
	p = calloc(nmemb, size);
	if (p == NULL)
		fatalx("out of memory allocating %zu * %zu bytes", nmemb, size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;
	size_t total;

	if (nmemb != 0 && SIZE_MAX / nmemb < size)
		fatalx("xreallocarray: %zu * %zu overflows", nmemb, size);
	total = nmemb * size;
	if (total == 0)
		total = 1;
	p = realloc(ptr, total);
	if (p == NULL)
		fatalx("out of memory reallocating %zu bytes", total);
	return p;
}

char *
xstrdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = xmalloc(len);

	memcpy(p, s, len);
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0 || p == NULL)
		fatalx("xasprintf: out of memory or bad format");
	return p;
}

int
str_copy(char *dst, const char *src, size_t dstsize)
{
	size_t len;

	if (dstsize == 0)
		return -1;
	len = strlen(src);
	if (len >= dstsize) {
		memcpy(dst, src, dstsize - 1);
		dst[dstsize - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

int
str_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

int
str_printf(char *dst, size_t dstsize, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (dstsize == 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(dst, dstsize, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= dstsize)
		return -1;
	return 0;
}
