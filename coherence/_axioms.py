"""Probability-axiom checks over a list of sentences and a probability function.

From the base sentences the checks derive the sentences they need, ask the
probability function once for every distinct one (a single call when it is
batched), and measure each law's violation as a non-negative size.

Derived per base sentence A: ``not A``, ``A or (not A)``, ``A and (not A)``.
Derived per pair (A, B): ``A and B``, ``B and A``, ``A or B``, ``B or A``,
``if A then B``, ``(not A) or B``. By default the pairs are consecutive
sentences of the list, ``(s[0], s[1]), (s[1], s[2]), ...``; pass ``pairs`` to
choose others. The optional ``conditional`` check asks, per pair, the agent's
P(B | A told) (A stated to it, e.g. in its context), and compares it with
``P(A and B) / P(A)`` from the same sentence probabilities.

Logical facts about A and B (does A entail B, is A and B a contradiction, ...)
are decided exactly under the background knowledge, cached per shape (see
:mod:`coherence._logic`). When A and B share no (subject, relation), their atoms
and background constraints are disjoint, so the pair's facts follow exactly from
each sentence's own: A entails B iff A is a contradiction or B a tautology,
``A and B`` is a contradiction iff one of them is, ``A or B`` a tautology iff
one of them is. Only pairs that share a (subject, relation) need a decision of
their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._logic import _AND, _NOT, _OR, Domains, _DomainIndex, _domain_index, _shape, _unsat_key
from ._probs import as_probabilities
from ._sentence import And, Implies, Not, Or, Sentence, render

__all__ = [
    "axiom_queries", "CheckResult", "CoherenceReport", "check_axioms", "AXIOMS", "CONDITIONAL_FLOOR",
    "INDEPENDENCE_CHECKS"]

CONDITIONAL_FLOOR = 1e-6
"""The ``conditional`` check skips a pair (A, B) whose P(A) is below this (and counts it as skipped):
P(A and B) / P(A) is then a ratio of two round-off-sized numbers, not a belief to compare with."""

AXIOMS: dict[str, str] = {
    "negation": "P(not A) = 1 - P(A)",
    "inclusion_exclusion": "P(A or B) = P(A) + P(B) - P(A and B)",
    "commutation_and": "P(A and B) = P(B and A)",
    "commutation_or": "P(A or B) = P(B or A)",
    "implication": "P(if A then B) = P((not A) or B)",
    "frechet_and": "max(0, P(A) + P(B) - 1) <= P(A and B) <= min(P(A), P(B))",
    "frechet_or": "max(P(A), P(B)) <= P(A or B) <= min(1, P(A) + P(B))",
    "monotonicity": "A entails B  =>  P(A) <= P(B)",
    "equivalence": "A equivalent to B  =>  P(A) = P(B)",
    "tautology": "P(A) = 1 for a tautology A",
    "contradiction": "P(A) = 0 for a contradiction A",
    "true_false": 'P(true | "A" is) = P(A)',
    "conditional": "P(B | A told) = P(A and B) / P(A), where P(A) >= 1e-6",
}
"""Check name -> the law it measures (``true_false`` runs only with ``truth_prob``, ``conditional`` only
with ``conditional``)."""

INDEPENDENCE_CHECKS: dict[str, str] = {
    "independence_and": "P(A and B) = P(A) P(B)",
    "independence_or": "P(A or B) = P(A) + P(B) - P(A) P(B)",
}
"""The seed paper's independence-based checks: NOT rationality axioms, since dependent facts break them."""

INDEPENDENCE_NOTE = "assumes independent facts: NOT a rationality axiom"

# Only violations above this are listed as "worst": an exact agent's sums differ
# from the law by round-off (~1e-16), which is not worth a reader's attention.
_LISTED_ABOVE = 1e-12


@dataclass(frozen=True)
class CheckResult:
    """The violations of one law.

    Attributes:
        name: the check's name, e.g. ``"negation"``.
        law: the law, e.g. ``"P(not A) = 1 - P(A)"``.
        count: how many instances were checked.
        mean_violation: mean violation size (0.0 when ``count`` is 0).
        max_violation: largest violation size (0.0 when ``count`` is 0).
        worst: up to k ``(text, violation)`` pairs, worst first, of the violations
            above 1e-12 (smaller ones are floating-point round-off).
        is_axiom: False for the independence checks, which are not rationality axioms.
        violations: every instance's violation, in derivation order.
        skipped: instances left unmeasured (``conditional``: pairs with P(A) below
            :data:`CONDITIONAL_FLOOR`).
    """

    name: str
    law: str
    count: int
    mean_violation: float
    max_violation: float
    worst: tuple[tuple[str, float], ...]
    is_axiom: bool = True
    violations: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)
    skipped: int = 0

    @property
    def label(self) -> str:
        """The name, with a warning attached for the checks that are not axioms."""
        return self.name if self.is_axiom else f"{self.name} ({INDEPENDENCE_NOTE})"

    def to_dict(self) -> dict:
        """A JSON-ready dict (without the per-instance violations)."""
        return {
            "name": self.name,
            "label": self.label,
            "law": self.law,
            "is_axiom": self.is_axiom,
            "count": self.count,
            "skipped": self.skipped,
            "mean_violation": self.mean_violation,
            "max_violation": self.max_violation,
            "worst": [{"text": text, "violation": v} for text, v in self.worst],
        }


@dataclass(frozen=True)
class CoherenceReport:
    """Every check's result, in a fixed order.

    Attributes:
        checks: check name -> :class:`CheckResult`.
        n_sentences: distinct base sentences.
        n_pairs: distinct pairs of base sentences.
        n_queries: distinct sentences whose probability was asked.
    """

    checks: Mapping[str, CheckResult]
    n_sentences: int
    n_pairs: int
    n_queries: int

    def __getitem__(self, name: str) -> CheckResult:
        return self.checks[name]

    @property
    def max_violation(self) -> float:
        """The largest violation over the axiom checks (the independence checks excluded)."""
        return max((c.max_violation for c in self.checks.values() if c.is_axiom), default=0.0)

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {
            "n_sentences": self.n_sentences,
            "n_pairs": self.n_pairs,
            "n_queries": self.n_queries,
            "max_violation": self.max_violation,
            "checks": {name: check.to_dict() for name, check in self.checks.items()},
        }

    def __str__(self) -> str:
        width = max(len(name) for name in self.checks) + 2 if self.checks else 10
        lines = [
            f"coherence report: {self.n_sentences} sentences, {self.n_pairs} pairs, "
            f"{self.n_queries} probabilities asked",
            f"{'check':<{width}} {'count':>7} {'mean viol':>10} {'max viol':>10}  worst",
        ]
        for check in self.checks.values():
            name = check.name if check.is_axiom else f"{check.name} *"
            worst = check.worst[0][0] if check.worst else "-"
            if len(worst) > 70:
                worst = worst[:67] + "..."
            lines.append(
                f"{name:<{width}} {check.count:>7} {check.mean_violation:>10.3g} "
                f"{check.max_violation:>10.3g}  {worst}"
            )
        if any(not c.is_axiom for c in self.checks.values()):
            lines.append(f"* {INDEPENDENCE_NOTE}")
        for check in self.checks.values():
            if check.skipped:
                lines.append(f"{check.name}: {check.skipped} skipped (P(A) < {CONDITIONAL_FLOOR:g})")
        return "\n".join(lines)


class _Queries:
    """The distinct sentences to ask about, each with its position."""

    def __init__(self) -> None:
        self.position: dict[Sentence, int] = {}
        self.order: list[Sentence] = []

    def __call__(self, sentence: Sentence) -> int:
        found = self.position.get(sentence)
        if found is None:
            found = self.position[sentence] = len(self.order)
            self.order.append(sentence)
        return found


def _result(
    name: str,
    law: str,
    violations: np.ndarray,
    describe: Callable[[int], str],
    worst_k: int,
    is_axiom: bool = True,
    skipped: int = 0,
) -> CheckResult:
    violations = np.asarray(violations, dtype=float)
    count = int(violations.size)
    if count == 0:
        return CheckResult(name, law, 0, 0.0, 0.0, (), is_axiom, violations, skipped)
    top = np.argsort(-violations, kind="stable")[:worst_k]
    worst = tuple((describe(int(i)), float(violations[i])) for i in top if violations[i] > _LISTED_ABOVE)
    return CheckResult(
        name, law, count, float(violations.mean()), float(violations.max()), worst, is_axiom, violations, skipped
    )


def _outside(value: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Distance of ``value`` from the interval [low, high] (0 inside)."""
    return np.maximum(0.0, np.maximum(low - value, value - high))


_PAIR_SENTENCES = ("a", "b", "a_and_b", "b_and_a", "a_or_b", "b_or_a", "if_a_then_b", "not_a_or_b")


@dataclass
class _Derived:
    """The sentences to ask about, as positions in ``queries.order``.

    Per base sentence A: ``a``, ``not_a``, ``a_or_not_a``, ``a_and_not_a``; per
    pair (A, B): ``pair[name]`` for each name in :data:`_PAIR_SENTENCES`.
    """

    queries: _Queries
    a: np.ndarray
    not_a: np.ndarray
    a_or_not_a: np.ndarray
    a_and_not_a: np.ndarray
    pair: dict[str, np.ndarray]


def _derive(bases: list[Sentence], pair_ids: list[tuple[int, int]]) -> _Derived:
    ask = _Queries()
    a = np.array([ask(s) for s in bases], dtype=int)
    not_a = np.array([ask(Not(s)) for s in bases], dtype=int)
    a_or_not_a = np.array([ask(Or(s, Not(s))) for s in bases], dtype=int)
    a_and_not_a = np.array([ask(And(s, Not(s))) for s in bases], dtype=int)
    rows = np.zeros((len(pair_ids), len(_PAIR_SENTENCES)), dtype=int)
    for n, (ka, kb) in enumerate(pair_ids):
        x, y = bases[ka], bases[kb]
        rows[n] = (
            a[ka],
            a[kb],
            ask(And(x, y)),
            ask(And(y, x)),
            ask(Or(x, y)),
            ask(Or(y, x)),
            ask(Implies(x, y)),
            ask(Or(Not(x), y)),
        )
    pair = {name: rows[:, col] for col, name in enumerate(_PAIR_SENTENCES)}
    return _Derived(ask, a, not_a, a_or_not_a, a_and_not_a, pair)


@dataclass
class _Facts:
    """Logical facts about the asked sentences, as positions in the query order."""

    entailments: np.ndarray  # (k, 2): row (x, y) means x entails y
    equivalences: np.ndarray  # (k, 2): row (x, y) means x is equivalent to y
    tautologies: np.ndarray
    contradictions: np.ndarray


def _logical_facts(
    bases: list[Sentence], pair_ids: list[tuple[int, int]], derived: _Derived, index: _DomainIndex | None
) -> _Facts:
    shapes = [_shape(s, index) for s in bases]
    unsat = [_unsat_key(shape.key) for shape in shapes]
    valid = [_unsat_key(((_NOT, shape.skeleton),) + shape.key[1:]) for shape in shapes]
    tautologies = set(derived.a_or_not_a.tolist())
    contradictions = set(derived.a_and_not_a.tolist())
    for k in range(len(bases)):
        if valid[k]:
            tautologies.add(int(derived.a[k]))
            contradictions.add(int(derived.not_a[k]))
        if unsat[k]:
            contradictions.add(int(derived.a[k]))
            tautologies.add(int(derived.not_a[k]))
    entailments: dict[tuple[int, int], None] = {}
    equivalences: dict[tuple[int, int], None] = {}

    def entail(x: int, y: int) -> None:
        if x != y:
            entailments.setdefault((x, y), None)

    def equate(x: int, y: int) -> None:
        if x != y:
            equivalences.setdefault((min(x, y), max(x, y)), None)

    for n, (ka, kb) in enumerate(pair_ids):
        if set(shapes[ka].groups).isdisjoint(shapes[kb].groups):
            # Disjoint atoms and background constraints (see the module docstring).
            a_entails_b = unsat[ka] or valid[kb]
            b_entails_a = unsat[kb] or valid[ka]
            and_unsat = unsat[ka] or unsat[kb]
            or_valid = valid[ka] or valid[kb]
        else:
            together = _shape(And(bases[ka], bases[kb]), index)  # one atom numbering for both
            _, sa, sb = together.skeleton
            rest = together.key[1:]
            a_entails_b = _unsat_key(((_AND, sa, (_NOT, sb)),) + rest)
            b_entails_a = _unsat_key(((_AND, sb, (_NOT, sa)),) + rest)
            and_unsat = _unsat_key(((_AND, sa, sb),) + rest)
            or_valid = _unsat_key(((_NOT, (_OR, sa, sb)),) + rest)
        qa, qb, qab, qba, qor, qbor, qif, qnor = (int(derived.pair[name][n]) for name in _PAIR_SENTENCES)
        # Entailments every pair has.
        for x, y in ((qab, qa), (qab, qb), (qa, qor), (qb, qor), (int(derived.not_a[ka]), qif), (qb, qif)):
            entail(x, y)
        if a_entails_b:
            entail(qa, qb)
            equate(qab, qa)
            equate(qor, qb)
            tautologies.update((qif, qnor))
        if b_entails_a:
            entail(qb, qa)
            equate(qab, qb)
            equate(qor, qa)
        if a_entails_b and b_entails_a:
            equate(qa, qb)
        if and_unsat:
            contradictions.update((qab, qba))
        if or_valid:
            tautologies.update((qor, qbor))
        if valid[ka] and valid[kb]:
            tautologies.update((qab, qba))
        if unsat[ka] and unsat[kb]:
            contradictions.update((qor, qbor))
        if valid[ka] and unsat[kb]:
            contradictions.update((qif, qnor))
    return _Facts(
        np.array(list(entailments), dtype=int).reshape(-1, 2),
        np.array(list(equivalences), dtype=int).reshape(-1, 2),
        np.array(sorted(tautologies), dtype=int),
        np.array(sorted(contradictions), dtype=int),
    )


def _measure(p: np.ndarray, derived: _Derived, facts: _Facts, worst_k: int) -> dict[str, CheckResult]:
    """Every axiom check's violations, given the probabilities ``p`` in query order."""
    order = derived.queries.order

    def text(i) -> str:
        return render(order[int(i)])

    def at(positions: np.ndarray) -> Callable[[int], str]:
        return lambda i: text(positions[i])

    def between(rows: np.ndarray, verb: str) -> Callable[[int], str]:
        return lambda i: f"[{text(rows[i, 0])}] {verb} [{text(rows[i, 1])}]"

    q = derived.pair
    pa, pb = p[q["a"]], p[q["b"]]
    pab, pba, por, pbor = p[q["a_and_b"]], p[q["b_and_a"]], p[q["a_or_b"]], p[q["b_or_a"]]
    ent, eqv = facts.entailments, facts.equivalences
    measured = [
        ("negation", np.abs(p[derived.not_a] - (1.0 - p[derived.a])), at(derived.not_a)),
        ("inclusion_exclusion", np.abs(por - (pa + pb - pab)), at(q["a_or_b"])),
        ("commutation_and", np.abs(pab - pba), at(q["a_and_b"])),
        ("commutation_or", np.abs(por - pbor), at(q["a_or_b"])),
        ("implication", np.abs(p[q["if_a_then_b"]] - p[q["not_a_or_b"]]), at(q["if_a_then_b"])),
        ("frechet_and", _outside(pab, np.maximum(0.0, pa + pb - 1.0), np.minimum(pa, pb)), at(q["a_and_b"])),
        ("frechet_or", _outside(por, np.maximum(pa, pb), np.minimum(1.0, pa + pb)), at(q["a_or_b"])),
        ("monotonicity", p[ent[:, 0]] - p[ent[:, 1]], between(ent, "entails")),
        ("equivalence", np.abs(p[eqv[:, 0]] - p[eqv[:, 1]]), between(eqv, "equivalent to")),
        ("tautology", 1.0 - p[facts.tautologies], at(facts.tautologies)),
        ("contradiction", p[facts.contradictions], at(facts.contradictions)),
    ]
    # Clip at 0: one-sided laws, and values a hair outside [0, 1] (accepted round-off).
    return {
        name: _result(name, AXIOMS[name], np.maximum(violations, 0.0), describe, worst_k)
        for name, violations, describe in measured
    }


def _conditional(
    p: np.ndarray,
    bases: list[Sentence],
    pair_ids: list[tuple[int, int]],
    derived: _Derived,
    conditional: Callable[[Sentence, Sentence], float] | None,
    conditional_many: Callable[[list[tuple[Sentence, Sentence]]], Sequence[float]] | None,
    worst_k: int,
) -> CheckResult:
    """|P(B | A told) - P(A and B) / P(A)| per pair with P(A) >= CONDITIONAL_FLOOR; the others skipped."""
    pa, pab = p[derived.pair["a"]], p[derived.pair["a_and_b"]]
    kept = np.flatnonzero(pa >= CONDITIONAL_FLOOR)
    asked = [(bases[pair_ids[n][0]], bases[pair_ids[n][1]]) for n in kept]

    def describe(i: int) -> str:
        a, b = asked[i]
        return f"[{render(b)}] given [{render(a)}] told"

    if conditional_many is not None:
        told = conditional_many(list(asked)) if asked else []
    else:
        told = [conditional(a, b) for a, b in asked]
    told = as_probabilities(told, len(asked), describe, "conditional")
    violations = np.abs(told - pab[kept] / pa[kept])
    return _result("conditional", AXIOMS["conditional"], violations, describe, worst_k,
                   skipped=len(pair_ids) - len(asked))


def axiom_queries(sentences: Iterable[Sentence], pairs: Iterable[tuple[int, int]] | None = None) -> list[Sentence]:
    """The distinct sentences :func:`check_axioms` asks ``prob_many`` about, in the order it asks.

    Lets a caller compute the probabilities of many sentence sets in one batch (say, for many edited
    models at once) and then run the checks with a lookup.

    Example:
        >>> from coherence import Atom, render
        >>> a, b = Atom("Chad", "currency", "franc"), Atom("Chad", "currency", "euro")
        >>> [render(s) for s in axiom_queries([a, b])][:3]
        ['Chad currency franc', 'Chad currency euro', 'not Chad currency franc']
    """
    bases, pair_ids = _bases_and_pairs(list(sentences), pairs)
    return list(_derive(bases, pair_ids).queries.order)


def _bases_and_pairs(given: list[Sentence], pairs) -> tuple[list[Sentence], list[tuple[int, int]]]:
    """The distinct base sentences, and the pairs (consecutive by default) as indices into them."""
    bases = list(dict.fromkeys(given))
    base_pos = {s: k for k, s in enumerate(bases)}
    if pairs is None:
        pair_list = [(k, k + 1) for k in range(len(given) - 1)]
    else:
        pair_list = [(int(i), int(j)) for i, j in pairs]
        for i, j in pair_list:
            if not (0 <= i < len(given) and 0 <= j < len(given)):
                raise ValueError(f"pair {(i, j)} is out of range for {len(given)} sentences")
    return bases, list(dict.fromkeys((base_pos[given[i]], base_pos[given[j]]) for i, j in pair_list))


def check_axioms(
    sentences: Iterable[Sentence],
    prob: Callable[[Sentence], float] | None = None,
    truth_prob: Callable[[Sentence], float] | None = None,
    domains: Domains | None = None,
    include_independence: bool = False,
    *,
    prob_many: Callable[[list[Sentence]], Sequence[float]] | None = None,
    truth_prob_many: Callable[[list[Sentence]], Sequence[float]] | None = None,
    conditional: Callable[[Sentence, Sentence], float] | None = None,
    conditional_many: Callable[[list[tuple[Sentence, Sentence]]], Sequence[float]] | None = None,
    pairs: Iterable[tuple[int, int]] | None = None,
    worst_k: int = 5,
) -> CoherenceReport:
    """Run every probability-axiom check over ``sentences`` and a probability function.

    Each check measures a violation size (0 for a coherent agent): ``negation``
    ``|P(not A) - (1 - P(A))|``; ``inclusion_exclusion``, ``commutation_and``,
    ``commutation_or`` and ``implication`` the absolute difference of the two sides;
    ``frechet_and``/``frechet_or`` the distance of ``P(A and B)``/``P(A or B)`` outside
    its Frechet bounds; ``monotonicity`` ``max(0, P(X) - P(Y))`` for X entailing Y;
    ``equivalence`` ``|P(X) - P(Y)|`` for equivalent X, Y; ``tautology`` ``1 - P``;
    ``contradiction`` ``P``; ``true_false`` ``|P(true | "A" is) - P(A)|``;
    ``conditional`` ``|P(B | A told) - P(A and B) / P(A)|`` per pair (A, B), with
    both sentence probabilities from ``prob``. Pairs with P(A) below
    :data:`CONDITIONAL_FLOOR` (1e-6) are skipped, never divided by, and counted in
    the check's ``skipped``; the ratio is not clipped, so an agent with
    P(A and B) > P(A) reads its excess too.

    Monotonicity covers the entailments every pair has (``A and B`` entails A and B;
    A and B entail ``A or B``; ``not A`` and B entail ``if A then B``), and A entails
    B or B entails A wherever that holds under the background knowledge.
    Equivalence covers A equivalent to B, and ``A and B`` equivalent to A (and
    ``A or B`` to B) when A entails B, and the mirror cases; the structural
    equivalences have their own checks (commutation, implication). Tautology and contradiction cover the derived ``A or (not A)``
    and ``A and (not A)``, and every asked sentence that is one (e.g.
    ``x r y and x r z``, two objects of one relation).

    Args:
        sentences: the base sentences (duplicates are checked once).
        prob: sentence -> probability. Not needed when ``prob_many`` is given.
        truth_prob: sentence A -> P(true | '"A" is'); enables the ``true_false`` check.
        domains: relation -> its objects; enables "exactly one object holds" where
            the atoms cover a domain (a :class:`Vocabulary` works too).
        include_independence: add the seed paper's independence checks, labelled as
            not being rationality axioms.
        prob_many: batched ``prob``: called once with every distinct sentence needed,
            returns their probabilities in order.
        truth_prob_many: batched ``truth_prob``, called once with the base sentences.
        conditional: ``(A, B)`` -> the agent's P(B | A told), its probability of B
            once A has been stated to it (in its context, or by an update); enables
            the ``conditional`` check on the pairs.
        conditional_many: batched ``conditional``: called once with the distinct
            pairs ``(A, B)`` that are not skipped (not at all if every pair is),
            returns their P(B | A told) in order.
        pairs: index pairs into ``sentences``; default consecutive pairs.
        worst_k: how many worst instances each check keeps.

    Returns:
        The :class:`CoherenceReport`.

    Raises:
        ValueError: if a probability (or a conditional) is NaN or outside [0, 1]
            (naming the sentence or pair), or an atom is not in ``domains``.

    Example:
        >>> from coherence import Atom, Not
        >>> a, b = Atom("Chad", "currency", "franc"), Atom("Chad", "currency", "euro")
        >>> table = {a: 0.7, Not(a): 0.4}
        >>> report = check_axioms([a, b], lambda s: table.get(s, 0.5))
        >>> round(report["negation"].max_violation, 12)  # |0.4 - (1 - 0.7)|
        0.1
        >>> contradictions = report["contradiction"]  # a and (not a), b and (not b), a and b, b and a
        >>> contradictions.count, contradictions.max_violation
        (4, 0.5)
        >>> report["contradiction"].worst[0]  # ties keep the order asked
        ('Chad currency franc and (not Chad currency franc)', 0.5)
        >>> told = check_axioms([a, b], lambda s: table.get(s, 0.5), conditional=lambda x, y: 0.2)
        >>> round(told["conditional"].max_violation, 12)  # |0.2 - P(a and b) / P(a)| = |0.2 - 0.5 / 0.7|
        0.514285714286
    """
    if prob is None and prob_many is None:
        raise TypeError("check_axioms needs prob or prob_many")
    if worst_k < 0:
        raise ValueError(f"worst_k must be >= 0, got {worst_k}")
    index = _domain_index(domains)
    bases, pair_ids = _bases_and_pairs(list(sentences), pairs)

    # 1. Derive the sentences each check needs; 2. decide their logical relations.
    derived = _derive(bases, pair_ids)
    facts = _logical_facts(bases, pair_ids, derived, index)  # also checks types and domains

    # 3. Ask for the probabilities, once per distinct sentence.
    order = derived.queries.order

    def describe_query(i: int) -> str:
        return render(order[i])

    if prob_many is not None:
        p = as_probabilities(prob_many(list(order)), len(order), describe_query)
    else:
        p = as_probabilities([prob(s) for s in order], len(order), describe_query)

    # 4. Measure each law.
    checks = _measure(p, derived, facts, worst_k)
    if truth_prob is not None or truth_prob_many is not None:

        def describe_base(k: int) -> str:
            return render(bases[k])

        if truth_prob_many is not None:
            t = as_probabilities(truth_prob_many(list(bases)), len(bases), describe_base, "truth_prob")
        else:
            t = as_probabilities([truth_prob(s) for s in bases], len(bases), describe_base, "truth_prob")
        checks["true_false"] = _result(
            "true_false", AXIOMS["true_false"], np.abs(t - p[derived.a]), describe_base, worst_k
        )
    if conditional is not None or conditional_many is not None:
        checks["conditional"] = _conditional(p, bases, pair_ids, derived, conditional, conditional_many, worst_k)
    if include_independence:
        pa, pb = p[derived.pair["a"]], p[derived.pair["b"]]
        pab, por = p[derived.pair["a_and_b"]], p[derived.pair["a_or_b"]]
        independence = {
            "independence_and": (np.abs(pab - pa * pb), derived.pair["a_and_b"]),
            "independence_or": (np.abs(por - (pa + pb - pa * pb)), derived.pair["a_or_b"]),
        }
        for name, (violations, positions) in independence.items():
            checks[name] = _result(
                name,
                INDEPENDENCE_CHECKS[name],
                violations,
                lambda i, positions=positions: render(order[int(positions[i])]),
                worst_k,
                is_axiom=False,
            )
    return CoherenceReport(checks, len(bases), len(pair_ids), len(order))
