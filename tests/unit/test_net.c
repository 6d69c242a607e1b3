/*
 * nutsec - test_net.c: unit tests of the socket module on loopback (ports
 * 19000-19499 only): host[:port] parsing, TCP listen/accept/connect with
 * the fd flags each promises, "*" binding both families, IPv4-mapped peers
 * shown as IPv4, refused connects, and Unix listeners (mode, stale socket
 * replaced, live socket and foreign files left alone, long paths refused).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"
#include "test.h"

static unsigned port_base;

static void
test_hostport(void)
{
	char host[64];
	unsigned port = 0;

	TEST_CASE("hostport: names, IPv4, IPv6 in brackets and bare");
	CHECK_INT(net_parse_hostport("upshost", host, sizeof(host), &port, 3493), 0);
	CHECK_STR(host, "upshost");
	CHECK_INT(port, 3493);
	CHECK_INT(net_parse_hostport("upshost:1234", host, sizeof(host), &port, 3493), 0);
	CHECK_STR(host, "upshost");
	CHECK_INT(port, 1234);
	CHECK_INT(net_parse_hostport("10.0.0.1:65535", host, sizeof(host), &port, 1), 0);
	CHECK_STR(host, "10.0.0.1");
	CHECK_INT(port, 65535);
	CHECK_INT(net_parse_hostport("[::1]:3493", host, sizeof(host), &port, 1), 0);
	CHECK_STR(host, "::1");
	CHECK_INT(port, 3493);
	CHECK_INT(net_parse_hostport("[fe80::1%eth0]", host, sizeof(host), &port, 7), 0);
	CHECK_STR(host, "fe80::1%eth0");
	CHECK_INT(port, 7);
	CHECK_INT(net_parse_hostport("2001:db8::5", host, sizeof(host), &port, 9), 0);
	CHECK_STR(host, "2001:db8::5");
	CHECK_INT(port, 9);
	CHECK_INT(net_parse_hostport("", host, sizeof(host), &port, 3493), 0);
	CHECK_STR(host, "localhost");
	CHECK_INT(net_parse_hostport(NULL, host, sizeof(host), &port, 3493), 0);
	CHECK_STR(host, "localhost");
	CHECK_INT(net_parse_hostport(":4000", host, sizeof(host), &port, 3493), 0);
	CHECK_STR(host, "localhost");
	CHECK_INT(port, 4000);

	TEST_CASE("hostport: bad ports, brackets, lengths and bytes");
	CHECK_INT(net_parse_hostport("h:0", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("h:65536", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("h:", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("h:12a", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("h:-1", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("h: 80", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("h:0000080", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("[::1", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("[::1]x", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("[::1]:", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("[]:80", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("[host]:80", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("a b:80", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("a\nb", host, sizeof(host), &port, 1), -1);
	CHECK_INT(net_parse_hostport("averyveryverylongname", host, 8, &port, 1), -1);
	CHECK_INT(net_parse_hostport("h", host, 0, &port, 1), -1);
}

static int
fd_flag(int fd, int fdflags)
{
	if (fdflags)
		return fcntl(fd, F_GETFD) & FD_CLOEXEC;
	return fcntl(fd, F_GETFL) & O_NONBLOCK;
}

static void
test_tcp(void)
{
	struct net_listener l[4];
	char err[256], peer[NET_ADDRSTRLEN];
	unsigned port = port_base, pport = 0;
	int n, cfd, afd = -1, i;

	TEST_CASE("tcp: listen on 127.0.0.1, connect, accept");
	n = net_listen_tcp("127.0.0.1", port, NET_FAMILY_ANY, 16, l, 4, err, sizeof(err));
	CHECK_INT(n, 1);
	if (n != 1) {
		printf("# %s\n", err);
		return;
	}
	CHECK_STR(l[0].addr, "127.0.0.1");
	CHECK_INT(l[0].port, port);
	CHECK(fd_flag(l[0].fd, 0) && fd_flag(l[0].fd, 1));
	errno = 0;
	CHECK_INT(net_accept(l[0].fd, peer, &pport), -1);
	CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
	cfd = net_connect_tcp("127.0.0.1", port, NET_FAMILY_ANY, 2000, err, sizeof(err));
	CHECK(cfd >= 0);
	CHECK(!fd_flag(cfd, 0));	/* clients get a blocking fd */
	CHECK(fd_flag(cfd, 1));
	for (i = 0; i < 100 && afd < 0; i++) {
		afd = net_accept(l[0].fd, peer, &pport);
		if (afd < 0)
			usleep(10000);
	}
	CHECK(afd >= 0);
	CHECK_STR(peer, "127.0.0.1");
	CHECK(pport > 0);
	CHECK(fd_flag(afd, 0) && fd_flag(afd, 1));
	net_set_nodelay(afd);
	CHECK_INT(write(cfd, "PING\n", 5), 5);
	{
		char b[8];
		ssize_t r = -1;
		for (i = 0; i < 100 && r < 0; i++) {
			r = read(afd, b, sizeof(b));
			if (r < 0)
				usleep(10000);
		}
		CHECK_INT(r, 5);
	}
	close(cfd);
	close(afd);

	TEST_CASE("tcp: binding the same address twice fails with a message");
	err[0] = '\0';
	CHECK_INT(net_listen_tcp("127.0.0.1", port, NET_FAMILY_ANY, 16, l + 1, 3, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "127.0.0.1") != NULL);
	close(l[0].fd);

	TEST_CASE("tcp: refused connect and bad arguments report errors");
	err[0] = '\0';
	CHECK_INT(net_connect_tcp("127.0.0.1", port, NET_FAMILY_ANY, 1000, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "refused") != NULL);
	CHECK_INT(net_connect_tcp("127.0.0.1", 0, NET_FAMILY_ANY, 1000, err, sizeof(err)), -1);
	CHECK_INT(net_connect_tcp("no.such.host.invalid", port, NET_FAMILY_ANY, 1000, err,
	    sizeof(err)), -1);
	CHECK(err[0] != '\0');
	CHECK_INT(net_listen_tcp("127.0.0.1", port, 5, 16, l, 4, err, sizeof(err)), -1);
	CHECK_INT(net_listen_tcp("", port, NET_FAMILY_ANY, 16, l, 4, err, sizeof(err)), -1);
	CHECK_INT(net_listen_tcp("::1", port, NET_FAMILY_V4, 16, l, 4, err, sizeof(err)), -1);
	CHECK_INT(net_listen_tcp("127.0.0.1", 70000, NET_FAMILY_ANY, 16, l, 4, err,
	    sizeof(err)), -1);

	TEST_CASE("tcp: localhost restricted to IPv4 binds only 127.0.0.1");
	n = net_listen_tcp("localhost", port + 1, NET_FAMILY_V4, 16, l, 4, err, sizeof(err));
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(l[0].addr, "127.0.0.1");
		close(l[0].fd);
	}
}

/* Whether this host can bind ::1 at all (containers may lack IPv6). */
static int
have_ipv6(void)
{
	struct sockaddr_in6 s6;
	int fd = socket(AF_INET6, SOCK_STREAM, 0), ok;

	if (fd < 0)
		return 0;
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&s6, sizeof(s6)) == 0;
	close(fd);
	return ok;
}

static void
test_tcp_v6(void)
{
	struct net_listener l[4];
	char err[256], peer[NET_ADDRSTRLEN];
	unsigned port = port_base + 2, pport;
	int n, i, cfd, afd = -1, lfd, off = 0;
	struct sockaddr_in6 s6;

	if (!have_ipv6()) {
		printf("# no IPv6 on this host: IPv6 cases skipped\n");
		return;
	}
	TEST_CASE("tcp: \"*\" binds :: and 0.0.0.0 side by side");
	n = net_listen_tcp("*", port, NET_FAMILY_ANY, 16, l, 4, err, sizeof(err));
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(l[0].addr, "::");
		CHECK_STR(l[1].addr, "0.0.0.0");
		cfd = net_connect_tcp("::1", port, NET_FAMILY_V6, 2000, err, sizeof(err));
		CHECK(cfd >= 0);
		for (i = 0; i < 100 && afd < 0; i++) {
			afd = net_accept(l[0].fd, peer, &pport);
			if (afd < 0)
				usleep(10000);
		}
		CHECK(afd >= 0);
		CHECK_STR(peer, "::1");
		close(afd);
		close(cfd);
		close(l[0].fd);
		close(l[1].fd);
	}

	TEST_CASE("tcp: an IPv4-mapped peer is shown as IPv4");
	/* Another test (or a TIME_WAIT left by one) may hold a port of ours:
	   try a few before calling it a failure. */
	for (i = 0, lfd = -1; i < 40 && lfd < 0; i++) {
		lfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		s6.sin6_port = htons((uint16_t)(port + 1 + (unsigned)i * 7));
		s6.sin6_addr = in6addr_any;
		(void)setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		if (bind(lfd, (struct sockaddr *)&s6, sizeof(s6)) != 0 || listen(lfd, 4) != 0) {
			close(lfd);
			lfd = -1;
		}
	}
	if (CHECK(lfd >= 0)) {
		cfd = net_connect_tcp("127.0.0.1", ntohs(s6.sin6_port), NET_FAMILY_V4, 2000, err,
		    sizeof(err));
		CHECK(cfd >= 0);
		afd = -1;
		for (i = 0; i < 100 && afd < 0; i++) {
			afd = net_accept(lfd, peer, &pport);
			if (afd < 0)
				usleep(10000);
		}
		CHECK(afd >= 0);
		CHECK_STR(peer, "127.0.0.1");
		if (afd >= 0)
			close(afd);
		if (cfd >= 0)
			close(cfd);
	}
	close(lfd);
}

static void
test_unix(void)
{
	char dir[] = "/tmp/nutsec-test-net-XXXXXX", path[256], longp[200];
	struct stat st;
	char peer[NET_ADDRSTRLEN];
	unsigned pport = 99;
	int lfd, cfd, afd = -1, fd2, i;

	TEST_CASE("unix: listen with mode 0660, connect, accept");
	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	snprintf(path, sizeof(path), "%s/dummy-ups-UPS1", dir);
	lfd = net_listen_unix(path, 0660, -1, 16);
	CHECK(lfd >= 0);
	CHECK(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0660);
	CHECK(fd_flag(lfd, 0) && fd_flag(lfd, 1));
	cfd = net_connect_unix(path, 1);
	CHECK(cfd >= 0);
	CHECK(fd_flag(cfd, 0) && fd_flag(cfd, 1));
	for (i = 0; i < 100 && afd < 0; i++) {
		afd = net_accept(lfd, peer, &pport);
		if (afd < 0)
			usleep(10000);
	}
	CHECK(afd >= 0);
	CHECK_STR(peer, "unix");
	CHECK_INT(pport, 0);
	close(afd);
	close(cfd);
	cfd = net_connect_unix(path, 0);
	CHECK(cfd >= 0 && !fd_flag(cfd, 0));
	close(cfd);

	TEST_CASE("unix: a live socket is not replaced");
	errno = 0;
	CHECK_INT(net_listen_unix(path, 0660, -1, 16), -1);
	CHECK_INT(errno, EADDRINUSE);

	TEST_CASE("unix: a stale socket is replaced, with the new mode");
	close(lfd);
	lfd = net_listen_unix(path, 0600, -1, 16);
	CHECK(lfd >= 0);
	CHECK(lstat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	close(lfd);

	TEST_CASE("unix: a file that is not a socket is left alone");
	unlink(path);
	fd2 = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd2);
	errno = 0;
	CHECK_INT(net_listen_unix(path, 0660, -1, 16), -1);
	CHECK_INT(errno, EEXIST);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	unlink(path);

	TEST_CASE("unix: paths too long or empty are refused");
	memset(longp, 'p', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	errno = 0;
	CHECK_INT(net_listen_unix(longp, 0660, -1, 16), -1);
	CHECK_INT(errno, ENAMETOOLONG);
	CHECK_INT(net_connect_unix(longp, 0), -1);
	CHECK_INT(net_listen_unix("", 0660, -1, 16), -1);
	errno = 0;
	CHECK_INT(net_connect_unix(path, 0), -1);
	CHECK_INT(errno, ENOENT);
	rmdir(dir);
}

int
main(void)
{
	/* Spread concurrent runs over the range 19000-19499. */
	port_base = 19000 + (unsigned)(getpid() % 120) * 4;
	alarm(30);
	test_hostport();
	test_tcp();
	test_tcp_v6();
	test_unix();
	return test_done();
}
