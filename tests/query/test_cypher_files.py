"""The query files of cypher/: one statement each, values only as the registry's $parameters."""

from __future__ import annotations

import re

import pytest

from kg.errors import QueryError
from kg.query import QUERIES, cypher_dir, load_cypher
from kg.query.registry import NEIGHBORS_LIMIT, PATH_MAX_HOPS


def _statement(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


def test_cypher_dir_has_one_file_per_query():
    names = {p.stem for p in cypher_dir().glob("*.cypher")} - {"schema"}
    assert names == set(QUERIES)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_cypher_file_is_one_statement_with_registry_parameters(name):
    statement = _statement(load_cypher(name))
    assert ";" not in statement
    used = set(re.findall(r"\$(\w+)", statement))
    assert used == {p.cypher for p in QUERIES[name].params} | ({"limit"} if QUERIES[name].cypher_limit else set())


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_cypher_file_returns_the_registry_columns_in_order(name):
    statement = _statement(load_cypher(name))
    returned = statement[statement.rindex("RETURN") :]
    positions = [re.search(rf"\b(AS )?{column}\b", returned) for column in QUERIES[name].columns]
    assert all(positions), returned
    starts = [m.start() for m in positions]
    assert starts == sorted(starts)


def test_load_cypher_missing_file_raises_query_error():
    with pytest.raises(QueryError, match="no query file"):
        load_cypher("no-such-query")


def test_cypher_bounds_are_the_registry_s():
    neighbors, path = _statement(load_cypher("neighbors")), _statement(load_cypher("path"))
    assert re.findall(r"LIMIT (\d+)", neighbors) == [str(NEIGHBORS_LIMIT)] * 2
    assert f"ADDRESSES*..{PATH_MAX_HOPS}]" in path
