/*
 * nutsec - devfile.h: the dummy-ups data file parser (.dev and .seq).
 *
 * The file is read whole (bounded by DEVFILE_MAX) and walked one entry
 * at a time with the common tokenizer, so a .seq file can stop at a TIMER
 * line and resume there later. Entries are "name: value words" (words
 * joined by one space), "TIMER n", "ALARM [text]"; driver.* lines are
 * skipped. A bad line is reported with its file:line and skipped; the walk
 * goes on.
 */
#ifndef NUTSEC_DEVFILE_H
#define NUTSEC_DEVFILE_H

#include <stddef.h>

#include "vartree.h"

#define DEVFILE_MAX (1024 * 1024)	/* largest data file accepted */
#define DEVFILE_TIMER_MAX 86400L	/* seconds */

enum dev_kind {
	DEV_VAR,	/* name, value ("" = delete the variable) */
	DEV_TIMER,	/* timer: seconds to wait before going on */
	DEV_ALARM,	/* value: the alarm text, "" = clear all alarms */
	DEV_EOF,
	DEV_ERROR	/* error: "file:line: message"; the line was skipped */
};

struct dev_entry {
	enum dev_kind kind;
	char name[VT_NAME_MAX + 1];
	char value[VT_VALUE_MAX + 1];
	long timer;
	unsigned long line;
	char error[256];
};

struct devfile;

/* A walker over a copy of text; name is used in messages. */
struct devfile *devfile_new(const char *name, const char *text, size_t len);
/*
 * Reads path whole. Returns the walker, or NULL with a message in err
 * (missing, unreadable, not a regular file, over DEVFILE_MAX).
 */
struct devfile *devfile_open(const char *path, char *err, size_t errlen);
void devfile_free(struct devfile *df);
/* Fills e with the next entry and returns its kind (DEV_EOF at the end). */
enum dev_kind devfile_next(struct devfile *df, struct dev_entry *e);
/* Starts over from the first line. */
void devfile_rewind(struct devfile *df);

#endif
