#pragma once
// The Asio runtime: one thread, one io_context. Owns the listening sockets and client
// connections, carries out the core's actions and feeds it events.

#include <asio.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sentinel/config/config.hpp"
#include "sentinel/core/sentinel.hpp"
#include "sentinel/io/logging.hpp"
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
    void shutdown() override;

private:
    struct Connection;

    asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor);
    asio::awaitable<void> reader(std::shared_ptr<Connection> c);
    asio::awaitable<void> writer(std::shared_ptr<Connection> c);
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
    std::string run_id_;
    std::chrono::steady_clock::time_point started_;
    bool stopping_ = false;
};

}  // namespace sentinel::io
