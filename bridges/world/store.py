"""A sampled world as a file: ``world.json``, the single record every later stage reads.

The file holds :meth:`rational.World.to_dict` (graph, subjects, CPTs, truth, held-out flags, the
evidence, the sampling options) plus ``format``, ``version``, ``name`` (the built-in world or graph
file it came from) and ``n_subjects``. The corpus is a rendering of exactly this evidence, and the
benchmark's truth is exactly this truth: nothing samples the world a second time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_json
from .builtin import WorldError

if TYPE_CHECKING:
    from rational import World

__all__ = ["WORLD_FILE", "load_world", "save_world", "world_name"]

WORLD_FILE = "world.json"
_FORMAT, _VERSION = "bridges-world", 1


def save_world(world: World, path: str | os.PathLike, *, name: str = "custom") -> Path:
    """Write ``world`` as JSON to ``path`` atomically; returns the path.

    Example:
        >>> import tempfile, pathlib, bridges
        >>> world = bridges.build_world("tiny", n_subjects=3)
        >>> p = save_world(world, pathlib.Path(tempfile.mkdtemp()) / "world.json", name="tiny")
        >>> load_world(p).evidence.fingerprint() == world.evidence.fingerprint()
        True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"format": _FORMAT, "version": _VERSION, "name": name,
                            "n_subjects": len(world.subjects), **world.to_dict()}
    return atomic_write_json(path, data, indent=None)


def load_world(path: str | os.PathLike) -> World:
    """The :class:`rational.World` in a ``world.json`` written by :func:`save_world`.

    Raises:
        FileNotFoundError: no such file.
        bridges.WorldError: not a world file, another format version, or malformed content.
    """
    from rational import EvidenceError, GraphError, World

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no world file at {str(path)!r} (run the world stage first)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise WorldError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise WorldError(f"{path}: not a world file")
    if data.get("version") != _VERSION:
        raise WorldError(f"{path}: world file version {data.get('version')!r}, this code reads {_VERSION}")
    try:
        return World.from_dict(data)
    except (EvidenceError, GraphError) as err:
        raise WorldError(f"{path}: {err}") from None


def world_name(path: str | os.PathLike) -> str:
    """The ``name`` recorded in a world file (the built-in world or graph file it came from)."""
    return json.loads(Path(path).read_text(encoding="utf-8")).get("name", "custom")
