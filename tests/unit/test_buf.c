/*
 * nutsec - test_buf.c: unit tests of the bounded buffer: caps (put, putf,
 * read), line finding at and around the limit, compaction after partial
 * consumes, release of memory when empty, and fd I/O on a socketpair
 * including EAGAIN, EOF and a full buffer, and the abort on misuse.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "test.h"

static void
test_put_and_cap(void)
{
	struct buf *b = buf_new(10);

	TEST_CASE("put up to max_size, refuse past it");
	CHECK_INT(buf_max(b), 10);
	CHECK_INT(buf_len(b), 0);
	CHECK_STR(buf_peek(b), "");
	CHECK_INT(buf_put(b, "hello", 5), 0);
	CHECK_INT(buf_put(b, "world", 5), 0);
	CHECK_INT(buf_len(b), 10);
	CHECK(memcmp(buf_peek(b), "helloworld", 10) == 0);
	CHECK_INT(buf_put(b, "!", 1), -1);
	CHECK_INT(buf_len(b), 10);
	CHECK_INT(buf_put(b, "", 0), 0);
	buf_consume(b, 5);
	CHECK_INT(buf_len(b), 5);
	CHECK(memcmp(buf_peek(b), "world", 5) == 0);
	/* Room is made by compaction, not growth past the cap. */
	CHECK_INT(buf_put(b, "12345", 5), 0);
	CHECK(memcmp(buf_peek(b), "world12345", 10) == 0);
	CHECK_INT(buf_put(b, "x", 1), -1);
	buf_consume(b, 10);
	CHECK_INT(buf_len(b), 0);
	CHECK_STR(buf_peek(b), "");
	buf_free(b);
	buf_free(NULL);

	TEST_CASE("hard cap on max_size");
	b = buf_new((size_t)BUF_HARD_MAX * 4);
	CHECK_INT(buf_max(b), BUF_HARD_MAX);
	buf_free(b);
}

static void
test_putf(void)
{
	struct buf *b = buf_new(32);
	char big[64];

	TEST_CASE("putf formats, grows, and appends nothing on overflow");
	CHECK_INT(buf_putf(b, "VAR %s %s \"%d\"\n", "ups", "x", 42), 0);
	CHECK_INT(buf_len(b), strlen("VAR ups x \"42\"\n"));
	CHECK(memcmp(buf_peek(b), "VAR ups x \"42\"\n", buf_len(b)) == 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(buf_putf(b, "%s", big), -1);
	CHECK_INT(buf_len(b), 15);
	CHECK_INT(buf_putf(b, "%.17s", big), 0);
	CHECK_INT(buf_len(b), 32);
	CHECK_INT(buf_putf(b, "%s", ""), 0);
	CHECK_INT(buf_putf(b, "x"), -1);
	buf_free(b);

	TEST_CASE("putf across many growth steps");
	b = buf_new(100000);
	{
		int i, ok = 1;
		for (i = 0; i < 10000 && ok; i++)
			ok = buf_putf(b, "%04d\n", i % 10000) == 0;
		CHECK(ok);
		CHECK_INT(buf_len(b), 50000);
		CHECK(memcmp(buf_peek(b) + 5 * 1234, "1234\n", 5) == 0);
	}
	buf_free(b);
}

static void
test_line(void)
{
	struct buf *b = buf_new(1024);
	size_t len = 0;

	TEST_CASE("line: none, partial, complete, over the limit");
	CHECK_INT(buf_line(b, 10, &len), 0);
	buf_put(b, "abc", 3);
	CHECK_INT(buf_line(b, 10, &len), 0);
	buf_put(b, "\nde", 3);
	CHECK_INT(buf_line(b, 10, &len), 1);
	CHECK_INT(len, 4);
	buf_consume(b, len);
	CHECK_INT(buf_line(b, 10, &len), 0);
	buf_put(b, "fghijkl", 7);	/* "defghijkl": 9 bytes, no LF */
	CHECK_INT(buf_line(b, 10, &len), 0);
	buf_put(b, "\n", 1);		/* exactly 10 with its LF */
	CHECK_INT(buf_line(b, 10, &len), 1);
	CHECK_INT(len, 10);
	buf_consume(b, len);
	buf_put(b, "0123456789", 10);	/* 10 bytes and no LF: over */
	CHECK_INT(buf_line(b, 10, &len), -1);
	buf_put(b, "\n", 1);		/* LF at index 10: still over */
	CHECK_INT(buf_line(b, 10, &len), -1);
	CHECK_INT(buf_line(b, 11, &len), 1);
	CHECK_INT(len, 11);
	buf_reset(b);
	CHECK_INT(buf_len(b), 0);

	TEST_CASE("line: several pipelined lines in one buffer");
	buf_put(b, "a\nbb\n\nccc", 9);
	CHECK_INT(buf_line(b, 512, &len), 1);
	CHECK_INT(len, 2);
	buf_consume(b, len);
	CHECK_INT(buf_line(b, 512, &len), 1);
	CHECK_INT(len, 3);
	buf_consume(b, len);
	CHECK_INT(buf_line(b, 512, &len), 1);
	CHECK_INT(len, 1);
	buf_consume(b, len);
	CHECK_INT(buf_line(b, 512, &len), 0);
	CHECK_INT(buf_len(b), 3);
	buf_free(b);
}

static void
test_compaction(void)
{
	struct buf *b = buf_new(256);
	char chunk[40], want[40];
	unsigned i, j, ok = 1, seq_in = 0, seq_out = 0;

	TEST_CASE("interleaved put/consume keeps the bytes in order");
	for (i = 0; i < 2000 && ok; i++) {
		size_t n = 1 + (i * 7) % sizeof(chunk);
		for (j = 0; j < n; j++)
			chunk[j] = (char)(seq_in + j);
		if (buf_put(b, chunk, n) == 0)
			seq_in += (unsigned)n;
		n = (i * 13) % (buf_len(b) + 1);
		if (n > sizeof(want))
			n = sizeof(want);
		for (j = 0; j < n; j++)
			want[j] = (char)(seq_out + j);
		if (memcmp(buf_peek(b), want, n) != 0)
			ok = 0;
		buf_consume(b, n);
		seq_out += (unsigned)n;
		if (buf_len(b) != seq_in - seq_out)
			ok = 0;
	}
	CHECK(ok);
	CHECK(buf_len(b) <= 256);
	buf_free(b);
}

static void
test_fd_io(void)
{
	struct buf *b = buf_new(64), *out;
	int sv[2];
	ssize_t n;
	char big[200];

	TEST_CASE("read_fd: data, EAGAIN, full, EOF");
	if (!CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0))
		return;
	errno = 0;
	CHECK_INT(buf_read_fd(b, sv[0], 512), -1);
	CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
	CHECK_INT(buf_len(b), 0);
	CHECK_INT(write(sv[1], "PING\n", 5), 5);
	CHECK_INT(buf_read_fd(b, sv[0], 512), 5);
	CHECK(memcmp(buf_peek(b), "PING\n", 5) == 0);
	memset(big, 'z', sizeof(big));
	CHECK_INT(write(sv[1], big, sizeof(big)), sizeof(big));
	/* Only 59 more fit. */
	CHECK_INT(buf_read_fd(b, sv[0], 512), 59);
	CHECK_INT(buf_len(b), 64);
	errno = 0;
	CHECK_INT(buf_read_fd(b, sv[0], 512), -1);
	CHECK_INT(errno, ENOBUFS);
	buf_consume(b, 64);
	CHECK_INT(buf_read_fd(b, sv[0], 10), 10);
	buf_reset(b);
	CHECK_INT(buf_read_fd(b, sv[0], 512), 64);
	buf_reset(b);
	CHECK_INT(buf_read_fd(b, sv[0], 512), 64);
	buf_reset(b);
	CHECK_INT(buf_read_fd(b, sv[0], 512), sizeof(big) - 59 - 10 - 64 - 64);
	CHECK_INT(buf_len(b), 3);
	close(sv[1]);
	buf_reset(b);
	CHECK_INT(buf_read_fd(b, sv[0], 512), 0);
	CHECK_INT(buf_len(b), 0);
	close(sv[0]);

	TEST_CASE("write_fd: partial writes, EAGAIN returns 0, then drains");
	if (!CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0))
		return;
	{
		int sz = 4096;
		size_t total = 0, got = 0;
		char rd[8192];
		ssize_t r;

		(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		out = buf_new(1 << 20);
		while (buf_len(out) < (1 << 20) - 100)
			buf_putf(out, "SETINFO ups.status \"OL\"\n");
		total = buf_len(out);
		n = 1;
		while (n > 0)
			n = buf_write_fd(out, sv[0]);
		CHECK_INT(n, 0);	/* EAGAIN once the socket is full */
		CHECK(buf_len(out) > 0);
		CHECK(buf_len(out) < total);
		while (buf_len(out) > 0 || got < total) {
			n = buf_write_fd(out, sv[0]);
			if (n < 0)
				break;
			r = read(sv[1], rd, sizeof(rd));
			if (r > 0)
				got += (size_t)r;
			else if (r < 0 && errno != EAGAIN)
				break;
		}
		CHECK_INT(got, total);
		CHECK_INT(buf_len(out), 0);
		CHECK_INT(buf_write_fd(out, sv[0]), 0);
		close(sv[1]);
		buf_put(out, "x\n", 2);
		errno = 0;
		CHECK_INT(buf_write_fd(out, sv[0]), -1);
		CHECK_INT(errno, EPIPE);
		buf_free(out);
		close(sv[0]);
	}

	TEST_CASE("write_fd on a pipe (not a socket)");
	{
		int p[2];
		char rd[16];
		if (CHECK(pipe(p) == 0)) {
			buf_reset(b);
			buf_put(b, "hello\n", 6);
			CHECK_INT(buf_write_fd(b, p[1]), 6);
			CHECK_INT(buf_len(b), 0);
			CHECK_INT(read(p[0], rd, sizeof(rd)), 6);
			close(p[0]);
			close(p[1]);
		}
	}
	buf_free(b);
}

/* Consuming past the end is a caller bug: the process must abort. */
static void
test_abort(void)
{
	pid_t pid;
	int status = 0;

	TEST_CASE("consume past the end aborts");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct buf *b = buf_new(16);
		/* Keep the expected abort quiet in the test log. */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(2);
		buf_put(b, "abc", 3);
		buf_consume(b, 4);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

static void
test_space(void)
{
	struct buf *b = buf_new(64);
	char *p;

	TEST_CASE("space/commit: zero-copy appends within the cap");
	p = buf_space(b, 10);
	CHECK(p != NULL);
	if (p != NULL) {
		memcpy(p, "VAR x \"1\"\n", 10);
		CHECK_INT(buf_len(b), 0);	/* nothing until the commit */
		buf_commit(b, 10);
	}
	CHECK_INT(buf_len(b), 10);
	CHECK(memcmp(buf_peek(b), "VAR x \"1\"\n", 10) == 0);
	p = buf_space(b, 54);
	CHECK(p != NULL);
	if (p != NULL) {
		memcpy(p, "ab", 2);
		buf_commit(b, 2);	/* commit less than asked */
	}
	CHECK_INT(buf_len(b), 12);
	CHECK(buf_space(b, 53) == NULL);	/* 12 + 53 > 64 */
	CHECK(buf_space(b, 52) != NULL);
	buf_commit(b, 0);
	CHECK_INT(buf_len(b), 12);
	buf_consume(b, 12);
	CHECK(buf_space(b, 64) != NULL);
	buf_commit(b, 64);
	CHECK_INT(buf_len(b), 64);
	buf_free(b);
}

static void
test_abort_commit(void)
{
	pid_t pid;
	int status = 0;

	TEST_CASE("commit without (or past) buf_space aborts");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct buf *b = buf_new(16);
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(2);
		(void)buf_space(b, 4);
		buf_put(b, "x", 1);	/* voids the space */
		buf_commit(b, 4);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

int
main(void)
{
	test_put_and_cap();
	test_putf();
	test_line();
	test_compaction();
	test_fd_io();
	test_abort();
	test_space();
	test_abort_commit();
	return test_done();
}
