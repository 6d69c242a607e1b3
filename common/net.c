/*
 * nutsec - net.c: every direct use of the socket API. TCP listeners are
 * resolved with getaddrinfo(AI_PASSIVE), one socket per distinct address,
 * IPv6 sockets IPv6-only so "*" can bind "::" and "0.0.0.0" side by side.
 * Accepted and listening sockets are non-blocking and close-on-exec; peer
 * addresses are numeric, with IPv4-mapped IPv6 shown as plain IPv4.
 * Client connects are non-blocking with a poll() deadline, then switched
 * back to blocking for the simple clients. Unix listeners refuse to replace
 * anything but a stale socket and are born with their final mode and group:
 * nothing is done to their name after bind, since the state directory is
 * writable by user nut, who could swap the name for a symlink meanwhile.
 * For the same reason root connects to a Unix socket only through a
 * descriptor of the name it checked (docs/sandbox.md, "Names user nut can
 * replace").
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "net.h"

static void
net_err(char *err, size_t errlen, const char *host, unsigned port, const char *why)
{
	if (err == NULL || errlen == 0)
		return;
	(void)snprintf(err, errlen, "%s port %u: %s", host, port, why);
}

/* Numeric text and port of an address; IPv4-mapped IPv6 becomes IPv4. */
static int
net_addr_text(const struct sockaddr *sa, socklen_t salen, char *text, size_t textlen,
    unsigned *port)
{
	struct sockaddr_in sin;
	const struct sockaddr_in6 *s6;

	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memset(&sin, 0, sizeof(sin));
			sin.sin_family = AF_INET;
			sin.sin_port = s6->sin6_port;
			memcpy(&sin.sin_addr, &s6->sin6_addr.s6_addr[12], 4);
			sa = (const struct sockaddr *)&sin;
			salen = sizeof(sin);
		}
	}
	if (port != NULL) {
		if (sa->sa_family == AF_INET)
			*port = ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
		else if (sa->sa_family == AF_INET6)
			*port = ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
		else
			*port = 0;
	}
	if (text == NULL)
		return 0;
	if (getnameinfo(sa, salen, text, (socklen_t)textlen, NULL, 0, NI_NUMERICHOST) != 0) {
		(void)snprintf(text, textlen, "?");
		return -1;
	}
	return 0;
}

static int
net_family_hint(int family)
{
	if (family == NET_FAMILY_V4)
		return AF_INET;
	if (family == NET_FAMILY_V6)
		return AF_INET6;
	return AF_UNSPEC;
}

/* Opens one listener on ai; 0, or -1 with errno. */
static int
net_listen_one(const struct addrinfo *ai, int backlog, struct net_listener *l)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int fd, on = 1, e, rc = -1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0)
		goto out;
	if (ai->ai_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) != 0)
		goto out;
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, backlog > 0 ? backlog : 16) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0)
		goto out;
	l->fd = fd;
	(void)net_addr_text((struct sockaddr *)&ss, sslen, l->addr, sizeof(l->addr), &l->port);
	rc = 0;
out:
	if (rc != 0) {
		e = errno;
		close(fd);
		errno = e;
	}
	return rc;
}

/* Binds every new address of one name; updates *count. */
static int
net_listen_name(const char *name, unsigned port, int family, int backlog,
    struct net_listener *out, int max, int *count, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai, *prev;
	char portstr[16];
	int rc, failed = 0, e = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = net_family_hint(family);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_PASSIVE;
	(void)snprintf(portstr, sizeof(portstr), "%u", port);
	rc = getaddrinfo(name, portstr, &hints, &res);
	if (rc != 0) {
		net_err(err, errlen, name, port, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && *count < max; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		/* Skip an address an earlier entry of this list already named. */
		for (prev = res; prev != ai; prev = prev->ai_next)
			if (prev->ai_addrlen == ai->ai_addrlen &&
			    memcmp(prev->ai_addr, ai->ai_addr, ai->ai_addrlen) == 0)
				break;
		if (prev != ai)
			continue;
		if (net_listen_one(ai, backlog, &out[*count]) == 0) {
			(*count)++;
			continue;
		}
		failed++;
		e = errno;
	}
	freeaddrinfo(res);
	if (failed > 0) {
		net_err(err, errlen, name, port, strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

int
net_listen_tcp(const char *host, unsigned port, int family, int backlog,
    struct net_listener *out, int max, char *err, size_t errlen)
{
	int count = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (host == NULL || *host == '\0' || port > 65535 || out == NULL || max <= 0 ||
	    (family != NET_FAMILY_ANY && family != NET_FAMILY_V4 &&
	    family != NET_FAMILY_V6)) {
		net_err(err, errlen, host ? host : "(null)", port,
		    "invalid listen address");
		return -1;
	}
	if (strcmp(host, "*") == 0) {
		/* Both wildcards; failure of one is reported only if none binds. */
		if (family != NET_FAMILY_V4)
			(void)net_listen_name("::", port, NET_FAMILY_V6, backlog, out, max,
			    &count, err, errlen);
		if (family != NET_FAMILY_V6 && count < max)
			(void)net_listen_name("0.0.0.0", port, NET_FAMILY_V4, backlog,
			    out, max, &count, count ? NULL : err, errlen);
	} else {
		/* Some addresses of a name may fail (no IPv6 here): keep the rest. */
		(void)net_listen_name(host, port, family, backlog, out, max, &count,
		    err, errlen);
	}
	if (count == 0) {
		if (err != NULL && errlen > 0 && err[0] == '\0')
			net_err(err, errlen, host, port,
			    "no address to listen on");
		return -1;
	}
	return count;
}

int
net_accept(int lfd, char *peer, unsigned *port)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int fd;

	do
		fd = accept4(lfd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	if (ss.ss_family == AF_UNIX) {
		if (peer != NULL)
			(void)snprintf(peer, NET_ADDRSTRLEN, "unix");
		if (port != NULL)
			*port = 0;
		return fd;
	}
	(void)net_addr_text((struct sockaddr *)&ss, sslen, peer, NET_ADDRSTRLEN, port);
	return fd;
}

/* Waits for a non-blocking connect; 0, or -1 with errno. */
static int
net_connect_wait(int fd, int timeout_ms)
{
	struct pollfd pfd;
	int rc, soerr = 0;
	socklen_t len = sizeof(soerr);

	pfd.fd = fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	do
		rc = poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : -1);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

int
net_connect_tcp(const char *host, unsigned port, int family, int timeout_ms,
    char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int fd = -1, rc, e = ECONNREFUSED;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (host == NULL || *host == '\0' || port == 0 || port > 65535) {
		net_err(err, errlen, host ? host : "(null)", port,
		    "invalid address");
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = net_family_hint(family);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	(void)snprintf(portstr, sizeof(portstr), "%u", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0) {
		net_err(err, errlen, host, port, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && net_connect_wait(fd, timeout_ms) == 0)) {
			if (net_set_nonblock(fd, 0) == 0)
				break;
		}
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		net_err(err, errlen, host, port, strerror(e));
		errno = e;
	}
	return fd;
}

/* Fills a sockaddr_un; -1 (ENAMETOOLONG/EINVAL) if path does not fit. */
static int
net_unix_addr(const char *path, struct sockaddr_un *sun)
{
	size_t len;

	if (path == NULL || *path == '\0') {
		errno = EINVAL;
		return -1;
	}
	len = strlen(path);
	memset(sun, 0, sizeof(*sun));
	if (len >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len + 1);
	return 0;
}

/*
 * Removes a socket left by a dead process. Refuses (EEXIST) to remove
 * anything that is not a socket, and (EADDRINUSE) a live one. Removing a
 * name acts on the directory entry, never through it.
 */
static int
net_unix_unlink_stale(const char *path)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	fd = net_connect_unix(path, 1);
	if (fd >= 0) {
		close(fd);
		errno = EADDRINUSE;
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT)
		return -1;
	return 0;
}

/*
 * bind() with the effective filesystem group gid, so the socket is created
 * with that group. 0, or -1 (EPERM) if the kernel did not let us take gid.
 * setfsgid answers the previous value whatever happens: a second call
 * tells whether the first one took.
 */
static int
net_bind_as_group(int fd, const struct sockaddr_un *sun, gid_t gid)
{
	gid_t old = (gid_t)setfsgid(gid);
	int rc, e;

	if ((gid_t)setfsgid(gid) != gid) {
		(void)setfsgid(old);
		errno = EPERM;
		return -1;
	}
	rc = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
	e = errno;
	(void)setfsgid(old);
	errno = e;
	return rc;
}

/*
 * Unprivileged, with gid one of our supplementary groups (setfsgid only
 * takes the real, effective or saved group): give the fresh socket away
 * through a descriptor of it, and only if that is the socket we made (ours,
 * one link). Never used by root, who creates it with the group instead.
 */
static int
net_unix_chgrp(const char *path, gid_t gid)
{
	struct stat st;
	int pfd, rc = -1, e = EPERM;

	pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -1;
	if (fstat(pfd, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_uid == geteuid() &&
	    st.st_nlink == 1) {
		rc = fchownat(pfd, "", (uid_t)-1, gid, AT_EMPTY_PATH);
		e = errno;
	}
	close(pfd);
	errno = e;
	return rc;
}

int
net_listen_unix(const char *path, unsigned mode, long gid, int backlog)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, rc, e = 0, bound = 0, chgrp = 0;

	if (net_unix_addr(path, &sun) != 0)
		return -1;
	mode &= 0777;
	if (net_unix_unlink_stale(path) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/*
	 * Born with the final mode and group, so nothing is done to the name
	 * afterwards. Linux gives the new file the mode of the unbound socket
	 * minus the umask: set both (the umask alone suffices if a security
	 * module refuses the fchmod).
	 */
	(void)fchmod(fd, (mode_t)mode);
	old = umask((mode_t)(~mode & 0777));
	if (gid < 0 || (gid_t)gid == getegid())
		rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	else if ((rc = net_bind_as_group(fd, &sun, (gid_t)gid)) != 0 && errno == EPERM &&
	    geteuid() != 0) {
		chgrp = 1;
		rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	}
	e = errno;
	(void)umask(old);
	if (rc != 0)
		goto out;
	bound = 1;
	if ((chgrp && (rc = net_unix_chgrp(path, (gid_t)gid)) != 0) ||
	    (rc = listen(fd, backlog > 0 ? backlog : 16)) != 0)
		e = errno;
out:
	if (rc != 0) {
		if (bound)
			(void)unlink(path);
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * Root connects through a descriptor of the name it looked at: the name must
 * be a socket with one link (not a symlink, not a hard link to a socket
 * elsewhere, such as a system bus), reached as /proc/self/fd/N. Without
 * /proc (ENOENT) the name itself is used.
 */
static int
net_unix_pinned(const char *path, struct sockaddr_un *sun, int *pfd)
{
	struct stat st;

	*pfd = -1;
	if (geteuid() != 0)
		return 0;
	*pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (*pfd < 0)
		return -1;
	if (fstat(*pfd, &st) != 0)
		st.st_mode = 0;
	if (!S_ISSOCK(st.st_mode) || st.st_nlink != 1) {
		close(*pfd);
		*pfd = -1;
		errno = S_ISLNK(st.st_mode) ? ELOOP : ECONNREFUSED;
		return -1;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	(void)snprintf(sun->sun_path, sizeof(sun->sun_path), "/proc/self/fd/%d", *pfd);
	return 0;
}

int
net_connect_unix(const char *path, int nonblock)
{
	struct sockaddr_un sun, byname;
	int fd, rc, e, pfd;

	if (net_unix_addr(path, &byname) != 0)
		return -1;
	sun = byname;
	if (net_unix_pinned(path, &sun, &pfd) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0) {
		e = errno;
		if (pfd >= 0)
			close(pfd);
		errno = e;
		return -1;
	}
	do
		rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	while (rc != 0 && errno == EINTR);
	if (rc != 0 && errno == ENOENT && pfd >= 0 && access("/proc/self/fd", F_OK) != 0) {
		do
			rc = connect(fd, (struct sockaddr *)&byname, sizeof(byname));
		while (rc != 0 && errno == EINTR);
	}
	e = errno;
	if (pfd >= 0)
		close(pfd);
	if (rc != 0) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
net_set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	if (on)
		fl |= O_NONBLOCK;
	else
		fl &= ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) == 0 ? 0 : -1;
}

void
net_set_nodelay(int fd)
{
	int on = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* Port text: 1..65535, digits only. */
static int
net_parse_port(const char *s, unsigned *port)
{
	unsigned long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

static int
net_copy_host(char *host, size_t hostlen, const char *s, size_t len)
{
	size_t i;

	if (len == 0) {
		s = "localhost";
		len = strlen(s);
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    s[i] == '[' || s[i] == ']' || s[i] == '/')
			return -1;
	if (len >= hostlen)
		return -1;
	memcpy(host, s, len);
	host[len] = '\0';
	return 0;
}

int
net_parse_hostport(const char *in, char *host, size_t hostlen, unsigned *port,
    unsigned def_port)
{
	const char *colon, *rb;

	if (host == NULL || hostlen == 0 || port == NULL)
		return -1;
	host[0] = '\0';
	*port = def_port;
	if (in == NULL || *in == '\0')
		return net_copy_host(host, hostlen, NULL, 0);
	if (*in == '[') {
		rb = strchr(in, ']');
		if (rb == NULL || rb == in + 1 ||
		    memchr(in + 1, ':', (size_t)(rb - in - 1)) == NULL)
			return -1;
		if (net_copy_host(host, hostlen, in + 1, (size_t)(rb - in - 1)) != 0)
			return -1;
		if (rb[1] == '\0')
			return 0;
		if (rb[1] != ':' || net_parse_port(rb + 2, port) != 0) {
			host[0] = '\0';
			return -1;
		}
		return 0;
	}
	colon = strchr(in, ':');
	if (colon == NULL)
		return net_copy_host(host, hostlen, in, strlen(in));
	if (strchr(colon + 1, ':') != NULL)
		return net_copy_host(host, hostlen, in, strlen(in));	/* bare IPv6 */
	if (net_parse_port(colon + 1, port) != 0) {
		*port = def_port;
		return -1;
	}
	if (net_copy_host(host, hostlen, in, (size_t)(colon - in)) != 0) {
		*port = def_port;
		return -1;
	}
	return 0;
}
