"""Word lists that the rules use: heads, modifiers and stop words.

These are closed classes of English and of ML writing (the words that end a
task or method phrase, the adjectives that never start a name), written by the
kg team. Names of things live in ``kg/resources``, not here.
"""

from __future__ import annotations

MODEL_VARIANTS = (
    r"(?:Instruct|instruct|Chat|chat|Base|base|Turbo|turbo|mini|Mini|nano|Nano|Pro|pro|Flash|flash|Lite|lite|"
    r"Sonnet|Opus|Haiku|Coder|Math|Distill|Preview|preview|Large|large|Small|small|Medium|medium|XL|XXL|xl|xxl|"
    r"Ultra|Max|Plus|Zero|Omni|Vision|VL|Code|Prover|Thinking|Reasoner|it|hf|Tiny|tiny|Huge|huge|Exp|R1|V\d)"
)

# A single word before a title's colon that is not a coined name.
TITLE_STOPWORDS = frozenset(
    {"towards", "toward", "on", "beyond", "rethinking", "revisiting", "understanding", "position", "survey",
     "benchmarking", "scaling", "learning", "reasoning", "why", "how", "what", "when", "the", "a", "an", "review",
     "introduction", "tutorial", "perspective", "overview", "editorial", "abstract", "unlocking", "demystifying"}
)

# Words that look like coined names but are not contributions.
NOT_NAMES = frozenset(
    {"LLM", "LLMs", "AI", "NLP", "ML", "API", "APIs", "GPU", "GPUs", "CPU", "SOTA", "US", "UK", "EU", "PhD",
     "GitHub", "HuggingFace", "ArXiv", "URL", "JSON", "SQL", "Python", "VLM", "VLMs", "LM", "LMs", "MLLM",
     "MLLMs", "LRM", "LRMs", "QA", "IoT", "3D", "2D", "1D", "4D", "RGB", "RGB-D"}
)

# First words that never start a dataset name found by context.
NOT_DATASETS = frozenset(
    {"the", "a", "an", "our", "this", "these", "those", "their", "its", "new", "several", "multiple", "standard",
     "popular", "public", "existing", "various", "many", "two", "three", "four", "five", "six", "seven", "eight",
     "nine", "ten", "both", "all", "other", "such", "each", "in", "on", "of", "and", "or", "we", "it", "with",
     "for", "to", "from", "by", "large", "small", "challenging", "diverse", "synthetic", "real", "real-world",
     "benchmark", "dataset", "math", "reasoning", "coding", "code", "general", "downstream", "key", "most",
     "across", "different", "common", "widely-used", "established", "comprehensive", "extensive", "additional",
     "further", "open", "open-source", "held-out", "out-of-distribution", "in-domain", "english", "chinese",
     "human", "expert", "high-quality", "curated", "proposed", "novel", "first", "second", "final", "then",
     "however", "moreover", "finally", "experiments", "results", "evaluation", "evaluations", "training",
     "instruction", "agentic", "multimodal", "medical", "scientific", "mathematical", "logical", "vision",
     "language", "text", "image", "video", "audio", "speech", "mmlu-style", "average", "overall", "top", "s",
     "one", "some", "few", "more", "less", "new", "recent", "classic", "classical", "well-known", "unseen"}
)

# Modifiers that never start a method or task name ("extensive training", "better generation").
GENERIC_MODIFIERS = frozenset(
    {"the", "a", "an", "our", "this", "that", "these", "those", "their", "its", "his", "her", "and", "or", "of",
     "in", "on", "for", "to", "with", "by", "from", "as", "at", "via", "through", "during", "after", "before",
     "while", "when", "than", "into", "over", "under", "between", "without", "within", "is", "are", "was", "were",
     "be", "been", "being", "has", "have", "had", "do", "does", "can", "could", "will", "would", "may", "might",
     "should", "must", "not", "no", "also", "both", "all", "any", "each", "every", "some", "such", "more", "most",
     "less", "least", "many", "much", "few", "several", "other", "another", "same", "own", "new", "novel",
     "further", "additional", "extensive", "efficient", "effective", "better", "best", "good", "strong",
     "stronger", "improved", "improving", "enhanced", "enhancing", "standard", "simple", "complex", "general",
     "generic", "large-scale", "small-scale", "scalable", "robust", "existing", "prior", "previous", "current",
     "conventional", "traditional", "typical", "popular", "common", "recent", "modern", "advanced", "powerful",
     "high-quality", "low-quality", "diverse", "different", "various", "specific", "particular", "overall",
     "final", "initial", "first", "second", "subsequent", "full", "entire", "whole", "direct", "proposed",
     "used", "using", "based", "we", "it", "they", "which", "who", "what", "how", "where", "why", "model",
     "models", "llm", "llms", "lm", "lms", "language", "data", "task", "tasks", "such", "per", "via", "versus",
     "vs", "e.g.", "i.e.", "only", "just", "even", "still", "then", "thus", "hence", "here", "there", "one",
     "two", "three", "s", "extended", "costly", "expensive", "cheap", "fast", "slow", "stable", "unstable",
     "naive", "vanilla", "downstream", "upstream", "additional", "later", "early", "late", "long", "short",
     "deep", "shallow", "careful", "massive", "heavy", "light", "lightweight", "key", "main", "core", "central",
     "benchmark", "performance", "quality", "accurate", "reliable", "faithful", "high", "low", "higher", "lower",
     "significant", "substantial", "remarkable", "impressive", "competitive", "superior", "limited", "extra",
     "open-ended", "end-to-end", "step-by-step", "human", "humans", "reasoning", "answer", "response", "text",
     "output", "outputs", "input", "inputs", "solution", "solutions", "test-time", "inference-time",
     "training-time", "online", "offline", "llm-based", "model-based", "our", "new", "challenging", "difficult",
     "hard", "easy", "real-world", "practical", "theoretical", "empirical", "systematic", "comprehensive",
     "effectively", "well", "poor", "weak", "iterative", "repeated", "multi-stage", "two-stage", "single",
     "multiple", "joint", "unified", "flexible", "general-purpose", "versatile", "dynamic", "static",
     "explicit", "implicit", "automatic", "automated", "manual", "pure", "hybrid", "policy", "reward",
     "problem", "problems", "sequence", "token", "tokens", "step", "steps", "stage", "phase", "process",
     "approach", "method", "methods", "framework", "system", "systems", "agent", "agents", "network", "networks",
     "training", "pre-training", "pretraining", "fine-tuning", "finetuning", "post-training", "posttraining",
     "learning", "inference", "indeed", "necessary", "numerous", "unfamiliar", "principled", "designed",
     "million", "billion", "thousand", "trillion", "hundred", "innovative", "explored", "tailored",
     "duplicated", "mixed", "unauthorized", "intermingled", "state-of-the-art", "well", "state"}
)

REASONING_MODIFIERS = frozenset(
    {"mathematical", "math", "logical", "deductive", "inductive", "abductive", "commonsense", "common-sense",
     "causal", "scientific", "multi-step", "multistep", "multi-hop", "multihop", "multimodal", "multi-modal",
     "spatial", "temporal", "symbolic", "arithmetic", "numerical", "probabilistic", "bayesian", "formal",
     "visual", "analogical", "legal", "medical", "clinical", "quantitative", "compositional", "moral",
     "counterfactual", "geometric", "geometry", "algebraic", "strategic", "social", "physical", "mathematics",
     "chemical", "financial", "tabular", "table", "graph", "code", "program", "knowledge", "relational",
     "diagrammatic", "cross-lingual", "multilingual", "logic", "video", "audio", "chart", "document"}
)

TASK_HEADS = (
    r"question[- ]answering|generation|classification|recognition|detection|segmentation|translation|"
    r"summarization|summarisation|retrieval|captioning|parsing|tracking|completion|prediction|forecasting|"
    r"estimation|localization|anticipation|manipulation|navigation|proving|labeling|labelling|comprehension|"
    r"entailment|extraction|synthesis|inpainting|super-resolution|denoising|alignment|understanding|editing|"
    r"verification|linking|tagging|repair"
)

METHOD_HEADS = (
    r"fine-tuning|finetuning|fine tuning|distillation|pruning|prompting|sampling|search|optimization|"
    r"regularization|augmentation|pre-training|pretraining|training|tuning|decoding|scaling|learning|"
    r"quantization|attention|modeling|modelling|conditioning|probing|supervision|self-supervision|"
    r"policy optimization|gradient descent|transformers?|diffusion models?|networks?|autoencoders?|"
    r"programming|planning|ensembling|merging|adaptation|normalization|dropout|initialization"
)

# Nouns and adjectives that start established method names ("knowledge distillation").
METHOD_MODIFIERS = frozenset(
    {"reinforcement", "imitation", "contrastive", "knowledge", "data", "rejection", "beam", "tree", "curriculum",
     "meta", "transfer", "instruction", "preference", "reward", "gradient", "weight", "parameter", "prompt",
     "prefix", "adapter", "model", "policy", "value", "q", "self", "representation", "feature", "metric",
     "manifold", "federated", "active", "online", "offline", "multi-task", "multitask", "few-shot", "zero-shot",
     "one-shot", "in-context", "supervised", "unsupervised", "semi-supervised", "self-supervised", "weakly",
     "adversarial", "bayesian", "variational", "evolutionary", "genetic", "monte", "carlo", "nucleus", "greedy",
     "speculative", "temperature", "importance", "thompson", "gibbs", "langevin", "hamiltonian", "ensemble",
     "residual", "dense", "sparse", "graph", "mixture", "expert", "diffusion", "flow", "score", "energy",
     "retrieval", "memory", "chain-of-thought", "cot", "direct", "proximal", "trust", "actor", "critic",
     "hierarchical", "continual", "lifelong", "dictionary", "sequence", "language", "transformer", "neural",
     "architecture", "hyperparameter", "temporal", "difference", "instruct", "continued", "repeated", "dynamic",
     "mode", "cross", "layerwise", "layer-wise", "structured", "unstructured", "magnitude", "post-training",
     "quantization-aware", "low-rank", "full", "lora", "parameter-efficient", "test-time", "conditional"}
)

# Last parts of hyphenated adjectives that describe rather than name ("training-free", "task-specific").
ADJECTIVE_SUFFIX_WORDS = frozenset(
    {"free", "specific", "intensive", "based", "driven", "established", "aware", "efficient", "guided",
     "related", "level", "scale", "like", "style", "enhanced", "oriented", "intensive", "heavy", "friendly",
     "agnostic", "dependent", "independent", "time", "art", "quality", "step", "stage", "grained", "ended",
     "making", "wise", "only"}
)

# Words before "rate" that make a metric name ("success rate", "word error rate").
RATE_MODIFIERS = frozenset(
    {"success", "pass", "win", "failure", "completion", "error", "hit", "acceptance", "attack", "refusal",
     "resolve", "resolution", "solve", "detection", "positive", "negative", "recognition", "match",
     "compression", "hallucination", "jailbreak", "retrieval", "recall", "click-through", "task",
     "word", "character", "exact", "false", "true", "top-1", "top-5", "goal", "episode"}
)

# Organisations that papers put before model names ("OpenAI's o1"): not part of the name.
ORGANISATIONS = ("OpenAI", "Google", "Meta ", "Anthropic", "Microsoft", "Alibaba", "NVIDIA", "Nvidia", "Mistral AI",
                 "DeepMind", "Apple", "Amazon", "IBM", "Baidu", "Tencent", "ByteDance", "Salesforce", "xAI")

# Title words that make a title's head a topic, not a name ("Large Language Models: A Survey").
TITLE_GENERIC = frozenset(
    {"model", "models", "language", "languages", "large", "survey", "review", "law", "laws", "reasoning",
     "learning", "networks", "network", "data", "neural", "deep", "machine", "agents", "agent", "llms", "llm",
     "benchmarking", "evaluating", "analysis", "study", "case", "lessons", "tutorial", "introduction", "is", "are",
     "do", "does", "can", "we", "you", "all", "need", "what", "how", "why", "when", "the", "a", "an", "of", "in",
     "on", "for", "and", "to", "with", "from", "by", "at", "as", "vs", "more", "less", "better", "beyond", "toward",
     "towards", "under", "over", "scaling", "understanding", "rethinking", "revisiting", "position", "paper",
     "yet", "made", "easy", "simple", "only", "just", "not", "no", "new", "efficient", "effective"}
)

# Verbs that stand before a method's name without being part of it ("apply regularization").
COMMON_VERBS = frozenset(
    {"use", "apply", "perform", "require", "enable", "improve", "study", "propose", "introduce", "combine",
     "leverage", "employ", "adopt", "explore", "investigate", "analyze", "analyse", "evaluate", "compare",
     "show", "find", "make", "take", "give", "yield", "allow", "help", "need", "lack", "avoid", "reduce",
     "increase", "enhance", "boost", "add", "remove", "replace", "integrate", "incorporate", "extend",
     "outperform", "surpass", "achieve", "reach", "obtain", "provide", "offer", "present", "develop", "design",
     "via", "than", "into", "onto", "upon", "about", "across", "among", "along", "after", "before", "without",
     "both", "such", "more", "less", "most", "much", "many", "other", "their", "these", "those", "this", "that",
     "what", "when", "where", "while", "which", "whose", "only", "also", "even", "well", "here", "there",
     "report", "measure", "compute", "maintain", "preserve", "attain", "hurt", "harm", "degrade", "lose",
     "sacrifice", "trade", "match", "exceed", "raise", "lift", "halve", "double", "track", "optimize",
     "optimise", "maximize", "minimize", "predict", "estimate", "record", "observe", "assess", "retain", "keep",
     "drop", "gain", "affect", "impact", "hamper", "limit", "balance", "trade-off", "sustain", "recover"}
)

# Method heads that verbs often stand before ("require training", "retain attention"):
# their modifiers must look like adjectives or known name parts.
VERB_LED_HEADS = frozenset(
    {"learning", "training", "tuning", "fine-tuning", "finetuning", "fine tuning", "pretraining", "pre-training",
     "modeling", "modelling", "scaling", "prompting", "planning", "probing", "conditioning", "supervision",
     "self-supervision", "attention", "search", "optimization", "inference", "programming", "adaptation"}
)

# Words before a metric name that do not make it a different metric ("average accuracy", "test F1").
NOT_METRIC_MODIFIERS = frozenset(
    {"average", "mean", "median", "overall", "test", "validation", "dev", "train", "top", "final", "best", "high",
     "absolute", "relative", "strong", "competitive", "comparable", "improved", "reported", "baseline", "zero-shot",
     "few-shot", "one-shot", "in-domain", "held-out", "downstream", "aggregate", "total", "macro", "micro",
     "higher", "lower", "good", "poor", "perfect", "near", "full", "full-precision", "same", "similar", "state",
     "art", "sota", "model", "models", "task", "their", "whose", "with", "from", "into", "both", "over", "under",
     "better", "worse", "greater", "larger", "smaller", "faster", "slower", "stronger", "weaker", "highest",
     "lowest", "fewer", "greatest", "largest", "smallest", "fastest", "lower", "latest", "former", "latter",
     "deeper", "wider", "richer", "longer", "shorter", "harder", "easier", "broader", "cleaner", "finer",
     "stricter", "tighter", "closer", "earlier", "simpler", "cheaper", "safer", "stronger", "clearer"}
)

# Function words: never part of a name.
FUNCTION_WORDS = frozenset(
    {"the", "a", "an", "our", "this", "that", "these", "those", "their", "its", "his", "her", "and", "or", "of",
     "in", "on", "for", "to", "with", "by", "from", "as", "at", "via", "through", "during", "after", "before",
     "while", "when", "than", "into", "over", "under", "between", "without", "within", "is", "are", "was", "were",
     "be", "been", "being", "has", "have", "had", "do", "does", "can", "could", "will", "would", "may", "might",
     "should", "must", "not", "no", "also", "both", "all", "any", "each", "every", "some", "such", "more", "most",
     "less", "least", "many", "much", "few", "several", "other", "another", "same", "own", "which", "who", "what",
     "how", "where", "why", "we", "it", "they", "them", "us", "per", "only", "just", "even", "still", "then",
     "thus", "hence", "here", "there", "very", "much", "yet", "but", "nor", "so", "if", "whether", "because"}
)
