#pragma once
// A modelled redis-server 7.0: just enough of it for sentinels to monitor, discover through and
// fail over, speaking real RESP over the simulated network.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/parser.hpp"
#include "common/resp/value.hpp"
#include "common/util/rng.hpp"
#include "common/util/time.hpp"
#include "tests/sim/event_queue.hpp"
#include "tests/sim/network.hpp"

namespace sentinel::sim {

/// How a FakeRedis starts.
struct FakeRedisOptions {
    std::string ip = "127.0.0.1";
    int port = 6379;
    /// Replica of master_host:master_port when master_port != 0 (`replicaof` in redis.conf).
    std::string master_host;
    int master_port = 0;
    std::string requirepass;  ///< empty = no AUTH needed
    std::string masterauth;   ///< sent as AUTH to the master when non-empty
    int slave_priority = 100;
    bool replica_announced = true;
    /// Growth of the replication offset of a master (simulated write traffic).
    std::int64_t write_bytes_per_second = 1000;
    /// A replica that hears nothing from its master for this long drops the link (repl-timeout).
    Millis repl_timeout{60000};
};

/// One command a FakeRedis received, for stories that assert on what sentinels sent.
struct CommandRecord {
    Millis time{0};
    ConnId conn = 0;
    std::string client_name;  ///< CLIENT SETNAME value at the time, empty if none
    std::vector<std::string> args;
};

/// A modelled Redis server.
///
/// Models: run_id (40 hex, new at every start), role master/replica, replication over a real
/// simulated connection (handshake, a stream that carries the master's offset every 100 ms,
/// REPLCONF ACK every second, repl-timeout, reconnect every second), `INFO` in the real 7.0
/// text format (# Server, # Clients, # Persistence, # Stats, # Replication, # CPU, # Modules,
/// # Errorstats, # Cluster, # Keyspace), PING, AUTH (requirepass), CLIENT
/// SETNAME/GETNAME/ID/LIST/KILL (TYPE normal|pubsub|replica|master, SKIPME), SUBSCRIBE /
/// PSUBSCRIBE / UNSUBSCRIBE / PUBLISH with fan-out to every subscribed client, the RESP2
/// subscribed-mode restrictions, SLAVEOF/REPLICAOF host port | NO ONE (a master that becomes a
/// replica drops its own replicas, as Redis does), MULTI/EXEC/DISCARD with queue-time errors
/// aborting EXEC, CONFIG REWRITE/GET/SET (slave-priority, replica-priority,
/// replica-announced), SCRIPT KILL (-NOTBUSY), ROLE, QUIT, and the exact 7.0 error texts for
/// unknown commands. Crash (every connection reset, connects refused) and restart (new run_id,
/// same role unless told otherwise).
///
/// Does not model: data or keys, RDB transfer time (a full sync completes at once and copies
/// the master's offset), partial resynchronisation and replication ids across failovers
/// (offsets are adopted, never compared), MULTI inside MULTI state beyond the error, ACL users
/// other than "default", RESP3/HELLO, blocking commands, BUSY scripts, LOADING, client output
/// limits, and `FAILOVER`.
class FakeRedis final : public NetNode {
  public:
    FakeRedis(EventQueue& queue, Network& net, std::uint64_t seed, FakeRedisOptions options);

    /// Starts listening (first start).
    void start();
    /// Dies at once: every connection is reset, the port refuses connects.
    void crash();
    /// Starts again after a crash with a new run_id, keeping the role it had and its
    /// replication offset (as if reloaded from its RDB file).
    void restart();
    /// Restarts as a master (as if its config no longer had `replicaof`).
    void restart_as_master();
    /// Restarts as a replica of host:port.
    void restart_as_replica_of(const std::string& host, int port);

    /// Acts as `REPLICAOF host port` / `REPLICAOF NO ONE` from an operator (not through the
    /// network, so it works during partitions).
    void replicaof(const std::string& host, int port);
    void replicaof_no_one();
    /// As `CONFIG SET replica-priority`.
    void set_slave_priority(int priority) { slave_priority_ = priority; }

    /// Whether the process is running.
    bool up() const { return up_; }
    NodeId net_id() const { return net_id_; }
    const std::string& ip() const { return options_.ip; }
    int port() const { return options_.port; }
    /// "ip:port".
    std::string address() const;
    const std::string& run_id() const { return run_id_; }
    bool is_master() const { return master_port_ == 0; }
    const std::string& master_host() const { return master_host_; }
    int master_port() const { return master_port_; }
    /// Replica: whether the link to its master is synced ("master_link_status:up").
    bool master_link_up() const { return link_.state == LinkState::connected; }
    /// master_repl_offset (masters) / slave_repl_offset (replicas).
    std::uint64_t repl_offset() const { return offset_; }
    /// Replicas that completed the handshake with this server ("connected_slaves").
    std::size_t connected_replicas() const;
    /// Clients currently connected (replicas included).
    std::size_t client_count() const { return clients_.size(); }
    /// Times CONFIG REWRITE ran.
    int config_rewrites() const { return config_rewrites_; }

    /// The INFO reply text for `section` ("" = default sections), CRLF line ends.
    std::string info(std::string_view section = "") const;
    /// The ROLE reply.
    resp::Value role() const;

    /// Every command received since start (PING, INFO, PUBLISH and REPLCONF included), capped
    /// at kMaxRecords entries; later ones are counted but not kept.
    const std::vector<CommandRecord>& commands() const { return records_; }
    static constexpr std::size_t kMaxRecords = 200000;

    // NetNode
    void net_accepted(ConnId conn, const std::string& peer_addr) override;
    void net_connected(ConnId conn, const std::string& local_ip) override;
    void net_connect_failed(ConnId conn, const std::string& reason) override;
    void net_data(ConnId conn, const std::string& bytes) override;
    void net_closed(ConnId conn, const std::string& reason) override;

  private:
    using Args = std::vector<std::string>;

    struct Client {
        std::string peer_addr;
        std::string name;
        resp::RequestParser parser;
        bool authenticated = true;
        std::set<std::string> channels;
        std::set<std::string> patterns;
        bool in_multi = false;
        bool multi_dirty = false;
        std::vector<Args> queued;
        bool is_replica = false;  ///< completed PSYNC
        int replica_port = 0;     ///< REPLCONF listening-port
        std::uint64_t ack_offset = 0;
        Millis last_ack{0};
        bool kill = false;  ///< closed once the current input is handled (CLIENT KILL)
        bool quit = false;  ///< closed after its replies are flushed (QUIT)
        std::string out;    ///< replies not yet handed to the network
        bool in_pubsub() const { return !channels.empty() || !patterns.empty(); }
    };

    enum class LinkState { none, connecting, handshake, connected };
    /// Our connection to our master, when we are a replica.
    struct MasterLink {
        LinkState state = LinkState::none;
        ConnId conn = 0;
        resp::ReplyParser parser{resp::Limits{}};
        int handshake_replies = 0;  ///< replies still expected before +FULLRESYNC
        Millis last_io{0};
        Millis last_ack_sent{0};
        Millis next_attempt{0};
        /// When the synced link was lost; nullopt when it never synced since start
        /// (INFO then prints master_link_down_since_seconds:-1, as Redis does).
        std::optional<Millis> down_since;
    };

    // Lifecycle and replication (fake_redis_replication.cpp).
    void boot();
    void schedule_cron();
    void cron();
    void become_replica_of(const std::string& host, int port);
    void become_master();
    void drop_master_link(bool lost_synced_link);
    void connect_to_master();
    void on_master_data(const std::string& bytes);
    void drop_replicas();

    // Commands (fake_redis.cpp).
    void handle_input(ConnId conn);
    void dispatch(ConnId conn, Client& c, Args& args);
    resp::Value run(ConnId conn, Client& c, const Args& args);
    resp::Value cmd_client(ConnId conn, Client& c, const Args& args);
    resp::Value cmd_config(const Args& args);
    resp::Value cmd_replicaof(const Args& args);
    resp::Value cmd_replconf(Client& c, const Args& args);
    resp::Value cmd_psync(Client& c);
    void cmd_subscribe(Client& c, const Args& args, bool pattern);
    void cmd_unsubscribe(Client& c, const Args& args, bool pattern);
    std::int64_t publish(const std::string& channel, const std::string& message);
    void reply(Client& c, const resp::Value& v);
    void flush_clients();
    std::string client_list_line(ConnId conn, const Client& c) const;
    static std::string client_type(const Client& c);

    // INFO and ROLE (fake_redis_info.cpp).
    std::string info_server() const;
    std::string info_clients() const;
    std::string info_replication() const;
    std::string replica_lines() const;

    EventQueue& queue_;
    Network& net_;
    Rng rng_;
    FakeRedisOptions options_;
    NodeId net_id_ = 0;
    bool up_ = false;
    std::uint64_t incarnation_ = 0;  ///< bumps on crash, so a dead instance's cron stops
    Millis started_{0};
    std::string run_id_;
    std::string replid_;
    std::string replid2_ = std::string(40, '0');
    std::uint64_t offset_ = 0;
    std::string master_host_;
    int master_port_ = 0;
    int slave_priority_ = 100;
    bool replica_announced_ = true;
    MasterLink link_;
    std::map<ConnId, Client> clients_;
    int config_rewrites_ = 0;
    std::uint64_t commands_processed_ = 0;
    std::uint64_t connections_received_ = 0;
    std::vector<CommandRecord> records_;
};

}  // namespace sentinel::sim
