#include "sentinel/io/outgoing_link.hpp"

#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "common/resp/writer.hpp"
#include "common/util/assert.hpp"
#include "sentinel/io/socket_util.hpp"

namespace sentinel::io {
namespace {

using asio::awaitable;
using asio::ip::tcp;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;

// Our address as a peer would write it: no brackets, no IPv6 zone, IPv4-mapped as plain IPv4.
std::string local_address_text(const asio::ip::address& a) {
    if (!a.is_v6()) {
        return a.to_string();
    }
    auto v6 = a.to_v6();
    if (v6.is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
    }
    v6.scope_id(0);
    return v6.to_string();
}

// Counts nested calls into OutgoingLinks for the lifetime of one public call.
class CallScope {
  public:
    explicit CallScope(int& depth) : depth_(depth) { ++depth_; }
    ~CallScope() { --depth_; }
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;

  private:
    int& depth_;
};

}  // namespace

struct OutgoingLinks::Link {
    Link(core::LinkId link_id, asio::io_context& io)
        : id(link_id), socket(io), deadline(io), wake(io) {}

    // Closes the socket and stops every timer, so each coroutine of the link wakes up, sees
    // `closed` and returns without touching the OutgoingLinks object.
    void shut() {
        closed = true;
        asio::error_code ignored;
        if (resolver) {
            resolver->cancel();
        }
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        deadline.cancel();
        wake.cancel();
    }

    core::LinkId id;
    tcp::socket socket;
    std::optional<tcp::resolver> resolver;  // only for host names, created on demand
    asio::steady_timer deadline;            // connect timeout
    asio::steady_timer wake;                // the writer sleeps here while `out` is empty
    std::string out;                        // encoded commands not yet handed to the socket
    std::size_t in_flight = 0;              // bytes of the write in progress
    bool up = false;
    bool timed_out = false;
    bool closed = false;    // socket closed: no more I/O
    bool reported = false;  // no more events: CloseAction, shutdown, or LinkDown delivered
};

OutgoingLinks::OutgoingLinks(asio::io_context& io, LinkEventSink sink, LinkLimits limits)
    : io_(io), sink_(std::move(sink)), limits_(std::move(limits)) {}

OutgoingLinks::~OutgoingLinks() {
    close_all();
}

void OutgoingLinks::execute(const core::Action& action) {
    if (const auto* c = std::get_if<core::ConnectAction>(&action)) {
        connect(*c);
    } else if (const auto* s = std::get_if<core::SendAction>(&action)) {
        send(*s);
    } else {
        // Server::apply hands over only link actions; events and persists are its own.
        const auto* x = std::get_if<core::CloseAction>(&action);
        SENTINEL_ASSERT(x != nullptr);
        close(x->link);
    }
}

void OutgoingLinks::connect(const core::ConnectAction& action) {
    CallScope scope(call_depth_);
    // Link ids are never reused (events.hpp); a clash means the core lost track of a link.
    SENTINEL_ASSERT(links_.find(action.link) == links_.end());
    auto link = std::make_shared<Link>(action.link, io_);
    links_.emplace(action.link, link);
    if (action.port <= 0 || action.port > 65535) {
        fail(link, "invalid port " + std::to_string(action.port));
        return;
    }
    // The deadline covers resolving and connecting; on expiry closing the socket (and cancelling
    // the resolver) makes the pending operation complete with operation_aborted.
    link->deadline.expires_after(limits_.connect_timeout);
    link->deadline.async_wait([link](const asio::error_code& ec) {
        if (ec || link->up || link->closed) {
            return;
        }
        link->timed_out = true;
        if (link->resolver) {
            link->resolver->cancel();
        }
        asio::error_code ignored;
        link->socket.close(ignored);
    });
    asio::co_spawn(io_, run(link, action.host, action.port), asio::detached);
}

void OutgoingLinks::send(const core::SendAction& action) {
    CallScope scope(call_depth_);
    const LinkPtr link = find(action.link);
    if (!link || link->closed) {
        return;
    }
    std::string bytes = resp::Writer::command(action.args);
    if (link->out.size() + link->in_flight + bytes.size() > limits_.max_pending_output) {
        fail(link, "output queue full");
        return;
    }
    if (link->out.empty()) {
        link->out = std::move(bytes);
    } else {
        link->out += bytes;
    }
    if (link->up) {
        link->wake.cancel();
    }
}

void OutgoingLinks::close(core::LinkId id) {
    CallScope scope(call_depth_);
    const auto it = links_.find(id);
    if (it == links_.end()) {
        return;
    }
    const LinkPtr link = it->second;
    links_.erase(it);
    link->reported = true;
    link->shut();
}

void OutgoingLinks::close_all() {
    CallScope scope(call_depth_);
    for (auto& [id, link] : links_) {
        link->reported = true;
        link->shut();
    }
    links_.clear();
}

OutgoingLinks::LinkPtr OutgoingLinks::find(core::LinkId id) const {
    const auto it = links_.find(id);
    return it == links_.end() ? nullptr : it->second;
}

// Every coroutine below holds its Link by shared_ptr and checks `closed` after each co_await
// before touching `this`: close_all() (run by the destructor) sets it on every link.

awaitable<void> OutgoingLinks::run(LinkPtr link, std::string host, int port) {
    const auto port_number = static_cast<unsigned short>(port);
    std::vector<tcp::endpoint> endpoints;
    asio::error_code ec;
    const auto literal = asio::ip::make_address(host, ec);
    if (!ec) {
        endpoints.emplace_back(literal, port_number);
    } else {
        // Asio resolves on its own internal thread; the loop never blocks on DNS.
        link->resolver.emplace(io_);
        auto [rec, results] =
            co_await link->resolver->async_resolve(host, std::to_string(port), kTuple);
        if (link->closed) {
            co_return;
        }
        if (link->timed_out) {
            fail(link, "connect timeout");
            co_return;
        }
        if (rec) {
            fail(link, "resolve " + host + ": " + rec.message());
            co_return;
        }
        for (const auto& r : results) {
            endpoints.push_back(r.endpoint());
        }
        link->resolver.reset();
    }

    // Try each address in turn, as asio::async_connect would, but opening every socket
    // close-on-exec ourselves.
    asio::error_code last = asio::error::host_not_found;
    bool connected = false;
    for (const auto& ep : endpoints) {
        if (auto oec = open_cloexec(link->socket, ep.protocol())) {
            last = oec;
            continue;
        }
        auto [cec] = co_await link->socket.async_connect(ep, kTuple);
        if (link->closed) {
            co_return;
        }
        if (link->timed_out) {
            fail(link, "connect timeout");
            co_return;
        }
        if (!cec) {
            connected = true;
            break;
        }
        last = cec;
        asio::error_code ignored;
        link->socket.close(ignored);
    }
    if (!connected) {
        fail(link, "connect: " + last.message());
        co_return;
    }

    link->up = true;
    link->deadline.cancel();
    asio::error_code ignored;
    link->socket.set_option(tcp::no_delay(true), ignored);
    const auto local = link->socket.local_endpoint(ec);
    if (ec) {
        fail(link, "getsockname: " + ec.message());
        co_return;
    }
    // The writer starts first so commands queued while connecting go out in order ahead of any
    // the core sends in reaction to LinkUp.
    asio::co_spawn(io_, write_loop(link), asio::detached);
    emit(link, core::LinkUpEvent{link->id, local_address_text(local.address())});
    if (link->closed) {
        co_return;
    }
    co_await read_loop(link);
}

awaitable<void> OutgoingLinks::read_loop(LinkPtr link) {
    resp::ReplyParser parser(limits_.reply_limits);
    asio::error_code nb_ec;
    link->socket.non_blocking(true, nb_ec);
    if (read_buf_.empty()) {
        read_buf_.resize(kReadChunk);
    }
    for (;;) {
        auto [wait_ec] = co_await link->socket.async_wait(asio::ip::tcp::socket::wait_read, kTuple);
        if (link->closed) {
            co_return;
        }
        asio::error_code ec = wait_ec;
        std::size_t n = 0;
        if (!ec) {
            n = link->socket.read_some(asio::buffer(read_buf_), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) {
                continue;  // a spurious wake-up: nothing to read after all
            }
        }
        if (ec) {
            fail(link,
                 ec == asio::error::eof ? "connection closed by peer" : "read: " + ec.message());
            co_return;
        }
        parser.feed(std::string_view(read_buf_.data(), n));
        for (;;) {
            resp::Value value;
            const auto st = parser.next(value);
            if (st == resp::ParseStatus::incomplete) {
                break;
            }
            if (st == resp::ParseStatus::error) {
                fail(link, parser.error());
                co_return;
            }
            emit(link, core::ReplyEvent{link->id, std::move(value)});
            // The core may have closed the link (or every link) in reaction.
            if (link->closed) {
                co_return;
            }
        }
        if (parser.buffered() > limits_.max_buffered_reply) {
            fail(link, "Protocol error: reply too big");
            co_return;
        }
    }
}

awaitable<void> OutgoingLinks::write_loop(LinkPtr link) {
    std::string writing;
    while (!link->closed) {
        if (link->out.empty()) {
            // send() cancels the timer to wake us.
            link->wake.expires_at(asio::steady_timer::time_point::max());
            co_await link->wake.async_wait(kTuple);
            continue;
        }
        // Swap rather than copy: `out` keeps collecting while this batch is written.
        writing.clear();
        writing.swap(link->out);
        link->in_flight = writing.size();
        auto [ec, n] = co_await asio::async_write(link->socket, asio::buffer(writing), kTuple);
        if (link->closed) {
            co_return;
        }
        link->in_flight = 0;
        if (ec) {
            fail(link, "write: " + ec.message());
            co_return;
        }
    }
}

void OutgoingLinks::fail(const LinkPtr& link, std::string reason) {
    if (link->closed) {
        return;
    }
    link->shut();
    emit(link, core::LinkDownEvent{link->id, std::move(reason)});
}

void OutgoingLinks::emit(const LinkPtr& link, core::Event event) {
    if (call_depth_ == 0) {
        deliver(link, event);
        return;
    }
    // Raised while carrying out an action, i.e. (usually) from inside the core's own step:
    // deliver it from the loop instead. A CloseAction or shutdown before then sets `reported`,
    // and the lambda then returns without touching `this`.
    asio::post(io_, [this, link, ev = std::move(event)] {
        if (!link->reported) {
            deliver(link, ev);
        }
    });
}

void OutgoingLinks::deliver(const LinkPtr& link, const core::Event& event) {
    if (link->reported) {
        return;
    }
    if (std::holds_alternative<core::LinkDownEvent>(event)) {
        // The last event of the link: forget it before the core hears of it, so that a
        // CloseAction issued in reaction is a harmless no-op.
        link->reported = true;
        links_.erase(link->id);
    }
    sink_(event);
}

}  // namespace sentinel::io
