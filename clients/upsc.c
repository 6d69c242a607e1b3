/*
 * nutsec - upsc.c: the read-only client. It lists the UPSes of a server
 * (-l, -L), the variables of one UPS, one variable's bare value, or the
 * clients logged in to a UPS (-c), with NUT's output formats, "Error: ..."
 * messages and exit codes; -j prints the same data as JSON in the shape
 * NUT 2.8.3+ uses. Unlike NUT, an error in the middle of a list is
 * reported (exit 1) instead of ending the list silently.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "upsclient.h"
#include "xmalloc.h"

static struct upscli *conn;
static char *upsname, *hostname;
static int json;

static void
cleanup(void)
{
	upscli_close(conn);
	conn = NULL;
	free(upsname);
	free(hostname);
	upsname = hostname = NULL;
	cli_tls_free();
}

static void
usage(const char *prog)
{
	cli_banner(prog);
	printf("\nusage: %s [-j] -l | -L [<hostname>[:port]]\n", prog);
	printf("       %s [-j] <ups> [<variable>]\n", prog);
	printf("       %s [-j] -c <ups>\n", prog);
	printf("\nDemo program to display UPS variables.\n\n");
	printf("First form (lists UPSes):\n");
	printf("  -l         - lists each UPS on <hostname>, one per line.\n");
	printf("  -L         - lists each UPS followed by its description (from ups.conf).\n");
	printf("               Default hostname: localhost\n");
	printf("\nSecond form (lists variables and values):\n");
	printf("  <ups>      - upsd server, <upsname>[@<hostname>[:<port>]] form\n");
	printf("  <variable> - optional, display this variable only.\n");
	printf("               Default: list all variables for <host>\n");
	printf("\nThird form (lists clients connected to a device):\n");
	printf("  -c         - lists each client connected on <ups>, one per line.\n");
	printf("  <ups>      - upsd server, <upsname>[@<hostname>[:<port>]] form\n");
	printf("\nCommon arguments:\n");
	printf("  -j         - display output in JSON format\n");
	printf("  -A <file>  - TLS settings (CERTPATH, CERTVERIFY, ...; nutauth.conf format)\n");
	printf("  -W <secs>  - network timeout for initial connections (default: %d)\n",
	    UPSCLI_CONNECT_TIMEOUT_MS / 1000);
	printf("  -V         - display the version of this software\n");
	printf("  -h         - display this help text\n");
}

/* A JSON string body: quotes, backslashes and control bytes escaped. */
static void
json_str(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			printf("\\n");
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
}

/* Ends with msg: {"error": ...} on stdout in JSON mode, always
 * "Error: msg" on stderr, exit 1. */
static void __attribute__((noreturn))
fail(const char *msg)
{
	if (json) {
		printf("{\"error\": \"");
		json_str(msg);
		printf("\"}\n");
	}
	cli_die("Error: %s", msg);
}

/* Fails with the library's message for the last error. */
static void __attribute__((noreturn))
fail_conn(void)
{
	fail(upscli_strerror(conn));
}

/* The "insufficient data" error of a short reply. */
static void __attribute__((noreturn))
fail_short(size_t got, size_t need)
{
	char msg[128];

	(void)str_printf(msg, sizeof(msg),
	    "insufficient data (got %zu args, need at least %zu)", got, need);
	fail(msg);
}

/* Starts a list; on failure reports as NUT does. */
static void
list_start(size_t nq, const char *const *q)
{
	if (upscli_list_start(conn, nq, q) == 0)
		return;
	fail_conn();
}

/* A list_next error after some output: close the JSON, then fail. */
static void __attribute__((noreturn))
fail_midlist(const char *close_json)
{
	if (json)
		fputs(close_json, stdout);
	cli_die("Error: %s", upscli_strerror(conn));
}

static void
list_upses(int verbose)
{
	const char *q[] = { "UPS" };
	char **a;
	size_t n;
	int r, first = 1;

	list_start(1, q);
	if (json)
		fputs(verbose ? "{\n" : "[\n", stdout);
	while ((r = upscli_list_next(conn, 1, q, &n, &a)) == 1) {
		if (n < 3)
			fail_short(n, 3);
		if (json) {
			printf("%s  \"", first ? "" : ",\n");
			json_str(a[1]);
			if (verbose) {
				printf("\": \"");
				json_str(a[2]);
			}
			printf("\"");
		} else if (verbose) {
			printf("%s: %s\n", a[1], a[2]);
		} else {
			printf("%s\n", a[1]);
		}
		first = 0;
	}
	if (r < 0)
		fail_midlist(verbose ? "\n}\n" : "\n]\n");
	if (json)
		fputs(verbose ? "\n}\n" : "\n]\n", stdout);
}

static void
list_clients(void)
{
	const char *q[] = { "CLIENT", upsname };
	char **a;
	size_t n;
	int r, first = 1;

	list_start(2, q);
	if (json)
		printf("[\n");
	while ((r = upscli_list_next(conn, 2, q, &n, &a)) == 1) {
		if (n < 3)
			fail_short(n, 3);
		if (json) {
			printf("%s  \"", first ? "" : ",\n");
			json_str(a[2]);
			printf("\"");
		} else {
			printf("%s\n", a[2]);
		}
		first = 0;
	}
	if (r < 0)
		fail_midlist("\n]\n");
	if (json)
		printf("\n]\n");
}

static void
list_vars(void)
{
	const char *q[] = { "VAR", upsname };
	char **a;
	size_t n;
	int r, first = 1;

	if (upscli_list_start(conn, 2, q) < 0) {
		/* NUT 2.8.3+ has opened the object already at this point. */
		if (json) {
			printf("{\n  \"error\": \"");
			json_str(upscli_strerror(conn));
			printf("\"\n}\n");
		}
		cli_die("Error: %s", upscli_strerror(conn));
	}
	if (json)
		printf("{\n");
	while ((r = upscli_list_next(conn, 2, q, &n, &a)) == 1) {
		if (n < 4)
			fail_short(n, 4);
		if (json) {
			printf("%s  \"", first ? "" : ",\n");
			json_str(a[2]);
			printf("\": \"");
			json_str(a[3]);
			printf("\"");
		} else {
			printf("%s: %s\n", a[2], a[3]);
		}
		first = 0;
	}
	if (r < 0)
		fail_midlist("\n}\n");
	if (json)
		printf("\n}\n");
}

static void
print_var(const char *var)
{
	const char *q[] = { "VAR", upsname, var };
	char **a;
	size_t n;

	if (strchr(var, '.') == NULL)
		fail("old-style variable names are not supported");
	if (upscli_get(conn, 3, q, &n, &a) < 0)
		fail_conn();
	if (n < 4)
		fail_short(n, 4);
	if (json) {
		printf("\"");
		json_str(a[3]);
		printf("\"\n");
	} else {
		printf("%s\n", a[3]);
	}
}

int
main(int argc, char **argv)
{
	const char *prog = "upsc";
	struct upscli_opts opts;
	char err[128];
	unsigned port, secs;
	const char *authfile = NULL;
	int ch, varlist = 0, verbose = 0, clientlist = 0;

	log_init(prog, 0, LOG_TO_STDERR);
	upscli_opts_init(&opts);
	while ((ch = getopt(argc, argv, "+hlLcjVW:A:")) != -1) {
		switch (ch) {
		case 'L':
			verbose = 1;
			varlist = 1;
			break;
		case 'l':
			varlist = 1;
			break;
		case 'c':
			clientlist = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'A':
			authfile = optarg;
			break;
		case 'W':
			if (cli_parse_seconds(optarg, &secs) < 0 || secs == 0)
				fail("invalid network timeout");
			opts.connect_timeout_ms = (int)secs * 1000;
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

	if (varlist) {
		if (upscli_splitaddr(argc > 0 ? argv[0] : "localhost", NUT_PORT,
		    &hostname, &port, err, sizeof(err)) < 0) {
			if (err[0] != '\0')
				fprintf(stderr, "%s\n", err);
			fail("invalid hostname.\nRequired format: [hostname[:port]]");
		}
	} else if (upscli_splitname(argc > 0 ? argv[0] : NULL, NUT_PORT,
	    &upsname, &hostname, &port, err, sizeof(err)) < 0) {
		if (err[0] != '\0')
			fprintf(stderr, "%s\n", err);
		fail("invalid UPS definition.\nRequired format: upsname[@hostname[:port]]");
	}

	cli_tls_load(authfile, &opts);
	conn = upscli_new(&opts);
	if (upscli_connect(conn, hostname, port) < 0)
		fail_conn();

	if (varlist)
		list_upses(verbose);
	else if (clientlist)
		list_clients();
	else if (argc > 1)
		print_var(argv[1]);
	else
		list_vars();
	cli_exit(EXIT_SUCCESS);
}
