/*
 * nutsec - shutdown.c: the only code that turns the machine off:
 * POWERDOWNFLAG (created with its magic first line, checked by -K, removed
 * at start-up only when it is ours) and SHUTDOWNCMD, run from the
 * configuration this process read itself, as an argument vector without a
 * shell, waited for. Used by the root parent and by -p.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"

#include "upsmon.h"

static int
pdflag_set(const char *path)
{
	static const char body[] = UPSMON_PDFLAG_MAGIC "\n";
	int fd;

	/* O_NOFOLLOW: root never writes through a link someone else planted */
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_warn("POWERDOWNFLAG %s", path);
		return -1;
	}
	if (write(fd, body, sizeof(body) - 1) != (ssize_t)(sizeof(body) - 1)) {
		log_warn("POWERDOWNFLAG %s: write", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* 1 if path holds our magic first line, 0 if not, -1 if missing. */
static int
pdflag_ours(const char *path)
{
	char buf[sizeof(UPSMON_PDFLAG_MAGIC) + 8];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < (ssize_t)strlen(UPSMON_PDFLAG_MAGIC))
		return 0;
	return memcmp(buf, UPSMON_PDFLAG_MAGIC, strlen(UPSMON_PDFLAG_MAGIC)) == 0;
}

int
upsmon_pdflag_check(const struct upsmon_conf *cf)
{
	if (cf->powerdownflag == NULL)
		return 1;
	return pdflag_ours(cf->powerdownflag) == 1 ? 0 : 1;
}

int
upsmon_pdflag_clear(const struct upsmon_conf *cf)
{
	int r;

	if (cf->powerdownflag == NULL)
		return 0;
	r = pdflag_ours(cf->powerdownflag);
	if (r == 0) {
		log_warnx("POWERDOWNFLAG %s exists and was not written by upsmon: left alone",
		    cf->powerdownflag);
		return -1;
	}
	if (r == 1 && unlink(cf->powerdownflag) != 0 && errno != ENOENT)
		log_warn("cannot remove %s", cf->powerdownflag);
	return 0;
}

int
upsmon_do_shutdown(const struct upsmon_conf *cf)
{
	struct spawn_opts o;
	char *envp[16];
	static const char *const names[] = { "PATH", "TZ", "LANG", NULL };
	pid_t pid;
	int st;

	if (cf->powerdownflag != NULL && pdflag_set(cf->powerdownflag) == 0)
		log_notice("POWERDOWNFLAG %s created", cf->powerdownflag);
	if (cf->shutdowncmd[0] == NULL) {
		log_warnx("no SHUTDOWNCMD in %s: cannot shut down", cf->path);
		return -1;
	}
	log_notice("executing SHUTDOWNCMD %s", cf->shutdowncmd[0]);
	(void)spawn_env(envp, sizeof(envp) / sizeof(envp[0]), names);
	spawn_opts_init(&o, cf->shutdowncmd);
	o.envp = envp;
	o.stdin_fd = SPAWN_NULL;
	if ((pid = spawn(&o)) < 0) {
		log_warn("cannot run SHUTDOWNCMD %s", cf->shutdowncmd[0]);
		return -1;
	}
	if (spawn_reap(pid, -1, &st) != 1) {
		log_warn("SHUTDOWNCMD %s: wait", cf->shutdowncmd[0]);
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		log_warnx("SHUTDOWNCMD %s failed (status %d)", cf->shutdowncmd[0], st);
		return -1;
	}
	return 0;
}
