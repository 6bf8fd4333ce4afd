"""Drawing edit requests from a world: requests the model under test does not already believe."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .protocol import Believer, EditRequest

__all__ = ["RequestConfig", "sample_requests"]


@dataclass(frozen=True)
class RequestConfig:
    """How requests are drawn."""

    n_requests: int = 40  # edit requests drawn from the world
    seed: int = 0  # request sampling (and the per-request edit seeds)
    fixing_share: float = 0.5  # share of requests that ask for the true object where the model is wrong

    def __post_init__(self):
        if isinstance(self.n_requests, bool) or not isinstance(self.n_requests, int) or self.n_requests < 1:
            raise ValueError(f"n_requests must be a positive integer, got {self.n_requests!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if isinstance(self.fixing_share, bool) or not isinstance(self.fixing_share, (int, float)) \
                or not 0 <= self.fixing_share <= 1:
            raise ValueError(f"fixing_share must be a number in [0, 1], got {self.fixing_share!r}")


def sample_requests(world, model: Believer, config: RequestConfig) -> list[EditRequest]:
    """Draw edit requests that ``model`` does not already believe.

    A share ``fixing_share`` asks for the true object where the model's top answer is wrong (when such
    facts exist); the rest ask for a random object other than the model's current top answer.

    Args:
        world: the :class:`rational.World` (graph, subjects, truth).
        model: the believer under test before any edit (its top answers decide what it believes).
        config: how many requests, the seed and the fixing share.
    """
    rng = np.random.default_rng(config.seed)
    rels = world.graph.relations
    pool = [(world.subjects[i], rels[j]) for i, j in zip(rng.integers(len(world.subjects), size=8 * config.n_requests),
                                                           rng.integers(len(rels), size=8 * config.n_requests))]
    pool = list(dict.fromkeys(pool))
    norm, _ = model.distributions(pool)
    top = {q: model.domain(q[1])[int(np.argmax(p))] for q, p in zip(pool, norm)}
    truth = {q: world.true_object(*q) for q in pool}
    wrong = [q for q in pool if top[q] != truth[q]]
    n_fix = min(int(round(config.fixing_share * config.n_requests)), len(wrong))
    requests = [EditRequest(s, r, truth[(s, r)]) for s, r in wrong[:n_fix]]
    rest = [q for q in pool if q not in set(wrong[:n_fix])]
    for s, r in rest[: config.n_requests - n_fix]:
        choices = [o for o in world.graph.domain(r) if o != top[(s, r)]]
        if choices:
            requests.append(EditRequest(s, r, choices[int(rng.integers(len(choices)))]))
    if len(requests) < config.n_requests:
        raise ValueError(f"asked for {config.n_requests:,} edit requests, but only {len(requests):,} distinct "
                         f"(subject, relation) pairs could be drawn from this world ({len(world.subjects):,} "
                         f"subjects x {len(rels)} relations); lower [evaluate] n_requests")
    order = rng.permutation(len(requests))
    return [requests[i] for i in order]
