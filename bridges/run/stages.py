"""The stages of a run, each a function of its predecessors' files (see :mod:`bridges.run.pipeline`).

========  ==================================  ===================================================
stage     reads                               writes
========  ==================================  ===================================================
world     the world spec (and graph file)     world/world.json
corpus    world/world.json                    corpus/corpus.jsonl, corpus/metadata.json
train     corpus/                             train/model/, train/metrics.json (+ checkpoint/)
fit       corpus/                             fit/posterior.json, fit/posterior.npz
edit      world, train/model, fit             edit/requests.json (requests, P(o*) over edit steps)
evaluate  world, train/model, fit, edit       evaluate/results.json, results.json (+ records)
report    evaluate/results.json, edit         report/table.txt and the PNG plots
========  ==================================  ===================================================
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._io import atomic_write_json, atomic_write_text
from .config import PipelineError
from .pipeline import Context, Stage, mark_started, register_stage

__all__ = ["load_agents", "load_requests"]


def _plain(obj) -> Any:
    """JSON data of a config dataclass (tuples as lists)."""
    return json.loads(json.dumps(dataclasses.asdict(obj), default=str))


# -- world -------------------------------------------------------------------------------------------------
def _world(ctx: Context) -> None:
    from ..world.store import save_world

    spec = ctx.settings.world
    world = spec.sample(ctx.settings.seed)
    save_world(world, ctx.run / "world" / "world.json", name=spec.name)
    n_facts = len(world.subjects) * len(world.graph)
    ctx.say(f"world: {spec.name}, {len(world.subjects)} subjects x {len(world.graph)} relations = {n_facts} facts")


def _world_settings(s, config):
    graph_file = Path(s.world.name)
    file_digest = None
    if graph_file.suffix == ".py" and graph_file.is_file():
        from .pipeline import digest

        file_digest = digest(graph_file)  # editing the graph file re-runs the world and all after it
    return {"name": s.world.name, "seed": s.seed, "settings": s.world.settings(), "graph_file": file_digest}


register_stage(Stage("world", (), (), ("world/world.json",), _world_settings, _world,
                     "pipeline stage 1: sample the world (RUN/world/world.json)"))


# -- corpus ------------------------------------------------------------------------------------------------
def _corpus(ctx: Context) -> None:
    from ..corpus.write import write_corpus
    from ..world.store import load_world, world_name

    path = ctx.run / "world" / "world.json"
    world = load_world(path)
    write_corpus(world, ctx.run / "corpus", seed=world.seed, shuffles=ctx.settings.shuffles, chunk=ctx.settings.chunk,
                 world_name=world_name(path), world_options={"n_subjects": len(world.subjects),
                                                             **world.options.to_dict()}, quiet=ctx.quiet)


register_stage(Stage("corpus", ("world",), ("world/world.json",), ("corpus/corpus.jsonl", "corpus/metadata.json"),
                     lambda s, c: {"shuffles": s.shuffles, "chunk": s.chunk}, _corpus,
                     "pipeline stage 2: render the world's evidence as the corpus (RUN/corpus)"))


# -- train -------------------------------------------------------------------------------------------------
def _train(ctx: Context) -> None:
    import lm

    from ..corpus.read import verify_corpus

    verify_corpus(ctx.run / "corpus")  # the input loads before any old work is discarded
    out = ctx.run / "train"
    if ctx.fresh:
        for stale in ("checkpoint", "checkpoint.old", "checkpoint.tmp"):
            shutil.rmtree(out / stale, ignore_errors=True)
    mark_started(ctx, "train")
    config = ctx.settings.train
    if ctx.quiet:
        config = dataclasses.replace(config, progress=False)
    try:
        metrics = lm.train_from_corpus(ctx.run / "corpus", out, preset=ctx.settings.preset, config=config,
                                       **ctx.settings.model_overrides)
    except lm.CheckpointError as err:
        raise PipelineError(f"train: {err}; to start training over, run `python -m bridges train --run "
                            f"{ctx.run} --force`") from None
    ctx.say(f"train: {ctx.settings.preset} LM, accuracy on training facts {metrics['train_fact_accuracy']:.3f}, "
            f"held-out facts {metrics['heldout_fact_accuracy']:.3f}")


def _train_settings(s, config):
    train = {k: v for k, v in _plain(s.train).items() if k not in ("progress", "threads")}
    return {"preset": s.preset, "model": _plain(s.model), "train": train}


register_stage(Stage("train", ("corpus",), ("corpus/corpus.jsonl", "corpus/metadata.json"),
                     ("train/model", "train/metrics.json"), _train_settings, _train,
                     "pipeline stage 3: train the LM on the corpus (RUN/train); resumes from its checkpoint"))


# -- fit ---------------------------------------------------------------------------------------------------
def _fit(ctx: Context) -> None:
    import rational

    from ..corpus.read import evidence_from_corpus, file_sha256

    t = time.perf_counter()
    evidence = evidence_from_corpus(ctx.run / "corpus")
    post = rational.fit(evidence, tol=ctx.settings.fit.tol, max_iter=ctx.settings.fit.max_iter)
    post.save(ctx.run / "fit", meta={"corpus_sha256": file_sha256(ctx.run / "corpus" / "corpus.jsonl")})
    ctx.say(f"fit: the rational agent, {post.info.iterations} EM steps to the fixed point "
            f"({time.perf_counter() - t:.1f} s); saved in {ctx.run / 'fit'}")


register_stage(Stage("fit", ("corpus",), ("corpus/corpus.jsonl", "corpus/metadata.json"),
                     ("fit/posterior.json", "fit/posterior.npz"), lambda s, c: _plain(s.fit), _fit,
                     "pipeline stage 4: fit the rational agent to the corpus, once (RUN/fit)"))


# -- loading what the later stages share ---------------------------------------------------------------------
def load_posterior(run: Path):
    """The saved rational agent of a run, checked against the run's corpus."""
    import rational

    from ..corpus.read import file_sha256

    post = rational.load(run / "fit")
    fitted_to = rational.read_header(run / "fit").get("meta", {}).get("corpus_sha256")
    if fitted_to != file_sha256(run / "corpus" / "corpus.jsonl"):
        raise PipelineError(f"the rational agent in {run / 'fit'} was fitted to another corpus; run the fit stage "
                            f"again (`python -m bridges fit --run {run}`)")
    return post


def load_agents(run: Path, settings, context_repeats: int | None = None):
    """(world, references by name, agents by name) of a run: the rational agent under each update rule
    and the LM under each edit method, loaded from the run's files (nothing is refitted).

    With the ``context`` method and ``context_repeats`` = k (its prefix states each request k times), the
    references also hold the agent's counterpart, ``observe`` with k mentions (named ``bayes:observe(w=k)``).
    The ``rational`` method's teacher is the agent under ``[edit.rational] rule``.
    """
    import dataclasses as dc

    import lm

    from ..bench.believers import BayesBeliever, LMBeliever, Teacher
    from ..world.store import load_world

    world = load_world(run / "world" / "world.json")
    post = load_posterior(run)
    model = lm.load(run / "train")
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    references = {b.name: b for b in (BayesBeliever(post, u) for u in settings.evaluate.rules)}
    configs = dict(settings.edit)
    if "context" in configs and context_repeats is not None:
        configs["context"] = dc.replace(configs["context"], repeats=context_repeats)
        k = configs["context"].repeats
        observe = BayesBeliever(post, "observe", {"mentions": k}, name=f"bayes:observe(w={k})")
        references[observe.name] = observe
    teacher = Teacher(BayesBeliever(post, settings.teacher.rule), world.subjects, world.graph.relations,
                      settings.teacher)
    agents, shared = {}, {}
    for m in settings.evaluate.methods:
        b = LMBeliever(model, domains, m, configs[m], teacher=teacher if m == "rational" else None, cache=shared)
        agents[b.name] = b
    return world, references, agents


def load_requests(run: Path):
    """The edit requests drawn by the edit stage."""
    from ..bench.protocol import EditRequest

    data = json.loads((run / "edit" / "requests.json").read_text())
    return [EditRequest(**r) for r in data["requests"]]


def context_repeats(run: Path) -> int | None:
    """The number of times the ``context`` method states a request, as the edit stage chose it."""
    return json.loads((run / "edit" / "requests.json").read_text()).get("context_repeats")


def choose_repeats(post, requests, target: float = 0.9, most: float = 0.5, largest: int = 20) -> int:
    """The smallest k for which the agent's ``observe`` with k mentions of the requested object reaches
    ``target`` on more than ``most`` of the requests (a prefix stating the request k times is, to the agent,
    k more mentions).

    Example:
        >>> import rational, bridges
        >>> post = rational.fit(bridges.build_world("tiny", n_subjects=10))
        >>> s = post.subjects[0]
        >>> choose_repeats(post, [bridges.EditRequest(s, "continent", post.graph.domain("continent")[0])]) >= 1
        True
    """
    import numpy as np
    import rational

    for k in range(1, largest + 1):
        reached = [rational.update(post, "observe", r, mentions=k).probability(r.subject, r.relation, r.obj) >= target
                   for r in requests]
        if np.mean(reached) > most:
            return k
    return largest


# -- edit --------------------------------------------------------------------------------------------------
def _edit(ctx: Context) -> None:
    """Draw the edit requests, choose the context method's repeats, and trace P(o*) over edit steps for a
    few requests."""
    import numpy as np
    import torch

    import lm

    from ..bench.believers import BayesBeliever
    from ..bench.evaluate import edit_seed
    from ..bench.requests import RequestConfig, sample_requests

    s = ctx.settings
    world, references, agents = load_agents(ctx.run, s)
    first = next(iter(agents.values()))
    post = next(iter(references.values())).posterior
    e = s.evaluate
    requests = sample_requests(world, first, RequestConfig(e.n_requests, e.seed, e.implication_share,
                                                           e.fixing_share, e.min_shift), BayesBeliever(post))
    repeats = None
    if "context" in e.methods:
        repeats = choose_repeats(post, requests) if s.context_auto else s.edit["context"].repeats
    traces = []
    trainable = [b for b in agents.values() if hasattr(b.config, "steps")]
    for i, req in enumerate(requests[: s.report.trace_requests]):
        tgt = world.graph.object_index(req.relation, req.obj)
        query = [(req.subject, req.relation)]
        entry = {"request": dataclasses.asdict(req), "bayes": {}, "lm": {}}
        for b in references.values():
            entry["bayes"][b.rule] = [float(b.distributions(query)[0][0][tgt]),
                                      float(b.edit(req).distributions(query)[0][0][tgt])]
        for b in trainable:
            steps = np.unique(np.linspace(0, b.config.steps, s.report.trace_points).round().astype(int))
            probs = []
            for k in steps:
                if k == 0:
                    probs.append(float(b.distributions(query)[0][0][tgt]))
                    continue
                seed = edit_seed(e.seed, i)
                torch.manual_seed(seed)
                edited = lm.edit(b.model, b.method, [b._request(req, seed)], dataclasses.replace(b.config, steps=int(k)))
                probs.append(float(edited.distributions(query, b.domains)[0][0][tgt]))
            entry["lm"][b.method] = {"steps": steps.tolist(), "p_requested": probs}
        traces.append(entry)
    atomic_write_json(ctx.run / "edit" / "requests.json", {"requests": [dataclasses.asdict(r) for r in requests],
                                                            "context_repeats": repeats, "traces": traces})
    ctx.say(f"edit: {len(requests)} edit requests drawn; P(o*) traced over edit steps for {len(traces)}"
            + (f"; the context method states each request {repeats} times" if repeats else ""))


_AGENT_INPUTS = ("world/world.json", "train/model", "fit/posterior.json", "fit/posterior.npz")


def _edit_settings(s, config):
    e = s.evaluate
    return {"requests": [e.n_requests, e.seed, e.fixing_share, e.implication_share, e.min_shift, list(e.methods),
                         list(e.rules)],
            "edit": {m: _plain(c) for m, c in s.edit.items()}, "teacher": _plain(s.teacher),
            "context_auto": s.context_auto, "trace": [s.report.trace_requests, s.report.trace_points]}


register_stage(Stage("edit", ("train", "fit"), _AGENT_INPUTS, ("edit/requests.json",), _edit_settings, _edit,
                     "pipeline stage 5: draw the edit requests and trace P(o*) over edit steps (RUN/edit)"))


# -- evaluate ----------------------------------------------------------------------------------------------
def _read_records(folder: Path) -> dict[int, dict]:
    """Every complete record written before an interruption (all ranks' files)."""
    done = {}
    for path in sorted(folder.glob("records*.jsonl")):
        for line in path.read_text().splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                break  # a line cut by the interruption: it and anything after it is redone
            done[rec["index"]] = rec
    return done


@contextmanager
def _torch_threads(n: int):
    """torch's intra-op threads set to ``n`` for the duration, then restored (the process's later stages,
    e.g. training in the same process, must not inherit them: thread counts change float rounding)."""
    import torch

    was = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(was)


def _evaluate(ctx: Context) -> None:
    """Evaluate every request (sharded across torchrun ranks if launched so) into results.json."""
    size = int(os.environ.get("WORLD_SIZE", 1))
    with _torch_threads(ctx.settings.evaluate.threads or max(1, (os.cpu_count() or 1) // size)):
        _evaluate_all(ctx)


def _evaluate_all(ctx: Context) -> None:
    from ..bench.evaluate import EvaluateConfig, evaluate
    from ..bench.knowledge import knowledge
    from ..bench.summary import summarise

    s = ctx.settings
    started = time.perf_counter()
    world, references, agents = load_agents(ctx.run, s, context_repeats(ctx.run))
    requests = load_requests(ctx.run)
    startup = time.perf_counter() - started
    rank, size = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    folder = ctx.run / "evaluate"
    folder.mkdir(parents=True, exist_ok=True)
    if size > 1:
        import torch.distributed as dist
    if ctx.fresh:  # the agents and requests loaded: only now is old partial work discarded
        if rank == 0:
            for p in folder.glob("records*.jsonl"):
                p.unlink()
            mark_started(ctx, "evaluate")
        if size > 1:
            dist.barrier()
    elif rank == 0:
        mark_started(ctx, "evaluate")
    done = {i: r for i, r in _read_records(folder).items()
            if i < len(requests) and r["request"] == dataclasses.asdict(requests[i])}
    # fixed chunks of requests, dealt round-robin to the ranks: a chunk's records do not depend on the rank
    width = s.evaluate.chunk
    chunks = [list(range(c, min(c + width, len(requests)))) for c in range(0, len(requests), width)]
    mine = [c for k, c in enumerate(chunks) if k % size == rank and not all(i in done for i in c)]
    progress = None
    if not ctx.quiet:
        from tqdm import tqdm

        progress = tqdm(total=len(requests), initial=len(requests) - sum(map(len, mine)), desc="evaluate",
                        unit="edit")
    config = EvaluateConfig(seed=s.evaluate.seed, other_subjects=s.evaluate.other_subjects,
                            min_shift=s.evaluate.min_shift, logic_requests=s.evaluate.logic_requests)
    loop_start = time.perf_counter()
    new = []
    with open(folder / (f"records.rank{rank}.jsonl" if size > 1 else "records.jsonl"), "a") as f:
        for chunk in mine:
            records = evaluate(world, references, agents, [requests[i] for i in chunk], chunk, config,
                               progress=progress)
            f.write("".join(json.dumps(rec, allow_nan=False) + "\n" for rec in records))
            f.flush()
            os.fsync(f.fileno())
            new += records
    if progress is not None:
        progress.close()
    atomic_write_json(folder / f"timing.rank{rank}.json",  # timings stay out of the records
                      {"startup_s": startup, "requests": sum(map(len, mine)),
                       "loop_s": time.perf_counter() - loop_start})
    if size > 1:
        gathered = [None] * size
        dist.all_gather_object(gathered, new)
        new = [r for part in gathered for r in part]
        if rank != 0:
            return
    records = sorted({**done, **{r["index"]: r for r in new}}.values(), key=lambda r: r["index"])
    if len(records) != len(requests):
        raise PipelineError(f"evaluate: {len(records)} records for {len(requests)} requests")
    first = next(iter(agents.values()))
    known = knowledge(world, next(iter(references.values())), first, generative=first.model.fact_correct)
    results = {"config": ctx.config.sections, "context_repeats": context_repeats(ctx.run),
               "knowledge": {"agent": first.name, "reference": next(iter(references)), **known},
               "requests": [r["request"] for r in records], "summary": summarise(records), "records": records}
    atomic_write_json(folder / "results.json", results, indent=None, allow_nan=False)
    atomic_write_json(ctx.run / "results.json", results, indent=None, allow_nan=False)


def _evaluate_settings(s, config):
    return {"evaluate": _plain(s.evaluate), "edit": {m: _plain(c) for m, c in s.edit.items()},
            "teacher": _plain(s.teacher)}


register_stage(Stage("evaluate", ("edit",), (*_AGENT_INPUTS, "edit/requests.json"),
                     ("evaluate/results.json", "results.json"), _evaluate_settings, _evaluate,
                     "pipeline stage 6: apply every edit with every method and rule, score (RUN/results.json); "
                     "under torchrun the requests are sharded across ranks"))


# -- report ------------------------------------------------------------------------------------------------
def _report(ctx: Context) -> None:
    from .report import render_table, write_plots

    results = json.loads((ctx.run / "evaluate" / "results.json").read_text())
    table = render_table(results)
    (ctx.run / "report").mkdir(parents=True, exist_ok=True)
    atomic_write_text(ctx.run / "report" / "table.txt", table)
    if ctx.settings.report.plots:
        traces = json.loads((ctx.run / "edit" / "requests.json").read_text())["traces"]
        write_plots(results, traces, ctx.run / "report")
    ctx.say(table)


register_stage(Stage("report", ("evaluate",), ("evaluate/results.json", "edit/requests.json"), ("report",),
                     lambda s, c: _plain(s.report), _report,
                     "pipeline stage 7: print the results table and write the plots (RUN/report)"))
