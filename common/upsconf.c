/*
 * nutsec - upsconf.c: the one ups.conf reader (upsd, drivers, upsdrvctl).
 * The grammar is two directive tables for the conf engine, plus the
 * handlers for what a plain type cannot say: the name rule for sections
 * and driver names, flags that may also be written "name = yes",
 * synchronous yes/no/auto, a desc of several words, the catch-all that
 * keeps driver variables, default.* and override.* lines (with their line
 * numbers) for the driver to check against its own table, and the
 * whole-file checks made once the file is read (driver and port present,
 * the socket name fits).
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "conf.h"
#include "log.h"
#include "upsconf.h"
#include "xmalloc.h"

#define DESC_MAX 256

static const char *const sync_names[] = { "auto", "yes", "no", NULL };

int
upsconf_parse_sync(const char *word)
{
	int i;

	for (i = 0; sync_names[i] != NULL; i++)
		if (strcasecmp(word, sync_names[i]) == 0)
			return i;
	return -1;
}

const char *
upsconf_sync_name(int sync)
{
	if (sync < 0 || sync > UPSCONF_SYNC_NO)
		return "auto";
	return sync_names[sync];
}

/* A flag may be bare ("nolock") or given a boolean ("nolock = yes"). */
static int
flag_or_bool(struct conf_ctx *cx, int argc, char **argv, int *out)
{
	if (argc == 0) {
		*out = 1;
		return 0;
	}
	return conf_parse_bool(cx, argv[0], out);
}

static int
h_nowait(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return flag_or_bool(cx, argc, argv, &((struct upsconf *)obj)->nowait);
}

static int
h_allow_killpower(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return flag_or_bool(cx, argc, argv, &((struct upsconf_ups *)obj)->allow_killpower);
}

static int
h_nolock(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return flag_or_bool(cx, argc, argv, &((struct upsconf_ups *)obj)->nolock);
}

static int
h_ignorelb(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return flag_or_bool(cx, argc, argv, &((struct upsconf_ups *)obj)->ignorelb);
}

static int
parse_sync(struct conf_ctx *cx, const char *word, int *out)
{
	int v = upsconf_parse_sync(word);

	if (v < 0) {
		conf_error(cx, "synchronous must be yes, no or auto, not \"%s\"", word);
		return -1;
	}
	*out = v;
	return 0;
}

static int
h_gsync(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return parse_sync(cx, argv[0], &((struct upsconf *)obj)->synchronous);
}

static int
h_usync(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return parse_sync(cx, argv[0], &((struct upsconf_ups *)obj)->synchronous);
}

/* NUT takes only the first word of an unquoted desc; we keep them all. */
static int
h_desc(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsconf_ups *u = obj;
	char out[DESC_MAX];
	size_t len = 0, n;
	int i;

	out[0] = '\0';
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (len + n + 2 > sizeof(out)) {
			conf_error(cx, "desc is longer than %d characters", DESC_MAX - 1);
			return -1;
		}
		if (i > 0)
			out[len++] = ' ';
		memcpy(out + len, argv[i], n + 1);
		len += n;
	}
	if (argc > 1)
		conf_warn(cx, "desc has %d words; quote it to keep the spacing", argc);
	free(u->desc);
	u->desc = xstrdup(out);
	return 0;
}

/*
 * Characters a name may not hold besides space and non-printables: '/'
 * would leave the state path, and the others mean something to the
 * tokenizer, so a client could never send the name back to upsd.
 */
#define NAME_BAD_CHARS "/\"\\#="

static int
name_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr(NAME_BAD_CHARS, c) == NULL;
}

int
upsconf_name_ok(const char *name)
{
	size_t n = 0;

	for (; name[n] != '\0'; n++)
		if (n >= UPSCONF_NAME_MAX || !name_char_ok((unsigned char)name[n]))
			return 0;
	return n > 0;
}

/* The program upsdrvctl runs from driverpath: a plain name, never a path. */
static int
h_driver(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsconf_ups *u = obj;

	if (!upsconf_name_ok(argv[0]) || argv[0][0] == '.') {
		conf_error(cx, "driver \"%s\" is not a program name (1 to %d printable "
		    "characters, none of space and %s, not starting with '.')", argv[0],
		    UPSCONF_NAME_MAX, NAME_BAD_CHARS);
		return -1;
	}
	free(u->driver);
	u->driver = xstrdup(argv[0]);
	return 0;
}

static int
h_debug_min(struct conf_ctx *cx, long *out, const char *word)
{
	return conf_parse_long(cx, word, 0, 10, out);
}

static int
h_gdebug_min(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return h_debug_min(cx, &((struct upsconf *)obj)->debug_min, argv[0]);
}

static int
h_udebug_min(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return h_debug_min(cx, &((struct upsconf_ups *)obj)->debug_min, argv[0]);
}

static int
h_glibusb(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsconf *uc = obj;

	free(uc->libusb_debug);
	uc->libusb_debug = xstrdup(argv[0]);
	return 0;
}

static int
h_ulibusb(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct upsconf_ups *u = obj;

	free(u->libusb_debug);
	u->libusb_debug = xstrdup(argv[0]);
	return 0;
}

static int
h_sddelay(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	conf_warn(cx, "sddelay is obsolete and ignored");
	return 0;
}

/* In the order of enum sandbox_action (sandbox/sandbox.h). */
static const char *const sandbox_names[] = { "kill", "trap", "log", "off", NULL };

#define G(f) offsetof(struct upsconf, f)
#define U(f) offsetof(struct upsconf_ups, f)

/* Sorted by strcmp: upper case sorts first. */
static const struct conf_directive global_tab[] = {
	{ "LIBUSB_DEBUG", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, h_glibusb,
	  "debug level handed to libusb" },
	{ "chroot", CONF_PATH, G(chroot), 1, 1, 0, 0, NULL, 0, NULL,
	  "drivers chroot here after opening the device" },
	{ "debug_min", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, CONF_F_RELOADABLE, h_gdebug_min,
	  "minimum debug level of every driver" },
	{ "driverpath", CONF_PATH, G(driverpath), 1, 1, 0, 0, NULL, 0, NULL,
	  "where upsdrvctl finds driver programs" },
	{ "group", CONF_STR, G(group), 1, 1, 0, 0, NULL, 0, NULL,
	  "group the drivers run as" },
	{ "maxretry", CONF_INT, G(maxretry), 1, 1, 1, 100, NULL, 0, NULL,
	  "upsdrvctl start attempts per driver" },
	{ "maxstartdelay", CONF_INT, G(maxstartdelay), 1, 1, 1, 3600, NULL, 0, NULL,
	  "seconds upsdrvctl waits for a driver to start" },
	{ "nowait", CONF_CUSTOM, 0, 0, 1, 0, 0, NULL, 0, h_nowait,
	  "upsdrvctl does not wait for drivers to start" },
	{ "pollinterval", CONF_INT, G(pollinterval), 1, 1, 1, 86400, NULL, CONF_F_RELOADABLE, NULL,
	  "seconds between update cycles" },
	{ "retrydelay", CONF_INT, G(retrydelay), 1, 1, 0, 3600, NULL, 0, NULL,
	  "seconds between upsdrvctl start attempts" },
	{ "sandbox", CONF_ENUM, G(sandbox), 1, 1, 0, 0, sandbox_names, 0, NULL,
	  "seccomp filter action of every driver: kill, trap, log or off" },
	{ "statepath", CONF_PATH, G(statepath), 1, 1, 0, 0, NULL, 0, NULL,
	  "directory of the driver sockets and PID files" },
	{ "synchronous", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, h_gsync,
	  "socket write mode: yes, no or auto" },
	{ "user", CONF_STR, G(user), 1, 1, 0, 0, NULL, 0, NULL,
	  "user the drivers run as" },
};

static const struct conf_directive section_tab[] = {
	{ "LIBUSB_DEBUG", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, h_ulibusb,
	  "debug level handed to libusb" },
	{ "allow_killpower", CONF_CUSTOM, 0, 0, 1, 0, 0, NULL, CONF_F_RELOADABLE, h_allow_killpower,
	  "allow the driver.killpower instant command" },
	{ "debug_min", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, CONF_F_RELOADABLE, h_udebug_min,
	  "minimum debug level of this driver" },
	{ "desc", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL, 0, h_desc,
	  "description shown by upsd" },
	{ "driver", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, h_driver,
	  "driver program name" },
	{ "group", CONF_STR, U(group), 1, 1, 0, 0, NULL, 0, NULL,
	  "group this driver runs as" },
	{ "ignorelb", CONF_CUSTOM, 0, 0, 1, 0, 0, NULL, 0, h_ignorelb,
	  "derive LB from battery.charge.low / battery.runtime.low" },
	{ "maxretry", CONF_INT, U(maxretry), 1, 1, 1, 100, NULL, 0, NULL,
	  "upsdrvctl start attempts" },
	{ "maxstartdelay", CONF_INT, U(maxstartdelay), 1, 1, 1, 3600, NULL, 0, NULL,
	  "seconds upsdrvctl waits for this driver" },
	{ "nolock", CONF_CUSTOM, 0, 0, 1, 0, 0, NULL, 0, h_nolock,
	  "do not lock the port" },
	{ "pollinterval", CONF_INT, U(pollinterval), 1, 1, 1, 86400, NULL, CONF_F_RELOADABLE, NULL,
	  "seconds between update cycles" },
	{ "port", CONF_STR, U(port), 1, 1, 0, 0, NULL, 0, NULL,
	  "device path (dummy-ups: data file or ups@host[:port])" },
	{ "retrydelay", CONF_INT, U(retrydelay), 1, 1, 0, 3600, NULL, 0, NULL,
	  "seconds between upsdrvctl start attempts" },
	{ "sandbox", CONF_ENUM, U(sandbox), 1, 1, 0, 0, sandbox_names, 0, NULL,
	  "seccomp filter action of this driver: kill, trap, log or off" },
	{ "sdcommands", CONF_STR, U(sdcommands), 1, 1, 0, 0, NULL, CONF_F_RELOADABLE, NULL,
	  "comma list of instant commands for killpower" },
	{ "sddelay", CONF_CUSTOM, 0, 0, 1, 0, 0, NULL, CONF_F_OBSOLETE, h_sddelay,
	  "obsolete" },
	{ "sdorder", CONF_INT, U(sdorder), 1, 1, -1, 1000, NULL, 0, NULL,
	  "upsdrvctl shutdown group; -1 = never" },
	{ "synchronous", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, 0, h_usync,
	  "socket write mode: yes, no or auto" },
	{ "user", CONF_STR, U(user), 1, 1, 0, 0, NULL, 0, NULL,
	  "user this driver runs as" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
ups_init(struct upsconf_ups *u, const char *name, unsigned long line)
{
	memset(u, 0, sizeof(*u));
	u->name = xstrdup(name);
	u->line = line;
	u->pollinterval = u->maxstartdelay = u->maxretry = UPSCONF_UNSET;
	u->retrydelay = u->debug_min = UPSCONF_UNSET;
	u->synchronous = -1;
	u->sandbox = -1;
}

struct upsconf_ups *
upsconf_add(struct upsconf *uc, const char *name)
{
	struct upsconf_ups *u = XNEW(struct upsconf_ups);

	ups_init(u, name, 0);
	uc->ups = xreallocarray(uc->ups, uc->nups + 1, sizeof(*uc->ups));
	uc->ups[uc->nups++] = u;
	return u;
}

static void *
section_begin(struct conf_ctx *cx, void *global_obj, const char *name)
{
	struct upsconf *uc = global_obj;
	struct upsconf_ups *u;
	const char *p;

	if (strlen(name) > UPSCONF_NAME_MAX) {
		conf_error(cx, "UPS name \"%s\" is longer than %d characters", name,
		    UPSCONF_NAME_MAX);
		return NULL;
	}
	for (p = name; *p != '\0'; p++)
		if (!name_char_ok((unsigned char)*p)) {
			conf_error(cx, "UPS name \"%s\" holds a character a UPS name cannot "
			    "have (space, %s or a non-printable one)", name, NAME_BAD_CHARS);
			return NULL;
		}
	if ((u = upsconf_find(uc, name)) != NULL) {
		/* upsd and the clients could not tell the two apart */
		conf_error(cx, "UPS \"%s\" is already defined on line %lu (as \"%s\"; UPS "
		    "names ignore case)", name, u->line, u->name);
		return NULL;
	}
	u = upsconf_add(uc, name);
	u->line = conf_line(cx);
	return u;
}

void
upsconf_add_var(struct upsconf_ups *u, const char *name, const char *value,
    unsigned long line)
{
	struct upsconf_var *v;

	u->vars = xreallocarray(u->vars, u->nvars + 1, sizeof(*u->vars));
	v = &u->vars[u->nvars++];
	v->name = xstrdup(name);
	v->value = value != NULL ? xstrdup(value) : NULL;
	v->line = line;
}

/*
 * Lines not in a table. Globals: NUT compares debug_min and statepath
 * case-insensitively, and newer NUT globals are accepted with a warning.
 * Sections: kept for the driver to judge.
 */
static int
unknown(struct conf_ctx *cx, void *obj, int in_section, const char *name, int argc,
    char **argv)
{
	if (argc > 1) {
		conf_error(cx, "%s: expected one value, got %d words (quote a value "
		    "that holds spaces)", name, argc);
		return -1;
	}
	if (!in_section) {
		struct upsconf *uc = obj;

		if (strcasecmp(name, "debug_min") == 0 && argc == 1)
			return h_debug_min(cx, &uc->debug_min, argv[0]);
		if (strcasecmp(name, "statepath") == 0 && argc == 1) {
			if (argv[0][0] != '/') {
				conf_error(cx, "statepath must be an absolute path");
				return -1;
			}
			free(uc->statepath);
			uc->statepath = xstrdup(argv[0]);
			return 0;
		}
		conf_warn(cx, "unknown global directive \"%s\" ignored", name);
		return 0;
	}
	if (strcasecmp(name, "debug_min") == 0 && argc == 1)
		return h_debug_min(cx, &((struct upsconf_ups *)obj)->debug_min, argv[0]);
	upsconf_add_var(obj, name, argc == 1 ? argv[0] : NULL, conf_line(cx));
	return 0;
}

static const struct conf_spec upsconf_spec = {
	"ups.conf",
	global_tab, NELEM(global_tab),
	section_tab, NELEM(section_tab),
	0,
	section_begin,
	unknown,
	0
};

static struct upsconf *
upsconf_new(const char *name)
{
	struct upsconf *uc = XNEW(struct upsconf);

	uc->file = xstrdup(name);
	uc->pollinterval = uc->maxstartdelay = uc->maxretry = UPSCONF_UNSET;
	uc->retrydelay = uc->debug_min = UPSCONF_UNSET;
	uc->synchronous = -1;
	uc->sandbox = -1;
	return uc;
}

static void
check_tables(void)
{
	static int done;

	if (done)
		return;
	conf_check_table("ups.conf globals", global_tab, NELEM(global_tab), 0);
	conf_check_table("ups.conf sections", section_tab, NELEM(section_tab), 0);
	done = 1;
}

/*
 * Two sections whose "<driver>-<ups>" is the same name ([old-x] with driver
 * apcsmart and [x] with driver apcsmart-old): one driver's socket would
 * serve both. 1 when section i shares it with an earlier one (said at i).
 */
static int
same_socket(const struct upsconf *uc, size_t i)
{
	char a[UPSCONF_SOCKNAME_MAX], b[UPSCONF_SOCKNAME_MAX];
	const struct upsconf_ups *u = uc->ups[i], *o;
	size_t j;

	if (u->driver == NULL || str_printf(a, sizeof(a), "%s-%s", u->driver, u->name) != 0)
		return 0;	/* too long: said above */
	for (j = 0; j < i; j++) {
		o = uc->ups[j];
		if (o->driver == NULL ||
		    str_printf(b, sizeof(b), "%s-%s", o->driver, o->name) != 0 ||
		    strcmp(a, b) != 0)
			continue;
		log_warnx("%s:%lu: [%s]: its driver socket %s is also [%s]'s (line %lu): "
		    "rename one of them", uc->file, u->line, u->name, a, o->name, o->line);
		return 1;
	}
	return 0;
}

/*
 * What a line cannot tell: every section needs a driver and a port, and
 * "<driver>-<ups>" must fit a socket name. Reported at the section's
 * header line; returns the number of errors. Only made on a file whose
 * lines are all good: a refused "driver = a b" is not also "no driver".
 */
static int
check_sections(const struct upsconf *uc)
{
	int errors = 0;
	size_t i;

	for (i = 0; i < uc->nups; i++) {
		const struct upsconf_ups *u = uc->ups[i];

		if (u->driver == NULL) {
			log_warnx("%s:%lu: [%s] has no driver setting", uc->file, u->line,
			    u->name);
			errors++;
		}
		if (u->port == NULL) {
			log_warnx("%s:%lu: [%s] has no port setting", uc->file, u->line,
			    u->name);
			errors++;
		}
		if (u->driver != NULL &&
		    strlen(u->driver) + 1 + strlen(u->name) >= UPSCONF_SOCKNAME_MAX) {
			log_warnx("%s:%lu: [%s]: the socket name %s-%s is longer than %d "
			    "characters", uc->file, u->line, u->name, u->driver, u->name,
			    UPSCONF_SOCKNAME_MAX - 1);
			errors++;
		}
		errors += same_socket(uc, i);
	}
	return errors;
}

struct upsconf *
upsconf_load(const char *path, int *errors)
{
	struct upsconf *uc;
	int rc;

	check_tables();
	uc = upsconf_new(path);
	rc = conf_load(path, &upsconf_spec, uc);
	if (rc < 0) {
		log_warn("cannot read %s", path);
		upsconf_free(uc);
		*errors = -1;
		return NULL;
	}
	*errors = rc > 0 ? rc : check_sections(uc);
	return uc;
}

struct upsconf *
upsconf_load_string(const char *name, const char *text, int *errors)
{
	struct upsconf *uc;

	check_tables();
	uc = upsconf_new(name);
	*errors = conf_load_string(name, text, &upsconf_spec, uc);
	if (*errors == 0)
		*errors = check_sections(uc);
	return uc;
}

static void
ups_free(struct upsconf_ups *u)
{
	size_t i;

	for (i = 0; i < u->nvars; i++) {
		free(u->vars[i].name);
		free(u->vars[i].value);
	}
	free(u->vars);
	free(u->name);
	free(u->driver);
	free(u->port);
	free(u->desc);
	free(u->user);
	free(u->group);
	free(u->sdcommands);
	free(u->libusb_debug);
	free(u);
}

void
upsconf_free(struct upsconf *uc)
{
	size_t i;

	if (uc == NULL)
		return;
	for (i = 0; i < uc->nups; i++)
		ups_free(uc->ups[i]);
	free(uc->ups);
	free(uc->file);
	free(uc->chroot);
	free(uc->driverpath);
	free(uc->statepath);
	free(uc->user);
	free(uc->group);
	free(uc->libusb_debug);
	free(uc);
}

struct upsconf_ups *
upsconf_find(const struct upsconf *uc, const char *name)
{
	size_t i;

	for (i = 0; i < uc->nups; i++)
		if (ascii_caseeq(uc->ups[i]->name, name))
			return uc->ups[i];
	return NULL;
}

/* Where each upsconf_get field lives in a section and in the globals. */
static const struct {
	size_t ups_off, glob_off;
	int is_int;		/* an int (-1 or below = unset) rather than a long */
} upsconf_fields[] = {
#define LONG_FIELD(m) { offsetof(struct upsconf_ups, m), offsetof(struct upsconf, m), 0 }
#define INT_FIELD(m) { offsetof(struct upsconf_ups, m), offsetof(struct upsconf, m), 1 }
	[UPSCONF_POLLINTERVAL] = LONG_FIELD(pollinterval),
	[UPSCONF_MAXSTARTDELAY] = LONG_FIELD(maxstartdelay),
	[UPSCONF_MAXRETRY] = LONG_FIELD(maxretry),
	[UPSCONF_RETRYDELAY] = LONG_FIELD(retrydelay),
	[UPSCONF_DEBUG_MIN] = LONG_FIELD(debug_min),
	[UPSCONF_SYNCHRONOUS] = INT_FIELD(synchronous),
	[UPSCONF_SANDBOX] = INT_FIELD(sandbox),
#undef LONG_FIELD
#undef INT_FIELD
};

static long
field_value(const void *base, size_t off, int is_int)
{
	const char *p = (const char *)base + off;
	long v;

	if (is_int) {
		int iv;

		memcpy(&iv, p, sizeof(iv));
		return iv < 0 ? UPSCONF_UNSET : iv;
	}
	memcpy(&v, p, sizeof(v));
	return v;
}

long
upsconf_get(const struct upsconf *uc, const struct upsconf_ups *u, enum upsconf_field f,
    long def)
{
	long v;

	if ((size_t)f >= sizeof(upsconf_fields) / sizeof(upsconf_fields[0]))
		return def;
	if (u != NULL) {
		v = field_value(u, upsconf_fields[f].ups_off, upsconf_fields[f].is_int);
		if (v != UPSCONF_UNSET)
			return v;
	}
	v = field_value(uc, upsconf_fields[f].glob_off, upsconf_fields[f].is_int);
	return v != UPSCONF_UNSET ? v : def;
}

const char *
upsconf_user(const struct upsconf *uc, const struct upsconf_ups *u)
{
	if (u != NULL && u->user != NULL)
		return u->user;
	return uc->user;
}

const char *
upsconf_group(const struct upsconf *uc, const struct upsconf_ups *u)
{
	if (u != NULL && u->group != NULL)
		return u->group;
	return uc->group;
}
