/*
 * nutsec - certtool/index.c: DIR/index, one line per certificate the CA
 * issued (tab-separated: status V/R, serial in hex, not-before, not-after,
 * kind, name, revocation time, reason code, names, subject), and the lock
 * that keeps two nutcert runs on one DIR apart.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "nutcert.h"
#include "xmalloc.h"

#define INDEX_HEADER "# nutcert index v1: status serial notbefore notafter kind name revoked reason names subject"
#define LINE_MAX_LEN 4096

static const char *const reasons[] = {
	"unspecified", "keyCompromise", "caCompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", NULL
};

char *
nc_pki_path(const char *pki, const char *rel)
{
	return xasprintf("%s/%s", pki, rel);
}

const char *
nc_kind_str(enum nc_kind k)
{
	return k == NC_KIND_CA ? "ca" : k == NC_KIND_SERVER ? "server" : "client";
}

int
nc_reason_code(const char *word)
{
	int i;

	for (i = 0; reasons[i] != NULL; i++)
		if (strcasecmp(word, reasons[i]) == 0)
			return i;
	return -1;
}

const char *
nc_reason_str(int code)
{
	if (code < 0 || code > 5)
		return "unspecified";
	return reasons[code];
}

static int
parse_line(char *line, struct nc_entry *e)
{
	char *f[10], *p = line;
	int n = 0;

	while (n < 10) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	if (n != 10 || (f[0][0] != 'V' && f[0][0] != 'R') || strlen(f[1]) >= sizeof(e->serial) ||
	    strlen(f[5]) > NC_NAME_MAX)
		return -1;
	memset(e, 0, sizeof(*e));
	e->status = f[0][0];
	strcpy(e->serial, f[1]);
	e->not_before = (time_t)strtoll(f[2], NULL, 10);
	e->not_after = (time_t)strtoll(f[3], NULL, 10);
	if (strcmp(f[4], "ca") == 0)
		e->kind = NC_KIND_CA;
	else if (strcmp(f[4], "server") == 0)
		e->kind = NC_KIND_SERVER;
	else if (strcmp(f[4], "client") == 0)
		e->kind = NC_KIND_CLIENT;
	else
		return -1;
	strcpy(e->name, f[5]);
	e->revoked_at = (time_t)strtoll(f[6], NULL, 10);
	e->reason = atoi(f[7]);
	e->sans = xstrdup(f[8]);
	e->subject = xstrdup(f[9]);
	return 0;
}

int
nc_index_load(const char *pki, struct nc_index *ix)
{
	char *path = nc_pki_path(pki, "index");
	char line[LINE_MAX_LEN];
	unsigned lineno = 0;
	FILE *fp;

	ix->e = NULL;
	ix->n = 0;
	fp = fopen(path, "re");
	if (fp == NULL) {
		if (errno == ENOENT) {
			free(path);
			return NC_OK;
		}
		nc_err("%s: %s", path, strerror(errno));
		free(path);
		return NC_DB;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		ix->e = xreallocarray(ix->e, ix->n + 1, sizeof(*ix->e));
		if (parse_line(line, &ix->e[ix->n]) != 0) {
			nc_err("%s:%u: damaged line", path, lineno);
			fclose(fp);
			free(path);
			return NC_DB;
		}
		ix->n++;
	}
	fclose(fp);
	free(path);
	return NC_OK;
}

int
nc_index_save(const char *pki, const struct nc_index *ix)
{
	char *path = nc_pki_path(pki, "index"), *buf = NULL;
	size_t len = 0, i;
	FILE *mf = open_memstream(&buf, &len);
	int rc;

	if (mf == NULL) {
		free(path);
		return NC_DB;
	}
	fprintf(mf, "%s\n", INDEX_HEADER);
	for (i = 0; i < ix->n; i++) {
		const struct nc_entry *e = &ix->e[i];

		fprintf(mf, "%c\t%s\t%lld\t%lld\t%s\t%s\t%lld\t%d\t%s\t%s\n",
		    e->status, e->serial, (long long)e->not_before,
		    (long long)e->not_after, nc_kind_str(e->kind), e->name,
		    (long long)e->revoked_at, e->reason, e->sans, e->subject);
	}
	fclose(mf);
	rc = nc_write_file(path, buf, len, 0600) == 0 ? NC_OK : NC_DB;
	free(buf);
	free(path);
	return rc;
}

void
nc_index_free(struct nc_index *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++) {
		free(ix->e[i].sans);
		free(ix->e[i].subject);
	}
	free(ix->e);
	ix->e = NULL;
	ix->n = 0;
}

struct nc_entry *
nc_index_find(struct nc_index *ix, const char *name)
{
	size_t i;

	for (i = ix->n; i-- > 0;)
		if (ix->e[i].status == 'V' && strcmp(ix->e[i].name, name) == 0)
			return &ix->e[i];
	return NULL;
}

const struct nc_entry *
nc_index_subject_taken(const struct nc_index *ix, const char *name, const char *subject)
{
	size_t i;

	/* case-insensitively: a stricter match than any reader's is safe */
	for (i = 0; i < ix->n; i++)
		if (ix->e[i].status == 'V' && ix->e[i].kind == NC_KIND_CLIENT &&
		    strcmp(ix->e[i].name, name) != 0 &&
		    strcasecmp(ix->e[i].subject, subject) == 0)
			return &ix->e[i];
	return NULL;
}

struct nc_entry *
nc_index_add(struct nc_index *ix)
{
	ix->e = xreallocarray(ix->e, ix->n + 1, sizeof(*ix->e));
	memset(&ix->e[ix->n], 0, sizeof(ix->e[0]));
	return &ix->e[ix->n++];
}

int
nc_pki_lock(const char *pki)
{
	static int held;	/* once per process (site runs several steps) */
	char *path;
	int fd;

	if (held)
		return NC_OK;
	path = nc_pki_path(pki, "lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		nc_err("%s: %s", path, strerror(errno));
		free(path);
		return NC_DB;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		nc_note("waiting for another nutcert working on %s", pki);
		if (flock(fd, LOCK_EX) != 0) {
			nc_err("%s: %s", path, strerror(errno));
			close(fd);
			free(path);
			return NC_DB;
		}
	}
	free(path);
	held = 1;
	return NC_OK;		/* fd stays open (and locked) until exit */
}

/* ---------------------------------------------------------------- DIR/installed */

/* DIR/installed: "NAME<tab>DBDIR" per name, the database it was last
 * installed into (renew's default --out). */
char *
nc_installed_get(const char *pki, const char *name)
{
	char *path = nc_pki_path(pki, "installed"), line[LINE_MAX_LEN], *found = NULL;
	size_t n = strlen(name);
	FILE *fp = fopen(path, "re");

	free(path);
	if (fp == NULL)
		return NULL;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, name, n) == 0 && line[n] == '\t') {
			free(found);
			found = xstrdup(line + n + 1);
		}
	}
	fclose(fp);
	return found;
}

int
nc_installed_set(const char *pki, const char *name, const char *dbdir)
{
	char *path = nc_pki_path(pki, "installed"), line[LINE_MAX_LEN];
	char *buf = NULL;
	size_t len = 0, n = strlen(name);
	FILE *fp, *mf = open_memstream(&buf, &len);
	int rc;

	if (mf == NULL || strpbrk(dbdir, "\t\n") != NULL) {
		if (mf != NULL)
			fclose(mf);
		free(buf);
		free(path);
		return mf == NULL ? NC_DB : NC_OK;	/* an odd path is not recorded */
	}
	if ((fp = fopen(path, "re")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL)
			if (!(strncmp(line, name, n) == 0 && line[n] == '\t'))
				fputs(line, mf);
		fclose(fp);
	}
	fprintf(mf, "%s\t%s\n", name, dbdir);
	fclose(mf);
	rc = nc_write_file(path, buf, len, 0600) == 0 ? NC_OK : NC_DB;
	free(buf);
	free(path);
	return rc;
}
