"""The edit benchmark: edit requests, the four evaluation cases, per-request records, and their summary.

For every edit request, every LM edit method and every update rule of the rational agent:

* **requested-object probability** P(o*) before and after the edit (each agent);
* **accuracy**: does the LM's top object equal the rational agent's top object? (before: both unedited;
  after: the LM edited by the method, the agent updated by the rule);
* **probabilistic coherence**: mean absolute error of the LM's distribution against the agent's posterior,
  averaged over the objects of the domain (candidate-normalised, and raw LM mass);
* in four **cases**: the same subject and relation; the same subject and another relation (downstream =
  descendants of the edited relation, upstream = ancestors, sibling = the rest); another subject and the
  same relation; another subject and another relation;
* **logical coherence** of each agent after the edit (``coherence.check_axioms`` on sentences about the
  edited subject, and the L1 coherence distance), which must read zero for the rational agent.

Requests are grouped as in the seed paper: *updating* (the LM did not already believe it), *fixing errors*
(the request is the true object and the LM was wrong), *breaking* (a true fact the LM knew is changed to a
false one), and *downstream* (the Bayesian answer for another relation of the subject changes).
Each record is computed from its request alone (edits start from the base model, seeded by the request's
index), so splitting requests across processes gives identical records.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import numpy as np

from ._believers import EditRequest

__all__ = ["CASES", "GROUPS", "EvaluateConfig", "evaluate_requests", "sample_requests", "summarise"]

GROUPS = ("all", "updating", "fixing", "breaking", "downstream")
CASES = ("same_subject_same_relation", "same_subject_downstream", "same_subject_upstream",
         "same_subject_sibling", "other_subject_same_relation", "other_subject_other_relation")


@dataclass(frozen=True)
class EvaluateConfig:
    """What the evaluate stage does."""

    n_requests: int = 40  # edit requests drawn from the world
    seed: int = 0  # request sampling and per-request edit seeds
    rules: tuple[str, ...] = ("bayes", "observe", "jeffrey", "virtual")  # rational update rules
    methods: tuple[str, ...] = ("lora", "ft", "context")  # LM edit methods
    other_subjects: int = 3  # queries per request in each other-subject case
    fixing_share: float = 0.5  # share of requests that ask for the true object where the LM is wrong
    threads: int = 1  # torch threads per process while evaluating: the same in every process, so a sharded
    #                   (torchrun) run gives bit-identical numbers to a one-process run

    def __post_init__(self):
        if self.n_requests < 1:
            raise ValueError(f"n_requests must be at least 1, got {self.n_requests}")
        if not self.rules or not self.methods:
            raise ValueError("need at least one update rule and one edit method")
        if self.threads < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")
        if not 0 <= self.fixing_share <= 1:
            raise ValueError(f"fixing_share must be in [0, 1], got {self.fixing_share}")
        object.__setattr__(self, "rules", tuple(self.rules))
        object.__setattr__(self, "methods", tuple(self.methods))


@dataclass
class World:
    """What evaluation needs to know about the world: graph, subjects, true objects."""

    graph: Any
    subjects: tuple[str, ...]
    truth: Mapping[tuple[str, str], str]  # (subject, relation) -> true object

    @classmethod
    def from_metadata(cls, metadata: Mapping) -> World:
        from ._corpus import graph_from_metadata

        return cls(graph_from_metadata(metadata), tuple(metadata["subjects"]),
                   {(f["subject"], f["relation"]): f["object"] for f in metadata["facts"]})


def sample_requests(world: World, lm_believer, config: EvaluateConfig) -> list[EditRequest]:
    """Draw edit requests the LM does not already believe.

    A share ``fixing_share`` asks for the true object where the LM's top answer is wrong (when such facts
    exist); the rest ask for a random object other than the LM's current top answer.
    """
    rng = np.random.default_rng(config.seed)
    rels = world.graph.relations
    pool = [(world.subjects[i], rels[j]) for i, j in zip(rng.integers(len(world.subjects), size=8 * config.n_requests),
                                                           rng.integers(len(rels), size=8 * config.n_requests))]
    pool = list(dict.fromkeys(pool))
    norm, _ = lm_believer.distributions(pool)
    top = {q: world.graph.domain(q[1])[int(np.argmax(p))] for q, p in zip(pool, norm)}
    wrong = [q for q in pool if top[q] != world.truth[q]]
    n_fix = min(int(round(config.fixing_share * config.n_requests)), len(wrong))
    requests = [EditRequest(s, r, world.truth[(s, r)]) for s, r in wrong[:n_fix]]
    rest = [q for q in pool if q not in set(wrong[:n_fix])]
    for s, r in rest[: config.n_requests - n_fix]:
        choices = [o for o in world.graph.domain(r) if o != top[(s, r)]]
        if choices:
            requests.append(EditRequest(s, r, choices[int(rng.integers(len(choices)))]))
    order = rng.permutation(len(requests))
    return [requests[i] for i in order]


def _cases(world: World, request: EditRequest, rng: np.random.Generator, k: int) -> dict[str, list]:
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


def _logic_sentences(world: World, request: EditRequest, bayes_pre):
    """Base sentences about the edited subject: the request, the old top answer, a linked relation's top."""
    from coherence import Atom

    g, s, r = world.graph, request.subject, request.relation
    old = g.domain(r)[int(np.argmax(bayes_pre.distributions([(s, r)])[0][0]))]
    base = [Atom(s, r, request.obj)]
    if old != request.obj:
        base.append(Atom(s, r, old))
    linked = [x for x in g.relations if x != r and g.linked(x, r)]
    for x in linked[:2]:
        top = g.domain(x)[int(np.argmax(bayes_pre.distributions([(s, x)])[0][0]))]
        base.append(Atom(s, x, top))
    return base


def _logic(believer, sentences, domains) -> dict[str, float]:
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


def _generative(believer, sentences) -> np.ndarray:
    """P(atom) from the believer's distribution over the relation's domain (the generative channel)."""
    queries = [(a.subject, a.relation) for a in sentences]
    norm, _ = believer.distributions(queries)
    return np.array([p[list(_domain_of(believer, a.relation)).index(a.obj)] for p, a in zip(norm, sentences)])


def _domain_of(believer, relation: str):
    if hasattr(believer, "domains"):
        return believer.domains[relation]
    return believer.posterior.graph.domain(relation)


def _argmax_equal(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return float(np.mean([int(np.argmax(x) == np.argmax(y)) for x, y in zip(a, b)]))


def _mae(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return float(np.mean([np.mean(np.abs(x - y)) for x, y in zip(a, b)]))


def evaluate_requests(world: World, lm_believers: Mapping[str, Any], bayes_believers: Mapping[str, Any],
                      requests: Sequence[EditRequest], indices: Sequence[int], config: EvaluateConfig,
                      progress=None) -> list[dict]:
    """One record per request (see the module docstring); ``indices`` are the requests' global positions.

    The LM believers must share one base model (they differ only in their edit method): its pre-edit
    distributions are computed once per request.
    """
    import torch

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
        bayes_pre = next(iter(bayes_believers.values()))
        pre_bayes = bayes_pre.distributions(queries)[0]
        bayes_edited = {u: b.edit(request) for u, b in bayes_believers.items()}
        post_bayes = {u: b.distributions(queries)[0] for u, b in bayes_edited.items()}
        record: dict[str, Any] = {"index": int(i), "request": asdict(request), "lm": {}, "bayes": {}}
        tgt = world.graph.object_index(request.relation, request.obj)
        for u, post in post_bayes.items():
            record["bayes"][u] = {"p_requested_pre": float(pre_bayes[0][tgt]), "p_requested_post": float(post[0][tgt])}
        logic_base = _logic_sentences(world, request, bayes_pre)
        # every LM believer starts from the same base model: score it once
        pre_norm, pre_raw = next(iter(lm_believers.values())).distributions(queries)
        top_pre = domains[request.relation][int(np.argmax(pre_norm[0]))]
        truth = world.truth[(request.subject, request.relation)]
        other_relations = slice(1, spans["same_subject_sibling"].stop)  # the subject's other relations
        groups = ["all"]
        if top_pre != request.obj:
            groups.append("updating")
        if request.obj == truth and top_pre != truth:
            groups.append("fixing")
        if request.obj != truth and top_pre == truth:
            groups.append("breaking")
        if any(np.argmax(a) != np.argmax(b) for a, b in
               zip(pre_bayes[other_relations], post_bayes[config.rules[0]][other_relations])):
            groups.append("downstream")
        for m, lm_b in lm_believers.items():
            torch.manual_seed(int(np.random.default_rng([config.seed, i, 1]).integers(2**31)))
            edited = lm_b.edit(request)
            post_norm, post_raw = edited.distributions(queries)
            entry = {"p_requested_pre": float(pre_norm[0][tgt]), "p_requested_post": float(post_norm[0][tgt]),
                     "p_requested_raw_pre": float(pre_raw[0][tgt]), "p_requested_raw_post": float(post_raw[0][tgt]),
                     "success": bool(np.argmax(post_norm[0]) == tgt), "cases": {},
                     "logic": _logic(edited, logic_base, domains)}
            for u in config.rules:
                per_case = {}
                for c, sl in spans.items():
                    if sl.stop == sl.start:
                        continue
                    bp, bq = pre_bayes[sl], post_bayes[u][sl]
                    per_case[c] = {
                        "n": sl.stop - sl.start,
                        "accuracy_pre": _argmax_equal(pre_norm[sl], bp), "accuracy_post": _argmax_equal(post_norm[sl], bq),
                        "mae_pre": _mae(pre_norm[sl], bp), "mae_post": _mae(post_norm[sl], bq),
                        "mae_raw_pre": _mae(pre_raw[sl], bp), "mae_raw_post": _mae(post_raw[sl], bq),
                        "lm_top_pre": [float(np.max(x)) for x in pre_norm[sl]],
                        "bayes_of_lm_top_pre": [float(y[int(np.argmax(x))]) for x, y in zip(pre_norm[sl], bp)],
                        "lm_of_bayes_top_post": [float(x[int(np.argmax(y))]) for x, y in zip(post_norm[sl], bq)],
                        "bayes_top_post": [float(np.max(y)) for y in bq],
                    }
                entry["cases"][u] = per_case
            record["lm"][m] = entry
        record["bayes_logic"] = {u: _logic(b, logic_base, domains) for u, b in bayes_edited.items()}
        record["groups"] = groups
        records.append(record)
        if progress is not None:
            progress.update(1)
    return records


# -- summary ---------------------------------------------------------------------------------------------
def _interval(values: Sequence[float], proportion: bool = False, bounds=(0.0, 1.0)) -> dict[str, float]:
    """Mean with a 95% interval: Wilson for proportions of 0/1 outcomes, else mean +- 1.96 s / sqrt(n).

    The normal interval is clipped to ``bounds`` (probabilities, accuracies and MAEs lie in [0, 1],
    differences of them in [-1, 1]); ``bounds=None`` leaves it as it is.
    """
    x = np.asarray(values, float)
    n = x.size
    if n == 0:
        return {"mean": math.nan, "lo": math.nan, "hi": math.nan, "n": 0}
    mean = float(x.mean())
    if proportion and np.all((x == 0) | (x == 1)):
        z = 1.96
        centre = (mean + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(mean * (1 - mean) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return {"mean": mean, "lo": centre - half, "hi": centre + half, "n": n}
    half = 1.96 * float(x.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan
    lo, hi = mean - half, mean + half
    if bounds is not None and n > 1:
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    return {"mean": mean, "lo": lo, "hi": hi, "n": n}


def _pre_post(pre: list[float], post: list[float], proportion: bool = False) -> dict:
    return {"pre": _interval(pre, proportion), "post": _interval(post, proportion),
            "delta": _interval(np.subtract(post, pre).tolist(), bounds=(-1.0, 1.0))}


def summarise(records: Sequence[Mapping], config: EvaluateConfig) -> dict:
    """Aggregate per-request records: per group, method, rule and case, pre/post/delta with 95% intervals."""
    out: dict[str, Any] = {"groups": {}, "logic": {}, "counts": {}}
    for g in GROUPS:
        recs = [r for r in records if g in r["groups"]]
        out["counts"][g] = len(recs)
        block: dict[str, Any] = {"bayes": {}, "lm": {}}
        for u in config.rules:
            block["bayes"][u] = {"p_requested": _pre_post([r["bayes"][u]["p_requested_pre"] for r in recs],
                                                          [r["bayes"][u]["p_requested_post"] for r in recs])}
        for m in config.methods:
            entries = [r["lm"][m] for r in recs]
            mb: dict[str, Any] = {
                "p_requested": _pre_post([e["p_requested_pre"] for e in entries], [e["p_requested_post"] for e in entries]),
                "p_requested_raw": _pre_post([e["p_requested_raw_pre"] for e in entries],
                                             [e["p_requested_raw_post"] for e in entries]),
                "success": _interval([float(e["success"]) for e in entries], proportion=True),
                "against": {},
            }
            for u in config.rules:
                cb = {}
                for c in CASES:
                    cs = [e["cases"][u][c] for e in entries if c in e["cases"][u]]
                    if not cs:
                        continue
                    cb[c] = {"accuracy": _pre_post([x["accuracy_pre"] for x in cs], [x["accuracy_post"] for x in cs],
                                                   proportion=True),
                             "mae": _pre_post([x["mae_pre"] for x in cs], [x["mae_post"] for x in cs]),
                             "mae_raw": _pre_post([x["mae_raw_pre"] for x in cs], [x["mae_raw_post"] for x in cs])}
                mb["against"][u] = cb
            block["lm"][m] = mb
        out["groups"][g] = block
    for m in config.methods:
        checks = sorted({k for r in records for k in r["lm"][m]["logic"]})
        out["logic"][f"lm:{m}"] = {k: _interval([r["lm"][m]["logic"][k] for r in records if k in r["lm"][m]["logic"]],
                                                bounds=(0.0, math.inf)) for k in checks}
    for u in config.rules:
        checks = sorted({k for r in records for k in r["bayes_logic"][u]})
        out["logic"][f"bayes:{u}"] = {k: _interval([r["bayes_logic"][u][k] for r in records
                                                    if k in r["bayes_logic"][u]], bounds=(0.0, math.inf))
                                      for k in checks}
    # the axiom checks are sums of exact probabilities (float64 round-off, ~1e-16); the coherence distance
    # is a linear programme solved by HiGHS, exact only to the solver's tolerance (~1e-9), so it is apart
    out["rational_max_violation"] = max((v for r in records for u in config.rules
                                         for k, v in r["bayes_logic"][u].items() if k != "coherence_distance"),
                                        default=0.0)
    out["rational_max_distance"] = max((r["bayes_logic"][u].get("coherence_distance", 0.0) for r in records
                                        for u in config.rules), default=0.0)
    return out
