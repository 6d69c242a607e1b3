/*
 * nutsec - upsconf.h: the one ups.conf reader, used by upsd, every driver
 * and upsdrvctl, so that a file means the same to all three: the same
 * name rule, the same errors, the same verdict.
 *
 * The global directives and the per-UPS directives are stored typed; every
 * other per-UPS line (driver-specific variables, default.*, override.*) is
 * kept in order with its line number, so the driver can check it against
 * its own table and name file:line in errors. Only the driver knows its
 * variables: that check is the one thing the other readers cannot make.
 *
 * The name rule (upsconf_name_ok): a UPS name is 1..UPSCONF_NAME_MAX bytes
 * of printable ASCII other than space, '/' and the characters the
 * tokenizer gives a meaning (" \ # =), and names are compared
 * ignoring ASCII case, as upsd and the clients always did. Two sections
 * whose names differ only in case are an error; a lookup finds a section
 * in any case, and the spelling of the [section] header is the one used
 * for the socket and PID file names.
 */
#ifndef NUTSEC_UPSCONF_H
#define NUTSEC_UPSCONF_H

#include <stddef.h>

#define UPSCONF_UNSET (-1L)
/* Longest UPS name and longest driver program name, in bytes. */
#define UPSCONF_NAME_MAX 64
/* "<driver>-<ups>" plus its NUL must fit a Unix socket path (sun_path). */
#define UPSCONF_SOCKNAME_MAX 108

enum upsconf_sync { UPSCONF_SYNC_AUTO, UPSCONF_SYNC_YES, UPSCONF_SYNC_NO };

/* A line the core does not interpret itself. */
struct upsconf_var {
	char *name;
	char *value;		/* NULL for a bare flag */
	unsigned long line;
};

struct upsconf_ups {
	char *name;		/* the [section] name, case kept */
	unsigned long line;	/* where the section starts */
	char *driver, *port, *desc, *user, *group, *sdcommands, *libusb_debug;
	long pollinterval, maxstartdelay, maxretry, retrydelay, debug_min;
	long sdorder;		/* 0 by default; -1 excludes from shutdown */
	int synchronous;	/* enum upsconf_sync, -1 = unset */
	int sandbox;		/* enum sandbox_action, -1 = unset */
	int allow_killpower, nolock, ignorelb;
	struct upsconf_var *vars;	/* driver variables, default.*, override.* */
	size_t nvars;
};

struct upsconf {
	char *file;		/* path, for messages */
	char *chroot, *driverpath, *statepath, *user, *group, *libusb_debug;
	long pollinterval, maxstartdelay, maxretry, retrydelay, debug_min;
	int synchronous;	/* -1 = unset */
	int sandbox;		/* enum sandbox_action, -1 = unset */
	int nowait;
	struct upsconf_ups **ups;	/* in file order */
	size_t nups;
};

/*
 * Reads path into a new struct. Problems are logged as "file:line: ...".
 * Returns the struct with *errors set to the number of errors (0 = clean),
 * or NULL if the file could not be opened (logged; *errors = -1). Every
 * section must have a driver and a port: a section without one is an
 * error, reported at its [header] line.
 */
struct upsconf *upsconf_load(const char *path, int *errors);
/* The same from a string (for tests); name is used in messages. */
struct upsconf *upsconf_load_string(const char *name, const char *text, int *errors);
void upsconf_free(struct upsconf *uc);

/* 1 if name follows the name rule above (UPS names and driver names). */
int upsconf_name_ok(const char *name);
/* The section with this name in any ASCII case, or NULL. */
struct upsconf_ups *upsconf_find(const struct upsconf *uc, const char *name);
/* Settings that may be global and per UPS. */
enum upsconf_field {
	UPSCONF_POLLINTERVAL, UPSCONF_MAXSTARTDELAY, UPSCONF_MAXRETRY,
	UPSCONF_RETRYDELAY, UPSCONF_DEBUG_MIN, UPSCONF_SYNCHRONOUS, UPSCONF_SANDBOX
};
/* The effective value: the section's (u may be NULL), else the global one, else def. */
long upsconf_get(const struct upsconf *uc, const struct upsconf_ups *u,
    enum upsconf_field f, long def);
/* The same for user and group (strings); NULL if neither sets it. */
const char *upsconf_user(const struct upsconf *uc, const struct upsconf_ups *u);
const char *upsconf_group(const struct upsconf *uc, const struct upsconf_ups *u);
/* A new empty section (for -s standalone mode); freed with upsconf_free. */
struct upsconf_ups *upsconf_add(struct upsconf *uc, const char *name);
/* Appends a variable to a section (copies the strings). */
void upsconf_add_var(struct upsconf_ups *u, const char *name, const char *value,
    unsigned long line);
/* Parses "yes"/"no"/"auto" (case-insensitive): the enum, or -1. */
int upsconf_parse_sync(const char *word);
const char *upsconf_sync_name(int sync);

#endif
