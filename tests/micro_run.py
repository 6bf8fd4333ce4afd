"""What the pipeline tests share: the settings of a run in seconds (a tiny world, a one-layer micro LM, two
edit requests) and copies of a finished run for the tests that change one."""

import json
import shutil
from pathlib import Path

from bridges import RunConfig

#: A whole run in seconds on a laptop's CPU.
MICRO = {
    "world": {"name": "tiny", "n_subjects": 16},
    "corpus": {"shuffles": 1},
    "train": {"epochs": 2, "progress": False, "eval_facts": 20, "compile": False, "batch_size": 8,
              "model": {"d_model": 32, "n_layers": 1, "n_heads": 2, "d_ff": 64}},
    "edit": {"lora": {"steps": 2}},
    "evaluate": {"n_requests": 2, "methods": ["lora"], "rules": ["bayes"], "other_subjects": 1},
    "sequential": {"n_edits": 0},
    "report": {"trace_requests": 0, "plots": False},
}


def with_overrides(base: dict, **overrides) -> dict:
    """A copy of ``base`` with each section's keys overridden (a table value, e.g. ``edit={"lora": {...}}``,
    updates that table key by key)."""
    merged = json.loads(json.dumps(base))
    for name, values in overrides.items():
        for key, value in values.items():
            if isinstance(value, dict):
                merged.setdefault(name, {}).setdefault(key, {}).update(value)
            else:
                merged.setdefault(name, {})[key] = value
    return merged


def run_config(base: dict, **overrides) -> RunConfig:
    """:func:`with_overrides` as a run config (its errors name "test")."""
    return RunConfig().merged(with_overrides(base, **overrides), "test")


def copy_run(run: Path, tmp_path: Path, drop=()) -> Path:
    """A copy of a run directory in ``tmp_path / "run"`` (without its lock), with the ``drop`` paths removed."""
    out = tmp_path / "run"
    shutil.copytree(run, out, ignore=shutil.ignore_patterns(".lock"))
    for name in drop:
        target = out / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    return out
