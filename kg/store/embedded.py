"""The embedded store: a folder of plain files that needs no server.

Layout of a store folder (default ``./kg-out``, or ``$KG_STORE``):

- ``graph.json``: the graph as networkx node-link JSON (edges under ``"edges"``);
- ``extractions.jsonl``: one ``kg.models.Extraction`` per line, the gold format;
- ``manifest.json``: schema and kg versions, counts, and the build report
  (papers read, skipped records with file:line and reason, duplicates).

A store is written whole into a temporary sibling folder and then swapped in,
so building again into the same folder replaces it and a reader never sees a
half-written store.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import ValidationError

import kg
from kg.errors import KGError, StoreError
from kg.graph.builder import build_graph, graph_counts, graph_to_data
from kg.graph.export import node_link_data, node_link_to_graph
from kg.models import SCHEMA_VERSION, Extraction, GraphData

DEFAULT_STORE = "kg-out"
STORE_ENV = "KG_STORE"
GRAPH_FILE = "graph.json"
EXTRACTIONS_FILE = "extractions.jsonl"
MANIFEST_FILE = "manifest.json"
STORE_FILES = (GRAPH_FILE, EXTRACTIONS_FILE, MANIFEST_FILE)


def default_store_path() -> Path:
    """The store folder when none is given: ``$KG_STORE``, else ``./kg-out``."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


@dataclass
class Store:
    """A loaded embedded store: its folder, graph, linked data, extractions and manifest."""

    path: Path
    graph: nx.MultiDiGraph
    data: GraphData
    manifest: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def extractions(self) -> list[Extraction]:
        """The per-paper extraction records, read on first use (queries never need them)."""
        return _read_extractions(self.path)


def make_report(result: Any) -> dict[str, Any]:
    """The build report of a store from a ``kg.io.ReadResult``: what was read, skipped, merged.

    Kept in the manifest so that a store says which input records it lacks and why.
    """
    return {
        "files": [str(f) for f in getattr(result, "files", [])],
        "records": result.records,
        "papers_read": len(result.papers),
        "skipped": [s.model_dump(mode="json") for s in result.skipped],
        "duplicates": [d.model_dump(mode="json") for d in result.duplicates],
    }


def make_manifest(data: GraphData, G: nx.MultiDiGraph, n_extractions: int, report: dict) -> dict[str, Any]:
    """The manifest of a store: versions, counts and the build report, all JSON values."""
    counts = graph_counts(G)
    return {
        "format": "kg-store",
        "schema_version": SCHEMA_VERSION,
        "kg_version": kg.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": {
            "papers": len(data.papers),
            "entities": len(data.entities),
            "claims": len(data.claims),
            "edges": G.number_of_edges(),
            "extractions": n_extractions,
            "nodes_by_label": counts["nodes"],
            "edges_by_type": counts["edges"],
        },
        "report": report,
    }


def _write_files(folder: Path, G: nx.MultiDiGraph, extractions: list[Extraction], manifest: dict) -> None:
    with (folder / GRAPH_FILE).open("w", encoding="utf-8") as f:
        json.dump(node_link_data(G), f, ensure_ascii=False)
    with (folder / EXTRACTIONS_FILE).open("w", encoding="utf-8") as f:
        for extraction in extractions:
            f.write(json.dumps(extraction.model_dump(mode="json", exclude_none=False), ensure_ascii=False))
            f.write("\n")
    with (folder / MANIFEST_FILE).open("w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)


def _check_replaceable(path: Path) -> None:
    """Refuse to replace a folder that holds something other than a kg store."""
    if not path.exists():
        return
    if not path.is_dir():
        raise StoreError(f"cannot write a kg store at {path}: it is a file")
    if any(path.iterdir()) and not (path / MANIFEST_FILE).is_file():
        raise StoreError(f"cannot write a kg store at {path}: the folder is not empty and not a kg store")


def _swap_in(tmp: Path, path: Path) -> None:
    """Put the finished ``tmp`` folder at ``path``, moving an older store aside first."""
    if not path.exists():
        tmp.rename(path)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
    old.rmdir()
    path.rename(old)
    try:
        tmp.rename(path)
    except OSError:
        old.rename(path)
        raise
    shutil.rmtree(old, ignore_errors=True)


def save_store(
    path: str | Path,
    data: GraphData,
    extractions: list[Extraction],
    report: dict[str, Any] | None = None,
) -> Path:
    """Write a store folder atomically, replacing an older store at the same path.

    Args:
        path: the store folder; its parent is created when missing.
        data: the linked graph data.
        extractions: the per-paper extractions (kept in the gold format).
        report: the build report (papers read, skipped, duplicates); JSON values.

    Returns:
        The store folder.

    Raises:
        StoreError: the path is a file or a non-empty folder that is not a kg store,
            or the files cannot be written.
    """
    path = Path(path)
    _check_replaceable(path)
    G = build_graph(data)
    manifest = make_manifest(data, G, len(extractions), report or {})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
        try:
            _write_files(tmp, G, extractions, manifest)
            _swap_in(tmp, path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as e:
        raise StoreError(f"cannot write the kg store at {path}: {e}") from e
    return path


def _missing(path: Path) -> StoreError:
    return StoreError(f"no kg store at {path}: run `kg build INPUT --store {path}` first")


def read_manifest(path: str | Path) -> dict[str, Any]:
    """Read and check a store's manifest without loading the graph.

    Raises:
        StoreError: no store at ``path``, or one from another schema version.
    """
    path = Path(path)
    if not (path / MANIFEST_FILE).is_file() or not (path / GRAPH_FILE).is_file():
        raise _missing(path)
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise StoreError(f"broken kg store at {path}: cannot read {MANIFEST_FILE}: {e}") from e
    if not isinstance(manifest, dict) or manifest.get("format") != "kg-store":
        raise _missing(path)
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"kg store at {path} has schema version {version}, this kg reads {SCHEMA_VERSION}: build it again"
        )
    return manifest


def _read_extractions(path: Path) -> list[Extraction]:
    file = path / EXTRACTIONS_FILE
    if not file.is_file():
        return []
    extractions = []
    with file.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                extractions.append(Extraction.model_validate_json(line))
            except ValidationError as e:
                raise StoreError(f"broken kg store: {file}:{number}: {e.errors()[0]['msg']}") from e
    return extractions


def load_store(path: str | Path | None = None) -> Store:
    """Load a store folder written by ``save_store``.

    Args:
        path: the store folder; ``None`` means ``$KG_STORE`` or ``./kg-out``.

    Raises:
        StoreError: the folder is missing, is not a kg store, or is broken.

    Example:
        >>> store = load_store("kg-out")  # doctest: +SKIP
        >>> store.graph.number_of_nodes()  # doctest: +SKIP
    """
    path = Path(path) if path is not None else default_store_path()
    manifest = read_manifest(path)
    try:
        raw = json.loads((path / GRAPH_FILE).read_text(encoding="utf-8"))
        data = graph_to_data(node_link_to_graph(raw))
    except (OSError, ValueError, KeyError, TypeError, nx.NetworkXError, KGError) as e:
        raise StoreError(f"broken kg store at {path}: cannot read {GRAPH_FILE}: {e}") from e
    return Store(
        path=path,
        graph=build_graph(data),
        data=data,
        manifest=manifest,
    )
