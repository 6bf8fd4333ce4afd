"""Strict field types for the config dataclasses, read from their type hints (one check for every config).

An ``int`` field takes integers only (not ``2.5``, ``'1'`` or ``True``); a ``float`` field takes any finite
real number and stores it as a float; ``bool`` takes ``True``/``False``; ``tuple[X, ...]`` takes a list or
tuple of X and stores a tuple; ``X | None`` also takes None.
"""

from __future__ import annotations

import functools
import math
import types
import typing
from dataclasses import fields

import numpy as np

from ._errors import LMError

__all__ = ["check_types"]

_NONE = type(None)


def check_types(config) -> None:
    """Check every field of the dataclass instance ``config`` against its type hint, storing the
    normalised value (a float for an int given to a float field, a tuple for a list).

    Raises:
        LMError: naming the class, the field, the value and the expected type.

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True)
        ... class Demo:
        ...     steps: int = 1
        ...     layers: tuple[int, ...] | None = None
        ...     def __post_init__(self):
        ...         check_types(self)
        >>> Demo(layers=[0, 1]).layers
        (0, 1)
        >>> Demo(steps=2.5)
        Traceback (most recent call last):
        lm._errors.LMError: Demo.steps must be an int, got 2.5
    """
    cls = type(config)
    hints = _hints(cls)
    for f in fields(config):
        value = getattr(config, f.name)
        ok, normal = _convert(value, hints[f.name])
        if not ok:
            raise LMError(f"{cls.__name__}.{f.name} must be {_describe(hints[f.name])}, got {value!r}")
        if normal is not value:
            object.__setattr__(config, f.name, normal)  # frozen dataclasses too


@functools.cache
def _hints(cls: type) -> dict:
    return typing.get_type_hints(cls)


# hint -> (the types it takes, normaliser, in words, plural); a bool is never an int or a float here
_SCALARS = {
    bool: ((bool, np.bool_), bool, "a bool (true or false)", "bools"),
    int: ((int, np.integer), int, "an int", "ints"),
    float: ((int, float, np.integer, np.floating), float, "a finite float", "finite floats"),
    str: ((str,), str, "a str", "strs"),
}


def _union(hint) -> bool:
    return isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union


def _convert(value, hint) -> tuple[bool, object]:
    """(whether ``value`` fits ``hint``, the value normalised)."""
    args = typing.get_args(hint)
    if _union(hint):
        if value is None:
            return _NONE in args, None
        return next((found for a in args if a is not _NONE and (found := _convert(value, a))[0]), (False, value))
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        if not isinstance(value, (list, tuple)):
            return False, value
        items = [_convert(v, args[0]) for v in value]
        return all(ok for ok, _ in items), tuple(v for _, v in items)
    if hint not in _SCALARS:  # a config written with a new kind of field: extend the table
        raise TypeError(f"check_types cannot check the type hint {hint!r}")
    accepted, normal, _, _ = _SCALARS[hint]
    ok = isinstance(value, accepted) and (hint is bool or not isinstance(value, (bool, np.bool_)))
    ok = ok and (hint is not float or math.isfinite(value))
    return ok, normal(value) if ok else value


def _describe(hint) -> str:
    """``hint`` in words: 'an int', 'a list or tuple of ints or None'..."""
    if _union(hint):
        return " or ".join("None" if a is _NONE else _describe(a) for a in typing.get_args(hint))
    if typing.get_origin(hint) is tuple:
        return f"a list or tuple of {_SCALARS[typing.get_args(hint)[0]][3]}"
    return _SCALARS[hint][2]
