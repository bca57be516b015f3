#pragma once
// Outgoing links: the TCP connections a sentinel opens to masters, replicas and other sentinels.
// Carries out the core's ConnectAction / SendAction / CloseAction and reports what happens on
// each link as core events (LinkUp, Reply, LinkDown). One thread, no locks.

#include <asio.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/resp/parser.hpp"
#include "sentinel/core/actions.hpp"
#include "sentinel/core/events.hpp"

namespace sentinel::io {

/// Bounds applied to every outgoing link.
struct LinkLimits {
    /// Time allowed for resolving (when the host is not an IP literal) and connecting together;
    /// when it passes the link goes down with reason "connect timeout".
    std::chrono::milliseconds connect_timeout{1000};
    /// Encoded commands not yet written to the socket, in bytes. Going over it breaks the link
    /// ("output queue full"): a peer that does not read must not grow our memory.
    std::size_t max_pending_output = 8u * 1024 * 1024;
    /// What a reply from Redis or a sentinel may look like. INFO, the biggest reply we ask for,
    /// is a few KB; the bounds keep a hostile or broken peer from making us allocate gigabytes.
    resp::Limits reply_limits{
        .max_multibulk_len = 64 * 1024,
        .max_bulk_len = 64u * 1024 * 1024,
        .max_inline_len = 64 * 1024,
        .max_depth = 16,
    };
    /// Bytes of one reply still incomplete (an aggregate of many bulks can exceed any single
    /// bulk bound); going over it is a protocol error.
    std::size_t max_buffered_reply = 65u * 1024 * 1024;
};

/// Receives every event the links produce. Called from the event loop only, never from inside
/// a call into OutgoingLinks, so it may call back into OutgoingLinks (e.g. to close a link or
/// send on it) and may run the core's step().
using LinkEventSink = std::function<void(const core::Event& event)>;

/// Every outgoing link of one sentinel.
///
/// Guarantees to the core, per link:
/// - exactly one of LinkUpEvent or LinkDownEvent answers a ConnectAction, unless a
///   CloseAction for the link comes first;
/// - ReplyEvents follow the LinkUpEvent, in wire order (which is SendAction order);
/// - a LinkDownEvent is the last event of a link; none follows a CloseAction;
/// - SendActions before the link is up are queued and written, in order, once it is; commands
///   still queued or unanswered when a link goes down are dropped without any event.
/// Events detected while carrying out an action (e.g. the output queue overflowing) are posted
/// to the io_context and delivered after the current call returns, so the sink never runs
/// re-entrantly.
class OutgoingLinks {
  public:
    OutgoingLinks(asio::io_context& io, LinkEventSink sink, LinkLimits limits = {});
    /// Closes every link silently.
    ~OutgoingLinks();

    OutgoingLinks(const OutgoingLinks&) = delete;
    OutgoingLinks& operator=(const OutgoingLinks&) = delete;

    /// Carries out a ConnectAction, SendAction or CloseAction; any other action is a
    /// programmer error.
    void execute(const core::Action& action);

    /// Starts connecting `action.host` (an IPv4/IPv6 literal, or a name resolved
    /// asynchronously) on `action.port`. The link id must be new.
    void connect(const core::ConnectAction& action);

    /// Queues one command. Ignored for a link that is unknown or already down.
    void send(const core::SendAction& action);

    /// Closes a link; no event follows for it. Ignored for an unknown link.
    void close(core::LinkId link);

    /// Closes every link, without events (shutdown).
    void close_all();

    /// Number of links not yet closed or reported down.
    std::size_t size() const { return links_.size(); }

  private:
    struct Link;
    using LinkPtr = std::shared_ptr<Link>;

    asio::awaitable<void> run(LinkPtr link, std::string host, int port);
    /// Waits until the link's socket is readable, then on_readable().
    void wait_readable(const LinkPtr& link);
    /// Reads what is there, hands every complete reply to the sink, and waits again.
    void on_readable(const LinkPtr& link, asio::error_code ec);
    /// Puts the link in dirty_ and makes sure a flush_dirty() is posted.
    void queue_flush(const LinkPtr& link);
    void flush_dirty();
    /// Writes `out` without blocking; waits for writability only when the socket is full.
    void write_now(const LinkPtr& link);
    void fail(const LinkPtr& link, std::string reason);
    void emit(const LinkPtr& link, core::Event event);
    void deliver(const LinkPtr& link, const core::Event& event);
    LinkPtr find(core::LinkId id) const;

    asio::io_context& io_;
    LinkEventSink sink_;
    LinkLimits limits_;
    /// One read buffer for every link: reads happen only after the socket is readable, on the
    /// single loop thread, so thousands of idle links do not each pin a buffer.
    std::vector<char> read_buf_;
    /// Links that may still produce events, by id. A link that failed stays here until its
    /// LinkDownEvent is delivered, so a CloseAction in between still silences it.
    std::map<core::LinkId, LinkPtr> links_;
    /// Depth of calls into this object; events raised inside one are posted, not delivered.
    int call_depth_ = 0;
    /// Links with output to write at the end of the current batch of actions.
    std::vector<LinkPtr> dirty_;
    /// Expires with this object, so a posted flush that runs later does nothing.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace sentinel::io
