// libFuzzer target for the RESP decoders and the writer.
//
// Input layout: byte 0 holds flags, the rest is the stream. Flag bit 0 selects tiny limits so
// that every limit error is reachable; bit 1 makes the request parser unauthenticated. The
// split points are derived from a hash of the input, so a crash reproduces from the file alone.
//
// Properties checked:
//  - both parsers give the same values, final status and error text whether the stream arrives
//    whole, byte by byte or in random pieces;
//  - decoded commands re-encoded with Writer::command decode to the same commands;
//  - a decoded reply re-encoded with RESP3 decodes to the same Value (modulo the differences
//    the protocol forces, see as_resp3), and re-encoded with RESP2 to its RESP2 downgrade.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/parser.hpp"
#include "common/resp/writer.hpp"

using sentinel::resp::Limits;
using sentinel::resp::ParseStatus;
using sentinel::resp::ReplyParser;
using sentinel::resp::RequestParser;
using sentinel::resp::Type;
using sentinel::resp::Value;
using sentinel::resp::Writer;

#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            std::fprintf(stderr, "fuzz_resp: check failed: %s at line %d\n", #cond, __LINE__); \
            std::abort();                                                                      \
        }                                                                                      \
    } while (0)

namespace {

// splitmix64: tiny, good enough, and identical everywhere.
struct Rng {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
};

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

using Cuts = std::vector<std::size_t>;

Cuts random_cuts(std::size_t total, Rng& rng) {
    Cuts cuts;
    std::size_t done = 0;
    while (done < total) {
        const std::size_t left = total - done;
        const std::size_t max = rng.next() % 8 == 0 ? left : std::min<std::size_t>(left, 16);
        const std::size_t n = 1 + static_cast<std::size_t>(rng.next() % max);
        cuts.push_back(n);
        done += n;
    }
    return cuts;
}

struct RequestRun {
    std::vector<std::vector<std::string>> commands;
    ParseStatus last = ParseStatus::incomplete;
    std::string error;
    bool operator==(const RequestRun&) const = default;
};

RequestRun run_requests(std::string_view input, const Cuts& cuts, const Limits& limits,
                        bool authenticated) {
    RequestParser parser(limits);
    parser.set_authenticated(authenticated);
    RequestRun run;
    std::vector<std::string> args;
    std::size_t at = 0;
    for (std::size_t n : cuts) {
        parser.feed(input.substr(at, n));
        at += n;
        while ((run.last = parser.next(args)) == ParseStatus::ok) {
            FUZZ_CHECK(!args.empty());
            run.commands.push_back(args);
        }
        if (run.last == ParseStatus::error) {
            FUZZ_CHECK(!parser.error().empty());
            break;
        }
    }
    run.error = parser.error();
    return run;
}

struct ReplyRun {
    std::vector<Value> values;
    ParseStatus last = ParseStatus::incomplete;
    std::string error;
    bool operator==(const ReplyRun&) const = default;
};

ReplyRun run_replies(std::string_view input, const Cuts& cuts, const Limits& limits) {
    ReplyParser parser(limits);
    ReplyRun run;
    Value v;
    std::size_t at = 0;
    for (std::size_t n : cuts) {
        parser.feed(input.substr(at, n));
        at += n;
        while ((run.last = parser.next(v)) == ParseStatus::ok) {
            run.values.push_back(v);
        }
        if (run.last == ParseStatus::error) {
            FUZZ_CHECK(!parser.error().empty());
            break;
        }
    }
    run.error = parser.error();
    return run;
}

std::string without_crlf(std::string s) {
    for (char& c : s) {
        if (c == '\r' || c == '\n') {
            c = ' ';
        }
    }
    return s;
}

// What a value becomes after a RESP3 round trip: RESP3 has one null, and errors travel as
// '-' lines, where the writer turns CR/LF (possible in a '!' blob error) into spaces.
Value as_resp3(const Value& v) {
    Value out = v;
    if (out.type == Type::null_array) {
        out.type = Type::null;
    }
    if (out.type == Type::error) {
        out.str = without_crlf(out.str);
    }
    for (Value& child : out.elements) {
        child = as_resp3(child);
    }
    return out;
}

// What a value becomes after a RESP2 round trip: Redis's downgrades of the RESP3-only types.
Value as_resp2(const Value& v) {
    switch (v.type) {
        case Type::error:
            return Value::error(without_crlf(v.str));
        case Type::map:
        case Type::set:
        case Type::push:
        case Type::array: {
            std::vector<Value> children;
            children.reserve(v.elements.size());
            for (const Value& child : v.elements) {
                children.push_back(as_resp2(child));
            }
            return Value::array(std::move(children));
        }
        case Type::double_:
        case Type::big_number:
            return Value::bulk(v.str);
        case Type::verbatim:
            return Value::bulk(std::string_view(v.str).substr(4));
        case Type::boolean:
            return Value::integer_value(v.integer);
        default:
            return v;
    }
}

Value decode_exactly_one(const std::string& bytes) {
    ReplyParser parser;  // default limits: a re-encoding may outgrow the tiny ones
    parser.feed(bytes);
    Value v;
    FUZZ_CHECK(parser.next(v) == ParseStatus::ok);
    FUZZ_CHECK(parser.buffered() == 0);
    Value extra;
    FUZZ_CHECK(parser.next(extra) == ParseStatus::incomplete);
    return v;
}

void check_requests(std::string_view input, const Limits& limits, bool authenticated, Rng& rng) {
    const RequestRun whole = run_requests(input, Cuts{input.size()}, limits, authenticated);
    FUZZ_CHECK(run_requests(input, random_cuts(input.size(), rng), limits, authenticated) == whole);
    if (input.size() <= 512) {
        FUZZ_CHECK(run_requests(input, Cuts(input.size(), 1), limits, authenticated) == whole);
    }
    if (whole.commands.empty()) {
        return;
    }
    std::string encoded;
    for (const auto& cmd : whole.commands) {
        encoded += Writer::command(cmd);
    }
    const RequestRun again =
        run_requests(encoded, random_cuts(encoded.size(), rng), Limits{}, true);
    FUZZ_CHECK(again.last == ParseStatus::incomplete);
    FUZZ_CHECK(again.commands == whole.commands);
}

void check_replies(std::string_view input, const Limits& limits, Rng& rng) {
    const ReplyRun whole = run_replies(input, Cuts{input.size()}, limits);
    FUZZ_CHECK(run_replies(input, random_cuts(input.size(), rng), limits) == whole);
    if (input.size() <= 512) {
        FUZZ_CHECK(run_replies(input, Cuts(input.size(), 1), limits) == whole);
    }
    for (const Value& v : whole.values) {
        std::string resp3;
        Writer(resp3, 3).value(v);
        const Value v3 = decode_exactly_one(resp3);
        FUZZ_CHECK(v3 == as_resp3(v));
        // Encoding is a fixed point once the value has been through the protocol.
        std::string resp3_again;
        Writer(resp3_again, 3).value(v3);
        FUZZ_CHECK(resp3_again == resp3);

        std::string resp2;
        Writer(resp2, 2).value(v);
        FUZZ_CHECK(decode_exactly_one(resp2) == as_resp2(v));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::uint8_t flags = data[0];
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

    Limits limits;
    if ((flags & 1) != 0) {
        limits.max_multibulk_len = 8;
        limits.max_bulk_len = 64;
        limits.max_inline_len = 32;
        limits.max_depth = 4;
    }
    const bool authenticated = (flags & 2) == 0;
    Rng rng{fnv1a(input) ^ flags};

    check_requests(input, limits, authenticated, rng);
    check_replies(input, limits, rng);
    return 0;
}
