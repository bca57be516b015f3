"""Failover with real processes: 1 master + 2 replicas watched by 3 of our sentinels
(quorum 2, down-after-milliseconds 1000, failover-timeout 10000).

The module's tests run in file order on one group, each building on the previous one:

1. kill -9 the master while a PSUBSCRIBE '*' log runs on every sentinel and a redis-py
   client writes: every sentinel and both surviving servers agree on the promoted
   replica; `+switch-master` (5 tokens) everywhere; exactly one `+elected-leader`, and
   the leader published Redis's failover sequence in order; config epoch and the
   rewritten config files; redis-py writes succeed on the new master, old data kept;
2. the old master restarted as a master is converted into a replica (`+convert-to-slave`);
3. a sentinel stopped and restarted from its rewritten config knows the new state at once;
4. SENTINEL FAILOVER (manual): +OK, -INPROG while running, everyone follows; -NOGOODSLAVE
   for a master without replicas (own sentinel);
5. on a throwaway group: CKQUORUM texts and IS-MASTER-DOWN-BY-ADDR reply shapes and votes.

Validated against redis-sentinel 7.0.15 by pointing SENTINEL_BIN at a wrapper script
(see README.md).  Everything polls against deadlines; no timing is asserted.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import pytest
import redis
from redis.sentinel import Sentinel

import harness
import topology
from harness import LOOPBACK, MASTER_NAME, wait_until
from topology import FAILOVER_DEADLINE, details, match_in_order

QUORUM = 2
CONVERT_DEADLINE = 60.0  # convert-to-slave: INFO (up to 10 s apart) + 8 s of stable role


@pytest.fixture(scope="module")
def group(module_procs, ours_bin):
    grp = topology.start_group(module_procs, topology.specs(["ours"] * 3), replicas=2,
                               quorum=QUORUM)
    yield grp
    grp.unwatch()


@dataclass
class Crash:
    old: int  # port of the killed master
    new: int  # port of the promoted replica
    other: int  # port of the replica that was reconfigured
    ids: dict[int, str]  # sentinel port -> myid
    events: dict[int, list[tuple[str, str]]]  # sentinel port -> (channel, payload)
    write_errors: list[str] = field(default_factory=list)
    written_after: dict[str, str] = field(default_factory=dict)
    client_master: tuple[str, int] | None = None
    config_epoch: int = 0


@pytest.fixture(scope="module")
def crash(group) -> Crash:
    """Kill -9 the master under load from a redis-py client and wait for the failover."""
    old = group.initial_master
    ids = group.ids()
    logs = group.watch()

    client = Sentinel([(LOOPBACK, s.port) for s in group.sentinels], socket_timeout=0.5)
    master = client.master_for(MASTER_NAME, socket_timeout=0.5)
    for i in range(20):
        assert master.set(f"before:{i}", str(i))
    # Both replicas have the keys before the crash (WAIT on the writing connection, in short
    # rounds within the 0.5 s socket timeout, then read them back from each replica), so
    # whichever is promoted must still serve them.
    wait_until(lambda: master.wait(2, 300) == 2, 15.0, "WAIT 2 on the writing connection")
    for port in group.servers:
        if port != old:
            wait_until(lambda: all(topology.get(port, f"before:{i}") == str(i) for i in range(20)),
                       10.0, f"the keys on replica :{port}")

    harness.kill_hard(group.server(old).proc)

    # Keep writing until a write succeeds (on the new master) or the deadline passes.
    errors: list[str] = []
    written: dict[str, str] = {}
    deadline = time.monotonic() + FAILOVER_DEADLINE
    while time.monotonic() < deadline:
        try:
            master.set("after:0", "0")
            written["after:0"] = "0"
            break
        except redis.exceptions.RedisError as exc:  # ConnectionError, MasterNotFound, Timeout...
            errors.append(type(exc).__name__)
            time.sleep(0.1)
    for i in range(1, 20):
        if written:
            master.set(f"after:{i}", str(i))
            written[f"after:{i}"] = str(i)

    new = group.wait_converged(not_port=old)
    for log in logs.values():  # the whole sequence, up to the switch, has been published
        log.wait_for("+switch-master")
    others = [p for p in group.servers if p not in (old, new)]
    assert len(others) == 1, (old, new, list(group.servers))
    result = Crash(old=old, new=new, other=others[0], ids=ids,
                   events={}, write_errors=errors, written_after=written,
                   client_master=master.connection_pool.get_master_address() if written else None)
    result.config_epoch = int(harness.sentinel_master(group.sentinels[0])["config-epoch"])
    # Let trailing events (+slave for the old master, ...) arrive, then freeze the logs.
    wait_until(lambda: all(any(c == "+slave" for c, _ in log.snapshot()) for log in logs.values()),
               FAILOVER_DEADLINE, "+slave events after the switch on every sentinel")
    result.events = {port: log.snapshot() for port, log in logs.items()}
    group.unwatch()
    return result


# --------------------------------------------------------------------------- 1. crash failover


def test_every_sentinel_answers_the_promoted_replica(group, crash):
    assert crash.new != crash.old
    replicas = {p for p in group.servers if p != crash.old}
    assert crash.new in replicas
    for inst in group.sentinels:
        assert topology.master_addr(inst) == (LOOPBACK, crash.new), inst.port
        master = harness.sentinel_master(inst)
        assert (master["ip"], master["port"]) == (LOOPBACK, str(crash.new))
        assert harness.flags_of(master) == {"master"}, master["flags"]
        assert int(master["config-epoch"]) >= 1, master
        assert int(master["config-epoch"]) == crash.config_epoch, master
        # The old master is now listed as a replica (down) next to the other replica.
        assert master["num-slaves"] == "2", master
        listed = {int(r["port"]) for r in harness.sentinel_list(inst, "REPLICAS")}
        assert listed == {crash.old, crash.other}, (inst.port, listed)


def test_servers_follow_the_promoted_replica(group, crash):
    promoted = topology.replication(crash.new)
    assert promoted["role"] == "master", promoted
    other = topology.replication(crash.other)
    assert other["role"] == "slave", other
    assert (other["master_host"], other["master_port"]) == (LOOPBACK, str(crash.new)), other
    assert other["master_link_status"] == "up", other
    with harness.RespConnection(crash.new) as conn:
        role = conn.call("ROLE").py()
    assert role[0] == "master", role


def test_switch_master_published_by_every_sentinel(group, crash):
    want = f"{MASTER_NAME} {LOOPBACK} {crash.old} {LOOPBACK} {crash.new}"
    for port, events in crash.events.items():
        switches = [p for c, p in events if c == "+switch-master"]
        assert switches == [want], (port, switches)
        assert len(switches[0].split(" ")) == 5


def test_exactly_one_leader_with_the_redis_event_sequence(group, crash):
    # One failover only: one +elected-leader in the whole group (a sentinel that flagged the
    # healthy new master down could start a second one, even the same sentinel).
    leaders = [port for port, events in crash.events.items()
               for c, _ in events if c == "+elected-leader"]
    assert len(leaders) == 1, f"+elected-leader on {leaders}\n" + "\n".join(
        f":{p}: " + ", ".join(c for c, _ in evs) for p, evs in crash.events.items())
    leader = leaders[0]
    epoch = crash.config_epoch
    old_master = details("master", LOOPBACK, crash.old)
    promoted = details("slave", LOOPBACK, crash.new, (LOOPBACK, crash.old))
    other = details("slave", LOOPBACK, crash.other, (LOOPBACK, crash.old))
    odown = re.compile(rf"^{re.escape(old_master)} #quorum [23]/{QUORUM}$")
    expected = [
        ("+sdown", old_master),
        ("+odown", lambda p: bool(odown.match(p))),
        ("+new-epoch", str(epoch)),
        ("+try-failover", old_master),
        ("+vote-for-leader", f"{crash.ids[leader]} {epoch}"),
        ("+elected-leader", old_master),
        ("+failover-state-select-slave", old_master),
        ("+selected-slave", promoted),
        ("+failover-state-send-slaveof-noone", promoted),
        ("+failover-state-wait-promotion", promoted),
        ("+promoted-slave", promoted),
        ("+failover-state-reconf-slaves", old_master),
        ("+slave-reconf-sent", other),
        ("+slave-reconf-inprog", other),
        ("+slave-reconf-done", other),
        ("+failover-end", old_master),
        ("+switch-master", f"{MASTER_NAME} {LOOPBACK} {crash.old} {LOOPBACK} {crash.new}"),
    ]
    events = crash.events[leader]
    missing = match_in_order(events, expected)
    assert not missing, f"leader :{leader} lacks (in order) {missing}; it published:\n  " + \
        "\n  ".join(f"{c} {p}" for c, p in events)
    # The followers learnt the new configuration from the leader's hellos.
    for port, evs in crash.events.items():
        if port == leader:
            continue
        follow = [("+config-update-from",
                   details("sentinel", LOOPBACK, leader, (LOOPBACK, crash.old))
                   .replace(f"sentinel {LOOPBACK}:{leader} ", f"sentinel {crash.ids[leader]} ")),
                  ("+switch-master",
                   f"{MASTER_NAME} {LOOPBACK} {crash.old} {LOOPBACK} {crash.new}")]
        missing = match_in_order(evs, follow)
        assert not missing, f"follower :{port} lacks {missing}:\n  " + \
            "\n  ".join(f"{c} {p}" for c, p in evs)


def test_config_files_rewritten_with_the_new_master(group, crash):
    def rewritten(inst):
        state = topology.read_state_lines(inst.conf_path)
        assert state["monitor"] == (LOOPBACK, crash.new, QUORUM), state["text"]
        assert state["config-epoch"] == crash.config_epoch, state["text"]
        assert state["leader-epoch"] is not None, state["text"]
        assert 0 < state["leader-epoch"] <= crash.config_epoch, state["text"]
        assert state["current-epoch"] is not None and \
            state["current-epoch"] >= crash.config_epoch, state["text"]
        assert state["known-replicas"] == sorted([(LOOPBACK, crash.old), (LOOPBACK, crash.other)]), \
            state["text"]
        return True

    for inst in group.sentinels:
        wait_until(lambda: rewritten(inst), 10.0, f"config rewrite on sentinel :{inst.port}")


def test_redis_py_writes_across_the_failover(group, crash):
    assert crash.written_after, (f"no write succeeded within {FAILOVER_DEADLINE}s after the "
                                 f"crash; errors: {crash.write_errors[-10:]}")
    assert crash.client_master == (LOOPBACK, crash.new)
    with harness.RespConnection(crash.new) as conn:
        for i in range(20):
            assert conn.call("GET", f"before:{i}").py() == str(i)
        for key, value in crash.written_after.items():
            assert conn.call("GET", key).py() == value
    # A fresh client resolves the new master too.
    fresh = Sentinel([(LOOPBACK, s.port) for s in group.sentinels], socket_timeout=0.5)
    assert fresh.discover_master(MASTER_NAME) == (LOOPBACK, crash.new)
    assert fresh.master_for(MASTER_NAME, socket_timeout=0.5).get("after:19") == "19".encode()


# --------------------------------------------------------------------------- 2. old master back


def test_restarted_old_master_is_converted_to_replica(group, crash, module_procs):
    logs = group.watch()
    old = group.server(crash.old)
    # Its own config, never rewritten (it was killed before anyone could): it starts as a master.
    assert "replicaof" not in (old.dir / "redis.conf").read_text()
    revived = topology.restart_server(module_procs, old)
    group.servers[crash.old] = revived

    want = details("slave", LOOPBACK, crash.old, (LOOPBACK, crash.new))

    def converted():
        return [p for p, log in logs.items() if want in log.channels("+convert-to-slave")]

    try:
        who = wait_until(converted, CONVERT_DEADLINE, "+convert-to-slave on some sentinel")
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n" + "\n".join(
            f":{p}: {log.render(20)}" for p, log in logs.items())) from None
    assert who

    def follows():
        info = topology.replication(crash.old)
        assert (info["role"], info["master_host"], info["master_port"],
                info["master_link_status"]) == ("slave", LOOPBACK, str(crash.new), "up"), info
        return True

    wait_until(follows, FAILOVER_DEADLINE, "the old master to replicate from the new one")
    with harness.RespConnection(crash.old) as conn:
        role = conn.call("ROLE").py()
    assert role[0] == "slave" and role[1:3] == [LOOPBACK, crash.new], role
    group.unwatch()
    group.wait_discovered(crash.new)  # every sentinel: 2 healthy replicas again


# --------------------------------------------------------------------------- 3. sentinel restart


def test_restarted_sentinel_knows_the_new_master_from_its_config(group, crash, module_procs):
    inst = group.sentinels[1]
    before = harness.sentinel_master(inst)
    assert (before["port"], before["num-slaves"]) == (str(crash.new), "2"), before

    def saved():
        state = topology.read_state_lines(inst.conf_path)
        return state["monitor"] == (LOOPBACK, crash.new, QUORUM) and \
            state["config-epoch"] == int(before["config-epoch"])

    wait_until(saved, 10.0, "the new master in the config file")
    harness.stop_gracefully(inst.proc)
    restarted = harness.restart_sentinel(module_procs, inst)
    group.replace_sentinel(inst, restarted)

    # Its very first answers come from the rewritten config file.
    assert topology.master_addr(restarted) == (LOOPBACK, crash.new)
    master = harness.sentinel_master(restarted)
    assert (master["ip"], master["port"]) == (LOOPBACK, str(crash.new)), master
    assert master["num-slaves"] == "2", master
    assert master["num-other-sentinels"] == "2", master
    assert master["config-epoch"] == before["config-epoch"], (master, before)
    group.wait_discovered(crash.new)


# --------------------------------------------------------------------------- 4. manual failover


def test_manual_failover(group, crash):
    group.wait_discovered(crash.new)
    current = crash.new
    ids = group.ids()
    epoch_before = int(harness.sentinel_master(group.sentinels[0])["config-epoch"])
    logs = group.watch()
    boss = group.sentinels[0]
    with harness.RespConnection(boss.port) as conn:
        first = conn.call("SENTINEL", "FAILOVER", MASTER_NAME)
        second = conn.call("SENTINEL", "FAILOVER", MASTER_NAME)
        third = conn.call("SENTINEL", "FAILOVER", MASTER_NAME)
    assert (first.type, first.value) == ("simple", "OK"), harness.render(first)
    for reply in (second, third):
        assert reply.raw == b"-INPROG Failover already in progress\r\n", reply.raw

    new = group.wait_converged(not_port=current)
    assert new != current
    switch = f"{MASTER_NAME} {LOOPBACK} {current} {LOOPBACK} {new}"
    for port, log in logs.items():
        log.wait_for("+switch-master", switch)
    assert logs[boss.port].channels("+elected-leader") == [details("master", LOOPBACK, current)]
    for inst in group.sentinels[1:]:
        log = logs[inst.port]
        update = f"sentinel {ids[boss.port]} {LOOPBACK} {boss.port} @ {MASTER_NAME} {LOOPBACK} {current}"
        missing = match_in_order(log.snapshot(), [("+config-update-from", update),
                                                  ("+switch-master", switch)])
        assert not missing, f":{inst.port} lacks {missing}:\n  {log.render()}"
        assert not log.channels("+elected-leader"), log.render()
    for inst in group.sentinels:
        master = harness.sentinel_master(inst)
        assert int(master["config-epoch"]) > epoch_before, master
    group.unwatch()
    group.wait_discovered(new)  # the old master of this round is now a healthy replica


def test_manual_failover_without_replicas_is_refused(sentinel_factory, procs, ours_bin):
    lonely = procs.start_redis_server()
    inst = sentinel_factory("ours", harness.monitoring_config(lonely.port, quorum=1,
                                                              down_after=1000))

    def has_info():
        master = harness.sentinel_master(inst)
        return master["role-reported"] == "master" and master["info-refresh"] != "0"

    wait_until(has_info, 15.0, "the sentinel to have the master's INFO")
    with harness.RespConnection(inst.port) as conn:
        reply = conn.call("SENTINEL", "FAILOVER", MASTER_NAME)
        unknown = conn.call("SENTINEL", "FAILOVER", "nosuchmaster")
    assert reply.raw == b"-NOGOODSLAVE No suitable replica to promote\r\n", reply.raw
    assert unknown.raw == b"-ERR No such master with that name\r\n", unknown.raw
    master = harness.sentinel_master(inst)
    assert harness.flags_of(master) == {"master"}, master
    assert "failover-state" not in master, master


# --------------------------------------------------------------------------- 5. quorum and votes


def test_ckquorum_and_is_master_down_by_addr(procs, ours_bin):
    """On a throwaway group (voting changes its epochs): 1 master, 3 of our sentinels."""
    grp = topology.start_group(procs, topology.specs(["ours"] * 3), replicas=0, quorum=QUORUM)
    inst = grp.sentinels[0]
    master_port = grp.initial_master

    for member in grp.sentinels:
        with harness.RespConnection(member.port) as conn:
            reply = conn.call("SENTINEL", "CKQUORUM", MASTER_NAME)
        assert reply.raw == (b"+OK 3 usable Sentinels. Quorum and failover authorization "
                             b"can be reached\r\n"), (member.port, reply.raw)

    def ask(*args):
        with harness.RespConnection(inst.port) as conn:
            return conn.call("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", *args)

    # State only (runid "*") about a healthy master.
    reply = ask(LOOPBACK, master_port, 0, "*")
    assert reply.raw == b"*3\r\n:0\r\n$1\r\n*\r\n:0\r\n", reply.raw
    # Unknown address, with a runid: no master there, no vote.
    reply = ask(LOOPBACK, 1, 0, "c" * 40)
    assert reply.raw == b"*3\r\n:0\r\n$1\r\n*\r\n:0\r\n", reply.raw
    bad = ask(LOOPBACK, "notaport", 0, "*")
    assert bad.raw == b"-ERR value is not an integer or out of range\r\n", bad.raw

    # A vote request in a higher epoch: granted, adopted, persisted.
    log = topology.EventLog(inst)
    try:
        epoch = (topology.read_state_lines(inst.conf_path)["current-epoch"] or 0) + 7
        candidate = "a" * 40
        voted = b"*3\r\n:0\r\n$40\r\n" + candidate.encode() + b"\r\n:%d\r\n" % epoch
        reply = ask(LOOPBACK, master_port, epoch, candidate)
        assert reply.raw == voted, reply.raw
        # Same epoch, another candidate: the stored vote is returned.
        reply = ask(LOOPBACK, master_port, epoch, "b" * 40)
        assert reply.raw == voted, reply.raw
        # State-only request still answers "*" / 0.
        reply = ask(LOOPBACK, master_port, epoch, "*")
        assert reply.raw == b"*3\r\n:0\r\n$1\r\n*\r\n:0\r\n", reply.raw
        log.wait_for("+new-epoch", str(epoch), timeout=10.0)
        log.wait_for("+vote-for-leader", f"{candidate} {epoch}", timeout=10.0)
        assert log.channels("+vote-for-leader") == [f"{candidate} {epoch}"], log.render()

        def persisted():
            state = topology.read_state_lines(inst.conf_path)
            assert state["leader-epoch"] == epoch, state["text"]
            assert state["current-epoch"] == epoch, state["text"]
            return True

        wait_until(persisted, 10.0, "leader-epoch / current-epoch in the config file")
    finally:
        log.close()

    # Peers going down: CKQUORUM counts only the usable ones.
    def ckquorum(expected: bytes):
        with harness.RespConnection(inst.port) as conn:
            got = conn.call("SENTINEL", "CKQUORUM", MASTER_NAME).raw
        assert got == expected, got
        return True

    harness.kill_hard(grp.sentinels[1].proc)
    wait_until(lambda: ckquorum(b"+OK 2 usable Sentinels. Quorum and failover authorization "
                                b"can be reached\r\n"), 15.0, "CKQUORUM with 2 usable sentinels")
    harness.kill_hard(grp.sentinels[2].proc)
    wait_until(lambda: ckquorum(b"-NOQUORUM 1 usable Sentinels. Not enough available Sentinels to "
                                b"reach the specified quorum for this master. Not enough available "
                                b"Sentinels to reach the majority and authorize a failover\r\n"),
               15.0, "CKQUORUM with 1 usable sentinel")
