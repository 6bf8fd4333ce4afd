"""What an agent knows before any edit: accuracy on the world's facts, apart for facts the corpus never
mentions (only the graph can supply them: an agent that answers them reasons, a database does not),
training facts the rational agent is confident about, and graded ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .protocol import Believer, top
from .summary import GRADED, interval

__all__ = ["knowledge"]


def knowledge(world, reference: Believer, agent: Believer,
              generative: Callable[[Sequence[tuple[str, str, str]]], np.ndarray] | None = None) -> dict:
    """Accuracy of ``agent`` and ``reference`` on the world's facts, by kind, with 95% (Wilson) intervals.

    Kinds: ``held_out`` (never mentioned nor stated), ``confident`` (training facts whose true object the
    reference believes with probability >= 0.9), ``confident_majority`` (those of them whose mentions in the
    corpus name the true object strictly most often: all an LM that learns the corpus's mentions can be
    expected to get right; the others are held by statements and the graph) and ``graded`` (the other
    training facts). Accuracy is
    the top object of the believer's distribution being the true one; ``agreement`` is the agent's top
    object being the reference's. ``generative``, if given (e.g. an LM's greedy decoding,
    ``lm.LanguageModel.fact_correct``), adds the share of facts it reproduces.

    Example:
        >>> import rational, bridges
        >>> world = bridges.build_world("tiny", n_subjects=10)
        >>> agent = bridges.BayesBeliever(rational.fit(world))
        >>> sorted(knowledge(world, agent, agent))
        ['confident', 'confident_majority', 'graded', 'held_out']
    """
    g = world.graph
    pairs = [(s, r) for s in world.subjects for r in g.relations]
    ref = reference.distributions(pairs)[0]
    mine = agent.distributions(pairs)[0]
    kinds: dict[str, list[int]] = {"held_out": [], "confident": [], "confident_majority": [], "graded": []}
    counts = {}
    for r in g.relations:
        c = np.zeros((len(world.evidence.subjects), g.size_of(r)))  # one-off people too (extra subjects)
        np.add.at(c, world.evidence.mentions(r), 1.0)
        counts[r] = c
    for j, (s, r) in enumerate(pairs):
        truth = g.object_index(r, world.true_object(s, r))
        if world.is_held_out(s, r):
            kinds["held_out"].append(j)
        elif ref[j][truth] >= GRADED:
            kinds["confident"].append(j)
            said = counts[r][world.evidence.subject_id(s)]
            if said[truth] > np.delete(said, truth).max(initial=0.0):
                kinds["confident_majority"].append(j)
        else:
            kinds["graded"].append(j)
    out = {}
    for kind, idx in kinds.items():
        truth = [g.object_index(pairs[j][1], world.true_object(*pairs[j])) for j in idx]
        entry = {"n": len(idx),
                 "agent": interval([float(top(mine[j]) == t) for j, t in zip(idx, truth)], proportion=True),
                 "reference": interval([float(top(ref[j]) == t) for j, t in zip(idx, truth)], proportion=True),
                 "agreement": interval([float(top(mine[j]) == np.argmax(ref[j])) for j in idx], proportion=True)}
        if generative is not None:
            facts = [(*pairs[j], world.true_object(*pairs[j])) for j in idx]
            entry["agent_generative"] = interval(np.asarray(generative(facts), float).tolist(), proportion=True)
        out[kind] = entry
    return out
