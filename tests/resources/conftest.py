"""Fixtures of the resource tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def build_script() -> ModuleType:
    """scripts/build_resources.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_resources", REPO / "scripts" / "build_resources.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
