"""Evidence about subjects: noisy mentions and labelled (connective) statements, and their encoding.

The likelihoods, exactly as the rational agent and the compiled NumPyro model use them:

* a **mention** of ``(s, r)`` states object ``o``: ``P(o | x[s, r] = k) = 1 - eps`` if ``o == k``, else
  ``eps / (K_r - 1)`` (the noisy channel; with ``K_r == 1`` the mention is certain);
* a **statement** is a Boolean formula over atoms ``x[s, r] == o`` of one subject with a true/false label:
  ``P(label | x) = 1 - statement_noise`` if the formula's truth value under ``x`` equals the label,
  else ``statement_noise``.

Cost model: a statement is a likelihood factor over the relations its atoms mention. Only statements over
one relation, or over a parent -> child pair of the graph, are accepted as evidence, so a subject's factor
graph stays the moralised dependency graph and exact inference costs what it costs without statements
(O(S * sum_r K_r * prod_{p in pa(r)} K_p)). Anything else raises :class:`EvidenceError` at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
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
        eps: mention noise rate in [0, 1).
        statement_noise: probability that a statement's label is wrong, in [0, 0.5).

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
        self._mention_chunks: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
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

    def add_mention(self, subject: str, relation: str, obj: str, count: int = 1) -> None:
        """Record ``count`` mentions stating ``subject relation obj``."""
        if count < 0:
            raise EvidenceError(f"mention count must be non-negative, got {count}")
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

    def copy(self) -> Evidence:
        """An independent copy (mention arrays are shared read-only; lists are copied)."""
        new = Evidence(self.graph, self.subjects, self.eps, self.statement_noise, list(self.statements))
        for r in self.graph.relations:
            s, o = self.mentions(r)
            if s.size:
                new._mention_chunks[r] = [(s, o)]
        return new

    # -- likelihoods ---------------------------------------------------------------------------
    def mention_log_likelihood(self, relation: str) -> np.ndarray:
        """(S, K) log P(all mentions of (s, relation) | x[s, relation] = k)."""
        k = self.graph.size_of(relation)
        out = np.zeros((len(self.subjects), k))
        s, o = self.mentions(relation)
        if s.size == 0 or k == 1:
            return out
        with np.errstate(divide="ignore"):
            log_hit, log_miss = np.log1p(-self.eps), np.log(self.eps / (k - 1))
        n_per_subject = np.bincount(s, minlength=len(self.subjects)).astype(float)
        counts = np.zeros((len(self.subjects), k))
        np.add.at(counts, (s, o), 1.0)
        if self.eps == 0.0:  # a mention is certain: every other object is impossible
            return np.where(counts == n_per_subject[:, None], 0.0, -np.inf)
        out += n_per_subject[:, None] * log_miss + counts * (log_hit - log_miss)
        return out

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
