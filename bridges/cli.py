"""The command line (the only one): ``python -m bridges <command> ...``, one subcommand per pipeline stage.

Subcommands live in a small registry; a subcommand (a stage such as ``train`` or ``evaluate``, or ``run``,
``edit``, ``judge``) is added by one call, without touching the parser::

    from bridges.cli import register_command

    def add_arguments(parser):                  # an argparse.ArgumentParser for the subcommand
        parser.add_argument("--corpus", required=True)

    def run(args):                              # the parsed namespace; return an exit code (or None = 0)
        ...

    register_command("train", help="train the LM on a corpus", add_arguments=add_arguments, run=run)

Errors a user can fix (a ``ValueError`` raised by ``rational``, ``coherence``, ``lm`` or ``bridges``,
or a missing file) are printed as one line on stderr with exit code 2, without a traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .corpus.format import DEFAULT_CHUNK, DEFAULT_SHUFFLES

__all__ = ["COMMANDS", "Command", "add_run_arguments", "build_parser", "config_from_args", "main", "register_command"]


@dataclass(frozen=True)
class Command:
    """A subcommand: its help line, a function adding its arguments, and a function running it."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int | None]


#: The registered subcommands, by name, in registration order.
COMMANDS: dict[str, Command] = {}

_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")
_OWN_PACKAGES = frozenset({"bridges", "rational", "coherence", "lm"})
_USER_ERRORS = (FileNotFoundError, FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError)


def _disk_full(err: BaseException) -> bool:
    import errno

    return isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT)


def register_command(name: str, *, help: str, add_arguments: Callable[[argparse.ArgumentParser], None],
                     run: Callable[[argparse.Namespace], int | None]) -> Command:
    """Register a subcommand; rejects duplicate or malformed names.

    Example:
        >>> cmd = register_command("hello-doc", help="say hello", add_arguments=lambda p: None,
        ...                        run=lambda args: print("hello"))
        >>> main(["hello-doc"])
        hello
        0
        >>> del COMMANDS["hello-doc"]
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"command name must be lower-case letters, digits and '-', got {name!r}")
    if name in COMMANDS:
        raise ValueError(f"command {name!r} is already registered")
    if not callable(add_arguments) or not callable(run):
        raise TypeError(f"command {name!r}: add_arguments and run must be callables")
    COMMANDS[name] = Command(name, help, add_arguments, run)
    return COMMANDS[name]


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one subparser per registered command."""
    parser = argparse.ArgumentParser(
        prog="bridges", description="Rational belief revision in language models: worlds, corpora, LMs, edits.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for cmd in COMMANDS.values():
        sp = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        cmd.add_arguments(sp)
    return parser


def _chain(err: BaseException | None):
    while err is not None:
        yield err
        err = err.__cause__ or err.__context__


def _is_user_error(err: BaseException) -> bool:
    if isinstance(err, _USER_ERRORS):
        return True
    return isinstance(err, ValueError) and type(err).__module__.split(".")[0] in _OWN_PACKAGES


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 bad input, 130 interrupted).

    Example:
        >>> main(["corpus", "--world", "no-such-world", "--out", "unused"])  # message goes to stderr
        2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = COMMANDS[args.command].run(args)
    except KeyboardInterrupt:
        print(f"bridges {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - filtered just below; anything else keeps its traceback
        full = next((e for e in _chain(err) if _disk_full(e)), None)
        if full is not None:  # torch and safetensors wrap ENOSPC in their own errors
            err = (f"the disk is full (writing {getattr(full, 'filename', None) or 'an output'}); free some space "
                   "and run the same command again (finished stages are kept, interrupted ones resume)")
        elif not _is_user_error(err):
            raise
        print(f"bridges {args.command}: error: {err}", file=sys.stderr)
        return 2
    return int(code or 0)


# -- the pipeline's arguments (shared by every stage subcommand) ---------------------------------------------
_FLAGS = (("world", "name", "world"), ("world", "seed", "seed"), ("world", "eps", "eps"),
          ("world", "n_subjects", "n_subjects"), ("corpus", "shuffles", "shuffles"), ("corpus", "chunk", "chunk"),
          ("train", "preset", "preset"), ("evaluate", "n_requests", "requests"),
          ("evaluate", "methods", "methods"), ("evaluate", "rules", "rules"), ("run", "imports", "imports"))


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every pipeline subcommand takes (run directory, config file, common overrides)."""
    from rational import WorldOptions

    from .run.config import RunConfig, config_to_toml

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = ("Every setting can also come from --config FILE (TOML); flags override the file. The "
                     "sections and their defaults ([train] also takes every lm.TrainConfig field and a "
                     "[train.model] table of lm.ModelConfig fields, which override the preset's; [edit.METHOD] "
                     "takes the fields of that method's registered config (lm.LoraEditConfig, lm.FTEditConfig, "
                     "...); [world] also takes n_subjects and every rational.WorldOptions field ("
                     + ", ".join(WorldOptions.names()) + "), whose defaults are the world's own):\n\n"
                     + config_to_toml(RunConfig().sections))
    parser.add_argument("--run", "--dir", dest="run", default="runs/default",
                        help="run directory (default: %(default)s; --dir is the same, for torchrun, which "
                             "takes --run as its own --run-path)")
    parser.add_argument("--config", default=None, help="TOML file with sections [run] [world] [corpus] [train] "
                                                       "[fit] [in_context] [teacher] [edit.METHOD] [evaluate] [sequential] [report]")
    parser.add_argument("--import", dest="imports", action="append", default=None, metavar="MODULE",
                        help="import MODULE first, in every process (your update rules and edit methods register "
                             "there); repeatable; the same as [run] imports")
    parser.add_argument("--world", default=None, help="built-in world (tiny, default, paper) or graph file")
    parser.add_argument("--seed", type=int, default=None, help="world seed")
    parser.add_argument("--preset", default=None, help="LM preset (tiny, small, paper)")
    parser.add_argument("--requests", type=int, default=None, help="number of edit requests")
    parser.add_argument("--methods", nargs="+", default=None, help="LM edit methods (lora ft context ...)")
    parser.add_argument("--rules", nargs="+", default=None, help="update rules (bayes observe jeffrey virtual ...)")
    parser.add_argument("--force", action="store_true", help="redo the stage (with run: every stage) even if "
                                                             "up to date, discarding its partial work")
    parser.add_argument("--quiet", action="store_true", help="print only errors")


def config_from_args(args):
    """Defaults, then ``--config``, then the flags, validated once: the :class:`bridges.run.Settings`."""
    from .run.config import load_config

    overrides: dict = {}
    for section, key, flag in _FLAGS:
        value = getattr(args, flag, None)
        if value is not None:
            overrides.setdefault(section, {})[key] = value
    return load_config(args.config).merged(overrides, "command line").validate()


def _stage_run(stage: str):
    def run(args: argparse.Namespace) -> int:
        from .run.pipeline import run_pipeline, run_stage

        settings = config_from_args(args)
        if stage == "run":
            run_pipeline(args.run, settings, force=args.force, quiet=args.quiet)
        else:
            run_stage(stage, args.run, settings, force=args.force, quiet=args.quiet)
        return 0

    return run


def _corpus_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_arguments(parser)
    parser.add_argument("--out", default=None, help="standalone: write corpus.jsonl + metadata.json here (instead of "
                                                    "the pipeline stage in --run)")
    parser.add_argument("--eps", type=float, default=None,
                        help="mention noise rate in [0, 1) (default: the world's, 0.05 for built-ins)")
    parser.add_argument("--n-subjects", type=int, default=None, help="number of people (default: the world's)")
    parser.add_argument("--shuffles", type=int, default=None,
                        help=f"independent shuffles of each subject's sentences (default: {DEFAULT_SHUFFLES})")
    parser.add_argument("--chunk", type=int, default=None, help="at most this many sentences per document "
                                                                f"(default: {DEFAULT_CHUNK})")


def _corpus_run(args: argparse.Namespace) -> int:
    if args.out is None:
        return _stage_run("corpus")(args)
    from .corpus.write import make_corpus

    overrides = {k: v for k, v in (("eps", args.eps), ("n_subjects", args.n_subjects)) if v is not None}
    make_corpus("default" if args.world is None else args.world, args.out, seed=0 if args.seed is None else args.seed,
                shuffles=DEFAULT_SHUFFLES if args.shuffles is None else args.shuffles,
                chunk=DEFAULT_CHUNK if args.chunk is None else args.chunk, quiet=args.quiet, force=args.force,
                **overrides)
    return 0


def _train_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_arguments(parser)
    parser.add_argument("--corpus", default=None, help="standalone: train on this corpus directory (with --out)")
    parser.add_argument("--out", default=None, help="standalone: write model/, checkpoint/, metrics.json here")


def _train_run(args: argparse.Namespace) -> int:
    if args.corpus is None and args.out is None:
        return _stage_run("train")(args)
    if args.corpus is None or args.out is None:
        raise ValueError("standalone training needs both --corpus DIR and --out DIR (or --run DIR alone)")
    import dataclasses

    import lm

    train = config_from_args(args).train
    config = dataclasses.replace(train.config, progress=False) if args.quiet else train.config
    metrics = lm.train_from_corpus(args.corpus, args.out, preset=train.preset, config=config, **train.model_overrides)
    print(f"train: accuracy on training facts {metrics['train_fact_accuracy']:.3f}, on held-out facts "
          f"{metrics['heldout_fact_accuracy']:.3f}; model, tokenizer and metrics.json in {args.out}")
    return 0


def _edit_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_arguments(parser)
    parser.add_argument("--method", default="lora", help="a registered edit method (default: %(default)s)")
    parser.add_argument("--request", action="append", default=[], metavar="'S | R | O'",
                        help="an edit request 'subject | relation | object' (repeatable)")
    parser.add_argument("--requests-file", default=None, metavar="FILE",
                        help="a JSON list of {subject, relation, obj} (or a run's requests/requests.json)")
    parser.add_argument("--out", required=True, help="where to save the edited model (a model directory)")
    parser.add_argument("--sequential", action="store_true", help="one edit after another (default: one edit of "
                                                                  "all the requests)")
    parser.add_argument("--adapter", action="store_true", help="save a LoRA edit's adapter alone (apply it to the "
                                                               "run's model with lm.load_adapter)")


def _edit_run(args: argparse.Namespace) -> int:
    from .run.keep import parse_requests, save_edit

    settings = config_from_args(args)
    out = save_edit(args.run, settings, args.method, parse_requests(args.request, args.requests_file), args.out,
                    sequential=args.sequential, adapter=args.adapter)
    for text, a, b in zip(out["requests"], out["p_before"], out["p_after"]):
        print(f"edit: {text}: P {a:.3f} -> {b:.3f}")
    print(f"edit: saved in {args.out} (load it with lm.load; judge it with python -m bridges judge --model "
          f"{args.out} ...)")
    return 0


def _judge_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_arguments(parser)
    parser.add_argument("--model", required=True, help="a model directory edited from the run's LM (here or with "
                                                       "another tool: transformers' save_pretrained layout)")
    parser.add_argument("--request", action="append", default=[], metavar="'S | R | O'",
                        help="an edit request the model was edited with (repeatable, in order)")
    parser.add_argument("--requests-file", default=None, metavar="FILE",
                        help="a JSON list of {subject, relation, obj} (or a run's requests/requests.json)")


def _judge_run(args: argparse.Namespace) -> int:
    from .run.keep import judge_model, parse_requests

    settings = config_from_args(args)
    out = judge_model(args.run, settings, args.model, parse_requests(args.request, args.requests_file))

    def fmt(x):
        return "-" if x is None else (f"{x:.3f}" if isinstance(x, float) else
                                      ("-" if x.get("mean") is None else f"{x['mean']:.3f}"))

    print(f"judge: {args.model} against the rational agent ({settings.evaluate.rules[0]}) after the same "
          f"{out['edits']} edit(s)")
    for key, what in (("efficacy", "P(requested object)"), ("downstream_shift", "downstream shift captured"),
                      ("other_accuracy", "other people's accuracy"), ("coherence_violation", "mean axiom violation")):
        if key in out:
            print(f"  {what:<28}{fmt(out[key]):>8}")
    return 0


def _register_stages() -> None:
    from .run.stages import STAGES

    for st in STAGES:
        if st.name == "corpus":
            register_command("corpus", help="render a world's evidence as a corpus: pipeline stage 2 (--run RUN) or "
                                            "standalone (--out DIR)", add_arguments=_corpus_arguments, run=_corpus_run)
        elif st.name == "train":
            register_command("train", help="train the LM: pipeline stage 4 (--run RUN) or standalone (--corpus DIR "
                                           "--out DIR)", add_arguments=_train_arguments, run=_train_run)
        else:
            register_command(st.name, help=st.help, add_arguments=add_run_arguments, run=_stage_run(st.name))
    register_command("run", help="every stage in order, skipping those that are up to date (the main command)",
                     add_arguments=add_run_arguments, run=_stage_run("run"))
    register_command("edit", help="edit the run's LM with a method and save the edited model (--out DIR)",
                     add_arguments=_edit_arguments, run=_edit_run)
    register_command("judge", help="judge a model edited elsewhere against the rational agent after the same requests",
                     add_arguments=_judge_arguments, run=_judge_run)


_register_stages()
