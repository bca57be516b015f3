// Redis's sdssplitargs and sdscatrepr, reimplemented byte for byte: config lines, inline
// commands and command-line options must split exactly as redis-server splits them.

#include "common/config/tokenize.hpp"

#include <cstddef>

namespace sentinel::config {

namespace {

// The C locale's isspace(): sdssplitargs skips these between arguments.
bool is_c_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_hex_digit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return c - 'A' + 10;
}

// The C locale's isprint(): only 0x20..0x7e are written as themselves by sdscatrepr.
bool is_c_print(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u <= 0x7e;
}

}  // namespace

Expected<std::vector<std::string>, std::string> split_args(std::string_view line) {
    // sdssplitargs reads a C string, so the first NUL byte is the end of the line.
    if (const auto nul = line.find('\0'); nul != std::string_view::npos) {
        line = line.substr(0, nul);
    }
    // at(i) returns '\0' past the end, mirroring the C code's reads of the terminator.
    const auto at = [&line](std::size_t i) { return i < line.size() ? line[i] : '\0'; };

    std::vector<std::string> args;
    std::size_t p = 0;
    while (true) {
        while (p < line.size() && is_c_space(line[p])) {
            ++p;
        }
        if (p >= line.size()) {
            return args;
        }
        std::string current;
        bool in_dq = false;
        bool in_sq = false;
        bool done = false;
        while (!done) {
            const char c = at(p);
            if (in_dq) {
                if (c == '\\' && at(p + 1) == 'x' && is_hex_digit(at(p + 2)) &&
                    is_hex_digit(at(p + 3))) {
                    current += static_cast<char>(hex_value(at(p + 2)) * 16 + hex_value(at(p + 3)));
                    p += 3;
                } else if (c == '\\' && at(p + 1) != '\0') {
                    ++p;
                    switch (at(p)) {
                        case 'n':
                            current += '\n';
                            break;
                        case 'r':
                            current += '\r';
                            break;
                        case 't':
                            current += '\t';
                            break;
                        case 'b':
                            current += '\b';
                            break;
                        case 'a':
                            current += '\a';
                            break;
                        default:
                            current += at(p);
                            break;
                    }
                } else if (c == '"') {
                    // The closing quote must be followed by a space or the end of the line.
                    if (at(p + 1) != '\0' && !is_c_space(at(p + 1))) {
                        return unexpected(std::string("unbalanced quotes"));
                    }
                    done = true;
                } else if (c == '\0') {
                    return unexpected(std::string("unbalanced quotes"));
                } else {
                    current += c;
                }
            } else if (in_sq) {
                if (c == '\\' && at(p + 1) == '\'') {
                    ++p;
                    current += '\'';
                } else if (c == '\'') {
                    if (at(p + 1) != '\0' && !is_c_space(at(p + 1))) {
                        return unexpected(std::string("unbalanced quotes"));
                    }
                    done = true;
                } else if (c == '\0') {
                    return unexpected(std::string("unbalanced quotes"));
                } else {
                    current += c;
                }
            } else {
                // Outside quotes only these end a word (not \v or \f, unlike the skip above).
                switch (c) {
                    case ' ':
                    case '\n':
                    case '\r':
                    case '\t':
                    case '\0':
                        done = true;
                        break;
                    case '"':
                        in_dq = true;
                        break;
                    case '\'':
                        in_sq = true;
                        break;
                    default:
                        current += c;
                        break;
                }
            }
            if (at(p) != '\0') {
                ++p;
            }
        }
        args.push_back(std::move(current));
    }
}

std::string repr_arg(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (const char c : s) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\a':
                out += "\\a";
                break;
            case '\b':
                out += "\\b";
                break;
            default:
                if (is_c_print(c)) {
                    out += c;
                } else {
                    const auto u = static_cast<unsigned char>(c);
                    out += "\\x";
                    out += kHex[u >> 4];
                    out += kHex[u & 0x0f];
                }
                break;
        }
    }
    out += '"';
    return out;
}

std::string quote_arg(std::string_view s) {
    bool plain = !s.empty();
    for (const char c : s) {
        if (!is_c_print(c) || c == ' ' || c == '"' || c == '\'' || c == '\\') {
            plain = false;
            break;
        }
    }
    return plain ? std::string(s) : repr_arg(s);
}

}  // namespace sentinel::config
