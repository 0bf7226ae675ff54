"""Reader of the trending-papers page text: a title line, then an abstract line.

The page is copied as text, so it carries chrome: "Get trending papers in your
email inbox..." lines and a "Subscribe" button label glued to the first title
("SubscribeA Type Theory for ..."). There are no ids, so each paper's id is
derived from its title.

Titles and abstracts are told apart by alternation after the chrome is removed,
checked against the shape of each line: a line with more than 40 words, or a
longer line of several sentences, is an abstract; anything else is a title. A
line that breaks the alternation (an abstract with no title before it, a title
with no abstract after it) is reported as a skipped record with its line, so a
page copied with a missing or doubled line loses that one paper, not the
pairing of every paper after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.io.records import (
    MAX_ABSTRACT_CHARS,
    MAX_TITLE_CHARS,
    Record,
    RecordError,
    clean_text,
    derive_paper_id,
    iter_lines,
    skipped,
)
from kg.models import Paper

_CHROME_LINE = re.compile(r"^(?:Get trending papers in your email inbox\b.*|Subscribe)$", re.IGNORECASE)
_SUBSCRIBE = "Subscribe"
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z(]|\s*$)")
ABSTRACT_MIN_WORDS = 40
SENTENCES_MIN_WORDS = 20


# ------------------------------------------------------------ pure helpers


def is_chrome(line: str) -> bool:
    """True for a line of page chrome rather than paper text.

    Example:
        >>> is_chrome("Get trending papers in your email inbox once a day!")
        True
    """
    return bool(_CHROME_LINE.match(line.strip()))


def strip_subscribe(line: str) -> str:
    """Remove a "Subscribe" button label glued to the start of a title.

    A following lower-case ASCII letter means the word goes on ("Subscriber ...",
    "Subscribed ..."), so the line is left as it is; any other character (a capital,
    a digit, "π") starts the glued title.

    Example:
        >>> strip_subscribe("SubscribeA Type Theory")
        'A Type Theory'
    """
    rest = line[len(_SUBSCRIBE) :]
    if line.startswith(_SUBSCRIBE) and rest and not (rest[0].isascii() and rest[0].islower()):
        return rest.strip()
    return line


def looks_like_abstract(line: str) -> bool:
    """True when a line has the shape of an abstract rather than a title.

    Titles on the page have at most ~20 words and one clause; abstracts have
    ~100 words and several sentences.

    Example:
        >>> looks_like_abstract("Does Fine-Tuning LLMs on New Knowledge Encourage Hallucinations?")
        False
    """
    words = len(line.split())
    if words > ABSTRACT_MIN_WORDS:
        return True
    return words > SENTENCES_MIN_WORDS and len(_SENTENCE_END.findall(line)) >= 2


def content_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Drop chrome and blank lines; unglue "Subscribe" from the line after chrome."""
    after_chrome = True
    for number, text in lines:
        line = text.strip()
        if not line:
            continue
        if is_chrome(line):
            after_chrome = True
            continue
        if after_chrome:
            line = strip_subscribe(line)
            after_chrome = False
        if line:
            yield number, line


def pair_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str, str | None]]:
    """Pair title and abstract lines by alternation, reporting the lines that break it.

    Yields:
        ``(line, title, abstract)`` for a pair; ``(line, reason, None)`` for a
        line that breaks the alternation.
    """
    pending: tuple[int, str] | None = None
    for number, line in lines:
        abstract_like = looks_like_abstract(line)
        if pending is None:
            if abstract_like:
                yield number, "abstract line without a title line before it (alternation broken)", None
            else:
                pending = (number, line)
        elif abstract_like:
            yield pending[0], pending[1], line
            pending = None
        else:
            yield pending[0], "title line without an abstract line after it (alternation broken)", None
            pending = (number, line)
    if pending is not None:
        yield pending[0], "title line without an abstract line after it (end of file)", None


# ------------------------------------------------------------ reader


def iter_trending(path: Path, file: str) -> Iterator[Record]:
    """Stream the records of a trending-page text file.

    Args:
        path: the file to read.
        file: the name to report in skipped records (the path as the caller gave it).

    Raises:
        InputError: the file cannot be read (see ``iter_lines``).
    """
    source = Path(file).name
    for number, first, second in pair_lines(content_lines(iter_lines(path))):
        if second is None:
            yield skipped(file, number, first)
            continue
        repairs: list[str] = []
        title = clean_text(first, "title", repairs, limit=MAX_TITLE_CHARS)
        abstract = clean_text(second, "abstract", repairs, limit=MAX_ABSTRACT_CHARS)
        try:
            paper_id = derive_paper_id(title)
        except RecordError as e:
            yield skipped(file, number, str(e))
            continue
        yield Record(file, number, Paper(id=paper_id, title=title, abstract=abstract, source=source), tuple(repairs))
