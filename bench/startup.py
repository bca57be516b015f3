"""Scenario 4: start-up.

A master with 2 replicas is running; three sentinels (fresh configs: no known replicas or
peers) are exec'd back to back.  Measured: exec -> first PING answered (median of the three,
each from its own exec), exec -> replicas discovered (the slowest sentinel to list both
replicas, from its own exec), and first exec -> all peers discovered (every sentinel lists the
two others).
"""

from __future__ import annotations

import time

import redis

from common import (MASTER_NAME, Cluster, Context, client, monitor_conf, now_ms, ping_once,
                    summarize, wait_ping, wait_replicas_up)

METRICS = ["first_ping", "replicas_all", "peers_all"]
DEADLINE = 30.0


def run_once(ctx: Context, kind: str, tag: str) -> dict:
    res: dict = {"kind": kind, "error": None}
    with Cluster(ctx.work / f"startup-{tag}-{kind}", ctx.bins) as cl:
        try:
            master = cl.start_redis()
            reps = [cl.start_redis(replicaof=master.port, wait=False) for _ in range(2)]
            for r in reps:
                wait_ping(r.port, r.proc)
            wait_replicas_up([r.port for r in reps])
            conf = monitor_conf(MASTER_NAME, master.port, 2, 5000)
            sentinels = [cl.start_sentinel(kind, conf, wait=False) for _ in range(3)]
            t0 = sentinels[0].proc.started_ms
            ping = [None] * 3
            reps_seen = [None] * 3
            peers_seen = [None] * 3
            clients: list[redis.Redis | None] = [None] * 3
            deadline = time.monotonic() + DEADLINE
            while time.monotonic() < deadline and None in peers_seen + reps_seen:
                for i, s in enumerate(sentinels):
                    if ping[i] is None:
                        if ping_once(s.port, timeout=0.2):
                            ping[i] = now_ms() - s.proc.started_ms
                            clients[i] = client(s.port)
                        continue
                    if reps_seen[i] is not None and peers_seen[i] is not None:
                        continue
                    try:
                        m = clients[i].sentinel_master(MASTER_NAME)
                    except redis.RedisError:
                        continue
                    t = now_ms()
                    if reps_seen[i] is None and int(m.get("num-slaves", 0)) == 2:
                        reps_seen[i] = t - s.proc.started_ms
                    if peers_seen[i] is None and int(m.get("num-other-sentinels", 0)) == 2:
                        peers_seen[i] = t
                time.sleep(0.001 if None in ping else 0.003)
            for c in clients:
                if c is not None:
                    c.close()
            if None in ping:
                raise RuntimeError("a sentinel never answered PING")
            res["first_ping"] = sorted(ping)[1]
            res["first_ping_each"] = ping
            res["replicas_all"] = max(reps_seen) if None not in reps_seen else None
            res["peers_all"] = (max(peers_seen) - t0) if None not in peers_seen else None
            res["peers_each"] = [None if p is None else p - t0 for p in peers_seen]
        except Exception as exc:  # noqa: BLE001
            res["error"] = f"{type(exc).__name__}: {exc}"
            ctx.log(f"    ! startup {kind}: {res['error']}")
    return res


def run(ctx: Context) -> dict:
    runs: dict[str, list[dict]] = {k: [] for k in ctx.kinds}
    for i in range(ctx.mode.startup_runs):
        for kind in ctx.order(i):
            r = run_once(ctx, kind, str(i))
            runs[kind].append(r)
            ctx.log(f"  startup run {i + 1}/{ctx.mode.startup_runs} {kind:6s} "
                    f"ping={_fmt(r.get('first_ping'))} replicas={_fmt(r.get('replicas_all'))} "
                    f"peers={_fmt(r.get('peers_all'))}")
    return {"config": {"runs": ctx.mode.startup_runs, "sentinels": 3, "replicas": 2},
            "runs": runs,
            "summary": {k: {m: summarize([r.get(m) for r in runs[k]]) for m in METRICS}
                        for k in ctx.kinds}}


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.1f}ms"
