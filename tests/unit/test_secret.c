/*
 * nutsec - test_secret.c: unit tests of secret handling and randomness:
 * constant-time equality in every length and position case, clearing,
 * secret string copies; random bytes, unbiased bounded integers and the
 * UUIDv4 format; the string helpers whose truncation must be reported;
 * and the logger's errno and rate-limit contracts.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rand.h"
#include "secret.h"
#include "test.h"
#include "xmalloc.h"

static void
test_eq(void)
{
	char a[64], b[64];
	size_t i;

	TEST_CASE("secret_eq: equal strings of every length");
	CHECK(secret_eq("", 0, "", 0));
	CHECK(secret_eq("a", 1, "a", 1));
	CHECK(secret_streq("hunter2", "hunter2"));
	CHECK(secret_streq("", ""));

	TEST_CASE("secret_eq: a difference at any position is found");
	memset(a, 'x', sizeof(a));
	for (i = 0; i < sizeof(a); i++) {
		memcpy(b, a, sizeof(b));
		b[i] ^= 1;
		if (!CHECK(!secret_eq(a, sizeof(a), b, sizeof(b))))
			printf("# position %zu\n", i);
		b[i] ^= (char)0x81;	/* high bit differences count too */
		CHECK(!secret_eq(a, sizeof(a), b, sizeof(b)));
	}

	TEST_CASE("secret_eq: prefixes and extensions are not equal");
	CHECK(!secret_eq("abc", 3, "ab", 2));
	CHECK(!secret_eq("ab", 2, "abc", 3));
	CHECK(!secret_eq("", 0, "a", 1));
	CHECK(!secret_eq("a", 1, "", 0));
	CHECK(!secret_streq("pass", "password"));
	CHECK(!secret_streq("password", "pass"));
	CHECK(secret_streq("pass\0x", "pass\0y"));	/* a NUL ends a C string */
	CHECK(!secret_eq("ab\0c", 4, "ab\0d", 4));

	TEST_CASE("secret_streq: NULL never matches");
	CHECK(!secret_streq(NULL, "x"));
	CHECK(!secret_streq("x", NULL));
	CHECK(!secret_streq(NULL, NULL));
}

static void
test_clear(void)
{
	unsigned char buf[32];
	char *s;
	size_t i;
	int zero = 1;

	TEST_CASE("secret_clear zeroes; secret_strdup copies; frees accept NULL");
	memset(buf, 0xa5, sizeof(buf));
	secret_clear(buf, sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		zero &= buf[i] == 0;
	CHECK(zero);
	secret_clear(NULL, 10);
	s = secret_strdup("pin 1234");
	CHECK_STR(s, "pin 1234");
	secret_strfree(s);
	secret_strfree(NULL);
	secret_free(NULL, 5);
	secret_free(xmalloc(16), 16);
}

static void
test_rand(void)
{
	unsigned char a[32], b[32];
	unsigned counts[6] = { 0 };
	char uuid[RAND_UUID_LEN + 1], uuid2[RAND_UUID_LEN + 1];
	size_t i;
	int ok = 1;

	TEST_CASE("rand_bytes fills buffers with different bytes each time");
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	rand_bytes(a, sizeof(a));
	rand_bytes(b, sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	rand_bytes(a, 0);

	TEST_CASE("rand_uniform stays in range and reaches every value");
	CHECK_INT(rand_uniform(1), 0);
	for (i = 0; i < 6000; i++) {
		unsigned r = rand_uniform(6);

		if (r >= 6) {
			ok = 0;
			break;
		}
		counts[r]++;
	}
	CHECK(ok);
	for (i = 0; i < 6; i++)
		CHECK(counts[i] > 800 && counts[i] < 1200);	/* ~15 sigma */
	for (i = 0; i < 1000; i++)
		ok &= rand_uniform(0x80000001u) < 0x80000001u;
	CHECK(ok);

	TEST_CASE("rand_uuid4: uppercase 8-4-4-4-12, version 4, RFC variant");
	rand_uuid4(uuid);
	rand_uuid4(uuid2);
	CHECK_INT(strlen(uuid), RAND_UUID_LEN);
	CHECK(strcmp(uuid, uuid2) != 0);
	for (i = 0; i < RAND_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ok &= uuid[i] == '-';
		else
			ok &= isxdigit((unsigned char)uuid[i]) && !islower((unsigned char)uuid[i]);
	}
	CHECK(ok);
	CHECK(uuid[14] == '4');
	CHECK(strchr("89AB", uuid[19]) != NULL);
}

static void
test_strings(void)
{
	char small[6];
	char *p;

	TEST_CASE("str_copy and str_printf report truncation");
	CHECK_INT(str_copy(small, "hello", sizeof(small)), 0);
	CHECK_STR(small, "hello");
	CHECK_INT(str_copy(small, "hello!", sizeof(small)), -1);
	CHECK_STR(small, "hello");
	CHECK_INT(str_copy(small, "x", 0), -1);
	CHECK_INT(str_printf(small, sizeof(small), "%d", 12345), 0);
	CHECK_STR(small, "12345");
	CHECK_INT(str_printf(small, sizeof(small), "%d", 123456), -1);

	TEST_CASE("str_differ: NULL equals only NULL");
	CHECK_INT(str_differ(NULL, NULL), 0);
	CHECK_INT(str_differ("a", "a"), 0);
	CHECK_INT(str_differ("a", "b"), 1);
	CHECK_INT(str_differ(NULL, ""), 1);
	CHECK_INT(str_differ("", NULL), 1);

	TEST_CASE("xstrndup, xasprintf, xreallocarray");
	p = xstrndup("abcdef", 3);
	CHECK_STR(p, "abc");
	free(p);
	p = xstrndup("ab", 10);
	CHECK_STR(p, "ab");
	free(p);
	p = xasprintf("%s-%d", "x", 7);
	CHECK_STR(p, "x-7");
	p = xreallocarray(p, 100, 2);
	CHECK_STR(p, "x-7");
	free(p);
}

static void
test_log(void)
{
	char path[] = "/tmp/nutsec-test-log-XXXXXX";
	char text[2048];
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(3600, 2);
	int fd, saved, allowed = 0, i;
	ssize_t n;

	TEST_CASE("log: prefix, strerror for log_warn, errno preserved, debug gated");
	fflush(stderr);
	fd = mkstemp(path);
	unlink(path);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	log_init("/usr/sbin/upsd", 1, LOG_TO_STDERR);
	errno = ENOENT;
	log_warn("open %s", "x");
	CHECK_INT(errno, ENOENT);
	log_warnx("plain");
	CHECK_INT(errno, ENOENT);
	log_debug("level one");
	log_debug2("level two");
	log_set_level(3);
	CHECK_INT(log_get_level(), 3);
	log_debug3("level three");
	log_warnx("user %s", "evil\nupsd: forged\x1b[2J");

	for (i = 0; i < 10; i++)
		allowed += log_ratelimit(&rl);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = '\0';
	close(fd);
	log_init("test_secret", 0, LOG_TO_STDERR);
	CHECK(strstr(text, "upsd: open x: No such file or directory\n") != NULL);
	CHECK(strstr(text, "upsd: plain\n") != NULL);
	CHECK(strstr(text, "upsd: level one\n") != NULL);
	CHECK(strstr(text, "level two") == NULL);
	CHECK(strstr(text, "upsd: level three\n") != NULL);

	TEST_CASE("log: control bytes cannot forge lines or send escapes");
	CHECK(strstr(text, "upsd: user evil?upsd: forged?[2J\n") != NULL);
	CHECK(strstr(text, "\nupsd: forged") == NULL);

	TEST_CASE("log_ratelimit: at most burst messages per period");
	CHECK_INT(allowed, 2);
	CHECK_INT(rl.suppressed, 8);
}

int
main(void)
{
	test_eq();
	test_clear();
	test_rand();
	test_strings();
	test_log();
	return test_done();
}
