"""Readers of paper files: trending-page text, JSON Lines, JSON arrays, CSV.

Every reader yields one ``Record`` per record of the file, at the line where it
starts: a ``Paper`` or a ``SkippedRecord`` saying why it could not be used.
``read_papers`` reads several files in order with one id space, keeps the first
paper of each id and reports the later ones as ``DuplicateRecord``s, so that

    len(papers) + len(skipped) + len(duplicates) == records

and nothing is dropped silently. A file that cannot be read at all (missing,
empty, binary, not UTF-8, unknown format) raises ``InputError``.

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
from kg.io.jsonl import iter_json, iter_jsonl
from kg.io.records import Record, iter_lines
from kg.io.trending import iter_trending
from kg.models import DuplicateRecord, Paper, SkippedRecord

__all__ = [
    "FORMATS",
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


class ReadResult(BaseModel):
    """Everything read from the input files, with an account of every record."""

    model_config = ConfigDict(extra="forbid")

    papers: list[Paper] = Field(default_factory=list)
    skipped: list[SkippedRecord] = Field(default_factory=list)
    duplicates: list[DuplicateRecord] = Field(default_factory=list)
    records: int = 0
    files: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI: papers, files, and what was skipped or merged."""
        return (
            f"{_count(len(self.papers), 'paper')} from {_count(len(self.files), 'file')} "
            f"({_count(self.records, 'record')}, {len(self.skipped)} skipped, "
            f"{_count(len(self.duplicates), 'duplicate')})"
        )


def _count(n: int, noun: str) -> str:
    """'1 paper', '2 papers'."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


# ------------------------------------------------------------ format detection


def _is_json_object_line(line: str) -> bool:
    """True when one line is a complete JSON object, i.e. the file is JSON Lines."""
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def detect_format(path: PathLike) -> str:
    """Tell the format of a file from its extension and its first non-blank line.

    ``.jsonl``/``.ndjson`` is JSON Lines and ``.csv`` is CSV. Otherwise the
    content decides: ``[`` starts a JSON array; a first line that is a whole
    JSON object means JSON Lines (the arXiv snapshot ends in ``.json`` but is
    JSON Lines), ``{`` otherwise a single pretty-printed object; a CSV header
    with title and abstract columns means CSV; anything else is trending-page text.

    Raises:
        InputError: the file cannot be read (missing, empty, binary, not UTF-8).
    """
    path = Path(path)
    suffix = path.suffix.lower()
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
    if "," in first and is_paper_header(next(csv.reader([first]))):
        return "csv"
    return "trending"


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
    paths: Sequence[PathLike] | PathLike, fmt: str | None = None
) -> Iterator[Paper | SkippedRecord | DuplicateRecord]:
    """Stream the outcome of every record of several files, in order, with one id space.

    The first paper of an id is yielded as a ``Paper``; a later record with the
    same id becomes a ``DuplicateRecord`` that points at the first one.

    Raises:
        InputError: a file cannot be read or the format is unknown.
    """
    first_seen: dict[str, tuple[str, int]] = {}
    for path in _as_paths(paths):
        for record in iter_records(path, fmt):
            item = record.item
            if isinstance(item, Paper):
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
            yield item


def iter_papers(paths: Sequence[PathLike] | PathLike, fmt: str | None = None) -> Iterator[Paper]:
    """Stream the distinct papers of several files (skips and duplicates left out).

    Use ``iter_outcomes`` or ``read_papers`` when the skipped records must be reported.
    """
    for item in iter_outcomes(paths, fmt):
        if isinstance(item, Paper):
            yield item


def read_papers(paths: Sequence[PathLike] | PathLike, fmt: str | None = None) -> ReadResult:
    """Read several files in order into one ``ReadResult`` with an account of every record.

    Args:
        paths: the input files, read in order; ids are unique across all of them.
        fmt: one of ``FORMATS`` for every file; None detects each file's format.

    Raises:
        InputError: a file cannot be read or the format is unknown.
    """
    items = _as_paths(paths)
    result = ReadResult(files=[str(path) for path in items])
    for item in iter_outcomes(items, fmt):
        if isinstance(item, Paper):
            result.papers.append(item)
        elif isinstance(item, SkippedRecord):
            result.skipped.append(item)
        else:
            result.duplicates.append(item)
        result.records += 1
    return result
