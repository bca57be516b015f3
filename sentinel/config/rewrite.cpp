// Config rewrite: the per-key "replace in place" algorithm of Redis's rewriteConfig, restricted to
// the server options we model, the `user` lines and the lines rewriteConfigSentinelOption
// produces.

#include "sentinel/config/rewrite.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/tokenize.hpp"

namespace sentinel::config {
namespace {

// Values at which Redis does not force a line into the file (SENTINEL_DEFAULT_* in sentinel.c).
constexpr std::int64_t kDefaultDownAfterMs = 30000;
constexpr std::int64_t kDefaultFailoverTimeoutMs = 180000;
constexpr int kDefaultParallelSyncs = 1;
constexpr bool kDefaultDenyScriptsReconfig = true;
constexpr bool kDefaultResolveHostnames = false;
constexpr bool kDefaultAnnounceHostnames = false;

// Defaults of Redis's config table (config.c), which the rewrite compares against even in
// sentinel mode: that is why a sentinel always writes `port 26379` and `protected-mode no`.
constexpr int kTableDefaultPort = 6379;
constexpr bool kTableDefaultProtectedMode = true;
constexpr int kDefaultMaxClients = 10000;
constexpr int kDefaultTimeout = 0;
constexpr int kDefaultTcpKeepalive = 300;
constexpr int kDefaultTcpBacklog = 511;
constexpr std::int64_t kDefaultAcllogMaxLen = 128;
constexpr std::string_view kDefaultSyslogIdent = "redis";
constexpr std::string_view kDefaultSyslogFacility = "local0";
// The pid file a daemonized Redis creates when none is configured (CONFIG_DEFAULT_PID_FILE);
// createPidFile() stores it in server.pidfile, so the rewrite writes it.
constexpr std::string_view kDaemonPidfile = "/var/run/redis.pid";

// Every key the rewrite owns. Redis marks all of them as processed, so old lines of these keys
// that received no new line are dropped (e.g. a removed master's lines, an auth-pass that was
// cleared, a duplicate `port` line, the default `bind`), while other directives and `sentinel`
// lines with any other subcommand stay untouched.
constexpr std::array<std::string_view, 45> kOwnedKeys = {
    "port",
    "bind",
    "unixsocket",
    "unixsocketperm",
    "protected-mode",
    "tcp-backlog",
    "timeout",
    "tcp-keepalive",
    "daemonize",
    "pidfile",
    "loglevel",
    "logfile",
    "syslog-enabled",
    "syslog-ident",
    "syslog-facility",
    "maxclients",
    "requirepass",
    "aclfile",
    "acllog-max-len",
    "acl-pubsub-default",
    "dir",
    "user",
    "sentinel myid",
    "sentinel deny-scripts-reconfig",
    "sentinel resolve-hostnames",
    "sentinel announce-hostnames",
    "sentinel monitor",
    "sentinel down-after-milliseconds",
    "sentinel failover-timeout",
    "sentinel parallel-syncs",
    "sentinel notification-script",
    "sentinel client-reconfig-script",
    "sentinel auth-pass",
    "sentinel auth-user",
    "sentinel master-reboot-down-after-period",
    "sentinel config-epoch",
    "sentinel leader-epoch",
    "sentinel known-replica",
    "sentinel known-sentinel",
    "sentinel rename-command",
    "sentinel current-epoch",
    "sentinel announce-ip",
    "sentinel announce-port",
    "sentinel sentinel-user",
    "sentinel sentinel-pass",
};

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = ascii_lower(c);
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

constexpr std::string_view kSpace = " \t\r\v\f";

bool is_blank(std::string_view s) {
    return s.find_first_not_of(kSpace) == std::string_view::npos;
}

std::string_view trim(std::string_view s) {
    const std::size_t first = s.find_first_not_of(kSpace);
    if (first == std::string_view::npos) {
        return {};
    }
    return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// Redis writes most values with a bare %s, which yields a line that no longer loads when the
// value holds a space or a quote. quote_arg keeps ordinary values plain, exactly as Redis writes
// them, and quotes only the others.
std::string arg(std::string_view value) {
    return quote_arg(value);
}

const char* yes_no(bool v) {
    return v ? "yes" : "no";
}

// One line produced by the rewrite: `force` = append it even if the old file has no line of `key`.
struct NewLine {
    std::string_view key;
    std::string text;
    bool force = true;
};

using Emit = std::function<void(std::string_view key, std::string text, bool force)>;

const char* loglevel_name(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "debug";
        case LogLevel::verbose:
            return "verbose";
        case LogLevel::notice:
            return "notice";
        case LogLevel::warning:
        case LogLevel::nothing:
            // 7.0 has no "nothing" level (and would not load it); the parser never yields it.
            break;
    }
    return "warning";
}

// sdscatprintf("%llo"): unixsocketperm is written in octal, without a leading zero.
std::string octal(int value) {
    std::string out;
    auto v = static_cast<unsigned int>(value);
    do {
        out.insert(out.begin(), static_cast<char>('0' + (v & 7U)));
        v >>= 3U;
    } while (v != 0);
    return out;
}

// The server options we model, each with the rule of its Redis rewrite function (numeric, yes/no,
// enum, octal and string options, bind, dir, requirepass), then rewriteConfigUserOption. Each rule
// was checked against redis-sentinel 7.0.15's output (tests/unit/rewrite_test.cpp).
void render_server(const ServerConfig& s, const RewriteContext& ctx, const Emit& emit) {
    const auto number = [&emit](std::string_view key, std::int64_t value, std::int64_t def) {
        emit(key, std::string(key) + " " + std::to_string(value), value != def);
    };
    const auto yes_no_option = [&emit](std::string_view key, bool value, bool def) {
        emit(key, std::string(key) + " " + yes_no(value), value != def);
    };
    const auto word = [&emit](std::string_view key, std::string_view value, std::string_view def) {
        emit(key, std::string(key) + " " + std::string(value), value != def);
    };
    // String options: Redis writes them with sdscatrepr. An unset (NULL) value writes nothing.
    const auto string_option = [&emit](std::string_view key, std::string_view value, bool force) {
        emit(key, std::string(key) + " " + repr_arg(value), force);
    };

    number("port", s.port, kTableDefaultPort);
    // The default list writes nothing (and removes old lines); an empty list is `bind ""`.
    if (s.bind != std::vector<std::string>{"*", "-::*"}) {
        std::string line = "bind";
        for (const std::string& address : s.bind) {
            line += " " + arg(address);
        }
        if (s.bind.empty()) {
            line += " \"\"";
        }
        emit("bind", std::move(line), true);
    }
    if (!s.unixsocket.empty()) {
        string_option("unixsocket", s.unixsocket, true);
    }
    emit("unixsocketperm", "unixsocketperm " + octal(s.unixsocketperm), s.unixsocketperm != 0);
    yes_no_option("protected-mode", s.protected_mode, kTableDefaultProtectedMode);
    number("tcp-backlog", s.tcp_backlog, kDefaultTcpBacklog);
    number("timeout", s.timeout_s, kDefaultTimeout);
    number("tcp-keepalive", s.tcp_keepalive_s, kDefaultTcpKeepalive);
    yes_no_option("daemonize", s.daemonize, false);
    const std::string_view pidfile = !s.pidfile.empty()
                                         ? std::string_view(s.pidfile)
                                         : (s.daemonize ? kDaemonPidfile : std::string_view());
    if (!pidfile.empty()) {
        string_option("pidfile", pidfile, true);
    }
    word("loglevel", loglevel_name(s.loglevel), "notice");
    string_option("logfile", s.logfile, !s.logfile.empty());
    yes_no_option("syslog-enabled", s.syslog_enabled, false);
    string_option("syslog-ident", s.syslog_ident, s.syslog_ident != kDefaultSyslogIdent);
    word("syslog-facility", s.syslog_facility, kDefaultSyslogFacility);
    number("maxclients", s.maxclients, kDefaultMaxClients);
    // Redis writes the requirepass it was configured with (the default user's current password
    // is in its `user default` line).
    if (s.requirepass) {
        string_option("requirepass", *s.requirepass, true);
    }
    string_option("aclfile", s.aclfile, !s.aclfile.empty());
    number("acllog-max-len", s.acllog_max_len, kDefaultAcllogMaxLen);
    word("acl-pubsub-default", s.acl_pubsub_allchannels ? "allchannels" : "resetchannels",
         "resetchannels");
    if (!ctx.cwd.empty()) {
        string_option("dir", ctx.cwd, true);
    }

    // With an ACL file the users are saved there (ACL SAVE), never in the config.
    if (!s.aclfile.empty()) {
        return;
    }
    std::vector<const std::vector<std::string>*> users;
    for (const auto& user : s.users) {
        if (!user.empty()) {
            users.push_back(&user);
        }
    }
    std::stable_sort(users.begin(), users.end(),
                     [](const auto* a, const auto* b) { return a->front() < b->front(); });
    for (const auto* user : users) {
        std::string line = "user";
        for (const std::string& word_arg : *user) {
            line += " " + arg(word_arg);
        }
        emit("user", std::move(line), true);
    }
}

// The lines rewriteConfig emits, in its order: server options and users, then the lines of
// rewriteConfigSentinelOption.
std::vector<NewLine> render(const Config& cfg, const RewriteContext& ctx) {
    std::vector<NewLine> out;
    auto emit = [&out](std::string_view key, std::string text, bool force = true) {
        out.push_back(NewLine{key, std::move(text), force});
    };
    render_server(cfg.server, ctx, emit);

    const SentinelConfig& s = cfg.sentinel;

    // An empty id would write "sentinel myid" with no argument, which does not load; the key is
    // still owned, so stale myid lines go away.
    if (!s.myid.empty()) {
        emit("sentinel myid", "sentinel myid " + arg(s.myid));
    }
    emit("sentinel deny-scripts-reconfig",
         std::string("sentinel deny-scripts-reconfig ") + yes_no(s.deny_scripts_reconfig),
         s.deny_scripts_reconfig != kDefaultDenyScriptsReconfig);
    emit("sentinel resolve-hostnames",
         std::string("sentinel resolve-hostnames ") + yes_no(s.resolve_hostnames),
         s.resolve_hostnames != kDefaultResolveHostnames);
    emit("sentinel announce-hostnames",
         std::string("sentinel announce-hostnames ") + yes_no(s.announce_hostnames),
         s.announce_hostnames != kDefaultAnnounceHostnames);

    for (const MasterConfig& m : cfg.masters) {
        const std::string name = arg(m.name);
        // Addresses are written as Redis announces them (announceSentinelAddr).
        const auto address = [&s](const std::string& host, const std::string& ip) {
            return arg(announced_host(host, ip, s.announce_hostnames));
        };
        emit("sentinel monitor", "sentinel monitor " + name + " " + address(m.host, m.ip) + " " +
                                     std::to_string(m.port) + " " + std::to_string(m.quorum));
        if (m.down_after_ms != kDefaultDownAfterMs) {
            emit("sentinel down-after-milliseconds", "sentinel down-after-milliseconds " + name +
                                                         " " + std::to_string(m.down_after_ms));
        }
        if (m.failover_timeout_ms != kDefaultFailoverTimeoutMs) {
            emit("sentinel failover-timeout",
                 "sentinel failover-timeout " + name + " " + std::to_string(m.failover_timeout_ms));
        }
        if (m.parallel_syncs != kDefaultParallelSyncs) {
            emit("sentinel parallel-syncs",
                 "sentinel parallel-syncs " + name + " " + std::to_string(m.parallel_syncs));
        }
        if (!m.notification_script.empty()) {
            emit("sentinel notification-script",
                 "sentinel notification-script " + name + " " + arg(m.notification_script));
        }
        if (!m.client_reconfig_script.empty()) {
            emit("sentinel client-reconfig-script",
                 "sentinel client-reconfig-script " + name + " " + arg(m.client_reconfig_script));
        }
        if (!m.auth_pass.empty()) {
            emit("sentinel auth-pass", "sentinel auth-pass " + name + " " + arg(m.auth_pass));
        }
        if (!m.auth_user.empty()) {
            emit("sentinel auth-user", "sentinel auth-user " + name + " " + arg(m.auth_user));
        }
        if (m.master_reboot_down_after_period_ms != 0) {
            emit("sentinel master-reboot-down-after-period",
                 "sentinel master-reboot-down-after-period " + name + " " +
                     std::to_string(m.master_reboot_down_after_period_ms));
        }
        emit("sentinel config-epoch",
             "sentinel config-epoch " + name + " " + std::to_string(m.config_epoch));
        emit("sentinel leader-epoch",
             "sentinel leader-epoch " + name + " " + std::to_string(m.leader_epoch));
        for (const KnownReplica& r : m.known_replicas) {
            emit("sentinel known-replica", "sentinel known-replica " + name + " " +
                                               address(r.host, r.ip) + " " +
                                               std::to_string(r.port));
        }
        for (const KnownSentinel& k : m.known_sentinels) {
            // Redis skips peers whose run id it has not learnt yet (no hello received).
            if (k.run_id.empty()) {
                continue;
            }
            emit("sentinel known-sentinel", "sentinel known-sentinel " + name + " " +
                                                address(k.host, k.ip) + " " +
                                                std::to_string(k.port) + " " + arg(k.run_id));
        }
        for (const auto& [command, renamed] : m.rename_commands) {
            emit("sentinel rename-command",
                 "sentinel rename-command " + name + " " + arg(command) + " " + arg(renamed));
        }
    }

    emit("sentinel current-epoch", "sentinel current-epoch " + std::to_string(s.current_epoch));
    if (!s.announce_ip.empty()) {
        emit("sentinel announce-ip", "sentinel announce-ip " + repr_arg(s.announce_ip));
    }
    if (s.announce_port != 0) {
        emit("sentinel announce-port", "sentinel announce-port " + std::to_string(s.announce_port));
    }
    if (!s.sentinel_user.empty()) {
        emit("sentinel sentinel-user", "sentinel sentinel-user " + arg(s.sentinel_user));
    }
    if (!s.sentinel_pass.empty()) {
        emit("sentinel sentinel-pass", "sentinel sentinel-pass " + arg(s.sentinel_pass));
    }
    return out;
}

// One line of the old file. `eol` is kept so untouched and reused lines keep their terminator
// (CRLF files stay CRLF); it is empty only for a last line without a final newline.
struct OldLine {
    std::string text;
    std::string_view eol;
    bool removed = false;
};

std::vector<OldLine> split_lines(std::string_view text) {
    std::vector<OldLine> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) {
            lines.push_back(OldLine{std::string(text.substr(pos)), ""});
            break;
        }
        std::string_view body = text.substr(pos, nl - pos);
        if (!body.empty() && body.back() == '\r') {
            body.remove_suffix(1);
            lines.push_back(OldLine{std::string(body), "\r\n"});
        } else {
            lines.push_back(OldLine{std::string(body), "\n"});
        }
        pos = nl + 1;
    }
    return lines;
}

// The rewrite key of a line: the lower-case directive name, or "sentinel <sub>" for sentinel
// lines (Redis's option map compares keys case-insensitively), or nothing for comments and
// unparsable lines. `known-slave` shares the `known-replica` key, as in Redis 7.2: 7.0 leaves such
// lines in place and then writes the same replicas again as known-replica, which its own loader
// rejects as duplicates.
std::optional<std::string> line_key(std::string_view text) {
    const std::string_view body = trim(text);
    if (body.empty() || body.front() == '#') {
        return std::nullopt;
    }
    auto args = split_args(text);
    if (!args || args->empty()) {
        return std::nullopt;
    }
    std::string name = to_lower((*args)[0]);
    if (name != "sentinel") {
        return name;
    }
    if (args->size() < 2) {
        return std::nullopt;
    }
    std::string sub = to_lower((*args)[1]);
    if (sub == "known-slave") {
        sub = "known-replica";
    }
    return "sentinel " + sub;
}

// Keys whose first value is read case-insensitively by the loader (yes/no and enum options).
bool folded_value(std::string_view key) {
    static constexpr std::array<std::string_view, 9> kKeys = {
        "sentinel deny-scripts-reconfig",
        "sentinel resolve-hostnames",
        "sentinel announce-hostnames",
        "protected-mode",
        "daemonize",
        "syslog-enabled",
        "loglevel",
        "syslog-facility",
        "acl-pubsub-default",
    };
    return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

// True when the old line already says what the new one says, so its spelling (quotes, case,
// spacing) can stay. Directive words, yes/no and enum values and rename-command's command name
// are read case-insensitively by the loader, so they compare that way; everything else exactly.
bool same_arguments(std::string_view key, std::string_view old_text, std::string_view new_text) {
    auto a = split_args(old_text);
    auto b = split_args(new_text);
    if (!a || !b || a->size() != b->size() || b->empty()) {
        return false;
    }
    // The words naming the key: "sentinel <sub>" or the directive.
    const std::size_t name_words = key.starts_with("sentinel ") ? 2 : 1;
    const bool fold_value = folded_value(key);
    for (std::size_t i = 0; i < b->size(); ++i) {
        const bool fold = i < name_words || (fold_value && i == name_words) ||
                          (key == "sentinel rename-command" && i == 3);
        if (fold ? !iequals((*a)[i], (*b)[i]) : (*a)[i] != (*b)[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string rewrite_config(std::string_view original_text, const Config& cfg,
                           const RewriteContext& ctx) {
    std::vector<OldLine> lines = split_lines(original_text);

    // Old lines per key, in file order: the k-th new line of a key reuses the k-th old one.
    std::map<std::string, std::deque<std::size_t>, std::less<>> slots;
    bool has_signature = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (auto key = line_key(lines[i].text)) {
            slots[*key].push_back(i);
        } else if (trim(lines[i].text) == kRewriteSignature) {
            // Redis compares the trimmed line; one signature anywhere suppresses a second one.
            has_signature = true;
        }
    }

    std::vector<std::string> appended;
    for (NewLine& nl : render(cfg, ctx)) {
        auto it = slots.find(nl.key);
        if (it != slots.end() && !it->second.empty()) {
            OldLine& old = lines[it->second.front()];
            it->second.pop_front();
            if (!same_arguments(nl.key, old.text, nl.text)) {
                old.text = std::move(nl.text);
            }
        } else if (nl.force) {
            appended.push_back(std::move(nl.text));
        }
    }

    // Old lines of an owned key that found no new line are stale state: drop them.
    for (std::string_view key : kOwnedKeys) {
        auto it = slots.find(key);
        if (it == slots.end()) {
            continue;
        }
        for (std::size_t idx : it->second) {
            lines[idx].removed = true;
        }
    }

    std::string out;
    out.reserve(original_text.size() + 64 * appended.size());
    const OldLine* last = nullptr;
    for (const OldLine& line : lines) {
        if (line.removed) {
            continue;
        }
        out += line.text;
        out += line.eol;
        last = &line;
    }
    if (appended.empty()) {
        return out;
    }
    if (last != nullptr && last->eol.empty()) {
        out += '\n';
    }
    if (!has_signature) {
        // Redis splits a file ending in "\n" into lines plus one trailing empty line, which ends
        // up between the old content and the signature; reproduce that single separator.
        if (last != nullptr && !last->eol.empty() && !is_blank(last->text)) {
            out += '\n';
        }
        out += kRewriteSignature;
        out += '\n';
    }
    for (const std::string& text : appended) {
        out += text;
        out += '\n';
    }
    return out;
}

std::string rewrite_config(std::string_view original_text, const Config& cfg) {
    RewriteContext ctx;
    // getcwd() into a growing buffer; on failure Redis writes no `dir` (empty cwd does that).
    std::string buf(PATH_MAX, '\0');
    while (::getcwd(buf.data(), buf.size()) == nullptr) {
        if (errno != ERANGE) {
            buf.clear();
            break;
        }
        buf.resize(buf.size() * 2);
    }
    ctx.cwd = buf.c_str();
    return rewrite_config(original_text, cfg, ctx);
}

}  // namespace sentinel::config
