"""Failover topologies: 1 master + N replicas + K sentinels of given kinds, and what the
failover suites need to watch them: per-sentinel settings (so one member can be made
slow to act), discovery and agreement waits that do not assume who the master is,
restarts on the same port with the same config, background event logs on every
sentinel, and an in-order event-sequence matcher.

Built on harness.py (ports, ProcessSet, RESP client, INFO/SENTINEL readers); nothing
here sleeps for a fixed time to wait for something, everything polls to a deadline.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import harness
from harness import LOOPBACK, MASTER_NAME, RedisServer, SentinelInstance, wait_until

# Servers: no diskless-sync delay (a replica gets its full sync at once, not after 5 s),
# also once a replica has been promoted and serves other replicas.
SERVER_CONF = "repl-diskless-sync-delay 0\n"

DISCOVERY_DEADLINE = 30.0
FAILOVER_DEADLINE = 45.0


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class SentinelSpec:
    """How one member of the group is configured."""

    kind: str = "ours"  # "ours" | "real"
    down_after: int = 1000
    failover_timeout: int = 10000
    extra: str = ""  # more sentinel.conf lines (after the monitor block)


def specs(kinds: Iterable[str], **kw) -> list[SentinelSpec]:
    return [SentinelSpec(kind=k, **kw) for k in kinds]


def sentinel_conf(master_port: int, quorum: int, spec: SentinelSpec,
                  name: str = MASTER_NAME) -> str:
    return harness.monitoring_config(master_port, quorum=quorum, down_after=spec.down_after,
                                     failover_timeout=spec.failover_timeout, master_name=name,
                                     extra=spec.extra)


# --------------------------------------------------------------------------- server helpers


def replication(port: int) -> dict[str, str]:
    """INFO replication of a redis-server as a flat dict."""
    return harness.redis_info(port, "replication")


def get(port: int, key: str):
    """GET on a redis-server (None for a missing key)."""
    with harness.RespConnection(port, timeout=3.0) as conn:
        return conn.call("GET", key).py()


def describe_server(port: int) -> str:
    try:
        info = replication(port)
    except Exception as exc:  # noqa: BLE001 - diagnostic only
        return f":{port} <{exc!r}>"
    if info.get("role") == "master":
        return f":{port} master connected_slaves={info.get('connected_slaves')}"
    return (f":{port} slave of {info.get('master_host')}:{info.get('master_port')} "
            f"link={info.get('master_link_status')}")


def restart_server(pset: harness.ProcessSet, server: RedisServer) -> RedisServer:
    """Start redis-server again on the same port from its own config file (as last written:
    the original one for a server killed with -9 before anyone rewrote it)."""
    assert not server.proc.alive(), f"redis-server :{server.port} is still running"
    pset._counter += 1
    proc = pset.spawn(f"redis-server-{server.port}-restart{pset._counter}",
                      [harness.REDIS_SERVER, str(server.dir / "redis.conf")], server.dir)
    harness.wait_for_ping(server.port, proc)
    return RedisServer(proc, server.port, server.dir)


# --------------------------------------------------------------------------- sentinel helpers


def master_addr(inst: SentinelInstance | int, name: str = MASTER_NAME) -> tuple[str, int] | None:
    """SENTINEL GET-MASTER-ADDR-BY-NAME as (ip, port), or None for a null reply."""
    port = inst if isinstance(inst, int) else inst.port
    with harness.RespConnection(port, timeout=3.0) as conn:
        reply = conn.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)
    if reply.is_null:
        return None
    value = reply.py()
    assert isinstance(value, list) and len(value) == 2, harness.render(reply)
    return value[0], int(value[1])


def read_state_lines(conf_path: Path, name: str = MASTER_NAME) -> dict:
    """The failover-relevant lines of a sentinel config file."""
    text = conf_path.read_text()

    def one(pattern):
        m = re.search(pattern, text, re.M)
        return m.groups() if m else None

    monitor = one(rf"^sentinel monitor {re.escape(name)} (\S+) (\d+) (\d+)\s*$")
    cfg = one(rf"^sentinel config-epoch {re.escape(name)} (\d+)\s*$")
    leader = one(rf"^sentinel leader-epoch {re.escape(name)} (\d+)\s*$")
    current = one(r"^sentinel current-epoch (\d+)\s*$")
    known = sorted((ip, int(port)) for ip, port in re.findall(
        rf"^sentinel known-(?:replica|slave) {re.escape(name)} (\S+) (\d+)\s*$", text, re.M))
    return {
        "text": text,
        "monitor": (monitor[0], int(monitor[1]), int(monitor[2])) if monitor else None,
        "config-epoch": int(cfg[0]) if cfg else None,
        "leader-epoch": int(leader[0]) if leader else None,
        "current-epoch": int(current[0]) if current else None,
        "known-replicas": known,
    }


def details(kind: str, ip: str, port: int, master: tuple[str, int] | None = None,
            name: str = MASTER_NAME) -> str:
    """The event "details" text (§7): `<type> <name> <ip> <port>[ @ <master> <ip> <port>]`."""
    if kind == "master":
        return f"master {name} {ip} {port}"
    inst_name = f"{ip}:{port}"
    assert master is not None
    return f"{kind} {inst_name} {ip} {port} @ {name} {master[0]} {master[1]}"


# --------------------------------------------------------------------------- event logs


class EventLog:
    """PSUBSCRIBE <pattern> on one sentinel, recorded by a background thread.

    events: list of (monotonic time, channel, payload) in arrival order.  The thread ends
    when the sentinel closes the connection (e.g. it was stopped) or on close()."""

    def __init__(self, inst: SentinelInstance, pattern: str = "*"):
        self.inst = inst
        self.conn = harness.RespConnection(inst.port, timeout=3.0)
        ack = self.conn.call("PSUBSCRIBE", pattern)
        assert ack.py() == ["psubscribe", pattern, 1], harness.render(ack)
        self.events: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.closed_by_peer = False
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"events-{inst.port}")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self.conn.read(timeout=0.2)
            except TimeoutError:
                continue
            except (harness.ConnectionClosed, OSError, harness.RespProtocolError):
                self.closed_by_peer = not self._stop.is_set()
                return
            items = msg.py()
            if isinstance(items, list) and len(items) == 4 and items[0] == "pmessage":
                with self._lock:
                    self.events.append((time.monotonic(), items[2], items[3]))

    def snapshot(self) -> list[tuple[str, str]]:
        with self._lock:
            return [(c, p) for _, c, p in self.events]

    def channels(self, channel: str) -> list[str]:
        return [p for c, p in self.snapshot() if c == channel]

    def wait_for(self, channel: str, predicate: Callable[[str], bool] | str | None = None,
                 timeout: float = FAILOVER_DEADLINE) -> str:
        """Payload of the first event on `channel` matching (exact text or predicate)."""
        if isinstance(predicate, str):
            want = predicate
            predicate = lambda p: p == want  # noqa: E731

        def found():
            for c, p in self.snapshot():
                if c == channel and (predicate is None or predicate(p)):
                    return p
            raise AssertionError(f"no {channel} yet on :{self.inst.port}; last events:\n  "
                                 + "\n  ".join(f"{c} {p}" for c, p in self.snapshot()[-30:]))
        return wait_until(found, timeout, f"event {channel} on sentinel :{self.inst.port}")

    def render(self, last: int | None = None) -> str:
        evs = self.snapshot()
        if last is not None:
            evs = evs[-last:]
        return "\n  ".join(f"{c} {p}" for c, p in evs) or "<none>"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        self.conn.close()


def match_in_order(events: Sequence[tuple[str, str]],
                   expected: Sequence[tuple[str, Callable[[str], bool] | str]]) -> list[str]:
    """Greedy in-order (subsequence) match: return the list of expected steps NOT found in
    order (empty = the whole sequence occurred, other events interleaving freely)."""
    missing = []
    pos = 0
    for channel, want in expected:
        pred = (lambda p, w=want: p == w) if isinstance(want, str) else want
        for i in range(pos, len(events)):
            if events[i][0] == channel and pred(events[i][1]):
                pos = i + 1
                break
        else:
            missing.append(channel if not isinstance(want, str) else f"{channel} {want}")
    return missing


# --------------------------------------------------------------------------- the group


@dataclass
class Group:
    """All redis-servers of one replication group and the sentinels monitoring it."""

    pset: harness.ProcessSet
    servers: dict[int, RedisServer]  # by port; roles change, so no master/replica split
    sentinels: list[SentinelInstance]
    specs: list[SentinelSpec]
    quorum: int
    initial_master: int
    name: str = MASTER_NAME
    logs: dict[int, EventLog] = field(default_factory=dict)  # sentinel port -> log

    # ---- lookups
    def server(self, port: int) -> RedisServer:
        return self.servers[port]

    def live_servers(self) -> list[RedisServer]:
        return [s for s in self.servers.values() if s.proc.alive()]

    def ids(self) -> dict[int, str]:
        return {inst.port: harness.sentinel_myid(inst) for inst in self.sentinels}

    def replace_sentinel(self, old: SentinelInstance, new: SentinelInstance) -> None:
        self.sentinels[self.sentinels.index(old)] = new

    # ---- events
    def watch(self) -> dict[int, EventLog]:
        """Start (fresh) event logs on every live sentinel."""
        self.unwatch()
        self.logs = {inst.port: EventLog(inst) for inst in self.sentinels if inst.proc.alive()}
        return self.logs

    def unwatch(self) -> None:
        for log in self.logs.values():
            log.close()
        self.logs = {}

    # ---- views
    def describe(self) -> str:
        lines = []
        for inst in self.sentinels:
            try:
                addr = master_addr(inst, self.name)
            except Exception as exc:  # noqa: BLE001
                addr = repr(exc)
            lines.append(f"{harness.describe_view(inst, self.name)}; addr={addr}")
        lines += [describe_server(s.port) for s in self.servers.values()]
        return "\n  ".join(lines)

    def check_discovered(self, master_port: int) -> bool:
        """Each live sentinel: master address = master_port (and SENTINEL MASTER agrees, flagged
        just `master`), every other live server listed as a healthy replica with link ok,
        every other sentinel listed healthy."""
        live = [inst for inst in self.sentinels if inst.proc.alive()]
        want_reps = {(LOOPBACK, s.port) for s in self.servers.values() if s.port != master_port}
        problems = []
        for inst in live:
            master = harness.sentinel_master(inst, self.name)
            if (master.get("ip"), master.get("port")) != (LOOPBACK, str(master_port)):
                problems.append(f":{inst.port} master {master.get('ip')}:{master.get('port')}")
            if harness.flags_of(master) != {"master"}:
                problems.append(f":{inst.port} master flags {master.get('flags')}")
            reps = harness.sentinel_list(inst, "REPLICAS", self.name)
            got = {(r.get("ip"), int(r.get("port", 0))) for r in reps}
            if got != want_reps:
                problems.append(f":{inst.port} replicas {sorted(got)}")
            for rep in reps:
                if harness.flags_of(rep) != {"slave"} or rep.get("master-link-status") != "ok":
                    problems.append(f":{inst.port} replica {rep.get('name')} "
                                    f"flags={rep.get('flags')} link={rep.get('master-link-status')}")
            sens = harness.sentinel_list(inst, "SENTINELS", self.name)
            if len(sens) != len(self.sentinels) - 1 or \
                    any(harness.flags_of(s) != {"sentinel"} for s in sens):
                problems.append(f":{inst.port} sentinels "
                                f"{[(s.get('port'), s.get('flags')) for s in sens]}")
        if problems:
            raise AssertionError("; ".join(problems) + "\n  " + self.describe())
        return True

    def wait_discovered(self, master_port: int | None = None,
                        timeout: float = DISCOVERY_DEADLINE) -> None:
        port = master_port if master_port is not None else self.initial_master
        wait_until(lambda: self.check_discovered(port), timeout,
                   f"every sentinel to know the group around master :{port}")

    def check_servers_follow(self, master_port: int) -> bool:
        """master_port reports role master; every other live server is its replica, link up."""
        info = replication(master_port)
        problems = []
        if info.get("role") != "master":
            problems.append(f":{master_port} role {info.get('role')}")
        for s in self.live_servers():
            if s.port == master_port:
                continue
            r = replication(s.port)
            if (r.get("role"), r.get("master_host"), r.get("master_port"),
                    r.get("master_link_status")) != ("slave", LOOPBACK, str(master_port), "up"):
                problems.append(f":{s.port} role={r.get('role')} master="
                                f"{r.get('master_host')}:{r.get('master_port')} "
                                f"link={r.get('master_link_status')}")
        if problems:
            raise AssertionError("servers: " + "; ".join(problems))
        return True

    def agreed_master(self, sentinels: Sequence[SentinelInstance] | None = None,
                      not_port: int | None = None) -> int:
        """The master port every given (live) sentinel answers, if they all answer the same
        one (and it is not `not_port`); raises AssertionError otherwise."""
        members = [i for i in (sentinels or self.sentinels) if i.proc.alive()]
        addrs = {inst.port: master_addr(inst, self.name) for inst in members}
        values = set(addrs.values())
        if len(values) != 1 or None in values:
            raise AssertionError(f"sentinels disagree: {addrs}")
        ip, port = values.pop()
        if ip != LOOPBACK or port == not_port:
            raise AssertionError(f"sentinels still answer {ip}:{port}")
        return port

    def wait_converged(self, not_port: int | None = None,
                       timeout: float = FAILOVER_DEADLINE) -> int:
        """Wait until every live sentinel answers the same master address (other than
        `not_port`), SENTINEL MASTER shows it flagged just `master`, and the live servers
        follow it; return its port."""
        def converged():
            port = self.agreed_master(not_port=not_port)
            for inst in self.sentinels:
                if not inst.proc.alive():
                    continue
                m = harness.sentinel_master(inst, self.name)
                if (m.get("port"), harness.flags_of(m)) != (str(port), {"master"}):
                    raise AssertionError(f":{inst.port} SENTINEL MASTER {m.get('ip')}:"
                                         f"{m.get('port')} flags={m.get('flags')}")
            self.check_servers_follow(port)
            return port

        try:
            return wait_until(converged, timeout, "sentinels and servers to agree on one master")
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\n  {self.describe()}") from None


def start_group(pset: harness.ProcessSet, sentinel_specs: Sequence[SentinelSpec],
                replicas: int = 2, quorum: int = 2, name: str = MASTER_NAME,
                wait: bool = True) -> Group:
    """Start a master, `replicas` replicas (links up) and one sentinel per spec, then (unless
    wait=False) wait until every sentinel knows every replica and every other sentinel."""
    master = pset.start_redis_server(extra_conf=SERVER_CONF)
    reps = [harness.start_replica(pset, master.port, extra_conf=SERVER_CONF, wait_link=False)
            for _ in range(replicas)]
    for rep in reps:
        harness.wait_replica_link_up(rep.port)
    sentinels = [pset.start_sentinel(spec.kind, sentinel_conf(master.port, quorum, spec, name))
                 for spec in sentinel_specs]
    servers = {s.port: s for s in [master, *reps]}
    group = Group(pset, servers, sentinels, list(sentinel_specs), quorum, master.port, name)
    if wait:
        group.wait_discovered()
    return group
