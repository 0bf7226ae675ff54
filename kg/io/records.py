"""What every reader shares: checked line reading, field mapping, stable paper ids.

The readers differ only in how they cut a file into records. Everything after
that (which field is the title, how a year or an author list is written, what id
a paper without one gets) lives here, so that a JSON Lines file, a JSON array
and a CSV file with the same content give the same ``Paper`` records.

Files may be compressed: a ``.gz`` or ``.bz2`` suffix is decompressed as the
file streams (``iter_lines``), and ``content_suffix`` tells the format suffix
under it (``papers.jsonl.bz2`` is ``.jsonl``).

A file that cannot be read at all raises ``InputError`` with one line naming
the file (and line). A record that cannot be used raises the private
``RecordError``; the readers turn it into a ``SkippedRecord``.
"""

from __future__ import annotations

import bz2
import datetime
import gzip
import hashlib
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, NamedTuple

from kg.errors import InputError
from kg.models import Paper, SkippedRecord, normalize_name

YEAR_MIN = 1900
YEAR_MAX = 2100

_WS = re.compile(r"\s+")
_AUTHOR_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_CATEGORY_SPLIT = re.compile(r"[\s,;]+")
_DATE_YEAR = re.compile(r"^\s*(\d{4})(?:\D|$)")
_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T\s]|$)")
# Keys that only the arXiv metadata snapshot has; they mark a record as arXiv's.
_ARXIV_KEYS = ("update_date", "versions", "authors_parsed")
# Where a record's date is, in order of preference (arXiv's last update first).
DATE_KEYS = ("update_date", "date", "published")

# Compression suffix -> (name in messages, binary opener). Each opener decompresses as it streams.
COMPRESSIONS: dict[str, tuple[str, Callable[[Path], IO[bytes]]]] = {
    ".gz": ("gzip", lambda path: gzip.open(path, "rb")),
    ".bz2": ("bzip2", lambda path: bz2.open(path, "rb")),
}
# What a broken compressed stream raises: gzip.BadGzipFile and bz2's "Invalid data
# stream" are OSErrors, a truncated stream is an EOFError, a bad deflate block a zlib.error.
_DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error)


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


def parse_date(value: Any) -> str | None:
    """The ISO ``YYYY-MM-DD`` date at the start of a string; None when there is none.

    A time after the date (``2024-02-03T10:00:00Z``, arXiv API's ``published``) is
    dropped. A value that is not such a date (``"2024"``, ``"March 2024"``,
    ``"2024-02-30"``) gives None rather than a skipped record: the date is
    optional and only filters use it.

    Example:
        >>> parse_date("2024-02-03T10:00:00Z")
        '2024-02-03'
        >>> parse_date("2024") is None
        True
    """
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value)
    if not match:
        return None
    try:
        return datetime.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def record_date(data: Mapping[str, Any]) -> str | None:
    """The record's ISO date: the first of ``DATE_KEYS`` that holds one (see ``parse_date``)."""
    return next((date for date in (parse_date(data.get(key)) for key in DATE_KEYS) if date), None)


def _year_of_date(data: Mapping[str, Any], date: str | None) -> int | None:
    """The year a record's date gives: the date's, else the leading four digits of a date field.

    The fallback keeps ``"update_date": "2024"`` giving a year without a date.

    Raises:
        RecordError: the year is outside [1900, 2100].
    """
    if date is not None:
        return parse_year(date[:4])
    for key in DATE_KEYS:
        match = _DATE_YEAR.match(data[key]) if isinstance(data.get(key), str) else None
        if match:
            return parse_year(match.group(1))
    return None


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
    string, categories space-separated, ``update_date`` for the date). The
    date comes from ``update_date``, else ``date``, else ``published``; a
    record without a year takes the date's. Unknown keys are ignored, so gold
    files with entities/roles/claims read as papers.

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
    date = record_date(data)
    year = parse_year(data.get("year"))
    if year is None:
        year = _year_of_date(data, date)
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
        date=date,
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


def compression(path: Path) -> str | None:
    """The compression suffix of a file (``".gz"``, ``".bz2"``), or None for plain text.

    Example:
        >>> compression(Path("arxiv-metadata-oai-snapshot.json.gz"))
        '.gz'
    """
    suffix = path.suffix.lower()
    return suffix if suffix in COMPRESSIONS else None


def content_suffix(path: Path) -> str:
    """The lower-case suffix that tells the format: the one under a compression suffix.

    Example:
        >>> content_suffix(Path("papers.jsonl.bz2")), content_suffix(Path("x.CSV"))
        ('.jsonl', '.csv')
    """
    return (path.with_suffix("") if compression(path) else path).suffix.lower()


def _open_binary(path: Path) -> IO[bytes]:
    """The file's bytes: decompressed as they are read when it is ``.gz``/``.bz2``."""
    kind = compression(path)
    return COMPRESSIONS[kind][1](path) if kind else path.open("rb")


def _raw_lines(path: Path) -> Iterator[bytes]:
    """Stream the raw lines of a file, decompressing on the fly.

    Raises:
        InputError: the compressed data is corrupt or truncated (with the line reached).
    """
    kind = compression(path)
    number = 0
    with _open_binary(path) as handle:
        while True:
            try:
                raw = handle.readline()
            except _DECOMPRESSION_ERRORS as e:
                name = COMPRESSIONS[kind][0] if kind else "file"
                raise InputError(f"{path}:{number + 1}: cannot read {name} data: {str(e) or type(e).__name__}") from e
            if not raw:
                return
            number += 1
            yield raw


def iter_lines(path: Path, *, keepends: bool = False) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` of a UTF-8 text file, checking as it streams.

    Lines are decoded one at a time so a multi-gigabyte arXiv snapshot is never
    held in memory, yet a NUL byte or an invalid UTF-8 sequence anywhere still
    stops the read with the line it is on. A leading byte-order mark is dropped.
    A ``.gz`` or ``.bz2`` file is decompressed as it streams, with the same checks
    on the decompressed lines (binary mode, so that a bad byte still has its line).

    Args:
        path: the file.
        keepends: keep the line ending (the CSV reader needs it inside quoted fields).

    Raises:
        InputError: missing, empty or blank-only file (also after decompression),
            corrupt or truncated compressed data, a NUL byte (binary), or not UTF-8.
    """
    check_file(path)
    seen_text = False
    for number, raw in enumerate(_raw_lines(path), start=1):
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
        after = " after decompression" if compression(path) else ""
        raise InputError(f"{path}: empty file{after} (only blank lines)")


def skipped(file: str, line: int, reason: str) -> Record:
    """A ``Record`` for a record that cannot be used."""
    return Record(file, line, SkippedRecord(file=file, line=line, reason=reason))
