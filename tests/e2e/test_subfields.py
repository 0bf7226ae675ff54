"""Extraction on abstracts from sub-fields other than LLM reasoning (vision, speech, graphs,
offline RL, retrieval). The abstracts are written for this test; the expectations are what the
annotation guidelines ask for, so a failure here is a rule that does not generalize.
"""

from __future__ import annotations

import pytest

from kg.models import EntityType, Paper, Role
from kg.nlp import extract_paper

VISION = Paper(
    id="v", title="SwinFusion: Hierarchical Token Mixing for Dense Prediction",
    abstract="We present SwinFusion, a vision backbone that mixes tokens across windows. On ImageNet-1K, "
    "SwinFusion-B reaches 84.9% top-1 accuracy, outperforming Swin-B by 1.2 points. For object detection on "
    "COCO, it improves box AP by 2.1 over ResNet-50 with Mask R-CNN, and on ADE20K semantic segmentation it "
    "achieves 50.3 mIoU.",
)
SPEECH = Paper(
    id="s", title="Whisper-Lite: Efficient Speech Recognition on Edge Devices",
    abstract="Automatic speech recognition (ASR) models such as Whisper are costly to deploy. We propose "
    "Whisper-Lite, which combines knowledge distillation with 4-bit quantization. On LibriSpeech test-clean, "
    "Whisper-Lite obtains a word error rate (WER) of 2.9%, while running 3.5x faster than Whisper-large-v3 on "
    "a Raspberry Pi. We also report results on Common Voice.",
)
GRAPHS = Paper(
    id="g", title="Graph Transformers for Link Prediction at Scale",
    abstract="We study link prediction on large graphs. Our model, GraphLinker, uses sparse attention and "
    "outperforms GCN and GAT on ogbl-collab and ogbl-citation2. Experiments on Cora and PubMed confirm the "
    "gains in node classification.",
)
OFFLINE_RL = Paper(
    id="r", title="Offline RL with Diffusion Policies",
    abstract="Offline reinforcement learning learns policies from fixed datasets. We introduce DiffQ, a "
    "diffusion policy trained with Q-learning guidance. On the D4RL benchmark, DiffQ achieves a normalized "
    "return of 88.4 on MuJoCo locomotion tasks and surpasses CQL and IQL.",
)
RETRIEVAL = Paper(
    id="q", title="Dense Retrieval with Late Interaction Distillation",
    abstract="We propose LIDR, a dense retriever distilled from ColBERTv2. On MS MARCO, LIDR achieves 39.8 "
    "MRR@10, and on the BEIR benchmark it improves average nDCG@10 by 3.1 points. Retrieval-augmented "
    "generation with LIDR improves exact match on Natural Questions from 41.2 to 45.6.",
)

CASES = [
    (VISION, {("ImageNet-1K", EntityType.DATASET), ("COCO", EntityType.DATASET), ("ADE20K", EntityType.DATASET),
              ("top-1 accuracy", EntityType.METRIC), ("mIoU", EntityType.METRIC), ("ResNet-50", EntityType.MODEL),
              ("object detection", EntityType.TASK), ("semantic segmentation", EntityType.TASK)}, "SwinFusion"),
    (SPEECH, {("LibriSpeech", EntityType.DATASET), ("Common Voice", EntityType.DATASET), ("Whisper", EntityType.MODEL),
              ("word error rate", EntityType.METRIC), ("WER", EntityType.METRIC),
              ("knowledge distillation", EntityType.METHOD), ("ASR", EntityType.TASK)}, "Whisper-Lite"),
    (GRAPHS, {("ogbl-collab", EntityType.DATASET), ("Cora", EntityType.DATASET), ("GCN", EntityType.METHOD),
              ("GAT", EntityType.METHOD), ("link prediction", EntityType.TASK),
              ("node classification", EntityType.TASK)}, None),
    (OFFLINE_RL, {("D4RL", EntityType.DATASET), ("Q-learning", EntityType.METHOD), ("CQL", EntityType.METHOD),
                  ("Offline reinforcement learning", EntityType.METHOD)}, "DiffQ"),
    (RETRIEVAL, {("MS MARCO", EntityType.DATASET), ("BEIR", EntityType.DATASET), ("Natural Questions", EntityType.DATASET),
                 ("MRR@10", EntityType.METRIC), ("nDCG@10", EntityType.METRIC), ("exact match", EntityType.METRIC)},
     "LIDR"),
]


@pytest.mark.parametrize(("paper", "expected", "proposed"), CASES, ids=[c[0].id for c in CASES])
def test_subfield_entities_and_contribution(paper, expected, proposed):
    extraction = extract_paper(paper)
    found = {(e.text, e.type) for e in extraction.entities}
    assert expected <= found, expected - found
    if proposed is not None:
        groups = {e.group for e in extraction.entities if e.text == proposed}
        assert any(r.role is Role.PROPOSES and r.group in groups for r in extraction.roles), extraction.roles


@pytest.mark.parametrize(
    ("paper", "value", "dataset", "metric"),
    [
        (VISION, 84.9, "ImageNet-1K", "top-1 accuracy"),
        (VISION, 2.1, "COCO", "box AP"),
        (VISION, 50.3, "ADE20K", "mIoU"),
        (SPEECH, 2.9, "LibriSpeech", None),
        (RETRIEVAL, 39.8, "MS MARCO", "MRR@10"),
        (RETRIEVAL, 45.6, "Natural Questions", "exact match"),
    ],
)
def test_subfield_claims_keep_their_clause(paper, value, dataset, metric):
    claims = [c for c in extract_paper(paper).claims if c.value == value]
    assert claims, f"no claim with value {value}"
    assert claims[0].dataset == dataset
    if metric is not None:
        assert claims[0].metric == metric


def test_subfield_model_sizes_and_bit_widths_are_not_claims():
    values = {c.value for c in extract_paper(SPEECH).claims}
    assert 4.0 not in values and 3.5 in values
