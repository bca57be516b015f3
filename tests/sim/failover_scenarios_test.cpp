// Failover stories: redis-sentinel 7.0's documented failover behaviour, event by event, on the
// simulated network. Every story runs with the Checker attached (votes, leaders, promotions,
// epochs) and ends with the group settled (convergence_gap).

#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <sstream>
#include <string>

#include "tests/sim/sim_client.hpp"
#include "tests/sim/story_support.hpp"

namespace {

using namespace std::chrono_literals;
using sentinel::Millis;
using sentinel::resp::Value;
using namespace sentinel::sim;
using namespace sentinel::sim::story;

// The failover steps a leader goes through, in order (Redis logs these at warning/notice).
const std::set<std::string> kFailoverTypes = {
    "+odown",
    "+new-epoch",
    "+try-failover",
    "+vote-for-leader",
    "+elected-leader",
    "+failover-state-select-slave",
    "+selected-slave",
    "+failover-state-send-slaveof-noone",
    "+failover-state-wait-promotion",
    "+promoted-slave",
    "+failover-state-reconf-slaves",
    "+slave-reconf-sent",
    "+slave-reconf-inprog",
    "+slave-reconf-done",
    "+failover-end",
    "+switch-master",
};

TopologyOptions fast(std::size_t sentinels = 3) {
    TopologyOptions t;
    t.sentinels = sentinels;
    t.down_after_ms = 2000;
    t.failover_timeout_ms = 10000;
    return t;
}

// The last two words of "+switch-master <name> <old ip> <old port> <new ip> <new port>".
std::string new_master_of(const std::string& switch_text) {
    std::istringstream in(switch_text);
    std::string name, old_ip, old_port, ip, port;
    in >> name >> old_ip >> old_port >> ip >> port;
    return ip + ":" + port;
}

// Runs until every sentinel switched (at least `n` times) or `limit` passes.
bool all_switched(Group& g, Millis limit, std::size_t n = 1) {
    return g.world.run_until([&] { return g.world.all_sentinels_have_event("+switch-master", n); },
                             g.world.now() + limit);
}

}  // namespace

TEST_CASE("story: the master dies: one failover, then the old master returns as a replica") {
    Group g(31, fast());
    REQUIRE(g.world.run_until([&] { return g.settled(); }, 30s));
    const Millis crashed_at = g.world.now();
    g.master().crash();
    INFO(g.world.transcript());
    REQUIRE(all_switched(g, 30s));

    // One leader, one promotion, and every sentinel switched exactly once to the same place.
    const auto leaders = g.sentinels_with("+elected-leader");
    REQUIRE(leaders.size() == 1);
    const std::size_t leader = leaders[0];
    CHECK(g.total("+promoted-slave") == 1);
    CHECK(g.world.count_events(leader, "+try-failover") == 1);
    const std::string leader_id = g.s(leader).core().myid();
    std::string promoted;
    for (const auto& e : g.s(leader).events()) {
        if (e.type == "+promoted-slave") {
            promoted = e.text.substr(6, e.text.find(' ', 6) - 6);  // "slave <ip:port> ..."
        }
    }
    const std::string switch_text =
        "mymaster 127.0.0.1 6379 " + promoted.substr(0, 9) + " " + promoted.substr(10);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(g.world.count_events(i, "+sdown", "master mymaster 127.0.0.1 6379") == 1);
        CHECK(g.world.count_events(i, "+switch-master") == 1);
        CHECK(g.world.count_events(i, "+switch-master", switch_text) == 1);
        if (i != leader) {
            // Followers learn the new configuration from the leader's hello.
            CHECK(g.world.count_events(i, "+config-update-from",
                                       "sentinel " + leader_id + " 127.0.0.1 " +
                                           std::to_string(g.s(leader).port()) +
                                           " @ mymaster 127.0.0.1 6379") == 1);
        }
    }

    // The leader's own story, step by step, with Redis's texts.
    const std::string m = "master mymaster 127.0.0.1 6379";
    const FakeRedis* chosen = g.world.redis_at("127.0.0.1", std::stoi(promoted.substr(10)));
    REQUIRE(chosen != nullptr);
    const FakeRedis& other = &g.replica(0) == chosen ? g.replica(1) : g.replica(0);
    const std::string chosen_text = replica_text(g.topo, *chosen);
    const std::string other_text = replica_text(g.topo, other);
    const auto steps = g.lines(leader, kFailoverTypes, crashed_at);
    const std::vector<std::string> expected = {
        "+odown " + m + " #quorum 2/2",
        "+new-epoch 1",
        "+try-failover " + m,
        "+vote-for-leader " + leader_id + " 1",
        "+elected-leader " + m,
        "+failover-state-select-slave " + m,
        "+selected-slave " + chosen_text,
        "+failover-state-send-slaveof-noone " + chosen_text,
        "+failover-state-wait-promotion " + chosen_text,
        "+promoted-slave " + chosen_text,
        "+failover-state-reconf-slaves " + m,
        "+slave-reconf-sent " + other_text,
        "+slave-reconf-inprog " + other_text,
        "+slave-reconf-done " + other_text,
        "+failover-end " + m,
        "+switch-master " + switch_text,
    };
    CHECK(steps == expected);

    // The servers follow: the chosen replica is the master, the other replicates from it.
    REQUIRE(g.world.run_until([&] { return other.master_link_up(); }, g.world.now() + 10s));
    CHECK(chosen->is_master());
    CHECK(other.master_port() == chosen->port());

    // The old master comes back with its old configuration (a master) and is demoted.
    g.master().restart();
    REQUIRE(g.world.run_until([&] { return g.settled(); }, g.world.now() + 60s));
    CHECK(g.master().master_port() == chosen->port());
    CHECK(g.master().master_link_up());
    const std::string old_master = "slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 " +
                                   std::to_string(chosen->port());
    std::size_t converts = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        converts += g.world.count_events(i, "+convert-to-slave", old_master);
    }
    CHECK(converts >= 1);

    // Nothing more happens: still exactly one failover a while later.
    g.world.run_for(30s);
    CHECK(g.total("+elected-leader") == 1);
    CHECK(g.total("+promoted-slave") == 1);
    CHECK(g.total("+switch-master") == 3);
    CHECK(g.settled());
    for (const auto& v : g.checker.violations()) {
        FAIL_CHECK(v);
    }
}

TEST_CASE(
    "story: the master with a minority of sentinels: the majority fails over, the minority "
    "does not, and follows after the heal") {
    Group g(32, fast(5));
    REQUIRE(g.world.run_until([&] { return g.settled(); }, 30s));
    // {master, s0, s1} | {s2, s3, s4, both replicas}.
    std::vector<NodeId> minority = {g.master().net_id(), g.s(0).net_id(), g.s(1).net_id()};
    std::vector<NodeId> majority = {g.s(2).net_id(), g.s(3).net_id(), g.s(4).net_id(),
                                    g.replica(0).net_id(), g.replica(1).net_id()};
    const Millis split_at = g.world.now();
    g.world.network().partition(minority, majority);
    INFO(g.world.transcript());
    const bool majority_switched = g.world.run_until(
        [&] {
            for (std::size_t i = 2; i < 5; ++i) {
                if (g.world.count_events(i, "+switch-master") == 0) {
                    return false;
                }
            }
            return true;
        },
        split_at + 30s);
    REQUIRE(majority_switched);
    g.world.run_for(10s);
    // The minority still sees its master: no SDOWN of it, no attempt, no switch.
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(g.world.count_events(i, "+sdown", "master mymaster 127.0.0.1 6379") == 0);
        CHECK(g.world.count_events(i, "+try-failover") == 0);
        CHECK(g.world.count_events(i, "+switch-master") == 0);
        CHECK(g.s(i).core().current_master_address(g.s(i).core().masters()[0]) ==
              std::pair<std::string, int>{"127.0.0.1", 6379});
    }
    CHECK(g.total("+elected-leader") == 1);
    CHECK(g.master().is_master());  // two masters for now: the split brain Redis accepts

    // After the heal the minority takes the newer configuration and the old master is demoted.
    g.world.network().heal();
    REQUIRE(g.world.run_until([&] { return g.settled(); }, g.world.now() + 60s));
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(g.world.count_events(i, "+config-update-from") == 1);
        CHECK(g.world.count_events(i, "+switch-master") == 1);
    }
    CHECK(g.total("+convert-to-slave") >= 1);
    CHECK_FALSE(g.master().is_master());
    CHECK(g.total("+elected-leader") == 1);
    for (const auto& v : g.checker.violations()) {
        FAIL_CHECK(v);
    }
}

TEST_CASE("story: a sentinel cut off alone sees the master down but never reaches ODOWN") {
    Group g(33, fast());
    REQUIRE(g.world.run_until([&] { return g.settled(); }, 30s));
    g.world.network().isolate(g.s(0).net_id());
    INFO(g.world.transcript());
    REQUIRE(g.world.run_until(
        [&] { return g.world.count_events(0, "+sdown", "master mymaster 127.0.0.1 6379") == 1; },
        g.world.now() + 5s));
    g.world.run_for(30s);
    CHECK(g.world.count_events(0, "+odown") == 0);
    CHECK(g.total("+try-failover") == 0);
    CHECK(g.world.count_events(1, "+sdown", "master mymaster 127.0.0.1 6379") == 0);
    CHECK(g.world.count_events(2, "+sdown", "master mymaster 127.0.0.1 6379") == 0);
    g.world.network().heal();
    REQUIRE(g.world.run_until([&] { return g.settled(); }, g.world.now() + 30s));
    CHECK(g.world.count_events(0, "-sdown", "master mymaster 127.0.0.1 6379") == 1);
    CHECK(g.total("+switch-master") == 0);
    for (const auto& v : g.checker.violations()) {
        FAIL_CHECK(v);
    }
}

TEST_CASE("story: the leader crashes after selecting a replica, a later epoch finishes") {
    Group g(34, fast());
    REQUIRE(g.world.run_until([&] { return g.settled(); }, 30s));
    g.master().crash();
    INFO(g.world.transcript());
    REQUIRE(
        g.world.run_until([&] { return g.total("+selected-slave") == 1; }, g.world.now() + 30s));
    const std::size_t first = g.sentinels_with("+selected-slave").at(0);
    // Crashed right after the step that chose the replica: SLAVEOF NO ONE was never sent.
    g.world.crash_sentinel(first);
    REQUIRE(g.world.run_until(
        [&] {
            for (std::size_t i = 0; i < 3; ++i) {
                if (i != first && g.world.count_events(i, "+switch-master") == 0) {
                    return false;
                }
            }
            return true;
        },
        g.world.now() + 60s));
    const auto leaders = g.sentinels_with("+elected-leader");
    REQUIRE(leaders.size() == 2);
    const std::size_t second = leaders[0] == first ? leaders[1] : leaders[0];
    CHECK(second != first);
    CHECK(g.total("+promoted-slave") == 1);
    CHECK(g.s(second).core().masters()[0].cfg.config_epoch >= 2);
    // The crashed leader comes back from its disk and takes the newer configuration; the old
    // master comes back too and is demoted.
    g.world.restart_sentinel(first);
    g.master().restart();
    const bool ok = g.world.run_until([&] { return g.settled(); }, g.world.now() + 60s);
    INFO(g.gap());
    REQUIRE(ok);
    CHECK(g.world.count_events(first, "+config-update-from") == 1);
    for (const auto& v : g.checker.violations()) {
        FAIL_CHECK(v);
    }
}

TEST_CASE("story: SIMULATE-FAILURE crash-after-election: the leader exits, a later epoch wins") {
    Group g(35, fast());
    REQUIRE(g.world.run_until([&] { return g.settled(); }, 30s));
    for (std::size_t i = 0; i < 3; ++i) {
        REQUIRE(g.s(i).command({"SENTINEL", "SIMULATE-FAILURE", "crash-after-election"}) ==
                Value::simple("OK"));
    }
    g.master().crash();
    INFO(g.world.transcript());
    REQUIRE(g.world.run_until(
        [&] {
            for (std::size_t i = 0; i < 3; ++i) {
                if (!g.s(i).exit_codes().empty()) {
                    return true;
                }
            }
            return false;
        },
        g.world.now() + 30s));
    std::size_t crashed = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        if (!g.s(i).exit_codes().empty()) {
            crashed = i;
            CHECK(g.s(i).exit_codes() == std::vector<int>{99});
        } else {
            // Only the first leader is meant to die: every call starts from no flags.
            CHECK(g.s(i).command({"SENTINEL", "SIMULATE-FAILURE", "help"}).type ==
                  sentinel::resp::Type::array);
        }
    }
    g.world.run_for(1ms);  // the exit takes effect once the step is over
    CHECK_FALSE(g.s(crashed).up());
    // Its +elected-leader was published before the exit; nothing after it was.
    const auto& ev = g.s(crashed).events();
    REQUIRE_FALSE(ev.empty());
    CHECK(ev.back().type == "+elected-leader");
    // Restarted, it has forgotten the flag (it is not persisted); a later epoch, once the
    // voters' 2 x failover-timeout wait is over, promotes a replica.
    g.world.restart_sentinel(crashed);
    REQUIRE(all_switched(g, 60s));
    CHECK(g.total("+promoted-slave") == 1);
    CHECK(g.total("+elected-leader") == 2);
    const std::size_t winner = g.sentinels_with("+promoted-slave").at(0);
    CHECK(g.world.sentinel(winner).core().masters()[0].cfg.config_epoch >= 2);
    g.master().restart();
    const bool ok = g.world.run_until([&] { return g.settled(); }, g.world.now() + 60s);
    INFO(g.gap());
    REQUIRE(ok);
    for (const auto& v : g.checker.violations()) {
        FAIL_CHECK(v);
    }
}

TEST_CASE("story: SENTINEL FAILOVER with a healthy master: no ODOWN, the others follow by hello") {
    Group g(36, fast());
    REQUIRE(g.world.run_until([&] { return g.settled(); }, 30s));
    const Millis asked_at = g.world.now();
    const Value reply = g.s(0).command({"SENTINEL", "FAILOVER", "mymaster"});
    INFO(reply.str);
    REQUIRE(reply == Value::simple("OK"));
    INFO(g.world.transcript());
    REQUIRE(all_switched(g, 30s));
    const std::string m = "master mymaster 127.0.0.1 6379";
    const auto steps = g.lines(0, kFailoverTypes, asked_at);
    REQUIRE(steps.size() >= 4);
    CHECK(steps[0] == "+new-epoch 1");
    CHECK(steps[1] == "+try-failover " + m);
    CHECK(g.world.count_events(0, "+elected-leader", m) == 1);
    CHECK(g.world.count_events(0, "+promoted-slave") == 1);
    std::string target;
    for (const auto& e : g.s(0).events()) {
        if (e.type == "+switch-master") {
            target = new_master_of(e.text);
        }
    }
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(g.world.count_events(i, "+sdown", m) == 0);
        CHECK(g.world.count_events(i, "+odown") == 0);
        if (i != 0) {
            CHECK(g.world.count_events(i, "+try-failover") == 0);
            CHECK(g.world.count_events(i, "+config-update-from") == 1);
        }
        REQUIRE(g.world.count_events(i, "+switch-master") == 1);
        for (const auto& e : g.s(i).events()) {
            if (e.type == "+switch-master") {
                CHECK(new_master_of(e.text) == target);
            }
        }
    }
    // The old master was healthy all along: it is demoted into a replica of the new one.
    REQUIRE(g.world.run_until([&] { return g.settled(); }, g.world.now() + 60s));
    CHECK(g.master().master_host() + ":" + std::to_string(g.master().master_port()) == target);
    CHECK(g.total("+convert-to-slave") >= 1);
    for (const auto& v : g.checker.violations()) {
        FAIL_CHECK(v);
    }
}

TEST_CASE("story: a vote survives a restart: no second vote in the same epoch") {
    Group g(37, fast());
    REQUIRE(g.world.run_until([&] { return g.settled(); }, 30s));
    SimClient cli(g.world);
    REQUIRE(cli.connect_now("127.0.0.1", g.s(0).port()));
    const std::string a(40, 'a'), b(40, 'b');
    auto first = cli.call({"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "7", a});
    REQUIRE(first);
    CHECK(*first ==
          Value::array({Value::integer_value(0), Value::bulk(a), Value::integer_value(7)}));
    CHECK(g.s(0).disk().masters[0].leader_epoch == 7);
    CHECK(g.s(0).disk().sentinel.current_epoch == 7);

    g.world.crash_sentinel(g.topo.sentinels[0]);
    g.world.restart_sentinel(g.topo.sentinels[0]);
    SimClient again(g.world);
    REQUIRE(again.connect_now("127.0.0.1", g.s(0).port()));
    auto second = again.call({"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "7", b});
    REQUIRE(second);
    // The vote itself is not persisted, only its epoch: "no leader" rather than a new one.
    CHECK(*second ==
          Value::array({Value::integer_value(0), Value::bulk("*"), Value::integer_value(7)}));
    CHECK(g.world.count_events(0, "+vote-for-leader") == 1);
    // A later epoch gets a vote again.
    auto third = again.call({"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "8", b});
    REQUIRE(third);
    CHECK(*third ==
          Value::array({Value::integer_value(0), Value::bulk(b), Value::integer_value(8)}));
    for (const auto& v : g.checker.violations()) {
        FAIL_CHECK(v);
    }
}
