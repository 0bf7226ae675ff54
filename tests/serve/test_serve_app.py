"""The explorer app without a browser: methods, headers, JSON rows, escaping, ``kg view`` files, the CLI."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import unescape

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from kg.cli import app as cli
from kg.serve import create_app, view_html
from kg.serve.data import (
    GRAPH_LIMIT,
    _newest_by_mentions,
    _newest_by_target,
    entity_row,
    neighbourhood,
)
from kg.serve.render import script_json
from tests.serve.conftest import HOSTILE_ID


@pytest.fixture(scope="module")
def client(explorer_store):
    with TestClient(create_app(explorer_store)) as c:
        yield c


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", ["/", "/entity/dataset:gsm8k", "/api/query/papers-using", "/static/explorer.js", "/nowhere"])
def test_app_refuses_every_method_but_get_and_head(client, method, path):
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_app_answers_head_like_get(client):
    get, head = client.get("/entity/dataset:gsm8k"), client.head("/entity/dataset:gsm8k")
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]


def test_app_pages_forbid_inline_scripts(client):
    policy = client.get("/").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'none'"


@pytest.mark.parametrize(
    ("name", "args", "cli_args"),
    [
        ("papers-using", {"dataset": "gsm8k"}, ["gsm8k"]),
        ("leaderboard", {"dataset": "GSM8K", "metric": "accuracy"}, ["GSM8K", "--metric", "accuracy"]),
        ("methods-on", {"dataset": "GSM8K"}, ["GSM8K"]),
        ("neighbors", {"entity": "GSM8K"}, ["GSM8K"]),
        ("claims", {"entity": "GSM8K"}, ["GSM8K"]),
    ],
)
def test_json_endpoint_gives_the_rows_of_kg_query_json(client, explorer_store, name, args, cli_args):
    printed = CliRunner().invoke(cli, ["query", name, *cli_args, "--store", str(explorer_store), "--json"])
    assert printed.exit_code == 0, printed.output
    response = client.get(f"/api/query/{name}", params=args)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == json.loads(printed.stdout)


def test_json_endpoint_errors_are_json(client):
    missing = client.get("/api/query/papers-using", params={"dataset": "no such dataset"})
    assert missing.status_code == 400 and "no dataset named" in missing.json()["error"]
    assert client.get("/api/query/nope").status_code == 404


def test_query_page_lists_the_rows(client, store):
    html = client.get("/query/papers-using", params={"dataset": "GSM8K"}).text
    rows = store.query("papers-using", dataset="GSM8K")
    assert f"{len(rows)} rows" in html
    assert all(f'data-id="{r["id"]}"' in html for r in rows)


def test_entity_name_in_the_path_redirects_to_its_id(client):
    response = client.get("/entity/gsm8k", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/entity/dataset:gsm8k"
    assert client.get("/entity/no-such-thing-at-all").status_code == 404
    assert client.get("/paper/no-such-paper").status_code == 404


def test_suggest_endpoint_offers_names_and_titles(client, store):
    names = client.get("/api/suggest", params={"q": "gsm"}).json()
    assert {"id": "dataset:gsm8k", "label": "Dataset", "name": "GSM8K"} in names
    title = store.conn.execute("SELECT title FROM papers WHERE id = ?", (HOSTILE_ID,)).fetchone()[0]
    titles = client.get("/api/suggest", params={"q": "<scr"}).json()
    assert {"id": HOSTILE_ID, "label": "Paper", "name": title} in titles


def test_hostile_text_is_escaped_in_the_served_html(client):
    html = client.get(f"/paper/{HOSTILE_ID}").text
    assert "<script>alert" not in html and "<img src=x" not in html and "<!-- comment" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_script_json_cannot_close_its_script_block():
    text = script_json({"name": "</script><!-- <script>alert(1)</script> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><!-- <script>alert(1)</script> & \u2028"}


def test_view_file_is_self_contained_and_allows_only_its_own_scripts(explorer_store):
    html = view_html(explorer_store, HOSTILE_ID)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    policy = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    allowed = set(re.findall(r"'sha256-([^']+)'", policy))
    inline = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    assert len(inline) == 2  # cytoscape and explorer.js; the graph data is a JSON block
    assert {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in inline} == allowed
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]


def test_neighbourhood_is_the_neighbors_query_within_the_bound(store):
    """Every entity: the graph holds all of ``kg query neighbors`` when it fits, else 60 of them, edges among them."""
    for (ident,) in store.conn.execute("SELECT id FROM entities").fetchall():
        rows = store.query("neighbors", entity=ident, limit=None)
        expected = {ident} | {r["id"] for r in rows}
        relations = {(r["id"], r["relation"]) for r in rows} | {(r["via"], r["relation"]) for r in rows}
        graph = neighbourhood(store, entity_row(store, ident))
        nodes = {n["id"] for n in graph["nodes"]}
        if len(expected) <= GRAPH_LIMIT:
            assert nodes == expected and not graph["more"], ident
        else:
            assert len(nodes) == GRAPH_LIMIT and nodes < expected and graph["more"], ident
        for edge in graph["edges"]:
            assert {edge["source"], edge["target"]} <= nodes
            assert (edge["source"], edge["label"]) in relations or (edge["target"], edge["label"]) in relations


def test_neighbourhood_is_bounded(store):
    hub = entity_row(store, "method:reinforcement-learning")
    graph = neighbourhood(store, hub)
    assert len(graph["nodes"]) == GRAPH_LIMIT and graph["more"]
    kept = {n["id"] for n in graph["nodes"]}
    assert all(e["source"] in kept and e["target"] in kept for e in graph["edges"])
    small = neighbourhood(store, hub, limit=10)
    assert len(small["nodes"]) == 10


def test_role_lists_agree_whichever_index_they_come_from(store):
    """The newest papers of a role: from the (target, type) index, or walking the mentions of a hub."""
    pairs = store.conn.execute(
        "SELECT DISTINCT target, type FROM edges WHERE source_label = 'Paper' AND target_label != 'Claim'"
    ).fetchall()
    assert len(pairs) > 100
    for target, edge_type in pairs:
        by_target = _newest_by_target(store, target, edge_type)
        assert by_target == _newest_by_mentions(store, target, [edge_type])[edge_type], (target, edge_type)


def test_cli_view_writes_the_page_and_reports_a_miss(explorer_store, tmp_path):
    output = tmp_path / "gsm8k.html"
    done = CliRunner().invoke(cli, ["view", "GSM8K", "-o", str(output), "--store", str(explorer_store)])
    assert done.exit_code == 0, done.output
    assert '<h1 id="entity-name">GSM8K</h1>' in output.read_text(encoding="utf-8")
    miss = CliRunner().invoke(cli, ["view", "gsm8", "-o", str(output), "--store", str(explorer_store)])
    assert miss.exit_code == 1
    assert miss.output.strip().startswith("error: ") and "GSM8K" in miss.output


def test_cli_serve_refuses_a_missing_store(tmp_path):
    done = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "none"), "--port", "8000"])
    assert done.exit_code == 1
    assert "no kg store" in done.output


def test_json_endpoint_limits_rows_as_kg_query_limit(client, explorer_store):
    printed = CliRunner().invoke(
        cli, ["query", "neighbors", "GSM8K", "--limit", "3", "--store", str(explorer_store), "--json"]
    )
    assert printed.exit_code == 0, printed.output
    response = client.get("/api/query/neighbors", params={"entity": "GSM8K", "limit": "3"})
    assert response.json() == json.loads(printed.stdout) and len(response.json()) == 3
    assert response.headers["x-kg-rows-left-out"] == "true"
    everything = client.get("/api/query/neighbors", params={"entity": "GSM8K", "limit": "0"})
    assert len(everything.json()) > 3 and everything.headers["x-kg-rows-left-out"] == "false"
    assert client.get("/api/query/neighbors", params={"entity": "GSM8K", "limit": "-1"}).status_code == 400
    page = client.get("/query/neighbors", params={"entity": "GSM8K", "limit": "3"}).text
    assert "3 rows: the first 3" in page


def test_neighbourhood_is_the_same_when_papers_come_from_the_mentions_walk(store, monkeypatch):
    """A common entity's newest papers come from its mentions, a rare one's from its edges: same graph."""
    from kg.query import sqlite as store_queries

    ids = [r[0] for r in store.conn.execute("SELECT id FROM entities ORDER BY id").fetchall()]
    by_edges = [neighbourhood(store, entity_row(store, i)) for i in ids]
    monkeypatch.setattr(store_queries, "DENSE_EDGES", 0)
    by_mentions = [neighbourhood(store, entity_row(store, i)) for i in ids]
    assert by_mentions == by_edges


def test_cli_serve_refuses_a_port_in_use(explorer_store):
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = CliRunner().invoke(cli, ["serve", "--store", str(explorer_store), "--port", str(port)])
    assert done.exit_code == 1
    assert done.output.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
