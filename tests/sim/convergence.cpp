#include "tests/sim/convergence.hpp"

#include <optional>
#include <utility>

namespace sentinel::sim {
namespace {

std::string address(const std::pair<std::string, int>& a) {
    return a.first + ":" + std::to_string(a.second);
}

// What a sentinel does not see healthy yet: every instance linked, none down, replicas'
// INFO read and following the master with their link up.
std::string health_gap(const core::Master& m) {
    constexpr std::uint32_t kDown = core::kFlagSDown | core::kFlagODown;
    if ((m.inst.flags & kDown) != 0 || m.inst.link->disconnected) {
        return "does not see the master healthy";
    }
    for (const auto& r : m.replicas) {
        if ((r.inst.flags & kDown) != 0 || r.inst.link->disconnected || !r.inst.info_refresh) {
            return "does not see replica " + r.name() + " healthy";
        }
        if (r.master_port != m.cfg.port || r.master_host != m.cfg.host || !r.master_link_ok) {
            return "sees replica " + r.name() + " not following the master";
        }
    }
    for (const auto& peer : m.sentinels) {
        if ((peer.inst.flags & kDown) != 0 || peer.inst.link->disconnected) {
            return "does not see sentinel " + peer.inst.host + ":" +
                   std::to_string(peer.inst.port) + " healthy";
        }
    }
    return "";
}

// The sentinels' side; sets `agreed` to the address they all name.
std::string sentinel_gap(const World& world, const Topology& topology,
                         std::optional<std::pair<std::string, int>>& agreed) {
    for (std::size_t i = 0; i < world.sentinel_count(); ++i) {
        const SentinelNode& node = world.sentinel(i);
        const std::string who = "sentinel " + std::to_string(i) + " ";
        if (!node.up()) {
            return who + "is down";
        }
        if (node.core().tilt()) {
            return who + "is in TILT";
        }
        const core::Master* master = nullptr;
        for (const auto& m : node.core().masters()) {
            if (m.cfg.name == topology.master_name) {
                master = &m;
            }
        }
        if (master == nullptr) {
            return who + "does not monitor " + topology.master_name;
        }
        if (master->failover_state != core::FailoverState::none ||
            (master->inst.flags & core::kFlagFailoverInProgress) != 0) {
            return who + "is failing over (" +
                   std::string(core::failover_state_name(master->failover_state)) + ")";
        }
        const auto here = node.core().current_master_address(*master);
        if (!agreed) {
            agreed = here;
        } else if (*agreed != here) {
            return who + "names " + address(here) + ", sentinel 0 names " + address(*agreed);
        }
        if (master->replicas.size() + 1 != world.redis_count()) {
            return who + "knows " + std::to_string(master->replicas.size()) + " replicas";
        }
        if (master->sentinels.size() + 1 != world.sentinel_count()) {
            return who + "knows " + std::to_string(master->sentinels.size()) + " peers";
        }
        if (std::string sick = health_gap(*master); !sick.empty()) {
            return who + sick;
        }
    }
    return "";
}

}  // namespace

std::string convergence_gap(const World& world, const Topology& topology) {
    std::optional<std::pair<std::string, int>> agreed;
    if (std::string gap = sentinel_gap(world, topology, agreed); !gap.empty()) {
        return gap;
    }
    if (!agreed) {
        return "no sentinels";
    }
    for (std::size_t i = 0; i < world.redis_count(); ++i) {
        const FakeRedis& r = world.redis(i);
        const std::string who = "server " + r.address() + " ";
        if (!r.up()) {
            return who + "is down";
        }
        const bool is_agreed = r.ip() == agreed->first && r.port() == agreed->second;
        if (is_agreed != r.is_master()) {
            return who + (r.is_master()
                              ? "is a master, the sentinels name " + address(*agreed)
                              : "is the sentinels' master but a replica of " + r.master_host() +
                                    ":" + std::to_string(r.master_port()));
        }
        if (is_agreed) {
            continue;
        }
        if (r.master_host() != agreed->first || r.master_port() != agreed->second) {
            return who + "replicates from " + r.master_host() + ":" +
                   std::to_string(r.master_port()) + ", not " + address(*agreed);
        }
        if (!r.master_link_up()) {
            return who + "has its link to " + address(*agreed) + " down";
        }
    }
    return "";
}

}  // namespace sentinel::sim
