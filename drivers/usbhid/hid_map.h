/*
 * nutsec - hid_map.h: from HID paths to NUT variables, ups.status flags and
 * instant commands. A subdriver is a vendor's table looked at before the
 * generic Power Device Class table; for each variable or command the first
 * entry whose path the device has wins, as in NUT's usbhid-ups.
 */
#ifndef NUTSEC_HID_MAP_H
#define NUTSEC_HID_MAP_H

#include <stdint.h>

#include "hid_usage.h"
#include "usb_transport.h"

enum map_kind { M_VAR, M_STATUS, M_CMD, M_DENY };

/* How a value becomes text (and text a value, for writable ones). */
enum map_conv {
	C_NUM,		/* printf of fmt */
	C_DATE,		/* HID date: day 5 bits, month 4, years since 1980 */
	C_APCDATE,	/* APC: 0xMMDDYY in hex digits */
	C_KELVIN,	/* kelvin to degrees C */
	C_STRING,	/* a string descriptor index */
	C_BEEPER,	/* 1 disabled, 2 enabled, 3 muted */
	C_PCM_BEEPER,	/* Powercom: 1 enabled, 2 disabled */
	C_TEST,		/* the PDC test result codes */
	C_APC_SENS,	/* 0 low, 1 medium, 2 high */
	C_CPS_SENS,	/* 0 low, 1 normal, 2 high */
	C_CLAMP100,	/* a percentage some firmware reports above 100 */
	C_PCM_START,	/* Powercom DelayBeforeStartup: minutes, bytes swapped */
	C_PCM_SHUT,	/* Powercom DelayBeforeShutdown: minutes low byte, seconds high */
	C_PCM_STAYOFF,	/* the same with "do not restart" (commands only) */
	C_APC_STATUS,	/* APCStatusFlag: 8 or 16 running, 0 off */
	C_YESNO,	/* 1 yes, 0 no */
	C_ONOFF,	/* 1 on, 0 off */
};

/* ups.status and ups.alarm sources. */
#define ST_ONLINE	(1u << 0)
#define ST_DISCHRG	(1u << 1)
#define ST_CHRG		(1u << 2)
#define ST_LOWBATT	(1u << 3)
#define ST_OVERLOAD	(1u << 4)
#define ST_REPLACEBATT	(1u << 5)
#define ST_SHUTDOWNIMM	(1u << 6)
#define ST_TRIM		(1u << 7)
#define ST_BOOST	(1u << 8)
#define ST_BYPASS	(1u << 9)
#define ST_OFF		(1u << 10)
#define ST_CAL		(1u << 11)
#define ST_FULLYCHARGED	(1u << 12)
#define ST_DEPLETED	(1u << 13)
#define ST_TIMELIMITEXP	(1u << 14)
#define ST_COMMFAULT	(1u << 15)
#define ST_NOBATTERY	(1u << 16)
#define ST_OVERHEAT	(1u << 17)
#define ST_INTERNALFAULT (1u << 18)
#define ST_VRANGE	(1u << 19)
#define ST_AWAITPOWER	(1u << 20)

/* Entry flags. */
#define MF_RW		0x01	/* writable with SET */
#define MF_STATIC	0x02	/* read once at start */
#define MF_ABSENT	0x04	/* the value is the driver's (offdelay/ondelay); the path must exist */
#define MF_INVERT	0x08	/* status: the flag is set when the value is 0 */
#define MF_ONDELAY	0x10	/* command: writes ups.delay.start */
#define MF_OFFDELAY	0x20	/* command: writes ups.delay.shutdown */

struct hid_map {
	uint8_t kind;		/* enum map_kind */
	uint8_t conv;		/* enum map_conv */
	uint8_t flags;		/* MF_* */
	const char *name;	/* variable or command (M_STATUS, M_DENY: NULL) */
	const char *path;
	const char *fmt;	/* M_VAR: printf of the value; M_CMD: the number to write */
	uint32_t status;	/* M_STATUS: the ST_* flag */
};

struct subdriver {
	const char *name;	/* for subdriver = and driver.version.data */
	unsigned vendorid;	/* 0: generic */
	const struct hid_usage_name *names;
	const struct hid_map *map;	/* ends with a NULL path */
	const char *mfr;	/* device.mfr when the device has no string */
	long offdelay, ondelay;	/* default delays (0: the driver's 20 and 30) */
};

extern const struct hid_map hid_map_generic[];

/* The subdriver by subdriver= name (case-insensitive, a prefix is enough), or NULL. */
const struct subdriver *subdriver_by_name(const char *name);
/* The subdriver for a vendor id: the vendor's, or the generic one. */
const struct subdriver *subdriver_for(unsigned vendorid);
/* device.* / ups.* strings from the USB strings, as the vendor formats them. */
struct sd_strings {
	char mfr[USBT_STR_MAX], model[USBT_STR_MAX], serial[USBT_STR_MAX];
	char firmware[USBT_STR_MAX], firmware_aux[USBT_STR_MAX];
};
void subdriver_strings(const struct subdriver *sd, const struct usb_devinfo *di,
    struct sd_strings *out);

/* Every subdriver, NULL-terminated (for -h). */
extern const struct subdriver *const subdrivers[];

#endif
