/*
 * nutsec - procstat.c: how much a server under test costs, read from
 * /proc. A server may be one process (NUT's upsd) or a privileged parent
 * with workers (ours), so the CPU ticks (utime + stime of
 * /proc/<pid>/stat) and VmRSS (/proc/<pid>/status) are summed over the
 * given process and every live descendant, found by one scan of /proc.
 * The scan is bounded (PROC_MAX processes); this file never writes.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define PROC_MAX 8192

struct proc_ent {
	int pid, ppid;
	unsigned long long ticks;
	int mark;
};

static struct proc_ent procs[PROC_MAX];

/* Reads ppid and utime + stime of pid. Returns 0 or -1. */
static int
read_stat(int pid, int *ppid, unsigned long long *ticks)
{
	char path[64], line[1024], *p, *save = NULL, *tok;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	/* comm may hold spaces and ')': fields start after the last ')'. */
	if (p == NULL || (p = strrchr(line, ')')) == NULL)
		return -1;
	/* Field 3 (state) is the first token after ')'. */
	field = 3;
	for (tok = strtok_r(p + 1, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save), field++) {
		if (field == 4)
			*ppid = atoi(tok);
		else if (field == 14)
			ut = strtoull(tok, NULL, 10);
		else if (field == 15) {
			st = strtoull(tok, NULL, 10);
			*ticks = ut + st;
			return 0;
		}
	}
	return -1;
}

static unsigned long
read_rss_kb(int pid)
{
	char path[64], line[256];
	unsigned long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtoul(line + 6, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

int
procstat_read(int pid, struct procstat *out)
{
	struct dirent *de;
	DIR *d;
	int n = 0, i, changed, rootseen = 0;

	memset(out, 0, sizeof(*out));
	if (pid <= 0 || (d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && n < PROC_MAX) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		procs[n].pid = atoi(de->d_name);
		if (read_stat(procs[n].pid, &procs[n].ppid,
		    &procs[n].ticks) < 0)
			continue;	/* it exited meanwhile */
		procs[n].mark = procs[n].pid == pid;
		rootseen |= procs[n].mark;
		n++;
	}
	closedir(d);
	if (!rootseen)
		return -1;
	/* Mark descendants until nothing changes (the tree is shallow). */
	do {
		changed = 0;
		for (i = 0; i < n; i++) {
			int j, ppid = procs[i].ppid;

			if (procs[i].mark)
				continue;
			for (j = 0; j < n; j++) {
				if (procs[j].mark && procs[j].pid == ppid) {
					procs[i].mark = changed = 1;
					break;
				}
			}
		}
	} while (changed);
	for (i = 0; i < n; i++) {
		if (!procs[i].mark)
			continue;
		out->ticks += procs[i].ticks;
		out->rss_kb += read_rss_kb(procs[i].pid);
		out->nprocs++;
	}
	return 0;
}

long
procstat_hz(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return hz > 0 ? hz : 100;
}
