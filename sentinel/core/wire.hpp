#pragma once
// Every string that crosses the wire and must match redis-sentinel byte for byte lives here.

#include <string_view>

namespace sentinel::wire {

// Generic errors (replies carry the code prefix, the writer adds the leading '-').
inline constexpr std::string_view kErrNoSuchMaster = "ERR No such master with that name";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrSaveFailed =
    "ERR Failed to save config file. Check server logs.";
inline constexpr std::string_view kErrNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kErrWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kErrAuthNoPassword =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
inline constexpr std::string_view kErrOnlyHello =
    "ERR Only HELLO messages are accepted by Sentinel instances.";
inline constexpr std::string_view kErrConfigUsage =
    "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.";
inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrNotImplemented =
    "ERR This SENTINEL subcommand is not implemented yet by this sentinel";

// SENTINEL MONITOR, in the order Redis checks.
inline constexpr std::string_view kErrInvalidQuorum = "ERR Invalid quorum";
inline constexpr std::string_view kErrInvalidPort = "ERR Invalid port";
inline constexpr std::string_view kErrQuorumTooSmall = "ERR Quorum must be 1 or greater.";
inline constexpr std::string_view kErrInvalidAddress =
    "ERR Invalid IP address or hostname specified";
inline constexpr std::string_view kErrInvalidPortNumber = "ERR Invalid port number.";
inline constexpr std::string_view kErrDuplicateMaster = "ERR Duplicate master name.";

// SENTINEL SET (the two formatted texts are built where used: "Unknown option or number of
// arguments for SENTINEL SET '<opt>'", "Invalid argument '<v>' for SENTINEL SET '<opt>'";
// SENTINEL DEBUG uses the same texts with DEBUG).
inline constexpr std::string_view kErrScriptsReconfigDenied =
    "ERR Reconfiguration of scripts path is denied for security reasons. Check the "
    "deny-scripts-reconfig configuration directive in your Sentinel configuration";
inline constexpr std::string_view kErrNotificationScript =
    "ERR Notification script seems non existing or non executable";
inline constexpr std::string_view kErrClientReconfigScript =
    "ERR Client reconfiguration script seems non existing or non executable";
/// What +set shows instead of an auth-pass value.
inline constexpr std::string_view kRedacted = "******";

// SENTINEL SIMULATE-FAILURE.
inline constexpr std::string_view kErrUnknownSimulation =
    "ERR Unknown failure simulation specified";
inline constexpr std::string_view kSimCrashAfterElection = "crash-after-election";
inline constexpr std::string_view kSimCrashAfterPromotion = "crash-after-promotion";

// SENTINEL FAILOVER.
inline constexpr std::string_view kErrFailoverInProgress = "INPROG Failover already in progress";
inline constexpr std::string_view kErrNoGoodSlave = "NOGOODSLAVE No suitable replica to promote";

// Hello channel.
inline constexpr std::string_view kHelloChannel = "__sentinel__:hello";

// Flag tokens in SENTINEL MASTER(S)/REPLICAS/SENTINELS, in Redis's print order.
inline constexpr std::string_view kFlagSDown = "s_down";
inline constexpr std::string_view kFlagODown = "o_down";
inline constexpr std::string_view kFlagMaster = "master";
inline constexpr std::string_view kFlagSlave = "slave";
inline constexpr std::string_view kFlagSentinel = "sentinel";
inline constexpr std::string_view kFlagDisconnected = "disconnected";
inline constexpr std::string_view kFlagMasterDown = "master_down";
inline constexpr std::string_view kFlagFailoverInProgress = "failover_in_progress";
inline constexpr std::string_view kFlagPromoted = "promoted";
inline constexpr std::string_view kFlagReconfSent = "reconf_sent";
inline constexpr std::string_view kFlagReconfInprog = "reconf_inprog";
inline constexpr std::string_view kFlagReconfDone = "reconf_done";
inline constexpr std::string_view kFlagForceFailover = "force_failover";
inline constexpr std::string_view kFlagScriptKillSent = "script_kill_sent";

// Events (pub/sub channel names).
inline constexpr std::string_view kEventMonitor = "+monitor";
inline constexpr std::string_view kEventRemove = "-monitor";
inline constexpr std::string_view kEventSet = "+set";

}  // namespace sentinel::wire
