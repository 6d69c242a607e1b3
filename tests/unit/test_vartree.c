/*
 * nutsec - test_vartree.c: unit tests of the variable tree: case-insensitive
 * order and lookup, change detection, deletion, every limit (name and value
 * length, number of variables, enums, ranges, commands), name validation,
 * enum/range/command operations and pointer stability across inserts,
 * and the hash index against a plain search under random mutation.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "test.h"
#include "vartree.h"

static void
test_order(void)
{
	struct vt *t = vt_new();
	struct vt_var *v, *keep;
	int changed = -1;
	size_t i;
	static const char *in[] = { "ups.status", "Battery.charge", "input.voltage",
	    "battery.Runtime", "UPS.mfr", "ambient.temperature", "battery.charge.low" };
	static const char *sorted[] = { "ambient.temperature", "Battery.charge",
	    "battery.charge.low", "battery.Runtime", "input.voltage", "UPS.mfr",
	    "ups.status" };

	TEST_CASE("variables sort case-insensitively and keep their spelling");
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		v = vt_set(t, in[i], "x", &changed);
		CHECK(v != NULL);
		CHECK_INT(changed, 1);
	}
	CHECK_INT(vt_count(t), 7);
	for (i = 0; i < vt_count(t); i++)
		CHECK_STR(vt_name(vt_at(t, i)), sorted[i]);
	CHECK(vt_at(t, 7) == NULL);

	TEST_CASE("vt_after: where a walk resumes after a name, present or not");
	CHECK_INT(vt_after(t, ""), 0);
	CHECK_INT(vt_after(t, "ambient.temperature"), 1);
	CHECK_INT(vt_after(t, "BATTERY.CHARGE"), 2);
	CHECK_INT(vt_after(t, "battery.d"), 3);
	CHECK_INT(vt_after(t, "ups.status"), 7);
	CHECK_INT(vt_after(t, "zzz"), 7);

	TEST_CASE("lookup ignores case; set updates the existing variable");
	keep = vt_get(t, "UPS.STATUS");
	CHECK(keep != NULL && strcmp(vt_name(keep), "ups.status") == 0);
	v = vt_set(t, "Ups.Status", "OL", &changed);
	CHECK(v == keep);
	CHECK_INT(changed, 1);
	CHECK_STR(vt_value(v), "OL");
	CHECK_STR(vt_name(v), "ups.status");
	vt_set(t, "ups.status", "OL", &changed);
	CHECK_INT(changed, 0);
	vt_set(t, "ups.status", "ol", &changed);	/* values compare by bytes */
	CHECK_INT(changed, 1);
	vt_set(t, "ups.status", "OL CHRG with a longer value", NULL);
	CHECK_STR(vt_value(keep), "OL CHRG with a longer value");
	CHECK_INT(vt_count(t), 7);
	CHECK(vt_get(t, "ups.statu") == NULL);
	CHECK(vt_get(t, "ups.status2") == NULL);
	CHECK(vt_get(t, NULL) == NULL);

	TEST_CASE("pointers stay valid while other variables come and go");
	for (i = 0; i < 200; i++) {
		char name[32];
		snprintf(name, sizeof(name), "a.%03zu", i);
		vt_set(t, name, "v", NULL);
	}
	CHECK(vt_get(t, "ups.status") == keep);
	CHECK_STR(vt_value(keep), "OL CHRG with a longer value");
	for (i = 0; i < 200; i += 2) {
		char name[32];
		snprintf(name, sizeof(name), "A.%03zu", i);
		CHECK_INT(vt_del(t, name), 0);
	}
	CHECK_INT(vt_count(t), 107);
	CHECK(vt_get(t, "ups.status") == keep);
	CHECK_STR(vt_name(vt_at(t, 0)), "a.001");

	TEST_CASE("delete: present, absent, twice");
	CHECK_INT(vt_del(t, "UPS.MFR"), 0);
	CHECK_INT(vt_del(t, "ups.mfr"), -1);
	CHECK_INT(vt_del(t, "nope"), -1);
	CHECK(vt_get(t, "ups.mfr") == NULL);
	CHECK_INT(vt_count(t), 106);

	TEST_CASE("flags and aux");
	CHECK_INT(vt_flags(keep), 0);
	CHECK_INT(vt_aux(keep), 0);
	vt_set_flags(keep, VT_RW | VT_STRING);
	vt_set_aux(keep, 32);
	CHECK_INT(vt_flags(keep), VT_RW | VT_STRING);
	CHECK_INT(vt_aux(keep), 32);

	TEST_CASE("clear empties the tree, which stays usable");
	vt_cmd_add(t, "load.off");
	vt_clear(t);
	CHECK_INT(vt_count(t), 0);
	CHECK_INT(vt_cmd_count(t), 0);
	CHECK(vt_set(t, "x", "y", NULL) != NULL);
	vt_free(t);
	vt_free(NULL);
}

/* ASCII case-insensitive equality, written independently of vartree.c. */
static int
ref_caseeq(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a;
		int y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;

		if (x != y)
			return 0;
		if (x == '\0')
			return 1;
	}
}

/* The reference lookup: a walk over the sorted array. */
static struct vt_var *
ref_get(const struct vt *t, const char *name)
{
	size_t i;

	for (i = 0; i < vt_count(t); i++)
		if (ref_caseeq(vt_name(vt_at(t, i)), name))
			return vt_at(t, i);
	return NULL;
}

static uint32_t rng_state = 2463534242u;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/*
 * A name from a small pool, in a random case. The pool has names that hash
 * alike but differ ('@' and '`' fold together in the hash), names of every
 * length around the 8-byte hashing step, and the longest allowed name.
 */
static void
pool_name(char *out, size_t outlen, unsigned k)
{
	static const char *fixed[] = { "a@b", "a`b", "A@B", "x", "X", "ups.status",
	    "battery.charge", "12345678", "123456789", "abcdefgh", "abcdefghi",
	    "[x]", "{x}" };
	size_t i, n;

	if (k < sizeof(fixed) / sizeof(fixed[0]))
		snprintf(out, outlen, "%s", fixed[k]);
	else if (k == 40) {
		memset(out, 'q', VT_NAME_MAX);
		out[VT_NAME_MAX] = '\0';
	} else
		snprintf(out, outlen, "v%u.%.*s", k, (int)(k % 19), "abcdefghijklmnopqrs");
	n = strlen(out);
	for (i = 0; i < n; i++)
		if ((rng() & 1) && out[i] >= 'a' && out[i] <= 'z')
			out[i] = (char)(out[i] - 32);
}

static void
test_index(void)
{
	struct vt *t = vt_new();
	char name[VT_NAME_MAX + 1];
	unsigned step, bad_get = 0, bad_order = 0, bad_all = 0, bad_del = 0;
	size_t i, most = 0;

	TEST_CASE("the hash index finds what a plain search finds, under mutation");
	for (step = 0; step < 60000; step++) {
		/* Phases that grow (through several resizes) and shrink the tree. */
		unsigned phase = (step / 10000) % 2, op = rng() % 10;
		unsigned k = rng() % (step < 30000 ? 1500 : 400);
		struct vt_var *want;

		pool_name(name, sizeof(name), k);
		want = ref_get(t, name);
		if (op < (phase == 0 ? 6u : 3u)) {
			int changed;
			struct vt_var *v = vt_set(t, name, (rng() & 1) ? "a" : "b", &changed);

			if (v == NULL || (want != NULL && v != want))
				bad_get++;
		} else if (op < 9) {
			if (vt_del(t, name) != (want != NULL ? 0 : -1) || ref_get(t, name) != NULL)
				bad_del++;
		}
		if (vt_get(t, name) != ref_get(t, name))
			bad_get++;
		if (vt_count(t) > most)
			most = vt_count(t);
		if (step % 997 == 0) {
			for (i = 0; i < vt_count(t); i++) {
				struct vt_var *v = vt_at(t, i);
				char up[VT_NAME_MAX + 1];
				size_t j;

				for (j = 0; vt_name(v)[j] != '\0'; j++)
					up[j] = (char)(vt_name(v)[j] >= 'a' && vt_name(v)[j] <= 'z' ?
					    vt_name(v)[j] - 32 : vt_name(v)[j]);
				up[j] = '\0';
				if (vt_get(t, vt_name(v)) != v || vt_get(t, up) != v)
					bad_all++;
				if (i > 0 && strcasecmp(vt_name(vt_at(t, i - 1)), vt_name(v)) >= 0)
					bad_order++;
			}
		}
	}
	CHECK_INT(bad_get, 0);
	CHECK_INT(bad_del, 0);
	CHECK_INT(bad_all, 0);
	CHECK_INT(bad_order, 0);
	CHECK(most > 600);	/* the index was resized several times */
	CHECK(vt_get(t, "a@b") == NULL || vt_get(t, "a@b") != vt_get(t, "a`b"));

	TEST_CASE("small trees: probe runs that wrap around the end of the index");
	bad_get = bad_del = 0;
	for (step = 0; step < 20000; step++) {
		struct vt *s = vt_new();
		unsigned n;

		/* At most 7 names: a 16-slot index, where runs often wrap. */
		for (n = 0; n < 7; n++) {
			pool_name(name, sizeof(name), 13 + rng() % 60);
			(void)vt_set(s, name, "v", NULL);
		}
		for (n = 0; n < 10; n++) {
			pool_name(name, sizeof(name), 13 + rng() % 60);
			if (rng() & 1) {
				struct vt_var *want = ref_get(s, name);

				if (vt_del(s, name) != (want != NULL ? 0 : -1))
					bad_del++;
			} else
				(void)vt_set(s, name, "w", NULL);
			for (i = 0; i < vt_count(s); i++)
				if (vt_get(s, vt_name(vt_at(s, i))) != vt_at(s, i))
					bad_get++;
			if (vt_get(s, name) != ref_get(s, name))
				bad_get++;
		}
		vt_free(s);
	}
	CHECK_INT(bad_get, 0);
	CHECK_INT(bad_del, 0);

	TEST_CASE("names that hash alike stay apart; clear empties the index");
	vt_clear(t);
	CHECK(vt_set(t, "a@b", "1", NULL) != NULL);
	CHECK(vt_get(t, "a`b") == NULL);
	CHECK(vt_set(t, "a`b", "2", NULL) != NULL);
	CHECK_STR(vt_value(vt_get(t, "A@B")), "1");
	CHECK_STR(vt_value(vt_get(t, "a`B")), "2");
	CHECK_INT(vt_del(t, "a@b"), 0);
	CHECK(vt_get(t, "a@b") == NULL);
	CHECK_STR(vt_value(vt_get(t, "a`b")), "2");
	vt_clear(t);
	CHECK(vt_get(t, "a`b") == NULL);
	CHECK(vt_get(t, "") == NULL);
	vt_free(t);
}

static void
test_limits(void)
{
	struct vt *t = vt_new();
	char name[VT_NAME_MAX + 2], value[VT_VALUE_MAX + 2];
	int i, ok = 1, changed = 7;

	TEST_CASE("names: length and byte limits");
	memset(name, 'n', sizeof(name));
	name[VT_NAME_MAX] = '\0';
	CHECK(vt_set(t, name, "v", NULL) != NULL);
	name[VT_NAME_MAX] = 'n';
	name[VT_NAME_MAX + 1] = '\0';
	CHECK(vt_set(t, name, "v", &changed) == NULL);
	CHECK_INT(changed, 0);
	CHECK(vt_set(t, "", "v", NULL) == NULL);
	CHECK(vt_set(t, NULL, "v", NULL) == NULL);
	CHECK(vt_set(t, "has space", "v", NULL) == NULL);
	CHECK(vt_set(t, "tab\there", "v", NULL) == NULL);
	CHECK(vt_set(t, "nl\n", "v", NULL) == NULL);
	CHECK(vt_set(t, "del\x7f", "v", NULL) == NULL);
	CHECK(vt_set(t, "hi\x80", "v", NULL) == NULL);
	CHECK(vt_set(t, "~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}", "v", NULL) != NULL);
	CHECK_INT(vt_count(t), 2);

	TEST_CASE("values: up to VT_VALUE_MAX bytes, any content");
	memset(value, 'v', sizeof(value));
	value[VT_VALUE_MAX] = '\0';
	CHECK(vt_set(t, "long", value, NULL) != NULL);
	value[VT_VALUE_MAX] = 'v';
	value[VT_VALUE_MAX + 1] = '\0';
	CHECK(vt_set(t, "long", value, &changed) == NULL);
	CHECK_INT(changed, 0);
	CHECK_INT(strlen(vt_value(vt_get(t, "long"))), VT_VALUE_MAX);
	CHECK(vt_set(t, "long", NULL, NULL) == NULL);
	CHECK(vt_set(t, "q", "a \"quoted\" \\ # value", NULL) != NULL);
	CHECK(vt_set(t, "empty", "", NULL) != NULL);
	CHECK_STR(vt_value(vt_get(t, "empty")), "");

	TEST_CASE("at most VT_MAX_VARS variables");
	vt_clear(t);
	for (i = 0; i < VT_MAX_VARS && ok; i++) {
		snprintf(name, sizeof(name), "var.%05d", VT_MAX_VARS - i);
		ok = vt_set(t, name, "1", NULL) != NULL;
	}
	CHECK(ok);
	CHECK_INT(vt_count(t), VT_MAX_VARS);
	CHECK(vt_set(t, "one.too.many", "1", NULL) == NULL);
	CHECK(vt_set(t, "VAR.00001", "2", NULL) != NULL);	/* update still works */
	CHECK_STR(vt_name(vt_at(t, 0)), "var.00001");
	CHECK_STR(vt_value(vt_at(t, 0)), "2");
	CHECK_INT(vt_del(t, "var.00002"), 0);
	CHECK(vt_set(t, "one.too.many", "1", NULL) != NULL);

	TEST_CASE("at most VT_MAX_CMDS commands");
	ok = 1;
	for (i = 0; i < VT_MAX_CMDS && ok; i++) {
		snprintf(name, sizeof(name), "cmd.%05d", i);
		ok = vt_cmd_add(t, name) == 0;
	}
	CHECK(ok);
	CHECK_INT(vt_cmd_add(t, "cmd.extra"), -1);
	CHECK_INT(vt_cmd_add(t, "CMD.00001"), 0);	/* duplicate: accepted, no-op */
	CHECK_INT(vt_cmd_count(t), VT_MAX_CMDS);
	vt_free(t);
}

static void
test_enum_range(void)
{
	struct vt *t = vt_new();
	struct vt_var *v = vt_set(t, "input.transfer.low", "90", NULL);
	char value[VT_VALUE_MAX + 2];
	long mn, mx;
	int i, ok = 1;

	TEST_CASE("enums: insertion order, duplicates ignored, delete");
	CHECK_INT(vt_enum_add(v, "90"), 0);
	CHECK_INT(vt_enum_add(v, "80"), 0);
	CHECK_INT(vt_enum_add(v, "100"), 0);
	CHECK_INT(vt_enum_add(v, "80"), 0);
	CHECK_INT(vt_enum_count(v), 3);
	CHECK_STR(vt_enum_at(v, 0), "90");
	CHECK_STR(vt_enum_at(v, 1), "80");
	CHECK_STR(vt_enum_at(v, 2), "100");
	CHECK(vt_enum_at(v, 3) == NULL);
	CHECK_INT(vt_enum_del(v, "80"), 0);
	CHECK_INT(vt_enum_del(v, "80"), -1);
	CHECK_INT(vt_enum_count(v), 2);
	CHECK_STR(vt_enum_at(v, 1), "100");
	CHECK_INT(vt_enum_add(NULL, "x"), -1);
	CHECK_INT(vt_enum_add(v, NULL), -1);
	memset(value, 'e', sizeof(value));
	value[VT_VALUE_MAX + 1] = '\0';
	CHECK_INT(vt_enum_add(v, value), -1);

	TEST_CASE("enums: at most VT_MAX_ENUMS");
	for (i = 0; ok && vt_enum_count(v) < VT_MAX_ENUMS; i++) {
		char e[16];
		snprintf(e, sizeof(e), "e%d", i);
		ok = vt_enum_add(v, e) == 0;
	}
	CHECK(ok);
	CHECK_INT(vt_enum_add(v, "overflow"), -1);
	CHECK_INT(vt_enum_add(v, "90"), 0);	/* duplicate of a present one */

	TEST_CASE("ranges: order, exact duplicates, min > max, delete");
	CHECK_INT(vt_range_add(v, 10, 20), 0);
	CHECK_INT(vt_range_add(v, 10, 30), 0);	/* shares a bound: kept (NUT dropped it) */
	CHECK_INT(vt_range_add(v, -5, -5), 0);
	CHECK_INT(vt_range_add(v, 10, 20), 0);
	CHECK_INT(vt_range_add(v, 2, 1), -1);
	CHECK_INT(vt_range_count(v), 3);
	vt_range_at(v, 1, &mn, &mx);
	CHECK_INT(mn, 10);
	CHECK_INT(mx, 30);
	vt_range_at(v, 2, &mn, &mx);
	CHECK_INT(mn, -5);
	CHECK_INT(mx, -5);
	vt_range_at(v, 9, &mn, &mx);
	CHECK_INT(mn, 0);
	CHECK_INT(vt_range_del(v, 10, 20), 0);
	CHECK_INT(vt_range_del(v, 10, 20), -1);
	CHECK_INT(vt_range_count(v), 2);
	vt_range_at(v, 0, &mn, &mx);
	CHECK_INT(mx, 30);

	TEST_CASE("ranges: at most VT_MAX_RANGES");
	ok = 1;
	for (i = 0; ok && vt_range_count(v) < VT_MAX_RANGES; i++)
		ok = vt_range_add(v, 1000 + i, 2000 + i) == 0;
	CHECK(ok);
	CHECK_INT(vt_range_add(v, -100, 100), -1);

	TEST_CASE("commands: sorted, case-insensitive, bad names refused");
	CHECK_INT(vt_cmd_add(t, "test.battery.start"), 0);
	CHECK_INT(vt_cmd_add(t, "Load.Off"), 0);
	CHECK_INT(vt_cmd_add(t, "beeper.toggle"), 0);
	CHECK_INT(vt_cmd_add(t, "load.off"), 0);
	CHECK_INT(vt_cmd_count(t), 3);
	CHECK_STR(vt_cmd_at(t, 0), "beeper.toggle");
	CHECK_STR(vt_cmd_at(t, 1), "Load.Off");
	CHECK_STR(vt_cmd_at(t, 2), "test.battery.start");
	CHECK(vt_cmd_at(t, 3) == NULL);
	CHECK(vt_cmd_has(t, "LOAD.OFF"));
	CHECK(!vt_cmd_has(t, "load.on"));
	CHECK(!vt_cmd_has(t, NULL));
	CHECK_INT(vt_cmd_add(t, "bad name"), -1);
	CHECK_INT(vt_cmd_add(t, ""), -1);
	CHECK_INT(vt_cmd_add(t, NULL), -1);
	CHECK_INT(vt_cmd_del(t, "load.OFF"), 0);
	CHECK_INT(vt_cmd_del(t, "load.off"), -1);
	CHECK_INT(vt_cmd_count(t), 2);
	vt_free(t);
}

int
main(void)
{
	test_order();
	test_index();
	test_limits();
	test_enum_range();
	return test_done();
}
