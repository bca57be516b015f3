#pragma once
// The sentinel.conf data model and its parser (redis.conf directives plus `sentinel ...` lines).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/util/expected.hpp"

namespace sentinel::config {

/// The Redis version we are wire-compatible with; reported where redis-sentinel reports its own.
inline constexpr std::string_view kRedisCompatVersion = "7.0.15";

/// A peer sentinel remembered in the config (`sentinel known-sentinel <m> <ip> <port> <runid>`).
/// `host` and `ip` as in MasterConfig.
struct KnownSentinel {
    KnownSentinel() = default;
    /// `ip` may be left out where `host` is a normalized IP literal.
    KnownSentinel(std::string host_, int port_, std::string run_id_, std::string ip_ = {})
        : host(std::move(host_)), port(port_), run_id(std::move(run_id_)), ip(std::move(ip_)) {}
    std::string host;
    int port = 0;
    std::string run_id;
    std::string ip;
    friend bool operator==(const KnownSentinel&, const KnownSentinel&) = default;
};

/// A replica remembered in the config (`sentinel known-replica <m> <ip> <port>`). `host` and
/// `ip` as in MasterConfig.
struct KnownReplica {
    KnownReplica() = default;
    /// `ip` may be left out where `host` is a normalized IP literal.
    KnownReplica(std::string host_, int port_, std::string ip_ = {})
        : host(std::move(host_)), port(port_), ip(std::move(ip_)) {}
    std::string host;
    int port = 0;
    std::string ip;
    friend bool operator==(const KnownReplica&, const KnownReplica&) = default;
};

/// Everything configured or persisted for one monitored master.
struct MasterConfig {
    std::string name;
    /// The address as written (sentinelAddr.hostname): an IP literal in any form glibc accepts
    /// (127.1, fe80::1%lo), or a host name when resolve-hostnames is on.
    std::string host;
    /// What `host` resolved to (sentinelAddr.ip), when that is not `host` itself: a host
    /// name's address, or a literal normalized (127.1 -> 127.0.0.1, fe80::1%lo -> fe80::1).
    /// Empty when `host` is already a normalized IP literal, or a name that did not resolve.
    std::string ip;
    int port = 0;
    int quorum = 0;
    std::int64_t down_after_ms = 30000;
    std::int64_t failover_timeout_ms = 180000;
    int parallel_syncs = 1;
    std::int64_t master_reboot_down_after_period_ms = 0;
    std::string notification_script;     ///< empty = none
    std::string client_reconfig_script;  ///< empty = none
    std::string auth_pass;               ///< empty = none
    std::string auth_user;               ///< empty = none
    /// rename-command table: canonical upper-case command name -> name to send.
    std::map<std::string, std::string> rename_commands;
    std::uint64_t config_epoch = 0;
    std::uint64_t leader_epoch = 0;
    std::vector<KnownReplica> known_replicas;
    std::vector<KnownSentinel> known_sentinels;
    friend bool operator==(const MasterConfig&, const MasterConfig&) = default;
};

/// Global `sentinel ...` directives.
struct SentinelConfig {
    std::string myid;  ///< 40 hex chars; empty until generated
    std::uint64_t current_epoch = 0;
    std::string announce_ip;
    int announce_port = 0;
    bool resolve_hostnames = false;
    bool announce_hostnames = false;
    bool deny_scripts_reconfig = true;
    std::string sentinel_user;
    std::string sentinel_pass;
    friend bool operator==(const SentinelConfig&, const SentinelConfig&) = default;
};

/// Log verbosity, as redis `loglevel`.
enum class LogLevel { debug, verbose, notice, warning, nothing };

/// The redis.conf directives a sentinel process honours; any other valid redis.conf directive is
/// accepted and kept only in the file text.
struct ServerConfig {
    int port = 26379;
    /// Addresses to listen on; a leading '-' marks an optional address (Redis syntax).
    std::vector<std::string> bind = {"*", "-::*"};
    bool protected_mode = false;  ///< sentinel mode default is "no"
    bool daemonize = false;
    std::string pidfile;
    std::string logfile;  ///< empty = stdout
    LogLevel loglevel = LogLevel::notice;
    /// Where the `dir` lines lead, as successive chdir() calls would (a relative dir after another
    /// is joined to it); empty = stay in the start directory.
    std::string dir;
    std::optional<std::string> requirepass;
    /// Each `user <name> <rules...>` line, args after "user".
    std::vector<std::vector<std::string>> users;
    int maxclients = 10000;
    int timeout_s = 0;
    int tcp_keepalive_s = 300;
    int tcp_backlog = 511;
    std::string unixsocket;
    /// rename-command for the commands we serve: lower-case name -> new name ("" disables).
    std::map<std::string, std::string> rename_commands;
    std::string aclfile;  ///< empty = none
    std::int64_t acllog_max_len = 128;
    int unixsocketperm = 0;  ///< parsed from octal; 0 = leave the umask's default
    /// acl-pubsub-default: true = new users start with allchannels (Redis 7.0 default: false).
    bool acl_pubsub_allchannels = false;
    bool syslog_enabled = false;
    std::string syslog_ident = "redis";
    std::string syslog_facility = "local0";
    friend bool operator==(const ServerConfig&, const ServerConfig&) = default;
};

/// A whole parsed configuration.
struct Config {
    ServerConfig server;
    SentinelConfig sentinel;
    std::vector<MasterConfig> masters;  ///< in the order their `sentinel monitor` lines appear

    const MasterConfig* find_master(std::string_view name) const;
    MasterConfig* find_master(std::string_view name);
};

/// Where and why a configuration failed to load.
struct ConfigError {
    /// 1-based line number in the text (or included file) being read; 0 = none, as for checks
    /// Redis runs after the last line ("Can't open the log file: ...").
    int line = 0;
    std::string text;  ///< the offending line as written (trimmed, as Redis prints it)
    /// Redis's reason text, e.g. "Unrecognized sentinel configuration statement.".
    std::string reason;
    /// True when Redis reports the failure as a plain log line and exits instead of printing the
    /// FATAL CONFIG FILE ERROR block (an `include` it cannot open:
    /// "Fatal error, can't open config file 'x': No such file or directory").
    bool log_line = false;
};

/// Knobs for parse_config; the defaults behave like redis-sentinel.
struct ParseOptions {
    /// Look at the file system as Redis does while loading: `dir` must be an enterable
    /// directory, scripts must be executable, the log file must be writable, `include` reads
    /// files. Off: none of these checks run and `include` lines are accepted but not read
    /// (for fuzzing and for tests independent of the machine).
    bool check_filesystem = true;
    /// Deepest `include` nesting followed before failing (Redis recurses until it crashes).
    int max_include_depth = 16;
    /// Resolves a host name in `sentinel monitor`, known-replica and known-sentinel lines when
    /// resolve-hostnames is yes, as anetResolve() without ANET_IP_ONLY: the IP text, or nullopt.
    /// Asked about names only (IP literals are normalized without it). Empty (fuzzing, tests
    /// independent of the machine's resolver): names are kept unresolved, with an empty ip,
    /// and nothing is logged about them.
    std::function<std::optional<std::string>(const std::string& host)> resolve;
    /// Receives the warnings Redis logs while it loads the file ("Failed to resolve hostname
    /// 'x'"), with the server directives read so far, so they can go where Redis writes them
    /// (the `logfile` if one was set, else stdout) and before any FATAL CONFIG FILE ERROR.
    std::function<void(const ServerConfig& server, const std::string& message)> warn;
};

/// The system resolver as Redis uses it (anetResolve() without ANET_IP_ONLY): a blocking
/// getaddrinfo() for any address family, the first answer as IP text; nullopt when the name
/// does not resolve. For ParseOptions::resolve and the core's CoreServices::resolve.
std::optional<std::string> resolve_hostname(const std::string& host);

/// `ip` as the config structs hold it: empty when it is `host` itself.
inline std::string distinct_ip(const std::string& host, const std::string& ip) {
    return ip == host ? std::string() : ip;
}

/// The address Redis shows, persists and announces for an instance (announceSentinelAddr):
/// `host` as written with announce-hostnames, else the resolved `ip`. Unlike Redis, an address
/// that never resolved is shown by its host name: Redis shows an empty string and persists it
/// as a missing token ("sentinel monitor m  6379 2"), which its own loader then rejects.
std::string announced_host(const std::string& host, const std::string& ip, bool announce_hostnames);

/// Parses a sentinel.conf text. `extra` holds lines from the command line, as built by
/// parse_command_line (Redis's form: `--port 26380` -> `port "26380"`), appended after the file
/// the way Redis appends them (text + "\n" + lines joined by "\n"), so their line numbers
/// continue after the file's: with a file ending in a newline the first extra line is numbered
/// (lines in the file) + 2. Sentinel directives are applied in Redis's order: pre-monitor
/// globals, then `monitor` lines, then the rest, so per-master lines may precede their monitor;
/// an error still reports the offending line's own number and text. Relative paths (include,
/// scripts, log file, a relative `dir`) are taken from the process's working directory as
/// changed by earlier `dir` lines, as Redis's chdir() makes them.
Expected<Config, ConfigError> parse_config(std::string_view text,
                                           const std::vector<std::string>& extra = {});
Expected<Config, ConfigError> parse_config(std::string_view text,
                                           const std::vector<std::string>& extra,
                                           const ParseOptions& options);

/// The message redis-sentinel prints for a fatal config error: "\n*** FATAL CONFIG FILE ERROR
/// (Redis 7.0.15) ***\nReading the configuration file, at line N\n>>> 'line'\nreason\n".
/// Without a line number the two middle lines are left out, as Redis does; for a `log_line`
/// error only "reason\n" is returned (Redis logs it as a warning).
std::string format_fatal(const ConfigError& err);

/// Result of reading the command line.
struct CommandLine {
    std::string config_file;         ///< empty if none given
    std::vector<std::string> extra;  ///< config lines built from `--name args...`
    bool version = false;
    bool help = false;
    /// A lone "-" first or last: Redis would read config from stdin (and a sentinel then has no
    /// config file on disk, so it refuses to start).
    bool config_from_stdin = false;
};

/// Turns the arguments after the program name (argv[1..]) into a config file path plus extra
/// config lines, exactly as redis-server 7.0's main() builds them: the first argument is the
/// config file unless it starts with '-'; `-v`/`--version` and `-h`/`--help` count only as the
/// first argument; every `--name` starts a line "name" and each following argument is appended
/// as a quoted value (sdscatrepr), so `--port 26380 --sentinel announce-ip 1.2.3.4` gives
/// {`port "26380"`, `sentinel "announce-ip" "1.2.3.4"`}. A bare `--sentinel` becomes the line
/// "sentinel", which the parser ignores; `--save` right before another `--option` or at the end
/// becomes `save ""`. Fails only for `--test-memory` and `--check-system`, which we do not offer.
Expected<CommandLine, std::string> parse_command_line(const std::vector<std::string>& argv);

}  // namespace sentinel::config
