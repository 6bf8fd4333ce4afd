"""Evidence about subjects: noisy mentions and labelled (connective) statements, and their encoding.

The likelihoods, exactly as the rational agent and the compiled NumPyro model use them:

* a **mention** of ``(s, r)`` states object ``o``: ``P(o | x[s, r] = k) = 1 - eps`` if ``o == k``, else
  ``eps / (K_r - 1)`` (the noisy channel; with ``K_r == 1`` the mention is certain);
* with a per-fact **reliability** ``(lo, hi)`` instead, the mentions of one fact share an unknown
  reliability rho ~ Uniform(lo, hi): each states the truth with probability rho and each other object with
  (1 - rho) / (K_r - 1). The n mentions of (s, r) then have the likelihood
  ``P(mentions | x[s, r] = k) = (K_r - 1)^-(n - c_k) * E_rho[rho^c_k (1 - rho)^(n - c_k)]``, with c_k the
  mentions stating k: still one factor on x[s, r] alone, computed exactly (the integrand is a polynomial of
  degree n in rho, so Gauss-Legendre quadrature with n // 2 + 1 nodes integrates it exactly, a sum of
  positive terms without cancellation);
* a **statement** is a Boolean formula over atoms ``x[s, r] == o`` of one subject with a true/false label:
  ``P(label | x) = 1 - statement_noise`` if the formula's truth value under ``x`` equals the label,
  else ``statement_noise``.

Cost model: a statement is a likelihood factor over the relations its atoms mention. Only statements over
one relation, or over a parent -> child pair of the graph, are accepted as evidence, so a subject's factor
graph stays the moralised dependency graph and exact inference costs what it costs without statements
(O(S * sum_r K_r * prod_{p in pa(r)} K_p)). Anything else raises :class:`EvidenceError` at once.
"""

from __future__ import annotations

import hashlib
import json
import numbers
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np

from ._graph import RelationGraph

__all__ = ["CONNECTIVES", "Evidence", "EvidenceError", "Statement"]


class EvidenceError(ValueError):
    """Evidence that names an unknown subject, relation or object, or breaks the cost model."""


#: Standard connectives: name -> (arity, truth function). ``implies`` is "if A then B".
CONNECTIVES: dict[str, tuple[int, Callable[..., bool]]] = {
    "atom": (1, lambda a: a),
    "not": (1, lambda a: not a),
    "and": (2, lambda a, b: a and b),
    "or": (2, lambda a, b: a or b),
    "implies": (2, lambda a, b: (not a) or b),
}


@dataclass(frozen=True)
class Statement:
    """A labelled Boolean formula over atoms ``x[subject, relation] == object`` of one subject.

    Attributes:
        subject: the subject every atom is about.
        atoms: ``(relation, object)`` pairs, in order.
        table: truth value of the formula for every assignment of the atoms; entry ``i`` is the value
            when atom ``j`` is true exactly if bit ``j`` of ``i`` is set (``len(table) == 2 ** len(atoms)``).
        label: the stated truth value (``"..." is true`` -> True).
        kind: a name for rendering (``atom``, ``not``, ``and``, ``or``, ``implies`` or ``formula``).

    Example:
        >>> st = Statement.connective("implies", "Ann", [("country", "France"), ("language", "French")], True)
        >>> st.table  # FF, TF, FT, TT -> if A then B
        (True, False, True, True)
        >>> st.holds({"country": "France", "language": "German"})
        False
    """

    subject: str
    atoms: tuple[tuple[str, str], ...]
    table: tuple[bool, ...]
    label: bool
    kind: str = "formula"

    def __post_init__(self):
        object.__setattr__(self, "atoms", tuple((str(r), str(o)) for r, o in self.atoms))
        object.__setattr__(self, "table", tuple(bool(t) for t in self.table))
        if not self.atoms:
            raise EvidenceError(f"statement about {self.subject!r} has no atoms")
        if len(self.table) != 2 ** len(self.atoms):
            raise EvidenceError(
                f"statement about {self.subject!r}: truth table has {len(self.table)} entries, "
                f"expected 2**{len(self.atoms)}"
            )

    @classmethod
    def of(cls, subject: str, atoms: Sequence[tuple[str, str]], fn: Callable[..., bool], label: bool,
           kind: str = "formula") -> Statement:
        """Build a statement from a Python truth function of the atoms' truth values.

        Example:
            >>> Statement.of("Ann", [("country", "France"), ("country", "Japan")], lambda a, b: a or b, True).table
            (False, True, True, True)
        """
        n = len(atoms)
        table = tuple(bool(fn(*((i >> j) & 1 == 1 for j in range(n)))) for i in range(2**n))
        return cls(subject, tuple(atoms), table, bool(label), kind)

    @classmethod
    def connective(cls, kind: str, subject: str, atoms: Sequence[tuple[str, str]], label: bool) -> Statement:
        """A statement with a standard connective (see :data:`CONNECTIVES`).

        Example:
            >>> Statement.connective("not", "Ann", [("country", "France")], False).table
            (True, False)
        """
        if kind not in CONNECTIVES:
            raise EvidenceError(f"unknown connective {kind!r}; known: {sorted(CONNECTIVES)}")
        arity, fn = CONNECTIVES[kind]
        if len(atoms) != arity:
            raise EvidenceError(f"connective {kind!r} takes {arity} atom(s), got {len(atoms)}")
        return cls.of(subject, atoms, fn, label, kind)

    def truth(self, bits: Sequence[bool]) -> bool:
        """Truth value of the formula given each atom's truth value."""
        return self.table[sum(1 << j for j, b in enumerate(bits) if b)]

    def holds(self, values: dict[str, str]) -> bool:
        """Truth value of the formula when the subject's relations take ``values`` (relation -> object)."""
        return self.truth([values[r] == o for r, o in self.atoms])

    @property
    def relations(self) -> tuple[str, ...]:
        """The distinct relations the atoms mention, in order of appearance."""
        return tuple(dict.fromkeys(r for r, _ in self.atoms))


@dataclass
class Evidence:
    """Everything observed about a set of subjects of one graph, with the noise rates of its likelihoods.

    Mentions are stored column-wise per relation (subject index, object index), so a world with millions
    of mentions costs a few arrays, not millions of objects.

    Args:
        graph: the dependency graph the evidence is about.
        subjects: subject names (unique); subjects with no evidence at all are allowed.
        eps: mention noise rate in [0, 1) (the fixed channel, used when ``reliability`` is None).
        statement_noise: probability that a statement's label is wrong, in [0, 0.5).
        reliability: ``(lo, hi)`` with 0 <= lo < hi <= 1: every fact's mentions share a reliability
            rho ~ Uniform(lo, hi) (see the module docstring); None: the fixed channel ``eps``.

    Example:
        >>> g = RelationGraph().add_relation("country", ["France", "Japan"])
        >>> ev = Evidence(g, ["Ann", "Bo"], eps=0.1)
        >>> ev.add_mention("Ann", "country", "Japan", count=2)
        >>> ev.n_mentions, ev.mentioned("Ann", "country"), ev.mentioned("Bo", "country")
        (2, True, False)
    """

    graph: RelationGraph
    subjects: Sequence[str]
    eps: float = 0.1
    statement_noise: float = 0.1
    statements: list[Statement] = field(default_factory=list)
    reliability: tuple[float, float] | None = None

    def __post_init__(self):
        self.graph.check()
        self.subjects = tuple(self.subjects)
        self.subject_index = {s: i for i, s in enumerate(self.subjects)}
        if len(self.subject_index) != len(self.subjects):
            dup = next(s for s in self.subjects if self.subjects.count(s) > 1)
            raise EvidenceError(f"duplicate subject name {dup!r}")
        if not (0.0 <= self.eps < 1.0):
            raise EvidenceError(f"mention noise rate eps must be in [0, 1), got {self.eps!r}")
        if not (0.0 <= self.statement_noise < 0.5):
            raise EvidenceError(f"statement_noise must be in [0, 0.5), got {self.statement_noise!r}")
        self.reliability = check_reliability(self.reliability)
        self._mention_chunks: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
        self._counts: dict = {}  # relation -> mention_counts(relation); (reliability, relation) -> its array
        statements, self.statements = list(self.statements), []
        for st in statements:
            self.add_statement(st)

    # -- adding --------------------------------------------------------------------------------
    def subject_id(self, subject: str) -> int:
        """Index of a subject; raises EvidenceError naming it if unknown."""
        try:
            return self.subject_index[subject]
        except KeyError:
            raise EvidenceError(f"unknown subject {subject!r} ({len(self.subjects)} subjects known)") from None

    def _relation(self, r: str) -> str:
        if r not in self.graph:
            raise EvidenceError(f"unknown relation {r!r}; known relations: {sorted(self.graph.nodes)}")
        return r

    def _object(self, r: str, o: str) -> int:
        try:
            return self.graph.object_index(self._relation(r), o)
        except KeyError as err:
            raise EvidenceError(err.args[0]) from None

    def add_subjects(self, names: Iterable[str]) -> None:
        """Append new subjects, with no evidence yet; names must be non-empty and not already subjects.

        Example:
            >>> g = RelationGraph().add_relation("country", ["France", "Japan"])
            >>> ev = Evidence(g, ["Ann"]); ev.add_subjects(["Bo", "Cy"])
            >>> ev.subjects, ev.subject_id("Cy")
            (('Ann', 'Bo', 'Cy'), 2)
        """
        names, seen = list(names), set()
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise EvidenceError(f"a subject name must be a non-empty string, got {name!r}")
            if name in self.subject_index or name in seen:
                raise EvidenceError(f"subject {name!r} already exists")
            seen.add(name)
        for name in names:
            self.subject_index[name] = len(self.subject_index)
        self.subjects = self.subjects + tuple(names)
        self._counts.clear()  # per-subject arrays: recomputed with the new rows when asked

    def add_mention(self, subject: str, relation: str, obj: str, count: int = 1) -> None:
        """Record ``count`` mentions stating ``subject relation obj``."""
        if not isinstance(count, numbers.Integral) or isinstance(count, bool) or count < 0:
            raise EvidenceError(f"mention count must be a non-negative integer, got {count!r}")
        s, o = self.subject_id(subject), self._object(relation, obj)
        self.add_mention_arrays(relation, np.full(count, s), np.full(count, o))

    def add_mention_arrays(self, relation: str, subject_ids, object_ids) -> None:
        """Record many mentions of one relation at once, by subject and object index (vectorised)."""
        self._relation(relation)
        s = np.asarray(subject_ids, dtype=np.int64).ravel()
        o = np.asarray(object_ids, dtype=np.int64).ravel()
        if s.shape != o.shape:
            raise EvidenceError(f"relation {relation!r}: {s.size} subject ids but {o.size} object ids")
        if s.size and (s.min() < 0 or s.max() >= len(self.subjects)):
            raise EvidenceError(f"relation {relation!r}: subject index out of range [0, {len(self.subjects)})")
        k = self.graph.size_of(relation)
        if o.size and (o.min() < 0 or o.max() >= k):
            raise EvidenceError(f"relation {relation!r}: object index out of range [0, {k})")
        if s.size:
            self._mention_chunks[relation].append((s, o))
            self._counts.pop(relation, None)
            self._counts.pop(("reliability", relation), None)

    def add_statement(self, statement: Statement) -> None:
        """Record a labelled statement; checks names and the cost model (see module docstring)."""
        self.subject_id(statement.subject)
        for r, o in statement.atoms:
            self._object(r, o)
        rels = statement.relations
        if len(rels) > 2 or (len(rels) == 2 and not self.graph.linked(*rels)):
            raise EvidenceError(
                f"statement about {statement.subject!r} couples relations {list(rels)}: statement evidence "
                "must stay within one relation or one parent -> child pair of the graph, otherwise it adds "
                "cycles to the subject's factor graph and exact inference grows exponentially "
                "(ask such formulas as queries instead)"
            )
        self.statements.append(statement)

    # -- reading -------------------------------------------------------------------------------
    def mentions(self, relation: str) -> tuple[np.ndarray, np.ndarray]:
        """All mentions of ``relation`` as (subject indices, object indices)."""
        chunks = self._mention_chunks.get(self._relation(relation), [])
        if not chunks:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        if len(chunks) > 1:
            merged = (np.concatenate([c[0] for c in chunks]), np.concatenate([c[1] for c in chunks]))
            self._mention_chunks[relation] = [merged]
        return self._mention_chunks[relation][0]

    @property
    def n_mentions(self) -> int:
        return sum(self.mentions(r)[0].size for r in self.graph.relations)

    def mentioned_mask(self, relation: str) -> np.ndarray:
        """Boolean array over subjects: has ``(s, relation)`` been mentioned at least once?"""
        mask = np.zeros(len(self.subjects), bool)
        mask[self.mentions(relation)[0]] = True
        return mask

    def mentioned(self, subject: str, relation: str) -> bool:
        return bool(self.mentioned_mask(relation)[self.subject_id(subject)])

    # -- plain data ----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Everything observed, as JSON data (``graph`` excluded: it travels with the world or posterior).

        Mentions are ``{relation: [subject indices, object indices]}``; statements
        ``[subject, kind, [[relation, object], ...], truth table as a 0/1 string, label]``.

        Example:
            >>> g = RelationGraph().add_relation("a", ["x", "y"])
            >>> ev = Evidence(g, ["Ann"]); ev.add_mention("Ann", "a", "y")
            >>> Evidence.from_dict(g, ev.to_dict()).fingerprint() == ev.fingerprint()
            True
        """
        return {
            "subjects": list(self.subjects), "eps": self.eps, "statement_noise": self.statement_noise,
            "reliability": None if self.reliability is None else list(self.reliability),
            "mentions": {r: [self.mentions(r)[0].tolist(), self.mentions(r)[1].tolist()]
                         for r in self.graph.relations if self.mentions(r)[0].size},
            "statements": [[st.subject, st.kind, [list(a) for a in st.atoms],
                            "".join("1" if t else "0" for t in st.table), st.label] for st in self.statements],
        }

    @classmethod
    def from_dict(cls, graph: RelationGraph, data: Mapping) -> Evidence:
        """Rebuild evidence written by :meth:`to_dict`; :class:`EvidenceError` names what is malformed."""
        try:
            ev = cls(graph, data["subjects"], eps=data["eps"], statement_noise=data["statement_noise"],
                     reliability=data.get("reliability"))
            for r, (subj, obj) in data["mentions"].items():
                ev.add_mention_arrays(r, subj, obj)
            for subject, kind, atoms, table, label in data["statements"]:
                ev.add_statement(Statement(subject, tuple(tuple(a) for a in atoms),
                                           tuple(c == "1" for c in table), bool(label), kind))
        except (KeyError, TypeError, ValueError) as err:
            if isinstance(err, EvidenceError):
                raise
            raise EvidenceError(f"not evidence in plain-data form: {type(err).__name__}: {err}") from None
        return ev

    def fingerprint(self) -> str:
        """sha256 of the evidence as a multiset (the order of mentions and statements does not matter):
        two evidences with the same fingerprint give the same posterior.

        Example:
            >>> g = RelationGraph().add_relation("a", ["x", "y"])
            >>> e1, e2 = Evidence(g, ["Ann", "Bo"]), Evidence(g, ["Ann", "Bo"])
            >>> e1.add_mention("Ann", "a", "x"); e1.add_mention("Bo", "a", "y")
            >>> e2.add_mention("Bo", "a", "y"); e2.add_mention("Ann", "a", "x")
            >>> e1.fingerprint() == e2.fingerprint()
            True
        """
        h = hashlib.sha256()
        head = {"graph": self.graph.to_json(), "subjects": list(self.subjects), "eps": self.eps,
                "statement_noise": self.statement_noise,
                "reliability": None if self.reliability is None else list(self.reliability)}
        h.update(json.dumps(head, sort_keys=True).encode())
        for r in self.graph.relations:
            s, o = self.mentions(r)
            order = np.lexsort((o, s))
            h.update(r.encode() + b"\0" + np.ascontiguousarray(np.stack([s[order], o[order]])).tobytes())
        rows = sorted(json.dumps([st.subject, st.kind, st.atoms, st.table, st.label]) for st in self.statements)
        h.update("\n".join(rows).encode())
        return h.hexdigest()

    def copy(self) -> Evidence:
        """An independent copy (mention arrays are shared read-only; lists are copied)."""
        new = Evidence(self.graph, self.subjects, self.eps, self.statement_noise, [], self.reliability)
        new.statements = list(self.statements)  # checked when they were added, against the same graph
        for r in self.graph.relations:
            s, o = self.mentions(r)
            if s.size:
                new._mention_chunks[r] = [(s, o)]
        return new

    # -- likelihoods ---------------------------------------------------------------------------
    def mention_counts(self, relation: str) -> tuple[np.ndarray, np.ndarray]:
        """((S, K) mentions of each object, (S,) mentions in all) of ``relation`` for every subject (computed
        once per relation and kept until a mention of it is added; do not modify the arrays)."""
        if relation not in self._counts:
            k = self.graph.size_of(relation)
            s, o = self.mentions(relation)
            counts = np.zeros((len(self.subjects), k))
            np.add.at(counts, (s, o), 1.0)
            self._counts[relation] = (counts, np.bincount(s, minlength=len(self.subjects)).astype(float))
        return self._counts[relation]

    def expected_reliability(self, relation: str) -> np.ndarray:
        """(S, K): the chance that one more mention of (s, relation) states k if x[s, relation] = k, given the
        fact's mentions so far (``1 - eps`` for the fixed channel; with a per-fact reliability, the posterior
        mean of rho given x = k). Computed once per relation, kept until a mention of it is added."""
        key = ("reliability", relation)
        if key not in self._counts:
            k = self.graph.size_of(relation)
            counts, n = self.mention_counts(relation)
            if self.reliability is None or k == 1:
                self._counts[key] = np.full(counts.shape, 1.0 - self.eps if k > 1 else 1.0)
            else:  # one more mention stating k, over the mentions so far
                self._counts[key] = np.exp(self.channel_log_likelihood(k, counts + 1, n[:, None] + 1)
                                           - self.channel_log_likelihood(k, counts, n[:, None]))
        return self._counts[key]

    def mention_log_likelihood(self, relation: str) -> np.ndarray:
        """(S, K) log P(all mentions of (s, relation) | x[s, relation] = k)."""
        counts, n = self.mention_counts(relation)
        return self.channel_log_likelihood(self.graph.size_of(relation), counts, n[:, None])

    def channel_log_likelihood(self, k: int, counts, total) -> np.ndarray:
        """log P(``total`` mentions of a fact, ``counts`` of them stating k | x = k), for a relation of
        ``k`` objects, elementwise over arrays of counts and totals (the mention model of this evidence).

        Example:
            >>> g = RelationGraph().add_relation("a", ["x", "y", "z"])
            >>> ev = Evidence(g, ["Ann"], eps=0.2)
            >>> float(np.exp(ev.channel_log_likelihood(3, 1, 2)))  # one mention right, one wrong
            0.08000000000000002
        """
        counts, total = np.broadcast_arrays(np.asarray(counts, float), np.asarray(total, float))
        if k == 1:
            return np.zeros(counts.shape)
        wrong = total - counts
        if self.reliability is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                if self.eps == 0.0:  # a mention is certain: every other object is impossible
                    return np.where(wrong == 0, 0.0, -np.inf)
                return counts * np.log1p(-self.eps) + wrong * np.log(self.eps / (k - 1))
        return -wrong * np.log(k - 1) + _log_beta_integral(counts, wrong, *self.reliability)

    @property
    def channel(self) -> dict:
        """The mention model as plain data: ``{"eps": ...}`` or ``{"reliability": [lo, hi]}``."""
        return {"eps": self.eps} if self.reliability is None else {"reliability": list(self.reliability)}

    def statement_log_likelihood(self, statement: Statement, values: Iterable[dict[str, str]]) -> np.ndarray:
        """log P(label | x) of one statement for each assignment in ``values``."""
        with np.errstate(divide="ignore"):
            good, bad = np.log1p(-self.statement_noise), np.log(self.statement_noise)
        return np.array([good if statement.holds(v) == statement.label else bad for v in values])

    def statement_class_log_likelihood(self, statement: Statement, classes: dict[str, Sequence[str | None]]
                                       ) -> np.ndarray:
        """Log-likelihood table over value classes: ``classes[r]`` lists objects (``None`` = any other object).

        Returns an array with one axis per relation in ``classes`` (in its order).
        """
        rels = list(classes)
        shape = tuple(len(classes[r]) for r in rels)
        vals = [dict(zip(rels, combo)) for combo in product(*(classes[r] for r in rels))]
        return self.statement_log_likelihood(statement, vals).reshape(shape)


def check_reliability(reliability) -> tuple[float, float] | None:
    """``None`` or a validated ``(lo, hi)`` with 0 <= lo < hi <= 1 (as floats)."""
    if reliability is None:
        return None
    ok = (isinstance(reliability, (tuple, list)) and len(reliability) == 2
          and all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in reliability))
    if ok:
        lo, hi = float(reliability[0]), float(reliability[1])
        ok = 0.0 <= lo < hi <= 1.0
    if not ok:
        raise EvidenceError(f"reliability must be None or (lo, hi) with 0 <= lo < hi <= 1, got {reliability!r}")
    return lo, hi


def _log_beta_integral(c: np.ndarray, w: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """log of (1 / (hi - lo)) * integral_lo^hi rho^c (1 - rho)^w d rho, elementwise (c, w >= 0 integers).

    The integrand is a polynomial of degree c + w, so Gauss-Legendre quadrature with (c + w) // 2 + 1
    nodes is exact; its terms are positive, so the log-sum-exp loses nothing to cancellation.
    """
    if c.size == 0:
        return np.empty(c.shape)
    if np.any(c != np.round(c)) or np.any(w != np.round(w)) or np.any(c < 0) or np.any(w < 0):
        raise EvidenceError("mention counts under a reliability model must be non-negative integers")
    ci, wi = c.astype(np.int64), w.astype(np.int64)
    top_c, top_w = int(ci.max()), int(wi.max())
    m = (top_c + top_w) // 2 + 1
    x, wt = np.polynomial.legendre.leggauss(m)
    rho = lo + (hi - lo) * (x + 1) / 2  # nodes in (lo, hi); the weights sum to 2, so the mean uses wt / 2
    with np.errstate(divide="ignore"):
        log_terms = (np.arange(top_c + 1)[:, None, None] * np.log(rho) + np.arange(top_w + 1)[None, :, None]
                     * np.log1p(-rho) + np.log(wt / 2))  # (C, W, m): a table over every (count, other) pair
    peak = log_terms.max(axis=-1, keepdims=True)
    table = (peak + np.log(np.exp(log_terms - peak).sum(axis=-1, keepdims=True)))[..., 0]
    return table[ci, wi]
    if np.any(c != np.round(c)) or np.any(w != np.round(w)) or np.any(c < 0) or np.any(w < 0):
        raise EvidenceError("mention counts under a reliability model must be non-negative integers")
    pairs, inverse = np.unique(np.stack([c.ravel(), w.ravel()], axis=1), axis=0, return_inverse=True)
    m = int(pairs.sum(axis=1).max()) // 2 + 1
    x, wt = np.polynomial.legendre.leggauss(m)
    rho = lo + (hi - lo) * (x + 1) / 2  # nodes in (lo, hi); weights sum to 2 -> mean needs wt / 2
    with np.errstate(divide="ignore"):
        log_terms = (pairs[:, :1] * np.log(rho)[None] + pairs[:, 1:] * np.log1p(-rho)[None]
                     + np.log(wt / 2)[None])
    top = log_terms.max(axis=1, keepdims=True)
    values = (top + np.log(np.exp(log_terms - top).sum(axis=1, keepdims=True)))[:, 0]
    out.ravel()[:] = values[inverse.ravel()]
    return out
