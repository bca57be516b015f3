#pragma once
// Every string that crosses the wire and must match redis-sentinel byte for byte lives here.

#include <string_view>

namespace sentinel::wire {

// Generic errors (replies carry the code prefix, the writer adds the leading '-').
inline constexpr std::string_view kErrNoSuchMaster = "ERR No such master with that name";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrSaveFailed = "ERR Failed to save config file. Check server logs.";
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

}  // namespace sentinel::wire
