"""Scenario 2: the query path.

Two groups run side by side for the whole scenario (each: 1 master + 2 replicas + 3 sentinels
of one kind, fully discovered), and redis-benchmark (-c 50 -n N --csv) is pointed at the first
sentinel of each, one command at a time, interleaved ours/theirs.  Reported per command:
requests/s, p50 and p99 latency (ms) as redis-benchmark prints them, and the sentinel's own
CPU time per request (µs, from /proc: user + system).  Each run also points the same client at
a plain redis-server (PING): what this client and kernel reach at most on this machine, the
ceiling any server's requests/s is capped by here.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import time

from common import (MASTER_NAME, REDIS_BENCHMARK, Cluster, Context, group_discovered,
                    monitor_conf, summarize, wait_ping, wait_replicas_up, wait_until)

CLIENTS = 50

# (id, label, extra redis-benchmark options, command, request-count multiplier)
TESTS = [
    ("ping", "PING", [], ["PING"], 1),
    ("get_master_addr", "SENTINEL get-master-addr-by-name", [],
     ["SENTINEL", "get-master-addr-by-name", MASTER_NAME], 1),
    ("get_master_addr_p16", "SENTINEL get-master-addr-by-name -P 16", ["-P", "16"],
     ["SENTINEL", "get-master-addr-by-name", MASTER_NAME], 4),
    ("masters", "SENTINEL masters", [], ["SENTINEL", "masters"], 1),
    ("replicas", "SENTINEL replicas", [], ["SENTINEL", "replicas", MASTER_NAME], 1),
    ("sentinels", "SENTINEL sentinels", [], ["SENTINEL", "sentinels", MASTER_NAME], 1),
]
METRICS = ["rps", "p50", "p99", "cpu_us"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_group(cl: Cluster, kind: str):
    master = cl.start_redis()
    reps = [cl.start_redis(replicaof=master.port, wait=False) for _ in range(2)]
    for r in reps:
        wait_ping(r.port, r.proc)
    wait_replicas_up([r.port for r in reps])
    conf = monitor_conf(MASTER_NAME, master.port, 2, 5000)
    sentinels = [cl.start_sentinel(kind, conf) for _ in range(3)]
    return sentinels


def bench_once(cl: Cluster, port: int, opts, cmd, n: int, tag: str) -> dict:
    argv = [REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(port), "-c", str(CLIENTS), "-n", str(n),
            "--csv", *opts, *cmd]
    proc = cl.spawn(f"redis-benchmark-{tag}", argv)
    try:
        proc.popen.wait(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    finally:
        proc.kill()  # reaps / forgets it (it has exited by now)
    text = proc.log_path.read_text(errors="replace")
    rows = [r for r in csv.reader(io.StringIO(text)) if r and r[0] != "test"]
    header = None
    for r in csv.reader(io.StringIO(text)):
        if r and r[0] == "test":
            header = r
    if not rows or header is None:
        raise RuntimeError(f"redis-benchmark printed no CSV row: {text[-500:]!r}")
    row = dict(zip(header, rows[-1]))
    return {"rps": float(row["rps"]), "p50": float(row["p50_latency_ms"]),
            "p99": float(row["p99_latency_ms"]), "avg": float(row["avg_latency_ms"]),
            "max": float(row["max_latency_ms"])}


def run(ctx: Context) -> dict:
    n = ctx.mode.query_n
    out: dict = {"config": {"clients": CLIENTS, "n": n, "runs": ctx.mode.query_runs,
                            "tests": {t[0]: {"label": t[1], "argv": t[2] + t[3],
                                             "n": n * t[4]} for t in TESTS},
                            "topology": "1 master + 2 replicas + 3 sentinels per kind"},
                 "runs": {k: {t[0]: [] for t in TESTS} for k in ctx.kinds}}
    with Cluster(ctx.work / "query", ctx.bins) as cl:
        first: dict[str, int] = {}
        groups = {}
        for kind in ctx.kinds:
            groups[kind] = start_group(cl, kind)
            first[kind] = groups[kind][0].port
        ceiling_port = cl.start_redis().port
        out["ceiling"] = []
        for kind in ctx.kinds:
            wait_until(lambda s=groups[kind]: group_discovered(s, 2), 60.0,
                       f"the {kind} group to be discovered", interval=0.05)
        for i in range(ctx.mode.query_runs):
            for tid, label, opts, cmd, mult in TESTS:
                for kind in ctx.order(i):
                    t0 = time.monotonic()
                    try:
                        cpu0 = cpu_seconds(groups[kind][0].pid)
                        r = bench_once(cl, first[kind], opts, cmd, n * mult, f"{tid}-{kind}-{i}")
                        r["cpu_us"] = (cpu_seconds(groups[kind][0].pid) - cpu0) * 1e6 / (n * mult)
                    except Exception as exc:  # noqa: BLE001
                        ctx.log(f"    ! query {tid} {kind}: {exc}")
                        r = {"rps": None, "p50": None, "p99": None, "error": str(exc)}
                    out["runs"][kind][tid].append(r)
                    ctx.log(f"  query run {i + 1}/{ctx.mode.query_runs} {label:40s} {kind:6s} "
                            f"{r['rps'] or 0:>10.0f} req/s p50={r['p50']} p99={r['p99']} ms "
                            f"cpu={r.get('cpu_us') or 0:.1f} us/req "
                            f"({time.monotonic() - t0:.1f}s)")
            try:
                c = bench_once(cl, ceiling_port, [], ["PING"], n, f"ceiling-{i}")
            except Exception as exc:  # noqa: BLE001
                ctx.log(f"    ! query ceiling: {exc}")
                c = {"rps": None, "error": str(exc)}
            out["ceiling"].append(c)
            ctx.log(f"  query run {i + 1}/{ctx.mode.query_runs} {'PING to redis-server (ceiling)':40s}"
                    f"        {c['rps'] or 0:>10.0f} req/s")
    out["summary"] = {k: {t[0]: {m: summarize([r.get(m) for r in out["runs"][k][t[0]]])
                                 for m in METRICS} for t in TESTS} for k in ctx.kinds}
    out["ceiling_summary"] = summarize([c.get("rps") for c in out["ceiling"]])
    return out
