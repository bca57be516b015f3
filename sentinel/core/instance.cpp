#include "sentinel/core/instance.hpp"

#include <array>
#include <utility>

#include "sentinel/core/address.hpp"
#include "sentinel/core/wire.hpp"

namespace sentinel::core {

std::string Replica::name() const {
    if (!inst.name.empty()) {
        return inst.name;
    }
    return address_and_port(inst.ip.empty() ? inst.host : inst.ip, inst.port);
}

InstanceState fresh_instance(std::uint32_t flags, std::string host, int port, const Now& now) {
    InstanceState inst;
    inst.flags = flags;
    inst.ip = normalize_ip_literal(host).value_or("");
    inst.host = std::move(host);
    inst.port = port;
    inst.created = now.mono;
    // As createSentinelRedisInstance(): a new link counts as just pinged and just answered, so
    // a fresh instance is not reported down before it had a chance to connect.
    inst.link->act_ping_time = now.mono;
    inst.link->last_avail_time = now.mono;
    inst.link->last_pong_time = now.mono;
    inst.role_reported_time = now.mono;
    inst.role_reported_master = (flags & kFlagSlave) == 0;
    return inst;
}

std::string format_flags(std::uint32_t flags) {
    static constexpr std::array<std::pair<Flag, std::string_view>, 14> kNames = {{
        {kFlagSDown, wire::kFlagSDown},
        {kFlagODown, wire::kFlagODown},
        {kFlagMaster, wire::kFlagMaster},
        {kFlagSlave, wire::kFlagSlave},
        {kFlagSentinel, wire::kFlagSentinel},
        {kFlagDisconnected, wire::kFlagDisconnected},
        {kFlagMasterDown, wire::kFlagMasterDown},
        {kFlagFailoverInProgress, wire::kFlagFailoverInProgress},
        {kFlagPromoted, wire::kFlagPromoted},
        {kFlagReconfSent, wire::kFlagReconfSent},
        {kFlagReconfInprog, wire::kFlagReconfInprog},
        {kFlagReconfDone, wire::kFlagReconfDone},
        {kFlagForceFailover, wire::kFlagForceFailover},
        {kFlagScriptKillSent, wire::kFlagScriptKillSent},
    }};
    std::string out;
    for (const auto& [bit, name] : kNames) {
        if ((flags & bit) != 0) {
            if (!out.empty()) {
                out.push_back(',');
            }
            out.append(name);
        }
    }
    return out;
}

std::string_view failover_state_name(FailoverState s) {
    switch (s) {
        case FailoverState::none:
            return "none";
        case FailoverState::wait_start:
            return "wait_start";
        case FailoverState::select_slave:
            return "select_slave";
        case FailoverState::send_slaveof_noone:
            return "send_slaveof_noone";
        case FailoverState::wait_promotion:
            return "wait_promotion";
        case FailoverState::reconf_slaves:
            return "reconf_slaves";
        case FailoverState::update_config:
            return "update_config";
    }
    return "unknown";
}

}  // namespace sentinel::core
