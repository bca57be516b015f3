"""Scenario 3: scale.

S sentinels (1 or 3) monitor K masters (1, 100, 1000).  Real redis-servers are reused: for
K > 1 there are K / NAMES_PER_SERVER master servers, each with one replica, and master server
i is monitored under the names m<j> with j % servers == i (redis-sentinel allows one server
under several names).  Two phases, each interleaved ours/theirs:

cold   fresh configs (monitor lines only).  settle = first exec -> every sentinel lists all K
       masters, each with its replica and the S-1 peers.  Also: exec -> first PING answered
       (slowest sentinel; a sentinel busy with discovery may not answer for a long time), and
       CPU seconds each sentinel burnt until it settled.
warm   the same configs plus the state a settled sentinel writes (myid, known-replica,
       known-sentinel lines), so nothing is left to discover: after it is up and a short
       grace period, CPU % (utime+stime over a steady window, % of one core, per sentinel)
       and VmRSS at the end of the window.

NAMES_PER_SERVER matters for the steady CPU: a hello published on a server reaches every
pub/sub link on it, i.e. S x NAMES_PER_SERVER subscribers, so the hello fan-out grows with
it.  It is the same for both sentinels and recorded in the JSON.
"""

from __future__ import annotations

import hashlib
import threading
import time

import redis

from common import (LOOPBACK, Cluster, Context, client, cpu_seconds, free_port, monitor_conf,
                    now_ms, rss_kb, summarize, wait_ping, wait_replicas_up)

NAMES_PER_SERVER = 10
SERVER_EXTRA = "hz 5\n"  # many idle servers: keep their own cron load low
COLD_METRICS = ["settle", "first_ping_max", "cpu_s_to_settle", "rss_kb_settled"]
WARM_METRICS = ["ready", "cpu", "cpu_max", "rss_kb", "rss_kb_max"]


def servers_for(k: int) -> int:
    return max(1, k // NAMES_PER_SERVER) if k > 1 else 1


def start_servers(cl: Cluster, m: int, log) -> list[tuple[int, int]]:
    """m masters, each with one replica (links up); returns [(master port, replica port)]."""
    masters = [cl.start_redis(wait=False, extra=SERVER_EXTRA) for _ in range(m)]
    for s in masters:
        wait_ping(s.port, s.proc)
    reps = [cl.start_redis(wait=False, replicaof=s.port, extra=SERVER_EXTRA) for s in masters]
    for s in reps:
        wait_ping(s.port, s.proc)
    wait_replicas_up([s.port for s in reps], timeout=120.0)
    log(f"  scale: {m} master servers + {m} replicas up")
    return [(a.port, b.port) for a, b in zip(masters, reps)]


def settled(c: redis.Redis, k: int, peers: int) -> bool:
    masters = c.sentinel_masters()
    if len(masters) != k:
        return False
    for m in masters.values():
        if int(m.get("num-slaves", 0)) != 1 or int(m.get("num-other-sentinels", 0)) != peers:
            return False
    return True


def _myid(tag: str) -> str:
    return hashlib.sha1(tag.encode()).hexdigest()


def configs(k: int, s: int, pairs, ports: list[int], warm: bool, tag: str) -> list[str]:
    quorum = min(2, s)
    base = "".join(monitor_conf(f"m{j}", pairs[j % len(pairs)][0], quorum) for j in range(k))
    if not warm:
        return [base] * s
    ids = [_myid(f"{tag}-{i}") for i in range(s)]
    out = []
    for i in range(s):
        lines = [f"sentinel myid {ids[i]}", "sentinel current-epoch 0"]
        for j in range(k):
            lines.append(f"sentinel known-replica m{j} {LOOPBACK} {pairs[j % len(pairs)][1]}")
            for o in range(s):
                if o != i:
                    lines.append(f"sentinel known-sentinel m{j} {LOOPBACK} {ports[o]} {ids[o]}")
        out.append(base + "\n".join(lines) + "\n")
    return out


class Watch(threading.Thread):
    """Per sentinel: exec -> first PING answered, then poll until settled (long socket
    timeouts: a sentinel busy discovering can take seconds per event-loop turn)."""

    def __init__(self, inst, k: int, peers: int, deadline: float, interval: float):
        super().__init__(daemon=True)
        self.inst, self.k, self.peers = inst, k, peers
        self.deadline, self.interval = deadline, interval
        self.first_ping = None  # ms after its exec
        self.settled_at = None  # monotonic ms
        self.cpu_at_settle = None
        self.rss_at_settle = None
        self.error = None

    def _remaining(self) -> float:
        return self.deadline - time.monotonic()

    def run(self) -> None:
        c = None
        try:
            while self._remaining() > 0:
                if not self.inst.proc.alive():
                    self.error = f"{self.inst.proc.name} died"
                    return
                try:
                    if c is None:
                        c = client(self.inst.port, timeout=max(0.5, min(30.0, self._remaining())))
                    if self.first_ping is None:
                        c.ping()
                        self.first_ping = now_ms() - self.inst.proc.started_ms
                    if settled(c, self.k, self.peers):
                        self.settled_at = now_ms()
                        self.cpu_at_settle = cpu_seconds(self.inst.pid)
                        self.rss_at_settle = rss_kb(self.inst.pid)
                        return
                except (redis.ConnectionError, redis.TimeoutError):
                    if c is not None:
                        c.close()
                    c = None
                    time.sleep(0.005)
                    continue
                time.sleep(self.interval)
        except Exception as exc:  # noqa: BLE001
            self.error = repr(exc)
        finally:
            if c is not None:
                c.close()


def _start(ctx, cl, kind, k, s, pairs, warm, tag):
    ports = [free_port() for _ in range(s)]
    confs = configs(k, s, pairs, ports, warm, tag)
    return [cl.start_sentinel(kind, conf, port=p, wait=False) for conf, p in zip(confs, ports)]


def run_cold(ctx: Context, kind: str, k: int, s: int, pairs, deadline_s: float, tag: str) -> dict:
    res: dict = {"kind": kind, "k": k, "s": s, "error": None}
    with Cluster(ctx.work / f"scale-cold-{tag}-{kind}", ctx.bins) as cl:
        try:
            sentinels = _start(ctx, cl, kind, k, s, pairs, False, tag)
            t0 = sentinels[0].proc.started_ms
            deadline = time.monotonic() + deadline_s
            watches = [Watch(inst, k, s - 1, deadline, 0.05 if k <= 100 else 0.25)
                       for inst in sentinels]
            for w in watches:
                w.start()
            for w in watches:
                w.join(timeout=deadline_s + 60)
            errors = [w.error for w in watches if w.error]
            if errors:
                raise RuntimeError("; ".join(errors))
            pings = [w.first_ping for w in watches]
            res["first_ping_max"] = max(pings) if None not in pings else None
            if all(w.settled_at is not None for w in watches):
                res["settle"] = max(w.settled_at for w in watches) - t0
                res["cpu_s_to_settle"] = max(w.cpu_at_settle or 0 for w in watches)
                res["rss_kb_settled"] = max(w.rss_at_settle or 0 for w in watches)
            else:
                res["settle"] = None
                res["censored_at_s"] = deadline_s
                res["error"] = f"not settled within {deadline_s:.0f}s"
                res["cpu_s_at_deadline"] = max(cpu_seconds(i.pid) or 0 for i in sentinels)
        except Exception as exc:  # noqa: BLE001
            res["error"] = f"{type(exc).__name__}: {exc}"
            ctx.log(f"    ! scale cold {kind} K={k} S={s}: {res['error']}")
    return res


def run_warm(ctx: Context, kind: str, k: int, s: int, pairs, window: float, tag: str) -> dict:
    res: dict = {"kind": kind, "k": k, "s": s, "error": None}
    with Cluster(ctx.work / f"scale-warm-{tag}-{kind}", ctx.bins) as cl:
        try:
            sentinels = _start(ctx, cl, kind, k, s, pairs, True, tag)
            t0 = sentinels[0].proc.started_ms
            deadline = time.monotonic() + 120.0
            watches = [Watch(inst, k, s - 1, deadline, 0.05 if k <= 100 else 0.25)
                       for inst in sentinels]
            for w in watches:
                w.start()
            for w in watches:
                w.join(timeout=180)
            if not all(w.settled_at is not None for w in watches):
                raise RuntimeError("pre-seeded sentinels not ready within 120 s: "
                                   + "; ".join(str(w.error) for w in watches))
            res["ready"] = max(w.settled_at for w in watches) - t0
            time.sleep(3.0 if k < 1000 else 5.0)  # links up, first INFO/hello rounds done
            cpu0 = [cpu_seconds(inst.pid) for inst in sentinels]
            t_w = time.monotonic()
            time.sleep(window)
            cpu1 = [cpu_seconds(inst.pid) for inst in sentinels]
            elapsed = time.monotonic() - t_w
            rss = [rss_kb(inst.pid) for inst in sentinels]
            for inst in sentinels:
                if not inst.proc.alive():
                    raise RuntimeError(f"{inst.proc.name} died:\n{inst.proc.tail()}")
            cpus = [(b - a) / elapsed * 100.0 for a, b in zip(cpu0, cpu1)]
            res["cpu_each"] = cpus
            res["rss_kb_each"] = rss
            res["cpu"] = sum(cpus) / len(cpus)
            res["cpu_max"] = max(cpus)
            res["rss_kb"] = sum(rss) / len(rss)
            res["rss_kb_max"] = max(rss)
            res["window_s"] = elapsed
            res["tilt"] = _tilt_count(sentinels)
        except Exception as exc:  # noqa: BLE001
            res["error"] = f"{type(exc).__name__}: {exc}"
            ctx.log(f"    ! scale warm {kind} K={k} S={s}: {res['error']}")
    return res


def _tilt_count(sentinels) -> int:
    n = 0
    for inst in sentinels:
        try:
            n += inst.proc.log_path.read_text(errors="replace").count("+tilt")
        except OSError:
            pass
    return n


def run(ctx: Context) -> dict:
    plan = ctx.mode.scale_plan  # [(k, s, cold_runs, warm_runs, window_s)]
    deadline_s = ctx.mode.scale_cold_deadline
    out: dict = {"config": {"plan": plan, "names_per_server": NAMES_PER_SERVER,
                            "servers": {str(k): servers_for(k) for k, *_ in plan},
                            "server_conf": SERVER_EXTRA.strip(),
                            "cold_deadline_s": deadline_s,
                            "sentinel_conf": "monitor lines only (defaults, e.g. down-after "
                                             "30000); warm: + myid/known-replica/known-sentinel"},
                 "cases": {}}
    by_k: dict[int, list] = {}
    for entry in plan:
        by_k.setdefault(entry[0], []).append(entry)
    for k, entries in by_k.items():
        with Cluster(ctx.work / f"scale-servers-{k}", ctx.bins) as servers:
            pairs = start_servers(servers, servers_for(k), ctx.log)
            for _, s, cold_runs, warm_runs, window in entries:
                case = {"k": k, "s": s, "window_s": window, "cold": {kd: [] for kd in ctx.kinds},
                        "warm": {kd: [] for kd in ctx.kinds}}
                for i in range(cold_runs):
                    for kind in ctx.order(i):
                        t0 = time.monotonic()
                        r = run_cold(ctx, kind, k, s, pairs, deadline_s, f"k{k}-s{s}-{i}")
                        case["cold"][kind].append(r)
                        ctx.log(f"  scale cold K={k} S={s} run {i + 1}/{cold_runs} {kind:6s} "
                                f"settle={_ms(r.get('settle'))} "
                                f"first-ping={_ms(r.get('first_ping_max'))} "
                                f"cpu-to-settle={r.get('cpu_s_to_settle')}s "
                                f"({time.monotonic() - t0:.0f}s)")
                for i in range(warm_runs):
                    for kind in ctx.order(i):
                        t0 = time.monotonic()
                        r = run_warm(ctx, kind, k, s, pairs, window, f"k{k}-s{s}-w{i}")
                        case["warm"][kind].append(r)
                        ctx.log(f"  scale warm K={k} S={s} run {i + 1}/{warm_runs} {kind:6s} "
                                f"cpu={_pct(r.get('cpu'))} (max {_pct(r.get('cpu_max'))}) "
                                f"rss={_mb(r.get('rss_kb'))} ({time.monotonic() - t0:.0f}s)")
                case["summary"] = {
                    kd: {**{m: summarize([r.get(m) for r in case["cold"][kd]])
                            for m in COLD_METRICS},
                         **{m: summarize([r.get(m) for r in case["warm"][kd]])
                            for m in WARM_METRICS}}
                    for kd in ctx.kinds}
                out["cases"][f"k{k}_s{s}"] = case
    return out


def _ms(v) -> str:
    return "-" if v is None else f"{v:.0f}ms"


def _pct(v) -> str:
    return "-" if v is None else f"{v:.1f}%"


def _mb(v) -> str:
    return "-" if v is None else f"{v / 1024:.1f}MB"
