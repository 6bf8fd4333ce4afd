"""Drawing edit requests from a world: requests the model under test does not already believe, a share
of them with downstream implications (the seed paper's design)."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from .protocol import Believer, EditRequest

__all__ = ["RequestConfig", "sample_requests"]

_BLOCK = 512  # (subject, relation) pairs whose top answers are scored together


@dataclass(frozen=True)
class RequestConfig:
    """How requests are drawn."""

    n_requests: int = 40  # edit requests drawn from the world
    seed: int = 0  # request sampling
    implication_share: float = 0.5  # share of requests with downstream implications: on a relation with
    #   descendants, and moving the reference's belief about one of them (same subject) by >= min_shift
    fixing_share: float = 0.5  # of the other requests: share asking for the true object where the model is wrong
    min_shift: float = 0.2  # total variation that makes a downstream implication
    tries: int = 4  # objects tried per (subject, relation) pair when looking for an implication

    def __post_init__(self):
        def number(x):
            return isinstance(x, (int, float)) and not isinstance(x, bool)

        if isinstance(self.n_requests, bool) or not isinstance(self.n_requests, int) or self.n_requests < 1:
            raise ValueError(f"n_requests must be a positive integer, got {self.n_requests!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        for name in ("implication_share", "fixing_share"):
            if not number(getattr(self, name)) or not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be a number in [0, 1], got {getattr(self, name)!r}")
        if not number(self.min_shift) or not 0 < self.min_shift <= 1:
            raise ValueError(f"min_shift must be a number in (0, 1], got {self.min_shift!r}")
        if isinstance(self.tries, bool) or not isinstance(self.tries, int) or self.tries < 1:
            raise ValueError(f"tries must be a positive integer, got {self.tries!r}")


def _shift(reference: Believer, request: EditRequest, downstream: list[tuple[str, str]]) -> float:
    """The reference's largest total-variation shift of a downstream relation under the request."""
    pre = reference.distributions(downstream)[0]
    post = reference.edit(request).distributions(downstream)[0]
    return max(0.5 * float(np.abs(a - b).sum()) for a, b in zip(pre, post))


def sample_requests(world, model: Believer, config: RequestConfig, reference: Believer | None = None
                    ) -> list[EditRequest]:
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
        config: how many requests of each kind, and the seed.
        reference: the agent whose update decides implications (the rational agent under ``bayes``);
            needed when ``implication_share`` > 0.

    Raises:
        ValueError: the world cannot give that many requests (or implications), naming how many it gave.

    Example:
        >>> import rational, bridges
        >>> world = bridges.build_world("tiny", n_subjects=20)
        >>> agent = bridges.BayesBeliever(rational.fit(world))
        >>> reqs = sample_requests(world, agent, RequestConfig(n_requests=6, implication_share=0.5), agent)
        >>> len(reqs), len({(r.subject, r.relation) for r in reqs})
        (6, 6)
    """
    rng = np.random.default_rng(config.seed)
    g = world.graph
    rels = g.relations
    pairs = [(s, r) for s in world.subjects for r in rels]
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
        used = {(r.subject, r.relation) for r in fixing + others}
    requests = implications + fixing + others
    if len(requests) < config.n_requests:
        raise ValueError(f"asked for {config.n_requests:,} edit requests, but this world gave only "
                         f"{len(requests):,} ({len(fixing):,} fixing errors of the {n_fix:,} asked, "
                         f"{len(world.subjects):,} subjects x {len(rels)} relations); lower [evaluate] "
                         "n_requests or fixing_share")
    return [requests[i] for i in rng.permutation(len(requests))]
