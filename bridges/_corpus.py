"""The corpus: a world's evidence rendered as text documents, and read back as evidence.

The corpus is a *rendering* of ``world.evidence``, item by item, so the rational agent and the LM see
the same data:

* a mention of ``(s, r)`` stating ``o`` is the sentence ``{s} {r} {o} .``;
* a true/false statement is ``"{s} {r} {o}" is true .`` (or ``is false``);
* a connective statement is ``"not A" is true .``, ``"A and B" is false .``, ``"A or B" is true .`` or
  ``"if A then B" is true .``, written by :func:`coherence.render_statement`.

Each sentence ends with the token ``.`` (names never contain ``.``, ``"``, ``<`` or ``>``). A subject's
sentences are shuffled and cut into documents of at most ``chunk`` sentences (joined by one space, ended
by `` <eod>``). The default, :data:`DEFAULT_CHUNK` = 1 (every sentence its own document), makes the LM
memorise: with 16 sentences of one subject per document it can copy a fact from earlier in the
document instead, and the ``tiny`` model reached 86% generative accuracy on the default world (seed 0)
in the budget where one sentence per document gives 95.7% (README, "The language model"). Longer
documents teach in-context use (the ``context`` edit method) at that price. This is done ``shuffles`` times with independent orders; **shuffle 0 is canonical**: its
documents hold every item of evidence exactly once, and the other shuffles repeat the same multiset of
sentences in other orders (the LM sees each item ``shuffles`` times, the rational agent once). Every
JSONL line records its ``subject`` and ``shuffle``, so :func:`evidence_from_corpus` rebuilds exactly
``world.evidence`` from shuffle 0 by parsing the text.

Files (``DIR/corpus.jsonl`` then ``DIR/metadata.json``, both written atomically, nothing left behind
on failure):

* ``corpus.jsonl``: one document per line, ``{"text", "subject", "shuffle", "part"}``;
* ``metadata.json``: see :func:`write_corpus`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._io import atomic_outputs
from ._names import check_name

if TYPE_CHECKING:  # rational imports jax, coherence imports sympy: both are imported when needed
    from rational import Evidence, RelationGraph, Statement, World

__all__ = [
    "CORPUS_FILE",
    "DEFAULT_CHUNK",
    "END_OF_DOCUMENT",
    "FORMAT_VERSION",
    "METADATA_FILE",
    "SENTENCE_TYPES",
    "CorpusError",
    "CorpusSummary",
    "evidence_from_corpus",
    "graph_from_metadata",
    "iter_documents",
    "load_metadata",
    "make_corpus",
    "render_corpus",
    "sentence_of_statement",
    "split_sentences",
    "statement_of_sentence",
    "write_corpus",
]

FORMAT_VERSION = 1
CORPUS_FILE = "corpus.jsonl"
METADATA_FILE = "metadata.json"
SENTENCE_END = " ."
END_OF_DOCUMENT = "<eod>"
DEFAULT_CHUNK = 1  # sentences per document (see the module docstring)
#: Sentence types, in the order of the summary: atomic mentions, then statements by connective.
SENTENCE_TYPES = ("mention", "true_false", "not", "and", "or", "implies")
_KIND_TYPE = {"atom": "true_false", "not": "not", "and": "and", "or": "or", "implies": "implies"}
_AUTO_PROGRESS_SUBJECTS = 2000  # show a progress bar from this many subjects on (unless quiet)


class CorpusError(ValueError):
    """Bad corpus options, an unrenderable statement, or a corpus file that does not read back."""


# -- statements <-> sentences ---------------------------------------------------------------------
def sentence_of_statement(statement: Statement):
    """The :mod:`coherence` sentence of a rational statement (``atoms[0]`` is the left operand).

    Raises:
        CorpusError: if the statement's truth table is not that of an atom, not, and, or, or if-then.

    Example:
        >>> from rational import Statement
        >>> from coherence import render
        >>> st = Statement.connective("implies", "Ann Lee", [("country", "Chad"), ("language", "French")], True)
        >>> render(sentence_of_statement(st))
        'if Ann Lee country Chad then Ann Lee language French'
    """
    from coherence import And, Atom, Implies, Not, Or
    from rational import CONNECTIVES, Statement

    kind = statement.kind
    arity = len(statement.atoms)
    candidates = [kind] if kind in _KIND_TYPE else []
    candidates += [k for k in _KIND_TYPE if k != kind and CONNECTIVES[k][0] == arity]
    for k in candidates:  # trust the kind only if the truth table agrees with it
        if CONNECTIVES[k][0] == arity and Statement.of("", statement.atoms, CONNECTIVES[k][1], True).table \
                == statement.table:
            kind = k
            break
    else:
        raise CorpusError(f"statement about {statement.subject!r} over {list(statement.atoms)} (kind "
                          f"{statement.kind!r}) has a truth table that is not an atom, not, and, or, or "
                          "if-then: the corpus language cannot express it")
    atoms = [Atom(statement.subject, r, o) for r, o in statement.atoms]
    if kind == "atom":
        return atoms[0]
    if kind == "not":
        return Not(atoms[0])
    return {"and": And, "or": Or, "implies": Implies}[kind](atoms[0], atoms[1])


def statement_of_sentence(sentence, label: bool) -> Statement:
    """The rational statement of a parsed sentence and label (inverse of :func:`sentence_of_statement`).

    Raises:
        CorpusError: for shapes the corpus never writes (nested connectives) or atoms about two subjects.

    Example:
        >>> from coherence import Atom, Not
        >>> statement_of_sentence(Not(Atom("Ann Lee", "country", "Chad")), False).table
        (True, False)
    """
    from coherence import And, Atom, Implies, Not, Or, render
    from rational import Statement

    if isinstance(sentence, Atom):
        kind, operands = "atom", [sentence]
    elif isinstance(sentence, Not):
        kind, operands = "not", [sentence.arg]
    else:
        kind = {And: "and", Or: "or", Implies: "implies"}.get(type(sentence))
        operands = [sentence.left, sentence.right] if kind else []
    if not operands or not all(isinstance(a, Atom) for a in operands):
        raise CorpusError(f"sentence {render(sentence)!r}: the corpus holds only atoms and one connective "
                          "(not, and, or, if-then) over atoms")
    subjects = {a.subject for a in operands}
    if len(subjects) != 1:
        raise CorpusError(f"sentence {render(sentence)!r} is about several subjects {sorted(subjects)}")
    return Statement.connective(kind, operands[0].subject, [(a.relation, a.obj) for a in operands], label)


# -- rendering ------------------------------------------------------------------------------------
def _check_names(evidence: Evidence) -> None:
    graph = evidence.graph
    for r in graph.relations:
        check_name(r, "relation name")
        for o in graph.domain(r):
            check_name(o, f"object of relation {r!r}")
    for s in evidence.subjects:
        check_name(s, "subject name")


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
        counts[_KIND_TYPE[_kind_of(sentence)]] += 1
    return per_subject, counts


def _kind_of(sentence) -> str:
    name = type(sentence).__name__.lower()
    return {"atom": "atom", "not": "not", "and": "and", "or": "or", "implies": "implies"}[name]


def _check_layout(shuffles: int, chunk: int) -> None:
    if not isinstance(shuffles, int) or isinstance(shuffles, bool) or shuffles < 1:
        raise CorpusError(f"shuffles must be a positive integer, got {shuffles!r}")
    if not isinstance(chunk, int) or isinstance(chunk, bool) or chunk < 1:
        raise CorpusError(f"chunk (sentences per document) must be a positive integer, got {chunk!r}")


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


def render_corpus(world: World, seed: int | None = None, shuffles: int = 3, chunk: int = DEFAULT_CHUNK
                  ) -> Iterator[dict[str, Any]]:
    """The corpus documents of a world, in file order (see the module docstring for the layout).

    Args:
        world: a sampled world; its ``evidence`` is rendered item by item.
        seed: seed of the shuffles (default: the world's seed).
        shuffles: independent shuffles of every subject's sentences; shuffle 0 is canonical.
        chunk: at most this many sentences per document (a subject's sentences are cut into
            near-equal parts).

    Yields:
        ``{"text": ..., "subject": ..., "shuffle": k, "part": p}`` dicts (the JSONL lines).

    Example:
        >>> import bridges
        >>> world = bridges.build_world("tiny", seed=0, n_subjects=3)
        >>> docs = list(render_corpus(world, shuffles=2))
        >>> docs[0]["text"].endswith(" . <eod>"), {d["shuffle"] for d in docs}
        (True, {0, 1})
    """
    _check_layout(shuffles, chunk)
    _check_names(world.evidence)
    per_subject, _ = _subject_sentences(world.evidence)
    seed = world.seed if seed is None else seed
    for _, docs in _documents(per_subject, world.evidence.subjects, seed, shuffles, chunk):
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

    @property
    def sentences(self) -> int:
        """Sentences in the file (all shuffles)."""
        return sum(self.counts.values()) * self.shuffles

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
        lines.append(f"  {self.documents:,} documents, {self.tokens:,} tokens, {self.shuffles} shuffle(s)")
        lines.append(f"  {self.facts:,} true facts, {self.held_out:,} held out (never mentioned nor stated)")
        lines.append(f"  written in {self.seconds:.1f} s ({self.sentences_per_second:,.0f} sentences/s)")
        return "\n".join(lines)


def _graph_to_json(graph: RelationGraph) -> dict[str, Any]:
    relations = []
    for r in graph.relations:
        conc = np.asarray(graph.nodes[r].get("concentration", 1.0), dtype=float)
        relations.append({"name": r, "domain": list(graph.domain(r)),
                          "concentration": conc.tolist(), "parents": list(graph.parents(r))})
    return {"relations": relations}


def graph_from_metadata(metadata: dict[str, Any]) -> RelationGraph:
    """Rebuild the :class:`rational.RelationGraph` recorded in a corpus's metadata.

    Example:
        >>> meta = {"graph": {"relations": [
        ...     {"name": "a", "domain": ["x", "y"], "concentration": 1.0, "parents": []},
        ...     {"name": "b", "domain": ["z"], "concentration": [0.5], "parents": ["a"]}]}}
        >>> graph_from_metadata(meta).parents("b")
        ('a',)
    """
    from rational import RelationGraph

    try:
        graph = RelationGraph()
        relations = metadata["graph"]["relations"]
        for rel in relations:
            graph.add_relation(rel["name"], rel["domain"], rel.get("concentration", 1.0))
        for rel in relations:
            for parent in rel["parents"]:
                graph.add_edge(parent, rel["name"])
    except (KeyError, TypeError) as err:
        raise CorpusError(f"metadata has no valid 'graph' ({type(err).__name__}: {err})") from None
    return graph.check()


def _metadata(world: World, name: str, options: dict | None, seed: int, shuffles: int, chunk: int,
              counts: dict[str, int]) -> dict[str, Any]:
    graph, ev = world.graph, world.evidence
    facts = []
    for s, subject in enumerate(world.subjects):
        for r in graph.relations:
            facts.append({"subject": subject, "relation": r, "object": graph.domain(r)[int(world.truth[r][s])],
                          "held_out": bool(world.held_out[r][s])})
    return {
        "format_version": FORMAT_VERSION,
        "world": name,
        "seed": int(world.seed),
        "eps": float(ev.eps),
        "statement_noise": float(ev.statement_noise),
        "world_options": options,
        "corpus": {"seed": int(seed), "shuffles": shuffles, "chunk": chunk, "canonical_shuffle": 0,
                   "sentence_end": SENTENCE_END.strip(), "end_of_document": END_OF_DOCUMENT},
        "graph": _graph_to_json(graph),
        "subjects": list(world.subjects),
        "counts": counts,
        "held_out": int(sum(int(world.held_out[r].sum()) for r in graph.relations)),
        "facts": facts,
    }


def write_corpus(world: World, out_dir: str | Path, *, seed: int | None = None, shuffles: int = 3,
                 chunk: int = DEFAULT_CHUNK, world_name: str = "custom", world_options: dict | None = None,
                 quiet: bool = False, progress: bool | None = None) -> CorpusSummary:
    """Render a world's corpus to ``out_dir/corpus.jsonl`` and ``out_dir/metadata.json``, atomically.

    ``metadata.json`` holds: ``format_version`` (1), ``world`` (name), ``seed`` (the world's),
    ``eps``, ``statement_noise``, ``world_options`` (sampling options, or null), ``corpus`` (``seed`` of
    the shuffles, ``shuffles``, ``chunk``, ``canonical_shuffle`` = 0, ``sentence_end`` ``"."``,
    ``end_of_document`` ``"<eod>"``), ``graph`` (``relations``: ``name``, ``domain``, ``concentration``,
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

    Returns:
        The :class:`CorpusSummary` (also printed unless ``quiet``).

    Example:
        >>> import tempfile, bridges
        >>> world = bridges.build_world("tiny", seed=0, n_subjects=5)
        >>> summary = write_corpus(world, tempfile.mkdtemp(), world_name="tiny", quiet=True)
        >>> summary.facts, summary.shuffles
        (40, 3)
    """
    from coherence import render_statement  # noqa: F401 - imported here so the timing excludes sympy's import
    from tqdm.auto import tqdm

    start = time.perf_counter()
    _check_layout(shuffles, chunk)
    _check_names(world.evidence)
    seed = world.seed if seed is None else seed
    per_subject, counts = _subject_sentences(world.evidence)
    subjects = world.evidence.subjects
    show = (not quiet) and (progress if progress is not None else len(subjects) >= _AUTO_PROGRESS_SUBJECTS)
    documents = tokens = 0
    with atomic_outputs(out_dir) as stage:
        with stage.open(CORPUS_FILE) as f, tqdm(total=len(subjects) * shuffles, unit="subject",
                                                desc="corpus", disable=not show, mininterval=0.5) as bar:
            for _, docs in _documents(per_subject, subjects, seed, shuffles, chunk):
                if docs:
                    f.write("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
                    documents += len(docs)
                    tokens += sum(d["text"].count(" ") + 1 for d in docs)
                bar.update()
        all_counts = {**counts, "sentences": sum(counts.values()) * shuffles, "documents": documents,
                      "tokens": tokens}
        meta = _metadata(world, world_name, world_options, seed, shuffles, chunk, all_counts)
        stage.write_json(METADATA_FILE, meta)
    summary = CorpusSummary(Path(out_dir), world_name, int(world.seed), counts, shuffles, documents, tokens,
                            len(meta["facts"]), meta["held_out"], time.perf_counter() - start)
    if not quiet:
        print(summary, flush=True)
    return summary


def make_corpus(world: str | Path, out_dir: str | Path, *, seed: int = 0, shuffles: int = 3, chunk: int = DEFAULT_CHUNK,
                quiet: bool = False, progress: bool | None = None, **overrides) -> CorpusSummary:
    """Build a world by name or graph file and write its corpus: ``python -m bridges corpus`` from Python.

    Args:
        world: a built-in world name (``tiny``, ``default``, ``paper``) or the path of a graph file.
        out_dir: the corpus directory.
        seed: the world's seed (also the seed of the shuffles).
        shuffles, chunk, quiet, progress: as for :func:`write_corpus`.
        **overrides: sampling options of :class:`bridges.WorldSpec` (``eps``, ``n_subjects``, ...).

    Example:
        >>> import tempfile
        >>> make_corpus("tiny", tempfile.mkdtemp(), n_subjects=4, quiet=True).facts
        32
    """
    from ._worlds import resolve_world

    spec = resolve_world(world, **overrides)
    _check_layout(shuffles, chunk)  # fail before sampling a large world
    return write_corpus(spec.sample(seed), out_dir, seed=seed, shuffles=shuffles, chunk=chunk,
                        world_name=spec.name, world_options=spec.options(), quiet=quiet, progress=progress)


# -- reading --------------------------------------------------------------------------------------
def load_metadata(corpus_dir: str | Path) -> dict[str, Any]:
    """The metadata of a corpus directory (see :func:`write_corpus` for its keys).

    Raises:
        FileNotFoundError: no ``metadata.json`` in the directory.
        CorpusError: unreadable JSON or an unsupported ``format_version``.

    Example:
        >>> import tempfile
        >>> out = tempfile.mkdtemp()
        >>> _ = make_corpus("tiny", out, n_subjects=4, quiet=True)
        >>> load_metadata(out)["counts"]["documents"] > 0
        True
    """
    path = Path(corpus_dir) / METADATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no corpus metadata at {str(path)!r} (write a corpus with "
                                "`python -m bridges corpus --out DIR` first)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise CorpusError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
    if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
        version = meta.get("format_version") if isinstance(meta, dict) else None
        raise CorpusError(f"{path}: unsupported corpus format_version {version!r} (this code reads "
                          f"{FORMAT_VERSION})")
    return meta


def iter_documents(corpus_dir: str | Path, shuffle: int | None = None) -> Iterator[dict[str, Any]]:
    """The documents of a corpus, in file order (optionally only one shuffle).

    Example:
        >>> import tempfile
        >>> out = tempfile.mkdtemp()
        >>> _ = make_corpus("tiny", out, n_subjects=4, shuffles=2, quiet=True)
        >>> {d["shuffle"] for d in iter_documents(out, shuffle=1)}
        {1}
    """
    path = Path(corpus_dir) / CORPUS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no corpus at {str(path)!r}")
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            try:
                doc = json.loads(line)
                ok = isinstance(doc, dict) and isinstance(doc.get("text"), str)
            except json.JSONDecodeError:
                ok = False
            if not ok:
                raise CorpusError(f"{path}:{lineno}: expected a JSON object with a 'text' string")
            if shuffle is None or doc.get("shuffle") == shuffle:
                yield doc


def split_sentences(text: str) -> list[str]:
    """The sentences of a document, without their final `` .`` (the inverse of the rendering).

    Raises:
        CorpusError: if the text does not end with `` <eod>`` or a sentence does not end with `` .``.

    Example:
        >>> split_sentences('Ann Lee continent Asia . "not Ann Lee continent Europe" is true . <eod>')
        ['Ann Lee continent Asia', '"not Ann Lee continent Europe" is true']
    """
    eod = f"{SENTENCE_END} {END_OF_DOCUMENT}"
    if not text.endswith(eod):
        raise CorpusError(f"document does not end with {eod!r}: ...{text[-40:]!r}")
    body = text[: -len(eod)]
    sentences = body.split(f"{SENTENCE_END} ")
    if any(not s for s in sentences):
        raise CorpusError(f"document has an empty sentence: {text[:80]!r}...")
    return sentences


def evidence_from_corpus(corpus_dir: str | Path) -> Evidence:
    """Parse the canonical shuffle of a corpus back into :class:`rational.Evidence`.

    Every sentence is parsed with :func:`coherence.parse` / :func:`coherence.parse_statement` over the
    vocabulary in the metadata: a plain atom is a mention, a quoted sentence a labelled statement.
    Fitting the rational agent on the result gives the posterior of ``world.evidence`` (the corpus
    holds nothing else and each item once in shuffle 0).

    Raises:
        CorpusError: a sentence that does not parse (with file and line), is about another subject than
            its document, or has a shape the corpus never writes.

    Example:
        >>> import tempfile, bridges
        >>> world = bridges.build_world("tiny", seed=0, n_subjects=6)
        >>> out = tempfile.mkdtemp()
        >>> _ = write_corpus(world, out, quiet=True)
        >>> evidence_from_corpus(out).n_mentions == world.evidence.n_mentions
        True
    """
    from coherence import Atom, SentenceParseError, Vocabulary, parse, parse_statement
    from rational import Evidence

    meta = load_metadata(corpus_dir)
    graph = graph_from_metadata(meta)
    evidence = Evidence(graph, meta["subjects"], eps=meta["eps"], statement_noise=meta["statement_noise"])
    vocab = Vocabulary(meta["subjects"], {r: graph.domain(r) for r in graph.relations})
    canonical = meta.get("corpus", {}).get("canonical_shuffle", 0)
    path = Path(corpus_dir) / CORPUS_FILE
    mentions: dict[str, tuple[list[int], list[int]]] = {r: ([], []) for r in graph.relations}
    seen: dict[str, Any] = {}  # sentence text -> parsed item (mentions repeat verbatim)
    lineno = 0
    for doc in iter_documents(corpus_dir):
        lineno += 1
        if doc.get("shuffle") != canonical:
            continue
        where = f"{path}:{lineno}"
        try:
            sentences = split_sentences(doc["text"])
        except CorpusError as err:
            raise CorpusError(f"{where}: {err}") from None
        for text in sentences:
            item = seen.get(text)
            if item is None:
                try:
                    if text.startswith('"'):
                        sentence, label = parse_statement(text, vocab)
                        item = statement_of_sentence(sentence, label)
                    else:
                        item = parse(text, vocab)
                        if not isinstance(item, Atom):
                            raise CorpusError(f"unquoted sentence {text!r} is not an atomic mention")
                except (SentenceParseError, CorpusError) as err:
                    raise CorpusError(f"{where}: {err}") from None
                seen[text] = item
            subject = item.subject
            if subject != doc.get("subject"):
                raise CorpusError(f"{where}: sentence {text!r} is about {subject!r}, but the document is "
                                  f"about {doc.get('subject')!r}")
            if isinstance(item, Atom):
                s_list, o_list = mentions[item.relation]
                s_list.append(evidence.subject_index[subject])
                o_list.append(graph.object_index(item.relation, item.obj))
            else:
                evidence.add_statement(item)
    for r, (s_list, o_list) in mentions.items():
        evidence.add_mention_arrays(r, s_list, o_list)
    return evidence

