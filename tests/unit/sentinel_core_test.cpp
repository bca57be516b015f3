// The pure core answering SENTINEL commands from its state.

#include <doctest/doctest.h>

#include "sentinel/core/sentinel.hpp"

namespace {

using sentinel::Millis;
using sentinel::Now;
using sentinel::config::Config;
using sentinel::config::MasterConfig;
using sentinel::core::EventAction;
using sentinel::core::Outbox;
using sentinel::core::PersistAction;
using sentinel::resp::Value;

Config two_masters() {
    Config cfg;
    MasterConfig a;
    a.name = "alpha";
    a.host = "10.0.0.1";
    a.port = 6379;
    a.quorum = 2;
    a.known_replicas = {{"10.0.0.2", 6379}, {"::1", 6380}};
    a.known_sentinels = {{"10.0.0.9", 26379, std::string(40, 'b')}};
    MasterConfig b = a;
    b.name = "beta";
    b.known_replicas.clear();
    b.known_sentinels.clear();
    b.quorum = 1;
    cfg.masters = {a, b};
    return cfg;
}

const Now kNow{Millis(5000), Millis(1700000000000)};

}  // namespace

TEST_CASE("a missing myid is generated, persisted, and +monitor is emitted per master") {
    sentinel::core::NullLogger log;
    sentinel::core::Sentinel s(two_masters(), sentinel::Rng(7), log, kNow);
    CHECK(s.myid().size() == 40);
    CHECK(s.myid_generated());
    Outbox out;
    s.start(kNow, out);
    REQUIRE(out.actions.size() == 3);
    CHECK(std::holds_alternative<PersistAction>(out.actions[0]));
    const auto& ev = std::get<EventAction>(out.actions[1]);
    CHECK(ev.type == "+monitor");
    CHECK(ev.text == "master alpha 10.0.0.1 6379 quorum 2");
}

TEST_CASE("the same seed gives the same myid; a configured myid is kept") {
    sentinel::core::NullLogger log;
    sentinel::core::Sentinel a(two_masters(), sentinel::Rng(7), log, kNow);
    sentinel::core::Sentinel b(two_masters(), sentinel::Rng(7), log, kNow);
    CHECK(a.myid() == b.myid());
    Config cfg = two_masters();
    cfg.sentinel.myid = std::string(40, 'c');
    sentinel::core::Sentinel c(cfg, sentinel::Rng(7), log, kNow);
    CHECK(c.myid() == std::string(40, 'c'));
    Outbox out;
    c.start(kNow, out);
    CHECK(out.actions.size() == 2);  // no persist: nothing new to record
}

TEST_CASE("known replicas and sentinels from the config are listed, IPv6 names bracketed") {
    sentinel::core::NullLogger log;
    sentinel::core::Sentinel s(two_masters(), sentinel::Rng(1), log, kNow);
    Outbox out;
    const Value replicas = s.command(kNow, {"SENTINEL", "REPLICAS", "alpha"}, out);
    REQUIRE(replicas.elements.size() == 2);
    CHECK(replicas.elements[0].elements[1].str == "10.0.0.2:6379");
    CHECK(replicas.elements[1].elements[1].str == "[::1]:6380");
    CHECK(replicas.elements[1].elements[3].str == "::1");
    const Value sentinels = s.command(kNow, {"SENTINEL", "SENTINELS", "alpha"}, out);
    REQUIRE(sentinels.elements.size() == 1);
    CHECK(sentinels.elements[0].elements[1].str == std::string(40, 'b'));
    CHECK(sentinels.elements[0].elements[9].str == "sentinel,disconnected");
}

TEST_CASE("CKQUORUM reports usable sentinels with Redis's texts") {
    sentinel::core::NullLogger log;
    sentinel::core::Sentinel s(two_masters(), sentinel::Rng(1), log, kNow);
    Outbox out;
    // alpha: 2 voters, quorum 2, both usable.
    CHECK(s.command(kNow, {"SENTINEL", "CKQUORUM", "alpha"}, out) ==
          Value::simple("OK 2 usable Sentinels. Quorum and failover authorization can be "
                        "reached"));
    // beta: alone, quorum 1: majority of 1 is 1, fine.
    CHECK(s.command(kNow, {"SENTINEL", "CKQUORUM", "beta"}, out).type ==
          sentinel::resp::Type::simple_string);
    Config cfg = two_masters();
    cfg.masters[1].quorum = 3;
    sentinel::core::Sentinel t(cfg, sentinel::Rng(1), log, kNow);
    CHECK(t.command(kNow, {"SENTINEL", "CKQUORUM", "beta"}, out) ==
          Value::error("NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach "
                       "the specified quorum for this master"));
}

TEST_CASE("RESET forgets replicas and sentinels of matching masters only") {
    sentinel::core::NullLogger log;
    sentinel::core::Sentinel s(two_masters(), sentinel::Rng(1), log, kNow);
    Outbox out;
    CHECK(s.command(kNow, {"SENTINEL", "RESET", "al*"}, out) == Value::integer_value(1));
    CHECK(s.masters()[0].replicas.empty());
    CHECK(s.masters()[0].sentinels.empty());
    REQUIRE(out.actions.size() == 1);
    CHECK(std::get<EventAction>(out.actions[0]).text == "master alpha 10.0.0.1 6379");
    CHECK(s.command(kNow, {"SENTINEL", "RESET", "nomatch"}, out) == Value::integer_value(0));
}

TEST_CASE("snapshot round-trips the state that must be persisted") {
    sentinel::core::NullLogger log;
    Config cfg = two_masters();
    sentinel::core::Sentinel s(cfg, sentinel::Rng(1), log, kNow);
    const Config snap = s.snapshot();
    REQUIRE(snap.masters.size() == 2);
    CHECK(snap.masters[0] == cfg.masters[0]);
    CHECK(snap.sentinel.myid == s.myid());
}

TEST_CASE("IS-MASTER-DOWN-BY-ADDR validates numbers and reports state by address") {
    sentinel::core::NullLogger log;
    sentinel::core::Sentinel s(two_masters(), sentinel::Rng(1), log, kNow);
    Outbox out;
    CHECK(s.command(kNow, {"SENTINEL", "is-master-down-by-addr", "10.0.0.1", "x", "0", "*"}, out) ==
          Value::error("ERR value is not an integer or out of range"));
    CHECK(s.command(kNow, {"SENTINEL", "is-master-down-by-addr", "10.0.0.1", "6379", "0", "*"},
                    out) ==
          Value::array({Value::integer_value(0), Value::bulk("*"), Value::integer_value(0)}));
}
