#pragma once
// The sentinel's state and logic. Pure: no I/O, no clock, no randomness of its own.

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

/// One sentinel: its masters, their replicas and peers, global sentinel options and epochs.
class Sentinel {
public:
    /// Builds the state from a loaded configuration. A missing myid is generated from `rng`.
    Sentinel(const config::Config& cfg, Rng rng, Logger& log, const Now& now);

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

private:
    Master* find_master(std::string_view name);
    resp::Value reply_master(const Now& now, const Master& m) const;
    resp::Value reply_replica(const Now& now, const Master& m, const Replica& r) const;
    resp::Value reply_sentinel(const Now& now, const PeerSentinel& s,
                               std::int64_t down_after_ms) const;
    resp::Value config_command(const std::vector<std::string>& args, Outbox& out);
    resp::Value config_get(std::string_view pattern) const;
    resp::Value config_set(std::string_view param, std::string_view value, Outbox& out);

    config::ServerConfig server_;
    config::SentinelConfig globals_;
    std::vector<Master> masters_;
    Rng rng_;
    Logger& log_;
    bool myid_generated_ = false;
};

}  // namespace sentinel::core
