"""kg's spaCy pipeline: components, pipeline assembly and extraction.

The public functions load lazily so that importing a single component module
(``kg.nlp.extensions``, ``kg.nlp.gazetteer``) does not build the whole pipeline.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_nlp", "default_nlp", "extract_paper", "extract_papers"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kg.nlp import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'kg.nlp' has no attribute {name!r}")
