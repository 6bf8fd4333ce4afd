"""Ground-truth worlds sampled from a graph, with the noisy evidence the corpus reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._evidence import CONNECTIVES, Evidence, EvidenceError, Statement
from ._graph import RelationGraph

__all__ = ["World", "example_graph", "sample_world"]


@dataclass
class World:
    """A sampled world: population CPTs, every subject's true objects, and the evidence about them.

    Attributes:
        graph: the dependency graph.
        subjects: subject names.
        cpts: relation -> true CPT (parents' axes, then the relation's own).
        truth: relation -> (S,) index of each subject's true object.
        evidence: mentions and statements (what a corpus would report).
        held_out: relation -> (S,) bool, True where (s, r) is never mentioned nor stated.
        seed: the seed it was sampled with.
    """

    graph: RelationGraph
    subjects: tuple[str, ...]
    cpts: dict[str, np.ndarray]
    truth: dict[str, np.ndarray]
    evidence: Evidence
    held_out: dict[str, np.ndarray]
    seed: int

    def true_object(self, subject: str, relation: str) -> str:
        """The object that really holds for (subject, relation)."""
        s = self.evidence.subject_id(subject)
        return self.graph.domain(relation)[int(self.truth[relation][s])]

    def true_values(self, subject: str) -> dict[str, str]:
        """relation -> true object, for one subject."""
        return {r: self.true_object(subject, r) for r in self.graph.relations}


def example_graph() -> RelationGraph:
    """A small built-in graph: country -> language, country -> continent, (country, field) -> occupation.

    Example:
        >>> example_graph().relations
        ('country', 'continent', 'field', 'language', 'occupation')
    """
    g = RelationGraph()
    g.add_relation("country", ["France", "Japan", "Trinidad and Tobago", "Brazil"])
    g.add_relation("continent", ["Europe", "Asia", "Americas"])
    g.add_relation("language", ["French", "Japanese", "English"])
    g.add_relation("field", ["physics", "law"])
    g.add_relation("occupation", ["physicist", "lawyer", "teacher"])
    g.add_edges_from([("country", "language"), ("country", "continent"),
                      ("country", "occupation"), ("field", "occupation")])
    return g


def sample_world(graph: RelationGraph, n_subjects: int | Sequence[str] = 100, seed: int = 0, *,
                 eps: float = 0.1, statement_noise: float = 0.1, mentions_per_fact: int = 3,
                 held_out_rate: float = 0.2, statements_per_subject: float = 1.0,
                 connectives_per_subject: float = 1.0, truth_concentration: float | None = 0.3
                 ) -> World:
    """Sample a ground-truth world and its noisy evidence; the same seed gives the same world.

    1. CPTs: every row ~ Dirichlet(``truth_concentration``) (None: the graph's own concentrations);
       a small value makes dependencies sharp, so the graph matters for unmentioned facts.
    2. Truth: each subject's objects drawn in topological order from the CPT rows of its parents' values.
    3. Held out: each (s, r) is never mentioned nor stated with probability ``held_out_rate``.
    4. Mentions: every other (s, r) is mentioned ``mentions_per_fact`` times, each stating the true
       object with probability 1 - eps and otherwise a uniformly chosen other object.
    5. Statements (true/false): about ``statements_per_subject`` per subject on average, on a mentioned
       relation: an atom with the true object or a random one (half each); label correct w.p. 1 - noise.
    6. Connectives: about ``connectives_per_subject`` per subject: not/and/or/implies over atoms of one
       relation or of a parent -> child pair (the cost model of :mod:`rational`), mentioned relations
       only, labels correct with probability 1 - ``statement_noise``.

    Example:
        >>> w1 = sample_world(example_graph(), 10, seed=3)
        >>> w2 = sample_world(example_graph(), 10, seed=3)
        >>> bool(all((w1.truth[r] == w2.truth[r]).all() for r in w1.graph.relations))
        True
    """
    graph.check()
    if not 0.0 <= held_out_rate < 1.0:
        raise EvidenceError(f"held_out_rate must be in [0, 1), got {held_out_rate!r}")
    if mentions_per_fact < 1:
        raise EvidenceError(f"mentions_per_fact must be at least 1, got {mentions_per_fact!r}")
    subjects = (tuple(f"s{i:05d}" for i in range(n_subjects)) if isinstance(n_subjects, int)
                else tuple(n_subjects))
    n = len(subjects)
    rng = np.random.default_rng(seed)
    rels = graph.relations
    evidence = Evidence(graph, subjects, eps=eps, statement_noise=statement_noise)

    cpts, truth = {}, {}
    for r in rels:
        shape = graph.cpt_shape(r)
        conc = (np.full(shape[-1], truth_concentration) if truth_concentration is not None
                else graph.concentration(r))
        cpts[r] = rng.dirichlet(conc, size=shape[:-1]).reshape(shape)
        rows = np.broadcast_to(cpts[r][tuple(truth[p] for p in graph.parents(r))], (n, shape[-1]))  # (S, K)
        u = rng.random(n)[:, None]
        truth[r] = np.minimum((rows.cumsum(axis=1) < u).sum(axis=1), shape[-1] - 1)

    held_out = {r: rng.random(n) < held_out_rate for r in rels}
    for r in rels:
        k = graph.size_of(r)
        subj = np.repeat(np.flatnonzero(~held_out[r]), mentions_per_fact)
        obj = truth[r][subj].copy()
        if k > 1:
            wrong = rng.random(subj.size) < eps
            shift = rng.integers(1, k, size=subj.size)  # uniform over the other k - 1 objects
            obj[wrong] = (obj[wrong] + shift[wrong]) % k
        evidence.add_mention_arrays(r, subj, obj)

    def atom(s: int, r: str) -> tuple[str, str]:
        k = graph.size_of(r)
        o = truth[r][s] if rng.random() < 0.5 else rng.integers(k)
        return r, graph.domain(r)[int(o)]

    def label(st_atoms, fn, s) -> bool:
        value = bool(fn(*(truth[r][s] == graph.object_index(r, o) for r, o in st_atoms)))
        return value if rng.random() >= statement_noise else not value

    edges = list(graph.edges)
    two_place = [c for c, (arity, _) in CONNECTIVES.items() if arity == 2]
    for s in range(n):
        visible = [r for r in rels if not held_out[r][s]]
        if not visible:
            continue
        for _ in range(rng.poisson(statements_per_subject)):
            a = atom(s, visible[rng.integers(len(visible))])
            evidence.add_statement(Statement.connective("atom", subjects[s], [a], label([a], lambda x: x, s)))
        pairs = [(u, v) for u, v in edges if not held_out[u][s] and not held_out[v][s]]
        for _ in range(rng.poisson(connectives_per_subject)):
            kind = ["not", *two_place][rng.integers(1 + len(two_place))]
            if kind == "not":
                atoms = [atom(s, visible[rng.integers(len(visible))])]
            elif pairs and rng.random() < 0.5:
                u, v = pairs[rng.integers(len(pairs))]
                atoms = [atom(s, u), atom(s, v)] if rng.random() < 0.5 else [atom(s, v), atom(s, u)]
            else:
                r = visible[rng.integers(len(visible))]
                atoms = [atom(s, r), atom(s, r)]
            fn = CONNECTIVES[kind][1]
            evidence.add_statement(Statement.connective(kind, subjects[s], atoms, label(atoms, fn, s)))
    return World(graph, subjects, cpts, truth, evidence, held_out, seed)
