#pragma once
// One simulated sentinel process: the real core and the real client-facing server, wired to
// the simulated network and clock instead of Asio.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/resp/parser.hpp"
#include "sentinel/config/config.hpp"
#include "sentinel/core/logger.hpp"
#include "sentinel/core/sentinel.hpp"
#include "sentinel/server/server.hpp"
#include "tests/sim/event_queue.hpp"
#include "tests/sim/network.hpp"

namespace sentinel::sim {

using config::LogLevel;

/// One sentinel event as published (channel = type, payload = text), with its virtual time.
struct EventRecord {
    Millis time{0};
    std::string type;  ///< "+sdown"
    std::string text;  ///< "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379"
    /// Restarts of the process before this event (0 = its first run): per-process state such
    /// as ODOWN or a failover attempt does not survive a restart, and the checker must know.
    int boot = 0;
    /// "type text", as Redis logs it.
    std::string line() const { return type + " " + text; }
    friend bool operator==(const EventRecord&, const EventRecord&) = default;
};

/// One line the sentinel logged.
struct LogRecord {
    Millis time{0};
    LogLevel level = LogLevel::notice;
    std::string text;
};

/// Records every log line of one sentinel (all levels), for assertions and --verbose.
class SimLogger final : public core::Logger {
  public:
    explicit SimLogger(const EventQueue& queue) : queue_(queue) {}
    void log(LogLevel level, std::string_view message) override;
    bool enabled(LogLevel) const override { return true; }
    const std::vector<LogRecord>& lines() const { return lines_; }
    /// Called for every line as it is logged (sentinel-sim --verbose prints them).
    std::function<void(const LogRecord&)> echo;

  private:
    const EventQueue& queue_;
    std::vector<LogRecord> lines_;
};

/// A sentinel process in the simulation.
///
/// Runs a core::Sentinel and a server::Server exactly as the Asio runtime does: every outbox
/// goes through Server::apply (events are logged and published, persists reach persist(),
/// link actions reach link_action()), client connections from other sentinels are real Server
/// sessions fed RESP bytes, and outgoing links turn SendActions into RESP commands and replies
/// back into ReplyEvents through resp::ReplyParser.
///
/// Events are recorded through a hidden observer session subscribed to every channel (the way
/// a `PSUBSCRIBE *` client would see them), so events produced inside client commands
/// (PUBLISH hello, SENTINEL is-master-down-by-addr) are recorded too. Consequences: the
/// observer shows up as one extra pub/sub client in CLIENT LIST / INFO, and debug-level events
/// (which Redis does not publish either) are not in events().
class SentinelNode final : public NetNode, public server::Host {
  public:
    /// `disk` is the configuration on disk at first start; persists replace it. The node is
    /// down until boot().
    SentinelNode(std::size_t index, EventQueue& queue, Network& net, config::Config disk,
                 std::string ip);
    ~SentinelNode() override;

    /// Starts the process from what is on disk, with a fresh Rng seeded by `seed`.
    void boot(std::uint64_t seed);
    /// Kills the process: links reset, listener closed, in-memory state lost.
    void crash();
    bool up() const { return up_; }
    /// Times boot() ran.
    int boots() const { return boots_; }

    std::size_t index() const { return index_; }
    NodeId net_id() const { return net_id_; }
    const std::string& ip() const { return ip_; }
    int port() const { return disk_.server.port; }
    /// "ip:port" of the client port.
    std::string address() const;

    /// The running core (asserts the node is up).
    core::Sentinel& core();
    const core::Sentinel& core() const;
    server::Server& server();

    /// Runs `SENTINEL ...` through core::Sentinel::command as an operator would, applying the
    /// resulting actions. Returns the reply.
    resp::Value command(const std::vector<std::string>& args);

    /// Moves this node's wall clock by `delta` (its monotonic clock is unaffected).
    void jump_wall_clock(Millis delta) { wall_offset_ += delta; }

    /// Events published so far, over every boot.
    const std::vector<EventRecord>& events() const { return events_; }
    const SimLogger& logger() const { return *logger_; }
    SimLogger& logger() { return *logger_; }
    /// The configuration a restart would load.
    const config::Config& disk() const { return disk_; }
    int persist_count() const { return persist_count_; }
    /// Makes persist() fail (a full disk) until cleared.
    void set_persist_fails(bool fails) { persist_fails_ = fails; }
    bool persist_fails() const { return persist_fails_; }
    /// SENTINEL FAILOVER commands run through command() and accepted (+OK), over every boot.
    /// The checker lets each of them start one failover without ODOWN.
    int manual_failovers() const { return manual_failovers_; }

    /// SendActions for a link id the core never opened (a core bug the checker reports).
    std::uint64_t sends_on_unopened_links() const { return sends_on_unopened_; }
    /// Send/Close actions for links already down or closed (harmless, counted for curiosity).
    std::uint64_t actions_on_dead_links() const { return actions_on_dead_; }

    /// Called after every event the node handles (ticks, link events, client commands).
    std::function<void(SentinelNode&)> after_step;
    /// Called for every recorded event.
    std::function<void(SentinelNode&, const EventRecord&)> on_event;

    /// Records a line per core input and link action when on (for debugging stories).
    void set_trace(bool on) { trace_on_ = on; }
    const std::vector<std::string>& trace() const { return trace_; }

    // server::Host
    Now now() const override;
    server::ProcessStats process_stats() const override;
    bool persist(const config::Config& cfg) override;
    void shutdown() override;
    void link_action(const core::Action& action) override;
    /// Records the script run (the simulator runs no programs).
    void run_script(const std::vector<std::string>& argv) override;
    /// SENTINEL SIMULATE-FAILURE: the process dies once the current action list is done, and
    /// nothing after the exit (persists, link actions, replies) leaves it.
    void terminate(int code, const std::string& message) override;

    /// Scripts the core asked to run, in order (argv[0] is the path).
    const std::vector<std::vector<std::string>>& scripts() const { return scripts_; }
    /// Exit codes of terminate() calls, over every boot.
    const std::vector<int>& exit_codes() const { return exit_codes_; }

    // NetNode
    void net_accepted(ConnId conn, const std::string& peer_addr) override;
    void net_connected(ConnId conn, const std::string& local_ip) override;
    void net_connect_failed(ConnId conn, const std::string& reason) override;
    void net_data(ConnId conn, const std::string& bytes) override;
    void net_closed(ConnId conn, const std::string& reason) override;

  private:
    struct OutLink {
        core::LinkId link = 0;
        resp::ReplyParser parser;
    };

    void step(const core::Event& event);
    void apply(const core::Outbox& out);
    void flush_server();
    void open_observer();
    void drain_observer();
    void finish_step();
    void schedule_tick();
    void link_down(ConnId conn, const std::string& reason);
    void note(std::string line);

    std::size_t index_;
    EventQueue& queue_;
    Network& net_;
    config::Config disk_;
    std::string ip_;
    NodeId net_id_ = 0;
    std::unique_ptr<SimLogger> logger_;
    std::unique_ptr<core::Sentinel> core_;
    std::unique_ptr<server::Server> server_;
    bool up_ = false;
    bool terminating_ = false;  ///< terminate() ran; the crash follows at once
    int boots_ = 0;
    Millis booted_at_{0};
    Millis wall_offset_{0};
    std::string process_run_id_;
    int persist_count_ = 0;
    bool persist_fails_ = false;
    int manual_failovers_ = 0;

    std::map<core::LinkId, ConnId> links_;
    std::map<ConnId, OutLink> out_links_;
    std::set<core::LinkId> opened_links_;
    std::map<ConnId, std::uint64_t> conn_sessions_;
    std::map<std::uint64_t, ConnId> session_conns_;
    std::uint64_t observer_ = 0;
    resp::ReplyParser observer_parser_;
    std::uint64_t sends_on_unopened_ = 0;
    std::uint64_t actions_on_dead_ = 0;

    std::uint64_t tick_generation_ = 0;
    std::optional<Millis> tick_at_;
    std::optional<Millis> last_tick_;

    std::vector<EventRecord> events_;
    std::vector<std::vector<std::string>> scripts_;
    std::vector<int> exit_codes_;
    bool trace_on_ = false;
    std::vector<std::string> trace_;
};

}  // namespace sentinel::sim
