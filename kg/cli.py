"""The ``kg`` command line: one typer app, each command a thin layer over the library.

User mistakes (a missing store, an unknown query or entity, an unreadable file,
Neo4j refusing the credentials) are ``KGError``s; they end a command with one
``error: ...`` line on stderr and exit code 1, never a traceback. Progress bars
and notes go to stderr, results to stdout, so ``--json`` output can be piped.
Heavy imports (spaCy, the Neo4j driver) happen inside the commands that need
them, so ``kg --help`` and ``kg query`` start fast.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

import kg
from kg.errors import KGError, QueryError, redact
from kg.query.registry import DEFAULT_QUERY_LIMIT
from kg.store.embedded import DEFAULT_STORE, STORE_ENV

app = typer.Typer(
    name="kg",
    help="Build a knowledge graph of methods, datasets, models and claims from paper abstracts, "
    "store it in a folder or Neo4j, query and export it.",
    epilog="Example: kg build examples/sample_papers.jsonl --store kg-out && kg query papers-using GSM8K --store kg-out",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

StoreOpt = Annotated[
    Path,
    typer.Option("--store", help="Store folder (written by `kg build`).", envvar=STORE_ENV, show_envvar=True),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON value on stdout instead of tables.")]
class Mode(StrEnum):
    fast = "fast"
    accurate = "accurate"


ModeOpt = Annotated[
    Mode,
    typer.Option("--mode", help="fast: rules and gazetteers (default); accurate: adds the trained NER (slower)."),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", help="Input format: trending, jsonl, json or csv (default: from each file)."),
]


def _stdout() -> Console:
    return Console(file=sys.stdout, soft_wrap=False)


def _stderr() -> Console:
    return Console(file=sys.stderr)


# ------------------------------------------------------------------ terminal output is data
#
# Titles, names and evidence come from papers and from the database: in tables and
# messages they are shown as text, never as rich markup ("[/]", "[link=...]", ":x:")
# and never as terminal control (ESC/CSI/OSC sequences, C0/C1 controls, bidi
# overrides). ``--json`` prints the values exactly (escaped as JSON).

_TERMINAL_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC ... BEL/ST (titles, hyperlinks)
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI (cursor, erase, colours)
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|\x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, PM, APC, SOS strings
    r"|\x1b[ -/]*[0-~]?"  # any other escape (ESC c resets the terminal)
)
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (tab and newline kept).

    Lone surrogates, which no terminal encoding can print, become U+FFFD.

    Example:
        >>> terminal_safe("a\\x1b[2Jb\\x1b]0;owned\\x07c\\x07")
        'abc'
    """
    text = _TERMINAL_CONTROLS.sub("", _TERMINAL_ESCAPES.sub("", text))
    return text.encode("utf-8", "replace").decode("utf-8") if re.search("[\ud800-\udfff]", text) else text


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def json_text(value: Any) -> str:
    """``value`` as one line of JSON, exact, that never holds a raw C1 control or a lone surrogate.

    ``ensure_ascii=False`` keeps names readable, and C0 controls are escaped by JSON
    itself; the code points a terminal or an encoder would choke on are written as
    ``\\uXXXX`` escapes too (they occur only inside strings, so this stays valid JSON).
    """
    text = json.dumps(value, ensure_ascii=False, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _echo(text: str, *, err: bool = False) -> None:
    """One message line whose parts may come from data: printed as plain, terminal-safe text."""
    typer.echo(terminal_safe(text), err=err)


def _one_line(text: str) -> str:
    return " ".join(terminal_safe(text).split())


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn any error into one ``error: ...`` line on stderr and exit code 1, never a traceback.

    A ``KGError`` is a user mistake or a bad input and says so; anything else is a
    failure kg did not foresee, named by its type (``KG_DEBUG=1`` shows the traceback).
    Secrets (the Neo4j password, a password written into a URI) are masked.
    """
    try:
        yield
    except typer.Exit:
        raise
    except KGError as e:
        typer.echo(f"error: {_one_line(redact(str(e)))}", err=True)
        raise typer.Exit(1) from e
    except OSError as e:
        typer.echo(f"error: {_one_line(redact(str(e)))}", err=True)
        raise typer.Exit(1) from e
    except Exception as e:
        if os.environ.get("KG_DEBUG"):
            raise
        message = _one_line(redact(str(e))) or "no message"
        typer.echo(f"error: unexpected {type(e).__name__}: {message[:500]} (KG_DEBUG=1 shows the traceback)", err=True)
        raise typer.Exit(1) from e


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


CELL_WIDTH = 90
# Exit codes: 0 done; 1 an error (one `error:` line); 2 a usage error (typer's);
# 3 done, but some papers failed in extraction or linking (listed in the summary).
EXIT_FAILED = 3


def _cell(value: Any) -> Text:
    """A table cell as plain text (never markup or emoji codes), terminal-safe, long text cut.

    Lists are joined and floats short; ``--json`` keeps everything.
    """
    if value is None:
        return Text("")
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    text = terminal_safe(text)
    return Text(text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1].rstrip() + "…")


def _print_rows(rows: list[dict[str, Any]], columns: Iterable[str], as_json: bool, title: str | None = None) -> None:
    """Rows as a rich table of plain text, or as a JSON array of row objects."""
    if as_json:
        typer.echo(json_text(rows))
        return
    if not rows:
        typer.echo("(no rows)", err=True)
        return
    table = Table(title=Text(terminal_safe(title)) if title else None, show_lines=False)
    for column in columns:
        table.add_column(Text(terminal_safe(str(column))), overflow="fold",
                         no_wrap=column in ("id", "paper_id", "rank", "value", "unit"))
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    _stdout().print(table)


def _print_counts(title: str, counts: dict[str, int]) -> None:
    line = ", ".join(f"{name} {n}" for name, n in counts.items()) or "none"
    typer.echo(f"{title}: {line}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg {kg.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", help="Print the kg version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """kg: a knowledge graph of ML papers' methods, datasets, models and claims."""
    # The driver logs a server notice per query that reads a property no node has yet
    # (an optional field absent from every claim); a user sees that as noise.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    # The driver also logs each retry and each dropped connection over several lines;
    # the failure itself ends the command as one `error:` line, so its logs stay quiet.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)


# ------------------------------------------------------------------ build, add, remove


def _streaming_progress(description: str) -> tuple[Progress, Any]:
    """A progress display on stderr for a stream of unknown length, and its advance callback."""
    progress = _progress(_stderr())
    task = progress.add_task(description, total=None)

    def advance(done: int) -> None:
        progress.update(task, completed=done)

    return progress, advance


def _paper_filter(category: str | None, since: str | None) -> Any:
    if not category and not since:
        return None
    from kg.io import PaperFilter

    return PaperFilter.parse(category, since)


def _neo4j_sync(store: Path, changed: list[str] | None = None, removed: list[str] | None = None,
                before: str | None = None, touched: Iterable[str] = (), batch_size: int = 5000,
                writers: int = 2) -> dict[str, Any]:
    """Bring the Neo4j of the environment in line with the store; the load summary as a dict.

    With ``changed``/``removed``, only those papers are sent when the database
    mirrored the store as it was (fingerprint ``before``); otherwise, and without
    them, the whole store is mirrored. ``mode`` says which: incremental or full.
    """
    from kg.store import open_store
    from kg.store.neo4j import Neo4jSettings, apply_changes, connect, mirror_store

    settings = Neo4jSettings.from_env()
    with open_store(store) as st, connect(settings) as driver, _progress(_stderr()) as progress:
        task = progress.add_task("loading into Neo4j", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if changed is None and removed is None:
            summary = mirror_store(driver, st, settings.database, batch_size=batch_size, progress=advance,
                                   writers=writers)
        else:
            summary = apply_changes(driver, st, changed or [], removed or [], settings.database,
                                    batch_size=batch_size, progress=advance, previous_fingerprint=before,
                                    touched_entities=touched)
    result = summary.model_dump(mode="json")
    result["mode"] = "incremental" if summary.mode == "changes" else "full"
    return result


def _touched_entities(store: Path, paper_ids: list[str]) -> set[str]:
    """The entities the papers mention now (before they change), so a Neo4j mirror renames or drops them."""
    from kg.store import open_store
    from kg.store.neo4j import paper_entities

    with open_store(store) as st:
        return paper_entities(st, paper_ids)


def _fingerprint(store: Path) -> str | None:
    from kg.store import open_store

    try:
        with open_store(store) as st:
            return st.fingerprint()
    except KGError:
        return None


def _emit_write_report(report: Any, loaded: dict[str, Any] | None, as_json: bool) -> None:
    """The summary of a build, add or remove: one JSON object, or lines of text."""
    if as_json:
        summary = {**report.model_dump(mode="json"), "entities": report.entities, "claims": report.claims}
        if loaded:
            summary["neo4j"] = loaded
        typer.echo(json_text(summary))
    else:
        _print_write_report(report, loaded)
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


def _print_write_report(report: Any, neo4j: dict[str, Any] | None = None) -> None:
    if report.command != "remove":
        typer.echo(f"read {report.read_summary()}")
    for record in [*report.skipped, *report.duplicates, *report.repaired, *report.failed]:
        _echo(f"  {record}")
    for run in report.interrupted_runs:
        typer.echo(
            f"note: an earlier `kg {run['command']}` (run {run['run']}, started {run['started']}) was interrupted; "
            f"the {run['batches_committed']} batch(es) it committed are in the store"
        )
    if report.command == "add":
        typer.echo(f"papers: {report.added} added, {report.updated} updated, {report.unchanged} unchanged")
    if report.command == "remove":
        typer.echo(f"papers: {report.removed} removed")
        if report.not_found:
            _echo(f"  not in the store: {', '.join(report.not_found)}")
    _print_counts("entities", report.entities)
    _print_counts("edges", report.edges)
    typer.echo(f"claims: {report.claims}")
    typer.echo(f"store: {report.store}")
    if neo4j is not None:
        typer.echo(f"neo4j: {json.dumps(neo4j)}")


CategoryOpt = Annotated[
    str | None,
    typer.Option("--category", help="Only papers in these arXiv categories: cs.CL,cs.LG (cs.* for a prefix)."),
]
SinceOpt = Annotated[str | None, typer.Option("--since", help="Only papers dated on or after this day: 2024-01-01.")]
WorkersOpt = Annotated[int, typer.Option(min=1, help="Extraction worker processes (one per core).")]
BatchOpt = Annotated[int, typer.Option(min=1, help="Papers per spaCy batch.")]
CommitOpt = Annotated[int, typer.Option("--commit-every", min=1, help="Papers per write transaction.")]
Neo4jOpt = Annotated[bool, typer.Option("--neo4j", help="Also apply the change to Neo4j (NEO4J_* env).")]


class Engine(StrEnum):
    local = "local"
    dask = "dask"


EngineOpt = Annotated[
    Engine,
    typer.Option("--engine", help="local: a process pool here (default); dask: partitions on dask.distributed "
                 "workers (the dask extra; without --scheduler a LocalCluster of --workers processes, "
                 "one per core when --workers is 1)."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler address for --engine dask: tcp://host:8786."),
]


@app.command(
    epilog="Example: kg build arxiv-metadata-oai-snapshot.json.gz --category cs.CL,cs.LG --since 2024-01-01 "
    "--store kg-out --workers 2\n\n"
    "Example: kg build papers.jsonl --store kg-out --engine dask --scheduler tcp://head:8786"
)
def build(
    inputs: Annotated[list[Path], typer.Argument(help="Paper files (trending text, JSONL, JSON, CSV; .gz/.bz2 too).")],
    store: StoreOpt = Path(DEFAULT_STORE),
    fmt: FormatOpt = None,
    replace: Annotated[bool, typer.Option("--replace", help="Rebuild a store that already holds papers.")] = False,
    category: CategoryOpt = None,
    since: SinceOpt = None,
    neo4j: Annotated[bool, typer.Option("--neo4j", help="Also mirror the store into Neo4j (NEO4J_* env).")] = False,
    batch_size: BatchOpt = 64,
    commit_every: CommitOpt = 500,
    workers: WorkersOpt = 1,
    mode: ModeOpt = Mode.fast,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Read papers, extract entities, roles and claims, link them and write a new store.

    A store that already holds papers is refused unless --replace is given; use
    `kg add` to add papers to it. A build that fails or is killed leaves the old store as it was.
    """
    with _user_errors():
        import kg as api

        progress, advance = _streaming_progress("building")
        with progress:
            report = api.build(inputs, store, fmt=fmt, replace=replace, paper_filter=_paper_filter(category, since),
                               batch_size=batch_size, commit_every=commit_every, workers=workers, mode=mode.value,
                               progress=advance, engine=engine.value, scheduler=scheduler)
        loaded = _neo4j_sync(store) if neo4j else None
    _emit_write_report(report, loaded, as_json)


@app.command(epilog="Example: kg add today.jsonl --store kg-out --neo4j\n\n"
             "Example: kg add today.jsonl --store kg-out --engine dask --workers 2")
def add(
    inputs: Annotated[list[Path], typer.Argument(help="Paper files to add (same formats as kg build).")],
    store: StoreOpt = Path(DEFAULT_STORE),
    fmt: FormatOpt = None,
    category: CategoryOpt = None,
    since: SinceOpt = None,
    neo4j: Neo4jOpt = False,
    batch_size: BatchOpt = 64,
    commit_every: CommitOpt = 500,
    workers: WorkersOpt = 1,
    mode: ModeOpt = Mode.fast,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add papers to a store: new ones are linked into its entities, changed ones replaced, unchanged skipped.

    A paper whose id is stored with the same title and abstract is unchanged. Papers
    are written in transactions of --commit-every papers; if the command is killed,
    the batches it committed stay and the next writing command says so.
    """
    with _user_errors():
        import kg as api

        before = _fingerprint(store) if neo4j else None
        progress, advance = _streaming_progress("adding")
        with progress:
            report = api.add(inputs, store, fmt=fmt, paper_filter=_paper_filter(category, since),
                             batch_size=batch_size, commit_every=commit_every, workers=workers, mode=mode.value,
                             progress=advance, engine=engine.value, scheduler=scheduler)
        loaded = _neo4j_sync(store, changed=report.changed_ids, removed=[], before=before,
                             touched=report.replaced_entities) if neo4j else None
    _emit_write_report(report, loaded, as_json)


@app.command(epilog="Example: kg remove 2401.00001 2401.00002 --store kg-out")
def remove(
    paper_ids: Annotated[list[str], typer.Argument(help="Ids of the papers to remove.")],
    store: StoreOpt = Path(DEFAULT_STORE),
    neo4j: Neo4jOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove papers with their edges and claims; entities no paper mentions any more go too."""
    with _user_errors():
        import kg as api

        before = _fingerprint(store) if neo4j else None
        touched = _touched_entities(store, paper_ids) if neo4j and before is not None else set()
        report = api.remove(paper_ids, store)
        loaded = (
            _neo4j_sync(store, changed=[], removed=report.changed_ids, before=before, touched=touched) if neo4j else None
        )
    _emit_write_report(report, loaded, as_json)


@app.command("eval", epilog="Example: kg eval tests/data/seed/dev.jsonl --keep dev.pred.jsonl")
def eval_(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL file (id, title, abstract, entities, roles, claims).")],
    scorer: Annotated[Path | None, typer.Option(help="An external scorer script to run instead of kg's own (kg.score; env KG_SCORER).")] = None,
    keep: Annotated[Path | None, typer.Option(help="Also write the predictions to this JSONL file.")] = None,
    types: Annotated[str | None, typer.Option(help="Scorer --types, e.g. Task,Method,Metric.")] = None,
    mode: ModeOpt = Mode.fast,
    as_json: JsonOpt = False,
) -> None:
    """Extract a gold file's papers and print the scorer's precision / recall / F1 table."""
    with _user_errors():
        from kg.evaluate import evaluate

        extra = ["--types", types] if types else []
        typer.echo(evaluate(gold, scorer=scorer, mode=mode.value, as_json=as_json, keep=keep, extra=extra), nl=False)


@app.command(epilog="Example: kg extract papers.jsonl -o extractions.jsonl")
def extract(
    inputs: Annotated[list[Path], typer.Argument(help="Paper files to extract from.")],
    output: Annotated[str, typer.Option("--output", "-o", help="JSONL file to write, or - for stdout.")],
    fmt: FormatOpt = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Papers per spaCy batch.")] = 64,
    workers: Annotated[int, typer.Option(min=1, help="Extraction worker processes.")] = 1,
    mode: ModeOpt = Mode.fast,
) -> None:
    """Write one extraction per paper in the gold JSONL format (scorable by python -m kg.score).

    Papers stream from the inputs to the output; nothing is held for the whole corpus.
    """
    with _user_errors():
        from kg.flow import WriteReport, check_inputs, check_usable
        from kg.io import iter_outcomes
        from kg.models import DuplicateRecord, Paper, RepairedRecord, SkippedRecord
        from kg.nlp import extract_papers

        report = WriteReport(command="extract", store="", files=[str(f) for f in inputs])
        check_inputs(inputs, fmt)

        def papers() -> Iterator[Any]:
            for item in iter_outcomes(inputs, fmt):
                if isinstance(item, RepairedRecord):  # a note on the paper that follows
                    report.repaired.append(item)
                    continue
                report.records += 1
                if isinstance(item, Paper):
                    report.papers += 1
                    yield item
                elif isinstance(item, SkippedRecord):
                    report.skipped.append(item)
                elif isinstance(item, DuplicateRecord):
                    report.duplicates.append(item)

        written = 0
        with _open_output(output) as out, _progress(_stderr()) as progress:
            task = progress.add_task("extracting", total=None)
            for extraction in extract_papers(papers(), batch_size=batch_size, n_process=workers, mode=mode.value,
                                             on_error=report.failed.append):
                out.write(json_text(extraction.model_dump(mode="json")) + "\n")
                written += 1
                progress.update(task, completed=written)
            check_usable(report)  # an all-broken input leaves an existing output file as it was
        _echo(f"read {report.read_summary()}", err=True)
        for record in [*report.skipped, *report.duplicates, *report.repaired, *report.failed]:
            _echo(f"  {record}", err=True)
    if output != "-":
        _echo(f"wrote {written} extractions to {output}", err=True)
    if report.failed:
        raise typer.Exit(EXIT_FAILED)


@contextlib.contextmanager
def _open_output(output: str) -> Iterator[Any]:
    """stdout for ``-``, else the file written atomically (``kg.io.atomic``); an OSError is one KGError.

    The file replaces an existing one only when the command succeeds: a full disk,
    an error or a kill leaves the old file as it was.
    """
    if output == "-":
        yield sys.stdout
        return
    from kg.io.atomic import atomic_file

    path = Path(output)
    try:
        with atomic_file(path) as fh:
            yield fh
    except OSError as e:
        raise KGError(f"cannot write {path}: {e}") from e


# ------------------------------------------------------------------ query


class BackendName(StrEnum):
    EMBEDDED = "embedded"
    NEO4J = "neo4j"


def _query_args(spec: Any, values: list[str], metric: str | None) -> dict[str, Any]:
    positional = spec.positional
    if len(values) > len(positional):
        usage = " ".join(p.name.upper() for p in positional)
        raise QueryError(f"query {spec.name!r} takes {len(positional)} argument(s): kg query {spec.name} {usage}")
    args: dict[str, Any] = {p.name: v for p, v in zip(positional, values, strict=False)}
    if metric is not None:
        if "metric" not in {p.name for p in spec.options}:
            raise QueryError(f"query {spec.name!r} takes no --metric")
        args["metric"] = metric
    return args


def _check_mirror(driver: Any, store: Path, database: str | None) -> None:
    """Refuse to answer from a Neo4j that mirrors another store (or another state of this one)."""
    from kg.store import open_store
    from kg.store.embedded import DB_FILE
    from kg.store.neo4j import check_mirror

    if not (store / DB_FILE).is_file():
        return  # no store here to compare with: the database answers for itself
    with open_store(store) as st:
        problem = check_mirror(driver, st, database)
    if problem:
        raise KGError(problem)


def _run_neo4j_query(name: str, args: dict[str, Any], store: Path, limit: int | None) -> list[dict[str, Any]]:
    from kg.query import Neo4jBackend, run_query
    from kg.store.neo4j import Neo4jSettings, connect

    settings = Neo4jSettings.from_env()
    with connect(settings) as driver:
        _check_mirror(driver, store, settings.database)
        return run_query(name, args, Neo4jBackend(driver, settings.database), limit)


def _queries_help() -> str:
    from kg.query import QUERIES

    return "\n\n".join(f"{s.example}: {s.description}" for s in QUERIES.values())


@app.command(
    epilog="Example: kg query papers-using GSM8K --json | kg query leaderboard GSM8K --metric accuracy",
    short_help="Run a named query (papers-using, leaderboard, path, ...) on the store or on Neo4j.",
    help="Run a named query on the embedded store or on Neo4j. Queries:\n\n" + _queries_help(),
)
def query(
    name: Annotated[str | None, typer.Argument(help="Query name; leave out to list the queries.")] = None,
    values: Annotated[list[str] | None, typer.Argument(help="The query's entity names.")] = None,
    metric: Annotated[str | None, typer.Option(help="leaderboard: only claims in this metric.")] = None,
    store: StoreOpt = Path(DEFAULT_STORE),
    backend: Annotated[BackendName, typer.Option(help="Where to run the query.")] = BackendName.EMBEDDED,
    limit: Annotated[int, typer.Option(
        min=0, help="Show at most this many rows, the first of the query's order (0: all); "
        "stderr says when rows were left out.",
    )] = DEFAULT_QUERY_LIMIT,
    as_json: JsonOpt = False,
) -> None:
    """Run a named query."""
    from kg.query import QUERIES, get_query, run_query

    with _user_errors():
        if name is None:
            rows = [{"name": s.name, "description": s.description, "example": s.example} for s in QUERIES.values()]
            _print_rows(rows, ("name", "description", "example"), as_json)
            return
        spec = get_query(name)
        args = _query_args(spec, values or [], metric)
        fetch = limit + 1 if limit else None  # one more row tells whether any were left out
        if backend is BackendName.NEO4J:
            rows = _run_neo4j_query(name, args, store, fetch)
        else:
            from kg.store import open_store

            with open_store(store) as st:
                rows = run_query(name, args, st, fetch)
    if limit and len(rows) > limit:
        rows = rows[:limit]
        _stderr().print(f"kg: showing the first {limit} rows; --limit 0 shows all", highlight=False)
    _print_rows(rows, spec.shown, as_json)


# ------------------------------------------------------------------ export, stats, load, cypher


class ExportFormat(StrEnum):
    GRAPHML = "graphml"
    JSON = "json"
    CSV = "csv"


@app.command(epilog="Example: kg export --format csv --output import/ && kg export --format graphml -o kg.graphml")
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="graphml (Gephi), json (node-link) or csv.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (a folder for csv).")],
    store: StoreOpt = Path(DEFAULT_STORE),
) -> None:
    """Export the stored graph as GraphML, node-link JSON, or CSV for neo4j-admin import."""
    from kg.graph import export_csv, export_graphml, export_node_link, neo4j_admin_command
    from kg.store import open_store

    with _user_errors(), open_store(store) as st:
        try:
            if fmt is ExportFormat.CSV:
                files = export_csv(st, output)
            else:
                writer = export_graphml if fmt is ExportFormat.GRAPHML else export_node_link
                files = [writer(st, output)]
        except OSError as e:
            raise KGError(f"cannot write {output}: {e}") from e
    typer.echo(f"wrote {len(files)} file(s): {', '.join(str(f) for f in files)}")
    if fmt is ExportFormat.CSV:
        typer.echo(f"load into an empty Neo4j with:\n  {neo4j_admin_command(output)}")


@app.command(epilog="Example: kg stats --store kg-out --json")
def stats(store: StoreOpt = Path(DEFAULT_STORE), as_json: JsonOpt = False) -> None:
    """Count the stored graph's nodes per label and edges per type; show the store's id and last write."""
    from kg.store import open_store

    with _user_errors(), open_store(store) as st:
        counts = st.counts()
        meta = st.meta()
        summary = {
            "store": str(store),
            "store_id": st.store_id,
            "fingerprint": st.fingerprint(),
            "modified": meta.get("modified"),
            **counts,
            "report": st.last_report(),
            "interrupted_runs": [
                {"run": r["id"], "command": r["command"], "started": r["started"], "batches_committed": r["batches"]}
                for r in st.interrupted_runs()
            ],
            "leftovers": _build_leftovers(store),
        }
    if as_json:
        typer.echo(json_text(summary))
        return
    _print_rows([{"label": k, "count": v} for k, v in counts["nodes"].items()], ("label", "count"), False, "nodes")
    _print_rows([{"type": k, "count": v} for k, v in counts["edges"].items()], ("type", "count"), False, "edges")
    typer.echo(f"store {store}: id {summary['store_id']}, fingerprint {summary['fingerprint']}, modified {summary['modified']}")
    for run in summary["interrupted_runs"]:
        typer.echo(f"note: `kg {run['command']}` (run {run['run']}) was interrupted after {run['batches_committed']} batch(es)")
    for left in summary["leftovers"]:
        _echo(f"note: {left['file']} ({left['bytes']:,} bytes) is what a killed `kg build` left; "
              f"the next `kg build` of this store removes it")


def _build_leftovers(store: Path) -> list[dict[str, Any]]:
    """The half-written databases of builds whose process is gone (``kg.sqlite.building-PID``)."""
    from kg.io.atomic import pid_alive
    from kg.store.embedded import DB_FILE

    found = []
    for path in sorted(store.glob(f"{DB_FILE}.building-*")):
        pid = path.name.rsplit("-", 1)[1]
        if pid.isdigit() and not pid_alive(int(pid)):
            found.append({"file": str(path), "bytes": path.stat().st_size})
    return found


@app.command(epilog="Example: NEO4J_PASSWORD=... kg load --store kg-out\n\n"
             "Example: NEO4J_PASSWORD=... KG_NEO4J_HOME=~/.cache/kg/neo4j kg load --bulk --store kg-out")
def load(
    store: StoreOpt = Path(DEFAULT_STORE),
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per write transaction.")] = 5000,
    writers: Annotated[int, typer.Option(
        min=1, help="Chunks of papers written at the same time, each in its own transactions "
        "(the server runs one transaction on one core).")] = 2,
    bulk: Annotated[bool, typer.Option(
        "--bulk", help="Replace the database through neo4j-admin database import (server stopped meanwhile; "
        "scripts/neo4j-local import, or the command in $KG_NEO4J_IMPORT): the fast first load.")] = False,
    csv_dir: Annotated[Path | None, typer.Option(
        "--csv-dir", help="With --bulk: write the CSV files here (an empty or new folder) and keep them.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Make Neo4j mirror a store exactly (NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE).

    Papers the database holds that the store does not are removed with their edges and claims.
    With --bulk the whole database is replaced by the store's graph in one import.
    """
    with _user_errors():
        if bulk:
            summary = _bulk_load(store, csv_dir)
        else:
            summary = _neo4j_sync(store, batch_size=batch_size, writers=writers)
    if as_json:
        typer.echo(json_text(summary))
    else:
        _print_rows([{"what": k, "count": v} for k, v in summary.items()], ("what", "count"), False, "loaded")


def _bulk_load(store: Path, csv_dir: Path | None) -> dict[str, Any]:
    from kg.store import open_store
    from kg.store.neo4j import Neo4jSettings
    from kg.store.neo4j_bulk import bulk_load

    settings = Neo4jSettings.from_env()
    with open_store(store) as st:
        return bulk_load(st, settings, csv_dir=csv_dir).model_dump(mode="json")


def _parse_param(text: str) -> tuple[str, Any]:
    """``k=v`` with ``v`` read as JSON when it is JSON (numbers, lists, null), else a string."""
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise QueryError(f"--param needs key=value, got {text!r}")
    try:
        return key, json.loads(raw)
    except ValueError:
        return key, raw


@app.command(epilog='Example: kg cypher "MATCH (d:Dataset {name: $name})<-[r]-(p) RETURN p.title" --param name=GSM8K')
def cypher(
    statement: Annotated[str, typer.Argument(help="One read-only Cypher statement.")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="A $parameter as key=value.")] = None,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="Refuse unless Neo4j mirrors this store (as `kg load --store` left it).",
                     envvar=STORE_ENV, show_envvar=True),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run an ad-hoc read-only Cypher statement on Neo4j.

    Neo4j plans the statement first (EXPLAIN) and it runs only when Neo4j classifies
    it as read-only and it uses no LOAD CSV, no administration or transaction command
    and no procedure outside db.labels, db.relationshipTypes, db.propertyKeys,
    db.schema.* and db.index.fulltext.query*; then in a read transaction.
    """
    with _user_errors():
        from kg.query.readonly import run_read_only
        from kg.store.neo4j import Neo4jSettings, connect

        params = dict(_parse_param(p) for p in param or [])
        settings = Neo4jSettings.from_env()
        with connect(settings) as driver:
            if store is not None:
                _check_mirror(driver, store, settings.database)
            rows = run_read_only(driver, statement, params, settings.database)
    columns = list(rows[0]) if rows else []
    _print_rows(rows, columns, as_json)


# ------------------------------------------------------------------ explorer (kg serve, kg view)


def _explorer_missing(e: ImportError) -> KGError:
    return KGError(f"the explorer cannot start: {e.name} is missing (a broken kg install: pip install kg again)")


@app.command(
    epilog="Example: kg serve --store kg-out  (then open http://127.0.0.1:8000/ ; Ctrl-C stops it)",
)
def serve(
    store: StoreOpt = Path(DEFAULT_STORE),
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port to listen on.")] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to bind; another than 127.0.0.1 exposes the explorer to the network.")
    ] = "127.0.0.1",
) -> None:
    """Browse the store in a web browser: search, entity and paper pages, graphs, the named queries (read-only)."""
    with _user_errors():
        try:
            import uvicorn

            from kg.serve import create_app
        except ImportError as e:
            raise _explorer_missing(e) from e
        application = create_app(store)
        import socket

        try:
            with socket.create_server((host, port)):
                pass  # free now: uvicorn binds it next; an occupied port is one error line here
        except OSError as e:
            reason = os.strerror(e.errno) if e.errno else str(e)
            raise KGError(f"cannot listen on {host}:{port}: {reason}") from e
        _stderr().print(f"kg: serving {store} at http://{host}:{port}/ (read-only; Ctrl-C stops)", highlight=False)
        uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command(epilog="Example: kg view GSM8K -o gsm8k.html --store kg-out  (a paper id works too)")
def view(
    target: Annotated[str, typer.Argument(help="A paper id, an entity id, or an entity name or alias.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    store: StoreOpt = Path(DEFAULT_STORE),
) -> None:
    """Write the explorer's page of a paper or entity as one self-contained HTML file (opens offline)."""
    with _user_errors():
        try:
            from kg.serve import write_view
        except ImportError as e:
            raise _explorer_missing(e) from e
        try:
            path = write_view(store, target, output)
        except OSError as e:
            raise KGError(f"cannot write {output}: {e}") from e
    typer.echo(f"wrote {path}")
