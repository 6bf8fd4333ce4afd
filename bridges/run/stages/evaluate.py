"""Stage ``evaluate``: apply every edit with every method and rule and score it (``RUN/results.json``).

The requests are cut into fixed chunks that ``[evaluate] workers`` processes of this machine (one per core
by default), or torchrun's ranks, take from a shared queue (:mod:`bridges.run.pool`); records are written
as chunks finish, so an interrupted stage resumes chunk by chunk. At the end rank 0 gathers every record,
adds what the first agent knows before any edit and its P(o*) over edit steps for a few requests, and
writes ``results.json``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from functools import partial
from pathlib import Path

from ..._io import atomic_write_json, naming
from ..config import PipelineError
from ..pool import (ChunkQueue, RecordFiles, join_workers, new_queue, start_workers, torch_threads, user_code)
from ..stage import Context, Stage
from ._shared import AGENT_INPUTS, code_digests, load_agents, load_requests, plain

__all__ = ["STAGE"]


def _evaluate_chunks(files: RecordFiles, name: str, world, references, agents, requests, queue: ChunkQueue, e,
                     progress=None) -> list[dict]:
    """Evaluate the chunks this process takes from ``queue`` one after another, appending each chunk's
    records to ``name`` (flushed and fsynced: an interruption loses at most the chunk in progress)."""
    from ...bench.evaluate import evaluate

    new = []
    with files.open(name) as f:
        for chunk in queue:
            records = evaluate(world, references, agents, [requests[i] for i in chunk], chunk, e)
            with naming(files.folder / name):  # a full disk names no file
                f.write("".join(files.line(rec) for rec in records))
                f.flush()
                os.fsync(f.fileno())
            new += records
            queue.written(len(records))
            queue.show(progress)
    return new


def _work(run: Path, settings, queue: ChunkQueue, name: str, threads: int, *, stamp: str) -> None:
    """A helper process's share: the same agents, loaded from the run's files, on the chunks it takes."""
    world, references, agents = load_agents(run, settings)
    requests, _ = load_requests(run)
    files = RecordFiles(run / "evaluate", stamp)
    with torch_threads(threads):
        _evaluate_chunks(files, name, world, references, agents, requests, queue, settings.evaluate)


def _done(files: RecordFiles, requests) -> tuple[dict[int, dict], int]:
    """The intact records (of every process) that belong to these requests, and how many lines were set aside."""
    records, bad = files.read()
    return {i: r for i, r in records.items()
            if i < len(requests) and r["request"] == dataclasses.asdict(requests[i])}, bad


def _traces(agents, requests, records, e, report) -> list[dict]:
    """P(o*) over edit steps for the first ``[report] trace_requests`` requests: every reference before and
    after (from the records), and each agent that edits in steps (:class:`bridges.bench.protocol.StepTracer`)."""
    from ...bench.evaluate import edit_seed
    from ...bench.protocol import StepTracer

    traced = requests[: report.trace_requests]
    if not traced:
        return []
    seeds = [edit_seed(e.seed, i) for i in range(len(traced))]
    out = [{"request": dataclasses.asdict(r), "lm": {},
             "bayes": {u: [ref["p_requested_pre"], ref["p_requested_post"]] for u, ref in rec["reference"].items()}}
           for r, rec in zip(traced, records)]
    for b in agents.values():
        if isinstance(b, StepTracer):
            tr = b.trace(traced, seeds, report.trace_points)
            if tr is not None:
                for i, entry in enumerate(out):
                    entry["lm"][b.method] = {"steps": tr["steps"], "p_requested": tr["p_requested"][i]}
    return out


def _run(ctx: Context) -> None:
    from ...bench.knowledge import knowledge
    from ...bench.protocol import Generator
    from ...bench.summary import summarise

    s = ctx.settings
    e = s.evaluate
    rank, size = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    started = time.perf_counter()
    world, references, agents = load_agents(ctx.run, s)
    requests, meta = load_requests(ctx.run)
    startup = time.perf_counter() - started
    folder = ctx.run / "evaluate"
    folder.mkdir(parents=True, exist_ok=True)
    files = RecordFiles(folder, ctx.stamp)
    if size > 1:
        import torch.distributed as dist
    if rank == 0:
        if ctx.fresh:  # the agents and requests loaded: only now is old partial work discarded
            files.clear()
        ctx.mark_started()
    if size > 1:
        dist.barrier()
    chunks = [list(range(c, min(c + e.chunk, len(requests)))) for c in range(0, len(requests), e.chunk)]
    done, bad = _done(files, requests)
    finished = [k for k, c in enumerate(chunks) if all(i in done for i in c)]
    if bad and rank == 0:
        ctx.say(f"evaluate: {bad} record line(s) in {folder} were cut short, changed or written under other "
                "settings; their chunks are evaluated again")
    todo = [k for k, c in enumerate(chunks) if k % size == rank and k not in finished]
    cores = os.cpu_count() or 1
    workers = 1 if size > 1 else e.workers or cores
    threads = e.threads or max(1, cores // (size * workers))  # from the setting, not from what is left: a
    #                                            resumed run scores its last chunks as the first run would have
    workers = min(workers, max(1, len(todo)))
    modules = user_code(s, workers)
    progress = None
    initial = sum(len(chunks[k]) for k in finished)
    if not ctx.quiet:
        from tqdm import tqdm

        progress = tqdm(total=len(requests), initial=initial, desc="evaluate", unit="edit")
    queue = new_queue([chunks[k] for k in todo], initial)
    loop_start = time.perf_counter()
    helpers = []
    try:
        helpers = start_workers(workers - 1, ctx.run, s, modules, queue, threads, partial(_work, stamp=ctx.stamp))
        name = f"records.rank{rank}.jsonl" if size > 1 else "records.jsonl"
        with torch_threads(threads):
            new = _evaluate_chunks(files, name, world, references, agents, requests, queue, e, progress)
        join_workers(helpers, queue, progress)
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
    records = sorted({**_done(files, requests)[0], **{r["index"]: r for r in new}}.values(), key=lambda r: r["index"])
    if len(records) != len(requests):
        missing = sorted(set(range(len(requests))) - {r["index"] for r in records})
        raise PipelineError(f"evaluate: {len(records)} records for {len(requests)} requests (missing: requests "
                            f"{missing[:5]}{' ...' if len(missing) > 5 else ''}); run the same command to evaluate "
                            "them")
    first = next(iter(agents.values()))
    ref0 = next(iter(references))
    known = knowledge(world, references[ref0], first,
                      generative=first.generates if isinstance(first, Generator) else None)
    traces = _traces(agents, requests, records, e, s.report)
    atomic_write_json(folder / "traces.json", traces)
    database = {}
    if "database" in agents:  # what a database knows: the zero of "agent or database?"
        database["knowledge"] = {"agent": "database", "reference": ref0,
                                 **knowledge(world, references[ref0], agents["database"])}
    results = {"config": s.sections, "methods": meta.get("methods", {}), "counterparts": meta.get("counterparts", {}),
               "knowledge": {"agent": first.name, "reference": ref0, **known}, "database": database,
               "requests": [r["request"] for r in records], "summary": summarise(records), "records": records}
    atomic_write_json(folder / "results.json", results, indent=None, allow_nan=False)
    atomic_write_json(ctx.run / "results.json", results, indent=None, allow_nan=False)


def _settings(s) -> dict:
    return {"evaluate": {k: v for k, v in plain(s.evaluate).items() if k not in ("workers",)},
            "device": s.run.resolved_device(),
            "edit": {m: plain(c) for m, c in s.methods.items()}, "teacher": plain(s.teacher),
            "trace": [s.report.trace_requests, s.report.trace_points], "code": code_digests(s)}


STAGE = Stage("evaluate", ("requests",), (*AGENT_INPUTS, "keys/stats", "requests/requests.json", "requests/beliefs.npz"),
              ("evaluate/results.json", "evaluate/traces.json", "results.json"), _settings, _run,
              "pipeline stage: apply every edit with every method and rule, score (RUN/results.json); "
              "under torchrun the requests are sharded across ranks", distributed=True)
