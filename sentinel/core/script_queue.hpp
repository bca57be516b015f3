#pragma once
// The queue of notification and client-reconfig script runs, with Redis 7.0's limits, retries
// and timeouts (sentinelScheduleScriptExecution, sentinelRunPendingScripts,
// sentinelCollectTerminatedScripts, sentinelKillTimedoutScripts, sentinelPendingScriptsCommand).
// Pure: it decides what to start and what to kill; the host runs the processes and reports back
// with ScriptStartedEvent and ScriptExitedEvent.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/resp/value.hpp"
#include "common/util/time.hpp"
#include "sentinel/core/actions.hpp"
#include "sentinel/core/events.hpp"
#include "sentinel/core/logger.hpp"

namespace sentinel::core {

/// One queued run of a script (sentinelScriptJob).
struct ScriptJob {
    /// Names the job in SpawnScriptAction and ScriptStartedEvent; never reused.
    std::uint64_t id = 0;
    /// argv[0] is the script's path.
    std::vector<std::string> argv;
    /// A spawn was asked for and its process has not been collected yet.
    bool running = false;
    /// Attempts started so far (counted when the spawn is asked for, as Redis does).
    int retry_num = 0;
    /// While running: when the attempt started. While scheduled: the earliest time of the next
    /// attempt, or none for a job never tried (Redis's start_time 0).
    std::optional<Millis> start_time;
    /// The process id; 0 while scheduled and until the host reports the spawn.
    int pid = 0;
};

/// The script queue of one sentinel: at most kMaxQueue jobs, at most kMaxRunning of them
/// running, each retried at most kMaxRetry times. Times are monotonic milliseconds.
class ScriptQueue {
  public:
    static constexpr std::size_t kMaxQueue = 256;   ///< SENTINEL_SCRIPT_MAX_QUEUE
    static constexpr std::size_t kMaxRunning = 16;  ///< SENTINEL_SCRIPT_MAX_RUNNING
    static constexpr int kMaxRetry = 10;            ///< SENTINEL_SCRIPT_MAX_RETRY

    /// Appends a run of `argv` (argv[0] = path), to start at the next run_pending(). When the
    /// queue then holds more than kMaxQueue jobs, the oldest job that is not running is dropped,
    /// silently, as in Redis.
    void schedule(std::vector<std::string> argv);

    /// Starts due jobs, oldest first, while fewer than kMaxRunning run: each gets a
    /// SpawnScriptAction, is marked running from `now` and counts one more attempt.
    void run_pending(Millis now, Outbox& out);

    /// For every running job whose process has run longer than `max_runtime_ms`: emits
    /// `-script-timeout <path> <pid>` and a KillScriptAction. Repeated on later calls until the
    /// process is collected, as Redis does; jobs whose pid is not known yet are left alone.
    void kill_timed_out(Millis now, std::int64_t max_runtime_ms, Outbox& out);

    /// Records the outcome of a spawn. Started: `+script-child <pid>` (debug). Exec failure:
    /// `-script-error <path> 0 2` and the job is dropped (Redis's child exits with 2). Fork
    /// failure: `-script-error <path> 99 0` and the job stays queued, due again at once.
    void on_started(const ScriptStartedEvent& ev, Outbox& out, Logger& log);

    /// Collects an ended process: `-script-child <pid> <exit> <signal>` (debug), then a retry
    /// after retry_delay(retry_num) when it exited with 1 or was killed by a signal and has
    /// attempts left; otherwise the job is dropped, with `-script-error <path> <signal> <exit>`
    /// unless it exited with 0. A pid not in the queue is logged as Redis does.
    void on_exited(Millis now, const ScriptExitedEvent& ev, std::int64_t retry_delay_ms,
                   Outbox& out, Logger& log);

    /// The SENTINEL PENDING-SCRIPTS reply: per job, a map of argv (array), flags
    /// (running/scheduled), pid, run-time (running) or run-delay (scheduled), retry-num; all
    /// scalars are bulk strings.
    resp::Value pending_scripts(Millis now) const;

    /// Jobs in the queue, running or scheduled (INFO sentinel_scripts_queue_length).
    std::size_t size() const { return jobs_.size(); }
    /// Jobs running (INFO sentinel_running_scripts).
    std::size_t running() const;
    /// The jobs, oldest first.
    const std::vector<ScriptJob>& jobs() const { return jobs_; }

    /// sentinelScriptRetryDelay(): `base_ms` for the first retry, doubled for each later one
    /// (base * 2^(retry_num - 1)).
    static std::int64_t retry_delay(int retry_num, std::int64_t base_ms);

  private:
    std::vector<ScriptJob> jobs_;
    std::uint64_t next_id_ = 1;
};

}  // namespace sentinel::core
