#pragma once
// The hello message sentinels publish on __sentinel__:hello (sentinelSendHello() and the
// parsing half of sentinelProcessHelloMessage() in Redis 7.0). Discovery itself lives elsewhere.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/util/expected.hpp"

namespace sentinel::core {

/// One hello: who the sender is and what it believes about one master.
struct Hello {
    std::string ip;      ///< sender: announce-ip or the local address of its link to the target
    int port = 0;        ///< sender's announced port
    std::string run_id;  ///< sender's myid (40 hex characters when it is a real sentinel)
    std::uint64_t current_epoch = 0;
    std::string master_name;
    std::string master_ip;  ///< the master's current address (a host name with announce-hostnames)
    int master_port = 0;
    std::uint64_t master_config_epoch = 0;

    bool operator==(const Hello&) const = default;
};

/// "<ip>,<port>,<runid>,<current-epoch>,<master-name>,<master-ip>,<master-port>,
/// <master-config-epoch>" with decimal numbers, as sentinelSendHello() prints it. IPv6
/// addresses go unbracketed (they contain ':' but never ','). Unlike Redis, which formats
/// into a 1070-byte buffer and silently cuts longer payloads (then ignored by every peer for
/// having fewer than 8 fields), nothing is truncated.
std::string format_hello(const Hello& hello);

/// Splits a hello payload on ',' and fails unless there are exactly 8 fields: the only check
/// Redis 7.0 makes before acting on a hello (the master name is looked up by the caller).
///
/// Everything else is as lenient as Redis, on purpose: ports go through atoi() and epochs
/// through strtoull(), so "abc" reads 0, " 7" reads 7, "7x" reads 7 and "-1" reads 2^64-1;
/// empty fields are allowed; string fields are kept verbatim but end at a NUL byte, as Redis
/// uses them as C strings. In a mixed group every sentinel must draw the same conclusions from
/// the same hello (a Redis peer adopts the current epoch even from a hello whose address it
/// then rejects), so a stricter parser would let our epochs drift from theirs. Address and
/// port validity are checked where the sentinel entry is created, as in Redis.
Expected<Hello, std::string> parse_hello(std::string_view payload);

}  // namespace sentinel::core
