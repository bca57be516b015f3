#pragma once
// Address checks for SENTINEL MONITOR, done without any name service: the core never resolves.

#include <optional>
#include <string>
#include <string_view>

namespace sentinel::core {

/// The normalized form of an IP literal, as Redis's anetResolve(ANET_IP_ONLY) produces it
/// (glibc getaddrinfo with AI_NUMERICHOST, then inet_ntop): IPv4 in every inet_aton form
/// ("127.1" -> "127.0.0.1", "0x7f.1", "1" -> "0.0.0.1", octal parts), IPv6 in inet_pton syntax
/// with an optional zone ("fe80::1%lo" -> "fe80::1"). Nullopt when `text` is not an IP literal.
///
/// Zones: digits (up to 2^32-1) are accepted on any IPv6 address; an interface name only on
/// link-local and node/link-local multicast addresses, as glibc does. Unlike glibc we cannot ask
/// whether the named interface exists, so any interface-shaped name passes (a letter, then
/// letters, digits, '_', '-', '.'; at most 15 characters).
std::optional<std::string> normalize_ip_literal(std::string_view text);

/// True when `text` is a syntactically valid DNS host name (labels of letters, digits, '-' and
/// '_', 1..63 characters each, 253 in all, one trailing dot allowed). Used instead of a lookup
/// when resolve-hostnames is on; whether the name resolves is the runtime's business.
bool is_valid_hostname(std::string_view text);

}  // namespace sentinel::core
