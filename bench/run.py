#!/usr/bin/python3
"""Benchmarks: our sentinel vs Debian's redis-sentinel 7.0.15, side by side.

    /usr/bin/python3 bench/run.py [--quick | --smoke] [--only failover,query,scale,startup]
                                  [--ours-bin PATH] [--theirs-bin PATH] [--out DIR]

Runs every scenario (bench/failover.py, query.py, scale.py, startup.py) with ours and theirs
interleaved (A B A B ...) on loopback, then writes <out>/<stamp>-<mode>/{report.md,
results.json, failover-timeline.png, run.log} (out defaults to bench/results/, gitignored)
and points <out>/latest at it.  Every process started is killed by PID when its scenario
ends, and again at exit or on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
import failover  # noqa: E402
import query  # noqa: E402
import report  # noqa: E402
import scale  # noqa: E402
import startup  # noqa: E402

SCENARIOS = {"failover": failover, "query": query, "scale": scale, "startup": startup}
ORDER = ["startup", "failover", "query", "scale"]


def _version(path: str) -> str:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or out.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"? ({exc})"


def _git() -> str:
    """HEAD commit of the tree the binary was built from, plus a note when it has local changes."""
    try:
        head = subprocess.run(["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(HERE.parent), "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return f"{head}{' + local changes' if dirty else ''}" if head else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="shorter pass (fewer runs, small K)")
    g.add_argument("--smoke", action="store_true",
                   help="tiny pass for the test suite (1 failover at D=1000, short query, K=1)")
    ap.add_argument("--only", default="", help="comma-separated subset of: " + ",".join(ORDER))
    default_ours = os.environ.get("SENTINEL_BIN") or str(HERE.parent / "build/release/sentinel/sentinel")
    ap.add_argument("--ours-bin", default=default_ours)
    ap.add_argument("--theirs-bin", default=common.THEIRS_BIN)
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--keep-work", action="store_true",
                    help="keep the per-process directories and logs (default: only on errors)")
    args = ap.parse_args(argv)

    mode = common.MODES["smoke" if args.smoke else "quick" if args.quick else "full"]
    only = [s.strip() for s in args.only.split(",") if s.strip()] or ORDER
    unknown = [s for s in only if s not in SCENARIOS]
    if unknown:
        ap.error(f"unknown scenario(s): {', '.join(unknown)}")
    bins = {"ours": os.path.abspath(args.ours_bin), "theirs": args.theirs_bin}
    for kind, path in bins.items():
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            ap.error(f"{kind} binary {path!r} is not an executable file (build it first: "
                     f"./dev.sh bench does)")
    for tool in (common.REDIS_SERVER, common.REDIS_BENCHMARK):
        if not os.access(tool, os.X_OK):
            ap.error(f"{tool} is missing (apt-get install redis-server redis-tools)")

    common.install_signal_handlers()
    started = dt.datetime.now()
    stamp = started.strftime("%Y%m%d-%H%M%S")
    out_root = Path(args.out)
    out_dir = out_root / f"{stamp}-{mode.name}"
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"sentinel-bench-{stamp}-"))
    log_file = open(out_dir / "run.log", "w")

    def log(msg: str) -> None:
        line = f"[{dt.datetime.now().strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    ctx = common.Context(mode, bins, work, log)
    res: dict = {"meta": {"mode": mode.name, "started": started.isoformat(timespec="seconds"),
                          "bins": bins, "versions": {k: _version(v) for k, v in bins.items()},
                          "nproc": os.cpu_count(), "loadavg_start": _loadavg(),
                          "kernel": os.uname().release, "work_dir": str(work),
                          "git": _git(),
                          "scenarios": only},
                 "scenarios": {}}
    log(f"bench ({mode.name}): ours={bins['ours']} theirs={bins['theirs']} work={work}")
    failed = False
    t_start = time.monotonic()
    try:
        for name in ORDER:
            if name not in only:
                continue
            log(f"== {name}")
            t0 = time.monotonic()
            try:
                res["scenarios"][name] = SCENARIOS[name].run(ctx)
            except Exception:  # noqa: BLE001 - keep the other scenarios and report it
                failed = True
                tb = traceback.format_exc()
                log(f"!! scenario {name} failed:\n{tb}")
                res["scenarios"].setdefault("errors", {})[name] = tb
            finally:
                common.kill_all_started()
            log(f"== {name} done in {time.monotonic() - t0:.0f}s")
    finally:
        common.kill_all_started()
        res["meta"]["duration_s"] = time.monotonic() - t_start
        res["meta"]["loadavg_end"] = _loadavg()
        files = report.write_all(res, out_dir)
        latest = out_root / "latest"
        try:
            if latest.is_symlink() or latest.exists():
                latest.unlink()
            latest.symlink_to(out_dir.name)
        except OSError:
            pass
        log(f"report: {files['markdown']}")
        log(f"json:   {files['json']}")
        log(f"chart:  {files['png'] or '(none: no failover run or no matplotlib)'}")
        log_file.close()
        any_error = failed or _has_run_errors(res)
        if args.keep_work or any_error:
            print(f"process dirs and logs kept in {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(report.targets_table(res["targets"]))
    return 1 if failed else 0


def _has_run_errors(res: dict) -> bool:
    def walk(x):
        if isinstance(x, dict):
            if x.get("error"):
                return True
            return any(walk(v) for v in x.values())
        if isinstance(x, list):
            return any(walk(v) for v in x)
        return False
    return walk(res.get("scenarios", {}))


if __name__ == "__main__":
    sys.exit(main())
