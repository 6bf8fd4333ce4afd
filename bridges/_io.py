"""Atomic outputs: a reader never sees a half-written file, and a failure leaves nothing behind.

Three levels, all built on "write a temporary in the same directory, fsync, ``os.replace``" (a rename
within one file system is atomic on POSIX and Windows):

* :func:`atomic_open` / :func:`atomic_write_text` / :func:`atomic_write_bytes` / :func:`atomic_write_json`:
  one file;
* :func:`atomic_outputs`: several files in one directory, staged and committed together when the block
  succeeds (in staging order, so stage the file that marks completion, e.g. metadata, last); on failure
  every staged file is removed and a directory the block created is removed again;
* :func:`atomic_directory`: a whole new directory (e.g. a checkpoint) that appears at once.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = [
    "StagedOutputs",
    "atomic_directory",
    "atomic_open",
    "atomic_outputs",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "naming",
]


def _temp_sibling(path: Path, kind: str = "tmp") -> Path:
    return path.with_name(f".{path.name}.{kind}-{uuid.uuid4().hex[:12]}")


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def naming(path: str | os.PathLike, *also: str | os.PathLike) -> Iterator[None]:
    """Raise an ``OSError`` that names no file, or only one of ``also`` (a temporary), again naming ``path``
    with its errno: a full disk reports ENOSPC from ``write`` or ``fsync`` without a file name.

    Example:
        >>> import errno
        >>> try:
        ...     with naming("out/world.json"):
        ...         raise OSError(errno.ENOSPC, "No space left on device")
        ... except OSError as err:
        ...     print(err.errno == errno.ENOSPC, err.filename)
        True out/world.json
    """
    try:
        yield
    except OSError as err:
        if err.filename is None or str(err.filename) in {str(p) for p in also}:
            raise OSError(err.errno, err.strerror or str(err), str(path)) from err
        raise


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", *, encoding: str | None = "utf-8",
                newline: str | None = None) -> Iterator[IO]:
    """Open a file for writing that appears at ``path`` only when the block succeeds.

    The data goes to a temporary file next to ``path``; on success it is flushed, fsynced and renamed
    over ``path``; on any exception the temporary is deleted and ``path`` is untouched.

    Args:
        path: the final file; its directory must exist.
        mode: ``"w"`` (text) or ``"wb"`` (binary).
        encoding: text encoding (ignored in binary mode).
        newline: as for :func:`open` (text mode only).

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "log.txt"
        >>> with atomic_open(out) as f:
        ...     _ = f.write("done\\n")
        >>> out.read_text()
        'done\\n'
    """
    if mode not in ("w", "wt", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: directory {str(path.parent)!r} does not exist")
    tmp = _temp_sibling(path)
    binary = "b" in mode
    kwargs = {} if binary else {"encoding": encoding, "newline": newline}
    try:
        with naming(path, tmp), open(tmp, "xb" if binary else "x", **kwargs) as f:  # 'x': never clobber
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    _fsync_dir(path.parent)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path.

    Example:
        >>> import tempfile, pathlib
        >>> atomic_write_bytes(pathlib.Path(tempfile.mkdtemp()) / "x.bin", b"\\x00\\x01").read_bytes()
        b'\\x00\\x01'
    """
    with atomic_open(path, "wb") as f:
        f.write(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically; returns the path.

    Example:
        >>> import tempfile, pathlib
        >>> atomic_write_text(pathlib.Path(tempfile.mkdtemp()) / "a.txt", "hello").read_text()
        'hello'
    """
    with atomic_open(path, "w", encoding=encoding) as f:
        f.write(text)
    return Path(path)


def atomic_write_json(path: str | os.PathLike, obj: Any, *, indent: int | None = 1, **dumps_options) -> Path:
    """Write ``obj`` as UTF-8 JSON (non-ASCII kept verbatim, trailing newline) to ``path`` atomically.

    The object is serialised before anything is written, so an unserialisable object leaves no file.
    ``dumps_options`` go to :func:`json.dumps` (e.g. ``sort_keys=True``, ``default=str``).

    Example:
        >>> import tempfile, pathlib, json
        >>> p = atomic_write_json(pathlib.Path(tempfile.mkdtemp()) / "m.json", {"country": "São Tomé"})
        >>> json.loads(p.read_text(encoding="utf-8"))
        {'country': 'São Tomé'}
    """
    dumps_options.setdefault("ensure_ascii", False)
    text = json.dumps(obj, indent=indent, **dumps_options) + "\n"
    return atomic_write_text(path, text)


class StagedOutputs:
    """The files staged by :func:`atomic_outputs`; each becomes visible only when the block succeeds."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._staged: dict[str, Path] = {}  # final name -> temporary path, in staging order

    def _target(self, name: str) -> Path:
        if not name or Path(name).name != name or name in (".", ".."):
            raise ValueError(f"staged outputs are plain file names inside {str(self.directory)!r}, got {name!r}")
        if name in self._staged:
            raise ValueError(f"output {name!r} is already staged")
        return self.directory / name

    def path(self, name: str) -> Path:
        """A temporary path to write ``name`` to (for writers that take a path, e.g. ``torch.save``)."""
        tmp = _temp_sibling(self._target(name))
        self._staged[name] = tmp
        return tmp

    @contextmanager
    def open(self, name: str, mode: str = "w", *, encoding: str | None = "utf-8",
             newline: str | None = None) -> Iterator[IO]:
        """Open ``name`` for writing (``"w"`` or ``"wb"``); it is committed with the others."""
        if mode not in ("w", "wt", "wb"):
            raise ValueError(f"staged outputs are written whole: mode must be 'w' or 'wb', got {mode!r}")
        tmp = self.path(name)
        binary = "b" in mode
        kwargs = {} if binary else {"encoding": encoding, "newline": newline}
        with naming(self.directory / name, tmp), open(tmp, "xb" if binary else "x", **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())

    def write_text(self, name: str, text: str, *, encoding: str = "utf-8") -> None:
        """Stage a text file."""
        with self.open(name, "w", encoding=encoding) as f:
            f.write(text)

    def write_json(self, name: str, obj: Any, *, indent: int | None = 1, **dumps_options) -> None:
        """Stage a JSON file (serialised first, as in :func:`atomic_write_json`)."""
        dumps_options.setdefault("ensure_ascii", False)
        self.write_text(name, json.dumps(obj, indent=indent, **dumps_options) + "\n")

    def _commit(self) -> None:
        for name, tmp in self._staged.items():
            if not tmp.exists():
                raise FileNotFoundError(f"staged output {name!r} was never written (expected {str(tmp)!r})")
            # files written through .path() were not fsynced by us yet
            with naming(self.directory / name, tmp), open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        for name, tmp in self._staged.items():
            os.replace(tmp, self.directory / name)
        _fsync_dir(self.directory)

    def _discard(self) -> None:
        for tmp in self._staged.values():
            _unlink(tmp)


@contextmanager
def atomic_outputs(directory: str | os.PathLike) -> Iterator[StagedOutputs]:
    """Stage several files in ``directory``; all are committed when the block succeeds, none otherwise.

    The directory (and missing parents) is created if needed and removed again on failure if the block
    created it and left it empty. Existing files are replaced only at commit, so a failed run leaves a
    previous complete output in place. Files are renamed into place in staging order.

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "corpus"
        >>> with atomic_outputs(out) as stage:
        ...     stage.write_text("data.txt", "a b c")
        ...     stage.write_json("metadata.json", {"n": 3})
        >>> sorted(p.name for p in out.iterdir())
        ['data.txt', 'metadata.json']
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"output directory {str(directory)!r} exists and is not a directory")
    created = []  # directories this call creates, outermost first
    probe = directory
    while not probe.exists():
        created.insert(0, probe)
        probe = probe.parent
    directory.mkdir(parents=True, exist_ok=True)
    stage = StagedOutputs(directory)
    try:
        yield stage
        stage._commit()
    except BaseException:
        stage._discard()
        for d in reversed(created):
            try:
                d.rmdir()
            except OSError:  # not empty: someone else wrote there meanwhile
                break
        raise


@contextmanager
def atomic_directory(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[Path]:
    """Build a new directory that appears at ``path`` at once when the block succeeds.

    The block writes into a temporary sibling directory (yielded); on success it is renamed to
    ``path``. An existing ``path`` raises :class:`FileExistsError` unless ``overwrite``, in which case it
    is moved aside, replaced and then deleted. On failure the temporary directory is deleted.

    Example:
        >>> import tempfile, pathlib
        >>> ckpt = pathlib.Path(tempfile.mkdtemp()) / "step-100"
        >>> with atomic_directory(ckpt) as tmp:
        ...     _ = (tmp / "weights.bin").write_bytes(b"...")
        >>> [p.name for p in ckpt.iterdir()]
        ['weights.bin']
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} already exists (pass overwrite=True to replace it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_sibling(path)
    tmp.mkdir()
    try:
        yield tmp
        for root, _, files in os.walk(tmp):
            for name in files:
                written = os.path.join(root, name)
                with naming(path / os.path.relpath(written, tmp), written), open(written, "rb+") as f:
                    os.fsync(f.fileno())
        if path.exists():
            if not overwrite:
                raise FileExistsError(f"{str(path)!r} appeared while it was being written")
            old = _temp_sibling(path, "old")
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(path.parent)
