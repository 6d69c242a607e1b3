/*
 * nutsec - hid_map.c: the subdriver tables: HID paths to NUT variable
 * names, ups.status flags and instant commands (hid_map.h). The variable
 * names, formats and command values are NUT's, so that upsc, upsmon and
 * existing ups.conf overrides see what they saw with NUT; the paths are
 * those the Power Device Class defines plus where each vendor's firmware
 * really puts things.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hid_map.h"

#define V(n, p, f)		{ M_VAR, C_NUM, 0, n, p, f, 0 }
#define VF(n, p, f, fl)		{ M_VAR, C_NUM, fl, n, p, f, 0 }
#define VC(n, p, c, fl)		{ M_VAR, c, fl, n, p, "%.0f", 0 }
#define S(p, st)		{ M_STATUS, C_NUM, 0, NULL, p, NULL, st }
#define SI(p, st)		{ M_STATUS, C_NUM, MF_INVERT, NULL, p, NULL, st }
#define CMD(n, p, v)		{ M_CMD, C_NUM, 0, n, p, v, 0 }
#define CMDF(n, p, c, fl)	{ M_CMD, c, fl, n, p, NULL, 0 }
#define DENY(p)			{ M_DENY, C_NUM, 0, NULL, p, NULL, 0 }
#define END			{ M_VAR, C_NUM, 0, NULL, NULL, NULL, 0 }

/* The status bits, under each collection devices put them in. */
#define STATUS_UNDER(pre) \
	S(pre "ACPresent", ST_ONLINE), S(pre "Discharging", ST_DISCHRG), \
	S(pre "Charging", ST_CHRG), S(pre "BelowRemainingCapacityLimit", ST_LOWBATT), \
	S(pre "ShutdownImminent", ST_SHUTDOWNIMM), \
	S(pre "RemainingTimeLimitExpired", ST_TIMELIMITEXP), S(pre "Overload", ST_OVERLOAD), \
	S(pre "NeedReplacement", ST_REPLACEBATT), SI(pre "BatteryPresent", ST_NOBATTERY), \
	S(pre "FullyCharged", ST_FULLYCHARGED), S(pre "FullyDischarged", ST_DEPLETED), \
	S(pre "CommunicationLost", ST_COMMFAULT), S(pre "Buck", ST_TRIM), \
	S(pre "Boost", ST_BOOST), S(pre "OverTemperature", ST_OVERHEAT), \
	S(pre "InternalFailure", ST_INTERNALFAULT), S(pre "VoltageOutOfRange", ST_VRANGE), \
	S(pre "AwaitingPower", ST_AWAITPOWER)

/* Delays, timers and the load commands of one collection. */
#define DELAYS_UNDER(pre, sd, st) \
	VF("ups.delay.shutdown", pre sd, NULL, MF_ABSENT | MF_RW), \
	VF("ups.delay.start", pre st, NULL, MF_ABSENT | MF_RW), \
	V("ups.timer.shutdown", pre sd, "%.0f"), V("ups.timer.start", pre st, "%.0f"), \
	CMD("load.off", pre sd, "0"), CMD("load.on", pre st, "0"), \
	CMDF("load.off.delay", pre sd, C_NUM, MF_OFFDELAY), \
	CMDF("load.on.delay", pre st, C_NUM, MF_ONDELAY), \
	CMD("shutdown.stop", pre sd, "-1"), CMD("load.on.abort", pre st, "-1")

#define TEST_UNDER(p) \
	VC("ups.test.result", p, C_TEST, 0), CMD("test.battery.start.quick", p, "1"), \
	CMD("test.battery.start.deep", p, "2"), CMD("test.battery.stop", p, "3")

#define BEEPER_UNDER(p) \
	VC("ups.beeper.status", p, C_BEEPER, 0), CMD("beeper.enable", p, "2"), \
	CMD("beeper.disable", p, "1"), CMD("beeper.mute", p, "3")

const struct hid_map hid_map_generic[] = {
	V("battery.charge", "UPS.PowerSummary.RemainingCapacity", "%.0f"),
	V("battery.charge", "UPS.BatterySystem.Battery.RemainingCapacity", "%.0f"),
	V("battery.charge", "UPS.Battery.RemainingCapacity", "%.0f"),
	VF("battery.charge.low", "UPS.PowerSummary.RemainingCapacityLimit", "%.0f", MF_RW),
	VF("battery.charge.low", "UPS.Battery.RemainingCapacityLimit", "%.0f", MF_RW),
	V("battery.charge.warning", "UPS.PowerSummary.WarningCapacityLimit", "%.0f"),
	V("battery.runtime", "UPS.PowerSummary.RunTimeToEmpty", "%.0f"),
	V("battery.runtime", "UPS.Battery.RunTimeToEmpty", "%.0f"),
	V("battery.runtime", "UPS.BatterySystem.Battery.RunTimeToEmpty", "%.0f"),
	VF("battery.runtime.low", "UPS.PowerSummary.RemainingTimeLimit", "%.0f", MF_RW),
	VF("battery.runtime.low", "UPS.Battery.RemainingTimeLimit", "%.0f", MF_RW),
	V("battery.voltage", "UPS.PowerSummary.Voltage", "%.1f"),
	V("battery.voltage", "UPS.Battery.Voltage", "%.1f"),
	V("battery.voltage", "UPS.BatterySystem.Battery.Voltage", "%.1f"),
	VF("battery.voltage.nominal", "UPS.PowerSummary.ConfigVoltage", "%.1f", MF_STATIC),
	VF("battery.voltage.nominal", "UPS.Battery.ConfigVoltage", "%.1f", MF_STATIC),
	VF("battery.voltage.nominal", "UPS.BatterySystem.Battery.ConfigVoltage", "%.1f", MF_STATIC),
	VC("battery.temperature", "UPS.Battery.Temperature", C_KELVIN, 0),
	VC("battery.temperature", "UPS.BatterySystem.Battery.Temperature", C_KELVIN, 0),
	VC("battery.type", "UPS.PowerSummary.iDeviceChemistry", C_STRING, MF_STATIC),
	VC("battery.mfr.date", "UPS.Battery.ManufacturerDate", C_DATE, MF_STATIC),
	VC("battery.mfr.date", "UPS.PowerSummary.ManufacturerDate", C_DATE, MF_STATIC),
	VC("ups.mfr.date", "UPS.ManufacturerDate", C_DATE, MF_STATIC),

	V("input.voltage", "UPS.Input.Voltage", "%.1f"),
	V("input.voltage", "UPS.PowerConverter.Input.Voltage", "%.1f"),
	V("input.voltage", "UPS.PowerSummary.Input.Voltage", "%.1f"),
	VF("input.voltage.nominal", "UPS.Input.ConfigVoltage", "%.0f", MF_STATIC),
	VF("input.voltage.nominal", "UPS.PowerSummary.Input.ConfigVoltage", "%.0f", MF_STATIC),
	V("input.frequency", "UPS.Input.Frequency", "%.1f"),
	V("input.frequency", "UPS.PowerConverter.Input.Frequency", "%.1f"),
	VF("input.transfer.low", "UPS.Input.LowVoltageTransfer", "%.0f", MF_RW),
	VF("input.transfer.low", "UPS.PowerConverter.Output.LowVoltageTransfer", "%.0f", MF_RW),
	VF("input.transfer.high", "UPS.Input.HighVoltageTransfer", "%.0f", MF_RW),
	VF("input.transfer.high", "UPS.PowerConverter.Output.HighVoltageTransfer", "%.0f", MF_RW),

	V("output.voltage", "UPS.Output.Voltage", "%.1f"),
	V("output.voltage", "UPS.PowerConverter.Output.Voltage", "%.1f"),
	VF("output.voltage.nominal", "UPS.Output.ConfigVoltage", "%.0f", MF_STATIC),
	VF("output.voltage.nominal", "UPS.Flow.[4].ConfigVoltage", "%.0f", MF_STATIC),
	V("output.frequency", "UPS.Output.Frequency", "%.1f"),
	V("output.frequency", "UPS.PowerConverter.Output.Frequency", "%.1f"),
	VF("output.frequency.nominal", "UPS.Output.ConfigFrequency", "%.0f", MF_STATIC),
	VF("output.frequency.nominal", "UPS.Flow.[4].ConfigFrequency", "%.0f", MF_STATIC),
	V("output.current", "UPS.Output.Current", "%.2f"),
	V("output.current", "UPS.PowerConverter.Output.Current", "%.2f"),

	V("ups.load", "UPS.Output.PercentLoad", "%.0f"),
	V("ups.load", "UPS.PowerConverter.PercentLoad", "%.0f"),
	V("ups.load", "UPS.PowerSummary.PercentLoad", "%.0f"),
	VF("ups.power.nominal", "UPS.Output.ConfigApparentPower", "%.0f", MF_STATIC),
	VF("ups.power.nominal", "UPS.Flow.[4].ConfigApparentPower", "%.0f", MF_STATIC),
	VF("ups.realpower.nominal", "UPS.Output.ConfigActivePower", "%.0f", MF_STATIC),
	VF("ups.realpower.nominal", "UPS.PowerConverter.ConfigActivePower", "%.0f", MF_STATIC),
	V("ups.realpower", "UPS.PowerConverter.Output.ActivePower", "%.0f"),
	VC("ups.temperature", "UPS.PowerSummary.Temperature", C_KELVIN, 0),
	V("ups.timer.reboot", "UPS.PowerSummary.DelayBeforeReboot", "%.0f"),
	V("ups.timer.reboot", "UPS.Output.DelayBeforeReboot", "%.0f"),
	CMD("shutdown.reboot", "UPS.PowerSummary.DelayBeforeReboot", "0"),
	CMD("shutdown.reboot", "UPS.Output.DelayBeforeReboot", "0"),

	BEEPER_UNDER("UPS.PowerSummary.AudibleAlarmControl"),
	BEEPER_UNDER("UPS.AudibleAlarmControl"),
	BEEPER_UNDER("UPS.BatterySystem.Battery.AudibleAlarmControl"),
	TEST_UNDER("UPS.Battery.Test"),
	TEST_UNDER("UPS.BatterySystem.Battery.Test"),
	TEST_UNDER("UPS.Output.Test"),
	DELAYS_UNDER("UPS.PowerSummary.", "DelayBeforeShutdown", "DelayBeforeStartup"),
	DELAYS_UNDER("UPS.Output.", "DelayBeforeShutdown", "DelayBeforeStartup"),

	STATUS_UNDER("UPS.PowerSummary.PresentStatus."),
	STATUS_UNDER("UPS.PresentStatus."),
	STATUS_UNDER("UPS.BatterySystem.Battery.PresentStatus."),
	STATUS_UNDER("UPS.PowerConverter.PresentStatus."),
	/* older APC Back-UPS: the bits straight under PowerSummary */
	S("UPS.PowerSummary.ACPresent", ST_ONLINE), S("UPS.PowerSummary.Discharging", ST_DISCHRG),
	S("UPS.PowerSummary.Charging", ST_CHRG),
	S("UPS.PowerSummary.BelowRemainingCapacityLimit", ST_LOWBATT),
	S("UPS.PowerSummary.ShutdownImminent", ST_SHUTDOWNIMM),
	SI("UPS.PowerSummary.PresentStatus.SwitchOn/Off", ST_OFF),
	END
};

#define APCDLY "UPS.APCGeneralCollection."

static const struct hid_map map_apc[] = {
	VC("battery.date", "UPS.Battery.APCBattReplaceDate", C_APCDATE, MF_STATIC),
	VC("battery.mfr.date", "UPS.PowerSummary.APCBattReplaceDate", C_APCDATE, MF_STATIC),
	VC("input.sensitivity", "UPS.Input.APCSensitivity", C_APC_SENS, MF_RW),
	VC("input.sensitivity", "UPS.PowerConverter.APCSensitivity", C_APC_SENS, MF_RW),
	V("ups.load", "UPS.Output.PercentLoad", "%.1f"),
	{ M_STATUS, C_APC_STATUS, 0, NULL, "UPS.PowerSummary.APCStatusFlag", NULL, ST_OFF },
	/* Back-UPS ES: the delays in APC's own collection */
	DELAYS_UNDER(APCDLY, "APCDelayBeforeShutdown", "APCDelayBeforeStartup"),
	V("ups.timer.reboot", APCDLY "APCDelayBeforeReboot", "%.0f"),
	END
};

static const struct hid_map map_cps[] = {
	VC("battery.charge", "UPS.PowerSummary.RemainingCapacity", C_CLAMP100, 0),
	VC("input.sensitivity", "UPS.Output.ff010043", C_CPS_SENS, MF_RW),
	END
};

static const struct hid_map map_mge[] = {
	VF("input.voltage.nominal", "UPS.Flow.[1].ConfigVoltage", "%.0f", MF_STATIC),
	VF("input.frequency.nominal", "UPS.Flow.[1].ConfigFrequency", "%.0f", MF_STATIC),
	V("input.bypass.voltage", "UPS.PowerConverter.Input.[2].Voltage", "%.1f"),
	V("input.voltage", "UPS.PowerConverter.Input.[1].Voltage", "%.1f"),
	V("input.frequency", "UPS.PowerConverter.Input.[1].Frequency", "%.1f"),
	S("UPS.PowerConverter.Input.[2].PresentStatus.Used", ST_BYPASS),
	S("UPS.PowerConverter.Input.[3].PresentStatus.Used", ST_BYPASS),
	S("UPS.PowerConverter.Input.[1].PresentStatus.Buck", ST_TRIM),
	S("UPS.PowerConverter.Input.[1].PresentStatus.Boost", ST_BOOST),
	S("UPS.PowerConverter.Inverter.PresentStatus.InternalFailure", ST_INTERNALFAULT),
	/* outlets: [1] is the main one (outlet.*), [2] and [3] the switchable groups */
	VF("outlet.id", "UPS.OutletSystem.Outlet.[1].OutletID", "%.0f", MF_STATIC),
	VC("outlet.switchable", "UPS.OutletSystem.Outlet.[1].PresentStatus.Switchable", C_YESNO, 0),
	VF("outlet.1.id", "UPS.OutletSystem.Outlet.[2].OutletID", "%.0f", MF_STATIC),
	VC("outlet.1.status", "UPS.OutletSystem.Outlet.[2].PresentStatus.SwitchOn/Off", C_ONOFF, 0),
	VC("outlet.1.switchable", "UPS.OutletSystem.Outlet.[2].PresentStatus.Switchable", C_YESNO, 0),
	VF("outlet.2.id", "UPS.OutletSystem.Outlet.[3].OutletID", "%.0f", MF_STATIC),
	VC("outlet.2.status", "UPS.OutletSystem.Outlet.[3].PresentStatus.SwitchOn/Off", C_ONOFF, 0),
	VC("outlet.2.switchable", "UPS.OutletSystem.Outlet.[3].PresentStatus.Switchable", C_YESNO, 0),
	END
};

#define TLOUT "UPS.OutletSystem.Outlet."

static const struct hid_map map_tripplite[] = {
	V("ups.load", TLOUT "PercentLoad", "%.0f"),
	VF("ups.power.nominal", "UPS.Flow.ConfigApparentPower", "%.0f", MF_STATIC),
	VF("output.frequency.nominal", "UPS.Flow.ConfigFrequency", "%.0f", MF_STATIC),
	VF("output.voltage.nominal", "UPS.Flow.ConfigVoltage", "%.0f", MF_STATIC),
	DELAYS_UNDER(TLOUT, "DelayBeforeShutdown", "DelayBeforeStartup"),
	V("ups.timer.reboot", TLOUT "DelayBeforeReboot", "%.0f"),
	CMD("shutdown.reboot", TLOUT "DelayBeforeReboot", "0"),
	S("UPS.BatterySystem.Battery.PresentStatus.TLCharging", ST_CHRG),
	S("UPS.BatterySystem.Battery.PresentStatus.TLDischarging", ST_DISCHRG),
	S("UPS.BatterySystem.Battery.PresentStatus.TLNeedReplacement", ST_REPLACEBATT),
	S("UPS.PowerSummary.PresentStatus.TLACPresent", ST_ONLINE),
	END
};

#define PCM "UPS.PowerSummary."

static const struct hid_map map_powercom[] = {
	/* Powercom repeats output voltages where the battery's belong */
	DENY(PCM "Voltage"), DENY(PCM "ConfigVoltage"),
	DENY("UPS.Battery.Voltage"), DENY("UPS.Battery.ConfigVoltage"),
	DENY("UPS.Battery.Temperature"),	/* not kelvin on these */
	VC("ups.beeper.status", PCM "AudibleAlarmControl", C_PCM_BEEPER, 0),
	VC("ups.beeper.status", "UPS.AudibleAlarmControl", C_PCM_BEEPER, 0),
	CMD("beeper.enable", PCM "AudibleAlarmControl", "1"),
	CMD("beeper.disable", PCM "AudibleAlarmControl", "0"),
	VC("ups.timer.start", PCM "DelayBeforeStartup", C_PCM_START, 0),
	VC("ups.timer.shutdown", PCM "DelayBeforeShutdown", C_PCM_SHUT, 0),
	VF("ups.delay.start", PCM "DelayBeforeStartup", NULL, MF_ABSENT | MF_RW),
	VF("ups.delay.shutdown", PCM "DelayBeforeShutdown", NULL, MF_ABSENT | MF_RW),
	CMDF("load.on.delay", PCM "DelayBeforeStartup", C_PCM_START, MF_ONDELAY),
	CMDF("load.off.delay", PCM "DelayBeforeShutdown", C_PCM_SHUT, MF_OFFDELAY),
	CMDF("shutdown.return", PCM "DelayBeforeShutdown", C_PCM_SHUT, MF_OFFDELAY),
	CMDF("shutdown.stayoff", PCM "DelayBeforeShutdown", C_PCM_STAYOFF, MF_OFFDELAY),
	{ M_CMD, C_PCM_START, 0, "load.on", PCM "PCMDelayBeforeStartup", "0", 0 },
	{ M_CMD, C_PCM_STAYOFF, 0, "load.off", PCM "PCMDelayBeforeShutdown", "0", 0 },
	/* the generic ones would write plain seconds where Powercom wants its encoding */
	DENY("UPS.Output.DelayBeforeShutdown"), DENY("UPS.Output.DelayBeforeStartup"),
	END
};

static const struct subdriver sd_generic = {
	"generic", 0, hid_names_none, hid_map_generic, NULL, 0, 0 };
static const struct subdriver sd_apc = {
	"APC", 0x051d, hid_names_apc, map_apc, "American Power Conversion", 0, 0 };
static const struct subdriver sd_cps = {
	"CyberPower", 0x0764, hid_names_none, map_cps, "CPS",
	/* their delays count in minutes (physical range -60..): NUT's 60 and 120 */
	60, 120 };
static const struct subdriver sd_mge = {
	"MGE", 0x0463, hid_names_mge, map_mge, "EATON", 0, 0 };
static const struct subdriver sd_tripplite = {
	"TrippLite", 0x09ae, hid_names_tripplite, map_tripplite, "Tripp Lite", 0, 0 };
static const struct subdriver sd_powercom = {
	"PowerCOM", 0x0d9f, hid_names_powercom, map_powercom, "PowerCOM", 0, 0 };

const struct subdriver *const subdrivers[] = {
	&sd_apc, &sd_cps, &sd_mge, &sd_tripplite, &sd_powercom, &sd_generic, NULL
};

const struct subdriver *
subdriver_by_name(const char *name)
{
	size_t n = strlen(name);

	/* NUT's names are "APC HID 0.98", "MGE HID 1.46": the first word is enough */
	for (size_t i = 0; subdrivers[i] != NULL; i++)
		if (n > 0 && strncasecmp(subdrivers[i]->name, name, strlen(subdrivers[i]->name)) == 0)
			return subdrivers[i];
	if (strncasecmp(name, "eaton", 5) == 0)
		return &sd_mge;
	if (strncasecmp(name, "cps", 3) == 0)
		return &sd_cps;
	return NULL;
}

const struct subdriver *
subdriver_for(unsigned vendorid)
{
	for (size_t i = 0; subdrivers[i] != NULL; i++)
		if (subdrivers[i]->vendorid == vendorid)
			return subdrivers[i];
	return &sd_generic;
}

/* Copies s[0..n) without trailing blanks. */
static void
copy_trim(char *dst, size_t cap, const char *s, size_t n)
{
	while (n > 0 && s[n - 1] == ' ')
		n--;
	snprintf(dst, cap, "%.*s", (int)n, s);
}

void
subdriver_strings(const struct subdriver *sd, const struct usb_devinfo *di, struct sd_strings *out)
{
	const char *fw, *usbfw;

	memset(out, 0, sizeof(*out));
	snprintf(out->mfr, sizeof(out->mfr), "%s", di->vendor[0] != '\0' ? di->vendor :
	    sd->mfr != NULL ? sd->mfr : "");
	snprintf(out->model, sizeof(out->model), "%s", di->product);
	snprintf(out->serial, sizeof(out->serial), "%s", di->serial);
	/* APC: "Back-UPS ES 850G2 FW:938.a2 .I USB FW:a2" is model, firmware, USB firmware */
	if (sd->vendorid != 0x051d || (fw = strstr(di->product, " FW:")) == NULL)
		return;
	copy_trim(out->model, sizeof(out->model), di->product, (size_t)(fw - di->product));
	fw += 4;
	if ((usbfw = strstr(fw, " USB FW:")) != NULL) {
		copy_trim(out->firmware, sizeof(out->firmware), fw, (size_t)(usbfw - fw));
		snprintf(out->firmware_aux, sizeof(out->firmware_aux), "%s", usbfw + 8);
	} else {
		copy_trim(out->firmware, sizeof(out->firmware), fw, strlen(fw));
	}
}
