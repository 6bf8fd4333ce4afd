"""Stage ``requests``: draw the edit requests, settle each method's calibrated settings and rational
counterpart, and compute every reference's post-edit beliefs once (``RUN/requests``).

``requests.json`` holds the requests, the calibrated method settings (an in-context method whose
``repeats`` the config leaves open states each request k times, k the smallest for which its rational
counterpart reaches 0.9 on most requests) and the counterpart references; ``beliefs.npz`` holds, for each
reference (every rule, every counterpart, the teacher's rule), its beliefs about the edited subject's
relations after each request (:class:`bridges.PostEditBeliefs`): the teacher and the evaluate stage read
them instead of updating the agent again.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..._io import atomic_write_json
from ..config import PipelineError
from ..stage import Context, Stage
from ._shared import AGENT_INPUTS, code_digests, load_model, load_posterior, plain

__all__ = ["STAGE", "check_supply", "choose_repeats"]


def choose_repeats(post, requests, counterpart, config, target: float = 0.9, most: float = 0.5,
                   largest: int = 20) -> int:
    """The smallest k for which the method's rational counterpart at ``repeats=k`` gives the requested object
    at least ``target`` on more than ``most`` of the requests (a prefix stating the request k times is, to the
    agent, k more mentions).

    Example:
        >>> import lm, rational, bridges
        >>> post = rational.fit(bridges.build_world("tiny", n_subjects=10))
        >>> s = post.subjects[0]
        >>> req = bridges.EditRequest(s, "continent", post.graph.domain("continent")[0])
        >>> m = lm.get_edit_method("context")
        >>> choose_repeats(post, [req], m.counterpart, lm.ContextEditConfig()) >= 1
        True
    """
    import numpy as np
    import rational

    for k in range(1, largest + 1):
        rule, options, _ = counterpart(dataclasses.replace(config, repeats=k))
        reached = [rational.update(post, rule, r, **options).probability(r.subject, r.relation, r.obj) >= target
                   for r in requests]
        if np.mean(reached) > most:
            return k
    return largest


def check_supply(run: Path, settings) -> None:
    """Before training: can the fitted agent's world give the requests asked for? The shape of the world
    bounds the counts (checked when the config is validated); here, with the agent, the implication requests
    are looked for as the requests stage will (any object moving a downstream belief by ``min_shift``), until
    enough are found or every candidate pair has been tried. Raises :class:`PipelineError` naming what the
    world gave."""
    from ...bench.believers import BayesBeliever
    from ...bench.requests import implication_supply, tuning_people
    from ...world.store import load_world

    e = settings.evaluate
    n_imp = int(round(e.implication_share * e.n_requests))
    if not n_imp:
        return
    world = load_world(run / "world" / "world.json")
    tuning = tuning_people(world, e.tuning_share)
    found = implication_supply(world, BayesBeliever(load_posterior(run), e.rules[0]), e, n_imp,
                               subjects=[x for x in world.subjects if x not in tuning])
    if found < n_imp:
        raise PipelineError(f"[evaluate]: asked for {n_imp:,} edit requests with downstream implications "
                            f"(implication_share {e.implication_share} of {e.n_requests:,}), but this world gives at "
                            f"most {found:,} (edits that move the fitted agent's belief about a downstream relation by "
                            f"{e.min_shift} or more); lower implication_share or n_requests (checked before training)")


def _run(ctx: Context) -> None:
    import lm

    from ...bench.believers import BayesBeliever, LMBeliever, PostEditBeliefs
    from ...bench.requests import sample_requests, tuning_people
    from ...world.store import load_world

    s, e = ctx.settings, ctx.settings.evaluate
    world = load_world(ctx.run / "world" / "world.json")
    post = load_posterior(ctx.run)
    model = load_model(ctx.run, s)
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    first = LMBeliever(model, domains, e.methods[0], s.edit[e.methods[0]])
    tuning = tuning_people(world, e.tuning_share)
    requests = sample_requests(world, first, e, BayesBeliever(post, e.rules[0]),
                               subjects=[x for x in world.subjects if x not in tuning])
    # each method's calibrated settings and its rational counterpart
    methods, references, counterparts = {}, {}, {}
    for m, config in s.methods.items():
        reg = lm.get_edit_method(m)
        if reg.counterpart is None:
            continue
        if hasattr(config, "repeats") and "repeats" not in s.sections["edit"].get(m, {}):
            methods[m] = {"repeats": choose_repeats(post, requests, reg.counterpart, config)}
            config = dataclasses.replace(config, **methods[m])
        rule, options, label = reg.counterpart(config)
        name = f"bayes:{rule}({label})"
        references[name] = {"rule": rule, "options": options}
        counterparts[f"lm:{m}"] = name
    # every reference's post-edit beliefs, computed once
    refs = {b.name: b for b in [*(BayesBeliever(post, u) for u in e.rules), BayesBeliever(post, s.teacher.rule),
                                *(BayesBeliever(post, v["rule"], v["options"], name=k) for k, v in references.items())]}
    stored = PostEditBeliefs.compute(refs, requests, world.graph)
    stored.save(ctx.run / "requests" / "beliefs.npz")
    atomic_write_json(ctx.run / "requests" / "requests.json",
                      {"requests": [dataclasses.asdict(r) for r in requests], "methods": methods,
                       "references": references, "counterparts": counterparts, "tuning_people": sorted(tuning)})
    n_imp = int(round(e.implication_share * e.n_requests))
    ctx.say(f"requests: {len(requests)} edit requests drawn ({n_imp} with downstream implications); the agent's "
            f"post-edit beliefs stored for {len(refs)} reference(s)"
            + "".join(f"; {m}: {', '.join(f'{k} = {v}' for k, v in c.items())}" for m, c in methods.items()))


def _settings(s) -> dict:
    e = s.evaluate
    return {"requests": [e.n_requests, e.seed, e.fixing_share, e.implication_share, e.min_shift, e.tries,
                         list(e.methods), list(e.rules)],
            "edit": {m: plain(c) for m, c in s.methods.items()}, "set": {m: sorted(s.sections["edit"].get(m, {}))
                                                                       for m in s.methods},
            "teacher": plain(s.teacher), "code": code_digests(s), "device": s.run.resolved_device()}


STAGE = Stage("requests", ("keys", "fit"), (*AGENT_INPUTS, "keys/stats"), ("requests/requests.json", "requests/beliefs.npz"),
              _settings, _run, "pipeline stage: draw the edit requests and store the agent's post-edit beliefs "
                               "(RUN/requests)", precheck=check_supply, precheck_after="fit")
