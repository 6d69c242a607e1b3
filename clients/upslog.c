/*
 * nutsec - upslog.c: the UPS status logger. NUT's command line (-s ups
 * -l file, or several -m ups,file; -i interval, -f format, -u user, -p
 * pidbase, -F/-B; the old positional form "ups file interval [format]"),
 * NUT's format escapes (upslog_fmt.c) and the TLS settings of the other
 * clients (nutauth.conf, NUT_CERTPATH...). Everything that needs a path or
 * root happens first: addresses resolved, NSS opened, connections tried,
 * log files and their directories opened, the PID file written. Then the
 * process confines itself (upslog role: the run-as user when started as
 * root, no capabilities, no_new_privs, an allow-list filter) and runs an
 * event loop: a line per UPS every interval, one at once on SIGUSR1, the
 * log files reopened in their kept directories on SIGHUP (logrotate), a
 * server that went away reconnected at the next line (its values print as
 * NA meanwhile) and SIGTERM/SIGINT/SIGQUIT to stop.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ev.h"
#include "log.h"
#include "paths.h"
#include "pidfile.h"
#include "sandbox.h"
#include "upsclient.h"
#include "upslog.h"
#include "xmalloc.h"

#define UL_MAX_TARGETS 64

struct target {
	char *spec;		/* as given: ups[@host[:port]] */
	char *ups, *host;
	unsigned port;
	char *logfn;
	struct upscli *conn;
	struct ul_file *file;
};

static struct target targets[UL_MAX_TARGETS];
static size_t ntargets;
static struct ul_fmt *fmt;
static long interval = 30;
static ev_timer_id poll_id;

static void
usage(const char *prog)
{
	cli_banner(prog);
	printf("NUT read-only client program - UPS status logger.\n");
	printf("\nusage: %s [OPTIONS]\n\n", prog);
	printf("  -f <format>\t- Log format.  See below for details.\n");
	printf("\t\t- Use -f \"<format>\" so your shell doesn't break it up.\n");
	printf("  -i <interval>\t- Time between updates, in seconds\n");
	printf("  -l <logfile>\t- Log file name, or - for stdout (foreground by default)\n");
	printf("  -F\t\t- stay foregrounded even if logging into a file\n");
	printf("  -B\t\t- stay backgrounded even if logging to stdout\n");
	printf("  -p <pidbase>  - Base name for PID file (defaults to \"%s\")\n", prog);
	printf("  -s <ups>\t- Monitor UPS <ups> - <upsname>@<host>[:<port>]\n");
	printf("  -m <tuple>\t- Monitor UPS <ups,logfile> (may be repeated; -s and -l are\n");
	printf("\t\t  then ignored; '-' as logfile is stdout, which keeps upslog in\n");
	printf("\t\t  the foreground only in the first tuple)\n");
	printf("  -u <user>\t- Switch to <user> if started as root (default %s)\n", RUN_AS_USER);
	printf("  --sandbox <a>\t- seccomp filter action: kill (default), trap, log, off\n");
	printf("  -V\t\t- Display the version of this software\n");
	printf("  -h\t\t- Display this help text\n");
	printf("\nSome valid format string escapes:\n");
	printf("\t%%%% insert a single %%\n");
	printf("\t%%TIME format%% insert the time with strftime formatting\n");
	printf("\t%%HOST%% insert the local hostname\n");
	printf("\t%%UPSHOST%% insert the host of the ups being monitored\n");
	printf("\t%%PID%% insert the pid of upslog\n");
	printf("\t%%ETIME%% insert the time in seconds since the epoch\n");
	printf("\t%%VAR varname%% insert the value of ups variable varname\n\n");
	printf("format string defaults to:\n%s\n", UL_DEFAULT_FORMAT);
	cli_exit(EXIT_SUCCESS);
}

static void
add_target(const char *spec, const char *logfn)
{
	struct target *t;

	if (ntargets == UL_MAX_TARGETS)
		cli_die("Error: more than %d UPSes to log", UL_MAX_TARGETS);
	t = &targets[ntargets++];
	t->spec = xstrdup(spec);
	t->logfn = xstrdup(logfn);
}

/* -m ups,logfile: exactly two components, as NUT wants. */
static void
add_tuple(const char *arg)
{
	const char *comma = strchr(arg, ',');
	char *spec;

	if (comma == NULL || strchr(comma + 1, ',') != NULL)
		cli_die("Argument '-m upsspec,logfile' requires exactly 2 components in the tuple");
	spec = xstrndup(arg, (size_t)(comma - arg));
	add_target(spec, comma + 1);
	free(spec);
}

static int
getvar(void *arg, const char *name, char *out, size_t len)
{
	struct target *t = arg;
	const char *q[3] = { "VAR", t->ups, name };
	size_t argc;
	char **argv;

	if (upscli_fd(t->conn) < 0)
		return -1;
	if (upscli_get(t->conn, 3, q, &argc, &argv) != 0) {
		/* An ERR answer keeps the session; anything else ends it. */
		if (upscli_error(t->conn) != UPSCLI_ERR_SERVER) {
			log_warnx("%s: %s", t->spec, upscli_strerror(t->conn));
			upscli_disconnect(t->conn);
		}
		return -1;
	}
	if (argc < 4)
		return -1;
	(void)str_copy(out, argv[3], len);
	return 0;
}

static void
log_lines(void)
{
	char line[UL_LINE_MAX];
	size_t i;

	for (i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];
		struct ul_ctx cx = { t->spec, getvar, t };

		if (upscli_fd(t->conn) < 0 && upscli_connect(t->conn, t->host, t->port) != 0)
			log_debug("%s: %s", t->spec, upscli_strerror(t->conn));
		ul_fmt_render(fmt, &cx, line, sizeof(line));
		if (ul_file_write(t->file, line) != 0)
			log_warn("writing to %s", ul_file_name(t->file));
		/* NUT: no idle connection kept between distant polls. */
		if (interval > 30)
			upscli_disconnect(t->conn);
	}
}

static void
on_poll(void *arg)
{
	(void)arg;
	log_lines();
	poll_id = ev_timer_add((uint64_t)interval * 1000u, on_poll, NULL);
}

static void
on_usr1(void *arg)
{
	(void)arg;
	ev_timer_del(poll_id);
	on_poll(NULL);
}

static void
on_hup(void *arg)
{
	char err[512];
	size_t i;

	(void)arg;
	log_info("Signal %d: reopening log file", SIGHUP);
	for (i = 0; i < ntargets; i++)
		if (ul_file_reopen(targets[i].file, err, sizeof(err)) != 0)
			log_warnx("%s", err);
}

static void
on_stop(void *arg)
{
	(void)arg;
	log_info("Signal received: exiting");
	ev_stop();
}

static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < ntargets; i++) {
		upscli_close(targets[i].conn);
		ul_file_close(targets[i].file);
		free(targets[i].spec);
		free(targets[i].ups);
		free(targets[i].host);
		free(targets[i].logfn);
	}
	ntargets = 0;
	ul_fmt_free(fmt);
	fmt = NULL;
	cli_tls_free();
}

/* Connections and files, before any privilege is dropped. */
static void
open_targets(struct upscli_opts *opts)
{
	char err[512];
	size_t i;

	for (i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];

		printf("logging status of %s to %s (%lds intervals)\n", t->spec, t->logfn,
		    interval);
		if (upscli_splitname(t->spec, NUT_PORT, &t->ups, &t->host, &t->port, err,
		    sizeof(err)) != 0)
			cli_die("Error: invalid UPS definition.  Required format: "
			    "upsname[@hostname[:port]]");
		t->conn = upscli_new(opts);
		if (upscli_preresolve(t->conn, t->host, t->port) != 0 ||
		    upscli_connect(t->conn, t->host, t->port) != 0)
			fprintf(stderr, "Warning: initial connect failed: %s\n",
			    upscli_strerror(t->conn));
		if ((t->file = ul_file_open(t->logfn, err, sizeof(err))) == NULL)
			cli_die("%s", err);
	}
	(void)fflush(stdout);
}

static void
write_pid(const char *base)
{
	char path[4096];

	if (base[0] == '/')
		(void)str_printf(path, sizeof(path), "%s", base);
	else if (str_printf(path, sizeof(path), "%s/%s.pid", paths_pidpath(), base) != 0)
		return;
	(void)pidfile_write(path);
}

static long
parse_interval(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 86400L * 366)
		cli_die("Error: invalid interval '%s' (1 to %ld seconds)", s, 86400L * 366);
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sandbox", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	const char *prog = "upslog", *monhost = NULL, *logfn = NULL, *user = NULL;
	const char *pidbase = "upslog", *format = UL_DEFAULT_FORMAT;
	char *oldfmt = NULL, err[512];
	struct upscli_opts opts;
	struct sandbox_opts so;
	enum sandbox_action action = SB_ACTION_KILL;
	int c, foreground = -1, ntuples = 0, background;

	log_init(prog, 0, LOG_TO_STDERR);
	cli_set_cleanup(cleanup);
	while ((c = getopt_long(argc, argv, "+hs:l:i:f:u:Vp:FBm:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(prog);
			break;
		case 'm':
			add_tuple(optarg);
			ntuples++;
			break;
		case 's':
			monhost = optarg;
			break;
		case 'l':
			logfn = optarg;
			break;
		case 'i':
			interval = parse_interval(optarg);
			break;
		case 'f':
			format = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'V':
			cli_banner(prog);
			cli_exit(EXIT_SUCCESS);
			break;
		case 'p':
			pidbase = optarg;
			break;
		case 'F':
			foreground = 1;
			break;
		case 'B':
			foreground = 0;
			break;
		case 'S':
			if (sandbox_parse_action(optarg, &action) != 0)
				cli_die("Error: --sandbox takes kill, trap, log or off");
			break;
		default:
			cli_die("Error: unknown option. Try -h for help.");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 || argc == 2)
		usage(prog);
	if (argc >= 3) {	/* NUT's old form: <ups> <logfile> <interval> [<format>...] */
		int i;
		size_t len = 0;

		monhost = argv[0];
		logfn = argv[1];
		interval = parse_interval(argv[2]);
		for (i = 3; i < argc; i++)
			len += strlen(argv[i]) + 1;
		if (argc > 3) {
			oldfmt = xcalloc(len + 1, 1);
			for (i = 3; i < argc; i++) {
				strcat(oldfmt, argv[i]);
				strcat(oldfmt, " ");
			}
			format = oldfmt;
		}
	}
	if (ntuples == 0) {
		if (monhost == NULL)
			cli_die("No UPS defined for monitoring - use -s <system> or -m <ups,logfile>");
		if (logfn == NULL)
			cli_die("No filename defined for logging - use -l <file>");
		add_target(monhost, logfn);
	}
	fmt = ul_fmt_compile(format);
	free(oldfmt);

	upscli_opts_init(&opts);
	cli_tls_load(NULL, &opts);
	if (upscli_tls_preinit(&opts, err, sizeof(err)) != 0)
		cli_die("Error: %s", err);
	open_targets(&opts);

	if (foreground < 0)
		foreground = ul_file_is_stdout(targets[0].file);
	background = !foreground;
	memset(&so, 0, sizeof(so));
	so.action = action;
	so.flags = SB_F_TLS;
	if (geteuid() == 0)
		so.user = user != NULL ? user : RUN_AS_USER;
	if (background) {
		if (daemon_background() != 0)
			cli_exit(EXIT_FAILURE);
		log_set_dest(LOG_TO_SYSLOG);
		so.flags |= SB_F_SYSLOG;
	}
	write_pid(pidbase);
	tzset();
	if (ev_init() != 0 || ev_signal(SIGHUP, on_hup, NULL) != 0 ||
	    ev_signal(SIGUSR1, on_usr1, NULL) != 0 || ev_signal(SIGTERM, on_stop, NULL) != 0 ||
	    ev_signal(SIGINT, on_stop, NULL) != 0 || ev_signal(SIGQUIT, on_stop, NULL) != 0)
		fatal("event loop");
	(void)signal(SIGPIPE, SIG_IGN);
	if (background)
		daemon_detach_stdio();
	if (sandbox_confine(SB_ROLE_UPSLOG, &so, NULL) != 0)
		cli_exit(EXIT_FAILURE);
	daemon_ready();
	poll_id = ev_timer_add(0, on_poll, NULL);
	(void)ev_run();
	ev_fini();
	cleanup();
	return EXIT_SUCCESS;
}
