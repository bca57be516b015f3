#pragma once
// Invariants checked while a simulation runs (safety, after every step) and at its end
// (liveness), in the manner of FoundationDB's and TigerBeetle's simulators.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/sim/sentinel_node.hpp"
#include "tests/sim/world.hpp"

namespace sentinel::sim {

/// Collects invariant violations. Install with attach(); it never stops the run itself: the
/// caller decides (sentinel-sim exits non-zero, stories CHECK ok()).
class Checker {
  public:
    /// Hooks after_step() into `world`.
    void attach(World& world);

    /// Safety, after every step of `node`:
    /// - current_epoch never decreases for a sentinel, across restarts too (epochs are
    ///   persisted before they are acted on);
    /// - the core never sends on a link id it never opened;
    /// - no forbidden event was emitted.
    void after_step(const SentinelNode& node);

    /// Makes any event of `type` (e.g. "+odown" in a run whose master never fails) a violation.
    void forbid_event(std::string type) { forbidden_.push_back(std::move(type)); }

    /// Liveness at the end of a run: every sentinel that is up monitors `master_name` and
    /// knows `replicas` replicas and `peers` other sentinels.
    void check_discovery(const World& world, const std::string& master_name, std::size_t replicas,
                         std::size_t peers);

    bool ok() const { return violations_.empty(); }
    const std::vector<std::string>& violations() const { return violations_; }
    /// Steps checked so far.
    std::uint64_t steps() const { return steps_; }

  private:
    void fail(std::string what);

    std::map<std::size_t, std::uint64_t> max_epoch_;
    std::map<std::size_t, std::uint64_t> unopened_reported_;
    std::map<std::size_t, std::size_t> events_seen_;
    std::vector<std::string> forbidden_;
    std::vector<std::string> violations_;
    std::uint64_t steps_ = 0;
};

}  // namespace sentinel::sim
