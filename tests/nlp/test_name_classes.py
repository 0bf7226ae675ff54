"""Classes of junk and mistyped names (issue 12): each rule pinned with sentences written for these
tests, and with negatives that the rule must leave alone."""

from __future__ import annotations

import pytest

from kg.models import EntityType, Paper
from kg.nlp.gazetteer import pattern_rows
from kg.nlp.patterns import Hit, typed_by_shape
from kg.nlp.pipeline import build_nlp, extract_paper
from kg.nlp.shapes import model_regex


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def _extract(nlp, abstract: str, title: str = ""):
    ex = extract_paper(Paper(id="t", title=title, abstract=abstract), nlp=nlp)
    by_group = {e.group: e.text for e in ex.entities}
    return {(e.text, e.type.value) for e in ex.entities}, {(r.role.value, by_group.get(r.group)) for r in ex.roles}


@pytest.mark.parametrize(("abstract", "junk", "kept"), [
    # a clause opener is not the start of a name
    ("We show that although sparse transformers can copy strings, they fail at sorting.",
     "although sparse transformers", "sparse transformers"),
    ("We find that while sparse attention helps, it hurts recall.", "while sparse attention", "sparse attention"),
    # superlatives and grading adjectives are not part of a name
    ("Even the largest transformer fails on long inputs.", "largest transformer", "transformer"),
    # the word right after "we" is its verb
    ("We target long-form question answering with retrieval.", "target long-form question answering",
     "long-form question answering"),
    ("Beyond mere accuracy, we report calibration of the classifiers.", "mere accuracy", "accuracy"),
    ("We compare against the smallest diffusion models in the zoo.", "smallest diffusion models", "diffusion models"),
])
def test_subordinators_and_evaluative_words_are_not_part_of_names(nlp, abstract, junk, kept):
    entities, _ = _extract(nlp, abstract)
    texts = {t for t, _ in entities}
    assert junk not in texts
    assert kept in texts


@pytest.mark.parametrize(("abstract", "name"), [
    ("We train with knowledge distillation and rejection sampling.", "knowledge distillation"),
    ("A graph neural network solves the routing problem.", "graph neural network"),
    ("Our agent uses Monte Carlo tree search to plan.", "Monte Carlo tree search"),
])
def test_name_modifiers_are_kept(nlp, abstract, name):
    entities, _ = _extract(nlp, abstract)
    assert name in {t for t, _ in entities}


@pytest.mark.parametrize(("abstract", "name", "type_"), [
    # an adjective before a known method or task name narrows it and stays in the name
    ("We present a hierarchical variational inference scheme for dynamics.", "hierarchical variational inference",
     "Method"),
    ("We stabilize large-batch runs with adaptive gradient clipping.", "adaptive gradient clipping", "Method"),
    ("We study biomedical named entity recognition in clinical notes.", "biomedical named entity recognition", "Task"),
    # a setting stays in the name though its first part is a generic word
    ("We study few-shot named entity recognition in clinical notes.", "few-shot named entity recognition", "Task"),
    ("We improve low-resource machine translation with pivots.", "low-resource machine translation", "Task"),
    # a hyphenated participle compound qualifies it too (a single participle does not, below)
    ("We study retrieval-augmented data augmentation for rare classes.", "retrieval-augmented data augmentation",
     "Method"),
    # before a known method name a participle names a variant of it, unless it says what was done to it
    ("We estimate the partition function with annealed importance sampling.", "annealed importance sampling",
     "Method"),
    ("Each layer is a gated graph neural network.", "gated graph neural network", "Method"),
])
def test_an_adjective_before_a_known_name_is_kept(nlp, abstract, name, type_):
    entities, _ = _extract(nlp, abstract)
    assert (name, type_) in entities


@pytest.mark.parametrize(("abstract", "kept", "left_out"), [
    # a participle that says what was done to the thing, a number word or a word of status is not part
    # of the name that follows
    ("We study related data augmentation schemes.", "data augmentation", "related data augmentation"),
    ("We add learned attention over the tokens.", "attention", "learned attention"),
    ("The proposed knowledge distillation halves the cost.", "knowledge distillation",
     "proposed knowledge distillation"),
    ("Compared to graph-based data augmentation, ours is faster.", "data augmentation",
     "graph-based data augmentation"),
    ("Results on five mathematical reasoning tasks improve.", "mathematical reasoning", "five mathematical reasoning"),
    ("We test on real robot manipulation.", "robot manipulation", "real robot manipulation"),
    ("On ADE20K semantic segmentation it improves.", "semantic segmentation", "ADE20K semantic segmentation"),
    ("This is evidence of putative logical reasoning.", "logical reasoning", "putative logical reasoning"),
])
def test_participles_numbers_and_status_words_do_not_qualify_a_name(nlp, abstract, kept, left_out):
    texts = {t for t, _ in _extract(nlp, abstract)[0]}
    assert kept in texts
    assert left_out not in texts


def test_one_plain_adjective_before_a_describing_head_is_no_method(nlp):
    entities, _ = _extract(nlp, "We find that efficient learning needs additional supervision and deep networks.")
    assert not any(kind == "Method" for _, kind in entities)
    # a known name part, or a hyphenated compound, before the same heads names a technique
    entities, _ = _extract(nlp, "We pair object-centric learning with hierarchical supervision.")
    assert {("object-centric learning", "Method"), ("hierarchical supervision", "Method")} <= entities


def test_a_measure_noun_after_a_size_is_not_part_of_the_name(nlp):
    entities, _ = _extract(nlp, "We find that a 40 million parameter transformer learns the rule.")
    assert not any(t.startswith("parameter") for t, _ in entities)
    entities, _ = _extract(nlp, "We revisit Part 2, Knowledge Manipulation, with parameter sharing.")
    assert all("million" not in t for t, _ in entities)


def test_an_organisation_before_a_model_name_is_dropped(nlp):
    entities, _ = _extract(nlp, "Systems such as OpenAI-o3 and Google Gemma-2-9B have shown gains.")
    assert ("o3", "Model") in entities
    assert not any(t.startswith("OpenAI") for t, _ in entities)


def test_a_name_shaped_like_a_model_is_a_model_even_when_context_says_method(nlp):
    entities, _ = _extract(nlp, "We refer to the model after continued training as Qwen-2-Zorp (our variant).")
    assert ("Qwen-2-Zorp", "Model") in entities
    assert ("Qwen-2-Zorp", "Method") not in entities
    entities, _ = _extract(nlp, "We call this approach ZorpNet, a method that ranks proofs.")
    assert ("ZorpNet", "Method") in entities


@pytest.mark.parametrize(("text", "hit_end", "name"), [
    ("It surpasses Med-PaLM 2 on exams.", 21, "Med-PaLM 2"),
    ("It surpasses Med-PaLM by 2 points.", 21, "Med-PaLM"),  # a number that is no version stays out  # a prefix before the family, then a version
    ("It surpasses Video-Llama on clips.", 24, "Video-Llama"),
])
def test_a_compound_headed_by_a_model_family_is_a_model(text, hit_end, name):
    hits = typed_by_shape(text, [Hit(13, hit_end, EntityType.METHOD, "competitor")], model_regex(["Llama", "PaLM"]),
                          set())
    assert [(text[h.start : h.end], h.type) for h in hits] == [(name, EntityType.MODEL)]


def test_a_family_before_another_head_is_left_alone():
    text = "It surpasses CLIP-Adapter on clips."  # the family leads: an adapter method
    hits = [Hit(13, 25, EntityType.METHOD, "competitor")]
    assert typed_by_shape(text, hits, model_regex(["CLIP"]), set()) == hits


def test_typed_by_shape_leaves_other_names_alone():
    text = "vs DeepMind-style ZorpRL"
    hits = [Hit(3, 16, EntityType.METHOD, "competitor"), Hit(17, 24, EntityType.METHOD, "competitor")]
    assert typed_by_shape(text, hits, model_regex(["Llama"]), set()) == hits


@pytest.mark.parametrize("kind", ["dataset", "benchmark", "corpus"])
def test_we_introduce_a_known_name_as_a_dataset_proposes_it(nlp, kind):
    abstract = f"To study this, we introduce GSM8K, a {kind} of 8.5K grade school problems. Models fail on GSM8K."
    entities, roles = _extract(nlp, abstract)
    assert ("GSM8K", "Dataset") in entities
    assert ("proposes", "GSM8K") in roles


@pytest.mark.parametrize("abstract", [
    "We propose GRPO, a method that drops the value network.",        # a known method stays used
    "We evaluate on GSM8K, a dataset of grade school problems.",      # no intro verb
    "We introduce a new verifier for GSM8K, a dataset of problems.",  # the name is not what is introduced
])
def test_known_names_without_an_owned_introduction_are_not_proposed(nlp, abstract):
    _, roles = _extract(nlp, abstract)
    assert not any(role == "proposes" and text in {"GRPO", "GSM8K"} for role, text in roles)


def test_a_sentence_case_description_is_not_a_dataset_alias():
    rows = pattern_rows([{"name": "ZorpQA", "type": "Dataset",
                          "aliases": ["Zorp question answering pairs", "Zorp Question Answering", "ZQA 2"]}])
    texts = {r["text"] for r in rows}
    assert "Zorp question answering pairs" not in texts
    assert {"ZorpQA", "Zorp Question Answering", "ZQA 2"} <= texts


def test_a_sentence_case_description_stays_for_other_types():
    rows = pattern_rows([{"name": "zorp tree search", "type": "Method", "aliases": ["Zorp tree search method"]}])
    assert "Zorp tree search method" not in {r["text"] for r in rows}  # generic head, dropped by another rule
    rows = pattern_rows([{"name": "Zorp tree search", "type": "Method", "aliases": []}])
    assert "Zorp tree search" in {r["text"] for r in rows}


@pytest.mark.parametrize(("abstract", "name", "type_"), [
    # a coined name listed with known ones takes their type, before or after them
    ("We compare XGBoost, LightGBM and FooBoostX on tabular data.", "FooBoostX", "Method"),
    ("Results on ZorpQA5, GSM8K and MATH improve.", "ZorpQA5", "Dataset"),
    # a cue at a sentence start counts as one inside a sentence
    ("Compared with ZorpNet and QuuxNet, our encoder is faster.", "QuuxNet", "Method"),
])
def test_a_coined_name_in_a_list_takes_the_type_of_the_list(nlp, abstract, name, type_):
    entities, _ = _extract(nlp, abstract)
    assert (name, type_) in entities


def test_a_name_after_a_known_one_outside_a_list_is_not_typed_by_it(nlp):
    # no "and"/"or" closes a list here: "ZorpFormer" follows GSM8K only by a comma
    entities, _ = _extract(nlp, "On GSM8K, ZorpFormer trails the baseline.")
    assert ("ZorpFormer", "Dataset") not in entities


@pytest.mark.parametrize(("abstract", "name", "type_"), [
    ("Our model, ZorpNet, outperforms prior encoders on two benchmarks.", "ZorpNet", "Model"),
    ("Our method (QuuxAlign) needs no labels.", "QuuxAlign", "Method"),
    ("Our method, termed GraphZorp++, extends masked autoencoders to graphs.", "GraphZorp++", "Method"),
    # the noun of the apposition types the name; "model-agnostic" is no "model"
    ("We present ZorpNet, a model-agnostic framework for pruning.", "ZorpNet", "Method"),
    ("We present ZorpNet, a 7B model for code.", "ZorpNet", "Model"),
])
def test_a_coined_name_apposed_to_our_own_thing_is_proposed(nlp, abstract, name, type_):
    entities, roles = _extract(nlp, abstract)
    assert (name, type_) in entities
    assert ("proposes", name) in roles


@pytest.mark.parametrize(("abstract", "name", "type_"), [
    ("We propose Cross-Scale Token Fusion, which merges tokens across resolutions.", "Cross-Scale Token Fusion",
     "Method"),
    ("The Gated Residual Memory Network stores long-range context.", "Gated Residual Memory Network", "Method"),
    ("Experiments show that Progressive Knowledge Transfer helps small students.", "Progressive Knowledge Transfer",
     "Method"),
    # a dataset head is part of the name too
    ("We evaluate on the Open Graph Benchmark and report accuracy.", "Open Graph Benchmark", "Dataset"),
    ("Results on the Waymo Open Dataset show fewer misses.", "Waymo Open Dataset", "Dataset"),
    ("We parse sentences of the Penn Treebank.", "Penn Treebank", "Dataset"),
])
def test_a_title_case_name_takes_the_type_of_its_head(nlp, abstract, name, type_):
    entities, _ = _extract(nlp, abstract)
    assert (name, type_) in entities


@pytest.mark.parametrize(("title", "abstract"), [
    ("A Comprehensive Benchmark for Reasoning", "We study reasoning."),  # the title is title case throughout
    ("", "The Benchmark results are mixed."),  # function words and one head word are no name
])
def test_title_case_dataset_heads_leave_titles_and_lone_heads_alone(nlp, title, abstract):
    entities, _ = _extract(nlp, abstract, title=title)
    assert not {t for t, kind in entities if kind == "Dataset" and "Benchmark" in t}


@pytest.mark.parametrize(("title", "abstract", "not_a_name"), [
    ("", "Large Language Models struggle with long inputs.", "Large Language Models"),
    ("", "The Segment Everything Model labels masks.", "Segment Everything Model"),
    ("Adaptive Token Routing for Vision", "We study routing.", "Adaptive Token Routing"),
])
def test_title_case_generic_classes_model_names_and_titles_are_left_alone(nlp, title, abstract, not_a_name):
    entities, _ = _extract(nlp, abstract, title=title)
    assert (not_a_name, "Method") not in entities


def test_cost_measures_are_metrics_where_they_are_measured(nlp):
    entities, _ = _extract(nlp, "Pruning cuts energy consumption by 30% and raises inference speed by 2x, "
                                "while memory usage drops to 4 GB and training time halves.")
    for name in ("energy consumption", "inference speed", "memory usage", "training time"):
        assert (name, "Metric") in entities
    entities, _ = _extract(nlp, "Energy consumption of data centres is a public concern.")
    assert not any(kind == "Metric" for _, kind in entities)


def test_quality_nouns_are_metrics_where_they_are_measured(nlp):
    entities, _ = _extract(nlp, "The generated molecules reach 98% validity, 100% uniqueness and 95% novelty, "
                                "and the screen keeps a sensitivity of 0.91.")
    for name in ("validity", "uniqueness", "novelty", "sensitivity"):
        assert (name, "Metric") in entities
    entities, _ = _extract(nlp, "Sensitivity to the choice of prompt is a known weakness of the approach.")
    assert not any(kind == "Metric" for _, kind in entities)
    # a grading word before a measured quality noun is not part of its name
    entities, _ = _extract(nlp, "It shows broad sensitivity, measured across 12 settings.")
    assert ("broad sensitivity", "Metric") not in entities


@pytest.mark.parametrize(("abstract", "name"), [
    ("We solve the vehicle routing problem with a learned heuristic.", "vehicle routing problem"),
    ("Our policy generalizes on the traveling salesman problem.", "traveling salesman problem"),
    ("We revisit the multi-armed bandit problem under delays.", "multi-armed bandit problem"),
])
def test_a_problem_named_by_two_or_three_nouns_is_a_task_head_included(nlp, abstract, name):
    entities, _ = _extract(nlp, abstract)
    assert (name, "Task") in entities


@pytest.mark.parametrize("abstract", ["We study the optimization problem of the learner.",  # one word: a description
                                      "This is the same hard problem as before.",
                                      "We address the very difficult problem of search."])
def test_a_problem_described_by_one_or_generic_words_is_no_task(nlp, abstract):
    entities, _ = _extract(nlp, abstract)
    assert not any(text.endswith("problem") for text, _ in entities)


@pytest.mark.parametrize(("abstract", "name"), [
    ("We propose uncertainty-aware pseudo-label refinement, which filters noisy labels.",
     "uncertainty-aware pseudo-label refinement"),
    ("We introduce gated cross-modal fusion to combine audio and video streams.", "gated cross-modal fusion"),
    ("We propose contrastive prefix regularization, a method that keeps prompts apart.",
     "contrastive prefix regularization"),
])
def test_a_technique_introduced_under_a_lower_case_name_is_a_proposed_method(nlp, abstract, name):
    entities, roles = _extract(nlp, abstract)
    assert (name, "Method") in entities
    assert ("proposes", name) in roles


@pytest.mark.parametrize("abstract", [
    "We propose treating verbal feedback as a conditioning signal.",  # a gerund clause
    "We propose to learn a latent dynamics model with contrastive objectives.",  # a purpose
    "We present several new methods for search, which we compare.",  # generic words
])
def test_clauses_and_generic_phrases_after_we_propose_are_no_method(nlp, abstract):
    entities, _ = _extract(nlp, abstract)
    assert not any(t.startswith(("treating", "to learn", "several")) for t, _ in entities)


@pytest.mark.parametrize(("abstract", "names"), [
    ("Experiments on ZuCo and GECO show that gaze features help.", {"ZuCo", "GECO"}),
    ("We evaluate on IAM.", {"IAM"}),
    ("Results on PTB-XL, Chapman and CPSC2018 confirm the gains.", {"PTB-XL", "CPSC2018"}),
])
def test_coined_names_a_paper_is_evaluated_on_are_datasets(nlp, abstract, names):
    entities, _ = _extract(nlp, abstract)
    assert {(n, "Dataset") for n in names} <= entities


def test_evaluated_on_leaves_known_methods_models_and_organisations_their_type(nlp):
    entities, _ = _extract(nlp, "Results on GPT-4 and SFT checkpoints, and evaluations on NVIDIA H100 GPUs, agree.")
    assert ("GPT-4", "Model") in entities and ("SFT", "Method") in entities
    assert not any(kind == "Dataset" for _, kind in entities)


@pytest.mark.parametrize(("abstract", "name"), [
    ("We fit the Bradley-Terry model to pairwise preferences.", "Bradley-Terry model"),
    ("States are tracked with a Kalman filter over noisy sensors.", "Kalman filter"),
    ("We align the two sets with a Sinkhorn solver.", "Sinkhorn solver"),
])
def test_a_technique_named_after_people_is_a_method(nlp, abstract, name):
    entities, _ = _extract(nlp, abstract)
    assert (name, "Method") in entities


@pytest.mark.parametrize("abstract", [
    "Language model outputs are scored by humans.",  # one capitalized word opening a sentence
    "Our model is small, and the Llama model is large.",  # a function word; a model family
])
def test_sentence_openers_function_words_and_model_families_before_a_head_are_no_eponym(nlp, abstract):
    entities, _ = _extract(nlp, abstract)
    assert not any(t in {"Language model", "Our model", "Llama model"} for t, _ in entities)


@pytest.mark.parametrize(("title", "type_"), [
    ("Zorpcast: A Foundation Model for Global Weather", "Model"),
    ("Quillo: Open Language Models for Code", "Model"),
    ("Zorpcast: Can Large Language Models Forecast Weather?", "Method"),  # a question about models
    ("Quillo: Improving Large Language Models with Feedback", "Method"),  # an action on models
])
def test_a_title_name_is_a_model_when_the_title_calls_it_one(nlp, title, type_):
    entities, _ = _extract(nlp, "We study forecasting.", title=title)
    name = title.split(":")[0]
    assert (name, type_) in entities


def test_a_title_name_the_abstract_calls_a_benchmark_is_a_dataset(nlp):
    entities, _ = _extract(nlp, "Ten systems are run on Provix, a benchmark of 500 proofs.",
                           title="Provix: How Well Do Provers Generalize?")
    assert ("Provix", "Dataset") in entities
    entities, _ = _extract(nlp, "We introduce Quillo, a method that ranks proofs.",
                           title="Quillo: Ranking Proofs at Scale")
    assert ("Quillo", "Method") in entities


def test_a_title_case_method_name_in_the_abstract_is_proposed_and_leaves_the_title_alone(nlp):
    entities, roles = _extract(nlp, "Experiments show that Progressive Knowledge Transfer helps small students.")
    assert ("proposes", "Progressive Knowledge Transfer") in roles
    title = "Zorp: Progressive Knowledge Transfer for Language Modeling"
    entities, _ = _extract(nlp, "We find that Progressive Knowledge Transfer helps.", title=title)
    assert ("Language Modeling", "Task") in entities  # the abstract's name does not cut the title into methods


def test_a_descriptive_method_in_the_sentence_that_introduces_the_work_is_proposed(nlp):
    _, roles = _extract(nlp, "We introduce a new training scheme in which contrastive prefix regularization "
                             "keeps prompts apart.")
    assert ("proposes", "contrastive prefix regularization") in roles
    # a method the sentence names as an instrument stays used
    _, roles = _extract(nlp, "We introduce a new training scheme based on contrastive prefix regularization.")
    assert ("proposes", "contrastive prefix regularization") not in roles
    assert ("uses_method", "contrastive prefix regularization") in roles
