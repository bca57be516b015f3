#pragma once
// Seeded fault injection for randomized runs: which faults happen, to whom, when, how long.

#include <cstdint>
#include <functional>
#include <optional>
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
    std::size_t steps = 8;      ///< faults drawn
    Millis window_start{5000};  ///< first possible fault
    Millis window_end{30000};   ///< last possible fault start
    Millis max_outage{8000};    ///< crash / partition / stall / slowness durations are below this
    /// The no-failover rule (see FaultPlan): no quorum of sentinels may lose sight of the
    /// master. When set, master_crashes, master_isolation and splits are ignored and pauses and
    /// slowness only hit replicas and the minority of sentinels.
    bool protect_master = true;
    bool connection_resets = true;   ///< RST on a random established connection
    bool replica_crashes = true;     ///< crash a replica, restart it later
    bool sentinel_crashes = true;    ///< crash a sentinel, restart it from its disk later
    bool sentinel_isolation = true;  ///< cut one sentinel off from everyone, then heal
    bool stalls = true;              ///< hold a random connection's traffic for a while
    bool master_crashes = false;     ///< crash the current master; it restarts as a master
    bool master_isolation = false;   ///< cut the current master off from everyone
    bool splits = false;             ///< two-sided partition of every process, drawn at random
    bool pauses = false;             ///< hold everything delivered to one process
    bool slow_nodes = false;         ///< extra latency to and from one process
    bool clock_jumps = false;        ///< move one sentinel's wall clock (TILT)
};

/// One fault as it actually happened (faults whose target was already down are skipped).
struct FaultRecord {
    Millis time{0};
    std::string what;
};

/// Draws faults from a seed and schedules them on the world's queue. The plan's Rng is its
/// own, so the same seed gives the same faults whatever the processes draw.
///
/// With protect_master (the calm runs, which expect no failover) no quorum of sentinels may
/// ever lose sight of the master: the master itself is never harmed, and only a minority of
/// sentinels (quorum - 1 of them, drawn from the seed) may be isolated, paused, slowed or have
/// their connections to the master reset or stalled. The others may still crash and restart,
/// which restarts their timers. (Without this rule two sentinels cut off for longer than
/// down-after agree, right after the heal, that the master is down, and Redis would rightly
/// start a failover.)
///
/// Without it anything goes: "the master" is whichever server is a master when the fault
/// fires, so later faults follow a failover; a crashed master restarts with the role it had
/// (its old `replicaof`-less config), which the sentinels must then demote.
class FaultPlan {
  public:
    FaultPlan(World& world, const Topology& topology, std::uint64_t seed, FaultOptions options);

    /// Heals partitions, releases stalls and pauses, ends slowness and restarts whatever is
    /// down (end of the fault phase; liveness is judged after it).
    void heal_all();

    const std::vector<FaultRecord>& log() const { return log_; }
    /// Called for every fault as it fires (sentinel-sim --verbose prints them in line).
    std::function<void(const FaultRecord&)> on_record;

  private:
    enum class Fault {
        reset,
        stall,
        crash_replica,
        crash_sentinel,
        isolate_sentinel,
        crash_master,
        isolate_master,
        split,
        pause,
        slow,
        clock_jump,
    };
    /// The draws of one fault, all made at plan time.
    struct Draw {
        Fault kind = Fault::reset;
        Millis at{0};
        Millis outage{0};
        std::uint64_t pick = 0;  ///< chooses the target among those eligible when it fires
    };

    void schedule_one();
    std::vector<Fault> kinds() const;
    void fire(const Draw& d);
    void record(std::string what);
    /// Established connections a reset or stall may hit (none between the master and a
    /// sentinel outside the minority when the master is protected).
    std::vector<ConnId> eligible_connections() const;
    /// Processes a pause or slowness may hit.
    std::vector<NodeId> eligible_processes() const;
    /// World::redis index of the first server that is up and a master, if any.
    std::optional<std::size_t> current_master() const;
    std::string process_name(NodeId node) const;

    void crash_redis(std::size_t r, Millis outage, const std::string& role);
    void crash_sentinel(std::size_t s, Millis outage);
    void partition(const std::vector<NodeId>& a, const std::vector<NodeId>& b, Millis outage,
                   std::string what);
    void split(std::uint64_t pick, Millis outage);

    World& world_;
    Topology topology_;
    Rng rng_;
    FaultOptions options_;
    std::vector<std::size_t> minority_;  ///< World::sentinel indexes that may lose the master
    std::vector<FaultRecord> log_;
    std::set<ConnId> stalled_;
    std::set<NodeId> paused_;
    std::set<NodeId> slowed_;
};

}  // namespace sentinel::sim
