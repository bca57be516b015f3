#include "tests/sim/checker.hpp"

namespace sentinel::sim {

void Checker::attach(World& world) {
    world.after_step = [this](SentinelNode& node) { after_step(node); };
}

void Checker::fail(std::string what) {
    // A broken invariant tends to repeat on every later step; the first few say it all.
    constexpr std::size_t kMaxKept = 50;
    if (violations_.size() < kMaxKept) {
        violations_.push_back(std::move(what));
    }
}

void Checker::after_step(const SentinelNode& node) {
    ++steps_;
    const std::string who = "t=" + std::to_string(to_ms(node.now().mono)) + "ms sentinel " +
                            std::to_string(node.index()) + ": ";
    const std::uint64_t epoch = node.core().globals().current_epoch;
    auto [it, fresh] = max_epoch_.emplace(node.index(), epoch);
    if (!fresh) {
        if (epoch < it->second) {
            fail(who + "current_epoch went back from " + std::to_string(it->second) + " to " +
                 std::to_string(epoch));
        } else {
            it->second = epoch;
        }
    }
    std::uint64_t& reported = unopened_reported_[node.index()];
    if (node.sends_on_unopened_links() > reported) {
        reported = node.sends_on_unopened_links();
        fail(who + "sent on a link id it never opened (" +
             std::to_string(node.sends_on_unopened_links()) + " times)");
    }
    std::size_t& seen = events_seen_[node.index()];
    const auto& events = node.events();
    for (; seen < events.size(); ++seen) {
        for (const auto& type : forbidden_) {
            if (events[seen].type == type) {
                fail(who + "forbidden event: " + events[seen].line());
            }
        }
    }
}

void Checker::check_discovery(const World& world, const std::string& master_name,
                              std::size_t replicas, std::size_t peers) {
    for (std::size_t i = 0; i < world.sentinel_count(); ++i) {
        const SentinelNode& node = world.sentinel(i);
        if (!node.up()) {
            continue;
        }
        const std::string who = "sentinel " + std::to_string(i) + ": ";
        const core::Master* found = nullptr;
        for (const auto& m : node.core().masters()) {
            if (m.cfg.name == master_name) {
                found = &m;
            }
        }
        if (found == nullptr) {
            fail(who + "does not monitor " + master_name);
            continue;
        }
        if (found->replicas.size() != replicas) {
            fail(who + "discovery incomplete: knows " + std::to_string(found->replicas.size()) +
                 " replicas of " + master_name + ", expected " + std::to_string(replicas));
        }
        if (found->sentinels.size() != peers) {
            fail(who + "discovery incomplete: knows " + std::to_string(found->sentinels.size()) +
                 " other sentinels, expected " + std::to_string(peers));
        }
    }
}

}  // namespace sentinel::sim
