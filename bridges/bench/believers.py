"""The agents of the benchmark behind the :class:`~bridges.Believer` protocol.

:class:`BayesBeliever` wraps a rational posterior and an update rule; :class:`LMBeliever` wraps a
language model and an edit method (for the ``rational`` method, with a :class:`Teacher` that supplies
the beliefs that should follow from each edit). Nothing else is needed to benchmark a new agent:
implement the protocol (:mod:`bridges.bench.protocol`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .protocol import Believer, EditedList, EditRequest

__all__ = ["BayesBeliever", "LMBeliever", "TaughtRequest", "Teacher", "TeacherSettings"]


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
        self._joints: dict = {}

    def domain(self, relation: str) -> tuple[str, ...]:
        return self.posterior.graph.domain(relation)

    def distributions(self, queries):
        dists = [self.posterior.distribution(s, r) for s, r in queries]
        return dists, [d.copy() for d in dists]

    def mention_distributions(self, queries) -> list[np.ndarray]:
        """The predictive distribution of the next *mention* of each (subject, relation): what an LM trained
        on the corpus is trained to predict (see :meth:`rational.Posterior.mention_distribution`)."""
        return [self.posterior.mention_distribution(s, r) for s, r in queries]

    def _joint(self, subject: str, relations: tuple[str, ...]) -> np.ndarray:
        key = (subject, tuple(relations))  # many sentences of one request ask the same small joint
        if key not in self._joints:
            self._joints[key] = self.posterior.joint(subject, list(relations))
        return self._joints[key]

    def sentence_probabilities(self, sentences):
        import coherence

        return np.asarray(coherence.formula_probabilities(list(sentences), self._joint, self._domains), float)

    def edit(self, request: EditRequest, seed: int = 0) -> BayesBeliever:
        import rational

        options = dict(self.options)
        if getattr(request, "target", None) is not None and self.rule in ("observe", "jeffrey"):
            options.setdefault("target", request.target)
        post = rational.update(self.posterior, self.rule, request.subject, request.relation, request.obj, **options)
        return BayesBeliever(post, self.rule, self.options, self.name)


@dataclass(frozen=True)
class TeacherSettings:
    """[edit.rational] settings of the teacher (besides those of ``lm.RationalEditConfig``)."""

    rule: str = "bayes"  # the update rule whose post-edit beliefs the LM is taught
    min_shift: float = 0.0  # teach each other relation of the edited subject whose belief moves by at least this
    #                         total variation (0: all of them, also those that should stay as they are)
    anchors: int = 8  # other subjects whose answer for the edited relation must stay where the LM had it

    def __post_init__(self):
        if not 0 <= self.min_shift <= 1:
            raise ValueError(f"min_shift must be in [0, 1], got {self.min_shift}")
        if self.anchors < 0:
            raise ValueError(f"anchors must be non-negative, got {self.anchors}")


@dataclass(frozen=True)
class TaughtRequest:
    """An edit request with the beliefs that follow from it, as plain data for ``lm``'s ``rational`` method.

    Attributes:
        targets: (subject, relation) -> {object: probability}: the teacher's post-edit beliefs.
        anchors: (subject, relation) -> candidate objects whose unedited answers must not move.
    """

    subject: str
    relation: str
    obj: str
    targets: Mapping[tuple[str, str], Mapping[str, float]]
    anchors: Mapping[tuple[str, str], Sequence[str]]


@dataclass
class Teacher:
    """Supplies, for each edit, what a reference agent believes afterwards about the edited subject's
    other relations (those it moves by at least ``min_shift`` in total variation) and a few other subjects
    whose answers should stay put.

    Example:
        >>> import rational
        >>> post = rational.fit(rational.sample_world(rational.example_graph(), 20, seed=0))
        >>> settings = TeacherSettings(min_shift=0.2, anchors=2)
        >>> teacher = Teacher(BayesBeliever(post), post.subjects, post.graph.relations, settings)
        >>> taught = teacher.teach(EditRequest(post.subjects[0], "country", "Japan"), seed=0)
        >>> {r for _, r in taught.targets} <= {"continent", "language", "occupation"}, len(taught.anchors)
        (True, 2)
    """

    reference: Believer
    subjects: Sequence[str]
    relations: Sequence[str]
    settings: TeacherSettings = field(default_factory=TeacherSettings)

    def teach(self, request: EditRequest, seed: int) -> TaughtRequest:
        s, r = request.subject, request.relation
        others = [(s, x) for x in self.relations if x != r]
        pre = self.reference.distributions(others)[0]
        post = self.reference.edit(request, seed).distributions(others)[0]
        targets = {q: dict(zip(self.reference.domain(q[1]), p.tolist())) for q, a, p in zip(others, pre, post)
                   if 0.5 * float(np.abs(p - a).sum()) >= self.settings.min_shift}
        rng = np.random.default_rng([seed, 2])
        pool = [x for x in self.subjects if x != s]
        picks = rng.choice(len(pool), size=min(self.settings.anchors, len(pool)), replace=False)
        anchors = {(pool[i], r): tuple(self.reference.domain(r)) for i in picks}
        return TaughtRequest(s, r, request.obj, targets, anchors)


@dataclass
class LMBeliever:
    """A language model plus a registered edit method (each edit starts from this believer's model).

    Distributions are the LM's probabilities of each candidate object (its tokens and the sentence end)
    after ``"<subject> <relation>"``: raw, and normalised over the relation's domain. A sentence's
    probability is P(true) / (P(true) + P(false)) after ``'"<sentence>" is'``, the way the corpus states
    true/false facts. With ``teacher``, each request is sent with the teacher's post-edit beliefs (the
    ``rational`` method uses them).
    """

    model: Any  # lm.LanguageModel
    domains: Mapping[str, Sequence[str]]
    method: str = "lora"
    config: Any = None  # the method's config dataclass (None: its defaults)
    name: str = ""
    teacher: Teacher | None = None
    cache: dict | None = None  # (subject, relation) -> (normalised, raw): share one dict between believers of
    #                            the same unedited model (its answers are computed once for all methods)

    def __post_init__(self):
        import lm

        if self.method not in lm.edit_methods():
            raise KeyError(f"unknown edit method {self.method!r}; registered: {list(lm.edit_methods())}")
        self.name = self.name or f"lm:{self.method}"

    def domain(self, relation: str) -> Sequence[str]:
        return self.domains[relation]

    def distributions(self, queries):
        queries = list(queries)
        if self.cache is None:
            return self.model.distributions(queries, self.domains)
        missing = list(dict.fromkeys(q for q in queries if q not in self.cache))
        if missing:
            for q, norm, raw in zip(missing, *self.model.distributions(missing, self.domains)):
                self.cache[q] = (norm, raw)
        return [self.cache[q][0] for q in queries], [self.cache[q][1] for q in queries]

    def sentence_probabilities(self, sentences):
        import coherence

        return np.asarray(self.model.p_true([coherence.render(s) for s in sentences]), float)

    def _request(self, request: EditRequest, seed: int):
        return self.teacher.teach(request, seed) if self.teacher is not None else request

    def edit(self, request: EditRequest, seed: int = 0) -> LMBeliever:
        import lm
        import torch

        torch.manual_seed(seed)
        edited = lm.edit(self.model, self.method, [self._request(request, seed)], self.config)
        return LMBeliever(edited, self.domains, self.method, self.config, self.name)

    def edit_many(self, requests: Sequence[EditRequest], seeds: Sequence[int]):
        """Independent edits of every request, trained in one batch where ``lm`` can (lora, ft, rational)
        and scored in one batch (in-context edits as per-row prefixes)."""
        import lm

        if self.method in lm.batched_edit_methods():
            batch = lm.edit_many(self.model, self.method, [self._request(r, s) for r, s in zip(requests, seeds)],
                                 self.config)
            return _LMEdited(self, batch=batch)
        if self.method == "context":
            return _LMEdited(self, prefixes=[lm.context_prefix([r], self.config) for r in requests])
        return EditedList([self.edit(r, s) for r, s in zip(requests, seeds)])


class _LMEdited:
    """Many edits of one LM scored in one batch: an ``lm.EditBatch`` (row j uses edit ``rows[j]``) or
    in-context edits (row j reads prefix ``rows[j]``)."""

    def __init__(self, base: LMBeliever, batch=None, prefixes: Sequence[str] | None = None):
        self.base, self.batch, self.prefixes = base, batch, prefixes

    def __len__(self) -> int:
        return len(self.batch) if self.batch is not None else len(self.prefixes)

    def __getitem__(self, i: int) -> LMBeliever:
        model = self.batch[i] if self.batch is not None else self.base.model.with_prefix(self.prefixes[i])
        return LMBeliever(model, self.base.domains, self.base.method, self.base.config, self.base.name)

    def distributions(self, rows, queries):
        if self.batch is not None:
            return self.batch.distributions(list(rows), list(queries), self.base.domains)
        return self.base.model.distributions(list(queries), self.base.domains,
                                             prefixes=[self.prefixes[i] for i in rows])

    def sentence_probabilities(self, rows, sentences):
        import coherence

        texts = [coherence.render(s) for s in sentences]
        if self.batch is not None:
            return np.asarray(self.batch.p_true(list(rows), texts), float)
        return np.asarray(self.base.model.p_true(texts, prefixes=[self.prefixes[i] for i in rows]), float)
