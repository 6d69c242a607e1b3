/*
 * nutsec - fuzz_upsd.c: see fuzz_upsd.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"

#include "fuzz_upsd.h"
#include "upsd.h"

static char dir[64];

/* What may be left in the directory: the files, and fuzz_drvside's socket. */
static const char *const files[] = { "upsd.conf", "ups.conf", "upsd.users", "fake-ups1" };

static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) < 0 || fclose(fp) != 0)
		abort();
}

static void
cleanup(void)
{
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

const char *
fuzz_upsd_setup(const char *prog)
{
	struct upsd_opts o;

	if (dir[0] != '\0')
		return dir;
	if (snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", prog) >= (int)sizeof(dir) ||
	    mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	put("upsd.conf", "MAXAGE 15\n");
	put("ups.conf", "[ups1]\n driver = fake\n port = none\n[down]\n driver = fake\n"
	    " port = none\n");
	put("upsd.users", "[admin]\n password = pw\n actions = SET FSD\n instcmds = ALL\n"
	    " upsmon primary\n[mon]\n password = pw\n upsmon secondary\n");
	setenv("NUT_CONFPATH", dir, 1);
	setenv("NUT_STATEPATH", dir, 1);
	setenv("NUT_DATAPATH", dir, 1);
	log_init(prog, 0, 0);
	memset(&o, 0, sizeof(o));
	if (ev_init() != 0 || state_load(&o, 0) != 0 || state_apply_limits(1) != 0)
		abort();
	return dir;
}
