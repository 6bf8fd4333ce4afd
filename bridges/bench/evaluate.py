"""The edit benchmark: one record per edit request, for named agents against a rational reference.

For every edit request, every agent (a :class:`~bridges.Believer`: the LM under each edit method, your
own agent...) and every reference (the rational agent under each update rule, also a Believer):

* **requested-object probability** P(o*) before and after the edit (each agent and reference);
* **accuracy**: does the agent's top object equal the reference's? (before: both unedited; after: the
  agent edited, the reference updated);
* **probabilistic coherence**: mean absolute error of the agent's distribution against the reference's,
  averaged over the objects of the domain (normalised over the candidates, and raw mass);
* in six **cases**: the same subject and relation; the same subject and another relation (downstream =
  descendants of the edited relation, upstream = ancestors, sibling = the rest); another subject and the
  same relation; another subject and another relation;
* **logical coherence** of each agent and reference after the edit (``coherence.check_axioms`` on
  sentences about the edited subject, and the L1 coherence distance), which must read zero for the
  rational agent.

Requests are grouped as in the seed paper: *updating* (the base model did not already believe it),
*fixing errors* (the request is the true object and the base model was wrong), *breaking* (a true fact
the base model knew is changed to a false one), and *downstream* (the reference's answer for another
relation of the subject changes). Each record is computed from its request alone (edits start from the
unedited agents, seeded by the request's index), so splitting requests across processes gives
identical records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import numpy as np

from .protocol import Believer, EditRequest

__all__ = ["CASES", "EvaluateConfig", "edit_seed", "evaluate"]

CASES = ("same_subject_same_relation", "same_subject_downstream", "same_subject_upstream",
         "same_subject_sibling", "other_subject_same_relation", "other_subject_other_relation")


@dataclass(frozen=True)
class EvaluateConfig:
    """How each request is evaluated."""

    seed: int = 0  # case sampling and per-request edit seeds
    other_subjects: int = 3  # queries per request in each other-subject case

    def __post_init__(self):
        if isinstance(self.other_subjects, bool) or not isinstance(self.other_subjects, int) \
                or self.other_subjects < 0:
            raise ValueError(f"other_subjects must be a non-negative integer, got {self.other_subjects!r}")


def edit_seed(seed: int, index: int) -> int:
    """The seed of request ``index``'s edits (the same in every process).

    Example:
        >>> edit_seed(0, 3) == edit_seed(0, 3) != edit_seed(0, 4)
        True
    """
    return int(np.random.default_rng([seed, index, 1]).integers(2**31))


def _cases(world, request: EditRequest, rng: np.random.Generator, k: int) -> dict[str, list]:
    g, s, r = world.graph, request.subject, request.relation
    down, up = nx.descendants(g, r), nx.ancestors(g, r)
    others = [x for x in g.relations if x != r]
    subjects = [x for x in world.subjects if x != s]
    picks = rng.choice(len(subjects), size=min(2 * k, len(subjects)), replace=False)
    return {
        "same_subject_same_relation": [(s, r)],
        "same_subject_downstream": [(s, x) for x in others if x in down],
        "same_subject_upstream": [(s, x) for x in others if x in up],
        "same_subject_sibling": [(s, x) for x in others if x not in down and x not in up],
        "other_subject_same_relation": [(subjects[i], r) for i in picks[:k]],
        "other_subject_other_relation": [(subjects[i], others[int(rng.integers(len(others)))])
                                         for i in picks[k: 2 * k]] if others else [],
    }


def _logic_sentences(world, request: EditRequest, reference: Believer):
    """Base sentences about the edited subject: the request, the old top answer, a linked relation's top."""
    from coherence import Atom

    g, s, r = world.graph, request.subject, request.relation
    old = reference.domain(r)[int(np.argmax(reference.distributions([(s, r)])[0][0]))]
    base = [Atom(s, r, request.obj)]
    if old != request.obj:
        base.append(Atom(s, r, old))
    linked = [x for x in g.relations if x != r and g.linked(x, r)]
    for x in linked[:2]:
        top = reference.domain(x)[int(np.argmax(reference.distributions([(s, x)])[0][0]))]
        base.append(Atom(s, x, top))
    return base


def _logic(believer: Believer, sentences, domains) -> dict[str, float]:
    from coherence import atoms, check_axioms, coherence_distance

    # prob: the believer's sentence probability (for the LM, P(true | '"A" is')); the true/false check
    # compares it with the generative channel, P(object | "subject relation"), via truth_prob
    report = check_axioms(sentences, prob_many=believer.sentence_probabilities,
                          truth_prob_many=lambda ss: _generative(believer, ss), domains=domains)
    out = {name: float(c.mean_violation) for name, c in report.checks.items() if c.count}
    derived = list(dict.fromkeys(sentences))
    n_atoms = len({a for x in derived for a in atoms(x)})
    if n_atoms <= 12:
        dist, _ = coherence_distance(derived, believer.sentence_probabilities(derived), "l1", domains)
        out["coherence_distance"] = float(dist)
    return out


def _generative(believer: Believer, sentences) -> np.ndarray:
    """P(atom) from the believer's distribution over the relation's domain (the generative channel)."""
    norm, _ = believer.distributions([(a.subject, a.relation) for a in sentences])
    return np.array([p[list(believer.domain(a.relation)).index(a.obj)] for p, a in zip(norm, sentences)])


def _argmax_equal(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return float(np.mean([int(np.argmax(x) == np.argmax(y)) for x, y in zip(a, b)]))


def _mae(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return float(np.mean([np.mean(np.abs(x - y)) for x, y in zip(a, b)]))


def _case_metrics(pre, post, ref_pre, ref_post) -> dict[str, Any]:
    """The metrics of one case: agent (normalised, raw) before/after against the reference before/after."""
    (pre_norm, pre_raw), (post_norm, post_raw) = pre, post
    return {
        "n": len(ref_pre),
        "accuracy_pre": _argmax_equal(pre_norm, ref_pre), "accuracy_post": _argmax_equal(post_norm, ref_post),
        "mae_pre": _mae(pre_norm, ref_pre), "mae_post": _mae(post_norm, ref_post),
        "mae_raw_pre": _mae(pre_raw, ref_pre), "mae_raw_post": _mae(post_raw, ref_post),
        "lm_top_pre": [float(np.max(x)) for x in pre_norm],
        "bayes_of_lm_top_pre": [float(y[int(np.argmax(x))]) for x, y in zip(pre_norm, ref_pre)],
        "lm_of_bayes_top_post": [float(x[int(np.argmax(y))]) for x, y in zip(post_norm, ref_post)],
        "bayes_top_post": [float(np.max(y)) for y in ref_post],
    }


def evaluate(world, reference: Mapping[str, Believer], agents: Mapping[str, Believer],
             requests: Sequence[EditRequest], indices: Sequence[int], config: EvaluateConfig = EvaluateConfig(),
             base: Believer | None = None, progress=None) -> list[dict]:
    """One record per request (see the module docstring); ``indices`` are the requests' global positions.

    Args:
        world: the :class:`rational.World` (graph, subjects, truth).
        reference: the gold standard by name, e.g. ``{"bayes": BayesBeliever(post, "bayes"), ...}``; the
            first one decides the logic sentences and the downstream group.
        agents: the believers under test by name, e.g. ``{"lora": LMBeliever(model, domains, "lora")}``;
            any object implementing :class:`~bridges.Believer` works.
        requests: the edit requests.
        indices: each request's position in the whole list (seeds case sampling and edits).
        config: other-subject queries and the seed.
        base: the believer whose unedited answers define the updating, fixing and breaking groups
            (default: the first agent).
        progress: anything with ``update(n)`` (e.g. tqdm), called once per request.

    Returns:
        One JSON-ready dict per request: ``index``, ``request``, ``groups``, ``reference`` (per name:
        ``p_requested_pre/post`` and ``logic``) and ``agents`` (per name: P(o*) before and after,
        normalised and raw, ``success``, ``logic`` and ``cases`` per reference name).
    """
    if not reference or not agents:
        raise ValueError("evaluate needs at least one reference and one agent")
    base = base if base is not None else next(iter(agents.values()))
    first_ref = next(iter(reference))
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    records = []
    for i, request in zip(indices, requests):
        rng = np.random.default_rng([config.seed, i])
        cases = _cases(world, request, rng, config.other_subjects)
        queries = [q for qs in cases.values() for q in qs]
        spans, start = {}, 0
        for name, qs in cases.items():
            spans[name] = slice(start, start + len(qs))
            start += len(qs)
        ref0 = reference[first_ref]
        ref_pre = ref0.distributions(queries)[0]
        ref_edited = {u: b.edit(request) for u, b in reference.items()}
        ref_post = {u: b.distributions(queries)[0] for u, b in ref_edited.items()}
        tgt = world.graph.object_index(request.relation, request.obj)
        record: dict[str, Any] = {"index": int(i), "request": asdict(request), "reference": {}, "agents": {}}
        logic_base = _logic_sentences(world, request, ref0)
        base_top = base.domain(request.relation)[int(np.argmax(base.distributions([queries[0]])[0][0]))]
        truth = world.true_object(request.subject, request.relation)
        other_relations = slice(1, spans["same_subject_sibling"].stop)  # the subject's other relations
        groups = ["all"]
        if base_top != request.obj:
            groups.append("updating")
        if request.obj == truth and base_top != truth:
            groups.append("fixing")
        if request.obj != truth and base_top == truth:
            groups.append("breaking")
        if any(np.argmax(a) != np.argmax(b) for a, b in
               zip(ref_pre[other_relations], ref_post[first_ref][other_relations])):
            groups.append("downstream")
        for name, agent in agents.items():
            pre = agent.distributions(queries)
            edited = agent.edit(request, edit_seed(config.seed, i))
            post = edited.distributions(queries)
            entry = {"p_requested_pre": float(pre[0][0][tgt]), "p_requested_post": float(post[0][0][tgt]),
                     "p_requested_raw_pre": float(pre[1][0][tgt]), "p_requested_raw_post": float(post[1][0][tgt]),
                     "success": bool(np.argmax(post[0][0]) == tgt), "cases": {},
                     "logic": _logic(edited, logic_base, domains)}
            for u in reference:
                entry["cases"][u] = {
                    c: _case_metrics((pre[0][sl], pre[1][sl]), (post[0][sl], post[1][sl]), ref_pre[sl],
                                     ref_post[u][sl])
                    for c, sl in spans.items() if sl.stop > sl.start}
            record["agents"][name] = entry
        for u, b in ref_edited.items():
            record["reference"][u] = {"p_requested_pre": float(ref_pre[0][tgt]),
                                      "p_requested_post": float(ref_post[u][0][tgt]),
                                      "logic": _logic(b, logic_base, domains)}
        record["groups"] = groups
        records.append(record)
        if progress is not None:
            progress.update(1)
    return records
