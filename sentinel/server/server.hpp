#pragma once
// The client-facing command server of a sentinel: sessions, authentication, dispatch, pub/sub.
// Pure: the runtime feeds it bytes and flushes the output it leaves in each session.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/value.hpp"
#include "sentinel/config/config.hpp"
#include "sentinel/core/sentinel.hpp"
#include "sentinel/server/acl.hpp"
#include "sentinel/server/session.hpp"

namespace sentinel::server {

using config::LogLevel;

/// Process facts for INFO, gathered by the runtime when INFO is asked.
struct ProcessStats {
    int pid = 0;
    std::string os;           ///< "Linux 6.1.0 x86_64"
    std::string executable;   ///< absolute path of the binary
    std::string config_file;  ///< absolute path of sentinel.conf
    std::string run_id;       ///< per-process random id (not the sentinel myid)
    std::int64_t server_time_usec = 0;
    std::int64_t uptime_s = 0;
    double cpu_sys = 0, cpu_user = 0;
    int hz = 10;
    bool supervised = false;
};

/// What the server needs from its runtime.
class Host {
  public:
    virtual ~Host() = default;
    virtual Now now() const = 0;
    virtual ProcessStats process_stats() const = 0;
    /// Writes the config atomically; false if it failed (already logged).
    virtual bool persist(const config::Config& cfg) = 0;
    /// Asks for a persist a little later, coalescing many into one; the host then calls
    /// Server::persist_now(). Returns false if it cannot defer (the server persists at once).
    virtual bool defer_persist() { return false; }
    /// Asks the runtime to stop the process after flushing replies.
    virtual void shutdown() = 0;
    /// Carries out a ConnectAction, CloseAction or SendAction on an outgoing link.
    virtual void link_action(const core::Action& action) = 0;
    /// Carries out a SpawnScriptAction: starts argv (argv[0] = path) without blocking and later
    /// delivers ScriptStartedEvent{job_id} and ScriptExitedEvent to the core, never from inside
    /// this call. The default suits hosts that run no programs: it only calls run_script(), so
    /// the job stays "running" in the core's queue.
    virtual void spawn_script(std::uint64_t job_id, const std::vector<std::string>& argv) {
        (void)job_id;
        run_script(argv);
    }
    /// Carries out a KillScriptAction: SIGKILL to a script process not reaped yet. The default
    /// does nothing.
    virtual void kill_script(int pid) { (void)pid; }
    /// Deprecated record-only hook, kept while the simulator still overrides it; only the
    /// default spawn_script() calls it.
    virtual void run_script(const std::vector<std::string>& argv) { (void)argv; }
    /// Ends the process at once with `code` (SENTINEL SIMULATE-FAILURE crashes).
    virtual void terminate(int code, const std::string& message) = 0;
};

/// Counters shown by INFO stats.
struct ServerStats {
    std::uint64_t connections_received = 0;
    std::uint64_t commands_processed = 0;
    std::uint64_t net_input_bytes = 0;
    std::uint64_t net_output_bytes = 0;
    std::uint64_t rejected_connections = 0;
    std::uint64_t error_replies = 0;
    std::uint64_t reads_processed = 0;
    std::uint64_t writes_processed = 0;
};

/// Serves clients of one sentinel.
class Server {
  public:
    /// Output a pub/sub client may accumulate before it is dropped (client-output-buffer-limit
    /// pubsub hard limit); other clients get a larger bound so no queue grows without limit.
    static constexpr std::size_t kPubsubOutputLimit = 32u * 1024 * 1024;
    static constexpr std::size_t kNormalOutputLimit = 256u * 1024 * 1024;
    /// Query buffer bound (client-query-buffer-limit default).
    static constexpr std::size_t kQueryBufferLimit = 1024u * 1024 * 1024;

    Server(core::Sentinel& sentinel, const config::ServerConfig& cfg, Host& host,
           core::Logger& log);

    /// Registers a new connection. Returns its id; the session may already be marked to close
    /// with an error written (max clients, protected mode).
    std::uint64_t connect(const ClientAddress& address);

    /// Feeds bytes read from a client and runs every complete command.
    void receive(std::uint64_t id, std::string_view bytes);

    /// Forgets a closed connection.
    void disconnect(std::uint64_t id);

    /// Session by id, or nullptr.
    Session* session(std::uint64_t id);

    /// Ids of sessions with output to flush or that must be closed, since the last call.
    std::vector<std::uint64_t> take_dirty();
    /// The same, added to `ids` (then sorted, without duplicates), so a
    /// caller flushing after every request can reuse one vector.
    void take_dirty(std::vector<std::uint64_t>& ids);

    /// Carries out core actions: events are logged and published, persists are written,
    /// script spawns and kills go to the host's spawn_script/kill_script, link actions to its
    /// link_action. Returns false if a persist with reply_depends failed.
    bool apply(const core::Outbox& out);

    /// Writes the current configuration now (a deferred persist coming due, or shutdown).
    bool persist_now();

    /// Publishes `message` on `channel` to every subscriber; returns receivers.
    std::size_t publish(std::string_view channel, std::string_view message);

    /// Accounting hooks for the runtime.
    void count_written(std::size_t bytes) {
        stats_.net_output_bytes += bytes;
        ++stats_.writes_processed;
    }
    void count_rejected() { ++stats_.rejected_connections; }

    std::size_t client_count() const { return sessions_.size(); }

  private:
    using Args = std::vector<std::string>;
    struct CommandSpec;

    void execute(Session& s, Args& args);
    void reply(Session& s, const resp::Value& v);
    void reply_error(Session& s, std::string_view text);
    void mark_dirty(Session& s);

    void cmd_ping(Session& s, const Args& a);
    void cmd_info(Session& s, const Args& a);
    void cmd_role(Session& s, const Args& a);
    void cmd_hello(Session& s, const Args& a);
    void cmd_auth(Session& s, const Args& a);
    void cmd_client(Session& s, const Args& a);
    void cmd_command(Session& s, const Args& a);
    void cmd_acl(Session& s, const Args& a);
    void cmd_shutdown(Session& s, const Args& a);
    void cmd_subscribe(Session& s, const Args& a, bool pattern);
    void cmd_unsubscribe(Session& s, const Args& a, bool pattern);
    void cmd_publish(Session& s, const Args& a);
    void cmd_sentinel(Session& s, const Args& a);

    std::string info_text(const Args& a) const;
    std::string client_line(const Session& s) const;
    std::int64_t kill_clients(const Session& self, const Args& a, bool& ok, std::string& err);

    core::Sentinel& sentinel_;
    config::ServerConfig cfg_;
    Host& host_;
    core::Logger& log_;
    Acl acl_;
    std::map<std::uint64_t, std::unique_ptr<Session>> sessions_;
    std::vector<std::uint64_t> dirty_;
    std::uint64_t next_id_ = 1;
    ServerStats stats_;
    /// Served command names after rename-command: lower-case name -> canonical name.
    std::map<std::string, std::string> names_;
    /// The same as a flat list, lower-case name -> index of the command's spec, searched per
    /// command without lower-casing the client's spelling first.
    std::vector<std::pair<std::string, std::size_t>> served_;
    /// The time of the read being processed (see receive()).
    Now now_{};
    /// The current command's lower-case subcommand; a member so its buffer is reused.
    std::string sub_;
    /// The command being run; emptied by the parser before receive() returns.
    Args args_;
};

}  // namespace sentinel::server
