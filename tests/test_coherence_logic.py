"""Sentences as sympy formulas, background knowledge, and logical decisions.

Oracles: sympy's ``satisfiable`` on the formula built through the public
``to_sympy``/``background``, and brute-force enumeration of all 2**n truth
assignments filtered by the background rule written out in this file.
"""

from itertools import product

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.logic.inference import satisfiable

from coherence import (
    And,
    Atom,
    Implies,
    Not,
    Or,
    allowed_assignments,
    atoms,
    background,
    entails,
    equivalent,
    evaluate,
    from_sympy,
    is_contradiction,
    is_tautology,
    to_sympy,
)

DOMAINS = {"colour": ["red", "blue", "green"], "size": ["big", "small"]}
POOL = [
    Atom("ball", "colour", "red"),
    Atom("ball", "colour", "blue"),
    Atom("ball", "colour", "green"),
    Atom("ball", "size", "big"),
    Atom("ball", "size", "small"),
    Atom("cube", "colour", "red"),
    Atom("cube", "size", "big"),
]


def sentences(leaves, max_leaves=6):
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


def allowed_worlds(atom_list, domains):
    """Brute force: every assignment where each (subject, relation) has at most one
    true object, and exactly one when the listed atoms cover the domain."""
    groups = {}
    for atom in atom_list:
        groups.setdefault((atom.subject, atom.relation), []).append(atom)
    for values in product([False, True], repeat=len(atom_list)):
        world = dict(zip(atom_list, values))
        ok = True
        for (_, rel), members in groups.items():
            true_count = sum(world[a] for a in members)
            covers = domains is not None and len(members) == len(domains[rel])
            ok &= true_count == 1 if covers else true_count <= 1
        if ok:
            yield world


def brute_unsat(sentence, domains):
    return not any(evaluate(sentence, w) for w in allowed_worlds(list(atoms(sentence)), domains))


def sympy_unsat(sentence, domains):
    expr, symbol_map = to_sympy(sentence)
    return satisfiable(sp.And(background(atoms(sentence), domains, symbol_map), expr)) is False


def truth_table(sentence, atom_list):
    return [evaluate(sentence, dict(zip(atom_list, v))) for v in product([False, True], repeat=len(atom_list))]


def test_to_sympy_uses_safe_symbols():
    # Names that sympify would turn into constants or functions.
    tricky = [Atom(n, "is", m) for n, m in [("E", "I"), ("S", "N"), ("Q", "pi"), ("oo", "lambda")]]
    expr, symbol_map = to_sympy(And(Or(tricky[0], tricky[1]), Implies(tricky[2], Not(tricky[3]))))
    assert [s.name for s in symbol_map.values()] == ["a0", "a1", "a2", "a3"]
    assert list(symbol_map) == tricky
    assert expr.free_symbols == set(symbol_map.values())


def test_to_sympy_extends_a_given_map():
    a, b = POOL[0], POOL[3]
    _, first = to_sympy(a)
    expr, second = to_sympy(And(b, a), first)
    assert second[a] == first[a] and second[b].name == "a1" and first == {a: first[a]}
    assert expr == sp.And(second[b], second[a])


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(sentences(st.sampled_from(POOL)))
def test_from_sympy_inverts_to_sympy_up_to_equivalence(sentence):
    expr, symbol_map = to_sympy(sentence)
    back = from_sympy(expr, symbol_map)
    atom_list = list(symbol_map)
    assert truth_table(back, atom_list) == truth_table(sentence, atom_list)
    # Also after sympy rewrites the expression (unless to a constant), given the inverse map.
    simplified = sp.simplify_logic(expr)
    if simplified not in (sp.true, sp.false):
        rewritten = from_sympy(simplified, {v: k for k, v in symbol_map.items()})
        assert truth_table(rewritten, atom_list) == truth_table(sentence, atom_list)


@pytest.mark.parametrize(
    "make",
    [
        lambda x, y, z: sp.Equivalent(x, y, z),
        lambda x, y, z: sp.Xor(x, y, z),
        lambda x, y, z: sp.ITE(x, y, z),
        lambda x, y, z: sp.Nand(x, y, z),
        lambda x, y, z: sp.Nor(x, y, z),
        lambda x, y, z: sp.to_cnf(sp.Implies(x, y) & ~z),
    ],
)
def test_from_sympy_rewrites_other_operators(make):
    symbols = sp.symbols("p q r")
    symbol_map = dict(zip(POOL[:3], symbols))
    expr = make(*symbols)
    sentence = from_sympy(expr, symbol_map)
    for values in product([False, True], repeat=3):
        expected = bool(expr.xreplace(dict(zip(symbols, map(sp.sympify, values)))))
        assert evaluate(sentence, dict(zip(POOL[:3], values))) is expected


@pytest.mark.parametrize("expr", [sp.true, sp.false, sp.Symbol("stranger")])
def test_from_sympy_rejects_what_has_no_sentence(expr):
    with pytest.raises(ValueError):
        from_sympy(expr, {POOL[0]: sp.Symbol("a0")})


BACKGROUND_CASES = [
    # (atoms, domains, expected formula over a0, a1, ... in the order of atoms)
    (POOL[:2], None, "~(a0 & a1)"),  # red and blue exclude each other
    (POOL[:3], None, "~(a0 & a1) & ~(a0 & a2) & ~(a1 & a2)"),
    (POOL[:3], DOMAINS, "~(a0 & a1) & ~(a0 & a2) & ~(a1 & a2) & (a0 | a1 | a2)"),  # they cover the domain
    ([POOL[3], POOL[4]], DOMAINS, "~(a0 & a1) & (a0 | a1)"),
    ([POOL[0], POOL[5]], DOMAINS, "True"),  # different subjects: no constraint
    ([POOL[0], POOL[3]], DOMAINS, "True"),  # different relations: no constraint
]


@pytest.mark.parametrize("atom_list, domains, expected", BACKGROUND_CASES)
def test_background(atom_list, domains, expected):
    got = background(atom_list, domains)
    assert satisfiable(sp.Xor(got, sp.sympify(expected))) is False


def test_background_rejects_objects_outside_the_domain():
    with pytest.raises(ValueError, match="purple"):
        background([Atom("ball", "colour", "purple")], DOMAINS)


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(sentences(st.sampled_from(POOL)), sentences(st.sampled_from(POOL)), st.booleans())
def test_decisions_match_sympy_and_brute_force(a, b, use_domains):
    domains = DOMAINS if use_domains else None
    for sentence in (a, b, And(a, b), And(a, Not(b))):
        expected = brute_unsat(sentence, domains)
        assert sympy_unsat(sentence, domains) is expected
        assert is_contradiction(sentence, domains) is expected
        assert is_tautology(Not(sentence), domains) is expected
    a_to_b, b_to_a = brute_unsat(And(a, Not(b)), domains), brute_unsat(And(b, Not(a)), domains)
    assert entails(a, b, domains) is a_to_b
    assert equivalent(a, b, domains) is (a_to_b and b_to_a)


def test_decisions_beyond_enumeration_use_sympy():
    # 15 atoms of 15 subjects, above the enumeration limit of 12.
    many = [Atom(f"s{k}", "size", "big") for k in range(15)]
    big = many[0]
    for atom in many[1:]:
        big = And(big, atom)
    clash = Atom("s0", "size", "small")  # excludes s0 size big
    assert is_contradiction(And(big, clash)) and not is_contradiction(big)
    assert is_tautology(Or(big, Not(big))) and not is_tautology(big)
    assert entails(big, many[7]) and not entails(many[7], big)
    # With the domain, "not small" entails "big" for s0.
    assert entails(And(big, Not(clash)), many[0], DOMAINS)
    assert entails(Or(Not(clash), big), many[0], DOMAINS)


@pytest.mark.parametrize(
    "atom_list, domains",
    [(POOL, None), (POOL, DOMAINS), (POOL[:3], DOMAINS), ([POOL[0], POOL[5], POOL[6]], None)],
)
def test_allowed_assignments_match_sympy_models(atom_list, domains):
    rows = allowed_assignments(atom_list, domains)
    _, symbol_map = to_sympy(atom_list[0])
    for atom in atom_list[1:]:
        _, symbol_map = to_sympy(atom, symbol_map)
    formula = background(atom_list, domains, symbol_map)
    symbols = [symbol_map[a] for a in atom_list]
    expected = set()
    if formula == sp.true:
        expected = set(product([False, True], repeat=len(atom_list)))
    else:
        for model in satisfiable(formula, all_models=True):
            # sympy leaves out the atoms the formula does not mention: both values are allowed.
            missing = [s for s in symbols if s not in model]
            for values in product([False, True], repeat=len(missing)):
                full = {**model, **dict(zip(missing, values))}
                expected.add(tuple(bool(full[s]) for s in symbols))
    got = {tuple(bool(v) for v in row) for row in rows}
    assert got == expected and len(got) == len(rows)
    brute = {tuple(w[a] for a in atom_list) for w in allowed_worlds(atom_list, domains)}
    assert got == brute
    assert rows.dtype == np.bool_
