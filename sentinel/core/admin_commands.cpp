// SENTINEL subcommands that administer the sentinel: MONITOR, REMOVE, SET, DEBUG,
// SIMULATE-FAILURE and FAILOVER's checks. Replies, error texts and the order of the checks follow
// redis-sentinel 7.0's sentinelCommand() / sentinelSetCommand(), verified against the binary.

#include <algorithm>
#include <array>
#include <optional>

#include "sentinel/core/address.hpp"
#include "sentinel/core/sentinel.hpp"
#include "sentinel/core/text.hpp"
#include "sentinel/core/wire.hpp"

namespace sentinel::core {
namespace {

using resp::Value;

Value ok() {
    return Value::simple("OK");
}

// The knobs in the order SENTINEL DEBUG lists them.
struct DebugKnob {
    std::string_view name;
    std::int64_t Timing::*field;
};
constexpr std::array<DebugKnob, 13> kDebugKnobs = {{
    {"INFO-PERIOD", &Timing::info_period},
    {"PING-PERIOD", &Timing::ping_period},
    {"ASK-PERIOD", &Timing::ask_period},
    {"PUBLISH-PERIOD", &Timing::publish_period},
    {"DEFAULT-DOWN-AFTER", &Timing::default_down_after},
    {"DEFAULT-FAILOVER-TIMEOUT", &Timing::default_failover_timeout},
    {"TILT-TRIGGER", &Timing::tilt_trigger},
    {"TILT-PERIOD", &Timing::tilt_period},
    {"SLAVE-RECONF-TIMEOUT", &Timing::slave_reconf_timeout},
    {"MIN-LINK-RECONNECT-PERIOD", &Timing::min_link_reconnect_period},
    {"ELECTION-TIMEOUT", &Timing::election_timeout},
    {"SCRIPT-MAX-RUNTIME", &Timing::script_max_runtime},
    {"SCRIPT-RETRY-DELAY", &Timing::script_retry_delay},
}};

Value unknown_option(std::string_view command, std::string_view option) {
    return Value::error("ERR Unknown option or number of arguments for SENTINEL " +
                        std::string(command) + " '" + std::string(option) + "'");
}

Value invalid_argument(std::string_view command, std::string_view value, std::string_view option) {
    return Value::error("ERR Invalid argument '" + std::string(value) + "' for SENTINEL " +
                        std::string(command) + " '" + std::string(option) + "'");
}

}  // namespace

Value Sentinel::monitor_command(const Now& now, const std::vector<std::string>& args, Outbox& out) {
    // SENTINEL MONITOR <name> <ip> <port> <quorum>: quorum is parsed before port.
    const auto quorum = string2ll(args[5]);
    if (!quorum) {
        return Value::error(wire::kErrInvalidQuorum);
    }
    const auto port_arg = string2ll(args[4]);
    if (!port_arg) {
        return Value::error(wire::kErrInvalidPort);
    }
    if (*quorum <= 0) {
        return Value::error(wire::kErrQuorumTooSmall);
    }
    // The one lookup Redis makes before creating the master: a name that does not resolve
    // (or any name without resolve-hostnames) is refused.
    const std::string& host = args[3];
    const auto ip = resolve_address(host);
    if (!ip) {
        return Value::error(wire::kErrInvalidAddress);
    }
    // Redis hands the long port to an int parameter before range-checking it, so only the low
    // 32 bits count (4294967297 is port 1); the quorum lands in an unsigned int the same way.
    const int port = to_c_int(*port_arg);
    if (port < 0 || port > 65535) {
        return Value::error(wire::kErrInvalidPortNumber);
    }
    if (find_master(args[2]) != nullptr) {
        return Value::error(wire::kErrDuplicateMaster);
    }

    Master m;
    m.cfg.name = args[2];
    // Both halves are kept: the address is shown as the IP unless hostnames are announced.
    m.cfg.host = host;
    m.cfg.ip = config::distinct_ip(host, *ip);
    m.cfg.port = port;
    m.cfg.quorum = to_c_int(*quorum);
    m.cfg.down_after_ms = timing_.default_down_after;
    m.cfg.failover_timeout_ms = timing_.default_failover_timeout;
    m.inst = fresh_instance(kFlagMaster, m.cfg.host, port, now);
    m.inst.ip = *ip;
    masters_.push_back(std::move(m));
    reindex_masters();
    const Master& added = masters_.back();

    out.persist(/*reply_depends=*/true);
    event(out, LogLevel::warning, wire::kEventMonitor, added, &added.inst, InstanceRole::master,
          " quorum " + std::to_string(added.cfg.quorum));
    return ok();
}

Value Sentinel::remove_command(const Now& now, const std::vector<std::string>& args, Outbox& out) {
    const auto it = std::find_if(masters_.begin(), masters_.end(),
                                 [&](const Master& m) { return m.cfg.name == args[2]; });
    if (it == masters_.end()) {
        return Value::error(wire::kErrNoSuchMaster);
    }
    // The event goes out while the master still exists, so it carries the master's details.
    event(out, LogLevel::warning, wire::kEventRemove, *it, &it->inst, InstanceRole::master, "");
    // Every connection made for this master goes with it (peers shared with other masters
    // keep theirs).
    reset_master(now, *it, /*keep_sentinels=*/false, /*emit_event=*/false, out);
    masters_.erase(it);
    reindex_masters();
    out.persist(/*reply_depends=*/true);
    return ok();
}

Value Sentinel::set_command(const std::vector<std::string>& args, Outbox& out) {
    Master* m = find_master(args[2]);
    if (m == nullptr) {
        return Value::error(wire::kErrNoSuchMaster);
    }
    config::MasterConfig& cfg = m->cfg;
    int changes = 0;
    bool credentials_changed = false;
    std::optional<Value> error;

    // Pairs are applied one by one; a bad one stops the loop but keeps (and saves) the earlier
    // ones, as Redis does.
    for (std::size_t j = 3; j < args.size() && !error; ++j) {
        const std::size_t more = args.size() - 1 - j;
        const std::string& option = args[j];
        const std::size_t first = j;
        bool redacted = false;

        // Reads the next argument as a number >= `min`, or records the error.
        auto number = [&](long long min) -> std::optional<long long> {
            const std::string& value = args[++j];
            const auto v = string2ll(value);
            if (!v || *v < min) {
                error = invalid_argument("SET", value, option);
                return std::nullopt;
            }
            return v;
        };
        auto script = [&](std::string& field, std::string_view not_executable) {
            const std::string& value = args[++j];
            if (globals_.deny_scripts_reconfig) {
                error = Value::error(wire::kErrScriptsReconfigDenied);
                return;
            }
            if (!value.empty() && !services_.script_is_executable(value)) {
                error = Value::error(not_executable);
                return;
            }
            field = value;
        };

        if (iequals(option, "down-after-milliseconds") && more > 0) {
            // Replicas and peers use their master's value here, so nothing else to update.
            if (const auto v = number(1)) {
                cfg.down_after_ms = *v;
            }
        } else if (iequals(option, "failover-timeout") && more > 0) {
            if (const auto v = number(1)) {
                cfg.failover_timeout_ms = *v;
            }
        } else if (iequals(option, "parallel-syncs") && more > 0) {
            if (const auto v = number(1)) {
                cfg.parallel_syncs = to_c_int(*v);
            }
        } else if (iequals(option, "notification-script") && more > 0) {
            script(cfg.notification_script, wire::kErrNotificationScript);
        } else if (iequals(option, "client-reconfig-script") && more > 0) {
            script(cfg.client_reconfig_script, wire::kErrClientReconfigScript);
        } else if (iequals(option, "auth-pass") && more > 0) {
            cfg.auth_pass = args[++j];
            redacted = true;
        } else if (iequals(option, "auth-user") && more > 0) {
            cfg.auth_user = args[++j];
        } else if (iequals(option, "quorum") && more > 0) {
            if (const auto v = number(1)) {
                cfg.quorum = to_c_int(*v);
            }
        } else if (iequals(option, "rename-command") && more > 1) {
            const std::string& old_name = args[++j];
            const std::string& new_name = args[++j];
            if (old_name.empty() || new_name.empty()) {
                error = invalid_argument("SET", new_name.empty() ? new_name : old_name, option);
            } else {
                // Keys are case-insensitive; renaming a command to itself (in any case) just
                // drops the earlier renaming.
                const std::string key = to_upper(old_name);
                cfg.rename_commands.erase(key);
                if (!iequals(old_name, new_name)) {
                    cfg.rename_commands.emplace(key, new_name);
                }
            }
        } else if (iequals(option, "master-reboot-down-after-period") && more > 0) {
            if (const auto v = number(0)) {
                cfg.master_reboot_down_after_period_ms = *v;
            }
        } else {
            error = unknown_option("SET", option);
        }
        if (error) {
            break;
        }
        ++changes;

        // +set shows the arguments as typed (option name included), auth-pass hidden.
        // As sentinelEvent(): it also runs the notification script in force right now.
        std::string text = " " + option;
        for (std::size_t k = first + 1; k <= j; ++k) {
            text += " ";
            text += redacted ? std::string(wire::kRedacted) : args[k];
        }
        event(out, LogLevel::warning, wire::kEventSet, *m, &m->inst, InstanceRole::master, text);
        if (iequals(option, "auth-pass") || iequals(option, "auth-user")) {
            credentials_changed = true;
        }
    }
    if (credentials_changed) {
        // New credentials only apply to new connections: drop the master's and its replicas'
        // links (or leave the links they share with other master names) so the next tick
        // reconnects with them.
        unshare_link(m->inst, out);
        for (auto& r : m->replicas) {
            unshare_link(r.inst, out);
        }
    }

    if (error) {
        // The error reply stands whatever the save does (sentinelFlushConfig, not ...AndReply).
        if (changes > 0) {
            out.persist(/*reply_depends=*/false);
        }
        return *std::move(error);
    }
    out.persist(/*reply_depends=*/true);
    return ok();
}

Value Sentinel::debug_command(const std::vector<std::string>& args) {
    if (args.size() == 2) {
        std::vector<Value> kv;
        kv.reserve(kDebugKnobs.size() * 2);
        for (const auto& knob : kDebugKnobs) {
            kv.push_back(Value::bulk(knob.name));
            kv.push_back(Value::bulk(std::to_string(timing_.*knob.field)));
        }
        return Value::map(std::move(kv));
    }
    // Applied one by one: values before a bad pair stay changed. Nothing is persisted.
    for (std::size_t j = 2; j < args.size(); ++j) {
        const std::string& option = args[j];
        const auto knob = std::find_if(kDebugKnobs.begin(), kDebugKnobs.end(),
                                       [&](const DebugKnob& k) { return iequals(option, k.name); });
        if (knob == kDebugKnobs.end() || j + 1 >= args.size()) {
            return unknown_option("DEBUG", option);
        }
        const std::string& value = args[++j];
        const auto v = string2ll(value);
        if (!v || *v <= 0) {
            return invalid_argument("DEBUG", value, option);
        }
        timing_.*knob->field = *v;
    }
    return ok();
}

Value Sentinel::simulate_failure_command(const std::vector<std::string>& args) {
    // Every call starts from no flags, so an error or HELP after a valid mode leaves only the
    // modes read before it set.
    simulated_failures_ = 0;
    for (std::size_t j = 2; j < args.size(); ++j) {
        if (iequals(args[j], wire::kSimCrashAfterElection)) {
            simulated_failures_ |= kSimFailureCrashAfterElection;
            log_.log(LogLevel::warning,
                     "Failure simulation: this Sentinel will crash after being successfully "
                     "elected as failover leader");
        } else if (iequals(args[j], wire::kSimCrashAfterPromotion)) {
            simulated_failures_ |= kSimFailureCrashAfterPromotion;
            log_.log(LogLevel::warning,
                     "Failure simulation: this Sentinel will crash after promoting the selected "
                     "replica to master");
        } else if (iequals(args[j], "help")) {
            return Value::array({Value::bulk(wire::kSimCrashAfterElection),
                                 Value::bulk(wire::kSimCrashAfterPromotion)});
        } else {
            return Value::error(wire::kErrUnknownSimulation);
        }
    }
    return ok();
}

}  // namespace sentinel::core
