/*
 * nutsec - recording.c: reads a recorded device directory (recording.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recording.h"

#define LINE_MAX_LEN 8192

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
rec_parse_hex(const char *text, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	const char *s = text;

	for (;;) {
		int hi, lo;

		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (*s == '\0')
			return (long)n;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
			s += 2;
		hi = hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);
		if (hi < 0 || lo < 0 || (s[2] != '\0' && s[2] != ' ' && s[2] != '\t' &&
		    s[2] != '\n' && s[2] != '\r'))
			return -1;
		if (n == cap)
			return -1;
		buf[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
}

int
rec_parse_raw(const char *line, struct rec_raw *raw)
{
	const char *s = line;
	long n;
	uint8_t id[1];

	if (strncmp(s, "RAW ", 4) != 0)
		return 0;
	s += 4;
	while (*s == ' ')
		s++;
	/* the id token, then the bytes */
	{
		char tok[8];
		size_t k = 0;

		while (*s != '\0' && *s != ' ' && k < sizeof(tok) - 1)
			tok[k++] = *s++;
		tok[k] = '\0';
		if (rec_parse_hex(tok, id, 1) != 1)
			return -1;
	}
	n = rec_parse_hex(s, raw->bytes, sizeof(raw->bytes));
	if (n < 1)
		return -1;
	raw->id = id[0];
	raw->len = (uint16_t)n;
	return 1;
}

static FILE *
open_in(const char *dir, const char *name, char *path, size_t plen)
{
	if (snprintf(path, plen, "%s/%s", dir, name) >= (int)plen) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return fopen(path, "r");
}

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

static void
info_line(struct recording *rec, char *line)
{
	char *colon = strchr(line, ':');
	const char *v;

	if (colon == NULL)
		return;
	*colon = '\0';
	v = colon + 1;
	while (*v == ' ')
		v++;
	if (strcmp(line, "VendorID") == 0)
		rec->vendorid = (unsigned)strtoul(v, NULL, 16) & 0xffff;
	else if (strcmp(line, "ProductID") == 0)
		rec->productid = (unsigned)strtoul(v, NULL, 16) & 0xffff;
	else if (strcmp(line, "Manufacturer") == 0)
		snprintf(rec->manufacturer, sizeof(rec->manufacturer), "%s", v);
	else if (strcmp(line, "Product") == 0)
		snprintf(rec->product, sizeof(rec->product), "%s", v);
	else if (strcmp(line, "Serial") == 0)
		snprintf(rec->serial, sizeof(rec->serial), "%s", v);
	else if (strncmp(line, "String ", 7) == 0 && rec->nstrings < REC_STRINGS) {
		unsigned long idx = strtoul(line + 7, NULL, 10);

		if (idx > 0 && idx < 256) {
			rec->strings[rec->nstrings].index = (unsigned)idx;
			snprintf(rec->strings[rec->nstrings].text, REC_STR_MAX, "%s", v);
			rec->nstrings++;
		}
	}
}

static int
load_desc(struct recording *rec, const char *dir, char *err, size_t errlen)
{
	char path[4096], line[LINE_MAX_LEN];
	FILE *fp = open_in(dir, "descriptor.hex", path, sizeof(path));
	unsigned lineno = 0;

	if (fp == NULL) {
		snprintf(err, errlen, "%s/descriptor.hex: %s", dir, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		long n;

		lineno++;
		n = rec_parse_hex(line, rec->desc + rec->desc_len, sizeof(rec->desc) - rec->desc_len);
		if (n < 0) {
			snprintf(err, errlen, "%s:%u: not hex bytes, or over %d bytes", path, lineno,
			    HID_DESC_MAX);
			fclose(fp);
			return -1;
		}
		rec->desc_len += (size_t)n;
	}
	fclose(fp);
	return 0;
}

static int
load_reports(struct recording *rec, const char *dir, char *err, size_t errlen)
{
	char path[4096], line[LINE_MAX_LEN];
	FILE *fp = open_in(dir, "reports.txt", path, sizeof(path));
	unsigned lineno = 0;

	if (fp == NULL)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", path,
		    strerror(errno)), -1);
	while (fgets(line, sizeof(line), fp) != NULL) {
		struct rec_raw raw;
		int rc;

		lineno++;
		rc = rec_parse_raw(line, &raw);
		if (rc == 0)
			continue;
		if (rc == -1 || rec->nraws == REC_RAW_MAX) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno,
			    rc == -1 ? "malformed RAW line" : "too many RAW lines");
			fclose(fp);
			return -1;
		}
		if (rec->nraws % 64 == 0) {
			struct rec_raw *n = realloc(rec->raws, (rec->nraws + 64) * sizeof(*n));

			if (n == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				fclose(fp);
				return -1;
			}
			rec->raws = n;
		}
		raw.line = lineno;
		rec->raws[rec->nraws++] = raw;
	}
	fclose(fp);
	return 0;
}

int
rec_load(struct recording *rec, const char *dir, char *err, size_t errlen)
{
	char path[4096], line[LINE_MAX_LEN];
	FILE *fp;

	memset(rec, 0, sizeof(*rec));
	if (load_desc(rec, dir, err, errlen) == -1 || load_reports(rec, dir, err, errlen) == -1) {
		rec_free(rec);
		return -1;
	}
	if ((fp = open_in(dir, "info.txt", path, sizeof(path))) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL) {
			chomp(line);
			info_line(rec, line);
		}
		fclose(fp);
	}
	return 0;
}

void
rec_free(struct recording *rec)
{
	free(rec->raws);
	rec->raws = NULL;
	rec->nraws = 0;
}
