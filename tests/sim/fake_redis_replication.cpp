// FakeRedis: lifecycle (start, crash, restart) and replication between FakeRedis instances.

#include <charconv>

#include "common/resp/writer.hpp"
#include "common/util/assert.hpp"
#include "tests/sim/fake_redis.hpp"

namespace sentinel::sim {
namespace {

// serverCron runs at hz 10; replicationCron's once-a-second duties are spread over it.
constexpr Millis kCronPeriod{100};
constexpr Millis kReconnectPeriod{1000};
constexpr Millis kAckPeriod{1000};

// The replication stream: a pseudo-command carrying the master's offset. Real masters stream
// the write commands themselves; only the offset matters to sentinels.
constexpr std::string_view kStreamCommand = "SIMREPL";

}  // namespace

void FakeRedis::start() {
    SENTINEL_ASSERT(!up_);
    boot();
}

void FakeRedis::boot() {
    up_ = true;
    started_ = queue_.now();
    run_id_ = rng_.hex(40);
    replid_ = rng_.hex(40);
    replid2_ = std::string(40, '0');
    clients_.clear();
    link_ = MasterLink{};
    link_.next_attempt = queue_.now();
    net_.set_listening(net_id_, true);
    schedule_cron();
    if (!is_master()) {
        connect_to_master();
    }
}

void FakeRedis::crash() {
    if (!up_) {
        return;
    }
    up_ = false;
    ++incarnation_;
    net_.crash(net_id_);
    clients_.clear();
    link_ = MasterLink{};
}

void FakeRedis::restart() {
    SENTINEL_ASSERT(!up_);
    boot();
}

void FakeRedis::restart_as_master() {
    SENTINEL_ASSERT(!up_);
    master_host_.clear();
    master_port_ = 0;
    boot();
}

void FakeRedis::restart_as_replica_of(const std::string& host, int port) {
    SENTINEL_ASSERT(!up_);
    master_host_ = host;
    master_port_ = port;
    boot();
}

void FakeRedis::replicaof(const std::string& host, int port) {
    if (!up_) {
        master_host_ = host;
        master_port_ = port;
        return;
    }
    become_replica_of(host, port);
    flush_clients();
}

void FakeRedis::replicaof_no_one() {
    if (!up_) {
        master_host_.clear();
        master_port_ = 0;
        return;
    }
    if (!is_master()) {
        become_master();
    }
    flush_clients();
}

void FakeRedis::schedule_cron() {
    const std::uint64_t incarnation = incarnation_;
    queue_.after(kCronPeriod, [this, incarnation] {
        if (up_ && incarnation == incarnation_) {
            cron();
            schedule_cron();
        }
    });
}

void FakeRedis::cron() {
    const Millis now = queue_.now();
    if (is_master()) {
        offset_ +=
            static_cast<std::uint64_t>(options_.write_bytes_per_second * to_ms(kCronPeriod) / 1000);
    } else if (link_.state == LinkState::none) {
        if (now >= link_.next_attempt) {
            connect_to_master();
        }
    } else if (link_.state == LinkState::handshake || link_.state == LinkState::connected) {
        if (now - link_.last_io > options_.repl_timeout) {
            // As replicationCron: "MASTER timeout: no data nor PING received...".
            drop_master_link(link_.state == LinkState::connected);
        } else if (link_.state == LinkState::connected && now - link_.last_ack_sent >= kAckPeriod) {
            link_.last_ack_sent = now;
            net_.send(link_.conn, net_id_,
                      resp::Writer::command({"REPLCONF", "ACK", std::to_string(offset_)}));
        }
    }
    // Feed our own replicas (chained replication forwards the offset it has).
    const std::string stream =
        resp::Writer::command({std::string(kStreamCommand), std::to_string(offset_)});
    for (const auto& [id, c] : clients_) {
        if (c.is_replica && !c.kill) {
            net_.send(id, net_id_, stream);
        }
    }
}

void FakeRedis::connect_to_master() {
    link_.state = LinkState::connecting;
    link_.parser = resp::ReplyParser{};
    link_.handshake_replies = 0;
    link_.conn = net_.connect(net_id_, master_host_, master_port_);
}

void FakeRedis::net_connected(ConnId conn, const std::string&) {
    if (!up_ || link_.state != LinkState::connecting || conn != link_.conn) {
        net_.close(conn, net_id_);  // a link we no longer want (role changed meanwhile)
        return;
    }
    link_.state = LinkState::handshake;
    link_.last_io = queue_.now();
    // The replica handshake of syncWithMaster, pipelined.
    std::string out;
    if (!options_.masterauth.empty()) {
        out += resp::Writer::command({"AUTH", options_.masterauth});
    }
    out += resp::Writer::command({"PING"});
    out += resp::Writer::command({"REPLCONF", "listening-port", std::to_string(options_.port)});
    out += resp::Writer::command({"REPLCONF", "capa", "eof", "capa", "psync2"});
    out += resp::Writer::command({"PSYNC", "?", "-1"});
    net_.send(conn, net_id_, std::move(out));
}

void FakeRedis::net_connect_failed(ConnId conn, const std::string&) {
    if (!up_ || link_.state != LinkState::connecting || conn != link_.conn) {
        return;
    }
    link_.state = LinkState::none;
    link_.next_attempt = queue_.now() + kReconnectPeriod;
}

void FakeRedis::on_master_data(const std::string& bytes) {
    link_.parser.feed(bytes);
    resp::Value v;
    for (;;) {
        const auto status = link_.parser.next(v);
        if (status == resp::ParseStatus::incomplete) {
            return;
        }
        if (status == resp::ParseStatus::error || v.is_error()) {
            // A master that refuses the handshake (NOAUTH, not a Redis at all...): retry later.
            drop_master_link(link_.state == LinkState::connected);
            return;
        }
        link_.last_io = queue_.now();
        if (link_.state == LinkState::handshake && v.type == resp::Type::simple_string &&
            v.str.rfind("FULLRESYNC ", 0) == 0) {
            const auto space = v.str.rfind(' ');
            std::uint64_t off = 0;
            const char* begin = v.str.data() + space + 1;
            std::from_chars(begin, v.str.data() + v.str.size(), off);
            offset_ = off;
            link_.state = LinkState::connected;
            link_.down_since.reset();
            link_.last_ack_sent = queue_.now();
        } else if (link_.state == LinkState::connected && v.type == resp::Type::array &&
                   v.elements.size() == 2 && v.elements[0].str == kStreamCommand) {
            const std::string& s = v.elements[1].str;
            std::uint64_t off = 0;
            std::from_chars(s.data(), s.data() + s.size(), off);
            offset_ = off;
        }
    }
}

void FakeRedis::drop_master_link(bool lost_synced_link) {
    if (link_.state != LinkState::none) {
        net_.close(link_.conn, net_id_);
    }
    if (lost_synced_link) {
        link_.down_since = queue_.now();
    }
    link_.state = LinkState::none;
    link_.conn = 0;
    link_.next_attempt = queue_.now() + kReconnectPeriod;
}

void FakeRedis::drop_replicas() {
    for (auto& [id, c] : clients_) {
        if (c.is_replica) {
            c.kill = true;
        }
    }
}

void FakeRedis::become_replica_of(const std::string& host, int port) {
    // As replicationSetMaster: drop the old master link and our own replicas (they must learn
    // the new history), then connect to the new master right away.
    if (link_.state != LinkState::none) {
        drop_master_link(link_.state == LinkState::connected);
    }
    drop_replicas();
    master_host_ = host;
    master_port_ = port;
    connect_to_master();
}

void FakeRedis::become_master() {
    // As replicationUnsetMaster: a new replication id, the old one kept as replid2, replicas
    // disconnected so they notice the change.
    if (link_.state != LinkState::none) {
        net_.close(link_.conn, net_id_);
    }
    link_ = MasterLink{};
    master_host_.clear();
    master_port_ = 0;
    replid2_ = replid_;
    replid_ = rng_.hex(40);
    drop_replicas();
}

}  // namespace sentinel::sim
