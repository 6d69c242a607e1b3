/*
 * nutsec - fuzz_upscli.c: a hostile server against libupsclient. The
 * library is handed one end of a socketpair (upscli_adopt_fd); the other
 * end carries the fuzzer's bytes as everything the server ever says, then
 * end of file, so no call can wait. A short program picks the calls made
 * on them: the STARTTLS exchange first (refusal allowed or forced), GET, LIST,
 * LOGIN, commands and tracking. Whatever the bytes, a call must either
 * fail with an error set or succeed with what the library promises (GET
 * replies and list items echo the query, at least one word, words within
 * the line cap).
 *
 * Input: the program, one letter per call up to the first LF (see ops[]),
 * then the server's bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "tok.h"
#include "upscli_int.h"
#include "upsclient.h"

#define PROG_MAX 32		/* calls per input */
#define SERVER_MAX 65536	/* fits a socketpair's buffer: written before any call */

static char track_id[65] = "0123456789abcdef";

/* The library's promises about a successful reply. */
static void
check_words(size_t argc, char **argv, size_t nq, const char *const *q)
{
	size_t i;

	if (argc < 1 || argc < nq || argv == NULL || argv[argc] != NULL)
		abort();
	for (i = 0; i < argc; i++)
		if (argv[i] == NULL || strlen(argv[i]) > UPSCLI_MAX_LINE)
			abort();
	for (i = 0; i < nq; i++)
		if (strcasecmp(argv[i], q[i]) != 0)
			abort();
}

/* A failed call names why, and its message can be formatted. */
static void
check_failed(struct upscli *c)
{
	const char *m;

	if (upscli_error(c) == UPSCLI_ERR_NONE)
		abort();
	m = upscli_strerror(c);
	if (m == NULL || strlen(m) >= sizeof(c->msg))
		abort();
	if (upscli_error(c) == UPSCLI_ERR_SERVER)
		(void)upscli_server_code(c);
	(void)upscli_server_error(c);
}

static int
do_get(struct upscli *c, size_t nq, const char *const *q)
{
	size_t argc;
	char **argv;

	if (upscli_get(c, nq, q, &argc, &argv) < 0)
		return -1;
	check_words(argc, argv, nq, q);
	return 0;
}

static int
do_list(struct upscli *c, size_t nq, const char *const *q)
{
	size_t argc;
	char **argv;
	int r;

	if (upscli_list_start(c, nq, q) < 0)
		return -1;
	while ((r = upscli_list_next(c, nq, q, &argc, &argv)) == 1)
		check_words(argc, argv, nq, q);
	return r;
}

static int
do_cmd(struct upscli *c, size_t n, const char *const *w)
{
	size_t argc;
	char **argv;

	if (upscli_cmd(c, n, w, &argc, &argv) < 0)
		return -1;
	check_words(argc, argv, 0, NULL);
	if (strcmp(argv[0], "OK") != 0)
		abort();
	/* "OK TRACKING <id>": later GET TRACKING asks for that id */
	if (argc == 3 && strcmp(argv[1], "TRACKING") == 0 && strlen(argv[2]) < sizeof(track_id))
		memcpy(track_id, argv[2], strlen(argv[2]) + 1);
	return 0;
}

/* One call of the program. Returns its result (0 or -1). */
static int
run_op(struct upscli *c, char op)
{
	static const char *const q_var[] = { "VAR", "ups1", "ups.status" };
	static const char *const q_desc[] = { "UPSDESC", "ups1" };
	static const char *const q_nlog[] = { "NUMLOGINS", "ups1" };
	static const char *const q_type[] = { "TYPE", "ups1", "input.transfer.low" };
	static const char *const l_var[] = { "VAR", "ups1" };
	static const char *const l_ups[] = { "UPS" };
	static const char *const l_cmd[] = { "CMD", "ups1" };
	static const char *const l_rw[] = { "RW", "ups1" };
	static const char *const l_enum[] = { "ENUM", "ups1", "input.sensitivity" };
	static const char *const l_range[] = { "RANGE", "ups1", "input.transfer.low" };
	static const char *const l_client[] = { "CLIENT", "ups1" };
	static const char *const c_inst[] = { "INSTCMD", "ups1", "load.on" };
	static const char *const c_set[] = { "SET", "VAR", "ups1", "ups.id", "a \"b\" \\c" };
	static const char *const c_ver[] = { "VER" };
	const char *q_track[] = { "TRACKING", track_id };
	struct upscli_tlspol pol = { 0, 0, NULL };
	size_t argc;
	char **argv;

	switch (op) {
	case 'F':
		pol.forcessl = 1;
		/* FALLTHROUGH */
	case 'S':
		return upscli_starttls(c, &pol);
	case 'g': return do_get(c, 3, q_var);
	case 'G': return do_get(c, 2, q_desc);
	case 'n': return do_get(c, 2, q_nlog);
	case 'y': return do_get(c, 3, q_type);
	case 'T': return do_get(c, 2, q_track);
	case 'v': return do_list(c, 2, l_var);
	case 'u': return do_list(c, 1, l_ups);
	case 'c': return do_list(c, 2, l_cmd);
	case 'r': return do_list(c, 2, l_rw);
	case 'e': return do_list(c, 3, l_enum);
	case 'R': return do_list(c, 3, l_range);
	case 'C': return do_list(c, 2, l_client);
	case 'l': return upscli_login(c, "admin", "pw\\\"", "ups1");
	case 'L': return upscli_login(c, "admin", "pw", NULL);
	case 'i': return do_cmd(c, 3, c_inst);
	case 's': return do_cmd(c, 5, c_set);
	case 't': return upscli_tracking_on(c);
	case 'x':
		if (upscli_send(c, 1, c_ver) < 0 || upscli_reply(c, &argc, &argv) < 0)
			return -1;
		check_words(argc, argv, 0, NULL);
		return 0;
	case 'd':
		upscli_disconnect(c);
		return upscli_fd(c) == -1 ? 0 : (abort(), -1);
	default:
		return 0;	/* not a call */
	}
}

/*
 * 1 when the server's first line is "OK STARTTLS": STARTTLS would then
 * start a real handshake over the rest of the bytes, which is NSS's
 * parser, not ours; the program's STARTTLS steps are skipped.
 */
static int
accepts_starttls(const char *s, size_t len)
{
	const char *nl = memchr(s, '\n', len);
	struct tok *t;
	int r;

	if (nl == NULL)
		return 0;
	t = tok_new(0, 0);
	r = tok_split(t, s, (size_t)(nl - s) + 1) == TOK_LINE && tok_argc(t) >= 2 &&
	    strcmp(tok_argv(t)[0], "OK") == 0 && strcmp(tok_argv(t)[1], "STARTTLS") == 0;
	tok_free(t);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *in = (const char *)data, *nl;
	size_t plen, slen, i;
	struct upscli_opts o;
	struct upscli *c;
	int sp[2], skip_tls;

	if (!ready) {
		log_init("fuzz_upscli", 0, 0);
		ready = 1;
	}
	nl = memchr(in, '\n', size);
	plen = nl != NULL ? (size_t)(nl - in) : size;
	slen = nl != NULL ? size - plen - 1 : 0;
	if (plen > PROG_MAX || slen > SERVER_MAX)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0)
		abort();
	if (slen > 0 && write(sp[1], nl + 1, slen) != (ssize_t)slen)
		abort();
	(void)shutdown(sp[1], SHUT_WR);
	skip_tls = accepts_starttls(nl != NULL ? nl + 1 : "", slen);

	upscli_opts_init(&o);
	o.read_timeout_ms = 1000;	/* never reached: the bytes end in EOF */
	o.op_timeout_ms = 2000;
	o.max_list = 64;		/* small enough to be reached */
	c = upscli_new(&o);
	upscli_adopt_fd(c, sp[0]);
	for (i = 0; i < plen; i++) {
		/* STARTTLS is the first request of a connection, or none */
		if ((in[i] == 'S' || in[i] == 'F') && (i > 0 || skip_tls))
			continue;
		if (run_op(c, in[i]) < 0)
			check_failed(c);
	}
	upscli_close(c);
	close(sp[1]);
	return 0;
}
