"""The pipeline: world -> corpus -> train, fit -> edit -> evaluate -> report, in one run directory.

Each stage reads only its predecessors' files and writes its own into ``RUN/<stage>/`` atomically. It
records in ``RUN/<stage>/stage.json`` a stamp (a hash of its settings *and of its input files'
contents*) and the sha256 of each output. A stage is up to date when its stamp matches and its outputs
are as it wrote them; otherwise it runs again (and says why), and so does everything downstream whose
inputs change as a result. Nothing is silently stale: editing a graph file, a setting, or a file inside
the run re-runs what depends on it.

Interrupted work resumes: a stage records the stamp it started under (``started.json``); training
continues from its last checkpoint and evaluation from its last finished request when the stamp is the
same, and starts over (discarding the old partial work, after its new inputs have loaded) when it is not
or when ``force`` is given. A run directory belongs to one process at a time (:mod:`bridges.run.lock`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._io import atomic_write_json
from .config import PipelineError, RunConfig, Settings
from .lock import run_lock

__all__ = ["FORMAT", "STAGES", "Context", "run_pipeline", "run_stage"]

FORMAT = 2  # bump when a stage's outputs change incompatibly


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_BOOKKEEPING = frozenset({"stage.json", "started.json"})  # a stage's own records, not its outputs


def digest(path: Path) -> str | None:
    """sha256 of a file, of a directory's files (relative names and contents; hidden files and the
    stage's own records left out), or None if absent."""
    if path.is_file():
        return _sha256(path)
    if path.is_dir():
        h = hashlib.sha256()
        for p in sorted(q for q in path.rglob("*")
                        if q.is_file() and not q.name.startswith(".") and q.name not in _BOOKKEEPING):
            h.update(str(p.relative_to(path)).encode() + b"\0" + _sha256(p).encode())
        return h.hexdigest()
    return None


@dataclass
class Context:
    """What a stage function gets: the run directory, the config, and how to behave."""

    run: Path
    config: RunConfig
    settings: Settings
    quiet: bool
    fresh: bool  # start over: discard resumable partial work (forced, or the stamp changed)

    def say(self, msg: str) -> None:
        if not self.quiet:
            print(msg, flush=True)


@dataclass(frozen=True)
class Stage:
    """A stage: what it needs, what enters its stamp, what it writes, and the function that runs it."""

    name: str
    needs: tuple[str, ...]
    inputs: tuple[str, ...]  # files or directories (relative to RUN) whose contents enter the stamp
    outputs: tuple[str, ...]  # files or directories (relative to RUN) it writes
    settings: Callable[[Settings, RunConfig], Any]  # the settings that enter the stamp
    fn: Callable[[Context], None]
    help: str = ""


_STAGES: dict[str, Stage] = {}


def register_stage(stage: Stage) -> Stage:
    if stage.name in _STAGES:
        raise ValueError(f"stage {stage.name!r} is already registered")
    _STAGES[stage.name] = stage
    return stage


def _stages():
    from . import stages  # noqa: F401 - registers the stages

    return _STAGES


def _check_run_dir(run: Path) -> None:
    info = run / "run.json"
    if info.exists():
        try:
            found = json.loads(info.read_text()).get("format")
        except (json.JSONDecodeError, AttributeError):
            found = None
        if found != FORMAT:
            raise PipelineError(f"run directory {str(run)!r} was written by an incompatible version "
                                f"(format {found}, this version reads {FORMAT}); use a new --run directory")
    else:
        run.mkdir(parents=True, exist_ok=True)
        atomic_write_json(info, {"format": FORMAT})


def _stamp(stage: Stage, run: Path, settings: Settings, config: RunConfig) -> tuple[str, dict]:
    inputs = {name: digest(run / name) for name in stage.inputs}
    extra = stage.settings(settings, config)
    text = json.dumps([FORMAT, stage.name, extra, inputs], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16], inputs


def _status(stage: Stage, run: Path, stamp: str) -> str | None:
    """None if the stage is up to date, else why not."""
    f = run / stage.name / "stage.json"
    if not f.exists():
        return "not run yet"
    try:
        done = json.loads(f.read_text())
    except json.JSONDecodeError:
        return "its stage.json is corrupt"
    if done.get("stamp") != stamp:
        return "its settings or inputs changed"
    for name, expected in done.get("outputs", {}).items():
        if digest(run / name) != expected:
            return f"{name} is missing or changed since the stage wrote it"
    return None


def _distributed() -> tuple[int, int]:
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def run_stage(stage: str, run: str | os.PathLike, config: RunConfig, *, force: bool = False,
              quiet: bool = False) -> bool:
    """Run one stage if it is not up to date (or ``force``); returns True if it ran.

    Raises:
        PipelineError: an unknown stage, a stage whose inputs are not there yet, a busy or incompatible
            run directory, or a bad config.
    """
    stages = _stages()
    if stage not in stages:
        raise PipelineError(f"unknown stage {stage!r}; stages: {list(stages)}")
    st = stages[stage]
    run = Path(run)
    settings = config.validate()
    rank, size = _distributed()
    lock = run_lock(run) if rank == 0 else nullcontext()  # torchrun: rank 0 holds it for every rank
    with lock:
        _check_run_dir(run)
        for need in _upstream(stage, stages):  # the most upstream stale stage is the one to name
            stamp_need, _ = _stamp(stages[need], run, settings, config)
            why = _status(stages[need], run, stamp_need)
            if why is not None:
                raise PipelineError(f"stage {stage!r} needs stage {need!r} first ({need}: {why}); run "
                                    f"`python -m bridges {need} --run {run}` or `python -m bridges run --run {run}`")
        stamp, _ = _stamp(st, run, settings, config)
        why = _status(st, run, stamp)
        if why is None and not force:
            if rank == 0 and not quiet:
                print(f"{stage}: up to date, skipped", flush=True)
            return False
        started = run / stage / "started.json"
        resumable = not force and started.exists() and _read(started).get("stamp") == stamp
        if rank == 0:
            if not quiet:
                print(f"{stage}: running ({'forced' if force else why})", flush=True)
            (run / stage / "stage.json").unlink(missing_ok=True)
        (run / stage).mkdir(parents=True, exist_ok=True)
        ctx = Context(run, config, settings, quiet or rank != 0, fresh=not resumable)
        t = time.perf_counter()
        if size > 1 and stage == "evaluate":
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
        atomic_write_json(run / stage / "stage.json", {"stamp": stamp, "seconds": round(time.perf_counter() - t, 3),
                                                       "outputs": outputs})
    return True


def _upstream(stage: str, stages: dict[str, Stage]) -> list[str]:
    """Every stage ``stage`` depends on, directly or not, in pipeline order."""
    seen, todo = set(), list(stages[stage].needs)
    while todo:
        need = todo.pop()
        if need not in seen:
            seen.add(need)
            todo += stages[need].needs
    return [name for name in stages if name in seen]


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def mark_started(ctx: Context, stage: str) -> None:
    """Record the stamp a stage started under (after it has loaded its inputs and discarded stale work)."""
    stages = _stages()
    stamp, _ = _stamp(stages[stage], ctx.run, ctx.settings, ctx.config)
    atomic_write_json(ctx.run / stage / "started.json", {"stamp": stamp})


def run_pipeline(run: str | os.PathLike, config: RunConfig, *, force: bool = False, quiet: bool = False) -> dict:
    """Every stage in order, skipping those that are up to date (``force``: redo every one); returns
    ``results.json``'s content."""
    t = time.perf_counter()
    run = Path(run)
    with run_lock(run):
        for stage in _stages():
            run_stage(stage, run, config, force=force, quiet=quiet)
    if not quiet:
        print(f"run: done in {time.perf_counter() - t:.0f} s; results in {run / 'results.json'}", flush=True)
    return json.loads((run / "results.json").read_text())


STAGES = ("world", "corpus", "train", "fit", "edit", "evaluate", "report")

