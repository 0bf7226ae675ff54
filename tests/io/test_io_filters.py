"""Tests of kg.io filters: categories (names and prefixes), since, dates, and the accounting of filtered records."""

from __future__ import annotations

import datetime
import gzip
import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.io import PaperFilter, ReadResult, iter_outcomes, iter_papers, read_papers
from kg.io.filters import category_matches, parse_categories, parse_since
from kg.io.records import parse_date, paper_from_fields
from kg.models import DuplicateRecord, FilteredRecord, Paper

ABSTRACT = "We propose a method. It improves accuracy on GSM8K."


def _paper(pid: str = "p", *, categories: list[str] | None = None, date: str | None = None,
           year: int | None = None) -> Paper:
    return Paper(id=pid, title="T", abstract=ABSTRACT, categories=categories or [], date=date, year=year)


def _row(pid: str, categories: str = "cs.CL", date: str | None = "2024-03-01", **extra: object) -> dict:
    row: dict[str, object] = {"id": pid, "title": f"Title {pid}", "abstract": ABSTRACT, "categories": categories}
    if date is not None:
        row["update_date"] = date
    return {**row, **extra}


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _assert_accounted(result: ReadResult) -> None:
    parts = len(result.papers) + len(result.skipped) + len(result.duplicates) + len(result.filtered)
    assert parts == result.records


# ------------------------------------------------------------ dates on papers


@pytest.mark.parametrize(
    ("fields", "date", "year"),
    [
        ({"update_date": "2024-02-03"}, "2024-02-03", 2024),
        ({"date": "2023-11-30"}, "2023-11-30", 2023),
        ({"published": "2022-01-05T17:59:59Z"}, "2022-01-05", 2022),
        ({"update_date": "2024-02-03", "published": "2019-01-01"}, "2024-02-03", 2024),
        ({"update_date": "soon", "date": "2021-07-08"}, "2021-07-08", 2021),
        ({"year": 2020, "update_date": "2024-02-03"}, "2024-02-03", 2020),
        ({"update_date": "2024"}, None, 2024),
        ({"date": "2024-02-30"}, None, 2024),
        ({"date": "March 2024"}, None, None),
        ({}, None, None),
    ],
)
def test_paper_date_and_year_from_fields(fields: dict, date: str | None, year: int | None) -> None:
    paper = paper_from_fields({"title": "T", "abstract": "A.", **fields}, source="s")
    assert (paper.date, paper.year) == (date, year)


def test_parse_date_only_valid_iso_dates() -> None:
    assert parse_date(" 2024-02-03 ") == "2024-02-03"
    assert [parse_date(v) for v in ("2024-2-3", "20240203", 20240203, None, "2024-13-01")] == [None] * 5


def test_csv_date_column(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,title,abstract,published\nc1,T,A.,2021-06-07\n", encoding="utf-8")
    [paper] = read_papers(path).papers
    assert (paper.date, paper.year) == ("2021-06-07", 2021)


# ------------------------------------------------------------ parsing CLI strings


def test_parse_categories_splits_commas_and_repeats() -> None:
    assert parse_categories("cs.CL,cs.LG") == frozenset({"cs.CL", "cs.LG"})
    assert parse_categories(["cs.CL, cs.LG", "stat.*"]) == frozenset({"cs.CL", "cs.LG", "stat.*"})
    assert parse_categories(None) == frozenset() == parse_categories("")


@pytest.mark.parametrize("bad", ["cs.*.x", "*", "cs*", ".CL", "cs.C L!"])
def test_parse_categories_refuses_malformed(bad: str) -> None:
    with pytest.raises(InputError, match="bad category"):
        parse_categories(bad)


def test_parse_since() -> None:
    assert parse_since("2024-01-01") == datetime.date(2024, 1, 1)
    assert parse_since(datetime.date(2020, 5, 6)) == datetime.date(2020, 5, 6)
    assert parse_since(None) is None


@pytest.mark.parametrize("bad", ["2024-13-01", "2024-02-30", "01/02/2024", "20240101", "2024", "yesterday", ""])
def test_parse_since_malformed_raises_one_line_input_error(bad: str) -> None:
    with pytest.raises(InputError, match=r"bad date .* expected YYYY-MM-DD") as info:
        PaperFilter.parse(since=bad)
    assert "\n" not in str(info.value)


def test_paper_filter_parse_and_active() -> None:
    keep = PaperFilter.parse(categories="cs.CL,cs.*", since="2024-01-01")
    assert keep == PaperFilter(frozenset({"cs.CL", "cs.*"}), datetime.date(2024, 1, 1))
    assert keep.active and not PaperFilter().active and not PaperFilter.parse().active
    with pytest.raises(AttributeError):
        keep.since = None  # type: ignore[misc]  # frozen


# ------------------------------------------------------------ matching


@pytest.mark.parametrize(
    ("category", "wanted", "expected"),
    [
        ("cs.CL", "cs.CL", True),
        ("cs.cl", "cs.CL", True),
        ("cs.CL", "cs.LG", False),
        ("cs.CL", "cs.*", True),
        ("cs", "cs.*", False),
        ("physics.comp-ph", "physics.*", True),
        ("q-bio.NC", "cs.*", False),
        ("csx.AI", "cs.*", False),
        ("math.AG", "math", False),
    ],
)
def test_category_matches(category: str, wanted: str, expected: bool) -> None:
    assert category_matches(category, wanted) is expected


@pytest.mark.parametrize(
    ("paper", "passes"),
    [
        (_paper(categories=["math.CO", "cs.LG"], date="2024-01-01"), True),
        (_paper(categories=["stat.ML"], date="2024-05-01"), True),
        (_paper(categories=["math.CO"], date="2024-05-01"), False),
        (_paper(categories=[], date="2024-05-01"), False),
        (_paper(categories=["cs.LG"], date="2023-12-31"), False),
        (_paper(categories=["cs.LG"], year=2024), True),
        (_paper(categories=["cs.LG"], year=2023), False),
        (_paper(categories=["cs.LG"]), False),
    ],
)
def test_paper_filter_categories_prefix_and_since(paper: Paper, passes: bool) -> None:
    keep = PaperFilter.parse(categories="cs.LG,stat.*", since="2024-01-01")
    assert keep.accepts(paper) is passes
    assert (keep.reason(paper) is None) is passes


def test_paper_filter_reasons_say_why() -> None:
    keep = PaperFilter.parse(categories="cs.CL", since="2024-01-01")
    assert keep.reason(_paper(categories=["math.CO"], date="2024-05-01")) == "no category in cs.CL (has math.CO)"
    assert keep.reason(_paper(categories=["cs.CL"], date="2023-05-01")) == "date 2023-05-01 before 2024-01-01"
    assert keep.reason(_paper(categories=["cs.CL"])) == "no date or year to compare with 2024-01-01"


def test_empty_filter_keeps_everything() -> None:
    assert PaperFilter().accepts(_paper())
    assert PaperFilter(since=None).accepts(_paper(categories=["x"]))


# ------------------------------------------------------------ reading with a filter


def test_read_papers_filter_accounts_for_every_record(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "arxiv.jsonl",
        [
            _row("a", "cs.CL", "2024-03-01"),  # kept
            _row("b", "math.CO", "2024-03-01"),  # wrong category
            _row("c", "cs.LG stat.ML", "2023-03-01"),  # too old
            {"id": "d", "title": "No abstract"},  # skipped
            _row("a", "cs.CL", "2024-04-01"),  # duplicate of a
            _row("e", "stat.ML", None),  # no date
            _row("f", "cs.AI", "2024-01-01"),  # kept: prefix, on the day
        ],
    )
    result = read_papers(path, paper_filter=PaperFilter.parse(categories="cs.*", since="2024-01-01"))
    assert [p.id for p in result.papers] == ["a", "f"]
    assert [(f.line, f.paper_id) for f in result.filtered] == [(2, "b"), (3, "c"), (6, "e")]
    assert all(f.file == str(path) for f in result.filtered)
    assert "before 2024-01-01" in result.filtered[1].reason
    assert [(s.line, "missing abstract" in s.reason) for s in result.skipped] == [(4, True)]
    assert [(d.line, d.paper_id, d.first_line) for d in result.duplicates] == [(5, "a", 1)]
    assert result.records == 7
    _assert_accounted(result)
    assert result.summary() == "2 papers from 1 file (7 records, 1 skipped, 1 duplicate, 3 filtered out)"


def test_read_papers_without_filter_summary_unchanged(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "in.jsonl", [_row("a"), _row("b", "math.CO")])
    for paper_filter in (None, PaperFilter()):
        result = read_papers(path, paper_filter=paper_filter)
        assert not result.filtered
        assert result.summary() == "2 papers from 1 file (2 records, 0 skipped, 0 duplicates)"


def test_filtered_record_does_not_claim_its_id(tmp_path: Path) -> None:
    first = _write_jsonl(tmp_path / "a.jsonl", [_row("x", "math.CO"), _row("y", "cs.CL")])
    second = _write_jsonl(tmp_path / "b.jsonl", [_row("x", "cs.CL"), _row("y", "cs.CL")])
    outcomes = list(iter_outcomes([first, second], paper_filter=PaperFilter.parse(categories="cs.CL")))
    assert [type(o).__name__ for o in outcomes] == ["FilteredRecord", "Paper", "Paper", "DuplicateRecord"]
    kept = outcomes[2]
    assert isinstance(kept, Paper) and (kept.id, kept.title) == ("x", "Title x")
    duplicate = outcomes[3]
    assert isinstance(duplicate, DuplicateRecord) and (duplicate.first_file, duplicate.first_line) == (str(first), 2)
    filtered = outcomes[0]
    assert isinstance(filtered, FilteredRecord)
    assert str(filtered) == f"{first}:1: 'x' filtered out: no category in cs.CL (has math.CO)"


def test_iter_papers_with_filter_on_compressed_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "arxiv-metadata-oai-snapshot.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for row in [_row("a", "cs.CL"), _row("b", "hep-th"), _row("c", "cs.LG", "2020-01-01")]:
            handle.write(json.dumps(row) + "\n")
    keep = PaperFilter.parse(categories=["cs.CL", "cs.LG"], since="2021-01-01")
    assert [p.id for p in iter_papers(path, paper_filter=keep)] == ["a"]
    assert [p.id for p in iter_papers(path)] == ["a", "b", "c"]
