/*
 * nutsec - privs.c: what upsd settles before it gives privileges away: the
 * jail (by default the state path itself, where the driver sockets are; with
 * -r, a directory holding the state path either as it is on the host or, as
 * in NUT's chroot recipe, at the same path inside the jail) and the open-file
 * limit (raised while still root). Giving privileges away is sandbox_confine's.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "log.h"
#include "xmalloc.h"

#include "upsd.h"

static int
copy(char *out, size_t outlen, const char *s, size_t n)
{
	if (n >= outlen) {
		log_warnx("path too long: %.*s", (int)n, s);
		return -1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int
privs_jail(const char *dir, const char *statepath, char *host, size_t hostlen,
    char *inside, size_t insidelen)
{
	size_t dlen;
	struct stat st;

	if (dir == NULL || *dir == '\0') {
		if (copy(host, hostlen, statepath, strlen(statepath)) != 0)
			return -1;
		return copy(inside, insidelen, "/", 1);
	}
	if (dir[0] != '/') {
		log_warnx("-r %s: the chroot directory must be an absolute path", dir);
		return -1;
	}
	dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (dlen == 1)
		dlen = 0;
	/* The state path as it is on the host, under the jail. */
	if (strncmp(statepath, dir, dlen) == 0 &&
	    (statepath[dlen] == '/' || statepath[dlen] == '\0')) {
		if (copy(host, hostlen, statepath, strlen(statepath)) != 0)
			return -1;
		if (statepath[dlen] == '\0' || statepath[dlen + 1] == '\0')
			return copy(inside, insidelen, "/", 1);
		return copy(inside, insidelen, statepath + dlen, strlen(statepath + dlen));
	}
	/* NUT's recipe: the same path inside the jail. */
	if (str_printf(host, hostlen, "%.*s%s", (int)dlen, dir, statepath) < 0) {
		log_warnx("-r %s: path too long", dir);
		return -1;
	}
	if (stat(host, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_warnx("-r %s: the state path %s is neither under it nor at %s inside "
		    "it (copy it there: mkdir -p %s)", dir, statepath, host, host);
		return -1;
	}
	return copy(inside, insidelen, statepath, strlen(statepath));
}

long
privs_raise_nofile(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		return 1024;
	}
	if (want > 0 && (rlim_t)want > rl.rlim_cur) {
		rlim_t target = (rlim_t)want;

		if (rl.rlim_max != RLIM_INFINITY && target > rl.rlim_max)
			target = rl.rlim_max;
		rl.rlim_cur = target;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("setrlimit(RLIMIT_NOFILE, %lu)", (unsigned long)target);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)1 << 24)
		return 1L << 24;
	return (long)rl.rlim_cur;
}
