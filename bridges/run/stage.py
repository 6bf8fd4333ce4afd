"""What a stage is: its inputs, outputs and settings, the function that runs it, and what that function gets.

The stages themselves are in :mod:`bridges.run.stages` (one module each); :mod:`bridges.run.pipeline`
runs them. This module depends on neither, so both import it and nothing is circular.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._io import atomic_write_json
from .config import Settings

__all__ = ["FORMAT", "Context", "Stage", "digest", "read_json", "stamp"]

FORMAT = 3  # bump when a stage's outputs change incompatibly (3: the requests stage, [teacher], stored beliefs)

_BOOKKEEPING = frozenset({"stage.json", "started.json"})  # a stage's own records, not its outputs


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


def read_json(path: Path) -> dict | None:
    """A stage's own JSON record as a dict, or None when it is missing, unreadable or not a JSON object (a
    record someone edited into a list is as good as none: the stage runs again)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class Context:
    """What a stage function gets: the run directory, the validated settings, and how to behave."""

    run: Path
    settings: Settings
    quiet: bool
    fresh: bool  # start over: discard resumable partial work (forced, or the stamp changed)
    stamp: str = ""  # the stamp this stage runs under

    def say(self, msg: str) -> None:
        if not self.quiet:
            print(msg, flush=True)

    def mark_started(self) -> None:
        """Record the stamp the stage started under (after it has loaded its inputs and discarded stale
        work): an interrupted stage resumes only under the same stamp."""
        atomic_write_json(self.run / self.stage_dir / "started.json", {"stamp": self.stamp})

    stage_dir: str = ""


@dataclass(frozen=True)
class Stage:
    """A stage: the stages it needs, what enters its stamp, what it writes, and the function that runs it."""

    name: str
    needs: tuple[str, ...]
    inputs: tuple[str, ...]  # files or directories (relative to RUN) whose contents enter the stamp
    outputs: tuple[str, ...]  # files or directories (relative to RUN) it writes
    settings: Callable[[Settings], Any]  # the settings (and code) that enter the stamp
    fn: Callable[[Context], None]
    help: str = ""
    distributed: bool = False  # under torchrun, the ranks share its work in a process group
    precheck: Callable[[Path, Settings], None] | None = None  # a cheap check of this stage's settings against
    #                                                            earlier outputs, run by the pipeline ...
    precheck_after: str = ""  # ... as soon as this stage is done (before the expensive stages in between)


def stamp(stage: Stage, run: Path, settings: Settings) -> str:
    """A hash of the stage's settings and of its input files' contents: the stage is up to date when the
    stamp it recorded is this one."""
    inputs = {name: digest(run / name) for name in stage.inputs}
    text = json.dumps([FORMAT, stage.name, stage.settings(settings), inputs], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
