#pragma once
// Address checks and comparisons done without any name service. The core never resolves by
// itself: host names go through CoreServices::resolve, at the few moments Redis resolves.

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
/// '_', 1..63 characters each, 253 in all, one trailing dot allowed). Keeps junk in INFO
/// replica lines from reaching the resolver (and the config file) with resolve-hostnames.
bool is_valid_hostname(std::string_view text);

/// "addr:port", or "[addr]:port" when `addr` holds a ':' (IPv6), as announceSentinelAddrAndPort()
/// names replicas.
std::string address_and_port(std::string_view addr, int port);

/// Whether `text`:`text_port` (an address a peer or server reported) designates the instance at
/// `host` (as given) / `ip` (as resolved) : `port`. As sentinelAddrOrHostnameEqual() and
/// sentinelAddrEqualsHostname(), minus the lookup: an IP literal is compared, normalized, with
/// `ip`; anything is compared with `host`, case-insensitively. A name that Redis would resolve
/// to `ip` but that is not `host` therefore does not match.
bool same_address(const std::string& host, const std::string& ip, int port, std::string_view text,
                  int text_port);

}  // namespace sentinel::core
