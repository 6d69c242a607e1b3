/*
 * nutsec - cli_act.c: the shared path of upscmd and upsrw: connecting to
 * the UPS named on the command line, then the authenticated part: sending
 * the credentials, turning tracking on, sending the INSTCMD or SET, and
 * reporting the answer (or the tracked result) on stderr with NUT's exact
 * wording. An ERR answer is shown as the server's line ("ERR <CODE>"),
 * the way NUT shows it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "upsclient.h"
#include "xmalloc.h"

#define TRACKING_ID_LEN 36	/* a UUID in text form */

struct upscli *
cli_connect_ups(const char *spec, const char *authfile, struct upscli_opts *opts,
    char **ups, char **host, unsigned *port)
{
	struct upscli *c;
	char err[256];

	if (upscli_splitname(spec, NUT_PORT, ups, host, port, err, sizeof(err)) < 0) {
		if (err[0] != '\0')
			fprintf(stderr, "%s\n", err);
		cli_die("Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]");
	}
	upscli_opts_init(opts);
	cli_tls_load(authfile, opts);
	c = upscli_new(opts);
	if (upscli_connect(c, *host, *port) < 0)
		cli_die("Error: %s", upscli_strerror(c));
	return c;
}

/* The reply words joined by single spaces, as the line read back. */
static void
join_words(char *out, size_t outlen, size_t n, char **w)
{
	size_t i, len = 0, wl;

	out[0] = '\0';
	for (i = 0; i < n && len + 1 < outlen; i++) {
		wl = strlen(w[i]);
		if (i > 0)
			out[len++] = ' ';
		if (wl >= outlen - len)
			wl = outlen - len - 1;
		memcpy(out + len, w[i], wl);
		len += wl;
		out[len] = '\0';
	}
}

/* "ERR <CODE>" for the last ERR reply. */
static void
err_line(struct upscli *c, char *out, size_t outlen)
{
	const char *code = upscli_server_code(c);

	if (str_printf(out, outlen, "ERR %s", code != NULL ? code : "") < 0)
		(void)str_copy(out, "ERR", outlen);
}

/*
 * Sends one request and reads the reply; dies with the given messages on
 * I/O failures. Returns 0 with the reply words, or 1 for an ERR reply.
 */
static int
exchange(struct upscli *c, size_t n, const char *const *w,
    const char *cant, const char *failed, size_t *rn, char ***rw)
{
	if (upscli_send(c, n, w) < 0)
		cli_die("%s: %s", cant, upscli_strerror(c));
	if (upscli_reply(c, rn, rw) == 0)
		return 0;
	if (upscli_error(c) != UPSCLI_ERR_SERVER)
		cli_die("%s: %s", failed, upscli_strerror(c));
	return 1;
}

void
cli_authenticate(struct upscli *c, const char *user, const char *pass,
    const char *upgrade_sep)
{
	const char *w[2];
	char **rw;
	size_t rn;

	w[0] = "USERNAME";
	w[1] = user;
	if (exchange(c, 2, w, "Can't set username", "Set username failed",
	    &rn, &rw) != 0) {
		if (upscli_server_code(c) != NULL &&
		    strcmp(upscli_server_code(c), "UNKNOWN-COMMAND") == 0)
			cli_die("Set username failed due to an unknown command.%s"
			    "You probably need to upgrade upsd.", upgrade_sep);
		cli_die("Set username failed: %s", upscli_strerror(c));
	}
	w[0] = "PASSWORD";
	w[1] = pass;
	if (exchange(c, 2, w, "Can't set password", "Set password failed",
	    &rn, &rw) != 0)
		cli_die("Set password failed: %s", upscli_strerror(c));
}

void
cli_tracking_on(struct upscli *c, const char *what)
{
	static const char *const w[] = { "SET", "TRACKING", "ON" };
	char cant[64], failed[64], line[256];
	char **rw;
	size_t rn;

	(void)str_printf(cant, sizeof(cant), "Can't enable %s status tracking",
	    what);
	(void)str_printf(failed, sizeof(failed),
	    "Enabling %s status tracking failed", what);
	if (exchange(c, 3, w, cant, failed, &rn, &rw) != 0)
		err_line(c, line, sizeof(line));
	else if (strcmp(rw[0], "OK") != 0)
		join_words(line, sizeof(line), rn, rw);
	else
		return;
	cli_die("%s. upsd answered: %s", failed, line);
}

int
cli_run_action(struct upscli *c, size_t argc, const char *const *argv,
    int tracking, unsigned timeout_s, const char *cant_send,
    const char *failed)
{
	char line[512], *id;
	char **rw;
	size_t rn;

	if (exchange(c, argc, argv, cant_send, failed, &rn, &rw) != 0) {
		err_line(c, line, sizeof(line));
		cli_die("Unexpected response from upsd: %s", line);
	}
	join_words(line, sizeof(line), rn, rw);
	if (strcmp(rw[0], "OK") != 0)
		cli_die("Unexpected response from upsd: %s", line);
	if (!tracking || rn != 3 || strcmp(rw[1], "TRACKING") != 0 ||
	    strlen(rw[2]) != TRACKING_ID_LEN) {
		fprintf(stderr, "%s\n", line);
		return 0;
	}
	id = xstrdup(rw[2]);
	if (upscli_tracking_wait(c, id, timeout_s) == 0) {
		free(id);
		fprintf(stderr, "SUCCESS\n");
		return 0;
	}
	free(id);
	switch (upscli_error(c)) {
	case UPSCLI_ERR_SERVER:
		/* The command ran and failed: say so in the exit status too. */
		err_line(c, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
		return 1;
	case UPSCLI_ERR_TIMEOUT:
		cli_die("Can't receive status tracking information: timeout");
	case UPSCLI_ERR_WRITE:
	case UPSCLI_ERR_NOTCONN:
		cli_die("Can't send status tracking request: %s",
		    upscli_strerror(c));
	default:
		cli_die("Can't receive status tracking information: %s",
		    upscli_strerror(c));
	}
}
