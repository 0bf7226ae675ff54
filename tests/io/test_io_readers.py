"""Tests of kg.io: JSON Lines, JSON arrays, CSV, format detection, bad input, accounting."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.io import FORMATS, ReadResult, detect_format, iter_papers, iter_records, read_papers
from kg.io.records import derive_paper_id, split_authors
from kg.models import Paper, SkippedRecord, normalize_name

REPO = Path(__file__).resolve().parents[2]

ABSTRACT = "We propose a method. It improves accuracy on GSM8K from 71.2% to 78.9%."


def _write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _row(pid: str | None = "p1", title: str = "A Title", **extra: object) -> dict[str, object]:
    row: dict[str, object] = {"title": title, "abstract": ABSTRACT, **extra}
    if pid is not None:
        row["id"] = pid
    return row


def _assert_accounted(result: ReadResult) -> None:
    assert len(result.papers) + len(result.skipped) + len(result.duplicates) == result.records


# ------------------------------------------------------------ JSON Lines


def test_read_papers_jsonl_good_records(tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "in.jsonl",
        [_row("a", "First", url="https://x.org/a", year=2024, authors=["Ann Lee"], categories=["cs.CL"]), _row("b", "Second")],
    )
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["a", "b"]
    first = result.papers[0]
    assert (first.url, first.year, first.authors, first.categories) == ("https://x.org/a", 2024, ["Ann Lee"], ["cs.CL"])
    assert first.source == "in.jsonl"
    assert result.records == 2 and result.files == [str(path)]
    _assert_accounted(result)


def test_read_papers_jsonl_ignores_unknown_keys_of_gold_records(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "gold.jsonl", [_row("g1", entities=[{"text": "GSM8K"}], roles=[], claims=[])])
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["g1"]
    assert not result.skipped


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"id": "x", "title": "T", "abstract": ', "invalid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('"just a string"', "not a JSON object"),
        ('{"id": "x", "abstract": "  "}', "missing title and abstract"),
        ('{"id": "x", "title": "  ", "abstract": ""}', "missing title and abstract"),
        ('{"id": "x", "title": "T"}', "missing abstract"),
        ('{"id": "x", "title": 5, "abstract": "Some text."}', "title is not a string"),
        ('{"id": "x", "title": "T", "abstract": "A.", "year": "soon"}', "bad year"),
        ('{"id": "x", "title": "T", "abstract": "A.", "year": 20245}', "bad year"),
        ('{"id": "x", "title": "T", "abstract": "A.", "authors": 7}', "authors"),
        ('{"id": 1.5, "title": "T", "abstract": "A."}', "id"),
    ],
)
def test_read_papers_jsonl_skips_unusable_record_with_line(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(_row("ok")) + "\n\n" + line + "\n", encoding="utf-8")
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["ok"]
    assert len(result.skipped) == 1
    skipped = result.skipped[0]
    assert (skipped.file, skipped.line) == (str(path), 3)
    assert reason in skipped.reason
    assert result.records == 2
    _assert_accounted(result)


def test_read_papers_jsonl_arxiv_snapshot_fields(tmp_path: Path) -> None:
    row = {
        "id": "2401.01234",
        "submitter": "Ann Lee",
        "authors": "Ann Lee, Bo Chen and Carla Diaz",
        "title": "Deep Models\n  of Shallow\n  Things",
        "abstract": "  We study things.\nThey are shallow.\n",
        "categories": "cs.LG stat.ML",
        "update_date": "2024-02-03",
        "versions": [{"version": "v1"}],
    }
    path = _write_jsonl(tmp_path / "arxiv-metadata-oai-snapshot.json", [row])
    assert detect_format(path) == "jsonl"
    paper = read_papers([path]).papers[0]
    assert paper.id == "2401.01234"
    assert paper.title == "Deep Models of Shallow Things"
    assert paper.abstract == "We study things. They are shallow."
    assert paper.authors == ["Ann Lee", "Bo Chen", "Carla Diaz"]
    assert paper.categories == ["cs.LG", "stat.ML"]
    assert paper.year == 2024
    assert paper.url == "https://arxiv.org/abs/2401.01234"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Ann Lee, Bo Chen and Carla Diaz", ["Ann Lee", "Bo Chen", "Carla Diaz"]),
        ("Ann Lee, Bo Chen, and Carla Diaz", ["Ann Lee", "Bo Chen", "Carla Diaz"]),
        ("Ann Lee and Alexander Band", ["Ann Lee", "Alexander Band"]),
        ("Lee, Ann; Chen, Bo", ["Lee, Ann", "Chen, Bo"]),
        ("Solo Author", ["Solo Author"]),
    ],
)
def test_split_authors_separators(text: str, names: list[str]) -> None:
    assert split_authors(text) == names


def test_derive_paper_id_is_sha1_of_normalized_title() -> None:
    title = "GSM-8K: A Benchmark"
    expected = "t-" + hashlib.sha1(normalize_name(title).encode("utf-8")).hexdigest()[:12]
    assert derive_paper_id(title) == expected
    assert derive_paper_id("gsm 8k a benchmark") == expected


def test_read_papers_derives_id_when_record_has_none(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "in.jsonl", [_row(None, "No Id Here"), _row("", "Empty Id")])
    papers = read_papers([path]).papers
    assert [p.id for p in papers] == [derive_paper_id("No Id Here"), derive_paper_id("Empty Id")]


def test_read_papers_duplicates_keep_first_across_files(tmp_path: Path) -> None:
    first = _write_jsonl(tmp_path / "a.jsonl", [_row("p1", "Kept"), _row("p1", "Dropped in file")])
    second = _write_jsonl(tmp_path / "b.jsonl", [_row("p2", "Other"), _row("p1", "Dropped across files")])
    result = read_papers([first, second])
    assert [(p.id, p.title) for p in result.papers] == [("p1", "Kept"), ("p2", "Other")]
    assert [(d.file, d.line, d.first_file, d.first_line) for d in result.duplicates] == [
        (str(first), 2, str(first), 1),
        (str(second), 2, str(first), 1),
    ]
    assert result.records == 4 and result.files == [str(first), str(second)]
    _assert_accounted(result)


def test_read_papers_same_title_without_ids_is_duplicate(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "in.jsonl", [_row(None, "Same  Title"), _row(None, "same title")])
    result = read_papers(path)
    assert len(result.papers) == 1 and len(result.duplicates) == 1


# ------------------------------------------------------------ JSON arrays


def test_read_papers_json_array_with_element_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(
        "[\n" + json.dumps(_row("a")) + ",\n" + json.dumps(_row(None, "B")) + ",\n  42\n]\n", encoding="utf-8"
    )
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["a", derive_paper_id("B")]
    assert [(s.line, "not a JSON object" in s.reason) for s in result.skipped] == [(4, True)]
    _assert_accounted(result)


def test_read_papers_json_single_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(_row("solo"), indent=2), encoding="utf-8")
    assert detect_format(path) == "json"
    assert [p.id for p in read_papers([path]).papers] == ["solo"]


@pytest.mark.parametrize("text", ['[{"id": "a", "title": "T", "abstract": "A."},', '[{"a": 1},]', "[] extra", "42"])
def test_read_papers_broken_json_array_raises(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="bad.json:1"):
        read_papers([path], fmt="json")


# ------------------------------------------------------------ CSV


def test_read_papers_csv_good_and_multiline_field(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        'ID,Title,Abstract,Year,Authors,Categories,extra\n'
        'c1,First,"Line one,\nline two.",2023,Ann Lee; Bo Chen,cs.CL cs.LG,x\n'
        "\n"
        'c2,Second,Plain abstract.,,,,\n',
        encoding="utf-8",
    )
    result = read_papers([path])
    first, second = result.papers
    assert (first.id, first.abstract, first.year) == ("c1", "Line one, line two.", 2023)
    assert first.authors == ["Ann Lee", "Bo Chen"] and first.categories == ["cs.CL", "cs.LG"]
    assert (second.id, second.year, second.authors) == ("c2", None, [])
    assert result.records == 2
    assert read_papers([path]).model_dump() == result.model_dump()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("c2,Too,many,fields", "expected 3 fields"),
        ("c2,Too few", "expected 3 fields"),
        ("c2,,", "missing title and abstract"),
        ("c2,Title,", "missing abstract"),
    ],
)
def test_read_papers_csv_skips_bad_row_with_line(tmp_path: Path, row: str, reason: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(f"id,title,abstract\nc1,Good,Fine abstract.\n{row}\n", encoding="utf-8")
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["c1"]
    assert [(s.line, reason in s.reason) for s in result.skipped] == [(3, True)]
    _assert_accounted(result)


def test_read_papers_csv_without_title_header_raises(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("name,text\na,b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"in\.csv:1: CSV header .* has no 'title' and 'abstract' columns"):
        read_papers([path])


def test_read_papers_csv_names_the_one_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,title\na,Some title\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"in\.csv:1: CSV header .* has no 'abstract' column \("):
        read_papers([path])


# ------------------------------------------------------------ bad files


def _bad_file(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.jsonl"
    content = {
        "empty": b"",
        "blank": b"\n  \n",
        "binary": b"id,title,abstract\n\x00\x01\x02",
        "latin1": b'id,title,abstract\n{"title": "Caf\xe9"}\n',
    }
    if kind != "missing":
        path.write_bytes(content[kind])
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", r"missing\.jsonl: no such file"),
        ("empty", r"empty\.jsonl: empty file"),
        ("blank", r"blank\.jsonl: empty file"),
        ("binary", r"binary\.jsonl:2: binary file"),
        ("latin1", r"latin1\.jsonl:2: not UTF-8"),
    ],
)
@pytest.mark.parametrize("fmt", [None, *FORMATS])
def test_read_papers_bad_file_raises_one_line_input_error(
    tmp_path: Path, kind: str, message: str, fmt: str | None
) -> None:
    path = _bad_file(tmp_path, kind)
    with pytest.raises(InputError, match=message) as info:
        read_papers([path], fmt=fmt)
    assert "\n" not in str(info.value)


def test_read_papers_unknown_format_raises(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "in.jsonl", [_row()])
    with pytest.raises(InputError, match="'xml'"):
        read_papers([path], fmt="xml")


def test_read_papers_no_paths_raises() -> None:
    with pytest.raises(InputError, match="no input files"):
        read_papers([])


def test_read_papers_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("\ufeffid,title,abstract\r\nc1,Café Models,Résumé.\r\n".encode())
    paper = read_papers([path]).papers[0]
    assert (paper.id, paper.title, paper.abstract) == ("c1", "Café Models", "Résumé.")


# ------------------------------------------------------------ detection, streaming, examples


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("a.jsonl", "whatever", "jsonl"),
        ("a.ndjson", '{"id": 1}', "jsonl"),
        ("a.csv", "id,title,abstract\n", "csv"),
        ("a.json", '\n[{"id": 1}]', "json"),
        ("a.json", '{"id": 1}\n{"id": 2}\n', "jsonl"),
        ("a.json", '{\n  "id": 1\n}\n', "json"),
        ("a.txt", '{"id": 1}\n', "jsonl"),
        ("papers", '"Title","Abstract"\n', "csv"),
        ("a.txt", "A Title\nAn abstract.\n", "trending"),
    ],
)
def test_detect_format_from_extension_and_content(tmp_path: Path, name: str, text: str, fmt: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert detect_format(path) == fmt


def test_iter_records_streams_lazily_with_lines(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "in.jsonl", [_row("a"), {"id": "b"}])
    records = iter_records(path)
    first = next(records)
    assert (first.line, isinstance(first.item, Paper)) == (1, True)
    second = next(records)
    assert (second.line, isinstance(second.item, SkippedRecord)) == (2, True)


def test_iter_papers_leaves_out_skips_and_duplicates(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "in.jsonl", [_row("a"), {"id": "b"}, _row("a")])
    assert [p.id for p in iter_papers(path)] == ["a"]


def test_read_papers_examples_read_cleanly() -> None:
    examples = REPO / "examples"
    result = read_papers([examples / "sample_papers.jsonl", examples / "sample_papers.csv"])
    assert not result.skipped and not result.duplicates
    assert len(result.papers) == result.records
    assert 6 <= sum(p.source == "sample_papers.jsonl" for p in result.papers) <= 8
    assert sum(p.source == "sample_papers.csv" for p in result.papers) == 3
