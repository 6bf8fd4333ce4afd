"""One process per run directory: an advisory lock (``fcntl.flock``) on ``RUN/.lock``.

The lock file records its holder (process id, host, command, start time), so a second process fails at
once with a message naming it, instead of racing the first on the same files. The lock is released
when the holder exits, even if it is killed.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from .config import PipelineError

__all__ = ["run_lock"]

_HELD: dict[Path, int] = {}  # run directory -> depth (re-entrant within one process)
_FILES: dict[Path, object] = {}


@contextmanager
def run_lock(run: Path):
    """Hold the run directory's lock for the duration (re-entrant); :class:`PipelineError` if another
    process holds it.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> with run_lock(d):
        ...     with run_lock(d):  # the same process may nest
        ...         pass
    """
    run = Path(run).resolve()
    if run in _HELD:
        _HELD[run] += 1
        try:
            yield
        finally:
            _HELD[run] -= 1
        return
    if run.exists() and not run.is_dir():
        raise PipelineError(f"run directory {str(run)!r} is a file, not a directory; give another --run directory")
    run.mkdir(parents=True, exist_ok=True)
    path = run / ".lock"
    f = open(path, "a+", encoding="utf-8")
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        try:
            holder = json.loads(f.read() or "{}")
        except json.JSONDecodeError:
            holder = {}
        f.close()
        raise PipelineError(
            f"run directory {str(run)!r} is in use by process {holder.get('pid', '?')} on "
            f"{holder.get('host', '?')} (started {holder.get('started', '?')}: {holder.get('command', '?')}); "
            "wait for it to finish or use another --run directory") from None
    f.seek(0)
    f.truncate()
    f.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                        "started": time.strftime("%Y-%m-%d %H:%M:%S"), "command": " ".join(sys.argv)[:300]}))
    f.flush()
    _HELD[run], _FILES[run] = 1, f
    try:
        yield
    finally:
        del _HELD[run]
        _FILES.pop(run)
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        f.close()
