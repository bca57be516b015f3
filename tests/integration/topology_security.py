"""Helpers shared by test_durable_state.py and test_security.py.

* ``sentinel_bin_is_real()`` / ``ours_bug(reason)`` -- a strict xfail for a product bug of
  ours that does not apply when $SENTINEL_BIN points at the real redis-sentinel (the
  harness self-check in README.md), so real-vs-real stays 100 % green.
* ``spawn_sentinel`` -- start a sentinel on a config file at any path (sub-directories,
  copies of another sentinel's file) with the redis-sentinel command line.
* ``start_redis_v6`` -- a redis-server bound to ::1 only, PING-polled over IPv6.
* config-file / output readers: ``lines_starting``, ``strip_log_prefix``, ``fatal_block``.
* ``wait_master`` -- poll SENTINEL MASTER until a predicate holds; ``sentinel_link_users``
  -- the ACL user each of a sentinel's links to a server is authenticated as.

Nothing here sleeps for a fixed time: every wait polls against a deadline.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import harness
from harness import (LOOPBACK, MASTER_NAME, REDIS_SERVER, REAL_SENTINEL, ProcessSet,
                     RespConnection, SentinelInstance, StartupError, free_port, wait_until)

IPV6_LOOPBACK = "::1"


# --------------------------------------------------------------------------- which binary


def sentinel_bin_is_real() -> bool:
    """True when $SENTINEL_BIN is Debian's redis-sentinel itself or a wrapper script around it."""
    path = harness.sentinel_bin()
    if not path or not os.path.exists(path):
        return False
    real = os.path.realpath(path)
    if real == os.path.realpath(REAL_SENTINEL) or os.path.basename(real).startswith("redis-"):
        return True
    try:
        if os.path.getsize(path) < 4096:
            text = Path(path).read_text(errors="replace")
            return text.startswith("#!") and ("redis-sentinel" in text or "redis-server" in text)
    except OSError:
        pass
    return False


def ours_bug(reason: str):
    """xfail(strict=True) for a known bug of ours; not applied when SENTINEL_BIN is the real one."""
    return pytest.mark.xfail(not sentinel_bin_is_real(), strict=True, reason=reason)


def kind_params(ours_marks=()):
    """["ours", "real"] as pytest params, optionally marking the "ours" one."""
    return [pytest.param("ours", marks=list(ours_marks), id="ours"), pytest.param("real", id="real")]


# --------------------------------------------------------------------------- processes


def spawn_sentinel(pset: ProcessSet, kind: str, conf_path: Path, port: int | None = None,
                   cwd: Path | None = None, wait: bool = True, name: str | None = None,
                   password: str | None = None) -> SentinelInstance:
    """`<bin> <conf_path> --port N` with the config file wherever it is; PING-polled."""
    binary = harness.sentinel_binary_for(kind)
    port = port or free_port()
    cwd = Path(cwd) if cwd is not None else Path(conf_path).parent
    pset._counter += 1
    proc = pset.spawn(name or f"{kind}-sentinel-{port}-{pset._counter}",
                      [binary, str(conf_path), "--port", str(port)], cwd)
    inst = SentinelInstance(kind, proc, port, cwd, Path(conf_path))
    if wait:
        harness.wait_for_ping(port, proc)
    return inst


def _ping_v6(port: int) -> bool:
    with RespConnection(port, host=IPV6_LOOPBACK, timeout=1.0) as conn:
        reply = conn.call("PING", timeout=1.0)
        return reply.type == "simple"


def start_redis_v6(pset: ProcessSet, extra_conf: str = "") -> harness.RedisServer:
    """A redis-server listening on [::1] only (no IPv4 at all)."""
    port = free_port()
    workdir = pset.new_dir(f"redis6-{port}")
    conf = workdir / "redis.conf"
    conf.write_text(
        f"port {port}\nbind {IPV6_LOOPBACK}\nprotected-mode no\nsave \"\"\nappendonly no\n"
        f"dir {workdir}\nlogfile \"\"\ndaemonize no\nrepl-diskless-sync-delay 0\n{extra_conf}")
    proc = pset.spawn(f"redis6-{port}", [REDIS_SERVER, str(conf)], workdir)

    def up():
        if not proc.alive():
            raise StartupError(f"redis-server on [::1]:{port} exited:\n{proc.tail()}")
        return _ping_v6(port)

    wait_until(up, what=f"redis-server on [::1]:{port} to answer PING")
    return harness.RedisServer(proc, port, workdir, host=IPV6_LOOPBACK)


def redis_info_v6(port: int, section: str = "") -> dict[str, str]:
    with RespConnection(port, host=IPV6_LOOPBACK, timeout=2.0) as conn:
        reply = conn.call("INFO", section) if section else conn.call("INFO")
    flat: dict[str, str] = {}
    for fields in harness.parse_info(reply.value).values():
        flat.update(fields)
    return flat


# --------------------------------------------------------------------------- config files


def lines_starting(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


_LOG_PREFIX = re.compile(r"^\d+:[XCMS] \d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] ", re.M)


def strip_log_prefix(text: str) -> str:
    """Drop the `<pid>:X <date> <time> <level> ` prefix of Redis-style log lines."""
    return _LOG_PREFIX.sub("", text)


def fatal_block(output: str) -> str:
    """From `*** FATAL CONFIG FILE ERROR` to the end of a start-up failure's output."""
    idx = output.find("*** FATAL CONFIG FILE ERROR")
    assert idx >= 0, f"no FATAL CONFIG FILE ERROR in output:\n{output}"
    return output[idx:]


def run_to_exit(pset: ProcessSet, kind: str, conf_text: str, name: str,
                timeout: float = harness.DEADLINE) -> tuple[int, str]:
    """Start a sentinel of `kind` on `conf_text` that is expected to refuse to start."""
    workdir = pset.new_dir(name)
    conf = workdir / "sentinel.conf"
    conf.write_text(conf_text)
    argv = [harness.sentinel_binary_for(kind), str(conf), "--port", str(free_port())]
    return pset.run(name, argv, cwd=workdir, timeout=timeout)


# --------------------------------------------------------------------------- polling


def master_flags(inst: SentinelInstance | int, name: str = MASTER_NAME,
                 password: str | None = None) -> set[str]:
    return harness.flags_of(harness.sentinel_master(inst, name, password=password))


def wait_master(inst, predicate, what: str, name: str = MASTER_NAME, password: str | None = None,
                timeout: float = harness.SETTLE_DEADLINE) -> dict:
    """Poll SENTINEL MASTER until predicate(entry) holds (AssertionErrors count as "not yet")."""
    last: dict = {}

    def check():
        nonlocal last
        last = harness.sentinel_master(inst, name, password=password)
        return last if predicate(last) else None

    try:
        return wait_until(check, timeout, what)
    except TimeoutError as exc:
        raise AssertionError(f"{exc}; last SENTINEL MASTER {name}: {last}") from None


def client_list(port: int, password: str | None = None, host: str = LOOPBACK) -> list[dict[str, str]]:
    with RespConnection(port, host=host, timeout=3.0) as conn:
        if password is not None:
            assert conn.call("AUTH", password).type == "simple"
        reply = conn.call("CLIENT", "LIST")
    assert reply.type in ("bulk", "verbatim"), harness.render(reply)
    return [dict(tok.split("=", 1) for tok in line.split(" ") if "=" in tok)
            for line in reply.value.splitlines()]


def sentinel_link_users(port: int, myid: str, password: str | None = None) -> dict[str, str]:
    """{link name: ACL user} of the links a sentinel with `myid` holds open to `port`."""
    prefix = f"sentinel-{myid[:8]}-"
    return {c["name"]: c.get("user", "") for c in client_list(port, password)
            if c.get("name", "").startswith(prefix)}

