#include "tests/sim/sim_client.hpp"

#include "common/resp/writer.hpp"

namespace sentinel::sim {

SimClient::SimClient(World& world, std::string ip) : world_(world) {
    net_id_ = world_.network().attach(*this, "client", std::move(ip), 0);
}

void SimClient::connect(const std::string& host, int port) {
    state_ = State::connecting;
    failure_.clear();
    parser_ = resp::ReplyParser{};
    received_.clear();
    conn_ = world_.network().connect(net_id_, host, port);
}

bool SimClient::connect_now(const std::string& host, int port, Millis timeout) {
    connect(host, port);
    world_.run_until([this] { return state_ != State::connecting; }, world_.now() + timeout);
    return connected();
}

void SimClient::send(const std::vector<std::string>& args) {
    world_.network().send(conn_, net_id_, resp::Writer::command(args));
}

std::optional<resp::Value> SimClient::call(const std::vector<std::string>& args, Millis timeout) {
    const std::size_t before = received_.size();
    send(args);
    if (!wait_for(before + 1, timeout)) {
        return std::nullopt;
    }
    resp::Value v = received_[before];
    received_.erase(received_.begin() + static_cast<std::ptrdiff_t>(before));
    return v;
}

bool SimClient::wait_for(std::size_t n, Millis timeout) {
    return world_.run_until([this, n] { return received_.size() >= n || state_ == State::closed; },
                            world_.now() + timeout) &&
           received_.size() >= n;
}

void SimClient::close() {
    if (state_ == State::connected || state_ == State::connecting) {
        world_.network().close(conn_, net_id_);
    }
    state_ = State::closed;
}

void SimClient::net_connected(ConnId conn, const std::string&) {
    if (conn == conn_) {
        state_ = State::connected;
    }
}

void SimClient::net_connect_failed(ConnId conn, const std::string& reason) {
    if (conn == conn_) {
        state_ = State::closed;
        failure_ = reason;
    }
}

void SimClient::net_data(ConnId conn, const std::string& bytes) {
    if (conn != conn_) {
        return;
    }
    parser_.feed(bytes);
    resp::Value v;
    while (parser_.next(v) == resp::ParseStatus::ok) {
        received_.push_back(std::move(v));
    }
}

void SimClient::net_closed(ConnId conn, const std::string& reason) {
    if (conn == conn_) {
        state_ = State::closed;
        failure_ = reason;
    }
}

}  // namespace sentinel::sim
