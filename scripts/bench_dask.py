#!/usr/bin/env python
"""Past one machine: the Dask engine against the local one, the bulk import against Bolt, a million abstracts.

Three benchmarks (issue 9), each step a separate whole process measured from
outside (wall time, CPU time of the process and its children, peak RSS of the
largest process, peak summed PSS of the process tree: ``bench_scale.run_measured``):

``extract`` (default): on ``--n`` (20000) generated abstracts (scripts/gen_corpus.py),
    ``kg build --workers 2`` (local engine) and ``kg build --engine dask --workers 2``
    (a 2-process LocalCluster started by the command, its start-up included),
    alternated ``--runs`` times, the fastest of each kept; prints papers/s and the
    ratio dask/local (target >= 0.8) and checks that the two stores hold the same rows.

``load --store S``: a private Neo4j (scripts/neo4j-local, its own home and port) gets
    ``kg load --store S`` (Bolt, into the empty database) then ``kg load --bulk --store S``
    (CSV, import with the server stopped, restart, schema, indexes); prints both times
    and the ratio Bolt/bulk (target >= 5), and checks that every named query answers
    the same from both.

``million --n 1000000``: the steps of the million run by hand, one after the other,
    logging a JSON line per step and, during each build, a progress line every
    ``--every`` papers (papers, seconds, papers/s, RSS of the build process and of its
    largest child, store folder size) to ``--log``, so a run stopped by a deadline
    still says what it reached: generate the corpus, build with the local engine
    (2 workers), build with ``--engine dask`` (2-worker LocalCluster), bulk load,
    Bolt load. Meant to run in the background under ``nice``.

Run them under ``nice -n 10`` on a shared machine; the ratios compare runs made
in the same process, alternated.

Example:
    nice -n 10 python scripts/bench_dask.py extract --n 20000 --runs 2
    nice -n 10 python scripts/bench_dask.py load --store /tmp/clean100k
    nohup nice -n 15 python scripts/bench_dask.py million --n 1000000 --log /tmp/kg-1m.jsonl &
    nohup nice -n 10 python scripts/bench_dask.py million --engines local --loads bulk --log /tmp/kg-1m.jsonl &
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import bench_scale
import gen_corpus

PYTHON = sys.executable
KG = str(Path(PYTHON).with_name("kg"))
NEO4J_LOCAL = str(HERE / "neo4j-local")
TABLES = ("papers", "entities", "mentions", "entity_forms", "edges", "claims")


def _log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def corpus_of(n: int, work: Path, seed: int = 7) -> Path:
    path = work / f"corpus-{n}.jsonl"
    if not path.exists():
        _log(f"generating {n} papers into {path}")
        gen_corpus.write_corpus(path, n, seed=seed)
    return path


def store_digest(store: Path) -> str:
    """A digest of every row that says what the store means (papers.run, the writing run, left out)."""
    import hashlib

    digest = hashlib.sha256()
    conn = sqlite3.connect(f"file:{store / 'kg.sqlite'}?mode=ro", uri=True)
    try:
        for table in TABLES:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "run"]
            quoted = ", ".join(f'"{c}"' for c in cols)
            for row in conn.execute(f"SELECT {quoted} FROM {table} ORDER BY {quoted}"):
                digest.update(repr(row).encode())
    finally:
        conn.close()
    return digest.hexdigest()[:16]


def _measure(cmd: list[str], env: dict[str, str] | None = None) -> bench_scale.Measure:
    if env is None:
        return bench_scale.run_measured(cmd)
    old = dict(os.environ)
    os.environ.update(env)
    try:
        return bench_scale.run_measured(cmd)
    finally:
        os.environ.clear()
        os.environ.update(old)


def _row(m: bench_scale.Measure, n: int | None = None) -> dict[str, Any]:
    out = {"wall_s": round(m.wall, 1), "cpu_s": round(m.cpu, 1), "max_rss_mb": round(m.max_rss_mb),
           "tree_pss_mb": round(m.tree_pss_mb)}
    if n:
        out["papers_per_s"] = round(n / m.wall, 1)
        out["cpu_ms_per_paper"] = round(1000 * m.cpu / n, 2)
    return out


# ------------------------------------------------------------------ extract: dask vs local


def bench_extract(args: argparse.Namespace) -> dict[str, Any]:
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    corpus = corpus_of(args.n, work)
    stores = {"local": work / "store-local", "dask": work / "store-dask"}
    cmds = {
        "local": [KG, "build", str(corpus), "--store", str(stores["local"]), "--workers", str(args.workers),
                  "--replace", "--json"],
        "dask": [KG, "build", str(corpus), "--store", str(stores["dask"]), "--workers", str(args.workers),
                 "--engine", "dask", "--replace", "--json"],
    }
    best: dict[str, bench_scale.Measure] = {}
    runs: dict[str, list[float]] = {"local": [], "dask": []}
    for i in range(args.runs):
        for engine in ("local", "dask") if i % 2 == 0 else ("dask", "local"):
            _log(f"run {i + 1}/{args.runs}: {engine} build of {args.n} papers")
            m = _measure(cmds[engine])
            runs[engine].append(round(m.wall, 1))
            _log(f"  {engine}: {m.wall:.1f} s wall, {m.cpu:.1f} s CPU, {args.n / m.wall:.1f} papers/s")
            if engine not in best or m.wall < best[engine].wall:
                best[engine] = m
    digests = {engine: store_digest(path) for engine, path in stores.items()}
    ratio = best["local"].wall / best["dask"].wall
    return {
        "benchmark": "extract", "papers": args.n, "workers": args.workers, "runs": runs,
        "local": _row(best["local"], args.n), "dask": _row(best["dask"], args.n),
        "ratio_dask_over_local": round(ratio, 3), "target": ">= 0.8", "passes": ratio >= 0.8,
        "stores_identical": digests["local"] == digests["dask"], "digests": digests,
    }


# ------------------------------------------------------------------ load: bulk vs Bolt


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateNeo4j:
    """A scripts/neo4j-local server of its own (home, port, password) for the run."""

    def __init__(self, work: Path, heap: str, pagecache: str) -> None:
        self.home = work / "neo4j-home"
        self.port = _free_port()
        self.password = "kg-" + secrets.token_urlsafe(12)
        self.env = {"KG_NEO4J_HOME": str(self.home), "KG_NEO4J_PORT": str(self.port),
                    "NEO4J_PASSWORD": self.password, "NEO4J_URI": f"bolt://127.0.0.1:{self.port}",
                    "NEO4J_USERNAME": "neo4j", "NEO4J_DATABASE": "neo4j", "KG_NEO4J_HEAP": heap,
                    "KG_NEO4J_PAGECACHE": pagecache}

    def run(self, verb: str) -> None:
        done = subprocess.run([NEO4J_LOCAL, verb], env={**os.environ, **self.env}, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"neo4j-local {verb} failed: {done.stderr[-2000:]}")

    def __enter__(self) -> PrivateNeo4j:
        shutil.rmtree(self.home, ignore_errors=True)
        _log(f"starting a private Neo4j on port {self.port} (home {self.home})")
        self.run("start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.run("stop")


def _query_cases(store: Path) -> list[tuple[str, dict[str, str]]]:
    """One case per named query, arguments from the store (its most connected entities)."""
    from kg.query import QUERIES

    conn = sqlite3.connect(f"file:{store / 'kg.sqlite'}?mode=ro", uri=True)
    try:
        top: dict[str, list[str]] = {}
        for label in ("Dataset", "Method", "Model", "Metric", "Task"):
            # the most frequent targets among the first 5000 edges to the label: a few pages read, not
            # a scan of every edge (a GROUP BY over the 100k store's edges read 24 GB on a busy machine)
            seen = Counter(r[0] for r in conn.execute(
                "SELECT target FROM edges WHERE target_label = ? LIMIT 5000", (label,)))
            ids = [t for t, _ in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[:2]]
            top[label] = [conn.execute("SELECT name FROM entities WHERE id = ?", (i,)).fetchone()[0] for i in ids]
    finally:
        conn.close()
    cases = []
    for name, spec in QUERIES.items():
        required = [p for p in spec.params if p.required]
        values = []
        for i, p in enumerate(required):
            pool = [n for label in p.labels for n in top.get(str(getattr(label, "value", label)), [])]
            values.append(pool[min(i, len(pool) - 1)] if pool else "GSM8K")
        cases.append((name, {p.name: v for p, v in zip(required, values, strict=True)}))
    return cases


def _answers(env: dict[str, str], cases: list[tuple[str, dict[str, str]]]) -> tuple[list[Any], list[float]]:
    from kg.errors import QueryError
    from kg.query import Neo4jBackend, run_query
    from kg.store.neo4j import Neo4jSettings, connect

    settings = Neo4jSettings.from_env(env)
    out, times = [], []
    with connect(settings) as driver:
        backend = Neo4jBackend(driver, settings.database)
        for name, args in cases:
            t = time.perf_counter()
            try:
                out.append(("rows", run_query(name, args, backend)))
            except QueryError as e:
                out.append(("error", str(e)))
            times.append(round(1000 * (time.perf_counter() - t), 1))
    return out, times


def bench_load(args: argparse.Namespace) -> dict[str, Any]:
    store = args.store
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    cases = _query_cases(store)
    with PrivateNeo4j(work, args.heap, args.pagecache) as neo:
        _log(f"Bolt load of {store}")
        bolt = _measure([KG, "load", "--store", str(store), "--json"], neo.env)
        _log(f"  Bolt: {bolt.wall:.1f} s")
        bolt_answers, bolt_ms = _answers(neo.env, cases)
        _log(f"bulk load of {store}")
        bulk = _measure([KG, "load", "--bulk", "--store", str(store), "--json"], neo.env)
        _log(f"  bulk: {bulk.wall:.1f} s")
        bulk_answers, bulk_ms = _answers(neo.env, cases)
    steps = json.loads(bulk.stdout)
    same = [name for (name, _), a, b in zip(cases, bolt_answers, bulk_answers, strict=True) if a == b]
    ratio = bolt.wall / bulk.wall
    return {
        "benchmark": "load", "store": str(store), "store_mb": round(bench_scale.dir_mb(store)),
        "bolt": _row(bolt), "bulk": _row(bulk),
        "bulk_steps_s": {k: round(steps[k], 1) for k in ("csv_seconds", "import_seconds", "schema_seconds")},
        "nodes": steps["nodes"], "relationships": steps["relationships"],
        "ratio_bolt_over_bulk": round(ratio, 2), "target": ">= 5", "passes": ratio >= 5,
        "queries_same": f"{len(same)}/{len(cases)}",
        "query_ms_bolt": dict(zip([c[0] for c in cases], bolt_ms, strict=True)),
        "query_ms_bulk": dict(zip([c[0] for c in cases], bulk_ms, strict=True)),
    }


# ------------------------------------------------------------------ the million, step by step


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        kids = bench_scale._children(todo.pop())
        out.extend(kids)
        todo.extend(kids)
    return out


def _child_build(argv: list[str]) -> int:
    """One logged build: ``_build CORPUS STORE ENGINE WORKERS EVERY LOG``."""
    import kg

    corpus, store, engine, workers, every, log = argv
    started = time.perf_counter()
    me = os.getpid()
    every_n = int(every)

    def progress(done: int) -> None:
        if done % every_n:
            return
        kids = [_rss_mb(p) for p in _descendants(me)]
        line = {"step": f"build-{engine}", "papers": done, "seconds": round(time.perf_counter() - started, 1),
                "papers_per_s": round(done / (time.perf_counter() - started), 1),
                "rss_mb": round(_rss_mb(me)), "max_child_rss_mb": round(max(kids, default=0)),
                "store_mb": round(bench_scale.dir_mb(Path(store)))}
        with open(log, "a") as fh:
            fh.write(json.dumps(line) + "\n")

    report = kg.build([corpus], store=store, workers=int(workers), engine=engine, replace=True, progress=progress)
    print(json.dumps({"added": report.added, "nodes": report.nodes, "edges": report.edges}))
    return 0


def bench_million(args: argparse.Namespace) -> dict[str, Any]:
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    log = args.log

    def write(line: dict[str, Any]) -> None:
        line["at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        with open(log, "a") as fh:
            fh.write(json.dumps(line) + "\n")
        _log(json.dumps(line))

    t = time.perf_counter()
    corpus = corpus_of(args.n, work)
    write({"step": "corpus", "papers": args.n, "seconds": round(time.perf_counter() - t, 1),
           "mb": round(corpus.stat().st_size / 2**20)})
    results: dict[str, Any] = {"benchmark": "million", "papers": args.n}
    engines = [e for e in args.engines.split(",") if e]
    for engine in engines:
        store = work / f"store-{engine}"
        m = _measure([PYTHON, str(Path(__file__).resolve()), "_build", str(corpus), str(store), engine,
                      str(args.workers), str(args.every), str(log)])
        results[f"build_{engine}"] = {**_row(m, args.n), "store_mb": round(bench_scale.dir_mb(store))}
        write({"step": f"build-{engine}-done", **results[f"build_{engine}"]})
    store = work / f"store-{engines[0]}"
    loads = [x for x in args.loads.split(",") if x]
    if "bulk" in loads:
        with PrivateNeo4j(work, args.heap, args.pagecache) as neo:
            m = _measure([KG, "load", "--bulk", "--store", str(store), "--json"], neo.env)
            results["bulk_load"] = {**_row(m), **json.loads(m.stdout)}
            write({"step": "bulk-load-done", **results["bulk_load"]})
            _, ms = _answers(neo.env, _query_cases(store))
            results["query_ms_bulk"] = ms
            write({"step": "queries-bulk", "ms": ms})
    if "bolt" in loads:
        with PrivateNeo4j(work / "bolt", args.heap, args.pagecache) as neo:
            m = _measure([KG, "load", "--store", str(store), "--json"], neo.env)
            results["bolt_load"] = _row(m)
            write({"step": "bolt-load-done", **results["bolt_load"]})
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_build":
        return _child_build(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("Example:")[1].join(["Example:", ""]))
    parser.add_argument("benchmark", nargs="?", choices=("extract", "load", "million"), default="extract")
    parser.add_argument("--n", type=int, default=20000, help="generated papers (extract, million)")
    parser.add_argument("--workers", type=int, default=2, help="local workers and LocalCluster processes (default 2)")
    parser.add_argument("--runs", type=int, default=2, help="extract: alternated runs of each engine (default 2)")
    parser.add_argument("--store", type=Path, help="load: the store to load both ways")
    parser.add_argument("--heap", default="2g", help="Neo4j heap of the private server (default 2g)")
    parser.add_argument("--pagecache", default="1g", help="Neo4j page cache of the private server (default 1g)")
    parser.add_argument("--every", type=int, default=10000, help="million: progress line every N papers")
    parser.add_argument("--engines", default="local,dask",
                        help="million: the builds to run, in order (default local,dask); the first one's store is loaded")
    parser.add_argument("--loads", default="bulk,bolt", help="million: the loads to run (default bulk,bolt)")
    parser.add_argument("--log", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench-million.jsonl")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench-dask")
    parser.add_argument("--json-out", type=Path, default=None, help="also write the result as JSON")
    args = parser.parse_args(argv)
    if args.benchmark == "load" and args.store is None:
        parser.error("load needs --store S")
    if args.benchmark == "million" and (not set(args.engines.split(",")) <= {"local", "dask"} or not args.engines
                                        or not set(x for x in args.loads.split(",") if x) <= {"bulk", "bolt"}):
        parser.error("--engines takes local and/or dask, --loads bulk and/or bolt (comma-separated)")
    if args.benchmark == "million" and "--n" not in argv:
        args.n = 1_000_000
    run = {"extract": bench_extract, "load": bench_load, "million": bench_million}[args.benchmark]
    result = {"machine": bench_scale.machine(), "commit": bench_scale._commit(), **run(args)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
