"""Mixed sentinel groups: ours and Debian's redis-sentinel 7.0.15 watching the same master.

Every member must discover every other member through hello messages (both ways: ours
parses the real one's hellos and vice versa) and both replicas through INFO, so that
each one reports num-other-sentinels 2 / num-slaves 2 and lists the others by their
MYID, address and healthy flags.  redis-py gets the same answers from every member, and
ours answers SENTINEL MASTER / REPLICAS / SENTINELS with the same fields, in the same
order, with the same stable values as its real neighbour.  Finally the lone member of
its kind is killed and the survivors of both kinds flag it s_down.

One group per parametrisation (module scope); the kill test runs last in each group.
"""

from __future__ import annotations

import pytest
from redis.sentinel import Sentinel

import harness
from harness import LOOPBACK, MASTER_NAME

GROUPS = [
    pytest.param(("ours", "ours", "real"), id="2-ours-1-real"),
    pytest.param(("ours", "real", "real"), id="1-ours-2-real"),
]

# Values that depend on time or on which sentinel answers; everything else must be equal.
VOLATILE = {"last-ping-sent", "last-ok-ping-reply", "last-ping-reply", "info-refresh",
            "role-reported-time", "last-hello-message", "link-pending-commands",
            "slave-repl-offset", "master-link-down-time", "num-other-sentinels"}


@pytest.fixture(scope="module", params=GROUPS)
def group(request, module_procs, ours_bin):
    topo = harness.start_topology(module_procs, list(request.param))
    harness.wait_settled(topo)
    return topo


def test_mixed_group_members_see_each_other(group):
    topo = group
    ids = {inst.port: harness.sentinel_myid(inst) for inst in topo.sentinels}
    assert len(set(ids.values())) == 3, ids
    for inst in topo.sentinels:
        master = harness.sentinel_master(inst)
        assert master["num-slaves"] == "2", (inst.kind, master)
        assert master["num-other-sentinels"] == "2", (inst.kind, master)
        peers = harness.sentinel_list(inst, "SENTINELS")
        got = sorted((p["runid"], p["name"], p["ip"], p["port"], p["flags"]) for p in peers)
        want = sorted((ids[o.port], ids[o.port], LOOPBACK, str(o.port), "sentinel")
                      for o in topo.sentinels if o is not inst)
        assert got == want, f"{inst.kind} sentinel :{inst.port} lists {got}"
        replicas = harness.sentinel_list(inst, "REPLICAS")
        assert sorted((r["ip"], int(r["port"]), r["flags"]) for r in replicas) == \
            sorted((ip, port, "slave") for ip, port in topo.replica_addrs())
        info = harness.redis_info(inst.port, "sentinel")
        assert info["master0"] == (f"name={MASTER_NAME},status=ok,address={LOOPBACK}:"
                                   f"{topo.master.port},slaves=2,sentinels=3"), inst.kind


def test_clients_cannot_tell_the_members_apart(group):
    topo = group
    for inst in topo.sentinels:
        client = Sentinel([(LOOPBACK, inst.port)], min_other_sentinels=2, socket_timeout=1.0)
        assert client.discover_master(MASTER_NAME) == (LOOPBACK, topo.master.port), inst.kind
        assert sorted(client.discover_slaves(MASTER_NAME)) == sorted(topo.replica_addrs()), inst.kind
        with harness.RespConnection(inst.port) as conn:
            addr = conn.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)
        assert addr.py() == [LOOPBACK, str(topo.master.port)], inst.kind


def _stable(entry: dict, drop=()) -> list[tuple[str, object]]:
    return [(k, None if k in VOLATILE or k in drop else v) for k, v in entry.items()]


def test_instance_lists_match_the_real_sentinel_field_for_field(group):
    """Same field names in the same order, same stable values, ours vs a real neighbour."""
    topo = group
    ours = next(i for i in topo.sentinels if i.kind == "ours")
    real = next(i for i in topo.sentinels if i.kind == "real")
    ids = {inst.port: harness.sentinel_myid(inst) for inst in topo.sentinels}

    def compare():
        m_ours, m_real = harness.sentinel_master(ours), harness.sentinel_master(real)
        assert _stable(m_ours) == _stable(m_real), f"SENTINEL MASTER\nours: {m_ours}\nreal: {m_real}"
        r_ours = sorted(harness.sentinel_list(ours, "REPLICAS"), key=lambda r: r["name"])
        r_real = sorted(harness.sentinel_list(real, "REPLICAS"), key=lambda r: r["name"])
        assert [_stable(r) for r in r_ours] == [_stable(r) for r in r_real], \
            f"SENTINEL REPLICAS\nours: {r_ours}\nreal: {r_real}"
        # Each lists the two others; compare the entries for the third sentinel (known to
        # both), and the field layout of the entries for each other.
        third = next(i for i in topo.sentinels if i is not ours and i is not real)
        s_ours = {s["runid"]: s for s in harness.sentinel_list(ours, "SENTINELS")}
        s_real = {s["runid"]: s for s in harness.sentinel_list(real, "SENTINELS")}
        assert _stable(s_ours[ids[third.port]]) == _stable(s_real[ids[third.port]]), \
            f"SENTINEL SENTINELS (third)\nours: {s_ours}\nreal: {s_real}"
        assert list(s_ours[ids[real.port]]) == list(s_real[ids[ours.port]]), \
            f"SENTINEL SENTINELS (each other)\nours: {s_ours}\nreal: {s_real}"
        return True

    harness.wait_until(compare, 10.0, "ours and the real sentinel to agree on every stable field")


def test_mixed_group_members_agree_on_a_dead_member(group):
    """Kill the lone member of its kind: the survivors (of both kinds) flag it s_down."""
    topo = group
    kinds = [inst.kind for inst in topo.sentinels]
    ids = {inst.port: harness.sentinel_myid(inst) for inst in topo.sentinels}
    victim = next(inst for inst in topo.sentinels if kinds.count(inst.kind) == 1)
    survivors = [inst for inst in topo.sentinels if inst is not victim]
    harness.kill_hard(victim.proc)

    def flagged():
        for inst in survivors:
            peers = {p["runid"]: p for p in harness.sentinel_list(inst, "SENTINELS")}
            flags = harness.flags_of(peers[ids[victim.port]])
            assert "s_down" in flags, (inst.kind, inst.port, flags)
            assert harness.flags_of(harness.sentinel_master(inst)) == {"master"}
        return True

    harness.wait_until(flagged, 15.0, f"survivors to flag the dead {victim.kind} sentinel s_down")
