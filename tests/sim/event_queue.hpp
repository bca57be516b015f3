#pragma once
// The simulator's virtual clock and its queue of pending work, ordered by (time, seq).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "common/util/time.hpp"

namespace sentinel::sim {

/// A virtual clock plus the callbacks scheduled on it. Callbacks due at the same millisecond
/// run in the order they were scheduled (the sequence number breaks ties), which is what makes
/// a run replay exactly from its seed. Single-threaded; callbacks may schedule more work.
class EventQueue {
  public:
    /// The current virtual time (milliseconds since the start of the simulation).
    Millis now() const { return now_; }

    /// Runs `fn` at `when`; a time in the past means "as soon as possible" (now, after what is
    /// already due now).
    void at(Millis when, std::function<void()> fn);

    /// Runs `fn` `delay` after now.
    void after(Millis delay, std::function<void()> fn) { at(now_ + delay, std::move(fn)); }

    /// Time of the earliest pending callback, if any.
    std::optional<Millis> next_time() const;

    /// Pops the earliest callback, advances the clock to its time and runs it. False when the
    /// queue is empty.
    bool run_one();

    /// Moves the clock forward to `t` without running anything; callbacks due before `t`
    /// must have run already (asserted).
    void advance_to(Millis t);

    /// Callbacks run so far (a cheap measure of simulation work).
    std::uint64_t executed() const { return executed_; }

    /// Callbacks waiting.
    std::size_t pending() const { return queue_.size(); }

  private:
    Millis now_{0};
    std::uint64_t seq_ = 0;
    std::uint64_t executed_ = 0;
    std::map<std::pair<std::int64_t, std::uint64_t>, std::function<void()>> queue_;
};

}  // namespace sentinel::sim
