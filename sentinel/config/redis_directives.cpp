// Data taken from redis-sentinel 7.0.15 itself: every name answers CONFIG GET * on redis-server
// 7.0.15 or was accepted by `redis-sentinel` as a directive (hidden ones such as key-load-delay),
// and each kind/bound is the one its error messages reveal ("argument must be between 1 and 99
// inclusive", "argument must be a memory value", ...).

#include "sentinel/config/redis_directives.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <string>

namespace sentinel::config::detail {

namespace {

using Kind = DirectiveKind;
using Check = StringCheck;

constexpr long long kLLMax = LLONG_MAX;
constexpr long long kIntMin = INT_MIN;
constexpr long long kIntMax = INT_MAX;
constexpr long long kUIntMax = UINT_MAX;

// Sorted by name for binary search.
constexpr DirectiveSpec kDirectives[] = {
    {"acl-pubsub-default", Kind::enumeration, 0, 0, "allchannels, resetchannels", false,
     Check::none},
    {"aclfile", Kind::string, 0, 0, "", false, Check::none},
    {"acllog-max-len", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"active-defrag-cycle-max", Kind::integer, 1, 99, "", false, Check::none},
    {"active-defrag-cycle-min", Kind::integer, 1, 99, "", false, Check::none},
    {"active-defrag-ignore-bytes", Kind::memory, 1, kLLMax, "", false, Check::none},
    {"active-defrag-max-scan-fields", Kind::integer, 1, kLLMax, "", false, Check::none},
    {"active-defrag-threshold-lower", Kind::integer, 0, 1000, "", false, Check::none},
    {"active-defrag-threshold-upper", Kind::integer, 0, 1000, "", false, Check::none},
    {"active-expire-effort", Kind::integer, 1, 10, "", false, Check::none},
    {"activedefrag", Kind::boolean, 0, 0, "", false, Check::none},
    {"activerehashing", Kind::boolean, 0, 0, "", false, Check::none},
    {"always-show-logo", Kind::boolean, 0, 0, "", false, Check::none},
    {"aof-disable-auto-gc", Kind::boolean, 0, 0, "", false, Check::none},
    {"aof-load-truncated", Kind::boolean, 0, 0, "", false, Check::none},
    {"aof-rewrite-incremental-fsync", Kind::boolean, 0, 0, "", false, Check::none},
    {"aof-timestamp-enabled", Kind::boolean, 0, 0, "", false, Check::none},
    {"aof-use-rdb-preamble", Kind::boolean, 0, 0, "", false, Check::none},
    {"aof_rewrite_cpulist", Kind::string, 0, 0, "", false, Check::none},
    {"appenddirname", Kind::string, 0, 0, "", false, Check::aof_dirname},
    {"appendfilename", Kind::string, 0, 0, "", false, Check::aof_filename},
    {"appendfsync", Kind::enumeration, 0, 0, "everysec, always, no", false, Check::none},
    {"appendonly", Kind::boolean, 0, 0, "", false, Check::none},
    {"auto-aof-rewrite-min-size", Kind::memory, 0, kLLMax, "", false, Check::none},
    {"auto-aof-rewrite-percentage", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"bgsave_cpulist", Kind::string, 0, 0, "", false, Check::none},
    {"bind", Kind::special, 0, 0, "", false, Check::none},
    {"bind-source-addr", Kind::string, 0, 0, "", false, Check::none},
    {"bio_cpulist", Kind::string, 0, 0, "", false, Check::none},
    {"busy-reply-threshold", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"client-output-buffer-limit", Kind::special, 0, 0, "", false, Check::none},
    {"client-query-buffer-limit", Kind::memory, 1048576, kLLMax, "", false, Check::none},
    {"cluster-allow-pubsubshard-when-down", Kind::boolean, 0, 0, "", false, Check::none},
    {"cluster-allow-reads-when-down", Kind::boolean, 0, 0, "", false, Check::none},
    {"cluster-allow-replica-migration", Kind::boolean, 0, 0, "", false, Check::none},
    {"cluster-announce-bus-port", Kind::integer, 0, 65535, "", false, Check::none},
    {"cluster-announce-hostname", Kind::string, 0, 0, "", false, Check::hostname},
    {"cluster-announce-ip", Kind::string, 0, 0, "", false, Check::none},
    {"cluster-announce-port", Kind::integer, 0, 65535, "", false, Check::none},
    {"cluster-announce-tls-port", Kind::integer, 0, 65535, "", false, Check::none},
    {"cluster-config-file", Kind::string, 0, 0, "", false, Check::none},
    {"cluster-enabled", Kind::boolean, 0, 0, "", false, Check::none},
    {"cluster-link-sendbuf-limit", Kind::memory_unsigned, 0, kLLMax, "", false, Check::none},
    {"cluster-migration-barrier", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"cluster-node-timeout", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"cluster-port", Kind::integer, 0, 65535, "", false, Check::none},
    {"cluster-preferred-endpoint-type", Kind::enumeration, 0, 0, "ip, hostname, unknown-endpoint",
     false, Check::none},
    {"cluster-replica-no-failover", Kind::boolean, 0, 0, "", false, Check::none},
    {"cluster-replica-validity-factor", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"cluster-require-full-coverage", Kind::boolean, 0, 0, "", false, Check::none},
    {"cluster-slave-no-failover", Kind::boolean, 0, 0, "", false, Check::none},
    {"cluster-slave-validity-factor", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"crash-log-enabled", Kind::boolean, 0, 0, "", false, Check::none},
    {"crash-memcheck-enabled", Kind::boolean, 0, 0, "", false, Check::none},
    {"daemonize", Kind::boolean, 0, 0, "", false, Check::none},
    {"databases", Kind::integer, 1, kIntMax, "", false, Check::none},
    {"dbfilename", Kind::string, 0, 0, "", false, Check::dbfilename},
    {"dir", Kind::special, 0, 0, "", false, Check::none},
    {"disable-thp", Kind::boolean, 0, 0, "", false, Check::none},
    {"dynamic-hz", Kind::boolean, 0, 0, "", false, Check::none},
    {"enable-debug-command", Kind::enumeration, 0, 0, "no, yes, local", false, Check::none},
    {"enable-module-command", Kind::enumeration, 0, 0, "no, yes, local", false, Check::none},
    {"enable-protected-configs", Kind::enumeration, 0, 0, "no, yes, local", false, Check::none},
    {"hash-max-listpack-entries", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"hash-max-listpack-value", Kind::memory, 0, kLLMax, "", false, Check::none},
    {"hash-max-ziplist-entries", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"hash-max-ziplist-value", Kind::memory, 0, kLLMax, "", false, Check::none},
    {"hll-sparse-max-bytes", Kind::memory, 0, kLLMax, "", false, Check::none},
    {"hz", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"ignore-warnings", Kind::string, 0, 0, "", false, Check::none},
    {"io-threads", Kind::integer, 1, 128, "", false, Check::none},
    {"io-threads-do-reads", Kind::boolean, 0, 0, "", false, Check::none},
    {"jemalloc-bg-thread", Kind::boolean, 0, 0, "", false, Check::none},
    {"key-load-delay", Kind::integer, kIntMin, kIntMax, "", false, Check::none},
    {"latency-monitor-threshold", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"latency-tracking", Kind::boolean, 0, 0, "", false, Check::none},
    {"latency-tracking-info-percentiles", Kind::special, 0, 0, "", false, Check::none},
    {"lazyfree-lazy-eviction", Kind::boolean, 0, 0, "", false, Check::none},
    {"lazyfree-lazy-expire", Kind::boolean, 0, 0, "", false, Check::none},
    {"lazyfree-lazy-server-del", Kind::boolean, 0, 0, "", false, Check::none},
    {"lazyfree-lazy-user-del", Kind::boolean, 0, 0, "", false, Check::none},
    {"lazyfree-lazy-user-flush", Kind::boolean, 0, 0, "", false, Check::none},
    {"lfu-decay-time", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"lfu-log-factor", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"list-compress-depth", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"list-max-listpack-size", Kind::integer, kIntMin, kIntMax, "", false, Check::none},
    {"list-max-ziplist-size", Kind::integer, kIntMin, kIntMax, "", false, Check::none},
    {"loading-process-events-interval-bytes", Kind::integer, 1024, kIntMax, "", false, Check::none},
    {"logfile", Kind::string, 0, 0, "", false, Check::none},
    {"loglevel", Kind::enumeration, 0, 0, "debug, verbose, notice, warning", false, Check::none},
    {"lua-enable-deprecated-api", Kind::boolean, 0, 0, "", false, Check::none},
    {"lua-time-limit", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"masterauth", Kind::string, 0, 0, "", false, Check::none},
    {"masteruser", Kind::string, 0, 0, "", false, Check::none},
    {"maxclients", Kind::integer, 1, kUIntMax, "", false, Check::none},
    {"maxmemory", Kind::memory_unsigned, 0, kLLMax, "", false, Check::none},
    {"maxmemory-clients", Kind::memory_percent, -100, kLLMax, "", false, Check::none},
    {"maxmemory-eviction-tenacity", Kind::integer, 0, 100, "", false, Check::none},
    {"maxmemory-policy", Kind::enumeration, 0, 0,
     "volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, "
     "allkeys-random, noeviction",
     false, Check::none},
    {"maxmemory-samples", Kind::integer, 1, kIntMax, "", false, Check::none},
    {"min-replicas-max-lag", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"min-replicas-to-write", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"min-slaves-max-lag", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"min-slaves-to-write", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"no-appendfsync-on-rewrite", Kind::boolean, 0, 0, "", false, Check::none},
    {"notify-keyspace-events", Kind::special, 0, 0, "", false, Check::none},
    {"oom-score-adj", Kind::enumeration, 0, 0, "no, yes, relative, absolute", false, Check::none},
    {"oom-score-adj-values", Kind::special, 0, 0, "", false, Check::none},
    {"pidfile", Kind::string, 0, 0, "", false, Check::none},
    {"port", Kind::integer, 0, 65535, "", false, Check::none},
    {"proc-title-template", Kind::string, 0, 0, "", false, Check::proc_title},
    {"propagation-error-behavior", Kind::enumeration, 0, 0, "ignore, panic, panic-on-replicas",
     false, Check::none},
    {"protected-mode", Kind::boolean, 0, 0, "", false, Check::none},
    {"proto-max-bulk-len", Kind::memory, 1048576, kLLMax, "", false, Check::none},
    {"rdb-del-sync-files", Kind::boolean, 0, 0, "", false, Check::none},
    {"rdb-key-save-delay", Kind::integer, kIntMin, kIntMax, "", false, Check::none},
    {"rdb-save-incremental-fsync", Kind::boolean, 0, 0, "", false, Check::none},
    {"rdbchecksum", Kind::boolean, 0, 0, "", false, Check::none},
    {"rdbcompression", Kind::boolean, 0, 0, "", false, Check::none},
    {"repl-backlog-size", Kind::memory, 1, kLLMax, "", false, Check::none},
    {"repl-backlog-ttl", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"repl-disable-tcp-nodelay", Kind::boolean, 0, 0, "", false, Check::none},
    {"repl-diskless-load", Kind::enumeration, 0, 0, "disabled, on-empty-db, swapdb", false,
     Check::none},
    {"repl-diskless-sync", Kind::boolean, 0, 0, "", false, Check::none},
    {"repl-diskless-sync-delay", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"repl-diskless-sync-max-replicas", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"repl-ping-replica-period", Kind::integer, 1, kIntMax, "", false, Check::none},
    {"repl-ping-slave-period", Kind::integer, 1, kIntMax, "", false, Check::none},
    {"repl-timeout", Kind::integer, 1, kIntMax, "", false, Check::none},
    {"replica-announce-ip", Kind::string, 0, 0, "", false, Check::none},
    {"replica-announce-port", Kind::integer, 0, 65535, "", false, Check::none},
    {"replica-announced", Kind::boolean, 0, 0, "", false, Check::none},
    {"replica-ignore-disk-write-errors", Kind::boolean, 0, 0, "", false, Check::none},
    {"replica-ignore-maxmemory", Kind::boolean, 0, 0, "", false, Check::none},
    {"replica-lazy-flush", Kind::boolean, 0, 0, "", false, Check::none},
    {"replica-priority", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"replica-read-only", Kind::boolean, 0, 0, "", false, Check::none},
    {"replica-serve-stale-data", Kind::boolean, 0, 0, "", false, Check::none},
    {"replicaof", Kind::special, 0, 0, "", false, Check::none},
    {"requirepass", Kind::string, 0, 0, "", false, Check::none},
    {"sanitize-dump-payload", Kind::enumeration, 0, 0, "no, yes, clients", false, Check::none},
    {"save", Kind::special, 0, 0, "", false, Check::none},
    {"server_cpulist", Kind::string, 0, 0, "", false, Check::none},
    {"set-max-intset-entries", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"set-proc-title", Kind::boolean, 0, 0, "", false, Check::none},
    {"shutdown-on-sigint", Kind::enumeration, 0, 0, "default, save, nosave, now, force", true,
     Check::none},
    {"shutdown-on-sigterm", Kind::enumeration, 0, 0, "default, save, nosave, now, force", true,
     Check::none},
    {"shutdown-timeout", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"slave-announce-ip", Kind::string, 0, 0, "", false, Check::none},
    {"slave-announce-port", Kind::integer, 0, 65535, "", false, Check::none},
    {"slave-ignore-maxmemory", Kind::boolean, 0, 0, "", false, Check::none},
    {"slave-lazy-flush", Kind::boolean, 0, 0, "", false, Check::none},
    {"slave-priority", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"slave-read-only", Kind::boolean, 0, 0, "", false, Check::none},
    {"slave-serve-stale-data", Kind::boolean, 0, 0, "", false, Check::none},
    {"slaveof", Kind::special, 0, 0, "", false, Check::none},
    {"slowlog-log-slower-than", Kind::integer, -1, kLLMax, "", false, Check::none},
    {"slowlog-max-len", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"socket-mark-id", Kind::integer, 0, kUIntMax, "", false, Check::none},
    {"stop-writes-on-bgsave-error", Kind::boolean, 0, 0, "", false, Check::none},
    {"stream-node-max-bytes", Kind::memory, 0, kLLMax, "", false, Check::none},
    {"stream-node-max-entries", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"supervised", Kind::enumeration, 0, 0, "upstart, systemd, auto, no", false, Check::none},
    {"syslog-enabled", Kind::boolean, 0, 0, "", false, Check::none},
    {"syslog-facility", Kind::enumeration, 0, 0,
     "user, local0, local1, local2, local3, local4, local5, local6, local7", false, Check::none},
    {"syslog-ident", Kind::string, 0, 0, "", false, Check::none},
    {"tcp-backlog", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"tcp-keepalive", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"timeout", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"tls-auth-clients", Kind::enumeration, 0, 0, "no, yes, optional", false, Check::none},
    {"tls-ca-cert-dir", Kind::string, 0, 0, "", false, Check::none},
    {"tls-ca-cert-file", Kind::string, 0, 0, "", false, Check::none},
    {"tls-cert-file", Kind::string, 0, 0, "", false, Check::none},
    {"tls-ciphers", Kind::string, 0, 0, "", false, Check::none},
    {"tls-ciphersuites", Kind::string, 0, 0, "", false, Check::none},
    {"tls-client-cert-file", Kind::string, 0, 0, "", false, Check::none},
    {"tls-client-key-file", Kind::string, 0, 0, "", false, Check::none},
    {"tls-client-key-file-pass", Kind::string, 0, 0, "", false, Check::none},
    {"tls-cluster", Kind::boolean, 0, 0, "", false, Check::none},
    {"tls-dh-params-file", Kind::string, 0, 0, "", false, Check::none},
    {"tls-key-file", Kind::string, 0, 0, "", false, Check::none},
    {"tls-key-file-pass", Kind::string, 0, 0, "", false, Check::none},
    {"tls-port", Kind::integer, 0, 65535, "", false, Check::none},
    {"tls-prefer-server-ciphers", Kind::boolean, 0, 0, "", false, Check::none},
    {"tls-protocols", Kind::string, 0, 0, "", false, Check::none},
    {"tls-replication", Kind::boolean, 0, 0, "", false, Check::none},
    {"tls-session-cache-size", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"tls-session-cache-timeout", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"tls-session-caching", Kind::boolean, 0, 0, "", false, Check::none},
    {"tracking-table-max-keys", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"unixsocket", Kind::string, 0, 0, "", false, Check::none},
    {"unixsocketperm", Kind::octal, 0, 511, "", false, Check::none},
    {"use-exit-on-panic", Kind::boolean, 0, 0, "", false, Check::none},
    {"watchdog-period", Kind::integer, 0, kIntMax, "", false, Check::none},
    {"zset-max-listpack-entries", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"zset-max-listpack-value", Kind::memory, 0, kLLMax, "", false, Check::none},
    {"zset-max-ziplist-entries", Kind::integer, 0, kLLMax, "", false, Check::none},
    {"zset-max-ziplist-value", Kind::memory, 0, kLLMax, "", false, Check::none},
};

constexpr std::array<std::string_view, 15> kSentinelCommands = {
    "acl",  "auth",     "client",     "command",   "hello",
    "info", "ping",     "psubscribe", "publish",   "punsubscribe",
    "role", "sentinel", "shutdown",   "subscribe", "unsubscribe",
};

bool is_sorted_table() {
    return std::is_sorted(
        std::begin(kDirectives), std::end(kDirectives),
        [](const DirectiveSpec& a, const DirectiveSpec& b) { return a.name < b.name; });
}

}  // namespace

const DirectiveSpec* find_directive(std::string_view lower_name) {
    static const bool sorted = is_sorted_table();
    if (!sorted) {
        // A table edited out of order still works, only slower.
        for (const auto& d : kDirectives) {
            if (d.name == lower_name) {
                return &d;
            }
        }
        return nullptr;
    }
    const auto* it = std::lower_bound(
        std::begin(kDirectives), std::end(kDirectives), lower_name,
        [](const DirectiveSpec& d, std::string_view name) { return d.name < name; });
    if (it != std::end(kDirectives) && it->name == lower_name) {
        return it;
    }
    return nullptr;
}

std::span<const std::string_view> sentinel_commands() {
    return kSentinelCommands;
}

bool is_sentinel_command(std::string_view name) {
    std::string lower(name);
    for (auto& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return std::find(kSentinelCommands.begin(), kSentinelCommands.end(), lower) !=
           kSentinelCommands.end();
}

}  // namespace sentinel::config::detail
