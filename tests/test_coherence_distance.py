"""Coherence distance: known incoherent sets give the distances worked out by hand."""

import numpy as np
import pytest

from coherence import And, Atom, Implies, Not, Or, coherence_distance

A = Atom("ball", "colour", "red")
B = Atom("ball", "size", "big")  # another relation: no background link to A
A2 = Atom("ball", "colour", "blue")  # same subject and relation as A: excludes it
A3 = Atom("ball", "colour", "green")
DOMAINS = {"colour": ["red", "blue", "green"], "size": ["big", "small"]}

# The LP is solved by HiGHS's dual simplex with feasibility tolerances of 1e-10;
# its vertex solutions are exact up to round-off, so 1e-9 is ample.
TOL = 1e-9

CASES = [
    # (id, sentences, stated probabilities, domains, L1 distance, L-infinity distance)
    # P(A) = x, P(not A) = 1 - x. L1 = |x - .7| + |x - .5| >= .2, reached for x in [.5, .7];
    # Linf = max(|x - .7|, |x - .5|) >= .1, reached at x = .6.
    ("negation", [A, Not(A)], [0.7, 0.5], None, 0.2, 0.1),
    # A, A2 exclusive: need P(A) + P(A2) <= 1 and P(A and A2) = 0 (already). Removing
    # .2 of total mass: L1 = .2; split evenly, (.5, .5, 0): Linf = .1.
    ("exclusive", [A, A2, And(A, A2)], [0.6, 0.6, 0.0], None, 0.2, 0.1),
    # The same numbers for independent-looking facts (other relation): the only
    # constraint is Frechet, P(A and B) >= P(A) + P(B) - 1 = .2. L1: move .2 in total.
    # Linf: (.6 - t, .6 - t, t) with t >= 1.2 - 2t - 1, so t = .2 / 3.
    ("frechet", [A, B, And(A, B)], [0.6, 0.6, 0.0], None, 0.2, 0.2 / 3),
    # The three colours cover the domain, so they sum to 1: .5 + .3 + .1 = .9 is .1 short;
    # L1 = .1, Linf = .1 / 3 (each up by 1/30).
    ("exhaustive", [A, A2, A3], [0.5, 0.3, 0.1], DOMAINS, 0.1, 0.1 / 3),
    # Without the domain, any sum <= 1 is fine.
    ("exhaustive_unknown", [A, A2, A3], [0.5, 0.3, 0.1], None, 0.0, 0.0),
    # Monotonicity: P(A and B) = .5 > P(A) = .3. Meet in the middle: L1 = .2, Linf = .1.
    ("monotonicity", [And(A, B), A], [0.5, 0.3], None, 0.2, 0.1),
    # A tautology stated at .8: L1 = Linf = .2.
    ("tautology", [Or(A, Not(A))], [0.8], None, 0.2, 0.2),
    # Exclusive colours make "A and A2" a contradiction: L1 = Linf = .3.
    ("contradiction", [And(A, A2)], [0.3], None, 0.3, 0.3),
    # One sentence stated twice: .2 and .6 must meet: L1 = .4, Linf = .2.
    ("repeat", [A, A], [0.2, 0.6], None, 0.4, 0.2),
    # Inclusion-exclusion: P(A) + P(B) - P(A and B) = .8 but P(A or B) = .9. The residual
    # (a + b - c) - d = -.1 has coefficients of size 1, so L1 = .1; Linf moves all four by
    # t = .1 / 4 = .025: (.525, .525, .175, .875), whose four cells .175, .35, .35, .125 are >= 0.
    ("inclusion_exclusion", [A, B, And(A, B), Or(A, B)], [0.5, 0.5, 0.2, 0.9], None, 0.1, 0.025),
    # if A then B is (not A) or B: P = 1 - P(A and not B). With P(A) = .5, P(A and not B) = .1,
    # P(if A then B) = .9 is coherent.
    ("implication_coherent", [A, And(A, Not(B)), Implies(A, B)], [0.5, 0.1, 0.9], None, 0.0, 0.0),
]


@pytest.mark.parametrize("name, sentences, probs, domains, l1, linf", CASES, ids=[c[0] for c in CASES])
def test_known_distances(name, sentences, probs, domains, l1, linf):
    for norm, expected in (("l1", l1), ("linf", linf)):
        distance, nearest = coherence_distance(sentences, probs, norm=norm, domains=domains)
        assert distance == pytest.approx(expected, abs=TOL)
        gap = np.abs(nearest - np.asarray(probs))
        assert distance == pytest.approx(gap.sum() if norm == "l1" else gap.max(), abs=TOL)
        # The nearest probabilities are themselves coherent.
        again, _ = coherence_distance(sentences, nearest, norm=norm, domains=domains)
        assert again < TOL


def test_empty_set_is_coherent():
    distance, nearest = coherence_distance([], [])
    assert distance == 0.0 and nearest.shape == (0,)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"sentences": [A], "probs": [1.2]}, "not a probability"),
        ({"sentences": [A], "probs": [float("nan")]}, "not a probability"),
        ({"sentences": [A, B], "probs": [0.5]}, "expected 2"),
        ({"sentences": [A], "probs": [0.5], "norm": "l2"}, "norm"),
        ({"sentences": [Atom("ball", "colour", "purple")], "probs": [0.5], "domains": DOMAINS}, "purple"),
        (
            {"sentences": [Atom(f"s{k}", "size", "big") for k in range(21)], "probs": [0.5] * 21},
            "max_atoms",
        ),
    ],
)
def test_errors(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        coherence_distance(**kwargs)
