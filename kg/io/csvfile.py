"""Reader of CSV files whose header names the paper fields.

The header must have a ``title`` and an ``abstract`` column (any case, any
order); ``id``, ``url``, ``year``, ``authors`` (``;``-separated, or "A, B and
C") and ``categories`` are used when present, other columns are ignored. The
file is streamed; quoted fields may span lines, and each record is reported at
the line it starts on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.io.jsonl import record_reason
from kg.io.records import (
    MAX_ABSTRACT_CHARS,
    Record,
    RecordError,
    iter_lines,
    paper_from_fields,
    skipped,
)

REQUIRED_COLUMNS = ("title", "abstract")
# csv's default field limit (131,072 characters) refuses a long but real abstract, and
# with it the whole file; a field up to the longest abstract kg keeps (cut there) is read.
FIELD_SIZE_LIMIT = 4 * MAX_ABSTRACT_CHARS
if csv.field_size_limit() < FIELD_SIZE_LIMIT:
    csv.field_size_limit(FIELD_SIZE_LIMIT)


# ------------------------------------------------------------ pure helpers


def normalize_header(row: list[str]) -> list[str]:
    """Header names as keys: stripped and lower case.

    Example:
        >>> normalize_header([" Title", "ABSTRACT "])
        ['title', 'abstract']
    """
    return [name.strip().lower() for name in row]


def is_paper_header(row: list[str]) -> bool:
    """True when a CSV row names both a title and an abstract column."""
    names = set(normalize_header(row))
    return all(column in names for column in REQUIRED_COLUMNS)


def row_fields(header: list[str], row: list[str]) -> dict[str, str | None]:
    """The fields of a data row by column name; empty cells count as absent.

    Raises:
        RecordError: the row has a different number of fields than the header.
    """
    if len(row) != len(header):
        raise RecordError(f"expected {len(header)} fields as in the header, got {len(row)}")
    return {name: (value if value.strip() else None) for name, value in zip(header, row) if name}


# ------------------------------------------------------------ reader


def iter_csv(path: Path, file: str) -> Iterator[Record]:
    """Stream the records of a CSV file with a paper header.

    Raises:
        InputError: the file cannot be read, its header lacks title/abstract, or
            the CSV itself is broken (e.g. an unterminated quote).
    """
    source = Path(file).name
    reader = csv.reader((text for _, text in iter_lines(path, keepends=True)), strict=True)
    header: list[str] | None = None
    consumed = 0
    try:
        for row in reader:
            start, consumed = consumed + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                if not is_paper_header(row):
                    missing = [c for c in REQUIRED_COLUMNS if c not in set(normalize_header(row))]
                    names = " and ".join(f"'{c}'" for c in missing)
                    raise InputError(f"{file}:{start}: CSV header {ascii(row)[:120]} has no {names} "
                                     f"column{'s' if len(missing) > 1 else ''} (a paper CSV needs 'title' and 'abstract')")
                header = normalize_header(row)
                continue
            repairs: list[str] = []
            try:
                paper = paper_from_fields(row_fields(header, row), source=source, repairs=repairs)
            except (RecordError, ValueError, TypeError) as e:
                yield skipped(file, start, record_reason(e))
                continue
            yield Record(file, start, paper, tuple(repairs))
    except csv.Error as e:
        raise InputError(f"{file}:{reader.line_num}: broken CSV: {e}") from e
