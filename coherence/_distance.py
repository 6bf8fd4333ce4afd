"""Coherence distance: the smallest change that makes stated probabilities coherent.

Probabilities ``p_i`` for sentences ``s_i`` are coherent when one distribution
``q`` over the truth assignments of their atoms, restricted to the assignments
the background knowledge allows, gives them all: ``p_i = sum_w q(w) [s_i true in
w]``. The distance is ``min ||T q - p||`` over such ``q``, a linear programme:

* L1: minimise ``sum(u + v)`` subject to ``T q - u + v = p``, ``sum(q) = 1``,
  ``q, u, v >= 0``;
* L-infinity: minimise ``t`` subject to ``-t <= T q - p <= t``, ``sum(q) = 1``,
  ``q >= 0``;

with ``T[i, w] = 1`` when sentence i holds in assignment w. The allowed
assignments are enumerated directly: for each (subject, relation), either no
object holds (unless the atoms cover its domain) or exactly one does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ._logic import Domains, _allowed_rows, _domain_index, _eval_skeleton, _skeleton
from ._probs import as_probabilities
from ._sentence import Atom, Sentence, render

__all__ = ["coherence_distance", "allowed_assignments", "MAX_ATOMS"]

MAX_ATOMS = 20
"""Default cap on distinct atoms: the LP has one column per allowed assignment (up to
2**atoms). Measured on one core: 16 independent atoms take about 1.5 s, 20 about 30-50 s."""

# HiGHS's default feasibility tolerances are 1e-7; coherent inputs must come out
# at distance ~0, well below the 1e-9 the tests ask for, so tighten them.
_HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def allowed_assignments(atom_list: Sequence[Atom], domains: Domains | None = None) -> np.ndarray:
    """Every truth assignment of ``atom_list`` that the background knowledge allows.

    Returns:
        Boolean array of shape ``(n_assignments, len(atom_list))``; row w gives each
        atom's truth value in assignment w.

    Example:
        >>> from coherence import Atom
        >>> x = [Atom("Chad", "currency", "franc"), Atom("Chad", "currency", "euro")]
        >>> allowed_assignments(x).astype(int).tolist()
        [[0, 0], [1, 0], [0, 1]]
        >>> allowed_assignments(x, {"currency": ["franc", "euro"]}).astype(int).tolist()
        [[1, 0], [0, 1]]
    """
    index = _domain_index(domains)
    atom_list = list(dict.fromkeys(atom_list))
    groups: dict[tuple[str, str], int] = {}
    atom_group = []
    for atom in atom_list:
        if index is not None:
            index.check(atom)
        atom_group.append(groups.setdefault((atom.subject, atom.relation), len(groups)))
    sizes = [0] * len(groups)
    for group in atom_group:
        sizes[group] += 1
    exhaustive = tuple(
        index is not None and sizes[g] == index.size[rel] for (_, rel), g in groups.items()
    )
    return _allowed_rows(tuple(atom_group), exhaustive).copy()


def coherence_distance(
    sentences: Iterable[Sentence],
    probs: Iterable[float],
    norm: str = "l1",
    domains: Domains | None = None,
    *,
    max_atoms: int = MAX_ATOMS,
) -> tuple[float, np.ndarray]:
    """The smallest change to ``probs`` that makes them jointly coherent, and the result.

    Args:
        sentences: the sentences (repeats allowed: each occurrence is one constraint).
        probs: their stated probabilities, in [0, 1].
        norm: ``"l1"`` (sum of absolute changes) or ``"linf"`` (largest change).
        domains: relation -> its objects; enables "exactly one object holds" where
            the atoms cover a domain (a :class:`Vocabulary` works too).
        max_atoms: refuse more distinct atoms than this (the LP is exponential in them).

    Returns:
        ``(distance, nearest)``: the distance in the chosen norm, and one coherent
        vector of probabilities at that distance (the nearest one need not be unique).

    Raises:
        ValueError: for an unknown norm, mismatched lengths, a probability NaN or
            outside [0, 1], more than ``max_atoms`` atoms, or an atom not in ``domains``.
        RuntimeError: if the LP solver fails.

    Example:
        >>> from coherence import Atom, Not
        >>> a = Atom("Chad", "currency", "franc")
        >>> distance, nearest = coherence_distance([a, Not(a)], [0.7, 0.5])
        >>> round(distance, 9), float(nearest.sum())
        (0.2, 1.0)
    """
    from scipy import sparse  # imported here: scipy.optimize takes ~0.3 s to import
    from scipy.optimize import linprog

    if norm not in ("l1", "linf"):
        raise ValueError(f"norm must be 'l1' or 'linf', got {norm!r}")
    sentence_list = list(sentences)
    p = as_probabilities(list(probs), len(sentence_list), lambda i: render(sentence_list[i]))
    m = len(sentence_list)
    if m == 0:
        return 0.0, np.zeros(0)
    index: dict[Atom, int] = {}
    skeletons = [_skeleton(s, index) for s in sentence_list]  # one atom numbering for all
    if len(index) > max_atoms:
        raise ValueError(
            f"coherence_distance: {len(index)} distinct atoms, more than max_atoms={max_atoms}; "
            "the LP has one column per truth assignment (up to 2**atoms), so split the set"
        )
    worlds = allowed_assignments(list(index), domains)  # (n_worlds, n_atoms)
    leaves = [worlds[:, k] for k in range(worlds.shape[1])]
    truth = np.vstack(
        [np.broadcast_to(_eval_skeleton(sk, leaves), (len(worlds),)) for sk in skeletons]
    )  # (m, n_worlds)
    table = sparse.csr_array(truth).astype(float)
    n_worlds = len(worlds)
    ones_row = sparse.csr_array(np.ones((1, n_worlds)))
    identity = sparse.eye_array(m, format="csr")
    if norm == "l1":
        # Variables: q (n_worlds), u (m), v (m).
        cost = np.concatenate([np.zeros(n_worlds), np.ones(2 * m)])
        a_eq = sparse.vstack(
            [
                sparse.hstack([ones_row, sparse.csr_array((1, 2 * m))]),
                sparse.hstack([table, -identity, identity]),
            ],
            format="csr",
        )
        result = linprog(
            cost, A_eq=a_eq, b_eq=np.concatenate([[1.0], p]), bounds=(0, None),
            method="highs-ds", options=_HIGHS_OPTIONS,
        )
    else:
        # Variables: q (n_worlds), t.
        cost = np.zeros(n_worlds + 1)
        cost[-1] = 1.0
        column = sparse.csr_array(np.ones((m, 1)))
        a_ub = sparse.vstack([sparse.hstack([table, -column]), sparse.hstack([-table, -column])], format="csr")
        a_eq = sparse.hstack([ones_row, sparse.csr_array((1, 1))], format="csr")
        result = linprog(
            cost, A_ub=a_ub, b_ub=np.concatenate([p, -p]), A_eq=a_eq, b_eq=[1.0],
            bounds=(0, None), method="highs-ds", options=_HIGHS_OPTIONS,
        )
    if result.status != 0:
        raise RuntimeError(f"coherence_distance: the LP solver failed: {result.message}")
    q = np.clip(result.x[:n_worlds], 0.0, None)
    q /= q.sum()
    nearest = np.clip(table @ q, 0.0, 1.0)
    gap = np.abs(nearest - p)
    distance = float(gap.sum() if norm == "l1" else gap.max())
    return distance, nearest
