/*
 * nutsec - test_nutcert_safety.c: nutcert's handling of what it reads and
 * writes as root: the password file's one-line limit (512 bytes, the line
 * ending not counted; a NUL byte refused rather than cutting the password
 * short).
 */
#include "config.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nutcert.h"
#include "secret.h"
#include "test.h"

struct nc_opts nc_opt = { NULL, 0, 0, 1 };	/* quiet */
struct nc_cli cli;

static char dir[] = "/tmp/test_nutcert_safety.XXXXXX";

static char *
put_file(const char *name, const char *content, size_t len, int mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, content, len) != (ssize_t)len)
		abort();
	close(fd);
	chmod(path, (mode_t)mode);
	return path;
}

static void
test_password_limit(void)
{
	char line[600], *pw;
	int rc = -1;

	TEST_CASE("password file: a password of 512 bytes and its newline is accepted");
	memset(line, 'p', 512);
	line[512] = '\n';
	pw = nc_read_password(put_file("p512", line, 513, 0600), "test", &rc);
	CHECK(pw != NULL && strlen(pw) == 512);
	if (pw != NULL)
		secret_strfree(pw);
	line[512] = '\r';
	line[513] = '\n';
	pw = nc_read_password(put_file("p512crlf", line, 514, 0600), "test", &rc);
	CHECK(pw != NULL && strlen(pw) == 512);
	if (pw != NULL)
		secret_strfree(pw);

	TEST_CASE("password file: 513 bytes, or more after the line, refused");
	memset(line, 'p', 513);
	line[513] = '\n';
	rc = -1;
	CHECK(nc_read_password(put_file("p513", line, 514, 0600), "test", &rc) == NULL);
	CHECK_INT(rc, NC_USAGE);
	memset(line, 'p', 520);
	line[10] = '\n';
	rc = -1;
	CHECK(nc_read_password(put_file("p2lines", line, 520, 0600), "test", &rc) == NULL);
	CHECK_INT(rc, NC_USAGE);

	TEST_CASE("password file: a NUL byte does not cut the password short");
	rc = -1;
	CHECK(nc_read_password(put_file("pnul", "abc\0defgh\n", 10, 0600), "test", &rc) ==
	    NULL);
	CHECK_INT(rc, NC_USAGE);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 99;
	test_password_limit();
	nc_tmp_cleanup();
	rmdir(dir);
	return test_done();
}
