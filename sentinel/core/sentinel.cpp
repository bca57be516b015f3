#include "sentinel/core/sentinel.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>

#include "common/util/glob.hpp"
#include "sentinel/core/text.hpp"
#include "sentinel/core/wire.hpp"

namespace sentinel::core {
namespace {

using resp::Value;

// Redis "yes"/"no" parsing (yesnotoi): case-insensitive, anything else is invalid.
std::optional<bool> parse_yes_no(std::string_view s) {
    if (iequals(s, "yes")) {
        return true;
    }
    if (iequals(s, "no")) {
        return false;
    }
    return std::nullopt;
}

std::int64_t ms_since(const Now& now, Millis t) {
    return to_ms(now.mono - t);
}

// Instance lists are flat name/value pairs of bulk strings; RESP3 clients see a map.
class FieldList {
  public:
    void add(std::string_view key, std::string_view value) {
        kv_.push_back(Value::bulk(key));
        kv_.push_back(Value::bulk(value));
    }
    void add(std::string_view key, std::int64_t value) { add(key, std::to_string(value)); }
    Value take() { return Value::map(std::move(kv_)); }

  private:
    std::vector<Value> kv_;
};

// The head every instance kind shares (addReplySentinelRedisInstance's common part).
void add_common_fields(FieldList& f, const Now& now, std::string_view name, std::string_view ip,
                       const InstanceState& inst, std::int64_t down_after_ms,
                       FailoverState failover_state) {
    f.add("name", name);
    f.add("ip", ip);
    f.add("port", inst.port);
    f.add("runid", inst.run_id);
    f.add("flags", format_flags(inst.effective_flags()));
    f.add("link-pending-commands", inst.link->pending_commands);
    f.add("link-refcount", inst.link->refcount);
    if ((inst.flags & kFlagFailoverInProgress) != 0) {
        f.add("failover-state", failover_state_name(failover_state));
    }
    f.add("last-ping-sent",
          inst.link->act_ping_time ? ms_since(now, *inst.link->act_ping_time) : 0);
    f.add("last-ok-ping-reply", ms_since(now, inst.link->last_avail_time));
    f.add("last-ping-reply", ms_since(now, inst.link->last_pong_time));
    if ((inst.flags & kFlagSDown) != 0 && inst.s_down_since) {
        f.add("s-down-time", ms_since(now, *inst.s_down_since));
    }
    if ((inst.flags & kFlagODown) != 0 && inst.o_down_since) {
        f.add("o-down-time", ms_since(now, *inst.o_down_since));
    }
    f.add("down-after-milliseconds", down_after_ms);
}

void add_role_fields(FieldList& f, const Now& now, const InstanceState& inst) {
    f.add("info-refresh", inst.info_refresh ? ms_since(now, *inst.info_refresh) : 0);
    f.add("role-reported", inst.role_reported_master ? "master" : "slave");
    f.add("role-reported-time", ms_since(now, inst.role_reported_time));
}

constexpr std::array<std::string_view, 6> kConfigParams = {
    "resolve-hostnames", "announce-hostnames", "announce-ip",
    "announce-port",     "sentinel-user",      "sentinel-pass",
};

// SENTINEL HELP text, line for line as redis-sentinel 7.0 prints it.
constexpr std::array<std::string_view, 47> kHelpLines = {
    "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CKQUORUM <master-name>",
    "    Check if the current Sentinel configuration is able to reach the quorum",
    "    needed to failover a master and the majority needed to authorize the",
    "    failover.",
    "CONFIG SET <param> <value>",
    "    Set a global Sentinel configuration parameter.",
    "CONFIG GET <param>",
    "    Get global Sentinel configuration parameter.",
    "DEBUG [<param> <value> ...]",
    "    Show a list of configurable time parameters and their values (milliseconds).",
    "    Or update current configurable parameters values (one or more).",
    "GET-MASTER-ADDR-BY-NAME <master-name>",
    "    Return the ip and port number of the master with that name.",
    "FAILOVER <master-name>",
    "    Manually failover a master node without asking for agreement from other",
    "    Sentinels",
    "FLUSHCONFIG",
    "    Force Sentinel to rewrite its configuration on disk, including the current",
    "    Sentinel state.",
    "INFO-CACHE <master-name>",
    "    Return last cached INFO output from masters and all its replicas.",
    "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
    "    Check if the master specified by ip:port is down from current Sentinel's",
    "    point of view.",
    "MASTER <master-name>",
    "    Show the state and info of the specified master.",
    "MASTERS",
    "    Show a list of monitored masters and their state.",
    "MONITOR <name> <ip> <port> <quorum>",
    "    Start monitoring a new master with the specified name, ip, port and quorum.",
    "MYID",
    "    Return the ID of the Sentinel instance.",
    "PENDING-SCRIPTS",
    "    Get pending scripts information.",
    "REMOVE <master-name>",
    "    Remove master from Sentinel's monitor list.",
    "REPLICAS <master-name>",
    "    Show a list of replicas for this master and their state.",
    "RESET <pattern>",
    "    Reset masters for specific master name matching this pattern.",
    "SENTINELS <master-name>",
    "    Show a list of Sentinel instances for this master and their state.",
    "SET <master-name> <option> <value> [<option> <value> ...]",
    "    Set configuration parameters for certain masters.",
    "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
    "    Simulate a Sentinel crash.",
};

// Subcommand arities as in Redis's command table: positive = exact argc, negative = minimum.
struct Subcommand {
    std::string_view name;
    int arity;
};
constexpr std::array<Subcommand, 21> kSubcommands = {{
    {"ckquorum", 3},
    {"config", -3},
    {"debug", -2},
    {"failover", 3},
    {"flushconfig", 2},
    {"get-master-addr-by-name", 3},
    {"help", 2},
    {"info-cache", -3},
    {"is-master-down-by-addr", 6},
    {"master", 3},
    {"masters", 2},
    {"monitor", 6},
    {"myid", 2},
    {"pending-scripts", 2},
    {"remove", 3},
    {"replicas", 3},
    {"reset", 3},
    {"sentinels", 3},
    {"set", -5},
    {"simulate-failure", -3},
    {"slaves", 3},
}};

bool arity_ok(int arity, std::size_t argc) {
    return arity >= 0 ? argc == static_cast<std::size_t>(arity)
                      : argc >= static_cast<std::size_t>(-arity);
}

}  // namespace

Sentinel::Sentinel(const config::Config& cfg, Rng rng, Logger& log, const Now& now,
                   CoreServices services)
    : server_(cfg.server),
      globals_(cfg.sentinel),
      rng_(rng),
      log_(log),
      services_(std::move(services)) {
    if (globals_.myid.empty()) {
        globals_.myid = rng_.hex(40);
        myid_generated_ = true;
    }
    masters_.reserve(cfg.masters.size());
    // The loader resolved the names. An empty ip stands for the host itself when that is an
    // IP literal, else for a name that did not resolve.
    const auto ip_of = [](const std::string& host, const std::string& ip) {
        return ip.empty() ? normalize_ip_literal(host).value_or("") : ip;
    };
    for (const auto& mc : cfg.masters) {
        Master m;
        m.cfg = mc;
        m.inst = fresh_instance(kFlagMaster, mc.host, mc.port, now);
        m.inst.ip = ip_of(mc.host, mc.ip);
        m.cfg.ip = config::distinct_ip(mc.host, m.inst.ip);
        for (const auto& kr : mc.known_replicas) {
            m.replicas.push_back(new_replica(now, kr.host, ip_of(kr.host, kr.ip), kr.port));
        }
        for (const auto& ks : mc.known_sentinels) {
            PeerSentinel s;
            s.inst = fresh_instance(kFlagSentinel, ks.host, ks.port, now);
            s.inst.ip = ip_of(ks.host, ks.ip);
            s.inst.run_id = ks.run_id;
            m.sentinels.push_back(std::move(s));
        }
        masters_.push_back(std::move(m));
    }
    reindex_masters();
    // As the config loader in Redis (sentinelTryConnectionSharing() per known-sentinel): one
    // connection per peer sentinel, not one per master we both monitor.
    std::unordered_map<std::string, std::shared_ptr<InstanceLink>> peer_links;
    for (auto& m : masters_) {
        for (auto& s : m.sentinels) {
            auto [it, added] = peer_links.emplace(s.inst.run_id, s.inst.link);
            if (!added) {
                s.inst.link = it->second;
                ++s.inst.link->refcount;
            }
        }
    }
}

void Sentinel::start(const Now&, Outbox& out) {
    if (myid_generated_) {
        out.persist();
    }
    for (const auto& m : masters_) {
        // A warning about the master, so (as sentinelEvent()) it runs the notification script.
        event(out, LogLevel::warning, wire::kEventMonitor, m, &m.inst, InstanceRole::master,
              " quorum " + std::to_string(m.cfg.quorum));
    }
    // Redis logs it at warning level ('#') so it shows with every loglevel.
    log_.log(LogLevel::warning, "Sentinel ID is " + globals_.myid);
}

std::string Sentinel::announced(const InstanceState& inst) const {
    return config::announced_host(inst.host, inst.ip, globals_.announce_hostnames);
}

std::optional<std::string> Sentinel::resolve_address(const std::string& host) const {
    if (auto literal = normalize_ip_literal(host)) {
        return literal;
    }
    if (!globals_.resolve_hostnames || !services_.resolve) {
        return std::nullopt;
    }
    return services_.resolve(host);
}

Replica Sentinel::new_replica(const Now& now, const std::string& host, const std::string& ip,
                              int port) const {
    Replica r;
    r.inst = fresh_instance(kFlagSlave, host, port, now);
    r.inst.ip = ip;
    r.inst.name = address_and_port(announced(r.inst), port);
    return r;
}

std::vector<std::string> Sentinel::master_names() const {
    std::vector<std::string> names;
    names.reserve(masters_.size());
    for (const auto& m : masters_) {
        names.push_back(m.cfg.name);
    }
    return names;
}

Master* Sentinel::find_master(std::string_view name) {
    const auto it = master_index_.find(name);
    return it == master_index_.end() ? nullptr : &masters_[it->second];
}

void Sentinel::reindex_masters() {
    master_index_.clear();
    master_index_.reserve(masters_.size());
    for (std::size_t i = 0; i < masters_.size(); ++i) {
        master_index_.emplace(masters_[i].cfg.name, i);
    }
}

config::Config Sentinel::snapshot() const {
    config::Config cfg;
    cfg.server = server_;
    cfg.sentinel = globals_;
    for (const auto& m : masters_) {
        config::MasterConfig mc = m.cfg;
        // After promotion the configuration on disk already names the promoted replica as the
        // master (with the failover's config epoch), and the old master stands in for it among
        // the replicas, as Redis's rewrite does: a crash before the switch must not restart
        // us with the new epoch and the old address.
        const InstanceState& cur = current_master_instance(m);
        mc.host = cur.host;
        mc.ip = config::distinct_ip(cur.host, cur.ip);
        mc.port = cur.port;
        mc.known_replicas.clear();
        for (const auto& r : m.replicas) {
            const InstanceState& shown = &r.inst == &cur ? m.inst : r.inst;
            mc.known_replicas.push_back(
                {shown.host, shown.port, config::distinct_ip(shown.host, shown.ip)});
        }
        mc.known_sentinels.clear();
        for (const auto& s : m.sentinels) {
            mc.known_sentinels.push_back({s.inst.host, s.inst.port, s.inst.run_id,
                                          config::distinct_ip(s.inst.host, s.inst.ip)});
        }
        cfg.masters.push_back(std::move(mc));
    }
    return cfg;
}

Value Sentinel::reply_master(const Now& now, const Master& m) const {
    FieldList f;
    add_common_fields(f, now, m.cfg.name, announced(m.inst), m.inst, m.cfg.down_after_ms,
                      m.failover_state);
    add_role_fields(f, now, m.inst);
    f.add("config-epoch", static_cast<std::int64_t>(m.cfg.config_epoch));
    f.add("num-slaves", static_cast<std::int64_t>(m.replicas.size()));
    f.add("num-other-sentinels", static_cast<std::int64_t>(m.sentinels.size()));
    f.add("quorum", m.cfg.quorum);
    f.add("failover-timeout", m.cfg.failover_timeout_ms);
    f.add("parallel-syncs", m.cfg.parallel_syncs);
    if (!m.cfg.notification_script.empty()) {
        f.add("notification-script", m.cfg.notification_script);
    }
    if (!m.cfg.client_reconfig_script.empty()) {
        f.add("client-reconfig-script", m.cfg.client_reconfig_script);
    }
    return f.take();
}

Value Sentinel::reply_replica(const Now& now, const Master& m, const Replica& r) const {
    FieldList f;
    add_common_fields(f, now, r.name(), announced(r.inst), r.inst, m.cfg.down_after_ms,
                      FailoverState::none);
    add_role_fields(f, now, r.inst);
    f.add("master-link-down-time", r.master_link_down_time_ms);
    f.add("master-link-status", r.master_link_ok ? "ok" : "err");
    f.add("master-host", r.master_host.empty() ? "?" : r.master_host);
    f.add("master-port", r.master_port);
    f.add("slave-priority", r.slave_priority);
    f.add("slave-repl-offset", static_cast<std::int64_t>(r.slave_repl_offset));
    f.add("replica-announced", r.replica_announced ? 1 : 0);
    return f.take();
}

Value Sentinel::reply_sentinel(const Now& now, const PeerSentinel& s,
                               std::int64_t down_after_ms) const {
    FieldList f;
    add_common_fields(f, now, s.inst.run_id, announced(s.inst), s.inst, down_after_ms,
                      FailoverState::none);
    f.add("last-hello-message",
          s.last_hello_time ? ms_since(now, *s.last_hello_time) : ms_since(now, s.inst.created));
    f.add("voted-leader", s.leader.empty() ? "?" : s.leader);
    f.add("voted-leader-epoch", static_cast<std::int64_t>(s.leader_epoch));
    return f.take();
}

std::string Sentinel::info_section(const Now& now, const ProcessFacts&) const {
    std::string out = "# Sentinel\r\n";
    out += "sentinel_masters:" + std::to_string(masters_.size()) + "\r\n";
    out += std::string("sentinel_tilt:") + (tilt_ ? "1" : "0") + "\r\n";
    out += "sentinel_tilt_since_seconds:" +
           std::to_string(tilt_ ? to_ms(now.wall - tilt_start_wall_) / 1000 : -1) + "\r\n";
    out += "sentinel_running_scripts:" + std::to_string(scripts_.running()) + "\r\n";
    out += "sentinel_scripts_queue_length:" + std::to_string(scripts_.size()) + "\r\n";
    out += "sentinel_simulate_failure_flags:" + std::to_string(simulated_failures_) + "\r\n";
    std::size_t i = 0;
    for (const auto& m : masters_) {
        const char* status = (m.inst.flags & kFlagODown) != 0   ? "odown"
                             : (m.inst.flags & kFlagSDown) != 0 ? "sdown"
                                                                : "ok";
        out += "master" + std::to_string(i++) + ":name=" + m.cfg.name + ",status=" + status +
               ",address=" + announced(m.inst) + ":" + std::to_string(m.cfg.port) +
               ",slaves=" + std::to_string(m.replicas.size()) +
               ",sentinels=" + std::to_string(m.sentinels.size() + 1) + "\r\n";
    }
    return out;
}

Value Sentinel::command(const Now& now, const std::vector<std::string>& args, Outbox& out) {
    if (args.size() < 2) {
        return Value::error("ERR wrong number of arguments for 'sentinel' command");
    }
    const std::string sub = to_lower(args[1]);
    const auto it = std::find_if(kSubcommands.begin(), kSubcommands.end(),
                                 [&](const Subcommand& s) { return s.name == sub; });
    if (it == kSubcommands.end()) {
        return Value::error("ERR unknown subcommand '" + args[1] + "'. Try SENTINEL HELP.");
    }
    if (!arity_ok(it->arity, args.size())) {
        return Value::error("ERR wrong number of arguments for 'sentinel|" + sub + "' command");
    }

    if (sub == "myid") {
        return Value::bulk(globals_.myid);
    }
    if (sub == "help") {
        std::vector<Value> lines;
        for (auto line : kHelpLines) {
            lines.push_back(Value::simple(line));
        }
        lines.push_back(Value::simple("HELP"));
        lines.push_back(Value::simple("    Prints this help."));
        return Value::array(std::move(lines));
    }
    if (sub == "masters") {
        std::vector<Value> list;
        for (const auto& m : masters_) {
            list.push_back(reply_master(now, m));
        }
        return Value::array(std::move(list));
    }
    if (sub == "config") {
        return config_command(args, out);
    }
    if (sub == "pending-scripts") {
        return scripts_.pending_scripts(now.mono);
    }
    if (sub == "reset") {
        std::int64_t count = 0;
        for (auto& m : masters_) {
            if (!glob_match(args[2], m.cfg.name)) {
                continue;
            }
            reset_master(now, m, /*keep_sentinels=*/false, /*emit_event=*/true, out);
            ++count;
        }
        return Value::integer_value(count);
    }
    if (sub == "is-master-down-by-addr") {
        return is_master_down_command(now, args, out);
    }
    if (sub == "simulate-failure") {
        return simulate_failure_command(args);
    }
    if (sub == "monitor") {
        return monitor_command(now, args, out);
    }
    if (sub == "set") {
        return set_command(args, out);
    }
    if (sub == "debug") {
        return debug_command(args);
    }
    if (sub == "flushconfig") {
        out.persist(/*reply_depends=*/true);
        return Value::simple("OK");
    }
    if (sub == "remove") {
        return remove_command(now, args, out);
    }
    if (sub == "failover") {
        return failover_command(now, args, out);
    }
    if (sub == "info-cache") {
        std::vector<Value> list;
        for (std::size_t i = 2; i < args.size(); ++i) {
            const Master* m = find_master(args[i]);
            if (m == nullptr) {
                continue;
            }
            auto entry = [&](const InstanceState& inst) {
                if (!inst.info_refresh) {
                    return Value::array({Value::integer_value(0), Value::nil()});
                }
                return Value::array({Value::integer_value(ms_since(now, *inst.info_refresh)),
                                     Value::bulk(inst.info ? *inst.info : std::string())});
            };
            std::vector<Value> infos{entry(m->inst)};
            for (const auto& r : m->replicas) {
                infos.push_back(entry(r.inst));
            }
            list.push_back(Value::bulk(m->cfg.name));
            list.push_back(Value::array(std::move(infos)));
        }
        return Value::array(std::move(list));
    }

    // Everything below names one master.
    Master* m = find_master(args[2]);
    if (sub == "get-master-addr-by-name") {
        if (m == nullptr) {
            return Value::nil_array();
        }
        const auto [host, port] = current_master_address(*m);
        return Value::array({Value::bulk(host), Value::bulk(std::to_string(port))});
    }
    if (m == nullptr) {
        return Value::error(wire::kErrNoSuchMaster);
    }
    if (sub == "master") {
        return reply_master(now, *m);
    }
    if (sub == "replicas" || sub == "slaves") {
        std::vector<Value> list;
        for (const auto& r : m->replicas) {
            if (r.replica_announced) {
                list.push_back(reply_replica(now, *m, r));
            }
        }
        return Value::array(std::move(list));
    }
    if (sub == "sentinels") {
        std::vector<Value> list;
        for (const auto& s : m->sentinels) {
            list.push_back(reply_sentinel(now, s, m->cfg.down_after_ms));
        }
        return Value::array(std::move(list));
    }
    if (sub == "ckquorum") {
        // As sentinelIsQuorumReachable(): usable = us + peers not known to be down.
        const std::int64_t voters = static_cast<std::int64_t>(m->sentinels.size()) + 1;
        std::int64_t usable = 1;
        for (const auto& s : m->sentinels) {
            if ((s.inst.flags & (kFlagSDown | kFlagODown)) == 0) {
                ++usable;
            }
        }
        const bool no_quorum = usable < m->cfg.quorum;
        const bool no_auth = usable < voters / 2 + 1;
        if (!no_quorum && !no_auth) {
            return Value::simple("OK " + std::to_string(usable) +
                                 " usable Sentinels. Quorum and failover authorization can be "
                                 "reached");
        }
        std::string e = "NOQUORUM " + std::to_string(usable) + " usable Sentinels. ";
        if (no_quorum) {
            e += "Not enough available Sentinels to reach the specified quorum for this master";
        }
        if (no_auth) {
            if (no_quorum) {
                e += ". ";
            }
            e += "Not enough available Sentinels to reach the majority and authorize a failover";
        }
        return Value::error(e);
    }
    return Value::error(wire::kErrNotImplemented);
}

Value Sentinel::config_command(const std::vector<std::string>& args, Outbox& out) {
    if (args.size() == 4 && iequals(args[2], "get")) {
        return config_get(args[3]);
    }
    if (args.size() == 5 && iequals(args[2], "set")) {
        return config_set(args[3], args[4], out);
    }
    return Value::error(wire::kErrConfigUsage);
}

Value Sentinel::config_get(std::string_view pattern) const {
    std::vector<Value> kv;
    auto add = [&](std::string_view name, std::string value) {
        if (glob_match(pattern, name, /*nocase=*/true)) {
            kv.push_back(Value::bulk(name));
            kv.push_back(Value::bulk(value));
        }
    };
    add(kConfigParams[0], globals_.resolve_hostnames ? "yes" : "no");
    add(kConfigParams[1], globals_.announce_hostnames ? "yes" : "no");
    add(kConfigParams[2], globals_.announce_ip);
    add(kConfigParams[3], std::to_string(globals_.announce_port));
    add(kConfigParams[4], globals_.sentinel_user);
    add(kConfigParams[5], globals_.sentinel_pass);
    return Value::map(std::move(kv));
}

Value Sentinel::config_set(std::string_view param, std::string_view value, Outbox& out) {
    auto bad_value = [&] {
        return Value::error("ERR Invalid value '" + std::string(value) +
                            "' to SENTINEL CONFIG SET '" + std::string(param) + "'");
    };
    if (iequals(param, "resolve-hostnames") || iequals(param, "announce-hostnames")) {
        const auto yes = parse_yes_no(value);
        if (!yes) {
            return bad_value();
        }
        (iequals(param, "resolve-hostnames") ? globals_.resolve_hostnames
                                             : globals_.announce_hostnames) = *yes;
    } else if (iequals(param, "announce-ip")) {
        globals_.announce_ip = std::string(value);
    } else if (iequals(param, "announce-port")) {
        const auto port = string2ll(value);
        if (!port || *port < 0 || *port > 65535) {
            return bad_value();
        }
        globals_.announce_port = static_cast<int>(*port);
    } else if (iequals(param, "sentinel-user")) {
        globals_.sentinel_user = std::string(value);
    } else if (iequals(param, "sentinel-pass")) {
        globals_.sentinel_pass = std::string(value);
    } else {
        return Value::error("ERR Invalid argument '" + std::string(param) +
                            "' to SENTINEL CONFIG SET");
    }
    out.persist(/*reply_depends=*/true);
    return Value::simple("OK");
}

void Sentinel::run_scripts(const Now& now, Outbox& out) {
    // As sentinelTimer(): scripts run even in TILT. Ended processes are collected as their
    // ScriptExitedEvents arrive rather than polled here.
    scripts_.run_pending(now.mono, out);
    scripts_.kill_timed_out(now.mono, timing_.script_max_runtime, out);
}

void Sentinel::schedule_notification_script(const Master& m, std::string_view type,
                                            const std::string& text) {
    if (!m.cfg.notification_script.empty()) {
        scripts_.schedule({m.cfg.notification_script, std::string(type), text});
    }
}

}  // namespace sentinel::core
