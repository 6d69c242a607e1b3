/*
 * nutsec - test_tls.c: the server half of common/tls (tls_nss.c) against
 * real certificates: the TLS tests' shared set, made with certutil by
 * tests/integration/tlslib.sh (see pki.h: a CA, upsd's database with good
 * and bad server certificates, client identities as PEM). Then: every start-up
 * refusal and its text, and handshakes driven by a non-blocking poll loop
 * in this process against an independent client (openssl s_client) for
 * CERTREQUEST NO/REQUEST/REQUIRE, protocol versions, silence and garbage.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tls.h"
#include "pki.h"
#include "test.h"

#define CHECK_SUB(hay, needle) do { const char *h_ = (hay); \
	if (h_ == NULL || strstr(h_, (needle)) == NULL) { \
		printf("# %s:%d: \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, \
		    h_ ? h_ : "(null)", (needle)); test_case_failed = 1; } } while (0)

#define PKI_PATH 640	/* a path in the certificate set */

static char tmp[64], pki[512], srvdb[PKI_PATH], pw[128];

/* The shared certificate set, the PEM copies the openssl peers use, and a
 * temporary directory of our own. 0 or -1. */
static int
make_pki(void)
{
	if (mkdtemp(tmp) == NULL ||
	    test_pki("mon expired future otherca srvonly", pki, sizeof(pki), pw, sizeof(pw)) != 0)
		return -1;
	(void)snprintf(srvdb, sizeof(srvdb), "%s/srv", pki);
	return 0;
}

/* tls_init + tls_server_setup; returns 0 or -1 with the message in err. */
static int
server_up(const char *db, const char *pass, const char *nick, enum tls_certrequest req,
    char *err, size_t errlen)
{
	tls_fini();
	if (tls_init(db, pass, err, errlen) != 0)
		return -1;
	return tls_server_setup(nick, req, err, errlen);
}

struct outcome {
	enum tls_status hs;		/* handshake result */
	char err[400];
	char version[16];
	char subject[300];
	char got[64];			/* what the client sent after the handshake */
	int is_mon, is_mon_spaced, is_admin;	/* tls_peer_cert_is() answers */
	int from_ca, from_ca_spaced, from_ca2;	/* ... with the issuer too */
	int elapsed_ms;
};

static int
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * Accepts one connection from a child running argv (with %d replaced by
 * the port in argv[i] "PORT"), drives the server handshake by readiness
 * with a deadline, then reads one line and answers "pong".
 */
static void
serve_one(char *const argv[], const char *stdin_text, int deadline_ms, struct outcome *o)
{
	struct sockaddr_in sa;
	socklen_t slen = sizeof(sa);
	int lfd, fd = -1, start, pipefd[2];
	char portstr[16], *args[32];
	struct tls_conn *c = NULL;
	pid_t pid;
	size_t i, got = 0;

	memset(o, 0, sizeof(*o));
	o->hs = TLS_FAILED;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 4) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &slen) != 0 || pipe(pipefd) != 0) {
		(void)snprintf(o->err, sizeof(o->err), "test set-up: %s", strerror(errno));
		return;
	}
	(void)snprintf(portstr, sizeof(portstr), "127.0.0.1:%u", ntohs(sa.sin_port));
	for (i = 0; argv[i] != NULL && i < 31; i++)
		args[i] = strcmp(argv[i], "PORT") == 0 ? portstr : argv[i];
	args[i] = NULL;
	if ((pid = fork()) == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(pipefd[0], 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		close(pipefd[1]);
		execvp(args[0], args);
		_exit(127);
	}
	close(pipefd[0]);
	if (stdin_text != NULL)
		(void)!write(pipefd[1], stdin_text, strlen(stdin_text));
	{
		struct pollfd p = { lfd, POLLIN, 0 };

		fd = poll(&p, 1, 5000) == 1 ? accept(lfd, NULL, NULL) : -1;
	}
	close(lfd);
	if (fd < 0)
		(void)snprintf(o->err, sizeof(o->err), "the client never connected");
	if (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) != 0 ||
	    (c = tls_server_new(fd, o->err, sizeof(o->err))) == NULL)
		goto out;
	start = now_ms();
	for (;;) {
		struct pollfd p = { tls_fd(c), 0, 0 };
		enum tls_status st = tls_handshake(c);
		int left = deadline_ms - (now_ms() - start);

		if (st == TLS_OK || st == TLS_FAILED || st == TLS_CLOSED) {
			o->hs = st;
			break;
		}
		if (left <= 0) {
			o->hs = TLS_WANT_READ;	/* deadline passed */
			break;
		}
		p.events = st == TLS_WANT_WRITE ? POLLOUT : POLLIN;
		(void)poll(&p, 1, left);
	}
	o->elapsed_ms = now_ms() - start;
	if (o->hs != TLS_OK) {
		(void)snprintf(o->err, sizeof(o->err), "%s", tls_error(c));
		if (tls_peer_subject(c) != NULL)
			(void)snprintf(o->subject, sizeof(o->subject), "%s", tls_peer_subject(c));
		goto out;
	}
	(void)snprintf(o->version, sizeof(o->version), "%s", tls_version(c));
	o->is_mon = tls_peer_cert_is(c, "CN=mon,O=nutsec tests", NULL);
	o->is_mon_spaced = tls_peer_cert_is(c, "CN=mon, O=nutsec tests", NULL);
	o->is_admin = tls_peer_cert_is(c, "CN=admin,O=nutsec tests", NULL);
	o->from_ca = tls_peer_cert_is(c, "CN=mon,O=nutsec tests",
	    "CN=nutsec test CA,O=nutsec tests");
	o->from_ca_spaced = tls_peer_cert_is(c, "CN=mon,O=nutsec tests",
	    "CN=nutsec test CA, O=nutsec tests");
	o->from_ca2 = tls_peer_cert_is(c, "CN=mon,O=nutsec tests",
	    "CN=nutsec other CA,O=nutsec tests");
	if (tls_peer_subject(c) != NULL)
		(void)snprintf(o->subject, sizeof(o->subject), "%s", tls_peer_subject(c));
	start = now_ms();
	while (got < sizeof(o->got) - 1 && memchr(o->got, '\n', got) == NULL &&
	    now_ms() - start < 5000) {
		struct pollfd p = { tls_fd(c), POLLIN, 0 };
		enum tls_status st;
		size_t n = tls_read(c, o->got + got, sizeof(o->got) - 1 - got, &st);

		got += n;
		if (n > 0 || tls_pending(c) > 0)
			continue;
		if (st != TLS_WANT_READ && st != TLS_WANT_WRITE)
			break;
		p.events = st == TLS_WANT_WRITE ? POLLOUT : POLLIN;
		(void)poll(&p, 1, 500);
	}
	o->got[got] = '\0';
	{
		enum tls_status st;

		(void)tls_write(c, "pong\n", 5, &st);
	}
out:
	close(pipefd[1]);
	if (c != NULL)
		tls_free(c);
	else if (fd >= 0)
		close(fd);
	if (pid > 0) {
		int status, waited = 0;

		while (waitpid(pid, &status, WNOHANG) == 0 && waited < 3000) {
			usleep(20000);
			waited += 20;
		}
		if (waited >= 3000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
	}
}

/* An openssl s_client command line; cert NULL = none. */
static void
sclient(char **argv, char store[][PKI_PATH], const char *ver, const char *cert)
{
	int n = 0, k = 0;

	argv[n++] = "openssl";
	argv[n++] = "s_client";
	argv[n++] = "-connect";
	argv[n++] = "PORT";
	argv[n++] = "-quiet";
	argv[n++] = "-ign_eof";
	argv[n++] = "-servername";
	argv[n++] = "localhost";
	argv[n++] = "-verify_return_error";
	argv[n++] = "-CAfile";
	(void)snprintf(store[k], PKI_PATH, "%s/pem/ca.crt", pki);
	argv[n++] = store[k++];
	if (ver != NULL) {
		argv[n++] = (char *)ver;
		if (strcmp(ver, "-tls1_1") == 0) {
			argv[n++] = "-cipher";
			argv[n++] = "DEFAULT@SECLEVEL=0";
		}
	}
	if (cert != NULL) {
		/* key and certificate in one PEM file (tlslib.sh's tls_pem) */
		argv[n++] = "-cert";
		(void)snprintf(store[k], PKI_PATH, "%s/pem/%s.pem", pki, cert);
		argv[n++] = store[k++];
	}
	argv[n] = NULL;
}

static void
handshake(enum tls_certrequest req, const char *ver, const char *cert, struct outcome *o)
{
	char err[320], store[4][PKI_PATH], *argv[32];

	if (server_up(srvdb, pw, "server", req, err, sizeof(err)) != 0) {
		memset(o, 0, sizeof(*o));
		o->hs = TLS_FAILED;
		(void)snprintf(o->err, sizeof(o->err), "set-up failed: %s", err);
		return;
	}
	sclient(argv, store, ver, cert);
	serve_one(argv, "ping\n", 10000, o);
}

static void
test_setup_errors(void)
{
	char err[320], dir[128];

	TEST_CASE("tls_init: missing CERTPATH directory is named");
	CHECK(tls_init("/nonexistent/nutsec-db", NULL, err, sizeof(err)) == -1);
	CHECK_SUB(err, "CERTPATH /nonexistent/nutsec-db: No such file or directory");
	CHECK(!tls_ready());

	TEST_CASE("tls_init: a directory without a database says how to make one");
	(void)snprintf(dir, sizeof(dir), "%s/empty", tmp);
	(void)mkdir(dir, 0700);
	CHECK(tls_init(dir, NULL, err, sizeof(err)) == -1);
	CHECK_SUB(err, "no certificate database (");
	CHECK_SUB(err, "certutil -N -d sql:");

	TEST_CASE("tls_server_setup: wrong key database password");
	CHECK(server_up(srvdb, "not-the-password", "server", TLS_CERT_NO, err, sizeof(err)) == -1);
	CHECK_SUB(err, "wrong password for the key database");

	TEST_CASE("tls_server_setup: no password for a protected database");
	CHECK(server_up(srvdb, NULL, "server", TLS_CERT_NO, err, sizeof(err)) == -1);
	CHECK_SUB(err, "has a password: put it in a file only root reads and name it with CERTPASSWORDFILE");

	TEST_CASE("tls_server_setup: unknown nickname");
	CHECK(server_up(srvdb, pw, "nosuchcert", TLS_CERT_NO, err, sizeof(err)) == -1);
	CHECK_SUB(err, "no certificate named 'nosuchcert'");

	TEST_CASE("tls_server_setup: expired server certificate");
	CHECK(server_up(srvdb, pw, "server-expired", TLS_CERT_NO, err, sizeof(err)) == -1);
	CHECK_SUB(err, "certificate 'server-expired' expired on ");

	TEST_CASE("tls_server_setup: not yet valid server certificate");
	CHECK(server_up(srvdb, pw, "server-future", TLS_CERT_NO, err, sizeof(err)) == -1);
	CHECK_SUB(err, "certificate 'server-future' is not valid before ");

	TEST_CASE("tls_server_setup: a clientAuth-only certificate is not a server's");
	CHECK(server_up(srvdb, pw, "server-clientonly", TLS_CERT_NO, err, sizeof(err)) == -1);
	CHECK_SUB(err, "may not be used by a TLS server");

	TEST_CASE("tls_server_setup: a certificate without its key");
	{
		char cadb[PKI_PATH];

		(void)snprintf(cadb, sizeof(cadb), "%s/cl-nocert", pki);
		CHECK(server_up(cadb, pw, "ca", TLS_CERT_NO, err, sizeof(err)) == -1);
		CHECK_SUB(err, "'ca'");
	}

	TEST_CASE("tls_server_setup: the good certificate");
	CHECK(server_up(srvdb, pw, "server", TLS_CERT_NO, err, sizeof(err)) == 0);
	CHECK(tls_ready());
	tls_fini();
	CHECK(!tls_ready());
}

static void
test_handshakes(void)
{
	struct outcome o;

	TEST_CASE("NO: TLS 1.3 by default, data both ways, no client subject");
	handshake(TLS_CERT_NO, NULL, NULL, &o);
	CHECK_INT(o.hs, TLS_OK);
	CHECK_STR(o.version, "TLSv1.3");
	CHECK_STR(o.got, "ping\n");
	CHECK_STR(o.subject, "");
	CHECK(!o.is_mon);
	if (o.hs != TLS_OK)
		printf("# %s\n", o.err);

	TEST_CASE("NO: a TLS 1.2 client is served with TLS 1.2");
	handshake(TLS_CERT_NO, "-tls1_2", NULL, &o);
	CHECK_INT(o.hs, TLS_OK);
	CHECK_STR(o.version, "TLSv1.2");
	CHECK_STR(o.got, "ping\n");

	TEST_CASE("NO: a TLS 1.1 client is refused");
	handshake(TLS_CERT_NO, "-tls1_1", NULL, &o);
	CHECK_INT(o.hs, TLS_FAILED);
	CHECK_SUB(o.err, "does not support TLS 1.2 or later");

	TEST_CASE("REQUEST: no client certificate is refused");
	handshake(TLS_CERT_REQUEST, NULL, NULL, &o);
	CHECK_INT(o.hs, TLS_FAILED);
	CHECK_SUB(o.err, "the client presented no certificate");

	TEST_CASE("REQUEST: an untrusted (other CA) certificate is accepted, subject known");
	handshake(TLS_CERT_REQUEST, NULL, "otherca", &o);
	CHECK_INT(o.hs, TLS_OK);
	CHECK_SUB(o.subject, "CN=mon-otherca");
	CHECK_STR(o.got, "ping\n");

	TEST_CASE("REQUIRE: a valid client certificate");
	handshake(TLS_CERT_REQUIRE, NULL, "mon", &o);
	CHECK_INT(o.hs, TLS_OK);
	CHECK_SUB(o.subject, "CN=mon,O=nutsec tests");
	CHECK_STR(o.got, "ping\n");

	TEST_CASE("tls_peer_cert_is compares names, not text");
	CHECK(o.is_mon);
	CHECK(o.is_mon_spaced);
	CHECK(!o.is_admin);
	TEST_CASE("tls_peer_cert_is: the issuer too, when asked (certissuer)");
	CHECK(o.from_ca);
	CHECK(o.from_ca_spaced);
	CHECK(!o.from_ca2);

	TEST_CASE("REQUIRE: TLS 1.2 with a valid client certificate");
	handshake(TLS_CERT_REQUIRE, "-tls1_2", "mon", &o);
	CHECK_INT(o.hs, TLS_OK);
	CHECK_STR(o.version, "TLSv1.2");

	TEST_CASE("REQUIRE: no client certificate");
	handshake(TLS_CERT_REQUIRE, NULL, NULL, &o);
	CHECK_INT(o.hs, TLS_FAILED);
	CHECK_SUB(o.err, "the client presented no certificate");

	TEST_CASE("REQUIRE: expired client certificate");
	handshake(TLS_CERT_REQUIRE, NULL, "expired", &o);
	CHECK_INT(o.hs, TLS_FAILED);
	CHECK_SUB(o.err, "the client's certificate 'CN=mon-expired,O=nutsec tests' expired on ");

	TEST_CASE("REQUIRE: not yet valid client certificate");
	handshake(TLS_CERT_REQUIRE, NULL, "future", &o);
	CHECK_INT(o.hs, TLS_FAILED);
	CHECK_SUB(o.err, "is not valid before ");

	TEST_CASE("REQUIRE: client certificate from an untrusted CA");
	handshake(TLS_CERT_REQUIRE, NULL, "otherca", &o);
	CHECK_INT(o.hs, TLS_FAILED);
	CHECK_SUB(o.err, "the client's certificate is not trusted (unknown CA)");
	CHECK_SUB(o.err, "CN=mon-otherca");

	TEST_CASE("REQUIRE: serverAuth-only certificate used as a client's");
	handshake(TLS_CERT_REQUIRE, NULL, "srvonly", &o);
	CHECK_INT(o.hs, TLS_FAILED);
	CHECK_SUB(o.err, "no clientAuth extended key usage");
}

/* A peer in Python: connects to PORT, sends the bytes literal after it, waits. */
#define PYPEER "import socket,sys,time\n" \
	"h,p=sys.argv[1].split(':'); s=socket.create_connection((h,int(p)))\n" \
	"s.sendall(eval(sys.argv[2])); time.sleep(3)\n"

static void
test_bad_peers(void)
{
	char err[320];
	struct outcome o;
	/* a handshake record whose content is no ClientHello */
	char *garbage[] = { "python3", "-c", PYPEER, "PORT",
	    "b'\\x16\\x03\\x01\\x00\\x08\\x01garbage'", NULL };
	char *silent[] = { "python3", "-c", PYPEER, "PORT", "b''", NULL };

	TEST_CASE("garbage instead of a ClientHello fails at once with a clear reason");
	if (server_up(srvdb, pw, "server", TLS_CERT_NO, err, sizeof(err)) != 0)
		printf("# set-up: %s\n", err);
	serve_one(garbage, NULL, 5000, &o);
	CHECK_INT(o.hs, TLS_FAILED);
	CHECK_SUB(o.err, "did not speak TLS");
	CHECK(o.elapsed_ms < 2000);

	TEST_CASE("a silent peer only ever makes the handshake wait (the caller's deadline)");
	serve_one(silent, NULL, 700, &o);
	CHECK_INT(o.hs, TLS_WANT_READ);
	CHECK(o.elapsed_ms >= 700 && o.elapsed_ms < 2000);
}

int
main(void)
{
	(void)signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	(void)snprintf(tmp, sizeof(tmp), "/tmp/test_tls.XXXXXX");
	if (system("command -v certutil >/dev/null && command -v openssl >/dev/null") != 0) {
		printf("1..0 # SKIP certutil or openssl not installed\n");
		return 0;
	}
	if (make_pki() != 0) {
		printf("Bail out! cannot make the test certificates (or %s)\n", tmp);
		return 1;
	}
	test_setup_errors();
	test_handshakes();
	test_bad_peers();
	tls_fini();
	if (getenv("KEEP_TMP") == NULL) {
		char cmd[300];

		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		(void)system(cmd);
	}
	return test_done();
}
