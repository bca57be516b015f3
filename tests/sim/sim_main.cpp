// sentinel-sim: one randomized run of a monitored group, drawn from a seed. Prints a summary
// and exits non-zero when an invariant fails, so a failing seed replays exactly.

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "tests/sim/checker.hpp"
#include "tests/sim/fault_plan.hpp"
#include "tests/sim/topology.hpp"
#include "tests/sim/world.hpp"

namespace {

using namespace sentinel::sim;
using sentinel::Millis;
using sentinel::to_ms;

struct Args {
    std::uint64_t seed = 1;
    std::size_t sentinels = 3;
    std::size_t replicas = 2;
    std::size_t steps = 8;  ///< faults injected
    std::int64_t duration_ms = 60000;
    bool verbose = false;
};

void usage() {
    std::fprintf(stderr,
                 "usage: sentinel-sim --seed N [--sentinels K] [--replicas R] [--steps FAULTS]\n"
                 "                    [--duration-ms MS] [--verbose]\n"
                 "Runs one simulated group (1 master, R replicas, K sentinels, quorum K/2+1,\n"
                 "down-after 5000 ms) for MS of virtual time with FAULTS seeded faults, then\n"
                 "checks the invariants. Exit status 1 when one fails.\n");
}

bool parse_number(std::string_view s, std::uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

bool parse_args(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view opt = argv[i];
        if (opt == "--verbose") {
            a.verbose = true;
            continue;
        }
        if (opt == "--help" || opt == "-h" || i + 1 >= argc) {
            return false;
        }
        std::uint64_t v = 0;
        if (!parse_number(argv[++i], v)) {
            return false;
        }
        if (opt == "--seed") {
            a.seed = v;
        } else if (opt == "--sentinels" && v >= 1) {
            a.sentinels = v;
        } else if (opt == "--replicas") {
            a.replicas = v;
        } else if (opt == "--steps") {
            a.steps = v;
        } else if (opt == "--duration-ms" && v >= 1000) {
            a.duration_ms = static_cast<std::int64_t>(v);
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    if (!parse_args(argc, argv, args)) {
        usage();
        return 2;
    }

    WorldOptions world_options;
    world_options.seed = args.seed;
    World world(world_options);
    Checker checker;
    checker.attach(world);
    // The master is never harmed in these runs: any step towards a failover is wrong.
    for (const char* type : {"+odown", "+try-failover", "+switch-master"}) {
        checker.forbid_event(type);
    }
    TopologyOptions topo_options;
    topo_options.sentinels = args.sentinels;
    topo_options.replicas = args.replicas;
    if (args.verbose) {
        world.on_event = [](SentinelNode& n, const EventRecord& e) {
            std::printf("%8lld s%zu %s\n", static_cast<long long>(to_ms(e.time)), n.index(),
                        e.line().c_str());
        };
    }
    const Topology topo = build_topology(world, topo_options);

    // Faults in the first half; everything healed well before the end so that liveness can
    // be judged on a settled group.
    const Millis end(args.duration_ms);
    FaultOptions faults;
    faults.steps = args.steps;
    faults.window_start = Millis(std::min<std::int64_t>(5000, args.duration_ms / 4));
    faults.window_end = Millis(args.duration_ms / 2);
    faults.max_outage = Millis(std::max<std::int64_t>(200, args.duration_ms / 8));
    FaultPlan plan(world, topo, args.seed, faults);
    const Millis heal_at = faults.window_end + faults.max_outage;
    world.queue().at(heal_at, [&plan] { plan.heal_all(); });

    world.run_until(end);
    checker.check_discovery(world, topo.master_name, topo.replicas.size(),
                            topo.sentinels.size() - 1);

    // Summary.
    std::printf("sentinel-sim seed=%llu sentinels=%zu replicas=%zu quorum=%d duration=%lldms\n",
                static_cast<unsigned long long>(args.seed), topo.sentinels.size(),
                topo.replicas.size(), topo.quorum, static_cast<long long>(args.duration_ms));
    std::printf("faults (%zu):\n", plan.log().size());
    for (const auto& f : plan.log()) {
        std::printf("  %8lld %s\n", static_cast<long long>(to_ms(f.time)), f.what.c_str());
    }
    std::map<std::string, std::size_t> by_type;
    for (std::size_t i = 0; i < world.sentinel_count(); ++i) {
        const SentinelNode& n = world.sentinel(i);
        for (const auto& e : n.events()) {
            ++by_type[e.type];
        }
        std::printf("sentinel %zu %s: %s, boots %d, events %zu, persists %d\n", i,
                    n.address().c_str(), n.up() ? "up" : "down", n.boots(), n.events().size(),
                    n.persist_count());
    }
    std::printf("events by type:");
    for (const auto& [type, count] : by_type) {
        std::printf(" %s=%zu", type.c_str(), count);
    }
    std::printf("\nwork: %llu queue callbacks, %llu segments delivered, %llu checked steps\n",
                static_cast<unsigned long long>(world.queue().executed()),
                static_cast<unsigned long long>(world.network().delivered_segments()),
                static_cast<unsigned long long>(checker.steps()));

    bool ok = checker.ok();
    if (world.budget_exhausted()) {
        std::printf("FAIL: event budget exhausted at t=%lldms (a step storm?)\n",
                    static_cast<long long>(to_ms(world.now())));
        ok = false;
    }
    for (const auto& v : checker.violations()) {
        std::printf("FAIL: %s\n", v.c_str());
    }
    if (!ok) {
        std::printf(
            "replay: sentinel-sim --seed %llu --sentinels %zu --replicas %zu --steps %zu "
            "--duration-ms %lld --verbose\n",
            static_cast<unsigned long long>(args.seed), args.sentinels, args.replicas, args.steps,
            static_cast<long long>(args.duration_ms));
        return 1;
    }
    std::printf("OK\n");
    return 0;
}
