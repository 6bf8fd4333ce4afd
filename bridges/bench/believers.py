"""The two agents of the benchmark behind the :class:`~bridges.Believer` protocol.

:class:`BayesBeliever` wraps a rational posterior and an update rule; :class:`LMBeliever` wraps a
language model and an edit method. Nothing else is needed to benchmark a new agent: implement the
protocol (:mod:`bridges.bench.protocol`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .protocol import EditRequest

__all__ = ["BayesBeliever", "LMBeliever"]


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
        self._domains = {r: self.posterior.graph.domain(r) for r in self.posterior.graph.relations}

    def domain(self, relation: str) -> tuple[str, ...]:
        return self.posterior.graph.domain(relation)

    def distributions(self, queries):
        dists = [self.posterior.distribution(s, r) for s, r in queries]
        return dists, [d.copy() for d in dists]

    def _joint(self, subject: str, relations: tuple[str, ...]) -> np.ndarray:
        return self.posterior.joint(subject, list(relations))

    def sentence_probabilities(self, sentences):
        import coherence

        return np.asarray(coherence.formula_probabilities(list(sentences), self._joint, self._domains), float)

    def edit(self, request: EditRequest, seed: int = 0) -> BayesBeliever:
        import rational

        options = dict(self.options)
        if getattr(request, "target", None) is not None and self.rule in ("observe", "jeffrey"):
            options.setdefault("target", request.target)
        post = rational.update(self.posterior, self.rule, request, **options)
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

    def domain(self, relation: str) -> Sequence[str]:
        return self.domains[relation]

    def distributions(self, queries):
        return self.model.distributions(list(queries), self.domains)

    def sentence_probabilities(self, sentences):
        import coherence

        return np.asarray(self.model.p_true([coherence.render(s) for s in sentences]), float)

    def edit(self, request: EditRequest, seed: int = 0) -> LMBeliever:
        import lm
        import torch

        torch.manual_seed(seed)
        edited = lm.edit(self.model, self.method, [request], self.config)
        return LMBeliever(edited, self.domains, self.method, self.config, self.name)
