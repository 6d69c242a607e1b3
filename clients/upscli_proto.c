/*
 * nutsec - upscli_proto.c: requests and replies of protocol 1.3 on top of
 * the connection layer. Requests are built with common/proto's quoting
 * (credentials that are plain words go raw, as NUT sends them) and never
 * carry control bytes, so a caller's argument cannot inject a second
 * command. Replies are checked the way stock NUT clients check them: ERR
 * lines become errors, GET answers and LIST items must echo the query
 * case-insensitively, lists are framed by BEGIN LIST / END LIST, and a
 * list may not grow past max_list items. Each request starts an operation
 * whose whole reply (a whole list) has one deadline, and credentials sent
 * without TLS are warned about.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "log.h"
#include "proto.h"
#include "tok.h"
#include "upscli_int.h"
#include "xmalloc.h"

/* A word NUT would send unquoted and we may send raw (backslash included). */
static int
raw_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++) {
		if (*p <= ' ' || *p == '=' || *p == '#' || *p == '"')
			return 0;
	}
	return 1;
}

/* A verb is one plain word of letters. */
static int
verb_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
			return 0;
	}
	return 1;
}

/* No argument may carry a control byte (LF would start a new request). */
static int
arg_ok(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20)
			return 0;
	}
	return 1;
}

/*
 * Credentials are about to go out: on a session without TLS (the server
 * answered STARTTLS with ERR, which a man in the middle can do as well,
 * and the policy let it go on) that deserves a warning, once per
 * connection, naming the setting that would have refused it.
 */
static void
warn_clear(struct upscli *c)
{
	if (c->tls_up || c->warned_clear)
		return;
	c->warned_clear = 1;
	log_warnx("%s:%u: no TLS on this connection: the user name and "
	    "password go out in clear (set FORCESSL 1 to refuse servers "
	    "without TLS)", c->host != NULL ? c->host : "server", c->port);
}

/* Builds "<verb> <pre...> <argv...>\n" and sends it; the copy is cleared. */
static int
send_words(struct upscli *c, const char *verb, size_t argc,
    const char *const *argv)
{
	struct buf *b;
	size_t i;
	int raw, r = -1;

	c->err = UPSCLI_ERR_NONE;	/* each request starts clean */
	if (c->fd < 0)
		return upscli_fail(c, UPSCLI_ERR_NOTCONN, 0, NULL);
	if (!verb_ok(verb))
		return upscli_fail(c, UPSCLI_ERR_ARG, 0, NULL);
	/* Sent as NUT's clients send them, so a backslash in a password means
	 * to upsd what it means in upsd.users; anything else is quoted. */
	raw = strcasecmp(verb, "USERNAME") == 0 ||
	    strcasecmp(verb, "PASSWORD") == 0;
	if (raw)
		warn_clear(c);
	upscli_op_begin(c);
	b = buf_new(UPSCLI_MAX_LINE);
	if (buf_put(b, verb, strlen(verb)) < 0)
		goto arg;
	for (i = 0; i < argc; i++) {
		if (!arg_ok(argv[i]) || buf_put(b, " ", 1) < 0)
			goto arg;
		if (raw && raw_safe(argv[i])) {
			if (buf_put(b, argv[i], strlen(argv[i])) < 0)
				goto arg;
		} else if (proto_put_arg(b, argv[i]) < 0) {
			goto arg;
		}
	}
	if (buf_put(b, "\n", 1) < 0)
		goto arg;
	r = upscli_write_all(c, buf_peek(b), buf_len(b));
	goto out;
arg:
	r = upscli_fail(c, UPSCLI_ERR_ARG, 0, NULL);
out:
	buf_free(b);
	return r;
}

int
upscli_send(struct upscli *c, size_t argc, const char *const *argv)
{
	if (argc < 1 || argv == NULL)
		return upscli_fail(c, UPSCLI_ERR_ARG, 0, NULL);
	return send_words(c, argv[0], argc - 1, argv + 1);
}

int
upscli_reply(struct upscli *c, size_t *argc, char ***argv)
{
	char **av;
	size_t ac;

	if (upscli_read_tokens(c) < 0)
		return -1;
	ac = tok_argc(c->tok);
	av = tok_argv(c->tok);
	if (strcmp(av[0], "ERR") == 0) {
		(void)upscli_fail(c, UPSCLI_ERR_SERVER, 0, NULL);
		if (ac >= 2) {
			(void)str_copy(c->detail, av[1], sizeof(c->detail));
			c->server_err = proto_err_lookup(av[1]);
		}
		return -1;
	}
	if (argc != NULL)
		*argc = ac;
	if (argv != NULL)
		*argv = av;
	return 0;
}

const char *
upscli_server_code(const struct upscli *c)
{
	if (c->err != UPSCLI_ERR_SERVER || c->detail[0] == '\0')
		return NULL;
	return c->detail;
}

int
upscli_cmd(struct upscli *c, size_t argc, const char *const *argv,
    size_t *rargc, char ***rargv)
{
	char **av;
	size_t ac;

	if (upscli_send(c, argc, argv) < 0 || upscli_reply(c, &ac, &av) < 0)
		return -1;
	if (strcmp(av[0], "OK") != 0)
		return upscli_fail(c, UPSCLI_ERR_INVRESP, 0, av[0]);
	if (rargc != NULL)
		*rargc = ac;
	if (rargv != NULL)
		*rargv = av;
	return 0;
}

/* 1 if the first n words of a equal q, ignoring case (NUT's rule). */
static int
echoes(char **a, size_t na, size_t nq, const char *const *q)
{
	size_t i;

	if (na < nq)
		return 0;
	for (i = 0; i < nq; i++) {
		if (strcasecmp(a[i], q[i]) != 0)
			return 0;
	}
	return 1;
}

int
upscli_get(struct upscli *c, size_t nq, const char *const *query,
    size_t *argc, char ***argv)
{
	char **av;
	size_t ac;

	if (nq < 1 || query == NULL)
		return upscli_fail(c, UPSCLI_ERR_ARG, 0, NULL);
	if (send_words(c, "GET", nq, query) < 0 || upscli_reply(c, &ac, &av) < 0)
		return -1;
	if (!echoes(av, ac, nq, query))
		return upscli_fail(c, UPSCLI_ERR_INVRESP, 0, NULL);
	*argc = ac;
	*argv = av;
	return 0;
}

int
upscli_list_start(struct upscli *c, size_t nq, const char *const *query)
{
	char **av;
	size_t ac;

	if (nq < 1 || query == NULL)
		return upscli_fail(c, UPSCLI_ERR_ARG, 0, NULL);
	if (send_words(c, "LIST", nq, query) < 0 || upscli_reply(c, &ac, &av) < 0)
		return -1;
	if (ac < 2 || strcasecmp(av[0], "BEGIN") != 0 ||
	    strcasecmp(av[1], "LIST") != 0 || !echoes(av + 2, ac - 2, nq, query))
		return upscli_fail(c, UPSCLI_ERR_INVRESP, 0, NULL);
	c->list_items = 0;
	return 0;
}

int
upscli_list_next(struct upscli *c, size_t nq, const char *const *query,
    size_t *argc, char ***argv)
{
	char **av;
	size_t ac;

	if (upscli_reply(c, &ac, &av) < 0)
		return -1;
	/* NUT matches the end marker case-sensitively. */
	if (ac >= 2 && strcmp(av[0], "END") == 0 && strcmp(av[1], "LIST") == 0)
		return 0;
	if (!echoes(av, ac, nq, query))
		return upscli_fail(c, UPSCLI_ERR_INVRESP, 0, NULL);
	if (++c->list_items > c->opts.max_list) {
		upscli_drop(c);
		return upscli_fail(c, UPSCLI_ERR_TOOLONG, 0, "Too many list items");
	}
	*argc = ac;
	*argv = av;
	return 1;
}

int
upscli_login(struct upscli *c, const char *user, const char *pass,
    const char *ups)
{
	const char *w[2];

	if (user == NULL || pass == NULL)
		return upscli_fail(c, UPSCLI_ERR_ARG, 0, NULL);
	w[0] = "USERNAME";
	w[1] = user;
	if (upscli_cmd(c, 2, w, NULL, NULL) < 0)
		return -1;
	w[0] = "PASSWORD";
	w[1] = pass;
	if (upscli_cmd(c, 2, w, NULL, NULL) < 0)
		return -1;
	if (ups == NULL)
		return 0;
	w[0] = "LOGIN";
	w[1] = ups;
	return upscli_cmd(c, 2, w, NULL, NULL);
}

int
upscli_tracking_on(struct upscli *c)
{
	static const char *const w[] = { "SET", "TRACKING", "ON" };

	return upscli_cmd(c, 3, w, NULL, NULL);
}

int
upscli_tracking_wait(struct upscli *c, const char *id, unsigned timeout_s)
{
	const char *q[2] = { "TRACKING", id };
	struct timespec start, now, sec = { 1, 0 };
	char **av;
	size_t ac;

	(void)clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		(void)clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)timeout_s)
			return upscli_fail(c, UPSCLI_ERR_TIMEOUT, 0, NULL);
		if (send_words(c, "GET", 2, q) < 0 || upscli_reply(c, &ac, &av) < 0)
			return -1;
		if (strcmp(av[0], "SUCCESS") == 0)
			return 0;
		if (strcmp(av[0], "PENDING") != 0)
			return upscli_fail(c, UPSCLI_ERR_INVRESP, 0, av[0]);
		while (nanosleep(&sec, &sec) < 0 && errno == EINTR)
			;
		sec.tv_sec = 1;
		sec.tv_nsec = 0;
	}
}
