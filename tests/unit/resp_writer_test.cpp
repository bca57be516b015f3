// Writer: exact bytes for RESP2 and RESP3, downgrades, and agreement with the parsers.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/resp/parser.hpp"
#include "common/resp/writer.hpp"

using sentinel::resp::ParseStatus;
using sentinel::resp::ReplyParser;
using sentinel::resp::RequestParser;
using sentinel::resp::Type;
using sentinel::resp::Value;
using sentinel::resp::Writer;

namespace {

template <typename F>
std::string encode(int protocol, F&& f) {
    std::string out;
    Writer w(out, protocol);
    f(w);
    return out;
}

std::string encode_value(int protocol, const Value& v) {
    return encode(protocol, [&](Writer& w) { w.value(v); });
}

Value decode_one(const std::string& bytes) {
    ReplyParser parser;
    parser.feed(bytes);
    Value v;
    REQUIRE(parser.next(v) == ParseStatus::ok);
    CHECK(parser.buffered() == 0);
    return v;
}

}  // namespace

TEST_CASE("writer: defaults to RESP2") {
    std::string out;
    CHECK(Writer(out).protocol() == 2);
    CHECK(Writer(out, 3).protocol() == 3);
}

TEST_CASE("writer: scalars are the same in both protocols") {
    for (int proto : {2, 3}) {
        CAPTURE(proto);
        CHECK(encode(proto, [](Writer& w) { w.simple("OK"); }) == "+OK\r\n");
        CHECK(encode(proto, [](Writer& w) { w.simple(""); }) == "+\r\n");
        CHECK(encode(proto, [](Writer& w) { w.error("ERR no such key"); }) ==
              "-ERR no such key\r\n");
        CHECK(encode(proto, [](Writer& w) { w.integer(0); }) == ":0\r\n");
        CHECK(encode(proto, [](Writer& w) { w.integer(-17); }) == ":-17\r\n");
        CHECK(encode(proto, [](Writer& w) { w.integer(INT64_MAX); }) == ":9223372036854775807\r\n");
        CHECK(encode(proto, [](Writer& w) { w.integer(INT64_MIN); }) ==
              ":-9223372036854775808\r\n");
        CHECK(encode(proto, [](Writer& w) { w.bulk("hello"); }) == "$5\r\nhello\r\n");
        CHECK(encode(proto, [](Writer& w) { w.bulk(""); }) == "$0\r\n\r\n");
        CHECK(encode(proto, [](Writer& w) { w.bulk(std::string("a\r\n\0", 4)); }) ==
              std::string("$4\r\na\r\n\0\r\n", 10));
        CHECK(encode(proto, [](Writer& w) { w.array_header(0); }) == "*0\r\n");
        CHECK(encode(proto, [](Writer& w) { w.array_header(12); }) == "*12\r\n");
    }
}

TEST_CASE("writer: CR and LF never reach a simple string or error line") {
    for (int proto : {2, 3}) {
        CHECK(encode(proto, [](Writer& w) { w.simple("a\r\nb\nc\r"); }) == "+a  b c \r\n");
        CHECK(encode(proto, [](Writer& w) { w.error("ERR bad\r\nthing"); }) ==
              "-ERR bad  thing\r\n");
        CHECK(encode(proto, [](Writer& w) { w.value(Value::error("-x\ny")); }) == "--x y\r\n");
    }
}

TEST_CASE("writer: nulls") {
    CHECK(encode(2, [](Writer& w) { w.null(); }) == "$-1\r\n");
    CHECK(encode(2, [](Writer& w) { w.null_array(); }) == "*-1\r\n");
    CHECK(encode(3, [](Writer& w) { w.null(); }) == "_\r\n");
    CHECK(encode(3, [](Writer& w) { w.null_array(); }) == "_\r\n");
}

TEST_CASE("writer: aggregate headers and their RESP2 downgrade") {
    CHECK(encode(3, [](Writer& w) { w.map_header(2); }) == "%2\r\n");
    CHECK(encode(2, [](Writer& w) { w.map_header(2); }) == "*4\r\n");
    CHECK(encode(3, [](Writer& w) { w.set_header(3); }) == "~3\r\n");
    CHECK(encode(2, [](Writer& w) { w.set_header(3); }) == "*3\r\n");
    CHECK(encode(3, [](Writer& w) { w.push_header(3); }) == ">3\r\n");
    CHECK(encode(2, [](Writer& w) { w.push_header(3); }) == "*3\r\n");
}

TEST_CASE("writer: booleans, big numbers, verbatim") {
    CHECK(encode(3, [](Writer& w) { w.boolean(true); }) == "#t\r\n");
    CHECK(encode(3, [](Writer& w) { w.boolean(false); }) == "#f\r\n");
    CHECK(encode(2, [](Writer& w) { w.boolean(true); }) == ":1\r\n");
    CHECK(encode(2, [](Writer& w) { w.boolean(false); }) == ":0\r\n");

    CHECK(encode(3, [](Writer& w) { w.big_number("-1234567890123456789012"); }) ==
          "(-1234567890123456789012\r\n");
    CHECK(encode(2, [](Writer& w) { w.big_number("-1234567890123456789012"); }) ==
          "$23\r\n-1234567890123456789012\r\n");

    CHECK(encode(3, [](Writer& w) { w.verbatim("txt", "Some string"); }) ==
          "=15\r\ntxt:Some string\r\n");
    CHECK(encode(2, [](Writer& w) { w.verbatim("txt", "Some string"); }) ==
          "$11\r\nSome string\r\n");
    // The format is padded or cut to three bytes, as addReplyVerbatim does.
    CHECK(encode(3, [](Writer& w) { w.verbatim("md", "x"); }) == "=5\r\nmd :x\r\n");
    CHECK(encode(3, [](Writer& w) { w.verbatim("markdown", "x"); }) == "=5\r\nmar:x\r\n");
    CHECK(encode(3, [](Writer& w) { w.verbatim("txt", "a\r\nb"); }) == "=8\r\ntxt:a\r\nb\r\n");
}

TEST_CASE("writer: doubles like addReplyDouble") {
    struct Case {
        double d;
        const char* text;
    };
    const Case cases[] = {
        {3.14, "3.1400000000000001"},
        {1.0, "1"},
        {0.1, "0.10000000000000001"},
        {-2.5, "-2.5"},
        {-0.0, "-0"},
        {1e300, "1.0000000000000001e+300"},
        {1e-5, "1.0000000000000001e-05"},
        {std::numeric_limits<double>::infinity(), "inf"},
        {-std::numeric_limits<double>::infinity(), "-inf"},
        {std::numeric_limits<double>::quiet_NaN(), "nan"},
        {-std::numeric_limits<double>::quiet_NaN(), "nan"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const std::string text = c.text;
        CHECK(encode(3, [&](Writer& w) { w.double_value(c.d); }) == "," + text + "\r\n");
        CHECK(encode(2, [&](Writer& w) { w.double_value(c.d); }) ==
              "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n");
    }
}

TEST_CASE("writer: finite doubles print exactly as printf %.17g") {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 20000; ++i) {
        std::uint64_t bits = rng();
        double d = 0;
        static_assert(sizeof(d) == sizeof(bits));
        std::memcpy(&d, &bits, sizeof(d));
        if (!std::isfinite(d)) {
            continue;
        }
        char expected[64];
        std::snprintf(expected, sizeof(expected), "%.17g", d);
        CAPTURE(expected);
        CHECK(encode(3, [&](Writer& w) { w.double_value(d); }) ==
              "," + std::string(expected) + "\r\n");
    }
}

TEST_CASE("writer: value() in both protocols") {
    const Value v = Value::map({
        Value::simple("proto"),
        Value::integer_value(3),
        Value::bulk("modules"),
        Value::set({Value::boolean_value(true), Value{Type::double_, "1.5", 0, {}}}),
        Value::verbatim_text("txt", "hi"),
        Value::push({Value::nil(), Value::nil_array(),
                     Value{Type::big_number, "12345678901234567890", 0, {}}}),
        Value::error("ERR e"),
        Value::array(),
    });
    CHECK(encode_value(3, v) ==
          "%4\r\n+proto\r\n:3\r\n$7\r\nmodules\r\n~2\r\n#t\r\n,1.5\r\n=6\r\ntxt:hi\r\n"
          ">3\r\n_\r\n_\r\n(12345678901234567890\r\n-ERR e\r\n*0\r\n");
    CHECK(encode_value(2, v) ==
          "*8\r\n+proto\r\n:3\r\n$7\r\nmodules\r\n*2\r\n:1\r\n$3\r\n1.5\r\n$2\r\nhi\r\n"
          "*3\r\n$-1\r\n*-1\r\n$20\r\n12345678901234567890\r\n-ERR e\r\n*0\r\n");
    // A map with a dangling key writes only whole pairs.
    CHECK(encode_value(3, Value::map({Value::integer_value(1), Value::integer_value(2),
                                      Value::integer_value(3)})) == "%1\r\n:1\r\n:2\r\n");
    // A verbatim value without its "fmt:" prefix is sent as text.
    CHECK(encode_value(3, Value{Type::verbatim, "ab", 0, {}}) == "=6\r\ntxt:ab\r\n");
    CHECK(encode_value(2, Value{Type::verbatim, "ab", 0, {}}) == "$2\r\nab\r\n");
}

TEST_CASE("writer: command() is a multibulk of bulk strings") {
    CHECK(Writer::command({"PING"}) == "*1\r\n$4\r\nPING\r\n");
    CHECK(Writer::command({"SET", "k", ""}) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    CHECK(Writer::command({}) == "*0\r\n");
    const std::vector<std::string> args = {
        "SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "0",
        "*",        std::string("\r\n\0", 3)};
    RequestParser parser;
    parser.feed(Writer::command(args));
    std::vector<std::string> decoded;
    REQUIRE(parser.next(decoded) == ParseStatus::ok);
    CHECK(decoded == args);
}

TEST_CASE("writer: RESP3 values decode to themselves") {
    const std::vector<Value> values = {
        Value::simple("OK"),
        Value::error("WRONGTYPE Operation against a key"),
        Value::integer_value(-1),
        Value::bulk(std::string("bin\0\r\n", 6)),
        Value::nil(),
        Value::array({Value::bulk("a"), Value::array({Value::integer_value(1)})}),
        Value::map({Value::bulk("k"), Value::set({Value::simple("m")})}),
        Value::push({Value::bulk("message")}),
        Value{Type::double_, "-1.25e+10", 0, {}},
        Value::boolean_value(false),
        Value{Type::big_number, "-99999999999999999999999", 0, {}},
        Value::verbatim_text("mkd", "# title\r\n"),
    };
    for (const Value& v : values) {
        CHECK(decode_one(encode_value(3, v)) == v);
    }
    // The RESP2 forms decode to the downgraded types.
    CHECK(decode_one(encode_value(2, Value::map({Value::bulk("k"), Value::bulk("v")}))) ==
          Value::array({Value::bulk("k"), Value::bulk("v")}));
    CHECK(decode_one(encode_value(2, Value::boolean_value(true))) == Value::integer_value(1));
    CHECK(decode_one(encode_value(2, Value::nil_array())) == Value::nil_array());
    CHECK(decode_one(encode_value(3, Value::nil_array())) == Value::nil());
}

TEST_CASE("writer: bulk strings of every length around the small-piece limit") {
    for (std::size_t n : {0, 1, 9, 10, 99, 100, 127, 128, 129, 130, 1000, 100000}) {
        CAPTURE(n);
        const std::string payload(n, 'p');
        const std::string expected = "$" + std::to_string(n) + "\r\n" + payload + "\r\n";
        CHECK(encode(2, [&](Writer& w) { w.bulk(payload); }) == expected);
        // Appended after what is already there.
        CHECK(encode(3, [&](Writer& w) {
                  w.integer(-7);
                  w.bulk(payload);
              }) == ":-7\r\n" + expected);
    }
    CHECK(encode(2, [](Writer& w) { w.integer(std::numeric_limits<std::int64_t>::min()); }) ==
          ":-9223372036854775808\r\n");
    CHECK(encode(2, [](Writer& w) { w.array_header(std::numeric_limits<std::size_t>::max()); }) ==
          "*18446744073709551615\r\n");
}
