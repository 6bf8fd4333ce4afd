"""Small synthetic corpora in the corpus-directory format, for tests and benchmarks of :mod:`lm`.

The format is the one ``bridges`` writes (``corpus.jsonl`` + ``metadata.json``); only what :mod:`lm`
reads is reproduced: documents of `` .``-terminated sentences ending in `` <eod>``, noisy mentions,
true/false statements and connectives, and the metadata's relations, subjects and facts. The world is
a small dependency graph with sharp conditional tables, so held-out facts are partly predictable.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

__all__ = ["write_toy_corpus"]

_SYLLABLES = ("ka lo mi ra ten su vo bel dar fi go hu ja ke lin mor na pe qui ro sa ti ul ve wen xo ya "
              "zu bra cle dri fro gla ple stro tri").split()

#: (relation phrase, domain size, parents): a DAG in topological order, look-alike of the default world.
_RELATIONS = (
    ("country of citizenship", 30, ()),
    ("continent", 10, ("country of citizenship",)),
    ("native language", 25, ("country of citizenship",)),
    ("field of work", 20, ()),
    ("occupation", 40, ("field of work",)),
    ("educated at", 35, ("country of citizenship",)),
    ("religion", 12, ("country of citizenship",)),
    ("sport", 15, ()),
    ("member of political party", 20, ("country of citizenship",)),
)


def _word(rng: np.random.Generator) -> str:
    n = int(rng.integers(2, 4))
    return "".join(_SYLLABLES[i] for i in rng.integers(len(_SYLLABLES), size=n)).capitalize()


def _names(rng: np.random.Generator, n: int, taken: set[str], multi: float = 0.25) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        u = rng.random()
        name = (f"{_word(rng)} and {_word(rng)}" if u < multi / 4
                else f"{_word(rng)} {_word(rng)}" if u < multi else _word(rng))
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def write_toy_corpus(out_dir: str | os.PathLike, n_subjects: int = 60, n_relations: int = 3, *,
                     domain_scale: float = 1.0, mentions_per_fact: int = 3, held_out_rate: float = 0.2,
                     eps: float = 0.1, statements_per_subject: float = 1.0,
                     connectives_per_subject: float = 1.0, seed: int = 0) -> Path:
    """Write a look-alike corpus directory (``corpus.jsonl``, ``metadata.json``) and return its path.

    Args:
        out_dir: directory to create or fill.
        n_subjects: number of subjects (two-word person-like names).
        n_relations: how many of the 9 built-in relations to use (a prefix of a topological order).
        domain_scale: multiplies every domain size (at least 2 objects each).
        mentions_per_fact: noisy mentions of every non-held-out fact (one per shuffled document).
        held_out_rate: probability that a fact is never mentioned nor stated.
        eps: probability that a mention states a wrong object.
        statements_per_subject: mean number of true/false statements per subject.
        connectives_per_subject: mean number of not/and/or/if-then statements per subject.
        seed: the same seed gives the same corpus, byte for byte.

    Example:
        >>> import tempfile, json
        >>> d = write_toy_corpus(tempfile.mkdtemp(), n_subjects=5, n_relations=2)
        >>> sorted(json.loads((d / "metadata.json").read_text()))
        ['facts', 'format_version', 'graph', 'subjects']
    """
    if not 1 <= n_relations <= len(_RELATIONS):
        raise ValueError(f"n_relations must be in [1, {len(_RELATIONS)}], got {n_relations}")
    rng = np.random.default_rng(seed)
    taken: set[str] = set()
    rels = _RELATIONS[:n_relations]
    names = [r for r, _, _ in rels]
    domains = {r: _names(rng, max(2, round(k * domain_scale)), taken) for r, k, _ in rels}
    parents = {r: tuple(p for p in pa if p in names) for r, _, pa in rels}
    first = [w for w in (_word(rng) for _ in range(4 * n_subjects)) if w not in taken]
    subjects: list[str] = []
    while len(subjects) < n_subjects:
        s = f"{first[rng.integers(len(first))]} {first[rng.integers(len(first))]}"
        if s not in subjects:
            subjects.append(s)

    # truth: sharp conditional tables (Dirichlet 0.3), drawn in topological order
    truth: dict[str, np.ndarray] = {}
    for r in names:
        k = len(domains[r])
        shape = tuple(len(domains[p]) for p in parents[r])
        cpt = rng.dirichlet(np.full(k, 0.3), size=shape or None)
        rows = cpt[tuple(truth[p] for p in parents[r])] if shape else np.broadcast_to(cpt, (n_subjects, k))
        truth[r] = np.array([rng.choice(k, p=row) for row in rows])
    held = {r: rng.random(n_subjects) < held_out_rate for r in names}

    def atom(s: int, r: str) -> tuple[str, bool]:
        o = int(truth[r][s]) if rng.random() < 0.5 else int(rng.integers(len(domains[r])))
        return f"{subjects[s]} {r} {domains[r][o]}", o == truth[r][s]

    lines = []
    for s in range(n_subjects):
        visible = [r for r in names if not held[r][s]]
        extra = []
        for _ in range(rng.poisson(statements_per_subject) if visible else 0):
            text, value = atom(s, visible[rng.integers(len(visible))])
            extra.append(f'"{text}" is {"true" if value != (rng.random() < eps) else "false"} .')
        for _ in range(rng.poisson(connectives_per_subject) if visible else 0):
            (a, va), (b, vb) = (atom(s, visible[rng.integers(len(visible))]) for _ in range(2))
            kind = rng.integers(4)
            text, value = [(f"not {a}", not va), (f"{a} and {b}", va and vb), (f"{a} or {b}", va or vb),
                           (f"if {a} then {b}", (not va) or vb)][kind]
            extra.append(f'"{text}" is {"true" if value != (rng.random() < eps) else "false"} .')
        for i in range(mentions_per_fact):
            sentences = []
            for r in visible:
                k = len(domains[r])
                o = int(truth[r][s])
                if rng.random() < eps:
                    o = (o + int(rng.integers(1, k))) % k
                sentences.append(f"{subjects[s]} {r} {domains[r][o]} .")
            sentences += extra[i::mentions_per_fact]
            order = rng.permutation(len(sentences))
            text = " ".join(sentences[j] for j in order) + " <eod>"
            lines.append(json.dumps({"text": text, "subject": subjects[s], "shuffle": i}))
    order = rng.permutation(len(lines))
    meta = {
        "format_version": 1,
        "graph": {"relations": [{"name": r, "domain": domains[r], "parents": list(parents[r])} for r in names]},
        "subjects": subjects,
        "facts": [{"subject": subjects[s], "relation": r, "object": domains[r][int(truth[r][s])],
                   "held_out": bool(held[r][s])} for s in range(n_subjects) for r in names],
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "corpus.jsonl").write_text("".join(lines[i] + "\n" for i in order))
    (out / "metadata.json").write_text(json.dumps(meta, indent=1))
    return out
