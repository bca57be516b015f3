#pragma once
// Seeded fault injection for randomized runs: which faults happen, to whom, when, how long.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/util/rng.hpp"
#include "common/util/time.hpp"
#include "tests/sim/topology.hpp"
#include "tests/sim/world.hpp"

namespace sentinel::sim {

/// What a FaultPlan may do. Every outage is shorter than `max_outage`.
struct FaultOptions {
    std::size_t steps = 8;           ///< faults drawn
    Millis window_start{5000};       ///< first possible fault
    Millis window_end{30000};        ///< last possible fault start
    Millis max_outage{8000};         ///< crash / partition / stall durations are below this
    bool connection_resets = true;   ///< RST on a random established connection
    bool replica_crashes = true;     ///< crash a replica, restart it later
    bool sentinel_crashes = true;    ///< crash a sentinel, restart it from its disk later
    bool sentinel_isolation = true;  ///< cut one sentinel off from everyone, then heal
    bool stalls = true;              ///< hold a random connection's traffic for a while
};

/// One fault as it actually happened (faults whose target was already down are skipped).
struct FaultRecord {
    Millis time{0};
    std::string what;
};

/// Draws faults from a seed and schedules them on the world's queue. The plan's Rng is its
/// own, so the same seed gives the same faults whatever the processes draw.
///
/// Runs built on this plan expect no failover, so no quorum of sentinels may ever lose sight of
/// the master: the master itself is never harmed, and only a minority of sentinels (quorum - 1
/// of them, drawn from the seed) may be isolated or have their connections to the master reset
/// or stalled. The others may still crash and restart, which restarts their timers. (Without
/// this rule two sentinels cut off for longer than down-after agree, right after the heal,
/// that the master is down, and Redis would rightly start a failover.)
class FaultPlan {
  public:
    FaultPlan(World& world, const Topology& topology, std::uint64_t seed, FaultOptions options);

    /// Heals partitions, releases stalls and restarts whatever is down (end of the fault
    /// phase; liveness is judged after it).
    void heal_all();

    const std::vector<FaultRecord>& log() const { return log_; }

  private:
    void schedule_one();
    void record(std::string what);
    /// Established connections a reset or stall may hit (none between the master and a
    /// sentinel outside the minority).
    std::vector<ConnId> eligible_connections() const;

    World& world_;
    Topology topology_;
    Rng rng_;
    FaultOptions options_;
    std::vector<std::size_t> minority_;  ///< World::sentinel indexes that may lose the master
    std::vector<FaultRecord> log_;
    std::set<ConnId> stalled_;
};

}  // namespace sentinel::sim
