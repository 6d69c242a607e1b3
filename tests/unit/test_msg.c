/*
 * nutsec - test_msg.c: the parent/child message channel over real
 * socketpairs (stream and seqpacket). Every type round-trips with its
 * payload and sender id; a descriptor crosses and works on the other side.
 * A hand-made peer then sends what a compromised child might: a truncated
 * message, an oversized or wrong-sized payload, an unknown type or flag, a
 * descriptor where none may go, none where one is announced, two at once,
 * the wrong sender id; each breaks the channel with a message saying what
 * was wrong, and no descriptor is left open. A burst of thousands of
 * messages with descriptors goes through the event loop in order. The
 * parser also takes every bit flip and truncation of a valid stream
 * without crashing. alarm() guards against a hang.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ev.h"
#include "msg.h"
#include "test.h"

enum { T_HELLO = 1, T_SHUTDOWN, T_NOTIFY, T_PASSFD, T_BLOB };

struct notify {
	uint32_t event;
	char ups[64];
};

static const struct msg_type types[] = {
	{ T_HELLO, "HELLO", MSG_EXACT, sizeof(uint32_t), 0 },
	{ T_SHUTDOWN, "SHUTDOWN", MSG_EXACT, 0, 0 },
	{ T_NOTIFY, "NOTIFY", MSG_EXACT, sizeof(struct notify), 0 },
	{ T_PASSFD, "PASSFD", MSG_EXACT, 0, 1 },
	{ T_BLOB, "BLOB", MSG_MAX, 1000, 0 },
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* Open descriptors of this process, from /proc/self/fd. */
static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own */
}

/* Two channels on a new socketpair of the type: a (id 100) and b (id 200). */
static int
pair(int type, struct msg_chan **a, struct msg_chan **b)
{
	int sv[2];

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	*a = msg_chan_new(sv[0], types, NTYPES, 100, "child");
	*b = msg_chan_new(sv[1], types, NTYPES, 200, "parent");
	return *a != NULL && *b != NULL ? 0 : -1;
}

/* Reads until a message, the channel breaking, or EOF with nothing left. */
static int
get_one(struct msg_chan *c, struct msg *m)
{
	int rc, tries;
	ssize_t n;

	for (tries = 0; tries < 1000; tries++) {
		if ((rc = msg_get(c, m)) != 0)
			return rc;
		n = msg_read(c);
		if (n == 0 && (rc = msg_get(c, m)) == 0)
			return 0;
		if (n == 0)
			return rc;
		if (n < 0 && errno != EAGAIN)
			return -1;
		if (n < 0)
			usleep(1000);
	}
	return 0;
}

static void
test_table(void)
{
	static const struct msg_type big[] = {
		{ 1, "BIG", MSG_MAX, MSG_MAX_PAYLOAD + 1, 0 },
	};
	static const struct msg_type dup[] = {
		{ 1, "A", MSG_EXACT, 0, 0 }, { 1, "B", MSG_EXACT, 0, 0 },
	};
	int sv[2];

	TEST_CASE("a table with an oversized or duplicate type is refused");
	if (!CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0))
		return;
	CHECK(msg_chan_new(sv[0], big, 1, 0, "x") == NULL);
	CHECK(msg_chan_new(sv[0], dup, 2, 0, "x") == NULL);
	close(sv[0]);
	close(sv[1]);
}

static void
roundtrip(int socktype, const char *what)
{
	struct msg_chan *a, *b;
	struct notify nt;
	struct msg m;
	char blob[1000], name[96], c = 0;
	uint32_t hello = 0xdeadbeef;
	int p[2], fds0 = count_fds();

	snprintf(name, sizeof(name), "%s: every type round-trips with its sender id", what);
	TEST_CASE(name);
	if (!CHECK(pair(socktype, &a, &b) == 0))
		return;
	memset(&nt, 0, sizeof(nt));
	nt.event = 3;
	snprintf(nt.ups, sizeof(nt.ups), "ups1@localhost");
	memset(blob, 'z', sizeof(blob));
	CHECK(msg_send(a, T_HELLO, &hello, sizeof(hello), -1) == 0);
	CHECK(msg_send(a, T_SHUTDOWN, NULL, 0, -1) == 0);
	CHECK(msg_send(a, T_NOTIFY, &nt, sizeof(nt), -1) == 0);
	CHECK(msg_send(a, T_BLOB, blob, 0, -1) == 0);
	CHECK(msg_send(a, T_BLOB, blob, sizeof(blob), -1) == 0);
	CHECK(msg_pending(a) == 5 * MSG_HDR_SIZE + sizeof(hello) + sizeof(nt) + sizeof(blob));
	CHECK(msg_flush(a) == 1);
	CHECK(msg_pending(a) == 0);
	msg_expect_peer(b, 100);
	CHECK(get_one(b, &m) == 1 && m.type == T_HELLO && m.len == 4 && m.peerid == 100 &&
	    memcmp(m.data, &hello, 4) == 0 && m.fd == -1);
	CHECK(get_one(b, &m) == 1 && m.type == T_SHUTDOWN && m.len == 0);
	CHECK_STR(m.name, "SHUTDOWN");
	CHECK(get_one(b, &m) == 1 && m.type == T_NOTIFY && m.len == sizeof(nt) &&
	    strcmp(((const struct notify *)m.data)->ups, "ups1@localhost") == 0);
	CHECK(get_one(b, &m) == 1 && m.type == T_BLOB && m.len == 0);
	CHECK(get_one(b, &m) == 1 && m.type == T_BLOB && m.len == 1000 &&
	    ((const char *)m.data)[999] == 'z');
	CHECK(msg_get(b, &m) == 0);
	CHECK_STR(msg_error(b), "");

	snprintf(name, sizeof(name), "%s: a descriptor crosses and works", what);
	TEST_CASE(name);
	if (CHECK(pipe(p) == 0)) {
		/* The write end goes over; the channel closes our copy once sent. */
		CHECK(msg_send(b, T_PASSFD, NULL, 0, p[1]) == 0);
		CHECK(msg_send(b, T_HELLO, &hello, sizeof(hello), -1) == 0);
		CHECK(msg_flush(b) == 1);
		CHECK(fcntl(p[1], F_GETFD) == -1 && errno == EBADF);
		if (CHECK(get_one(a, &m) == 1 && m.type == T_PASSFD && m.fd >= 0)) {
			CHECK(write(m.fd, "k", 1) == 1);
			CHECK(read(p[0], &c, 1) == 1 && c == 'k');
			CHECK(fcntl(m.fd, F_GETFD) == FD_CLOEXEC);
			close(m.fd);
		}
		CHECK(get_one(a, &m) == 1 && m.type == T_HELLO && m.fd == -1 && m.peerid == 200);
		close(p[0]);
	}
	TEST_CASE(socktype == SOCK_STREAM ? "stream: a clean end of file" :
	    "seqpacket: a clean end of file");
	msg_chan_free(a);
	CHECK(get_one(b, &m) == 0);
	CHECK_STR(msg_error(b), "");
	msg_chan_free(b);
	CHECK_INT(count_fds(), fds0);
}

/* Sends raw bytes, with fds (nfd of them) as SCM_RIGHTS if nfd > 0. */
static int
raw_send(int fd, const void *data, size_t len, const int *fds, int nfd)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { (void *)data, len };
	struct msghdr mh;
	struct cmsghdr *cm;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfd > 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE((size_t)nfd * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN((size_t)nfd * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, (size_t)nfd * sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* A header and len payload bytes of 'p' in out; returns the total size. */
static size_t
raw_msg(char *out, uint16_t type, uint16_t flags, uint32_t len, uint32_t peer)
{
	struct msg_hdr h = { len, type, flags, peer };

	memcpy(out, &h, MSG_HDR_SIZE);
	memset(out + MSG_HDR_SIZE, 'p', len);
	return MSG_HDR_SIZE + len;
}

struct bad {
	const char *name;
	uint16_t type, flags;
	uint32_t len, peer;
	size_t cut;		/* send only this many bytes, then EOF (0: all) */
	int nfd;		/* descriptors sent with it */
	int then_good;		/* a good HELLO comes first, in the same write */
	const char *want;	/* in msg_error */
	int ngood;		/* messages delivered before the refusal */
};

static const struct bad bads[] = {
	{ "a truncated header", T_HELLO, 0, 4, 100, 6, 0, 0, "end of file inside a message", 0 },
	{ "a truncated payload", T_NOTIFY, 0, sizeof(struct notify), 100, 20, 0, 0,
	    "end of file inside a message", 0 },
	{ "an oversized payload (refused before it arrives)", T_BLOB, 0, 1001, 100,
	    MSG_HDR_SIZE, 0, 0, "payload 1001 bytes, want at most 1000", 0 },
	{ "a huge length", T_BLOB, 0, 0xffffffffu, 100, MSG_HDR_SIZE, 0, 0, "want at most", 0 },
	{ "the wrong size for an exact type", T_HELLO, 0, 3, 100, 0, 0, 0,
	    "message HELLO (type 1): payload 3 bytes, want exactly 4", 0 },
	{ "a payload where none may be", T_SHUTDOWN, 0, 1, 100, 0, 0, 0, "want exactly 0", 0 },
	{ "an unknown type", 99, 0, 0, 100, 0, 0, 0, "unknown message type 99", 0 },
	{ "type 0", 0, 0, 0, 100, 0, 0, 0, "unknown message type 0", 0 },
	{ "unknown flags", T_HELLO, 0x10, 4, 100, 0, 0, 0, "unknown flags 0x10", 0 },
	{ "a descriptor on a type that takes none", T_HELLO, MSG_F_FD, 4, 100, 0, 1, 0,
	    "carries a descriptor it may not", 0 },
	{ "an announced descriptor that is missing", T_PASSFD, MSG_F_FD, 0, 100, 0, 0, 0,
	    "lacks the descriptor", 0 },
	{ "a descriptor with no message that takes one", T_HELLO, 0, 4, 100, 0, 1, 0,
	    "a descriptor came with no message that takes one", 1 },
	{ "two descriptors at once", T_PASSFD, MSG_F_FD, 0, 100, 0, 2, 0,
	    "2 descriptors in one read", 0 },
	{ "four descriptors at once", T_PASSFD, MSG_F_FD, 0, 100, 0, 4, 0,
	    "4 descriptors in one read", 0 },
	{ "the wrong sender id", T_HELLO, 0, 4, 666, 0, 0, 0, "from id 666, expected 100", 0 },
	{ "a bad message after a good one", T_SHUTDOWN, 0, 2, 100, 0, 0, 1, "want exactly 0", 1 },
};

static void
test_malformed(int socktype)
{
	struct msg_chan *b;
	struct msg m;
	char raw[2 * MSG_HDR_SIZE + 2000], name[160];
	int sv[2], fds[4], p[2], fds0, i, rc, good;
	size_t n, k, b0;

	for (k = 0; k < sizeof(bads) / sizeof(bads[0]); k++) {
		const struct bad *t = &bads[k];

		snprintf(name, sizeof(name), "%s: %s is refused", socktype == SOCK_STREAM ?
		    "stream" : "seqpacket", t->name);
		TEST_CASE(name);
		fds0 = count_fds();
		if (!CHECK(socketpair(AF_UNIX, socktype | SOCK_CLOEXEC, 0, sv) == 0))
			continue;
		b = msg_chan_new(sv[1], types, NTYPES, 200, "child");
		msg_expect_peer(b, 100);
		n = 0;
		b0 = 0;
		if (t->then_good) {
			n = raw_msg(raw, T_HELLO, 0, 4, 100);
			b0 = n;
		}
		n += raw_msg(raw + n, t->type, t->flags, t->len > 1000 ? 0 : t->len, t->peer);
		if (t->len > 1000)
			memcpy(raw + b0, &t->len, sizeof(t->len));	/* the length, not its bytes */
		if (t->cut > 0)
			n = b0 + t->cut;
		for (i = 0; i < t->nfd; i++)
			if (pipe(p) == 0) {
				fds[i] = p[0];
				close(p[1]);
			}
		CHECK(raw_send(sv[0], raw, n, fds, t->nfd) == 0);
		for (i = 0; i < t->nfd; i++)
			close(fds[i]);
		if (t->cut > 0 || t->nfd > 0)
			shutdown(sv[0], SHUT_WR);
		good = 0;
		while ((rc = get_one(b, &m)) == 1) {
			CHECK(m.type == T_HELLO);
			if (m.fd >= 0)
				close(m.fd);
			good++;
		}
		CHECK(rc == -1);
		CHECK_INT(good, t->ngood);
		if (!CHECK(strstr(msg_error(b), t->want) != NULL))
			printf("# error: \"%s\", want \"%s\"\n", msg_error(b), t->want);
		CHECK(strncmp(msg_error(b), "child: ", 7) == 0);
		/* Broken for good: nothing more in or out. */
		CHECK(msg_get(b, &m) == -1);
		CHECK(msg_send(b, T_SHUTDOWN, NULL, 0, -1) == -1 && errno == EPIPE);
		msg_chan_free(b);
		close(sv[0]);
		CHECK_INT(count_fds(), fds0);
	}
}

/* ---- a burst through the event loop ---- */

#define BURST 5000

static struct {
	int got, bad, fds, closed;
	char why[256];
} burst;

static void
burst_msg(struct msg_chan *c, const struct msg *m, void *arg)
{
	unsigned want = (unsigned)burst.got;

	(void)c;
	(void)arg;
	if (m->type != T_BLOB || m->len != want % 1001 ||
	    (m->len > 0 && ((const unsigned char *)m->data)[m->len - 1] != (want & 0xff)))
		burst.bad++;
	if (m->fd >= 0) {
		burst.fds++;
		if (want % 97 != 0)
			burst.bad++;
		close(m->fd);
	} else if (want % 97 == 0)
		burst.bad++;
	burst.got++;
}

static void
burst_close(struct msg_chan *c, const char *why, void *arg)
{
	(void)arg;
	burst.closed++;
	snprintf(burst.why, sizeof(burst.why), "%s", why);
	msg_chan_free(c);
	ev_stop();
}

/* The sender's side: keeps the queue topped up, then closes. */
static struct msg_chan *sender;
static int sent;

static void
burst_feed(void *arg)
{
	unsigned char blob[1000];
	int p[2];

	(void)arg;
	while (sent < BURST && msg_pending(sender) < 64 * 1024) {
		size_t len = (size_t)sent % 1001;
		int fd = -1;

		memset(blob, sent & 0xff, sizeof(blob));
		if (sent % 97 == 0 && pipe(p) == 0) {
			close(p[1]);
			fd = p[0];
		}
		if (msg_send(sender, T_BLOB, blob, len, fd) != 0)
			break;
		sent++;
	}
	if (sent == BURST && msg_pending(sender) == 0) {
		msg_chan_free(sender);
		sender = NULL;
		return;
	}
	(void)ev_timer_add(1, burst_feed, NULL);
}

static void
test_burst(int socktype)
{
	static const struct msg_type btypes[] = { { T_BLOB, "BLOB", MSG_MAX, 1000, 1 } };
	struct msg_chan *rx;
	int sv[2], fds0 = count_fds();

	memset(&burst, 0, sizeof(burst));
	sent = 0;
	TEST_CASE(socktype == SOCK_STREAM ?
	    "stream: a burst of 5000 messages, every 97th with a descriptor, in order" :
	    "seqpacket: a burst of 5000 messages, every 97th with a descriptor, in order");
	if (!CHECK(socketpair(AF_UNIX, socktype | SOCK_CLOEXEC, 0, sv) == 0) ||
	    !CHECK(ev_init() == 0))
		return;
	sender = msg_chan_new(sv[0], btypes, 1, 1, "sender");
	rx = msg_chan_new(sv[1], btypes, 1, 2, "receiver");
	CHECK(msg_chan_watch(sender, burst_msg, burst_close, NULL) == 0);
	CHECK(msg_chan_watch(rx, burst_msg, burst_close, NULL) == 0);
	burst_feed(NULL);
	CHECK(ev_run() == 0);
	ev_fini();
	CHECK_INT(burst.got, BURST);
	CHECK_INT(burst.bad, 0);
	CHECK_INT(burst.fds, (BURST + 96) / 97);
	CHECK_INT(burst.closed, 1);
	CHECK_STR(burst.why, "end of file");
	CHECK_INT(count_fds(), fds0);
}

/* ---- the parser alone: every bit flip and truncation ---- */

static void
test_mutations(void)
{
	char stream[4 * MSG_HDR_SIZE + 200], mut[sizeof(stream)], err[256];
	struct msg m;
	size_t n = 0, len, bit, off, used;
	int rc, ok = 1, parsed = 0;

	TEST_CASE("the parser survives every bit flip and truncation of a valid stream");
	n += raw_msg(stream + n, T_HELLO, 0, 4, 1);
	n += raw_msg(stream + n, T_BLOB, 0, 150, 1);
	n += raw_msg(stream + n, T_PASSFD, MSG_F_FD, 0, 1);
	n += raw_msg(stream + n, T_SHUTDOWN, 0, 0, 1);
	for (bit = 0; bit <= n * 8; bit++) {
		memcpy(mut, stream, n);
		if (bit < n * 8)
			mut[bit / 8] ^= (char)(1 << (bit % 8));
		for (len = bit < n * 8 ? n : 0; len <= n; len++) {
			for (off = 0; off < len; off += used) {
				err[0] = '\0';
				rc = msg_parse(types, NTYPES, mut + off, len - off, &m, &used, err,
				    sizeof(err));
				if (rc <= 0) {
					ok &= rc == 0 || err[0] != '\0';
					break;
				}
				ok &= used >= MSG_HDR_SIZE && used <= len - off && m.fd == -1;
				parsed++;
			}
		}
	}
	CHECK(ok);
	CHECK(parsed > 0);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	alarm(60);
	test_table();
	roundtrip(SOCK_STREAM, "stream");
	roundtrip(SOCK_SEQPACKET, "seqpacket");
	test_malformed(SOCK_STREAM);
	test_malformed(SOCK_SEQPACKET);
	test_burst(SOCK_STREAM);
	test_burst(SOCK_SEQPACKET);
	test_mutations();
	return test_done();
}
