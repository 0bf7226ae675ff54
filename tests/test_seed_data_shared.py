"""The seed copies in tests/data/seed equal ../shared's originals byte for byte.

Collected only where ../shared sits beside the repository (tests/conftest.py ignores
``*_shared.py`` elsewhere); every clone checks the copies' recorded checksums
(tests/test_seed_data.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
SEED = REPO / "tests" / "data" / "seed"
ORIGINALS = {"trending_papers.txt": Path("corpus") / "trending_papers.txt", "dev.jsonl": Path("gold") / "dev.jsonl"}


@pytest.mark.parametrize("name", sorted(ORIGINALS))
def test_seed_copy_equals_the_shared_original(name):
    assert (SEED / name).read_bytes() == (SHARED / ORIGINALS[name]).read_bytes()
