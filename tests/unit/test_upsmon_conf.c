/*
 * nutsec - test_upsmon_conf.c: upsmon.conf: every directive read, errors
 * named file:line, SHUTDOWNCMD/NOTIFYCMD split into words without a shell
 * (and shell syntax refused), MONITOR's forms, the whole-file checks, and
 * the notifier's refusal of names that are not MONITOR lines.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "upsmon.h"
#include "test.h"

static char dir[] = "/tmp/test_upsmon_conf.XXXXXX";
static char path[256], errpath[256], errs[8192];

/* Loads text; the log lines go to errs. */
static struct upsmon_conf *
load(const char *text, int *n)
{
	struct upsmon_conf *cf = upsmon_conf_new();
	int fd, saved;
	ssize_t r;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	fflush(stderr);
	saved = dup(2);
	fd = open(errpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	*n = upsmon_conf_load(cf, path);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	r = read(fd, errs, sizeof(errs) - 1);
	errs[r > 0 ? r : 0] = '\0';
	close(fd);
	return cf;
}

#define MON "MONITOR ups@localhost 1 mon pass primary\n"

int
main(void)
{
	struct upsmon_conf *cf;
	char want[512];
	int n;

	log_init("test_upsmon_conf", 0, LOG_TO_STDERR);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/upsmon.conf", dir);
	snprintf(errpath, sizeof(errpath), "%s/errs", dir);

	TEST_CASE("a full file is read into its fields");
	cf = load("MONITOR ups@host:3500 2 mon \"p w\" master\n"
	    "MONITOR other@[::1] 1 mon2 pw2 secondary\n"
	    "MINSUPPLIES 2\nSHUTDOWNCMD \"/sbin/shutdown -h +0\"\n"
	    "NOTIFYCMD /usr/local/bin/notify --flag\n"
	    "POLLFREQ 3\nPOLLFREQALERT 1\nHOSTSYNC 20\nDEADTIME 25\nFINALDELAY 0\n"
	    "NOCOMMWARNTIME 60\nRBWARNTIME 600\nOFFDURATION -1\nOVERDURATION 10\n"
	    "OBLBDURATION 5\nALARMCRITICAL 0\nSHUTDOWNEXIT no\nPOWERDOWNFLAG /etc/killpower\n"
	    "RUN_AS_USER nut\nNOTIFYMSG onbatt \"On battery: %s\"\n"
	    "NOTIFYFLAG ONLINE SYSLOG+EXEC\nNOTIFYFLAG LOWBATT IGNORE\n"
	    "POLLFAIL_LOG_THROTTLE_MAX 5\ndebug_min 2\nCERTVERIFY 0\nFORCESSL 1\n"
	    "SANDBOX trap\n", &n);
	CHECK_INT(n, 0);
	CHECK_INT(cf->nmon, 2);
	CHECK_STR(cf->mon[0].sys, "ups@host:3500");
	CHECK_STR(cf->mon[0].upsname, "ups");
	CHECK_STR(cf->mon[0].host, "host");
	CHECK_INT(cf->mon[0].port, 3500);
	CHECK_INT(cf->mon[0].power, 2);
	CHECK_STR(cf->mon[0].pass, "p w");
	CHECK_INT(cf->mon[0].primary, 1);
	CHECK_STR(cf->mon[1].host, "::1");
	CHECK_INT(cf->mon[1].port, 3493);
	CHECK_INT(cf->mon[1].primary, 0);
	CHECK_STR(cf->shutdowncmd[0], "/sbin/shutdown");
	CHECK_STR(cf->shutdowncmd[1], "-h");
	CHECK_STR(cf->shutdowncmd[2], "+0");
	CHECK(cf->shutdowncmd[3] == NULL);
	CHECK_STR(cf->notifycmd[0], "/usr/local/bin/notify");
	CHECK_STR(cf->notifycmd[1], "--flag");
	CHECK_INT(cf->pollfreq, 3);
	CHECK_INT(cf->hostsync, 20);
	CHECK_INT(cf->deadtime, 25);
	CHECK_INT(cf->offduration, -1);
	CHECK_INT(cf->overduration, 10);
	CHECK_INT(cf->alarmcritical, 0);
	CHECK_INT(cf->shutdownexit, -1);
	CHECK_STR(cf->powerdownflag, "/etc/killpower");
	CHECK_STR(upsmon_conf_msg(cf, NT_ONBATT), "On battery: %s");
	CHECK_STR(upsmon_conf_msg(cf, NT_ONLINE), "UPS %s on line power");
	CHECK_INT(cf->notifyflag[NT_ONLINE], NF_SYSLOG | NF_EXEC);
	CHECK_INT(cf->notifyflag[NT_LOWBATT], NF_IGNORE);
	CHECK_INT(cf->notifyflag[NT_FSD], NF_SYSLOG | NF_WALL);
	CHECK_INT(cf->debug_min, 2);
	CHECK_INT(cf->tls.forcessl, 1);
	CHECK_INT(cf->sandbox, 1);
	CHECK(upsmon_conf_find(cf, "other@[::1]") == &cf->mon[1]);
	CHECK(upsmon_conf_find(cf, "other") == NULL);
	upsmon_conf_free(cf);

	TEST_CASE("errors name file:line; every bad line counted");
	cf = load(MON "POLLFREQ 0\nNOSUCH 1\nNOTIFYFLAG ONBATT SYSLOG+MAIL\n"
	    "NOTIFYMSG FOO \"x\"\nNOTIFYMSG ALARM \"%s %s %s\"\n", &n);
	CHECK_INT(n, 5);
	snprintf(want, sizeof(want), "%s:2:", path);
	CHECK(strstr(errs, want) != NULL);
	snprintf(want, sizeof(want), "%s:3: unknown directive 'NOSUCH'", path);
	CHECK(strstr(errs, want) != NULL);
	snprintf(want, sizeof(want), "%s:6:", path);
	CHECK(strstr(errs, want) != NULL);
	upsmon_conf_free(cf);

	TEST_CASE("MONITOR: the old 4-value form, a bad port, a duplicate");
	cf = load("MONITOR ups@h 1 pass primary\nMONITOR ups@h:99999 1 u p primary\n"
	    MON MON, &n);
	CHECK_INT(n, 2);
	CHECK_INT(cf->nmon, 1);
	CHECK(strstr(errs, "already given on line 3") != NULL);
	upsmon_conf_free(cf);

	TEST_CASE("no MONITOR, or MINSUPPLIES above the power values, is an error");
	cf = load("MINSUPPLIES 1\n", &n);
	CHECK_INT(n, 1);
	upsmon_conf_free(cf);
	cf = load(MON "MINSUPPLIES 2\n", &n);
	CHECK_INT(n, 1);
	upsmon_conf_free(cf);
	cf = load("MONITOR ups@h 0 u p secondary\nMINSUPPLIES 0\n", &n);
	CHECK_INT(n, 0);
	upsmon_conf_free(cf);

	TEST_CASE("commands: absolute paths, no shell syntax, extra words kept whole");
	cf = load(MON "SHUTDOWNCMD \"shutdown -h now\"\n", &n);
	CHECK_INT(n, 1);
	CHECK(strstr(errs, "absolute path") != NULL);
	upsmon_conf_free(cf);
	cf = load(MON "SHUTDOWNCMD \"/sbin/shutdown -h now; rm -rf /\"\n", &n);
	CHECK_INT(n, 1);
	upsmon_conf_free(cf);
	cf = load(MON "NOTIFYCMD \"/bin/echo $(id)\"\n", &n);
	CHECK_INT(n, 1);
	CHECK(strstr(errs, "without one") != NULL);
	upsmon_conf_free(cf);
	cf = load(MON "SHUTDOWNCMD \"/sbin/shutdown -h\" \"+0 now\"\n", &n);
	CHECK_INT(n, 0);
	CHECK_STR(cf->shutdowncmd[2], "+0 now");
	upsmon_conf_free(cf);
	cf = load(MON "SHUTDOWNCMD /a\nSHUTDOWNCMD /b\n", &n);
	CHECK_INT(n, 1);
	upsmon_conf_free(cf);

	TEST_CASE("CERTVERIFY 1 without CERTPATH is refused");
	cf = load(MON "CERTVERIFY 1\n", &n);
	CHECK_INT(n, 1);
	upsmon_conf_free(cf);

	TEST_CASE("the notifier acts only for configured UPS names and known types");
	cf = load(MON "MONITOR other@h 0 u p secondary\n", &n);
	CHECK_INT(n, 0);
	{
		struct notifier *nf;
		int t;

		for (t = 0; t < NT__COUNT; t++)
			cf->notifyflag[t] = NF_SYSLOG;	/* nothing to run */
		nf = notifier_new(cf);
		CHECK_INT(notifier_do(nf, NT_ONBATT, "ups@localhost", ""), 0);
		CHECK_INT(notifier_do(nf, NT_SHUTDOWN, "", ""), 0);
		CHECK_INT(notifier_do(nf, NT_ONBATT, "evil@h", ""), -1);
		CHECK_INT(notifier_do(nf, NT_ONBATT, "ups", ""), -1);
		CHECK_INT(notifier_do(nf, (enum nt)NT__COUNT, "", ""), -1);
		CHECK_INT(notifier_do(nf, (enum nt)0x7fffffff, "", ""), -1);
		CHECK_INT(notifier_running(nf), 0);
		notifier_free(nf);
	}
	upsmon_conf_free(cf);

	TEST_CASE("a missing file is -1");
	cf = upsmon_conf_new();
	CHECK_INT(upsmon_conf_load(cf, "/nonexistent/upsmon.conf"), -1);
	upsmon_conf_free(cf);

	unlink(path);
	unlink(errpath);
	rmdir(dir);
	return test_done();
}
