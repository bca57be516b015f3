#pragma once
// Shared pieces of the doctest stories: a monitored group with the checker attached, and
// queries over the sentinels' events.

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/checker.hpp"
#include "tests/sim/convergence.hpp"
#include "tests/sim/topology.hpp"
#include "tests/sim/world.hpp"

namespace sentinel::sim::story {

inline bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

inline WorldOptions options(std::uint64_t seed, Millis latency = Millis(1),
                            Millis jitter = Millis(1)) {
    WorldOptions o;
    o.seed = seed;
    o.net.latency = latency;
    o.net.jitter = jitter;
    return o;
}

/// One monitored group with the checker attached.
struct Group {
    explicit Group(std::uint64_t seed, TopologyOptions topology = {}) : world(options(seed)) {
        checker.attach(world);
        topo = build_topology(world, topology);
    }

    SentinelNode& s(std::size_t i) { return world.sentinel(topo.sentinels.at(i)); }
    FakeRedis& replica(std::size_t i) { return world.redis(topo.replicas.at(i)); }
    FakeRedis& master() { return world.redis(topo.master); }

    /// Every sentinel that is up knows every replica and every peer.
    bool discovered() {
        for (std::size_t i = 0; i < topo.sentinels.size(); ++i) {
            if (!s(i).up()) {
                continue;
            }
            const auto& masters = s(i).core().masters();
            if (masters.empty() || masters[0].replicas.size() != topo.replicas.size() ||
                masters[0].sentinels.size() != topo.sentinels.size() - 1) {
                return false;
            }
        }
        return true;
    }

    /// convergence_gap() is empty: sentinels and servers agree on one master.
    bool settled() const { return convergence_gap(world, topo).empty(); }
    std::string gap() const { return convergence_gap(world, topo); }

    /// Events of `type` (and `text`, when not empty) over every sentinel.
    std::size_t total(std::string_view type, std::string_view text = {}) const {
        std::size_t n = 0;
        for (std::size_t i = 0; i < world.sentinel_count(); ++i) {
            n += world.count_events(i, type, text);
        }
        return n;
    }

    /// Indexes of the sentinels that published at least one event of `type`.
    std::vector<std::size_t> sentinels_with(std::string_view type) const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < world.sentinel_count(); ++i) {
            if (world.count_events(i, type) != 0) {
                out.push_back(i);
            }
        }
        return out;
    }

    /// "type text" of sentinel i's events of the given types, from `since` on.
    std::vector<std::string> lines(std::size_t i, const std::set<std::string>& types,
                                   Millis since = Millis(0)) const {
        std::vector<std::string> out;
        for (const auto& e : world.sentinel(i).events()) {
            if (e.time >= since && types.count(e.type) != 0) {
                out.push_back(e.line());
            }
        }
        return out;
    }

    World world;
    Checker checker;
    Topology topo;
};

}  // namespace sentinel::sim::story
