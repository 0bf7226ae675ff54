"""Tests of the variant key of kg.link.names: plural, case, "training"/"learning", version lists and
X@k metrics merge to one node across papers; dataset names and other words keep apart."""

from __future__ import annotations

import pytest

from kg.link import link
from kg.link.names import at_metric_name, first_of_versions, singular, variant_key
from kg.models import EntityType, ExtractedEntity, Extraction, normalize_name

D, M, MO, ME, T = EntityType.DATASET, EntityType.METHOD, EntityType.MODEL, EntityType.METRIC, EntityType.TASK


def _ex(pid: str, entities: list[tuple[str, EntityType, int]]) -> Extraction:
    return Extraction(id=pid, title=f"Paper {pid}", abstract=f"Abstract of {pid}.",
                      entities=[ExtractedEntity(text=t, type=ty, group=g) for t, ty, g in entities])


@pytest.mark.parametrize(("type_", "a", "b"), [
    (M, "Zorp Transformers", "Zorp Transformer"),
    (M, "quux networks", "quux network"),
    (ME, "zorp rates", "Zorp rate"),
    (M, "Long ZoTs", "long ZoT"),
    (M, "multi-zorp training", "multi-zorp learning"),
    (T, "zorp policies", "zorp policy"),
    (MO, "Zorp2/3/4", "Zorp2"),
    (ME, "ZORP@80", "zorp@80"),
])
def test_variants_share_one_key_and_one_node(type_, a, b):
    assert variant_key(type_, a) == variant_key(type_, b)
    data = link([_ex("p", [(a, type_, 0)]), _ex("q", [(b, type_, 0)])], alias_table={})
    assert len(data.entities) == 1
    forms = {data.entities[0].name, *data.entities[0].aliases}
    assert {f.casefold() for f in forms} == {a.casefold(), b.casefold()}  # aliases differ in more than case


@pytest.mark.parametrize(("type_", "a", "b"), [
    (D, "Zorp Questions", "Zorp Question"),     # dataset names keep their s
    (M, "zorp loss", "zorp los"),                # not a plural
    (ME, "zorp dynamics", "zorp dynamic"),
    (M, "zorp training", "zorp"),                # a bare head is not merged into its modifier
    (MO, "ViT-L/14", "ViT-L"),                   # a slash after a letter is one name
    (T, "zorp training", "zorp learning"),       # training/learning only for methods
])
def test_other_names_keep_apart(type_, a, b):
    assert variant_key(type_, a) != variant_key(type_, b)


def test_singular_and_version_helpers():
    assert [singular(w) for w in ("rates", "CoTs", "boxes", "class", "gas")] == ["rate", "CoT", "box", "class", "gas"]
    assert first_of_versions("Zorp-3/3.5") == "Zorp-3"
    assert at_metric_name("PASS@64", "pass@k") == "pass@64"
    assert at_metric_name("nDCG@10", "pass@1") is None


def test_plural_form_takes_the_alias_table_canonical():
    table = {(M, "zorptransformer"): "Zorp Transformer", (ME, normalize_name("pass@1")): "pass@1"}
    data = link([_ex("p", [("Zorp Transformers", M, 0), ("PASS@80", ME, 1)])], alias_table=table)
    assert sorted(e.name for e in data.entities) == ["Zorp Transformer", "pass@80"]
