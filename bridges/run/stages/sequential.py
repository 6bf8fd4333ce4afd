"""Stage ``sequential``: N edits applied one after another to one LM per method, and to the rational agent
under each rule, measured at checkpoints (``RUN/sequential/results.json``); see :mod:`bridges.bench.sequential`.
With ``[sequential] n_edits = 0`` it writes an empty result and costs nothing."""

from __future__ import annotations

from ..._io import atomic_write_json
from ..stage import Context, Stage
from ._shared import AGENT_INPUTS, code_digests, load_model, load_posterior, plain

__all__ = ["STAGE"]


def _run(ctx: Context) -> None:
    from ...bench.believers import BayesBeliever, LMBeliever, Teacher
    from ...bench.sequential import draw_sequence, order_effect, run_sequence
    from ...world.store import load_world

    s = ctx.settings
    q = s.sequential
    out = ctx.run / "sequential" / "results.json"
    if not q.n_edits:
        atomic_write_json(out, {"config": {"n_edits": 0}, "note": "[sequential] n_edits = 0: nothing edited"})
        return
    world = load_world(ctx.run / "world" / "world.json")
    post = load_posterior(ctx.run)
    model = load_model(ctx.run, s)
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    references = {b.name: b for b in (BayesBeliever(post, u) for u in dict.fromkeys([*q.rules, s.teacher.rule]))}
    taught_by = BayesBeliever(post, s.teacher.rule).name  # [teacher] rule: a reference too (shown in the table)
    teacher = Teacher(references[taught_by], world.subjects, world.graph.relations, s.teacher)

    def agent(m):
        return LMBeliever(model, domains, m, s.edit[m], name=f"lm:{m}", teacher=teacher)

    requests = draw_sequence(world, agent(q.methods[0] if q.methods else s.evaluate.methods[0]), q)
    progress = None
    if not ctx.quiet:
        from tqdm import tqdm

        progress = tqdm(total=len(q.methods) * len(requests), desc="sequential", unit="edit")
    results = run_sequence(world, references, {f"lm:{m}": agent(m) for m in q.methods}, requests, q,
                           batch_agents={f"lm:{m}": agent(m) for m in q.batch_methods}, progress=progress,
                           teacher=taught_by)
    if progress is not None:
        progress.close()
    results["order_effect"] = order_effect(references, requests, world.graph.relations, q.seed)
    results["config"] = plain(q)
    atomic_write_json(out, results, allow_nan=False)
    ctx.say(f"sequential: {len(requests)} edits one after another with {', '.join(q.methods) or 'no method'}"
            + (f" (and in one update: {', '.join(q.batch_methods)})" if q.batch_methods else "")
            + "; the rational agent's beliefs when the same edits come in reverse order move by "
            + ", ".join(f"{u} {v:.1e}" for u, v in results["order_effect"].items()))


def _settings(s) -> dict:
    if not s.sequential.n_edits:  # nothing is edited: the rest of its settings changes nothing it writes
        return {"sequential": {"n_edits": 0}}
    methods = dict.fromkeys([*s.sequential.methods, *s.sequential.batch_methods])
    return {"sequential": plain(s.sequential), "edit": {m: plain(s.edit[m]) for m in methods},
            "teacher": plain(s.teacher), "device": s.run.resolved_device(),
            "code": code_digests(s, (*s.sequential.rules, s.teacher.rule), methods)}


STAGE = Stage("sequential", ("keys", "fit"), (*AGENT_INPUTS, "keys/stats"), ("sequential/results.json",), _settings, _run,
              "pipeline stage: edits one after another (and in one update), against the rational agent under "
              "each rule (RUN/sequential)")
