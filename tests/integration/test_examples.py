"""The examples must keep working: examples/three-sentinels/start.sh brings up a master, two
replicas and three of our sentinels on free loopback ports, and every Python example in
examples/python runs against it (without and with a password) and prints what its README
says.  stop.sh must stop everything by pid file.

start.sh daemonizes its processes, so they are not our children: their pids are read
from the pid files as soon as start.sh returns (or fails) and killed by PID at teardown
(and at exit) whatever stop.sh did.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import harness
from harness import LOOPBACK, MASTER_NAME

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "examples" / "three-sentinels"
PY_EXAMPLES = ROOT / "examples" / "python"
PYTHON = "/usr/bin/python3"
PASSWORD = "ex4mple-Pw"
SCRIPT_TIMEOUT = 30.0

_started_pids: set[int] = set()


def _pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _kill_pids(pids) -> None:
    for pid in pids:
        if _pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


@atexit.register
def _kill_leftovers() -> None:
    _kill_pids(list(_started_pids))


def _pids_in(run_dir: Path) -> dict[str, int]:
    pids = {}
    for pidfile in run_dir.glob("*.pid"):
        try:
            pids[pidfile.stem] = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            continue
    _started_pids.update(pids.values())
    return pids


def _committed_digest() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(DEPLOY.glob("*.conf"))}


@dataclass
class Deployment:
    run_dir: Path
    master_port: int
    replica_ports: list[int]
    sentinel_ports: list[int]
    password: str | None
    start_output: str
    pids: dict[str, int] = field(default_factory=dict)

    def auth_args(self) -> list[str]:
        return ["--password", self.password] if self.password else []


def _start(run_dir: Path, password: str | None, *extra: str) -> tuple[Deployment, subprocess.CompletedProcess]:
    base = harness.free_port_block(3)
    sbase = harness.free_port_block(3)
    argv = [str(DEPLOY / "start.sh"), "--base-port", str(base), "--sentinel-base-port", str(sbase),
            "--run-dir", str(run_dir), "--timeout", "30", *extra]
    if password:
        argv += ["--password", password]
    env = dict(os.environ, SENTINEL_BIN=harness.sentinel_bin() or "")
    try:
        res = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=90,
                             stdin=subprocess.DEVNULL)
    finally:
        pids = _pids_in(run_dir) if run_dir.exists() else {}
    dep = Deployment(run_dir, base, [base + 1, base + 2], [sbase, sbase + 1, sbase + 2], password,
                     res.stdout + res.stderr, pids)
    return dep, res


def _stop(dep: Deployment) -> subprocess.CompletedProcess:
    res = subprocess.run([str(DEPLOY / "stop.sh"), "--run-dir", str(dep.run_dir)],
                         capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    _kill_pids(dep.pids.values())  # whatever stop.sh left (by PID)
    harness.wait_until(lambda: not any(_pid_alive(p) for p in dep.pids.values()), 10.0,
                       "the example's processes to exit")
    _started_pids.difference_update(dep.pids.values())  # never signal a reused PID at exit
    return res


def _logs(run_dir: Path) -> str:
    chunks = []
    for log in sorted(run_dir.glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()[-15:]
        chunks.append(f"== {log.name}\n" + "\n".join(lines))
    return "\n".join(chunks)


@pytest.fixture(scope="module", params=[None, PASSWORD], ids=["no-password", "password"])
def deployment(request, ours_bin, tmp_path_factory):
    before = _committed_digest()
    run_dir = tmp_path_factory.mktemp("three-sentinels-run")
    dep, res = _start(run_dir, request.param)
    try:
        if res.returncode != 0:
            pytest.fail(f"start.sh failed (rc={res.returncode}):\n{dep.start_output}\n{_logs(run_dir)}",
                        pytrace=False)
        dep.committed_before = before  # type: ignore[attr-defined]
        yield dep
    finally:
        _stop(dep)


def _run_example(dep: Deployment, script: str, *args: str, password: bool = True):
    argv = [PYTHON, str(PY_EXAMPLES / script), "--host", LOOPBACK,
            "--ports", ",".join(str(p) for p in dep.sentinel_ports), *args]
    if password:
        argv += dep.auth_args()
    res = subprocess.run(argv, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT,
                         stdin=subprocess.DEVNULL, cwd=PY_EXAMPLES)
    return res.returncode, res.stdout, res.stderr


# --------------------------------------------------------------------------- start.sh


def test_start_sh_brings_up_a_settled_group(deployment):
    dep = deployment
    assert "discovery settled" in dep.start_output
    assert set(dep.pids) == {"redis-master", "redis-replica-1", "redis-replica-2",
                             "sentinel-1", "sentinel-2", "sentinel-3"}, dep.pids
    assert all(_pid_alive(pid) for pid in dep.pids.values()), dep.pids
    pw = dep.password
    ids = {port: harness.sentinel_myid(port, password=pw) for port in dep.sentinel_ports}
    assert len(set(ids.values())) == 3
    for port in dep.sentinel_ports:
        master = harness.sentinel_master(port, password=pw)
        assert (master["ip"], master["port"]) == (LOOPBACK, str(dep.master_port))
        assert master["num-slaves"] == "2" and master["num-other-sentinels"] == "2", master
        reps = harness.sentinel_list(port, "REPLICAS", password=pw)
        assert sorted(int(r["port"]) for r in reps) == dep.replica_ports
        peers = harness.sentinel_list(port, "SENTINELS", password=pw)
        assert sorted((p["runid"], int(p["port"])) for p in peers) == \
            sorted((ids[o], o) for o in dep.sentinel_ports if o != port)
    # The servers really have (or really do not have) a password.
    for port in [dep.master_port, *dep.replica_ports, *dep.sentinel_ports]:
        with harness.RespConnection(port) as conn:
            reply = conn.call("PING")
        if pw:
            assert reply.type == "error" and reply.value.startswith("NOAUTH"), (port, reply)
        else:
            assert reply.py() == "PONG", (port, reply)


def test_start_sh_runs_copies_of_the_configs(deployment):
    dep = deployment
    assert _committed_digest() == dep.committed_before, "start.sh or a sentinel modified examples/*.conf"
    for i, port in enumerate(dep.sentinel_ports, start=1):
        conf = dep.run_dir / f"sentinel-{i}.conf"

        def rewritten():
            text = conf.read_text()
            assert re.search(r"^sentinel myid [0-9a-f]{40}\s*$", text, re.M), text
            assert len(re.findall(r"^sentinel known-replica mymaster ", text, re.M)) == 2, text
            assert len(re.findall(r"^sentinel known-sentinel mymaster ", text, re.M)) == 2, text
            assert re.search(rf"^port {port}\s*$", text, re.M), text
            return True

        harness.wait_until(rewritten, harness.SETTLE_DEADLINE, f"{conf} to record the discovered group")


# --------------------------------------------------------------------------- python examples


def test_discover_master_example(deployment):
    rc, out, err = _run_example(deployment, "discover_master.py")
    assert rc == 0, out + err
    assert out == f"master {MASTER_NAME} is at {LOOPBACK}:{deployment.master_port}\n"


def test_discover_slaves_example(deployment):
    rc, out, err = _run_example(deployment, "discover_slaves.py")
    assert rc == 0, out + err
    want = [f"master {MASTER_NAME} has 2 healthy replica(s)"] + \
        [f"replica {LOOPBACK}:{p}" for p in sorted(deployment.replica_ports)]
    assert out.splitlines() == want


def test_write_through_master_then_read_from_replica(deployment):
    key = f"examples:test:{time.monotonic_ns()}"
    value = f"value-{os.getpid()}-{time.time_ns()}"
    rc, out, err = _run_example(deployment, "master_for_write.py", "--key", key, "--value", value)
    assert rc == 0, out + err
    assert out.splitlines() == [
        f"SET {key} {value!r} on master {LOOPBACK}:{deployment.master_port} (role: master)",
        f"GET {key} -> {value!r}",
    ]
    rc, out, err = _run_example(deployment, "slave_for_read.py", "--key", key, "--expect", value,
                                "--wait", "10")
    assert rc == 0, out + err
    m = re.fullmatch(rf"GET {re.escape(key)} -> {re.escape(repr(value))} from a slave \(port (\d+)\)\n", out)
    assert m, out
    assert int(m.group(1)) in deployment.replica_ports


def test_examples_accept_explicit_sentinel_addresses(deployment):
    # One reachable sentinel is enough; an unreachable one first is skipped.
    dead = harness.free_port()
    args = ["--sentinel", f"{LOOPBACK}:{dead}", "--sentinel", f"{LOOPBACK}:{deployment.sentinel_ports[2]}"]
    rc, out, err = _run_example(deployment, "discover_master.py", *args)
    assert rc == 0, out + err
    assert out == f"master {MASTER_NAME} is at {LOOPBACK}:{deployment.master_port}\n"


def test_examples_need_the_password_when_one_is_set(deployment):
    if not deployment.password:
        pytest.skip("deployment without a password")
    rc, out, err = _run_example(deployment, "discover_master.py", password=False)
    assert rc == 1, out + err
    assert "No master found for 'mymaster'" in err
    rc, out, err = _run_example(deployment, "discover_master.py", "--password", "wrong-password",
                                password=False)
    assert rc == 1, out + err


# --------------------------------------------------------------------------- stop.sh


def test_stop_sh_stops_everything_by_pid_file(ours_bin, tmp_path):
    run_dir = tmp_path / "run"
    dep, res = _start(run_dir, None, "--no-wait")
    try:
        assert res.returncode == 0, f"{dep.start_output}\n{_logs(run_dir)}"
        assert len(dep.pids) == 6 and all(_pid_alive(p) for p in dep.pids.values()), dep.pids

        # A second start on the same run directory is refused while it runs.
        again = subprocess.run([str(DEPLOY / "start.sh"), "--base-port", str(dep.master_port),
                                "--sentinel-base-port", str(dep.sentinel_ports[0]),
                                "--run-dir", str(run_dir)],
                               env=dict(os.environ, SENTINEL_BIN=ours_bin),
                               capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert again.returncode != 0 and "already running" in again.stderr, again

        stop = subprocess.run([str(DEPLOY / "stop.sh"), "--run-dir", str(run_dir)],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert stop.returncode == 0, stop.stdout + stop.stderr
        # stop.sh waits for each process to exit before it returns.
        assert not [name for name, pid in dep.pids.items() if _pid_alive(pid)]
        assert not list(run_dir.glob("*.pid"))
        assert stop.stdout.splitlines()[0].startswith("stopped sentinel-"), stop.stdout
        assert "SIGKILL" not in stop.stderr, stop.stderr
        for port in [dep.master_port, *dep.replica_ports, *dep.sentinel_ports]:
            assert not harness.is_listening(port), port
    finally:
        _stop(dep)
