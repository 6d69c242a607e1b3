/*
 * nutsec - log.h: the one logging family for every program.
 *
 * Levels have stated meanings:
 *   log_warn/log_warnx  an error or a condition the operator must look at
 *                       (log_warn appends strerror(errno));
 *   log_notice          significant normal events (logins, driver up/down,
 *                       reloads, start and stop);
 *   log_info            routine information;
 *   log_debug           debug level 1: one line per request or state change;
 *   log_debug2          level 2: protocol traffic (never secrets);
 *   log_debug3          level 3: internals, loops, buffers.
 * fatal/fatalx log and exit(EXIT_FAILURE); use them only before the event
 * loop, on a broken invariant, or on a bad message from a privileged peer.
 * Messages go to syslog (daemon facility) and/or stderr.
 */
#ifndef NUTSEC_LOG_H
#define NUTSEC_LOG_H

#include <stdarg.h>

#define LOG_TO_STDERR 0x1
#define LOG_TO_SYSLOG 0x2

/* Sets the program name, debug level (0 = none, 1..3) and destinations. */
void log_init(const char *progname, int debug_level, int dest);
void log_set_level(int debug_level);
int log_get_level(void);
/* Changes destinations (e.g. drop stderr after backgrounding). */
void log_set_dest(int dest);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug2(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug3(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Rate limiter for messages a peer can trigger: at most `burst` messages per
 * `period_s` seconds per limiter. Returns 1 if the caller may log now. When
 * messages were suppressed, the next allowed call logs a count of them.
 */
struct log_ratelimit {
	unsigned period_s, burst;
	unsigned long long window_start_ms;
	unsigned count, suppressed;
};
#define LOG_RATELIMIT_INIT(period, burst) { (period), (burst), 0, 0, 0 }
int log_ratelimit(struct log_ratelimit *rl);

#endif
