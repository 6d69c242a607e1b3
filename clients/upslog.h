/*
 * nutsec - upslog.h: what the files of upslog share. upslog writes one
 * line per UPS at an interval (docs/upslog.md): upslog.c is the command
 * line and the loop, upslog_fmt.c NUT's format escapes, upslog_file.c the
 * log files that SIGHUP reopens from inside the sandbox.
 */
#ifndef NUTSEC_UPSLOG_H
#define NUTSEC_UPSLOG_H

#include <stddef.h>

#define UL_LINE_MAX 4096	/* longest line written, as NUT's LARGEBUF */

/* NUT's default format (-f). */
#define UL_DEFAULT_FORMAT "%TIME @Y@m@d @H@M@S% %VAR battery.charge% " \
	"%VAR input.voltage% %VAR ups.load% [%VAR ups.status%] " \
	"%VAR ups.temperature% %VAR input.frequency%"

/* ---- formats (upslog_fmt.c) ---- */

struct ul_fmt;

/* What a line is made of for one UPS. */
struct ul_ctx {
	const char *upshost;	/* %UPSHOST%: the UPS as given on the command line */
	/* %VAR name%: the value into out (NUL-terminated); 0, or -1 for "NA". */
	int (*getvar)(void *arg, const char *name, char *out, size_t len);
	void *arg;
};

/*
 * Compiles a format once, the way NUT reads it: text is copied; "%%" is
 * one '%'; "%NAME arg%" is an escape whose NAME is matched by prefix,
 * case-insensitively, in the order HOST, UPSHOST, PID, TIME, VAR, ETIME;
 * an unknown escape, or a '%' with no closing one, gives "INVALID".
 */
struct ul_fmt *ul_fmt_compile(const char *format);
void ul_fmt_free(struct ul_fmt *f);
/* Renders one line (no newline) into out; truncated to len - 1. */
void ul_fmt_render(const struct ul_fmt *f, const struct ul_ctx *cx, char *out, size_t len);

/* ---- log files (upslog_file.c) ---- */

struct ul_file;

/*
 * Opens a log file for appending ("-" = standard output), keeping its
 * directory open (O_PATH) so that ul_file_reopen works in the sandbox
 * without any path lookup outside it. A symlink as the file is refused.
 * NULL with a message in err.
 */
struct ul_file *ul_file_open(const char *path, char *err, size_t errlen);
/* Writes line and a newline. 0, or -1 (errno). */
int ul_file_write(struct ul_file *f, const char *line);
/* SIGHUP: opens the name again in the kept directory (openat); on failure
 * the old descriptor is kept. 0, or -1 with a message in err. */
int ul_file_reopen(struct ul_file *f, char *err, size_t errlen);
const char *ul_file_name(const struct ul_file *f);
int ul_file_is_stdout(const struct ul_file *f);
void ul_file_close(struct ul_file *f);

#endif
