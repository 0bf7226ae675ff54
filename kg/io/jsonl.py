"""Readers of JSON Lines and JSON arrays of paper records.

One object a record, with kg's field names (id, title, abstract, optional url,
year, authors, categories) or those of the arXiv metadata snapshot (which is
JSON Lines although its file ends in ``.json``). Unknown keys are ignored, so
gold files (entities, roles, claims) and extraction output read back as papers.

JSON Lines is streamed line by line, and a broken line costs only its own
record. A JSON array is one document: it is parsed whole, element by element,
so each element still gets the line it starts on; a syntax error in it is an
error of the whole file.

Nesting is bounded before anything is parsed: a line (or an array element)
nested deeper than ``MAX_JSON_DEPTH`` is skipped by counting its brackets
outside strings, so no input can drive the parser into a ``RecursionError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.io.records import Record, RecordError, iter_lines, paper_from_fields, skipped

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\r\n"
# A paper record nests 3 deep (arXiv's authors_parsed: a list of lists); gold files 4.
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, counted without parsing it.

    Brackets inside strings do not count; in broken JSON (an unterminated string)
    the count may be too high, never too low. Linear in the text and without
    recursion, so it is safe on any input.

    Example:
        >>> json_depth('{"a": [1, {"b": "[[["}]}')
        3
    """
    if text.count("[") + text.count("{") <= 1:
        return text.count("[") + text.count("{")
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads_bounded(text: str, limit: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` of a text whose nesting was checked first.

    Raises:
        RecordError: nested deeper than ``limit``.
        json.JSONDecodeError: not valid JSON.
    """
    if text.count("[") + text.count("{") > limit and json_depth(text) > limit:
        raise RecordError(f"JSON nested deeper than {limit} levels")
    return json.loads(text)


# ------------------------------------------------------------ pure helpers


def record_from_value(value: Any, file: str, line: int, source: str) -> Record:
    """Turn one decoded JSON value into a paper, or a skipped record saying why."""
    if not isinstance(value, dict):
        return skipped(file, line, f"not a JSON object (got {type(value).__name__})")
    repairs: list[str] = []
    try:
        return Record(file, line, paper_from_fields(value, source=source, repairs=repairs), tuple(repairs))
    except (RecordError, ValueError, TypeError) as e:  # ValueError: also pydantic's ValidationError
        return skipped(file, line, record_reason(e))


def record_reason(error: Exception) -> str:
    """One line saying why a record was skipped (a ``RecordError``'s message, else the error's kind too)."""
    text = " ".join(str(error).split()) or type(error).__name__
    if not isinstance(error, RecordError):
        text = f"{type(error).__name__}: {text}"
    return text if len(text) <= 300 else text[:299] + "…"


def _skip_ws(text: str, pos: int) -> int:
    """The first position at or after ``pos`` that is not JSON whitespace."""
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _after_element(file: str, text: str, end: int) -> tuple[int, bool]:
    """Where the next array element starts after one that ends at ``end``, and whether there is one.

    Raises:
        InputError: neither ',' nor ']' follows the element.
    """
    pos = _skip_ws(text, end)
    more = text.startswith(",", pos)
    if more:
        pos = _skip_ws(text, pos + 1)
    elif not text.startswith("]", pos):
        raise _syntax_error(file, text, pos, "expected ',' or ']' after an array element")
    return pos, more


def _syntax_error(file: str, text: str, pos: int, what: str) -> InputError:
    """An ``InputError`` for a JSON syntax error at character ``pos`` of ``text``."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return InputError(f"{file}:{line}: invalid JSON at column {column}: {what}")


TOO_DEEP = object()  # what ``iter_array_values`` yields for an element nested deeper than MAX_JSON_DEPTH
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.DOTALL)


def _element_end(text: str, pos: int) -> tuple[int, int]:
    """Where the array element starting at ``pos`` ends (its ``,`` or ``]``), and how deep it nests.

    Found by scanning brackets outside strings, without parsing, so any depth is safe.
    """
    depth = deepest = 0
    for match in _TOKEN.finditer(text, pos):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            if depth == 0:
                return match.start(), deepest
            depth -= 1
        elif token == "," and depth == 0:
            return match.start(), deepest
    return len(text), deepest


def iter_array_values(text: str, file: str) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, value)`` for each element of a top-level JSON array.

    A top-level object is taken as a single record; other values are refused. An
    element nested deeper than ``MAX_JSON_DEPTH`` is yielded as ``TOO_DEEP``, unparsed.

    Raises:
        InputError: a syntax error, or a top level that is neither array nor object.
    """
    pos = _skip_ws(text, 0)
    deep = text.count("[") + text.count("{") > MAX_JSON_DEPTH + 1 and json_depth(text) > MAX_JSON_DEPTH + 1
    if deep and not text.startswith("[", pos):
        raise InputError(f"{file}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if text.startswith("{", pos):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"{file}:{e.lineno}: invalid JSON at column {e.colno}: {e.msg}") from e
        yield text.count("\n", 0, pos) + 1, value
        return
    if not text.startswith("[", pos):
        raise _syntax_error(file, text, pos, "expected a JSON array or object of paper records")
    pos, line, counted = _skip_ws(text, pos + 1), 1, 0
    more = not text.startswith("]", pos)
    while more:
        line, counted = line + text.count("\n", counted, pos), pos
        if deep:  # some element nests too deep: measure each one before parsing it
            end, depth = _element_end(text, pos)
            if depth > MAX_JSON_DEPTH:
                yield line, TOO_DEEP
                pos, more = _after_element(file, text, end)
                continue
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise _syntax_error(file, text, e.pos, e.msg) from e
        yield line, value
        pos, more = _after_element(file, text, end)
    if _skip_ws(text, pos + 1) != len(text):
        raise _syntax_error(file, text, _skip_ws(text, pos + 1), "extra data after the array")


# ------------------------------------------------------------ readers


def iter_jsonl(path: Path, file: str) -> Iterator[Record]:
    """Stream the records of a JSON Lines file, one object a non-blank line.

    Raises:
        InputError: the file cannot be read (see ``kg.io.records.iter_lines``).
    """
    source = Path(file).name
    for number, text in iter_lines(path):
        if not text.strip():
            continue
        try:
            value = loads_bounded(text)
        except json.JSONDecodeError as e:
            yield skipped(file, number, f"invalid JSON at column {e.colno}: {e.msg}")
            continue
        except RecordError as e:
            yield skipped(file, number, str(e))
            continue
        yield record_from_value(value, file, number, source)


def iter_json(path: Path, file: str) -> Iterator[Record]:
    """Read the records of a JSON file holding an array of objects (or one object).

    Raises:
        InputError: the file cannot be read or is not valid JSON.
    """
    text = "\n".join(line for _, line in iter_lines(path))
    source = Path(file).name
    for line, value in iter_array_values(text, file):
        if value is TOO_DEEP:
            yield skipped(file, line, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
            continue
        yield record_from_value(value, file, line, source)
