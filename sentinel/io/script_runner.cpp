#include "sentinel/io/script_runner.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/util/assert.hpp"

namespace sentinel::io {
namespace {

// posix_spawn reports both kinds of failure through its return value. These come from creating
// the process (clone), which Redis sees as a failed fork() and retries; everything else comes
// from the child's setup or execve(), where Redis's child would exit with status 2.
bool is_fork_error(int err) {
    return err == EAGAIN || err == ENOMEM || err == ENOSYS;
}

// The spawn attributes every script gets; built for each spawn, which costs far more anyway.
class SpawnSetup {
  public:
    SpawnSetup() {
        ::posix_spawnattr_init(&attr_);
        // Handlers we installed (SIGCHLD, SIGTERM...) are reset by execve anyway, but ignored
        // signals (SIGPIPE) and our mask would be inherited: give the script a clean slate.
        sigset_t all;
        ::sigfillset(&all);
        ::posix_spawnattr_setsigdefault(&attr_, &all);
        sigset_t none;
        ::sigemptyset(&none);
        ::posix_spawnattr_setsigmask(&attr_, &none);
        ::posix_spawnattr_setflags(
            &attr_, static_cast<short>(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK));
        ::posix_spawn_file_actions_init(&actions_);
        // Sockets and files of ours are close-on-exec, but not every descriptor in the process
        // is (spdlog's log file, the config stream main() keeps open): nothing but 0, 1 and 2
        // reaches the script.
        ::posix_spawn_file_actions_addclosefrom_np(&actions_, STDERR_FILENO + 1);
    }
    ~SpawnSetup() {
        ::posix_spawn_file_actions_destroy(&actions_);
        ::posix_spawnattr_destroy(&attr_);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;

    const posix_spawnattr_t* attr() const { return &attr_; }
    const posix_spawn_file_actions_t* actions() const { return &actions_; }

  private:
    posix_spawnattr_t attr_{};
    posix_spawn_file_actions_t actions_{};
};

}  // namespace

ScriptRunner::ScriptRunner(asio::io_context& io, EventSink sink)
    : io_(io), sigchld_(io, SIGCHLD), sink_(std::move(sink)) {
    // Asio installs its handler without SA_RESTART. SIGCHLD comes with every script, so let
    // blocking system calls elsewhere (log writes to a pipe) resume instead of failing with
    // EINTR; stopped children need no notice.
    struct sigaction sa {};
    if (::sigaction(SIGCHLD, nullptr, &sa) == 0) {
        sa.sa_flags |= SA_RESTART | SA_NOCLDSTOP;
        ::sigaction(SIGCHLD, &sa, nullptr);
    }
    wait_for_sigchld();
}

ScriptRunner::~ScriptRunner() {
    stop();
}

void ScriptRunner::spawn(std::uint64_t job_id, const std::vector<std::string>& argv) {
    SENTINEL_ASSERT(!argv.empty());
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) {
        // posix_spawn's prototype is not const-correct; it does not write to the strings.
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);

    const SpawnSetup setup;
    pid_t pid = -1;
    const int err =
        ::posix_spawn(&pid, args[0], setup.actions(), setup.attr(), args.data(), environ);
    core::ScriptStartedEvent ev;
    ev.job_id = job_id;
    if (err == 0) {
        ev.pid = static_cast<int>(pid);
        children_.insert(ev.pid);
    } else {
        // glibc has already reaped a child whose exec failed, so no exit is reported for it.
        ev.pid = -1;
        ev.exec_failed = !is_fork_error(err);
        ev.error = std::strerror(err);
    }
    post(std::move(ev));
}

void ScriptRunner::kill(int pid) {
    if (children_.count(pid) != 0) {
        ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
}

void ScriptRunner::reap() {
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno == EINTR) {
            continue;
        }
        if (pid <= 0) {
            return;  // 0: children left, none ended; -1 (ECHILD): no children at all
        }
        children_.erase(static_cast<int>(pid));
        core::ScriptExitedEvent ev;
        ev.pid = static_cast<int>(pid);
        // As sentinelCollectTerminatedScripts(): WEXITSTATUS is 0 for a signal death.
        ev.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
        ev.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        post(ev);
    }
}

void ScriptRunner::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    asio::error_code ignored;
    sigchld_.cancel(ignored);
}

void ScriptRunner::wait_for_sigchld() {
    sigchld_.async_wait(
        [this, alive = std::weak_ptr<int>(alive_)](const asio::error_code& ec, int) {
            if (ec || alive.expired() || stopped_) {
                return;
            }
            reap();
            wait_for_sigchld();
        });
}

void ScriptRunner::post(core::Event event) {
    asio::post(io_, [this, alive = std::weak_ptr<int>(alive_), event = std::move(event)] {
        if (!alive.expired()) {
            sink_(event);
        }
    });
}

}  // namespace sentinel::io
