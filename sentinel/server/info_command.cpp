// INFO: the five sections a sentinel reports (server, clients, stats, cpu, sentinel).

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "sentinel/core/text.hpp"
#include "sentinel/server/server.hpp"

namespace sentinel::server {
namespace {

using core::iequals;
using core::to_lower;

constexpr std::array<std::string_view, 5> kSections = {"server", "clients", "stats", "cpu",
                                                       "sentinel"};

std::string fixed6(double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.6f", v);
    return buf;
}

void line(std::string& out, std::string_view key, const std::string& value) {
    out.append(key);
    out.push_back(':');
    out.append(value);
    out.append("\r\n");
}

void line(std::string& out, std::string_view key, std::int64_t value) {
    line(out, key, std::to_string(value));
}

}  // namespace

std::string Server::info_text(const Args& a) const {
    // Which sections: none/"default"/"all"/"everything" = all five; unknown names are dropped.
    std::array<bool, kSections.size()> wanted{};
    if (a.size() == 1) {
        wanted.fill(true);
    }
    for (std::size_t i = 1; i < a.size(); ++i) {
        const std::string name = to_lower(a[i]);
        if (name == "default" || name == "all" || name == "everything") {
            wanted.fill(true);
        }
        for (std::size_t k = 0; k < kSections.size(); ++k) {
            wanted[k] = wanted[k] || kSections[k] == name;
        }
    }

    const ProcessStats ps = host_.process_stats();
    std::string out;
    // Sections are separated by one blank line.
    auto section = [&] {
        if (!out.empty()) {
            out.append("\r\n");
        }
    };
    if (wanted[0]) {
        section();
        out += "# Server\r\n";
        line(out, "redis_version", std::string(config::kRedisCompatVersion));
        line(out, "redis_git_sha1", "00000000");
        line(out, "redis_git_dirty", 0);
        line(out, "redis_build_id", "0");
        line(out, "redis_mode", "sentinel");
        line(out, "os", ps.os);
        line(out, "arch_bits", static_cast<std::int64_t>(sizeof(void*) * 8));
        line(out, "monotonic_clock", "POSIX clock_gettime");
        line(out, "multiplexing_api", "epoll");
        line(out, "atomicvar_api", "c11-builtin");
        line(out, "gcc_version",
             std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                 std::to_string(__GNUC_PATCHLEVEL__));
        line(out, "process_id", ps.pid);
        line(out, "process_supervised", ps.supervised ? "systemd" : "no");
        line(out, "run_id", ps.run_id);
        line(out, "tcp_port", cfg_.port);
        line(out, "server_time_usec", ps.server_time_usec);
        line(out, "uptime_in_seconds", ps.uptime_s);
        line(out, "uptime_in_days", ps.uptime_s / 86400);
        line(out, "hz", ps.hz);
        line(out, "configured_hz", 10);
        line(out, "lru_clock", (ps.server_time_usec / 1000000) & ((1 << 24) - 1));
        line(out, "executable", ps.executable);
        line(out, "config_file", ps.config_file);
        line(out, "io_threads_active", 0);
    }
    if (wanted[1]) {
        section();
        std::int64_t pubsub_clients = 0;
        std::size_t max_in = 0, max_out = 0;
        for (const auto& [id, s] : sessions_) {
            pubsub_clients += s->in_pubsub() ? 1 : 0;
            max_in = std::max(max_in, s->parser.buffered());
            max_out = std::max(max_out, s->out.size());
        }
        out += "# Clients\r\n";
        line(out, "connected_clients", static_cast<std::int64_t>(sessions_.size()));
        line(out, "cluster_connections", 0);
        line(out, "maxclients", cfg_.maxclients);
        line(out, "client_recent_max_input_buffer", static_cast<std::int64_t>(max_in));
        line(out, "client_recent_max_output_buffer", static_cast<std::int64_t>(max_out));
        line(out, "blocked_clients", 0);
        line(out, "tracking_clients", 0);
        line(out, "clients_in_timeout_table", 0);
    }
    if (wanted[2]) {
        section();
        std::int64_t channels = 0, patterns = 0;
        {
            std::vector<std::string> all_channels, all_patterns;
            for (const auto& [id, s] : sessions_) {
                all_channels.insert(all_channels.end(), s->channels.begin(), s->channels.end());
                all_patterns.insert(all_patterns.end(), s->patterns.begin(), s->patterns.end());
            }
            std::sort(all_channels.begin(), all_channels.end());
            std::sort(all_patterns.begin(), all_patterns.end());
            channels = std::unique(all_channels.begin(), all_channels.end()) - all_channels.begin();
            patterns = std::unique(all_patterns.begin(), all_patterns.end()) - all_patterns.begin();
        }
        auto u = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
        out += "# Stats\r\n";
        line(out, "total_connections_received", u(stats_.connections_received));
        line(out, "total_commands_processed", u(stats_.commands_processed));
        line(out, "instantaneous_ops_per_sec", 0);
        line(out, "total_net_input_bytes", u(stats_.net_input_bytes));
        line(out, "total_net_output_bytes", u(stats_.net_output_bytes));
        line(out, "total_net_repl_input_bytes", 0);
        line(out, "total_net_repl_output_bytes", 0);
        line(out, "instantaneous_input_kbps", "0.00");
        line(out, "instantaneous_output_kbps", "0.00");
        line(out, "instantaneous_input_repl_kbps", "0.00");
        line(out, "instantaneous_output_repl_kbps", "0.00");
        line(out, "rejected_connections", u(stats_.rejected_connections));
        // Keyspace and replication counters exist for parity with redis-sentinel's INFO; a
        // sentinel holds no data, so they stay zero.
        for (std::string_view key :
             {"sync_full", "sync_partial_ok", "sync_partial_err", "expired_keys"}) {
            line(out, key, 0);
        }
        line(out, "expired_stale_perc", "0.00");
        for (std::string_view key :
             {"expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds", "evicted_keys",
              "evicted_clients", "total_eviction_exceeded_time", "current_eviction_exceeded_time",
              "keyspace_hits", "keyspace_misses"}) {
            line(out, key, 0);
        }
        line(out, "pubsub_channels", channels);
        line(out, "pubsub_patterns", patterns);
        for (std::string_view key :
             {"pubsubshard_channels", "latest_fork_usec", "total_forks", "migrate_cached_sockets",
              "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
              "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
              "current_active_defrag_time", "tracking_total_keys", "tracking_total_items",
              "tracking_total_prefixes", "unexpected_error_replies"}) {
            line(out, key, 0);
        }
        line(out, "total_error_replies", u(stats_.error_replies));
        line(out, "dump_payload_sanitizations", 0);
        line(out, "total_reads_processed", u(stats_.reads_processed));
        line(out, "total_writes_processed", u(stats_.writes_processed));
        for (std::string_view key : {"io_threaded_reads_processed", "io_threaded_writes_processed",
                                     "reply_buffer_shrinks", "reply_buffer_expands"}) {
            line(out, key, 0);
        }
    }
    if (wanted[3]) {
        section();
        out += "# CPU\r\n";
        line(out, "used_cpu_sys", fixed6(ps.cpu_sys));
        line(out, "used_cpu_user", fixed6(ps.cpu_user));
        line(out, "used_cpu_sys_children", fixed6(0));
        line(out, "used_cpu_user_children", fixed6(0));
        line(out, "used_cpu_sys_main_thread", fixed6(ps.cpu_sys));
        line(out, "used_cpu_user_main_thread", fixed6(ps.cpu_user));
    }
    if (wanted[4]) {
        section();
        out += sentinel_.info_section(host_.now(), core::ProcessFacts{});
    }
    return out;
}

void Server::cmd_info(Session& s, const Args& a) {
    // redis-sentinel answers INFO with a plain bulk string even in RESP3.
    reply(s, resp::Value::bulk(info_text(a)));
}

}  // namespace sentinel::server
