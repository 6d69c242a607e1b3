/*
 * nutsec - certtool/main.c: nutcert's command line. Options may come before
 * or after the command; --host, --ip and --install take one or more words
 * (until the next option). Every option is checked against the command.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nutcert.h"

struct nc_opts nc_opt;
struct nc_cli cli;

/* which commands take an option */
#define C_INIT		(1u << 0)
#define C_SERVER	(1u << 1)
#define C_CLIENT	(1u << 2)
#define C_REVOKE	(1u << 3)
#define C_CRL		(1u << 4)
#define C_LIST		(1u << 5)
#define C_SHOW		(1u << 6)
#define C_VERIFY	(1u << 7)
#define C_EXPIRING	(1u << 8)
#define C_SIGN		(1u << 9)
#define C_RENEW		(1u << 10)
#define C_SITE		(1u << 11)
#define C_EXPORT	(1u << 12)
#define C_IMPORT	(1u << 13)
#define C_ISSUE		(C_SERVER | C_CLIENT | C_RENEW | C_SITE)
#define C_ALL		0xffffu

enum otype { O_FLAG, O_STR, O_INT, O_LIST };

struct opt {
	const char *name;
	enum otype type;
	unsigned cmds;
	void *field;
	int *count;		/* O_LIST */
};

static const struct opt opts[] = {
	{ "pki", O_STR, C_ALL, &nc_opt.pki, NULL },
	{ "json", O_FLAG, C_ALL, &nc_opt.json, NULL },
	{ "quiet", O_FLAG, C_ALL, &nc_opt.quiet, NULL },
	{ "force", O_FLAG, C_INIT | C_ISSUE | C_SIGN | C_EXPORT, &nc_opt.force, NULL },
	{ "csr", O_STR, C_SIGN, &cli.csr, NULL },
	{ "profile", O_STR, C_SIGN | C_IMPORT, &cli.profile, NULL },
	{ "p12", O_STR, C_EXPORT | C_IMPORT, &cli.in, NULL },
	{ "p12-password-file", O_STR, C_EXPORT | C_IMPORT, &cli.p12_pw_file, NULL },
	{ "db", O_STR, C_EXPORT, &cli.db_dir, NULL },
	{ "client", O_LIST, C_SITE, cli.clients, &cli.nclients },
	{ "copy-extensions", O_FLAG, C_SIGN, &cli.copy_ext, NULL },
	{ "cert-out", O_STR, C_SIGN, &cli.cert_out, NULL },
	{ "key", O_STR, C_INIT | C_ISSUE, &cli.key, NULL },
	{ "bits", O_INT, C_INIT | C_ISSUE, &cli.bits, NULL },
	{ "days", O_INT, C_INIT | C_ISSUE | C_SIGN | C_EXPIRING | C_CRL | C_REVOKE, &cli.days, NULL },
	{ "subject", O_STR, C_INIT | C_CLIENT | C_SERVER, &cli.subject, NULL },
	{ "ca-name", O_STR, C_INIT, &cli.ca_name, NULL },
	{ "ca-password-file", O_STR, C_INIT | C_ISSUE | C_SIGN | C_REVOKE | C_CRL, &cli.ca_pw_file, NULL },
	{ "db-password-file", O_STR, C_ISSUE | C_CRL | C_EXPORT | C_IMPORT, &cli.db_pw_file, NULL },
	{ "ca-password-fd", O_INT, C_INIT | C_ISSUE | C_SIGN | C_REVOKE | C_CRL, &cli.ca_pw_fd, NULL },
	{ "db-password-fd", O_INT, C_ISSUE | C_CRL | C_EXPORT | C_IMPORT, &cli.db_pw_fd, NULL },
	{ "p12-password-fd", O_INT, C_EXPORT | C_IMPORT, &cli.p12_pw_fd, NULL },
	{ "empty-db-password", O_FLAG, C_ISSUE | C_CRL | C_EXPORT | C_IMPORT, &cli.empty_db_pw, NULL },
	{ "host", O_LIST, C_SERVER | C_VERIFY | C_SIGN | C_SITE, cli.hosts, &cli.nhosts },
	{ "ip", O_LIST, C_SERVER | C_SIGN | C_SITE, cli.ips, &cli.nips },
	{ "out", O_STR, C_ISSUE | C_IMPORT, &cli.out, NULL },
	{ "group", O_STR, C_ISSUE | C_CRL | C_IMPORT, &cli.group, NULL },
	{ "install", O_LIST, C_CRL, cli.installs, &cli.ninstalls },
	{ "reason", O_STR, C_REVOKE, &cli.reason, NULL },
	{ "usage", O_STR, C_VERIFY, &cli.usage, NULL },
	{ "backdate-days", O_INT, C_SERVER | C_CLIENT | C_CRL, &cli.backdate_days, NULL },
	{ NULL, O_FLAG, 0, NULL, NULL }
};

struct command {
	const char *name;
	unsigned bit;
	int min, max;		/* operands */
	int (*fn)(void);
	const char *synopsis;
};

static const struct command commands[] = {
	{ "init", C_INIT, 0, 0, cmd_init,
	  "init [--key ec|rsa] [--bits N] [--days N] [--subject DN] [--ca-name NICK] --ca-password-file F" },
	{ "server", C_SERVER, 1, 1, cmd_server,
	  "server NAME --host DNSNAME... [--ip ADDR...] --out DBDIR --ca-password-file F --db-password-file F" },
	{ "client", C_CLIENT, 1, 1, cmd_client,
	  "client NAME [--subject DN] --out DBDIR --ca-password-file F --db-password-file F" },
	{ "revoke", C_REVOKE, 1, 1, cmd_revoke,
	  "revoke NAME [--reason R] --ca-password-file F" },
	{ "crl", C_CRL, 0, 0, cmd_crl,
	  "crl [--install DBDIR...] [--days N] --ca-password-file F [--db-password-file F]" },
	{ "sign-csr", C_SIGN, 1, 1, cmd_sign_csr,
	  "sign-csr NAME --csr FILE --profile server|client [--host H...] [--ip A...] [--copy-extensions] [--cert-out FILE] --ca-password-file F" },
	{ "renew", C_RENEW, 1, 1, cmd_renew,
	  "renew NAME [--out DBDIR] [--days N] [--key ec|rsa] [--bits N] --ca-password-file F --db-password-file F" },
	{ "export", C_EXPORT, 1, 1, cmd_export,
	  "export NAME --db DBDIR --p12 FILE --db-password-file F --p12-password-file F" },
	{ "import", C_IMPORT, 0, 0, cmd_import,
	  "import --p12 FILE --out DBDIR [--profile server|client] --db-password-file F --p12-password-file F" },
	{ "site", C_SITE, 0, 0, cmd_site,
	  "site --host DNSNAME... [--ip ADDR...] [--client NAME...] --out SITEDIR --ca-password-file F --db-password-file F" },
	{ "list", C_LIST, 0, 0, cmd_list, "list [--json]" },
	{ "show", C_SHOW, 1, 1, cmd_show, "show NAME [--json]" },
	{ "verify", C_VERIFY, 1, 1, cmd_verify,
	  "verify NAME [--usage server|client] [--host H]" },
	{ "expiring", C_EXPIRING, 0, 0, cmd_expiring, "expiring [--days N] [--json]" },
	{ NULL, 0, 0, 0, NULL, NULL }
};

void
nc_help(void)
{
	const struct command *c;

	printf("usage: nutcert --pki DIR COMMAND [ARGS] [OPTIONS]\n\ncommands:\n");
	for (c = commands; c->name != NULL; c++)
		printf("  nutcert --pki DIR %s\n", c->synopsis);
	printf("  nutcert help\n\n"
	    "Common options: --json (machine-readable output), --quiet, --force\n"
	    "(replace what exists), --group G (group of the databases written,\n"
	    "default " RUN_AS_GROUP "), --empty-db-password (a database without password).\n"
	    "Passwords come only from files of mode 0600 (or stricter), or from a\n"
	    "descriptor: --ca-password-fd N, --db-password-fd N, --p12-password-fd N.\n"
	    "Exit codes: 0 ok, 1 usage, 2 verification failed, 3 refused by policy,\n"
	    "4 database or password error, 5 exists already (--force), 6 certutil/\n"
	    "crlutil failed or missing, 7 no such name, 10 expiring soon, 11 expired.\n"
	    "See nutcert(8).\n");
}

/* "nutcert: WHAT 'ARG' (nutcert help)" */
static int
usage_err(const char *what, const char *a)
{
	fprintf(stderr, "nutcert: %s '%s' (nutcert help)\n", what, a);
	return NC_USAGE;
}

static int
parse_int(const char *name, const char *v, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v == '\0' || *end != '\0' || n < -100000 || n > 100000)
		return usage_err("this option wants a number:", name);
	*out = (int)n;
	return NC_OK;
}

/*
 * --X-password-fd N stands for --X-password-file /dev/fd/N (the same rules:
 * a pipe, or a file of mode 0600 opened by the caller); not both.
 */
static int
password_fd(const char *what, int fd, const char **file, char *buf, size_t len)
{
	if (fd == -1)
		return NC_OK;
	if (fd < 0 || fd > 65535) {
		fprintf(stderr, "nutcert: --%s-password-fd: a descriptor number "
		    "(0 or more) (nutcert help)\n", what);
		return NC_USAGE;
	}
	if (*file != NULL) {
		fprintf(stderr, "nutcert: --%s-password-fd and --%s-password-file "
		    "exclude each other (nutcert help)\n", what, what);
		return NC_USAGE;
	}
	/* not handed on to the tools nutcert runs */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
		fprintf(stderr, "nutcert: --%s-password-fd %d: %s\n", what, fd,
		    strerror(errno));
		return NC_USAGE;
	}
	snprintf(buf, len, "/dev/fd/%d", fd);
	*file = buf;
	return NC_OK;
}

static const struct opt *
find_opt(const char *name)
{
	const struct opt *o;

	for (o = opts; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	const struct opt *seen[64];
	int nseen = 0, i, rc;
	sigset_t block;

	setenv("NSS_DEFAULT_DB_TYPE", "sql", 1);
	setenv("NSS_SDB_USE_CACHE", "no", 1);
	umask(077);
	cli.days = -1;
	cli.ca_pw_fd = cli.db_pw_fd = cli.p12_pw_fd = -1;
	for (i = 1; i < argc; i++) {
		char *a = argv[i], *eq, namebuf[64];
		const char *val = NULL;
		const struct opt *o;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			nc_help();
			return NC_OK;
		}
		if (strncmp(a, "--", 2) != 0) {
			if (cli.cmd == NULL)
				cli.cmd = a;
			else if (cli.npos < 4)
				cli.pos[cli.npos++] = a;
			else
				return usage_err("too many operands at", a);
			continue;
		}
		snprintf(namebuf, sizeof(namebuf), "%s", a + 2);
		eq = strchr(namebuf, '=');
		if (eq != NULL) {
			*eq = '\0';
			val = a + 2 + (eq - namebuf) + 1;
		}
		o = find_opt(namebuf);
		if (o == NULL)
			return usage_err("unknown option", a);
		if (nseen < 64)
			seen[nseen++] = o;
		if (o->type == O_FLAG) {
			if (val != NULL)
				return usage_err("this option takes no value:", a);
			*(int *)o->field = 1;
			continue;
		}
		if (val == NULL) {
			if (i + 1 >= argc)
				return usage_err("this option wants a value:", a);
			val = argv[++i];
		}
		if (o->type == O_STR) {
			*(const char **)o->field = val;
		} else if (o->type == O_INT) {
			if (parse_int(o->name, val, (int *)o->field) != NC_OK)
				return NC_USAGE;
		} else {
			const char **list = o->field;

			/* one or more words until the next option */
			for (;;) {
				if (*o->count >= NC_MAX_LIST)
					return usage_err("too many values for", o->name);
				list[(*o->count)++] = val;
				if (i + 1 >= argc || argv[i + 1][0] == '-')
					break;
				val = argv[++i];
			}
		}
	}
	if (cli.cmd == NULL || strcmp(cli.cmd, "help") == 0) {
		nc_help();
		return cli.cmd == NULL ? NC_USAGE : NC_OK;
	}
	for (cmd = commands; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, cli.cmd) == 0)
			break;
	if (cmd->name == NULL)
		return usage_err("unknown command", cli.cmd);
	for (i = 0; i < nseen; i++)
		if (!(seen[i]->cmds & cmd->bit)) {
			fprintf(stderr, "nutcert: %s does not take --%s (nutcert help)\n",
			    cmd->name, seen[i]->name);
			return NC_USAGE;
		}
	if (cli.npos < cmd->min || cli.npos > cmd->max) {
		fprintf(stderr, "nutcert: usage: nutcert --pki DIR %s\n", cmd->synopsis);
		return NC_USAGE;
	}
	{
		static char cafd[32], dbfd[32], p12fd[32];

		if ((rc = password_fd("ca", cli.ca_pw_fd, &cli.ca_pw_file, cafd,
		    sizeof(cafd))) != NC_OK ||
		    (rc = password_fd("db", cli.db_pw_fd, &cli.db_pw_file, dbfd,
		    sizeof(dbfd))) != NC_OK ||
		    (rc = password_fd("p12", cli.p12_pw_fd, &cli.p12_pw_file, p12fd,
		    sizeof(p12fd))) != NC_OK)
			return rc;
	}
	if (nc_opt.pki == NULL) {
		fprintf(stderr, "nutcert: --pki DIR is needed (the CA's directory)\n");
		return NC_USAGE;
	}
	if (cmd->bit != C_INIT && cmd->bit != C_SITE) {
		struct stat st;

		if (stat(nc_opt.pki, &st) != 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "nutcert: no CA in %s (make one with: nutcert "
			    "--pki %s init)\n", nc_opt.pki, nc_opt.pki);
			return NC_DB;
		}
	}
	if (cli.group == NULL)
		cli.group = RUN_AS_GROUP;
	/* the databases written go to root:GROUP: know it exists first */
	if ((cmd->bit & (C_ISSUE | C_CRL | C_IMPORT)) && geteuid() == 0 &&
	    getgrnam(cli.group) == NULL) {
		fprintf(stderr, "nutcert: group '%s' does not exist (--group names the "
		    "group of the daemons that read the databases)\n", cli.group);
		return NC_USAGE;
	}
	/* an interrupt waits until the temporary files (password copies) are
	 * gone; the tools run with these signals unblocked (run.c) */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, NULL);
	rc = cmd->fn();
	nc_tmp_cleanup();
	nc_password_forget();
	fflush(stdout);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	return rc;
}
