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
    traced = requests[: s.report.trace_requests]
    queries = [(r.subject, r.relation) for r in traced]
    targets = [world.graph.object_index(r.relation, r.obj) for r in traced]
    traces = []
    for r, q, t in zip(traced, queries, targets):  # the agent's P(o*) before and after, under each rule
        bayes = {b.rule: [float(b.distributions([q])[0][0][t]), float(b.edit(r).distributions([q])[0][0][t])]
                 for b in references.values()}
        traces.append({"request": dataclasses.asdict(r), "bayes": bayes, "lm": {}})

    def traced_steps(config) -> list[int]:
        return np.unique(np.linspace(0, config.steps, s.report.trace_points).round().astype(int)).tolist()

    batched = [b for b in agents.values() if b.method in lm.batched_edit_methods()] if traced else []
    stepwise = [b for b in agents.values() if b not in batched and hasattr(b.config, "steps")]
    for b in batched:  # one batched run per method, observed at the traced steps (after step k: a k-step edit)
        steps = traced_steps(b.config)
        probs = {0: [float(d[t]) for d, t in zip(b.distributions(queries)[0], targets)]}

        def observe(k, edits, b=b, steps=steps, probs=probs):
            if k in steps:
                norm = edits.distributions(range(len(traced)), queries, b.domains)[0]
                probs[k] = [float(d[t]) for d, t in zip(norm, targets)]

        lm.edit_many(b.model, b.method, [b._request(r, edit_seed(e.seed, i)) for i, r in enumerate(traced)],
                     b.config, on_step=observe)
        for i, entry in enumerate(traces):
            entry["lm"][b.method] = {"steps": steps, "p_requested": [probs[k][i] for k in steps]}
    for b in stepwise:  # a method of your own with training steps: one edit per traced step
        steps = traced_steps(b.config)
        for i, (entry, r, q, t) in enumerate(zip(traces, traced, queries, targets)):
            seed = edit_seed(e.seed, i)
            probs = []
            for k in steps:
                torch.manual_seed(seed)
                edited = b.model if k == 0 else lm.edit(b.model, b.method, [b._request(r, seed)],
                                                        dataclasses.replace(b.config, steps=k))
                probs.append(float(edited.distributions([q], b.domains)[0][0][t]))
            entry["lm"][b.method] = {"steps": steps, "p_requested": probs}
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
    """Evaluate every request into results.json: the chunks of requests dealt to torchrun's ranks if launched
    so, else to ``[evaluate] workers`` processes of this machine (one per core by default)."""
    from ..bench.knowledge import knowledge
    from ..bench.summary import summarise

    s = ctx.settings
    rank, size = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    started = time.perf_counter()
    world, references, agents = load_agents(ctx.run, s, context_repeats(ctx.run))
    requests = load_requests(ctx.run)
    startup = time.perf_counter() - started
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
    width = s.evaluate.chunk  # fixed chunks, dealt round-robin: a chunk's records do not depend on who does it
    chunks = [list(range(c, min(c + width, len(requests)))) for c in range(0, len(requests), width)]
    done = _done_records(folder, requests)
    todo = [k for k, c in enumerate(chunks) if k % size == rank and not all(i in done for i in c)]
    cores = os.cpu_count() or 1
    workers = 1 if size > 1 else s.evaluate.workers or cores
    threads = s.evaluate.threads or max(1, cores // (size * workers))  # from the setting, not from what is left:
    #                                  a resumed run scores its last chunks as the first run would have
    workers = min(workers, max(1, len(todo)))
    progress = None
    if not ctx.quiet:
        from tqdm import tqdm

        progress = tqdm(total=len(requests), initial=len(done), desc="evaluate", unit="edit")
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")  # helpers start fresh interpreters: nothing forked
    queue = _ChunkQueue([chunks[k] for k in todo], spawn.Value("i", 0), spawn.Value("i", len(done)))
    helpers = [spawn.Process(target=_worker, args=(ctx.run, ctx.config, queue, w, threads), daemon=True,
                             name=f"evaluate worker {w}") for w in range(1, workers)]
    loop_start = time.perf_counter()
    try:
        for p in helpers:
            p.start()
        name = f"records.rank{rank}.jsonl" if size > 1 else "records.jsonl"
        with _torch_threads(threads):
            new = _evaluate_chunks(folder / name, world, references, agents, requests, queue, s.evaluate,
                                   progress)
        _join_workers(helpers, queue, progress)
    finally:
        for p in helpers:
            if p.is_alive():
                p.terminate()
    if progress is not None:
        progress.close()
    atomic_write_json(folder / f"timing.rank{rank}.json",  # timings stay out of the records
                      {"startup_s": startup, "requests": sum(len(chunks[k]) for k in todo), "workers": workers,
                       "threads": threads, "loop_s": time.perf_counter() - loop_start})
    if size > 1:
        gathered = [None] * size
        dist.all_gather_object(gathered, new)
        new = [r for part in gathered for r in part]
        if rank != 0:
            return
    records = sorted({**_done_records(folder, requests), **{r["index"]: r for r in new}}.values(),
                     key=lambda r: r["index"])
    if len(records) != len(requests):
        raise PipelineError(f"evaluate: {len(records)} records for {len(requests)} requests")
    first = next(iter(agents.values()))
    known = knowledge(world, next(iter(references.values())), first, generative=first.model.fact_correct)
    results = {"config": ctx.config.sections, "context_repeats": context_repeats(ctx.run),
               "knowledge": {"agent": first.name, "reference": next(iter(references)), **known},
               "requests": [r["request"] for r in records], "summary": summarise(records), "records": records}
    atomic_write_json(folder / "results.json", results, indent=None, allow_nan=False)
    atomic_write_json(ctx.run / "results.json", results, indent=None, allow_nan=False)


def _done_records(folder: Path, requests) -> dict[int, dict]:
    """The finished records (of every process) that belong to these requests."""
    return {i: r for i, r in _read_records(folder).items()
            if i < len(requests) and r["request"] == dataclasses.asdict(requests[i])}


def _evaluate_chunks(path: Path, world, references, agents, requests, queue: _ChunkQueue, e,
                     progress=None) -> list[dict]:
    """Evaluate the chunks this process takes from ``queue`` one after another, appending each chunk's
    records to ``path`` (flushed and fsynced: an interruption loses at most the chunk in progress)."""
    from ..bench.evaluate import EvaluateConfig, evaluate

    config = EvaluateConfig(seed=e.seed, other_subjects=e.other_subjects, min_shift=e.min_shift,
                            logic_requests=e.logic_requests)
    new = []
    with open(path, "a") as f:
        for chunk in queue:
            records = evaluate(world, references, agents, [requests[i] for i in chunk], chunk, config)
            f.write("".join(json.dumps(rec, allow_nan=False) + "\n" for rec in records))
            f.flush()
            os.fsync(f.fileno())
            new += records
            queue.written(len(records))
            queue.show(progress)
    return new


@dataclasses.dataclass
class _ChunkQueue:
    """Chunks of request indices shared by the evaluate stage's processes: each takes the next one not
    taken (a shared counter), so a process that starts late or draws slow chunks does fewer of them; a
    second counter holds the requests whose records are written, by any process, for the progress bar."""

    chunks: list[list[int]]
    taken: Any  # a multiprocessing Value("i")
    done: Any  # a multiprocessing Value("i"): records written (those of an earlier, interrupted run included)

    def __iter__(self):
        while True:
            with self.taken.get_lock():
                k = self.taken.value
                self.taken.value += 1
            if k >= len(self.chunks):
                return
            yield self.chunks[k]

    def written(self, n: int) -> None:
        with self.done.get_lock():
            self.done.value += n

    def show(self, progress) -> None:
        if progress is not None:
            progress.n = self.done.value
            progress.refresh()


def _worker(run: Path, config, queue: _ChunkQueue, number: int, threads: int) -> None:
    """A helper process of the evaluate stage: chunks from ``queue`` into records.worker<number>.jsonl."""
    settings = config.validate()  # the plain config travels (a graph file's functions would not pickle)
    world, references, agents = load_agents(run, settings, context_repeats(run))
    requests = load_requests(run)
    with _torch_threads(threads):
        _evaluate_chunks(run / "evaluate" / f"records.worker{number}.jsonl", world, references, agents, requests,
                         queue, settings.evaluate)


def _join_workers(procs: list, queue: _ChunkQueue, progress) -> None:
    """Wait for the helper processes (updating the progress bar); a failed one is an error that keeps every
    finished chunk for the next run to resume from."""
    while any(p.is_alive() for p in procs):
        for p in procs:
            p.join(timeout=1.0)
        queue.show(progress)
    failed = [p for p in procs if p.exitcode != 0]
    if failed:
        raise PipelineError(f"evaluate: {failed[0].name} stopped with exit code {failed[0].exitcode} (its error "
                            "is printed above); the finished chunks are kept: run the same command to resume")


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
