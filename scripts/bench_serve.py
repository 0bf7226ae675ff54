#!/usr/bin/env python
"""Page times of the explorer (`kg serve`) on a store, over real HTTP.

Starts `kg serve --store S` on a free port, picks the pages from the store (the dataset and
the entity with the most papers, a method with benchmarks, a paper with claims, search,
suggestions, query pages and their JSON), requests each once to warm it, then --runs times,
and prints the median and the slowest time of each page in ms, the server's own time
(Server-Timing), and the ratio of the median to the baseline: /favicon.ico, a static answer
timed in the same run (the HTTP round trip and the server's fixed cost).
Targets (issue 13): < 300 ms a page on the seed store, < 1 s on a 100k-paper store.

Example:
    .venv/bin/python scripts/bench_serve.py --store /tmp/seed --runs 10 --entity dataset:gsm8k
    nice -n 10 .venv/bin/python scripts/bench_serve.py --store /tmp/clean100k --json
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pages(store_path: Path, extra: list[str]) -> dict[str, str]:
    from kg.store import open_store

    with open_store(store_path) as store:
        conn = store.conn
        hub = conn.execute(
            "SELECT entity_id, count(*) n FROM mentions GROUP BY entity_id ORDER BY n DESC LIMIT 1"
        ).fetchone()[0]
        dataset = conn.execute(
            "SELECT target, count(*) n FROM edges WHERE type = 'EVALUATES_ON' GROUP BY target ORDER BY n DESC LIMIT 1"
        ).fetchone()[0]
        method = conn.execute(
            "SELECT source, count(*) n FROM edges WHERE type = 'EVALUATED_ON' GROUP BY source ORDER BY n DESC LIMIT 1"
        ).fetchone()[0]
        paper = conn.execute("SELECT paper_id FROM claims ORDER BY paper_id DESC LIMIT 1").fetchone()[0]
        name = store.entity(dataset).name
    q = quote(name)
    named = {f"entity {ident}": f"/entity/{quote(ident, safe=':')}" for ident in extra}
    return {
        **named,
        "home": "/",
        "search": f"/search?q={q}",
        "suggest": f"/api/suggest?q={quote(name[:2])}",
        "entity (top dataset)": f"/entity/{dataset}",
        "entity (hub)": f"/entity/{hub}",
        "entity (top method)": f"/entity/{method}",
        "paper (with claims)": f"/paper/{quote(paper)}",
        "query papers-using": f"/query/papers-using?dataset={q}",
        "query leaderboard": f"/query/leaderboard?dataset={q}",
        "query neighbors": f"/query/neighbors?entity={quote(hub)}",
        "json papers-using": f"/api/query/papers-using?dataset={q}",
        "baseline /favicon.ico": "/favicon.ico",
    }


def fetch(url: str) -> tuple[float, float]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
        timing = r.headers.get("server-timing", "app;dur=0").split("dur=")[-1]
    return (time.perf_counter() - started) * 1000, float(timing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--entity", action="append", default=[], help="also time this entity's page (an id)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    targets = pages(args.store, args.entity)
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(args.store), "--port", str(port)],
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                fetch(base + "/favicon.ico")
                break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit("bench_serve: kg serve exited") from None
                time.sleep(0.2)
        startup = time.perf_counter() - started
        results = {}
        for label, path in targets.items():
            fetch(base + path)
            times = [fetch(base + path) for _ in range(args.runs)]
            results[label] = {
                "path": path,
                "median_ms": round(statistics.median(t for t, _ in times), 1),
                "max_ms": round(max(t for t, _ in times), 1),
                "server_ms": round(statistics.median(s for _, s in times), 1),
            }
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    baseline = results["baseline /favicon.ico"]["median_ms"] or 0.1
    for row in results.values():
        row["x_baseline"] = round(row["median_ms"] / baseline, 1)
    if args.json:
        print(json.dumps({"store": str(args.store), "startup_s": round(startup, 2), "runs": args.runs,
                          "pages": results}, indent=1))
        return
    print(f"store {args.store}: server ready in {startup:.2f} s; {args.runs} runs a page after one warm-up")
    width = max(len(label) for label in results)
    print(f"{'page':{width}} {'median ms':>10} {'max ms':>8} {'server ms':>10} {'x baseline':>10}  path")
    for label, row in results.items():
        print(f"{label:{width}} {row['median_ms']:>10} {row['max_ms']:>8} {row['server_ms']:>10} "
              f"{row['x_baseline']:>10}  {row['path']}")


if __name__ == "__main__":
    main()
