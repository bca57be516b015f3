#include "sentinel/core/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "sentinel/core/text.hpp"

namespace sentinel::core {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int hex_value(char c) {
    if (is_digit(c)) {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// One part of an inet_aton address, read as strtoul(..., 0) would: "0x" + hex digits, a leading
// '0' for octal, decimal otherwise. Stops at the first character that does not belong to the
// number (glibc then requires a '.' or the end). Fails above 32 bits.
std::optional<std::uint64_t> aton_part(std::string_view s, std::size_t& pos) {
    if (pos >= s.size() || !is_digit(s[pos])) {
        return std::nullopt;
    }
    unsigned base = 10;
    if (s[pos] == '0') {
        // strtoul reads "0x" as hex only when a hex digit follows; otherwise just the "0".
        if (pos + 2 < s.size() && (s[pos + 1] == 'x' || s[pos + 1] == 'X') &&
            hex_value(s[pos + 2]) >= 0) {
            base = 16;
            pos += 2;
        } else {
            base = 8;
        }
    }
    std::uint64_t value = 0;
    while (pos < s.size()) {
        const int d = hex_value(s[pos]);
        if (d < 0 || static_cast<unsigned>(d) >= base) {
            break;
        }
        value = value * base + static_cast<unsigned>(d);
        if (value > 0xffffffffULL) {
            return std::nullopt;
        }
        ++pos;
    }
    return value;
}

// glibc __inet_aton_exact: 1 to 4 parts; the last one fills the remaining bytes.
std::optional<std::uint32_t> parse_ipv4_aton(std::string_view s) {
    std::array<std::uint64_t, 3> parts{};
    std::size_t nparts = 0;
    std::size_t pos = 0;
    std::uint64_t last = 0;
    for (;;) {
        const auto v = aton_part(s, pos);
        if (!v) {
            return std::nullopt;
        }
        if (pos < s.size() && s[pos] == '.') {
            if (nparts == parts.size() || *v > 0xff) {
                return std::nullopt;
            }
            parts[nparts++] = *v;
            ++pos;
            continue;
        }
        last = *v;
        break;
    }
    if (pos != s.size()) {
        return std::nullopt;
    }
    constexpr std::array<std::uint64_t, 4> kMaxLast = {0xffffffffULL, 0xffffffULL, 0xffffULL,
                                                       0xffULL};
    if (last > kMaxLast[nparts]) {
        return std::nullopt;
    }
    std::uint64_t addr = last;
    for (std::size_t i = 0; i < nparts; ++i) {
        addr |= parts[i] << (24 - 8 * i);
    }
    return static_cast<std::uint32_t>(addr);
}

bool all_digits(std::string_view s) {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}

// glibc __inet6_scopeid_pton: interface names only where a zone is meaningful (link-local
// unicast, node- and link-local multicast), numbers anywhere.
bool valid_zone(std::string_view zone, const std::array<unsigned char, 16>& addr) {
    if (all_digits(zone)) {
        std::uint64_t n = 0;
        for (char c : zone) {
            n = n * 10 + static_cast<unsigned>(c - '0');
            if (n > 0xffffffffULL) {
                return false;
            }
        }
        return true;
    }
    const bool link_local = addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80;
    const bool mc_scoped = addr[0] == 0xff && ((addr[1] & 0x0f) == 0x1 || (addr[1] & 0x0f) == 0x2);
    if (!link_local && !mc_scoped) {
        return false;
    }
    // IFNAMSIZ is 16 including the terminator. Real names may hold more than this, but we
    // cannot look them up, so only the usual shape passes (eth0, lo, wlp2s0, br-x, veth.1):
    // a letter first keeps numeric-looking junk ("0x1", "-1") out, as glibc's lookup would.
    if (zone.empty() || zone.size() > 15 || !is_alpha(zone.front())) {
        return false;
    }
    return std::all_of(zone.begin(), zone.end(), [](char c) {
        return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.';
    });
}

bool is_label_char(char c) {
    return is_digit(c) || is_alpha(c) || c == '-' || c == '_';
}

}  // namespace

std::optional<std::string> normalize_ip_literal(std::string_view text) {
    if (text.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    if (const auto v4 = parse_ipv4_aton(text)) {
        return std::to_string((*v4 >> 24) & 0xff) + "." + std::to_string((*v4 >> 16) & 0xff) + "." +
               std::to_string((*v4 >> 8) & 0xff) + "." + std::to_string(*v4 & 0xff);
    }
    const auto percent = text.find('%');
    const std::string addr_text(text.substr(0, percent));
    std::array<unsigned char, 16> addr{};
    if (::inet_pton(AF_INET6, addr_text.c_str(), addr.data()) != 1) {
        return std::nullopt;
    }
    if (percent != std::string_view::npos && !valid_zone(text.substr(percent + 1), addr)) {
        return std::nullopt;
    }
    std::array<char, INET6_ADDRSTRLEN> buf{};
    if (::inet_ntop(AF_INET6, addr.data(), buf.data(), static_cast<socklen_t>(buf.size())) ==
        nullptr) {
        return std::nullopt;
    }
    return std::string(buf.data());
}

bool is_valid_hostname(std::string_view text) {
    if (!text.empty() && text.back() == '.') {
        text.remove_suffix(1);
    }
    if (text.empty() || text.size() > 253) {
        return false;
    }
    std::size_t label = 0;
    for (char c : text) {
        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
            continue;
        }
        if (!is_label_char(c) || ++label > 63) {
            return false;
        }
    }
    return label > 0;
}

std::string address_and_port(std::string_view addr, int port) {
    std::string out;
    if (addr.find(':') != std::string_view::npos) {
        out.append("[").append(addr).append("]");
    } else {
        out.append(addr);
    }
    return out + ":" + std::to_string(port);
}

bool same_address(const std::string& host, const std::string& ip, int port, std::string_view text,
                  int text_port) {
    if (port != text_port) {
        return false;
    }
    if (const auto literal = normalize_ip_literal(text); literal && !ip.empty()) {
        if (iequals(*literal, ip)) {
            return true;
        }
    }
    return iequals(host, text);
}

}  // namespace sentinel::core
