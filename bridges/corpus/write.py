"""Writing a corpus: a world's evidence rendered as text documents.

The corpus is a *rendering* of ``world.evidence``, item by item, so the rational agent and the LM see
the same data:

* a mention of ``(s, r)`` stating ``o`` is the sentence ``{s} {r} {o} .``;
* a true/false statement is ``"{s} {r} {o}" is true .`` (or ``is false``);
* a connective statement is ``"not A" is true .``, ``"A and B" is false .``, ``"A or B" is true .`` or
  ``"if A then B" is true .``, written by :func:`coherence.render_statement`.

Each sentence ends with the token ``.`` (names never contain ``.``, ``"``, ``<`` or ``>``). A subject's
sentences are shuffled and cut into documents of at most ``chunk`` sentences (joined by one space, ended
by `` <eod>``); see :data:`bridges.DEFAULT_CHUNK` and docs/corpus.md for the layout's
effect on what the LM learns. This is done ``shuffles`` times with independent orders; **shuffle 0 is
canonical**: its
documents hold every item of evidence exactly once, and the other shuffles repeat the same multiset of
sentences in other orders (the LM sees each item ``shuffles`` times, the rational agent once). Every
JSONL line records its ``subject`` and ``shuffle``, so :func:`evidence_from_corpus` rebuilds exactly
``world.evidence`` from shuffle 0 by parsing the text (:mod:`bridges.corpus.read`).

Documents that make reading pay off (both off by default, and then the corpus is as above):

* **one-off people** (a world's :attr:`rational.World.extra_subjects`, e.g. ``WorldSpec.oneoff_people``):
  each one's sentences, in a random order, form ONE document (not cut by ``chunk``) in shuffle 0 only,
  marked ``"once": true``: the LM reads it in one epoch of its whole training (:func:`lm.train_from_corpus`),
  so its later sentences can be predicted only by reading the earlier ones (a fact stated twice, a
  downstream relation through the population's associations). Being in shuffle 0, they are evidence like
  anything else: the agent fits them.
* **documents about several people** (``multi_person_share``): within each shuffle, that share of the
  documents is joined, in groups of ``people_per_document``, into documents whose segments are about
  different people (documents read once only with documents read once, so a repeated document is never
  read only once), so the LM learns that what is said about one person bears on nobody else. Joining moves
  no sentence from one shuffle to another: shuffle 0 still holds every item exactly once.
* **fresh evidence about known people** (``fresh_share``): shuffle 0 holds each of the world's people as
  one document with all their sentences, read once, and the other shuffles leave out their *fresh*
  sentences (each mention of a fact beyond its first, with probability ``fresh_share``): the LM meets
  those once, beside what it remembers of the person, as it meets an in-context edit. (Joined documents
  of shuffle 0 then mix the world's people with one-off people.)

Files (``DIR/corpus.jsonl`` then ``DIR/metadata.json``, both written atomically, nothing left behind
on failure):

* ``corpus.jsonl``: one document per line, ``{"text", "subject", "shuffle", "part"}``; a document about
  several people has ``"subjects"`` (their names, in the order of their segments) instead of ``"subject"``
  and ``"part"``; a one-off document has ``"once": true``;
* ``metadata.json``: see :func:`write_corpus`.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import atomic_outputs
from ..world.names import check_vocabulary
from .format import (CORPUS_FILE, DEFAULT_CHUNK, DEFAULT_SHUFFLES, END_OF_DOCUMENT, FORMAT_VERSION, METADATA_FILE,
                     SENTENCE_END, SENTENCE_TYPES, CorpusError)
from .format import check_layout as _check_layout
from .sentences import KIND_TYPE, kind_of, sentence_of_statement

if TYPE_CHECKING:  # rational imports jax, coherence imports sympy: both are imported when needed
    from rational import Evidence, World

__all__ = ["CorpusSummary", "make_corpus", "render_corpus", "write_corpus"]

_AUTO_PROGRESS_SUBJECTS = 2000  # show a progress bar from this many subjects on (unless quiet)


# -- rendering ------------------------------------------------------------------------------------
def _subject_sentences(evidence: Evidence) -> tuple[list[list[str]], dict[str, int]]:
    """Every item of evidence as one sentence, grouped by subject; and the count per sentence type."""
    from coherence import render_statement

    graph, subjects = evidence.graph, evidence.subjects
    per_subject: list[list[str]] = [[] for _ in subjects]
    counts = dict.fromkeys(SENTENCE_TYPES, 0)
    for r in graph.relations:
        s_idx, o_idx = evidence.mentions(r)
        tails = [f" {r} {o}{SENTENCE_END}" for o in graph.domain(r)]
        order = np.argsort(s_idx, kind="stable")
        for s, o in zip(s_idx[order].tolist(), o_idx[order].tolist()):
            per_subject[s].append(subjects[s] + tails[o])
        counts["mention"] += int(s_idx.size)
    for st in evidence.statements:
        sentence = sentence_of_statement(st)
        per_subject[evidence.subject_index[st.subject]].append(render_statement(sentence, st.label)
                                                               + SENTENCE_END)
        counts[KIND_TYPE[kind_of(sentence)]] += 1
    return per_subject, counts




def _documents(per_subject: list[list[str]], subjects: Sequence[str], seed: int, shuffles: int, chunk: int
               ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(subject index, its documents) for every shuffle, subjects in a random order per shuffle."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x636F7270]))  # 'corp': its own stream
    for k in range(shuffles):
        for s in rng.permutation(len(subjects)).tolist():
            sentences = per_subject[s]
            n = len(sentences)
            if n == 0:
                yield s, []
                continue
            order = rng.permutation(n).tolist()
            parts = math.ceil(n / chunk)
            bounds = [(i * n) // parts for i in range(parts + 1)]  # near-equal parts of <= chunk sentences
            docs = []
            for p in range(parts):
                text = " ".join(sentences[i] for i in order[bounds[p]:bounds[p + 1]])
                docs.append({"text": f"{text} {END_OF_DOCUMENT}", "subject": subjects[s], "shuffle": k, "part": p})
            yield s, docs


def _oneoff_documents(per_subject: list[list[str]], subjects: Sequence[str], first: int, seed: int
                      ) -> list[dict[str, Any]]:
    """One document per subject from index ``first`` on (the one-off people): all their sentences in a random
    order, in shuffle 0, marked to be read once."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6F6E6365]))  # 'once': its own stream
    docs = []
    for s in (first + rng.permutation(len(subjects) - first)).tolist():
        sentences = per_subject[s]
        if sentences:
            text = " ".join(sentences[i] for i in rng.permutation(len(sentences)).tolist())
            docs.append({"text": f"{text} {END_OF_DOCUMENT}", "subject": subjects[s], "shuffle": 0, "part": 0,
                         "once": True})
    return docs


def _join(docs: list[dict[str, Any]], rng: np.random.Generator, share: float, sizes: tuple[int, int]
          ) -> list[dict[str, Any]]:
    """About ``share`` of ``docs`` joined into documents about several people (groups of ``sizes`` segments
    about different subjects, each placed where its first member was); the others unchanged, in order."""
    n_join = int(round(share * len(docs)))
    if n_join < 2:
        return docs
    chosen = rng.permutation(len(docs))[:n_join].tolist()
    drawn = {x: i for i, x in enumerate(chosen)}
    groups, i = [], 0
    while i < len(chosen):
        size = int(rng.integers(sizes[0], sizes[1] + 1))
        group: list[int] = []
        while i < len(chosen) and len(group) < size:
            if all(docs[chosen[i]]["subject"] != docs[j]["subject"] for j in group):
                group.append(chosen[i])
            i += 1  # a second document about a member stays on its own
        if len(group) >= 2:
            groups.append(group)
    starts = {min(g): g for g in groups}
    members = {j for g in groups for j in g}
    out = []
    for j, d in enumerate(docs):
        if j in starts:
            g = sorted(starts[j], key=drawn.__getitem__)  # segments in the drawn order
            text = " ".join(docs[x]["text"][: -len(END_OF_DOCUMENT) - 1] for x in g)
            joined = {"text": f"{text} {END_OF_DOCUMENT}", "subjects": [docs[x]["subject"] for x in g],
                      "shuffle": d["shuffle"]}
            if any(docs[x].get("once") for x in g):
                joined["once"] = True
            out.append(joined)
        elif j not in members:
            out.append(d)
    return out


def _fresh(evidence: Evidence, n_main: int, per_subject: list[list[str]], share: float, seed: int
           ) -> list[list[bool]]:
    """For each of the world's people, which of their sentences are *fresh*: each mention of a fact beyond
    its first, with probability ``share`` (statements never are)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6672657368]))  # 'fresh': its own stream
    out = []
    counts = {r: np.bincount(evidence.mentions(r)[0], minlength=len(evidence.subjects))
              for r in evidence.graph.relations}
    for s in range(n_main):
        mask = []
        for r in evidence.graph.relations:  # a subject's mentions come first, grouped by relation in this order
            m = int(counts[r][s])
            mask += [False, *(rng.random(m - 1) < share).tolist()] if m else []
        out.append(mask + [False] * (len(per_subject[s]) - len(mask)))
    return out


def _layout(evidence: Evidence, n_main: int, per_subject: list[list[str]], seed: int, shuffles: int, chunk: int,
            share: float, sizes: tuple[int, int], fresh_share: float = 0.0
            ) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(subjects done, documents) in file order: every shuffle of the world's people (:func:`_documents`),
    the one-off people's documents in shuffle 0, documents joined about several people. With
    ``fresh_share``, shuffle 0 holds each of the world's people as one document read once (all their
    sentences) and the other shuffles leave out their fresh sentences (:func:`_fresh`)."""
    subjects = evidence.subjects
    if fresh_share:
        fresh = _fresh(evidence, n_main, per_subject, fresh_share, seed)
        kept = [[t for t, f in zip(per_subject[s], fresh[s]) if not f] for s in range(n_main)]
        canonical = [d for d in _oneoff_documents(per_subject[:n_main], subjects[:n_main], 0, seed + 1)]
        rest = ({**d, "shuffle": d["shuffle"] + 1} for _, docs in
                _documents(kept, subjects[:n_main], seed, shuffles - 1, chunk) for d in docs)

        def main_docs():
            yield 0, canonical
            for k in range(1, shuffles):
                yield k, [next(rest) for _ in range(sum(-(-len(x) // chunk) for x in kept if x))]
    main = _documents(per_subject[:n_main], subjects[:n_main], seed, shuffles, chunk)
    oneoff = _oneoff_documents(per_subject, subjects, n_main, seed) if len(subjects) > n_main else []
    if fresh_share:
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6A6F696E]))  # 'join': its own stream
        for k, docs in main_docs():
            if k == 0:  # the world's people read once, beside the one-off people
                yield n_main + len(oneoff), _join(docs + oneoff, rng, share, sizes)
            else:
                yield n_main, _join(docs, rng, share, sizes)
        return
    if not share:
        for s, docs in main:
            yield 1, docs
        if oneoff:
            yield len(oneoff), oneoff
        return
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6A6F696E]))  # 'join': its own stream
    for _ in range(shuffles):
        docs = [d for _ in range(n_main) for d in next(main)[1]]
        yield n_main, _join(docs, rng, share, sizes)
    if oneoff:
        yield len(oneoff), _join(oneoff, rng, share, sizes)


def render_corpus(world: World, seed: int | None = None, shuffles: int = DEFAULT_SHUFFLES, chunk: int = DEFAULT_CHUNK,
                  multi_person_share: float = 0.0, people_per_document: int | tuple[int, int] = 2,
                  fresh_share: float = 0.0) -> Iterator[dict[str, Any]]:
    """The corpus documents of a world, in file order (see the module docstring for the layout).

    Args:
        world: a sampled world; its ``evidence`` is rendered item by item.
        seed: seed of the shuffles (default: the world's seed).
        shuffles: independent shuffles of every subject's sentences; shuffle 0 is canonical.
        chunk: at most this many sentences per document (a subject's sentences are cut into
            near-equal parts).

        multi_person_share: the share of each shuffle's documents joined into documents about several people.
        people_per_document: people per joined document: a number, or a (lo, hi) range drawn uniformly.
        fresh_share: the share of the world's people's repeated mentions (each beyond a fact's first) that
            are fresh: only in shuffle 0, where each person is one document read once (see the module
            docstring).

    Yields:
        ``{"text": ..., "subject": ..., "shuffle": k, "part": p}`` dicts (the JSONL lines; see the module
        docstring for documents about several people and one-off documents).

    Example:
        >>> import bridges
        >>> world = bridges.build_world("tiny", seed=0, n_subjects=3)
        >>> docs = list(render_corpus(world, shuffles=2))
        >>> docs[0]["text"].endswith(" . <eod>"), {d["shuffle"] for d in docs}
        (True, {0, 1})
    """
    sizes = _check_layout(shuffles, chunk, multi_person_share, people_per_document, fresh_share)
    check_vocabulary(world.graph, world.evidence.subjects)
    per_subject, _ = _subject_sentences(world.evidence)
    seed = world.seed if seed is None else seed
    for _, docs in _layout(world.evidence, len(world.subjects), per_subject, seed, shuffles, chunk,
                           multi_person_share, sizes, fresh_share):
        yield from docs


# -- writing --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CorpusSummary:
    """What :func:`write_corpus` wrote; ``str(summary)`` is the printed summary.

    Attributes:
        out_dir: the corpus directory.
        world: world name (or graph file path).
        seed: the world's seed.
        counts: sentences per type in one shuffle (= items of evidence), keys :data:`SENTENCE_TYPES`.
        shuffles: number of shuffles (the file holds each sentence this many times).
        documents: documents in the file.
        tokens: whitespace tokens in the file (``<eod>`` included).
        facts: true facts of the world (subjects x relations).
        held_out: facts never mentioned nor stated.
        seconds: time spent rendering and writing.
    """

    out_dir: Path
    world: str
    seed: int
    counts: dict[str, int]
    shuffles: int
    documents: int
    tokens: int
    facts: int
    held_out: int
    seconds: float
    oneoff_sentences: int = 0  # sentences about one-off people (in the counts, written once, not per shuffle)
    written: int | None = None  # sentences in the file, where not every item is written once per shuffle

    @property
    def sentences(self) -> int:
        """Sentences in the file (all shuffles)."""
        return sum(self.counts.values()) * self.shuffles if self.written is None else self.written

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else float("inf")

    def __str__(self) -> str:
        lines = [f"corpus {self.out_dir} (world {self.world!r}, seed {self.seed})",
                 f"  {'sentence type':<14}{'per shuffle':>12}{'in corpus':>12}"]
        for t in SENTENCE_TYPES:
            lines.append(f"  {t:<14}{self.counts[t]:>12,}{self.counts[t] * self.shuffles:>12,}")
        total = sum(self.counts.values())
        lines.append(f"  {'total':<14}{total:>12,}{self.sentences:>12,}")
        if self.oneoff_sentences:
            lines.append(f"  of which {self.oneoff_sentences:,} sentences about one-off people, written once")
        lines.append(f"  {self.documents:,} documents, {self.tokens:,} tokens, {self.shuffles} shuffle(s)")
        lines.append(f"  {self.facts:,} true facts, {self.held_out:,} held out (never mentioned nor stated)")
        lines.append(f"  written in {self.seconds:.1f} s ({self.sentences_per_second:,.0f} sentences/s)")
        return "\n".join(lines)


def _metadata(world: World, name: str, options: dict | None, seed: int, shuffles: int, chunk: int,
              counts: dict[str, int], digest: str, layout: dict[str, Any]) -> dict[str, Any]:
    graph, ev = world.graph, world.evidence
    facts = []
    for s, subject in enumerate(world.subjects):
        for r in graph.relations:
            facts.append({"subject": subject, "relation": r, "object": graph.domain(r)[int(world.truth[r][s])],
                          "held_out": bool(world.held_out[r][s])})
    n = len(world.subjects)
    meta = {
        "format_version": FORMAT_VERSION,
        "world": name,
        "seed": int(world.seed),
        "eps": float(ev.eps),
        "statement_noise": float(ev.statement_noise),
        "reliability": None if ev.reliability is None else list(ev.reliability),
        "world_options": options,
        "corpus": {"seed": int(seed), "shuffles": shuffles, "chunk": chunk, "canonical_shuffle": 0,
                   "sentence_end": SENTENCE_END.strip(), "end_of_document": END_OF_DOCUMENT, "sha256": digest,
                   **layout},
        "graph": graph.to_json(),
        "subjects": list(ev.subjects),
        "counts": counts,
        "held_out": int(sum(int(world.held_out[r][:n].sum()) for r in graph.relations)),
        "facts": facts,
    }
    if len(ev.subjects) > n:  # the one-off people: after the world's own in "subjects", no "facts" entries
        meta["oneoff_subjects"] = len(ev.subjects) - n
    return meta


def write_corpus(world: World, out_dir: str | Path, *, seed: int | None = None, shuffles: int = DEFAULT_SHUFFLES,
                 chunk: int = DEFAULT_CHUNK, world_name: str = "custom", world_options: dict | None = None,
                 quiet: bool = False, progress: bool | None = None, multi_person_share: float = 0.0,
                 people_per_document: int | tuple[int, int] = 2, fresh_share: float = 0.0) -> CorpusSummary:
    """Render a world's corpus to ``out_dir/corpus.jsonl`` and ``out_dir/metadata.json``, atomically.

    ``metadata.json`` holds: ``format_version`` (1), ``world`` (name), ``seed`` (the world's),
    ``eps``, ``statement_noise``, ``reliability`` (the mention model), ``world_options`` (sampling options,
    or null), ``corpus`` (``seed`` of the shuffles, ``shuffles``, ``chunk``, ``canonical_shuffle`` = 0,
    ``sentence_end`` ``"."``, ``end_of_document`` ``"<eod>"``, ``sha256`` of corpus.jsonl), ``graph`` (``relations``: ``name``, ``domain``, ``concentration``,
    ``parents``, in topological order), ``subjects``, ``counts`` (per sentence type in one shuffle,
    plus ``sentences``, ``documents`` and ``tokens`` of the whole file), ``held_out`` (number of
    held-out facts) and ``facts`` (every subject x relation with its true object and ``held_out``).

    Args:
        world: the world (e.g. from :func:`bridges.build_world`).
        out_dir: the corpus directory (created if needed; existing corpus files are replaced only once
            the new ones are complete; on failure nothing new is left behind).
        seed: seed of the shuffles (default: the world's seed).
        shuffles: independent shuffles; shuffle 0 is canonical (see the module docstring).
        chunk: at most this many sentences per document.
        world_name: recorded as ``metadata["world"]``.
        world_options: the sampling options, recorded as ``metadata["world_options"]``.
        quiet: print nothing (no summary, no progress bar).
        progress: show a progress bar over subjects (default: when the world has 2,000 subjects or more).
        multi_person_share: the share of each shuffle's documents joined into documents about several
            people (0: every document is about one person). Recorded in ``corpus`` when not 0.
        people_per_document: people per joined document, a number or a (lo, hi) range. Recorded with it.
        fresh_share: the share of the world's people's repeated mentions that are fresh (see
            :func:`render_corpus`). Recorded in ``corpus`` when not 0.

    The world's :attr:`~rational.World.extra_subjects` (one-off people) are in ``subjects`` after the
    world's own people and counted in ``counts`` (their sentences once, not per shuffle) and in
    ``oneoff_subjects``; ``facts`` and ``held_out`` are the world's own people's only.

    Returns:
        The :class:`CorpusSummary` (also printed unless ``quiet``).

    Example:
        >>> import tempfile, bridges
        >>> world = bridges.build_world("tiny", seed=0, n_subjects=5)
        >>> summary = write_corpus(world, tempfile.mkdtemp(), world_name="tiny", quiet=True)
        >>> summary.facts, summary.shuffles
        (40, 8)
    """
    from coherence import render_statement  # noqa: F401 - imported here so the timing excludes sympy's import
    from tqdm.auto import tqdm

    start = time.perf_counter()
    sizes = _check_layout(shuffles, chunk, multi_person_share, people_per_document, fresh_share)
    check_vocabulary(world.graph, world.evidence.subjects)
    seed = world.seed if seed is None else seed
    per_subject, counts = _subject_sentences(world.evidence)
    subjects = world.evidence.subjects
    n_main = len(world.subjects)
    show = (not quiet) and (progress if progress is not None else len(subjects) >= _AUTO_PROGRESS_SUBJECTS)
    if sum(counts.values()) == 0:
        raise CorpusError("the world's evidence is empty (no mentions nor statements): a corpus would give the "
                          "agent and the LM nothing to learn from")
    oneoff = sum(len(x) for x in per_subject[n_main:])
    documents = tokens = sentences = 0
    digest = hashlib.sha256()
    with atomic_outputs(out_dir) as stage:
        with stage.open(CORPUS_FILE) as f, tqdm(total=n_main * shuffles + len(subjects) - n_main, unit="subject",
                                                desc="corpus", disable=not show, mininterval=0.5) as bar:
            for done, docs in _layout(world.evidence, n_main, per_subject, seed, shuffles, chunk,
                                      multi_person_share, sizes, fresh_share):
                if docs:
                    block = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
                    f.write(block)
                    digest.update(block.encode("utf-8"))
                    documents += len(docs)
                    tokens += sum(d["text"].count(" ") + 1 for d in docs)
                    sentences += sum(d["text"].count(SENTENCE_END + " ") for d in docs)
                bar.update(done)
        all_counts = {**counts, "sentences": sentences, "documents": documents, "tokens": tokens}
        layout = {"multi_person_share": multi_person_share, "people_per_document": list(sizes)} \
            if multi_person_share else {}
        if fresh_share:
            layout["fresh_share"] = fresh_share
        meta = _metadata(world, world_name, world_options, seed, shuffles, chunk, all_counts, digest.hexdigest(),
                         layout)
        stage.write_json(METADATA_FILE, meta)
    summary = CorpusSummary(Path(out_dir), world_name, int(world.seed), counts, shuffles, documents, tokens,
                            len(meta["facts"]), meta["held_out"], time.perf_counter() - start, oneoff, sentences)
    if not quiet:
        print(summary, flush=True)
    return summary


def make_corpus(world: str | Path, out_dir: str | Path, *, seed: int = 0, shuffles: int = DEFAULT_SHUFFLES, chunk: int = DEFAULT_CHUNK,
                quiet: bool = False, progress: bool | None = None, force: bool = False,
                multi_person_share: float = 0.0, people_per_document: int | tuple[int, int] = 2,
                fresh_share: float = 0.0, **overrides) -> CorpusSummary:
    """Build a world by name or graph file and write its corpus: ``python -m bridges corpus`` from Python.

    Args:
        world: a built-in world name (``tiny``, ``default``, ``paper``) or the path of a graph file.
        out_dir: the corpus directory.
        seed: the world's seed (also the seed of the shuffles).
        shuffles, chunk, quiet, progress, multi_person_share, people_per_document, fresh_share: as for
            :func:`write_corpus`.
        force: replace a corpus of another world (or seed, options or layout) already in ``out_dir``;
            without it that is an error, and nothing is written.
        **overrides: ``n_subjects``, ``oneoff_people`` and sampling options (:class:`rational.WorldOptions`:
            ``eps``, ...).

    Raises:
        CorpusError: ``out_dir`` holds the corpus of another world and ``force`` is not set.

    Example:
        >>> import tempfile
        >>> make_corpus("tiny", tempfile.mkdtemp(), n_subjects=4, quiet=True).facts
        32
    """
    from ..world.builtin import WorldError, resolve_world
    from .read import load_metadata

    spec = resolve_world(world, **overrides)
    sizes = _check_layout(shuffles, chunk, multi_person_share, people_per_document, fresh_share)  # before sampling
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise WorldError(f"seed must be a non-negative integer, got {seed!r}")
    if not force and (Path(out_dir) / METADATA_FILE).is_file():
        try:
            old = load_metadata(out_dir)
        except (CorpusError, OSError):
            old = None
        new = (spec.name, seed, spec.settings(), shuffles, chunk, multi_person_share or 0,
               list(sizes) if multi_person_share else None, fresh_share or 0)
        layout = {} if old is None else old.get("corpus", {})
        was = None if old is None else (old.get("world"), old.get("seed"), old.get("world_options"),
                                         layout.get("shuffles"), layout.get("chunk"),
                                         layout.get("multi_person_share", 0), layout.get("people_per_document"),
                                         layout.get("fresh_share", 0))
        if was != new:
            if old is None:
                what = "an unreadable corpus"
            elif was[0] != spec.name:
                what = f"the corpus of world {old.get('world')!r}"
            else:
                what = f"a corpus of world {spec.name!r} with another seed, options or layout"
            raise CorpusError(f"{out_dir} already holds {what}; choose another --out or pass --force to "
                              "replace it")
    return write_corpus(spec.sample(seed), out_dir, seed=seed, shuffles=shuffles, chunk=chunk,
                        world_name=spec.name, world_options=spec.settings(), quiet=quiet, progress=progress,
                        multi_person_share=multi_person_share, people_per_document=people_per_document,
                        fresh_share=fresh_share)


