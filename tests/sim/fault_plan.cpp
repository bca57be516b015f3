#include "tests/sim/fault_plan.hpp"

#include <algorithm>

namespace sentinel::sim {
namespace {

std::string ms(Millis d) {
    return std::to_string(to_ms(d)) + "ms";
}

}  // namespace

FaultPlan::FaultPlan(World& world, const Topology& topology, std::uint64_t seed,
                     FaultOptions options)
    : world_(world), topology_(topology), rng_(seed ^ 0xfa017u), options_(options) {
    if (options_.protect_master) {
        options_.master_crashes = false;
        options_.master_isolation = false;
        options_.splits = false;
    }
    // Fisher-Yates with our own uniform(), then keep quorum - 1 of them.
    std::vector<std::size_t> order = topology_.sentinels;
    for (std::size_t i = order.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(rng_.uniform(0, static_cast<std::int64_t>(i) - 1));
        std::swap(order[i - 1], order[j]);
    }
    const std::size_t minority =
        std::min(order.size(), static_cast<std::size_t>(std::max(topology_.quorum - 1, 0)));
    if (options_.protect_master) {
        minority_.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(minority));
    } else {
        minority_ = topology_.sentinels;  // nobody needs protecting
    }
    for (std::size_t i = 0; i < options_.steps; ++i) {
        schedule_one();
    }
}

void FaultPlan::record(std::string what) {
    log_.push_back(FaultRecord{world_.now(), std::move(what)});
    if (on_record) {
        on_record(log_.back());
    }
}

std::vector<FaultPlan::Fault> FaultPlan::kinds() const {
    std::vector<Fault> out;
    auto add = [&](bool enabled, Fault f, int weight = 1) {
        for (int i = 0; enabled && i < weight; ++i) {
            out.push_back(f);
        }
    };
    add(options_.connection_resets, Fault::reset);
    add(options_.stalls, Fault::stall);
    add(options_.replica_crashes && !topology_.replicas.empty(), Fault::crash_replica);
    add(options_.sentinel_crashes && !topology_.sentinels.empty(), Fault::crash_sentinel);
    add(options_.sentinel_isolation && !minority_.empty(), Fault::isolate_sentinel);
    // Master crashes are what failovers are about: twice as likely as any other fault.
    add(options_.master_crashes, Fault::crash_master, 2);
    add(options_.master_isolation, Fault::isolate_master);
    add(options_.splits, Fault::split);
    add(options_.pauses, Fault::pause);
    add(options_.slow_nodes, Fault::slow);
    add(options_.clock_jumps && !topology_.sentinels.empty(), Fault::clock_jump);
    return out;
}

void FaultPlan::schedule_one() {
    const std::vector<Fault> choices = kinds();
    if (choices.empty()) {
        return;
    }
    // Every draw happens now, at plan time, so the plan does not depend on the run.
    Draw d;
    d.at = Millis(rng_.uniform(to_ms(options_.window_start), to_ms(options_.window_end)));
    d.kind = choices[static_cast<std::size_t>(
        rng_.uniform(0, static_cast<std::int64_t>(choices.size()) - 1))];
    d.outage = Millis(rng_.uniform(100, to_ms(options_.max_outage) - 1));
    d.pick = rng_.next();
    world_.queue().at(d.at, [this, d] { fire(d); });
}

std::optional<std::size_t> FaultPlan::current_master() const {
    for (std::size_t i = 0; i < world_.redis_count(); ++i) {
        if (world_.redis(i).up() && world_.redis(i).is_master()) {
            return i;
        }
    }
    return std::nullopt;
}

std::string FaultPlan::process_name(NodeId node) const {
    for (std::size_t i = 0; i < world_.sentinel_count(); ++i) {
        if (world_.sentinel(i).net_id() == node) {
            return "sentinel " + world_.sentinel(i).address();
        }
    }
    return "server " + world_.network().address_of(node);
}

void FaultPlan::fire(const Draw& d) {
    const std::uint64_t pick = d.pick;
    switch (d.kind) {
        case Fault::reset: {
            const auto conns = eligible_connections();
            if (!conns.empty()) {
                const ConnId c = conns[pick % conns.size()];
                record("reset connection " + std::to_string(c));
                world_.network().reset(c);
            }
            break;
        }
        case Fault::stall: {
            const auto conns = eligible_connections();
            if (conns.empty()) {
                break;
            }
            const ConnId c = conns[pick % conns.size()];
            if (!stalled_.insert(c).second) {
                break;
            }
            record("stall connection " + std::to_string(c) + " for " + ms(d.outage));
            world_.network().stall(c, true);
            world_.queue().after(d.outage, [this, c] {
                if (stalled_.erase(c) != 0) {
                    world_.network().stall(c, false);
                }
            });
            break;
        }
        case Fault::crash_replica: {
            std::vector<std::size_t> replicas;
            for (std::size_t i = 0; i < world_.redis_count(); ++i) {
                if (world_.redis(i).up() && !world_.redis(i).is_master()) {
                    replicas.push_back(i);
                }
            }
            if (!replicas.empty()) {
                crash_redis(replicas[pick % replicas.size()], d.outage, "replica");
            }
            break;
        }
        case Fault::crash_master:
            if (const auto m = current_master()) {
                crash_redis(*m, d.outage, "master");
            }
            break;
        case Fault::crash_sentinel:
            crash_sentinel(topology_.sentinels[pick % topology_.sentinels.size()], d.outage);
            break;
        case Fault::isolate_sentinel: {
            const SentinelNode& s = world_.sentinel(minority_[pick % minority_.size()]);
            partition({s.net_id()}, {}, d.outage, "isolate sentinel " + s.address());
            break;
        }
        case Fault::isolate_master:
            if (const auto m = current_master()) {
                const FakeRedis& r = world_.redis(*m);
                partition({r.net_id()}, {}, d.outage, "isolate master " + r.address());
            }
            break;
        case Fault::split:
            split(pick, d.outage);
            break;
        case Fault::pause: {
            const auto nodes = eligible_processes();
            const NodeId n = nodes[pick % nodes.size()];
            if (!paused_.insert(n).second) {
                break;
            }
            record("pause " + process_name(n) + " for " + ms(d.outage));
            world_.network().stall_node(n, true);
            world_.queue().after(d.outage, [this, n] {
                if (paused_.erase(n) != 0) {
                    world_.network().stall_node(n, false);
                }
            });
            break;
        }
        case Fault::slow: {
            const auto nodes = eligible_processes();
            const NodeId n = nodes[pick % nodes.size()];
            const Millis extra(20 + static_cast<std::int64_t>((pick >> 16) % 3000));
            slowed_.insert(n);
            record("slow " + process_name(n) + " by " + ms(extra) + " for " + ms(d.outage));
            world_.network().slow(n, extra);
            world_.queue().after(d.outage, [this, n] {
                if (slowed_.erase(n) != 0) {
                    world_.network().slow(n, Millis(0));
                }
            });
            break;
        }
        case Fault::clock_jump: {
            SentinelNode& s =
                world_.sentinel(topology_.sentinels[pick % topology_.sentinels.size()]);
            // 3 s to 60 s either way: beyond the 2 s TILT trigger.
            Millis delta(3000 + static_cast<std::int64_t>((pick >> 16) % 57000));
            if (((pick >> 48) & 1) != 0) {
                delta = -delta;
            }
            record("jump wall clock of sentinel " + s.address() + " by " + ms(delta));
            s.jump_wall_clock(delta);
            break;
        }
    }
}

void FaultPlan::crash_redis(std::size_t r, Millis outage, const std::string& role) {
    FakeRedis& redis = world_.redis(r);
    if (!redis.up()) {
        return;
    }
    record("crash " + role + " " + redis.address() + " for " + ms(outage));
    redis.crash();
    world_.queue().after(outage, [this, r] {
        FakeRedis& again = world_.redis(r);
        if (!again.up()) {
            record("restart server " + again.address() + " as " +
                   (again.is_master() ? "master"
                                      : "replica of " + again.master_host() + ":" +
                                            std::to_string(again.master_port())));
            again.restart();
        }
    });
}

void FaultPlan::crash_sentinel(std::size_t s, Millis outage) {
    if (!world_.sentinel(s).up()) {
        return;
    }
    record("crash sentinel " + world_.sentinel(s).address() + " for " + ms(outage));
    world_.crash_sentinel(s);
    world_.queue().after(outage, [this, s] {
        if (!world_.sentinel(s).up()) {
            record("restart sentinel " + world_.sentinel(s).address());
            world_.restart_sentinel(s);
        }
    });
}

void FaultPlan::partition(const std::vector<NodeId>& a, const std::vector<NodeId>& b, Millis outage,
                          std::string what) {
    record(what + " for " + ms(outage));
    if (b.empty()) {
        world_.network().isolate(a.at(0));
    } else {
        world_.network().partition(a, b);
    }
    world_.queue().after(outage, [this] {
        // heal() lifts every partition; overlapping ones end together.
        record("heal partitions");
        world_.network().heal();
    });
}

void FaultPlan::split(std::uint64_t pick, Millis outage) {
    // One bit of `pick` per process says its side; the sentinels always end up on both sides.
    std::vector<NodeId> a, b;
    std::string left, right;
    std::size_t sentinels_a = 0;
    for (std::size_t i = 0; i < topology_.sentinels.size(); ++i) {
        const bool side_a = ((pick >> i) & 1) != 0;
        sentinels_a += side_a ? 1 : 0;
    }
    const bool flip_first = sentinels_a == 0 || sentinels_a == topology_.sentinels.size();
    for (std::size_t i = 0; i < topology_.sentinels.size(); ++i) {
        bool side_a = ((pick >> i) & 1) != 0;
        if (i == 0 && flip_first) {
            side_a = !side_a;
        }
        const SentinelNode& s = world_.sentinel(topology_.sentinels[i]);
        (side_a ? a : b).push_back(s.net_id());
        (side_a ? left : right) += " s" + std::to_string(s.index());
    }
    for (std::size_t i = 0; i < world_.redis_count(); ++i) {
        const bool side_a = ((pick >> (16 + i)) & 1) != 0;
        const FakeRedis& r = world_.redis(i);
        (side_a ? a : b).push_back(r.net_id());
        (side_a ? left : right) += " " + r.address() + (r.is_master() ? "(master)" : "");
    }
    partition(a, b, outage, "split" + left + " |" + right);
}

std::vector<ConnId> FaultPlan::eligible_connections() const {
    if (!options_.protect_master) {
        return world_.network().connections();
    }
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

std::vector<NodeId> FaultPlan::eligible_processes() const {
    std::vector<NodeId> out;
    for (const std::size_t s : minority_) {
        out.push_back(world_.sentinel(s).net_id());
    }
    for (std::size_t i = 0; i < world_.redis_count(); ++i) {
        if (!options_.protect_master || i != topology_.master) {
            out.push_back(world_.redis(i).net_id());
        }
    }
    return out;
}

void FaultPlan::heal_all() {
    record("heal all");
    world_.network().heal();
    for (const ConnId c : stalled_) {
        world_.network().stall(c, false);
    }
    stalled_.clear();
    for (const NodeId n : paused_) {
        world_.network().stall_node(n, false);
    }
    paused_.clear();
    for (const NodeId n : slowed_) {
        world_.network().slow(n, Millis(0));
    }
    slowed_.clear();
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
