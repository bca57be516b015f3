#include "sentinel/io/runtime.hpp"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <asio/experimental/as_tuple.hpp>
#include <fstream>
#include <sstream>

#include "common/util/assert.hpp"
#include "sentinel/config/rewrite.hpp"
#include "sentinel/io/persist.hpp"
#include "sentinel/io/socket_util.hpp"

namespace sentinel::io {
namespace {

// How long a deferrable (discovery) persist may wait to be coalesced with others.
constexpr int kDeferredPersistMs = 100;

using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

Millis since_epoch_ms(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<Millis>(t.time_since_epoch());
}

// Inverse of since_epoch_ms: Now::mono is steady_clock time since its epoch.
std::chrono::steady_clock::time_point steady_time(Millis mono) {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(mono));
}

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}

// A bind entry: "*" = every IPv4 address, "::*" = every IPv6 address; a leading '-' makes it
// optional (failure to bind it is not fatal), as in redis.conf.
struct BindSpec {
    asio::ip::address address;
    bool optional = false;
    std::string text;
};

std::optional<BindSpec> parse_bind(std::string entry) {
    BindSpec spec;
    spec.text = entry;
    if (!entry.empty() && entry[0] == '-') {
        spec.optional = true;
        entry.erase(0, 1);
    }
    if (entry == "*") {
        spec.address = asio::ip::address_v4::any();
    } else if (entry == "::*") {
        spec.address = asio::ip::address_v6::any();
    } else {
        asio::error_code ec;
        spec.address = asio::ip::make_address(entry, ec);
        if (ec) {
            return std::nullopt;
        }
    }
    return spec;
}

}  // namespace

struct Runtime::Connection {
    explicit Connection(asio::ip::tcp::socket s) : socket(std::move(s)) {}
    asio::ip::tcp::socket socket;
    std::string in_flight;  // output handed to an asynchronous write the socket has not taken
    std::uint64_t id = 0;
    bool writing = false;  // an asynchronous write is in flight: direct writes must wait
    bool closed = false;
};

Runtime::Runtime(StartupOptions opts, RedisLogger& log)
    : opts_(std::move(opts)),
      log_(log),
      io_(1),
      signals_(io_, SIGTERM, SIGINT),
      links_(io_, [this](const core::Event& ev) { deliver(ev); }),
      scripts_(io_, [this](const core::Event& ev) { deliver(ev); }),
      tick_timer_(io_),
      persist_timer_(io_),
      started_(std::chrono::steady_clock::now()) {
    Rng rng(opts_.seed);
    run_id_ = Rng(opts_.seed ^ 0x5bd1e995ULL).hex(40);
    core::CoreServices services;
    // Relative script paths resolve from the working directory (`dir`), as in Redis.
    services.script_is_executable = [](const std::string& path) {
        return ::access(path.c_str(), X_OK) == 0;
    };
    // Blocking, as Redis's own lookups: the core asks only when an address is created or
    // before reconnecting to an instance known by name (resolve-hostnames yes).
    services.resolve = config::resolve_hostname;
    sentinel_ =
        std::make_unique<core::Sentinel>(opts_.config, rng, log_, now(), std::move(services));
    server_ = std::make_unique<server::Server>(*sentinel_, opts_.config.server, *this, log_);
}

Runtime::~Runtime() = default;

Now Runtime::now() const {
    return Now{
        since_epoch_ms(std::chrono::steady_clock::now()),
        std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch())};
}

bool Runtime::listen() {
    const int port = opts_.config.server.port;
    for (const auto& entry : opts_.config.server.bind) {
        const auto spec = parse_bind(entry);
        if (!spec) {
            log_.log(LogLevel::warning, "Invalid bind address '" + entry + "'");
            return false;
        }
        auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
        const asio::ip::tcp::endpoint ep(spec->address, static_cast<unsigned short>(port));
        asio::error_code ec;
        acceptor->open(ep.protocol(), ec);
        if (!ec) {
            ec = set_cloexec(acceptor->native_handle());
        }
        if (!ec && ep.address().is_v6()) {
            // IPv4 and IPv6 wildcards are separate sockets, as in Redis.
            acceptor->set_option(asio::ip::v6_only(true), ec);
        }
        if (!ec) {
            acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
        }
        if (!ec) {
            acceptor->bind(ep, ec);
        }
        if (!ec) {
            acceptor->listen(opts_.config.server.tcp_backlog, ec);
        }
        if (ec) {
            if (spec->optional && (ec == std::errc::address_not_available ||
                                   ec == std::errc::address_family_not_supported)) {
                continue;
            }
            log_.log(LogLevel::warning, "Warning: Could not create server TCP listening socket " +
                                            spec->text + ":" + std::to_string(port) +
                                            ": bind: " + ec.message());
            log_.log(LogLevel::warning,
                     "Failed listening on port " + std::to_string(port) + " (TCP), aborting.");
            return false;
        }
        acceptors_.push_back(std::move(acceptor));
    }
    return !acceptors_.empty();
}

int Runtime::run() {
    log_.log(LogLevel::notice,
             "Running mode=sentinel, port=" + std::to_string(opts_.config.server.port) + ".");
    core::Outbox out;
    sentinel_->start(now(), out);
    server_->apply(out);
    // A first tick at once, so monitoring starts without waiting for a deadline; then the
    // timer follows next_deadline().
    asio::post(io_, [this] {
        deliver(core::TickEvent{});
        asio::co_spawn(io_, tick_loop(), asio::detached);
    });

    for (auto& a : acceptors_) {
        asio::co_spawn(io_, accept_loop(*a), asio::detached);
    }
    signals_.async_wait([this](const asio::error_code& ec, int sig) {
        if (!ec) {
            log_.log(LogLevel::warning, std::string("Received ") +
                                            (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                                            " scheduling shutdown...");
            stop();
        }
    });
    io_.run();
    log_.log(LogLevel::warning, "Sentinel is now ready to exit, bye bye...");
    return 0;
}

void Runtime::link_action(const core::Action& action) {
    links_.execute(action);
}

void Runtime::spawn_script(std::uint64_t job_id, const std::vector<std::string>& argv) {
    scripts_.spawn(job_id, argv);
}

void Runtime::kill_script(int pid) {
    scripts_.kill(pid);
}

void Runtime::deliver(const core::Event& event) {
    if (stopping_) {
        return;
    }
    // Links never call back from inside link_action (they post instead), so the core is never
    // stepped while it is already stepping or while its outbox is being carried out.
    SENTINEL_ASSERT(!delivering_);
    delivering_ = true;
    core::Outbox out;
    sentinel_->step(now(), event, out);
    server_->apply(out);
    delivering_ = false;
    flush();
    rearm_timer();
}

awaitable<void> Runtime::tick_loop() {
    while (!stopping_) {
        tick_timer_.expires_at(steady_time(sentinel_->next_deadline()));
        auto [ec] = co_await tick_timer_.async_wait(kTuple);
        if (stopping_) {
            co_return;
        }
        // operation_aborted: rearm_timer() saw the deadline move; wait for the new one.
        if (!ec) {
            // A safety net for a lost SIGCHLD: exits found here are posted, so the core sees
            // them right after this tick.
            scripts_.reap();
            deliver(core::TickEvent{});
        }
    }
}

void Runtime::rearm_timer() {
    // Only a wait for a stale deadline is cancelled; while a tick is being delivered nothing
    // waits and the loop re-reads the deadline anyway.
    if (tick_timer_.expiry() != steady_time(sentinel_->next_deadline())) {
        tick_timer_.cancel();
    }
}

void Runtime::terminate(int code, const std::string&) {
    // A simulated crash: no cleanup, no pidfile removal, exactly like exit() in Redis.
    std::_Exit(code);
}

void Runtime::shutdown() {
    asio::post(io_, [this] { stop(); });
}

void Runtime::stop() {
    if (stopping_) {
        return;
    }
    if (persist_pending_) {
        server_->persist_now();
    }
    persist_timer_.cancel();
    stopping_ = true;
    for (auto& a : acceptors_) {
        asio::error_code ignored;
        a->close(ignored);
    }
    signals_.cancel();
    scripts_.stop();
    links_.close_all();
    tick_timer_.cancel();
    // Best effort, never blocking: replies already queued go out if the socket takes them.
    // A connection with a write in flight is skipped: its queued bytes would overtake it.
    for (auto& [id, c] : connections_) {
        if (auto* s = server_->session(id); s != nullptr && !s->out.empty() && !c->writing) {
            asio::error_code ignored;
            c->socket.write_some(asio::buffer(s->out), ignored);
        }
    }
    io_.stop();
}

awaitable<void> Runtime::accept_loop(asio::ip::tcp::acceptor& acceptor) {
    while (acceptor.is_open()) {
        auto [ec, socket] = co_await acceptor.async_accept(kTuple);
        if (ec) {
            if (ec == asio::error::operation_aborted) {
                co_return;
            }
            // Out of descriptors and similar: keep serving the clients we have.
            log_.log(LogLevel::warning, "Accepting client connection: " + ec.message());
            continue;
        }
        asio::error_code ignored;
        if (const auto cec = set_cloexec(socket.native_handle())) {
            log_.log(LogLevel::warning, "Accepting client connection: fcntl: " + cec.message());
            socket.close(ignored);
            continue;
        }
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        server::ClientAddress addr;
        const auto remote = socket.remote_endpoint(ignored);
        const auto local = socket.local_endpoint(ignored);
        addr.addr = endpoint_text(remote);
        addr.laddr = endpoint_text(local);
        addr.fd = static_cast<int>(socket.native_handle());
        addr.loopback = remote.address().is_loopback() ||
                        (remote.address().is_v6() && remote.address().to_v6().is_v4_mapped() &&
                         asio::ip::make_address_v4(asio::ip::v4_mapped, remote.address().to_v6())
                             .is_loopback());
        // Replies are written straight from the reader; a full socket must not block the loop.
        socket.non_blocking(true, ignored);
        auto c = std::make_shared<Connection>(std::move(socket));
        c->id = server_->connect(addr);
        connections_[c->id] = c;
        asio::co_spawn(io_, reader(c), asio::detached);
        flush();
    }
}

awaitable<void> Runtime::reader(std::shared_ptr<Connection> c) {
    std::array<char, 16 * 1024> buf{};
    while (!c->closed) {
        auto [ec, n] = co_await c->socket.async_read_some(asio::buffer(buf), kTuple);
        if (ec || c->closed) {
            break;
        }
        // Every complete request in the buffer runs before the replies go out in one write.
        server_->receive(c->id, std::string_view(buf.data(), n));
        flush();
        // A command may have moved the deadline (SENTINEL DEBUG, a hello PUBLISHed to us).
        rearm_timer();
        const auto* s = server_->session(c->id);
        if (s == nullptr || s->close_after_write) {
            co_return;  // the last reply's write closes the connection
        }
    }
    close(c);
}

void Runtime::write_out(const std::shared_ptr<Connection>& c) {
    server::Session* s = server_->session(c->id);
    if (s == nullptr || c->closed || c->writing) {
        return;  // a write in flight picks up the new output when it completes
    }
    if (!s->out.empty()) {
        // One request, one write: no wake-up of another coroutine, no asynchronous operation,
        // unless the socket cannot take the whole reply now.
        asio::error_code ec;
        const std::size_t n = c->socket.write_some(asio::buffer(s->out), ec);
        if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
            close(c);
            return;
        }
        if (n > 0) {
            server_->count_written(n);
            s->out.erase(0, n);
        }
        if (!s->out.empty()) {
            write_async(c);
            return;
        }
    }
    if (s->close_after_write) {
        close(c);
    }
}

void Runtime::write_async(const std::shared_ptr<Connection>& c) {
    server::Session* s = server_->session(c->id);
    c->writing = true;
    c->in_flight.clear();
    c->in_flight.swap(s->out);
    asio::async_write(c->socket, asio::buffer(c->in_flight),
                      [this, c](const asio::error_code& ec, std::size_t n) {
                          c->writing = false;
                          if (c->closed) {
                              return;
                          }
                          if (ec) {
                              close(c);
                              return;
                          }
                          server_->count_written(n);
                          write_out(c);
                      });
}

void Runtime::flush() {
    dirty_.clear();
    server_->take_dirty(dirty_);
    for (const auto id : dirty_) {
        const auto it = connections_.find(id);
        if (it == connections_.end()) {
            continue;
        }
        const auto* s = server_->session(id);
        if (s == nullptr || s->closed) {
            close(it->second);
        } else {
            // A copy: closing erases the map entry that `it` refers to.
            write_out(std::shared_ptr<Connection>(it->second));
        }
    }
}

void Runtime::close(const std::shared_ptr<Connection>& c) {
    if (c->closed) {
        return;
    }
    c->closed = true;
    asio::error_code ignored;
    c->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    c->socket.close(ignored);
    server_->disconnect(c->id);
    connections_.erase(c->id);
}

bool Runtime::defer_persist() {
    if (stopping_) {
        return false;
    }
    if (!persist_pending_) {
        persist_pending_ = true;
        // Discoveries come in bursts (a master's INFO lists every replica, hellos introduce
        // every peer for every master): one rewrite per burst instead of one per instance.
        persist_timer_.expires_after(std::chrono::milliseconds(kDeferredPersistMs));
        persist_timer_.async_wait([this](const asio::error_code& ec) {
            if (!ec && persist_pending_) {
                server_->persist_now();
            }
        });
    }
    return true;
}

bool Runtime::persist(const config::Config& cfg) {
    // Whatever is written now includes every deferred change.
    persist_pending_ = false;
    // Like rewriteConfig(): start from the file as it is now, so edits made by hand to lines we
    // do not own survive.
    std::ifstream in(opts_.config_path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string updated = config::rewrite_config(text.str(), cfg);
    if (auto err = write_file_atomically(opts_.config_path, updated)) {
        log_.log(LogLevel::warning,
                 "WARNING: Sentinel was not able to save the new configuration "
                 "on disk!!!: " +
                     *err);
        return false;
    }
    log_.log(LogLevel::notice, "Sentinel new configuration saved on disk");
    return true;
}

server::ProcessStats Runtime::process_stats() const {
    server::ProcessStats ps;
    ps.pid = static_cast<int>(::getpid());
    utsname u{};
    if (::uname(&u) == 0) {
        ps.os = std::string(u.sysname) + " " + u.release + " " + u.machine;
    }
    ps.executable = opts_.executable;
    ps.config_file = opts_.config_path;
    ps.run_id = run_id_;
    ps.server_time_usec = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    ps.uptime_s = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::steady_clock::now() - started_)
                      .count();
    rusage ru{};
    if (::getrusage(RUSAGE_SELF, &ru) == 0) {
        ps.cpu_sys = static_cast<double>(ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_stime.tv_usec) / 1e6;
        ps.cpu_user = static_cast<double>(ru.ru_utime.tv_sec) +
                      static_cast<double>(ru.ru_utime.tv_usec) / 1e6;
    }
    return ps;
}

}  // namespace sentinel::io
