"""Extraction as a map on a Dask cluster (``kg build/add --engine dask``).

The parent reads the input, cuts it into partitions of ``partition_size``
papers and submits each as one task to ``dask.distributed`` workers. A worker
builds the kg pipeline once (a module-level cache of this module, kept for the
life of the worker process) and runs ``then`` on each extracted paper where it
was extracted, like the local engine's workers (``kg.flow`` links and makes
the store rows there). Results come back with ``as_completed``; at most
``in_flight`` partitions are submitted and not yet handed on, so the parent's
memory is bounded whatever the input size, and the results are yielded in
input order, so the store written from them is the same as the local engine's.

A worker that dies mid-partition loses its task; the scheduler gives it to
another worker (up to its ``allowed-failures``), and as nothing was yielded
for that partition yet, the output is unchanged.

Without a scheduler address a ``LocalCluster`` of ``n_workers`` processes with
one thread each (default: one per CPU) is started for the run and closed after
it; with one, the client connects to that cluster and leaves it running. The
LocalCluster's workers are spawned (Dask's default): each imports kg and builds
its pipeline (a few seconds of CPU). Forking them from the parent, which would
let them inherit a built pipeline as the local engine's workers do, deadlocked
a forked worker now and then (the parent runs Dask's event-loop threads when
the nanny forks), so it is not done. Their statistical profiler (a thread
sampling every 10 ms) is off and each process's monitors run less often.

A script that calls ``kg.build(..., engine="dask")`` without a scheduler needs
the ``if __name__ == "__main__":`` guard, as for any spawned process.

Dask is an optional extra: ``pip install "kg[dask]"`` (``dask[distributed]``).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

from kg.errors import InputError, KGError
from kg.models import Extraction, Paper

Then = Callable[[Extraction, Paper], Any]

PARTITIONS_PER_THREAD = 2  # partitions in flight per worker thread: one running, one queued
CONNECT_TIMEOUT = "20s"


class DaskError(KGError):
    """Dask is not installed, or the scheduler cannot be reached."""


def require_dask() -> Any:
    """The ``distributed`` module, or a one-line error that says how to install it."""
    try:
        import distributed
    except ImportError as e:
        raise DaskError(
            '--engine dask needs the dask extra: pip install "kg[dask]" (or pip install "dask[distributed]")'
        ) from e
    return distributed


# ------------------------------------------------------------ in the workers

_PIPELINES: dict[tuple[bool, str], Any] = {}


def worker_pipeline(claims: bool, mode: str) -> Any:
    """This worker process's pipeline for ``(claims, mode)``, built at its first task and kept."""
    nlp = _PIPELINES.get((claims, mode))
    if nlp is None:
        from kg.nlp.pipeline import build_nlp

        nlp = _PIPELINES[(claims, mode)] = build_nlp(claims=claims, mode=mode)
    return nlp


def extract_partition(papers: list[Paper], claims: bool, mode: str, then: Then | None,
                      isolate: bool = False) -> list[Any] | tuple[list[Any], list[Any]]:
    """Worker task: the extractions of one partition, in its order, or ``then`` of each.

    With ``isolate``, a paper that fails is left out and returned beside the results as a
    ``FailedPaper``: ``(results, failures)`` (see ``kg.nlp.pipeline``, per-paper fault isolation).
    """
    from kg.nlp.pipeline import _isolated_chunk, _pipe_extract

    if isolate:
        failures: list[Any] = []
        results = list(_isolated_chunk(worker_pipeline(claims, mode), papers, len(papers) or 1, failures.append,
                                       then))
        return results, failures

    extractions = _pipe_extract(worker_pipeline(claims, mode), papers, len(papers) or 1)
    if then is None:
        return list(extractions)
    return [then(ex, paper) for ex, paper in zip(extractions, papers, strict=True)]


# ------------------------------------------------------------ in the parent


def local_workers(n_workers: int | None) -> int:
    """Processes of a LocalCluster: ``n_workers``, or one per CPU."""
    return n_workers if n_workers and n_workers > 0 else (os.cpu_count() or 1)


def _local_config() -> dict[str, Any]:
    """Dask settings of a LocalCluster's life: no profiler thread, fewer monitor wake-ups."""
    return {
        "distributed.worker.profile.enabled": False,
        # housekeeping of each process's event loop, at intervals made for long-lived clusters
        "distributed.worker.memory.monitor-interval": "1s",
        "distributed.admin.system-monitor.interval": "2s",
        "distributed.admin.tick.interval": "200ms",
    }


@contextmanager
def dask_client(scheduler: str | None = None, n_workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` of the scheduler at ``scheduler``, or of a LocalCluster made for the run.

    Raises:
        DaskError: dask is not installed, or the scheduler cannot be reached.
    """
    distributed = require_dask()
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as e:
            raise DaskError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from e
        try:
            yield client
        finally:
            client.close()
        return
    import dask

    with dask.config.set(_local_config()):  # the nannies hand it to the workers they start
        cluster = distributed.LocalCluster(
            n_workers=local_workers(n_workers), threads_per_worker=1, processes=True,
            # any free port: the default 8787 makes a second cluster warn on stderr when it is taken
            dashboard_address=":0", silence_logs=logging.ERROR,
        )
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()


def _partitions(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    iterator = iter(papers)
    while chunk := list(islice(iterator, size)):
        yield chunk


def map_partitions(client: Any, papers: Iterable[Paper], *, partition_size: int = 64, mode: str = "fast",
                   claims: bool = True, then: Then | None = None, in_flight: int | None = None,
                   on_error: Callable[[Any], None] | None = None) -> Iterator[Any]:
    """Extract ``papers`` on the workers of ``client``, yielding per paper in input order, streaming.

    Args:
        client: a connected ``distributed.Client``.
        papers: the papers (read lazily, ``partition_size`` at a time).
        partition_size: papers per task (and per ``nlp.pipe`` batch in the worker).
        mode: ``"fast"`` or ``"accurate"``.
        claims: run the claim extractor.
        then: a module-level function of ``(extraction, paper)`` run in the worker;
            its results are yielded instead of the extractions.
        in_flight: partitions submitted and not yet yielded, at most (default: two
            per worker thread of the cluster, at least two).
        on_error: an error handler as ``kg.nlp.extract_papers`` takes: a paper that
            fails in a worker is passed to it (in this process) as a ``FailedPaper``
            and left out; None lets the error raise.
    """
    distributed = require_dask()
    if in_flight is None:
        threads = sum(client.nthreads().values())
        in_flight = max(2, PARTITIONS_PER_THREAD * threads)
    run = uuid.uuid4().hex[:12]
    pending = distributed.as_completed(loop=client.loop)
    index: dict[str, int] = {}
    ready: dict[int, list[Any]] = {}
    source = _partitions(papers, max(1, partition_size))
    submitted = yielded = 0
    exhausted = False
    try:
        while True:
            while not exhausted and submitted - yielded < in_flight:
                chunk = next(source, None)
                if chunk is None:
                    exhausted = True
                    break
                future = client.submit(extract_partition, chunk, claims, mode, then, on_error is not None,
                                       key=f"kg-extract-{run}-{submitted}", pure=False)
                index[future.key] = submitted
                pending.add(future)
                submitted += 1
            if pending.is_empty():
                break
            future = next(pending)
            result = future.result()
            future.release()
            if on_error is not None:
                result, failures = result
                for failure in failures:
                    on_error(failure)
            ready[index.pop(future.key)] = result
            while yielded in ready:
                yield from ready.pop(yielded)
                yielded += 1
    finally:
        for future in list(pending.futures):
            future.cancel()
        pending.clear()


def dask_extract(papers: Iterable[Paper], *, scheduler: str | None = None, n_workers: int | None = None,
                 partition_size: int = 64, mode: str = "fast", claims: bool = True,
                 then: Then | None = None, on_error: Callable[[Any], None] | None = None) -> Iterator[Any]:
    """``map_partitions`` on the cluster at ``scheduler``, or on a LocalCluster of ``n_workers`` made for the run.

    Raises:
        InputError: an unknown ``mode``.
        DaskError: dask is not installed, or the scheduler cannot be reached.
    """
    from kg.nlp.pipeline import MODES

    if mode not in MODES:
        raise InputError(f"unknown pipeline mode {mode!r}; expected one of {', '.join(MODES)}")
    require_dask()
    with dask_client(scheduler, n_workers) as client:
        yield from map_partitions(client, papers, partition_size=partition_size, mode=mode, claims=claims,
                                  then=then, on_error=on_error)
