/*
 * nutsec - test_upssched_timer.c: the timer process must hold its own
 * lock on the very file the upssched that started it locked. It opens
 * LOCKFN again by name (its own open, so that its flock and the starter's
 * exclude each other); if the name was replaced in between, by someone
 * who may write LOCKFN's directory, the two locks would be on two files
 * and a starter could talk to a timer process on its way out. The timer
 * process must then refuse to start.
 */
#define _GNU_SOURCE 1	/* struct ucred */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "log.h"
#include "test.h"
#include "upssched.h"

static char dir[] = "/tmp/test_upssched_timer.XXXXXX";

/* Stops the timer process listening at PIPEFN, found through SO_PEERCRED. */
static void
stop_timer(const struct us_conf *c)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	char err[256];
	int fd = us_connect(c->pipefn, err, sizeof(err)), i;

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.pid > 1)
		(void)kill(cr.pid, SIGTERM);
	close(fd);
	for (i = 0; i < 100 && access(c->pipefn, F_OK) == 0; i++)
		usleep(20000);
}

int
main(void)
{
	char lockfn[128], pipefn[128], moved[128], err[512];
	struct us_conf c;
	int lock, fd;

	log_init("test_upssched_timer", 0, LOG_TO_STDERR);
	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(lockfn, sizeof(lockfn), "%s/upssched.lock", dir);
	snprintf(pipefn, sizeof(pipefn), "%s/upssched.pipe", dir);
	snprintf(moved, sizeof(moved), "%s/upssched.lock.old", dir);
	memset(&c, 0, sizeof(c));
	c.cmdscript = (char *)"/bin/true";
	c.lockfn = lockfn;
	c.pipefn = pipefn;

	TEST_CASE("timer process: starts holding the file its starter locked");
	lock = us_lock(lockfn, 1000, err, sizeof(err));
	CHECK(lock >= 0);
	CHECK(us_timer_start(&c, lock, err, sizeof(err)) == 0);
	stop_timer(&c);
	if (lock >= 0)
		close(lock);

	TEST_CASE("timer process: LOCKFN replaced after the starter locked it: refused");
	lock = us_lock(lockfn, 1000, err, sizeof(err));
	CHECK(lock >= 0);
	CHECK(rename(lockfn, moved) == 0);
	fd = open(lockfn, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(us_timer_start(&c, lock, err, sizeof(err)) == -1);
	CHECK(access(pipefn, F_OK) != 0);
	stop_timer(&c);
	if (lock >= 0)
		close(lock);

	unlink(lockfn);
	unlink(moved);
	unlink(pipefn);
	rmdir(dir);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return test_done();
}
