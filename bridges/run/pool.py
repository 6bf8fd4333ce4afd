"""The evaluate stage's processes: fixed chunks of requests shared through a queue, records written as they
finish, checked when read back, and helper processes that die with the process that started them.

A chunk's records depend only on its requests and the threads per process, never on which process did it,
so any number of workers (or torchrun ranks) at the same threads per process gives the same records, and an
interrupted run resumes chunk by chunk. Every record line carries a checksum keyed by the stage's stamp: a
line cut by a crash or a full disk, a record edited by hand, or one written under other settings is not
reused (its chunk is evaluated again), and the stage says how many it set aside.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import PipelineError, import_user_modules

__all__ = ["ChunkQueue", "RecordFiles", "join_workers", "load_user_code", "new_queue", "start_workers", "torch_threads",
           "user_code"]


# -- records -------------------------------------------------------------------------------------------------
class RecordFiles:
    """The records of one stage run in ``folder/records*.jsonl`` (one file per process), each line
    ``{"record": ..., "sha256": ...}`` with the sha256 of the stamp and the record's JSON."""

    def __init__(self, folder: Path, stamp: str):
        self.folder, self.stamp = folder, stamp

    def _checksum(self, text: str) -> str:
        return hashlib.sha256(f"{self.stamp}\n{text}".encode()).hexdigest()

    def line(self, record: dict) -> str:
        text = json.dumps(record, allow_nan=False)
        return json.dumps({"sha256": self._checksum(text), "record": record}, allow_nan=False) + "\n"

    def read(self) -> tuple[dict[int, dict], int]:
        """(index -> record) of every intact line of every file, and how many lines were set aside (cut,
        edited, or written under another stamp)."""
        done, bad = {}, 0
        for path in sorted(self.folder.glob("records*.jsonl")):
            for line in path.read_text(errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    record = entry["record"]
                    ok = entry["sha256"] == self._checksum(json.dumps(record, allow_nan=False))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                    ok = False
                if ok:
                    done[record["index"]] = record
                elif line.strip():
                    bad += 1
        return done, bad

    def open(self, name: str):
        """Append to ``name``, first cutting a last line that an interruption left unfinished."""
        path = self.folder / name
        if path.exists():
            data = path.read_bytes()
            if data and not data.endswith(b"\n"):
                with open(path, "r+b") as f:
                    f.truncate(data.rfind(b"\n") + 1)
        return open(path, "a")

    def clear(self) -> None:
        for p in self.folder.glob("records*.jsonl"):
            p.unlink()


# -- the queue -----------------------------------------------------------------------------------------------
@dataclass
class ChunkQueue:
    """Chunks of request indices shared by the evaluate stage's processes: each takes the next one not taken
    (a shared counter), so a process that starts late or draws slow chunks does fewer of them; a second counter
    holds the requests whose records are written, by any process, for the progress bar."""

    chunks: list[list[int]]
    taken: Any  # a multiprocessing Value("i")
    done: Any  # a multiprocessing Value("i"): requests of finished chunks (an earlier run's included)

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


@contextmanager
def torch_threads(n: int):
    """torch's intra-op threads set to ``n`` for the duration, then restored (the process's later stages,
    e.g. training in the same process, must not inherit them: thread counts change float rounding)."""
    import torch

    was = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(was)


# -- helper processes ----------------------------------------------------------------------------------------
def _die_with_parent(parent: int) -> None:
    """End this process when the one that started it ends, even by SIGKILL: the kernel's parent-death signal
    where there is one (Linux), and a watchdog thread everywhere."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch():
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="parent watchdog").start()


def load_user_code(modules: list[str]) -> None:
    """Import the user's modules; an entry ``world:PATH`` is a graph file, loaded as the world loader loads
    it (its registrations are what a helper process needs from it)."""
    from ..world.builtin import resolve_world

    for m in modules:
        if m.startswith("world:"):
            resolve_world(m[len("world:"):])
        else:
            import_user_modules([m], "evaluate worker")


def user_code(settings, processes: int) -> list[str]:
    """What a helper process must load for the run's rules and edit methods to be registered there: ``[run]
    imports``, and the graph file if a rule or method was registered by it. A rule or method registered where
    a fresh process cannot find it (``python -c``, a notebook, an interactive session) is an error when
    helper processes are needed, naming it and the way out."""
    import lm
    import rational

    used = [(f"update rule {r!r}", rational.get_rule(r)) for r in dict.fromkeys((*settings.evaluate.rules,
                                                                                 settings.teacher.rule))]
    used += [(f"edit method {m!r}", lm.get_edit_method(m).fn) for m in settings.evaluate.methods]
    out = list(settings.run.imports)
    for what, fn in used:
        module = getattr(fn, "__module__", None) or ""
        if module.startswith("_bridges_world_") and f"world:{settings.world.name}" not in out:
            out.append(f"world:{settings.world.name}")
        elif module == "__main__" and not getattr(sys.modules.get("__main__"), "__file__", None) and processes > 1:
            raise PipelineError(f"evaluate: {what} was registered in this session ({module}: python -c, a notebook "
                                "or an interactive prompt), where the evaluate stage's helper processes cannot import "
                                "it; put it in a module and pass --import MODULE ([run] imports), or set [evaluate] "
                                "workers = 1")
    return out


def _worker(run: Path, settings, modules: list[str], queue: ChunkQueue, number: int, threads: int, parent: int,
            work) -> None:
    """A helper process: loads the user's code, then ``work(run, settings, queue, name, threads)``."""
    _die_with_parent(parent)
    load_user_code(modules)
    work(run, settings, queue, f"records.worker{number}.jsonl", threads)


def start_workers(n: int, run: Path, settings, modules: list[str], queue: ChunkQueue, threads: int, work) -> list:
    """``n`` helper processes (fresh interpreters: nothing is forked) running ``work``; they end with this one."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    procs = [spawn.Process(target=_worker, args=(run, settings, modules, queue, w, threads, os.getpid(), work),
                           daemon=True, name=f"evaluate worker {w}") for w in range(1, n + 1)]
    for p in procs:
        p.start()
    return procs


def join_workers(procs: list, queue: ChunkQueue, progress) -> None:
    """Wait for the helper processes (updating the progress bar); a failed one is an error that keeps every
    finished chunk for the next run to resume from."""
    while any(p.is_alive() for p in procs):
        for p in procs:
            p.join(timeout=1.0)
        queue.show(progress)
    failed = [p for p in procs if p.exitcode != 0]
    if failed:
        code = failed[0].exitcode
        how = (f"was killed by signal {-code} ({signal.Signals(-code).name})" if code < 0
               else f"stopped with exit code {code} (its traceback is printed above)")
        raise PipelineError(f"evaluate: {failed[0].name} {how}; the finished chunks are kept: run the same command "
                            "to resume")


def new_queue(chunks: list[list[int]], done: int) -> ChunkQueue:
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    return ChunkQueue(chunks, spawn.Value("i", 0), spawn.Value("i", done))
