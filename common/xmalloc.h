/*
 * nutsec - xmalloc.h: allocation that never returns NULL (fatal on OOM),
 * and small string helpers whose truncation is always reported.
 */
#ifndef NUTSEC_XMALLOC_H
#define NUTSEC_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Typed helpers in the style of chrony's MallocNew. */
#define XNEW(type) ((type *)xcalloc(1, sizeof(type)))
#define XNEWARRAY(type, n) ((type *)xcalloc((n), sizeof(type)))

/*
 * Copies src into dst of size dstsize, always NUL-terminated.
 * Returns 0, or -1 if src did not fit (dst then holds a truncated copy).
 */
int str_copy(char *dst, const char *src, size_t dstsize);
/* 1 when two optional strings differ (NULL equals only NULL), else 0. */
int str_differ(const char *a, const char *b);
/* snprintf that returns 0, or -1 on error or truncation. */
int str_printf(char *dst, size_t dstsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
