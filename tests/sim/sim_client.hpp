#pragma once
// A scripted client process on the simulated network: what redis-cli is to a real group.

#include <optional>
#include <string>
#include <vector>

#include "common/resp/parser.hpp"
#include "common/resp/value.hpp"
#include "tests/sim/network.hpp"
#include "tests/sim/world.hpp"

namespace sentinel::sim {

/// Connects to one address, sends commands and collects the replies (and pushed messages)
/// in order. Used by stories to poke servers directly, through the network model.
class SimClient final : public NetNode {
  public:
    /// Attaches a client-only process (it never listens) with address `ip`.
    explicit SimClient(World& world, std::string ip = "127.0.0.1");

    /// Starts connecting; the outcome shows in connected() / failure().
    void connect(const std::string& host, int port);
    /// Connects and runs the world until the outcome is known (at most `timeout`).
    bool connect_now(const std::string& host, int port, Millis timeout = Millis(5000));
    bool connected() const { return state_ == State::connected; }
    /// Why the connection failed or closed; empty while fine.
    const std::string& failure() const { return failure_; }

    /// Sends one command (queued by the network until connected).
    void send(const std::vector<std::string>& args);
    /// Sends one command and runs the world until its reply arrives (nullopt on timeout or
    /// if the connection dies first). Assumes no unread replies are pending.
    std::optional<resp::Value> call(const std::vector<std::string>& args,
                                    Millis timeout = Millis(5000));
    /// Everything received and not yet taken, oldest first.
    std::vector<resp::Value>& received() { return received_; }
    /// Runs the world until at least `n` values are waiting (at most `timeout`).
    bool wait_for(std::size_t n, Millis timeout = Millis(5000));
    void close();

    NodeId net_id() const { return net_id_; }
    ConnId conn() const { return conn_; }

    // NetNode
    void net_accepted(ConnId, const std::string&) override {}
    void net_connected(ConnId conn, const std::string& local_ip) override;
    void net_connect_failed(ConnId conn, const std::string& reason) override;
    void net_data(ConnId conn, const std::string& bytes) override;
    void net_closed(ConnId conn, const std::string& reason) override;

  private:
    enum class State { idle, connecting, connected, closed };
    World& world_;
    NodeId net_id_ = 0;
    ConnId conn_ = 0;
    State state_ = State::idle;
    std::string failure_;
    resp::ReplyParser parser_;
    std::vector<resp::Value> received_;
};

}  // namespace sentinel::sim
