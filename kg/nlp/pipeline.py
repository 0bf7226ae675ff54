"""The kg spaCy pipeline and the extraction of papers with it.

The pipeline is ``spacy.blank("en")`` with the kg tokenizer and seven components:
sentences, then the candidate proposers (gazetteer, patterns, abbreviations),
``kg_resolve`` (the one step that turns candidates into entities), roles and claims. A paper becomes
one doc whose text is ``title + "\\n\\n" + abstract``; spans, roles and claims
found in it are mapped back to offsets in the title or the abstract.

``extract_papers(..., n_process=N)`` extracts in N worker processes, each
with its own pipeline built once, and yields in input order; the result is the
same as with one process.

Example:
    >>> from kg.models import Paper
    >>> nlp = build_nlp()
    >>> ex = extract_paper(Paper(id="p1", title="T", abstract="We evaluate on GSM8K."), nlp=nlp)
    >>> [(e.text, e.type.value) for e in ex.entities]
    [('GSM8K', 'Dataset')]
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import islice
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import spacy
from pydantic import TypeAdapter
from spacy.language import Language
from spacy.tokens import Doc

import kg.nlp.abbreviations  # noqa: F401  (registers kg_abbreviations)
import kg.nlp.claims  # noqa: F401  (registers kg_claims)
import kg.nlp.gazetteer  # noqa: F401  (registers kg_gazetteer)
import kg.nlp.patterns  # noqa: F401  (registers kg_patterns)
import kg.nlp.resolve  # noqa: F401  (registers kg_resolve)
import kg.nlp.roles  # noqa: F401  (registers kg_roles)
import kg.nlp.sentences  # noqa: F401  (registers kg_sentences)
import kg.nlp.tokenizer  # noqa: F401  (registers kg.tokenizer.v1)
from kg.errors import InputError, KGError
from kg.io.records import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS
from kg.models import (
    EntityType,
    ExtractedClaim,
    ExtractedEntity,
    ExtractedRole,
    Extraction,
    FailedPaper,
    Paper,
    TextField,
)
from kg.nlp.extensions import SPAN_KEY, best_provenance, candidates, register_extensions, span_group
from kg.nlp.sentences import doc_text, span_text

SEPARATOR = "\n\n"
# The longest doc text: the readers' longest title and abstract (kg.io.records). The
# rule pipeline needs memory in proportion to the text, not spaCy's parser-sized margin.
MAX_TEXT_CHARS = MAX_TITLE_CHARS + len(SEPARATOR) + MAX_ABSTRACT_CHARS
MODES = ("fast", "accurate")  # rules only; rules + kg_ner (kg/nlp/statistical.py)
COMPONENTS = ("kg_sentences", "kg_gazetteer", "kg_patterns", "kg_abbreviations", "kg_resolve", "kg_roles", "kg_claims")


def build_nlp(*, claims: bool = True, mode: str = "fast") -> Language:
    """A fresh, initialized kg pipeline (the name lists load from ``kg/resources``).

    Args:
        claims: add the claim extractor (``kg_claims``); off for entity-only runs.
        mode: ``"fast"`` (rules only) or ``"accurate"`` (rules + the trained ``kg_ner``
            before ``kg_resolve``; see kg/nlp/statistical.py).

    Raises:
        InputError: an unknown ``mode``.
    """
    if mode not in MODES:  # --- statistical mode (kg_ner) ---
        raise InputError(f"unknown pipeline mode {mode!r}; expected one of {', '.join(MODES)}")
    register_extensions()
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    for name in COMPONENTS:
        if name == "kg_claims" and not claims:
            continue
        if name == "kg_resolve" and mode == "accurate":  # --- statistical mode (kg_ner) ---
            import kg.nlp.statistical  # noqa: F401  (registers kg_ner; loads the model only here)

            nlp.add_pipe("kg_ner")
        nlp.add_pipe(name)
    nlp.initialize()
    nlp.max_length = MAX_TEXT_CHARS
    return nlp


@lru_cache(maxsize=4)
def default_nlp(claims: bool = True, mode: str = "fast") -> Language:
    """The shared pipeline of this process (built once per ``claims``/``mode``)."""
    return build_nlp(claims=claims, mode=mode)


def paper_text(paper: Paper) -> tuple[str, int]:
    """The doc text of a paper and the title's length in it."""
    title, abstract = paper.title.strip(), paper.abstract.strip()
    if title and abstract:
        return f"{title}{SEPARATOR}{abstract}", len(title)
    return (title or abstract), (len(title) if title else 0)


def make_doc(nlp: Language, paper: Paper) -> Doc:
    """Tokenize a paper into a doc that knows where its title ends.

    Raises:
        ValueError: the text is longer than ``nlp.max_length`` (the readers cut
            titles and abstracts below it; see ``kg.io.records``).
    """
    text, title_len = paper_text(paper)
    if len(text) > nlp.max_length:
        raise ValueError(f"text of {len(text):,} characters is longer than the pipeline's limit of "
                         f"{nlp.max_length:,} (kg's readers cut abstracts at {MAX_ABSTRACT_CHARS:,})")
    doc = nlp.make_doc(text)
    doc._.kg_title_len = title_len
    doc.user_data["kg_text"] = text
    return doc


def _locate(doc: Doc, start: int | None, end: int | None,
            title_len: int | None = None) -> tuple[TextField, int | None, int | None]:
    """Doc character offsets → (field, offsets inside that field); ``title_len`` when the caller has read it."""
    if title_len is None:
        title_len = doc._.kg_title_len  # every ``doc._`` builds an accessor: callers in loops pass it
    text_len = len(doc_text(doc))
    if start is None or end is None:
        return TextField.ABSTRACT, start, end
    if title_len and start < title_len:
        return TextField.TITLE, start, min(end, title_len)
    shift = title_len + len(SEPARATOR) if title_len and text_len > title_len else 0
    return TextField.ABSTRACT, start - shift, end - shift


def doc_entities(doc: Doc) -> list[ExtractedEntity]:
    """One entity per distinct (surface form, type), at its first occurrence.

    Raises:
        KGError: the doc has candidates but no resolved entities (no ``kg_resolve`` ran).
    """
    seen: set[tuple[str, str]] = set()
    out: list[ExtractedEntity] = []
    title_len = doc._.kg_title_len
    if SPAN_KEY not in doc.spans and candidates(doc):
        raise KGError(f"the pipeline proposed entities but did not resolve them: add 'kg_resolve' after "
                      f"the components that propose candidates (doc.spans[{SPAN_KEY!r}] is missing)")
    for span in doc.spans.get(SPAN_KEY, []):
        text = span_text(span)
        key = (text, span.label_)
        group = span_group(span)
        if key in seen or group is None:
            continue
        seen.add(key)
        field, start, end = _locate(doc, span.start_char, span.end_char, title_len)
        best = best_provenance(span)
        # built from the pipeline's own resolved spans (a kg label, ints, a field), so not validated again
        out.append(ExtractedEntity.model_construct(
            text=text, type=EntityType(span.label_), group=group, start=start, end=end, field=field,
            extractor=best.label if best else "", confidence=best.confidence if best else 1.0))
    return out


def doc_to_extraction(doc: Doc, paper: Paper) -> Extraction:
    """The extraction record of one processed paper doc."""
    roles = []
    title_len = doc._.kg_title_len
    for row in doc._.kg_roles or []:
        field, start, end = _locate(doc, row.get("start"), row.get("end"), title_len)
        roles.append(ExtractedRole(**{**row, "field": field, "start": start, "end": end}))
    claims = []
    for row in doc._.kg_claims or []:
        field, start, end = _locate(doc, row.get("start"), row.get("end"), title_len)
        claims.append(ExtractedClaim(**{**row, "field": field, "start": start, "end": end}))
    return Extraction(id=paper.id, title=paper.title, abstract=paper.abstract, entities=doc_entities(doc),
                      roles=roles, claims=claims, source=paper.source, url=paper.url, year=paper.year)


def extract_paper(paper: Paper, nlp: Language | None = None) -> Extraction:
    """Extract one paper."""
    nlp = nlp or default_nlp()
    return doc_to_extraction(nlp(make_doc(nlp, paper)), paper)


# ------------------------------------------------------------ per-paper fault isolation
#
# As with spaCy's ``Language.set_error_handler``, a caller may pass an error handler:
# a paper whose doc cannot be made, whose processing raises in a component, or whose
# ``then`` step raises is handed to it as a ``FailedPaper`` and left out, and the
# other papers go on. Without a handler the error propagates (spaCy's default).
# A chunk runs through ``nlp.pipe`` at full speed; only a chunk in which some paper
# raised is run again paper by paper, on fresh docs, to find which.

ErrorHandler = Callable[[FailedPaper], None]


def paper_failure(paper_id: str, stage: str, error: BaseException) -> FailedPaper:
    """A ``FailedPaper`` whose reason is the error on one line (and cut at 300 characters)."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return FailedPaper(paper_id=paper_id, stage=stage, reason=text if len(text) <= 300 else text[:299] + "…")


def _isolated_chunk(nlp: Language, chunk: list[Paper], batch_size: int, on_error: ErrorHandler,
                    then: Then | None) -> Iterator[Any]:
    """The results of one chunk of papers; every failing paper goes to ``on_error`` instead."""
    made: list[tuple[Paper, Doc]] = []
    for paper in chunk:
        try:
            made.append((paper, make_doc(nlp, paper)))
        except Exception as e:  # noqa: BLE001 - isolation: any error of one paper is that paper's
            on_error(paper_failure(paper.id, "tokenize", e))
    try:
        docs = list(nlp.pipe((doc for _, doc in made), batch_size=batch_size))
        done = list(zip((paper for paper, _ in made), docs, strict=True))
    except Exception:  # noqa: BLE001 - some paper of the chunk raised: find it, one paper at a time
        done = []
        for paper, _ in made:
            try:
                done.append((paper, nlp(make_doc(nlp, paper))))
            except Exception as e:  # noqa: BLE001
                on_error(paper_failure(paper.id, "extract", e))
    for paper, doc in done:
        try:
            extraction = doc_to_extraction(doc, paper)
        except Exception as e:  # noqa: BLE001
            on_error(paper_failure(paper.id, "extract", e))
            continue
        if then is None:
            yield extraction
            continue
        try:
            result = then(extraction, paper)
        except Exception as e:  # noqa: BLE001
            on_error(paper_failure(paper.id, "link", e))
            continue
        yield result


def _pipe_extract(nlp: Language, papers: Iterable[Paper], batch_size: int, *,
                  on_error: ErrorHandler | None = None) -> Iterator[Extraction]:
    """Extract papers with ``nlp.pipe`` in this process, in input order.

    With ``on_error``, a paper that fails is reported to it and left out (see above).
    """
    if on_error is not None:
        for chunk in _chunks(papers, max(1, batch_size)):
            yield from _isolated_chunk(nlp, chunk, batch_size, on_error, None)
        return
    buffer: deque[Paper] = deque()

    def docs() -> Iterator[Doc]:
        for paper in papers:
            buffer.append(paper)
            yield make_doc(nlp, paper)

    for doc in nlp.pipe(docs(), batch_size=batch_size):
        yield doc_to_extraction(doc, buffer.popleft())


# ------------------------------------------------------------ worker processes
#
# Each worker gets its pipeline once (pool initializer) and extracts chunks of
# ``batch_size`` papers. A forked worker inherits the parent's pipeline (copy on
# write: nothing is pickled or rebuilt); a spawned one builds it with build_nlp().
# Papers go to the workers as ``Paper`` objects (pickled in ~3 us each) and a
# chunk's extractions come back as one JSON document, validated in the parent
# by pydantic's Rust core in one call. Measured per paper on 640 recombined
# trending abstracts in chunks of 64 (best of 40): 31 us to serialize in the
# worker and 51 us to rebuild in the parent, against 32 + 57 us for
# ``model_dump()`` dicts and 52 + 54 us for pickled ``Extraction`` objects, next
# to ~3.2 ms of extraction. The parent's share matters most: it takes CPU from
# the workers.

_WORKER_NLP: Language | None = None
Then = Callable[[Extraction, Paper], Any]
_EXTRACTIONS = TypeAdapter(list[Extraction])
CHUNKS_PER_WORKER = 2  # chunks in flight per worker: one running, one queued


def pipeline_spec(nlp: Language) -> tuple[bool, str]:
    """The ``(claims, mode)`` that ``build_nlp`` takes to build a pipeline like ``nlp``.

    Raises:
        ValueError: ``nlp`` is not a kg pipeline from ``build_nlp`` (other components or order).
    """
    claims = "kg_claims" in nlp.pipe_names
    mode = "accurate" if "kg_ner" in nlp.pipe_names else "fast"
    expected = [name for name in COMPONENTS if claims or name != "kg_claims"]
    if mode == "accurate":
        expected.insert(expected.index("kg_resolve"), "kg_ner")
    if list(nlp.pipe_names) != expected:
        raise ValueError(
            f"n_process > 1 needs a pipeline that build_nlp() makes (spawned workers rebuild it), "
            f"not one with components {nlp.pipe_names}; pass n_process=1 to use it"
        )
    return claims, mode


def _start_method() -> str:
    """``"fork"`` where the platform has it (Linux: workers start at once), else ``"spawn"``."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _init_worker(nlp: Language | None, claims: bool, mode: str) -> None:
    """Pool initializer: this worker's pipeline, inherited (fork) or built once (spawn).

    Ctrl-C is left to the parent, which terminates the pool; a worker would only
    print a traceback of its own.
    """
    global _WORKER_NLP
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_NLP = nlp if nlp is not None else default_nlp(claims=claims, mode=mode)


def _extract_chunk(papers: list[Paper], then: Then | None = None,
                   isolate: bool = False) -> bytes | list[Any] | tuple[bytes | list[Any], list[FailedPaper]]:
    """Worker task: the extractions of one chunk of papers, as one JSON array, or ``then`` of each.

    With ``isolate``, failing papers are left out and returned beside the results:
    ``(results, failures)``.
    """
    assert _WORKER_NLP is not None, "worker pipeline not initialized"
    if isolate:
        failures: list[FailedPaper] = []
        results = list(_isolated_chunk(_WORKER_NLP, papers, len(papers) or 1, failures.append, then))
        return (results if then is not None else _EXTRACTIONS.dump_json(results)), failures
    extractions = _pipe_extract(_WORKER_NLP, papers, len(papers) or 1)
    if then is not None:
        return [then(ex, paper) for ex, paper in zip(extractions, papers, strict=True)]
    return _EXTRACTIONS.dump_json(list(extractions))


def _results(payload: Any, on_error: ErrorHandler | None = None) -> list[Any]:
    if on_error is not None:
        payload, failures = payload
        for failure in failures:
            on_error(failure)
    return payload if isinstance(payload, list) else _EXTRACTIONS.validate_json(payload)


def _chunks(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    """Consecutive lists of ``size`` papers (the last may be shorter), read lazily."""
    iterator = iter(papers)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _pool_extract(papers: Iterable[Paper], *, nlp: Language, batch_size: int,
                  n_process: int, then: Then | None = None, on_error: ErrorHandler | None = None) -> Iterator[Any]:
    """Extract papers with ``nlp`` in a pool of ``n_process`` workers, in input order, streaming.

    At most ``CHUNKS_PER_WORKER * n_process`` chunks are in flight: the input is
    read only as results are taken, and results wait in the workers rather than
    piling up in the parent (``Pool.imap`` would feed the whole input from a
    thread and queue every result). The pool is closed when the input is done,
    and terminated when the consumer stops early or an error is raised.

    Raises:
        ValueError: spawned workers cannot rebuild ``nlp`` (see ``pipeline_spec``).
    """
    method = _start_method()
    claims, mode = pipeline_spec(nlp)
    inherited = nlp if method == "fork" else None  # forked: no pickling, no rebuild
    pool = ProcessPoolExecutor(n_process, mp_context=multiprocessing.get_context(method),
                               initializer=_init_worker, initargs=(inherited, claims, mode))
    pending: deque[Future] = deque()
    done = False
    try:
        isolate = on_error is not None
        for chunk in _chunks(papers, batch_size):
            pending.append(pool.submit(_extract_chunk, chunk, then, isolate))
            if len(pending) >= CHUNKS_PER_WORKER * n_process:
                yield from _results(pending.popleft().result(), on_error)
        while pending:
            yield from _results(pending.popleft().result(), on_error)
        done = True
    except BrokenProcessPool as e:
        # A worker killed from outside (the kernel's OOM killer, a signal): its papers are lost,
        # so the run stops here instead of waiting for them for ever.
        raise KGError(
            "an extraction worker process died (killed by a signal or out of memory); "
            "nothing after the last written batch was kept: run the command again, with fewer --workers "
            "if memory is short"
        ) from e
    finally:
        if done:
            pool.shutdown(wait=True)
        else:
            _terminate(pool)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once: terminate the workers (busy ones too), cancel what waits, reap them all."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)  # the pool's own thread notices the dead workers and ends
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():  # SIGTERM not taken in time: SIGKILL cannot be refused
            process.kill()
            process.join()


def _workers(n_process: int) -> int:
    """The number of worker processes: ``n_process``, or every CPU for -1.

    Raises:
        ValueError: ``n_process`` is 0 or below -1.
    """
    if n_process == -1:
        return os.cpu_count() or 1
    if n_process < 1:
        raise ValueError(f"n_process must be >= 1 (or -1 for every CPU), got {n_process}")
    return n_process


def extract_papers(papers: Iterable[Paper], *, nlp: Language | None = None, batch_size: int = 64,
                   n_process: int = 1, mode: str = "fast", then: Then | None = None,
                   on_error: ErrorHandler | None = None) -> Iterator[Any]:
    """Extract papers in batches, in input order, in this process or in ``n_process`` workers.

    With ``n_process > 1`` the papers are sent in chunks of ``batch_size`` to a
    ``multiprocessing`` pool ("fork" where available, else "spawn") whose workers
    each set up a pipeline once; the output is the same as with one process. The
    input is streamed (a few chunks in flight) and the pool is shut down when
    the generator finishes, fails or is closed.

    Args:
        papers: the papers to extract (streamed).
        nlp: a kg pipeline; the shared default when omitted. With ``n_process > 1``
            it must be a pipeline that ``build_nlp`` makes (see ``pipeline_spec``):
            forked workers use a copy of it as it is, spawned workers build
            ``build_nlp(claims=..., mode=...)`` with its claims and mode.
        batch_size: docs per ``nlp.pipe`` batch, and papers per worker task.
        n_process: worker processes; 1 extracts here, -1 uses every CPU.
        mode: ``"fast"`` or ``"accurate"`` for the default pipeline (ignored when ``nlp`` is given).
        then: a module-level function of ``(extraction, paper)`` run where the paper was
            extracted (in the worker), whose results are yielded instead of the
            extractions: per-paper work after extraction (``kg.flow`` links there)
            spreads over the workers instead of queueing in the parent.
        on_error: an error handler, as spaCy's ``set_error_handler`` takes: a paper
            whose tokenizing, extraction or ``then`` raises is passed to it as a
            ``FailedPaper`` (id, stage, reason; called in this process, also for
            worker processes) and left out of the output. None lets the error raise.

    Raises:
        InputError: an unknown ``mode``.
        ValueError: ``n_process`` is 0 or below -1, or ``n_process > 1`` with an ``nlp``
            that ``build_nlp`` cannot rebuild (components added, removed or reordered).
    """
    workers = _workers(n_process)
    nlp = nlp or default_nlp(mode=mode)
    if workers == 1:
        if on_error is not None:
            return _isolated_here(nlp, papers, batch_size, then, on_error)
        if then is None:
            return _pipe_extract(nlp, papers, batch_size)
        return _then_here(nlp, papers, batch_size, then)
    pipeline_spec(nlp)  # refuse a pipeline the workers cannot rebuild now, not at the first result
    return _pool_extract(papers, nlp=nlp, batch_size=max(1, batch_size), n_process=workers, then=then,
                         on_error=on_error)


def _isolated_here(nlp: Language, papers: Iterable[Paper], batch_size: int, then: Then | None,
                   on_error: ErrorHandler) -> Iterator[Any]:
    for chunk in _chunks(papers, max(1, batch_size)):
        yield from _isolated_chunk(nlp, chunk, batch_size, on_error, then)


def _then_here(nlp: Language, papers: Iterable[Paper], batch_size: int, then: Then) -> Iterator[Any]:
    buffer: deque[Paper] = deque()

    def tracked() -> Iterator[Paper]:
        for paper in papers:
            buffer.append(paper)
            yield paper

    for extraction in _pipe_extract(nlp, tracked(), batch_size):
        yield then(extraction, buffer.popleft())
