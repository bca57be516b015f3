// Discovery: what INFO replies and hello messages teach a sentinel about replicas, peers,
// epochs and master addresses (sentinelRefreshInstanceInfo, sentinelProcessHelloMessage and
// sentinelResetMasterAndChangeAddress in Redis 7.0).

#include <algorithm>
#include <optional>

#include "sentinel/core/address.hpp"
#include "sentinel/core/hello.hpp"
#include "sentinel/core/info_report.hpp"
#include "sentinel/core/sentinel.hpp"
#include "sentinel/core/text.hpp"

namespace sentinel::core {
namespace {

bool has_replica_named(const Master& m, const std::string& name) {
    return std::any_of(m.replicas.begin(), m.replicas.end(),
                       [&](const Replica& r) { return r.name() == name; });
}

}  // namespace

void Sentinel::refresh_info(const Now& now, const InstanceRef& ref,
                            std::shared_ptr<const std::string> text, Outbox& out) {
    Master* m = nullptr;
    Replica* replica = nullptr;
    InstanceState* inst = lookup(ref, &m, &replica);
    if (inst == nullptr || ref.role == InstanceRole::sentinel) {
        return;
    }
    const InfoReport report = parse_info(*text, globals_.resolve_hostnames);
    inst->info = std::move(text);
    inst->info_refresh = now.mono;

    // A new run id means the process restarted.
    if (report.run_id && *report.run_id != inst->run_id) {
        if (!inst->run_id.empty()) {
            event(out, LogLevel::notice, "+reboot", *m, inst, ref.role, "");
            if (ref.role == InstanceRole::master && m->cfg.master_reboot_down_after_period_ms > 0) {
                inst->flags |= kFlagMasterReboot;
                inst->master_reboot_since = now.mono;
            }
        }
        inst->run_id = *report.run_id;
    }

    // Replicas listed by the master: new ones are remembered at once and persisted.
    if (ref.role == InstanceRole::master) {
        for (const auto& line : report.replicas) {
            // Redis looks the replica up by the name its address would get. For an IP literal
            // (line.ip set) that needs no lookup; a host name (only reported with
            // resolve-hostnames) is matched against the names replicas were created from, so
            // that a known replica costs no DNS query per INFO.
            if (!line.ip.empty()) {
                const std::string& shown = globals_.announce_hostnames ? line.host : line.ip;
                if (has_replica_named(*m, address_and_port(shown, line.port))) {
                    continue;
                }
            } else if (std::any_of(m->replicas.begin(), m->replicas.end(), [&](const Replica& r) {
                           return r.inst.port == line.port && iequals(r.inst.host, line.host);
                       })) {
                continue;
            }
            // A new one is created like createSentinelRedisInstance(): resolved once (a name
            // that does not resolve is kept, unresolved), then refused if its name is taken.
            std::string ip = line.ip;
            if (ip.empty()) {
                if (auto resolved = resolve_address(line.host)) {
                    ip = std::move(*resolved);
                } else {
                    log_.log(LogLevel::warning, "Failed to resolve hostname '" + line.host + "'");
                }
            }
            Replica r = new_replica(now, line.host, ip, line.port);
            if (has_replica_named(*m, r.name())) {
                continue;
            }
            m->replicas.push_back(std::move(r));
            event(out, LogLevel::notice, "+slave", *m, &m->replicas.back().inst,
                  InstanceRole::replica, "");
            out.persist_discovery();
        }
    }

    if (replica != nullptr) {
        replica->master_link_down_time_ms = report.master_link_down_since_ms;
    }
    if (report.role == ReportedRole::slave && replica != nullptr) {
        if (report.master_host && *report.master_host != replica->master_host) {
            replica->master_host = *report.master_host;
            inst->slave_conf_change_time = now.mono;
        }
        if (report.master_port && *report.master_port != replica->master_port) {
            replica->master_port = *report.master_port;
            inst->slave_conf_change_time = now.mono;
        }
        if (report.master_link_up) {
            replica->master_link_ok = *report.master_link_up;
        }
        if (report.slave_priority) {
            replica->slave_priority = *report.slave_priority;
        }
        if (report.slave_repl_offset) {
            replica->slave_repl_offset = *report.slave_repl_offset;
        }
        if (report.replica_announced) {
            replica->replica_announced = *report.replica_announced != 0;
        }
    }

    // Remember when the reported role changed; a role that differs from our configuration
    // is reported with "-role-change". An INFO without a role line changes nothing.
    if (report.role != ReportedRole::unknown) {
        const bool reports_master = report.role == ReportedRole::master;
        if (reports_master != inst->role_reported_master) {
            inst->role_reported_time = now.mono;
            inst->role_reported_master = reports_master;
            if (!reports_master) {
                inst->slave_conf_change_time = now.mono;
            }
            const bool coherent = reports_master == (ref.role == InstanceRole::master);
            event(out, LogLevel::verbose, coherent ? "+role-change" : "-role-change", *m, inst,
                  ref.role,
                  std::string(" new reported role is ") + (reports_master ? "master" : "slave"));
        }
    }
    // The acting half (failover progress, converting a returned master, fixing replica
    // configuration) is suspended in TILT.
    if (tilt_ || report.role == ReportedRole::unknown) {
        return;
    }
    act_on_info(now, *m, *inst, replica, report.role == ReportedRole::master, out);
    // A failover step may now be possible (promotion seen, a replica re-pointed).
    if ((m->inst.flags & kFlagFailoverInProgress) != 0) {
        act_on_master(now, *m, out, /*periodic_ask=*/false);
    }
}

int Sentinel::remove_sentinels_with_run_id(Master& m, const std::string& run_id, Outbox& out) {
    int removed = 0;
    for (auto it = m.sentinels.begin(); it != m.sentinels.end();) {
        if (it->inst.run_id == run_id) {
            release_link(it->inst, out);
            it = m.sentinels.erase(it);
            ++removed;
        } else {
            ++it;
        }
    }
    return removed;
}

void Sentinel::share_sentinel_link(const std::string& master_name, PeerSentinel& s) {
    // As sentinelTryConnectionSharing(): one connection per physical sentinel, whatever the
    // number of masters we both monitor.
    for (auto& other : masters_) {
        if (other.cfg.name == master_name) {
            continue;
        }
        for (auto& peer : other.sentinels) {
            if (peer.inst.run_id == s.inst.run_id && peer.inst.link != s.inst.link) {
                s.inst.link = peer.inst.link;
                ++s.inst.link->refcount;
                return;
            }
        }
    }
}

void Sentinel::process_hello(const Now& now, std::string_view payload, Outbox& out) {
    const auto parsed = parse_hello(payload);
    if (!parsed) {
        return;
    }
    const Hello& h = *parsed;
    // Our own hello can only come back to us by mistake (a cloned myid, a relayed message);
    // learning ourselves as a peer would corrupt every vote count.
    if (h.run_id == globals_.myid) {
        return;
    }
    Master* m = find_master(h.master_name);
    if (m == nullptr) {
        return;  // a master we do not monitor: not even the peer is learned
    }

    // getSentinelRedisInstanceByAddrAndRunID(): by run id and/or address (either form).
    auto find_peer = [&](Master& master, const std::string* ip, int port,
                         const std::string* run_id) -> PeerSentinel* {
        for (auto& s : master.sentinels) {
            if ((run_id == nullptr || s.inst.run_id == *run_id) &&
                (ip == nullptr || same_address(s.inst.host, s.inst.ip, s.inst.port, *ip, port))) {
                return &s;
            }
        }
        return nullptr;
    };

    PeerSentinel* si = find_peer(*m, &h.ip, h.port, &h.run_id);
    if (si == nullptr) {
        // Same run id at another address: the peer moved. Remove it and add it back.
        const int removed = remove_sentinels_with_run_id(*m, h.run_id, out);
        if (removed > 0) {
            event(out, LogLevel::notice, "+sentinel-address-switch", *m, &m->inst,
                  InstanceRole::master,
                  " ip " + h.ip + " port " + std::to_string(h.port) + " for " + h.run_id);
        } else if (PeerSentinel* other = find_peer(*m, &h.ip, h.port, nullptr)) {
            // Another run id claims this address: it is obsolete everywhere.
            event(out, LogLevel::notice, "+sentinel-invalid-addr", *m, &other->inst,
                  InstanceRole::sentinel, "");
            const std::string obsolete = other->inst.run_id;
            for (auto& master : masters_) {
                remove_sentinels_with_run_id(master, obsolete, out);
            }
        }
        // createSentinelRedisInstance(): a port out of range is refused; the announced
        // address is resolved once, and a name that does not resolve is kept with
        // resolve-hostnames and refused without it.
        const bool port_ok = h.port >= 0 && h.port <= 65535;
        std::optional<std::string> ip = port_ok ? resolve_address(h.ip) : std::nullopt;
        if (port_ok && !ip) {
            log_.log(LogLevel::warning, "Failed to resolve hostname '" + h.ip + "'");
            if (globals_.resolve_hostnames) {
                ip.emplace();
            }
        }
        if (ip) {
            PeerSentinel fresh;
            fresh.inst = fresh_instance(kFlagSentinel, h.ip, h.port, now);
            fresh.inst.ip = std::move(*ip);
            fresh.inst.run_id = h.run_id;
            m->sentinels.push_back(std::move(fresh));
            si = &m->sentinels.back();
            if (removed == 0) {
                event(out, LogLevel::notice, "+sentinel", *m, &si->inst, InstanceRole::sentinel,
                      "");
            }
            share_sentinel_link(m->cfg.name, *si);
        }
        if (si != nullptr && removed > 0) {
            // As sentinelUpdateSentinelAddressInAllMasters(): the same peer under other
            // masters gets the new address and fresh connections.
            int reconfigured = 0;
            for (auto& master : masters_) {
                for (auto& peer : master.sentinels) {
                    if (peer.inst.run_id != h.run_id) {
                        continue;
                    }
                    InstanceLink& link = *peer.inst.link;
                    if (link.cc) {
                        close_connection(link, *link.cc, out);
                    }
                    if (link.pc) {
                        close_connection(link, *link.pc, out);
                    }
                    if (&peer == si) {
                        continue;
                    }
                    peer.inst.host = si->inst.host;
                    peer.inst.ip = si->inst.ip;
                    peer.inst.port = si->inst.port;
                    ++reconfigured;
                }
            }
            if (reconfigured > 0) {
                event(out, LogLevel::notice, "+sentinel-address-update", *m, &si->inst,
                      InstanceRole::sentinel,
                      " " + std::to_string(reconfigured) + " additional matching instances");
            }
        }
        out.persist_discovery();
    }

    // Epochs only move forward; a newer one seen anywhere is adopted.
    if (h.current_epoch > globals_.current_epoch) {
        globals_.current_epoch = h.current_epoch;
        out.persist();
        event(out, LogLevel::warning, "+new-epoch", *m, nullptr, InstanceRole::master,
              std::to_string(globals_.current_epoch));
    }

    // A newer configuration of this master: follow it (another sentinel failed over).
    if (si != nullptr && m->cfg.config_epoch < h.master_config_epoch) {
        m->cfg.config_epoch = h.master_config_epoch;
        // Compared with the master as we currently announce it (the promoted replica during
        // our own failover), so that a newer configuration always wins over a failover of ours
        // still in progress. Redis compares with the configured address only; the simulator
        // showed that a sentinel still re-pointing replicas could then keep a different master
        // under the same config epoch forever.
        const InstanceState& cur = current_master_instance(*m);
        const bool ours_in_progress = (m->inst.flags & kFlagFailoverInProgress) != 0;
        if (ours_in_progress &&
            same_address(cur.host, cur.ip, cur.port, h.master_ip, h.master_port)) {
            if (&cur == &m->inst) {
                // Not promoted yet, and the newer configuration keeps this master: our attempt
                // is obsolete.
                abort_failover(now, *m);
            } else {
                // Someone else's newer configuration names the replica we promoted: finish by
                // switching to it now.
                m->failover_state = FailoverState::update_config;
            }
        } else if (ours_in_progress || !same_address(m->inst.host, m->inst.ip, m->cfg.port,
                                                     h.master_ip, h.master_port)) {
            event(out, LogLevel::warning, "+config-update-from", *m, &si->inst,
                  InstanceRole::sentinel, "");
            event(out, LogLevel::warning, "+switch-master", *m, nullptr, InstanceRole::master,
                  m->cfg.name + " " + announced(m->inst) + " " + std::to_string(m->cfg.port) + " " +
                      h.master_ip + " " + std::to_string(h.master_port));
            const std::string run_id = si->inst.run_id;
            const std::string old_host = announced(m->inst);
            const int old_port = m->cfg.port;
            // As sentinelResetMasterAndChangeAddress(): an address that does not resolve
            // leaves the master where it was (the event above is already out, as in Redis).
            if (h.master_port >= 0 && h.master_port <= 65535) {
                if (auto ip = resolve_address(h.master_ip)) {
                    reset_master_and_change_address(now, *m, h.master_ip, *ip, h.master_port, out);
                } else {
                    log_.log(LogLevel::warning, "Failed to resolve hostname '" + h.master_ip + "'");
                }
            }
            run_client_reconfig_script(*m, "observer", old_host, old_port, announced(m->inst),
                                       m->cfg.port, out);
            // The reset may have reallocated the peer list; find the sender again.
            si = find_peer(*m, &h.ip, h.port, &run_id);
        }
    }
    if (si != nullptr) {
        si->last_hello_time = now.mono;
        si->hello_master_host = h.master_ip;
        si->hello_master_port = h.master_port;
        si->hello_config_epoch = h.master_config_epoch;
        si->hello_current_epoch = h.current_epoch;
        si->hello_config_time = now.mono;
    }
}

void Sentinel::reset_master(const Now& now, Master& m, bool keep_sentinels, bool emit_event,
                            Outbox& out) {
    for (auto& r : m.replicas) {
        release_link(r.inst, out);
    }
    m.replicas.clear();
    if (!keep_sentinels) {
        for (auto& s : m.sentinels) {
            release_link(s.inst, out);
        }
        m.sentinels.clear();
    }
    // Other master names on the same server keep their connections.
    unshare_link(m.inst, out);
    InstanceLink& link = *m.inst.link;
    m.inst.flags &= kFlagMaster;
    m.failover_state = FailoverState::none;
    m.failover_state_change_time = Millis(0);
    m.failover_start_time.reset();  // as Redis: a new failover may start at once
    m.promoted.clear();
    m.leader.clear();
    m.inst.run_id.clear();
    m.inst.info.reset();
    m.inst.s_down_since.reset();
    m.inst.o_down_since.reset();
    // Like a new instance: just pinged and just answered, so it is not down at once; and
    // connect to the (possibly new) address at the next tick, not a second later, so that a
    // short down-after cannot expire before the first PING had a chance.
    link.last_reconn_time.reset();
    link.act_ping_time = now.mono;
    link.last_ping_time = Millis(0);
    link.last_avail_time = now.mono;
    link.last_pong_time = now.mono;
    m.inst.role_reported_time = now.mono;
    m.inst.role_reported_master = true;
    if (emit_event) {
        event(out, LogLevel::warning, "+reset-master", m, &m.inst, InstanceRole::master, "");
    }
}

void Sentinel::reset_master_and_change_address(const Now& now, Master& m, const std::string& host,
                                               const std::string& ip, int port, Outbox& out) {
    // The new replica set: the old replicas except the one at the new address, plus the old
    // master, so that it can be watched and turned into a replica when it comes back. Equal
    // addresses: same port, and same IP or same host name (sentinelAddrOrHostnameEqual).
    const auto same = [](const std::string& host_a, const std::string& ip_a, int port_a,
                         const std::string& host_b, const std::string& ip_b, int port_b) {
        return port_a == port_b && ((!ip_a.empty() && ip_a == ip_b) || iequals(host_a, host_b));
    };
    struct Addr {
        std::string host, ip;
        int port;
    };
    std::vector<Addr> addresses;
    for (const auto& r : m.replicas) {
        if (same(r.inst.host, r.inst.ip, r.inst.port, host, ip, port)) {
            continue;
        }
        addresses.push_back({r.inst.host, r.inst.ip, r.inst.port});
    }
    if (!same(m.inst.host, m.inst.ip, m.cfg.port, host, ip, port)) {
        addresses.push_back({m.inst.host, m.inst.ip, m.cfg.port});
    }
    reset_master(now, m, /*keep_sentinels=*/true, /*emit_event=*/false, out);
    m.cfg.host = host;
    m.cfg.ip = config::distinct_ip(host, ip);
    m.cfg.port = port;
    m.inst.host = host;
    m.inst.ip = ip;
    m.inst.port = port;
    // Redis re-creates them from their host names; the addresses they resolved to are kept
    // here instead of asking the resolver again.
    for (const auto& a : addresses) {
        m.replicas.push_back(new_replica(now, a.host, a.ip, a.port));
        event(out, LogLevel::notice, "+slave", m, &m.replicas.back().inst, InstanceRole::replica,
              "");
    }
    out.persist();
}

}  // namespace sentinel::core
