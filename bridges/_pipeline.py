"""The pipeline: world -> corpus -> train -> edit -> evaluate -> report, in one run directory.

Each stage writes into ``RUN/<stage>/`` and records a stamp (a hash of its settings and of the stamps of
the stages it reads) in ``RUN/<stage>/stage.json``. A stage whose stamp is unchanged is not redone, so
re-running ``run`` after an interruption continues where it stopped: training resumes from its last
checkpoint, evaluation from its last finished request (records are appended one per request and each
depends only on its request), and the final numbers are identical to an uninterrupted run.

Settings come from defaults, then a TOML config file (``--config``), then command-line flags. Unknown
keys are errors that name the key and list the known ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._corpus import DEFAULT_CHUNK
from ._io import atomic_write_json as _atomic_write_json
from ._io import atomic_write_text as _atomic_write_text

__all__ = ["PipelineError", "RunConfig", "STAGES", "config_to_toml", "load_config", "run_pipeline", "run_stage"]

FORMAT = 1  # bump when a stage's outputs change incompatibly
STAGES = ("world", "corpus", "train", "edit", "evaluate", "report")


def atomic_write_json(path: Path, obj, **options) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_json(path, obj, **options)


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_text(path, text)


class PipelineError(ValueError):
    """A bad config, an incompatible run directory, or a stage run before its inputs exist."""


_WORLD_KEYS = {"name": "default", "seed": 0, "eps": None, "statement_noise": None, "n_subjects": None,
               "mentions_per_fact": None, "held_out_rate": None, "statements_per_subject": None,
               "connectives_per_subject": None, "truth_concentration": None}
_CORPUS_KEYS = {"shuffles": 3, "chunk": DEFAULT_CHUNK}


def _defaults() -> dict[str, dict[str, Any]]:
    from ._evaluate import EvaluateConfig

    evaluate = {f.name: f.default for f in dataclasses.fields(EvaluateConfig)}
    return {
        "world": dict(_WORLD_KEYS),
        "corpus": dict(_CORPUS_KEYS),
        "train": {"preset": "tiny"},  # plus any lm.TrainConfig field, and model = {lm.ModelConfig fields}
        "edit": {"lora": {}, "ft": {}, "context": {}},  # per method: fields of its config dataclass
        "evaluate": {k: list(v) if isinstance(v, tuple) else v for k, v in evaluate.items()},
        "report": {"plots": True, "trace_requests": 3, "trace_points": 9},
    }


@dataclasses.dataclass
class RunConfig:
    """All settings of a run, section by section (see ``python -m bridges run --help``)."""

    sections: dict[str, dict[str, Any]] = dataclasses.field(default_factory=_defaults)

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.sections[section]

    def merged(self, overrides: Mapping[str, Mapping[str, Any]], source: str) -> RunConfig:
        """A new config with ``overrides`` applied; unknown sections or keys raise PipelineError."""
        import lm

        train_fields = {f.name for f in dataclasses.fields(lm.TrainConfig)} | {"preset", "model"}
        new = json.loads(json.dumps(self.sections))
        for section, values in overrides.items():
            if section not in new:
                raise PipelineError(f"{source}: unknown section [{section}]; known: {sorted(new)}")
            if not isinstance(values, Mapping):
                raise PipelineError(f"{source}: [{section}] must be a table of settings")
            known = train_fields if section == "train" else set(new[section])
            for key, value in values.items():
                if key not in known:
                    raise PipelineError(f"{source}: unknown key {key!r} in [{section}]; known: {sorted(known)}")
                if section == "edit":
                    _check_edit_config(key, value, source)
                if section == "train" and key == "model":
                    model_fields = {f.name for f in dataclasses.fields(lm.ModelConfig)}
                    bad = sorted(set(value) - model_fields)
                    if bad:
                        raise PipelineError(f"{source}: unknown key {bad[0]!r} in [train.model]; known: "
                                            f"{sorted(model_fields)}")
                new[section][key] = value
        return RunConfig(new)


def _check_edit_config(method: str, values, source: str) -> None:
    import lm

    cls = lm.get_edit_method(method).config_cls
    known = {f.name for f in dataclasses.fields(cls)}
    for key in values:
        if key not in known:
            raise PipelineError(f"{source}: unknown key {key!r} in [edit.{method}]; known: {sorted(known)}")


def load_config(path: str | os.PathLike | None, base: RunConfig | None = None) -> RunConfig:
    """Defaults updated by a TOML file (sections world, corpus, train, edit, evaluate, report).

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
    try:
        data = tomllib.loads(Path(path).read_text())
    except tomllib.TOMLDecodeError as err:
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

    def value(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return repr(v)

    lines = []
    for name, table in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {value(v)}" for k, v in table.items() if v is not None and not isinstance(v, Mapping)]
        for k, v in table.items():
            if isinstance(v, Mapping) and v:
                lines.append(f"[{name}.{k}]")
                lines += [f"{kk} = {value(vv)}" for kk, vv in v.items() if vv is not None]
    return "\n".join(lines) + "\n"


# -- run directory ------------------------------------------------------------------------------------
def _stamp(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _check_run_dir(run: Path) -> None:
    info = run / "run.json"
    if info.exists():
        found = json.loads(info.read_text()).get("format")
        if found != FORMAT:
            raise PipelineError(f"run directory {str(run)!r} was written by an incompatible version "
                                f"(format {found}, this version reads {FORMAT}); use a new --run directory")
    else:
        run.mkdir(parents=True, exist_ok=True)
        atomic_write_json(info, {"format": FORMAT})


def _done(run: Path, stage: str, stamp: str) -> bool:
    f = run / stage / "stage.json"
    return f.exists() and json.loads(f.read_text()).get("stamp") == stamp


def _finish(run: Path, stage: str, stamp: str, seconds: float) -> None:
    atomic_write_json(run / stage / "stage.json", {"stamp": stamp, "seconds": round(seconds, 3)})


def _stage_stamps(cfg: RunConfig) -> dict[str, str]:
    s = {"world": _stamp(FORMAT, "world", cfg["world"])}
    s["corpus"] = _stamp(s["world"], cfg["corpus"])
    s["train"] = _stamp(s["corpus"], cfg["train"])
    s["edit"] = _stamp(s["train"], cfg["edit"], cfg["evaluate"])
    s["evaluate"] = _stamp(s["edit"])
    s["report"] = _stamp(s["evaluate"], cfg["report"])
    return s


def _world_overrides(cfg: RunConfig) -> dict[str, Any]:
    return {k: v for k, v in cfg["world"].items() if k not in ("name", "seed") and v is not None}


def _say(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, flush=True)


# -- stages -----------------------------------------------------------------------------------------------
def _stage_world(run: Path, cfg: RunConfig, quiet: bool) -> None:
    from ._corpus import _graph_to_json
    from ._worlds import resolve_world

    spec = resolve_world(cfg["world"]["name"], **_world_overrides(cfg))
    world = spec.sample(cfg["world"]["seed"])
    facts = [{"subject": s, "relation": r, "object": world.true_object(s, r), "held_out": bool(world.held_out[r][i])}
             for i, s in enumerate(world.subjects) for r in world.graph.relations]
    atomic_write_json(run / "world" / "world.json", {
        "world": spec.name, "seed": cfg["world"]["seed"], "options": spec.options(),
        "graph": _graph_to_json(world.graph), "subjects": list(world.subjects), "facts": facts})
    _say(f"world: {spec.name}, {len(world.subjects)} subjects x {len(world.graph)} relations = {len(facts)} facts",
         quiet)


def _stage_corpus(run: Path, cfg: RunConfig, quiet: bool) -> None:
    from ._corpus import make_corpus

    make_corpus(cfg["world"]["name"], run / "corpus", seed=cfg["world"]["seed"], shuffles=cfg["corpus"]["shuffles"],
                chunk=cfg["corpus"]["chunk"], quiet=quiet, **_world_overrides(cfg))


def _stage_train(run: Path, cfg: RunConfig, quiet: bool) -> None:
    import lm

    options = {k: v for k, v in cfg["train"].items() if k not in ("preset", "model")}
    if quiet:
        options.setdefault("progress", False)
    model = cfg["train"].get("model")
    metrics = lm.train_from_corpus(run / "corpus", run / "train", preset=cfg["train"]["preset"],
                                   config=lm.TrainConfig(**options),
                                   model_config=lm.ModelConfig(**model) if model else None)
    _say(f"train: {cfg['train']['preset']} LM, accuracy on training facts {metrics['train_fact_accuracy']:.3f}, "
         f"held-out facts {metrics['heldout_fact_accuracy']:.3f}", quiet)


def _edit_configs(cfg: RunConfig) -> dict[str, Any]:
    import lm

    return {m: lm.get_edit_method(m).config_cls(**cfg["edit"].get(m, {})) for m in cfg["evaluate"]["methods"]}


def _agents(run: Path, cfg: RunConfig):
    """(world, LM believers by method, Bayes believers by rule, evaluate config)."""
    import lm
    import rational

    from ._believers import BayesBeliever, LMBeliever
    from ._corpus import evidence_from_corpus, load_metadata
    from ._evaluate import EvaluateConfig, World

    world = World.from_metadata(load_metadata(run / "corpus"))
    ecfg = EvaluateConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in cfg["evaluate"].items()})
    model = lm.load(run / "train")
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    configs = _edit_configs(cfg)
    lms = {m: LMBeliever(model, domains, m, configs[m]) for m in ecfg.methods}
    post = rational.fit(evidence_from_corpus(run / "corpus"))
    bayes = {u: BayesBeliever(post, u) for u in ecfg.rules}
    return world, lms, bayes, ecfg


def _stage_edit(run: Path, cfg: RunConfig, quiet: bool) -> None:
    """Fit the rational agent, draw the edit requests, and trace P(o*) over edit steps for a few of them."""
    import numpy as np
    import torch

    import lm

    from ._evaluate import sample_requests

    world, lms, bayes, ecfg = _agents(run, cfg)
    first = lms[ecfg.methods[0]]
    requests = sample_requests(world, first, ecfg)
    traces = []
    trainable = [m for m in ecfg.methods if hasattr(lms[m].config, "steps")]
    for i, req in enumerate(requests[: cfg["report"]["trace_requests"]]):
        tgt = world.graph.object_index(req.relation, req.obj)
        entry = {"request": dataclasses.asdict(req), "bayes": {}, "lm": {}}
        for u, b in bayes.items():
            pre = b.distributions([(req.subject, req.relation)])[0][0][tgt]
            post = b.edit(req).distributions([(req.subject, req.relation)])[0][0][tgt]
            entry["bayes"][u] = [float(pre), float(post)]
        for m in trainable:
            conf = lms[m].config
            steps = np.unique(np.linspace(0, conf.steps, cfg["report"]["trace_points"]).round().astype(int))
            probs = []
            for k in steps:
                if k == 0:
                    probs.append(float(lms[m].distributions([(req.subject, req.relation)])[0][0][tgt]))
                    continue
                torch.manual_seed(int(np.random.default_rng([ecfg.seed, i, 1]).integers(2**31)))
                edited = lm.edit(lms[m].model, m, [lm.EditRequest(req.subject, req.relation, req.obj)],
                                 dataclasses.replace(conf, steps=int(k)))
                probs.append(float(edited.distributions([(req.subject, req.relation)], lms[m].domains)[0][0][tgt]))
            entry["lm"][m] = {"steps": steps.tolist(), "p_requested": probs}
        traces.append(entry)
    atomic_write_json(run / "edit" / "requests.json", {"requests": [dataclasses.asdict(r) for r in requests],
                                                        "traces": traces})
    _say(f"edit: {len(requests)} edit requests drawn; P(o*) traced over edit steps for {len(traces)}", quiet)


def _load_requests(run: Path):
    from ._believers import EditRequest

    data = json.loads((run / "edit" / "requests.json").read_text())
    return [EditRequest(**r) for r in data["requests"]]


def _stage_evaluate(run: Path, cfg: RunConfig, quiet: bool) -> None:
    """Evaluate every request (sharded across torchrun ranks if launched so) into results.json."""
    from ._evaluate import evaluate_requests, summarise

    import torch

    started = time.perf_counter()
    world, lms, bayes, ecfg = _agents(run, cfg)
    torch.set_num_threads(ecfg.threads)
    startup = time.perf_counter() - started
    requests = _load_requests(run)
    rank, size = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    records_path = run / "evaluate" / (f"records.rank{rank}.jsonl" if size > 1 else "records.jsonl")
    records_path.parent.mkdir(parents=True, exist_ok=True)
    done = {}
    if records_path.exists():  # resume: keep every complete line written before an interruption
        for line in records_path.read_text().splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                break
            done[rec["index"]] = rec
    mine = [i for i in range(len(requests)) if i % size == rank and i not in done]
    progress = None
    if not quiet and rank == 0:
        from tqdm import tqdm

        progress = tqdm(total=len(requests) // size, initial=len(done), desc="evaluate", unit="edit")
    loop_start = time.perf_counter()
    with open(records_path, "a") as f:
        for i in mine:
            rec = evaluate_requests(world, lms, bayes, [requests[i]], [i], ecfg)[0]
            f.write(json.dumps(rec) + "\n")
            f.flush()
            os.fsync(f.fileno())
            done[i] = rec
            if progress is not None:
                progress.update(1)
    if progress is not None:
        progress.close()
    atomic_write_json(run / "evaluate" / f"timing.rank{rank}.json",  # timings stay out of the records
                      {"startup_s": startup, "requests": len(mine), "loop_s": time.perf_counter() - loop_start})
    records = [done[i] for i in sorted(done)]
    if size > 1:
        import torch.distributed as dist

        gathered = [None] * size
        dist.all_gather_object(gathered, records)
        records = sorted((r for part in gathered for r in part), key=lambda r: r["index"])
        if rank != 0:
            return
    results = {"config": cfg.sections, "requests": [r["request"] for r in records], "summary": summarise(records, ecfg),
               "records": records}
    atomic_write_json(run / "evaluate" / "results.json", results, indent=None)
    atomic_write_json(run / "results.json", results, indent=None)


def _stage_report(run: Path, cfg: RunConfig, quiet: bool) -> None:
    from ._report import render_table, write_plots

    results = json.loads((run / "evaluate" / "results.json").read_text())
    table = render_table(results)
    atomic_write_text(run / "report" / "table.txt", table)
    if cfg["report"]["plots"]:
        traces = json.loads((run / "edit" / "requests.json").read_text())["traces"]
        write_plots(results, traces, run / "report")
    _say(table, quiet)


_STAGE_FNS = {"world": _stage_world, "corpus": _stage_corpus, "train": _stage_train, "edit": _stage_edit,
              "evaluate": _stage_evaluate, "report": _stage_report}
_NEEDS = {"corpus": "world", "train": "corpus", "edit": "train", "evaluate": "edit", "report": "evaluate"}


def run_stage(stage: str, run: str | os.PathLike, cfg: RunConfig, *, force: bool = False, quiet: bool = False) -> bool:
    """Run one stage if its inputs changed (or ``force``); returns True if it ran."""
    if stage not in _STAGE_FNS:
        raise PipelineError(f"unknown stage {stage!r}; stages: {list(STAGES)}")
    run = Path(run)
    _check_run_dir(run)
    stamps = _stage_stamps(cfg)
    need = _NEEDS.get(stage)
    if need and not _done(run, need, stamps[need]):
        raise PipelineError(f"stage {stage!r} needs stage {need!r} of this config first "
                            f"(run `python -m bridges {need} --run {run}` or `run`)")
    distributed = int(os.environ.get("WORLD_SIZE", 1)) > 1
    if not force and _done(run, stage, stamps[stage]):
        _say(f"{stage}: up to date, skipped", quiet)
        return False
    if (run / stage / "stage.json").exists():
        (run / stage / "stage.json").unlink()  # stale: its inputs changed
        if stage == "evaluate":
            for p in (run / "evaluate").glob("records*.jsonl"):
                p.unlink()
    t = time.perf_counter()
    if distributed and stage == "evaluate":
        import torch.distributed as dist

        dist.init_process_group("gloo")
        try:
            _STAGE_FNS[stage](run, cfg, quiet or int(os.environ.get("RANK", 0)) != 0)
            dist.barrier()
        finally:
            dist.destroy_process_group()
        if int(os.environ.get("RANK", 0)) != 0:
            return True
    else:
        _STAGE_FNS[stage](run, cfg, quiet)
    _finish(run, stage, stamps[stage], time.perf_counter() - t)
    return True


def run_pipeline(run: str | os.PathLike, cfg: RunConfig, *, quiet: bool = False) -> dict:
    """Every stage in order, skipping those that are up to date; returns results.json's content."""
    t = time.perf_counter()
    for stage in STAGES:
        run_stage(stage, run, cfg, quiet=quiet)
    _say(f"run: done in {time.perf_counter() - t:.0f} s; results in {Path(run) / 'results.json'}", quiet)
    return json.loads((Path(run) / "results.json").read_text())


def _flag_overrides(args) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    flags = (("world", "name", "world"), ("world", "seed", "seed"), ("world", "eps", "eps"),
             ("world", "n_subjects", "n_subjects"), ("corpus", "shuffles", "shuffles"), ("corpus", "chunk", "chunk"),
             ("train", "preset", "preset"), ("evaluate", "n_requests", "requests"),
             ("evaluate", "methods", "methods"), ("evaluate", "rules", "rules"))
    for section, key, flag in flags:
        value = getattr(args, flag, None)
        if value is not None:
            out.setdefault(section, {})[key] = value
    return out


def add_run_arguments(parser) -> None:
    import argparse

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = ("Every setting can also come from --config FILE (TOML); flags override the file. The "
                     "sections and their defaults ([train] also takes every lm.TrainConfig field and a "
                     "[train.model] table of lm.ModelConfig fields; [edit.lora], [edit.ft], [edit.context] take "
                     "the fields of lm.LoraEditConfig, lm.FTEditConfig, lm.ContextEditConfig; [world] also takes "
                     + ", ".join(k for k, v in _WORLD_KEYS.items() if v is None)
                     + ", whose defaults are the world's own):\n\n"
                     + config_to_toml(RunConfig().sections))
    parser.add_argument("--run", "--dir", dest="run", default="runs/default",
                        help="run directory (default: %(default)s; --dir is the same, for torchrun, which "
                             "takes --run as its own --run-path)")
    parser.add_argument("--config", default=None, help="TOML file with sections [world] [corpus] [train] "
                                                       "[edit.lora] [edit.ft] [edit.context] [evaluate] [report]")
    parser.add_argument("--world", default=None, help="built-in world (tiny, default, paper) or graph file")
    parser.add_argument("--seed", type=int, default=None, help="world seed")
    parser.add_argument("--preset", default=None, help="LM preset (tiny, small, paper)")
    parser.add_argument("--requests", type=int, default=None, help="number of edit requests")
    parser.add_argument("--methods", nargs="+", default=None, help="LM edit methods (lora ft context)")
    parser.add_argument("--rules", nargs="+", default=None, help="update rules (bayes observe jeffrey virtual)")
    parser.add_argument("--force", action="store_true", help="redo the stage even if up to date")
    parser.add_argument("--quiet", action="store_true", help="print only errors")


def config_from_args(args) -> RunConfig:
    return load_config(args.config).merged(_flag_overrides(args), "command line")


def main_stage(stage: str, args) -> int:
    cfg = config_from_args(args)
    if stage == "run":
        run_pipeline(args.run, cfg, quiet=args.quiet)
    else:
        run_stage(stage, args.run, cfg, force=getattr(args, "force", False), quiet=getattr(args, "quiet", False))
    return 0
