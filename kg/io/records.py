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

Lines end in LF, CRLF or a lone CR (old Mac files, some exports): all three end
a line. Text is checked on the way in, so that nothing later (spaCy, SQLite,
Neo4j, XML) meets a value it cannot hold (limits in ``README.md``, Robustness):

- invalid code points (lone surrogates from JSON ``\\ud800`` escapes,
  U+FFFE/U+FFFF) are replaced by U+FFFD, and control characters other than
  whitespace are dropped, in every text field; the record is used and reported
  as repaired;
- a title longer than ``MAX_TITLE_CHARS`` or an abstract longer than
  ``MAX_ABSTRACT_CHARS`` is cut at the last word boundary before the limit
  (repaired);
- a record with an abstract but no title gets the abstract's first words as
  its title (repaired);
- an id longer than ``MAX_ID_CHARS`` or holding control characters or invalid
  code points is refused (skipped): an id is a key, and changing it would merge
  or split papers.
"""

from __future__ import annotations

import bz2
import datetime
import gzip
import hashlib
import io
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, NamedTuple

from kg.errors import InputError
from kg.models import Paper, SkippedRecord, normalize_name

YEAR_MIN = 1900
YEAR_MAX = 2100
# Limits of what a record may hold (README, Robustness). Real titles stay under 300
# characters and arXiv abstracts under 2,000; the limits only stop pathological input.
MAX_ID_CHARS = 256
MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 1_000_000
MAX_FIELD_CHARS = 10_000  # any other text field: url, source, one author or category name
TITLE_WORDS = 12  # words of the abstract that make the title of a record without one

# C0 and C1 controls, DEL: never text (tab, LF, CR are whitespace and collapse to a space).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Code points no UTF-8 encoder, SQLite text or XML 1.0 document accepts: lone surrogates, U+FFFE/U+FFFF.
_INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")
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
        repairs: what was changed to make the paper usable (see ``clean_text``); empty when nothing.
    """

    file: str
    line: int
    item: Paper | SkippedRecord
    repairs: tuple[str, ...] = ()


# ------------------------------------------------------------ pure helpers


def collapse_ws(text: str) -> str:
    """Strip and turn every whitespace run into one space.

    arXiv titles and abstracts are hard-wrapped with newlines and indentation;
    a paper's text must not depend on where its source wrapped lines.

    Example:
        >>> collapse_ws("  Deep\\n  Learning ")
        'Deep Learning'
    """
    return " ".join(text.split())  # str.split splits on exactly the characters of r"\s" (checked), 5x faster


def clean_text(value: str, field: str, repairs: list[str] | None = None, *, limit: int = MAX_FIELD_CHARS) -> str:
    """A text field made safe for every later stage, each change noted in ``repairs``.

    Whitespace runs collapse to one space (see ``collapse_ws``); other control
    characters (C0, DEL, C1: terminal escapes among them) are dropped; invalid code
    points become U+FFFD; text longer than ``limit`` is cut at the last space before it.

    Example:
        >>> notes = []
        >>> clean_text("Bad \\x1b[2J  title", "title", notes)
        'Bad [2J title'
        >>> notes
        ['title: 1 control character dropped']
    """
    notes = repairs if repairs is not None else []
    text = collapse_ws(value)
    text, invalid = _INVALID.subn("\ufffd", text)
    if invalid:
        notes.append(f"{field}: {invalid} invalid code point{'s' * (invalid != 1)} replaced by U+FFFD")
    text, controls = _CONTROL.subn("", text)
    if controls:
        notes.append(f"{field}: {controls} control character{'s' * (controls != 1)} dropped")
        text = collapse_ws(text)
    if len(text) > limit:
        notes.append(f"{field}: cut to {limit:,} characters (was {len(text):,})")
        cut = text[:limit]
        space = cut.rfind(" ", limit // 2)
        text = (cut[:space] if space > 0 else cut).rstrip()
    return text


def title_from_abstract(abstract: str) -> str:
    """The display title of a record without one: the abstract's first words.

    Example:
        >>> title_from_abstract("We study scaling laws. They hold.")
        'We study scaling laws.'
    """
    words = abstract.split()
    first = " ".join(words[:TITLE_WORDS])
    end = re.search(r"[.!?](?=\s|$)", first)
    if end and end.end() >= 12:
        return first[: end.end()]
    return first + (" …" if len(words) > TITLE_WORDS else "")


def check_id(value: str) -> str:
    """A paper id as given, or ``RecordError`` when no store or database should hold it as a key.

    Raises:
        RecordError: longer than ``MAX_ID_CHARS``, or with control characters or invalid code points.
    """
    if len(value) > MAX_ID_CHARS:
        raise RecordError(f"id of {len(value):,} characters is longer than the limit of {MAX_ID_CHARS}")
    if _CONTROL.search(value) or _INVALID.search(value) or any(c in value for c in "\t\n\r"):
        raise RecordError(f"id {value[:60]!a} holds control characters or invalid code points")
    return value


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
        raise RecordError(f"title {ascii(title)[:80]} has no letters or digits to derive an id from")
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


def _text_field(data: Mapping[str, Any], *keys: str, repairs: list[str] | None = None,
                limit: int = MAX_FIELD_CHARS) -> str:
    """The first present string field among ``keys``, cleaned by ``clean_text`` ("" if absent)."""
    for key in keys:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise RecordError(f"{key} is not a string (got {type(value).__name__} {ascii(value)[:40]})")
        return clean_text(value, key, repairs, limit=limit)
    return ""


def _name_list(value: Any, key: str, splitter: Any, repairs: list[str] | None = None) -> list[str]:
    """A list of names from a string (split by ``splitter``) or a list of strings or {name: ...}."""
    if value is None:
        return []
    if isinstance(value, str):
        return [name for name in (clean_text(n, key, repairs) for n in splitter(value)) if name]
    if not isinstance(value, list):
        raise RecordError(f"{key} is neither a string nor a list (got {ascii(value)[:40]})")
    names = []
    for item in value:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            item = item["name"]
        if not isinstance(item, str):
            raise RecordError(f"{key} entry is not a name (got {ascii(item)[:40]})")
        name = clean_text(item, key, repairs)
        if name:
            names.append(name)
    return names


def _source_id(data: Mapping[str, Any]) -> str:
    """The record's own id as a string ("" when it has none)."""
    value = data.get("id")
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RecordError(f"id is neither a string nor an integer (got {ascii(value)[:40]})")
    return check_id(str(value).strip())


def paper_from_fields(data: Mapping[str, Any], *, source: str, repairs: list[str] | None = None) -> Paper:
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
        repairs: where to note what was changed to make the record usable (see ``clean_text``;
            a title made from the abstract's first words).

    Raises:
        RecordError: no abstract, no title or abstract with letters, a bad id, or a
            field of the wrong kind.
    """
    repairs = repairs if repairs is not None else []
    abstract = _text_field(data, "abstract", "summary", repairs=repairs, limit=MAX_ABSTRACT_CHARS)
    title = _text_field(data, "title", repairs=repairs, limit=MAX_TITLE_CHARS)
    if not abstract:
        raise RecordError("missing abstract" if title else "missing title and abstract")
    if not title:
        title = title_from_abstract(abstract)
        repairs.append("no title: the abstract's first words are its title")
    date = record_date(data)
    year = parse_year(data.get("year"))
    if year is None:
        year = _year_of_date(data, date)
    paper_id = _source_id(data) or derive_paper_id(title)
    url = _text_field(data, "url", repairs=repairs) or None
    if url is None and any(key in data for key in _ARXIV_KEYS) and _source_id(data):
        url = f"https://arxiv.org/abs/{paper_id}"
    return Paper(
        id=paper_id,
        title=title,
        abstract=abstract,
        source=_text_field(data, "source", repairs=repairs) or source,
        url=url,
        year=year,
        date=date,
        authors=_name_list(data.get("authors"), "authors", split_authors, repairs),
        categories=_name_list(
            data.get("categories"), "categories", lambda s: [c for c in _CATEGORY_SPLIT.split(s) if c], repairs
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


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # an undecodable byte, as errors="surrogateescape" keeps it


def _text_lines(path: Path) -> Iterator[str]:
    """Stream the lines of a file as text, decompressing on the fly; LF, CRLF and CR all end a line.

    Bytes that are not UTF-8 come through as escaped code points (``surrogateescape``)
    so that ``iter_lines`` can report the line they are on.

    Raises:
        InputError: the compressed data is corrupt or truncated (with the line reached).
    """
    kind = compression(path)
    number = 0
    with _open_binary(path) as raw, io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape",
                                                     newline=None) as handle:
        while True:
            try:
                text = handle.readline()
            except _DECOMPRESSION_ERRORS as e:
                name = COMPRESSIONS[kind][0] if kind else "file"
                raise InputError(f"{path}:{number + 1}: cannot read {name} data: {str(e) or type(e).__name__}") from e
            if not text:
                return
            number += 1
            yield text


def iter_lines(path: Path, *, keepends: bool = False) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` of a UTF-8 text file, checking as it streams.

    Lines are decoded one at a time so a multi-gigabyte arXiv snapshot is never
    held in memory, yet a NUL byte or an invalid UTF-8 sequence anywhere still
    stops the read with the line it is on. A leading byte-order mark is dropped.
    A ``.gz`` or ``.bz2`` file is decompressed as it streams, with the same checks
    on the decompressed lines. LF, CRLF and a lone CR all end a line; with
    ``keepends`` each line ends in ``"\\n"`` whatever the file used.

    Args:
        path: the file.
        keepends: keep the line ending (the CSV reader needs it inside quoted fields).

    Raises:
        InputError: missing, empty or blank-only file (also after decompression),
            corrupt or truncated compressed data, a NUL byte (binary), or not UTF-8.
    """
    check_file(path)
    seen_text = False
    for number, text in enumerate(_text_lines(path), start=1):
        if "\x00" in text:
            raise InputError(f"{path}:{number}: binary file (NUL byte), expected UTF-8 text")
        bad = _ESCAPED_BYTE.search(text)
        if bad is not None:
            byte = ord(bad.group()) - 0xDC00
            raise InputError(f"{path}:{number}: not UTF-8 text (byte 0x{byte:02x} at column {bad.start() + 1})")
        if number == 1:
            text = text.removeprefix("\ufeff")
        seen_text = seen_text or bool(text.strip())
        yield number, (text if keepends else text.rstrip("\n"))
    if not seen_text:
        after = " after decompression" if compression(path) else ""
        raise InputError(f"{path}: empty file{after} (only blank lines)")


def skipped(file: str, line: int, reason: str) -> Record:
    """A ``Record`` for a record that cannot be used."""
    return Record(file, line, SkippedRecord(file=file, line=line, reason=reason))
