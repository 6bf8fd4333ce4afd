"""The run config: sections, defaults, strict validation of every setting before any stage runs.

Settings come from defaults, then a TOML file (``--config``), then command-line flags. Every key is
checked against its section's schema: unknown sections and keys are errors that list the known ones,
and values must have the right type (a bool is not a count, ``4.7`` is not a number of requests, a
method list is a list). Then the objects each stage needs are built (the world spec, the LM's training
and model configs, each edit method's config, ...), so their own checks run too: a config that would
fail after an hour of training fails at once, naming the section, the key and the value.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..corpus.format import DEFAULT_CHUNK, DEFAULT_SHUFFLES

__all__ = ["EvaluateSettings", "PipelineError", "ReportSettings", "RunConfig", "Settings", "config_to_toml",
           "load_config"]


class PipelineError(ValueError):
    """A bad config, an incompatible or busy run directory, or a stage run before its inputs exist."""


@dataclasses.dataclass(frozen=True)
class EvaluateSettings:
    """[evaluate]: which requests, agents and rules, and how."""

    n_requests: int = 160  # edit requests drawn from the world
    seed: int = 0  # request sampling, case sampling and per-request edit seeds
    rules: tuple[str, ...] = ("bayes", "observe", "jeffrey", "virtual")  # the rational agent's update rules
    #                                   (the first decides the downstream group: keep bayes first)
    methods: tuple[str, ...] = ("lora", "ft", "context", "rational")  # LM edit methods
    implication_share: float = 0.5  # share of requests with downstream implications (see min_shift)
    min_shift: float = 0.2  # a request has downstream implications when bayes moves a downstream relation of
    #                         its subject by at least this total variation
    fixing_share: float = 0.5  # of the other requests: share asking for the true object where the LM is wrong
    other_subjects: int = 3  # queries per request in each other-subject case
    logic_requests: int | None = 48  # logical-coherence checks on the first this many requests (None: all)
    chunk: int = 16  # requests edited and scored together (in one batch where a method allows it); sharded
    #                  runs split the requests by chunk, so their records equal a one-process run's
    workers: int | None = None  # processes that share the chunks (None: one per core, at most one per chunk;
    #   under torchrun each rank is one worker); a chunk's records do not depend on the worker
    threads: int | None = None  # torch threads per process while evaluating (None: the cores divided among
    #   the processes, so 1 by default); records are bit-identical between runs with any number of workers or
    #   torchrun ranks when every process uses the same number of threads

    def __post_init__(self):
        if self.n_requests < 1:
            raise ValueError(f"n_requests must be at least 1, got {self.n_requests}")
        if not self.rules or not self.methods:
            raise ValueError("need at least one update rule and one edit method")
        for what, names in (("rules", self.rules), ("methods", self.methods)):
            if len(set(names)) != len(names):
                raise ValueError(f"{what} lists a name twice: {list(names)}")
        if self.other_subjects < 0:
            raise ValueError(f"other_subjects must be non-negative, got {self.other_subjects}")
        if self.logic_requests is not None and self.logic_requests < 0:
            raise ValueError(f"logic_requests must be non-negative or none, got {self.logic_requests}")
        for name in ("threads", "workers"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 or none, got {getattr(self, name)}")
        if self.chunk < 1:
            raise ValueError(f"chunk must be at least 1, got {self.chunk}")
        for name in ("fixing_share", "implication_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if not 0 < self.min_shift <= 1:
            raise ValueError(f"min_shift must be in (0, 1], got {self.min_shift}")


@dataclasses.dataclass(frozen=True)
class ReportSettings:
    """[report]: the plots and the edit-step traces."""

    plots: bool = True  # write the PNG figures
    trace_requests: int = 3  # requests whose P(o*) is traced over edit steps (edit_steps.png)
    trace_points: int = 6  # points per trace

    def __post_init__(self):
        if self.trace_requests < 0 or self.trace_points < 2:
            raise ValueError("trace_requests must be >= 0 and trace_points >= 2")


@dataclasses.dataclass(frozen=True)
class FitSettings:
    """[fit]: the rational agent's EM."""

    tol: float = 1e-10  # stop when no CPT entry moves by more than this in one EM step
    max_iter: int = 2000  # EM iteration cap

    def __post_init__(self):
        if not self.tol > 0 or self.max_iter < 1:
            raise ValueError("tol must be positive and max_iter at least 1")


# -- types ---------------------------------------------------------------------------------------------
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


def _build(cls, values: Mapping[str, Any], where: str, base=None):
    """``cls(**values)`` (or ``replace(base, **values)``) with every value type-checked; errors name ``where``."""
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
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


# -- the config ------------------------------------------------------------------------------------------
_TRAIN_KEYS = ("preset", "model")


def _defaults() -> dict[str, dict[str, Any]]:
    def plain(cls):
        return {f.name: list(f.default) if isinstance(f.default, tuple) else f.default for f in dataclasses.fields(cls)}

    return {
        "world": {"name": "default", "seed": 0},  # plus n_subjects and any rational.WorldOptions field
        "corpus": {"shuffles": DEFAULT_SHUFFLES, "chunk": DEFAULT_CHUNK},
        "train": {"preset": "tiny"},  # plus any lm.TrainConfig field, and model = {lm.ModelConfig fields}
        "fit": plain(FitSettings),
        "edit": {},  # per method: fields of its config dataclass ([edit.lora], [edit.ft], ...)
        "evaluate": plain(EvaluateSettings),
        "report": plain(ReportSettings),
    }


@dataclasses.dataclass(frozen=True)
class Settings:
    """A validated config, as the objects the stages use."""

    world: Any  # bridges.WorldSpec
    seed: int
    shuffles: int
    chunk: int
    preset: str
    train: Any  # lm.TrainConfig
    model: Any  # lm.ModelConfig (the preset's, with [train.model] overrides)
    model_overrides: dict
    fit: FitSettings
    edit: dict[str, Any]  # method -> its config instance (for every evaluated method)
    evaluate: EvaluateSettings
    report: ReportSettings
    teacher: Any  # bridges.TeacherSettings of the rational method ([edit.rational] rule, min_shift, anchors)
    context_auto: bool  # [edit.context] repeats not given: the edit stage picks it (see bridges.run.stages)


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
                else:
                    new[section][key] = value
        config = RunConfig(new)
        config.validate(source)
        return config

    def validate(self, source: str = "config") -> Settings:
        """Check every setting and build the stages' objects; :class:`PipelineError` names the culprit."""
        import lm

        from ..world.builtin import WorldError, resolve_world

        w = dict(self["world"])
        name, seed = w.pop("name"), w.pop("seed")
        if not isinstance(name, str):
            raise PipelineError(f"{source}: [world] name must be a string (a built-in world or a graph file), "
                                f"got {name!r}")
        if not _fits(seed, int) or seed < 0:
            raise PipelineError(f"{source}: [world] seed must be a non-negative integer, got {seed!r}")
        options = {k: v for k, v in w.items() if v is not None}
        try:
            from rational import WorldOptions

            hints = typing.get_type_hints(WorldOptions)
            for key, value in options.items():
                if key == "n_subjects":
                    if not _fits(value, int) or value < 1:
                        raise PipelineError(f"{source}: [world] n_subjects must be a positive integer, got {value!r}")
                elif key not in hints:
                    raise PipelineError(f"{source}: unknown key {key!r} in [world]; known: "
                                        f"{sorted(['name', 'seed', 'n_subjects', *hints])}")
                elif not _fits(value, hints[key]):
                    raise PipelineError(f"{source}: [world] {key} must be {_describe(hints[key])}, got {value!r}")
            spec = resolve_world(name, **options)
        except (WorldError, FileNotFoundError) as err:
            raise PipelineError(f"{source}: [world] {err}") from None
        corpus = self["corpus"]
        unknown = sorted(set(corpus) - {"shuffles", "chunk"})
        if unknown:
            raise PipelineError(f"{source}: unknown key {unknown[0]!r} in [corpus]; known: ['chunk', 'shuffles']")
        for key in ("shuffles", "chunk"):
            if not _fits(corpus[key], int) or corpus[key] < 1:
                raise PipelineError(f"{source}: [corpus] {key} must be a positive integer, got {corpus[key]!r}")
        train = dict(self["train"])
        preset = train.pop("preset")
        model = train.pop("model", {}) or {}
        try:
            base_model = lm.get_preset(preset)
        except lm.LMError as err:
            raise PipelineError(f"{source}: [train] preset: {err}") from None
        train_cfg = _build(lm.TrainConfig, train, f"{source}: [train]")
        model_cfg = _build(lm.ModelConfig, model, f"{source}: [train.model]", base=base_model)
        fit = _build(FitSettings, self["fit"], f"{source}: [fit]")
        evaluate = _build(EvaluateSettings, self["evaluate"], f"{source}: [evaluate]")
        report = _build(ReportSettings, self["report"], f"{source}: [report]")
        import rational

        for rule in evaluate.rules:
            if rule not in rational.rules():
                raise PipelineError(f"{source}: [evaluate] rules: unknown update rule {rule!r}; registered: "
                                    f"{list(rational.rules())}")
        from ..bench.believers import TeacherSettings

        edit = {}
        teacher_keys = {f.name for f in dataclasses.fields(TeacherSettings)}
        rational_keys = dict(self["edit"].get("rational", {}))
        teacher = _build(TeacherSettings, {k: v for k, v in rational_keys.items() if k in teacher_keys},
                         f"{source}: [edit.rational]")
        if teacher.rule not in rational.rules():
            raise PipelineError(f"{source}: [edit.rational] rule: unknown update rule {teacher.rule!r}; registered: "
                                f"{list(rational.rules())}")
        for method in dict.fromkeys([*evaluate.methods, *self["edit"]]):
            if method not in lm.edit_methods():
                raise PipelineError(f"{source}: unknown edit method {method!r} (in [evaluate] methods or "
                                    f"[edit.{method}]); registered: {list(lm.edit_methods())}")
            cls = lm.get_edit_method(method).config_cls
            values = {k: v for k, v in self["edit"].get(method, {}).items()
                      if not (method == "rational" and k in teacher_keys)}
            edit[method] = _build(cls, values, f"{source}: [edit.{method}]")
        context_auto = "repeats" not in self["edit"].get("context", {})
        return Settings(spec, seed, corpus["shuffles"], corpus["chunk"], preset, train_cfg, model_cfg, dict(model),
                        fit, {m: edit[m] for m in evaluate.methods}, evaluate, report, teacher, context_auto)


def load_config(path: str | os.PathLike | None, base: RunConfig | None = None) -> RunConfig:
    """Defaults updated by a TOML file (sections world, corpus, train, fit, edit, evaluate, report).

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
