"""Tests of kg.io on compressed files: .gz and .bz2 read as a stream, detected, and refused when broken."""

from __future__ import annotations

import bz2
import gzip
import json
import random
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.io import detect_format, iter_records, read_papers
from kg.io.records import compression, content_suffix, iter_lines

ABSTRACT = "We propose a method. It improves accuracy on GSM8K from 71.2% to 78.9%."
OPENERS = {".gz": gzip.open, ".bz2": bz2.open}

ARXIV_ROW = {
    "id": "2401.01234",
    "authors": "Ann Lee, Bo Chen and Carla Diaz",
    "title": "Deep Models\n  of Shallow Things",
    "abstract": "  We study things.\nThey are shallow.\n",
    "categories": "cs.LG stat.ML",
    "update_date": "2024-02-03",
    "versions": [{"version": "v1"}],
}


def _write(path: Path, text: str) -> Path:
    """Write ``text`` compressed by the path's suffix (text mode, UTF-8)."""
    with OPENERS[path.suffix](path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _rows(n: int, seed: int = 3) -> str:
    """``n`` JSON Lines paper records with random (incompressible) titles."""
    rng = random.Random(seed)
    return "".join(
        json.dumps({"id": f"p{i}", "title": f"Title {rng.getrandbits(64):x}", "abstract": ABSTRACT}) + "\n"
        for i in range(n)
    )


# ------------------------------------------------------------ suffixes


@pytest.mark.parametrize(
    ("name", "kind", "suffix"),
    [
        ("papers.jsonl.bz2", ".bz2", ".jsonl"),
        ("arxiv-metadata-oai-snapshot.json.gz", ".gz", ".json"),
        ("X.CSV.GZ", ".gz", ".csv"),
        ("papers.jsonl", None, ".jsonl"),
        ("trending.txt", None, ".txt"),
    ],
)
def test_compression_and_content_suffix(name: str, kind: str | None, suffix: str) -> None:
    assert compression(Path(name)) == kind
    assert content_suffix(Path(name)) == suffix


# ------------------------------------------------------------ each format, compressed


@pytest.mark.parametrize("ext", [".gz", ".bz2"])
def test_arxiv_snapshot_json_gz_is_jsonl_from_first_line(tmp_path: Path, ext: str) -> None:
    path = _write(tmp_path / f"arxiv-metadata-oai-snapshot.json{ext}", json.dumps(ARXIV_ROW) + "\n")
    assert detect_format(path) == "jsonl"
    result = read_papers(path)
    [paper] = result.papers
    assert (paper.id, paper.title, paper.abstract) == ("2401.01234", "Deep Models of Shallow Things",
                                                       "We study things. They are shallow.")
    assert (paper.year, paper.date, paper.categories) == (2024, "2024-02-03", ["cs.LG", "stat.ML"])
    assert paper.source == path.name


@pytest.mark.parametrize("ext", [".gz", ".bz2"])
def test_jsonl_suffix_under_compression_decides(tmp_path: Path, ext: str) -> None:
    # The first line is not JSON, so only the .jsonl under the compression suffix says JSON Lines.
    good = json.dumps({"id": "a", "title": "T", "abstract": "A."})
    path = _write(tmp_path / f"papers.jsonl{ext}", f"not json\n{good}\n")
    assert detect_format(path) == "jsonl"
    result = read_papers(path)
    assert [p.id for p in result.papers] == ["a"]
    assert [(s.line, "invalid JSON" in s.reason) for s in result.skipped] == [(1, True)]


@pytest.mark.parametrize("ext", [".gz", ".bz2"])
def test_csv_gz_reads_like_plain_csv(tmp_path: Path, ext: str) -> None:
    text = 'id,title,abstract,date\nc1,First,"Line one,\nline two.",2023-05-06\nc2,Second,Plain.,\n'
    plain = tmp_path / "x.csv"
    plain.write_text(text, encoding="utf-8")
    packed = _write(tmp_path / f"x.csv{ext}", text)
    assert detect_format(packed) == "csv"
    got, want = read_papers(packed), read_papers(plain)
    assert [p.model_dump(exclude={"source"}) for p in got.papers] == [
        p.model_dump(exclude={"source"}) for p in want.papers
    ]
    assert [(p.id, p.date, p.year) for p in got.papers] == [("c1", "2023-05-06", 2023), ("c2", None, None)]


def test_json_array_gz(tmp_path: Path) -> None:
    rows = [{"id": "a", "title": "T1", "abstract": "A."}, {"id": "b", "title": "T2", "abstract": "B."}]
    path = _write(tmp_path / "papers.json.gz", json.dumps(rows, indent=2))
    assert detect_format(path) == "json"
    assert [p.id for p in read_papers(path).papers] == ["a", "b"]


def test_trending_text_bz2(tmp_path: Path) -> None:
    abstract = " ".join(["We study a long abstract that has many words in it."] * 5)
    path = _write(tmp_path / "trending.txt.bz2", f"Subscribe\nA Title of a Paper\n{abstract}\n")
    assert detect_format(path) == "trending"
    [paper] = read_papers(path).papers
    assert (paper.title, paper.source) == ("A Title of a Paper", "trending.txt.bz2")


def test_compressed_file_streams_line_by_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.jsonl.gz", _rows(5000))
    records = iter_records(path)
    first = next(records)
    assert (first.line, first.item.id) == (1, "p0")
    assert next(iter_lines(path)) == (1, _rows(1).rstrip("\n"))


# ------------------------------------------------------------ broken compressed files


def _corrupt(tmp_path: Path, kind: str) -> Path:
    data = gzip.compress(_rows(3000).encode("utf-8"))
    content = {
        "truncated.jsonl.gz": data[: len(data) // 2],
        "bad-crc.jsonl.gz": data[:-8] + bytes(b ^ 0xFF for b in data[-8:-4]) + data[-4:],
        "not-gzip.jsonl.gz": b'{"id": "a", "title": "T", "abstract": "A."}\n',
        "not-bzip2.csv.bz2": b"BZh9" + bytes(range(200)),
        "empty-inside.jsonl.gz": gzip.compress(b""),
        "blank-inside.csv.bz2": bz2.compress(b"\n  \n"),
        "latin1-inside.jsonl.gz": gzip.compress(b'{"title": "ok"}\n{"title": "Caf\xe9"}\n'),
        "binary-inside.jsonl.gz": gzip.compress(b'{"title": "ok"}\n\x00\x01\n'),
    }[kind]
    path = tmp_path / kind
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("truncated.jsonl.gz", r"truncated\.jsonl\.gz:\d+: cannot read gzip data: Compressed file ended"),
        ("bad-crc.jsonl.gz", r"bad-crc\.jsonl\.gz:\d+: cannot read gzip data: CRC check failed"),
        ("latin1-inside.jsonl.gz", r"latin1-inside\.jsonl\.gz:2: not UTF-8"),
        ("binary-inside.jsonl.gz", r"binary-inside\.jsonl\.gz:2: binary file"),
    ],
)
def test_broken_compressed_content_raises_one_line_input_error(tmp_path: Path, kind: str, message: str) -> None:
    path = _corrupt(tmp_path, kind)
    with pytest.raises(InputError, match=message) as info:
        read_papers(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("not-gzip.jsonl.gz", r"not-gzip\.jsonl\.gz:1: cannot read gzip data: Not a gzipped file"),
        ("not-bzip2.csv.bz2", r"not-bzip2\.csv\.bz2:1: cannot read bzip2 data"),
        ("empty-inside.jsonl.gz", r"empty-inside\.jsonl\.gz: empty file after decompression"),
        ("blank-inside.csv.bz2", r"blank-inside\.csv\.bz2: empty file after decompression"),
    ],
)
@pytest.mark.parametrize("fmt", [None, "jsonl", "json", "csv", "trending"])
def test_unreadable_compressed_file_raises_for_every_format(
    tmp_path: Path, kind: str, message: str, fmt: str | None
) -> None:
    path = _corrupt(tmp_path, kind)
    with pytest.raises(InputError, match=message) as info:
        read_papers(path, fmt=fmt)
    assert "\n" not in str(info.value)


def test_truncated_gzip_fails_at_the_line_it_reached(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "truncated.jsonl.gz")
    read = 0
    with pytest.raises(InputError) as info:
        for read, _ in enumerate(iter_records(path, "jsonl"), start=1):
            pass
    assert 0 < read < 3000  # the records before the break were streamed
    assert f"truncated.jsonl.gz:{read + 1}: " in str(info.value)
