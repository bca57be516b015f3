#pragma once
// The standard monitored group (one master, its replicas, K sentinels) and the exact event
// texts sentinels print about its members.

#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/config/config.hpp"
#include "tests/sim/world.hpp"

namespace sentinel::sim {

/// Shape and timing of the group build_topology() creates.
struct TopologyOptions {
    std::size_t replicas = 2;
    std::size_t sentinels = 3;
    int quorum = 0;  ///< 0 = sentinels / 2 + 1
    std::int64_t down_after_ms = 5000;
    std::int64_t failover_timeout_ms = 30000;
    std::string master_name = "mymaster";
    std::string ip = "127.0.0.1";
    int master_port = 6379;     ///< replicas listen on the following ports
    int sentinel_port = 26379;  ///< sentinels listen on this one and the following ones
};

/// Indexes into the World of what build_topology() created.
struct Topology {
    std::size_t master = 0;              ///< World::redis index
    std::vector<std::size_t> replicas;   ///< World::redis indexes
    std::vector<std::size_t> sentinels;  ///< World::sentinel indexes
    std::string master_name;
    std::string master_ip;
    int master_port = 0;
    int quorum = 0;
};

/// A sentinel.conf as `sentinel monitor <name> <ip> <port> <quorum>` plus down-after and
/// failover-timeout would give, listening on `port`, with no myid yet (the sentinel generates
/// and persists one at first start, as redis-sentinel does).
config::Config sentinel_config(int port, const std::string& master_name,
                               const std::string& master_ip, int master_port, int quorum,
                               std::int64_t down_after_ms, std::int64_t failover_timeout_ms);

/// Starts a master, its replicas (already replicating) and the sentinels monitoring it.
Topology build_topology(World& world, const TopologyOptions& options = {});

/// "@ <name> <ip> <port>": the suffix of events about a master's replicas and sentinels.
std::string at_master(const Topology& t);
/// "master <name> <ip> <port>".
std::string master_text(const Topology& t);
/// "slave <ip>:<port> <ip> <port> @ <name> <mip> <mport>" for a replica.
std::string replica_text(const Topology& t, const FakeRedis& replica);
/// "sentinel <runid> <ip> <port> @ <name> <mip> <mport>" for a peer sentinel.
std::string sentinel_text(const Topology& t, const SentinelNode& peer);

}  // namespace sentinel::sim
