"""Axiom checks: each law's violation on probability tables with known flaws.

The baseline is an exact agent on one subject "x" with two dependent relations:

    P(r, s)      s=z   s=z2
    r=y          0.3   0.2
    r=y2         0.1   0.4

so P(a) = .5, P(b) = .4, P(a and b) = .3, P(a or b) = .6, P(if a then b) = .8,
for a = "x r y", b = "x s z" (and a2 = "x r y2" excludes a). Each case overrides
one or two probabilities and states the violation that must result.
"""

import json

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coherence import (
    AXIOMS,
    CONDITIONAL_FLOOR,
    And,
    Atom,
    Implies,
    Not,
    Or,
    check_axioms,
    evaluate,
    formula_probability,
    is_contradiction,
    is_tautology,
    render,
)
from coherence import atoms as atoms_of

DOMAINS = {"r": ["y", "y2"], "s": ["z", "z2"]}
TABLE = np.array([[0.3, 0.2], [0.1, 0.4]])
A, A2, B = Atom("x", "r", "y"), Atom("x", "r", "y2"), Atom("x", "s", "z")

# Sums of a handful of table entries: round-off is ~1e-16, so 1e-12 is ample.
TOL = 1e-12


MARGINALS = {("r", "s"): TABLE, ("s", "r"): TABLE.T, ("r",): TABLE.sum(axis=1), ("s",): TABLE.sum(axis=0)}


def joint(subject, relations):
    return MARGINALS[relations]


def exact(sentence):
    return formula_probability(sentence, joint, DOMAINS)


def flawed(overrides):
    return lambda sentence: overrides.get(sentence, exact(sentence))


def told(a, b):
    """The exact agent told A: P(B) under TABLE conditioned on A (the cells where A is false set to 0,
    the rest renormalised), not through the ratio the check compares it with."""
    rows, cols = DOMAINS["r"], DOMAINS["s"]
    truth = [[{atom: (y if atom.relation == "r" else z) == atom.obj for atom in atoms_of(a)} for z in cols]
             for y in rows]
    mask = np.array([[evaluate(a, truth[i][j]) for j in range(len(cols))] for i in range(len(rows))])
    given = TABLE * mask / (TABLE * mask).sum()
    tables = {("r", "s"): given, ("s", "r"): given.T, ("r",): given.sum(axis=1), ("s",): given.sum(axis=0)}
    return formula_probability(b, lambda subject, relations: tables[relations], DOMAINS)


CASES = [
    # (id, sentences, overrides, domains, check, expected max violation)
    ("negation", [A, B], {Not(A): 0.6}, None, "negation", 0.1),  # |.6 - (1 - .5)|
    ("incl_excl", [A, B], {Or(A, B): 0.7}, None, "inclusion_exclusion", 0.1),  # |.7 - (.5 + .4 - .3)|
    ("comm_or", [A, B], {Or(A, B): 0.7}, None, "commutation_or", 0.1),  # |.7 - P(b or a) = .6|
    ("comm_and", [A, B], {And(B, A): 0.25}, None, "commutation_and", 0.05),  # |.3 - .25|
    ("implication", [A, B], {Implies(A, B): 0.9}, None, "implication", 0.1),  # |.9 - P((not a) or b) = .8|
    ("frechet_and", [A, B], {And(A, B): 0.45}, None, "frechet_and", 0.05),  # .45 above min(.5, .4)
    ("frechet_or", [A, B], {Or(A, B): 0.3}, None, "frechet_or", 0.2),  # .3 below max(.5, .4)
    ("monotonic", [A, B], {And(A, B): 0.45}, None, "monotonicity", 0.05),  # a and b entails b: .45 - .4
    ("tautology", [A, B], {Or(A, Not(A)): 0.9}, None, "tautology", 0.1),  # 1 - .9
    ("contradiction", [A, B], {And(A, Not(A)): 0.2}, None, "contradiction", 0.2),
    ("double_neg", [A, Not(Not(A))], {Not(Not(A)): 0.6}, None, "equivalence", 0.1),  # |.6 - .5|
    # a entails "not a2" because a and a2 exclude each other (decided with the
    # background knowledge): P(a) - P(not a2) = .5 - .4.
    ("exclusive_mono", [A, Not(A2)], {Not(A2): 0.4}, None, "monotonicity", 0.1),
    # a and a2 cannot both hold, so "a and a2" is a contradiction: .1 - 0.
    ("exclusive_contra", [A, A2], {And(A, A2): 0.1}, None, "contradiction", 0.1),
    # With the domain {y, y2} known, "a or a2" is a tautology: 1 - .9 ...
    ("domain_taut", [A, A2], {Or(A, A2): 0.9}, DOMAINS, "tautology", 0.1),
    # ... and without it, it is not (the only tautologies are "A or not A", at 1).
    ("no_domain_taut", [A, A2], {Or(A, A2): 0.9}, None, "tautology", 0.0),
]


@pytest.mark.parametrize("name, sentences, overrides, domains, check, expected", CASES, ids=[c[0] for c in CASES])
def test_known_violations(name, sentences, overrides, domains, check, expected):
    report = check_axioms(sentences, flawed(overrides), domains=domains)
    result = report[check]
    assert result.count >= 1
    assert result.max_violation == pytest.approx(expected, abs=TOL)
    if expected > 0:
        assert result.worst[0][1] == pytest.approx(expected, abs=TOL)
        assert [v for _, v in result.worst] == sorted((v for _, v in result.worst), reverse=True)


def test_exact_agent_has_no_violation():
    sentences = [A, B, Not(A2), Implies(A, B), Or(A2, Not(B))]
    report = check_axioms(sentences, exact, truth_prob=exact, domains=DOMAINS, include_independence=True,
                          conditional=told)
    assert report["conditional"].count == 4 and report["conditional"].skipped == 0
    assert report.max_violation < TOL
    assert set(AXIOMS) <= set(report.checks)
    assert all(c.max_violation < TOL for c in report.checks.values() if c.is_axiom)


def test_true_false_consistency():
    truth = {A: 0.8}
    report = check_axioms([A, B], exact, truth_prob=lambda s: truth.get(s, exact(s)))
    assert report["true_false"].max_violation == pytest.approx(0.3, abs=TOL)  # |.8 - .5|
    assert report["true_false"].worst == ((render(A), pytest.approx(0.3, abs=TOL)),)
    assert "true_false" not in check_axioms([A, B], exact).checks


def test_independence_checks_are_labelled_and_not_axioms():
    report = check_axioms([A, B], exact, include_independence=True)
    for name in ("independence_and", "independence_or"):
        assert not report[name].is_axiom
        assert "NOT a rationality axiom" in report[name].label
    # The facts are dependent: P(a and b) = .3 but P(a) P(b) = .2; the exact agent
    # is right to break the "check", and the report's max_violation ignores it.
    assert report["independence_and"].max_violation == pytest.approx(0.1, abs=TOL)
    assert report["independence_or"].max_violation == pytest.approx(0.1, abs=TOL)  # |.6 - (.9 - .2)|
    assert report.max_violation < TOL
    assert "independence_and" not in check_axioms([A, B], exact).checks


def test_batched_prob_is_called_once_with_distinct_sentences():
    calls = []

    def prob_many(batch):
        calls.append(list(batch))
        return [exact(s) for s in batch]

    sentences = [A, B, A, Not(A2)]
    batched = check_axioms(sentences, prob_many=prob_many, domains=DOMAINS)
    single = check_axioms(sentences, exact, domains=DOMAINS)
    assert len(calls) == 1 and len(calls[0]) == len(set(calls[0])) == batched.n_queries
    assert batched.to_dict() == single.to_dict()


def test_pairs_default_to_consecutive_and_can_be_given():
    sentences = [A, B, A2]
    assert check_axioms(sentences, exact).n_pairs == 2  # (A, B), (B, A2)
    chosen = check_axioms(sentences, exact, pairs=[(0, 2)])
    assert chosen.n_pairs == 1 and chosen["commutation_and"].count == 1
    assert chosen.n_sentences == 3


def test_report_renders_and_serialises():
    report = check_axioms([A, B], flawed({Not(A): 0.6}), truth_prob=exact, include_independence=True)
    text = str(report)
    for name in report.checks:
        assert name in text
    assert "* assumes independent facts: NOT a rationality axiom" in text
    assert render(Not(A)) in text  # the worst negation
    data = json.loads(json.dumps(report.to_dict()))
    assert data["checks"]["negation"]["worst"][0] == {"text": "not x r y", "violation": pytest.approx(0.1)}
    assert data["n_sentences"] == 2 and data["checks"]["negation"]["law"] == AXIOMS["negation"]


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        ({"prob": lambda s: 1.5}, ValueError, "x r y"),
        ({"prob": lambda s: float("nan")}, ValueError, "not a probability"),
        ({"prob": lambda s: -0.1}, ValueError, "not a probability"),
        ({"prob_many": lambda batch: [0.5]}, ValueError, "expected"),
        ({"prob": exact, "truth_prob": lambda s: 2.0}, ValueError, "truth_prob"),
        ({"prob": exact, "pairs": [(0, 5)]}, ValueError, "out of range"),
        ({}, TypeError, "prob"),
    ],
)
def test_errors(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        check_axioms([A, B], **kwargs)


def test_conditional_on_hand_computed_numbers():
    # P(a) = .5, P(a and b) = .3 (TABLE), so P(b | a) = .6; told a, the agent says .5: violation .1.
    report = check_axioms([A, B], exact, conditional=lambda a, b: 0.5)
    result = report["conditional"]
    assert (result.count, result.skipped) == (1, 0)
    assert result.max_violation == pytest.approx(0.1, abs=TOL)
    assert result.worst == (("[x s z] given [x r y] told", pytest.approx(0.1, abs=TOL)),)
    # The task's case: P(A) = .5, P(A and B) = .2, P(B | A told) = .3: |.3 - .2 / .5| = .1.
    report = check_axioms([A, B], flawed({And(A, B): 0.2}), conditional=lambda a, b: 0.3)
    assert report["conditional"].max_violation == pytest.approx(0.1, abs=TOL)
    # Pairs (A, B), (B, A2): P(b) = .4, P(b and a2) = .1, so P(a2 | b) = .25; told .25 and .6: violations
    # |.6 - .6| = 0 and |.6 - .25| = .35, mean .175.
    report = check_axioms([A, B, A2], exact, conditional=lambda a, b: 0.6)
    assert report["conditional"].count == 2
    assert report["conditional"].mean_violation == pytest.approx(0.175, abs=TOL)
    assert "conditional" not in check_axioms([A, B], exact).checks


def test_conditional_batched_and_pairs():
    calls = []

    def many(pairs):
        calls.append(list(pairs))
        return [told(a, b) + 0.05 for a, b in pairs]

    sentences = [A, B, A2, B]
    batched = check_axioms(sentences, exact, conditional_many=many, pairs=[(0, 1), (2, 3), (0, 3)])
    single = check_axioms(sentences, exact, conditional=lambda a, b: told(a, b) + 0.05, pairs=[(0, 1), (2, 3)])
    assert calls == [[(A, B), (A2, B)]]  # once, each distinct pair once ((0, 3) is (A, B) again)
    assert batched.to_dict() == single.to_dict()
    assert batched["conditional"].max_violation == pytest.approx(0.05, abs=TOL)


def test_conditional_skips_pairs_whose_premise_is_improbable():
    asked = []

    def conditional(a, b):
        asked.append((a, b))
        return 0.5

    # P(a) below the floor: the pair (A, B) is skipped and counted, never divided by; (B, A2) is measured
    for pa in (0.0, 0.5 * CONDITIONAL_FLOOR):
        asked.clear()
        report = check_axioms([A, B, A2], flawed({A: pa}), conditional=conditional)
        assert (report["conditional"].count, report["conditional"].skipped) == (1, 1)
        assert asked == [(B, A2)]
        assert report.to_dict()["checks"]["conditional"]["skipped"] == 1
        assert "conditional: 1 skipped (P(A) < 1e-06)" in str(report)
    # just above the floor the pair is measured: P(b | a) = .3 / 2e-6 is no probability, and reads as such
    report = check_axioms([A, B], flawed({A: 2 * CONDITIONAL_FLOOR}), conditional=conditional)
    assert report["conditional"].count == 1 and report["conditional"].max_violation > 1e4
    # every pair skipped: conditional_many is not called
    report = check_axioms([A, B], flawed({A: 0.0}), conditional_many=lambda pairs: 1 / 0)
    assert (report["conditional"].count, report["conditional"].skipped) == (0, 1)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"conditional": lambda a, b: 1.5}, r"conditional of '\[x s z\] given \[x r y\] told' is 1.5"),
        ({"conditional": lambda a, b: float("nan")}, "conditional of .* is nan, not a probability"),
        ({"conditional": lambda a, b: -0.2}, "not a probability"),
        ({"conditional_many": lambda pairs: [0.5, 0.5]}, "expected 1 conditional values"),
    ],
)
def test_conditional_bad_values_are_named(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        check_axioms([A, B], exact, **kwargs)


def test_atoms_outside_the_domains_are_rejected():
    with pytest.raises(ValueError, match="y3"):
        check_axioms([Atom("x", "r", "y3")], exact, domains=DOMAINS)


W = Atom("w", "r", "y")
POOL = [A, A2, B, Atom("x", "s", "z2"), W, Atom("w", "s", "z")]


def formulas(max_leaves=3):
    return st.recursive(
        st.sampled_from(POOL),
        lambda inner: st.one_of(
            inner.map(Not),
            st.tuples(inner, inner).map(lambda t: And(*t)),
            st.tuples(inner, inner).map(lambda t: Or(*t)),
            st.tuples(inner, inner).map(lambda t: Implies(*t)),
        ),
        max_leaves=max_leaves,
    )


@settings(max_examples=40, derandomize=True, database=None, deadline=None)
@given(st.lists(formulas(), min_size=1, max_size=6), st.booleans())
@example([A, Or(W, Not(W))], False)  # B a tautology about another subject
@example([And(W, Not(W)), A], False)  # A a contradiction about another subject
@example([Or(A, A2), Not(B)], True)  # a tautology only given the domain {y, y2}
def test_every_asked_tautology_and_contradiction_is_found(sentences, use_domains):
    # The pair shortcut (no shared subject-relation) and the pair decisions must
    # find exactly the sentences that entails/is_tautology/is_contradiction find.
    # Asking P = 1 everywhere makes every contradiction a violation of 1; P = 0,
    # every tautology.
    domains = DOMAINS if use_domains else None
    for value, check, decide in ((1.0, "contradiction", is_contradiction), (0.0, "tautology", is_tautology)):
        asked = []

        def prob_many(batch, value=value):
            asked.extend(batch)
            return np.full(len(batch), value)

        report = check_axioms(sentences, prob_many=prob_many, domains=domains, worst_k=10**6)
        found = {text for text, violation in report[check].worst if violation == 1.0}
        assert found == {render(s) for s in asked if decide(s, domains)}
        assert report[check].count == len(found)
