"""Shared fixtures. ../shared (third-party data) sits beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared folder; fails (never skips) when it is not beside the repository."""
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found beside the repository at {SHARED}")
    return SHARED
