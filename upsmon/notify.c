/*
 * nutsec - notify.c: acting on one notification as NOTIFYFLAG says:
 * SYSLOG (our log), WALL (the wall program, the text on its stdin) and
 * EXEC (NOTIFYCMD's argument vector with the text as one more argument,
 * NOTIFYTYPE and UPSNAME in a clean environment). Nothing goes through a
 * shell. Only configured UPS names (or "" for events of no UPS) are
 * accepted, whoever asks. Children are tracked and reaped; at most
 * NOTIFY_MAX_RUNNING run at once, more are refused with a log line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"
#include "xmalloc.h"

#include "upsmon.h"

#define NOTIFY_MAX_RUNNING 32
#define NOTIFY_ENV_MAX 48

struct notifier {
	const struct upsmon_conf *cf;
	char wall[64];			/* the wall program, "" if none found */
	pid_t running[NOTIFY_MAX_RUNNING];
	size_t nrunning;
	struct log_ratelimit refused;
};

/* Variables of ours a notify script may rely on. */
static const char *const env_names[] = { "PATH", "TZ", "LANG", "LC_*", "NUT_*", NULL };

struct notifier *
notifier_new(const struct upsmon_conf *cf)
{
	static const char *const walls[] = { "/usr/bin/wall", "/bin/wall", NULL };
	struct notifier *n = XNEW(struct notifier);
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(60, 5);
	size_t i;

	n->cf = cf;
	n->refused = rl;
	for (i = 0; walls[i] != NULL; i++)
		if (access(walls[i], X_OK) == 0) {
			(void)str_copy(n->wall, walls[i], sizeof(n->wall));
			break;
		}
	return n;
}

void
notifier_free(struct notifier *n)
{
	if (n == NULL)
		return;
	notifier_reap(n);
	free(n);
}

void
notifier_set_conf(struct notifier *n, const struct upsmon_conf *cf)
{
	n->cf = cf;
}

void
notifier_reap(struct notifier *n)
{
	size_t i = 0;
	int st;

	while (i < n->nrunning) {
		if (spawn_reap(n->running[i], 0, &st) != 0) {
			if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
				log_info("notify program %ld exited %d", (long)n->running[i],
				    WEXITSTATUS(st));
			n->running[i] = n->running[--n->nrunning];
		} else {
			i++;
		}
	}
}

size_t
notifier_running(const struct notifier *n)
{
	return n->nrunning;
}

static int
start(struct notifier *n, struct spawn_opts *o, const char *what)
{
	pid_t pid;

	notifier_reap(n);
	if (n->nrunning >= NOTIFY_MAX_RUNNING) {
		if (log_ratelimit(&n->refused))
			log_warnx("%s not run: %d notify programs still running", what,
			    NOTIFY_MAX_RUNNING);
		return -1;
	}
	if ((pid = spawn(o)) < 0) {
		log_warn("cannot run %s", what);
		return -1;
	}
	n->running[n->nrunning++] = pid;
	return 0;
}

static void
do_wall(struct notifier *n, const char *text)
{
	char *argv[2] = { n->wall, NULL };
	struct spawn_opts o;
	size_t len = strlen(text);
	int p[2];

	if (n->wall[0] == '\0') {
		log_debug("WALL: no wall program found");
		return;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		log_warn("WALL: pipe");
		return;
	}
	/* the text is far below a pipe's buffer: this write never blocks */
	if (write(p[1], text, len) != (ssize_t)len || write(p[1], "\n", 1) != 1)
		log_warn("WALL: write");
	close(p[1]);
	spawn_opts_init(&o, argv);
	o.stdin_fd = p[0];
	o.stdout_fd = SPAWN_NULL;
	(void)start(n, &o, n->wall);
	close(p[0]);
}

static void
do_exec(struct notifier *n, enum nt type, const char *sys, const char *text)
{
	char *argv[UPSMON_MAX_ARGS + 2], *envp[NOTIFY_ENV_MAX + 3];
	char envtype[64], envups[UPSMON_SYS_MAX + 16];
	struct spawn_opts o;
	size_t i, ne;

	if (n->cf->notifycmd[0] == NULL) {
		log_debug("EXEC for %s: no NOTIFYCMD", nt_name(type));
		return;
	}
	for (i = 0; n->cf->notifycmd[i] != NULL; i++)
		argv[i] = n->cf->notifycmd[i];
	argv[i++] = (char *)text;
	argv[i] = NULL;
	(void)str_printf(envtype, sizeof(envtype), "NOTIFYTYPE=%s", nt_name(type));
	(void)str_printf(envups, sizeof(envups), "UPSNAME=%s", sys);
	ne = spawn_env(envp, NOTIFY_ENV_MAX, env_names);
	envp[ne++] = envtype;
	envp[ne++] = envups;
	envp[ne] = NULL;
	spawn_opts_init(&o, argv);
	o.envp = envp;
	o.stdin_fd = SPAWN_NULL;
	o.new_session = 1;
	(void)start(n, &o, argv[0]);
}

int
notifier_do(struct notifier *n, enum nt type, const char *sys, const char *extra)
{
	char text[UPSMON_MSG_MAX];
	unsigned flags;

	if ((unsigned)type >= NT__COUNT) {
		log_warnx("notification of unknown type %u refused", (unsigned)type);
		return -1;
	}
	if (sys[0] != '\0' && upsmon_conf_find(n->cf, sys) == NULL) {
		log_warnx("notification %s for '%s', which is not a MONITOR of %s: refused",
		    nt_name(type), sys, n->cf->path);
		return -1;
	}
	flags = n->cf->notifyflag[type];
	nt_format(text, sizeof(text), upsmon_conf_msg(n->cf, type), sys, extra);
	if (flags & NF_IGNORE)
		return 0;
	if (flags & NF_SYSLOG)
		log_notice("%s", text);
	if (flags & NF_WALL)
		do_wall(n, text);
	if (flags & NF_EXEC)
		do_exec(n, type, sys, text);
	return 0;
}
