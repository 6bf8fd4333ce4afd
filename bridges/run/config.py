"""The run config: one dataclass per TOML section, validated once before any stage runs.

Settings come from defaults, then a TOML file (``--config``), then command-line flags. Every key is checked
against its section's dataclass: unknown sections and keys are errors that list the known ones, and values
must have the right type (a bool is not a count, ``4.7`` is not a number of requests, a method list is a
list). :meth:`RunConfig.validate` then builds every section's object once (the world spec, the LM's
training and model configs, each edit method's config, ...), so their own checks run too, and returns the
:class:`Settings` that every stage and every worker process gets as is: a config that would fail after an
hour of training fails at once, naming the section, the key and the value.

==================  =======================================================================
section             dataclass (handed down as is)
==================  =======================================================================
``[run]``           :class:`RunSection`: the user's modules to import in every process
``[world]``         :class:`WorldSection`: name or graph file, seed, n_subjects, world options
``[corpus]``        :class:`bridges.CorpusConfig`
``[train]``         :class:`TrainSection`: the preset, ``lm.TrainConfig``, ``[train.model]``
``[fit]``           :class:`FitConfig`
``[teacher]``       :class:`bridges.TeacherSettings` (for edit methods registered with a teacher)
``[edit.METHOD]``   the method's registered config class (``lm.LoraEditConfig``, ...)
``[in_context]``    :class:`bridges.InContextConfig`
``[evaluate]``      :class:`bridges.EvaluateConfig`
``[sequential]``    :class:`bridges.SequentialConfig`
``[report]``        :class:`ReportConfig`
==================  =======================================================================
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
import numbers
import os
import re
import sys
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..bench.believers import TeacherSettings
from ..bench.evaluate import EvaluateConfig
from ..bench.in_context import InContextConfig
from ..bench.requests import check_request_supply
from ..bench.sequential import SequentialConfig
from ..corpus.format import CorpusConfig

__all__ = ["FitConfig", "PipelineError", "ReportConfig", "RunConfig", "RunSection", "Settings", "TrainSection",
           "WorldSection", "config_to_toml", "import_user_modules", "load_config", "methods_in_use"]


class PipelineError(ValueError):
    """A bad config, an incompatible or busy run directory, or a stage run before its inputs exist."""


# -- the sections --------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class RunSection:
    """[run]: your own code."""

    imports: tuple[str, ...] = ()  # modules imported first in every process (this one, the evaluate stage's
    #   workers, every torchrun rank): where your update rules and edit methods register themselves
    device: str | None = None  # where the LM trains and scores: "cpu", "cuda", "cuda:1"... (None: a GPU if
    #   there is one, else the CPU); the records of a run depend on it (kernels differ)

    def resolved_device(self) -> str:
        """The device to use (None resolved: ``"cuda"`` where torch sees a GPU, else ``"cpu"``)."""
        if self.device is not None:
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"


@dataclasses.dataclass(frozen=True)
class WorldSection:
    """[world]: ``name`` (a built-in world or a graph file), ``seed``, ``n_subjects``, and any
    ``rational.WorldOptions`` field (kept in ``options``)."""

    name: str = "default"  # a built-in world (tiny, default, paper) or the path of a graph file (*.py)
    seed: int = 0  # the world's seed (names, CPTs, truth, evidence) and the corpus's shuffles
    n_subjects: int | None = None  # people (None: the world's own)
    oneoff_people: int | None = None  # more people of the same population, each read about once in the whole of
    #   training (their documents make reading pay; the agent fits them too); None: the world's own
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # rational.WorldOptions overrides


@dataclasses.dataclass(frozen=True)
class TrainSection:
    """[train]: ``preset`` and every ``lm.TrainConfig`` field; [train.model]: ``lm.ModelConfig`` fields that
    override the preset's."""

    preset: str
    config: Any  # lm.TrainConfig
    model: Any  # lm.ModelConfig: the preset's with the overrides
    model_overrides: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class FitConfig:
    """[fit]: the rational agent's EM."""

    tol: float = 1e-10  # stop when no CPT entry moves by more than this in one EM step
    max_iter: int = 2000  # EM iteration cap

    def __post_init__(self):
        if not self.tol > 0 or self.max_iter < 1:
            raise ValueError("tol must be positive and max_iter at least 1")


@dataclasses.dataclass(frozen=True)
class ReportConfig:
    """[report]: the plots and the edit-step traces."""

    plots: bool = True  # write the PNG figures
    trace_requests: int = 3  # requests whose P(o*) is traced over edit steps (edit_steps.png)
    trace_points: int = 6  # points per trace

    def __post_init__(self):
        if self.trace_requests < 0 or self.trace_points < 2:
            raise ValueError("trace_requests must be >= 0 and trace_points >= 2")


# -- types -----------------------------------------------------------------------------------------------------
def _describe(hint) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in args)
    if hint is type(None):
        return "none (leave the key out)"
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            plural = {str: "strings", int: "integers", float: "numbers", bool: "true/false values"}
            return f"a list of {plural.get(args[0], _describe(args[0]))}"
        return "a list [" + ", ".join(_describe(a) for a in args) + "]"
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        return "a table"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(hint, str(hint))


def _fits(value, hint) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, a) for a in args)
    if hint is type(None):
        return value is None
    if hint is Any:
        return True
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if hint is str:
        return isinstance(value, str)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_fits(v, args[0]) for v in value)
        return len(value) == len(args) and all(_fits(v, a) for v, a in zip(value, args))
    if origin in (dict, Mapping, typing.Mapping) or hint in (dict, Mapping):
        if not isinstance(value, Mapping):
            return False
        kt, vt = args if args else (Any, Any)
        return all(_fits(k, kt) and _fits(v, vt) for k, v in value.items())
    return isinstance(value, hint) if isinstance(hint, type) else True


def _coerce(value, hint):
    """TOML lists become tuples where the field is a tuple (dataclass fields compare as tuples)."""
    if isinstance(value, list) and typing.get_origin(hint) in (tuple, typing.Union, types.UnionType):
        return tuple(value)
    return value


def methods_in_use(evaluate, sequential) -> list[str]:
    """The edit methods a run applies, in order: ``[evaluate]``'s, then ``[sequential]``'s unless it edits
    nothing (``n_edits = 0``).

    Example:
        >>> from bridges import EvaluateConfig, SequentialConfig
        >>> methods_in_use(EvaluateConfig(methods=("lora", "context")), SequentialConfig(n_edits=0))
        ['lora', 'context']
    """
    q = sequential
    return list(dict.fromkeys([*evaluate.methods, *((*q.methods, *q.batch_methods) if q.n_edits else ())]))


def _build(cls, values: Mapping[str, Any], where: str, base=None, skip: frozenset = frozenset()):
    """``cls(**values)`` (or ``replace(base, **values)``) with every value type-checked; errors name ``where``."""
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)} - skip
    out = {}
    for key, value in values.items():
        if key not in fields:
            raise PipelineError(f"{where}: unknown key {key!r}; known: {sorted(fields)}")
        if not _fits(value, hints[key]):
            raise PipelineError(f"{where}: {key} must be {_describe(hints[key])}, got {value!r}")
        out[key] = _coerce(value, hints[key])
    try:
        return dataclasses.replace(base, **out) if base is not None else cls(**out)
    except (ValueError, TypeError) as err:
        raise PipelineError(f"{where}: {err}") from None


def _plain(cls) -> dict[str, Any]:
    return {f.name: list(f.default) if isinstance(f.default, tuple) else f.default for f in dataclasses.fields(cls)
            if f.default is not dataclasses.MISSING}


def _defaults() -> dict[str, dict[str, Any]]:
    return {
        "run": {"imports": [], "device": None},
        "world": {"name": "default", "seed": 0},  # plus n_subjects and any rational.WorldOptions field
        "corpus": _plain(CorpusConfig),
        "train": {"preset": "tiny"},  # plus any lm.TrainConfig field, and model = {lm.ModelConfig fields}
        "fit": _plain(FitConfig),
        "teacher": _plain(TeacherSettings),
        "edit": {},  # per method: fields of its config dataclass ([edit.lora], [edit.ft], ...)
        "in_context": _plain(InContextConfig),
        "evaluate": _plain(EvaluateConfig),
        "sequential": _plain(SequentialConfig),
        "report": _plain(ReportConfig),
    }


# -- the user's code -------------------------------------------------------------------------------------------
def _import_path(path: Path) -> types.ModuleType:
    """A module loaded from a ``.py`` file (once per process: under a name derived from its resolved path)."""
    import hashlib
    import importlib.util

    name = f"_bridges_user_{path.stem}_{hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"{path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def import_user_modules(names, where: str = "[run] imports") -> list[types.ModuleType]:
    """Import the user's modules (where their rules and edit methods register); errors name the module.

    A name is a module (``my_rules``, ``examples.custom_edit``: the current directory is searched first, as
    ``python -m`` does) or the path of a ``.py`` file.

    Example:
        >>> [m.__name__ for m in import_user_modules(["json"])]
        ['json']
    """
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    modules = []
    for name in names:
        try:
            if name.endswith(".py"):
                if not Path(name).is_file():
                    raise ModuleNotFoundError(f"no file {name}")
                modules.append(_import_path(Path(name)))
                continue
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as err:
            raise PipelineError(f"{where}: cannot import {name!r} ({err}); give a module name importable from "
                                "the current directory or the Python path (my_rules for ./my_rules.py)") from None
        except SystemExit as err:
            raise PipelineError(f"{where}: importing {name!r} called sys.exit({err.code})") from None
        except Exception as err:  # noqa: BLE001 - the user's module failed: name it, with its own message
            raise PipelineError(f"{where}: importing {name!r} failed: {type(err).__name__}: {err}") from err
    return modules


# -- the config ------------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Settings:
    """A validated config: one object per section, as the stages use them (see the module docstring).

    Pickled to the evaluate stage's worker processes as is; the resolved world spec (which may hold a graph
    file's functions) stays in the process that validated (``spec``), workers read the world from its file.
    """

    run: RunSection
    world: WorldSection
    corpus: CorpusConfig
    train: TrainSection
    fit: FitConfig
    teacher: TeacherSettings
    edit: Mapping[str, Any]  # method -> its config instance (every evaluated method and every [edit.X])
    in_context: InContextConfig
    evaluate: EvaluateConfig
    sequential: SequentialConfig
    report: ReportConfig
    sections: Mapping[str, Mapping[str, Any]]  # the plain TOML data (recorded in results.json)
    spec: Any = dataclasses.field(default=None, compare=False)  # bridges.WorldSpec, resolved once

    def __getstate__(self):
        state = dict(self.__dict__)
        state["spec"] = None  # a graph file's functions do not pickle; workers do not need them
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    @property
    def methods(self) -> dict[str, Any]:
        """The evaluated methods' configs, in ``[evaluate] methods`` order."""
        return {m: self.edit[m] for m in self.evaluate.methods}


@dataclasses.dataclass
class RunConfig:
    """All settings of a run, section by section (see ``python -m bridges run --help``).

    ``RunConfig().merged(overrides, source)`` applies a nested mapping of overrides; :meth:`validate`
    checks everything and returns the :class:`Settings` the stages use.

    Example:
        >>> RunConfig().merged({"evaluate": {"n_requests": 4}}, "example")["evaluate"]["n_requests"]
        4
    """

    sections: dict[str, dict[str, Any]] = dataclasses.field(default_factory=_defaults)
    origin: str = "defaults"  # where the settings came from (named in errors)

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.sections[section]

    def merged(self, overrides: Mapping[str, Mapping[str, Any]], source: str) -> RunConfig:
        """A new config with ``overrides`` applied; unknown sections raise :class:`PipelineError` (keys are
        checked by :meth:`validate`)."""
        new = json.loads(json.dumps(self.sections))
        for section, values in overrides.items():
            if section not in new:
                raise PipelineError(f"{source}: unknown section [{section}]; known: {sorted(new)}")
            if not isinstance(values, Mapping):
                raise PipelineError(f"{source}: [{section}] must be a table of settings, got {values!r}")
            for key, value in values.items():
                if section in ("edit",) or (section == "train" and key == "model"):
                    if not isinstance(value, Mapping):
                        raise PipelineError(f"{source}: [{section}.{key}] must be a table of settings")
                    new[section].setdefault(key, {}).update(value)
                elif section == "run" and key == "imports" and isinstance(value, list):
                    new[section][key] = list(dict.fromkeys([*new[section].get(key, []), *value]))
                else:
                    new[section][key] = value
        return RunConfig(new, source if self.origin == "defaults" else f"{self.origin}, {source}")

    def validate(self, source: str | None = None) -> Settings:
        """Check every setting and build the stages' objects, once; :class:`PipelineError` names the culprit.

        The user's modules (``[run] imports``) are imported first, so their rules and edit methods are
        registered when the rest is checked; a graph file is executed once, here.
        """
        import lm
        import rational

        source = source or self.origin
        run = _build(RunSection, self["run"], f"{source}: [run]")
        if run.device is not None and run.device.split(":")[0] not in ("cpu", "cuda"):
            raise PipelineError(f"{source}: [run] device must be 'cpu', 'cuda' or 'cuda:N', got {run.device!r}")
        if run.device is not None and run.device.startswith("cuda"):
            import torch

            if not torch.cuda.is_available():
                raise PipelineError(f"{source}: [run] device {run.device!r}, but torch sees no GPU on this machine")
        import_user_modules(run.imports, f"{source}: [run] imports")
        world, spec = self._world(source)
        corpus = _build(CorpusConfig, self["corpus"], f"{source}: [corpus]")
        train = dict(self["train"])
        preset = train.pop("preset")
        model = train.pop("model", {}) or {}
        if not isinstance(preset, str):
            raise PipelineError(f"{source}: [train] preset must be a string, got {preset!r}")
        try:
            base_model = lm.get_preset(preset)
        except lm.LMError as err:
            raise PipelineError(f"{source}: [train] preset: {err}") from None
        train = TrainSection(preset, _build(lm.TrainConfig, train, f"{source}: [train]"),
                             _build(lm.ModelConfig, model, f"{source}: [train.model]", base=base_model), dict(model))
        fit = _build(FitConfig, self["fit"], f"{source}: [fit]")
        teacher = _build(TeacherSettings, self["teacher"], f"{source}: [teacher]")
        in_context = _build(InContextConfig, self["in_context"], f"{source}: [in_context]")
        evaluate = _build(EvaluateConfig, self["evaluate"], f"{source}: [evaluate]")
        sequential = _build(SequentialConfig, self["sequential"], f"{source}: [sequential]")
        report = _build(ReportConfig, self["report"], f"{source}: [report]")
        try:  # the world's shape bounds the requests it can give: a count it cannot reach fails now, not after training
            check_request_supply(spec.graph(), spec.n_subjects, evaluate)
        except ValueError as err:
            raise PipelineError(f"{source}: [evaluate] {err}") from None
        for where, rule in [*(("[evaluate] rules", r) for r in evaluate.rules), ("[teacher] rule", teacher.rule),
                            *(("[sequential] rules", r) for r in sequential.rules)]:
            if rule not in rational.rules():
                raise PipelineError(f"{source}: {where}: unknown update rule {rule!r}; registered: "
                                    f"{list(rational.rules())} (a rule of your own: --import its module)")
        moved = sorted(set(self["edit"].get("rational", {})) & {f.name for f in dataclasses.fields(TeacherSettings)})
        if moved:
            raise PipelineError(f"{source}: [edit.rational] {moved[0]}: the teacher's settings moved to [teacher] "
                                f"({', '.join(f.name for f in dataclasses.fields(TeacherSettings))})")
        edit = {}
        idle = {*sequential.methods, *sequential.batch_methods} - {*methods_in_use(evaluate, sequential), *self["edit"]}
        for method in dict.fromkeys([*evaluate.methods, *sequential.methods, *sequential.batch_methods, *self["edit"]]):
            if method not in lm.edit_methods():
                raise PipelineError(f"{source}: unknown edit method {method!r} (in [evaluate] methods, [sequential] "
                                    f"methods or [edit.{method}]); registered: {list(lm.edit_methods())} (a method of your "
                                    "own: --import its module)")
            cls = lm.get_edit_method(method).config_cls
            edit[method] = _build(cls, self["edit"].get(method, {}), f"{source}: [edit.{method}]")
            if method in idle:  # named, built and typed, but not checked against a model it will never edit
                continue
            try:
                lm.check_edit_config(edit[method], train.model)
            except lm.LMError as err:
                raise PipelineError(f"{source}: [edit.{method}]: {err}") from None
        return Settings(run, world, corpus, train, fit, teacher, edit, in_context, evaluate, sequential, report,
                        json.loads(json.dumps(self.sections)), spec)

    def _world(self, source: str):
        from rational import WorldOptions

        from ..world.builtin import WorldError, resolve_world

        w = dict(self["world"])
        name, seed, n = w.pop("name", "default"), w.pop("seed", 0), w.pop("n_subjects", None)
        oneoff = w.pop("oneoff_people", None)
        if oneoff is not None and (not _fits(oneoff, int) or oneoff < 0):
            raise PipelineError(f"{source}: [world] oneoff_people must be a non-negative integer, got {oneoff!r}")
        if not isinstance(name, str):
            raise PipelineError(f"{source}: [world] name must be a string (a built-in world or a graph file), "
                                f"got {name!r}")
        if not _fits(seed, int) or seed < 0:
            raise PipelineError(f"{source}: [world] seed must be a non-negative integer, got {seed!r}")
        if n is not None and (not _fits(n, int) or n < 1):
            raise PipelineError(f"{source}: [world] n_subjects must be a positive integer, got {n!r}")
        hints = typing.get_type_hints(WorldOptions)
        options = {k: v for k, v in w.items() if v is not None}
        for key, value in options.items():
            if key not in hints:
                raise PipelineError(f"{source}: unknown key {key!r} in [world]; known: "
                                    f"{sorted(['name', 'seed', 'n_subjects', 'oneoff_people', *hints])}")
            if not _fits(value, hints[key]):
                raise PipelineError(f"{source}: [world] {key} must be {_describe(hints[key])}, got {value!r}")
        try:
            spec = resolve_world(name, **options, **({} if n is None else {"n_subjects": n}),
                                 **({} if oneoff is None else {"oneoff_people": oneoff}))
        except (WorldError, FileNotFoundError) as err:
            raise PipelineError(f"{source}: [world] {err}") from None
        return WorldSection(name, seed, n, oneoff, options), spec


def load_config(path: str | os.PathLike | None, base: RunConfig | None = None) -> RunConfig:
    """Defaults updated by a TOML file (sections run, world, corpus, train, fit, teacher, edit, evaluate,
    sequential, report).

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "run.toml"
        >>> _ = p.write_text('[world]\\nname = "tiny"\\n[evaluate]\\nn_requests = 4\\n')
        >>> load_config(p)["evaluate"]["n_requests"]
        4
    """
    base = base or RunConfig()
    if path is None:
        return base
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config file {str(path)!r} not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise PipelineError(f"{path}: not valid TOML: {err}") from None
    return base.merged(data, str(path))


def config_to_toml(sections: Mapping[str, Mapping[str, Any]]) -> str:
    """Write settings as TOML that :func:`load_config` reads back (``None`` values are left out).

    Example:
        >>> print(config_to_toml({"world": {"name": "tiny", "eps": None}, "edit": {"lora": {"steps": 4}}}), end="")
        [world]
        name = "tiny"
        [edit]
        [edit.lora]
        steps = 4
    """

    def key(k: str) -> str:
        return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)

    def value(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, Mapping):
            return "{" + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + "}"
        return repr(v)

    lines = []
    for name, table in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{key(k)} = {value(v)}" for k, v in table.items() if v is not None and not isinstance(v, Mapping)]
        for k, v in table.items():
            if isinstance(v, Mapping) and v:
                lines.append(f"[{name}.{key(k)}]")
                lines += [f"{key(kk)} = {value(vv)}" for kk, vv in v.items() if vv is not None]
    return "\n".join(lines) + "\n"
