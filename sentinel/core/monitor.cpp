// The monitoring half of the sentinel: links to every instance, periodic PING/INFO/hello,
// reply handling, subjective-down detection and TILT. Mirrors sentinelHandleRedisInstance()
// and its helpers in Redis 7.0's sentinel.c.

#include <algorithm>

#include "sentinel/core/hello.hpp"
#include "sentinel/core/sentinel.hpp"
#include "sentinel/core/text.hpp"
#include "sentinel/core/wire.hpp"

namespace sentinel::core {
namespace {

// sentinel.c caps pending commands per link at 100 times its number of users.
constexpr int kMaxPendingCommands = 100;

// INFO period for a replica whose role change drives a failover in progress.
constexpr std::int64_t kFailoverInfoPeriodMs = 100;
// INFO period for a replica that reports the master role without being promoted by us.
constexpr std::int64_t kAnomalyInfoPeriodMs = 250;

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

std::string_view role_name(InstanceRole role) {
    switch (role) {
        case InstanceRole::master:
            return "master";
        case InstanceRole::replica:
            return "slave";
        case InstanceRole::sentinel:
            return "sentinel";
    }
    return "master";
}

}  // namespace

void Sentinel::step(const Now& now, const Event& event, Outbox& out) {
    if (std::holds_alternative<TickEvent>(event)) {
        on_tick(now, out);
        run_scripts(now, out);
    } else if (const auto* up = std::get_if<LinkUpEvent>(&event)) {
        on_link_up(*up);
    } else if (const auto* down = std::get_if<LinkDownEvent>(&event)) {
        on_link_down(down->link);
    } else if (const auto* reply = std::get_if<ReplyEvent>(&event)) {
        on_reply(now, *reply, out);
    } else if (const auto* hello = std::get_if<HelloReceivedEvent>(&event)) {
        process_hello(now, hello->payload, out);
    } else if (const auto* started = std::get_if<ScriptStartedEvent>(&event)) {
        scripts_.on_started(*started, out, log_);
    } else if (const auto* exited = std::get_if<ScriptExitedEvent>(&event)) {
        scripts_.on_exited(now.mono, *exited, timing_.script_retry_delay, out, log_);
    }
}

void Sentinel::on_tick(const Now& now, Outbox& out) {
    check_tilt(now, out);
    // Index loops: handling an instance may add replicas or peers, never masters.
    for (std::size_t i = 0; i < masters_.size(); ++i) {
        Master& m = masters_[i];
        handle_instance(now, m, m.inst, InstanceRef{m.cfg.name, InstanceRole::master, {}}, out);
        for (std::size_t r = 0; r < m.replicas.size(); ++r) {
            handle_instance(now, m, m.replicas[r].inst,
                            InstanceRef{m.cfg.name, InstanceRole::replica, m.replicas[r].name()},
                            out);
        }
        for (std::size_t s = 0; s < m.sentinels.size(); ++s) {
            handle_instance(
                now, m, m.sentinels[s].inst,
                InstanceRef{m.cfg.name, InstanceRole::sentinel, m.sentinels[s].inst.run_id}, out);
        }
    }
    // Like Redis's randomised hz (10-19 Hz): sentinels started together do not stay in step.
    next_tick_ = now.mono + Millis(rng_.uniform(50, 100));
}

void Sentinel::check_tilt(const Now& now, Outbox& out) {
    // As sentinelCheckTiltCondition(): the wall clock going backwards or jumping forward more
    // than the trigger between two timer runs means our view of time cannot be trusted.
    if (previous_tick_wall_) {
        const std::int64_t delta = to_ms(now.wall - *previous_tick_wall_);
        if (delta < 0 || delta > timing_.tilt_trigger) {
            tilt_ = true;
            tilt_start_wall_ = now.wall;
            out.event(LogLevel::warning, "+tilt", "#tilt mode entered");
        }
    }
    previous_tick_wall_ = now.wall;
}

void Sentinel::handle_instance(const Now& now, Master& m, InstanceState& inst,
                               const InstanceRef& ref, Outbox& out) {
    // Monitoring half: always done, even in TILT.
    reconnect_instance(now, m, inst, ref, out);
    send_periodic_commands(now, m, inst, ref, out);

    // Acting half: suspended while in TILT.
    if (tilt_) {
        if (to_ms(now.wall - tilt_start_wall_) < timing_.tilt_period) {
            return;
        }
        tilt_ = false;
        out.event(LogLevel::warning, "-tilt", "#tilt mode exited");
    }
    check_subjectively_down(now, m, inst, ref, out);
    if (ref.role == InstanceRole::master) {
        act_on_master(now, m, out, /*periodic_ask=*/true);
    }
}

std::vector<std::string> Sentinel::mapped(const Master& m, std::vector<std::string> args) {
    if (m.cfg.rename_commands.empty()) {
        return args;  // the usual case: no upper-casing for every PING and INFO
    }
    const auto it = m.cfg.rename_commands.find(to_upper(args[0]));
    if (it != m.cfg.rename_commands.end()) {
        args[0] = it->second;
    }
    return args;
}

void Sentinel::send_command(InstanceLink& link, PendingKind kind, const InstanceRef& ref,
                            std::vector<std::string> args, Outbox& out) {
    out.send(*link.cc, std::move(args));
    link.cc_pending.push_back(PendingReply{kind, ref});
    ++link.pending_commands;
}

void Sentinel::reconnect_instance(const Now& now, const Master& m, InstanceState& inst,
                                  const InstanceRef& ref, Outbox& out) {
    if (!inst.link->disconnected || inst.port == 0) {
        return;
    }
    if (ref.role != InstanceRole::sentinel && !inst.ip.empty()) {
        // The server may be connected already under another master name.
        share_server_link(m, inst, out);
        if (!inst.link->disconnected) {
            return;
        }
    }
    InstanceLink& link = *inst.link;
    // At most one reconnection attempt per ping period per instance.
    if (link.last_reconn_time && to_ms(now.mono - *link.last_reconn_time) < timing_.ping_period) {
        return;
    }
    link.last_reconn_time = now.mono;

    // Credentials: the master's for masters and replicas; sentinel-user/pass (or, for old
    // configurations, our own requirepass) for other sentinels.
    std::string auth_user, auth_pass;
    if (ref.role == InstanceRole::sentinel) {
        if (!globals_.sentinel_pass.empty()) {
            auth_pass = globals_.sentinel_pass;
            auth_user = globals_.sentinel_user;
        } else if (server_.requirepass) {
            auth_pass = *server_.requirepass;
        }
    } else {
        auth_pass = m.cfg.auth_pass;
        auth_user = m.cfg.auth_user;
    }
    auto auth_args = [&]() -> std::vector<std::string> {
        if (auth_user.empty()) {
            return {"AUTH", auth_pass};
        }
        return {"AUTH", auth_user, auth_pass};
    };
    const std::string name_prefix = "sentinel-" + globals_.myid.substr(0, 8) + "-";

    if (!link.cc && globals_.resolve_hostnames) {
        // As sentinelReconnectInstance(): the host is looked up again before each attempt, so
        // a name that did not resolve at first, or that now points elsewhere, is followed. On
        // failure the last address is kept.
        if (auto ip = resolve_address(inst.host)) {
            inst.ip = std::move(*ip);
        } else {
            log_.log(LogLevel::warning, "Failed to resolve hostname '" + inst.host + "'");
        }
    }
    // Without an address there is nothing to connect to (Redis's connect to "" fails at
    // once); the next attempt comes a ping period later.
    if (inst.ip.empty()) {
        return;
    }
    if (ref.role != InstanceRole::sentinel) {
        share_server_link(m, inst, out);
        if (inst.link.get() != &link) {
            return;  // the name resolved to a server with a link: that link reconnects
        }
    }

    if (!link.cc) {
        const LinkId id = next_link_id_++;
        out.connect(id, inst.ip, inst.port);
        routes_[id] = Route{inst.link, false};
        link.cc = id;
        link.cc_conn_time = now.mono;
        link.pending_commands = 0;
        link.cc_pending.clear();
        link.local_ip.clear();
        if (!auth_pass.empty()) {
            send_command(link, PendingKind::discard, ref, mapped(m, auth_args()), out);
        }
        send_command(link, PendingKind::discard, ref,
                     mapped(m, {"CLIENT", "SETNAME", name_prefix + "cmd"}), out);
        send_ping(now, m, inst, ref, out);
        // A reconnected server may have restarted with another role (an old master coming
        // back): learn it now rather than at the next INFO period.
        if (ref.role != InstanceRole::sentinel && inst.info_refresh) {
            send_command(link, PendingKind::info, ref, mapped(m, {"INFO"}), out);
        }
    }
    if (ref.role != InstanceRole::sentinel && !link.pc) {
        const LinkId id = next_link_id_++;
        out.connect(id, inst.ip, inst.port);
        routes_[id] = Route{inst.link, true};
        link.pc = id;
        link.pc_conn_time = now.mono;
        link.pc_last_activity = now.mono;
        link.pc_pending = 0;
        if (!auth_pass.empty()) {
            out.send(id, mapped(m, auth_args()));
            ++link.pc_pending;
            ++link.pending_commands;
        }
        out.send(id, mapped(m, {"CLIENT", "SETNAME", name_prefix + "pubsub"}));
        ++link.pc_pending;
        ++link.pending_commands;
        out.send(id, mapped(m, {"SUBSCRIBE", std::string(wire::kHelloChannel)}));
    }
    if (link.cc && (ref.role == InstanceRole::sentinel || link.pc)) {
        link.disconnected = false;
    }
}

void Sentinel::send_ping(const Now& now, const Master& m, InstanceState& inst,
                         const InstanceRef& ref, Outbox& out) {
    InstanceLink& link = *inst.link;
    send_command(link, PendingKind::ping, ref, mapped(m, {"PING"}), out);
    link.last_ping_time = now.mono;
    // Only the oldest unanswered PING counts towards SDOWN.
    if (!link.act_ping_time) {
        link.act_ping_time = now.mono;
    }
}

void Sentinel::send_periodic_commands(const Now& now, const Master& m, InstanceState& inst,
                                      const InstanceRef& ref, Outbox& out) {
    InstanceLink& link = *inst.link;
    if (link.disconnected || !link.cc) {
        return;
    }
    // A link that stopped answering does not get an ever-growing backlog.
    if (link.pending_commands >= kMaxPendingCommands * link.refcount) {
        return;
    }
    std::int64_t info_period = timing_.info_period;
    if (ref.role == InstanceRole::replica) {
        // Replicas of a master in trouble, or reporting a broken replication link, are
        // watched every second: their INFO drives the failover.
        const Replica* r = nullptr;
        for (const auto& candidate : m.replicas) {
            if (&candidate.inst == &inst) {
                r = &candidate;
            }
        }
        if ((m.inst.flags & (kFlagODown | kFlagFailoverInProgress)) != 0 ||
            (r != nullptr && r->master_link_down_time_ms != 0)) {
            info_period = 1000;
        }
        // During a failover the replica being promoted or re-pointed decides the next step
        // by what its INFO says: poll it closely instead of waiting a second each time.
        const bool promoting =
            (inst.flags & kFlagPromoted) != 0 && (m.inst.flags & kFlagFailoverInProgress) != 0;
        if (promoting || (inst.flags & (kFlagReconfSent | kFlagReconfInprog)) != 0) {
            info_period = kFailoverInfoPeriodMs;
        }
        // A replica claiming to be a master (an old master back from the dead) is to be
        // converted as soon as that is provably safe; watch it closely until then.
        if (!promoting && inst.role_reported_master) {
            info_period = std::min(info_period, kAnomalyInfoPeriodMs);
        }
    }
    const std::int64_t ping_period = std::min(m.cfg.down_after_ms, timing_.ping_period);

    // One INFO at a time per instance: a slow server is not sent a new one every tick. On a
    // link shared by several names, one per server: its reply refreshes them all.
    const bool shared = link.refcount > 1 && ref.role != InstanceRole::sentinel;
    const bool info_outstanding =
        std::any_of(link.cc_pending.begin(), link.cc_pending.end(), [&](const PendingReply& p) {
            return p.kind == PendingKind::info &&
                   (p.ref == ref || (shared && p.ref.role != InstanceRole::sentinel));
        });
    if (ref.role != InstanceRole::sentinel && !info_outstanding &&
        (!inst.info_refresh || to_ms(now.mono - *inst.info_refresh) > info_period)) {
        send_command(link, PendingKind::info, ref, mapped(m, {"INFO"}), out);
    }
    if (to_ms(now.mono - link.last_pong_time) > ping_period &&
        to_ms(now.mono - link.last_ping_time) > ping_period / 2) {
        send_ping(now, m, inst, ref, out);
    }
    if (!inst.last_pub_time || to_ms(now.mono - *inst.last_pub_time) > timing_.publish_period) {
        send_hello(m, inst, ref, out);
    }
}

void Sentinel::check_subjectively_down(const Now& now, Master& m, InstanceState& inst,
                                       const InstanceRef& ref, Outbox& out) {
    InstanceLink& link = *inst.link;
    const std::int64_t down_after = m.cfg.down_after_ms;
    std::int64_t elapsed = 0;
    if (link.act_ping_time) {
        elapsed = to_ms(now.mono - *link.act_ping_time);
    } else if (link.disconnected) {
        elapsed = to_ms(now.mono - link.last_avail_time);
    }

    // Recycle a command connection whose PING has been stuck for half the down-after period
    // with no reply of any kind: the peer may be fine and only this connection broken.
    if (link.cc && to_ms(now.mono - link.cc_conn_time) > timing_.min_link_reconnect_period &&
        link.act_ping_time && to_ms(now.mono - *link.act_ping_time) > down_after / 2 &&
        to_ms(now.mono - link.last_pong_time) > down_after / 2) {
        close_connection(link, *link.cc, out);
    }
    // Recycle a pub/sub connection that has been silent for three hello periods: our own
    // hellos should have come back on it.
    if (link.pc && to_ms(now.mono - link.pc_conn_time) > timing_.min_link_reconnect_period &&
        to_ms(now.mono - link.pc_last_activity) > timing_.publish_period * 3) {
        close_connection(link, *link.pc, out);
    }

    const bool role_mismatch =
        ref.role == InstanceRole::master && !inst.role_reported_master &&
        to_ms(now.mono - inst.role_reported_time) > down_after + timing_.info_period * 2;
    const bool reboot_down =
        (inst.flags & kFlagMasterReboot) != 0 &&
        to_ms(now.mono - inst.master_reboot_since) > m.cfg.master_reboot_down_after_period_ms;
    if (elapsed > down_after || role_mismatch || reboot_down) {
        if ((inst.flags & kFlagSDown) == 0) {
            event(out, LogLevel::warning, "+sdown", m, &inst, ref.role, "");
            inst.s_down_since = now.mono;
            inst.flags |= kFlagSDown;
        }
    } else if ((inst.flags & kFlagSDown) != 0) {
        event(out, LogLevel::warning, "-sdown", m, &inst, ref.role, "");
        // s_down_since stays: "no SDOWN for N ms" checks look at the most recent one.
        inst.flags &= ~(kFlagSDown | kFlagScriptKillSent);
    }
}

void Sentinel::send_hello(const Master& m, InstanceState& inst, const InstanceRef& ref,
                          Outbox& out) {
    InstanceLink& link = *inst.link;
    if (link.disconnected || !link.cc) {
        return;
    }
    // Our address: announce-ip, else our end of the connection to this very instance (not
    // known until it is up).
    const std::string ip = !globals_.announce_ip.empty() ? globals_.announce_ip : link.local_ip;
    if (ip.empty()) {
        return;
    }
    const int port = globals_.announce_port != 0 ? globals_.announce_port : server_.port;
    Hello h;
    h.ip = ip;
    h.port = port;
    h.run_id = globals_.myid;
    h.current_epoch = globals_.current_epoch;
    h.master_name = m.cfg.name;
    const auto [master_host, master_port] = current_master_address(m);
    h.master_ip = master_host;
    h.master_port = master_port;
    h.master_config_epoch = m.cfg.config_epoch;
    send_command(link, PendingKind::publish, ref,
                 mapped(m, {"PUBLISH", std::string(wire::kHelloChannel), format_hello(h)}), out);
}

void Sentinel::on_link_up(const LinkUpEvent& ev) {
    const auto it = routes_.find(ev.link);
    if (it == routes_.end()) {
        return;
    }
    const auto link = it->second.link.lock();
    if (link && !it->second.pubsub && link->cc == ev.link) {
        link->local_ip = ev.local_ip;
    }
}

void Sentinel::on_link_down(LinkId id) {
    const auto it = routes_.find(id);
    if (it == routes_.end()) {
        return;
    }
    if (const auto link = it->second.link.lock()) {
        // As instanceLinkConnectionError(): forget the connection; the next tick reconnects.
        if (link->cc == id) {
            link->cc.reset();
            link->cc_pending.clear();
            link->pending_commands = 0;
        }
        if (link->pc == id) {
            link->pc.reset();
            link->pc_pending = 0;
        }
        link->disconnected = true;
    }
    routes_.erase(it);
}

void Sentinel::close_connection(InstanceLink& link, LinkId id, Outbox& out) {
    out.close(id);
    routes_.erase(id);
    if (link.cc == id) {
        link.cc.reset();
        link.cc_pending.clear();
        link.pending_commands = 0;
    }
    if (link.pc == id) {
        link.pc.reset();
        link.pc_pending = 0;
    }
    link.disconnected = true;
}

void Sentinel::drop_connections(InstanceState& inst, Outbox& out) {
    InstanceLink& link = *inst.link;
    if (link.cc) {
        close_connection(link, *link.cc, out);
    }
    if (link.pc) {
        close_connection(link, *link.pc, out);
    }
}

void Sentinel::release_link(InstanceState& inst, Outbox& out) {
    InstanceLink& link = *inst.link;
    if (--link.refcount > 0) {
        // Still used by the same sentinel under other masters; replies addressed to the
        // instance being removed will find nothing and be dropped.
        return;
    }
    if (link.cc) {
        close_connection(link, *link.cc, out);
    }
    if (link.pc) {
        close_connection(link, *link.pc, out);
    }
    unregister_server_link(link);
}

void Sentinel::unregister_server_link(InstanceLink& link) {
    if (link.share_key.empty()) {
        return;
    }
    const auto it = server_links_.find(link.share_key);
    if (it != server_links_.end() && it->second.lock().get() == &link) {
        server_links_.erase(it);
    }
    link.share_key.clear();
}

std::string Sentinel::server_link_key(const Master& m, const InstanceState& inst) {
    // Everything a connection is set up with: two names at one address with different
    // passwords or renamed commands must not share one.
    std::string key = inst.ip;
    key += '\n';
    key += std::to_string(inst.port);
    key += '\n';
    key += m.cfg.auth_user;
    key += '\n';
    key += m.cfg.auth_pass;
    for (const auto& [from, to] : m.cfg.rename_commands) {
        key += '\n';
        key += from;
        key += '=';
        key += to;
    }
    return key;
}

void Sentinel::share_server_link(const Master& m, InstanceState& inst, Outbox& out) {
    std::string key = server_link_key(m, inst);
    if (inst.link->share_key == key) {
        return;
    }
    if (!inst.link->share_key.empty()) {
        // Registered for another address (a host name that now resolves elsewhere) or other
        // credentials: leave the others on that link; alone, keep what is still connected,
        // as Redis keeps a pub/sub connection when only the command one is redone.
        if (inst.link->refcount > 1) {
            unshare_link(inst, out);
        } else {
            unregister_server_link(*inst.link);
        }
    }
    auto [it, added] = server_links_.try_emplace(key);
    if (!added) {
        if (auto shared = it->second.lock(); shared && shared != inst.link) {
            // Our own link has no users but us; any connection it has goes.
            drop_connections(inst, out);
            inst.link = std::move(shared);
            ++inst.link->refcount;
            return;
        }
    }
    it->second = inst.link;
    inst.link->share_key = std::move(key);
}

void Sentinel::unshare_link(InstanceState& inst, Outbox& out) {
    InstanceLink& old = *inst.link;
    if (old.refcount <= 1) {
        // Its key is about to change: no other instance may join it under the old one.
        drop_connections(inst, out);
        unregister_server_link(old);
        return;
    }
    --old.refcount;
    auto own = std::make_shared<InstanceLink>();
    own->act_ping_time = old.act_ping_time;
    own->last_ping_time = old.last_ping_time;
    own->last_avail_time = old.last_avail_time;
    own->last_pong_time = old.last_pong_time;
    inst.link = std::move(own);
}

void Sentinel::share_info(const Now& now, const InstanceLink& link, const InstanceRef& from,
                          const std::shared_ptr<const std::string>& text, Outbox& out) {
    // Refs first: refreshing one instance may add replicas (and move the vectors).
    std::vector<InstanceRef> users;
    for (const auto& m : masters_) {
        if (m.inst.link.get() == &link &&
            !(from.role == InstanceRole::master && from.master == m.cfg.name)) {
            users.push_back(InstanceRef{m.cfg.name, InstanceRole::master, {}});
        }
        for (const auto& r : m.replicas) {
            if (r.inst.link.get() == &link) {
                InstanceRef ref{m.cfg.name, InstanceRole::replica, r.name()};
                if (!(ref == from)) {
                    users.push_back(std::move(ref));
                }
            }
        }
    }
    for (const auto& ref : users) {
        refresh_info(now, ref, text, out);
    }
}

void Sentinel::on_reply(const Now& now, const ReplyEvent& ev, Outbox& out) {
    const auto it = routes_.find(ev.link);
    if (it == routes_.end()) {
        return;
    }
    const auto link = it->second.link.lock();
    if (!link) {
        routes_.erase(it);
        return;
    }
    if (it->second.pubsub) {
        // Every frame, our own hellos included, proves the pub/sub connection alive.
        link->pc_last_activity = now.mono;
        if (link->pc_pending > 0) {
            --link->pc_pending;
            link->pending_commands = std::max(0, link->pending_commands - 1);
            return;
        }
        const resp::Value& v = ev.value;
        if (v.is_error()) {
            // An error where only pushes belong (SUBSCRIBE refused: -NOAUTH, -NOPERM) means
            // this connection will never carry hellos. hiredis drops it in subscribed mode, so
            // Redis reconnects every second and shows the link as disconnected; do the same.
            close_connection(*link, ev.link, out);
            return;
        }
        const bool is_message =
            (v.type == resp::Type::array || v.type == resp::Type::push) && v.elements.size() == 3 &&
            std::all_of(v.elements.begin(), v.elements.end(),
                        [](const resp::Value& e) { return e.type == resp::Type::bulk_string; }) &&
            v.elements[0].str == "message";
        // Hellos carrying our own id are our own, echoed back by the server.
        if (is_message && v.elements[2].str.find(globals_.myid) == std::string::npos) {
            process_hello(now, v.elements[2].str, out);
        }
        return;
    }
    if (link->cc_pending.empty()) {
        return;  // nothing was asked: a confused peer; ignore rather than misroute
    }
    const PendingReply pending = std::move(link->cc_pending.front());
    link->cc_pending.pop_front();
    link->pending_commands = std::max(0, link->pending_commands - 1);
    switch (pending.kind) {
        case PendingKind::ping:
            handle_ping_reply(now, pending.ref, ev.value, out);
            break;
        case PendingKind::info: {
            std::shared_ptr<const std::string> text;
            if (ev.value.type == resp::Type::bulk_string) {
                text = std::make_shared<const std::string>(ev.value.str);
            } else if (ev.value.type == resp::Type::verbatim && ev.value.str.size() >= 4) {
                text = std::make_shared<const std::string>(ev.value.str.substr(4));
            }
            if (text) {
                refresh_info(now, pending.ref, text, out);
                if (link->refcount > 1) {
                    share_info(now, *link, pending.ref, text, out);
                }
            }
            break;
        }
        case PendingKind::publish:
            // A failed PUBLISH is retried at the next tick (last_pub_time is not advanced).
            if (!ev.value.is_error()) {
                if (InstanceState* inst = lookup(pending.ref)) {
                    inst->last_pub_time = now.mono;
                }
            }
            break;
        case PendingKind::is_master_down:
            handle_is_master_down_reply(now, pending.ref, ev.value, out);
            break;
        case PendingKind::discard:
            break;
    }
}

void Sentinel::handle_ping_reply(const Now& now, const InstanceRef& ref, const resp::Value& v,
                                 Outbox& out) {
    Master* m = nullptr;
    InstanceState* inst = lookup(ref, &m);
    if (inst == nullptr) {
        return;
    }
    InstanceLink& link = *inst->link;
    if (v.type == resp::Type::simple_string || v.type == resp::Type::error) {
        // -LOADING and -MASTERDOWN mean the process is alive, just not serving data yet.
        if (starts_with(v.str, "PONG") || starts_with(v.str, "LOADING") ||
            starts_with(v.str, "MASTERDOWN")) {
            link.last_avail_time = now.mono;
            link.act_ping_time.reset();
            if ((inst->flags & kFlagMasterReboot) != 0 && starts_with(v.str, "PONG")) {
                inst->flags &= ~kFlagMasterReboot;
            }
        } else if (starts_with(v.str, "BUSY") && (inst->flags & kFlagSDown) != 0 &&
                   (inst->flags & kFlagScriptKillSent) == 0 && link.cc) {
            // A long-running script makes the instance look down; kill it once.
            send_command(link, PendingKind::discard, ref, mapped(*m, {"SCRIPT", "KILL"}), out);
            inst->flags |= kFlagScriptKillSent;
        }
    }
    link.last_pong_time = now.mono;
}

InstanceState* Sentinel::lookup(const InstanceRef& ref, Master** master, Replica** replica) {
    Master* m = find_master(ref.master);
    if (m == nullptr) {
        return nullptr;
    }
    if (master != nullptr) {
        *master = m;
    }
    switch (ref.role) {
        case InstanceRole::master:
            return &m->inst;
        case InstanceRole::replica:
            for (auto& r : m->replicas) {
                if (r.name() == ref.key) {
                    if (replica != nullptr) {
                        *replica = &r;
                    }
                    return &r.inst;
                }
            }
            return nullptr;
        case InstanceRole::sentinel:
            for (auto& s : m->sentinels) {
                if (s.inst.run_id == ref.key) {
                    return &s.inst;
                }
            }
            return nullptr;
    }
    return nullptr;
}

std::string Sentinel::instance_details(const Master& m, const InstanceState& inst,
                                       InstanceRole role) const {
    const std::string port = std::to_string(inst.port);
    const std::string addr = announced(inst);
    if (role == InstanceRole::master) {
        return "master " + m.cfg.name + " " + addr + " " + port;
    }
    std::string name;
    if (role == InstanceRole::sentinel) {
        name = inst.run_id;
    } else {
        name = inst.name.empty() ? address_and_port(addr, inst.port) : inst.name;
    }
    return std::string(role_name(role)) + " " + name + " " + addr + " " + port + " @ " +
           m.cfg.name + " " + announced(m.inst) + " " + std::to_string(m.cfg.port);
}

void Sentinel::event(Outbox& out, LogLevel level, std::string_view type, const Master& m,
                     const InstanceState* inst, InstanceRole role, std::string_view extra) {
    std::string text = inst != nullptr ? instance_details(m, *inst, role) : std::string();
    text += extra;
    // As sentinelEvent(): warnings about an instance run the master's notification script.
    if (level == LogLevel::warning) {
        schedule_notification_script(m, type, text);
    }
    out.event(level, std::string(type), std::move(text));
}

}  // namespace sentinel::core
