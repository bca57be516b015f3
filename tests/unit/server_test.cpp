// The client-facing server driven without sockets: bytes in, exact bytes out.

#include "sentinel/server/server.hpp"

#include <doctest/doctest.h>

#include <optional>

#include "common/resp/parser.hpp"
#include "common/resp/writer.hpp"
#include "sentinel/core/sentinel.hpp"

namespace {

using sentinel::Millis;
using sentinel::Now;
using sentinel::config::Config;
using sentinel::config::MasterConfig;
using sentinel::resp::Type;
using sentinel::resp::Value;

class FakeHost final : public sentinel::server::Host {
  public:
    Now now() const override { return current; }
    sentinel::server::ProcessStats process_stats() const override {
        sentinel::server::ProcessStats ps;
        ps.pid = 42;
        ps.run_id = std::string(40, 'a');
        return ps;
    }
    bool persist(const Config& cfg) override {
        persisted.push_back(cfg);
        return persist_ok;
    }
    void shutdown() override { shutdown_requested = true; }
    void link_action(const sentinel::core::Action& a) override { link_actions.push_back(a); }
    void terminate(int code, const std::string&) override { exit_code = code; }

    Now current{Millis(1000), Millis(1700000000000)};
    bool persist_ok = true;
    bool shutdown_requested = false;
    std::vector<Config> persisted;
    std::vector<sentinel::core::Action> link_actions;
    std::optional<int> exit_code;
};

Config sample_config() {
    Config cfg;
    MasterConfig m;
    m.name = "mymaster";
    m.host = "127.0.0.1";
    m.port = 6379;
    m.quorum = 2;
    cfg.masters.push_back(m);
    cfg.sentinel.myid = std::string(40, 'f');
    return cfg;
}

// One server with its collaborators, plus helpers that speak RESP to it.
struct Fixture {
    explicit Fixture(Config cfg = sample_config())
        : config(std::move(cfg)),
          core(config, sentinel::Rng(1), log, host.now()),
          server(core, config.server, host, log) {}

    std::uint64_t connect(bool loopback = true) {
        sentinel::server::ClientAddress a{"127.0.0.1:5000", "127.0.0.1:26379", 7, loopback};
        return server.connect(a);
    }

    // Sends one command and returns the raw bytes written back.
    std::string raw(std::uint64_t id, const std::string& bytes) {
        server.receive(id, bytes);
        auto* s = server.session(id);
        std::string out = s != nullptr ? s->out : "";
        if (s != nullptr) {
            s->out.clear();
        }
        return out;
    }

    Value call(std::uint64_t id, const std::vector<std::string>& args) {
        const std::string out = raw(id, sentinel::resp::Writer::command(args));
        sentinel::resp::ReplyParser p;
        p.feed(out);
        Value v;
        REQUIRE(p.next(v) == sentinel::resp::ParseStatus::ok);
        return v;
    }

    Config config;
    FakeHost host;
    sentinel::core::NullLogger log;
    sentinel::core::Sentinel core;
    sentinel::server::Server server;
};

}  // namespace

TEST_CASE("PING answers PONG, and echoes its argument as a bulk") {
    Fixture f;
    const auto id = f.connect();
    CHECK(f.raw(id, "PING\r\n") == "+PONG\r\n");
    CHECK(f.raw(id, "*2\r\n$4\r\nPING\r\n$2\r\nhi\r\n") == "$2\r\nhi\r\n");
    CHECK(f.raw(id, "*3\r\n$4\r\nPING\r\n$1\r\na\r\n$1\r\nb\r\n") ==
          "-ERR wrong number of arguments for 'ping' command\r\n");
}

TEST_CASE("pipelined commands are answered in order") {
    Fixture f;
    const auto id = f.connect();
    std::string batch;
    for (int i = 0; i < 100; ++i) {
        batch += "*1\r\n$4\r\nPING\r\n";
    }
    std::string expected;
    for (int i = 0; i < 100; ++i) {
        expected += "+PONG\r\n";
    }
    CHECK(f.raw(id, batch) == expected);
}

TEST_CASE("unknown commands and arity errors use Redis's exact texts") {
    Fixture f;
    const auto id = f.connect();
    CHECK(f.raw(id, "foo\r\n") == "-ERR unknown command 'foo', with args beginning with: \r\n");
    CHECK(f.raw(id, "foo a b\r\n") ==
          "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
    CHECK(f.raw(id, "role x\r\n") == "-ERR wrong number of arguments for 'role' command\r\n");
    CHECK(f.raw(id, "sentinel\r\n") == "-ERR wrong number of arguments for 'sentinel' command\r\n");
    CHECK(f.raw(id, "sentinel nosuch\r\n") ==
          "-ERR unknown subcommand 'nosuch'. Try SENTINEL HELP.\r\n");
    CHECK(f.raw(id, "sentinel master\r\n") ==
          "-ERR wrong number of arguments for 'sentinel|master' command\r\n");
}

TEST_CASE("a protocol error is answered and the connection is closed after the reply") {
    Fixture f;
    const auto bad = f.connect();
    const auto good = f.connect();
    CHECK(f.raw(bad, "*abc\r\n") == "-ERR Protocol error: invalid multibulk length\r\n");
    CHECK(f.server.session(bad)->close_after_write);
    // Further input from the bad client is ignored; other clients are unaffected.
    CHECK(f.raw(bad, "PING\r\n").empty());
    CHECK(f.raw(good, "PING\r\n") == "+PONG\r\n");
}

TEST_CASE("ROLE lists the monitored masters") {
    Fixture f;
    const auto id = f.connect();
    CHECK(f.raw(id, "ROLE\r\n") == "*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n");
}

TEST_CASE("SENTINEL GET-MASTER-ADDR-BY-NAME in RESP2 and RESP3") {
    Fixture f;
    const auto id = f.connect();
    CHECK(f.raw(id, "sentinel get-master-addr-by-name mymaster\r\n") ==
          "*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6379\r\n");
    CHECK(f.raw(id, "sentinel get-master-addr-by-name nosuch\r\n") == "*-1\r\n");
    f.call(id, {"HELLO", "3"});
    CHECK(f.raw(id, "sentinel get-master-addr-by-name nosuch\r\n") == "_\r\n");
}

TEST_CASE("SENTINEL MASTER fields come in Redis's order and numbers parse as integers") {
    Fixture f;
    const auto id = f.connect();
    const Value v = f.call(id, {"SENTINEL", "MASTER", "mymaster"});
    REQUIRE(v.type == Type::array);
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < v.elements.size(); i += 2) {
        keys.push_back(v.elements[i].str);
    }
    const std::vector<std::string> expected = {"name",
                                               "ip",
                                               "port",
                                               "runid",
                                               "flags",
                                               "link-pending-commands",
                                               "link-refcount",
                                               "last-ping-sent",
                                               "last-ok-ping-reply",
                                               "last-ping-reply",
                                               "down-after-milliseconds",
                                               "info-refresh",
                                               "role-reported",
                                               "role-reported-time",
                                               "config-epoch",
                                               "num-slaves",
                                               "num-other-sentinels",
                                               "quorum",
                                               "failover-timeout",
                                               "parallel-syncs"};
    CHECK(keys == expected);
    CHECK(v.elements[9].str == "master,disconnected");
    CHECK(v.elements[35].str == "2");  // quorum
    f.call(id, {"HELLO", "3"});
    CHECK(f.call(id, {"SENTINEL", "MASTER", "mymaster"}).type == Type::map);
    CHECK(f.call(id, {"SENTINEL", "MASTER", "nosuch"}) ==
          Value::error("ERR No such master with that name"));
}

TEST_CASE("SENTINEL CONFIG SET persists before replying, and a failed save is reported") {
    Fixture f;
    const auto id = f.connect();
    CHECK(f.raw(id, "sentinel config set announce-port 7777\r\n") == "+OK\r\n");
    REQUIRE(f.host.persisted.size() == 1);
    CHECK(f.host.persisted[0].sentinel.announce_port == 7777);
    f.host.persist_ok = false;
    CHECK(f.raw(id, "sentinel config set announce-ip 10.0.0.1\r\n") ==
          "-ERR Failed to save config file. Check server logs.\r\n");
    CHECK(f.raw(id, "sentinel config set announce-port 99999\r\n") ==
          "-ERR Invalid value '99999' to SENTINEL CONFIG SET 'announce-port'\r\n");
    CHECK(f.raw(id, "sentinel config set foo 1\r\n") ==
          "-ERR Invalid argument 'foo' to SENTINEL CONFIG SET\r\n");
    CHECK(f.raw(id, "sentinel config get a b\r\n") ==
          "-ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.\r\n");
    const Value got = f.call(id, {"SENTINEL", "CONFIG", "GET", "ANNOUNCE-P*"});
    CHECK(got.elements.size() == 2);
    CHECK(got.elements[1].str == "7777");
}

TEST_CASE("requirepass: NOAUTH until AUTH, WRONGPASS for a bad password") {
    Config cfg = sample_config();
    cfg.server.requirepass = "secret";
    Fixture f(cfg);
    const auto id = f.connect();
    CHECK(f.raw(id, "PING\r\n") == "-NOAUTH Authentication required.\r\n");
    CHECK(f.raw(id, "AUTH nope\r\n") ==
          "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    CHECK(f.raw(id, "AUTH secret\r\n") == "+OK\r\n");
    CHECK(f.raw(id, "PING\r\n") == "+PONG\r\n");
    CHECK(f.raw(id, "ACL WHOAMI\r\n") == "$7\r\ndefault\r\n");
}

TEST_CASE("AUTH without a configured password gets Redis's hint") {
    Fixture f;
    const auto id = f.connect();
    CHECK(f.raw(id, "AUTH x\r\n").rfind("-ERR AUTH <password> called without any password", 0) ==
          0);
}

TEST_CASE("ACL users: permissions per command and subcommand") {
    Fixture f;
    const auto admin = f.connect();
    CHECK(f.raw(admin, "ACL SETUSER app on >pw +ping +sentinel|get-master-addr-by-name\r\n") ==
          "+OK\r\n");
    const auto app = f.connect();
    CHECK(f.raw(app, "AUTH app pw\r\n") == "+OK\r\n");
    CHECK(f.raw(app, "PING\r\n") == "+PONG\r\n");
    CHECK(f.raw(app, "sentinel get-master-addr-by-name mymaster\r\n").rfind("*2\r\n", 0) == 0);
    CHECK(f.raw(app, "sentinel masters\r\n") ==
          "-NOPERM this user has no permissions to run the 'sentinel|masters' command\r\n");
    CHECK(f.raw(admin, "ACL DELUSER default\r\n") ==
          "-ERR The 'default' user cannot be removed\r\n");
    CHECK(f.raw(admin, "ACL DELUSER app nosuch\r\n") == ":1\r\n");
    // Connections of a deleted user are dropped.
    CHECK(f.server.session(app)->closed);
}

TEST_CASE("command names and subcommands match in any case, for dispatch and for ACL rules") {
    Fixture f;
    const auto admin = f.connect();
    CHECK(f.raw(admin, "ACL SETUSER app on >pw +ping +sentinel|get-master-addr-by-name\r\n") ==
          "+OK\r\n");
    const auto app = f.connect();
    CHECK(f.raw(app, "AUTH app pw\r\n") == "+OK\r\n");
    CHECK(f.raw(app, "pInG\r\n") == "+PONG\r\n");
    CHECK(f.raw(app, "SeNtInEl GET-MASTER-ADDR-BY-NAME mymaster\r\n") ==
          "*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6379\r\n");
    // A rule naming a subcommand is not a prefix match.
    CHECK(f.raw(app, "SENTINEL get-master-addr-by-nam mymaster\r\n") ==
          "-NOPERM this user has no permissions to run the 'sentinel|get-master-addr-by-nam' "
          "command\r\n");
    CHECK(f.raw(app, "SENTINEL get-master-addr-by-namex mymaster\r\n") ==
          "-NOPERM this user has no permissions to run the 'sentinel|get-master-addr-by-namex' "
          "command\r\n");
    CHECK(f.raw(app, "PINGX\r\n") ==
          "-ERR unknown command 'PINGX', with args beginning with: \r\n");
    CHECK(f.raw(app, "info\r\n") ==
          "-NOPERM this user has no permissions to run the 'info' command\r\n");
}

TEST_CASE("take_dirty into a caller's vector: each session once, in id order") {
    Fixture f;
    const auto a = f.connect();
    const auto b = f.connect();
    f.server.take_dirty();
    f.server.receive(b, "PING\r\nPING\r\n");
    f.server.receive(a, "PING\r\n");
    f.server.receive(b, "PING\r\n");
    std::vector<std::uint64_t> ids;
    f.server.take_dirty(ids);
    CHECK(ids == std::vector<std::uint64_t>{a, b});
    ids.clear();
    f.server.take_dirty(ids);
    CHECK(ids.empty());
}

TEST_CASE("protected mode refuses non-loopback clients when no password is set") {
    Config cfg = sample_config();
    cfg.server.protected_mode = true;
    Fixture f(cfg);
    const auto remote = f.connect(/*loopback=*/false);
    CHECK(f.server.session(remote)->out.rfind("-DENIED Redis is running in protected mode", 0) ==
          0);
    CHECK(f.server.session(remote)->close_after_write);
    const auto local = f.connect(/*loopback=*/true);
    CHECK(f.raw(local, "PING\r\n") == "+PONG\r\n");
}

TEST_CASE("pub/sub: subscribers get events, RESP2 subscribed clients are restricted") {
    Fixture f;
    const auto sub = f.connect();
    CHECK(f.raw(sub, "SUBSCRIBE +monitor\r\n") ==
          "*3\r\n$9\r\nsubscribe\r\n$8\r\n+monitor\r\n:1\r\n");
    CHECK(f.raw(sub, "PSUBSCRIBE *\r\n") == "*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:2\r\n");
    CHECK(f.server.publish("+monitor", "master x 1.2.3.4 1 quorum 1") == 2);
    CHECK(f.raw(sub, "") ==
          "*3\r\n$7\r\nmessage\r\n$8\r\n+monitor\r\n$27\r\nmaster x 1.2.3.4 1 quorum 1\r\n"
          "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$8\r\n+monitor\r\n$27\r\nmaster x 1.2.3.4 1 quorum "
          "1\r\n");
    CHECK(f.raw(sub, "ROLE\r\n") ==
          "-ERR Can't execute 'role': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
          "RESET are allowed in this context\r\n");
    CHECK(f.raw(sub, "PING\r\n") == "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    CHECK(f.raw(sub, "UNSUBSCRIBE\r\n") == "*3\r\n$11\r\nunsubscribe\r\n$8\r\n+monitor\r\n:1\r\n");
}

TEST_CASE("PUBLISH accepts only the hello channel") {
    Fixture f;
    const auto id = f.connect();
    CHECK(f.raw(id, "PUBLISH x y\r\n") ==
          "-ERR Only HELLO messages are accepted by Sentinel instances.\r\n");
    CHECK(f.raw(id, "PUBLISH __sentinel__:hello y\r\n") == ":1\r\n");
}

TEST_CASE("HELLO switches protocol and reports sentinel mode") {
    Fixture f;
    const auto id = f.connect();
    CHECK(f.raw(id, "HELLO 4\r\n") == "-NOPROTO unsupported protocol version\r\n");
    CHECK(f.raw(id, "HELLO x\r\n") ==
          "-ERR Protocol version is not an integer or out of range\r\n");
    CHECK(f.raw(id, "HELLO 3 setname\r\n") == "-ERR Syntax error in HELLO option 'setname'\r\n");
    const Value v = f.call(id, {"HELLO", "3"});
    REQUIRE(v.type == Type::map);
    REQUIRE(v.elements.size() == 12);
    CHECK(v.elements[9].str == "sentinel");
    CHECK(f.server.session(id)->protocol == 3);
}

TEST_CASE("CLIENT SETNAME/GETNAME/ID/KILL") {
    Fixture f;
    const auto a = f.connect();
    const auto b = f.connect();
    CHECK(f.raw(a, "CLIENT GETNAME\r\n") == "$-1\r\n");
    CHECK(f.raw(a, "CLIENT SETNAME \"a b\"\r\n") ==
          "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    CHECK(f.raw(a, "CLIENT SETNAME app\r\n") == "+OK\r\n");
    CHECK(f.raw(a, "CLIENT GETNAME\r\n") == "$3\r\napp\r\n");
    CHECK(f.raw(a, "CLIENT ID\r\n") == ":" + std::to_string(a) + "\r\n");
    CHECK(f.raw(a, "CLIENT KILL 1.2.3.4:5\r\n") == "-ERR No such client\r\n");
    CHECK(f.raw(a, "CLIENT KILL TYPE bogus\r\n") == "-ERR Unknown client type 'bogus'\r\n");
    CHECK(f.raw(a, "CLIENT KILL USER default SKIPME yes\r\n") == ":1\r\n");
    CHECK(f.server.session(b)->closed);
    CHECK_FALSE(f.server.session(a)->closed);
}

TEST_CASE("SHUTDOWN asks the host to stop") {
    Fixture f;
    const auto id = f.connect();
    CHECK(f.raw(id, "SHUTDOWN ABORT\r\n") == "-ERR No shutdown in progress.\r\n");
    f.raw(id, "SHUTDOWN NOSAVE\r\n");
    CHECK(f.host.shutdown_requested);
}

TEST_CASE("rename-command renames and disables our commands") {
    Config cfg = sample_config();
    cfg.server.rename_commands["sentinel"] = "watchman";
    cfg.server.rename_commands["ping"] = "";
    Fixture f(cfg);
    const auto id = f.connect();
    CHECK(f.raw(id, "PING\r\n") == "-ERR unknown command 'PING', with args beginning with: \r\n");
    CHECK(f.raw(id, "watchman myid\r\n") == "$40\r\n" + std::string(40, 'f') + "\r\n");
    CHECK(f.raw(id, "sentinel myid\r\n").rfind("-ERR unknown command", 0) == 0);
}

TEST_CASE("INFO sections and the sentinel summary line") {
    Fixture f;
    const auto id = f.connect();
    const Value all = f.call(id, {"INFO"});
    REQUIRE(all.type == Type::bulk_string);
    for (const char* header :
         {"# Server\r\n", "# Clients\r\n", "# Stats\r\n", "# CPU\r\n", "# Sentinel\r\n"}) {
        CHECK(all.str.find(header) != std::string::npos);
    }
    CHECK(all.str.find("redis_mode:sentinel\r\n") != std::string::npos);
    const Value s = f.call(id, {"INFO", "sentinel"});
    CHECK(s.str.find("# Server") == std::string::npos);
    CHECK(s.str.find("master0:name=mymaster,status=ok,address=127.0.0.1:6379,slaves=0,"
                     "sentinels=1\r\n") != std::string::npos);
    CHECK(f.call(id, {"INFO", "nosuch"}).str.empty());
}
