"""kg: a knowledge-graph builder over the claims of ML research papers.

The library API (the CLI is a thin layer over it):

    >>> import kg
    >>> kg.build(["papers.jsonl"], store="kg-out")                   # doctest: +SKIP
    >>> kg.add(["today.jsonl"], store="kg-out")                      # doctest: +SKIP
    >>> kg.remove(["2401.00001"], store="kg-out")                    # doctest: +SKIP
    >>> kg.open_store("kg-out").query("papers-using", dataset="GSM8K")  # doctest: +SKIP
"""

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "build": "kg.flow",
    "add": "kg.flow",
    "remove": "kg.flow",
    "WriteReport": "kg.flow",
    "open_store": "kg.store.embedded",
}


def __getattr__(name: str) -> Any:
    # Imported on first use, so `kg --help` does not pay for spaCy or sqlite.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
