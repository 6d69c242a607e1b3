/*
 * nutsec - drv_cli.c: the command line every driver shares (NUT's driver
 * CLI): -a/-s, -k, -x, -D, -F/-FF/-B, -u/-g/-r, -i, -c, -d, -L, -V, -h;
 * and -c, which signals the running instance through its PID file or asks
 * it over its socket.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "drvcore.h"
#include "log.h"
#include "net.h"
#include "pidfile.h"
#include "rand.h"
#include "sandbox.h"
#include "sockproto.h"
#include "tok.h"
#include "upsconf.h"
#include "xmalloc.h"

#define REPLY_WAIT_MS 15000

enum { OPT_SANDBOX = 256, OPT_DUMP_FILTER };
static const struct option long_opts[] = {
	{ "sandbox", required_argument, NULL, OPT_SANDBOX },
	{ "dump-filter", optional_argument, NULL, OPT_DUMP_FILTER },
	{ NULL, 0, NULL, 0 }
};

void
cli_usage(const struct driver_ops *ops)
{
	size_t i;

	printf("usage: %s (-a <ups>|-s <ups>) [OPTIONS]\n"
	    "  -a <ups>       use section [<ups>] of ups.conf\n"
	    "  -s <ups>       standalone: no ups.conf, give settings with -x\n"
	    "  -x <var>=<val> set a driver variable (overrides ups.conf); -x <flag>\n"
	    "  -k             power the load off (sdcommands or the default) and exit\n"
	    "  -D             more debugging (repeatable; stays in the foreground)\n"
	    "  -F             stay in the foreground, no PID file; -FF with a PID file\n"
	    "  -B             go to the background even with -D\n"
	    "  -u <user>      run as <user> after opening the device\n"
	    "  -g <group>     group for the process and the socket\n"
	    "  -r <dir>       chroot to <dir> after opening the device (default: the\n"
	    "                 state path)\n"
	    "  --sandbox=kill|trap|log|off\n"
	    "                 seccomp filter action (overrides ups.conf sandbox)\n"
	    "  --dump-filter[=<role>]\n"
	    "                 print the compiled seccomp policy of the role (driver,\n"
	    "                 driver-net, driver-usb; default driver) and exit\n"
	    "  -i <seconds>   poll interval\n"
	    "  -c <command>   tell the running driver: reload, reload-or-exit,\n"
	    "                 reload-or-error, exit\n"
	    "  -d <n>         print the variables after <n> update cycles and exit\n"
	    "  -L             list the driver variables (name, type, help)\n"
	    "  -V             print the version and exit\n"
	    "  -h             this help\n", ops->name);
	if (ops->nvartable == 0)
		return;
	printf("\nVariables for -x or ups.conf in %s:\n", ops->name);
	for (i = 0; i < ops->nvartable; i++) {
		char word[160];

		if (str_printf(word, sizeof(word), "%s%s", ops->vartable[i].name,
		    ops->vartable[i].flags & DRV_VAR_FLAG ? "" : "=<value>") < 0)
			continue;
		printf("  %-32s %s\n", word, ops->vartable[i].help);
	}
}

static void
list_vars(const struct driver_ops *ops)
{
	size_t i;

	for (i = 0; i < ops->nvartable; i++)
		printf("%s\t%s\t%s\n", ops->vartable[i].flags & DRV_VAR_FLAG ? "FLAG" : "VALUE",
		    ops->vartable[i].name, ops->vartable[i].help);
}

static int
parse_num(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "-%s: expected a number in %ld..%ld, not \"%s\"\n", opt, min,
		    max, s);
		return -1;
	}
	*out = v;
	return 0;
}

int
cli_parse(int argc, char **argv, const struct driver_ops *ops, struct drv_opts *o)
{
	int ch, nf = 0, nb = 0;
	long n;

	memset(o, 0, sizeof(*o));
	o->foreground = -1;
	o->sandbox = -1;
	o->pollinterval = -1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+a:s:kx:DFBqu:g:r:i:c:d:LVh", long_opts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_SANDBOX: {
			enum sandbox_action a;

			if (sandbox_parse_action(optarg, &a) != 0) {
				fprintf(stderr, "%s: --sandbox: '%s' is not kill, trap, log or "
				    "off\n", ops->name, optarg);
				return -1;
			}
			o->sandbox = (int)a;
			break;
		}
		case OPT_DUMP_FILTER:
			o->dump_filter = optarg != NULL ? optarg : "driver";
			if (sandbox_role_lookup(o->dump_filter) < 0) {
				fprintf(stderr, "%s: --dump-filter: unknown role '%s'\n",
				    ops->name, o->dump_filter);
				return -1;
			}
			break;
		case 'a':
		case 's':
			o->upsname = optarg;
			o->standalone = ch == 's';
			break;
		case 'k':
			o->killpower = 1;
			break;
		case 'x':
			if (o->nx >= DRV_MAX_X) {
				fprintf(stderr, "too many -x options (at most %d)\n", DRV_MAX_X);
				return -1;
			}
			o->x[o->nx++] = optarg;
			break;
		case 'D':
			o->debug++;
			break;
		case 'F':
			nf++;
			break;
		case 'B':
			nb++;
			break;
		case 'q':
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case 'r':
			if (optarg[0] != '/') {
				fprintf(stderr, "-r: the chroot directory must be an absolute path\n");
				return -1;
			}
			o->chroot = optarg;
			break;
		case 'i':
			if (parse_num("i", optarg, 1, 86400, &o->pollinterval) < 0)
				return -1;
			break;
		case 'c':
			o->command = optarg;
			break;
		case 'd':
			if (parse_num("d", optarg, 1, 1000000, &n) < 0)
				return -1;
			o->dump_after = (int)n;
			break;
		case 'L':
			list_vars(ops);
			return 1;
		case 'V':
			printf("Network UPS Tools (nutsec %s) - %s driver %s\n", PACKAGE_VERSION,
			    ops->name, ops->version);
			return 1;
		case 'h':
			cli_usage(ops);
			return 1;
		default:
			fprintf(stderr, "%s: unknown option -%c or missing argument; see -h\n",
			    ops->name, optopt);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"; see -h\n", ops->name, argv[optind]);
		return -1;
	}
	if (o->dump_filter != NULL) {
		/* Drivers log to syslog and re-read ups.conf: the filter they load. */
		fflush(stdout);
		return sandbox_dump_filter((enum sandbox_role)sandbox_role_lookup(o->dump_filter),
		    SB_F_RELOAD | SB_F_SYSLOG, STDOUT_FILENO) == 0 ? 1 : -1;
	}
	if (o->upsname == NULL) {
		fprintf(stderr, "%s: give -a <ups> (or -s <ups>); see -h\n", ops->name);
		return -1;
	}
	if (!upsconf_name_ok(o->upsname)) {
		/* ups.conf's name rule: the name is part of the socket and PID file paths. */
		fprintf(stderr, "%s: \"%s\" is not a usable UPS name (1 to %d printable "
		    "characters, none of space / \" \\ # =)\n", ops->name, o->upsname,
		    UPSCONF_NAME_MAX);
		return -1;
	}
	if (nb > 0 && nf > 0) {
		fprintf(stderr, "%s: -B and -F contradict each other\n", ops->name);
		return -1;
	}
	if (nf > 0)
		o->foreground = nf > 1 ? 2 : 1;
	else if (nb > 0)
		o->foreground = 0;
	else if (o->debug > 0 || o->dump_after > 0)
		o->foreground = 1;
	/* The environment's debug level does not keep the driver in the foreground. */
	if (o->debug == 0 && getenv("NUT_DEBUG_LEVEL") != NULL &&
	    parse_num("NUT_DEBUG_LEVEL", getenv("NUT_DEBUG_LEVEL"), 0, 10, &n) == 0)
		o->debug = (int)n;
	return 0;
}

/* Waits for "TRACKING <id> <n>" on fd; returns n or -1. */
static int
wait_tracking(int fd, const char *id)
{
	struct buf *in = buf_new(65536);
	struct tok *t = tok_new(0, 0);
	uint64_t deadline = ev_clock() + REPLY_WAIT_MS;
	struct sp_msg m;
	const char *err;
	size_t len;
	int rc = -1;

	while (ev_clock() < deadline) {
		ssize_t n = buf_read_fd(in, fd, 4096);

		if (n == 0)
			break;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
		while (buf_line(in, 8192, &len) == 1) {
			if (tok_split(t, buf_peek(in), len) == TOK_LINE && tok_argc(t) > 0 &&
			    sp_parse((int)tok_argc(t), tok_argv(t), &m, &err) == 0 &&
			    m.verb == SP_TRACKING && strcmp(m.tracking, id) == 0) {
				rc = (int)m.num;
				goto out;
			}
			buf_consume(in, len);
		}
		if (n < 0)
			(void)usleep(20000);
	}
out:
	tok_free(t);
	buf_free(in);
	return rc;
}

static int
command_socket(struct drv *d, const char *cmd)
{
	char id[RAND_UUID_LEN + 1];
	struct buf *out = buf_new(1024);
	int fd, rc = 1, st;

	fd = net_connect_unix(d->sockpath, 1);
	if (fd < 0) {
		fprintf(stderr, "cannot reach the driver at %s: %s\n", d->sockpath,
		    strerror(errno));
		goto out;
	}
	rand_uuid4(id);
	if (sp_put_instcmd(out, cmd, NULL, id) < 0 || buf_write_fd(out, fd) < 0 ||
	    buf_len(out) != 0) {
		fprintf(stderr, "cannot send %s to %s\n", cmd, d->sockpath);
		goto out;
	}
	st = wait_tracking(fd, id);
	if (st < 0)
		fprintf(stderr, "no answer from the driver at %s\n", d->sockpath);
	else if (st == SP_STATUS_HANDLED) {
		printf("%s: OK\n", cmd);
		rc = 0;
	} else
		fprintf(stderr, "%s: refused (status %d; changes need a restart)\n", cmd, st);
out:
	if (fd >= 0)
		close(fd);
	buf_free(out);
	return rc;
}

int
cli_command(struct drv *d)
{
	const char *c = d->opts.command;
	int sig;

	if (strcmp(c, "reload-or-error") == 0)
		return command_socket(d, "driver.reload-or-error");
	if (strcmp(c, "reload") == 0)
		sig = SIGHUP;
	else if (strcmp(c, "reload-or-exit") == 0)
		sig = SIGUSR1;
	else if (strcmp(c, "exit") == 0)
		sig = SIGTERM;
	else {
		fprintf(stderr, "-c: unknown command \"%s\" (reload, reload-or-exit, "
		    "reload-or-error, exit)\n", c);
		return 1;
	}
	return pidfile_signal(d->pidpath, d->ops->name, sig) == 0 ? 0 : 1;
}
