#!/usr/bin/env python
"""Scale benchmark of the store: build, add, query and export at 1k, 10k and 100k papers.

On a generated corpus of distinct abstracts (``scripts/gen_corpus.py``; the
first n papers of the largest size are the n-paper corpus), for each size it
runs, each as a separate whole process measured from outside:

- ``kg build corpus.jsonl --store S --workers W``: wall time, CPU time (user +
  system of the process and its workers) per abstract, peak memory, store size
  on disk;
- extraction only with the same workers, reading the same file
  (``kg.io.iter_papers`` into ``kg.nlp.extract_papers``, nothing written), and
  the ratio of the two throughputs (``--build-runs K`` alternates the two K
  times and keeps the fastest of each, for shared machines);
- every named query, ``kg query NAME ARGS --store S --json`` (median of
  ``--repeat`` runs), with arguments taken from the smallest store (its most
  connected dataset and method, ...), so every store holds them;
- ``kg export --format F -o OUT --store S`` for each export format;

and then ``kg add`` of 100 new papers into the largest store against ``kg build``
of the same 100 papers into an empty store. It prints the machine, markdown
tables and whether each target of issue 8 ("Done means") passes.

Memory is measured two ways: the kernel's peak RSS of the largest single
process (``ru_maxrss`` from ``wait4``, what ``/usr/bin/time -v`` reports), and
the peak of the summed PSS of the whole process tree (workers share pages with
their parent; PSS counts them once), sampled from ``/proc`` every 0.1 s, after
the first 10 s every 0.5 s. The targets use the larger of the two.

Example:
    python scripts/bench_scale.py                         # 1k, 10k, 100k, 2 workers
    python scripts/bench_scale.py --sizes 1000,10000 --build-runs 3 --json-out bench.json
    python scripts/bench_scale.py --n 1000000             # by hand: 1M (plus the default smaller sizes)
    python scripts/bench_scale.py --via api               # library calls instead of the kg command
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_corpus  # noqa: E402

PYTHON = sys.executable
KG = str(Path(PYTHON).with_name("kg"))
DEFAULT_SIZES = (1000, 10000, 100000)
ADD_PAPERS = 100
# Memory samples: every 0.1 s for the first 10 s of a process, then every 0.5 s (reading
# smaps_rollup of big processes costs CPU that the measured process would otherwise get).
SAMPLE_EVERY = (0.1, 10.0, 0.5)
EXPORTS = ("graphml", "json", "csv")
QUERY_NAMES = ("papers-using", "benchmarks-of", "methods-on", "neighbors", "path", "claims", "leaderboard")


# ------------------------------------------------------------------ measuring a process


@dataclass
class Measure:
    """One whole process: times in seconds, memory in MB."""

    wall: float
    cpu: float
    max_rss_mb: float
    tree_pss_mb: float
    returncode: int
    stdout: str = field(default="", repr=False)
    stderr: str = field(default="", repr=False)

    @property
    def peak_mb(self) -> float:
        """The larger of the two lower bounds of the true peak: largest process RSS, sampled tree PSS."""
        return max(self.max_rss_mb, self.tree_pss_mb)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_pss_kb(root: int) -> int:
    """Summed PSS of ``root`` and all its descendants, in kB."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kb(pid)
        todo.extend(_children(pid))
    return total


def _interval(elapsed: float) -> float:
    fast, until, slow = SAMPLE_EVERY
    return fast if elapsed < until else slow


def run_measured(cmd: Sequence[str], *, sample: bool = True, check: bool = True) -> Measure:
    """Run ``cmd`` to the end; its wall time, CPU time and memory, from ``wait4`` and ``/proc``.

    Raises:
        RuntimeError: ``check`` and the command failed (its stderr is in the message).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err)
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if sample:
                peak = max(peak, tree_pss_kb(proc.pid))
            time.sleep(_interval(time.perf_counter() - start) if sample else 0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        m = Measure(wall=wall, cpu=usage.ru_utime + usage.ru_stime, max_rss_mb=usage.ru_maxrss / 1024,
                    tree_pss_mb=peak / 1024, returncode=proc.returncode,
                    stdout=out.read().decode("utf-8", "replace"), stderr=err.read().decode("utf-8", "replace"))
    if check and m.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {m.returncode}:\n{m.stderr[-2000:]}")
    return m


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


# ------------------------------------------------------------------ commands (CLI or library)


class Commands:
    """The command line of each step, through the ``kg`` command or through the library (``--via api``)."""

    def __init__(self, via: str, workers: int) -> None:
        self.via = via
        self.workers = str(workers)

    def _child(self, *args: str) -> list[str]:
        return [PYTHON, str(Path(__file__).resolve()), "_child", *args]

    def build(self, corpus: Path, store: Path) -> list[str]:
        if self.via == "api":
            return self._child("build", str(corpus), str(store), self.workers)
        return [KG, "build", str(corpus), "--store", str(store), "--workers", self.workers, "--replace"]

    def add(self, corpus: Path, store: Path) -> list[str]:
        if self.via == "api":
            return self._child("add", str(corpus), str(store), self.workers)
        return [KG, "add", str(corpus), "--store", str(store), "--workers", self.workers]

    def extract_only(self, corpus: Path) -> list[str]:
        return self._child("extract", str(corpus), self.workers)

    def query(self, name: str, args: Sequence[str], store: Path) -> list[str]:
        if self.via == "api":
            return self._child("query", str(store), name, *args)
        return [KG, "query", name, *args, "--store", str(store), "--json"]

    def export(self, fmt: str, store: Path, output: Path) -> list[str]:
        if self.via == "api":
            return self._child("export", str(store), fmt, str(output))
        return [KG, "export", "--format", fmt, "-o", str(output), "--store", str(store)]


def _child_main(argv: list[str]) -> int:
    """The library side of ``--via api`` and the extraction-only run, one step per process."""
    step, *rest = argv
    if step == "extract":
        from kg.io import iter_papers
        from kg.nlp import extract_papers

        corpus, workers = rest
        n = sum(1 for _ in extract_papers(iter_papers([corpus]), n_process=int(workers)))
        print(json.dumps({"extracted": n}))
        return 0
    import kg

    if step in ("build", "add"):
        corpus, store, workers = rest
        call = kg.build if step == "build" else kg.add
        kwargs = {"replace": True} if step == "build" else {}
        report = call([corpus], store=store, workers=int(workers), **kwargs)
        print(json.dumps({"added": report.added, "updated": report.updated, "nodes": report.nodes}))
    elif step == "query":
        from kg.query import get_query, run_query

        store, name, *values = rest
        spec = get_query(name)
        args = {p.name: v for p, v in zip(spec.positional, values, strict=False)}
        with kg.open_store(store) as st:
            print(json.dumps(run_query(name, args, st), ensure_ascii=False, default=str))
    elif step == "export":
        from kg.graph import export_csv, export_graphml, export_node_link

        store, fmt, output = rest
        writer = {"graphml": export_graphml, "json": export_node_link, "csv": export_csv}[fmt]
        with kg.open_store(store) as st:
            writer(st, output)
    return 0


# ------------------------------------------------------------------ query arguments


_PICKS = {
    "top_dataset": "SELECT name FROM entities WHERE type = 'Dataset' ORDER BY papers DESC, id LIMIT 1",
    "rare_dataset": "SELECT name FROM entities WHERE type = 'Dataset' AND papers > 0 ORDER BY papers, id LIMIT 1",
    "top_subject": (
        "SELECT e.name FROM edges g JOIN entities e ON e.id = g.source WHERE g.type = 'EVALUATED_ON' "
        "GROUP BY g.source ORDER BY count(DISTINCT g.target) DESC, g.source LIMIT 1"
    ),
    "claimed_subject": (
        "SELECT e.name FROM edges g JOIN entities e ON e.id = g.target WHERE g.type = 'ABOUT' "
        "GROUP BY g.target ORDER BY count(*) DESC, g.target LIMIT 1"
    ),
    "claimed_dataset": (
        "SELECT e.name FROM edges g JOIN entities e ON e.id = g.target WHERE g.type = 'ON' "
        "GROUP BY g.target ORDER BY count(*) DESC, g.target LIMIT 1"
    ),
}
_FALLBACK = {"top_dataset": "GSM8K", "rare_dataset": "MATH-500", "top_subject": "GRPO",
             "claimed_subject": "GRPO", "claimed_dataset": "GSM8K"}


def pick_arguments(store: Path) -> dict[str, list[str]]:
    """Arguments of each named query, from the store's tables (the most connected dataset, ...)."""
    picks = dict(_FALLBACK)
    try:
        conn = sqlite3.connect(f"{(store / 'kg.sqlite').resolve().as_uri()}?mode=ro", uri=True)
        for key, sql in _PICKS.items():
            row = conn.execute(sql).fetchone()
            if row:
                picks[key] = row[0]
        conn.close()
    except sqlite3.Error as e:
        print(f"note: query arguments from defaults ({e})", file=sys.stderr)
    return {
        "papers-using": ["GSM8K"],
        "benchmarks-of": [picks["top_subject"]],
        "methods-on": [picks["top_dataset"]],
        "neighbors": [picks["top_dataset"]],
        "path": [picks["top_subject"], picks["rare_dataset"]],
        "claims": [picks["claimed_subject"]],
        "leaderboard": [picks["claimed_dataset"]],
    }


# ------------------------------------------------------------------ the runs


def _commit() -> str:
    """The repository's commit, with ``+changes`` when files differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "kg"], cwd=HERE,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+changes" if dirty else head


def machine() -> dict[str, Any]:
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "kg_commit": _commit(),
        "cpus": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)), "cpu_model": model,
        "memory_gb": round(mem_kb / 2**20, 1), "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _query_rows(stdout: str) -> int | None:
    try:
        return len(json.loads(stdout))
    except ValueError:
        return None


def bench_size(n: int, corpus: Path, work: Path, cmds: Commands, queries: dict[str, list[str]] | None,
               repeat: int, exports: Sequence[str], runs: int = 1) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Build, extract-only, queries and exports at one size; the results and the query arguments used."""
    store = work / f"store-{n}"
    build, extract = _build_and_extract(n, corpus, store, cmds, runs)
    result: dict[str, Any] = {
        "papers": n,
        "build": _summary(build, n),
        "extract_only": _summary(extract, n),
        "store_mb": round(dir_mb(store), 1),
    }
    result["build_vs_extract"] = round(extract.wall / build.wall, 3)
    result["build_vs_extract_cpu"] = round(extract.cpu / build.cpu, 3)
    queries = queries or pick_arguments(store)
    result["queries"] = {}
    for name in QUERY_NAMES:
        runs = [run_measured(cmds.query(name, queries[name], store), sample=False, check=False) for _ in range(repeat)]
        ok = [r for r in runs if r.returncode == 0]
        entry: dict[str, Any] = {"args": queries[name]}
        if ok:
            entry.update(seconds=round(statistics.median(r.wall for r in ok), 3),
                         max_rss_mb=round(max(r.max_rss_mb for r in ok), 1), rows=_query_rows(ok[0].stdout))
        else:
            entry["error"] = (runs[0].stderr.strip().splitlines() or ["failed"])[-1][:200]
        result["queries"][name] = entry
        _log(f"{n}: query {name} {entry.get('seconds', entry.get('error'))}")
    result["exports"] = {}
    for fmt in exports:
        out = work / f"export-{n}.{fmt}" if fmt != "csv" else work / f"export-{n}-csv"
        m = run_measured(cmds.export(fmt, store, out), check=False)
        size = dir_mb(out) if out.is_dir() else (out.stat().st_size / 2**20 if out.exists() else 0.0)
        result["exports"][fmt] = {**_summary(m, None), "output_mb": round(size, 1)} if m.returncode == 0 else {
            "error": (m.stderr.strip().splitlines() or ["failed"])[-1][:200]}
        shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
        _log(f"{n}: export {fmt} {m.wall:.1f} s, peak {m.peak_mb:.0f} MB")
    return result, queries


def _build_and_extract(n: int, corpus: Path, store: Path, cmds: Commands, runs: int) -> tuple[Measure, Measure]:
    """``kg build`` and extraction only, alternated ``runs`` times; the fastest run of each.

    On a shared machine other work slows some runs down; the fastest of a few
    alternated runs is the closest to what the machine can do.
    """
    builds, extracts = [], []
    for i in range(runs):
        shutil.rmtree(store, ignore_errors=True)
        _log(f"{n}: kg build (run {i + 1} of {runs})")
        builds.append(run_measured(cmds.build(corpus, store)))
        _log(f"{n}: build {builds[-1].wall:.1f} s, peak {builds[-1].peak_mb:.0f} MB; extraction only")
        extracts.append(run_measured(cmds.extract_only(corpus)))
        _log(f"{n}: extraction only {extracts[-1].wall:.1f} s")
    return min(builds, key=lambda m: m.wall), min(extracts, key=lambda m: m.wall)


def _summary(m: Measure, n: int | None) -> dict[str, Any]:
    out = {"wall_s": round(m.wall, 2), "cpu_s": round(m.cpu, 2), "max_rss_mb": round(m.max_rss_mb, 1),
           "tree_pss_mb": round(m.tree_pss_mb, 1), "peak_mb": round(m.peak_mb, 1)}
    if n:
        out["per_s"] = round(n / m.wall, 1)
        out["cpu_ms_per_abstract"] = round(1000 * m.cpu / n, 3)
    return out


def bench_add(largest: int, extra: Path, work: Path, cmds: Commands) -> dict[str, Any]:
    """``kg add`` of the extra papers into the largest store against building them into an empty one."""
    fresh = work / "store-add-fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    _log(f"build {ADD_PAPERS} fresh")
    build = run_measured(cmds.build(extra, fresh))
    _log(f"add {ADD_PAPERS} into {largest}")
    add = run_measured(cmds.add(extra, work / f"store-{largest}"))
    return {"into": largest, "papers": ADD_PAPERS, "add": _summary(add, ADD_PAPERS),
            "build_fresh": _summary(build, ADD_PAPERS), "ratio": round(add.wall / build.wall, 2)}


# ------------------------------------------------------------------ report


def _k(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def tables(results: dict[str, Any]) -> str:
    """The markdown tables of one run."""
    sizes = results["sizes"]
    lines = ["| papers | build wall | build abstracts/s | CPU ms/abstract | peak RSS, largest process | "
             "peak PSS, all processes | store on disk | extract-only abstracts/s | build / extract-only "
             "throughput (by CPU time) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in sizes:
        b, e = r["build"], r["extract_only"]
        lines.append(f"| {_k(r['papers'])} | {b['wall_s']:.1f} s | {b['per_s']:.0f} | {b['cpu_ms_per_abstract']:.2f} | "
                     f"{b['max_rss_mb']:.0f} MB | {b['tree_pss_mb']:.0f} MB | {r['store_mb']:.0f} MB | "
                     f"{e['per_s']:.0f} | {r['build_vs_extract']:.2f}x ({r.get('build_vs_extract_cpu', 0):.2f}x) |")
    lines += ["", "Named queries, whole process (`kg query NAME ARGS --store S --json`), median of "
              f"{results['repeat']} runs; rows in parentheses; ratio to the {_k(sizes[0]['papers'])} store:", ""]
    lines.append("| query | " + " | ".join(_k(r["papers"]) for r in sizes) + " |")
    lines.append("|---|" + "---|" * len(sizes))
    base = sizes[0]["queries"]
    for name in QUERY_NAMES:
        cells = []
        for r in sizes:
            q = r["queries"][name]
            if "seconds" not in q:
                cells.append(f"error: {q['error'][:60]}")
                continue
            ratio = q["seconds"] / base[name]["seconds"] if "seconds" in base[name] else None
            extra = f", {ratio:.2f}x" if ratio is not None and r is not sizes[0] else ""
            cells.append(f"{q['seconds']:.2f} s ({q['rows']}){extra}")
        lines.append(f"| `{name} {' '.join(base[name]['args'])}` | " + " | ".join(cells) + " |")
    if any(r["exports"] for r in sizes):
        lines += ["", "Exports, whole process (`kg export --format F -o OUT --store S`): wall time, peak memory, output size:", ""]
        lines.append("| format | " + " | ".join(_k(r["papers"]) for r in sizes) + " |")
        lines.append("|---|" + "---|" * len(sizes))
        for fmt in sizes[0]["exports"]:
            cells = []
            for r in sizes:
                x = r["exports"].get(fmt, {})
                cells.append(f"error: {x['error'][:60]}" if "error" in x else
                             f"{x['wall_s']:.1f} s, {x['peak_mb']:.0f} MB, {x['output_mb']:.0f} MB")
            lines.append(f"| {fmt} | " + " | ".join(cells) + " |")
    add = results.get("add")
    if add:
        lines += ["", f"| `kg add` {add['papers']} papers into the {_k(add['into'])} store | `kg build` of the same "
                  f"{add['papers']} into an empty store | ratio |", "|---|---|---|",
                  f"| {add['add']['wall_s']:.2f} s | {add['build_fresh']['wall_s']:.2f} s | {add['ratio']:.2f}x |"]
    return "\n".join(lines)


def targets(results: dict[str, Any]) -> list[tuple[str, bool | None, str]]:
    """Each Done-means target of issue 8: (target, passed or None when not measurable, the figures)."""
    by_n = {r["papers"]: r for r in results["sizes"]}
    big_n = 100000 if 100000 in by_n else max(by_n)
    mid_n = 10000 if 10000 in by_n and big_n != 10000 else None
    small_n = min(by_n)
    big, mid, small = by_n[big_n], by_n.get(mid_n) if mid_n else None, by_n[small_n]
    at = f" (at {_k(big_n)})" if big_n != 100000 else ""
    out: list[tuple[str, bool | None, str]] = []
    peak = big["build"]["peak_mb"]
    out.append((f"build peak memory at 100k <= 1 GB{at}", peak <= 1024, f"{peak:.0f} MB"))
    if mid:
        ratio = peak / mid["build"]["peak_mb"]
        out.append(("build peak at 100k <= 1.5x at 10k", ratio <= 1.5, f"{ratio:.2f}x"))
        ratio = big["build"]["cpu_ms_per_abstract"] / mid["build"]["cpu_ms_per_abstract"]
        out.append(("build CPU/abstract at 100k <= 1.2x at 10k", ratio <= 1.2, f"{ratio:.2f}x"))
    else:
        out.append(("build peak and CPU/abstract at 100k against 10k", None, "needs both sizes"))
    ratio = big["build_vs_extract"]
    out.append((f"build throughput >= 0.75x extraction-only{at}", ratio >= 0.75, f"{ratio:.2f}x"))
    q, q0 = big["queries"]["papers-using"], small["queries"]["papers-using"]
    if "seconds" in q and "seconds" in q0:
        out.append((f"papers-using GSM8K <= 1.0 s at 100k{at}", q["seconds"] <= 1.0, f"{q['seconds']:.2f} s"))
        ratio = q["seconds"] / q0["seconds"]
        out.append((f"papers-using GSM8K <= 2x its {_k(small_n)} time", ratio <= 2.0, f"{ratio:.2f}x"))
    else:
        out.append(("papers-using GSM8K", None, q.get("error") or q0.get("error", "")))
    worst, worst_name = 0.0, ""
    missing = [n for n in QUERY_NAMES for r in (big, small) if "seconds" not in r["queries"][n]]
    for name in QUERY_NAMES:
        if name in missing:
            continue
        ratio = big["queries"][name]["seconds"] / small["queries"][name]["seconds"]
        if ratio > worst:
            worst, worst_name = ratio, name
    out.append((f"every named query <= 2x its {_k(small_n)} time{at}",
                None if missing else worst <= 2.0,
                f"worst {worst_name} {worst:.2f}x" + (f"; failed: {', '.join(sorted(set(missing)))}" if missing else "")))
    add = results.get("add")
    if add:
        out.append((f"add {add['papers']} into the {_k(add['into'])} store <= 3x building them fresh",
                    add["ratio"] <= 3.0, f"{add['ratio']:.2f}x"))
    return out


def report(results: dict[str, Any]) -> str:
    m = results["machine"]
    head = (f"kg at {m.get('kg_commit', 'unknown')}. Machine: {m['usable_cpus']} of {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB RAM, "
            f"Python {m['python']}, SQLite {m['sqlite']}; load average before the run {m['load_average']}. "
            f"Workers: {results['workers']}. Via: {results['via']}. "
            f"Build and extraction only: fastest of {results.get('build_runs', 1)} alternated run(s).")
    lines = [head, "", tables(results), "", "Targets (issue 8, Done means):", ""]
    for name, ok, figures in targets(results):
        mark = "PASS" if ok else "n/a" if ok is None else "FAIL"
        lines.append(f"- {mark}: {name} ({figures})")
    return "\n".join(lines)


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive integers, e.g. 1000,10000")
    return sizes


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        return _child_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES),
                        help="corpus sizes, comma-separated (default 1000,10000,100000)")
    parser.add_argument("--n", type=int, default=None, help="also run this size (e.g. 1000000, by hand)")
    parser.add_argument("--workers", type=int, default=2, help="extraction workers of build, add and extract-only (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query (median; default 3)")
    parser.add_argument("--build-runs", type=int, default=1,
                        help="alternated runs of build and extraction only per size, fastest kept (default 1)")
    parser.add_argument("--exports", default=",".join(EXPORTS), help="export formats to time ('' for none)")
    parser.add_argument("--via", choices=("cli", "api"), default="cli", help="the kg command (default) or library calls")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench-scale",
                        help="folder for the corpora (reused while gen_corpus.py is unchanged) and the stores")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    parser.add_argument("--json-out", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes) | ({args.n} if args.n else set()))
    exports = [f for f in args.exports.split(",") if f]
    args.work.mkdir(parents=True, exist_ok=True)
    cmds = Commands(args.via, args.workers)
    results: dict[str, Any] = {"machine": machine(), "workers": args.workers, "via": args.via,
                               "repeat": args.repeat, "build_runs": args.build_runs, "seed": args.seed, "sizes": []}
    _log(f"machine: {results['machine']}")
    queries = None
    version = hashlib.sha1(Path(gen_corpus.__file__).read_bytes()).hexdigest()[:8]
    for n in sizes:
        corpus = args.work / f"corpus-{n}-seed{args.seed}-{version}.jsonl"
        if not corpus.exists():
            _log(f"generating {n} papers")
            gen_corpus.write_corpus(corpus, n, seed=args.seed)
        result, queries = bench_size(n, corpus, args.work, cmds, queries, args.repeat, exports, args.build_runs)
        results["sizes"].append(result)
    extra = args.work / f"extra-{ADD_PAPERS}-seed{args.seed}-{version}.jsonl"
    gen_corpus.write_corpus(extra, ADD_PAPERS, seed=args.seed, id_prefix="add-", start=sizes[-1])
    results["add"] = bench_add(sizes[-1], extra, args.work, cmds)
    text = report(results)
    print(text)
    if args.json_out:
        args.json_out.write_text(json.dumps({**results, "report": text}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
