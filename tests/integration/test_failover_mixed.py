"""Failover in mixed groups: ours and Debian's redis-sentinel 7.0.15 watching the same
1 master + 2 replicas, master killed with -9.

Every member (of both kinds) must converge on the same promoted replica, the servers must
agree (one master, the other replica following it with its link up), exactly one member
publishes `+elected-leader`, and the others follow it through its hellos
(`+config-update-from` from the leader, then `+switch-master`).

* `2-real-1-ours` / `1-real-2-ours`: everyone has the same short down-after (quorum 2):
  whoever wins leads; the test reports which kind it was.
* `ours-leads` / `real-leads`: the leader is made deterministic.  Only the desired member
  has a short down-after; the other two have 30000, so they never see the master down
  before the failover is over and cannot start their own, but they still grant their vote.
  quorum 1, so the fast member reaches ODOWN on its own; the election still needs a
  majority (2 of 3), i.e. a vote from a member of the other kind in `ours-leads`, and from
  one of ours in `real-leads`.

Why 2000 and not 1000 for a real member: redis-sentinel 7.0.15 does not reset its
reconnection throttle (one attempt per 1000 ms PING period) when it switches to the new
master, while the switch restarts the down-after clock.  With down-after 1000, a real
sentinel whose last attempt on the dead master came just before the switch connects to the
new master only after down-after has run out: `+sdown` on the healthy new master, `+odown`
counted with the peers' stale is-master-down answers (`#quorum 3/2`), and a needless second
failover (seen here with the real sentinel following our quick leader).  Ours reconnects at
once after a switch, so our members keep 1000.
"""

from __future__ import annotations

import pytest

import harness
import topology
from harness import LOOPBACK, MASTER_NAME
from topology import SentinelSpec, details, match_in_order

FAST_OURS, FAST_REAL, SLOW = 1000, 2000, 30000


def _fast(kind: str) -> int:
    return FAST_OURS if kind == "ours" else FAST_REAL


def _leader_sequence(old: int, new: int, other: int, leader_id: str, epoch: int, quorum: int):
    old_master = details("master", LOOPBACK, old)
    promoted = details("slave", LOOPBACK, new, (LOOPBACK, old))
    reconf = details("slave", LOOPBACK, other, (LOOPBACK, old))
    return [
        ("+sdown", old_master),
        ("+odown", lambda p: p.startswith(old_master + " #quorum ") and p.endswith(f"/{quorum}")),
        ("+new-epoch", str(epoch)),
        ("+try-failover", old_master),
        ("+vote-for-leader", f"{leader_id} {epoch}"),
        ("+elected-leader", old_master),
        ("+failover-state-select-slave", old_master),
        ("+selected-slave", promoted),
        ("+failover-state-send-slaveof-noone", promoted),
        ("+failover-state-wait-promotion", promoted),
        ("+promoted-slave", promoted),
        ("+failover-state-reconf-slaves", old_master),
        ("+slave-reconf-sent", reconf),
        ("+slave-reconf-inprog", reconf),
        ("+slave-reconf-done", reconf),
        ("+failover-end", old_master),
        ("+switch-master", f"{MASTER_NAME} {LOOPBACK} {old} {LOOPBACK} {new}"),
    ]


def _crash_and_check(procs, sentinel_specs, quorum):
    grp = topology.start_group(procs, sentinel_specs, replicas=2, quorum=quorum)
    ids = grp.ids()
    kinds = {inst.port: inst.kind for inst in grp.sentinels}
    old = grp.initial_master
    logs = grp.watch()
    harness.kill_hard(grp.server(old).proc)

    new = grp.wait_converged(not_port=old)  # every member answers it; servers follow it
    switch = f"{MASTER_NAME} {LOOPBACK} {old} {LOOPBACK} {new}"
    for log in logs.values():
        log.wait_for("+switch-master", switch)
    events = {port: log.snapshot() for port, log in logs.items()}
    grp.unwatch()
    dump = "\n".join(f"{kinds[p]} :{p}:\n  " + "\n  ".join(f"{c} {x}" for c, x in evs)
                     for p, evs in events.items())

    # One failover only: one +elected-leader in the whole group.
    leaders = [p for p, evs in events.items() for c, _ in evs if c == "+elected-leader"]
    assert len(leaders) == 1, f"+elected-leader on {leaders}\n{dump}"
    leader = leaders[0]
    print(f"\nleader: {kinds[leader]} sentinel :{leader}; "
          f"kinds {[inst.kind for inst in grp.sentinels]}")

    epochs = {inst.port: int(harness.sentinel_master(inst)["config-epoch"]) for inst in grp.sentinels}
    assert len(set(epochs.values())) == 1 and min(epochs.values()) >= 1, epochs
    epoch = epochs[leader]
    for inst in grp.sentinels:
        assert topology.master_addr(inst) == (LOOPBACK, new), inst.kind
        master = harness.sentinel_master(inst)
        assert master["num-slaves"] == "2", (inst.kind, master)
        assert master["num-other-sentinels"] == "2", (inst.kind, master)

    other = next(p for p in grp.servers if p not in (old, new))
    missing = match_in_order(events[leader],
                             _leader_sequence(old, new, other, ids[leader], epoch, quorum))
    assert not missing, f"{kinds[leader]} leader :{leader} lacks (in order) {missing}\n{dump}"
    update = f"sentinel {ids[leader]} {LOOPBACK} {leader} @ {MASTER_NAME} {LOOPBACK} {old}"
    for port, evs in events.items():
        if port == leader:
            continue
        missing = match_in_order(evs, [("+config-update-from", update), ("+switch-master", switch)])
        assert not missing, f"{kinds[port]} follower :{port} lacks {missing}\n{dump}"
        assert switch in [x for c, x in evs if c == "+switch-master"]
    voters = [p for p, evs in events.items()
              if p != leader and ("+vote-for-leader", f"{ids[leader]} {epoch}") in evs]
    assert voters, f"no member voted for the leader in epoch {epoch}\n{dump}"
    return grp, leader, kinds, voters


@pytest.mark.parametrize("kinds", [
    pytest.param(["real", "real", "ours"], id="2-real-1-ours"),
    pytest.param(["real", "ours", "ours"], id="1-real-2-ours"),
])
def test_mixed_group_fails_over_together(procs, ours_bin, kinds):
    # The same down-after for every member, so that either kind may win.
    topology_specs = [SentinelSpec(kind=k, down_after=FAST_REAL) for k in kinds]
    _crash_and_check(procs, topology_specs, quorum=2)


@pytest.mark.parametrize("leader_kind", ["ours", "real"], ids=["ours-leads", "real-leads"])
def test_deterministic_leader_of_each_kind(procs, ours_bin, leader_kind):
    follower_kind = "real" if leader_kind == "ours" else "ours"
    sentinel_specs = [SentinelSpec(kind=leader_kind, down_after=_fast(leader_kind)),
                      SentinelSpec(kind=follower_kind, down_after=SLOW),
                      SentinelSpec(kind=follower_kind, down_after=SLOW)]
    grp, leader, kinds, voters = _crash_and_check(procs, sentinel_specs, quorum=1)
    assert leader == grp.sentinels[0].port, f"the {kinds[leader]} member :{leader} led"
    assert kinds[leader] == leader_kind
    assert all(kinds[v] == follower_kind for v in voters)
