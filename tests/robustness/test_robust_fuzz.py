"""Property tests that hunt for crashes: readers, pipeline and table renderer on arbitrary input.

Bounded (``max_examples``) so that the suite stays fast; ``deadline=None`` because a
shared machine's load is not a bug. Whatever the input, a reader either accounts for
every record or raises ``InputError`` (one line); the pipeline never raises on text
the readers let through; a table never carries a control character to the terminal.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from kg import cli
from kg.errors import InputError
from kg.io import read_papers
from kg.io.records import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS, clean_text
from kg.models import Paper
from kg.nlp.pipeline import build_nlp, extract_papers

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that drive the parsers into their corners: brackets, quotes, separators,
# every line ending, escapes of lone surrogates, controls, BOMs, long runs.
_PIECES = st.sampled_from([
    "{", "}", "[", "]", '"', "'", ",", ":", "\\", "\r", "\n", "\r\n", "\t", " ", "\x00", "\x1b[2J", "\ufeff",
    '"id"', '"title"', '"abstract"', '"authors"', '"year"', "null", "true", "1e999", "-0", "2024",
    "\\ud800", "\\u0000", "title,abstract", "id,title,abstract", "We propose X. It gets 9.1% on GSM8K.",
    "Get trending papers in your email inbox", "Subscribe", "é", "数据", "🙂", "\u2028", "\x85", "a" * 300,
])
_TEXTISH = st.lists(_PIECES | st.text(max_size=20), max_size=40).map("".join)
_SUFFIXES = st.sampled_from([".txt", ".jsonl", ".json", ".csv", ".jsonl.gz", ".dat"])


def _check_read(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"in{suffix}"
        path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
        try:
            result = read_papers([path])
        except InputError as e:
            assert "\n" not in str(e) and str(e)
            return
        accounted = len(result.papers) + len(result.skipped) + len(result.duplicates) + len(result.filtered)
        assert accounted == result.records
        for paper in result.papers:
            assert paper.title and paper.abstract
            assert len(paper.title) <= MAX_TITLE_CHARS and len(paper.abstract) <= MAX_ABSTRACT_CHARS
            for text in (paper.id, paper.title, paper.abstract):
                text.encode("utf-8")  # no lone surrogate got through
                assert not any(ord(c) < 32 and c not in "\t\n\r" for c in paper.title + paper.abstract)


@FUZZ
@given(data=st.binary(max_size=400), suffix=_SUFFIXES)
def test_readers_on_arbitrary_bytes(data, suffix):
    _check_read(data, suffix)


@FUZZ
@given(text=_TEXTISH, suffix=_SUFFIXES)
def test_readers_on_parser_hostile_text(text, suffix):
    _check_read(text.encode("utf-8", "surrogatepass"), suffix)


_FIELD = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.booleans(), _TEXTISH,
                   st.lists(st.one_of(_TEXTISH, st.integers(), st.dictionaries(st.just("name"), _TEXTISH)), max_size=3))


@FUZZ
@given(rows=st.lists(st.dictionaries(st.sampled_from(["id", "title", "abstract", "summary", "authors", "categories",
                                                       "year", "update_date", "url", "source"]), _FIELD),
                     max_size=6))
def test_jsonl_records_with_any_field_values(rows):
    _check_read("".join(json.dumps(r) + "\n" for r in rows).encode("utf-8", "surrogatepass"), ".jsonl")


_NLP = None


def _nlp():
    global _NLP
    if _NLP is None:
        _NLP = build_nlp()
    return _NLP


_WORDS = st.sampled_from([
    "We", "propose", "GRPO", "StepCheck", "(", ")", "a", "method", "that", "improves", "accuracy", "on", "GSM8K",
    "MATH-500", "by", "+5.2", "points", "78.9%", "3.5x", "faster", "than", "PPO", "and", "Llama-3-8B", ".", ",", ";",
    "from", "to", "71.2", "pass@1", "BLEU", "WER", "of", "the", "baseline", "Transformer", "-", "/", "%", "x",
    "vs.", "e.g.", "\n", "数据", "🙂", "’", "“", "”", "…", "0", "1e9", "∼", "±", "≥",
])


@FUZZ
@given(title=st.lists(_WORDS | st.text(max_size=8), min_size=1, max_size=12).map(" ".join),
       abstract=st.lists(_WORDS | st.text(max_size=8), min_size=1, max_size=80).map(" ".join))
def test_the_pipeline_never_fails_on_text_the_readers_let_through(title, abstract):
    title, abstract = clean_text(title, "title"), clean_text(abstract, "abstract")
    if not title.strip() or not abstract.strip():
        return
    failed = []
    paper = Paper(id="p", title=title, abstract=abstract)
    (extraction,) = extract_papers([paper], nlp=_nlp(), on_error=failed.append)
    assert failed == []
    for item in [*extraction.entities, *extraction.claims]:
        field = title if item.field is not None and item.field.value == "title" else abstract
        if item.start is not None and item.end is not None:
            assert 0 <= item.start <= item.end <= len(field)


@FUZZ
@given(rows=st.lists(st.dictionaries(st.sampled_from(["id", "title", "evidence"]),
                                     st.one_of(st.text(), st.lists(st.text(), max_size=3), st.floats(allow_nan=False), st.none())),
                     min_size=1, max_size=4))
def test_the_table_renderer_prints_any_text_as_plain_text(rows):
    buf = io.StringIO()
    console = Console(file=buf, width=120, soft_wrap=False)
    original = cli._stdout
    cli._stdout = lambda: console
    try:
        cli._print_rows(rows, ["id", "title", "evidence"], as_json=False)
    finally:
        cli._stdout = original
    out = buf.getvalue()
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF for c in out)
    assert json.loads(cli.json_text(rows)) == json.loads(json.dumps(rows))
