/*
 * nutsec - test_upslog.c: unit tests of upslog's format (NUT's escapes,
 * prefix and case-insensitive names, INVALID and NA, '@' for '%' in
 * %TIME%, truncation) and of its log files (append, reopen by name in the
 * kept directory after a rename, a symlink refused, a failed reopen
 * keeping the old file).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "upslog.h"

static int
fake_getvar(void *arg, const char *name, char *out, size_t len)
{
	(void)arg;
	if (strcmp(name, "ups.status") == 0) {
		snprintf(out, len, "OL CHRG");
		return 0;
	}
	if (strcmp(name, "battery.charge") == 0) {
		snprintf(out, len, "97");
		return 0;
	}
	return -1;
}

static const char *
render(const char *format)
{
	static char out[UL_LINE_MAX];
	struct ul_ctx cx = { "ups@host:3493", fake_getvar, NULL };
	struct ul_fmt *f = ul_fmt_compile(format);

	ul_fmt_render(f, &cx, out, sizeof(out));
	ul_fmt_free(f);
	return out;
}

static void
test_format(void)
{
	char want[256], host[256];

	TEST_CASE("format: text, %%, %VAR% values, NA and INVALID");
	CHECK_STR(render("a %% b"), "a % b");
	CHECK_STR(render("[%VAR ups.status%] %VAR battery.charge%"), "[OL CHRG] 97");
	CHECK_STR(render("%VAR no.such%"), "NA");
	CHECK_STR(render("%VAR nodot%|%VAR%|%VAR %"), "INVALID|INVALID|INVALID");

	TEST_CASE("format: names by prefix, case-insensitively, in NUT's order");
	CHECK_STR(render("%upshost%"), "ups@host:3493");
	CHECK_STR(render("%var battery.charge%"), "97");
	CHECK_STR(render("%VARIABLE battery.charge%"), "97");
	gethostname(host, sizeof(host));
	CHECK_STR(render("%hostname%"), host);
	snprintf(want, sizeof(want), "%ld", (long)getpid());
	CHECK_STR(render("%PID%"), want);

	TEST_CASE("format: unknown and unterminated escapes");
	CHECK_STR(render("%BOGUS%x"), "INVALIDx");
	CHECK_STR(render("x %VAR ups.status"), "x INVALIDVAR ups.status");

	TEST_CASE("format: %TIME% with '@' for '%', %ETIME%, %TIME% without a format");
	{
		char y[16];
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(y, sizeof(y), "%Y", &tm);
		snprintf(want, sizeof(want), "%s-%%", y);	/* "@@" is "%%": a percent sign */
		CHECK_STR(render("%TIME @Y-@@%"), want);
		CHECK_INT(strlen(render("%ETIME%")), 10);
		CHECK_STR(render("<%TIME%>"), "<>");
	}

	TEST_CASE("format: NUT's default format with this data");
	CHECK(strstr(render(UL_DEFAULT_FORMAT), " 97 NA NA [OL CHRG] NA NA") != NULL);

	TEST_CASE("format: a line is cut at UL_LINE_MAX - 1 bytes");
	{
		char *big = malloc(3 * UL_LINE_MAX);

		memset(big, 'x', 3 * UL_LINE_MAX - 1);
		big[3 * UL_LINE_MAX - 1] = '\0';
		CHECK_INT(strlen(render(big)), UL_LINE_MAX - 1);
		free(big);
	}
}

static size_t
file_lines(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;
	int c;

	if (fp == NULL)
		return 0;
	while ((c = getc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

static void
test_files(void)
{
	char dir[] = "/tmp/nutsec-ulf.XXXXXX", path[128], moved[128], link[128], err[256];
	struct ul_file *f;

	TEST_CASE("log file: append, then reopen by name after a rename");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/ups.log", dir);
	snprintf(moved, sizeof(moved), "%s/ups.log.1", dir);
	f = ul_file_open(path, err, sizeof(err));
	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(ul_file_write(f, "one") == 0);
	CHECK(rename(path, moved) == 0);
	CHECK(ul_file_write(f, "two") == 0);
	CHECK(ul_file_reopen(f, err, sizeof(err)) == 0);
	CHECK(ul_file_write(f, "three") == 0);
	CHECK_INT(file_lines(moved), 2);
	CHECK_INT(file_lines(path), 1);

	TEST_CASE("log file: a reopen that fails keeps the old file");
	CHECK(rename(path, moved) == 0);
	CHECK(mkdir(path, 0700) == 0);		/* the name is now a directory */
	CHECK(ul_file_reopen(f, err, sizeof(err)) == -1);
	CHECK(strstr(err, "still writing") != NULL);
	CHECK(ul_file_write(f, "four") == 0);
	CHECK_INT(file_lines(moved), 2);
	rmdir(path);
	ul_file_close(f);

	TEST_CASE("log file: a symlink is refused, '-' is stdout");
	snprintf(link, sizeof(link), "%s/link.log", dir);
	CHECK(symlink(moved, link) == 0);
	CHECK(ul_file_open(link, err, sizeof(err)) == NULL);
	f = ul_file_open("-", err, sizeof(err));
	CHECK(f != NULL && ul_file_is_stdout(f));
	CHECK(ul_file_reopen(f, err, sizeof(err)) == 0);
	ul_file_close(f);
	unlink(link);
	unlink(moved);
	rmdir(dir);
}

/*
 * A log directory the run-as user may write (what rotation without
 * logrotate's "create" needs) lets that user plant things where root's
 * first open lands: a FIFO (root's open would block forever) or a hard
 * link to another file (root would append to it). Both are refused, at
 * start and at a reopen.
 */
static void
test_planted(void)
{
	char dir[] = "/tmp/nutsec-ulp.XXXXXX", path[128], other[128], moved[128], err[256];
	struct ul_file *f;
	struct stat st;
	int rd;

	TEST_CASE("log file: a FIFO planted as the log file is refused, without blocking");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/ups.log", dir);
	snprintf(other, sizeof(other), "%s/secret", dir);
	snprintf(moved, sizeof(moved), "%s/ups.log.1", dir);
	CHECK(mkfifo(path, 0666) == 0);
	alarm(10);	/* an open that blocks fails the test instead of hanging it */
	f = ul_file_open(path, err, sizeof(err));
	alarm(0);
	CHECK(f == NULL);
	ul_file_close(f);
	/* with a reader there, the open itself would succeed */
	rd = open(path, O_RDONLY | O_NONBLOCK);
	CHECK(rd >= 0);
	f = ul_file_open(path, err, sizeof(err));
	CHECK(f == NULL);
	CHECK(f != NULL || strstr(err, path) != NULL);
	ul_file_close(f);
	if (rd >= 0)
		close(rd);
	unlink(path);

	TEST_CASE("log file: a hard link planted as the log file is refused");
	rd = open(other, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(rd >= 0);
	if (rd >= 0)
		close(rd);
	CHECK(link(other, path) == 0);
	f = ul_file_open(path, err, sizeof(err));
	CHECK(f == NULL);
	CHECK(f != NULL || strstr(err, "link") != NULL);
	ul_file_close(f);
	CHECK(stat(other, &st) == 0 && st.st_size == 0);
	unlink(path);

	TEST_CASE("log file: a FIFO or hard link at a reopen keeps the old file");
	f = ul_file_open(path, err, sizeof(err));
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK(rename(path, moved) == 0);
		CHECK(mkfifo(path, 0666) == 0);
		alarm(10);
		CHECK(ul_file_reopen(f, err, sizeof(err)) == -1);
		alarm(0);
		unlink(path);
		CHECK(link(other, path) == 0);
		CHECK(ul_file_reopen(f, err, sizeof(err)) == -1);
		CHECK(ul_file_write(f, "still here") == 0);
		CHECK_INT(file_lines(moved), 1);
		CHECK(stat(other, &st) == 0 && st.st_size == 0);
		ul_file_close(f);
	}
	unlink(path);
	unlink(moved);
	unlink(other);
	rmdir(dir);
}

int
main(void)
{
	test_format();
	test_files();
	test_planted();
	return test_done();
}
