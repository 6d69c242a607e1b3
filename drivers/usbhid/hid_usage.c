/*
 * nutsec - hid_usage.c: usage names. The generic names are those of the
 * USB "Usage Tables for HID Power Devices" (pages 0x84 and 0x85) in the
 * spelling NUT prints; the vendor tables hold the names NUT gives to
 * vendor-defined usages, so that paths in ups.conf overrides, dumps and
 * bug reports read the same as with NUT.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hid_usage.h"

#define PD(u)	(0x00840000u | (u))	/* Power Device page */
#define BS(u)	(0x00850000u | (u))	/* Battery System page */

static const struct hid_usage_name generic[] = {
	{ PD(0x00), "Undefined" }, { PD(0x01), "iName" }, { PD(0x02), "PresentStatus" },
	{ PD(0x03), "ChangedStatus" }, { PD(0x04), "UPS" }, { PD(0x05), "PowerSupply" },
	{ PD(0x10), "BatterySystem" }, { PD(0x11), "BatterySystemID" }, { PD(0x12), "Battery" },
	{ PD(0x13), "BatteryID" }, { PD(0x14), "Charger" }, { PD(0x15), "ChargerID" },
	{ PD(0x16), "PowerConverter" }, { PD(0x17), "PowerConverterID" },
	{ PD(0x18), "OutletSystem" }, { PD(0x19), "OutletSystemID" }, { PD(0x1a), "Input" },
	{ PD(0x1b), "InputID" }, { PD(0x1c), "Output" }, { PD(0x1d), "OutputID" },
	{ PD(0x1e), "Flow" }, { PD(0x1f), "FlowID" }, { PD(0x20), "Outlet" },
	{ PD(0x21), "OutletID" }, { PD(0x22), "Gang" }, { PD(0x23), "GangID" },
	{ PD(0x24), "PowerSummary" }, { PD(0x25), "PowerSummaryID" },
	{ PD(0x30), "Voltage" }, { PD(0x31), "Current" }, { PD(0x32), "Frequency" },
	{ PD(0x33), "ApparentPower" }, { PD(0x34), "ActivePower" }, { PD(0x35), "PercentLoad" },
	{ PD(0x36), "Temperature" }, { PD(0x37), "Humidity" }, { PD(0x38), "BadCount" },
	{ PD(0x40), "ConfigVoltage" }, { PD(0x41), "ConfigCurrent" },
	{ PD(0x42), "ConfigFrequency" }, { PD(0x43), "ConfigApparentPower" },
	{ PD(0x44), "ConfigActivePower" }, { PD(0x45), "ConfigPercentLoad" },
	{ PD(0x46), "ConfigTemperature" }, { PD(0x47), "ConfigHumidity" },
	{ PD(0x50), "SwitchOnControl" }, { PD(0x51), "SwitchOffControl" },
	{ PD(0x52), "ToggleControl" }, { PD(0x53), "LowVoltageTransfer" },
	{ PD(0x54), "HighVoltageTransfer" }, { PD(0x55), "DelayBeforeReboot" },
	{ PD(0x56), "DelayBeforeStartup" }, { PD(0x57), "DelayBeforeShutdown" },
	{ PD(0x58), "Test" }, { PD(0x59), "ModuleReset" }, { PD(0x5a), "AudibleAlarmControl" },
	{ PD(0x60), "Present" }, { PD(0x61), "Good" }, { PD(0x62), "InternalFailure" },
	{ PD(0x63), "VoltageOutOfRange" }, { PD(0x64), "FrequencyOutOfRange" },
	{ PD(0x65), "Overload" }, { PD(0x66), "OverCharged" }, { PD(0x67), "OverTemperature" },
	{ PD(0x68), "ShutdownRequested" }, { PD(0x69), "ShutdownImminent" },
	{ PD(0x6b), "SwitchOn/Off" }, { PD(0x6c), "Switchable" }, { PD(0x6d), "Used" },
	{ PD(0x6e), "Boost" }, { PD(0x6f), "Buck" }, { PD(0x70), "Initialized" },
	{ PD(0x71), "Tested" }, { PD(0x72), "AwaitingPower" }, { PD(0x73), "CommunicationLost" },
	{ PD(0xfd), "iManufacturer" }, { PD(0xfe), "iProduct" }, { PD(0xff), "iSerialNumber" },

	{ BS(0x00), "Undefined" }, { BS(0x01), "SMBBatteryMode" }, { BS(0x02), "SMBBatteryStatus" },
	{ BS(0x03), "SMBAlarmWarning" }, { BS(0x04), "SMBChargerMode" },
	{ BS(0x05), "SMBChargerStatus" }, { BS(0x06), "SMBChargerSpecInfo" },
	{ BS(0x07), "SMBSelectorState" }, { BS(0x08), "SMBSelectorPresets" },
	{ BS(0x09), "SMBSelectorInfo" }, { BS(0x10), "OptionalMfgFunction1" },
	{ BS(0x11), "OptionalMfgFunction2" }, { BS(0x12), "OptionalMfgFunction3" },
	{ BS(0x13), "OptionalMfgFunction4" }, { BS(0x14), "OptionalMfgFunction5" },
	{ BS(0x15), "ConnectionToSMBus" }, { BS(0x16), "OutputConnection" },
	{ BS(0x17), "ChargerConnection" }, { BS(0x18), "BatteryInsertion" },
	{ BS(0x19), "Usenext" }, { BS(0x1a), "OKToUse" }, { BS(0x1b), "BatterySupported" },
	{ BS(0x1c), "SelectorRevision" }, { BS(0x1d), "ChargingIndicator" },
	{ BS(0x28), "ManufacturerAccess" }, { BS(0x29), "RemainingCapacityLimit" },
	{ BS(0x2a), "RemainingTimeLimit" }, { BS(0x2b), "AtRate" }, { BS(0x2c), "CapacityMode" },
	{ BS(0x2d), "BroadcastToCharger" }, { BS(0x2e), "PrimaryBattery" },
	{ BS(0x2f), "ChargeController" }, { BS(0x40), "TerminateCharge" },
	{ BS(0x41), "TerminateDischarge" }, { BS(0x42), "BelowRemainingCapacityLimit" },
	{ BS(0x43), "RemainingTimeLimitExpired" }, { BS(0x44), "Charging" },
	{ BS(0x45), "Discharging" }, { BS(0x46), "FullyCharged" }, { BS(0x47), "FullyDischarged" },
	{ BS(0x48), "ConditioningFlag" }, { BS(0x49), "AtRateOK" }, { BS(0x4a), "SMBErrorCode" },
	{ BS(0x4b), "NeedReplacement" }, { BS(0x60), "AtRateTimeToFull" },
	{ BS(0x61), "AtRateTimeToEmpty" }, { BS(0x62), "AverageCurrent" }, { BS(0x63), "Maxerror" },
	{ BS(0x64), "RelativeStateOfCharge" }, { BS(0x65), "AbsoluteStateOfCharge" },
	{ BS(0x66), "RemainingCapacity" }, { BS(0x67), "FullChargeCapacity" },
	{ BS(0x68), "RunTimeToEmpty" }, { BS(0x69), "AverageTimeToEmpty" },
	{ BS(0x6a), "AverageTimeToFull" }, { BS(0x6b), "CycleCount" },
	{ BS(0x80), "BattPackModelLevel" }, { BS(0x81), "InternalChargeController" },
	{ BS(0x82), "PrimaryBatterySupport" }, { BS(0x83), "DesignCapacity" },
	{ BS(0x84), "SpecificationInfo" }, { BS(0x85), "ManufacturerDate" },
	{ BS(0x86), "SerialNumber" }, { BS(0x87), "iManufacturerName" },
	{ BS(0x88), "iDevicename" }, { BS(0x89), "iDeviceChemistry" },
	{ BS(0x8a), "ManufacturerData" }, { BS(0x8b), "Rechargeable" },
	{ BS(0x8c), "WarningCapacityLimit" }, { BS(0x8d), "CapacityGranularity1" },
	{ BS(0x8e), "CapacityGranularity2" }, { BS(0x8f), "iOEMInformation" },
	{ BS(0xc0), "InhibitCharge" }, { BS(0xc1), "EnablePolling" }, { BS(0xc2), "ResetToZero" },
	{ BS(0xd0), "ACPresent" }, { BS(0xd1), "BatteryPresent" }, { BS(0xd2), "PowerFail" },
	{ BS(0xd3), "AlarmInhibited" }, { BS(0xd4), "ThermistorUnderRange" },
	{ BS(0xd5), "ThermistorHot" }, { BS(0xd6), "ThermistorCold" },
	{ BS(0xd7), "ThermistorOverRange" }, { BS(0xd8), "VoltageOutOfRange" },
	{ BS(0xd9), "CurrentOutOfRange" }, { BS(0xda), "CurrentNotRegulated" },
	{ BS(0xdb), "VoltageNotRegulated" }, { BS(0xdc), "MasterMode" },
	{ BS(0xf0), "ChargerSelectorSupport" }, { BS(0xf1), "ChargerSpec" },
	{ BS(0xf2), "Level2" }, { BS(0xf3), "Level3" },
	{ 0, NULL }
};

#define APC(u)	(0xff860000u | (u))

const struct hid_usage_name hid_names_apc[] = {
	{ APC(0x05), "APCGeneralCollection" }, { APC(0x06), "APCEnvironment" },
	{ APC(0x07), "APCProbe1" }, { APC(0x08), "APCProbe2" },
	{ APC(0x16), "APCBattReplaceDate" }, { APC(0x19), "APCBattCapBeforeStartup" },
	{ APC(0x42), "APC_UPS_FirmwareRevision" }, { APC(0x52), "APCLineFailCause" },
	{ APC(0x60), "APCStatusFlag" }, { APC(0x61), "APCSensitivity" },
	{ APC(0x72), "APCPanelTest" }, { APC(0x76), "APCShutdownAfterDelay" },
	{ APC(0x79), "APC_USB_FirmwareRevision" }, { APC(0x7c), "APCDelayBeforeReboot" },
	{ APC(0x7d), "APCDelayBeforeShutdown" }, { APC(0x7e), "APCDelayBeforeStartup" },
	{ 0, NULL }
};

#define MGE(u)	(0xffff0000u | (u))

/* MGE, then Eaton: their vendor page 0xffff. */
const struct hid_usage_name hid_names_mge[] = {
	{ MGE(0x00), "Undefined" }, { MGE(0x01), "STS" }, { MGE(0x02), "Environment" },
	{ MGE(0x03), "Statistic" }, { MGE(0x04), "StatisticSystem" }, { MGE(0x05), "USB" },
	{ MGE(0x10), "Phase" }, { MGE(0x11), "PhaseID" }, { MGE(0x12), "Chopper" },
	{ MGE(0x13), "ChopperID" }, { MGE(0x14), "Inverter" }, { MGE(0x15), "InverterID" },
	{ MGE(0x16), "Rectifier" }, { MGE(0x17), "RectifierID" }, { MGE(0x18), "LCMSystem" },
	{ MGE(0x19), "LCMSystemID" }, { MGE(0x1a), "LCMAlarm" }, { MGE(0x1b), "LCMAlarmID" },
	{ MGE(0x1c), "HistorySystem" }, { MGE(0x1d), "HistorySystemID" }, { MGE(0x1e), "Event" },
	{ MGE(0x1f), "EventID" }, { MGE(0x20), "CircuitBreaker" },
	{ MGE(0x21), "TransferForbidden" }, { MGE(0x22), "OverallAlarm" },
	{ MGE(0x23), "Dephasing" }, { MGE(0x24), "BypassBreaker" }, { MGE(0x25), "PowerModule" },
	{ MGE(0x26), "PowerRate" }, { MGE(0x27), "PowerSource" },
	{ MGE(0x28), "CurrentPowerSource" }, { MGE(0x29), "RedundancyLevel" },
	{ MGE(0x2a), "RedundancyLost" }, { MGE(0x2b), "NotificationStatus" },
	{ MGE(0x2c), "ProtectionLost" }, { MGE(0x2d), "ConfigurationFailure" },
	{ MGE(0x2e), "CompatibilityFailure" }, { MGE(0x40), "SwitchType" },
	{ MGE(0x41), "ConverterType" }, { MGE(0x42), "FrequencyConverterMode" },
	{ MGE(0x43), "AutomaticRestart" }, { MGE(0x44), "ForcedReboot" },
	{ MGE(0x45), "TestPeriod" }, { MGE(0x46), "EnergySaving" },
	{ MGE(0x47), "StartOnBattery" }, { MGE(0x48), "Schedule" },
	{ MGE(0x49), "DeepDischargeProtection" }, { MGE(0x4a), "ShortCircuit" },
	{ MGE(0x4b), "ExtendedVoltageMode" }, { MGE(0x4c), "SensitivityMode" },
	{ MGE(0x4d), "RemainingCapacityLimitSetting" }, { MGE(0x4e), "ExtendedFrequencyMode" },
	{ MGE(0x4f), "FrequencyConverterModeSetting" }, { MGE(0x50), "LowVoltageBoostTransfer" },
	{ MGE(0x51), "HighVoltageBoostTransfer" }, { MGE(0x52), "LowVoltageBuckTransfer" },
	{ MGE(0x53), "HighVoltageBuckTransfer" }, { MGE(0x54), "OverloadTransferEnable" },
	{ MGE(0x55), "OutOfToleranceTransferEnable" }, { MGE(0x56), "ForcedTransferEnable" },
	{ MGE(0x57), "LowVoltageBypassTransfer" }, { MGE(0x58), "HighVoltageBypassTransfer" },
	{ MGE(0x59), "FrequencyRangeBypassTransfer" }, { MGE(0x5a), "LowVoltageEcoTransfer" },
	{ MGE(0x5b), "HighVoltageEcoTransfer" }, { MGE(0x5c), "FrequencyRangeEcoTransfer" },
	{ MGE(0x5d), "ShutdownTimer" }, { MGE(0x5e), "StartupTimer" },
	{ MGE(0x5f), "RestartLevel" }, { MGE(0x60), "PhaseOutOfRange" },
	{ MGE(0x61), "CurrentLimitation" }, { MGE(0x62), "ThermalOverload" },
	{ MGE(0x63), "SynchroSource" }, { MGE(0x64), "FuseFault" },
	{ MGE(0x65), "ExternalProtectedTransfert" }, { MGE(0x66), "ExternalForcedTransfert" },
	{ MGE(0x67), "Compensation" }, { MGE(0x68), "EmergencyStop" },
	{ MGE(0x69), "PowerFactor" }, { MGE(0x6a), "PeakFactor" }, { MGE(0x6b), "ChargerType" },
	{ MGE(0x6c), "HighPositiveDCBusVoltage" }, { MGE(0x6d), "LowPositiveDCBusVoltage" },
	{ MGE(0x6e), "HighNegativeDCBusVoltage" }, { MGE(0x6f), "LowNegativeDCBusVoltage" },
	{ MGE(0x70), "FrequencyRangeTransfer" }, { MGE(0x71), "WiringFaultDetection" },
	{ MGE(0x72), "ControlStandby" }, { MGE(0x73), "ShortCircuitTolerance" },
	{ MGE(0x74), "VoltageTooHigh" }, { MGE(0x75), "VoltageTooLow" },
	{ MGE(0x76), "DCBusUnbalanced" }, { MGE(0x77), "FanFailure" },
	{ MGE(0x78), "WiringFault" }, { MGE(0x79), "Floating" }, { MGE(0x7a), "OverCurrent" },
	{ MGE(0x7b), "RemainingActivePower" }, { MGE(0x7c), "Energy" },
	{ MGE(0x7d), "Threshold" }, { MGE(0x7e), "OverThreshold" }, { MGE(0x80), "Sensor" },
	{ MGE(0x81), "LowHumidity" }, { MGE(0x82), "HighHumidity" },
	{ MGE(0x83), "LowTemperature" }, { MGE(0x84), "HighTemperature" },
	{ MGE(0x85), "ECOControl" }, { MGE(0x86), "Efficiency" }, { MGE(0x87), "ABMEnable" },
	{ MGE(0x88), "NegativeCurrent" }, { MGE(0x89), "AutomaticStart" },
	{ MGE(0x90), "Count" }, { MGE(0x91), "Timer" }, { MGE(0x92), "Interval" },
	{ MGE(0x93), "TimerExpired" }, { MGE(0x94), "Mode" }, { MGE(0x95), "Country" },
	{ MGE(0x96), "State" }, { MGE(0x97), "Time" }, { MGE(0x98), "Code" },
	{ MGE(0x99), "DataValid" }, { MGE(0x9a), "ToggleTimer" },
	{ MGE(0x9b), "BypassTransferDelay" }, { MGE(0x9c), "HysteresisVoltageTransfer" },
	{ MGE(0x9d), "SlewRate" }, { MGE(0xa0), "PDU" }, { MGE(0xa1), "Breaker" },
	{ MGE(0xa2), "BreakerID" }, { MGE(0xa3), "OverVoltage" }, { MGE(0xa4), "Tripped" },
	{ MGE(0xa5), "OverEnergy" }, { MGE(0xa6), "OverHumidity" },
	{ MGE(0xa7), "ConfigurationReset" }, { MGE(0xa8), "Level" }, { MGE(0xa9), "PDUType" },
	{ MGE(0xaa), "ReactivePower" }, { MGE(0xab), "Pole" }, { MGE(0xac), "PoleID" },
	{ MGE(0xad), "Reset" }, { MGE(0xae), "WatchdogReset" }, { MGE(0xba), "iDesignator" },
	{ MGE(0xe0), "COPIBridge" }, { MGE(0xe1), "Gateway" }, { MGE(0xe5), "System" },
	{ MGE(0xe9), "Status" }, { MGE(0xf0), "iModel" }, { MGE(0xf1), "iVersion" },
	{ MGE(0xf2), "iTechnicalLevel" }, { MGE(0xf3), "iPartNumber" },
	{ MGE(0xf4), "iReferenceNumber" }, { MGE(0xf5), "iGang" },
	{ 0, NULL }
};

const struct hid_usage_name hid_names_powercom[] = {
	{ PD(0x2f), "POWERCOM1" }, { APC(0x60), "POWERCOM2" }, { APC(0x80), "POWERCOM3" },
	{ 0x00ff0056u, "PCMDelayBeforeStartup" }, { 0x00ff0057u, "PCMDelayBeforeShutdown" },
	{ 0, NULL }
};

/* Tripp Lite: their page 0xffff, and four status usages some firmware puts
 * on the Power Device page where the Battery System page has them. */
const struct hid_usage_name hid_names_tripplite[] = {
	{ MGE(0x10), "TLCustom" }, { MGE(0x56), "TLDelayBeforeStartup" },
	{ MGE(0x57), "TLLowVoltageTransferMax" }, { MGE(0x58), "TLLowVoltageTransferMin" },
	{ MGE(0x59), "TLHighVoltageTransferMax" }, { MGE(0x5a), "TLHighVoltageTransferMin" },
	{ MGE(0x7c), "UPSFirmwareVersion" }, { MGE(0x92), "TLWatchdog" },
	{ PD(0x44), "TLCharging" }, { PD(0x45), "TLDischarging" },
	{ PD(0x4b), "TLNeedReplacement" }, { PD(0xd0), "TLACPresent" },
	{ 0, NULL }
};

const struct hid_usage_name hid_names_none[] = { { 0, NULL } };

static const char *
lookup(const struct hid_usage_name *t, uint32_t node)
{
	for (; t != NULL && t->name != NULL; t++)
		if (t->code == node)
			return t->name;
	return NULL;
}

const char *
hid_node_name(const struct hid_usage_name *vendor, uint32_t node, char *buf, size_t len)
{
	const char *name = lookup(vendor, node);

	if (name == NULL)
		name = lookup(generic, node);
	if (name != NULL)
		return name;
	if (HID_IS_INDEX_NODE(node))
		snprintf(buf, len, "[%u]", (unsigned)(node & 0xffff));
	else
		snprintf(buf, len, "%08x", (unsigned)node);
	return buf;
}

int
hid_path_string(const struct hid_usage_name *vendor, const struct hid_field *f,
    char *buf, size_t len)
{
	size_t at = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (unsigned i = 0; i < f->depth; i++) {
		char tmp[16];
		const char *name = hid_node_name(vendor, f->path[i], tmp, sizeof(tmp));
		int n = snprintf(buf + at, len - at, "%s%s", i ? "." : "", name);

		if (n < 0 || (size_t)n >= len - at)
			return -1;
		at += (size_t)n;
	}
	return 0;
}

const struct hid_usage_name *
hid_names_for_vendor(unsigned vendorid)
{
	switch (vendorid) {
	case 0x051d: return hid_names_apc;
	case 0x0463: return hid_names_mge;	/* MGE, Eaton */
	case 0x0d9f: return hid_names_powercom;
	case 0x09ae: return hid_names_tripplite;
	default: return hid_names_none;		/* CyberPower and others: generic names */
	}
}
