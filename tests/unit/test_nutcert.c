/*
 * nutsec - test_nutcert.c: unit tests of nutcert's pieces that need no NSS:
 * the DER writer (lengths, integers, bit strings, times, wrapping), the
 * password-file rules (modes, pipes, one line, empty), names, addresses,
 * config quoting, the index round trip and the installed-database record.
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

static int
der_is(const struct der *d, const char *hex)
{
	char got[2 * sizeof(d->buf) + 1];

	nc_hex(d->buf, d->len, got, 0);
	if (strcmp(got, hex) != 0) {
		printf("#   got  %s\n#   want %s\n", got, hex);
		return 0;
	}
	return 1;
}

static void
test_der(void)
{
	struct der d;
	unsigned char big[300], ser[3] = { 0x00, 0x00, 0x80 };
	size_t m;

	TEST_CASE("der: small integers, positive and minimal");
	der_init(&d);
	der_small_int(&d, 0);
	der_small_int(&d, 127);
	der_small_int(&d, 128);
	der_small_int(&d, 65536);
	CHECK(der_is(&d, "020100" "02017F" "02020080" "0203010000"));

	TEST_CASE("der: integer from bytes: leading zeros dropped, sign byte added");
	der_init(&d);
	der_int_bytes(&d, ser, sizeof(ser));
	CHECK(der_is(&d, "02020080"));

	TEST_CASE("der: bit strings of key usage (unused bits counted)");
	der_init(&d);
	der_bitstring_bits(&d, (1u << 5) | (1u << 6));	/* certSign, cRLSign */
	CHECK(der_is(&d, "03020106"));
	der_init(&d);
	der_bitstring_bits(&d, 1u << 0);		/* digitalSignature */
	CHECK(der_is(&d, "03020780"));
	der_init(&d);
	der_bitstring_bits(&d, (1u << 0) | (1u << 2));	/* + keyEncipherment */
	CHECK(der_is(&d, "030205A0"));
	der_init(&d);
	der_bitstring_bits(&d, 1u << 8);		/* decipherOnly: two bytes */
	CHECK(der_is(&d, "0303070080"));

	TEST_CASE("der: UTCTime before 2050, GeneralizedTime from 2050");
	der_init(&d);
	der_time(&d, 0);
	CHECK(der_is(&d, "170D3730303130313030303030305A"));
	der_init(&d);
	der_time(&d, (time_t)2524608000LL);	/* 2050-01-01 */
	CHECK(der_is(&d, "180F32303530303130313030303030305A"));

	TEST_CASE("der: wrap with short, one-byte and two-byte lengths");
	memset(big, 0xAB, sizeof(big));
	der_init(&d);
	der_tlv(&d, 0x04, big, 2);
	der_wrap(&d, 0, 0x30);
	CHECK(der_is(&d, "30040402ABAB"));
	der_init(&d);
	der_tlv(&d, 0x04, big, 200);
	CHECK_INT(d.len, 203);
	CHECK(d.buf[0] == 0x04 && d.buf[1] == 0x81 && d.buf[2] == 200);
	der_init(&d);
	m = d.len;
	der_tlv(&d, 0x04, big, 300);
	der_wrap(&d, m, 0x30);
	CHECK(d.buf[0] == 0x30 && d.buf[1] == 0x82 && d.buf[2] == 0x01 && d.buf[3] == 0x30);
	CHECK(d.buf[4] == 0x04 && d.buf[5] == 0x82 && d.buf[6] == 0x01 && d.buf[7] == 0x2C);
	CHECK(!d.overflow);

	TEST_CASE("der: overflow is remembered, never written past the buffer");
	der_init(&d);
	while (!d.overflow)
		der_tlv(&d, 0x04, big, sizeof(big));
	CHECK(d.len <= sizeof(d.buf));
}

static char dir[] = "/tmp/test_nutcert.XXXXXX";

static char *
pwfile(const char *name, const char *content, int mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		abort();
	close(fd);
	chmod(path, (mode_t)mode);
	return path;
}

static void
test_passwords(void)
{
	char *pw;
	int rc = -1, pfd[2];
	char fdpath[64];

	TEST_CASE("password file: one line, the line ending stripped");
	pw = nc_read_password(pwfile("a", "s3cret\n", 0600), "test", &rc);
	CHECK_STR(pw, "s3cret");
	if (pw)
		secret_strfree(pw);
	pw = nc_read_password(pwfile("b", "s3cret\r\n", 0400), "test", &rc);
	CHECK_STR(pw, "s3cret");
	if (pw)
		secret_strfree(pw);
	pw = nc_read_password(pwfile("c", "no newline", 0600), "test", &rc);
	CHECK_STR(pw, "no newline");
	if (pw)
		secret_strfree(pw);

	TEST_CASE("password file: readable by others or the group: refused (3)");
	rc = -1;
	CHECK(nc_read_password(pwfile("d", "x\n", 0644), "test", &rc) == NULL);
	CHECK_INT(rc, NC_REFUSED);
	rc = -1;
	CHECK(nc_read_password(pwfile("e", "x\n", 0640), "test", &rc) == NULL);
	CHECK_INT(rc, NC_REFUSED);
	rc = -1;
	CHECK(nc_read_password(pwfile("f", "x\n", 0602), "test", &rc) == NULL);
	CHECK_INT(rc, NC_REFUSED);

	TEST_CASE("password file: empty refused, two lines refused, missing: usage");
	rc = -1;
	CHECK(nc_read_password(pwfile("g", "\n", 0600), "test", &rc) == NULL);
	CHECK_INT(rc, NC_REFUSED);
	rc = -1;
	CHECK(nc_read_password(pwfile("h", "a\nb\n", 0600), "test", &rc) == NULL);
	CHECK_INT(rc, NC_USAGE);
	rc = -1;
	CHECK(nc_read_password("/nonexistent/pw", "test", &rc) == NULL);
	CHECK_INT(rc, NC_USAGE);
	rc = -1;
	CHECK(nc_read_password(dir, "test", &rc) == NULL);
	CHECK_INT(rc, NC_REFUSED);

	TEST_CASE("password from a pipe");
	if (CHECK(pipe(pfd) == 0)) {
		CHECK(write(pfd[1], "piped\n", 6) == 6);
		close(pfd[1]);
		snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", pfd[0]);
		pw = nc_read_password(fdpath, "test", &rc);
		CHECK_STR(pw, "piped");
		if (pw)
			secret_strfree(pw);
		close(pfd[0]);
	}
}

static void
test_names(void)
{
	unsigned char ip[16];
	char buf[64], *q;

	TEST_CASE("names: the nickname rule");
	CHECK(nc_valid_name("upsmon-host1"));
	CHECK(nc_valid_name("a.b_c"));
	CHECK(!nc_valid_name(""));
	CHECK(!nc_valid_name("-x"));
	CHECK(!nc_valid_name("a b"));
	CHECK(!nc_valid_name("a/b"));
	CHECK(!nc_valid_name("x\"y"));

	TEST_CASE("names: DNS names");
	CHECK(nc_valid_dns("localhost"));
	CHECK(nc_valid_dns("ups.example.org"));
	CHECK(nc_valid_dns("*.example.org"));
	CHECK(!nc_valid_dns("a..b"));
	CHECK(!nc_valid_dns("-a.b"));
	CHECK(!nc_valid_dns("a-.b"));
	CHECK(!nc_valid_dns("a.b."));
	CHECK(!nc_valid_dns("192.0.2.1:80"));
	CHECK(!nc_valid_dns("a*.b"));

	TEST_CASE("addresses: IPv4 and IPv6 both ways");
	CHECK_INT(nc_ip_parse("192.0.2.10", ip), 4);
	CHECK(nc_ip_format(ip, 4, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "192.0.2.10");
	CHECK_INT(nc_ip_parse("::1", ip), 16);
	CHECK(nc_ip_format(ip, 16, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "::1");
	CHECK_INT(nc_ip_parse("ups.example", ip), 0);
	CHECK(nc_ip_format(ip, 5, buf, sizeof(buf)) != 0);

	TEST_CASE("config quoting");
	q = nc_conf_quote("a \"b\" \\c");
	CHECK_STR(q, "\"a \\\"b\\\" \\\\c\"");
	free(q);
}

static void
test_index(void)
{
	struct nc_index ix = { NULL, 0 }, back = { NULL, 0 };
	struct nc_entry *e;

	TEST_CASE("index: save and load keep every field");
	e = nc_index_add(&ix);
	e->status = 'R';
	strcpy(e->serial, "4A00FF");
	e->not_before = 100;
	e->not_after = 2524608000LL;
	e->kind = NC_KIND_CLIENT;
	strcpy(e->name, "mon");
	e->revoked_at = 200;
	e->reason = 1;
	e->sans = strdup("-");
	e->subject = strdup("CN=mon,O=Example Org");
	e = nc_index_add(&ix);
	e->status = 'V';
	strcpy(e->serial, "4B01");
	e->kind = NC_KIND_SERVER;
	strcpy(e->name, "mon");
	e->sans = strdup("dns:a,ip:::1");
	e->subject = strdup("CN=a");
	CHECK(nc_index_save(dir, &ix) == NC_OK);
	CHECK(nc_index_load(dir, &back) == NC_OK);
	CHECK_INT(back.n, 2);
	if (back.n == 2) {
		CHECK(back.e[0].status == 'R');
		CHECK_STR(back.e[0].serial, "4A00FF");
		CHECK_INT(back.e[0].not_after, 2524608000LL);
		CHECK_INT(back.e[0].reason, 1);
		CHECK_INT(back.e[0].revoked_at, 200);
		CHECK_STR(back.e[0].subject, "CN=mon,O=Example Org");
		CHECK_STR(back.e[1].sans, "dns:a,ip:::1");
		CHECK(back.e[1].kind == NC_KIND_SERVER);
	}

	TEST_CASE("index: find returns the valid entry of a name");
	e = nc_index_find(&back, "mon");
	CHECK(e != NULL && strcmp(e->serial, "4B01") == 0);
	CHECK(nc_index_find(&back, "nobody") == NULL);

	TEST_CASE("index: reason words");
	CHECK_INT(nc_reason_code("keyCompromise"), 1);
	CHECK_INT(nc_reason_code("SUPERSEDED"), 4);
	CHECK_INT(nc_reason_code("bogus"), -1);
	CHECK_STR(nc_reason_str(5), "cessationOfOperation");

	TEST_CASE("index: a damaged line is an error naming the line");
	{
		char path[256];
		FILE *fp;

		snprintf(path, sizeof(path), "%s/index", dir);
		fp = fopen(path, "a");
		if (fp) {
			fputs("V\tonly three\tfields\n", fp);
			fclose(fp);
		}
		nc_index_free(&back);
		CHECK(nc_index_load(dir, &back) == NC_DB);
	}
	nc_index_free(&ix);
	nc_index_free(&back);

	TEST_CASE("installed: the last database of a name wins, others kept");
	{
		char *g;

		CHECK(nc_installed_get(dir, "mon") == NULL);
		CHECK(nc_installed_set(dir, "mon", "/etc/nut/a") == NC_OK);
		CHECK(nc_installed_set(dir, "mon2", "/etc/nut/b") == NC_OK);
		CHECK(nc_installed_set(dir, "mon", "/etc/nut/c") == NC_OK);
		g = nc_installed_get(dir, "mon");
		CHECK_STR(g, "/etc/nut/c");
		free(g);
		g = nc_installed_get(dir, "mon2");
		CHECK_STR(g, "/etc/nut/b");
		free(g);
		CHECK(nc_installed_get(dir, "mo") == NULL);
	}
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_der();
	test_passwords();
	test_names();
	test_index();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return test_done();
}
