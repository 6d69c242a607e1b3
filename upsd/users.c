/*
 * nutsec - users.c: upsd.users, the network users and what they may do.
 * Each [name] section is one user (names are case-sensitive); a repeated
 * section is an error, not a silent merge into the previous user as in NUT.
 * Passwords are held with common/secret and compared in constant time; an
 * unknown user costs the same comparison as a known one. Beyond NUT, a
 * user may be bound to a client certificate (certsubject).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "secret.h"
#include "tls.h"
#include "xmalloc.h"

#include "upsd.h"

#define USER_NAME_MAX 256
#define USER_INSTCMDS_MAX 1024

struct user {
	char *name;
	char *password;		/* secret; NULL = cannot log in */
	unsigned actions;	/* ACT_* */
	int all_instcmds;	/* instcmds = ALL */
	char **instcmds;
	size_t ninstcmds;
	char *certsubject;	/* the certificate's subject DN, or NULL */
	char *certissuer;	/* its issuer's DN, or NULL (any trusted issuer) */
	unsigned long certissuer_line;	/* where certissuer was read */
	struct user *next;
};

struct users {
	struct user *head, *tail;
	size_t n;
};

/* Compared against when the user is unknown, so both paths cost the same. */
static const char dummy_password[] = "nutsec-no-such-user-password-0123456789";

static const struct {
	const char *name;
	unsigned bit;
} action_names[] = {
	{ "FSD", ACT_FSD },
	{ "LOGIN", ACT_LOGIN },
	{ "MASTER", ACT_MASTER },
	{ "PRIMARY", ACT_PRIMARY },
	{ "SET", ACT_SET },
};

static void
user_free(struct user *u)
{
	size_t i;

	free(u->name);
	secret_strfree(u->password);
	for (i = 0; i < u->ninstcmds; i++)
		free(u->instcmds[i]);
	free(u->instcmds);
	free(u->certsubject);
	free(u->certissuer);
	free(u);
}

static struct user *
users_find(const struct users *us, const char *name)
{
	struct user *u;

	for (u = us->head; u != NULL; u = u->next)
		if (strcmp(u->name, name) == 0)
			return u;
	return NULL;
}

static void *
users_section(struct conf_ctx *cx, void *global_obj, const char *name)
{
	struct users *us = global_obj;
	struct user *u;

	if (name[0] == '\0' || strlen(name) >= USER_NAME_MAX) {
		conf_error(cx, "invalid user name in section header");
		return NULL;
	}
	if (users_find(us, name) != NULL) {
		conf_error(cx, "user [%s] is defined twice; this section is ignored", name);
		return NULL;
	}
	u = XNEW(struct user);
	u->name = xstrdup(name);
	if (us->tail != NULL)
		us->tail->next = u;
	else
		us->head = u;
	us->tail = u;
	us->n++;
	return u;
}

static int
users_password(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct user *u = obj;

	if (u->password != NULL) {
		conf_warn(cx, "[%s]: a second password is ignored (the first one stays)",
		    u->name);
		return 0;
	}
	if (argc > 1) {
		conf_error(cx, "[%s]: the password is more than one word: quote it", u->name);
		return -1;
	}
	if (argv[0][0] == '\0') {
		conf_error(cx, "[%s]: empty password", u->name);
		return -1;
	}
	u->password = secret_strdup(argv[0]);
	return 0;
}

static int
users_actions(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct user *u = obj;
	size_t k;
	int i;

	for (i = 0; i < argc; i++) {
		for (k = 0; k < sizeof(action_names) / sizeof(action_names[0]); k++)
			if (strcasecmp(argv[i], action_names[k].name) == 0)
				break;
		if (k == sizeof(action_names) / sizeof(action_names[0])) {
			conf_warn(cx, "[%s]: unknown action '%s' ignored", u->name, argv[i]);
			continue;
		}
		u->actions |= action_names[k].bit;
	}
	return 0;
}

static int
users_instcmds(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct user *u = obj;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcasecmp(argv[i], "ALL") == 0) {
			u->all_instcmds = 1;
			continue;
		}
		if (u->ninstcmds >= USER_INSTCMDS_MAX) {
			conf_error(cx, "[%s]: too many instcmds", u->name);
			return -1;
		}
		u->instcmds = xreallocarray(u->instcmds, u->ninstcmds + 1, sizeof(char *));
		u->instcmds[u->ninstcmds++] = xstrdup(argv[i]);
	}
	return 0;
}

static int
users_upsmon(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct user *u = obj;

	if (strcasecmp(argv[0], "primary") == 0 || strcasecmp(argv[0], "master") == 0)
		u->actions |= ACT_LOGIN | ACT_MASTER | ACT_FSD;
	else if (strcasecmp(argv[0], "secondary") == 0 || strcasecmp(argv[0], "slave") == 0)
		u->actions |= ACT_LOGIN;
	else
		conf_warn(cx, "[%s]: unknown upsmon type '%s' ignored "
		    "(use primary or secondary)", u->name, argv[0]);
	return 0;
}

/* A distinguished name for the user's key `what` (certsubject, certissuer). */
static int
users_dn(struct conf_ctx *cx, struct user *u, const char *what, char **dst, int argc,
    char **argv)
{
	if (argc > 1) {
		conf_error(cx, "[%s]: %s is more than one word: quote it", u->name, what);
		return -1;
	}
	if (!tls_dn_valid(argv[0])) {
		conf_error(cx, "[%s]: %s '%s' is not a distinguished name "
		    "(e.g. \"CN=upsmon,O=Example\", as certutil -L prints it)", u->name, what,
		    argv[0]);
		return -1;
	}
	/* OpenSSL prints names the other way round: they would never match. */
	if ((strncasecmp(argv[0], "C=", 2) == 0 || strncasecmp(argv[0], "O=", 2) == 0 ||
	    strncasecmp(argv[0], "C =", 3) == 0 || strncasecmp(argv[0], "O =", 3) == 0) &&
	    strstr(argv[0], "CN") != NULL)
		conf_warn(cx, "[%s]: %s '%s' starts with its widest part: NSS writes the "
		    "common name (CN) first, as certutil -L prints it; names in the other "
		    "order do not match", u->name, what, argv[0]);
	if (*dst != NULL) {
		conf_error(cx, "[%s]: a second %s", u->name, what);
		return -1;
	}
	*dst = xstrdup(argv[0]);
	return 0;
}

/* certsubject = "CN=...,O=...": the certificate the user must present. */
static int
users_certsubject(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct user *u = obj;

	return users_dn(cx, u, "certsubject", &u->certsubject, argc, argv);
}

/* certissuer = "CN=...": and the CA that must have issued it. */
static int
users_certissuer(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	struct user *u = obj;

	u->certissuer_line = conf_line(cx);
	return users_dn(cx, u, "certissuer", &u->certissuer, argc, argv);
}

static int
users_obsolete(struct conf_ctx *cx, void *obj, int argc, char **argv)
{
	return 0;
}

/* Sorted case-insensitively (the file's keys are case-insensitive). */
static const struct conf_directive user_directives[] = {
	{ "actions", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL, CONF_F_REPEATABLE, users_actions,
	    "SET, FSD, LOGIN, PRIMARY, MASTER" },
	{ "allowfrom", CONF_CUSTOM, 0, 0, 32, 0, 0, NULL,
	    CONF_F_OBSOLETE | CONF_F_REPEATABLE, users_obsolete,
	    "obsolete; use tcp-wrappers" },
	{ "certissuer", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL, CONF_F_REPEATABLE,
	    users_certissuer, "issuer of that certificate (with certsubject)" },
	{ "certsubject", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL, CONF_F_REPEATABLE,
	    users_certsubject, "subject of the client certificate the user must use" },
	{ "instcmds", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL, CONF_F_REPEATABLE, users_instcmds,
	    "instant commands allowed, or ALL" },
	{ "password", CONF_CUSTOM, 0, 1, 32, 0, 0, NULL,
	    CONF_F_MASK | CONF_F_REPEATABLE, users_password, "the user's password" },
	{ "upsmon", CONF_CUSTOM, 0, 1, 1, 0, 0, NULL, CONF_F_REPEATABLE, users_upsmon,
	    "primary or secondary" },
};
#define NUSER_DIRECTIVES (sizeof(user_directives) / sizeof(user_directives[0]))

static int
users_unknown(struct conf_ctx *cx, void *obj, int in_section, const char *name, int argc,
    char **argv)
{
	conf_warn(cx, "unrecognized user setting '%s' ignored", name);
	return 0;
}

static const struct conf_spec users_spec = {
	"upsd.users", NULL, 0, user_directives, NUSER_DIRECTIVES, 1,
	users_section, users_unknown, 1
};

struct users *
users_load(const char *path, int *nerr)
{
	struct users *us = XNEW(struct users);
	struct user *u;
	int n;

	conf_check_table("upsd.users", user_directives, NUSER_DIRECTIVES, 1);
	*nerr = 0;
	n = conf_load(path, &users_spec, us);
	if (n < 0) {
		log_warn("cannot read %s", path);
		*nerr = -1;
		users_free(us);
		return NULL;
	}
	*nerr = n;
	if (n > 0) {
		users_free(us);
		return NULL;
	}
	for (u = us->head; u != NULL; u = u->next)
		if (u->certissuer != NULL && u->certsubject == NULL) {
			log_warnx("%s:%lu: user [%s]: certissuer needs certsubject (the "
			    "certificate's own name)", path, u->certissuer_line, u->name);
			*nerr = 1;
		}
	if (*nerr > 0) {
		users_free(us);
		return NULL;
	}
	for (u = us->head; u != NULL; u = u->next)
		if (u->password == NULL)
			log_warnx("%s: user [%s] has no password and cannot log in",
			    path, u->name);
	return us;
}

void
users_free(struct users *us)
{
	struct user *u, *next;

	if (us == NULL)
		return;
	for (u = us->head; u != NULL; u = next) {
		next = u->next;
		user_free(u);
	}
	free(us);
}

size_t
users_count(const struct users *us)
{
	return us != NULL ? us->n : 0;
}

const struct user *
users_auth(const struct users *us, const char *name, const char *pass)
{
	const struct user *u = us != NULL ? users_find(us, name) : NULL;
	const char *stored = dummy_password;
	int eq;

	if (u != NULL && u->password != NULL)
		stored = u->password;
	/* Always one comparison, whose time depends only on the candidate. */
	eq = secret_streq(stored, pass);
	if (u == NULL || u->password == NULL || !eq)
		return NULL;
	return u;
}

int
user_may(const struct user *u, unsigned mask)
{
	return (u->actions & mask) != 0;
}

int
user_may_instcmd(const struct user *u, const char *cmd)
{
	size_t i;

	if (u->all_instcmds)
		return 1;
	for (i = 0; i < u->ninstcmds; i++)
		if (strcasecmp(u->instcmds[i], cmd) == 0)
			return 1;
	return 0;
}

void
users_dump(FILE *fp, const struct users *us)
{
	const struct user *u;
	size_t i, k;

	for (u = us != NULL ? us->head : NULL; u != NULL; u = u->next) {
		fprintf(fp, "[%s]\n", u->name);
		fprintf(fp, "\tpassword = %s\n", u->password ? "********" : "(none)");
		if (u->actions != 0) {
			fputs("\tactions =", fp);
			for (k = 0; k < sizeof(action_names) / sizeof(action_names[0]); k++)
				if (u->actions & action_names[k].bit)
					fprintf(fp, " %s", action_names[k].name);
			fputc('\n', fp);
		}
		if (u->all_instcmds || u->ninstcmds > 0) {
			fputs("\tinstcmds =", fp);
			if (u->all_instcmds)
				fputs(" ALL", fp);
			for (i = 0; i < u->ninstcmds; i++)
				fprintf(fp, " %s", u->instcmds[i]);
			fputc('\n', fp);
		}
		if (u->certsubject != NULL)
			fprintf(fp, "\tcertsubject = \"%s\"\n", u->certsubject);
		if (u->certissuer != NULL)
			fprintf(fp, "\tcertissuer = \"%s\"\n", u->certissuer);
	}
}

const char *
user_name(const struct user *u)
{
	return u->name;
}

struct cert_binding
user_binding(const struct user *u)
{
	struct cert_binding b = { u->certsubject, u->certissuer };

	return b;
}

struct cert_binding
users_binding_of(const struct users *us, const char *name)
{
	const struct user *u = us != NULL && name != NULL ? users_find(us, name) : NULL;
	struct cert_binding none = { NULL, NULL };

	return u != NULL ? user_binding(u) : none;
}

const struct user *
users_first_bound(const struct users *us)
{
	const struct user *u;

	for (u = us != NULL ? us->head : NULL; u != NULL; u = u->next)
		if (u->certsubject != NULL)
			return u;
	return NULL;
}
