/*
 * nutsec - fuzz_sockproto.c: driver-socket lines through the tokenizer and
 * sp_parse; every message that parses is formatted again and must parse to
 * the same verb.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "sockproto.h"
#include "tok.h"

static void reformat(struct buf *b, const struct sp_msg *m)
{
	switch (m->verb) {
	case SP_SETINFO: sp_put_setinfo(b, m->name, m->value); break;
	case SP_DELINFO: sp_put_delinfo(b, m->name); break;
	case SP_ADDENUM: sp_put_enum(b, 1, m->name, m->value); break;
	case SP_DELENUM: sp_put_enum(b, 0, m->name, m->value); break;
	case SP_ADDRANGE: sp_put_range(b, 1, m->name, m->min, m->max); break;
	case SP_DELRANGE: sp_put_range(b, 0, m->name, m->min, m->max); break;
	case SP_SETAUX: sp_put_setaux(b, m->name, m->num); break;
	case SP_ADDCMD: sp_put_cmd(b, 1, m->name); break;
	case SP_DELCMD: sp_put_cmd(b, 0, m->name); break;
	case SP_INSTCMD: sp_put_instcmd(b, m->name, m->value, m->tracking); break;
	case SP_SET: sp_put_set(b, m->name, m->value, m->tracking); break;
	default: break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tok *t = tok_new(0, 0), *t2 = tok_new(0, 0);
	struct buf *b = buf_new(8192);
	size_t off = 0;

	while (off < size) {
		size_t used = 0;
		enum tok_status st = tok_feed(t, (const char *)data + off, size - off, &used);
		struct sp_msg m, m2;
		const char *err = NULL;

		off += used;
		if (st != TOK_LINE)
			continue;
		if (sp_parse((int)tok_argc(t), tok_argv(t), &m, &err) != 0) {
			if (err == NULL)
				abort();
			continue;
		}
		buf_reset(b);
		reformat(b, &m);
		if (buf_len(b) == 0)
			continue;
		if (tok_split(t2, buf_peek(b), buf_len(b)) != TOK_LINE)
			continue;	/* a value over the word limit, e.g. */
		if (sp_parse((int)tok_argc(t2), tok_argv(t2), &m2, &err) != 0 || m2.verb != m.verb)
			abort();
		if (m.name && (m2.name == NULL || strcmp(m.name, m2.name) != 0))
			abort();
		if (m.value && (m2.value == NULL || strcmp(m.value, m2.value) != 0))
			abort();
	}
	buf_free(b);
	tok_free(t2);
	tok_free(t);
	return 0;
}
