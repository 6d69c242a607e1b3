/*
 * nutsec - upsrw.c: lists a UPS's writable variables with description,
 * type, enumerated or range options and value, or sets one (-s var=value,
 * or -s var and the value is asked for). Credentials come from -u/-p or
 * the terminal; a -p password is moved to secret memory and wiped from
 * argv. With -w the SET is tracked and the driver's result printed. The
 * listing format, messages and exit codes follow NUT's upsrw, except that
 * a tracked SET that failed exits with 1.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "secret.h"
#include "upsclient.h"
#include "xmalloc.h"

#define DEFAULT_TRACKING_TIMEOUT 10	/* seconds, as NUT */

static struct upscli *conn;
static char *upsname, *hostname, *username, *password, *setvar, *newval;

enum vtype { VT_NONE, VT_STRING, VT_NUMBER };

static void
cleanup(void)
{
	upscli_close(conn);
	conn = NULL;
	free(upsname);
	free(hostname);
	free(username);
	free(setvar);
	free(newval);
	secret_strfree(password);
	cli_tls_free();
	upsname = hostname = username = password = setvar = newval = NULL;
}

static void
usage(const char *prog)
{
	cli_banner(prog);
	printf("\nusage: %s [-h]\n", prog);
	printf("       %s [-s <variable>] [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups>\n\n", prog);
	printf("Demo program to set variables within UPS hardware.\n");
	printf("\n");
	printf("  -h            display this help text\n");
	printf("  -s <variable>\tspecify variable to be changed\n");
	printf("\t\tuse -s VAR=VALUE to avoid prompting for value\n");
	printf("  -l            show all possible read/write variables.\n");
	printf("  -u <username> set username for command authentication\n");
	printf("  -A <file>     TLS settings (CERTPATH, CERTVERIFY, ...; nutauth.conf format)\n");
	printf("  -p <password> set password for command authentication\n");
	printf("  -w            wait for the completion of setting by the driver\n");
	printf("                and return its actual result from the device\n");
	printf("  -t <timeout>\tset a timeout when using -w (in seconds, default: %u)\n",
	    DEFAULT_TRACKING_TIMEOUT);
	printf("\n");
	printf("  <ups>         UPS identifier - <upsname>[@<hostname>[:<port>]]\n");
	printf("\n");
	printf("Call without -s to show all possible read/write variables (same as -l).\n");
}

/* A server integer as NUT's atoi would see it, without its overflow. */
static long
to_long(const char *s)
{
	long v;

	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno != 0 || v > INT_MAX || v < INT_MIN)
		v = v < 0 ? INT_MIN : INT_MAX;
	return v;
}

/*
 * GET <type> <ups> <var>: the value word, copied into out. Returns 0, or -1
 * when the server answered ERR or too little. A lost connection ends the
 * program: every later request would fail the same way.
 */
static int
get_data(const char *type, const char *var, char *out, size_t outlen)
{
	const char *q[] = { type, upsname, var };
	char **a;
	size_t n;

	if (upscli_get(conn, 3, q, &n, &a) == 0 && n >= 4)
		return str_copy(out, a[3], outlen) == 0 ? 0 : -1;
	if (upscli_error(conn) != UPSCLI_ERR_SERVER &&
	    upscli_error(conn) != UPSCLI_ERR_NONE)
		cli_die("Error: %s", upscli_strerror(conn));
	return -1;
}

/* The current value, or die with NUT's message for the caller fn. */
static void
current_value(const char *fn, const char *var, char *out, size_t outlen)
{
	if (get_data("VAR", var, out, outlen) < 0)
		cli_die("%s: can't get current value of %s", fn, var);
}

static void
do_string(const char *var, long len)
{
	char val[1024];

	current_value("do_string", var, val, sizeof(val));
	printf("Type: STRING\n");
	printf("Maximum length: %ld\n", len);
	printf("Value: %s\n", val);
}

static void
do_number(const char *var)
{
	char val[1024];

	current_value("do_number", var, val, sizeof(val));
	printf("Type: NUMBER\n");
	printf("Value: %s\n", val);
}

static void
do_enum(const char *var, enum vtype t, long len)
{
	const char *q[] = { "ENUM", upsname, var };
	char val[1024], **a;
	size_t n;
	int r;

	current_value("do_enum", var, val, sizeof(val));
	if (upscli_list_start(conn, 3, q) < 0)
		cli_die("Error: %s", upscli_strerror(conn));
	if (t == VT_NONE)
		printf("Type: ENUM\n");
	else
		printf("Type: ENUM %s\n", t == VT_STRING ? "STRING" : "NUMBER");
	if (t == VT_STRING)
		printf("Maximum length: %ld\n", len);
	while ((r = upscli_list_next(conn, 3, q, &n, &a)) == 1) {
		if (n < 4)
			cli_die("Error: insufficient data (got %zu args, need at least 4)", n);
		printf("Option: \"%s\"%s\n", a[3],
		    strcmp(a[3], val) == 0 ? " SELECTED" : "");
	}
	if (r < 0)
		cli_die("Error: %s", upscli_strerror(conn));
}

static void
do_range(const char *var)
{
	const char *q[] = { "RANGE", upsname, var };
	char val[1024], **a;
	long cur, min, max;
	size_t n;
	int r;

	current_value("do_range", var, val, sizeof(val));
	cur = to_long(val);
	if (upscli_list_start(conn, 3, q) < 0)
		cli_die("Error: %s", upscli_strerror(conn));
	printf("Type: RANGE NUMBER\n");
	while ((r = upscli_list_next(conn, 3, q, &n, &a)) == 1) {
		if (n < 5)
			cli_die("Error: insufficient data (got %zu args, need at least 4)", n);
		min = to_long(a[3]);
		max = to_long(a[4]);
		printf("Option: \"%ld-%ld\"%s\n", min, max,
		    cur >= min && cur <= max ? " SELECTED" : "");
	}
	if (r < 0)
		cli_die("Error: %s", upscli_strerror(conn));
}

/* The words of a TYPE answer, copied: the lists below reuse the reply. */
static void
do_type(const char *var)
{
	const char *q[] = { "TYPE", upsname, var };
	char **a, **w;
	size_t i, n;
	int is_enum = 0, done = 0;

	if (upscli_get(conn, 3, q, &n, &a) < 0 || n < 3) {
		if (upscli_error(conn) != UPSCLI_ERR_SERVER &&
		    upscli_error(conn) != UPSCLI_ERR_NONE)
			cli_die("Error: %s", upscli_strerror(conn));
		printf("Unknown type\n");
		return;
	}
	w = xcalloc(n, sizeof(*w));
	for (i = 0; i < n; i++)
		w[i] = xstrdup(a[i]);
	for (i = 3; i < n && !done; i++) {
		if (strcasecmp(w[i], "ENUM") == 0) {
			is_enum = 1;
		} else if (strcasecmp(w[i], "RANGE") == 0) {
			do_range(var);
			done = 1;
		} else if (strncasecmp(w[i], "STRING:", 7) == 0) {
			if (is_enum)
				do_enum(var, VT_STRING, strtol(w[i] + 7, NULL, 10));
			else
				do_string(var, strtol(w[i] + 7, NULL, 10));
			done = 1;
		} else if (strcasecmp(w[i], "NUMBER") == 0) {
			if (is_enum)
				do_enum(var, VT_NUMBER, 0);
			else
				do_number(var);
			done = 1;
		} else if (strcasecmp(w[i], "RW") != 0) {
			printf("Type: %s (unrecognized)\n", w[i]);
		}
	}
	/* Older servers do not follow ENUM with STRING or NUMBER. */
	if (!done && is_enum)
		do_enum(var, VT_NONE, 0);
	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

static void
print_rw(const char *var)
{
	char desc[1024];

	printf("[%s]\n", var);
	if (get_data("DESC", var, desc, sizeof(desc)) == 0)
		printf("%s\n", desc);
	else
		printf("Description unavailable\n");
	do_type(var);
	printf("\n");
}

static void
print_rwlist(void)
{
	const char *q[] = { "RW", upsname };
	char **a, **names = NULL;
	size_t i, n, count = 0, cap = 0;
	int r;

	if (upscli_list_start(conn, 2, q) < 0)
		cli_die("Error: %s", upscli_strerror(conn));
	/* The whole list first: requests cannot interleave with it. */
	while ((r = upscli_list_next(conn, 2, q, &n, &a)) == 1) {
		if (n < 4)
			cli_die("Error: insufficient data (got %zu args, need at least 4)", n);
		if (count == cap) {
			cap = cap ? cap * 2 : 32;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[count++] = xstrdup(a[2]);
	}
	if (r < 0)
		cli_die("Error: %s", upscli_strerror(conn));
	for (i = 0; i < count; i++) {
		print_rw(names[i]);
		free(names[i]);
	}
	free(names);
}

static int
do_setvar(unsigned timeout, int tracking)
{
	const char *w[5];
	char *eq, prompt[600];

	if (username == NULL)
		username = cli_prompt_user(0);
	if (password == NULL && (password = cli_prompt_password("Password: ")) == NULL)
		cli_die("getpass failed: %s", strerror(errno));
	if ((eq = strchr(setvar, '=')) != NULL) {
		*eq = '\0';
		newval = xstrdup(eq + 1);
	} else {
		if (str_printf(prompt, sizeof(prompt), "Enter new value for %s: ",
		    setvar) < 0)
			cli_die("Error: variable name too long");
		newval = cli_prompt_line(prompt);
	}
	cli_authenticate(conn, username, password, " ");
	if (strchr(setvar, '.') == NULL)
		cli_die("Error: old variable names are not supported");
	if (tracking)
		cli_tracking_on(conn, "set variable");
	w[0] = "SET";
	w[1] = "VAR";
	w[2] = upsname;
	w[3] = setvar;
	w[4] = newval;
	return cli_run_action(conn, 5, w, tracking, timeout,
	    "Can't set variable", "Set variable failed");
}

int
main(int argc, char **argv)
{
	const char *prog = "upsrw";
	const char *authfile = NULL;
	struct upscli_opts opts;
	unsigned port, timeout = DEFAULT_TRACKING_TIMEOUT;
	int ch, tracking = 0, rc = EXIT_SUCCESS;

	log_init(prog, 0, LOG_TO_STDERR);
	while ((ch = getopt(argc, argv, "+hls:p:t:u:wVA:")) != -1) {
		switch (ch) {
		case 's':
			free(setvar);
			setvar = xstrdup(optarg);
			break;
		case 'l':
			if (setvar != NULL) {
				log_warnx("Listing mode requested, overriding "
				    "setvar specified earlier!");
				free(setvar);
				setvar = NULL;
			}
			break;
		case 'p':
			secret_strfree(password);
			password = cli_take_secret(optarg);
			break;
		case 't':
			if (cli_parse_seconds(optarg, &timeout) < 0)
				cli_die("Could not convert the provided value for "
				    "timeout ('-t' option) to unsigned int: %s",
				    strerror(EINVAL));
			break;
		case 'u':
			free(username);
			username = xstrdup(optarg);
			break;
		case 'w':
			tracking = 1;
			break;
		case 'A':
			authfile = optarg;
			break;
		case 'V':
			cli_banner(prog);
			exit(EXIT_SUCCESS);
		case 'h':
		default:
			usage(prog);
			exit(EXIT_SUCCESS);
		}
	}
	argc -= optind;
	argv += optind;
	cli_set_cleanup(cleanup);
	if (argc < 1) {
		usage(prog);
		cli_exit(EXIT_SUCCESS);
	}
	conn = cli_connect_ups(argv[0], authfile, &opts, &upsname, &hostname, &port);
	if (setvar != NULL)
		rc = do_setvar(timeout, tracking);
	else
		print_rwlist();
	cli_exit(rc);
}
