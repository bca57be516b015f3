// FakeRedis: the INFO text and the ROLE reply, in redis-server 7.0's formats.

#include <array>
#include <functional>

#include "sentinel/core/text.hpp"
#include "tests/sim/fake_redis.hpp"
#include "tests/sim/sim_time.hpp"

namespace sentinel::sim {
namespace {

using resp::Value;

std::string field(std::string_view key, std::string_view value) {
    return std::string(key) + ":" + std::string(value) + "\r\n";
}

std::string field(std::string_view key, std::int64_t value) {
    return field(key, std::to_string(value));
}

std::int64_t seconds(Millis d) {
    return to_ms(d) / 1000;
}

}  // namespace

std::string FakeRedis::info_server() const {
    const Millis up = queue_.now() - started_;
    std::string s = "# Server\r\n";
    s += field("redis_version", "7.0.15");
    s += field("redis_git_sha1", "00000000");
    s += field("redis_git_dirty", 0);
    s += field("redis_build_id", "ae4d7c971a948f0");
    s += field("redis_mode", "standalone");
    s += field("os", "Linux 6.1.0-sim x86_64");
    s += field("arch_bits", 64);
    s += field("monotonic_clock", "POSIX clock_gettime");
    s += field("multiplexing_api", "epoll");
    s += field("atomicvar_api", "c11-builtin");
    s += field("gcc_version", "12.2.0");
    s += field("process_id", options_.port);
    s += field("process_supervised", "no");
    s += field("run_id", run_id_);
    s += field("tcp_port", options_.port);
    s += field("server_time_usec", (kSimWallEpochMs + to_ms(queue_.now())) * 1000);
    s += field("uptime_in_seconds", seconds(up));
    s += field("uptime_in_days", seconds(up) / 86400);
    s += field("hz", 10);
    s += field("configured_hz", 10);
    s += field("lru_clock", 0);
    s += field("executable", "/sim/redis-server");
    s += field("config_file", "/sim/redis-" + std::to_string(options_.port) + ".conf");
    s += field("io_threads_active", 0);
    return s;
}

std::string FakeRedis::info_clients() const {
    std::string s = "# Clients\r\n";
    s += field("connected_clients", static_cast<std::int64_t>(clients_.size()));
    s += field("cluster_connections", 0);
    s += field("maxclients", 10000);
    s += field("client_recent_max_input_buffer", 20480);
    s += field("client_recent_max_output_buffer", 0);
    s += field("blocked_clients", 0);
    s += field("tracking_clients", 0);
    s += field("clients_in_timeout_table", 0);
    return s;
}

std::string FakeRedis::replica_lines() const {
    std::string s;
    int n = 0;
    for (const auto& [id, c] : clients_) {
        if (!c.is_replica || c.kill) {
            continue;
        }
        const std::string ip = c.peer_addr.substr(0, c.peer_addr.rfind(':'));
        s += "slave" + std::to_string(n++) + ":ip=" + ip +
             ",port=" + std::to_string(c.replica_port) +
             ",state=online,offset=" + std::to_string(c.ack_offset) +
             ",lag=" + std::to_string(seconds(queue_.now() - c.last_ack)) + "\r\n";
    }
    return s;
}

std::string FakeRedis::info_replication() const {
    const Millis now = queue_.now();
    std::string s = "# Replication\r\n";
    if (is_master()) {
        s += field("role", "master");
    } else {
        const bool up = link_.state == LinkState::connected;
        s += field("role", "slave");
        s += field("master_host", master_host_);
        s += field("master_port", master_port_);
        s += field("master_link_status", up ? "up" : "down");
        s += field("master_last_io_seconds_ago", up ? seconds(now - link_.last_io) : -1);
        s += field("master_sync_in_progress", 0);
        s += field("slave_read_repl_offset", static_cast<std::int64_t>(offset_));
        s += field("slave_repl_offset", static_cast<std::int64_t>(offset_));
        if (!up) {
            // Redis prints -1 when the link never came up since start.
            s += field("master_link_down_since_seconds",
                       link_.down_since ? seconds(now - *link_.down_since) : -1);
        }
        s += field("slave_priority", slave_priority_);
        s += field("slave_read_only", 1);
        s += field("replica_announced", replica_announced_ ? 1 : 0);
    }
    s += field("connected_slaves", static_cast<std::int64_t>(connected_replicas()));
    s += replica_lines();
    s += field("master_failover_state", "no-failover");
    s += field("master_replid", replid_);
    s += field("master_replid2", replid2_);
    s += field("master_repl_offset", static_cast<std::int64_t>(offset_));
    s += field("second_repl_offset", replid2_ == std::string(40, '0') ? -1 : 1);
    s += field("repl_backlog_active", 1);
    s += field("repl_backlog_size", 1048576);
    s += field("repl_backlog_first_byte_offset", 1);
    s += field("repl_backlog_histlen", static_cast<std::int64_t>(offset_));
    return s;
}

std::string FakeRedis::info(std::string_view section) const {
    const std::string wanted = core::to_lower(section);
    using Maker = std::function<std::string()>;
    const std::array<std::pair<std::string_view, Maker>, 10> sections = {{
        {"server", [this] { return info_server(); }},
        {"clients", [this] { return info_clients(); }},
        {"persistence",
         [] {
             return "# Persistence\r\n" + field("loading", 0) + field("async_loading", 0) +
                    field("rdb_changes_since_last_save", 0) + field("rdb_bgsave_in_progress", 0) +
                    field("rdb_last_bgsave_status", "ok") + field("aof_enabled", 0) +
                    field("aof_rewrite_in_progress", 0) + field("aof_last_write_status", "ok");
         }},
        {"stats",
         [this] {
             std::int64_t channels = 0, patterns = 0;
             for (const auto& [id, c] : clients_) {
                 channels += static_cast<std::int64_t>(c.channels.size());
                 patterns += static_cast<std::int64_t>(c.patterns.size());
             }
             return "# Stats\r\n" +
                    field("total_connections_received",
                          static_cast<std::int64_t>(connections_received_)) +
                    field("total_commands_processed",
                          static_cast<std::int64_t>(commands_processed_)) +
                    field("rejected_connections", 0) + field("sync_full", 0) +
                    field("pubsub_channels", channels) + field("pubsub_patterns", patterns) +
                    field("total_error_replies", 0);
         }},
        {"replication", [this] { return info_replication(); }},
        {"cpu",
         [] {
             return "# CPU\r\n" + field("used_cpu_sys", "0.000000") +
                    field("used_cpu_user", "0.000000") +
                    field("used_cpu_sys_children", "0.000000") +
                    field("used_cpu_user_children", "0.000000");
         }},
        {"modules", [] { return std::string("# Modules\r\n"); }},
        {"errorstats", [] { return std::string("# Errorstats\r\n"); }},
        {"cluster", [] { return "# Cluster\r\n" + field("cluster_enabled", 0); }},
        {"keyspace", [] { return std::string("# Keyspace\r\n"); }},
    }};
    const bool all =
        wanted.empty() || wanted == "default" || wanted == "all" || wanted == "everything";
    std::string out;
    for (const auto& [name, make] : sections) {
        if (all || wanted == name) {
            // Sections after the first are preceded by an empty line, as genRedisInfoString.
            if (!out.empty()) {
                out += "\r\n";
            }
            out += make();
        }
    }
    return out;
}

resp::Value FakeRedis::role() const {
    if (is_master()) {
        std::vector<Value> replicas;
        for (const auto& [id, c] : clients_) {
            if (c.is_replica && !c.kill) {
                replicas.push_back(
                    Value::array({Value::bulk(c.peer_addr.substr(0, c.peer_addr.rfind(':'))),
                                  Value::bulk(std::to_string(c.replica_port)),
                                  Value::bulk(std::to_string(c.ack_offset))}));
            }
        }
        return Value::array({Value::bulk("master"),
                             Value::integer_value(static_cast<std::int64_t>(offset_)),
                             Value::array(std::move(replicas))});
    }
    std::string_view state = "connect";
    switch (link_.state) {
        case LinkState::none:
            state = "connect";
            break;
        case LinkState::connecting:
            state = "connecting";
            break;
        case LinkState::handshake:
            state = "handshake";
            break;
        case LinkState::connected:
            state = "connected";
            break;
    }
    return Value::array({Value::bulk("slave"), Value::bulk(master_host_),
                         Value::integer_value(master_port_), Value::bulk(state),
                         Value::integer_value(static_cast<std::int64_t>(offset_))});
}

}  // namespace sentinel::sim
