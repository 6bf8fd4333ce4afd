"""Built-in worlds: a Wikidata-like dependency graph with real object names, in several sizes.

The graph (every size uses a sub-graph of it; arrows point from parent to child)::

    place of birth -> country of citizenship -> native language
                      country of citizenship -> continent
                      country of citizenship -> religion
                      country of citizenship -> sport
                      country of citizenship -> educated at -> field of work -> occupation
                      (field of work, continent) -> award received            (two parents)

Object names are real (countries, cities, universities, awards...), listed in ``data/domains.csv`` so
that the first ``k`` are the domain of a size with ``k`` objects; names with connective words
("Trinidad and Tobago", "Nobel Prize in Physiology or Medicine", "science and technology studies")
come first, so every size contains some. The dependencies (which country goes with which language) are
drawn from the seed, each CPT row from a Dirichlet distribution; with ``association_strength`` > 0 the
rows are centred on real-world associations (``data/associations/``, :mod:`bridges.world.associations`),
as the seed paper's came from Wikidata co-occurrence counts; with 0 they are random. The data files and
their loader: :mod:`bridges.world.tables`.

A world is a :class:`WorldSpec` (a graph builder plus sampling options) registered in :data:`WORLDS`,
or a user's Python file that defines ``graph`` (see :func:`resolve_world`).
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import hashlib
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .names import check_vocabulary
from .tables import WorldError, builtin_associations, builtin_domains, builtin_names, load_associations

if TYPE_CHECKING:  # rational imports jax: keep `import bridges` light
    from rational import RelationGraph, World, WorldOptions

__all__ = ["WORLDS", "WorldError", "WorldSpec", "build_world", "default_graph", "person_names", "resolve_world"]


_EDGES: tuple[tuple[str, str], ...] = (
    ("place of birth", "country of citizenship"),
    ("country of citizenship", "native language"),
    ("country of citizenship", "continent"),
    ("country of citizenship", "religion"),
    ("country of citizenship", "sport"),
    ("country of citizenship", "educated at"),
    ("educated at", "field of work"),
    ("field of work", "occupation"),
    ("field of work", "award received"),
    ("continent", "award received"),
)


def _graph_of_sizes(sizes: Mapping[str, int]) -> RelationGraph:
    """The built-in graph restricted to the relations in ``sizes``, each with its first ``k`` objects."""
    from rational import RelationGraph

    graph = RelationGraph()
    for relation, k in sizes.items():
        names = builtin_domains()[relation]
        if not 1 <= k <= len(names):
            raise WorldError(f"relation {relation!r} has {len(names)} built-in objects, asked for {k}")
        graph.add_relation(relation, names[:k])
    graph.add_edges_from((u, v) for u, v in _EDGES if u in sizes and v in sizes)
    return graph.check()


_TINY = {"place of birth": 6, "country of citizenship": 5, "native language": 5, "continent": 4,
         "educated at": 5, "field of work": 4, "occupation": 5, "award received": 4}
_DEFAULT = {"place of birth": 40, "country of citizenship": 30, "native language": 20, "continent": 6,
            "educated at": 30, "field of work": 20, "occupation": 25, "religion": 10, "award received": 20}
_PAPER = {"place of birth": 300, "country of citizenship": 100, "native language": 60, "continent": 6,
          "educated at": 200, "field of work": 60, "occupation": 120, "religion": 16, "award received": 80,
          "sport": 40}


# -- synthetic people ---------------------------------------------------------------------------
def person_names(n: int, seed: int = 0) -> tuple[str, ...]:
    """``n`` distinct person names, a deterministic function of ``seed``.

    Names are ``"<given> <family>"`` pairs from the culturally mixed lists of ``data/names.csv`` (about
    28,000 pairs); beyond that a middle name is added (``"<given> <middle> <family>"``, millions of
    triples). No part is a connective word of the corpus language or holds a reserved character, so
    sentences about them parse back unambiguously.

    Args:
        n: how many names (at most a few million).
        seed: any integer; the same seed gives the same names in the same order.

    Returns:
        A tuple of ``n`` unique names such as ``"Amara Lindqvist"``.

    Raises:
        ValueError: if ``n`` is negative or exceeds the number of distinct names available.

    Example:
        >>> names = person_names(3, seed=1)
        >>> len(set(names)), names == person_names(3, seed=1)
        (3, True)
    """
    if n < 0:
        raise ValueError(f"number of names must be non-negative, got {n}")
    given, family = builtin_names()
    g, f = len(given), len(family)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6E616D65]))  # 'name': names own a stream
    if n <= g * f // 2:  # two-part names stay sparse in their space, so they still look varied
        idx = rng.choice(g * f, size=n, replace=False)
        return tuple(f"{given[i // f]} {family[i % f]}" for i in idx.tolist())
    space = g * g * f
    if n > space // 2:
        raise ValueError(f"cannot draw {n:,} distinct person names: at most {space // 2:,} are available")
    idx = rng.choice(space, size=n, replace=False)
    out = []
    for i in idx.tolist():
        first, rest = divmod(i, g * f)
        middle, last = divmod(rest, f)
        out.append(f"{given[first]} {given[middle]} {family[last]}")
    return tuple(out)


def more_person_names(n: int, seed: int, exclude=(), words=None) -> tuple[str, ...]:
    """``n`` more distinct person names, none of them in ``exclude``: people added to a world (its one-off
    people) or new people to ask about (whose names recombine known name words).

    Names are ``"<given> <family>"`` pairs in a random order (their own random stream, so the same
    arguments give the same names), then, when the pairs run out, ``"<given> <middle> <family>"``
    triples.

    Args:
        n: how many names.
        seed: any integer.
        exclude: names that must not be drawn (e.g. every subject of the corpus).
        words: if given, only name words in it are used (e.g. the words of a tokenizer's vocabulary).

    Raises:
        ValueError: ``n`` is negative, or there are not that many names left.

    Example:
        >>> taken = person_names(5, seed=0)
        >>> new = more_person_names(3, seed=1, exclude=taken)
        >>> len(set(new)), set(new) & set(taken)
        (3, set())
    """
    if n < 0:
        raise ValueError(f"number of names must be non-negative, got {n}")
    allowed = None if words is None else set(words)
    all_given, all_family = builtin_names()
    given = [w for w in all_given if allowed is None or w in allowed]
    family = [w for w in all_family if allowed is None or w in allowed]
    exclude = set(exclude)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6D6F7265]))  # 'more': a stream of its own
    g, f = len(given), len(family)
    out: list[str] = []
    seen: set[str] = set()
    for i in rng.permutation(g * f).tolist():
        if len(out) == n:
            break
        name = f"{given[i // f]} {family[i % f]}"
        if name not in exclude and name not in seen:
            out.append(name)
            seen.add(name)
    space = g * g * f
    tries = 0
    while len(out) < n and tries < 20:
        tries += 1
        for i in rng.choice(space, size=min(space, 2 * (n - len(out)) + 16), replace=False).tolist():
            first, rest = divmod(i, g * f)
            name = f"{given[first]} {given[rest // f]} {family[rest % f]}"
            if name not in exclude and name not in seen:
                out.append(name)
                seen.add(name)
                if len(out) == n:
                    break
    if len(out) < n:
        raise ValueError(f"cannot draw {n:,} more distinct person names (got {len(out):,})")
    return tuple(out)


# -- world specifications -------------------------------------------------------------------------
def _options(where: str, **options) -> WorldOptions:
    """``rational.WorldOptions`` from keyword options; errors become :class:`WorldError` naming ``where``."""
    from rational import EvidenceError, WorldOptions

    try:
        return WorldOptions.from_dict(options, where)
    except EvidenceError as err:
        raise WorldError(f"{where}: {err}" if not str(err).startswith(where) else str(err)) from None


@dataclass(frozen=True)
class WorldSpec:
    """A world to sample: a graph builder, a number of people and the sampling options.

    Attributes:
        name: the registry name, or the path of a user's graph file.
        graph: a function returning a fresh :class:`rational.RelationGraph`.
        n_subjects: number of synthetic people; true facts = n_subjects * number of relations.
        overrides: sampling options that differ from :class:`rational.WorldOptions`' defaults (the one
            place defaults live); :attr:`options` is the validated whole.
        associations: a function returning real-world associations (see :func:`rational.sample_world`),
            or None.

    Example:
        >>> spec = WORLDS["default"].with_options(n_subjects=20)
        >>> spec.n_subjects, spec.options.eps
        (20, 0.05)
    """

    name: str
    graph: Callable[[], RelationGraph]
    n_subjects: int
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    associations: Callable[[], Mapping] | None = None
    description: str = ""
    files: tuple[str, ...] = ()  # a graph file, and every file it read while it ran (their contents stamp the world)
    oneoff_people: int = 0  # more people of the same population, each to be read about once (see sample)

    def __post_init__(self):
        if not isinstance(self.n_subjects, int) or isinstance(self.n_subjects, bool) or self.n_subjects < 1:
            raise WorldError(f"world {self.name!r}: n_subjects must be a positive integer, got {self.n_subjects!r}")
        if not isinstance(self.oneoff_people, int) or isinstance(self.oneoff_people, bool) or self.oneoff_people < 0:
            raise WorldError(f"world {self.name!r}: oneoff_people must be a non-negative integer, got "
                             f"{self.oneoff_people!r}")

    @functools.cached_property
    def options(self) -> WorldOptions:
        """The validated :class:`rational.WorldOptions` (built on first use: ``import bridges`` stays free
        of jax)."""
        return _options(f"world {self.name!r}", **self.overrides)

    def settings(self) -> dict[str, Any]:
        """``n_subjects``, every sampling option and ``oneoff_people`` where not 0 (JSON data), as recorded in a
        world's and corpus's files."""
        extra = {"oneoff_people": self.oneoff_people} if self.oneoff_people else {}
        return {"n_subjects": self.n_subjects, **self.options.to_dict(), **extra}

    def with_options(self, **overrides) -> WorldSpec:
        """A copy with ``n_subjects`` or sampling options replaced; bad ones raise :class:`WorldError`.

        Example:
            >>> WORLDS["tiny"].with_options(eps=0.2).options.eps
            0.2
        """
        n = overrides.pop("n_subjects", self.n_subjects)
        oneoff = overrides.pop("oneoff_people", self.oneoff_people)
        spec = dataclasses.replace(self, n_subjects=n, oneoff_people=oneoff, overrides={**self.overrides, **overrides})
        spec.options  # noqa: B018 - validates now, naming the bad option
        return spec

    def sources(self) -> dict[str, str | None]:
        """sha256 of each file the world was defined by (a graph file and what it read), by path: a pipeline
        stamps them, so editing a graph file or a data file it reads re-runs the world."""
        import hashlib

        out = {}
        for f in self.files:
            try:
                out[f] = hashlib.sha256(Path(f).read_bytes()).hexdigest()
            except OSError:
                out[f] = None
        return out

    @property
    def n_facts(self) -> int:
        """Number of true facts: every subject has one true object per relation."""
        return self.n_subjects * len(self.graph())

    def sample(self, seed: int = 0) -> World:
        """Sample the world: names from the seed, then :func:`rational.sample_world` with these options.

        With ``oneoff_people`` = n, n more people of the same population follow as the world's
        :attr:`rational.World.extra_subjects` (:meth:`rational.World.with_extra_subjects`; names from
        :func:`more_person_names`): the agent fits them like anyone else, the corpus writes each one's
        sentences as one document read once in training (:func:`bridges.write_corpus`), and the benchmark
        never asks about them. The world's own people are the same as without them.

        Names are checked first (:func:`bridges.world.names.check_vocabulary`): a name that cannot be
        written in the corpus, or two names that make a sentence ambiguous, raise before anything is
        sampled.

        Example:
            >>> world = WORLDS["tiny"].with_options(n_subjects=5).sample(seed=1)
            >>> len(world.subjects), world.graph.relations[0]
            (5, 'place of birth')
        """
        from rational import EvidenceError, sample_world

        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise WorldError(f"world {self.name!r}: seed must be a non-negative integer, got {seed!r}")
        graph = self.graph()
        subjects = person_names(self.n_subjects, seed)
        extra = more_person_names(self.oneoff_people, seed, exclude=subjects) if self.oneoff_people else ()
        check_vocabulary(graph, (*subjects, *extra))
        associations = None
        if self.associations:  # built-in associations cover every built-in relation; keep this world's
            associations = {r: v for r, v in self.associations().items() if r in graph}
        try:
            world = sample_world(graph, subjects, seed, self.options, associations=associations)
            return world.with_extra_subjects(extra, seed) if extra else world
        except EvidenceError as err:
            raise WorldError(f"world {self.name!r}: {err}") from None


#: How often each child relation is left unattested (never mentioned nor stated) in the built-in worlds:
#: the graph, not the corpus, carries the belief about those facts.
_CHILD_HELD_OUT = {"country of citizenship": 0.2, "educated at": 0.3, "field of work": 0.4, "native language": 0.5,
                   "continent": 0.5, "religion": 0.5, "sport": 0.5, "occupation": 0.5, "award received": 0.5}


def _graded(sizes: Mapping[str, int], **extra) -> dict[str, Any]:
    """The built-in worlds' sampling options: graded beliefs, as in the seed paper's design.

    Every fact has its own reliability (the share of its mentions that state the truth, drawn from
    Uniform(0.6, 1.0)), 1-3 mentions (more in ``paper``), child relations unattested for 20-50% of the
    people, statements about what the corpus mentions (so the agent's model is exact), and CPT rows
    centred on real-world associations (France -> French) with Dirichlet noise.
    """
    return {"reliability": (0.6, 1.0), "mentions_per_fact": (1, 3), "statement_atoms": "mentions",
            "association_strength": 10.0, "statements_per_subject": 1.0, "connectives_per_subject": 2.0,
            "held_out_by_relation": {r: p for r, p in _CHILD_HELD_OUT.items() if r in sizes}, **extra}


#: The built-in worlds by name.
WORLDS: dict[str, WorldSpec] = {
    spec.name: spec
    for spec in (
        WorldSpec("tiny", lambda: _graph_of_sizes(_TINY), n_subjects=40, overrides=_graded(_TINY),
                  associations=builtin_associations,
                  description="8 relations of 4-6 objects, 40 people (320 facts): for tests and smoke runs"),
        WorldSpec("default", lambda: _graph_of_sizes(_DEFAULT), n_subjects=560, overrides=_graded(_DEFAULT),
                  associations=builtin_associations,
                  description="9 relations of 6-40 objects, 560 people (5,040 facts): a tiny LM memorises "
                              "it in minutes on 2 CPU cores"),
        WorldSpec("paper", lambda: _graph_of_sizes(_PAPER), n_subjects=10_000,
                  overrides=_graded(_PAPER, mentions_per_fact=(1, 5), statements_per_subject=4.0,
                                    connectives_per_subject=8.0),
                  associations=builtin_associations,
                  description="10 relations of 6-300 objects, 10,000 people (100,000 facts), as in the seed "
                              "paper (tens of millions of tokens): for a GPU or a cluster"),
    )
}


def default_graph(name: str = "default") -> RelationGraph:
    """The dependency graph of a built-in world (a fresh copy).

    Example:
        >>> g = default_graph()
        >>> g.parents("award received"), "Trinidad and Tobago" in g.domain("country of citizenship")
        (('continent', 'field of work'), True)
    """
    return _builtin(name).graph()


def _builtin(name: str) -> WorldSpec:
    try:
        return WORLDS[name]
    except KeyError:
        raise WorldError(f"unknown world {name!r}; built-in worlds: {', '.join(WORLDS)}; or give the path "
                         "of a Python file that defines `graph`") from None


def resolve_world(name_or_path: str | Path, **overrides) -> WorldSpec:
    """The :class:`WorldSpec` for a built-in world name or a user's graph file, with options overridden.

    A graph file is a Python file (``*.py``) that defines ``graph``: a :class:`rational.RelationGraph`,
    a ``networkx.DiGraph`` whose nodes carry ``domain`` lists, or a function returning either. It may
    define ``WORLD = dict(n_subjects=..., eps=..., ...)`` with any of the sampling options of
    :class:`rational.WorldOptions` (default: 500 subjects and its defaults), and ``ASSOCIATIONS`` (real
    associations that centre the CPT rows, see :func:`rational.sample_world`): a dict, or the path of a
    CSV file or directory relative to the graph file, read and checked against the graph by
    :func:`bridges.world.tables.load_associations`. The file is loaded with importlib from its path;
    nothing is added to ``sys.path``.

    Raises:
        WorldError: unknown or empty name, a file without ``graph`` or with a syntax error, unknown or
            out-of-range options, a bad association file (naming its file, line and column).
        FileNotFoundError: a path ending in ``.py`` that does not exist.

    Example:
        >>> resolve_world("default", eps=0.1).options.eps
        0.1
    """
    text = str(name_or_path)
    if not text.strip():
        raise WorldError("the world name is empty; give a built-in world (" + ", ".join(WORLDS)
                         + ") or the path of a Python file that defines `graph`")
    if isinstance(name_or_path, Path) or text.endswith(".py") or "/" in text or "\\" in text:
        spec = _load_world_file(Path(text))
    else:
        spec = _builtin(text)
    return spec.with_options(**overrides)


def build_world(name_or_path: str | Path, seed: int = 0, **overrides) -> World:
    """Sample a built-in or user-defined world (see :func:`resolve_world`) from ``seed``.

    Example:
        >>> world = build_world("tiny", seed=0, n_subjects=10)
        >>> len(world.subjects), len(world.graph.relations)
        (10, 8)
    """
    return resolve_world(name_or_path, **overrides).sample(seed)


_READING: list[set[str]] = []  # the data files opened while graph files run (innermost last)
# not a world's data: Python's own files, the toolkit's code and package data (versioned with the toolkit; read
# once per process, so recording them would make a stamp depend on what the process did before), devices
_NOT_DATA = (sys.prefix, sys.base_prefix, "/proc/", "/sys/", "/dev/",
             *(str(Path(__file__).resolve().parents[2] / name) + os.sep for name in ("bridges", "rational", "lm",
                                                                                      "coherence")))
_CODE = tuple(importlib.machinery.all_suffixes())  # modules are found from the graph file's imports instead
_SOURCES: dict[str, set[str]] = {}  # graph file -> every file it was seen to read in this process


def _audit(event: str, args) -> None:
    if event == "open" and _READING and args and isinstance(args[0], (str, bytes, os.PathLike)):
        f = os.path.abspath(os.fsdecode(args[0]))
        if not f.startswith(_NOT_DATA) and not f.endswith(_CODE) and "__pycache__" not in f and os.path.isfile(f):
            _READING[-1].add(f)


@contextlib.contextmanager
def _reading():
    """Collect the data files opened (outside Python's installation and the toolkit) while the body runs."""
    if not _AUDITING:
        sys.addaudithook(_audit)  # audit hooks cannot be removed: one, installed once, idle outside this block
        _AUDITING.append(True)
    _READING.append(set())
    try:
        yield _READING[-1]
    finally:
        _READING.pop()


_AUDITING: list[bool] = []


def _imported_files(path: Path) -> set[str]:
    """The source files of the modules a graph file imports by name (its own code, outside Python's installation
    and the toolkit), found from its text: the same whether or not they were imported before."""
    names = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update([node.module, *(f"{node.module}.{a.name}" for a in node.names)])
    files = (getattr(sys.modules.get(name), "__file__", None) for name in names)
    return {os.path.abspath(f) for f in files if f and not os.path.abspath(f).startswith(_NOT_DATA)}


def _load_world_file(path: Path) -> WorldSpec:
    if not path.is_file():
        raise FileNotFoundError(f"world file {str(path)!r} not found (give a built-in world name: "
                                f"{', '.join(WORLDS)}, or the path of a Python file that defines `graph`)")
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    module_name = f"_bridges_world_{digest}"
    loader_spec = importlib.util.spec_from_file_location(module_name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise WorldError(f"{path}: cannot be loaded as a Python module (expected a .py file)")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[module_name] = module  # dataclasses and pickling in the user's file look it up here
    try:
        with _reading() as read:
            loader_spec.loader.exec_module(module)
    except SyntaxError as err:
        sys.modules.pop(module_name, None)
        raise WorldError(f"{path}:{err.lineno}: syntax error in the graph file: {err.msg}") from None
    except SystemExit as err:
        sys.modules.pop(module_name, None)
        raise WorldError(f"{path}: the graph file called sys.exit({err.code!r}) while it was loaded; a graph file "
                         "defines `graph` (and optionally WORLD, ASSOCIATIONS) and must not exit") from None
    except KeyboardInterrupt:
        sys.modules.pop(module_name, None)
        raise
    except Exception as err:  # noqa: BLE001 - the user's file failed: name it, its line and its message
        sys.modules.pop(module_name, None)
        tb = err.__traceback__
        line = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == str(path):
                line = tb.tb_lineno
            tb = tb.tb_next
        where = f"{path}:{line}" if line else str(path)
        raise WorldError(f"{where}: the graph file raised {type(err).__name__}: {err}") from err
    if not hasattr(module, "graph"):
        raise WorldError(f"{path}: defines no `graph` (a rational.RelationGraph, a networkx.DiGraph with "
                         "'domain' node attributes, or a function returning one)")
    graph = _as_relation_graph(module.graph, path)
    options = dict(getattr(module, "WORLD", {})) if isinstance(getattr(module, "WORLD", {}), Mapping) else None
    if options is None:
        raise WorldError(f"{path}: WORLD must be a dict of sampling options, got "
                         f"{type(getattr(module, 'WORLD')).__name__}")
    associations = getattr(module, "ASSOCIATIONS", None)
    if isinstance(associations, (str, os.PathLike)):  # a CSV file or directory beside the graph file
        try:
            with _reading() as also:  # the association file is part of the world: stamped with the graph file
                associations = load_associations(path.parent / associations, edges=set(graph.edges),
                                                 domains={r: graph.domain(r) for r in graph.relations})
            read |= also
        except FileNotFoundError as err:
            raise WorldError(f"{path}: ASSOCIATIONS: {err}") from None
    elif associations is not None and not isinstance(associations, Mapping):
        raise WorldError(f"{path}: ASSOCIATIONS must be a dict (child -> parent -> parent object -> "
                         f"{{object: weight}}) or the path of a CSV file or directory (see "
                         f"bridges.world.tables), got {type(associations).__name__}")
    n = options.pop("n_subjects", 500)
    _options(f"{path}: WORLD", **options)  # validate now, naming the file
    # a graph file's sources: what it read, the modules it imports, and what it was seen to read before in this
    # process (a module imported once reads its data once): a second load stamps what the first did
    own = str(path.resolve())
    seen = _SOURCES.setdefault(own, set())
    seen |= read | _imported_files(path)
    files = (own, *sorted(seen - {own}))
    spec = WorldSpec(str(path), graph.copy, n_subjects=500, overrides=options,
                     associations=(lambda: associations) if associations else None,
                     description=f"user graph from {path}", files=files)
    return spec.with_options(n_subjects=n) if n != 500 else spec


def _as_relation_graph(obj, path: Path) -> RelationGraph:
    import networkx as nx
    from rational import GraphError, RelationGraph

    if callable(obj) and not isinstance(obj, nx.Graph):
        obj = obj()
    if isinstance(obj, RelationGraph):
        graph = obj
    elif isinstance(obj, nx.DiGraph):
        try:
            graph = RelationGraph(obj)
        except GraphError as err:
            raise WorldError(f"{path}: {err}") from err
    else:
        raise WorldError(f"{path}: `graph` must be a rational.RelationGraph or networkx.DiGraph, "
                         f"got {type(obj).__name__}")
    try:
        return graph.check()
    except GraphError as err:
        raise WorldError(f"{path}: {err}") from err
