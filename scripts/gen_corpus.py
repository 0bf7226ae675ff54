#!/usr/bin/env python
"""A generated corpus of distinct ML abstracts for scale benchmarks (fixed seed).

Repeating one page of papers a thousand times flatters every cache (spaCy's
vocabulary, memoized name normalization, SQLite pages of the same few
entities), so this generator writes papers whose texts are all different while
reading like the seed corpus:

- every seed abstract (``../shared/corpus/trending_papers.txt``, or the copies
  in the repository when ``../shared`` is missing) is split into sentences, and
  each sentence becomes a template: names of datasets, models, methods, metrics
  and tasks from ``kg/resources/*.jsonl`` become slots, numbers become slots
  that keep their number of decimals, the seed paper's own method name (the
  ``Name:`` of its title) becomes the new paper's name;
- a paper is an opening sentence, a contribution sentence, two to four middle
  sentences and one or two result sentences, drawn from the seed templates and
  from a few hand-written ones (which carry claims such as "from 61.2% to
  64.8%"), with every slot filled anew: names drawn from the name lists with
  Zipf-like frequencies (a few datasets are in many papers, most in few; GSM8K
  is in about 1% of papers), numbers varied, and a new method name per paper
  made from syllables of the paper's index, so no two abstracts are equal
  (checked);
- records are JSONL in the arXiv snapshot's shape: ``id``, ``title``,
  ``abstract``, ``categories`` (space-separated) and ``update_date``.

The first n papers of a larger corpus are the n-paper corpus (same seed), so
stores built from growing sizes hold growing supersets.

Example:
    python scripts/gen_corpus.py --n 10000 -o corpus-10k.jsonl
    python scripts/gen_corpus.py --n 100 --id-prefix add- --seed 8 -o extra.jsonl
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import random
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_SEED = ROOT.parent / "shared" / "corpus" / "trending_papers.txt"
LOCAL_SEEDS = [ROOT / "tests" / "data" / "seed" / "trending_papers.txt", ROOT / "examples" / "sample_papers.jsonl"]
RESOURCES = ROOT / "kg" / "resources"
KINDS = {"Dataset": "datasets", "Model": "models", "Method": "methods", "Metric": "metrics", "Task": "tasks"}
ZIPF_EXPONENT = 1.0
# Where GSM8K sits in the dataset ranking: about 1% of papers mention it, as in arXiv's cs.CL/cs.LG.
GSM8K_RANK = 10
CATEGORIES = ["cs.CL", "cs.LG", "cs.AI", "cs.CV", "stat.ML", "cs.IR", "cs.RO", "cs.SD"]
FIRST_DATE = date(2020, 1, 1)
DAYS = 6 * 365
SYLLABLES = [
    "ka", "lo", "ri", "ve", "zu", "ta", "mi", "no", "sa", "pe", "qui", "dra", "fen", "gal", "hu", "jo",
    "bri", "cor", "dex", "el", "fo", "gri", "ix", "mar", "nel", "or", "pix", "ros", "sil", "tor", "ul", "vor",
]
SUFFIXES = ["", "Net", "Former", "RL", "Align", "Mix", "Tune", "Reason", "Search", "Agent", "Distill", "Diff", "LM"]

# Hand-written sentences; {Kind} and {KindN} are names, {NEW} the paper's method,
# {pct}/{delta}/{speed}/{score}/{count} numbers.
CONTRIBUTIONS = [
    "We propose {NEW}, a {Method}-based approach to {Task}.",
    "In this work, we introduce {NEW}, which combines {Method} with {Method2} for {Task}.",
    "We present {NEW}, a framework that trains {Model} with {Method} to improve {Task}.",
    "To address this, we propose {NEW}, a simple recipe built on {Method} and {Method2}.",
    "This paper introduces {NEW}, a method for {Task} that needs no labels beyond {Dataset}.",
]
RESULTS = [
    "On {Dataset}, {NEW} reaches {pct}% {Metric}, {delta} points above {Method}.",
    "Applied to {Model}, {NEW} improves {Metric} on {Dataset} from {pct}% to {pct2}%.",
    "{NEW} attains {score} {Metric} on {Dataset} and {pct}% on {Dataset2}.",
    "Compared with {Method}, {NEW} is {speed}x faster on {Dataset} at equal {Metric}.",
    "We evaluate {NEW} on {Dataset}, {Dataset2} and {Dataset3} with {Model} and {Model2} as base models.",
    "Experiments on {Task} benchmarks including {Dataset} and {Dataset2} show consistent gains over {Method} and {Method2}.",
    "With {Model} as the backbone, {NEW} outperforms {Method} by {delta} points of {Metric} on {Dataset}.",
    "We also release a benchmark of {count} problems built from {Dataset}.",
]
_NUMBERS = {  # name: (decimals, low, high)
    "pct": (1, 20.0, 95.0), "pct2": (1, 20.0, 98.0), "delta": (1, 0.5, 12.0), "speed": (1, 1.2, 6.0),
    "score": (1, 10.0, 60.0), "count": (0, 500, 50000),
}

# Common words a seed sentence may say otherwise, so that sentences without names or
# numbers vary too (each occurrence is kept or swapped for an alternative).
SYNONYMS = [
    ("propose", "introduce", "present"), ("proposes", "introduces", "presents"),
    ("proposed", "introduced", "presented"), ("significantly", "substantially", "considerably", "markedly"),
    ("improve", "enhance", "boost"), ("improves", "enhances", "boosts"), ("improving", "enhancing", "boosting"),
    ("improvement", "gain"), ("improvements", "gains"), ("show", "demonstrate"), ("shows", "demonstrates"),
    ("demonstrate", "show"), ("demonstrates", "shows"), ("approach", "method", "technique"),
    ("approaches", "methods", "techniques"), ("framework", "system", "pipeline"), ("results", "findings"),
    ("novel", "new"), ("However", "Yet", "Still"), ("Moreover", "Furthermore", "In addition"),
    ("Furthermore", "Moreover", "Additionally"), ("Specifically", "Concretely", "In particular"),
    ("achieve", "attain", "reach"), ("achieves", "attains", "reaches"), ("outperforms", "surpasses", "beats"),
    ("existing", "prior", "previous"), ("leverage", "exploit", "use"), ("leverages", "exploits", "uses"),
    ("paper", "work", "study"), ("experiments", "evaluations"), ("a variety of", "a range of", "diverse"),
    ("substantial", "considerable"), ("crucial", "essential", "critical"), ("enables", "allows"),
    ("enable", "allow"), ("challenging", "difficult", "hard"), ("often", "frequently"),
    ("capabilities", "abilities"), ("ability", "capacity"), ("Recent", "Current"), ("recent", "current"),
    ("models", "systems"), ("effective", "successful"), ("key", "central"), ("various", "several"),
    ("limited", "restricted"), ("efficient", "economical"), ("tasks", "problems"), ("method", "approach"),
    ("methods", "approaches"), ("study", "investigate", "examine"), ("studies", "investigates", "examines"),
    ("analysis", "examination"), ("introduce", "propose", "present"), ("introduces", "proposes", "presents"),
    ("This", "The present"), ("In this work", "Here", "In this paper"), ("In this paper", "Here", "In this work"),
]


# ------------------------------------------------------------------ templates


@dataclass(frozen=True)
class Slot:
    """A hole in a template: a name of ``kind`` (standing for ``key`` within one paper) or a number."""

    kind: str
    key: str = ""
    decimals: int = 0
    low: float = 0.0
    high: float = 0.0
    percent: bool = False


Template = tuple[str | Slot, ...]


@dataclass
class Pools:
    """The templates a paper is drawn from, by position in the abstract."""

    openings: list[Template] = field(default_factory=list)
    contributions: list[Template] = field(default_factory=list)
    middles: list[Template] = field(default_factory=list)
    results: list[Template] = field(default_factory=list)
    titles: list[Template] = field(default_factory=list)


def load_names() -> dict[str, list[str]]:
    """Unambiguous names of each kind from ``kg/resources``, with their aliases for finding them."""
    names: dict[str, list[str]] = {}
    for kind, stem in KINDS.items():
        rows = [json.loads(line) for line in (RESOURCES / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()]
        names[kind] = [r["name"] for r in rows if "name" in r and not r.get("ambiguous")]
    return names


def _alias_index(names: dict[str, list[str]]) -> dict[str, str]:
    """Every findable form -> its kind: names and aliases of three letters or more."""
    index: dict[str, str] = {}
    for kind, stem in KINDS.items():
        for line in (RESOURCES / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if "name" not in row or row.get("ambiguous"):
                continue
            for form in [row["name"], *row.get("aliases", [])]:
                if len(form) >= 3 and (kind in ("Task", "Metric") or not form.islower()):
                    index.setdefault(form, kind)
    return index


_NUMBER = re.compile(r"(?<![\w.\-/])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w\-/]|\.\d)(\s*%)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "vs.", "cf.", "Fig.", "Eq.", "approx.")


def split_sentences(text: str) -> list[str]:
    """Sentences of an abstract (a period after a common abbreviation does not end one)."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text.strip()):
        if out and out[-1].endswith(_ABBREVIATIONS):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return [s for s in out if s]


def _number_slot(match: re.Match[str]) -> Slot:
    text = match.group(1).replace(",", "")
    value = float(text)
    decimals = len(text.partition(".")[2])
    percent = bool(match.group(2))
    high = min(value * 1.5, 99.9) if percent else value * 1.5
    return Slot("num", decimals=decimals, low=value * 0.5, high=max(high, value * 0.5), percent=percent)


def make_template(sentence: str, finder: re.Pattern[str], index: dict[str, str], own: str | None) -> Template:
    """``sentence`` with its names, numbers and the seed paper's own name (``own``) turned into slots."""
    parts: list[str | Slot] = []
    pieces = re.split(rf"(?<![\w\-]){re.escape(own)}(?![\w\-])", sentence) if own else [sentence]
    for i, piece in enumerate(pieces):
        if i:
            parts.append(Slot("NEW"))
        pos = 0
        for m in finder.finditer(piece):
            parts.extend(_numbers(piece[pos : m.start()]))
            parts.append(Slot(index[m.group(0)], key=m.group(0)))
            pos = m.end()
        parts.extend(_numbers(piece[pos:]))
    return tuple(parts)


def _numbers(text: str) -> list[str | Slot]:
    parts: list[str | Slot] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        if 1900 <= float(m.group(1).replace(",", "")) <= 2099 and "." not in m.group(1):
            continue  # a year stays as written
        parts.append(text[pos : m.start()])
        parts.append(_number_slot(m))
        if m.group(2):
            parts.append("%")
        pos = m.end()
    parts.append(text[pos:])
    return [q for p in parts for q in (_synonyms(p) if isinstance(p, str) else [p]) if q != ""]


_ALTERNATIVES = {words[0]: words for words in SYNONYMS}
_SYNONYM = re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(w) for w in sorted(_ALTERNATIVES, key=len, reverse=True))
                      + r")(?![\w\-])")


def _synonyms(text: str) -> list[str | Slot]:
    """``text`` with each word of ``SYNONYMS`` as a slot that keeps it or swaps it."""
    parts: list[str | Slot] = []
    pos = 0
    for m in _SYNONYM.finditer(text):
        parts += [text[pos : m.start()], Slot("syn", key=m.group(0))]
        pos = m.end()
    parts.append(text[pos:])
    return parts


_HAND_SLOT = re.compile(r"\{(NEW|[A-Z][a-z]+|[a-z]+)(\d?)\}")


def hand_template(text: str) -> Template:
    """A hand-written sentence's ``{Kind}``/``{number}`` markers as slots."""
    parts: list[str | Slot] = []
    pos = 0
    for m in _HAND_SLOT.finditer(text):
        parts.append(text[pos : m.start()])
        name = m.group(1) + m.group(2)
        if m.group(1) == "NEW":
            parts.append(Slot("NEW"))
        elif name in _NUMBERS:
            decimals, low, high = _NUMBERS[name]
            parts.append(Slot("num", decimals=decimals, low=low, high=high))
        else:
            parts.append(Slot(m.group(1), key=f"#{m.group(2) or 1}"))
        pos = m.end()
    parts.append(text[pos:])
    return tuple(p for p in parts if p != "")


def _own_name(title: str) -> str | None:
    """The seed paper's method name: the one word before a colon that starts its title."""
    m = re.match(r"^([^\s:]{2,30}):\s", title)
    return m.group(1) if m else None


def seed_files() -> list[Path]:
    """The shared trending corpus, or the repository's copies of the seed papers when it is missing."""
    if SHARED_SEED.is_file():
        return [SHARED_SEED]
    return [p for p in [*LOCAL_SEEDS, *sorted((ROOT / "tests" / "data").glob("*.jsonl"))] if p.is_file()]


def build_pools(names: dict[str, list[str]]) -> Pools:
    """Templates from the seed papers and the hand-written sentences."""
    from kg.io import read_papers

    index = _alias_index(names)
    forms = sorted(index, key=len, reverse=True)
    finder = re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w\-])")
    pools = Pools()
    pools.contributions.extend(hand_template(t) for t in CONTRIBUTIONS)
    pools.results.extend(hand_template(t) for t in RESULTS)
    for paper in read_papers(seed_files()).papers:
        own = _own_name(paper.title)
        sentences = split_sentences(paper.abstract)
        if len(sentences) < 3:
            continue
        templates = [make_template(s, finder, index, own) for s in sentences]
        pools.openings.append(templates[0])
        pools.titles.append(make_template(paper.title, finder, index, own))
        for t in templates[1:]:
            slots = [p for p in t if isinstance(p, Slot)]
            if any(s.kind == "NEW" for s in slots):
                pools.contributions.append(t)
            elif any(s.kind == "num" for s in slots):
                pools.results.append(t)
            else:
                pools.middles.append(t)
    return pools


# ------------------------------------------------------------------ filling


class Zipf:
    """Names drawn with weight 1/rank: a few in many papers, most in few."""

    def __init__(self, names: Sequence[str], rng: random.Random, pinned: dict[str, int] | None = None) -> None:
        order = list(names)
        rng.shuffle(order)
        for name, rank in (pinned or {}).items():
            if name in order:
                order.remove(name)
                order.insert(rank, name)
        self.names = order
        self.cumulative = list(itertools.accumulate(1.0 / (r + 1) ** ZIPF_EXPONENT for r in range(len(order))))

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


_NAME_SPACE = len(SYLLABLES) ** 4


def new_name(index: int) -> str:
    """A method name unique to paper ``index``: four syllables of a scrambled index, more past 32**4."""
    scrambled = (index % _NAME_SPACE * 387_433 + 91_237) % _NAME_SPACE  # a bijection of [0, 32**4)
    parts = []
    for _ in range(4):
        scrambled, digit = divmod(scrambled, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    high = index // _NAME_SPACE
    while high:
        high, digit = divmod(high, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts).capitalize() + SUFFIXES[index % len(SUFFIXES)]


class Filler:
    """Fills one paper's templates; the same name in a paper stays the same replacement."""

    def __init__(self, draws: dict[str, Zipf], rng: random.Random, name: str) -> None:
        self.draws = draws
        self.rng = rng
        self.name = name
        self.chosen: dict[tuple[str, str], str] = {}
        self.used: dict[str, set[str]] = {}

    def _name(self, slot: Slot) -> str:
        key = (slot.kind, slot.key)
        if key not in self.chosen:
            used = self.used.setdefault(slot.kind, set())
            pick = self.draws[slot.kind].draw(self.rng)
            for _ in range(6):
                if pick not in used:
                    break
                pick = self.draws[slot.kind].draw(self.rng)
            used.add(pick)
            self.chosen[key] = pick
        return self.chosen[key]

    def _number(self, slot: Slot) -> str:
        value = self.rng.uniform(slot.low, slot.high)
        return f"{value:.{slot.decimals}f}" if slot.decimals else f"{round(value):d}"

    def render(self, template: Template) -> str:
        out = []
        for part in template:
            if isinstance(part, str):
                out.append(part)
            elif part.kind == "NEW":
                out.append(self.name)
            elif part.kind == "num":
                out.append(self._number(part))
            elif part.kind == "syn":
                out.append(self.rng.choice(_ALTERNATIVES[part.key]))
            else:
                out.append(self._name(part))
        return "".join(out)


def _paper(index: int, pools: Pools, draws: dict[str, Zipf], rng: random.Random, id_prefix: str) -> dict[str, str]:
    name = new_name(index)
    fill = Filler(draws, rng, name)
    title_t = rng.choice(pools.titles)
    title = fill.render(title_t)
    if not any(isinstance(p, Slot) and p.kind == "NEW" for p in title_t):
        title = f"{name}: {title}"
    sentences = [rng.choice(pools.openings), rng.choice(pools.contributions)]
    sentences += rng.sample(pools.middles, k=min(len(pools.middles), rng.randint(2, 4)))
    sentences += rng.sample(pools.results, k=rng.randint(1, 2))
    abstract = " ".join(fill.render(t) for t in sentences)
    if name not in abstract:
        abstract = f"{abstract} Code for {name} is released."
    cats = rng.sample(CATEGORIES, k=rng.randint(1, 3))
    day = FIRST_DATE + timedelta(days=rng.randrange(DAYS))
    return {"id": f"{id_prefix}{index:07d}", "title": title, "abstract": abstract,
            "categories": " ".join(cats), "update_date": day.isoformat()}


def generate(n: int, *, seed: int = 7, id_prefix: str = "gen-", start: int = 0) -> Iterator[dict[str, str]]:
    """``n`` distinct papers; the first k of ``generate(n)`` are ``generate(k)`` (same seed and start).

    Raises:
        RuntimeError: two abstracts came out equal (the generator is broken).
    """
    names = load_names()
    setup = random.Random(seed)
    draws = {kind: Zipf(values, setup, {"GSM8K": GSM8K_RANK} if kind == "Dataset" else None)
             for kind, values in names.items()}
    pools = build_pools(names)
    seen: set[bytes] = set()
    for index in range(start, start + n):
        rng = random.Random(f"{seed}:{index}")
        paper = _paper(index, pools, draws, rng, id_prefix)
        digest = hashlib.blake2b(paper["abstract"].encode("utf-8"), digest_size=12).digest()
        if digest in seen:
            raise RuntimeError(f"generated abstract {index} repeats an earlier one")
        seen.add(digest)
        yield paper


def write_corpus(path: Path, n: int, **kwargs: object) -> Path:
    """Write ``generate(n, **kwargs)`` as JSONL to ``path``; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for paper in generate(n, **kwargs):  # type: ignore[arg-type]
            f.write(json.dumps(paper, ensure_ascii=False) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="papers to write")
    parser.add_argument("-o", "--output", type=Path, required=True, help="JSONL file to write")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--id-prefix", default="gen-", help="prefix of the paper ids (default gen-)")
    parser.add_argument("--start", type=int, default=0, help="index of the first paper (default 0)")
    args = parser.parse_args(argv)
    write_corpus(args.output, args.n, seed=args.seed, id_prefix=args.id_prefix, start=args.start)
    print(f"wrote {args.n} papers to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
