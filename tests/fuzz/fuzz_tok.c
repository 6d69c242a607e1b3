/*
 * nutsec - fuzz_tok.c: the tokenizer under arbitrary input, fed both whole
 * and split at every byte boundary chosen by the first input byte, and the
 * two ways must produce the same lines.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tok.h"

/* A digest of the tokenizer's output, to compare two feeding patterns. */
static unsigned long run(const char *p, size_t len, size_t step)
{
	struct tok *t = tok_new(8, 64);
	unsigned long h = 5381;
	size_t off = 0;

	while (off < len) {
		size_t used = 0, n = len - off;
		enum tok_status st;

		if (step && n > step)
			n = step;
		st = tok_feed(t, p + off, n, &used);
		if (used > n)
			abort();
		off += used;
		if (st == TOK_LINE) {
			for (size_t i = 0; i < tok_argc(t); i++) {
				const char *w = tok_argv(t)[i];
				if (w == NULL || strlen(w) > 64)
					abort();
				for (; *w; w++)
					h = h * 33 + (unsigned char)*w;
				h = h * 33 + 0x100;
			}
			if (tok_argv(t)[tok_argc(t)] != NULL)
				abort();
			h = h * 33 + 0x200;
		} else if (st == TOK_ERROR) {
			h = h * 33 + 0x300;
		} else if (used == 0 && n > 0) {
			abort();	/* TOK_MORE must consume what it was given */
		}
	}
	if (tok_finish(t) == TOK_LINE)
		h = h * 33 + 0x400 + tok_argc(t);
	tok_free(t);
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t step;

	if (size == 0)
		return 0;
	step = 1 + data[0] % 7;
	if (run((const char *)data + 1, size - 1, 0) != run((const char *)data + 1, size - 1, step))
		abort();
	return 0;
}
