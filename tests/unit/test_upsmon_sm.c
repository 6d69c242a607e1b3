/*
 * nutsec - test_upsmon_sm.c: upsmon's state machine fed status strings and
 * a clock of the test's own: notifications on every transition, the
 * critical-UPS rules (primary, secondary after HOSTSYNC, CAL, OFFDURATION,
 * OBLBDURATION, ALARM/BYPASS/CAL without communication), DEADTIME
 * promotion, MINSUPPLIES, COMMBAD/COMMOK/NOCOMM, REPLBATT repeats,
 * POLLFREQALERT, and the NOTIFYMSG formatting.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sm.h"
#include "test.h"

static char got[4096];

static void
rec(void *arg, enum nt type, const struct sm_ups *u, const char *extra)
{
	size_t len = strlen(got);

	(void)arg;
	snprintf(got + len, sizeof(got) - len, "%s%s%s%s", len > 0 ? " " : "", nt_name(type),
	    extra != NULL && extra[0] != '\0' ? ":" : "", extra != NULL ? extra : "");
}

static struct upsmon_conf *cf;
static struct sm s;
static struct sm_ups ups[3];

/* n UPSes: power 1 each; primary as given; the clock at 0 s. */
static void
setup(size_t n, int primary)
{
	size_t i;

	memset(&s, 0, sizeof(s));
	sm_params_from_conf(&s.p, cf);
	for (i = 0; i < n; i++)
		sm_ups_init(&ups[i], i == 0 ? "a@h" : i == 1 ? "b@h" : "c@h", 1, primary,
		    1000);
	s.ups = ups;
	s.nups = n;
	s.notify = rec;
	got[0] = '\0';
}

#define SEC(x) ((uint64_t)(x) * 1000 + 1000)

int
main(void)
{
	char buf[128];

	log_init("test_upsmon_sm", 0, LOG_TO_STDERR);
	cf = upsmon_conf_new();

	TEST_CASE("tokens parse case-insensitively as whole words; others kept");
	{
		char other[64];
		unsigned f = sm_parse("ol chrg LBX FSD  weird", other, sizeof(other));

		CHECK_INT(f, ST_OL | ST_FSD);
		CHECK_STR(other, "LBX weird");
	}

	TEST_CASE("first OL is silent; OB then OL gives ONBATT, ONLINE; no shutdown");
	setup(1, 1);
	sm_status(&s, &ups[0], "OL", NULL, SEC(1));
	CHECK_STR(got, "");
	CHECK_INT(sm_recalc(&s, SEC(1)), 0);
	sm_status(&s, &ups[0], "OB DISCHRG", NULL, SEC(2));
	CHECK_INT(sm_recalc(&s, SEC(2)), 0);
	CHECK_INT(s.alert, 1);
	sm_status(&s, &ups[0], "OL CHRG", NULL, SEC(3));
	CHECK_INT(sm_recalc(&s, SEC(3)), 0);
	CHECK_INT(s.alert, 0);
	CHECK_STR(got, "ONBATT ONLINE");

	TEST_CASE("OB at start notifies ONBATT");
	setup(1, 1);
	sm_status(&s, &ups[0], "OB", NULL, SEC(1));
	CHECK_STR(got, "ONBATT");

	TEST_CASE("primary: OB LB is critical at once (LOWBATT once)");
	setup(1, 1);
	sm_status(&s, &ups[0], "OB", NULL, SEC(1));
	sm_status(&s, &ups[0], "OB LB", NULL, SEC(2));
	sm_status(&s, &ups[0], "OB LB", NULL, SEC(3));
	CHECK_STR(got, "ONBATT LOWBATT");
	CHECK_INT(sm_recalc(&s, SEC(3)), 1);

	TEST_CASE("secondary: OB LB critical only after HOSTSYNC; FSD at once");
	setup(1, 0);
	sm_status(&s, &ups[0], "OB LB", NULL, SEC(10));
	CHECK_INT(sm_recalc(&s, SEC(10)), 0);
	sm_status(&s, &ups[0], "OB LB", NULL, SEC(25));
	CHECK_INT(sm_recalc(&s, SEC(25)), 0);	/* exactly HOSTSYNC (15) is not more */
	sm_status(&s, &ups[0], "OB LB", NULL, SEC(26));
	CHECK_INT(sm_recalc(&s, SEC(26)), 1);
	setup(1, 0);
	sm_status(&s, &ups[0], "FSD OB LB", NULL, SEC(10));
	CHECK_INT(sm_recalc(&s, SEC(10)), 1);
	CHECK(strstr(got, "FSD") != NULL);

	TEST_CASE("FSD is notified once until it clears");
	setup(1, 0);
	sm_status(&s, &ups[0], "OL FSD", NULL, SEC(1));
	sm_status(&s, &ups[0], "OL FSD", NULL, SEC(2));
	sm_status(&s, &ups[0], "OL", NULL, SEC(3));
	sm_status(&s, &ups[0], "OL FSD", NULL, SEC(4));
	CHECK_STR(got, "FSD FSD");

	TEST_CASE("CAL: OB LB is not critical while calibrating; CAL/NOTCAL");
	setup(1, 1);
	sm_status(&s, &ups[0], "OB LB CAL", NULL, SEC(1));
	CHECK_INT(sm_recalc(&s, SEC(1)), 0);
	sm_status(&s, &ups[0], "OL", NULL, SEC(2));
	CHECK_STR(got, "ONBATT LOWBATT CAL ONLINE NOTCAL");

	TEST_CASE("OBLBDURATION: OB LB counts only after it lasted");
	cf->oblbduration = 10;
	setup(1, 1);
	sm_status(&s, &ups[0], "OB LB", NULL, SEC(1));
	CHECK_INT(sm_recalc(&s, SEC(1)), 0);
	sm_status(&s, &ups[0], "OB LB", NULL, SEC(11));
	CHECK_INT(sm_recalc(&s, SEC(11)), 1);
	cf->oblbduration = 0;

	TEST_CASE("OFF counts after OFFDURATION; OFF/NOTOFF; never when < 0");
	setup(1, 1);
	sm_status(&s, &ups[0], "OFF", NULL, SEC(1));
	CHECK_INT(sm_recalc(&s, SEC(1)), 0);
	sm_status(&s, &ups[0], "OFF", NULL, SEC(31));
	CHECK_INT(sm_recalc(&s, SEC(31)), 1);
	sm_status(&s, &ups[0], "OL", NULL, SEC(32));
	CHECK_STR(got, "OFF NOTOFF");
	cf->offduration = -1;
	setup(1, 1);
	sm_status(&s, &ups[0], "OFF", NULL, SEC(1));
	CHECK_INT(sm_recalc(&s, SEC(1000)), 0);
	cf->offduration = 30;

	TEST_CASE("every paired token notifies both ways");
	setup(1, 1);
	sm_status(&s, &ups[0], "OL BYPASS OVER TRIM BOOST ECO RB", NULL, SEC(1));
	sm_status(&s, &ups[0], "OL", NULL, SEC(2));
	CHECK_STR(got, "REPLBATT BYPASS OVER TRIM BOOST ECO "
	    "NOTBYPASS NOTOVER NOTTRIM NOTBOOST NOTECO");

	TEST_CASE("REPLBATT repeats every RBWARNTIME while RB stays");
	cf->rbwarntime = 100;
	setup(1, 1);
	sm_status(&s, &ups[0], "OL RB", NULL, SEC(1));
	sm_status(&s, &ups[0], "OL RB", NULL, SEC(50));
	sm_status(&s, &ups[0], "OL RB", NULL, SEC(101));
	CHECK_STR(got, "REPLBATT REPLBATT");
	cf->rbwarntime = 43200;

	TEST_CASE("ALARM carries its text, again when it changes; NOTALARM; n/a");
	setup(1, 1);
	sm_status(&s, &ups[0], "OL ALARM", "Fan failure", SEC(1));
	sm_status(&s, &ups[0], "OL ALARM", "Fan failure", SEC(2));
	sm_status(&s, &ups[0], "OL ALARM", "$(reboot); `id`", SEC(3));
	sm_status(&s, &ups[0], "OL", NULL, SEC(4));
	sm_status(&s, &ups[0], "OL ALARM", NULL, SEC(5));
	CHECK_STR(got, "ALARM:Fan failure ALARM:$(reboot); `id` NOTALARM ALARM:n/a");

	TEST_CASE("unknown tokens: OTHER when the set changes, NOTOTHER when gone");
	setup(1, 1);
	sm_status(&s, &ups[0], "OL FOO", NULL, SEC(1));
	sm_status(&s, &ups[0], "OL FOO", NULL, SEC(2));
	sm_status(&s, &ups[0], "OL FOO BAR", NULL, SEC(3));
	sm_status(&s, &ups[0], "OL", NULL, SEC(4));
	CHECK_STR(got, "OTHER:FOO OTHER:FOO BAR NOTOTHER");

	TEST_CASE("COMMBAD on the first failure, COMMOK on return, NOCOMM repeated");
	cf->nocommwarntime = 10;
	setup(1, 1);
	sm_status(&s, &ups[0], "OL", NULL, SEC(1));
	sm_fail(&s, &ups[0], SEC(2));
	sm_fail(&s, &ups[0], SEC(5));
	sm_fail(&s, &ups[0], SEC(11));
	sm_fail(&s, &ups[0], SEC(15));
	sm_fail(&s, &ups[0], SEC(21));
	sm_status(&s, &ups[0], "OL", NULL, SEC(22));
	CHECK_STR(got, "COMMBAD NOCOMM NOCOMM COMMOK");
	CHECK_INT(sm_recalc(&s, SEC(22)), 0);
	cf->nocommwarntime = 300;

	TEST_CASE("an empty status is a failure; never-polled counts as healthy");
	setup(1, 1);
	sm_status(&s, &ups[0], "  ", NULL, SEC(1));
	CHECK_STR(got, "COMMBAD");
	setup(1, 1);
	CHECK_INT(sm_recalc(&s, SEC(1000)), 0);

	TEST_CASE("DEADTIME: silent past DEADTIME while OB is taken as LB");
	setup(1, 1);
	sm_status(&s, &ups[0], "OB", NULL, SEC(1));
	sm_fail(&s, &ups[0], SEC(5));
	CHECK_INT(sm_recalc(&s, SEC(5)), 0);
	sm_fail(&s, &ups[0], SEC(16));
	CHECK_INT(sm_recalc(&s, SEC(16)), 0);	/* 15 s: not more than DEADTIME */
	sm_fail(&s, &ups[0], SEC(17));
	CHECK_INT(sm_recalc(&s, SEC(17)), 1);
	CHECK(ups[0].flags & ST_LB);
	/* ... but not while on line */
	setup(1, 1);
	sm_status(&s, &ups[0], "OL", NULL, SEC(1));
	sm_fail(&s, &ups[0], SEC(100));
	CHECK_INT(sm_recalc(&s, SEC(100)), 0);

	TEST_CASE("communication lost: ALARM (ALARMCRITICAL), BYPASS, CAL are critical");
	setup(1, 1);
	sm_status(&s, &ups[0], "OL ALARM", "x", SEC(1));
	CHECK_INT(sm_recalc(&s, SEC(1)), 0);
	sm_fail(&s, &ups[0], SEC(2));
	CHECK_INT(sm_recalc(&s, SEC(2)), 1);
	cf->alarmcritical = 0;
	setup(1, 1);
	sm_status(&s, &ups[0], "OL ALARM", "x", SEC(1));
	sm_fail(&s, &ups[0], SEC(2));
	CHECK_INT(sm_recalc(&s, SEC(2)), 0);
	cf->alarmcritical = 1;
	setup(1, 1);
	sm_status(&s, &ups[0], "OL BYPASS", NULL, SEC(1));
	sm_fail(&s, &ups[0], SEC(2));
	CHECK_INT(sm_recalc(&s, SEC(2)), 1);

	TEST_CASE("MINSUPPLIES 2 with two UPSes: one critical is enough to shut down");
	cf->minsupplies = 2;
	setup(2, 1);
	sm_status(&s, &ups[0], "OL", NULL, SEC(1));
	sm_status(&s, &ups[1], "OL", NULL, SEC(1));
	CHECK_INT(sm_recalc(&s, SEC(1)), 0);
	sm_status(&s, &ups[1], "OB LB", NULL, SEC(2));
	CHECK_INT(sm_recalc(&s, SEC(2)), 1);
	cf->minsupplies = 1;
	setup(2, 1);
	sm_status(&s, &ups[0], "OL", NULL, SEC(1));
	sm_status(&s, &ups[1], "OB LB", NULL, SEC(2));
	CHECK_INT(sm_recalc(&s, SEC(2)), 0);
	cf->minsupplies = 0;
	setup(1, 1);
	sm_status(&s, &ups[0], "OB LB FSD", NULL, SEC(2));
	CHECK_INT(sm_recalc(&s, SEC(2)), 0);
	cf->minsupplies = 1;

	TEST_CASE("NOTIFYMSG: only %s and %%, formatted without printf");
	CHECK_INT(nt_check_format("UPS %s is %s", 1, buf, sizeof(buf)), -1);
	CHECK_INT(nt_check_format("UPS %n", 1, buf, sizeof(buf)), -1);
	CHECK_INT(nt_check_format("100%% %s", 1, buf, sizeof(buf)), 0);
	CHECK_INT(nt_check_format("%s: %s", 2, buf, sizeof(buf)), 0);
	nt_format(buf, sizeof(buf), "100%% %s [%s] %s", "u@h", "%s%n");
	CHECK_STR(buf, "100% u@h [%s%n] ");
	nt_format(buf, 8, "abcdefghij %s", "x", NULL);
	CHECK_STR(buf, "abcdefg");
	CHECK_INT(nt_lookup("onbatt"), NT_ONBATT);
	CHECK_INT(nt_lookup("nosuch"), -1);

	upsmon_conf_free(cf);
	return test_done();
}
