"""In-context belief formation and in-context editing: does the LM read, and does it read as the agent does?

Two probes, each a function of (world, LM, fitted agent, settings) returning records and figures:

**In-context belief formation** (:func:`belief_formation`). New people of the world's population (true
objects from the world's CPTs; names recombined from known name words, never a subject of the corpus)
are described in the context by a random subset of their facts, one sentence ``"{name} {relation}
{object} ."`` each, the object drawn through the world's mention model (the true object with the fact's
reliability, else another one uniformly). The reference is the rational agent's posterior for a new
subject given exactly those mentions: the population CPTs fixed, each sentence one more noisy mention
(``observe`` with one mention). Figures:

* ``unstated``: on every relation the context does not state, the MAE of the LM's distribution against
  the agent's (mean absolute difference over the domain) and the share of top answers that agree;
* ``copy``: P(stated object) when a stated relation is asked back, the LM's beside the agent's (and
  beside the agent's predictive of the next *mention*, what an LM trained on mentions can reach: a
  mention repeats the truth only with the fact's reliability);
* ``shift``: *context shift captured*, the slope through the origin of the LM's change against the
  agent's change of P(agent's new top object) of each downstream relation (not stated) when one upstream
  fact (an ancestor of it) is added to the context, with a cluster-robust 95% interval (clusters =
  people; :func:`bridges.bench.summary.slope_through_origin`). An LM trained on mentions predicts the
  next *mention*, which states the truth only with the fact's reliability, so its ideal slope against
  the agent's beliefs is below 1: ``shift_ceiling`` is the slope of the agent's own next-mention
  predictive against its beliefs (about the mean reliability, 0.8), and ``shift_mention`` the LM's slope
  against that predictive.

**In-context editing** (:func:`in_context_editing`): the ``context`` edit method on requests about the
world's own (known) people: the request stated ``repeats`` times before the question
(:func:`lm.context_prefix`). Figures: the LM's P(o*) before and after, the agent's under ``observe``
with ``repeats`` mentions (the prefix's counterpart), and *locality*: accuracy (top answer = the agent's
top answer) on other people's facts with the prefix present and absent, ``other_subjects`` of them on the
edited relation and as many on another relation (the benchmark's cases ``other_subject_*``), together
and apart.

The agent for new people comes from :func:`with_new_subjects` (:meth:`rational.Posterior.with_subjects`:
the population CPTs fixed, no refit). Both probes take any :class:`bridges.bench.protocol.Reader`: the LM
(:class:`bridges.LMBeliever`), a database that stores what it reads (:class:`bridges.DatabaseBeliever`),
or your own agent.

Example:
    >>> import rational, bridges
    >>> from bridges.bench.in_context import InContextConfig, belief_formation
    >>> world = bridges.build_world("tiny", seed=0, n_subjects=30)
    >>> post = rational.fit(world)
    >>> db = bridges.DatabaseBeliever.from_evidence(world.evidence)
    >>> fig = belief_formation(world, db, post, InContextConfig(people=4))["figures"]
    >>> fig["copy"]["lm"]["mean"], fig["shift"]["mean"]   # it gives back what it read, and infers nothing
    (1.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from .protocol import top
from .summary import interval, slope_through_origin

__all__ = ["InContextConfig", "belief_formation", "conditional_coherence", "in_context_editing", "new_people",
           "with_new_subjects"]


@dataclass(frozen=True)
class InContextConfig:
    """Settings of both probes (tune on one seed, report on another: see README "Honest evaluation")."""

    people: int = 200  # new people in the belief-formation probe
    seed: int = 2000  # their names, true objects, stated facts and mentions; and the editing probe's draws
    #                   (recipes were chosen at seed 1000, the tuning seed: report at another)
    stated_share: float = 0.3  # each relation of a new person is stated in the context with this probability
    upstream_per_person: int = 2  # upstream facts added, one at a time, for the context shift
    repeats: int = 2  # in-context editing: times the request is stated (the agent: observe with this many)
    other_subjects: int = 3  # in-context editing: other people asked per request on the edited relation, and as
    #                          many on another relation (locality)
    conditional_pairs: int = 200  # the conditional check: (upstream fact, downstream fact) pairs of known people

    def __post_init__(self):
        for name in ("people", "upstream_per_person", "repeats", "other_subjects", "conditional_pairs"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < (1 if name in ("people", "repeats") else 0):
                raise ValueError(f"InContextConfig.{name} must be a {'positive' if name in ('people', 'repeats') else 'non-negative'} "
                                 f"integer, got {v!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"InContextConfig.seed must be a non-negative integer, got {self.seed!r}")
        if not 0 <= self.stated_share < 1:
            raise ValueError(f"InContextConfig.stated_share must be in [0, 1), got {self.stated_share!r}")


def new_people(world, n: int, seed: int, words=None):
    """(``world`` with ``n`` new people of its population appended as extra subjects, their names): names
    from known name words, none a subject of the world's evidence; their true objects are what the probe
    uses.

    Example:
        >>> import bridges
        >>> w, names = new_people(bridges.build_world("tiny", n_subjects=5), 3, seed=1)
        >>> len(names), w.extra_subjects == names
        (3, True)
    """
    from ..world.builtin import more_person_names
    from ..world.names import check_vocabulary

    names = more_person_names(n, seed, exclude=world.evidence.subjects, words=words)
    check_vocabulary(world.graph, (*world.evidence.subjects, *names))
    return world.with_extra_subjects(names, seed), names


def with_new_subjects(posterior, names: Sequence[str]):
    """The agent with ``names`` added as people it has no evidence about (the population CPTs fixed): their
    posterior is the population's, and observing mentions of them gives the exact new-subject posterior
    (:meth:`rational.Posterior.with_subjects`).

    Raises:
        rational.EvidenceError: a name is already a subject.
    """
    return posterior.with_subjects({name: [] for name in names})


def _mention(world, subject: str, relation: str, rng: np.random.Generator) -> str:
    """One mention of (subject, relation) through the world's mention model."""
    g = world.graph
    k = g.size_of(relation)
    true = g.object_index(relation, world.true_object(subject, relation))
    rel = world.options.reliability
    rho = rng.uniform(*rel) if rel is not None else 1.0 - world.options.eps
    o = true if k == 1 or rng.random() < rho else (true + int(rng.integers(1, k))) % k
    return g.domain(relation)[o]


def _sentence(subject: str, relation: str, obj: str) -> str:
    return f"{subject} {relation} {obj} ."


def _mae(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.abs(np.asarray(p) - np.asarray(q)).mean())


def belief_formation(world, reader, posterior, config: InContextConfig | None = None, *, words=None
                     ) -> dict[str, Any]:
    """The in-context belief formation probe (see the module docstring).

    Args:
        world: the run's world (its CPTs and mention model give the new people; the truth of its people is
            not used).
        reader: the agent under test, reading a context before each question
            (:class:`bridges.bench.protocol.Reader`: the LM, a database, your own).
        posterior: the agent fitted to the LM's corpus (:class:`rational.Posterior`).
        config: the probe's settings.
        words: the name words new people's names may use (default: those of the evidence's people, all of
            them in a tokenizer trained on the corpus).

    Returns:
        ``{"figures": {"unstated": {"mae", "agree"}, "no_context": {"mae", "agree"}, "copy": {"lm", "agent",
        "difference"}, "shift": slope, "shift_mention": slope}, "records": [...], "people": n}``; every
        figure a mean with its 95% interval (:func:`bridges.interval`, :func:`bridges.slope_through_origin`).
    """
    import rational

    config = config or InContextConfig()
    g = world.graph
    rels = g.relations
    if words is None:
        words = {w for s in posterior.evidence.subjects for w in s.split()}
    people, names = new_people(world, config.people, config.seed, words=words)
    agent = with_new_subjects(posterior, names)
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 0x70726F6265]))  # 'probe'
    descendants = {r: [c for c in rels if c in nx.descendants(g, r)] for r in rels}

    queries, prefixes, refs, meta = [], [], [], []  # one LM query each; meta says what it is for

    def ask(name, relation, context, reference, kind, **extra):
        queries.append((name, relation))
        prefixes.append(" ".join(context))
        refs.append(reference)
        meta.append({"kind": kind, "person": name, "relation": relation, **extra})

    for i, name in enumerate(names):
        stated = [r for r in rels if rng.random() < config.stated_share]
        said = {r: _mention(people, name, r, rng) for r in stated}
        context = [_sentence(name, r, said[r]) for r in stated]
        order = rng.permutation(len(context)).tolist()
        context = [context[j] for j in order]
        post = agent
        for r in stated:
            post = rational.update(post, "observe", name, r, said[r], mentions=1)
        for r in rels:
            if r in said:
                ask(name, r, context, post.distribution(name, r), "copy", person_index=i, said=said[r],
                    mention=post.mention_distribution(name, r))
            else:
                ask(name, r, context, post.distribution(name, r), "unstated", person_index=i,
                    mention=post.mention_distribution(name, r))
                ask(name, r, [], agent.distribution(name, r), "no_context", person_index=i)
        upstream = [r for r in rels if r not in said and any(c not in said for c in descendants[r])]
        for u in rng.permutation(upstream)[: config.upstream_per_person].tolist():
            o = _mention(people, name, u, rng)
            at = int(rng.integers(len(context) + 1))
            more = [*context[:at], _sentence(name, u, o), *context[at:]]
            after = rational.update(post, "observe", name, u, o, mentions=1)
            for c in descendants[u]:
                if c in said:
                    continue
                p0, p1 = post.distribution(name, c), after.distribution(name, c)
                m0, m1 = post.mention_distribution(name, c), after.mention_distribution(name, c)
                new_top = int(np.argmax(p1))
                pair = {"person_index": i, "upstream": u, "agent_change": float(p1[new_top] - p0[new_top]),
                        "agent_mention_change": float(m1[new_top] - m0[new_top]), "top": new_top}
                ask(name, c, context, p0, "shift_before", **pair)
                ask(name, c, more, p1, "shift_after", **pair)

    lm_dists = reader.distributions_in_context(queries, prefixes)[0]
    records, by_kind = [], {}
    for q, p, ref, m in zip(queries, lm_dists, refs, meta):
        rec = dict(m)
        if m["kind"] in ("unstated", "no_context"):
            rec.update(mae=_mae(p, ref), agree=float(top(p) == np.argmax(ref)))
        elif m["kind"] == "copy":
            k = g.object_index(m["relation"], m["said"])
            rec.update(lm=float(p[k]), agent=float(ref[k]), agent_mention=float(m["mention"][k]))
        else:
            rec.update(lm_p=float(p[m["top"]]))
        rec.pop("mention", None)
        records.append(rec)
        by_kind.setdefault(m["kind"], []).append(rec)
    figures: dict[str, Any] = {}
    for kind in ("unstated", "no_context"):
        rs = by_kind.get(kind, [])
        figures[kind] = {"mae": interval([r["mae"] for r in rs]),
                         "agree": interval([r["agree"] for r in rs], proportion=True)}
    cs = by_kind.get("copy", [])
    figures["copy"] = {"lm": interval([r["lm"] for r in cs]), "agent": interval([r["agent"] for r in cs]),
                       "agent_mention": interval([r["agent_mention"] for r in cs]),
                       "difference": interval([r["lm"] - r["agent"] for r in cs], bounds=(-1.0, 1.0))}
    before, after = by_kind.get("shift_before", []), by_kind.get("shift_after", [])
    x = [a["agent_change"] for a in after]
    xm = [a["agent_mention_change"] for a in after]
    y = [a["lm_p"] - b["lm_p"] for a, b in zip(after, before)]
    clusters = [a["person_index"] for a in after]
    figures["shift"] = slope_through_origin(x, y, clusters)
    figures["shift_mention"] = slope_through_origin(xm, y, clusters)
    figures["shift_ceiling"] = slope_through_origin(x, xm, clusters)  # an LM that predicts mentions exactly
    return {"figures": figures, "records": records, "people": len(names)}


def in_context_editing(world, reader, posterior, requests: Sequence, config: InContextConfig | None = None
                       ) -> dict[str, Any]:
    """The in-context editing probe on requests about the world's own people (see the module docstring).

    Args:
        world: the run's world (its people are the candidates for locality).
        reader: the agent under test (:class:`bridges.bench.protocol.Reader`).
        posterior: the fitted agent.
        requests: objects with ``subject``, ``relation``, ``obj`` (e.g. the run's ``edit/requests.json``).
        config: ``repeats``, ``other_subjects`` and ``seed`` (which other people's facts are asked).

    Returns:
        ``{"figures": {"lm": {"pre", "post", "delta"}, "agent": {...}, "locality": {"without", "with",
        "delta"}}, "records": [...]}``.
    """
    import lm
    import rational

    config = config or InContextConfig()
    g = world.graph
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 0x6C6F63616C]))  # 'local'
    cfg = lm.ContextEditConfig(repeats=config.repeats)
    queries, prefixes, plans = [], [], []
    for i, req in enumerate(requests):
        prefix = lm.context_prefix([req], cfg)
        others = [s for s in world.subjects if s != req.subject]
        k = config.other_subjects
        picks = rng.choice(len(others), size=min(2 * k, len(others)), replace=False).tolist()
        rest = [r for r in g.relations if r != req.relation] or [req.relation]
        local = [(others[j], req.relation) for j in picks[:k]]  # the edited relation, as in the benchmark's
        local += [(others[j], rest[int(rng.integers(len(rest)))]) for j in picks[k:]]  # cases other_subject_*
        start = len(queries)
        for q in [(req.subject, req.relation), *local]:
            queries += [q, q]
            prefixes += ["", prefix]
        plans.append((i, req, local, start))
    dists = reader.distributions_in_context(queries, prefixes)[0]
    records = []
    for i, req, local, start in plans:
        k = g.object_index(req.relation, req.obj)
        after = rational.update(posterior, "observe", req.subject, req.relation, req.obj, mentions=config.repeats)
        rec = {"index": i, "subject": req.subject, "relation": req.relation, "obj": req.obj,
               "lm_pre": float(dists[start][k]), "lm_post": float(dists[start + 1][k]),
               "agent_pre": posterior.probability(req.subject, req.relation, req.obj),
               "agent_post": after.probability(req.subject, req.relation, req.obj),
               "local_without": [], "local_with": []}
        for j, (s, r) in enumerate(local):
            agent_top = int(np.argmax(posterior.distribution(s, r)))  # the agent's belief about others is unmoved
            rec["local_without"].append(float(top(dists[start + 2 + 2 * j]) == agent_top))
            rec["local_with"].append(float(top(dists[start + 3 + 2 * j]) == agent_top))
        records.append(rec)

    def pre_post(key):
        pre, post = [r[f"{key}_pre"] for r in records], [r[f"{key}_post"] for r in records]
        return {"pre": interval(pre), "post": interval(post),
                "delta": interval(np.subtract(post, pre).tolist(), bounds=(-1.0, 1.0))}

    def locality(part: slice) -> dict:
        without = [v for r in records for v in r["local_without"][part]]
        with_ = [v for r in records for v in r["local_with"][part]]
        return {"without": interval(without, proportion=True), "with": interval(with_, proportion=True),
                "delta": interval(np.subtract(with_, without).tolist(), bounds=(-1.0, 1.0))}

    k = config.other_subjects
    figures = {"lm": pre_post("lm"), "agent": pre_post("agent"), "locality": locality(slice(None)),
               "locality_same_relation": locality(slice(0, k)), "locality_other_relation": locality(slice(k, None))}
    return {"figures": figures, "records": records, "repeats": config.repeats}


def conditional_coherence(world, believers, reference, config: InContextConfig | None = None) -> dict[str, Any]:
    """The conditional check (Paleka et al.'s consistency checks): for pairs of a known person's facts, A
    upstream and B downstream, each believer's P(B | A told) against its own P(A and B) / P(A) from its
    sentence probabilities (:func:`coherence.check_axioms`' ``conditional`` check); the rational agent reads 0.

    A is the reference's top object of an upstream relation, B its top object of a child relation once A is
    known, for ``conditional_pairs`` people drawn at ``seed``.

    Args:
        world: the run's world (its people).
        believers: name -> a :class:`bridges.bench.protocol.Conditioner` (the LM, a database, the agent...).
        reference: the rational agent (:class:`bridges.BayesBeliever`): it picks A and B.
        config: ``conditional_pairs`` and ``seed``.

    Returns:
        ``{"pairs": n, "checks": {name: the check's report (count, mean, median and max violation, skipped,
        worst)}}``.

    Example:
        >>> import rational, bridges
        >>> world = bridges.build_world("tiny", n_subjects=20)
        >>> agent = bridges.BayesBeliever(rational.fit(world))
        >>> out = conditional_coherence(world, {"agent": agent}, agent, InContextConfig(conditional_pairs=5))
        >>> out["pairs"], out["checks"]["agent"]["mean_violation"] < 1e-12
        (5, True)
    """
    import rational
    from coherence import Atom, check_axioms

    config = config or InContextConfig()
    g = world.graph
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 0x636F6E64]))  # 'cond'
    edges = sorted(g.edges, key=lambda e: (g.relations.index(e[0]), g.relations.index(e[1])))
    bases, pairs = [], []
    post = reference.posterior
    for k in range(config.conditional_pairs):
        s = world.subjects[int(rng.integers(len(world.subjects)))]
        u, c = edges[int(rng.integers(len(edges)))]
        a = Atom(s, u, g.domain(u)[int(np.argmax(post.distribution(s, u)))])
        told = rational.update(post, "bayes", s, u, a.obj)
        b = Atom(s, c, g.domain(c)[int(np.argmax(told.distribution(s, c)))])
        pairs.append((len(bases), len(bases) + 1))
        bases += [a, b]
    domains = {r: g.domain(r) for r in g.relations}
    checks = {}
    for name, believer in believers.items():
        report = check_axioms(bases, prob_many=lambda ss, b=believer: b.sentence_probabilities(list(ss)),
                              conditional_many=lambda ps, b=believer: b.conditional_probabilities(list(ps)),
                              pairs=pairs, domains=domains)
        check = report.checks["conditional"]
        # the ratio P(A and B) / P(A) of an incoherent believer is unbounded where P(A) is small: a few pairs can
        # carry the mean, so the median is kept beside it
        checks[name] = {**check.to_dict(), "median_violation": float(np.median(check.violations)) if check.count else 0.0}
    return {"pairs": len(pairs), "checks": checks}
