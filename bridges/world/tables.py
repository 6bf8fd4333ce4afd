"""The built-in worlds' data and its loader: CSV tables in ``bridges/world/data/`` (see its README.md).

A table is a UTF-8 CSV file: a header row naming the columns, then one record per line. Lines that start
with ``#`` are comments, blank lines are skipped, fields are trimmed (quote a field that holds a comma).

* ``domains.csv`` (``relation,object``): each relation's objects in order; a world with ``k`` objects of
  a relation takes the first ``k``.
* ``names.csv`` (``part,name``): the one-word ``given`` and ``family`` names of synthetic people, in order.
* ``associations/<parent>__<child>.csv`` (``parent_object,child_object,weight``): real-world associations
  along one edge of the graph, ``_`` standing for a space in the file name. A file with ``parent`` and
  ``child`` columns names its edges itself, so one file can hold several.

Your own associations: a graph file (see :func:`bridges.resolve_world`) may set ``ASSOCIATIONS`` to the
path of such a file, or of a directory of them, relative to the graph file
(``ASSOCIATIONS = "my_associations.csv"``, as ``examples/my_graph.py`` does). :func:`load_associations`
reads it and checks every relation, object and edge against that graph.

Every problem raises :class:`WorldError` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import functools
import math
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from .names import InvalidNameError, check_name

__all__ = ["DATA", "WorldError", "load_associations", "load_domains", "load_names"]

#: The package's data folder (an importlib.resources Traversable, so an installed wheel reads it too).
DATA = files(__package__) / "data"

#: child relation -> parent relation -> parent object -> {child object: weight > 0}.
Associations = dict[str, dict[str, dict[str, dict[str, float]]]]
#: A table or a directory of tables: a path, or a Traversable such as ``DATA / "domains.csv"``.
Source = Traversable | str | os.PathLike


class WorldError(ValueError):
    """An unknown world, a bad world, graph or data file, or sampling options out of range."""


def _records(file: Traversable, columns: Sequence[str]) -> Iterator[tuple[str, dict[str, str]]]:
    """``("file:line", {column: field})`` for each record of a CSV table whose header has ``columns``."""
    try:
        text = file.read_text(encoding="utf-8-sig")  # -sig: a spreadsheet's byte-order mark is not a column
    except UnicodeDecodeError as err:
        raise WorldError(f"{file}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    header = None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{file}:{lineno}"
        try:
            fields = [field.strip() for field in next(csv.reader([line], strict=True))]
        except csv.Error as err:
            raise WorldError(f"{where}: not a CSV line ({err})") from None
        if header is None:
            missing = [c for c in columns if c not in fields]
            if missing or len(set(fields)) < len(fields):
                raise WorldError(f"{where}: the header {','.join(fields)!r} must name each column once, with "
                                 f"{', '.join(map(repr, missing or columns))}")
            header = fields
        elif len(fields) != len(header):
            raise WorldError(f"{where}: {len(fields)} fields, the header has {len(header)} ({','.join(header)})")
        else:
            yield where, dict(zip(header, fields, strict=True))
    if header is None:
        raise WorldError(f"{file}: no header line (expected the columns {','.join(columns)})")


def _file(source: Source | None, default: Traversable) -> Traversable:
    if source is None:
        return default
    return Path(source) if isinstance(source, (str, os.PathLike)) else source


def _name(where: str, record: Mapping[str, str], column: str) -> str:
    try:
        return check_name(record[column], column)
    except InvalidNameError as err:
        raise WorldError(f"{where}: {err}") from None


def _lists(file: Traversable, key: str, value: str, keys: Sequence[str] = (),
           one_word: bool = False) -> dict[str, tuple[str, ...]]:
    """key -> its values in file order (only ``keys`` if given); a value twice under one key is an error."""
    lists: dict[str, dict[str, str]] = {k: {} for k in keys}
    for where, record in _records(file, (key, value)):
        k, v = _name(where, record, key), _name(where, record, value)
        if keys and k not in keys:
            raise WorldError(f"{where}: {key} must be one of {', '.join(keys)}, got {k!r}")
        if one_word and " " in v:
            raise WorldError(f"{where}: {value} {v!r} must be one word")
        if v in lists.setdefault(k, {}):
            raise WorldError(f"{where}: {value} {v!r} is listed twice for {k!r} (first at {lists[k][v]})")
        lists[k][v] = where
    return {k: tuple(values) for k, values in lists.items()}


def load_domains(source: Source | None = None) -> dict[str, tuple[str, ...]]:
    """Each relation's objects, in order, from a ``relation,object`` table (default: the built-in one).

    Example:
        >>> load_domains()["continent"]
        ('Europe', 'North America', 'Asia', 'South America', 'Africa', 'Oceania')
    """
    return _lists(_file(source, DATA / "domains.csv"), "relation", "object")


def load_names(source: Source | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(given names, family names)`` in order from a ``part,name`` table (default: the built-in one).

    Example:
        >>> given, family = load_names()
        >>> given[:3], family[:3]
        (('Aaliyah', 'Abebe', 'Adaeze'), ('Abara', 'Adeyemi', 'Aguilar'))
    """
    file = _file(source, DATA / "names.csv")
    parts = _lists(file, "part", "name", keys=("given", "family"), one_word=True)
    for part, names in parts.items():
        if not names:
            raise WorldError(f"{file}: no {part} names")
    return parts["given"], parts["family"]


def load_associations(source: Source | None = None, *,
                      domains: Mapping[str, Sequence[str]] | None = None,
                      edges: Collection[tuple[str, str]] | None = None) -> Associations:
    """Real-world associations from a CSV file or a directory of them (default: the built-in ones).

    Args:
        source: a table with columns ``parent_object,child_object,weight`` named ``<parent>__<child>.csv``
            (``_`` for a space), or with ``parent`` and ``child`` columns too and any name; or a directory
            whose ``*.csv`` files are such tables, read in name order.
        domains: relation -> objects; when given, every relation and object must be in it.
        edges: ``(parent, child)`` pairs; when given, every table's edge must be one.

    Returns:
        ``child relation -> parent relation -> parent object -> {child object: weight}``, rows in file
        order (see :func:`rational.sample_world` for how a world uses them).

    Raises:
        WorldError: naming the file, line and column: a missing column, an empty or reserved name, an
            unknown relation, object or edge, a weight that is not a positive number, a repeated pair.
        FileNotFoundError: a source that does not exist.

    Example:
        >>> assoc = load_associations(domains=load_domains())
        >>> assoc["native language"]["country of citizenship"]["France"]["French"]
        0.88
    """
    source = _file(source, DATA / "associations")
    if source.is_dir():
        tables = sorted((f for f in source.iterdir() if f.name.endswith(".csv")), key=lambda f: f.name)
    elif source.is_file():
        tables = [source]
    else:
        raise FileNotFoundError(f"association file {str(source)!r} not found")
    objects = None if domains is None else {r: set(objs) for r, objs in domains.items()}
    out: Associations = {}
    for table in tables:
        named = [part.replace("_", " ") for part in table.name.removesuffix(".csv").split("__")]
        for where, record in _records(table, ("parent_object", "child_object", "weight")):
            if "parent" in record and "child" in record:
                parent, child = _name(where, record, "parent"), _name(where, record, "child")
            elif len(named) == 2:
                parent, child = named
            else:
                raise WorldError(f"{where}: no 'parent' and 'child' columns, and the file is not named "
                                 "'<parent>__<child>.csv': which edge do these rows belong to?")
            if objects is not None:
                for column, relation in (("parent", parent), ("child", child)):
                    if relation not in objects:
                        raise WorldError(f"{where}: {column}: unknown relation {relation!r} (the relations: "
                                         f"{', '.join(map(repr, objects))})")
            if edges is not None and (parent, child) not in edges:
                raise WorldError(f"{where}: {parent!r} -> {child!r} is not an edge of the graph")
            row = out.setdefault(child, {}).setdefault(parent, {})
            parent_object = _name(where, record, "parent_object")
            child_object = _name(where, record, "child_object")
            for column, relation, obj in (("parent_object", parent, parent_object),
                                          ("child_object", child, child_object)):
                if objects is not None and obj not in objects[relation]:
                    raise WorldError(f"{where}: {column} {obj!r} is not an object of relation {relation!r}")
            if child_object in row.setdefault(parent_object, {}):
                raise WorldError(f"{where}: child_object {child_object!r} is listed twice for "
                                 f"{parent} {parent_object!r}")
            row[parent_object][child_object] = _weight(where, record["weight"])
    return out


def _weight(where: str, text: str) -> float:
    try:
        weight = float(text)
    except ValueError:
        weight = math.nan
    if not (math.isfinite(weight) and weight > 0):
        raise WorldError(f"{where}: weight must be a positive number, got {text!r}")
    return weight


@functools.cache
def builtin_domains() -> dict[str, tuple[str, ...]]:
    """The built-in domains, read once (shared: do not modify)."""
    return load_domains()


@functools.cache
def builtin_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The built-in given and family names, read once."""
    return load_names()


@functools.cache
def builtin_associations() -> Associations:
    """The built-in associations, read once and checked against the built-in domains (shared: do not modify)."""
    return load_associations(domains=builtin_domains())
