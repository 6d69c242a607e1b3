/*
 * nutsec - ups.c: the table of UPSes from ups.conf, each with the mirror of
 * its driver's variable tree, its login count and its FSD latch. ups_apply
 * turns a freshly read ups.conf into the table: new sections are added,
 * removed ones are deleted (their logged-in clients are closed), and a UPS
 * whose driver socket name changed is reconnected with its data dropped
 * (the FSD latch survives, as in NUT).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "log.h"
#include "upsconf.h"
#include "vartree.h"
#include "xmalloc.h"

#include "upsd.h"

static struct ups *ups_head;
static size_t nups;

struct ups *
ups_find(const char *name)
{
	struct ups *u;

	for (u = ups_head; u != NULL; u = u->next)
		if (ascii_caseeq(u->name, name))
			return u;
	return NULL;
}

struct ups *
ups_first(void)
{
	return ups_head;
}

size_t
ups_count(void)
{
	return nups;
}

static void
ups_set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v != NULL ? xstrdup(v) : NULL;
}

static int
ups_sockname(char *out, const struct upsconf_ups *e)
{
	return str_printf(out, UPS_SOCKNAME_MAX, "%s-%s", e->driver, e->name);
}

static void
ups_free(struct ups *u)
{
	driver_fini(u);
	vt_free(u->tree);
	free(u->name);
	free(u->driver);
	free(u->port);
	free(u->desc);
	free(u);
}

static struct ups *
ups_new(const struct upsconf_ups *e)
{
	struct ups *u = XNEW(struct ups);

	u->name = xstrdup(e->name);
	u->tree = vt_new();
	driver_init(u);
	return u;
}

/* Copies a section's settings; returns 1 if the driver socket changed. */
static int
ups_update(struct ups *u, const struct upsconf_ups *e)
{
	char sock[UPS_SOCKNAME_MAX];
	int changed;

	if (ups_sockname(sock, e) != 0)
		return 0;	/* upsconf_load refuses a socket name that does not fit */
	changed = strcmp(sock, u->sockname) != 0;
	memcpy(u->sockname, sock, sizeof(sock));
	/* [ups] respelt [UPS] is the same UPS; LIST UPS shows the new spelling */
	ups_set_str(&u->name, e->name);
	ups_set_str(&u->driver, e->driver);
	ups_set_str(&u->port, e->port);
	ups_set_str(&u->desc, e->desc);
	return changed;
}

int
ups_apply(const struct upsconf *uc, int initial)
{
	const struct upsconf_ups *e;
	struct ups *u, **pu, *list = NULL, **tail = &list;
	size_t i;

	for (u = ups_head; u != NULL; u = u->next)
		u->seen = 0;
	/* Build the new list in ups.conf order, reusing existing entries. */
	for (i = 0; i < uc->nups; i++) {
		e = uc->ups[i];
		for (pu = &ups_head; *pu != NULL; pu = &(*pu)->next)
			if (ascii_caseeq((*pu)->name, e->name))
				break;
		if ((u = *pu) != NULL) {
			*pu = u->next;
			if (ups_update(u, e) && u->drv.fd >= 0) {
				log_notice("UPS [%s]: driver socket is now %s; reconnecting",
				    u->name, u->sockname);
				driver_disconnect(u, "configuration changed");
			}
		} else {
			u = ups_new(e);
			(void)ups_update(u, e);
			if (initial)
				log_debug("UPS [%s] (driver socket %s)", u->name, u->sockname);
			else
				log_info("UPS [%s] added (driver socket %s)", u->name,
				    u->sockname);
		}
		u->seen = 1;
		u->next = NULL;
		*tail = u;
		tail = &u->next;
	}
	/* Whatever is left in the old list was removed from ups.conf. */
	while ((u = ups_head) != NULL) {
		ups_head = u->next;
		log_notice("UPS [%s] removed from ups.conf", u->name);
		client_kick_ups(u);
		ups_free(u);
	}
	ups_head = list;
	nups = 0;
	for (u = ups_head; u != NULL; u = u->next)
		nups++;
	return 0;
}

void
ups_free_all(void)
{
	struct ups *u;

	while ((u = ups_head) != NULL) {
		ups_head = u->next;
		client_kick_ups(u);
		ups_free(u);
	}
	nups = 0;
}

int
ups_check_avail(struct client *c, struct ups *u)
{
	if (!driver_connected(u)) {
		reply_err(c, PERR_DRIVER_NOT_CONNECTED);
		return -1;
	}
	if (driver_stale(u)) {
		reply_err(c, PERR_DATA_STALE);
		return -1;
	}
	return 0;
}

struct ups *
ups_lookup(struct client *c, const char *name)
{
	struct ups *u = ups_find(name);

	if (u == NULL)
		reply_err(c, PERR_UNKNOWN_UPS);
	return u;
}

const char *
ups_var_value(const struct ups *u, const struct vt_var *v, char *out, size_t outlen)
{
	const char *val = vt_value(v);

	if (!u->fsd || strcasecmp(vt_name(v), "ups.status") != 0)
		return val;
	if (str_printf(out, outlen, "FSD %s", val) != 0)
		return "FSD";
	return out;
}
