/*
 * nutsec - certtool/util.c: nutcert's small helpers: messages, password
 * files (0600 enforced), names, a private temporary directory, files.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nutcert.h"
#include "secret.h"
#include "xmalloc.h"

#define PW_MAX 512
#define FILE_MAX (1024 * 1024)

void
nc_err(const char *fmt, ...)
{
	va_list ap;

	fputs("nutcert: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
nc_note(const char *fmt, ...)
{
	va_list ap;

	if (nc_opt.quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * The passwords read so far, by path: a command that needs one password
 * several times (site: the CA for init, upsd and each client) reads a pipe
 * such as /dev/stdin or /dev/fd/3 only once. Cleared by nc_password_forget.
 */
#define PW_CACHE 4
static struct {
	char *path, *pw;
} pw_cache[PW_CACHE];

void
nc_password_forget(void)
{
	size_t i;

	for (i = 0; i < PW_CACHE; i++) {
		free(pw_cache[i].path);
		secret_strfree(pw_cache[i].pw);
		pw_cache[i].path = pw_cache[i].pw = NULL;
	}
}

static char *read_password(const char *path, const char *what, int *rc);

char *
nc_read_password(const char *path, const char *what, int *rc)
{
	char *pw;
	size_t i;

	if (path == NULL) {
		nc_err("%s: give it with its --...-password-file option", what);
		*rc = NC_USAGE;
		return NULL;
	}
	for (i = 0; i < PW_CACHE && pw_cache[i].path != NULL; i++)
		if (strcmp(pw_cache[i].path, path) == 0)
			return secret_strdup(pw_cache[i].pw);
	if ((pw = read_password(path, what, rc)) != NULL && i < PW_CACHE) {
		pw_cache[i].path = xstrdup(path);
		pw_cache[i].pw = secret_strdup(pw);
	}
	return pw;
}

/* One line from the file (or pipe) PATH, with the mode and owner rules. */
static char *
read_password(const char *path, const char *what, int *rc)
{
	char buf[PW_MAX + 4];	/* the line, "\r\n", and one byte to see more */
	struct stat st;
	ssize_t n;
	size_t len;
	char *rest;
	int fd;

	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		nc_err("%s %s: %s", what, path, strerror(errno));
		*rc = NC_USAGE;
		return NULL;
	}
	/* a file, or a pipe from the caller (e.g. /dev/fd/3) */
	if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
		nc_err("%s %s: not a regular file or a pipe", what, path);
		close(fd);
		*rc = NC_REFUSED;
		return NULL;
	}
	if ((st.st_mode & 077) != 0) {
		nc_err("%s %s has mode %04o: group or others may access it; run: chmod 600 %s",
		    what, path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		*rc = NC_REFUSED;
		return NULL;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		nc_err("%s %s belongs to uid %u, not to us or root", what, path,
		    (unsigned)st.st_uid);
		close(fd);
		*rc = NC_REFUSED;
		return NULL;
	}
	n = 0;
	for (;;) {	/* a pipe may deliver the line in pieces */
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			n = -1;
			break;
		}
		if (r == 0 || (n += r) >= (ssize_t)sizeof(buf) - 1)
			break;
	}
	if (n < 0) {
		int e = errno;

		close(fd);
		secret_clear(buf, sizeof(buf));
		nc_err("%s %s: %s", what, path, strerror(e));
		*rc = NC_USAGE;
		return NULL;
	}
	close(fd);
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n) != NULL) {
		/* strcspn would stop there: a shorter password than the file's */
		secret_clear(buf, sizeof(buf));
		nc_err("%s %s: holds a NUL byte", what, path);
		*rc = NC_USAGE;
		return NULL;
	}
	len = strcspn(buf, "\r\n");
	rest = buf + len;
	if (*rest == '\r')
		rest++;
	if (*rest == '\n')
		rest++;
	if (len > PW_MAX || *rest != '\0') {
		secret_clear(buf, sizeof(buf));
		nc_err("%s %s: one line of at most %d bytes expected", what,
		    path, PW_MAX);
		*rc = NC_USAGE;
		return NULL;
	}
	buf[len] = '\0';
	if (len == 0) {
		secret_clear(buf, sizeof(buf));
		nc_err("%s %s is empty (an empty database password needs "
		    "--empty-db-password)", what, path);
		*rc = NC_REFUSED;
		return NULL;
	}
	{
		char *s = secret_strdup(buf);

		secret_clear(buf, sizeof(buf));
		return s;
	}
}

int
nc_valid_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > NC_NAME_MAX || name[0] == '-' || name[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return 0;
	}
	return 1;
}

int
nc_check_name(const char *what, const char *name)
{
	if (nc_valid_name(name))
		return 1;
	nc_err("%s '%s': 1 to %d letters, digits, '.', '_' or '-' (not first)",
	    what, name, NC_NAME_MAX);
	return 0;
}

int
nc_valid_dns(const char *h)
{
	size_t i, n = strlen(h), label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && !(c == '*' && i == 0 && h[1] == '.'))
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && h[n - 1] != '-';
}

/* ---------------------------------------------------------------- temp */

static char *tmpdir;

const char *
nc_tmpdir(void)
{
	const char *base;
	char *tmpl;

	if (tmpdir != NULL)
		return tmpdir;
	base = getenv("TMPDIR");
	if (base == NULL || base[0] != '/')
		base = "/tmp";
	tmpl = xasprintf("%s/nutcert.XXXXXX", base);
	if (mkdtemp(tmpl) == NULL) {
		nc_err("cannot make a temporary directory in %s: %s", base,
		    strerror(errno));
		free(tmpl);
		exit(NC_DB);
	}
	tmpdir = tmpl;
	return tmpdir;
}

char *
nc_tmpfile(const char *base)
{
	return xasprintf("%s/%s", nc_tmpdir(), base);
}

void
nc_tmp_cleanup(void)
{
	DIR *d;
	struct dirent *de;

	if (tmpdir == NULL)
		return;
	d = opendir(tmpdir);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			char *p;
			int fd;
			struct stat st;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			p = xasprintf("%s/%s", tmpdir, de->d_name);
			/* overwrite secrets (password copies) before unlinking */
			fd = open(p, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
				    st.st_size > 0 && st.st_size < 4096) {
					char z[4096];

					memset(z, 0, sizeof(z));
					if (write(fd, z, (size_t)st.st_size) < 0) {
						/* unlinked below anyway */
					}
				}
				close(fd);
			}
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(tmpdir);
	free(tmpdir);
	tmpdir = NULL;
}

char *
nc_pwfile_for_tool(const char *pw)
{
	static unsigned n;
	char name[32];
	char *path, *line;
	int rc;

	snprintf(name, sizeof(name), "pw%u", n++);
	path = nc_tmpfile(name);
	line = xasprintf("%s\n", pw);
	rc = nc_write_file(path, line, strlen(line), 0600);
	secret_strfree(line);
	if (rc != 0) {
		free(path);
		return NULL;
	}
	return path;
}

/* ---------------------------------------------------------------- files */

int
nc_write_file(const char *path, const void *buf, size_t len, int mode)
{
	char *tmp = xasprintf("%s.new", path);
	const unsigned char *p = buf;
	int fd, e;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		goto fail;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0 || close(fd) != 0)
		goto fail;
	if (rename(tmp, path) != 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	e = errno;
	nc_err("cannot write %s: %s", path, strerror(e));
	unlink(tmp);
	free(tmp);
	errno = e;
	return -1;
}

unsigned char *
nc_read_file(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

void
nc_hex(const unsigned char *p, size_t n, char *out, int colons)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (colons && i > 0)
			out[o++] = ':';
		out[o++] = hx[p[i] >> 4];
		out[o++] = hx[p[i] & 15];
	}
	out[o] = '\0';
}

void
nc_time_str(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

char *
nc_conf_quote(const char *s)
{
	char *o = xmalloc(2 * strlen(s) + 3), *p = o;

	*p++ = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '#')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '"';
	*p = '\0';
	return o;
}

char *
nc_dn_ascii(const char *dn)
{
	char *o = xmalloc(3 * strlen(dn) + 1), *p = o;

	for (; *dn; dn++) {
		unsigned char c = (unsigned char)*dn;

		if (c < 0x20 || c >= 0x7f)
			p += sprintf(p, "\\%02X", c);
		else
			*p++ = *dn;
	}
	*p = '\0';
	return o;
}

void
nc_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

char *
nc_text_str(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char *o = xmalloc(strlen(s) * 4 + 1), *p = o;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f) {
			*p++ = '\\';
			*p++ = 'x';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	*p = '\0';
	return o;
}

int
nc_ip_parse(const char *s, unsigned char out[16])
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 16;
	return 0;
}

int
nc_ip_format(const unsigned char *p, size_t n, char *out, size_t outlen)
{
	if (n == 4)
		return inet_ntop(AF_INET, p, out, (socklen_t)outlen) ? 0 : -1;
	if (n == 16)
		return inet_ntop(AF_INET6, p, out, (socklen_t)outlen) ? 0 : -1;
	return -1;
}
