#include "sentinel/core/script_queue.hpp"

#include <algorithm>
#include <limits>
#include <string_view>

namespace sentinel::core {
namespace {

// Event names as redis-sentinel 7.0 publishes them (none carries an instance, so none runs a
// notification script).
constexpr std::string_view kEventScriptChild = "+script-child";
constexpr std::string_view kEventScriptChildExit = "-script-child";
constexpr std::string_view kEventScriptError = "-script-error";
constexpr std::string_view kEventScriptTimeout = "-script-timeout";

// sentinelRunPendingScripts reports a failed fork() as if the script had been killed by this
// "signal".
constexpr int kForkFailedSignal = 99;
// A child whose execve() fails exits with this status in Redis, so it is never retried.
constexpr int kExecFailedExitCode = 2;

}  // namespace

void ScriptQueue::schedule(std::vector<std::string> argv) {
    ScriptJob job;
    job.id = next_id_++;
    job.argv = std::move(argv);
    jobs_.push_back(std::move(job));
    if (jobs_.size() > kMaxQueue) {
        // As sentinelScheduleScriptExecution(): the first job not running is the oldest one,
        // since jobs are appended. At most kMaxRunning run, so one is always found.
        const auto it =
            std::find_if(jobs_.begin(), jobs_.end(), [](const ScriptJob& j) { return !j.running; });
        jobs_.erase(it);
    }
}

std::size_t ScriptQueue::running() const {
    return static_cast<std::size_t>(
        std::count_if(jobs_.begin(), jobs_.end(), [](const ScriptJob& j) { return j.running; }));
}

void ScriptQueue::run_pending(Millis now, Outbox& out) {
    std::size_t active = running();
    for (auto& job : jobs_) {
        if (active >= kMaxRunning) {
            break;
        }
        if (job.running || (job.start_time && *job.start_time > now)) {
            continue;
        }
        job.running = true;
        job.start_time = now;
        ++job.retry_num;
        ++active;
        out.spawn_script(job.id, job.argv);
    }
}

void ScriptQueue::kill_timed_out(Millis now, std::int64_t max_runtime_ms, Outbox& out) {
    for (const auto& job : jobs_) {
        // Without a pid there is nothing to kill yet; the spawn's outcome is already on its way.
        if (!job.running || job.pid <= 0 || !job.start_time) {
            continue;
        }
        if (to_ms(now - *job.start_time) > max_runtime_ms) {
            out.event(LogLevel::warning, std::string(kEventScriptTimeout),
                      job.argv[0] + " " + std::to_string(job.pid));
            out.kill_script(job.pid);
        }
    }
}

void ScriptQueue::on_started(const ScriptStartedEvent& ev, Outbox& out, Logger& log) {
    const auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const ScriptJob& j) {
        return j.id == ev.job_id && j.running && j.pid == 0;
    });
    if (it == jobs_.end()) {
        return;  // not ours to track; should its process exist, its exit is logged as unknown
    }
    if (ev.pid > 0) {
        it->pid = ev.pid;
        out.event(LogLevel::debug, std::string(kEventScriptChild), std::to_string(ev.pid));
        return;
    }
    // Redis says nothing beyond the event; the reason helps whoever reads the log.
    log.log(LogLevel::notice, "Script " + it->argv[0] + " could not be started: " + ev.error);
    if (ev.exec_failed) {
        out.event(LogLevel::warning, std::string(kEventScriptError),
                  it->argv[0] + " 0 " + std::to_string(kExecFailedExitCode));
        jobs_.erase(it);
        return;
    }
    // As a failed fork(): reported, and due again at the next run_pending() (start_time is
    // already in the past), the attempt still counted.
    out.event(LogLevel::warning, std::string(kEventScriptError),
              it->argv[0] + " " + std::to_string(kForkFailedSignal) + " 0");
    it->running = false;
    it->pid = 0;
}

void ScriptQueue::on_exited(Millis now, const ScriptExitedEvent& ev, std::int64_t retry_delay_ms,
                            Outbox& out, Logger& log) {
    out.event(LogLevel::debug, std::string(kEventScriptChildExit),
              std::to_string(ev.pid) + " " + std::to_string(ev.exit_code) + " " +
                  std::to_string(ev.signal));
    const auto it = std::find_if(jobs_.begin(), jobs_.end(),
                                 [&](const ScriptJob& j) { return j.running && j.pid == ev.pid; });
    if (it == jobs_.end()) {
        log.log(LogLevel::warning, "waitpid() returned a pid (" + std::to_string(ev.pid) +
                                       ") we can't find in our scripts execution queue!");
        return;
    }
    // Redis retries while retry_num != SENTINEL_SCRIPT_MAX_RETRY; failed forks also count
    // attempts and could step past 10, so "fewer than" keeps the bound that was meant.
    if ((ev.signal != 0 || ev.exit_code == 1) && it->retry_num < kMaxRetry) {
        it->running = false;
        it->pid = 0;
        // Clamped so that a huge SENTINEL DEBUG delay cannot overflow the clock value.
        const std::int64_t room = std::numeric_limits<std::int64_t>::max() - to_ms(now);
        it->start_time = now + Millis(std::min(retry_delay(it->retry_num, retry_delay_ms), room));
        return;
    }
    if (ev.signal != 0 || ev.exit_code != 0) {
        out.event(
            LogLevel::warning, std::string(kEventScriptError),
            it->argv[0] + " " + std::to_string(ev.signal) + " " + std::to_string(ev.exit_code));
    }
    jobs_.erase(it);
}

std::int64_t ScriptQueue::retry_delay(int retry_num, std::int64_t base_ms) {
    // SENTINEL DEBUG accepts any positive delay, so saturate instead of overflowing.
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    std::int64_t delay = base_ms;
    while (retry_num-- > 1) {
        delay = delay > kMax / 2 ? kMax : delay * 2;
    }
    return delay;
}

resp::Value ScriptQueue::pending_scripts(Millis now) const {
    using resp::Value;
    std::vector<Value> list;
    list.reserve(jobs_.size());
    for (const auto& job : jobs_) {
        std::vector<Value> argv;
        argv.reserve(job.argv.size());
        for (const auto& a : job.argv) {
            argv.push_back(Value::bulk(a));
        }
        std::vector<Value> kv;
        kv.push_back(Value::bulk("argv"));
        kv.push_back(Value::array(std::move(argv)));
        kv.push_back(Value::bulk("flags"));
        kv.push_back(Value::bulk(job.running ? "running" : "scheduled"));
        kv.push_back(Value::bulk("pid"));
        kv.push_back(Value::bulk(std::to_string(job.pid)));
        if (job.running) {
            kv.push_back(Value::bulk("run-time"));
            kv.push_back(Value::bulk(std::to_string(to_ms(now - job.start_time.value_or(now)))));
        } else {
            const std::int64_t delay = job.start_time ? to_ms(*job.start_time - now) : 0;
            kv.push_back(Value::bulk("run-delay"));
            kv.push_back(Value::bulk(std::to_string(std::max<std::int64_t>(delay, 0))));
        }
        kv.push_back(Value::bulk("retry-num"));
        kv.push_back(Value::bulk(std::to_string(job.retry_num)));
        list.push_back(Value::map(std::move(kv)));
    }
    return Value::array(std::move(list));
}

}  // namespace sentinel::core
