"""``--engine dask``: the store built on a 2-worker LocalCluster is the local engine's, also when a worker dies.

One LocalCluster (2 processes, 1 thread each) serves the module; the builds
connect to it with ``scheduler=`` so that a test can reach its workers. The
local engine's store of the seed corpus is the reference.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from pathlib import Path

import distributed
import pytest
from typer.testing import CliRunner

import kg
from kg.nlp import dask_engine
from kg.store import open_store

# Every table of what a store means; papers.run (which logged run wrote the paper) is how, not what.
TABLES = {
    "papers": "id, title, abstract, source, url, year, date, authors, categories, content_hash, extraction",
    "entities": "*", "mentions": "*", "entity_forms": "*", "edges": "*", "claims": "*",
}


def _rows(store: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(store / "kg.sqlite")
    try:
        return {t: sorted(conn.execute(f"SELECT {cols} FROM {t}").fetchall(), key=repr) for t, cols in TABLES.items()}
    finally:
        conn.close()


def _state(store: Path) -> tuple[str, dict, dict]:
    with open_store(store) as st:
        return st.fingerprint(), st.counts(), st.to_data().model_dump(mode="json")


def _assert_same_store(a: Path, b: Path) -> None:
    fp_a, counts_a, data_a = _state(a)
    fp_b, counts_b, data_b = _state(b)
    assert fp_a == fp_b
    assert counts_a == counts_b
    assert data_a == data_b
    assert _rows(a) == _rows(b)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c, distributed.Client(c) as client:
        client.wait_for_workers(2)
        yield c, client


@pytest.fixture(scope="module")
def local_store(tmp_path_factory, seed_corpus) -> Path:
    path = tmp_path_factory.mktemp("local") / "store"
    report = kg.build([seed_corpus], store=path, workers=2, batch_size=16)
    assert report.added > 100 and report.claims > 0
    return path


def test_dask_build_equals_local_build(tmp_path, seed_corpus, cluster, local_store):
    c, _ = cluster
    report = kg.build([seed_corpus], store=tmp_path / "dask", engine="dask", scheduler=c.scheduler_address,
                      batch_size=8)
    assert report.added == report.papers > 100
    _assert_same_store(local_store, tmp_path / "dask")


def test_dask_build_on_its_own_local_cluster_equals_local_build(tmp_path, seed_corpus, local_store):
    """No scheduler: the command starts a 2-process LocalCluster (forked workers) and closes it."""
    report = kg.build([seed_corpus], store=tmp_path / "own", engine="dask", workers=2, batch_size=16)
    assert report.added == report.papers > 100
    _assert_same_store(local_store, tmp_path / "own")


def test_a_worker_killed_mid_build_is_retried_and_the_store_is_identical(tmp_path, seed_corpus, cluster,
                                                                         local_store):
    c, client = cluster
    client.wait_for_workers(2)
    pids = client.run(os.getpid)  # worker address -> its process id
    killed: list[tuple[str, int, list[str]]] = []

    def kill_a_busy_worker(done: int) -> None:
        if killed:
            return
        busy = {w: [str(k) for k in keys] for w, keys in client.processing().items()
                if any("kg-extract" in str(k) for k in keys)}
        if busy:
            worker, keys = min(busy.items())
            os.kill(pids[worker], signal.SIGKILL)
            killed.append((worker, pids[worker], keys))

    report = kg.build([seed_corpus], store=tmp_path / "dask", engine="dask", scheduler=c.scheduler_address,
                      batch_size=4, progress=kill_a_busy_worker)
    assert killed, "no worker had an extraction task to be killed in"
    worker, pid, keys = killed[0]
    assert worker not in client.nthreads(), "the killed worker is still registered"
    assert any(k.startswith("kg-extract-") for k in keys)
    with pytest.raises(ProcessLookupError):  # the process is gone (the nanny started a new one)
        os.kill(pid, 0)
    assert report.added == report.papers > 100
    _assert_same_store(local_store, tmp_path / "dask")


def test_dask_add_into_an_empty_store_then_again_changes_nothing(tmp_path, seed_corpus, cluster, local_store):
    c, _ = cluster
    first = kg.add([seed_corpus], store=tmp_path / "s", engine="dask", scheduler=c.scheduler_address)
    assert first.added > 100
    _assert_same_store(local_store, tmp_path / "s")
    again = kg.add([seed_corpus], store=tmp_path / "s", engine="dask", scheduler=c.scheduler_address)
    assert again.added == again.updated == 0 and again.unchanged == first.added


def test_cli_build_engine_dask(tmp_path, seed_corpus, cluster, local_store):
    from kg.cli import app

    c, _ = cluster
    result = CliRunner().invoke(app, ["build", str(seed_corpus), "--store", str(tmp_path / "cli"), "--engine", "dask",
                                      "--scheduler", c.scheduler_address, "--json"])
    assert result.exit_code == 0, result.output
    _assert_same_store(local_store, tmp_path / "cli")


def test_partitions_stream_in_input_order_with_a_bound_in_flight(cluster):
    from kg.models import Paper

    _, client = cluster
    taken: list[int] = []

    def papers():
        for i in range(30):
            taken.append(i)
            yield Paper(id=f"p{i}", title=f"Paper {i}", abstract=f"We train BERT on GSM8K {i} times.")

    seen = []
    for extraction in dask_engine.map_partitions(client, papers(), partition_size=2, in_flight=3):
        seen.append(extraction.id)
        # at most 3 partitions of 2 papers are read and not yet handed on
        assert len(taken) - len(seen) <= 3 * 2
    assert seen == [f"p{i}" for i in range(30)]


def test_missing_dask_is_one_line_with_the_install_command(tmp_path, seed_corpus, monkeypatch):
    from kg.cli import app

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(dask_engine.DaskError, match=r'pip install "kg\[dask\]"'):
        kg.build([seed_corpus], store=tmp_path / "s", engine="dask")
    assert not (tmp_path / "s").exists()
    result = CliRunner().invoke(app, ["build", str(seed_corpus), "--store", str(tmp_path / "s"), "--engine", "dask"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --engine dask needs the dask extra")


def test_an_unreachable_scheduler_and_a_scheduler_without_dask_are_refused(tmp_path, seed_corpus, monkeypatch):
    from kg.errors import InputError

    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(dask_engine.DaskError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:1"):
        kg.build([seed_corpus], store=tmp_path / "s", engine="dask", scheduler="tcp://127.0.0.1:1")
    with pytest.raises(InputError, match="--scheduler is for --engine dask"):
        kg.build([seed_corpus], store=tmp_path / "t", scheduler="tcp://127.0.0.1:1")
    with pytest.raises(InputError, match="unknown engine 'spark'"):
        kg.build([seed_corpus], store=tmp_path / "t", engine="spark")
