// Scripted simulation stories. The "machinery" cases check the simulator itself (network
// model, FakeRedis, sentinel nodes); the "story" cases are acceptance tests written against
// redis-sentinel 7.0's documented behaviour, with its exact event texts.

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "tests/sim/sim_client.hpp"
#include "tests/sim/story_support.hpp"

namespace {

using namespace std::chrono_literals;
using sentinel::Millis;
using sentinel::resp::Type;
using sentinel::resp::Value;
using namespace sentinel::sim;
using namespace sentinel::sim::story;

// The value of "field:" in an INFO text, or "" when absent.
std::string info_field(const std::string& info, const std::string& field) {
    const std::string key = "\r\n" + field + ":";
    const auto pos = info.find(key);
    if (pos == std::string::npos) {
        return "";
    }
    const auto start = pos + key.size();
    return info.substr(start, info.find("\r\n", start) - start);
}

// A test-side process listening on a port: records what the network hands it.
class Recorder final : public NetNode {
  public:
    std::vector<std::string> log;
    void net_accepted(ConnId c, const std::string& peer) override {
        log.push_back("accepted " + std::to_string(c) + " " + peer);
    }
    void net_connected(ConnId c, const std::string& ip) override {
        log.push_back("connected " + std::to_string(c) + " " + ip);
    }
    void net_connect_failed(ConnId c, const std::string& why) override {
        log.push_back("failed " + std::to_string(c) + " " + why);
    }
    void net_data(ConnId c, const std::string& bytes) override {
        log.push_back("data " + std::to_string(c) + " " + bytes);
    }
    void net_closed(ConnId c, const std::string& why) override {
        log.push_back("closed " + std::to_string(c) + " " + why);
    }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Machinery: the network model.

TEST_CASE("machinery: connects are refused, accepted or time out as documented") {
    World w(options(3, 2ms, 0ms));
    Recorder server, client;
    Network& net = w.network();
    const NodeId srv = net.attach(server, "srv", "127.0.0.1", 7000);
    const NodeId cli = net.attach(client, "cli", "127.0.0.1", 0);

    // Nobody listening yet: refused after one latency.
    const ConnId refused = net.connect(cli, "127.0.0.1", 7000);
    w.run_for(1ms);
    CHECK(client.log.empty());
    w.run_for(1ms);
    REQUIRE(client.log.size() == 1);
    CHECK(client.log[0] == "failed " + std::to_string(refused) + " Connection refused");

    // Listening: connected, and the server sees the accept, then the data in order.
    net.set_listening(srv, true);
    client.log.clear();
    const ConnId c = net.connect(cli, "127.0.0.1", 7000);
    net.send(c, cli, "early");  // queued while connecting
    w.run_for(10ms);
    REQUIRE(client.log.size() == 1);
    CHECK(client.log[0] == "connected " + std::to_string(c) + " 127.0.0.1");
    REQUIRE(server.log.size() == 2);
    CHECK(server.log[0].rfind("accepted " + std::to_string(c) + " 127.0.0.1:", 0) == 0);
    CHECK(server.log[1] == "data " + std::to_string(c) + " early");

    // Partitioned: the connect times out after connect_timeout (1000 ms).
    net.partition({cli}, {srv});
    client.log.clear();
    const Millis start = w.now();
    const ConnId lost = net.connect(cli, "127.0.0.1", 7000);
    w.run_until(start + 999ms);
    CHECK(client.log.empty());
    w.run_until(start + 1000ms);
    REQUIRE(client.log.size() == 1);
    CHECK(client.log[0] == "failed " + std::to_string(lost) + " Connection timed out");

    // The established connection holds its data through the partition, delivers on heal.
    server.log.clear();
    net.send(c, cli, "held");
    w.run_for(100ms);
    CHECK(server.log.empty());
    net.heal();
    w.run_for(1ms);
    REQUIRE(server.log.size() == 1);
    CHECK(server.log[0] == "data " + std::to_string(c) + " held");
}

TEST_CASE(
    "machinery: delivery stays ordered under jitter, stalls hold and resets reach both ends") {
    World w(options(11, 1ms, 20ms));
    Recorder server, client;
    Network& net = w.network();
    const NodeId srv = net.attach(server, "srv", "127.0.0.1", 7000);
    const NodeId cli = net.attach(client, "cli", "127.0.0.1", 0);
    net.set_listening(srv, true);
    const ConnId c = net.connect(cli, "127.0.0.1", 7000);
    w.run_for(50ms);
    server.log.clear();
    for (int i = 0; i < 100; ++i) {
        net.send(c, cli, std::to_string(i));
        w.run_for(1ms);
    }
    w.run_for(100ms);
    REQUIRE(server.log.size() == 100);
    for (int i = 0; i < 100; ++i) {
        CHECK(server.log[static_cast<std::size_t>(i)] ==
              "data " + std::to_string(c) + " " + std::to_string(i));
    }

    server.log.clear();
    net.stall(c, true);
    net.send(c, cli, "a");
    net.send(c, cli, "b");
    w.run_for(500ms);
    CHECK(server.log.empty());
    net.stall(c, false);
    w.run_for(1ms);
    CHECK(server.log == std::vector<std::string>{"data " + std::to_string(c) + " a",
                                                 "data " + std::to_string(c) + " b"});

    server.log.clear();
    client.log.clear();
    net.reset(c);
    w.run_for(100ms);
    CHECK(server.log ==
          std::vector<std::string>{"closed " + std::to_string(c) + " Connection reset by peer"});
    CHECK(client.log ==
          std::vector<std::string>{"closed " + std::to_string(c) + " Connection reset by peer"});
    CHECK(net.connections().empty());
}

// ---------------------------------------------------------------------------------------------
// Machinery: FakeRedis.

TEST_CASE("machinery: a FakeRedis answers PING, INFO and ROLE through the network") {
    World w(options(5));
    FakeRedisOptions o;
    o.port = 6379;
    FakeRedis& r = w.redis(w.add_redis(o));
    SimClient cli(w);
    REQUIRE(cli.connect_now("127.0.0.1", 6379));

    auto pong = cli.call({"PING"});
    REQUIRE(pong);
    CHECK(*pong == Value::simple("PONG"));
    auto named = cli.call({"CLIENT", "SETNAME", "sentinel-abcdef01-cmd"});
    REQUIRE(named);
    CHECK(*named == Value::simple("OK"));

    auto info = cli.call({"INFO"});
    REQUIRE(info);
    REQUIRE(info->type == Type::bulk_string);
    CHECK(info->str.rfind("# Server\r\nredis_version:7.0.15\r\n", 0) == 0);
    CHECK(info_field(info->str, "run_id") == r.run_id());
    CHECK(r.run_id().size() == 40);
    CHECK(info_field(info->str, "role") == "master");
    CHECK(info_field(info->str, "connected_slaves") == "0");
    CHECK(contains(info->str, "\r\n\r\n# Replication\r\n"));

    auto role = cli.call({"ROLE"});
    REQUIRE(role);
    REQUIRE(role->elements.size() == 3);
    CHECK(role->elements[0] == Value::bulk("master"));

    auto unknown = cli.call({"FOO", "bar"});
    REQUIRE(unknown);
    CHECK(*unknown == Value::error("ERR unknown command 'FOO', with args beginning with: 'bar' "));

    // A crash resets the connection and refuses new ones; a restart brings a new run id.
    const std::string old_id = r.run_id();
    r.crash();
    w.run_for(10ms);
    CHECK_FALSE(cli.connected());
    CHECK(cli.failure() == "Connection reset by peer");
    SimClient late(w);
    CHECK_FALSE(late.connect_now("127.0.0.1", 6379));
    CHECK(late.failure() == "Connection refused");
    r.restart();
    REQUIRE(late.connect_now("127.0.0.1", 6379));
    auto info2 = late.call({"INFO", "server"});
    REQUIRE(info2);
    CHECK(info_field(info2->str, "run_id") == r.run_id());
    CHECK(r.run_id() != old_id);
    CHECK_FALSE(contains(info2->str, "# Replication"));
}

TEST_CASE("machinery: FakeRedis replication: link up, offsets, master crash and return") {
    World w(options(7));
    FakeRedisOptions mo;
    mo.port = 6379;
    FakeRedis& master = w.redis(w.add_redis(mo));
    FakeRedisOptions ro;
    ro.port = 6380;
    ro.master_host = "127.0.0.1";
    ro.master_port = 6379;
    FakeRedis& replica = w.redis(w.add_redis(ro));
    w.run_for(3s);

    CHECK(replica.master_link_up());
    CHECK(master.connected_replicas() == 1);
    CHECK(master.repl_offset() > 2000);
    CHECK(master.repl_offset() - replica.repl_offset() <= 200);  // at most a couple of crons

    const std::string minfo = master.info("replication");
    CHECK(info_field(minfo, "connected_slaves") == "1");
    const std::string slave0 = info_field(minfo, "slave0");
    CHECK(slave0.rfind("ip=127.0.0.1,port=6380,state=online,offset=", 0) == 0);
    CHECK(contains(slave0, ",lag=0"));

    std::string rinfo = replica.info("replication");
    CHECK(info_field(rinfo, "role") == "slave");
    CHECK(info_field(rinfo, "master_host") == "127.0.0.1");
    CHECK(info_field(rinfo, "master_port") == "6379");
    CHECK(info_field(rinfo, "master_link_status") == "up");
    CHECK(info_field(rinfo, "master_last_io_seconds_ago") == "0");
    CHECK(info_field(rinfo, "master_sync_in_progress") == "0");
    CHECK(info_field(rinfo, "slave_priority") == "100");
    CHECK(info_field(rinfo, "replica_announced") == "1");
    CHECK(info_field(rinfo, "slave_repl_offset") == std::to_string(replica.repl_offset()));
    CHECK(info_field(rinfo, "slave_read_repl_offset") == std::to_string(replica.repl_offset()));
    CHECK_FALSE(contains(rinfo, "master_link_down_since_seconds"));

    master.crash();
    w.run_for(3500ms);
    rinfo = replica.info("replication");
    CHECK(info_field(rinfo, "master_link_status") == "down");
    CHECK(info_field(rinfo, "master_last_io_seconds_ago") == "-1");
    CHECK(info_field(rinfo, "master_link_down_since_seconds") == "3");
    const std::uint64_t frozen = replica.repl_offset();
    w.run_for(1s);
    CHECK(replica.repl_offset() == frozen);

    master.restart();
    w.run_for(2s);
    CHECK(replica.master_link_up());
    CHECK(master.connected_replicas() == 1);
    CHECK_FALSE(contains(replica.info("replication"), "master_link_down_since_seconds"));

    // A replica that never reached its master prints -1, as Redis does.
    FakeRedisOptions lonely;
    lonely.port = 6390;
    lonely.master_host = "127.0.0.1";
    lonely.master_port = 6399;
    FakeRedis& orphan = w.redis(w.add_redis(lonely));
    w.run_for(2s);
    CHECK(info_field(orphan.info("replication"), "master_link_down_since_seconds") == "-1");
}

TEST_CASE("machinery: FakeRedis requirepass and masterauth") {
    World w(options(15));
    FakeRedisOptions mo;
    mo.requirepass = "s3cret";
    FakeRedis& master = w.redis(w.add_redis(mo));
    FakeRedisOptions ro;
    ro.port = 6380;
    ro.master_host = "127.0.0.1";
    ro.master_port = 6379;
    ro.masterauth = "s3cret";
    FakeRedis& replica = w.redis(w.add_redis(ro));
    SimClient cli(w);
    REQUIRE(cli.connect_now("127.0.0.1", 6379));
    CHECK(*cli.call({"PING"}) == Value::error("NOAUTH Authentication required."));
    CHECK(*cli.call({"AUTH", "wrong"}) ==
          Value::error("WRONGPASS invalid username-password pair or user is disabled."));
    CHECK(*cli.call({"AUTH", "s3cret"}) == Value::simple("OK"));
    CHECK(*cli.call({"PING"}) == Value::simple("PONG"));
    w.run_for(2s);
    CHECK(replica.master_link_up());
    CHECK(master.connected_replicas() == 1);
}

TEST_CASE("machinery: FakeRedis pub/sub fans out to every subscriber") {
    World w(options(9));
    FakeRedisOptions o;
    w.add_redis(o);
    SimClient a(w), b(w), pub(w);
    REQUIRE(a.connect_now("127.0.0.1", 6379));
    REQUIRE(b.connect_now("127.0.0.1", 6379));
    REQUIRE(pub.connect_now("127.0.0.1", 6379));
    auto sub = a.call({"SUBSCRIBE", "__sentinel__:hello"});
    REQUIRE(sub);
    CHECK(*sub == Value::array({Value::bulk("subscribe"), Value::bulk("__sentinel__:hello"),
                                Value::integer_value(1)}));
    REQUIRE(b.call({"SUBSCRIBE", "__sentinel__:hello"}));

    // Subscribed RESP2 clients may only run the pub/sub commands and PING.
    auto refused = a.call({"INFO"});
    REQUIRE(refused);
    CHECK(refused->is_error());
    auto ping = a.call({"PING"});
    REQUIRE(ping);
    CHECK(*ping == Value::array({Value::bulk("pong"), Value::bulk("")}));

    auto n = pub.call({"PUBLISH", "__sentinel__:hello", "payload"});
    REQUIRE(n);
    CHECK(*n == Value::integer_value(2));
    const Value message = Value::array(
        {Value::bulk("message"), Value::bulk("__sentinel__:hello"), Value::bulk("payload")});
    REQUIRE(a.wait_for(1));
    REQUIRE(b.wait_for(1));
    CHECK(a.received()[0] == message);
    CHECK(b.received()[0] == message);
}

TEST_CASE("machinery: the failover transaction promotes a replica and kills its clients") {
    World w(options(13));
    FakeRedisOptions mo;
    FakeRedis& master = w.redis(w.add_redis(mo));
    FakeRedisOptions ro;
    ro.port = 6380;
    ro.master_host = "127.0.0.1";
    ro.master_port = 6379;
    FakeRedis& replica = w.redis(w.add_redis(ro));
    w.run_for(2s);
    REQUIRE(replica.master_link_up());

    SimClient sentinel(w), normal(w), subscriber(w);
    REQUIRE(sentinel.connect_now("127.0.0.1", 6380));
    REQUIRE(normal.connect_now("127.0.0.1", 6380));
    REQUIRE(subscriber.connect_now("127.0.0.1", 6380));
    REQUIRE(subscriber.call({"SUBSCRIBE", "__sentinel__:hello"}));

    for (const auto& cmd :
         std::vector<std::vector<std::string>>{{"MULTI"},
                                               {"SLAVEOF", "NO", "ONE"},
                                               {"CONFIG", "REWRITE"},
                                               {"CLIENT", "KILL", "TYPE", "normal"},
                                               {"CLIENT", "KILL", "TYPE", "pubsub"},
                                               {"EXEC"}}) {
        sentinel.send(cmd);
    }
    REQUIRE(sentinel.wait_for(6));
    const auto& r = sentinel.received();
    CHECK(r[0] == Value::simple("OK"));
    for (std::size_t i = 1; i <= 4; ++i) {
        CHECK(r[i] == Value::simple("QUEUED"));
    }
    CHECK(r[5] == Value::array({Value::simple("OK"), Value::simple("OK"), Value::integer_value(1),
                                Value::integer_value(1)}));
    w.run_for(10ms);
    CHECK(replica.is_master());
    CHECK(replica.config_rewrites() == 1);
    CHECK_FALSE(normal.connected());
    CHECK_FALSE(subscriber.connected());
    CHECK(sentinel.connected());
    CHECK(info_field(replica.info("replication"), "role") == "master");

    // The old master now follows the promoted replica.
    master.replicaof("127.0.0.1", 6380);
    w.run_for(2s);
    CHECK(master.master_link_up());
    CHECK(replica.connected_replicas() == 1);

    // A command refused at queue time aborts the whole EXEC.
    sentinel.received().clear();
    sentinel.send({"MULTI"});
    sentinel.send({"SLAVEOF", "127.0.0.1", "6379"});
    sentinel.send({"NOSUCHCOMMAND"});
    sentinel.send({"EXEC"});
    REQUIRE(sentinel.wait_for(4));
    CHECK(sentinel.received()[2].is_error());
    CHECK(sentinel.received()[3] ==
          Value::error("EXECABORT Transaction discarded because of previous errors."));
    CHECK(replica.is_master());
}

// ---------------------------------------------------------------------------------------------
// Machinery: sentinel nodes.

TEST_CASE("machinery: a sentinel node serves clients through the real server") {
    Group g(21);
    g.world.run_for(100ms);
    SimClient cli(g.world);
    REQUIRE(cli.connect_now("127.0.0.1", 26379));
    auto pong = cli.call({"PING"});
    REQUIRE(pong);
    CHECK(*pong == Value::simple("PONG"));
    auto myid = cli.call({"SENTINEL", "MYID"});
    REQUIRE(myid);
    CHECK(*myid == Value::bulk(g.s(0).core().myid()));
    CHECK(g.s(0).core().myid().size() == 40);
    // The generated id was persisted at first start, so a restart keeps it.
    CHECK(g.s(0).disk().sentinel.myid == g.s(0).core().myid());

    // Every sentinel announced its master, and the observer recorded it.
    const std::string monitor = "master mymaster 127.0.0.1 6379 quorum 2";
    for (std::size_t i = 0; i < 3; ++i) {
        REQUIRE_FALSE(g.s(i).events().empty());
        CHECK(g.s(i).events()[0] == EventRecord{0ms, "+monitor", monitor});
    }
    // Operator commands go through the core.
    CHECK(g.s(0).command({"SENTINEL", "DEBUG", "tilt-period", "5000"}) == Value::simple("OK"));
    CHECK(g.s(0).core().timing().tilt_period == 5000);

    const std::string id = g.s(0).core().myid();
    g.world.crash_sentinel(0);
    g.world.run_for(10ms);
    CHECK_FALSE(cli.connected());
    g.world.restart_sentinel(0);
    CHECK(g.s(0).core().myid() == id);
    CHECK(g.checker.ok());
}

TEST_CASE("machinery: the same seed replays the same run") {
    auto run = [](std::uint64_t seed) {
        Group g(seed);
        g.world.run_for(20s);
        g.replica(0).crash();
        g.world.run_for(10s);
        std::string all = g.world.transcript();
        for (std::size_t i = 0; i < 3; ++i) {
            for (const auto& line : g.s(i).logger().lines()) {
                all += std::to_string(sentinel::to_ms(line.time)) + " " + line.text + "\n";
            }
        }
        return all;
    };
    const std::string first = run(42);
    CHECK(first == run(42));
    CHECK(first != run(43));
}

// ---------------------------------------------------------------------------------------------
// Stories: acceptance tests against redis-sentinel 7.0's behaviour.

TEST_CASE("story: sentinels discover the replicas and each other") {
    Group g(1);
    const bool done = g.world.run_until(
        [&] {
            return g.world.all_sentinels_have_event("+slave", 2) &&
                   g.world.all_sentinels_have_event("+sentinel", 2);
        },
        30s);
    INFO(g.world.transcript());
    CHECK(done);
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t r = 0; r < 2; ++r) {
            CHECK(g.world.count_events(i, "+slave", replica_text(g.topo, g.replica(r))) == 1);
        }
        for (std::size_t peer = 0; peer < 3; ++peer) {
            if (peer != i) {
                CHECK(g.world.count_events(i, "+sentinel", sentinel_text(g.topo, g.s(peer))) == 1);
            }
        }
    }
    CHECK(g.discovered());
    CHECK(g.checker.ok());
}

TEST_CASE("story: links to a master are named, subscribed and carry hellos as in Redis") {
    Group g(5);
    REQUIRE(g.world.run_until([&] { return g.discovered(); }, 30s));
    g.world.run_for(3s);  // at least one hello period (2000 ms) after discovery
    for (std::size_t i = 0; i < 3; ++i) {
        const std::string id = g.s(i).core().myid();
        const std::string prefix = "sentinel-" + id.substr(0, 8) + "-";
        bool cmd_named = false, pubsub_named = false, subscribed = false, pinged = false,
             info = false, hello = false;
        const std::string expected_hello = "127.0.0.1," + std::to_string(g.s(i).port()) + "," + id +
                                           ",0,mymaster,127.0.0.1,6379,0";
        for (const auto& rec : g.master().commands()) {
            const auto& a = rec.args;
            if (a == std::vector<std::string>{"CLIENT", "SETNAME", prefix + "cmd"}) {
                cmd_named = true;
            } else if (a == std::vector<std::string>{"CLIENT", "SETNAME", prefix + "pubsub"}) {
                pubsub_named = true;
            } else if (rec.client_name == prefix + "pubsub" &&
                       a == std::vector<std::string>{"SUBSCRIBE", "__sentinel__:hello"}) {
                subscribed = true;
            } else if (rec.client_name == prefix + "cmd" && a == std::vector<std::string>{"PING"}) {
                pinged = true;
            } else if (rec.client_name == prefix + "cmd" && a == std::vector<std::string>{"INFO"}) {
                info = true;
            } else if (rec.client_name == prefix + "cmd" && a.size() == 3 && a[0] == "PUBLISH" &&
                       a[1] == "__sentinel__:hello" && a[2] == expected_hello) {
                hello = true;
            }
        }
        INFO("sentinel " << i);
        CHECK(cmd_named);
        CHECK(pubsub_named);
        CHECK(subscribed);
        CHECK(pinged);
        CHECK(info);
        CHECK(hello);
    }
    CHECK(g.checker.ok());
}

TEST_CASE("story: a crashed replica is subjectively down, then back") {
    Group g(2);
    REQUIRE(g.world.run_until([&] { return g.discovered(); }, 30s));
    g.world.run_for(2s);
    const Millis crashed_at = g.world.now();
    g.replica(0).crash();
    const std::string text = replica_text(g.topo, g.replica(0));

    const bool down = g.world.run_until(
        [&] {
            for (std::size_t i = 0; i < 3; ++i) {
                if (g.world.count_events(i, "+sdown", text) == 0) {
                    return false;
                }
            }
            return true;
        },
        crashed_at + 5000ms + 3s);
    INFO(g.world.transcript());
    CHECK(down);
    for (std::size_t i = 0; i < 3; ++i) {
        for (const auto& e : g.s(i).events()) {
            if (e.time < crashed_at) {
                continue;
            }
            if (e.type == "+sdown") {
                CHECK(e.text == text);
                CHECK(e.time - crashed_at >= 5000ms);  // not before down-after-milliseconds
            }
            CHECK_FALSE(contains(e.text, master_text(g.topo)));  // nothing about the master
            CHECK(e.type != "+odown");
        }
    }

    g.replica(0).restart();
    const bool back = g.world.run_until(
        [&] {
            for (std::size_t i = 0; i < 3; ++i) {
                if (g.world.count_events(i, "-sdown", text) == 0) {
                    return false;
                }
            }
            return true;
        },
        g.world.now() + 5s);
    CHECK(back);
    CHECK(g.checker.ok());
}

TEST_CASE("story: a crashed peer sentinel is subjectively down") {
    Group g(3);
    REQUIRE(g.world.run_until([&] { return g.discovered(); }, 30s));
    const std::string text = sentinel_text(g.topo, g.s(2));
    const Millis crashed_at = g.world.now();
    g.world.crash_sentinel(g.topo.sentinels[2]);
    const bool down = g.world.run_until(
        [&] {
            return g.world.count_events(0, "+sdown", text) == 1 &&
                   g.world.count_events(1, "+sdown", text) == 1;
        },
        crashed_at + 5000ms + 3s);
    INFO(g.world.transcript());
    CHECK(down);
    CHECK(g.checker.ok());
}

TEST_CASE("story: a wall-clock jump puts one sentinel in TILT, which ends after tilt-period") {
    Group g(4);
    REQUIRE(g.world.run_until([&] { return g.discovered(); }, 30s));
    REQUIRE(g.s(0).command({"SENTINEL", "DEBUG", "tilt-period", "5000"}) == Value::simple("OK"));
    g.s(0).jump_wall_clock(10s);
    const bool tilted = g.world.run_until([&] { return g.world.count_events(0, "+tilt") == 1; },
                                          g.world.now() + 1s);
    INFO(g.world.transcript());
    REQUIRE(tilted);
    const Millis tilted_at = g.s(0).events().back().time;
    CHECK(g.world.count_events(0, "+tilt", "#tilt mode entered") == 1);

    const bool exited = g.world.run_until([&] { return g.world.count_events(0, "-tilt") == 1; },
                                          tilted_at + 5000ms + 2s);
    CHECK(exited);
    CHECK(g.world.count_events(0, "-tilt", "#tilt mode exited") == 1);
    for (const auto& e : g.s(0).events()) {
        if (e.type == "-tilt") {
            CHECK(e.time - tilted_at >= 5000ms);
        }
    }
    CHECK(g.world.count_events(1, "+tilt") == 0);
    CHECK(g.world.count_events(2, "+tilt") == 0);
    CHECK(g.checker.ok());
}
