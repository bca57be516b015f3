#include "tests/sim/topology.hpp"

namespace sentinel::sim {

config::Config sentinel_config(int port, const std::string& master_name,
                               const std::string& master_ip, int master_port, int quorum,
                               std::int64_t down_after_ms, std::int64_t failover_timeout_ms) {
    config::Config cfg;
    cfg.server.port = port;
    config::MasterConfig m;
    m.name = master_name;
    m.host = master_ip;
    m.port = master_port;
    m.quorum = quorum;
    m.down_after_ms = down_after_ms;
    m.failover_timeout_ms = failover_timeout_ms;
    cfg.masters.push_back(std::move(m));
    return cfg;
}

Topology build_topology(World& world, const TopologyOptions& options) {
    Topology t;
    t.master_name = options.master_name;
    t.master_ip = options.ip;
    t.master_port = options.master_port;
    t.quorum = options.quorum > 0 ? options.quorum : static_cast<int>(options.sentinels / 2 + 1);
    FakeRedisOptions master;
    master.ip = options.ip;
    master.port = options.master_port;
    t.master = world.add_redis(master);
    for (std::size_t i = 0; i < options.replicas; ++i) {
        FakeRedisOptions r;
        r.ip = options.ip;
        r.port = options.master_port + 1 + static_cast<int>(i);
        r.master_host = options.ip;
        r.master_port = options.master_port;
        t.replicas.push_back(world.add_redis(r));
    }
    for (std::size_t i = 0; i < options.sentinels; ++i) {
        t.sentinels.push_back(world.add_sentinel(
            sentinel_config(options.sentinel_port + static_cast<int>(i), options.master_name,
                            options.ip, options.master_port, t.quorum, options.down_after_ms,
                            options.failover_timeout_ms),
            options.ip));
    }
    return t;
}

std::string at_master(const Topology& t) {
    return "@ " + t.master_name + " " + t.master_ip + " " + std::to_string(t.master_port);
}

std::string master_text(const Topology& t) {
    return "master " + t.master_name + " " + t.master_ip + " " + std::to_string(t.master_port);
}

std::string replica_text(const Topology& t, const FakeRedis& replica) {
    const std::string port = std::to_string(replica.port());
    return "slave " + replica.ip() + ":" + port + " " + replica.ip() + " " + port + " " +
           at_master(t);
}

std::string sentinel_text(const Topology& t, const SentinelNode& peer) {
    // A crashed peer's id is still on its disk (persisted at first start).
    const std::string& id = peer.up() ? peer.core().myid() : peer.disk().sentinel.myid;
    return "sentinel " + id + " " + peer.ip() + " " + std::to_string(peer.port()) + " " +
           at_master(t);
}

}  // namespace sentinel::sim
