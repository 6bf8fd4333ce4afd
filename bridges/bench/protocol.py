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

__all__ = ["BatchEditor", "Believer", "Conditioner", "EditRequest", "Edited", "EditedList", "Generator", "JointEditor",
           "MentionPredictor",
           "Reader", "StepTracer", "Taught", "edit_all", "top"]


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


@runtime_checkable
class Edited(Protocol):
    """The edited believers of a batch of requests (``edited[i]`` answers for request i), scored together.

    An agent that can edit many requests at once (``edit_many(requests, seeds) -> Edited``; the LM's
    LoRA, fine-tuning and rational edits train them in one batch) returns one of these; any other agent
    is edited request by request and wrapped in :class:`EditedList`.
    """

    def __len__(self) -> int: ...

    def __getitem__(self, i: int) -> Believer: ...

    def distributions(self, rows: Sequence[int], queries: Sequence[tuple[str, str]]
                      ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Query j answered by edited believer ``rows[j]``."""
        ...

    def sentence_probabilities(self, rows: Sequence[int], sentences: Sequence[Any]) -> np.ndarray:
        """Sentence j judged by edited believer ``rows[j]``."""
        ...


# -- optional capabilities: an agent that has one declares it by implementing the method -------------------------
@runtime_checkable
class BatchEditor(Protocol):
    """An agent that edits many requests at once, each independently of the others (the LM's batched
    training edits, per-row prefixes of in-context edits): :func:`edit_all` uses it."""

    def edit_many(self, requests: Sequence[EditRequest], seeds: Sequence[int]) -> Edited: ...


@runtime_checkable
class MentionPredictor(Protocol):
    """An agent that also predicts the next *mention* of a (subject, relation) in the corpus (what an LM trained
    on the corpus is trained to predict): the benchmark compares the LM with it as well."""

    def mention_distributions(self, queries: Sequence[tuple[str, str]]) -> list[np.ndarray]: ...


@runtime_checkable
class Generator(Protocol):
    """An agent that generates text: ``generates(facts)[j]`` says whether greedy generation after
    ``"subject relation"`` gives exactly fact j's object (the knowledge block's generation column)."""

    def generates(self, facts: Sequence[tuple[str, str, str]]) -> np.ndarray: ...


@runtime_checkable
class StepTracer(Protocol):
    """An agent whose edits take training steps: ``trace(requests, seeds, points)`` gives P(requested object)
    after k steps at ``points`` values of k from 0 to the edit's steps (``{"steps": [...], "p_requested":
    [[P after each traced step] per request]}``), or None for an edit without steps."""

    def trace(self, requests: Sequence[EditRequest], seeds: Sequence[int], points: int) -> dict | None: ...


@runtime_checkable
class Taught(Protocol):
    """An agent whose edits are taught by a reference agent's post-edit beliefs (the LM under a method
    registered with a teacher): ``taught_by(reference)`` is the same agent taught by ``reference`` (sequential
    editing teaches each edit by the rational agent as it stands after the earlier ones)."""

    def taught_by(self, reference: Believer) -> Believer: ...


@runtime_checkable
class JointEditor(Protocol):
    """An agent that takes many requests in ONE edit (a LoRA trained on all of them, MEMIT's single update):
    ``edit_together(requests, seed)`` (sequential editing's batch mode)."""

    def edit_together(self, requests: Sequence[EditRequest], seed: int = 0) -> Believer: ...


@runtime_checkable
class Reader(Protocol):
    """An agent that reads a text before each question: ``distributions_in_context(queries, contexts)`` is
    :meth:`Believer.distributions` with ``contexts[j]`` (sentences of the corpus's language, ``"s r o ."``)
    read before query j (the in-context probes, :mod:`bridges.bench.in_context`)."""

    def distributions_in_context(self, queries: Sequence[tuple[str, str]], contexts: Sequence[str]
                                 ) -> tuple[list[np.ndarray], list[np.ndarray]]: ...


@runtime_checkable
class Conditioner(Protocol):
    """An agent that can be told a fact and then judge a sentence: ``conditional_probabilities(pairs)[j]`` is
    its P(B | A told) for ``pairs[j] = (A, B)`` (A an atom, B a sentence): the LM reads ``"A ."`` before
    judging B, the rational agent conditions on A. Compared with its own P(A and B) / P(A) this is the
    conditional check of :func:`coherence.check_axioms`."""

    def conditional_probabilities(self, pairs: Sequence[tuple[Any, Any]]) -> np.ndarray: ...


def top(p) -> int:
    """The index of a distribution's single largest entry, or -1 when several tie for it (an agent indifferent
    between objects has not answered: a uniform distribution is no answer, not the first object).

    Example:
        >>> top(np.array([0.2, 0.5, 0.3])), top(np.array([0.25, 0.25, 0.5])), top(np.full(3, 1 / 3))
        (1, 2, -1)
    """
    p = np.asarray(p)
    k = int(np.argmax(p))
    return k if int(np.sum(p == p[k])) == 1 else -1


class EditedList:
    """Believers edited one by one, behind the batched :class:`Edited` interface.

    Example:
        >>> import rational
        >>> from bridges import BayesBeliever
        >>> post = rational.fit(rational.sample_world(rational.example_graph(), 10, seed=0))
        >>> s = post.subjects[0]
        >>> edited = edit_all(BayesBeliever(post), [EditRequest(s, "country", "Japan")], [0])
        >>> round(float(edited.distributions([0], [(s, "country")])[0][0][1]), 9)
        1.0
    """

    def __init__(self, believers: Sequence[Believer]):
        self.believers = list(believers)

    def __len__(self) -> int:
        return len(self.believers)

    def __getitem__(self, i: int) -> Believer:
        return self.believers[i]

    def _by_row(self, rows, items, score):
        rows = np.asarray(rows, dtype=np.int64)
        out: list = [None] * len(items)
        for i in dict.fromkeys(rows.tolist()):
            at = np.flatnonzero(rows == i)
            for j, value in zip(at, score(self.believers[i], [items[k] for k in at])):
                out[j] = value
        return out

    def distributions(self, rows, queries):
        pairs = self._by_row(rows, list(queries), lambda b, q: list(zip(*b.distributions(q))))
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def sentence_probabilities(self, rows, sentences):
        return np.asarray(self._by_row(rows, list(sentences), lambda b, ss: list(b.sentence_probabilities(ss))),
                          float)


def edit_all(believer: Believer, requests: Sequence[EditRequest], seeds: Sequence[int]) -> Edited:
    """Edit ``believer`` with each request independently: batched where the believer can
    (``edit_many``), one by one otherwise."""
    if isinstance(believer, BatchEditor):
        return believer.edit_many(list(requests), list(seeds))
    return EditedList([believer.edit(r, seed) for r, seed in zip(requests, seeds)])
