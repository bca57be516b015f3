#pragma once
// Runtime records for the three kinds of monitored instance: masters, replicas and peer sentinels.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/util/time.hpp"
#include "sentinel/config/config.hpp"
#include "sentinel/core/events.hpp"

namespace sentinel::core {

/// Instance flags (SRI_* in sentinel.c). Printed in this bit order by SENTINEL MASTER(S).
enum Flag : std::uint32_t {
    kFlagSDown = 1u << 0,
    kFlagODown = 1u << 1,
    kFlagMaster = 1u << 2,
    kFlagSlave = 1u << 3,
    kFlagSentinel = 1u << 4,
    kFlagDisconnected = 1u << 5,
    kFlagMasterDown = 1u << 6,
    kFlagFailoverInProgress = 1u << 7,
    kFlagPromoted = 1u << 8,
    kFlagReconfSent = 1u << 9,
    kFlagReconfInprog = 1u << 10,
    kFlagReconfDone = 1u << 11,
    kFlagForceFailover = 1u << 12,
    kFlagScriptKillSent = 1u << 13,
    kFlagMasterReboot = 1u << 14,  ///< tracked but never printed by 7.0
};

/// The failover state machine's states, named as SENTINEL MASTER prints them.
enum class FailoverState {
    none,
    wait_start,
    select_slave,
    send_slaveof_noone,
    wait_promotion,
    reconf_slaves,
    update_config,
};

/// Which kind of instance a reply or event is about.
enum class InstanceRole { master, replica, sentinel };

/// Names one instance without pointing into containers that may change: the master's name,
/// and for a replica its "ip:port" name, for a sentinel its run id.
struct InstanceRef {
    std::string master;
    InstanceRole role = InstanceRole::master;
    std::string key;
    friend bool operator==(const InstanceRef&, const InstanceRef&) = default;
};

/// What an outstanding command on a link was, so its reply can be routed (the callbacks that
/// redisAsyncCommand takes in sentinel.c).
enum class PendingKind { discard, ping, info, publish, is_master_down };

/// One command awaiting its reply.
struct PendingReply {
    PendingKind kind = PendingKind::discard;
    InstanceRef ref;
};

/// The replies expected on a command connection, oldest first. A vector with a moving head:
/// a std::deque allocates a 512-byte block per link, megabytes with thousands of links.
class PendingQueue {
  public:
    void push_back(PendingReply p) { items_.push_back(std::move(p)); }
    bool empty() const { return head_ == items_.size(); }
    std::size_t size() const { return items_.size() - head_; }
    PendingReply& front() { return items_[head_]; }
    void pop_front() {
        if (++head_ == items_.size()) {
            clear();
        }
    }
    void clear() {
        items_.clear();
        head_ = 0;
        if (items_.capacity() > kKeepCapacity) {
            items_.shrink_to_fit();  // after a backlog (a link that stopped answering)
        }
    }
    auto begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
    auto end() const { return items_.end(); }

  private:
    static constexpr std::size_t kKeepCapacity = 8;
    std::vector<PendingReply> items_;
    std::size_t head_ = 0;
};

/// The connections to one instance and their health (instanceLink in sentinel.c). Peer
/// sentinels with the same run id share one link across all masters (refcount), as in Redis.
/// Masters and replicas at the same address, reached with the same credentials and command
/// names, share one too (see Sentinel::share_server_link): a server watched under ten master
/// names gets one pair of connections, not ten. Times are monotonic.
struct InstanceLink {
    bool disconnected = true;  ///< a required connection is missing
    int pending_commands = 0;
    int refcount = 1;
    /// Masters and replicas: the Sentinel::server_links_ key this link is registered under;
    /// empty until the first connection attempt.
    std::string share_key;
    std::optional<LinkId> cc;  ///< command connection
    std::optional<LinkId> pc;  ///< pub/sub connection (masters and replicas only)
    std::string local_ip;      ///< our address on cc, once connected
    Millis cc_conn_time{0};
    Millis pc_conn_time{0};
    Millis pc_last_activity{0};
    std::optional<Millis> act_ping_time;  ///< oldest PING still unanswered
    Millis last_ping_time{0};
    Millis last_avail_time{0};  ///< last valid PING reply
    Millis last_pong_time{0};   ///< last reply of any kind
    std::optional<Millis> last_reconn_time;
    PendingQueue cc_pending;     ///< replies expected on cc, in order
    std::size_t pc_pending = 0;  ///< AUTH/SETNAME replies expected on pc
};

/// Fields shared by every instance kind.
struct InstanceState {
    std::uint32_t flags = 0;
    /// The address as given (sentinelAddr.hostname): shown with announce-hostnames, and
    /// re-resolved before reconnecting with resolve-hostnames.
    std::string host;
    /// What `host` resolved to (sentinelAddr.ip): where connections go, and what is shown
    /// otherwise. Empty while a host name does not resolve (nothing is connected then).
    std::string ip;
    int port = 0;
    /// Replicas only: "addr:port" as named when created (announceSentinelAddrAndPort then).
    /// Redis never renames a replica, even if announce-hostnames changes later.
    std::string name;
    std::string run_id;  ///< empty until known
    std::shared_ptr<InstanceLink> link = std::make_shared<InstanceLink>();
    Millis created{0};
    std::optional<Millis> s_down_since;
    std::optional<Millis> o_down_since;
    // Masters and replicas, from INFO.
    std::optional<Millis> info_refresh;  ///< when INFO last parsed
    /// The last INFO text (SENTINEL INFO-CACHE); instances sharing a link share one copy.
    std::shared_ptr<const std::string> info;
    bool role_reported_master = true;
    Millis role_reported_time{0};
    std::optional<Millis> last_pub_time;  ///< last hello PUBLISH acknowledged
    Millis master_reboot_since{0};
    Millis slave_conf_change_time{0};

    /// flags plus "disconnected" when the link says so, as SENTINEL MASTERS prints them.
    std::uint32_t effective_flags() const {
        return link->disconnected ? (flags | kFlagDisconnected) : flags;
    }
};

/// A replica of a monitored master.
struct Replica {
    InstanceState inst;
    std::int64_t master_link_down_time_ms = 0;  ///< master_link_down_since_seconds * 1000
    bool master_link_ok = false;
    std::string master_host;  ///< empty = unknown ('?')
    int master_port = 0;
    int slave_priority = 100;
    std::uint64_t slave_repl_offset = 0;
    bool replica_announced = true;
    Millis slave_reconf_sent_time{0};

    /// "ip:port", or "[ip]:port" for IPv6, as Redis names replicas: inst.name, or when that
    /// was not set, the resolved address (else the host) with the port.
    std::string name() const;
};

/// Another sentinel monitoring the same master.
struct PeerSentinel {
    InstanceState inst;
    std::optional<Millis> last_hello_time;
    std::string leader;  ///< voted leader run id; empty = none ('?')
    std::uint64_t leader_epoch = 0;
    /// When it last answered is-master-down-by-addr (its master_down flag and vote are
    /// forgotten when this gets old).
    std::optional<Millis> last_master_down_reply_time;
    /// The master configuration its latest hello announced, and when.
    std::string hello_master_host;
    int hello_master_port = 0;
    std::uint64_t hello_config_epoch = 0;
    std::uint64_t hello_current_epoch = 0;
    std::optional<Millis> hello_config_time;
};

/// A monitored master with everything attached to it.
struct Master {
    config::MasterConfig cfg;  ///< name, address, options and persisted epochs
    InstanceState inst;
    FailoverState failover_state = FailoverState::none;
    std::vector<Replica> replicas;
    std::vector<PeerSentinel> sentinels;
    /// The epoch our current (or last) failover attempt runs in.
    std::uint64_t failover_epoch = 0;
    /// When the last attempt started (pushed forward by a random desync when we vote for
    /// another sentinel); none = we may fail over at once.
    std::optional<Millis> failover_start_time;
    Millis failover_state_change_time{0};
    std::optional<Millis> failover_delay_logged;
    /// Name ("ip:port") of the replica chosen for promotion; empty when none.
    std::string promoted;
    /// Run id we voted for in cfg.leader_epoch; empty after a restart (only the epoch is
    /// persisted, which is what stops a second vote in that epoch).
    std::string leader;
};

/// A just-created instance (createSentinelRedisInstance): `flags` plus disconnected, at
/// `host`:`port`, with link timers starting at `now`. `ip` is `host` normalized when it is an
/// IP literal, else empty: callers that resolved a name set it.
InstanceState fresh_instance(std::uint32_t flags, std::string host, int port, const Now& now);

/// Flag tokens joined by ',' in Redis's order (e.g. "master,disconnected").
std::string format_flags(std::uint32_t flags);

/// "wait_start", "select_slave", ...
std::string_view failover_state_name(FailoverState s);

}  // namespace sentinel::core
