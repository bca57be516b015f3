#pragma once
// The COMMAND command family, answered from a table captured from redis-sentinel 7.0.15
// (tools/capture_command_table.py -> command_table.json, embedded into the binary at build time).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/value.hpp"

namespace sentinel::server {

/// Handles the COMMAND command: `args` is the full argv including "COMMAND" (any case). Covers
/// COMMAND, COUNT, LIST [FILTERBY ...], INFO, DOCS, GETKEYS, GETKEYSANDFLAGS and HELP, including
/// the unknown-subcommand and wrong-arity errors Redis raises before dispatching. Returns the reply
/// value; errors come back as resp::Value::error("ERR ..."). The reply is built with RESP3 types
/// (maps, sets) exactly where Redis uses them, so the writer's RESP2 downgrade matches too.
resp::Value command_command(const std::vector<std::string>& args);

/// True if `name` is a known command or "container|subcommand" name (ASCII case-insensitive, as
/// Redis's command dict is), e.g. "ping", "SENTINEL", "sentinel|masters".
bool command_exists(std::string_view name);

/// The arity recorded for `name` (same lookup rules as command_exists): positive means exactly
/// that many argv entries, negative means at least -arity. Empty if the command is unknown.
std::optional<std::int64_t> command_arity(std::string_view name);

/// True if the top-level command `name` has subcommands (SENTINEL, CLIENT, ACL, COMMAND), which
/// is what makes Redis answer "unknown subcommand" rather than "unknown command".
bool command_has_subcommands(std::string_view name);

/// Number of top-level commands, i.e. the COMMAND COUNT reply (15 for redis-sentinel 7.0.15).
std::int64_t command_count();

}  // namespace sentinel::server
