#include "common/resp/writer.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>

namespace sentinel::resp {

namespace {

// Replies are made of many short pieces: each is assembled on the stack and appended once, as
// every append pays a capacity check and possibly a reallocation.
constexpr std::size_t kLineMax = 24;  // prefix, 20 digits and a sign, CRLF

// Writes prefix, n and CRLF at `at`; returns the end.
template <typename Int>
char* number_line(char* at, char prefix, Int n) {
    *at++ = prefix;
    at = std::to_chars(at, at + kLineMax - 3, n).ptr;
    *at++ = '\r';
    *at++ = '\n';
    return at;
}

template <typename Int>
void append_number_line(std::string& out, char prefix, Int n) {
    char line[kLineMax];
    out.append(line, number_line(line, prefix, n));
}

// A line-framed value must not carry CR or LF: one would end the line early and desynchronise
// the peer. Redis's addReplyErrorFormat maps them to spaces; we do it for every line type.
void append_text_line(std::string& out, char prefix, std::string_view s) {
    out.push_back(prefix);
    const std::size_t start = out.size();
    out.append(s);
    for (std::size_t i = start; i < out.size(); ++i) {
        if (out[i] == '\r' || out[i] == '\n') {
            out[i] = ' ';
        }
    }
    out.append("\r\n");
}

}  // namespace

void Writer::simple(std::string_view s) {
    append_text_line(out_, '+', s);
}

void Writer::error(std::string_view s) {
    append_text_line(out_, '-', s);
}

void Writer::integer(std::int64_t i) {
    append_number_line(out_, ':', i);
}

void Writer::bulk(std::string_view s) {
    constexpr std::size_t kSmall = 128;
    if (s.size() > kSmall) {
        append_number_line(out_, '$', s.size());
        out_.append(s);
        out_.append("\r\n");
        return;
    }
    char piece[kLineMax + kSmall + 2];
    char* at = number_line(piece, '$', s.size());
    if (!s.empty()) {
        std::memcpy(at, s.data(), s.size());
        at += s.size();
    }
    *at++ = '\r';
    *at++ = '\n';
    out_.append(piece, at);
}

void Writer::null() {
    out_.append(proto_ >= 3 ? "_\r\n" : "$-1\r\n");
}

void Writer::null_array() {
    out_.append(proto_ >= 3 ? "_\r\n" : "*-1\r\n");
}

void Writer::array_header(std::size_t n) {
    append_number_line(out_, '*', n);
}

void Writer::map_header(std::size_t pairs) {
    if (proto_ >= 3) {
        append_number_line(out_, '%', pairs);
    } else {
        // RESP2 has no map: a flat array of key, value, key, value... as redis-server sends.
        append_number_line(out_, '*', pairs * 2);
    }
}

void Writer::set_header(std::size_t n) {
    append_number_line(out_, proto_ >= 3 ? '~' : '*', n);
}

void Writer::push_header(std::size_t n) {
    append_number_line(out_, proto_ >= 3 ? '>' : '*', n);
}

void Writer::double_value(double d) {
    char text[64];
    std::string_view s;
    // Spelled out like addReplyDouble does, so no libc's own inf/nan spelling leaks out.
    if (std::isinf(d)) {
        s = d > 0 ? "inf" : "-inf";
    } else if (std::isnan(d)) {
        s = "nan";
    } else {
        // Same digits as printf("%.17g"), without depending on the C locale's decimal point.
        const auto result =
            std::to_chars(text, text + sizeof(text), d, std::chars_format::general, 17);
        s = std::string_view(text, static_cast<std::size_t>(result.ptr - text));
    }
    if (proto_ >= 3) {
        append_text_line(out_, ',', s);
    } else {
        bulk(s);
    }
}

void Writer::boolean(bool b) {
    if (proto_ >= 3) {
        out_.append(b ? "#t\r\n" : "#f\r\n");
    } else {
        out_.append(b ? ":1\r\n" : ":0\r\n");
    }
}

void Writer::big_number(std::string_view digits) {
    if (proto_ >= 3) {
        append_text_line(out_, '(', digits);
    } else {
        bulk(digits);
    }
}

void Writer::verbatim(std::string_view format3, std::string_view text) {
    if (proto_ < 3) {
        bulk(text);  // RESP2 clients get the text alone, as addReplyVerbatim sends it
        return;
    }
    append_number_line(out_, '=', text.size() + 4);
    // The format is exactly three bytes on the wire: pad with spaces or cut, like Redis.
    for (std::size_t i = 0; i < 3; ++i) {
        out_.push_back(i < format3.size() ? format3[i] : ' ');
    }
    out_.push_back(':');
    out_.append(text);
    out_.append("\r\n");
}

void Writer::value(const Value& v) {
    switch (v.type) {
        case Type::simple_string:
            simple(v.str);
            return;
        case Type::error:
            error(v.str);
            return;
        case Type::integer:
            integer(v.integer);
            return;
        case Type::bulk_string:
            bulk(v.str);
            return;
        case Type::null:
            null();
            return;
        case Type::null_array:
            null_array();
            return;
        case Type::array:
            array_header(v.elements.size());
            break;
        case Type::map:
            // A dangling key without its value cannot be framed; it is dropped.
            map_header(v.elements.size() / 2);
            for (std::size_t i = 0; i + 1 < v.elements.size(); i += 2) {
                value(v.elements[i]);
                value(v.elements[i + 1]);
            }
            return;
        case Type::set:
            set_header(v.elements.size());
            break;
        case Type::push:
            push_header(v.elements.size());
            break;
        case Type::double_:
            // The text is kept as received, so a decoded double re-encodes byte for byte.
            if (proto_ >= 3) {
                append_text_line(out_, ',', v.str);
            } else {
                bulk(v.str);
            }
            return;
        case Type::boolean:
            boolean(v.integer != 0);
            return;
        case Type::big_number:
            big_number(v.str);
            return;
        case Type::verbatim:
            if (v.str.size() >= 4 && v.str[3] == ':') {
                verbatim(std::string_view(v.str).substr(0, 3), std::string_view(v.str).substr(4));
            } else {
                verbatim("txt", v.str);
            }
            return;
    }
    for (const Value& child : v.elements) {
        value(child);
    }
}

std::string Writer::command(const std::vector<std::string>& args) {
    std::string out;
    append_command(out, args);
    return out;
}

void Writer::append_command(std::string& out, const std::vector<std::string>& args) {
    Writer w(out);
    w.array_header(args.size());
    for (const std::string& arg : args) {
        w.bulk(arg);
    }
}

}  // namespace sentinel::resp
