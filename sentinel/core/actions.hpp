#pragma once
// Actions the core asks its runtime to carry out, in order.

#include <string>
#include <variant>
#include <vector>

#include "sentinel/config/config.hpp"
#include "sentinel/core/events.hpp"

namespace sentinel::core {

using config::LogLevel;

/// A sentinel event: logged at `level`, and published on channel `type` with `text` as payload
/// (e.g. type "+sdown", text "master mymaster 127.0.0.1 6379"). Redis publishes every event
/// except debug-level ones.
struct EventAction {
    LogLevel level = LogLevel::warning;
    std::string type;
    std::string text;
    /// The master's notification-script for warning-level events about an instance (run with
    /// `type text`); empty when none applies.
    std::string script;
};

/// Write the configuration to disk now (atomically) before any later action or reply.
/// `reply_depends`: the pending client reply must become "-ERR Failed to save config file..."
/// if the write fails (as sentinelFlushConfigAndReply does).
struct PersistAction {
    bool reply_depends = false;
};

/// Open a TCP connection to host:port and call it `link`. Reports back LinkUpEvent or
/// LinkDownEvent. SendActions for the link may follow at once: the runtime queues them until
/// the connection is up (bounded; overflowing the queue breaks the link).
struct ConnectAction {
    LinkId link = 0;
    std::string host;
    int port = 0;
};

/// Close a link. No LinkDownEvent follows; late replies for it are dropped by the core.
struct CloseAction {
    LinkId link = 0;
};

/// Send one command on a link. Its reply comes back as a ReplyEvent, in order.
struct SendAction {
    LinkId link = 0;
    std::vector<std::string> args;
};

/// Run a script (notification or client-reconfig) with these arguments; argv[0] is the path.
/// The runtime queues and supervises it (limits, retries, timeouts) without blocking.
struct ScriptAction {
    std::vector<std::string> argv;
};

/// Terminate the process now with `code` after logging `message` (SENTINEL SIMULATE-FAILURE).
struct ExitAction {
    int code = 0;
    std::string message;
};

/// One action; executed by the runtime in the order emitted.
using Action = std::variant<EventAction, PersistAction, ConnectAction, CloseAction, SendAction,
                            ScriptAction, ExitAction>;

/// Collects the actions produced by one step of the core.
struct Outbox {
    std::vector<Action> actions;

    void event(LogLevel level, std::string type, std::string text, std::string script = {}) {
        actions.emplace_back(
            EventAction{level, std::move(type), std::move(text), std::move(script)});
    }
    void persist(bool reply_depends = false) { actions.emplace_back(PersistAction{reply_depends}); }
    void connect(LinkId link, std::string host, int port) {
        actions.emplace_back(ConnectAction{link, std::move(host), port});
    }
    void close(LinkId link) { actions.emplace_back(CloseAction{link}); }
    void send(LinkId link, std::vector<std::string> args) {
        actions.emplace_back(SendAction{link, std::move(args)});
    }
    void script(std::vector<std::string> argv) { actions.emplace_back(ScriptAction{std::move(argv)}); }
    void exit(int code, std::string message) {
        actions.emplace_back(ExitAction{code, std::move(message)});
    }
};

}  // namespace sentinel::core
