/*
 * nutsec - cli.h: what upsc, upscmd and upsrw share: NUT's way of ending
 * with a message, the version banner, taking a password off the command
 * line into secret memory, and the interactive prompts for user name,
 * password and value.
 */
#ifndef NUTSEC_CLI_H
#define NUTSEC_CLI_H

#include <stddef.h>

/* The connection (or other state) to release before any exit. */
void cli_set_cleanup(void (*fn)(void));

/* Prints the formatted message and a newline to stderr, runs the cleanup
 * and exits with status 1 (NUT's fatalx in its clients). */
void cli_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Runs the cleanup and exits with status. */
void cli_exit(int status) __attribute__((noreturn));

/* "Network UPS Tools <prog> <version>" as the first line of -h and -V. */
void cli_banner(const char *prog);

/*
 * Copies a password given as an argument into secret memory and overwrites
 * the argument in place, so it no longer shows in /proc/PID/cmdline.
 * Free the result with secret_strfree.
 */
char *cli_take_secret(char *arg);

/*
 * Asks for the user name on stdout ("Username (<login>): ") and reads a
 * line from stdin; an empty answer means the login name. fail_on_eof: die
 * with "Error reading from stdin!" at EOF (upscmd) instead of taking the
 * default (upsrw). Returns an xmalloc'd string.
 */
char *cli_prompt_user(int fail_on_eof);

/*
 * Asks for a password on the terminal with echo off (stdin and stderr when
 * there is no terminal). Returns a secret string (secret_strfree), or NULL
 * with errno set.
 */
char *cli_prompt_password(const char *prompt);

/* Prints prompt on stdout and reads one line from stdin (newline removed).
 * Returns an xmalloc'd string; "" at EOF. */
char *cli_prompt_line(const char *prompt);

/* Parses a -t timeout in seconds (decimal, 0..86400). 0 or -1. */
int cli_parse_seconds(const char *s, unsigned *out);

/*
 * TLS settings: upscli_tlsconf_clients (libupsclient) with file as -A,
 * into o's TLS fields. Dies with "Error: <the reader's message>" when a
 * named file is missing, a file has errors or an override is bad. The
 * strings stay valid until cli_tls_free().
 */
struct upscli_opts;
void cli_tls_load(const char *file, struct upscli_opts *o);
/* Frees what cli_tls_load kept (the key password is cleared). */
void cli_tls_free(void);

/*
 * Authenticated actions shared by upscmd and upsrw (cli_act.c). Each ends
 * the program with NUT's message on failure.
 */
struct upscli;

/*
 * Splits "ups[@host[:port]]" into *ups and *host (xmalloc'd for the
 * caller) and *port, dying with NUT's message when it is malformed; loads
 * the TLS settings (authfile or the default search, see cli_tls_load) into
 * opts; connects. Returns the connection, or dies with "Error: <reason>".
 */
struct upscli *cli_connect_ups(const char *spec, const char *authfile,
    struct upscli_opts *opts, char **ups, char **host, unsigned *port);

/* USERNAME and PASSWORD. upgrade_sep is what separates "...unknown
 * command." from "You probably need to upgrade upsd." ("\n" or " "). */
void cli_authenticate(struct upscli *c, const char *user, const char *pass,
    const char *upgrade_sep);
/* SET TRACKING ON; what is "command" or "set variable" for the messages. */
void cli_tracking_on(struct upscli *c, const char *what);
/*
 * Sends the request and reports as NUT does: the reply ("OK") on stderr,
 * or with tracking the final result after polling up to timeout_s.
 * cant_send / failed prefix the messages for a send or receive failure.
 * Returns the exit status: 0, or 1 when the server's final answer is an
 * error (NUT exits 0 then; we do not).
 */
int cli_run_action(struct upscli *c, size_t argc, const char *const *argv,
    int tracking, unsigned timeout_s, const char *cant_send,
    const char *failed);

#endif
