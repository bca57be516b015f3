// Core bugs the simulator found, each kept as a deterministic story so it cannot come back:
// a newer epoch adopted mid-failover, the old address persisted with the new epoch, and a
// leader elected with votes from a later epoch (the last two also exist in Redis 7.0).

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "tests/sim/story_support.hpp"

namespace {

using namespace std::chrono_literals;
using sentinel::Millis;
using sentinel::resp::Value;
using namespace sentinel::sim;
using namespace sentinel::sim::story;

TopologyOptions fast(std::size_t sentinels = 3) {
    TopologyOptions t;
    t.sentinels = sentinels;
    t.down_after_ms = 2000;
    t.failover_timeout_ms = 10000;
    return t;
}

}  // namespace

// Core bug (reported, not fixed here): the configuration a sentinel persists while its own
// failover is in reconf-slaves names the old master address with the new config epoch
// (Sentinel::snapshot() writes m.cfg.host/port). Redis writes sentinelGetCurrentMasterAddress(),
// the promoted replica, in `sentinel monitor` at that point. A leader that crashes after its
// hellos made the peers switch, but before its own +failover-end, restarts with (old address,
// epoch N) while the peers hold (new address, epoch N): neither side's hello is newer, so the
// restarted leader demotes the new master (+convert-to-slave) while the peers demote the old
// one, leaving no master at all until a second failover happens to pick the same server.
TEST_CASE("story: the leader crashes after the peers switched, before its own failover end") {
    Group g(38, fast());
    g.checker.check_persisted_addresses(true);
    REQUIRE(g.world.run_until([&] { return g.settled(); }, 30s));
    g.master().crash();
    INFO(g.world.transcript());
    std::size_t leader = 0;
    REQUIRE(g.world.run_until(
        [&] {
            const auto promoted = g.sentinels_with("+promoted-slave");
            if (promoted.empty()) {
                return false;
            }
            leader = promoted[0];
            for (std::size_t i = 0; i < 3; ++i) {
                if (i != leader && g.world.count_events(i, "+switch-master") != 0) {
                    return true;
                }
            }
            return false;
        },
        g.world.now() + 30s));
    REQUIRE(g.world.count_events(leader, "+failover-end") == 0);
    const auto promoted =
        g.s(leader).core().current_master_address(g.s(leader).core().masters()[0]);
    g.world.crash_sentinel(g.topo.sentinels[leader]);
    g.world.run_for(5s);
    g.world.restart_sentinel(g.topo.sentinels[leader]);
    // Back from its disk, it must name the promoted replica, as its peers do.
    CHECK(g.s(leader).core().current_master_address(g.s(leader).core().masters()[0]) == promoted);
    g.master().restart();
    const bool ok = g.world.run_until([&] { return g.settled(); }, g.world.now() + 120s);
    INFO(g.gap());
    CHECK(ok);
    // One failover was enough, and nobody demoted the promoted replica.
    CHECK(g.total("+elected-leader") == 1);
    CHECK(g.total("+convert-to-slave", "slave " + promoted.first + ":" +
                                           std::to_string(promoted.second) + " " + promoted.first +
                                           " " + std::to_string(promoted.second) +
                                           " @ mymaster 127.0.0.1 6379") == 0);
    for (const auto& v : g.checker.violations()) {
        FAIL_CHECK(v);
    }
}

// Core bug (reported, not fixed here; found by `sentinel-sim --seed 397`): a sentinel whose own
// failover is still in reconf-slaves takes a newer config epoch from a hello that names its
// configured (old) master address: process_hello compares the hello's address with m.cfg.host
// and port, which during reconf-slaves are still the old master's, so nothing is reset and the
// failover goes on. When it ends (+failover-end-for-timeout here) the sentinel switches to its
// own promoted replica under the newer epoch: two addresses for one config epoch, and the group
// never agrees again. Redis 7.0's sentinelProcessHelloMessage makes the same comparison against
// master->addr. A newer config epoch should end our failover and be compared against
// current_master_address().
TEST_CASE(
    "story: a newer epoch re-promotes the old master while the first leader still "
    "reconfigures replicas") {
    TopologyOptions t = fast();
    Group g(39, t);
    REQUIRE(g.world.run_until([&] { return g.settled(); }, 30s));
    // Replica 1 may never be promoted, so the only candidate of a second failover is the old
    // master; the sentinels learn the priority from its next INFO.
    g.replica(1).set_slave_priority(0);
    g.world.run_for(12s);
    g.master().crash();
    INFO(g.world.transcript());
    std::size_t leader = 0;
    REQUIRE(g.world.run_until(
        [&] {
            const auto v = g.sentinels_with("+promoted-slave");
            leader = v.empty() ? 0 : v[0];
            return !v.empty();
        },
        g.world.now() + 30s));
    // Keep the first leader in reconf-slaves: replica 1 cannot hear its SLAVEOF, is not down in
    // its eyes, and the leader waits long for it.
    SentinelNode& first = g.s(leader);
    REQUIRE(first.command({"SENTINEL", "SET", "mymaster", "down-after-milliseconds", "120000"}) ==
            Value::simple("OK"));
    REQUIRE(first.command({"SENTINEL", "SET", "mymaster", "failover-timeout", "120000"}) ==
            Value::simple("OK"));
    REQUIRE(first.command({"SENTINEL", "DEBUG", "slave-reconf-timeout", "120000"}) ==
            Value::simple("OK"));
    Network& net = g.world.network();
    for (const ConnId c : net.connections_of(first.net_id())) {
        const auto ends = net.ends(c);
        if (ends &&
            (ends->first == g.replica(1).net_id() || ends->second == g.replica(1).net_id())) {
            net.stall(c, true);
        }
    }
    // The old master returns and is demoted by the others; then the new master dies, and the
    // others promote the old master again, in epoch 2.
    g.master().restart();
    REQUIRE(g.world.run_until(
        [&] {
            return g.master().master_port() == g.replica(0).port() && g.master().master_link_up();
        },
        g.world.now() + 30s));
    g.replica(0).crash();
    REQUIRE(
        g.world.run_until([&] { return g.total("+promoted-slave") == 2; }, g.world.now() + 60s));
    g.world.run_for(2s);
    // The first leader must follow epoch 2 (the old master), not keep its own failover going.
    CHECK(first.core().current_master_address(first.core().masters()[0]) ==
          std::pair<std::string, int>{"127.0.0.1", 6379});
    g.replica(0).restart();
    for (const ConnId c : net.connections()) {
        net.stall(c, false);
    }
    const bool ok = g.world.run_until([&] { return g.settled(); }, g.world.now() + 180s);
    INFO(g.gap());
    CHECK(ok);
    for (const auto& v : g.checker.violations()) {
        FAIL_CHECK(v);
    }
}

// Core behaviour inherited from Redis 7.0 (reported, not fixed here): a sentinel counts the
// votes its peers report for its *current* epoch (sentinelGetLeader compares leader_epoch with
// sentinel.current_epoch) and asks for votes with its current epoch, not with the epoch of its
// failover attempt. A sentinel still waiting to be elected in epoch 1 that votes for someone
// else in epoch 2 goes on asking "vote for me in epoch 2", wins epoch 2's votes and proceeds as
// the leader of its epoch-1 attempt, while another sentinel already won epoch 1 with epoch-1
// votes: two leaders, and two promotions, under config epoch 1. Here the epoch-2 request comes
// from the test, standing in for a sentinel that started epoch 2 after hearing of epoch 1 in a
// hello; quorum 1 lets the first attempt start without peers. Fix: count only votes for the
// attempt's epoch (leader_epoch == failover_epoch) and ask with failover_epoch.
TEST_CASE("story: a sentinel waiting in epoch 1 cannot be elected by epoch 2 votes") {
    TopologyOptions t = fast(5);
    t.quorum = 1;
    t.failover_timeout_ms = 30000;
    Group g(40, t);
    REQUIRE(g.world.run_until([&] { return g.settled(); }, 30s));
    // Sentinel 0 hears nothing and is heard by nobody: it starts its own attempt in epoch 1 and
    // its vote requests wait in the network.
    Network& net = g.world.network();
    const NodeId a = g.s(0).net_id();
    std::vector<ConnId> held = net.connections_of(a);
    for (const ConnId c : held) {
        net.stall(c, true);
    }
    g.world.run_for(700ms);
    g.master().crash();
    INFO(g.world.transcript());
    REQUIRE(
        g.world.run_until([&] { return g.total("+elected-leader") == 1; }, g.world.now() + 20s));
    REQUIRE(g.s(0).core().masters()[0].failover_state == sentinel::core::FailoverState::wait_start);
    // A request for epoch 2 reaches it (it votes, and moves to epoch 2); then its own requests
    // get through.
    const Value vote = g.s(0).command(
        {"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379", "2", std::string(40, 'b')});
    REQUIRE(vote.elements.size() == 3);
    for (const ConnId c : held) {
        const auto ends = net.ends(c);
        if (ends && ends->first == a) {
            net.stall(c, false);
        }
    }
    g.world.run_for(5s);
    CHECK(g.total("+elected-leader") == 1);
    for (const auto& v : g.checker.violations()) {
        FAIL_CHECK(v);
    }
}
