/*
 * nutsec - test_clitls.c: the TLS settings file of upsc, upscmd and upsrw
 * (clients/cli_tls.c): every key in both spellings, CERTHOST host forms
 * and -1 inheritance, sections and CERTFILE skipped, the search order
 * (-A, NUT_AUTHCONF_FILE, $HOME, $NUT_CONFPATH), the environment
 * overrides, and that bad values or a missing named file stop the program
 * (checked in forked children, since the loader ends the program).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "test.h"
#include "upsclient.h"

static char dir[64];

/* Writes text to dir/name (mode 0600); returns the path (static). */
static const char *
put(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return path;
	fputs(text, f);
	fclose(f);
	(void)chmod(path, 0600);
	return path;
}

/* Loads in a child; returns its exit status (0 = loaded). */
static int
load_in_child(const char *file)
{
	struct upscli_opts o;
	pid_t pid;
	int st = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		(void)freopen("/dev/null", "w", stderr);
		upscli_opts_init(&o);
		cli_tls_load(file, &o);
		cli_tls_free();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void
clean_env(void)
{
	unsetenv("NUT_AUTHCONF_FILE");
	unsetenv("NUT_CERTPATH");
	unsetenv("NUT_CERTVERIFY");
	unsetenv("NUT_FORCESSL");
	setenv("HOME", "/nonexistent", 1);
	setenv("NUT_CONFPATH", "/nonexistent", 1);
}

static void
test_keys(void)
{
	struct upscli_opts o;
	const char *p;

	TEST_CASE("clitls: every key, CERTHOST forms, -1 inherits");
	clean_env();
	p = put("a.conf",
	    "# client TLS\n"
	    "CERTPATH = sql:/etc/nut/db\n"
	    "CERTIDENT \"mon client\" \"p w=1\"\n"
	    "certverify 1\n"
	    "FORCESSL = 0\n"
	    "CERTHOST \"[::1]:3493\" \"ups one\" 1 -1\n"
	    "CERTHOST host.example \"\" 0 1\n"
	    "CERTHOST fe80::1 x -1 1\n"
	    "CERTHOST 127.0.0.1:17000 y 0 0\n");
	upscli_opts_init(&o);
	cli_tls_load(p, &o);
	CHECK_STR(o.certpath, "sql:/etc/nut/db");
	CHECK_STR(o.certident_name, "mon client");
	CHECK_STR(o.certident_pass, "p w=1");
	CHECK_INT(o.certverify, 1);
	CHECK_INT(o.forcessl, 0);
	CHECK_INT(o.ncerthosts, 4);
	if (o.ncerthosts == 4) {
		CHECK_STR(o.certhosts[0].host, "::1");
		CHECK_INT(o.certhosts[0].port, 3493);
		CHECK_STR(o.certhosts[0].certname, "ups one");
		CHECK_INT(o.certhosts[0].certverify, 1);
		CHECK_INT(o.certhosts[0].forcessl, -1);
		CHECK_STR(o.certhosts[1].host, "host.example");
		CHECK_INT(o.certhosts[1].port, 0);
		CHECK(o.certhosts[1].certname == NULL);
		CHECK_STR(o.certhosts[2].host, "fe80::1");
		CHECK_INT(o.certhosts[2].port, 0);
		CHECK_STR(o.certhosts[3].host, "127.0.0.1");
		CHECK_INT(o.certhosts[3].port, 17000);
	}
	cli_tls_free();

	TEST_CASE("clitls: nutauth.conf spelling; sections and CERTFILE skipped");
	p = put("b.conf",
	    "CERTPATH /db\n"
	    "CERTIDENT_NAME = \"NUT Client\"\n"
	    "CERTIDENT_PASS = \"KeyP@ss\"\n"
	    "CERTFILE /x.pem\n"
	    "CERTVERIFY = -1\n"
	    "[@localhost]\n"
	    "\tUSER = \"admin\"\n"
	    "\tCERTVERIFY = 1\n");
	upscli_opts_init(&o);
	cli_tls_load(p, &o);
	CHECK_STR(o.certident_name, "NUT Client");
	CHECK_STR(o.certident_pass, "KeyP@ss");
	CHECK_INT(o.certverify, 0);	/* -1 at the top is "off" */
	CHECK_INT(o.forcessl, 0);
	CHECK_INT(o.ncerthosts, 0);
	cli_tls_free();
}

static void
test_search(void)
{
	struct upscli_opts o;
	char home[128];

	TEST_CASE("clitls: no file anywhere gives the defaults");
	clean_env();
	upscli_opts_init(&o);
	cli_tls_load(NULL, &o);
	CHECK(o.certpath == NULL);
	CHECK_INT(o.certverify, 0);
	CHECK_INT(o.forcessl, 0);
	cli_tls_free();

	TEST_CASE("clitls: $NUT_CONFPATH, then $HOME wins, then NUT_AUTHCONF_FILE, then -A");
	(void)snprintf(home, sizeof(home), "%s/.config", dir);
	(void)mkdir(home, 0700);
	(void)snprintf(home, sizeof(home), "%s/.config/nut", dir);
	(void)mkdir(home, 0700);
	put("nutauth.conf", "CERTPATH /from-confpath\n");
	setenv("NUT_CONFPATH", dir, 1);
	upscli_opts_init(&o);
	cli_tls_load(NULL, &o);
	CHECK_STR(o.certpath, "/from-confpath");
	cli_tls_free();
	put(".config/nut/nutauth.conf", "CERTPATH /from-home\n");
	setenv("HOME", dir, 1);
	upscli_opts_init(&o);
	cli_tls_load(NULL, &o);
	CHECK_STR(o.certpath, "/from-home");
	cli_tls_free();
	setenv("NUT_AUTHCONF_FILE", put("env.conf", "CERTPATH /from-env\n"), 1);
	upscli_opts_init(&o);
	cli_tls_load(NULL, &o);
	CHECK_STR(o.certpath, "/from-env");
	cli_tls_free();
	upscli_opts_init(&o);
	cli_tls_load(put("opt.conf", "CERTPATH /from-opt\n"), &o);
	CHECK_STR(o.certpath, "/from-opt");
	cli_tls_free();

	TEST_CASE("clitls: NUT_CERTPATH/NUT_CERTVERIFY/NUT_FORCESSL override the file");
	setenv("NUT_CERTPATH", "/from-var", 1);
	setenv("NUT_CERTVERIFY", "0", 1);
	setenv("NUT_FORCESSL", "1", 1);
	upscli_opts_init(&o);
	cli_tls_load(put("c.conf", "CERTPATH /db\nCERTVERIFY 1\nFORCESSL 0\n"), &o);
	CHECK_STR(o.certpath, "/from-var");
	CHECK_INT(o.certverify, 0);
	CHECK_INT(o.forcessl, 1);
	cli_tls_free();
	clean_env();
}

static void
test_refusals(void)
{
	static const char *const bad[] = {
		"CERTVERIFY 2\n",
		"FORCESSL yes please\n",
		"CERTHOST host name 1\n",
		"CERTHOST host name 1 2\n",
		"CERTHOST host:0 name 1 1\n",
		"CERTHOST [::1 name 1 1\n",
		"CERTHOST :3493 name 1 1\n",
		"CERTIDENT onlyname\n",
		"CERTPAHT /typo\n",
		NULL
	};
	char name[32];
	size_t i;

	TEST_CASE("clitls: bad values, unknown keys and a missing named file stop the program");
	clean_env();
	CHECK_INT(load_in_child(put("good.conf", "CERTPATH /db\n")), 0);
	for (i = 0; bad[i] != NULL; i++) {
		(void)snprintf(name, sizeof(name), "bad%zu.conf", i);
		if (load_in_child(put(name, bad[i])) != 1)
			printf("# accepted: %s", bad[i]);
		CHECK_INT(load_in_child(put(name, bad[i])), 1);
	}
	CHECK_INT(load_in_child("/nonexistent/nutauth.conf"), 1);
	setenv("NUT_AUTHCONF_FILE", "/nonexistent/nutauth.conf", 1);
	CHECK_INT(load_in_child(NULL), 1);
	unsetenv("NUT_AUTHCONF_FILE");
	setenv("NUT_CERTVERIFY", "yes", 1);
	CHECK_INT(load_in_child(NULL), 1);
	clean_env();
}

int
main(void)
{
	char cmd[128];

	(void)snprintf(dir, sizeof(dir), "/tmp/nutsec-clitls.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP no temporary directory\n");
		return 0;
	}
	test_keys();
	test_search();
	test_refusals();
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
	return test_done();
}
