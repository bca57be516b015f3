// libFuzzer target for the config tokenizer, sentinel.conf parser and command-line reader.
//
// The input is a config text. It is also read as a command line (one argument per line) and
// every line as a tokenizer input. The parser runs with check_filesystem off, so no input can
// make it read files or depend on the machine.
//
// Properties checked:
//  - nothing crashes, hangs or leaks (sanitizers do the rest);
//  - split_args(quote_arg(x)) == {x} and split_args(repr_arg(x)) == {x} for any x, including
//    every argument split_args produced, and quoting all of a line's arguments back gives the
//    same arguments;
//  - parse_config is deterministic, and a loaded Config keeps Redis's invariants (quorum >= 1,
//    ports in range, positive timeouts, 40-byte myid, no duplicate names/replicas/run ids);
//  - a failure names a line inside the text (or none), and format_fatal includes its reason.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config/tokenize.hpp"
#include "sentinel/config/config.hpp"

using sentinel::config::Config;
using sentinel::config::ParseOptions;

#define FUZZ_CHECK(cond)                                                                         \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            std::fprintf(stderr, "fuzz_config: check failed: %s at line %d\n", #cond, __LINE__); \
            std::abort();                                                                        \
        }                                                                                        \
    } while (0)

namespace {

void check_round_trip(std::string_view s) {
    const std::vector<std::string> expect{std::string(s)};
    auto q = sentinel::config::split_args(sentinel::config::quote_arg(s));
    FUZZ_CHECK(q.has_value() && *q == expect);
    auto r = sentinel::config::split_args(sentinel::config::repr_arg(s));
    FUZZ_CHECK(r.has_value() && *r == expect);
}

void check_tokenizer(std::string_view line) {
    check_round_trip(line);
    auto args = sentinel::config::split_args(line);
    if (!args) {
        return;
    }
    std::string rebuilt;
    for (const auto& a : *args) {
        check_round_trip(a);
        if (!rebuilt.empty()) {
            rebuilt += ' ';
        }
        rebuilt += sentinel::config::quote_arg(a);
    }
    auto again = sentinel::config::split_args(rebuilt);
    FUZZ_CHECK(again.has_value() && *again == *args);
}

std::size_t count_lines(std::string_view text) {
    std::size_t n = 1;
    for (const char c : text) {
        n += c == '\n' ? 1 : 0;
    }
    return n;
}

void check_invariants(const Config& cfg) {
    FUZZ_CHECK(cfg.sentinel.myid.empty() || cfg.sentinel.myid.size() == 40);
    FUZZ_CHECK(cfg.server.port >= 0 && cfg.server.port <= 65535);
    FUZZ_CHECK(cfg.server.maxclients >= 1);
    FUZZ_CHECK(cfg.server.bind.size() <= 16);
    std::set<std::string> names;
    for (const auto& m : cfg.masters) {
        FUZZ_CHECK(names.insert(m.name).second);
        FUZZ_CHECK(cfg.find_master(m.name) == &m);
        FUZZ_CHECK(m.quorum >= 1);
        FUZZ_CHECK(m.port >= 0 && m.port <= 65535);
        FUZZ_CHECK(m.down_after_ms > 0);
        FUZZ_CHECK(m.failover_timeout_ms > 0);
        FUZZ_CHECK(m.master_reboot_down_after_period_ms >= 0);
        FUZZ_CHECK(cfg.sentinel.current_epoch >= m.config_epoch);
        std::set<std::pair<std::string, int>> replicas;
        for (const auto& r : m.known_replicas) {
            FUZZ_CHECK(r.port >= 0 && r.port <= 65535);
            FUZZ_CHECK(replicas.emplace(r.host, r.port).second);
        }
        std::set<std::string> run_ids;
        for (const auto& s : m.known_sentinels) {
            FUZZ_CHECK(s.port >= 0 && s.port <= 65535);
            FUZZ_CHECK(run_ids.insert(s.run_id).second);
        }
    }
}

void check_parse(std::string_view text, const std::vector<std::string>& extra) {
    ParseOptions opts;
    opts.check_filesystem = false;
    auto a = sentinel::config::parse_config(text, extra, opts);
    auto b = sentinel::config::parse_config(text, extra, opts);
    FUZZ_CHECK(a.has_value() == b.has_value());
    if (a) {
        FUZZ_CHECK(a->server == b->server);
        FUZZ_CHECK(a->sentinel == b->sentinel);
        FUZZ_CHECK(a->masters == b->masters);
        check_invariants(*a);
        return;
    }
    const auto& e = a.error();
    FUZZ_CHECK(e.line == b.error().line && e.text == b.error().text &&
               e.reason == b.error().reason);
    FUZZ_CHECK(!e.reason.empty());
    FUZZ_CHECK(e.line >= 0);
    std::size_t total = count_lines(text) + 1;
    for (const auto& x : extra) {
        total += count_lines(x);
    }
    FUZZ_CHECK(static_cast<std::size_t>(e.line) <= total);
    const std::string shown = sentinel::config::format_fatal(e);
    const std::string reason = e.reason.substr(0, e.reason.find('\0'));
    FUZZ_CHECK(shown.find(reason) != std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 16384) {
        return 0;  // long inputs only slow the search down
    }
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // Each line through the tokenizer, and the whole input as one argument.
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto nl = text.find('\n', start);
        const auto end = nl == std::string_view::npos ? text.size() : nl;
        lines.emplace_back(text.substr(start, end - start));
        check_tokenizer(lines.back());
        if (nl == std::string_view::npos) {
            break;
        }
        start = nl + 1;
    }
    check_round_trip(text);

    // The text as a config file, and its lines as a command line feeding an empty file.
    check_parse(text, {});
    auto cmdline = sentinel::config::parse_command_line(lines);
    if (cmdline) {
        check_parse("", cmdline->extra);
    }
    return 0;
}
