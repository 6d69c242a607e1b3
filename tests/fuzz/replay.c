/*
 * nutsec - replay.c: runs every file of the given corpus directories (or
 * files) through a fuzz target once, for `make check` builds without
 * libFuzzer; a hand-written seed is also replayed cut at every length. It
 * prints TAP: one line per corpus directory. A crash, a sanitizer report or
 * one of the target's own checks (an abort) fails the run.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX (1024 * 1024)

/*
 * 1 if the file is one libFuzzer kept (named by its SHA-1): such inputs
 * are replayed whole only. They come minimised by -merge, truncations
 * included, and there are hundreds of them; the hand-written seeds also
 * get every prefix.
 */
static int found_by_fuzzer(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	return strlen(base) == 40 && strspn(base, "0123456789abcdef") == 40;
}

static int run_file(const char *path)
{
	static unsigned char data[REPLAY_MAX];
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(data, 1, sizeof(data), fp);
	fclose(fp);
	LLVMFuzzerTestOneInput(data, n);
	if (found_by_fuzzer(path))
		return 0;
	/* Every prefix too: truncations are where parsers usually break. */
	for (size_t i = 0; i < n && i < 4096; i++)
		LLVMFuzzerTestOneInput(data, i);
	return 0;
}

static int run_path(const char *path, unsigned *count)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char sub[4096];
	int rc = 0;

	if (stat(path, &st) == -1) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub)) {
			rc = -1;
			continue;
		}
		if (run_path(sub, count) == -1)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		unsigned count = 0;
		int rc = run_path(argv[i], &count);

		if (rc == -1 || count == 0)
			failed++;
		printf("%sok %d - replayed %u input(s) from %s\n",
		    rc == -1 || count == 0 ? "not " : "", i, count, argv[i]);
	}
	printf("1..%d\n", argc - 1);
	return failed ? 1 : 0;
}
