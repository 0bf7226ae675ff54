"""Tests that pin the quality rules of the gazetteer build (kg.resources._derive, scripts/build_resources.py).

Each rule is tested twice: on the pure function that applies it, and on the committed
files (so that a hand-written seed line cannot break it either).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest

from kg.models import EntityType, normalize_name
from kg.resources import alias_table, load_entries
from kg.resources._derive import (
    SourceLists,
    british_variants,
    clean_model_display_name,
    clean_pwc_task,
    collides,
    derive_hf_models,
    derive_pwc_tasks,
    is_pwc_non_task,
    is_variant_of,
    matcher_plural,
    plural_aliases,
    plural_key,
    pwc_head_is_task,
    redundant_plural_aliases,
    scierc_spans,
    split_pwc_abbreviation,
    strip_organisation,
    tdmsci_spans,
)

# Organisations written before model names in papers; none may start a gazetteer model form.
ORG_PREFIXES = ("OpenAI ", "Google ", "Meta ", "Anthropic ", "Microsoft ", "Alibaba ", "Mistral AI ", "IBM ",
                "Amazon ", "NVIDIA ", "DeepMind ", "Cohere Labs ")

# Cross-type collisions kept on purpose: the same letters are an established name of both.
ALLOWED_COLLISIONS = {
    "alpaca": "the Alpaca model and the Alpaca instruction data set (both cs,amb)",
    "asr": "attack success rate (Metric) and automatic speech recognition (Task)",
    "gqa": "the GQA visual QA dataset and grouped-query attention",
    "mae": "masked autoencoder (Method) and mean absolute error (Metric)",
}

# Forms of one entry where one is the other plus a version number, kept because papers
# use both for the same thing (spellings of one edition, or the edition the bare name means).
ALLOWED_VARIANT_PAIRS = {
    ("AlpacaEval 2", "AlpacaEval 2.0"), ("ARC-AGI", "ARC-AGI-1"), ("Atari", "Atari 2600"), ("Atari", "Atari-57"),
    ("CUB", "CUB-200-2011"), ("Dolly", "Dolly-15k"), ("FiQA", "FiQA-2018"), ("HumanEval+", "HumanEval-Plus"),
    ("ImageNet", "ImageNet-1k"), ("ILSVRC", "ILSVRC 2012"), ("LogiQA2", "LogiQA 2.0"), ("MBPP+", "MBPP-Plus"),
    ("OpenR1-Math", "OpenR1-Math-220k"), ("Spider", "Spider 1.0"), ("Spider2", "Spider 2.0"), ("SQuAD", "SQuAD 1.1"),
    ("SQuAD", "SQuAD v1.1"), ("SQuADv2", "SQuAD v2.0"), ("WSC", "WSC273"), ("Command R+", "Command R Plus"),
    ("wav2vec2", "wav2vec 2.0"),
}


def _forms_by_key() -> dict[str, set[EntityType]]:
    types: dict[str, set[EntityType]] = defaultdict(set)
    for entry in load_entries():
        for form in entry.forms:
            types[normalize_name(form)].add(entry.type)
    return types


# ------------------------------------------------ 1. organisations are not part of model names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("OpenAI o1", "o1"),
        ("Google Gemini", "Gemini"),
        ("Meta Llama", "Llama"),
        ("Anthropic Claude", "Claude"),
        ("Microsoft Phi", "Phi"),
        ("Alibaba Qwen", "Qwen"),
        ("Mistral AI Mistral Large", "Mistral Large"),
        ("OpenAI's o1-mini", "o1-mini"),
        ("Google DeepMind Gemini 2.5 Pro", "Gemini 2.5 Pro"),
        ("Mistral 7B", "Mistral 7B"),
        ("Metaformer", "Metaformer"),
        ("OpenAI", "OpenAI"),
    ],
)
def test_strip_organisation_keeps_the_model_part(raw, expected):
    assert strip_organisation(raw) == expected


def test_clean_model_display_name_strips_organisation():
    assert clean_model_display_name("Amazon Nova Pro") == ("Nova Pro", None)


def test_derive_hf_models_strips_organisation():
    names = [e["name"] for e in derive_hf_models(SourceLists(hf_models=["OpenAI GPT-2", "Google Gemma"]))]
    assert names == ["GPT-2", "Gemma"]


def test_load_entries_no_model_form_starts_with_organisation():
    bad = [f for e in load_entries() if e.type is EntityType.MODEL for f in e.forms if f.startswith(ORG_PREFIXES)]
    assert bad == []


# ------------------------------------------------ 2. cross-type collisions


def test_collides_finds_a_form_of_another_type():
    superglue = {"name": "SuperGlue", "aliases": []}
    assert collides(superglue, {normalize_name("SuperGLUE")})
    assert not collides(superglue, {normalize_name("GLUE")})


def test_load_entries_cross_type_collisions_are_the_allowed_ones():
    collisions = {key for key, types in _forms_by_key().items() if len(types) > 1}
    assert collisions <= set(ALLOWED_COLLISIONS), sorted(collisions - set(ALLOWED_COLLISIONS))


@pytest.mark.parametrize(
    ("form", "type_"),
    [("SuperGlue", EntityType.MODEL), ("DPR", EntityType.MODEL), ("natural questions", EntityType.TASK),
     ("Extreme Summarization", EntityType.DATASET), ("Conversational Question Answering", EntityType.DATASET),
     ("recognizing textual entailment", EntityType.TASK), ("OpenAI gym", EntityType.TASK)],
)
def test_alias_table_drops_names_of_another_type(form, type_):
    assert (type_, normalize_name(form)) not in alias_table()


# ------------------------------------------------ 3. Papers with Code non-tasks


@pytest.mark.parametrize(
    "name",
    ["OpenAI gym", "large language model", "face model", "graph neural networks", "image datasets",
     "code benchmark", "text corpus", "Atari games", "time series", "one-shot learning", "LLM jailbreak",
     "AI agent", "word embeddings", "visual data"],
)
def test_is_pwc_non_task_rejects_things(name):
    assert is_pwc_non_task(name)


@pytest.mark.parametrize(
    "name",
    ["semantic segmentation", "object detection in aerial images", "drug discovery", "LLM-generated text detection",
     "knowledge editing", "speech enhancement"],
)
def test_is_pwc_non_task_keeps_tasks(name):
    assert not is_pwc_non_task(name)


def test_clean_pwc_task_drops_non_tasks_unless_asked():
    assert clean_pwc_task("Large Language Model") is None
    assert clean_pwc_task("Large Language Model", keep_non_tasks=True) == "large language model"


def test_load_entries_pwc_tasks_are_no_things_and_no_methods():
    own = {plural_key(f) for kind in ("tasks", "methods") for e in load_entries(kind) for f in e.forms}
    pwc = [e.name for e in load_entries("tasks_pwc")]
    assert [n for n in pwc if is_pwc_non_task(n)] == []
    assert [n for n in pwc if plural_key(n) in own] == []


def test_plural_key_ignores_a_trailing_s():
    assert plural_key("Word Embeddings") == plural_key("word embedding")
    assert plural_key("GANs") == plural_key("GAN")
    assert plural_key("bus") == "bus"


# ------------------------------------------------ 4. aliases are true synonyms


@pytest.mark.parametrize(
    ("general", "specific", "expected"),
    [
        ("DeBERTa", "DeBERTa-v3", True),
        ("DeBERTa", "DeBERTaV3", True),
        ("pass@1", "pass@100", True),
        ("Phi", "Phi-3.5", True),
        ("T5", "T5-XXL", True),
        ("Llama", "Llama 3.1", True),
        ("GSM8K", "GSM-8K", False),
        ("BERT", "RoBERTa", False),
        ("GPT-4", "GPT-4", False),
    ],
)
def test_is_variant_of(general, specific, expected):
    assert is_variant_of(general, specific) is expected


@pytest.mark.parametrize(
    ("type_", "form", "canonical"),
    [
        (EntityType.MODEL, "debertav3", "DeBERTa-v3"),
        (EntityType.MODEL, "DeBERTa", "DeBERTa"),
        (EntityType.METRIC, "pass@100", "pass@100"),
        (EntityType.METRIC, "pass100", "pass@100"),
        (EntityType.METRIC, "pass@k", "pass@k"),
        (EntityType.METRIC, "pass@1", "pass@1"),
        (EntityType.METRIC, "nDCG@10", "nDCG@10"),
        (EntityType.METRIC, "BLEU-4", "BLEU-4"),
        (EntityType.TASK, "sequential decision-making", "sequential decision-making"),
        (EntityType.TASK, "program synthesis", "program synthesis"),
        (EntityType.METHOD, "distillation", "distillation"),
        (EntityType.METHOD, "KD", "knowledge distillation"),
        (EntityType.METHOD, "DPR", "dense passage retrieval"),
        (EntityType.MODEL, "Phi-3.5", "Phi-3.5"),
        (EntityType.MODEL, "T5-XXL", "T5-XXL"),
        (EntityType.MODEL, "Llama-2", "Llama 2"),
        (EntityType.MODEL, "Qwen-2.5", "Qwen2.5"),
        (EntityType.MODEL, "ChatGPT", "ChatGPT"),
        (EntityType.DATASET, "PAWS-X", "PAWS-X"),
        (EntityType.DATASET, "WMT14 En-De", "WMT14 En-De"),
    ],
)
def test_alias_table_keeps_versions_and_subconcepts_apart(type_, form, canonical):
    assert alias_table()[(type_, normalize_name(form))] == canonical


def test_load_entries_no_alias_is_a_version_of_another_form():
    bad = [
        (a, b)
        for e in load_entries()
        for a in e.forms
        for b in e.forms
        if a != b and is_variant_of(a, b) and (a, b) not in ALLOWED_VARIANT_PAIRS
    ]
    assert bad == []


def test_load_entries_families_list_only_stems():
    forms = [f for e in load_entries("model_families") for f in e.forms]
    assert [(a, b) for a in forms for b in forms if is_variant_of(a, b)] == []
    assert not {"Llama-2", "Llama 3.1", "Phi-3.5", "T5-XXL", "DeBERTa-v3", "Qwen2.5"} & set(forms)


@pytest.mark.parametrize("form", ["Llama-2", "Llama 3.1", "Phi-3.5", "T5-XXL", "DeBERTa-v3", "Qwen2.5", "GPT-4"])
def test_load_entries_versioned_models_are_own_entries(form):
    names = {normalize_name(e.name) for e in load_entries("models")}
    assert normalize_name(form) in names


# ------------------------------------------------ 5. plurals come from the matcher


def test_plural_aliases_finds_plural_of_any_form():
    assert plural_aliases("convolutional neural network", ["CNN", "CNNs", "ConvNet"]) == ["CNNs"]
    assert plural_aliases("model soups", ["model soup"]) == []


def test_load_entries_methods_and_tasks_have_no_plural_aliases_the_matcher_writes():
    bad = [
        (e.name, a)
        for kind in ("methods", "tasks")
        for e in load_entries(kind)
        for a in redundant_plural_aliases(e.name, list(e.aliases), e.type.value)
    ]
    assert bad == []


def test_redundant_plural_aliases_keep_acronym_plurals():
    assert redundant_plural_aliases("graph neural network", ["GNN", "GNNs", "graph neural networks"], "Method") == [
        "graph neural networks"
    ]
    assert matcher_plural("GNN", "Method") is None
    assert matcher_plural("world model", "Method") == "world models"


@pytest.mark.parametrize(("form", "canonical"), [("GNNs", "graph neural network"), ("CNNs", "convolutional neural network"),
                                                 ("VAEs", "variational autoencoder"), ("LSTMs", "long short-term memory"),
                                                 ("PINNs", "physics-informed neural network")])
def test_alias_table_method_acronyms_have_their_plural(form, canonical):
    assert alias_table()[(EntityType.METHOD, normalize_name(form))] == canonical


def test_alias_table_has_no_transformers_alias():
    assert (EntityType.METHOD, "transformers") not in alias_table()
    assert alias_table()[(EntityType.METHOD, "transformer")] == "Transformer"


# ------------------------------------------------ 6. Papers with Code: abbreviations and rarely listed tasks


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Visual Question Answering (VQA)", ("Visual Question Answering", "VQA")),
        ("Multiple Choice Question Answering (MCQA)", ("Multiple Choice Question Answering", "MCQA")),
        ('"Optical Character Recognition (OCR)"', ("Optical Character Recognition", "OCR")),
        # a narrower task than the abbreviation names, or letters that are not the long form's initials
        ("Zero-shot Named Entity Recognition (NER)", ("Zero-shot Named Entity Recognition (NER)", None)),
        ("3D Object Detection (RoI)", ("3D Object Detection (RoI)", None)),
        # no action noun in the long form, or an abbreviation too short to match safely
        ("Computed Tomography (CT)", ("Computed Tomography (CT)", None)),
        ("Question Answering (QA)", ("Question Answering (QA)", None)),
        ("Semantic Segmentation", ("Semantic Segmentation", None)),
    ],
)
def test_split_pwc_abbreviation(raw, expected):
    assert split_pwc_abbreviation(raw) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("diabetic retinopathy detection", True),
        ("query-focused summarization", True),
        ("selection bias", False),  # no task head
        ("future prediction", False),  # vague modifier
        ("efficient detection", False),  # generic modifier of the lexicon
        ("safety alignment", False),  # a training step, not a task, when rarely listed
    ],
)
def test_pwc_head_is_task(name, expected):
    assert pwc_head_is_task(name) is expected


def _pwc_lists(rows):
    return SourceLists(pwc_tasks=rows)


def test_derive_pwc_tasks_count_rule_and_abbreviation_alias():
    lists = _pwc_lists([
        ("Visual Question Answering (VQA)", 145),  # frequent: kept, with its alias
        ("Statistical Translation", 5),  # frequent: teaches "statistical"
        ("Arrhythmia Detection", 2),  # rare, task head, noun modifier: kept
        ("Selection Bias", 2),  # rare, no task head: left out
        ("Probabilistic Estimation", 1),  # rare, new adjective: left out
        ("Statistical Detection", 1),  # rare, adjective already known from a frequent name: kept
    ])
    got = {e["name"]: e["aliases"] for e in derive_pwc_tasks(lists)}
    assert got == {
        "visual question answering": ["VQA"],
        "statistical translation": [],
        "arrhythmia detection": [],
        "statistical detection": [],
    }


def test_load_entries_pwc_abbreviations_spell_their_long_form():
    pairs = [(e.name, a) for e in load_entries("tasks_pwc") for a in e.aliases if " " not in a and sum(c.isupper() for c in a) >= 2]
    assert pairs, "the Papers with Code list keeps spelled-out abbreviations"
    assert all(split_pwc_abbreviation(f"{name} ({alias})")[1] == alias for name, alias in pairs)


# ------------------------------------------------ 7. names cited from training corpora


def _scierc_doc(key, words, label):
    return {"doc_key": key, "sentences": [words], "ner": [[[0, len(words) - 1, label]]]}


def test_scierc_spans_need_two_documents(tmp_path):
    path = tmp_path / "train.json"
    docs = [_scierc_doc("a", ["RANSAC"], "Method"), _scierc_doc("b", ["ransac"], "Method"),
            _scierc_doc("c", ["graph", "cuts"], "Method"), _scierc_doc("d", ["parsing"], "Task")]
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    assert scierc_spans(path) == {"Method": {normalize_name("RANSAC")}}


def test_tdmsci_spans_skip_the_held_out_chunks(tmp_path):
    path = tmp_path / "train.conll"
    blocks = []
    for i in range(50):  # chunks 0-4 of ten sentences; chunk 4 (sentences 40-49) is kg's held-out part
        word = "summarization" if i in (1, 2) else "tagging" if i in (41, 42) else "x"
        tag = "O" if word == "x" else "B-TASK"
        blocks.append(f"We\t0\tO\n{word}\t3\t{tag}\n")
    path.write_text("\n".join(blocks))
    assert tdmsci_spans(path) == {"Task": {"summarization"}}


def test_check_keys_corpus_keys_are_typed():
    lists = SourceLists(corpus_spans={"scierc": {"Method": {normalize_name("graph cuts")}}})
    assert lists.check_keys("scierc:graph cuts", "Method") == ["scierc-train"]
    with pytest.raises(KeyError, match="scierc:graph cuts"):
        lists.check_keys("scierc:graph cuts", "Task")
    with pytest.raises(KeyError, match="tdmsci:graph cuts"):
        lists.check_keys("tdmsci:graph cuts", "Method")


def test_load_entries_corpus_sources_are_recorded():
    sources = {s for e in load_entries() for s in e.source.split("; ")}
    assert {"scierc-train", "tdmsci-train"} <= sources


# ------------------------------------------------ 8. classes of names the held-out error counts asked for


@pytest.mark.parametrize(
    ("type_", "form", "canonical"),
    [
        (EntityType.METHOD, "FedAvg", "federated averaging"),
        (EntityType.METHOD, "ADMM", "alternating direction method of multipliers"),
        (EntityType.METHOD, "R-GCN", "relational graph convolutional network"),
        (EntityType.METHOD, "SpecAugment", "SpecAugment"),
        (EntityType.METHOD, "GAIL", "generative adversarial imitation learning"),
        (EntityType.METHOD, "chunked prefill", "chunked prefill"),
        (EntityType.METHOD, "contrastive loss", "contrastive loss"),
        (EntityType.METHOD, "cross-entropy", "cross-entropy"),
        (EntityType.METHOD, "neural ODE", "neural ordinary differential equation"),
        (EntityType.TASK, "retrosynthesis", "retrosynthesis"),
        (EntityType.TASK, "VAD", "voice activity detection"),
        (EntityType.TASK, "OPE", "off-policy evaluation"),
        (EntityType.METRIC, "FVD", "Fréchet Video Distance"),
        (EntityType.METRIC, "DER", "diarization error rate"),
        (EntityType.METRIC, "CRPS", "continuous ranked probability score"),
        (EntityType.METRIC, "normalised score", "normalized score"),
        (EntityType.MODEL, "ESM2", "ESM-2"),
        (EntityType.DATASET, "Office-Home", "Office-Home"),
    ],
)
def test_alias_table_covers_names_across_sub_fields(type_, form, canonical):
    assert alias_table()[(type_, normalize_name(form))] == canonical


def test_load_entries_method_and_task_names_are_singular():
    """The matcher adds plurals, never singulars: a name written in the plural ("prototypical networks")
    would miss the singular; names that are plural as established ("memory networks") are listed."""
    plural_as_established = {"memory networks"}
    plural_names = [
        e.name for kind in ("methods", "tasks") for e in load_entries(kind)
        if re.search(r"(?:networks|functions|values|explanations|equations|examples)$", e.name)
        and e.name not in plural_as_established
    ]
    assert plural_names == []


@pytest.mark.parametrize("name", ["ELMo", "AlphaZero", "MuZero", "YOLO", "AlphaGo", "BERT"])
def test_alias_table_released_models_of_a_family_are_models(name):
    """A released pretrained model or trained agent is a Model, whichever list it came from
    (AlphaGo and AlphaZero, BERT and ELMo, YOLO and YOLOv8 take one type)."""
    table = alias_table()
    assert (EntityType.MODEL, normalize_name(name)) in table
    assert (EntityType.METHOD, normalize_name(name)) not in table


# ------------------------------------------------ 9. British spellings are aliases


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ("layer normalization", ["layer normalisation"]),
        ("language modeling", ["language modelling"]),
        ("behavior cloning", ["behaviour cloning"]),
        ("Sharpness-Aware Minimization", ["Sharpness-Aware Minimisation"]),
        ("adversarial defense", ["adversarial defence"]),
        ("model size", []),  # "size" is no -ize verb
        ("BLEU", []),
        ("FedAvg", []),
    ],
)
def test_british_variants(form, expected):
    assert british_variants(form) == expected


@pytest.mark.parametrize(
    ("type_", "form", "canonical"),
    [
        (EntityType.METHOD, "batch normalisation", "batch normalization"),
        (EntityType.METHOD, "Bayesian optimisation", "Bayesian optimization"),
        (EntityType.METHOD, "behaviour cloning", "behavior cloning"),
        (EntityType.TASK, "summarisation", "summarization"),
        (EntityType.TASK, "semantic role labelling", "semantic role labeling"),
        (EntityType.METRIC, "normalised discounted cumulative gain", "nDCG"),
    ],
)
def test_alias_table_knows_british_spellings(type_, form, canonical):
    assert alias_table()[(type_, normalize_name(form))] == canonical
