// sentinel-sim: one randomized run of a monitored group, drawn from a seed (see sim_run.hpp).
// Prints a summary and exits non-zero when an invariant fails, so a failing seed replays
// exactly with the command it prints.

#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "tests/sim/sim_run.hpp"

namespace {

using namespace sentinel::sim;
using sentinel::to_ms;

struct Args {
    std::uint64_t seed = 1;
    RunOverrides overrides;
    bool verbose = false;
    bool quiet = false;
};

void usage() {
    std::fprintf(
        stderr,
        "usage: sentinel-sim --seed N [--sentinels 3|5|7] [--replicas R] [--steps FAULTS]\n"
        "                    [--mode calm|chaos] [--verbose | --quiet]\n"
        "Draws a monitored group (1 master, 2-4 replicas, 3/5/7 sentinels, quorum a majority,\n"
        "down-after and failover-timeout), a mode and a fault plan from N; options pin single\n"
        "draws. Runs the faults, heals everything, then checks that the group settles and\n"
        "stays settled. Safety invariants are checked after every step. Exit status 1 when\n"
        "one fails. --verbose prints every event and fault as it happens; --quiet prints one\n"
        "line unless the run fails.\n");
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
        if (opt == "--quiet") {
            a.quiet = true;
            continue;
        }
        if (opt == "--help" || opt == "-h" || i + 1 >= argc) {
            return false;
        }
        const std::string_view value = argv[++i];
        if (opt == "--mode") {
            if (value != "calm" && value != "chaos") {
                return false;
            }
            a.overrides.mode = value == "calm" ? RunMode::calm : RunMode::chaos;
            continue;
        }
        std::uint64_t v = 0;
        if (!parse_number(value, v)) {
            return false;
        }
        if (opt == "--seed") {
            a.seed = v;
        } else if (opt == "--sentinels" && v >= 1 && v <= 15) {
            a.overrides.sentinels = v;
        } else if (opt == "--replicas" && v >= 1 && v <= 10) {
            a.overrides.replicas = v;
        } else if (opt == "--steps" && v <= 100) {
            a.overrides.steps = v;
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
    const RunSpec spec = draw_run(args.seed, args.overrides);
    RunWatch watch;
    if (args.verbose) {
        watch.on_event = [](const SentinelNode& n, const EventRecord& e) {
            std::printf("%8lld s%zu %s\n", static_cast<long long>(to_ms(e.time)), n.index(),
                        e.line().c_str());
        };
        watch.on_fault = [](const FaultRecord& f) {
            std::printf("%8lld FAULT %s\n", static_cast<long long>(to_ms(f.time)), f.what.c_str());
        };
    }
    const RunResult r = run(spec, watch);
    if (args.quiet && r.ok()) {
        std::printf("OK seed=%llu mode=%s sentinels=%zu elected=%zu switches=%zu settled=%lldms\n",
                    static_cast<unsigned long long>(args.seed),
                    std::string(run_mode_name(spec.mode)).c_str(), spec.topology.sentinels,
                    r.elections, r.switches,
                    static_cast<long long>(r.settled_at ? to_ms(*r.settled_at) : -1));
        return 0;
    }
    std::fputs(r.summary.c_str(), stdout);
    for (const auto& v : r.violations) {
        std::printf("FAIL: %s\n", v.c_str());
    }
    if (!r.ok()) {
        std::printf("replay: %s --verbose\n", replay_command(args.seed, args.overrides).c_str());
        return 1;
    }
    std::printf("OK\n");
    return 0;
}
