/*
 * nutsec - hid_usage.h: names of HID usages as NUT prints them in paths
 * (UPS.PowerSummary.RemainingCapacity). A vendor table is looked at
 * before the generic Power Device and Battery System pages; an indexed
 * collection node prints as [n], a usage no table names as 8 hex digits.
 */
#ifndef NUTSEC_HID_USAGE_H
#define NUTSEC_HID_USAGE_H

#include <stddef.h>
#include <stdint.h>

#include "hid_parse.h"

struct hid_usage_name {
	uint32_t code;		/* (page << 16) | usage */
	const char *name;
};

/* A vendor's usage names; NULL-named entry ends it. */
extern const struct hid_usage_name hid_names_apc[];
extern const struct hid_usage_name hid_names_mge[];
extern const struct hid_usage_name hid_names_powercom[];
extern const struct hid_usage_name hid_names_tripplite[];
extern const struct hid_usage_name hid_names_none[];

/* The vendor table NUT's subdriver for this USB vendor id uses (never NULL). */
const struct hid_usage_name *hid_names_for_vendor(unsigned vendorid);

/* The name of one node, into buf (at least 12 bytes). */
const char *hid_node_name(const struct hid_usage_name *vendor, uint32_t node,
    char *buf, size_t len);
/* The whole path of a field, dot-separated. -1 if it does not fit in len. */
int hid_path_string(const struct hid_usage_name *vendor, const struct hid_field *f,
    char *buf, size_t len);

#endif
