#pragma once
// SHA-256 (FIPS 180-4), used for ACL password hashes, which Redis shows as 64 hex digits.

#include <string>
#include <string_view>

namespace sentinel {

/// Lowercase hex SHA-256 digest of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace sentinel
