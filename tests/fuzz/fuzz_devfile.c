/*
 * nutsec - fuzz_devfile.c: the dummy-ups .dev/.seq parser on arbitrary
 * files: every entry it returns must be within its documented bounds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "devfile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct devfile *df = devfile_new("fuzz.dev", (const char *)data, size);
	struct dev_entry e;
	unsigned long guard = 0;
	enum dev_kind k;

	if (df == NULL)
		return 0;
	while ((k = devfile_next(df, &e)) != DEV_EOF) {
		if (++guard > size + 2)
			abort();	/* the walk must make progress */
		if (strlen(e.name) > VT_NAME_MAX || strlen(e.value) > VT_VALUE_MAX)
			abort();
		if (k == DEV_TIMER && (e.timer < 0 || e.timer > DEVFILE_TIMER_MAX))
			abort();
		if (k == DEV_ERROR && e.error[0] == '\0')
			abort();
	}
	devfile_free(df);
	return 0;
}
