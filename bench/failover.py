"""Scenario 1: failover.

1 master + 2 replicas, 3 sentinels (quorum 2), down-after-milliseconds D, failover-timeout
FAILOVER_TIMEOUT (the same for both sentinels).  A redis-py `Sentinel.master_for` client SADDs a
sequence number every ~10 ms; the master is killed with SIGKILL.  Measured from the kill:
the first +sdown/+odown/+try-failover/+elected-leader/+promoted-slave/+switch-master/
+failover-end (across the three sentinels), the moment all three answer the new address to
SENTINEL GET-MASTER-ADDR-BY-NAME, and the first write acknowledged by the new master.  Counted:
+try-failover, +elected-leader and +switch-master events per kill, acknowledged writes missing
on the new master.  Then the old master is restarted from its original config (an empty
master) and we time how long until its INFO says role:slave of the new master with
master_link_status:up.
"""

from __future__ import annotations

import signal
import threading
import time

import redis
from redis.sentinel import Sentinel as PySentinel

from common import (LOOPBACK, MASTER_NAME, Cluster, Context, EventLog, client, group_discovered,
                    info_replication, monitor_conf, now_ms, summarize, wait_ping,
                    wait_replicas_up, wait_until)

FAILOVER_TIMEOUT = 10000  # ms; a failed election is retried after 2x this (Redis semantics)
WRITE_INTERVAL = 0.010
SETTLE_TIMEOUT = 60.0
SEQ_KEY = "bench:seq"
OBSERVE_AFTER = 1.0  # s of extra event watching after the failover when no rejoin is timed

# The events drawn on the timeline chart, in causal order.
TIMELINE_EVENTS = ["+sdown", "+odown", "+try-failover", "+elected-leader", "+promoted-slave",
                   "+switch-master", "all-answer-new", "first-write-new", "+failover-end"]
METRICS = ["sdown", "odown", "elected_leader", "promoted_slave", "switch_master",
           "all_answer_new", "first_write_new", "failover_end", "last_switch_master", "abort_count", "try_failover_count",
           "elected_leader_count", "switch_master_count", "writes_lost", "writes_acked",
           "rejoin"]


class Writer(threading.Thread):
    """The application: a redis-py master_for client writing a sequence number every ~10 ms."""

    def __init__(self, sentinel_ports):
        super().__init__(daemon=True, name="writer")
        self.sentinel = PySentinel([(LOOPBACK, p) for p in sentinel_ports], socket_timeout=0.5,
                                   socket_connect_timeout=0.5)
        self.master = self.sentinel.master_for(MASTER_NAME, socket_timeout=0.5,
                                               socket_connect_timeout=0.5)
        self.acks: list[tuple[float, int, int]] = []  # (ms, seq, port of the acking master)
        self.errors = 0
        self._lock = threading.Lock()
        self._halt = threading.Event()

    def run(self) -> None:
        seq = 0
        pool = self.master.connection_pool
        next_t = time.monotonic()
        while not self._halt.is_set():
            seq += 1
            try:
                self.master.sadd(SEQ_KEY, seq)
                addr = pool.master_address
                with self._lock:
                    self.acks.append((now_ms(), seq, int(addr[1]) if addr else 0))
            except (redis.RedisError, OSError):
                self.errors += 1
            next_t += WRITE_INTERVAL
            delay = next_t - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_t = time.monotonic()

    def snapshot(self):
        with self._lock:
            return list(self.acks)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)
        try:
            self.master.connection_pool.disconnect()
        except Exception:  # noqa: BLE001
            pass


def _first(events, t0, channel, pred=None):
    for t, ch, payload in events:
        if t >= t0 and ch == channel and (pred is None or pred(payload)):
            return t - t0
    return None


def _count(events, t0, channel):
    return sum(1 for t, ch, _ in events if t >= t0 and ch == channel)


def run_once(ctx: Context, kind: str, down_after: int, tag: str, prekill_s: float = 0.0) -> dict:
    res: dict = {"kind": kind, "down_after": down_after, "error": None}
    logs: list[EventLog] = []
    writer = None
    with Cluster(ctx.work / f"failover-{tag}-{kind}", ctx.bins) as cl:
        try:
            master = cl.start_redis()
            reps = [cl.start_redis(replicaof=master.port, wait=False) for _ in range(2)]
            for r in reps:
                wait_ping(r.port, r.proc)
            wait_replicas_up([r.port for r in reps])
            conf = monitor_conf(MASTER_NAME, master.port, 2, down_after, FAILOVER_TIMEOUT)
            sentinels = [cl.start_sentinel(kind, conf) for _ in range(3)]
            wait_until(lambda: group_discovered(sentinels, 2), SETTLE_TIMEOUT,
                       "3 sentinels to see 2 replicas and 2 peers", interval=0.05)
            logs = [EventLog(s.port) for s in sentinels]
            writer = Writer([s.port for s in sentinels])
            writer.start()
            wait_until(lambda: len(writer.acks) >= 100, 20.0, "1 s of acknowledged writes")
            # A deployed sentinel has been up for a while: the kill lands anywhere in its
            # 10 s replica-INFO cycle.  Run i of n waits (i + 0.5) / n of that cycle more.
            res["prekill_s"] = prekill_s
            time.sleep(prekill_s)

            pollers = [client(s.port, timeout=1.0) for s in sentinels]
            old = master.port
            t_kill = now_ms()
            master.proc.kill_hard()

            all_answer = None
            first_write = None
            deadline = time.monotonic() + down_after / 1000.0 + 60.0
            new_port = None
            while time.monotonic() < deadline:
                if all_answer is None:
                    answers = set()
                    for p in pollers:
                        try:
                            a = p.sentinel_get_master_addr_by_name(MASTER_NAME)
                            answers.add((a[0], int(a[1])) if a else None)
                        except redis.RedisError:
                            answers.add(None)
                    if len(answers) == 1:
                        (addr,) = answers
                        if addr is not None and addr[1] != old:
                            all_answer = now_ms() - t_kill
                            new_port = addr[1]
                if first_write is None:
                    for t, _seq, port in reversed(writer.snapshot()):
                        if t < t_kill:
                            break
                        if port != old:
                            first_write = t  # keep walking back to the earliest
                    if first_write is not None:
                        first_write -= t_kill
                done_fo = any(ch == "+failover-end" for lg in logs for _, ch, _ in lg.snapshot())
                if all_answer is not None and first_write is not None and done_fo:
                    break
                time.sleep(0.005)
            res["all_answer_new"] = all_answer
            res["first_write_new"] = first_write
            if new_port is None:
                raise RuntimeError("the sentinels never agreed on a new master")

            # The group after the failover, once it is stable (a flapping sentinel may fail over
            # again): the sentinels agree, nothing happened for QUIET ms, the other replica
            # follows the agreed master.
            final = _stable_master(pollers, logs, reps, old)
            # Writes lost: acknowledged (by anyone) but missing on the final master.
            acks = writer.snapshot()
            with client(final) as c:
                present = {int(x) for x in c.smembers(SEQ_KEY)}
            acked = {seq for _, seq, _ in acks}
            res["writes_acked"] = len(acked)
            res["writes_lost"] = len(acked - present)
            res["new_master"] = final
            res["old_master"] = old

            if down_after in ctx.mode.rejoin_d:
                t_restart = now_ms()
                cl.restart_redis(master)
                last = {}

                def rejoined():
                    info = info_replication(old)
                    last["info"] = {k: info.get(k) for k in ("role", "master_port",
                                                             "master_link_status")}
                    if info.get("role") != "slave" or info.get("master_link_status") != "up":
                        return False
                    # the master the sentinels answer now (normally `final`)
                    return str(info.get("master_port")) == str(_agreed(pollers, timeout=1.0))
                try:
                    wait_until(rejoined, 60.0, "the old master to rejoin as a replica",
                               interval=0.01)
                    res["rejoin"] = now_ms() - t_restart
                except TimeoutError as exc:
                    res["rejoin"] = None
                    res["error"] = f"{exc}; last INFO {last.get('info')}"
                res["t_restart_rel"] = t_restart - t_kill
            else:
                time.sleep(OBSERVE_AFTER)  # late elections / flapping would show up here
            events = sorted((e for lg_i, lg in enumerate(logs)
                             for e in [(t, ch, p, lg_i) for t, ch, p in lg.snapshot()]),
                            key=lambda e: e[0])
            flat = [(t, ch, p) for t, ch, p, _ in events]
            is_master = lambda p: p.startswith("master ")  # noqa: E731
            res["sdown"] = _first(flat, t_kill, "+sdown", is_master)
            res["odown"] = _first(flat, t_kill, "+odown", is_master)
            res["try_failover"] = _first(flat, t_kill, "+try-failover")
            res["elected_leader"] = _first(flat, t_kill, "+elected-leader")
            res["promoted_slave"] = _first(flat, t_kill, "+promoted-slave")
            res["switch_master"] = _first(flat, t_kill, "+switch-master")
            res["failover_end"] = _first(flat, t_kill, "+failover-end")
            switches = [t for t, ch, _ in flat if t >= t_kill and ch == "+switch-master"]
            res["last_switch_master"] = (switches[-1] - t_kill) if switches else None
            aborts = [(t, ch) for t, ch, _ in flat if t >= t_kill and ch.startswith("-failover-abort")]
            res["abort"] = (aborts[0][0] - t_kill) if aborts else None
            res["abort_count"] = len(aborts)
            res["abort_kinds"] = sorted({ch for _, ch in aborts})
            res["try_failover_count"] = _count(flat, t_kill, "+try-failover")
            res["elected_leader_count"] = _count(flat, t_kill, "+elected-leader")
            res["switch_master_count"] = len({p for t, ch, p in flat
                                              if t >= t_kill and ch == "+switch-master"})
            res["events"] = [(round(t - t_kill, 1), i, ch, p) for t, ch, p, i in events
                             if t >= t_kill - 50]
            res["write_errors"] = writer.errors
        except Exception as exc:  # noqa: BLE001 - one bad run must not end the bench
            res["error"] = f"{type(exc).__name__}: {exc}"
            ctx.log(f"    ! {kind} D={down_after}: {res['error']}")
        finally:
            if writer is not None:
                writer.stop()
            for lg in logs:
                lg.close()
    return res


def _agreed(pollers, timeout: float = 30.0) -> int:
    def agree():
        answers = {tuple(p.sentinel_get_master_addr_by_name(MASTER_NAME)) for p in pollers}
        if len(answers) == 1:
            return int(next(iter(answers))[1])
        return None
    return wait_until(agree, timeout, "the sentinels to agree on one master")


QUIET_MS = 1500.0
STATE_EVENTS = {"+try-failover", "+elected-leader", "+switch-master", "+failover-end",
                "+odown", "+promoted-slave"}


def _stable_master(pollers, logs, reps, old: int) -> int:
    """Wait (60 s) until all sentinels agree on a master other than `old`, SENTINEL MASTER
    shows it flagged just `master`, no failover event arrived for QUIET_MS and the other live
    replica replicates from it; return its port."""
    def stable():
        port = _agreed(pollers, timeout=1.0)
        if port == old:
            return None
        for p in pollers:
            if p.sentinel_master(MASTER_NAME).get("flags") != "master":
                return None
        last = max((t for lg in logs for t, ch, _ in lg.snapshot() if ch in STATE_EVENTS),
                   default=0.0)
        if now_ms() - last < QUIET_MS:
            return None
        for r in reps:
            if r.port == port:
                continue
            info = info_replication(r.port)
            if str(info.get("master_port")) != str(port) or \
                    info.get("master_link_status") != "up":
                return None
        return port
    return wait_until(stable, 60.0, "a stable master after the failover", interval=0.02)


def run(ctx: Context) -> dict:
    out: dict = {"config": {"down_after": list(ctx.mode.failover_d), "runs": ctx.mode.failover_runs,
                            "runs_by_d": {str(k): v for k, v in ctx.mode.failover_runs_by_d.items()},
                            "failover_timeout": FAILOVER_TIMEOUT,
                            "rejoin_d": list(ctx.mode.rejoin_d),
                            "phase_cycle_s": ctx.mode.failover_phase_cycle, "replicas": 2, "sentinels": 3,
                            "quorum": 2, "write_interval_ms": WRITE_INTERVAL * 1000,
                            "server_conf": "repl-diskless-sync-delay 0"},
                 "by_d": {}}
    for d in ctx.mode.failover_d:
        runs: dict[str, list[dict]] = {k: [] for k in ctx.kinds}
        n_runs = ctx.mode.failover_runs_by_d.get(d, ctx.mode.failover_runs)
        for i in range(n_runs):
            for kind in ctx.order(i):
                t0 = time.monotonic()
                prekill = ctx.mode.failover_phase_cycle * (i + 0.5) / n_runs
                r = run_once(ctx, kind, d, f"d{d}-{i}", prekill)
                runs[kind].append(r)
                ctx.log(f"  failover D={d} run {i + 1}/{n_runs} {kind:6s} +{prekill:.1f}s "
                        f"all-answer={_fmt(r.get('all_answer_new'))} "
                        f"first-write={_fmt(r.get('first_write_new'))} "
                        f"elected={r.get('elected_leader_count')} "
                        f"tries={r.get('try_failover_count')} aborts={r.get('abort_count')} "
                        f"lost={r.get('writes_lost')} "
                        f"rejoin={_fmt(r.get('rejoin'))} ({time.monotonic() - t0:.0f}s)")
        summary = {k: {m: summarize([r.get(m) for r in runs[k]]) for m in METRICS}
                   for k in ctx.kinds}
        out["by_d"][str(d)] = {"runs": runs, "summary": summary, "n_runs": n_runs}
    return out


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.0f}ms"
