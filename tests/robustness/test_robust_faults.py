"""Fault injection: a ``kg build`` killed midway leaves the old store as it was.

(A killed ``kg add`` is tests/store/test_flow.py::test_killed_add_leaves_whole_papers...,
a killed ``kg load`` tests/robustness/test_robust_neo4j.py.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kg
from kg.io import read_papers

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample_papers.jsonl"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from kg.cli import app; app()", *args]


def _snapshot(store: Path) -> tuple:
    with kg.open_store(store) as st:
        return sorted(st.paper_ids()), st.counts(), st.fingerprint()


def test_a_killed_build_leaves_the_old_store_and_the_next_build_cleans_up(tmp_path, seed_corpus):
    store = tmp_path / "s"
    kg.build([SAMPLE], store=store)
    before = _snapshot(store)
    papers = read_papers([seed_corpus]).papers
    big = tmp_path / "big.jsonl"
    with big.open("w", encoding="utf-8") as f:
        for i in range(10):
            for p in papers:
                f.write(json.dumps({"id": f"{p.id}-{i}", "title": p.title, "abstract": p.abstract}) + "\n")
    proc = subprocess.Popen(_cli("build", str(big), "--store", str(store), "--replace", "--commit-every", "20"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    building = store / f"kg.sqlite.building-{proc.pid}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (building.exists() and building.stat().st_size > 100_000):
            assert proc.poll() is None, "the build ended before it could be killed"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert _snapshot(store) == before  # readers see the old store, whole
    assert building.exists()  # the dead build's file is still there, reported ...
    stats = subprocess.run(_cli("stats", "--store", str(store), "--json"), capture_output=True, text=True, check=True)
    assert [left["file"] for left in json.loads(stats.stdout)["leftovers"]] == [str(building)]
    kg.build([SAMPLE], store=store, replace=True)
    assert not building.exists()  # ... until the next build removes it
    assert _snapshot(store)[0] == before[0]


@pytest.mark.parametrize("content", ["null", "{}", "[" * 100_000, "\x00" * 64])
def test_a_corrupt_store_file_is_one_error_line(tmp_path, content):
    store = tmp_path / "s"
    kg.build([SAMPLE], store=store)
    (store / "kg.sqlite").write_text(content)
    for args in (["stats"], ["query", "papers-using", "GSM8K"], ["export", "-f", "json", "-o", str(tmp_path / "o")]):
        result = subprocess.run(_cli(*args, "--store", str(store)), capture_output=True, text=True, check=False)
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
