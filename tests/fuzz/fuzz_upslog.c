/*
 * nutsec - fuzz_upslog.c: upslog format strings (an operator's -f, but
 * parsed by hand) through ul_fmt_compile and ul_fmt_render with a fake
 * server; the line must stay within its buffer and be NUL-terminated.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "upslog.h"

static int
getvar(void *arg, const char *name, char *out, size_t len)
{
	(void)arg;
	if (strlen(name) % 3 == 0)
		return -1;
	strncpy(out, name, len - 1);
	out[len - 1] = '\0';
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *fmt = malloc(size + 1), line[UL_LINE_MAX], small[16];
	struct ul_ctx cx = { "ups@host", getvar, NULL };
	struct ul_fmt *f;

	if (fmt == NULL)
		return 0;
	memcpy(fmt, data, size);
	fmt[size] = '\0';
	f = ul_fmt_compile(fmt);
	ul_fmt_render(f, &cx, line, sizeof(line));
	if (strlen(line) >= sizeof(line))
		abort();
	ul_fmt_render(f, &cx, small, sizeof(small));
	if (strlen(small) >= sizeof(small))
		abort();
	ul_fmt_free(f);
	free(fmt);
	return 0;
}
