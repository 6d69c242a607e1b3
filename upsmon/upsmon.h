/*
 * nutsec - upsmon.h: what upsmon's files share: the configuration
 * (upsmon.conf, read by upsmon_conf.c), the notification types
 * (nottab.c), the messages between the three processes (docs/upsmon.md),
 * and each process's entry point.
 */
#ifndef NUTSEC_UPSMON_H
#define NUTSEC_UPSMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "upsclient.h"

#define UPSMON_MAX_MONITORS 128
#define UPSMON_SYS_MAX 256		/* "ups@host:port" as written in MONITOR */
#define UPSMON_TEXT_MAX 256		/* ALARM text, OTHER tokens */
#define UPSMON_MSG_MAX 512		/* a formatted notification */
#define UPSMON_MAX_ARGS 32		/* words of SHUTDOWNCMD / NOTIFYCMD */
#define UPSMON_PDFLAG_MAGIC "upsmon-shutdown-file"

/* Notification types, in NUT's names; nottab.c has their texts and flags. */
enum nt {
	NT_ONLINE, NT_ONBATT, NT_LOWBATT, NT_FSD, NT_COMMOK, NT_COMMBAD,
	NT_SHUTDOWN, NT_REPLBATT, NT_NOCOMM, NT_NOPARENT,
	NT_CAL, NT_NOTCAL, NT_OFF, NT_NOTOFF, NT_BYPASS, NT_NOTBYPASS,
	NT_ECO, NT_NOTECO, NT_ALARM, NT_NOTALARM, NT_OVER, NT_NOTOVER,
	NT_TRIM, NT_NOTTRIM, NT_BOOST, NT_NOTBOOST, NT_OTHER, NT_NOTOTHER,
	NT_SHUTDOWN_HOSTSYNC, NT_SUSPEND_STARTING, NT_SUSPEND_FINISHED,
	NT__COUNT
};

/* NOTIFYFLAG bits. */
#define NF_SYSLOG 0x1
#define NF_WALL   0x2
#define NF_EXEC   0x4
#define NF_IGNORE 0x8

/* The name ("ONBATT"), or NULL. */
const char *nt_name(enum nt t);
/* The type of a name (case-insensitive), or -1. */
int nt_lookup(const char *name);
/* NUT's default text of a type (one or two %s). */
const char *nt_default_msg(enum nt t);
/* How many %s a type's text may hold: 1, or 2 for ALARM and OTHER. */
int nt_nargs(enum nt t);
/*
 * Checks a NOTIFYMSG text: only %s (at most nargs of them) and %%.
 * Returns 0, or -1 with a reason in err.
 */
int nt_check_format(const char *fmt, int nargs, char *err, size_t errlen);
/*
 * Formats fmt (checked by nt_check_format) with ups and extra put in for
 * the %s in order, without printf. Always NUL-terminates out.
 */
void nt_format(char *out, size_t outlen, const char *fmt, const char *ups,
    const char *extra);

/* One MONITOR line. */
struct mon_entry {
	char *sys;		/* "ups@host:port" as written: the UPS's name everywhere */
	char *upsname;
	char *host;
	unsigned port;
	unsigned power;		/* power value */
	char *user;
	char *pass;		/* secret memory */
	int primary;
	unsigned long line;
};

struct upsmon_conf {
	char *path;			/* the file read */
	struct mon_entry mon[UPSMON_MAX_MONITORS];
	size_t nmon;
	long minsupplies;
	char *shutdowncmd[UPSMON_MAX_ARGS + 1];	/* argv, NULL-terminated; [0] NULL = none */
	char *notifycmd[UPSMON_MAX_ARGS + 1];
	long pollfreq, pollfreqalert, hostsync, deadtime, finaldelay;
	long nocommwarntime, rbwarntime, offduration, overduration, oblbduration;
	int alarmcritical;
	long shutdownexit;		/* 0 = exit at once, n > 0 = after n s, < 0 = never */
	long pollfail_throttle;
	long debug_min;
	char *powerdownflag;
	char *run_as_user;
	int sandbox;			/* enum sandbox_action */
	char *notifymsg[NT__COUNT];	/* NULL = the default */
	unsigned notifyflag[NT__COUNT];
	struct upscli_tlsconf tls;
	/* conf engine bookkeeping */
	int shutdownexit_set, minsupplies_set;
};

/* upsmon_conf.c */
struct upsmon_conf *upsmon_conf_new(void);
void upsmon_conf_free(struct upsmon_conf *cf);
/*
 * Reads path into cf and checks it as a whole (MINSUPPLIES against the
 * power values, at least one MONITOR). Returns the number of errors, each
 * logged as "file:line: message", or -1 if the file cannot be read.
 */
int upsmon_conf_load(struct upsmon_conf *cf, const char *path);
/* The message text of a type: NOTIFYMSG or the default. */
const char *upsmon_conf_msg(const struct upsmon_conf *cf, enum nt t);
/* The MONITOR entry whose system string is sys, or NULL. */
const struct mon_entry *upsmon_conf_find(const struct upsmon_conf *cf, const char *sys);
/* Splits a SHUTDOWNCMD/NOTIFYCMD value into argv (see docs/upsmon.md). */
int upsmon_conf_split_cmd(const char *what, int argc, char **argv, char **out,
    char *err, size_t errlen);

/*
 * Messages. The network child sends the parent exactly one thing,
 * UPSMON_MSG_SHUTDOWN with a fixed payload, and the notifier
 * UPSMON_MSG_NOTIFY records.
 */
#define UPSMON_MSG_SHUTDOWN 1
#define UPSMON_MSG_NOTIFY 2
#define UPSMON_SHUTDOWN_MAGIC 0x53445757u	/* "SDWW" */
struct upsmon_msg_shutdown {
	uint32_t magic;
};
struct upsmon_msg_notify {
	uint32_t type;			/* enum nt */
	char sys[UPSMON_SYS_MAX];	/* NUL-terminated; "" for events of no UPS */
	char extra[UPSMON_TEXT_MAX];	/* NUL-terminated; ALARM/OTHER text */
};

/* notify.c: acting on a notification (in the notifier, or in -p mode). */
struct notifier;
struct notifier *notifier_new(const struct upsmon_conf *cf);
void notifier_free(struct notifier *n);
/* Swaps in a reloaded configuration (cf must outlive n). */
void notifier_set_conf(struct notifier *n, const struct upsmon_conf *cf);
/*
 * Logs, walls and runs NOTIFYCMD as NOTIFYFLAG says. sys must be a
 * configured MONITOR name or "" (a global event): anything else is
 * refused and logged. Returns 0 or -1.
 */
int notifier_do(struct notifier *n, enum nt type, const char *sys, const char *extra);
/* Reaps finished NOTIFYCMD/wall children (never blocks). */
void notifier_reap(struct notifier *n);
/* Number of children still running. */
size_t notifier_running(const struct notifier *n);

/* shutdown.c: the one place SHUTDOWNCMD and POWERDOWNFLAG are handled. */
/* Creates POWERDOWNFLAG (if configured) and runs SHUTDOWNCMD, waits for it. */
int upsmon_do_shutdown(const struct upsmon_conf *cf);
/* -K: 0 if POWERDOWNFLAG holds the magic, else 1. */
int upsmon_pdflag_check(const struct upsmon_conf *cf);
/* At start-up: removes our old flag; -1 if the file is not ours. */
int upsmon_pdflag_clear(const struct upsmon_conf *cf);

#endif
