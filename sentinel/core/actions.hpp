#pragma once
// Actions the core asks its runtime to carry out, in order.

#include <string>
#include <variant>
#include <vector>

#include "sentinel/config/config.hpp"

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
};

/// One action; executed by the runtime in the order emitted.
using Action = std::variant<EventAction, PersistAction>;

/// Collects the actions produced by one step of the core.
struct Outbox {
    std::vector<Action> actions;

    void event(LogLevel level, std::string type, std::string text) {
        actions.emplace_back(EventAction{level, std::move(type), std::move(text)});
    }
    void persist(bool reply_depends = false) { actions.emplace_back(PersistAction{reply_depends}); }
};

}  // namespace sentinel::core
