/*
 * nutsec - fuzz_upssched.c: lines a client writes to upssched's timer
 * process, through the tokenizer and us_req_parse as the timer process
 * reads them (bounded line, 8 words); every request that parses is
 * formatted again (us_req_format) and must parse to the same request.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tok.h"
#include "upssched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tok *t = tok_new(8, US_LINE_MAX), *t2 = tok_new(8, US_LINE_MAX);
	size_t off = 0;

	while (off < size) {
		size_t used = 0;
		enum tok_status st = tok_feed(t, (const char *)data + off, size - off, &used);
		struct us_req r, r2;
		const char *why = NULL;
		char line[US_LINE_MAX + 1];
		int n;

		off += used;
		if (st != TOK_LINE)
			continue;
		if (us_req_parse(tok_argc(t), tok_argv(t), &r, &why) != 0) {
			if (why == NULL)
				abort();	/* a refusal always has its reason */
			continue;
		}
		n = us_req_format(&r, line, sizeof(line));
		if (n <= 0 || tok_split(t2, line, (size_t)n) != TOK_LINE ||
		    us_req_parse(tok_argc(t2), tok_argv(t2), &r2, &why) != 0 ||
		    r2.cmd != r.cmd || strcmp(r2.name, r.name) != 0 ||
		    strcmp(r2.arg2, r.arg2) != 0 || r2.secs != r.secs)
			abort();
	}
	tok_free(t);
	tok_free(t2);
	return 0;
}
