#pragma once
// The redis.conf grammar a 7.0.15 sentinel accepts: its standard config table (name, value type,
// bounds) and the commands a sentinel serves. Private to sentinel/config.

#include <span>
#include <string_view>

namespace sentinel::config::detail {

/// How a standard directive's value is checked, mirroring Redis's config types.
enum class DirectiveKind {
    boolean,          ///< yes/no
    enumeration,      ///< one of enum_values (several of them when multi_arg)
    integer,          ///< string2ll, then lower..upper
    memory,           ///< memtoull (1k, 1kb, 1m, 1mb, 1g, 1gb), then lower..upper as signed
    memory_unsigned,  ///< memtoull into an unsigned long long: any parsable value fits
    memory_percent,   ///< memory, or "N%" with 0 <= N <= -lower
    octal,            ///< strtoll base 8, then lower..upper (printed in octal)
    string,           ///< any single value, optionally checked by a StringCheck
    special,          ///< its own setter in config.cpp (save, bind, dir, replicaof, ...)
};

/// Validators Redis runs on a few string options.
enum class StringCheck { none, dbfilename, aof_filename, aof_dirname, proc_title, hostname };

/// One entry of redis-server 7.0.15's config table (aliases such as slaveof listed separately).
struct DirectiveSpec {
    std::string_view name;
    DirectiveKind kind;
    long long lower = 0;
    long long upper = 0;
    std::string_view enum_values;  ///< as Redis lists them in its error: "a, b, c"
    bool multi_arg = false;        ///< enumeration taking several flags (shutdown-on-sig*)
    StringCheck check = StringCheck::none;
};

/// The standard directive named `lower_name` (already lower-case), or nullptr.
const DirectiveSpec* find_directive(std::string_view lower_name);

/// The top-level commands a 7.0 sentinel serves (`COMMAND LIST` on redis-sentinel 7.0.15),
/// lower-case: rename-command and ACL rules may only name these.
std::span<const std::string_view> sentinel_commands();

/// True when `name` is one of sentinel_commands(), compared case-insensitively.
bool is_sentinel_command(std::string_view name);

}  // namespace sentinel::config::detail
