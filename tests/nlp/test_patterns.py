"""Tests of kg.nlp.patterns: model shapes, contributions, datasets, metrics, tasks and methods."""

from __future__ import annotations

import pytest

from kg.models import EntityType
from kg.nlp.patterns import (
    find_appositions,
    find_noun_phrases,
    find_datasets,
    find_introduced,
    find_methods,
    find_metrics,
    find_models,
    find_tasks,
    find_title_name,
    is_name_like,
    kind_from_context,
    metric_modifier_ok,
    model_regex,
    task_modifiers,
)

FAMILIES = ["Llama", "Qwen", "Qwen2.5", "DeepSeek", "GPT", "Mistral", "Phi", "BERT", "ViT", "Claude", "o3"]


@pytest.fixture(scope="module")
def pattern():
    return model_regex(FAMILIES)


def _texts(hits, text: str) -> set[str]:
    return {text[h.start : h.end] for h in hits}


@pytest.mark.parametrize(
    "name",
    ["Llama-3.1-8B-Instruct", "Qwen2.5-Math-7B", "DeepSeek-R1-Distill-Qwen-7B", "GPT-4o-mini", "o3-mini",
     "Mistral-7B-v0.3", "Phi-3-mini", "BERT-base", "ViT-L/14", "Claude 3.5 Sonnet", "Zorblax-13B"],
)
def test_find_models_whole_name_in_sentence(pattern, name):
    text = f"As a baseline we compare against {name} under the same budget."
    hits = find_models(text, pattern)
    assert name in _texts(hits, text)
    assert {h.type for h in hits} == {EntityType.MODEL}


@pytest.mark.parametrize("name", ["Llama-3.1-8B-Instruct", "Qwen2.5-Math-7B", "ViT-L/14", "Claude 3.5 Sonnet"])
def test_model_regex_fullmatch(pattern, name):
    assert pattern.fullmatch(name)


@pytest.mark.parametrize(
    "text",
    ["We fine-tune a 7B model on the traces.", "Even 13B models fail here.", "The policy uses the GPT style of prompts"],
)
def test_find_models_no_name_in_generic_text(pattern, text):
    texts = _texts(find_models(text, pattern), text)
    assert not any(t.strip() in {"7B", "13B", "7B model", "13B models"} for t in texts)
    assert "GPT style" not in texts


def test_model_regex_skips_organisation_stems():
    assert model_regex(["OpenAI", "Google"]).search("OpenAI released tools") is None


@pytest.mark.parametrize(
    ("title", "name", "type_"),
    [
        ("FooNet: A Simple Network for Sparse Attention", "FooNet", EntityType.METHOD),
        ("BarBench: A Benchmark for Long-Context Retrieval", "BarBench", EntityType.DATASET),
        ("Sparse-Echo: Cheap Replay for Continual Agents", "Sparse-Echo", EntityType.METHOD),
    ],
)
def test_find_title_name_before_colon(title, name, type_):
    [hit] = find_title_name(title)
    assert (title[hit.start : hit.end], hit.type, hit.proposed) == (name, type_, True)


@pytest.mark.parametrize(
    "title",
    [
        "Towards Better Models: A Study of Scale",
        "Rethinking Attention: Lessons from Probing",
        "Scaling: Why Bigger Is Not Always Better",
        "On the Limits of Probing Classifiers for Syntax: Evidence",
        "A Plain Title Without a Colon",
        "Position: Benchmarks Should Be Private",
    ],
)
def test_find_title_name_not_a_name(title):
    assert find_title_name(title) == []


@pytest.mark.parametrize(
    ("text", "name", "type_"),
    [
        ("We propose HeliosRL, a method for fast alignment.", "HeliosRL", EntityType.METHOD),
        ("In this work we introduce CodeMaze, a benchmark of 900 puzzles.", "CodeMaze", EntityType.DATASET),
        ("We release OrcaTiny, a family of small language models.", "OrcaTiny", EntityType.MODEL),
        ("We present a framework named TideFlow for planning.", "TideFlow", EntityType.METHOD),
        ("This paper presents SAGE-2, an approach to reward shaping.", "SAGE-2", EntityType.METHOD),
    ],
)
def test_find_introduced_names_contribution(text, name, type_):
    hits = find_introduced(text, [(0, len(text))])
    assert name in _texts(hits, text)
    assert {h.type for h in hits if text[h.start : h.end] == name} == {type_}
    assert all(h.proposed for h in hits)


@pytest.mark.parametrize(
    "text",
    ["We propose a new method for alignment.", "We introduce LLMs to the task of planning.", "We present results."],
)
def test_find_introduced_no_name(text):
    assert find_introduced(text, [(0, len(text))]) == []


@pytest.mark.parametrize(
    "text",
    ["Our benchmark, called KestrelSet, tests agents on chores.", "A new dataset named KestrelSet covers chores."],
)
def test_find_introduced_called_takes_type_from_words_before(text):
    hits = find_introduced(text, [(0, len(text))])
    assert {h.type for h in hits} == {EntityType.DATASET}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("We report results on the Tessera benchmark.", {"Tessera"}),
        ("Our probe is tested on Orion and Vega benchmarks.", {"Orion", "Vega"}),
        ("Scores on LongCodeBench, SciEval and HotpotQA improve.", {"LongCodeBench", "SciEval", "HotpotQA"}),
        ("Results on the MedQA-USMLE dataset are mixed.", {"MedQA-USMLE"}),
    ],
)
def test_find_datasets(text, names):
    hits = find_datasets(text)
    assert names <= _texts(hits, text)
    assert {h.type for h in hits} == {EntityType.DATASET}


@pytest.mark.parametrize(
    "text",
    [
        "We test on the benchmark.",
        "Scores on several benchmarks improve.",
        "The dataset is small but diverse.",
        "We build synthetic datasets from templates.",
        "LLMs benchmarks are saturated.",
    ],
)
def test_find_datasets_none_in_generic_text(text):
    assert find_datasets(text) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("We report pass@k and pass@1 for every solver.", {"pass@k", "pass@1"}),
        ("Retrieval is scored with Acc@1 and nDCG@10.", {"Acc@1", "nDCG@10"}),
        ("Summaries gain in ROUGE-L and BLEU-4.", {"ROUGE-L", "BLEU-4"}),
        ("Agents reach a higher success rate on chores.", {"success rate"}),
        ("Classification reaches 88% top-1 accuracy.", {"top-1 accuracy"}),
        ("Attacks lower the refusal rate sharply.", {"refusal rate"}),
    ],
)
def test_find_metrics(text, names):
    hits = find_metrics(text)
    assert _texts(hits, text) == names
    assert {h.type for h in hits} == {EntityType.METRIC}


@pytest.mark.parametrize("text", ["We achieve state-of-the-art accuracy.", "The growth rate of the corpus is high."])
def test_find_metrics_none(text):
    assert find_metrics(text) == []


def test_find_metrics_learning_rate_is_not_a_metric():
    assert find_metrics("We use a learning rate of 1e-5 with cosine decay.") == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Gains on mathematical reasoning and commonsense reasoning hold.", {"mathematical reasoning", "commonsense reasoning"}),
        ("The backbone helps object detection and semantic segmentation.", {"object detection", "semantic segmentation"}),
        ("We target code generation in low-resource languages.", {"code generation"}),
    ],
)
def test_find_tasks(text, names):
    hits = find_tasks(text, task_modifiers(["object detection", "semantic segmentation", "code generation"]))
    assert _texts(hits, text) == names
    assert {h.type for h in hits} == {EntityType.TASK}


@pytest.mark.parametrize("text", ["Models still struggle with reasoning.", "Better generation needs data."])
def test_find_tasks_none_without_named_modifier(text):
    assert find_tasks(text, task_modifiers(["code generation"])) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("We combine supervised fine-tuning with rejection sampling.", {"supervised fine-tuning", "rejection sampling"}),
        ("The student learns through knowledge distillation.", {"knowledge distillation"}),
        ("Training uses contrastive learning on pairs.", {"contrastive learning"}),
    ],
)
def test_find_methods(text, names):
    hits = find_methods(text)
    assert names <= _texts(hits, text)
    assert {h.type for h in hits} == {EntityType.METHOD}


@pytest.mark.parametrize("text", ["It needs extensive training.", "This eases the learning.", "We apply fine-tuning."])
def test_find_methods_none_for_bare_stage_words(text):
    assert find_methods(text) == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [("PretrainZero", True), ("UL2", True), ("TALAR", True), ("GPT-4", True), ("HeliosRL", True),
     ("Framework", False), ("a", False), ("x1", False), ("Abc", False), ("2B", False)],
)
def test_is_name_like(word, expected):
    assert is_name_like(word) is expected


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ("a benchmark for long-horizon agents", EntityType.DATASET),
        ("a new dataset of proofs", EntityType.DATASET),
        ("a family of open language models", EntityType.MODEL),
        ("a framework for alignment", EntityType.METHOD),
        ("an efficient method", EntityType.METHOD),
        ("a model-agnostic framework built on language models", EntityType.METHOD),
    ],
)
def test_kind_from_context(context, expected):
    assert kind_from_context(context) is expected


def test_task_modifiers_drop_generic_words():
    assert task_modifiers(["object detection", "the task", "new generation"]) == frozenset({"object"})


@pytest.mark.parametrize(
    ("text", "name", "type_"),
    [
        ("We probe this with ZetaProbe, a framework that mixes two signals.", "ZetaProbe", EntityType.METHOD),
        ("We release QuizBank, a new benchmark for grade-school geometry.", "QuizBank", EntityType.DATASET),
        ("Results with OrcaLM, a family of open models, are strong.", "OrcaLM", EntityType.MODEL),
    ],
)
def test_find_appositions_types_a_coined_name_by_its_head(text, name, type_):
    hits = [h for h in find_appositions(text) if text[h.start : h.end] == name]
    assert hits and hits[0].type is type_ and hits[0].proposed


def test_find_appositions_ignores_plain_words():
    assert find_appositions("Training, a costly step, is slow. Moreover, a simple method helps.") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("We add sharpness regularization to the loss.", "sharpness regularization"),
        ("Our student uses feature distillation from the teacher.", "feature distillation"),
        ("The student relies on channel pruning at test time.", "channel pruning"),
    ],
)
def test_find_noun_phrases_nouns_can_name_a_nominal_method(text, name):
    found = {text[h.start : h.end] for h in find_noun_phrases(text) if h.type is EntityType.METHOD}
    assert name in found


@pytest.mark.parametrize(
    "text",
    ["Models require training on more data.", "We apply regularization everywhere.", "Heads retain attention."],
)
def test_find_noun_phrases_verbs_do_not_start_a_method(text):
    assert [text[h.start : h.end] for h in find_noun_phrases(text) if h.type is EntityType.METHOD] == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [("answer", True), ("tail", True), ("joint", True), ("report", False), ("higher", False), ("average", False),
     ("distribution-based", False)],
)
def test_metric_modifier_ok_nouns_that_qualify_a_metric(word, expected):
    assert metric_modifier_ok(word) is expected


def test_patterns_adjacent_model_names_are_one_model_and_m_sizes_are_not_models():
    from kg.nlp import build_nlp

    text = "We pair CLIP ViT-L/14 with frames from WebVid-10M and report answer accuracy."
    doc = build_nlp(claims=False)(text)
    found = {(s.text, s.label_) for s in doc.spans["kg"]}
    assert ("CLIP ViT-L/14", "Model") in found
    assert ("WebVid-10M", "Model") not in found
    assert ("answer accuracy", "Metric") in found


@pytest.mark.parametrize(
    ("text", "name", "type_"),
    [
        ("We also construct QuizPile, a dataset of exam questions.", "QuizPile", EntityType.DATASET),
        ("We present Sonata, a latent diffusion speech model.", "Sonata", EntityType.MODEL),
        ("We introduce Slow Token Merging (STM) for long videos.", "Slow Token Merging", EntityType.METHOD),
    ],
)
def test_find_introduced_capitalized_name_right_after_the_verb(text, name, type_):
    hits = [h for h in find_introduced(text, [(0, len(text))]) if text[h.start : h.end] == name]
    assert hits and hits[0].type is type_


@pytest.mark.parametrize("text", ["We present Adaptive methods for control.", "We release Flax-based checkpoints."])
def test_find_introduced_capitalized_adjective_is_not_a_name(text):
    assert find_introduced(text, [(0, len(text))]) == []
