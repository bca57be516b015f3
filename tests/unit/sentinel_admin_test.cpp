// SENTINEL MONITOR / REMOVE / SET / FLUSHCONFIG / DEBUG / SIMULATE-FAILURE / FAILOVER in the pure
// core. Expected texts were taken from redis-sentinel 7.0.15.

#include <doctest/doctest.h>

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/core/address.hpp"
#include "sentinel/core/sentinel.hpp"
#include "sentinel/core/text.hpp"

namespace {

using sentinel::Millis;
using sentinel::Now;
using sentinel::config::Config;
using sentinel::config::LogLevel;
using sentinel::config::MasterConfig;
using sentinel::core::CoreServices;
using sentinel::core::EventAction;
using sentinel::core::Outbox;
using sentinel::core::PersistAction;
using sentinel::core::Sentinel;
using sentinel::resp::Value;

const Now kNow{Millis(5000), Millis(1700000000000)};

// Records log lines so tests can check texts and levels.
class RecordingLogger final : public sentinel::core::Logger {
  public:
    void log(LogLevel level, std::string_view message) override {
        lines.emplace_back(level, std::string(message));
    }
    bool enabled(LogLevel) const override { return true; }
    std::vector<std::pair<LogLevel, std::string>> lines;
};

Config one_master() {
    Config cfg;
    cfg.sentinel.myid = std::string(40, 'a');
    MasterConfig m;
    m.name = "mymaster";
    m.host = "127.0.0.1";
    m.port = 6379;
    m.quorum = 2;
    cfg.masters = {m};
    return cfg;
}

// A sentinel plus the helpers most tests need.
struct Fixture {
    explicit Fixture(Config cfg = one_master(), CoreServices services = {})
        : s(cfg, sentinel::Rng(1), log, kNow, std::move(services)) {}

    Value run(std::vector<std::string> args) {
        out.actions.clear();
        args.insert(args.begin(), "SENTINEL");
        return s.command(kNow, args, out);
    }
    const MasterConfig& cfg(std::size_t i = 0) const { return s.masters().at(i).cfg; }

    RecordingLogger log;
    Sentinel s;
    Outbox out;
};

Value err(std::string_view text) {
    return Value::error(text);
}
const Value kOk = Value::simple("OK");

EventAction event_at(const Outbox& out, std::size_t i) {
    REQUIRE(i < out.actions.size());
    REQUIRE(std::holds_alternative<EventAction>(out.actions[i]));
    return std::get<EventAction>(out.actions[i]);
}

PersistAction persist_at(const Outbox& out, std::size_t i) {
    REQUIRE(i < out.actions.size());
    REQUIRE(std::holds_alternative<PersistAction>(out.actions[i]));
    return std::get<PersistAction>(out.actions[i]);
}

// Field value of a flat name/value instance list.
std::string field(const Value& list, std::string_view name) {
    for (std::size_t i = 0; i + 1 < list.elements.size(); i += 2) {
        if (list.elements[i].str == name) {
            return list.elements[i + 1].str;
        }
    }
    return "<missing>";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// MONITOR

TEST_CASE("MONITOR adds a disconnected master, persists with the reply, then emits +monitor") {
    Fixture f;
    CHECK(f.run({"MONITOR", "m1", "127.0.0.1", "6380", "3"}) == kOk);
    REQUIRE(f.out.actions.size() == 2);
    CHECK(persist_at(f.out, 0).reply_depends);
    const auto ev = event_at(f.out, 1);
    CHECK(ev.level == LogLevel::warning);
    CHECK(ev.type == "+monitor");
    CHECK(ev.text == "master m1 127.0.0.1 6380 quorum 3");

    REQUIRE(f.s.masters().size() == 2);
    const MasterConfig& m = f.cfg(1);
    CHECK(m.name == "m1");
    CHECK(m.port == 6380);
    CHECK(m.quorum == 3);
    CHECK(m.down_after_ms == 30000);
    CHECK(m.failover_timeout_ms == 180000);
    CHECK(m.parallel_syncs == 1);
    const Value master = f.run({"MASTER", "m1"});
    CHECK(field(master, "flags") == "master,disconnected");
    CHECK(field(master, "ip") == "127.0.0.1");
    CHECK(field(master, "quorum") == "3");
    CHECK(f.s.snapshot().masters.size() == 2);
    CHECK(f.s.master_names() == std::vector<std::string>{"mymaster", "m1"});
}

TEST_CASE("MONITOR checks its arguments in Redis's order") {
    Fixture f;
    struct Case {
        std::vector<std::string> args;  // name ip port quorum
        std::string_view error;
    };
    const std::vector<Case> cases = {
        {{"m1", "127.0.0.1", "6379", "x"}, "ERR Invalid quorum"},
        {{"m1", "127.0.0.1", "x", "x"}, "ERR Invalid quorum"},  // quorum parsed first
        {{"m1", "127.0.0.1", "x", "2"}, "ERR Invalid port"},
        {{"m1", "127.0.0.1", "x", "0"}, "ERR Invalid port"},  // port parsed before range checks
        {{"m1", "127.0.0.1", "6379", "0"}, "ERR Quorum must be 1 or greater."},
        {{"m1", "127.0.0.1", "6379", "-1"}, "ERR Quorum must be 1 or greater."},
        {{"m1", "localhost", "70000", "0"}, "ERR Quorum must be 1 or greater."},
        {{"m1", "localhost", "6379", "2"}, "ERR Invalid IP address or hostname specified"},
        {{"m1", "localhost", "70000", "2"}, "ERR Invalid IP address or hostname specified"},
        {{"m1", " 127.0.0.1", "6379", "2"}, "ERR Invalid IP address or hostname specified"},
        {{"m1", "127.0.0.1", "70000", "2"}, "ERR Invalid port number."},
        {{"m1", "127.0.0.1", "-1", "2"}, "ERR Invalid port number."},
        {{"mymaster", "127.0.0.1", "70000", "2"}, "ERR Invalid port number."},
        {{"mymaster", "nosuch", "6379", "2"}, "ERR Invalid IP address or hostname specified"},
        {{"mymaster", "127.0.0.1", "6379", "2"}, "ERR Duplicate master name."},
        // string2ll rules: no leading zeros, no '+', no "-0".
        {{"m8", "127.0.0.1", "06379", "2"}, "ERR Invalid port"},
        {{"m8", "127.0.0.1", "+6379", "2"}, "ERR Invalid port"},
        {{"m8", "127.0.0.1", "6379", "02"}, "ERR Invalid quorum"},
        {{"m8", "127.0.0.1", "6379", "-0"}, "ERR Invalid quorum"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        std::vector<std::string> args{"MONITOR"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        CHECK(f.run(args) == err(c.error));
        CHECK(f.out.actions.empty());
        CHECK(f.s.masters().size() == 1);
    }
}

TEST_CASE("MONITOR stores addresses normalized, as Redis's numeric resolution does") {
    Fixture f;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"127.1", "127.0.0.1"}, {"1", "0.0.0.1"},       {"0x7f.1", "127.0.0.1"},
        {"::1", "::1"},         {"0:0::0:1", "::1"},    {"fe80::1%lo", "fe80::1"},
        {"::1%5", "::1"},       {"FE80::A", "fe80::a"}, {"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
    };
    int n = 0;
    for (const auto& [given, stored] : cases) {
        CAPTURE(given);
        const std::string name = "n" + std::to_string(n++);
        REQUIRE(f.run({"MONITOR", name, given, "6379", "2"}) == kOk);
        // Both halves are kept (sentinelAddr): as given, and normalized.
        CHECK(f.s.masters().back().cfg.host == given);
        CHECK(f.s.masters().back().inst.ip == stored);
        CHECK(f.s.masters().back().cfg.ip == (given == stored ? "" : stored));
        CHECK(event_at(f.out, 1).text == "master " + name + " " + stored + " 6379 quorum 2");
    }
    CHECK(f.run({"MONITOR", "bad", "::1%lo", "6379", "2"}) ==
          err("ERR Invalid IP address or hostname specified"));
}

TEST_CASE("MONITOR keeps only the low 32 bits of port and quorum, and accepts port 0") {
    Fixture f;
    CHECK(f.run({"MONITOR", "p0", "127.0.0.1", "0", "2"}) == kOk);
    CHECK(f.cfg(1).port == 0);
    CHECK(f.run({"MONITOR", "p1", "127.0.0.1", "4294967297", "2"}) == kOk);
    CHECK(f.cfg(2).port == 1);
    CHECK(event_at(f.out, 1).text == "master p1 127.0.0.1 1 quorum 2");
    CHECK(f.run({"MONITOR", "q1", "127.0.0.1", "6379", "4294967297"}) == kOk);
    CHECK(f.cfg(3).quorum == 1);
    CHECK(f.run({"MONITOR", "q2", "127.0.0.1", "6379", "2147483648"}) == kOk);
    CHECK(event_at(f.out, 1).text == "master q2 127.0.0.1 6379 quorum -2147483648");
}

TEST_CASE("MONITOR accepts any master name, spaces and empty included") {
    Fixture f;
    CHECK(f.run({"MONITOR", "a b,c", "127.0.0.1", "6379", "2"}) == kOk);
    CHECK(event_at(f.out, 1).text == "master a b,c 127.0.0.1 6379 quorum 2");
    CHECK(f.run({"MONITOR", "", "127.0.0.1", "6379", "2"}) == kOk);
    CHECK(event_at(f.out, 1).text == "master  127.0.0.1 6379 quorum 2");
    // Names are case-sensitive.
    CHECK(f.run({"MONITOR", "MyMaster", "127.0.0.1", "6379", "2"}) == kOk);
}

// A resolver that knows a few names, and counts what it was asked.
struct FakeResolver {
    std::map<std::string, std::string> table;
    std::vector<std::string> asked;
    CoreServices services() {
        CoreServices s;
        s.resolve = [this](const std::string& host) -> std::optional<std::string> {
            asked.push_back(host);
            const auto it = table.find(host);
            if (it == table.end()) {
                return std::nullopt;
            }
            return it->second;
        };
        return s;
    }
};

TEST_CASE("MONITOR takes host names only with resolve-hostnames, and only resolvable ones") {
    FakeResolver dns{{{"redis-1.example.com", "10.0.0.7"}}, {}};
    Config cfg = one_master();
    Fixture off(cfg, dns.services());
    CHECK(off.run({"MONITOR", "h1", "redis-1.example.com", "6379", "2"}) ==
          err("ERR Invalid IP address or hostname specified"));
    CHECK(dns.asked.empty());  // without resolve-hostnames names are not even looked up

    cfg.sentinel.resolve_hostnames = true;
    Fixture f(cfg, dns.services());
    CHECK(f.run({"MONITOR", "h1", "redis-1.example.com", "6379", "2"}) == kOk);
    CHECK(f.cfg(1).host == "redis-1.example.com");
    CHECK(f.cfg(1).ip == "10.0.0.7");
    // Shown, announced and persisted as the IP it resolved to (announce-hostnames is off).
    CHECK(event_at(f.out, 1).text == "master h1 10.0.0.7 6379 quorum 2");
    CHECK(f.run({"GET-MASTER-ADDR-BY-NAME", "h1"}) ==
          Value::array({Value::bulk("10.0.0.7"), Value::bulk("6379")}));
    CHECK(f.s.snapshot().masters[1].host == "redis-1.example.com");
    CHECK(f.s.snapshot().masters[1].ip == "10.0.0.7");
    CHECK(f.run({"MONITOR", "h2", "no-such-host.invalid", "6379", "2"}) ==
          err("ERR Invalid IP address or hostname specified"));
    CHECK(f.run({"MONITOR", "h3", "a..b", "6379", "2"}) ==
          err("ERR Invalid IP address or hostname specified"));
    CHECK(f.s.masters().size() == 2);
    // IP literals are normalized without asking the resolver.
    dns.asked.clear();
    CHECK(f.run({"MONITOR", "h4", "127.1", "6379", "2"}) == kOk);
    CHECK(f.s.masters().back().inst.ip == "127.0.0.1");
    CHECK(dns.asked.empty());
}

TEST_CASE("announce-hostnames switches every shown address between name and IP") {
    FakeResolver dns{{{"db.example", "10.0.0.7"}}, {}};
    Config cfg = one_master();
    cfg.sentinel.resolve_hostnames = true;
    Fixture f(cfg, dns.services());
    REQUIRE(f.run({"MONITOR", "h1", "db.example", "6379", "2"}) == kOk);
    auto master_ip = [&f] {
        const Value v = f.run({"MASTER", "h1"});
        return v.elements[3].str;
    };
    CHECK(master_ip() == "10.0.0.7");
    REQUIRE(f.run({"CONFIG", "SET", "announce-hostnames", "yes"}) == kOk);
    CHECK(master_ip() == "db.example");
    CHECK(f.run({"GET-MASTER-ADDR-BY-NAME", "h1"}) ==
          Value::array({Value::bulk("db.example"), Value::bulk("6379")}));
    CHECK(f.s.info_section(kNow, {}).find(",address=db.example:6379,") != std::string::npos);
    REQUIRE(f.run({"CONFIG", "SET", "announce-hostnames", "no"}) == kOk);
    CHECK(master_ip() == "10.0.0.7");
    CHECK(f.s.info_section(kNow, {}).find(",address=10.0.0.7:6379,") != std::string::npos);
}

TEST_CASE("MONITOR with announce-hostnames keeps the address as written") {
    Config cfg = one_master();
    cfg.sentinel.announce_hostnames = true;
    Fixture f(cfg);
    CHECK(f.run({"MONITOR", "a1", "127.1", "6379", "2"}) == kOk);
    CHECK(f.cfg(1).host == "127.1");
    CHECK(f.run({"GET-MASTER-ADDR-BY-NAME", "a1"}) ==
          Value::array({Value::bulk("127.1"), Value::bulk("6379")}));
}

TEST_CASE("MONITOR uses the DEBUG default down-after and failover timeout") {
    Fixture f;
    CHECK(f.run({"DEBUG", "default-down-after", "7000", "default-failover-timeout", "9000"}) ==
          kOk);
    CHECK(f.run({"MONITOR", "dd", "127.0.0.1", "6379", "1"}) == kOk);
    CHECK(f.cfg(1).down_after_ms == 7000);
    CHECK(f.cfg(1).failover_timeout_ms == 9000);
    CHECK(field(f.run({"MASTER", "dd"}), "down-after-milliseconds") == "7000");
}

// ---------------------------------------------------------------------------------------------
// REMOVE and FLUSHCONFIG

TEST_CASE("REMOVE emits -monitor, forgets the master and persists with the reply") {
    Fixture f;
    CHECK(f.run({"REMOVE", "nosuch"}) == err("ERR No such master with that name"));
    CHECK(f.out.actions.empty());
    CHECK(f.run({"REMOVE", "mymaster"}) == kOk);
    REQUIRE(f.out.actions.size() == 2);
    const auto ev = event_at(f.out, 0);
    CHECK(ev.level == LogLevel::warning);
    CHECK(ev.type == "-monitor");
    CHECK(ev.text == "master mymaster 127.0.0.1 6379");
    CHECK(persist_at(f.out, 1).reply_depends);
    CHECK(f.s.masters().empty());
    CHECK(f.run({"MASTER", "mymaster"}) == err("ERR No such master with that name"));
    CHECK(f.run({"remove", "mymaster"}) == err("ERR No such master with that name"));
}

TEST_CASE("FLUSHCONFIG persists with the reply") {
    Fixture f;
    CHECK(f.run({"FLUSHCONFIG"}) == kOk);
    REQUIRE(f.out.actions.size() == 1);
    CHECK(persist_at(f.out, 0).reply_depends);
    CHECK(f.run({"flushconfig", "x"}) ==
          err("ERR wrong number of arguments for 'sentinel|flushconfig' command"));
}

// ---------------------------------------------------------------------------------------------
// SET

TEST_CASE("SET changes each numeric option and emits +set with the arguments as typed") {
    Fixture f;
    CHECK(f.run({"SET", "mymaster", "QUORUM", "3", "down-after-milliseconds", "5000",
                 "failover-timeout", "1000", "parallel-syncs", "2",
                 "master-reboot-down-after-period", "0"}) == kOk);
    const MasterConfig& m = f.cfg();
    CHECK(m.quorum == 3);
    CHECK(m.down_after_ms == 5000);
    CHECK(m.failover_timeout_ms == 1000);
    CHECK(m.parallel_syncs == 2);
    CHECK(m.master_reboot_down_after_period_ms == 0);
    REQUIRE(f.out.actions.size() == 6);
    const std::string d = "master mymaster 127.0.0.1 6379 ";
    CHECK(event_at(f.out, 0).type == "+set");
    CHECK(event_at(f.out, 0).level == LogLevel::warning);
    CHECK(event_at(f.out, 0).text == d + "QUORUM 3");
    CHECK(event_at(f.out, 1).text == d + "down-after-milliseconds 5000");
    CHECK(event_at(f.out, 2).text == d + "failover-timeout 1000");
    CHECK(event_at(f.out, 3).text == d + "parallel-syncs 2");
    CHECK(event_at(f.out, 4).text == d + "master-reboot-down-after-period 0");
    CHECK(persist_at(f.out, 5).reply_depends);
    // Replicas and sentinels report their master's down-after.
    CHECK(field(f.run({"MASTER", "mymaster"}), "down-after-milliseconds") == "5000");
}

TEST_CASE("SET rejects bad numbers with Redis's text") {
    Fixture f;
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"quorum", "0"}, "ERR Invalid argument '0' for SENTINEL SET 'quorum'"},
        {{"quorum", "abc"}, "ERR Invalid argument 'abc' for SENTINEL SET 'quorum'"},
        {{"Quorum", "01"}, "ERR Invalid argument '01' for SENTINEL SET 'Quorum'"},
        {{"down-after-milliseconds", "-5"},
         "ERR Invalid argument '-5' for SENTINEL SET 'down-after-milliseconds'"},
        {{"failover-timeout", "0"}, "ERR Invalid argument '0' for SENTINEL SET 'failover-timeout'"},
        {{"parallel-syncs", "0"}, "ERR Invalid argument '0' for SENTINEL SET 'parallel-syncs'"},
        {{"master-reboot-down-after-period", "-1"},
         "ERR Invalid argument '-1' for SENTINEL SET 'master-reboot-down-after-period'"},
        {{"bogus", "1"}, "ERR Unknown option or number of arguments for SENTINEL SET 'bogus'"},
        {{"rename-command", "config"},
         "ERR Unknown option or number of arguments for SENTINEL SET 'rename-command'"},
        {{"rename-command", "", "x"}, "ERR Invalid argument '' for SENTINEL SET 'rename-command'"},
        {{"rename-command", "x", ""}, "ERR Invalid argument '' for SENTINEL SET 'rename-command'"},
    };
    for (const auto& [opts, error] : cases) {
        CAPTURE(opts);
        std::vector<std::string> args{"SET", "mymaster"};
        args.insert(args.end(), opts.begin(), opts.end());
        CHECK(f.run(args) == err(error));
        CHECK(f.out.actions.empty());  // nothing changed, nothing saved
    }
    CHECK(f.cfg() == one_master().masters[0]);
}

TEST_CASE("SET on an unknown master, and with too few arguments") {
    Fixture f;
    CHECK(f.run({"SET", "nosuch", "quorum", "2"}) == err("ERR No such master with that name"));
    CHECK(f.run({"SET", "nosuch", "bogus"}) ==
          err("ERR wrong number of arguments for 'sentinel|set' command"));
    CHECK(f.run({"SET", "mymaster", "quorum"}) ==
          err("ERR wrong number of arguments for 'sentinel|set' command"));
}

TEST_CASE("SET keeps and saves earlier pairs when a later one fails, and still errors") {
    Fixture f;
    CHECK(f.run({"SET", "mymaster", "down-after-milliseconds", "5000", "failover-timeout", "0"}) ==
          err("ERR Invalid argument '0' for SENTINEL SET 'failover-timeout'"));
    CHECK(f.cfg().down_after_ms == 5000);
    CHECK(f.cfg().failover_timeout_ms == 180000);
    REQUIRE(f.out.actions.size() == 2);
    CHECK(event_at(f.out, 0).text == "master mymaster 127.0.0.1 6379 down-after-milliseconds 5000");
    CHECK_FALSE(persist_at(f.out, 1).reply_depends);

    // An option left without its value is an unknown option.
    CHECK(f.run({"SET", "mymaster", "parallel-syncs", "2", "quorum"}) ==
          err("ERR Unknown option or number of arguments for SENTINEL SET 'quorum'"));
    CHECK(f.cfg().parallel_syncs == 2);
    REQUIRE(f.out.actions.size() == 2);
    CHECK_FALSE(persist_at(f.out, 1).reply_depends);
}

TEST_CASE("SET auth-pass is redacted in +set; empty values clear auth settings") {
    Fixture f;
    CHECK(f.run({"SET", "mymaster", "auth-pass", "secret", "auth-user", "bob"}) == kOk);
    CHECK(f.cfg().auth_pass == "secret");
    CHECK(f.cfg().auth_user == "bob");
    CHECK(event_at(f.out, 0).text == "master mymaster 127.0.0.1 6379 auth-pass ******");
    CHECK(event_at(f.out, 1).text == "master mymaster 127.0.0.1 6379 auth-user bob");
    CHECK(f.run({"SET", "mymaster", "auth-pass", "", "auth-user", ""}) == kOk);
    CHECK(f.cfg().auth_pass.empty());
    CHECK(f.cfg().auth_user.empty());
    CHECK(event_at(f.out, 0).text == "master mymaster 127.0.0.1 6379 auth-pass ******");
    CHECK(event_at(f.out, 1).text == "master mymaster 127.0.0.1 6379 auth-user ");
}

TEST_CASE("SET rename-command: case-insensitive keys, renaming to itself undoes") {
    Fixture f;
    using Map = std::map<std::string, std::string>;
    CHECK(f.run({"SET", "mymaster", "rename-command", "CONFIG", "myconfig"}) == kOk);
    CHECK(f.cfg().rename_commands == Map{{"CONFIG", "myconfig"}});
    CHECK(event_at(f.out, 0).text ==
          "master mymaster 127.0.0.1 6379 rename-command CONFIG myconfig");
    CHECK(f.run({"SET", "mymaster", "rename-command", "config", "other"}) == kOk);
    CHECK(f.cfg().rename_commands == Map{{"CONFIG", "other"}});
    CHECK(f.run({"SET", "mymaster", "rename-command", "Config", "config"}) == kOk);
    CHECK(f.cfg().rename_commands.empty());
    CHECK(event_at(f.out, 0).text == "master mymaster 127.0.0.1 6379 rename-command Config config");
    CHECK(f.run({"SET", "mymaster", "rename-command", "slaveof", "SLAVEOF"}) == kOk);
    CHECK(f.cfg().rename_commands.empty());
    CHECK(persist_at(f.out, 1).reply_depends);
}

TEST_CASE("SET quorum and parallel-syncs keep the low 32 bits, as Redis's int fields") {
    Fixture f;
    CHECK(f.run({"SET", "mymaster", "quorum", "99999999999"}) == kOk);
    CHECK(f.cfg().quorum == 1215752191);
    CHECK(event_at(f.out, 0).text == "master mymaster 127.0.0.1 6379 quorum 99999999999");
    CHECK(f.run({"SET", "mymaster", "parallel-syncs", "4294967297"}) == kOk);
    CHECK(f.cfg().parallel_syncs == 1);
}

TEST_CASE("SET scripts are refused while deny-scripts-reconfig is on") {
    Fixture f;  // deny-scripts-reconfig defaults to yes
    const Value denied =
        err("ERR Reconfiguration of scripts path is denied for security reasons. Check the "
            "deny-scripts-reconfig configuration directive in your Sentinel configuration");
    CHECK(f.run({"SET", "mymaster", "notification-script", "/bin/true"}) == denied);
    CHECK(f.run({"SET", "mymaster", "client-reconfig-script", ""}) == denied);
    CHECK(f.out.actions.empty());
    // An earlier pair is still applied and saved.
    CHECK(f.run({"SET", "mymaster", "quorum", "2", "notification-script", "/bin/true"}) == denied);
    REQUIRE(f.out.actions.size() == 2);
    CHECK(event_at(f.out, 0).text == "master mymaster 127.0.0.1 6379 quorum 2");
    CHECK_FALSE(persist_at(f.out, 1).reply_depends);
}

TEST_CASE("SET scripts must be executable, as the injected check says; empty clears") {
    Config cfg = one_master();
    cfg.sentinel.deny_scripts_reconfig = false;
    std::vector<std::string> asked;
    CoreServices services;
    services.script_is_executable = [&asked](const std::string& path) {
        asked.push_back(path);
        return path == "/ok.sh";
    };
    Fixture f(cfg, services);
    CHECK(f.run({"SET", "mymaster", "notification-script", "/missing.sh"}) ==
          err("ERR Notification script seems non existing or non executable"));
    CHECK(f.run({"SET", "mymaster", "quorum", "3", "client-reconfig-script", "/missing.sh"}) ==
          err("ERR Client reconfiguration script seems non existing or non executable"));
    CHECK(f.cfg().quorum == 3);
    CHECK_FALSE(persist_at(f.out, 1).reply_depends);
    CHECK(f.run({"SET", "mymaster", "notification-script", "/ok.sh", "client-reconfig-script",
                 "/ok.sh"}) == kOk);
    CHECK(f.cfg().notification_script == "/ok.sh");
    CHECK(f.cfg().client_reconfig_script == "/ok.sh");
    CHECK(event_at(f.out, 1).text ==
          "master mymaster 127.0.0.1 6379 client-reconfig-script /ok.sh");
    const Value master = f.run({"MASTER", "mymaster"});
    CHECK(field(master, "notification-script") == "/ok.sh");
    CHECK(field(master, "client-reconfig-script") == "/ok.sh");

    asked.clear();
    CHECK(f.run({"SET", "mymaster", "notification-script", "", "client-reconfig-script", ""}) ==
          kOk);
    CHECK(asked.empty());  // clearing needs no check
    CHECK(f.cfg().notification_script.empty());
    CHECK(f.cfg().client_reconfig_script.empty());
    CHECK(event_at(f.out, 0).text == "master mymaster 127.0.0.1 6379 notification-script ");
}

// ---------------------------------------------------------------------------------------------
// DEBUG

TEST_CASE("DEBUG without arguments lists the 13 knobs in Redis's order as bulk numbers") {
    Fixture f;
    const Value v = f.run({"DEBUG"});
    CHECK(v.type == sentinel::resp::Type::map);  // flat array in RESP2, map in RESP3
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"INFO-PERIOD", "10000"},
        {"PING-PERIOD", "1000"},
        {"ASK-PERIOD", "1000"},
        {"PUBLISH-PERIOD", "2000"},
        {"DEFAULT-DOWN-AFTER", "30000"},
        {"DEFAULT-FAILOVER-TIMEOUT", "180000"},
        {"TILT-TRIGGER", "2000"},
        {"TILT-PERIOD", "30000"},
        {"SLAVE-RECONF-TIMEOUT", "10000"},
        {"MIN-LINK-RECONNECT-PERIOD", "15000"},
        {"ELECTION-TIMEOUT", "10000"},
        {"SCRIPT-MAX-RUNTIME", "60000"},
        {"SCRIPT-RETRY-DELAY", "30000"},
    };
    REQUIRE(v.elements.size() == expected.size() * 2);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(v.elements[2 * i] == Value::bulk(expected[i].first));
        CHECK(v.elements[2 * i + 1] == Value::bulk(expected[i].second));
    }
    CHECK(f.s.timing() == sentinel::core::Timing{});
}

TEST_CASE("DEBUG sets knobs by case-insensitive name, one pair at a time") {
    Fixture f;
    CHECK(f.run({"DEBUG", "INFO-PERIOD", "5000", "ping-period", "-1"}) ==
          err("ERR Invalid argument '-1' for SENTINEL DEBUG 'ping-period'"));
    CHECK(f.s.timing().info_period == 5000);  // the earlier pair stays
    CHECK(f.run({"DEBUG", "ping-period", "700", "nosuch"}) ==
          err("ERR Unknown option or number of arguments for SENTINEL DEBUG 'nosuch'"));
    CHECK(f.s.timing().ping_period == 700);
    CHECK(f.run({"DEBUG", "ask-period",
                 "1",     "publish-period",
                 "2",     "tilt-trigger",
                 "3",     "tilt-period",
                 "4",     "slave-reconf-timeout",
                 "5",     "min-link-reconnect-period",
                 "6",     "election-timeout",
                 "7",     "script-max-runtime",
                 "8",     "script-retry-delay",
                 "9",     "default-down-after",
                 "10",    "default-failover-timeout",
                 "11"}) == kOk);
    CHECK(f.out.actions.empty());  // never persisted
    const auto& t = f.s.timing();
    CHECK(t.ask_period == 1);
    CHECK(t.publish_period == 2);
    CHECK(t.tilt_trigger == 3);
    CHECK(t.tilt_period == 4);
    CHECK(t.slave_reconf_timeout == 5);
    CHECK(t.min_link_reconnect_period == 6);
    CHECK(t.election_timeout == 7);
    CHECK(t.script_max_runtime == 8);
    CHECK(t.script_retry_delay == 9);
    CHECK(t.default_down_after == 10);
    CHECK(t.default_failover_timeout == 11);
    const Value v = f.run({"DEBUG"});
    CHECK(v.elements[1] == Value::bulk("5000"));
    CHECK(v.elements[3] == Value::bulk("700"));
}

TEST_CASE("DEBUG error texts") {
    Fixture f;
    CHECK(f.run({"DEBUG", "nosuch", "1"}) ==
          err("ERR Unknown option or number of arguments for SENTINEL DEBUG 'nosuch'"));
    CHECK(f.run({"DEBUG", "info-period", "abc"}) ==
          err("ERR Invalid argument 'abc' for SENTINEL DEBUG 'info-period'"));
    CHECK(f.run({"DEBUG", "info-period"}) ==
          err("ERR Unknown option or number of arguments for SENTINEL DEBUG 'info-period'"));
    CHECK(f.run({"DEBUG", "info-period", "0"}) ==
          err("ERR Invalid argument '0' for SENTINEL DEBUG 'info-period'"));
    CHECK(f.run({"DEBUG", "info-period", "99999999999999999999"}) ==
          err("ERR Invalid argument '99999999999999999999' for SENTINEL DEBUG 'info-period'"));
    CHECK(f.s.timing() == sentinel::core::Timing{});
}

// ---------------------------------------------------------------------------------------------
// SIMULATE-FAILURE

TEST_CASE("SIMULATE-FAILURE sets flags afresh on each call, case-insensitively") {
    Fixture f;
    const auto info_flags = [&f] {
        const std::string info = f.s.info_section(kNow, {});
        const auto at = info.find("sentinel_simulate_failure_flags:");
        return info.substr(at, info.find("\r\n", at) - at);
    };
    CHECK(f.run({"SIMULATE-FAILURE", "Crash-After-Election"}) == kOk);
    CHECK(f.s.simulated_failures() == sentinel::core::kSimFailureCrashAfterElection);
    CHECK(info_flags() == "sentinel_simulate_failure_flags:1");
    REQUIRE(f.log.lines.size() == 1);
    CHECK(f.log.lines[0].first == LogLevel::warning);
    CHECK(f.log.lines[0].second ==
          "Failure simulation: this Sentinel will crash after being successfully elected as "
          "failover leader");

    CHECK(f.run({"simulate-failure", "crash-after-election", "CRASH-AFTER-PROMOTION"}) == kOk);
    CHECK(info_flags() == "sentinel_simulate_failure_flags:3");
    CHECK(f.log.lines.back().second ==
          "Failure simulation: this Sentinel will crash after promoting the selected replica to "
          "master");

    // Flags read before an error or HELP stay; the others are gone.
    CHECK(f.run({"SIMULATE-FAILURE", "crash-after-promotion", "bogus"}) ==
          err("ERR Unknown failure simulation specified"));
    CHECK(f.s.simulated_failures() == sentinel::core::kSimFailureCrashAfterPromotion);
    const Value help =
        Value::array({Value::bulk("crash-after-election"), Value::bulk("crash-after-promotion")});
    CHECK(f.run({"SIMULATE-FAILURE", "crash-after-election", "help"}) == help);
    CHECK(f.s.simulated_failures() == sentinel::core::kSimFailureCrashAfterElection);
    CHECK(f.run({"SIMULATE-FAILURE", "HELP", "bogus"}) == help);
    CHECK(f.run({"SIMULATE-FAILURE", "bogus", "help"}) ==
          err("ERR Unknown failure simulation specified"));
    CHECK(f.s.simulated_failures() == 0);
    CHECK(f.run({"SIMULATE-FAILURE"}) ==
          err("ERR wrong number of arguments for 'sentinel|simulate-failure' command"));
}

// ---------------------------------------------------------------------------------------------
// FAILOVER

TEST_CASE("FAILOVER: unknown master, and NOGOODSLAVE when no replica could be promoted") {
    Config cfg = one_master();
    cfg.masters[0].known_replicas = {{"127.0.0.1", 6380}};
    Fixture f(cfg);
    CHECK(f.run({"FAILOVER", "nosuch"}) == err("ERR No such master with that name"));
    // The known replica is not connected yet: sentinelSelectSlave() would skip it.
    CHECK(f.run({"FAILOVER", "mymaster"}) == err("NOGOODSLAVE No suitable replica to promote"));
    CHECK(f.run({"MONITOR", "lonely", "127.0.0.1", "7000", "1"}) == kOk);
    CHECK(f.run({"FAILOVER", "lonely"}) == err("NOGOODSLAVE No suitable replica to promote"));
    CHECK(f.out.actions.empty());
}

// ---------------------------------------------------------------------------------------------
// Start-up log and helpers

TEST_CASE("the Sentinel ID line is logged at warning level") {
    Fixture f;
    f.s.start(kNow, f.out);
    REQUIRE(!f.log.lines.empty());
    CHECK(f.log.lines.back().first == LogLevel::warning);
    CHECK(f.log.lines.back().second == "Sentinel ID is " + std::string(40, 'a'));
}

TEST_CASE("normalize_ip_literal follows glibc's numeric parsing") {
    using sentinel::core::normalize_ip_literal;
    const std::vector<std::pair<std::string, std::string>> ok = {
        {"1", "0.0.0.1"},
        {"127.1", "127.0.0.1"},
        {"0x7f.1", "127.0.0.1"},
        {"0X7F.1", "127.0.0.1"},
        {"0177.0.0.1", "127.0.0.1"},
        {"1.2.3.04", "1.2.3.4"},
        {"00", "0.0.0.0"},
        {"1.2.65535", "1.2.255.255"},
        {"1.16777215", "1.255.255.255"},
        {"4294967295", "255.255.255.255"},
        {"0xffffffff", "255.255.255.255"},
        {"::1", "::1"},
        {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
        {"fe80::1%1", "fe80::1"},
        {"fe80::1%01", "fe80::1"},
        {"fe80::1%4294967295", "fe80::1"},
        {"ff02::1%lo", "ff02::1"},
        {"fe80::1%eth0", "fe80::1"},
        {"::1%0", "::1"},
    };
    for (const auto& [in, want] : ok) {
        CAPTURE(in);
        CHECK(normalize_ip_literal(in) == want);
    }
    const std::vector<std::string> bad = {
        "",
        "127.0.0.1 ",
        " 1.2.3.4",
        "127.0.0.1\t",
        "256.0.0.1",
        "1.2.3.256",
        "1.2.65536",
        "4294967296",
        "0x100000000",
        "0x",
        "0x.1",
        "08.1",
        "1..2",
        "1.2.3.4.5",
        "1.",
        ".1",
        "-1",
        "+1",
        "1::2::3",
        "::1%lo",
        "[::1]",
        "fe80::1%",
        "fe80::1%0x1",
        "fe80::1%4294967296",
        "fe80::1%-1",
        "localhost",
        "::ffff:127.1",
        "127.0.0.1%lo",
        std::string("1\0", 2),
    };
    for (const auto& in : bad) {
        CAPTURE(in);
        CHECK_FALSE(normalize_ip_literal(in).has_value());
    }
}

TEST_CASE("is_valid_hostname accepts DNS-shaped names only") {
    using sentinel::core::is_valid_hostname;
    CHECK(is_valid_hostname("localhost"));
    CHECK(is_valid_hostname("redis-1.example.com"));
    CHECK(is_valid_hostname("redis-1.example.com."));
    CHECK(is_valid_hostname("my_host"));
    CHECK(is_valid_hostname(std::string(63, 'a')));
    CHECK_FALSE(is_valid_hostname(std::string(64, 'a')));
    CHECK_FALSE(is_valid_hostname(""));
    CHECK_FALSE(is_valid_hostname("."));
    CHECK_FALSE(is_valid_hostname("a..b"));
    CHECK_FALSE(is_valid_hostname(".a"));
    CHECK_FALSE(is_valid_hostname("bad_host!"));
    CHECK_FALSE(is_valid_hostname("a b"));
}

TEST_CASE("string2ll is Redis's strict integer syntax") {
    using sentinel::core::string2ll;
    CHECK(string2ll("0") == 0);
    CHECK(string2ll("-5") == -5);
    CHECK(string2ll("9223372036854775807") == 9223372036854775807LL);
    CHECK(string2ll("-9223372036854775808") == std::numeric_limits<long long>::min());
    for (const char* bad : {"", "-", "-0", "01", "+1", " 1", "1 ", "1x", "9223372036854775808",
                            "-9223372036854775809", "99999999999999999999"}) {
        CAPTURE(bad);
        CHECK_FALSE(string2ll(bad).has_value());
    }
}
