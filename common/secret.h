/*
 * nutsec - secret.h: holding passwords, PINs and key material.
 * Secrets are cleared with explicit_bzero before their memory is released
 * and compared in constant time.
 */
#ifndef NUTSEC_SECRET_H
#define NUTSEC_SECRET_H

#include <stddef.h>

/* Clears len bytes at p in a way the compiler cannot optimise away. */
void secret_clear(void *p, size_t len);
/* Clears then frees; p may be NULL. */
void secret_free(void *p, size_t len);
/* Clears a NUL-terminated string, frees it; s may be NULL. */
void secret_strfree(char *s);
/* Returns a copy of s (xmalloc); free with secret_strfree. */
char *secret_strdup(const char *s);
/*
 * Constant-time equality of two byte strings: the time depends only on blen
 * (the candidate's length), never on where they differ. Returns 1 if equal.
 */
int secret_eq(const void *a, size_t alen, const void *b, size_t blen);
/* The same for two NUL-terminated strings (a = stored, b = candidate). */
int secret_streq(const char *a, const char *b);

#endif
