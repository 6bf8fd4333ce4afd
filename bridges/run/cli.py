"""The pipeline's command-line arguments (shared by every stage subcommand of ``python -m bridges``)."""

from __future__ import annotations

import argparse
from typing import Any

from .config import RunConfig, config_to_toml, load_config
from .pipeline import run_pipeline, run_stage

__all__ = ["add_run_arguments", "config_from_args", "main_stage"]

_FLAGS = (("world", "name", "world"), ("world", "seed", "seed"), ("world", "eps", "eps"),
          ("world", "n_subjects", "n_subjects"), ("corpus", "shuffles", "shuffles"), ("corpus", "chunk", "chunk"),
          ("train", "preset", "preset"), ("evaluate", "n_requests", "requests"),
          ("evaluate", "methods", "methods"), ("evaluate", "rules", "rules"))


def _flag_overrides(args) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for section, key, flag in _FLAGS:
        value = getattr(args, flag, None)
        if value is not None:
            out.setdefault(section, {})[key] = value
    return out


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every pipeline subcommand takes (run directory, config file, common overrides)."""
    from rational import WorldOptions

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = ("Every setting can also come from --config FILE (TOML); flags override the file. The "
                     "sections and their defaults ([train] also takes every lm.TrainConfig field and a "
                     "[train.model] table of lm.ModelConfig fields, which override the preset's; [edit.METHOD] "
                     "takes the fields of that method's config (lm.LoraEditConfig, lm.FTEditConfig, ...); "
                     "[world] also takes n_subjects and every rational.WorldOptions field ("
                     + ", ".join(WorldOptions.names()) + "), whose defaults are the world's own):\n\n"
                     + config_to_toml(RunConfig().sections))
    parser.add_argument("--run", "--dir", dest="run", default="runs/default",
                        help="run directory (default: %(default)s; --dir is the same, for torchrun, which "
                             "takes --run as its own --run-path)")
    parser.add_argument("--config", default=None, help="TOML file with sections [world] [corpus] [train] [fit] "
                                                       "[edit.METHOD] [evaluate] [report]")
    parser.add_argument("--world", default=None, help="built-in world (tiny, default, paper) or graph file")
    parser.add_argument("--seed", type=int, default=None, help="world seed")
    parser.add_argument("--preset", default=None, help="LM preset (tiny, small, paper)")
    parser.add_argument("--requests", type=int, default=None, help="number of edit requests")
    parser.add_argument("--methods", nargs="+", default=None, help="LM edit methods (lora ft context ...)")
    parser.add_argument("--rules", nargs="+", default=None, help="update rules (bayes observe jeffrey virtual ...)")
    parser.add_argument("--force", action="store_true", help="redo the stage (with run: every stage) even if "
                                                             "up to date, discarding its partial work")
    parser.add_argument("--quiet", action="store_true", help="print only errors")


def config_from_args(args) -> RunConfig:
    """Defaults, then ``--config``, then the flags; validated."""
    return load_config(args.config).merged(_flag_overrides(args), "command line")


def main_stage(stage: str, args) -> int:
    """Run a stage (or ``run``: every stage) as the command line asked."""
    config = config_from_args(args)
    if stage == "run":
        run_pipeline(args.run, config, force=args.force, quiet=args.quiet)
    else:
        run_stage(stage, args.run, config, force=getattr(args, "force", False), quiet=getattr(args, "quiet", False))
    return 0
