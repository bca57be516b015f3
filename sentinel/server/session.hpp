#pragma once
// Per-client connection state, independent of sockets.

#include <cstdint>
#include <set>
#include <string>

#include "common/resp/parser.hpp"
#include "common/util/time.hpp"

namespace sentinel::server {

/// Where a client connected from and to.
struct ClientAddress {
    std::string addr;   ///< "ip:port" of the peer (IPv6 unbracketed ip, as Redis prints)
    std::string laddr;  ///< "ip:port" of our listening socket
    int fd = -1;
    bool loopback = false;
};

/// CLIENT REPLY modes.
enum class ReplyMode { on, off, skip_next, skip_this };

/// One connected client.
struct Session {
    std::uint64_t id = 0;
    ClientAddress address;
    std::string name;
    int protocol = 2;
    std::string user = "default";
    bool authenticated = false;
    std::set<std::string> channels;
    std::set<std::string> patterns;
    Millis created{0};
    Millis last_interaction{0};
    std::string last_command = "NULL";
    ReplyMode reply_mode = ReplyMode::on;
    resp::RequestParser parser;
    std::string out;                 ///< encoded replies waiting to be written
    bool close_after_write = false;  ///< flush `out`, then close
    bool closed = false;             ///< drop now without flushing

    bool in_pubsub() const { return !channels.empty() || !patterns.empty(); }
};

}  // namespace sentinel::server
