/*
 * nutsec - nullserver.c: the "do-nothing" reference server for nutbench.
 * It speaks just enough of the NUT protocol to be measured: a line that
 * starts with LIST gets a fixed 45-variable BEGIN LIST VAR block, every
 * other line gets the fixed reply VAR ups ups.status "OL". It has no
 * state, no parser and no checks, so its figures are the floor set by the
 * kernel, loopback TCP and one epoll loop. Replies for everything read
 * in one go leave in one write; a client that stops reading is no longer
 * read from once NULL_OUT_MAX bytes are queued for it.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NULL_LINE_MAX	1024	/* longer request lines close the client */
#define NULL_OUT_MAX	65536	/* queued reply bytes per client */
#define NULL_EV_BATCH	512

struct client {
	int fd;
	int reading;		/* EPOLLIN armed (off while out is full) */
	int writing;		/* EPOLLOUT armed */
	size_t inlen;
	char in[NULL_LINE_MAX];
	size_t outlen;
	char *out;		/* NULL_OUT_MAX bytes, allocated on demand */
};

static const char get_reply[] = "VAR ups ups.status \"OL\"\n";

/* 45 variables, as a small UPS would have them. */
static const char *const list_vars[][2] = {
	{ "battery.charge", "100" }, { "battery.charge.low", "10" },
	{ "battery.charge.warning", "35" }, { "battery.date", "2023-03-14" },
	{ "battery.mfr.date", "2023-01-09" }, { "battery.runtime", "2710" },
	{ "battery.runtime.low", "180" }, { "battery.temperature", "26.1" },
	{ "battery.type", "PbAc" }, { "battery.voltage", "27.2" },
	{ "battery.voltage.nominal", "24.0" }, { "device.mfr", "Null" },
	{ "device.model", "Null UPS" }, { "device.serial", "0000" },
	{ "device.type", "ups" }, { "driver.name", "null" },
	{ "driver.parameter.pollinterval", "2" },
	{ "driver.parameter.port", "none" }, { "driver.version", "0" },
	{ "input.frequency", "50.0" }, { "input.frequency.nominal", "50" },
	{ "input.sensitivity", "medium" }, { "input.transfer.high", "280" },
	{ "input.transfer.low", "170" }, { "input.voltage", "231.4" },
	{ "input.voltage.nominal", "230" }, { "output.current", "1.5" },
	{ "output.frequency", "50.0" }, { "output.voltage", "230.0" },
	{ "output.voltage.nominal", "230" }, { "ups.beeper.status", "enabled" },
	{ "ups.delay.shutdown", "20" }, { "ups.delay.start", "30" },
	{ "ups.firmware", "02.14" }, { "ups.load", "23" },
	{ "ups.mfr", "Null" }, { "ups.model", "Null UPS" },
	{ "ups.power", "348" }, { "ups.power.nominal", "1500" },
	{ "ups.realpower", "312" }, { "ups.serial", "0000" },
	{ "ups.status", "OL" }, { "ups.temperature", "28.4" },
	{ "ups.test.result", "Done and passed" }, { "ups.type", "online" },
};

static char list_reply[8192];
static size_t list_len;
static int epfd;

static void
build_list(void)
{
	size_t i;
	int n;

	n = snprintf(list_reply, sizeof(list_reply), "BEGIN LIST VAR ups\n");
	list_len = (size_t)n;
	for (i = 0; i < sizeof(list_vars) / sizeof(list_vars[0]); i++) {
		n = snprintf(list_reply + list_len,
		    sizeof(list_reply) - list_len, "VAR ups %s \"%s\"\n",
		    list_vars[i][0], list_vars[i][1]);
		if (n < 0 || (size_t)n >= sizeof(list_reply) - list_len)
			abort();	/* the table outgrew the buffer */
		list_len += (size_t)n;
	}
	n = snprintf(list_reply + list_len, sizeof(list_reply) - list_len,
	    "END LIST VAR ups\n");
	if (n < 0 || (size_t)n >= sizeof(list_reply) - list_len)
		abort();
	list_len += (size_t)n;
}

static void
client_arm(struct client *c)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = (c->reading ? EPOLLIN : 0) | (c->writing ? EPOLLOUT : 0);
	ev.data.ptr = c;
	(void)epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void
client_free(struct client *c)
{
	close(c->fd);
	free(c->out);
	free(c);
}

/* Queues a reply. Returns -1 if the client's queue would overflow. */
static int
client_queue(struct client *c, const char *s, size_t n)
{
	if (c->out == NULL && (c->out = malloc(NULL_OUT_MAX)) == NULL)
		return -1;
	if (n > NULL_OUT_MAX - c->outlen)
		return -1;
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
	return 0;
}

/* Writes what the socket takes; re-arms events. Returns -1 on error. */
static int
client_flush(struct client *c)
{
	ssize_t w;
	int reading, writing;

	if (c->outlen > 0) {
		w = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return -1;
		if (w > 0) {
			memmove(c->out, c->out + w, c->outlen - (size_t)w);
			c->outlen -= (size_t)w;
		}
	}
	if (c->outlen == 0 && c->out != NULL) {
		/* Idle clients hold no reply buffer. */
		free(c->out);
		c->out = NULL;
	}
	writing = c->outlen > 0;
	/* Stop reading while a full list reply would not fit. */
	reading = NULL_OUT_MAX - c->outlen >= list_len;
	if (writing != c->writing || reading != c->reading) {
		c->writing = writing;
		c->reading = reading;
		client_arm(c);
	}
	return 0;
}

static int
client_line(struct client *c, const char *l, size_t n)
{
	while (n > 0 && (*l == ' ' || *l == '\t')) {
		l++;
		n--;
	}
	if (n >= 4 && strncasecmp(l, "LIST", 4) == 0)
		return client_queue(c, list_reply, list_len);
	return client_queue(c, get_reply, sizeof(get_reply) - 1);
}

/* Reads and answers every complete line. Returns -1 to drop the client. */
static int
client_read(struct client *c)
{
	char buf[16384];
	size_t i, start = 0;
	ssize_t r;

	r = recv(c->fd, buf, sizeof(buf), 0);
	if (r == 0)
		return -1;
	if (r < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR) ? 0 : -1;
	for (i = 0; i < (size_t)r; i++) {
		if (buf[i] != '\n')
			continue;
		if (c->inlen > 0) {
			/* The line began in an earlier read. */
			if (i - start > sizeof(c->in) - c->inlen)
				return -1;
			memcpy(c->in + c->inlen, buf + start, i - start);
			if (client_line(c, c->in, c->inlen + (i - start)) < 0)
				return -1;
			c->inlen = 0;
		} else if (client_line(c, buf + start, i - start) < 0)
			return -1;
		start = i + 1;
	}
	if ((size_t)r - start > sizeof(c->in) - c->inlen)
		return -1;
	memcpy(c->in + c->inlen, buf + start, (size_t)r - start);
	c->inlen += (size_t)r - start;
	return client_flush(c);
}

/*
 * Accepts everything pending. Returns -1 when out of fds: the caller then
 * rests the listener for a while rather than spin on it.
 */
static int
accept_all(int lfd)
{
	struct epoll_event ev;
	struct client *c;
	int fd, one = 1;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				fprintf(stderr, "nullserver: accept: %s\n",
				    strerror(errno));
				return -1;
			}
			return 0;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->reading = 1;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			client_free(c);
	}
}

static int
listen_on(const char *host, const char *port)
{
	struct addrinfo hints, *ai;
	int fd, one = 1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((e = getaddrinfo(host, port, &hints, &ai)) != 0) {
		fprintf(stderr, "nullserver: %s: %s\n", host, gai_strerror(e));
		exit(1);
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, 4096) < 0) {
		fprintf(stderr, "nullserver: listen on %s port %s: %s\n", host,
		    port, strerror(errno));
		exit(1);
	}
	freeaddrinfo(ai);
	return fd;
}

int
main(int argc, char **argv)
{
	static struct epoll_event evs[NULL_EV_BATCH];
	static int lfd_tag;
	const char *host = "127.0.0.1", *port = "3493";
	struct epoll_event ev;
	struct rlimit rl;
	int lfd, n, i, ch, resting = 0;
	time_t resting_since = 0;

	while ((ch = getopt(argc, argv, "l:p:h")) != -1) {
		switch (ch) {
		case 'l': host = optarg; break;
		case 'p': port = optarg; break;
		default:
			fprintf(stderr,
			    "usage: nullserver [-l addr] [-p port]\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	build_list();
	lfd = listen_on(host, port);
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("nullserver: epoll_create1");
		return 1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &lfd_tag;
	(void)epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		n = epoll_wait(epfd, evs, NULL_EV_BATCH, resting ? 100 : -1);
		if (n < 0 && errno != EINTR) {
			perror("nullserver: epoll_wait");
			return 1;
		}
		if (resting && time(NULL) > resting_since) {
			resting = 0;
			(void)epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
		}
		for (i = 0; i < n; i++) {
			struct client *c = evs[i].data.ptr;
			int bad = 0;

			if (evs[i].data.ptr == &lfd_tag) {
				if (accept_all(lfd) < 0) {
					resting = 1;
					resting_since = time(NULL);
					(void)epoll_ctl(epfd, EPOLL_CTL_DEL,
					    lfd, NULL);
				}
				continue;
			}
			if (evs[i].events & EPOLLOUT)
				bad = client_flush(c) < 0;
			if (!bad && (evs[i].events &
			    (EPOLLIN | EPOLLERR | EPOLLHUP)))
				bad = client_read(c) < 0;
			if (bad)
				client_free(c);
		}
	}
}
