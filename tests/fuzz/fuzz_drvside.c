/*
 * nutsec - fuzz_drvside.c: a hostile driver against upsd. For every input
 * upsd connects to a fake driver socket as it connects to a real one
 * (driver_tick), and the fuzzer's bytes are that driver's whole stream,
 * read by upsd's own event callback into the UPS's variable tree. The tree
 * is then read back by clients through the real dispatcher: LIST VAR, LIST
 * RW, LIST CMD, and for each variable GET VAR/TYPE/DESC, LIST ENUM, LIST
 * RANGE and a SET that passes upsd's checks, and an INSTCMD per command.
 * Every reply must be whole lines that tokenize; LIST VAR, LIST RW, LIST
 * CMD, LIST ENUM, LIST RANGE and GET VAR must name exactly what the tree
 * holds, with its values; a SET or INSTCMD answered OK
 * must reach the driver as one line that parses back to the same request.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "ev.h"
#include "fuzz.h"
#include "fuzz_upsd.h"
#include "net.h"
#include "proto.h"
#include "sockproto.h"
#include "tok.h"
#include "vartree.h"
#include "xmalloc.h"

#include "upsd.h"

#define STREAM_MAX (64 * 1024)	/* the driver's bytes per input */
#define VARS_ASKED 48		/* variables read back one by one */
#define CMDS_ASKED 8		/* commands run */

static int lfd = -1;		/* the fake driver's listening socket */
static int peer = -1;		/* the fake driver's end of the connection */
static struct ups *ups;
static struct tok *rtok;	/* tokenizes replies and forwarded lines */
static struct buf *req;		/* one client's request lines */

/* The stream being written into the driver connection. */
static const char *stream;
static size_t stream_left;
static unsigned rounds;

static void
setup(void)
{
	const char *dir = fuzz_upsd_setup("fuzz_drvside");
	char path[128];

	if (str_printf(path, sizeof(path), "%s/fake-ups1", dir) != 0)
		abort();
	if ((ups = ups_find("ups1")) == NULL)
		abort();
	if ((lfd = net_listen_unix(path, 0600, -1, 4)) < 0)
		abort();
	driver_set_sockdir(dir);
	rtok = tok_new(0, 0);
	req = buf_new(256 * 1024);
}

/*
 * Before each wait of the loop: push more of the stream, and stop once it
 * is all written and upsd has read everything (or dropped the driver).
 */
static void
pump(void *arg)
{
	int pending = 0;

	if (ups->drv.fd < 0 || ++rounds > 10000) {
		ev_stop();
		return;
	}
	if (stream_left > 0) {
		ssize_t n = send(peer, stream, stream_left, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			stream += n;
			stream_left -= (size_t)n;
		}
		return;
	}
	if (ioctl(ups->drv.fd, FIONREAD, &pending) != 0 || pending == 0)
		ev_stop();
}

/* Reads what upsd sent the driver into b (drained for good). */
static void
driver_received(struct buf *b)
{
	char chunk[4096];
	ssize_t n;

	while ((n = recv(peer, chunk, sizeof(chunk), MSG_DONTWAIT)) > 0)
		if (b != NULL && buf_put(b, chunk, (size_t)n) != 0)
			abort();
}

/* The next line of b from *off (LF included), or NULL at the end. */
static const char *
next_line(const struct buf *b, size_t *off, size_t *len)
{
	const char *p = buf_peek(b) + *off, *nl;
	size_t left = buf_len(b) - *off;

	if (left == 0)
		return NULL;
	if ((nl = memchr(p, '\n', left)) == NULL)
		abort();	/* a reply or a forwarded line cut short */
	*len = (size_t)(nl - p) + 1;
	*off += *len;
	return p;
}

/* A request line: the words, each quoted and escaped as it needs. */
static void
request(size_t n, const char *const *w)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((i > 0 && buf_put(req, " ", 1) != 0) || proto_put_arg(req, w[i]) != 0)
			abort();
	if (buf_put(req, "\n", 1) != 0)
		abort();
}

/* Runs req through a fresh client; returns it with its replies in c->out. */
static struct client *
ask(void)
{
	struct client *c = client_new_detached("192.0.2.7");

	client_input(c, buf_peek(req), buf_len(req));
	buf_reset(req);
	if (c->paused || c->overflow)
		abort();	/* every request here is answered at once */
	return c;
}

/*
 * Checks a "VAR|RW ups1 <name> <value>", "CMD ups1 <name>" or "ENUM|RANGE
 * ups1 <name> ..." item against the tree: the words a client reads must
 * name what the tree holds.
 */
static void
check_item(void)
{
	char fsd[VT_VALUE_MAX + 8];
	const char *w = tok_argv(rtok)[0];
	size_t n = tok_argc(rtok);
	struct vt_var *v;

	if (n < 3 || strcmp(tok_argv(rtok)[1], "ups1") != 0)
		abort();
	if (strcmp(w, "CMD") == 0) {
		if (n != 3 || !vt_cmd_has(ups->tree, tok_argv(rtok)[2]))
			abort();
		return;
	}
	if ((v = vt_get(ups->tree, tok_argv(rtok)[2])) == NULL)
		abort();
	if (strcmp(w, "VAR") == 0 && (n != 4 ||
	    strcmp(tok_argv(rtok)[3], ups_var_value(ups, v, fsd, sizeof(fsd))) != 0))
		abort();
	if (strcmp(w, "RW") == 0 && (n != 4 || strcmp(tok_argv(rtok)[3], vt_value(v)) != 0))
		abort();
	if ((strcmp(w, "ENUM") == 0 && n != 4) || (strcmp(w, "RANGE") == 0 && n != 5))
		abort();
}

/*
 * Every reply line must tokenize; the items (and GET VAR's answer) must
 * match the tree, and a LIST VAR list every variable.
 */
static void
check_replies(const struct client *c)
{
	size_t off = 0, len, items = 0;
	const char *line;
	int in_list_var = 0;

	while ((line = next_line(c->out, &off, &len)) != NULL) {
		if (tok_split(rtok, line, len) != TOK_LINE || tok_argc(rtok) == 0)
			abort();
		if (strcmp(tok_argv(rtok)[0], "VAR") == 0) {
			check_item();
			items += in_list_var;
		} else if (strcmp(tok_argv(rtok)[0], "RW") == 0 ||
		    strcmp(tok_argv(rtok)[0], "CMD") == 0 ||
		    strcmp(tok_argv(rtok)[0], "ENUM") == 0 ||
		    strcmp(tok_argv(rtok)[0], "RANGE") == 0) {
			check_item();
		} else if (tok_argc(rtok) == 4 && strcmp(tok_argv(rtok)[1], "LIST") == 0 &&
		    strcmp(tok_argv(rtok)[2], "VAR") == 0) {
			if (strcmp(tok_argv(rtok)[0], "BEGIN") == 0) {
				in_list_var = 1;
				items = 0;
			} else if (strcmp(tok_argv(rtok)[0], "END") == 0) {
				if (!in_list_var || items != vt_count(ups->tree))
					abort();
				in_list_var = 0;
			}
		}
	}
	if (in_list_var)
		abort();
}

/*
 * What a client told "OK" must have reached the driver as one line that
 * parses to verb with the same name and value (value NULL: none sent).
 */
static void
check_forwarded(const struct client *c, enum sp_verb verb, const char *name,
    const char *value)
{
	struct buf *got = buf_new(64 * 1024);
	size_t off = 0, len, n = 0;
	const char *line, *err;
	struct sp_msg m;
	int ok = 0;

	/* the last reply says whether this request was forwarded */
	for (off = 0; (line = next_line(c->out, &off, &len)) != NULL;)
		ok = len >= 2 && strncmp(line, "OK", 2) == 0 && (len == 3 || line[2] == ' ');
	driver_received(got);
	for (off = 0; (line = next_line(got, &off, &len)) != NULL; n++) {
		if (tok_split(rtok, line, len) != TOK_LINE ||
		    sp_parse((int)tok_argc(rtok), tok_argv(rtok), &m, &err) != 0 ||
		    m.verb != verb || strcmp(m.name, name) != 0 ||
		    (value == NULL) != (m.value == NULL) ||
		    (value != NULL && strcmp(m.value, value) != 0))
			abort();
	}
	if (n != (size_t)ok)
		abort();
	buf_free(got);
}

static void
login(void)
{
	static const char *const user[] = { "USERNAME", "admin" };
	static const char *const pass[] = { "PASSWORD", "pw" };

	request(2, user);
	request(2, pass);
}

/* A value SET VAR should accept for v, by upsd's rules. */
static const char *
settable_value(const struct vt_var *v, char *out, size_t outlen)
{
	long min, max;

	if (vt_enum_count(v) > 0)
		return vt_enum_at(v, vt_enum_count(v) - 1);
	if (vt_range_count(v) > 0) {
		vt_range_at(v, 0, &min, &max);
		(void)str_printf(out, outlen, "%ld", max);
		return out;
	}
	if ((vt_flags(v) & VT_STRING) && vt_aux(v) >= 0 && vt_aux(v) < (long)outlen) {
		(void)str_printf(out, outlen, "%.*s", (int)vt_aux(v), vt_value(v));
		return out;
	}
	return vt_value(v);
}

static void
read_back(void)
{
	static const char *const lists[][3] = {
		{ "LIST", "VAR", "ups1" }, { "LIST", "RW", "ups1" },
		{ "LIST", "CMD", "ups1" }, { "LIST", "UPS", NULL },
		{ "GET", "NUMLOGINS", "ups1" }, { "GET", "UPSDESC", "ups1" },
	};
	static const char *const track[] = { "SET", "TRACKING", "ON" };
	char name[VT_NAME_MAX + 1], val[VT_VALUE_MAX + 1], num[32];
	struct client *c;
	size_t i, n;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		request(lists[i][2] != NULL ? 3 : 2, lists[i]);
	c = ask();
	check_replies(c);
	client_close(c, "fuzz");
	driver_received(NULL);

	n = vt_count(ups->tree);
	for (i = 0; i < n && i < VARS_ASKED; i++) {
		struct vt_var *v = vt_at(ups->tree, i);
		const char *get[] = { "GET", "VAR", "ups1", name };
		const char *type[] = { "GET", "TYPE", "ups1", name };
		const char *desc[] = { "GET", "DESC", "ups1", name };
		const char *lenum[] = { "LIST", "ENUM", "ups1", name };
		const char *lrange[] = { "LIST", "RANGE", "ups1", name };
		const char *set[] = { "SET", "VAR", "ups1", name, val };

		/* copies: the SET below goes through the tree's own checks */
		if (str_copy(name, vt_name(v), sizeof(name)) != 0 ||
		    str_copy(val, settable_value(v, num, sizeof(num)), sizeof(val)) != 0)
			abort();
		request(4, get);
		request(4, type);
		request(4, desc);
		request(4, lenum);
		request(4, lrange);
		c = ask();
		check_replies(c);
		client_close(c, "fuzz");

		login();
		if (i % 2)
			request(3, track);
		request(5, set);
		c = ask();
		check_replies(c);
		check_forwarded(c, SP_SET, name, val);
		client_close(c, "fuzz");
	}
	n = vt_cmd_count(ups->tree);
	for (i = 0; i < n && i < CMDS_ASKED; i++) {
		const char *inst[] = { "INSTCMD", "ups1", name, "1" };

		if (str_copy(name, vt_cmd_at(ups->tree, i), sizeof(name)) != 0)
			abort();
		login();
		request(i % 2 ? 4 : 3, inst);
		c = ask();
		check_replies(c);
		check_forwarded(c, SP_INSTCMD, name, i % 2 ? "1" : NULL);
		client_close(c, "fuzz");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;

	if (size > STREAM_MAX)
		return 0;
	if (!ready) {
		setup();
		ready = 1;
	}
	/* upsd connects as it does every tick, and asks for DUMPALL */
	driver_tick(ups);
	if (ups->drv.fd < 0 || (peer = accept(lfd, NULL, NULL)) < 0)
		abort();
	driver_received(NULL);
	stream = (const char *)data;
	stream_left = size;
	rounds = 0;
	ev_before_sleep(pump, NULL);
	if (ev_run() != 0)
		abort();
	read_back();	/* after a drop too: then every request has its ERR */
	driver_disconnect(ups, "fuzz");
	close(peer);
	peer = -1;
	return 0;
}
