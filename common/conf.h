/*
 * nutsec - conf.h: the one configuration engine.
 *
 * Each program declares its directives in tables; the engine tokenizes the
 * file with tok, recognises [section] headers, accepts both "KEY value..."
 * and "key = value..." forms, finds the directive (bsearch in a table sorted
 * by name), checks arity and bounds, stores typed values through offsets
 * into the caller's struct, and reports every problem as "file:line: message".
 * It never exits: the caller decides whether errors are fatal.
 */
#ifndef NUTSEC_CONF_H
#define NUTSEC_CONF_H

#include <stddef.h>
#include <stdio.h>

enum conf_type {
	CONF_BOOL,	/* true/on/yes/1 or false/off/no/0, case-insensitive -> int;
			   with min_args 0, max_args 1 a bare name means true */
	CONF_INT,	/* decimal, within [min, max] -> long (0,0 = any long) */
	CONF_STR,	/* one word -> char * (xstrdup; previous value freed;
			   with CONF_F_MASK held as a secret like CONF_SECRET) */
	CONF_SECRET,	/* one word -> char * held as a secret (secret_strfree) */
	CONF_PATH,	/* one word, must be absolute -> char * */
	CONF_ENUM,	/* one of enum_names (case-insensitive) or its index -> int */
	CONF_FLAG,	/* a bare word with no value; sets an int to 1 */
	CONF_CUSTOM	/* handled by fn */
};

/* Directive flags. */
#define CONF_F_REPEATABLE 0x01	/* may appear more than once (else: error) */
#define CONF_F_RELOADABLE 0x02	/* takes effect on reload (informational) */
#define CONF_F_MASK       0x04	/* value is a secret: masked in dumps */
#define CONF_F_OBSOLETE   0x08	/* accepted with a warning, otherwise ignored */

struct conf_ctx;

/*
 * A custom handler gets the words after the directive name (with a leading
 * "=" already removed) and the object being filled. Returns 0, or -1 after
 * calling conf_error().
 */
typedef int (*conf_fn)(struct conf_ctx *cx, void *obj, int argc, char **argv);

struct conf_directive {
	const char *name;
	enum conf_type type;
	size_t offset;		/* into the object (unused for CONF_CUSTOM) */
	int min_args, max_args;	/* words after the name; 0,0 = type default:
				   FLAG 0,0; CUSTOM 0..INT_MAX; others 1,1 */
	long min, max;		/* bounds for CONF_INT */
	const char *const *enum_names;	/* NULL-terminated, for CONF_ENUM */
	unsigned flags;
	conf_fn fn;		/* for CONF_CUSTOM */
	const char *help;	/* one line, used by -T dumps and docs */
};

/*
 * A file's grammar. Tables must be sorted by name (strcmp or strcasecmp as
 * nocase says); conf_check_table() verifies that at start-up.
 */
struct conf_spec {
	const char *what;			/* e.g. "upsd.conf", for messages */
	const struct conf_directive *global;	/* directives outside sections */
	size_t nglobal;
	const struct conf_directive *section;	/* directives inside [sections] */
	size_t nsection;
	int nocase;				/* directive names case-insensitive */
	/*
	 * Called on "[name]": returns the object to fill for that section, or
	 * NULL after conf_error() to skip the section's lines.
	 */
	void *(*section_begin)(struct conf_ctx *cx, void *global_obj, const char *name);
	/*
	 * Called for a directive not in the table (e.g. ups.conf driver
	 * variables). NULL means "unknown directive" is an error.
	 * in_section says which table was searched. Returns 0, or -1 after
	 * conf_error() (-1 without one is reported as "unknown directive").
	 */
	int (*unknown)(struct conf_ctx *cx, void *obj, int in_section,
	    const char *name, int argc, char **argv);
	/* Lines before the first section: rejected when set (upsd.users). */
	int no_global;
};

/* Where the engine is; for messages from handlers. */
const char *conf_file(const struct conf_ctx *cx);
unsigned long conf_line(const struct conf_ctx *cx);
const char *conf_section(const struct conf_ctx *cx);	/* NULL if global */
/* Reports "file:line: message" (log_warnx) and counts an error. */
void conf_error(struct conf_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports "file:line: message" as a warning; not counted. */
void conf_warn(struct conf_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Parses path into global_obj (and section objects from section_begin).
 * Returns the number of errors (0 = clean), or -1 if the file could not be
 * opened (errno set; nothing is logged, so the caller can phrase it). Only
 * regular files are read: a directory gives -1 with EISDIR, a FIFO, device
 * or socket -1 with EINVAL.
 */
int conf_load(const char *path, const struct conf_spec *spec, void *global_obj);
/*
 * The same on an open file (not closed; read from its current offset), with
 * `name` used in messages. -1 with errno if fd is not a regular file.
 */
int conf_load_fd(int fd, const char *name, const struct conf_spec *spec, void *global_obj);

/*
 * Reload inside a jail. conf_keep_dir(dir) opens an absolute directory
 * (O_PATH) before chroot and keeps the fd; from then on conf_open() (used by
 * conf_load) reaches a file directly in a kept directory through that fd:
 * openat(dirfd, name, O_NOFOLLOW), one name only ("." or ".." is refused
 * with EXDEV), so nothing resolves outside the directory. Other paths
 * (deeper ones included) are opened as they are. Files are opened read-only, close-on-exec,
 * non-blocking. All return 0 / an fd, or -1 with errno.
 */
int conf_keep_dir(const char *dir);
int conf_open(const char *path);
struct stat;
int conf_stat(const char *path, struct stat *st);	/* via conf_open + fstat */
void conf_forget_dirs(void);
/* The i-th kept directory's descriptor (from 0), or -1 past the last one:
 * what the sandbox's Landlock rules let the process read beneath. */
int conf_kept_fd(size_t i);
/* The same on a string, with `name` used as the file name in messages. */
int conf_load_string(const char *name, const char *text, const struct conf_spec *spec,
    void *global_obj);

/* Parse helpers for custom handlers; 0 or -1 after conf_error(). */
int conf_parse_bool(struct conf_ctx *cx, const char *word, int *out);
int conf_parse_long(struct conf_ctx *cx, const char *word, long min, long max, long *out);

/* Verifies a table is sorted and well formed; fatalx if not (a bug). */
void conf_check_table(const char *what, const struct conf_directive *t, size_t n, int nocase);

/*
 * Prints "name value" lines for every directive of a table with its value in
 * obj, masking CONF_F_MASK and CONF_SECRET values as "********" (for -T).
 * Values are quoted and escaped as the file would need them; unset strings,
 * unset flags, obsolete and CUSTOM directives are not printed.
 */
void conf_dump(FILE *fp, const struct conf_directive *t, size_t n, const void *obj);

#endif
