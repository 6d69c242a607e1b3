/*
 * nutsec - test_conf.c: unit tests of the configuration engine (table
 * lookup in both name forms and cases, sections, every value type and its
 * bounds, repeats, obsolete and unknown directives, file:line messages,
 * -T dumps with secrets masked, missing files, mutants of real configs)
 * and of the path and permission helpers that guard config files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "mutate.h"
#include "paths.h"
#include "pidfile.h"
#include "perm.h"
#include "secret.h"
#include "test.h"
#include "xmalloc.h"

/* --- capturing what the engine logs to stderr --- */

static int cap_saved = -1, cap_fd = -1;
static char cap_text[8192];

static void
capture_begin(void)
{
	char path[] = "/tmp/nutsec-test-conf-XXXXXX";

	fflush(stderr);
	cap_fd = mkstemp(path);
	if (cap_fd < 0) {
		perror("mkstemp");
		exit(99);
	}
	unlink(path);
	cap_saved = dup(STDERR_FILENO);
	dup2(cap_fd, STDERR_FILENO);
}

/* Ends the capture; the text is in cap_text. */
static const char *
capture_end(void)
{
	ssize_t n;

	fflush(stderr);
	dup2(cap_saved, STDERR_FILENO);
	close(cap_saved);
	lseek(cap_fd, 0, SEEK_SET);
	n = read(cap_fd, cap_text, sizeof(cap_text) - 1);
	cap_text[n > 0 ? n : 0] = '\0';
	close(cap_fd);
	return cap_text;
}

static int
count_lines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* --- a configuration shaped like upsd.conf + ups.conf --- */

struct ups {
	char *name;
	char *driver;
	char *port;
	char *desc;
	long pollinterval;
	int nolock;
	int extra;		/* directives seen by the unknown handler */
	struct ups *next;
};

struct cfg {
	int allow;
	char *certpath;
	int listen_count;
	char *listen_last;
	long maxage;
	int mode;
	char *name;
	char *pin;
	int quiet;
	char *password;
	struct ups *ups;
	int custom_line_ok;
};

static const char *const modes[] = { "none", "standalone", "netserver", "netclient", NULL };

static int
conf_listen(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct cfg *c = obj;
	long port;

	if (argc == 2 && conf_parse_long(cx, argv[1], 1, 65535, &port) != 0)
		return -1;
	c->listen_count++;
	free(c->listen_last);
	c->listen_last = xstrdup(argv[0]);
	if (conf_section(cx) == NULL && conf_file(cx) != NULL && conf_line(cx) > 0)
		c->custom_line_ok = 1;
	return 0;
}

static int
conf_silent_fail(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return -1;
}

/* Sorted case-insensitively, as upsd.conf's names are. */
static const struct conf_directive global_tab[] = {
	{ "ALLOW", CONF_BOOL, offsetof(struct cfg, allow), 0, 1, 0, 0, NULL, 0, NULL, "bool" },
	{ "BROKEN", CONF_CUSTOM, 0, 0, 0, 0, 0, NULL, 0, conf_silent_fail, "fails" },
	{ "CERTPATH", CONF_PATH, offsetof(struct cfg, certpath), 0, 0, 0, 0, NULL, 0, NULL, "path" },
	{ "LISTEN", CONF_CUSTOM, 0, 1, 2, 0, 0, NULL, CONF_F_REPEATABLE, conf_listen, "addr" },
	{ "MAXAGE", CONF_INT, offsetof(struct cfg, maxage), 0, 0, 1, 3600, NULL, 0, NULL, "int" },
	{ "MODE", CONF_ENUM, offsetof(struct cfg, mode), 0, 0, 0, 0, modes, 0, NULL, "enum" },
	{ "NAME", CONF_STR, offsetof(struct cfg, name), 0, 0, 0, 0, NULL, 0, NULL, "str" },
	{ "OLDTHING", CONF_STR, 0, 0, 0, 0, 0, NULL, CONF_F_OBSOLETE, NULL, "gone" },
	{ "PASSWORD", CONF_SECRET, offsetof(struct cfg, password), 0, 0, 0, 0, NULL, 0, NULL, "pw" },
	{ "PIN", CONF_STR, offsetof(struct cfg, pin), 0, 0, 0, 0, NULL, CONF_F_MASK, NULL, "pin" },
	{ "QUIET", CONF_FLAG, offsetof(struct cfg, quiet), 0, 0, 0, 0, NULL, 0, NULL, "flag" },
};

static const struct conf_directive section_tab[] = {
	{ "desc", CONF_STR, offsetof(struct ups, desc), 0, 0, 0, 0, NULL, 0, NULL, "d" },
	{ "driver", CONF_STR, offsetof(struct ups, driver), 0, 0, 0, 0, NULL, 0, NULL, "d" },
	{ "nolock", CONF_FLAG, offsetof(struct ups, nolock), 0, 0, 0, 0, NULL, 0, NULL, "d" },
	{ "pollinterval", CONF_INT, offsetof(struct ups, pollinterval), 0, 0, 1, 60, NULL, 0,
	    NULL, "d" },
	{ "port", CONF_STR, offsetof(struct ups, port), 0, 0, 0, 0, NULL, 0, NULL, "d" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void *
ups_begin(struct conf_ctx *cx, void *global_obj, const char *name)
{
	struct cfg *c = global_obj;
	struct ups *u;

	for (u = c->ups; u != NULL; u = u->next) {
		if (strcmp(u->name, name) == 0) {
			conf_error(cx, "UPS [%s] defined twice", name);
			return NULL;
		}
	}
	u = XNEW(struct ups);
	u->name = xstrdup(name);
	u->next = c->ups;
	c->ups = u;
	return u;
}

static int
ups_unknown(struct conf_ctx *cx, void *obj, int in_section, const char *name, int argc,
    char **argv)
{
	struct ups *u = obj;

	if (!in_section || u == NULL)
		return -1;	/* reported by the engine as unknown */
	if (argc != 1) {
		conf_error(cx, "'%s' needs one value", name);
		return -1;
	}
	u->extra++;
	return 0;
}

static struct conf_spec spec = {
	"test.conf", global_tab, NELEM(global_tab), section_tab, NELEM(section_tab), 1,
	ups_begin, ups_unknown, 0
};

static void
cfg_free(struct cfg *c)
{
	struct ups *u, *next;

	for (u = c->ups; u != NULL; u = next) {
		next = u->next;
		free(u->name);
		free(u->driver);
		free(u->port);
		free(u->desc);
		free(u);
	}
	free(c->certpath);
	free(c->listen_last);
	free(c->name);
	secret_strfree(c->pin);
	secret_strfree(c->password);
	memset(c, 0, sizeof(*c));
}

static struct ups *
find_ups(struct cfg *c, const char *name)
{
	struct ups *u;

	for (u = c->ups; u != NULL; u = u->next)
		if (strcmp(u->name, name) == 0)
			return u;
	return NULL;
}

/* Loads text with stderr captured; returns the error count. */
static int
load(struct cfg *c, const char *text)
{
	int r;

	capture_begin();
	r = conf_load_string("test.conf", text, &spec, c);
	capture_end();
	return r;
}

static void
test_table_check(void)
{
	static const struct conf_directive unsorted[] = {
		{ "b", CONF_FLAG, 0, 0, 0, 0, 0, NULL, 0, NULL, "" },
		{ "a", CONF_FLAG, 0, 0, 0, 0, 0, NULL, 0, NULL, "" },
	};
	static const struct conf_directive mixedcase[] = {
		{ "B", CONF_FLAG, 0, 0, 0, 0, 0, NULL, 0, NULL, "" },
		{ "a", CONF_FLAG, 0, 0, 0, 0, 0, NULL, 0, NULL, "" },
	};
	static const struct conf_directive nofn[] = {
		{ "a", CONF_CUSTOM, 0, 0, 0, 0, 0, NULL, 0, NULL, "" },
	};
	const struct {
		const struct conf_directive *t;
		size_t n;
		int nocase;
		int want_fail;
	} cases[] = {
		{ global_tab, NELEM(global_tab), 1, 0 },
		{ section_tab, NELEM(section_tab), 0, 0 },
		{ unsorted, 2, 0, 1 },
		{ mixedcase, 2, 0, 0 },		/* 'B' < 'a' in strcmp order */
		{ mixedcase, 2, 1, 1 },		/* but not case-insensitively */
		{ nofn, 1, 0, 1 },
	};
	size_t i;

	TEST_CASE("conf_check_table accepts sorted tables, dies on bad ones");
	for (i = 0; i < NELEM(cases); i++) {
		pid_t pid;
		int status = 0;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, STDERR_FILENO);
			conf_check_table("t", cases[i].t, cases[i].n, cases[i].nocase);
			_exit(0);
		}
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
		if (!CHECK(WIFEXITED(status) && (WEXITSTATUS(status) != 0) == cases[i].want_fail))
			printf("# case %zu\n", i);
	}
}

static void
test_forms_and_lookup(void)
{
	struct cfg c = { 0 };
	static const struct conf_spec strict = {
		"strict.conf", section_tab, NELEM(section_tab), NULL, 0, 0, NULL, NULL, 0
	};
	struct ups u = { 0 };

	TEST_CASE("both \"KEY value\" and \"key = value\"; names case-insensitive");
	CHECK_INT(load(&c, "MAXAGE 15\nname = \"my server\"\nMode=netserver\n"), 0);
	CHECK_INT(c.maxage, 15);
	CHECK_STR(c.name, "my server");
	CHECK_INT(c.mode, 2);
	CHECK_STR(cap_text, "");
	cfg_free(&c);

	TEST_CASE("every entry of a sorted table is found by bsearch");
	CHECK_INT(load(&c, "allow yes\ncertpath /a\nlisten x\nmaxage 1\nmode 0\n"
	    "name n\noldthing x\npassword p\npin 1\nquiet\n"), 0);
	CHECK_INT(c.allow, 1);
	CHECK_STR(c.certpath, "/a");
	CHECK_INT(c.listen_count, 1);
	CHECK_INT(c.maxage, 1);
	CHECK_STR(c.password, "p");
	CHECK_STR(c.pin, "1");
	CHECK_INT(c.quiet, 1);
	cfg_free(&c);

	TEST_CASE("a case-sensitive table rejects other cases");
	capture_begin();
	CHECK_INT(conf_load_string("strict.conf", "driver x\nDRIVER y\nport = z\n", &strict,
	    &u), 1);
	capture_end();
	CHECK_STR(u.driver, "x");
	CHECK_STR(u.port, "z");
	CHECK(strstr(cap_text, "strict.conf:2: unknown directive 'DRIVER'") != NULL);
	free(u.driver);
	free(u.port);
}

static void
test_sections(void)
{
	struct cfg c = { 0 };
	struct ups *u;
	static const char text[] =
	    "maxage 20\n"
	    "[alpha]\n"
	    "\tdriver = dummy-ups\n"
	    "\tport = /tmp/a.dev\n"
	    "\tdesc = \"The \\\"first\\\" UPS\"\n"
	    "\tpollinterval = 5\n"
	    "\tnolock\n"
	    "\tvendorid = 0463\n"
	    "[beta]   # a comment\n"
	    "\tdriver = usbhid-ups\n"
	    "\tport = auto\n";

	TEST_CASE("[section] headers create objects filled by the section table");
	CHECK_INT(load(&c, text), 0);
	CHECK_INT(c.maxage, 20);
	u = find_ups(&c, "alpha");
	CHECK(u != NULL);
	if (u != NULL) {
		CHECK_STR(u->driver, "dummy-ups");
		CHECK_STR(u->port, "/tmp/a.dev");
		CHECK_STR(u->desc, "The \"first\" UPS");
		CHECK_INT(u->pollinterval, 5);
		CHECK_INT(u->nolock, 1);
		CHECK_INT(u->extra, 1);
	}
	u = find_ups(&c, "beta");
	CHECK(u != NULL && u->driver != NULL && strcmp(u->driver, "usbhid-ups") == 0);
	cfg_free(&c);

	TEST_CASE("a refused section's lines are skipped; bad headers are errors");
	CHECK_INT(load(&c, "[a]\ndriver x\n[a]\ndriver y\nport z\n[b]\ndriver w\n"), 1);
	CHECK(strstr(cap_text, "test.conf:3: UPS [a] defined twice") != NULL);
	CHECK_INT(count_lines(cap_text), 1);
	u = find_ups(&c, "a");
	CHECK(u != NULL && u->driver != NULL && strcmp(u->driver, "x") == 0 && u->port == NULL);
	CHECK(find_ups(&c, "b") != NULL);
	cfg_free(&c);
	CHECK_INT(load(&c, "[a] junk\ndriver x\n[]\n[c\n"), 3);
	CHECK(strstr(cap_text, "test.conf:1: bad section header") != NULL);
	CHECK(strstr(cap_text, "test.conf:3: empty section name") != NULL);
	CHECK(strstr(cap_text, "test.conf:4: bad section header") != NULL);
	cfg_free(&c);

	TEST_CASE("the same directive may appear once in each section");
	CHECK_INT(load(&c, "[a]\ndriver x\n[b]\ndriver y\n"), 0);
	cfg_free(&c);

	TEST_CASE("no_global rejects lines before the first section");
	spec.no_global = 1;
	CHECK_INT(load(&c, "maxage 5\n[a]\ndriver x\n"), 1);
	CHECK(strstr(cap_text, "test.conf:1: 'maxage' appears before any [section]") != NULL);
	CHECK_INT(c.maxage, 0);
	spec.no_global = 0;
	cfg_free(&c);
}

static void
test_types(void)
{
	struct cfg c = { 0 };

	TEST_CASE("BOOL: the accepted spellings, bare name, and bad values");
	CHECK_INT(load(&c, "allow off\nALLOW TRUE\n"), 1);	/* a repeat: first wins */
	CHECK_INT(c.allow, 0);
	cfg_free(&c);
	CHECK_INT(load(&c, "allow On\n"), 0);
	CHECK_INT(c.allow, 1);
	cfg_free(&c);
	CHECK_INT(load(&c, "allow\n"), 0);
	CHECK_INT(c.allow, 1);
	cfg_free(&c);
	CHECK_INT(load(&c, "allow maybe\n"), 1);
	CHECK(strstr(cap_text, "test.conf:1: 'maybe' is not a boolean") != NULL);
	cfg_free(&c);

	TEST_CASE("INT: decimal only, within bounds");
	CHECK_INT(load(&c, "maxage 3600\n"), 0);
	CHECK_INT(c.maxage, 3600);
	cfg_free(&c);
	CHECK_INT(load(&c, "maxage 3601\n"), 1);
	CHECK(strstr(cap_text, "test.conf:1: 3601 is out of range (1 to 3600)") != NULL);
	CHECK_INT(c.maxage, 0);
	cfg_free(&c);
	CHECK_INT(load(&c, "maxage 0\n"), 1);
	cfg_free(&c);
	CHECK_INT(load(&c, "maxage 12abc\n"), 1);
	CHECK(strstr(cap_text, "not a decimal number") != NULL);
	cfg_free(&c);
	CHECK_INT(load(&c, "maxage \" 12\"\n"), 1);
	cfg_free(&c);
	CHECK_INT(load(&c, "maxage 99999999999999999999999\n"), 1);
	cfg_free(&c);
	CHECK_INT(load(&c, "maxage 0x10\n"), 1);
	cfg_free(&c);

	TEST_CASE("PATH must be absolute; STR replaces; SECRET kept");
	CHECK_INT(load(&c, "certpath relative/dir\n"), 1);
	CHECK(strstr(cap_text, "must be an absolute path") != NULL);
	CHECK(c.certpath == NULL);
	CHECK_INT(load(&c, "certpath /etc/nut/db\npassword \"s3 cr#t\"\n"), 1);
	CHECK_STR(c.certpath, "/etc/nut/db");
	CHECK(c.password == NULL);	/* '#' inside quotes: a tokenizer error */
	cfg_free(&c);
	CHECK_INT(load(&c, "password \"s3 cr\\#t\"\n"), 0);
	CHECK_STR(c.password, "s3 cr#t");
	cfg_free(&c);

	TEST_CASE("ENUM: a name (any case) or an index; nothing else");
	CHECK_INT(load(&c, "mode NETCLIENT\n"), 0);
	CHECK_INT(c.mode, 3);
	cfg_free(&c);
	CHECK_INT(load(&c, "mode 1\n"), 0);
	CHECK_INT(c.mode, 1);
	cfg_free(&c);
	CHECK_INT(load(&c, "mode 4\n"), 1);
	cfg_free(&c);
	CHECK_INT(load(&c, "mode bogus\n"), 1);
	CHECK(strstr(cap_text, "'bogus' is not one of the accepted values") != NULL);
	cfg_free(&c);

	TEST_CASE("FLAG takes no value; arity is checked");
	CHECK_INT(load(&c, "quiet yes\n"), 1);
	CHECK(strstr(cap_text, "'QUIET' takes no value") != NULL);
	CHECK_INT(c.quiet, 0);
	CHECK_INT(load(&c, "name\nname a b\nname =\n"), 3);
	CHECK(strstr(cap_text, "test.conf:2: 'NAME' takes 1 value, not 2") != NULL);
	CHECK(strstr(cap_text, "test.conf:3: 'NAME' takes 1 value, not 0") != NULL);
	CHECK(c.name == NULL);
	cfg_free(&c);
	CHECK_INT(load(&c, "name = =\n"), 0);
	CHECK_STR(c.name, "=");
	cfg_free(&c);

	TEST_CASE("CUSTOM handlers get the words, and their errors are counted");
	CHECK_INT(load(&c, "listen 127.0.0.1 3493\nlisten = ::1\nlisten a 70000\n"
	    "listen\nlisten a b c\n"), 3);
	CHECK_INT(c.listen_count, 2);
	CHECK_STR(c.listen_last, "::1");
	CHECK_INT(c.custom_line_ok, 1);
	CHECK(strstr(cap_text, "test.conf:3: 70000 is out of range (1 to 65535)") != NULL);
	CHECK(strstr(cap_text, "test.conf:4: 'LISTEN' needs at least 1 value") != NULL);
	CHECK(strstr(cap_text, "test.conf:5: 'LISTEN' takes at most 2 values") != NULL);
	cfg_free(&c);
	CHECK_INT(load(&c, "broken\n"), 1);
	CHECK(strstr(cap_text, "test.conf:1: 'BROKEN': invalid value") != NULL);
	cfg_free(&c);
}

static void
test_repeats_unknown_obsolete(void)
{
	struct cfg c = { 0 };

	TEST_CASE("a non-repeatable directive given twice is an error naming both lines");
	CHECK_INT(load(&c, "maxage 5\n\n# c\nMAXAGE = 6\n"), 1);
	CHECK(strstr(cap_text, "test.conf:4: 'MAXAGE' given more than once (first on line 1)")
	    != NULL);
	CHECK_INT(c.maxage, 5);
	cfg_free(&c);
	CHECK_INT(load(&c, "[a]\nport x\nport y\n"), 1);
	CHECK(strstr(cap_text, "test.conf:3: 'port' given more than once") != NULL);
	cfg_free(&c);

	TEST_CASE("unknown directives: an error, or the unknown handler's business");
	CHECK_INT(load(&c, "bogus 1\n[a]\nvendorid 0463\nproduct a b\n"), 2);
	CHECK(strstr(cap_text, "test.conf:1: unknown directive 'bogus'") != NULL);
	CHECK(strstr(cap_text, "test.conf:4: 'product' needs one value") != NULL);
	CHECK_INT(count_lines(cap_text), 2);
	CHECK_INT(c.ups != NULL ? c.ups->extra : -1, 1);
	cfg_free(&c);

	TEST_CASE("obsolete directives are a warning, not an error");
	CHECK_INT(load(&c, "oldthing x y z\n"), 0);
	CHECK(strstr(cap_text, "test.conf:1: warning: 'OLDTHING' is obsolete") != NULL);
	cfg_free(&c);

	TEST_CASE("bytes outside ASCII dropped from a value are a warning with file:line");
	CHECK_INT(load(&c, "# caf\xc3\xa9 in a comment\nname \"Z\xc3\xbcrich\" # d\xc3\xa9j\xc3\xa0\n"), 0);
	CHECK(strstr(cap_text, "test.conf:2: warning: 2 byte(s) outside ASCII dropped") != NULL);
	CHECK(strstr(cap_text, "CN=Z\\\\C3\\\\BCrich") != NULL);
	CHECK_INT(count_lines(cap_text), 1);	/* not for the comments */
	CHECK_STR(c.name, "Zrich");
	cfg_free(&c);
	CHECK_INT(load(&c, "name plain\n"), 0);
	CHECK_INT(count_lines(cap_text), 0);
	cfg_free(&c);

	TEST_CASE("tokenizer errors are reported with file:line and counted");
	CHECK_INT(load(&c, "name ok\nname \"a#b\"\nmaxage \"unterminated\n"), 2);
	CHECK(strstr(cap_text, "test.conf:2: unescaped '#' inside quotes") != NULL);
	CHECK(strstr(cap_text, "test.conf:3: unbalanced quotes") != NULL);
	CHECK_STR(c.name, "ok");
	cfg_free(&c);
}

static void
write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		perror(path);
		exit(99);
	}
	close(fd);
	chmod(path, mode);
}

static char tmpdir[64];

static void
test_files(void)
{
	struct cfg c = { 0 };
	char path[128];
	static const char text[] = "maxage 7\n\n[u1]\ndriver d\r\nport \"p\"\nbad\0line\nname last";
	int r;

	TEST_CASE("conf_load on a missing file: -1 with errno, nothing logged");
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	capture_begin();
	errno = 0;
	r = conf_load(path, &spec, &c);
	CHECK_INT(errno, ENOENT);
	capture_end();
	CHECK_INT(r, -1);
	CHECK_STR(cap_text, "");

	TEST_CASE("conf_load reads a file: CRLF, NUL bytes, last line without LF");
	snprintf(path, sizeof(path), "%s/test.conf", tmpdir);
	write_file(path, text, sizeof(text) - 1, 0640);
	capture_begin();
	r = conf_load(path, &spec, &c);
	capture_end();
	CHECK_INT(r, 1);
	CHECK_INT(c.maxage, 7);
	CHECK(c.ups != NULL && c.ups->driver != NULL && strcmp(c.ups->driver, "d") == 0);
	CHECK(strstr(cap_text, "test.conf:6: 'badline' needs one value") != NULL);
	CHECK(strncmp(cap_text, "test_conf: /tmp/", 16) == 0);
	/* "name last" without a final LF still reached the handler */
	CHECK_INT(c.ups != NULL ? c.ups->extra : -1, 1);
	cfg_free(&c);

	TEST_CASE("conf_load reads regular files only: no hang on a FIFO");
	capture_begin();
	errno = 0;
	r = conf_load(tmpdir, &spec, &c);
	CHECK_INT(errno, EISDIR);
	CHECK_INT(r, -1);
	snprintf(path, sizeof(path), "%s/fifo.conf", tmpdir);
	CHECK(mkfifo(path, 0600) == 0);
	errno = 0;
	r = conf_load(path, &spec, &c);
	CHECK_INT(errno, EINVAL);
	CHECK_INT(r, -1);
	unlink(path);
	errno = 0;
	r = conf_load("/dev/zero", &spec, &c);
	CHECK_INT(errno, EINVAL);
	CHECK_INT(r, -1);
	capture_end();
	CHECK_STR(cap_text, "");
	cfg_free(&c);
}

static void
test_dump(void)
{
	struct cfg c = { 0 };
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp;

	TEST_CASE("conf_dump prints values, quoting as needed, masking secrets");
	CHECK_INT(load(&c, "allow no\nmaxage 42\nmode standalone\nname \"a b\\#c\"\n"
	    "password hunter2\npin 1234\nquiet\ncertpath /x\n"), 0);
	fp = open_memstream(&out, &outlen);
	conf_dump(fp, global_tab, NELEM(global_tab), &c);
	fclose(fp);
	CHECK_STR(out, "ALLOW no\nCERTPATH /x\nMAXAGE 42\nMODE standalone\n"
	    "NAME \"a b\\#c\"\nPASSWORD ********\nPIN ********\nQUIET\n");
	CHECK(strstr(out, "hunter2") == NULL && strstr(out, "1234") == NULL);
	free(out);
	cfg_free(&c);

	TEST_CASE("conf_dump skips unset strings and flags");
	fp = open_memstream(&out, &outlen);
	conf_dump(fp, global_tab, NELEM(global_tab), &c);
	fclose(fp);
	CHECK_STR(out, "ALLOW no\nMAXAGE 0\nMODE none\n");
	free(out);
}

static unsigned long mutant_count;

static void
conf_mutant(const char *data, size_t len, void *arg)
{
	char text[4097];
	struct cfg c = { 0 };
	int r;

	memcpy(text, data, len);
	text[len] = '\0';
	r = conf_load_string("mutant.conf", text, &spec, &c);
	if (r < 0)
		(*(int *)arg)++;
	cfg_free(&c);
	mutant_count++;
}

static void
test_mutants(void)
{
	static const char upsd_conf[] =
	    "# upsd.conf\nLISTEN 127.0.0.1 3493\nLISTEN ::1\nMAXAGE 15\n"
	    "CERTPATH /etc/nut/cert_db\nPASSWORD \"se cret\"\nMODE netserver\nQUIET\n";
	static const char ups_conf[] =
	    "maxage = 3\n[myups]\n\tdriver = usbhid-ups\n\tport = auto\n"
	    "\tdesc = \"Rack \\\"A\\\"\"\n\tpollinterval=2\n\tnolock\n[dummy]\n"
	    "  driver=dummy-ups\n  port=\"/etc/nut/d.dev\"\n  vendorid = 0463\n";
	int bad = 0, devnull, saved;

	TEST_CASE("mutants of upsd.conf and ups.conf load cleanly");
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, STDERR_FILENO);
	mutate_all(upsd_conf, sizeof(upsd_conf) - 1, 3000, conf_mutant, &bad);
	mutate_all(ups_conf, sizeof(ups_conf) - 1, 3000, conf_mutant, &bad);
	spec.no_global = 1;
	mutate_all(ups_conf, sizeof(ups_conf) - 1, 500, conf_mutant, &bad);
	spec.no_global = 0;
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(devnull);
	CHECK(mutant_count > 10000);
	CHECK_INT(bad, 0);
}

static void
test_paths(void)
{
	char out[16];

	TEST_CASE("paths: environment first, then the built-in defaults");
	unsetenv("NUT_CONFPATH");
	unsetenv("NUT_STATEPATH");
	unsetenv("NUT_ALTPIDPATH");
	unsetenv("NUT_PIDPATH");
	unsetenv("NUT_DATAPATH");
	CHECK_STR(paths_confpath(), CONFPATH);
	CHECK_STR(paths_statepath(), STATEPATH);
	CHECK_STR(paths_altpidpath(), ALTPIDPATH);
	CHECK_STR(paths_pidpath(), PIDPATH);
	CHECK_STR(paths_datapath(), DATAPATH);
	setenv("NUT_STATEPATH", "/st", 1);
	CHECK_STR(paths_statepath(), "/st");
	CHECK_STR(paths_altpidpath(), "/st");
	setenv("NUT_ALTPIDPATH", "/alt", 1);
	CHECK_STR(paths_altpidpath(), "/alt");
	setenv("NUT_CONFPATH", "/c", 1);
	setenv("NUT_PIDPATH", "/p", 1);
	setenv("NUT_DATAPATH", "/d", 1);
	CHECK_STR(paths_confpath(), "/c");
	CHECK_STR(paths_pidpath(), "/p");
	CHECK_STR(paths_datapath(), "/d");
	setenv("NUT_CONFPATH", "", 1);
	CHECK_STR(paths_confpath(), CONFPATH);
	unsetenv("NUT_CONFPATH");
	unsetenv("NUT_STATEPATH");
	unsetenv("NUT_ALTPIDPATH");
	unsetenv("NUT_PIDPATH");
	unsetenv("NUT_DATAPATH");

	TEST_CASE("paths_join: one slash, truncation is an error");
	CHECK_INT(paths_join(out, sizeof(out), "/a", "b.pid"), 0);
	CHECK_STR(out, "/a/b.pid");
	CHECK_INT(paths_join(out, sizeof(out), "/a/", "b.pid"), 0);
	CHECK_STR(out, "/a/b.pid");
	CHECK_INT(paths_join(out, sizeof(out), "/averylongdir", "x.pid"), -1);
}

static void
test_pidfiles(void)
{
	char path[128], link[128];
	pid_t child;
	int status;

	TEST_CASE("pidfile write/read round trip; garbage reads as -1");
	snprintf(path, sizeof(path), "%s/t.pid", tmpdir);
	CHECK_INT(pidfile_write(path), 0);
	CHECK_INT(pidfile_read(path), getpid());
	write_file(path, "12x\n", 4, 0644);
	CHECK_INT(pidfile_read(path), -1);
	write_file(path, "", 0, 0644);
	CHECK_INT(pidfile_read(path), -1);
	write_file(path, "1\n", 2, 0644);
	CHECK_INT(pidfile_read(path), -1);
	write_file(path, "99999999999\n", 12, 0644);
	CHECK_INT(pidfile_read(path), -1);
	write_file(path, "4242", 4, 0644);
	CHECK_INT(pidfile_read(path), 4242);

	TEST_CASE("pidfile_write refuses to follow a symlink");
	snprintf(link, sizeof(link), "%s/link.pid", tmpdir);
	CHECK(symlink(path, link) == 0);
	capture_begin();
	CHECK_INT(pidfile_write(link), -1);
	capture_end();
	CHECK(strstr(cap_text, "link.pid") != NULL);
	CHECK_INT(pidfile_read(path), 4242);
	unlink(link);

	TEST_CASE("pidfile_signal reaches the process; stale files are reported");
	fflush(stdout);
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	write_file(path, "", 0, 0644);
	{
		char line[32];
		int n = snprintf(line, sizeof(line), "%ld\n", (long)child);

		write_file(path, line, (size_t)n, 0644);
	}
	CHECK_INT(pidfile_signal(path, "test_conf", SIGTERM), 0);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	capture_begin();
	CHECK_INT(pidfile_signal(path, "test_conf", SIGTERM), -1);
	snprintf(link, sizeof(link), "%s/none.pid", tmpdir);
	CHECK_INT(pidfile_signal(link, "test_conf", SIGTERM), -1);
	capture_end();
	CHECK(strstr(cap_text, "stale PID file") != NULL);
	CHECK(strstr(cap_text, "none.pid") != NULL);
	unlink(path);
}

static void
test_daemon(void)
{
	pid_t pid;
	int status;

	TEST_CASE("daemon_background: the parent exits 0 once the child is ready");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (daemon_background() != 0)
			_exit(3);
		daemon_ready();
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	TEST_CASE("daemon_background: the parent exits 1 if the child dies first");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (daemon_background() != 0)
			_exit(3);
		_exit(7);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

static void
test_perm(void)
{
	char path[128], want[512];

	TEST_CASE("perm: secret files readable by others are named with the fix");
	snprintf(path, sizeof(path), "%s/upsd.users", tmpdir);
	write_file(path, "x", 1, 0640);
	capture_begin();
	CHECK_INT(perm_check_secret_file(path, 1), 0);
	capture_end();
	CHECK_STR(cap_text, "");
	chmod(path, 0644);
	capture_begin();
	CHECK_INT(perm_check_secret_file(path, 0), 0);
	CHECK_INT(perm_check_secret_file(path, 1), -1);
	capture_end();
	snprintf(want, sizeof(want), "%s is readable by others; run: chmod 640 %s && chown "
	    "root:%s %s", path, path, RUN_AS_GROUP, path);
	CHECK(strstr(cap_text, want) != NULL);
	CHECK_INT(count_lines(cap_text), 2);
	chmod(path, 0602);
	capture_begin();
	CHECK_INT(perm_check_secret_file(path, 1), -1);
	capture_end();
	CHECK(strstr(cap_text, "writable by others") != NULL);

	TEST_CASE("perm: missing files and directories are refused");
	capture_begin();
	CHECK_INT(perm_check_secret_file(tmpdir, 0), -1);
	snprintf(path, sizeof(path), "%s/nope", tmpdir);
	CHECK_INT(perm_check_secret_file(path, 0), -1);
	capture_end();
	CHECK(strstr(cap_text, "not a regular file") != NULL);
	CHECK(strstr(cap_text, "nope") != NULL);

	TEST_CASE("perm: the state path must be a directory; loose modes are warned");
	snprintf(path, sizeof(path), "%s/state", tmpdir);
	CHECK(mkdir(path, 0770) == 0);
	chmod(path, 0770);
	capture_begin();
	CHECK_INT(perm_check_statepath(path), 0);
	capture_end();
	CHECK_STR(cap_text, "");
	chmod(path, 0777);
	capture_begin();
	CHECK_INT(perm_check_statepath(path), 0);
	capture_end();
	CHECK(strstr(cap_text, "run: chmod 0770") != NULL);
	rmdir(path);
	capture_begin();
	CHECK_INT(perm_check_statepath(path), -1);
	snprintf(path, sizeof(path), "%s/upsd.users", tmpdir);
	CHECK_INT(perm_check_statepath(path), -1);
	capture_end();
	CHECK(strstr(cap_text, "does not exist") != NULL);
	CHECK(strstr(cap_text, "not a directory") != NULL);
	unlink(path);
}

/* Reload inside a jail: files reached through a directory fd kept open. */
static void
test_kept_dirs(void)
{
	struct cfg c = { 0 };
	char dir[128], moved[128], path[192], link[192];
	struct stat st;
	int fd;

	TEST_CASE("conf_load_fd parses an open file; a directory fd is EISDIR");
	snprintf(dir, sizeof(dir), "%s/kept", tmpdir);
	snprintf(moved, sizeof(moved), "%s/moved", tmpdir);
	CHECK(mkdir(dir, 0750) == 0);
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	write_file(path, "maxage 9\n", 9, 0640);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_INT(conf_load_fd(fd, "named.conf", &spec, &c), 0);
	CHECK_INT(c.maxage, 9);
	close(fd);
	fd = open(dir, O_RDONLY | O_CLOEXEC);
	errno = 0;
	CHECK_INT(conf_load_fd(fd, "dir", &spec, &c), -1);
	CHECK_INT(errno, EISDIR);
	close(fd);
	cfg_free(&c);

	TEST_CASE("a kept directory still serves its files once its path is gone");
	CHECK_INT(conf_keep_dir("relative/dir"), -1);
	CHECK_INT(conf_keep_dir(dir), 0);
	CHECK_INT(conf_keep_dir(dir), 0);	/* idempotent */
	CHECK(rename(dir, moved) == 0);
	CHECK_INT(conf_load(path, &spec, &c), 0);
	CHECK_INT(c.maxage, 9);
	CHECK_INT(conf_stat(path, &st), 0);
	CHECK_INT((int)st.st_size, 9);
	cfg_free(&c);

	TEST_CASE("nothing resolves outside a kept directory: symlinks, ..");
	snprintf(link, sizeof(link), "%s/..", dir);
	errno = 0;
	CHECK_INT(conf_open(link), -1);
	CHECK_INT(errno, EXDEV);
	snprintf(link, sizeof(link), "%s/link.conf", moved);
	CHECK(symlink("/etc/passwd", link) == 0);
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	errno = 0;
	CHECK_INT(conf_open(link), -1);
	CHECK_INT(errno, ELOOP);
	snprintf(link, sizeof(link), "%s/../test.conf", dir);
	errno = 0;
	CHECK_INT(conf_open(link), -1);
	CHECK(errno == EXDEV || errno == ENOENT);
	snprintf(link, sizeof(link), "%s/missing.conf", dir);
	errno = 0;
	CHECK_INT(conf_open(link), -1);
	CHECK_INT(errno, ENOENT);
	conf_forget_dirs();
	/* forgotten: the old path is an ordinary (now missing) path again */
	errno = 0;
	CHECK_INT(conf_load(path, &spec, &c), -1);
	CHECK_INT(errno, ENOENT);
	snprintf(link, sizeof(link), "%s/link.conf", moved);
	unlink(link);
	snprintf(link, sizeof(link), "%s/a.conf", moved);
	unlink(link);
	rmdir(moved);
}

int
main(void)
{
	char path[128];

	log_init("test_conf", 0, LOG_TO_STDERR);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nutsec-test-conf-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_table_check();
	test_forms_and_lookup();
	test_sections();
	test_types();
	test_repeats_unknown_obsolete();
	test_files();
	test_kept_dirs();
	test_dump();
	test_mutants();
	test_paths();
	test_pidfiles();
	test_daemon();
	test_perm();
	snprintf(path, sizeof(path), "%s/test.conf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return test_done();
}
