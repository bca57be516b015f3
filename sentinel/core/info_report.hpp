#pragma once
// What a sentinel learns from one INFO reply of a master or replica: the pure half of
// sentinelRefreshInstanceInfo() in Redis 7.0 (sentinel.c). Applying the report to the instance
// records (events, +slave, role-change timers) is the caller's job.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::core {

/// At most this many "slaveN:" lines are kept from one INFO reply; the rest are dropped.
/// Redis has no limit; a real master lists one line per connected replica.
inline constexpr std::size_t kMaxInfoReplicas = 10000;

/// Lines longer than this (bytes, without the line break) are skipped whole. No field Redis
/// reads is anywhere near this long; the cap keeps a hostile server from making us copy a
/// huge master_host.
inline constexpr std::size_t kMaxInfoLineLength = 64 * 1024;

/// The role an instance reports in its "role:" line.
enum class ReportedRole { unknown, master, slave };

/// One replica listed by a master's INFO that Redis 7.0 would add to the master's replica
/// table: the address passed createSentinelAddr()'s checks. Both line forms are accepted:
/// "slaveN:ip=<ip>,port=<port>,state=<state>,offset=..,lag=.." and the pre-2.8
/// "slaveN:<ip>,<port>,<state>".
struct InfoReplicaLine {
    /// The address exactly as the master printed it (sentinelAddr.hostname).
    std::string host;
    /// `host` normalized as anetResolve() prints it ("127.1" -> "127.0.0.1"); this is what
    /// Redis keys and names the replica by. Empty when `host` is a host name, which is only
    /// accepted with resolve-hostnames: the runtime must resolve it (Redis 7.0.15 keeps an
    /// unresolvable one with an empty ip, named ":<port>").
    std::string ip;
    /// 0..65535. Redis 7.0 accepts port 0 here and keeps such a replica (never connecting).
    int port = 0;
    /// "online", "wait_bgsave", ... Informational only: Redis accepts a replica in any state.
    std::string state;

    bool operator==(const InfoReplicaLine&) const = default;
};

/// Everything Redis 7.0 reads from an INFO reply. Optional fields are absent when the reply
/// did not carry them; Redis then keeps the value it had (slave_priority starts at 100,
/// replica_announced at 1, link status at down), so the caller must not reset them.
struct InfoReport {
    /// "run_id:" followed by at least 40 characters: the first 40 (Redis copies 40 bytes and
    /// ignores the rest). Shorter values are ignored. Last such line wins.
    std::optional<std::string> run_id;
    /// From the last "role:master" / "role:slave" line (prefix match, as Redis).
    ReportedRole role = ReportedRole::unknown;
    /// "slaveN:" lines with a usable address, in order, duplicates kept. Redis reads these only
    /// when the instance is configured as a master; the caller must ignore them otherwise.
    std::vector<InfoReplicaLine> replicas;
    /// True when more than kMaxInfoReplicas usable lines were seen and the rest dropped.
    bool replicas_truncated = false;

    /// "master_link_down_since_seconds:" × 1000, whatever the role; 0 when absent, because
    /// Redis resets it before every parse. A replica that never reached its master prints -1,
    /// which Redis stores as -1000. Saturates instead of overflowing.
    std::int64_t master_link_down_since_ms = 0;

    // The remaining fields are read only from lines that follow a "role:slave" line, as Redis
    // does (INFO prints role first in # Replication).

    /// "master_host:" verbatim (may be empty).
    std::optional<std::string> master_host;
    /// "master_port:" through atoi().
    std::optional<int> master_port;
    /// "master_link_status:": true for "up" in any letter case, false for anything else.
    std::optional<bool> master_link_up;
    /// "slave_priority:" through atoi(); 0 means never promote. Redis 7.0 servers print only
    /// this name (not "replica_priority:"), and Redis 7.0 Sentinel reads only this name.
    std::optional<int> slave_priority;
    /// "slave_repl_offset:" through strtoull().
    std::optional<std::uint64_t> slave_repl_offset;
    /// "replica_announced:" through atoi(); 0 hides the replica from SENTINEL REPLICAS.
    std::optional<int> replica_announced;

    bool operator==(const InfoReport&) const = default;
};

/// Parses an INFO reply the way sentinelRefreshInstanceInfo() does. Never fails: malformed
/// lines are skipped exactly where Redis skips them and numbers go through C's atoi /
/// strtoll / strtoull (leading blanks and trailing junk tolerated, garbage reads as 0).
/// The text ends at its first NUL byte (Redis treats the reply as a C string). Lines end at
/// "\r\n" as Redis splits them; a bare "\n" also ends a line, so LF-only text parses too.
///
/// Replica addresses must be IP literals (anetResolve(ANET_IP_ONLY)). With `accept_hostnames`
/// (resolve-hostnames yes) a host name is kept too, with an empty `ip`. There Redis 7.0.15
/// keeps any string at all, even "" or "bad name", since it accepts unresolvable names; we
/// keep only DNS-shaped names (is_valid_hostname()), so junk never becomes a known-replica.
InfoReport parse_info(std::string_view text, bool accept_hostnames);

/// C's atoi() as glibc implements it on LP64: strtol() saturating at the 64-bit range, then
/// truncated to int (so "4294967297" is 1). Used wherever Redis calls atoi() on peer input.
int c_atoi(std::string_view s);

/// C's strtoll(s, NULL, 10): leading blanks, optional sign, digits; saturates; 0 when no digits.
long long c_strtoll(std::string_view s);

/// C's strtoull(s, NULL, 10): like c_strtoll, but a '-' negates modulo 2^64 ("-1" is the
/// maximum) and overflow gives the maximum.
unsigned long long c_strtoull(std::string_view s);

}  // namespace sentinel::core
