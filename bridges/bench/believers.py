"""The agents of the benchmark behind the :class:`~bridges.Believer` protocol.

:class:`BayesBeliever` wraps a rational posterior and an update rule; :class:`LMBeliever` wraps a
language model and an edit method (for a method registered with a teacher, a :class:`Teacher` supplies
the beliefs that should follow from each edit). Nothing else is needed to benchmark a new agent:
implement the protocol (:mod:`bridges.bench.protocol`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .protocol import Believer, EditedList, EditRequest

__all__ = ["BayesBeliever", "DatabaseBeliever", "LMBeliever", "PostEditBeliefs", "TaughtRequest", "Teacher",
           "TeacherSettings"]


@dataclass
class BayesBeliever:
    """The rational agent: an exact posterior plus a registered update rule.

    ``known`` holds post-edit beliefs computed once and stored (:class:`PostEditBeliefs`, written by the
    pipeline's requests stage): an edit of a known request answers the edited subject's distributions
    from them, and updates the posterior itself only when asked for sentence probabilities.

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
    known: Mapping[EditRequest, Mapping[str, tuple[np.ndarray, np.ndarray]]] | None = None  # request ->
    #   relation -> (distribution, mention distribution) of the edited subject after the edit

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

    def conditional_probabilities(self, pairs) -> np.ndarray:
        """P(B | A) for each (A, B): the posterior conditioned on A (``bayes``), B's exact probability under it."""
        import rational

        out = []
        for a, sentence in pairs:
            told = rational.update(self.posterior, "bayes", a.subject, a.relation, a.obj)
            out.append(BayesBeliever(told, self.rule, self.options, self.name).sentence_probabilities([sentence])[0])
        return np.asarray(out, float)

    def update(self, request: EditRequest) -> BayesBeliever:
        """The rule applied to the posterior (a request's ``target`` goes to rules that take one)."""
        import rational

        options = dict(self.options)
        if getattr(request, "target", None) is not None and "target" in rational.rule_options(self.rule):
            options.setdefault("target", request.target)
        post = rational.update(self.posterior, self.rule, request.subject, request.relation, request.obj, **options)
        return BayesBeliever(post, self.rule, self.options, self.name)

    def edit(self, request: EditRequest, seed: int = 0) -> Believer:
        if self.known is not None and request in self.known:
            return _KnownEdit(self, request, self.known[request])
        return self.update(request)


class _KnownEdit:
    """A :class:`BayesBeliever` after a request whose beliefs about the edited subject were stored: those
    come from the store, other subjects' from the unchanged posterior (updates hold the population fixed),
    and the update itself is made only for sentence probabilities (joints) or a further edit."""

    def __init__(self, base: BayesBeliever, request: EditRequest, beliefs):
        self.base, self.request, self.beliefs, self.name = base, request, beliefs, base.name
        self._updated: BayesBeliever | None = None

    def domain(self, relation: str):
        return self.base.domain(relation)

    def _pick(self, queries, which: int, other):
        s = self.request.subject
        out = [self.beliefs[r][which].copy() if q == s else None for q, r in queries]
        rest = [k for k, x in enumerate(out) if x is None]
        for k, x in zip(rest, other([queries[k] for k in rest]) if rest else []):
            out[k] = x
        return out

    def distributions(self, queries):
        queries = list(queries)
        dists = self._pick(queries, 0, lambda qs: self.base.distributions(qs)[0])
        return dists, [d.copy() for d in dists]

    def mention_distributions(self, queries):
        if any(m is None for _, m in self.beliefs.values()):  # stored without them: from the update itself
            return self.updated().mention_distributions(queries)
        return self._pick(list(queries), 1, self.base.mention_distributions)

    def updated(self) -> BayesBeliever:
        if self._updated is None:
            self._updated = self.base.update(self.request)
        return self._updated

    def sentence_probabilities(self, sentences):
        return self.updated().sentence_probabilities(sentences)

    def edit(self, request: EditRequest, seed: int = 0) -> Believer:
        return self.updated().edit(request, seed)


@dataclass
class PostEditBeliefs:
    """What each reference believes about an edited subject's relations after each request, computed once
    (:meth:`compute`) and stored with the requests (:meth:`save`, :meth:`load`: an ``.npz`` of float64
    arrays, exact), so request sampling, the teacher and the evaluation need not update the agent again.

    Attributes:
        requests: the edit requests, in order.
        relations: the graph's relations; a row holds them concatenated, each over its domain.
        sizes: each relation's domain size.
        dist, mention: reference name -> (n_requests, sum of sizes) post-edit distributions and predictive
            distributions of the next mention (the latter where the reference gives them).

    Example:
        >>> import rational
        >>> post = rational.fit(rational.sample_world(rational.example_graph(), 20, seed=0).evidence)
        >>> ref = {"bayes:bayes": BayesBeliever(post)}
        >>> req = EditRequest(post.subjects[0], "country", "Japan")
        >>> stored = PostEditBeliefs.compute(ref, [req], post.graph)
        >>> known = stored.known("bayes:bayes")[req]
        >>> bool((known["language"][0] == ref["bayes:bayes"].edit(req).distributions([(req.subject, "language")])[0][0]).all())
        True
    """

    requests: tuple[EditRequest, ...]
    relations: tuple[str, ...]
    sizes: tuple[int, ...]
    dist: dict[str, np.ndarray]
    mention: dict[str, np.ndarray]

    @classmethod
    def compute(cls, references: Mapping[str, Believer], requests: Sequence[EditRequest], graph) -> PostEditBeliefs:
        from .protocol import MentionPredictor

        relations = tuple(graph.relations)
        sizes = tuple(graph.size_of(r) for r in relations)
        dist, mention = {}, {}
        for name, ref in references.items():
            rows, mrows = [], []
            for request in requests:
                edited = ref.edit(request)
                queries = [(request.subject, r) for r in relations]
                rows.append(np.concatenate(edited.distributions(queries)[0]))
                if isinstance(edited, MentionPredictor):
                    mrows.append(np.concatenate(edited.mention_distributions(queries)))
            dist[name] = np.asarray(rows, dtype=np.float64).reshape(len(requests), sum(sizes))
            if len(mrows) == len(requests) and mrows:
                mention[name] = np.asarray(mrows, dtype=np.float64)
        return cls(tuple(requests), relations, sizes, dist, mention)

    def known(self, name: str) -> dict[EditRequest, dict[str, tuple[np.ndarray, np.ndarray | None]]]:
        """request -> relation -> (post-edit distribution, mention distribution or None) of reference ``name``."""
        if name not in self.dist:
            raise KeyError(f"no stored post-edit beliefs of {name!r}; stored: {sorted(self.dist)}")
        bounds = np.cumsum((0, *self.sizes))
        d, m = self.dist[name], self.mention.get(name)
        return {req: {r: (d[i, a:b], None if m is None else m[i, a:b])
                      for r, a, b in zip(self.relations, bounds[:-1], bounds[1:])}
                for i, req in enumerate(self.requests)}

    def save(self, path) -> None:
        """Write an ``.npz`` (arrays ``dist:<name>``, ``mention:<name>``) beside nothing else: the requests
        and relations are the caller's (the pipeline keeps them in requests.json)."""
        import io

        from .._io import atomic_write_bytes

        buf = io.BytesIO()
        np.savez(buf, **{f"dist:{k}": v for k, v in self.dist.items()},
                 **{f"mention:{k}": v for k, v in self.mention.items()})
        atomic_write_bytes(path, buf.getvalue())

    @classmethod
    def load(cls, path, requests: Sequence[EditRequest], graph) -> PostEditBeliefs:
        relations = tuple(graph.relations)
        sizes = tuple(graph.size_of(r) for r in relations)
        with np.load(path, allow_pickle=False) as data:
            dist = {k.split(":", 1)[1]: data[k] for k in data.files if k.startswith("dist:")}
            mention = {k.split(":", 1)[1]: data[k] for k in data.files if k.startswith("mention:")}
        for name, a in [*dist.items(), *mention.items()]:
            if a.shape != (len(requests), sum(sizes)):
                raise ValueError(f"{path}: stored beliefs of {name!r} have shape {a.shape}, expected "
                                 f"{(len(requests), sum(sizes))} for {len(requests)} requests; run the requests "
                                 "stage again")
        return cls(tuple(requests), relations, sizes, dist, mention)


@dataclass(frozen=True)
class TeacherSettings:
    """[teacher]: the settings of the teacher of edit methods registered with one (``lm``'s ``rational``)."""

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
    true/false facts. What the method can do comes from its registration (:class:`lm.EditMethod`): a
    batched method trains a chunk's edits together, a prefix method scores them as per-row prefixes, and
    a teacher method gets each request with the ``teacher``'s post-edit beliefs.
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
        self.registration = lm.get_edit_method(self.method)
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

    def distributions_in_context(self, queries, contexts):
        """The LM's distributions with ``contexts[j]`` read before query j (one packed pass)."""
        return self.model.distributions(list(queries), self.domains, prefixes=list(contexts))

    def conditional_probabilities(self, pairs) -> np.ndarray:
        """P(B | A told) for each (A, B): the LM reads ``"A ."`` and then judges B (P(true) after ``'"B" is'``)."""
        import coherence

        return np.asarray(self.model.p_true([coherence.render(s) for _, s in pairs],
                                            prefixes=[f"{coherence.render(a)} ." for a, _ in pairs]), float)

    def generates(self, facts) -> np.ndarray:
        """Greedy generation after ``"subject relation"`` gives exactly each fact's object (one batched pass)."""
        return np.asarray(self.model.fact_correct(facts), bool)

    def taught(self, request: EditRequest, seed: int):
        """The request as the method is given it: with the teacher's post-edit beliefs for a teacher method."""
        if self.registration.teacher and self.teacher is not None:
            return self.teacher.teach(request, seed)
        return request

    def counterpart(self) -> tuple[str, dict, str] | None:
        """The rational agent's update that says what this method's edit says, as its registration gives it:
        ``(rule, options, label)``, or None."""
        c = self.registration.counterpart
        return None if c is None else c(self._config())

    def _config(self):
        return self.config if self.config is not None else self.registration.config_cls()

    def edit(self, request: EditRequest, seed: int = 0) -> LMBeliever:
        import lm
        import torch

        torch.manual_seed(seed)
        edited = lm.edit(self.model, self.method, [self.taught(request, seed)], self.config)
        return LMBeliever(edited, self.domains, self.method, self.config, self.name, self.teacher)

    def edit_together(self, requests: Sequence[EditRequest], seed: int = 0) -> LMBeliever:
        """All ``requests`` in ONE edit (for LoRA: one adapter trained on all of them)."""
        import lm
        import torch

        torch.manual_seed(seed)
        edited = lm.edit(self.model, self.method, [self.taught(r, seed) for r in requests], self.config)
        return LMBeliever(edited, self.domains, self.method, self.config, self.name, self.teacher)

    def taught_by(self, reference: Believer) -> LMBeliever:
        """The same LM and method, its teacher's reference replaced (no teacher, no change)."""
        import dataclasses

        if self.teacher is None or not self.registration.teacher:
            return self
        return dataclasses.replace(self, teacher=dataclasses.replace(self.teacher, reference=reference))

    def edit_many(self, requests: Sequence[EditRequest], seeds: Sequence[int]):
        """Independent edits of every request, trained in one batch where the method is batched and scored in
        one batch (a prefix method's edits as per-row prefixes)."""
        import lm

        m = self.registration
        if m.batched:
            batch = lm.edit_many(self.model, self.method, [self.taught(r, s) for r, s in zip(requests, seeds)],
                                 self.config)
            return _LMEdited(self, batch=batch)
        if m.prefix is not None:
            return _LMEdited(self, prefixes=[m.prefix([r], self._config()) for r in requests])
        return EditedList([self.edit(r, s) for r, s in zip(requests, seeds)])

    def trace(self, requests: Sequence[EditRequest], seeds: Sequence[int], points: int) -> dict | None:
        """P(requested object) after k edit steps for k at ``points`` values from 0 to the config's ``steps``
        (one batched run observed step by step for a batched method, else one edit per k); None for a method
        without steps. A k-step value is what a ``steps=k`` edit gives (the learning rate does not depend on
        the number of steps)."""
        import dataclasses

        import lm
        import torch

        config = self._config()
        if not hasattr(config, "steps"):
            return None
        steps = np.unique(np.linspace(0, config.steps, points).round().astype(int)).tolist()
        queries = [(r.subject, r.relation) for r in requests]
        targets = [list(self.domains[r.relation]).index(r.obj) for r in requests]
        probs = {0: [float(d[t]) for d, t in zip(self.distributions(queries)[0], targets)]}
        if self.registration.batched:
            def observe(k, edits):
                if k in steps:
                    norm = edits.distributions(range(len(requests)), queries, self.domains)[0]
                    probs[k] = [float(d[t]) for d, t in zip(norm, targets)]

            lm.edit_many(self.model, self.method, [self.taught(r, s) for r, s in zip(requests, seeds)], config,
                         on_step=observe)
        else:
            for k in steps[1:]:
                probs[k] = []
                for r, s, q, t in zip(requests, seeds, queries, targets):
                    torch.manual_seed(s)
                    edited = lm.edit(self.model, self.method, [self.taught(r, s)], dataclasses.replace(config, steps=k))
                    probs[k].append(float(edited.distributions([q], self.domains)[0][0][t]))
        return {"steps": steps, "p_requested": [[probs[k][i] for k in steps] for i in range(len(requests))]}


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


@dataclass
class DatabaseBeliever:
    """A database: it stores exactly what it was told and answers nothing else.

    Told a fact, it gives it back with certainty (the most recent statement wins: an edit or a context
    overrides the corpus; within the corpus, the object mentioned most often, several tied ones shared);
    about anything it was never told it is indifferent (uniform over the domain: no answer, scored as wrong,
    see :func:`bridges.bench.protocol.top`). It infers nothing: a held-out fact, a downstream consequence
    of an edit or of a context, all stay where they were. The benchmark runs it as a row beside the LM and
    the rational agent: the zero of "agent or database?".

    Example:
        >>> import bridges
        >>> world = bridges.build_world("tiny", n_subjects=10)
        >>> db = DatabaseBeliever.from_evidence(world.evidence)
        >>> s = world.subjects[0]
        >>> edited = db.edit(EditRequest(s, "country of citizenship", "Japan"))
        >>> p = edited.distributions([(s, "country of citizenship"), (s, "native language")])[0]
        >>> float(p[0][list(db.domain("country of citizenship")).index("Japan")]), bool((p[1] == db.distributions(
        ...     [(s, "native language")])[0][0]).all())
        (1.0, True)
    """

    domains: Mapping[str, Sequence[str]]
    told: Mapping[tuple[str, str], Mapping[str, float]]  # (subject, relation) -> {object: times told}
    name: str = "database"

    @classmethod
    def from_evidence(cls, evidence, name: str = "database") -> DatabaseBeliever:
        """What a corpus told it: every mention (statements are not facts it stores)."""
        g = evidence.graph
        told: dict[tuple[str, str], dict[str, float]] = {}
        for r in g.relations:
            s_idx, o_idx = evidence.mentions(r)
            for s, o in zip(s_idx.tolist(), o_idx.tolist()):
                row = told.setdefault((evidence.subjects[s], r), {})
                obj = g.domain(r)[o]
                row[obj] = row.get(obj, 0.0) + 1.0
        return cls({r: tuple(g.domain(r)) for r in g.relations}, told, name)

    def domain(self, relation: str) -> Sequence[str]:
        return self.domains[relation]

    def _answer(self, subject: str, relation: str, told) -> np.ndarray:
        dom = self.domains[relation]
        row = told.get((subject, relation))
        if not row:
            return np.full(len(dom), 1.0 / len(dom))
        best = max(row.values())
        p = np.array([1.0 if row.get(o, 0.0) == best else 0.0 for o in dom])
        return p / p.sum()

    def distributions(self, queries):
        dists = [self._answer(s, r, self.told) for s, r in queries]
        return dists, [d.copy() for d in dists]

    def _read(self, context: str) -> dict:
        """What a context tells it, on top of what it knew (a fact stated there overrides the corpus)."""
        told = dict(self.told)
        stated: dict[tuple[str, str], dict[str, float]] = {}
        for sentence in (t.strip() for t in context.split(" .")):
            if not sentence:
                continue
            for r, dom in self.domains.items():  # "subject relation object": find the relation and object
                for o in dom:
                    tail = f" {r} {o}"
                    if sentence.endswith(tail) and len(sentence) > len(tail):
                        row = stated.setdefault((sentence[: -len(tail)], r), {})
                        row[o] = row.get(o, 0.0) + 1.0
        told.update(stated)
        return told

    def distributions_in_context(self, queries, contexts):
        cache: dict[str, dict] = {}
        dists = []
        for (s, r), c in zip(queries, contexts):
            if c not in cache:
                cache[c] = self._read(c)
            dists.append(self._answer(s, r, cache[c]))
        return dists, [d.copy() for d in dists]

    def sentence_probabilities(self, sentences, told=None):
        """The probability of each sentence under its stored answers taken as independent facts (it stores no
        dependence between facts)."""
        import coherence

        told = self.told if told is None else told

        def joint(subject, relations):
            out = np.ones(())
            for r in relations:
                out = np.multiply.outer(out, self._answer(subject, r, told))
            return out

        return np.asarray(coherence.formula_probabilities(list(sentences), joint, dict(self.domains)), float)

    def conditional_probabilities(self, pairs) -> np.ndarray:
        """P(B | A told): A stored (it overrides what it knew of that fact), B judged on what it then holds."""
        out = []
        for a, sentence in pairs:
            told = {**self.told, (a.subject, a.relation): {a.obj: 1.0}}
            out.append(self.sentence_probabilities([sentence], told)[0])
        return np.asarray(out, float)

    def edit(self, request: EditRequest, seed: int = 0) -> DatabaseBeliever:
        return DatabaseBeliever(self.domains, {**self.told, (request.subject, request.relation): {request.obj: 1.0}},
                                self.name)

    def edit_together(self, requests, seed: int = 0) -> DatabaseBeliever:
        told = dict(self.told)
        for r in requests:
            told[(r.subject, r.relation)] = {r.obj: 1.0}
        return DatabaseBeliever(self.domains, told, self.name)
