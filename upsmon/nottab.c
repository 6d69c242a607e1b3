/*
 * nutsec - nottab.c: upsmon's notification types: their names, default
 * texts (NOTIFYMSG), how many %s each text may hold, and the formatting of
 * a text. NOTIFYMSG comes from a file, so its text is never handed to
 * printf: only %s and %% are understood, and they are replaced here.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "xmalloc.h"

#include "upsmon.h"

static const struct {
	const char *name;
	const char *msg;
} nottab[NT__COUNT] = {
	[NT_ONLINE] = { "ONLINE", "UPS %s on line power" },
	[NT_ONBATT] = { "ONBATT", "UPS %s on battery" },
	[NT_LOWBATT] = { "LOWBATT", "UPS %s battery is low" },
	[NT_FSD] = { "FSD", "UPS %s: forced shutdown in progress" },
	[NT_COMMOK] = { "COMMOK", "Communications with UPS %s established" },
	[NT_COMMBAD] = { "COMMBAD", "Communications with UPS %s lost" },
	[NT_SHUTDOWN] = { "SHUTDOWN", "Auto logout and shutdown proceeding" },
	[NT_REPLBATT] = { "REPLBATT", "UPS %s battery needs to be replaced" },
	[NT_NOCOMM] = { "NOCOMM", "UPS %s is unavailable" },
	[NT_NOPARENT] = { "NOPARENT", "upsmon parent process died - shutdown impossible" },
	[NT_CAL] = { "CAL", "UPS %s: calibration in progress" },
	[NT_NOTCAL] = { "NOTCAL", "UPS %s: calibration finished" },
	[NT_OFF] = { "OFF", "UPS %s: administratively OFF or asleep" },
	[NT_NOTOFF] = { "NOTOFF", "UPS %s: no longer administratively OFF or asleep" },
	[NT_BYPASS] = { "BYPASS", "UPS %s: on bypass (powered, not protecting)" },
	[NT_NOTBYPASS] = { "NOTBYPASS", "UPS %s: no longer on bypass" },
	[NT_ECO] = { "ECO", "UPS %s: in ECO mode (as defined by vendor)" },
	[NT_NOTECO] = { "NOTECO", "UPS %s: no longer in ECO mode" },
	[NT_ALARM] = { "ALARM", "UPS %s: one or more active alarms: [%s]" },
	[NT_NOTALARM] = { "NOTALARM", "UPS %s: no longer under any alarm" },
	[NT_OVER] = { "OVER", "UPS %s: overloaded" },
	[NT_NOTOVER] = { "NOTOVER", "UPS %s: no longer overloaded" },
	[NT_TRIM] = { "TRIM", "UPS %s: trimming incoming voltage" },
	[NT_NOTTRIM] = { "NOTTRIM", "UPS %s: no longer trimming incoming voltage" },
	[NT_BOOST] = { "BOOST", "UPS %s: boosting incoming voltage" },
	[NT_NOTBOOST] = { "NOTBOOST", "UPS %s: no longer boosting incoming voltage" },
	[NT_OTHER] = { "OTHER", "UPS %s: has at least one unclassified status token: [%s]" },
	[NT_NOTOTHER] = { "NOTOTHER", "UPS %s: has no unclassified status tokens anymore" },
	[NT_SHUTDOWN_HOSTSYNC] = { "SHUTDOWN_HOSTSYNC",
	    "Primary waits for the secondaries of UPS %s to shut down" },
	[NT_SUSPEND_STARTING] = { "SUSPEND_STARTING", "OS is entering sleep or suspend" },
	[NT_SUSPEND_FINISHED] = { "SUSPEND_FINISHED", "OS just finished sleeping" },
};

const char *
nt_name(enum nt t)
{
	return (unsigned)t < NT__COUNT ? nottab[t].name : NULL;
}

int
nt_lookup(const char *name)
{
	int i;

	for (i = 0; i < NT__COUNT; i++)
		if (strcasecmp(name, nottab[i].name) == 0)
			return i;
	return -1;
}

const char *
nt_default_msg(enum nt t)
{
	return (unsigned)t < NT__COUNT ? nottab[t].msg : "";
}

int
nt_nargs(enum nt t)
{
	return t == NT_ALARM || t == NT_OTHER ? 2 : 1;
}

int
nt_check_format(const char *fmt, int nargs, char *err, size_t errlen)
{
	int n = 0;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%')
			continue;
		fmt++;
		if (*fmt == '%')
			continue;
		if (*fmt != 's') {
			(void)str_printf(err, errlen, "only %%s and %%%% are allowed in the text");
			return -1;
		}
		if (++n > nargs) {
			(void)str_printf(err, errlen, "at most %d %%s in this text", nargs);
			return -1;
		}
	}
	return 0;
}

/* Appends s to out at *pos, truncating. */
static void
put(char *out, size_t outlen, size_t *pos, const char *s, size_t n)
{
	while (n-- > 0 && *pos + 1 < outlen)
		out[(*pos)++] = *s++;
}

void
nt_format(char *out, size_t outlen, const char *fmt, const char *ups, const char *extra)
{
	const char *args[2] = { ups != NULL ? ups : "", extra != NULL ? extra : "" };
	size_t pos = 0;
	int n = 0;

	if (outlen == 0)
		return;
	for (; *fmt != '\0'; fmt++) {
		if (fmt[0] == '%' && fmt[1] == '%') {
			put(out, outlen, &pos, "%", 1);
			fmt++;
		} else if (fmt[0] == '%' && fmt[1] == 's') {
			const char *a = n < 2 ? args[n] : "";

			n++;
			put(out, outlen, &pos, a, strlen(a));
			fmt++;
		} else {
			put(out, outlen, &pos, fmt, 1);
		}
	}
	out[pos] = '\0';
}
