/*
 * nutsec - certtool/db.c: the databases of upsd and the clients, through
 * certutil and crlutil (argv arrays, password in a private 0600 file given
 * with -f, never on a command line, stdin closed so nothing can prompt).
 */
#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nutcert.h"
#include "rand.h"
#include "xmalloc.h"

#define OUT_MAX 65536

static char out[OUT_MAX];

/* certutil with -d sql:DIR [-f pw] and the given words */
static int
certutil(struct nc_db *db, const char *const words[])
{
	const char *argv[40];
	int n = 0, i;

	argv[n++] = "certutil";
	for (i = 0; words[i] != NULL && n < 34; i++)
		argv[n++] = words[i];
	argv[n++] = "-d";
	argv[n++] = db->dbarg;
	argv[n++] = "-f";
	argv[n++] = db->pwfile;
	argv[n] = NULL;
	return nc_run((char *const *)argv, out, sizeof(out));
}

/* certutil -K: logs in with the password file (output in out) */
static int
check_login(struct nc_db *db)
{
	const char *w[] = { "-K", NULL };

	return certutil(db, w);
}

int
nc_db_open(struct nc_db *db, const char *dir, const char *pw, int create)
{
	struct stat st;
	char *f;
	int rc;

	memset(db, 0, sizeof(*db));
	db->dir = dir;
	db->dbarg = xasprintf("sql:%s", dir);
	/* an empty line stands for "no password": certutil then never asks */
	if ((db->pwfile = nc_pwfile_for_tool(pw != NULL ? pw : "")) == NULL)
		return NC_DB;
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || !create) {
			nc_err("database %s: %s", dir, strerror(errno));
			return NC_DB;
		}
		if (mkdir(dir, 0750) != 0) {
			nc_err("cannot create %s: %s", dir, strerror(errno));
			return NC_DB;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		nc_err("database %s: not a directory", dir);
		return NC_DB;
	}
	f = xasprintf("%s/cert9.db", dir);
	if (access(f, F_OK) != 0) {
		char *old = xasprintf("%s/cert8.db", dir);
		int legacy = access(old, F_OK) == 0;

		free(old);
		free(f);
		if (legacy) {
			nc_err("database %s is in the old DBM format (cert8.db); "
			    "nutcert only writes sql: databases (convert it with: "
			    "certutil --upgrade-merge, or use a new directory)", dir);
			return NC_DB;
		}
		if (!create) {
			nc_err("database %s: no cert9.db there (not an NSS sql: database)",
			    dir);
			return NC_DB;
		}
		{
			const char *w[] = { "-N", NULL };

			rc = certutil(db, w);
		}
		if (rc != 0)
			return nc_tool_failed("certutil -N (creating the database)", rc, out);
		db->created = 1;
		nc_note("created the database %s", dir);
		return NC_OK;
	}
	free(f);
	if (access(dir, R_OK | W_OK | X_OK) != 0) {
		nc_err("database %s: %s", dir, strerror(errno));
		return NC_DB;
	}
	/* the password: certutil -K must log in (an empty DB says "no keys") */
	rc = check_login(db);
	if (strstr(out, "SEC_ERROR_BAD_PASSWORD") != NULL) {
		if (pw == NULL)
			nc_err("the database %s has a password: give it with "
			    "--db-password-file", dir);
		else
			nc_err("wrong password for the database %s (--db-password-file)",
			    dir);
		return NC_DB;
	}
	if (pw != NULL && (rc == 0 || strstr(out, "no keys found") != NULL)) {
		/* did it log in only because there is no password at all? */
		char *keep = db->pwfile;
		int none;

		db->pwfile = nc_pwfile_for_tool("");
		none = db->pwfile != NULL && check_login(db) >= 0 &&
		    strstr(out, "SEC_ERROR_BAD_PASSWORD") == NULL;
		free(db->pwfile);
		db->pwfile = keep;
		if (none) {
			nc_err("the database %s has no password, so CERTIDENT's would "
			    "mean nothing: give --empty-db-password, or set one first "
			    "(certutil -W -d sql:%s)", dir, dir);
			return NC_DB;
		}
		rc = check_login(db);
	}
	if (rc != 0 && strstr(out, "no keys found") == NULL) {
		if (strstr(out, "SEC_ERROR_BAD_DATABASE") || strstr(out, "SEC_ERROR_LEGACY_DATABASE")) {
			nc_err("database %s cannot be opened (damaged, unreadable or "
			    "not an NSS sql: database)", dir);
			return NC_DB;
		}
		return nc_tool_failed("certutil -K (checking the database password)", rc, out);
	}
	return NC_OK;
}

void
nc_db_close(struct nc_db *db)
{
	free(db->dbarg);
	free(db->pwfile);	/* the file itself goes with the temp dir */
	memset(db, 0, sizeof(*db));
}

int
nc_db_has(struct nc_db *db, const char *nick)
{
	const char *w[] = { "-L", "-n", nick, NULL };

	return certutil(db, w) == 0;
}

/* Keeps only the base64 characters of s (in place). */
static void
b64_only(char *s)
{
	char *o = s;

	for (; *s; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '+' || *s == '/' || *s == '=')
			*o++ = *s;
	*o = '\0';
}

int
nc_db_holds(struct nc_db *db, const char *nick, const unsigned char *der,
    size_t len)
{
	const char *w[] = { "-L", "-n", nick, "-a", NULL };
	char *pem, *body;
	int found;

	if (certutil(db, w) != 0)
		return 0;
	pem = nc_pem(der, len, "CERTIFICATE");
	body = strchr(pem, '\n');
	if (body == NULL) {
		free(pem);
		return 0;
	}
	*strstr(body, "-----END") = '\0';
	b64_only(body);
	/* the header lines of certutil's output hold no base64 run this long */
	b64_only(out);
	found = strstr(out, body) != NULL;
	free(pem);
	return found;
}

int
nc_db_delete(struct nc_db *db, const char *nick, int with_key)
{
	const char *w[] = { with_key ? "-F" : "-D", "-n", nick, NULL };
	int rc = certutil(db, w);

	if (rc != 0 && with_key) {
		/* no key: delete the certificate alone */
		const char *w2[] = { "-D", "-n", nick, NULL };

		rc = certutil(db, w2);
	}
	if (rc != 0)
		return nc_tool_failed("certutil (deleting the old certificate)", rc, out);
	return NC_OK;
}

int
nc_db_request(struct nc_db *db, const char *subject, enum nc_keytype kt,
    int bits, const char *csrpath)
{
	char *noise = nc_tmpfile("noise"), bitstr[16];
	unsigned char rnd[2048];
	int rc;

	rand_bytes(rnd, sizeof(rnd));
	if (nc_write_file(noise, rnd, sizeof(rnd), 0600) != 0) {
		free(noise);
		return NC_DB;
	}
	snprintf(bitstr, sizeof(bitstr), "%d", bits);
	{
		const char *w[] = { "-R", "-s", subject, "-z", noise, "-Z", "SHA256",
			"-o", csrpath, "-k", kt == NC_KEY_EC ? "ec" : "rsa",
			kt == NC_KEY_EC ? "-q" : "-g", kt == NC_KEY_EC ? "nistp256" : bitstr,
			NULL };

		rc = certutil(db, w);
	}
	unlink(noise);
	free(noise);
	if (rc != 0)
		return nc_tool_failed("certutil -R (making the key and request)", rc, out);
	return NC_OK;
}

int
nc_db_import(struct nc_db *db, const char *nick, const char *trust,
    const char *derpath)
{
	const char *w[] = { "-A", "-n", nick, "-t", trust, "-i", derpath, NULL };
	int rc = certutil(db, w);

	if (rc != 0)
		return nc_tool_failed("certutil -A (importing a certificate)", rc, out);
	return NC_OK;
}

int
nc_db_trust(struct nc_db *db, const char *nick, const char *trust)
{
	const char *w[] = { "-M", "-n", nick, "-t", trust, NULL };
	int rc = certutil(db, w);

	if (rc != 0)
		return nc_tool_failed("certutil -M (setting trust)", rc, out);
	return NC_OK;
}

int
nc_db_import_crl(struct nc_db *db, const char *crlpath)
{
	const char *argv[12];
	int n = 0, rc;

	argv[n++] = "crlutil";
	argv[n++] = "-I";
	argv[n++] = "-t";
	argv[n++] = "1";
	argv[n++] = "-i";
	argv[n++] = crlpath;
	argv[n++] = "-d";
	argv[n++] = db->dbarg;
	if (db->pwfile != NULL) {
		argv[n++] = "-f";
		argv[n++] = db->pwfile;
	}
	argv[n] = NULL;
	rc = nc_run((char *const *)argv, out, sizeof(out));
	if (rc != 0)
		return nc_tool_failed("crlutil -I (installing the CRL)", rc, out);
	return NC_OK;
}

int
nc_db_verify(struct nc_db *db, const char *nick, enum nc_kind usage)
{
	const char *w[] = { "-V", "-e", "-n", nick, "-u",
		usage == NC_KIND_SERVER ? "V" : "C", NULL };
	int rc = certutil(db, w);

	if (rc != 0 || strstr(out, "certificate is valid") == NULL) {
		nc_err("certutil says '%s' in %s does not verify for %s use:", nick,
		    db->dir, usage == NC_KIND_SERVER ? "TLS server" : "TLS client");
		fprintf(stderr, "    %s", out);
		return NC_VERIFY;
	}
	return NC_OK;
}

int
nc_db_fix_modes(const char *dir, const char *group)
{
	struct group *gr = NULL;
	DIR *d;
	struct dirent *de;
	int rc = NC_OK, root = geteuid() == 0;
	mode_t dmode = root ? 0750 : 0700, fmode = root ? 0640 : 0600;

	/* root: root:GROUP, so the daemon's group reads it; anyone else:
	 * private to its owner (chown to root is not ours to do) */
	if (root && (gr = getgrnam(group)) == NULL) {
		nc_err("group '%s' does not exist (--group names the group of the "
		    "daemon that reads the database)", group);
		return NC_USAGE;
	}
	if ((root && chown(dir, 0, gr->gr_gid) != 0) || chmod(dir, dmode) != 0) {
		nc_err("%s: cannot set owner and mode %04o: %s", dir, (unsigned)dmode,
		    strerror(errno));
		return NC_DB;
	}
	d = opendir(dir);
	if (d == NULL) {
		nc_err("%s: %s", dir, strerror(errno));
		return NC_DB;
	}
	while ((de = readdir(d)) != NULL) {
		char *p;
		struct stat st;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		/*
		 * Through a descriptor, never the name: a symlink is not followed,
		 * a FIFO does not block, and a file with another link (one planted
		 * while the directory was writable, pointing at a file elsewhere)
		 * is not handed to the group.
		 */
		if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(p);	/* not a file of the database: nothing to fix */
			continue;
		}
		fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ELOOP) {
				nc_err("%s: %s", p, strerror(errno));
				rc = NC_DB;
			}
			free(p);
			continue;
		}
		if (fstat(fd, &st) != 0) {
			nc_err("%s: %s", p, strerror(errno));
			rc = NC_DB;
		} else if (S_ISREG(st.st_mode) && st.st_nlink != 1) {
			nc_err("%s: refused: it has %lu links (a hard link to a file "
			    "elsewhere?); its owner and mode are left as they are", p,
			    (unsigned long)st.st_nlink);
			rc = NC_REFUSED;
		} else if (S_ISREG(st.st_mode) &&
		    ((root && fchown(fd, 0, gr->gr_gid) != 0) || fchmod(fd, fmode) != 0)) {
			nc_err("%s: cannot set owner and mode %04o: %s", p,
			    (unsigned)fmode, strerror(errno));
			rc = NC_DB;
		}
		close(fd);
		free(p);
	}
	closedir(d);
	if (!root)
		nc_note("not root: %s stays private to uid %u (mode %04o)", dir,
		    (unsigned)geteuid(), (unsigned)dmode);
	return rc;
}

/* pk12util with -d sql:DIR, -k (database password) and -w (file password) */
static int
pk12util(struct nc_db *db, const char *mode, const char *file, const char *nick,
    const char *p12pwfile)
{
	const char *argv[16];
	int n = 0;

	argv[n++] = "pk12util";
	argv[n++] = mode;
	argv[n++] = file;
	if (nick != NULL) {
		argv[n++] = "-n";
		argv[n++] = nick;
	}
	argv[n++] = "-d";
	argv[n++] = db->dbarg;
	if (db->pwfile != NULL) {
		argv[n++] = "-k";
		argv[n++] = db->pwfile;
	}
	argv[n++] = "-w";
	argv[n++] = p12pwfile;
	argv[n] = NULL;
	return nc_run((char *const *)argv, out, sizeof(out));
}

int
nc_db_export_p12(struct nc_db *db, const char *nick, const char *file,
    const char *p12pwfile)
{
	int rc = pk12util(db, "-o", file, nick, p12pwfile);

	if (rc != 0)
		return nc_tool_failed("pk12util -o (exporting)", rc, out);
	return NC_OK;
}

int
nc_db_import_p12(struct nc_db *db, const char *file, const char *p12pwfile)
{
	int rc = pk12util(db, "-i", file, NULL, p12pwfile);

	if (rc != 0) {
		if (strstr(out, "SEC_ERROR_BAD_PASSWORD") || strstr(out, "PKCS12_DECODE") ||
		    strstr(out, "INVALID_MAC") || strstr(out, "Bad password")) {
			nc_err("cannot read %s: wrong PKCS#12 password (--p12-password-file) "
			    "or not a PKCS#12 file", file);
			return NC_DB;
		}
		return nc_tool_failed("pk12util -i (importing)", rc, out);
	}
	return NC_OK;
}

/* certutil -L of the database (for messages), into buf */
int
nc_db_list(struct nc_db *db, char *buf, size_t buflen)
{
	const char *w[] = { "-L", NULL };
	int rc = certutil(db, w);

	snprintf(buf, buflen, "%s", out);
	return rc == 0 ? NC_OK : NC_TOOL;
}

void
nc_db_discard(struct nc_db *db)
{
	static const char *const files[] = { "cert9.db", "key4.db", "pkcs11.txt", NULL };
	int i;

	if (!db->created)
		return;
	for (i = 0; files[i] != NULL; i++) {
		char *p = xasprintf("%s/%s", db->dir, files[i]);

		unlink(p);
		free(p);
	}
	if (rmdir(db->dir) == 0)
		nc_note("removed the database %s made by this run", db->dir);
	db->created = 0;
}
