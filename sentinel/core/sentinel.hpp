#pragma once
// The sentinel's state and logic. Pure: no I/O, no clock, no randomness of its own.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/resp/value.hpp"
#include "common/util/rng.hpp"
#include "common/util/time.hpp"
#include "sentinel/config/config.hpp"
#include "sentinel/core/actions.hpp"
#include "sentinel/core/instance.hpp"
#include "sentinel/core/logger.hpp"

namespace sentinel::core {

/// Read-only facts about the hosting process that replies need (INFO, SENTINEL DEBUG...).
struct ProcessFacts {
    int running_scripts = 0;
    int queued_scripts = 0;
};

/// Services the core needs from its host for the few checks Redis makes against the machine.
/// The default-constructed value is meant for tests and simulations only: its predicate
/// accepts every path. The runtime must install real implementations.
struct CoreServices {
    /// True when `path` names something this process may execute: redis-sentinel's
    /// `access(path, X_OK) == 0`, with relative paths taken from the current directory.
    /// SENTINEL SET asks it for non-empty notification-script / client-reconfig-script values.
    std::function<bool(const std::string& path)> script_is_executable = [](const std::string&) {
        return true;
    };
};

/// The SENTINEL DEBUG timing knobs (milliseconds), with Redis's defaults. Changing them at
/// run time is how tests speed sentinels up; they are never persisted.
struct Timing {
    std::int64_t info_period = 10000;
    std::int64_t ping_period = 1000;
    std::int64_t ask_period = 1000;
    std::int64_t publish_period = 2000;
    std::int64_t default_down_after = 30000;         ///< for masters added by SENTINEL MONITOR
    std::int64_t default_failover_timeout = 180000;  ///< likewise
    std::int64_t tilt_trigger = 2000;
    std::int64_t tilt_period = 30000;
    std::int64_t slave_reconf_timeout = 10000;
    std::int64_t min_link_reconnect_period = 15000;
    std::int64_t election_timeout = 10000;
    std::int64_t script_max_runtime = 60000;
    std::int64_t script_retry_delay = 30000;
    friend bool operator==(const Timing&, const Timing&) = default;
};

/// SENTINEL SIMULATE-FAILURE flags (SENTINEL_SIMFAILURE_*), also shown by INFO as
/// sentinel_simulate_failure_flags. The failover code exits with status 99 at these points.
enum SimulatedFailure : std::uint32_t {
    kSimFailureCrashAfterElection = 1u << 0,
    kSimFailureCrashAfterPromotion = 1u << 1,
};

/// One sentinel: its masters, their replicas and peers, global sentinel options and epochs.
class Sentinel {
  public:
    /// Builds the state from a loaded configuration. A missing myid is generated from `rng`.
    /// `services` answers questions about the machine (see CoreServices).
    Sentinel(const config::Config& cfg, Rng rng, Logger& log, const Now& now,
             CoreServices services = {});

    /// Emits start-up events (`+monitor` per master) and asks for a persist when the myid was
    /// generated, as redis-sentinel does on its first start.
    void start(const Now& now, Outbox& out);

    /// Runs one `SENTINEL ...` command (args[0] is "SENTINEL" in any case).
    resp::Value command(const Now& now, const std::vector<std::string>& args, Outbox& out);

    /// The "# Sentinel" section of INFO, lines ending in CRLF, header included.
    std::string info_section(const ProcessFacts& facts) const;

    /// Names of the monitored masters, for ROLE.
    std::vector<std::string> master_names() const;

    /// The configuration as it should be persisted now (options, epochs, known instances).
    /// `server` is carried over from the configuration given at construction.
    config::Config snapshot() const;

    const std::string& myid() const { return globals_.myid; }
    const config::SentinelConfig& globals() const { return globals_; }
    const std::vector<Master>& masters() const { return masters_; }
    bool myid_generated() const { return myid_generated_; }
    /// Current SENTINEL DEBUG knobs.
    const Timing& timing() const { return timing_; }
    /// SimulatedFailure bits set by the last SENTINEL SIMULATE-FAILURE.
    std::uint32_t simulated_failures() const { return simulated_failures_; }

  private:
    Master* find_master(std::string_view name);
    resp::Value reply_master(const Now& now, const Master& m) const;
    resp::Value reply_replica(const Now& now, const Master& m, const Replica& r) const;
    resp::Value reply_sentinel(const Now& now, const PeerSentinel& s,
                               std::int64_t down_after_ms) const;
    resp::Value config_command(const std::vector<std::string>& args, Outbox& out);
    resp::Value config_get(std::string_view pattern) const;
    resp::Value config_set(std::string_view param, std::string_view value, Outbox& out);

    // Administrative SENTINEL subcommands (admin_commands.cpp).
    resp::Value monitor_command(const Now& now, const std::vector<std::string>& args, Outbox& out);
    resp::Value remove_command(const std::vector<std::string>& args, Outbox& out);
    resp::Value set_command(const std::vector<std::string>& args, Outbox& out);
    resp::Value debug_command(const std::vector<std::string>& args);
    resp::Value simulate_failure_command(const std::vector<std::string>& args);
    resp::Value failover_command(const std::vector<std::string>& args);
    /// "master <name> <ip> <port>": the %@ of sentinelEvent for a master.
    static std::string master_details(const Master& m);

    config::ServerConfig server_;
    config::SentinelConfig globals_;
    std::vector<Master> masters_;
    Rng rng_;
    Logger& log_;
    bool myid_generated_ = false;
    CoreServices services_;
    Timing timing_;
    std::uint32_t simulated_failures_ = 0;
};

}  // namespace sentinel::core
