// The acting half: objective down (ODOWN), votes and leader election, and the failover state
// machine, as in Redis 7.0's sentinel.c. The safety rules are kept exactly: one vote per master
// per epoch (persisted before it is announced), a leader needs a majority of all known
// sentinels and at least `quorum` votes, and epochs never go backwards.

#include <algorithm>
#include <map>

#include "sentinel/core/sentinel.hpp"
#include "sentinel/core/text.hpp"
#include "sentinel/core/wire.hpp"

namespace sentinel::core {
namespace {

// SENTINEL_MAX_DESYNC: random delay so that sentinels do not all start (or restart) a
// failover at the same moment.
constexpr std::int64_t kMaxDesyncMs = 1000;

bool no_down_for(const InstanceState& inst, const Now& now, std::int64_t ms) {
    // As sentinelRedisInstanceNoDownFor(): the most recent SDOWN or ODOWN began over ms ago.
    std::optional<Millis> most_recent = inst.s_down_since;
    if (inst.o_down_since && (!most_recent || *inst.o_down_since > *most_recent)) {
        most_recent = inst.o_down_since;
    }
    return !most_recent || to_ms(now.mono - *most_recent) > ms;
}

}  // namespace

Replica* Sentinel::promoted_replica(Master& m) {
    if (m.promoted.empty()) {
        return nullptr;
    }
    for (auto& r : m.replicas) {
        if (r.name() == m.promoted) {
            return &r;
        }
    }
    return nullptr;
}

const InstanceState& Sentinel::current_master_instance(const Master& m) const {
    // Once the promoted replica is seen as master, it is the master for clients, hellos and
    // the persisted configuration, even before the switch at the end of the failover.
    if ((m.inst.flags & kFlagFailoverInProgress) != 0 && !m.promoted.empty() &&
        m.failover_state >= FailoverState::reconf_slaves) {
        for (const auto& r : m.replicas) {
            if (r.name() == m.promoted) {
                return r.inst;
            }
        }
    }
    return m.inst;
}

std::pair<std::string, int> Sentinel::current_master_address(const Master& m) const {
    const InstanceState& cur = current_master_instance(m);
    return {announced(cur), cur.port};
}

bool Sentinel::master_looks_sane(const Now& now, const Master& m) const {
    return m.inst.role_reported_master && (m.inst.flags & (kFlagSDown | kFlagODown)) == 0 &&
           m.inst.info_refresh && to_ms(now.mono - *m.inst.info_refresh) < timing_.info_period * 2;
}

bool Sentinel::send_slaveof(const Master& m, InstanceState& inst, const InstanceRef& ref,
                            const std::string& host, int port, Outbox& out) {
    InstanceLink& link = *inst.link;
    if (!link.cc) {
        return false;
    }
    // One transaction: switch role, persist it on the server, and drop its clients so they
    // reconnect and re-resolve. Replies are ignored; the effect is read back from INFO.
    const std::vector<std::string> slaveof =
        host.empty() ? std::vector<std::string>{"SLAVEOF", "NO", "ONE"}
                     : std::vector<std::string>{"SLAVEOF", host, std::to_string(port)};
    send_command(link, PendingKind::discard, ref, mapped(m, {"MULTI"}), out);
    send_command(link, PendingKind::discard, ref, mapped(m, slaveof), out);
    send_command(link, PendingKind::discard, ref, mapped(m, {"CONFIG", "REWRITE"}), out);
    send_command(link, PendingKind::discard, ref, mapped(m, {"CLIENT", "KILL", "TYPE", "normal"}),
                 out);
    send_command(link, PendingKind::discard, ref, mapped(m, {"CLIENT", "KILL", "TYPE", "pubsub"}),
                 out);
    send_command(link, PendingKind::discard, ref, mapped(m, {"EXEC"}), out);
    // The server runs commands in order, so this INFO already reflects the new role.
    send_command(link, PendingKind::info, ref, mapped(m, {"INFO"}), out);
    return true;
}

void Sentinel::act_on_master(const Now& now, Master& m, Outbox& out, bool periodic_ask) {
    check_objectively_down(now, m, out);
    if (start_failover_if_needed(now, m, out)) {
        ask_master_state(now, m, /*forced=*/true, out);
    }
    // Take every step whose condition already holds instead of one step per tick; each step
    // is exactly Redis's, only sooner. Bounded: the machine has six states.
    for (int i = 0; i < 8; ++i) {
        const FailoverState before = m.failover_state;
        failover_state_machine(now, m, out);
        if (m.failover_state == before) {
            break;
        }
    }
    if (m.failover_state == FailoverState::update_config) {
        switch_to_promoted(now, m, out);
    }
    // The regular (rate-limited) questions to peers belong to the timer only: asking again
    // from every reply would multiply requests after a stall.
    if (periodic_ask) {
        ask_master_state(now, m, /*forced=*/false, out);
    }
}

bool Sentinel::config_confirmed(const Master& m, Millis since) const {
    // A newer configuration than ours can only come from a failover in a later epoch, whose
    // leader needed the votes of a majority, each of which moved its current epoch past our
    // config epoch. So if we have not moved past it ourselves, and a majority of sentinels
    // (us included) announced current epoch == our config epoch together with our exact
    // master in hellos we received after `since` (when the instance started to claim the
    // master role), the two majorities intersect in a sentinel that has not voted in any
    // later epoch: no such failover exists. Stale peers confirm nothing, because a stale
    // peer either voted (its epoch moved) or is outvoted by those that did.
    if (globals_.current_epoch != m.cfg.config_epoch) {
        return false;
    }
    std::size_t agreeing = 1;  // ourselves
    for (const auto& s : m.sentinels) {
        if (s.hello_config_time && *s.hello_config_time > since &&
            s.hello_current_epoch == m.cfg.config_epoch &&
            s.hello_config_epoch == m.cfg.config_epoch &&
            same_address(m.inst.host, m.inst.ip, m.cfg.port, s.hello_master_host,
                         s.hello_master_port)) {
            ++agreeing;
        }
    }
    return agreeing >= (m.sentinels.size() + 1) / 2 + 1;
}

void Sentinel::check_objectively_down(const Now& now, Master& m, Outbox& out) {
    unsigned quorum = 0;
    bool odown = false;
    if ((m.inst.flags & kFlagSDown) != 0) {
        quorum = 1;
        for (const auto& s : m.sentinels) {
            if ((s.inst.flags & kFlagMasterDown) != 0) {
                ++quorum;
            }
        }
        odown = static_cast<int>(quorum) >= m.cfg.quorum;
    }
    if (odown) {
        if ((m.inst.flags & kFlagODown) == 0) {
            event(out, LogLevel::warning, "+odown", m, &m.inst, InstanceRole::master,
                  " #quorum " + std::to_string(quorum) + "/" + std::to_string(m.cfg.quorum));
            m.inst.flags |= kFlagODown;
            m.inst.o_down_since = now.mono;
        }
    } else if ((m.inst.flags & kFlagODown) != 0) {
        event(out, LogLevel::warning, "-odown", m, &m.inst, InstanceRole::master, "");
        m.inst.flags &= ~kFlagODown;
    }
}

void Sentinel::ask_master_state(const Now& now, Master& m, bool forced, Outbox& out) {
    for (auto& s : m.sentinels) {
        // Answers older than five ask periods no longer count, nor does the vote in them.
        if (!s.last_master_down_reply_time ||
            to_ms(now.mono - *s.last_master_down_reply_time) > timing_.ask_period * 5) {
            s.inst.flags &= ~kFlagMasterDown;
            s.leader.clear();
        }
        if ((m.inst.flags & kFlagSDown) == 0 || s.inst.link->disconnected || !s.inst.link->cc) {
            continue;
        }
        if (!forced && s.last_master_down_reply_time &&
            to_ms(now.mono - *s.last_master_down_reply_time) < timing_.ask_period) {
            continue;
        }
        // With a failover of ours in progress the request doubles as "vote for me", for the
        // epoch that failover runs in.
        const bool failing_over = m.failover_state != FailoverState::none;
        const std::string runid = failing_over ? globals_.myid : std::string("*");
        const std::uint64_t epoch = failing_over ? m.failover_epoch : globals_.current_epoch;
        send_command(*s.inst.link, PendingKind::is_master_down,
                     InstanceRef{m.cfg.name, InstanceRole::sentinel, s.inst.run_id},
                     mapped(m, {"SENTINEL", "is-master-down-by-addr", announced(m.inst),
                                std::to_string(m.cfg.port), std::to_string(epoch), runid}),
                     out);
    }
}

void Sentinel::handle_is_master_down_reply(const Now& now, const InstanceRef& ref,
                                           const resp::Value& v, Outbox& out) {
    Master* m = nullptr;
    InstanceState* inst = lookup(ref, &m);
    if (inst == nullptr) {
        return;
    }
    PeerSentinel* peer = nullptr;
    for (auto& s : m->sentinels) {
        if (&s.inst == inst) {
            peer = &s;
        }
    }
    // Anything but [int, bulk, int] is ignored; the flag then expires on its own.
    if (peer == nullptr || v.type != resp::Type::array || v.elements.size() != 3 ||
        v.elements[0].type != resp::Type::integer ||
        v.elements[1].type != resp::Type::bulk_string ||
        v.elements[2].type != resp::Type::integer) {
        return;
    }
    peer->last_master_down_reply_time = now.mono;
    if (v.elements[0].integer == 1) {
        peer->inst.flags |= kFlagMasterDown;
    } else {
        peer->inst.flags &= ~kFlagMasterDown;
    }
    if (v.elements[1].str != "*") {
        const auto epoch = static_cast<std::uint64_t>(v.elements[2].integer);
        if (peer->leader_epoch != epoch) {
            log_.log(LogLevel::warning, peer->inst.run_id + " voted for " + v.elements[1].str +
                                            " " + std::to_string(epoch));
        }
        peer->leader = v.elements[1].str;
        peer->leader_epoch = epoch;
    }
    // ODOWN and the election may be decidable now; Redis would wait for the next tick.
    if (!tilt_) {
        act_on_master(now, *m, out, /*periodic_ask=*/false);
    }
}

std::string Sentinel::vote_leader(const Now& now, Master& m, std::uint64_t req_epoch,
                                  const std::string& req_runid, std::uint64_t& leader_epoch,
                                  Outbox& out) {
    if (req_epoch > globals_.current_epoch) {
        globals_.current_epoch = req_epoch;
        out.persist();
        event(out, LogLevel::warning, "+new-epoch", m, nullptr, InstanceRole::master,
              std::to_string(globals_.current_epoch));
    }
    // One vote per epoch: leader_epoch is persisted, so a restart cannot vote twice either.
    if (m.cfg.leader_epoch < req_epoch && globals_.current_epoch <= req_epoch) {
        m.leader = req_runid;
        m.cfg.leader_epoch = globals_.current_epoch;
        // The persist is emitted before the event and before the caller's reply: the runtime
        // makes it durable before anything later in the outbox leaves the process.
        out.persist();
        event(out, LogLevel::warning, "+vote-for-leader", m, nullptr, InstanceRole::master,
              m.leader + " " + std::to_string(m.cfg.leader_epoch));
        // Having voted for another, do not start our own attempt right away.
        if (!iequals(m.leader, globals_.myid)) {
            m.failover_start_time = now.mono + Millis(rng_.uniform(0, kMaxDesyncMs - 1));
        }
    }
    leader_epoch = m.cfg.leader_epoch;
    return m.leader;
}

std::string Sentinel::get_leader(const Now& now, Master& m, std::uint64_t epoch, Outbox& out) {
    const std::size_t voters = m.sentinels.size() + 1;
    // std::map keeps the count deterministic; ties go to the smallest run id (Redis picks by
    // hash-table order).
    std::map<std::string, std::uint64_t> counters;
    // Only votes cast in this failover's epoch count. (Redis compares with the current
    // epoch, so a sentinel still waiting in epoch E could be elected by votes for E+1 and
    // give E two leaders; the simulator found it.)
    for (const auto& s : m.sentinels) {
        if (!s.leader.empty() && s.leader_epoch == epoch) {
            ++counters[s.leader];
        }
    }
    std::string winner;
    std::uint64_t max_votes = 0;
    for (const auto& [runid, votes] : counters) {
        if (votes > max_votes) {
            max_votes = votes;
            winner = runid;
        }
    }
    // Our own vote: for the most voted candidate, or for ourselves when nobody has votes.
    std::uint64_t leader_epoch = 0;
    const std::string myvote =
        vote_leader(now, m, epoch, winner.empty() ? globals_.myid : winner, leader_epoch, out);
    if (!myvote.empty() && leader_epoch == epoch) {
        const std::uint64_t votes = ++counters[myvote];
        if (votes > max_votes) {
            max_votes = votes;
            winner = myvote;
        }
    }
    // A majority of every sentinel ever known, and at least quorum.
    const std::size_t voters_quorum = voters / 2 + 1;
    if (!winner.empty() &&
        (max_votes < voters_quorum || max_votes < static_cast<std::uint64_t>(m.cfg.quorum))) {
        winner.clear();
    }
    return winner;
}

void Sentinel::start_failover(const Now& now, Master& m, Outbox& out) {
    m.failover_state = FailoverState::wait_start;
    m.inst.flags |= kFlagFailoverInProgress;
    m.failover_epoch = ++globals_.current_epoch;
    // Persisted at once so that a restart never reuses the epoch.
    out.persist();
    event(out, LogLevel::warning, "+new-epoch", m, nullptr, InstanceRole::master,
          std::to_string(globals_.current_epoch));
    event(out, LogLevel::warning, "+try-failover", m, &m.inst, InstanceRole::master, "");
    m.failover_start_time = now.mono + Millis(rng_.uniform(0, kMaxDesyncMs - 1));
    m.failover_state_change_time = now.mono;
}

bool Sentinel::start_failover_if_needed(const Now& now, Master& m, Outbox& out) {
    if ((m.inst.flags & kFlagODown) == 0 || (m.inst.flags & kFlagFailoverInProgress) != 0) {
        return false;
    }
    if (m.failover_start_time &&
        to_ms(now.mono - *m.failover_start_time) < m.cfg.failover_timeout_ms * 2) {
        if (m.failover_delay_logged != m.failover_start_time) {
            m.failover_delay_logged = m.failover_start_time;
            const std::int64_t wait_ms =
                m.cfg.failover_timeout_ms * 2 - to_ms(now.mono - *m.failover_start_time);
            log_.log(LogLevel::warning, "Next failover delay: I will not start a failover before " +
                                            std::to_string(wait_ms) + " ms from now");
        }
        return false;
    }
    start_failover(now, m, out);
    return true;
}

void Sentinel::abort_failover(const Now& now, Master& m) {
    m.inst.flags &= ~(kFlagFailoverInProgress | kFlagForceFailover);
    m.failover_state = FailoverState::none;
    m.failover_state_change_time = now.mono;
    if (Replica* r = promoted_replica(m)) {
        r->inst.flags &= ~kFlagPromoted;
    }
    m.promoted.clear();
}

Replica* Sentinel::select_replica(const Now& now, Master& m) {
    std::int64_t max_master_down_time = 0;
    if ((m.inst.flags & kFlagSDown) != 0 && m.inst.s_down_since) {
        max_master_down_time += to_ms(now.mono - *m.inst.s_down_since);
    }
    max_master_down_time += m.cfg.down_after_ms * 10;
    std::vector<Replica*> candidates;
    for (auto& r : m.replicas) {
        if ((r.inst.flags & (kFlagSDown | kFlagODown)) != 0 || r.inst.link->disconnected) {
            continue;
        }
        if (to_ms(now.mono - r.inst.link->last_avail_time) > timing_.ping_period * 5) {
            continue;
        }
        if (r.slave_priority == 0) {
            continue;
        }
        // INFO must be fresh: very fresh if the master is down (replicas are polled every
        // second then), recent enough otherwise.
        const std::int64_t info_validity =
            (m.inst.flags & kFlagSDown) != 0 ? timing_.ping_period * 5 : timing_.info_period * 3;
        if (!r.inst.info_refresh || to_ms(now.mono - *r.inst.info_refresh) > info_validity) {
            continue;
        }
        // Disconnected from the master for too long: its data may be too old.
        if (r.master_link_down_time_ms > max_master_down_time) {
            continue;
        }
        candidates.push_back(&r);
    }
    if (candidates.empty()) {
        return nullptr;
    }
    // Lower priority first, then the most data, then the smaller run id (unknown ones last).
    std::sort(candidates.begin(), candidates.end(), [](const Replica* a, const Replica* b) {
        if (a->slave_priority != b->slave_priority) {
            return a->slave_priority < b->slave_priority;
        }
        if (a->slave_repl_offset != b->slave_repl_offset) {
            return a->slave_repl_offset > b->slave_repl_offset;
        }
        if (a->inst.run_id.empty() != b->inst.run_id.empty()) {
            return b->inst.run_id.empty();
        }
        return to_lower(a->inst.run_id) < to_lower(b->inst.run_id);
    });
    return candidates.front();
}

void Sentinel::failover_state_machine(const Now& now, Master& m, Outbox& out) {
    if ((m.inst.flags & kFlagFailoverInProgress) == 0) {
        return;
    }
    switch (m.failover_state) {
        case FailoverState::wait_start: {
            const std::string leader = get_leader(now, m, m.failover_epoch, out);
            const bool is_leader = !leader.empty() && iequals(leader, globals_.myid);
            if (!is_leader && (m.inst.flags & kFlagForceFailover) == 0) {
                const std::int64_t election_timeout =
                    std::min(timing_.election_timeout, m.cfg.failover_timeout_ms);
                if (to_ms(now.mono - *m.failover_start_time) > election_timeout) {
                    event(out, LogLevel::warning, "-failover-abort-not-elected", m, &m.inst,
                          InstanceRole::master, "");
                    abort_failover(now, m);
                }
                return;
            }
            event(out, LogLevel::warning, "+elected-leader", m, &m.inst, InstanceRole::master, "");
            if ((simulated_failures_ & kSimFailureCrashAfterElection) != 0) {
                out.exit(99, "Sentinel CRASH because of SENTINEL simulate-failure");
                return;
            }
            m.failover_state = FailoverState::select_slave;
            m.failover_state_change_time = now.mono;
            event(out, LogLevel::warning, "+failover-state-select-slave", m, &m.inst,
                  InstanceRole::master, "");
            break;
        }
        case FailoverState::select_slave: {
            Replica* r = select_replica(now, m);
            if (r == nullptr) {
                event(out, LogLevel::warning, "-failover-abort-no-good-slave", m, &m.inst,
                      InstanceRole::master, "");
                abort_failover(now, m);
                return;
            }
            event(out, LogLevel::warning, "+selected-slave", m, &r->inst, InstanceRole::replica,
                  "");
            r->inst.flags |= kFlagPromoted;
            m.promoted = r->name();
            m.failover_state = FailoverState::send_slaveof_noone;
            m.failover_state_change_time = now.mono;
            event(out, LogLevel::notice, "+failover-state-send-slaveof-noone", m, &r->inst,
                  InstanceRole::replica, "");
            break;
        }
        case FailoverState::send_slaveof_noone: {
            Replica* r = promoted_replica(m);
            if (r == nullptr || r->inst.link->disconnected) {
                if (to_ms(now.mono - m.failover_state_change_time) > m.cfg.failover_timeout_ms) {
                    event(out, LogLevel::warning, "-failover-abort-slave-timeout", m, &m.inst,
                          InstanceRole::master, "");
                    abort_failover(now, m);
                }
                return;
            }
            if (!send_slaveof(m, r->inst, InstanceRef{m.cfg.name, InstanceRole::replica, r->name()},
                              "", 0, out)) {
                return;
            }
            event(out, LogLevel::notice, "+failover-state-wait-promotion", m, &r->inst,
                  InstanceRole::replica, "");
            m.failover_state = FailoverState::wait_promotion;
            m.failover_state_change_time = now.mono;
            break;
        }
        case FailoverState::wait_promotion:
            // Promotion is detected from the replica's INFO (refresh_info).
            if (to_ms(now.mono - m.failover_state_change_time) > m.cfg.failover_timeout_ms) {
                event(out, LogLevel::warning, "-failover-abort-slave-timeout", m, &m.inst,
                      InstanceRole::master, "");
                abort_failover(now, m);
            }
            break;
        case FailoverState::reconf_slaves:
            reconf_next_replicas(now, m, out);
            break;
        case FailoverState::none:
        case FailoverState::update_config:
            break;
    }
}

void Sentinel::reconf_next_replicas(const Now& now, Master& m, Outbox& out) {
    Replica* promoted = promoted_replica(m);
    if (promoted == nullptr) {
        return;
    }
    const std::string target_host = announced(promoted->inst);
    const int target_port = promoted->inst.port;
    int in_progress = 0;
    for (const auto& r : m.replicas) {
        if ((r.inst.flags & (kFlagReconfSent | kFlagReconfInprog)) != 0) {
            ++in_progress;
        }
    }
    for (auto& r : m.replicas) {
        if (in_progress >= m.cfg.parallel_syncs) {
            break;
        }
        if ((r.inst.flags & (kFlagPromoted | kFlagReconfDone)) != 0) {
            continue;
        }
        // A replica that never showed progress is considered done after the timeout.
        if ((r.inst.flags & kFlagReconfSent) != 0 &&
            to_ms(now.mono - r.slave_reconf_sent_time) > timing_.slave_reconf_timeout) {
            event(out, LogLevel::notice, "-slave-reconf-sent-timeout", m, &r.inst,
                  InstanceRole::replica, "");
            r.inst.flags &= ~kFlagReconfSent;
            r.inst.flags |= kFlagReconfDone;
        }
        if ((r.inst.flags & (kFlagReconfSent | kFlagReconfInprog)) != 0 ||
            r.inst.link->disconnected) {
            continue;
        }
        if (send_slaveof(m, r.inst, InstanceRef{m.cfg.name, InstanceRole::replica, r.name()},
                         target_host, target_port, out)) {
            r.inst.flags |= kFlagReconfSent;
            r.slave_reconf_sent_time = now.mono;
            event(out, LogLevel::notice, "+slave-reconf-sent", m, &r.inst, InstanceRole::replica,
                  "");
            ++in_progress;
        }
    }
    detect_failover_end(now, m, out);
}

void Sentinel::detect_failover_end(const Now& now, Master& m, Outbox& out) {
    Replica* promoted = promoted_replica(m);
    if (promoted == nullptr || (promoted->inst.flags & kFlagSDown) != 0) {
        return;
    }
    int not_reconfigured = 0;
    for (const auto& r : m.replicas) {
        if ((r.inst.flags & (kFlagPromoted | kFlagReconfDone | kFlagSDown)) != 0) {
            continue;
        }
        ++not_reconfigured;
    }
    bool timeout = false;
    if (to_ms(now.mono - m.failover_state_change_time) > m.cfg.failover_timeout_ms) {
        not_reconfigured = 0;
        timeout = true;
        event(out, LogLevel::warning, "+failover-end-for-timeout", m, &m.inst, InstanceRole::master,
              "");
    }
    if (not_reconfigured == 0) {
        event(out, LogLevel::warning, "+failover-end", m, &m.inst, InstanceRole::master, "");
        m.failover_state = FailoverState::update_config;
        m.failover_state_change_time = now.mono;
    }
    if (timeout) {
        // Best effort for the stragglers: point them at the new master once.
        const std::string host = announced(promoted->inst);
        const int port = promoted->inst.port;
        for (auto& r : m.replicas) {
            if ((r.inst.flags & (kFlagPromoted | kFlagReconfDone | kFlagReconfSent)) != 0 ||
                r.inst.link->disconnected) {
                continue;
            }
            if (send_slaveof(m, r.inst, InstanceRef{m.cfg.name, InstanceRole::replica, r.name()},
                             host, port, out)) {
                event(out, LogLevel::notice, "+slave-reconf-sent-be", m, &r.inst,
                      InstanceRole::replica, "");
                r.inst.flags |= kFlagReconfSent;
            }
        }
    }
}

void Sentinel::switch_to_promoted(const Now& now, Master& m, Outbox& out) {
    Replica* promoted = promoted_replica(m);
    const InstanceState& to = promoted != nullptr ? promoted->inst : m.inst;
    // Copies: the reset below replaces the replica list.
    const std::string host = to.host;
    const std::string ip = to.ip;
    const int port = to.port;
    event(out, LogLevel::warning, "+switch-master", m, nullptr, InstanceRole::master,
          m.cfg.name + " " + announced(m.inst) + " " + std::to_string(m.cfg.port) + " " +
              announced(to) + " " + std::to_string(port));
    reset_master_and_change_address(now, m, host, ip, port, out);
}

void Sentinel::force_hello_update(Master& m) {
    // As sentinelForceHelloUpdateForMaster(): make every hello for this master due now, so
    // peers learn the new configuration without waiting for the publish period.
    m.inst.last_pub_time.reset();
    for (auto& r : m.replicas) {
        r.inst.last_pub_time.reset();
    }
    for (auto& s : m.sentinels) {
        s.inst.last_pub_time.reset();
    }
}

void Sentinel::act_on_info(const Now& now, Master& m, InstanceState& inst, Replica* replica,
                           bool reports_master, Outbox& out) {
    if (replica == nullptr) {
        return;  // a configured master reporting "slave": SDOWN catches it after a while
    }
    const InstanceRef ref{m.cfg.name, InstanceRole::replica, replica->name()};
    if (reports_master) {
        if ((inst.flags & kFlagPromoted) != 0 && (m.inst.flags & kFlagFailoverInProgress) != 0 &&
            m.failover_state == FailoverState::wait_promotion) {
            // Our chosen replica is now a master: this is the point of no return.
            m.cfg.config_epoch = m.failover_epoch;
            m.failover_state = FailoverState::reconf_slaves;
            m.failover_state_change_time = now.mono;
            out.persist();
            event(out, LogLevel::warning, "+promoted-slave", m, &inst, InstanceRole::replica, "");
            if ((simulated_failures_ & kSimFailureCrashAfterPromotion) != 0) {
                out.exit(99, "Sentinel CRASH because of SENTINEL simulate-failure");
                return;
            }
            event(out, LogLevel::warning, "+failover-state-reconf-slaves", m, &m.inst,
                  InstanceRole::master, "");
            run_client_reconfig_script(m, "leader", announced(m.inst), m.cfg.port, announced(inst),
                                       inst.port, out);
            force_hello_update(m);
        } else {
            // A replica of ours claims to be a master (typically the old master restarted
            // with its old config). Demoting it is only safe if our configuration is the
            // current one: a sentinel with a stale view would demote the real master. Redis
            // waits four hello periods for hellos to correct a stale view; we convert as soon
            // as config_confirmed() proves our view current, and otherwise keep Redis's wait.
            const std::int64_t wait_time = timing_.publish_period * 4;
            const bool waited = no_down_for(inst, now, wait_time) &&
                                to_ms(now.mono - inst.role_reported_time) > wait_time;
            if ((inst.flags & kFlagPromoted) == 0 && master_looks_sane(now, m) &&
                (waited || config_confirmed(m, inst.role_reported_time))) {
                if (send_slaveof(m, inst, ref, announced(m.inst), m.cfg.port, out)) {
                    event(out, LogLevel::notice, "+convert-to-slave", m, &inst,
                          InstanceRole::replica, "");
                }
            }
        }
        return;
    }

    // A replica following the wrong master is fixed once its configuration has been stable
    // for a failover timeout.
    if (!same_address(m.inst.host, m.inst.ip, m.cfg.port, replica->master_host,
                      replica->master_port)) {
        const std::int64_t wait_time = m.cfg.failover_timeout_ms;
        if (master_looks_sane(now, m) && no_down_for(inst, now, wait_time) &&
            to_ms(now.mono - inst.slave_conf_change_time) > wait_time) {
            if (send_slaveof(m, inst, ref, announced(m.inst), m.cfg.port, out)) {
                event(out, LogLevel::notice, "+fix-slave-config", m, &inst, InstanceRole::replica,
                      "");
            }
        }
    }

    // Progress of a replica we are re-pointing during a failover.
    if ((inst.flags & (kFlagReconfSent | kFlagReconfInprog)) != 0) {
        const Replica* promoted = promoted_replica(m);
        if ((inst.flags & kFlagReconfSent) != 0 && promoted != nullptr &&
            !replica->master_host.empty() &&
            same_address(promoted->inst.host, promoted->inst.ip, promoted->inst.port,
                         replica->master_host, replica->master_port)) {
            inst.flags &= ~kFlagReconfSent;
            inst.flags |= kFlagReconfInprog;
            event(out, LogLevel::notice, "+slave-reconf-inprog", m, &inst, InstanceRole::replica,
                  "");
        }
        if ((inst.flags & kFlagReconfInprog) != 0 && replica->master_link_ok) {
            inst.flags &= ~kFlagReconfInprog;
            inst.flags |= kFlagReconfDone;
            event(out, LogLevel::notice, "+slave-reconf-done", m, &inst, InstanceRole::replica, "");
        }
    }
}

void Sentinel::run_client_reconfig_script(const Master& m, std::string_view role,
                                          const std::string& from_host, int from_port,
                                          const std::string& to_host, int to_port, Outbox&) {
    if (m.cfg.client_reconfig_script.empty()) {
        return;
    }
    // As sentinelCallClientReconfScript(): queued, run by the next tick.
    scripts_.schedule({m.cfg.client_reconfig_script, m.cfg.name, std::string(role), "start",
                       from_host, std::to_string(from_port), to_host, std::to_string(to_port)});
}

resp::Value Sentinel::is_master_down_command(const Now& now, const std::vector<std::string>& args,
                                             Outbox& out) {
    const auto port = string2ll(args[3]);
    const auto req_epoch = string2ll(args[4]);
    if (!port || !req_epoch) {
        return resp::Value::error(wire::kErrNotInteger);
    }
    // Looked up by address (IP or host name) over all masters, as
    // getSentinelRedisInstanceByAddrAndRunID() does.
    Master* m = nullptr;
    for (auto& candidate : masters_) {
        if (same_address(candidate.inst.host, candidate.inst.ip, candidate.cfg.port, args[2],
                         static_cast<int>(*port)) &&
            candidate.cfg.port == *port) {
            m = &candidate;
            break;
        }
    }
    // In TILT we cannot trust our own view: always "not down".
    const bool down = !tilt_ && m != nullptr && (m->inst.flags & kFlagSDown) != 0;
    std::string leader;
    std::uint64_t leader_epoch = 0;
    if (m != nullptr && args[5] != "*") {
        leader = vote_leader(now, *m, static_cast<std::uint64_t>(*req_epoch), args[5], leader_epoch,
                             out);
    }
    return resp::Value::array(
        {resp::Value::integer_value(down ? 1 : 0), resp::Value::bulk(leader.empty() ? "*" : leader),
         resp::Value::integer_value(static_cast<std::int64_t>(leader_epoch))});
}

resp::Value Sentinel::failover_command(const Now& now, const std::vector<std::string>& args,
                                       Outbox& out) {
    Master* m = find_master(args[2]);
    if (m == nullptr) {
        return resp::Value::error(wire::kErrNoSuchMaster);
    }
    if ((m->inst.flags & kFlagFailoverInProgress) != 0) {
        return resp::Value::error(wire::kErrFailoverInProgress);
    }
    if (select_replica(now, *m) == nullptr) {
        return resp::Value::error(wire::kErrNoGoodSlave);
    }
    log_.log(LogLevel::warning, "Executing user requested FAILOVER of '" + m->cfg.name + "'");
    start_failover(now, *m, out);
    m->inst.flags |= kFlagForceFailover;
    return resp::Value::simple("OK");
}

}  // namespace sentinel::core
