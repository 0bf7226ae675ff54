"""What every reader shares: checked line reading, field mapping, stable paper ids.

The readers differ only in how they cut a file into records. Everything after
that (which field is the title, how a year or an author list is written, what id
a paper without one gets) lives here, so that a JSON Lines file, a JSON array
and a CSV file with the same content give the same ``Paper`` records.

A file that cannot be read at all raises ``InputError`` with one line naming
the file (and line). A record that cannot be used raises the private
``RecordError``; the readers turn it into a ``SkippedRecord``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from kg.errors import InputError
from kg.models import Paper, SkippedRecord, normalize_name

YEAR_MIN = 1900
YEAR_MAX = 2100

_WS = re.compile(r"\s+")
_AUTHOR_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_CATEGORY_SPLIT = re.compile(r"[\s,;]+")
_DATE_YEAR = re.compile(r"^\s*(\d{4})(?:\D|$)")
# Keys that only the arXiv metadata snapshot has; they mark a record as arXiv's.
_ARXIV_KEYS = ("update_date", "versions", "authors_parsed")


class RecordError(ValueError):
    """One record cannot be used; the message is the reason a reader reports."""


class Record(NamedTuple):
    """One record of an input file: where it starts and what it gave.

    Attributes:
        file: the file as the caller named it.
        line: 1-based line where the record starts.
        item: the paper read, or why the record was skipped.
    """

    file: str
    line: int
    item: Paper | SkippedRecord


# ------------------------------------------------------------ pure helpers


def collapse_ws(text: str) -> str:
    """Strip and turn every whitespace run into one space.

    arXiv titles and abstracts are hard-wrapped with newlines and indentation;
    a paper's text must not depend on where its source wrapped lines.

    Example:
        >>> collapse_ws("  Deep\\n  Learning ")
        'Deep Learning'
    """
    return _WS.sub(" ", text).strip()


def derive_paper_id(title: str) -> str:
    """The stable id of a paper that has no source id: a hash of its normalized title.

    Normalizing first (case, punctuation, spacing) makes the same paper read from
    two sources get the same id, so it is merged rather than doubled.

    Example:
        >>> derive_paper_id("GSM-8K Rocks") == derive_paper_id("gsm8k rocks")
        True
    """
    key = normalize_name(title)
    if not key:
        raise RecordError(f"title {title!r} has no letters or digits to derive an id from")
    return "t-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def split_authors(value: str) -> list[str]:
    """Split an author string such as arXiv's ``"A, B and C"`` into names.

    A string with semicolons is split on them only, since a semicolon list may
    hold "Last, First" names.

    Example:
        >>> split_authors("Ada Lovelace, Alan Turing and Grace Hopper")
        ['Ada Lovelace', 'Alan Turing', 'Grace Hopper']
    """
    text = collapse_ws(value)
    parts = text.split(";") if ";" in text else _AUTHOR_SPLIT.split(text)
    return [name.strip() for name in parts if name.strip()]


def parse_year(value: Any) -> int | None:
    """A publication year from an int or a numeric string; None when absent.

    Raises:
        RecordError: the value is not a year in [1900, 2100].
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RecordError(f"bad year {value!r}")
    text = str(value).strip()
    if not text.isdigit() or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise RecordError(f"bad year {value!r}")
    return int(text)


def _text_field(data: Mapping[str, Any], *keys: str) -> str:
    """The first present string field among ``keys``, whitespace collapsed ("" if absent)."""
    for key in keys:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise RecordError(f"{key} is not a string (got {type(value).__name__} {value!r:.40})")
        return collapse_ws(value)
    return ""


def _name_list(value: Any, key: str, splitter: Any) -> list[str]:
    """A list of names from a string (split by ``splitter``) or a list of strings or {name: ...}."""
    if value is None:
        return []
    if isinstance(value, str):
        return splitter(value)
    if not isinstance(value, list):
        raise RecordError(f"{key} is neither a string nor a list (got {value!r:.40})")
    names = []
    for item in value:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            item = item["name"]
        if not isinstance(item, str):
            raise RecordError(f"{key} entry is not a name (got {item!r:.40})")
        if collapse_ws(item):
            names.append(collapse_ws(item))
    return names


def _source_id(data: Mapping[str, Any]) -> str:
    """The record's own id as a string ("" when it has none)."""
    value = data.get("id")
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RecordError(f"id is neither a string nor an integer (got {value!r:.40})")
    return str(value).strip()


def paper_from_fields(data: Mapping[str, Any], *, source: str) -> Paper:
    """Build a ``Paper`` from a record's fields, whatever format it came from.

    Accepts kg's own field names (id, title, abstract, url, year, authors,
    categories) and those of the arXiv metadata snapshot (authors as one
    string, categories space-separated, ``update_date`` for the year). Unknown
    keys are ignored, so gold files with entities/roles/claims read as papers.

    Args:
        data: the record's fields (a JSON object or a CSV row).
        source: where the paper came from when the record does not say (the file name).

    Raises:
        RecordError: no title, no abstract, or a field of the wrong kind.
    """
    title = _text_field(data, "title")
    if not title:
        raise RecordError("missing title")
    abstract = _text_field(data, "abstract", "summary")
    if not abstract:
        raise RecordError("missing abstract")
    year = parse_year(data.get("year"))
    if year is None and isinstance(data.get("update_date"), str):
        match = _DATE_YEAR.match(data["update_date"])
        year = parse_year(match.group(1)) if match else None
    paper_id = _source_id(data) or derive_paper_id(title)
    url = _text_field(data, "url") or None
    if url is None and any(key in data for key in _ARXIV_KEYS) and _source_id(data):
        url = f"https://arxiv.org/abs/{paper_id}"
    return Paper(
        id=paper_id,
        title=title,
        abstract=abstract,
        source=_text_field(data, "source") or source,
        url=url,
        year=year,
        authors=_name_list(data.get("authors"), "authors", split_authors),
        categories=_name_list(
            data.get("categories"), "categories", lambda s: [c for c in _CATEGORY_SPLIT.split(s) if c]
        ),
    )


# ------------------------------------------------------------ file access


def check_file(path: Path) -> None:
    """Raise ``InputError`` unless ``path`` is an existing, non-empty regular file."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file")


def iter_lines(path: Path, *, keepends: bool = False) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` of a UTF-8 text file, checking as it streams.

    Lines are decoded one at a time so a multi-gigabyte arXiv snapshot is never
    held in memory, yet a NUL byte or an invalid UTF-8 sequence anywhere still
    stops the read with the line it is on. A leading byte-order mark is dropped.

    Args:
        path: the file.
        keepends: keep the line ending (the CSV reader needs it inside quoted fields).

    Raises:
        InputError: missing, empty or blank-only file, a NUL byte (binary), or not UTF-8.
    """
    check_file(path)
    seen_text = False
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if b"\x00" in raw:
                raise InputError(f"{path}:{number}: binary file (NUL byte), expected UTF-8 text")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{path}:{number}: not UTF-8 text (byte 0x{raw[e.start]:02x} at column {e.start + 1})"
                ) from e
            if number == 1:
                text = text.removeprefix("\ufeff")
            seen_text = seen_text or bool(text.strip())
            yield number, (text if keepends else text.rstrip("\r\n"))
    if not seen_text:
        raise InputError(f"{path}: empty file (only blank lines)")


def skipped(file: str, line: int, reason: str) -> Record:
    """A ``Record`` for a record that cannot be used."""
    return Record(file, line, SkippedRecord(file=file, line=line, reason=reason))
