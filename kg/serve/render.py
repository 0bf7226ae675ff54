"""HTML of the explorer's pages: one Jinja2 environment for the server and for ``kg view`` files.

Every text from a paper reaches the page through Jinja2's autoescape (or
displaCy, which escapes what it renders). Data for the scripts travels in a
``<script type="application/json">`` block, never as code: ``script_json``
escapes ``<``, ``>`` and ``&`` so that a title holding ``</script>`` or
``<!--`` cannot end the block. A served page loads its scripts from
``/static`` under a Content-Security-Policy that allows no inline script; a
``kg view`` file inlines them and allows exactly those by their SHA-256.

Example:
    >>> html = render_standalone("entity.html", page)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

import kg
from kg.query import QUERIES
from kg.serve.data import COLORS, GRAPH_LIMIT, ROLE_HEADINGS

VENDOR_JS = "vendor/cytoscape/cytoscape.min.js"
APP_JS = "explorer.js"
APP_CSS = "explorer.css"
# The served pages' policy: scripts only from the app itself, data only from it.
SERVER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def static_dir() -> Any:
    """The folder of the explorer's scripts and styles (package data)."""
    return resources.files("kg.serve") / "static"


@cache
def static_text(name: str) -> str:
    return (static_dir() / name).read_text(encoding="utf-8")


def script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` survives literally."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return (
        text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _cell(value: Any) -> str:
    """A table cell as ``kg query`` prints it: lists joined, floats short."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kg.serve", "templates"),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = _cell
    env.filters["script_json"] = lambda value: Markup(script_json(value))
    env.globals.update(
        colors=COLORS, graph_limit=GRAPH_LIMIT, queries=QUERIES, role_headings=ROLE_HEADINGS, version=kg.__version__
    )
    return env


def _links(standalone: bool) -> Any:
    """URL builder for pages: ``None`` in a ``kg view`` file, which has no server to link to."""

    def url(kind: str, ident: str | None = None, **params: str) -> str | None:
        if standalone:
            return None
        path = {"entity": "/entity/", "paper": "/paper/", "query": "/query/", "search": "/search",
                "queries": "/queries", "home": "/"}[kind]
        if ident is not None:
            path += quote(ident, safe=":@")
        if params:
            path += "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items() if v)
        return path

    return url


def render_page(template: str, context: dict[str, Any]) -> str:
    """A page as the server sends it: scripts and styles linked from ``/static``."""
    return environment().get_template(template).render(
        **context, standalone=False, url=_links(False), inline_css="", inline_scripts=[],
        static_js=[f"/static/{VENDOR_JS}", f"/static/{APP_JS}"], static_css=f"/static/{APP_CSS}", csp=None,
    )


def render_standalone(template: str, context: dict[str, Any]) -> str:
    """A page as one self-contained file (``kg view``): every script and style inline, no link to a server.

    Its Content-Security-Policy (a ``<meta>``) allows only the inlined scripts, by hash.
    """
    scripts = [static_text(VENDOR_JS), static_text(APP_JS)]
    csp = (
        "default-src 'none'; script-src " + " ".join(_sha256(s) for s in scripts)
        + "; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    return environment().get_template(template).render(
        **context, standalone=True, url=_links(True), inline_css=static_text(APP_CSS),
        inline_scripts=[Markup(s) for s in scripts], static_js=[], static_css=None, csp=csp,
    )
