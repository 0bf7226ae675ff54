"""scripts/build_resources.py rebuilds the committed resources from ../shared/data/names.

Collected only where ../shared sits beside the repository (tests/conftest.py ignores
``*_shared.py`` elsewhere): the public name lists the build reads are not part of the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import KGError
from kg.resources import resource_kinds

REPO = Path(__file__).resolve().parents[2]
NAMES_DIR = REPO / ".." / "shared" / "data" / "names"


def test_build_resources_reproduces_committed_files(tmp_path, build_script):
    build = build_script
    out = tmp_path / "resources"
    (out / "seed").mkdir(parents=True)
    for seed in (REPO / "kg" / "resources" / "seed").glob("*.txt"):
        (out / "seed" / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    build.build(NAMES_DIR, out)
    kinds = resource_kinds()
    assert len(kinds) >= 7
    for kind in kinds:
        committed = (REPO / "kg" / "resources" / f"{kind}.jsonl").read_text(encoding="utf-8")
        assert (out / f"{kind}.jsonl").read_text(encoding="utf-8") == committed, kind


def test_build_resources_rejects_unknown_source_key(tmp_path, build_script):
    build = build_script
    lists = build.SourceLists.load(NAMES_DIR)
    seed = tmp_path / "x.txt"
    seed.write_text("GSM8K | | | lm:not_a_task_folder\n")
    with pytest.raises(KGError, match="x.txt:1.*lm:not_a_task_folder"):
        build.parse_seed(seed, "Dataset", lists)
