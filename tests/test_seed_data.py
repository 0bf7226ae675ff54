"""The seed listing and dev gold shipped in tests/data/seed hold their recorded checksums
(tests/test_seed_data_shared.py compares them with ../shared's originals where it exists)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "tests" / "data" / "seed"
README = SEED.parent / "README.md"
SHA256 = {
    "trending_papers.txt": "33ec5a5c314d5f3893b1f5dc05a989273c9d4bad6a6bff82666e3bd05524340a",
    "dev.jsonl": "dcf5ffb3c9d149fe484f52c2327fc132afa9ee52412fc9e27c78df0fc3ce1c61",
}


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(SHA256))
def test_seed_copy_has_the_recorded_checksum(name):
    assert _sha256(SEED / name) == SHA256[name]
    assert SHA256[name] in README.read_text(encoding="utf-8"), "tests/data/README.md records another checksum"


def test_seed_copies_hold_119_papers_and_60_gold_records():
    lines = (SEED / "trending_papers.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 * 119 + 2  # two chrome lines, then a title and an abstract per paper
    assert sum(1 for line in (SEED / "dev.jsonl").open(encoding="utf-8") if line.strip()) == 60
