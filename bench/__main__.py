"""Every benchmark in one command, each beside its baseline measured in the same run.

    python -m bench            # a few minutes: moderate sizes
    python -m bench --long     # the sizes the issues name, and the crash runs (much longer)
    python -m bench --only conversation,startup

Each benchmark runs as its own process (``python -m bench.<name>``); its last line (one JSON
object) is collected. Printed: one JSON line per benchmark (``{"bench": name, ...}``), a table,
and, last, one JSON object with everything.

| benchmark    | figure                          | baseline (same run)                   |
|--------------|---------------------------------|---------------------------------------|
| conversation | updates/s, members filling 01   | a bare echo bot on the same harness   |
| zalo         | the same members on Zalo        | a bare echo bot on our Zalo poller    |
| zalo_webhook | the same, Zalo's webhook        | a bare echo bot on our Zalo webhook   |
| outbox       | messages/s of a wave            | the configured pace                   |
| sweep        | seconds to queue a reminder wave| one read of everyone's standing       |
| yearend_cell | a commune's year-end summary    | the SQL statements it sends           |
| startup      | spawn to first reply; idle RSS  | the echo bot                          |
| crash        | lost / misplaced / missing      | zero (what the suite requires)        |
| replicas     | upd/s with 1, 2, 3 replicas on  | one replica; the failover time after a|
|              | PostgreSQL (webhook), SIGKILLs  | SIGKILL (needs TEST_DATABASE_URL)     |
| pollers      | the same by long polling, 1 and | one replica; the poller SIGKILLed:    |
|              | 2 replicas (one elected poller) | takeover and failover times           |
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PLANS: dict[str, dict[str, list[str]]] = {
    "normal": {
        "conversation": ["--members", "300"],
        "zalo": ["--members", "300", "--channel", "zalo", "--polls", "32"],
        "zalo_webhook": ["--members", "300", "--channel", "zalo", "--zalo-receive", "webhook"],
        "outbox": ["--messages", "2000"],
        "sweep": ["--people", "20000", "--units", "1000"],
        "yearend_cell": ["--people", "2000", "--cells", "40"],
        "startup": ["--runs", "3"],
        "replicas": ["--members", "50"],
        "pollers": ["--members", "50", "--replicas", "1,2", "--polling"],
    },
    "long": {
        "conversation": ["--members", "2000"],
        "zalo": ["--members", "2000", "--channel", "zalo", "--polls", "32"],
        "zalo_webhook": ["--members", "2000", "--channel", "zalo", "--zalo-receive", "webhook"],
        "outbox": ["--messages", "10000"],
        "sweep": ["--people", "100000", "--units", "5000"],
        "yearend_cell": ["--people", "2000", "--cells", "40"],
        "startup": ["--runs", "5"],
        "crash": ["--members", "500", "--recipients", "5000", "--kills", "5"],
        "replicas": ["--members", "200", "--kills", "2"],
        "pollers": ["--members", "200", "--replicas", "1,2", "--kills", "2", "--polling"],
    },
}


# benchmarks that are another one with other options
MODULES = {"pollers": "replicas", "zalo": "conversation", "zalo_webhook": "conversation"}


def run(name: str, args: list[str]) -> dict[str, Any]:
    """Run one benchmark; its figures, or the reason it failed."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{MODULES.get(name, name)}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    try:
        figures: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        figures = {}
    if done.returncode != 0 or not figures:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        figures = {"error": " | ".join(tail) or f"exit status {done.returncode}"}
    figures["wall_s"] = round(time.monotonic() - started, 1)
    return figures


def row(name: str, f: dict[str, Any]) -> tuple[str, str, str, str]:
    """(benchmark, figure, baseline, ratio) for the table."""
    if "error" in f:
        return name, "FAILED", f["error"][:60], "-"
    if name in ("conversation", "zalo", "zalo_webhook"):
        return (
            name,
            f"{f['updates_per_s']} upd/s, p99 {f['p99_ms']} ms, lost {f['lost']}",
            f"echo {f['echo_updates_per_s']} upd/s",
            f"{f['ratio']}",
        )
    if name == "outbox":
        return (
            name,
            f"{f['sent_per_s']} msg/s, lost {f['lost']}, dup {f['duplicates']}",
            f"pace {f['pace']}/s",
            f"{f['ratio_to_pace']}",
        )
    if name == "sweep":
        return (
            name,
            f"{f['reminders']} reminders in {f['enqueue_s']} s",
            f"read all {f['read_all_s']} s",
            f"{f['enqueue_ratio_to_read']}",
        )
    if name == "yearend_cell":
        return (
            name,
            f"{f['lines']} members summed up in {f['cell_summary_s']} s",
            f"{f['statements']} SQL statements",
            "-",
        )
    if name == "startup":
        return (
            name,
            f"first reply {f['bot_first_reply_s']} s, idle {f['bot_idle_rss_mb']} MB",
            f"echo {f['echo_first_reply_s']} s, {f['echo_idle_rss_mb']} MB",
            f"{f['first_reply_ratio']} / {f['idle_rss_ratio']}",
        )
    if name == "crash":
        c, b = f.get("conversation", {}), f.get("broadcast", {})
        return (
            name,
            f"lost {c.get('lost')}, misplaced {c.get('misplaced')}, "
            f"missing {b.get('missing')}, dup {b.get('duplicates')}/{b.get('in_flight_at_kills')}",
            "0",
            "-",
        )
    if name in ("replicas", "pollers"):
        if "skipped" in f:
            return name, "skipped", f["skipped"][:60], "-"
        runs = {r["replicas"]: r for r in f["runs"]}
        one = runs.get(1, {}).get("updates_per_s")
        most = runs[max(runs)]
        failover = max((r["recovery_s"] or 0.0) for r in runs.values())
        takeover = max((r.get("takeover_s") or 0.0) for r in runs.values())
        wrong = sum(r["lost"] + r["misplaced"] + r["unfinished"] for r in runs.values())
        return (
            name,
            " / ".join(f"{n}: {r['updates_per_s']} upd/s" for n, r in sorted(runs.items()))
            + f", failover {failover} s"
            + (f", takeover {takeover} s" if name == "pollers" else "")
            + f", wrong {wrong}",
            f"1 replica {one} upd/s",
            f"{round(most['updates_per_s'] / one, 2) if one else '-'}",
        )
    return name, json.dumps(f)[:60], "-", "-"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[1:]),
    )
    parser.add_argument("--long", action="store_true", help="the full sizes and the crash runs")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    options = parser.parse_args()
    plan = PLANS["long" if options.long else "normal"]
    chosen = [n for n in options.only.split(",") if n] or list(plan)
    unknown = sorted(set(chosen) - set(PLANS["long"]))
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(unknown)}")
    results: dict[str, dict[str, Any]] = {}
    for name in chosen:
        args = plan.get(name, PLANS["long"][name])
        print(f"… {name} {' '.join(args)}", file=sys.stderr, flush=True)
        results[name] = run(name, args)
        print(json.dumps({"bench": name, **results[name]}), flush=True)
    table = [("benchmark", "figure", "baseline", "ratio"), *(row(n, f) for n, f in results.items())]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
