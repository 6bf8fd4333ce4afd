"""Drawing edit requests from a world: requests the model under test does not already believe, a share
of them with downstream implications (the seed paper's design)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from .evaluate import EvaluateConfig
from .protocol import Believer, EditRequest

__all__ = ["check_request_supply", "implication_supply", "request_capacity", "sample_requests", "tuning_people"]

_BLOCK = 512  # (subject, relation) pairs whose top answers are scored together


def tuning_people(world, share: float) -> frozenset[str]:
    """The people set aside for tuning edit methods: a fixed ``share`` of the world's people (the same for every
    request seed), whom the benchmark's reported requests never edit. Defaults are tuned on requests about
    them (:func:`sample_requests` with ``subjects=tuning_people(...)``), and reported on the others.

    Example:
        >>> import bridges
        >>> world = bridges.build_world("tiny", n_subjects=20)
        >>> len(tuning_people(world, 0.25)), tuning_people(world, 0.25) == tuning_people(world, 0.25)
        (5, True)
    """
    if not 0 <= share < 1:
        raise ValueError(f"the tuning share must be in [0, 1), got {share!r}")
    rng = np.random.default_rng([0x74756E65])  # 'tune': one stream, whatever the request seed
    order = rng.permutation(len(world.subjects))
    return frozenset(world.subjects[int(i)] for i in order[: int(round(share * len(world.subjects)))])


def request_capacity(graph, n_subjects: int, n_requests: int) -> dict[str, int]:
    """The most edit requests a world of ``n_subjects`` people over ``graph`` can give, decided up front
    from its shape alone (no agent, no LM): ``requests`` = distinct (subject, relation, object) other than
    a top answer; ``implications`` = of those, on relations with descendants, at most one per (subject,
    relation) pair per round over the pairs (``ceil(n_requests / pairs)`` rounds); ``fixing`` = pairs
    (one true object each). Whether an implication's shift reaches ``min_shift`` is known only once the
    agent is fitted; :func:`sample_requests` then says how many it found.

    Example:
        >>> import bridges
        >>> g = bridges.default_graph("tiny")
        >>> request_capacity(g, 10, 40)["requests"] == 10 * sum(len(g.domain(r)) - 1 for r in g.relations)
        True
    """
    rels = list(graph.relations)
    pairs = n_subjects * len(rels)
    rounds = max(1, -(-n_requests // max(pairs, 1)))
    with_descendants = [r for r in rels if nx.descendants(graph, r)]
    return {"requests": n_subjects * sum(graph.size_of(r) - 1 for r in rels),
            "implications": min(rounds * n_subjects * len(with_descendants),
                                n_subjects * sum(graph.size_of(r) - 1 for r in with_descendants)),
            "fixing": pairs, "pairs": pairs}


def check_request_supply(graph, n_subjects: int, config: EvaluateConfig) -> None:
    """Raise ``ValueError`` at once when the world cannot give ``config``'s requests (see
    :func:`request_capacity`), naming what was asked and what the world can give.

    Example:
        >>> import bridges
        >>> check_request_supply(bridges.default_graph("tiny"), 10, bridges.EvaluateConfig(n_requests=10**6))
        Traceback (most recent call last):
        ...
        ValueError: asked for 1,000,000 edit requests, but a world of 10 people over these 8 relations has at most 300 (distinct subject, relation, object, other than the top answer); lower [evaluate] n_requests
    """
    cap = request_capacity(graph, n_subjects, config.n_requests)
    n_imp = int(round(config.implication_share * config.n_requests))
    if config.n_requests > cap["requests"]:
        raise ValueError(f"asked for {config.n_requests:,} edit requests, but a world of {n_subjects:,} people over "
                         f"these {len(graph.relations)} relations has at most {cap['requests']:,} (distinct "
                         "subject, relation, object, other than the top answer); lower [evaluate] n_requests")
    if n_imp > cap["implications"]:
        why = ("no relation has a descendant in the graph" if cap["implications"] == 0 else
               f"a world of {n_subjects:,} people has at most {cap['implications']:,} (one per subject and "
               "relation with descendants per round over the pairs)")
        raise ValueError(f"asked for {n_imp:,} edit requests with downstream implications (implication_share "
                         f"{config.implication_share} of {config.n_requests:,}), but {why}; lower [evaluate] "
                         "implication_share or n_requests")


def implication_supply(world, reference: Believer, config: EvaluateConfig, needed: int, subjects=None) -> int:
    """How many implication requests the world gives, counted as :func:`sample_requests` looks for them but
    without a model under test (the reference's own top answer is the one excluded), stopping at ``needed``:
    the pipeline checks this before training, where a shortfall is cheap to report.

    The pairs are visited in random order, so those seen tell how many the rest can give: once they show that
    ``needed`` is out of reach (:func:`_supply_bound`), the count stops early and returns that bound (below
    ``needed``), instead of trying every pair (minutes on a large world).

    Example:
        >>> import rational, bridges
        >>> world = bridges.build_world("tiny", n_subjects=10)
        >>> agent = bridges.BayesBeliever(rational.fit(world))
        >>> implication_supply(world, agent, bridges.EvaluateConfig(n_requests=4), needed=2)
        2
    """
    rng = np.random.default_rng([config.seed, 0x737570])  # 'sup': its own stream
    g = world.graph
    rels = g.relations
    people = list(world.subjects) if subjects is None else [s for s in world.subjects if s in set(subjects)]
    pairs = [(s, r) for s in people for r in rels if nx.descendants(g, r)]
    rounds = max(1, -(-config.n_requests // (len(people) * len(rels))))
    found = 0
    for seen, k in enumerate(rng.permutation(len(pairs)), 1):
        s, r = pairs[int(k)]
        top = int(np.argmax(reference.distributions([(s, r)])[0][0]))
        down = [(s, x) for x in sorted(nx.descendants(g, r), key=rels.index)]
        choices = [o for i, o in enumerate(g.domain(r)) if i != top]
        hits = 0
        for i in rng.permutation(len(choices))[: rounds * config.tries]:
            if _shift(reference, EditRequest(s, r, choices[int(i)]), down) >= config.min_shift:
                hits += 1
                if hits >= rounds:
                    break
        found += hits
        if found >= needed:
            return found
        if seen % 50 == 0 and seen >= 200 and _supply_bound(found, seen, len(pairs), rounds) < needed:
            return _supply_bound(found, seen, len(pairs), rounds)
    return found


def _supply_bound(found: int, seen: int, total: int, most: int) -> int:
    """An upper bound on the hits of all ``total`` pairs, from ``found`` hits in the first ``seen`` (visited in
    random order, at most ``most`` each), wrong with probability below 1e-9: Hoeffding's inequality (which holds
    for sampling without replacement too) puts the mean over all pairs within ``most * sqrt(ln(1e9) / (2 seen))``
    above the mean seen.

    Example:
        >>> _supply_bound(found=0, seen=200, total=1000, most=1), _supply_bound(found=10, seen=990, total=1000, most=1)
        (228, 20)
    """
    slack = most * math.sqrt(math.log(1e9) / (2 * seen))
    return min(found + (total - seen) * most, math.ceil(total * (found / seen + slack)))


def _shift(reference: Believer, request: EditRequest, downstream: list[tuple[str, str]]) -> float:
    """The reference's largest total-variation shift of a downstream relation under the request."""
    pre = reference.distributions(downstream)[0]
    post = reference.edit(request).distributions(downstream)[0]
    return max(0.5 * float(np.abs(a - b).sum()) for a, b in zip(pre, post))


def sample_requests(world, model: Believer, config: EvaluateConfig, reference: Believer | None = None,
                    subjects=None) -> list[EditRequest]:
    """Draw ``n_requests`` edit requests that ``model`` does not already believe.

    1. ``implication_share`` of them have downstream implications: a (subject, relation) pair whose
       relation has descendants, and an object other than the model's top answer whose edit moves the
       ``reference`` agent's belief about one of those descendants, for the same subject, by at least
       ``min_shift`` in total variation (up to ``tries`` objects are tried per pair, in random order).
    2. Of the rest, ``fixing_share`` ask for the true object where the model's top answer is wrong, the
       others for a random object other than the model's top answer.

    Pairs are visited in a random order (seeded); every request is a distinct (subject, relation, object),
    and a (subject, relation) pair is asked again (with another object) only when there are more requests
    than pairs.

    Args:
        world: the :class:`rational.World` (graph, subjects, truth).
        model: the believer under test before any edit (its top answers decide what it believes).
        config: how many requests of each kind, and the seed (the request fields of ``[evaluate]``).
        reference: the agent whose update decides implications (the rational agent under ``bayes``);
            needed when ``implication_share`` > 0.
        subjects: the people whose facts may be edited (default: every person); the pipeline passes everyone
            but the tuning people (:func:`tuning_people`), tuning scripts the tuning people alone.

    Raises:
        ValueError: the world cannot give that many requests (or implications), naming how many it gave.

    Example:
        >>> import rational, bridges
        >>> world = bridges.build_world("tiny", n_subjects=20)
        >>> agent = bridges.BayesBeliever(rational.fit(world))
        >>> reqs = sample_requests(world, agent, bridges.EvaluateConfig(n_requests=6, implication_share=0.5), agent)
        >>> len(reqs), len({(r.subject, r.relation) for r in reqs})
        (6, 6)
    """
    people = list(world.subjects) if subjects is None else [s for s in world.subjects if s in set(subjects)]
    check_request_supply(world.graph, len(people), config)
    rng = np.random.default_rng(config.seed)
    g = world.graph
    rels = g.relations
    pairs = [(s, r) for s in people for r in rels]
    order = rng.permutation(len(pairs))
    n_imp = int(round(config.implication_share * config.n_requests))
    if n_imp and reference is None:
        raise ValueError("implication requests need a reference agent to decide what an edit implies")
    down = {r: sorted(nx.descendants(g, r), key=rels.index) for r in rels}
    top: dict[tuple[str, str], str] = {}

    def top_of(k: int) -> str:
        """The model's top answer for pair k, scored in blocks of pairs in visiting order."""
        q = pairs[order[k]]
        if q not in top:
            block = [pairs[i] for i in order[k: k + _BLOCK]]
            for p, d in zip(block, model.distributions(block)[0]):
                top[p] = model.domain(p[1])[int(np.argmax(d))]
        return top[q]

    implications, used, asked = [], set(), set()
    # rounds over the pairs in the same random order: a pair gives at most one request per round (another
    # object each time), so large n reuse pairs with other objects only once every pair has been used
    rounds = max(1, -(-config.n_requests // len(pairs)))
    for _ in range(rounds):
        for k in range(len(pairs)):
            if len(implications) >= n_imp:
                break
            s, r = pairs[order[k]]
            if not down[r] or (s, r) in used:
                continue
            choices = [o for o in g.domain(r) if o != top_of(k) and (s, r, o) not in asked]
            for i in rng.permutation(len(choices))[: config.tries]:
                req = EditRequest(s, r, choices[int(i)])
                if _shift(reference, req, [(s, x) for x in down[r]]) >= config.min_shift:
                    implications.append(req)
                    used.add((s, r))
                    asked.add((s, r, req.obj))
                    break
        used.clear()
    if len(implications) < n_imp:
        raise ValueError(f"asked for {n_imp:,} edit requests with downstream implications (implication_share "
                         f"{config.implication_share} of {config.n_requests:,}), but this world gave only "
                         f"{len(implications):,} (total-variation shift >= {config.min_shift}); lower "
                         "[evaluate] implication_share or n_requests")
    used = {(r.subject, r.relation) for r in implications}
    rest = config.n_requests - n_imp
    n_fix = int(round(config.fixing_share * rest))
    fixing, others = [], []
    for k in range(len(pairs)):  # fixing: one per pair (there is one true object)
        if len(fixing) >= n_fix:
            break
        q = pairs[order[k]]
        if q not in used and top_of(k) != world.true_object(*q):
            fixing.append(EditRequest(q[0], q[1], world.true_object(*q)))
            used.add(q)
            asked.add((*q, world.true_object(*q)))
    for _ in range(rounds + 1):
        for k in range(len(pairs)):
            if len(others) >= rest - len(fixing):
                break
            q = pairs[order[k]]
            if q in used:
                continue
            choices = [o for o in g.domain(q[1]) if o != top_of(k) and (*q, o) not in asked]
            if choices:
                obj = choices[int(rng.integers(len(choices)))]
                others.append(EditRequest(q[0], q[1], obj))
                used.add(q)
                asked.add((*q, obj))
        used.clear()  # the next round may ask every pair again, for another object
    requests = implications + fixing + others
    if len(requests) < config.n_requests:
        raise ValueError(f"asked for {config.n_requests:,} edit requests, but this world gave only "
                         f"{len(requests):,} ({len(fixing):,} fixing errors of the {n_fix:,} asked, "
                         f"{len(world.subjects):,} subjects x {len(rels)} relations); lower [evaluate] "
                         "n_requests or fixing_share")
    return [requests[i] for i in rng.permutation(len(requests))]
