#include "tests/sim/fault_plan.hpp"

#include <algorithm>

namespace sentinel::sim {
namespace {

enum class Fault { reset, crash_replica, crash_sentinel, isolate_sentinel, stall };

}  // namespace

FaultPlan::FaultPlan(World& world, const Topology& topology, std::uint64_t seed,
                     FaultOptions options)
    : world_(world), topology_(topology), rng_(seed ^ 0xfa017u), options_(options) {
    // Fisher-Yates with our own uniform(), then keep quorum - 1 of them.
    std::vector<std::size_t> order = topology_.sentinels;
    for (std::size_t i = order.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(rng_.uniform(0, static_cast<std::int64_t>(i) - 1));
        std::swap(order[i - 1], order[j]);
    }
    const std::size_t minority =
        std::min(order.size(), static_cast<std::size_t>(std::max(topology_.quorum - 1, 0)));
    minority_.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(minority));
    for (std::size_t i = 0; i < options_.steps; ++i) {
        schedule_one();
    }
}

void FaultPlan::record(std::string what) {
    log_.push_back(FaultRecord{world_.now(), std::move(what)});
}

std::vector<ConnId> FaultPlan::eligible_connections() const {
    const NodeId master = world_.redis(topology_.master).net_id();
    std::set<NodeId> protected_sentinels;
    for (const std::size_t s : topology_.sentinels) {
        if (std::find(minority_.begin(), minority_.end(), s) == minority_.end()) {
            protected_sentinels.insert(world_.sentinel(s).net_id());
        }
    }
    std::vector<ConnId> out;
    for (const ConnId c : world_.network().connections()) {
        const auto ends = world_.network().ends(c);
        if (!ends) {
            continue;
        }
        const auto [a, b] = *ends;
        const bool protected_link = (a == master && protected_sentinels.count(b) != 0) ||
                                    (b == master && protected_sentinels.count(a) != 0);
        if (!protected_link) {
            out.push_back(c);
        }
    }
    return out;
}

void FaultPlan::schedule_one() {
    std::vector<Fault> kinds;
    if (options_.connection_resets) {
        kinds.push_back(Fault::reset);
    }
    if (options_.replica_crashes && !topology_.replicas.empty()) {
        kinds.push_back(Fault::crash_replica);
    }
    if (options_.sentinel_crashes && !topology_.sentinels.empty()) {
        kinds.push_back(Fault::crash_sentinel);
    }
    if (options_.sentinel_isolation && !minority_.empty()) {
        kinds.push_back(Fault::isolate_sentinel);
    }
    if (options_.stalls) {
        kinds.push_back(Fault::stall);
    }
    if (kinds.empty()) {
        return;
    }
    // Every draw happens now, at plan time, so the plan does not depend on the run.
    const Millis at(rng_.uniform(to_ms(options_.window_start), to_ms(options_.window_end)));
    const Fault kind = kinds[static_cast<std::size_t>(
        rng_.uniform(0, static_cast<std::int64_t>(kinds.size()) - 1))];
    const Millis outage(rng_.uniform(100, to_ms(options_.max_outage) - 1));
    const std::uint64_t pick = rng_.next();
    EventQueue& q = world_.queue();

    switch (kind) {
        case Fault::reset:
            q.at(at, [this, pick] {
                const auto conns = eligible_connections();
                if (conns.empty()) {
                    return;
                }
                const ConnId c = conns[pick % conns.size()];
                record("reset connection " + std::to_string(c));
                world_.network().reset(c);
            });
            break;
        case Fault::stall:
            q.at(at, [this, pick, outage] {
                const auto conns = eligible_connections();
                if (conns.empty()) {
                    return;
                }
                const ConnId c = conns[pick % conns.size()];
                if (!stalled_.insert(c).second) {
                    return;
                }
                record("stall connection " + std::to_string(c) + " for " +
                       std::to_string(to_ms(outage)) + "ms");
                world_.network().stall(c, true);
                world_.queue().after(outage, [this, c] {
                    if (stalled_.erase(c) != 0) {
                        world_.network().stall(c, false);
                    }
                });
            });
            break;
        case Fault::crash_replica: {
            const std::size_t r = topology_.replicas[pick % topology_.replicas.size()];
            q.at(at, [this, r, outage] {
                FakeRedis& redis = world_.redis(r);
                if (!redis.up()) {
                    return;
                }
                record("crash replica " + redis.address() + " for " +
                       std::to_string(to_ms(outage)) + "ms");
                redis.crash();
                world_.queue().after(outage, [this, r] {
                    if (!world_.redis(r).up()) {
                        record("restart replica " + world_.redis(r).address());
                        world_.redis(r).restart();
                    }
                });
            });
            break;
        }
        case Fault::crash_sentinel: {
            const std::size_t s = topology_.sentinels[pick % topology_.sentinels.size()];
            q.at(at, [this, s, outage] {
                if (!world_.sentinel(s).up()) {
                    return;
                }
                record("crash sentinel " + world_.sentinel(s).address() + " for " +
                       std::to_string(to_ms(outage)) + "ms");
                world_.crash_sentinel(s);
                world_.queue().after(outage, [this, s] {
                    if (!world_.sentinel(s).up()) {
                        record("restart sentinel " + world_.sentinel(s).address());
                        world_.restart_sentinel(s);
                    }
                });
            });
            break;
        }
        case Fault::isolate_sentinel: {
            const std::size_t s = minority_[pick % minority_.size()];
            q.at(at, [this, s, outage] {
                record("isolate sentinel " + world_.sentinel(s).address() + " for " +
                       std::to_string(to_ms(outage)) + "ms");
                world_.network().isolate(world_.sentinel(s).net_id());
                world_.queue().after(outage, [this] {
                    // heal() lifts every partition; overlapping isolations end together.
                    record("heal partitions");
                    world_.network().heal();
                });
            });
            break;
        }
    }
}

void FaultPlan::heal_all() {
    record("heal all");
    world_.network().heal();
    for (const ConnId c : stalled_) {
        world_.network().stall(c, false);
    }
    stalled_.clear();
    for (std::size_t i = 0; i < world_.redis_count(); ++i) {
        if (!world_.redis(i).up()) {
            world_.redis(i).restart();
        }
    }
    for (std::size_t i = 0; i < world_.sentinel_count(); ++i) {
        if (!world_.sentinel(i).up()) {
            world_.restart_sentinel(i);
        }
    }
}

}  // namespace sentinel::sim
