#pragma once
// One randomized run, drawn from a seed: topology, timing, network, faults, then healing and
// the liveness checks. sentinel-sim is a command line around it; stories replay seeds with it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tests/sim/fault_plan.hpp"
#include "tests/sim/network.hpp"
#include "tests/sim/sentinel_node.hpp"
#include "tests/sim/topology.hpp"

namespace sentinel::sim {

/// calm: the master is never harmed and no failover may happen (FaultOptions::protect_master).
/// chaos: anything may fail, the master included; failovers are expected and audited.
enum class RunMode { calm, chaos };

std::string_view run_mode_name(RunMode mode);

/// Everything a run is made of. draw_run() makes one from a seed.
struct RunSpec {
    std::uint64_t seed = 1;
    RunMode mode = RunMode::chaos;
    TopologyOptions topology;
    NetConfig net;
    /// Fault times, heal_at too, count from the moment the group first settled (discovery).
    FaultOptions faults;
    Millis heal_at{0};            ///< every fault is over and everything restarted by then
    Millis settle_limit{300000};  ///< the group must settle within this after heal_at
    Millis stable_for{60000};     ///< and then stay settled, with nothing failing, this long
};

/// What the command line may pin instead of drawing it.
struct RunOverrides {
    std::optional<std::size_t> sentinels;
    std::optional<std::size_t> replicas;
    std::optional<std::size_t> steps;
    std::optional<RunMode> mode;
};

/// Draws a run from `seed`: 3, 5 or 7 sentinels (quorum a majority), 2 to 4 replicas,
/// down-after 1000-5000 ms, failover-timeout 10000-30000 ms, network latency and jitter, a
/// mode (one run in four is calm), 4 to 12 faults between 2 s and 60 s after discovery. Overrides
/// replace single draws without shifting the others, so `--sentinels` changes nothing else.
RunSpec draw_run(std::uint64_t seed, const RunOverrides& overrides = {});

/// The outcome of run().
struct RunResult {
    std::vector<std::string> violations;  ///< safety, liveness and budget failures
    std::vector<FaultRecord> faults;
    std::optional<Millis> settled_at;
    Millis end{0};
    std::size_t elections = 0;   ///< (master, epoch) pairs with an elected leader
    std::size_t promotions = 0;  ///< (master, epoch) pairs with a promoted replica
    std::size_t switches = 0;    ///< +switch-master events over all sentinels
    std::string summary;         ///< human-readable, multi-line
    bool ok() const { return violations.empty(); }
};

/// Hooks for watching a run as it happens (sentinel-sim --verbose).
struct RunWatch {
    std::function<void(const SentinelNode&, const EventRecord&)> on_event;
    std::function<void(const FaultRecord&)> on_fault;
};

/// Runs `spec`: faults, heal_all() at heal_at, then until the group settles (convergence_gap
/// empty) or settle_limit passes, then stable_for more during which nothing may go down, fail
/// over or switch. The Checker runs after every step throughout.
RunResult run(const RunSpec& spec, const RunWatch& watch = {});

/// "sentinel-sim --seed N [overrides]": the command line that replays a run.
std::string replay_command(std::uint64_t seed, const RunOverrides& overrides);

}  // namespace sentinel::sim
