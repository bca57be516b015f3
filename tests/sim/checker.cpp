#include "tests/sim/checker.hpp"

namespace sentinel::sim {

Checker::Checker() : audit_([this](std::string what) { fail(std::move(what)); }) {}

void Checker::attach(World& world) {
    world_ = &world;
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
    check_epochs(node, who);
    check_config_epochs(node, who);
    std::uint64_t& reported = unopened_reported_[node.index()];
    if (node.sends_on_unopened_links() > reported) {
        reported = node.sends_on_unopened_links();
        fail(who + "sent on a link id it never opened (" +
             std::to_string(node.sends_on_unopened_links()) + " times)");
    }
    if (world_ == nullptr) {
        audit_events(node);
        return;
    }
    for (std::size_t i = 0; i < world_->sentinel_count(); ++i) {
        audit_events(world_->sentinel(i));
    }
}

void Checker::check_epochs(const SentinelNode& node, const std::string& who) {
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
    const config::Config& disk = node.disk();
    std::uint64_t& disk_max = max_disk_epoch_[node.index()];
    if (disk.sentinel.current_epoch < disk_max) {
        fail(who + "current_epoch on disk went back from " + std::to_string(disk_max) + " to " +
             std::to_string(disk.sentinel.current_epoch));
    }
    disk_max = std::max(disk_max, disk.sentinel.current_epoch);
    // A failing disk is the one excuse for memory being ahead of it (the core then refuses
    // what depends on the write).
    if (!node.persist_fails() && disk.sentinel.current_epoch < epoch) {
        fail(who + "current_epoch " + std::to_string(epoch) + " in memory but " +
             std::to_string(disk.sentinel.current_epoch) + " on disk after the step");
    }
    for (const auto& m : disk.masters) {
        std::uint64_t& seen = max_disk_leader_epoch_[{node.index(), m.name}];
        if (m.leader_epoch < seen) {
            fail(who + "leader-epoch of " + m.name + " on disk went back from " +
                 std::to_string(seen) + " to " + std::to_string(m.leader_epoch));
        }
        seen = std::max(seen, m.leader_epoch);
    }
    for (const auto& m : node.core().masters()) {
        for (const auto& d : disk.masters) {
            if (d.name == m.cfg.name && !node.persist_fails() &&
                d.leader_epoch < m.cfg.leader_epoch) {
                fail(who + "leader-epoch " + std::to_string(m.cfg.leader_epoch) + " of " +
                     m.cfg.name + " in memory but " + std::to_string(d.leader_epoch) +
                     " on disk after the step");
            }
        }
    }
}

void Checker::check_config_epochs(const SentinelNode& node, const std::string& who) {
    for (const auto& m : node.core().masters()) {
        if (m.cfg.config_epoch != 0) {
            const auto [host, port] = node.core().current_master_address(m);
            note_config(m.cfg.name, m.cfg.config_epoch, host + ":" + std::to_string(port),
                        who + "in memory");
        }
    }
    if (!check_persisted_addresses_) {
        return;
    }
    for (const auto& d : node.disk().masters) {
        if (d.config_epoch != 0) {
            note_config(d.name, d.config_epoch, d.host + ":" + std::to_string(d.port),
                        who + "on disk");
        }
    }
}

void Checker::note_config(const std::string& master, std::uint64_t epoch,
                          const std::string& address, const std::string& where) {
    const auto key = std::pair{master, epoch};
    auto [it, fresh] = config_addresses_.emplace(key, std::pair{address, where});
    if (!fresh && it->second.first != address && config_reported_.insert(key).second) {
        fail(where + ": config epoch " + std::to_string(epoch) + " of " + master + " names " +
             address + ", but " + it->second.second + " it named " + it->second.first);
    }
}

void Checker::audit_events(const SentinelNode& node) {
    std::size_t& seen = events_seen_[node.index()];
    const auto& events = node.events();
    for (; seen < events.size(); ++seen) {
        const EventRecord& e = events[seen];
        for (const auto& type : forbidden_) {
            if (e.type == type) {
                fail("t=" + std::to_string(to_ms(e.time)) + "ms sentinel " +
                     std::to_string(node.index()) + ": forbidden event: " + e.line());
            }
        }
        audit_.observe(node, e);
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
