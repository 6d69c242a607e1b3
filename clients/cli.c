/*
 * nutsec - cli.c: helpers shared by the command-line clients (see cli.h),
 * the TLS settings among them (read by libupsclient, fatal here).
 * Passwords only ever live in secret memory: the argv copy is overwritten,
 * the prompt's line buffer is cleared, and the terminal's echo is restored
 * on every path out of the prompt.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "secret.h"
#include "upsclient.h"
#include "xmalloc.h"

#define CLI_LINE_MAX 512	/* longest answer read from a prompt */

static void (*cleanup_fn)(void);
static struct upscli_tlsconf tlsconf;	/* cli_tls_load's settings */

void
cli_set_cleanup(void (*fn)(void))
{
	cleanup_fn = fn;
}

void
cli_exit(int status)
{
	void (*fn)(void) = cleanup_fn;

	cleanup_fn = NULL;
	if (fn != NULL)
		fn();
	(void)fflush(stdout);
	exit(status);
}

void
cli_die(const char *fmt, ...)
{
	va_list ap;

	(void)fflush(stdout);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	cli_exit(EXIT_FAILURE);
}

void
cli_banner(const char *prog)
{
	printf("Network UPS Tools %s %s (nutsec)\n", prog, PACKAGE_VERSION);
}

char *
cli_take_secret(char *arg)
{
	char *s = secret_strdup(arg);

	secret_clear(arg, strlen(arg));
	return s;
}

/* Reads one line from f into buf (size len), without the newline.
 * Returns 0, or -1 at EOF/error before any byte. Overlong lines are cut
 * and the rest of the line is drained. */
static int
read_line(FILE *f, char *buf, size_t len)
{
	size_t n;
	int ch;

	if (fgets(buf, (int)len, f) == NULL)
		return -1;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n') {
		buf[n - 1] = '\0';
	} else {
		while ((ch = fgetc(f)) != EOF && ch != '\n')
			;
	}
	return 0;
}

char *
cli_prompt_user(int fail_on_eof)
{
	char line[CLI_LINE_MAX];
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL)
		printf("Username (%s): ", pw->pw_name);
	else
		printf("Username: ");
	(void)fflush(stdout);
	if (read_line(stdin, line, sizeof(line)) < 0) {
		if (fail_on_eof)
			cli_die("Error reading from stdin!");
		line[0] = '\0';
	}
	if (line[0] != '\0')
		return xstrdup(line);
	if (pw == NULL)
		cli_die("No username available - even tried getpwuid");
	return xstrdup(pw->pw_name);
}

char *
cli_prompt_password(const char *prompt)
{
	char line[CLI_LINE_MAX];
	struct termios old, quiet;
	FILE *in = NULL, *out;
	char *ret = NULL;
	int fd, echo_off = 0, saved;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0 && (in = fdopen(fd, "r+")) == NULL)
		(void)close(fd);
	out = in != NULL ? in : stderr;
	if (in == NULL)
		in = stdin;
	if (isatty(fileno(in)) && tcgetattr(fileno(in), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		echo_off = tcsetattr(fileno(in), TCSAFLUSH, &quiet) == 0;
	}
	(void)fputs(prompt, out);
	(void)fflush(out);
	if (read_line(in, line, sizeof(line)) == 0)
		ret = secret_strdup(line);
	saved = errno;
	secret_clear(line, sizeof(line));
	if (echo_off) {
		(void)tcsetattr(fileno(in), TCSAFLUSH, &old);
		/* The newline the user typed was not echoed. A raw write:
		 * stdio may not switch an update stream from input to output. */
		if (write(fileno(out), "\n", 1) < 0)
			saved = saved != 0 ? saved : errno;
	}
	if (in != stdin)
		(void)fclose(in);
	if (ret == NULL)
		errno = saved != 0 ? saved : EIO;
	return ret;
}

char *
cli_prompt_line(const char *prompt)
{
	char line[CLI_LINE_MAX];

	(void)fputs(prompt, stdout);
	(void)fflush(stdout);
	if (read_line(stdin, line, sizeof(line)) < 0)
		line[0] = '\0';
	return xstrdup(line);
}

int
cli_parse_seconds(const char *s, unsigned *out)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 86400)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

void
cli_tls_load(const char *file, struct upscli_opts *o)
{
	char err[512];

	upscli_tlsconf_free(&tlsconf);
	upscli_tlsconf_init(&tlsconf, 1);
	if (upscli_tlsconf_clients(&tlsconf, file, err, sizeof(err)) < 0)
		cli_die("Error: %s", err);
	upscli_tlsconf_opts(&tlsconf, o);
}

void
cli_tls_free(void)
{
	upscli_tlsconf_free(&tlsconf);
}
