#pragma once
// A model of TCP streams between simulated processes: connects, ordered byte delivery with
// latency, and the faults real networks have (resets, refused connects, stalls, partitions).

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/util/rng.hpp"
#include "common/util/time.hpp"
#include "tests/sim/event_queue.hpp"

namespace sentinel::sim {

/// Identifies a process attached to the network.
using NodeId = std::size_t;
/// Identifies one TCP connection; never reused.
using ConnId = std::uint64_t;

/// The callbacks a process attached to the network receives. Every callback is delivered from
/// the event queue, never from inside a Network call, so handlers may call the network freely.
class NetNode {
  public:
    virtual ~NetNode() = default;
    /// Server side: a client connected from `peer_addr` ("ip:port").
    virtual void net_accepted(ConnId conn, const std::string& peer_addr) = 0;
    /// Client side: the connection is established; `local_ip` is our end's address.
    virtual void net_connected(ConnId conn, const std::string& local_ip) = 0;
    /// Client side: the connection could not be made ("Connection refused", "Connection timed
    /// out"). Nothing else is delivered for `conn`.
    virtual void net_connect_failed(ConnId conn, const std::string& reason) = 0;
    /// Bytes from the other end, in the order they were sent.
    virtual void net_data(ConnId conn, const std::string& bytes) = 0;
    /// The other end closed (FIN) or the connection was reset. Nothing else follows for `conn`.
    virtual void net_closed(ConnId conn, const std::string& reason) = 0;
};

/// Timing of the network model.
struct NetConfig {
    Millis latency{1};  ///< one-way delay of every delivery
    Millis jitter{1};   ///< plus uniform(0, jitter) drawn from the world Rng
    /// A connect towards a partitioned node fails after this long. Real kernels retry SYNs for
    /// much longer; 1000 ms stands in for the connect timeout a runtime would apply.
    Millis connect_timeout{1000};
};

/// The network. Delivery is ordered per connection and direction; a later segment never
/// overtakes an earlier one even when jitter would make it arrive first.
///
/// Faults and what they model:
/// - a connect to an address nobody listens on, or whose process is down: "Connection refused"
///   after one latency;
/// - reset(conn): an RST from a middlebox: both ends see net_closed("Connection reset by
///   peer") after one latency, whatever partitions or stalls are in place; queued data is lost;
/// - crash(node): the process dies: it gets no more callbacks, its listener refuses connects,
///   and every peer sees a reset after the data the dead process had already sent (held, like
///   everything else, while a partition or stall is in place);
/// - stall(conn) / stall_node(node): deliveries (to the node) are held, in order, until
///   released; the connection stays open (a paused process, a congested path);
/// - partition(a, b) / isolate(node): nothing crosses between the groups: established
///   connections hold their data until heal() (TCP retransmits it then), and a new connect
///   decided during the partition fails after `connect_timeout` ("Connection timed out").
///   Whether a connect crosses a partition is decided when its SYN arrives (one latency after
///   the connect); a heal during the timeout does not rescue it;
/// - slow(node, extra): every delivery to or from one process takes `extra` longer (a
///   congested host); order is kept, nothing is lost.
class Network {
  public:
    Network(EventQueue& queue, Rng& rng, NetConfig config = {});

    /// Attaches a process reachable at `ip`:`port` (port 0 = it never listens). The process
    /// starts down; call set_listening() when it is up.
    NodeId attach(NetNode& node, std::string name, std::string ip, int port);

    /// Whether a process accepts connections (up) or refuses them (down or not started).
    void set_listening(NodeId node, bool listening);

    /// Opens a connection from `from` to `host`:`port`. The outcome arrives as net_connected or
    /// net_connect_failed; data sent before it is queued and delivered after the accept.
    ConnId connect(NodeId from, const std::string& host, int port);

    /// Sends bytes on `conn` from `from` (either end). Dropped if the connection is gone.
    void send(ConnId conn, NodeId from, std::string bytes);

    /// Closes `from`'s end gracefully: the peer gets its remaining data, then net_closed.
    /// `from` gets no more callbacks for `conn`.
    void close(ConnId conn, NodeId from);

    // Faults (see the class comment for what each models).
    /// RST on an established connection, seen by both ends after one latency.
    void reset(ConnId conn);
    /// The process dies: its listener refuses, its peers read what it sent, then a reset.
    void crash(NodeId node);
    /// Holds (true) or releases (false) both directions of one connection.
    void stall(ConnId conn, bool stalled);
    /// Holds (true) or releases (false) everything delivered to one process, accepts included.
    void stall_node(NodeId node, bool stalled);
    /// Adds `extra` to the delay of every later delivery to or from `node`; 0 ends it.
    void slow(NodeId node, Millis extra);
    /// Blocks traffic between every node of `a` and every node of `b`.
    void partition(const std::vector<NodeId>& a, const std::vector<NodeId>& b);
    /// Blocks traffic between `node` and every other attached node.
    void isolate(NodeId node);
    /// Removes every partition and releases held traffic.
    void heal();
    /// Lifts the partition between every node of `a` and every node of `b` only.
    void heal(const std::vector<NodeId>& a, const std::vector<NodeId>& b);

    /// Whether `a` and `b` can currently talk.
    bool reachable(NodeId a, NodeId b) const;

    /// Open connections with `node` at either end, oldest first.
    std::vector<ConnId> connections_of(NodeId node) const;
    /// Every open connection, oldest first.
    std::vector<ConnId> connections() const;
    /// The two ends of a connection (client, server), if it is still open.
    std::optional<std::pair<NodeId, NodeId>> ends(ConnId conn) const;

    /// "ip:port" a node listens on.
    std::string address_of(NodeId node) const;
    const std::string& name_of(NodeId node) const;
    std::size_t node_count() const { return nodes_.size(); }

    /// Bytes and segments delivered so far (for summaries).
    std::uint64_t delivered_segments() const { return delivered_; }

  private:
    enum class Kind { accept, data, fin, reset };
    struct Segment {
        Kind kind = Kind::data;
        Millis at{0};
        std::string bytes;    ///< data payload, or the peer address for accept
        bool forced = false;  ///< delivered through partitions and stalls (injected resets)
    };
    /// Traffic flowing towards one end.
    struct Direction {
        std::deque<Segment> queue;
        Millis last_at{0};  ///< keeps deliveries ordered despite jitter
        bool open = true;   ///< the receiving end is still attached
    };
    enum class State { connecting, established };
    struct Conn {
        NodeId client = 0;
        NodeId server = 0;
        std::string client_addr;  ///< "ip:ephemeral-port"
        State state = State::connecting;
        Millis started{0};
        bool stalled = false;
        Direction to_server;
        Direction to_client;
    };
    struct Node {
        NetNode* handler = nullptr;
        std::string name;
        std::string ip;
        int port = 0;
        bool listening = false;
        bool stalled = false;
        Millis extra_delay{0};
    };

    Millis delay();
    void syn_arrives(ConnId id);
    void push(ConnId id, bool to_server, Segment seg);
    void pump(ConnId id, bool to_server);
    void schedule_pump(ConnId id, bool to_server, Millis at);
    void release_all();
    bool held(const Conn& c, bool to_server) const;
    void maybe_erase(ConnId id);

    EventQueue& queue_;
    Rng& rng_;
    NetConfig config_;
    std::vector<Node> nodes_;
    std::map<ConnId, Conn> conns_;
    std::set<std::pair<NodeId, NodeId>> blocked_;
    ConnId next_conn_ = 1;
    int next_ephemeral_port_ = 40000;
    std::uint64_t delivered_ = 0;
};

}  // namespace sentinel::sim
