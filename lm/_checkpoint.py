"""Atomic writes: a directory or a file appears complete or not at all.

A directory is written to ``<name>.tmp`` and swapped in with two renames (``<name>`` -> ``<name>.old``,
``<name>.tmp`` -> ``<name>``). A crash between the two renames leaves ``<name>.old`` complete, and
:func:`complete_dir` falls back to it, so a reader never sees a half-written directory.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_dir", "atomic_json", "complete_dir"]


@contextmanager
def atomic_dir(directory: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary directory; on success it replaces ``directory`` (on error it is removed)."""
    final = Path(directory)
    tmp, old = final.with_name(final.name + ".tmp"), final.with_name(final.name + ".old")
    final.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for f in tmp.iterdir():  # flush file contents before the rename makes them visible
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
    if final.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


def complete_dir(directory: str | os.PathLike) -> Path | None:
    """``directory`` if it exists, else its ``.old`` copy left by an interrupted swap, else None."""
    final = Path(directory)
    old = final.with_name(final.name + ".old")
    return final if final.is_dir() else old if old.is_dir() else None


def atomic_json(path: str | os.PathLike, obj) -> None:
    """Write ``obj`` as JSON to ``path`` via a temporary file and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
