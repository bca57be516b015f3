#include "tests/sim/event_queue.hpp"

#include "common/util/assert.hpp"

namespace sentinel::sim {

void EventQueue::at(Millis when, std::function<void()> fn) {
    // Never schedule into the past: the clock only moves forward.
    const Millis t = when < now_ ? now_ : when;
    queue_.emplace(std::make_pair(to_ms(t), seq_++), std::move(fn));
}

std::optional<Millis> EventQueue::next_time() const {
    if (queue_.empty()) {
        return std::nullopt;
    }
    return Millis(queue_.begin()->first.first);
}

bool EventQueue::run_one() {
    if (queue_.empty()) {
        return false;
    }
    auto node = queue_.extract(queue_.begin());
    now_ = Millis(node.key().first);
    ++executed_;
    // The callback was moved out of the map first: it may schedule more work freely.
    node.mapped()();
    return true;
}

void EventQueue::advance_to(Millis t) {
    SENTINEL_ASSERT(queue_.empty() || queue_.begin()->first.first >= to_ms(t));
    if (t > now_) {
        now_ = t;
    }
}

}  // namespace sentinel::sim
