"""Smoke pass of the benchmark suite (bench/run.py --smoke): one failover at D=1000 per
sentinel, a short redis-benchmark run per query, K=1 scale and one start-up.

Asserts only that the bench ran and produced a well-formed report: results.json with every
scenario and metric, report.md with its sections, and the timeline PNG.  Never asserts
speed (the numbers of a smoke pass on a busy machine mean nothing).
"""

from __future__ import annotations

import json
import os
import subprocess
from numbers import Number
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("SENTINEL_SOURCE_DIR") or Path(__file__).resolve().parents[2])
RUN = ROOT / "bench" / "run.py"
KINDS = ("ours", "theirs")


def _is_num_or_none(v) -> bool:
    return v is None or isinstance(v, Number)


def _check_summary(summary: dict, metrics, where: str) -> None:
    for kind in KINDS:
        assert kind in summary, f"{where}: no {kind} summary"
        for m in metrics:
            s = summary[kind].get(m)
            assert isinstance(s, dict), f"{where} {kind}: no summary for {m}"
            for key in ("median", "min", "max", "n", "values"):
                assert key in s, f"{where} {kind} {m}: summary lacks {key}"
            assert _is_num_or_none(s["median"]), f"{where} {kind} {m}: median {s['median']!r}"


@pytest.fixture(scope="module")
def smoke(ours_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-results")
    proc = subprocess.run(
        ["/usr/bin/python3", str(RUN), "--smoke", "--ours-bin", ours_bin, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, f"bench --smoke failed (rc={proc.returncode}):\n" \
                                 f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    latest = out / "latest"
    assert latest.is_dir(), f"no {latest}; output:\n{proc.stdout[-2000:]}"
    return latest, proc.stdout


def test_json_is_well_formed(smoke):
    latest, _ = smoke
    res = json.loads((latest / "results.json").read_text())
    assert res["meta"]["mode"] == "smoke"
    assert set(res["meta"]["versions"]) == set(KINDS)
    sc = res["scenarios"]
    assert "errors" not in sc, f"scenario errors: {sc.get('errors')}"
    assert {"failover", "query", "scale", "startup"} <= set(sc)
    assert res["meta"]["duration_s"] > 0


def test_failover_section(smoke):
    latest, _ = smoke
    fo = json.loads((latest / "results.json").read_text())["scenarios"]["failover"]
    block = fo["by_d"]["1000"]
    for kind in KINDS:
        runs = block["runs"][kind]
        assert len(runs) == 1
        run = runs[0]
        assert run["error"] is None, f"{kind} failover run: {run['error']}"
        # Measured (not judged): the bench saw the failover and the rejoin happen.
        for key in ("sdown", "odown", "elected_leader", "promoted_slave", "switch_master",
                    "all_answer_new", "first_write_new", "rejoin"):
            assert isinstance(run[key], Number), f"{kind}: {key} = {run[key]!r}"
        for key in ("elected_leader_count", "try_failover_count", "writes_lost",
                    "writes_acked"):
            assert isinstance(run[key], int), f"{kind}: {key} = {run[key]!r}"
        assert run["events"], f"{kind}: no events recorded"
    _check_summary(block["summary"], ["all_answer_new", "first_write_new", "rejoin",
                                      "elected_leader_count", "writes_lost"], "failover")


def test_query_scale_startup_sections(smoke):
    latest, _ = smoke
    sc = json.loads((latest / "results.json").read_text())["scenarios"]
    q = sc["query"]
    tests = list(q["config"]["tests"])
    assert {"ping", "get_master_addr", "get_master_addr_p16", "masters", "replicas",
            "sentinels"} <= set(tests)
    for kind in KINDS:
        for tid in tests:
            (r,) = q["runs"][kind][tid]
            assert isinstance(r["rps"], float) and r["rps"] > 0, f"{kind} {tid}: {r}"
            assert isinstance(r["p99"], float), f"{kind} {tid}: {r}"
    for tid in tests:
        _check_summary({k: q["summary"][k][tid] for k in KINDS}, ["rps", "p50", "p99"],
                       f"query {tid}")

    case = sc["scale"]["cases"]["k1_s1"]
    for kind in KINDS:
        (cold,) = case["cold"][kind]
        (warm,) = case["warm"][kind]
        assert cold["error"] is None and warm["error"] is None, (cold, warm)
        assert isinstance(cold["settle"], Number)
        assert isinstance(warm["rss_kb"], Number) and isinstance(warm["cpu"], Number)
    _check_summary(case["summary"], ["settle", "cpu", "rss_kb"], "scale k1_s1")

    st = sc["startup"]
    for kind in KINDS:
        (r,) = st["runs"][kind]
        assert r["error"] is None, r
    _check_summary(st["summary"], ["first_ping", "replicas_all", "peers_all"], "startup")


def test_targets_and_markdown(smoke):
    latest, stdout = smoke
    res = json.loads((latest / "results.json").read_text())
    targets = res["targets"]
    assert targets, "no targets evaluated"
    for t in targets:
        assert set(t) >= {"name", "ours", "theirs", "ratio", "target", "pass"}, t
        assert t["pass"] in (True, False, None)
        assert _is_num_or_none(t["ours"]) and _is_num_or_none(t["theirs"])
    md = (latest / "report.md").read_text()
    for heading in ("## Targets", "## 1. Failover", "## 2. Query path", "## 3. Scale",
                    "## 4. Start-up", "## Reproduce"):
        assert heading in md, f"report.md lacks {heading!r}"
    assert "| Target | Ours | Theirs | Ours/theirs | Target | Pass |" in md
    assert "| Target |" in stdout  # the targets table is echoed at the end


def test_timeline_png(smoke):
    pytest.importorskip("matplotlib")
    latest, _ = smoke
    png = latest / "failover-timeline.png"
    assert png.is_file(), "no failover-timeline.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "failover-timeline.png" in (latest / "report.md").read_text()
