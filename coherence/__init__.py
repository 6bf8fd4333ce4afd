"""The logic layer: connective sentences, probability-axiom checks, coherence distance.

Atoms are (subject, relation, object) facts; sentences combine them with not,
and, or, if-then. The package knows nothing of any model: the checks take any
function that gives a probability to a sentence (and, for the ``conditional``
check, one that gives P(B | A told), the probability of B once A is stated).

Example:
    >>> from coherence import Atom, Not, Vocabulary, parse, coherence_distance
    >>> vocab = Vocabulary(["Trinidad and Tobago"], {"currency": ["dollar", "not applicable"]})
    >>> a = parse("Trinidad and Tobago currency dollar", vocab)
    >>> distance, nearest = coherence_distance([a, Not(a)], [0.7, 0.5])
    >>> round(distance, 9)
    0.2
"""

from ._axioms import (
    AXIOMS,
    CONDITIONAL_FLOOR,
    INDEPENDENCE_CHECKS,
    CheckResult,
    CoherenceReport,
    axiom_queries,
    check_axioms,
)
from ._distance import MAX_ATOMS, allowed_assignments, coherence_distance
from ._joint import Joint, formula_probabilities, formula_probability
from ._logic import background, entails, equivalent, from_sympy, is_contradiction, is_tautology, to_sympy
from ._parse import SentenceParseError, Vocabulary, parse, parse_statement
from ._sentence import And, Atom, Implies, Not, Or, Sentence, atoms, evaluate, render, render_statement

__all__ = [
    # sentences
    "Atom",
    "Not",
    "And",
    "Or",
    "Implies",
    "Sentence",
    "atoms",
    "evaluate",
    "render",
    "render_statement",
    # parsing
    "Vocabulary",
    "parse",
    "parse_statement",
    "SentenceParseError",
    # logic
    "to_sympy",
    "from_sympy",
    "background",
    "entails",
    "equivalent",
    "is_tautology",
    "is_contradiction",
    # probability from a joint
    "Joint",
    "formula_probability",
    "formula_probabilities",
    # axiom checks
    "check_axioms",
    "axiom_queries",
    "CoherenceReport",
    "CheckResult",
    "AXIOMS",
    "CONDITIONAL_FLOOR",
    "INDEPENDENCE_CHECKS",
    # coherence distance
    "coherence_distance",
    "allowed_assignments",
    "MAX_ATOMS",
]
