"""Sentences: construction, rendering, and exact parsing of corpus text."""

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coherence import (
    And,
    Atom,
    Implies,
    Not,
    Or,
    SentenceParseError,
    Vocabulary,
    atoms,
    evaluate,
    parse,
    parse_statement,
    render,
    render_statement,
)

# Names chosen to trip a keyword-splitting parser: connective words, "is true",
# parentheses, and a subject that is a prefix of another.
TRICKY = Vocabulary(
    subjects=["Trinidad and Tobago", "Trinidad", "Iffy Thenardier", "not applicable", "Georgia (country)", "E"],
    relations={
        "is true of": ["not applicable", "Trinidad and Tobago", "x or y"],
        "currency": ["dollar", "not applicable", "if then", "pound (sterling)"],
        "member of": ["and", "or", "then"],
    },
)
TT = Atom("Trinidad and Tobago", "currency", "dollar")
NA = Atom("not applicable", "is true of", "not applicable")
IFFY = Atom("Iffy Thenardier", "member of", "then")
GEO = Atom("Georgia (country)", "currency", "pound (sterling)")
OR_OBJ = Atom("E", "is true of", "x or y")
ALL_ATOMS = [Atom(s, r, o) for s in TRICKY.subjects for r, dom in TRICKY.relations.items() for o in dom]

RENDER_CASES = [
    # (sentence, text)
    (TT, "Trinidad and Tobago currency dollar"),
    (Not(NA), "not not applicable is true of not applicable"),
    (And(TT, IFFY), "Trinidad and Tobago currency dollar and Iffy Thenardier member of then"),
    (Or(GEO, OR_OBJ), "Georgia (country) currency pound (sterling) or E is true of x or y"),
    (Implies(Not(TT), IFFY), "if (not Trinidad and Tobago currency dollar) then Iffy Thenardier member of then"),
    (Not(And(TT, NA)), "not (Trinidad and Tobago currency dollar and not applicable is true of not applicable)"),
    (And(Or(TT, GEO), Not(Not(IFFY))), "(Trinidad and Tobago currency dollar or Georgia (country) currency "
     "pound (sterling)) and (not (not Iffy Thenardier member of then))"),
    (Implies(Implies(TT, NA), Or(IFFY, IFFY)), "if (if Trinidad and Tobago currency dollar then not applicable "
     "is true of not applicable) then (Iffy Thenardier member of then or Iffy Thenardier member of then)"),
]


@pytest.mark.parametrize("sentence, text", RENDER_CASES)
def test_render_and_parse_are_inverse(sentence, text):
    assert render(sentence) == text
    assert parse(text, TRICKY) == sentence


def test_atoms_in_first_appearance_order_and_evaluate():
    sentence = Implies(And(IFFY, TT), Or(Not(TT), GEO))
    assert atoms(sentence) == (IFFY, TT, GEO)
    truth = {IFFY: True, TT: True, GEO: False}
    # if (T and T) then (F or F) -> False
    assert evaluate(sentence, truth) is False
    assert evaluate(sentence, {**truth, GEO: True}) is True


def test_sentences_are_hashable_values_and_pickle():
    built = And(Atom("x", "r", "y"), Not(Atom("x", "r", "z")))
    same = And(Atom("x", "r", "y"), Not(Atom("x", "r", "z")))
    assert built == same and hash(built) == hash(same) and len({built, same}) == 1
    assert pickle.loads(pickle.dumps(built)) == built
    assert And(TT, IFFY) != And(IFFY, TT)


@pytest.mark.parametrize("bad", [lambda: Not("x r y"), lambda: And(TT, None), lambda: Atom("x", "r", 3)])
def test_constructors_reject_non_sentences(bad):
    with pytest.raises(TypeError):
        bad()


def test_statements_round_trip():
    sentence = Or(Not(TT), OR_OBJ)
    for label in (True, False):
        text = render_statement(sentence, label)
        assert text == f'"{render(sentence)}" is {"true" if label else "false"}'
        assert parse_statement(text, TRICKY) == (sentence, label)
    # The relation "is true of" inside the quotes does not confuse the suffix.
    assert parse_statement('"not applicable is true of x or y" is true', TRICKY) == (
        Atom("not applicable", "is true of", "x or y"),
        True,
    )


PARSE_ERROR_CASES = [
    # (text, fragment of the message)
    ("Trinidad and Tobago currency euro", "no reading"),  # object not in the domain
    ("Atlantis currency dollar", "no reading"),  # unknown subject
    ("not (Trinidad and Tobago currency dollar)", "no reading"),  # atoms are never parenthesised
    ("(not Trinidad and Tobago currency dollar)", "no reading"),  # the whole sentence is not wrapped
    ("if not Trinidad currency dollar then E currency dollar", "no reading"),  # compound operand unwrapped
    ("E currency dollar and E currency dollar or E currency dollar", "no reading"),  # needs parentheses
    ("", "no reading"),
]


@pytest.mark.parametrize("text, fragment", PARSE_ERROR_CASES)
def test_parse_errors_quote_the_text(text, fragment):
    with pytest.raises(SentenceParseError) as info:
        parse(text, TRICKY)
    assert repr(text) in str(info.value) and fragment in str(info.value)
    assert isinstance(info.value, ValueError) and info.value.text == text


AMBIGUOUS_CASES = [
    # Subject "a" + relation "b c", or subject "a b" + relation "c": two atoms, one text.
    (Vocabulary(["a", "a b"], {"b c": ["d"], "c": ["d"]}), "a b c d"),
    # One atom whose object contains a whole atom, or a conjunction of two atoms.
    (Vocabulary(["x"], {"r": ["y", "z", "y and x r z"]}), "x r y and x r z"),
    # A subject that starts with "not", or the negation of an atom.
    (Vocabulary(["not x", "x"], {"r": ["y"]}), "not x r y"),
]


@pytest.mark.parametrize("vocab, text", AMBIGUOUS_CASES)
def test_ambiguous_text_raises(vocab, text):
    with pytest.raises(SentenceParseError, match="ambiguous") as info:
        parse(text, vocab)
    assert repr(text) in str(info.value)


def test_statement_errors():
    for text in ['"Trinidad currency dollar" is maybe', "Trinidad currency dollar is true", '"E currency x" is true']:
        with pytest.raises(SentenceParseError) as info:
            parse_statement(text, TRICKY)
        assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    "subjects, relations",
    [([" padded"], {"r": ["y"]}), (["x"], {"r": []}), (["x"], {"r": ["y", "y"]}), ([""], {"r": ["y"]})],
)
def test_vocabulary_rejects_bad_names(subjects, relations):
    with pytest.raises(ValueError):
        Vocabulary(subjects, relations)


def sentences(leaves):
    """Random sentences over the given atom strategy, nested to any depth."""
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            inner.map(Not),
            st.tuples(inner, inner).map(lambda t: And(*t)),
            st.tuples(inner, inner).map(lambda t: Or(*t)),
            st.tuples(inner, inner).map(lambda t: Implies(*t)),
        ),
        max_leaves=8,
    )


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(sentences(st.sampled_from(ALL_ATOMS)))
def test_parse_inverts_render_on_random_sentences(sentence):
    assert parse(render(sentence), TRICKY) == sentence
    assert parse_statement(render_statement(sentence, False), TRICKY) == (sentence, False)
