"""What the edit benchmark talks to: an edit request and the :class:`Believer` protocol.

:class:`EditRequest` is the toolkit's one request type: ``lm.edit`` and ``rational.update`` accept it (any
object with ``subject``, ``relation`` and ``obj`` attributes) as well as the benchmark.

A :class:`Believer` is anything that holds beliefs about (subject, relation) pairs and can be edited:
the rational agent under an update rule (:class:`bridges.BayesBeliever`), a language model under an edit
method (:class:`bridges.LMBeliever`), or your own agent. The benchmark (:func:`bridges.evaluate`) sees
only this protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["Believer", "EditRequest"]


@dataclass(frozen=True)
class EditRequest:
    """Make the agent believe ``subject relation obj`` (optionally with a target credence).

    Example:
        >>> EditRequest("Ann Lee", "native language", "French").text
        'Ann Lee native language French'
    """

    subject: str
    relation: str
    obj: str
    target: float | None = None  # credence to reach, for rules that take one (None: the rule's default)

    def __post_init__(self):
        for name in ("subject", "relation", "obj"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"EditRequest.{name} must be a non-empty name, got {getattr(self, name)!r}")
        if self.target is not None and (isinstance(self.target, bool) or not isinstance(self.target, (int, float))
                                        or not 0.0 < self.target <= 1.0):
            raise ValueError(f"EditRequest.target must be None or a number in (0, 1], got {self.target!r}")

    @property
    def text(self) -> str:
        return f"{self.subject} {self.relation} {self.obj}"


@runtime_checkable
class Believer(Protocol):
    """What the edit benchmark needs from an agent.

    Example (a minimal agent that believes every object equally and never changes its mind)::

        class Uniform:
            name = "uniform"
            def __init__(self, domains): self.domains = domains
            def domain(self, relation): return self.domains[relation]
            def distributions(self, queries):
                d = [np.full(len(self.domains[r]), 1 / len(self.domains[r])) for _, r in queries]
                return d, [x.copy() for x in d]
            def sentence_probabilities(self, sentences): return np.full(len(sentences), 0.5)
            def edit(self, request, seed=0): return self
    """

    name: str

    def domain(self, relation: str) -> Sequence[str]:
        """The candidate objects of a relation, in the order of the distributions' entries."""
        ...

    def distributions(self, queries: Sequence[tuple[str, str]]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(normalised, raw) distribution over each queried relation's domain, one array per query."""
        ...

    def sentence_probabilities(self, sentences: Sequence[Any]) -> np.ndarray:
        """P(sentence) for ``coherence`` sentences (atoms, not, and, or, if-then)."""
        ...

    def edit(self, request: EditRequest, seed: int = 0) -> Believer:
        """A new believer with the request applied; ``self`` is unchanged. ``seed`` makes a stochastic
        edit reproducible (the benchmark derives it from the request's index)."""
        ...
