"""What the later stages load from the run directory: the world, the fitted agent, the LM, the requests, and
the agents built from them (the same in the main process, every evaluate worker and every torchrun rank)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from ..config import PipelineError

__all__ = ["AGENT_INPUTS", "code_digests", "load_agents", "load_model", "load_posterior", "load_requests", "plain"]

AGENT_INPUTS = ("world/world.json", "train/model", "fit/posterior.json", "fit/posterior.npz")
_OWN = ("bridges", "rational", "lm", "coherence")


def plain(obj) -> Any:
    """JSON data of a config dataclass (tuples as lists)."""
    return json.loads(json.dumps(dataclasses.asdict(obj), default=str))


def _source_file(fn) -> str | None:
    module = sys.modules.get(getattr(fn, "__module__", "") or "")
    return getattr(module, "__file__", None)


def code_digests(settings, rules=None, methods=None) -> dict[str, str]:
    """sha256 of the source files of the user's code a stage uses: the modules defining the update ``rules`` and
    edit ``methods`` it names (default: ``[evaluate]``'s and the teacher's) that are not the toolkit's own
    (a graph file's are stamped by the world stage). In a stamp, editing that code re-runs what depends on it
    (the toolkit's own code is versioned by :data:`bridges.run.stage.FORMAT`; code a rule's module imports
    from elsewhere is not followed)."""
    import lm
    import rational

    rules = (*settings.evaluate.rules, settings.teacher.rule) if rules is None else rules
    methods = settings.evaluate.methods if methods is None else methods
    files = set()
    used = [rational.get_rule(r) for r in dict.fromkeys(rules)] + [lm.get_edit_method(m).fn for m in dict.fromkeys(methods)]
    for fn in used:
        if getattr(fn, "__module__", "").split(".")[0] not in _OWN:
            files.add(_source_file(fn))
    out = {}
    for f in sorted(x for x in files if x):
        try:
            out[f] = hashlib.sha256(Path(f).read_bytes()).hexdigest()
        except OSError:
            out[f] = "unreadable"
    return out


def load_model(run: Path, settings, *, keys: bool = True):
    """The run's trained LM, on ``[run] device``, with (``keys``) the key statistics of the ``keys`` stage if it wrote any."""
    import lm

    model = lm.load(run / "train", device=settings.run.resolved_device())
    stats = run / "keys" / "stats"
    return model.with_key_statistics(lm.load_key_statistics(stats, model)) if keys and stats.exists() else model


def load_posterior(run: Path):
    """The saved rational agent of a run, checked against the run's corpus."""
    import rational

    from ...corpus.read import file_sha256

    post = rational.load(run / "fit")
    fitted_to = rational.read_header(run / "fit").get("meta", {}).get("corpus_sha256")
    if fitted_to != file_sha256(run / "corpus" / "corpus.jsonl"):
        raise PipelineError(f"the rational agent in {run / 'fit'} was fitted to another corpus; run the fit stage "
                            f"again (`python -m bridges fit --run {run}`)")
    return post


def load_requests(run: Path) -> tuple[list, dict]:
    """The edit requests drawn by the requests stage, and what it recorded beside them (calibrated method
    settings, counterpart references)."""
    from ...bench.protocol import EditRequest

    data = json.loads((run / "requests" / "requests.json").read_text())
    return [EditRequest(**r) for r in data["requests"]], data


def load_agents(run: Path, settings, *, beliefs: bool = True):
    """(world, references by name, agents by name) of a run, from its files (nothing is refitted).

    References: the rational agent under each ``[evaluate] rules`` rule, plus each method's counterpart
    (recorded by the requests stage, e.g. ``bayes:observe(w=2)`` for an in-context edit stating the request
    twice); with ``beliefs``, each answers the drawn requests' post-edit beliefs from the stored ones.
    Agents: the LM under each ``[evaluate] methods`` method (with the calibrated settings the requests stage
    chose), a teacher attached to those registered with one, and (``[evaluate] database``) a database. Before the requests stage has run (an example
    that edits requests of its own), the references update the agent themselves and nothing is calibrated.
    """
    import lm

    from ...bench.believers import BayesBeliever, DatabaseBeliever, LMBeliever, PostEditBeliefs, Teacher
    from ...world.store import load_world

    world = load_world(run / "world" / "world.json")
    post = load_posterior(run)
    model = load_model(run, settings)
    drawn = (run / "requests" / "requests.json").exists()
    requests, meta = load_requests(run) if drawn else ([], {})
    stored = PostEditBeliefs.load(run / "requests" / "beliefs.npz", requests, world.graph) if beliefs and drawn \
        else None

    def reference(rule, options=None, name=""):
        b = BayesBeliever(post, rule, options or {}, name=name)
        b.known = stored.known(b.name) if stored is not None and b.name in stored.dist else None
        return b

    references = {b.name: b for b in (reference(u) for u in settings.evaluate.rules)}
    for name, spec in meta.get("references", {}).items():
        references[name] = reference(spec["rule"], spec["options"], name)
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    teacher = Teacher(reference(settings.teacher.rule), world.subjects, world.graph.relations, settings.teacher)
    agents, shared = {}, {}
    for m, config in settings.methods.items():
        config = dataclasses.replace(config, **meta.get("methods", {}).get(m, {}))
        b = LMBeliever(model, domains, m, config, teacher=teacher, cache=shared)
        agents[b.name] = b
    if settings.evaluate.database:
        db = DatabaseBeliever.from_evidence(world.evidence)
        agents[db.name] = db
    return world, references, agents
