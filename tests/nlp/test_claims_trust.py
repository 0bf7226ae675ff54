"""Issue 10, claims a reader can trust: what a number measures, where and by whom, as abstracts write it.

Each rule is pinned by sentences written in the style of arXiv abstracts (negatives included); the
sentences of the issue itself come from the seed corpus (tests/e2e/test_seed_build.py checks them
end to end).
"""

from __future__ import annotations

import pytest

from kg.models import (
    ClaimDirection,
    ClaimKind,
    EntityType,
    ExtractedClaim,
    ExtractedEntity,
)
from kg.nlp.claims import find_claims


def _mentions(text: str, *specs: tuple[str, str, int]) -> list[ExtractedEntity]:
    """One mention per (surface, type, group) that occurs in ``text``, at its first occurrence."""
    out = []
    for surface, type_, group in specs:
        if surface not in text:
            continue
        start = text.index(surface)
        out.append(ExtractedEntity(text=surface, type=EntityType(type_), group=group, start=start,
                                   end=start + len(surface)))
    return out


def _claims(text: str, *specs: tuple[str, str, int], proposed: tuple[str, ...] = ()) -> list[ExtractedClaim]:
    """Claims of ``text``, one sentence per ". " split."""
    bounds, start = [], 0
    for part in text.split(". "):
        end = start + len(part) + (1 if start + len(part) < len(text) else 0)
        bounds.append((start, end))
        start = end + 1
    return find_claims(text, bounds, _mentions(text, *specs), proposed)


# ------------------------------------------------------------------ what a number measures


def test_gap_share_is_a_claim_of_its_own_quantity():
    text = "Our hybrid model recovers up to 91% of the performance gap to thinking models on GSM8K."
    [claim] = _claims(text, ("GSM8K", "Dataset", 0))
    assert (claim.value, claim.dataset, claim.quantity) == (91.0, "GSM8K", "gap share")
    assert (claim.subject, claim.subject_phrase) == (None, "Our hybrid model")


def test_metric_is_the_quantity_when_stated():
    text = "Zeta reaches 71.3% accuracy on ARC."
    [claim] = _claims(text, ("Zeta", "Method", 0), ("accuracy", "Metric", 1), ("ARC", "Dataset", 2))
    assert (claim.metric, claim.quantity, claim.direction) == ("accuracy", "accuracy", None)


@pytest.mark.parametrize(("text", "value", "quantity"), [
    ("Zeta serves requests 3.1x faster than the eager baseline.", 3.1, "speed-up"),
    ("Zeta cuts the decoding latency by 35%.", 35.0, "latency"),
    ("Zeta yields a 15.7% decrease in output length.", 15.7, "output length"),
    ("Zeta reduces peak memory by 41%.", 41.0, "memory"),
    ("Zeta needs 40% fewer tokens per answer.", 40.0, "tokens"),
])
def test_other_quantities_are_named(text, value, quantity):
    [claim] = _claims(text, ("Zeta", "Method", 0))
    assert (claim.value, claim.quantity) == (value, quantity)


@pytest.mark.parametrize(("text", "value"), [
    ("Zeta shows a 13.5% degradation on AIME 2024.", 13.5),
    ("Without the image we observe only a ~2% accuracy drop on MathVista.", 2.0),
    ("Zeta yields a 15.7% decrease in output length.", 15.7),
    ("Zeta lowers the error rate by 4.2 points.", 4.2),
    ("The ablation shows a −2.4% change without the gate.", 2.4),
    ("Zeta trails GPT-4 by 3 points on MMLU.", 3.0),
])
def test_drops_are_negative_changes_with_the_magnitude_as_written(text, value):
    claim = next(c for c in _claims(text, ("Zeta", "Method", 0), ("GPT-4", "Model", 1))
                 if c.value == value)
    assert claim.kind != ClaimKind.SCORE
    assert claim.direction == ClaimDirection.DECREASE


def test_gains_are_increases():
    [claim] = _claims("Zeta improves accuracy by 4.1 points over SFT.", ("Zeta", "Method", 0), ("SFT", "Method", 1))
    assert claim.compared_to == "SFT"
    assert (claim.kind, claim.direction) == (ClaimKind.COMPARISON, ClaimDirection.INCREASE)


@pytest.mark.parametrize("text", [
    "As shown in prior work [1], reasoning improves with scale.",
    "Prior systems [3, 12] reach strong accuracy on code.",
    "Each run costs $500 on a single node.",
    "We evaluate on ImageNet 256×256 with the standard protocol.",
    "We set the discount factor to 0.99 and the temperature to 0.7.",
    "The student is trained on 2% of the ImageNet data.",
    "The 120M-parameter model was released in 2024 (Section 4).",
    "GPT-4o and Llama-3.1-8B were tested on WMT14.",
])
def test_non_results_are_no_claims(text):
    specs = [s for s in (("GPT-4o", "Model", 0), ("Llama-3.1-8B", "Model", 1), ("WMT14", "Dataset", 2),
                         ("ImageNet", "Dataset", 3)) if s[0] in text]
    assert _claims(text, *specs) == []


# ------------------------------------------------------------------ text as abstracts write it


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("Zeta reaches $50.3\\%$ on GSM8K.", 50.3, "%"),
    ("Zeta loses only $\\sim$2% accuracy.", 2.0, "%"),
    ("Zeta speeds up decoding by 2.1$\\times$.", 2.1, "x"),
    ("Zeta is 3.5× faster than beam search.", 3.5, "x"),
    ("Zeta reaches 94.2 ± 0.6% on GSM8K.", 94.2, "%"),
    ("Zeta reaches $94.2 \\pm 0.6$% on GSM8K.", 94.2, "%"),
    ("Zeta drops to an error rate of ~4% on GSM8K.", 4.0, "%"),
])
def test_latex_and_unicode_numbers(text, value, unit):
    claims = _claims(text, ("Zeta", "Method", 0), ("GSM8K", "Dataset", 1))
    assert [(c.value, c.unit) for c in claims] == [(value, unit)]


def test_a_spread_of_results_is_not_a_before_after_pair():
    text = "With Zeta, acceptance rates range from 0.61 to 0.74 across tasks."
    claims = _claims(text, ("Zeta", "Method", 0))
    assert [(c.value, c.baseline, c.is_baseline) for c in claims] == [(0.61, None, False), (0.74, None, False)]


@pytest.mark.parametrize("text", [
    "Zeta improves accuracy on GSM8K from 74.4% to 82.1%.",
    "Zeta improves accuracy on GSM8K (74.4%->82.1%).",
    "Zeta improves accuracy on GSM8K (74.4% → 82.1%).",
])
def test_before_after_pair_is_one_result_with_its_baseline(text):
    before, after = _claims(text, ("Zeta", "Method", 0), ("GSM8K", "Dataset", 1))
    assert (before.value, before.is_baseline, before.baseline) == (74.4, True, None)
    assert (after.value, after.is_baseline, after.baseline, after.subject) == (82.1, False, 74.4, "Zeta")


# ------------------------------------------------------------------ where it was measured


def test_dataset_is_not_carried_into_the_next_sentence():
    text = "Zeta reaches 71.2% on GSM8K. On a private held-out set, it obtains 55.0% accuracy."
    claims = _claims(text, ("Zeta", "Method", 0), ("GSM8K", "Dataset", 1), ("accuracy", "Metric", 2))
    assert [(c.value, c.dataset) for c in claims] == [(71.2, "GSM8K"), (55.0, None)]


def test_dataset_is_not_borrowed_from_a_clause_about_other_benchmarks():
    text = ("Zeta boosts the accuracy of Qwen2.5-7B from 30.7% to 48.1% on mathematical benchmarks and improves "
            "truthfulness of Qwen2.5-7B-Instruct from 87.2% to 97.3% on TruthfulQA.")
    claims = _claims(text, ("Zeta", "Method", 0), ("Qwen2.5-7B", "Model", 1), ("Qwen2.5-7B-Instruct", "Model", 2),
                     ("TruthfulQA", "Dataset", 3))
    assert [(c.value, c.dataset) for c in claims] == [(30.7, None), (48.1, None), (87.2, "TruthfulQA"),
                                                      (97.3, "TruthfulQA")]


def test_a_coordinated_verb_starts_a_clause_of_its_own():
    text = "Our model outperforms GPT-3 on zero-shot SuperGLUE and triples the performance of T5 on summarization."
    [claim] = _claims(text, ("GPT-3", "Model", 0), ("SuperGLUE", "Dataset", 1), ("T5", "Model", 2),
                      proposed=("Zeta",))
    assert (claim.value, claim.unit, claim.dataset) == (3.0, "x", None)


@pytest.mark.parametrize("reference", ["On both benchmarks", "Across the two datasets"])
def test_explicit_reference_to_earlier_datasets(reference):
    text = f"We evaluate Zeta on GSM8K and MATH. {reference}, Zeta gains 4 points over sampling."
    claims = _claims(text, ("Zeta", "Method", 0), ("GSM8K", "Dataset", 1), ("MATH", "Dataset", 2))
    assert [(c.value, c.dataset) for c in claims] == [(4.0, "GSM8K"), (4.0, "MATH")]


def test_same_benchmark_refers_to_the_previous_one():
    text = "Zeta reaches 89.4% on MATH500. Applied to Qwen-7B, it reaches 81.8% on the same benchmark."
    claims = _claims(text, ("Zeta", "Method", 0), ("MATH500", "Dataset", 1), ("Qwen-7B", "Model", 2))
    assert [(c.value, c.dataset) for c in claims] == [(89.4, "MATH500"), (81.8, "MATH500")]
    assert claims[1].base_model == "Qwen-7B"


def test_sentence_initial_place_scopes_every_clause():
    text = "On COCO, Zeta reaches 47.5 AP, while running 2x faster than DETR."
    claims = _claims(text, ("COCO", "Dataset", 0), ("Zeta", "Method", 1), ("AP", "Metric", 2), ("DETR", "Method", 3))
    assert [(c.value, c.dataset) for c in claims] == [(47.5, "COCO"), (2.0, "COCO")]


# ------------------------------------------------------------------ who reached it


def test_base_model_is_recorded_and_the_method_is_the_subject():
    text = "Zeta improves Llama-3.1-8B from 71.2% to 78.9% on GSM8K."
    before, after = _claims(text, ("Zeta", "Method", 0), ("Llama-3.1-8B", "Model", 1), ("GSM8K", "Dataset", 2))
    assert (before.subject, before.is_baseline) == ("Llama-3.1-8B", True)
    assert (after.subject, after.base_model, after.baseline) == ("Zeta", "Llama-3.1-8B", 71.2)


def test_named_other_system_is_the_subject_of_its_own_score():
    text = "GPT-4o scores 55% on QuizBank, while our method reaches 61%."
    claims = _claims(text, ("GPT-4o", "Model", 0), ("QuizBank", "Dataset", 1), proposed=("Zeta",))
    assert [(c.value, c.subject) for c in claims] == [(55.0, "GPT-4o"), (61.0, "Zeta")]


def test_our_model_means_the_proposed_model():
    text = "Our model reaches 48.2% on MMLU."
    mentions_text = "ZetaNet uses Zeta training. " + text
    mentions = _mentions(mentions_text, ("ZetaNet", "Model", 0), ("Zeta training", "Method", 1), ("MMLU", "Dataset", 2))
    start = mentions_text.index("Our")
    [claim] = find_claims(mentions_text, [(0, start - 1), (start, len(mentions_text))], mentions,
                          ("Zeta training", "ZetaNet"))
    assert claim.subject == "ZetaNet"


def test_unnamed_own_method_keeps_the_words_of_the_text():
    text = "We show that our approach improves a 540B LLM (74.4%->82.1% on GSM8K)."
    before, after = _claims(text, ("GSM8K", "Dataset", 0))
    assert (after.subject, after.subject_phrase, after.baseline) == (None, "our approach", 74.4)
    assert before.subject_phrase is None


def test_name_the_entity_rules_missed_before_a_result_verb():
    text = "HexaNet reaches 40.2 mAP on LVIS, whereas DETR obtains 35.1."
    claims = _claims(text, ("mAP", "Metric", 0), ("LVIS", "Dataset", 1), ("DETR", "Method", 2))
    assert [(c.value, c.subject) for c in claims] == [(40.2, "HexaNet"), (35.1, "DETR")]


def test_model_classes_are_not_names():
    [claim] = _claims("LLMs achieve 40% on the puzzles.")
    assert claim.subject is None


def test_a_gain_stated_after_a_pair_is_the_pairs_result():
    text = "The student's score decreases from 54.17 to 46.88 on AIME 2024, corresponding to a 13.5% degradation."
    claims = _claims(text, ("AIME 2024", "Dataset", 0), proposed=("Zeta",))
    assert [(c.value, c.subject) for c in claims] == [(54.17, None), (46.88, "Zeta"), (13.5, "Zeta")]
    assert claims[-1].direction == ClaimDirection.DECREASE


def test_up_from_names_the_baseline_of_a_score():
    text = "Zeta attains a success rate of 0.92, up from 0.71 for PPO."
    after, before = _claims(text, ("Zeta", "Method", 0), ("success rate", "Metric", 1), ("PPO", "Method", 2))
    assert (after.value, after.baseline, after.subject) == (0.92, 0.71, "Zeta")
    assert (before.is_baseline, before.subject) == (True, "PPO")


def test_we_without_a_proposed_name_is_the_papers_own_method():
    text = "Compared to MLE, we improve pass@100 from 35.5% to 44.5% on GSM8K."
    before, after = _claims(text, ("MLE", "Method", 0), ("pass@100", "Metric", 1), ("GSM8K", "Dataset", 2))
    assert (before.subject, before.is_baseline) == ("MLE", True)
    assert (after.subject, after.subject_phrase, after.baseline) == (None, "this paper's method", 35.5)


def test_our_model_means_the_sized_checkpoint_of_the_proposed_name():
    text = "We propose Zeta and release Zeta 20B. Our model also reaches 48.2% on MMLU."
    mentions = _mentions(text, ("Zeta", "Method", 0), ("Zeta 20B", "Model", 1), ("MMLU", "Dataset", 2))
    split = text.index("Our")
    [claim] = find_claims(text, [(0, split - 1), (split, len(text))], mentions, ("Zeta",))
    assert claim.subject == "Zeta 20B"


def test_subject_of_a_clause_after_a_dropped_numberless_clause_is_the_sentences():
    text = "Our model outperforms GPT-3 on SuperGLUE and triples the score of T5 on summarization."
    [claim] = _claims(text, ("GPT-3", "Model", 0), ("SuperGLUE", "Dataset", 1), ("T5", "Model", 2),
                      proposed=("Zeta",))
    assert (claim.subject, claim.dataset) == ("Zeta", None)


def test_both_ends_of_a_spread_share_its_direction():
    claims = _claims("Zeta gives a 40-90% error reduction over fine-tuning.", ("Zeta", "Method", 0))
    assert [(c.value, c.direction) for c in claims] == [(40.0, ClaimDirection.DECREASE), (90.0, ClaimDirection.DECREASE)]
