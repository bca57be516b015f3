// format_hello() / parse_hello(): the __sentinel__:hello payload, checked against payloads a real
// redis-sentinel 7.0.15 published (copies in tests/unit/fixtures/hello_*.txt).

#include "sentinel/core/hello.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

using sentinel::core::format_hello;
using sentinel::core::Hello;
using sentinel::core::parse_hello;

using namespace std::literals;

namespace {

// Published by redis-sentinel 7.0.15 (port 55609) monitoring "mymaster" at 127.0.0.1:44011,
// seen by SUBSCRIBE __sentinel__:hello on that master.
constexpr std::string_view kHello =
    "127.0.0.1,55609,2f6486f7936f2c149e81b19262a7b2800fb508b3,0,mymaster,127.0.0.1,44011,0";
// The same set-up with "sentinel current-epoch 7" and "sentinel config-epoch mymaster 3".
constexpr std::string_view kHelloEpochs =
    "127.0.0.1,42141,3e87e5b60d0cb202afa2bb772d9edd401bb22cf5,7,mymaster,127.0.0.1,46197,3";
// Sentinel and master both bound to ::1: addresses go unbracketed.
constexpr std::string_view kHelloIpv6 =
    "::1,43103,1c252ba6c68e43a94bef85800d16b641b99d6f8d,0,mymaster,::1,43655,0";

Hello parse_ok(std::string_view payload) {
    auto r = parse_hello(payload);
    REQUIRE_MESSAGE(r.has_value(), "parse failed for [" << std::string(payload) << "]");
    return *r;
}

std::string parse_error(std::string_view payload) {
    auto r = parse_hello(payload);
    REQUIRE_MESSAGE(!r.has_value(), "parse succeeded for [" << std::string(payload) << "]");
    return r.error();
}

}  // namespace

TEST_CASE("hello: real payloads from redis-sentinel 7.0.15") {
    const Hello h = parse_ok(kHello);
    CHECK(h.ip == "127.0.0.1");
    CHECK(h.port == 55609);
    CHECK(h.run_id == "2f6486f7936f2c149e81b19262a7b2800fb508b3");
    CHECK(h.current_epoch == 0u);
    CHECK(h.master_name == "mymaster");
    CHECK(h.master_ip == "127.0.0.1");
    CHECK(h.master_port == 44011);
    CHECK(h.master_config_epoch == 0u);
    CHECK(format_hello(h) == kHello);

    // Field 4 is the current epoch and field 8 the master's config epoch.
    const Hello e = parse_ok(kHelloEpochs);
    CHECK(e.current_epoch == 7u);
    CHECK(e.master_config_epoch == 3u);
    CHECK(format_hello(e) == kHelloEpochs);

    const Hello v6 = parse_ok(kHelloIpv6);
    CHECK(v6.ip == "::1");
    CHECK(v6.master_ip == "::1");
    CHECK(v6.port == 43103);
    CHECK(v6.master_port == 43655);
    CHECK(format_hello(v6) == kHelloIpv6);
}

TEST_CASE("hello: format then parse round trips") {
    const Hello cases[] = {
        {"10.0.0.1", 26379, std::string(40, 'a'), 0, "m", "10.0.0.2", 6379, 0},
        {"2001:db8::1", 5000, std::string(40, 'f'), 18446744073709551615ULL, "cache-eu_1",
         "fe80::1", 65535, 9},
        {"sentinel-1.example", 1, "x", 123456789, "name with spaces", "redis.example", 0,
         std::numeric_limits<std::uint64_t>::max() - 1},
    };
    for (const Hello& h : cases) {
        const std::string text = format_hello(h);
        CAPTURE(text);
        CHECK(parse_ok(text) == h);
    }
    CHECK(format_hello(cases[1]) ==
          "2001:db8::1,5000,ffffffffffffffffffffffffffffffffffffffff,18446744073709551615,"
          "cache-eu_1,fe80::1,65535,9");
}

TEST_CASE("hello: anything but exactly 8 fields is rejected") {
    CHECK(parse_error("") == "hello has 0 fields, expected 8");
    CHECK(parse_error("garbage") == "hello has 1 fields, expected 8");
    // 7 fields: the config epoch is missing.
    CHECK(parse_error("127.0.0.1,26379,abc,0,mymaster,127.0.0.1,6379") ==
          "hello has 7 fields, expected 8");
    // 9 fields: a trailing comma is an empty ninth field for sdssplitlen().
    CHECK(parse_error(std::string(kHello) + ",") == "hello has 9 fields, expected 8");
    CHECK(parse_error(std::string(kHello) + ",extra") == "hello has 9 fields, expected 8");
    // A comma inside a master name shifts everything: Redis drops such hellos too.
    CHECK(parse_error("127.0.0.1,26379,abc,0,my,master,127.0.0.1,6379,0") ==
          "hello has 9 fields, expected 8");
    CHECK(parse_error(std::string(100000, ',')) == "hello has 100001 fields, expected 8");
}

TEST_CASE("hello: empty fields are accepted, as Redis accepts them") {
    const Hello h = parse_ok(",,,,,,,");
    CHECK(h == Hello{});
    const Hello name_only = parse_ok(",,,,mymaster,,,");
    CHECK(name_only.master_name == "mymaster");
    CHECK(name_only.port == 0);
    CHECK(name_only.current_epoch == 0u);
}

TEST_CASE("hello: numbers read as atoi/strtoull read them") {
    // Non-numeric fields read as 0: Redis never validates them.
    Hello h = parse_ok("127.0.0.1,abc,id,epoch,m,127.0.0.1,port,cfg");
    CHECK(h.port == 0);
    CHECK(h.current_epoch == 0u);
    CHECK(h.master_port == 0);
    CHECK(h.master_config_epoch == 0u);

    // Leading blanks are skipped and trailing junk ignored; string fields stay verbatim.
    h = parse_ok(" 127.0.0.1 , 26379 , id , 7 ,m, 10.0.0.1 ,6379x,\t3");
    CHECK(h.ip == " 127.0.0.1 ");
    CHECK(h.port == 26379);
    CHECK(h.run_id == " id ");
    CHECK(h.current_epoch == 7u);
    CHECK(h.master_ip == " 10.0.0.1 ");
    CHECK(h.master_port == 6379);
    CHECK(h.master_config_epoch == 3u);

    // strtoull: a minus sign wraps, overflow saturates.
    h = parse_ok("a,-1,b,-1,c,d,+5,99999999999999999999999");
    CHECK(h.port == -1);
    CHECK(h.current_epoch == std::numeric_limits<std::uint64_t>::max());
    CHECK(h.master_port == 5);
    CHECK(h.master_config_epoch == std::numeric_limits<std::uint64_t>::max());

    // atoi: the low 32 bits of a saturated long.
    h = parse_ok("a,4294967297,b,0,c,d,99999999999999999999,0");
    CHECK(h.port == 1);
    CHECK(h.master_port == -1);
}

TEST_CASE("hello: string fields end at a NUL byte, as Redis's C strings do") {
    const std::string payload =
        "127.0.0.1\0junk,26379,abc\0def,0,my\0master,10.0.0.1,6379,0\0"s
        "9"s;
    const Hello h = parse_ok(payload);
    CHECK(h.ip == "127.0.0.1");
    CHECK(h.run_id == "abc");
    CHECK(h.master_name == "my");
    CHECK(h.master_config_epoch == 0u);
    // A NUL does not hide the commas after it from the split.
    CHECK(parse_error("a\0,b,c,d,e,f,g,h,i"s) == "hello has 9 fields, expected 8");
}
