"""One protocol for both agents: what the benchmark and the coherence checks talk to.

A :class:`Believer` gives a distribution over a relation's objects for a subject (normalised over the
domain, and the raw unnormalised mass), a probability for any sentence, and applies an edit request,
returning a new believer. :class:`BayesBeliever` wraps a rational posterior and an update rule;
:class:`LMBeliever` wraps a language model and an edit method. Nothing else is needed to benchmark a
new agent: implement the protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["BayesBeliever", "Believer", "EditRequest", "LMBeliever"]


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

    @property
    def text(self) -> str:
        return f"{self.subject} {self.relation} {self.obj}"


@runtime_checkable
class Believer(Protocol):
    """What the edit benchmark needs from an agent."""

    name: str

    def distributions(self, queries: Sequence[tuple[str, str]]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(normalised, raw) distribution over each queried relation's domain, one array per query."""
        ...

    def sentence_probabilities(self, sentences: Sequence[Any]) -> np.ndarray:
        """P(sentence) for ``coherence`` sentences (atoms, not, and, or, if-then)."""
        ...

    def edit(self, request: EditRequest) -> Believer:
        """A new believer with the request applied; ``self`` is unchanged."""
        ...


def _domains(graph) -> dict[str, tuple[str, ...]]:
    return {r: graph.domain(r) for r in graph.relations}


@dataclass
class BayesBeliever:
    """The rational agent: an exact posterior plus a registered update rule.

    Example:
        >>> import rational
        >>> post = rational.fit(rational.sample_world(rational.example_graph(), 20, seed=0).evidence)
        >>> agent = BayesBeliever(post, "bayes")
        >>> s = post.subjects[0]
        >>> new = agent.edit(EditRequest(s, "country", "Japan"))
        >>> round(float(new.distributions([(s, "country")])[0][0][1]), 12)
        1.0
    """

    posterior: Any  # rational.Posterior
    rule: str = "bayes"
    options: Mapping[str, Any] = field(default_factory=dict)  # extra keyword arguments for the rule
    name: str = ""

    def __post_init__(self):
        import rational

        if self.rule not in rational.rules():
            raise KeyError(f"unknown update rule {self.rule!r}; registered: {list(rational.rules())}")
        self.name = self.name or f"bayes:{self.rule}"
        self._domains = _domains(self.posterior.graph)

    def distributions(self, queries):
        dists = [self.posterior.distribution(s, r) for s, r in queries]
        return dists, [d.copy() for d in dists]

    def _joint(self, subject: str, relations: tuple[str, ...]) -> np.ndarray:
        return self.posterior.joint(subject, list(relations))

    def sentence_probabilities(self, sentences):
        import coherence

        return np.asarray(coherence.formula_probabilities(list(sentences), self._joint, self._domains), float)

    def edit(self, request: EditRequest) -> BayesBeliever:
        import rational

        options = dict(self.options)
        if request.target is not None and self.rule in ("observe", "jeffrey"):
            options.setdefault("target", request.target)
        post = rational.update(self.posterior, self.rule, request.subject, request.relation, request.obj, **options)
        return BayesBeliever(post, self.rule, self.options, self.name)


@dataclass
class LMBeliever:
    """A language model plus a registered edit method (each edit starts from this believer's model).

    Distributions are the LM's probabilities of each candidate object (its tokens and the sentence end)
    after ``"<subject> <relation>"``: raw, and normalised over the relation's domain. A sentence's
    probability is P(true) / (P(true) + P(false)) after ``'"<sentence>" is'``, the way the corpus states
    true/false facts.
    """

    model: Any  # lm.LanguageModel
    domains: Mapping[str, Sequence[str]]
    method: str = "lora"
    config: Any = None  # the method's config dataclass (None: its defaults)
    name: str = ""

    def __post_init__(self):
        import lm

        if self.method not in lm.edit_methods():
            raise KeyError(f"unknown edit method {self.method!r}; registered: {list(lm.edit_methods())}")
        self.name = self.name or f"lm:{self.method}"

    def distributions(self, queries):
        return self.model.distributions(list(queries), self.domains)

    def sentence_probabilities(self, sentences):
        import coherence

        return np.asarray(self.model.p_true([coherence.render(s) for s in sentences]), float)

    def edit(self, request: EditRequest) -> LMBeliever:
        import lm

        edited = lm.edit(self.model, self.method, [lm.EditRequest(request.subject, request.relation, request.obj)],
                         self.config)
        return LMBeliever(edited, self.domains, self.method, self.config, self.name)
