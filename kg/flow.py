"""The one build flow: read -> extract -> link -> write, streaming, in batches.

``build`` makes a store from input files, ``add`` adds papers to an existing
store (unchanged papers are skipped by content hash, changed ones replaced),
``remove`` takes papers out. The CLI commands are thin calls of these, and so
is any notebook:

    >>> import kg
    >>> report = kg.build(["papers.jsonl"], store="kg-out")      # doctest: +SKIP
    >>> kg.add(["today.jsonl"], store="kg-out").added            # doctest: +SKIP
    >>> kg.open_store("kg-out").query("papers-using", dataset="GSM8K")  # doctest: +SKIP

Memory stays bounded whatever the input size: papers stream from the readers
through the extraction workers, and every ``commit_every`` linked papers are
written in one transaction. A killed ``add`` leaves the batches it committed
(whole papers only), and the next writing command reports the interrupted run;
a killed ``build`` leaves the store as it was (it writes a new database and
renames it over the old one at the end).
"""

from __future__ import annotations

from functools import lru_cache
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from kg.errors import InputError, StoreError
from kg.models import DuplicateRecord, Extraction, FailedPaper, Paper, RepairedRecord, SkippedRecord
from kg.store.embedded import (
    PaperRows,
    Store,
    content_hash,
    create_store,
    default_store_path,
    fresh_store,
    open_store,
    paper_rows,
)

PathLike = str | Path
Progress = Callable[[int], None]

COMMIT_EVERY = 500


class WriteReport(BaseModel):
    """What one ``build``, ``add`` or ``remove`` did, with an account of every input record."""

    model_config = ConfigDict(extra="forbid")

    command: str
    store: str
    files: list[str] = Field(default_factory=list)
    records: int = 0
    papers: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    not_found: list[str] = Field(default_factory=list)
    skipped: list[SkippedRecord] = Field(default_factory=list)
    duplicates: list[DuplicateRecord] = Field(default_factory=list)
    repaired: list[RepairedRecord] = Field(default_factory=list)
    failed: list[FailedPaper] = Field(default_factory=list)
    filtered: int = 0
    batches: int = 0
    interrupted_runs: list[dict[str, Any]] = Field(default_factory=list)
    nodes: dict[str, int] = Field(default_factory=dict)
    edges: dict[str, int] = Field(default_factory=dict)
    _changed: list[str] = PrivateAttr(default_factory=list)
    _replaced: set[str] = PrivateAttr(default_factory=set)

    @property
    def changed_ids(self) -> list[str]:
        """Ids of the papers this command wrote (added or updated) or removed, for a Neo4j mirror."""
        return self._changed

    @property
    def replaced_entities(self) -> set[str]:
        """Ids of the entities that the updated papers' earlier versions mentioned or linked to: a
        Neo4j mirror refreshes their names and aliases (``apply_changes(touched_entities=...)``)."""
        return self._replaced

    @property
    def entities(self) -> dict[str, int]:
        return {k: v for k, v in self.nodes.items() if k not in ("Paper", "Claim")}

    @property
    def claims(self) -> int:
        return self.nodes.get("Claim", 0)

    def read_summary(self) -> str:
        """One line: records read and what became of them."""
        parts = [f"{self.records} record{'s' * (self.records != 1)}", f"{len(self.skipped)} skipped",
                 f"{len(self.duplicates)} duplicate{'s' * (len(self.duplicates) != 1)}"]
        if self.filtered:
            parts.append(f"{self.filtered} filtered out")
        if self.repaired:
            parts.append(f"{len(self.repaired)} repaired")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        n = len(self.files)
        return f"{self.papers} paper{'s' * (self.papers != 1)} from {n} file{'s' * (n != 1)} ({', '.join(parts)})"


@lru_cache(maxsize=1)
def _alias_tables() -> tuple[Any, Any]:
    from kg import resources
    from kg.link.entities import invert_alias_table

    table = resources.alias_table()
    return table, invert_alias_table(table)


def link_rows(extraction: Extraction, paper: Paper) -> PaperRows:
    """Link one extracted paper and make its store rows; runs in the extraction workers."""
    from kg.link.paper import link_paper

    table, inverse = _alias_tables()
    return paper_rows(link_paper(extraction, paper, table=table, inverse=inverse))


class _Stream:
    """Papers of the inputs that need extracting, with the account of every record kept on the side."""

    def __init__(self, store: Store, report: WriteReport, check_stored: bool, paper_filter: Any) -> None:
        self.store = store
        self.report = report
        self.check_stored = check_stored
        self.paper_filter = paper_filter

    def papers(self, inputs: Sequence[PathLike], fmt: str | None) -> Iterator[Paper]:
        from kg.io import iter_outcomes

        kwargs = {"paper_filter": self.paper_filter} if self.paper_filter is not None else {}
        for item in iter_outcomes(list(inputs), fmt, **kwargs):
            self.report.records += 1
            if isinstance(item, RepairedRecord):  # a note on the paper that follows, not a record
                self.report.records -= 1
                self.report.repaired.append(item)
            elif isinstance(item, SkippedRecord):
                self.report.skipped.append(item)
            elif isinstance(item, DuplicateRecord):
                self.report.duplicates.append(item)
            elif isinstance(item, Paper):
                self.report.papers += 1
                if self.check_stored and self._unchanged(item):
                    self.report.unchanged += 1
                    continue
                yield item
            else:
                self.report.filtered += 1

    def _unchanged(self, paper: Paper) -> bool:
        stored = self.store.stored_hashes([paper.id])
        return stored.get(paper.id) == content_hash(paper.title, paper.abstract)


def _write_stream(
    store: Store,
    report: WriteReport,
    inputs: Sequence[PathLike],
    *,
    fmt: str | None,
    paper_filter: Any,
    check_stored: bool,
    run: int | None,
    batch_size: int,
    commit_every: int,
    workers: int,
    mode: str,
    progress: Progress | None,
    engine: str = "local",
    scheduler: str | None = None,
) -> None:
    from kg.nlp import extract_papers

    if engine == "local":
        _alias_tables()  # loaded once here; forked workers inherit it (Dask workers load their own)
    stream = _Stream(store, report, check_stored, paper_filter)
    batch = []
    done = 0

    def flush() -> None:
        counts = store.write_links(batch, run, replaced_entities=report._replaced)
        report.added += counts["added"]
        report.updated += counts["updated"]
        report.batches += 1
        batch.clear()

    if engine == "dask":
        from kg.nlp.dask_engine import dask_extract

        rows_of_papers = dask_extract(stream.papers(inputs, fmt), scheduler=scheduler,
                                      n_workers=workers if workers > 1 else None,
                                      partition_size=batch_size, mode=mode, then=link_rows,
                                      on_error=report.failed.append)
    else:
        rows_of_papers = extract_papers(
            stream.papers(inputs, fmt), batch_size=batch_size, n_process=workers, mode=mode, then=link_rows,
            on_error=report.failed.append,
        )
    for rows in rows_of_papers:
        batch.append(rows)
        report._changed.append(rows.id)
        done += 1
        if len(batch) >= commit_every:
            flush()
        if progress is not None:
            progress(done)
    if batch:
        flush()


ENGINES = ("local", "dask")


def check_engine(engine: str, scheduler: str | None) -> None:
    """Fail before touching the store on an unknown engine, or on ``dask`` without dask installed."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    if scheduler and engine != "dask":
        raise InputError("--scheduler is for --engine dask")
    if engine == "dask":
        from kg.nlp.dask_engine import require_dask

        require_dask()


def check_inputs(files: Sequence[PathLike], fmt: str | None) -> None:
    """Fail before touching the store when an input file cannot be read at all."""
    from kg.io import detect_format

    if not files:
        raise InputError("no input files given")
    for f in files:
        if fmt is None:
            detect_format(f)
        elif not Path(f).is_file():
            raise InputError(f"{f}: no such file")


def _logged_stream(store: Store, report: WriteReport, files: Sequence[PathLike], **options: Any) -> None:
    """``_write_stream`` as one logged run of ``report.command``, with the final counts in the report."""
    run = store.begin_run(report.command, {"files": report.files})
    _write_stream(store, report, files, run=run, **options)
    _finish(store, report)
    store.finish_run(run, report.model_dump(mode="json"))
    check_usable(report)


def check_usable(report: WriteReport) -> None:
    """Refuse a run whose input gave no usable paper at all while some records were broken.

    An all-broken file must not pass for an empty corpus: a build keeps the old store
    (the error ends it before the new one replaces it), an add writes nothing.

    Raises:
        InputError: every record was skipped or failed (none read, unchanged or filtered out).
    """
    usable = report.papers - len(report.failed)
    broken = len(report.skipped) + len(report.failed)
    if usable <= 0 and broken and not report.filtered:
        first = report.skipped[0] if report.skipped else report.failed[0]
        raise InputError(f"no usable paper in {', '.join(report.files)}: all {broken} record(s) were skipped or "
                         f"failed (first: {first})")


def _notice_interrupted(store: Store) -> list[dict[str, Any]]:
    """Close the log entries of killed runs, returning them for the report."""
    found = store.interrupted_runs()
    for run in found:
        store.finish_run(run["id"], {**run["report"], "interrupted": True, "batches": run["batches"]})
    return [{"run": r["id"], "command": r["command"], "started": r["started"], "batches_committed": r["batches"]}
            for r in found]


def _finish(store: Store, report: WriteReport) -> WriteReport:
    counts = store.counts()
    report.nodes, report.edges = counts["nodes"], counts["edges"]
    return report


def build(
    inputs: Sequence[PathLike] | PathLike,
    store: PathLike | None = None,
    *,
    fmt: str | None = None,
    replace: bool = False,
    paper_filter: Any = None,
    batch_size: int = 64,
    commit_every: int = COMMIT_EVERY,
    workers: int = 1,
    mode: str = "fast",
    progress: Progress | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> WriteReport:
    """Build a store from input files.

    Args:
        inputs: paper files (trending text, JSONL/JSON, CSV; ``.gz``/``.bz2`` too).
        store: the store folder (default ``$KG_STORE`` or ``./kg-out``).
        fmt: the input format for every file; None detects each file's.
        replace: rebuild a store that already holds papers (else that is an error).
        paper_filter: a ``kg.io.PaperFilter`` (categories, since) applied while reading.
        batch_size: papers per spaCy batch.
        commit_every: papers per write transaction.
        workers: extraction worker processes (with ``engine="dask"`` and no
            scheduler: the LocalCluster's processes when above 1, else one per CPU).
        mode: ``"fast"`` or ``"accurate"``.
        progress: called with the number of papers extracted so far.
        engine: ``"local"`` (a process pool here) or ``"dask"`` (partitions of
            ``batch_size`` papers on dask.distributed workers; kg/nlp/dask_engine.py).
        scheduler: the Dask scheduler address (``tcp://host:8786``) for
            ``engine="dask"``; None starts a LocalCluster for the run.

    Raises:
        StoreError: the store holds papers and ``replace`` is false, the folder
            is not a store, or another process writes it.
        InputError: an input file cannot be read.
    """
    path = Path(store) if store is not None else default_store_path()
    files = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    check_inputs(files, fmt)
    check_engine(engine, scheduler)
    if not replace:
        _refuse_non_empty(path)
    report = WriteReport(command="build", store=str(path), files=[str(f) for f in files])
    with fresh_store(path) as st:
        _logged_stream(st, report, files, fmt=fmt, paper_filter=paper_filter, check_stored=False,
                       batch_size=batch_size, commit_every=commit_every, workers=workers, mode=mode, progress=progress,
                       engine=engine, scheduler=scheduler)
    return report


def _refuse_non_empty(path: Path) -> None:
    try:
        with open_store(path) as existing:
            n = existing.paper_count()
    except StoreError:
        return
    if n:
        raise StoreError(
            f"kg store at {path} already holds {n} paper{'s' * (n != 1)}: use `kg add` to add papers, "
            f"or `kg build ... --replace` to rebuild it"
        )


def add(
    inputs: Sequence[PathLike] | PathLike,
    store: PathLike | None = None,
    *,
    fmt: str | None = None,
    paper_filter: Any = None,
    batch_size: int = 64,
    commit_every: int = COMMIT_EVERY,
    workers: int = 1,
    mode: str = "fast",
    progress: Progress | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> WriteReport:
    """Add papers to a store (made when missing): new ones added, changed ones replaced, unchanged skipped.

    Arguments as for ``build``. Each ``commit_every`` papers are one
    transaction; a killed ``add`` keeps the batches it committed and the next
    writing command lists it under ``interrupted_runs``.
    """
    path = Path(store) if store is not None else default_store_path()
    files = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    check_inputs(files, fmt)
    check_engine(engine, scheduler)
    report = WriteReport(command="add", store=str(path), files=[str(f) for f in files])
    with create_store(path) as st:
        report.interrupted_runs = _notice_interrupted(st)
        _logged_stream(st, report, files, fmt=fmt, paper_filter=paper_filter, check_stored=True,
                       batch_size=batch_size, commit_every=commit_every, workers=workers, mode=mode, progress=progress,
                       engine=engine, scheduler=scheduler)
    return report


def remove(paper_ids: Sequence[str], store: PathLike | None = None) -> WriteReport:
    """Remove papers with their edges and claims; entities no paper mentions any more go too.

    Raises:
        StoreError: no store at ``store``, or another process writes it.
    """
    path = Path(store) if store is not None else default_store_path()
    report = WriteReport(command="remove", store=str(path))
    with open_store(path, write=True) as st:
        report.interrupted_runs = _notice_interrupted(st)
        run = st.begin_run("remove", {"paper_ids": list(paper_ids)})
        removed = st.remove_papers(paper_ids)
        report.removed = len(removed)
        report._changed.extend(removed)
        report.not_found = sorted(set(paper_ids) - set(removed))
        _finish(st, report)
        st.finish_run(run, report.model_dump(mode="json"))
    return report
