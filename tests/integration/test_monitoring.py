"""Live monitoring with real processes: 1 master + 2 replicas watched by 3 of our sentinels.

Checks discovery (replicas through the master's INFO, peer sentinels through hello
messages), the instance lists, INFO sentinel, the link names seen by the monitored
servers, the config rewrite with the discovered state, redis-py's Sentinel client,
subjective-down detection of a replica and of a sentinel with the exact `+sdown` /
`-sdown` events, and a restart from the rewritten config.

Validated against redis-sentinel 7.0.15 by pointing SENTINEL_BIN at a wrapper script
(see README.md).  Everything polls against deadlines; nothing sleeps for a fixed time.
"""

from __future__ import annotations

import re

import pytest
from redis.sentinel import Sentinel

import harness
from harness import LOOPBACK, MASTER_NAME, check_settled, wait_settled, wait_until

DOWN_AFTER = 2000  # ms; SDOWN shows up ~2-3 s after a kill
SDOWN_DEADLINE = 15.0


@pytest.fixture(scope="module")
def topo(module_procs, ours_bin):
    topology = harness.start_topology(module_procs, ["ours"] * 3, down_after=DOWN_AFTER)
    yield topology


@pytest.fixture
def settled(topo):
    """The topology, once every sentinel sees the whole healthy group."""
    wait_settled(topo)
    return topo


def _master_addr(topo):
    return f"{LOOPBACK} {topo.master.port}"


def _redis_py_sentinel(topo):
    return Sentinel([(LOOPBACK, s.port) for s in topo.sentinels], socket_timeout=1.0)


def _master_never_went_down(topo, watcher, sentinels=None):
    """No event about the master going down, and every (live) sentinel flags it just `master`."""
    watcher.drain()
    bad = [(c, p) for c, p in watcher.events
           if (c in ("+sdown", "+odown") and p.startswith("master "))
           or c in ("+try-failover", "+switch-master", "+new-epoch")]
    assert not bad, f"unexpected master events: {bad}"
    for inst in sentinels if sentinels is not None else topo.sentinels:
        master = harness.sentinel_master(inst)
        assert harness.flags_of(master) == {"master"}, (inst.port, master.get("flags"))


# --------------------------------------------------------------------------- settled state


def test_discovery_settles_on_every_sentinel(settled):
    for inst in settled.sentinels:
        master = harness.sentinel_master(inst)
        assert master["name"] == MASTER_NAME
        assert master["ip"] == LOOPBACK and master["port"] == str(settled.master.port)
        assert master["num-slaves"] == "2"
        assert master["num-other-sentinels"] == "2"
        assert master["role-reported"] == "master"
        assert master["runid"] == harness.redis_info(settled.master.port, "server")["run_id"]


def test_replicas_listed_with_their_replication_state(settled):
    expected = {f"{LOOPBACK}:{r.port}": r for r in settled.replicas}
    for inst in settled.sentinels:
        replicas = harness.sentinel_list(inst, "REPLICAS")
        slaves = harness.sentinel_list(inst, "SLAVES")  # the alias redis-py uses
        assert sorted(r["name"] for r in slaves) == sorted(expected)
        assert sorted(r["name"] for r in replicas) == sorted(expected)
        for rep in replicas:
            server = expected[rep["name"]]
            assert rep["ip"] == LOOPBACK and rep["port"] == str(server.port)
            assert rep["flags"] == "slave"
            assert rep["role-reported"] == "slave"
            assert rep["master-link-status"] == "ok"
            assert rep["master-host"] == LOOPBACK
            assert rep["master-port"] == str(settled.master.port)
            assert rep["slave-priority"] == "100"
            assert rep["replica-announced"] == "1"
            assert rep["runid"] == harness.redis_info(server.port, "server")["run_id"]


def test_sentinels_list_the_other_two_by_run_id(settled):
    ids = {inst.port: harness.sentinel_myid(inst) for inst in settled.sentinels}
    assert len(set(ids.values())) == 3, f"sentinels share a run id: {ids}"
    for inst in settled.sentinels:
        peers = harness.sentinel_list(inst, "SENTINELS")
        got = sorted((p["name"], p["runid"], p["ip"], p["port"], p["flags"]) for p in peers)
        want = sorted((ids[o.port], ids[o.port], LOOPBACK, str(o.port), "sentinel")
                      for o in settled.sentinels if o is not inst)
        assert got == want


def test_redis_py_discovers_master_and_replicas(settled):
    client = _redis_py_sentinel(settled)
    assert client.discover_master(MASTER_NAME) == (LOOPBACK, settled.master.port)
    assert sorted(client.discover_slaves(MASTER_NAME)) == sorted(settled.replica_addrs())
    # redis-py checks num-other-sentinels against min_other_sentinels.
    strict = Sentinel([(LOOPBACK, s.port) for s in settled.sentinels], min_other_sentinels=2,
                      socket_timeout=1.0)
    assert strict.discover_master(MASTER_NAME) == (LOOPBACK, settled.master.port)
    # Each sentinel on its own answers the same.
    for inst in settled.sentinels:
        single = Sentinel([(LOOPBACK, inst.port)], socket_timeout=1.0)
        assert single.discover_master(MASTER_NAME) == (LOOPBACK, settled.master.port)


def test_info_sentinel_summarises_the_group(settled):
    line = (f"name={MASTER_NAME},status=ok,address={LOOPBACK}:{settled.master.port},"
            f"slaves=2,sentinels=3")
    for inst in settled.sentinels:
        info = harness.redis_info(inst.port, "sentinel")
        assert info["sentinel_masters"] == "1"
        assert info["master0"] == line


def _client_names(port: int) -> list[dict[str, str]]:
    with harness.RespConnection(port) as conn:
        reply = conn.call("CLIENT", "LIST")
    assert reply.type in ("bulk", "verbatim"), harness.render(reply)
    clients = []
    for line in reply.value.splitlines():
        fields = dict(tok.split("=", 1) for tok in line.split(" ") if "=" in tok)
        clients.append(fields)
    return clients


def test_links_are_named_after_the_sentinel_id(settled):
    ids = [harness.sentinel_myid(inst) for inst in settled.sentinels]

    def check_server(port: int):
        clients = _client_names(port)
        names = [c.get("name", "") for c in clients]
        for myid in ids:
            assert f"sentinel-{myid[:8]}-cmd" in names, (port, names)
            assert f"sentinel-{myid[:8]}-pubsub" in names, (port, names)
        for c in clients:
            if c.get("name", "").endswith("-pubsub") and c["name"].startswith("sentinel-"):
                assert c.get("sub") == "1", c  # subscribed to __sentinel__:hello
        return True

    for server in [settled.master, *settled.replicas]:
        wait_until(lambda: check_server(server.port), harness.SETTLE_DEADLINE,
                   f"sentinel links named in CLIENT LIST of :{server.port}")

    # Sentinel-to-sentinel links are command links only, named the same way.
    def check_peer(inst, myid_of_inst):
        names = [c.get("name", "") for c in _client_names(inst.port)]
        for other, other_id in zip(settled.sentinels, ids):
            if other is inst:
                continue
            assert f"sentinel-{other_id[:8]}-cmd" in names, (inst.port, names)
            assert f"sentinel-{other_id[:8]}-pubsub" not in names, (inst.port, names)
        return True

    for inst, myid in zip(settled.sentinels, ids):
        wait_until(lambda: check_peer(inst, myid), harness.SETTLE_DEADLINE,
                   f"peer sentinel links named in CLIENT LIST of sentinel :{inst.port}")


def test_config_rewritten_with_discovered_replicas_and_sentinels(settled):
    ids = {inst.port: harness.sentinel_myid(inst) for inst in settled.sentinels}

    def rewritten(inst):
        text = inst.conf_path.read_text()
        replicas = sorted(re.findall(r"^sentinel known-replica (\S+) (\S+) (\d+)\s*$", text, re.M))
        peers = sorted(re.findall(r"^sentinel known-sentinel (\S+) (\S+) (\d+) (\S+)\s*$", text, re.M))
        want_replicas = sorted((MASTER_NAME, LOOPBACK, str(r.port)) for r in settled.replicas)
        want_peers = sorted((MASTER_NAME, LOOPBACK, str(o.port), ids[o.port])
                            for o in settled.sentinels if o is not inst)
        assert replicas == want_replicas, f"{inst.conf_path}:\n{text}"
        assert peers == want_peers, f"{inst.conf_path}:\n{text}"
        assert re.search(rf"^sentinel myid {ids[inst.port]}\s*$", text, re.M), text
        return True

    for inst in settled.sentinels:
        wait_until(lambda: rewritten(inst), harness.SETTLE_DEADLINE,
                   f"config rewrite of sentinel :{inst.port} with known-replica/known-sentinel")


# --------------------------------------------------------------------------- failure detection


def test_replica_sdown_and_back(settled, module_procs):
    topo = settled
    victim = topo.replicas[0]
    survivor = topo.replicas[1]
    details = (f"slave {LOOPBACK}:{victim.port} {LOOPBACK} {victim.port} "
               f"@ {MASTER_NAME} {_master_addr(topo)}")
    with harness.EventWatcher(topo.sentinels[0].port) as watcher:
        harness.kill_hard(victim.proc)
        watcher.wait_for("+sdown", details, timeout=SDOWN_DEADLINE)

        def every_sentinel_flags_it():
            for inst in topo.sentinels:
                reps = {r["name"]: r for r in harness.sentinel_list(inst, "REPLICAS")}
                down = reps[f"{LOOPBACK}:{victim.port}"]
                assert "s_down" in harness.flags_of(down), (inst.port, down["flags"])
                assert "slave" in harness.flags_of(down), (inst.port, down["flags"])
                ok = reps[f"{LOOPBACK}:{survivor.port}"]
                assert harness.flags_of(ok) == {"slave"}, (inst.port, ok["flags"])
                assert harness.sentinel_master(inst)["num-slaves"] == "2"
            return True

        wait_until(every_sentinel_flags_it, SDOWN_DEADLINE, "every sentinel to flag the replica s_down")
        # Clients no longer get the dead replica.
        assert _redis_py_sentinel(topo).discover_slaves(MASTER_NAME) == [(LOOPBACK, survivor.port)]
        info = harness.redis_info(topo.sentinels[0].port, "sentinel")
        assert info["master0"].startswith(f"name={MASTER_NAME},status=ok,")
        _master_never_went_down(topo, watcher)

        # Back on the same port: -sdown with the same details.
        revived = harness.start_replica(module_procs, topo.master.port, port=victim.port)
        topo.replicas[0] = revived
        watcher.wait_for("-sdown", details, timeout=SDOWN_DEADLINE)
        wait_settled(topo)
        _master_never_went_down(topo, watcher)


def test_sentinel_sdown_and_back(settled, module_procs):
    topo = settled
    victim = topo.sentinels[2]
    victim_id = harness.sentinel_myid(victim)
    details = (f"sentinel {victim_id} {LOOPBACK} {victim.port} "
               f"@ {MASTER_NAME} {_master_addr(topo)}")
    with harness.EventWatcher(topo.sentinels[0].port) as watcher:
        harness.kill_hard(victim.proc)
        watcher.wait_for("+sdown", details, timeout=SDOWN_DEADLINE)

        def flagged_by_the_others():
            for inst in topo.sentinels[:2]:
                peers = {p["runid"]: p for p in harness.sentinel_list(inst, "SENTINELS")}
                assert "s_down" in harness.flags_of(peers[victim_id]), (inst.port, peers[victim_id])
                assert "sentinel" in harness.flags_of(peers[victim_id])
                assert harness.sentinel_master(inst)["num-other-sentinels"] == "2"
            return True

        wait_until(flagged_by_the_others, SDOWN_DEADLINE, "the others to flag the dead sentinel s_down")
        _master_never_went_down(topo, watcher, topo.sentinels[:2])

        # Restarted from its rewritten config: same id, same port -> -sdown.
        topo.sentinels[2] = harness.restart_sentinel(module_procs, victim)
        assert harness.sentinel_myid(topo.sentinels[2]) == victim_id
        watcher.wait_for("-sdown", details, timeout=SDOWN_DEADLINE)
        wait_settled(topo)
        _master_never_went_down(topo, watcher)


# --------------------------------------------------------------------------- restart from config


def test_restart_knows_the_group_from_its_config(settled, module_procs):
    topo = settled
    inst = topo.sentinels[1]
    myid = harness.sentinel_myid(inst)
    before_replicas = sorted(r["name"] for r in harness.sentinel_list(inst, "REPLICAS"))
    before_peers = sorted((p["runid"], p["port"]) for p in harness.sentinel_list(inst, "SENTINELS"))

    def on_disk():
        text = inst.conf_path.read_text()
        return (len(re.findall(r"^sentinel known-replica ", text, re.M)) == 2 and
                len(re.findall(r"^sentinel known-sentinel ", text, re.M)) == 2)

    wait_until(on_disk, harness.SETTLE_DEADLINE, "the discovered group to be in the config file")
    harness.stop_gracefully(inst.proc)
    restarted = harness.restart_sentinel(module_procs, inst)
    topo.sentinels[1] = restarted

    # The very first answers already know everything (loaded from the config file).
    master = harness.sentinel_master(restarted)
    assert master["num-slaves"] == "2", master
    assert master["num-other-sentinels"] == "2", master
    assert harness.sentinel_myid(restarted) == myid
    assert sorted(r["name"] for r in harness.sentinel_list(restarted, "REPLICAS")) == before_replicas
    assert sorted((p["runid"], p["port"])
                  for p in harness.sentinel_list(restarted, "SENTINELS")) == before_peers

    wait_settled(topo)
    check_settled(topo)
