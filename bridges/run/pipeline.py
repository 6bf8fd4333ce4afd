"""The pipeline: world -> corpus -> fit -> train -> requests -> evaluate -> sequential -> report, in one run
directory.

Each stage (:mod:`bridges.run.stages`) reads only its predecessors' files and writes its own into
``RUN/<stage>/`` atomically. It records in ``RUN/<stage>/stage.json`` a stamp (a hash of its settings, of
the user's code it runs, *and of its input files' contents*) and the sha256 of each output. A stage is up to
date when its stamp matches and its outputs are as it wrote them; otherwise it runs again (and says why), and
so does everything downstream whose inputs change as a result. Nothing is silently stale: editing a graph
file (or a data file it reads), a setting, the code of your own rule, or a file inside the run re-runs what
depends on it.

The config is validated once (:meth:`RunConfig.validate`), before any stage runs, and the resulting
:class:`Settings` are handed to every stage as they are.

Interrupted work resumes: a stage records the stamp it started under (``started.json``); training continues
from its last checkpoint and evaluation from its last finished chunk when the stamp is the same, and starts
over (discarding the old partial work, after its new inputs have loaded) when it is not or when ``force`` is
given. A run directory belongs to one process at a time (:mod:`bridges.run.lock`).
"""

from __future__ import annotations

import json
import os
import time
from contextlib import nullcontext
from pathlib import Path

from .._io import atomic_write_json
from .config import PipelineError, RunConfig, Settings
from .lock import run_lock
from .stage import FORMAT, Context, Stage, digest, read_json, stamp
from .stages import STAGES, by_name

__all__ = ["STAGES", "run_pipeline", "run_stage", "stage_names"]


def stage_names() -> tuple[str, ...]:
    """The stages' names, in pipeline order."""
    return tuple(s.name for s in STAGES)


def _check_run_dir(run: Path) -> None:
    info = run / "run.json"
    if info.exists():
        found = (read_json(info) or {}).get("format")
        if found != FORMAT:
            raise PipelineError(f"run directory {str(run)!r} was written by an incompatible version "
                                f"(format {found}, this version reads {FORMAT}); use a new --run directory")
    else:
        run.mkdir(parents=True, exist_ok=True)
        atomic_write_json(info, {"format": FORMAT})


def _status(stage: Stage, run: Path, stamp_now: str) -> str | None:
    """None if the stage is up to date, else why not."""
    f = run / stage.name / "stage.json"
    if not f.exists():
        return "not run yet"
    done = read_json(f)
    if done is None:
        return "its stage.json is corrupt"
    if done.get("stamp") != stamp_now:
        return "its settings or inputs changed"
    outputs = done.get("outputs")
    if not isinstance(outputs, dict):
        return "its stage.json is corrupt"
    for name, expected in outputs.items():
        if digest(run / name) != expected:
            return f"{name} is missing or changed since the stage wrote it"
    return None


def _upstream(stage: str, stages: dict[str, Stage]) -> list[str]:
    """Every stage ``stage`` depends on, directly or not, in pipeline order."""
    seen, todo = set(), list(stages[stage].needs)
    while todo:
        need = todo.pop()
        if need not in seen:
            seen.add(need)
            todo += stages[need].needs
    return [name for name in stages if name in seen]


def _settings(config: RunConfig | Settings) -> Settings:
    return config if isinstance(config, Settings) else config.validate()


def run_stage(stage: str, run: str | os.PathLike, config: RunConfig | Settings, *, force: bool = False,
              quiet: bool = False) -> bool:
    """Run one stage if it is not up to date (or ``force``); returns True if it ran.

    ``config`` is a :class:`RunConfig` (validated here) or the :class:`Settings` it validated to.

    Raises:
        PipelineError: an unknown stage, a stage whose inputs are not there yet, a busy or incompatible
            run directory, or a bad config.
    """
    stages = by_name()
    if stage not in stages:
        raise PipelineError(f"unknown stage {stage!r}; stages: {list(stages)}")
    st = stages[stage]
    run = Path(run)
    settings = _settings(config)
    rank, size = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    lock = run_lock(run) if rank == 0 else nullcontext()  # torchrun: rank 0 holds it for every rank
    with lock:
        _check_run_dir(run)
        for need in _upstream(stage, stages):  # the most upstream stale stage is the one to name
            why = _status(stages[need], run, stamp(stages[need], run, settings))
            if why is not None:
                raise PipelineError(f"stage {stage!r} needs stage {need!r} first ({need}: {why}); run "
                                    f"`python -m bridges {need} --run {run}` or `python -m bridges run --run {run}`")
        stamp_now = stamp(st, run, settings)
        why = _status(st, run, stamp_now)
        if why is None and not force:
            if rank == 0 and not quiet:
                print(f"{stage}: up to date, skipped", flush=True)
            return False
        started = read_json(run / stage / "started.json")
        resumable = not force and started is not None and started.get("stamp") == stamp_now
        if rank == 0:
            if not quiet:
                print(f"{stage}: running ({'forced' if force else why})", flush=True)
            (run / stage / "stage.json").unlink(missing_ok=True)
        (run / stage).mkdir(parents=True, exist_ok=True)
        ctx = Context(run, settings, quiet or rank != 0, fresh=not resumable, stamp=stamp_now, stage_dir=stage)
        t = time.perf_counter()
        if size > 1 and st.distributed:
            import torch.distributed as dist

            dist.init_process_group("gloo")
            try:
                st.fn(ctx)
                dist.barrier()
            finally:
                dist.destroy_process_group()
            if rank != 0:
                return True
        else:
            st.fn(ctx)
        outputs = {name: digest(run / name) for name in st.outputs if (run / name).exists()}
        atomic_write_json(run / stage / "stage.json", {"stamp": stamp_now, "seconds": round(time.perf_counter() - t, 3),
                                                       "outputs": outputs})
    return True


def run_pipeline(run: str | os.PathLike, config: RunConfig | Settings, *, force: bool = False,
                 quiet: bool = False) -> dict:
    """Every stage in order, skipping those that are up to date (``force``: redo every one); returns
    ``results.json``'s content. The config is validated once, here.

    Before training, once the agent is fitted, it checks that the world can give the edit requests asked for
    (:func:`bridges.run.stages.requests.check_supply`), so a config the world cannot serve fails in seconds.
    """
    t = time.perf_counter()
    run = Path(run)
    settings = _settings(config)
    with run_lock(run):
        for st in STAGES:
            run_stage(st.name, run, settings, force=force, quiet=quiet)
            for later in STAGES:
                if later.precheck is not None and later.precheck_after == st.name and \
                        _status(later, run, stamp(later, run, settings)) is not None:
                    later.precheck(run, settings)
    if not quiet:
        print(f"run: done in {time.perf_counter() - t:.0f} s; results in {run / 'results.json'}", flush=True)
    return json.loads((run / "results.json").read_text())
