#include "sentinel/core/hello.hpp"

#include <array>
#include <cstddef>

#include "sentinel/core/info_report.hpp"

namespace sentinel::core {
namespace {

inline constexpr std::size_t kHelloFields = 8;

// A field as Redis sees it after sdssplitlen(): code that takes it as a C string stops at NUL.
std::string_view c_string(std::string_view field) {
    return field.substr(0, field.find('\0'));
}

}  // namespace

std::string format_hello(const Hello& hello) {
    std::string out;
    out.reserve(hello.ip.size() + hello.run_id.size() + hello.master_name.size() +
                hello.master_ip.size() + 4 * 20 + kHelloFields);
    out += hello.ip;
    out += ',';
    out += std::to_string(hello.port);
    out += ',';
    out += hello.run_id;
    out += ',';
    out += std::to_string(hello.current_epoch);
    out += ',';
    out += hello.master_name;
    out += ',';
    out += hello.master_ip;
    out += ',';
    out += std::to_string(hello.master_port);
    out += ',';
    out += std::to_string(hello.master_config_epoch);
    return out;
}

Expected<Hello, std::string> parse_hello(std::string_view payload) {
    // Count before splitting so a payload made of commas costs nothing. sdssplitlen() yields
    // no token at all for an empty payload, and commas + 1 tokens otherwise.
    std::size_t commas = 0;
    for (char c : payload) {
        commas += c == ',' ? 1 : 0;
    }
    const std::size_t fields = payload.empty() ? 0 : commas + 1;
    if (fields != kHelloFields) {
        return unexpected("hello has " + std::to_string(fields) + " fields, expected " +
                          std::to_string(kHelloFields));
    }

    std::array<std::string_view, kHelloFields> f;
    std::size_t start = 0;
    for (std::size_t i = 0; i < kHelloFields; ++i) {
        const auto comma = payload.find(',', start);
        const auto end = comma == std::string_view::npos ? payload.size() : comma;
        f[i] = payload.substr(start, end - start);
        start = end + 1;
    }

    // As sentinelProcessHelloMessage(): atoi() for ports, strtoull() for epochs, no checks.
    Hello h;
    h.ip = std::string(c_string(f[0]));
    h.port = c_atoi(c_string(f[1]));
    h.run_id = std::string(c_string(f[2]));
    h.current_epoch = c_strtoull(c_string(f[3]));
    h.master_name = std::string(c_string(f[4]));
    h.master_ip = std::string(c_string(f[5]));
    h.master_port = c_atoi(c_string(f[6]));
    h.master_config_epoch = c_strtoull(c_string(f[7]));
    return h;
}

}  // namespace sentinel::core
