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
// Output capacity a link keeps between bursts (a PING plus a hello fit).
constexpr std::size_t kKeepOutCapacity = 512;

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
    Link(core::LinkId link_id, asio::io_context& io, const resp::Limits& reply_limits)
        : id(link_id), socket(io), deadline(io), parser(reply_limits) {}

    // Closes the socket and stops the timer, so each pending operation of the link completes,
    // sees `closed` and returns without touching the OutgoingLinks object.
    void shut() {
        closed = true;
        asio::error_code ignored;
        if (resolver) {
            resolver->cancel();
        }
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        deadline.cancel();
    }

    core::LinkId id;
    tcp::socket socket;
    std::optional<tcp::resolver> resolver;  // only for host names, created on demand
    asio::steady_timer deadline;            // connect timeout
    std::string out;                        // encoded commands not yet handed to the socket
    resp::ReplyParser parser;               // replies read so far
    bool up = false;
    bool timed_out = false;
    bool flush_queued = false;   // in dirty_, waiting for the end-of-batch flush
    bool waiting_write = false;  // the socket was full: a wait for writability is pending
    bool closed = false;         // socket closed: no more I/O
    bool reported = false;       // no more events: CloseAction, shutdown, or LinkDown delivered
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
    auto link = std::make_shared<Link>(action.link, io_, limits_.reply_limits);
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
    // An upper bound of the encoded size: headers take at most 16 bytes each.
    std::size_t size = 16;
    for (const auto& arg : action.args) {
        size += arg.size() + 16;
    }
    if (link->out.size() + size > limits_.max_pending_output) {
        fail(link, "output queue full");
        return;
    }
    resp::Writer::append_command(link->out, action.args);
    if (link->up) {
        queue_flush(link);
    }
}

void OutgoingLinks::queue_flush(const LinkPtr& link) {
    if (link->flush_queued || link->waiting_write) {
        return;
    }
    link->flush_queued = true;
    dirty_.push_back(link);
    if (dirty_.size() > 1) {
        return;  // a flush is already posted
    }
    // Written once the current batch of actions is done: the commands one step sends to a
    // link (PING, INFO, PUBLISH...) leave in one write, without a coroutine per link.
    asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
        if (!alive.expired()) {
            flush_dirty();
        }
    });
}

void OutgoingLinks::flush_dirty() {
    CallScope scope(call_depth_);
    std::vector<LinkPtr> batch;
    batch.swap(dirty_);
    for (const auto& link : batch) {
        link->flush_queued = false;
        write_now(link);
    }
}

void OutgoingLinks::write_now(const LinkPtr& link) {
    while (!link->closed && !link->out.empty()) {
        asio::error_code ec;
        const std::size_t n = link->socket.write_some(asio::buffer(link->out), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            link->waiting_write = true;
            link->socket.async_wait(tcp::socket::wait_write, [this, link](asio::error_code wec) {
                link->waiting_write = false;
                if (link->closed) {
                    return;
                }
                CallScope inner(call_depth_);
                if (wec) {
                    fail(link, "write: " + wec.message());
                    return;
                }
                write_now(link);
            });
            return;
        }
        if (ec) {
            fail(link, "write: " + ec.message());
            return;
        }
        link->out.erase(0, n);
    }
    if (link->out.capacity() > kKeepOutCapacity) {
        std::string().swap(link->out);  // a burst is over: thousands of links hold nothing
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
    asio::error_code nb_ec;
    link->socket.non_blocking(true, nb_ec);
    // Commands queued while connecting go out first, ahead of any the core sends in reaction
    // to LinkUp.
    if (!link->out.empty()) {
        queue_flush(link);
    }
    emit(link, core::LinkUpEvent{link->id, local_address_text(local.address())});
    if (link->closed) {
        co_return;
    }
    wait_readable(link);
}

void OutgoingLinks::wait_readable(const LinkPtr& link) {
    // A plain completion handler rather than a coroutine: an idle link then costs one small
    // pending operation, not coroutine frames (thousands of links are mostly idle).
    link->socket.async_wait(tcp::socket::wait_read, [this, link](const asio::error_code& ec) {
        if (!link->closed) {
            on_readable(link, ec);
        }
    });
}

void OutgoingLinks::on_readable(const LinkPtr& link, asio::error_code ec) {
    std::size_t n = 0;
    if (!ec) {
        if (read_buf_.empty()) {
            read_buf_.resize(kReadChunk);
        }
        n = link->socket.read_some(asio::buffer(read_buf_), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            wait_readable(link);  // a spurious wake-up: nothing to read after all
            return;
        }
    }
    if (ec) {
        fail(link, ec == asio::error::eof ? "connection closed by peer" : "read: " + ec.message());
        return;
    }
    resp::ReplyParser& parser = link->parser;
    parser.feed_borrowed(std::string_view(read_buf_.data(), n));
    for (;;) {
        resp::Value value;
        const auto st = parser.next(value);
        if (st == resp::ParseStatus::incomplete) {
            break;
        }
        if (st == resp::ParseStatus::error) {
            fail(link, parser.error());
            return;
        }
        emit(link, core::ReplyEvent{link->id, std::move(value)});
        // The core may have closed the link (or every link) in reaction.
        if (link->closed) {
            return;
        }
    }
    if (parser.buffered() > limits_.max_buffered_reply) {
        fail(link, "Protocol error: reply too big");
        return;
    }
    wait_readable(link);
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
