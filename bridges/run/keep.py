"""Keeping an edit: apply requests to a run's LM with a registered method and save the edited model; load a
model edited elsewhere and judge it against the rational agent after the same requests.

From the shell::

    python -m bridges edit --run runs/default --method lora --request "Amara Lindqvist | continent | Asia" --out edited/
    python -m bridges judge --run runs/default --model edited/ --request "Amara Lindqvist | continent | Asia"

A saved edit is a model directory (merged weights in ``save_pretrained``'s layout, the tokenizer and
``lm_config.json``; ``--adapter`` saves a LoRA edit's adapter alone, to apply to the run's model with
``lm.load_adapter``): ``lm.load(out)`` scores exactly as the edited model did. ``judge`` also takes a
``transformers`` directory written by another tool (the same architecture, the run's vocabulary; a
directory with a tokenizer of its own must hold the run's).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from .config import PipelineError

__all__ = ["judge_model", "parse_requests", "save_edit"]


def parse_requests(texts: Sequence[str] = (), path: str | os.PathLike | None = None) -> list:
    """Requests from ``"subject | relation | object"`` texts and/or a JSON file (a list of
    ``{"subject", "relation", "obj"}`` objects, or a requests.json of a run).

    Example:
        >>> parse_requests(["Ann Lee | native language | French"])[0].obj
        'French'
    """
    from ..bench.protocol import EditRequest

    out = []
    for text in texts:
        parts = [p.strip() for p in text.split("|")]
        if len(parts) != 3 or not all(parts):
            raise PipelineError(f"--request {text!r}: expected 'subject | relation | object'")
        out.append(EditRequest(*parts))
    if path is not None:
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise PipelineError(f"--requests-file {path}: cannot read a JSON list of requests: {err}") from None
        items = data["requests"] if isinstance(data, dict) and "requests" in data else data
        if not isinstance(items, list):
            raise PipelineError(f"--requests-file {path}: expected a JSON list of {{subject, relation, obj}} objects")
        for i, item in enumerate(items):
            try:
                out.append(EditRequest(**item))
            except (TypeError, ValueError) as err:
                raise PipelineError(f"--requests-file {path}: item {i}: {err}") from None
    if not out:
        raise PipelineError("no edit requests: give --request 'subject | relation | object' or --requests-file FILE")
    return out


def _check_known(world, requests) -> None:
    g = world.graph
    for r in requests:
        if r.subject not in world.subjects:
            raise PipelineError(f"unknown person {r.subject!r} in the request {r.text!r}")
        if r.relation not in g.relations:
            raise PipelineError(f"unknown relation {r.relation!r} in the request {r.text!r}; relations: "
                                f"{list(g.relations)}")
        if r.obj not in g.domain(r.relation):
            raise PipelineError(f"{r.obj!r} is not an object of {r.relation!r} (request {r.text!r})")


def save_edit(run: str | os.PathLike, settings, method: str, requests, out: str | os.PathLike, *,
              sequential: bool = False, adapter: bool = False, seed: int = 0) -> dict:
    """Edit the run's LM with ``method`` (all ``requests`` in one edit, or one after another) and save it to
    ``out``; returns P(o*) of each request before and after. Teacher methods are taught by the run's agent."""
    import lm

    from ..bench.believers import BayesBeliever, LMBeliever, Teacher
    from ..world.store import load_world
    from .stages._shared import load_model, load_posterior

    run = Path(run)
    world = load_world(run / "world" / "world.json")
    _check_known(world, requests)
    model = load_model(run, settings)
    if method not in lm.edit_methods():
        raise PipelineError(f"unknown edit method {method!r}; registered: {list(lm.edit_methods())}")
    if lm.get_edit_method(method).prefix is not None:
        raise PipelineError(f"{method!r} edits by a prefix, not by weights: there is no edited model to save")
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    agent = BayesBeliever(load_posterior(run), settings.teacher.rule)
    b = LMBeliever(model, domains, method, settings.edit.get(method),
                   teacher=Teacher(agent, world.subjects, world.graph.relations, settings.teacher))
    if sequential:
        edited = b
        for r in requests:
            edited = edited.taught_by(agent).edit(r, seed)
            agent = agent.edit(r)
    else:
        edited = b.edit_together(requests, seed)
    if adapter:
        edited.model.save_adapter(out)
    else:
        edited.model.save(out)
    q = [(r.subject, r.relation) for r in requests]
    idx = [list(domains[r.relation]).index(r.obj) for r in requests]
    before = [float(d[k]) for d, k in zip(b.distributions(q)[0], idx)]
    after = [float(d[k]) for d, k in zip(edited.distributions(q)[0], idx)]
    return {"requests": [r.text for r in requests], "p_before": before, "p_after": after, "out": str(out)}


def judge_model(run: str | os.PathLike, settings, model_dir: str | os.PathLike, requests) -> dict:
    """A model edited elsewhere with ``requests`` against the rational agent after the same requests
    (:func:`bridges.bench.sequential.judge`, under the first ``[evaluate]`` rule), and the run's unedited LM
    as its starting point."""
    import lm

    from ..bench.believers import BayesBeliever, LMBeliever
    from ..bench.sequential import judge
    from ..world.store import load_world
    from .stages._shared import load_model, load_posterior

    run = Path(run)
    world = load_world(run / "world" / "world.json")
    _check_known(world, requests)
    base = load_model(run, settings)
    edited = lm.load(model_dir, device=settings.run.resolved_device(), tokenizer=base.tokenizer)
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    reference = BayesBeliever(load_posterior(run), settings.evaluate.rules[0])
    return judge(world, reference, LMBeliever(base, domains), LMBeliever(edited, domains), requests,
                 settings.sequential)
