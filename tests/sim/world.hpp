#pragma once
// The simulated world: a virtual clock, the network, FakeRedis servers and sentinel nodes,
// all driven from one seed. Stories and sentinel-sim are written against this class.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/rng.hpp"
#include "sentinel/config/config.hpp"
#include "tests/sim/event_queue.hpp"
#include "tests/sim/fake_redis.hpp"
#include "tests/sim/network.hpp"
#include "tests/sim/sentinel_node.hpp"

namespace sentinel::sim {

/// How a World is set up.
struct WorldOptions {
    std::uint64_t seed = 1;
    NetConfig net;
    /// run_until gives up (and budget_exhausted() turns true) after this many queue callbacks
    /// in total: a guard against a core that floods the queue.
    std::uint64_t max_events = 50'000'000;
};

/// Everything in one simulation. Single-threaded and deterministic: the same seed and the same
/// calls give the same event logs, byte for byte.
///
/// A story (see scenarios_test.cpp):
/// ```
/// WorldOptions o;
/// o.seed = 7;
/// World w(o);
/// Checker checker;
/// checker.attach(w);
/// Topology t = build_topology(w);  // 1 master, 2 replicas, 3 sentinels, quorum 2
/// w.run_until([&] { return w.all_sentinels_have_event("+slave", 2); }, w.now() + 30s);
/// w.redis(t.replicas[0]).crash();
/// w.run_for(10s);
/// CHECK(w.count_events(0, "+sdown", replica_text(t, w.redis(t.replicas[0]))) == 1);
/// CHECK(checker.ok());
/// ```
class World {
  public:
    explicit World(WorldOptions options = {});
    ~World();
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    EventQueue& queue() { return queue_; }
    const EventQueue& queue() const { return queue_; }
    Network& network() { return network_; }
    const Network& network() const { return network_; }
    /// The world's own Rng (network jitter, seeds for processes, fault plans).
    Rng& rng() { return rng_; }
    Millis now() const { return queue_.now(); }

    /// Adds and starts a FakeRedis; returns its index.
    std::size_t add_redis(FakeRedisOptions options);
    /// Adds a sentinel whose disk holds `cfg`, and boots it; returns its index.
    std::size_t add_sentinel(config::Config cfg, std::string ip = "127.0.0.1");

    FakeRedis& redis(std::size_t i) { return *redis_.at(i); }
    const FakeRedis& redis(std::size_t i) const { return *redis_.at(i); }
    SentinelNode& sentinel(std::size_t i) { return *sentinels_.at(i); }
    const SentinelNode& sentinel(std::size_t i) const { return *sentinels_.at(i); }
    std::size_t redis_count() const { return redis_.size(); }
    std::size_t sentinel_count() const { return sentinels_.size(); }
    /// The FakeRedis listening on host:port, or nullptr.
    FakeRedis* redis_at(std::string_view host, int port);

    /// Kills sentinel `i` (its disk survives).
    void crash_sentinel(std::size_t i);
    /// Boots sentinel `i` again from its disk with a fresh seed from the world Rng.
    void restart_sentinel(std::size_t i);

    /// Runs every callback due up to and including `t`, then sets the clock to `t`.
    void run_until(Millis t);
    /// run_until(now() + d).
    void run_for(Millis d);
    /// Runs until `done()` holds (checked before the first callback and after each one) or the
    /// clock would pass `deadline`. Returns whether `done()` held; the clock stops where it
    /// held, or at `deadline`.
    bool run_until(const std::function<bool()>& done, Millis deadline);
    /// True once max_events callbacks ran; run_until then returns at once.
    bool budget_exhausted() const { return exhausted_; }

    /// Called after every step of every sentinel (the checker's hook).
    std::function<void(SentinelNode&)> after_step;
    /// Called for every event any sentinel records (sentinel-sim --verbose prints them).
    std::function<void(SentinelNode&, const EventRecord&)> on_event;

    /// Events of sentinel `i` whose type is `type` (text is matched whole when non-empty).
    std::size_t count_events(std::size_t i, std::string_view type,
                             std::string_view text = {}) const;
    /// Whether every sentinel (up or not) recorded at least `n` events of `type`.
    bool all_sentinels_have_event(std::string_view type, std::size_t n = 1) const;
    /// All sentinels' events as text ("<time> s<i> <type> <text>" per line), for determinism
    /// checks and failure messages.
    std::string transcript() const;

  private:
    bool tick_budget();

    WorldOptions options_;
    EventQueue queue_;
    Rng rng_;
    Network network_;
    std::vector<std::unique_ptr<FakeRedis>> redis_;
    std::vector<std::unique_ptr<SentinelNode>> sentinels_;
    bool exhausted_ = false;
};

}  // namespace sentinel::sim
