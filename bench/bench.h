/*
 * nutsec - bench.h: the private interface shared by nutbench's files. The
 * latency histogram (hist.c), the reading of a server's CPU time and RSS
 * from /proc (procstat.c) and the epoll load engine (loadgen.c) are each
 * one job; nutbench.c strings them into the fixed sequence of phases and
 * prints the figures. Nothing here is used by the servers under test.
 */
#ifndef NUTSEC_BENCH_H
#define NUTSEC_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* hist.c */

/*
 * Log-linear histogram of nanosecond values: 2^HIST_SUB_BITS buckets per
 * power of two, so every recorded value is kept within 1/64 (1.6 %).
 * Fixed size; recording never allocates.
 */
#define HIST_SUB_BITS	6
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_BUCKETS	((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t min, max;
	long double sum;
	uint64_t bucket[HIST_BUCKETS];
};

void hist_reset(struct hist *h);
void hist_add(struct hist *h, uint64_t ns);
/* The value at percentile p (0 < p <= 100) in ns; 0 when empty. */
uint64_t hist_percentile(const struct hist *h, double p);
/* Arithmetic mean in ns; 0 when empty. */
double hist_mean(const struct hist *h);

/* procstat.c */

/*
 * CPU time (user + system, in ticks) and resident set (kB) summed over a
 * process and all its live descendants, so a server that splits itself
 * into a parent and workers is measured as a whole. Returns 0, or -1 if
 * the root process is gone or /proc cannot be read.
 */
struct procstat {
	unsigned long long ticks;
	unsigned long rss_kb;
	int nprocs;
};

int procstat_read(int pid, struct procstat *out);
/* Clock ticks per second of the tick counts above. */
long procstat_hz(void);

/* loadgen.c */

/* Monotonic time in nanoseconds. */
uint64_t now_ns(void);

#define LG_MAX_DEPTH	64	/* requests in flight per connection */

struct lg_target {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	/*
	 * Churn only: bind each connection to one of this many loopback
	 * source addresses (127.0.0.2 ...) so the client's ephemeral ports,
	 * held in TIME_WAIT, do not cap the rate. 0 = the kernel's choice.
	 */
	unsigned churn_sources;
};

/* Outcome of one timed phase. */
struct lg_result {
	uint64_t done;		/* responses completed inside the window */
	uint64_t errors;	/* ERR replies or replies of the wrong kind */
	uint64_t dropped;	/* connections lost during the phase */
	uint64_t window_ns;	/* length of the counting window */
	unsigned last_lines;	/* item lines in the last list reply */
	struct hist lat;	/* per-request latency */
};

struct lg_pool;

/*
 * Opens n connections, at most `window` still unproven at any time, and
 * proves each one accepted by sending `probe` and waiting for a reply
 * that is not ERR.
 * Gives up after timeout_ms, or after 5 s in which no connection was
 * proven (a server at its connection limit). *accepted receives the
 * proven count.
 * Returns the pool (which keeps only proven connections), or NULL if no
 * memory could be had.
 */
struct lg_pool *lg_pool_open(const struct lg_target *t, unsigned n,
    unsigned window, const char *probe, unsigned timeout_ms,
    unsigned *accepted);
/* Connections still open in the pool (lost ones are counted out). */
unsigned lg_pool_alive(const struct lg_pool *p);
void lg_pool_close(struct lg_pool *p);

/* How long and how much one timed phase may run. */
struct lg_limits {
	unsigned duration_ms;	/* counting window */
	unsigned grace_ms;	/* then drain replies for at most this */
	uint64_t max_done;	/* the window closes early at this count */
};

/*
 * Closed-loop run on every connection of pool: keeps `depth` copies of
 * `req` in flight per connection, counts responses within the limits,
 * then drains. `idle`, if not NULL, is a pool of idle connections watched
 * for loss (counted in res->dropped) but not used.
 */
void lg_run(struct lg_pool *pool, struct lg_pool *idle, const char *req,
    unsigned depth, const struct lg_limits *lim, struct lg_result *res);

/*
 * Churn: `parallel` slots each connect, send `req` once, wait for the
 * reply and close, within the limits. Latency is connect-to-reply.
 */
void lg_churn(const struct lg_target *t, const char *req, unsigned parallel,
    const struct lg_limits *lim, struct lg_result *res);

#endif
