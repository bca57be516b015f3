#include "tests/sim/world.hpp"

namespace sentinel::sim {

World::World(WorldOptions options)
    : options_(options), rng_(options.seed), network_(queue_, rng_, options.net) {}

World::~World() = default;

std::size_t World::add_redis(FakeRedisOptions options) {
    const std::uint64_t seed = rng_.next();
    redis_.push_back(std::make_unique<FakeRedis>(queue_, network_, seed, std::move(options)));
    redis_.back()->start();
    return redis_.size() - 1;
}

std::size_t World::add_sentinel(config::Config cfg, std::string ip) {
    const std::size_t index = sentinels_.size();
    sentinels_.push_back(
        std::make_unique<SentinelNode>(index, queue_, network_, std::move(cfg), std::move(ip)));
    SentinelNode& node = *sentinels_.back();
    node.after_step = [this](SentinelNode& n) {
        if (after_step) {
            after_step(n);
        }
    };
    node.on_event = [this](SentinelNode& n, const EventRecord& e) {
        if (on_event) {
            on_event(n, e);
        }
    };
    node.boot(rng_.next());
    return index;
}

FakeRedis* World::redis_at(std::string_view host, int port) {
    for (auto& r : redis_) {
        if (r->ip() == host && r->port() == port) {
            return r.get();
        }
    }
    return nullptr;
}

void World::crash_sentinel(std::size_t i) {
    sentinels_.at(i)->crash();
}

void World::restart_sentinel(std::size_t i) {
    sentinels_.at(i)->boot(rng_.next());
}

bool World::tick_budget() {
    if (queue_.executed() >= options_.max_events) {
        exhausted_ = true;
    }
    return !exhausted_;
}

void World::run_until(Millis t) {
    while (tick_budget()) {
        const auto next = queue_.next_time();
        if (!next || *next > t) {
            break;
        }
        queue_.run_one();
    }
    if (!exhausted_) {
        queue_.advance_to(t);
    }
}

void World::run_for(Millis d) {
    run_until(queue_.now() + d);
}

bool World::run_until(const std::function<bool()>& done, Millis deadline) {
    if (done()) {
        return true;
    }
    while (tick_budget()) {
        const auto next = queue_.next_time();
        if (!next || *next > deadline) {
            break;
        }
        queue_.run_one();
        if (done()) {
            return true;
        }
    }
    if (!exhausted_) {
        queue_.advance_to(deadline);
    }
    return done();
}

std::size_t World::count_events(std::size_t i, std::string_view type, std::string_view text) const {
    std::size_t n = 0;
    for (const auto& e : sentinels_.at(i)->events()) {
        if (e.type == type && (text.empty() || e.text == text)) {
            ++n;
        }
    }
    return n;
}

bool World::all_sentinels_have_event(std::string_view type, std::size_t n) const {
    for (std::size_t i = 0; i < sentinels_.size(); ++i) {
        if (count_events(i, type) < n) {
            return false;
        }
    }
    return true;
}

std::string World::transcript() const {
    std::string out;
    for (const auto& s : sentinels_) {
        for (const auto& e : s->events()) {
            out += std::to_string(to_ms(e.time)) + " s" + std::to_string(s->index()) + " " +
                   e.line() + "\n";
        }
    }
    return out;
}

}  // namespace sentinel::sim
