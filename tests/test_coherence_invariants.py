"""A rational agent, asked through the logic layer, violates no axiom and is coherent.

``assert_rational_invariants`` holds the invariants; any exact agent must pass
it. Here the agent is a stand-in: random small worlds (per subject, a random
joint over 1-3 relations with 2-4 objects each), with probabilities from
``formula_probability``. The same helper serves for the real rational agent.

Tolerance 1e-9: an exact agent's probabilities are sums of at most a few
hundred products of joint entries, whose floating-point error is ~1e-14; the LP
solver's vertex solutions are exact to round-off under feasibility tolerances of
1e-10. Anything above 1e-9 is a real incoherence, not rounding.
"""

import math
from dataclasses import dataclass
from itertools import product

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from coherence import (
    And,
    Atom,
    Implies,
    Not,
    Or,
    atoms,
    check_axioms,
    coherence_distance,
    evaluate,
    formula_probability,
)

TOL = 1e-9
SUBJECT_NAMES = ["Trinidad and Tobago", "E", "not applicable"]

RANDOM_WORLDS = settings(max_examples=30, derandomize=True, database=None, deadline=None)


def assert_rational_invariants(sentences, prob, domains, truth_prob=None, tol=TOL, max_distance_atoms=10):
    """Assert that ``prob`` is coherent on ``sentences``: every axiom check and the
    coherence distance are below ``tol``, with and without the domains known.

    Args:
        sentences: base sentences over the world's vocabulary.
        prob: sentence -> probability, from the agent under test.
        domains: relation -> objects of the world.
        truth_prob: sentence -> P(true | '"A" is'), if the agent answers that.
        tol: the largest violation tolerated.
        max_distance_atoms: the distance is checked on as many of the sentences
            (and of their pairwise compounds) as fit in this many atoms.

    Returns:
        The report of the checks with the domains known.
    """
    sentences = list(sentences)
    reports = [
        check_axioms(sentences, prob, truth_prob=truth_prob, domains=known, include_independence=True)
        for known in (domains, None)
    ]
    for report in reports:
        for check in report.checks.values():
            if check.is_axiom:
                assert check.max_violation < tol, f"{check.label}: {check.max_violation} at {check.worst}"
    compounds = [f(a, b) for a, b in zip(sentences, sentences[1:]) for f in (And, Or, Implies)]
    chosen, seen = [], set()
    for sentence in sentences + [Not(s) for s in sentences] + compounds:
        grown = seen | set(atoms(sentence))
        if len(grown) <= max_distance_atoms:
            chosen.append(sentence)
            seen = grown
    probs = [prob(s) for s in chosen]
    for known in (domains, None):
        for norm in ("l1", "linf"):
            distance, nearest = coherence_distance(chosen, probs, norm=norm, domains=known)
            assert distance < tol, f"{norm} coherence distance {distance} (domains known: {known is not None})"
            assert np.max(np.abs(nearest - probs), initial=0.0) < tol
    return reports[0]


@dataclass(frozen=True)
class World:
    """Per subject, an explicit joint table over all relations (axes in ``domains`` order)."""

    domains: dict
    tables: dict

    def joint(self, subject, relations):
        names = list(self.domains)
        axes = [names.index(r) for r in relations]
        table = self.tables[subject]
        marginal = table.sum(axis=tuple(k for k in range(table.ndim) if k not in axes))
        kept = sorted(axes)  # the marginal keeps its axes in table order
        return marginal.transpose([kept.index(a) for a in axes])

    def atoms(self):
        return [Atom(s, r, o) for s in self.tables for r, objs in self.domains.items() for o in objs]

    def prob(self, sentence):
        return formula_probability(sentence, self.joint, self.domains)


@st.composite
def worlds(draw):
    sizes = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    domains = {f"r{j}": [f"o{j}{k}" for k in range(size)] for j, size in enumerate(sizes)}
    tables = {}
    for subject in SUBJECT_NAMES[: draw(st.integers(1, 3))]:
        # Integer weights: some cells get probability exactly 0, the rest are dependent.
        weights = np.array(draw(st.lists(st.integers(0, 6), min_size=math.prod(sizes), max_size=math.prod(sizes))))
        if weights.sum() == 0:
            weights[:] = 1
        tables[subject] = (weights / weights.sum()).reshape(sizes)
    return World(domains, tables)


def formulas(leaves, max_leaves=4):
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            inner.map(Not),
            st.tuples(inner, inner).map(lambda t: And(*t)),
            st.tuples(inner, inner).map(lambda t: Or(*t)),
            st.tuples(inner, inner).map(lambda t: Implies(*t)),
        ),
        max_leaves=max_leaves,
    )


@st.composite
def worlds_with_sentences(draw, min_size=2, max_size=8):
    world = draw(worlds())
    sentences = draw(st.lists(formulas(st.sampled_from(world.atoms())), min_size=min_size, max_size=max_size))
    return world, sentences


@RANDOM_WORLDS
@given(worlds_with_sentences())
def test_exact_agent_violates_nothing_and_is_coherent(world_and_sentences):
    world, sentences = world_and_sentences
    assert_rational_invariants(sentences, world.prob, world.domains, truth_prob=world.prob)


def brute_probability(sentence, world):
    """Sum the joint over every combination of values of the sentence's (subject, relation)s."""
    atom_list = atoms(sentence)
    groups = list(dict.fromkeys((a.subject, a.relation) for a in atom_list))
    subjects = list(dict.fromkeys(s for s, _ in groups))
    total = 0.0
    for values in product(*(world.domains[r] for _, r in groups)):
        value = dict(zip(groups, values))
        if evaluate(sentence, {a: value[(a.subject, a.relation)] == a.obj for a in atom_list}):
            mass = 1.0
            for subject in subjects:
                rels = tuple(r for s, r in groups if s == subject)
                cell = tuple(world.domains[r].index(value[(subject, r)]) for r in rels)
                mass *= world.joint(subject, rels)[cell]
            total += mass
    return total


@RANDOM_WORLDS
@given(worlds_with_sentences(min_size=1, max_size=4))
def test_formula_probability_matches_brute_force(world_and_sentences):
    world, sentences = world_and_sentences
    for sentence in sentences + [And(a, b) for a, b in zip(sentences, sentences[1:])]:
        # At most 4**6 cells of products of 3 factors: round-off far below 1e-12.
        assert abs(world.prob(sentence) - brute_probability(sentence, world)) < 1e-12
