#pragma once
// Small text helpers shared by the core's command handlers, with Redis's parsing rules.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::core {

/// ASCII lower-case copy.
inline std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

/// ASCII upper-case copy.
inline std::string to_upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

/// strcasecmp() == 0.
inline bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

/// Redis's string2ll(), which getLongLongFromObject() uses for command arguments: an optional
/// '-', then digits without leading zeros ("0" alone is fine, "-0", "01", "+1", " 1" are not),
/// within the range of long long.
inline std::optional<long long> string2ll(std::string_view s) {
    if (s.empty()) {
        return std::nullopt;
    }
    if (s == "0") {
        return 0;
    }
    bool negative = false;
    if (s.front() == '-') {
        negative = true;
        s.remove_prefix(1);
    }
    if (s.empty() || s.front() < '1' || s.front() > '9') {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    constexpr std::uint64_t kMaxMagnitude =
        static_cast<std::uint64_t>(std::numeric_limits<long long>::max()) + 1;
    for (char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (v > (kMaxMagnitude - digit) / 10) {
            return std::nullopt;
        }
        v = v * 10 + digit;
    }
    if (negative) {
        if (v == kMaxMagnitude) {
            return std::numeric_limits<long long>::min();
        }
        return -static_cast<long long>(v);
    }
    if (v == kMaxMagnitude) {
        return std::nullopt;
    }
    return static_cast<long long>(v);
}

/// What a C `int` (or `unsigned int` read back as int) holds after `v` is assigned to it:
/// the low 32 bits, as Redis's long -> int parameter passing and int struct fields keep them.
inline int to_c_int(long long v) {
    return static_cast<int>(static_cast<std::uint32_t>(v));
}

}  // namespace sentinel::core
