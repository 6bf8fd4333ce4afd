"""The sentence type: atoms and the connectives not, and, or, if-then.

Sentences are frozen, hashable dataclasses, so they can be dictionary keys and
set members. Hashes are computed once, at construction, because the checks hash
the same nested sentences many times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union

__all__ = [
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
]


@dataclass(frozen=True, slots=True)
class Atom:
    """The fact ``(subject, relation, obj)``, e.g. ``Atom("France", "capital", "Paris")``.

    Example:
        >>> Atom("France", "capital", "Paris")
        Atom(subject='France', relation='capital', obj='Paris')
    """

    subject: str
    relation: str
    obj: str
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("subject", "relation", "obj"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"Atom.{name} must be a str, got {getattr(self, name)!r}")
        object.__setattr__(self, "_hash", hash(("atom", self.subject, self.relation, self.obj)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):
        # Rebuild through the constructor: the cached hash is process-specific.
        return (Atom, (self.subject, self.relation, self.obj))


def _check_operand(owner: str, value: object) -> None:
    if not isinstance(value, (Atom, Not, And, Or, Implies)):
        raise TypeError(f"{owner} operand must be a Sentence, got {value!r}")


@dataclass(frozen=True, slots=True)
class Not:
    """Negation: ``not arg``.

    Example:
        >>> render(Not(Atom("France", "capital", "Paris")))
        'not France capital Paris'
    """

    arg: Sentence
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_operand("Not", self.arg)
        object.__setattr__(self, "_hash", hash(("not", self.arg)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):
        # Rebuild through the constructor: the cached hash is process-specific.
        return (Not, (self.arg,))


@dataclass(frozen=True, slots=True)
class And:
    """Conjunction: ``left and right``.

    Example:
        >>> a, b = Atom("x", "r", "y"), Atom("x", "s", "z")
        >>> render(And(a, b))
        'x r y and x s z'
    """

    left: Sentence
    right: Sentence
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_operand("And", self.left)
        _check_operand("And", self.right)
        object.__setattr__(self, "_hash", hash(("and", self.left, self.right)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):
        # Rebuild through the constructor: the cached hash is process-specific.
        return (And, (self.left, self.right))


@dataclass(frozen=True, slots=True)
class Or:
    """Disjunction: ``left or right``.

    Example:
        >>> a, b = Atom("x", "r", "y"), Atom("x", "s", "z")
        >>> render(Or(Not(a), b))
        '(not x r y) or x s z'
    """

    left: Sentence
    right: Sentence
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_operand("Or", self.left)
        _check_operand("Or", self.right)
        object.__setattr__(self, "_hash", hash(("or", self.left, self.right)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):
        # Rebuild through the constructor: the cached hash is process-specific.
        return (Or, (self.left, self.right))


@dataclass(frozen=True, slots=True)
class Implies:
    """Material conditional: ``if left then right``.

    Example:
        >>> a, b = Atom("x", "r", "y"), Atom("x", "s", "z")
        >>> render(Implies(a, b))
        'if x r y then x s z'
    """

    left: Sentence
    right: Sentence
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_operand("Implies", self.left)
        _check_operand("Implies", self.right)
        object.__setattr__(self, "_hash", hash(("implies", self.left, self.right)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):
        # Rebuild through the constructor: the cached hash is process-specific.
        return (Implies, (self.left, self.right))


Sentence = Union[Atom, Not, And, Or, Implies]
"""Any sentence: an :class:`Atom` or a connective over sentences."""


def atoms(sentence: Sentence) -> tuple[Atom, ...]:
    """The distinct atoms of ``sentence``, in order of first appearance (left to right).

    Example:
        >>> a, b = Atom("x", "r", "y"), Atom("x", "s", "z")
        >>> atoms(And(b, Or(a, Not(b))))
        (Atom(subject='x', relation='s', obj='z'), Atom(subject='x', relation='r', obj='y'))
    """
    seen: dict[Atom, None] = {}
    stack = [sentence]
    while stack:
        node = stack.pop()
        if isinstance(node, Atom):
            seen.setdefault(node, None)
        elif isinstance(node, Not):
            stack.append(node.arg)
        elif isinstance(node, (And, Or, Implies)):
            stack.append(node.right)
            stack.append(node.left)
        else:
            raise TypeError(f"not a Sentence: {node!r}")
    return tuple(seen)


def evaluate(sentence: Sentence, truth: Mapping[Atom, bool]) -> bool:
    """The truth value of ``sentence`` when each atom has the value ``truth[atom]``.

    Raises:
        KeyError: if an atom of the sentence is missing from ``truth``.

    Example:
        >>> a, b = Atom("x", "r", "y"), Atom("x", "s", "z")
        >>> evaluate(Implies(a, b), {a: True, b: False})
        False
    """
    if isinstance(sentence, Atom):
        return bool(truth[sentence])
    if isinstance(sentence, Not):
        return not evaluate(sentence.arg, truth)
    if isinstance(sentence, And):
        return evaluate(sentence.left, truth) and evaluate(sentence.right, truth)
    if isinstance(sentence, Or):
        return evaluate(sentence.left, truth) or evaluate(sentence.right, truth)
    if isinstance(sentence, Implies):
        return (not evaluate(sentence.left, truth)) or evaluate(sentence.right, truth)
    raise TypeError(f"not a Sentence: {sentence!r}")


def _operand(sentence: Sentence) -> str:
    """An operand's text: atoms bare, compound sentences in parentheses."""
    if isinstance(sentence, Atom):
        return f"{sentence.subject} {sentence.relation} {sentence.obj}"
    return f"({render(sentence)})"


def render(sentence: Sentence) -> str:
    """The corpus text of ``sentence``.

    An atom is ``"subject relation obj"`` with the names verbatim; connectives are
    ``not X``, ``X and Y``, ``X or Y`` and ``if X then Y``, where every operand that
    is not an atom is wrapped in parentheses. The whole sentence is not wrapped.

    Example:
        >>> a, b = Atom("x", "r", "y"), Atom("x", "s", "z")
        >>> render(Implies(Not(a), And(a, b)))
        'if (not x r y) then (x r y and x s z)'
    """
    if isinstance(sentence, Atom):
        return _operand(sentence)
    if isinstance(sentence, Not):
        return f"not {_operand(sentence.arg)}"
    if isinstance(sentence, And):
        return f"{_operand(sentence.left)} and {_operand(sentence.right)}"
    if isinstance(sentence, Or):
        return f"{_operand(sentence.left)} or {_operand(sentence.right)}"
    if isinstance(sentence, Implies):
        return f"if {_operand(sentence.left)} then {_operand(sentence.right)}"
    raise TypeError(f"not a Sentence: {sentence!r}")


def render_statement(sentence: Sentence, label: bool) -> str:
    """The labelled statement ``"<sentence>" is true`` (or ``is false``).

    Example:
        >>> render_statement(Atom("x", "r", "y"), False)
        '"x r y" is false'
    """
    return f'"{render(sentence)}" is {"true" if label else "false"}'
