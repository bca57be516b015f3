"""Shared machinery for the benchmark scenarios: ports, processes, configs, probes, stats.

Everything is loopback-only and deadline-driven.  Every process is started through a
`Cluster`, which kills it by PID (SIGTERM, then SIGKILL) in `close()`; an atexit hook, a
SIGTERM/SIGINT/SIGHUP handler and PR_SET_PDEATHSIG back that up, so an interrupted bench
leaves nothing running.

Patterns (port reservation through flock'ed lock files shared with the integration suite,
pdeathsig, kill by PID) follow tests/integration/harness.py; this module is self-contained so
the bench does not depend on the test harness.
"""

from __future__ import annotations

import atexit
import ctypes
import fcntl
import os
import random
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import redis

LOOPBACK = "127.0.0.1"
REDIS_SERVER = "/usr/bin/redis-server"
REDIS_BENCHMARK = "/usr/bin/redis-benchmark"
THEIRS_BIN = "/usr/bin/redis-sentinel"
KINDS = ("ours", "theirs")
MASTER_NAME = "mymaster"

# Every redis-server of the bench: no RDB/AOF, and no diskless-sync delay (Redis 7's default
# of 5 s would otherwise dominate every full resync, e.g. the restarted old master's).
SERVER_BASE_CONF = (
    'save ""\nappendonly no\nprotected-mode no\nrepl-diskless-sync-delay 0\n'
)

CLK_TCK = os.sysconf("SC_CLK_TCK")


def now_ms() -> float:
    return time.monotonic() * 1000.0


# --------------------------------------------------------------------------- ports

_PORT_LOCK_DIR = Path(tempfile.gettempdir()) / "sentinel-it-ports"  # shared with the tests
_held_port_locks: dict[int, int] = {}


def _port_range() -> tuple[int, int]:
    low, high = 20000, 32000
    try:
        eph_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
        if eph_low - 1 > low + 1000:
            high = min(high, eph_low - 1)
    except (OSError, ValueError, IndexError):
        pass
    return low, high


def _can_bind(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port bindable now, reserved (flock) until this process exits."""
    _PORT_LOCK_DIR.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(_PORT_LOCK_DIR, 0o1777)
    except OSError:
        pass
    low, high = _port_range()
    rng = random.SystemRandom()
    for _ in range(2000):
        port = rng.randint(low, high)
        if port in _held_port_locks:
            continue
        try:
            fd = os.open(_PORT_LOCK_DIR / f"{port}.lock", os.O_CREAT | os.O_RDWR, 0o666)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        if not _can_bind(port):
            os.close(fd)
            continue
        _held_port_locks[port] = fd
        return port
    raise RuntimeError("could not find a free loopback port")


# --------------------------------------------------------------------------- processes

_PR_SET_PDEATHSIG = 1
try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover
    _libc = None


def _die_with_parent() -> None:
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


_ALL_PROCS: list["Proc"] = []
_ALL_LOCK = threading.Lock()


def kill_all_started() -> None:
    """Kill (by PID) every process this bench started that is still registered."""
    with _ALL_LOCK:
        procs = list(_ALL_PROCS)
    for proc in reversed(procs):
        proc.kill()


atexit.register(kill_all_started)


def _on_signal(signo, _frame):
    kill_all_started()
    raise SystemExit(128 + signo)


def install_signal_handlers() -> None:
    """SIGTERM/SIGINT/SIGHUP: kill everything we started, then exit (finally blocks run)."""
    for signo in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signo, _on_signal)


class Proc:
    """One child process; stdout+stderr go to <cwd>/<name>.log."""

    def __init__(self, name: str, argv: Sequence[str], cwd: Path, log: bool = True):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.cwd = Path(cwd)
        self.log_path = self.cwd / f"{name}.log"
        self.started_ms = now_ms()
        out = open(self.log_path, "wb") if log else subprocess.DEVNULL
        try:
            self.popen = subprocess.Popen(self.argv, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                          stdout=out, stderr=subprocess.STDOUT,
                                          preexec_fn=_die_with_parent)
        finally:
            if log:
                out.close()
        with _ALL_LOCK:
            _ALL_PROCS.append(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill_hard(self) -> None:
        """SIGKILL by PID and reap (a crash)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._forget()

    def kill(self) -> None:
        """SIGTERM by PID, SIGKILL after 3 s, reap.  Idempotent."""
        if self.popen.poll() is None:
            try:
                self.popen.terminate()
                self.popen.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                try:
                    self.popen.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            except OSError:
                pass
        self._forget()

    def _forget(self) -> None:
        if self.popen.poll() is not None:
            with _ALL_LOCK:
                if self in _ALL_PROCS:
                    _ALL_PROCS.remove(self)


def wait_until(pred: Callable[[], object], timeout: float, what: str,
               interval: float = 0.01) -> object:
    """Poll pred() until truthy (exceptions = not yet); TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value = pred()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - polled
            last = exc
        if time.monotonic() >= deadline:
            detail = f" (last error: {last!r})" if last else ""
            raise TimeoutError(f"timed out after {timeout:.1f}s waiting for {what}{detail}")
        time.sleep(interval)


def client(port: int, timeout: float = 2.0) -> redis.Redis:
    """A one-connection redis-py client (RESP2, str replies)."""
    return redis.Redis(host=LOOPBACK, port=port, socket_timeout=timeout,
                       socket_connect_timeout=timeout, decode_responses=True,
                       single_connection_client=True)


def ping_once(port: int, timeout: float = 0.5) -> bool:
    """Raw PING on a fresh connection (cheap enough to poll every few ms)."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            data = b""
            deadline = time.monotonic() + timeout
            while b"\r\n" not in data and time.monotonic() < deadline:
                chunk = sock.recv(64)
                if not chunk:
                    return False
                data += chunk
            return data.startswith(b"+PONG")
    except OSError:
        return False


def wait_ping(port: int, proc: Proc | None = None, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited rc={proc.popen.returncode} before answering "
                               f"PING on :{port}\n{proc.tail()}")
        if ping_once(port):
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"nothing answered PING on :{port} within {timeout}s")
        time.sleep(0.005)


def info_replication(port: int) -> dict[str, str]:
    with client(port, timeout=1.0) as c:
        return c.info("replication")


@dataclass
class Server:
    proc: Proc
    port: int
    dir: Path
    conf: Path

    @property
    def pid(self) -> int:
        return self.proc.pid


@dataclass
class Sentinel:
    kind: str
    proc: Proc
    port: int
    dir: Path
    conf: Path

    @property
    def pid(self) -> int:
        return self.proc.pid


class Cluster:
    """Owns a directory and every process started through it; close() kills them by PID."""

    def __init__(self, base: Path, bins: dict[str, str]):
        self.base = Path(base)
        self.base.mkdir(parents=True, exist_ok=True)
        self.bins = bins
        self.procs: list[Proc] = []
        self._n = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _dir(self, stem: str) -> Path:
        self._n += 1
        d = self.base / f"{self._n:03d}-{stem}"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def spawn(self, name: str, argv: Sequence[str], cwd: Path | None = None,
              log: bool = True) -> Proc:
        proc = Proc(name, argv, cwd or self._dir(name), log=log)
        self.procs.append(proc)
        return proc

    def start_redis(self, port: int | None = None, replicaof: int | None = None,
                    extra: str = "", wait: bool = True) -> Server:
        port = port or free_port()
        d = self._dir(f"redis-{port}")
        conf = d / "redis.conf"
        text = (f"port {port}\nbind {LOOPBACK}\ndir {d}\nlogfile \"\"\ndaemonize no\n"
                f"{SERVER_BASE_CONF}{extra}")
        if replicaof:
            text += f"replicaof {LOOPBACK} {replicaof}\n"
        conf.write_text(text)
        proc = self.spawn(f"redis-{port}", [REDIS_SERVER, conf], d)
        if wait:
            wait_ping(port, proc)
        return Server(proc, port, d, conf)

    def restart_redis(self, server: Server) -> Server:
        """Same port, same (original) config file: an empty master again."""
        assert not server.proc.alive()
        self._n += 1
        proc = self.spawn(f"redis-{server.port}-restart{self._n}", [REDIS_SERVER, server.conf],
                          server.dir)
        return Server(proc, server.port, server.dir, server.conf)

    def start_sentinel(self, kind: str, conf_text: str, port: int | None = None,
                       wait: bool = True) -> Sentinel:
        port = port or free_port()
        d = self._dir(f"{kind}-sentinel-{port}")
        conf = d / "sentinel.conf"
        conf.write_text(f"bind {LOOPBACK}\n{conf_text}")
        proc = self.spawn(f"{kind}-sentinel-{port}", [self.bins[kind], conf, "--port", port], d)
        inst = Sentinel(kind, proc, port, d, conf)
        if wait:
            wait_ping(port, proc)
        return inst

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.kill()


def monitor_conf(name: str, port: int, quorum: int, down_after: int | None = None,
                 failover_timeout: int | None = None) -> str:
    text = f"sentinel monitor {name} {LOOPBACK} {port} {quorum}\n"
    if down_after is not None:
        text += f"sentinel down-after-milliseconds {name} {down_after}\n"
    if failover_timeout is not None:
        text += f"sentinel failover-timeout {name} {failover_timeout}\n"
    return text


def wait_replicas_up(ports: Iterable[int], timeout: float = 30.0) -> None:
    for port in ports:
        wait_until(lambda p=port: info_replication(p).get("master_link_status") == "up",
                   timeout, f"replica :{port} link up")


def sentinel_master_fields(port: int, name: str = MASTER_NAME) -> dict:
    with client(port) as c:
        return c.sentinel_master(name)


def group_discovered(sentinels: Sequence[Sentinel], replicas: int,
                     name: str = MASTER_NAME) -> bool:
    """Every sentinel lists `replicas` replicas and len(sentinels)-1 other sentinels."""
    for s in sentinels:
        m = sentinel_master_fields(s.port, name)
        if int(m.get("num-slaves", -1)) != replicas or \
                int(m.get("num-other-sentinels", -1)) != len(sentinels) - 1:
            return False
    return True


# --------------------------------------------------------------------------- /proc probes


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """utime+stime of a process, in seconds."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime/stime are fields 14/15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


# --------------------------------------------------------------------------- events


class EventLog:
    """PSUBSCRIBE * on one sentinel, recorded (monotonic ms, channel, payload) by a thread."""

    def __init__(self, port: int):
        self.port = port
        self.r = redis.Redis(host=LOOPBACK, port=port, socket_timeout=5.0,
                             socket_connect_timeout=2.0, decode_responses=True)
        self.pubsub = self.r.pubsub(ignore_subscribe_messages=True)
        self.pubsub.psubscribe("*")
        self.events: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"events-{port}")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self.pubsub.get_message(timeout=0.2)
            except Exception:  # noqa: BLE001 - sentinel went away
                return
            if msg and msg.get("type") == "pmessage":
                with self._lock:
                    self.events.append((now_ms(), msg["channel"], msg["data"]))

    def snapshot(self) -> list[tuple[float, str, str]]:
        with self._lock:
            return list(self.events)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
        try:
            self.pubsub.close()
        except Exception:  # noqa: BLE001
            pass


# --------------------------------------------------------------------------- stats


def summarize(values: Sequence[float | None]) -> dict:
    """median/min/max over the observed values (None = not observed) plus the raw list."""
    got = [v for v in values if v is not None]
    out = {"n": len(got), "missing": len(values) - len(got), "values": list(values)}
    if got:
        out.update(median=statistics.median(got), min=min(got), max=max(got))
    else:
        out.update(median=None, min=None, max=None)
    return out


@dataclass
class Mode:
    """Sizes for one pass: full (default), --quick or --smoke."""

    name: str
    failover_runs: int
    failover_d: tuple[int, ...]
    failover_runs_by_d: dict[int, int]  # overrides failover_runs for some D
    # Steady writes before the kill: 1 s plus (i + 0.5) / n of this cycle for run i of n, so
    # the kills cover the sentinels' 10 s replica-INFO period (0 = kill after 1 s).
    failover_phase_cycle: float
    rejoin_d: tuple[int, ...]  # the D values whose runs also time the old master's rejoin
    query_runs: int
    query_n: int
    startup_runs: int
    # scale: [(K, S, cold runs, warm runs, warm CPU window in s)], and the cold settle deadline
    scale_plan: list[tuple[int, int, int, int, float]]
    scale_cold_deadline: float


MODES = {
    # Full: >= 5 interleaved runs for every targeted number; fewer where nothing is targeted
    # (D=5000, K=100) and 1 cold run at K=1000 (a cold 3 x 1000 settle takes minutes).
    "full": Mode("full", failover_runs=5, failover_d=(200, 1000, 5000),
                 failover_runs_by_d={5000: 3}, failover_phase_cycle=10.0, rejoin_d=(1000,),
                 query_runs=5, query_n=100000, startup_runs=7,
                 scale_plan=[(1, 1, 1, 5, 5.0), (1, 3, 3, 2, 5.0),
                             (100, 1, 1, 1, 10.0), (100, 3, 1, 1, 10.0),
                             (1000, 1, 1, 5, 5.0), (1000, 3, 1, 5, 30.0)],
                 scale_cold_deadline=150.0),
    "quick": Mode("quick", failover_runs=2, failover_d=(200, 1000), failover_runs_by_d={},
                  failover_phase_cycle=10.0,
                  rejoin_d=(1000,),
                  query_runs=2, query_n=20000, startup_runs=3,
                  scale_plan=[(1, 1, 1, 2, 3.0), (1, 3, 1, 1, 3.0),
                              (100, 1, 1, 1, 3.0), (100, 3, 1, 1, 5.0)],
                  scale_cold_deadline=60.0),
    "smoke": Mode("smoke", failover_runs=1, failover_d=(1000,), failover_runs_by_d={},
                  failover_phase_cycle=0.0,
                  rejoin_d=(1000,),
                  query_runs=1, query_n=2000, startup_runs=1,
                  scale_plan=[(1, 1, 1, 1, 2.0)], scale_cold_deadline=30.0),
}


@dataclass
class Context:
    mode: Mode
    bins: dict[str, str]
    work: Path
    log: Callable[[str], None]
    kinds: tuple[str, ...] = KINDS

    def order(self, i: int) -> tuple[str, ...]:
        """Interleaving: A B, A B, ... (ours first in every pair)."""
        return self.kinds
