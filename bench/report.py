"""Turns the scenario results into results.json, report.md and failover-timeline.png.

Usable on its own to re-render a report from a saved JSON file:
    /usr/bin/python3 bench/report.py bench/results/<run>/results.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KINDS = ("ours", "theirs")


# --------------------------------------------------------------------------- formatting


def _num(v, unit: str = "", digits: int = 0, bare: bool = False, secs: bool | None = None) -> str:
    """A value with its unit; ms switch to s from 10 s on (or when `secs` says so)."""
    if v is None:
        return "–"
    if unit == "MB":
        text, u = f"{v / 1024:.1f}", "MB"
    elif unit == "%":
        text, u = f"{v:.1f}", "%"
    elif unit == "ms" and (secs if secs is not None else v >= 10000):
        text, u = f"{v / 1000:.1f}", "s"
    else:
        text, u = f"{v:,.{digits}f}", unit
    return text if (bare or not u) else f"{text} {u}"


def _cell(summary: dict | None, unit: str = "", digits: int = 0) -> str:
    """median [min–max], plus how many runs did not produce a value."""
    if not summary or summary.get("median") is None:
        miss = summary.get("missing", 0) if summary else 0
        return f"– ({miss} missing)" if miss else "–"
    secs = unit == "ms" and summary["median"] >= 10000
    out = _num(summary["median"], unit, digits, secs=secs)
    if summary["n"] > 1:
        out += (f" [{_num(summary['min'], unit, digits, bare=True, secs=secs)}–"
                f"{_num(summary['max'], unit, digits, bare=True, secs=secs)}]")
    if summary.get("missing"):
        out += f" ({summary['missing']} missing)"
    return out


def _ratio(a: dict | None, b: dict | None) -> str:
    try:
        x, y = a["median"], b["median"]
    except (TypeError, KeyError):
        return "–"
    if x is None or y is None or y == 0:
        return "–"
    return f"{x / y:.2f}"


def _med(summary: dict | None):
    return None if not summary else summary.get("median")


# --------------------------------------------------------------------------- targets


def targets(res: dict) -> list[dict]:
    """Every target of the issue with ours, theirs, ratio and pass/fail (None = not measured)."""
    out: list[dict] = []

    def add(name, ours, theirs, target, ok, unit="", digits=0, note=""):
        ratio = (ours / theirs) if (ours is not None and theirs not in (None, 0)) else None
        out.append({"name": name, "ours": ours, "theirs": theirs, "ratio": ratio,
                    "target": target, "pass": ok, "unit": unit, "digits": digits, "note": note})

    fo = res.get("scenarios", {}).get("failover", {}).get("by_d", {})
    d1000 = fo.get("1000", {}).get("summary")
    if d1000:
        for metric, label in (("all_answer_new", "kill → all 3 sentinels answer the new master "
                                                 "(D=1000)"),
                              ("first_write_new", "kill → first client write on the new master "
                                                  "(D=1000)")):
            o, t = _med(d1000["ours"][metric]), _med(d1000["theirs"][metric])
            add(label, o, t, "≤ 1400 ms", None if o is None else o <= 1400, "ms")
        o, t = _med(d1000["ours"]["rejoin"]), _med(d1000["theirs"]["rejoin"])
        add("restarted old master → connected replica", o, t, "≤ 2000 ms",
            None if o is None else o <= 2000, "ms")
    d200 = fo.get("200", {}).get("summary")
    if d200:
        o, t = _med(d200["ours"]["elected_leader_count"]), _med(d200["theirs"]["elected_leader_count"])
        lost_o = _med(d200["ours"]["writes_lost"])
        lost_max = d200["ours"]["writes_lost"].get("max")
        ok = None if o is None else (o == 1 and lost_o == 0)
        add("elections (+elected-leader) per failover (D=200), writes lost", o, t,
            "1, with 0 writes lost", ok, "", 1,
            f"ours writes lost median {_num(lost_o)} (max {_num(lost_max)}); theirs "
            f"{_num(_med(d200['theirs']['writes_lost']))}; ours max elections "
            f"{_num(d200['ours']['elected_leader_count'].get('max'))}, theirs max "
            f"{_num(d200['theirs']['elected_leader_count'].get('max'))}")
    q = res.get("scenarios", {}).get("query", {}).get("summary")
    ceiling = _med(res.get("scenarios", {}).get("query", {}).get("ceiling_summary"))
    if q:
        for tid, label in (("get_master_addr", "query req/s: SENTINEL get-master-addr-by-name, c=50"),
                           ("masters", "query req/s: SENTINEL masters, c=50")):
            o, t = _med(q["ours"][tid]["rps"]), _med(q["theirs"][tid]["rps"])
            po, pt = _med(q["ours"][tid]["p99"]), _med(q["theirs"][tid]["p99"])
            ok = None if (o is None or t is None) else (o >= 1.2 * t and po is not None
                                                        and pt is not None and po <= pt)
            co, ct = _med(q["ours"][tid].get("cpu_us")), _med(q["theirs"][tid].get("cpu_us"))
            note = f"p99 ours {_num(po, 'ms', 3)} vs theirs {_num(pt, 'ms', 3)}"
            if co is not None and ct is not None:
                note += f"; CPU per request ours {co:.2f} µs vs theirs {ct:.2f} µs"
            if ceiling is not None:
                note += f"; redis-server PING with the same client: {ceiling:,.0f} req/s"
            add(label, o, t, "≥ 1.2× theirs, p99 no worse", ok, "req/s", 0, note)
    sc = res.get("scenarios", {}).get("scale", {}).get("cases", {})
    if "k1_s1" in sc:
        s = sc["k1_s1"]["summary"]
        o, t = _med(s["ours"]["rss_kb"]), _med(s["theirs"]["rss_kb"])
        add("RSS idle (1 sentinel, 1 master)", o, t, "≤ 6 MB",
            None if o is None else o <= 6 * 1024, "MB")
    if "k1000_s1" in sc:
        s = sc["k1000_s1"]["summary"]
        o, t = _med(s["ours"]["rss_kb"]), _med(s["theirs"]["rss_kb"])
        add("RSS with 1000 masters (1 sentinel)", o, t, "≤ 16 MB",
            None if o is None else o <= 16 * 1024, "MB")
    if "k1000_s3" in sc:
        s = sc["k1000_s3"]["summary"]
        o, t = _med(s["ours"]["settle"]), _med(s["theirs"]["settle"])
        cen = sc["k1000_s3"]["cold"]
        note = ""
        for kind in KINDS:
            c = [r for r in cen.get(kind, []) if r.get("settle") is None]
            if c:
                note += f"{kind}: {len(c)} run(s) not settled within {c[0].get('censored_at_s')} s. "
        add("3 sentinels × 1000 masters: time to settle", o, t, "≤ 10 s",
            False if (o is None and note.startswith("ours")) else (None if o is None else o <= 10000),
            "ms", 0, note.strip())
        o, t = _med(s["ours"]["cpu"]), _med(s["theirs"]["cpu"])
        add("3 sentinels × 1000 masters: steady CPU per sentinel", o, t, "≤ 5 %",
            None if o is None else o <= 5.0, "%")
    st = res.get("scenarios", {}).get("startup", {}).get("summary")
    if st:
        o, t = _med(st["ours"]["peers_all"]), _med(st["theirs"]["peers_all"])
        add("3 sentinels see each other after start", o, t, "≤ 500 ms",
            None if o is None else o <= 500, "ms")
    return out


def targets_table(tg: list[dict]) -> str:
    lines = ["| Target | Ours | Theirs | Ours/theirs | Target | Pass |",
             "|---|---|---|---|---|---|"]
    for t in tg:
        verdict = {True: "**pass**", False: "**FAIL**", None: "not measured"}[t["pass"]]
        name = t["name"] + (f" <br><sub>{t['note']}</sub>" if t.get("note") else "")
        ratio = "–" if t["ratio"] is None else f"{t['ratio']:.2f}"
        lines.append(f"| {name} | {_num(t['ours'], t['unit'], t['digits'])} | "
                     f"{_num(t['theirs'], t['unit'], t['digits'])} | {ratio} | {t['target']} | "
                     f"{verdict} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- markdown


FAILOVER_ROWS = [
    ("sdown", "kill → first +sdown", "ms"),
    ("odown", "kill → first +odown", "ms"),
    ("elected_leader", "kill → first +elected-leader", "ms"),
    ("promoted_slave", "kill → +promoted-slave", "ms"),
    ("switch_master", "kill → first +switch-master", "ms"),
    ("all_answer_new", "kill → all 3 answer the new address", "ms"),
    ("first_write_new", "kill → first write acked by the new master", "ms"),
    ("failover_end", "kill → +failover-end", "ms"),
    ("last_switch_master", "kill → last +switch-master (flapping over)", "ms"),
    ("abort_count", "-failover-abort-* events per kill", ""),
    ("try_failover_count", "+try-failover events per kill", ""),
    ("elected_leader_count", "+elected-leader events per kill", ""),
    ("switch_master_count", "distinct +switch-master (failovers) per kill", ""),
    ("writes_acked", "writes acknowledged", ""),
    ("writes_lost", "acknowledged writes lost", ""),
    ("rejoin", "old master restarted → connected replica of the new one", "ms"),
]


def _table(rows, summaries, digits_for=lambda unit: 0) -> list[str]:
    out = ["| Metric | Ours median [min–max] | Theirs median [min–max] | Ours/theirs |",
           "|---|---|---|---|"]
    for key, label, unit in rows:
        o = summaries["ours"].get(key)
        t = summaries["theirs"].get(key)
        if (not o or o.get("n", 0) == 0) and (not t or t.get("n", 0) == 0):
            continue
        d = digits_for(unit)
        out.append(f"| {label} | {_cell(o, unit, d)} | {_cell(t, unit, d)} | {_ratio(o, t)} |")
    return out


def markdown(res: dict, png_name: str | None) -> str:
    meta = res["meta"]
    L = [f"# Sentinel benchmark: ours vs redis-sentinel 7.0.15 ({meta['mode']} pass)", ""]
    L += [f"- Started {meta['started']}, took {meta.get('duration_s', 0) / 60:.1f} min; "
          f"{meta['nproc']} CPUs, load average {meta.get('loadavg_start')} at start, "
          f"{meta.get('loadavg_end')} at the end (the machine is shared: treat small "
          f"differences as noise).",
          f"- Ours: `{meta['bins']['ours']}` ({meta['versions'].get('ours', '?')}; tree "
          f"{meta.get('git', '?')})",
          f"- Theirs: `{meta['bins']['theirs']}` ({meta['versions'].get('theirs', '?')})",
          "- Runs alternate ours/theirs (A B A B …), each scenario on its own loopback "
          "topology on free ports; all redis-servers use `repl-diskless-sync-delay 0`. "
          "Cells: median [min–max] over the runs; ratio = ours/theirs of the medians.",
          ""]
    L += ["## Targets", "", targets_table(res.get("targets", [])), ""]
    sc = res.get("scenarios", {})
    if "failover" in sc:
        fo = sc["failover"]
        cfg = fo["config"]
        L += ["## 1. Failover", "",
              f"1 master + 2 replicas, 3 sentinels (quorum 2), failover-timeout "
              f"{cfg['failover_timeout']} ms; a redis-py `master_for` client SADDs a sequence "
              f"number every {cfg['write_interval_ms']:.0f} ms; `kill -9` of the master after 1 s "
              f"of writes plus (i + 0.5)/n × {cfg.get('phase_cycle_s', 0):.0f} s for run i of n "
              f"(the kills cover the sentinels' 10 s replica-INFO cycle, as in a long-running "
              f"deployment). {cfg['runs']} runs per sentinel and D (unless noted); the rejoin "
              f"(old master restarted empty from its original config) is timed at D = "
              f"{', '.join(map(str, cfg['rejoin_d']))}.",
              ""]
        for d, block in fo["by_d"].items():
            L += [f"### down-after-milliseconds = {d} ({block.get('n_runs', cfg['runs'])} runs each)",
                  ""]
            L += _table(FAILOVER_ROWS, block["summary"],
                        digits_for=lambda u: 0)
            per_run = []
            for i in range(max(len(block["runs"].get(k, [])) for k in KINDS)):
                cells = []
                for k in KINDS:
                    runs_k = block["runs"].get(k, [])
                    if i < len(runs_k):
                        r = runs_k[i]
                        ab = f", {r['abort_count']} abort" if r.get("abort_count") else ""
                        cells.append(f"{k} {_num(r.get('all_answer_new'), 'ms')}{ab}")
                pk = block["runs"][KINDS[0]][i].get("prekill_s", 0) if block["runs"].get(KINDS[0]) else 0
                per_run.append(f"+{pk:.1f} s: " + " / ".join(cells))
            L += ["", "Kill → all answer, per run (pre-kill wait): " + "; ".join(per_run) + "."]
            errs = [(k, r["error"]) for k in KINDS for r in block["runs"].get(k, []) if r.get("error")]
            if errs:
                L += ["", "Run errors: " + "; ".join(f"{k}: {e}" for k, e in errs)]
            L.append("")
        if png_name:
            L += [f"![failover timeline]({png_name})", "",
                  "Timeline: the run with the median kill → all-answer time of each sentinel.", ""]
    if "query" in sc:
        q = sc["query"]
        cfg = q["config"]
        L += ["## 2. Query path", "",
              f"redis-benchmark -c {cfg['clients']} --csv against one sentinel of a settled "
              f"group ({cfg['topology']}), {cfg['runs']} runs per command and sentinel.", "",
              "| Command | n | Ours req/s | Theirs req/s | Ratio | Ours p50 / p99 ms | "
              "Theirs p50 / p99 ms | CPU µs/req ours / theirs |",
              "|---|---|---|---|---|---|---|---|"]
        for tid, t in cfg["tests"].items():
            so, st = q["summary"]["ours"][tid], q["summary"]["theirs"][tid]
            cpu_o, cpu_t = so.get("cpu_us"), st.get("cpu_us")
            L.append(f"| `{' '.join(t['argv'])}` | {t['n']} | {_cell(so['rps'])} | "
                     f"{_cell(st['rps'])} | {_ratio(so['rps'], st['rps'])} | "
                     f"{_num(_med(so['p50']), '', 3)} / {_num(_med(so['p99']), '', 3)} | "
                     f"{_num(_med(st['p50']), '', 3)} / {_num(_med(st['p99']), '', 3)} | "
                     f"{_num(_med(cpu_o), '', 2) if cpu_o else '–'} / "
                     f"{_num(_med(cpu_t), '', 2) if cpu_t else '–'} |")
        ceiling = q.get("ceiling_summary")
        if ceiling and _med(ceiling):
            L += ["", f"The same client against a plain redis-server (`PING`): "
                      f"{_cell(ceiling)} req/s. That is what redis-benchmark and the kernel "
                      f"reach here at most, so it caps both sentinels' requests/s; the CPU "
                      f"column is the sentinel's own cost per request."]
        L.append("")
    if "scale" in sc:
        s = sc["scale"]
        cfg = s["config"]
        L += ["## 3. Scale", "",
              f"K masters on real redis-servers ({cfg['names_per_server']} names per server "
              f"when K > 1, each server with one replica; servers: "
              f"{', '.join(f'K={k}: {v}+{v}' for k, v in cfg['servers'].items())}). "
              f"Cold = fresh config, settle = first exec → every sentinel lists every master "
              f"with its replica and its peers (deadline {cfg['cold_deadline_s']:.0f} s). "
              f"Warm = config pre-seeded with the discovered state; CPU % of one core over a "
              f"steady window, VmRSS at its end, both per sentinel.", "",
              "| K × S | runs cold/warm | Settle ours | Settle theirs | First PING ours / theirs | "
              "CPU ours | CPU theirs | RSS ours | RSS theirs |",
              "|---|---|---|---|---|---|---|---|---|"]
        for key, case in s["cases"].items():
            so, st = case["summary"]["ours"], case["summary"]["theirs"]
            runs = f"{len(case['cold']['ours'])}/{len(case['warm']['ours'])} " \
                   f"({case['window_s']:.0f} s window)"
            L.append(f"| {case['k']} × {case['s']} | {runs} | {_cell(so['settle'], 'ms')} | "
                     f"{_cell(st['settle'], 'ms')} | {_num(_med(so['first_ping_max']), 'ms')} / "
                     f"{_num(_med(st['first_ping_max']), 'ms')} | {_cell(so['cpu'], '%')} | "
                     f"{_cell(st['cpu'], '%')} | {_cell(so['rss_kb'], 'MB')} | "
                     f"{_cell(st['rss_kb'], 'MB')} |")
        errs = [(key, k, r["error"]) for key, case in s["cases"].items() for ph in ("cold", "warm")
                for k in KINDS for r in case[ph].get(k, []) if r.get("error")]
        if errs:
            L += ["", "Notes: " + "; ".join(f"{key} {k}: {e}" for key, k, e in errs)]
        L.append("")
    if "startup" in sc:
        st = sc["startup"]
        rows = [("first_ping", "exec → first PING answered (median of 3)", "ms"),
                ("replicas_all", "exec → both replicas listed (slowest of 3)", "ms"),
                ("peers_all", "first exec → every sentinel lists both peers", "ms")]
        L += ["## 4. Start-up", "",
              f"Master + 2 replicas running; 3 sentinels with fresh configs exec'd back to back; "
              f"{st['config']['runs']} runs.", ""]
        L += _table(rows, st["summary"], digits_for=lambda u: 1)
        L.append("")
    L += ["## Reproduce", "", "    ./dev.sh bench            # full pass (~30 min)",
          "    ./dev.sh bench --quick    # shorter pass", ""]
    return "\n".join(L)


# --------------------------------------------------------------------------- chart


CHART_EVENTS = [("sdown", "+sdown"), ("odown", "+odown"), ("elected_leader", "+elected-leader"),
                ("abort", "-failover-abort-*"),
                ("promoted_slave", "+promoted-slave"), ("switch_master", "+switch-master"),
                ("all_answer_new", "all 3 answer new master"),
                ("first_write_new", "first client write")]


def pick_timeline_runs(res: dict) -> tuple[str, dict[str, dict]] | None:
    fo = res.get("scenarios", {}).get("failover", {}).get("by_d", {})
    if not fo:
        return None
    d = "1000" if "1000" in fo else next(iter(fo))
    chosen = {}
    for kind in KINDS:
        runs = [r for r in fo[d]["runs"].get(kind, []) if r.get("all_answer_new") is not None]
        if not runs:
            continue
        runs.sort(key=lambda r: r["all_answer_new"])
        chosen[kind] = runs[(len(runs) - 1) // 2]
    return (d, chosen) if chosen else None


def timeline_png(res: dict, path: Path) -> bool:
    picked = pick_timeline_runs(res)
    if not picked:
        return False
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    d, runs = picked
    colors = {"ours": "#1f77b4", "theirs": "#d62728"}
    fig, ax = plt.subplots(figsize=(11, 4.8), dpi=110)
    labels = [lbl for _, lbl in CHART_EVENTS]
    ys = {lbl: i for i, lbl in enumerate(reversed(labels))}
    offset = {"ours": 0.14, "theirs": -0.14}
    xmax = 0.0
    for kind, run in runs.items():
        pts = [(run.get(key), lbl) for key, lbl in CHART_EVENTS if run.get(key) is not None]
        if not pts:
            continue
        xs = [x for x, _ in pts]
        yv = [ys[lbl] + offset[kind] for _, lbl in pts]
        xmax = max(xmax, max(xs))
        ax.plot(xs, yv, "o-", color=colors[kind], alpha=0.85, lw=1,
                label="ours" if kind == "ours" else "theirs (redis-sentinel 7.0.15)")
        for x, y in zip(xs, yv):
            ax.annotate(f"{x:.0f}", (x, y), textcoords="offset points",
                        xytext=(4, 4 if kind == "ours" else -11), fontsize=7, color=colors[kind])
    ax.axvline(int(d), color="grey", ls="--", lw=0.8)
    ax.text(int(d), -0.55, f" down-after {d} ms", fontsize=8, color="grey", va="bottom")
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(list(reversed(labels)))
    ax.set_xlabel("ms since kill -9 of the master")
    ax.set_xlim(0, xmax * 1.08 + 50)
    ax.set_ylim(-0.6, len(labels) - 0.3)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"One failover each (D={d} ms, 3 sentinels, quorum 2): "
                 f"the run with the median kill → all-answer time")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def write_all(res: dict, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    res["targets"] = targets(res)
    png = out_dir / "failover-timeline.png"
    has_png = timeline_png(res, png)
    res["meta"]["timeline_png"] = png.name if has_png else None
    md = out_dir / "report.md"
    md.write_text(markdown(res, png.name if has_png else None))
    js = out_dir / "results.json"
    js.write_text(json.dumps(res, indent=1, default=str))
    return {"markdown": md, "json": js, "png": png if has_png else None}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: report.py results.json", file=sys.stderr)
        return 2
    path = Path(argv[1])
    res = json.loads(path.read_text())
    files = write_all(res, path.parent)
    print(files["markdown"].read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
