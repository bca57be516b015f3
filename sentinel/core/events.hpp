#pragma once
// Events the runtime (or the simulator) delivers to the core, each with the current time.

#include <cstdint>
#include <string>
#include <variant>

#include "common/resp/value.hpp"

namespace sentinel::core {

/// Identifies one outgoing connection attempt. Chosen by the core in ConnectAction; never
/// reused, so a late event for a closed link is recognised and dropped.
using LinkId = std::uint64_t;

/// Time passed. Delivered no later than Sentinel::next_deadline(), and also after any burst of
/// other events is fine: the core does whatever periodic work is due.
struct TickEvent {};

/// A ConnectAction succeeded. `local_ip` is our address on that connection (the hello message
/// announces it unless announce-ip is set).
struct LinkUpEvent {
    LinkId link = 0;
    std::string local_ip;
};

/// A link failed to connect, was closed by the peer, or broke (including a protocol error in
/// what the peer sent). Commands still queued on it are lost. Not sent for a CloseAction.
struct LinkDownEvent {
    LinkId link = 0;
    std::string reason;
};

/// One reply on a link, in the order the SendActions on that link were issued. On a pub/sub
/// link every pushed message (subscribe confirmations, "message" frames) arrives this way.
struct ReplyEvent {
    LinkId link = 0;
    resp::Value value;
};

/// A client of ours ran `PUBLISH __sentinel__:hello <payload>`: other sentinels send hellos
/// straight to us this way.
struct HelloReceivedEvent {
    std::string payload;
};

/// The outcome of a SpawnScriptAction, reported once per action and never from inside the call
/// that carried the action out. `pid` > 0: the process runs and a ScriptExitedEvent follows.
/// `pid` == -1: nothing runs and `error` says why (strerror text). `exec_failed` tells a program
/// that could not be executed (Redis's forked child exits with status 2: reported, not retried)
/// from a process that could not be created (Redis's fork() failure: retried).
struct ScriptStartedEvent {
    std::uint64_t job_id = 0;
    int pid = -1;
    bool exec_failed = false;
    std::string error;
};

/// A child process ended and was reaped (waitpid). `signal` is the signal that killed it, or 0
/// when it exited; `exit_code` is its exit status (0 when killed by a signal).
struct ScriptExitedEvent {
    int pid = 0;
    int exit_code = 0;
    int signal = 0;
};

/// Everything that can happen to a sentinel.
using Event = std::variant<TickEvent, LinkUpEvent, LinkDownEvent, ReplyEvent, HelloReceivedEvent,
                           ScriptStartedEvent, ScriptExitedEvent>;

}  // namespace sentinel::core
