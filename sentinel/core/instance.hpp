#pragma once
// Runtime records for the three kinds of monitored instance: masters, replicas and peer sentinels.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/util/time.hpp"
#include "sentinel/config/config.hpp"

namespace sentinel::core {

/// Instance flags (SRI_* in sentinel.c). Printed in this bit order by SENTINEL MASTER(S).
enum Flag : std::uint32_t {
    kFlagSDown = 1u << 0,
    kFlagODown = 1u << 1,
    kFlagMaster = 1u << 2,
    kFlagSlave = 1u << 3,
    kFlagSentinel = 1u << 4,
    kFlagDisconnected = 1u << 5,
    kFlagMasterDown = 1u << 6,
    kFlagFailoverInProgress = 1u << 7,
    kFlagPromoted = 1u << 8,
    kFlagReconfSent = 1u << 9,
    kFlagReconfInprog = 1u << 10,
    kFlagReconfDone = 1u << 11,
    kFlagForceFailover = 1u << 12,
    kFlagScriptKillSent = 1u << 13,
    kFlagMasterReboot = 1u << 14,  ///< tracked but never printed by 7.0
};

/// The failover state machine's states, named as SENTINEL MASTER prints them.
enum class FailoverState {
    none,
    wait_start,
    select_slave,
    send_slaveof_noone,
    wait_promotion,
    reconf_slaves,
    update_config,
};

/// Health bookkeeping of the link(s) to one instance. Times are monotonic.
struct LinkState {
    bool disconnected = true;
    int pending_commands = 0;
    int refcount = 1;
    std::optional<Millis> act_ping_time;  ///< oldest PING still unanswered
    Millis last_avail_time{0};            ///< last valid PING reply
    Millis last_pong_time{0};             ///< last reply of any kind
};

/// Fields shared by every instance kind.
struct InstanceState {
    std::uint32_t flags = 0;
    std::string host;
    int port = 0;
    std::string run_id;  ///< empty until known
    LinkState link;
    Millis created{0};
    std::optional<Millis> s_down_since;
    std::optional<Millis> o_down_since;
    // Masters and replicas, from INFO.
    std::optional<Millis> info_refresh;  ///< when INFO last parsed
    bool role_reported_master = true;
    Millis role_reported_time{0};
};

/// A replica of a monitored master.
struct Replica {
    InstanceState inst;
    std::int64_t master_link_down_time_ms = 0;
    bool master_link_ok = false;
    std::string master_host;  ///< empty = unknown ('?')
    int master_port = 0;
    int slave_priority = 100;
    std::uint64_t slave_repl_offset = 0;
    bool replica_announced = true;

    /// "ip:port", or "[ip]:port" for IPv6, as Redis names replicas.
    std::string name() const;
};

/// Another sentinel monitoring the same master.
struct PeerSentinel {
    InstanceState inst;
    std::optional<Millis> last_hello_time;
    std::string leader;  ///< voted leader run id; empty = none ('?')
    std::uint64_t leader_epoch = 0;
};

/// A monitored master with everything attached to it.
struct Master {
    config::MasterConfig cfg;  ///< name, address, options and persisted epochs
    InstanceState inst;
    FailoverState failover_state = FailoverState::none;
    std::vector<Replica> replicas;
    std::vector<PeerSentinel> sentinels;
};

/// A just-created instance (createSentinelRedisInstance): `flags` plus disconnected, at
/// `host`:`port`, with link timers starting at `now`.
InstanceState fresh_instance(std::uint32_t flags, std::string host, int port, const Now& now);

/// Flag tokens joined by ',' in Redis's order (e.g. "master,disconnected").
std::string format_flags(std::uint32_t flags);

/// "wait_start", "select_slave", ...
std::string_view failover_state_name(FailoverState s);

}  // namespace sentinel::core
