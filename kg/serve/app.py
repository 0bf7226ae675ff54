"""The explorer: a read-only Starlette app over an embedded store.

Pages: ``/`` (search box), ``/search?q=``, ``/entity/{id}``, ``/paper/{id}``,
``/queries`` and ``/query/{name}?...`` (the rows of ``kg query``); JSON:
``/api/suggest?q=`` (the search box's suggestions) and ``/api/query/{name}?...``
(exactly what ``kg query NAME ... --json`` prints). Static scripts and styles
under ``/static``.

The store is opened read-only, once per worker thread (an SQLite connection
serves one thread at a time). Only GET and HEAD are answered; any other method
gets 405 on every path. Every response carries a Content-Security-Policy that
allows scripts from the app only, so no text from a paper can run as a script.

Example:
    >>> app = create_app("kg-out")  # doctest: +SKIP
    >>> uvicorn.run(app, host="127.0.0.1", port=8000)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from kg.errors import QueryError
from kg.query import QUERIES
from kg.query.registry import DEFAULT_QUERY_LIMIT
from kg.serve import data
from kg.serve.render import SERVER_CSP, render_page, static_dir
from kg.store.embedded import Store, open_store

ALLOWED_METHODS = ("GET", "HEAD")
_HEADERS = {
    "content-security-policy": SERVER_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


class ReadOnlyMiddleware:
    """405 for any method but GET and HEAD; security headers and a ``Server-Timing`` on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ALLOWED_METHODS:
            response = PlainTextResponse(
                "405 Method Not Allowed: the kg explorer only reads", status_code=405,
                headers={"allow": ", ".join(ALLOWED_METHODS), **_HEADERS},
            )
            await response(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in _HEADERS.items() if k.encode() not in present]
                elapsed = (time.perf_counter() - started) * 1000
                headers.append((b"server-timing", f"app;dur={elapsed:.1f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class StorePool:
    """One read-only ``Store`` per thread, opened on first use, all closed by ``close``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.path)
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                store.close()
            self._all.clear()


def _html(template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(render_page(template, context), status_code=status_code)


def _error(message: str, status_code: int) -> HTMLResponse:
    return _html("error.html", {"kind": "error", "title": f"{status_code}", "message": message}, status_code)


def _json(value: Any, status_code: int = 200) -> Response:
    """JSON as ``kg query --json`` writes it (UTF-8, non-ASCII kept, other values as strings)."""
    body = json.dumps(value, ensure_ascii=False, default=str)
    return Response(body, status_code=status_code, media_type="application/json")


def _query_args(request: Request, name: str) -> dict[str, str]:
    params = {p.name for p in QUERIES[name].params}
    return {k: v for k, v in request.query_params.items() if k in params}


def _limit(request: Request) -> int:
    """The ``limit`` parameter, as ``kg query --limit`` (0: all rows; default ``DEFAULT_QUERY_LIMIT``).

    Raises:
        QueryError: not a whole number of 0 or more.
    """
    text = request.query_params.get("limit", "")
    if text == "":
        return DEFAULT_QUERY_LIMIT
    if not text.isdigit():
        raise QueryError(f"limit must be a whole number of 0 or more (0: all rows), not {text!r}")
    return int(text)


def create_app(store_path: str | Path) -> Starlette:
    """The explorer app over the store at ``store_path`` (checked now: a missing store fails here).

    Raises:
        StoreError: no readable kg store at ``store_path``.
    """
    path = Path(store_path)
    with open_store(path) as store:
        data.title_index(store)  # built now, not by the first search
    from spacy import displacy  # noqa: F401  (loaded now, not by the first paper page)

    pool = StorePool(path)

    def endpoint(fn: Callable[[Request, Store], Response]) -> Callable[[Request], Response]:
        # A plain function: Starlette runs it in its thread pool, next to that thread's store.
        def run(request: Request) -> Response:
            return fn(request, pool.get())

        return run

    counts_of: dict[str, Any] = {}  # fingerprint -> Store.counts(): a second at 100k papers, once per content

    def home(request: Request, store: Store) -> Response:
        fingerprint = store.fingerprint()
        if fingerprint not in counts_of:
            counts_of.clear()
            counts_of[fingerprint] = store.counts()
        counts = counts_of[fingerprint]
        return _html("home.html", {"kind": "home", "title": "kg explorer", "counts": counts, "store": str(path)})

    def search(request: Request, store: Store) -> Response:
        result = data.search(store, request.query_params.get("q", ""))
        return _html("search.html", {"kind": "search", "title": f"Search: {result['query']}", "result": result})

    def suggest(request: Request, store: Store) -> Response:
        return _json(data.suggest(store, request.query_params.get("q", "")))

    def entity(request: Request, store: Store) -> Response:
        ident = request.path_params["id"]
        page = data.entity_page(store, ident)
        if page is None:
            try:
                found = data.resolve_entity(store, ident)
            except QueryError as e:
                return _error(str(e), 404)
            return RedirectResponse("/entity/" + quote(found, safe=":@"), status_code=307)
        return _html("entity.html", {**page, "title": page["entity"]["name"]})

    def paper(request: Request, store: Store) -> Response:
        page = data.paper_page(store, request.path_params["id"])
        if page is None:
            return _error(f"no paper with id {request.path_params['id']!r}", 404)
        return _html("paper.html", {**page, "title": page["paper"]["title"]})

    def queries(request: Request, store: Store) -> Response:
        return _html("queries.html", {"kind": "queries", "title": "Named queries"})

    def named_query(request: Request, store: Store) -> Response:
        name = request.path_params["name"]
        if name not in QUERIES:
            return _error(f"unknown query {name!r}; known queries: {', '.join(QUERIES)}", 404)
        args = _query_args(request, name)
        context: dict[str, Any] = {"kind": "query", "title": name, "spec": QUERIES[name], "args": args,
                                   "rows": None, "message": None, "limit": DEFAULT_QUERY_LIMIT, "more": False}
        if any(args.values()):
            try:
                context["limit"] = _limit(request)
                context["rows"], context["more"] = data.run_named_query(store, name, args, context["limit"])
            except QueryError as e:
                context["message"] = str(e)
                return _html("query.html", context, 400)
        return _html("query.html", context)

    def api_query(request: Request, store: Store) -> Response:
        name = request.path_params["name"]
        if name not in QUERIES:
            return _json({"error": f"unknown query {name!r}; known queries: {', '.join(QUERIES)}"}, 404)
        try:
            rows, more = data.run_named_query(store, name, _query_args(request, name), _limit(request))
        except QueryError as e:
            return _json({"error": str(e)}, 400)
        response = _json(rows)
        response.headers["x-kg-rows-left-out"] = "true" if more else "false"
        return response

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        pool.close()

    def favicon(request: Request) -> Response:
        return FileResponse(str(static_dir() / "favicon.svg"), media_type="image/svg+xml")

    get = ["GET"]  # Starlette answers HEAD wherever it answers GET
    routes = [
        Route("/", endpoint(home), methods=get),
        Route("/favicon.ico", favicon, methods=get),
        Route("/search", endpoint(search), methods=get),
        Route("/api/suggest", endpoint(suggest), methods=get),
        Route("/entity/{id:path}", endpoint(entity), methods=get),
        Route("/paper/{id:path}", endpoint(paper), methods=get),
        Route("/queries", endpoint(queries), methods=get),
        Route("/query/{name}", endpoint(named_query), methods=get),
        Route("/api/query/{name}", endpoint(api_query), methods=get),
        Mount("/static", app=StaticFiles(directory=str(static_dir())), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(ReadOnlyMiddleware)
    return app


def view_page(store: Store, target: str) -> tuple[str, dict[str, Any]]:
    """The template and context of ``kg view TARGET``: a paper id, an entity id, or an entity name.

    Raises:
        QueryError: ``target`` is none of these; the message suggests close entity names.
    """
    page = data.paper_page(store, target)
    if page is not None:
        return "paper.html", {**page, "title": page["paper"]["title"]}
    entity = data.entity_row(store, target)
    try:
        ident = entity["id"] if entity else data.resolve_entity(store, target)
    except QueryError as e:
        raise QueryError(f"no paper has id {target!r}, and {e}") from e
    page = data.entity_page(store, ident)
    if page is None:
        raise QueryError(f"no paper or entity named {target!r}")
    return "entity.html", {**page, "title": page["entity"]["name"]}
