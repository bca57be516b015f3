#pragma once
// The sentinel's state and logic. Pure: no I/O, no clock, no randomness of its own.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/resp/value.hpp"
#include "common/util/rng.hpp"
#include "common/util/time.hpp"
#include "sentinel/config/config.hpp"
#include "sentinel/core/actions.hpp"
#include "sentinel/core/address.hpp"
#include "sentinel/core/events.hpp"
#include "sentinel/core/instance.hpp"
#include "sentinel/core/logger.hpp"
#include "sentinel/core/script_queue.hpp"

namespace sentinel::core {

/// Read-only facts about the hosting process that replies need. Empty today: the script
/// counts INFO shows come from the core's own ScriptQueue.
struct ProcessFacts {};

/// Services the core needs from its host for the few checks Redis makes against the machine.
/// The default-constructed value is meant for tests and simulations only: its predicate
/// accepts every path and its resolver knows no names. The runtime must install real
/// implementations.
struct CoreServices {
    /// True when `path` names something this process may execute: redis-sentinel's
    /// `access(path, X_OK) == 0`, with relative paths taken from the current directory.
    /// SENTINEL SET asks it for non-empty notification-script / client-reconfig-script values.
    std::function<bool(const std::string& path)> script_is_executable = [](const std::string&) {
        return true;
    };
    /// The IP address text `host` resolves to, or nullopt (anetResolve() without ANET_IP_ONLY).
    /// May block, as Redis's lookups do. Asked only with resolve-hostnames yes, only about
    /// host names (IP literals are normalized by the core), and only when an address is
    /// created (SENTINEL MONITOR, a newly discovered replica or peer, a switch to an address
    /// a peer announced) or before reconnecting to an instance known by name.
    std::function<std::optional<std::string>(const std::string& host)> resolve =
        [](const std::string& host) { return normalize_ip_literal(host); };
};

/// The SENTINEL DEBUG timing knobs (milliseconds), with Redis's defaults. Changing them at
/// run time is how tests speed sentinels up; they are never persisted.
struct Timing {
    std::int64_t info_period = 10000;
    std::int64_t ping_period = 1000;
    std::int64_t ask_period = 1000;
    std::int64_t publish_period = 2000;
    std::int64_t default_down_after = 30000;         ///< for masters added by SENTINEL MONITOR
    std::int64_t default_failover_timeout = 180000;  ///< likewise
    std::int64_t tilt_trigger = 2000;
    std::int64_t tilt_period = 30000;
    std::int64_t slave_reconf_timeout = 10000;
    std::int64_t min_link_reconnect_period = 15000;
    std::int64_t election_timeout = 10000;
    std::int64_t script_max_runtime = 60000;
    std::int64_t script_retry_delay = 30000;
    friend bool operator==(const Timing&, const Timing&) = default;
};

/// SENTINEL SIMULATE-FAILURE flags (SENTINEL_SIMFAILURE_*), also shown by INFO as
/// sentinel_simulate_failure_flags. The failover code exits with status 99 at these points.
enum SimulatedFailure : std::uint32_t {
    kSimFailureCrashAfterElection = 1u << 0,
    kSimFailureCrashAfterPromotion = 1u << 1,
};

/// One sentinel: its masters, their replicas and peers, global sentinel options and epochs.
class Sentinel {
  public:
    /// Builds the state from a loaded configuration. A missing myid is generated from `rng`.
    /// `services` answers questions about the machine (see CoreServices).
    Sentinel(const config::Config& cfg, Rng rng, Logger& log, const Now& now,
             CoreServices services = {});

    /// Emits start-up events (`+monitor` per master) and asks for a persist when the myid was
    /// generated, as redis-sentinel does on its first start.
    void start(const Now& now, Outbox& out);

    /// Feeds one event and appends the resulting actions to `out`. Never blocks; the work done
    /// is bounded by the size of the state touched.
    void step(const Now& now, const Event& event, Outbox& out);

    /// The monotonic time by which the next TickEvent must be delivered.
    Millis next_deadline() const { return next_tick_; }

    /// Runs one `SENTINEL ...` command (args[0] is "SENTINEL" in any case).
    resp::Value command(const Now& now, const std::vector<std::string>& args, Outbox& out);

    /// The "# Sentinel" section of INFO, lines ending in CRLF, header included.
    std::string info_section(const Now& now, const ProcessFacts& facts) const;

    /// True while in TILT mode (no acting on what is observed).
    bool tilt() const { return tilt_; }

    /// Names of the monitored masters, for ROLE.
    std::vector<std::string> master_names() const;

    /// The configuration as it should be persisted now (options, epochs, known instances).
    /// `server` is carried over from the configuration given at construction.
    config::Config snapshot() const;

    const std::string& myid() const { return globals_.myid; }
    const config::SentinelConfig& globals() const { return globals_; }
    const std::vector<Master>& masters() const { return masters_; }
    bool myid_generated() const { return myid_generated_; }
    /// Current SENTINEL DEBUG knobs.
    const Timing& timing() const { return timing_; }
    /// Where clients should find the master now: the promoted replica once promotion is
    /// seen, else the configured address; announced as Redis does (announced()).
    std::pair<std::string, int> current_master_address(const Master& m) const;
    /// The instance that is the master for clients now (the promoted replica after promotion).
    const InstanceState& current_master_instance(const Master& m) const;
    /// The address shown, persisted and sent for an instance (announceSentinelAddr): its host
    /// as given with announce-hostnames, else its resolved IP (the host while unresolved).
    std::string announced(const InstanceState& inst) const;
    /// SimulatedFailure bits set by the last SENTINEL SIMULATE-FAILURE.
    std::uint32_t simulated_failures() const { return simulated_failures_; }
    /// Notification and client-reconfig script runs, queued or running.
    const ScriptQueue& scripts() const { return scripts_; }

  private:
    Master* find_master(std::string_view name);
    /// Rebuilds master_index_; called whenever masters_ gains or loses an element.
    void reindex_masters();
    /// createSentinelAddr()'s lookup: an IP literal normalized, or with resolve-hostnames a
    /// name resolved through CoreServices::resolve; nullopt otherwise.
    std::optional<std::string> resolve_address(const std::string& host) const;
    /// A new replica (createSentinelRedisInstance): named after its announced address now.
    Replica new_replica(const Now& now, const std::string& host, const std::string& ip,
                        int port) const;
    resp::Value reply_master(const Now& now, const Master& m) const;
    resp::Value reply_replica(const Now& now, const Master& m, const Replica& r) const;
    resp::Value reply_sentinel(const Now& now, const PeerSentinel& s,
                               std::int64_t down_after_ms) const;
    resp::Value config_command(const std::vector<std::string>& args, Outbox& out);
    resp::Value config_get(std::string_view pattern) const;
    resp::Value config_set(std::string_view param, std::string_view value, Outbox& out);

    // Administrative SENTINEL subcommands (admin_commands.cpp).
    resp::Value monitor_command(const Now& now, const std::vector<std::string>& args, Outbox& out);
    resp::Value remove_command(const Now& now, const std::vector<std::string>& args, Outbox& out);
    resp::Value set_command(const std::vector<std::string>& args, Outbox& out);
    resp::Value debug_command(const std::vector<std::string>& args);
    resp::Value simulate_failure_command(const std::vector<std::string>& args);
    resp::Value failover_command(const Now& now, const std::vector<std::string>& args, Outbox& out);
    resp::Value is_master_down_command(const Now& now, const std::vector<std::string>& args,
                                       Outbox& out);

    // Monitoring (monitor.cpp): links, periodic commands, replies, SDOWN, TILT.
    void on_tick(const Now& now, Outbox& out);
    void on_link_up(const LinkUpEvent& ev);
    void on_link_down(LinkId link);
    void on_reply(const Now& now, const ReplyEvent& ev, Outbox& out);
    void check_tilt(const Now& now, Outbox& out);
    void handle_instance(const Now& now, Master& m, InstanceState& inst, const InstanceRef& ref,
                         Outbox& out);
    void reconnect_instance(const Now& now, const Master& m, InstanceState& inst,
                            const InstanceRef& ref, Outbox& out);
    void send_periodic_commands(const Now& now, const Master& m, InstanceState& inst,
                                const InstanceRef& ref, Outbox& out);
    void check_subjectively_down(const Now& now, Master& m, InstanceState& inst,
                                 const InstanceRef& ref, Outbox& out);
    void send_ping(const Now& now, const Master& m, InstanceState& inst, const InstanceRef& ref,
                   Outbox& out);
    void send_hello(const Master& m, InstanceState& inst, const InstanceRef& ref, Outbox& out);
    void send_command(InstanceLink& link, PendingKind kind, const InstanceRef& ref,
                      std::vector<std::string> args, Outbox& out);
    void handle_ping_reply(const Now& now, const InstanceRef& ref, const resp::Value& v,
                           Outbox& out);
    /// Closes one connection of a link (instanceLinkCloseConnection).
    void close_connection(InstanceLink& link, LinkId id, Outbox& out);
    /// Closes both connections of an instance's link; the next tick reconnects.
    void drop_connections(InstanceState& inst, Outbox& out);
    /// Drops one reference to a link, closing it when nobody uses it (releaseInstanceLink).
    void release_link(InstanceState& inst, Outbox& out);
    /// Gives a master or replica that is about to connect the link already open (or opening)
    /// to the same server with the same credentials and command names, or registers its own
    /// link as that server's. Called only while the instance's link is disconnected.
    void share_server_link(const Master& m, InstanceState& inst, Outbox& out);
    /// Takes `link` out of server_links_ (if it is registered there) and clears its key.
    void unregister_server_link(InstanceLink& link);
    /// The server_links_ key of a master or replica: address, credentials, renamed commands.
    static std::string server_link_key(const Master& m, const InstanceState& inst);
    /// Takes `inst` off a shared link (it gets a private one with the same health times), or,
    /// when it is the only user, closes the link's connections and unregisters it. Used
    /// before the instance's address or credentials change: the other users keep their
    /// connections, and nobody joins a link registered under a key that no longer holds.
    void unshare_link(InstanceState& inst, Outbox& out);
    /// An INFO reply is news about the server, not about one name: every other master or
    /// replica on the same link is refreshed with it too (one INFO per server per period).
    void share_info(const Now& now, const InstanceLink& link, const InstanceRef& from,
                    const std::shared_ptr<const std::string>& text, Outbox& out);
    /// The instance `ref` names, with its master; nullptr if it is gone.
    InstanceState* lookup(const InstanceRef& ref, Master** master = nullptr,
                          Replica** replica = nullptr);
    /// args[0] mapped through the master's rename-command table.
    static std::vector<std::string> mapped(const Master& m, std::vector<std::string> args);
    /// sentinelEvent(): "%@" details of an instance, then `extra`.
    void event(Outbox& out, LogLevel level, std::string_view type, const Master& m,
               const InstanceState* inst, InstanceRole role, std::string_view extra);
    std::string instance_details(const Master& m, const InstanceState& inst,
                                 InstanceRole role) const;

    // Discovery (discovery.cpp): INFO, hello, address switches.
    void refresh_info(const Now& now, const InstanceRef& ref,
                      std::shared_ptr<const std::string> text, Outbox& out);
    void process_hello(const Now& now, std::string_view payload, Outbox& out);
    /// sentinelResetMaster(): forget replicas (and sentinels unless kept), close links.
    void reset_master(const Now& now, Master& m, bool keep_sentinels, bool emit_event, Outbox& out);
    /// sentinelResetMasterAndChangeAddress(): the master moves to host:port; its replicas are
    /// the old ones minus the new master plus the old master.
    void reset_master_and_change_address(const Now& now, Master& m, const std::string& host,
                                         const std::string& ip, int port, Outbox& out);
    int remove_sentinels_with_run_id(Master& m, const std::string& run_id, Outbox& out);

    // Agreement and failover (failover.cpp).
    void check_objectively_down(const Now& now, Master& m, Outbox& out);
    void ask_master_state(const Now& now, Master& m, bool forced, Outbox& out);
    void handle_is_master_down_reply(const Now& now, const InstanceRef& ref, const resp::Value& v,
                                     Outbox& out);
    /// The acting half for a master: ODOWN, starting and stepping a failover, asking peers.
    /// Run on every tick and as soon as a reply that feeds these decisions arrives.
    void act_on_master(const Now& now, Master& m, Outbox& out, bool periodic_ask);
    /// True when our configuration of `m` is provably current as of `since` (see failover.cpp).
    bool config_confirmed(const Master& m, Millis since) const;
    /// sentinelVoteLeader(): grants at most one vote per epoch; returns our current vote.
    std::string vote_leader(const Now& now, Master& m, std::uint64_t req_epoch,
                            const std::string& req_runid, std::uint64_t& leader_epoch, Outbox& out);
    /// sentinelGetLeader(): the winner of `epoch` if it has a majority and quorum, or "".
    std::string get_leader(const Now& now, Master& m, std::uint64_t epoch, Outbox& out);
    void start_failover(const Now& now, Master& m, Outbox& out);
    bool start_failover_if_needed(const Now& now, Master& m, Outbox& out);
    void abort_failover(const Now& now, Master& m);
    Replica* select_replica(const Now& now, Master& m);
    Replica* promoted_replica(Master& m);
    void failover_state_machine(const Now& now, Master& m, Outbox& out);
    void reconf_next_replicas(const Now& now, Master& m, Outbox& out);
    void detect_failover_end(const Now& now, Master& m, Outbox& out);
    void switch_to_promoted(const Now& now, Master& m, Outbox& out);
    void force_hello_update(Master& m);
    /// The acting half of INFO processing for a replica (promotion, conversion, fixes).
    void act_on_info(const Now& now, Master& m, InstanceState& inst, Replica* replica,
                     bool reports_master, Outbox& out);
    /// Sends the reconfiguration transaction, then INFO so its effect is seen at once.
    bool send_slaveof(const Master& m, InstanceState& inst, const InstanceRef& ref,
                      const std::string& host, int port, Outbox& out);
    bool master_looks_sane(const Now& now, const Master& m) const;
    /// The script half of a tick, after the instances (as sentinelTimer()): start due jobs,
    /// then kill the ones that ran too long.
    void run_scripts(const Now& now, Outbox& out);
    /// As sentinelEvent() for a warning about `m` or one of its instances: queues the master's
    /// notification script (if any) with `type text`.
    void schedule_notification_script(const Master& m, std::string_view type,
                                      const std::string& text);
    void run_client_reconfig_script(const Master& m, std::string_view role,
                                    const std::string& from_host, int from_port,
                                    const std::string& to_host, int to_port, Outbox& out);
    void share_sentinel_link(const std::string& master_name, PeerSentinel& s);

    config::ServerConfig server_;
    config::SentinelConfig globals_;
    std::vector<Master> masters_;
    /// Position in masters_ by name: every hello and every reply names its master, and a
    /// linear search dominated the CPU profile with 1,000 masters.
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>> master_index_;
    Rng rng_;
    Logger& log_;
    bool myid_generated_ = false;
    CoreServices services_;
    Timing timing_;
    std::uint32_t simulated_failures_ = 0;
    ScriptQueue scripts_;
    Millis next_tick_{0};

    /// Which InstanceLink each open connection belongs to, and whether it is the pub/sub one.
    struct Route {
        std::weak_ptr<InstanceLink> link;
        bool pubsub = false;
    };
    std::map<LinkId, Route> routes_;
    /// The link of each server (by server_link_key) that masters and replicas share.
    std::unordered_map<std::string, std::weak_ptr<InstanceLink>> server_links_;
    LinkId next_link_id_ = 1;
    bool tilt_ = false;
    Millis tilt_start_wall_{0};
    std::optional<Millis> previous_tick_wall_;
};

}  // namespace sentinel::core
