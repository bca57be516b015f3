"""Helpers for the integration tests: ports, processes and a tiny raw RESP client.

Everything here is loopback-only and deadline-driven: nothing sleeps for a fixed
time waiting for something to happen, it polls until a deadline instead.

* ``free_port()``       -- a loopback port that is free now and reserved (via a
                           lock file held for the life of this Python process)
                           so that test files running in parallel never pick
                           the same port.
* ``ProcessSet``        -- starts redis-server / redis-sentinel / our sentinel in
                           their own directory with their own config file and
                           kills every process it started (by PID) on close().
                           An atexit hook and PR_SET_PDEATHSIG back this up.
* ``RespConnection``    -- raw RESP2/RESP3 client that keeps the reply type
                           (simple vs bulk, null array vs null bulk, map vs
                           array, ...) so replies can be compared on the wire.
"""

from __future__ import annotations

import atexit
import ctypes
import fcntl
import hashlib
import os
import random
import re
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

LOOPBACK = "127.0.0.1"
REDIS_SERVER = "/usr/bin/redis-server"
REAL_SENTINEL = "/usr/bin/redis-sentinel"
DEADLINE = 10.0  # generous default deadline (seconds) for anything we wait on
POLL_INTERVAL = 0.02


def sentinel_bin() -> str | None:
    """Absolute path of our binary from $SENTINEL_BIN, or None when unset."""
    value = os.environ.get("SENTINEL_BIN", "").strip()
    return os.path.abspath(value) if value else None


def sentinel_binary_for(kind: str) -> str:
    if kind == "real":
        return REAL_SENTINEL
    if kind == "ours":
        path = sentinel_bin()
        if path is None:
            raise RuntimeError("SENTINEL_BIN is not set")
        return path
    raise ValueError(f"unknown sentinel kind {kind!r} (expected 'ours' or 'real')")


def wait_until(predicate, timeout: float = DEADLINE, what: str = "condition"):
    """Poll predicate() until it returns a truthy value; return that value.

    Raises TimeoutError naming `what` when the deadline passes.  Exceptions from
    the predicate count as "not yet" and the last one is reported on timeout.
    """
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - polled, reported below
            last_exc = exc
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_exc!r})" if last_exc else ""
            raise TimeoutError(f"timed out after {timeout:.1f}s waiting for {what}{detail}")
        time.sleep(POLL_INTERVAL)


# --------------------------------------------------------------------------- ports

_PORT_LOCK_DIR = Path(tempfile.gettempdir()) / "sentinel-it-ports"
_held_port_locks: dict[int, int] = {}  # port -> fd of its lock file, held until exit


def _port_range() -> tuple[int, int]:
    """A range below the kernel's ephemeral range, so outgoing connections never take our ports."""
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
    """Return a loopback TCP port that is bindable now and reserved for this process.

    Reservation: an exclusive flock on /tmp/sentinel-it-ports/<port>.lock, kept
    until this Python process exits (the kernel drops it even on SIGKILL), so
    concurrently running test files never hand out the same port.
    """
    _PORT_LOCK_DIR.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(_PORT_LOCK_DIR, 0o1777)
    except OSError:
        pass
    low, high = _port_range()
    rng = random.SystemRandom()
    for _ in range(1000):
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
            os.close(fd)  # releases the lock
            continue
        _held_port_locks[port] = fd
        return port
    raise RuntimeError("could not find a free loopback port")


def is_listening(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


# --------------------------------------------------------------------------- processes

_PR_SET_PDEATHSIG = 1
try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - non-glibc platforms
    _libc = None


def _die_with_parent() -> None:
    """preexec_fn: have the kernel SIGKILL the child if the test runner dies."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


_ALL_PROCS: list["Proc"] = []


@atexit.register
def _kill_everything_left() -> None:
    for proc in list(_ALL_PROCS):
        proc.kill()


class Proc:
    """One child process with its combined stdout+stderr going to a log file."""

    def __init__(self, name: str, argv: Sequence[str], cwd: Path, env=None, user=None, group=None):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.cwd = Path(cwd)
        self.log_path = self.cwd / f"{name}.log"
        with open(self.log_path, "wb") as log:
            kwargs = {}
            if user is not None:
                kwargs.update(user=user, group=group, extra_groups=[])
            self.popen = subprocess.Popen(
                self.argv, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, **kwargs)
        _ALL_PROCS.append(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def wait(self, timeout: float = DEADLINE) -> int:
        """Wait for exit; raise AssertionError (with the log) if it does not exit in time."""
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{self.name} (pid {self.pid}) still running after {timeout:.1f}s\n"
                f"--- log tail ---\n{self.tail()}") from None

    def signal(self, signo: int) -> None:
        if self.alive():
            self.popen.send_signal(signo)

    def kill(self) -> None:
        """Stop the process by PID (SIGTERM, then SIGKILL) and reap it.  Idempotent."""
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
        if self in _ALL_PROCS and self.popen.poll() is not None:
            _ALL_PROCS.remove(self)

    def describe(self) -> str:
        state = "running" if self.alive() else f"exited rc={self.returncode}"
        return f"{self.name} pid={self.pid} {state} argv={self.argv} log={self.log_path}"


class StartupError(AssertionError):
    pass


@dataclass
class RedisServer:
    proc: Proc
    port: int
    dir: Path
    host: str = LOOPBACK

    @property
    def addr(self) -> tuple[str, int]:
        return (self.host, self.port)

    def connect(self, **kw) -> "RespConnection":
        return RespConnection(self.port, **kw)


@dataclass
class SentinelInstance:
    kind: str  # "ours" | "real"
    proc: Proc
    port: int
    dir: Path
    conf_path: Path
    host: str = LOOPBACK

    def connect(self, **kw) -> "RespConnection":
        return RespConnection(self.port, **kw)

    def call(self, *args, proto: int = 2):
        with self.connect() as conn:
            if proto == 3:
                conn.hello3()
            return conn.call(*args)


def wait_for_ping(port: int, proc: Proc | None = None, timeout: float = DEADLINE,
                  password: str | None = None) -> None:
    """Poll until something on `port` answers PING (+PONG, or -NOAUTH when a password is set)."""
    deadline = time.monotonic() + timeout
    last_err: object = None
    while True:
        if proc is not None and not proc.alive():
            raise StartupError(
                f"{proc.name} exited with rc={proc.returncode} before answering PING on port {port}\n"
                f"argv: {proc.argv}\n--- log ---\n{proc.tail(60)}")
        try:
            with RespConnection(port, timeout=1.0) as conn:
                reply = conn.call("PING", timeout=1.0)
                if reply.type == "simple" or (reply.type == "error" and reply.value.startswith("NOAUTH")):
                    return
                last_err = reply
        except (OSError, RespProtocolError, TimeoutError) as exc:
            last_err = exc
        if time.monotonic() >= deadline:
            where = f"\n--- log ---\n{proc.tail(60)}" if proc is not None else ""
            raise StartupError(f"nothing answered PING on port {port} within {timeout:.1f}s "
                               f"(last: {last_err!r}){where}")
        time.sleep(POLL_INTERVAL)


_LIVE_SETS: list["ProcessSet"] = []


def live_process_sets() -> list["ProcessSet"]:
    return list(_LIVE_SETS)


class ProcessSet:
    """Owns a temp directory and every process started through it; close() kills them all."""

    def __init__(self, base_dir: Path):
        self.base_dir = Path(base_dir)
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.procs: list[Proc] = []
        self._counter = 0
        _LIVE_SETS.append(self)

    def _new_dir(self, stem: str) -> Path:
        self._counter += 1
        path = self.base_dir / f"{self._counter:02d}-{stem}"
        path.mkdir(parents=True)
        return path

    def spawn(self, name: str, argv: Sequence[str], cwd: Path, **kw) -> Proc:
        proc = Proc(name, argv, cwd, **kw)
        self.procs.append(proc)
        return proc

    def start_redis_server(self, port: int | None = None, extra_conf: str = "") -> RedisServer:
        """A plain redis-server (the monitored master) on a free loopback port."""
        port = port or free_port()
        workdir = self._new_dir(f"redis-{port}")
        conf = workdir / "redis.conf"
        conf.write_text(
            f"port {port}\nbind {LOOPBACK}\nprotected-mode no\nsave \"\"\nappendonly no\n"
            f"dir {workdir}\nlogfile \"\"\ndaemonize no\n{extra_conf}")
        proc = self.spawn(f"redis-server-{port}", [REDIS_SERVER, str(conf)], workdir)
        wait_for_ping(port, proc)
        return RedisServer(proc, port, workdir)

    def start_sentinel(self, kind: str, config_text: str, port: int | None = None,
                       extra_args: Iterable[str] = (), wait: bool = True, loopback: bool = True,
                       conf_name: str = "sentinel.conf", **spawn_kw) -> SentinelInstance:
        """Start a sentinel of `kind` ("ours" = $SENTINEL_BIN, "real" = /usr/bin/redis-sentinel).

        The config text is written to <own dir>/<conf_name>, preceded by `bind 127.0.0.1`
        unless `loopback=False` or the text has its own bind line.  The command line is
        the redis-sentinel one: `<bin> /abs/sentinel.conf --port N [extra_args...]`.
        """
        binary = sentinel_binary_for(kind)
        port = port or free_port()
        workdir = self._new_dir(f"{kind}-sentinel-{port}")
        conf = workdir / conf_name
        text = config_text
        if loopback and not re.search(r"^\s*bind\s", text, re.M):
            text = f"bind {LOOPBACK}\n" + text
        conf.write_text(text)
        argv = [binary, str(conf), "--port", str(port), *extra_args]
        proc = self.spawn(f"{kind}-sentinel-{port}", argv, workdir, **spawn_kw)
        inst = SentinelInstance(kind, proc, port, workdir, conf)
        if wait:
            wait_for_ping(port, proc)
        return inst

    def run(self, name: str, argv: Sequence[str], cwd: Path | None = None, timeout: float = DEADLINE,
            **spawn_kw) -> tuple[int, str]:
        """Run a command that is expected to exit by itself; return (rc, combined output)."""
        cwd = cwd or self._new_dir(name)
        proc = self.spawn(name, argv, cwd, **spawn_kw)
        rc = proc.wait(timeout)
        return rc, proc.output()

    def new_dir(self, stem: str) -> Path:
        return self._new_dir(stem)

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.kill()
        if self in _LIVE_SETS:
            _LIVE_SETS.remove(self)

    def describe(self) -> str:
        return "\n".join(p.describe() for p in self.procs)


# --------------------------------------------------------------------------- RESP


class RespProtocolError(Exception):
    pass


class ConnectionClosed(ConnectionError):
    pass


@dataclass(frozen=True)
class Reply:
    """One RESP reply with its wire type kept.

    type: simple error int bulk array map set push attribute double bool bignum
          verbatim null (plus "norm", used by test normalisers for placeholders)
    value: str for simple/error/bulk/verbatim/bignum (bulk payloads decoded as
           UTF-8 with surrogateescape), int, float, bool, tuple[Reply] for
           array/set/push, tuple[(Reply, Reply)] for map/attribute; for null,
           the wire form: "$-1", "*-1" or "_".
    """

    type: str
    value: object
    raw: bytes = field(default=b"", compare=False, repr=False)

    # Convenience accessors --------------------------------------------------
    @property
    def is_error(self) -> bool:
        return self.type == "error"

    @property
    def is_null(self) -> bool:
        return self.type == "null"

    def py(self):
        """Plain Python value: str/int/list/dict/None (errors become RespErrorValue)."""
        t = self.type
        if t in ("array", "set", "push"):
            return [x.py() for x in self.value]
        if t in ("map", "attribute"):
            return {k.py(): v.py() for k, v in self.value}
        if t == "null":
            return None
        if t == "error":
            return RespErrorValue(self.value)
        return self.value

    def pairs(self) -> list[tuple["Reply", "Reply"]]:
        """Field/value pairs of a RESP3 map or a RESP2 flat array of even length."""
        if self.type == "map":
            return list(self.value)
        if self.type == "array":
            items = list(self.value)
            if len(items) % 2:
                raise AssertionError(f"flat field/value array has odd length {len(items)}: {self}")
            return list(zip(items[0::2], items[1::2]))
        raise AssertionError(f"expected a map or flat array, got {self.type}: {render(self)}")

    def as_dict(self) -> dict:
        return {k.py(): v.py() for k, v in self.pairs()}

    def field_names(self) -> list:
        return [k.py() for k, _ in self.pairs()]


class RespErrorValue(str):
    """An error reply's text, as returned by Reply.py()."""


def with_pairs(template: Reply, pairs: list[tuple[Reply, Reply]]) -> Reply:
    """Rebuild a map/flat-array reply of the same wire kind as `template` from pairs."""
    if template.type == "map":
        return Reply("map", tuple(pairs))
    return Reply("array", tuple(x for kv in pairs for x in kv))


def render(reply: Reply, indent: int = 0) -> str:
    """Readable multi-line rendering (used in assertion messages)."""
    pad = "  " * indent
    t = reply.type
    if t in ("array", "set", "push"):
        if not reply.value:
            return f"{pad}{t}[]"
        inner = "\n".join(render(x, indent + 1) for x in reply.value)
        return f"{pad}{t}[{len(reply.value)}]\n{inner}"
    if t in ("map", "attribute"):
        if not reply.value:
            return f"{pad}{t}{{}}"
        lines = [f"{pad}{t}{{{len(reply.value)}}}"]
        for k, v in reply.value:
            lines.append(render(k, indent + 1))
            lines.append(render(v, indent + 2))
        return "\n".join(lines)
    if isinstance(reply.value, str) and "\n" in reply.value:
        lines = reply.value.split("\n")
        return f"{pad}{t}: <{len(lines)} lines>\n" + "\n".join(f"{pad}  | {_short(line)}" for line in lines)
    return f"{pad}{t}:{_short(reply.value)}"


def _short(value, limit: int = 400) -> str:
    """repr(), with long strings cut down to a prefix, their length and a digest."""
    text = repr(value)
    if len(text) <= limit:
        return text
    digest = hashlib.sha1(str(value).encode(errors="surrogateescape")).hexdigest()[:12]
    return f"{text[:limit]}... <{len(str(value))} chars, sha1 {digest}>"


def encode_command(*args) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, bytes):
            data = arg
        elif isinstance(arg, str):
            data = arg.encode()
        elif isinstance(arg, (int, float)):
            data = str(arg).encode()
        else:
            raise TypeError(f"cannot encode {arg!r}")
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class RespConnection:
    """A raw RESP2/RESP3 client over a loopback TCP socket, with deadlines on every read."""

    def __init__(self, port: int, host: str = LOOPBACK, timeout: float = DEADLINE):
        self.port = port
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.eof = False

    # context manager -------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    # writing ---------------------------------------------------------------
    def send_raw(self, data: bytes) -> None:
        """Send bytes.  A peer that already closed (e.g. after a protocol error) is not an
        error here: the following read() reports what it sent before closing, or the close."""
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send(self, *args) -> None:
        self.send_raw(encode_command(*args))

    # reading ---------------------------------------------------------------
    def _fill(self, deadline: float) -> None:
        if self.eof:
            raise ConnectionClosed(f"connection closed by peer (buffered: {bytes(self.buf)[:200]!r})")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no complete reply from port {self.port} before the deadline "
                               f"(buffered: {bytes(self.buf)[:200]!r})")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError(f"no complete reply from port {self.port} before the deadline "
                               f"(buffered: {bytes(self.buf)[:200]!r})") from None
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
            raise ConnectionClosed(f"connection closed by peer (buffered: {bytes(self.buf)[:200]!r})")
        self.buf += chunk

    def _line(self, pos: int, deadline: float) -> tuple[bytes, int]:
        while True:
            idx = self.buf.find(b"\r\n", pos)
            if idx >= 0:
                return bytes(self.buf[pos:idx]), idx + 2
            self._fill(deadline)

    def _exact(self, pos: int, n: int, deadline: float) -> tuple[bytes, int]:
        while len(self.buf) < pos + n + 2:
            self._fill(deadline)
        data = bytes(self.buf[pos:pos + n])
        if self.buf[pos + n:pos + n + 2] != b"\r\n":
            raise RespProtocolError(f"bulk payload not terminated by CRLF: {bytes(self.buf[pos:pos+n+2])[:80]!r}")
        return data, pos + n + 2

    def _parse(self, pos: int, deadline: float) -> tuple[Reply, int]:
        try:
            return self._parse_one(pos, deadline)
        except ValueError as exc:  # e.g. a non-numeric length or integer
            raise RespProtocolError(f"malformed reply: {exc} (buffered: {bytes(self.buf)[:200]!r})") from None

    def _parse_one(self, pos: int, deadline: float) -> tuple[Reply, int]:
        line, pos = self._line(pos, deadline)
        if not line:
            raise RespProtocolError("empty reply line")
        prefix, rest = chr(line[0]), line[1:].decode(errors="surrogateescape")
        if prefix == "+":
            return Reply("simple", rest), pos
        if prefix == "-":
            return Reply("error", rest), pos
        if prefix == ":":
            return Reply("int", int(rest)), pos
        if prefix == "(":
            return Reply("bignum", rest), pos
        if prefix == ",":
            return Reply("double", float(rest)), pos
        if prefix == "#":
            return Reply("bool", rest == "t"), pos
        if prefix == "_":
            return Reply("null", "_"), pos
        if prefix in "$=!":
            n = int(rest)
            if n < 0:
                return Reply("null", "$-1"), pos
            data, pos = self._exact(pos, n, deadline)
            text = data.decode(errors="surrogateescape")
            if prefix == "=":
                return Reply("verbatim", text), pos
            if prefix == "!":
                return Reply("error", text), pos
            return Reply("bulk", text), pos
        if prefix in "*~>":
            n = int(rest)
            if n < 0:
                return Reply("null", "*-1"), pos
            items = []
            for _ in range(n):
                item, pos = self._parse(pos, deadline)
                items.append(item)
            kind = {"*": "array", "~": "set", ">": "push"}[prefix]
            return Reply(kind, tuple(items)), pos
        if prefix in "%|":
            n = int(rest)
            pairs = []
            for _ in range(n):
                key, pos = self._parse(pos, deadline)
                val, pos = self._parse(pos, deadline)
                pairs.append((key, val))
            return Reply("map" if prefix == "%" else "attribute", tuple(pairs)), pos
        raise RespProtocolError(f"unknown reply prefix in line {line[:80]!r}")

    def read(self, timeout: float | None = None) -> Reply:
        """Read exactly one reply (waiting up to `timeout`, default the connection timeout)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        reply, end = self._parse(0, deadline)
        raw = bytes(self.buf[:end])
        del self.buf[:end]
        return Reply(reply.type, reply.value, raw)

    def read_many(self, n: int, timeout: float | None = None) -> list[Reply]:
        return [self.read(timeout) for _ in range(n)]

    def call(self, *args, timeout: float | None = None) -> Reply:
        self.send(*args)
        return self.read(timeout)

    def hello3(self) -> Reply:
        reply = self.call("HELLO", "3")
        if reply.type != "map":
            raise AssertionError(f"HELLO 3 did not switch to RESP3: {render(reply)}")
        return reply

    def wait_closed(self, timeout: float = DEADLINE) -> bool:
        """True once the peer closes the connection (any bytes received meanwhile are kept)."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            try:
                self._fill(deadline)
            except ConnectionClosed:
                return True
            except TimeoutError:
                return False
        return True


# --------------------------------------------------------------------------- misc helpers

HEX40 = re.compile(r"^[0-9a-f]{40}$")


def parse_info(text: str) -> dict[str, dict[str, str]]:
    """INFO text -> {section: {key: value}} (section names as printed, e.g. 'Server')."""
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in text.split("\r\n"):
        if line.startswith("# "):
            current = sections.setdefault(line[2:], {})
        elif line and current is not None:
            key, _, value = line.partition(":")
            current[key] = value
    return sections


def tcp_connections_of(pid: int) -> list[tuple[tuple[str, int], tuple[str, int]]]:
    """Established IPv4 TCP connections owned by `pid`, as [(local, remote)] (Linux /proc)."""
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for entry in fd_dir.iterdir():
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", target)
        if m:
            inodes.add(m.group(1))

    def addr(hexaddr: str) -> tuple[str, int]:
        ip_hex, port_hex = hexaddr.split(":")
        ip = socket.inet_ntoa(int(ip_hex, 16).to_bytes(4, "little"))
        return ip, int(port_hex, 16)

    result = []
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        cols = line.split()
        if len(cols) > 9 and cols[3] == "01" and cols[9] in inodes:  # 01 = ESTABLISHED
            result.append((addr(cols[1]), addr(cols[2])))
    return result


def drop_privileges_user() -> tuple[int, int] | None:
    """(uid, gid) of an unprivileged account to run a process as, when we are root."""
    if os.geteuid() != 0:
        return None
    import pwd
    for name in ("nobody", "daemon"):
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
        except KeyError:
            continue
    return None



# --------------------------------------------------------------------------- monitored topologies
#
# Helpers for the monitoring / mixed-group / examples suites: a real master with real
# replicas and a group of sentinels (ours and/or real) watching it, plus small readers for
# the SENTINEL instance lists and the event bus.  Everything polls against a deadline.

MASTER_NAME = "mymaster"
SETTLE_DEADLINE = 20.0  # discovery (replicas via INFO, sentinels via hello) settles in ~2-5 s


def free_port_block(count: int) -> int:
    """Reserve `count` consecutive free loopback ports (like free_port()); return the first."""
    _PORT_LOCK_DIR.mkdir(parents=True, exist_ok=True)
    low, high = _port_range()
    rng = random.SystemRandom()
    for _ in range(1000):
        first = rng.randint(low, high - count)
        fds: list[int] = []
        ok = True
        for port in range(first, first + count):
            if port in _held_port_locks:
                ok = False
                break
            try:
                fd = os.open(_PORT_LOCK_DIR / f"{port}.lock", os.O_CREAT | os.O_RDWR, 0o666)
            except OSError:
                ok = False
                break
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                ok = False
                break
            fds.append(fd)
            if not _can_bind(port):
                ok = False
                break
        if ok:
            for port, fd in zip(range(first, first + count), fds):
                _held_port_locks[port] = fd
            return first
        for fd in fds:
            os.close(fd)
    raise RuntimeError(f"could not find {count} consecutive free loopback ports")


def kill_hard(proc: Proc, timeout: float = DEADLINE) -> None:
    """SIGKILL a process by PID and reap it (a crash, as opposed to Proc.kill's SIGTERM)."""
    if proc.alive():
        proc.popen.send_signal(signal.SIGKILL)
    proc.wait(timeout)
    proc.kill()  # bookkeeping only: it is already dead


def stop_gracefully(proc: Proc, timeout: float = DEADLINE) -> int:
    """SIGTERM a process by PID and wait for it to exit; return its exit status."""
    proc.signal(signal.SIGTERM)
    rc = proc.wait(timeout)
    proc.kill()  # bookkeeping only
    return rc


def redis_info(port: int, section: str = "", password: str | None = None) -> dict[str, str]:
    """INFO [section] of a redis-server (or sentinel) as a flat {key: value} dict."""
    with RespConnection(port, timeout=2.0) as conn:
        if password is not None:
            auth = conn.call("AUTH", password)
            assert auth.type == "simple", f"AUTH failed on port {port}: {render(auth)}"
        reply = conn.call("INFO", section) if section else conn.call("INFO")
    assert reply.type in ("bulk", "verbatim"), f"INFO on port {port}: {render(reply)}"
    flat: dict[str, str] = {}
    for fields in parse_info(reply.value).values():
        flat.update(fields)
    return flat


def wait_replica_link_up(port: int, timeout: float = DEADLINE, password: str | None = None) -> None:
    """Poll a replica's INFO replication until master_link_status:up."""
    def up():
        info = redis_info(port, "replication", password)
        if info.get("role") != "slave" or info.get("master_link_status") != "up":
            raise AssertionError(f"replica {port}: role={info.get('role')} "
                                 f"master_link_status={info.get('master_link_status')}")
        return True
    wait_until(up, timeout, f"replica on port {port} to report master_link_status:up")


def start_replica(pset: ProcessSet, master_port: int, port: int | None = None,
                  extra_conf: str = "", wait_link: bool = True,
                  password: str | None = None) -> RedisServer:
    """A redis-server replicating from 127.0.0.1:<master_port>, waited until its link is up."""
    server = pset.start_redis_server(
        port=port, extra_conf=f"replicaof {LOOPBACK} {master_port}\n{extra_conf}")
    if wait_link:
        wait_replica_link_up(server.port, password=password)
    return server


def monitoring_config(master_port: int, quorum: int = 2, down_after: int = 2000,
                      failover_timeout: int = 180000, master_name: str = MASTER_NAME,
                      extra: str = "") -> str:
    """sentinel.conf text monitoring one master (no myid: each sentinel generates its own)."""
    return (f"sentinel monitor {master_name} {LOOPBACK} {master_port} {quorum}\n"
            f"sentinel down-after-milliseconds {master_name} {down_after}\n"
            f"sentinel failover-timeout {master_name} {failover_timeout}\n"
            f"{extra}")


def _sentinel_call(inst: "SentinelInstance | int", *args, password: str | None = None) -> Reply:
    port = inst if isinstance(inst, int) else inst.port
    with RespConnection(port, timeout=3.0) as conn:
        if password is not None:
            auth = conn.call("AUTH", password)
            assert auth.type == "simple", f"AUTH failed on sentinel {port}: {render(auth)}"
        return conn.call(*args)


def sentinel_master(inst, name: str = MASTER_NAME, password: str | None = None) -> dict:
    """SENTINEL MASTER <name> as a {field: value} dict (raises AssertionError on an error reply)."""
    reply = _sentinel_call(inst, "SENTINEL", "MASTER", name, password=password)
    assert not reply.is_error, f"SENTINEL MASTER {name}: {reply.value}"
    return reply.as_dict()


def sentinel_list(inst, sub: str, name: str = MASTER_NAME, password: str | None = None) -> list[dict]:
    """SENTINEL REPLICAS|SLAVES|SENTINELS <name> as a list of {field: value} dicts."""
    reply = _sentinel_call(inst, "SENTINEL", sub, name, password=password)
    assert reply.type == "array", f"SENTINEL {sub} {name}: {render(reply)}"
    return [item.as_dict() for item in reply.value]


def sentinel_myid(inst, password: str | None = None) -> str:
    reply = _sentinel_call(inst, "SENTINEL", "MYID", password=password)
    assert reply.type == "bulk" and HEX40.match(reply.value), f"SENTINEL MYID: {render(reply)}"
    return reply.value


def flags_of(entry: dict) -> set[str]:
    return set(str(entry.get("flags", "")).split(","))


@dataclass
class Topology:
    """A master, its replicas and the sentinels monitoring it (all owned by `pset`)."""

    pset: ProcessSet
    master: RedisServer
    replicas: list[RedisServer]
    sentinels: list[SentinelInstance]
    master_name: str = MASTER_NAME

    def replica_addrs(self) -> set[tuple[str, int]]:
        return {(r.host, r.port) for r in self.replicas}


def start_topology(pset: ProcessSet, kinds: Sequence[str], replicas: int = 2, quorum: int = 2,
                   down_after: int = 2000, extra_sentinel_conf: str = "") -> Topology:
    """Start a master, `replicas` replicas (links up) and one sentinel per entry of `kinds`."""
    # No diskless-sync delay: replicas get their first full sync at once, not after 5 s.
    master = pset.start_redis_server(extra_conf="repl-diskless-sync-delay 0\n")
    reps = [start_replica(pset, master.port, wait_link=False) for _ in range(replicas)]
    for rep in reps:
        wait_replica_link_up(rep.port)
    conf = monitoring_config(master.port, quorum=quorum, down_after=down_after,
                             extra=extra_sentinel_conf)
    sentinels = [pset.start_sentinel(kind, conf) for kind in kinds]
    return Topology(pset, master, reps, sentinels)


def describe_view(inst: SentinelInstance, name: str = MASTER_NAME) -> str:
    """One sentinel's view of the group, for assertion messages."""
    try:
        master = sentinel_master(inst, name)
        reps = sentinel_list(inst, "REPLICAS", name)
        sens = sentinel_list(inst, "SENTINELS", name)
    except Exception as exc:  # noqa: BLE001 - diagnostic only
        return f"{inst.kind} sentinel :{inst.port}: <{exc!r}>"
    rep_txt = ", ".join(f"{r.get('name')}[{r.get('flags')},link={r.get('master-link-status')}]"
                        for r in reps)
    sen_txt = ", ".join(f"{s.get('port')}/{str(s.get('runid'))[:8]}[{s.get('flags')}]" for s in sens)
    return (f"{inst.kind} sentinel :{inst.port}: master flags={master.get('flags')} "
            f"num-slaves={master.get('num-slaves')} "
            f"num-other-sentinels={master.get('num-other-sentinels')}; "
            f"replicas: {rep_txt or '-'}; sentinels: {sen_txt or '-'}")


def check_settled(topo: Topology, sentinels: Sequence[SentinelInstance] | None = None) -> bool:
    """Raise AssertionError (with every view) unless each sentinel sees the whole healthy group:
    master flagged just `master`, every replica `slave` with link ok, every other sentinel
    (by run id = its MYID, ip and port) flagged just `sentinel`."""
    members = list(sentinels if sentinels is not None else topo.sentinels)
    ids = {inst.port: sentinel_myid(inst) for inst in members}
    problems = []
    for inst in members:
        master = sentinel_master(inst, topo.master_name)
        reps = sentinel_list(inst, "REPLICAS", topo.master_name)
        sens = sentinel_list(inst, "SENTINELS", topo.master_name)
        if flags_of(master) != {"master"}:
            problems.append(f":{inst.port} master flags {master.get('flags')}")
        if master.get("num-slaves") != str(len(topo.replicas)):
            problems.append(f":{inst.port} num-slaves {master.get('num-slaves')}")
        if master.get("num-other-sentinels") != str(len(members) - 1):
            problems.append(f":{inst.port} num-other-sentinels {master.get('num-other-sentinels')}")
        seen_reps = {(r.get("ip"), int(r.get("port", 0))) for r in reps}
        if seen_reps != topo.replica_addrs():
            problems.append(f":{inst.port} replicas {sorted(seen_reps)}")
        for rep in reps:
            if flags_of(rep) != {"slave"} or rep.get("master-link-status") != "ok":
                problems.append(f":{inst.port} replica {rep.get('name')} flags={rep.get('flags')} "
                                f"link={rep.get('master-link-status')}")
        expected_peers = {(ids[o.port], LOOPBACK, str(o.port)) for o in members if o is not inst}
        seen_peers = {(s.get("runid"), s.get("ip"), s.get("port")) for s in sens}
        if seen_peers != expected_peers:
            problems.append(f":{inst.port} sentinels {sorted(seen_peers)} != {sorted(expected_peers)}")
        for sen in sens:
            if flags_of(sen) != {"sentinel"}:
                problems.append(f":{inst.port} sentinel {sen.get('port')} flags={sen.get('flags')}")
    if problems:
        views = "\n  ".join(describe_view(inst, topo.master_name) for inst in members)
        raise AssertionError("not settled: " + "; ".join(problems) + "\n  " + views)
    return True


def wait_settled(topo: Topology, timeout: float = SETTLE_DEADLINE,
                 sentinels: Sequence[SentinelInstance] | None = None) -> None:
    wait_until(lambda: check_settled(topo, sentinels), timeout,
               "every sentinel to see the whole group (replicas, peers, healthy flags)")


def restart_sentinel(pset: ProcessSet, inst: SentinelInstance, wait: bool = True) -> SentinelInstance:
    """Start the same binary again with the same (possibly rewritten) config file and port."""
    assert not inst.proc.alive(), "stop the sentinel before restarting it"
    pset._counter += 1
    proc = pset.spawn(f"{inst.proc.name}-restart{pset._counter}", inst.proc.argv, inst.dir)
    new = SentinelInstance(inst.kind, proc, inst.port, inst.dir, inst.conf_path)
    if wait:
        wait_for_ping(inst.port, proc)
    return new


class EventWatcher:
    """A PSUBSCRIBE connection to a sentinel that records every event it receives."""

    def __init__(self, port: int, pattern: str = "*", password: str | None = None):
        self.conn = RespConnection(port, timeout=3.0)
        if password is not None:
            auth = self.conn.call("AUTH", password)
            assert auth.type == "simple", f"AUTH failed: {render(auth)}"
        ack = self.conn.call("PSUBSCRIBE", pattern)
        assert ack.py() == ["psubscribe", pattern, 1], f"PSUBSCRIBE ack: {render(ack)}"
        self.events: list[tuple[str, str]] = []  # (channel, payload), in arrival order

    def _pump(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        try:
            msg = self.conn.read(timeout=min(remaining, 0.2))
        except TimeoutError:
            return
        items = msg.py()
        if isinstance(items, list) and len(items) == 4 and items[0] == "pmessage":
            self.events.append((items[2], items[3]))

    def wait_for(self, channel: str, payload: str | None = None, timeout: float = SETTLE_DEADLINE,
                 predicate=None) -> tuple[str, str]:
        """Return the first recorded event on `channel` (with exactly `payload`, or matching
        `predicate(payload)`), waiting up to `timeout` for it."""
        deadline = time.monotonic() + timeout

        def match(ev):
            return ev[0] == channel and (payload is None or ev[1] == payload) and \
                (predicate is None or predicate(ev[1]))

        while True:
            for ev in self.events:
                if match(ev):
                    return ev
            if time.monotonic() >= deadline:
                seen = "\n  ".join(f"{c} {p}" for c, p in self.events[-40:]) or "<none>"
                want = f"{channel} {payload!r}" if payload is not None else channel
                raise AssertionError(f"no event {want} within {timeout:.1f}s; received:\n  {seen}")
            self._pump(deadline)

    def drain(self, seconds: float = 0.0) -> None:
        """Record whatever is already buffered (and whatever arrives within `seconds`)."""
        deadline = time.monotonic() + seconds
        while True:
            before = len(self.events)
            self._pump(max(deadline, time.monotonic() + 0.05))
            if len(self.events) == before and time.monotonic() >= deadline:
                return

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
