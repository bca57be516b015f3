"""Notification and client-reconfig scripts, run by real processes.

* a notification script gets `<event> <description>` for warning events about a master
  (+monitor at start-up, +set, +sdown);
* a script exiting with 1 is retried (SENTINEL PENDING-SCRIPTS shows the job, its retry count
  and Redis's reply shape) until the tenth attempt fails with `-script-error <path> 0 1`;
* during a real failover (1 master + 2 replicas, 3 sentinels) the leader runs the
  client-reconfig script with `mymaster leader start <old> <new>`, the others with `observer`;
* a script inherits the environment and nothing but descriptors 0, 1 and 2, with default signal
  dispositions and an empty signal mask.

The notification and retry cases also run against redis-sentinel 7.0.15, which validates what
they expect.  Scripts are written into each test's temp dir; every process (servers, sentinels)
is killed by PID at teardown; everything polls against deadlines.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import harness
from harness import LOOPBACK, MASTER_NAME, wait_until

SCRIPT_DEADLINE = 15.0
FAILOVER_DEADLINE = 60.0
KINDS = ["ours", "real"]


def write_script(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


def argv_logger(path: Path, out: Path, exit_code: int = 0) -> Path:
    """A script that appends its arguments (JSON list, argv[0] excluded) to `out`, then exits."""
    return write_script(path, f"""#!/usr/bin/python3
import json, sys
with open({str(out)!r}, "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\n")
sys.exit({exit_code})
""")


def logged_calls(out: Path) -> list[list[str]]:
    try:
        text = out.read_text()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def wait_for_call(out: Path, expected: list[str], timeout: float = SCRIPT_DEADLINE) -> None:
    wait_until(lambda: expected in logged_calls(out), timeout,
               f"a script call with {expected} in {out} (calls so far: {logged_calls(out)})")


def start(factory, kind, master_port: int, extra: str, quorum: int = 1, **kw):
    conf = harness.monitoring_config(master_port, quorum=quorum, down_after=1000, extra=extra)
    return factory(kind, conf, **kw)


def pending_scripts(inst) -> harness.Reply:
    reply = inst.call("SENTINEL", "PENDING-SCRIPTS")
    assert reply.type == "array", harness.render(reply)
    return reply


# --------------------------------------------------------------------------- notification


@pytest.mark.parametrize("kind", KINDS)
def test_notification_script_gets_event_and_description(kind, procs, sentinel_factory,
                                                        redis_master, tmp_path):
    out = tmp_path / "notify.calls"
    script = argv_logger(tmp_path / "notify.py", out)
    inst = start(sentinel_factory, kind, redis_master.port,
                 f"sentinel notification-script {MASTER_NAME} {script}\n")
    master = f"master {MASTER_NAME} {LOOPBACK} {redis_master.port}"

    # +monitor at start-up is a warning about the master, so it runs the script too.
    wait_for_call(out, ["+monitor", f"{master} quorum 1"])

    assert inst.call("SENTINEL", "SET", MASTER_NAME, "quorum", "2").value == "OK"
    wait_for_call(out, ["+set", f"{master} quorum 2"])

    harness.kill_hard(redis_master.proc)
    wait_for_call(out, ["+sdown", master])

    # Every call carried exactly two arguments: the event and its description.
    assert all(len(call) == 2 for call in logged_calls(out)), logged_calls(out)
    # Done scripts leave the queue.
    wait_until(lambda: harness.redis_info(inst.port, "sentinel")["sentinel_running_scripts"] == "0",
               SCRIPT_DEADLINE, "no script left running")


# --------------------------------------------------------------------------- retries


def _job_for(reply: harness.Reply, event: str):
    """The PENDING-SCRIPTS entry whose argv[1] is `event`, as (field names, {name: Reply})."""
    for entry in reply.value:
        pairs = entry.pairs()
        fields = {k.value: v for k, v in pairs}
        argv = fields["argv"]
        if len(argv.value) > 1 and argv.value[1].value == event:
            return [k.value for k, _ in pairs], fields
    return None


@pytest.mark.parametrize("kind", KINDS)
def test_failing_script_is_retried_then_reported(kind, procs, sentinel_factory, redis_master,
                                                 tmp_path):
    out = tmp_path / "fail.calls"
    script = argv_logger(tmp_path / "fail.py", out, exit_code=1)
    inst = start(sentinel_factory, kind, redis_master.port,
                 f"sentinel notification-script {MASTER_NAME} {script}\n")
    master = f"master {MASTER_NAME} {LOOPBACK} {redis_master.port}"
    watcher = harness.EventWatcher(inst.port, "-script-*")
    try:
        # Retries 10 ms, 20 ms, ... 2.56 s apart: all ten attempts within ~5 s.
        assert inst.call("SENTINEL", "DEBUG", "script-retry-delay", "10").value == "OK"
        assert inst.call("SENTINEL", "SET", MASTER_NAME, "quorum", "2").value == "OK"
        expected_argv = [str(script), "+set", f"{master} quorum 2"]

        def retried():
            job = _job_for(pending_scripts(inst), "+set")
            if job is None:
                return None
            names, fields = job
            return (names, fields) if int(fields["retry-num"].value) >= 2 else None

        names, fields = wait_until(retried, SCRIPT_DEADLINE, "the +set job to be retried")
        # Redis's shape: argv, flags, pid, run-time|run-delay, retry-num; scalars are bulks.
        assert names[:3] == ["argv", "flags", "pid"] and names[4] == "retry-num", names
        assert names[3] == ("run-time" if fields["flags"].value == "running" else "run-delay")
        assert fields["flags"].value in ("running", "scheduled")
        assert [a.value for a in fields["argv"].value] == expected_argv
        assert all(fields[n].type == "bulk" for n in names[1:]), \
            {n: fields[n].type for n in names}
        assert all(a.type == "bulk" for a in fields["argv"].value)
        assert int(fields["pid"].value) >= 0 and int(fields[names[3]].value) >= 0
        info = harness.redis_info(inst.port, "sentinel")
        assert int(info["sentinel_scripts_queue_length"]) >= 1

        # The tenth failure is the last: the job leaves the queue, reported as an error. (The
        # +monitor job runs the same script and may fail its tenth attempt too, so the event
        # alone does not say which job ended.)
        wait_until(lambda: _job_for(pending_scripts(inst), "+set") is None, SCRIPT_DEADLINE,
                   "the +set job to leave the queue")
        assert logged_calls(out).count(expected_argv[1:]) == 10
        watcher.wait_for("-script-error", f"{script} 0 1", timeout=SCRIPT_DEADLINE)
    finally:
        watcher.close()


# --------------------------------------------------------------------------- client reconfig


def test_client_reconfig_script_during_failover(procs, ours_bin, tmp_path):
    master = procs.start_redis_server(extra_conf="repl-diskless-sync-delay 0\n")
    replicas = [harness.start_replica(procs, master.port, wait_link=False) for _ in range(2)]
    for rep in replicas:
        harness.wait_replica_link_up(rep.port)
    # One script for all; each sentinel tells it where to write through its environment.
    script = write_script(tmp_path / "reconfig.py", """#!/usr/bin/python3
import json, os, sys
with open(os.environ["RECONFIG_OUT"], "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\n")
""")
    conf = harness.monitoring_config(
        master.port, quorum=2, down_after=1000, failover_timeout=10000,
        extra=f"sentinel client-reconfig-script {MASTER_NAME} {script}\n")
    outs, sentinels = [], []
    for i in range(3):
        out = tmp_path / f"reconfig-{i}.calls"
        outs.append(out)
        sentinels.append(procs.start_sentinel(
            "ours", conf, env={**os.environ, "RECONFIG_OUT": str(out)}))
    topo = harness.Topology(procs, master, replicas, sentinels)
    harness.wait_settled(topo)

    watchers = [harness.EventWatcher(s.port, "+switch-master") for s in sentinels]
    try:
        harness.kill_hard(master.proc)
        switches = [w.wait_for("+switch-master", timeout=FAILOVER_DEADLINE) for w in watchers]
    finally:
        for w in watchers:
            w.close()
    payloads = {payload for _, payload in switches}
    assert len(payloads) == 1, payloads
    name, old_ip, old_port, new_ip, new_port = payloads.pop().split()
    assert (name, old_ip, old_port) == (MASTER_NAME, LOOPBACK, str(master.port))
    assert (new_ip, int(new_port)) in topo.replica_addrs()

    tail = ["start", old_ip, old_port, new_ip, new_port]
    leader = [MASTER_NAME, "leader", *tail]
    observer = [MASTER_NAME, "observer", *tail]

    def all_ran():
        calls = [logged_calls(out) for out in outs]
        return calls if all(calls) else None

    calls = wait_until(all_ran, SCRIPT_DEADLINE, "every sentinel to run its reconfig script")
    # One leader, the others observers, each exactly once and with exactly these arguments.
    assert sorted(calls, key=lambda c: c[0][1]) == [[leader], [observer], [observer]], calls


# --------------------------------------------------------------------------- process hygiene


def test_script_gets_only_stdio_and_a_clean_signal_state(procs, sentinel_factory, redis_master,
                                                         tmp_path):
    report = tmp_path / "hygiene.json"
    # The shell reads its own signal state (Python would ignore SIGPIPE itself), then Python
    # lists the descriptors it was given (the one listdir() opens is gone by readlink time) and
    # replaces the report atomically, as several runs may overlap.
    script = write_script(tmp_path / "hygiene.sh", f"""#!/bin/sh
SIGNALS=$(grep -E '^Sig(Blk|Ign):' /proc/$$/status)
exec /usr/bin/python3 -c '
import json, os, sys
fds = {{}}
for name in os.listdir("/proc/self/fd"):
    try:
        fds[name] = os.readlink("/proc/self/fd/" + name)
    except OSError:
        pass
tmp = sys.argv[3] + "." + str(os.getpid())
with open(tmp, "w") as f:
    json.dump({{"fds": fds, "signals": sys.argv[1], "mark": sys.argv[2]}}, f)
os.replace(tmp, sys.argv[3])
' "$SIGNALS" "$SCRIPT_TEST_MARK" {report}
""")
    # A log file makes the logger hold a descriptor of its own while the script starts.
    log_file = tmp_path / "sentinel.log"
    inst = start(sentinel_factory, "ours", redis_master.port,
                 f"sentinel notification-script {MASTER_NAME} {script}\nlogfile {log_file}\n",
                 env={**os.environ, "SCRIPT_TEST_MARK": "inherited"})
    assert inst.call("SENTINEL", "SET", MASTER_NAME, "quorum", "2").value == "OK"

    result = wait_until(lambda: report.exists() and json.loads(report.read_text()),
                        SCRIPT_DEADLINE, "the script's report")
    fds = result["fds"]
    assert sorted(fds, key=int) == ["0", "1", "2"], fds
    assert result["mark"] == "inherited"
    signals = {k: int(v, 16) for k, v in
               (line.split(":") for line in result["signals"].splitlines())}
    assert signals["SigBlk"] == 0, signals
    # Nothing ignored (redis-sentinel's children inherit SIGHUP, SIGPIPE and SIGALRM ignored),
    # except that glibc's posix_spawn leaves its internal signals 32 and 33 ignored in the child:
    # no glibc program can use those, and glibc programs that need them install handlers.
    glibc_internal = (1 << 31) | (1 << 32)
    assert signals["SigIgn"] & ~glibc_internal == 0, hex(signals["SigIgn"])
