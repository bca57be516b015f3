// The monitoring core driven one event at a time, checking the exact actions it emits.

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/core/hello.hpp"
#include "sentinel/core/sentinel.hpp"

namespace {

using sentinel::Millis;
using sentinel::Now;
using sentinel::config::Config;
using sentinel::config::MasterConfig;
using namespace sentinel::core;
using sentinel::resp::Value;

const std::string kMyId(40, 'a');
const std::string kPeerId(40, 'b');

Config one_master() {
    Config cfg;
    MasterConfig m;
    m.name = "mymaster";
    m.host = "127.0.0.1";
    m.port = 6379;
    m.quorum = 2;
    m.down_after_ms = 5000;
    cfg.masters.push_back(m);
    cfg.sentinel.myid = kMyId;
    cfg.server.port = 26379;
    return cfg;
}

// A master INFO reply as Redis 7.0 prints its replication section.
std::string master_info(const std::string& run_id, int replicas) {
    std::string s = "# Server\r\nrun_id:" + run_id + "\r\n\r\n# Replication\r\nrole:master\r\n";
    s += "connected_slaves:" + std::to_string(replicas) + "\r\n";
    for (int i = 0; i < replicas; ++i) {
        s += "slave" + std::to_string(i) + ":ip=127.0.0.1,port=" + std::to_string(6380 + i) +
             ",state=online,offset=100,lag=0\r\n";
    }
    return s;
}

// Drives one Sentinel with a hand-held clock and records what it does.
struct Driver {
    explicit Driver(Config cfg = one_master(), CoreServices services = {})
        : s(cfg, sentinel::Rng(3), log, now, std::move(services)) {}

    Outbox step(const Event& ev) {
        Outbox out;
        s.step(now, ev, out);
        return out;
    }
    Outbox tick() { return step(TickEvent{}); }
    void advance(std::int64_t ms) {
        now.mono += Millis(ms);
        now.wall += Millis(ms);
    }

    NullLogger log;
    Now now{Millis(100000), Millis(1700000000000)};
    Sentinel s;
};

std::vector<ConnectAction> connects(const Outbox& out) {
    std::vector<ConnectAction> v;
    for (const auto& a : out.actions) {
        if (const auto* c = std::get_if<ConnectAction>(&a)) {
            v.push_back(*c);
        }
    }
    return v;
}

std::vector<SendAction> sends(const Outbox& out, LinkId link) {
    std::vector<SendAction> v;
    for (const auto& a : out.actions) {
        if (const auto* c = std::get_if<SendAction>(&a); c != nullptr && c->link == link) {
            v.push_back(*c);
        }
    }
    return v;
}

std::vector<std::string> events(const Outbox& out) {
    std::vector<std::string> v;
    for (const auto& a : out.actions) {
        if (const auto* e = std::get_if<EventAction>(&a)) {
            v.push_back(e->type + " " + e->text);
        }
    }
    return v;
}

bool has_persist(const Outbox& out) {
    for (const auto& a : out.actions) {
        if (std::holds_alternative<PersistAction>(a)) {
            return true;
        }
    }
    return false;
}

using Args = std::vector<std::string>;

// Lets the INFO period pass, ticks, and answers the master's INFO with `info`.
Outbox refresh_master_info(Driver& d, LinkId cc, const std::string& info) {
    d.advance(10100);
    const Outbox sent = d.tick();
    Outbox all;
    for (const auto& sa : sends(sent, cc)) {
        Value reply = sa.args[0] == "INFO"   ? Value::bulk(info)
                      : sa.args[0] == "PING" ? Value::simple("PONG")
                                             : Value::integer_value(1);
        Outbox out = d.step(ReplyEvent{cc, reply});
        all.actions.insert(all.actions.end(), out.actions.begin(), out.actions.end());
    }
    return all;
}

// Connects the master's two links and answers the start-up commands; returns {cc, pc}.
std::pair<LinkId, LinkId> bring_up_master(Driver& d) {
    const Outbox out = d.tick();
    const auto c = connects(out);
    REQUIRE(c.size() == 2);
    d.step(LinkUpEvent{c[0].link, "127.0.0.1"});
    d.step(LinkUpEvent{c[1].link, "127.0.0.1"});
    // cc: CLIENT SETNAME, PING, INFO.
    d.step(ReplyEvent{c[0].link, Value::simple("OK")});
    d.step(ReplyEvent{c[0].link, Value::simple("PONG")});
    d.step(ReplyEvent{c[0].link, Value::bulk(master_info(std::string(40, 'c'), 0))});
    // pc: CLIENT SETNAME, SUBSCRIBE confirmation.
    d.step(ReplyEvent{c[1].link, Value::simple("OK")});
    d.step(ReplyEvent{c[1].link,
                      Value::array({Value::bulk("subscribe"), Value::bulk("__sentinel__:hello"),
                                    Value::integer_value(1)})});
    return {c[0].link, c[1].link};
}

}  // namespace

TEST_CASE("first tick connects two links to the master with Redis's start-up commands") {
    Driver d;
    const Outbox out = d.tick();
    const auto c = connects(out);
    REQUIRE(c.size() == 2);
    CHECK(c[0].host == "127.0.0.1");
    CHECK(c[0].port == 6379);
    CHECK(sends(out, c[0].link).size() >= 2);
    const auto cc = sends(out, c[0].link);
    CHECK(cc[0].args == Args{"CLIENT", "SETNAME", "sentinel-aaaaaaaa-cmd"});
    CHECK(cc[1].args == Args{"PING"});
    const auto pc = sends(out, c[1].link);
    REQUIRE(pc.size() == 2);
    CHECK(pc[0].args == Args{"CLIENT", "SETNAME", "sentinel-aaaaaaaa-pubsub"});
    CHECK(pc[1].args == Args{"SUBSCRIBE", "__sentinel__:hello"});
    // INFO is due at once (never refreshed) on the same tick.
    bool info = false;
    for (const auto& sa : cc) {
        info |= sa.args == Args{"INFO"};
    }
    CHECK(info);
    CHECK(d.s.next_deadline() > d.now.mono);
    CHECK(d.s.next_deadline() <= d.now.mono + Millis(100));
}

TEST_CASE("auth-pass, auth-user and rename-command shape the commands sent") {
    Config cfg = one_master();
    cfg.masters[0].auth_pass = "pw";
    cfg.masters[0].auth_user = "sentinel";
    cfg.masters[0].rename_commands["PING"] = "PONGME";
    Driver d(cfg);
    const Outbox out = d.tick();
    const auto c = connects(out);
    const auto cc = sends(out, c[0].link);
    CHECK(cc[0].args == Args{"AUTH", "sentinel", "pw"});
    CHECK(cc[2].args == Args{"PONGME"});
    CHECK(sends(out, c[1].link)[0].args == Args{"AUTH", "sentinel", "pw"});
}

TEST_CASE("INFO from the master discovers replicas once, with +slave and a persist") {
    Driver d;
    auto [cc, pc] = bring_up_master(d);
    const Outbox out = refresh_master_info(d, cc, master_info(std::string(40, 'c'), 2));
    CHECK(events(out) ==
          std::vector<std::string>{
              "+slave slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379",
              "+slave slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379"});
    CHECK(has_persist(out));
    REQUIRE(d.s.masters()[0].replicas.size() == 2);
    CHECK(d.s.masters()[0].inst.run_id == std::string(40, 'c'));
    // The next tick connects to both replicas (two links each).
    d.advance(100);
    CHECK(connects(d.tick()).size() == 4);
}

TEST_CASE("a master that stops answering PING goes +sdown after down-after, -sdown on PONG") {
    Driver d;
    auto [cc, pc] = bring_up_master(d);
    // Keep ticking without answering anything for just over down-after (5000 ms).
    std::vector<std::string> seen;
    for (int i = 0; i < 70; ++i) {
        d.advance(100);
        for (auto& e : events(d.tick())) {
            seen.push_back(e);
        }
    }
    CHECK(seen == std::vector<std::string>{"+sdown master mymaster 127.0.0.1 6379"});
    CHECK((d.s.masters()[0].inst.flags & kFlagSDown) != 0);
    // Answer everything that is pending with PONGs: the oldest unanswered PING clears.
    for (int i = 0; i < 200; ++i) {
        d.step(ReplyEvent{cc, Value::simple("PONG")});
    }
    d.advance(100);
    CHECK(events(d.tick()) == std::vector<std::string>{"-sdown master mymaster 127.0.0.1 6379"});
}

TEST_CASE("-LOADING and -MASTERDOWN count as alive, -NOAUTH does not") {
    Driver d;
    auto [cc, pc] = bring_up_master(d);
    auto ping_and_reply = [&](const Value& reply) {
        d.advance(1100);
        const Outbox out = d.tick();
        for (const auto& sa : sends(out, cc)) {
            d.step(ReplyEvent{cc, sa.args == Args{"PING"} ? reply : Value::simple("OK")});
        }
    };
    ping_and_reply(Value::error("LOADING Redis is loading the dataset in memory"));
    CHECK_FALSE(d.s.masters()[0].inst.link->act_ping_time.has_value());
    ping_and_reply(Value::error("NOAUTH Authentication required."));
    CHECK(d.s.masters()[0].inst.link->act_ping_time.has_value());
}

TEST_CASE("a broken link is reconnected at most once per second") {
    Driver d;
    auto [cc, pc] = bring_up_master(d);
    d.step(LinkDownEvent{cc, "reset"});
    CHECK(d.s.masters()[0].inst.link->disconnected);
    d.advance(100);
    CHECK(connects(d.tick()).empty());  // last attempt was 100 ms ago
    d.advance(1000);
    const auto c = connects(d.tick());
    REQUIRE(c.size() == 1);  // only the command link is missing
    CHECK(c[0].link != cc);
    // A late reply on the dead link is ignored.
    CHECK(d.step(ReplyEvent{cc, Value::simple("PONG")}).actions.empty());
}

TEST_CASE("hello is published with our announced address and the master's config") {
    Config cfg = one_master();
    cfg.sentinel.announce_ip = "10.1.2.3";
    cfg.sentinel.announce_port = 5555;
    cfg.sentinel.current_epoch = 7;
    cfg.masters[0].config_epoch = 4;
    Driver d(cfg);
    auto [cc, pc] = bring_up_master(d);
    d.advance(2100);
    const Outbox out = d.tick();
    bool found = false;
    for (const auto& sa : sends(out, cc)) {
        if (sa.args[0] == "PUBLISH") {
            CHECK(sa.args[1] == "__sentinel__:hello");
            CHECK(sa.args[2] == "10.1.2.3,5555," + kMyId + ",7,mymaster,127.0.0.1,6379,4");
            found = true;
        }
    }
    CHECK(found);
}

TEST_CASE("a hello from a peer adds it (+sentinel), adopts a newer epoch, ignores our own") {
    Driver d;
    auto [cc, pc] = bring_up_master(d);
    Hello h{"127.0.0.1", 26380, kPeerId, 3, "mymaster", "127.0.0.1", 6379, 0};
    Outbox out = d.step(
        ReplyEvent{pc, Value::array({Value::bulk("message"), Value::bulk("__sentinel__:hello"),
                                     Value::bulk(format_hello(h))})});
    CHECK(events(out) == std::vector<std::string>{"+sentinel sentinel " + kPeerId +
                                                      " 127.0.0.1 26380 @ mymaster 127.0.0.1 6379",
                                                  "+new-epoch 3"});
    CHECK(d.s.globals().current_epoch == 3);
    CHECK(d.s.masters()[0].sentinels.size() == 1);
    // Our own hello coming back through the master changes nothing.
    Hello mine{"127.0.0.1", 26379, kMyId, 9, "mymaster", "127.0.0.1", 6379, 0};
    out = d.step(HelloReceivedEvent{format_hello(mine)});
    CHECK(d.s.masters()[0].sentinels.size() == 1);
    // The same hello again: nothing new.
    CHECK(events(d.step(HelloReceivedEvent{format_hello(h)})).empty());
    // A hello about a master we do not monitor teaches nothing.
    Hello other{"127.0.0.1", 26390, std::string(40, 'e'), 0, "other", "127.0.0.1", 1, 0};
    CHECK(d.step(HelloReceivedEvent{format_hello(other)}).actions.empty());
}

TEST_CASE("a newer config epoch in a hello switches the master (observer side)") {
    Driver d;
    auto [cc, pc] = bring_up_master(d);
    (void)pc;
    refresh_master_info(d, cc, master_info(std::string(40, 'c'), 2));
    Hello h{"127.0.0.1", 26380, kPeerId, 1, "mymaster", "127.0.0.1", 6380, 1};
    const Outbox out = d.step(HelloReceivedEvent{format_hello(h)});
    const auto ev = events(out);
    REQUIRE(ev.size() >= 5);
    CHECK(ev[0] == "+sentinel sentinel " + kPeerId + " 127.0.0.1 26380 @ mymaster 127.0.0.1 6379");
    CHECK(ev[1] == "+new-epoch 1");
    CHECK(ev[2] ==
          "+config-update-from sentinel " + kPeerId + " 127.0.0.1 26380 @ mymaster 127.0.0.1 6379");
    CHECK(ev[3] == "+switch-master mymaster 127.0.0.1 6379 127.0.0.1 6380");
    // Replicas are rebuilt: the other replica and the old master.
    CHECK(ev[4] == "+slave slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6380");
    CHECK(ev[5] == "+slave slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6380");
    const Master& m = d.s.masters()[0];
    CHECK(m.cfg.port == 6380);
    CHECK(m.cfg.config_epoch == 1);
    CHECK(m.sentinels.size() == 1);  // peers are kept across the switch
    // The old connections to 6379 were closed.
    bool closed_cc = false;
    for (const auto& a : out.actions) {
        if (const auto* c = std::get_if<CloseAction>(&a)) {
            closed_cc |= c->link == cc;
        }
    }
    CHECK(closed_cc);
}

TEST_CASE("peers known under two masters share one link") {
    Config cfg = one_master();
    MasterConfig second = cfg.masters[0];
    second.name = "second";
    second.port = 7000;
    cfg.masters.push_back(second);
    Driver d(cfg);
    Hello a{"127.0.0.1", 26380, kPeerId, 0, "mymaster", "127.0.0.1", 6379, 0};
    Hello b{"127.0.0.1", 26380, kPeerId, 0, "second", "127.0.0.1", 7000, 0};
    d.step(HelloReceivedEvent{format_hello(a)});
    d.step(HelloReceivedEvent{format_hello(b)});
    const auto& m = d.s.masters();
    CHECK(m[0].sentinels[0].inst.link == m[1].sentinels[0].inst.link);
    CHECK(m[0].sentinels[0].inst.link->refcount == 2);
    // One tick: one connection to the peer, not two.
    int to_peer = 0;
    for (const auto& c : connects(d.tick())) {
        to_peer += c.port == 26380 ? 1 : 0;
    }
    CHECK(to_peer == 1);
}

TEST_CASE("peers loaded from known-sentinel lines share one link per run id") {
    Config cfg = one_master();
    const std::string other_peer(40, 'c');
    for (int i = 1; i < 3; ++i) {
        MasterConfig extra = cfg.masters[0];
        extra.name = "m" + std::to_string(i);
        extra.port = 7000 + i;
        cfg.masters.push_back(extra);
    }
    for (auto& mc : cfg.masters) {
        mc.known_sentinels.push_back({"127.0.0.1", 26380, kPeerId});
        mc.known_sentinels.push_back({"127.0.0.1", 26381, other_peer});
    }
    Driver d(cfg);
    const auto& m = d.s.masters();
    for (std::size_t i = 1; i < m.size(); ++i) {
        CHECK(m[i].sentinels[0].inst.link == m[0].sentinels[0].inst.link);
        CHECK(m[i].sentinels[1].inst.link == m[0].sentinels[1].inst.link);
    }
    CHECK(m[0].sentinels[0].inst.link != m[0].sentinels[1].inst.link);
    CHECK(m[0].sentinels[0].inst.link->refcount == 3);
    std::map<int, int> per_port;
    for (const auto& c : connects(d.tick())) {
        ++per_port[c.port];
    }
    CHECK(per_port[26380] == 1);
    CHECK(per_port[26381] == 1);
}

TEST_CASE("a wall clock jump enters TILT, which suspends SDOWN checks and ends after 30 s") {
    Driver d;
    auto [cc, pc] = bring_up_master(d);
    (void)cc;
    (void)pc;
    d.now.wall += Millis(10000);  // the wall clock jumps; monotonic time does not
    d.advance(100);
    CHECK(events(d.tick()) == std::vector<std::string>{"+tilt #tilt mode entered"});
    // In TILT the master is not declared down however long it stays silent...
    std::vector<std::string> seen;
    for (int i = 0; i < 290; ++i) {
        d.advance(100);
        for (auto& e : events(d.tick())) {
            seen.push_back(e);
        }
    }
    CHECK(seen.empty());
    // ...and once 30 s have passed TILT ends and the verdict follows at once.
    for (int i = 0; i < 20; ++i) {
        d.advance(100);
        for (auto& e : events(d.tick())) {
            seen.push_back(e);
        }
    }
    CHECK(seen == std::vector<std::string>{"-tilt #tilt mode exited",
                                           "+sdown master mymaster 127.0.0.1 6379"});
}

TEST_CASE("a replica reporting role:slave keeps its master details; role changes are logged") {
    Driver d;
    auto [cc, pc] = bring_up_master(d);
    (void)pc;
    refresh_master_info(d, cc, master_info(std::string(40, 'c'), 1));
    d.advance(100);
    const auto c = connects(d.tick());
    REQUIRE(c.size() == 2);
    const LinkId rcc = c[0].link;
    d.step(LinkUpEvent{rcc, "127.0.0.1"});
    d.step(ReplyEvent{rcc, Value::simple("OK")});    // SETNAME
    d.step(ReplyEvent{rcc, Value::simple("PONG")});  // PING
    const Outbox out = d.step(ReplyEvent{
        rcc, Value::bulk("# Server\r\nrun_id:" + std::string(40, 'd') +
                         "\r\n# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\n"
                         "master_port:6379\r\nmaster_link_status:up\r\nslave_repl_offset:42\r\n"
                         "slave_priority:50\r\n")});
    CHECK(events(out).empty());  // a replica reporting slave is coherent: nothing to say
    const Replica& r = d.s.masters()[0].replicas[0];
    CHECK(r.master_host == "127.0.0.1");
    CHECK(r.master_link_ok);
    CHECK(r.slave_priority == 50);
    CHECK(r.slave_repl_offset == 42);
}

// A resolver that knows the names in `table` (which tests may change), counting lookups.
struct FakeDns {
    std::map<std::string, std::string> table;
    std::vector<std::string> asked;
    CoreServices services() {
        CoreServices s;
        s.resolve = [this](const std::string& host) -> std::optional<std::string> {
            asked.push_back(host);
            const auto it = table.find(host);
            return it == table.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        return s;
    }
};

Config named_master(bool resolve_hostnames) {
    Config cfg = one_master();
    cfg.sentinel.resolve_hostnames = resolve_hostnames;
    cfg.masters[0].host = "db.example";
    return cfg;
}

TEST_CASE("a master known by name is connected at its IP, looked up again before reconnecting") {
    FakeDns dns{{{"db.example", "10.0.0.5"}}, {}};
    Config cfg = named_master(true);
    cfg.masters[0].ip = "10.0.0.5";  // as the loader resolved it
    Driver d(cfg, dns.services());
    Outbox out = d.tick();
    auto c = connects(out);
    REQUIRE(c.size() == 2);
    CHECK(c[0].host == "10.0.0.5");
    CHECK(c[1].host == "10.0.0.5");
    CHECK(dns.asked == std::vector<std::string>{"db.example"});
    // The name moves; the next reconnection follows it.
    dns.table["db.example"] = "10.0.0.6";
    d.step(LinkDownEvent{c[0].link, "reset"});
    d.advance(1100);
    c = connects(d.tick());
    REQUIRE(c.size() == 1);
    CHECK(c[0].host == "10.0.0.6");
    CHECK(d.s.masters()[0].inst.ip == "10.0.0.6");
    CHECK(d.s.current_master_address(d.s.masters()[0]) ==
          std::pair<std::string, int>{"10.0.0.6", 6379});
    CHECK(d.s.snapshot().masters[0].ip == "10.0.0.6");
    // A failed lookup keeps the last address.
    dns.table.clear();
    d.step(LinkDownEvent{c[0].link, "reset"});
    d.advance(1100);
    c = connects(d.tick());
    REQUIRE(c.size() == 1);
    CHECK(c[0].host == "10.0.0.6");
}

TEST_CASE("a name that does not resolve is not connected until it does") {
    FakeDns dns;
    Driver d(named_master(true), dns.services());
    CHECK(connects(d.tick()).empty());
    // Shown by name meanwhile (Redis would show an empty address).
    CHECK(d.s.current_master_address(d.s.masters()[0]).first == "db.example");
    d.advance(500);
    CHECK(connects(d.tick()).empty());
    CHECK(dns.asked.size() == 1);  // at most one attempt per ping period
    dns.table["db.example"] = "10.0.0.5";
    d.advance(600);
    const auto c = connects(d.tick());
    REQUIRE(c.size() == 2);
    CHECK(c[0].host == "10.0.0.5");
}

TEST_CASE("without resolve-hostnames nothing is looked up again") {
    FakeDns dns{{{"127.0.0.1", "10.9.9.9"}}, {}};
    Driver d(one_master(), dns.services());
    const auto c = connects(d.tick());
    REQUIRE(c.size() == 2);
    CHECK(c[0].host == "127.0.0.1");
    CHECK(dns.asked.empty());
}

TEST_CASE("replicas reported by name are resolved once, when discovered") {
    FakeDns dns{{{"replica.example", "10.0.0.8"}}, {}};
    Config cfg = one_master();
    cfg.sentinel.resolve_hostnames = true;
    Driver d(cfg, dns.services());
    auto [cc, pc] = bring_up_master(d);
    (void)pc;
    const std::string info = "# Server\r\nrun_id:" + std::string(40, 'c') +
                             "\r\n# Replication\r\nrole:master\r\nconnected_slaves:1\r\n"
                             "slave0:ip=replica.example,port=6380,state=online,offset=1,lag=0\r\n";
    Outbox out = refresh_master_info(d, cc, info);
    CHECK(events(out) == std::vector<std::string>{
                             "+slave slave 10.0.0.8:6380 10.0.0.8 6380 @ mymaster 127.0.0.1 6379"});
    CHECK(has_persist(out));
    CHECK(dns.asked == std::vector<std::string>{"replica.example"});
    const Replica& r = d.s.masters()[0].replicas[0];
    CHECK(r.inst.host == "replica.example");
    CHECK(r.inst.ip == "10.0.0.8");
    // Reported again, by name or by IP: the same replica, and no new lookup for it (the
    // only later lookups are the replica's reconnections, one per tick at most).
    const auto info_lookups = [&](const std::string& text) {
        d.advance(10100);
        const Outbox sent = d.tick();
        const std::size_t before = dns.asked.size();
        for (const auto& sa : sends(sent, cc)) {
            const Value reply = sa.args[0] == "INFO"   ? Value::bulk(text)
                                : sa.args[0] == "PING" ? Value::simple("PONG")
                                                       : Value::integer_value(1);
            CHECK(events(d.step(ReplyEvent{cc, reply})).empty());
        }
        return dns.asked.size() - before;
    };
    CHECK(info_lookups(info) == 0);
    CHECK(info_lookups("# Replication\r\nrole:master\r\n"
                       "slave0:ip=10.0.0.8,port=6380,state=online,offset=1,lag=0\r\n") == 0);
    CHECK(d.s.masters()[0].replicas.size() == 1);
    // Persisted as shown (the IP), as Redis rewrites known-replica lines.
    const auto snap = d.s.snapshot().masters[0].known_replicas;
    REQUIRE(snap.size() == 1);
    CHECK(sentinel::config::announced_host(snap[0].host, snap[0].ip, false) == "10.0.0.8");
}

TEST_CASE("with announce-hostnames replicas are named and announced by host name") {
    FakeDns dns{{{"replica.example", "10.0.0.8"}}, {}};
    Config cfg = one_master();
    cfg.sentinel.resolve_hostnames = true;
    cfg.sentinel.announce_hostnames = true;
    Driver d(cfg, dns.services());
    auto [cc, pc] = bring_up_master(d);
    (void)pc;
    const Outbox out =
        refresh_master_info(d, cc,
                            "# Replication\r\nrole:master\r\n"
                            "slave0:ip=replica.example,port=6380,state=online,offset=1,lag=0\r\n");
    CHECK(events(out) ==
          std::vector<std::string>{"+slave slave replica.example:6380 replica.example 6380 @ "
                                   "mymaster 127.0.0.1 6379"});
    // Connections still go to the IP.
    d.advance(100);
    const auto c = connects(d.tick());
    REQUIRE(c.size() == 2);
    CHECK(c[0].host == "10.0.0.8");
}

TEST_CASE("a peer announcing a host name is kept only with resolve-hostnames") {
    FakeDns dns{{{"peer.example", "10.0.0.9"}}, {}};
    const Hello h{"peer.example", 26380, kPeerId, 0, "mymaster", "127.0.0.1", 6379, 0};
    {
        Driver d(one_master(), dns.services());
        CHECK(events(d.step(HelloReceivedEvent{format_hello(h)})).empty());
        CHECK(d.s.masters()[0].sentinels.empty());
        CHECK(dns.asked.empty());
    }
    Config cfg = one_master();
    cfg.sentinel.resolve_hostnames = true;
    Driver d(cfg, dns.services());
    CHECK(events(d.step(HelloReceivedEvent{format_hello(h)})) ==
          std::vector<std::string>{"+sentinel sentinel " + kPeerId +
                                   " 10.0.0.9 26380 @ mymaster 127.0.0.1 6379"});
    // Later hellos match it by name without a lookup.
    CHECK(events(d.step(HelloReceivedEvent{format_hello(h)})).empty());
    CHECK(dns.asked == std::vector<std::string>{"peer.example"});
    CHECK(d.s.masters()[0].sentinels.size() == 1);
}

TEST_CASE("a hello naming the master by host name or by IP is the same master") {
    FakeDns dns{{{"db.example", "10.0.0.5"}}, {}};
    Config cfg = named_master(true);
    cfg.masters[0].ip = "10.0.0.5";
    cfg.masters[0].config_epoch = 1;
    Driver d(cfg, dns.services());
    // A peer with announce-hostnames and one without: neither is a new configuration.
    Hello by_name{"127.0.0.1", 26380, kPeerId, 2, "mymaster", "DB.example", 6379, 2};
    Outbox out = d.step(HelloReceivedEvent{format_hello(by_name)});
    for (const auto& e : events(out)) {
        CHECK(e.rfind("+switch-master", 0) != 0);
    }
    Hello by_ip{"127.0.0.2", 26381, std::string(40, 'e'), 3, "mymaster", "10.0.0.5", 6379, 3};
    out = d.step(HelloReceivedEvent{format_hello(by_ip)});
    for (const auto& e : events(out)) {
        CHECK(e.rfind("+switch-master", 0) != 0);
    }
    CHECK(d.s.masters()[0].inst.host == "db.example");
    // A different address is followed, resolved when switching to it.
    dns.table["new.example"] = "10.0.0.7";
    Hello moved{"127.0.0.1", 26380, kPeerId, 4, "mymaster", "new.example", 6400, 4};
    out = d.step(HelloReceivedEvent{format_hello(moved)});
    bool switched = false;
    for (const auto& e : events(out)) {
        switched |= e == "+switch-master mymaster 10.0.0.5 6379 new.example 6400";
    }
    CHECK(switched);
    CHECK(d.s.masters()[0].inst.ip == "10.0.0.7");
    CHECK(d.s.current_master_address(d.s.masters()[0]) ==
          std::pair<std::string, int>{"10.0.0.7", 6400});
}

TEST_CASE("is-master-down-by-addr finds the master by IP or by host name") {
    Config cfg = named_master(true);
    cfg.masters[0].ip = "10.0.0.5";
    Driver d(cfg);
    Outbox out;
    for (const std::string addr : {"10.0.0.5", "db.example", "DB.EXAMPLE"}) {
        CAPTURE(addr);
        const Value v = d.s.command(
            d.now, {"SENTINEL", "is-master-down-by-addr", addr, "6379", "1", kPeerId}, out);
        CHECK(v.elements[1].str == kPeerId);  // found: the vote was granted
    }
    const Value v = d.s.command(
        d.now, {"SENTINEL", "is-master-down-by-addr", "10.0.0.6", "6379", "2", kPeerId}, out);
    CHECK(v.elements[1].str == "*");
}

namespace {

// The same server monitored under two names ("mymaster" and "other").
Config two_names_one_server() {
    Config cfg = one_master();
    MasterConfig other = cfg.masters[0];
    other.name = "other";
    cfg.masters.push_back(other);
    return cfg;
}

int count_commands(const std::vector<SendAction>& sent, const std::string& name) {
    return static_cast<int>(std::count_if(
        sent.begin(), sent.end(), [&](const SendAction& sa) { return sa.args[0] == name; }));
}

std::vector<LinkId> closes(const Outbox& out) {
    std::vector<LinkId> v;
    for (const auto& a : out.actions) {
        if (const auto* c = std::get_if<CloseAction>(&a)) {
            v.push_back(c->link);
        }
    }
    return v;
}

// Answers every command sent on `cc`: PONG to PING, `info` to INFO, +OK otherwise.
void answer_all(Driver& d, const Outbox& sent, LinkId cc, const std::string& info) {
    for (const auto& sa : sends(sent, cc)) {
        d.step(ReplyEvent{cc, sa.args[0] == "INFO"   ? Value::bulk(info)
                              : sa.args[0] == "PING" ? Value::simple("PONG")
                                                     : Value::simple("OK")});
    }
}

}  // namespace

TEST_CASE("two master names on one server share one pair of connections") {
    Driver d(two_names_one_server());
    const Outbox first = d.tick();
    const auto c = connects(first);
    REQUIRE(c.size() == 2);  // one command and one pub/sub connection, not two of each
    const auto cc_sent = sends(first, c[0].link);
    CHECK(count_commands(cc_sent, "PING") == 1);
    CHECK(count_commands(sends(first, c[1].link), "SUBSCRIBE") == 1);
    REQUIRE(d.s.masters()[0].inst.link == d.s.masters()[1].inst.link);
    CHECK(d.s.masters()[0].inst.link->refcount == 2);
    d.step(LinkUpEvent{c[0].link, "127.0.0.1"});
    d.step(LinkUpEvent{c[1].link, "127.0.0.1"});

    // One INFO reply refreshes both names: its replica is discovered under each.
    const std::string info = master_info(std::string(40, 'c'), 1);
    answer_all(d, first, c[0].link, info);
    for (const auto& m : d.s.masters()) {
        CAPTURE(m.cfg.name);
        REQUIRE(m.inst.info);
        CHECK(*m.inst.info == info);
        CHECK(m.replicas.size() == 1);
    }
    CHECK(d.s.masters()[0].inst.info == d.s.masters()[1].inst.info);  // one copy

    // Later periods: one PING and one INFO per server, a hello per name.
    d.advance(10100);
    const Outbox later = d.tick();
    const auto later_sent = sends(later, c[0].link);
    CHECK(count_commands(later_sent, "PING") == 1);
    CHECK(count_commands(later_sent, "INFO") == 1);
    CHECK(count_commands(later_sent, "PUBLISH") == 2);
    answer_all(d, later, c[0].link, info);
    CHECK(d.s.masters()[1].inst.info_refresh == d.now.mono);

    // A hello arrives once, on the one pub/sub connection, and teaches the master it names.
    Hello h{"127.0.0.1", 26380, kPeerId, 0, "other", "127.0.0.1", 6379, 0};
    d.step(ReplyEvent{c[1].link, Value::simple("OK")});  // SETNAME
    d.step(ReplyEvent{c[1].link,
                      Value::array({Value::bulk("subscribe"), Value::bulk("__sentinel__:hello"),
                                    Value::integer_value(1)})});
    d.step(ReplyEvent{c[1].link,
                      Value::array({Value::bulk("message"), Value::bulk("__sentinel__:hello"),
                                    Value::bulk(format_hello(h))})});
    CHECK(d.s.masters()[0].sentinels.empty());
    CHECK(d.s.masters()[1].sentinels.size() == 1);
}

TEST_CASE("names with different passwords on one server do not share connections") {
    Config cfg = two_names_one_server();
    cfg.masters[1].auth_pass = "secret";
    Driver d(cfg);
    const auto c = connects(d.tick());
    CHECK(c.size() == 4);
    CHECK(d.s.masters()[0].inst.link != d.s.masters()[1].inst.link);
}

TEST_CASE("a name leaving a shared server link does not disturb the other") {
    Driver d(two_names_one_server());
    const Outbox first = d.tick();
    const auto c = connects(first);
    REQUIRE(c.size() == 2);
    d.step(LinkUpEvent{c[0].link, "127.0.0.1"});
    d.step(LinkUpEvent{c[1].link, "127.0.0.1"});
    answer_all(d, first, c[0].link, master_info(std::string(40, 'c'), 1));

    // New credentials for one name: it reconnects alone; the shared connections stay.
    Outbox out;
    d.s.command(d.now, {"SENTINEL", "SET", "other", "auth-pass", "secret"}, out);
    CHECK(closes(out).empty());
    CHECK(d.s.masters()[0].inst.link != d.s.masters()[1].inst.link);
    CHECK(d.s.masters()[0].inst.link->refcount == 1);
    d.advance(100);
    out = d.tick();
    CHECK(closes(out).empty());
    // "other" reconnects to the server with its password; its replica too (the replicas
    // of the two names share a link of their own).
    int with_password = 0;
    for (const auto& conn : connects(out)) {
        const auto sent = sends(out, conn.link);
        REQUIRE(!sent.empty());
        if (sent[0].args == Args{"AUTH", "secret"}) {
            ++with_password;
        }
    }
    CHECK(with_password == 4);

    // Removing "other" closes only what it used alone.
    out = Outbox{};
    d.s.command(d.now, {"SENTINEL", "REMOVE", "other"}, out);
    for (const LinkId id : closes(out)) {
        CHECK(id != c[0].link);
        CHECK(id != c[1].link);
    }
    CHECK(d.s.masters()[0].inst.link->cc == c[0].link);
}
