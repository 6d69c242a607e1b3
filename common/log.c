/*
 * nutsec - log.c: the logging family declared in log.h. Messages go to
 * syslog (daemon facility) and/or stderr with a "progname: " prefix; debug
 * levels 1..3 gate log_debug*; errno is preserved across every call so a
 * caller can log and then still inspect or report errno. Control bytes in
 * a message are replaced, so logged peer data cannot forge log lines.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char *log_progname = "nutsec";
static int log_level;
static int log_dest = LOG_TO_STDERR;
static int log_syslog_open;

void
log_init(const char *progname, int debug_level, int dest)
{
	if (progname != NULL && *progname != '\0') {
		const char *slash = strrchr(progname, '/');
		log_progname = slash != NULL ? slash + 1 : progname;
	}
	log_level = debug_level < 0 ? 0 : debug_level;
	if (log_syslog_open) {
		/* openlog keeps the ident pointer: reopen under the new name */
		closelog();
		log_syslog_open = 0;
	}
	log_set_dest(dest);
}

void
log_set_level(int debug_level)
{
	log_level = debug_level < 0 ? 0 : debug_level;
}

int
log_get_level(void)
{
	return log_level;
}

void
log_set_dest(int dest)
{
	if ((dest & LOG_TO_SYSLOG) && !log_syslog_open) {
		openlog(log_progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		log_syslog_open = 1;
	} else if (!(dest & LOG_TO_SYSLOG) && log_syslog_open) {
		closelog();
		log_syslog_open = 0;
	}
	log_dest = dest;
}

/*
 * Formats one message and sends it to every destination. with_errno
 * appends ": strerror(saved errno)". errno is restored before returning.
 */
/*
 * Replaces control bytes (and DEL) with '?', so text that came from a peer
 * or a file can neither forge extra log lines nor send terminal escapes.
 */
static void
log_sanitize(char *msg)
{
	unsigned char *p;

	for (p = (unsigned char *)msg; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			*p = '?';
}

static void log_emit(int prio, int with_errno, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
log_emit(int prio, int with_errno, const char *fmt, va_list ap)
{
	int saved = errno;
	char msg[1024];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0) {
		(void)snprintf(msg, sizeof(msg), "(unformattable log message)");
	} else if ((size_t)n >= sizeof(msg)) {
		/* mark the truncation rather than hide it */
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	}
	if (with_errno) {
		size_t len = strlen(msg);
		const char *es = strerror(saved);
		if (snprintf(msg + len, sizeof(msg) - len, ": %s", es) < 0)
			msg[len] = '\0';
	}
	log_sanitize(msg);
	if (log_dest & LOG_TO_SYSLOG)
		syslog(prio, "%s", msg);
	if (log_dest & LOG_TO_STDERR) {
		(void)fprintf(stderr, "%s: %s\n", log_progname, msg);
		(void)fflush(stderr);
	}
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_NOTICE, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < 1)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
log_debug2(const char *fmt, ...)
{
	va_list ap;

	if (log_level < 2)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
log_debug3(const char *fmt, ...)
{
	va_list ap;

	if (log_level < 3)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, 1, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

static unsigned long long
log_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (unsigned long long)ts.tv_sec * 1000ULL +
	    (unsigned long long)ts.tv_nsec / 1000000ULL;
}

int
log_ratelimit(struct log_ratelimit *rl)
{
	int saved = errno;
	unsigned long long now = log_now_ms();
	unsigned long long period = (unsigned long long)rl->period_s * 1000ULL;
	int ok;

	if (rl->window_start_ms == 0 || now - rl->window_start_ms >= period ||
	    now < rl->window_start_ms) {
		/* a new window: report what the last one suppressed */
		if (rl->suppressed > 0)
			log_warnx("(%u similar messages suppressed)", rl->suppressed);
		rl->window_start_ms = now != 0 ? now : 1;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count < rl->burst) {
		rl->count++;
		ok = 1;
	} else {
		rl->suppressed++;
		ok = 0;
	}
	errno = saved;
	return ok;
}
