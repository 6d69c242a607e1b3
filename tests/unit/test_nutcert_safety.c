/*
 * nutsec - test_nutcert_safety.c: nutcert's handling of what it reads and
 * writes as root: the password file's one-line limit (512 bytes, the line
 * ending not counted; a NUL byte refused rather than cutting the password
 * short), and nc_db_fix_modes never giving the daemons' group a file that
 * was hard-linked into a database directory.
 */
#include "config.h"
#include <fcntl.h>
#include <grp.h>
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

static void
test_fix_modes(void)
{
	char db[100], outside[300], inside[300], fifo[300];
	struct group *gr = getgrgid(getegid());
	struct stat st;

	TEST_CASE("fix_modes: a hard link in the database keeps its mode and group");
	snprintf(db, sizeof(db), "%s/db", dir);
	CHECK(mkdir(db, 0700) == 0);
	snprintf(outside, sizeof(outside), "%s", put_file("outside", "secret\n", 7, 0600));
	snprintf(inside, sizeof(inside), "%s/cert9.db", db);
	CHECK(link(outside, inside) == 0);
	snprintf(fifo, sizeof(fifo), "%s/key4.db", db);
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(gr != NULL);
	if (gr == NULL)
		return;
	/* refused as a whole (a file it cannot fix is an error) */
	CHECK(nc_db_fix_modes(db, gr->gr_name) != NC_OK);
	CHECK(stat(outside, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(stat(fifo, &st) == 0 && (st.st_mode & 07777) == 0600);

	TEST_CASE("fix_modes: a regular file of its own is fixed");
	unlink(inside);
	unlink(fifo);
	snprintf(inside, sizeof(inside), "%s", put_file("db/cert9.db", "x", 1, 0600));
	CHECK_INT(nc_db_fix_modes(db, gr->gr_name), NC_OK);
	CHECK(stat(inside, &st) == 0 &&
	    (st.st_mode & 07777) == (geteuid() == 0 ? 0640 : 0600));
	CHECK(stat(db, &st) == 0 && (st.st_mode & 07777) == (geteuid() == 0 ? 0750 : 0700));
	unlink(inside);
	unlink(outside);
	rmdir(db);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 99;
	test_password_limit();
	test_fix_modes();
	nc_tmp_cleanup();
	{
		static const char *const left[] = { "p512", "p512crlf", "p513", "p2lines",
			"pnul", NULL };
		char p[300];
		size_t i;

		for (i = 0; left[i] != NULL; i++) {
			snprintf(p, sizeof(p), "%s/%s", dir, left[i]);
			unlink(p);
		}
	}
	rmdir(dir);
	return test_done();
}
