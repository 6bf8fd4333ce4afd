"""Exact probability of a formula from a joint: closed forms worked out by hand."""

import numpy as np
import pytest

from coherence import And, Atom, Implies, Not, Or, formula_probabilities, formula_probability

DOMAINS = {"colour": ["red", "blue", "green"], "size": ["big", "small"]}
# P(colour, size) of the ball; rows red/blue/green, columns big/small.
BALL = np.array([[0.20, 0.10], [0.05, 0.25], [0.30, 0.10]])
CUBE = np.array([[0.10, 0.40], [0.20, 0.10], [0.15, 0.05]])
TABLES = {"ball": BALL, "cube": CUBE}


def joint(subject, relations):
    table = TABLES[subject]
    if relations == ("colour", "size"):
        return table
    if relations == ("size", "colour"):
        return table.T
    return table.sum(axis=1) if relations == ("colour",) else table.sum(axis=0)


RED, BLUE, BIG = Atom("ball", "colour", "red"), Atom("ball", "colour", "blue"), Atom("ball", "size", "big")
CUBE_RED = Atom("cube", "colour", "red")

# Sums of at most a dozen table entries: round-off ~1e-16, so 1e-12 is ample.
TOL = 1e-12

CASES = [
    # (sentence, probability, where it comes from)
    (RED, 0.30, "row red: .2 + .1"),
    (Not(RED), 0.70, "1 - .3"),
    (And(RED, BIG), 0.20, "cell (red, big)"),
    (Or(RED, BIG), 0.65, ".3 + P(big) .55 - .2"),
    (Implies(RED, BIG), 0.90, "1 - P(red, small) .1"),
    (And(RED, BLUE), 0.0, "one colour only"),
    (Or(RED, BLUE), 0.60, "red .3 + blue .3"),
    (Not(Or(RED, BLUE)), 0.40, "green: .3 + .1"),
    (And(Not(RED), Not(BIG)), 0.35, "(blue, small) .25 + (green, small) .1"),
    (And(RED, CUBE_RED), 0.15, "independent subjects: .3 * .5"),
    (Implies(CUBE_RED, And(RED, BIG)), 0.60, "1 - P(cube red) .5 * (1 - .2)"),
    (Or(And(RED, BIG), And(CUBE_RED, Not(BIG))), 0.425, "disjoint: .2 + .5 * P(not big) .45"),
]


@pytest.mark.parametrize("sentence, expected, why", CASES)
def test_closed_forms(sentence, expected, why):
    assert formula_probability(sentence, joint, DOMAINS) == pytest.approx(expected, abs=TOL)


def test_batch_matches_single_calls_and_asks_the_joint_once_per_key():
    asked = []

    def counting(subject, relations):
        asked.append((subject, relations))
        return joint(subject, relations)

    sentences = [s for s, _, _ in CASES]
    batch = formula_probabilities(sentences, counting, DOMAINS)
    assert np.allclose(batch, [formula_probability(s, joint, DOMAINS) for s in sentences], atol=TOL, rtol=0)
    assert len(asked) == len(set(asked))


@pytest.mark.parametrize(
    "bad_joint, fragment",
    [
        (lambda s, rels: np.ones(3) / 3, "shape"),  # size has 2 objects, colour 3: wrong shape
        (lambda s, rels: np.full([len(DOMAINS[r]) for r in rels], 1.0), "not a distribution"),
        (lambda s, rels: np.full([len(DOMAINS[r]) for r in rels], np.nan), "not a distribution"),
    ],
)
def test_bad_joints_are_rejected(bad_joint, fragment):
    with pytest.raises(ValueError, match=fragment):
        formula_probability(And(RED, BIG), bad_joint, DOMAINS)


def test_unknown_objects_and_missing_domains_are_rejected():
    with pytest.raises(ValueError, match="purple"):
        formula_probability(Atom("ball", "colour", "purple"), joint, DOMAINS)
    with pytest.raises(ValueError, match="weight"):
        formula_probability(Atom("ball", "weight", "heavy"), joint, DOMAINS)
    with pytest.raises(ValueError, match="domains"):
        formula_probability(RED, joint, None)


def test_huge_joints_are_refused_before_asking():
    domains = {f"r{k}": [f"o{i}" for i in range(100)] for k in range(4)}  # 100**4 = 1e8 cells
    sentence = And(And(Atom("x", "r0", "o0"), Atom("x", "r1", "o0")), And(Atom("x", "r2", "o0"), Atom("x", "r3", "o0")))

    def never(subject, relations):
        raise AssertionError("the joint must not be asked")

    with pytest.raises(ValueError, match="MAX_JOINT_CELLS"):
        formula_probability(sentence, never, domains)
