/*
 * nutsec - upscmd.c: runs an instant command on a UPS (INSTCMD), or lists
 * the commands a UPS supports (-l). User name and password come from -u/-p
 * or are asked for on the terminal; a password given with -p is moved into
 * secret memory and wiped from argv at once. With -w the command is
 * tracked (SET TRACKING ON, then GET TRACKING once per second) and the
 * driver's result is printed. Output, messages and exit codes follow NUT's
 * upscmd, except that a tracked command that failed exits with 1.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "secret.h"
#include "upsclient.h"
#include "xmalloc.h"

#define DEFAULT_TRACKING_TIMEOUT 10	/* seconds, as NUT */

static struct upscli *conn;
static char *upsname, *hostname, *username, *password;

static void
cleanup(void)
{
	upscli_close(conn);
	conn = NULL;
	free(upsname);
	free(hostname);
	free(username);
	secret_strfree(password);
	cli_tls_free();
	upsname = hostname = username = password = NULL;
}

static void
usage(const char *prog)
{
	cli_banner(prog);
	printf("\nusage: %s [-h]\n", prog);
	printf("       %s [-l <ups>]\n", prog);
	printf("       %s [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups> <command> [<value>]\n\n", prog);
	printf("Administration program to initiate instant commands on UPS hardware.\n");
	printf("\n");
	printf("  -h\t\tdisplay this help text\n");
	printf("  -l <ups>\tshow available commands on UPS <ups>\n");
	printf("  -u <username>\tset username for command authentication\n");
	printf("  -A <file>\tTLS settings (CERTPATH, CERTVERIFY, ...; nutauth.conf format)\n");
	printf("  -p <password>\tset password for command authentication\n");
	printf("  -w            wait for the completion of command by the driver\n");
	printf("                and return its actual result from the device\n");
	printf("  -t <timeout>\tset a timeout when using -w (in seconds, default: %u)\n",
	    DEFAULT_TRACKING_TIMEOUT);
	printf("\n");
	printf("  <ups>\t\tUPS identifier - <upsname>[@<hostname>[:<port>]]\n");
	printf("  <command>\tValid instant command - test.panel.start, etc.\n");
	printf("  [<value>]\tAdditional data for command - number of seconds, etc.\n");
}

/* A list of names read before the descriptions are asked for. */
struct names {
	char **v;
	size_t n, cap;
};

static void
names_add(struct names *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = xstrdup(s);
}

static void
list_cmds(void)
{
	const char *q[] = { "CMD", upsname };
	const char *dq[3] = { "CMDDESC", upsname, NULL };
	struct names l = { NULL, 0, 0 };
	char **a;
	size_t i, n;
	int r;

	if (upscli_list_start(conn, 2, q) < 0)
		cli_die("Error: %s", upscli_strerror(conn));
	/* The whole list first: requests cannot interleave with it. */
	while ((r = upscli_list_next(conn, 2, q, &n, &a)) == 1) {
		if (n < 3)
			cli_die("Error: insufficient data (got %zu args, need at least 3)", n);
		names_add(&l, a[2]);
	}
	if (r < 0)
		cli_die("Error: %s", upscli_strerror(conn));
	printf("Instant commands supported on UPS [%s]:\n\n", upsname);
	for (i = 0; i < l.n; i++) {
		dq[2] = l.v[i];
		if (upscli_get(conn, 3, dq, &n, &a) == 0 && n >= 4)
			printf("%s - %s\n", l.v[i], a[3]);
		else if (upscli_error(conn) == UPSCLI_ERR_SERVER ||
		    upscli_error(conn) == UPSCLI_ERR_NONE)
			printf("%s\n", l.v[i]);
		else
			cli_die("Error: %s", upscli_strerror(conn));
		free(l.v[i]);
	}
	free(l.v);
}

int
main(int argc, char **argv)
{
	const char *prog = "upscmd";
	const char *authfile = NULL;
	struct upscli_opts opts;
	const char *w[4];
	unsigned port, timeout = DEFAULT_TRACKING_TIMEOUT;
	int ch, cmdlist = 0, tracking = 0, rc;

	log_init(prog, 0, LOG_TO_STDERR);
	while ((ch = getopt(argc, argv, "+lhu:p:t:wVA:")) != -1) {
		switch (ch) {
		case 'l':
			cmdlist = 1;
			break;
		case 'u':
			free(username);
			username = xstrdup(optarg);
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
	if (cmdlist) {
		list_cmds();
		cli_exit(EXIT_SUCCESS);
	}
	if (argc < 2) {
		usage(prog);
		cli_exit(EXIT_SUCCESS);
	}
	if (strchr(argv[1], '.') == NULL)
		cli_die("Error: old command names are not supported");

	if (username == NULL)
		username = cli_prompt_user(1);
	if (password == NULL && (password = cli_prompt_password("Password: ")) == NULL)
		cli_die("getpass failed: %s", strerror(errno));
	cli_authenticate(conn, username, password, "\n");
	if (tracking)
		cli_tracking_on(conn, "command");

	w[0] = "INSTCMD";
	w[1] = upsname;
	w[2] = argv[1];
	w[3] = argc > 2 ? argv[2] : NULL;
	rc = cli_run_action(conn, argc > 2 ? 4 : 3, w, tracking, timeout,
	    "Can't send instant command", "Instant command failed");
	cli_exit(rc);
}
