#pragma once
// Failover safety read from the sentinels' published events: votes, ODOWN, elections and
// promotions are only visible from outside a sentinel through its event stream, so that is
// what the audit follows, across restarts.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "tests/sim/sentinel_node.hpp"

namespace sentinel::sim {

/// Checks, event by event:
/// - one vote per sentinel per epoch (`+vote-for-leader <runid> <epoch>`), over every boot,
///   and the vote is on disk when it is announced;
/// - every `+try-failover` follows the sentinel's `+odown` for that master in the same boot
///   (with no `-odown` or switch in between), unless it answers a SENTINEL FAILOVER run
///   through SentinelNode::command; its epoch is the `+new-epoch` just before it;
/// - at most one `+elected-leader` per (master, epoch) over all sentinels, and an automatic
///   election is backed by `+vote-for-leader` events for the leader in the epoch of its
///   attempt from a majority of the sentinels it knows and at least quorum of them;
/// - at most one `+promoted-slave` per (master, epoch), by that epoch's leader, persisted as
///   the master's config epoch.
///
/// Votes and `+new-epoch` do not name their master; the simulated groups have one master, so
/// votes are kept per (sentinel, epoch). With several masters a sentinel may legitimately vote
/// once per master in the same epoch, and this audit would need the master in the event.
class FailoverAudit {
  public:
    using Report = std::function<void(std::string)>;
    explicit FailoverAudit(Report report) : report_(std::move(report)) {}

    /// Feeds the next event of `node` (each sentinel's events in the order it published them).
    void observe(const SentinelNode& node, const EventRecord& e);

    /// Elections and promotions seen so far (for summaries).
    std::size_t elections() const { return leaders_.size(); }
    std::size_t promotions() const { return promotions_.size(); }

  private:
    /// One failover attempt of one sentinel, from its +try-failover.
    struct Attempt {
        std::uint64_t epoch = 0;
        bool manual = false;
        bool elected = false;
    };
    /// What one sentinel process knows; reset when a new boot shows up.
    struct Process {
        int boot = -1;
        std::map<std::string, bool> odown;  ///< master name -> in ODOWN
        std::map<std::string, Attempt> attempts;
        std::optional<std::uint64_t> last_new_epoch;
        std::string previous_type;  ///< type of the previous event in this boot
    };

    void on_try_failover(const SentinelNode& node, Process& p, const std::string& master,
                         const std::string& who);
    void on_vote(const SentinelNode& node, const EventRecord& e, const std::string& who);
    void on_elected(const SentinelNode& node, Process& p, const std::string& master,
                    const std::string& who);
    void on_promoted(const SentinelNode& node, Process& p, const EventRecord& e,
                     const std::string& master, const std::string& who);

    Report report_;
    std::map<std::size_t, Process> processes_;
    std::map<std::size_t, int> manual_used_;  ///< SENTINEL FAILOVERs already matched
    /// (sentinel, epoch) -> run id voted for.
    std::map<std::pair<std::size_t, std::uint64_t>, std::string> votes_;
    /// (master, epoch) -> leader sentinel.
    std::map<std::pair<std::string, std::uint64_t>, std::size_t> leaders_;
    /// (master, epoch) -> (sentinel, promoted replica "ip:port").
    std::map<std::pair<std::string, std::uint64_t>, std::pair<std::size_t, std::string>>
        promotions_;
};

/// The master an event is about: the second word of "master <name> ...", the word after "@"
/// in replica and sentinel events, the first word of +switch-master; "" when the text names
/// none (+new-epoch, +vote-for-leader, TILT).
std::string event_master(const EventRecord& e);

}  // namespace sentinel::sim
