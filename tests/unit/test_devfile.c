/*
 * nutsec - test_devfile.c: the dummy-ups data file parser: every kind of
 * line, the NUT quirks we keep and the ones we fix, file:line in errors,
 * TIMER resumption, the shipped demo files, the metadata table order, and
 * deterministic mutants of a realistic file (no crash, no endless walk,
 * every entry within bounds).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devfile.h"
#include "dummy.h"
#include "log.h"
#include "mutate.h"
#include "test.h"

static struct devfile *
mk(const char *text)
{
	return devfile_new("t.dev", text, strlen(text));
}

static void
test_vars(void)
{
	struct devfile *df;
	struct dev_entry e;

	TEST_CASE("name: value words are joined by one space; quotes keep spacing");
	df = mk("battery.charge: 96\nups.test.result: Done   and passed\n"
	    "device.description: \"two  spaces\"\n");
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_STR(e.name, "battery.charge");
	CHECK_STR(e.value, "96");
	CHECK_INT(e.line, 1);
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_STR(e.value, "Done and passed");
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_STR(e.value, "two  spaces");
	CHECK_INT(e.line, 3);
	CHECK_INT(devfile_next(df, &e), DEV_EOF);
	CHECK_INT(devfile_next(df, &e), DEV_EOF);
	devfile_free(df);

	TEST_CASE("text glued to the colon is the first value word (NUT lost it)");
	df = mk("ups.status:OL CHRG\n");
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_STR(e.name, "ups.status");
	CHECK_STR(e.value, "OL CHRG");
	devfile_free(df);

	TEST_CASE("an empty value means delete; comments and blank lines are skipped");
	df = mk("# comment\n\n   \nups.serial:\nups.id: x # trailing comment\n");
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_STR(e.name, "ups.serial");
	CHECK_STR(e.value, "");
	CHECK_INT(e.line, 4);
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_STR(e.value, "x");
	CHECK_INT(devfile_next(df, &e), DEV_EOF);
	devfile_free(df);

	TEST_CASE("driver.* lines are ignored");
	df = mk("driver.name: evil\nDRIVER.version: 1\nups.load: 5\n");
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_STR(e.name, "ups.load");
	CHECK_INT(e.line, 3);
	devfile_free(df);

	TEST_CASE("a last line without a newline is processed (NUT bug 13)");
	df = mk("ups.load: 5\nups.temperature: 30");
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_STR(e.name, "ups.temperature");
	CHECK_STR(e.value, "30");
	CHECK_INT(devfile_next(df, &e), DEV_EOF);
	devfile_free(df);
}

static void
test_timer_alarm(void)
{
	struct devfile *df;
	struct dev_entry e;

	TEST_CASE("TIMER stops the walk; the next call resumes after it");
	df = mk("ups.status: OL\nTIMER 5\nups.status: OB\nTIMER 0\n");
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_INT(devfile_next(df, &e), DEV_TIMER);
	CHECK_INT(e.timer, 5);
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_STR(e.value, "OB");
	CHECK_INT(devfile_next(df, &e), DEV_TIMER);
	CHECK_INT(e.timer, 0);
	CHECK_INT(devfile_next(df, &e), DEV_EOF);
	TEST_CASE("rewind starts over");
	devfile_rewind(df);
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_STR(e.value, "OL");
	CHECK_INT(e.line, 1);
	devfile_free(df);

	TEST_CASE("TIMER is matched on its first five letters, as NUT does");
	df = mk("TIMERS 3\n");
	CHECK_INT(devfile_next(df, &e), DEV_TIMER);
	CHECK_INT(e.timer, 3);
	devfile_free(df);

	TEST_CASE("bad TIMER lines are errors naming file:line, and the walk goes on");
	df = mk("TIMER\nTIMER x\nTIMER -1\nTIMER 999999\nTIMER 1 2\nups.load: 1\n");
	CHECK_INT(devfile_next(df, &e), DEV_ERROR);
	CHECK(strstr(e.error, "t.dev:1:") == e.error);
	CHECK_INT(devfile_next(df, &e), DEV_ERROR);
	CHECK(strstr(e.error, "t.dev:2:") == e.error);
	CHECK_INT(devfile_next(df, &e), DEV_ERROR);
	CHECK_INT(devfile_next(df, &e), DEV_ERROR);
	CHECK_INT(devfile_next(df, &e), DEV_ERROR);
	CHECK(strstr(e.error, "t.dev:5:") == e.error);
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	devfile_free(df);

	TEST_CASE("ALARM with text adds an alarm; ALARM alone clears");
	df = mk("ALARM Replace battery\nALARM\n");
	CHECK_INT(devfile_next(df, &e), DEV_ALARM);
	CHECK_STR(e.value, "Replace battery");
	CHECK_INT(devfile_next(df, &e), DEV_ALARM);
	CHECK_STR(e.value, "");
	devfile_free(df);
}

static void
test_errors(void)
{
	struct devfile *df;
	struct dev_entry e;
	char big[400], line[600];

	TEST_CASE("a line without a colon is an error, not a guess");
	df = mk("ups.load 5\n");
	CHECK_INT(devfile_next(df, &e), DEV_ERROR);
	CHECK(strstr(e.error, "t.dev:1: expected") != NULL);
	devfile_free(df);

	TEST_CASE("an empty name is an error");
	df = mk(": 5\n");
	CHECK_INT(devfile_next(df, &e), DEV_ERROR);
	devfile_free(df);

	TEST_CASE("a value over 255 bytes is an error (NUT cut it at 127)");
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(line, sizeof(line), "ups.id: %s\nups.load: 1\n", big);
	df = mk(line);
	CHECK_INT(devfile_next(df, &e), DEV_ERROR);
	CHECK(strstr(e.error, "longer than 255") != NULL);
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_INT(e.line, 2);
	devfile_free(df);

	TEST_CASE("a value of exactly 255 bytes is accepted");
	memset(big, 'v', 255);
	big[255] = '\0';
	snprintf(line, sizeof(line), "ups.id: %s\n", big);
	df = mk(line);
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_INT(strlen(e.value), 255);
	devfile_free(df);

	TEST_CASE("tokenizer errors ('#' in quotes, open quote) name the line");
	df = mk("ups.id: \"a#b\"\nups.load: 2\nups.model: \"open\n");
	CHECK_INT(devfile_next(df, &e), DEV_ERROR);
	CHECK(strstr(e.error, "t.dev:1:") == e.error);
	CHECK_INT(devfile_next(df, &e), DEV_VAR);
	CHECK_INT(devfile_next(df, &e), DEV_ERROR);
	CHECK_INT(devfile_next(df, &e), DEV_EOF);
	devfile_free(df);

	TEST_CASE("devfile_open refuses missing files and directories with a message");
	{
		char err[256];

		err[0] = '\0';
		CHECK(devfile_open("/nonexistent/x.dev", err, sizeof(err)) == NULL);
		CHECK(strstr(err, "/nonexistent/x.dev") != NULL);
		CHECK(devfile_open("/", err, sizeof(err)) == NULL);
		CHECK(strstr(err, "not a regular file") != NULL);
	}
}

static unsigned
walk_file(const char *path)
{
	struct devfile *df;
	struct dev_entry e;
	char err[256];
	unsigned errors = 0, n = 0;
	enum dev_kind k;

	df = devfile_open(path, err, sizeof(err));
	if (!CHECK(df != NULL)) {
		printf("# %s\n", err);
		return 1;
	}
	while ((k = devfile_next(df, &e)) != DEV_EOF && n++ < 100000)
		if (k == DEV_ERROR) {
			printf("# %s\n", e.error);
			errors++;
		}
	devfile_free(df);
	return errors;
}

static void
test_shipped(void)
{
	TEST_CASE("the shipped dummy-ups.dev and dummy-ups.seq parse without errors");
	CHECK_INT(walk_file(TOP_SRCDIR "/data/dummy-ups.dev"), 0);
	CHECK_INT(walk_file(TOP_SRCDIR "/data/dummy-ups.seq"), 0);

	TEST_CASE("the metadata table is sorted and falls back to STRING|RW 32");
	CHECK(dummy_meta_sorted());
	CHECK_INT(dummy_meta_find("UPS.STATUS")->aux, 32);
	CHECK_INT(dummy_meta_find("battery.charge")->flags, VT_RW);
	CHECK_INT(dummy_meta_find("no.such.var")->flags, VT_RW | VT_STRING);
	CHECK_INT(dummy_meta_find("no.such.var")->aux, 32);
}

struct mut_stats {
	unsigned long mutants, bad;
};

static void
one_mutant(const char *data, size_t len, void *arg)
{
	struct mut_stats *st = arg;
	struct devfile *df = devfile_new("m.dev", data, len);
	struct dev_entry e;
	unsigned long steps = 0;
	enum dev_kind k;

	st->mutants++;
	while ((k = devfile_next(df, &e)) != DEV_EOF) {
		if (++steps > len + 2) {	/* each entry consumes at least one byte */
			st->bad++;
			break;
		}
		if (k == DEV_VAR && (e.name[0] == '\0' || strlen(e.value) > VT_VALUE_MAX ||
		    strchr(e.name, ':') != NULL))
			st->bad++;
		if (k == DEV_TIMER && (e.timer < 0 || e.timer > DEVFILE_TIMER_MAX))
			st->bad++;
		if (k == DEV_ERROR && strncmp(e.error, "m.dev:", 6) != 0)
			st->bad++;
	}
	devfile_free(df);
}

static void
test_mutants(void)
{
	static const char seed[] =
	    "# demo\nups.status: OL CHRG\nbattery.charge: 96\nTIMER 5\n"
	    "ALARM Replace battery\nups.id: \"a b\\\"c\"\ndriver.name: x\n"
	    "ups.serial:\ninput.voltage: 231.4 # V\nALARM\nTIMER 0\n";
	struct mut_stats st = { 0, 0 };

	TEST_CASE("mutants of a data file: no crash, bounded walk, entries in bounds");
	mutate_all(seed, sizeof(seed) - 1, 3000, one_mutant, &st);
	CHECK(st.mutants > 3000);
	CHECK_INT(st.bad, 0);
}

int
main(void)
{
	log_init("test_devfile", 0, LOG_TO_STDERR);
	test_vars();
	test_timer_alarm();
	test_errors();
	test_shipped();
	test_mutants();
	return test_done();
}
