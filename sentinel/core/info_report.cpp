#include "sentinel/core/info_report.hpp"

#include <limits>
#include <utility>

#include "sentinel/core/address.hpp"

namespace sentinel::core {
namespace {

// isspace() in the C locale, which is what strtol() skips.
bool is_c_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// The shared front half of strtol/strtoll/strtoull in base 10: blanks, sign, digits. The
// magnitude saturates at UINT64_MAX with `overflow` set.
struct CNumber {
    bool negative = false;
    bool overflow = false;
    std::uint64_t magnitude = 0;
};

CNumber scan_c_number(std::string_view s) {
    CNumber n;
    std::size_t i = 0;
    while (i < s.size() && is_c_space(s[i])) {
        ++i;
    }
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        n.negative = s[i] == '-';
        ++i;
    }
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    for (; i < s.size() && is_digit(s[i]); ++i) {
        const auto digit = static_cast<std::uint64_t>(s[i] - '0');
        if (n.overflow || n.magnitude > (kMax - digit) / 10) {
            n.overflow = true;
            continue;
        }
        n.magnitude = n.magnitude * 10 + digit;
    }
    return n;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// The text from `from` up to the next ',' or the end: where Redis writes its '\0'.
std::string_view until_comma(std::string_view line, std::size_t from) {
    const auto rest = line.substr(from);
    return rest.substr(0, rest.find(','));
}

std::int64_t saturating_times_1000(long long v) {
    constexpr long long kLimit = std::numeric_limits<std::int64_t>::max() / 1000;
    if (v > kLimit) {
        return std::numeric_limits<std::int64_t>::max();
    }
    if (v < -kLimit) {
        return std::numeric_limits<std::int64_t>::min();
    }
    return static_cast<std::int64_t>(v) * 1000;
}

// A "slaveN:" line as sentinelRefreshInstanceInfo() reads it. Nullopt where Redis `continue`s
// or where createSentinelAddr() would refuse the address (bad port, not resolvable).
std::optional<InfoReplicaLine> parse_replica_line(std::string_view line, bool accept_hostnames) {
    std::string_view host;
    std::string_view port;
    std::string_view state;
    if (line.find("ip=") == std::string_view::npos) {
        // Pre-2.8 form "slaveN:<ip>,<port>,<state>": Redis needs both commas; the first ':'
        // anywhere starts the ip, so IPv6 "slave0:::1,6380,online" reads as "::1".
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            return std::nullopt;
        }
        const auto comma1 = line.find(',', colon + 1);
        if (comma1 == std::string_view::npos) {
            return std::nullopt;
        }
        const auto comma2 = line.find(',', comma1 + 1);
        if (comma2 == std::string_view::npos) {
            return std::nullopt;
        }
        host = line.substr(colon + 1, comma1 - colon - 1);
        port = line.substr(comma1 + 1, comma2 - comma1 - 1);
        state = until_comma(line, comma2 + 1);
    } else {
        // Redis looks the keys up anywhere in the line (strstr), so "zip=" would match "ip=";
        // a missing "port=" drops the line.
        const auto ip_at = line.find("ip=");
        const auto port_at = line.find("port=");
        if (port_at == std::string_view::npos) {
            return std::nullopt;
        }
        host = until_comma(line, ip_at + 3);
        port = until_comma(line, port_at + 5);
        if (const auto state_at = line.find("state="); state_at != std::string_view::npos) {
            state = until_comma(line, state_at + 6);
        }
    }

    // createSentinelAddr(): the port range first, then anetResolve(), IP literals only unless
    // resolve-hostnames is on (which we can only check for shape: the runtime resolves).
    const int port_number = c_atoi(port);
    if (port_number < 0 || port_number > 65535) {
        return std::nullopt;
    }
    InfoReplicaLine out;
    if (auto ip = normalize_ip_literal(host)) {
        out.ip = std::move(*ip);
    } else if (!accept_hostnames || !is_valid_hostname(host)) {
        return std::nullopt;
    }
    out.host = std::string(host);
    out.port = port_number;
    out.state = std::string(state);
    return out;
}

}  // namespace

int c_atoi(std::string_view s) {
    // glibc: atoi(s) == (int) strtol(s, NULL, 10), and long is 64 bits here; the narrowing
    // keeps the low 32 bits (modular since C++20, as GCC does for C).
    const long long v = c_strtoll(s);
    return static_cast<int>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(v)));
}

long long c_strtoll(std::string_view s) {
    const CNumber n = scan_c_number(s);
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<long long>::max());
    if (n.negative) {
        if (n.overflow || n.magnitude > kMax + 1) {
            return std::numeric_limits<long long>::min();
        }
        // -(2^63) is not representable as a positive long long: negate in unsigned arithmetic.
        return static_cast<long long>(0 - n.magnitude);
    }
    if (n.overflow || n.magnitude > kMax) {
        return std::numeric_limits<long long>::max();
    }
    return static_cast<long long>(n.magnitude);
}

unsigned long long c_strtoull(std::string_view s) {
    const CNumber n = scan_c_number(s);
    if (n.overflow) {
        return std::numeric_limits<unsigned long long>::max();
    }
    return n.negative ? 0 - n.magnitude : n.magnitude;
}

InfoReport parse_info(std::string_view text, bool accept_hostnames) {
    InfoReport report;
    // Redis hands the bulk reply to sdsnew(), which stops at the first NUL.
    text = text.substr(0, text.find('\0'));

    // Like the local `role` in sentinelRefreshInstanceInfo(): replica fields count only after
    // a role:slave line, and a later role:master line stops them again.
    ReportedRole role = ReportedRole::unknown;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const auto nl = text.find('\n', pos);
        const auto end = nl == std::string_view::npos ? text.size() : nl;
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        // Redis splits on "\r\n"; taking one '\r' off a '\n'-ended line gives the same lines
        // for real replies and also accepts LF-only text.
        if (nl != std::string_view::npos && !line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.size() > kMaxInfoLineLength) {
            continue;
        }

        if (line.size() >= 47 && starts_with(line, "run_id:")) {
            report.run_id = std::string(line.substr(7, 40));
        }

        if (line.size() >= 7 && starts_with(line, "slave") && is_digit(line[5])) {
            auto replica = parse_replica_line(line, accept_hostnames);
            if (!replica) {
                continue;
            }
            if (report.replicas.size() < kMaxInfoReplicas) {
                report.replicas.push_back(std::move(*replica));
            } else {
                report.replicas_truncated = true;
            }
        }

        // Redis compares 30 bytes and reads the number after the 31st, whatever it is.
        if (line.size() >= 32 && starts_with(line, "master_link_down_since_seconds")) {
            report.master_link_down_since_ms = saturating_times_1000(c_strtoll(line.substr(31)));
        }

        if (line.size() >= 11 && starts_with(line, "role:master")) {
            role = ReportedRole::master;
        } else if (line.size() >= 10 && starts_with(line, "role:slave")) {
            role = ReportedRole::slave;
        }

        if (role == ReportedRole::slave) {
            if (line.size() >= 12 && starts_with(line, "master_host:")) {
                report.master_host = std::string(line.substr(12));
            }
            if (line.size() >= 12 && starts_with(line, "master_port:")) {
                report.master_port = c_atoi(line.substr(12));
            }
            if (line.size() >= 19 && starts_with(line, "master_link_status:")) {
                const auto status = line.substr(19);
                // strcasecmp(status, "up") == 0.
                report.master_link_up = status.size() == 2 &&
                                        (status[0] == 'u' || status[0] == 'U') &&
                                        (status[1] == 'p' || status[1] == 'P');
            }
            if (line.size() >= 15 && starts_with(line, "slave_priority:")) {
                report.slave_priority = c_atoi(line.substr(15));
            }
            if (line.size() >= 18 && starts_with(line, "slave_repl_offset:")) {
                report.slave_repl_offset = c_strtoull(line.substr(18));
            }
            if (line.size() >= 18 && starts_with(line, "replica_announced:")) {
                report.replica_announced = c_atoi(line.substr(18));
            }
        }
    }
    report.role = role;
    return report;
}

}  // namespace sentinel::core
