/*
 * nutsec - tlsbench.c: the TLS phase of the benchmark, for any upsd that
 * answers STARTTLS (ours or NUT's). A client of its own on NSS, with no
 * certificate checks (it measures, it does not verify), runs four bounded
 * phases and prints "key value unit" lines like nutbench:
 *
 *   full handshakes   connect, STARTTLS, a handshake the client's session
 *                     cache may not shorten, PROTVER, close; one after the
 *                     other in each of -c client processes (this program
 *                     again, -W), so that the clients are not what limits
 *                     the server: handshakes/s and server CPU per handshake
 *   resumed           the same with the session cache on (TLS 1.3 tickets
 *                     or session ids): handshakes/s, CPU, share resumed
 *   GET VAR in TLS    one session, request after request: requests/s
 *   idle sessions     n sessions opened and held: server RSS per session
 *                     just after opening (fresh) and after 5 s of quiet
 *                     (idle); then all closed: RSS against before
 *
 * Server figures come from /proc (procstat.c) when -P gives its pid. The
 * key suffix (-k, e.g. "ec") names the server's key in the table. -R
 * instead measures what NSS alone needs on this machine for one RSA-2048
 * and one EC P-256 signature and one X25519 exchange: the floor of a full
 * handshake's server CPU. -x runs only the phases named (full, resumed,
 * get, idle), e.g. to profile one. -D talks TLS from the first byte, with
 * no STARTTLS and no PROTVER, to time a server that is not a NUT server:
 * NSS's own selfserv, what a full handshake costs with NSS and no server
 * code of ours or NUT's around it (full and resumed phases only).
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <keyhi.h>
#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secoid.h>
#include <prio.h>
#include <private/pprio.h>
#include <ssl.h>
#include <sslproto.h>

#include "bench.h"

struct topts {
	const char *host, *port, *ups, *var, *key;
	const char *phases;	/* -x: the phases to run, NULL all */
	int pid;
	unsigned ms;		/* each timed phase */
	unsigned idle;		/* sessions held in the idle phase */
	unsigned procs;		/* -c: client processes of the handshake phases */
	int worker;		/* -W: one such process (0 none, 1 full, 2 resumed) */
	int direct;		/* -D: TLS from the first byte, no NUT protocol */
};

static struct topts t = { "127.0.0.1", "3493", "bench", "ups.status", "", NULL, 0, 2000,
    500, 1, 0, 0 };

struct sess {
	PRFileDesc *ssl;
};

static void
usage(void)
{
	fprintf(stderr, "usage: tlsbench [-H host] [-p port] [-u ups] [-v var] [-P pid]\n"
	    "                [-t seconds] [-i idle] [-k keyname] [-c procs]\n"
	    "                [-x full,resumed,get,idle] [-D]\n"
	    "       tlsbench -R   (NSS's own signature and key exchange costs)\n");
	exit(2);
}

static SECStatus
accept_any(void *arg, PRFileDesc *fd, PRBool checksig, PRBool isserver)
{
	return SECSuccess;	/* a benchmark: nothing is verified */
}

/* A connected TCP socket to the server, or -1. */
static int
tcp_connect(void)
{
	struct addrinfo hints, *ai = NULL;
	int fd, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(t.host, t.port, &hints, &ai) != 0 || ai == NULL)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* No Nagle: a handshake's small flights must not wait for delayed ACKs. */
	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* Reads one line (blocking, on fd or ssl) into buf. 0 or -1. */
static int
read_line(int fd, PRFileDesc *ssl, char *buf, size_t len)
{
	size_t n = 0;
	char ch;

	while (n + 1 < len) {
		int r = ssl != NULL ? PR_Recv(ssl, &ch, 1, 0, PR_INTERVAL_NO_TIMEOUT) :
		    (int)recv(fd, &ch, 1, 0);

		if (r <= 0)
			return -1;
		if (ch == '\n')
			break;
		buf[n++] = ch;
	}
	buf[n] = '\0';
	return 0;
}

static int
ssl_send(PRFileDesc *ssl, const char *s)
{
	int len = (int)strlen(s);

	return PR_Send(ssl, s, len, 0, PR_INTERVAL_NO_TIMEOUT) == len ? 0 : -1;
}

/*
 * One TLS session: STARTTLS, handshake (cache: may resume), PROTVER; with
 * -D the handshake alone. *resumed says whether it did. 0 with s->ssl
 * set, or -1.
 */
static int
sess_open(struct sess *s, int cache, int *resumed)
{
	SSLChannelInfo ci;
	char line[256];
	PRFileDesc *tcp, *ssl;
	int fd = tcp_connect();

	s->ssl = NULL;
	if (fd < 0)
		return -1;
	if ((!t.direct && (send(fd, "STARTTLS\n", 9, MSG_NOSIGNAL) != 9 ||
	    read_line(fd, NULL, line, sizeof(line)) != 0 || strcmp(line, "OK STARTTLS") != 0)) ||
	    (tcp = PR_ImportTCPSocket(fd)) == NULL) {
		close(fd);
		return -1;
	}
	if ((ssl = SSL_ImportFD(NULL, tcp)) == NULL) {
		PR_Close(tcp);
		return -1;
	}
	if (SSL_OptionSet(ssl, SSL_HANDSHAKE_AS_CLIENT, PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(ssl, SSL_NO_CACHE, cache ? PR_FALSE : PR_TRUE) != SECSuccess ||
	    SSL_OptionSet(ssl, SSL_ENABLE_SESSION_TICKETS, cache ? PR_TRUE : PR_FALSE) != SECSuccess ||
	    SSL_AuthCertificateHook(ssl, accept_any, NULL) != SECSuccess ||
	    SSL_SetURL(ssl, "localhost") != SECSuccess ||
	    SSL_SetSockPeerID(ssl, "tlsbench") != SECSuccess ||
	    SSL_ResetHandshake(ssl, PR_FALSE) != SECSuccess ||
	    SSL_ForceHandshake(ssl) != SECSuccess || (!t.direct &&
	    (ssl_send(ssl, "PROTVER\n") != 0 || read_line(-1, ssl, line, sizeof(line)) != 0))) {
		PR_Close(ssl);
		return -1;
	}
	if (resumed != NULL)
		*resumed = SSL_GetChannelInfo(ssl, &ci, sizeof(ci)) == SECSuccess &&
		    ci.resumed;
	s->ssl = ssl;
	return 0;
}

static void
sess_close(struct sess *s)
{
	if (s->ssl != NULL)
		PR_Close(s->ssl);
	s->ssl = NULL;
}

static int
server_stat(struct procstat *ps)
{
	return t.pid > 0 ? procstat_read(t.pid, ps) : -1;
}

/* Sessions one after the other for t.ms in this process: counts, seconds. */
static double
handshake_loop(int cache, unsigned long *n, unsigned long *resumed, unsigned long *failed)
{
	uint64_t start = now_ns(), end = start + (uint64_t)t.ms * 1000000u;
	struct sess s;
	int r = 0;

	*n = *resumed = *failed = 0;
	while (now_ns() < end) {
		if (sess_open(&s, cache, &r) != 0) {
			if (++*failed > 100 && *n == 0)
				break;
			continue;
		}
		++*n;
		*resumed += r != 0;
		sess_close(&s);
	}
	return (double)(now_ns() - start) / 1e9;
}

/* -W: one client process of a handshake phase; prints "n resumed failed secs". */
static int
worker(void)
{
	unsigned long n, resumed, failed;
	double secs = handshake_loop(t.worker == 2, &n, &resumed, &failed);

	printf("%lu %lu %lu %.6f\n", n, resumed, failed, secs);
	return 0;
}

/*
 * t.procs client processes (this program again, -W), so that the clients
 * are not what limits the server: their summed rate and counts. 0 or -1.
 */
static int
handshake_procs(int cache, double *rate, unsigned long *n, unsigned long *resumed,
    unsigned long *failed)
{
	char tsecs[32], mode[4], line[128];
	pid_t kids[64];
	FILE *out[64];
	unsigned i, started = 0;
	int rc = 0;

	*rate = 0;
	*n = *resumed = *failed = 0;
	(void)snprintf(tsecs, sizeof(tsecs), "%.3f", t.ms / 1000.0);
	(void)snprintf(mode, sizeof(mode), "%d", cache ? 2 : 1);
	for (i = 0; i < t.procs && i < 64; i++) {
		int fds[2];
		pid_t pid;

		if (pipe(fds) != 0)
			break;
		fflush(stdout);
		if ((pid = fork()) == 0) {
			close(fds[0]);
			if (dup2(fds[1], 1) < 0)
				_exit(1);
			char *args[] = { "tlsbench", "-H", (char *)t.host, "-p", (char *)t.port,
			    "-t", tsecs, "-W", mode, t.direct ? "-D" : NULL, NULL };

			execv("/proc/self/exe", args);
			_exit(127);
		}
		close(fds[1]);
		if (pid < 0) {
			close(fds[0]);
			break;
		}
		kids[started] = pid;
		if ((out[started] = fdopen(fds[0], "r")) == NULL) {
			close(fds[0]);
			rc = -1;
		}
		started++;
	}
	for (i = 0; i < started; i++) {
		unsigned long a, b, c;
		double secs;

		if (out[i] != NULL && fgets(line, sizeof(line), out[i]) != NULL &&
		    sscanf(line, "%lu %lu %lu %lf", &a, &b, &c, &secs) == 4 && secs > 0) {
			*n += a;
			*resumed += b;
			*failed += c;
			*rate += a / secs;
		} else
			rc = -1;
		if (out[i] != NULL)
			fclose(out[i]);
		(void)waitpid(kids[i], NULL, 0);
	}
	return started == t.procs && rc == 0 ? 0 : -1;
}

/*
 * Full or resumed handshakes for t.ms, from t.procs client processes:
 * rate, server CPU per handshake, share resumed.
 */
static void
phase_handshakes(const char *name, int cache)
{
	struct procstat a, b;
	unsigned long n = 0, failed = 0, resumed = 0;
	int have = server_stat(&a) == 0;
	double rate;

	if (t.procs > 1) {
		if (handshake_procs(cache, &rate, &n, &resumed, &failed) != 0)
			printf("# tls.%s: a client process failed\n", name);
	} else {
		double secs = handshake_loop(cache, &n, &resumed, &failed);

		rate = n / secs;
	}
	printf("tls.%s%s %.0f hs/s\n", name, t.key, rate);
	if (have && n > 0 && server_stat(&b) == 0)
		printf("tls.%s%s.cpu %.3f ms/hs\n", name, t.key,
		    (double)(b.ticks - a.ticks) * 1000.0 / (double)procstat_hz() / (double)n);
	if (cache)
		printf("tls.%s%s.share %.0f %%\n", name, t.key, n ? 100.0 * resumed / n : 0.0);
	if (failed > 0)
		printf("# tls.%s: %lu session(s) failed\n", name, failed);
}

/* GET VAR after GET VAR in one session for t.ms. */
static void
phase_get(void)
{
	char req[256], line[512];
	uint64_t start, end;
	unsigned long n = 0;
	struct sess s;

	if (sess_open(&s, 0, NULL) != 0) {
		printf("# tls.get: no session\n");
		return;
	}
	(void)snprintf(req, sizeof(req), "GET VAR %s %s\n", t.ups, t.var);
	start = now_ns();
	end = start + (uint64_t)t.ms * 1000000u;
	while (now_ns() < end) {
		if (ssl_send(s.ssl, req) != 0 || read_line(-1, s.ssl, line, sizeof(line)) != 0 ||
		    strncmp(line, "VAR ", 4) != 0) {
			printf("# tls.get: bad reply '%.60s'\n", line);
			break;
		}
		n++;
	}
	printf("tls.get%s %.0f req/s\n", t.key, n / ((double)(now_ns() - start) / 1e9));
	sess_close(&s);
}

/* t.idle sessions held: RSS per session; all closed: RSS against before. */
#define IDLE_WAIT_S 5
static void
phase_idle(void)
{
	struct procstat before, fresh, held, after;
	struct sess *v = calloc(t.idle ? t.idle : 1, sizeof(*v));
	unsigned i, open = 0;

	if (v == NULL || server_stat(&before) != 0) {
		printf("# tls.idle: needs -P\n");
		free(v);
		return;
	}
	for (i = 0; i < t.idle; i++)
		if (sess_open(&v[i], 0, NULL) == 0)
			open++;
	/* Just opened (the handshake done, nothing sent since), then idle:
	   quiet for longer than a server may wait before shedding state
	   (nutsec: 2 s, then at most 1 s for its tick and 1 s to trim). */
	usleep(300000);
	if (server_stat(&fresh) == 0 && open > 0)
		printf("tls.fresh%s.rss %.1f kB/conn\n", t.key,
		    ((double)fresh.rss_kb - (double)before.rss_kb) / open);
	sleep(IDLE_WAIT_S);
	if (server_stat(&held) == 0 && open > 0)
		printf("tls.idle%s.rss %.1f kB/conn\n", t.key,
		    ((double)held.rss_kb - (double)before.rss_kb) / open);
	for (i = 0; i < t.idle; i++)
		sess_close(&v[i]);
	sleep(2);
	if (server_stat(&after) == 0)
		printf("tls.closed%s.rss %+.1f %%\n", t.key,
		    100.0 * ((double)after.rss_kb - (double)before.rss_kb) /
		    (double)before.rss_kb);
	printf("# tls.idle: %u of %u sessions held; server RSS %lu kB before, %lu kB "
	    "held, %lu kB after closing\n", open, t.idle, before.rss_kb, held.rss_kb,
	    after.rss_kb);
	free(v);
}

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU ms per call of what (process CPU time: other load does not count). */
static double
per_op(int (*what)(void *), void *arg)
{
	uint64_t start = cpu_ns(), end = start + 1000000000u;
	unsigned long n = 0;

	while (cpu_ns() < end) {
		if (what(arg) != 0)
			return -1;
		n++;
	}
	return (double)(cpu_ns() - start) / 1e6 / (double)n;
}

static int
sign_once(void *arg)
{
	SECKEYPrivateKey *key = arg;
	unsigned char digest[32] = { 1, 2, 3 }, out[512];
	SECItem d = { siBuffer, digest, sizeof(digest) }, sig = { siBuffer, out, 0 };

	sig.len = (unsigned)PK11_SignatureLen(key);
	if (sig.len > sizeof(out))
		return -1;
	return PK11_Sign(key, &sig, &d) == SECSuccess ? 0 : -1;
}

/* DER parameters naming a curve. */
static int
curve_params(SECOidTag tag, SECItem *params, unsigned char *buf, size_t len)
{
	SECOidData *oid = SECOID_FindOIDByTag(tag);

	if (oid == NULL || oid->oid.len + 2 > len)
		return -1;
	buf[0] = 0x06;	/* OBJECT IDENTIFIER */
	buf[1] = (unsigned char)oid->oid.len;
	memcpy(buf + 2, oid->oid.data, oid->oid.len);
	params->type = siDEROID;
	params->data = buf;
	params->len = oid->oid.len + 2;
	return 0;
}

/* What a TLS 1.3 server does for (EC)DHE: a new X25519 key, one derivation. */
static int
kex_once(void *arg)
{
	SECKEYPublicKey *peer = arg, *pub = NULL;
	SECKEYPrivateKey *priv;
	PK11SymKey *sec;
	unsigned char pbuf[32];
	SECItem params;

	if (curve_params(SEC_OID_CURVE25519, &params, pbuf, sizeof(pbuf)) != 0 ||
	    (priv = SECKEY_CreateECPrivateKey(&params, &pub, NULL)) == NULL)
		return -1;
	sec = PK11_PubDeriveWithKDF(priv, peer, PR_FALSE, NULL, NULL, CKM_ECDH1_DERIVE,
	    CKM_HKDF_DERIVE, CKA_DERIVE, 0, CKD_NULL, NULL, NULL);
	SECKEY_DestroyPrivateKey(priv);
	SECKEY_DestroyPublicKey(pub);
	if (sec == NULL)
		return -1;
	PK11_FreeSymKey(sec);
	return 0;
}

/*
 * -R: what NSS itself needs on this machine for a server's private-key
 * operations, the floor of a full handshake's CPU: one signature with each
 * key type, and one X25519 exchange.
 */
static void
reference(void)
{
	SECKEYPrivateKey *rsa = NULL, *ec = NULL, *peer = NULL;
	SECKEYPublicKey *rpub = NULL, *epub = NULL, *ppub = NULL;
	PK11SlotInfo *slot = NULL;
	unsigned char pbuf[32];
	SECItem params;

	if ((rsa = SECKEY_CreateRSAPrivateKey(2048, &rpub, NULL)) != NULL)
		printf("nss.sign.rsa %.3f ms/op\n", per_op(sign_once, rsa));
	if (curve_params(SEC_OID_ANSIX962_EC_PRIME256V1, &params, pbuf, sizeof(pbuf)) == 0 &&
	    (slot = PK11_GetInternalSlot()) != NULL &&
	    (ec = PK11_GenerateKeyPairWithOpFlags(slot, CKM_EC_KEY_PAIR_GEN, &params, &epub,
	    PK11_ATTR_SESSION | PK11_ATTR_INSENSITIVE | PK11_ATTR_PUBLIC, CKF_SIGN, CKF_SIGN,
	    NULL)) != NULL)
		printf("nss.sign.ec %.3f ms/op\n", per_op(sign_once, ec));
	if (curve_params(SEC_OID_CURVE25519, &params, pbuf, sizeof(pbuf)) == 0 &&
	    (peer = SECKEY_CreateECPrivateKey(&params, &ppub, NULL)) != NULL)
		printf("nss.kex.x25519 %.3f ms/op\n", per_op(kex_once, ppub));
	if (rsa == NULL || ec == NULL || peer == NULL)
		printf("# nss reference: %s\n", PR_ErrorToName(PR_GetError()));
	SECKEY_DestroyPrivateKey(rsa);
	SECKEY_DestroyPublicKey(rpub);
	SECKEY_DestroyPrivateKey(ec);
	SECKEY_DestroyPublicKey(epub);
	SECKEY_DestroyPrivateKey(peer);
	SECKEY_DestroyPublicKey(ppub);
	if (slot != NULL)
		PK11_FreeSlot(slot);
}

/* Does -x name phase (or is there no -x)? */
static int
want(const char *phase)
{
	size_t len = strlen(phase);
	const char *p = t.phases;

	if (p == NULL)
		return 1;
	while ((p = strstr(p, phase)) != NULL) {
		if ((p == t.phases || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static char suffix[32];
	struct rlimit rl;
	int ch, ref = 0;

	while ((ch = getopt(argc, argv, "H:p:u:v:P:t:i:k:c:x:W:RDh")) != -1) {
		switch (ch) {
		case 'H': t.host = optarg; break;
		case 'p': t.port = optarg; break;
		case 'u': t.ups = optarg; break;
		case 'v': t.var = optarg; break;
		case 'P': t.pid = atoi(optarg); break;
		case 't': t.ms = (unsigned)(atof(optarg) * 1000); break;
		case 'i': t.idle = (unsigned)atoi(optarg); break;
		case 'R': ref = 1; break;
		case 'D': t.direct = 1; break;
		case 'c': t.procs = (unsigned)atoi(optarg); break;
		case 'x': t.phases = optarg; break;
		case 'W': t.worker = atoi(optarg); break;
		case 'k':
			(void)snprintf(suffix, sizeof(suffix), ".%s", optarg);
			t.key = suffix;
			break;
		default: usage();
		}
	}
	if (t.ms < 100 || t.idle > 100000 || t.procs < 1 || t.procs > 64 ||
	    t.worker < 0 || t.worker > 2)
		usage();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (NSS_NoDB_Init(NULL) != SECSuccess || NSS_SetDomesticPolicy() != SECSuccess) {
		fprintf(stderr, "tlsbench: NSS: %s\n", PR_ErrorToName(PR_GetError()));
		return 1;
	}
	if (ref) {
		reference();
		(void)NSS_Shutdown();
		return 0;
	}
	if (t.worker != 0) {
		ch = worker();
		SSL_ClearSessionCache();
		(void)NSS_Shutdown();
		return ch;
	}
	if (want("full"))
		phase_handshakes("full", 0);
	if (want("resumed"))
		phase_handshakes("resumed", 1);
	if (want("get") && !t.direct)
		phase_get();
	if (want("idle") && !t.direct)
		phase_idle();
	SSL_ClearSessionCache();
	(void)NSS_Shutdown();
	return 0;
}
