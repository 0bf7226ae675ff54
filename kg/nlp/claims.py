"""Quantitative claims: one reported number, what it measures, where it was measured and who reached it.

The rules follow the "Claims" section of ``shared/gold/GUIDELINES.md``. A number
is a claim when it is a measured outcome (a score, a gain, a margin over a
competitor, a speed-up), never when it counts things, sizes a model, dates a
paper, numbers a table or a citation, or belongs to a name ("GPT-4"). Unitless
numbers need evidence that they are results (a metric, "on <dataset>", "by",
"+", a verb such as "achieves"), because most bare numbers in abstracts are counts.

Structure is recovered with surface rules over typed entity mentions, not a
parser: numbers joined by "," / "and" form a list that aligns with a list of
datasets ("A, B and C on D, E and F"); "from X to Y", "X->Y" and "Y, up from X"
are one result with its ``baseline`` (the "before" claim is kept too, marked
``is_baseline``, as the guidelines count it); "range from X to Y" is a spread.

Cues are resolved within the number's own clause (``kg.nlp.claim_clauses``): its
dataset comes from that clause, a sentence-initial "On X," or an explicit reference
to an earlier sentence ("on both benchmarks"), never from a neighbouring clause or
sentence; its metric is the one written beside it, else the nearest of its clause.
A competitor word makes a comparison only when it governs the number ("outperforms
X by 5", "3.1 points over X", "12% higher than X"), so "achieves 88.4 and surpasses
X" stays a score. What the number measures and which way a change goes come from
``kg.nlp.claim_measures``, who reached it from ``kg.nlp.claim_subjects``, number
scanning (units, lists, ranges, non-claims, LaTeX and unicode forms) from
``kg.nlp.claim_numbers``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import KGError
from kg.models import ClaimKind, EntityType, ExtractedClaim, ExtractedEntity, TextField
from kg.nlp.claim_clauses import (
    clause_datasets,
    clause_index,
    dataset_groups,
    pair_chains,
    split_clauses,
)
from kg.nlp.claim_measures import direction_of, quantity_of
from kg.nlp.claim_numbers import (
    WORD_NUMBER_GATE,
    X_WORDS,
    Group,
    Num,
    accepted,
    build_groups,
    scan_numbers,
)
from kg.nlp.claim_subjects import (
    SUBJECT_TYPES,
    Cue,
    Sentence,
    Subject,
    find_bases,
    find_own_model,
    for_subject,
    key,
    subject_of,
)
from kg.nlp.extensions import SPAN_KEY, register_extensions, span_group
from kg.nlp.resolve import require_resolver
from kg.nlp.sentences import doc_text, sentence_bounds, span_text

_GAIN_AFTER = re.compile(r"^\W*(?:\w+\s+){0,2}?(?:improvements?|gains?|boosts?|increases?|reductions?|decreases?|"
                         r"drops?|degradations?|speed-?ups?|lift|less|more|fewer|lower|higher|reduction)\b", re.I)
_IMPROVE_BEFORE = re.compile(r"\b(?:improv\w*|increas\w*|boost\w*|reduc\w*|rais\w*|lift\w*|gain\w*|enhanc\w*|"
                             r"accelerat\w*|speed\w*|by)\b", re.I)
_COMPARE_CUE = re.compile(r"\b(?:over|than|surpass\w*|outperform\w*|compared\s+(?:to|with)|versus|vs\.?|"
                          r"beat\w*|exceed\w*|relative\s+to|against)(?=\W)", re.I)
_PREP_CUES = ("over", "than", "compared", "versus", "vs", "relative", "against")
_HEDGE = re.compile(r"\s*(?:[~+]?\d|(?:" + "|".join(X_WORDS) + r")\b)", re.I)
# Patterns used with match(text, pos, endpos) have no "^": it would only match at offset 0.
# Between a number and a prepositional cue that governs it: "3.1 points over", "12% higher accuracy than".
_GAP_WORD = r"(?!(?:and|or|but|while|whereas|which|that)\b)[\w@.-]+\s+"
_GOVERNED_GAP = re.compile(r"\s*(?:(?:better|worse|higher|lower|faster|slower|more|less|fewer)\s+(?:" + _GAP_WORD
                           + r"){0,7}|(?:" + _GAP_WORD + r"){0,4})$", re.I)
_COORDINATED = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+)$", re.I)
_X_OF_CUE = re.compile(r"\s+the\s+\w+\s+of\s+", re.I)
_BASE_OF_IMPROVE = re.compile(r"\b(?:improv\w*|boost\w*|enhanc\w*)\s+$", re.I)
# Between a metric and the number it governs: "box AP by 2.1", "word error rate (WER) of 2.9%".
_METRIC_GOVERNS = re.compile(r"\s*(?:\([^()]{1,30}\)\s*)?(?:by|of|at|to|is|was|=|:)?\s*[+~]?$", re.I)
_UP_FROM = re.compile(r"\s*,?\s*(?:up|down)\s+from\s+(?:[~$\\a-z]+\s+)?$", re.I)
_TYPES = {t.value: t for t in EntityType}


def _governing_metric(text: str, group: Group, metrics: list[ExtractedEntity]) -> ExtractedEntity | None:
    """A metric written right after the number ("50.3 mIoU") or governing it ("box AP by 2.1")."""
    after = next((m for m in metrics if group.end <= m.start <= group.end + 2 and not text[group.end:m.start].strip()),
                 None)
    if after is not None:
        return after
    before = [m for m in metrics if m.end <= group.start and group.start - m.end <= 40
              and _METRIC_GOVERNS.match(text, m.end, group.start)]
    return before[-1] if before else None


def _nearest_metric(group: Group, metrics: list[ExtractedEntity]) -> str | None:
    """The nearest metric mention, preferring one written after the number."""
    best: tuple[float, str] | None = None
    for m in metrics:
        dist = m.start - group.end if m.start >= group.end else 1.5 * (group.start - m.end) + 5
        if dist >= 0 and (best is None or dist < best[0]):
            best = (dist, m.text)
    return best[1] if best else None




def _coordinated(text: str, target: ExtractedEntity, models: list[ExtractedEntity]) -> set[int]:
    """Ids of the models listed with ``target`` ("over GCN, GAT and SAGE"); a lone comma is no list."""
    chain: list[tuple[ExtractedEntity, bool]] = []
    last = target
    for x in models:
        if x.start >= last.end:
            m = _COORDINATED.match(text, last.end, x.start)
            if not m:
                break
            chain.append((x, bool(re.search(r"\b(?:and|or)\b", m.group()))))
            last = x
    ends = [i for i, (_, joined) in enumerate(chain) if joined]
    return {id(x) for x, _ in chain[:ends[-1] + 1]} if ends else set()


def _compared(text: str, s: int, e: int, models: list[ExtractedEntity]) -> tuple[list[Cue], set[int]]:
    """Comparison cues (position, competitor or None, is a base, is a preposition) and ids of all competitors."""
    out: list[Cue] = []
    rivals: set[int] = set()
    for m in _COMPARE_CUE.finditer(text, s, e):
        word = m.group().lower()
        if word in ("than", "over") and _HEDGE.match(text, m.end()):
            continue  # a hedge: "more than 90%", "over 2%", "more than doubles"
        target = next((x for x in models if m.end() <= x.start <= m.end() + 70
                       and not re.search(r"[;:%]", text[m.end():x.start])), None)
        out.append((m.start(), target, False, word.startswith(_PREP_CUES)))
        if target is not None:
            rivals.add(id(target))
            rivals.update(_coordinated(text, target, models))
    for x in models:
        if _BASE_OF_IMPROVE.search(text, s, x.start) and re.match(r"\s+by\b", text[x.end:x.end + 5]):
            out.append((x.start, x, True, False))
            rivals.add(id(x))
    return out, rivals


def _competitor(group: Group, text: str, cues: list[Cue], models: list[ExtractedEntity],
                clause: tuple[int, int]) -> tuple[str, ExtractedEntity | None]:
    """("comparison" | "base" | "", competitor): a cue of the number's clause that governs it."""
    first = group.slots[0][0]
    if first.word:
        x_of = _X_OF_CUE.match(text, first.end)
        target = next((x for x in models if x_of and 0 <= x.start - x_of.end() <= 2), None)
        if target is not None:
            return "comparison", target
    cs, ce = clause
    reach = 80 if re.match(r"\s*(?:better|worse|higher|lower|faster|slower)\b", text[group.end:group.end + 12]) else 40
    near = [c for c in cues if cs <= c[0] < ce and (
        max(cs, group.start - 130) <= c[0] < group.start
        or (c[3] and group.end <= c[0] <= group.end + reach and _GOVERNED_GAP.match(text, group.end, c[0])))]
    if not near:
        return "", None
    _, target, is_base, _ = min(near, key=lambda c: abs(c[0] - group.start))
    return ("base" if is_base else "comparison"), target


def _kind(text: str, group: Group, clause: tuple[int, int], relation: str) -> ClaimKind:
    """A margin over a competitor is a comparison, except a gain over a base ("5% improvement over SFT")."""
    cs, ce = clause
    first = group.slots[0][0]
    window = text[cs:min(ce, group.end + 40)]
    gain_after = bool(_GAIN_AFTER.match(text[group.end:group.end + 40])) or (first.word and first.unit == "x")
    rivalry = re.search(r"\b(?:outperform|surpass|better|worse|vs|versus|beat|exceed|than\b)", window, re.I)
    if relation == "comparison" and (rivalry or not gain_after):
        return ClaimKind.COMPARISON
    if relation or gain_after or first.plus or first.minus or _IMPROVE_BEFORE.search(text[max(cs, group.start - 60):group.start]):
        return ClaimKind.IMPROVEMENT
    return ClaimKind.SCORE


def _claim(sent: Sentence, num: Num, kind: ClaimKind, subject: Subject | str | None, dataset: ExtractedEntity | None,
           metric: str | None, compared_to: str | None, **fields: object) -> ExtractedClaim:
    """One claim; a score never names a competitor."""
    ci = clause_index(sent.clauses, num.start)
    clause = sent.clauses[ci]
    if not isinstance(subject, Subject):
        subject = Subject(subject is not None, subject)
    base = sent.bases.get(ci)
    base_name = base.text if base is not None and base.text != subject.name else None
    return ExtractedClaim(value=num.value, unit=num.unit, kind=kind, subject=subject.name,
                          dataset=dataset.text if dataset else None, metric=metric,
                          compared_to=compared_to if kind != ClaimKind.SCORE else None,
                          quantity=quantity_of(sent.text, num.start, num.ctx_end, clause, metric),
                          direction=fields.pop("direction", direction_of(sent.text, num.start, num.ctx_end, clause,
                                                                         kind)),  # type: ignore[arg-type]
                          base_model=fields.pop("base_model", base_name),  # type: ignore[arg-type]
                          subject_phrase=subject.phrase if subject.name is None else None,
                          evidence=sent.text[sent.s:sent.e].strip(), start=num.start, end=num.end,
                          **fields)  # type: ignore[arg-type]


def _group_claims(sent: Sentence, group: Group, datasets: list[ExtractedEntity], metric: str | None,
                  first_group: int, inherited: Subject | None) -> tuple[list[ExtractedClaim], Subject | None]:
    """Claims of one number group: aligned with its datasets, a before->after pair as a result with its baseline.

    Also returns the result subject of a pair, which a gain stated after it inherits
    ("decreases from 54.17 to 46.88, corresponding to a 13.5% degradation").
    """
    ci = clause_index(sent.clauses, group.start)
    relation, rival = _competitor(group, sent.text, sent.cues, sent.of(SUBJECT_TYPES), sent.clauses[ci])
    kind = _kind(sent.text, group, sent.clauses[ci], relation)
    named = for_subject(sent, group)
    subject = Subject(True, named.text) if named is not None else subject_of(sent, ci, group.start, first_group)
    if not subject.found and relation == "comparison" and sent.proposed:
        subject = Subject(True, sent.proposed[0])  # "improvements are seen over X": the paper's own method is better
    if not subject.found and inherited is not None and kind != ClaimKind.SCORE:
        subject = inherited
    # "decreases from 54.2 to 46.9": with no subject in the sentence, the result is the paper's own
    result = subject if subject.found or not sent.proposed else Subject(True, sent.proposed[0])
    rival_name = rival.text if rival is not None else None
    base = sent.bases.get(ci)
    out: list[ExtractedClaim] = []
    pair = None
    for i, slot in enumerate(group.slots):
        targets: list[ExtractedEntity | None] = list(datasets) if len(group.slots) == 1 else (
            [datasets[i]] if i < len(datasets) else [])
        for dataset in targets or [None]:
            if len(slot) == 2 and slot[0].transition:
                before_subject = rival_name or (base.text if base is not None else None)
                out.append(_claim(sent, slot[0], ClaimKind.SCORE, before_subject, dataset, metric, None,
                                  is_baseline=True, base_model=None))
                out.append(_claim(sent, slot[1], ClaimKind.SCORE, result, dataset, metric, None,
                                  baseline=slot[0].value))
                pair = result
            else:  # one number, or a spread ("40-90% error reduction": one direction for both ends)
                last = slot[-1]
                way = direction_of(sent.text, last.start, last.ctx_end, sent.clauses[ci], kind)
                out.extend(_claim(sent, n, kind, subject, dataset, metric, rival_name, direction=way) for n in slot)
    return out, pair


def _metrics(text: str, groups: list[Group], metrics: list[ExtractedEntity],
             clauses: list[tuple[int, int]]) -> tuple[list[ExtractedEntity | None], list[str | None]]:
    """Per group: the metric governing it, and the metric name to report.

    A metric written beside a number belongs to it; otherwise the nearest metric of
    the number's clause, else the nearest metric of the sentence that no number owns
    ("a WER of 2.9%, while running 3.5x faster": the speed-up has no metric).
    """
    governing = [_governing_metric(text, g, metrics) for g in groups]
    owned = {m.group for m in governing if m is not None}
    free = [m for m in metrics if m.group not in owned]
    names: list[str | None] = []
    for g, gov in zip(groups, governing):
        cs, ce = clauses[clause_index(clauses, g.start)]
        local = [m for m in metrics if cs <= m.start < ce]
        names.append(gov.text if gov is not None else _nearest_metric(g, local) or _nearest_metric(g, free))
    return governing, names


def _sentence_claims(text: str, s: int, e: int, mentions: Sequence[ExtractedEntity], proposed: Sequence[str],
                     referenced: list[ExtractedEntity], proposed_types: Mapping[str, EntityType] | None = None,
                     known: frozenset[str] = frozenset(), own_model: str | None = None) -> list[ExtractedClaim]:
    """Claims of the sentence ``text[s:e]``; ``referenced``: the datasets "on both benchmarks" would mean."""
    inside = sorted((m for m in mentions if m.start is not None and m.end is not None and s <= m.start and m.end <= e),
                    key=lambda m: m.start)
    nums = scan_numbers(text, s, e, [(m.start, m.end) for m in inside])
    groups = [g for g in build_groups(text, nums) if accepted(text, s, g, inside)]
    if not groups:
        return []
    clauses = split_clauses(text, s, e, groups)
    datasets = [m for m in inside if m.type == EntityType.DATASET]
    per_group = clause_datasets(text, groups, dataset_groups(text, datasets), clauses, referenced)
    governing, metric_names = _metrics(text, groups, [m for m in inside if m.type == EntityType.METRIC], clauses)
    pair_chains(text, groups, governing, per_group)
    models = [m for m in inside if m.type in SUBJECT_TYPES]
    cues, rivals = _compared(text, s, e, models)
    bases = find_bases(text, s, models, clauses)
    excluded = rivals | {id(d) for ds in per_group for d in ds} | {id(b) for b in bases.values()}
    sent = Sentence(text, s, e, inside, proposed, cues, excluded, clauses, proposed_types or {}, bases, known,
                     own_model)
    claims: list[ExtractedClaim] = []
    inherited: Subject | None = None
    by_group: list[list[ExtractedClaim]] = []
    for group, ds, metric in zip(groups, per_group, metric_names):
        made, pair = _group_claims(sent, group, ds, metric, groups[0].start, inherited)
        inherited = pair or inherited
        by_group.append(made)
        claims.extend(made)
    _link_up_from(text, groups, by_group)
    return claims


def _link_up_from(text: str, groups: list[Group], by_group: list[list[ExtractedClaim]]) -> None:
    """"1.21, up from 0.87": the second number is the baseline of the first."""
    for i in range(len(groups) - 1):
        after, before = by_group[i], by_group[i + 1]
        if after and before and _UP_FROM.match(text, groups[i].end, groups[i + 1].start):
            for c in before:
                c.is_baseline, c.kind, c.direction = True, ClaimKind.SCORE, None
            for c in after:
                if c.kind == ClaimKind.SCORE:
                    c.baseline = before[0].value


def _dataset_names(mentions: Sequence[ExtractedEntity], s: int, e: int) -> list[ExtractedEntity]:
    """The datasets a sentence names, one mention per entity, in text order."""
    out: list[ExtractedEntity] = []
    for m in mentions:
        if m.type == EntityType.DATASET and m.start is not None and s <= m.start < e and all(
                o.group != m.group for o in out):
            out.append(m)
    return out


_ANY_DIGIT = re.compile(r"\d")
def find_claims(text: str, sentences: Sequence[tuple[int, int]], mentions: Sequence[ExtractedEntity],
                proposed: Sequence[str] = (), *, max_sentence_chars: int | None = None) -> list[ExtractedClaim]:
    """Extract the quantitative claims of ``text``.

    A claim's dataset comes from its own clause, a sentence-initial "On X," or an explicit
    reference to an earlier sentence's datasets ("on both benchmarks", "on the same
    benchmark"); never from an earlier sentence otherwise.

    Args:
        text: the text the offsets refer to (title + abstract, or an abstract).
        sentences: ``(start, end)`` character offsets of the sentences.
        mentions: typed entity mentions with ``start``/``end`` offsets into ``text``;
            numbers inside a mention ("GPT-4") are never claim values.
        proposed: surface forms of the paper's own method or model, preferred name first;
            "our method", "we achieve" and "it leads to" resolve to ``proposed[0]`` ("our model"
            to the first proposed model among the mentions, when there is one).
        max_sentence_chars: sentences longer than this are skipped (tables, run-on text).

    Returns:
        One claim per value and dataset, in text order; ``start``/``end`` locate the number.

    Example:
        >>> text = "It achieves 94.0 pass@1 on MATH-500."
        >>> ds = ExtractedEntity(text="MATH-500", type="Dataset", group=0, start=27, end=35)
        >>> [(c.value, c.dataset) for c in find_claims(text, [(0, len(text))], [ds])]
        [(94.0, 'MATH-500')]
    """
    claims: list[ExtractedClaim] = []
    seen: set[tuple[int | None, str | None]] = set()
    referenced: list[ExtractedEntity] = []
    wanted = set(proposed)
    proposed_types = {m.text: m.type for m in mentions if m.text in wanted}
    known = frozenset(key(m.text) for m in mentions if m.type in SUBJECT_TYPES)
    own_model = find_own_model(mentions, proposed)
    # Mentions by start offset, so that each sentence looks at its own mentions only
    # (scanning every mention per sentence made long texts quadratic).
    located = sorted((i for i, m in enumerate(mentions) if m.start is not None), key=lambda i: mentions[i].start)
    starts = [mentions[i].start for i in located]
    for s, e in sentences:
        # the sentence's mentions, in their original order (what the helpers would pick from all of them)
        local = [mentions[i] for i in sorted(located[bisect_left(starts, s):bisect_left(starts, e)])]
        numeric = _ANY_DIGIT.search(text, s, e) or WORD_NUMBER_GATE.search(text, s, e)
        if numeric and (max_sentence_chars is None or e - s <= max_sentence_chars):
            for claim in _sentence_claims(text, s, e, local, proposed, referenced, proposed_types, known, own_model):
                if (claim.start, claim.dataset) not in seen:
                    seen.add((claim.start, claim.dataset))
                    claims.append(claim)
        referenced = _dataset_names(local, s, e) or referenced
    return claims


# ------------------------------------------------------------ spaCy component


def _doc_mentions(doc: Doc, span_key: str) -> list[ExtractedEntity]:
    """Typed mentions from the resolved entities (``doc.spans[span_key]``, written by ``kg_resolve``);
    a span without a group gets one of its own."""
    mentions: list[ExtractedEntity] = []
    labels = _TYPES
    spans = doc.spans[span_key] if span_key in doc.spans else []
    for i, span in enumerate(spans):
        if span.label_ not in labels:
            continue
        group = span_group(span)
        group = group if group is not None else 1_000_000 + i
        # built from the pipeline's own spans, so validation is skipped (a hot path)
        mentions.append(ExtractedEntity.model_construct(text=span_text(span), type=_TYPES[span.label_], group=group,
                                                        start=span.start_char, end=span.end_char, field=None,
                                                        extractor="", confidence=1.0))
    return mentions


def _doc_proposed(doc: Doc, mentions: list[ExtractedEntity]) -> list[str]:
    """Surface forms of the proposed methods and models, first by position.

    A proposed dataset is never a claim's subject (subjects are methods or models).
    """
    groups = {r.get("group") for r in (doc._.kg_roles or []) if r.get("role") == "proposes"}
    names: list[str] = []
    ours = (m for m in mentions if m.group in groups and m.type in SUBJECT_TYPES)
    for m in sorted(ours, key=lambda m: m.start or 0):
        if m.text not in names:
            names.append(m.text)
    return names


class ClaimExtractor:
    """Writes ``doc._.kg_claims`` from the typed spans and roles set by earlier components."""

    def __init__(self, name: str = "kg_claims", *, max_sentence_chars: int = 2000, span_key: str = SPAN_KEY) -> None:
        if max_sentence_chars <= 0:
            raise KGError(f"kg_claims: max_sentence_chars must be positive, got {max_sentence_chars!r}")
        register_extensions()
        self.name = name
        self.max_sentence_chars = max_sentence_chars
        self.span_key = span_key

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        """Refuse a pipeline without ``kg_resolve`` before this component (claims read resolved entities only)."""
        require_resolver(nlp, self.name)

    def __call__(self, doc: Doc) -> Doc:
        mentions = _doc_mentions(doc, self.span_key)
        if doc.has_annotation("SENT_START"):
            sentences = sentence_bounds(doc)
        else:
            sentences = [(0, len(doc_text(doc)))]
        claims = find_claims(doc_text(doc), sentences, mentions, _doc_proposed(doc, mentions),
                             max_sentence_chars=self.max_sentence_chars)
        title_len = doc._.kg_title_len or 0
        doc._.kg_claims = [
            c.model_copy(update={"field": TextField.TITLE if (c.start or 0) < title_len else TextField.ABSTRACT})
            .model_dump(mode="json") for c in claims]
        return doc


@Language.factory("kg_claims", default_config={"max_sentence_chars": 2000, "span_key": SPAN_KEY})
def make_claim_extractor(nlp: Language, name: str, *, max_sentence_chars: int, span_key: str) -> ClaimExtractor:
    """Factory of the ``kg_claims`` component (entry point ``kg.nlp.claims:make_claim_extractor``)."""
    return ClaimExtractor(name, max_sentence_chars=max_sentence_chars, span_key=span_key)
