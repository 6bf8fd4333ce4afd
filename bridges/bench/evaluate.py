"""The edit benchmark: one record per edit request, for named agents against a rational reference.

For every edit request, every agent (a :class:`~bridges.Believer`: the LM under each edit method, your
own agent...) and every reference (the rational agent under each update rule, also a Believer):

* **requested-object probability** P(o*) before and after the edit (each agent and reference);
* **accuracy**: does the agent's top object equal the reference's? (before: both unedited; after: the
  agent edited, the reference updated);
* **probabilistic coherence**: mean absolute error of the agent's distribution against the reference's,
  averaged over the objects of the domain (normalised over the candidates, and raw mass), per query, with
  the reference's largest probability before the edit (to tell graded beliefs from confident ones), and,
  where the reference gives it, against its predictive distribution of the next *mention* (what an LM
  trained on the corpus is trained to predict);
* in six **cases**: the same subject and relation; the same subject and another relation (downstream =
  descendants of the edited relation, upstream = ancestors, sibling = the rest); another subject and the
  same relation; another subject and another relation;
* **downstream shift**: for each downstream pair, the change of the reference's probability of its new
  top object and the agent's change of the same probability (slope 1 = the agent moves as the rational
  agent does, 0 = it does not move);
* **logical coherence** of each agent and reference after the edit (``coherence.check_axioms`` on
  sentences about the edited subject, and the L1 coherence distance), which must read zero for the
  rational agent.

Requests are grouped as in the seed paper: *updating* (the base model did not already believe it),
*fixing errors* (the request is the true object and the base model was wrong), *breaking* (a true fact
the base model knew is changed to a false one), and *downstream* (the request has downstream
implications: the first reference moves some downstream relation of the subject by at least
``min_shift`` in total variation).

A call evaluates a chunk of requests together: agents that can edit many requests at once do so, and
every query, sentence and check of the chunk is scored in one batch. Each record depends only on its
request and on the chunk it was computed in (edits start from the unedited agents, seeded by the
request's index), so a pipeline that cuts the requests into fixed chunks gets identical records from
one process and from many.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import numpy as np

from .protocol import Believer, EditRequest, MentionPredictor, edit_all, top

__all__ = ["CASES", "EvaluateConfig", "edit_seed", "evaluate", "total_variation"]

CASES = ("same_subject_same_relation", "same_subject_downstream", "same_subject_upstream",
         "same_subject_sibling", "other_subject_same_relation", "other_subject_other_relation")


def _count(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == x


@dataclass(frozen=True)
class EvaluateConfig:
    """The ``[evaluate]`` section, one class for all of it: which requests are drawn
    (:func:`bridges.sample_requests`), which agents and rules are compared and how each request is
    evaluated (:func:`bridges.evaluate`), and how the pipeline's evaluate stage spreads the work.

    Example:
        >>> EvaluateConfig(n_requests=4).n_requests, EvaluateConfig().logic_requests
        (4, 48)
    """

    n_requests: int = 160  # edit requests drawn from the world
    seed: int = 0  # request sampling, case sampling and per-request edit seeds
    implication_share: float = 0.5  # share of requests with downstream implications: on a relation with
    #   descendants, and moving the first rule's belief about one of them (same subject) by >= min_shift
    fixing_share: float = 0.5  # of the other requests: share asking for the true object where the LM is wrong
    min_shift: float = 0.2  # total variation that makes a downstream implication (and the downstream group)
    tries: int = 4  # objects tried per (subject, relation) pair when looking for an implication
    database: bool = True  # a database believer (bridges.DatabaseBeliever) as one more agent: the zero of
    #                        "agent or database?" (it stores what it is told and infers nothing)
    tuning_share: float = 0.25  # people set aside for tuning edit methods (bridges.tuning_people): no reported
    #                             request edits them (defaults are tuned on requests about them)
    rules: tuple[str, ...] = ("bayes", "observe", "jeffrey", "virtual")  # the rational agent's update rules
    #                                   (the first decides the downstream group: keep bayes first)
    methods: tuple[str, ...] = ("lora", "ft", "context", "rational", "rome", "memit")  # LM edit methods
    other_subjects: int = 3  # queries per request in each other-subject case
    logic_requests: int | None = 48  # logical-coherence checks on the first this many requests (None: all)
    chunk: int = 16  # requests edited and scored together (in one batch where a method allows it); sharded
    #                  runs split the requests by chunk, so their records equal a one-process run's
    workers: int | None = None  # processes that share the chunks (None: one per core, at most one per chunk;
    #   under torchrun each rank is one worker); a chunk's records do not depend on the worker
    threads: int | None = None  # torch threads per process while evaluating (None: the cores divided among
    #   the processes, so 1 by default); records are bit-identical between runs with any number of workers or
    #   torchrun ranks when every process uses the same number of threads

    def __post_init__(self):
        for name in ("rules", "methods"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        checks = [
            ("n_requests", _count(self.n_requests) and self.n_requests >= 1, "a positive integer"),
            ("seed", _count(self.seed) and self.seed >= 0, "a non-negative integer"),
            ("implication_share", _number(self.implication_share) and 0 <= self.implication_share <= 1,
             "a number in [0, 1]"),
            ("fixing_share", _number(self.fixing_share) and 0 <= self.fixing_share <= 1, "a number in [0, 1]"),
            ("min_shift", _number(self.min_shift) and 0 < self.min_shift <= 1, "a number in (0, 1]"),
            ("tries", _count(self.tries) and self.tries >= 1, "a positive integer"),
            ("tuning_share", _number(self.tuning_share) and 0 <= self.tuning_share < 1, "a number in [0, 1)"),
            ("rules", isinstance(self.rules, tuple) and len(self.rules) > 0
             and all(isinstance(x, str) for x in self.rules), "a non-empty list of rule names"),
            ("methods", isinstance(self.methods, tuple) and len(self.methods) > 0
             and all(isinstance(x, str) for x in self.methods), "a non-empty list of edit method names"),
            ("other_subjects", _count(self.other_subjects) and self.other_subjects >= 0, "a non-negative integer"),
            ("logic_requests", self.logic_requests is None or (_count(self.logic_requests) and self.logic_requests >= 0),
             "a non-negative integer or none"),
            ("chunk", _count(self.chunk) and self.chunk >= 1, "a positive integer"),
            ("workers", self.workers is None or (_count(self.workers) and self.workers >= 1), "a positive integer or none"),
            ("threads", self.threads is None or (_count(self.threads) and self.threads >= 1), "a positive integer or none"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise ValueError(f"{name} must be {expected}, got {getattr(self, name)!r}")
        for what in ("rules", "methods"):
            names = getattr(self, what)
            if len(set(names)) != len(names):
                raise ValueError(f"{what} lists a name twice: {list(names)}")


def edit_seed(seed: int, index: int) -> int:
    """The seed of request ``index``'s edits (the same in every process).

    Example:
        >>> edit_seed(0, 3) == edit_seed(0, 3) != edit_seed(0, 4)
        True
    """
    return int(np.random.default_rng([seed, index, 1]).integers(2**31))


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Half the L1 distance between two distributions.

    Example:
        >>> total_variation(np.array([1.0, 0.0]), np.array([0.5, 0.5]))
        0.5
    """
    return 0.5 * float(np.abs(np.asarray(p) - np.asarray(q)).sum())


@dataclass
class _Plan:
    """One request's queries: the six cases, flattened, and where each case's queries sit."""

    index: int
    request: EditRequest
    queries: list[tuple[str, str]]
    spans: dict[str, slice]


def _plan(world, request: EditRequest, index: int, config: EvaluateConfig) -> _Plan:
    g, s, r = world.graph, request.subject, request.relation
    rng = np.random.default_rng([config.seed, index])
    down, up = nx.descendants(g, r), nx.ancestors(g, r)
    others = [x for x in g.relations if x != r]
    subjects = [x for x in world.subjects if x != s]
    k = config.other_subjects
    picks = rng.choice(len(subjects), size=min(2 * k, len(subjects)), replace=False)
    cases = {
        "same_subject_same_relation": [(s, r)],
        "same_subject_downstream": [(s, x) for x in others if x in down],
        "same_subject_upstream": [(s, x) for x in others if x in up],
        "same_subject_sibling": [(s, x) for x in others if x not in down and x not in up],
        "other_subject_same_relation": [(subjects[i], r) for i in picks[:k]],
        "other_subject_other_relation": [(subjects[i], others[int(rng.integers(len(others)))])
                                         for i in picks[k: 2 * k]] if others else [],
    }
    queries, spans, start = [], {}, 0
    for name, qs in cases.items():
        spans[name] = slice(start, start + len(qs))
        queries += qs
        start += len(qs)
    return _Plan(index, request, queries, spans)


def _logic_bases(world, plan: _Plan, ref_pre: list[np.ndarray], reference: Believer):
    """Base sentences about the edited subject: the request, the old top answer, linked relations' tops."""
    from coherence import Atom

    g, req = world.graph, plan.request
    s, r = req.subject, req.relation
    top = {q[1]: reference.domain(q[1])[int(np.argmax(p))] for q, p in zip(plan.queries, ref_pre) if q[0] == s}
    base = [Atom(s, r, req.obj)]
    if top[r] != req.obj:
        base.append(Atom(s, r, top[r]))
    linked = [x for x in g.relations if x != r and g.linked(x, r)]
    base += [Atom(s, x, top[x]) for x in linked[:2]]
    return base


def _split(values: list, sizes: list[int]) -> list[list]:
    out, start = [], 0
    for n in sizes:
        out.append(values[start: start + n])
        start += n
    return out


def _logic_all(edited, bases_per_request: list[list], domains) -> list[dict[str, float]]:
    """Axiom checks and coherence distance of edited believer i on request i's sentences, every
    probability of the chunk asked in one batch."""
    from coherence import atoms, axiom_queries, check_axioms, coherence_distance

    asked = [axiom_queries(b) if b else [] for b in bases_per_request]
    rows = [i for i, q in enumerate(asked) for _ in q]
    probs = _split(list(edited.sentence_probabilities(rows, [s for q in asked for s in q])), [len(q) for q in asked])
    bases_unique = [list(dict.fromkeys(b)) for b in bases_per_request]
    gen_rows = [i for i, b in enumerate(bases_unique) for _ in b]
    gen_queries = [(a.subject, a.relation) for b in bases_unique for a in b]
    norm, _ = edited.distributions(gen_rows, gen_queries) if gen_queries else ([], [])
    generative = _split([p[list(domains[a.relation]).index(a.obj)] for p, a in
                         zip(norm, [a for b in bases_unique for a in b])], [len(b) for b in bases_unique])
    out = []
    for bases, q, p, t in zip(bases_per_request, asked, probs, generative):
        if not bases:  # no checks for this request
            out.append({})
            continue
        lookup = dict(zip(q, p))
        # prob: the believer's sentence probability (for the LM, P(true | '"A" is')); the true/false check
        # compares it with the generative channel, P(object | "subject relation"), via truth_prob
        report = check_axioms(bases, prob_many=lambda ss, lookup=lookup: [lookup[x] for x in ss],
                              truth_prob_many=lambda ss, t=t: t, domains=domains)
        entry = {name: float(c.mean_violation) for name, c in report.checks.items() if c.count}
        derived = list(dict.fromkeys(bases))
        if len({a for x in derived for a in atoms(x)}) <= 12:
            dist, _ = coherence_distance(derived, [lookup[x] for x in derived], "l1", domains)
            entry["coherence_distance"] = float(dist)
        out.append(entry)
    return out


def _mean_abs(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a - b)))


def _case_metrics(pre, post, ref_pre, ref_post, ref_mention_pre, ref_mention_post) -> dict[str, Any]:
    """One case's metrics: the agent (normalised, raw) before/after against the reference before/after."""
    (pre_norm, pre_raw), (post_norm, post_raw) = pre, post
    out = {
        "n": len(ref_pre),
        "accuracy_pre": float(np.mean([top(x) == np.argmax(y) for x, y in zip(pre_norm, ref_pre)])),
        "accuracy_post": float(np.mean([top(x) == np.argmax(y) for x, y in zip(post_norm, ref_post)])),
        "mae_pre_q": [_mean_abs(x, y) for x, y in zip(pre_norm, ref_pre)],
        "mae_post_q": [_mean_abs(x, y) for x, y in zip(post_norm, ref_post)],
        "mae_raw_pre_q": [_mean_abs(x, y) for x, y in zip(pre_raw, ref_pre)],
        "mae_raw_post_q": [_mean_abs(x, y) for x, y in zip(post_raw, ref_post)],
        "ref_max_pre": [float(np.max(y)) for y in ref_pre],
        "lm_top_pre": [float(np.max(x)) for x in pre_norm],
        "bayes_of_lm_top_pre": [float(y[int(np.argmax(x))]) for x, y in zip(pre_norm, ref_pre)],
        "lm_of_bayes_top_post": [float(x[int(np.argmax(y))]) for x, y in zip(post_norm, ref_post)],
        "bayes_top_post": [float(np.max(y)) for y in ref_post],
        # the change of each pair's probability of the reference's new top object, reference and agent
        "ref_change": [float(y[int(np.argmax(y))] - y0[int(np.argmax(y))]) for y, y0 in zip(ref_post, ref_pre)],
        "agent_change": [float(x[int(np.argmax(y))] - x0[int(np.argmax(y))])
                         for x, x0, y in zip(post_norm, pre_norm, ref_post)],
        "ref_top_changed": [bool(np.argmax(y) != np.argmax(y0)) for y, y0 in zip(ref_post, ref_pre)],
        "agent_follows": [bool(top(x) == np.argmax(y)) for x, y in zip(post_norm, ref_post)],
    }
    out["mae_pre"], out["mae_post"] = float(np.mean(out["mae_pre_q"])), float(np.mean(out["mae_post_q"]))
    out["mae_raw_pre"], out["mae_raw_post"] = float(np.mean(out["mae_raw_pre_q"])), float(np.mean(out["mae_raw_post_q"]))
    if ref_mention_pre is not None:
        out["mae_mention_pre_q"] = [_mean_abs(x, y) for x, y in zip(pre_norm, ref_mention_pre)]
        out["mae_mention_post_q"] = [_mean_abs(x, y) for x, y in zip(post_norm, ref_mention_post)]
    return out


def evaluate(world, reference: Mapping[str, Believer], agents: Mapping[str, Believer],
             requests: Sequence[EditRequest], indices: Sequence[int], config: EvaluateConfig = EvaluateConfig(),
             base: Believer | None = None, progress=None) -> list[dict]:
    """One record per request (see the module docstring), the requests evaluated as one chunk.

    Args:
        world: the :class:`rational.World` (graph, subjects, truth).
        reference: the gold standard by name, e.g. ``{"bayes:bayes": BayesBeliever(post, "bayes"), ...}``;
            the first one decides the logic sentences and the downstream group.
        agents: the believers under test by name, e.g. ``{"lm:lora": LMBeliever(model, domains, "lora")}``;
            any object implementing :class:`~bridges.Believer` works (with ``edit_many`` its edits of a
            chunk are batched).
        requests: the edit requests of this chunk.
        indices: each request's position in the whole list (seeds case sampling and edits).
        config: other-subject queries, the seed and the downstream threshold.
        base: the believer whose unedited answers define the updating, fixing and breaking groups
            (default: the first agent).
        progress: anything with ``update(n)`` (e.g. tqdm), told when the chunk is done.

    Returns:
        One JSON-ready dict per request: ``index``, ``request``, ``groups``, ``downstream_shift`` (the
        first reference's largest total-variation shift of a downstream relation), ``reference`` (per
        name: ``p_requested_pre/post`` and ``logic``) and ``agents`` (per name: P(o*) before and after,
        normalised and raw, ``success``, ``logic`` and ``cases`` per reference name).
    """
    if not reference or not agents:
        raise ValueError("evaluate needs at least one reference and one agent")
    if len(requests) != len(indices):
        raise ValueError(f"{len(requests)} requests but {len(indices)} indices")
    base = base if base is not None else next(iter(agents.values()))
    first_ref = next(iter(reference))
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    plans = [_plan(world, req, int(i), config) for req, i in zip(requests, indices)]
    sizes = [len(p.queries) for p in plans]
    all_queries = [q for p in plans for q in p.queries]
    rows = [j for j, p in enumerate(plans) for _ in p.queries]
    seeds = [edit_seed(config.seed, p.index) for p in plans]

    # the reference, before and after each rule's update
    ref0 = reference[first_ref]
    ref_pre = _split(ref0.distributions(all_queries)[0], sizes)
    mention = isinstance(ref0, MentionPredictor)
    ref_mention_pre = _split(ref0.mention_distributions(all_queries), sizes) if mention else [None] * len(plans)
    bases = [_logic_bases(world, p, pre, ref0) if config.logic_requests is None or p.index < config.logic_requests
             else [] for p, pre in zip(plans, ref_pre)]
    ref_post, ref_mention_post, ref_logic = {}, {}, {}
    for u, b in reference.items():
        edited = edit_all(b, requests, seeds)
        ref_post[u] = _split(edited.distributions(rows, all_queries)[0], sizes)
        ref_mention_post[u] = (_split([q for i in range(len(plans)) for q in edited[i].mention_distributions(
            plans[i].queries)], sizes) if mention and isinstance(edited[0], MentionPredictor)
            else [None] * len(plans))
        ref_logic[u] = _logic_all(edited, bases, domains)

    # the groups of each request
    base_top = [base.domain(p.request.relation)[int(np.argmax(d))]
                for p, d in zip(plans, base.distributions([p.queries[0] for p in plans])[0])]
    records = []
    for j, p in enumerate(plans):
        req = p.request
        truth = world.true_object(req.subject, req.relation)
        down = p.spans["same_subject_downstream"]
        shift = max((total_variation(a, b) for a, b in zip(ref_pre[j][down], ref_post[first_ref][j][down])),
                    default=0.0)
        groups = ["all"]
        if base_top[j] != req.obj:
            groups.append("updating")
        if req.obj == truth and base_top[j] != truth:
            groups.append("fixing")
        if req.obj != truth and base_top[j] == truth:
            groups.append("breaking")
        if shift >= config.min_shift:
            groups.append("downstream")
        tgt = world.graph.object_index(req.relation, req.obj)
        records.append({"index": p.index, "request": asdict(req), "groups": groups, "downstream_shift": shift,
                        "reference": {u: {"p_requested_pre": float(ref_pre[j][0][tgt]),
                                          "p_requested_post": float(ref_post[u][j][0][tgt]),
                                          "logic": ref_logic[u][j]} for u in reference},
                        "agents": {}})

    # every agent: before, the chunk's edits, after
    for name, agent in agents.items():
        pre_norm, pre_raw = agent.distributions(all_queries)
        pre_norm, pre_raw = _split(pre_norm, sizes), _split(pre_raw, sizes)
        edited = edit_all(agent, requests, seeds)
        post_norm, post_raw = edited.distributions(rows, all_queries)
        post_norm, post_raw = _split(post_norm, sizes), _split(post_raw, sizes)
        logic = _logic_all(edited, bases, domains)
        for j, p in enumerate(plans):
            tgt = world.graph.object_index(p.request.relation, p.request.obj)
            entry = {"p_requested_pre": float(pre_norm[j][0][tgt]), "p_requested_post": float(post_norm[j][0][tgt]),
                     "p_requested_raw_pre": float(pre_raw[j][0][tgt]),
                     "p_requested_raw_post": float(post_raw[j][0][tgt]),
                     "success": bool(top(post_norm[j][0]) == tgt), "logic": logic[j], "cases": {}}
            for u in reference:
                entry["cases"][u] = {
                    c: _case_metrics((pre_norm[j][sl], pre_raw[j][sl]), (post_norm[j][sl], post_raw[j][sl]),
                                     ref_pre[j][sl], ref_post[u][j][sl],
                                     None if ref_mention_pre[j] is None else ref_mention_pre[j][sl],
                                     None if ref_mention_post[u][j] is None else ref_mention_post[u][j][sl])
                    for c, sl in p.spans.items() if sl.stop > sl.start}
            records[j]["agents"][name] = entry
    if progress is not None:
        progress.update(len(plans))
    return records
