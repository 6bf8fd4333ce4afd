"""The exact probability of a formula from a joint distribution over the atoms' variables.

Each subject has one variable per relation, whose value is an object of the
relation's domain. For a formula, each relation of a subject needs only a few
*value classes*: one per object named in the formula's atoms, plus "any other
object" unless those objects cover the domain. The joint is summed into those
classes (a take and a sum per axis), subjects are combined by an outer
product (independent given the population parameters), and the probability is
the mass of the class cells where the formula holds. The formula's truth over
the class cells depends only on its shape, so it is computed once per shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import numpy as np

from ._logic import Domains, _DomainIndex, _domain_index, _eval_skeleton, _shape, _Shape
from ._sentence import Sentence

__all__ = ["formula_probability", "formula_probabilities", "Joint"]

Joint = Callable[[str, tuple[str, ...]], np.ndarray]
"""``joint(subject, relations)`` -> array of shape ``(len(domains[r]) for r in relations)``."""

# A joint's entries must sum to 1 within this: it is a distribution computed in
# floating point, whose rounding error is far below it, while a joint that was not
# normalised at all is far above it.
_JOINT_SUM_TOL = 1e-6

# The joint over a subject's relations has prod(domain sizes) cells; refuse more
# than this (2**25 float64 cells is 256 MiB) rather than exhaust memory.
MAX_JOINT_CELLS = 1 << 25


@lru_cache(maxsize=1 << 16)
def _truth_cells(key: tuple) -> np.ndarray:
    """The formula's truth (as 0.0/1.0) on the flattened grid of value-class cells."""
    skeleton, atom_group, _, exhaustive = key
    n_groups = len(exhaustive)
    members: list[list[int]] = [[] for _ in range(n_groups)]
    for pos, group in enumerate(atom_group):
        members[group].append(pos)
    sizes = [len(m) + (0 if covers else 1) for m, covers in zip(members, exhaustive)]
    leaves: list[np.ndarray] = [np.empty(0)] * len(atom_group)
    for group, positions in enumerate(members):
        axis_shape = [1] * n_groups
        axis_shape[group] = sizes[group]
        values = np.arange(sizes[group]).reshape(axis_shape)
        for klass, pos in enumerate(positions):
            leaves[pos] = values == klass  # true on the cells where this object holds
    truth = np.broadcast_to(_eval_skeleton(skeleton, leaves), sizes).astype(float).ravel()
    truth.flags.writeable = False  # shared through the cache
    return truth


def _collapse(arr: np.ndarray, shape: _Shape, groups: Sequence[int], domains: _DomainIndex) -> np.ndarray:
    """Sum each axis of one subject's joint into the value classes of its group.

    Class k of a group is its k-th named object; the last class, unless the named
    objects cover the domain, is "any other object".
    """
    for axis, group in enumerate(groups):
        positions = domains.index[shape.groups[group][1]]
        objects = [positions[shape.atoms[p].obj] for p in shape.group_atoms[group]]
        named = arr.take(objects, axis=axis)
        if not shape.exhaustive[group]:
            # Total minus the named objects; the round-off of the difference can dip
            # a hair below 0 (about 1e-17), so clip.
            other = arr.sum(axis=axis, keepdims=True) - named.sum(axis=axis, keepdims=True)
            named = np.concatenate([named, np.maximum(other, 0.0)], axis=axis)
        arr = named
    return arr


def _subject_mass(
    joint: Joint, subject: str, rels: tuple[str, ...], domains: _DomainIndex
) -> np.ndarray:
    expected = tuple(domains.size[r] for r in rels)
    if math.prod(expected) > MAX_JOINT_CELLS:
        raise ValueError(
            f"the formula needs the joint of {subject!r} over {rels!r}: {math.prod(expected):,} cells, "
            f"more than MAX_JOINT_CELLS={MAX_JOINT_CELLS:,}; split the formula"
        )
    arr = np.asarray(joint(subject, rels), dtype=float)
    if arr.shape != expected:
        raise ValueError(
            f"joint({subject!r}, {rels!r}) has shape {arr.shape}, expected {expected} (the domain sizes)"
        )
    total = arr.sum()
    if not (arr.min() >= 0.0 and abs(total - 1.0) <= _JOINT_SUM_TOL):
        raise ValueError(
            f"joint({subject!r}, {rels!r}) is not a distribution: min {arr.min()}, sum {total}"
        )
    return arr


def _class_mass(
    shape: _Shape, masses: Callable[[str, tuple[str, ...]], np.ndarray], domains: _DomainIndex
) -> np.ndarray:
    """The probability of each value-class cell: per subject collapsed, then outer products."""
    group_subject = shape.key[2]
    mass = None
    start = 0
    while start < len(group_subject):
        stop = start
        while stop < len(group_subject) and group_subject[stop] == group_subject[start]:
            stop += 1
        groups = range(start, stop)
        subject = shape.groups[start][0]
        rels = tuple(shape.groups[g][1] for g in groups)
        part = _collapse(masses(subject, rels), shape, groups, domains)
        mass = part if mass is None else np.multiply.outer(mass, part)
        start = stop
    return mass.ravel()


def _probability(
    shape: _Shape,
    masses: Callable[[str, tuple[str, ...]], np.ndarray],
    domains: _DomainIndex,
    cell_cache: dict | None = None,
) -> float:
    if cell_cache is None:
        mass = _class_mass(shape, masses, domains)
    else:
        # The cells depend on the (subject, relation) groups and the objects named
        # in each, in order: "A", "not A", "A or (not A)" share them, for instance.
        key = (shape.groups, tuple(tuple(shape.atoms[p].obj for p in g) for g in shape.group_atoms))
        mass = cell_cache.get(key)
        if mass is None:
            mass = cell_cache[key] = _class_mass(shape, masses, domains)
    p = float(mass @ _truth_cells(shape.key))
    return min(max(p, 0.0), 1.0)  # a sum of masses may round a hair outside [0, 1]


def formula_probability(sentence: Sentence, joint: Joint, domains: Domains) -> float:
    """The exact probability of ``sentence`` under a joint distribution, by model enumeration.

    Atoms of different subjects are independent; atoms of one subject are
    evaluated on that subject's joint (never an independence shortcut).

    Args:
        sentence: any sentence.
        joint: ``joint(subject, relations)`` returns the exact joint distribution of
            that subject's values for ``relations`` (a tuple of relation names, in
            first-appearance order in the sentence): an array of shape
            ``tuple(len(domains[r]) for r in relations)`` summing to 1.
        domains: relation -> its objects (a :class:`Vocabulary` works too).

    Returns:
        The probability, in [0, 1].

    Raises:
        ValueError: if an atom's relation or object is not in ``domains``, or
            ``joint`` returns an array of the wrong shape or not a distribution.

    Example:
        >>> import numpy as np
        >>> from coherence import Atom, Implies
        >>> domains = {"colour": ["red", "blue"], "size": ["big", "small"]}
        >>> table = np.array([[0.4, 0.1], [0.2, 0.3]])  # P(colour, size) of "ball"
        >>> def joint(subject, relations):
        ...     return table if relations == ("colour", "size") else table.T
        >>> red, big = Atom("ball", "colour", "red"), Atom("ball", "size", "big")
        >>> round(formula_probability(Implies(red, big), joint, domains), 12)
        0.9
    """
    index = _domain_index(domains)
    if index is None:
        raise ValueError("formula_probability needs the domains of the relations")
    shape = _shape(sentence, index)
    return _probability(shape, lambda s, rels: _subject_mass(joint, s, rels, index), index)


def formula_probabilities(sentences: Iterable[Sentence], joint: Joint, domains: Domains) -> np.ndarray:
    """:func:`formula_probability` of many sentences, asking ``joint`` once per (subject, relations).

    Sentences that name the same objects of the same subjects and relations (such
    as A, ``not A`` and ``A or (not A)``) also share the summed class masses.

    Example:
        >>> import numpy as np
        >>> from coherence import Atom, Not
        >>> joint = lambda subject, relations: np.array([0.25, 0.75])
        >>> a = Atom("coin", "lands", "heads")
        >>> formula_probabilities([a, Not(a)], joint, {"lands": ["heads", "tails"]})
        array([0.25, 0.75])
    """
    index = _domain_index(domains)
    if index is None:
        raise ValueError("formula_probabilities needs the domains of the relations")
    joint_cache: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}
    cell_cache: dict = {}

    def masses(subject: str, rels: tuple[str, ...]) -> np.ndarray:
        found = joint_cache.get((subject, rels))
        if found is None:
            found = joint_cache[(subject, rels)] = _subject_mass(joint, subject, rels, index)
        return found

    return np.array([_probability(_shape(s, index), masses, index, cell_cache) for s in sentences], dtype=float)
