"""Readers of paper files: trending-page text, JSON Lines, JSON arrays, CSV.

Every reader yields one ``Record`` per record of the file, at the line where it
starts: a ``Paper`` or a ``SkippedRecord`` saying why it could not be used.
Any of them may be compressed (``.gz``, ``.bz2``); it is decompressed as it
streams. ``read_papers`` reads several files in order with one id space; an
optional ``PaperFilter`` (categories, a first date) reports the papers it
leaves out as ``FilteredRecord``s; of the rest it keeps the first paper of each
id and reports the later ones as ``DuplicateRecord``s, so that

    len(papers) + len(skipped) + len(duplicates) + len(filtered) == records

and nothing is dropped silently. A file that cannot be read at all (missing,
empty, binary, not UTF-8, corrupt compressed data, unknown format) raises
``InputError``.

Example:
    >>> result = read_papers(["examples/sample_papers.jsonl"])  # doctest: +SKIP
    >>> result.summary()  # doctest: +SKIP
    '8 papers from 1 file (8 records, 0 skipped, 0 duplicates)'
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from kg.errors import InputError
from kg.io.csvfile import is_paper_header, iter_csv
from kg.io.filters import PaperFilter
from kg.io.jsonl import iter_json, iter_jsonl, loads_bounded
from kg.io.records import Record, RecordError, content_suffix, iter_lines
from kg.io.trending import iter_trending
from kg.models import (
    DuplicateRecord,
    FilteredRecord,
    Paper,
    RepairedRecord,
    SkippedRecord,
)

__all__ = [
    "FORMATS",
    "PaperFilter",
    "ReadResult",
    "Record",
    "detect_format",
    "iter_outcomes",
    "iter_papers",
    "iter_records",
    "read_papers",
]

FORMATS: tuple[str, ...] = ("trending", "jsonl", "json", "csv")

_READERS: dict[str, Callable[[Path, str], Iterator[Record]]] = {
    "trending": iter_trending,
    "jsonl": iter_jsonl,
    "json": iter_json,
    "csv": iter_csv,
}
_JSONL_SUFFIXES = (".jsonl", ".ndjson")

PathLike = str | Path
Outcome = Paper | SkippedRecord | DuplicateRecord | FilteredRecord | RepairedRecord


class ReadResult(BaseModel):
    """Everything read from the input files, with an account of every record."""

    model_config = ConfigDict(extra="forbid")

    papers: list[Paper] = Field(default_factory=list)
    skipped: list[SkippedRecord] = Field(default_factory=list)
    duplicates: list[DuplicateRecord] = Field(default_factory=list)
    filtered: list[FilteredRecord] = Field(default_factory=list)
    repaired: list[RepairedRecord] = Field(default_factory=list)
    records: int = 0
    files: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI: papers, files, and what was skipped, merged, filtered out or repaired."""
        filtered = f", {len(self.filtered)} filtered out" if self.filtered else ""
        repaired = f", {len(self.repaired)} repaired" if self.repaired else ""
        return (
            f"{_count(len(self.papers), 'paper')} from {_count(len(self.files), 'file')} "
            f"({_count(self.records, 'record')}, {len(self.skipped)} skipped, "
            f"{_count(len(self.duplicates), 'duplicate')}{filtered}{repaired})"
        )


def _count(n: int, noun: str) -> str:
    """'1 paper', '2 papers'."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


# ------------------------------------------------------------ format detection


def _is_json_object_line(line: str) -> bool:
    """True when one line is a complete JSON object, i.e. the file is JSON Lines.

    A line nested too deep to parse (``MAX_JSON_DEPTH``) still starts with ``{`` and
    ends with ``}``: it is taken as JSON Lines, whose reader skips that line alone.
    """
    try:
        return isinstance(loads_bounded(line), dict)
    except json.JSONDecodeError:
        return False
    except RecordError:
        return line.endswith("}")


def detect_format(path: PathLike) -> str:
    """Tell the format of a file from its extension and its first non-blank line.

    The extension is the one under a compression suffix (``papers.jsonl.bz2`` is
    ``.jsonl``) and the first line is read decompressed. ``.jsonl``/``.ndjson``
    is JSON Lines and ``.csv`` is CSV. Otherwise the content decides: ``[``
    starts a JSON array; a first line that is a whole JSON object means JSON
    Lines (the arXiv snapshot ends in ``.json`` or ``.json.gz`` but is JSON
    Lines), ``{`` otherwise a single pretty-printed object; a CSV header with
    title and abstract columns means CSV; anything else is trending-page text.

    Raises:
        InputError: the file cannot be read (missing, empty, binary, not UTF-8,
            corrupt compressed data).
    """
    path = Path(path)
    suffix = content_suffix(path)
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    first = next(line.strip() for _, line in iter_lines(path) if line.strip())
    if first.startswith("["):
        return "json"
    if first.startswith("{"):
        return "jsonl" if _is_json_object_line(first) else "json"
    if suffix == ".json":
        return "json"
    if "," in first and _is_csv_header(first):
        return "csv"
    return "trending"


def _is_csv_header(line: str) -> bool:
    """True when a line parses as a CSV row naming title and abstract columns."""
    try:
        return is_paper_header(next(csv.reader([line])))
    except (csv.Error, StopIteration):
        return False


def _check_format(fmt: str) -> str:
    """Return ``fmt`` if it is one of ``FORMATS``; else raise ``InputError``."""
    if fmt not in _READERS:
        raise InputError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return fmt


# ------------------------------------------------------------ reading


def iter_records(path: PathLike, fmt: str | None = None) -> Iterator[Record]:
    """Stream the records of one file: each a ``Paper`` or a ``SkippedRecord``.

    Args:
        path: the file; reported in records as given.
        fmt: one of ``FORMATS``; None detects it (``detect_format``).

    Raises:
        InputError: the file cannot be read or the format is unknown.
    """
    fmt = _check_format(fmt) if fmt is not None else detect_format(path)
    return _READERS[fmt](Path(path), str(path))


def _as_paths(paths: Sequence[PathLike] | PathLike) -> list[PathLike]:
    """Accept one path as well as a sequence of them; refuse an empty list."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not items:
        raise InputError("no input files given")
    return items


def iter_outcomes(
    paths: Sequence[PathLike] | PathLike, fmt: str | None = None, *, paper_filter: PaperFilter | None = None
) -> Iterator[Outcome]:
    """Stream the outcome of every record of several files, in order, with one id space.

    A paper that ``paper_filter`` leaves out is yielded as a ``FilteredRecord``
    and does not claim its id. Of the others, the first paper of an id is
    yielded as a ``Paper``; a later record with the same id becomes a
    ``DuplicateRecord`` that points at the first one. A paper that was repaired
    to be usable (see ``kg.io.records``) is preceded by a ``RepairedRecord``,
    which is a note on that paper and not a record of its own.

    Args:
        paths: the input files, read in order.
        fmt: one of ``FORMATS`` for every file; None detects each file's format.
        paper_filter: which papers to keep; None keeps all.

    Raises:
        InputError: a file cannot be read or the format is unknown.
    """
    first_seen: dict[str, tuple[str, int]] = {}
    active = paper_filter if paper_filter is not None and paper_filter.active else None
    for path in _as_paths(paths):
        for record in iter_records(path, fmt):
            item = record.item
            if isinstance(item, Paper):
                reason = active.reason(item) if active is not None else None
                if reason is not None:
                    yield FilteredRecord(file=record.file, line=record.line, paper_id=item.id, reason=reason)
                    continue
                if item.id in first_seen:
                    first_file, first_line = first_seen[item.id]
                    yield DuplicateRecord(
                        file=record.file,
                        line=record.line,
                        paper_id=item.id,
                        first_file=first_file,
                        first_line=first_line,
                    )
                    continue
                first_seen[item.id] = (record.file, record.line)
                if record.repairs:
                    yield RepairedRecord(file=record.file, line=record.line, paper_id=item.id,
                                         repairs=list(record.repairs))
            yield item


def iter_papers(
    paths: Sequence[PathLike] | PathLike, fmt: str | None = None, *, paper_filter: PaperFilter | None = None
) -> Iterator[Paper]:
    """Stream the distinct papers of several files (skips, duplicates and filtered out left out).

    Use ``iter_outcomes`` or ``read_papers`` when the skipped records must be reported.

    Raises:
        InputError: a file cannot be read or the format is unknown.
    """
    for item in iter_outcomes(paths, fmt, paper_filter=paper_filter):
        if isinstance(item, Paper):
            yield item


def read_papers(
    paths: Sequence[PathLike] | PathLike, fmt: str | None = None, *, paper_filter: PaperFilter | None = None
) -> ReadResult:
    """Read several files in order into one ``ReadResult`` with an account of every record.

    Args:
        paths: the input files, read in order; ids are unique across all of them.
        fmt: one of ``FORMATS`` for every file; None detects each file's format.
        paper_filter: which papers to keep (see ``iter_outcomes``); None keeps all.

    Raises:
        InputError: a file cannot be read or the format is unknown.
    """
    items = _as_paths(paths)
    result = ReadResult(files=[str(path) for path in items])
    for item in iter_outcomes(items, fmt, paper_filter=paper_filter):
        if isinstance(item, Paper):
            result.papers.append(item)
        elif isinstance(item, SkippedRecord):
            result.skipped.append(item)
        elif isinstance(item, FilteredRecord):
            result.filtered.append(item)
        elif isinstance(item, RepairedRecord):
            result.repaired.append(item)
            continue
        else:
            result.duplicates.append(item)
        result.records += 1
    return result
