#include "tests/sim/failover_audit.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <vector>

namespace sentinel::sim {
namespace {

std::vector<std::string> words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> out;
    for (std::string w; in >> w;) {
        out.push_back(w);
    }
    return out;
}

std::optional<std::uint64_t> number(const std::string& s) {
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

const config::MasterConfig* disk_master(const SentinelNode& node, const std::string& name) {
    for (const auto& m : node.disk().masters) {
        if (m.name == name) {
            return &m;
        }
    }
    return nullptr;
}

}  // namespace

std::string event_master(const EventRecord& e) {
    const auto w = words(e.text);
    if (e.type == "+switch-master") {
        return w.empty() ? "" : w[0];
    }
    if (w.size() >= 2 && w[0] == "master") {
        return w[1];
    }
    for (std::size_t i = 0; i + 1 < w.size(); ++i) {
        if (w[i] == "@") {
            return w[i + 1];
        }
    }
    return "";
}

void FailoverAudit::observe(const SentinelNode& node, const EventRecord& e) {
    Process& p = processes_[node.index()];
    if (e.boot != p.boot) {
        // A new process: ODOWN, attempts and the epoch seen last are gone with the old one.
        p = Process{};
        p.boot = e.boot;
    }
    const std::string who =
        "t=" + std::to_string(to_ms(e.time)) + "ms sentinel " + std::to_string(node.index()) + ": ";
    const std::string master = event_master(e);
    if (e.type == "+new-epoch") {
        p.last_new_epoch = number(e.text);
    } else if (e.type == "+odown") {
        p.odown[master] = true;
    } else if (e.type == "-odown") {
        p.odown[master] = false;
    } else if (e.type == "+switch-master" || e.type == "+reset-master") {
        // Both reset the master's state: its flags (ODOWN) and any failover in progress.
        p.odown.erase(master);
        p.attempts.erase(master);
    } else if (e.type.rfind("-failover-abort", 0) == 0) {
        p.attempts.erase(master);
    } else if (e.type == "+try-failover") {
        on_try_failover(node, p, master, who);
    } else if (e.type == "+vote-for-leader") {
        on_vote(node, e, who);
    } else if (e.type == "+elected-leader") {
        on_elected(node, p, master, who);
    } else if (e.type == "+promoted-slave") {
        on_promoted(node, p, e, master, who);
    }
    p.previous_type = e.type;
}

void FailoverAudit::on_try_failover(const SentinelNode& node, Process& p, const std::string& master,
                                    const std::string& who) {
    Attempt a;
    if (p.previous_type != "+new-epoch" || !p.last_new_epoch) {
        report_(who + "+try-failover for " + master + " not right after its +new-epoch");
    }
    a.epoch = p.last_new_epoch.value_or(0);
    int& used = manual_used_[node.index()];
    if (node.manual_failovers() > used) {
        ++used;
        a.manual = true;
    } else if (!p.odown[master]) {
        report_(who + "+try-failover for " + master + " in epoch " + std::to_string(a.epoch) +
                " without ODOWN and without SENTINEL FAILOVER");
    }
    p.attempts[master] = a;
}

void FailoverAudit::on_vote(const SentinelNode& node, const EventRecord& e,
                            const std::string& who) {
    const auto w = words(e.text);
    const auto epoch = w.size() == 2 ? number(w[1]) : std::nullopt;
    if (!epoch) {
        report_(who + "malformed +vote-for-leader: " + e.text);
        return;
    }
    auto [it, fresh] = votes_.emplace(std::pair{node.index(), *epoch}, w[0]);
    if (!fresh && it->second != w[0]) {
        report_(who + "voted twice in epoch " + std::to_string(*epoch) + ": for " + it->second +
                " and for " + w[0]);
    }
    // The vote must be durable before anyone hears of it (the disk is written synchronously,
    // so by the time the event is seen it must be there).
    std::uint64_t on_disk = 0;
    for (const auto& m : node.disk().masters) {
        on_disk = std::max(on_disk, m.leader_epoch);
    }
    if (!node.persist_fails() && on_disk < *epoch) {
        report_(who + "announced a vote in epoch " + std::to_string(*epoch) +
                " with leader-epoch " + std::to_string(on_disk) + " on disk");
    }
}

void FailoverAudit::on_elected(const SentinelNode& node, Process& p, const std::string& master,
                               const std::string& who) {
    const auto it = p.attempts.find(master);
    if (it == p.attempts.end()) {
        report_(who + "+elected-leader for " + master + " without a failover attempt");
        return;
    }
    Attempt& a = it->second;
    a.elected = true;
    const std::string epoch = std::to_string(a.epoch);
    auto [leader, fresh] = leaders_.emplace(std::pair{master, a.epoch}, node.index());
    if (!fresh && leader->second != node.index()) {
        report_(who + "second leader of " + master + " in epoch " + epoch + " (sentinel " +
                std::to_string(leader->second) + " was elected first)");
    }
    if (a.manual) {
        return;  // SENTINEL FAILOVER skips the election
    }
    const std::string& myid = node.disk().sentinel.myid;
    std::size_t votes = 0;
    std::string voters;
    for (const auto& [key, runid] : votes_) {
        if (key.second == a.epoch && runid == myid) {
            ++votes;
            voters += " " + std::to_string(key.first);
        }
    }
    // As sentinelGetLeader: a majority of every sentinel known (persisted), and the quorum.
    const config::MasterConfig* cfg = disk_master(node, master);
    const std::size_t quorum = cfg != nullptr ? static_cast<std::size_t>(cfg->quorum) : 0;
    const std::size_t known = cfg != nullptr ? cfg->known_sentinels.size() + 1 : 1;
    const std::size_t needed = std::max(quorum, known / 2 + 1);
    if (votes < needed) {
        report_(who + "elected leader of " + master + " in epoch " + epoch + " with " +
                std::to_string(votes) + " votes in that epoch (needs " + std::to_string(needed) +
                "; voters:" + (voters.empty() ? " none" : voters) + ")");
    }
}

void FailoverAudit::on_promoted(const SentinelNode& node, Process& p, const EventRecord& e,
                                const std::string& master, const std::string& who) {
    const auto it = p.attempts.find(master);
    if (it == p.attempts.end() || !it->second.elected) {
        report_(who + "+promoted-slave for " + master + " without being elected: " + e.text);
        return;
    }
    const std::uint64_t epoch = it->second.epoch;
    const auto w = words(e.text);
    const std::string replica = w.size() >= 2 ? w[1] : e.text;
    auto [prev, fresh] =
        promotions_.emplace(std::pair{master, epoch}, std::pair{node.index(), replica});
    if (!fresh && prev->second != std::pair{node.index(), replica}) {
        report_(who + "second promotion in config epoch " + std::to_string(epoch) + " of " +
                master + ": " + replica + " (sentinel " + std::to_string(prev->second.first) +
                " promoted " + prev->second.second + ")");
    }
    const config::MasterConfig* cfg = disk_master(node, master);
    if (!node.persist_fails() && (cfg == nullptr || cfg->config_epoch < epoch)) {
        report_(who + "promotion in epoch " + std::to_string(epoch) +
                " announced before its config epoch was persisted");
    }
}

}  // namespace sentinel::sim
