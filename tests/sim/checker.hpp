#pragma once
// Invariants checked while a simulation runs (safety, after every step) and at its end
// (liveness), in the manner of FoundationDB's and TigerBeetle's simulators.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/sim/failover_audit.hpp"
#include "tests/sim/sentinel_node.hpp"
#include "tests/sim/world.hpp"

namespace sentinel::sim {

/// Collects invariant violations. Install with attach(); it never stops the run itself: the
/// caller decides (sentinel-sim exits non-zero, stories CHECK ok()).
class Checker {
  public:
    Checker();
    Checker(const Checker&) = delete;
    Checker& operator=(const Checker&) = delete;

    /// Hooks after_step() into `world`; events of every sentinel are then audited after each
    /// step of any of them (a sentinel that exits mid-step is audited before it restarts).
    void attach(World& world);

    /// Safety, after every step of `node`:
    /// - current_epoch never decreases for a sentinel, across restarts too, and is on disk
    ///   whenever it is in memory (epochs are persisted before they are acted on); the disk's
    ///   current_epoch and each master's leader-epoch never decrease either;
    /// - the core never sends on a link id it never opened;
    /// - no forbidden event was emitted;
    /// - one address per config epoch: every sentinel that holds config epoch E (> 0) for a
    ///   master names the same address for it (current_master_address), now and later; with
    ///   check_persisted_addresses() the address written to disk with E counts too;
    /// - the failover rules of FailoverAudit (votes, ODOWN, leaders, promotions).
    void after_step(const SentinelNode& node);

    /// Also holds the persisted (`sentinel monitor` address, config-epoch) pairs to the one
    /// address per config epoch rule (on by default), so a restart cannot contradict peers.
    void check_persisted_addresses(bool on) { check_persisted_addresses_ = on; }

    /// Makes any event of `type` (e.g. "+odown" in a run whose master never fails) a violation.
    void forbid_event(std::string type) { forbidden_.push_back(std::move(type)); }
    /// Lifts every forbid_event().
    void allow_all_events() { forbidden_.clear(); }

    /// Liveness at the end of a run: every sentinel that is up monitors `master_name` and
    /// knows `replicas` replicas and `peers` other sentinels.
    void check_discovery(const World& world, const std::string& master_name, std::size_t replicas,
                         std::size_t peers);

    /// Records a violation found by the caller (liveness checks of sentinel-sim).
    void fail(std::string what);

    bool ok() const { return violations_.empty(); }
    const std::vector<std::string>& violations() const { return violations_; }
    /// Steps checked so far.
    std::uint64_t steps() const { return steps_; }
    const FailoverAudit& audit() const { return audit_; }

  private:
    void check_epochs(const SentinelNode& node, const std::string& who);
    void check_config_epochs(const SentinelNode& node, const std::string& who);
    void note_config(const std::string& master, std::uint64_t epoch, const std::string& address,
                     const std::string& where);
    void audit_events(const SentinelNode& node);

    const World* world_ = nullptr;
    FailoverAudit audit_;
    std::map<std::size_t, std::uint64_t> max_epoch_;
    std::map<std::size_t, std::uint64_t> max_disk_epoch_;
    /// (sentinel, master) -> highest leader-epoch seen on disk.
    std::map<std::pair<std::size_t, std::string>, std::uint64_t> max_disk_leader_epoch_;
    /// (master, config epoch) -> (address, who first named it), and the pairs reported.
    std::map<std::pair<std::string, std::uint64_t>, std::pair<std::string, std::string>>
        config_addresses_;
    std::set<std::pair<std::string, std::uint64_t>> config_reported_;
    bool check_persisted_addresses_ = true;
    std::map<std::size_t, std::uint64_t> unopened_reported_;
    std::map<std::size_t, std::size_t> events_seen_;
    std::vector<std::string> forbidden_;
    std::vector<std::string> violations_;
    std::uint64_t steps_ = 0;
};

}  // namespace sentinel::sim
