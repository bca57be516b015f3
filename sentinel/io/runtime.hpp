#pragma once
// The Asio runtime: one thread, one io_context. Owns the listening sockets, client connections,
// outgoing links and the tick timer; carries out the core's actions and feeds it events.

#include <asio.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sentinel/config/config.hpp"
#include "sentinel/core/sentinel.hpp"
#include "sentinel/io/logging.hpp"
#include "sentinel/io/outgoing_link.hpp"
#include "sentinel/io/script_runner.hpp"
#include "sentinel/server/server.hpp"

namespace sentinel::io {

using config::LogLevel;

/// Everything main() resolved before the runtime starts.
struct StartupOptions {
    config::Config config;
    std::string config_path;  ///< absolute
    std::string executable;   ///< absolute
    std::uint64_t seed = 0;   ///< for myid and jitter
};

/// Runs a sentinel until SIGTERM/SIGINT or SHUTDOWN.
class Runtime final : public server::Host {
  public:
    Runtime(StartupOptions opts, RedisLogger& log);
    ~Runtime() override;

    /// Binds the listeners; false (after logging why) if the port cannot be used.
    bool listen();

    /// Runs the event loop; returns the process exit code.
    int run();

    // server::Host
    Now now() const override;
    server::ProcessStats process_stats() const override;
    bool persist(const config::Config& cfg) override;
    bool defer_persist() override;
    void shutdown() override;
    /// Hands a ConnectAction, SendAction or CloseAction to the outgoing links. Called from
    /// inside Server::apply, so it never runs the core: events it causes are delivered later.
    void link_action(const core::Action& action) override;
    /// Starts a script process; its outcome reaches the core later as posted events.
    void spawn_script(std::uint64_t job_id, const std::vector<std::string>& argv) override;
    /// SIGKILL to a script process that has not been reaped yet.
    void kill_script(int pid) override;
    void terminate(int code, const std::string& message) override;

  private:
    struct Connection;

    asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor);
    asio::awaitable<void> reader(std::shared_ptr<Connection> c);
    // Sends the session's output: a direct non-blocking write first, an asynchronous write of
    // whatever the socket did not take.
    void write_out(const std::shared_ptr<Connection>& c);
    void write_async(const std::shared_ptr<Connection>& c);
    asio::awaitable<void> tick_loop();
    // Runs one event through the core and carries out what it asks. Never re-entered.
    void deliver(const core::Event& event);
    // Wakes the tick loop if the core's deadline moved since the timer was armed.
    void rearm_timer();
    void flush();
    void close(const std::shared_ptr<Connection>& c);
    void stop();

    StartupOptions opts_;
    RedisLogger& log_;
    asio::io_context io_;
    asio::signal_set signals_;
    std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
    std::unique_ptr<core::Sentinel> sentinel_;
    std::unique_ptr<server::Server> server_;
    std::map<std::uint64_t, std::shared_ptr<Connection>> connections_;
    std::vector<std::uint64_t> dirty_;  // reused by flush()
    // After sentinel_ and server_: the sink runs both, and links_ is destroyed first.
    OutgoingLinks links_;
    // Likewise: its posted events run the core.
    ScriptRunner scripts_;
    asio::steady_timer tick_timer_;
    /// Coalesces deferrable persists (discovery) into one write shortly after the first.
    asio::steady_timer persist_timer_;
    bool persist_pending_ = false;
    bool delivering_ = false;
    std::string run_id_;
    std::chrono::steady_clock::time_point started_;
    bool stopping_ = false;
};

}  // namespace sentinel::io
