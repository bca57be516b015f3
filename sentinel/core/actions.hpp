#pragma once
// Actions the core asks its runtime to carry out, in order.

#include <cstdint>
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
};

/// Write the configuration to disk now (atomically) before any later action or reply.
/// `reply_depends`: the pending client reply must become "-ERR Failed to save config file..."
/// if the write fails (as sentinelFlushConfigAndReply does).
struct PersistAction {
    bool reply_depends = false;
    /// Discovery bookkeeping (new replicas and peers) that may be coalesced with the next
    /// write instead of costing a rewrite each: losing it in a crash only means rediscovery.
    /// Votes, epochs, configuration changes and failovers are never deferrable.
    bool deferrable = false;
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

/// Start a script process now, without blocking: argv[0] is the path, the environment is
/// inherited, and no descriptor but 0, 1 and 2 is passed on. The host reports a
/// ScriptStartedEvent for `job_id`, then a ScriptExitedEvent when the process ends. The core's
/// ScriptQueue decides when (limits, retries); the host only runs processes.
struct SpawnScriptAction {
    std::uint64_t job_id = 0;
    std::vector<std::string> argv;
};

/// Send SIGKILL to script process `pid` (it ran too long). Hosts ignore a pid they have already
/// reaped, so a late kill never reaches a recycled pid.
struct KillScriptAction {
    int pid = 0;
};

/// Terminate the process now with `code` after logging `message` (SENTINEL SIMULATE-FAILURE).
struct ExitAction {
    int code = 0;
    std::string message;
};

/// One action; executed by the runtime in the order emitted.
using Action = std::variant<EventAction, PersistAction, ConnectAction, CloseAction, SendAction,
                            SpawnScriptAction, KillScriptAction, ExitAction>;

/// Collects the actions produced by one step of the core.
struct Outbox {
    std::vector<Action> actions;

    void event(LogLevel level, std::string type, std::string text) {
        actions.emplace_back(EventAction{level, std::move(type), std::move(text)});
    }
    void persist(bool reply_depends = false) {
        actions.emplace_back(PersistAction{reply_depends, false});
    }
    void persist_discovery() { actions.emplace_back(PersistAction{false, true}); }
    void connect(LinkId link, std::string host, int port) {
        actions.emplace_back(ConnectAction{link, std::move(host), port});
    }
    void close(LinkId link) { actions.emplace_back(CloseAction{link}); }
    void send(LinkId link, std::vector<std::string> args) {
        actions.emplace_back(SendAction{link, std::move(args)});
    }
    void spawn_script(std::uint64_t job_id, std::vector<std::string> argv) {
        actions.emplace_back(SpawnScriptAction{job_id, std::move(argv)});
    }
    void kill_script(int pid) { actions.emplace_back(KillScriptAction{pid}); }
    void exit(int code, std::string message) {
        actions.emplace_back(ExitAction{code, std::move(message)});
    }
};

}  // namespace sentinel::core
