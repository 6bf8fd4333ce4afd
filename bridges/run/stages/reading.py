"""Stage ``reading``: does the LM read? In-context belief formation about new people, against the
rational agent's posterior for a new subject given the same mentions, for the LM and for a database (which
stores what it reads and infers nothing); and the conditional check on known people (``RUN/reading``).
See :mod:`bridges.bench.in_context`.
"""

from __future__ import annotations

from ..._io import atomic_write_json
from ..stage import Context, Stage
from ._shared import AGENT_INPUTS, load_model, load_posterior, plain

__all__ = ["STAGE"]


def _run(ctx: Context) -> None:
    from ...bench.believers import BayesBeliever, DatabaseBeliever, LMBeliever
    from ...bench.in_context import belief_formation, conditional_coherence
    from ...world.store import load_world

    s = ctx.settings
    c = s.in_context
    world = load_world(ctx.run / "world" / "world.json")
    post = load_posterior(ctx.run)
    model = load_model(ctx.run, s, keys=False)
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    readers = {"lm": LMBeliever(model, domains, name="lm"),
               "database": DatabaseBeliever.from_evidence(world.evidence)}
    formation = {name: belief_formation(world, reader, post, c) for name, reader in readers.items()}
    agent = BayesBeliever(post, s.evaluate.rules[0])
    conditional = conditional_coherence(world, {"lm": readers["lm"], "database": readers["database"],
                                                agent.name: agent}, agent, c)
    atomic_write_json(ctx.run / "reading" / "results.json",
                      {"config": plain(c), "people": formation["lm"]["people"],
                       "readers": {name: {"figures": f["figures"], "records": f["records"]}
                                   for name, f in formation.items()},
                       "conditional": conditional}, allow_nan=False)
    fig = formation["lm"]["figures"]
    ctx.say(f"reading: {formation['lm']['people']} new people; the LM's context shift captured "
            f"{fig['shift']['mean']:.3f}, copy {fig['copy']['lm']['mean']:.3f} (the agent's "
            f"{fig['copy']['agent']['mean']:.3f})")


def _settings(s) -> dict:
    return {"in_context": plain(s.in_context), "rule": s.evaluate.rules[0], "device": s.run.resolved_device()}


STAGE = Stage("reading", ("train", "fit"), AGENT_INPUTS, ("reading/results.json",), _settings, _run,
              "pipeline stage: does the LM read? in-context belief formation about new people against the rational "
              "agent, the LM beside a database; the conditional check (RUN/reading)")
