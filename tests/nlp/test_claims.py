"""Tests of kg.nlp.claims and kg.nlp.claim_numbers: number shapes, non-claims, clauses, subjects, the component."""

from __future__ import annotations

import pytest
import spacy

from kg.models import ClaimKind, EntityType, ExtractedClaim, ExtractedEntity
from kg.nlp.claim_numbers import build_groups, scan_numbers
from kg.nlp.claims import ClaimExtractor, find_claims
from kg.nlp.extensions import SPAN_KEY


def _mentions(text: str, *specs: tuple[str, str, int]) -> list[ExtractedEntity]:
    """One mention per (surface, type, group), located at the first occurrence in ``text``."""
    out = []
    for surface, type_, group in specs:
        start = text.index(surface)
        out.append(ExtractedEntity(text=surface, type=EntityType(type_), group=group, start=start,
                                   end=start + len(surface)))
    return out


def _claims(text: str, *specs: tuple[str, str, int], proposed: tuple[str, ...] = ()) -> list[ExtractedClaim]:
    return find_claims(text, [(0, len(text))], _mentions(text, *specs), proposed)


def _values(claims: list[ExtractedClaim]) -> list[float]:
    return [c.value for c in claims]


def test_find_claims_score_with_metric_and_dataset():
    text = "Our model achieves 94.0 pass@1 on MATH-500."
    [claim] = _claims(text, ("pass@1", "Metric", 0), ("MATH-500", "Dataset", 1), proposed=("Zeta",))
    assert (claim.value, claim.unit, claim.kind) == (94.0, None, ClaimKind.SCORE)
    assert (claim.subject, claim.dataset, claim.metric) == ("Zeta", "MATH-500", "pass@1")
    assert text[claim.start:claim.end] == "94.0"
    assert claim.evidence == text


def test_find_claims_aligned_list_with_fewer_datasets():
    text = "Zeta improves Qwen3-4B-Base by 8.43, 5.96 and 10.60 on MMLU-Pro, SuperGPQA and math average benchmarks."
    claims = _claims(text, ("Zeta", "Method", 0), ("Qwen3-4B-Base", "Model", 1),
                     ("MMLU-Pro", "Dataset", 2), ("SuperGPQA", "Dataset", 3))
    assert [(c.value, c.dataset) for c in claims] == [(8.43, "MMLU-Pro"), (5.96, "SuperGPQA"), (10.6, None)]
    assert {c.kind for c in claims} == {ClaimKind.IMPROVEMENT}
    assert {c.compared_to for c in claims} == {"Qwen3-4B-Base"}
    assert {c.subject for c in claims} == {"Zeta"}


def test_find_claims_respectively_aligns_values_and_datasets():
    text = "On WinoGrande and PIQA, Zeta reaches 71.2% and 80.5%, respectively."
    claims = _claims(text, ("WinoGrande", "Dataset", 0), ("PIQA", "Dataset", 1), ("Zeta", "Model", 2))
    assert [(c.value, c.unit, c.dataset) for c in claims] == [(71.2, "%", "WinoGrande"), (80.5, "%", "PIQA")]


def test_find_claims_comparison_names_the_competitor():
    text = "We train RoBERTa models that beat the baselines on FOLIO, surpassing GPT-4 in accuracy by 12%."
    [claim] = _claims(text, ("RoBERTa", "Model", 0), ("FOLIO", "Dataset", 1), ("GPT-4", "Model", 2),
                      ("accuracy", "Metric", 3))
    assert (claim.value, claim.unit, claim.kind) == (12.0, "%", ClaimKind.COMPARISON)
    assert (claim.subject, claim.compared_to, claim.dataset, claim.metric) == ("RoBERTa", "GPT-4", "FOLIO", "accuracy")


def test_find_claims_model_size_is_not_a_claim():
    text = "Our framework, Tabby, reaches 68.3% on the BIRD dev dataset with a 7B model."
    [claim] = _claims(text, ("Tabby", "Method", 0), ("BIRD", "Dataset", 1), proposed=("Tabby",))
    assert (claim.value, claim.dataset, claim.subject) == (68.3, "BIRD", "Tabby")


@pytest.mark.parametrize(("text", "value"), [
    ("Zeta is 3x faster than beam search.", 3.0),
    ("Zeta gives a 2.5× speedup at inference.", 2.5),
    ("Zeta is 4 times faster than beam search.", 4.0),
    ("Zeta yields a 10-fold reduction in memory.", 10.0),
    ("Zeta more than doubles the throughput.", 2.0),
    ("Zeta cuts the error by an order of magnitude.", 10.0),
])
def test_find_claims_multiplier_unit_is_x(text, value):
    [claim] = _claims(text, ("Zeta", "Method", 0))
    assert (claim.value, claim.unit, claim.subject) == (value, "x", "Zeta")


def test_find_claims_range_gives_baseline_and_result_scores():
    text = "Compared to SFT, Zeta raises accuracy on GSM8K from 74.4% to 82.1%."
    claims = _claims(text, ("SFT", "Method", 0), ("Zeta", "Method", 1), ("accuracy", "Metric", 2),
                     ("GSM8K", "Dataset", 3))
    assert [(c.value, c.kind, c.subject, c.dataset) for c in claims] == [
        (74.4, ClaimKind.SCORE, "SFT", "GSM8K"), (82.1, ClaimKind.SCORE, "Zeta", "GSM8K")]


def test_find_claims_arrow_ranges_each_bind_their_dataset():
    text = "It helps a lot (55.0%->60.5% on DROP, 70.1%->72.3% on ANLI)."
    claims = _claims(text, ("DROP", "Dataset", 0), ("ANLI", "Dataset", 1))
    assert [(c.value, c.dataset, c.subject) for c in claims] == [
        (55.0, "DROP", None), (60.5, "DROP", None), (70.1, "ANLI", None), (72.3, "ANLI", None)]


def test_find_claims_range_with_stated_gain_adds_improvement():
    text = "Zeta lifts the score from 40.0 to 46.0 on HellaSwag, a gain of 6 points."
    claims = _claims(text, ("Zeta", "Method", 0), ("HellaSwag", "Dataset", 1))
    assert [(c.value, c.kind, c.unit) for c in claims] == [
        (40.0, ClaimKind.SCORE, None), (46.0, ClaimKind.SCORE, None), (6.0, ClaimKind.IMPROVEMENT, "points")]


@pytest.mark.parametrize(("text", "value", "unit", "kind"), [
    ("Zeta adds +3.1 points on ARC after tuning.", 3.1, "points", ClaimKind.IMPROVEMENT),
    ("Zeta scores +3.1 points over PPO on ARC.", 3.1, "points", ClaimKind.COMPARISON),
    ("Zeta improves recall on ARC by 7%.", 7.0, "%", ClaimKind.IMPROVEMENT),
    ("Zeta shows an absolute gain of 2.4 points on ARC.", 2.4, "points", ClaimKind.IMPROVEMENT),
    ("Zeta outperforms PPO by 5.5 on ARC.", 5.5, None, ClaimKind.COMPARISON),
    ("Zeta beats PPO on ARC by 1.2 pp.", 1.2, "points", ClaimKind.COMPARISON),
    ("Zeta is 4.5 percent better than PPO on ARC.", 4.5, "%", ClaimKind.COMPARISON),
])
def test_find_claims_gain_shapes(text, value, unit, kind):
    [claim] = _claims(text, ("Zeta", "Method", 0), ("ARC", "Dataset", 1))
    assert (claim.value, claim.unit, claim.kind, claim.subject, claim.dataset) == (value, unit, kind, "Zeta", "ARC")


def test_find_claims_one_value_on_several_datasets():
    text = "Zeta scores 91% on GSM8K and MATH500."
    claims = _claims(text, ("Zeta", "Model", 0), ("GSM8K", "Dataset", 1), ("MATH500", "Dataset", 2))
    assert [(c.value, c.dataset) for c in claims] == [(91.0, "GSM8K"), (91.0, "MATH500")]
    assert claims[0].start == claims[1].start


@pytest.mark.parametrize("text", [
    "We construct problems by selecting up to 32 premises and one hypothesis.",
    "The corpus holds 1,000 examples drawn from 10k samples.",
    "We study models from 3 to 30B parameters, including 7B and 70B ones.",
    "Zeta uses 3 billion parameters.",
    "This was shown in 2024 (Smith et al., 2023).",
    "Training takes 100 GPU hours and costs $5.",
    "Results are in Table 3 and Figure 2, see Section 4.",
    "Zeta is the first method to rank 1st, and it reports top-5 accuracy.",
    "We report pass@k for k up to 16 on Lean 4 proofs.",
    "Zeta has two key properties: it should (1) be likely and (2) be stable.",
    "Quantifiers bind scopes (e.g., 30%-40% of apples are red).",
    "Only 0.5% of model parameters are updated.",
    "We evaluate 15 models across 50 datasets.",
])
def test_find_claims_not_claims(text):
    assert _claims(text) == []


def test_find_claims_numbers_inside_mentions_are_never_values():
    text = "GPT-4 and Llama-3.1-8B are compared with Qwen2.5 on MATH-500."
    claims = _claims(text, ("GPT-4", "Model", 0), ("Llama-3.1-8B", "Model", 1), ("Qwen2.5", "Model", 2),
                     ("MATH-500", "Dataset", 3))
    assert claims == []


@pytest.mark.parametrize("phrase", ["Our method", "Our approach", "This framework", "We", "It"])
def test_find_claims_pronoun_subject_resolves_to_proposed(phrase):
    text = f"{phrase} achieves 51.2% accuracy on SVAMP."
    [claim] = _claims(text, ("accuracy", "Metric", 0), ("SVAMP", "Dataset", 1), proposed=("Zeta", "ZT"))
    assert claim.subject == "Zeta"


def test_find_claims_pronoun_without_proposed_gives_no_subject():
    text = "We achieve 51.2% on SVAMP, outperforming Mistral-7B by 4.1%."
    score, margin = _claims(text, ("SVAMP", "Dataset", 0), ("Mistral-7B", "Model", 1))
    assert (score.kind, score.subject, score.compared_to) == (ClaimKind.SCORE, None, None)
    assert (margin.kind, margin.subject, margin.compared_to) == (ClaimKind.COMPARISON, None, "Mistral-7B")


def test_find_claims_named_model_in_our_model_phrase_is_subject():
    text = "Our best model with Phi-3.5 outperforms GPT-3.5-turbo by producing 10% more correct programs."
    [claim] = _claims(text, ("Phi-3.5", "Model", 0), ("GPT-3.5-turbo", "Model", 1), proposed=("LogicX",))
    assert (claim.subject, claim.compared_to) == ("Phi-3.5", "GPT-3.5-turbo")


def test_find_claims_instrument_is_not_subject():
    text = "Fine-tuning via behavior cloning improves success rate by 43.6% in VirtualHome."
    [claim] = _claims(text, ("behavior cloning", "Method", 0), ("success rate", "Metric", 1),
                      ("VirtualHome", "Dataset", 2))
    assert (claim.subject, claim.metric, claim.dataset) == (None, "success rate", "VirtualHome")


def test_find_claims_observation_by_we_has_no_subject():
    text = "We observe a 2% accuracy drop on MathVista."
    [claim] = _claims(text, ("accuracy", "Metric", 0), ("MathVista", "Dataset", 1), proposed=("Zeta",))
    assert (claim.value, claim.subject, claim.kind) == (2.0, None, ClaimKind.IMPROVEMENT)


def test_find_claims_dataset_never_from_previous_sentence():
    # issue 10: a dataset is not carried over from an earlier sentence without an explicit reference
    text = "We release the QuizBank benchmark. Even GPT-4 solves only half of the problems."
    mentions = _mentions(text, ("QuizBank", "Dataset", 0), ("GPT-4", "Model", 1))
    first_end = text.index(" Even")
    [claim] = find_claims(text, [(0, first_end), (first_end + 1, len(text))], mentions)
    assert (claim.value, claim.subject, claim.dataset) == (0.5, "GPT-4", None)


def test_find_claims_skips_overlong_sentences():
    text = "Zeta achieves 91% on GSM8K."
    mentions = _mentions(text, ("GSM8K", "Dataset", 0))
    assert find_claims(text, [(0, len(text))], mentions, max_sentence_chars=10) == []
    assert len(find_claims(text, [(0, len(text))], mentions, max_sentence_chars=100)) == 1


def _row(claim: ExtractedClaim) -> tuple:
    return (claim.value, claim.unit, claim.kind, claim.subject, claim.dataset, claim.metric, claim.compared_to)


def test_find_claims_clauses_keep_their_own_dataset_metric_and_competitor():
    text = ("For object detection on COCO, it improves box AP by 2.1 over ResNet-50 with Mask R-CNN, "
            "and on ADE20K semantic segmentation it achieves 50.3 mIoU.")
    claims = _claims(text, ("COCO", "Dataset", 0), ("box AP", "Metric", 1), ("ResNet-50", "Model", 2),
                     ("Mask R-CNN", "Method", 3), ("ADE20K", "Dataset", 4), ("mIoU", "Metric", 5), proposed=("Zeta",))
    assert [_row(c) for c in claims] == [
        (2.1, None, ClaimKind.COMPARISON, "Zeta", "COCO", "box AP", "ResNet-50"),
        (50.3, None, ClaimKind.SCORE, "Zeta", "ADE20K", "mIoU", None)]


def test_find_claims_later_clause_pronoun_takes_first_clause_subject():
    text = ("On MS MARCO, LIDR achieves 39.8 MRR@10, and on the BEIR benchmark it improves average nDCG@10 "
            "by 3.1 points over Contriever.")
    claims = _claims(text, ("MS MARCO", "Dataset", 0), ("LIDR", "Model", 1), ("MRR@10", "Metric", 2),
                     ("BEIR", "Dataset", 3), ("nDCG@10", "Metric", 4), ("Contriever", "Model", 5))
    assert [_row(c) for c in claims] == [
        (39.8, None, ClaimKind.SCORE, "LIDR", "MS MARCO", "MRR@10", None),
        (3.1, "points", ClaimKind.COMPARISON, "LIDR", "BEIR", "nDCG@10", "Contriever")]


def test_find_claims_verb_after_the_number_is_no_comparison():
    text = ("On the D4RL benchmark, DiffQ achieves a normalized return of 88.4 on MuJoCo locomotion tasks "
            "and surpasses CQL and IQL.")
    [claim] = _claims(text, ("D4RL", "Dataset", 0), ("DiffQ", "Method", 1), ("normalized return", "Metric", 2),
                      ("MuJoCo", "Dataset", 3), ("CQL", "Method", 4), ("IQL", "Method", 5))
    assert _row(claim) == (88.4, None, ClaimKind.SCORE, "DiffQ", "MuJoCo", "normalized return", None)


def test_find_claims_metric_of_another_clause_is_not_borrowed():
    text = "Whisper-Lite obtains a word error rate (WER) of 2.9%, while running 3.5x faster than Whisper-large-v3."
    score, speed = _claims(text, ("Whisper-Lite", "Model", 0), ("word error rate", "Metric", 1),
                           ("WER", "Metric", 1), ("Whisper-large-v3", "Model", 2))
    assert (score.value, score.metric, score.subject) == (2.9, "word error rate", "Whisper-Lite")
    assert score.compared_to is None
    assert (speed.value, speed.unit, speed.metric) == (3.5, "x", None)
    assert (speed.subject, speed.compared_to) == ("Whisper-Lite", "Whisper-large-v3")


_PAIRS = ("Our model, GraphLinker, outperforms GCN and GAT on ogbl-collab and ogbl-citation2, "
          "improving Hits@50 by 4.3 and MRR by 2.7 points")
_PAIR_SPECS = (("GraphLinker", "Method", 0), ("GCN", "Method", 1), ("GAT", "Method", 2),
               ("ogbl-collab", "Dataset", 3), ("ogbl-citation2", "Dataset", 4), ("Hits@50", "Metric", 5),
               ("MRR", "Metric", 6))


@pytest.mark.parametrize(("ending", "datasets"), [
    (" respectively.", ["ogbl-collab", "ogbl-citation2"]),
    (".", [None, None]),
])
def test_find_claims_value_metric_pairs_do_not_multiply_over_datasets(ending, datasets):
    claims = _claims(_PAIRS + ending, *_PAIR_SPECS)
    assert [(c.value, c.metric, c.dataset) for c in claims] == [
        (4.3, "Hits@50", datasets[0]), (2.7, "MRR", datasets[1])]
    assert {(c.subject, c.kind, c.compared_to) for c in claims} == {("GraphLinker", ClaimKind.COMPARISON, "GCN")}


def test_find_claims_value_metric_pairs_keep_a_single_dataset():
    text = "Zeta improves BLEU by 1.5 and chrF by 2.0 on WMT14."
    claims = _claims(text, ("Zeta", "Method", 0), ("BLEU", "Metric", 1), ("chrF", "Metric", 2), ("WMT14", "Dataset", 3))
    assert [(c.value, c.metric, c.dataset) for c in claims] == [(1.5, "BLEU", "WMT14"), (2.0, "chrF", "WMT14")]


@pytest.mark.parametrize(("text", "values"), [
    ("Zeta scores 91% on GSM8K and on MATH500.", [(91.0, "GSM8K"), (91.0, "MATH500")]),
    ("Zeta reaches 8.4, 5.9, and 10.6 on GSM8K, MATH500, and ARC.", [(8.4, "GSM8K"), (5.9, "MATH500"), (10.6, "ARC")]),
    ("On GSM8K, Zeta reaches 81%, and on ARC it reaches 64%.", [(81.0, "GSM8K"), (64.0, "ARC")]),
    ("Zeta reaches 81% on GSM8K; PPO reaches 64% on ARC.", [(81.0, "GSM8K"), (64.0, "ARC")]),
    ("Zeta reaches 81% on GSM8K, while it is 3x faster than PPO.", [(81.0, "GSM8K"), (3.0, None)]),
    ("On GSM8K, Zeta reaches 81%, while it is 3x faster than PPO.", [(81.0, "GSM8K"), (3.0, "GSM8K")]),
])
def test_find_claims_clause_splits_keep_lists_and_never_borrow_a_neighbours_dataset(text, values):
    specs = [("Zeta", "Method", 0), ("PPO", "Method", 1), ("GSM8K", "Dataset", 2), ("MATH500", "Dataset", 3),
             ("ARC", "Dataset", 4)]
    claims = _claims(text, *[spec for spec in specs if spec[0] in text])
    assert [(c.value, c.dataset) for c in claims] == values


def test_find_claims_second_clause_subject_is_its_own_model():
    text = "Zeta reaches 81% on GSM8K, whereas PPO only reaches 64%."
    first, second = _claims(text, ("Zeta", "Method", 0), ("GSM8K", "Dataset", 1), ("PPO", "Method", 2))
    assert (first.subject, second.subject) == ("Zeta", "PPO")
    assert second.kind == ClaimKind.SCORE


@pytest.mark.parametrize(("text", "kind", "rival"), [
    ("Zeta achieves 80% on ARC over PPO.", ClaimKind.COMPARISON, "PPO"),
    ("Zeta gets 12% higher accuracy than PPO on ARC.", ClaimKind.COMPARISON, "PPO"),
    ("Zeta achieves 80% on ARC and is better than PPO.", ClaimKind.SCORE, None),
    ("Zeta achieves 80% on ARC, which is better than PPO.", ClaimKind.SCORE, None),
])
def test_find_claims_competitor_must_govern_the_number(text, kind, rival):
    [claim] = _claims(text, ("Zeta", "Method", 0), ("ARC", "Dataset", 1), ("PPO", "Method", 2))
    assert (claim.kind, claim.compared_to, claim.subject) == (kind, rival, "Zeta")


def test_find_claims_listed_competitors_are_never_the_subject():
    text = "Compared with PPO, DPO and KTO, our method improves accuracy by 4.2 points on ARC."
    [claim] = _claims(text, ("PPO", "Method", 0), ("DPO", "Method", 1), ("KTO", "Method", 2),
                      ("accuracy", "Metric", 3), ("ARC", "Dataset", 4), proposed=("Zeta",))
    assert (claim.subject, claim.compared_to, claim.kind) == ("Zeta", "PPO", ClaimKind.COMPARISON)


def test_scan_numbers_reads_units_and_skips_identifiers():
    text = "GPT-4 reaches 3.5x and 12% and 4 points with a 7B model."
    nums = scan_numbers(text, 0, len(text), [(0, 5)])
    assert [(n.value, n.unit) for n in nums] == [(3.5, "x"), (12.0, "%"), (4.0, "points")]
    assert [len(g.slots) for g in build_groups(text, nums)] == [3]


def test_claim_extractor_component_writes_plain_claims():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("kg_claims")
    doc = nlp.make_doc("We propose Zeta. Our method reaches 88.5% accuracy on GSM8K, beating GPT-4 by 3.2 points.")
    doc = nlp.get_pipe("sentencizer")(doc)
    spans = []
    for surface, label, group in (("Zeta", "Method", 0), ("accuracy", "Metric", 1), ("GSM8K", "Dataset", 2),
                                  ("GPT-4", "Model", 3)):
        start = doc.text.index(surface)
        span = doc.char_span(start, start + len(surface), label=label)
        span._.kg_group = group
        spans.append(span)
    doc.spans[SPAN_KEY] = spans
    doc._.kg_roles = [{"role": "proposes", "group": 0}]
    doc = nlp.get_pipe("kg_claims")(doc)
    claims = doc._.kg_claims
    assert all(isinstance(c, dict) for c in claims)
    assert [(c["value"], c["unit"], c["kind"], c["subject"], c["dataset"]) for c in claims] == [
        (88.5, "%", "score", "Zeta", "GSM8K"), (3.2, "points", "comparison", "Zeta", "GSM8K")]
    assert claims[1]["compared_to"] == "GPT-4"
    assert claims[0]["field"] == "abstract"


def test_claim_extractor_rejects_bad_config():
    from kg.errors import KGError

    with pytest.raises(KGError, match="0"):
        ClaimExtractor(max_sentence_chars=0)


def test_find_claims_range_without_subject_goes_to_the_proposed_method():
    text = "When students train on our traces, their score falls from 54.2 to 46.9 on QuizBank."
    claims = _claims(text, ("QuizBank", "Dataset", 0), proposed=("Zeta",))
    by_value = {c.value: c for c in claims}
    assert by_value[54.2].subject is None
    assert by_value[46.9].subject == "Zeta"


@pytest.mark.parametrize(
    "text",
    [
        "Decoding uses beam search with a beam of 5 on FooBench.",
        "The adapters add 9% parameters on FooBench.",
        "We train with batch sizes up to 16 on FooBench.",
    ],
)
def test_find_claims_hyperparameters_and_added_parameters_are_not_claims(text):
    assert _claims(text, ("FooBench", "Dataset", 0)) == []


def test_a_dataset_that_opens_the_sentence_is_the_subject_of_its_result():
    """"SynLogic leads to ..., surpassing X by 6 points": the data is the actor; a dataset later in
    the sentence (where results are measured) is not."""
    text = "Zorpdata leads to better reasoning, surpassing Qwen-32B by 6 points on BBEH."
    [claim] = _claims(text, ("Zorpdata", "Dataset", 0), ("Qwen-32B", "Model", 1), ("BBEH", "Dataset", 2))
    assert (claim.value, claim.subject, claim.dataset) == (6.0, "Zorpdata", "BBEH")
    text = "On BBEH, the model scores 61.2%."
    [claim] = _claims(text, ("BBEH", "Dataset", 0))
    assert claim.subject != "BBEH"
