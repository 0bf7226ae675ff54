"""Build-time helpers of ``scripts/build_resources.py``: read the public name lists, derive entries.

Kept in the package (not imported at run time) so that the rules that turn raw list
items into gazetteer names sit next to the data they produce and can be unit-tested.
Every rule here is mechanical; the judgement calls (which benchmark a config folder
is, which aliases people write) live in the seed files.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from kg.models import normalize_name
from kg.nlp import lexicon as lx

SOURCE_LABELS = {
    "lm": "lm-evaluation-harness",
    "oc": "opencompass",
    "helm": "helm",
    "tdms": "nlp-tdms-kb",
    "hf": "transformers",
    "pwc": "pwc-archive-tasks",
    "scierc": "scierc-train",
    "tdmsci": "tdmsci-train",
    "kg": "kg team",
}

_PREFIXES = "lm|oc|helm|tdms|scierc|tdmsci"
_KEY_RE = re.compile(rf"({_PREFIXES}):(.+?)(?=\s+(?:{_PREFIXES}):|$)")
# Source keys checked against annotated spans of a training corpus: the key is the span's text
# (compared as ``normalize_name`` does) and must be a span of the seed file's type.
CORPUS_PREFIXES = ("scierc", "tdmsci")
# A corpus span counts as a name only when it is annotated in at least this many documents
# (SciERC abstracts) or sentences (TDMSci): one annotator's one-off description is not a name.
MIN_CORPUS_FREQUENCY = 2
# TDMSci has one file; kg holds out every fifth chunk of ten sentences (scripts/convert_corpora.py)
# to measure on, so only the other chunks may supply names.
TDMSCI_HELDOUT_CHUNK = 10

# ---------------------------------------------------------------- pure rules

_SIZE_RE = re.compile(r"^\d+(\.\d+)?[MBT](x\d+(\.\d+)?[BE])?$|^\d+x\d+B$|^\d+[BE]x\d+E$", re.IGNORECASE)
_VARIANT_WORDS = {"Instruct", "Chat", "Turbo", "Lite", "Vision", "Base", "Thinking", "Mix", "Twin"}
_DROP_MODEL_MARKERS = (" on Amazon Bedrock", "+", "Simple Model", "Neurips Local", "Lexica Search", "Lit-GPT",
                       " v2022", "Safe Stable Diffusion", "Vintedois", "text-similarity", "Whisper-1", "DSPy",
                       "LLM-S", "LLM-X", "Silk Road", "Anthropic-LM")
# Renames of HELM display names that are not an organisation prefix.
_RENAMES = {"Mistral Pixtral": "Pixtral"}
# Organisations papers write before a model name ("OpenAI o1", "Meta Llama"): the one list of
# kg/resources/lexicon.toml. The guidelines say they are not part of the name, so no gazetteer
# form may start with one. Longest first, so that "Mistral AI" is tried before "Mistral" (a family).
ORGANISATIONS = lx.ORGANISATIONS
_ORG_SEPARATORS = ("'s ", "\u2019s ", " ", "/")
# Single-word model names that are also ordinary words or common first names.
MODEL_WORDS = {
    "alpaca", "arctic", "aria", "bark", "chameleon", "chinchilla", "cohere", "command", "dia", "doge",
    "dolly", "falcon", "gopher", "granite", "helium", "informer", "janus", "jukebox", "koala", "logos",
    "luminous", "marian", "mega", "mimi", "nougat", "parakeet", "pegasus", "perceiver", "persimmon",
    "sailor", "splinter", "typhoon", "unicorn", "vicuna", "git", "led", "nat", "van", "mvp", "ada",
    "curie", "babbage", "davinci", "command light", "bamba", "apertus", "arcee", "canine", "jamba",
}
_HF_SKIP_RE = re.compile(r"(For[A-Z]|Model$|Encoder|Decoder|Backbone|Wrapper|VisionTransformer|_|Vision$|Moe$)")
_HF_SKIP = {
    "Encoder decoder", "Speech Encoder decoder", "Vision Encoder decoder", "FairSeq Machine-Translation",
    "RAG", "Decision Transformer", "Trajectory Transformer", "Transformer-XL", "Mamba", "mamba2", "RWKV",
    "Time Series Transformer", "Funnel Transformer", "VisionTextDualEncoder", "TimmBackbone", "xLSTM",
    "Blt", "Dia", "Doge", "Mimi", "Helium", "Bark", "Aria", "AriaText", "Arcee", "MRA", "YOSO", "NAT", "VAN",
    "GIT", "LED", "MVP", "CSM", "DAC", "Nezha", "Lfm2", "Lfm2Vl", "dots1", "BORT", "Mega", "MEGA", "CPM",
    "CPM-Ant", "TVP", "TVLT", "Splinter", "Evolla", "Informer", "Autoformer", "Jukebox", "Janus", "FNet",
}
_DATASET_SKIP = {
    "Flores", "Copywriting", "Logos", "Bingo", "Unicorn", "Vicuna", "Koala", "Dyck", "Transcription", "ICE",
    "IC", "ONET", "TGAT", "PAIRS", "MARCO", "PARADE", "CLEAR", "Landing", "Mementos", "MentalHealth",
    "DecodingTrust", "LSAT", "MLHSD", "TPAT-1", "A-Level", "Medec", "AutoBencher", "Magazine", "Wisesight",
    "PHYSICS", "R_Bench", "PI_LLM", "HLE", "CHARM", "ClinicBench", "Earth_Silver", "LCBench", "SeedBench",
    "PJExam", "CLBench", "MUStARD", "ADHD-Behavior", "ADHD-MedEffects", "BMT-Status", "CDI-QA",
    "ClinicReferral", "ENT-Referral", "HospiceReferral", "MedConfInfo", "NoteExtract", "PatientInstruct",
    "PrivacyDetection", "ProxySender", "RaceBias", "I2LaTeX", "I2webpage", "MST-VTT", "ASR-Transcription",
    "HarmBenchGCGTransfer", "ConvFinQACalc", "VLSP", "VSFC", "MRobust", "MMLUArabic", "Image2musicsheet",
    "Image2webpage", "BLINK", "BOLD", "RAFT", "PMMEval", "SmolInstruct", "OpenFinData",
}
_PWC_SKIP = {
    "knowledge graphs", "formal logic", "feature importance", "intelligent communication", "graph mining",
    "natural language queries", "fill mask", "text2text generation", "multilingual nlp", "topic models",
    "riddle sense",
}
_PWC_BAD_WORDS = {
    "benchmark", "benchmarks", "dataset", "datasets", "challenge", "leaderboard", "track", "task", "tasks",
    "competition", "subtask", "other", "general", "misc", "miscellaneous", "unsupervised", "supervised",
}


def clean_model_display_name(display: str) -> tuple[str, str | None] | None:
    """Turn a HELM display name into (name people write, base name) or None to drop it.

    Organisation prefixes, dates, preview and deployment notes are removed; a size
    in parentheses moves after the family and version, before variant words, because
    papers write "Llama-3.1-8B-Instruct", not "Llama 3.1 Instruct (8B)".

    Example:
        >>> clean_model_display_name("Llama 3.1 Instruct (8B)")
        ('Llama 3.1 8B Instruct', None)
        >>> clean_model_display_name("o1-mini (2024-09-12)")
        ('o1-mini', None)
    """
    display = re.sub(r"-20\d{6}\b", "", display.strip().rstrip(".")).replace(" - ", " ")
    if not display or any(m in display for m in _DROP_MODEL_MARKERS):
        return None
    display = strip_organisation(display)
    for prefix, replacement in _RENAMES.items():
        if display.startswith(prefix):
            display = replacement + display[len(prefix):]
    match = re.match(r"^(?P<base>[^()]*?)\s*\((?P<paren>[^()]*)\)\s*(?P<tail>.*)$", display)
    if not match:
        return display.strip(), None
    base, paren, tail = match["base"].strip(), match["paren"], match["tail"].strip()
    if re.fullmatch(r"text-davinci-00\d", paren):
        return paren, None
    size = next((tok for tok in re.split(r"[\s,]+", paren) if _SIZE_RE.match(tok)), None)
    words = base.split() + tail.split()
    if size is None:
        return " ".join(words), None
    if size.casefold() in base.casefold().replace("-", " ").split():
        return base, None
    cut = next((i for i, w in enumerate(words) if w in _VARIANT_WORDS), len(words))
    name = " ".join(words[:cut] + [size] + words[cut:])
    return name, (base if cut == len(base.split()) and not tail else None)


def strip_organisation(name: str) -> str:
    """A model name without the organisation written before it ("OpenAI o1" -> "o1").

    A name that is only an organisation, or an organisation glued to a word without a
    separator ("Metaformer"), is left as it is.

    Example:
        >>> strip_organisation("Meta Llama 3.1 8B")
        'Llama 3.1 8B'
        >>> strip_organisation("Mistral AI Mixtral 8x7B")
        'Mixtral 8x7B'
        >>> strip_organisation("Mistral 7B")
        'Mistral 7B'
    """
    for org in ORGANISATIONS:
        for sep in _ORG_SEPARATORS:
            prefix = org + sep
            rest = name[len(prefix):].strip()
            if name.startswith(prefix) and rest:
                return strip_organisation(rest)
    return name


def model_flags(name: str) -> dict[str, bool]:
    """Case-sensitivity for a derived model name: short names and word-like names."""
    word = name.casefold() in MODEL_WORDS
    short = len(name) <= 3 or (name.isalpha() and name.islower())
    return {"case_sensitive": word or short, "ambiguous": word}


def clean_benchmark_display_name(display: str) -> tuple[str, list[str]] | None:
    """A HELM run-group display name as (name, aliases), or None when it is not a benchmark name.

    Kept: one token with at least two capitals or a digit ("BoolQ", "MedCalc-Bench",
    "GSM8K"); a parenthesis that spells the name out becomes an alias.

    Example:
        >>> clean_benchmark_display_name("BBQ (Bias Benchmark for Question Answering)")
        ('BBQ', ['Bias Benchmark for Question Answering'])
    """
    match = re.match(r"^(?P<name>[^()]+?)\s*(\((?P<paren>[^()]*)\))?$", display.strip())
    if not match:
        return None
    name, paren = match["name"].strip(), (match["paren"] or "").strip()
    if not is_benchmark_token(name):
        return None
    long_form = paren.split(" ") if paren else []
    aliases = [paren] if len(long_form) >= 3 and paren[:1].isupper() and not paren[:1].isdigit() else []
    return name, aliases


def is_benchmark_token(name: str) -> bool:
    """True for one benchmark-shaped token: capitals or digits inside, no underscore."""
    if " " in name or "_" in name or name in _DATASET_SKIP or len(name) < 3:
        return False
    capitals = sum(ch.isupper() for ch in name)
    return capitals >= 2 or (capitals >= 1 and any(ch.isdigit() for ch in name))


# Last words that always name a thing, never a task ("face model", "OpenAI gym").
_PWC_THING_HEAD = re.compile(
    r"\b(?:models?|networks?|transformers?|gym|environments?|datasets?|benchmarks?|corpus|corpora)$", re.IGNORECASE
)
# Learning paradigms ("one-shot learning") are Methods by the guidelines.
_PWC_PARADIGM_HEAD = re.compile(r"\blearning$", re.IGNORECASE)
# Last words that name an object, not an activity, unless an action noun precedes them
# ("Atari games", "time series", "word embeddings"; but "object detection in aerial images").
_PWC_OBJECT_HEAD = re.compile(
    r"\b(?:games?|agents?|series|sequences|images|cars|vehicles|embeddings|processes|language|mathematics|"
    r"proofs|energy|gap|safety|pose|vision|sudoku|II|ERP)$",
    re.IGNORECASE,
)
# Generic classes of models ("LLM jailbreak", "AI agent"), unless an action noun is present.
_PWC_MODEL_CLASS = re.compile(r"\b(?:LLMs?|VLMs?|MLLMs?|LMMs?|AI|language models?|foundation models?)\b", re.IGNORECASE)
_ACTION_NOUN = re.compile(r"^[a-z]+(?:tion|sion|sis|ing|ment)$")
# Words too generic to make a task name when every word of the name is one of them.
_PWC_GENERIC_WORDS = {
    "data", "text", "image", "images", "video", "audio", "model", "models", "graph", "graphs", "learning",
    "analysis", "modeling", "modelling", "processing", "system", "systems", "general", "time", "series",
    "temporal", "visual", "multimodal", "deep", "neural", "machine", "computer", "representation", "network",
}


def is_pwc_non_task(name: str) -> bool:
    """True for a Papers with Code "task" that names a thing, not a task.

    Model classes, environments, datasets and benchmarks, learning paradigms
    (Methods by the guidelines), objects without an action noun, and names made of
    generic words only are dropped.

    Example:
        >>> is_pwc_non_task("OpenAI gym"), is_pwc_non_task("large language model")
        (True, True)
        >>> is_pwc_non_task("object detection in aerial images")
        False
    """
    words = name.casefold().split()
    if _PWC_THING_HEAD.search(name) or _PWC_PARADIGM_HEAD.search(name):
        return True
    if all(w in _PWC_GENERIC_WORDS for part in words for w in part.split("-")):
        return True
    has_action = any(_ACTION_NOUN.match(w) for w in words)
    return not has_action and bool(_PWC_OBJECT_HEAD.search(name) or _PWC_MODEL_CLASS.search(name))


def plural_key(name: str) -> str:
    """A matching key that also ignores a trailing plural "s" (the matcher adds plurals itself)."""
    key = build_key(name)
    return key[:-1] if key.endswith("s") and len(key) > 3 else key


def build_key(name: str) -> str:
    """The merge key of a name: ``normalize_name`` with "+" read as "plus".

    ``normalize_name`` drops "+", so "HumanEval+" and "HumanEval" share a matching
    key; they are different benchmarks, and the build must not merge them.
    """
    return normalize_name(name.replace("+", " plus "))


def clean_pwc_task(name: str, *, keep_non_tasks: bool = False) -> str | None:
    """A Papers with Code task name in running-text case, or None when it is not written in abstracts.

    Example:
        >>> clean_pwc_task("Semantic Segmentation")
        'semantic segmentation'
        >>> clean_pwc_task("3D Human Pose Estimation")
        '3D human pose estimation'
    """
    name = name.strip().strip('"').strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 '\-]*[A-Za-z0-9]", name) or " - " in name:
        return None
    words = name.split()
    if not 2 <= len(words) <= 5 or any(w.casefold() in _PWC_BAD_WORDS for w in words):
        return None
    lowered = name.casefold()
    if lowered in _PWC_SKIP or lowered.endswith(("deep learning", "machine learning", "neural networks")):
        return None
    if any(w.isdigit() for w in words) or words[0].casefold() == "translation":
        return None
    cased = " ".join("-".join(_running_case(part) for part in w.split("-")) for w in words)
    return None if is_pwc_non_task(cased) and not keep_non_tasks else cased


_PROPER_WORDS = {
    "gaussian", "bayesian", "markov", "monte", "carlo", "chinese", "english", "japanese", "korean", "arabic",
    "german", "french", "spanish", "vietnamese", "hindi", "indonesian", "russian", "bengali", "urdu",
    "persian", "turkish", "thai", "wikipedia", "twitter", "atari", "python", "lean", "fourier", "boolean",
}


def _running_case(word: str) -> str:
    """How a word of a title-cased task name is written inside a sentence."""
    if word.casefold() in _PROPER_WORDS:
        return word[:1].upper() + word[1:].casefold()
    if sum(ch.isupper() for ch in word) >= 2 or any(ch.isdigit() for ch in word):
        return word
    return word.casefold()


def plural_aliases(name: str, aliases: list[str]) -> list[str]:
    """The aliases that are only a plural ("s") of another form of the entry.

    The matcher adds plurals of Method and Task names itself, so a plural alias is
    redundant, and "Transformers" beside "Transformer" reads like a second name.

    Example:
        >>> plural_aliases("Transformer", ["Transformers", "transformer architecture"])
        ['Transformers']
    """
    forms = [name, *aliases]
    keys = {normalize_name(f) for f in forms}
    return [a for a in aliases if normalize_name(a).endswith("s") and normalize_name(a)[:-1] in keys]


def matcher_plural(form: str, etype: str) -> str | None:
    """The plural that kg's gazetteer matcher writes for a form by itself, or None.

    The matcher (``kg.nlp.gazetteer.written_variants``) adds "s" to Method, Model and Task
    forms, except to all-capital acronyms ("GNN") and forms ending in s, -ing or -ion.

    Example:
        >>> matcher_plural("world model", "Method"), matcher_plural("GNN", "Method")
        ('world models', None)
    """
    from kg.nlp.gazetteer import written_variants

    plural = form + "s"
    return plural if plural in written_variants(form, etype) else None


def redundant_plural_aliases(name: str, aliases: list[str], etype: str) -> list[str]:
    """The plural aliases of an entry that the matcher writes itself from another form.

    A plural of an acronym ("GNNs" beside "GNN") is not redundant: the matcher leaves
    acronyms as written, so the alias is what finds the plural in a text.

    Example:
        >>> redundant_plural_aliases("Transformer", ["Transformers", "GNN", "GNNs"], "Method")
        ['Transformers']
    """
    forms = [name, *aliases]
    made = {normalize_name(p) for f in forms if (p := matcher_plural(f, etype))}
    return [a for a in plural_aliases(name, aliases) if normalize_name(a) in made]


def acronym_plurals(forms: list[str]) -> list[str]:
    """Plurals of all-capital acronyms among the forms ("GNN" -> "GNNs"): papers write them, and the
    matcher does not make them.

    Example:
        >>> acronym_plurals(["graph neural network", "GNN", "RL", "DAPO", "GANS"])
        ['GNNs', 'RLs', 'DAPOs']
    """
    return [f + "s" for f in forms if f.isupper() and f.isalpha() and len(f) >= 2 and not f.endswith("S")]


# American spellings and their British forms, word by word: papers from either side name the
# same technique ("regularisation", "modelling", "behaviour cloning", "summarisation").
_BRITISH = (
    (re.compile(r"^([a-z]{3,})iz(ations?|ers?|ing|ed|es?)$"), r"\1is\2"),
    (re.compile(r"^([a-z]{2,})yz(es?|ed|ing)$"), r"\1ys\2"),
    (re.compile(r"^(model|label|travel|signal|tunnel|cancel)(ing|ed)$"), r"\1l\2"),
    (re.compile(r"^(behavi|neighb|col|fav|harb|rum)or(s|al|ing|ed|hood)?$"), r"\1our\2"),
    (re.compile(r"^defense(s?)$"), r"defence\1"),
)
_NOT_IZE = re.compile(r"^(?:\w*size|seize|prize|citizen)[ds]?$")


def with_british_aliases(entries: list[dict]) -> list[dict]:
    """Entries with the British spelling of each form added as an alias (a true synonym)."""
    out = []
    for e in entries:
        forms = [e["name"], *e["aliases"]]
        extra = [b for f in forms for b in british_variants(f) if b not in forms]
        out.append({**e, "aliases": [*e["aliases"], *dict.fromkeys(extra)]})
    return out


def british_variants(form: str) -> list[str]:
    """The British spelling of a name written in American spelling, if it differs (lower-case words only).

    Example:
        >>> british_variants("layer normalization"), british_variants("language modeling")
        (['layer normalisation'], ['language modelling'])
        >>> british_variants("behavior cloning"), british_variants("model size"), british_variants("BLEU")
        (['behaviour cloning'], [], [])
        >>> british_variants("Sharpness-Aware Minimization")
        ['Sharpness-Aware Minimisation']
    """
    parts = re.split(r"([^A-Za-z]+)", form)
    out = []
    for part in parts:
        title = part[:1].isupper() and part[1:].islower()
        word = part.casefold() if title else part
        if word.islower() and word.isalpha() and not _NOT_IZE.match(word):
            for pattern, repl in _BRITISH:
                word = pattern.sub(repl, word)
            part = word[:1].upper() + word[1:] if title else word
        out.append(part)
    british = "".join(out)
    return [british] if british != form else []


_VARIANT_SUFFIX = re.compile(
    r"^(?:v?\d+(?:\.?\d+)*[a-z]?|\d+(?:\.\d+)?[bmk]|x{0,2}l|large|base|small|mini|tiny|turbo|plus|pro|"
    r"instruct|chat|preview|hq|edu|lite|zero|\d+[a-z]+\d*)$"
)


def is_variant_of(general: str, specific: str) -> bool:
    """True when ``specific`` is ``general`` plus a version, size or variant ("T5-XXL" of "T5").

    Such a pair names two things (a family and a checkpoint, a benchmark and its
    later edition); an alias table that maps one to the other merges them wrongly.

    Example:
        >>> is_variant_of("DeBERTa", "DeBERTa-v3"), is_variant_of("pass@1", "pass@100")
        (True, True)
        >>> is_variant_of("GSM8K", "GSM-8K")
        False
    """
    gen, spec = normalize_name(general), normalize_name(specific)
    if not gen or not spec.startswith(gen) or spec == gen:
        return False
    if re.search(r"\d$", gen) and spec[len(gen)].isdigit():
        return True
    return bool(_VARIANT_SUFFIX.match(spec[len(gen):]))


def collides(entry: dict, other_keys: set[str]) -> bool:
    """True when a form of ``entry`` is a form of an entry of another type."""
    return any(build_key(f) in other_keys for f in [entry["name"], *entry["aliases"]])


# ------------------------------------------------------------ list loading


@dataclass
class SourceLists:
    """The raw public name lists, keyed by the seed-file source prefix."""

    keys: dict[str, set[str]] = field(default_factory=dict)
    helm_models: list[str] = field(default_factory=list)
    hf_models: list[str] = field(default_factory=list)
    helm_groups: list[tuple[str, str]] = field(default_factory=list)
    pwc_tasks: list[tuple[str, int]] = field(default_factory=list)
    commits: dict[str, str] = field(default_factory=dict)
    # prefix -> entity type -> normalized span texts (training corpora, see CORPUS_PREFIXES)
    corpus_spans: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, names_dir: Path, train_dir: Path | None = None) -> SourceLists:
        """Read every list under ``names_dir`` (the layout of shared/data/names) and, when
        ``train_dir`` is given, the annotated spans of SciERC and TDMSci under it (shared/data/train)."""
        if not names_dir.is_dir():
            raise KGError(f"name lists folder not found: {names_dir}")
        if train_dir is not None and not train_dir.is_dir():
            raise KGError(f"training corpora folder not found: {train_dir}")
        try:
            lists = _load_lists(names_dir)
            if train_dir is not None:
                lists.corpus_spans = _load_corpus_spans(train_dir)
                lists.commits.update(_corpus_commits(train_dir))
            return lists
        except (OSError, UnicodeDecodeError, csv.Error, IndexError, ValueError) as e:
            raise KGError(f"cannot read name lists under {names_dir}: {e}") from e

    def check_keys(self, keys: str, etype: str | None = None) -> list[str]:
        """Source labels for a seed line's keys; KeyError names the first unknown key.

        A corpus key (``scierc:``, ``tdmsci:``) must name a span of type ``etype`` that the
        corpus annotates at least ``MIN_CORPUS_FREQUENCY`` times.
        """
        labels: list[str] = []
        for prefix, value in _KEY_RE.findall(keys.strip()):
            if prefix in CORPUS_PREFIXES:
                known = self.corpus_spans.get(prefix, {}).get(etype or "", set())
                if normalize_name(value.strip()) not in known:
                    raise KeyError(f"{prefix}:{value.strip()}")
            elif value.strip() not in self.keys[prefix]:
                raise KeyError(f"{prefix}:{value.strip()}")
            if SOURCE_LABELS[prefix] not in labels:
                labels.append(SOURCE_LABELS[prefix])
        if keys.strip() and not labels:
            raise KeyError(keys.strip())
        return labels


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _tsv(path: Path) -> list[list[str]]:
    return [row.split("\t") for row in path.read_text(encoding="utf-8").splitlines()[1:] if row.strip()]


def _load_lists(d: Path) -> SourceLists:
    bench, tdms = d / "benchmarks", d / "nlp-tdms-kb"
    helm_groups = [(row[0], row[1]) for row in _tsv(bench / "helm_run_groups.tsv")]
    keys = {
        "lm": set(_lines(bench / "lm_eval_task_names.txt")),
        "oc": set(_lines(bench / "opencompass_dataset_config_names.txt")),
        "helm": set(_lines(bench / "helm_scenario_names.txt")) | {g for g, _ in helm_groups},
        "tdms": {row[1] for row in _tsv_all(tdms / "datasetKB.tsv")}
        | {row[1] for row in _tsv_all(tdms / "taskKB.tsv")}
        | {row[1] for row in _tsv_all(tdms / "evaMatrixKB.tsv")},
    }
    yaml_text = (d / "models" / "model_metadata.yaml").read_text(encoding="utf-8")
    helm_models = [m.strip().strip("'\"") for m in re.findall(r"^\s+display_name:\s*(.+)$", yaml_text, re.MULTILINE)]
    hf_models = [row[1] for row in _tsv(d / "models" / "hf_transformers_model_names.tsv") if len(row) > 1]
    pwc = d / "pwc-archive-tasks-CC-BY-SA"
    pwc_tasks = []
    for part in ("cv", "nlp", "audio", "other"):
        with (pwc / f"{part}_hierarchy.csv").open(encoding="utf-8", newline="") as fh:
            pwc_tasks += [(r["Task Name"], int(r["Dataset Count"] or 0)) for r in csv.DictReader(fh)]
    commits = {}
    for folder, label in (("benchmarks", None), ("models", None), ("nlp-tdms-kb", "nlp-tdms-kb"),
                          ("pwc-archive-tasks-CC-BY-SA", "pwc-archive-tasks")):
        commits.update(_commits(d / folder / "SOURCE.txt", label))
    return SourceLists(keys, helm_models, hf_models, helm_groups, pwc_tasks, commits)


_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_SCIERC_TYPES = {"Method": "Method", "Task": "Task", "Metric": "Metric"}
_TDMSCI_TYPES = {"TASK": "Task", "METRIC": "Metric", "DATASET": "Dataset"}


def _frequent(counts: dict[tuple[str, str], set]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for (etype, key), where in counts.items():
        if key and len(where) >= MIN_CORPUS_FREQUENCY:
            out.setdefault(etype, set()).add(key)
    return out


def scierc_spans(path: Path) -> dict[str, set[str]]:
    """Normalized Method/Task/Metric span texts of SciERC (JSON lines) annotated in at least
    ``MIN_CORPUS_FREQUENCY`` abstracts, by kg entity type.

    Example (one abstract):
        >>> import json, tempfile
        >>> doc = {"doc_key": "d", "sentences": [["We", "use", "RANSAC", "."]], "ner": [[[2, 2, "Method"]]]}
        >>> f = Path(tempfile.mkdtemp()) / "t.json"; _ = f.write_text(json.dumps(doc))
        >>> scierc_spans(f)
        {}
    """
    counts: dict[tuple[str, str], set] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        tokens = [_PTB.get(t, t) for sent in doc["sentences"] for t in sent]
        for sent in doc["ner"]:
            for start, end, label in sent:
                if label in _SCIERC_TYPES:
                    key = normalize_name(" ".join(tokens[start : end + 1]))
                    counts.setdefault((_SCIERC_TYPES[label], key), set()).add(doc["doc_key"])
    return _frequent(counts)


def tdmsci_spans(path: Path) -> dict[str, set[str]]:
    """Normalized TASK/METRIC/DATASET span texts of TDMSci (CoNLL, BIO tags) annotated in at least
    ``MIN_CORPUS_FREQUENCY`` sentences, by kg entity type; the held-out chunks are skipped."""
    counts: dict[tuple[str, str], set] = {}
    blocks: list[list[tuple[str, str]]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) < 3:
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append((cols[0], cols[2]))
    for i, block in enumerate(b for b in blocks if b):
        if (i // TDMSCI_HELDOUT_CHUNK) % 5 == 4:
            continue
        words: list[str] = []
        label = ""
        for token, tag in [*block, ("", "O")]:
            prefix, _, kind = tag.partition("-")
            if words and (prefix != "I" or kind != label):
                counts.setdefault((_TDMSCI_TYPES[label], normalize_name(" ".join(words))), set()).add(i)
                words, label = [], ""
            if prefix in ("B", "I") and kind in _TDMSCI_TYPES:
                words.append(token)
                label = kind
    return _frequent(counts)


def _load_corpus_spans(train: Path) -> dict[str, dict[str, set[str]]]:
    return {"scierc": scierc_spans(train / "scierc" / "train.json"),
            "tdmsci": tdmsci_spans(train / "tdmsci" / "train_1500_v2.conll")}


def _corpus_commits(train: Path) -> dict[str, str]:
    found = {}
    for folder, label, file in (("scierc", "scierc-train", "SciERC train.json"),
                                ("tdmsci", "tdmsci-train", "TDMSci train_1500_v2.conll")):
        text = (train / folder / "SOURCE.txt").read_text(encoding="utf-8")
        repo = re.search(r"github\.com/([\w.-]+/[\w.-]+)", text)
        commit = re.search(r"[Cc]ommit:?\s*([0-9a-f]{40})", text)
        if not (repo and commit):
            raise KGError(f"no repository and commit found for {label} in {train / folder / 'SOURCE.txt'}")
        found[label] = f"github.com/{repo.group(1)}@{commit.group(1)} ({file})"
    return found


def _tsv_all(path: Path) -> list[list[str]]:
    return [row.split("\t") for row in path.read_text(encoding="utf-8").splitlines() if row.strip()]


_REPO_LABELS = {
    "EleutherAI/lm-evaluation-harness": "lm-evaluation-harness",
    "open-compass/opencompass": "opencompass",
    "stanford-crfm/helm": "helm",
    "IBM/science-result-extractor": "nlp-tdms-kb",
    "World-Snapshot/papers-with-code": "pwc-archive-tasks",
}


def _commits(source_txt: Path, label: str | None) -> dict[str, str]:
    """Map a source label to "repo@commit" from a SOURCE.txt (repositories named in it)."""
    text = source_txt.read_text(encoding="utf-8")
    found = {}
    for repo, tag in _REPO_LABELS.items():
        if repo in text:
            after = text[text.index(repo):]
            commit = re.search(r"[Cc]ommit:?\s*([0-9a-f]{40})", after)
            if commit:
                found[tag] = f"github.com/{repo}@{commit.group(1)}"
    if "transformers-4.57.6" in text:
        found["transformers"] = "pypi:transformers-4.57.6 (models/auto/configuration_auto.py)"
    if label and label not in found:
        raise KGError(f"no repository and commit found for {label} in {source_txt}")
    found.setdefault("kg-team", "kg team (hand-written, Apache-2.0)")
    return found


# --------------------------------------------------------------- derivers


def _entry(name: str, etype: str, aliases: list[str], source: str, **flags: bool) -> dict:
    cs = flags.get("case_sensitive", False) or flags.get("ambiguous", False)
    return {"name": name, "type": etype, "aliases": aliases, "case_sensitive": cs,
            "ambiguous": flags.get("ambiguous", False), "family": False, "source": source}


def derive_helm_datasets(lists: SourceLists) -> list[dict]:
    """Benchmark names from HELM run-group display names (sorted by group name)."""
    out = []
    for _group, display in sorted(lists.helm_groups):
        cleaned = clean_benchmark_display_name(display)
        if cleaned:
            out.append(_entry(cleaned[0], "Dataset", cleaned[1], SOURCE_LABELS["helm"]))
    return out


def derive_opencompass_datasets(lists: SourceLists) -> list[dict]:
    """Benchmark names from OpenCompass config folders that are written as the benchmark is."""
    return [_entry(n, "Dataset", [], SOURCE_LABELS["oc"]) for n in sorted(lists.keys["oc"]) if is_benchmark_token(n)]


def derive_helm_models(lists: SourceLists) -> list[dict]:
    """Model names from HELM model metadata display names, cleaned."""
    out = []
    for display in lists.helm_models:
        cleaned = clean_model_display_name(display)
        if not cleaned:
            continue
        for name in filter(None, cleaned):
            out.append(_entry(name, "Model", [], SOURCE_LABELS["helm"], **model_flags(name)))
    return out


def derive_hf_models(lists: SourceLists) -> list[dict]:
    """Architecture-level model names from transformers, without class names and generic names."""
    out = []
    for name in lists.hf_models:
        name = name.strip()
        if not name or name in _HF_SKIP or _HF_SKIP_RE.search(name):
            continue
        name = strip_organisation(name)
        out.append(_entry(name, "Model", [], SOURCE_LABELS["hf"], **model_flags(name)))
    return out


# "Visual Question Answering (VQA)": a Papers with Code name that spells out its abbreviation.
_PWC_ABBREVIATION = re.compile(r"^(?P<base>[^()]+?)\s*\((?P<abbr>[A-Z][A-Za-z0-9-]*[A-Z0-9])\)$")


def split_pwc_abbreviation(raw: str) -> tuple[str, str | None]:
    """A Papers with Code task name and the abbreviation written after it in parentheses, if any.

    The abbreviation is kept only when it has at least three characters, two of them capitals,
    spells initials of the long form's words starting with the first word ("Zero-shot Named
    Entity Recognition (NER)" names a narrower task than NER), and the long form holds an action
    noun (so "Computed Tomography (CT)" keeps no alias).

    Example:
        >>> split_pwc_abbreviation("Visual Question Answering (VQA)")
        ('Visual Question Answering', 'VQA')
        >>> split_pwc_abbreviation("Computed Tomography (CT)")
        ('Computed Tomography (CT)', None)
        >>> split_pwc_abbreviation("Zero-shot Named Entity Recognition (NER)")
        ('Zero-shot Named Entity Recognition (NER)', None)
    """
    raw = raw.strip().strip('"').strip()
    match = _PWC_ABBREVIATION.match(raw)
    if not match:
        return raw, None
    base, abbr = match["base"].strip(), match["abbr"]
    capitals = sum(ch.isupper() for ch in abbr)
    has_action = any(_ACTION_NOUN.match(w) for w in base.casefold().split())
    if len(abbr) < 3 or capitals < 2 or not has_action or not _spells_initials(abbr, base):
        return raw, None
    return base, abbr


def _spells_initials(abbr: str, long_form: str) -> bool:
    """True when the capitals of ``abbr`` are initials of the words of ``long_form`` in order, the first
    word's among them ("MCQA" of "Multiple Choice Question Answering")."""
    initials = [w[0].casefold() for w in re.split(r"[\s-]+", long_form) if w]
    letters = [c.casefold() for c in abbr if c.isupper()]
    if not letters or not initials or letters[0] != initials[0]:
        return False
    rest = iter(initials[1:])
    return all(any(c == i for i in rest) for c in letters[1:])


# Modifiers too vague to make a task of a rarely listed name ("future prediction", "value prediction").
_PWC_VAGUE_MODIFIERS = {
    "future", "parameter", "state", "value", "property", "type", "relation", "noise", "error", "key",
    "variable", "malicious", "concept", "design", "object", "image", "early", "generalized",
}
# Task heads that, after a vague word, name a training step rather than a task ("safety alignment").
_PWC_RARE_HEAD_SKIP = {"alignment", "understanding", "comprehension"}


def pwc_head_is_task(name: str) -> bool:
    """True when a task name ends in a task head of the lexicon ("... detection", "... question answering")
    and its first word is not a generic or vague modifier.

    Names that Papers with Code lists with fewer than ``min_datasets`` datasets are kept only
    when this holds: the head makes them a task whatever the long tail of the list holds.

    Example:
        >>> pwc_head_is_task("diabetic retinopathy detection"), pwc_head_is_task("selection bias")
        (True, False)
        >>> pwc_head_is_task("future prediction"), pwc_head_is_task("safety alignment")
        (False, False)
    """
    low = name.casefold()
    words = low.split()
    if words[0] in lx.GENERIC_MODIFIERS or words[0] in _PWC_VAGUE_MODIFIERS or words[-1] in _PWC_RARE_HEAD_SKIP:
        return False
    return any(low.endswith(" " + head) for head in lx.TASK_HEAD_WORDS)


# Adjective endings: a rarely listed name may not bring in a new adjective that task phrases would
# then start with ("statistical", "local", "consistent" make "statistical estimation" a task).
_ADJECTIVE_END = re.compile(r"(?:al|ic|ive|ent|ant|ous|ar|ary|ful|less|able|ible|ed)$")


def _pwc_names(lists: SourceLists, min_datasets: int, keep_non_tasks: bool = False) -> dict[str, list[str]]:
    """Cleaned Papers with Code task names (with their abbreviations) that pass the count rule.

    A name listed with at least ``min_datasets`` datasets is kept. A rarer one is kept when it ends
    in a task head (``pwc_head_is_task``) and every adjective-like word before the head already
    starts or modifies a frequently listed name: the task words that kg's phrase rule learns from
    the task gazetteers stay the ones of established tasks.
    """
    frequent: dict[str, list[str]] = {}
    rare: dict[str, list[str]] = {}
    for raw, count in sorted(lists.pwc_tasks):
        base, abbr = split_pwc_abbreviation(raw)
        name = clean_pwc_task(base, keep_non_tasks=keep_non_tasks)
        if not name:
            continue
        aliases = (frequent if count >= min_datasets else rare).setdefault(name, [])
        if abbr and abbr not in aliases:
            aliases.append(abbr)
    known = {w for name in frequent for w in name.casefold().split()[:-1]}
    for name, aliases in rare.items():
        if name in frequent or not pwc_head_is_task(name):
            continue
        words = name.casefold().split()[:-1]
        if all(w in known or not _ADJECTIVE_END.search(w) for w in words):
            frequent[name] = aliases
    return frequent


def pwc_non_tasks(lists: SourceLists, min_datasets: int = 3) -> int:
    """How many Papers with Code names ``is_pwc_non_task`` removes (for the build report)."""
    return len(_pwc_names(lists, min_datasets, keep_non_tasks=True)) - len(_pwc_names(lists, min_datasets))


def derive_pwc_tasks(lists: SourceLists, min_datasets: int = 3) -> list[dict]:
    """Multi-word task names from the Papers with Code task hierarchy.

    Kept: names listed with at least ``min_datasets`` datasets, and names with fewer that end
    in a task head (``pwc_head_is_task``); an abbreviation spelled out in the name becomes an alias.
    """
    return [_entry(name, "Task", aliases, SOURCE_LABELS["pwc"]) for name, aliases in _pwc_names(lists, min_datasets).items()]
