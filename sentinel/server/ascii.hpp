#pragma once
// Allocation-free ASCII case helpers for the per-command path. The process never calls
// setlocale, so std::tolower is ASCII-only too; these give the same answers without a libc
// call per character.

#include <string>
#include <string_view>

namespace sentinel::server {

constexpr char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Whether `s` equals `lower` (already lower-case) ignoring the case of `s`.
constexpr bool equals_lower(std::string_view s, std::string_view lower) {
    if (s.size() != lower.size()) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (ascii_lower(s[i]) != lower[i]) {
            return false;
        }
    }
    return true;
}

/// Replaces `out` with the lower-case `s`, reusing its capacity.
inline void assign_lower(std::string& out, std::string_view s) {
    out.assign(s);
    for (auto& c : out) {
        c = ascii_lower(c);
    }
}

}  // namespace sentinel::server
