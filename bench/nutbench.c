/*
 * nutsec - nutbench.c: a load generator for any NUT-protocol server
 * (upsd, ours, or the null reference server). It runs a fixed sequence
 * of short phases - GET VAR request/response at 1, 16, 256 and 1000
 * connections, pipelined GET VAR, sequential LIST VAR, many idle
 * connections plus one measured client, and connect/close churn - and
 * prints one line per figure: "key value unit". When given the server's
 * pid it also reports the server's CPU time per request and its RSS,
 * summed over the process and its children. Every phase is bounded in
 * time, so the whole run ends by itself; it never judges the figures.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define REQ_MAX		256	/* longest request line we build */
#define GRACE_MS	1000	/* drain time after each phase */
#define SETTLE_MS	200	/* pause between phases */
#define FD_SPARE	256	/* fds kept for all but the idle conns */
#define IDLE_OPEN_MS	60000	/* the most opening the idle conns may take */

struct opts {
	const char *host;
	const char *port;
	const char *ups;
	const char *var;
	int pid;
	unsigned idle;
	unsigned window;
	unsigned churn_par;
	unsigned sources;
	int query;
	const char *only;	/* -x: comma-separated phases to run; NULL: all */
};

static struct opts o = {
	"127.0.0.1", "3493", "dummy", "ups.status", 0, 10000, 16, 8, 0, 0, NULL
};
static struct lg_target target;
static struct lg_limits lim = { 2000, GRACE_MS, 10000000 };
static char get_req[REQ_MAX], list_req[REQ_MAX];

static void
usage(void)
{
	fprintf(stderr,
	    "usage: nutbench [-H host] [-p port] [-u ups] [-v var] [-P pid]\n"
	    "                [-t seconds] [-n count] [-i idle] [-w window]\n"
	    "                [-k churners] [-S sources] [-x phases]\n"
	    "       nutbench -Q [-H host] [-p port] [-u ups] [-v var]\n"
	    "  -H, -p  server address (default 127.0.0.1 3493)\n"
	    "  -u, -v  UPS and variable to query (dummy, ups.status)\n"
	    "  -P      server pid: report its CPU per request and RSS\n"
	    "  -t      length of each phase in seconds (default 2)\n"
	    "  -n      most replies counted per phase (default 10000000)\n"
	    "  -i      idle connections to hold open (default 10000)\n"
	    "  -w      connects in flight while opening (default 16)\n"
	    "  -k      parallel connect/close loops (default 8)\n"
	    "  -S n    churn from n loopback sources 127.0.0.2.. (default 0)\n"
	    "  -x      only these phases, comma-separated: get.c1 get.c16\n"
	    "          get.c256 get.c1000 pipe.16x16 list idle churn\n"
	    "  -Q      one GET VAR: print the reply, exit 0 if it is VAR\n");
	exit(2);
}

static unsigned
num(const char *s, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		usage();
	return (unsigned)v;
}

static void
parse_args(int argc, char **argv)
{
	double secs;
	char *end;
	int ch;

	while ((ch = getopt(argc, argv, "H:p:u:v:P:t:n:i:w:k:S:x:Qh")) != -1) {
		switch (ch) {
		case 'H': o.host = optarg; break;
		case 'p': o.port = optarg; break;
		case 'u': o.ups = optarg; break;
		case 'v': o.var = optarg; break;
		case 'P': o.pid = (int)num(optarg, 1, 0x7fffffff); break;
		case 't':
			secs = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || secs < 0.1 ||
			    secs > 60)
				usage();
			lim.duration_ms = (unsigned)(secs * 1000);
			break;
		case 'n': lim.max_done = num(optarg, 1, 4000000000u); break;
		case 'i': o.idle = num(optarg, 0, 1000000); break;
		case 'w': o.window = num(optarg, 1, 4096); break;
		case 'k': o.churn_par = num(optarg, 1, 1024); break;
		case 'Q': o.query = 1; break;
		case 'S': o.sources = num(optarg, 0, 250); break;
		case 'x': o.only = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	/* Names travel unquoted: refuse anything that would need quoting. */
	if (strpbrk(o.ups, " \t\r\n\"\\#") != NULL ||
	    strpbrk(o.var, " \t\r\n\"\\#") != NULL)
		usage();
	if (snprintf(get_req, sizeof(get_req), "GET VAR %s %s\n", o.ups,
	    o.var) >= (int)sizeof(get_req) ||
	    snprintf(list_req, sizeof(list_req), "LIST VAR %s\n", o.ups) >=
	    (int)sizeof(list_req))
		usage();
}

static void
resolve(void)
{
	struct addrinfo hints, *ai;
	int e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(o.host, o.port, &hints, &ai)) != 0) {
		fprintf(stderr, "nutbench: %s:%s: %s\n", o.host, o.port,
		    gai_strerror(e));
		exit(1);
	}
	memcpy(&target.addr, ai->ai_addr, ai->ai_addrlen);
	target.addrlen = ai->ai_addrlen;
	target.churn_sources = o.sources;
	freeaddrinfo(ai);
}

/* Raises the fd limit as far as allowed; returns how many idle conns fit. */
static unsigned
raise_nofile(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur <= FD_SPARE)
		return 0;
	if (rl.rlim_cur - FD_SPARE < want)
		return (unsigned)(rl.rlim_cur - FD_SPARE);
	return want;
}

/*
 * -Q: one GET VAR on a blocking socket with 2 s timeouts. Prints the
 * reply line; returns 0 if it is a VAR line (the server is serving data).
 */
static int
query_once(void)
{
	struct timeval tv = { 2, 0 };
	char line[1024];
	size_t len = 0;
	ssize_t r;
	int fd;

	fd = socket(target.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)&target.addr,
	    target.addrlen) < 0 ||
	    send(fd, get_req, strlen(get_req), MSG_NOSIGNAL) < 0) {
		close(fd);
		return 1;
	}
	while (len < sizeof(line) - 1 &&
	    (r = recv(fd, line + len, sizeof(line) - 1 - len, 0)) > 0) {
		len += (size_t)r;
		if (memchr(line, '\n', len) != NULL)
			break;
	}
	close(fd);
	line[len] = '\0';
	line[strcspn(line, "\n")] = '\0';
	printf("%s\n", line);
	return strncmp(line, "VAR ", 4) == 0 ? 0 : 1;
}

static void
pause_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One output line: key, value, unit. */
static void
fig(const char *key, const char *unit, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fig(const char *key, const char *unit, const char *fmt, ...)
{
	char val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	printf("%-24s %14s  %s\n", key, val, unit);
	fflush(stdout);
}

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static int
server_stat(struct procstat *ps)
{
	if (o.pid <= 0)
		return -1;
	return procstat_read(o.pid, ps);
}

/* Server CPU microseconds per unit of work between two samples. */
static void
fig_cpu(const char *key, const char *unit, const struct procstat *a,
    int aok, uint64_t work)
{
	struct procstat b;
	double tick_us;

	if (aok < 0 || server_stat(&b) < 0 || work == 0) {
		fig(key, unit, "-");
		return;
	}
	tick_us = 1e6 / (double)procstat_hz();
	if (b.ticks == a->ticks) {
		/* Less than one clock tick in all: give the bound. */
		fig(key, unit, "<%.1f", tick_us / (double)work);
		return;
	}
	/* Fewer than 10 ticks: say the figure is coarse. */
	fig(key, unit, "%s%.1f", b.ticks - a->ticks < 10 ? "~" : "",
	    (double)(b.ticks - a->ticks) * tick_us / (double)work);
}

/* The figures every timed phase prints. */
static void
report(const char *pfx, const struct lg_result *r, const char *rate_unit,
    const char *cpu_unit, const struct procstat *before, int bok)
{
	char key[64];

	snprintf(key, sizeof(key), "%s.rate", pfx);
	fig(key, rate_unit, "%.0f", r->window_ns ?
	    (double)r->done * 1e9 / (double)r->window_ns : 0.0);
	snprintf(key, sizeof(key), "%s.p50", pfx);
	fig(key, "ms", "%.3f", ms(hist_percentile(&r->lat, 50)));
	snprintf(key, sizeof(key), "%s.p99", pfx);
	fig(key, "ms", "%.3f", ms(hist_percentile(&r->lat, 99)));
	snprintf(key, sizeof(key), "%s.fail", pfx);
	fig(key, "count", "%llu",
	    (unsigned long long)(r->errors + r->dropped));
	if (before != NULL) {
		snprintf(key, sizeof(key), "%s.cpu", pfx);
		fig_cpu(key, cpu_unit, before, bok, r->done);
	}
}

/* 1 if phase name is to run: no -x, or -x lists it. */
static int
phase_on(const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (o.only == NULL)
		return 1;
	for (p = o.only; *p != '\0'; p++) {
		if ((p == o.only || p[-1] == ',') && strncmp(p, name, n) == 0 &&
		    (p[n] == '\0' || p[n] == ','))
			return 1;
	}
	return 0;
}

/* Request/response or pipelined GET VAR over `conns` connections. */
static void
phase_get(const char *pfx, unsigned conns, unsigned depth, const char *req)
{
	struct lg_result r;
	struct lg_pool *p;
	struct procstat ps;
	unsigned acc;
	char key[64];
	int ok;

	if (!phase_on(pfx))
		return;
	p = lg_pool_open(&target, conns, o.window, get_req, 10000, &acc);
	if (acc < conns) {
		snprintf(key, sizeof(key), "%s.conns", pfx);
		fig(key, "accepted", "%u/%u", acc, conns);
	}
	if (p == NULL || acc == 0) {
		lg_pool_close(p);
		return;
	}
	ok = server_stat(&ps);
	lg_run(p, NULL, req, depth, &lim, &r);
	report(pfx, &r, "req/s", "us/req", &ps, ok);
	lg_pool_close(p);
	pause_ms(SETTLE_MS);
}

static void
phase_list(void)
{
	struct lg_result r;
	struct lg_pool *p;
	struct procstat ps;
	unsigned acc;
	int ok;

	if (!phase_on("list"))
		return;
	p = lg_pool_open(&target, 1, 1, get_req, 10000, &acc);
	if (p == NULL || acc == 0) {
		fig("list.rate", "req/s", "-");
		lg_pool_close(p);
		return;
	}
	ok = server_stat(&ps);
	lg_run(p, NULL, list_req, 1, &lim, &r);
	fig("list.vars", "lines", "%u", r.last_lines);
	report("list", &r, "req/s", "us/req", &ps, ok);
	lg_pool_close(p);
	pause_ms(SETTLE_MS);
}

/* N idle connections, then one client's GET VAR while they stay open. */
static void
phase_idle(unsigned n)
{
	struct lg_result r;
	struct lg_pool *idle, *one;
	struct procstat ps;
	unsigned acc, acc1;
	uint64_t t0;

	if (n == 0 || !phase_on("idle"))
		return;
	t0 = now_ns();
	idle = lg_pool_open(&target, n, o.window, get_req, IDLE_OPEN_MS,
	    &acc);
	fig("idle.accepted", "conns", "%u/%u", acc, n);
	fig("idle.open_time", "s", "%.2f", (double)(now_ns() - t0) / 1e9);
	if (server_stat(&ps) == 0)
		fig("idle.rss", "kB", "%lu", ps.rss_kb);
	else
		fig("idle.rss", "kB", "-");
	one = lg_pool_open(&target, 1, 1, get_req, 10000, &acc1);
	if (one != NULL && acc1 == 1) {
		lg_run(one, idle, get_req, 1, &lim, &r);
		report("idle.get", &r, "req/s", NULL, NULL, 0);
	} else
		fig("idle.get.rate", "req/s", "-");
	fig("idle.still_open", "conns", "%u/%u", lg_pool_alive(idle), acc);
	lg_pool_close(one);
	lg_pool_close(idle);
	pause_ms(5 * SETTLE_MS);
}

static void
phase_churn(void)
{
	struct lg_result r;
	struct procstat ps;
	int ok;

	if (!phase_on("churn"))
		return;
	ok = server_stat(&ps);
	lg_churn(&target, get_req, o.churn_par, &lim, &r);
	report("churn", &r, "conn/s", "us/conn", &ps, ok);
	pause_ms(SETTLE_MS);
}

int
main(int argc, char **argv)
{
	static const unsigned conns[] = { 1, 16, 256, 1000 };
	struct procstat ps;
	struct lg_pool *p;
	unsigned i, acc, idle;
	char pfx[32];

	parse_args(argc, argv);
	resolve();
	if (o.query)
		return query_once();
	idle = raise_nofile(o.idle);

	/* Is anyone there? One proven connection, or stop here. */
	p = lg_pool_open(&target, 1, 1, get_req, 5000, &acc);
	lg_pool_close(p);
	if (acc == 0) {
		fprintf(stderr, "nutbench: %s port %s: no reply, or ERR to "
		    "%.*s (see nutbench -Q)\n", o.host, o.port,
		    (int)strlen(get_req) - 1, get_req);
		return 1;
	}
	printf("# nutbench %s port %s: %s", o.host, o.port, get_req);
	printf("# %u ms or %llu replies per phase; server pid %d\n",
	    lim.duration_ms, (unsigned long long)lim.max_done, o.pid);
	if (idle < o.idle)
		printf("# fd limit: idle connections cut to %u\n", idle);
	if (server_stat(&ps) == 0) {
		printf("# server pid %d: %d process(es) with children\n",
		    o.pid, ps.nprocs);
		fig("rss.start", "kB", "%lu", ps.rss_kb);
	} else
		fig("rss.start", "kB", "-");

	for (i = 0; i < sizeof(conns) / sizeof(conns[0]); i++) {
		snprintf(pfx, sizeof(pfx), "get.c%u", conns[i]);
		phase_get(pfx, conns[i], 1, get_req);
	}
	phase_get("pipe.16x16", 16, 16, get_req);
	phase_list();
	phase_idle(idle);
	phase_churn();

	if (server_stat(&ps) == 0)
		fig("rss.end", "kB", "%lu", ps.rss_kb);
	else
		fig("rss.end", "kB", "-");
	return 0;
}
