/*
 * nutsec - fuzz_conf.c: the config engine on arbitrary files, with a table
 * that uses every directive type, sections and the unknown-directive hook.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>

#include "conf.h"
#include "fuzz.h"
#include "log.h"
#include "secret.h"

struct fz_obj {
	int flag, on, mode;
	long num;
	char *str, *path, *pass;
	unsigned sections, unknown;
};

static const char *const fz_modes[] = { "no", "request", "require", NULL };

static int fz_custom(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct fz_obj *o = obj;

	if (argc < 1) {
		conf_error(cx, "custom needs a value");
		return -1;
	}
	o->sections += (unsigned)argc;
	return 0;
}

/* Sorted by name (strcmp). */
static const struct conf_directive fz_table[] = {
	{ "CUSTOM", CONF_CUSTOM, 0, 1, 8, 0, 0, NULL, CONF_F_REPEATABLE, fz_custom, "custom" },
	{ "FLAG", CONF_FLAG, offsetof(struct fz_obj, flag), 0, 0, 0, 0, NULL, 0, NULL, "flag" },
	{ "MODE", CONF_ENUM, offsetof(struct fz_obj, mode), 1, 1, 0, 0, fz_modes, 0, NULL, "enum" },
	{ "NUM", CONF_INT, offsetof(struct fz_obj, num), 1, 1, -5, 100000, NULL, 0, NULL, "int" },
	{ "ON", CONF_BOOL, offsetof(struct fz_obj, on), 1, 1, 0, 0, NULL, 0, NULL, "bool" },
	{ "PASS", CONF_SECRET, offsetof(struct fz_obj, pass), 1, 1, 0, 0, NULL, CONF_F_MASK, NULL, "secret" },
	{ "PATH", CONF_PATH, offsetof(struct fz_obj, path), 1, 1, 0, 0, NULL, 0, NULL, "path" },
	{ "STR", CONF_STR, offsetof(struct fz_obj, str), 1, 1, 0, 0, NULL, CONF_F_REPEATABLE, NULL, "str" },
};

static void *fz_section(struct conf_ctx *cx, void *global, const char *name)
{
	struct fz_obj *o = global;

	(void)cx;
	(void)name;
	o->sections++;
	return global;
}

static int fz_unknown(struct conf_ctx *cx, void *obj, int in_section, const char *name,
    int argc, char **argv)
{
	struct fz_obj *o = obj;

	(void)cx; (void)in_section; (void)name; (void)argv;
	o->unknown += (unsigned)argc + 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct conf_spec spec = {
		"fuzz.conf", fz_table, sizeof(fz_table) / sizeof(fz_table[0]),
		fz_table, sizeof(fz_table) / sizeof(fz_table[0]), (size > 0 && data[0] & 1),
		fz_section, (size > 0 && data[0] & 2) ? fz_unknown : NULL, 0
	};
	struct fz_obj o = { 0 };
	char *text;

	if (!init) {
		log_init("fuzz_conf", 0, 0);	/* errors are expected: keep them quiet */
		init = 1;
	}
	if (spec.nocase)
		return 0;	/* the table is sorted for strcmp only */
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	for (size_t i = 0; i < size; i++)
		text[i] = data[i] ? (char)data[i] : ' ';
	text[size] = '\0';
	(void)conf_load_string("fuzz.conf", text, &spec, &o);
	free(text);
	free(o.str);
	free(o.path);
	secret_strfree(o.pass);
	return 0;
}
