/*
 * nutsec - net.h: sockets. The only module that talks to the socket API
 * directly; every fd it returns is close-on-exec and non-blocking unless
 * the function says otherwise.
 */
#ifndef NUTSEC_NET_H
#define NUTSEC_NET_H

#include <stddef.h>
#include <sys/socket.h>

#define NET_ADDRSTRLEN 64	/* enough for any IPv6 text form */

#define NET_FAMILY_ANY 0
#define NET_FAMILY_V4  4
#define NET_FAMILY_V6  6

struct net_listener {
	int fd;
	char addr[NET_ADDRSTRLEN];	/* textual bound address */
	unsigned port;
};

/*
 * Opens TCP listeners for host ("*" = any of both families, a name, an IPv4
 * or IPv6 literal) and port, restricted to family (NET_FAMILY_*). Binds every
 * address the name resolves to that is not already bound (SO_REUSEADDR,
 * IPV6_V6ONLY). Fills up to max entries of out; returns the count (>= 1), or
 * -1 with a message in err (errlen bytes). Addresses of a name that fail to
 * bind while others succeed are skipped (err then names the last failure).
 */
int net_listen_tcp(const char *host, unsigned port, int family, int backlog,
    struct net_listener *out, int max, char *err, size_t errlen);

/*
 * Accepts one connection (non-blocking, close-on-exec). Writes the peer's
 * address text to peer (NET_ADDRSTRLEN) and port to *port. Returns the fd,
 * or -1 with errno (EAGAIN when none is pending).
 */
int net_accept(int lfd, char *peer, unsigned *port);

/*
 * Connects to host:port (TCP) with a timeout in milliseconds (per address;
 * <= 0: no limit), trying each resolved address in turn. Returns a
 * *blocking* fd (clients), or -1 with a message in err.
 */
int net_connect_tcp(const char *host, unsigned port, int family, int timeout_ms,
    char *err, size_t errlen);

/*
 * Creates a Unix stream listener at path: unlinks a stale socket, binds
 * so that the socket is created with the given mode (e.g. 0660) and, if
 * gid >= 0, group gid, listens. Nothing touches the name after bind.
 * Returns the fd or -1 (errno): EADDRINUSE if a live listener answers there,
 * EEXIST if the path is not a socket (it is never removed), ENAMETOOLONG if
 * it does not fit sun_path, EPERM if the group cannot be given.
 */
int net_listen_unix(const char *path, unsigned mode, long gid, int backlog);
/*
 * Connects to a Unix stream socket; non-blocking if nonblock. -1 (errno).
 * As root only a socket with one link is reached, never through a symlink
 * (ELOOP).
 */
int net_connect_unix(const char *path, int nonblock);

int net_set_nonblock(int fd, int on);
/* TCP_NODELAY on; ignores errors on non-TCP sockets. */
void net_set_nodelay(int fd);

/*
 * Parses "host[:port]" or "[v6]:port" or "v6literal"; host defaults to
 * "localhost", port to def_port. Returns 0 or -1.
 */
int net_parse_hostport(const char *in, char *host, size_t hostlen, unsigned *port,
    unsigned def_port);

#endif
