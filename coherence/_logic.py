"""Sentences as sympy formulas, background knowledge, and logical decisions.

Decisions (entailment, equivalence, tautology, contradiction) ask whether the
formula conjoined with the background knowledge is satisfiable: by enumerating
the truth assignments the background allows, for formulas of up to 12 atoms,
and by sympy's ``satisfiable`` beyond; both are exact, and the tests check them
against each other. Decisions are cached per *shape*: the sentence with its atoms
replaced by positional placeholders, plus which atoms share a (subject,
relation) and whether they cover the relation's domain. That is all the
background knowledge can see, so sentences of one shape have the same logical
properties, and 10,000 sentences need only as many decisions as they have shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
import sympy as sp
from sympy.logic.inference import satisfiable

from ._sentence import And, Atom, Implies, Not, Or, Sentence

__all__ = [
    "to_sympy",
    "from_sympy",
    "background",
    "entails",
    "equivalent",
    "is_tautology",
    "is_contradiction",
]

Domains = Mapping[str, Sequence[str]]


# --- domains ---------------------------------------------------------------


def _fingerprint(domains: Domains) -> tuple:
    """Cheap evidence that a mapping was not changed since it was indexed."""
    return tuple((rel, id(objs), len(objs)) for rel, objs in domains.items())


class _DomainIndex:
    """Relation -> object -> position, built once per ``domains`` object."""

    __slots__ = ("source", "fingerprint", "index", "size")

    def __init__(self, domains: Domains) -> None:
        self.source = domains  # a strong reference, so the id used as cache key stays unique
        self.fingerprint = _fingerprint(domains)
        self.index: dict[str, dict[str, int]] = {}
        self.size: dict[str, int] = {}
        for rel, objs in domains.items():
            if isinstance(objs, str):
                raise TypeError(f"domain of relation {rel!r} must be a sequence of names, not a str")
            positions = {obj: k for k, obj in enumerate(objs)}
            if len(positions) != len(objs):
                raise ValueError(f"the domain of relation {rel!r} lists an object twice")
            if not positions:
                raise ValueError(f"relation {rel!r} has an empty domain")
            self.index[rel] = positions
            self.size[rel] = len(positions)

    def check(self, atom: Atom) -> None:
        positions = self.index.get(atom.relation)
        if positions is None:
            raise ValueError(f"relation {atom.relation!r} of {atom!r} is not in the domains")
        if atom.obj not in positions:
            raise ValueError(f"object {atom.obj!r} is not in the domain of relation {atom.relation!r}")


_DOMAIN_CACHE: dict[int, _DomainIndex] = {}
_DOMAIN_CACHE_SIZE = 8


def _domain_index(domains: Domains | None) -> _DomainIndex | None:
    """The index of ``domains``, cached per mapping object.

    The cache notices relations added, removed or given another list or length,
    not an object renamed in place inside a list.
    """
    if domains is None:
        return None
    if isinstance(domains, _DomainIndex):
        return domains
    relations = getattr(domains, "relations", None)  # a Vocabulary stands for its domains
    if relations is not None and not isinstance(domains, Mapping):
        domains = relations
    cached = _DOMAIN_CACHE.get(id(domains))
    if cached is not None and cached.source is domains and cached.fingerprint == _fingerprint(domains):
        return cached
    built = _DomainIndex(domains)
    if len(_DOMAIN_CACHE) >= _DOMAIN_CACHE_SIZE:
        _DOMAIN_CACHE.pop(next(iter(_DOMAIN_CACHE)))
    _DOMAIN_CACHE[id(domains)] = built
    return built


# --- shapes ----------------------------------------------------------------

# Skeleton tags: an int is the atom at that position; tuples are connectives.
_NOT, _AND, _OR, _IMPLIES = "n", "a", "o", "i"


@dataclass(frozen=True, slots=True)
class _Shape:
    """A sentence reduced to what its logic depends on.

    Attributes:
        key: ``(skeleton, atom_group, group_subject, exhaustive)``; hashable, and it
            determines the formula and its background knowledge up to renaming.
        atoms: the distinct atoms, in first-appearance order (skeleton leaf ``i`` is
            ``atoms[i]``).
        groups: ``(subject, relation)`` per group, subject-major: the subjects in
            first-appearance order, each with its relations in first-appearance order.
        group_atoms: the atom positions of each group, in first-appearance order.
    """

    key: tuple
    atoms: tuple[Atom, ...]
    groups: tuple[tuple[str, str], ...]
    group_atoms: tuple[tuple[int, ...], ...]

    @property
    def skeleton(self):
        return self.key[0]

    @property
    def exhaustive(self) -> tuple[bool, ...]:
        return self.key[3]


def _skeleton(sentence: Sentence, index: dict[Atom, int]):
    """The sentence with atoms replaced by their first-appearance positions (filling ``index``)."""
    kind = type(sentence)
    if kind is Atom:
        found = index.get(sentence)
        if found is None:
            found = index[sentence] = len(index)
        return found
    if kind is Not:
        return (_NOT, _skeleton(sentence.arg, index))
    tag = _TAGS.get(kind)
    if tag is None:
        raise TypeError(f"not a Sentence: {sentence!r}")
    return (tag, _skeleton(sentence.left, index), _skeleton(sentence.right, index))


_TAGS = {And: _AND, Or: _OR, Implies: _IMPLIES}


@lru_cache(maxsize=1 << 16)
def _group_structure(atom_list: tuple[Atom, ...], domains: _DomainIndex | None) -> tuple:
    """``(atom_group, group_subject, exhaustive, groups, group_atoms)`` of a tuple of atoms.

    Cached: the sentences a check derives from A and B mostly share their atoms.
    """
    by_subject: dict[str, dict[str, list[int]]] = {}
    for pos, atom in enumerate(atom_list):
        by_subject.setdefault(atom.subject, {}).setdefault(atom.relation, []).append(pos)
        if domains is not None:
            domains.check(atom)
    atom_group = [0] * len(atom_list)
    groups, group_atoms, group_subject, exhaustive = [], [], [], []
    for s_pos, (subject, rels) in enumerate(by_subject.items()):
        for rel, positions in rels.items():
            for pos in positions:
                atom_group[pos] = len(groups)
            groups.append((subject, rel))
            group_atoms.append(tuple(positions))
            group_subject.append(s_pos)
            # Distinct atoms of one group name distinct objects, all in the domain.
            exhaustive.append(domains is not None and len(positions) == domains.size[rel])
    return tuple(atom_group), tuple(group_subject), tuple(exhaustive), tuple(groups), tuple(group_atoms)


def _shape(sentence: Sentence, domains: _DomainIndex | None) -> _Shape:
    """The shape of ``sentence``; checks its atoms against ``domains`` when given."""
    index: dict[Atom, int] = {}
    skeleton = _skeleton(sentence, index)
    atom_list = tuple(index)
    atom_group, group_subject, exhaustive, groups, group_atoms = _group_structure(atom_list, domains)
    return _Shape((skeleton, atom_group, group_subject, exhaustive), atom_list, groups, group_atoms)


def _eval_skeleton(skeleton, leaves: Sequence):
    """Evaluate a skeleton over leaf values (bools or numpy bool arrays, broadcast)."""
    if isinstance(skeleton, int):
        return leaves[skeleton]
    tag = skeleton[0]
    if tag == _NOT:
        return ~_as_array(_eval_skeleton(skeleton[1], leaves))
    left = _as_array(_eval_skeleton(skeleton[1], leaves))
    right = _as_array(_eval_skeleton(skeleton[2], leaves))
    if tag == _AND:
        return left & right
    if tag == _OR:
        return left | right
    return ~left | right


def _as_array(value):
    return np.asarray(value, dtype=bool)


# --- sympy -----------------------------------------------------------------


def _placeholder(i: int) -> sp.Symbol:
    return _SYMBOLS[i] if i < len(_SYMBOLS) else sp.Symbol(f"x{i}")


_SYMBOLS = [sp.Symbol(f"x{i}") for i in range(64)]


def _skeleton_to_sympy(skeleton, symbols: Sequence[sp.Symbol]) -> sp.Basic:
    if isinstance(skeleton, int):
        return symbols[skeleton]
    tag = skeleton[0]
    if tag == _NOT:
        return sp.Not(_skeleton_to_sympy(skeleton[1], symbols), evaluate=False)
    left = _skeleton_to_sympy(skeleton[1], symbols)
    right = _skeleton_to_sympy(skeleton[2], symbols)
    if tag == _AND:
        return sp.And(left, right, evaluate=False)
    if tag == _OR:
        return sp.Or(left, right, evaluate=False)
    return sp.Implies(left, right, evaluate=False)


def _group_background(group_atoms: Iterable[Sequence[int]], exhaustive: Iterable[bool], symbols) -> sp.Basic:
    """At most one object per (subject, relation); exactly one where the atoms cover the domain."""
    clauses = []
    for positions, covers in zip(group_atoms, exhaustive):
        members = [symbols[p] for p in positions]
        clauses.extend(sp.Not(sp.And(x, y)) for x, y in combinations(members, 2))
        if covers:
            clauses.append(sp.Or(*members))
    return sp.And(*clauses)


# Up to this many atoms a decision enumerates the allowed assignments (at most
# 2**12 rows, tens of microseconds); beyond it, sympy's DPLL decides. Both are
# exact; the tests check that they agree. Enumeration is used where it can,
# because sympy's CNF conversion costs about a millisecond per shape and a
# 10,000-sentence check meets a few thousand shapes.
_ENUMERATION_MAX_ATOMS = 12


def _allowed_rows(atom_group: tuple[int, ...], exhaustive: tuple[bool, ...]) -> np.ndarray:
    """The truth assignments the background allows, shape ``(n_rows, len(atom_group))``.

    Per group, either no atom holds (unless the group covers its domain) or exactly
    one does; the rows are the Cartesian product of the groups' options. Cached
    for the small tables that decisions use; read-only.
    """
    if len(atom_group) <= _ENUMERATION_MAX_ATOMS:
        return _allowed_rows_cached(atom_group, exhaustive)
    return _build_allowed_rows(atom_group, exhaustive)


@lru_cache(maxsize=1 << 10)
def _allowed_rows_cached(atom_group: tuple[int, ...], exhaustive: tuple[bool, ...]) -> np.ndarray:
    return _build_allowed_rows(atom_group, exhaustive)


def _build_allowed_rows(atom_group: tuple[int, ...], exhaustive: tuple[bool, ...]) -> np.ndarray:
    rows = np.zeros((1, len(atom_group)), dtype=bool)
    for group, covers in enumerate(exhaustive):
        positions = [pos for pos, g in enumerate(atom_group) if g == group]
        options = np.eye(len(positions), dtype=bool)  # exactly one object holds ...
        if not covers:
            options = np.vstack([np.zeros((1, len(positions)), dtype=bool), options])  # ... or none
        grown = np.repeat(rows, len(options), axis=0)
        grown[:, positions] = np.tile(options, (len(rows), 1))
        rows = grown
    rows.flags.writeable = False
    return rows


@lru_cache(maxsize=1 << 16)
def _unsat_key(key: tuple) -> bool:
    """Whether the shape ``key`` is unsatisfiable together with its background knowledge."""
    skeleton, atom_group, _, exhaustive = key
    if len(atom_group) <= _ENUMERATION_MAX_ATOMS:
        rows = _allowed_rows(atom_group, exhaustive)
        holds = _eval_skeleton(skeleton, [rows[:, k] for k in range(rows.shape[1])])
        return not bool(np.any(holds))
    return _unsat_key_sympy(key)


def _unsat_key_sympy(key: tuple) -> bool:
    """:func:`_unsat_key` decided by sympy's ``satisfiable`` (any number of atoms)."""
    skeleton, atom_group, _, exhaustive = key
    symbols = [_placeholder(i) for i in range(len(atom_group))]
    group_atoms: list[list[int]] = [[] for _ in exhaustive]
    for pos, group in enumerate(atom_group):
        group_atoms[group].append(pos)
    formula = sp.And(_group_background(group_atoms, exhaustive, symbols), _skeleton_to_sympy(skeleton, symbols))
    return satisfiable(formula) is False


def _unsat(sentence: Sentence, domains: _DomainIndex | None) -> bool:
    return _unsat_key(_shape(sentence, domains).key)


def to_sympy(
    sentence: Sentence, symbol_map: Mapping[Atom, sp.Symbol] | None = None
) -> tuple[sp.Basic, dict[Atom, sp.Symbol]]:
    """The sympy Boolean expression of ``sentence``, and the atom -> symbol map used.

    Symbols are created directly (never by ``sympify`` on a name) and named ``a0``,
    ``a1``, ... in order of first appearance, so names such as ``E``, ``I`` or ``S``
    are safe. Pass ``symbol_map`` to reuse the symbols of earlier sentences; the
    returned map extends a copy of it.

    Example:
        >>> a, b = Atom("E", "is", "I"), Atom("S", "is", "N")
        >>> expr, symbol_map = to_sympy(Implies(a, Not(b)))
        >>> expr, symbol_map[b]
        (Implies(a0, ~a1), a1)
    """
    mapping = dict(symbol_map) if symbol_map is not None else {}
    taken = {sym.name for sym in mapping.values()}
    counter = len(mapping)

    def convert(node: Sentence) -> sp.Basic:
        nonlocal counter
        if isinstance(node, Atom):
            sym = mapping.get(node)
            if sym is None:
                while f"a{counter}" in taken:
                    counter += 1
                sym = mapping[node] = sp.Symbol(f"a{counter}")
                taken.add(sym.name)
            return sym
        if isinstance(node, Not):
            return sp.Not(convert(node.arg), evaluate=False)
        if isinstance(node, (And, Or, Implies)):
            left, right = convert(node.left), convert(node.right)
            op = {And: sp.And, Or: sp.Or, Implies: sp.Implies}[type(node)]
            return op(left, right, evaluate=False)
        raise TypeError(f"not a Sentence: {node!r}")

    return convert(sentence), mapping


def from_sympy(expr: sp.Basic, symbol_map: Mapping) -> Sentence:
    """The sentence of a sympy Boolean expression over the symbols of ``symbol_map``.

    The result is logically equivalent to ``expr`` (sympy sorts and merges the
    arguments of And/Or, so the tree need not match the sentence ``to_sympy`` got).
    n-ary And/Or nest to the left; Equivalent, Xor, Nand, Nor and ITE are rewritten
    with not/and/or/if-then.

    Args:
        expr: a sympy Boolean expression.
        symbol_map: atom -> symbol, as returned by :func:`to_sympy` (symbol -> atom
            is accepted too).

    Raises:
        ValueError: for a symbol not in the map, the constants true/false, or an
            operator with no sentence form.

    Example:
        >>> a, b = Atom("x", "r", "y"), Atom("x", "s", "z")
        >>> expr, symbol_map = to_sympy(Or(a, b))
        >>> from_sympy(~expr, symbol_map) == Not(Or(a, b))
        True
    """
    lookup: dict[sp.Basic, Atom] = {}
    for key, value in symbol_map.items():
        if isinstance(key, Atom):
            lookup[value] = key
        else:
            lookup[key] = value

    def fold(cls, parts: list[Sentence]) -> Sentence:
        result = parts[0]
        for part in parts[1:]:
            result = cls(result, part)
        return result

    def convert(node: sp.Basic) -> Sentence:
        if isinstance(node, sp.Symbol):
            if node not in lookup:
                raise ValueError(f"symbol {node} is not in the symbol map")
            return lookup[node]
        if node is sp.true or node is sp.false:
            raise ValueError(f"the constant {node} has no sentence form")
        args = [convert(arg) for arg in node.args]
        if isinstance(node, sp.Not):
            return Not(args[0])
        if isinstance(node, sp.And):
            return fold(And, args)
        if isinstance(node, sp.Or):
            return fold(Or, args)
        if isinstance(node, sp.Implies):
            return Implies(args[0], args[1])
        if isinstance(node, sp.Nand):
            return Not(fold(And, args))
        if isinstance(node, sp.Nor):
            return Not(fold(Or, args))
        if isinstance(node, sp.Equivalent):
            return fold(And, [And(Implies(x, y), Implies(y, x)) for x, y in zip(args, args[1:])])
        if isinstance(node, sp.Xor):
            result = args[0]
            for arg in args[1:]:
                result = Or(And(result, Not(arg)), And(Not(result), arg))
            return result
        if isinstance(node, sp.ITE):
            cond, then, other = args
            return Or(And(cond, then), And(Not(cond), other))
        raise ValueError(f"{type(node).__name__} has no sentence form: {node}")

    return convert(expr)


def background(
    atoms: Iterable[Atom],
    domains: Domains | None = None,
    symbol_map: Mapping[Atom, sp.Symbol] | None = None,
) -> sp.Basic:
    """The background knowledge about ``atoms`` as a sympy formula.

    Two atoms with the same subject and relation but different objects cannot both
    be true; when ``domains`` is given and the atoms of one (subject, relation)
    cover the relation's whole domain, exactly one of them is true.

    Args:
        atoms: the atoms (duplicates are ignored).
        domains: relation -> its objects; without it, no domain is known to be covered.
        symbol_map: atom -> symbol; by default ``a0``, ``a1``, ... in the order of
            ``atoms``, which matches ``to_sympy(s)`` for ``atoms(s)``.

    Raises:
        ValueError: if ``domains`` is given and an atom's relation or object is not in it.

    Example:
        >>> x = [Atom("Chad", "currency", c) for c in ("franc", "euro")]
        >>> background(x)
        ~(a0 & a1)
        >>> background(x, {"currency": ["franc", "euro"]})
        (a0 | a1) & ~(a0 & a1)
    """
    distinct = tuple(dict.fromkeys(atoms))
    index = _domain_index(domains)
    if symbol_map is None:
        symbol_map = {atom: sp.Symbol(f"a{i}") for i, atom in enumerate(distinct)}
    groups: dict[tuple[str, str], list[int]] = {}
    for pos, atom in enumerate(distinct):
        if index is not None:
            index.check(atom)
        groups.setdefault((atom.subject, atom.relation), []).append(pos)
    covers = [index is not None and len(group) == index.size[rel] for (_, rel), group in groups.items()]
    return _group_background(groups.values(), covers, [symbol_map[atom] for atom in distinct])


def is_contradiction(sentence: Sentence, domains: Domains | None = None) -> bool:
    """Whether ``sentence`` is false in every world allowed by the background knowledge.

    Example:
        >>> a, b = Atom("Chad", "currency", "franc"), Atom("Chad", "currency", "euro")
        >>> is_contradiction(And(a, b)), is_contradiction(And(a, Not(b)))
        (True, False)
    """
    return _unsat(sentence, _domain_index(domains))


def is_tautology(sentence: Sentence, domains: Domains | None = None) -> bool:
    """Whether ``sentence`` is true in every world allowed by the background knowledge.

    Example:
        >>> a, b = Atom("Chad", "currency", "franc"), Atom("Chad", "currency", "euro")
        >>> is_tautology(Or(a, b)), is_tautology(Or(a, b), {"currency": ["franc", "euro"]})
        (False, True)
    """
    return _unsat(Not(sentence), _domain_index(domains))


def entails(premise: Sentence, conclusion: Sentence, domains: Domains | None = None) -> bool:
    """Whether ``premise`` entails ``conclusion``: background & premise & ~conclusion is unsatisfiable.

    Example:
        >>> a, b = Atom("Chad", "currency", "franc"), Atom("Chad", "currency", "euro")
        >>> entails(a, Not(b)), entails(Not(b), a)
        (True, False)
    """
    return _unsat(And(premise, Not(conclusion)), _domain_index(domains))


def equivalent(first: Sentence, second: Sentence, domains: Domains | None = None) -> bool:
    """Whether each sentence entails the other under the background knowledge.

    Example:
        >>> a, b = Atom("x", "r", "y"), Atom("x", "s", "z")
        >>> equivalent(Implies(a, b), Or(Not(a), b)), equivalent(Implies(a, b), Implies(b, a))
        (True, False)
    """
    index = _domain_index(domains)
    return _unsat(And(first, Not(second)), index) and _unsat(And(second, Not(first)), index)
