#pragma once
// Runs the script processes the core asks for: posix_spawn (never blocks the loop), SIGKILL on
// request, and reaping driven by SIGCHLD. Outcomes go back to the core as events, always
// posted to the io_context, so the core is never stepped from inside its own actions.

#include <asio.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sentinel/core/events.hpp"

namespace sentinel::io {

/// Starts, kills and reaps script processes for one sentinel. One per process: it reaps every
/// child (waitpid(-1)), as redis-sentinel does, and owns the SIGCHLD handler.
class ScriptRunner {
  public:
    /// Receives ScriptStartedEvent and ScriptExitedEvent, from posted handlers only.
    using EventSink = std::function<void(const core::Event&)>;

    ScriptRunner(asio::io_context& io, EventSink sink);
    ~ScriptRunner();
    ScriptRunner(const ScriptRunner&) = delete;
    ScriptRunner& operator=(const ScriptRunner&) = delete;

    /// Starts argv[0] with `argv`, the inherited environment, default signal dispositions, an
    /// empty signal mask and no descriptor but 0, 1 and 2. Posts ScriptStartedEvent{job_id}
    /// (pid -1 with the errno text on failure); a ScriptExitedEvent follows once it ends.
    void spawn(std::uint64_t job_id, const std::vector<std::string>& argv);

    /// Sends SIGKILL to `pid` if it is a child of ours that has not been reaped yet; anything
    /// else is ignored, so a stale request never hits a recycled pid.
    void kill(int pid);

    /// Reaps every ended child without blocking (waitpid(-1, WNOHANG) until none is left) and
    /// posts a ScriptExitedEvent for each. Driven by SIGCHLD; also safe to call any time.
    void reap();

    /// Stops listening for SIGCHLD (at shutdown). Children keep running.
    void stop();

    /// Children started and not reaped yet.
    std::size_t live_children() const { return children_.size(); }

  private:
    void wait_for_sigchld();
    void post(core::Event event);

    asio::io_context& io_;
    asio::signal_set sigchld_;
    EventSink sink_;
    std::set<int> children_;
    bool stopped_ = false;
    // Posted handlers hold a weak reference, so none runs after this runner is gone.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace sentinel::io
