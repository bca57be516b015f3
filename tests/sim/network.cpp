#include "tests/sim/network.hpp"

#include <algorithm>
#include <limits>

#include "common/util/assert.hpp"

namespace sentinel::sim {
namespace {

constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();
constexpr int kFirstEphemeralPort = 40000;
constexpr int kLastEphemeralPort = 65535;

std::pair<NodeId, NodeId> ordered(NodeId a, NodeId b) {
    return a < b ? std::pair{a, b} : std::pair{b, a};
}

}  // namespace

Network::Network(EventQueue& queue, Rng& rng, NetConfig config)
    : queue_(queue), rng_(rng), config_(config) {}

NodeId Network::attach(NetNode& node, std::string name, std::string ip, int port) {
    Node n;
    n.handler = &node;
    n.name = std::move(name);
    n.ip = std::move(ip);
    n.port = port;
    nodes_.push_back(std::move(n));
    return nodes_.size() - 1;
}

void Network::set_listening(NodeId node, bool listening) {
    nodes_.at(node).listening = listening;
}

Millis Network::delay() {
    return config_.latency + Millis(rng_.uniform(0, to_ms(config_.jitter)));
}

ConnId Network::connect(NodeId from, const std::string& host, int port) {
    const ConnId id = next_conn_++;
    Conn c;
    c.client = from;
    c.server = kNoNode;
    for (NodeId i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].port != 0 && nodes_[i].port == port && nodes_[i].ip == host) {
            c.server = i;
            break;
        }
    }
    c.client_addr = nodes_.at(from).ip + ":" + std::to_string(next_ephemeral_port_);
    next_ephemeral_port_ =
        next_ephemeral_port_ >= kLastEphemeralPort ? kFirstEphemeralPort : next_ephemeral_port_ + 1;
    c.started = queue_.now();
    conns_.emplace(id, std::move(c));
    queue_.after(delay(), [this, id] { syn_arrives(id); });
    return id;
}

void Network::syn_arrives(ConnId id) {
    auto it = conns_.find(id);
    if (it == conns_.end()) {
        return;  // the client closed the link or died before the SYN got anywhere
    }
    Conn& c = it->second;
    NetNode* client = nodes_[c.client].handler;
    if (c.server == kNoNode || !nodes_[c.server].listening) {
        conns_.erase(it);
        client->net_connect_failed(id, "Connection refused");
        return;
    }
    if (!reachable(c.client, c.server)) {
        // The SYN is lost; the client gives up at its connect timeout.
        queue_.at(c.started + config_.connect_timeout, [this, id] {
            auto again = conns_.find(id);
            if (again == conns_.end() || again->second.state != State::connecting) {
                return;
            }
            NetNode* h = nodes_[again->second.client].handler;
            conns_.erase(again);
            h->net_connect_failed(id, "Connection timed out");
        });
        return;
    }
    c.state = State::established;
    // The kernel accepts on the server's behalf: the process sees the accept (held if it is
    // stalled) before anything the client queued while connecting.
    const Millis now = queue_.now();
    for (auto& seg : c.to_server.queue) {
        seg.at = std::max(seg.at, now);
    }
    Segment accept;
    accept.kind = Kind::accept;
    accept.at = now;
    accept.bytes = c.client_addr;
    c.to_server.queue.push_front(std::move(accept));
    c.to_server.last_at = std::max(c.to_server.last_at, now);
    schedule_pump(id, true, now);
    const std::string local_ip = nodes_[c.client].ip;
    client->net_connected(id, local_ip);
}

void Network::send(ConnId conn, NodeId from, std::string bytes) {
    auto it = conns_.find(conn);
    if (it == conns_.end()) {
        return;
    }
    const bool to_server = it->second.client == from;
    SENTINEL_ASSERT(to_server || it->second.server == from);
    // The sender's own end must still be open for it to write.
    const Direction& own = to_server ? it->second.to_client : it->second.to_server;
    if (!own.open) {
        return;
    }
    Segment seg;
    seg.kind = Kind::data;
    seg.bytes = std::move(bytes);
    push(conn, to_server, std::move(seg));
}

void Network::push(ConnId id, bool to_server, Segment seg) {
    auto it = conns_.find(id);
    if (it == conns_.end()) {
        return;
    }
    Conn& c = it->second;
    Direction& d = to_server ? c.to_server : c.to_client;
    if (!d.open) {
        return;  // nobody left to read it
    }
    // A connect to an address nobody listens on has no server end (kNoNode) until refused.
    Millis extra = nodes_[c.client].extra_delay;
    if (c.server != kNoNode) {
        extra = std::max(extra, nodes_[c.server].extra_delay);
    }
    seg.at = std::max(queue_.now() + delay() + extra, d.last_at);
    d.last_at = seg.at;
    const Millis at = seg.at;
    d.queue.push_back(std::move(seg));
    if (c.state == State::established) {
        schedule_pump(id, to_server, at);
    }
}

void Network::schedule_pump(ConnId id, bool to_server, Millis at) {
    queue_.at(at, [this, id, to_server] { pump(id, to_server); });
}

bool Network::held(const Conn& c, bool to_server) const {
    const NodeId dst = to_server ? c.server : c.client;
    const NodeId src = to_server ? c.client : c.server;
    return c.stalled || nodes_[dst].stalled || !reachable(src, dst);
}

void Network::pump(ConnId id, bool to_server) {
    for (;;) {
        // Look the connection up again every round: the handler may have closed it.
        auto it = conns_.find(id);
        if (it == conns_.end()) {
            return;
        }
        Conn& c = it->second;
        Direction& d = to_server ? c.to_server : c.to_client;
        if (d.queue.empty() || !d.open) {
            return;
        }
        Segment& head = d.queue.front();
        if (c.state != State::established && head.kind != Kind::reset) {
            return;
        }
        if (head.at > queue_.now()) {
            schedule_pump(id, to_server, head.at);
            return;
        }
        if (!head.forced && held(c, to_server)) {
            return;  // released by heal()/stall(false), which pump again
        }
        Segment seg = std::move(head);
        d.queue.pop_front();
        ++delivered_;
        NetNode* h = nodes_[to_server ? c.server : c.client].handler;
        switch (seg.kind) {
            case Kind::accept:
                h->net_accepted(id, seg.bytes);
                break;
            case Kind::data:
                h->net_data(id, seg.bytes);
                break;
            case Kind::fin:
            case Kind::reset:
                d.open = false;
                d.queue.clear();
                maybe_erase(id);
                h->net_closed(id, seg.kind == Kind::fin ? "Connection closed by peer"
                                                        : "Connection reset by peer");
                return;
        }
    }
}

void Network::maybe_erase(ConnId id) {
    auto it = conns_.find(id);
    if (it != conns_.end() && !it->second.to_server.open && !it->second.to_client.open) {
        conns_.erase(it);
    }
}

void Network::close(ConnId conn, NodeId from) {
    auto it = conns_.find(conn);
    if (it == conns_.end()) {
        return;
    }
    Conn& c = it->second;
    const bool is_client = c.client == from;
    SENTINEL_ASSERT(is_client || c.server == from);
    if (c.state == State::connecting) {
        conns_.erase(it);  // abandoning a connect: the SYN handler finds nothing
        return;
    }
    Direction& own = is_client ? c.to_client : c.to_server;
    own.open = false;
    own.queue.clear();
    Segment fin;
    fin.kind = Kind::fin;
    push(conn, is_client, std::move(fin));
    maybe_erase(conn);
}

void Network::reset(ConnId conn) {
    auto it = conns_.find(conn);
    if (it == conns_.end() || it->second.state != State::established) {
        return;
    }
    for (const bool to_server : {true, false}) {
        Conn& c = conns_.at(conn);
        Direction& d = to_server ? c.to_server : c.to_client;
        if (!d.open) {
            continue;
        }
        d.queue.clear();
        Segment rst;
        rst.kind = Kind::reset;
        rst.forced = true;
        push(conn, to_server, std::move(rst));
    }
}

void Network::crash(NodeId node) {
    nodes_.at(node).listening = false;
    nodes_.at(node).stalled = false;
    std::vector<ConnId> ids;
    for (const auto& [id, c] : conns_) {
        if (c.client == node || c.server == node) {
            ids.push_back(id);
        }
    }
    for (const ConnId id : ids) {
        Conn& c = conns_.at(id);
        if (c.state == State::connecting) {
            if (c.client == node) {
                conns_.erase(id);
            }
            continue;  // a SYN towards the dead node is refused when it arrives
        }
        const bool node_is_client = c.client == node;
        Direction& own = node_is_client ? c.to_client : c.to_server;
        own.open = false;
        own.queue.clear();
        // The peer reads whatever the dead process had already sent, then the reset.
        Segment rst;
        rst.kind = Kind::reset;
        push(id, node_is_client, std::move(rst));
        maybe_erase(id);
    }
}

void Network::stall(ConnId conn, bool stalled) {
    auto it = conns_.find(conn);
    if (it == conns_.end()) {
        return;
    }
    it->second.stalled = stalled;
    if (!stalled) {
        schedule_pump(conn, true, queue_.now());
        schedule_pump(conn, false, queue_.now());
    }
}

void Network::stall_node(NodeId node, bool stalled) {
    nodes_.at(node).stalled = stalled;
    if (!stalled) {
        release_all();
    }
}

void Network::slow(NodeId node, Millis extra) {
    nodes_.at(node).extra_delay = extra;
}

void Network::partition(const std::vector<NodeId>& a, const std::vector<NodeId>& b) {
    for (const NodeId x : a) {
        for (const NodeId y : b) {
            if (x != y) {
                blocked_.insert(ordered(x, y));
            }
        }
    }
}

void Network::isolate(NodeId node) {
    for (NodeId other = 0; other < nodes_.size(); ++other) {
        if (other != node) {
            blocked_.insert(ordered(node, other));
        }
    }
}

void Network::heal() {
    blocked_.clear();
    release_all();
}

void Network::heal(const std::vector<NodeId>& a, const std::vector<NodeId>& b) {
    for (const NodeId x : a) {
        for (const NodeId y : b) {
            blocked_.erase(ordered(x, y));
        }
    }
    release_all();
}

void Network::release_all() {
    for (const auto& [id, c] : conns_) {
        if (c.state == State::established) {
            schedule_pump(id, true, queue_.now());
            schedule_pump(id, false, queue_.now());
        }
    }
}

bool Network::reachable(NodeId a, NodeId b) const {
    return a == b || blocked_.count(ordered(a, b)) == 0;
}

std::vector<ConnId> Network::connections_of(NodeId node) const {
    std::vector<ConnId> out;
    for (const auto& [id, c] : conns_) {
        if (c.state != State::established) {
            continue;
        }
        if ((c.client == node && c.to_client.open) || (c.server == node && c.to_server.open)) {
            out.push_back(id);
        }
    }
    return out;
}

std::vector<ConnId> Network::connections() const {
    std::vector<ConnId> out;
    for (const auto& [id, c] : conns_) {
        if (c.state == State::established) {
            out.push_back(id);
        }
    }
    return out;
}

std::optional<std::pair<NodeId, NodeId>> Network::ends(ConnId conn) const {
    auto it = conns_.find(conn);
    if (it == conns_.end()) {
        return std::nullopt;
    }
    return std::pair{it->second.client, it->second.server};
}

std::string Network::address_of(NodeId node) const {
    return nodes_.at(node).ip + ":" + std::to_string(nodes_.at(node).port);
}

const std::string& Network::name_of(NodeId node) const {
    return nodes_.at(node).name;
}

}  // namespace sentinel::sim
