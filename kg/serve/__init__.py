"""The kg explorer: ``kg serve`` (a read-only web app) and ``kg view`` (one page as a self-contained file).

Built on Starlette, Jinja2 and uvicorn (dependencies of kg). The graph drawing
is cytoscape.js, vendored under ``static/vendor`` with its license.

Example:
    >>> from kg.serve import create_app, write_view  # doctest: +SKIP
    >>> write_view("kg-out", "GSM8K", "gsm8k.html")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kg.serve.app import create_app, view_page
from kg.serve.render import render_standalone
from kg.store.embedded import open_store


def view_html(store_path: str | Path, target: str) -> str:
    """The page of a paper or entity as one self-contained HTML document.

    Raises:
        StoreError: no readable store at ``store_path``.
        QueryError: ``target`` is no paper id, entity id or entity name.
    """
    with open_store(store_path) as store:
        template, context = view_page(store, target)
        return render_standalone(template, context)


def write_view(store_path: str | Path, target: str, output: str | Path) -> Path:
    """Write ``view_html`` to ``output`` atomically (a temporary file in the same folder, then renamed)."""
    html = view_html(store_path, target)
    output = Path(output)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent if str(output.parent) else ".")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(html)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return output


__all__ = ["create_app", "view_html", "write_view"]
