/*
 * nutsec - test_upsconf.c: common/upsconf.c, the one ups.conf reader of
 * upsd, the drivers and upsdrvctl: globals and sections, NUT's spellings
 * (flags with or without a value, DEBUG_MIN in any case), bounds, driver
 * variables kept with their line numbers, the precedence of per-UPS over
 * global settings, the name rule (length, characters, case), the
 * whole-file checks (driver and port present, socket name fits and is
 * not another section's), and
 * mutants of a realistic file. Then the driver itself (dummy-ups) run
 * against broken files: an unknown variable, a wrong driver, a missing
 * port or section must each exit 1 with a message naming file:line.
 * (tests/integration/064-upsconf-agree.sh runs the three programs on the
 * same files and checks they agree.)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "mutate.h"
#include "test.h"
#include "upsconf.h"

static struct upsconf *
load(const char *text, int *errors)
{
	return upsconf_load_string("ups.conf", text, errors);
}

static void
test_basic(void)
{
	static const char text[] =
	    "chroot = /var/empty\nuser = nut\npollinterval = 5\nmaxretry = 3\n"
	    "DEBUG_MIN 2\nnowait\n"
	    "[UPS1]\n\tdriver = dummy-ups\n\tport = x.dev\n\tdesc = \"Rack A\"\n"
	    "\tsdorder = 2\n\tnolock\n\tallow_killpower = yes\n\tpollinterval = 1\n"
	    "\tmode = dummy-once\n\tdefault.ups.serial = S1\n\toverride.ups.model = M\n"
	    "\trepeater_disable_strict_start\n"
	    "[ups2]\n\tdriver = dummy-ups\n\tport = y.seq\n\tsynchronous = yes\n"
	    "\tsdorder = -1\n";
	struct upsconf *uc;
	struct upsconf_ups *u;
	int errors = -1;

	TEST_CASE("globals, sections, flags and variables");
	uc = load(text, &errors);
	CHECK_INT(errors, 0);
	CHECK_INT(uc->nups, 2);
	CHECK_STR(uc->chroot, "/var/empty");
	CHECK_STR(uc->user, "nut");
	CHECK_INT(uc->pollinterval, 5);
	CHECK_INT(uc->debug_min, 2);
	CHECK_INT(uc->nowait, 1);
	u = upsconf_find(uc, "UPS1");
	if (CHECK(u != NULL)) {
		CHECK_STR(u->driver, "dummy-ups");
		CHECK_STR(u->port, "x.dev");
		CHECK_STR(u->desc, "Rack A");
		CHECK_INT(u->sdorder, 2);
		CHECK_INT(u->nolock, 1);
		CHECK_INT(u->allow_killpower, 1);
		CHECK_INT(u->line, 7);
		CHECK_INT(u->nvars, 4);
		if (u->nvars == 4) {
			CHECK_STR(u->vars[0].name, "mode");
			CHECK_STR(u->vars[0].value, "dummy-once");
			CHECK_INT(u->vars[0].line, 15);
			CHECK_STR(u->vars[1].name, "default.ups.serial");
			CHECK_STR(u->vars[2].name, "override.ups.model");
			CHECK_STR(u->vars[3].name, "repeater_disable_strict_start");
			CHECK(u->vars[3].value == NULL);
		}
		TEST_CASE("per-UPS settings win over globals, globals over defaults");
		CHECK_INT(upsconf_get(uc, u, UPSCONF_POLLINTERVAL, 2), 1);
		CHECK_INT(upsconf_get(uc, u, UPSCONF_MAXRETRY, 1), 3);
		CHECK_INT(upsconf_get(uc, u, UPSCONF_RETRYDELAY, 5), 5);
		CHECK_INT(upsconf_get(uc, NULL, UPSCONF_POLLINTERVAL, 2), 5);
		CHECK_STR(upsconf_user(uc, u), "nut");
	}
	TEST_CASE("a lookup ignores case and finds the section's own spelling");
	u = upsconf_find(uc, "ups1");
	if (CHECK(u != NULL))
		CHECK_STR(u->name, "UPS1");
	CHECK(upsconf_find(uc, "ups3") == NULL);
	u = upsconf_find(uc, "UPS2");
	if (CHECK(u != NULL)) {
		CHECK_INT(u->synchronous, UPSCONF_SYNC_YES);
		CHECK_INT(u->sdorder, -1);
		CHECK_INT(upsconf_get(uc, u, UPSCONF_SYNCHRONOUS, 0), UPSCONF_SYNC_YES);
	}
	upsconf_free(uc);
}

static void
expect_errors(const char *name, const char *text, int want)
{
	struct upsconf *uc;
	int errors = -1;

	TEST_CASE(name);
	uc = load(text, &errors);
	if (want < 0)
		CHECK(errors > 0);
	else
		CHECK_INT(errors, want);
	upsconf_free(uc);
}

/* A section with the two settings every section needs. */
#define DP "driver = d\nport = p\n"

static void
test_errors(void)
{
	expect_errors("pollinterval 0 is an error (NUT: fatal)",
	    "[a]\n" DP "pollinterval = 0\n", 1);
	expect_errors("sdorder below -1 is an error", "[a]\n" DP "sdorder = -2\n", 1);
	expect_errors("synchronous must be yes/no/auto", "[a]\n" DP "synchronous = maybe\n", 1);
	expect_errors("a UPS defined twice is an error", "[a]\n" DP "[a]\n" DP, 1);
	expect_errors("a section name with '/' is an error", "[a/b]\n" DP, 1);
	expect_errors("chroot must be absolute", "chroot = relative\n", 1);
	expect_errors("a driver variable with several words is an error",
	    "[a]\n" DP "mode = dummy once\n", 1);
	expect_errors("unknown globals only warn (newer NUT globals exist)",
	    "reconnect_max_tries = 3\n[a]\n" DP, 0);
	expect_errors("sddelay is obsolete: a warning, not an error",
	    "[a]\n" DP "sddelay = 5\n", 0);
	expect_errors("a desc of several words is kept (with a warning)",
	    "[a]\n" DP "desc = Main UPS\n", 0);
	expect_errors("flags written with a value work", "[a]\n" DP "nolock = no\n", 0);
	expect_errors("a bad boolean is an error", "[a]\n" DP "nolock = perhaps\n", 1);
	expect_errors("an unknown section line is a driver variable (the driver judges it)",
	    "[a]\n" DP "bogus = 1\nbogusflag\n", 0);
	expect_errors("an empty file is clean (upsd decides whether no UPS is fine)", "", 0);
}

/* The name rule and the whole-file checks every reader shares. */
static void
test_names(void)
{
	char text[512], name[80];
	struct upsconf *uc;
	int errors = -1;

	expect_errors("two sections differing only in case are an error",
	    "[ups]\n" DP "[UPS]\n" DP, 1);
	expect_errors("... in any position of the name", "[myUps]\n" DP "[MYuPS]\n" DP, 1);
	expect_errors("two sections with one driver socket name are an error",
	    "[old-x]\ndriver = apcsmart\nport = p\n[x]\ndriver = apcsmart-old\nport = p\n", 1);
	expect_errors("... not when the names only look alike",
	    "[old-x]\ndriver = apcsmart\nport = p\n[x]\ndriver = apcsmart-olds\nport = p\n", 0);
	memset(name, 'n', sizeof(name));
	name[63] = '\0';
	snprintf(text, sizeof(text), "[%s]\n" DP, name);
	expect_errors("a 63-character name is accepted", text, 0);
	name[63] = 'n';
	name[64] = '\0';
	snprintf(text, sizeof(text), "[%s]\n" DP, name);
	expect_errors("a 64-character name is accepted", text, 0);
	TEST_CASE("upsconf_name_ok: 64 yes, 65 no");
	CHECK(upsconf_name_ok(name));
	name[64] = 'n';
	name[65] = '\0';
	CHECK(!upsconf_name_ok(name));
	snprintf(text, sizeof(text), "[%s]\n" DP, name);
	expect_errors("a 65-character name is an error", text, 1);
	TEST_CASE("upsconf_name_ok: characters");
	CHECK(upsconf_name_ok("ups-1_a.b:c@d"));
	CHECK(!upsconf_name_ok(""));
	CHECK(!upsconf_name_ok("a b"));
	CHECK(!upsconf_name_ok("a/b"));
	CHECK(!upsconf_name_ok("a\x7f"));
	CHECK(!upsconf_name_ok("caf\xc3\xa9"));
	CHECK(!upsconf_name_ok("a\"b"));
	CHECK(!upsconf_name_ok("a\\b"));
	CHECK(!upsconf_name_ok("a#b"));
	CHECK(!upsconf_name_ok("a=b"));
	expect_errors("a name with a space is an error", "[a\\ b]\n" DP, 1);
	expect_errors("a name with an escaped '#' is an error", "[a\\#b]\n" DP, 1);
	expect_errors("a name with a quote is an error", "[a\"b]\n" DP, 1);
	expect_errors("a driver of several words is an error (NUT kept the first)",
	    "[a]\ndriver = dummy-ups extra\nport = p\n", 1);
	expect_errors("a port of several words is an error (quote it)",
	    "[a]\ndriver = d\nport = /dev/tty S0\n", 1);
	expect_errors("a driver with '/' is an error", "[a]\ndriver = ../sh\nport = p\n", 1);
	expect_errors("a driver starting with '.' is an error", "[a]\ndriver = .d\nport = p\n", 1);
	expect_errors("a missing driver is an error", "[a]\nport = p\n", 1);
	expect_errors("a missing port is an error", "[a]\ndriver = d\n", 1);
	expect_errors("a missing driver and port are two errors", "[a]\ndesc = x\n", 2);
	memset(name, 'n', sizeof(name));
	name[64] = '\0';
	snprintf(text, sizeof(text), "[%s]\ndriver = %.*s\nport = p\n", name, 43, name);
	expect_errors("\"<driver>-<ups>\" of 108 characters does not fit a socket", text, 1);
	snprintf(text, sizeof(text), "[%s]\ndriver = %.*s\nport = p\n", name, 42, name);
	expect_errors("... of 107 characters does", text, 0);

	TEST_CASE("the first of two same-named sections stays");
	uc = load("[Ups]\ndriver = a\nport = 1\n[uPS]\ndriver = b\nport = 2\n", &errors);
	CHECK_INT(errors, 1);
	CHECK_INT(uc->nups, 1);
	CHECK_STR(uc->ups[0]->driver, "a");
	upsconf_free(uc);
}

static void
test_sample(void)
{
	struct upsconf *uc;
	int errors = -1;

	TEST_CASE("the ups.conf.sample make install ships loads without errors");
	uc = upsconf_load(TOP_BUILDDIR "/conf/ups.conf.sample", &errors);
	if (CHECK(uc != NULL)) {
		CHECK_INT(errors, 0);
		CHECK(upsconf_find(uc, "demo") != NULL);
	}
	upsconf_free(uc);
}

struct mstat {
	unsigned long n;
};

static void
one_mutant(const char *data, size_t len, void *arg)
{
	struct mstat *st = arg;
	char *text = malloc(len + 1);
	struct upsconf *uc;
	int errors;

	memcpy(text, data, len);
	text[len] = '\0';	/* strings stop at a mutated NUL, as a C string would */
	uc = load(text, &errors);
	if (uc != NULL) {
		size_t i;

		for (i = 0; i < uc->nups; i++)
			(void)upsconf_find(uc, uc->ups[i]->name);
	}
	upsconf_free(uc);
	free(text);
	st->n++;
}

static void
test_mutants(void)
{
	static const char seed[] =
	    "user = nut\npollinterval = 5\n[ups1]\n driver = dummy-ups\n port = a.dev\n"
	    " desc = \"x y\"\n nolock\n default.ups.id = 7\n sdorder = 1\n";
	struct mstat st = { 0 };

	TEST_CASE("mutants of ups.conf load or fail cleanly");
	log_set_dest(0);	/* thousands of expected warnings */
	mutate_all(seed, sizeof(seed) - 1, 2000, one_mutant, &st);
	log_set_dest(LOG_TO_STDERR);
	CHECK(st.n > 2000);
}

/* Runs dummy-ups -a <ups> against conf text; returns the exit status and
 * the first bytes of its output in out. */
static int
run_driver(const char *dir, const char *conf, const char *ups, char *out, size_t outlen)
{
	char path[512], cmd[1024];
	FILE *fp;
	size_t n;
	int st;

	snprintf(path, sizeof(path), "%s/ups.conf", dir);
	fp = fopen(path, "w");
	if (fp == NULL)
		return -1;
	fputs(conf, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "NUT_CONFPATH=%s NUT_STATEPATH=%s NUT_ALTPIDPATH=%s "
	    "%s/drivers/dummy-ups -a %s -F 2>&1", dir, dir, dir, TOP_BUILDDIR, ups);
	fp = popen(cmd, "r");
	if (fp == NULL)
		return -1;
	n = fread(out, 1, outlen - 1, fp);
	out[n] = '\0';
	st = pclose(fp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
expect_exit1(const char *dir, const char *name, const char *conf, const char *ups,
    const char *needle)
{
	char out[4096];

	TEST_CASE(name);
	CHECK_INT(run_driver(dir, conf, ups, out, sizeof(out)), 1);
	if (!CHECK(strstr(out, needle) != NULL))
		printf("# output: %s\n", out);
}

static void
test_driver(void)
{
	char dir[] = "/tmp/test_upsconf.XXXXXX";
	char path[600];

	if (mkdtemp(dir) == NULL) {
		TEST_CASE("temporary directory");
		CHECK(0);
		return;
	}
	expect_exit1(dir, "an unknown driver variable: exit 1 naming ups.conf:line (NUT: 0)",
	    "[u]\n driver = dummy-ups\n port = x.dev\n bogus = 1\n", "u", "ups.conf:4:");
	expect_exit1(dir, "an unknown flag: exit 1 naming the line",
	    "[u]\n driver = dummy-ups\n port = x.dev\n\n bogusflag\n", "u", "ups.conf:5:");
	expect_exit1(dir, "chroot inside a section is a driver variable, hence unknown",
	    "[u]\n driver = dummy-ups\n port = x.dev\n chroot = /tmp\n", "u", "ups.conf:4:");
	expect_exit1(dir, "a flag given a value is refused",
	    "[u]\n driver = dummy-ups\n port = x.dev\n repeater_disable_strict_start = 1\n",
	    "u", "is a flag");
	expect_exit1(dir, "driver= must be this program",
	    "[u]\n driver = usbhid-ups\n port = auto\n", "u", "not dummy-ups");
	expect_exit1(dir, "a missing port names the section's line",
	    "\n[u]\n driver = dummy-ups\n", "u", "ups.conf:2:");
	expect_exit1(dir, "a missing section is named",
	    "[u]\n driver = dummy-ups\n port = x.dev\n", "v", "no section [v]");
	expect_exit1(dir, "a syntax error stops the driver",
	    "[u]\n driver = dummy-ups\n port = \"x.dev\n", "u", "error");
	expect_exit1(dir, "an unknown mode is refused (NUT fell through)",
	    "[u]\n driver = dummy-ups\n port = x.dev\n mode = dummy-twice\n", "u",
	    "dummy-twice");
	expect_exit1(dir, "a missing data file stops the driver",
	    "[u]\n driver = dummy-ups\n port = missing.dev\n", "u", "missing.dev");
	snprintf(path, sizeof(path), "%s/ups.conf", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	log_init("test_upsconf", 0, LOG_TO_STDERR);
	test_basic();
	test_errors();
	test_names();
	test_sample();
	test_mutants();
	test_driver();
	return test_done();
}
