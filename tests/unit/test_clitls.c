/*
 * nutsec - test_clitls.c: the client TLS settings. Through the clients'
 * loader (clients/cli.c on libupsclient's reader): every key in both
 * spellings, CERTHOST host forms and -1 inheritance, sections and
 * CERTFILE skipped, the search order (-A, NUT_AUTHCONF_FILE, $HOME,
 * $NUT_CONFPATH), the environment overrides, and that bad values or a
 * missing named file stop the program (in forked children). Through the
 * library's reader itself (clients/upscli_tlsconf.c): each refusal comes
 * back as an error naming file:line, the process goes on, and the same
 * table serves another file's reader (an upsmon.conf-like one) from its
 * unknown-directive hook. And upscli_opts_tls_changed, which names what a
 * reload changed among the TLS settings.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
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

/* Loads text with the library's reader; returns its result, err filled. */
static int
lib_load(const char *name, const char *text, char *err, size_t errlen)
{
	struct upscli_tlsconf t;
	int r;

	upscli_tlsconf_init(&t, 1);
	err[0] = '\0';
	r = upscli_tlsconf_load(&t, put(name, text), 1, err, errlen);
	upscli_tlsconf_free(&t);
	return r;
}

/* err must be "<dir>/<name>:<rest>". */
static void
check_err(const char *err, const char *name, const char *rest)
{
	char want[512];

	(void)snprintf(want, sizeof(want), "%s/%s:%s", dir, name, rest);
	CHECK_STR(err, want);
}

static void
test_reader_errors(void)
{
	struct upscli_tlsconf t;
	char err[512];

	TEST_CASE("tlsconf: a bad value is an error naming file:line, not an exit");
	clean_env();
	CHECK_INT(lib_load("e1.conf", "CERTPATH /db\nCERTVERIFY 2\n", err,
	    sizeof(err)), -1);
	check_err(err, "e1.conf", "2: CERTVERIFY must be 1, 0 or -1, not '2'");
	CHECK_INT(lib_load("e2.conf", "# typo\nCERTPAHT /db\n", err, sizeof(err)), -1);
	check_err(err, "e2.conf", "2: unknown directive 'CERTPAHT'");
	CHECK_INT(lib_load("e3.conf", "FORCESSL yes please\n", err, sizeof(err)), -1);
	check_err(err, "e3.conf", "1: 'FORCESSL' takes 1 value, not 2");
	CHECK_INT(lib_load("e4.conf", "CERTPATH /a\ncertpath = /b\n", err,
	    sizeof(err)), -1);
	check_err(err, "e4.conf", "2: 'CERTPATH' given more than once (first on line 1)");
	CHECK_INT(lib_load("e5.conf", "CERTHOST [::1 name 1 1\n", err, sizeof(err)), -1);
	check_err(err, "e5.conf", "1: CERTHOST: bad host '[::1' (host, host:port or "
	    "[v6]:port): upscli_splitaddr: missing closing bracket in [domain literal]");
	CHECK_INT(lib_load("e6.conf", "CERTHOST h name 1 2\n", err, sizeof(err)), -1);
	check_err(err, "e6.conf", "1: CERTHOST forcessl must be 1, 0 or -1, not '2'");
	CHECK_INT(lib_load("e7.conf", "CERTIDENT onlyname\n", err, sizeof(err)), -1);
	check_err(err, "e7.conf", "1: 'CERTIDENT' takes 2 values, not 1");

	TEST_CASE("tlsconf: several errors: the first, and how many more");
	CHECK_INT(lib_load("e8.conf", "FORCESSL 3\nCERTVERIFY 4\nNOPE 1\n", err,
	    sizeof(err)), -1);
	check_err(err, "e8.conf", "1: FORCESSL must be 1, 0 or -1, not '3' "
	    "(and 2 more, see above)");

	TEST_CASE("tlsconf: a missing file: an error when named, else 1");
	upscli_tlsconf_init(&t, 1);
	CHECK_INT(upscli_tlsconf_load(&t, "/nonexistent/nutauth.conf", 1, err,
	    sizeof(err)), -1);
	CHECK_STR(err, "cannot read /nonexistent/nutauth.conf: No such file or directory");
	CHECK_INT(upscli_tlsconf_load(&t, "/nonexistent/nutauth.conf", 0, err,
	    sizeof(err)), 1);
	CHECK(t.certpath == NULL);

	TEST_CASE("tlsconf: a bad environment override is an error");
	setenv("NUT_FORCESSL", "yes", 1);
	CHECK_INT(upscli_tlsconf_clients(&t, put("ok.conf", "CERTPATH /db\n"), err,
	    sizeof(err)), -1);
	CHECK_STR(err, "NUT_FORCESSL must be 0 or 1");
	upscli_tlsconf_free(&t);
	clean_env();
}

/* An upsmon.conf-like file: its own key, and the TLS keys from the hook. */
struct monconf {
	long deadtime;
	struct upscli_tlsconf tls;
};

static int
mon_unknown(struct conf_ctx *cx, void *obj, int in_section, const char *name,
    int argc, char **argv)
{
	struct monconf *m = obj;

	(void)in_section;
	return upscli_tlsconf_line(cx, &m->tls, name, argc, argv) == 0 ? 0 : -1;
}

static const struct conf_directive mon_keys[] = {
	{ "DEADTIME", CONF_INT, offsetof(struct monconf, deadtime), 1, 1, 1, 3600,
	  NULL, 0, NULL, "seconds" },
};

static const struct conf_spec mon_spec = {
	"monitor.conf", mon_keys, 1, NULL, 0, 0, NULL, mon_unknown, 0
};

static void
test_other_reader(void)
{
	struct upscli_opts o;
	struct monconf m;

	TEST_CASE("tlsconf: the same table serves another file's reader");
	memset(&m, 0, sizeof(m));
	upscli_tlsconf_init(&m.tls, 0);
	CHECK_INT(conf_load_string("monitor.conf",
	    "DEADTIME 15\n"
	    "CERTPATH /etc/nut/db\n"
	    "CERTIDENT \"mon\" \"secret pw\"\n"
	    "CERTHOST ups1.example:3493 \"ups1\" 1 1\n"
	    "CERTHOST [::1] \"\" -1 0\n"
	    "CERTVERIFY 1\n"
	    "FORCESSL 0\n", &mon_spec, &m), 0);
	CHECK_INT(m.deadtime, 15);
	CHECK_STR(m.tls.certpath, "/etc/nut/db");
	CHECK_STR(m.tls.ident_name, "mon");
	CHECK_STR(m.tls.ident_pass, "secret pw");
	upscli_opts_init(&o);
	upscli_tlsconf_opts(&m.tls, &o);
	CHECK_INT(o.certverify, 1);
	CHECK_INT(o.forcessl, 0);
	CHECK_INT(o.ncerthosts, 2);
	if (o.ncerthosts == 2) {
		CHECK_STR(o.certhosts[0].host, "ups1.example");
		CHECK_INT(o.certhosts[0].port, 3493);
		CHECK_STR(o.certhosts[1].host, "::1");
		CHECK_INT(o.certhosts[1].port, 0);
		CHECK(o.certhosts[1].certname == NULL);
	}
	upscli_tlsconf_free(&m.tls);

	TEST_CASE("tlsconf: in another file, nutauth.conf's keys and unknown ones are errors");
	upscli_tlsconf_init(&m.tls, 0);
	CHECK_INT(conf_load_string("monitor.conf", "CERTIDENT_NAME mon\n",
	    &mon_spec, &m), 1);
	CHECK_STR(m.tls.err, "monitor.conf:1: CERTIDENT_NAME belongs to "
	    "nutauth.conf; here it is CERTIDENT \"name\" \"password\"");
	upscli_tlsconf_free(&m.tls);
	CHECK_INT(conf_load_string("monitor.conf", "DEADTIME 5\nCERTPAHT /x\n",
	    &mon_spec, &m), 1);
	CHECK_STR(m.tls.err, "");	/* the engine's own "unknown directive" */
	upscli_tlsconf_free(&m.tls);
}

/* Loads text as a reload would read it; its settings as connection options. */
static void
opts_from(struct upscli_tlsconf *t, const char *text, struct upscli_opts *o)
{
	char err[256];

	upscli_tlsconf_init(t, 0);
	CHECK_INT(upscli_tlsconf_load(t, put("reload.conf", text), 1, err, sizeof(err)), 0);
	upscli_opts_init(o);
	upscli_tlsconf_opts(t, o);
}

/* What a reload would change: upscli_opts_tls_changed on two files. */
static int
changed(const char *before, const char *after, char *out, size_t len)
{
	struct upscli_tlsconf a, b;
	struct upscli_opts oa, ob;
	int n;

	opts_from(&a, before, &oa);
	opts_from(&b, after, &ob);
	n = upscli_opts_tls_changed(&oa, &ob, out, len);
	upscli_tlsconf_free(&a);
	upscli_tlsconf_free(&b);
	return n;
}

static void
test_changed(void)
{
	const char *base = "CERTPATH /db\nCERTIDENT \"me\" \"pw\"\nCERTVERIFY 1\n"
	    "FORCESSL 1\nCERTHOST ups1 \"srv\" 1 1\n";
	char out[64], tiny[12];

	TEST_CASE("reload: the same TLS settings, or the same in other words, are no change");
	CHECK_INT(changed(base, base, out, sizeof(out)), 0);
	CHECK_STR(out, "");
	/* the same in other words: no change (0 and absent are both off) */
	CHECK_INT(changed("CERTVERIFY 0\n", "", out, sizeof(out)), 0);
	CHECK_INT(changed("FORCESSL 0\n", "FORCESSL 0\n", out, sizeof(out)), 0);
	CHECK_INT(changed("CERTPATH /db\n", "CERTPATH sql:/db\n", out, sizeof(out)), 0);
	CHECK_INT(changed("CERTHOST ups1 \"srv\" 1 1\n", "CERTHOST UPS1 \"srv\" 1 1\n", out,
	    sizeof(out)), 0);
	CHECK_INT(changed("CERTVERIFY 1\nCERTHOST ups1 \"srv\" -1 0\n",
	    "CERTVERIFY 1\nCERTHOST ups1 \"srv\" 1 0\n", out, sizeof(out)), 0);
	CHECK_STR(out, "");
	TEST_CASE("reload: each changed TLS setting is named");
	CHECK_INT(changed("", "FORCESSL 1\n", out, sizeof(out)), 1);
	CHECK_STR(out, "FORCESSL");
	CHECK_INT(changed("CERTVERIFY 1\n", "", out, sizeof(out)), 1);
	CHECK_STR(out, "CERTVERIFY");
	CHECK_INT(changed("", "CERTPATH /db\n", out, sizeof(out)), 1);
	CHECK_STR(out, "CERTPATH");
	CHECK_INT(changed("CERTPATH /db\n", "CERTPATH /db2\n", out, sizeof(out)), 1);
	/* CERTIDENT: the nickname or the password alone */
	CHECK_INT(changed(base, "CERTPATH /db\nCERTIDENT \"me\" \"pw2\"\nCERTVERIFY 1\n"
	    "FORCESSL 1\nCERTHOST ups1 \"srv\" 1 1\n", out, sizeof(out)), 1);
	CHECK_STR(out, "CERTIDENT");
	CHECK_INT(changed("CERTIDENT \"me\" \"pw\"\n", "CERTIDENT \"you\" \"pw\"\n", out,
	    sizeof(out)), 1);
	/* CERTHOST: any field of any line, or one more line */
	CHECK_INT(changed("CERTHOST ups1 \"srv\" 1 1\n", "CERTHOST ups1 \"srv\" 1 0\n", out,
	    sizeof(out)), 1);
	CHECK_STR(out, "CERTHOST");
	CHECK_INT(changed("CERTHOST ups1 \"srv\" 1 1\n", "CERTHOST ups1:3494 \"srv\" 1 1\n",
	    out, sizeof(out)), 1);
	CHECK_INT(changed("CERTHOST ups1 \"srv\" 1 1\n", "CERTHOST ups1 \"srv2\" 1 1\n", out,
	    sizeof(out)), 1);
	CHECK_INT(changed("CERTHOST ups1 \"srv\" 1 1\n", "CERTHOST ups2 \"srv\" 1 1\n", out,
	    sizeof(out)), 1);
	/* an inheriting line changes with the setting it inherits */
	CHECK_INT(changed("CERTHOST ups1 \"srv\" 1 -1\n",
	    "FORCESSL 1\nCERTHOST ups1 \"srv\" 1 -1\n", out, sizeof(out)), 2);
	CHECK_STR(out, "FORCESSL, CERTHOST");
	CHECK_INT(changed("CERTHOST ups1 \"srv\" 1 1\n",
	    "CERTHOST ups1 \"srv\" 1 1\nCERTHOST ups2 \"srv\" 1 1\n", out, sizeof(out)), 1);
	TEST_CASE("reload: several changed settings in a fixed order, cut to the buffer");
	CHECK_INT(changed("", base, out, sizeof(out)), 5);
	CHECK_STR(out, "CERTPATH, CERTIDENT, CERTVERIFY, FORCESSL, CERTHOST");
	CHECK_INT(changed("", base, tiny, sizeof(tiny)), 5);
	CHECK_STR(tiny, "CERTPATH, C");
	CHECK_INT(changed("", base, out, 0), -1);
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
	test_reader_errors();
	test_other_reader();
	test_changed();
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
	return test_done();
}
