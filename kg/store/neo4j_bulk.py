"""The bulk initial load: a store into a stopped Neo4j through ``neo4j-admin database import full``.

``kg load`` (Bolt) merges the store row by row in transactions; for a first load
of a large store that is the slow path. ``kg load --bulk`` instead

1. writes the store as CSV files in the ``neo4j-admin database import`` layout
   (one ``nodes_<Label>.csv`` per label, one ``relationships_<TYPE>.csv`` per
   type, typed headers: the layout of ``kg export --format csv``), with exactly
   the properties the Bolt mirror writes (``kg.store.neo4j``: an entity's
   ``keys`` and no ``type``; an edge's ``paper_ids`` and no end labels; no
   property for a missing value), read from the store's tables by the mirror's
   own row reader;
2. runs the import tool of the Neo4j that serves the database (by default
   ``scripts/neo4j-local import DIR``: the jars' ``neo4j-admin``, with the server
   stopped, then started again), replacing database ``neo4j``;
3. connects with Bolt (NEO4J_* env), checks that the database now holds the
   store's papers, applies ``cypher/schema.cypher``, waits for the indexes and
   writes the ``KgMirror`` node, so ``kg query --backend neo4j --store S``
   accepts the database as the mirror of the store.

Lists are written with the unit separator (U+001F) between items, which no
kg text holds, so an alias or author with ``;`` in it stays one item.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from kg.errors import Neo4jError, StoreError
from kg.models import Claim, Entity, NodeLabel, Paper
from kg.store.embedded import Store

ARRAY_DELIMITER = "\u001f"
IMPORT_OPTIONS = ("--array-delimiter=U+001F", "--multiline-fields=true")
IMPORT_COMMAND_ENV = "KG_NEO4J_IMPORT"
PAPERS_PER_CHUNK = 2000
INDEX_WAIT_SECONDS = 3600

_EDGE_COLUMNS = (("evidence", "string"), ("start", "int"), ("end", "int"), ("field", "string"),
                 ("extractor", "string"), ("confidence", "float"), ("paper_ids", "string[]"))


class BulkSummary(BaseModel):
    """What ``bulk_load`` wrote and how long each step took (seconds)."""

    model_config = ConfigDict(extra="forbid")

    mode: str = "bulk"
    papers: int = 0
    entities: int = 0
    claims: int = 0
    nodes: int = 0
    relationships: int = 0
    csv_seconds: float = 0.0
    import_seconds: float = 0.0
    schema_seconds: float = 0.0
    seconds: float = 0.0
    csv_dir: str | None = None


def default_import_command() -> list[str]:
    """``$KG_NEO4J_IMPORT`` split on spaces, else this checkout's ``scripts/neo4j-local import``.

    Raises:
        Neo4jError: neither is there (an installed kg without the repository's scripts).
    """
    if command := os.environ.get(IMPORT_COMMAND_ENV, "").strip():
        return command.split()
    script = Path(__file__).resolve().parents[2] / "scripts" / "neo4j-local"
    if not script.is_file():
        raise Neo4jError(
            f"kg load --bulk: no import command: set {IMPORT_COMMAND_ENV} to a command that imports a CSV folder "
            "(its first argument; import options follow) into the stopped database and starts it again, "
            "e.g. 'scripts/neo4j-local import' of a kg checkout"
        )
    return [str(script), "import"]


# ------------------------------------------------------------------ CSV


def _kind(model: type[BaseModel], name: str) -> str:
    from kg.graph.export import _field_kind

    return _field_kind(model, name)


def _cell(value: Any, kind: str) -> str:
    """One CSV cell: nothing for a missing value (no property), quoted text, numbers as they are."""
    if value is None:
        return ""
    if kind == "string[]":
        items = [str(v) for v in value]
        if any(ARRAY_DELIMITER in v for v in items):
            raise StoreError(f"a list item holds the character U+001F, which the bulk import uses between items: "
                             f"{items!r}")
        return '"' + ARRAY_DELIMITER.join(items).replace('"', '""') + '"'
    if kind in ("int", "float"):
        return json.dumps(value)
    if kind == "boolean" or isinstance(value, bool):  # the store keeps a boolean as 0/1
        return "true" if value else "false"
    return '"' + str(value).replace('"', '""') + '"'


class _Files:
    """The CSV files of one bulk export, each opened with its header at its first row; rows counted."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.handles: dict[str, Any] = {}
        self.rows: dict[str, int] = {}
        self.empty_lists: dict[tuple[str, str], int] = {}  # (label, property) -> nodes with []

    def write(self, name: str, header: Sequence[str], lines: Iterable[str]) -> None:
        handle = self.handles.get(name)
        if handle is None:
            handle = self.handles[name] = (self.directory / name).open("w", encoding="utf-8", newline="")
            handle.write(",".join(header) + "\n")
            self.rows[name] = 0
        n = 0
        for line in lines:
            handle.write(line)
            n += 1
        self.rows[name] += n

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def _node_spec(columns: Sequence[tuple[str, str]]) -> tuple[list[str], list[tuple[str, str]]]:
    header = ["id:ID"] + [name if kind == "string" else f"{name}:{kind}" for name, kind in columns] + [":LABEL"]
    return header, list(columns)


def _node_lines(rows: Iterable[dict[str, Any]], columns: Sequence[tuple[str, str]], label: str,
                empty: dict[tuple[str, str], int]) -> Iterable[str]:
    tail = f',"{label}"\n'
    lists = [c for c, k in columns if k == "string[]"]
    for row in rows:
        props = row["props"]
        for c in lists:
            if props.get(c) == []:
                empty[(label, c)] = empty.get((label, c), 0) + 1
        yield _cell(row["id"], "string") + "," + ",".join(_cell(props.get(c), k) for c, k in columns) + tail


def _edge_lines(rows: Iterable[dict[str, Any]], edge_type: str) -> Iterable[str]:
    kind = f'"{edge_type}"'
    for row in rows:
        props = row["props"]
        yield ",".join([_cell(row["source"], "string"), _cell(row["target"], "string"), kind,
                        *(_cell(props.get(c), k) for c, k in _EDGE_COLUMNS)]) + "\n"


def write_import_csv(store: Store, directory: str | Path,
                     papers_per_chunk: int = PAPERS_PER_CHUNK) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Write ``store`` as CSV files for ``neo4j-admin database import full``.

    The nodes and relationships, and each one's properties, are those
    ``kg.store.neo4j.mirror_store`` writes over Bolt (the same row reader), except
    empty lists: the import tool stores no property for an empty array, so the
    ``(label, property)`` pairs that had one are returned for ``restore_empty_lists``.

    Returns:
        rows per file name, and the ``(label, property)`` pairs written with an empty list.

    Raises:
        StoreError: the store's tables lack a column the mirror reads, or a list item holds U+001F.
    """
    from kg.store.neo4j import _chunked, _StoreRows, entity_row

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    reader = _StoreRows(store)
    paper_header, paper_cols = _node_spec([(c, _kind(Paper, c)) for c in reader.paper_columns if c != "id"])
    claim_header, claim_cols = _node_spec([(c, _kind(Claim, c)) for c in reader.claim_columns if c != "id"])
    entity_fields = [c for c in Entity.model_fields if c not in ("id", "type")]
    entity_header, entity_cols = _node_spec([*((c, _kind(Entity, c)) for c in entity_fields), ("keys", "string")])
    edge_header = [":START_ID", ":END_ID", ":TYPE",
                   *(name if kind == "string" else f"{name}:{kind}" for name, kind in _EDGE_COLUMNS)]
    files = _Files(directory)
    try:
        for entities in _chunked(store.iter_entities(), 10_000):
            by_label: dict[str, list[dict[str, Any]]] = {}
            for entity in entities:
                by_label.setdefault(entity.label.value, []).append(entity_row(entity))
            for label, rows in by_label.items():
                files.write(f"nodes_{label}.csv", entity_header, _node_lines(rows, entity_cols, label, files.empty_lists))
        for ids in _chunked(store.paper_ids(), papers_per_chunk):
            prepared = reader.chunk(ids, evaluated_on=False)
            for label, rows in prepared.nodes.items():
                header, cols = (paper_header, paper_cols) if label == NodeLabel.PAPER else (claim_header, claim_cols)
                files.write(f"nodes_{label.value}.csv", header, _node_lines(rows, cols, label.value, files.empty_lists))
            for (edge_type, _source, _target), rows in prepared.edges.items():
                files.write(f"relationships_{edge_type.value}.csv", edge_header, _edge_lines(rows, edge_type.value))
        for (edge_type, _source, _target), row in reader.evaluated_on():
            files.write(f"relationships_{edge_type.value}.csv", edge_header, _edge_lines([row], edge_type.value))
    finally:
        files.close()
    return dict(sorted(files.rows.items())), sorted(files.empty_lists)


_RESTORE_EMPTY = "MATCH (n:{label}) WHERE n.{prop} IS NULL CALL {{ WITH n SET n.{prop} = [] }} IN TRANSACTIONS OF 10000 ROWS"


def restore_empty_lists(driver: Any, database: str | None, pairs: Iterable[tuple[str, str]]) -> None:
    """Set ``[]`` where the import left no property for an empty list (as the Bolt mirror stores it).

    Exact because the list properties of kg's nodes are never missing (``Paper.authors``,
    ``Entity.aliases``...: lists that default to empty), so a missing one was empty.
    """
    for label, prop in pairs:
        NodeLabel(label)  # a kg label: safe to format into the statement
        if not prop.isidentifier():
            raise ValueError(f"not a property name: {prop!r}")
        with driver.session(database=database) as session:
            session.run(_RESTORE_EMPTY.format(label=label, prop=prop)).consume()


# ------------------------------------------------------------------ the load


def _run_import(command: Sequence[str], directory: Path) -> None:
    try:
        done = subprocess.run([*command, str(directory), *IMPORT_OPTIONS], capture_output=True, text=True,
                              check=False)
    except OSError as e:
        raise Neo4jError(f"kg load --bulk: cannot run the import command {' '.join(command)}: {e}") from e
    if done.returncode != 0:
        tail = " | ".join(line for line in (done.stderr or done.stdout).strip().splitlines()[-6:])
        raise Neo4jError(f"kg load --bulk: the import command {' '.join(command)} failed "
                         f"(exit {done.returncode}): {tail}")


def bulk_load(store: Store, settings: Any, *, import_command: Sequence[str] | None = None,
              csv_dir: str | Path | None = None, keep_csv: bool = False) -> BulkSummary:
    """Replace the database with ``store`` through the import tool, then record the mirror.

    Args:
        store: an open store.
        settings: ``kg.store.neo4j.Neo4jSettings`` of the server the import command serves.
        import_command: the command that imports a CSV folder (appended, then the
            import options) into the stopped database and starts the server again
            (default: ``default_import_command()``).
        csv_dir: where to write the CSV files (default: a temporary folder).
        keep_csv: leave the CSV files (always left when ``csv_dir`` is given).

    Raises:
        Neo4jError: the import fails, the server cannot be reached after it, or the
            database it serves does not hold the store's papers (NEO4J_URI names
            another server than the one the import command wrote).
        StoreError: the store cannot be exported.
    """
    from kg.store.neo4j import _complete, apply_schema, connect

    command = list(import_command) if import_command else default_import_command()
    started = time.perf_counter()
    made_dir = csv_dir is None
    directory = Path(tempfile.mkdtemp(prefix="kg-bulk-")) if made_dir else Path(csv_dir)
    if not made_dir and directory.exists() and any(directory.iterdir()):
        raise StoreError(f"kg load --bulk: the CSV folder {directory} is not empty")
    summary = BulkSummary()
    try:
        fingerprint, counts = store.fingerprint(), store.counts()
        rows, empty_lists = write_import_csv(store, directory)
        summary.csv_seconds = time.perf_counter() - started
        t = time.perf_counter()
        _run_import(command, directory)
        summary.import_seconds = time.perf_counter() - t
    finally:
        if made_dir and not keep_csv:
            shutil.rmtree(directory, ignore_errors=True)
    summary.csv_dir = str(directory) if (keep_csv or not made_dir) else None
    nodes = counts["nodes"]
    summary.papers = nodes.get(NodeLabel.PAPER.value, 0)
    summary.claims = nodes.get(NodeLabel.CLAIM.value, 0)
    summary.entities = sum(n for label, n in nodes.items() if label not in (NodeLabel.PAPER.value,
                                                                              NodeLabel.CLAIM.value))
    summary.nodes = sum(n for name, n in rows.items() if name.startswith("nodes_"))
    summary.relationships = sum(n for name, n in rows.items() if name.startswith("relationships_"))
    t = time.perf_counter()
    with connect(settings) as driver:
        found = driver.execute_query("MATCH (p:Paper) RETURN count(p) AS n", database_=settings.database)
        held = found.records[0]["n"]
        if held != summary.papers:
            raise Neo4jError(
                f"kg load --bulk: the Neo4j at {settings.uri} holds {held} papers after the import, the store "
                f"{summary.papers}: NEO4J_URI must name the server that the import command "
                f"({' '.join(command)}) writes"
            )
        restore_empty_lists(driver, settings.database, empty_lists)
        apply_schema(driver, settings.database)
        driver.execute_query(f"CALL db.awaitIndexes({INDEX_WAIT_SECONDS})", database_=settings.database)
        _complete(driver, settings.database, store, fingerprint, summary.papers)
    summary.schema_seconds = time.perf_counter() - t
    summary.seconds = time.perf_counter() - started
    return summary
