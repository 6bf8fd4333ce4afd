"""The command line: ``python -m bridges <command> ...``, one subcommand per pipeline stage.

Subcommands live in a small registry; a stage (``train``, ``edit``, ``evaluate``, ``report``, ``run``)
is added by one call, without touching the parser::

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

__all__ = ["COMMANDS", "Command", "build_parser", "main", "register_command"]


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


# -- corpus ---------------------------------------------------------------------------------------
def _corpus_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--world", default=None,
                        help="a built-in world (tiny, default, paper) or a Python file defining `graph` "
                             "(default: default)")
    parser.add_argument("--out", default=None, help="output directory (corpus.jsonl, metadata.json)")
    parser.add_argument("--run", default=None, help="instead of --out: run the pipeline's corpus stage in this "
                                                    "run directory (RUN/corpus), with --config")
    parser.add_argument("--config", default=None, help="with --run: a TOML run config")
    parser.add_argument("--force", action="store_true", help="with --run: redo the stage even if up to date; "
                                                             "with --out: replace a corpus of another world there")
    parser.add_argument("--seed", type=int, default=None, help="seed of the world and the shuffles (default: 0)")
    parser.add_argument("--eps", type=float, default=None,
                        help="mention noise rate in [0, 1) (default: the world's, 0.05 for built-ins)")
    parser.add_argument("--n-subjects", type=int, default=None, help="number of people (default: the world's)")
    parser.add_argument("--shuffles", type=int, default=None,
                        help=f"independent shuffles of each subject's sentences (default: {DEFAULT_SHUFFLES})")
    parser.add_argument("--chunk", type=int, default=None, help="at most this many sentences per document "
                                                                f"(default: {DEFAULT_CHUNK})")
    parser.add_argument("--quiet", action="store_true", help="print nothing (no summary, no progress bar)")


def _corpus_run(args: argparse.Namespace) -> int:
    from .corpus.write import make_corpus

    if args.run is not None:
        if args.out is not None:
            raise ValueError("give either --out (a standalone corpus) or --run (the pipeline stage), not both")
        from .run.cli import main_stage

        return main_stage("corpus", args)
    if args.out is None:
        raise ValueError("corpus needs --out DIR (or --run DIR for the pipeline stage)")
    overrides = {k: v for k, v in (("eps", args.eps), ("n_subjects", args.n_subjects)) if v is not None}
    make_corpus("default" if args.world is None else args.world, args.out, seed=0 if args.seed is None else args.seed,
                shuffles=DEFAULT_SHUFFLES if args.shuffles is None else args.shuffles,
                chunk=DEFAULT_CHUNK if args.chunk is None else args.chunk, quiet=args.quiet, force=args.force,
                **overrides)
    return 0


register_command("corpus", help="sample a world and write its corpus (corpus.jsonl + metadata.json)",
                 add_arguments=_corpus_arguments, run=_corpus_run)


# -- pipeline stages (world, corpus via --run, train, fit, edit, evaluate, report, run) ---------------------
def _stage_command(stage: str, help: str) -> None:
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        from .run.cli import add_run_arguments

        add_run_arguments(parser)

    def run(args: argparse.Namespace) -> int:
        from .run.cli import main_stage

        return main_stage(stage, args)

    register_command(stage, help=help, add_arguments=add_arguments, run=run)


def _train_arguments(parser: argparse.ArgumentParser) -> None:
    from .run.cli import add_run_arguments

    add_run_arguments(parser)
    parser.add_argument("--corpus", default=None, help="standalone: train on this corpus directory (with --out)")
    parser.add_argument("--out", default=None, help="standalone: write model/, checkpoint/, metrics.json here")


def _train_run(args: argparse.Namespace) -> int:
    from .run.cli import main_stage

    if args.corpus is None and args.out is None:
        return main_stage("train", args)
    if args.corpus is None or args.out is None:
        raise ValueError("standalone training needs both --corpus DIR and --out DIR (or --run DIR alone)")
    import lm

    from .run.cli import config_from_args

    settings = config_from_args(args).validate()
    config = settings.train
    if args.quiet:
        import dataclasses

        config = dataclasses.replace(config, progress=False)
    metrics = lm.train_from_corpus(args.corpus, args.out, preset=settings.preset, config=config,
                                   **settings.model_overrides)
    print(f"train: accuracy on training facts {metrics['train_fact_accuracy']:.3f}, on held-out facts "
          f"{metrics['heldout_fact_accuracy']:.3f}; model, tokenizer and metrics.json in {args.out}")
    return 0


def _register_stages() -> None:
    from .run.pipeline import STAGES

    from .run.pipeline import _stages

    for stage in STAGES:
        if stage == "train":
            register_command("train", help="train the LM: pipeline stage 3 (--run RUN) or standalone (--corpus DIR "
                                           "--out DIR)", add_arguments=_train_arguments, run=_train_run)
        elif stage != "corpus":
            _stage_command(stage, _stages()[stage].help)
    _stage_command("run", "every stage in order, skipping those that are up to date (the main command)")


_register_stages()
