#include "tests/sim/sim_run.hpp"

#include <map>

#include "tests/sim/checker.hpp"
#include "tests/sim/convergence.hpp"
#include "tests/sim/world.hpp"

namespace sentinel::sim {
namespace {

constexpr std::uint64_t kDrawSalt = 0x5eed0fd7a3ull;
constexpr Millis kInitialSettleLimit{30000};

// Nothing may go down, fail over or switch once the group has settled with every fault over.
constexpr const char* kNotWhenSettled[] = {
    "+sdown", "+odown", "+try-failover", "+switch-master", "+convert-to-slave", "+fix-slave-config",
    "+tilt"};
// A calm run never harms the master: any step towards a failover is wrong.
constexpr const char* kNotWhenCalm[] = {"+odown", "+try-failover", "+switch-master"};

std::string summarize(const RunSpec& spec, Millis start, const World& world, const Topology& topo,
                      const FaultPlan& plan, const Checker& checker, const RunResult& r) {
    std::string s;
    auto line = [&s](const std::string& text) { s += text + "\n"; };
    line("sentinel-sim seed=" + std::to_string(spec.seed) +
         " mode=" + std::string(run_mode_name(spec.mode)) +
         " sentinels=" + std::to_string(topo.sentinels.size()) + " replicas=" +
         std::to_string(topo.replicas.size()) + " quorum=" + std::to_string(topo.quorum) +
         " down-after=" + std::to_string(spec.topology.down_after_ms) +
         "ms failover-timeout=" + std::to_string(spec.topology.failover_timeout_ms) +
         "ms latency=" + std::to_string(to_ms(spec.net.latency)) + "+" +
         std::to_string(to_ms(spec.net.jitter)) + "ms");
    line("faults (" + std::to_string(plan.log().size()) + "), from " +
         std::to_string(to_ms(start + spec.faults.window_start)) + "ms, healed at " +
         std::to_string(to_ms(start + spec.heal_at)) + "ms:");
    for (const auto& f : plan.log()) {
        line("  " + std::to_string(to_ms(f.time)) + " " + f.what);
    }
    std::map<std::string, std::size_t> by_type;
    for (std::size_t i = 0; i < world.sentinel_count(); ++i) {
        const SentinelNode& n = world.sentinel(i);
        for (const auto& e : n.events()) {
            ++by_type[e.type];
        }
        std::string view = "down";
        if (n.up() && !n.core().masters().empty()) {
            const auto& m = n.core().masters().front();
            const auto [host, port] = n.core().current_master_address(m);
            view = "master " + host + ":" + std::to_string(port) + " config-epoch " +
                   std::to_string(m.cfg.config_epoch) + " epoch " +
                   std::to_string(n.core().globals().current_epoch);
        }
        line("sentinel " + std::to_string(i) + " " + n.address() + ": " + view + ", boots " +
             std::to_string(n.boots()) + ", events " + std::to_string(n.events().size()) +
             ", persists " + std::to_string(n.persist_count()));
    }
    for (std::size_t i = 0; i < world.redis_count(); ++i) {
        const FakeRedis& f = world.redis(i);
        line("server " + f.address() + ": " +
             (!f.up() ? std::string("down")
              : f.is_master()
                  ? std::string("master")
                  : "replica of " + f.master_host() + ":" + std::to_string(f.master_port()) +
                        (f.master_link_up() ? " (link up)" : " (link down)")));
    }
    std::string types = "events by type:";
    for (const auto& [type, count] : by_type) {
        types += " " + type + "=" + std::to_string(count);
    }
    line(types);
    line("failovers: " + std::to_string(r.elections) + " elected, " + std::to_string(r.promotions) +
         " promoted, " + std::to_string(r.switches) + " switch events; " +
         (r.settled_at ? "settled at " + std::to_string(to_ms(*r.settled_at)) + "ms"
                       : std::string("never settled")) +
         ", ended at " + std::to_string(to_ms(r.end)) + "ms");
    line("work: " + std::to_string(world.queue().executed()) + " queue callbacks, " +
         std::to_string(world.network().delivered_segments()) + " segments delivered, " +
         std::to_string(checker.steps()) + " checked steps");
    return s;
}

}  // namespace

std::string_view run_mode_name(RunMode mode) {
    return mode == RunMode::calm ? "calm" : "chaos";
}

RunSpec draw_run(std::uint64_t seed, const RunOverrides& overrides) {
    Rng rng(seed ^ kDrawSalt);
    RunSpec spec;
    spec.seed = seed;
    // Every draw is made whether or not it is overridden, so that the others stay the same.
    static constexpr std::size_t kSentinels[] = {3, 5, 7};
    spec.topology.sentinels = overrides.sentinels.value_or(kSentinels[rng.uniform(0, 2)]);
    spec.topology.replicas =
        overrides.replicas.value_or(static_cast<std::size_t>(rng.uniform(2, 4)));
    const RunMode drawn_mode = rng.uniform(0, 3) == 0 ? RunMode::calm : RunMode::chaos;
    spec.mode = overrides.mode.value_or(drawn_mode);
    spec.topology.down_after_ms = rng.uniform(1000, 5000);
    spec.topology.failover_timeout_ms = rng.uniform(10000, 30000);
    spec.net.latency = Millis(rng.uniform(1, 5));
    spec.net.jitter = Millis(rng.uniform(0, 20));
    spec.faults.steps = overrides.steps.value_or(static_cast<std::size_t>(rng.uniform(4, 12)));

    spec.faults.window_start = Millis(2000);
    spec.faults.window_end = Millis(60000);
    spec.faults.max_outage = Millis(20000);
    const bool chaos = spec.mode == RunMode::chaos;
    spec.faults.protect_master = !chaos;
    spec.faults.master_crashes = chaos;
    spec.faults.master_isolation = chaos;
    spec.faults.splits = chaos;
    spec.faults.pauses = true;
    spec.faults.slow_nodes = true;
    spec.faults.clock_jumps = true;
    spec.heal_at = spec.faults.window_end + spec.faults.max_outage;
    return spec;
}

RunResult run(const RunSpec& spec, const RunWatch& watch) {
    WorldOptions world_options;
    world_options.seed = spec.seed;
    world_options.net = spec.net;
    World world(world_options);
    Checker checker;
    checker.attach(world);
    if (spec.mode == RunMode::calm) {
        for (const char* type : kNotWhenCalm) {
            checker.forbid_event(type);
        }
    }
    if (watch.on_event) {
        world.on_event = [&watch](SentinelNode& n, const EventRecord& e) { watch.on_event(n, e); };
    }
    const Topology topo = build_topology(world, spec.topology);
    const auto settled_now = [&] { return convergence_gap(world, topo).empty(); };

    // Faults start once every sentinel knows every replica and peer. Replicas are learned
    // from the master's INFO (every 10 s), so a master lost earlier would leave replicas that
    // no sentinel ever heard of, and Redis never reconfigures those: a real limitation, but
    // not one these runs are about.
    if (!world.run_until(settled_now, kInitialSettleLimit)) {
        checker.fail("liveness: initial discovery incomplete after " +
                     std::to_string(to_ms(kInitialSettleLimit)) +
                     "ms: " + convergence_gap(world, topo));
    }
    const Millis start = world.now();
    FaultOptions faults = spec.faults;
    faults.window_start += start;
    faults.window_end += start;
    const Millis heal_at = spec.heal_at + start;
    FaultPlan plan(world, topo, spec.seed, faults);
    plan.on_record = watch.on_fault;

    RunResult r;
    world.run_until(heal_at);
    plan.heal_all();
    const bool settled = world.run_until(settled_now, heal_at + spec.settle_limit);
    if (!settled) {
        checker.fail("liveness: not settled " + std::to_string(to_ms(spec.settle_limit)) +
                     "ms after the heal: " + convergence_gap(world, topo));
    } else {
        r.settled_at = world.now();
        for (const char* type : kNotWhenSettled) {
            checker.forbid_event(type);
        }
        world.run_until(world.now() + spec.stable_for);
        if (const std::string gap = convergence_gap(world, topo); !gap.empty()) {
            checker.fail("liveness: settled at " + std::to_string(to_ms(*r.settled_at)) +
                         "ms, unsettled again at " + std::to_string(to_ms(world.now())) +
                         "ms: " + gap);
        }
    }
    if (world.budget_exhausted()) {
        checker.fail("event budget exhausted at t=" + std::to_string(to_ms(world.now())) +
                     "ms (a step storm?)");
    }
    r.end = world.now();
    r.violations = checker.violations();
    r.faults = plan.log();
    r.elections = checker.audit().elections();
    r.promotions = checker.audit().promotions();
    for (std::size_t i = 0; i < world.sentinel_count(); ++i) {
        r.switches += world.count_events(i, "+switch-master");
    }
    r.summary = summarize(spec, start, world, topo, plan, checker, r);
    return r;
}

std::string replay_command(std::uint64_t seed, const RunOverrides& overrides) {
    std::string cmd = "sentinel-sim --seed " + std::to_string(seed);
    if (overrides.sentinels) {
        cmd += " --sentinels " + std::to_string(*overrides.sentinels);
    }
    if (overrides.replicas) {
        cmd += " --replicas " + std::to_string(*overrides.replicas);
    }
    if (overrides.steps) {
        cmd += " --steps " + std::to_string(*overrides.steps);
    }
    if (overrides.mode) {
        cmd += " --mode " + std::string(run_mode_name(*overrides.mode));
    }
    return cmd;
}

}  // namespace sentinel::sim
